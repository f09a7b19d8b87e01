"""kg.rdf: loading graph files into Datasets, term conversion, errors."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS

from kg.errors import GraphFileError, UnsupportedFormatError
from kg.rdf.dataset import new_dataset
from kg.rdf.files import DEFAULT_GRAPH_PATH, guess_format
from kg.rdf.load import load_graph
from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import from_rdflib, to_rdflib

KGO = Namespace(PREFIXES["kgo"])
KGR = Namespace(PREFIXES["kgr"])
# a plain Namespace: pytest's doctest finder warns on rdflib's closed XSD namespace
XSD = Namespace(PREFIXES["xsd"])

TRIG = """\
@prefix kgo: <https://w3id.org/kg-builder/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .

ex:acme a kgo:Company ; rdfs:label "Acme \\"Corp\\"" .

<https://w3id.org/kg-builder/resource/graph/d1> {
    ex:acme kgo:basedIn ex:paris .
}
<https://w3id.org/kg-builder/resource/graph/d2> {
    ex:acme kgo:competesWith ex:globex .
    ex:acme kgo:confidence 0.85 .
}
"""

ACME = URIRef("https://example.org/acme")
PARIS = URIRef("https://example.org/paris")
GLOBEX = URIRef("https://example.org/globex")
D1 = KGR["graph/d1"]
D2 = KGR["graph/d2"]


def expected_dataset() -> Dataset:
    ds = Dataset()
    ds.add((ACME, RDF.type, KGO.Company))
    ds.add((ACME, RDFS.label, Literal('Acme "Corp"')))
    ds.graph(D1).add((ACME, KGO.basedIn, PARIS))
    g2 = ds.graph(D2)
    g2.add((ACME, KGO.competesWith, GLOBEX))
    g2.add((ACME, KGO.confidence, Literal("0.85", datatype=XSD.decimal)))
    return ds


def graph_of(ds: Dataset, name: URIRef | None) -> Graph:
    out = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if (None if g == DATASET_DEFAULT_GRAPH_ID else g) == name:
            out.add((s, p, o))
    return out


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_trig_keeps_named_graphs_and_default_union(tmp_path: Path) -> None:
    ds = load_graph(write(tmp_path, "kg.trig", TRIG))
    want = expected_dataset()
    assert ds.default_union is True
    for name in (None, D1, D2):
        assert isomorphic(graph_of(ds, name), graph_of(want, name)), name
    # the union is what a pattern outside GRAPH sees
    assert (ACME, KGO.basedIn, PARIS) in ds
    assert ds.query("ASK { ?a kgo:competesWith ?b }", initNs={"kgo": KGO}).askAnswer


def test_prefixes_from_the_file_and_kg_are_bound(tmp_path: Path) -> None:
    ds = load_graph(write(tmp_path, "kg.trig", TRIG))
    bound = {p: str(ns) for p, ns in ds.namespaces()}
    assert bound["ex"] == "https://example.org/"
    assert bound["kgr"] == PREFIXES["kgr"]
    assert "brick" not in bound  # rdflib's many default bindings are not added


def test_every_format_loads_the_same_triples(tmp_path: Path) -> None:
    want = expected_dataset()
    union = Graph()
    for s, p, o, _ in want.quads((None, None, None, None)):
        union.add((s, p, o))
    sources = {
        "g.ttl": union.serialize(format="turtle"),
        "g.nt": union.serialize(format="nt"),
        "g.rdf": union.serialize(format="xml"),
        "g.xml": union.serialize(format="pretty-xml"),
        "g.nq": want.serialize(format="nquads"),
        "g.trig": want.serialize(format="trig"),
    }
    for name, text in sources.items():
        ds = load_graph(write(tmp_path, name, text))
        got = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            got.add((s, p, o))
        assert isomorphic(got, union), name


def test_jsonld_loads_without_network(tmp_path: Path) -> None:
    doc = """{"@context": {"kgo": "https://w3id.org/kg-builder/ontology#"},
              "@id": "https://example.org/acme", "@type": "kgo:Company",
              "kgo:basedIn": {"@id": "https://example.org/paris"}}"""
    ds = load_graph(write(tmp_path, "g.jsonld", doc))
    assert set(ds.triples((None, None, None))) == {
        (ACME, RDF.type, KGO.Company),
        (ACME, KGO.basedIn, PARIS),
    }
    remote = '{"@context": "https://schema.org/", "@id": "https://example.org/a", "name": "A"}'
    with pytest.raises(GraphFileError, match=r"g2\.jsonld"):
        load_graph(write(tmp_path, "g2.jsonld", remote))


def test_load_matches_rdflib_own_parser(tmp_path: Path) -> None:
    path = write(tmp_path, "kg.trig", TRIG)
    ours = load_graph(path)
    theirs = Dataset()
    theirs.parse(path, format="trig")
    for name in (None, D1, D2):
        assert isomorphic(graph_of(ours, name), graph_of(theirs, name))


def test_explicit_format_overrides_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "graph.data", "<https://example.org/a> <https://example.org/p> 1 .\n")
    with pytest.raises(UnsupportedFormatError, match=r"\.data"):
        load_graph(path)
    ds = load_graph(path, format="turtle")
    assert (URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal(1)) in ds


def test_unknown_format_name() -> None:
    with pytest.raises(UnsupportedFormatError, match="turtle"):
        load_graph("x.ttl", format="rdfa")


def test_missing_default_graph_says_run_kg_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GraphFileError, match="run `kg build` first"):
        load_graph(DEFAULT_GRAPH_PATH)
    with pytest.raises(GraphFileError, match="run `kg build` first"):
        load_graph("output/kg.trig")


def test_missing_other_file(tmp_path: Path) -> None:
    with pytest.raises(GraphFileError, match="no such graph file") as info:
        load_graph(tmp_path / "nope.ttl")
    assert "kg build" not in str(info.value)


def test_folder_is_not_a_graph_file(tmp_path: Path) -> None:
    folder = tmp_path / "g.ttl"
    folder.mkdir()
    with pytest.raises(GraphFileError, match="folder"):
        load_graph(folder)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = '@prefix ex: <https://example.org/> .\nex:a ex:p "ok" .\nex:b ex:p "unterminated .\n'
    path = write(tmp_path, "bad.ttl", text)
    with pytest.raises(GraphFileError) as info:
        load_graph(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message


def test_syntax_error_in_nquads(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.nq", "<https://e/a> <https://e/p> <https://e/b> .\n<https://e/a> oops .\n"
    )
    with pytest.raises(GraphFileError, match=r"bad\.nq: line 2"):
        load_graph(path)


def test_not_utf8_is_a_graph_file_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.nt"
    path.write_bytes('<https://e/a> <https://e/p> "caf\xe9" .\n'.encode("latin-1"))
    with pytest.raises(GraphFileError, match=r"latin\.nt"):
        load_graph(path)


def test_rdf12_triple_terms_are_refused(tmp_path: Path) -> None:
    text = "<https://e/a> <https://e/p> <<( <https://e/a> <https://e/p> <https://e/b> )>> .\n"
    with pytest.raises(GraphFileError, match="triple term"):
        load_graph(write(tmp_path, "t.ttl", text))


def test_empty_file_is_an_empty_dataset(tmp_path: Path) -> None:
    assert len(load_graph(write(tmp_path, "empty.nt", ""))) == 0


def test_guess_format() -> None:
    assert [guess_format(n) for n in ("a.ttl", "a.TRIG", "a.nq", "a.jsonld", "a.rdf", "a.nt")] == [
        "turtle",
        "trig",
        "nquads",
        "jsonld",
        "xml",
        "nt",
    ]


@pytest.mark.parametrize(
    "term",
    [
        URIRef("https://w3id.org/kg-builder/resource/company/xiaomi"),
        Literal("Xiaomi"),
        Literal("小米", lang="zh"),
        Literal('שלום "q"\n', lang="he"),
        Literal("30.3", datatype=XSD.decimal),
        Literal("2018-04", datatype=XSD.gYearMonth),
        Literal("P7Y", datatype=XSD.duration),
        BNode("b0"),
    ],
)
def test_term_round_trip(term: object) -> None:
    assert to_rdflib(from_rdflib(term)) == term  # type: ignore[arg-type]


def test_term_conversion_details() -> None:
    assert to_rdflib(ox.Literal("x", datatype=ox.NamedNode(str(XSD.string)))) == Literal("x")
    assert to_rdflib(ox.DefaultGraph()) == DATASET_DEFAULT_GRAPH_ID
    assert isinstance(from_rdflib(DATASET_DEFAULT_GRAPH_ID), ox.DefaultGraph)
    assert from_rdflib(new_dataset().graph(D1)) == ox.NamedNode(str(D1))
    with pytest.raises(UnsupportedFormatError, match="base direction"):
        to_rdflib(ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL))
    with pytest.raises(TypeError):
        to_rdflib("not a term")
