"""Check results kept between builds, so ``kg add`` checks only the graphs that changed.

A document graph's check (:func:`~kg.graph.validate.check_document`) depends only on
its triples and the descriptions it reads, so its result is kept under a
digest of exactly those (:func:`check_key`): the positions of the triples it
set aside, with the reasons. An unchanged graph gets the same key and its
result is replayed; a changed one, or one whose entities' descriptions
changed, gets another key and is checked again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.graph.records import Triple
from kg.graph.validate.quarantine import (
    QuarantinedTriple,
    check_document,
    described_nodes,
    walk_described,
)
from kg.memo import Memo
from kg.ontology import ontology_dir

__all__ = ["CheckMemo", "check_key", "check_salt", "graph_roots"]

#: Raise when the check or what is kept of it changes meaning.
VERSION = 1

#: One kept result: (position of a triple set aside, its reasons, the shapes it broke).
Entry = tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]


def _term(term: Node) -> str:
    if isinstance(term, Literal):
        return f"L{term}\x02{term.datatype or ''}\x02{term.language or ''}"
    return f"{'B' if isinstance(term, BNode) else 'U'}{term}"


def _lines(triples: Sequence[Triple]) -> bytes:
    return "\x1e".join(f"{_term(s)}\x1f{_term(p)}\x1f{_term(o)}" for s, p, o in triples).encode()


class CheckMemo(Memo):
    """Check results of an earlier build and of this one, by :func:`check_key`."""

    def __init__(self, known: Mapping[str, Any] | None = None) -> None:
        super().__init__(known)
        self._digests: dict[Node, bytes] = {}
        # The described IRIs of the descriptions last read, by text (replay_clean).
        self._described: tuple[object, dict[str, Node]] = (None, {})

    def check(
        self,
        name: URIRef,
        triples: list[Triple],
        descriptions: Mapping[Node, Sequence[Triple]],
        *,
        content: bytes | None = None,
    ) -> tuple[list[Triple], list[QuarantinedTriple], str]:
        """:func:`~kg.graph.validate.check_document`, replayed when the same check was kept; the
        result is kept in ``made`` under the key this returns too (``content``: as for
        :func:`check_key`)."""
        key = check_key(name, triples, descriptions, self._digests, content=content)
        replayed = _replay(name, triples, self.known.get(key))
        if replayed is not None:
            self.put(key, self.known[key])
            return (*replayed, key)
        kept, records = check_document(name, triples, descriptions)
        self.put(key, _entry(triples, records))
        return kept, records, key

    def replay_clean(
        self,
        name: URIRef,
        content: bytes,
        roots: Sequence[str],
        descriptions: Mapping[Node, Sequence[Triple]],
    ) -> str | None:
        """The key of a kept check that set nothing aside, for a graph known by its ``content``
        (as for :func:`check_key`) and its :func:`graph_roots` (IRIs), without its triples;
        kept again. None when there is no such check: the graph must be made and checked.

        Only the roots that have a description count: the others add nothing to the key
        and push no node on the walk (:func:`described_nodes`), so it starts from those.
        """
        if self._described[0] is not descriptions:
            named: dict[str, Node] = {
                str(n): n for n, d in descriptions.items() if d and isinstance(n, URIRef)
            }
            self._described = (descriptions, named)
            self._digests.clear()  # those of other descriptions
        named = self._described[1]
        start: list[Node] = [named[root] for root in roots if root in named]
        nodes = walk_described(start, descriptions)
        key = _digest(name, b"\x1c" + content, nodes, descriptions, self._digests)
        entry = self.known.get(key)
        if not isinstance(entry, (list, tuple)) or entry:
            return None
        self.put(key, entry)
        return key


def graph_roots(triples: Sequence[Triple]) -> list[Node] | None:
    """The nodes a check of ``triples`` starts from (:func:`described_nodes`), each once, in
    an order that walks as they do: what :meth:`CheckMemo.replay_clean` needs of a graph
    instead of its triples. None if one is not an IRI (not kept)."""
    last: dict[Node, int] = {}
    for i, node in enumerate(n for s, _, o in triples for n in (s, o)):
        if not isinstance(node, Literal):
            last[node] = i  # the walk pops from the end: the last time a node comes counts
    roots = sorted(last, key=last.__getitem__)
    return roots if all(isinstance(n, URIRef) for n in roots) else None


def check_key(
    name: URIRef,
    triples: Sequence[Triple],
    descriptions: Mapping[Node, Sequence[Triple]],
    digests: dict[Node, bytes] | None = None,
    *,
    content: bytes | None = None,
) -> str:
    """A digest of what checking ``triples`` reads: the graph, its triples in order, and the
    descriptions of the nodes they name (``digests`` keeps each node's, by node).

    ``content``, when given, stands for the triples: a serialization of them
    that no other list of triples has (such as the Turtle of sorted distinct
    triples, :func:`kg.rdf.trig.graph_piece`), cheaper than making another.

    >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
    >>> g = URIRef("https://example.org/g")
    >>> check_key(g, [(a, p, a)], {}) == check_key(g, [(a, p, a)], {a: [(a, p, Literal(1))]})
    False
    """
    digests = {} if digests is None else digests
    own = _lines(triples) if content is None else b"\x1c" + content
    # the nodes in an order fixed by the content
    return _digest(name, own, described_nodes(triples, descriptions), descriptions, digests)


def _digest(
    name: URIRef,
    own: bytes,
    nodes: Sequence[Node],
    descriptions: Mapping[Node, Sequence[Triple]],
    digests: dict[Node, bytes],
) -> str:
    """:func:`check_key` of a graph's ``own`` bytes and the ``nodes`` its check reads."""
    digest = hashlib.sha256(f"{VERSION}\x1d{name}\x1d".encode() + own)
    for node in nodes:
        described = descriptions.get(node)
        if described:
            if node not in digests:
                digests[node] = hashlib.sha256(_lines(described)).digest()
            digest.update(digests[node])
    return digest.hexdigest()[:32]


def _entry(triples: Sequence[Triple], records: Sequence[QuarantinedTriple]) -> Entry:
    where = {t: i for i, t in reversed(list(enumerate(triples)))}
    return tuple((where[r.triple], r.reasons, tuple(str(u) for u in r.rules)) for r in records)


def _replay(
    name: URIRef, triples: list[Triple], entry: object
) -> tuple[list[Triple], list[QuarantinedTriple]] | None:
    """A kept check's result on ``triples``; None if there is none or it does not fit them."""
    if not isinstance(entry, (list, tuple)):
        return None
    try:
        records = [
            QuarantinedTriple(triples[i], name, tuple(map(str, why)), tuple(map(URIRef, rules)))
            for i, why, rules in entry
            if isinstance(i, int) and i >= 0
        ]
    except (TypeError, ValueError, IndexError):
        return None
    if len(records) != len(entry):
        return None
    faulted = {r.triple for r in records}
    return [t for t in triples if t not in faulted], records


def check_salt() -> str:
    """What the kept results hold for: kg's version, the ontology and shapes files and the
    code of the check (so that a change to any of them checks every graph again)."""
    from kg import __version__

    here = Path(__file__).parent
    files = [ontology_dir() / "kgo.ttl", ontology_dir() / "shapes.ttl", *sorted(here.glob("*.py"))]
    digest = hashlib.sha256(f"{__version__}\x1d{VERSION}".encode())
    for path in files:
        digest.update(b"\x1d" + path.read_bytes())
    return digest.hexdigest()[:32]
