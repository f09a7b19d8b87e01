"""The relation classifier's model and calibration, and their files.

:class:`RelationModel` holds the weights of a logistic regression per
predicate against ``NONE`` over the features of
:mod:`kg.extract.relation_features`; :func:`probabilities` scores rows of
features with it. :class:`Calibration` maps raw scores to confidences that
mean what they say (fitted on held-out news). The files ship in
``kg/models/relations/``: ``model.json`` (vocabulary and settings),
``weights.npy`` and ``calibration.json``; numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from kg.errors import ModelNotFoundError
from kg.extract.relation_candidates import LABELS

#: Format version of the files in the model folder.
MODEL_FORMAT = 2


@dataclass(frozen=True, eq=False)
class RelationModel:
    """Weights of the classifier: feature vocabulary, a (features x labels) matrix, a bias.

    ``threshold`` is the probability at or above which a candidate becomes a relation.
    """

    features: tuple[str, ...]
    weights: np.ndarray  # float32, shape (len(features), len(labels))
    bias: np.ndarray  # float32, shape (len(labels),)
    labels: tuple[str, ...] = LABELS
    threshold: float = 0.5
    settings: tuple[tuple[str, Any], ...] = ()

    @cached_property
    def index(self) -> dict[str, int]:
        """Feature -> row of ``weights``."""
        return {f: i for i, f in enumerate(self.features)}


def probabilities(
    model: RelationModel, rows: Sequence[Sequence[str]], predicates: Sequence[str]
) -> np.ndarray:
    """The probability of each row's allowed predicate (the other choice is ``NONE``).

    >>> m = RelationModel(("b=in",), np.array([[0, 0, 0, 0, 2, 0]], np.float32),
    ...                   np.zeros(6, np.float32))
    >>> [round(float(p), 3) for p in probabilities(m, [["b=in"], []], ["livesIn", "livesIn"])]
    [0.881, 0.5]
    """
    known = model.index.get
    label_of = {label: n for n, label in enumerate(model.labels)}
    # The predicates of one pair share its row (the same list): score it once.
    scores: dict[int, np.ndarray] = {}
    out = np.zeros(len(rows), dtype=np.float64)
    for n, (row, predicate) in enumerate(zip(rows, predicates, strict=True)):
        label = label_of[predicate]
        score = scores.get(id(row))
        if score is None:
            ids = [i for f in row if (i := known(f)) is not None]
            # add.reduce of take: the sum(axis=0) of weights[ids], in the same order
            score = np.add.reduce(model.weights.take(ids, axis=0), axis=0, dtype=np.float64)
            score += model.bias
            scores[id(row)] = score
        margin = float(score[label] - score[0])
        out[n] = 1.0 / (1.0 + np.exp(-margin))
    return out


def default_model_dir() -> Path:
    """The folder of the shipped weights (``kg/models/relations``).

    >>> default_model_dir().name
    'relations'
    """
    return Path(__file__).resolve().parents[1] / "models" / "relations"


def save_model(model: RelationModel, path: str | Path) -> list[Path]:
    """Write ``model.json`` (vocabulary, labels, threshold, settings) and ``weights.npy``.

    Returns the files written.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": MODEL_FORMAT,
        "labels": list(model.labels),
        "threshold": model.threshold,
        "settings": dict(model.settings),
        "bias": [round(float(b), 6) for b in model.bias],
        "features": list(model.features),
    }
    meta_path = folder / "model.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    weights_path = folder / "weights.npy"
    with weights_path.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(model.weights, dtype=np.float32), allow_pickle=False)
    return [meta_path, weights_path]


