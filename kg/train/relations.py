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

>>> m = fit([["a"], ["b"], ["a"], ["b"]], [1, 0, 1, 0], ["worksFor"] * 4, l2=0.1)
>>> [round(float(p), 2) for p in probabilities(m, [["a"], ["b"]], ["worksFor"] * 2)]
[0.93, 0.07]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import EvaluationError
from kg.eval import (
    CONLL_ENTITY_TYPES,
    CONLL_RELATION_TYPES,
    ConllReport,
    ConllSentence,
    Score,
    conll04_to_jsonl_records,
    load_conll04,
    score_conll04,
)
from kg.extract.classifier import ScoredCandidate, decode
from kg.extract.entities import SPAN_KEY
from kg.extract.relation_candidates import CONLL_PREDICATES, LABELS, PREDICATES, TRIGGER, candidates
from kg.extract.relation_features import DocFeatures, pair_features
from kg.extract.relation_model import RelationModel, probabilities, save_model
from kg.types import coarse_class

#: Settings tried on dev; the first of equal scores wins.
L2_GRID: tuple[float, ...] = (1.0, 3.0, 10.0)
MIN_COUNT_GRID: tuple[int, ...] = (1, 2)
THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))
#: F1 difference within which thresholds count as scoring alike.
TOLERANCE = 0.01
#: Prefixes of the features that say what the lexicon component found (see ``fit``).
LEXICON_FEATURES = ("lex=", "lexrev=")


@dataclass(frozen=True)
class Example:
    """A parsed sentence with entity spans in ``doc.spans["kg_entities"]`` and its gold
    relations as (head span, tail span, predicate)."""

    id: str
    doc: Doc
    gold: frozenset[tuple[int, int, str]]
    #: Candidates to leave out (the gold calls them optional, or states them elsewhere).
    ignore: frozenset[tuple[int, int, str]] = frozenset()
    #: The predicates the example is annotated for (``None``: all the classifier knows).
    predicates: frozenset[str] | None = None


@dataclass(frozen=True)
class TrainingSet:
    """One row per candidate: its features, its label and the predicate it may take."""

    rows: tuple[tuple[str, ...], ...]
    labels: tuple[int, ...]  # index into LABELS
    predicates: tuple[str, ...]  # the predicate the pair's classes allow
    keys: tuple[tuple[int, int, int], ...]  # (example, head span, tail span)
    sentences: tuple[tuple[int, int], ...]
    weights: tuple[float, ...] = ()  # per row; empty: all 1


# --------------------------------------------------------------------------- data


def gold_examples(sentences: Sequence[ConllSentence], nlp: Language) -> list[Example]:
    """Parse ``sentences`` with ``nlp`` and put their gold entities in place of the predicted.

    A gold span the pipeline found with the same coarse class keeps the
    pipeline's finer class (City, Company...) and gazetteer key, as at run time; the coreference
    and lexicon components (when present) run again over the gold spans.
    """
    texts = [s.text for s in sentences]
    examples = []
    for sentence, doc in zip(sentences, nlp.pipe(texts), strict=True):
        predicted = {(s.start, s.end): s for s in doc.spans.get(SPAN_KEY, [])}
        spans: list[Span] = []
        index: dict[int, int] = {}
        order = sorted(
            (e.char_start, n)
            for n, e in enumerate(sentence.entities)
            if e.type in CONLL_ENTITY_TYPES
        )
        for _, n in order:
            entity = sentence.entities[n]
            span = doc.char_span(entity.char_start, entity.char_end)
            if span is None:
                continue
            coarse = CONLL_ENTITY_TYPES[entity.type]
            same = predicted.get((span.start, span.end))
            if same is not None and coarse_class(same.label_) == coarse:
                label, key = same.label_, same.kb_id_
            else:
                label, key = coarse, ""
            index[n] = len(spans)
            spans.append(Span(doc, span.start, span.end, label=label, kb_id=key))
        _reannotate(doc, spans, nlp)
        gold = frozenset(
            (index[r.head], index[r.tail], CONLL_RELATION_TYPES[r.type])
            for r in sentence.relations
            if r.head in index and r.tail in index
        )
        examples.append(Example(sentence.id, doc, gold, predicates=CONLL_PREDICATES))
    return examples


