"""kg.query: the safety check, running queries, and every result format."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kg.errors import QueryError, QueryTimeoutError, UnsafeQueryError, UnsupportedFormatError
from kg.query import (
    PREFIXES,
    ParsedQuery,
    QueryParameter,
    QueryResult,
    SavedQuery,
    bind_query,
    check_query,
    format_result,
    format_saved_queries,
    read_query_arg,
    read_saved_query,
    render_query,
    run_query,
    saved_queries,
    saved_query,
)
from kg.query.text import shorten
from kg.rdf.dataset import new_dataset

KGO = Namespace(PREFIXES["kgo"])
KGR = Namespace(PREFIXES["kgr"])
RDF = Namespace(PREFIXES["rdf"])
RDFS = Namespace(PREFIXES["rdfs"])
XSD = Namespace(PREFIXES["xsd"])  # plain Namespace: pytest's doctest finder warns on rdflib's

ACME = KGR["company/acme"]
GLOBEX = KGR["company/globex"]
PARIS = KGR["city/paris"]
STMT = KGR["statement/s1"]
G1 = KGR["graph/d1"]


@pytest.fixture
def graph() -> Dataset:
    ds = new_dataset()
    ds.add((ACME, RDF.type, KGO.Company))
    ds.add((ACME, RDFS.label, Literal("Acme, Inc.")))
    ds.add((GLOBEX, RDF.type, KGO.Company))
    ds.add((GLOBEX, RDFS.label, Literal('Globex "北京"\nLtd')))
    ds.add((PARIS, RDF.type, KGO.City))
    ds.add((PARIS, RDFS.label, Literal("Paris", lang="fr")))
    g1 = ds.graph(G1)
    g1.add((ACME, KGO.basedIn, PARIS))
    g1.add((STMT, KGO.confidence, Literal("0.85", datatype=XSD.decimal)))
    g1.add((STMT, KGO.evidenceStart, Literal("150", datatype=XSD.integer)))
    g1.add((STMT, KGO.date, Literal("2018-04", datatype=XSD.gYearMonth)))
    return ds


COMPANIES = """
SELECT ?e ?label ?city WHERE {
  ?e a kgo:Company ; rdfs:label ?label .
  OPTIONAL { ?e kgo:basedIn ?city }
} ORDER BY ?e
"""

# ----------------------------------------------------------------------------- check_query

SERVICE_QUERIES = {
    "top level": "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
    "silent variable": "SELECT * WHERE { ?s ?p ?o . SERVICE SILENT ?endpoint { ?s ?q ?r } }",
    "subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } } } }",
    "optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://x/> { ?s ?q ?r } } }",
    "union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <http://x/> { ?s ?p ?o } } }",
    "exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }",
    "minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://x/> { ?s ?p ?o } } }",
    "graph": "SELECT * WHERE { GRAPH ?g { SERVICE <http://x/> { ?s ?p ?o } } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
    "ask": "ASK { SERVICE <http://x/> { ?s ?p ?o } }",
    "lower case": "select * where { service <http://x/> { ?s ?p ?o } }",
    "prefixed name": "SELECT * WHERE { SERVICE wd:sparql { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", sorted(SERVICE_QUERIES))
def test_service_is_refused_everywhere(name: str) -> None:
    with pytest.raises(UnsafeQueryError, match=r"SERVICE .* refused for safety"):
        check_query(SERVICE_QUERIES[name])


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }", "FROM NAMED"),
        ("ASK FROM <http://example.org/g> { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM kgr:graph\\/d1 WHERE { ?s ?p ?o }", "FROM kgr:graph"),
        ("CONSTRUCT { ?s ?p ?o } FROM <file:///tmp/x.ttl> WHERE { ?s ?p ?o }", "FROM"),
        ("DESCRIBE ?s FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }", "FROM NAMED"),
    ],
)
def test_from_and_from_named_are_refused(query: str, clause: str) -> None:
    with pytest.raises(UnsafeQueryError, match="refused for safety") as info:
        check_query(query)
    assert str(info.value).startswith(clause)


@pytest.mark.parametrize(
    ("update", "operation"),
    [
        ("INSERT DATA { <http://e/a> <http://e/p> <http://e/b> }", "INSERT DATA"),
        ("DELETE DATA { <http://e/a> <http://e/p> <http://e/b> }", "DELETE DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("LOAD <file:///etc/passwd>", "LOAD"),
        ("LOAD <http://example.org/data.ttl> INTO GRAPH <http://e/g>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://e/g>", "DROP"),
        ("CREATE GRAPH <http://e/g>", "CREATE"),
        ("COPY DEFAULT TO <http://e/g>", "COPY"),
        ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:p ex:b } ; CLEAR ALL", "INSERT DATA, CLEAR"),
    ],
)
def test_updates_are_refused(update: str, operation: str) -> None:
    with pytest.raises(UnsafeQueryError, match="Update") as info:
        check_query(update)
    assert operation in str(info.value)


def test_words_in_comments_and_strings_are_not_refused() -> None:
    query = (
        '# SERVICE <http://x/> and FROM <file:///etc>\nSELECT * WHERE { ?s ?p "SERVICE <x> FROM" }'
    )
    assert check_query(query).kind == "SELECT"


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT ?s WHERE { ?s a kgo:Company }", "SELECT"),
        ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "SELECT"),
        ("ASK { ?s kgo:basedIn ?o }", "ASK"),
        ("CONSTRUCT { ?s kgo:basedIn ?o } WHERE { ?s kgo:basedIn ?o }", "CONSTRUCT"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <https://w3id.org/kg-builder/resource/company/acme>", "DESCRIBE"),
        ("DESCRIBE ?s WHERE { ?s a kgo:Company }", "DESCRIBE"),
    ],
)
def test_normal_queries_are_accepted(query: str, kind: str) -> None:
    parsed = check_query(query)
    assert isinstance(parsed, ParsedQuery)
    assert parsed.kind == kind


def test_malformed_query_says_where() -> None:
    with pytest.raises(QueryError) as info:
        check_query("SELECT ?s\nWHERE { ?s ?p ?o }}")
    assert not isinstance(info.value, UnsafeQueryError)
    assert "line 2, col 19" in str(info.value)


def test_unterminated_query_says_where() -> None:
    with pytest.raises(QueryError, match=r"line 1, col \d+"):
        check_query("SELECT ?s WHERE { ?s ?p ?o . FILTER(")


def test_unknown_prefix() -> None:
    with pytest.raises(QueryError, match="unknown prefix foo:"):
        check_query("SELECT * WHERE { ?s foo:bar ?o }")


def test_empty_and_prefix_only_queries() -> None:
    with pytest.raises(QueryError, match="empty"):
        check_query("  \n")
    with pytest.raises(QueryError, match="only PREFIX"):
        check_query("PREFIX ex: <http://example.org/>")


def test_predeclared_prefixes() -> None:
    assert PREFIXES["kgr"] == "https://w3id.org/kg-builder/resource/"
    assert set(PREFIXES) >= {
        "kgo", "kgr", "rdf", "rdfs", "owl", "skos", "prov", "dcterms", "xsd", "schema", "wd",
    }  # fmt: skip


# ----------------------------------------------------------------------------- run_query


def test_select_sees_named_graphs_and_leaves_unbound_none(graph: Dataset) -> None:
    result = run_query(graph, COMPANIES)
    assert result.kind == "SELECT"
    assert result.vars == ("e", "label", "city")
    assert result.rows == (
        (ACME, Literal("Acme, Inc."), PARIS),
        (GLOBEX, Literal('Globex "北京"\nLtd'), None),
    )


def test_graph_keyword_names_the_document_graph(graph: Dataset) -> None:
    result = run_query(graph, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s kgo:basedIn ?o } }")
    assert result.rows == ((G1,),)


def test_escaped_local_names_resolve(graph: Dataset) -> None:
    result = run_query(graph, "SELECT ?c WHERE { kgr:company\\/acme kgo:basedIn ?c }")
    assert result.rows == ((PARIS,),)


def test_query_prefixes_override_predeclared(graph: Dataset) -> None:
    query = "PREFIX kgo: <http://example.org/other#> ASK { ?s kgo:basedIn ?o }"
    assert run_query(graph, query).boolean is False
    assert run_query(graph, "ASK { ?s kgo:basedIn ?o }").boolean is True


def test_init_bindings(graph: Dataset) -> None:
    result = run_query(
        graph, "SELECT ?label WHERE { ?e rdfs:label ?label }", init_bindings={"e": PARIS}
    )
    assert result.rows == ((Literal("Paris", lang="fr"),),)


def test_construct_and_describe_give_graphs(graph: Dataset) -> None:
    built = run_query(graph, "CONSTRUCT { ?c kgo:hosts ?e } WHERE { ?e kgo:basedIn ?c }")
    assert built.kind == "CONSTRUCT"
    assert built.graph is not None and set(built.graph) == {(PARIS, KGO.hosts, ACME)}
    described = run_query(graph, f"DESCRIBE <{PARIS}>")
    assert described.kind == "DESCRIBE"
    assert described.graph is not None
    assert (PARIS, RDFS.label, Literal("Paris", lang="fr")) in described.graph


def test_refused_query_never_reads_the_file(graph: Dataset, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://e/secret> <http://e/p> 1 .\n", encoding="utf-8")
    with pytest.raises(UnsafeQueryError):
        run_query(graph, f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}")
    assert (URIRef("http://e/secret"), None, None) not in graph


def test_evaluation_errors_are_query_errors(graph: Dataset) -> None:
    # a plain Graph whose query evaluation fails inside rdflib
    class Broken(Graph):
        def query(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise RuntimeError("store exploded")

    with pytest.raises(QueryError, match="store exploded"):
        run_query(Broken(), "ASK { ?s ?p ?o }")


# ----------------------------------------------------------------------------- formats


def test_table(graph: Dataset) -> None:
    assert format_result(run_query(graph, COMPANIES)) == (
        "e                  | label              | city\n"
        "-------------------+--------------------+---------------\n"
        "kgr:company/acme   | Acme, Inc.         | kgr:city/paris\n"
        'kgr:company/globex | Globex "北京"\\nLtd |\n'
        "(2 rows)\n"
    )


def test_table_typed_and_language_literals(graph: Dataset) -> None:
    result = run_query(graph, f"SELECT ?p ?o WHERE {{ <{STMT}> ?p ?o }} ORDER BY ?p")
    assert format_result(result, format="table") == (
        "p                 | o\n"
        "------------------+--------\n"
        "kgo:confidence    | 0.85\n"
        "kgo:date          | 2018-04\n"
        "kgo:evidenceStart | 150\n"
        "(3 rows)\n"
    )
    paris = run_query(graph, "SELECT ?l WHERE { ?c a kgo:City ; rdfs:label ?l }")
    # The table shows a literal's text; JSON keeps the language tag.
    assert format_result(paris) == "l\n-----\nParis\n(1 row)\n"
    assert '"xml:lang":"fr"' in format_result(paris, format="json")


def test_table_uses_the_graphs_own_prefixes(graph: Dataset) -> None:
    graph.bind("ex", "https://example.org/")
    graph.add((URIRef("https://example.org/thing"), RDF.type, KGO.Product))
    result = run_query(graph, "SELECT ?x WHERE { ?x a kgo:Product }")
    assert format_result(result).splitlines()[2] == "ex:thing"
    # explicit prefixes win
    assert format_result(result, prefixes={}).splitlines()[2] == "<https://example.org/thing>"


def test_csv(graph: Dataset) -> None:
    assert format_result(run_query(graph, COMPANIES), format="csv") == (
        "e,label,city\r\n"
        "https://w3id.org/kg-builder/resource/company/acme,"
        '"Acme, Inc.",'
        "https://w3id.org/kg-builder/resource/city/paris\r\n"
        "https://w3id.org/kg-builder/resource/company/globex,"
        '"Globex ""北京""\nLtd",\r\n'
    )


def test_tsv(graph: Dataset) -> None:
    assert format_result(run_query(graph, COMPANIES), format="tsv") == (
        "?e\t?label\t?city\n"
        "<https://w3id.org/kg-builder/resource/company/acme>\t"
        '"Acme, Inc."\t'
        "<https://w3id.org/kg-builder/resource/city/paris>\n"
        "<https://w3id.org/kg-builder/resource/company/globex>\t"
        '"Globex \\"北京\\"\\nLtd"\t\n'
    )
    typed = run_query(graph, f"SELECT ?o WHERE {{ <{STMT}> ?p ?o }} ORDER BY ?p")
    assert format_result(typed, format="tsv") == (
        '?o\n0.85\n"2018-04"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>\n150\n'
    )
    paris = run_query(graph, "SELECT ?l WHERE { ?c a kgo:City ; rdfs:label ?l }")
    assert format_result(paris, format="tsv") == '?l\n"Paris"@fr\n'


def test_json(graph: Dataset) -> None:
    text = format_result(run_query(graph, COMPANIES), format="json")
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "head": {"vars": ["e", "label", "city"]},
        "results": {
            "bindings": [
                {
                    "e": {"type": "uri", "value": str(ACME)},
                    "label": {"type": "literal", "value": "Acme, Inc."},
                    "city": {"type": "uri", "value": str(PARIS)},
                },
                {
                    "e": {"type": "uri", "value": str(GLOBEX)},
                    "label": {"type": "literal", "value": 'Globex "北京"\nLtd'},
                },
            ]
        },
    }
    typed = run_query(graph, f"SELECT ?o WHERE {{ <{STMT}> kgo:confidence ?o }}")
    assert format_result(typed, format="json") == (
        '{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"0.85",'
        '"datatype":"http://www.w3.org/2001/XMLSchema#decimal"}}]}}\n'
    )
    paris = run_query(graph, "SELECT ?l WHERE { ?c a kgo:City ; rdfs:label ?l }")
    assert json.loads(format_result(paris, format="json"))["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "Paris", "xml:lang": "fr"}}
    ]


def test_blank_nodes_in_every_format() -> None:
    result = QueryResult(kind="SELECT", vars=("b",), rows=((BNode("x1"),),))
    assert format_result(result, format="csv") == "b\r\n_:x1\r\n"
    assert format_result(result, format="tsv") == "?b\n_:x1\n"
    assert json.loads(format_result(result, format="json"))["results"]["bindings"] == [
        {"b": {"type": "bnode", "value": "x1"}}
    ]
    assert format_result(result).splitlines()[2] == "_:x1"


def test_ask_in_every_format(graph: Dataset) -> None:
    yes = run_query(graph, "ASK { ?s kgo:basedIn ?o }")
    no = run_query(graph, "ASK { ?s kgo:sues ?o }")
    for fmt in ("table", "csv", "tsv"):
        assert format_result(yes, format=fmt) == "true\n"
        assert format_result(no, format=fmt) == "false\n"
    assert format_result(yes, format="json") == '{"head":{},"boolean":true}\n'
    assert format_result(no, format="json") == '{"head":{},"boolean":false}\n'


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_construct_is_turtle_whatever_the_format(graph: Dataset, fmt: str) -> None:
    result = run_query(graph, "CONSTRUCT { ?e kgo:basedIn ?c } WHERE { ?e kgo:basedIn ?c }")
    text = format_result(result, format=fmt)
    assert text.startswith("@prefix kgo: <https://w3id.org/kg-builder/ontology#> .")
    assert len(list(ox.parse(text, format=ox.RdfFormat.TURTLE))) == 1
    assert result.graph is not None
    assert isomorphic(Graph().parse(data=text, format="turtle"), result.graph)


def test_empty_select() -> None:
    result = run_query(new_dataset(), "SELECT ?s ?o WHERE { ?s kgo:basedIn ?o }")
    assert format_result(result) == "s | o\n--+--\n(0 rows)\n"
    assert format_result(result, format="csv") == "s,o\r\n"
    assert format_result(result, format="tsv") == "?s\t?o\n"


def test_unknown_result_format(graph: Dataset) -> None:
    with pytest.raises(UnsupportedFormatError, match="table, csv, tsv, json"):
        format_result(run_query(graph, COMPANIES), format="xml")


def test_shorten() -> None:
    assert shorten(str(ACME), PREFIXES) == "kgr:company/acme"
    assert shorten(str(KGO.basedIn), PREFIXES) == "kgo:basedIn"
    assert shorten("https://w3id.org/kg-builder/resource/a b", PREFIXES).startswith("<")
    # the longest namespace wins
    assert shorten("http://e/a/b", {"e": "http://e/", "ea": "http://e/a/"}) == "ea:b"


# ----------------------------------------------------------------------------- read_query_arg


def test_read_query_arg(tmp_path: Path) -> None:
    path = tmp_path / "companies.rq"
    path.write_text(COMPANIES, encoding="utf-8")
    assert read_query_arg(str(path)) == COMPANIES
    assert read_query_arg("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match="no such query file"):
        read_query_arg(str(tmp_path / "missing.rq"))
    with pytest.raises(QueryError, match="no such query file"):
        read_query_arg("queries/typo.sparql")
    long_query = "SELECT * WHERE { " + "?s ?p ?o . " * 2000 + "}"
    assert read_query_arg(long_query) == long_query  # too long for a file name: not an OSError


def test_read_query_arg_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_bytes(b'SELECT * WHERE { ?s ?p "caf\xe9" }')
    with pytest.raises(QueryError, match="UTF-8"):
        read_query_arg(str(path))


TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(TEXT, min_size=1, max_size=4))
def test_any_text_keeps_the_table_shape(values: list[str]) -> None:
    result = QueryResult(
        kind="SELECT", vars=("a", "b"), rows=tuple((Literal(v), URIRef(str(ACME))) for v in values)
    )
    rows = list(csv.reader(io.StringIO(format_result(result, format="csv"), newline="")))
    assert rows == [["a", "b"], *([v, str(ACME)] for v in values)]
    tsv = format_result(result, format="tsv")
    assert tsv.count("\n") == len(values) + 1 and tsv.count("\t") == len(values) + 1
    table = format_result(result, format="table")
    assert table.count("\n") == len(values) + 3
    decoded = json.loads(format_result(result, format="json"))
    assert [b["a"]["value"] for b in decoded["results"]["bindings"]] == values


# ----------------------------------------------------------------- allow_service, allow_from


class _SparqlEndpoint(BaseHTTPRequestHandler):
    """A SPARQL endpoint on 127.0.0.1 that answers every query with one binding."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = json.dumps(
            {
                "head": {"vars": ["x"]},
                "results": {"bindings": [{"x": {"type": "literal", "value": "from the service"}}]},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


def run_endpoint() -> Iterator[tuple[str, list[str]]]:
    """Serve :class:`_SparqlEndpoint`; yield its URL and the requests it receives."""
    _SparqlEndpoint.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SparqlEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _SparqlEndpoint.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[str]]]:
    """The URL of a local SPARQL endpoint, and the list of requests it received."""
    yield from run_endpoint()


