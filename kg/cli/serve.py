"""``kg serve``: a graph read-only over the SPARQL 1.1 Protocol, with a query page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli.common import DEFAULT_GRAPH, err_console, graph_file, guarded
from kg.cli.options import GraphArg

if TYPE_CHECKING:
    from kg.serve import SparqlServer
    from kg.stores import Store

__all__ = ["serve"]

ServedGraphOpt = Annotated[
    Path,
    typer.Option(
        "--graph",
        "-g",
        metavar="FILE",
        help="The graph file to serve, loaded into memory (unless --store is given).",
    ),
]
ServedStoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="SPEC",
        help="Serve a store instead of a file: oxigraph:DIR (or a folder), memory, or "
        "sparql+http://HOST:PORT/ (a SPARQL server to relay, read-only).",
        show_default=False,
    ),
]
HostOpt = Annotated[
    str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
]
PortOpt = Annotated[
    int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free one).")
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0, help="Stop a query after SECONDS (0: no limit)."),
]
MaxMemoryOpt = Annotated[
    str,
    typer.Option(
        "--max-memory",
        help="Stop a query when it needs more than SIZE of memory beyond the loaded "
        "graph (e.g. 512MiB, 8GiB; 0: no limit).",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Do not log requests.")]
AllowOriginOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-origin",
        help="Also answer pages of ORIGIN (scheme://host[:port]); repeatable. Pages of "
        "other sites are refused (403).",
        show_default=False,
    ),
]
MaxWorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--max-workers",
        min=1,
        help="Queries run at once (default: twice the CPUs); a quarter of them (at "
        "least one) may run past 1 s. Eight per place wait up to 5 s; the rest get 503 "
        "with Retry-After.",
        show_default=False,
    ),
]


def serve(
    ctx: typer.Context,
    graph_arg: GraphArg = None,
    graph: ServedGraphOpt = DEFAULT_GRAPH,
    store: ServedStoreOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 7878,
    timeout: TimeoutOpt = 30.0,
    max_memory: MaxMemoryOpt = "2GiB",
    quiet: QuietOpt = False,
    allow_origin: AllowOriginOpt = None,
    max_workers: MaxWorkersOpt = None,
) -> None:
    """Serve a graph read-only over the SPARQL 1.1 Protocol, with a query page.

    The endpoint is http://HOST:PORT/sparql (GET ?query= or POST; JSON, CSV,
    TSV, XML or Turtle by the Accept header) and the page http://HOST:PORT/.
    Updates, SERVICE and FROM are refused. Ctrl-C stops it.

    Examples: kg serve ; kg serve --graph output/kg.trig --port 8000 ;
    kg serve --store oxigraph:output/store
    """
    from kg.query.limits import parse_size
    from kg.serve import make_server
    from kg.stores.sources import serving_store

    source = graph_file(ctx, graph_arg, graph, store)

    def log(line: str) -> None:
        err_console.print(line, markup=False, highlight=False)

    def start() -> tuple[Store, SparqlServer]:
        opened = serving_store(source, store, max_memory=parse_size(max_memory))
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
    _run(opened, server)


def _run(opened: Store, server: SparqlServer) -> None:
    """Serve until Ctrl-C, then close the server and the store."""
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
