"""Calibration of relation confidence: does a triple's confidence say how often it is right?

:func:`calibrate` takes the scored triples of an evaluation, each with the
confidence the graph gives it and the required gold facts it matches, and
returns a :class:`Calibration`: a reliability table of ten equal-width bins
over [0, 1], the expected calibration error, and the precision and recall
left if only triples at or above a confidence threshold were kept.

The error of a few dozen triples is mostly chance: a perfectly calibrated
graph, each triple right with exactly its confidence, still shows one.
:func:`chance_error` gives the error such a graph would show with the same
confidences (its mean and 95th percentile over seeded draws), the yardstick
an observed error is read against.

Confidences are handled as ``Decimal`` so that bin edges and thresholds are
exact (0.3 is in the bin 0.3-0.4 and passes the threshold 0.3). Nothing here
prints; the output is deterministic.

>>> cal = calibrate([RatedTriple(Decimal("0.9"), frozenset({0})),
...                  RatedTriple(Decimal("0.8"), frozenset())], required=1)
>>> cal.ece  # (|1 - 0.9| + |0 - 0.8|) / 2
0.45
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from kg.eval.scores import Score

__all__ = [
    "BINS",
    "THRESHOLDS",
    "Calibration",
    "CalibrationBin",
    "RatedTriple",
    "ThresholdScore",
    "calibrate",
    "chance_error",
    "format_calibration",
]

#: Number of equal-width bins of the reliability table.
BINS = 10
#: The confidence thresholds of the precision/recall table.
THRESHOLDS: tuple[Decimal, ...] = tuple(Decimal(t) / 10 for t in range(3, 10))
#: Draws of :func:`chance_error` (seeded: the figure is the same on every run).
CHANCE_DRAWS = 2000


@dataclass(frozen=True, slots=True)
class RatedTriple:
    """A scored predicted triple: its confidence (None: the graph gives none) and the
    required gold facts it matches (by index; empty for a false positive)."""

    confidence: Decimal | None
    facts: frozenset[int] = frozenset()

    @property
    def correct(self) -> bool:
        """Whether the triple matches a required gold fact."""
        return bool(self.facts)


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One bin of the reliability table: confidences in [low, high) ([low, high] for the last).

    ``mean_confidence`` and ``accuracy`` are None for an empty bin.
    """

    low: Decimal
    high: Decimal
    count: int = 0
    mean_confidence: float | None = None
    accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ratios rounded to 6 places)."""
        return {
            "low": float(self.low),
            "high": float(self.high),
            "count": self.count,
            "mean_confidence": _round(self.mean_confidence),
            "accuracy": _round(self.accuracy),
        }


@dataclass(frozen=True, slots=True)
class ThresholdScore:
    """Relation scores if only the rated triples with confidence >= ``threshold`` were kept.

    ``tp`` counts the required gold facts the kept triples find, ``fp`` the kept
    triples that match none, ``fn`` the required facts left unfound.

    >>> ThresholdScore(Decimal("0.5"), kept=3, tp=2, fp=1, fn=2).recall
    0.5
    """

    threshold: Decimal
    kept: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0.0 when nothing is kept."""
        return Score(tp=self.tp, fp=self.fp, fn=self.fn).precision

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0.0 when there are no required facts."""
        return Score(tp=self.tp, fp=self.fp, fn=self.fn).recall

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ratios rounded to 6 places)."""
        return {
            "threshold": float(self.threshold),
            "kept": self.kept,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
        }


