"""Where places lie: the gazetteer's kgo:locatedIn, the nodes and triples a build gets from it,
and the questions it answers under --infer ("which companies are based in China?")."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Namespace, URIRef

from kg.gazetteer import load_gazetteer
from kg.graph.assemble import build_dataset, graph_blocks
from kg.graph.reason import infer
from kg.graph.validate import QuarantinedTriple, validate_graph
from kg.ontology import KGO, KGR_IRI
from kg.query import run_query
from kg.rdf.load import load_graph
from kg.resolve import resolve
from kg.types import Article, Extraction, Mention, RelationCandidate

R = Namespace(KGR_IRI)
PLACES = ("City", "Region", "Country", "Place")
BASED_IN_CHINA = """SELECT ?name WHERE {
  ?c a kgo:Company ; kgo:basedIn ?p ; rdfs:label ?name . ?p rdfs:label "China" } ORDER BY ?name"""
PREFIXES = """@prefix kgo: <https://w3id.org/kg-builder/ontology#> .
@prefix kgg: <https://w3id.org/kg-builder/gazetteer/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


# --------------------------------------------------------------------------- the gazetteer


def test_the_loader_reads_where_places_lie() -> None:
    gaz = load_gazetteer()
    assert gaz.entries["beijing"].located_in == ("china",)
    assert gaz.entries["shenzhen"].located_in == ("guangdong",)
    assert gaz.entries["guangdong"].located_in == ("china",)
    assert gaz.containers("shenzhen") == ("guangdong", "china")
    assert gaz.containers("brooklyn") == ("new-york-city", "new-york-state", "united-states")
    assert gaz.containers("edinburgh") == ("scotland", "united-kingdom")
    assert gaz.entries["china"].located_in == ()
    assert gaz.containers("europe") == ()


def test_every_chain_ends_at_the_entrys_country() -> None:
    gaz = load_gazetteer()
    linked = [e for e in gaz.entries.values() if e.located_in]
    assert {e.cls for e in linked} == {"City", "Region"}
    for entry in linked:
        chain = gaz.containers(entry.key)
        assert gaz.entries[chain[-1]].cls == "Country", entry.key
        assert [k for k in chain if gaz.entries[k].cls == "Country"] == [chain[-1]], entry.key
        if entry.country:
            assert chain[-1] == entry.country, entry.key


def test_every_city_lies_somewhere_but_disputed_or_outlying_places() -> None:
    gaz = load_gazetteer()
    cities = {k for k, e in gaz.entries.items() if e.cls == "City" and not e.located_in}
    assert cities == {"jerusalem"}
    regions = {k for k, e in gaz.entries.items() if e.cls == "Region" and e.country}
    unplaced = {k for k in regions if not gaz.entries[k].located_in}
    outside = {"greenland", "faroe-islands", "bermuda", "british-virgin-islands"}
    outside |= {"cayman-islands", "gibraltar", "isle-of-man", "pacific-northwest"}
    assert unplaced == outside


