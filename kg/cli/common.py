"""The ``kg`` command: thin commands over :mod:`kg.build.pipeline` and friends.

Each command parses its options, calls one library function, and turns
library errors (:class:`~kg.errors.KGError`) into a one-line message and an
exit code. Nothing else talks to the terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from kg import __version__
from kg.cli_help import KgCommand, KgGroup
from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.errors import KGError, ShapesError, printable, quiet_rdflib_warnings
from kg.ingest import MAX_CHARS
from kg.rdf.files import DEFAULT_GRAPH_PATH
from kg.stores.home import query_folder

if TYPE_CHECKING:
    from rdflib import Dataset

    from kg.build.pipeline import BuildResult, ChangeSummary
    from kg.graph.validate import QuarantinedTriple
    from kg.stores import Store
    from kg.viz import ViewData, ViewStatement

app = typer.Typer(
    name="kg",
    cls=KgGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Messages print text literally: file names, labels and evidence come from users, so
# neither ":fire:" emoji codes nor "[bold]" markup are read (fail() marks up its own prefix).
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False, markup=False)
out_console = Console(highlight=False, soft_wrap=True, emoji=False, markup=False)

T = TypeVar("T")

DEFAULT_GRAPH = DEFAULT_GRAPH_PATH
#: kg.viz.DEFAULT_MAX_NODES, without importing the view code to print help (a test checks).
VIEW_MAX_NODES = 5000


def command(name: str | None = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``@app.command()`` with kg's help style (metavars, not Python types: kg.cli_help)."""
    return app.command(name=name, cls=KgCommand)


class ResultFormat(StrEnum):
    """Output formats of ``kg query``."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


class ExportFormat(StrEnum):
    """Output formats of ``kg export``."""

    turtle = "turtle"
    nt = "nt"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"
    graphml = "graphml"
    gexf = "gexf"


class ReportFormat(StrEnum):
    """Output formats of ``kg eval``, ``kg validate``, ``kg analyze``, ``kg path``..."""

    text = "text"
    json = "json"


# Characters that would break the one-line message or act on the terminal: control
# characters (newlines, ESC sequences) and the bidirectional overrides that reorder text.
def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr (on one line) and return the exit to raise."""
    err_console.print(
        f"[bold red]error:[/] {escape(printable(message))}", markup=True, highlight=False
    )
    return typer.Exit(code)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one: ``count(1, "article")`` is ``'1 article'``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def warn(message: str) -> None:
    """Print ``warning: message`` on stderr, on one line and literally."""
    err_console.print(f"warning: {printable(message)}", highlight=False)


def guarded(call: Callable[[], T]) -> T:
    """Run ``call``; turn library errors and interruptions into messages and exit codes.

    The warnings rdflib and pySHACL log (with tracebacks) are held back and
    told as one ``warning:`` line each kind (:func:`kg.errors.quiet_rdflib_warnings`).
    """
    try:
        with quiet_rdflib_warnings(report=warn):
            return call()
    except KGError as err:
        raise fail(str(err), err.exit_code) from None
    except KeyboardInterrupt:
        raise fail("interrupted; no output file was changed.", 130) from None
    except MemoryError:
        raise fail("out of memory: process fewer or smaller files at a time.", 1) from None
    except OSError as err:
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        raise fail(f"{where}{err.strerror or err}.", 1) from None


@contextmanager
def progress_bar(label: str, *, enabled: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr (only when stderr is a terminal and ``enabled``)."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        yield progress


@contextmanager
def article_progress(
    *, quiet: bool
) -> Iterator[tuple[Callable[[object], None], Callable[[int], None]]]:
    """A progress bar over articles: yields (tick after each article, start with the total)."""
    with progress_bar("Extracting", enabled=not quiet) as progress:
        task = progress.add_task("Extracting", total=None) if progress else None

        def tick(_article: object) -> None:
            if progress is not None and task is not None:
                progress.advance(task)

        def start(total: int) -> None:
            if progress is not None and task is not None:
                progress.update(task, total=total)

        yield tick, start


class RateColumn(ProgressColumn):
    """Articles per second, averaged over the last seconds."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.1f} docs/s", style="progress.data.speed")


def _version(value: bool) -> None:
    if value:
        out_console.print(f"kg {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Turn news articles into an RDF knowledge graph you can query, check and look at.

    Start with: kg build ; then kg query --list, kg viz, kg export. Every command has --help.
    """
    if ctx.invoked_subcommand is None:  # `kg` alone: the help, and success
        text = ctx.get_help()  # Typer's rich help prints itself and returns ""
        if text:
            typer.echo(text)
        raise typer.Exit(0)


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


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the option ``name`` was given on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)  # click's ParameterSource (Typer vendors click)
    return source is not None and source.name == "COMMANDLINE"


def _graph_file(
    ctx: typer.Context, positional: Path | None, option: Path, store: str | None = None
) -> Path:
    """The graph file a command reads: --graph FILE, or the old positional GRAPH.

    Exits when the two name different files, or when a --store is given as well.
    """
    given = _given(ctx, "graph")
    if positional is not None and given and positional != option:
        raise fail(f"give the graph once: --graph {option} or {positional}, not both.", 2)
    if store is not None and (given or positional is not None):
        raise fail("give --graph FILE or --store SPEC, not both.", 2)
    return positional if positional is not None else option


