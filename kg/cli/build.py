"""``kg build``, ``kg add``, ``kg remove`` and ``kg extract``: articles in, a build folder out.

The library is imported inside each command (here and in the other command
modules), so that ``kg --help`` and a command's own help load neither spaCy
nor rdflib.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kg.cli.common import (
    article_progress,
    err_console,
    guarded,
    jobs_of,
    out_console,
    waiting,
)
from kg.cli.options import (
    ChangeStoreOpt,
    EncodingOpt,
    GazetteerOpt,
    HtmlOpt,
    JobsOpt,
    MaxCharsOpt,
    MinConfidenceOpt,
    NoWaitOpt,
    OutputFileOpt,
    OutputOpt,
    PathsArg,
)
from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.errors import count
from kg.ingest import MAX_CHARS

if TYPE_CHECKING:
    from kg.build.pipeline import BuildSummary
    from kg.build.updates import ChangeSummary
    from kg.graph.validate import QuarantinedTriple

__all__ = ["add", "build", "extract", "remove"]

BuildOutputOpt = Annotated[
    Path,
    typer.Option("--output", "-o", metavar="DIR", help="Folder to write the outputs to."),
]
BuildHtmlOpt = Annotated[
    bool, typer.Option("--html/--no-html", help="Also write the interactive kg.html.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run on a Dask cluster: a scheduler address (tcp://HOST:8786) or local:N "
        "for N local worker processes. Writes N-Quads shards to OUTPUT/shards.",
    ),
]
PublishOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Also publish the graph to another store: oxigraph:PATH (an embedded on-disk "
        "store) or sparql+http://HOST:PORT/ (a SPARQL 1.1 server). kg add and kg remove "
        "then keep it up to date, as they keep the build's own store OUTPUT/store.",
    ),
]
ValidateOpt = Annotated[
    bool,
    typer.Option(
        "--validate/--no-validate",
        help="Check the graph against ontology/shapes.ttl while writing it; what breaks a "
        "shape goes to the quarantine graph <…/graph/quarantine> with the reason.",
    ),
]
CandidatesOpt = Annotated[
    bool,
    typer.Option(
        "--candidates",
        help="Also write the relations below --min-confidence to OUTPUT/candidates.trig, "
        "as kgo:CandidateStatement records that assert nothing (graph "
        "<…/graph/candidates>). kg add and kg remove keep both settings.",
    ),
]
AddPathsArg = Annotated[
    list[str], typer.Argument(help="Articles to add: files, folders or glob patterns.")
]
AddEncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", help="Text encoding of these files (default: the build's)."),
]
DocsArg = Annotated[list[str], typer.Argument(help="Ids of the articles to retract.")]
SummaryQuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")]
ExtractPathsArg = Annotated[
    list[str], typer.Argument(help="Articles: files, folders or glob patterns.")
]
BarQuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def build(
    paths: PathsArg = None,
    output: BuildOutputOpt = Path("output"),
    encoding: EncodingOpt = None,
    gazetteer: GazetteerOpt = None,
    html: BuildHtmlOpt = True,
    quiet: QuietOpt = False,
    jobs: JobsOpt = 1,
    cluster: ClusterOpt = None,
    store: PublishOpt = None,
    validate: ValidateOpt = True,
    max_chars: MaxCharsOpt = MAX_CHARS,
    min_confidence: MinConfidenceOpt = DEFAULT_MIN_CONFIDENCE,
    candidates: CandidatesOpt = False,
    no_wait: NoWaitOpt = False,
) -> None:
    """Build the knowledge graph of PATHS (the sample corpus if none) into OUTPUT.

    Writes kg.ttl (the whole graph), kg.trig (one named graph per document),
    kg.html (an interactive view that works offline), extractions.jsonl, the
    build's store OUTPUT/store (an embedded Oxigraph copy of kg.trig that
    kg query, path, timeline, analyze, viz, serve, conflicts and validate
    read instead of parsing kg.trig), and the build state in OUTPUT/.kg/
    that `kg add` and `kg remove` update.
    Only relations with a confidence of at least --min-confidence are
    asserted; --candidates writes the others to candidates.trig.

    Example: kg build corpus/ -o output --jobs 2
    """
    from kg.api import build as build_folder
    from kg.confidence import check_threshold

    set_aside: list[QuarantinedTriple] = []

    def go() -> BuildSummary:
        check_threshold(min_confidence, option="--min-confidence")  # before any work
        with article_progress(quiet=quiet) as (tick, start):
            return build_folder(
                paths or [],
                out_dir=output,
                html=html,
                encoding=encoding,
                gazetteer_files=[str(p) for p in gazetteer or []],
                jobs=jobs_of(jobs),
                cluster=cluster,
                store=store,
                max_chars=max_chars,
                min_confidence=min_confidence,
                candidates=candidates,
                validate=validate,
                on_start=start,
                on_article=tick,
                on_quarantine=set_aside.append,
                wait=not no_wait,
                on_wait=waiting(output),
            )

    _print_summary(guarded(go), set_aside, quiet=quiet)


def _print_summary(
    summary: BuildSummary, set_aside: list[QuarantinedTriple], *, quiet: bool
) -> None:
    """What the build set aside (on stderr); unless ``quiet``, its entities by class and
    relations by predicate, side by side, and the files it wrote."""
    from kg.graph.validate.listing import quarantine_note

    if set_aside:
        err_console.print(quarantine_note(set_aside), markup=False, highlight=False)
    if quiet:
        return
    table = Table(title=f"Built {count(summary.documents, 'document')}", show_edge=False)
    table.add_column("entities by class")
    table.add_column("n", justify="right")
    table.add_column("relations by predicate")
    table.add_column("n", justify="right")
    left = list(summary.entities.items())
    right = list(summary.relations.items())
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ("", "")
        b = right[i] if i < len(right) else ("", "")
        table.add_row(a[0], str(a[1]), b[0], str(b[1]))
    table.add_row(
        "total", str(sum(summary.entities.values())), "total", str(sum(summary.relations.values()))
    )
    out_console.print(table)
    out_console.print(f"observations: {summary.observations}")
    for path in summary.files:
        out_console.print(f"wrote {path}")


def _print_changes(changes: ChangeSummary, output: Path) -> None:
    for verb, ids in (
        ("added", changes.added),
        ("replaced", changes.replaced),
        ("unchanged", changes.unchanged),
        ("removed", changes.removed),
    ):
        if ids:
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            out_console.print(f"{verb} {len(ids)}: {shown}", highlight=False)
    out_console.print(f"{output} now holds {count(changes.documents, 'article')}.", highlight=False)


def add(
    paths: AddPathsArg,
    output: OutputOpt = Path("output"),
    html: HtmlOpt = True,
    quiet: QuietOpt = False,
    jobs: JobsOpt = 1,
    encoding: AddEncodingOpt = None,
    max_chars: MaxCharsOpt = MAX_CHARS,
    store: ChangeStoreOpt = None,
    no_wait: NoWaitOpt = False,
) -> None:
    """Add articles to an existing build, in place.

    Only new articles and articles whose content changed are extracted (a
    changed one replaces its earlier version); entity resolution and every
    output file are then redone over the whole build, so the graph is what
    a full build of the same articles gives.

    Example: kg add more-articles/ -o output
    """
    from kg.api import add as add_articles

    def go() -> ChangeSummary:
        with article_progress(quiet=quiet) as (tick, start):
            return add_articles(
                paths,
                out_dir=output,
                html=html,
                jobs=jobs_of(jobs),
                on_article=tick,
                on_start=start,
                encoding=encoding,
                max_chars=max_chars,
                store=store,
                wait=not no_wait,
                on_wait=waiting(output),
            )

    changes = guarded(go)
    if not quiet:
        _print_changes(changes, output)


def remove(
    docs: DocsArg,
    output: OutputOpt = Path("output"),
    html: HtmlOpt = True,
    quiet: SummaryQuietOpt = False,
    store: ChangeStoreOpt = None,
    no_wait: NoWaitOpt = False,
) -> None:
    """Retract articles from a build, with whatever only they asserted.

    An article's id is its file name without suffix (or the "id" of a JSON
    Lines record); `kg query` lists them: SELECT ?id { ?d dcterms:identifier ?id }.

    Example: kg remove 004_354504606f9a2e7a -o output
    """
    from kg.api import remove as remove_articles

    def go() -> ChangeSummary:
        return remove_articles(
            docs, out_dir=output, html=html, store=store, wait=not no_wait, on_wait=waiting(output)
        )

    changes = guarded(go)
    if not quiet:
        _print_changes(changes, output)


def extract(
    paths: ExtractPathsArg,
    output: OutputFileOpt = None,
    encoding: EncodingOpt = None,
    gazetteer: GazetteerOpt = None,
    quiet: BarQuietOpt = False,
    max_chars: MaxCharsOpt = MAX_CHARS,
    min_confidence: MinConfidenceOpt = DEFAULT_MIN_CONFIDENCE,
) -> None:
    """Write one JSON record per article: its entities with offsets and its relations.

    The relations are those `kg build` with the same --min-confidence asserts.

    Example: kg extract articles.jsonl -o extractions.jsonl
    """
    from kg.api import extract_jsonl

    def go() -> str:
        with article_progress(quiet=quiet) as (tick, start):
            return extract_jsonl(
                paths,
                output=output,
                encoding=encoding,
                gazetteer_files=[str(p) for p in gazetteer or []],
                max_chars=max_chars,
                min_confidence=min_confidence,
                on_start=start,
                on_article=tick,
                option="--min-confidence",
            )

    lines = guarded(go)
    if output is None:
        sys.stdout.write(lines)
    elif not quiet:
        err_console.print(f"wrote {output}")
