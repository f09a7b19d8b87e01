"""kg.extract.classifier: candidates, features, the model files and the component.

Unit tests use hand-parsed docs and small hand-made models (no statistical
model); the tests marked ``model`` load the shipped weights into the real
pipeline and run it on new sentences.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from kg.errors import ModelNotFoundError
from kg.extract.classifier import (
    RelationClassifier,
    ScoredCandidate,
    conflict,
    decode,
    former_link,
    listed_places,
    score_candidates,
)
from kg.extract.mentions import RawRelation
from kg.extract.relation_candidates import (
    CONLL_PREDICATES,
    DENSE,
    LABELS,
    NEIGHBOURS,
    PREDICATES,
    PREDICATES_OF,
    TRIGGER,
    Candidate,
    candidates,
    sentence_units,
)
from kg.extract.relation_features import DocFeatures, dependency_path, lexicon_pairs, pair_features
from kg.extract.relation_model import (
    Calibration,
    RelationModel,
    default_model_dir,
    load_calibration,
    load_model,
    probabilities,
    save_model,
)
from kg.gazetteer import Gazetteer, GazetteerEntry

MakeDoc = Callable[..., Doc]  # the make_doc fixture of conftest.py

# "Maria Lopez, a spokeswoman for Acme Corp, said."
SPOKESWOMAN = """
    Maria        PROPN compound 1
    Lopez        PROPN nsubj    9
    ,            PUNCT punct    1
    a            DET   det      4
    spokeswoman  NOUN  appos    1
    for          ADP   prep     4
    Acme         PROPN compound 7
    Corp         PROPN pobj     5
    ,            PUNCT punct    1
    said         VERB  ROOT     9 say
    .            PUNCT punct    9
"""
PERSON_AND_COMPANY = [(0, 2, "Person", ""), (6, 8, "Company", "")]


def spokeswoman(make_doc: MakeDoc, **options: object) -> Doc:
    return make_doc(SPOKESWOMAN, spans=PERSON_AND_COMPANY, **options)


def model_for(weights: dict[tuple[str, str], float], bias: float = -2.0) -> RelationModel:
    """A hand-made model: (feature, predicate) -> weight; NONE stays at zero."""
    features = tuple(sorted({f for f, _ in weights}))
    matrix = np.zeros((len(features), len(LABELS)), dtype=np.float32)
    for (feature, predicate), value in weights.items():
        matrix[features.index(feature), LABELS.index(predicate)] = value
    biases = np.full(len(LABELS), bias, dtype=np.float32)
    biases[0] = 0.0
    return RelationModel(features, matrix, biases, threshold=0.5)


# ----------------------------------------------------------------------- candidates


def test_each_class_pair_allows_the_predicates_of_its_signature() -> None:
    assert PREDICATES_OF[("Person", "Organization")] == (
        "worksFor",
        "sanctions",
        "liftsSanctionOn",
        "sues",
    )
    assert PREDICATES_OF[("Organization", "Place")] == ("basedIn", "operatesIn", "plansToEnter")
    assert PREDICATES_OF[("Place", "Place")] == ("locatedIn",)
    assert PREDICATES_OF[("Organization", "Person")] == ("sues",)
    assert ("Place", "Person") not in PREDICATES_OF
    assert {p for ps in PREDICATES_OF.values() for p in ps} == set(PREDICATES)


def test_candidates_follow_the_signatures_with_fine_classes(make_doc: MakeDoc) -> None:
    doc = spokeswoman(make_doc)
    assert candidates(doc, CONLL_PREDICATES) == [Candidate(0, 1, "worksFor", (0, 11))]
    assert [(c.head, c.tail, c.predicate) for c in candidates(doc)] == [
        (0, 1, "worksFor"),
        (0, 1, "sanctions"),
        (0, 1, "liftsSanctionOn"),
        (0, 1, "sues"),
        (1, 0, "sues"),
    ]


def test_two_places_are_candidates_both_ways(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Oslo    PROPN ROOT  0
        ,       PUNCT punct 0
        Norway  PROPN appos 0
        """,
        spans=[(0, 1, "City", ""), (2, 3, "Country", "")],
    )
    assert [(c.head, c.tail, c.predicate) for c in candidates(doc)] == [
        (0, 1, "locatedIn"),
        (1, 0, "locatedIn"),
    ]