def _build_store(graph: Path) -> Store | None:
    """The build's own store (OUTPUT/store) when it holds exactly ``graph``, open read-only.

    None when there is none, or when a build is writing it right now (the
    caller reads the graph file then).
    """
    from kg.stores.home import mirrored

    home = mirrored(graph)
    if home is None:
        return None
    from kg.errors import StoreError
    from kg.stores import open_store

    try:
        return open_store(home, read_only=True)
    except StoreError:
        return None


def _read_graph(graph: Path, store: str | None = None, *, home: bool = True) -> Dataset:
    """The dataset a reading command works on: a copy of the store's, or the graph file.

    Without ``--store``, the build's own store stands for its kg.trig when
    it holds exactly that file (``home``; see kg.stores.home).
    """
    from kg.stores import open_store

    opened = open_store(store, read_only=True) if store is not None else None
    if opened is None and home:
        opened = _build_store(graph)
    if opened is None:
        from kg.rdf.load import load_graph

        return load_graph(graph)
    with opened:
        return opened.to_dataset()


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


def _no_infer_on_stores(infer: bool, store: str | None) -> None:
    """--infer reasons over a graph file loaded in memory, not over a store."""
    if infer and store is not None:
        raise fail("--infer works on a graph file (--graph), not on a --store.", 2)


def _inferred(dataset: Dataset, infer: bool) -> Dataset:
    """The dataset, with the triples OWL 2 RL entails added when ``infer`` (see kg.graph.reason)."""
    if infer:
        from kg.graph.reason import infer as add_inferences

        add_inferences(dataset)
    return dataset


JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        help="Processes that extract in parallel (0: one per core). The graph is the same.",
    ),
]


def _jobs(jobs: int) -> int:
    from kg.build.parallel import default_jobs

    return jobs or default_jobs()


def _not_inputs(
    paths: list[str] | None, outputs: list[Path], extra: Sequence[Path | None] = ()
) -> None:
    """Refuse to overwrite a file that is also an input (``kg extract a.jsonl -o a.jsonl``):
    an article of ``paths`` or an ``extra`` input file, by any name (kg.export.check_not_inputs)."""
    from kg.atomic import check_not_inputs
    from kg.ingest import collect_paths

    if not any(path.exists() or path.is_symlink() for path in outputs):
        return
    inputs = [path for path in extra if path is not None]
    check_not_inputs(outputs, [*(collect_paths(paths) if paths else []), *inputs])


#: The files a build writes into its folder (kg build, kg add, kg remove).
_BUILD_FILES = (
    "kg.ttl",
    "kg.trig",
    "kg.html",
    "extractions.jsonl",
    "candidates.trig",
    ".kg/state.json",
    ".kg/extractions.jsonl",
)

NoWaitOpt = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="Fail at once when another kg is writing the same folder, instead of waiting.",
    ),
]


def _one_writer(output: Path, no_wait: bool) -> AbstractContextManager[None]:
    """The folder's writer lock (kg.build.state.writer_lock), saying on stderr when it waits."""
    from kg.build.state import writer_lock

    def waiting(pid: int | None) -> None:
        who = f" (pid {pid})" if pid else ""
        err_console.print(
            f"waiting for another kg writing to {output}/{who} ...", markup=False, highlight=False
        )

    return writer_lock(output, wait=not no_wait, on_wait=waiting)


def _run_with_progress(
    paths: list[str] | None,
    encoding: str | None,
    gazetteer: list[Path] | None,
    quiet: bool,
    jobs: int = 1,
    cluster: str | None = None,
    shard_dir: Path | None = None,
    store: str | None = None,
    max_chars: int = MAX_CHARS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    candidates: bool = False,
) -> BuildResult:
    """Run the pipeline with a progress bar over articles."""
    from kg.build.pipeline import run
    from kg.confidence import check_threshold

    check_threshold(min_confidence, option="--min-confidence")  # before any work
    with article_progress(quiet=quiet) as (tick, start):
        return run(
            paths or [],
            encoding=encoding,
            gazetteer_files=[str(p) for p in gazetteer or []],
            on_article=tick,
            on_start=start,
            jobs=_jobs(jobs),
            cluster=cluster,
            shard_dir=shard_dir,
            store=store,
            max_chars=max_chars,
            min_confidence=min_confidence,
            candidates=candidates,
        )


