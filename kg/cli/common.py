"""What every ``kg`` command shares: the Typer app, the terminal, errors as exit codes.

:func:`guarded` runs a library call and turns library errors
(:class:`~kg.errors.KGError`) into a one-line message and an exit code; the
consoles print literally (names and evidence come from users). Nothing else
in kg talks to the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

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
from rich.text import Text

from kg import __version__
from kg.cli.help import KgCommand, KgGroup
from kg.errors import KGError, printable, quiet_rdflib_warnings
from kg.rdf.files import DEFAULT_GRAPH_PATH

__all__ = [
    "DEFAULT_GRAPH",
    "VIEW_MAX_NODES",
    "RateColumn",
    "ReportFormat",
    "app",
    "article_progress",
    "err_console",
    "fail",
    "given",
    "graph_file",
    "guarded",
    "jobs_of",
    "main",
    "no_infer_on_stores",
    "out_console",
    "progress_bar",
    "register",
    "waiting",
    "warn",
]

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
#: kg.views.DEFAULT_MAX_NODES, without importing the view code to print help (a test checks).
VIEW_MAX_NODES = 5000


def register(function: Callable[..., T], name: str | None = None) -> None:
    """Add a command to the app with kg's help style (metavars, not Python types: kg.cli.help)."""
    app.command(name=name, cls=KgCommand)(function)


class ReportFormat(StrEnum):
    """Output formats of ``kg eval``, ``kg validate``, ``kg analyze``, ``kg path``..."""

    text = "text"
    json = "json"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr (on one line) and return the exit to raise."""
    err_console.print(
        f"[bold red]error:[/] {escape(printable(message))}", markup=True, highlight=False
    )
    return typer.Exit(code)


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


def given(ctx: typer.Context, name: str) -> bool:
    """Whether the option ``name`` was given on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)  # click's ParameterSource (Typer vendors click)
    return source is not None and source.name == "COMMANDLINE"


def graph_file(
    ctx: typer.Context, positional: Path | None, option: Path, store: str | None = None
) -> Path:
    """The graph file a command reads: --graph FILE, or the old positional GRAPH.

    Exits when the two name different files, or when a --store is given as well.
    """
    on_line = given(ctx, "graph")
    if positional is not None and on_line and positional != option:
        raise fail(f"give the graph once: --graph {option} or {positional}, not both.", 2)
    if store is not None and (on_line or positional is not None):
        raise fail("give --graph FILE or --store SPEC, not both.", 2)
    return positional if positional is not None else option


def no_infer_on_stores(infer: bool, store: str | None) -> None:
    """--infer reasons over a graph file loaded in memory, not over a store."""
    if infer and store is not None:
        raise fail("--infer works on a graph file (--graph), not on a --store.", 2)


def jobs_of(jobs: int) -> int:
    """The processes to extract with: ``jobs``, or one per core for 0."""
    from kg.build.parallel import default_jobs

    return jobs or default_jobs()


def waiting(output: Path) -> Callable[[int | None], None]:
    """What to say on stderr while another kg writes the folder ``output``."""

    def say(pid: int | None) -> None:
        who = f" (pid {pid})" if pid else ""
        err_console.print(
            f"waiting for another kg writing to {output}/{who} ...", markup=False, highlight=False
        )

    return say


def main() -> None:
    """Entry point of the ``kg`` console script (through kg.launch) and of ``python -m kg.cli``."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("[bold red]error:[/] interrupted.", markup=True)
        sys.exit(130)
