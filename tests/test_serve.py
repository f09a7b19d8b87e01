"""kg serve and a real ``oxigraph serve``, queried through the SPARQL 1.1 Protocol.

``kg serve`` runs in a thread (:func:`kg.serve.make_server` on port 0); the
Oxigraph server is the ``oxigraph`` command of the PyPI package ``oxigraph``
(a test extra), started on a free port of 127.0.0.1 and always terminated.
Without that command the Oxigraph tests skip, except in CI (``CI=true``),
where they fail. Every answer is compared with the embedded stores'.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.errors import QueryTimeoutError
from kg.query import OUTPUT_FORMATS, format_result
from kg.rdf.prefixes import PREFIXES
from kg.serve import SparqlServer, make_server
from kg.stores import DEFAULT_GRAPH_IRI, OxigraphStore, SparqlStore, Store, open_store

SMALL = Path(__file__).parent / "data" / "stores" / "small.trig"
KGR = PREFIXES["kgr"]
DOC1 = URIRef(KGR + "graph/doc-1")
DOC2 = URIRef(KGR + "graph/doc-2")
ACME = URIRef(KGR + "company/acme")

#: Ordered or DISTINCT, so that every store gives the same rows (tests/test_stores.py).
SELECTS = [
    "SELECT ?e ?name WHERE { ?e a kgo:Company ; rdfs:label ?name } ORDER BY ?name",
    """SELECT ?s ?p ?o ?evidence ?confidence ?role WHERE {
           ?st a kgo:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
               kgo:evidence ?evidence ; kgo:confidence ?confidence .
           OPTIONAL { ?st kgo:role ?role } } ORDER BY ?evidence ?p""",
    """SELECT DISTINCT ?person ?company ?city WHERE {
           ?person kgo:worksFor ?company . ?company kgo:basedIn ?city }""",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT ?label ?motto WHERE { ?c rdfs:label ?label "
    "OPTIONAL { ?c <https://example.org/vocab#motto> ?motto } } ORDER BY STR(?label)",
    "SELECT ?o ?value ?period WHERE { ?o kgo:value ?value ; kgo:period ?period }",
]
ASKS = ["ASK { ?s kgo:plansToEnter ?o }", "ASK { ?s kgo:sanctions ?o }"]
CONSTRUCT = "CONSTRUCT { ?s kgo:competesWith ?o } WHERE { ?s kgo:competesWith ?o }"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- turning answers into terms


def json_term(term: dict[str, str]) -> Node:
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in term:
        return Literal(value, lang=term["xml:lang"])
    if "datatype" in term:
        return Literal(value, datatype=URIRef(term["datatype"]))
    return Literal(value)


def json_rows(document: dict[str, Any]) -> tuple[tuple[Node | None, ...], ...]:
    names = document["head"]["vars"]
    return tuple(
        tuple(json_term(b[n]) if n in b else None for n in names)
        for b in document["results"]["bindings"]
    )


def xml_rows(document: Any) -> tuple[tuple[Node | None, ...], ...]:
    names = [v.getAttribute("name") for v in document.getElementsByTagName("variable")]
    rows = []
    for result in document.getElementsByTagName("result"):
        row: dict[str, Node] = {}
        for binding in result.getElementsByTagName("binding"):
            node = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = "".join(t.data for t in node.childNodes)
            if node.tagName == "uri":
                row[binding.getAttribute("name")] = URIRef(text)
            elif node.tagName == "bnode":
                row[binding.getAttribute("name")] = BNode(text)
            elif node.getAttribute("xml:lang"):
                row[binding.getAttribute("name")] = Literal(
                    text, lang=node.getAttribute("xml:lang")
                )
            elif node.getAttribute("datatype"):
                datatype = URIRef(node.getAttribute("datatype"))
                row[binding.getAttribute("name")] = Literal(text, datatype=datatype)
            else:
                row[binding.getAttribute("name")] = Literal(text)
        rows.append(tuple(row.get(n) for n in names))
    return tuple(rows)


def declared(query: str) -> str:
    """The query with kg's prefixes declared, for servers that do not predeclare them."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + query