@command()
def build(
    paths: PathsArg = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="DIR", help="Folder to write the outputs to."),
    ] = Path("output"),
    encoding: EncodingOpt = None,
    gazetteer: GazetteerOpt = None,
    html: Annotated[
        bool, typer.Option("--html/--no-html", help="Also write the interactive kg.html.")
    ] = True,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
    jobs: JobsOpt = 1,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Run on a Dask cluster: a scheduler address (tcp://HOST:8786) or local:N "
            "for N local worker processes. Writes N-Quads shards to OUTPUT/shards.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Also publish the graph to another store: oxigraph:PATH (an embedded on-disk "
            "store) or sparql+http://HOST:PORT/ (a SPARQL 1.1 server). kg add and kg remove "
            "then keep it up to date, as they keep the build's own store OUTPUT/store.",
        ),
    ] = None,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Check the graph against ontology/shapes.ttl while writing it; what breaks a "
            "shape goes to the quarantine graph <…/graph/quarantine> with the reason.",
        ),
    ] = True,
    max_chars: MaxCharsOpt = MAX_CHARS,
    min_confidence: MinConfidenceOpt = DEFAULT_MIN_CONFIDENCE,
    candidates: Annotated[
        bool,
        typer.Option(
            "--candidates",
            help="Also write the relations below --min-confidence to OUTPUT/candidates.trig, "
            "as kgo:CandidateStatement records that assert nothing (graph "
            "<…/graph/candidates>). kg add and kg remove keep both settings.",
        ),
    ] = False,
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
    from kg.atomic import check_writable
    from kg.build.pipeline import BuildSummary, summarize, write_outputs

    set_aside: list[QuarantinedTriple] = []

    def go() -> tuple[BuildSummary, list[Path]]:
        check_writable(output)  # before the work, not after it
        _not_inputs(paths, [output / name for name in _BUILD_FILES], gazetteer or [])
        with _one_writer(output, no_wait):
            return work()

    def work() -> tuple[BuildSummary, list[Path]]:
        result = _run_with_progress(
            paths,
            encoding,
            gazetteer,
            quiet,
            jobs,
            cluster,
            output / "shards",
            store,
            max_chars,
            min_confidence,
            candidates,
        )
        files = write_outputs(
            result,
            output,
            html=html,
            validate=validate,
            on_quarantine=set_aside.append,
            jobs=_jobs(jobs),
        )
        return summarize(result), files

    summary, files = guarded(go)
    if set_aside:
        err_console.print(_quarantine_note(set_aside), markup=False, highlight=False)
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
    for path in files:
        out_console.print(f"wrote {path}")


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


