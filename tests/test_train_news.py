"""kg.train.news: training examples from the news gold, calibration and the default threshold.

Hand-parsed docs and a hand-made gold; no statistical model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from spacy.tokens import Doc

from kg.eval import parse_seeds_gold
from kg.extract.mentions import RawRelation
from kg.extract.relation_model import Calibration, load_calibration, save_calibration
from kg.train.fitting import platt, threshold_for
from kg.train.news import (
    NewsArticle,
    article_example,
    article_facts,
    folds_of,
    gold_identities,
    lexicon_points,
)
from kg.train.stated import MIN_STATED_POINTS, StatedPoints, fit_stated, judged_facts

MakeDoc = Callable[..., Doc]

# "Mr Smith , a spokesman for Acme Corp , said . Acme is based in Paris ."
TABLE = """
    Mr        PROPN compound 1
    Smith     PROPN nsubj    9
    ,         PUNCT punct    1
    a         DET   det      4
    spokesman NOUN  appos    1
    for       ADP   prep     4
    Acme      PROPN compound 7
    Corp      PROPN pobj     5
    ,         PUNCT punct    1
    said      VERB  ROOT     9 say
    .         PUNCT punct    9
    Acme      PROPN nsubjpass 13
    is        AUX   auxpass  13 be
    based     VERB  ROOT     13 base
    in        ADP   prep     13
    Paris     PROPN pobj     14
    .         PUNCT punct    13
