"""kg.graph.export: every format round-trips, output is deterministic, GraphML reads back."""

from __future__ import annotations

import io
import json
import os
import random
import stat
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import OutputError, UnsupportedFormatError
from kg.graph.assemble import build_dataset
from kg.graph.export import export_graph
from kg.graph.network import to_networkx
from kg.rdf.files import FORMAT_SUFFIXES, FORMATS, format_for_path, normalize_format
from kg.rdf.load import load_graph
from kg.rdf.prefixes import PREFIXES
from kg.rdf.serialize import canonical_quads
from kg.types import (
    Article,
    Entity,
    Extraction,
    Mention,
    Qualifiers,
    RelationCandidate,
    Resolved,
)

KGO = Namespace(PREFIXES["kgo"])
KGR = Namespace(PREFIXES["kgr"])
XSD = Namespace(PREFIXES["xsd"])  # plain Namespace: pytest's doctest finder warns on rdflib's
DCTERMS = Namespace(PREFIXES["dcterms"])
PROV = Namespace(PREFIXES["prov"])
WD = Namespace(PREFIXES["wd"])
EX = Namespace("https://example.org/")

ACME = KGR["company/acme"]
GLOBEX = KGR["company/globex"]
PARIS = KGR["city/paris"]
JANE = KGR["person/jane_doe"]
DOC1 = KGR["doc/d1"]
DOC2 = KGR["doc/d2"]
G1 = KGR["graph/d1"]
G2 = KGR["graph/d2"]
STMT = KGR["statement/s1"]

SPECIAL = [
    Literal('He said "yes" \\ then left'),
    Literal("line one\nline two\r\nline three\ttabbed"),
    Literal("<b>bold</b> & <i>x</i>"),
    Literal("Zürich, São Paulo, 北京, Ελλάδα, emoji 📱"),
    Literal("مرحبا بالعالم", lang="ar"),  # right-to-left
    Literal("שלום עולם", lang="he"),
    Literal("Xiaomi", lang="en"),
    Literal('ends with a quote"'),
    Literal("'single' and ''' triple'''"),
]
TYPED = [
    Literal("150", datatype=XSD.integer),
    Literal("-3", datatype=XSD.integer),
    Literal("0.85", datatype=XSD.decimal),
    Literal("30.3", datatype=XSD.decimal),
    Literal("1.5E0", datatype=XSD.double),
    Literal("true", datatype=XSD.boolean),
    Literal("2018-07-04", datatype=XSD.date),
    Literal("2018-04", datatype=XSD.gYearMonth),
    Literal("2018", datatype=XSD.gYear),
    Literal("P7Y", datatype=XSD.duration),
    Literal("2018-Q1"),
]


def quads() -> list[tuple]:
    """The facts of the test dataset: (s, p, o, graph name or None)."""
    out: list[tuple] = [
        (ACME, RDF.type, KGO.Company, None),
        (ACME, RDFS.label, Literal("Acme"), None),
        (ACME, OWL.sameAs, WD.Q42, None),
        (ACME, KGO.mentionedIn, DOC1, None),
        (GLOBEX, RDF.type, KGO.Company, None),
        (GLOBEX, RDFS.label, Literal("Globex"), None),
        (PARIS, RDF.type, KGO.City, None),
        (PARIS, RDFS.label, Literal("Paris"), None),
        (JANE, RDF.type, KGO.Person, None),
        (JANE, RDFS.label, Literal("Jane Doe"), None),
        (DOC1, RDF.type, KGO.Document, None),
        (DOC1, DCTERMS.title, Literal("Acme moves to Paris"), None),
        (ACME, KGO.basedIn, PARIS, G1),
        (JANE, KGO.worksFor, ACME, G1),
        (ACME, KGO.competesWith, GLOBEX, G2),
        (GLOBEX, KGO.competesWith, ACME, G2),
        (STMT, RDF.type, KGO.Statement, G2),
        (STMT, RDF.subject, ACME, G2),
        (STMT, RDF.predicate, KGO.competesWith, G2),
        (STMT, RDF.object, GLOBEX, G2),
        (STMT, PROV.wasDerivedFrom, DOC2, G2),
    ]
    for i, literal in enumerate(SPECIAL):
        out.append((STMT, KGO.evidence, literal, G2 if i % 2 else G1))
    for literal in TYPED:
        out.append((STMT, KGO.value, literal, G1))
    return out


