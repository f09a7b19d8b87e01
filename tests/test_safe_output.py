"""Safe output: hostile article text makes valid IRIs and escaped literals everywhere.

Articles are made by hand (no statistical model) with names, ids, titles and
sentences holding quotes, backslashes, line breaks, control characters, angle
brackets, markup, right-to-left and zero-width characters, and go through the
real writer (:func:`kg.build.outputs.write_outputs`). Then:

- every IRI of the graph is a valid IRI (no space, ``<>"{}|^`\\``, control);
- kg.ttl and kg.trig parse with pyoxigraph and with rdflib, the two parsers
  agree, and the union of kg.trig's graphs is kg.ttl's graph;
- every name and sentence comes back exactly, in the graph files and in
  extractions.jsonl; the HTML page holds no markup from the articles;
- every ``kg export`` format, and every answer format of ``kg query`` and
  ``kg serve``, parses back with the same terms.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.dom import minidom

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node
from test_serve import fetch, serving
from typer.testing import CliRunner

from kg.build.outputs import write_outputs
from kg.build.resolution import BuildResult
from kg.cli import app
from kg.graph.export import export_graph
from kg.graph.records import iri_segment
from kg.ingest import read_articles
from kg.query import format_result, run_query
from kg.rdf.load import load_graph
from kg.rdf.prefixes import PREFIXES
from kg.rdf.serialize import canonical_quads
from kg.rdf.terms import term_converter
from kg.resolve import resolve
from kg.stores import open_store
from kg.types import Article, Extraction, Mention, ObservationCandidate, Qualifiers
from kg.types import RelationCandidate as Relation

#: Characters no IRI may hold (RFC 3987: IRIs have no spaces, controls or these).
NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f\ud800-\udfff]')

#: Characters XML 1.0 cannot hold, even escaped.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

PAYLOADS = [
    'Acme "Quoted" Holdings',
    "Back\\slash Systems",
    "Line\nBreak Industries",
    "Carriage\rReturn Labs",
    "<script>alert('kg')</script> Media",
    "Curly {Brace} | Pipe ^ Caret `Tick` Group",
    "Right\u202eto\u202cLeft \u05e9\u05dc\u05d5\u05dd Bank",
    "Zero\u200bWidth\ufeff Joiner\u200d Co",
    "Null\x00Bell\x07Escape\x1b Delete\x7f Corp",
    "Tab\tSeparated Partners",
    "Triple \"\"\"quotes\"\"\" and '''single''' Ltd",
    "Escapes \\u0022 \\n \\t Verbatim Inc",
    "@prefix kgo: <urn:x> . Turtle Inc",
    "]]> --> <!-- CDATA Ltd",
    "Emoji \U0001f4f1 and Combining e\u0301 Plc",
]
IDS = [
    'doc 1 <with> "quotes"',
    "a/b\\c?d#e%20f",
    "\u05e9\u05dc\u05d5\u05dd-\u202e-\u200b",
    "tab\tnewline\nid",
]


def extraction(doc_id: str, names: Sequence[str], extra: str) -> Extraction:
    """An article naming ``names`` (companies and a person), with relations between them."""
    person = names[0]
    companies = list(names[1:])
    parts: list[str] = []
    mentions: list[Mention] = []

    def say(text: str, label: str | None = None) -> int:
        start = sum(len(p) for p in parts)
        parts.append(text)
        if label is None:
            return -1
        mentions.append(Mention(start, start + len(text), text, label))
        return len(mentions) - 1

    who = say(person, "Person")
    say(" chairs ")
    first = say(companies[0], "Company")
    say(", which partners with ")
    others = []
    for i, company in enumerate(companies[1:]):
        say(" and " if i else "")
        others.append(say(company, "Company"))
    say(f" in Paris. {extra}")
    text = "".join(parts)
    sentence = (0, len(text))
    relations = [
        Relation(who, first, "worksFor", 0.9, sentence, Qualifiers(role=extra[:40]), extra[:20]),
        *(
            Relation(first, other, "partnersWith", 0.8, sentence, Qualifiers(date="2018-04"))
            for other in others
        ),
    ]
    observations = [
        ObservationCandidate(first, "marketShare", "16.1", "percent", sentence, segment=extra)
    ]
    article = Article(
        doc_id,
        text,
        title=f"{person}: {extra}",
        date="2018-07-04",
        url=f"https://example.org/{urllib.parse.quote(doc_id)}?q=<{extra}>",
        publisher=companies[-1],
        source=f"feed.jsonl:{len(doc_id)}",
    )
    return Extraction(article, tuple(mentions), tuple(relations), tuple(observations))


def hostile_build(
    folder: Path, articles: Sequence[tuple[str, Sequence[str], str]], *, html: bool = True
) -> BuildResult:
    """Resolve and write the articles ``(id, names, extra text)`` into ``folder``."""
    entities, resolved = resolve([extraction(*a) for a in articles])
    result = BuildResult(entities, resolved)
    write_outputs(result, folder, html=html)
    return result


def ox_quads(path: Path) -> set[ox.Quad]:
    return set(ox.parse(path=path, format=ox.RdfFormat.from_extension(path.suffix[1:])))


def rdflib_quads(dataset: Dataset) -> set[ox.Quad]:
    """The quads of an rdflib Dataset as pyoxigraph quads (to compare two parsers)."""
    from kg.rdf.serialize import dataset_quads
    from kg.rdf.terms import ox_term_converter

    convert = ox_term_converter()
    return {
        ox.Quad(convert(s), convert(p), convert(o), convert(g))
        for s, p, o, g in dataset_quads(dataset)
    }


def iris(quads: set[ox.Quad]) -> set[str]:
    found = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    return found


def literals(quads: set[ox.Quad]) -> set[str]:
    return {q.object.value for q in quads if isinstance(q.object, ox.Literal)}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    folder = tmp_path_factory.mktemp("hostile")
    articles = [
        (IDS[i % len(IDS)], ["Jane Doe", *PAYLOADS[i : i + 3]], PAYLOADS[-1 - i])
        for i in range(len(PAYLOADS) - 2)
    ]
    articles = [(f"{doc}-{i}", names, extra) for i, (doc, names, extra) in enumerate(articles)]
    return folder, hostile_build(folder, articles)


# ------------------------------------------------------------------ IRIs


@pytest.mark.parametrize("text", [*PAYLOADS, *IDS, "", " ", "\ud800", "东京 株式会社", "%41"])
def test_minted_iri_segments_are_valid(text: str) -> None:
    segment = iri_segment(text)
    assert not NOT_IN_IRIS.search(segment)
    ox.NamedNode(PREFIXES["kgr"] + "graph/" + segment)  # pyoxigraph checks IRI syntax
    if text and "\ud800" not in text:
        assert urllib.parse.unquote(segment) == text  # nothing lost: it decodes back
    assert iri_segment("000_1b3bd0faa09d64f8") == "000_1b3bd0faa09d64f8"


def test_every_iri_of_a_hostile_build_is_valid(build: tuple[Path, BuildResult]) -> None:
    folder, result = build
    graph_iris = iris(ox_quads(folder / "kg.trig"))
    assert len(graph_iris) > 50
    bad = sorted(iri for iri in graph_iris if NOT_IN_IRIS.search(iri))
    assert bad == []
    # documents keep their ids: as dcterms:identifier, and percent-encoded in their IRIs
    ids = {e.article.id for e in (r.extraction for r in result.resolved)}
    for doc_id in ids:
        assert PREFIXES["kgr"] + "graph/" + iri_segment(doc_id) in graph_iris
    assert ids <= literals(ox_quads(folder / "kg.trig"))


# ------------------------------------------------------------------ graph files


def test_graph_files_parse_with_both_parsers_and_agree(build: tuple[Path, BuildResult]) -> None:
    folder, _ = build
    by_oxigraph = load_graph(folder / "kg.trig")  # kg's loader parses with pyoxigraph
    by_rdflib = Dataset()
    by_rdflib.parse(folder / "kg.trig", format="trig")
    assert canonical_quads(by_rdflib) == canonical_quads(by_oxigraph)
    turtle = Graph().parse(folder / "kg.ttl", format="turtle")
    assert canonical_quads(load_graph(folder / "kg.ttl")) == canonical_quads(turtle)
    union = Graph()
    for s, p, o, _ in by_rdflib.quads((None, None, None, None)):
        union.add((s, p, o))
    assert canonical_quads(turtle) == canonical_quads(union)  # kg.ttl: the union of the graphs


def test_every_name_and_sentence_comes_back_exactly(build: tuple[Path, BuildResult]) -> None:
    folder, result = build
    found = literals(ox_quads(folder / "kg.trig"))
    for entity in result.entities:
        assert entity.label in found
        assert set(entity.aliases) <= found
    for item in result.resolved:
        article = item.extraction.article
        assert {article.text, article.title, article.publisher, article.url} <= found
    # Hostile characters did reach the graph (a writer that dropped them would pass
    # the checks above by accident).
    joined = "".join(found)
    for char in ('"', "\\", "\n", "\r", "\t", "<", "\u202e", "\x00", "\x1b", "\U0001f4f1"):
        assert char in joined, repr(char)


def test_extractions_jsonl_and_the_page_hold_the_text_safely(
    build: tuple[Path, BuildResult],
) -> None:
    folder, result = build
    records = [json.loads(line) for line in (folder / "extractions.jsonl").open(encoding="utf-8")]
    texts = {r["id"]: r["text"] for r in records}
    assert texts == {r.extraction.article.id: r.extraction.article.text for r in result.resolved}
    page = (folder / "kg.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in page and "<!--" not in page.split("<body", 1)[1]


# ------------------------------------------------------------------ exports and answers

RDF_EXPORTS = {"turtle": "ttl", "nt": "nt", "nquads": "nq", "trig": "trig", "jsonld": "jsonld"}


@pytest.mark.parametrize("fmt", sorted(RDF_EXPORTS))
def test_every_rdf_export_parses_back(build: tuple[Path, BuildResult], fmt: str) -> None:
    folder, _ = build
    source = load_graph(folder / "kg.trig")
    expected = canonical_quads(source if fmt in DATASET_EXPORTS else _union(source))
    out = folder / f"export.{RDF_EXPORTS[fmt]}"
    done = CliRunner().invoke(
        app, ["export", "--format", fmt, "--graph", str(folder / "kg.trig"), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert canonical_quads(load_graph(out)) == expected
    if fmt != "jsonld":  # rdflib's JSON-LD parser would fetch contexts; the rest parse offline
        again = Dataset()
        again.parse(out, format={"turtle": "turtle", "nt": "nt"}.get(fmt, fmt))
        assert canonical_quads(again if fmt in DATASET_EXPORTS else _union(again)) == expected
    # and the Oxigraph store's own serializer
    with open_store(folder / f"store-{fmt}", create=True) as store:
        store.load_file(folder / "kg.trig")
        store.export(folder / f"store.{RDF_EXPORTS[fmt]}", format=fmt)
    assert canonical_quads(load_graph(folder / f"store.{RDF_EXPORTS[fmt]}")) == expected


DATASET_EXPORTS = frozenset({"nquads", "trig", "jsonld"})


def _union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_exports_parse_back(build: tuple[Path, BuildResult], fmt: str) -> None:
    folder, result = build
    text = export_graph(load_graph(folder / "kg.trig"), format=fmt) or ""
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    network = reader(io.BytesIO(text.encode("utf-8")))
    labels = sorted(str(data.get("label")) for _, data in network.nodes(data=True))
    # XML 1.0 cannot hold control characters: each becomes U+FFFD, the rest is kept
    assert labels == sorted(NOT_IN_XML.sub("\ufffd", e.label) for e in result.entities)


#: Every entity's label (entities are what articles mention).
LABELS = (
    "SELECT DISTINCT ?e ?label WHERE { ?e rdfs:label ?label ; kgo:mentionedIn ?d } ORDER BY ?label"
)


def test_query_answers_parse_back_in_every_format(build: tuple[Path, BuildResult]) -> None:
    folder, result = build
    answer = run_query(load_graph(folder / "kg.trig"), LABELS)
    labels = sorted(str(row[1]) for row in answer.rows)
    assert labels == sorted(e.label for e in result.entities)
    rows = list(csv.reader(io.StringIO(format_result(answer, format="csv"), newline="")))
    assert sorted(r[1] for r in rows[1:]) == labels
    document = json.loads(format_result(answer, format="json"))
    assert sorted(b["label"]["value"] for b in document["results"]["bindings"]) == labels
    tsv = format_result(answer, format="tsv").splitlines()
    assert len(tsv) == len(labels) + 1  # one line a row, whatever the labels hold
    table = format_result(answer, format="table").splitlines()
    assert len(table) == len(labels) + 3


@pytest.fixture
def served(build: tuple[Path, BuildResult]) -> Iterator[str]:
    folder, _ = build
    dataset = load_graph(folder / "kg.trig")
    # A graph file may hold what kg's own builds never write: controls in a literal.
    odd = URIRef("urn:x:a")
    dataset.add((odd, URIRef(PREFIXES["rdfs"] + "label"), Literal("bell\x07 nul\x00")))
    dataset.add((odd, URIRef(PREFIXES["kgo"] + "mentionedIn"), URIRef("urn:x:d")))
    from kg.stores import MemoryStore

    with serving(MemoryStore(dataset), timeout=10) as url:
        yield url + "sparql"


def test_kg_serve_answers_parse_back_in_every_format(
    served: str, build: tuple[Path, BuildResult]
) -> None:
    _, result = build
    expected = sorted([*(e.label for e in result.entities), "bell\x07 nul\x00"])
    url = served + "?" + urllib.parse.urlencode({"query": LABELS})
    answers = {fmt: fetch(url + f"&format={fmt}") for fmt in ("json", "csv", "tsv", "xml")}
    assert {a.status for a in answers.values()} == {200}
    document = json.loads(answers["json"].text)
    assert sorted(b["label"]["value"] for b in document["results"]["bindings"]) == expected
    rows = list(csv.reader(io.StringIO(answers["csv"].text, newline="")))
    assert sorted(r[1] for r in rows[1:]) == expected
    assert len(answers["tsv"].text.splitlines()) == len(expected) + 1
    xml = minidom.parseString(answers["xml"].body)  # well-formed despite the controls
    values = sorted(
        "".join(t.data for t in node.childNodes) for node in xml.getElementsByTagName("literal")
    )
    assert values == sorted(NOT_IN_XML.sub("\ufffd", v) for v in expected)
    construct = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e rdfs:label ?l ; kgo:mentionedIn ?d }"
    for fmt, syntax in (("turtle", "turtle"), ("nt", "nt")):
        answer = fetch(served + "?" + urllib.parse.urlencode({"query": construct, "format": fmt}))
        graph = Graph().parse(data=answer.body, format=syntax)
        assert sorted(str(o) for o in graph.objects()) == expected


def test_terms_convert_between_rdflib_and_oxigraph_unchanged(
    build: tuple[Path, BuildResult],
) -> None:
    folder, _ = build
    convert = term_converter()
    for quad in ox_quads(folder / "kg.trig"):
        term: Node = convert(quad.object)
        assert str(term) == quad.object.value


def test_lone_surrogates_from_json_lines_reach_no_output(tmp_path: Path) -> None:
    # JSON may escape half a UTF-16 pair ("\ud800"), which no file can hold as UTF-8.
    record = {
        "id": "half\ud800pair",
        "text": "Acme\udc00 Corp partners with Globex Inc in Paris.",
        "title": "Lone \ud83d surrogate",
    }
    source = tmp_path / "feed.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="ascii")  # escaped, as JSON allows
    (article,) = read_articles([source])
    assert not re.search("[\ud800-\udfff]", article.id + article.text + (article.title or ""))
    name = article.text.split(" partners")[0]
    extra = article.title or ""
    folder = tmp_path / "out"
    hostile_build(folder, [(article.id, ["Jane Doe", name, "Globex Inc"], extra)])
    found = literals(ox_quads(folder / "kg.trig"))
    assert article.id in found and any("\ufffd" in value for value in found)
    for line in (folder / "extractions.jsonl").open(encoding="utf-8"):
        json.loads(line)