def test_mentions_in_different_sentences_are_not_paired(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Ann    PROPN nsubj 1
        left   VERB  ROOT  1 leave
        .      PUNCT punct 1
        Oslo   PROPN nsubj 4
        grew   VERB  ROOT  4 grow
        .      PUNCT punct 4
        """,
        spans=[(0, 1, "Person", ""), (3, 4, "City", "")],
    )
    assert sentence_units(doc) == [(0, 3), (3, 6)]
    assert candidates(doc) == []


def test_a_sentence_cut_without_final_punctuation_runs_on(blank_nlp: Language) -> None:
    doc = Doc(
        blank_nlp.vocab,
        words=["Ann", "said", ";", "Oslo", "grew", "."],
        sent_starts=[True, False, False, True, False, False],
    )
    assert sentence_units(doc) == [(0, 6)]


def test_a_list_of_names_pairs_each_only_with_its_neighbours(blank_nlp: Language) -> None:
    # "Ann, Ben, ..., and Oslo": one sentence with far more mentions than DENSE.
    n = 3 * DENSE
    words = [w for i in range(n) for w in (f"P{i}", ",")] + ["Oslo", "."]
    doc = Doc(blank_nlp.vocab, words=words, sent_starts=[i == 0 for i in range(len(words))])
    people = [Span(doc, 2 * i, 2 * i + 1, label="Person") for i in range(n)]
    doc.spans["kg_entities"] = [*people, Span(doc, 2 * n, 2 * n + 1, label="City")]
    found = candidates(doc)
    assert found and all(abs(c.head - c.tail) <= NEIGHBOURS for c in found)
    # The city is paired with the people nearest to it, not with all of them.
    assert {c.head for c in found if c.tail == n} == set(range(n - NEIGHBOURS, n))
    # Up to DENSE mentions every pair is a candidate, as before.
    k = DENSE - 1
    few = Doc(blank_nlp.vocab, words=[*words[: 2 * k], "Oslo", "."])
    few.spans["kg_entities"] = [
        *(Span(few, 2 * i, 2 * i + 1, label="Person") for i in range(k)),
        Span(few, 2 * k, 2 * k + 1, label="City"),
    ]
    # killed between any two, livesIn
    assert len(candidates(few, CONLL_PREDICATES)) == k * (k - 1) + k


def test_overlapping_spans_are_never_paired(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme   PROPN compound 1
        Paris  PROPN ROOT     1
        """,
        spans=[(0, 2, "Company", ""), (1, 2, "City", "")],
    )
    assert candidates(doc) == []


# ----------------------------------------------------------------------- features


def test_features_describe_classes_words_between_and_the_path(make_doc: MakeDoc) -> None:
    features = pair_features(spokeswoman(make_doc), 0, 1)
    for expected in (
        "types=Person>Organization",
        "fine=Person>Company",
        "dir=ht",
        "b=spokeswoman",
        "bf=,",
        "bl=for",
        "bs=ht:,_a_spokeswoman_for",
        "comma",
        "h-1=<s>",
        "t+1=,",
        "pu=|>appos >prep >pobj",
        "ptrig=worksFor",
        "hdep=nsubj",
        "tdep=pobj",
    ):
        assert expected in features, expected
    assert len(features) == len(set(features))