def build(order: list[tuple] | None = None) -> Dataset:
    ds = Dataset(default_union=True)
    ds.bind("kgo", KGO)
    ds.bind("kgr", KGR)
    for s, p, o, g in order if order is not None else quads():
        (ds.graph(g) if g is not None else ds.default_graph).add((s, p, o))
    return ds


def graph_of(ds: Dataset, name: URIRef | None) -> Graph:
    out = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        g = g.identifier if isinstance(g, Graph) else g
        if (None if g == DATASET_DEFAULT_GRAPH_ID else g) == name:
            out.add((s, p, o))
    return out


def union_of(ds: Dataset | Graph) -> Graph:
    out = Graph()
    for s, p, o, _ in canonical_quads(ds):
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_dataset_formats_round_trip_with_named_graphs(tmp_path: Path, fmt: str) -> None:
    original = build()
    path = tmp_path / f"kg{FORMAT_SUFFIXES[fmt][0]}"
    assert export_graph(original, format=fmt, destination=path) is None
    loaded = load_graph(path)
    for name in (None, G1, G2):
        assert isomorphic(graph_of(loaded, name), graph_of(original, name)), (fmt, name)
    # and rdflib's own parser reads the same
    theirs = Dataset()
    theirs.parse(path, format={"nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt])
    for name in (G1, G2):
        assert isomorphic(graph_of(theirs, name), graph_of(original, name)), (fmt, name)


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_triple_formats_round_trip_the_union(tmp_path: Path, fmt: str) -> None:
    original = build()
    path = tmp_path / f"kg{FORMAT_SUFFIXES[fmt][0]}"
    export_graph(original, format=fmt, destination=path)
    assert isomorphic(union_of(load_graph(path)), union_of(original))
    theirs = Graph().parse(path, format=fmt)
    assert isomorphic(theirs, union_of(original))


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig"])
def test_output_parses_with_pyoxigraph(fmt: str) -> None:
    text = export_graph(build(), format=fmt)
    assert text is not None
    oxformat = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
    }[fmt]
    parsed = list(ox.parse(text, format=oxformat))
    want = len({q[:3] for q in quads()}) if fmt in ("turtle", "nt") else len(quads())
    assert len(parsed) == want


def test_literals_survive_exactly(tmp_path: Path) -> None:
    path = tmp_path / "kg.trig"
    export_graph(build(), format="trig", destination=path)
    objects = set(load_graph(path).objects(STMT, None))
    for literal in SPECIAL + TYPED:
        assert literal in objects, literal


def test_jsonld_default_graph_is_the_default_graph() -> None:
    text = export_graph(build(), format="jsonld")
    assert text is not None
    doc = json.loads(text)
    assert doc["@context"]["kgo"] == PREFIXES["kgo"]
    named = {item["@id"] for item in doc["@graph"] if "@graph" in item}
    assert named == {str(G1), str(G2)}
    # pyoxigraph puts entity descriptions in the default graph, not a blank-node graph
    graphs = {type(q.graph_name) for q in ox.parse(text, format=ox.RdfFormat.JSON_LD)}
    assert graphs == {ox.DefaultGraph, ox.NamedNode}


def test_turtle_of_a_plain_graph() -> None:
    g = Graph()
    for s, p, o, _ in quads():
        g.add((s, p, o))
    text = export_graph(g, format="turtle")
    assert text is not None and text.startswith("@prefix")
    assert isomorphic(Graph().parse(data=text, format="turtle"), g)
    trig = export_graph(g, format="nquads")
    assert trig is not None and len(trig.splitlines()) == len(g)


def shuffled_copy(seed: int) -> Dataset:
    order = quads()
    random.Random(seed).shuffle(order)
    return build(order)


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(fmt: str) -> None:
    first = export_graph(build(), format=fmt)
    for seed in (1, 2, 3):
        assert export_graph(shuffled_copy(seed), format=fmt) == first


def blank_node_dataset(seed: int) -> Dataset:
    """Two isomorphic graphs that differ only in blank node labels and insertion order."""
    a, b = BNode(), BNode()
    facts = [
        (ACME, KGO.address, a, None),
        (a, KGO.street, Literal("1 Main St"), None),
        (a, KGO.city, PARIS, None),
        (ACME, KGO.address, b, G1),
        (b, KGO.street, Literal("2 Side St"), G1),
        (b, KGO.near, a, G1),  # a blank node shared by two graphs
    ]
    random.Random(seed).shuffle(facts)
    return build(facts)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "jsonld"])
