"""Turtle people like to read (kg.rdf.turtle): the sample build's kg.ttl, kg export and
CONSTRUCT output use kg's prefixes, write each subject in one block, the ontology
first and lists as collections, and still read back as the same graph."""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.graph.export import export_graph
from kg.query import format_result, run_query
from kg.rdf.load import load_graph
from kg.rdf.prefixes import PREFIXES
from kg.rdf.trig import graph_piece, write_graph_files
from kg.rdf.turtle import RecordSpool, Triple, TurtleWriter, turtle_text

KGR = PREFIXES["kgr"]
SUBJECT_LINE = re.compile(r"^(?![@\s])(\S+) ")  # a block starts at the left margin


def blocks(text: str) -> list[str]:
    """The subject of each block of a Turtle file, in order."""
    return [m.group(1) for line in text.split("\n") if (m := SUBJECT_LINE.match(line))]


def union(path: Path) -> Graph:
    graph = Graph()
    for s, p, o, _ in load_graph(path).quads():
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def ttl(sample_build: Path) -> str:
    return (sample_build / "kg.ttl").read_text(encoding="utf-8")


def test_resource_iris_are_written_with_kgr(ttl: str) -> None:
    head, _, body = ttl.partition("\n\n")
    assert f"@prefix kgr: <{KGR}> ." in head.split("\n")
    assert KGR not in body
    assert "kgr:organization\\/xiaomi" in body
    assert "ns1:" not in ttl and "@prefix ns" not in ttl


def test_every_prefix_declared_is_used_and_known(ttl: str) -> None:
    head, _, body = ttl.partition("\n\n")
    declared = dict(re.findall(r"@prefix (\w+): <([^>]*)> \.", head))
    assert declared and all(PREFIXES[name] == ns for name, ns in declared.items())
    for name in declared:
        assert f"{name}:" in body
    # a namespace with a prefix is never written in full
    assert not [ns for ns in PREFIXES.values() if f"<{ns}" in body]


def test_each_subject_has_one_block_the_ontology_first(ttl: str) -> None:
    subjects = blocks(ttl)
    assert len(subjects) == len(set(subjects))
    assert subjects[0] == "<https://w3id.org/kg-builder/ontology>"
    # the vocabulary, then the data
    first_data = next(i for i, s in enumerate(subjects) if s.startswith("kgr:"))
    assert all(s.startswith("kgo:") for s in subjects[1:first_data])
    assert all(not s.startswith("kgo:") for s in subjects[first_data:])
    xiaomi = ttl.split("\nkgr:organization\\/xiaomi a kgo:Company ;\n", 1)[1].split("\n\n")[0]
    for predicate in ("rdfs:label", "kgo:mentionedIn", "kgo:basedIn", "owl:sameAs"):
        assert f"    {predicate} " in xiaomi  # description, mentions and relations together


def test_lists_are_collections(ttl: str) -> None:
    assert "rdf:first" not in ttl and "rdf:rest" not in ttl and "_:" not in ttl
    assert "owl:oneOf ( kgo:Planned kgo:Ongoing kgo:Ended )" in ttl


def test_both_parsers_read_the_union_of_the_trig(sample_build: Path, ttl: str) -> None:
    by_rdflib = Graph().parse(data=ttl, format="turtle")
    by_oxigraph = union(sample_build / "kg.ttl")
    assert len(by_rdflib) == len(by_oxigraph) > 500
    assert isomorphic(by_rdflib, by_oxigraph)
    assert isomorphic(by_rdflib, union(sample_build / "kg.trig"))


def test_export_and_construct_use_the_same_layout(sample_build: Path, ttl: str) -> None:
    dataset = load_graph(sample_build / "kg.trig")
    text = export_graph(dataset, format="turtle")
    assert text == ttl  # kg export of kg.trig writes kg.ttl, byte for byte
    assert "@prefix vann: <http://purl.org/vocab/vann/> ." in text
    assert "ns1" not in text and KGR not in text.partition("\n\n")[2]
    subjects = blocks(text)
    assert len(subjects) == len(set(subjects))
    assert isomorphic(Graph().parse(data=text, format="turtle"), union(sample_build / "kg.ttl"))
    trig = export_graph(dataset, format="trig")
    assert trig is not None and "kgr:graph\\/" in trig and KGR not in trig.partition("\n\n")[2]
    query = "CONSTRUCT { ?s kgo:operatesIn ?o } WHERE { ?s kgo:operatesIn ?o }"
    constructed = format_result(run_query(dataset, query))
    assert constructed.startswith(f"@prefix kgo: <{PREFIXES['kgo']}> .\n@prefix kgr: <{KGR}> .\n\n")
    # one subject's objects as a list, as in kg.ttl
    assert "kgr:organization\\/xiaomi kgo:operatesIn kgr:place\\/china,\n" in constructed


