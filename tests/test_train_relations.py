"""kg.train.relations: training data from CoNLL04, the fit, scoring and determinism.

Unit tests use a blank pipeline and hand-built sentences; the test marked
``model`` trains twice on a small sample with the real pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.eval import ConllEntity, ConllRelation, ConllSentence
from kg.extract.entities import SPAN_KEY
from kg.extract.relation_candidates import LABELS, PREDICATES
from kg.extract.relation_model import probabilities
from kg.train.relations import (
    Example,
    choose_threshold,
    featurize,
    fit,
    fit_set,
    gold_entity_scores,
    gold_examples,
    predicted_examples,
    scored,
    train,
    vocabulary,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "conll04"

#: text -> (start token, end token, class) spans the fake pipeline predicts.
PREDICTED: dict[str, list[tuple[int, int, str]]] = {}


@Language.component("test_train_relations_spans")
def _fixed_spans(doc: Doc) -> Doc:
    doc.spans[SPAN_KEY] = [Span(doc, s, e, label=c) for s, e, c in PREDICTED.get(doc.text, [])]
    return doc


def sentence(tokens: str, entities: list[tuple[int, int, str]], relations=()) -> ConllSentence:
    words = tuple(tokens.split())
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    ents = tuple(
        ConllEntity(
            s,
            e,
            t,
            starts[s],
            starts[e - 1] + len(words[e - 1]),
            " ".join(words[s:e]),
        )
        for s, e, t in entities
    )
    rels = tuple(ConllRelation(h, t, kind) for h, t, kind in relations)
    return ConllSentence("conll04-test-0", words, ents, rels)


LINCOLN = sentence(
    "Booth , an actor , shot President Lincoln in Washington",
    [(0, 1, "Peop"), (3, 4, "Other"), (6, 8, "Peop"), (9, 10, "Loc")],
    [(0, 2, "Kill")],
)


@pytest.fixture
def fake_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_train_relations_spans")
    return nlp


# ----------------------------------------------------------------------- examples


def test_gold_examples_use_the_gold_spans_and_skip_other(fake_nlp: Language) -> None:
    PREDICTED[LINCOLN.text] = [(0, 1, "Person"), (7, 8, "Person"), (9, 10, "City")]
    [example] = gold_examples([LINCOLN], fake_nlp)
    spans = list(example.doc.spans[SPAN_KEY])
    assert [(s.text, s.label_) for s in spans] == [
        ("Booth", "Person"),
        ("President Lincoln", "Person"),
        ("Washington", "City"),  # the pipeline found this very span: its finer class is kept
    ]
    assert example.gold == frozenset({(0, 1, "killed")})


def test_predicted_examples_map_spans_to_the_entity_they_overlap(fake_nlp: Language) -> None:
    PREDICTED[LINCOLN.text] = [(0, 1, "Person"), (4, 5, "Place"), (7, 8, "Person")]
    [example] = predicted_examples([LINCOLN], fake_nlp)
    spans = [s.text for s in example.doc.spans[SPAN_KEY]]
    assert spans == ["Booth", ",", "Lincoln"]
    # "Lincoln" stands for the gold "President Lincoln"; "," stands for nothing
    assert example.gold == frozenset({(0, 2, "killed")})


def test_featurize_labels_each_candidate(fake_nlp: Language) -> None:
    PREDICTED[LINCOLN.text] = []
    data = featurize(gold_examples([LINCOLN], fake_nlp))
    by_pair = dict(zip(data.keys, zip(data.predicates, data.labels, strict=True), strict=True))
    assert by_pair[(0, 0, 1)] == ("killed", LABELS.index("killed"))
    assert by_pair[(0, 1, 0)] == ("killed", 0)
    assert by_pair[(0, 0, 2)] == ("livesIn", 0)
    assert (0, 2, 0) not in by_pair  # a place does not kill
    assert all("bias" in row for row in data.rows)


# ----------------------------------------------------------------------- fitting


def test_vocabulary_prunes_rare_features_and_sorts() -> None:
    assert vocabulary([["b", "a"], ["a", "c"], ["a", "b"]], min_count=2) == ("a", "b")


TOY_ROWS = [["x=1", "k"], ["x=0", "k"], ["y=1", "k"], ["y=0", "k"]] * 5
TOY_LABELS = [LABELS.index("worksFor"), 0, LABELS.index("killed"), 0] * 5
TOY_PREDICATES = ["worksFor", "worksFor", "killed", "killed"] * 5


def test_fit_learns_a_separable_toy_set() -> None:
    model = fit(TOY_ROWS, TOY_LABELS, TOY_PREDICATES, l2=0.1)
    probs = probabilities(model, TOY_ROWS[:4], TOY_PREDICATES[:4])
    assert probs[0] > 0.9 and probs[2] > 0.9
    assert probs[1] < 0.1 and probs[3] < 0.1


def test_fit_is_deterministic() -> None:
    first = fit(TOY_ROWS, TOY_LABELS, TOY_PREDICATES, l2=0.5)
    second = fit(TOY_ROWS, TOY_LABELS, TOY_PREDICATES, l2=0.5)
    assert first.features == second.features
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.bias, second.bias)


def test_stronger_l2_gives_smaller_weights() -> None:
    loose = fit(TOY_ROWS, TOY_LABELS, TOY_PREDICATES, l2=0.1)
    tight = fit(TOY_ROWS, TOY_LABELS, TOY_PREDICATES, l2=10.0)
    assert np.abs(tight.weights).sum() < np.abs(loose.weights).sum()


# ----------------------------------------------------------------------- scoring


def test_gold_entity_scores_count_hits_misses_and_false_alarms(fake_nlp: Language) -> None:
    PREDICTED[LINCOLN.text] = []
    examples = gold_examples([LINCOLN], fake_nlp)
    data = featurize(examples)
    model = fit_set(data, l2=0.1)
    scores = gold_entity_scores(examples, scored(model, data), 0.5)
    assert (scores["killed"].tp, scores["killed"].fp, scores["killed"].fn) == (1, 0, 0)
    assert scores["all"].f1 == 1.0
    nothing = gold_entity_scores(examples, scored(model, data), 1.01)
    assert (nothing["all"].tp, nothing["all"].fn) == (0, 1)


def test_scores_of_an_example_without_candidates() -> None:
    doc = spacy.blank("en")("Nothing here")
    doc.spans[SPAN_KEY] = []
    scores = gold_entity_scores([Example("x", doc, frozenset())], [], 0.5)
    assert (scores["all"].tp, scores["all"].fp, scores["all"].fn) == (0, 0, 0)


def test_the_highest_of_thresholds_that_score_alike_is_chosen() -> None:
    assert choose_threshold({0.1: 0.40, 0.2: 0.50, 0.3: 0.495, 0.4: 0.45}) == 0.3
    assert choose_threshold({0.1: 0.40, 0.2: 0.50, 0.3: 0.48}) == 0.2


# ----------------------------------------------------------------------- a whole run


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "train.json").is_file(), reason="CoNLL04 data not available")
def test_training_twice_gives_identical_weights(tmp_path: Path) -> None:
    sample = json.loads((DATA / "train.json").read_text(encoding="utf-8"))[:60]
    dev = json.loads((DATA / "dev.json").read_text(encoding="utf-8"))[:20]
    (tmp_path / "train.json").write_text(json.dumps(sample), encoding="utf-8")
    (tmp_path / "dev.json").write_text(json.dumps(dev), encoding="utf-8")
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        train(
            tmp_path / "train.json",
            tmp_path / "dev.json",
            out,
            l2_grid=(3.0,),
            min_count_grid=(1,),
            thresholds=(0.3, 0.5),
        )
    for name in ("model.json", "weights.npy"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    scores = json.loads((outs[0] / "scores.json").read_text())
    assert scores["threshold"] in (0.3, 0.5)
    assert scores["settings"] == {"l2": 3.0, "min_count": 1}
    assert set(scores["gold_entities"]["at_shipped_threshold"]) == {*PREDICATES, "all"}