def test_blank_nodes_are_deterministic(fmt: str) -> None:
    outputs = {export_graph(blank_node_dataset(seed), format=fmt) for seed in range(4)}
    assert len(outputs) == 1


def test_shared_blank_node_stays_shared(tmp_path: Path) -> None:
    path = tmp_path / "b.nq"
    export_graph(blank_node_dataset(0), format="nquads", destination=path)
    loaded = load_graph(path)
    (a,) = list(loaded.objects(None, KGO.near))
    assert (a, KGO.street, Literal("1 Main St")) in loaded


def blank_node_chain(length: int, *, cycle: bool = False) -> Dataset:
    """A named graph where ex:a points at a chain of ``length`` blank nodes (closed into a
    loop when ``cycle``), each the object of the one before."""
    dataset = Dataset()
    graph = dataset.graph(EX.g)
    chain = [BNode() for _ in range(length)]
    graph.add((EX.a, EX.next, chain[0]))
    for a, b in pairwise(chain):
        graph.add((a, EX.next, b))
    if cycle:
        graph.add((chain[-1], EX.next, chain[0]))
    graph.add((chain[-1], EX.label, Literal("end")))
    return dataset


@pytest.mark.parametrize("fmt", ["turtle", "trig", "jsonld", "nt", "nquads"])
@pytest.mark.parametrize("cycle", [False, True], ids=["chain", "cycle"])
def test_deep_blank_node_chains_are_written_without_recursion(fmt: str, cycle: bool) -> None:
    # rdflib's Turtle, TriG and JSON-LD writers nest each blank node in the one before,
    # one Python frame per link (5,000 links would raise RecursionError), and its canonical
    # relabelling takes minutes on such a chain.
    original = blank_node_chain(5000, cycle=cycle)
    text = export_graph(original, format=fmt)
    assert text is not None and text == export_graph(
        blank_node_chain(5000, cycle=cycle), format=fmt
    )
    syntax = {"turtle": "turtle", "trig": "trig", "jsonld": "json-ld", "nt": "nt"}.get(fmt, fmt)
    back = Dataset()
    back.parse(data=text, format=syntax)
    links = {s: o for s, _, o, _ in back.quads((None, EX.next, None, None))}
    assert len(links) == 5000 + cycle
    node, seen = links[EX.a], 0  # walk the chain read back: 5,000 blank nodes, then the end
    while node in links and seen < 5000:
        node, seen = links[node], seen + 1
    assert seen == 4999 + cycle and isinstance(node, BNode)
    assert any(back.quads((None, EX.label, Literal("end"), None)))


def test_shallow_blank_nodes_keep_the_nested_turtle() -> None:
    text = export_graph(blank_node_chain(3), format="turtle")
    assert text is not None and "_:" not in text and "[" in text


def test_nt_lines_are_sorted_and_unique() -> None:
    text = export_graph(build(), format="nt")
    assert text is not None
    lines = text.splitlines()
    assert lines == sorted(set(lines))
    assert text.endswith(" .\n")


def test_graphml_reads_back_with_the_same_nodes_and_edges(tmp_path: Path) -> None:
    path = tmp_path / "kg.graphml"
    export_graph(build(), format="graphml", destination=path)
    back = nx.read_graphml(path, force_multigraph=True)
    expected = to_networkx(build())
    assert set(back.nodes) == set(expected.nodes) == {str(ACME), str(GLOBEX), str(PARIS), str(JANE)}
    assert (
        set(back.edges(keys=True))
        == set(expected.edges(keys=True))
        == {
            (str(ACME), str(PARIS), "basedIn"),
            (str(JANE), str(ACME), "worksFor"),
            (str(ACME), str(GLOBEX), "competesWith"),
            (str(GLOBEX), str(ACME), "competesWith"),
        }
    )
    assert back.nodes[str(ACME)] == {
        "label": "Acme",
        "class": "Company",
        "coarse": "Organization",
        "wikidata": "Q42",
    }
    assert back.nodes[str(PARIS)]["wikidata"] == ""
    edge = back.edges[str(ACME), str(PARIS), "basedIn"]
    assert edge == {"predicate": str(KGO.basedIn), "label": "basedIn"}
    for _, data in back.nodes(data=True):
        assert all(isinstance(v, str) for v in data.values())


