"""``kg query`` and ``kg export``: SPARQL on a built graph, and the graph in other formats."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import (
    DEFAULT_GRAPH,
    err_console,
    fail,
    graph_file,
    guarded,
    no_infer_on_stores,
)
from kg.cli.options import GraphOpt, InferOpt, OutputFileOpt, StoreOpt
from kg.stores.home import query_folder

__all__ = ["ExportFormat", "ResultFormat", "export", "query"]


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


QueryArg = Annotated[
    str | None,
    typer.Argument(
        help="A SPARQL query, or the path of a .rq file holding one. "
        "Leave it out with --name or --list.",
        show_default=False,
    ),
]
ResultFormatOpt = Annotated[ResultFormat, typer.Option("--format", "-f", help="Result format.")]
NameOpt = Annotated[
    str | None,
    typer.Option("--name", "-n", help="Run the saved query NAME (see --list).", show_default=False),
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="NAME=VALUE: a value for a parameter the query declares. Repeatable.",
        show_default=False,
    ),
]
ListOpt = Annotated[
    bool, typer.Option("--list", help="List the saved queries and their parameters.")
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0, help="Stop the query after SECONDS (0: no limit)."),
]
MaxMemoryOpt = Annotated[
    str,
    typer.Option(
        "--max-memory",
        help="Stop the query when it needs more than SIZE of memory beyond the loaded "
        "graph (e.g. 512MiB, 8GiB; 0: no limit).",
    ),
]
AllowServiceOpt = Annotated[
    bool,
    typer.Option(
        "--allow-service",
        help="Let SERVICE call other SPARQL endpoints: your query and its bindings go "
        "over the network to them.",
    ),
]
AllowFromOpt = Annotated[
    bool,
    typer.Option(
        "--allow-from",
        help="Let FROM / FROM NAMED read the IRIs they name: any local file or URL "
        "the query names is read.",
    ),
]
ExportFormatOpt = Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")]


def query(
    ctx: typer.Context,
    query: QueryArg = None,
    graph: GraphOpt = DEFAULT_GRAPH,
    format: ResultFormatOpt = ResultFormat.table,
    name: NameOpt = None,
    param: ParamOpt = None,
    list_queries: ListOpt = False,
    timeout: TimeoutOpt = 30.0,
    max_memory: MaxMemoryOpt = "2GiB",
    allow_service: AllowServiceOpt = False,
    allow_from: AllowFromOpt = False,
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
        _list_queries(query, name, param)
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
    source = graph_file(ctx, None, graph, store)
    no_infer_on_stores(infer, store)
    if query is not None and name is None and not values and not infer:
        quick = _quick_answer(query, source, store, format.value, timeout, max_memory)
        if quick is not None:
            sys.stdout.write(quick)
            return
    from kg.query.formats import format_result
    from kg.query.limits import parse_size
    from kg.query.saved import prepare_query
    from kg.stores.sources import query_source

    def go() -> str:
        parsed = prepare_query(
            query, name=name, params=values, allow_service=allow_service, allow_from=allow_from
        )
        limit = parse_size(max_memory)
        result = query_source(
            parsed, source, store, infer=infer, timeout=timeout or None, max_memory=limit
        )
        return format_result(result, format=format.value)

    sys.stdout.write(guarded(go))


def _list_queries(query: str | None, name: str | None, param: list[str] | None) -> None:
    """``kg query --list``: the saved queries and their parameters."""
    from kg.query.saved import format_saved_queries, saved_queries

    if query is not None or name is not None or param:
        raise fail("--list takes no query, --name or --param.", 2)
    sys.stdout.write(guarded(lambda: format_saved_queries(saved_queries().values())))


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


def export(
    ctx: typer.Context,
    format: ExportFormatOpt = ExportFormat.turtle,
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
    from kg.stores.sources import read_dataset

    source = graph_file(ctx, None, graph, store)

    def go() -> str | None:
        if output is not None and store is None:
            check_not_inputs([output], [source])
        dataset = read_dataset(source, store, home=False, infer=infer)
        return export_graph(dataset, format=format.value, destination=output)

    text = guarded(go)
    if text is not None:
        sys.stdout.write(text)
    else:
        err_console.print(f"wrote {output}")