@command()
def add(
    paths: Annotated[
        list[str], typer.Argument(help="Articles to add: files, folders or glob patterns.")
    ],
    output: OutputOpt = Path("output"),
    html: HtmlOpt = True,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
    jobs: JobsOpt = 1,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Text encoding of these files (default: the build's)."),
    ] = None,
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
    from kg.atomic import check_writable
    from kg.build.pipeline import add as add_articles

    def go() -> ChangeSummary:
        if output.is_dir():  # a missing build is reported as such by add_articles
            check_writable(output)
            _not_inputs(paths, [output / name for name in _BUILD_FILES])
        with _one_writer(output, no_wait), article_progress(quiet=quiet) as (tick, start):
            return add_articles(
                paths,
                out_dir=output,
                html=html,
                jobs=_jobs(jobs),
                on_article=tick,
                on_start=start,
                encoding=encoding,
                max_chars=max_chars,
                store=store,
            )

    changes = guarded(go)
    if not quiet:
        _print_changes(changes, output)


@command()
def remove(
    docs: Annotated[list[str], typer.Argument(help="Ids of the articles to retract.")],
    output: OutputOpt = Path("output"),
    html: HtmlOpt = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
    store: ChangeStoreOpt = None,
    no_wait: NoWaitOpt = False,
) -> None:
    """Retract articles from a build, with whatever only they asserted.

    An article's id is its file name without suffix (or the "id" of a JSON
    Lines record); `kg query` lists them: SELECT ?id { ?d dcterms:identifier ?id }.

    Example: kg remove 004_354504606f9a2e7a -o output
    """
    from kg.build.pipeline import remove as remove_articles

    def go() -> ChangeSummary:
        with _one_writer(output, no_wait):
            return remove_articles(docs, out_dir=output, html=html, store=store)

    changes = guarded(go)
    if not quiet:
        _print_changes(changes, output)


@command()
def query(
    ctx: typer.Context,
    query: Annotated[
        str | None,
        typer.Argument(
            help="A SPARQL query, or the path of a .rq file holding one. "
            "Leave it out with --name or --list.",
            show_default=False,
        ),
    ] = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    format: Annotated[
        ResultFormat, typer.Option("--format", "-f", help="Result format.")
    ] = ResultFormat.table,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", "-n", help="Run the saved query NAME (see --list).", show_default=False
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="NAME=VALUE: a value for a parameter the query declares. Repeatable.",
            show_default=False,
        ),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the saved queries and their parameters.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0, help="Stop the query after SECONDS (0: no limit)."),
    ] = 30.0,
    max_memory: Annotated[
        str,
        typer.Option(
            "--max-memory",
            help="Stop the query when it needs more than SIZE of memory beyond the loaded "
            "graph (e.g. 512MiB, 8GiB; 0: no limit).",
        ),
    ] = "2GiB",
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service",
            help="Let SERVICE call other SPARQL endpoints: your query and its bindings go "
            "over the network to them.",
        ),
    ] = False,
    allow_from: Annotated[
        bool,
        typer.Option(
            "--allow-from",
            help="Let FROM / FROM NAMED read the IRIs they name: any local file or URL "
            "the query names is read.",
        ),
    ] = False,
    store: StoreOpt = None,
    infer: InferOpt = False,
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) or a saved one on a built graph.

    The prefixes kgo:, kgr:, rdf:, rdfs:, owl:, skos:, prov:, dcterms:, xsd:,
    schema: and wd: are predeclared. Updates are refused; SERVICE and FROM are
    refused unless --allow-service / --allow-from. CONSTRUCT and DESCRIBE
    print Turtle. A query running past --timeout is stopped (exit code 124).

    Examples: kg query 'SELECT ?name WHERE { ?c a kgo:Company ; rdfs:label ?name }' ;
    kg query --list ; kg query --name sanctions --param company=Xiaomi
    """
    if list_queries:
        from kg.query.saved import format_saved_queries, saved_queries

        if query is not None or name is not None or param:
            raise fail("--list takes no query, --name or --param.", 2)
        sys.stdout.write(guarded(lambda: format_saved_queries(saved_queries().values())))
        return
    if query is not None and name is not None:
        raise fail("give a query or --name NAME, not both.", 2)
    if query is None and name is None:
        raise fail(
            "give a SPARQL query, the path of a .rq file, or --name NAME "
            "(kg query --list shows the saved queries).",
            2,
        )
    values = _query_params(param or [])
    graph_file = _graph_file(ctx, None, graph, store)
    _no_infer_on_stores(infer, store)
    if query is not None and name is None and not values and not infer:
        quick = _quick_answer(query, graph_file, store, format.value, timeout, max_memory)
        if quick is not None:
            sys.stdout.write(quick)
            return
    from kg.query.formats import format_result
    from kg.query.limits import parse_size
    from kg.query.run import run_query
    from kg.query.saved import bind_query, read_query_arg, read_saved_query, saved_query
    from kg.rdf.load import load_graph

    def go() -> str:
        if name is not None:
            saved = saved_query(name)
        else:
            saved = read_saved_query(read_query_arg(query or ""), name="the query")
        parsed = bind_query(saved, values, allow_service=allow_service, allow_from=allow_from)
        limit = parse_size(max_memory)
        if store is not None:
            from kg.stores import open_store

            opened: Store | None = open_store(store, read_only=True)
        else:  # the build's own store answers for its kg.trig (not when inferring)
            opened = None if infer else _build_store(graph_file)
        if opened is not None:
            with opened:
                result = opened.query(parsed, timeout=timeout or None, max_memory=limit)
        else:
            loaded = _inferred(load_graph(graph_file), infer)
            result = run_query(loaded, parsed, timeout=timeout or None, max_memory=limit)
        return format_result(result, format=format.value)

    sys.stdout.write(guarded(go))


def _quick_answer(
    query: str, graph: Path, store: str | None, format: str, timeout: float, max_memory: str
) -> str | None:
    """The answer of kg.query.quick's quick path on an Oxigraph store, or None.

    It imports neither rdflib nor the query checker, so a query on a big
    build's store answers in a fraction of a second; None sends the query
    the usual way (any other query, store or graph file).
    """
    from kg.query.quick import answer_command

    return guarded(
        lambda: answer_command(
            query,
            folder=query_folder(graph, store),
            format=format,
            timeout=timeout,
            max_memory=max_memory,
        )
    )


def _query_params(pairs: list[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a dict; a malformed or repeated one exits."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise fail(f"--param {pair!r}: write NAME=VALUE, e.g. --param company=Acme.", 2)
        if key in values:
            raise fail(f"--param {key} is given twice; give each parameter once.", 2)
        values[key] = value
    return values


@command()
def export(
    ctx: typer.Context,
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExportFormat.turtle,
    graph: GraphOpt = DEFAULT_GRAPH,
    output: OutputFileOpt = None,
    infer: InferOpt = False,
    store: StoreOpt = None,
) -> None:
    """Export a built graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML or GEXF.

    GraphML and GEXF (for Gephi) hold the entity network: entities with their
    label and class as attributes, relations as edges.

    Examples: kg export --format graphml -o output/kg.graphml ;
    kg export --format gexf -o output/kg.gexf ; kg export --infer -f trig -o inferred.trig
    """
    from kg.atomic import check_not_inputs
    from kg.graph.export import export_graph

    graph_file = _graph_file(ctx, None, graph, store)

    def go() -> str | None:
        if output is not None and store is None:
            check_not_inputs([output], [graph_file])
        dataset = _inferred(_read_graph(graph_file, store, home=False), infer)
        return export_graph(dataset, format=format.value, destination=output)

    text = guarded(go)
    if text is not None:
        sys.stdout.write(text)
    else:
        err_console.print(f"wrote {output}")


@command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Articles: files, folders or glob patterns.")],
    output: OutputFileOpt = None,
    encoding: EncodingOpt = None,
    gazetteer: GazetteerOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    max_chars: MaxCharsOpt = MAX_CHARS,
    min_confidence: MinConfidenceOpt = DEFAULT_MIN_CONFIDENCE,
) -> None:
    """Write one JSON record per article: its entities with offsets and its relations.

    The relations are those `kg build` with the same --min-confidence asserts.

    Example: kg extract articles.jsonl -o extractions.jsonl
    """
    from kg.atomic import check_writable, write_atomic
    from kg.build.pipeline import extraction_records
    from kg.errors import OutputError

    def go() -> str:
        if output is not None:
            if output.is_dir():
                raise OutputError(f"{output}: is a folder; give the file to write with -o.")
            check_writable(output.parent)
            _not_inputs(paths, [output])
        result = _run_with_progress(
            paths, encoding, gazetteer, quiet, max_chars=max_chars, min_confidence=min_confidence
        )
        lines = "".join(
            json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
            for r in extraction_records(result.resolved, min_confidence=min_confidence)
        )
        if output is not None:
            write_atomic(output, lines.encode("utf-8"))
        return lines

    lines = guarded(go)
    if output is None:
        sys.stdout.write(lines)
    elif not quiet:
        err_console.print(f"wrote {output}")


@command()
def viz(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="The HTML file to write.")
    ] = Path("output/kg.html"),
    focus: Annotated[
        str | None,
        typer.Option(
            "--focus",
            help="Draw only this entity (its name, an alias or its IRI) and its neighbours.",
        ),
    ] = None,
    depth: Annotated[
        int,
        typer.Option(
            "--depth", min=0, metavar="N", help="With --focus: how many relations away to go."
        ),
    ] = 1,
    query: Annotated[
        str | None,
        typer.Option(
            "--query",
            metavar="QUERY",
            help="Draw what a SPARQL CONSTRUCT (its entities and relations) or SELECT (the "
            "entities it binds and the relations among them) chooses: a .rq file or the text.",
        ),
    ] = None,
    max_nodes: Annotated[
        int,
        typer.Option(
            "--max-nodes",
            min=0,
            metavar="N",
            help="Draw at most N entities, the most connected (nearest the focus first); "
            "0 draws all. 5,000 open in a few seconds.",
        ),
    ] = VIEW_MAX_NODES,
) -> None:
    """Write an interactive HTML view of a graph that opens offline in any browser.

    Examples: kg viz --graph output/kg.trig -o output/kg.html ;
    kg viz --focus Xiaomi --depth 2 -o xiaomi.html ;
    kg viz --query 'SELECT ?c WHERE { ?c a kgo:Company }' -o companies.html
    """
    from kg.atomic import check_not_inputs
    from kg.query.saved import read_query_arg
    from kg.viz import graph_to_view, write_html

    if _given(ctx, "depth") and focus is None:
        raise fail("--depth goes with --focus NAME.", 2)
    graph_file = _graph_file(ctx, graph_arg, graph, store)

    def go() -> ViewData:
        inputs = [*([graph_file] if store is None else []), *([Path(query)] if query else [])]
        check_not_inputs([output], inputs)
        text = read_query_arg(query) if query is not None else None
        view = graph_to_view(
            _read_graph(graph_file, store),
            focus=focus,
            depth=depth,
            query=text,
            max_nodes=max_nodes or None,
        )
        write_html(view, output, title="kg: knowledge graph")
        return view

    view = guarded(go)
    for note in view.notes:
        err_console.print(note, markup=False, highlight=False)
    err_console.print(
        f"wrote {output}: {len(view.nodes):,} of {count(view.total, 'entity', 'entities')}, "
        f"{count(len(view.edges), 'relation')}",
        markup=False,
        highlight=False,
    )


@command(name="eval")
def evaluate(
    gold: Annotated[
        Path,
        typer.Argument(
            metavar="GOLD",
            help="Gold data: a seeds gold JSON file (eval/news/dev.gold.json, "
            "eval/seeds.gold.json) or a CoNLL04 split in the SpERT JSON layout.",
        ),
    ],
    pred: Annotated[
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
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            metavar="N",
            help="List at most N misses and false positives each.",
            show_default="all",
        ),
    ] = None,
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


@command()
def serve(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: Annotated[
        Path,
        typer.Option(
            "--graph",
            "-g",
            metavar="FILE",
            help="The graph file to serve, loaded into memory (unless --store is given).",
        ),
    ] = DEFAULT_GRAPH,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            metavar="SPEC",
            help="Serve a store instead of a file: oxigraph:DIR (or a folder), memory, or "
            "sparql+http://HOST:PORT/ (a SPARQL server to relay, read-only).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free one).")
    ] = 7878,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0, help="Stop a query after SECONDS (0: no limit)."),
    ] = 30.0,
    max_memory: Annotated[
        str,
        typer.Option(
            "--max-memory",
            help="Stop a query when it needs more than SIZE of memory beyond the loaded "
            "graph (e.g. 512MiB, 8GiB; 0: no limit).",
        ),
    ] = "2GiB",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not log requests.")] = False,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-origin",
            help="Also answer pages of ORIGIN (scheme://host[:port]); repeatable. Pages of "
            "other sites are refused (403).",
            show_default=False,
        ),
    ] = None,
    max_workers: Annotated[
        int | None,
        typer.Option(
            "--max-workers",
            min=1,
            help="Queries run at once (default: twice the CPUs); a quarter of them (at "
            "least one) may run past 1 s. Eight per place wait up to 5 s; the rest get 503 "
            "with Retry-After.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve a graph read-only over the SPARQL 1.1 Protocol, with a query page.

    The endpoint is http://HOST:PORT/sparql (GET ?query= or POST; JSON, CSV,
    TSV, XML or Turtle by the Accept header) and the page http://HOST:PORT/.
    Updates, SERVICE and FROM are refused. Ctrl-C stops it.

    Examples: kg serve ; kg serve --graph output/kg.trig --port 8000 ;
    kg serve --store oxigraph:output/store
    """
    from kg.query.limits import parse_size
    from kg.rdf.load import load_graph
    from kg.serve import SparqlServer, make_server
    from kg.stores import MemoryStore, OxigraphStore, open_store
    from kg.stores.home import mirrored

    graph_file = _graph_file(ctx, graph_arg, graph, store)

    def log(line: str) -> None:
        err_console.print(line, markup=False, highlight=False)

    def start() -> tuple[Store, SparqlServer]:
        limit = parse_size(max_memory)
        opened: Store
        if store is not None:
            opened = open_store(store, read_only=True)
        elif (home := mirrored(graph_file)) is not None:
            # a copy of the build's store, so that kg add can update the store meanwhile
            opened = OxigraphStore.copy_of(home)
        else:
            opened = MemoryStore(load_graph(graph_file), name=str(graph_file))
        opened.max_memory = limit  # every query the server runs gets this ceiling
        try:
            server = make_server(
                opened,
                host,
                port,
                timeout=timeout or None,
                log=None if quiet else log,
                allow_origins=allow_origin or (),
                max_workers=max_workers,
            )
        except BaseException:
            opened.close()
            raise
        return opened, server

    opened, server = guarded(start)
    err_console.print(
        f"serving {opened.name} read-only: query page {server.url} , "
        f"SPARQL endpoint {server.url}sparql (Ctrl-C stops)",
        markup=False,
        highlight=False,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err_console.print("stopped.", markup=False, highlight=False)
    finally:
        server.server_close()
        opened.close()


# -- checking and exploring the graph (validate, analyze, path, timeline, conflicts) --------------


class ValidationEngine(StrEnum):
    """What ``kg validate`` checks with."""

    pyshacl = "pyshacl"
    compiled = "compiled"


class CommunityMethod(StrEnum):
    """Community detection methods of ``kg analyze``."""

    louvain = "louvain"
    greedy = "greedy"


def _quarantine_note(records: list[QuarantinedTriple]) -> str:
    """One line on what a build set aside, and where to read why."""
    graphs = {r.graph for r in records}
    rules = sorted({short_rule for r in records for short_rule in _rule_names(r)})
    shown = ", ".join(rules[:4]) + (f" and {len(rules) - 4} more" if len(rules) > 4 else "")
    return (
        f"quarantined {count(len(records), 'triple')} of {count(len(graphs), 'graph')} "
        f"that break {shown}: they are "
        "in the graph <…/graph/quarantine> with the reason (kg validate --quarantine lists them)."
    )


def _rule_names(record: QuarantinedTriple) -> list[str]:
    from kg.graph.validate import short

    return [short(rule) for rule in record.rules]


@command()
def validate(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Show at most N nodes a rule (0: all).")
    ] = 10,
    engine: Annotated[
        ValidationEngine,
        typer.Option(
            "--engine",
            help="pyshacl (the reference SHACL engine) or compiled (kg's own reading of the "
            "same shapes, what kg build uses: the same results, ten times faster).",
        ),
    ] = ValidationEngine.pyshacl,
    shapes: Annotated[
        Path | None,
        typer.Option(
            "--shapes", help="SHACL shapes (Turtle) to check instead of ontology/shapes.ttl."
        ),
    ] = None,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine", help="List what the build set aside in its quarantine graph, and why."
        ),
    ] = False,
) -> None:
    """Check a graph against the shapes of the graph contract (ontology/shapes.ttl).

    Prints each broken rule with the nodes that break it (node, property,
    value) and exits with 1 when anything does, 0 when the graph conforms.

    Examples: kg validate ; kg validate --graph output/kg.trig --engine compiled ;
    kg validate --quarantine --format json
    """
    from rdflib import Graph

    from kg.graph.validate import (
        format_report,
        quarantined,
        report_to_json,
        validate_graph,
    )

    graph_file = _graph_file(ctx, graph_arg, graph, store)

    def go() -> tuple[str, bool]:
        dataset = _read_graph(graph_file, store)
        if quarantine:
            return _format_quarantine(quarantined(dataset), format.value, limit), True
        custom = None
        if shapes is not None:
            try:
                custom = Graph().parse(shapes, format="turtle")
            except (OSError, SyntaxError, ValueError) as err:
                why = (str(err).strip().splitlines() or [type(err).__name__])[0].rstrip(":")
                raise fail(
                    f"{shapes}: cannot read the shapes ({why}). Give a Turtle file.", 2
                ) from None
        try:
            report = validate_graph(dataset, shapes=custom, engine=engine.value)
        except ShapesError as err:
            raise ShapesError(f"{shapes or 'ontology/shapes.ttl'}: {err}") from err
        if format is ReportFormat.json:
            text = json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"
        else:
            text = format_report(report, source=store or str(graph_file), limit=limit)
            held = quarantined(dataset)
            if held:
                text += (
                    f"\nThe build set aside {count(len(held), 'triple')} in its quarantine graph "
                    "(kg validate --quarantine lists them).\n"
                )
        return text, report.conforms

    text, conforms = guarded(go)
    sys.stdout.write(text)
    if not conforms:
        raise typer.Exit(1)


