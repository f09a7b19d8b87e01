"""``python -m kg.train.relations``: train the relation classifier, or score saved weights."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from kg.extract.relation_model import load_model
from kg.train.commandline import CONLL04_HINT, check_files, usage
from kg.train.relations import training
from kg.train.relations.scoring import classifier_nlp, end_to_end_reports, seeds_report
from kg.train.relations.training import L2_GRID, MIN_COUNT_GRID, report_dict, train

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: train (default) or ``--evaluate`` saved weights."""
    parser = _parser()
    args = parser.parse_args(argv)
    check_files(CONLL04_HINT, dev=args.dev, train=args.train)
    check_files(seeds_gold=args.seeds_gold)
    if args.evaluate:
        result = _evaluate(args)
    elif not args.train:
        parser.error("--train is required unless --evaluate is given")
    else:
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
        result = {k: summary[k] for k in ("threshold", "settings", "gold_entities", "end_to_end")}
    sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kg.train.relations",
        description=usage(training.__doc__),
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
    return parser


def _evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """``--evaluate``: the end-to-end scores of the weights in ``--out`` (and on the seeds)."""
    threshold = args.threshold if args.threshold is not None else load_model(args.out).threshold
    nlp = classifier_nlp(args.out, threshold=threshold, ner=args.ner)
    report = end_to_end_reports(args.dev, model_dir=args.out, thresholds=[threshold], nlp=nlp)
    result: dict[str, Any] = {"threshold": threshold, "end_to_end": report_dict(report[threshold])}
    if args.seeds_gold:
        result["seeds"] = seeds_report(args.seeds_gold, nlp=nlp)
    return result
