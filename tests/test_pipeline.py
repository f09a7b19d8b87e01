"""kg.build.pipeline: the sample build, its files, its determinism, its contract and its scores.

Most tests here share one build of the shipped sample corpus (the session
fixture ``sample_build``) and are marked ``model``; the records functions are
also tested on hand-built data.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.build.extractions import extraction_records
from kg.build.pipeline import input_paths, run
from kg.errors import EmptyInputError
from kg.ontology import CORE_PREDICATES, KGO_IRI, SIGNATURES, SYMMETRIC_PREDICATES, normalize_name
from kg.types import (
    COARSE_CLASSES,
    Article,
    Extraction,
    Mention,
    RelationCandidate,
    Resolved,
    coarse_class,
)

K = Namespace(KGO_IRI)
GOLD = Path("/work/shared/eval/seeds.gold.json")
OUTPUTS = ("kg.ttl", "kg.trig", "extractions.jsonl", "kg.html")
ENTITY_CLASSES = {K[c] for fines in COARSE_CLASSES.values() for c in fines}


def literal(graph: Graph, subject: Node, prop: URIRef) -> Literal:
    """The one literal value of ``prop`` on ``subject`` (fails when it is missing or an IRI)."""
    value = graph.value(subject, prop)
    assert isinstance(value, Literal), (subject, prop, value)
    return value


# ----------------------------------------------------------------------------- records, by hand


def test_extraction_records_follow_the_contract_on_hand_built_data() -> None:
    text = "Acme hired Jo Bloggs. The company said it grew."
    mentions = (
        Mention(0, 4, "Acme", "Company"),
        Mention(11, 20, "Jo Bloggs", "Person"),
        Mention(22, 33, "The company", "Company", source="coref", antecedent=0),
        Mention(39, 41, "it", "Company", source="coref", antecedent=0),
        Mention(42, 46, "grew", "Organization"),  # named nothing: dropped
    )
    relations = (
        RelationCandidate(1, 0, "worksFor", 0.8, (0, 21)),
        RelationCandidate(2, 1, "sues", 0.5, (22, 47)),  # through a reference: its named mention
        RelationCandidate(4, 0, "sues", 0.5, (22, 47)),  # an end without entity: dropped
        RelationCandidate(3, 0, "sues", 0.5, (22, 47)),  # the same entity at both ends: dropped
    )
    ex = Extraction(Article("d1", text), mentions, relations)
    ids = ("organization/acme", "person/jo-bloggs", "organization/acme", "organization/acme", None)
    [record] = extraction_records([Resolved(ex, ids)], base="https://example.org/")
    assert record["id"] == "d1" and record["text"] == text
    assert record["entities"] == [
        {
            "start": 0,
            "end": 4,
            "text": "Acme",
            "type": "Organization",
            "class": "Company",
            "node": "https://example.org/organization/acme",
        },
        {
            "start": 11,
            "end": 20,
            "text": "Jo Bloggs",
            "type": "Person",
            "class": "Person",
            "node": "https://example.org/person/jo-bloggs",
        },
    ]
    assert record["relations"] == [
        {"head": 1, "tail": 0, "predicate": "worksFor", "confidence": 0.8, "evidence": [0, 21]},
        {"head": 0, "tail": 1, "predicate": "sues", "confidence": 0.5, "evidence": [22, 47]},
    ]


def test_extraction_records_drop_relations_of_a_node_with_itself() -> None:
    text = "Acme Corp bought Acme."  # two names of one node: the graph states nothing
    mentions = (Mention(0, 9, "Acme Corp", "Company"), Mention(17, 21, "Acme", "Company"))
    relations = (RelationCandidate(0, 1, "subsidiaryOf", 0.9, (0, 22)),)
    ex = Extraction(Article("d1", text), mentions, relations)
    ids = ("organization/acme", "organization/acme")
    [record] = extraction_records([Resolved(ex, ids)], base="https://example.org/")
    assert len(record["entities"]) == 2  # type: ignore[arg-type]
    assert record["relations"] == []


def test_nationality_words_are_references_not_named_entities() -> None:
    text = "Elbonian firm Acme left Elbonia."
    mentions = (
        Mention(0, 8, "Elbonian", "Country", key="elbonia", source="demonym"),
        Mention(14, 18, "Acme", "Company"),
        Mention(24, 31, "Elbonia", "Country", key="elbonia", source="gazetteer"),
    )
    relations = (RelationCandidate(1, 0, "basedIn", 0.9, (0, 32)),)
    ex = Extraction(Article("d1", text), mentions, relations)
    ids = ("country/elbonia", "organization/acme", "country/elbonia")
    [record] = extraction_records([Resolved(ex, ids)])
    assert [e["text"] for e in record["entities"]] == ["Acme", "Elbonia"]
    assert [(r["head"], r["tail"]) for r in record["relations"]] == [(0, 1)]
    # Without a named mention of the country, the relation has nothing to point at.
    alone = Extraction(Article("d2", text[:18]), mentions[:2], relations)
    [record] = extraction_records([Resolved(alone, ids[:2])])
    assert [e["text"] for e in record["entities"]] == ["Acme"]
    assert record["relations"] == []


def test_no_paths_means_the_sample_corpus() -> None:
    paths = input_paths([])
    assert paths and all(Path(p).suffix == ".txt" for p in paths)
    assert input_paths(["a.txt"]) == ["a.txt"]


def test_a_folder_without_articles_is_an_empty_input(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(EmptyInputError):
        run([tmp_path])


# ----------------------------------------------------------------------------- the sample build


def load(sample_build: Path, name: str = "kg.trig") -> Dataset:
    """rdflib's own TriG parser, reading across all graphs (not kg.rdf.load)."""
    dataset = Dataset(default_union=True)
    dataset.parse(sample_build / name, format="trig" if name.endswith(".trig") else "turtle")
    return dataset


