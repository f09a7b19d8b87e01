"""The triples of a graph indexed by subject, then predicate: read once, then looked up.

The readers of a built graph, the views' (:mod:`kg.views.read`) and the
scorer's (:mod:`kg.eval.matching`), walk it through one :class:`TripleIndex`
rather than rdflib's store: one pass over the triples, then dictionary look-ups.

>>> from rdflib import URIRef
>>> a, p, b, c = (URIRef("https://example.org/" + x) for x in "apbc")
>>> index = TripleIndex([(a, p, c), (a, p, b), (a, p, c)])
>>> [str(o)[-1] for o in index.objects(a, p)], str(index.first(a, p))[-1]
(['c', 'b'], 'b')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib.term import Node

__all__ = ["TripleIndex"]


def _sort_key(term: Node) -> tuple[str, str]:
    return (type(term).__name__, str(term))


class TripleIndex:
    """subject -> predicate -> objects, each in the order first read (repeats read once)."""

    __slots__ = ("by_subject",)

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        by_subject: defaultdict[Node, defaultdict[Node, dict[Node, None]]]
        by_subject = defaultdict(lambda: defaultdict(dict))
        for s, p, o in triples:
            by_subject[s][p][o] = None
        self.by_subject: dict[Node, dict[Node, dict[Node, None]]] = dict(by_subject)

    def objects(self, s: Node, p: Node) -> list[Node]:
        """The objects of ``s`` and ``p`` in the order read, as rdflib's memory store gives them."""
        found = self.by_subject.get(s)
        return list(found[p]) if found is not None and p in found else []

    def value(self, s: Node, p: Node) -> Node | None:
        """The first object read of ``s`` and ``p`` (rdflib's ``Graph.value``), or None."""
        found = self.by_subject.get(s)
        return next(iter(found[p])) if found is not None and p in found else None

    def sorted_objects(self, s: Node, p: Node) -> list[Node]:
        """The objects of ``s`` and ``p`` by kind of term, then text: the same whatever the order
        read."""
        objects = self.objects(s, p)
        return objects if len(objects) < 2 else sorted(objects, key=_sort_key)

    def first(self, s: Node, p: Node) -> Node | None:
        """The first of :meth:`sorted_objects`, or None."""
        objects = self.objects(s, p)
        return min(objects, key=_sort_key) if objects else None

    def subjects(self, p: Node, o: Node) -> list[Node]:
        """The subjects that have ``o`` for ``p``, in the order read."""
        return [s for s, found in self.by_subject.items() if p in found and o in found[p]]

    def predicates(self, s: Node, o: Node) -> list[Node]:
        """The predicates from ``s`` to ``o``, in the order read."""
        found = self.by_subject.get(s, {})
        return [p for p, objects in found.items() if o in objects]
