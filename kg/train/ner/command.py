"""The command line: ``python -m kg.train.ner``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kg.errors import KGError, ModelNotFoundError
from kg.eval import (
    load_conll04,
    load_seeds_gold,
)
from kg.train.commandline import CONLL04_HINT, check_files, usage
from kg.train.ner.config import (
    BASE_MODEL,
    DEV_FILE,
    NEWS_GOLD,
    NEWS_TRAIN,
    SEEDS_GOLD,
    TRAIN_FILE,
    WEIGHTS,
    TrainConfig,
)
from kg.train.ner.news import read_news
from kg.train.ner.rehearsal import EXTRA_SOURCES
from kg.train.ner.scoring import load_pipeline, news_scores, pipeline_scores
from kg.train.ner.training import train

__all__ = [
    "compare",
    "main",
]


def _parser() -> argparse.ArgumentParser:
    d = TrainConfig()
    p = argparse.ArgumentParser(
        prog="python -m kg.train.ner", description=usage(__doc__).split("\n", 1)[0]
    )
    p.add_argument("--evaluate", action="store_true", help="score stock and shipped weights only")
    p.add_argument("--weights", type=Path, default=WEIGHTS, help="weights to write or score")
    p.add_argument("--train", type=Path, default=TRAIN_FILE, help="CoNLL04 training split")
    p.add_argument("--dev", type=Path, default=DEV_FILE, help="CoNLL04 dev split (scored only)")
    p.add_argument("--seeds-gold", type=Path, default=SEEDS_GOLD, help="seed gold standard")
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--dropout", type=float, default=d.dropout)
    p.add_argument("--learn-rate", type=float, default=d.learn_rate)
    p.add_argument("--batch-start", type=float, default=d.batch_start)
    p.add_argument("--batch-end", type=float, default=d.batch_end)
    p.add_argument("--anchor", type=float, default=d.anchor, help="pull towards stock weights")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--rehearse", type=int, default=d.rehearse, help="extra sentences per epoch")
    p.add_argument(
        "--focus",
        default=",".join(d.focus_labels),
        help='labels whose extra sentences with the label after "of" are rehearsed every epoch',
    )
    p.add_argument("--keep-titles", action="store_true", help="learn CoNLL04's titled names")
    p.add_argument("--join-places", action="store_true", help="keep 'City , State' as one span")
    p.add_argument(
        "--extra",
        default=",".join(d.extra),
        help=f"unlabelled rehearsal text, comma-separated from {sorted(EXTRA_SOURCES)}",
    )
    p.add_argument("--news", type=Path, default=NEWS_TRAIN, help="news gold articles (JSON Lines)")
    p.add_argument("--news-gold", type=Path, default=NEWS_GOLD, help="their gold standard")
    p.add_argument(
        "--news-weight",
        type=float,
        default=d.news_weight,
        help="copies of each news sentence per epoch (0: CoNLL04 only)",
    )
    p.add_argument(
        "--cross-validate",
        action="store_true",
        help="choose the news weight (from --news-weights) and the epochs (up to --epochs) "
        "by cross-validation over the news articles, then train with them",
    )
    p.add_argument("--news-weights", default="1,3", help="news weights --cross-validate tries")
    p.add_argument("--folds", type=int, default=5, help="folds of --cross-validate")
    p.add_argument(
        "--min-seeds-f1",
        type=float,
        default=0.95,
        help="--cross-validate saves the best setting whose weights keep the seed sample's "
        "entity F1 at this or more",
    )
    p.add_argument("--model", default=d.base_model, help="the spaCy model to fine-tune")
    p.add_argument("--no-save", action="store_true", help="train and score, write nothing")
    p.add_argument(
        "--epoch-scores", action="store_true", help="score dev and seeds after every epoch"
    )
    return p


def _news_train_scores(weights: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Entities of the news articles trained on, stock and fine-tuned (not held out)."""
    articles = read_news(args.news)
    gold = load_seeds_gold(args.news_gold)
    return {
        "note": "trained on: for information; held-out figures are under cross_validation",
        "stock": news_scores(None, articles, gold, model=args.model),
        "fine_tuned": news_scores(weights, articles, gold, model=args.model),
    }