@pytest.fixture(scope="module")
def trig(sample_build: Path) -> Dataset:
    return load(sample_build)


@pytest.fixture(scope="module")
def ttl(sample_build: Path) -> Graph:
    return Graph().parse(sample_build / "kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def records(sample_build: Path) -> list[dict]:
    lines = (sample_build / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def entity_nodes(graph: Graph) -> set[URIRef]:
    return {s for c in ENTITY_CLASSES for s in graph.subjects(RDF.type, c)}  # type: ignore[misc]


@pytest.mark.model
def test_build_writes_every_output_file(sample_build: Path) -> None:
    for name in OUTPUTS:
        path = sample_build / name
        assert path.is_file() and path.stat().st_size > 0, name
    assert (
        (sample_build / "kg.html")
        .read_text(encoding="utf-8")
        .lstrip()
        .lower()
        .startswith("<!doctype html")
    )


@pytest.mark.model
def test_graph_files_parse_with_pyoxigraph(sample_build: Path) -> None:
    triples = list(ox.parse(path=str(sample_build / "kg.ttl"), format=ox.RdfFormat.TURTLE))
    assert triples
    store = ox.Store()
    store.load(path=str(sample_build / "kg.trig"), format=ox.RdfFormat.TRIG)
    graphs = {str(q.graph_name) for q in store}
    assert any("/graph/" in g for g in graphs)
    assert len(store) >= len(triples)


@pytest.mark.model
def test_ttl_holds_the_union_of_the_trig_graphs(trig: Dataset, ttl: Graph) -> None:
    union = Graph()
    for s, p, o, _ in trig.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(union, ttl)


@pytest.mark.model
def test_kg_store_reads_the_same_graph(sample_build: Path, trig: Dataset) -> None:
    from kg.rdf.load import load_graph

    ours = load_graph(sample_build / "kg.trig")
    assert len(ours) == len(trig)


@pytest.mark.model
@pytest.mark.slow
def test_two_builds_are_byte_identical(sample_build: Path, tmp_path: Path) -> None:
    from kg.build.pipeline import build

    build(out_dir=tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (sample_build / name).read_bytes(), name


# Builds in separate processes (hash seeds), with --jobs and in any file order:
# tests/test_determinism.py.


@pytest.mark.model
def test_the_extraction_workers_make_each_articles_resolution_keys() -> None:
    from kg.build.parallel import extract_articles
    from kg.ingest import read_articles
    from kg.resolve import article_keys

    articles = [*read_articles(input_paths([])), Article("x", "Acme Corp hired Jane Roe.")]
    keys: dict[str, list[str | None]] = {}
    extractions = list(extract_articles(articles, jobs=2, keys=keys))
    assert [ex.article.id for ex in extractions] == [a.id for a in articles]
    assert keys == {ex.article.id: article_keys(ex) for ex in extractions}
    assert any(k is not None for made in keys.values() for k in made)


@pytest.mark.model
def test_one_named_graph_per_sample_document(trig: Dataset, records: list[dict]) -> None:
    names = {str(g.identifier) for g in trig.graphs() if "/graph/" in str(g.identifier) and len(g)}
    assert names == {f"https://w3id.org/kg-builder/resource/graph/{r['id']}" for r in records}
    assert len(records) == 2


# --------------------------------------------------------------------------- extraction records


@pytest.mark.model
def test_extraction_records_follow_the_contract(records: list[dict], trig: Dataset) -> None:
    nodes = {str(n) for n in entity_nodes(trig)}
    for record in records:
        assert set(record) >= {"id", "text", "entities", "relations"}
        text = record["text"]
        for entity in record["entities"]:
            assert text[entity["start"] : entity["end"]] == entity["text"]
            assert entity["type"] == coarse_class(entity["class"])
            assert entity["node"] in nodes
        for relation in record["relations"]:
            assert 0 <= relation["head"] < len(record["entities"])
            assert 0 <= relation["tail"] < len(record["entities"])
            assert relation["head"] != relation["tail"]
            assert relation["predicate"] in CORE_PREDICATES
            assert 0 <= relation["confidence"] <= 1
            start, end = relation["evidence"]
            assert 0 <= start < end <= len(text)


@pytest.mark.model
def test_extraction_types_are_the_coarse_classes(records: list[dict]) -> None:
    types = Counter(e["type"] for r in records for e in r["entities"])
    assert set(types) <= {"Person", "Organization", "Place", "Product"}
    assert all(types[t] > 0 for t in ("Person", "Organization", "Place", "Product"))


# --------------------------------------------------------------------------- the graph contract


@pytest.mark.model
def test_every_entity_has_one_type_one_label_and_a_document(trig: Dataset) -> None:
    nodes = entity_nodes(trig)
    assert nodes
    for node in nodes:
        assert len(set(trig.objects(node, RDF.type))) == 1, node
        labels = list(trig.objects(node, RDFS.label))
        assert len(labels) == 1, (node, labels)
        assert normalize_name(str(labels[0])) not in {"it", "he", "she", "company", "the company"}
        assert str(labels[0]) not in {str(a) for a in trig.objects(node, SKOS.altLabel)}
        assert list(trig.objects(node, K.mentionedIn)), node


@pytest.mark.model
def test_same_as_links_are_wikidata_items(trig: Dataset) -> None:
    links = list(trig.subject_objects(OWL.sameAs))
    assert links
    for _, target in links:
        assert str(target).startswith("http://www.wikidata.org/entity/Q")


@pytest.mark.model
def test_relations_respect_their_signatures(trig: Dataset) -> None:
    def cls(node: Node) -> str:
        [t] = list(trig.objects(node, RDF.type))
        return coarse_class(str(t).removeprefix(KGO_IRI))

    found = 0
    for predicate in CORE_PREDICATES:
        subjects, objects = SIGNATURES[predicate]
        for s, o in trig.subject_objects(K[predicate]):
            assert cls(s) in subjects and cls(o) in objects, (s, predicate, o)
            found += 1
    assert found


@pytest.mark.model
def test_symmetric_relations_are_stored_once(trig: Dataset) -> None:
    for predicate in SYMMETRIC_PREDICATES:
        pairs = set(trig.subject_objects(K[predicate]))
        assert not {(o, s) for s, o in pairs} & pairs


@pytest.mark.model
def test_every_direct_triple_has_a_statement_in_the_same_graph(trig: Dataset) -> None:
    for graph in trig.graphs():
        if "/graph/" not in str(graph.identifier):
            continue
        for predicate in CORE_PREDICATES:
            for s, o in graph.subject_objects(K[predicate]):
                statements = [
                    st
                    for st in graph.subjects(RDF.subject, s)
                    if (st, RDF.predicate, K[predicate]) in graph and (st, RDF.object, o) in graph
                ]
                assert len(statements) == 1, (s, predicate, o)


@pytest.mark.model
def test_statements_carry_provenance_evidence_and_confidence(
    trig: Dataset, records: list[dict]
) -> None:
    texts = {f"https://w3id.org/kg-builder/resource/doc/{r['id']}": r["text"] for r in records}
    statements = set(trig.subjects(RDF.type, K.Statement))
    assert statements
    for st in statements:
        doc = trig.value(st, PROV.wasDerivedFrom)
        assert str(doc) in texts
        start, end = literal(trig, st, K.evidenceStart), literal(trig, st, K.evidenceEnd)
        assert start.datatype == end.datatype == XSD.integer
        evidence = str(trig.value(st, K.evidence))
        assert evidence and evidence == texts[str(doc)][start.toPython() : end.toPython()].strip()
        confidence = literal(trig, st, K.confidence)
        assert confidence.datatype == XSD.decimal
        assert Decimal(0) <= confidence.toPython() <= Decimal(1)
        s, p, o = (
            trig.value(st, RDF.subject),
            trig.value(st, RDF.predicate),
            trig.value(st, RDF.object),
        )
        assert (s, p, o) in trig
        status = trig.value(st, K.status)
        assert status in {None, K.Planned, K.Ongoing, K.Ended}
        for prop in (K.date, K.startDate, K.endDate):
            for value in trig.objects(st, prop):
                assert isinstance(value, Literal)
                assert value.datatype in {XSD.gYear, XSD.gYearMonth, XSD.date} or (
                    value.datatype is None and str(value)[4:6] == "-Q"
                )


@pytest.mark.model
def test_evidence_offsets_are_exactly_the_evidence(trig: Dataset, records: list[dict]) -> None:
    texts = {f"https://w3id.org/kg-builder/resource/doc/{r['id']}": r["text"] for r in records}
    for node in set(trig.subjects(RDF.type, K.Statement)) | set(
        trig.subjects(RDF.type, K.Observation)
    ):
        text = texts[str(trig.value(node, PROV.wasDerivedFrom))]
        start, end = (
            literal(trig, node, K.evidenceStart).toPython(),
            literal(trig, node, K.evidenceEnd).toPython(),
        )
        assert str(trig.value(node, K.evidence)) == text[start:end]
    for record in records:
        for relation in record["relations"]:
            start, end = relation["evidence"]
            assert record["text"][start:end] == record["text"][start:end].strip()


@pytest.mark.model
def test_observations_are_complete(trig: Dataset) -> None:
    observations = set(trig.subjects(RDF.type, K.Observation))
    assert observations
    for obs in observations:
        assert trig.value(obs, K.observedEntity) in entity_nodes(trig)
        assert (trig.value(obs, K.metric), RDF.type, K.Metric) in trig
        assert literal(trig, obs, K.value).datatype == XSD.decimal
        assert trig.value(obs, K.unit) is not None
        assert trig.value(obs, PROV.wasDerivedFrom) is not None


# ---------------------------------------------------------------------------- required entities


def nodes_named(graph: Graph, *names: str) -> set[URIRef]:
    wanted = {normalize_name(n) for n in names}
    found: set[URIRef] = set()
    for node in entity_nodes(graph):
        labels = [*graph.objects(node, RDFS.label), *graph.objects(node, SKOS.altLabel)]
        if any(normalize_name(str(label)) in wanted for label in labels):
            found.add(node)
    return found


@pytest.mark.model
@pytest.mark.parametrize(
    "names,cls",
    [
        (("Xiaomi",), "Company"),
        (("Huawei",), "Company"),
        (("ZTE",), "Company"),
        (("AT&T",), "Company"),
        (
            ("US Department of Defense", "Pentagon", "Department of Defense", "DoD"),
            "GovernmentAgency",
        ),
        (("Federal Communications Commission", "FCC"), "GovernmentAgency"),
    ],
)
def test_required_entities_are_one_node_of_the_right_class(
    trig: Dataset, names: tuple[str, ...], cls: str
) -> None:
    nodes = nodes_named(trig, *names)
    assert len(nodes) == 1, (names, nodes)
    [node] = nodes
    assert list(trig.objects(node, RDF.type)) == [K[cls]]


@pytest.mark.model
def test_no_two_entities_share_a_name(trig: Dataset) -> None:
    owners: dict[tuple[str, str], set[object]] = defaultdict(set)
    for node in entity_nodes(trig):
        [t] = list(trig.objects(node, RDF.type))
        coarse = coarse_class(str(t).removeprefix(KGO_IRI))
        for label in [*trig.objects(node, RDFS.label), *trig.objects(node, SKOS.altLabel)]:
            owners[(coarse, normalize_name(str(label)))].add(node)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared, shared


# ---------------------------------------------------------------------- scores on the seed gold


@pytest.mark.model
@pytest.mark.skipif(not GOLD.is_file(), reason="the seed gold standard is not available")
def test_sample_build_scores_against_the_seed_gold(trig: Dataset) -> None:
    from kg.eval import load_seeds_gold, score_graph

    report = score_graph(trig, load_seeds_gold(GOLD))
    assert report.entities.recall >= 0.90, report.entity_misses
    assert report.entities.precision >= 0.85, report.entity_false_positives
    assert report.relations.recall >= 0.60, report.relation_misses
    assert report.relations.precision >= 0.70, report.relation_false_positives