def test_features_change_with_the_direction(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Oslo    PROPN ROOT  0
        ,       PUNCT punct 0
        Norway  PROPN appos 0
        """,
        spans=[(0, 1, "City", ""), (2, 3, "Country", "")],
    )
    forward, backward = pair_features(doc, 0, 1), pair_features(doc, 1, 0)
    assert "dir=ht" in forward and "dir=th" in backward
    assert "pu=|>appos" in forward and "pu=appos<|" in backward
    assert "tqualifies" in forward and "hqualifies" in backward


def test_one_view_for_all_pairs_gives_each_pair_its_own_features(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Oslo    PROPN ROOT  0
        ,       PUNCT punct 0
        Norway  PROPN appos 0
        """,
        spans=[(0, 1, "City", ""), (2, 3, "Country", "")],
    )
    view = DocFeatures(doc)
    shared = [pair_features(doc, h, t, view=view) for h, t in ((0, 1), (1, 0), (0, 1))]
    alone = [pair_features(doc, h, t) for h, t in ((0, 1), (1, 0), (0, 1))]
    assert shared == alone
    assert shared[0] != shared[1]  # the cached per-mention parts keep their roles apart


def test_the_lexicon_relations_are_features(make_doc: MakeDoc) -> None:
    doc = spokeswoman(make_doc)
    doc._.kg_relations = [RawRelation(0, 1, "worksFor", 0.8, (0, 11), "spokeswoman for")]
    assert lexicon_pairs(doc) == {(0, 1): frozenset({"worksFor"})}
    assert "lex=worksFor" in pair_features(doc, 0, 1)


def test_dependency_path_climbs_to_the_meeting_token(make_doc: MakeDoc) -> None:
    doc = spokeswoman(make_doc)
    path = dependency_path(doc[7], doc[1])
    assert path is not None
    up, top, down = path
    assert [t.text for t in up] == ["Corp", "for", "spokeswoman"]
    assert top.text == "Lopez"
    assert down == []


# ----------------------------------------------------------------------- model and decoding


def test_probabilities_compare_the_predicate_with_none() -> None:
    model = model_for({("b=for", "worksFor"): 4.0}, bias=-2.0)
    high, low = probabilities(model, [["b=for", "unknown"], []], ["worksFor", "worksFor"])
    assert high == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert low == pytest.approx(1 / (1 + np.exp(2.0)))


def test_decode_keeps_the_likelier_direction_and_the_threshold() -> None:
    a = ScoredCandidate(Candidate(0, 1, "locatedIn", (0, 3)), 0.7)
    b = ScoredCandidate(Candidate(1, 0, "locatedIn", (0, 3)), 0.8)
    c = ScoredCandidate(Candidate(2, 1, "locatedIn", (0, 3)), 0.2)
    assert [(s.candidate.head, s.candidate.tail) for s in decode([a, b, c], 0.5)] == [(1, 0)]


def test_decode_adds_where_a_resident_also_lives() -> None:
    lives = ScoredCandidate(Candidate(0, 1, "livesIn", (0, 5)), 0.9)
    located = ScoredCandidate(Candidate(1, 2, "locatedIn", (0, 5)), 0.6)
    outer = ScoredCandidate(Candidate(0, 2, "livesIn", (0, 5)), 0.1)
    kept = {
        (s.candidate.head, s.candidate.tail): s.probability
        for s in decode([lives, located, outer], 0.5)
    }
    assert kept == {(0, 1): 0.9, (1, 2): 0.6, (0, 2): 0.6}


def test_decode_puts_every_place_of_a_run_where_the_last_one_is() -> None:
    """ "Ryde, Bondi and Manly in Sydney": mentions 0, 1, 2 before "in", Sydney 3."""
    last = ScoredCandidate(Candidate(2, 3, "locatedIn", (0, 9)), 0.8)
    first = ScoredCandidate(Candidate(0, 3, "locatedIn", (0, 9)), 0.2)
    runs = {0: ([1, 2], 3), 1: ([0, 2], 3), 2: ([0, 1], 3)}
    kept = {(s.candidate.head, s.candidate.tail) for s in decode([last, first], 0.5, runs=runs)}
    assert kept == {(2, 3), (0, 3)}  # mention 1 was no candidate of the pair: nothing to add
    assert {(s.candidate.head, s.candidate.tail) for s in decode([last, first], 0.5)} == {(2, 3)}