def _format_quarantine(records: list[QuarantinedTriple], fmt: str, limit: int = 10) -> str:
    from kg.graph.validate import short

    if fmt == "json":
        rows = [
            {
                "graph": None if r.graph is None else str(r.graph),
                "triple": [str(t) for t in r.triple],
                "reasons": list(r.reasons),
                "rules": [str(x) for x in r.rules],
            }
            for r in records
        ]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if not records:
        return "the graph has no quarantine: nothing was set aside.\n"
    groups: dict[tuple[str, str], list[QuarantinedTriple]] = {}
    for record in records:
        rules = ", ".join(short(rule) for rule in record.rules) or "?"
        message = record.reasons[0].split(" (", 1)[0] if record.reasons else "?"
        groups.setdefault((rules, message), []).append(record)
    graphs = {r.graph for r in records}
    lines = [
        f"{count(len(records), 'triple')} of {count(len(graphs), 'graph')} set aside, by rule:"
    ]
    for (rules, message), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append("")
        lines.append(f"{rules}: {message} ({count(len(group), 'triple')})")
        group.sort(key=lambda r: (str(r.graph or ""), *(t.n3() for t in r.triple)))
        for r in group[: limit or None]:
            where = "default graph" if r.graph is None else short(r.graph)
            text = " ".join(_one_line(short(t)) for t in r.triple)
            lines.append(f"  {text if len(text) <= 160 else text[:157] + '...'}  [{where}]")
        if limit and len(group) > limit:
            lines.append(f"  ... and {len(group) - limit:,} more")
    return "\n".join(lines) + "\n"


