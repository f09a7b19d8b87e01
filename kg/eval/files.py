"""Scoring gold files: tell a gold file's kind, read predictions, score (:func:`evaluate_file`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import EvaluationError
from kg.eval.conll_gold import conll04_to_jsonl_records, load_conll04
from kg.eval.conll_score import ConllReport, score_conll04
from kg.eval.score_seeds import score_graph
from kg.eval.seeds_gold import load_seeds_gold
from kg.eval.seeds_report import SeedsReport

__all__ = [
    "evaluate_file",
    "gold_kind",
    "read_records",
]


def gold_kind(path: str | Path) -> str:
    """Tell a seeds gold file (``"seeds"``) from a CoNLL04 split (``"conll04"``).

    Raises:
        EvaluationError: the file is missing or neither.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise EvaluationError(f"{path}: cannot read gold data ({err}).") from err
    if isinstance(data, dict) and "entities" in data and "relations" in data:
        return "seeds"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "tokens" in data[0]:
        return "conll04"
    raise EvaluationError(
        f"{path}: not gold data kg knows: "
        "expected a seeds JSON object or a CoNLL04 (SpERT) JSON list."
    )


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Read a ``kg extract`` JSON Lines file.

    Raises:
        EvaluationError: the file is missing or a line is not a JSON object.
    """
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationError(f"{path}: cannot read predictions ({err}).") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise EvaluationError(f"{path}, line {number}: not valid JSON ({err.msg}).") from err
        if not isinstance(record, dict):
            raise EvaluationError(f"{path}, line {number}: not a JSON object.")
        records.append(record)
    return records


def evaluate_file(gold: str | Path, *, pred: str | Path | None = None) -> SeedsReport | ConllReport:
    """Score predictions against a gold file of either kind.

    For seeds gold, ``pred`` is a graph file (default ``output/kg.trig``). For
    CoNLL04 gold, ``pred`` is a ``kg extract`` JSON Lines file; without it the
    gold sentences are extracted here, with the shipped pipeline.
    """
    kind = gold_kind(gold)
    if kind == "seeds":
        from kg.rdf.files import DEFAULT_GRAPH_PATH
        from kg.rdf.load import load_graph

        return score_graph(load_graph(pred or DEFAULT_GRAPH_PATH), load_seeds_gold(gold))
    sentences = load_conll04(gold)
    if pred is not None:
        return score_conll04(read_records(pred), sentences)
    from kg.build.extractions import extraction_records
    from kg.extract import extract, make_nlp
    from kg.resolve import resolve
    from kg.types import Article

    articles = [Article(id=r["id"], text=r["text"]) for r in conll04_to_jsonl_records(sentences)]
    extractions = list(extract(articles, make_nlp()))
    _, resolved = resolve(extractions)
    return score_conll04(extraction_records(resolved), sentences)