def _reannotate(doc: Doc, spans: list[Span], nlp: Language) -> None:
    roles = doc._.kg_roles or {}
    doc.spans[SPAN_KEY] = spans
    doc._.kg_roles = {
        s.start: roles[s.start] for s in spans if s.start in roles and s.label_ == "Person"
    }
    for name in ("kg_coref", "kg_relations"):
        if name in nlp.pipe_names:
            nlp.get_pipe(name)(doc)


def predicted_examples(sentences: Sequence[ConllSentence], nlp: Language) -> list[Example]:
    """Parse ``sentences`` keeping the pipeline's own entities.

    A predicted span stands for the gold entity of the same coarse class it
    overlaps most (boundaries are the recognizer's business, not the
    classifier's); a gold relation between two entities labels the pairs
    standing for them. Spans standing for no gold entity (a demonym taken
    for a place, a headline word) take part in ``NONE`` pairs only.
    """
    texts = [s.text for s in sentences]
    examples = []
    for sentence, doc in zip(sentences, nlp.pipe(texts), strict=True):
        spans = list(doc.spans.get(SPAN_KEY, []))
        stands_for: dict[int, int] = {}
        for n, span in enumerate(spans):
            overlaps = [
                (min(span.end_char, e.char_end) - max(span.start_char, e.char_start), -g)
                for g, e in enumerate(sentence.entities)
                if e.type in CONLL_ENTITY_TYPES
                and CONLL_ENTITY_TYPES[e.type] == coarse_class(span.label_)
                and min(span.end_char, e.char_end) > max(span.start_char, e.char_start)
            ]
            if overlaps:
                stands_for[n] = -max(overlaps)[1]
        relations = {(r.head, r.tail): CONLL_RELATION_TYPES[r.type] for r in sentence.relations}
        gold = frozenset(
            (h, t, relations[(stands_for[h], stands_for[t])])
            for h in stands_for
            for t in stands_for
            if h != t and (stands_for[h], stands_for[t]) in relations
        )
        examples.append(Example(sentence.id, doc, gold, predicates=CONLL_PREDICATES))
    return examples


def featurize(examples: Sequence[Example], *, weight: float = 1.0) -> TrainingSet:
    """The candidates of every example, with features and labels, in order; each row
    weighs ``weight`` in the fit."""
    rows, labels, predicates, keys, sentences = [], [], [], [], []
    for n, example in enumerate(examples):
        doc = example.doc
        view = DocFeatures(doc)
        by_pair: dict[tuple[int, int], tuple[str, ...]] = {}
        for c in candidates(doc, example.predicates):
            if (c.head, c.tail, c.predicate) in example.ignore:
                continue
            row = by_pair.get((c.head, c.tail))
            if row is None:  # a pair's features serve all its predicates
                row = by_pair[(c.head, c.tail)] = tuple(
                    pair_features(doc, c.head, c.tail, sentence=c.sentence, view=view)
                )
            rows.append(row)
            gold = (c.head, c.tail, c.predicate) in example.gold
            labels.append(LABELS.index(c.predicate) if gold else 0)
            predicates.append(c.predicate)
            keys.append((n, c.head, c.tail))
            sentences.append(c.sentence)
    return TrainingSet(
        tuple(rows),
        tuple(labels),
        tuple(predicates),
        tuple(keys),
        tuple(sentences),
        (weight,) * len(rows),
    )


def concat(*sets: TrainingSet) -> TrainingSet:
    """Several training sets as one (keys keep their own example numbering)."""
    return TrainingSet(
        tuple(r for s in sets for r in s.rows),
        tuple(r for s in sets for r in s.labels),
        tuple(r for s in sets for r in s.predicates),
        tuple(r for s in sets for r in s.keys),
        tuple(r for s in sets for r in s.sentences),
        tuple(w for s in sets for w in (s.weights or (1.0,) * len(s.rows))),
    )


