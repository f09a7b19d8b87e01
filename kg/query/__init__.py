"""Safe, read-only SPARQL over a kg graph: the check, running with limits, saved queries, formats.

- :mod:`kg.query.check`: :func:`check_query` refuses, from rdflib's parse
  tree, anything that would change the graph or reach outside it (SPARQL
  Update, ``SERVICE``, ``FROM``); the prefixes of
  :data:`kg.rdf.prefixes.PREFIXES` are predeclared;
- :mod:`kg.query.result`: :class:`QueryResult` and its :class:`Row` objects;
- :mod:`kg.query.run`: :func:`run_query` on an rdflib graph, stopped by a
  timeout, a memory ceiling or Ctrl-C (:mod:`kg.query.limits` runs it in a
  forked process and caps the query processes of a server);
- :mod:`kg.query.saved`: saved queries (``queries/*.rq``) and their parameters;
- :mod:`kg.query.formats`: results as a table, CSV, TSV, JSON or Turtle;
- :mod:`kg.query.quick` and :mod:`kg.query.text`: ``kg query`` on an
  Oxigraph store without rdflib.

The names below are importable from ``kg.query`` itself; each is imported
on first use, so that importing :mod:`kg.query.quick` loads no rdflib. The
attribute ``kg.query`` is the function :func:`kg.query` (``import kg``), so
reach a module with ``from kg.query import limits`` or ``from kg.query.limits
import ...``, not ``import kg.query.limits as limits``.

>>> from kg.rdf.dataset import new_dataset
>>> from rdflib import Literal, URIRef
>>> ds = new_dataset()
>>> xiaomi = URIRef(PREFIXES["kgr"] + "company/xiaomi")
>>> _ = ds.add((xiaomi, URIRef(PREFIXES["rdfs"] + "label"), Literal("Xiaomi")))
>>> result = run_query(ds, "SELECT ?e ?name WHERE { ?e rdfs:label ?name }")
>>> print(format_result(result), end="")
e                  | name
-------------------+-------
kgr:company/xiaomi | Xiaomi
(1 row)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.lazy import lazy_names

if TYPE_CHECKING:
    from kg.query.check import ParsedQuery, check_query, checked_text, walk_tree
    from kg.query.formats import OUTPUT_FORMATS, format_graph, format_result
    from kg.query.limits import DEFAULT_MAX_MEMORY, check_limits, stopped_after
    from kg.query.result import QueryResult, Row
    from kg.query.run import DEFAULT_TIMEOUT, run_query
    from kg.query.saved import (
        QueryParameter,
        SavedQuery,
        bind_query,
        format_saved_queries,
        prepare_query,
        queries_dir,
        read_query_arg,
        read_saved_query,
        render_query,
        saved_queries,
        saved_query,
    )
    from kg.rdf.prefixes import PREFIXES

#: The module that defines each name of ``kg.query``.
_HOMES = {
    "DEFAULT_MAX_MEMORY": "kg.query.limits",
    "DEFAULT_TIMEOUT": "kg.query.run",
    "OUTPUT_FORMATS": "kg.query.formats",
    "PREFIXES": "kg.rdf.prefixes",
    "ParsedQuery": "kg.query.check",
    "QueryParameter": "kg.query.saved",
    "QueryResult": "kg.query.result",
    "Row": "kg.query.result",
    "SavedQuery": "kg.query.saved",
    "bind_query": "kg.query.saved",
    "check_limits": "kg.query.limits",
    "check_query": "kg.query.check",
    "checked_text": "kg.query.check",
    "format_graph": "kg.query.formats",
    "format_result": "kg.query.formats",
    "format_saved_queries": "kg.query.saved",
    "prepare_query": "kg.query.saved",
    "queries_dir": "kg.query.saved",
    "read_query_arg": "kg.query.saved",
    "read_saved_query": "kg.query.saved",
    "render_query": "kg.query.saved",
    "run_query": "kg.query.run",
    "saved_queries": "kg.query.saved",
    "saved_query": "kg.query.saved",
    "stopped_after": "kg.query.limits",
    "walk_tree": "kg.query.check",
}

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_TIMEOUT",
    "OUTPUT_FORMATS",
    "PREFIXES",
    "ParsedQuery",
    "QueryParameter",
    "QueryResult",
    "Row",
    "SavedQuery",
    "bind_query",
    "check_limits",
    "check_query",
    "checked_text",
    "format_graph",
    "format_result",
    "format_saved_queries",
    "prepare_query",
    "queries_dir",
    "read_query_arg",
    "read_saved_query",
    "render_query",
    "run_query",
    "saved_queries",
    "saved_query",
    "stopped_after",
    "walk_tree",
]

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_names("kg.query", _HOMES, globals())
