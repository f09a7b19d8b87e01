"""Scoring a pipeline with trained NER weights: CoNLL04 dev, the seed gold, held-out news."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from spacy.language import Language
from spacy.pipeline import EntityRecognizer

from kg.eval import (
    ConllReport,
    ConllSentence,
    SeedsGold,
    SeedsReport,
    conll04_to_jsonl_records,
    load_seeds_gold,
    score_conll04,
    score_graph,
)
from kg.train.ner.config import BASE_MODEL, SEEDS_GOLD
from kg.train.ner.news import gold_subset
from kg.types import Article

__all__ = [
    "add_kg_components",
    "entity_scores",
    "load_pipeline",
    "ner_pipe",
    "news_pipeline",
    "news_scores",
    "pipeline_scores",
    "prf",
    "score_dev",
    "score_news",
    "score_seeds",
]


def add_kg_components(nlp: Language) -> Language:
    """Add kg's components after the model's (as :func:`kg.extract.make_nlp` does)."""
    config: dict[str, Any] = {"gazetteer_files": []}
    nlp.add_pipe("kg_entities_v1", name="kg_entities", config=config)
    nlp.add_pipe("kg_coref_v1", name="kg_coref", config=config)
    nlp.add_pipe("kg_relations_v1", name="kg_relations")
    nlp.add_pipe("kg_figures_v1", name="kg_figures")
    return nlp


def score_dev(nlp: Language, sentences: Sequence[ConllSentence]) -> ConllReport:
    """Score kg's pipeline ``nlp`` on CoNLL04 sentences, as ``kg eval`` does."""
    from kg.build.extractions import extraction_records
    from kg.extract import extract
    from kg.resolve import resolve

    articles = [Article(id=r["id"], text=r["text"]) for r in conll04_to_jsonl_records(sentences)]
    _, resolved = resolve(list(extract(articles, nlp)))
    return score_conll04(extraction_records(resolved), sentences)


def score_seeds(nlp: Language, gold: Path = SEEDS_GOLD) -> SeedsReport:
    """Build the sample corpus with kg's pipeline ``nlp`` and score it against the seeds."""
    from kg.extract import extract
    from kg.gazetteer import load_gazetteer
    from kg.graph.assemble import build_dataset
    from kg.ingest import read_articles, sample_corpus
    from kg.resolve import resolve

    gazetteer = load_gazetteer()
    articles = list(read_articles(sample_corpus()))
    entities, resolved = resolve(
        list(extract(articles, nlp, gazetteer=gazetteer)), gazetteer=gazetteer
    )
    return score_graph(build_dataset(entities, resolved, validate=False), load_seeds_gold(gold))


def _entity_scores(report: ConllReport) -> dict[str, Any]:
    def prf(s: Any) -> dict[str, float]:
        return {"p": round(s.precision, 4), "r": round(s.recall, 4), "f1": round(s.f1, 4)}

    return {"overall": prf(report.entities), **{k: prf(v) for k, v in report.entities_by_type}}


def pipeline_scores(
    nlp: Language, dev: Sequence[ConllSentence], *, seeds_gold: Path | None = SEEDS_GOLD
) -> dict[str, Any]:
    """Dev entity and relation scores and (if ``seeds_gold`` exists) seeds F1 of ``nlp``."""
    start = time.perf_counter()
    report = score_dev(nlp, dev)
    out: dict[str, Any] = {
        "dev_entities": _entity_scores(report),
        "dev_relations_f1": round(report.relations.f1, 4),
        "dev_seconds": round(time.perf_counter() - start, 2),
    }
    if seeds_gold is not None and seeds_gold.exists():
        seeds = score_seeds(nlp, seeds_gold)
        out["seeds_entities_f1"] = round(seeds.entities.f1, 4)
        out["seeds_relations_f1"] = round(seeds.relations.f1, 4)
    return out


def score_news(nlp: Language, articles: Sequence[Article], gold: SeedsGold) -> SeedsReport:
    """Build the graph of news ``articles`` with kg's pipeline ``nlp``; score it by GOLD.md.

    As ``kg build`` and ``kg eval`` do: extraction, resolution in article-id
    order, the dataset, :func:`kg.eval.score_graph`. ``gold`` is
    restricted to the articles (:func:`gold_subset`).
    """
    from kg.extract import extract
    from kg.gazetteer import load_gazetteer
    from kg.graph.assemble import build_dataset
    from kg.resolve import resolve

    gazetteer = load_gazetteer()
    ordered = sorted(articles, key=lambda a: a.id)
    entities, resolved = resolve(
        list(extract(ordered, nlp, gazetteer=gazetteer)), gazetteer=gazetteer
    )
    subset = gold_subset(gold, [a.id for a in ordered])
    return score_graph(build_dataset(entities, resolved, validate=False), subset)


def entity_scores(report: SeedsReport) -> dict[str, Any]:
    """Entity precision, recall, F1 and counts of a graph report."""
    return prf(report.entities.tp, report.entities.fp, report.entities.fn)


def news_pipeline(model: str | None, *, adapted: bool = True) -> Language:
    """kg's pipeline (:func:`kg.extract.make_nlp`); callers may set other ``ner`` weights.

    Without the relation classifier: entities are all that is scored, and
    resolution reads mentions only.
    """
    from kg.extract import make_nlp

    return make_nlp(model=model, adapted_ner=adapted, classifier=False)


def news_scores(
    weights: Path | None,
    articles: Sequence[Article],
    gold: SeedsGold,
    *,
    model: str | None = BASE_MODEL,
) -> dict[str, Any]:
    """Entity scores of kg's pipeline on news ``articles``, with ``weights`` (None: stock ner)."""
    nlp = news_pipeline(model, adapted=weights is not None)
    if weights is not None:
        ner_pipe(nlp).from_disk(weights)
    return entity_scores(score_news(nlp, articles, gold))


def load_pipeline(weights: Path | None = None, *, model: str | None = None) -> Language:
    """kg's extraction pipeline, with the ner weights from ``weights`` (None: the stock ones)."""
    from kg.extract import load_model

    nlp = load_model(model)
    if weights is not None:
        ner_pipe(nlp).from_disk(weights)
    return add_kg_components(nlp)


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Precision, recall and F1 of counts, and the counts.

    >>> prf(3, 1, 1)
    {'p': 0.75, 'r': 0.75, 'f1': 0.75, 'tp': 3, 'fp': 1, 'fn': 1}
    """
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def ner_pipe(nlp: Language) -> EntityRecognizer:
    return cast(EntityRecognizer, nlp.get_pipe("ner"))
