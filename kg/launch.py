"""The ``kg`` command's entry point: a query on a build's store answered before the CLI loads.

Loading the command line (Typer builds a pydantic adapter for every
option, then rich) costs more than Oxigraph takes to answer a query on a
big build's store. So :func:`main` first reads the arguments itself: a
plain ``kg query QUERY`` with at most ``--graph``/``-g``, ``--store``,
``--format``/``-f``, ``--timeout`` and ``--max-memory`` goes to
:func:`kg.query.quick.answer_command`; whatever else it sees (another
command, any other option, ``--help``, a value it cannot read), and any
query the quick path does not take, goes to :func:`kg.cli.main`, which
parses and answers as always. Output, messages and exit codes are the
command's own.

>>> quick_arguments(["query", "-g", "b/kg.trig", "ASK { ?s ?p ?o }"])["graph"]
'b/kg.trig'
>>> quick_arguments(["query", "--name", "sanctions"]) is None
True
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from kg.stores.home import query_folder  # light: no rdflib, no pyoxigraph

__all__ = ["main", "quick_arguments"]

_VALUED = {
    "-g": "graph",
    "--graph": "graph",
    "--store": "store",
    "-f": "format",
    "--format": "format",
    "--timeout": "timeout",
    "--max-memory": "max_memory",
}


def quick_arguments(args: list[str]) -> dict[str, Any] | None:
    """The options of a ``kg query`` the quick path may answer, or None."""
    if not args or args[0] != "query":
        return None
    found: dict[str, Any] = {}
    query: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if arg.startswith("-") and arg != "-":
            key = _VALUED.get(name)
            if key is None or key in found:
                return None
            if not equals:
                value = next(rest, "")
                if not value or value.startswith("-"):
                    return None
            found[key] = value
        else:
            query.append(arg)
    if len(query) != 1 or ("graph" in found and "store" in found):
        return None
    try:
        timeout = float(found.get("timeout", "30"))
    except ValueError:
        return None
    if not timeout >= 0 or found.get("format", "table") not in ("table", "csv", "tsv", "json"):
        return None
    return {
        "query": query[0],
        "graph": found.get("graph", "output/kg.trig"),
        "store": found.get("store"),
        "format": found.get("format", "table"),
        "timeout": timeout,
        "max_memory": found.get("max_memory", "2GiB"),
    }


def main() -> None:
    """Entry point of the ``kg`` console script."""
    options = quick_arguments(sys.argv[1:])
    if options is not None:
        answer = _answer(options)
        if answer is not None:
            sys.stdout.write(answer)
            sys.stdout.flush()
            return
    from kg.cli import main as cli

    cli()


def _answer(options: dict[str, Any]) -> str | None:
    from kg.errors import KGError, printable
    from kg.query.quick import answer_command

    try:
        return answer_command(
            options["query"],
            folder=query_folder(Path(options["graph"]), options["store"]),
            format=options["format"],
            timeout=options["timeout"],
            max_memory=options["max_memory"],
        )
    except KGError as err:
        _exit(printable(str(err)), err.exit_code)
    except KeyboardInterrupt:
        _exit("interrupted; no output file was changed.", 130)
    return None


def _exit(message: str, code: int) -> None:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(code)