"""
SPANS = [(0, 2, "Person", ""), (6, 8, "Company", ""), (11, 12, "Company", ""), (15, 16, "City", "")]

GOLD = parse_seeds_gold(
    {
        "documents": [{"id": "d1"}],
        "entities": [
            {"label": "John Smith", "class": "Person", "names": ["Mr Smith", "Smith"],
             "docs": ["d1"]},
            {"label": "Acme Corp", "class": "Company", "names": ["Acme Corp", "Acme"],
             "docs": ["d1"]},
            {"label": "Paris", "class": "City", "names": ["Paris"], "docs": ["d1"]},
        ],
        "relations": [
            {"subject": "John Smith", "predicate": "worksFor", "object": "Acme Corp",
             "doc": "d1", "evidence": "a spokesman for Acme Corp"},
            {"subject": "Acme Corp", "predicate": "basedIn", "object": "Paris", "doc": "d1",
             "evidence": "Acme is based in Paris", "optional": True},
        ],
        "observations": [],
    }
)  # fmt: skip


def doc_of(make_doc: MakeDoc) -> Doc:
    return make_doc(TABLE, spans=SPANS)


def test_each_span_stands_for_the_gold_entity_whose_name_it_gives(make_doc: MakeDoc) -> None:
    doc = doc_of(make_doc)
    who = gold_identities(list(doc.spans["kg_entities"]), GOLD, "d1")
    assert who == {0: "John Smith", 1: "Acme Corp", 2: "Acme Corp", 3: "Paris"}
    assert gold_identities(list(doc.spans["kg_entities"]), GOLD, "other") == {}


def test_the_evidence_sentence_labels_its_pair_and_optional_facts_are_left_out(
    make_doc: MakeDoc,
) -> None:
    example = article_example(doc_of(make_doc), "d1", GOLD)
    assert example.gold == frozenset({(0, 1, "worksFor")})
    # the optional basedIn is neither a positive nor a negative
    assert (2, 3, "basedIn") in example.ignore
    assert (0, 1, "worksFor") not in example.ignore


def test_article_facts_hold_alternatives_and_split_optional_ones() -> None:
    required, optional = article_facts(GOLD, "d1")
    assert required == {("John Smith", "worksFor", "Acme Corp")}
    assert optional == {("Acme Corp", "basedIn", "Paris")}


def test_lexicon_relations_are_judged_on_the_gold_entities_they_name(make_doc: MakeDoc) -> None:
    doc = doc_of(make_doc)
    doc._.kg_relations = [
        RawRelation(0, 1, "worksFor", 0.8, (0, 11), "spokesman for"),  # right
        RawRelation(0, 3, "livesIn", 0.7, (0, 17), "in"),  # wrong: not stated
        RawRelation(2, 3, "basedIn", 0.9, (11, 17), "based in"),  # optional: left out
    ]
    who = gold_identities(list(doc.spans["kg_entities"]), GOLD, "d1")
    required, optional = article_facts(GOLD, "d1")
    article = NewsArticle(article_example(doc, "d1", GOLD), who, frozenset(required),
                          frozenset(optional))  # fmt: skip
    points = lexicon_points([article])
    assert set(points) == {"worksFor", "livesIn"}
    assert points["worksFor"][1].tolist() == [1.0]
    assert points["livesIn"][1].tolist() == [0.0]


def test_stated_facts_count_once_at_their_likeliest_and_say_their_source(
    make_doc: MakeDoc,
) -> None:
    doc = doc_of(make_doc)
    who = gold_identities(list(doc.spans["kg_entities"]), GOLD, "d1")
    required, optional = article_facts(GOLD, "d1")
    article = NewsArticle(article_example(doc, "d1", GOLD), who, frozenset(required),
                          frozenset(optional))  # fmt: skip
    stated = [
        RawRelation(0, 1, "worksFor", 0.6, (0, 11), "spokesman for"),  # right
        RawRelation(0, 2, "worksFor", 0.4, (0, 17), "classifier"),  # the same fact: lower
        RawRelation(0, 3, "livesIn", 0.7, (0, 17), "classifier"),  # not stated: wrong
        RawRelation(2, 3, "basedIn", 0.9, (11, 17), "based in"),  # optional: left out
        RawRelation(1, 2, "subsidiaryOf", 0.9, (0, 17), "unit"),  # one entity: nothing
    ]
    assert judged_facts(article, stated) == [
        (0.7, 0.0, "classifier"),  # ('John Smith', 'livesIn', 'Paris')
        (0.6, 1.0, "lexicon"),  # ('John Smith', 'worksFor', 'Acme Corp')
    ]


def test_the_last_step_lowers_an_overconfident_source_and_survives_the_file(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(1)
    n = 4 * MIN_STATED_POINTS
    confidence = rng.uniform(0.3, 1.0, n)
    right = (rng.uniform(0.0, 1.0, n) < confidence * 0.5).astype(float)  # twice too sure
    sources = ("lexicon",) * n + ("classifier",) * (MIN_STATED_POINTS - 1)  # too few to fit
    points = StatedPoints(
        np.concatenate([confidence, np.full(MIN_STATED_POINTS - 1, 0.5)]),
        np.concatenate([right, np.ones(MIN_STATED_POINTS - 1)]),
        sources,
    )
    maps = fit_stated(points)
    assert set(maps) == {"lexicon"}
    save_calibration(Calibration(stated=maps), tmp_path)
    calibration = load_calibration(tmp_path)
    assert calibration.of_stated(0.8, "lexicon") == pytest.approx(0.4, abs=0.12)
    assert calibration.of_stated(0.8, "classifier") == 0.8


def test_platt_scaling_tracks_the_rate_of_right_answers() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.0, 1.0, 4000)
    y = (rng.uniform(0.0, 1.0, 4000) < p * 0.5).astype(float)  # a model twice too sure
    knots_x, knots_y = platt(p, y)
    at = float(np.interp(0.8, knots_x, knots_y))
    assert at == pytest.approx(0.4, abs=0.07)
    assert knots_y == sorted(knots_y)


def test_the_threshold_is_the_lowest_that_reaches_the_precision() -> None:
    confidence = np.array([0.1, 0.3, 0.5, 0.6, 0.9, 0.95])
    correct = np.array([0, 0, 1, 0, 1, 1])
    assert threshold_for(confidence, correct, 0.75) == 0.5
    assert threshold_for(confidence, correct, 1.0) == 0.9
    assert threshold_for(np.array([0.2]), np.array([0]), 0.5) == 1.0


def test_folds_split_articles_without_random_state() -> None:
    folds = folds_of(7, 3)
    assert [f.tolist() for f in folds] == [[0, 3, 6], [1, 4], [2, 5]]


@pytest.mark.parametrize(
    ("options", "settings"),
    [
        ([], []),
        (["--l2", "30", "--lexicon-l2", "1"], [(30.0, 1.0, 1.0)]),
        (["--l2", "10"], [(10.0, 1.0, None)]),
    ],
)
def test_the_command_line_tries_the_grid_or_the_settings_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], settings: list[object]
) -> None:
    import kg.train.news as news

    for name in ("conll.json", "news.gold.json", "news.jsonl"):
        (tmp_path / name).write_text("{}")
    seen: dict[str, object] = {}
    monkeypatch.setattr(news, "train", lambda *a, **k: seen.update(k) or {"ok": True})
    news.main(["--conll", str(tmp_path / "conll.json"), "--news", str(tmp_path / "news.gold.json"),
               *options])  # fmt: skip
    assert seen["settings"] == settings
