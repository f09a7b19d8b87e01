"""The records the views draw: entities, relations, their statements and source documents.

:class:`ViewData` holds :class:`ViewNode` entities and :class:`ViewEdge`
relations, each edge with the :class:`ViewStatement` records behind it.
:mod:`kg.views.read` reads them from a graph, :mod:`kg.views.select` chooses a
part, :mod:`kg.views.html` draws them. Nothing here knows about RDF files or HTML.

>>> ViewEdge("a", "b", "partnersWith").symmetric
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from kg.ontology import KGO_IRI, SYMMETRIC_PREDICATES

__all__ = [
    "NON_ENTITY_CLASSES",
    "SYMMETRIC_PREDICATES",
    "ViewData",
    "ViewDocument",
    "ViewEdge",
    "ViewNode",
    "ViewStatement",
    "degrees",
    "edge_key",
    "kgo_local",
]

#: ``kgo:`` classes whose instances are not entities (they are drawn as data of entities).
NON_ENTITY_CLASSES = frozenset(
    {
        "Document",
        "Statement",
        "Observation",
        "Metric",
        "Status",
        "CueSet",
        "Fact",
        "QuarantinedTriple",
    }
)


@dataclass(frozen=True, slots=True)
class ViewDocument:
    """A source article: its IRI, ``dcterms:identifier``, title and date."""

    iri: str
    id: str | None = None
    title: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class ViewStatement:
    """One qualified statement behind an edge: what one document says about it."""

    iri: str
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    confidence: float | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    duration: str | None = None
    status: str | None = None  # "planned", "ongoing" or "ended"
    role: str | None = None
    trigger: str | None = None
    document: ViewDocument | None = None


@dataclass(frozen=True, slots=True)
class ViewNode:
    """An entity: IRI, canonical name, class local name, aliases, Wikidata IRI, documents.

    ``degree`` counts the relations drawn, ``total_degree`` those in the whole
    graph; ``hops`` is the distance from the focus entity of :func:`focus_view`.
    """

    iri: str
    label: str
    cls: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    same_as: tuple[str, ...] = ()
    documents: tuple[ViewDocument, ...] = ()
    degree: int = 0
    total_degree: int = 0
    hops: int | None = None

    @property
    def hidden_relations(self) -> int:
        """How many of the entity's relations lead to entities that are not drawn.

        >>> ViewNode("x", "X", "Company", degree=2, total_degree=5).hidden_relations
        3
        """
        return max(self.total_degree - self.degree, 0)


@dataclass(frozen=True, slots=True)
class ViewEdge:
    """A relation between two entities, with the statements that support it.

    For a symmetric predicate ``source`` is the smaller IRI of the two.
    ``triples`` counts the triples of the graph that state the relation: 2 for
    a symmetric one stated both ways (as an inferred graph states it), 0 when
    only statements name it.
    """

    source: str
    target: str
    predicate: str  # kgo: local name
    statements: tuple[ViewStatement, ...] = ()
    triples: int = 1

    @property
    def symmetric(self) -> bool:
        """Whether the relation holds both ways (``partnersWith``, ``competesWith``)."""
        return self.predicate in SYMMETRIC_PREDICATES

    @property
    def status(self) -> str | None:
        """``"ended"`` if any statement says so, ``"planned"`` if every statement does, else None.

        >>> planned = ViewStatement("s1", status="planned")
        >>> ViewEdge("a", "b", "operatesIn", (planned,)).status
        'planned'
        >>> ViewEdge("a", "b", "operatesIn", (planned, ViewStatement("s2"))).status is None
        True
        """
        statuses = {s.status for s in self.statements}
        if "ended" in statuses:
            return "ended"
        if statuses == {"planned"}:
            return "planned"
        return None

    @property
    def best(self) -> ViewStatement | None:
        """The statement to show for the relation: the most confident, then the earliest document.

        >>> edge = ViewEdge("a", "b", "sells", (ViewStatement("s1", confidence=0.6),
        ...                                      ViewStatement("s2", confidence=0.9)))
        >>> edge.best.iri
        's2'
        """
        if not self.statements:
            return None
        return min(
            self.statements,
            key=lambda s: (
                -(s.confidence or 0.0),
                (s.document.date or "9999") if s.document else "9999",
                s.iri,
            ),
        )


@dataclass(frozen=True, slots=True)
class ViewData:
    """What the HTML view draws: nodes sorted by IRI, edges by (source, predicate, target).

    ``hidden`` counts the entities of the graph that are not drawn and
    ``hidden_classes`` splits that count by class (most first); ``notes`` say,
    in sentences for people, how the drawn part was chosen; ``focus`` is the
    IRI of the entity :func:`focus_view` centred on.
    """

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    hidden: int = 0
    hidden_classes: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = ()
    focus: str | None = None

    @property
    def classes(self) -> tuple[str, ...]:
        """The entity classes present, sorted."""
        return tuple(sorted({n.cls for n in self.nodes}))

    @property
    def predicates(self) -> tuple[str, ...]:
        """The relation predicates present, sorted."""
        return tuple(sorted({e.predicate for e in self.edges}))

    @property
    def total(self) -> int:
        """How many entities the whole graph holds, drawn or not."""
        return len(self.nodes) + self.hidden


def kgo_local(term: object) -> str | None:
    """The local name of a ``kgo:`` term, or None for any other term."""
    if isinstance(term, URIRef) and str(term).startswith(KGO_IRI):
        return str(term)[len(KGO_IRI) :]
    return None


def edge_key(s: str, predicate: str, o: str) -> tuple[str, str, str]:
    """The key of an edge; a symmetric predicate's smaller IRI comes first."""
    if predicate in SYMMETRIC_PREDICATES and o < s:
        s, o = o, s
    return (s, predicate, o)


def degrees(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """How many edges touch each node (a loop counts once)."""
    degree: dict[str, int] = defaultdict(int)
    for s, o in pairs:
        degree[s] += 1
        if o != s:
            degree[o] += 1
    return degree
