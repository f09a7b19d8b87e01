"""kg.graph.reason and --infer: what the ontology entails answers queries, kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, Dataset, Literal, Namespace, URIRef
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.export import export_graph
from kg.graph.reason import infer, inferred_graph, inferred_triples
from kg.graph.validate import validate_graph
from kg.ontology import KGO_IRI, KGR_IRI, SCHEMA
from kg.query import run_query
from kg.rdf.load import load_graph

K = Namespace(KGO_IRI)
R = Namespace(KGR_IRI)

GRAPH = f"""
@prefix kgo: <{KGO_IRI}> .
@prefix kgr: <{KGR_IRI}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
{{
kgr:lei a kgo:Person ; rdfs:label "Lei Jun" .
kgr:xiaomi a kgo:Company ; rdfs:label "Xiaomi" ;
    owl:sameAs <http://www.wikidata.org/entity/Q1636958> .
kgr:qualcomm a kgo:Company ; rdfs:label "Qualcomm" .
kgr:fcc a kgo:GovernmentAgency ; rdfs:label "FCC" .
kgr:court a kgo:Court ; rdfs:label "District Court" .
kgr:beijing a kgo:City ; rdfs:label "Beijing" .
kgr:china a kgo:Country ; rdfs:label "China" .
kgr:asia a kgo:Region ; rdfs:label "Asia" .
kgr:mi11 a kgo:Product ; rdfs:label "Mi 11" .
}}
kgr:graph\\/d1 {{
kgr:lei kgo:worksFor kgr:xiaomi .
kgr:xiaomi kgo:partnersWith kgr:qualcomm ; kgo:basedIn kgr:beijing ; kgo:produces kgr:mi11 .
kgr:beijing kgo:locatedIn kgr:china .
kgr:china kgo:locatedIn kgr:asia .
}}
"""

EMPLOYS = "SELECT ?org ?person WHERE { ?org kgo:employs ?person } ORDER BY ?org ?person"


@pytest.fixture
def ds() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(data=GRAPH, format="trig")
    return dataset


def rows(dataset: Dataset, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in row) for row in run_query(dataset, query).rows]


def test_employs_answers_only_with_inference(ds: Dataset) -> None:
    assert rows(ds, EMPLOYS) == []
    assert rows(infer(ds), EMPLOYS) == [(str(R.xiaomi), str(R.lei))]


def test_symmetric_inverse_and_transitive_relations_are_inferred(ds: Dataset) -> None:
    inferred = set(inferred_triples(ds))
    assert (R.qualcomm, K.partnersWith, R.xiaomi) in inferred  # symmetric
    assert (R.mi11, K.producedBy, R.xiaomi) in inferred  # inverse
    assert (R.beijing, K.locatedIn, R.asia) in inferred  # transitive
    assert (R.xiaomi, K.relation, R.beijing) in inferred  # super-property
    assert (R.lei, SCHEMA.worksFor, R.xiaomi) in inferred  # aligned super-property


def test_based_lives_and_operates_in_follow_located_in(ds: Dataset) -> None:
    # kgo.ttl: kgo:basedIn owl:propertyChainAxiom ( kgo:basedIn kgo:locatedIn ), and so on
    inferred = set(inferred_triples(ds))
    assert (R.xiaomi, K.basedIn, R.china) in inferred
    assert (R.xiaomi, K.basedIn, R.asia) in inferred  # through the transitive locatedIn
    extra = Dataset(default_union=True)
    for triple in [
        (R.lei, RDF.type, K.Person),
        (R.qualcomm, RDF.type, K.Company),
        (R.beijing, RDF.type, K.City),
        (R.china, RDF.type, K.Country),
        (R.beijing, K.locatedIn, R.china),
        (R.lei, K.livesIn, R.beijing),
        (R.qualcomm, K.operatesIn, R.beijing),
    ]:
        extra.add(triple)
    inferred = set(inferred_triples(extra))
    assert (R.lei, K.livesIn, R.china) in inferred
    assert (R.qualcomm, K.operatesIn, R.china) in inferred
    assert (R.china, K.locatedIn, R.beijing) not in inferred  # no way back down
    assert not [t for t in inferred if t[1] == K.basedIn]


def test_companies_based_in_a_country_answer_only_with_inference(ds: Dataset) -> None:
    query = "SELECT ?c WHERE { ?c a kgo:Company ; kgo:basedIn kgr:china }"
    assert rows(ds, query) == []
    assert rows(infer(ds), query) == [(str(R.xiaomi),)]


def test_superclasses_answer_queries(ds: Dataset) -> None:
    organizations = "SELECT ?x WHERE { ?x a kgo:Organization } ORDER BY ?x"
    assert rows(ds, organizations) == []
    found = {r[0] for r in rows(infer(ds), organizations)}
    assert found == {str(R.xiaomi), str(R.qualcomm), str(R.fcc), str(R.court)}
    inferred = set(inferred_triples(ds))
    assert (R.court, RDF.type, K.GovernmentAgency) in inferred  # two levels up
    assert (R.xiaomi, RDF.type, SCHEMA.Corporation) in inferred  # equivalent class
    assert (R.beijing, RDF.type, K.Place) in inferred


def test_inferred_triples_are_kept_apart(ds: Dataset) -> None:
    asserted = set(ds.quads((None, None, None, None)))
    infer(ds)
    graph = ds.graph(inferred_graph())
    assert (R.xiaomi, K.employs, R.lei) in graph
    # nothing asserted moved or changed, and nothing asserted is repeated as inferred
    assert asserted <= set(ds.quads((None, None, None, None)))
    assert not {(s, p, o) for s, p, o, _ in asserted} & set(graph)
    # a query can tell the two apart
    query = (
        "SELECT ?p WHERE { GRAPH <%s> { kgr:xiaomi ?p kgr:lei } }" % inferred_graph()  # noqa: UP031
    )
    assert rows(ds, query) == [(str(K.employs),), (str(K.relation),)]


def test_trivial_and_identity_inferences_are_left_out(ds: Dataset) -> None:
    inferred = inferred_triples(ds)
    assert not [t for t in inferred if t[1] == OWL.sameAs]
    assert not [t for t in inferred if t[2] in (OWL.Thing,)]
    assert not [t for t in inferred if isinstance(t[2], Literal)]
    wikidata = URIRef("http://www.wikidata.org/entity/Q1636958")
    assert not [t for t in inferred if wikidata in t]


def test_inference_is_deterministic_and_idempotent(ds: Dataset) -> None:
    first = inferred_triples(ds)
    assert first == inferred_triples(ds)
    infer(ds)
    size = len(ds.graph(inferred_graph()))
    infer(ds)  # an earlier inferred graph is replaced, not added to
    assert len(ds.graph(inferred_graph())) == size == len(first)


def test_an_inferred_graph_still_validates(ds: Dataset) -> None:
    assert validate_graph(infer(ds)).conforms


# ----------------------------------------------------------------------------------- the CLI


def test_kg_query_infer(ds: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "kg.trig"
    export_graph(ds, format="trig", destination=path)
    runner = CliRunner()
    plain = runner.invoke(app, ["query", "-g", str(path), "-f", "csv", EMPLOYS])
    assert plain.exit_code == 0, plain.output
    assert str(R.lei) not in plain.stdout
    inferred = runner.invoke(app, ["query", "--infer", "-g", str(path), "-f", "csv", EMPLOYS])
    assert inferred.exit_code == 0, inferred.output
    assert inferred.stdout.splitlines()[1:] == [f"{R.xiaomi},{R.lei}"]


def test_kg_query_infer_refuses_a_store(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["query", "--infer", "--store", f"oxigraph:{tmp_path}", EMPLOYS])
    assert out.exit_code == 2
    assert "--infer" in out.stderr


def test_kg_export_infer(ds: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "kg.trig"
    export_graph(ds, format="trig", destination=path)
    out = tmp_path / "inferred.trig"
    result = CliRunner().invoke(
        app, ["export", "--infer", "-g", str(path), "-f", "trig", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    exported = load_graph(out)
    assert (R.xiaomi, K.employs, R.lei) in exported.graph(inferred_graph())


@pytest.mark.model
def test_the_sample_graph_answers_employs_with_infer(sample_build: Path) -> None:
    graph = load_graph(sample_build / "kg.trig")
    assert rows(graph, EMPLOYS) == []
    employers = rows(infer(graph), EMPLOYS)
    assert employers
    for org, person in employers:
        assert (URIRef(person), K.worksFor, URIRef(org)) in graph