def test_decode_gives_every_listed_place_what_one_of_them_has() -> None:
    first = ScoredCandidate(Candidate(0, 1, "operatesIn", (0, 9)), 0.8)
    second = ScoredCandidate(Candidate(0, 2, "operatesIn", (0, 9)), 0.3)
    third = ScoredCandidate(Candidate(0, 3, "operatesIn", (0, 9)), 0.1)
    elsewhere = ScoredCandidate(Candidate(0, 4, "operatesIn", (0, 9)), 0.2)
    listed = {1: [2, 3], 2: [1, 3], 3: [1, 2]}
    kept = {
        (s.candidate.tail, s.probability)
        for s in decode([first, second, third, elsewhere], 0.5, listed)
    }
    assert kept == {(1, 0.8), (2, 0.8), (3, 0.8)}
    assert [s.candidate.tail for s in decode([first, second, third], 0.5)] == [1]


def test_a_listed_place_keeps_the_predicate_its_pair_was_given() -> None:
    operates = ScoredCandidate(Candidate(0, 1, "operatesIn", (0, 9)), 0.8)
    based = ScoredCandidate(Candidate(0, 2, "basedIn", (0, 9)), 0.6)
    also = ScoredCandidate(Candidate(0, 2, "operatesIn", (0, 9)), 0.2)
    kept = {
        (s.candidate.tail, s.candidate.predicate)
        for s in decode([operates, based, also], 0.5, {1: [2], 2: [1]})
    }
    assert kept == {(1, "operatesIn"), (2, "basedIn")}


def test_listed_places_follow_the_coordination_of_place_names() -> None:
    words = ["in", "Ohio", ",", "Iowa", "and", "Acme", "Corp"]
    heads = [0, 0, 1, 1, 3, 6, 3]
    deps = ["ROOT", "pobj", "punct", "conj", "cc", "compound", "conj"]
    doc = Doc(Vocab(), words=words, heads=heads, deps=deps)
    spans = [
        Span(doc, 1, 2, label="Region"),
        Span(doc, 3, 4, label="Region"),
        Span(doc, 5, 7, label="Company"),
    ]
    assert listed_places(spans) == {0: [1], 1: [0]}


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = model_for({("b=for", "worksFor"): 1.5, ("comma", "basedIn"): -0.5})
    files = save_model(model, tmp_path)
    assert sorted(f.name for f in files) == ["model.json", "weights.npy"]
    loaded = load_model(tmp_path)
    assert loaded.features == model.features
    assert np.array_equal(loaded.weights, model.weights)
    assert np.allclose(loaded.bias, model.bias)
    assert loaded.threshold == 0.5


def test_missing_or_broken_weights_say_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"python -m kg\.train\.news"):
        load_model(tmp_path)
    save_model(model_for({("b=for", "worksFor"): 1.0}), tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    meta["features"].append("extra")
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelNotFoundError, match="do not match"):
        load_model(tmp_path)


# ----------------------------------------------------------------------- restrictions


def test_a_lexicon_relation_of_another_predicate_wins(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj 1
        entered VERB  ROOT  1 enter
        Peru    PROPN dobj  1
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "Country", "")],
    )
    doc._.kg_relations = [RawRelation(0, 1, "operatesIn", 0.8, (0, 3), "entered")]
    assert conflict(doc, Candidate(0, 1, "basedIn", (0, 3))) == "lexicon"