def wrapper(endpoint: str, query: str, fmt: str, **params: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setOnlyConneg(True)  # no format=/output= parameters: the Accept header decides
    for name, value in params.items():
        client.addParameter(name, value)
    return client


# ---------------------------------------------------------------- kg serve


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = open_store(tmp_path_factory.mktemp("embedded") / "store", create=True)
    assert isinstance(store, OxigraphStore)
    store.load_file(SMALL)
    yield store
    store.close()


@contextmanager
def running(store: Any, **options: Any) -> Iterator[SparqlServer]:
    """``kg serve`` of ``store`` in a thread, on a free port: the server."""
    server = make_server(store, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serving(store: Store, **options: Any) -> Iterator[str]:
    """``kg serve`` of ``store`` in a thread, on a free port: its base URL (…/)."""
    with running(store, **options) as server:
        yield server.url


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def kg_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store]]:
    """kg serve over the small graph, in memory or in an Oxigraph folder: (endpoint, store)."""
    if request.param == "memory":
        store = open_store("memory")
    else:
        store = open_store(tmp_path_factory.mktemp("served") / "store", create=True)
    store.load_file(SMALL)
    lines: list[str] = []
    try:
        with serving(store, timeout=5, log=lines.append) as url:
            yield url + "sparql", store
    finally:
        store.close()
    assert lines and all('"' in line for line in lines)  # one log line per request


@pytest.mark.parametrize("query", SELECTS)
@pytest.mark.parametrize("method", ["GET", POST, POSTDIRECTLY])
def test_kg_serve_answers_as_the_embedded_store(
    kg_server: tuple[str, Store], embedded: OxigraphStore, query: str, method: str
) -> None:
    endpoint, store = kg_server
    expected = embedded.query(query)
    client = wrapper(endpoint, query, JSON)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    elif method == POST:
        client.setMethod(POST)
    document = client.queryAndConvert()
    assert isinstance(document, dict)
    assert tuple(document["head"]["vars"]) == expected.vars
    assert json_rows(document) == expected.rows == store.query(query).rows


@pytest.mark.parametrize("query", SELECTS)
def test_kg_serve_csv_tsv_and_xml(
    kg_server: tuple[str, Store], embedded: OxigraphStore, query: str
) -> None:
    endpoint, _ = kg_server
    expected = embedded.query(query)
    csv = wrapper(endpoint, query, CSV).queryAndConvert()
    tsv = wrapper(endpoint, query, TSV).queryAndConvert()
    assert csv == format_result(expected, format="csv").encode("utf-8")
    assert tsv == format_result(expected, format="tsv").encode("utf-8")
    assert xml_rows(wrapper(endpoint, query, XML).queryAndConvert()) == expected.rows


@pytest.mark.parametrize("query", ASKS)
def test_kg_serve_ask(kg_server: tuple[str, Store], embedded: OxigraphStore, query: str) -> None:
    endpoint, _ = kg_server
    document = wrapper(endpoint, query, JSON).queryAndConvert()
    assert isinstance(document, dict)
    assert document["boolean"] is embedded.query(query).boolean


def test_kg_serve_construct_as_turtle(
    kg_server: tuple[str, Store], embedded: OxigraphStore
) -> None:
    endpoint, _ = kg_server
    data = wrapper(endpoint, CONSTRUCT, TURTLE).queryAndConvert()
    assert isinstance(data, bytes)
    expected = embedded.query(CONSTRUCT).graph
    assert expected is not None and len(expected) == 2
    assert isomorphic(Graph().parse(data=data, format="turtle"), expected)
    nt = fetch(endpoint + "?" + urllib.parse.urlencode({"query": CONSTRUCT, "format": "nt"}))
    assert nt.status == 200 and nt.content_type.startswith("application/n-triples")
    assert isomorphic(Graph().parse(data=nt.body, format="nt"), expected)


class Answer:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.content_type = headers.get("Content-Type", "")
        self.text = body.decode("utf-8", "replace")


