"""rdflib Datasets as kg uses them: prefixes bound, pyoxigraph quads added, blank nodes labelled.

>>> ds = new_dataset()
>>> ds.default_union
True
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import term_converter

__all__ = ["Quad", "add_quads", "new_dataset", "walk_labelled"]

#: A quad of rdflib terms; graph name None for the default graph.
Quad = tuple[Node, Node, Node, Node | None]


def walk_labelled(quads: Sequence[Quad]) -> list[Quad]:
    """The quads sorted (by graph, subject, predicate, object), blank nodes renamed b0, b1,
    ... in the order a breadth-first walk from the sorted quads reaches them.

    Linear in the quads however deeply blank nodes chain (no recursion), and the same
    labels for the same graph; for writers that must not nest blank nodes.

    >>> from rdflib import URIRef
    >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
    >>> x, y = BNode(), BNode()
    >>> [(s.n3(), o.n3()) for s, _, o, _ in walk_labelled([(y, p, a, None), (x, p, y, None)])]
    [('_:b0', '<https://example.org/a>'), ('_:b1', '_:b0')]
    """
    touching: dict[Node, list[Quad]] = {}
    for quad in quads:
        for term in (quad[0], quad[2], quad[3]):
            if isinstance(term, BNode):
                touching.setdefault(term, []).append(quad)
    labels: dict[Node, BNode] = {}

    def term_key(term: Node | None) -> str:
        if isinstance(term, BNode):
            return "_:" + labels[term] if term in labels else "_:~"  # not yet reached: ties
        return "" if term is None else term.n3()

    def key(quad: Quad) -> tuple[str, ...]:
        return tuple(term_key(t) for t in (quad[3], quad[0], quad[1], quad[2]))

    queue: deque[Node] = deque()

    def reach(found: Iterable[Quad]) -> None:
        for quad in sorted(found, key=key):
            for term in (quad[0], quad[2], quad[3]):
                if isinstance(term, BNode) and term not in labels:
                    labels[term] = BNode(f"b{len(labels)}")
                    queue.append(term)

    if touching:
        for quad in sorted(quads, key=key):
            reach([quad])
            while queue:
                reach(touching[queue.popleft()])
    renamed = [
        (labels.get(s, s), p, labels.get(o, o), None if g is None else labels.get(g, g))
        for s, p, o, g in quads
    ]
    return sorted(
        renamed, key=lambda q: ("" if q[3] is None else q[3].n3(), *(t.n3() for t in q[:3]))
    )


def new_dataset() -> Dataset:
    """Return an empty Dataset whose queries see every named graph, with kg's prefixes bound.

    >>> from rdflib import URIRef
    >>> ds = new_dataset()
    >>> ds.default_union, dict(ds.namespaces())["kgo"] == URIRef(PREFIXES["kgo"])
    (True, True)
    """
    dataset = Dataset(default_union=True)
    # rdflib binds ~30 vocabularies by default (brick:, sosa: ...); keep only the core ones.
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="core")
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri, override=True, replace=True)
    return dataset


def add_quads(dataset: Dataset, quads: Iterator[ox.Quad]) -> None:
    """Add pyoxigraph quads to an rdflib Dataset, each into its named graph.

    >>> ds = new_dataset()
    >>> add_quads(ds, iter([ox.Quad(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p"),
    ...                             ox.Literal("x"), ox.NamedNode("http://e.org/g"))]))
    >>> [str(g.identifier) for g in ds.graphs() if len(g)]
    ['http://e.org/g']
    """
    convert = term_converter()
    graphs: dict[object, Graph] = {}

    def graph_of(name: object) -> Graph:
        graph = graphs.get(name)
        if graph is None:
            if isinstance(name, ox.DefaultGraph):
                graph = dataset.default_graph
            else:
                graph = dataset.graph(convert(name))  # type: ignore[arg-type]
            graphs[name] = graph
        return graph

    dataset.addN(
        (convert(q.subject), convert(q.predicate), convert(q.object), graph_of(q.graph_name))
        for q in quads
    )
