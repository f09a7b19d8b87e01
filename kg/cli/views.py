"""``kg viz``, ``kg analyze``, ``kg path``, ``kg timeline`` and ``kg conflicts``: views of a graph.

Each reads the graph once (:func:`kg.stores.sources.read_dataset`), asks
:mod:`kg.views` for the view, and prints it (:mod:`kg.views.text` writes the
lines).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kg.cli.common import (
    DEFAULT_GRAPH,
    VIEW_MAX_NODES,
    ReportFormat,
    err_console,
    fail,
    given,
    graph_file,
    guarded,
    out_console,
)
from kg.cli.options import FormatOpt, GraphArg, GraphOpt, StoreOpt
from kg.errors import count

if TYPE_CHECKING:
    from kg.views import ViewData
    from kg.views.analyze import Analysis

__all__ = ["CommunityMethod", "analyze", "conflicts", "path", "timeline", "viz"]


class CommunityMethod(StrEnum):
    """Community detection methods of ``kg analyze``."""

    louvain = "louvain"
    greedy = "greedy"


HtmlFileOpt = Annotated[
    Path, typer.Option("--output", "-o", metavar="FILE", help="The HTML file to write.")
]
FocusOpt = Annotated[
    str | None,
    typer.Option(
        "--focus",
        help="Draw only this entity (its name, an alias or its IRI) and its neighbours.",
    ),
]
DepthOpt = Annotated[
    int,
    typer.Option(
        "--depth", min=0, metavar="N", help="With --focus: how many relations away to go."
    ),
]
ViewQueryOpt = Annotated[
    str | None,
    typer.Option(
        "--query",
        metavar="QUERY",
        help="Draw what a SPARQL CONSTRUCT (its entities and relations) or SELECT (the "
        "entities it binds and the relations among them) chooses: a .rq file or the text.",
    ),
]
MaxNodesOpt = Annotated[
    int,
    typer.Option(
        "--max-nodes",
        min=0,
        metavar="N",
        help="Draw at most N entities, the most connected (nearest the focus first); "
        "0 draws all. 5,000 open in a few seconds.",
    ),
]
TopOpt = Annotated[int, typer.Option("--top", "-n", min=1, metavar="N", help="Rows of each table.")]
MethodOpt = Annotated[CommunityMethod, typer.Option("--method", help="Community detection method.")]
StartArg = Annotated[str, typer.Argument(help="The first entity: its name, an alias or its IRI.")]
EndArg = Annotated[str, typer.Argument(help="The other entity: its name, an alias or its IRI.")]
MaxHopsOpt = Annotated[
    int | None,
    typer.Option(
        "--max-hops",
        min=1,
        metavar="N",
        help="Give up beyond N relations.",
        show_default="no limit",
    ),
]
EntityArg = Annotated[str, typer.Argument(help="The entity: its name, an alias or its IRI.")]
UndatedOpt = Annotated[
    bool, typer.Option("--undated", help="Also list the statements that have no date.")
]
ToleranceOpt = Annotated[
    float,
    typer.Option(
        "--tolerance",
        min=0,
        help="Figures closer than this share of the larger one agree (0.01: 1%).",
    ),
]


def viz(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    output: HtmlFileOpt = Path("output/kg.html"),
    focus: FocusOpt = None,
    depth: DepthOpt = 1,
    query: ViewQueryOpt = None,
    max_nodes: MaxNodesOpt = VIEW_MAX_NODES,
) -> None:
    """Write an interactive HTML view of a graph that opens offline in any browser.

    Examples: kg viz --graph output/kg.trig -o output/kg.html ;
    kg viz --focus Xiaomi --depth 2 -o xiaomi.html ;
    kg viz --query 'SELECT ?c WHERE { ?c a kgo:Company }' -o companies.html
    """
    from kg.atomic import check_not_inputs
    from kg.query.saved import read_query_arg
    from kg.stores.sources import read_dataset
    from kg.views import graph_to_view, write_html

    if given(ctx, "depth") and focus is None:
        raise fail("--depth goes with --focus NAME.", 2)
    source = graph_file(ctx, graph_arg, graph, store)

    def go() -> ViewData:
        inputs = [*([source] if store is None else []), *([Path(query)] if query else [])]
        check_not_inputs([output], inputs)
        text = read_query_arg(query) if query is not None else None
        view = graph_to_view(
            read_dataset(source, store),
            focus=focus,
            depth=depth,
            query=text,
            max_nodes=max_nodes or None,
        )
        write_html(view, output, title="kg: knowledge graph")
        return view

    view = guarded(go)
    _notes(view.notes)
    err_console.print(
        f"wrote {output}: {len(view.nodes):,} of {count(view.total, 'entity', 'entities')}, "
        f"{count(len(view.edges), 'relation')}",
        markup=False,
        highlight=False,
    )


def _notes(notes: Iterable[str]) -> None:
    """How a view was chosen, on stderr."""
    for note in notes:
        err_console.print(note, markup=False, highlight=False)


def _lines(lines: Iterable[str]) -> None:
    """Lines of text on stdout, each as it is."""
    for line in lines:
        out_console.print(line, markup=False)


def _json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def analyze(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    top: TopOpt = 10,
    method: MethodOpt = CommunityMethod.louvain,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Rank a graph's entities (degree, PageRank, betweenness) and find its communities.

    Computed with networkx on the entity network: entities as nodes, each
    related pair one link weighted by its relations.

    Examples: kg analyze ; kg analyze --graph output/kg.trig --top 20 --format json
    """
    from kg.stores.sources import read_dataset
    from kg.views.analyze import analysis_to_json
    from kg.views.analyze import analyze as run_analysis

    source = graph_file(ctx, graph_arg, graph, store)
    result = guarded(lambda: run_analysis(read_dataset(source, store), method=method.value))
    if format is ReportFormat.json:
        _json(analysis_to_json(result, top=top))
    elif not result.entities:
        out_console.print("the graph has no entities.")
    else:
        _print_analysis(result, top)


