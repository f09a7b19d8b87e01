"""kg.confidence and the threshold of a build: only relations at or above it are asserted;
``--candidates`` keeps the others in candidates.trig, which asserts nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from kg.build.extractions import extraction_records
from kg.build.folder import state_dir
from kg.build.outputs import CANDIDATES_FILE, write_outputs
from kg.build.resolution import assemble, threshold_resolved
from kg.build.state import BuildOptions, BuildState, article_hash, load_state
from kg.build.updates import remove
from kg.confidence import (
    DEFAULT_MIN_CONFIDENCE,
    FALLBACK_MIN_CONFIDENCE,
    calibrated_threshold,
    check_threshold,
    split_relations,
)
from kg.errors import ThresholdError
from kg.graph.records import candidates_graph
from kg.ontology import KGO
from kg.types import Article, Extraction, Mention, Qualifiers, RelationCandidate, Resolved

BASE = "https://example.org/"
ACME, BERLIN = URIRef(BASE + "organization/acme"), URIRef(BASE + "place/berlin")
TEXT = "Acme, based in Berlin, sells phones in Berlin. Acme said so."
SENTENCE = (0, 46)
HIGH = RelationCandidate(0, 1, "basedIn", 0.9, SENTENCE, trigger="based")
LOW = RelationCandidate(0, 1, "operatesIn", 0.3, SENTENCE, Qualifiers(status="ongoing"), "sells")
ASSERTED = (ACME, KGO.basedIn, BERLIN)
BELOW = (ACME, KGO.operatesIn, BERLIN)


def extraction(
    doc: str = "d1", relations: tuple[RelationCandidate, ...] = (HIGH, LOW)
) -> Extraction:
    mentions = (Mention(0, 4, "Acme", "Company"), Mention(15, 21, "Berlin", "City"))
    return Extraction(Article(doc, TEXT), mentions, relations, sentences=(SENTENCE,))


def state(
    *, candidates: bool = False, min_confidence: float = 0.5, docs: tuple[str, ...] = ("d1",)
) -> BuildState:
    extractions = {doc: extraction(doc) for doc in docs}
    return BuildState(
        options=BuildOptions(base=BASE, min_confidence=min_confidence, candidates=candidates),
        fingerprint="f" * 32,
        extractions=extractions,
        hashes={doc: article_hash(ex.article) for doc, ex in extractions.items()},
    )


def union(path: Path) -> Graph:
    dataset = Dataset()
    dataset.parse(path, format="trig")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


# ------------------------------------------------------------------------------ the threshold


def test_split_relations_keeps_what_is_at_or_above_the_threshold() -> None:
    at = RelationCandidate(0, 1, "partnersWith", 0.5, SENTENCE)
    kept, below = split_relations(extraction(relations=(HIGH, LOW, at)), 0.5)
    assert kept.relations == (HIGH, at)
    assert below == (LOW,)
    assert kept.mentions == extraction().mentions  # nothing else changes


def test_a_threshold_of_zero_keeps_everything_and_one_keeps_only_certainty() -> None:
    ex = extraction()
    assert split_relations(ex, 0.0) == (ex, ())
    kept, below = split_relations(ex, 1.0)
    assert kept.relations == () and below == (HIGH, LOW)


def test_resolved_articles_are_split_with_their_entity_ids() -> None:
    ids = ("organization/acme", "place/berlin")
    kept, below = threshold_resolved(
        [Resolved(extraction("d1"), ids), Resolved(extraction("d2", (HIGH,)), ids)], 0.5
    )
    assert [r.extraction.relations for r in kept] == [(HIGH,), (HIGH,)]
    assert [(r.extraction.article.id, r.extraction.relations, r.entity_ids) for r in below] == [
        ("d1", (LOW,), ids)
    ]


@pytest.mark.parametrize("value", [-0.1, 1.01, float("nan")])
def test_a_threshold_outside_zero_to_one_is_refused(value: float) -> None:
    with pytest.raises(ThresholdError, match="between 0 and 1"):
        check_threshold(value)


def test_the_default_comes_from_the_calibration_file(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    assert calibrated_threshold(path) == FALLBACK_MIN_CONFIDENCE  # no file
    path.write_text(json.dumps({"min_confidence": 0.62, "ece": 0.03}))
    assert calibrated_threshold(path) == 0.62
    for broken in ("{not json", "[0.6]", '{"min_confidence": 7}', '{"min_confidence": "0.6"}'):
        path.write_text(broken)
        assert calibrated_threshold(path) == FALLBACK_MIN_CONFIDENCE, broken
    assert 0 <= DEFAULT_MIN_CONFIDENCE <= 1


def test_extraction_records_list_the_relations_a_build_asserts() -> None:
    item = Resolved(extraction(), ("organization/acme", "place/berlin"))
    [record] = extraction_records([item], base=BASE, min_confidence=0.5)
    assert [r["predicate"] for r in record["relations"]] == ["basedIn"]  # type: ignore[index]
    [record] = extraction_records([item], base=BASE, min_confidence=0)
    assert [r["predicate"] for r in record["relations"]] == ["basedIn", "operatesIn"]  # type: ignore[index]


# ------------------------------------------------------------------------------ a build


def test_the_graph_holds_only_the_relations_at_or_above_the_threshold(tmp_path: Path) -> None:
    files = write_outputs(assemble(state()), tmp_path, base=BASE)
    assert CANDIDATES_FILE not in {f.name for f in files}
    assert not (tmp_path / CANDIDATES_FILE).exists()
    graph = union(tmp_path / "kg.trig")
    assert ASSERTED in graph
    assert BELOW not in graph
    assert not list(graph.triples((None, RDF.predicate, KGO.operatesIn)))  # nor a statement
    assert not list(graph.triples((None, KGO.confidence, Literal("0.3", datatype=XSD.decimal))))
    turtle = Graph().parse(tmp_path / "kg.ttl", format="turtle")
    assert ASSERTED in turtle and BELOW not in turtle
    assert "operatesIn" not in (tmp_path / "extractions.jsonl").read_text()
    # kg.html embeds the graph it shows: not the statement below the threshold (its trigger)
    assert '"sells"' not in (tmp_path / "kg.html").read_text()


def test_candidates_are_kept_apart_and_assert_nothing(tmp_path: Path) -> None:
    files = write_outputs(assemble(state(candidates=True)), tmp_path, html=False, base=BASE)
    assert tmp_path / CANDIDATES_FILE in files
    candidates = Dataset()
    candidates.parse(tmp_path / CANDIDATES_FILE, format="trig")
    names = {g.identifier for g in candidates.graphs() if len(g)}
    assert names == {candidates_graph(BASE)}
    graph = candidates.graph(candidates_graph(BASE))
    [node] = graph.subjects(RDF.type, KGO.CandidateStatement)
    assert graph.value(node, KGO.tripleSubject) == ACME
    assert graph.value(node, KGO.triplePredicate) == KGO.operatesIn
    assert graph.value(node, KGO.tripleObject) == BERLIN
    assert graph.value(node, KGO.confidence) == Literal("0.3", datatype=XSD.decimal)
    assert graph.value(node, PROV.wasDerivedFrom) == URIRef(BASE + "doc/d1")
    assert str(graph.value(node, KGO.evidence)) == TEXT[: SENTENCE[1]]
    assert graph.value(node, KGO.evidenceStart) == Literal(0)
    assert graph.value(node, KGO.evidenceEnd) == Literal(SENTENCE[1])
    assert graph.value(node, KGO.status) == KGO.Ongoing
    assert graph.value(node, KGO.trigger) == Literal("sells")
    assert BELOW not in graph and ASSERTED not in graph  # no direct triple
    assert not list(graph.triples((None, RDF.subject, None)))  # nor an rdf:Statement
    # the build's own graph is as without --candidates
    kg_trig = union(tmp_path / "kg.trig")
    assert BELOW not in kg_trig and (node, None, None) not in kg_trig


def test_a_relation_the_document_also_asserts_is_no_candidate(tmp_path: Path) -> None:
    again = RelationCandidate(0, 1, "basedIn", 0.2, (47, 61))  # a second, weaker mention
    build = state(candidates=True)
    build.extractions["d1"] = extraction(relations=(HIGH, LOW, again))
    write_outputs(assemble(build), tmp_path, html=False, base=BASE)
    candidates = union(tmp_path / CANDIDATES_FILE)
    predicates = set(candidates.objects(None, KGO.triplePredicate))
    assert predicates == {KGO.operatesIn}


def test_a_build_without_candidates_leaves_no_stale_candidates_file(tmp_path: Path) -> None:
    write_outputs(assemble(state(candidates=True)), tmp_path, html=False, base=BASE)
    assert (tmp_path / CANDIDATES_FILE).is_file()
    write_outputs(assemble(state()), tmp_path, html=False, base=BASE)
    assert not (tmp_path / CANDIDATES_FILE).exists()
    assert (tmp_path / "kg.trig").is_file()


def test_the_threshold_and_candidates_are_kept_for_add_and_remove(tmp_path: Path) -> None:
    write_outputs(
        assemble(state(candidates=True, min_confidence=0.5, docs=("d1", "d2"))),
        tmp_path,
        html=False,
        base=BASE,
    )
    options = load_state(tmp_path).options
    assert (options.min_confidence, options.candidates) == (0.5, True)
    remove(["d2"], out_dir=tmp_path, html=False)
    graph = union(tmp_path / "kg.trig")
    assert ASSERTED in graph and BELOW not in graph
    candidates = union(tmp_path / CANDIDATES_FILE)
    assert set(candidates.objects(None, PROV.wasDerivedFrom)) == {URIRef(BASE + "doc/d1")}
    assert load_state(tmp_path).options == options


def test_a_lower_threshold_asserts_more(tmp_path: Path) -> None:
    write_outputs(assemble(state(min_confidence=0.2)), tmp_path, html=False, base=BASE)
    graph = union(tmp_path / "kg.trig")
    assert ASSERTED in graph and BELOW in graph


def test_a_state_of_an_earlier_kg_gets_the_defaults(tmp_path: Path) -> None:
    write_outputs(assemble(state(candidates=True)), tmp_path, html=False, base=BASE)
    meta_path = state_dir(tmp_path) / "state.json"
    meta = json.loads(meta_path.read_text())
    del meta["options"]["min_confidence"], meta["options"]["candidates"]
    meta_path.write_text(json.dumps(meta))
    options = load_state(tmp_path).options
    assert (options.min_confidence, options.candidates) == (DEFAULT_MIN_CONFIDENCE, False)
