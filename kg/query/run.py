"""Running a checked query on an rdflib graph, in a process that time, memory and Ctrl-C stop.

>>> from kg.rdf.dataset import new_dataset
>>> run_query(new_dataset(), "ASK { ?s ?p ?o }").boolean
False
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib import Graph, Variable
from rdflib.term import Node

from kg.errors import QueryError
from kg.query.check import ParsedQuery, check_query
from kg.query.limits import DEFAULT_MAX_MEMORY, check_limits, run_killable
from kg.query.result import QueryResult, with_graph
from kg.rdf.prefixes import PREFIXES

__all__ = ["DEFAULT_TIMEOUT", "run_query"]

#: Seconds ``kg query`` lets a query run before stopping it.
DEFAULT_TIMEOUT = 30.0

#: The Python recursion limit of a query's process: rdflib follows a property
#: path (``kgo:locatedIn+``) by recursion, about two frames a link, so the
#: default limit (1,000) fails on chains of 500 links. The process evaluates
#: on a thread with a 128 MB stack, where 50,000 frames fit.
_DEEP_RECURSION = 50_000


def run_query(
    graph: Graph,
    query: str | ParsedQuery,
    *,
    init_bindings: Mapping[str | Variable, Node] | None = None,
    allow_service: bool = False,
    allow_from: bool = False,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
) -> QueryResult:
    """Check and run a query on a graph (use a Dataset from :func:`kg.rdf.load.load_graph`).

    Parameters:
        graph: the graph; on a Dataset with ``default_union`` (what
            ``load_graph`` returns) patterns outside ``GRAPH`` see every named graph.
        query: SPARQL text, or what :func:`check_query` or :func:`bind_query`
            returned (already checked: ``allow_*`` then play no part).
        init_bindings: values for variables, e.g. ``{"e": URIRef(...)}``.
        allow_service, allow_from: see :func:`check_query`.
        timeout: seconds the query may run; ``None`` for no limit.
        max_memory: bytes the query may take beyond the loaded graph
            (default 2 GiB); ``None`` for no limit.

    The query runs in a process forked from this one
    (:func:`kg.query.limits.run_killable`), which is killed when time is up,
    on Ctrl-C, or when it goes over ``max_memory``; a catastrophic ``REGEX``
    stops with it.

    Raises:
        QueryError, UnsafeQueryError: see :func:`check_query`; QueryError also
            when evaluation fails or takes more than ``max_memory``.
        QueryTimeoutError: the query ran longer than ``timeout``.
        QueryBusyError: every query worker stayed busy (see :mod:`kg.query.limits`).

    >>> from kg.rdf.dataset import new_dataset
    >>> run_query(new_dataset(), "ASK { ?s ?p ?o }").boolean
    False
    >>> run_query(new_dataset(), "ASK { ?s ?p ?o }", timeout=5).boolean
    False
    """
    check_limits(timeout, max_memory)
    parsed = (
        query
        if isinstance(query, ParsedQuery)
        else check_query(query, allow_service=allow_service, allow_from=allow_from)
    )
    bindings = {Variable(str(k)): v for k, v in (init_bindings or {}).items()}
    evaluate = _evaluator(graph, parsed, bindings)
    try:
        answer, triples = run_killable(
            evaluate, timeout=timeout, max_memory=max_memory, recursion=_DEEP_RECURSION
        )
    except RecursionError as err:
        raise QueryError(
            "the query nests too deeply for kg's in-memory engine (a property path such as "
            f"kgo:locatedIn+ followed over more than {_DEEP_RECURSION // 2:,} links, or deeply "
            "nested patterns). Bound the path (kgo:locatedIn/kgo:locatedIn), or query an "
            "Oxigraph store (--store oxigraph:DIR)."
        ) from err
    return answer if triples is None else with_graph(answer, triples)


#: What the query's process sends back: the result, and a CONSTRUCT's or DESCRIBE's triples.
_Answer = tuple[QueryResult, list[tuple[Node, Node, Node]] | None]


def _evaluator(
    graph: Graph, parsed: ParsedQuery, bindings: dict[Variable, Node]
) -> Callable[[], _Answer]:
    """The call that evaluates ``parsed`` on ``graph`` (in the query's process)."""
    prefixes = {
        **PREFIXES,
        **{prefix: str(ns) for prefix, ns in graph.namespaces() if prefix},
        **parsed.prefixes,
    }

    def evaluate() -> _Answer:
        result = graph.query(parsed.query, initBindings=bindings)  # type: ignore[arg-type]
        if parsed.kind == "SELECT":
            names = tuple(str(v) for v in result.vars or ())
            rows = tuple(tuple(row) for row in result)  # type: ignore[arg-type]
            return QueryResult(kind="SELECT", vars=names, rows=rows, prefixes=prefixes), None
        if parsed.kind == "ASK":
            return QueryResult(kind="ASK", boolean=bool(result.askAnswer), prefixes=prefixes), None
        out = result.graph if result.graph is not None else Graph()
        return QueryResult(kind=parsed.kind, prefixes=prefixes), list(out)

    return evaluate
