"""Triple stores by name: in memory (rdflib), on disk (Oxigraph), or any SPARQL 1.1 server.

- :mod:`kg.stores.base`: :class:`Store`, the interface every store answers;
- :mod:`kg.stores.open`: :func:`open_store`, a store from its spec
  (``memory``, ``oxigraph:PATH`` or a folder, ``sparql+http(s)://...``);
- :mod:`kg.stores.memory`, :mod:`kg.stores.oxigraph`, :mod:`kg.stores.sparql`: the stores;
- :mod:`kg.stores.layout`: how the Oxigraph and server stores hold kg's dataset;
- :mod:`kg.stores.translate`: queries and answers between kg and Oxigraph;
- :mod:`kg.stores.folder`: an Oxigraph folder's checks, lock and marker;
- :mod:`kg.stores.processes` and :mod:`kg.stores.worker`: timed Oxigraph
  queries in child processes (the parent's side and the child);
- :mod:`kg.stores.home`: the build's own store (``OUTPUT/store``).

The names below are importable from ``kg.stores`` itself, each imported on
first use (:mod:`kg.stores.home` and the worker load neither rdflib nor
the rest of the package).

>>> from rdflib import Literal, URIRef
>>> from kg.query import format_result
>>> from kg.rdf.prefixes import PREFIXES
>>> store = open_store("memory")
>>> acme = URIRef("https://w3id.org/kg-builder/resource/company/acme")
>>> label = URIRef(PREFIXES["rdfs"] + "label")
>>> store.replace_graph("https://example.org/graph/d1", [(acme, label, Literal("Acme"))])
>>> print(format_result(store.query("SELECT ?e ?name WHERE { ?e rdfs:label ?name }")), end="")
e                | name
-----------------+-----
kgr:company/acme | Acme
(1 row)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.lazy import lazy_names

if TYPE_CHECKING:
    from kg.stores.base import Store, check_cached
    from kg.stores.folder import holding
    from kg.stores.layout import DEFAULT_GRAPH_IRI
    from kg.stores.memory import MemoryStore
    from kg.stores.open import open_store
    from kg.stores.oxigraph import OxigraphStore
    from kg.stores.sparql import SparqlStore, parse_endpoint

#: The module that defines each name of ``kg.stores``.
_HOMES = {
    "DEFAULT_GRAPH_IRI": "kg.stores.layout",
    "MemoryStore": "kg.stores.memory",
    "OxigraphStore": "kg.stores.oxigraph",
    "SparqlStore": "kg.stores.sparql",
    "Store": "kg.stores.base",
    "check_cached": "kg.stores.base",
    "holding": "kg.stores.folder",
    "open_store": "kg.stores.open",
    "parse_endpoint": "kg.stores.sparql",
}

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "MemoryStore",
    "OxigraphStore",
    "SparqlStore",
    "Store",
    "check_cached",
    "holding",
    "open_store",
    "parse_endpoint",
]

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_names("kg.stores", _HOMES, globals())
