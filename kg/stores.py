"""Triple stores by name: in memory (rdflib), on disk (Oxigraph), or any SPARQL 1.1 server.

:func:`open_store` takes a spec and returns a :class:`Store`; every store
answers the same queries the same way (:meth:`Store.query` returns a
:class:`kg.query.QueryResult` of rdflib terms, so
:func:`kg.query.format_result` prints it as for a graph file) and takes the
same writes (one document's named graph at a time, or a whole dataset).

=====================================  =======================================================
spec                                   store
=====================================  =======================================================
``memory``                             :class:`MemoryStore`: an rdflib Dataset in this process
                                       (``default_union``); fine up to a few hundred thousand
                                       triples, gone when the process ends.
``oxigraph:PATH`` or a folder path     :class:`OxigraphStore`: pyoxigraph's embedded on-disk
                                       store (RocksDB) in the folder PATH; one process at a
                                       time may write it, or many read it (it is locked
                                       while open).
``sparql+http://HOST:PORT/...``,       :class:`SparqlStore`: any SPARQL 1.1 server, through
``sparql+https://...``                 the SPARQL 1.1 Protocol (queries), SPARQL 1.1 Update
                                       and the Graph Store Protocol (writes).
=====================================  =======================================================

How a ``sparql+http`` spec maps to URLs (drop ``sparql+`` to get the server's URL):

- no path (``sparql+http://127.0.0.1:7878``, ``oxigraph serve``'s layout):
  queries go to ``/query``, updates to ``/update``, Graph Store Protocol
  requests to ``/store``;
- a path ending in ``/query`` or ``/sparql``: that URL takes queries, the
  sibling ``update`` takes updates, the sibling ``store`` takes Graph Store
  requests (Oxigraph's layout under a prefix; for Fuseki's ``/ds/query``
  give ``?store=data``);
- any other path: that one URL takes queries and updates, and Graph Store
  requests are not used;
- the options ``?update=URL`` and ``?store=URL`` (relative to the query
  URL; ``store=none`` writes through SPARQL Update only) override this.
  Other query parameters stay on the query URL; ``user:password@`` is sent
  as HTTP Basic authentication.

What goes to which URL: queries are SPARQL 1.1 Protocol requests (a form
``POST``) to the query URL; :meth:`Store.replace_graph` and
:meth:`Store.remove_graph` are SPARQL 1.1 Update requests to the update
URL (one request each, so one transaction on servers that have them);
:meth:`Store.add_dataset` and :meth:`Store.load_file` ``POST`` N-Quads to
the store URL itself (Graph Store Protocol; Oxigraph and Fuseki read quads
there as a whole dataset), or are ``INSERT DATA`` updates without one;
:meth:`Store.export` reads the dataset with a ``GET`` of the store URL
(N-Quads), or with a SELECT over every graph.

The default graph is the union of all graphs, as in ``kg query``. The
memory store is an rdflib Dataset with ``default_union``. The Oxigraph and
server stores keep the union in their default graph: every triple loaded
into a named graph is also written to the default graph, and the triples
loaded into the default graph itself are also kept in the named graph
``<urn:x-kg:default-graph>`` (:data:`DEFAULT_GRAPH_IRI`), so that
replacing or removing a graph takes out of the default graph exactly what
no other graph still holds. Any SPARQL client of such a server therefore
sees kg's default graph with no option, and a triple that several articles
assert is matched once, as by rdflib (Oxigraph's own
``union-default-graph`` option would match it once per graph: do not use it
on a store kg writes). A ``GRAPH ?g`` pattern sent to the server directly
also matches ``<urn:x-kg:default-graph>``; kg's embedded Oxigraph store
hides it. An Oxigraph folder that kg did not lay out is refused.

Queries are checked first by :func:`kg.query.check_query` (no updates, no
``SERVICE``, no ``FROM``), with the same predeclared prefixes
(:data:`kg.rdf.prefixes.PREFIXES`); the check of a query text is cached, so a
server answering the same query again does not parse it again with rdflib.

>>> from rdflib import Literal, URIRef
>>> from kg.query import format_result
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

import abc
import base64
import contextlib
import dataclasses
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import IO, Any, ClassVar, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from kg.atomic import write_atomic
from kg.errors import (
    GraphFileError,
    KGError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    UnsafeQueryError,
    UnsupportedFormatError,
)
from kg.export import dataset_quads as _rdflib_quads
from kg.export import export_graph, format_for_path, normalize_format
from kg.query.check import ParsedQuery, check_query, checked_text, walk_tree
from kg.query.limits import (
    DEFAULT_MAX_MEMORY,
    check_limits,
    memory_error,
    query_slot,
    run_killable,
    stopped_after,
)
from kg.query.quick import code_only
from kg.query.result import QueryResult, with_graph
from kg.query.run import run_query
from kg.query.text import as_written
from kg.rdf.dataset import add_quads, new_dataset
from kg.rdf.files import guess_format
from kg.rdf.load import RDF_FORMATS, load_graph, syntax_message
from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import ox_term_converter, term_converter

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "MemoryStore",
    "OxigraphStore",
    "SparqlStore",
    "Store",
    "check_cached",
    "holding",
    "open_store",
]

T = TypeVar("T")

#: A triple of rdflib terms.
Triple = tuple[Node, Node, Node]

#: A graph name: an IRI (string or URIRef), or None for the default graph.
GraphName = str | URIRef | None

#: Where to write an export: a file path, a binary or text stream, or None for a string.
Destination = str | Path | IO[bytes] | IO[str] | None

# Export formats pyoxigraph writes itself (graphml goes through rdflib and networkx).
_OX_EXPORT: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_DATASET_FORMATS = frozenset({"nquads", "trig", "jsonld"})

# Media types of the graph file formats, for Graph Store Protocol uploads.
_MEDIA_TYPES: dict[ox.RdfFormat, str] = {
    ox.RdfFormat.TURTLE: "text/turtle",
    ox.RdfFormat.TRIG: "application/trig",
    ox.RdfFormat.N_TRIPLES: "application/n-triples",
    ox.RdfFormat.N_QUADS: "application/n-quads",
    ox.RdfFormat.JSON_LD: "application/ld+json",
    ox.RdfFormat.RDF_XML: "application/rdf+xml",
}

# INSERT DATA requests stay below this many triples each.
_UPDATE_CHUNK = 20_000


#################################################################
# Opening a store by name
#################################################################


def open_store(
    spec: str | Path, *, create: bool = False, read_only: bool = False, wait: float = 0.0
) -> Store:
    """Open the store a spec names (see the module docstring for the specs).

    Parameters:
        spec: ``memory``, ``oxigraph:PATH``, a folder path, or
            ``sparql+http(s)://HOST:PORT/...``.
        create: create the Oxigraph folder if it does not exist (otherwise
            a missing folder is an error, so a typo does not make an empty store).
        read_only: open an Oxigraph folder read-only: no writes, and any
            number of readers at once (a writer holds the folder alone).
        wait: seconds to wait for an Oxigraph folder that another process
            holds (a short query on a build's store) before giving up.

    Raises:
        StoreError: the folder is not an Oxigraph store, does not exist, is
            being written by another process (or, to write it, is open in
            another), or the server cannot be reached.

    >>> open_store("memory")
    <MemoryStore memory: 0 quads>
    >>> open_store("ftp://example.org/kg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.StoreError: unknown store 'ftp://example.org/kg': give memory, oxigraph:PATH, ...
    """
    if isinstance(spec, Path):
        return OxigraphStore(spec, create=create, read_only=read_only, wait=wait)
    text = spec.strip()
    if text == "memory":
        return MemoryStore()
    if text.startswith("oxigraph:"):
        folder = Path(text[len("oxigraph:") :])
        return OxigraphStore(folder, create=create, read_only=read_only, wait=wait)
    if text.startswith(("sparql+http://", "sparql+https://")):
        return SparqlStore(text)
    if "://" in text or not text:
        raise StoreError(
            f"unknown store {spec!r}: give memory, oxigraph:PATH, a folder, or "
            "sparql+http://HOST:PORT/ (a SPARQL 1.1 server)."
        )
    return OxigraphStore(Path(text), create=create, read_only=read_only, wait=wait)


@lru_cache(maxsize=512)
def check_cached(text: str) -> ParsedQuery:
    """:func:`kg.query.check_query`, remembered for the last 512 query texts.

    rdflib's SPARQL parser takes a few milliseconds, longer than Oxigraph
    takes to answer a lookup; a server sees the same texts again and again.

    >>> check_cached("ASK { ?s ?p ?o }") is check_cached("ASK { ?s ?p ?o }")
    True
    """
    return check_query(text)


def _parsed(query: str | ParsedQuery) -> ParsedQuery:
    return query if isinstance(query, ParsedQuery) else check_cached(query)


#################################################################
# The interface
#################################################################


class Store(abc.ABC):
    """A set of RDF quads that answers kg's SPARQL queries and takes document-sized writes.

    Use :func:`open_store`; stores are context managers (``with open_store(...)
    as store:``) and :meth:`close` releases them.
    """

    kind: ClassVar[str]

    def __init__(self, name: str) -> None:
        self.name = name
        #: Prefix -> namespace used to write results and exports: kg's own
        #: (:data:`kg.rdf.prefixes.PREFIXES`) and those of the files loaded.
        self.prefixes: dict[str, str] = dict(PREFIXES)

    #: Bytes a query may take by default (see :meth:`query`); ``kg serve --max-memory`` sets it.
    max_memory: int | None = DEFAULT_MAX_MEMORY

    def _ceiling(self, max_memory: int | EllipsisType | None) -> int | None:
        return self.max_memory if isinstance(max_memory, EllipsisType) else max_memory

    def _learn_prefixes(self, prefixes: Iterable[tuple[str, str]]) -> None:
        for prefix, namespace in sorted(prefixes):
            if prefix and prefix != "xml":
                self.prefixes[str(prefix)] = str(namespace)

    @abc.abstractmethod
    def query(
        self,
        query: str | ParsedQuery,
        *,
        timeout: float | None = None,
        max_memory: int | EllipsisType | None = ...,
    ) -> QueryResult:
        """Check and run a read-only SPARQL query over the union of all graphs.

        Parameters:
            query: SPARQL text (checked by :func:`check_cached`) or a
                :class:`kg.query.ParsedQuery`.
            timeout: seconds after which the query is abandoned
                (:class:`QueryTimeoutError`); None waits for ever.
            max_memory: bytes the query may take (beyond the data already
                loaded); None for no limit; by default the store's
                :attr:`max_memory` (2 GiB unless set). Memory and Oxigraph
                stores run queries in a process with that ceiling; a server
                sets its own.

        Raises:
            QueryError, UnsafeQueryError: see :func:`kg.query.check_query`.
            QueryTimeoutError: the query took longer than ``timeout``.
            StoreError: the store cannot be read.

        >>> open_store("memory").query("ASK { ?s ?p ?o }").boolean
        False
        """

    @abc.abstractmethod
    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """Make ``triples`` the whole content of one graph (a document's named graph).

        Parameters:
            graph: the graph's IRI, or None for the default graph.
            triples: rdflib triples (an rdflib Graph will do); none empties the graph.

        >>> from rdflib import Literal, URIRef
        >>> store = open_store("memory")
        >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
        >>> store.replace_graph("https://example.org/g", [(a, p, Literal("1"))])
        >>> store.replace_graph("https://example.org/g", [(a, p, Literal("2"))])
        >>> [str(row[0]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }").rows]
        ['2']
        """

    @abc.abstractmethod
    def remove_graph(self, graph: GraphName) -> None:
        """Delete a named graph (or empty the default graph); a missing graph is no error.

        >>> from rdflib import Literal, URIRef
        >>> store = open_store("memory")
        >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
        >>> store.replace_graph("https://example.org/g", [(a, p, Literal("1"))])
        >>> store.remove_graph("https://example.org/g")
        >>> len(store), store.graph_names()
        (0, [])
        """

    @abc.abstractmethod
    def add_dataset(self, dataset: Dataset | Graph) -> None:
        """Add every quad of an rdflib Dataset (a plain Graph goes to the default graph).

        >>> from kg.rdf.load import load_graph
        >>> store = open_store("memory")
        >>> store.add_dataset(new_dataset())
        >>> len(store)
        0
        """

    @abc.abstractmethod
    def load_file(self, path: str | Path, *, format: str | None = None) -> None:
        """Bulk-load a graph file (TriG and N-Quads keep their named graphs).

        Parameters:
            path: a ``.trig``, ``.nq``, ``.ttl``, ``.nt``, ``.jsonld`` or ``.rdf`` file.
            format: the format name when the suffix does not tell it.

        Raises:
            GraphFileError: the file is missing or not valid.

        >>> open_store("memory").load_file("no/such.trig")
        Traceback (most recent call last):
        ...
        kg.errors.GraphFileError: no/such.trig: no such graph file. Check the path.
        """

    @abc.abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The IRIs of the named graphs that hold at least one triple, sorted.

        >>> open_store("memory").graph_names()
        []
        """

    @abc.abstractmethod
    def to_dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset (``default_union``), e.g. for ``kg viz``.

        >>> len(open_store("memory").to_dataset())
        0
        """

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of quads (a triple in two graphs counts twice)."""

    def export(self, destination: Destination = None, *, format: str | None = None) -> str | None:
        """Write the store in an export format; return the text when no destination is given.

        Parameters:
            destination: a file path (written through a temporary file, so
                readers never see half a file), a binary or text stream, or None.
            format: one of :data:`kg.export.FORMATS`; by default the path's
                suffix tells it, else ``trig``. ``turtle`` and ``nt`` write
                the union of all graphs, ``nquads``, ``trig`` and ``jsonld``
                keep the named graphs.

        >>> from rdflib import Literal, URIRef
        >>> store = open_store("memory")
        >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
        >>> store.replace_graph("https://example.org/g", [(a, p, Literal("1"))])
        >>> print(store.export(format="nquads"), end="")
        <https://example.org/a> <https://example.org/p> "1" <https://example.org/g> .
        """
        if format is not None:
            name = normalize_format(format)
        elif isinstance(destination, (str, Path)):
            name = format_for_path(destination)
        else:
            name = "trig"
        return self._export(destination, name)

    @abc.abstractmethod
    def _export(self, destination: Destination, format: str) -> str | None: ...

    def close(self) -> None:  # noqa: B027 (a no-op unless the store holds a resource)
        """Release the store (Oxigraph's lock); closing twice is harmless.

        >>> store = open_store("memory")
        >>> store.close()
        """

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        try:
            size = f"{len(self):,} quads"
        except KGError:
            size = "unreachable"
        return f"<{type(self).__name__} {self.name}: {size}>"


#################################################################
# rdflib in memory
#################################################################


class MemoryStore(Store):
    """An rdflib Dataset in this process (``default_union``); the store of ``kg query``.

    >>> store = MemoryStore()
    >>> store.kind, len(store)
    ('memory', 0)
    """

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None, *, name: str = "memory") -> None:
        super().__init__(name)
        self.dataset = dataset if dataset is not None else new_dataset()
        self._learn_prefixes(self.dataset.namespaces())

    def query(
        self,
        query: str | ParsedQuery,
        *,
        timeout: float | None = None,
        max_memory: int | EllipsisType | None = ...,
    ) -> QueryResult:
        """Run a query with :func:`kg.query.run_query` (see :meth:`Store.query`).

        >>> MemoryStore().query("SELECT ?s WHERE { ?s ?p ?o }").rows
        ()
        """
        parsed = _parsed(query)
        return run_query(
            self.dataset, parsed, timeout=timeout, max_memory=self._ceiling(max_memory)
        )

    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """See :meth:`Store.replace_graph`.

        >>> MemoryStore().replace_graph(None, [])
        """
        new = list(triples)  # read first: ``triples`` may be this very graph
        target = self._graph(graph)
        target.remove((None, None, None))
        target.addN((s, p, o, target) for s, p, o in new)

    def remove_graph(self, graph: GraphName) -> None:
        """See :meth:`Store.remove_graph`.

        >>> MemoryStore().remove_graph("https://example.org/nothing")
        """
        name = _graph_iri(graph)
        if name is None:
            self.dataset.default_graph.remove((None, None, None))
        else:
            self.dataset.remove_graph(name)

    def add_dataset(self, dataset: Dataset | Graph) -> None:
        """See :meth:`Store.add_dataset`.

        >>> MemoryStore().add_dataset(Graph())
        """
        graphs: dict[Node | None, Graph] = {}

        def target(name: Node | None) -> Graph:
            graph = graphs.get(name)
            if graph is None:
                graph = graphs[name] = (
                    self.dataset.default_graph if name is None else self.dataset.graph(name)  # type: ignore[arg-type]
                )
            return graph

        self.dataset.addN((s, p, o, target(g)) for s, p, o, g in _rdflib_quads(dataset))
        for prefix, namespace in dataset.namespaces():
            if prefix and prefix not in PREFIXES and prefix != "xml":
                self.dataset.bind(prefix, namespace, override=False)
        self._learn_prefixes(self.dataset.namespaces())

    def load_file(self, path: str | Path, *, format: str | None = None) -> None:
        """See :meth:`Store.load_file`.

        >>> MemoryStore().load_file("no/such.nq")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.GraphFileError: no/such.nq: no such graph file...
        """
        loaded = load_graph(path, format=format)
        if not _has_quads(self.dataset):
            self.dataset = loaded
            self._learn_prefixes(loaded.namespaces())
        else:
            self.add_dataset(loaded)

    def graph_names(self) -> list[URIRef]:
        """See :meth:`Store.graph_names`.

        >>> MemoryStore().graph_names()
        []
        """
        names = {
            g.identifier
            for g in self.dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and isinstance(g.identifier, URIRef)
        }
        return sorted(n for n in names if _has_quads(self.dataset.graph(n)))

    def to_dataset(self) -> Dataset:
        """The store's own Dataset (not a copy).

        >>> store = MemoryStore()
        >>> store.to_dataset() is store.dataset
        True
        """
        return self.dataset

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))

    def _export(self, destination: Destination, format: str) -> str | None:
        text = export_graph(self.dataset, format=format)
        assert text is not None
        return _deliver(destination, lambda out: out.write(text.encode("utf-8")), text=text)

    def _graph(self, graph: GraphName) -> Graph:
        name = _graph_iri(graph)
        return self.dataset.default_graph if name is None else self.dataset.graph(name)


#################################################################
# Oxigraph, embedded
#################################################################


class OxigraphStore(Store):
    """pyoxigraph's embedded store in a folder (or in memory, without a path).

    Queries, loading and export run in Oxigraph (Rust); results come back as
    rdflib terms. The data is laid out as in the module docstring (the
    default graph holds the union).

    The folder is locked while the store is open (:func:`_lock_folder`): one
    process writes it, or any number read it (``read_only``), never both,
    because RocksDB lets a read-only open race a writer's compaction and
    then find the files it names deleted. The processes that run timed
    queries read the folder itself under a store opened read-only, and a
    snapshot of it (``Store.backup``: hard links, taken after each write)
    under a store opened for writing.

    >>> store = OxigraphStore(None)
    >>> store.kind, len(store)
    ('oxigraph', 0)
    """

    kind = "oxigraph"

    def __init__(
        self, path: Path | None, *, create: bool = False, read_only: bool = False, wait: float = 0.0
    ) -> None:
        super().__init__("oxigraph:(memory)" if path is None else f"oxigraph:{path}")
        self.path = path
        self._visible: list[ox.NamedNode] | None = None  # named graphs GRAPH patterns see
        self._workers: _QueryProcesses | None = None
        self._lock: int | None = None  # the descriptor holding the folder's lock
        self._copy_of: Path | None = None  # a store copy's own folder, deleted at close
        if path is None:
            self._store: ox.Store | None = ox.Store()
            return
        self._store, self._lock = _open_folder(path, create=create, read_only=read_only, wait=wait)
        self._learn_prefixes(_read_marker(path).items())
        self._workers = _QueryProcesses(
            path, self.name, snapshot=None if read_only else self._snapshot
        )

    @property
    def oxigraph(self) -> ox.Store:
        """The pyoxigraph Store underneath (for what kg does not wrap).

        Do not keep it past :meth:`close`: the folder's lock goes then, and
        another process may open the folder while this Store still has it.
        """
        if self._workers is not None:
            self._workers.changed()  # it may be written to: timed queries must see that
        return self._db

    @property
    def _db(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"{self.name}: the store is closed; open it again.")
        return self._store

    def query(
        self,
        query: str | ParsedQuery,
        *,
        timeout: float | None = None,
        max_memory: int | EllipsisType | None = ...,
    ) -> QueryResult:
        """Run a query in Oxigraph (see :meth:`Store.query`).

        A store in a folder runs the query in a child process
        (``kg._oxigraph_worker``, kept for the next query) that is killed
        when time is up or on Ctrl-C, and stops itself past ``max_memory``:
        Oxigraph cannot be interrupted otherwise. A store in memory forks a
        process for it (:func:`kg.query.limits.run_killable`). With neither
        a timeout nor a memory limit, the query runs in this process.

        >>> OxigraphStore(None).query("ASK { ?s ?p ?o }").boolean
        False
        """
        parsed = _parsed(query)
        text = _bound_text(parsed)
        store = self._db
        options: dict[str, Any] = {}
        if _GRAPH_KEYWORD.search(text):  # hide kg's own graph from GRAPH patterns
            options["named_graphs"] = self._visible_graphs()
        max_memory = self._ceiling(max_memory)
        check_limits(timeout, max_memory)
        if (timeout is not None or max_memory is not None) and self._workers is not None:
            graphs = options.get("named_graphs")
            kind, body = self._workers.run(
                {
                    "query": text,
                    "prefixes": PREFIXES,
                    "named_graphs": None if graphs is None else [g.value for g in graphs],
                },
                timeout,
                max_memory,
            )
            if kind == "graph":
                triples = (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
                return _result_from_oxigraph(parsed, triples, self.prefixes)
            rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            return _result_from_oxigraph(parsed, rows, self.prefixes)

        def run() -> QueryResult:
            try:
                results = store.query(text, prefixes=PREFIXES, **options)
                return _result_from_oxigraph(parsed, results, self.prefixes)
            except SyntaxError as err:
                raise QueryError(f"Oxigraph cannot parse the query: {err}") from err
            except OSError as err:
                raise StoreError(f"{self.name}: cannot read the store ({err}).") from err

        return _timed(run, timeout, max_memory)

    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """See :meth:`Store.replace_graph` (one Oxigraph transaction).

        >>> OxigraphStore(None).replace_graph("https://example.org/g", [])
        """
        self._update(_replace_update(graph, triples))

    def remove_graph(self, graph: GraphName) -> None:
        """See :meth:`Store.remove_graph` (one Oxigraph transaction).

        >>> OxigraphStore(None).remove_graph(None)
        """
        self._update(_retract_update(graph))

    def add_dataset(self, dataset: Dataset | Graph) -> None:
        """See :meth:`Store.add_dataset` (over 50,000 quads: Oxigraph's bulk loader).

        >>> OxigraphStore(None).add_dataset(Graph())
        """
        self._add(list(_laid_out(_ox_quads(_rdflib_quads(dataset)))))
        self._save_prefixes(dataset.namespaces())

    def load_file(self, path: str | Path, *, format: str | None = None) -> None:
        """Parse a file with Oxigraph and bulk-load it (see :meth:`Store.load_file`).

        >>> OxigraphStore(None).load_file("no/such.ttl")
        Traceback (most recent call last):
        ...
        kg.errors.GraphFileError: no/such.ttl: no such graph file. Check the path.
        """
        path, rdf_format = _graph_file(path, format)
        try:
            # the file as it is (Rust all the way), then the layout's second copies
            self._db.bulk_load(path=str(path), format=rdf_format)
            parser = ox.parse(path=path, format=rdf_format)
            self._db.bulk_extend(_copy(quad) for quad in parser)
        except SyntaxError as err:
            raise GraphFileError(
                f"{path}: {syntax_message(err)}. Fix the file; the store may hold "
                "part of it (remove its graphs or load it again once fixed)."
            ) from err
        except (OSError, ValueError) as err:
            raise GraphFileError(f"{path}: cannot load it ({err}).") from err
        finally:
            self._written()
        self._save_prefixes(parser.prefixes.items())

    def graph_names(self) -> list[URIRef]:
        """See :meth:`Store.graph_names`.

        >>> OxigraphStore(None).graph_names()
        []
        """
        return sorted(URIRef(name.value) for name in self._visible_graphs())

    def to_dataset(self) -> Dataset:
        """A copy of the store in an rdflib Dataset.

        >>> len(OxigraphStore(None).to_dataset())
        0
        """
        dataset = new_dataset()
        add_quads(dataset, _stored_quads(self._db))
        for prefix, namespace in sorted(self.prefixes.items()):  # as load_graph binds a file's
            dataset.bind(prefix, namespace, override=True, replace=True)
        return dataset

    def __len__(self) -> int:
        result = self._db.query(_COUNT_QUADS)
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))[0].value)

    def close(self) -> None:
        """Flush and release the folder's lock.

        >>> store = OxigraphStore(None)
        >>> store.close(); store.close()
        """
        if self._workers is not None:
            self._workers.close()
        if self._store is not None:
            with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: read-only
                self._store.flush()
            self._store = None  # pyoxigraph releases RocksDB's lock when the Store is dropped
        _unlock_folder(self._lock)  # after RocksDB has let go: no reader meets its writes
        self._lock = None
        if self._copy_of is not None:
            shutil.rmtree(self._copy_of, ignore_errors=True)
            self._copy_of = None

    @classmethod
    def copy_of(cls, folder: Path) -> OxigraphStore:
        """A read-only store on a copy of the store in ``folder``; the copy goes at close.

        The copy (hard links where the file system has them, so it takes
        no time or room) sits beside ``folder``. A long reader such as
        ``kg serve`` reads it so as not to hold ``folder``'s lock: the
        build can update its store meanwhile.

        Raises:
            StoreError: the folder is not a store, or a writer has it.
        """
        holder = Path(tempfile.mkdtemp(prefix=".store-copy-", dir=folder.parent))
        try:
            source = cls(folder, read_only=True)
            with source:
                source._snapshot(holder / "store")
                shutil.copyfile(folder / _MARKER, holder / "store" / _MARKER)
            copy = cls(holder / "store", read_only=True)
        except BaseException:
            shutil.rmtree(holder, ignore_errors=True)
            raise
        copy.name = f"oxigraph:{folder}"
        copy._copy_of = holder
        return copy

    def _snapshot(self, target: Path) -> None:
        """Copy the open store into the new folder ``target`` for the query processes."""
        try:
            self._db.backup(str(target))
        except (OSError, RuntimeError) as err:
            raise StoreError(
                f"{self.name}: cannot snapshot the store for a query ({err})."
            ) from err

    def _export(self, destination: Destination, format: str) -> str | None:
        if format == "graphml":
            text = export_graph(self.to_dataset(), format="graphml")
            assert text is not None
            return _deliver(destination, lambda out: out.write(text.encode("utf-8")), text=text)
        store = self._db
        rdf_format = _OX_EXPORT[format]
        prefixes = None if format in ("nt", "nquads", "jsonld") else dict(self.prefixes)

        def write(out: IO[bytes]) -> None:
            if format in _DATASET_FORMATS:
                ox.serialize(_stored_quads(store), out, format=rdf_format, prefixes=prefixes)
            else:  # the union of all graphs is the default graph
                store.dump(out, format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=prefixes)

        return _deliver(destination, write)

    def _add(self, quads: list[ox.Quad]) -> None:
        try:
            if len(quads) <= 50_000:
                self._db.extend(quads)  # one transaction
            else:
                self._db.bulk_extend(quads)
        except OSError as err:
            raise StoreError(f"{self.name}: cannot write the store ({err}).") from err
        finally:
            self._written()

    def _update(self, update: str) -> None:
        try:
            self._db.update(update)
        except SyntaxError as err:  # a bug in kg, not in the user's data
            raise StoreError(f"{self.name}: Oxigraph refused kg's update: {err}") from err
        except OSError as err:
            raise StoreError(f"{self.name}: cannot write the store ({err}).") from err
        finally:
            self._written()

    def _written(self) -> None:
        self._visible = None
        if self._workers is not None:
            self._workers.changed()

    def _visible_graphs(self) -> list[ox.NamedNode]:
        if self._visible is None:
            result = self._db.query(_NAMED_GRAPHS)
            assert isinstance(result, ox.QuerySolutions)
            self._visible = [
                s[0] for s in result if isinstance(s[0], ox.NamedNode) and s[0] != _OWN
            ]
        return self._visible

    def _save_prefixes(self, prefixes: Iterable[tuple[str, str]]) -> None:
        # Oxigraph keeps no prefixes: kg keeps them beside the database, so
        # results print with the prefixes of the files loaded, as in memory.
        before = dict(self.prefixes)
        self._learn_prefixes(prefixes)
        if self.path is not None and self.prefixes != before:
            _write_marker(self.path, self.prefixes)