def test_allow_service_lets_service_call_the_endpoint(
    graph: Dataset, endpoint: tuple[str, list[str]]
) -> None:
    url, requests = endpoint
    query = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"
    with pytest.raises(UnsafeQueryError, match="--allow-service"):
        run_query(graph, query)
    assert requests == []  # refused before any network call
    result = run_query(graph, query, allow_service=True, timeout=30)
    assert result.rows == ((Literal("from the service"),),)
    assert len(requests) == 1
    assert check_query(query, allow_service=True).kind == "SELECT"


def test_allow_from_reads_the_named_file(graph: Dataset, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text('<http://e/a> <http://e/p> "from a file" .\n', encoding="utf-8")
    query = f"SELECT ?o FROM <{extra.as_uri()}> WHERE {{ ?s ?p ?o }}"
    with pytest.raises(UnsafeQueryError, match="--allow-from"):
        run_query(graph, query)
    assert run_query(graph, query, allow_from=True).rows == ((Literal("from a file"),),)


def test_allow_from_selects_a_named_graph_of_the_dataset(graph: Dataset) -> None:
    query = f"SELECT ?s ?o FROM <{G1}> WHERE {{ ?s kgo:basedIn ?o }}"
    assert run_query(graph, query, allow_from=True).rows == ((ACME, PARIS),)
    # the default graph (entity descriptions) is not part of that dataset
    labels = f"ASK FROM <{G1}> {{ ?s rdfs:label ?l }}"
    assert run_query(graph, labels, allow_from=True).boolean is False


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <file:///etc/passwd>",
        "INSERT DATA { <http://e/a> <http://e/p> <http://e/b> }",
        "CLEAR ALL",
    ],
)
def test_updates_stay_refused_whatever_is_allowed(update: str) -> None:
    with pytest.raises(UnsafeQueryError, match="Update"):
        check_query(update, allow_service=True, allow_from=True)


