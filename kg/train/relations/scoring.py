"""Scoring the relation classifier on CoNLL04: over gold entities and end to end.

Over gold entities the classifier is scored alone (:func:`gold_entity_scores`,
:func:`best_threshold`); end to end, kg's pipeline with the classifier is
scored as ``kg eval`` scores it (:func:`end_to_end_reports`), and on the
sample corpus against the seeds gold standard (:func:`seeds_report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from spacy.language import Language

from kg.build.extractions import extraction_records
from kg.eval import (
    ConllReport,
    Score,
    conll04_to_jsonl_records,
    load_conll04,
    load_seeds_gold,
    score_conll04,
    score_graph,
)
from kg.extract import extract
from kg.extract.classifier import ScoredCandidate, decode
from kg.extract.relation_candidates import PREDICATES, TRIGGER, Candidate
from kg.extract.relation_model import RelationModel, probabilities
from kg.gazetteer import load_gazetteer
from kg.graph.assemble import build_dataset
from kg.ingest import read_articles, sample_corpus
from kg.resolve import resolve
from kg.train.relations.data import Example, TrainingSet, pipeline
from kg.types import Article

__all__ = [
    "THRESHOLDS",
    "TOLERANCE",
    "best_threshold",
    "choose_threshold",
    "classifier_nlp",
    "end_to_end_reports",
    "gold_entity_scores",
    "scored",
    "seeds_report",
]

#: Thresholds tried on dev; the first of equal scores wins.
THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))
#: F1 difference within which thresholds count as scoring alike.
TOLERANCE = 0.01


def scored(model: RelationModel, data: TrainingSet) -> list[list[ScoredCandidate]]:
    """The scored candidates of ``data``, grouped by example (in example order)."""
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


def classifier_nlp(
    model_dir: str | Path | None = None,
    *,
    threshold: float | None = None,
    ner: str | Path | None = None,
) -> Language:
    """kg's pipeline (:func:`~kg.train.relations.data.pipeline`) with the classifier after
    ``kg_relations``."""
    nlp = pipeline(ner)
    nlp.add_pipe(
        "kg_relation_classifier_v1",
        after="kg_relations",
        config={"model_dir": None if model_dir is None else str(model_dir), "threshold": threshold},
    )
    return nlp


def seeds_report(gold_path: str | Path, *, nlp: Language) -> dict[str, Any]:
    """Score the sample corpus built with ``nlp`` against the seeds gold standard."""
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