def _user_gazetteer(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "places.ttl"
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def test_a_user_gazetteer_places_its_own_cities(tmp_path: Path) -> None:
    path = _user_gazetteer(
        tmp_path,
        'kgg:zorbton a kgo:City ; rdfs:label "Zorbton" ; kgo:locatedIn kgg:guangdong .\n',
    )
    assert load_gazetteer([path]).containers("zorbton") == ("guangdong", "china")


@pytest.mark.parametrize(
    "body,message",
    [
        ("kgg:beijing kgo:locatedIn kgg:atlantis .\n", "does not join two places"),
        ("kgg:beijing kgo:locatedIn kgg:xiaomi .\n", "does not join two places"),
        ("kgg:china kgo:locatedIn kgg:beijing .\n", "kgo:locatedIn cycle"),
        ("kgg:china kgo:locatedIn kgg:china .\n", "kgo:locatedIn cycle"),
    ],
)
def test_a_broken_link_is_one_clear_error(tmp_path: Path, body: str, message: str) -> None:
    from kg.errors import OntologyError

    with pytest.raises(OntologyError, match=message):
        load_gazetteer([_user_gazetteer(tmp_path, body)])


# ------------------------------------------------------------------------- resolve and graph

TEXT = "Acme is based in Shenzhen. Beta works in Beijing and China."


def _extractions() -> list[Extraction]:
    mentions = (
        Mention(0, 4, "Acme", "Company"),
        Mention(17, 25, "Shenzhen", "City", key="shenzhen", source="gazetteer"),
        Mention(27, 31, "Beta", "Company"),
        Mention(41, 48, "Beijing", "City", key="beijing", source="gazetteer"),
        Mention(53, 58, "China", "Country", key="china", source="gazetteer"),
    )
    based = (RelationCandidate(0, 1, "basedIn", 0.9, (0, 26)),)
    return [Extraction(Article("d1", TEXT), mentions, based)]


def _build() -> Dataset:
    entities, resolved = resolve(_extractions(), gazetteer=load_gazetteer())
    return build_dataset(entities, resolved)


def test_a_place_brings_the_places_it_lies_in() -> None:
    entities, _ = resolve(_extractions(), gazetteer=load_gazetteer())
    by_label = {e.label: e for e in entities}
    # Guangdong is named by no article: it is a node because Shenzhen lies in it.
    assert by_label["Guangdong"].docs == ()
    assert by_label["Guangdong"].wikidata is None
    assert by_label["Shenzhen"].located_in == (by_label["Guangdong"].id,)
    assert by_label["Guangdong"].located_in == (by_label["China"].id,)
    assert by_label["Beijing"].located_in == (by_label["China"].id,)
    assert by_label["China"].located_in == ()
    # China, named and reached twice, is one node
    assert [e.label for e in entities].count("China") == 1
    assert by_label["China"].docs == ("d1",)


def test_located_in_is_background_knowledge_in_the_default_graph() -> None:
    dataset = _build()
    shenzhen, guangdong, china = R["place/shenzhen"], R["place/guangdong"], R["place/china"]
    default = dataset.default_graph
    assert (shenzhen, KGO.locatedIn, guangdong) in default
    assert (guangdong, KGO.locatedIn, china) in default
    assert (shenzhen, KGO.locatedIn, china) not in dataset  # only under --infer
    assert (guangdong, RDF.type, KGO.Region) in default
    # no article claims it: no statement and no triple in a document's graph
    in_documents = [t for g in dataset.graphs() if g.identifier != default.identifier for t in g]
    assert not [t for t in in_documents if t[1] == KGO.locatedIn]
    assert not list(dataset.subjects(RDF.object, guangdong))
    assert validate_graph(dataset).conforms


def test_the_build_check_keeps_a_place_whose_region_no_article_names() -> None:
    # Shenzhen's description names Guangdong, whose class the locatedIn range shape checks
    # when the article's graph (which names Shenzhen, not Guangdong) is checked.
    entities, resolved = resolve(_extractions(), gazetteer=load_gazetteer())
    quarantined: list[QuarantinedTriple] = []
    blocks = list(graph_blocks(entities, resolved, on_quarantine=quarantined.append))
    assert quarantined == []
    default = next(triples for name, triples in blocks if name is None)
    assert (R["place/shenzhen"], KGO.locatedIn, R["place/guangdong"]) in default


def test_based_in_a_city_is_based_in_its_region_and_country_under_infer() -> None:
    dataset = _build()
    assert [r for r in run_query(dataset, BASED_IN_CHINA).rows] == []
    assert [str(r[0]) for r in run_query(infer(dataset), BASED_IN_CHINA).rows] == ["Acme"]
    acme = R["organization/acme"]
    assert (acme, KGO.basedIn, R["place/guangdong"]) in dataset


def test_the_build_is_deterministic() -> None:
    first, second = _build(), _build()
    assert sorted(first.quads()) == sorted(second.quads())


def test_a_place_without_containers_adds_nothing() -> None:
    mentions = (Mention(0, 6, "Europe", "Region", key="europe", source="gazetteer"),)
    entities, _ = resolve([Extraction(Article("d", "Europe."), mentions, ())])
    assert [(e.label, e.located_in) for e in entities] == [("Europe", ())]


# ------------------------------------------------------------------------ the sample build


@pytest.mark.model
def test_the_sample_build_says_beijing_lies_in_china(sample_build: Path) -> None:
    graph = load_graph(sample_build / "kg.trig")
    beijing, china = URIRef(R["place/beijing"]), URIRef(R["place/china"])
    assert (beijing, KGO.locatedIn, china) in graph.default_graph


@pytest.mark.model
def test_the_sample_build_answers_companies_based_in_china(sample_build: Path) -> None:
    # Xiaomi is based in Beijing (the article), which lies in China (the gazetteer);
    # Huawei and ZTE are "Chinese companies, including Huawei and ZTE" (the article).
    graph = load_graph(sample_build / "kg.trig")
    found = {str(r[0]) for r in run_query(infer(graph), BASED_IN_CHINA).rows}
    assert {"Xiaomi", "Huawei", "ZTE"} <= found