def test_known_countries_that_disagree_block_based_in(make_doc: MakeDoc) -> None:
    gazetteer = Gazetteer.from_entries(
        [
            GazetteerEntry("acme", "Company", "Acme", country="peru"),
            GazetteerEntry("peru", "Country", "Peru"),
            GazetteerEntry("chile", "Country", "Chile"),
        ]
    )
    table = """
        Acme    PROPN nsubj 1
        sells   VERB  ROOT  1 sell
        in      ADP   prep  1
        Chile   PROPN pobj  2
    """
    doc = make_doc(table, spans=[(0, 1, "Company", "acme"), (3, 4, "Country", "chile")])
    assert conflict(doc, Candidate(0, 1, "basedIn", (0, 4)), gazetteer=gazetteer) == "gazetteer"
    doc = make_doc(table, spans=[(0, 1, "Company", "acme"), (3, 4, "Country", "peru")])
    assert conflict(doc, Candidate(0, 1, "basedIn", (0, 4)), gazetteer=gazetteer) is None
    doc = make_doc(table, spans=[(0, 1, "Company", ""), (3, 4, "Country", "chile")])
    assert conflict(doc, Candidate(0, 1, "basedIn", (0, 4)), gazetteer=gazetteer) is None


def test_a_person_modifying_a_noun_does_not_work_for_anyone(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the            DET   det      2
        Trump          PROPN compound 2
        administration NOUN  nsubj    3
        banned         VERB  ROOT     3 ban
        Acme           PROPN dobj     3
        """,
        spans=[(1, 2, "Person", ""), (4, 5, "Company", "")],
    )
    assert conflict(doc, Candidate(0, 1, "worksFor", (0, 5))) == "modifier"


def test_a_person_talking_to_the_press_does_not_work_for_it(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Lee      PROPN nsubj 1
        told     VERB  ROOT  1 tell
        Reuters  PROPN dobj  1
        .        PUNCT punct 1
        """,
        spans=[(0, 1, "Person", ""), (2, 3, "MediaOrganization", "")],
    )
    assert conflict(doc, Candidate(0, 1, "worksFor", (0, 4))) == "reporting"
    assert conflict(spokeswoman(make_doc), Candidate(0, 1, "worksFor", (0, 11))) is None


def test_an_organization_other_peoples_title_holds_does_not_employ_the_person(
    make_doc: MakeDoc,
) -> None:
    """ "Lee won praise from the leaders of Congress": the leaders work for Congress."""
    doc = make_doc(
        """
        Lee      PROPN nsubj 1
        won      VERB  ROOT  1 win
        praise   NOUN  dobj  1
        from     ADP   prep  2
        the      DET   det   5
        leaders  NOUN  pobj  3 leader NNS
        of       ADP   prep  5
        Congress PROPN pobj  6
        .        PUNCT punct 1
        """,
        spans=[(0, 1, "Person", ""), (7, 8, "GovernmentAgency", "")],
    )
    assert conflict(doc, Candidate(0, 1, "worksFor", (0, 9))) == "others"


def test_people_who_are_the_titled_ones_may_work_for_the_organization(make_doc: MakeDoc) -> None:
    """ "Lee and Kim are leaders of Congress": Kim is one of the leaders."""
    doc = make_doc(
        """
        Lee      PROPN nsubj 3
        and      CCONJ cc    0
        Kim      PROPN conj  0
        are      AUX   ROOT  3 be
        leaders  NOUN  attr  3 leader NNS
        of       ADP   prep  4
        Congress PROPN pobj  5
        .        PUNCT punct 3
        """,
        spans=[(0, 1, "Person", ""), (2, 3, "Person", ""), (6, 7, "GovernmentAgency", "")],
    )
    assert conflict(doc, Candidate(1, 2, "worksFor", (0, 8))) is None


# ----------------------------------------------------------------------- the component


