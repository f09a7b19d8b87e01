"""The interface every store answers: :class:`Store`, and what the stores share.

Every store answers the same queries the same way (:meth:`Store.query`
returns a :class:`kg.query.QueryResult` of rdflib terms, so
:func:`kg.query.format_result` prints it as for a graph file) and takes the
same writes (one document's named graph at a time, or a whole dataset).
Queries are checked first by :func:`kg.query.check_query` (no updates, no
``SERVICE``, no ``FROM``), with the same predeclared prefixes
(:data:`kg.rdf.prefixes.PREFIXES`); the check of a query text is cached, so a
server answering the same query again does not parse it again with rdflib.

>>> check_cached("ASK { ?s ?p ?o }").kind
'ASK'
"""

from __future__ import annotations

import abc
import io
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import IO, TYPE_CHECKING, ClassVar

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg.atomic import write_atomic
from kg.errors import KGError, StoreError
from kg.query.limits import DEFAULT_MAX_MEMORY
from kg.query.result import QueryResult
from kg.rdf.files import format_for_path, normalize_format
from kg.rdf.prefixes import PREFIXES

if TYPE_CHECKING:
    from kg.query.check import ParsedQuery

__all__ = [
    "Destination",
    "GraphName",
    "Store",
    "Triple",
    "check_cached",
    "deliver",
    "graph_iri",
    "parsed_query",
]


#: A triple of rdflib terms.
Triple = tuple[Node, Node, Node]

#: A graph name: an IRI (string or URIRef), or None for the default graph.
GraphName = str | URIRef | None

#: Where to write an export: a file path, a binary or text stream, or None for a string.
Destination = str | Path | IO[bytes] | IO[str] | None


@lru_cache(maxsize=512)
def check_cached(text: str) -> ParsedQuery:
    """:func:`kg.query.check_query`, remembered for the last 512 query texts.

    rdflib's SPARQL parser takes a few milliseconds, longer than Oxigraph
    takes to answer a lookup; a server sees the same texts again and again.

    >>> check_cached("ASK { ?s ?p ?o }") is check_cached("ASK { ?s ?p ?o }")
    True
    """
    # Here, not on import: kg build and kg add load a store and ask it nothing, and
    # SPARQL's parser takes a third of a second to import.
    from kg.query.check import check_query

    return check_query(text)


def parsed_query(query: str | ParsedQuery) -> ParsedQuery:
    """``query`` checked (through :func:`check_cached`) unless it is a ParsedQuery already."""
    from kg.query.check import ParsedQuery  # with the parser, as in check_cached

    return query if isinstance(query, ParsedQuery) else check_cached(query)


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

        >>> from kg.stores import open_store
        >>> open_store("memory").query("ASK { ?s ?p ?o }").boolean
        False
        """

    @abc.abstractmethod
    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """Make ``triples`` the whole content of one graph (a document's named graph).

        Parameters:
            graph: the graph's IRI, or None for the default graph.
            triples: rdflib triples (an rdflib Graph will do); none empties the graph.

        >>> from kg.stores import open_store
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

        >>> from kg.stores import open_store
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

        >>> from kg.rdf.dataset import new_dataset
        >>> from kg.stores import open_store
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

        >>> from kg.stores import open_store
        >>> open_store("memory").load_file("no/such.trig")
        Traceback (most recent call last):
        ...
        kg.errors.GraphFileError: no/such.trig: no such graph file. Check the path.
        """

    @abc.abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The IRIs of the named graphs that hold at least one triple, sorted.

        >>> from kg.stores import open_store
        >>> open_store("memory").graph_names()
        []
        """

    @abc.abstractmethod
    def to_dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset (``default_union``), e.g. for ``kg viz``.

        >>> from kg.stores import open_store
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
            format: one of :data:`kg.rdf.files.FORMATS`; by default the path's
                suffix tells it, else ``trig``. ``turtle`` and ``nt`` write
                the union of all graphs, ``nquads``, ``trig`` and ``jsonld``
                keep the named graphs.

        >>> from kg.stores import open_store
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

        >>> from kg.stores import open_store
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


def graph_iri(graph: GraphName) -> URIRef | None:
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


def deliver(
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