# ----------------------------------------------------------------------------- timeout

# Five unconnected patterns: |graph|^5 solutions, hours of work for rdflib.
CROSS_PRODUCT = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
)


def _query_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kg-query" and t.is_alive()]


def test_timeout_stops_a_runaway_query(graph: Dataset) -> None:
    before = set(_query_threads())  # another module's store may have left one of its own
    start = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"more than 0\.5 s and was stopped") as info:
        run_query(graph, CROSS_PRODUCT, timeout=0.5)
    elapsed = time.monotonic() - start
    assert 0.5 <= elapsed < 3.0
    assert info.value.exit_code == 124
    assert isinstance(info.value, QueryError)
    # the worker thread was stopped, not left running
    assert set(_query_threads()) <= before


def test_a_query_within_its_timeout_gives_the_same_answer(graph: Dataset) -> None:
    assert run_query(graph, COMPANIES, timeout=30) == run_query(graph, COMPANIES)
    built = run_query(
        graph, "CONSTRUCT { ?e kgo:basedIn ?c } WHERE { ?e kgo:basedIn ?c }", timeout=30
    )
    assert built.graph is not None and set(built.graph) == {(ACME, KGO.basedIn, PARIS)}


def test_errors_inside_the_timed_thread_reach_the_caller(graph: Dataset) -> None:
    class Broken(Graph):
        def query(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise RuntimeError("store exploded")

    with pytest.raises(QueryError, match="store exploded"):
        run_query(Broken(), "ASK { ?s ?p ?o }", timeout=5)


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_timeout_must_be_positive(graph: Dataset, timeout: float) -> None:
    with pytest.raises(QueryError, match="positive"):
        run_query(graph, COMPANIES, timeout=timeout)


def test_timeouts_at_the_edge_never_leak_threads_or_noise(
    graph: Dataset, capfd: pytest.CaptureFixture[str]
) -> None:
    # Limits close to the query's own run time: the answer and the stop race.
    before = set(_query_threads())
    for i in range(40):
        try:
            result = run_query(graph, COMPANIES, timeout=0.0005 * (i % 8 + 1))
        except QueryTimeoutError:
            continue
        assert result.rows[0][0] == ACME
    time.sleep(0.2)
    assert set(_query_threads()) <= before
    assert "Exception" not in capfd.readouterr().err


# ----------------------------------------------------------------------------- saved queries

PARAMETERISED = """# title: Companies
# description: Companies and where they are based,
#   with their labels.
# param: city - a city label, optional
# param: name - a company label
SELECT ?e ?label WHERE {
  ?e a kgo:Company ; rdfs:label ?label .
  VALUES ?param_city { UNDEF }
  VALUES ?param_name { UNDEF }
  OPTIONAL { ?e kgo:basedIn/rdfs:label ?city }
  FILTER(!BOUND(?param_city) || STR(?city) = STR(?param_city))
  FILTER(STR(?label) = STR(?param_name))
}
"""


def test_read_saved_query_header() -> None:
    q = read_saved_query(PARAMETERISED, name="companies")
    assert q.name == "companies"
    assert q.title == "Companies"
    assert q.description == "Companies and where they are based, with their labels."
    assert q.parameters == (
        QueryParameter(name="city", description="a city label", optional=True),
        QueryParameter(name="name", description="a company label", optional=False),
    )
    assert q.text == PARAMETERISED


def test_a_query_without_header_has_no_parameters() -> None:
    q = read_saved_query(COMPANIES, name="plain")
    assert (q.title, q.description, q.parameters) == ("", "", ())


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("# param: city\n", "malformed"),
        ("# param: 2city - a city\n", "malformed"),
        ("# param: city - a\n# param: city - b\n", "declared twice"),
    ],
)
def test_bad_param_lines(header: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        read_saved_query(header + "ASK { ?s ?p ?o }", name="q")


def test_bind_query_binds_required_and_optional(graph: Dataset) -> None:
    q = read_saved_query(PARAMETERISED, name="companies")
    assert run_query(graph, bind_query(q, {"name": "Acme, Inc."})).rows == (
        (ACME, Literal("Acme, Inc.")),
    )
    in_paris = bind_query(q, {"name": "Acme, Inc.", "city": "Paris"})
    assert in_paris.bindings == {"name": Literal("Acme, Inc."), "city": Literal("Paris")}
    assert run_query(graph, in_paris).rows == ((ACME, Literal("Acme, Inc.")),)
    elsewhere = bind_query(q, {"name": "Acme, Inc.", "city": "Lyon"})
    assert run_query(graph, elsewhere).rows == ()
    # values are trimmed; the query text is left as written
    assert bind_query(q, {"name": "  Acme, Inc.\n"}).bindings["name"] == Literal("Acme, Inc.")
    assert in_paris.text == PARAMETERISED


def test_bind_query_takes_rdf_terms(graph: Dataset) -> None:
    query = (
        "# param: e - an entity IRI\n"
        "SELECT ?l WHERE { VALUES ?param_e { UNDEF } ?param_e rdfs:label ?l }"
    )
    assert run_query(graph, bind_query(query, {"e": PARIS})).rows == (
        (Literal("Paris", lang="fr"),),
    )


def test_a_parameter_left_out_keeps_its_default(graph: Dataset) -> None:
    query = (
        "# param: e - an entity IRI, optional\n"
        f"SELECT ?l WHERE {{ VALUES ?param_e {{ <{ACME}> }} ?param_e rdfs:label ?l }}"
    )
    assert run_query(graph, bind_query(query)).rows == ((Literal("Acme, Inc."),),)
    assert run_query(graph, bind_query(query, {"e": GLOBEX})).rows == (
        (Literal('Globex "北京"\nLtd'),),
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"name": "x", "town": "Paris"},
            "companies has no parameter 'town'; its parameters: city, name.",
        ),
        ({"city": "Paris"}, "companies needs --param name=VALUE: a company label."),
        ({"name": "  "}, "the value of --param name is empty"),
    ],
)
def test_bind_query_errors(params: dict[str, str], message: str) -> None:
    q = read_saved_query(PARAMETERISED, name="companies")
    with pytest.raises(QueryError) as info:
        bind_query(q, params)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_parameters_of_a_query_that_declares_none() -> None:
    with pytest.raises(QueryError, match="has no parameter 'x'; it declares none"):
        bind_query(COMPANIES, {"x": "1"})