def test_graphml_declares_string_attributes_only() -> None:
    text = export_graph(build(), format="graphml")
    assert text is not None
    assert 'attr.type="string"' in text
    for other in ("int", "long", "double", "boolean", "float"):
        assert f'attr.type="{other}"' not in text


def test_gexf_reads_back_with_the_same_nodes_and_edges(tmp_path: Path) -> None:
    path = tmp_path / "kg.gexf"
    export_graph(build(), format="gexf", destination=path)
    back = nx.read_gexf(path)  # a DiGraph, or a MultiDiGraph when two entities share edges
    expected = to_networkx(build())
    assert set(back.nodes) == set(expected.nodes) == {str(ACME), str(GLOBEX), str(PARIS), str(JANE)}
    assert labelled_edges(back) == set(expected.edges(keys=True))
    assert back.number_of_edges() == expected.number_of_edges() == 4
    # Gephi shows the GEXF label; the class and the rest are node attributes
    assert back.nodes[str(ACME)] == {
        "label": "Acme",
        "class": "Company",
        "coarse": "Organization",
        "wikidata": "Q42",
    }
    assert back.nodes[str(JANE)]["class"] == "Person"
    (edge,) = [d for u, v, d in back.edges(data=True) if (u, v) == (str(ACME), str(PARIS))]
    assert edge["predicate"] == str(KGO.basedIn)
    assert edge["label"] == "basedIn"


def labelled_edges(net: nx.Graph) -> set[tuple[str, str, str]]:
    """(source, target, predicate) of each edge, for simple graphs and multigraphs alike."""
    return {(u, v, d["label"]) for u, v, d in net.edges(data=True)}


def test_gexf_keeps_parallel_relations_between_two_entities() -> None:
    ds = build()
    ds.graph(G1).add((ACME, KGO.partnersWith, GLOBEX))  # a second relation of the pair
    text = export_graph(ds, format="gexf")
    assert text is not None
    back = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    assert labelled_edges(back) == set(to_networkx(ds).edges(keys=True))
    assert (str(ACME), str(GLOBEX), "partnersWith") in labelled_edges(back)
    assert (str(ACME), str(GLOBEX), "competesWith") in labelled_edges(back)


def test_gexf_and_graphml_describe_the_same_network(tmp_path: Path) -> None:
    export_graph(build(), format="gexf", destination=tmp_path / "kg.gexf")
    export_graph(build(), format="graphml", destination=tmp_path / "kg.graphml")
    gexf = nx.read_gexf(tmp_path / "kg.gexf")
    graphml = nx.read_graphml(tmp_path / "kg.graphml", force_multigraph=True)
    assert set(gexf.nodes) == set(graphml.nodes)
    assert labelled_edges(gexf) == labelled_edges(graphml)
    for node in gexf.nodes:
        assert gexf.nodes[node]["label"] == graphml.nodes[node]["label"]
        assert gexf.nodes[node]["class"] == graphml.nodes[node]["class"]


def test_gexf_carries_no_date_so_exports_are_repeatable() -> None:
    text = export_graph(build(), format="gexf")
    assert text is not None
    assert "lastmodifieddate" not in text
    assert text == export_graph(shuffled_copy(3), format="gexf")


def test_to_networkx_skips_documents_statements_and_untyped() -> None:
    net = to_networkx(build())
    assert str(DOC1) not in net and str(STMT) not in net
    # an edge to something that is not a typed entity is not drawn
    ds = build()
    ds.graph(G1).add((ACME, KGO.operatesIn, KGR["country/unknown"]))
    assert not to_networkx(ds).has_edge(str(ACME), str(KGR["country/unknown"]))


def test_to_networkx_picks_the_most_specific_class() -> None:
    g = Graph()
    g.add((ACME, RDF.type, KGO.Organization))
    g.add((ACME, RDF.type, KGO.Company))
    net = to_networkx(g)
    assert net.nodes[str(ACME)]["class"] == "Company"
    assert net.nodes[str(ACME)]["label"] == "acme"  # no rdfs:label: the IRI's last segment


def test_destination_overwrites_atomically(tmp_path: Path) -> None:
    path = tmp_path / "out" / "kg.ttl"
    export_graph(build(), format="turtle", destination=path)
    path.write_text("stale", encoding="utf-8")
    export_graph(build(), format="turtle", destination=path)
    assert path.read_text(encoding="utf-8") == export_graph(build(), format="turtle")
    assert sorted(p.name for p in path.parent.iterdir()) == ["kg.ttl"]  # no temp file left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_unwritable_destination_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"):
        export_graph(build(), format="nt", destination=blocker / "kg.nt")


