"""Train the relation classifier of :mod:`kg.extract.classifier` on CoNLL04.

``python -m kg.train.relations --train train.json --dev dev.json --out kg/models/relations``
reproduces the shipped weights; how is said in :mod:`~kg.train.relations.training`.

The steps, one module each: :mod:`~kg.train.relations.data` parses the
sentences and turns their candidate pairs into rows of features,
:mod:`~kg.train.relations.regression` fits the model,
:mod:`~kg.train.relations.scoring` scores it over gold entities and end to
end, :mod:`~kg.train.relations.training` chooses the settings and writes the
weights, :mod:`~kg.train.relations.command` is the command line.
"""

from __future__ import annotations

from kg.train.relations.command import main
from kg.train.relations.data import (
    Example,
    TrainingSet,
    concat,
    featurize,
    gold_examples,
    pipeline,
    predicted_examples,
)
from kg.train.relations.regression import LEXICON_FEATURES, fit, fit_set, vocabulary
from kg.train.relations.scoring import (
    THRESHOLDS,
    TOLERANCE,
    best_threshold,
    choose_threshold,
    classifier_nlp,
    end_to_end_reports,
    gold_entity_scores,
    scored,
    seeds_report,
)
from kg.train.relations.training import L2_GRID, MIN_COUNT_GRID, report_dict, train

__all__ = [
    "L2_GRID",
    "LEXICON_FEATURES",
    "MIN_COUNT_GRID",
    "THRESHOLDS",
    "TOLERANCE",
    "Example",
    "TrainingSet",
    "best_threshold",
    "choose_threshold",
    "classifier_nlp",
    "concat",
    "end_to_end_reports",
    "featurize",
    "fit",
    "fit_set",
    "gold_entity_scores",
    "gold_examples",
    "main",
    "pipeline",
    "predicted_examples",
    "report_dict",
    "scored",
    "seeds_report",
    "train",
    "vocabulary",
]