# --------------------------------------------------------------------------- fitting


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
    # Rows of predicates the model does not learn are left out; labels are renumbered.
    names = tuple(labels_used)
    keep = [i for i, p in enumerate(predicates) if p in names]
    rows = [rows[i] for i in keep]
    labels = [labels[i] for i in keep]
    predicates = [predicates[i] for i in keep]
    weights = [weights[i] for i in keep] if len(weights) else ()
    if not rows:
        raise EvaluationError("no training candidates: the data holds no pairs of entities.")
    features = vocabulary(rows, min_count=min_count)
    index = {f: i for i, f in enumerate(features)}
    x = _matrix(rows, index)
    xt = x.T.tocsr()
    n, d, k = x.shape[0], x.shape[1], len(names)
    y = np.asarray([names.index(LABELS[label]) for label in labels], dtype=np.int64)
    allowed = np.asarray([names.index(p) for p in predicates], dtype=np.int64)
    mask = np.full((n, k), -1e9)
    mask[:, 0] = 0.0
    mask[np.arange(n), allowed] = 0.0
    target = np.zeros((n, k))
    target[np.arange(n), y] = 1.0
    row_weight = np.asarray(weights, dtype=np.float64) if len(weights) else np.ones(n)
    row_weight = row_weight[:, None]
    penalty = np.full((d, 1), l2)
    if lexicon_l2 is not None:
        penalty[[i for i, f in enumerate(features) if f.startswith(LEXICON_FEATURES)]] = lexicon_l2

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        w = params[: d * k].reshape(d, k)
        b = params[d * k :]
        z = x @ w + b + mask
        z -= z.max(axis=1, keepdims=True)
        ez = np.exp(z)
        total = ez.sum(axis=1, keepdims=True)
        p = ez / total
        loss = -float(
            ((z[np.arange(n), y] - np.log(total[:, 0])) * row_weight[:, 0]).sum()
        ) + 0.5 * float((penalty * w * w).sum())
        g = (p - target) * row_weight
        grad_w = xt @ g + penalty * w
        return loss, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

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


def fit_set(data: TrainingSet, **options: Any) -> RelationModel:
    """:func:`fit` on a :class:`TrainingSet`."""
    return fit(data.rows, data.labels, data.predicates, weights=data.weights, **options)


# --------------------------------------------------------------------------- scoring


def scored(model: RelationModel, data: TrainingSet) -> list[list[ScoredCandidate]]:
    """The scored candidates of ``data``, grouped by example (in example order)."""
    from kg.extract.relation_candidates import Candidate

    probs = probabilities(model, data.rows, data.predicates)
    groups: dict[int, list[ScoredCandidate]] = {}
    for (n, h, t), predicate, sentence, p in zip(
        data.keys, data.predicates, data.sentences, probs, strict=True
    ):
        groups.setdefault(n, []).append(ScoredCandidate(Candidate(h, t, predicate, sentence), p))
    size = max(groups) + 1 if groups else 0
    return [groups.get(n, []) for n in range(size)]


def gold_entity_scores(
    examples: Sequence[Example], groups: Sequence[Sequence[ScoredCandidate]], threshold: float
) -> dict[str, Score]:
    """Micro P/R/F1 of the classifier alone over gold entities: per predicate and ``all``."""
    counts = {p: [0, 0, 0] for p in PREDICATES}
    for n, example in enumerate(examples):
        kept = decode(groups[n] if n < len(groups) else [], threshold)
        found = {(s.candidate.head, s.candidate.tail, s.candidate.predicate) for s in kept}
        for rel in found | example.gold:
            row = counts[rel[2]]
            if rel in found and rel in example.gold:
                row[0] += 1
            elif rel in found:
                row[1] += 1
            else:
                row[2] += 1
    scores = {p: Score(*row) for p, row in counts.items()}
    scores["all"] = Score(*(sum(row[i] for row in counts.values()) for i in range(3)))
    return scores


def best_threshold(
    examples: Sequence[Example],
    groups: Sequence[Sequence[ScoredCandidate]],
    thresholds: Sequence[float] = THRESHOLDS,
) -> tuple[float, dict[str, Score]]:
    """The threshold with the best micro F1 over gold entities (the lower of ties)."""
    best: tuple[float, dict[str, Score]] | None = None
    for t in thresholds:
        scores = gold_entity_scores(examples, groups, t)
        if best is None or scores["all"].f1 > best[1]["all"].f1 + 1e-12:
            best = (t, scores)
    assert best is not None
    return best


def choose_threshold(f1_by_threshold: dict[float, float], *, tolerance: float = TOLERANCE) -> float:
    """The highest threshold whose F1 is within ``tolerance`` of the best.

    CoNLL04 sentences were chosen for holding relations; in other news far
    fewer pairs of names are related, so of thresholds that score alike the
    more precise one is taken.

    >>> choose_threshold({0.2: 0.50, 0.3: 0.495, 0.4: 0.47})
    0.3
    """
    best = max(f1_by_threshold.values())
    return max(t for t, f1 in f1_by_threshold.items() if f1 >= best - tolerance)