def _open_folder(
    path: Path, *, create: bool, read_only: bool, wait: float = 0.0
) -> tuple[ox.Store, int | None]:
    """Check, lock and open a store folder: the pyoxigraph Store and the lock's descriptor."""
    _check_folder(path, create=create and not read_only)
    if not path.exists():
        try:
            path.mkdir(parents=True)
        except OSError as err:
            raise StoreError(f"{path}: cannot create the store ({err.strerror or err}).") from err
    lock = _lock_folder(path, shared=read_only, wait=wait)
    try:
        store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as err:  # RuntimeError: RocksDB's Corruption
        _unlock_folder(lock)
        text = str(err)
        if "lock" in text.lower():
            raise StoreError(_locked(path, shared=read_only)) from err
        raise StoreError(f"{path}: cannot open the store ({' '.join(text.split())}).") from err
    if not read_only:
        shutil.rmtree(path / _SNAPSHOTS, ignore_errors=True)  # left by a process that died
    if not (path / _MARKER).is_file():
        _write_marker(path, PREFIXES)
    return store, lock


def _check_folder(path: Path, *, create: bool) -> None:
    """Refuse a path that is not a kg store folder (or, unless ``create``, is missing)."""
    if path.exists() and not path.is_dir():
        hint = (
            " It is a graph file: serve it with `kg serve FILE`, or load it into a store."
            if path.suffix.lower() in (".trig", ".ttl", ".nt", ".nq", ".jsonld", ".rdf")
            else ""
        )
        raise StoreError(f"{path}: not a store folder.{hint}")
    if not path.exists():
        if not create:
            raise StoreError(
                f"{path}: no such store folder. Check the path, or make the store with "
                f"`kg build ARTICLES --store oxigraph:{path}`."
            )
    elif any(path.iterdir()) and not (path / "CURRENT").is_file():
        raise StoreError(
            f"{path}: not a store folder (it holds other files, not an Oxigraph store). "
            "Give an empty or new folder."
        )
    elif (path / "CURRENT").is_file() and not (path / _MARKER).is_file():
        raise StoreError(
            f"{path}: an Oxigraph store that kg did not write (its default graph is not the "
            "union of its graphs). Export it (oxigraph dump) and load the file into a new "
            "kg store."
        )


