"""``kg validate`` and ``kg eval``: a graph checked against its shapes, a build scored on gold."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import DEFAULT_GRAPH, ReportFormat, graph_file, guarded
from kg.cli.options import GraphArg, GraphOpt, StoreOpt

__all__ = ["ValidationEngine", "evaluate", "validate"]


class ValidationEngine(StrEnum):
    """What ``kg validate`` checks with."""

    pyshacl = "pyshacl"
    compiled = "compiled"


ReportFormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")]
RuleLimitOpt = Annotated[
    int, typer.Option("--limit", min=0, help="Show at most N nodes a rule (0: all).")
]
EngineOpt = Annotated[
    ValidationEngine,
    typer.Option(
        "--engine",
        help="pyshacl (the reference SHACL engine) or compiled (kg's own reading of the "
        "same shapes, what kg build uses: the same results, ten times faster).",
    ),
]
ShapesOpt = Annotated[
    Path | None,
    typer.Option("--shapes", help="SHACL shapes (Turtle) to check instead of ontology/shapes.ttl."),
]
QuarantineOpt = Annotated[
    bool,
    typer.Option(
        "--quarantine", help="List what the build set aside in its quarantine graph, and why."
    ),
]
GoldArg = Annotated[
    Path,
    typer.Argument(
        metavar="GOLD",
        help="Gold data: a seeds gold JSON file (eval/news/dev.gold.json, "
        "eval/seeds.gold.json) or a CoNLL04 split in the SpERT JSON layout.",
    ),
]
PredOpt = Annotated[
    Path | None,
    typer.Option(
        "--graph",
        "-g",
        "--pred",
        metavar="FILE",
        help="The predictions: for seeds gold, the graph file of the build to score; for "
        "CoNLL04, a kg extract JSON Lines file (without it kg extracts the gold sentences "
        "itself). --pred is the same option.",
        show_default=f"{DEFAULT_GRAPH} for seeds gold",
    ),
]
MissLimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit",
        metavar="N",
        help="List at most N misses and false positives each.",
        show_default="all",
    ),
]


def validate(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    format: ReportFormatOpt = ReportFormat.text,
    limit: RuleLimitOpt = 10,
    engine: EngineOpt = ValidationEngine.pyshacl,
    shapes: ShapesOpt = None,
    quarantine: QuarantineOpt = False,
) -> None:
    """Check a graph against the shapes of the graph contract (ontology/shapes.ttl).

    Prints each broken rule with the nodes that break it (node, property,
    value) and exits with 1 when anything does, 0 when the graph conforms.

    Examples: kg validate ; kg validate --graph output/kg.trig --engine compiled ;
    kg validate --quarantine --format json
    """
    from kg.graph.validate import quarantined
    from kg.graph.validate.listing import check_text, quarantine_text
    from kg.stores.sources import read_dataset

    source = graph_file(ctx, graph_arg, graph, store)

    def go() -> tuple[str, bool]:
        dataset = read_dataset(source, store)
        if quarantine:
            return quarantine_text(quarantined(dataset), format.value, limit), True
        return check_text(
            dataset,
            shapes=shapes,
            engine=engine.value,
            format=format.value,
            source=store or str(source),
            limit=limit,
        )

    text, conforms = guarded(go)
    sys.stdout.write(text)
    if not conforms:
        raise typer.Exit(1)


def evaluate(
    gold: GoldArg,
    pred: PredOpt = None,
    format: ReportFormatOpt = ReportFormat.text,
    limit: MissLimitOpt = None,
) -> None:
    """Score a build or a kg extract file against gold data.

    Precision, recall and F1 of entities and relations, then every miss and
    false positive with its evidence. The matching rules are in
    eval/README.md.

    Examples: kg eval eval/seeds.gold.json (scores output/kg.trig, the sample build) ;
    kg eval eval/news/dev.gold.json --graph build/dev/kg.trig (after
    kg build eval/news/dev.jsonl -o build/dev)
    """
    from kg.eval import evaluate_file, format_report

    report = guarded(lambda: evaluate_file(gold, pred=pred))
    sys.stdout.write(format_report(report, format=format.value, limit=limit))
