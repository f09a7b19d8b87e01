"""The relation classifier's model: a masked softmax regression with L2, fitted by L-BFGS.

Each candidate pair chooses between ``NONE`` and the one predicate its
classes allow; the fit starts from zero weights and has no random state, so
the same data gives the same weights.

>>> from kg.extract.relation_model import probabilities
>>> m = fit([["a"], ["b"], ["a"], ["b"]], [1, 0, 1, 0], ["worksFor"] * 4, l2=0.1)
>>> [round(float(p), 2) for p in probabilities(m, [["a"], ["b"]], ["worksFor"] * 2)]
[0.93, 0.07]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

from kg.errors import EvaluationError
from kg.extract.relation_candidates import LABELS
from kg.extract.relation_model import RelationModel
from kg.train.relations.data import TrainingSet

__all__ = ["LEXICON_FEATURES", "fit", "fit_set", "vocabulary"]

#: Prefixes of the features that say what the lexicon component found (see ``fit``).
LEXICON_FEATURES = ("lex=", "lexrev=")


def vocabulary(rows: Iterable[Sequence[str]], *, min_count: int = 1) -> tuple[str, ...]:
    """Features seen in at least ``min_count`` rows, sorted.

    >>> vocabulary([["a", "b"], ["a"]], min_count=2)
    ('a',)
    """
    counts: Counter[str] = Counter(f for row in rows for f in set(row))
    return tuple(sorted(f for f, c in counts.items() if c >= min_count))


def _matrix(rows: Sequence[Sequence[str]], index: dict[str, int]) -> sparse.csr_matrix:
    indptr, indices = [0], []
    for row in rows:
        indices += sorted({index[f] for f in row if f in index})
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), len(index)),
    )


def fit(
    rows: Sequence[Sequence[str]],
    labels: Sequence[int],
    predicates: Sequence[str],
    *,
    l2: float = 1.0,
    min_count: int = 1,
    max_iter: int = 1000,
    threshold: float = 0.5,
    weights: Sequence[float] = (),
    labels_used: Sequence[str] = LABELS,
    lexicon_l2: float | None = None,
) -> RelationModel:
    """Fit the masked softmax regression; each row chooses between ``NONE`` and its predicate.

    ``labels`` index :data:`~kg.extract.relation_features.LABELS` (0 = ``NONE``).
    ``lexicon_l2`` (default ``l2``) is the L2 strength of the features that
    say what the lexicon component found (``lex=``, ``lexrev=``): a weaker
    prior lets one strong cue outweigh the many word features around it.
    Deterministic: L-BFGS from zero weights.
    """
    names = tuple(labels_used)
    rows, labels, predicates, weights = _learnt_rows(rows, labels, predicates, weights, names)
    if not rows:
        raise EvaluationError("no training candidates: the data holds no pairs of entities.")
    features = vocabulary(rows, min_count=min_count)
    penalty = _penalty(features, l2=l2, lexicon_l2=lexicon_l2)
    objective = _objective(rows, labels, predicates, weights, features, names, penalty)
    d, k = len(features), len(names)
    result = minimize(
        objective,
        np.zeros(d * k + k),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "maxcor": 20},
    )
    params = result.x
    return RelationModel(
        features=features,
        weights=params[: d * k].reshape(d, k).astype(np.float32),
        bias=params[d * k :].astype(np.float32),
        labels=names,
        threshold=threshold,
        settings=(("l2", l2), ("min_count", min_count))
        + ((("lexicon_l2", lexicon_l2),) if lexicon_l2 is not None else ()),
    )


def _learnt_rows(
    rows: Sequence[Sequence[str]],
    labels: Sequence[int],
    predicates: Sequence[str],
    weights: Sequence[float],
    names: tuple[str, ...],
) -> tuple[list[Sequence[str]], list[int], list[str], Sequence[float]]:
    """The rows of the predicates in ``names`` (those the model learns), with their labels,
    predicates and weights (``weights`` empty: all 1)."""
    keep = [i for i, p in enumerate(predicates) if p in names]
    return (
        [rows[i] for i in keep],
        [labels[i] for i in keep],
        [predicates[i] for i in keep],
        [weights[i] for i in keep] if len(weights) else (),
    )


def _penalty(features: Sequence[str], *, l2: float, lexicon_l2: float | None) -> np.ndarray:
    """Each feature's L2 strength, a column: ``lexicon_l2`` for the lexicon's, else ``l2``."""
    penalty = np.full((len(features), 1), l2)
    if lexicon_l2 is not None:
        penalty[[i for i, f in enumerate(features) if f.startswith(LEXICON_FEATURES)]] = lexicon_l2
    return penalty


@dataclass(frozen=True)
class _Objective:
    """The weighted log loss of the masked softmax plus its L2 penalty, with its gradient.

    Called on the flat parameters (the weights of each feature and label, then
    a bias per label), as :func:`scipy.optimize.minimize` calls it.
    """

    x: sparse.csr_matrix  # rows x features, 1 where a row has the feature
    xt: sparse.csr_matrix  # x transposed
    y: np.ndarray  # each row's label, an index into the labels learnt
    mask: np.ndarray  # rows x labels: 0 for NONE and the row's predicate, else -1e9
    target: np.ndarray  # rows x labels: y one-hot
    row_weight: np.ndarray  # rows x 1
    penalty: np.ndarray  # features x 1: each feature's L2 strength

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        n, k = self.mask.shape
        d = self.x.shape[1]
        w = params[: d * k].reshape(d, k)
        b = params[d * k :]
        z = self.x @ w + b + self.mask
        z -= z.max(axis=1, keepdims=True)
        ez = np.exp(z)
        total = ez.sum(axis=1, keepdims=True)
        p = ez / total
        loss = -float(
            ((z[np.arange(n), self.y] - np.log(total[:, 0])) * self.row_weight[:, 0]).sum()
        ) + 0.5 * float((self.penalty * w * w).sum())
        g = (p - self.target) * self.row_weight
        grad_w = self.xt @ g + self.penalty * w
        return loss, np.concatenate([grad_w.ravel(), g.sum(axis=0)])


def _objective(
    rows: Sequence[Sequence[str]],
    labels: Sequence[int],
    predicates: Sequence[str],
    weights: Sequence[float],
    features: Sequence[str],
    names: tuple[str, ...],
    penalty: np.ndarray,
) -> _Objective:
    """The objective of fitting ``rows`` (their ``features`` among those learnt) to ``names``."""
    x = _matrix(rows, {f: i for i, f in enumerate(features)})
    n, k = x.shape[0], len(names)
    y = np.asarray([names.index(LABELS[label]) for label in labels], dtype=np.int64)
    allowed = np.asarray([names.index(p) for p in predicates], dtype=np.int64)
    mask = np.full((n, k), -1e9)
    mask[:, 0] = 0.0
    mask[np.arange(n), allowed] = 0.0
    target = np.zeros((n, k))
    target[np.arange(n), y] = 1.0
    row_weight = np.asarray(weights, dtype=np.float64) if len(weights) else np.ones(n)
    return _Objective(x, x.T.tocsr(), y, mask, target, row_weight[:, None], penalty)


def fit_set(data: TrainingSet, **options: Any) -> RelationModel:
    """:func:`fit` on a :class:`~kg.train.relations.data.TrainingSet`."""
    return fit(data.rows, data.labels, data.predicates, weights=data.weights, **options)