def fetch(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.headers, err.read())


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode("ascii")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_kg_serve_is_read_only(kg_server: tuple[str, Store]) -> None:
    endpoint, store = kg_server
    before = len(store)
    update = "DELETE WHERE { ?s ?p ?o }"
    client = wrapper(endpoint, update, JSON)
    client.setMethod(POST)
    with pytest.raises(QueryBadFormed):  # SPARQLWrapper's name for a 400 answer
        client.query()
    refused = [
        fetch(endpoint, method="POST", data=form(update=update), headers=FORM),
        fetch(
            endpoint,
            method="POST",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        fetch(endpoint + "?" + urllib.parse.urlencode({"query": update})),
        fetch(
            endpoint, method="PUT", data=b"<a> <b> <c> .", headers={"Content-Type": "text/turtle"}
        ),
        fetch(endpoint, method="DELETE"),
    ]
    assert [a.status for a in refused] == [400, 400, 400, 405, 405]
    assert "read-only" in refused[0].text and "read-only" in refused[3].text
    assert "SPARQL Update" in refused[2].text
    assert len(store) == before


def test_kg_serve_refuses_what_kg_query_refuses(kg_server: tuple[str, Store]) -> None:
    endpoint, _ = kg_server
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    answers = {
        "service": fetch(endpoint + "?" + urllib.parse.urlencode({"query": service})),
        "from": fetch(
            endpoint,
            method="POST",
            data=form(query="SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
            headers=FORM,
        ),
        "dataset": fetch(
            endpoint
            + "?"
            + urllib.parse.urlencode({"query": "ASK {}", "default-graph-uri": str(DOC1)})
        ),
        "syntax": fetch(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE {"})),
        "none": fetch(endpoint),
        "accept": fetch(
            endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"}),
            headers={"Accept": "image/png"},
        ),
        "media": fetch(
            endpoint, method="POST", data=b"ASK {}", headers={"Content-Type": "text/plain"}
        ),
        "big": fetch(endpoint, method="POST", data=form(query="#" * 1_100_000), headers=FORM),
        "host": fetch(endpoint + "?query=ASK%7B%7D", headers={"Host": "attacker.example"}),
    }
    codes = {name: answer.status for name, answer in answers.items()}
    assert codes == {
        "service": 400,
        "from": 400,
        "dataset": 400,
        "syntax": 400,
        "none": 400,
        "accept": 406,
        "media": 415,
        "big": 413,
        "host": 403,
    }
    assert "SERVICE <http://127.0.0.1:9/sparql> is refused" in answers["service"].text
    assert "line 1" in answers["syntax"].text
    assert all(a.content_type.startswith("text/plain") for a in answers.values())
    assert all(len(a.text.strip().splitlines()) == 1 for a in answers.values())


def test_kg_serve_content_negotiation(kg_server: tuple[str, Store]) -> None:
    endpoint, _ = kg_server
    url = endpoint + "?" + urllib.parse.urlencode({"query": SELECTS[0]})
    cases = {
        None: "application/sparql-results+json",
        "*/*": "application/sparql-results+json",
        "text/*": "text/csv",
        "text/csv;q=0.5, text/tab-separated-values": "text/tab-separated-values",
        "application/json": "application/sparql-results+json",
        "application/sparql-results+xml, */*;q=0.1": "application/sparql-results+xml",
    }
    for accept, expected in cases.items():
        answer = fetch(url, headers={"Accept": accept} if accept else {})
        assert answer.status == 200 and answer.content_type.split(";")[0] == expected, accept
    csv = fetch(url + "&format=csv", headers={"Accept": "application/json"})
    assert csv.content_type.startswith("text/csv")
    graph = fetch(endpoint + "?" + urllib.parse.urlencode({"query": CONSTRUCT}))
    assert graph.content_type.startswith("text/turtle")


def test_kg_serve_stops_a_slow_query(tmp_path: Path) -> None:
    store = open_store("memory")
    store.load_file(SMALL)
    with serving(store, timeout=0.3) as url:
        cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        started = time.perf_counter()
        answer = fetch(url + "sparql?" + urllib.parse.urlencode({"query": cross}))
        assert answer.status == 503 and "0.3 s" in answer.text
        assert time.perf_counter() - started < 5
        quick = fetch(url + "sparql?query=ASK%7B%7D")  # the server still answers
        assert quick.status == 200


def test_the_query_page_is_self_contained(kg_server: tuple[str, Store]) -> None:
    endpoint, _ = kg_server
    base = endpoint[: -len("sparql")]
    page = fetch(base)
    assert page.status == 200 and page.content_type.startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    links = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert links and all(link.startswith(("/", "#", "data:")) for link in links), links
    assert '<textarea id="query"' in page.text
    for name, kind in (("query.js", "text/javascript"), ("query.css", "text/css")):
        asset = fetch(base + "static/" + name)
        assert asset.status == 200 and asset.content_type.startswith(kind)
        assert "//" not in re.sub(r'"[^"\n]*"|//[^\n]*|/\*.*?\*/', "", asset.text, flags=re.S)
    script = fetch(base + "static/query.js").text
    assert script.count("fetch(") == 1 and 'fetch("/sparql"' in script
    assert "innerHTML" not in script  # answers are written as text
    assert fetch(base + "static/../stores.py").status == 404


def test_the_kg_serve_command_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "kg.cli", "serve", str(SMALL), "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()  # "serving ... query page http://127.0.0.1:PORT/ ..."
        match = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", first)
        assert match, first
        document = wrapper(match.group(1) + "sparql", SELECTS[0], JSON).queryAndConvert()
        assert isinstance(document, dict) and len(document["results"]["bindings"]) == 2
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
        rest = process.stderr.read()
        assert '"GET /sparql?query=SELECT' in rest and 'HTTP/1.1" 200' in rest
        assert rest.endswith("stopped.\n")
        assert "Traceback" not in rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def test_the_kg_serve_command_reports_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli", "serve", str(SMALL), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.browser
def test_the_query_page_runs_a_query_in_a_browser(kg_server: tuple[str, Store]) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None  # type: ignore[assignment]
    if sync_playwright is None or not Path(chromium).is_file():
        why = (
            "Playwright or Debian's chromium is missing "
            "(pip install -e '.[test]'; apt-get install chromium)"
        )
        if in_ci():
            pytest.fail(why)
        pytest.skip(why)
    endpoint, _ = kg_server
    base = endpoint[: -len("sparql")]
    seen: dict[str, Any] = {"outside": [], "errors": []}

    def drive() -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--headless"]
            )
            try:
                page = browser.new_page()

                def local_only(route: Any) -> None:
                    if route.request.url.startswith(base):
                        route.continue_()
                    else:
                        seen["outside"].append(route.request.url)
                        route.abort()

                page.route("**/*", local_only)
                page.on("pageerror", lambda err: seen["errors"].append(str(err)))
                page.goto(base)
                page.fill("#query", SELECTS[0])
                page.press("#query", "Control+Enter")  # the page's shortcut for Run
                page.wait_for_selector("#results table")
                seen["cells"] = page.eval_on_selector_all(
                    "#results td", "tds => tds.map(td => td.textContent)"
                )
                page.fill("#query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
                page.click("#run")
                page.wait_for_selector("#error:not([hidden])")
                seen["error"] = page.inner_text("#error")
            finally:
                browser.close()

    # Playwright's sync API refuses a thread whose asyncio loop runs (the browser
    # tests' session-wide Playwright may hold this one): drive it from a new thread.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            drive()
        except BaseException as err:
            failure.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    if failure:
        raise failure[0]
    assert seen["cells"][:4] == [
        "kgr:company/acme",
        "Acme Corporation",
        "kgr:company/globex",
        "Globex",
    ]
    assert "SERVICE" in seen["error"]
    assert seen["outside"] == [] and seen["errors"] == []


# ---------------------------------------------------------------- a real oxigraph serve


def oxigraph_command() -> str | None:
    """The ``oxigraph`` command of the PyPI package, on the PATH or beside this Python."""
    beside = Path(sys.executable).parent / "oxigraph"
    return shutil.which("oxigraph") or (str(beside) if beside.is_file() else None)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """``oxigraph serve`` on a free port of 127.0.0.1; yields ``http://127.0.0.1:PORT``."""
    command = oxigraph_command()
    if command is None:
        why = "the oxigraph command is missing: pip install -e '.[test]' (or pip install oxigraph)"
        if in_ci():
            pytest.fail(why)
        pytest.skip(why)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [command, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"oxigraph serve exited with {process.returncode}: {stderr}")
            try:
                with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not answer within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def test_a_build_pushed_to_oxigraph_serve_answers_as_the_embedded_store(
    oxigraph_server: str, embedded: OxigraphStore
) -> None:
    remote = open_store(f"sparql+{oxigraph_server}")
    assert isinstance(remote, SparqlStore)
    assert remote.store_url == oxigraph_server + "/store"
    assert len(remote) == 0
    remote.load_file(SMALL)  # Graph Store Protocol: POST of the TriG file
    assert len(remote) == len(embedded)
    assert remote.graph_names() == embedded.graph_names() == [DOC1, DOC2]
    endpoint = oxigraph_server + "/query"
    for query in [q for q in SELECTS if "GRAPH" not in q]:
        expected = embedded.query(query)
        # a plain SPARQL client: the default graph kg wrote is the union of the graphs
        document = wrapper(endpoint, declared(query), JSON).queryAndConvert()
        assert isinstance(document, dict)
        assert json_rows(document) == expected.rows, query
        csv = wrapper(endpoint, declared(query), CSV).queryAndConvert()
        assert csv == format_result(expected, format="csv").encode("utf-8")  # W3C CSV both
        # and kg's store over the protocol
        answer = remote.query(query)
        assert answer.rows == expected.rows
        for fmt in OUTPUT_FORMATS:
            assert format_result(answer, format=fmt) == format_result(expected, format=fmt)
    for query in ASKS:
        assert remote.query(query).boolean is embedded.query(query).boolean
    # On the server, GRAPH ?g also matches the graph where kg keeps the default
    # graph's own triples (the default graph itself holds the union).
    per_graph = {row[0]: row[1] for row in remote.query(SELECTS[3]).rows}
    expected_graphs = {row[0]: row[1] for row in embedded.query(SELECTS[3]).rows}
    assert per_graph == {**expected_graphs, URIRef(DEFAULT_GRAPH_IRI): Literal(14)}
    graph, expected_graph = remote.query(CONSTRUCT).graph, embedded.query(CONSTRUCT).graph
    assert graph is not None and expected_graph is not None
    assert isomorphic(graph, expected_graph)
    exported = [(store.export(format="nquads") or "").encode() for store in (remote, embedded)]
    theirs, ours = (set(ox.parse(data, format=ox.RdfFormat.N_QUADS)) for data in exported)
    assert theirs == ours and len(ours) == len(embedded)


@pytest.mark.parametrize("write", ["graph store protocol", "update"])
def test_writes_to_oxigraph_serve_match_the_embedded_store(
    oxigraph_server: str, tmp_path: Path, write: str
) -> None:
    spec = f"sparql+{oxigraph_server}" + ("/query?store=none" if write == "update" else "")
    remote = open_store(spec)
    assert isinstance(remote, SparqlStore)
    assert (remote.store_url is None) is (write == "update")
    local = open_store(tmp_path / "local", create=True)
    new = [
        (ACME, URIRef(PREFIXES["kgo"] + "partnersWith"), URIRef(KGR + "company/globex")),
        (ACME, URIRef(PREFIXES["rdfs"] + "comment"), Literal('says "hi"\nand\tbye', lang="en")),
    ]
    for store in (remote, local):
        store.load_file(SMALL)
        store.replace_graph(DOC2, new)
        store.remove_graph(DOC1)
        store.remove_graph(URIRef(KGR + "graph/never-there"))
    assert remote.graph_names() == local.graph_names() == [DOC2]
    assert len(remote) == len(local) == 14 + len(new)  # the default graph's 14, and doc-2's
    for query in [
        *(q for q in SELECTS if "GRAPH" not in q),
        "SELECT ?c WHERE { ?e rdfs:comment ?c }",
    ]:
        assert remote.query(query).rows == local.query(query).rows
    local.close()


def test_a_slow_query_to_a_server_times_out(oxigraph_server: str) -> None:
    remote = open_store(f"sparql+{oxigraph_server}")
    remote.load_file(SMALL)
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeoutError):
        remote.query(cross, timeout=0.2)


def test_kg_serve_relays_a_sparql_server(oxigraph_server: str, embedded: OxigraphStore) -> None:
    remote = open_store(f"sparql+{oxigraph_server}")
    remote.load_file(SMALL)
    with serving(remote) as url:
        document = wrapper(url + "sparql", SELECTS[1], JSON).queryAndConvert()
        assert isinstance(document, dict)
        assert json_rows(document) == embedded.query(SELECTS[1]).rows


@pytest.mark.model
def test_the_sample_build_on_oxigraph_serve(
    oxigraph_server: str, sample_build: Path, tmp_path: Path
) -> None:
    trig = sample_build / "kg.trig"
    local = open_store(tmp_path / "local", create=True)
    local.load_file(trig)
    remote = open_store(f"sparql+{oxigraph_server}")
    remote.load_file(trig)
    assert len(remote) == len(local) > 500
    queries = [
        "SELECT ?e ?name WHERE { ?e a kgo:Company ; rdfs:label ?name } ORDER BY ?name",
        "SELECT ?s ?o ?ev ?c WHERE { ?st a kgo:Statement ; rdf:subject ?s ; "
        "rdf:predicate kgo:sanctions ; rdf:object ?o ; kgo:evidence ?ev ; kgo:confidence ?c } "
        "ORDER BY ?s ?o ?ev",
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    ]
    for query in queries:
        expected = local.query(query)
        assert expected.rows
        document = wrapper(oxigraph_server + "/query", declared(query), JSON).queryAndConvert()
        assert isinstance(document, dict)
        assert json_rows(document) == expected.rows
        assert remote.query(query).rows == expected.rows
    local.close()


def test_json_rows_reads_every_kind_of_term() -> None:
    document = json.loads(
        '{"head":{"vars":["a","b","c","d","e"]},"results":{"bindings":[{'
        '"a":{"type":"uri","value":"https://example.org/x"},'
        '"b":{"type":"literal","value":"chat","xml:lang":"fr"},'
        '"c":{"type":"literal","value":"7","datatype":"http://www.w3.org/2001/XMLSchema#integer"},'
        '"d":{"type":"bnode","value":"b0"}}]}}'
    )
    assert json_rows(document) == (
        (
            URIRef("https://example.org/x"),
            Literal("chat", lang="fr"),
            Literal(7),
            BNode("b0"),
            None,
        ),
    )