#: Where a store open for writing keeps the snapshots its query processes read.
_SNAPSHOTS = ".kg-query-snapshots"

#: The descriptors holding a store folder's lock in this process (closed in forked
#: children, so that a lock ends with the process that took it).
_LOCKS: set[int] = set()


def _lock_folder(path: Path, *, shared: bool, wait: float = 0.0) -> int | None:
    """Take kg's lock on a store folder: shared to read it, alone to write it.

    RocksDB lets a process open a folder read-only while another writes it,
    and the reader may then find the table files its MANIFEST names deleted
    by the writer's compaction ("Corruption: ... 000016.sst: No such file");
    pyoxigraph calls it undefined behaviour. Every kg process that opens a
    folder (and every query process, :mod:`kg._oxigraph_worker`) therefore
    takes a ``flock`` on it first, which the system releases when the
    process ends however it ends. Returns the descriptor that holds it, or
    None where there are no locks.

    Raises:
        StoreError: another process holds the lock in a way that excludes this
            one (for more than ``wait`` seconds).
    """
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store ({err.strerror or err}).") from err
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            os.close(fd)
            raise StoreError(_locked(path, shared=shared)) from None
        except OSError:  # a file system without locks
            pass
        if _same_folder(path, fd):
            break
        # The folder was replaced while this waited (a build swapping in a new store):
        # the lock must be on the folder the path names now.
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as err:
            raise StoreError(f"{path}: cannot open the store ({err.strerror or err}).") from err
    _LOCKS.add(fd)
    return fd


