"""Fitting and scoring the relation classifier's calibration on held-out facts.

Platt maps (a logistic function of the log-odds, stored as knots), and the
figures ``kg eval`` prints for (confidence, right) points: the expected
calibration error and the precision and share of right facts kept at each
threshold. :mod:`kg.train.news` fits the model's maps with these;
:mod:`kg.train.stated` the final map of what the relation component states.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
from scipy.optimize import minimize

from kg.eval.calibration import THRESHOLDS, RatedTriple, calibrate
from kg.eval.calibration import Calibration as CalibrationScores

#: The thresholds of scores.json's table: ``kg eval``'s.
TABLE_THRESHOLDS: tuple[float, ...] = tuple(float(t) for t in THRESHOLDS)

#: Where a model probability is sampled to store its Platt calibration as knots.
PLATT_GRID: tuple[float, ...] = (
    0.0, 0.001, 0.003, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85,
    0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0,
)  # fmt: skip


def platt(p: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """A logistic map of the model's log-odds to the rate of ``y`` (Platt scaling), as knots.

    Two parameters, so it holds on few positives; monotone by construction.

    >>> xs, ys = platt(np.array([0.1, 0.2, 0.8, 0.9, 0.6, 0.3]), np.array([0, 0, 1, 1, 0, 1]))
    >>> ys == sorted(ys) and ys[0] < 0.5 < ys[-1]
    True
    """
    z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / (1 - np.clip(p, 1e-6, 1 - 1e-6)))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = params
        q = 1 / (1 + np.exp(-(a * z + b)))
        q = np.clip(q, 1e-9, 1 - 1e-9)
        value = -float((y * np.log(q) + (1 - y) * np.log(1 - q)).sum())
        g = q - y
        return value, np.array([float((g * z).sum()), float(g.sum())])

    a, b = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B").x
    grid = np.asarray(PLATT_GRID)
    zg = np.log(np.clip(grid, 1e-6, 1 - 1e-6) / (1 - np.clip(grid, 1e-6, 1 - 1e-6)))
    ys = 1 / (1 + np.exp(-(a * zg + b)))
    return [float(v) for v in grid], [round(float(v), 6) for v in ys]


def threshold_for(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence at which the candidates at or above it are ``target`` precise.

    >>> threshold_for(np.array([0.2, 0.5, 0.7, 0.9]), np.array([0, 1, 0, 1]), 0.6)
    0.5
    """
    for t in np.unique(np.round(confidence, 2)):
        kept = confidence >= t
        if kept.any() and correct[kept].mean() >= target:
            return float(t)
    return 1.0


def threshold_table(
    confidence: np.ndarray,
    right: np.ndarray,
    thresholds: Sequence[float] = TABLE_THRESHOLDS,
) -> list[dict[str, float]]:
    """For each threshold: how many facts a build would keep, their precision, and the
    share of the right facts kept (``kg eval``'s table, :func:`held_out_scores`).

    >>> threshold_table(np.array([0.2, 0.6, 0.9]), np.array([1.0, 0.0, 1.0]), (0.5,))
    [{'min_confidence': 0.5, 'kept': 2, 'precision': 0.5, 'share_of_right_kept': 0.5}]
    """
    scores = held_out_scores(confidence, right, [Decimal(str(t)) for t in thresholds])
    return [
        {
            "min_confidence": float(score.threshold),
            "kept": score.kept,
            "precision": round(score.precision, 4),
            "share_of_right_kept": round(score.recall, 4),
        }
        for score in scores.thresholds
    ]


def calibration_error(confidence: np.ndarray, right: np.ndarray) -> float:
    """The expected calibration error of (confidence, right) points, as ``kg eval`` reports it."""
    return held_out_scores(confidence, right, ()).ece or 0.0


def held_out_scores(
    confidence: np.ndarray, right: np.ndarray, thresholds: Sequence[Decimal]
) -> CalibrationScores:
    """``kg eval``'s calibration of held-out (confidence, right) points, each right point
    a fact of its own (:func:`kg.eval.calibration.calibrate`)."""
    rated = [
        RatedTriple(Decimal(str(round(float(c), 4))), frozenset({i}) if r else frozenset())
        for i, (c, r) in enumerate(zip(confidence, right, strict=True))
    ]
    return calibrate(rated, required=int(right.sum()), thresholds=thresholds)


__all__ = [
    "PLATT_GRID",
    "TABLE_THRESHOLDS",
    "calibration_error",
    "held_out_scores",
    "platt",
    "threshold_for",
    "threshold_table",
]
