"""The options several ``kg`` commands share, spelt once (their help text is the commands')."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import ReportFormat

__all__ = [
    "ChangeStoreOpt",
    "EncodingOpt",
    "FormatOpt",
    "GazetteerOpt",
    "GraphArg",
    "GraphOpt",
    "HtmlOpt",
    "InferOpt",
    "JobsOpt",
    "MaxCharsOpt",
    "MinConfidenceOpt",
    "NoWaitOpt",
    "OutputFileOpt",
    "OutputOpt",
    "PathsArg",
    "StoreOpt",
]

PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Articles: .txt, .md, .html or .jsonl files, folders or glob patterns. "
        "Default: the sample corpus shipped with kg.",
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="Text encoding of the input files (default UTF-8).")
]
MaxCharsOpt = Annotated[
    int,
    typer.Option(
        "--max-chars",
        min=0,
        help="Refuse articles longer than N characters (0: no limit). Extraction time grows "
        "faster than an article's length; split very long texts into articles.",
    ),
]
MinConfidenceOpt = Annotated[
    float,
    typer.Option(
        "--min-confidence",
        help="Assert only the relations whose confidence is at least this (0 to 1; 0 asserts "
        "all). The default is the threshold the relation model was calibrated for, else 0.5.",
    ),
]
GazetteerOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--gazetteer",
        help="Extra gazetteer file (Turtle, as ontology/gazetteer-*.ttl). Repeatable.",
    ),
]
GraphOpt = Annotated[
    Path,
    typer.Option(
        "--graph",
        "-g",
        metavar="FILE",
        help="The graph file to read (.trig, .ttl, .nt, .nq, .jsonld). A build's kg.trig is "
        "read from the build's store beside it (OUTPUT/store) while that holds it.",
    ),
]
#: The graph file as a positional argument, the spelling of kg before --graph: still read,
#: no longer shown.
GraphArg = Annotated[Path | None, typer.Argument(metavar="GRAPH", hidden=True, show_default=False)]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="SPEC",
        help="Read this store instead of the graph file and the build's own store: "
        "oxigraph:DIR or sparql+http://HOST:PORT/ (see kg build --store).",
        show_default=False,
    ),
]

FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")]
OutputFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="File to write.", show_default="standard output"
    ),
]
InferOpt = Annotated[
    bool,
    typer.Option(
        "--infer",
        help="Add what the ontology entails (OWL 2 RL): superclasses, both directions of "
        "symmetric relations, inverses such as kgo:employs. Inferred triples are in the "
        "graph <…/graph/inferred>.",
    ),
]


JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        help="Processes that extract in parallel (0: one per core). The graph is the same.",
    ),
]


NoWaitOpt = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="Fail at once when another kg is writing the same folder, instead of waiting.",
    ),
]


OutputOpt = Annotated[
    Path,
    typer.Option("--output", "-o", metavar="DIR", help="The folder of the build to change."),
]
HtmlOpt = Annotated[
    bool, typer.Option("--html/--no-html", help="Also rewrite the interactive kg.html.")
]
ChangeStoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Another store to publish the changed build to (oxigraph:PATH or "
        "sparql+http://HOST:PORT/), besides the build's own OUTPUT/store. A local store of the "
        "build is kept without it; a remote one must be given again, so that a build folder "
        "alone never decides where articles go.",
    ),
]
