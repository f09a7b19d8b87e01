"""The embedded Oxigraph store: pyoxigraph's on-disk store (RocksDB) in a folder, or in memory.

Queries, loading and export run in Oxigraph (Rust); results come back as
rdflib terms. Timed queries on a folder run in child processes
(:mod:`kg.stores.processes`); the folder is locked while open
(:mod:`kg.stores.folder`).

>>> OxigraphStore(None).kind
'oxigraph'
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import EllipsisType
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from kg.errors import GraphFileError, QueryError, StoreError
from kg.interrupts import threads_leave_ctrl_c
from kg.query.limits import check_limits, run_killable
from kg.query.result import QueryResult, with_graph
from kg.rdf.dataset import add_quads, new_dataset
from kg.rdf.load import syntax_message
from kg.rdf.prefixes import PREFIXES
from kg.rdf.serialize import dataset_quads as _rdflib_quads
from kg.stores.base import Destination, GraphName, Store, Triple, deliver, parsed_query
from kg.stores.folder import MARKER, open_folder, read_marker, unlock_folder, write_marker
from kg.stores.layout import (
    COUNT_QUADS,
    GRAPH_KEYWORD,
    NAMED_GRAPHS,
    OWN_GRAPH,
    graph_file,
    laid_out,
    ox_quads,
    replace_update,
    retract_update,
    second_copy,
    stored_quads,
)
from kg.stores.processes import QueryProcesses

if TYPE_CHECKING:
    from kg.query.check import ParsedQuery

__all__ = ["OxigraphStore"]


# Export formats pyoxigraph writes itself (graphml goes through rdflib and networkx).
_OX_EXPORT: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_DATASET_FORMATS = frozenset({"nquads", "trig", "jsonld"})


class OxigraphStore(Store):
    """pyoxigraph's embedded store in a folder (or in memory, without a path).

    Queries, loading and export run in Oxigraph (Rust); results come back as
    rdflib terms. The data is laid out as in the module docstring (the
    default graph holds the union).

    The folder is locked while the store is open (:func:`lock_folder`): one
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
        self._workers: QueryProcesses | None = None
        self._lock: int | None = None  # the descriptor holding the folder's lock
        self._copy_of: Path | None = None  # a store copy's own folder, deleted at close
        if path is None:
            self._store: ox.Store | None = ox.Store()
            return
        with threads_leave_ctrl_c():  # RocksDB starts its threads at the first opening
            self._store, self._lock = open_folder(
                path, create=create, read_only=read_only, wait=wait
            )
        self._learn_prefixes(read_marker(path).items())
        self._workers = QueryProcesses(
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
        (``kg.stores.worker``, kept for the next query) that is killed
        when time is up or on Ctrl-C, and stops itself past ``max_memory``:
        Oxigraph cannot be interrupted otherwise. A store in memory forks a
        process for it (:func:`kg.query.limits.run_killable`). With neither
        a timeout nor a memory limit, the query runs in this process.

        >>> OxigraphStore(None).query("ASK { ?s ?p ?o }").boolean
        False
        """
        # Here, not on import: kg build and kg add load a store and ask it nothing, and
        # the translation brings SPARQL's parser (a third of a second to import).
        from kg.stores.translate import bound_text, result_from_oxigraph

        parsed = parsed_query(query)
        text = bound_text(parsed)
        store = self._db
        options: dict[str, Any] = {}
        if GRAPH_KEYWORD.search(text):  # hide kg's own graph from GRAPH patterns
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
                return result_from_oxigraph(parsed, triples, self.prefixes)
            rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            return result_from_oxigraph(parsed, rows, self.prefixes)

        def run() -> QueryResult:
            try:
                results = store.query(text, prefixes=PREFIXES, **options)
                return result_from_oxigraph(parsed, results, self.prefixes)
            except SyntaxError as err:
                raise QueryError(f"Oxigraph cannot parse the query: {err}") from err
            except OSError as err:
                raise StoreError(f"{self.name}: cannot read the store ({err}).") from err

        return _timed(run, timeout, max_memory)

    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """See :meth:`Store.replace_graph` (one Oxigraph transaction).

        >>> OxigraphStore(None).replace_graph("https://example.org/g", [])
        """
        self._update(replace_update(graph, triples))

    def remove_graph(self, graph: GraphName) -> None:
        """See :meth:`Store.remove_graph` (one Oxigraph transaction).

        >>> OxigraphStore(None).remove_graph(None)
        """
        self._update(retract_update(graph))

    def add_dataset(self, dataset: Dataset | Graph) -> None:
        """See :meth:`Store.add_dataset` (over 50,000 quads: Oxigraph's bulk loader).

        >>> OxigraphStore(None).add_dataset(Graph())
        """
        self._add(list(laid_out(ox_quads(_rdflib_quads(dataset)))))
        self._save_prefixes(dataset.namespaces())

    def load_file(self, path: str | Path, *, format: str | None = None) -> None:
        """Parse a file with Oxigraph and bulk-load it (see :meth:`Store.load_file`).

        >>> OxigraphStore(None).load_file("no/such.ttl")
        Traceback (most recent call last):
        ...
        kg.errors.GraphFileError: no/such.ttl: no such graph file. Check the path.
        """
        path, rdf_format = graph_file(path, format)
        try:
            # the file as it is (Rust all the way), then the layout's second copies
            self._db.bulk_load(path=str(path), format=rdf_format)
            parser = ox.parse(path=path, format=rdf_format)
            self._db.bulk_extend(second_copy(quad) for quad in parser)
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

    def load_build(self, trig: str | Path, turtle: str | Path) -> None:
        """Bulk-load a build's graph files: kg.trig, and kg.ttl (the union of its graphs,
        :func:`kg.rdf.trig.write_graph_files`) as the second copies of its named graphs.

        The same quads as :meth:`load_file` of kg.trig, with none passing through
        Python but the default graph's: the union (the named graphs' second
        copies, in the default graph) is kg.ttl loaded there, and the default
        graph's own second copies (in kg's graph) are copied before it is.
        """
        trig, turtle = Path(trig), Path(turtle)
        try:
            self._db.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
            own = list(self._db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            self._db.bulk_extend(second_copy(quad) for quad in own)
            self._db.bulk_load(path=str(turtle), format=ox.RdfFormat.TURTLE)
            parser = ox.parse(path=trig, format=ox.RdfFormat.TRIG)
            next(parser, None)  # kg writes every prefix line before the first graph
        except SyntaxError as err:
            raise GraphFileError(f"{trig}: {syntax_message(err)}. Build again.") from err
        except (OSError, ValueError) as err:
            raise GraphFileError(f"{trig}: cannot load it ({err}).") from err
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
        add_quads(dataset, stored_quads(self._db))
        for prefix, namespace in sorted(self.prefixes.items()):  # as load_graph binds a file's
            dataset.bind(prefix, namespace, override=True, replace=True)
        return dataset

    def __len__(self) -> int:
        result = self._db.query(COUNT_QUADS)
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
        unlock_folder(self._lock)  # after RocksDB has let go: no reader meets its writes
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
                shutil.copyfile(folder / MARKER, holder / "store" / MARKER)
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
            from kg.graph.export import export_graph  # networkx's writers: GraphML only

            text = export_graph(self.to_dataset(), format="graphml")
            assert text is not None
            return deliver(destination, lambda out: out.write(text.encode("utf-8")), text=text)
        store = self._db
        rdf_format = _OX_EXPORT[format]
        prefixes = None if format in ("nt", "nquads", "jsonld") else dict(self.prefixes)

        def write(out: IO[bytes]) -> None:
            if format in _DATASET_FORMATS:
                ox.serialize(stored_quads(store), out, format=rdf_format, prefixes=prefixes)
            else:  # the union of all graphs is the default graph
                store.dump(out, format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=prefixes)

        return deliver(destination, write)

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
            result = self._db.query(NAMED_GRAPHS)
            assert isinstance(result, ox.QuerySolutions)
            self._visible = [
                s[0] for s in result if isinstance(s[0], ox.NamedNode) and s[0] != OWN_GRAPH
            ]
        return self._visible

    def _save_prefixes(self, prefixes: Iterable[tuple[str, str]]) -> None:
        # Oxigraph keeps no prefixes: kg keeps them beside the database, so
        # results print with the prefixes of the files loaded, as in memory.
        before = dict(self.prefixes)
        self._learn_prefixes(prefixes)
        if self.path is not None and self.prefixes != before:
            write_marker(self.path, self.prefixes)


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
