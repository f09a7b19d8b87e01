"""Train the relation classifier of :mod:`kg.extract.classifier` on CoNLL04.

Reproduce the shipped weights (two to five minutes on two cores)::

    python -m kg.train.relations --train train.json --dev dev.json --out kg/models/relations

Training sentences are parsed by kg's pipeline (:func:`kg.extract.make_nlp`).
Each is used twice: with its gold entity spans in place of the predicted ones
(Peop -> Person, Org -> Organization, Loc -> Place; the pipeline's finer class
and gazetteer key are kept when it found the same span; the lexicon
components run again over them), and with the pipeline's own spans, so the
model also meets the spans it sees at run time (a demonym taken for a place, a
name cut short). Every candidate pair is labelled with its gold relation or
``NONE``. A masked softmax regression (labels ``NONE`` and the one predicate
the pair's classes allow) with L2 is fitted by L-BFGS from zero weights: no
random state, so the same data gives the same weights. The L2 strength and
the feature count cut are chosen on the dev split with gold entities; the
threshold on the dev split end to end (the pipeline's own entities, scored as
``kg eval`` does). The dev split is never trained on.

``--evaluate`` scores saved weights end to end on ``--dev`` (and, with
``--seeds-gold``, on the sample corpus) without training; ``--ner`` reads the
pipeline's ``ner`` weights from a folder (``kg/models/ner``) for both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spacy.language import Language

from kg.eval import ConllReport, ConllSentence, Score, load_conll04
from kg.extract.relation_model import RelationModel, save_model
from kg.train.relations.data import (
    Example,
    TrainingSet,
    concat,
    featurize,
    gold_examples,
    pipeline,
    predicted_examples,
)
from kg.train.relations.regression import fit_set
from kg.train.relations.scoring import (
    THRESHOLDS,
    TOLERANCE,
    best_threshold,
    choose_threshold,
    classifier_nlp,
    end_to_end_reports,
    gold_entity_scores,
    scored,
)

__all__ = ["L2_GRID", "MIN_COUNT_GRID", "report_dict", "train"]

#: Settings tried on dev; the first of equal scores wins.
L2_GRID: tuple[float, ...] = (1.0, 3.0, 10.0)
MIN_COUNT_GRID: tuple[int, ...] = (1, 2)


def train(
    train_path: str | Path,
    dev_path: str | Path,
    out: str | Path,
    *,
    l2_grid: Sequence[float] = L2_GRID,
    min_count_grid: Sequence[int] = MIN_COUNT_GRID,
    thresholds: Sequence[float] = THRESHOLDS,
    with_predicted: bool = True,
    ner: str | Path | None = None,
    command: str = "",
) -> dict[str, Any]:
    """Choose settings on dev, fit on train, write the weights and ``scores.json`` to ``out``.

    The training set holds the candidates over gold entities and, with
    ``with_predicted``, those over the pipeline's own entities
    (:func:`~kg.train.relations.data.predicted_examples`), so the model also
    sees the spans it meets at run time. Returns what ``scores.json`` holds.
    """
    started = time.perf_counter()
    nlp = pipeline(ner)
    train_set = _training_set(load_conll04(train_path), nlp, with_predicted=with_predicted)
    dev_examples = gold_examples(load_conll04(dev_path), nlp)
    dev_set = featurize(dev_examples)
    chosen = _choose_settings(train_set, dev_examples, dev_set, l2_grid, min_count_grid, thresholds)
    train_seconds = time.perf_counter() - started

    folder = Path(out)
    save_model(replace(chosen.model, threshold=chosen.threshold), folder)
    reports = end_to_end_reports(
        dev_path,
        model_dir=folder,
        thresholds=thresholds,
        nlp=classifier_nlp(folder, threshold=min(thresholds), ner=ner),
    )
    final = replace(chosen.model, threshold=choose_threshold(_f1_by_threshold(reports)))
    files = save_model(final, folder)
    at_final = gold_entity_scores(dev_examples, scored(final, dev_set), final.threshold)
    summary = {
        "command": command,
        "seed": None,
        "deterministic": "no random state: L-BFGS from zero weights, sorted vocabulary",
        "train": str(train_path),
        "dev": str(dev_path),
        "train_candidates": len(train_set.rows),
        "train_entities": "gold and pipeline" if with_predicted else "gold",
        "ner": None if ner is None else str(ner),
        **_model_summary(final, chosen, at_final, reports, thresholds),
        "train_seconds": round(train_seconds, 1),
        "size_bytes": sum(f.stat().st_size for f in files),
    }
    (folder / "scores.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return summary


def _training_set(
    sentences: Sequence[ConllSentence], nlp: Language, *, with_predicted: bool
) -> TrainingSet:
    """The candidates over the gold entities of ``sentences`` and, with ``with_predicted``,
    over the pipeline's own."""
    train_set = featurize(gold_examples(sentences, nlp))
    if with_predicted:
        train_set = concat(train_set, featurize(predicted_examples(sentences, nlp)))
    return train_set