def _command(argv: Sequence[str]) -> str:
    return " ".join(["python -m kg.train.ner", *argv])


def compare(
    weights: Path,
    *,
    dev_file: Path = DEV_FILE,
    seeds_gold: Path | None = SEEDS_GOLD,
    model: str | None = BASE_MODEL,
) -> dict[str, Any]:
    """Score kg's pipeline with the stock and with the fine-tuned ner weights.

    Raises:
        ModelNotFoundError: there are no weights at ``weights``.
    """
    if not (weights / "model").is_file():
        raise ModelNotFoundError(
            f"{weights}: no trained NER weights there. Train them: python -m kg.train.ner"
        )
    dev = load_conll04(dev_file)
    return {
        "stock": pipeline_scores(load_pipeline(None, model=model), dev, seeds_gold=seeds_gold),
        "fine_tuned": pipeline_scores(
            load_pipeline(weights, model=model), dev, seeds_gold=seeds_gold
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Train (default) or evaluate (``--evaluate``); print the scores as JSON."""
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = set(args.extra.split(",")) - set(EXTRA_SOURCES) - {""}
    if unknown:
        parser.error(f"--extra: unknown source(s) {sorted(unknown)}; use {sorted(EXTRA_SOURCES)}")
    check_files(
        CONLL04_HINT,
        train=None if args.evaluate else args.train,
        dev=args.dev if args.evaluate or args.epoch_scores or not args.no_save else None,
    )
    check_files(seeds_gold=args.seeds_gold)
    argv = list(sys.argv[1:] if argv is None else argv)
    options = {"dev_file": args.dev, "seeds_gold": args.seeds_gold, "model": args.model}
    try:
        if args.evaluate:
            print(json.dumps(compare(args.weights, **options), indent=2))
            return 0
        summary = _train(args, argv, options)
    except (KGError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


def _config(args: argparse.Namespace) -> TrainConfig:
    """The training settings the options give."""
    return TrainConfig(
        epochs=args.epochs,
        dropout=args.dropout,
        batch_start=args.batch_start,
        batch_end=args.batch_end,
        learn_rate=args.learn_rate,
        seed=args.seed,
        rehearse=args.rehearse,
        anchor=args.anchor,
        focus_labels=tuple(label for label in args.focus.split(",") if label),
        strip_titles=not args.keep_titles,
        split_places=not args.join_places,
        extra=tuple(name for name in args.extra.split(",") if name),
        news_weight=args.news_weight,
        base_model=args.model,
    )


def _train(args: argparse.Namespace, argv: list[str], options: dict[str, Any]) -> dict[str, Any]:
    """Train as the options say; the summary, also saved beside the weights as scores.json."""
    output = None if args.no_save else args.weights
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    weights = [float(w) for w in args.news_weights.split(",") if w]
    result = train(
        _config(args),
        train_file=args.train,
        dev_file=args.dev if args.epoch_scores else None,
        seeds_gold=args.seeds_gold,
        output=output,
        news_file=args.news,
        news_gold=args.news_gold,
        news_weights=weights if args.cross_validate else (),
        folds=args.folds,
        min_seeds_f1=args.min_seeds_f1,
    )
    summary: dict[str, Any] = {
        "command": _command(argv),
        "config": asdict(result.config),
        "train_seconds": round(result.seconds, 1),
        "train_examples": result.examples,
        "rehearsal_pool": result.rehearsal_pool,
        **result.extra,
        "epochs": [asdict(e) for e in result.epochs],
    }
    if output is not None:
        summary["dev"] = compare(output, **options)
        if args.news.is_file() and args.news_gold.is_file():
            summary["news_train"] = _news_train_scores(output, args)
        (output / "scores.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
