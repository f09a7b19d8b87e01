"""Query safety end to end: `kg query` and `kg serve` over every kind of store.

What tests/test_query.py, tests/test_serve.py and tests/test_saved_queries.py
already check is not repeated here (rdflib's check of SERVICE, FROM and
updates; the memory store's timeout; kg serve's refusals over a file).
This file adds, for the Oxigraph stores and a real ``oxigraph serve``:

- updates refused in every form a client can send them, the store unchanged;
- SERVICE and FROM refused, and the parser trap: a query rdflib reads as
  harmless but Oxigraph reads as a SERVICE call (rdflib expands ``\\u``
  escapes before parsing, Oxigraph does not), which must reach no endpoint;
- pathological queries (a huge cross join, a property path over a cyclic
  chain of 2,000 nodes) stopped by the timeout in both engines: exit 124 and
  one line from `kg query`, a 503 from `kg serve`, which then still answers,
  and no thread or process left running the query;
- rdflib's recursion on long property paths: answered, or a clear error.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from test_query import run_endpoint  # pytest puts tests/ on sys.path
from test_serve import FORM, SMALL, fetch, form, oxigraph_server, serving  # noqa: F401

from kg.errors import QueryError, QueryTimeoutError, UnsafeQueryError
from kg.query import check_query, run_query
from kg.rdf.load import load_graph
from kg.rdf.prefixes import PREFIXES
from kg.stores import OxigraphStore, SparqlStore, Store, open_store
from kg.stores.translate import as_checked, bound_text

KGO = PREFIXES["kgo"]
KGR = PREFIXES["kgr"]
CHAIN = 2_000

#: Five unconnected patterns over the 88 quads of tests/data/stores/small.trig: 5e9 rows.
CROSS_JOIN = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
)
#: Every pair of the 2,000 nodes of a cycle, walking both ways at every step.
DEEP_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?a (kgo:x|^kgo:x)* ?b }"
#: The same closure from every node, one way: 4 million pairs.
TRANSITIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a kgo:x+ ?b . ?b kgo:x+ ?c }"
PATHOLOGICAL = {"cross join": CROSS_JOIN, "deep path": DEEP_PATH, "transitive": TRANSITIVE}

UPDATES = [
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "LOAD <file:///etc/passwd>",
    "PREFIX ex: <urn:x:> INSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
    # an update spelled with escapes, which rdflib expands before parsing
    "\\u0044ELETE WHERE { ?s ?p ?o }",
    # an update after a query
    "ASK { ?s ?p ?o } ; DROP ALL",
    "# SELECT * WHERE { ?s ?p ?o }\nCLEAR ALL",
]


def chain_trig(path: Path, size: int = CHAIN) -> Path:
    """A named graph holding a cycle n0 -> n1 -> ... -> n(size-1) -> n0 (kgo:x)."""
    lines = [f"<{KGR}graph/chain> {{"]
    lines += [f"<{KGR}n{i}> <{KGO}x> <{KGR}n{(i + 1) % size}> ." for i in range(size)]
    path.write_text("\n".join([*lines, "}"]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The graph files: the small store graph and the chain."""
    folder = tmp_path_factory.mktemp("graphs")
    return {"small": SMALL, "chain": chain_trig(folder / "chain.trig")}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, graphs: dict[str, Path]) -> dict[str, Path]:
    """Oxigraph store folders holding each graph (closed, so `kg query` can open them)."""
    made = {}
    for name, graph in graphs.items():
        folder = tmp_path_factory.mktemp("stores") / name
        with open_store(folder, create=True) as store:
            store.load_file(graph)
        made[name] = folder
    return made


