"""Corroboration (kg.graph.records): a fact several articles state is one triple with several
statements, and a kgo:Fact node carries their aggregate (noisy-or) confidence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from checked_blocks import checked_blocks
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, Dataset, Literal, Namespace, URIRef

from kg.build.outputs import write_outputs
from kg.build.resolution import BuildResult
from kg.graph.assemble import build_dataset, graph_blocks
from kg.graph.records import fact_iri, noisy_or
from kg.graph.validate import validate_graph
from kg.ontology import KGO_IRI, KGR_IRI
from kg.query import run_query
from kg.rdf.load import load_graph
from kg.types import Article, Entity, Extraction, Mention, RelationCandidate, Resolved

K = Namespace(KGO_IRI)
R = Namespace(KGR_IRI)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

ACME, GLOBEX, PARIS, JO = (
    "organization/acme",
    "organization/globex",
    "place/paris",
    "person/jo",
)


def article(doc: str, text: str, relations: list[tuple[str, str, str, float]]) -> Resolved:
    """An extraction whose mentions are the entity ids named in ``relations``."""
    ids: list[str] = []
    for s, _, o, _ in relations:
        for entity in (s, o):
            if entity not in ids:
                ids.append(entity)
    classes = {ACME: "Company", GLOBEX: "Company", PARIS: "City", JO: "Person"}
    mentions = tuple(Mention(0, 4, entity, classes[entity]) for entity in ids)
    candidates = tuple(
        RelationCandidate(ids.index(s), ids.index(o), p, c, (0, len(text)))
        for s, p, o, c in relations
    )
    return Resolved(Extraction(Article(doc, text), mentions, candidates), tuple(ids))


def entities() -> list[Entity]:
    return [
        Entity(ACME, "Acme", "Company"),
        Entity(GLOBEX, "Globex", "Company"),
        Entity(PARIS, "Paris", "City"),
        Entity(JO, "Jo Bloggs", "Person"),
    ]


def records() -> list[Resolved]:
    return [
        article(
            "d1",
            "Acme partners with Globex. Acme is based in Paris.",
            [
                (ACME, "partnersWith", GLOBEX, 0.8),
                (ACME, "basedIn", PARIS, 0.9),
            ],
        ),
        # the same partnership, told the other way round (symmetric: one triple)
        article("d2", "Globex signed a deal with Acme.", [(GLOBEX, "partnersWith", ACME, 0.7)]),
        article(
            "d3",
            "Acme and Globex are allies; Jo Bloggs runs Acme.",
            [
                (ACME, "partnersWith", GLOBEX, 0.5),
                (JO, "worksFor", ACME, 0.6),
            ],
        ),
    ]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return build_dataset(entities(), records())


PARTNERS = (R[ACME], K.partnersWith, R[GLOBEX])


def test_a_fact_stated_by_three_articles_is_one_triple_with_three_statements(ds: Dataset) -> None:
    assert PARTNERS in ds
    assert (R[GLOBEX], K.partnersWith, R[ACME]) not in ds
    statements = set(ds.subjects(RDF.predicate, K.partnersWith))
    assert len(statements) == 3
    docs = {ds.value(s, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) for s in statements}
    assert docs == {R["doc/d1"], R["doc/d2"], R["doc/d3"]}


def test_the_fact_carries_the_noisy_or_of_its_statements(ds: Dataset) -> None:
    fact = fact_iri(PARTNERS)
    assert (fact, RDF.type, K.Fact) in ds
    assert ds.value(fact, K.tripleSubject) == R[ACME]
    assert ds.value(fact, K.triplePredicate) == K.partnersWith
    assert ds.value(fact, K.tripleObject) == R[GLOBEX]
    assert set(ds.objects(fact, K.supportedBy)) == set(ds.subjects(RDF.predicate, K.partnersWith))
    # 1 - (1 - 0.8)(1 - 0.7)(1 - 0.5) = 0.97
    assert ds.value(fact, K.confidence) == Literal("0.97", datatype=XSD.decimal)


def test_facts_live_in_the_default_graph_beside_the_entities(ds: Dataset) -> None:
    assert (fact_iri(PARTNERS), RDF.type, K.Fact) in ds.default_graph
    for doc in ("d1", "d2", "d3"):
        assert not list(ds.graph(R[f"graph/{doc}"]).subjects(RDF.type, K.Fact))


def test_a_triple_one_article_states_has_no_fact(ds: Dataset) -> None:
    facts = set(ds.subjects(RDF.type, K.Fact))
    assert facts == {fact_iri(PARTNERS)}
    assert fact_iri((R[ACME], K.basedIn, R[PARIS])) not in facts


def test_the_aggregate_is_reachable_with_sparql(ds: Dataset) -> None:
    query = """
    SELECT ?s ?o (COALESCE(?aggregate, MAX(?c)) AS ?confidence) (COUNT(?st) AS ?statements)
    WHERE {
      ?st a kgo:Statement ; rdf:subject ?s ; rdf:predicate kgo:partnersWith ; rdf:object ?o ;
          kgo:confidence ?c .
      OPTIONAL { ?fact kgo:supportedBy ?st ; kgo:confidence ?aggregate }
    } GROUP BY ?s ?o ?aggregate
    """
    rows = run_query(ds, query).rows
    assert [(str(r[2]), int(r[3])) for r in rows] == [("0.97", 3)]  # type: ignore[arg-type]


def test_the_graph_with_facts_conforms(ds: Dataset) -> None:
    assert validate_graph(ds).conforms


def test_facts_are_recomputed_from_the_statements_a_build_keeps() -> None:
    blocks = list(graph_blocks(entities(), records(), validate=False))
    default = dict(blocks)[None]
    # break one supporting statement on purpose: its confidence is out of range
    d3 = R["graph/d3"]
    broken = []
    for name, triples in blocks:
        if name == d3:
            triples = [
                (s, p, Literal("1.5", datatype=XSD.decimal))
                if p == K.confidence and (s, RDF.predicate, K.partnersWith) in triples
                else (s, p, o)
                for s, p, o in triples
            ]
        broken.append((name, triples))
    out = dict(checked_blocks(broken))
    fact = fact_iri(PARTNERS)
    facts = [t for t in out[None] if t[0] == fact]
    supported = {o for s, p, o in facts if p == K.supportedBy}
    assert len(supported) == 2  # the d3 statement went to the quarantine
    confidence = next(o for s, p, o in facts if p == K.confidence)
    assert confidence == Literal("0.94", datatype=XSD.decimal)  # 1 - 0.2 * 0.3
    # with nothing set aside, the default graph is the one made unchecked
    assert dict(checked_blocks(blocks))[None] == default


def test_a_build_writes_the_facts(tmp_path: Path) -> None:
    write_outputs(BuildResult(entities(), records()), tmp_path, html=False)
    written = load_graph(tmp_path / "kg.trig")
    assert (fact_iri(PARTNERS), K.confidence, Literal("0.97", datatype=XSD.decimal)) in written
    assert validate_graph(written).conforms


# ------------------------------------------------------------------------------------ noisy-or

CONFIDENCES = st.lists(
    st.decimals(min_value=0, max_value=1, places=2, allow_nan=False), min_size=1, max_size=6
)


@given(CONFIDENCES)
def test_noisy_or_is_a_confidence_never_below_the_best_statement(values: list[Decimal]) -> None:
    aggregate = noisy_or(values)
    assert Decimal(0) <= aggregate <= Decimal(1)
    assert aggregate >= max(values).quantize(Decimal("0.001"))


@given(CONFIDENCES, st.decimals(min_value=0, max_value=1, places=2, allow_nan=False))
def test_another_source_never_lowers_the_aggregate(values: list[Decimal], more: Decimal) -> None:
    assert noisy_or([*values, more]) >= noisy_or(values)


def test_noisy_or_values() -> None:
    assert noisy_or([Decimal("0.8")]) == Decimal("0.800")
    assert noisy_or([Decimal("0.5"), Decimal("0.5")]) == Decimal("0.750")
    assert noisy_or([Decimal("0.99")] * 3) == Decimal("0.999")  # rounded down, never 1
    assert noisy_or([Decimal("1"), Decimal("0.2")]) == Decimal("1.000")
