"""Queries and answers between kg and Oxigraph or a SPARQL server.

The text sent is the text rdflib checked (:func:`bound_text`: parameters
bound as N-Triples terms, a hidden ``SERVICE`` refused); the answers come
back as a :class:`kg.query.QueryResult` of rdflib terms (:func:`result_from_oxigraph`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from kg.errors import QueryError, UnsafeQueryError
from kg.query.check import ParsedQuery, checked_text, walk_tree
from kg.query.quick import code_only
from kg.query.result import QueryResult
from kg.query.text import as_written
from kg.rdf.terms import term_converter

__all__ = ["as_checked", "bound_text", "result_from_oxigraph"]


_PARAM_BLOCK = r"VALUES\s+\?param_{name}\s*\{{[^{{}}]*\}}"


#: bound_text's answers for the checked queries seen last (kg serve and the
#: benchmarks send the same texts again): id -> (the query, its text).
_BOUND: dict[int, tuple[ParsedQuery, str]] = {}


def bound_text(parsed: ParsedQuery) -> str:
    """:func:`_text_for` of ``parsed``, remembered for the same checked query object."""
    known = _BOUND.get(id(parsed))
    if known is not None and known[0] is parsed:
        return known[1]
    text = _text_for(parsed)
    if len(_BOUND) >= 256:
        _BOUND.clear()
    _BOUND[id(parsed)] = (parsed, text)
    return text


def _text_for(parsed: ParsedQuery) -> str:
    """The text to send Oxigraph or a server for a checked query.

    It is the text rdflib parsed when it checked the query: rdflib expands
    ``\\uXXXX`` escapes everywhere before parsing, Oxigraph only inside
    strings and IRIs, so the original text could hide a ``SERVICE`` from the
    check (``"a\\u005C" . { SERVICE <...> {...} } # "``: one string to rdflib,
    a string and a SERVICE call to Oxigraph). As a second guard, a text in
    which a plain scan finds the keyword ``SERVICE`` outside strings, IRIs
    and comments, where rdflib found none, is refused.

    :func:`kg.query.bind_query` binds saved-query parameters in rdflib's
    parse tree; Oxigraph and servers get the text, so the blocks are
    rewritten with the term in N-Triples syntax (escaped, one term).

    >>> from kg.query import check_query
    >>> bound_text(check_query('ASK { ?s ?p "caf\\\\u00E9" }'))
    'ASK { ?s ?p "café" }'
    """
    text = as_checked(parsed.source or parsed.text, _has_service(parsed))
    for name, term in parsed.bindings.items():
        pattern = re.compile(_PARAM_BLOCK.format(name=re.escape(name)))
        block = f"VALUES ?param_{name} {{ {term.n3()} }}"
        text, count = pattern.subn(block.replace("\\", "\\\\"), text)
        if not count:
            raise QueryError(
                f"cannot bind {name} outside rdflib: no 'VALUES ?param_{name} {{ ... }}' "
                "block in the query text."
            )
    return text


def _has_service(parsed: ParsedQuery) -> bool:
    return any(
        isinstance(node, CompValue) and node.name == "ServiceGraphPattern"
        for node in walk_tree(parsed.query.algebra)
    )


_SERVICE_WORD = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:.\-])", re.IGNORECASE)


@lru_cache(maxsize=512)
def as_checked(text: str, has_service: bool) -> str:
    """The query text as rdflib read it; refused if a scan finds a SERVICE rdflib did not."""
    expanded = checked_text(text)  # the same again for a checked source (no escapes, comments)
    if not has_service and _SERVICE_WORD.search(code_only(expanded)):
        raise UnsafeQueryError(
            "the query is refused: it reads as a SERVICE call to Oxigraph but not to kg's "
            "safety check (look for \\u escapes and quotes in strings). Write it plainly."
        )
    return expanded


def result_from_oxigraph(
    parsed: ParsedQuery, results: Any, store_prefixes: dict[str, str]
) -> QueryResult:
    """A QueryResult of rdflib terms from pyoxigraph solutions, a boolean or triples."""
    prefixes = {**store_prefixes, **parsed.prefixes}
    to_rdflib = term_converter()

    def convert(term: Any) -> Node:
        return to_rdflib(as_written(term))

    if isinstance(results, ox.QueryBoolean):
        return QueryResult(kind="ASK", boolean=bool(results), prefixes=prefixes)
    if isinstance(results, ox.QuerySolutions):
        names = tuple(v.value for v in results.variables)
        rows = tuple(
            tuple(None if term is None else convert(term) for term in solution)
            for solution in results
        )
        # The columns in kg's order (SELECT * as the query first names them, kg.query)
        projected = tuple(str(v) for v in parsed.query.algebra.get("PV") or ())
        if projected != names and sorted(projected) == sorted(names):
            where = [names.index(name) for name in projected]
            rows = tuple(tuple(row[i] for i in where) for row in rows)
            names = projected
        return QueryResult(kind="SELECT", vars=names, rows=rows, prefixes=prefixes)
    graph = Graph()
    graph.addN(
        (convert(t.subject), convert(t.predicate), convert(t.object), graph) for t in results
    )
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return QueryResult(kind=parsed.kind, graph=graph, prefixes=prefixes)
