"""The counts every evaluation report is made of: scores, ratios, findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Finding",
    "Ratio",
    "Score",
    "Tally",
    "pairs_to_dict",
]


@dataclass(frozen=True, slots=True)
class Score:
    """True positives, false positives and misses, with precision, recall and F1.

    A ratio whose denominator is zero is 0.0.

    >>> s = Score(tp=3, fp=1, fn=2)
    >>> (s.precision, s.recall, round(s.f1, 3))
    (0.75, 0.6, 0.667)
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The counts and the three ratios (rounded to 6 places)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }


@dataclass(frozen=True, slots=True)
class Ratio:
    """``right`` out of ``total`` (0.0 when ``total`` is 0).

    >>> Ratio(right=1, total=4).value
    0.25
    """

    right: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        """right / total."""
        return self.right / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The counts and the ratio (rounded to 6 places)."""
        return {"right": self.right, "total": self.total, "value": round(self.value, 6)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One miss or false positive: what, why, and the text that supports it."""

    item: str
    reason: str
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"item": self.item, "reason": self.reason, "evidence": list(self.evidence)}


class Tally:
    """Mutable tp/fp/fn counters per key, frozen into :class:`Score` at the end."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(self, key: str, *, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        row = self.counts[key]
        row[0] += tp
        row[1] += fp
        row[2] += fn

    def scores(self) -> tuple[tuple[str, Score], ...]:
        return tuple((k, Score(*v)) for k, v in sorted(self.counts.items()))


def pairs_to_dict(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    return {k: v.to_dict() for k, v in pairs}