@dataclass(frozen=True, slots=True)
class Calibration:
    """How well relation confidences predict correctness.

    ``triples`` are the scored triples with a confidence, ``unrated`` those
    without one (left out of every figure here), ``correct`` the rated triples
    that match a required gold fact. ``ece`` is None when no triple is rated;
    ``chance`` is what a perfectly calibrated graph with the same confidences
    would show (:func:`chance_error`: mean, 95th percentile).
    """

    triples: int = 0
    unrated: int = 0
    correct: int = 0
    ece: float | None = None
    bins: tuple[CalibrationBin, ...] = ()
    thresholds: tuple[ThresholdScore, ...] = ()
    chance: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ratios rounded to 6 places)."""
        return {
            "triples": self.triples,
            "unrated": self.unrated,
            "correct": self.correct,
            "ece": _round(self.ece),
            "ece_by_chance": None
            if self.chance is None
            else {"mean": _round(self.chance[0]), "p95": _round(self.chance[1])},
            "bins": [b.to_dict() for b in self.bins],
            "thresholds": [t.to_dict() for t in self.thresholds],
        }


def _round(value: float | None) -> float | None:
    """Round to 6 places for JSON; None stays None."""
    return None if value is None else round(value, 6)


def _bin_index(confidence: Decimal) -> int:
    """The bin of a confidence; values outside [0, 1] go to the first or last bin."""
    return min(max(int(confidence * BINS), 0), BINS - 1)


def _groups(rated: Sequence[RatedTriple]) -> list[list[RatedTriple]]:
    """The rated triples of each bin, in bin order."""
    groups: list[list[RatedTriple]] = [[] for _ in range(BINS)]
    for triple in rated:
        if triple.confidence is not None:
            groups[_bin_index(triple.confidence)].append(triple)
    return groups


def _total(items: Sequence[RatedTriple]) -> Decimal:
    """The sum of the confidences of rated triples."""
    return sum((t.confidence for t in items if t.confidence is not None), Decimal(0))


def _bins(groups: Sequence[Sequence[RatedTriple]]) -> tuple[CalibrationBin, ...]:
    """The reliability table: count, mean confidence and accuracy per bin."""
    bins = []
    for i, items in enumerate(groups):
        low, high = Decimal(i) / BINS, Decimal(i + 1) / BINS
        if not items:
            bins.append(CalibrationBin(low, high))
            continue
        n, right = len(items), sum(t.correct for t in items)
        bins.append(CalibrationBin(low, high, n, float(_total(items) / n), right / n))
    return tuple(bins)


def _ece(groups: Sequence[Sequence[RatedTriple]], n: int) -> float | None:
    """Sum over bins of (n_bin / n) * |accuracy - mean confidence|.

    Each term is |right_bin - sum of confidences_bin| / n, so the sum is exact
    in ``Decimal`` before the one conversion to float.
    """
    if not n:
        return None
    return float(sum((abs(sum(t.correct for t in g) - _total(g)) for g in groups), Decimal(0)) / n)


def chance_error(
    confidences: Sequence[Decimal], *, draws: int = CHANCE_DRAWS, seed: int = 0
) -> tuple[float, float] | None:
    """The expected calibration error of a perfectly calibrated graph with these
    confidences, each triple right with probability its confidence: the mean and the
    95th percentile over ``draws`` seeded draws (None without confidences).

    >>> mean, high = chance_error([Decimal("0.5")] * 40)
    >>> 0.05 < mean < 0.07 < high < 0.16  # |right - 20| / 40, right ~ Binomial(40, 0.5)
    True
    >>> chance_error([Decimal("1")] * 5)
    (0.0, 0.0)
    """
    if not confidences:
        return None
    p = np.array([float(c) for c in confidences])
    bins = np.minimum(np.maximum((p * BINS).astype(int), 0), BINS - 1)
    right = np.random.default_rng(seed).random((draws, len(p))) < p
    gaps = np.zeros(draws)
    for b in np.unique(bins):
        mine = bins == b
        gaps += np.abs(right[:, mine].sum(axis=1) - p[mine].sum())
    errors = gaps / len(p)
    return float(errors.mean()), float(np.quantile(errors, 0.95))


def _threshold_score(
    rated: Sequence[RatedTriple], threshold: Decimal, required: int
) -> ThresholdScore:
    """The facts found and the false positives among the triples at or above a threshold."""
    kept = [t for t in rated if t.confidence is not None and t.confidence >= threshold]
    found = frozenset().union(*(t.facts for t in kept))
    fp = sum(not t.correct for t in kept)
    return ThresholdScore(threshold, len(kept), len(found), fp, required - len(found))


def calibrate(
    triples: Sequence[RatedTriple],
    *,
    required: int,
    thresholds: Sequence[Decimal] = THRESHOLDS,
) -> Calibration:
    """Reliability table, expected calibration error and precision/recall by threshold.

    Args:
        triples: the scored predicted triples (those that count in relation
            precision: matching a required gold fact, or no gold fact at all).
        required: the number of required gold facts (recall's denominator).
        thresholds: the confidences to cut at (default 0.3, 0.4, ..., 0.9).

    Returns:
        The calibration; triples without a confidence are counted in ``unrated``
        and left out of the bins, the ECE and every threshold.

    >>> t = [RatedTriple(Decimal("0.95"), frozenset({0})), RatedTriple(Decimal("0.35"))]
    >>> cal = calibrate(t, required=2, thresholds=[Decimal("0.5")])
    >>> [(b.count, b.accuracy) for b in cal.bins if b.count]
    [(1, 0.0), (1, 1.0)]
    >>> cal.ece, cal.thresholds[0].precision, cal.thresholds[0].recall
    (0.2, 1.0, 0.5)
    """
    rated = [t for t in triples if t.confidence is not None]
    groups = _groups(rated)
    return Calibration(
        triples=len(rated),
        unrated=len(triples) - len(rated),
        correct=sum(t.correct for t in rated),
        ece=_ece(groups, len(rated)),
        bins=_bins(groups),
        thresholds=tuple(_threshold_score(rated, t, required) for t in thresholds),
        chance=chance_error([t.confidence for t in rated if t.confidence is not None]),
    )


def format_calibration(cal: Calibration) -> list[str]:
    """The calibration as compact text lines: non-empty bins, then the thresholds.

    >>> lines = format_calibration(calibrate([RatedTriple(Decimal("0.7"), frozenset({0}))],
    ...                                      required=1, thresholds=[Decimal("0.5")]))
    >>> lines[0]
    'Calibration  1 rated relation triples, 1 right; ECE 0.300'
    >>> lines[1]
    '  a perfectly calibrated graph with these confidences: ECE 0.421 on average, 95% below 0.700'
    >>> lines[3]
    '  0.7-0.8        1   0.700  1.000'
    """
    ece = "n/a" if cal.ece is None else f"{cal.ece:.3f}"
    unrated = f" ({cal.unrated} without confidence, left out)" if cal.unrated else ""
    lines = [
        f"{'Calibration':<13}{cal.triples} rated relation triples, {cal.correct} right; "
        f"ECE {ece}{unrated}"
    ]
    if cal.chance is not None:
        mean, high = cal.chance
        lines.append(
            f"  a perfectly calibrated graph with these confidences: ECE {mean:.3f} on "
            f"average, 95% below {high:.3f}"
        )
    lines.append(f"  {'confidence':<10} {'n':>5}  {'mean':>6} {'acc':>6}")
    for b in cal.bins:
        if b.count and b.mean_confidence is not None and b.accuracy is not None:
            lines.append(
                f"  {f'{b.low:.1f}-{b.high:.1f}':<10} {b.count:>5}"
                f"  {b.mean_confidence:>6.3f} {b.accuracy:>6.3f}"
            )
    lines.append(f"  {'keep if >=':<10} {'kept':>5}  {'P':>6} {'R':>6}")
    for t in cal.thresholds:
        lines.append(
            f"  {f'{t.threshold:.1f}':<10} {t.kept:>5}  {t.precision:>6.3f} {t.recall:>6.3f}"
        )
    return lines