@command()
def analyze(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    top: Annotated[
        int, typer.Option("--top", "-n", min=1, metavar="N", help="Rows of each table.")
    ] = 10,
    method: Annotated[
        CommunityMethod, typer.Option("--method", help="Community detection method.")
    ] = CommunityMethod.louvain,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Rank a graph's entities (degree, PageRank, betweenness) and find its communities.

    Computed with networkx on the entity network: entities as nodes, each
    related pair one link weighted by its relations.

    Examples: kg analyze ; kg analyze --graph output/kg.trig --top 20 --format json
    """
    from kg.analyze import Analysis, analysis_to_json
    from kg.analyze import analyze as run_analysis

    graph_file = _graph_file(ctx, graph_arg, graph, store)
    result: Analysis = guarded(
        lambda: run_analysis(_read_graph(graph_file, store), method=method.value)
    )
    if format is ReportFormat.json:
        sys.stdout.write(
            json.dumps(analysis_to_json(result, top=top), indent=2, ensure_ascii=False) + "\n"
        )
        return
    if not result.entities:
        out_console.print("the graph has no entities.")
        return
    out_console.print(
        f"{count(len(result.entities), 'entity', 'entities')}, "
        f"{count(result.relations, 'relation')}, "
        f"{count(len(result.communities), 'community', 'communities')} ({result.method})."
    )
    table = Table(title=f"Top {top} entities by PageRank", show_edge=False, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("entity", ratio=3)
    table.add_column("class", ratio=2)
    table.add_column("degree", justify="right")
    table.add_column("PageRank", justify="right")
    table.add_column("betweenness", justify="right")
    table.add_column("group", justify="right")
    for i, e in enumerate(result.top("pagerank", top), 1):
        table.add_row(
            str(i),
            e.label,
            e.cls,
            str(e.degree),
            f"{e.pagerank:.4f}",
            f"{e.betweenness:.4f}",
            "" if e.community is None else str(e.community),
        )
    out_console.print(table)
    estimated = " (estimated from a sample)" if result.approximate_betweenness else ""
    for key, title, show in (
        ("degree", "Most relations", lambda e: str(e.degree)),
        ("betweenness", f"Most between others{estimated}", lambda e: f"{e.betweenness:.3f}"),
    ):
        ranked = ", ".join(f"{e.label} ({show(e)})" for e in result.top(key, top))
        out_console.print(f"{title}: {ranked}")
    out_console.print("")
    table = Table(
        title=f"Groups (communities, {result.method})", show_edge=False, title_justify="left"
    )
    table.add_column("#", justify="right")
    table.add_column("size", justify="right")
    table.add_column("most connected members")
    for c in result.communities[:top]:
        names = ", ".join(c.names[:6]) + (", ..." if c.size > 6 else "")
        table.add_row(str(c.number), str(c.size), names)
    out_console.print(table)


@command()
def path(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(help="The first entity: its name, an alias or its IRI.")],
    end: Annotated[str, typer.Argument(help="The other entity: its name, an alias or its IRI.")],
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    max_hops: Annotated[
        int | None,
        typer.Option(
            "--max-hops",
            min=1,
            metavar="N",
            help="Give up beyond N relations.",
            show_default="no limit",
        ),
    ] = None,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Explain how two entities are connected: the shortest chain of relations between them.

    Each hop shows the relation (read forwards or backwards), the evidence
    sentence and the document that states it. Names are matched as with
    kg viz --focus.

    Examples: kg path Xiaomi "Best Buy" ; kg path Huawei ZTE --graph output/kg.trig --max-hops 3
    """
    from kg.analyze import Path as EntityPath
    from kg.analyze import best_statement, find_path, path_to_json

    graph_file = _graph_file(ctx, graph_arg, graph, store)
    found: EntityPath = guarded(
        lambda: find_path(_read_graph(graph_file, store), start, end, max_hops=max_hops)
    )
    if format is ReportFormat.json:
        sys.stdout.write(json.dumps(path_to_json(found), indent=2, ensure_ascii=False) + "\n")
        return
    for note in found.notes:
        err_console.print(note, markup=False, highlight=False)
    n = len(found.hops)
    out_console.print(
        f"{found.start.label} ({found.start.cls}) to {found.end.label} ({found.end.cls}): "
        f"{count(n, 'hop')}",
        markup=False,
    )
    for i, hop in enumerate(found.hops, 1):
        out_console.print("")
        for j, edge in enumerate(hop.edges):
            arrow = f"-{edge.predicate}->" if hop.forward(edge) else f"<-{edge.predicate}-"
            head = f"{i}." if j == 0 else "  "
            out_console.print(
                f"{head} {hop.source.label}  {arrow}  {hop.target.label}", markup=False
            )
            best = best_statement(edge)
            if best is not None:
                out_console.print(f"     “{_one_line(best.evidence)}”", markup=False)
                out_console.print(f"     {_source(best, len(edge.statements))}", markup=False)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _source(st: ViewStatement, count: int = 1) -> str:
    """Where a statement comes from: document, its date and title, the confidence."""
    doc = st.document
    parts = []
    if doc is not None:
        parts.append(doc.id or doc.iri)
        if doc.date:
            parts.append(doc.date)
        if doc.title:
            parts.append(f"“{_one_line(doc.title)}”")
    if st.confidence is not None:
        parts.append(f"confidence {st.confidence:g}")
    if count > 1:
        parts.append(f"{count} statements")
    return " · ".join(parts) or "no source recorded"


@command()
def timeline(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="The entity: its name, an alias or its IRI.")],
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    undated: Annotated[
        bool, typer.Option("--undated", help="Also list the statements that have no date.")
    ] = False,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """List the dated statements about an entity, in date order.

    One row a statement: its date (or start and end), status, relation, the
    other entity, the evidence and the document. A year sorts before its
    months, a quarter at its first month.

    Examples: kg timeline Xiaomi ; kg timeline "Lei Jun" --graph output/kg.trig --undated
    """
    from kg.timeline import Timeline, timeline_to_json
    from kg.timeline import timeline as read_timeline

    graph_file = _graph_file(ctx, graph_arg, graph, store)
    line: Timeline = guarded(
        lambda: read_timeline(_read_graph(graph_file, store), entity, undated=undated)
    )
    if format is ReportFormat.json:
        sys.stdout.write(json.dumps(timeline_to_json(line), indent=2, ensure_ascii=False) + "\n")
        return
    for note in line.notes:
        err_console.print(note, markup=False, highlight=False)
    if not line.events and not line.undated:
        out_console.print(
            f"no dated statement about {line.entity.label}"
            + ("" if undated else " (--undated lists the others)")
            + ".",
            markup=False,
        )
        return
    dated = len(line.events)
    out_console.print(
        f"{line.entity.label} ({line.entity.cls}): {count(dated, 'dated statement')}"
        + (f", {len(line.undated)} undated" if undated else ""),
        markup=False,
    )
    for event in (*line.events, *line.undated):
        st = event.statement
        subject, obj = (
            (line.entity.label, event.other.label)
            if event.outgoing
            else (event.other.label, line.entity.label)
        )
        qualifiers = [
            f"{name} {value}"
            for name, value in (
                ("date", st.date),
                ("start", st.start),
                ("end", st.end),
                ("status", st.status),
                ("role", st.role),
            )
            if value
        ]
        out_console.print("", markup=False)
        out_console.print(
            f"{event.when or 'undated':<10}  {subject} {event.predicate} {obj}"
            + (f"  ({', '.join(qualifiers)})" if qualifiers else ""),
            markup=False,
        )
        out_console.print(f"{'':<10}  “{_one_line(st.evidence)}”", markup=False)
        out_console.print(f"{'':<10}  {_source(st)}", markup=False)