def test_unknown_format_lists_the_valid_ones() -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        export_graph(build(), format="rdfa")
    for name in FORMATS:
        assert name in str(info.value)


def test_format_names_and_suffixes() -> None:
    assert normalize_format("ttl") == "turtle"
    assert normalize_format("N-Quads") == "nquads"
    written = [FORMAT_SUFFIXES[name][0] for name in FORMATS]
    assert {format_for_path(f"x{suffix}") for suffix in written} == set(FORMATS)
    with pytest.raises(UnsupportedFormatError):
        format_for_path("x.csv")


def test_empty_graph_exports() -> None:
    for fmt in FORMATS:
        text = export_graph(Dataset(), format=fmt)
        assert text is not None
    assert export_graph(Dataset(), format="nt") == ""


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(text=TEXT, lang=st.sampled_from([None, "en", "zh-Hant"]))
def test_any_literal_round_trips_through_every_rdf_format(text: str, lang: str | None) -> None:
    literal = Literal(text, lang=lang)
    ds = Dataset()
    ds.graph(G1).add((ACME, KGO.evidence, literal))
    for fmt in ("turtle", "nt", "nquads", "trig", "jsonld"):
        output = export_graph(ds, format=fmt)
        assert output is not None
        oxformat = {
            "turtle": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "jsonld": ox.RdfFormat.JSON_LD,
        }[fmt]
        (quad,) = list(ox.parse(output, format=oxformat))
        assert quad.object.value == text, fmt
        assert (quad.object.language or None) == (lang.lower() if lang else None), fmt


def two_reports() -> Dataset:
    """Two articles say Best Buy stopped selling Huawei: one with an end date, one without."""
    ended = Qualifiers(end="2018-03", status="ended")
    items = []
    for doc, text, confidence, qualifiers in (
        ("d1", "Best Buy stopped selling Huawei phones in March 2018.", 0.9, ended),
        ("d2", "Best Buy sold Huawei phones.", 0.5, Qualifiers()),
    ):
        mentions = (
            Mention(0, 8, "Best Buy", "Company"),
            Mention(text.index("Huawei"), text.index("Huawei") + 6, "Huawei", "Company"),
        )
        relation = RelationCandidate(0, 1, "sells", confidence, (0, len(text)), qualifiers)
        article = Article(doc, text, title=f"Report {doc}")
        items.append(
            Resolved(
                Extraction(article, mentions, (relation,)), ("company/best-buy", "company/huawei")
            )
        )
    entities = [
        Entity("company/best-buy", "Best Buy", "Company", docs=("d1", "d2")),
        Entity("company/huawei", "Huawei", "Company", docs=("d1", "d2")),
    ]
    return build_dataset(entities, items)


def test_to_networkx_edges_carry_the_statements_provenance() -> None:
    net = to_networkx(two_reports())
    edge = net.edges[str(KGR["company/best-buy"]), str(KGR["company/huawei"]), "sells"]
    # both documents state it: the fact's combined confidence, 1 - (1 - 0.9)(1 - 0.5)
    assert edge["confidence"] == pytest.approx(0.95)
    # the rest from the most confident statement
    assert edge["status"] == "ended"
    assert edge["end"] == "2018-03"
    assert "start" not in edge and "date" not in edge  # only what the graph says
    assert edge["evidence"] == "Best Buy stopped selling Huawei phones in March 2018."
    assert edge["source"] == str(KGR["doc/d1"])
    assert edge["source_title"] == "Report d1"
    assert [s["confidence"] for s in edge["statements"]] == [0.9, 0.5]
    assert edge["statements"][1]["evidence"] == "Best Buy sold Huawei phones."


def test_to_networkx_without_provenance_and_gephi_exports_keep_edges_plain() -> None:
    ds = two_reports()
    net = to_networkx(ds, provenance=False)
    ((_, _, data),) = net.edges(data=True)
    assert data == {"predicate": str(KGO.sells), "label": "sells"}
    back = nx.read_graphml(io.BytesIO((export_graph(ds, format="graphml") or "").encode()))
    assert {k for _, _, d in back.edges(data=True) for k in d} == {"id", "predicate", "label"}