def _same_folder(path: Path, fd: int) -> bool:
    try:
        named, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


@contextlib.contextmanager
def holding(path: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold a store folder's lock alone without opening it: no kg reader or writer opens it.

    A build holds it to put a new store in the folder's place (renaming an
    open RocksDB folder would send its writes to the new one).

    Raises:
        StoreError: another process kept it longer than ``wait`` seconds.
    """
    fd = _lock_folder(path, shared=False, wait=wait)
    try:
        yield
    finally:
        _unlock_folder(fd)


def _unlock_folder(fd: int | None) -> None:
    if fd is not None and fd in _LOCKS:
        _LOCKS.discard(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


def _forget_locks_in_child() -> None:
    """In a forked child: close the parent's lock descriptors (without unlocking them)."""
    for fd in list(_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def _locked(path: Path, *, shared: bool) -> str:
    if shared:
        return (
            f"{path}: the store is locked: another process is writing it (kg build, add or "
            "remove). Query it once that is done."
        )
    return (
        f"{path}: the store is locked: another process has it open (kg serve, kg query, a "
        "build, oxigraph serve). Stop that process first, or query it through its server."
    )


#: The file in an Oxigraph store folder that says kg laid the store out, with the
#: prefixes of what was loaded (Oxigraph keeps none).
_MARKER = "kg-store.json"


def _read_marker(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
        prefixes = data["prefixes"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(prefixes, dict):
        return {}
    return {str(k): str(v) for k, v in prefixes.items() if isinstance(v, str)}


def _write_marker(folder: Path, prefixes: dict[str, str]) -> None:
    extra = {p: ns for p, ns in sorted(prefixes.items()) if PREFIXES.get(p) != ns}
    document = {"kg_store": 1, "layout": "default graph = union of all graphs", "prefixes": extra}
    with contextlib.suppress(OSError):
        (folder / _MARKER).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


#################################################################
# A SPARQL 1.1 server
#################################################################


class SparqlStore(Store):
    """Any SPARQL 1.1 server: the Protocol for queries, Update and Graph Store writes.

    ``spec`` is ``sparql+http(s)://...``; see the module docstring for
    which URL is used for what and how the data is laid out. Opening it
    asks the server ``ASK {}`` so that an unreachable server is reported at once.
    """

    kind = "sparql"

    def __init__(self, spec: str, *, probe: bool = True) -> None:
        endpoints = parse_endpoint(spec)
        self.query_url: str = endpoints["query"]
        self.update_url: str = endpoints["update"]
        self.store_url: str | None = endpoints["store"] or None
        self._auth = endpoints["auth"]
        super().__init__(endpoints["name"])
        if probe:
            self._select("ASK {}", accept="application/sparql-results+json", timeout=10)

    def query(
        self,
        query: str | ParsedQuery,
        *,
        timeout: float | None = None,
        max_memory: int | EllipsisType | None = ...,
    ) -> QueryResult:
        """Send a query through the SPARQL 1.1 Protocol (see :meth:`Store.query`).

        ``max_memory`` plays no part: the server bounds its own queries.
        """
        parsed = _parsed(query)
        accept = (
            "application/sparql-results+json"
            if parsed.kind in ("SELECT", "ASK")
            else "application/n-triples"
        )
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        body = self._select(prologue + _bound_text(parsed), accept=accept, timeout=timeout)
        try:
            if parsed.kind in ("SELECT", "ASK"):
                results: Any = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            else:
                results = (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            return _result_from_oxigraph(parsed, results, self.prefixes)
        except SyntaxError as err:
            raise StoreError(f"{self.name}: the server's answer cannot be read ({err}).") from err

    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """SPARQL Update: retract the graph, then ``INSERT DATA`` (in chunks when big)."""
        rows = list(triples)
        self._update(_replace_update(graph, rows[:_UPDATE_CHUNK]))
        for start in range(_UPDATE_CHUNK, len(rows), _UPDATE_CHUNK):
            self._update(_insert_update(graph, rows[start : start + _UPDATE_CHUNK]))

    def remove_graph(self, graph: GraphName) -> None:
        """SPARQL Update: drop the graph and what only it held from the default graph."""
        self._update(_retract_update(graph))

    def add_dataset(self, dataset: Dataset | Graph) -> None:
        """A Graph Store ``POST`` of N-Quads to the store URL, else ``INSERT DATA`` in chunks."""
        self._send_quads(_laid_out(_ox_quads(_rdflib_quads(dataset))))
        self._learn_prefixes(dataset.namespaces())

    def load_file(self, path: str | Path, *, format: str | None = None) -> None:
        """Parse the file here, then send it as :meth:`add_dataset` does."""
        path, rdf_format = _graph_file(path, format)
        try:
            parser = ox.parse(path=path, format=rdf_format)
            self._send_quads(_laid_out(parser))
        except SyntaxError as err:
            raise GraphFileError(
                f"{path}: {syntax_message(err)}. Fix the file; the server may hold part of it."
            ) from err
        self._learn_prefixes(parser.prefixes.items())

    def graph_names(self) -> list[URIRef]:
        """``SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }``, less kg's own graph."""
        result = self._internal_select(_NAMED_GRAPHS)
        return sorted(
            URIRef(s[0].value) for s in result if isinstance(s[0], ox.NamedNode) and s[0] != _OWN
        )

    def to_dataset(self) -> Dataset:
        """A copy of the server's dataset in an rdflib Dataset."""
        dataset = new_dataset()
        add_quads(dataset, _logical(self._quads()))
        return dataset

    def __len__(self) -> int:
        for solution in self._internal_select(_COUNT_QUADS):
            return int(solution[0].value)
        return 0

    def __repr__(self) -> str:  # no request to the server
        return f"<SparqlStore {self.name}>"

    def _export(self, destination: Destination, format: str) -> str | None:
        copy = OxigraphStore(None)
        copy._learn_prefixes(self.prefixes.items())
        try:
            copy._add(list(_laid_out(_logical(self._quads()))))
            return copy._export(destination, format)
        finally:
            copy.close()

    # -- HTTP ----------------------------------------------------

    def _send_quads(self, quads: Iterable[ox.Quad]) -> None:
        batch: list[ox.Quad] = []
        for quad in quads:
            batch.append(quad)
            if len(batch) >= _POST_CHUNK:
                self._send_batch(batch)
                batch = []
        if batch:
            self._send_batch(batch)

    def _send_batch(self, quads: list[ox.Quad]) -> None:
        if self.store_url is None:
            for start in range(0, len(quads), _UPDATE_CHUNK):
                self._update(_insert_quads_update(quads[start : start + _UPDATE_CHUNK]))
            return
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        assert data is not None
        headers = {"Content-Type": "application/n-quads"}
        try:
            self._request("POST", self.store_url, data, headers, timeout=None)
        except (_NotFound, _BadRequest) as err:
            raise StoreError(
                f"{self.name}: the server refused the data at {_public(self.store_url)} "
                f"({err}). Give ?store=none in the store spec to write through SPARQL Update."
            ) from err

    def _quads(self) -> list[ox.Quad]:
        """Every quad the server holds (the default graph's copies included)."""
        if self.store_url is not None:
            body = self._request(
                "GET", self.store_url, None, {"Accept": "application/n-quads"}, timeout=None
            )
            try:
                return list(ox.parse(body, format=ox.RdfFormat.N_QUADS))
            except SyntaxError as err:
                raise StoreError(
                    f"{self.name}: the server's dataset cannot be read ({err})."
                ) from err
        result = self._internal_select(
            "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        )
        return [
            ox.Quad(s[0], s[1], s[2], s[3] if s[3] is not None else ox.DefaultGraph())
            for s in result
        ]

    def _internal_select(self, text: str) -> ox.QuerySolutions:
        # kg's own queries over the stored layout, not checked.
        body = self._select(text, accept="application/sparql-results+json")
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(results, ox.QuerySolutions)
        return results

    def _select(self, text: str, *, accept: str, timeout: float | None = None) -> bytes:
        form = urllib.parse.urlencode({"query": text}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        try:
            return self._request("POST", self.query_url, form, headers, timeout=timeout)
        except _NotFound as err:
            raise StoreError(
                f"{self.name}: no SPARQL endpoint at {_public(self.query_url)} (HTTP 404). Check "
                "the URL (oxigraph serve answers at http://HOST:PORT/query)."
            ) from err
        except _BadRequest as err:
            raise QueryError(f"the server refused the query: {err}") from err

    def _update(self, update: str) -> None:
        headers = {"Content-Type": "application/sparql-update"}
        try:
            self._request("POST", self.update_url, update.encode("utf-8"), headers, timeout=None)
        except (_NotFound, _BadRequest) as err:
            raise StoreError(
                f"{self.name}: the server refused an update at {_public(self.update_url)} "
                f"({err}). Is it read-only? Give ?update=URL in the store spec."
            ) from err

    def _request(
        self,
        method: str,
        url: str,
        data: bytes | IO[bytes] | None,
        headers: dict[str, str],
        *,
        timeout: float | None,
    ) -> bytes:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        if self._auth:
            request.add_header("Authorization", "Basic " + self._auth)
        # The socket timeout bounds each wait; the deadline bounds the whole answer, which
        # a server streams for as long as the query runs.
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if deadline is None:
                    return bytes(response.read())
                chunks: list[bytes] = []
                while chunk := response.read1(1 << 16):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise _timeout_error(self.name, timeout)
                return b"".join(chunks)
        except urllib.error.HTTPError as err:
            message = _error_text(err)
            if err.code == 404:
                raise _NotFound(message) from err
            if err.code in (400, 405, 415):
                raise _BadRequest(message) from err
            if err.code in (401, 403):
                raise StoreError(
                    f"{self.name}: the server refused access (HTTP {err.code}). Put "
                    "user:password@ in the store URL."
                ) from err
            raise StoreError(
                f"{self.name}: the server failed (HTTP {err.code}: {message})."
            ) from err
        except TimeoutError as err:
            raise _timeout_error(self.name, timeout) from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise _timeout_error(self.name, timeout) from err
            raise StoreError(
                f"{self.name}: cannot reach the SPARQL server ({_reason(err)}). Is it running? "
                "(e.g. oxigraph serve --location DIR --bind HOST:PORT)"
            ) from err
        except OSError as err:
            raise StoreError(f"{self.name}: cannot reach the SPARQL server ({err}).") from err


def _timeout_error(name: str, timeout: float | None) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"{name}: no answer within {timeout or 0:g} s. Make the query more selective "
        "or allow more time."
    )


class _NotFound(Exception):
    pass


class _BadRequest(Exception):
    pass


def parse_endpoint(spec: str) -> dict[str, str]:
    """Split a ``sparql+http(s)`` spec into the URLs kg uses (see the module docstring).

    Returns a dict with ``query``, ``update``, ``store`` ("" when none),
    ``auth`` (Basic credentials or "") and ``name`` (the spec without a password).

    >>> e = parse_endpoint("sparql+http://127.0.0.1:7878")
    >>> e["query"], e["update"], e["store"]
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    >>> e = parse_endpoint("sparql+https://db.example.org/ds/query?store=data")
    >>> e["update"], e["store"]
    ('https://db.example.org/ds/update', 'https://db.example.org/ds/data')
    >>> parse_endpoint("sparql+http://example.org/sparql?store=none")["store"]
    ''
    """
    url = spec[len("sparql+") :] if spec.startswith("sparql+") else spec
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"{spec}: not a SPARQL server URL; give sparql+http://HOST:PORT/PATH.")
    try:
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError as err:
        raise StoreError(f"{spec}: {err}; give sparql+http://HOST:PORT/PATH.") from err
    auth = ""
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        auth = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    options: dict[str, str] = {}
    kept: list[tuple[str, str]] = []
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if key in ("update", "store"):
            options[key] = value
        else:
            kept.append((key, value))
    path = parts.path
    base = urllib.parse.urlunsplit((parts.scheme, netloc, path or "/", "", ""))
    if path in ("", "/"):
        query, update, store = (urllib.parse.urljoin(base, n) for n in ("query", "update", "store"))
    elif path.rstrip("/").endswith(("/query", "/sparql")):
        query = base
        update = urllib.parse.urljoin(base, "update")
        store = urllib.parse.urljoin(base, "store")
    else:
        query = update = base
        store = ""
    if "update" in options:
        update = urllib.parse.urljoin(base, options["update"])
    if "store" in options:
        given = options["store"]
        store = "" if given in ("", "none") else urllib.parse.urljoin(base, given)
    if kept:
        query += "?" + urllib.parse.urlencode(kept)
    name = "sparql+" + urllib.parse.urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    return {"query": query, "update": update, "store": store, "auth": auth, "name": name}


def _public(url: str) -> str:
    return url.split("?", 1)[0]


def _error_text(err: urllib.error.HTTPError) -> str:
    try:
        text = err.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    first = text.splitlines()[0] if text else (err.reason or "")
    return f"HTTP {err.code}: {first}" if first else f"HTTP {err.code}"


def _reason(err: urllib.error.URLError) -> str:
    reason = err.reason
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)


#################################################################
# The layout of the Oxigraph and server stores
#################################################################

#: The named graph where the Oxigraph and server stores keep the triples loaded into
#: the default graph (their default graph holds the union of all graphs).
DEFAULT_GRAPH_IRI = "urn:x-kg:default-graph"
_OWN = ox.NamedNode(DEFAULT_GRAPH_IRI)

_COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
_NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_GRAPH_KEYWORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)

# Quads per Graph Store POST.
_POST_CHUNK = 200_000


def _laid_out(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads as stored: each also in the default graph; the default graph's own in kg's graph."""
    for quad in quads:
        yield quad
        yield _copy(quad)


def _copy(quad: ox.Quad) -> ox.Quad:
    """The second copy of a loaded quad: in the default graph, or kg's graph for the default's."""
    graph = _OWN if isinstance(quad.graph_name, ox.DefaultGraph) else _DEFAULT
    return ox.Quad(quad.subject, quad.predicate, quad.object, graph)


_DEFAULT = ox.DefaultGraph()


def _logical(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads that were loaded, from the stored ones (the inverse of :func:`_laid_out`)."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        if quad.graph_name == _OWN:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())
        else:
            yield quad


def _stored_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The loaded quads of an Oxigraph store: kg's own graph as the default graph first.

    Decimals are spelled as kg writes them (:func:`kg.query.text.as_written`).
    """
    for quad in store.quads_for_pattern(None, None, None, _OWN):
        yield ox.Quad(quad.subject, quad.predicate, as_written(quad.object), ox.DefaultGraph())
    for name in store.named_graphs():
        if name != _OWN:
            for quad in store.quads_for_pattern(None, None, None, name):
                yield ox.Quad(quad.subject, quad.predicate, as_written(quad.object), name)


#################################################################
# Timed Oxigraph queries, in child processes
#################################################################

#: Idle query processes an Oxigraph store keeps for its next timed queries.
_IDLE_PROCESSES = 4

#: Seconds a new query process may take to open the store (not counted in a query's time).
_START_LIMIT = 60.0


class _QueryProcess:
    """One ``kg._oxigraph_worker`` child with the store folder open read-only."""

    def __init__(self, folder: Path, generation: int, max_memory: int | None) -> None:
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, env.get("PYTHONPATH", "")) if p
        )
        self.generation = generation
        self.max_memory = max_memory
        ceiling = [] if max_memory is None else ["--max-memory", str(max_memory)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg._oxigraph_worker", str(folder), *ceiling],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=os.name == "posix",  # no Ctrl-C of its own: kg stops it
        )

    def exchange(self, request: bytes | None, timeout: float | None) -> tuple[str, str, bytes]:
        """Send a request (None: wait for ``ready``) and read the answer: (status, kind, bytes).

        The status is the process's own (``ok``, ``syntax``, ``store``, ``ready``),
        ``timeout`` when no answer came in time (the process is then killed), or
        ``gone`` when the process ended without one.
        """
        box: dict[str, Any] = {}
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        stdin, stdout = process.stdin, process.stdout

        def talk() -> None:
            try:
                if request is not None:
                    stdin.write(request)
                    stdin.flush()
                header = stdout.readline().decode("ascii", "replace").split()
                if len(header) == 1 and header[0] == "ready":
                    box["answer"] = ("ready", "-", b"")
                    return
                if len(header) != 3 or not header[2].isdigit():
                    box["answer"] = ("gone", "-", b"")
                    return
                body = stdout.read(int(header[2]))
                box["answer"] = (header[0], header[1], body)
            except (OSError, ValueError):
                box["answer"] = ("gone", "-", b"")

        talker = threading.Thread(target=talk, name="kg-query-process", daemon=True)
        talker.start()
        try:
            talker.join(timeout)
        except BaseException:  # Ctrl-C while waiting: the query is abandoned
            self.kill()
            raise
        if talker.is_alive():
            self.kill()
            talker.join(5)
            return ("timeout", "-", b"")
        answer: tuple[str, str, bytes] = box.get("answer", ("gone", "-", b""))
        return answer

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _out_of_memory(worker: _QueryProcess, max_memory: int | None) -> bool:
    """Whether a query process that died without an answer ran out of its memory.

    Rust aborts (SIGABRT) when an allocation fails under the ceiling; the
    kernel's OOM killer sends SIGKILL.
    """
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.process.wait(5)
    code = worker.process.poll()
    return max_memory is not None and code in (-signal.SIGABRT, -signal.SIGKILL)


class _QueryProcesses:
    """The query processes of one Oxigraph folder: a process per query at a time, reused.

    A process sees the folder as it was when it opened it, so every write
    through the store (:meth:`changed`) retires the idle ones. Under a store
    open for writing, the processes never open the folder itself (RocksDB's
    read-only open of a folder another process writes is undefined, see
    :func:`_lock_folder`): ``snapshot(target)`` copies the store into a
    new folder, one per generation of writes, which goes when no process
    reads it any more.
    """

    def __init__(
        self, folder: Path, name: str, *, snapshot: Callable[[Path], None] | None = None
    ) -> None:
        self._folder = folder
        self._name = name
        self._lock = threading.Lock()
        self._idle: list[_QueryProcess] = []
        self._busy: set[_QueryProcess] = set()  # running a query: close() kills them too
        self._generation = 0
        self._snapshot = snapshot
        self._copying = threading.Lock()  # held to make, choose or delete a snapshot
        self._copies: dict[int, Path] = {}  # generation -> the snapshot its processes read
        self._started: list[_QueryProcess] = []  # every process that may still read one

    def changed(self) -> None:
        with self._lock:
            self._generation += 1
            stale, self._idle = self._idle, []
        for process in stale:
            process.kill()
        self._prune()

    def close(self) -> None:
        """Stop every query process, the busy ones too (``kg serve`` stopping mid-query)."""
        self.changed()
        with self._lock:
            busy, self._busy = self._busy, set()
        for process in busy:
            process.kill()
        if self._snapshot is not None:
            with self._copying:
                self._copies.clear()
                shutil.rmtree(self._folder / _SNAPSHOTS, ignore_errors=True)

    def _start(self, generation: int, max_memory: int | None) -> _QueryProcess:
        """A new process on the folder, or on the snapshot of ``generation``."""
        self._prune()  # the snapshots of processes killed mid-query (time or memory up)
        with self._copying:
            source = self._folder if self._snapshot is None else self._copy(generation)
            worker = _QueryProcess(source, generation, max_memory)
            if self._snapshot is not None:
                self._started.append(worker)
        return worker

    def _copy(self, generation: int) -> Path:
        """The snapshot of ``generation`` (made now if missing); ``_copying`` is held."""
        assert self._snapshot is not None
        copy = self._copies.get(generation)
        if copy is None:
            holder = self._folder / _SNAPSHOTS
            holder.mkdir(exist_ok=True)
            copy = Path(tempfile.mkdtemp(prefix=f"{generation}-", dir=holder)) / "store"
            try:
                self._snapshot(copy)
            except BaseException:
                shutil.rmtree(copy.parent, ignore_errors=True)
                raise
            self._copies[generation] = copy
        return copy

    def _prune(self) -> None:
        """Delete the snapshots of past generations that no process reads any more."""
        if self._snapshot is None:
            return
        with self._copying:
            self._started = [w for w in self._started if w.process.poll() is None]
            read = {w.generation for w in self._started}
            with self._lock:
                current = self._generation
            for generation in [g for g in self._copies if g != current and g not in read]:
                shutil.rmtree(self._copies.pop(generation).parent, ignore_errors=True)

    def run(
        self, request: dict[str, Any], timeout: float | None, max_memory: int | None
    ) -> tuple[str, bytes]:
        """Run one query; return (``rows`` or ``graph``, the answer's bytes).

        The query holds one of the process-wide query places
        (:func:`kg.query.limits.query_slot`) while it runs.

        Raises:
            QueryTimeoutError: no answer within ``timeout`` s (the process is killed).
            QueryError: Oxigraph cannot parse the query, or it needed more than
                ``max_memory`` bytes (the process stops itself).
            QueryBusyError: every query place stayed busy.
            StoreError: the store cannot be read, or the process died.
        """
        started = time.monotonic()
        with query_slot(wait=timeout):
            worker = self._take(max_memory)
            left = None if timeout is None else max(timeout - (time.monotonic() - started), 0.01)
            line = (json.dumps(request, ensure_ascii=True) + "\n").encode("ascii")
            with self._lock:
                self._busy.add(worker)
            try:
                status, kind, body = worker.exchange(line, left)
            finally:
                with self._lock:
                    self._busy.discard(worker)
        if status == "timeout":
            raise stopped_after(timeout or 0)
        if status == "memory" or (status == "gone" and _out_of_memory(worker, max_memory)):
            worker.kill()
            raise memory_error(max_memory or DEFAULT_MAX_MEMORY)
        if status == "gone":
            code = worker.process.poll()
            worker.kill()
            raise StoreError(
                f"{self._name}: the query process stopped unexpectedly (exit code {code}). "
                "Run the query again; if it happens again, query without --timeout."
            )
        self._give_back(worker)
        message = " ".join(body.decode("utf-8", "replace").split())  # one line
        if status == "syntax":
            raise QueryError(f"Oxigraph cannot parse the query: {message}")
        if status != "ok":
            raise StoreError(f"{self._name}: cannot read the store ({message}).")
        return kind, body

    def _take(self, max_memory: int | None) -> _QueryProcess:
        with self._lock:
            generation = self._generation
            for i, idle in enumerate(self._idle):
                if idle.max_memory == max_memory:
                    return self._idle.pop(i)
        try:
            worker = self._start(generation, max_memory)
        except OSError as err:  # no memory or processes left
            raise StoreError(f"{self._name}: cannot start a query process ({err}).") from err
        status, _, body = worker.exchange(None, _START_LIMIT)
        if status != "ready":
            worker.kill()
            why = body.decode("utf-8", "replace") or f"exit code {worker.process.poll()}"
            raise StoreError(f"{self._name}: cannot start a query process ({why}).")
        return worker

    def _give_back(self, worker: _QueryProcess) -> None:
        with self._lock:
            if worker.generation == self._generation and len(self._idle) < _IDLE_PROCESSES:
                self._idle.append(worker)
                return
        worker.kill()
        self._prune()


#################################################################
# Shared helpers
#################################################################


def _timed(
    call: Callable[[], QueryResult], timeout: float | None, max_memory: int | None
) -> QueryResult:
    """``call()`` in a forked process (:func:`kg.query.limits.run_killable`) when limited.

    The process is killed when time is up (QueryTimeoutError) or on Ctrl-C,
    and has ``max_memory`` bytes beyond what it inherits; a result graph
    comes back as triples. With neither limit the call runs here.
    """
    if timeout is None and max_memory is None:
        return call()

    def portable() -> tuple[QueryResult, list[Triple] | None]:
        result = call()
        if result.graph is None:
            return result, None
        return dataclasses.replace(result, graph=None), list(result.graph)

    answer, triples = run_killable(portable, timeout=timeout, max_memory=max_memory)
    return answer if triples is None else with_graph(answer, triples)


_PARAM_BLOCK = r"VALUES\s+\?param_{name}\s*\{{[^{{}}]*\}}"


#: _bound_text's answers for the checked queries seen last (kg serve and the
#: benchmarks send the same texts again): id -> (the query, its text).
_BOUND: dict[int, tuple[ParsedQuery, str]] = {}


def _bound_text(parsed: ParsedQuery) -> str:
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
    >>> _bound_text(check_query('ASK { ?s ?p "caf\\\\u00E9" }'))
    'ASK { ?s ?p "café" }'
    """
    text = _as_checked(parsed.source or parsed.text, _has_service(parsed))
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


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_SERVICE_WORD = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:.\-])", re.IGNORECASE)


@lru_cache(maxsize=512)
def _as_checked(text: str, has_service: bool) -> str:
    """The query text as rdflib read it; refused if a scan finds a SERVICE rdflib did not."""
    expanded = checked_text(text)  # the same again for a checked source (no escapes, comments)
    if not has_service and _SERVICE_WORD.search(code_only(expanded)):
        raise UnsafeQueryError(
            "the query is refused: it reads as a SERVICE call to Oxigraph but not to kg's "
            "safety check (look for \\u escapes and quotes in strings). Write it plainly."
        )
    return expanded


def _result_from_oxigraph(
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


def _ox_quads(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> Iterator[ox.Quad]:
    convert = ox_term_converter()
    for s, p, o, g in quads:
        yield ox.Quad(convert(s), convert(p), convert(o), convert(g))


def _graph_iri(graph: GraphName) -> URIRef | None:
    """The graph's IRI as a URIRef (None for the default graph); refuses what is not an IRI."""
    if graph is None or graph == DATASET_DEFAULT_GRAPH_ID:
        return None
    if isinstance(graph, BNode):
        raise StoreError("a graph name must be an IRI, not a blank node.")
    try:
        ox.NamedNode(str(graph))
    except ValueError as err:
        raise StoreError(f"{graph!r} is not an IRI, so it cannot name a graph ({err}).") from err
    return URIRef(str(graph))


def _graph_node(graph: GraphName) -> ox.NamedNode:
    """Where a graph is stored: its IRI, or kg's own graph for the default graph."""
    name = _graph_iri(graph)
    return _OWN if name is None else ox.NamedNode(str(name))


def _ntriples(triples: Iterable[Triple] | Graph) -> str:
    convert = ox_term_converter()
    data = ox.serialize(
        (ox.Triple(convert(s), convert(p), convert(o)) for s, p, o in triples),
        format=ox.RdfFormat.N_TRIPLES,
    )
    return (data or b"").decode("utf-8")


def _retract_update(graph: GraphName) -> str:
    """SPARQL Update that drops a graph, and from the default graph what only it held."""
    g = _graph_node(graph)
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ "
        f"GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != {g}) }} }} ;\n"
        f"DROP SILENT GRAPH {g}"
    )


