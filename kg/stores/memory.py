"""The memory store: an rdflib Dataset in this process (``default_union``).

>>> MemoryStore().kind
'memory'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import EllipsisType

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg.graph.export import export_graph
from kg.query.check import ParsedQuery
from kg.query.result import QueryResult
from kg.query.run import run_query
from kg.rdf.dataset import new_dataset
from kg.rdf.load import load_graph
from kg.rdf.prefixes import PREFIXES
from kg.rdf.serialize import dataset_quads as _rdflib_quads
from kg.stores.base import Destination, GraphName, Store, Triple, deliver, graph_iri, parsed_query

__all__ = ["MemoryStore"]


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
        parsed = parsed_query(query)
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
        name = graph_iri(graph)
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
        return deliver(destination, lambda out: out.write(text.encode("utf-8")), text=text)

    def _graph(self, graph: GraphName) -> Graph:
        name = graph_iri(graph)
        return self.dataset.default_graph if name is None else self.dataset.graph(name)


def _has_quads(graph: Graph) -> bool:
    return next(iter(graph.triples((None, None, None))), None) is not None