def _print_analysis(result: Analysis, top: int) -> None:
    """The rankings and the communities of ``kg analyze``, as tables."""
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


def path(
    ctx: typer.Context,
    start: StartArg,
    end: EndArg,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    max_hops: MaxHopsOpt = None,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Explain how two entities are connected: the shortest chain of relations between them.

    Each hop shows the relation (read forwards or backwards), the evidence
    sentence and the document that states it. Names are matched as with
    kg viz --focus.

    Examples: kg path Xiaomi "Best Buy" ; kg path Huawei ZTE --graph output/kg.trig --max-hops 3
    """
    from kg.stores.sources import read_dataset
    from kg.views.analyze import find_path, path_to_json
    from kg.views.text import path_lines

    source = graph_file(ctx, graph_arg, graph, store)
    found = guarded(lambda: find_path(read_dataset(source, store), start, end, max_hops=max_hops))
    if format is ReportFormat.json:
        _json(path_to_json(found))
        return
    _notes(found.notes)
    _lines(path_lines(found))


def timeline(
    ctx: typer.Context,
    entity: EntityArg,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    undated: UndatedOpt = False,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """List the dated statements about an entity, in date order.

    One row a statement: its date (or start and end), status, relation, the
    other entity, the evidence and the document. A year sorts before its
    months, a quarter at its first month.

    Examples: kg timeline Xiaomi ; kg timeline "Lei Jun" --graph output/kg.trig --undated
    """
    from kg.stores.sources import read_dataset
    from kg.views.text import timeline_lines
    from kg.views.timeline import timeline as read_timeline
    from kg.views.timeline import timeline_to_json

    source = graph_file(ctx, graph_arg, graph, store)
    line = guarded(lambda: read_timeline(read_dataset(source, store), entity, undated=undated))
    if format is ReportFormat.json:
        _json(timeline_to_json(line))
        return
    _notes(line.notes)
    _lines(timeline_lines(line, undated=undated))


def conflicts(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    store: StoreOpt = None,
    tolerance: ToleranceOpt = 0.01,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Report statements that contradict each other across sources, with both sources.

    Different figures for one entity, metric and period; a sanction lifted
    before it was imposed; a relation one source says ended and a later one
    says goes on; a start after an end; two companies owning each other.
    Exits with 0 either way.

    Examples: kg conflicts ; kg conflicts --graph output/kg.trig --tolerance 0.05
    """
    from kg.stores.sources import read_dataset
    from kg.views.text import conflict_lines
    from kg.views.timeline import conflicts as find_conflicts
    from kg.views.timeline import conflicts_to_json

    source = graph_file(ctx, graph_arg, graph, store)
    found = guarded(lambda: find_conflicts(read_dataset(source, store), tolerance=tolerance))
    if format is ReportFormat.json:
        _json(conflicts_to_json(found))
        return
    _lines(conflict_lines(found))