def kg_command(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `kg` command in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(done: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """Exit ``code``, nothing on stdout, one ``error:`` line on stderr (no traceback)."""
    assert done.returncode == code, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert "recursion depth" not in done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def query_processes(folder: Path | None = None) -> list[int]:
    """Process ids of kg's Oxigraph query processes (of ``folder``), anywhere on the machine."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kg.stores.worker" in argv and (folder is None or str(folder).encode() in argv):
            found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def busy_query_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kg-query" and t.is_alive()]


linux_only = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")


# ------------------------------------------------------------------ updates


@pytest.mark.parametrize("update", UPDATES[::2])
def test_kg_query_refuses_updates_on_an_oxigraph_store(
    update: str, folders: dict[str, Path]
) -> None:
    with open_store(folders["small"], read_only=True) as store:
        before = store.export(format="nquads")
    done = kg_command("query", update, "--store", f"oxigraph:{folders['small']}")
    line = one_line_error(done, 2)
    assert "refused" in line or "not valid SPARQL" in line
    with open_store(folders["small"], read_only=True) as store:
        assert store.export(format="nquads") == before


@pytest.fixture(params=["memory", "oxigraph"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, graphs: dict[str, Path]
) -> Iterator[tuple[str, Store]]:
    """kg serve over the small graph and the chain, in memory or in Oxigraph; a 1 s limit."""
    store = (
        open_store("memory")
        if request.param == "memory"
        else open_store(tmp_path / "store", create=True)
    )
    for graph in graphs.values():
        store.load_file(graph)
    try:
        with serving(store, timeout=1.0) as url:
            yield url + "sparql", store
    finally:
        store.close()


def test_kg_serve_refuses_updates_in_every_form(served: tuple[str, Store]) -> None:
    endpoint, store = served
    before = len(store)
    answers = []
    for update in UPDATES:
        answers += [
            fetch(endpoint + "?" + urllib.parse.urlencode({"query": update})),
            fetch(endpoint + "?" + urllib.parse.urlencode({"update": update})),
            fetch(endpoint, method="POST", data=form(query=update), headers=FORM),
            fetch(endpoint, method="POST", data=form(update=update), headers=FORM),
            fetch(
                endpoint,
                method="POST",
                data=update.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ),
            fetch(
                endpoint,
                method="POST",
                data=update.encode(),
                headers={"Content-Type": "application/sparql-update"},
            ),
        ]
    assert {a.status for a in answers} == {400}
    assert all(len(a.text.strip().splitlines()) == 1 for a in answers)
    assert len(store) == before
    assert fetch(endpoint + "?query=ASK%7B%7D").status == 200


# ------------------------------------------------------------------ SERVICE, FROM, the parser trap


def trap(url: str) -> str:
    """A query rdflib reads as a triple pattern with a string, and Oxigraph as a SERVICE call.

    rdflib turns ``\\u005C`` into a backslash before parsing, so ``"x\\u005C" } ... # "`` is
    one string to it (``x" } UNION { SERVICE ... } } # ``); Oxigraph reads a string
    ending in a backslash, then ``UNION { SERVICE <url> {...} }``, then a comment.
    """
    return (
        'SELECT * WHERE { { ?s ?p "x\\u005C" } UNION { SERVICE <'
        + url
        + '> { ?x ?y ?z } } # " }\n}'
    )


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[str]]]:
    """A local SPARQL endpoint (its URL, the requests it received)."""
    yield from run_endpoint()


def test_the_trap_is_real_for_oxigraph_and_harmless_to_rdflib(
    endpoint: tuple[str, list[str]],
) -> None:
    url, requests = endpoint
    parsed = check_query(trap(url))  # kg's check sees no SERVICE...
    assert parsed.kind == "SELECT"
    assert len(list(ox.Store().query(trap(url)))) == 1  # ...Oxigraph, given the text, calls out
    assert len(requests) == 1


@pytest.mark.parametrize("timeout", [None, 5.0])
def test_the_trap_reaches_no_endpoint_through_an_oxigraph_store(
    endpoint: tuple[str, list[str]], tmp_path: Path, timeout: float | None
) -> None:
    url, requests = endpoint
    for store in (OxigraphStore(None), open_store(tmp_path / "store", create=True)):
        store.load_file(SMALL)
        result = store.query(trap(url), timeout=timeout)
        assert result.rows == ()  # rdflib's reading: a string that is not in the graph
        store.close()
    assert requests == []


def test_oxigraph_gets_the_text_rdflib_checked() -> None:
    assert bound_text(check_query('ASK { ?s ?p "caf\\u00E9" }')) == 'ASK { ?s ?p "café" }'
    with pytest.raises(QueryError):  # rdflib reads '"\\u0022"' as '"""': not SPARQL
        check_query('ASK { ?s ?p "\\u0022" }')
    # The second guard: a SERVICE that a plain scan sees where rdflib saw none is refused.
    with pytest.raises(UnsafeQueryError, match="SERVICE"):
        as_checked("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", False)
    for harmless in (
        'SELECT * { ?s ?p "SERVICE" }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }",
        "SELECT ?service { ?service kgo:service <urn:SERVICE> }",
        "SELECT * { ?s ?p '''\nSERVICE <http://x/> { }''' }",
    ):
        assert as_checked(harmless, False)


def test_kg_query_refuses_service_and_from_on_an_oxigraph_store(
    folders: dict[str, Path], endpoint: tuple[str, list[str]]
) -> None:
    url, requests = endpoint
    spec = f"oxigraph:{folders['small']}"
    service = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"
    one_line_error(kg_command("query", service, "--store", spec), 2, "SERVICE", "--allow-service")
    one_line_error(
        kg_command("query", "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }", "--store", spec),
        2,
        "FROM",
    )
    one_line_error(
        kg_command("query", "SELECT * FROM NAMED <urn:x:g> { ?s ?p ?o }", "--store", spec),
        2,
        "FROM NAMED",
    )
    done = kg_command("query", trap(url), "--store", spec)
    assert done.returncode == 0 and done.stdout.endswith("(0 rows)\n"), done.stderr
    assert requests == []
    # Asked for, SERVICE is Oxigraph's to run.
    allowed = kg_command("query", service, "--store", spec, "--allow-service", "-f", "csv")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines() == ["x", "from the service"]
    assert len(requests) == 1


def test_kg_serve_checks_queries_before_they_reach_oxigraph_serve(
    oxigraph_server: str,  # noqa: F811 (the fixture of test_serve)
    endpoint: tuple[str, list[str]],
) -> None:
    url, requests = endpoint
    remote = open_store(f"sparql+{oxigraph_server}")
    assert isinstance(remote, SparqlStore)
    remote.load_file(SMALL)
    with serving(remote, timeout=5) as base:
        sparql = base + "sparql"
        service = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"
        refused = [
            fetch(sparql + "?" + urllib.parse.urlencode({"query": service})),
            fetch(sparql, method="POST", data=form(query=service), headers=FORM),
            fetch(sparql, method="POST", data=form(update=f"LOAD <{url}>"), headers=FORM),
            fetch(
                sparql,
                method="POST",
                data=f"LOAD <{url}> INTO GRAPH <urn:x:g>".encode(),
                headers={"Content-Type": "application/sparql-update"},
            ),
            fetch(sparql + "?" + urllib.parse.urlencode({"query": f"LOAD <{url}>"})),
            fetch(sparql + "?" + urllib.parse.urlencode({"query": f"SELECT * FROM <{url}> {{}}"})),
        ]
        assert [a.status for a in refused] == [400] * len(refused)
        trapped = fetch(sparql + "?" + urllib.parse.urlencode({"query": trap(url)}))
        assert trapped.status == 200 and '"bindings":[]' in trapped.text
        assert requests == []
        # The same text sent to oxigraph serve itself does call the endpoint:
        # the check in front of it is what keeps it from doing so.
        direct = fetch(oxigraph_server + "/query?" + urllib.parse.urlencode({"query": trap(url)}))
        assert direct.status == 200 and requests


# ------------------------------------------------------------------ pathological queries


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
@pytest.mark.parametrize("engine", ["memory", "oxigraph"])
def test_kg_query_stops_a_pathological_query(
    engine: str, name: str, graphs: dict[str, Path], folders: dict[str, Path]
) -> None:
    graph = "small" if name == "cross join" else "chain"
    where = (
        ["--graph", graphs[graph]]
        if engine == "memory"
        else ["--store", f"oxigraph:{folders[graph]}"]
    )
    done = kg_command("query", PATHOLOGICAL[name], *where, "--timeout", "1")
    one_line_error(done, 124, "more than 1 s and was stopped", "--timeout")
    if engine == "oxigraph" and Path("/proc").is_dir():
        assert not [p for p in query_processes(folders[graph]) if running(p)]


@pytest.mark.model
def test_kg_query_stops_a_cross_join_over_the_sample_build(sample_build: Path) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    done = kg_command("query", query, "--graph", sample_build / "kg.trig", "--timeout", "1")
    one_line_error(done, 124, "more than 1 s")


@linux_only
@pytest.mark.parametrize("query", [CROSS_JOIN, DEEP_PATH], ids=["cross join", "deep path"])
def test_kg_serve_stops_a_pathological_query_and_still_answers(
    served: tuple[str, Store], query: str
) -> None:
    endpoint, store = served
    before = set(busy_query_threads())
    answer = fetch(endpoint + "?" + urllib.parse.urlencode({"query": query}))
    assert answer.status == 503
    assert len(answer.text.strip().splitlines()) == 1
    assert "more than 1 s and was stopped" in answer.text
    # Nothing goes on running the query: no thread, no process.
    assert set(busy_query_threads()) <= before
    if isinstance(store, OxigraphStore):
        assert store.path is not None
        assert not [p for p in query_processes(store.path) if _cpu_busy(p)]
    # and the server answers the next query
    quick = fetch(endpoint + "?" + urllib.parse.urlencode({"query": "ASK { ?s kgo:x ?o }"}))
    assert quick.status == 200 and "true" in quick.text


def _cpu_busy(pid: int) -> bool:
    """Whether a process uses CPU over a tenth of a second (a query still running)."""

    def ticks() -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        return int(fields[11]) + int(fields[12])  # utime + stime

    first = ticks()
    time.sleep(0.1)
    return ticks() > first + 2


def test_a_relayed_server_stops_a_streaming_answer(
    oxigraph_server: str,  # noqa: F811 (the fixture of test_serve)
) -> None:
    # oxigraph serve streams the rows of a join as it finds them: each read comes
    # quickly, so only a deadline on the whole answer stops it.
    remote = open_store(f"sparql+{oxigraph_server}")
    remote.load_file(SMALL)
    with pytest.raises(QueryTimeoutError, match=r"no answer within 0\.5 s"):
        remote.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=0.5)
    assert remote.query("ASK { ?s ?p ?o }", timeout=5).boolean is True


@linux_only
def test_a_timed_out_oxigraph_query_leaves_no_process(folders: dict[str, Path]) -> None:
    store = open_store(folders["chain"], read_only=True)
    assert isinstance(store, OxigraphStore) and store.path is not None
    try:
        assert store.query("ASK { ?s kgo:x ?o }", timeout=10).boolean is True
        kept = query_processes(store.path)
        assert len(kept) == 1  # kept for the next query
        with pytest.raises(QueryTimeoutError):
            store.query(DEEP_PATH, timeout=0.5)
        assert not [p for p in kept if running(p)]  # it was running the query: killed
        # the same answers as in this process, from a new query process
        for query in ("SELECT ?b WHERE { kgr:n0 kgo:x+ ?b } ORDER BY ?b", "ASK { ?s ?p ?o }"):
            assert store.query(query, timeout=10) == store.query(query)
    finally:
        store.close()
    assert not [p for p in query_processes(store.path) if running(p)]


def test_a_timed_oxigraph_query_sees_what_was_written(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store", create=True)
    try:
        ask = "ASK { <urn:x:a> <urn:x:p> ?o }"
        assert store.query(ask, timeout=10).boolean is False
        store.replace_graph(f"{KGR}graph/d", [(URIRef("urn:x:a"), URIRef("urn:x:p"), Literal(1))])
        assert store.query(ask, timeout=10).boolean is True
        store.remove_graph(f"{KGR}graph/d")
        assert store.query(ask, timeout=10).boolean is False
    finally:
        store.close()


def test_oxigraph_errors_from_the_query_process_are_kg_errors(folders: dict[str, Path]) -> None:
    with open_store(folders["small"], read_only=True) as store:
        # rdflib accepts a VALUES row shorter than its variables; Oxigraph does not
        with pytest.raises(QueryError, match="Oxigraph cannot parse") as info:
            store.query("SELECT * WHERE { VALUES (?a ?b) { (1) } }", timeout=5)
        assert "\n" not in str(info.value)
        assert store.query("ASK { ?s ?p ?o }", timeout=5).boolean is True


# ------------------------------------------------------------------ rdflib's recursion


def test_long_property_paths_are_answered_in_memory(graphs: dict[str, Path]) -> None:
    graph = load_graph(graphs["chain"])
    query = "SELECT (COUNT(?b) AS ?n) WHERE { kgr:n0 kgo:x+ ?b }"
    for timeout in (None, 30.0):
        assert run_query(graph, query, timeout=timeout).rows == ((Literal(CHAIN),),)
    ask = f"ASK {{ kgr:n0 kgo:x+ kgr:n{CHAIN - 1} }}"
    assert run_query(graph, ask).boolean is True


def test_a_path_too_deep_for_rdflib_is_a_clear_error(
    graphs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = sys.getrecursionlimit()
    # the module (kg.query, the attribute, is the function of the API: import kg; kg.query(...))
    module = sys.modules["kg.query.run"]
    monkeypatch.setattr(module, "_DEEP_RECURSION", 400)  # a chain of 2,000 is then too deep
    graph = load_graph(graphs["chain"])
    for timeout in (None, 30.0):
        with pytest.raises(QueryError, match="nests too deeply") as info:
            run_query(graph, "SELECT (COUNT(?b) AS ?n) WHERE { kgr:n0 kgo:x+ ?b }", timeout=timeout)
        assert "recursion" not in str(info.value)
    assert sys.getrecursionlimit() == limit
    assert run_query(graph, "ASK { kgr:n0 kgo:x kgr:n1 }").boolean is True


def test_the_recursion_limit_is_restored_after_queries(graphs: dict[str, Path]) -> None:
    limit = sys.getrecursionlimit()
    graph = load_graph(graphs["chain"])
    run_query(graph, "SELECT (COUNT(?b) AS ?n) WHERE { kgr:n0 kgo:x+ ?b }", timeout=30)
    with pytest.raises(QueryTimeoutError):
        run_query(graph, DEEP_PATH, timeout=0.5)
    waited = time.monotonic() + 60  # a loaded machine may take a moment to unwind the query
    while busy_query_threads() and time.monotonic() < waited:
        time.sleep(0.05)
    assert not busy_query_threads()
    assert sys.getrecursionlimit() == limit