def test_a_subject_stated_by_several_graphs_gets_one_block(tmp_path: Path) -> None:
    a, b = URIRef(KGR + "organization/a"), URIRef(KGR + "place/b")
    kgo = PREFIXES["kgo"]
    pieces = [
        graph_piece(
            URIRef(KGR + f"graph/{i}"),
            [
                (a, URIRef(kgo + "mentionedIn"), URIRef(KGR + f"doc/{i}")),
                (a, URIRef(kgo + "basedIn"), b),
            ],
            prefixes=PREFIXES,
        )
        for i in range(3)
    ]
    pieces.append(graph_piece(None, [(a, RDF.type, URIRef(kgo + "Company"))], prefixes=PREFIXES))
    write_graph_files(
        pieces, trig=tmp_path / "x.trig", turtle=tmp_path / "x.ttl", prefixes=PREFIXES
    )
    text = (tmp_path / "x.ttl").read_text()
    assert text == (
        f"@prefix kgo: <{kgo}> .\n@prefix kgr: <{KGR}> .\n\n"
        "kgr:organization\\/a a kgo:Company ;\n"
        "    kgo:basedIn kgr:place\\/b ;\n"
        "    kgo:mentionedIn kgr:doc\\/0,\n"
        "        kgr:doc\\/1,\n"
        "        kgr:doc\\/2 .\n"
    )
    assert "@prefix rdf:" not in (tmp_path / "x.trig").read_text()  # `a` needs no rdf:


def test_the_spool_merges_runs_in_order() -> None:
    records = [f"{i % 7}x{i}" for i in range(1000)]
    with RecordSpool(tempfile.mkdtemp(), limit=500) as spool:
        for i in range(0, 1000, 100):
            spool.add(records[i : i + 100])
        assert list(spool.merged()) == sorted(records)


def test_blank_nodes_in_a_cycle_or_deep_keep_labels() -> None:
    p = URIRef("https://example.org/p")
    x, y = BNode("x"), BNode("y")
    chain = [BNode(f"n{i}") for i in range(40)]
    triples: list[Triple] = [(x, p, y), (y, p, x)]
    triples += [(a, p, b) for a, b in itertools.pairwise(chain)]
    triples.append((URIRef("https://example.org/a"), p, chain[0]))
    text = turtle_text(triples, TurtleWriter({"ex": "https://example.org/"}))
    graph = Graph().parse(data=text, format="turtle")
    assert isomorphic(graph, _graph(triples))
    assert "[ ex:p [ ex:p" in text  # nested as far as it may be


def _graph(triples: Sequence[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


#: What an IRI's path may hold: unreserved and sub-delimiter characters, ':', '@', '/',
#: percent escapes and letters beyond ASCII (a kg IRI is a valid IRI; others are refused).
LOCAL = st.lists(
    st.sampled_from([*"aZ09-._~!$&'()*+,;=:@/", "%2F", "%41", "é", "中", "\u0301", "·"]),
    max_size=10,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(local=LOCAL, text=st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
def test_any_local_name_and_literal_read_back_the_same(local: str, text: str) -> None:
    subject = URIRef(KGR + local)
    triples: list[Triple] = [
        (subject, URIRef(PREFIXES["rdfs"] + "label"), Literal(text)),
        (subject, URIRef(PREFIXES["kgo"] + "x" + local), Literal(text, lang="en")),
    ]
    written = turtle_text(triples, TurtleWriter(PREFIXES))
    assert isomorphic(Graph().parse(data=written, format="turtle"), _graph(triples))
    parsed = list(ox.parse(written.encode(), format=ox.RdfFormat.TURTLE))
    assert {(t.subject.value, t.object.value) for t in parsed} == {(str(subject), text)}


def test_a_dataset_with_a_blank_node_in_two_graphs_keeps_it_one(tmp_path: Path) -> None:
    ds = Dataset()
    node, p = BNode(), URIRef("https://example.org/p")
    ds.graph(URIRef("https://example.org/g1")).add((URIRef("https://example.org/a"), p, node))
    ds.graph(URIRef("https://example.org/g2")).add((node, p, Literal("x")))
    text = export_graph(ds, format="trig")
    assert text is not None and "[" not in text
    back = Dataset()
    back.parse(data=text, format="trig")
    subjects = {s for s, _, _, _ in back.quads() if isinstance(s, BNode)}
    objects = {o for _, _, o, _ in back.quads() if isinstance(o, BNode)}
    assert subjects == objects and len(subjects) == 1
