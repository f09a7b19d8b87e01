"""kg.graph.records: records become direct triples, qualified statements, observations, graphs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import IdentifiedNode, Node

from kg.graph.assemble import build_dataset
from kg.graph.export import export_graph
from kg.graph.records import statements
from kg.ontology import KGO_IRI, KGR_IRI
from kg.types import (
    Article,
    Entity,
    Extraction,
    Mention,
    ObservationCandidate,
    Qualifiers,
    RelationCandidate,
    Resolved,
)

# Plain namespaces: pytest's doctest finder trips over rdflib's DefinedNamespace objects.
K = Namespace(KGO_IRI)
R = Namespace(KGR_IRI)

TEXT1 = (
    "Acme Corp is based in Paris. Acme partnered with Globex in April. "
    "Acme holds 30.3 percent of France."
)
TEXT2 = (
    "Globex signed a deal with Acme. Jo Bloggs, Chairman of Globex, stopped selling Acme phones."
)

ACME = "organization/acme-corp"
GLOBEX = "organization/globex"
PARIS = "place/paris"
FRANCE = "place/france"
JO = "person/jo-bloggs"


def literal(graph: Graph, subject: Node, prop: URIRef) -> Literal:
    """The one literal value of ``prop`` on ``subject`` (fails when it is missing or an IRI)."""
    value = graph.value(subject, prop)
    assert isinstance(value, Literal), (subject, prop, value)
    return value


def span(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def sentence(text: str, index: int) -> tuple[int, int]:
    """Offsets of the index-th sentence (split on '. ')."""
    start = 0
    for _ in range(index):
        start = text.index(". ", start) + 2
    end = text.find(". ", start)
    return start, (end + 1 if end != -1 else len(text))


def mention(text: str, needle: str, label: str, occurrence: int = 0, **kw: object) -> Mention:
    s, e = span(text, needle, occurrence)
    return Mention(s, e, needle, label, **kw)  # type: ignore[arg-type]


def entities() -> list[Entity]:
    return [
        Entity(ACME, "Acme Corp", "Company", aliases=("Acme",), wikidata="Q42", docs=("d1", "d2")),
        Entity(GLOBEX, "Globex", "Company", docs=("d1", "d2")),
        Entity(PARIS, "Paris", "City", docs=("d1",)),
        Entity(FRANCE, "France", "Country", docs=("d1",)),
        Entity(JO, "Jo Bloggs", "Person", docs=("d2",), roles=("Chairman",)),
    ]


def records() -> list[Resolved]:
    m1 = (
        mention(TEXT1, "Acme Corp", "Company"),
        mention(TEXT1, "Paris", "City"),
        mention(TEXT1, "Acme", "Company", 1),
        mention(TEXT1, "Globex", "Company"),
        mention(TEXT1, "Acme", "Company", 2),
        mention(TEXT1, "France", "Country"),
    )
    r1 = (
        RelationCandidate(0, 1, "basedIn", 0.9, sentence(TEXT1, 0), trigger="based in"),
        # stated as Globex -> Acme and as Acme -> Globex: symmetric, stored once
        RelationCandidate(
            3, 2, "partnersWith", 0.6, sentence(TEXT1, 1), Qualifiers(start="2018-04")
        ),
        RelationCandidate(
            2, 3, "partnersWith", 0.8, sentence(TEXT1, 1), Qualifiers(duration="P7Y")
        ),
        # not a core predicate: never written
        RelationCandidate(0, 5, "ownsLandIn", 0.9, sentence(TEXT1, 2)),
    )
    o1 = (
        ObservationCandidate(
            subject=4,
            metric="marketShare",
            value="30.3",
            unit="percent",
            evidence=sentence(TEXT1, 2),
            period="2018-Q1",
            place=5,
            source=3,
            quote=span(TEXT1, "30.3 percent"),
        ),
    )
    ex1 = Extraction(
        Article("d1", TEXT1, title="One", date="2018-07-04", source="one.txt"), m1, r1, o1
    )
    ids1 = (ACME, PARIS, ACME, GLOBEX, ACME, FRANCE)

    m2 = (
        mention(TEXT2, "Globex", "Company"),
        mention(TEXT2, "Acme", "Company"),
        mention(TEXT2, "Jo Bloggs", "Person", role="Chairman"),
        mention(TEXT2, "Globex", "Company", 1),
        mention(TEXT2, "Acme", "Company", 1),
        Mention(0, 0, "", "Company", source="coref", antecedent=0),  # unnamed: no entity
    )
    r2 = (
        RelationCandidate(0, 1, "partnersWith", 0.75, sentence(TEXT2, 0), Qualifiers(date="2019")),
        RelationCandidate(2, 3, "worksFor", 0.85, sentence(TEXT2, 1)),
        RelationCandidate(
            3, 4, "sells", 0.7, sentence(TEXT2, 1), Qualifiers(end="2019-03-15", status="ended")
        ),
        RelationCandidate(5, 1, "sanctions", 0.7, sentence(TEXT2, 1)),  # head has no entity
        RelationCandidate(1, 4, "sues", 0.7, sentence(TEXT2, 1)),  # subject == object
    )
    ex2 = Extraction(Article("d2", TEXT2, date="2019-05-01"), m2, r2)
    ids2 = (GLOBEX, ACME, JO, GLOBEX, ACME, None)
    return [Resolved(ex1, ids1), Resolved(ex2, ids2)]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return build_dataset(entities(), records())


def named(ds: Dataset, doc: str) -> Graph:
    return ds.graph(R[f"graph/{doc}"])


def statement_of(ds: Dataset, doc: str, s: str, p: str, o: str) -> URIRef:
    graph = named(ds, doc)
    found = [
        st
        for st in graph.subjects(RDF.subject, R[s])
        if (st, RDF.predicate, K[p]) in graph and (st, RDF.object, R[o]) in graph
    ]
    assert len(found) == 1, f"{len(found)} statements of {s} {p} {o} in {doc}"
    return found[0]  # type: ignore[return-value]


# --------------------------------------------------------------------------------- named graphs


ONTOLOGY_GRAPH = URIRef("https://w3id.org/kg-builder/ontology")


def graph_names(ds: Dataset) -> set[IdentifiedNode]:
    return {
        g.identifier for g in ds.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
    }


def test_one_named_graph_per_document_beside_the_ontology(ds: Dataset) -> None:
    assert graph_names(ds) == {R["graph/d1"], R["graph/d2"], ONTOLOGY_GRAPH}
    assert (K.partnersWith, RDF.type, OWL.SymmetricProperty) in ds.graph(ONTOLOGY_GRAPH)


def test_the_ontology_graph_can_be_left_out() -> None:
    ds = build_dataset(entities(), records(), ontology=False)
    assert graph_names(ds) == {R["graph/d1"], R["graph/d2"]}
    assert not list(ds.triples((K.partnersWith, None, None)))


def test_documents_graphs_hold_no_entity_descriptions(ds: Dataset) -> None:
    for doc in ("d1", "d2"):
        g = named(ds, doc)
        for entity in entities():
            assert (R[entity.id], RDF.type, K[entity.cls]) not in g
            assert not list(g.triples((R[entity.id], SKOS.altLabel, None)))


def test_document_metadata_is_in_its_graph(ds: Dataset) -> None:
    g = named(ds, "d1")
    doc = R["doc/d1"]
    assert (doc, RDF.type, K.Document) in g
    assert g.value(doc, DCTERMS.identifier) == Literal("d1")
    assert g.value(doc, DCTERMS.title) == Literal("One")
    assert g.value(doc, DCTERMS.date) == Literal("2018-07-04", datatype=XSD.date)
    assert g.value(doc, DCTERMS.source) == Literal("one.txt")
    assert named(ds, "d2").value(R["doc/d2"], DCTERMS.title) is None


def test_an_inferred_document_date_is_marked_as_inferred() -> None:
    text = "Acme has sold 9,233 cars so far in 2021."
    undated = Extraction(Article("d3", text), (), (), inferred_date="2021")
    # An article's own date wins: the inferred one is only for undated articles.
    dated = Extraction(Article("d4", text, date="2022-01-05"), (), (), inferred_date="2021")
    ds = build_dataset([], [Resolved(undated, ()), Resolved(dated, ())], ontology=False)
    g3, g4 = named(ds, "d3"), named(ds, "d4")
    assert g3.value(R["doc/d3"], DCTERMS.date) == Literal("2021", datatype=XSD.gYear)
    assert g3.value(R["doc/d3"], K.dateInferred) == Literal(True)
    assert g4.value(R["doc/d4"], DCTERMS.date) == Literal("2022-01-05", datatype=XSD.date)
    assert g4.value(R["doc/d4"], K.dateInferred) is None


def test_a_given_document_date_is_not_marked(ds: Dataset) -> None:
    assert not list(ds.triples((None, K.dateInferred, None)))


def test_mentioned_in_links_each_entity_to_its_documents(ds: Dataset) -> None:
    assert set(ds.objects(R[ACME], K.mentionedIn)) == {R["doc/d1"], R["doc/d2"]}
    assert set(ds.objects(R[JO], K.mentionedIn)) == {R["doc/d2"]}
    assert (R[PARIS], K.mentionedIn, R["doc/d1"]) in named(ds, "d1")


# ------------------------------------------------------------------------------------- entities


def test_entities_are_described_in_the_default_graph(ds: Dataset) -> None:
    default = ds.default_graph
    for entity in entities():
        node = R[entity.id]
        assert list(default.objects(node, RDF.type)) == [K[entity.cls]]
        assert list(default.objects(node, RDFS.label)) == [Literal(entity.label)]
        assert set(default.objects(node, SKOS.altLabel)) == {Literal(a) for a in entity.aliases}
    assert list(default.objects(R[ACME], OWL.sameAs)) == [
        URIRef("http://www.wikidata.org/entity/Q42")
    ]
    assert list(default.objects(R[GLOBEX], OWL.sameAs)) == []


def test_each_entity_has_exactly_one_label_in_the_whole_dataset(ds: Dataset) -> None:
    for entity in entities():
        assert len(list(ds.objects(R[entity.id], RDFS.label))) == 1
    for doc in ("d1", "d2"):
        assert not list(named(ds, doc).triples((None, RDFS.label, None)))


# ------------------------------------------------------------------------------------ relations


def test_direct_triples_are_in_the_documents_graph(ds: Dataset) -> None:
    assert (R[ACME], K.basedIn, R[PARIS]) in named(ds, "d1")
    assert (R[ACME], K.basedIn, R[PARIS]) not in named(ds, "d2")
    assert (R[JO], K.worksFor, R[GLOBEX]) in named(ds, "d2")
    assert (R[GLOBEX], K.sells, R[ACME]) in named(ds, "d2")


def test_statement_carries_subject_predicate_object_and_provenance(ds: Dataset) -> None:
    st = statement_of(ds, "d1", ACME, "basedIn", PARIS)
    g = named(ds, "d1")
    assert (st, RDF.type, K.Statement) in g
    assert g.value(st, PROV.wasDerivedFrom) == R["doc/d1"]
    assert g.value(st, K.trigger) == Literal("based in")


def test_evidence_is_the_article_slice_at_its_offsets(ds: Dataset) -> None:
    texts = {"d1": TEXT1, "d2": TEXT2}
    checked = 0
    for doc, text in texts.items():
        g = named(ds, doc)
        for st in g.subjects(RDF.type, K.Statement):
            start, end = literal(g, st, K.evidenceStart), literal(g, st, K.evidenceEnd)
            assert start.datatype == end.datatype == XSD.integer
            assert str(g.value(st, K.evidence)) == text[start.toPython() : end.toPython()]
            checked += 1
    assert checked == 5


def test_confidence_is_a_decimal_in_the_unit_interval(ds: Dataset) -> None:
    values = list(ds.objects(None, K.confidence))
    assert values
    for value in values:
        assert isinstance(value, Literal)
        assert value.datatype == XSD.decimal
        assert Decimal("0") <= value.toPython() <= Decimal("1")


def test_symmetric_relations_are_stored_once_with_the_best_confidence(ds: Dataset) -> None:
    g = named(ds, "d1")
    forward = (R[ACME], K.partnersWith, R[GLOBEX])
    backward = (R[GLOBEX], K.partnersWith, R[ACME])
    assert (forward in g) != (backward in g)
    # the same orientation in both documents, one statement per document
    assert (forward in named(ds, "d2")) == (forward in g)
    s, o = (ACME, GLOBEX) if forward in g else (GLOBEX, ACME)
    st = statement_of(ds, "d1", s, "partnersWith", o)
    assert g.value(st, K.confidence) == Literal("0.8", datatype=XSD.decimal)  # canonical form
    # qualifiers of both candidates are merged
    assert g.value(st, K.startDate) == Literal("2018-04", datatype=XSD.gYearMonth)
    assert g.value(st, K.duration) == Literal("P7Y", datatype=XSD.duration)
    statement_of(ds, "d2", s, "partnersWith", o)


def test_qualifier_literals_are_typed(ds: Dataset) -> None:
    g2 = named(ds, "d2")
    [partners] = [st for st in g2.subjects(RDF.predicate, K.partnersWith)]
    assert g2.value(partners, K.date) == Literal("2019", datatype=XSD.gYear)
    sells = statement_of(ds, "d2", GLOBEX, "sells", ACME)
    assert g2.value(sells, K.endDate) == Literal("2019-03-15", datatype=XSD.date)
    assert g2.value(sells, K.status) == K.Ended


def test_worksfor_takes_the_persons_title_as_role(ds: Dataset) -> None:
    st = statement_of(ds, "d2", JO, "worksFor", GLOBEX)
    assert named(ds, "d2").value(st, K.role) == Literal("Chairman")


def test_non_core_predicates_self_relations_and_unnamed_ends_are_not_written(ds: Dataset) -> None:
    assert not list(ds.triples((None, K.ownsLandIn, None)))
    assert not list(ds.triples((None, K.sanctions, None)))
    assert not list(ds.triples((R[ACME], K.sues, None)))
    assert len(list(ds.subjects(RDF.type, K.Statement))) == 5


def test_status_is_an_iri_of_the_ontology() -> None:
    for status, iri in (("planned", K.Planned), ("ongoing", K.Ongoing), ("ended", K.Ended)):
        text = "Acme sells Globex."
        ex = Extraction(
            Article("s", text),
            (Mention(0, 4, "Acme", "Company"), Mention(11, 17, "Globex", "Company")),
            (RelationCandidate(0, 1, "sells", 0.7, (0, 18), Qualifiers(status=status)),),
        )
        ds = build_dataset(entities(), [Resolved(ex, (ACME, GLOBEX))])
        assert list(ds.objects(None, K.status)) == [iri]


def test_a_quarter_is_a_plain_literal() -> None:
    text = "Acme sells Globex."
    ex = Extraction(
        Article("q", text),
        (Mention(0, 4, "Acme", "Company"), Mention(11, 17, "Globex", "Company")),
        (RelationCandidate(0, 1, "sells", 0.7, (0, 18), Qualifiers(date="2018-Q1")),),
    )
    ds = build_dataset(entities(), [Resolved(ex, (ACME, GLOBEX))])
    assert list(ds.objects(None, K.date)) == [Literal("2018-Q1")]


# --------------------------------------------------------------------------------- observations


def test_observation_node(ds: Dataset) -> None:
    g = named(ds, "d1")
    [obs] = list(g.subjects(RDF.type, K.Observation))
    assert g.value(obs, K.observedEntity) == R[ACME]
    assert g.value(obs, K.metric) == K.marketShare
    value = literal(g, obs, K.value)
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("30.3")
    assert g.value(obs, K.unit) == Literal("percent")
    assert g.value(obs, K.place) == R[FRANCE]
    assert g.value(obs, K.reportedBy) == R[GLOBEX]
    assert g.value(obs, K.period) == Literal("2018-Q1")
    assert g.value(obs, PROV.wasDerivedFrom) == R["doc/d1"]
    start, end = (
        literal(g, obs, K.evidenceStart).toPython(),
        literal(g, obs, K.evidenceEnd).toPython(),
    )
    assert str(g.value(obs, K.evidence)) == TEXT1[start:end]
    assert literal(g, obs, K.confidence).datatype == XSD.decimal


# ----------------------------------------------------------------- statements() and determinism


def test_statements_are_sorted_and_merged() -> None:
    result = statements(records())
    keys = [(s.doc, s.subject, s.predicate, s.object) for s in result]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys)) == 5


def test_a_custom_base_is_used_for_every_minted_iri() -> None:
    base = "https://example.org/kg/"
    ds = build_dataset(entities(), records(), base=base)
    minted = {
        str(t)
        for quad in ds.quads((None, None, None, None))
        for t in quad
        if isinstance(t, URIRef) and "kg-builder/resource" in str(t)
    }
    assert not minted
    assert (URIRef(base + ACME), K.basedIn, URIRef(base + PARIS)) in ds


def test_same_input_gives_an_isomorphic_dataset_and_identical_files() -> None:
    a = build_dataset(entities(), records())
    b = build_dataset(entities(), records())
    assert graph_names(a) == graph_names(b)
    for name in [DATASET_DEFAULT_GRAPH_ID, *graph_names(a)]:
        assert to_isomorphic(a.graph(name)) == to_isomorphic(b.graph(name))
        assert isomorphic(a.graph(name), b.graph(name))
    for fmt in ("turtle", "trig", "nquads"):
        assert export_graph(a, format=fmt) == export_graph(b, format=fmt)


def test_input_order_does_not_change_the_output() -> None:
    a = build_dataset(entities(), records())
    b = build_dataset(list(reversed(entities())), list(reversed(records())))
    for fmt in ("turtle", "trig"):
        assert export_graph(a, format=fmt) == export_graph(b, format=fmt)