def load_model(path: str | Path | None = None) -> RelationModel:
    """Read the weights written by :func:`save_model` (default: the shipped ones).

    Raises :class:`~kg.errors.ModelNotFoundError` when the files are missing or broken.
    """
    folder = Path(path) if path is not None else default_model_dir()
    meta_path, weights_path = Path(folder) / "model.json", Path(folder) / "weights.npy"
    hint = (
        "Train it with `python -m kg.train.news --conll train.json "
        f"--news eval/news/train.gold.json --out {folder}`, or reinstall kg."
    )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        weights = np.load(weights_path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise ModelNotFoundError(
            f"relation classifier weights missing or unreadable in {folder} ({err}). {hint}"
        ) from err
    if (
        not isinstance(meta, dict)
        or meta.get("format") != MODEL_FORMAT
        or weights.shape != (len(meta.get("features", ())), len(meta.get("labels", ())))
        or len(meta.get("bias", ())) != weights.shape[1]
    ):
        raise ModelNotFoundError(f"relation classifier files in {folder} do not match. {hint}")
    return RelationModel(
        features=tuple(meta["features"]),
        weights=weights.astype(np.float32),
        bias=np.asarray(meta["bias"], dtype=np.float32),
        labels=tuple(meta["labels"]),
        threshold=float(meta["threshold"]),
        settings=tuple(sorted(meta.get("settings", {}).items())),
    )


@dataclass(frozen=True)
class Calibration:
    """Maps from raw scores to calibrated confidence, as (knots x, knots y) of a
    piecewise-linear monotone function: the model's probability, and the
    lexicon's confidence for the lexicon relations the model does not score.
    ``min_confidence`` is the default threshold of a build (see kg/train/news.py).
    """

    classifier: tuple[list[float], list[float]] = ([0.0, 1.0], [0.0, 1.0])
    lexicon: tuple[list[float], list[float]] = ([0.0, 1.0], [0.0, 1.0])
    #: The model's probability for a candidate the lexicon also found: a trigger word makes
    #: a fact likelier than the model's score alone says (None: as ``classifier``).
    backed: tuple[list[float], list[float]] | None = None
    #: predicate -> (lexicon relations right, lexicon relations judged) on held-out news
    lexicon_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    min_confidence: float = 0.5
    #: Predicates with enough training examples for the model's probability to replace the
    #: lexicon's own calibrated confidence of a lexicon relation (empty: all the model knows).
    trusted: frozenset[str] = frozenset()
    #: How many judged relations the pooled estimate counts for against a predicate's own.
    prior_weight: float = 5.0
    #: The last step: source of a stated relation ("classifier": the model's own; "lexicon")
    #: -> a map of its confidence to the share right of such relations on held-out articles,
    #: as the whole component states them (kg/train/stated.py). None for a source: as is.
    stated: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    def of_model(self, probability: float, *, backed: bool = False) -> float:
        """The calibrated confidence of a model probability; ``backed``: of a candidate the
        lexicon found too.

        >>> c = Calibration(classifier=([0.0, 0.5, 1.0], [0.0, 0.2, 0.9]),
        ...                 backed=([0.0, 1.0], [0.5, 1.0]))
        >>> c.of_model(0.75), c.of_model(0.5, backed=True)
        (0.55, 0.75)
        """
        knots = self.backed if backed and self.backed is not None else self.classifier
        return round(float(np.interp(probability, *knots)), 4)

    def of_lexicon(self, confidence: float, predicate: str | None = None) -> float:
        """The calibrated confidence of a lexicon relation the model does not score: the
        pooled map of its confidence, moved toward its predicate's own precision as far as
        the judged relations of that predicate allow.

        >>> c = Calibration(lexicon=([0.0, 1.0], [0.0, 0.5]), lexicon_counts={"sues": (10, 10)})
        >>> c.of_lexicon(0.8), c.of_lexicon(0.8, "sues"), c.of_lexicon(0.8, "sells")
        (0.4, 0.8, 0.4)
        """
        pooled = float(np.interp(confidence, *self.lexicon))
        right, judged = self.lexicon_counts.get(predicate or "", (0, 0))
        return round((right + self.prior_weight * pooled) / (judged + self.prior_weight), 4)

    def of_stated(self, confidence: float, source: str) -> float:
        """The final confidence of a relation the component states with ``confidence``;
        ``source`` is "classifier" for the model's own relations, else "lexicon".

        >>> c = Calibration(stated={"lexicon": ([0.0, 0.5, 1.0], [0.0, 0.3, 1.0])})
        >>> c.of_stated(0.5, "lexicon"), c.of_stated(0.5, "classifier")
        (0.3, 0.5)
        """
        knots = self.stated.get(source)
        return confidence if knots is None else round(float(np.interp(confidence, *knots)), 4)


def save_calibration(calibration: Calibration, path: str | Path) -> list[Path]:
    """Write ``calibration.json`` into the model folder; returns the file written."""
    target = Path(path) / "calibration.json"
    data = {
        "classifier": [list(map(_round6, xs)) for xs in calibration.classifier],
        "lexicon": [list(map(_round6, xs)) for xs in calibration.lexicon],
        **(
            {"backed": [list(map(_round6, xs)) for xs in calibration.backed]}
            if calibration.backed is not None
            else {}
        ),
        "lexicon_counts": {p: list(c) for p, c in sorted(calibration.lexicon_counts.items())},
        "min_confidence": calibration.min_confidence,
        "trusted": sorted(calibration.trusted),
        **(
            {
                "stated": {
                    source: [list(map(_round6, xs)) for xs in knots]
                    for source, knots in sorted(calibration.stated.items())
                }
            }
            if calibration.stated
            else {}
        ),
    }
    target.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return [target]


def _round6(value: float) -> float:
    return round(float(value), 6)


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read ``calibration.json`` (default: the shipped one); none there: the identity."""
    target = Path(path if path is not None else default_model_dir()) / "calibration.json"
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Calibration()
    except (OSError, ValueError) as err:
        raise ModelNotFoundError(f"unreadable calibration {target} ({err}); reinstall kg.") from err
    return Calibration(
        classifier=(data["classifier"][0], data["classifier"][1]),
        lexicon=(data["lexicon"][0], data["lexicon"][1]),
        backed=(data["backed"][0], data["backed"][1]) if "backed" in data else None,
        lexicon_counts={
            p: (int(c[0]), int(c[1])) for p, c in data.get("lexicon_counts", {}).items()
        },
        min_confidence=float(data["min_confidence"]),
        trusted=frozenset(data.get("trusted", ())),
        stated={source: (knots[0], knots[1]) for source, knots in data.get("stated", {}).items()},
    )


__all__ = [
    "MODEL_FORMAT",
    "Calibration",
    "RelationModel",
    "default_model_dir",
    "load_calibration",
    "load_model",
    "probabilities",
    "save_calibration",
    "save_model",
]