@pytest.mark.parametrize(
    ("word", "ended"), [("former", True), ("retired", True), ("ex-", True), ("senior", False)]
)
def test_a_former_title_between_the_mentions_ends_the_relation(
    make_doc: MakeDoc, word: str, ended: bool
) -> None:
    # "Ann Lee, the former Acme Corp chief, said."
    doc = make_doc(
        f"""
        Ann    PROPN compound 1
        Lee    PROPN nsubj    9
        ,      PUNCT punct    1
        the    DET   det      7
        {word} ADJ   amod     7
        Acme   PROPN compound 6
        Corp   PROPN compound 7
        chief  NOUN  appos    1
        ,      PUNCT punct    1
        said   VERB  ROOT     9 say
        .      PUNCT punct    9
        """,
        spans=[(0, 2, "Person", ""), (5, 7, "Company", "")],
    )
    person, company = doc.spans["kg_entities"]
    assert former_link(person, company) is ended
    # a word of ending on one of the names themselves ends nothing: "the former Soviet Union"
    assert not former_link(doc[3:8], person)


def test_the_component_appends_what_the_model_finds(make_doc: MakeDoc) -> None:
    component = RelationClassifier("c", model=model_for({("b=spokeswoman", "worksFor"): 5.0}))
    doc = spokeswoman(make_doc)
    doc._.kg_relations = []
    by_predicate = {s.candidate.predicate: s for s in score_candidates(doc, component.model)}
    scored = by_predicate["worksFor"]
    assert scored.probability == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert by_predicate["sues"].probability == pytest.approx(1 / (1 + np.exp(2.0)))
    component(doc)
    [relation] = doc._.kg_relations
    assert (relation.head, relation.tail, relation.predicate) == (0, 1, "worksFor")
    assert relation.trigger == TRIGGER
    assert relation.sentence == (0, 11)
    assert relation.confidence == pytest.approx(scored.probability, abs=1e-4)


def test_the_lexicon_relation_takes_the_models_probability_and_is_not_repeated(
    make_doc: MakeDoc,
) -> None:
    component = RelationClassifier("c", model=model_for({("b=spokeswoman", "worksFor"): 5.0}))
    doc = spokeswoman(make_doc)
    lexicon = RawRelation(0, 1, "worksFor", 0.8, (0, 11), "spokeswoman for")
    doc._.kg_relations = [lexicon]
    component(doc)
    probability = round(1 / (1 + np.exp(-3.0)), 4)
    assert doc._.kg_relations == [replace(lexicon, confidence=probability)]


def test_calibration_maps_model_and_lexicon_scores(make_doc: MakeDoc) -> None:
    calibration = Calibration(
        classifier=([0.0, 0.5, 1.0], [0.0, 0.1, 0.5]), lexicon=([0.0, 1.0], [0.0, 0.25])
    )
    # a model that learnt worksFor only: a lexicon "sues" has no candidate of the model
    model = RelationModel(
        ("b=spokeswoman",),
        np.array([[0.0, 5.0]], dtype=np.float32),
        np.array([0.0, -2.0], dtype=np.float32),
        labels=("NONE", "worksFor"),
    )
    component = RelationClassifier("c", model=model, threshold=0.5, calibration=calibration)
    doc = spokeswoman(make_doc)
    doc._.kg_relations = []
    [found] = component(doc)._.kg_relations
    p = 1 / (1 + np.exp(-3.0))
    assert found.confidence == pytest.approx(0.1 + (p - 0.5) * 0.8, abs=1e-4)
    doc._.kg_relations = [RawRelation(1, 0, "sues", 0.8, (0, 11), "sue")]
    [lexicon] = component(doc)._.kg_relations  # its pair is taken: no worksFor beside it
    assert (lexicon.predicate, lexicon.confidence) == ("sues", pytest.approx(0.2))


def test_the_component_respects_its_threshold(make_doc: MakeDoc) -> None:
    model = model_for({("b=spokeswoman", "worksFor"): 5.0})
    doc = spokeswoman(make_doc)
    assert RelationClassifier("c", model=model, threshold=0.96).predict(doc) == []
    assert len(RelationClassifier("c", model=model, threshold=0.9).predict(doc)) == 1


# ----------------------------------------------------------------------- the shipped weights