@dataclass(frozen=True)
class _Chosen:
    """The model of the settings that scored best on dev over gold entities."""

    model: RelationModel
    threshold: float  # the best over gold entities on dev
    scores: dict[str, Score]  # on dev over gold entities, at that threshold
    grid: list[dict[str, Any]]  # every setting tried, with its threshold and F1


def _choose_settings(
    train_set: TrainingSet,
    dev_examples: Sequence[Example],
    dev_set: TrainingSet,
    l2_grid: Sequence[float],
    min_count_grid: Sequence[int],
    thresholds: Sequence[float],
) -> _Chosen:
    """Fit one model per setting of the grid and keep the best on dev (the first of ties)."""
    grid = []
    best: tuple[float, RelationModel, float] | None = None
    for l2 in l2_grid:
        for min_count in min_count_grid:
            model = fit_set(train_set, l2=l2, min_count=min_count)
            t, scores = best_threshold(dev_examples, scored(model, dev_set), thresholds)
            f1 = scores["all"].f1
            grid.append({"l2": l2, "min_count": min_count, "threshold": t, "dev_gold_f1": f1})
            if best is None or f1 > best[0] + 1e-12:
                best = (f1, model, t)
    assert best is not None
    _, model, threshold = best
    scores = gold_entity_scores(dev_examples, scored(model, dev_set), threshold)
    return _Chosen(model, threshold, scores, grid)


def _f1_by_threshold(reports: dict[float, ConllReport]) -> dict[float, float]:
    return {t: r.relations.f1 for t, r in reports.items()}


def _model_summary(
    final: RelationModel,
    chosen: _Chosen,
    at_final: dict[str, Score],
    reports: dict[float, ConllReport],
    thresholds: Sequence[float],
) -> dict[str, Any]:
    """What ``scores.json`` says of the model: its settings, thresholds and scores on dev."""
    return {
        "features": len(final.features),
        "settings": dict(final.settings),
        "grid": chosen.grid,
        "threshold": final.threshold,
        "threshold_chosen_on": (
            "dev, end to end (kg pipeline entities): the highest threshold whose relation "
            f"micro F1 is within {TOLERANCE} of the best"
        ),
        "gold_entities": {
            "threshold": chosen.threshold,
            "at_gold_threshold": _scores_dict(chosen.scores),
            "at_shipped_threshold": _scores_dict(at_final),
        },
        "end_to_end": report_dict(reports[final.threshold]),
        "end_to_end_by_threshold": {str(t): round(reports[t].relations.f1, 6) for t in thresholds},
    }


def _scores_dict(scores: dict[str, Score]) -> dict[str, Any]:
    return {k: v.to_dict() for k, v in scores.items()}


def report_dict(report: ConllReport) -> dict[str, Any]:
    """A CoNLL04 report as the JSON of ``scores.json`` and ``--evaluate``."""
    return {
        "entities": report.entities.to_dict(),
        "relations": report.relations.to_dict(),
        "relations_by_predicate": {k: v.to_dict() for k, v in report.relations_by_predicate},
    }