@command()
def conflicts(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            min=0,
            help="Figures closer than this share of the larger one agree (0.01: 1%).",
        ),
    ] = 0.01,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Report statements that contradict each other across sources, with both sources.

    Different figures for one entity, metric and period; a sanction lifted
    before it was imposed; a relation one source says ended and a later one
    says goes on; a start after an end; two companies owning each other.
    Exits with 0 either way.

    Examples: kg conflicts ; kg conflicts --graph output/kg.trig --tolerance 0.05
    """
    from kg.timeline import Conflict, conflicts_to_json
    from kg.timeline import conflicts as find_conflicts

    graph_file = _graph_file(ctx, graph_arg, graph, store)
    found: list[Conflict] = guarded(
        lambda: find_conflicts(_read_graph(graph_file, store), tolerance=tolerance)
    )
    if format is ReportFormat.json:
        sys.stdout.write(json.dumps(conflicts_to_json(found), indent=2, ensure_ascii=False) + "\n")
        return
    if not found:
        out_console.print("no conflicting statements found.")
        return
    out_console.print(f"{count(len(found), 'conflict')}:", markup=False)
    for c in found:
        out_console.print("", markup=False)
        out_console.print(f"[{c.kind}] {c.about}", markup=False)
        for side in (c.first, c.second):
            doc = side.document
            where = (
                "?" if doc is None else (doc.id or doc.iri) + (f" ({doc.date})" if doc.date else "")
            )
            out_console.print(f"  {side.claim} — {where}", markup=False)
            if side.evidence:
                out_console.print(f"    “{_one_line(side.evidence)}”", markup=False)


def main() -> None:
    """Entry point of the ``kg`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("[bold red]error:[/] interrupted.", markup=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