def test_the_shipped_weights_load_and_are_small() -> None:
    folder = default_model_dir()
    model = load_model()
    assert model.labels[0] == "NONE" and set(model.labels) <= set(LABELS)
    assert {"worksFor", "basedIn", "subsidiaryOf"} <= set(model.labels)
    assert 0.0 < model.threshold < 1.0
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    assert size < 5_000_000
    scores = json.loads((folder / "scores.json").read_text())
    assert scores["command"].startswith("python -m kg.train.news")
    calibration = load_calibration()
    assert scores["min_confidence"] == calibration.min_confidence
    assert 0.0 <= calibration.min_confidence < scores["precise_threshold"] <= 1.0
    knots_x, knots_y = calibration.classifier
    assert knots_x == sorted(knots_x) and knots_y == sorted(knots_y)


@pytest.fixture(scope="module")
def classifier_nlp() -> Language:
    """kg's pipeline with the shipped classifier (a pipeline of its own, not conftest's)."""
    from kg.extract import make_nlp

    nlp = make_nlp()
    nlp.add_pipe("kg_relation_classifier_v1", after="kg_relations")
    return nlp


def _classified(nlp: Language, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    spans = list(doc.spans["kg_entities"])
    return {
        (spans[r.head].text, r.predicate, spans[r.tail].text)
        for r in doc._.kg_relations
        if r.trigger == TRIGGER
    }


@pytest.mark.model
def test_the_component_runs_after_the_lexicon(classifier_nlp: Language) -> None:
    names = classifier_nlp.pipe_names
    assert names.index("kg_relation_classifier_v1") == names.index("kg_relations") + 1


@pytest.mark.model
def test_the_shipped_model_finds_an_employer(classifier_nlp: Language) -> None:
    found = _classified(
        classifier_nlp,
        # no lexicon trigger ("paralegal with"): the model's own finding
        "Maria Lopez, a paralegal with Acme Corp, said on Tuesday that the company would appeal.",
    )
    assert ("Maria Lopez", "worksFor", "Acme Corp") in found


@pytest.mark.model
def test_the_shipped_model_finds_a_home_town(classifier_nlp: Language) -> None:
    found = _classified(
        classifier_nlp, "Mr. Olsen, a retired farmer from Fargo, told the council he would vote no."
    )
    assert any(p == "livesIn" and t == "Fargo" for _, p, t in found)


@pytest.mark.model
def test_the_shipped_model_finds_where_a_company_is(classifier_nlp: Language) -> None:
    found = _classified(classifier_nlp, "Acme Corp, a software maker in Fargo, said profits rose.")
    assert found == {("Acme Corp", "basedIn", "Fargo")}


@pytest.mark.model
@pytest.mark.parametrize(("stance", "related"), [("anti-", False), ("", True)])
def test_an_organization_named_in_a_stance_employs_no_one(
    classifier_nlp: Language, stance: str, related: bool
) -> None:
    doc = classifier_nlp(f"The council will be headed by the {stance}Taliban commander Ali Khan.")
    spans = list(doc.spans["kg_entities"])
    found = {(spans[r.head].text, r.predicate, spans[r.tail].text) for r in doc._.kg_relations}
    assert (("Ali Khan", "worksFor", "Taliban") in found) is related


@pytest.mark.model
def test_where_words_were_said_is_not_where_the_speaker_lives(classifier_nlp: Language) -> None:
    said = "Rear Admiral John Stufflebeem said in Washington that the raids would go on."
    assert not any(p == "livesIn" for _, p, _ in _classified(classifier_nlp, said))


@pytest.mark.model
def test_a_retired_farmer_still_lives_where_he_is_from(classifier_nlp: Language) -> None:
    doc = classifier_nlp(
        "Mr. Olsen, a retired farmer from Fargo, told the council he would vote no."
    )
    spans = list(doc.spans["kg_entities"])
    lives = [r for r in doc._.kg_relations if r.predicate == "livesIn"]
    assert [spans[r.tail].text for r in lives] == ["Fargo"]
    assert lives[0].status is None