def end_to_end_reports(
    gold_path: str | Path,
    *,
    model_dir: str | Path,
    thresholds: Sequence[float],
    nlp: Language | None = None,
) -> dict[float, ConllReport]:
    """Strict CoNLL04 scores of kg's pipeline plus the classifier, per threshold.

    The flow of :func:`kg.eval.files.evaluate_file`: extract, resolve,
    ``extraction_records``, ``score_conll04``. The pipeline runs once with the
    lowest threshold; higher ones drop the classifier's less likely relations.
    """
    from kg.build.extractions import extraction_records
    from kg.extract import extract
    from kg.resolve import resolve
    from kg.types import Article

    sentences = load_conll04(gold_path)
    nlp = nlp or classifier_nlp(model_dir, threshold=min(thresholds))
    articles = [Article(id=r["id"], text=r["text"]) for r in conll04_to_jsonl_records(sentences)]
    extractions = list(extract(articles, nlp))
    reports = {}
    for t in thresholds:
        kept = [
            replace(
                ex,
                relations=tuple(
                    r for r in ex.relations if r.trigger != TRIGGER or r.confidence >= t
                ),
            )
            for ex in extractions
        ]
        _, resolved = resolve(kept)
        reports[t] = score_conll04(extraction_records(resolved), sentences)
    return reports


def pipeline(ner: str | Path | None = None) -> Language:
    """kg's pipeline (:func:`kg.extract.make_nlp`), its ``ner`` weights read from ``ner`` if given.

    ``ner`` is a folder written by ``nlp.get_pipe("ner").to_disk`` (``kg/models/ner``).
    """
    from kg.extract import make_nlp

    nlp = make_nlp(classifier=False)
    if ner is not None:
        nlp.get_pipe("ner").from_disk(ner)  # type: ignore[attr-defined]
    return nlp


def classifier_nlp(
    model_dir: str | Path | None = None,
    *,
    threshold: float | None = None,
    ner: str | Path | None = None,
) -> Language:
    """kg's pipeline (see :func:`pipeline`) with the classifier after ``kg_relations``."""
    nlp = pipeline(ner)
    nlp.add_pipe(
        "kg_relation_classifier_v1",
        after="kg_relations",
        config={"model_dir": None if model_dir is None else str(model_dir), "threshold": threshold},
    )
    return nlp


def seeds_report(gold_path: str | Path, *, nlp: Language) -> dict[str, Any]:
    """Score the sample corpus built with ``nlp`` against the seeds gold standard."""
    from kg.eval import load_seeds_gold, score_graph
    from kg.extract import extract
    from kg.gazetteer import load_gazetteer
    from kg.graph.assemble import build_dataset
    from kg.ingest import read_articles, sample_corpus
    from kg.resolve import resolve

    gazetteer = load_gazetteer()
    articles = list(read_articles(sample_corpus()))
    extractions = list(extract(articles, nlp, gazetteer=gazetteer))
    entities, resolved = resolve(extractions, gazetteer=gazetteer)
    report = score_graph(
        build_dataset(entities, resolved, validate=False), load_seeds_gold(gold_path)
    )
    added = [r for ex in extractions for r in ex.relations if r.trigger == TRIGGER]
    return {
        "entities": report.entities.to_dict(),
        "relations": report.relations.to_dict(),
        "classifier_relations": len(added),
        "relation_false_positives": [f.item for f in report.relation_false_positives],
    }


# --------------------------------------------------------------------------- the command


def _scores_dict(scores: dict[str, Score]) -> dict[str, Any]:
    return {k: v.to_dict() for k, v in scores.items()}


