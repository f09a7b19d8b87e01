"""The confidence threshold of a build: which relations it asserts, which it keeps as candidates.

A build asserts only the relations whose confidence is at or above its
threshold (``kg build --min-confidence``); those below are not in the graph,
and ``kg build --candidates`` writes them to ``candidates.trig`` for review.
The default threshold is the one the relation model was calibrated for
(``"min_confidence"`` in ``kg/models/relations/calibration.json``, written
when the model is trained), else 0.5.

>>> from kg.types import Article, Extraction, Mention, RelationCandidate
>>> ms = (Mention(0, 4, "Acme", "Company"), Mention(14, 20, "Berlin", "City"))
>>> rels = (RelationCandidate(0, 1, "basedIn", 0.9, (0, 21)),
...         RelationCandidate(0, 1, "operatesIn", 0.3, (0, 21)))
>>> kept, below = split_relations(Extraction(Article("d1", "Acme is from Berlin."), ms, rels), 0.5)
>>> [r.predicate for r in kept.relations], [r.predicate for r in below]
(['basedIn'], ['operatesIn'])
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from kg.errors import ThresholdError
from kg.types import Extraction, RelationCandidate

#: The threshold when the relation model ships no calibrated one.
FALLBACK_MIN_CONFIDENCE = 0.5
#: Where the training of the relation model writes the threshold it calibrated.
CALIBRATION_FILE = Path(__file__).parent / "models" / "relations" / "calibration.json"


def calibrated_threshold(path: Path = CALIBRATION_FILE) -> float:
    """The ``"min_confidence"`` of a calibration file, or the fallback (0.5) without one.

    A file that cannot be read, or holds no number in [0, 1] there, gives the
    fallback too: the threshold is a default, and a build can always set its own.

    >>> calibrated_threshold(Path("/nonexistent/calibration.json"))
    0.5
    """
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("min_confidence")
    except (OSError, ValueError, AttributeError):
        return FALLBACK_MIN_CONFIDENCE
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return FALLBACK_MIN_CONFIDENCE
    return float(value)


#: The default threshold of ``kg build`` and ``kg extract`` (read once, at import).
DEFAULT_MIN_CONFIDENCE = calibrated_threshold()


def check_threshold(value: float, *, option: str = "min_confidence") -> float:
    """Return ``value`` if it is a confidence in [0, 1], else raise :class:`ThresholdError`.

    >>> check_threshold(0.7)
    0.7
    >>> check_threshold(1.5, option="--min-confidence")
    Traceback (most recent call last):
    ...
    kg.errors.ThresholdError: --min-confidence 1.5: a confidence is between 0 and 1 ...
    """
    if not 0 <= value <= 1:  # also refuses NaN
        raise ThresholdError(
            f"{option} {value}: a confidence is between 0 and 1 (0 asserts every relation "
            f"found; the default is {DEFAULT_MIN_CONFIDENCE})."
        )
    return float(value)


def split_relations(
    extraction: Extraction, min_confidence: float
) -> tuple[Extraction, tuple[RelationCandidate, ...]]:
    """Split an extraction's relations at a confidence threshold.

    Args:
        extraction: one article's extraction.
        min_confidence: the lowest confidence a relation is kept with.

    Returns:
        The extraction with only the relations at or above ``min_confidence``
        (the same object when none is below), and the relations below it, in
        their order.

    >>> from kg.types import Article
    >>> ex = Extraction(Article("d1", "Text."), (), ())
    >>> split_relations(ex, 0.5) == (ex, ())
    True
    """
    below = tuple(r for r in extraction.relations if r.confidence < min_confidence)
    if not below:
        return extraction, ()
    kept = tuple(r for r in extraction.relations if r.confidence >= min_confidence)
    return replace(extraction, relations=kept), below