def test_a_declared_parameter_needs_its_values_block() -> None:
    with pytest.raises(QueryError, match=r"VALUES \?param_city \{ UNDEF \}"):
        bind_query("# param: city - a city, optional\nASK { ?s ?p ?o }")


def test_bind_query_applies_the_safety_check() -> None:
    query = (
        "# param: x - x, optional\n"
        "SELECT * WHERE { VALUES ?param_x { UNDEF } SERVICE <http://x/> { ?s ?p ?o } }"
    )
    with pytest.raises(UnsafeQueryError, match="SERVICE"):
        bind_query(query)
    assert bind_query(query, allow_service=True).kind == "SELECT"


ECHO = (
    "# param: v - any text\nSELECT ?x WHERE { VALUES ?param_v { UNDEF } BIND(STR(?param_v) AS ?x) }"
)

INJECTIONS = [
    '"} ; DROP ALL ; #',
    '" } UNION { ?s ?p ?o } #',
    "' } UNION { ?s ?p ?o } #",
    'x"\n} ; CLEAR ALL ; #\n',
    '"""\n SELECT * WHERE { ?s ?p ?o } #',
    "\\u0022 } UNION { ?s ?p ?o } #",
    '\\" } INSERT DATA { <http://e/a> <http://e/p> 1 } #',
    "<http://e/x> } . ?s ?p ?o",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_attempts_are_inert(graph: Dataset, value: str) -> None:
    before = len(graph)
    # the value comes back exactly as data
    assert run_query(graph, bind_query(ECHO, {"v": value})).rows == ((Literal(value.strip()),),)
    # and matches nothing when used as a label
    q = read_saved_query(PARAMETERISED, name="companies")
    assert run_query(graph, bind_query(q, {"name": value})).rows == ()
    assert len(graph) == before


def test_a_label_with_quotes_and_newlines_matches_itself(graph: Dataset) -> None:
    q = read_saved_query(PARAMETERISED, name="companies")
    result = run_query(graph, bind_query(q, {"name": 'Globex "北京"\nLtd'}))
    assert result.rows == ((GLOBEX, Literal('Globex "北京"\nLtd')),)


@settings(max_examples=150, deadline=None)
@given(value=TEXT)
def test_any_text_is_bound_verbatim(value: str) -> None:
    if not value.strip():
        return
    rows = run_query(new_dataset(), bind_query(ECHO, {"v": value})).rows
    assert rows == ((Literal(value.strip()),),)


def test_saved_queries_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "b.rq").write_text(PARAMETERISED, encoding="utf-8")
    (tmp_path / "a.rq").write_text(COMPANIES, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    found = saved_queries(tmp_path)
    assert list(found) == ["a", "b"]
    assert found["b"].title == "Companies" and found["b"].path == tmp_path / "b.rq"
    assert saved_query("b", folder=tmp_path) == found["b"]
    with pytest.raises(QueryError, match=r"no saved query named 'c'\. Saved queries: a, b "):
        saved_query("c", folder=tmp_path)
    (tmp_path / "broken.rq").write_bytes(b'SELECT * WHERE { ?s ?p "caf\xe9" }')
    with pytest.raises(QueryError, match="UTF-8"):
        saved_queries(tmp_path)


@pytest.mark.parametrize("name", ["../queries/sanctions", "sanctions.rq", "", "Sanctions"])
def test_saved_query_names_are_plain_names(name: str) -> None:
    with pytest.raises(QueryError, match="no saved query named"):
        saved_query(name)


def test_format_saved_queries() -> None:
    queries = [
        SavedQuery("companies", "Companies", "", (QueryParameter("city", "a city", True),), ""),
        SavedQuery("x", "", "Only a description", (), ""),
        SavedQuery("y", "", "", (QueryParameter("name", "a name"),), ""),
    ]
    assert format_saved_queries(queries) == (
        "companies  Companies\n"
        "             city  optional  a city\n"
        "x          Only a description\n"
        "y          (no title)\n"
        "             name  required  a name\n"
    )
    assert format_saved_queries([]) == ""


# ----------------------------------------------------------------------------- render_query


def _oxigraph_echo(text: str) -> str:
    solutions = list(ox.Store().query(text))  # type: ignore[arg-type]
    assert len(solutions) == 1
    value = solutions[0]["x"]
    assert value is not None
    return str(value.value)


def test_render_query_writes_values_into_their_blocks() -> None:
    q = read_saved_query(PARAMETERISED, name="companies")
    text = render_query(q, {"name": "Acme, Inc."})
    assert 'VALUES ?param_name { "Acme, Inc." }' in text
    assert "VALUES ?param_city { UNDEF }" in text  # left out: left as written
    assert text.replace('{ "Acme, Inc." }', "{ UNDEF }") == PARAMETERISED
    iri = render_query(
        "# param: e - an IRI\nASK { VALUES ?param_e { UNDEF } ?param_e ?p ?o }", {"e": PARIS}
    )
    assert f"VALUES ?param_e {{ <{PARIS}> }}" in iri
    typed = render_query(ECHO, {"v": Literal("2018", datatype=XSD.gYear)})
    assert f'"2018"^^<{XSD.gYear}>' in typed
    assert '"chat"@fr' in render_query(ECHO, {"v": Literal("chat", lang="fr")})


@pytest.mark.parametrize("value", INJECTIONS)
def test_rendered_injection_attempts_stay_one_literal(graph: Dataset, value: str) -> None:
    try:
        text = render_query(ECHO, {"v": value})
    except QueryError as err:  # refused is fine (\\u escapes); anything else is not
        assert "cannot be written exactly" in str(err)
        return
    assert run_query(graph, text).rows == ((Literal(value.strip()),),)
    assert _oxigraph_echo(text) == value.strip()


@settings(max_examples=200, deadline=None)
@given(value=TEXT)
def test_any_text_renders_exactly_or_is_refused(value: str) -> None:
    if not value.strip():
        return
    try:
        text = render_query(ECHO, {"v": value})
    except QueryError as err:
        assert "\\u" in value or "\\U" in value, (value, err)
        return
    assert _oxigraph_echo(text) == value.strip()


def test_render_query_refuses_what_it_cannot_write() -> None:
    with pytest.raises(QueryError, match="cannot be written exactly"):
        render_query(ECHO, {"v": "C:\\users\\u0022x"})
    with pytest.raises(QueryError, match="holds characters IRIs cannot"):
        render_query(ECHO, {"v": URIRef("http://e/a>b")})
    with pytest.raises(
        QueryError, match=r"write the parameter v as 'VALUES \?param_v \{ UNDEF \}'"
    ):
        render_query(
            "# param: v - v\n"
            "SELECT ?x WHERE { VALUES (?param_v) { (UNDEF) } BIND(?param_v AS ?x) }",
            {"v": "a"},
        )
    with pytest.raises(QueryError, match="has no parameter 'w'"):
        render_query(ECHO, {"w": "a"})
    with pytest.raises(UnsafeQueryError):
        render_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")


@pytest.mark.parametrize(
    ("query", "written"),
    [
        ("SELECT * WHERE { kgr:organization/xiaomi ?p ?o }", "subject"),
        ("SELECT * WHERE { ?s ?p kgr:organization/xiaomi }", "object"),
        ("SELECT * WHERE { ?s kgr:organization/xiaomi ?o . ?s }", "predicate"),
    ],
)
def test_a_slash_in_a_prefixed_name_gets_a_hint(query: str, written: str) -> None:
    with pytest.raises(QueryError) as caught:
        check_query(query)
    message = str(caught.value)
    assert "\n" not in message and "expected" not in message, written
    assert message.endswith(
        "a prefixed name cannot contain '/': write kgr:organization/xiaomi as "
        "<https://w3id.org/kg-builder/resource/organization/xiaomi> "
        "or kgr:organization\\/xiaomi."
    )


def test_the_suggested_forms_of_a_slashed_name_work() -> None:
    for name in (
        "<https://w3id.org/kg-builder/resource/organization/xiaomi>",
        "kgr:organization\\/xiaomi",
    ):
        check_query(f"SELECT * WHERE {{ {name} ?p ?o }}")
    # a property path is no slashed name, and other errors keep their message
    check_query("SELECT ?s WHERE { ?s kgo:status/rdfs:label ?o }")
    with pytest.raises(QueryError, match="expected"):
        check_query('SELECT ?s WHERE { ?s ?p "kgr:a/b" . ?s }')


def test_the_queries_kg_suggests_list_entities_not_the_ontology(sample_build: Path) -> None:
    from kg.ontology import ENTITY_CLASSES, KGO_IRI, ontology_graph
    from kg.rdf.load import load_graph
    from kg.serve.pages import EXAMPLE_QUERY  # the query kg serve's page starts with

    dataset = load_graph(sample_build / "kg.trig")
    classes = run_query(dataset, EXAMPLE_QUERY).rows
    assert classes and {str(c) for c, _ in classes} <= {KGO_IRI + c for c in ENTITY_CLASSES}
    names = run_query(
        dataset, "SELECT DISTINCT ?name WHERE { ?e kgo:mentionedIn ?doc ; rdfs:label ?name }"
    ).rows
    terms = {str(label) for label in ontology_graph().objects(None, RDFS.label)}
    assert {"Xiaomi", "Beijing", "Lei Jun"} <= {str(n) for (n,) in names}
    assert not {str(n) for (n,) in names} & terms  # no "City", "based in", "ended"...
    everything = run_query(dataset, "SELECT ?name WHERE { ?e rdfs:label ?name }").rows
    assert {"City", "kg-builder ontology"} <= {str(n) for (n,) in everything}  # as documented