def _insert_update(graph: GraphName, triples: Iterable[Triple] | Graph) -> str:
    """``INSERT DATA`` of triples into a graph and into the default graph ("" if none)."""
    body = _ntriples(triples)
    return f"INSERT DATA {{ GRAPH {_graph_node(graph)} {{\n{body}}}\n{body}}}" if body else ""


def _replace_update(graph: GraphName, triples: Iterable[Triple] | Graph) -> str:
    """One update (one transaction) that replaces a graph's triples, keeping the layout."""
    insert = _insert_update(graph, triples)
    retract = _retract_update(graph)
    return f"{retract} ;\n{insert}" if insert else retract


def _insert_quads_update(quads: list[ox.Quad]) -> str:
    """``INSERT DATA`` of quads as they are (already laid out)."""
    by_graph: dict[Any, list[ox.Triple]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(quad.triple)
    blocks = []
    for name, triples in by_graph.items():
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        body = (data or b"").decode("utf-8")
        blocks.append(body if isinstance(name, ox.DefaultGraph) else f"GRAPH {name} {{\n{body}}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "}"


def _graph_file(path: str | Path, format: str | None) -> tuple[Path, ox.RdfFormat]:
    path = Path(path)
    name = format.lower() if format else guess_format(path)
    if name not in RDF_FORMATS:
        raise UnsupportedFormatError(
            f"unknown graph format {format!r}; use one of trig, nquads, turtle, nt, jsonld, xml."
        )
    if not path.exists():
        raise GraphFileError(f"{path}: no such graph file. Check the path.")
    if path.is_dir():
        raise GraphFileError(f"{path}: is a folder, not a graph file. Give the file itself.")
    return path, RDF_FORMATS[name]


def _has_quads(graph: Graph) -> bool:
    return next(iter(graph.triples((None, None, None))), None) is not None


def _deliver(
    destination: Destination, write: Callable[[IO[bytes]], object], *, text: str | None = None
) -> str | None:
    """Send what ``write`` writes to a path (atomically), a stream, or back as a string."""
    if destination is None:
        if text is not None:
            return text
        buffer = io.BytesIO()
        write(buffer)
        return buffer.getvalue().decode("utf-8")
    if isinstance(destination, (str, Path)):
        buffer = io.BytesIO()
        write(buffer)
        write_atomic(destination, buffer.getvalue())
        return None
    if isinstance(destination, io.TextIOBase):
        buffer = io.BytesIO()
        write(buffer)
        destination.write(buffer.getvalue().decode("utf-8"))
        return None
    write(destination)  # type: ignore[arg-type]
    return None
