"""Extraction quality on every test set kg has, in one table.

Run from the repository root (``../shared`` beside it for CoNLL04 and the
sample gold)::

    python benchmarks/quality.py                  # dev split, sample, CoNLL04 dev
    python benchmarks/quality.py --sets dev train  # pick sets
    python benchmarks/quality.py --json out.json   # also write every report

Each set is built with the real command line (``kg build ... --no-html``)
and scored with ``kg eval GOLD --format json``, the same rules for every
scorer (shared/GOLD.md). Printed per set: entity precision/recall/F1,
relation precision/recall/F1, duplicates and wrong merges, calibration error,
qualifiers; and for the news sets the predicates with 10 or more gold
relations. Nothing here tunes anything: it only measures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

#: name -> (articles to build, gold file); None: kg eval extracts the gold's own sentences.
SETS: dict[str, tuple[Path | None, Path]] = {
    "dev": (ROOT / "eval/news/dev.jsonl", ROOT / "eval/news/dev.gold.json"),
    "train": (ROOT / "eval/news/train.jsonl", ROOT / "eval/news/train.gold.json"),
    "sample": (ROOT / "corpus", ROOT / "eval/seeds.gold.json"),
    "conll04-dev": (None, SHARED / "datasets/conll04/dev.json"),
}


def kg(*args: str) -> str:
    """Run the kg command line; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def report(name: str, work: Path) -> dict[str, Any]:
    """Build (when needed) and score one set; the ``kg eval`` JSON report."""
    articles, gold = SETS[name]
    if articles is None:
        return json.loads(kg("eval", str(gold), "--format", "json"))
    out = work / name
    kg("build", str(articles), "-o", str(out), "--no-html", "--jobs", "2")
    return json.loads(kg("eval", str(gold), "--pred", str(out / "kg.trig"), "--format", "json"))


def _prf(score: dict[str, Any]) -> str:
    return f"P {score['precision']:.3f} R {score['recall']:.3f} F1 {score['f1']:.3f}"


def _overall(part: dict[str, Any]) -> dict[str, Any]:
    """A report part's headline score (seeds reports nest it under "overall")."""
    return part.get("overall", part)


def summary(name: str, data: dict[str, Any]) -> list[str]:
    """The lines printed for one set."""
    entities, relations = data["entities"], data["relations"]
    lines = [f"{name}", f"  entities   {_prf(_overall(entities))}"]
    lines.append(f"  relations  {_prf(_overall(relations))}")
    if "duplicates" in entities:
        dup, merges = entities["duplicates"], entities["wrong_merges"]
        lines.append(
            f"  duplicates {dup['duplicated']}/{dup['gold_entities']} ({dup['share']:.3f}); "
            f"wrong merges {merges['nodes']}"
        )
    if data.get("calibration"):
        c = data["calibration"]
        chance = c.get("ece_by_chance") or {}
        by_chance = (
            f" (a calibrated graph: {chance['mean']:.3f}, 95% below {chance['p95']:.3f})"
            if chance
            else ""
        )
        lines.append(f"  calibration ECE {c['ece']:.3f} over {c['triples']} triples{by_chance}")
    if data.get("qualifiers"):
        q = data["qualifiers"]["overall"]
        lines.append(f"  qualifiers {q['right']}/{q['total']}")
    by_predicate = relations.get("by_predicate", {})
    for predicate, score in sorted(by_predicate.items() if isinstance(by_predicate, dict) else ()):
        if score["tp"] + score["fn"] >= 10:
            lines.append(f"    {predicate:14} {_prf(score)} (gold {score['tp'] + score['fn']})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets", nargs="+", choices=sorted(SETS), default=["dev", "sample", "conll04-dev"]
    )
    parser.add_argument("--json", help="write every report to this file")
    args = parser.parse_args(argv)
    reports = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            reports[name] = report(name, Path(tmp))
            print("\n".join(summary(name, reports[name])), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
