"""The last step of the relation calibration: what the whole component states, held out.

:mod:`kg.train.news` calibrates the model's probabilities on held-out
candidates. The relation component then does more with them: it rescores the
lexicon's relations, drops the candidates known facts contradict, adds what
``basedIn`` and ``locatedIn`` imply, and keeps the lexicon's relations the
model does not score. Here each fold's model runs the component
(:meth:`kg.extract.classifier.RelationClassifier.predict`) on the articles it
did not see; of the relations stated for one fact of an article the likeliest
counts, right when the article states the fact (optional facts are left out).
A logistic map per source (the model's own relations, the lexicon's) fitted on
these facts is the calibration's ``stated`` step, so that a confidence of a
built relation is the share of such relations a careful reader finds right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from kg.extract.classifier import RelationClassifier, relation_source
from kg.extract.mentions import RawRelation, mention_table
from kg.extract.relation_model import Calibration, RelationModel
from kg.gazetteer import Gazetteer
from kg.train.fitting import calibration_error, platt, threshold_table

#: A source's map is fitted from this many held-out facts; with fewer it stays as is.
MIN_STATED_POINTS = 30
#: The sources of stated relations (:meth:`Calibration.of_stated`).
SOURCES = ("classifier", "lexicon")


class JudgedArticle(Protocol):
    """A parsed gold article (:class:`kg.train.news.NewsArticle`): its doc, which gold
    entity each entity span names, and its gold facts (required and optional)."""

    @property
    def example(self) -> Any: ...

    @property
    def who(self) -> dict[int, str]: ...

    @property
    def facts(self) -> frozenset[tuple[str, str, str]]: ...

    @property
    def optional(self) -> frozenset[tuple[str, str, str]]: ...


@dataclass(frozen=True)
class StatedPoints:
    """Held-out facts as the component states them: confidence, right (1.0 or 0.0), source."""

    confidence: np.ndarray
    right: np.ndarray
    source: tuple[str, ...]


def stated_points(
    articles: Sequence[JudgedArticle],
    folds: Sequence[np.ndarray],
    models: Sequence[RelationModel],
    calibration: Calibration,
    gazetteer: Gazetteer | None,
) -> StatedPoints:
    """The facts each fold's model states, through the component, on the fold's articles."""
    points: list[tuple[float, float, str]] = []
    for fold, model in zip(folds, models, strict=True):
        component = RelationClassifier(
            "held_out", model=model, gazetteer=gazetteer, calibration=calibration
        )
        for index in sorted(fold.tolist()):
            article = articles[index]
            points += judged_facts(article, component.predict(article.example.doc))
    return StatedPoints(
        np.asarray([c for c, _, _ in points], dtype=float),
        np.asarray([r for _, r, _ in points], dtype=float),
        tuple(s for _, _, s in points),
    )


def judged_facts(
    article: JudgedArticle, relations: Sequence[RawRelation]
) -> list[tuple[float, float, str]]:
    """(confidence, right, source) of each fact the relations state, the likeliest of a
    fact's relations standing for it; an end that names no gold entity makes it wrong."""
    table = mention_table(article.example.doc)
    best: dict[tuple[str, str, str], tuple[float, str]] = {}
    for relation in relations:
        head = article.who.get(table[relation.head].entity, f"?{table[relation.head].entity}")
        tail = article.who.get(table[relation.tail].entity, f"?{table[relation.tail].entity}")
        if head == tail:
            continue  # one entity at both ends: the graph states nothing
        fact = (head, relation.predicate, tail)
        source = relation_source(relation)
        if fact not in article.optional and relation.confidence > best.get(fact, (-1.0, ""))[0]:
            best[fact] = (relation.confidence, source)
    return [
        (confidence, float(fact in article.facts), source)
        for fact, (confidence, source) in sorted(best.items())
    ]


def fit_stated(points: StatedPoints) -> dict[str, tuple[list[float], list[float]]]:
    """Each source's map of stated confidence to the share right (Platt), if it has
    :data:`MIN_STATED_POINTS` points."""
    maps = {}
    for source in SOURCES:
        mine = np.asarray([s == source for s in points.source], dtype=bool)
        if int(mine.sum()) >= MIN_STATED_POINTS:
            maps[source] = platt(points.confidence[mine], points.right[mine])
    return maps


def final_confidence(points: StatedPoints, calibration: Calibration) -> np.ndarray:
    """Each point's confidence through the calibration's last step."""
    return np.asarray(
        [
            calibration.of_stated(float(c), s)
            for c, s in zip(points.confidence.tolist(), points.source, strict=True)
        ]
    )


def stated_summary(
    points: StatedPoints, calibration: Calibration, min_confidence: float
) -> dict[str, Any]:
    """scores.json's account of the held-out stated facts: calibration error before and
    after the last step, and what each threshold keeps after it."""
    final = final_confidence(points, calibration)
    asserted = final >= min_confidence
    return {
        "facts": len(points.right),
        "right": int(points.right.sum()),
        "by_source": {s: points.source.count(s) for s in SOURCES},
        "calibration_error_before_last_step": round(
            calibration_error(points.confidence, points.right), 4
        ),
        "calibration_error": round(calibration_error(final, points.right), 4),
        "calibration_error_asserted": round(
            calibration_error(final[asserted], points.right[asserted]), 4
        ),
        "by_threshold": threshold_table(final, points.right),
    }


def with_stated_step(
    articles: Sequence[JudgedArticle],
    folds: Sequence[np.ndarray],
    models: Sequence[RelationModel],
    calibration: Calibration,
    gazetteer: Gazetteer | None,
) -> tuple[Calibration, StatedPoints]:
    """``calibration`` with its last step fitted on the held-out stated facts, and those facts."""
    points = stated_points(articles, folds, models, replace(calibration, stated={}), gazetteer)
    return replace(calibration, stated=fit_stated(points)), points


__all__ = [
    "MIN_STATED_POINTS",
    "SOURCES",
    "JudgedArticle",
    "StatedPoints",
    "final_confidence",
    "fit_stated",
    "judged_facts",
    "stated_points",
    "stated_summary",
    "with_stated_step",
]