def _report_dict(report: ConllReport) -> dict[str, Any]:
    return {
        "entities": report.entities.to_dict(),
        "relations": report.relations.to_dict(),
        "relations_by_predicate": {k: v.to_dict() for k, v in report.relations_by_predicate},
    }


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
    (:func:`predicted_examples`), so the model also sees the spans it meets at
    run time. Returns what ``scores.json`` holds.
    """
    started = time.perf_counter()
    nlp = pipeline(ner)
    train_sentences = load_conll04(train_path)
    train_set = featurize(gold_examples(train_sentences, nlp))
    if with_predicted:
        train_set = concat(train_set, featurize(predicted_examples(train_sentences, nlp)))
    dev_examples = gold_examples(load_conll04(dev_path), nlp)
    dev_set = featurize(dev_examples)
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
    _, model, gold_threshold = best
    gold_scores = gold_entity_scores(dev_examples, scored(model, dev_set), gold_threshold)
    train_seconds = time.perf_counter() - started

    folder = Path(out)
    save_model(replace(model, threshold=gold_threshold), folder)
    reports = end_to_end_reports(
        dev_path,
        model_dir=folder,
        thresholds=thresholds,
        nlp=classifier_nlp(folder, threshold=min(thresholds), ner=ner),
    )
    e2e_threshold = choose_threshold({t: r.relations.f1 for t, r in reports.items()})
    final = replace(model, threshold=e2e_threshold)
    files = save_model(final, folder)
    at_e2e = gold_entity_scores(dev_examples, scored(final, dev_set), e2e_threshold)
    summary = {
        "command": command,
        "seed": None,
        "deterministic": "no random state: L-BFGS from zero weights, sorted vocabulary",
        "train": str(train_path),
        "dev": str(dev_path),
        "train_candidates": len(train_set.rows),
        "train_entities": "gold and pipeline" if with_predicted else "gold",
        "ner": None if ner is None else str(ner),
        "features": len(final.features),
        "settings": dict(final.settings),
        "grid": grid,
        "threshold": e2e_threshold,
        "threshold_chosen_on": (
            "dev, end to end (kg pipeline entities): the highest threshold whose relation "
            f"micro F1 is within {TOLERANCE} of the best"
        ),
        "gold_entities": {
            "threshold": gold_threshold,
            "at_gold_threshold": _scores_dict(gold_scores),
            "at_shipped_threshold": _scores_dict(at_e2e),
        },
        "end_to_end": _report_dict(reports[e2e_threshold]),
        "end_to_end_by_threshold": {str(t): round(reports[t].relations.f1, 6) for t in thresholds},
        "train_seconds": round(train_seconds, 1),
        "size_bytes": sum(f.stat().st_size for f in files),
    }
    (folder / "scores.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: train (default) or ``--evaluate`` saved weights."""
    from kg.train.commandline import CONLL04_HINT, check_files, usage

    parser = argparse.ArgumentParser(
        prog="python -m kg.train.relations",
        description=usage(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--train", help="CoNLL04 training split (SpERT JSON)")
    parser.add_argument("--dev", required=True, help="CoNLL04 split to choose settings on")
    parser.add_argument("--out", default="kg/models/relations", help="weights folder")
    parser.add_argument("--l2", type=float, nargs="+", default=list(L2_GRID))
    parser.add_argument("--min-count", type=int, nargs="+", default=list(MIN_COUNT_GRID))
    parser.add_argument(
        "--evaluate", action="store_true", help="score the weights in --out, do not train"
    )
    parser.add_argument(
        "--gold-entities-only",
        action="store_true",
        help="train on gold entity pairs only (default: also on the pipeline's entities)",
    )
    parser.add_argument(
        "--ner", help="read the pipeline's ner weights from this folder (e.g. kg/models/ner)"
    )
    parser.add_argument("--threshold", type=float, default=None, help="with --evaluate")
    parser.add_argument(
        "--seeds-gold", help="with --evaluate: also score the sample corpus (eval/seeds.gold.json)"
    )
    args = parser.parse_args(argv)
    check_files(CONLL04_HINT, dev=args.dev, train=args.train)
    check_files(seeds_gold=args.seeds_gold)
    if args.evaluate:
        from kg.extract.relation_model import load_model

        threshold = args.threshold if args.threshold is not None else load_model(args.out).threshold
        nlp = classifier_nlp(args.out, threshold=threshold, ner=args.ner)
        report = end_to_end_reports(args.dev, model_dir=args.out, thresholds=[threshold], nlp=nlp)
        result: dict[str, Any] = {
            "threshold": threshold,
            "end_to_end": _report_dict(report[threshold]),
        }
        if args.seeds_gold:
            result["seeds"] = seeds_report(args.seeds_gold, nlp=nlp)
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
        return 0
    if not args.train:
        parser.error("--train is required unless --evaluate is given")
    command = "python -m kg.train.relations " + " ".join(sys.argv[1:] if argv is None else argv)
    summary = train(
        args.train,
        args.dev,
        args.out,
        l2_grid=args.l2,
        min_count_grid=args.min_count,
        with_predicted=not args.gold_entities_only,
        ner=args.ner,
        command=command,
    )
    sys.stdout.write(
        json.dumps(
            {k: summary[k] for k in ("threshold", "settings", "gold_entities", "end_to_end")},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    from kg.train.commandline import run

    raise SystemExit(run(main))
