"""Read the entities and relations of a ``kg`` graph into plain records for drawing.

:func:`graph_to_view` walks the graph once and returns a :class:`ViewData`: the
entity nodes (label, class, aliases, Wikidata link, documents) and the
relation edges between them, each with the qualified statements that support
it (evidence sentence, dates, status, role, confidence, source document).
Nothing here knows about HTML; :mod:`kg.viz.html` draws the records.

>>> from rdflib import Graph
>>> view = graph_to_view(Graph())
>>> view.nodes, view.edges, view.hidden
((), (), 0)
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.ontology import KGO, KGO_IRI
from kg.types import COARSE_CLASSES

__all__ = [
    "SYMMETRIC_PREDICATES",
    "ViewData",
    "ViewDocument",
    "ViewEdge",
    "ViewNode",
    "ViewStatement",
    "graph_to_view",
]

#: ``kgo:`` classes whose instances are not entities (they are drawn as data of entities).
NON_ENTITY_CLASSES = frozenset(
    {"Document", "Statement", "Observation", "Metric", "Status", "CueSet"}
)

#: ``kgo:`` properties between entities that are not drawn: the abstract super-property.
_NOT_DRAWN = frozenset({"relation"})

#: Relations that hold both ways; drawn as one edge without arrows.
SYMMETRIC_PREDICATES = frozenset({"partnersWith", "competesWith"})


_WIKIDATA = re.compile(r"https?://www\.wikidata\.org/(?:entity|wiki)/[A-Za-z0-9_:/-]+")

_STATUSES = frozenset({"planned", "ongoing", "ended"})


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
    """An entity: IRI, canonical name, class local name, aliases, Wikidata IRI, documents."""

    iri: str
    label: str
    cls: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    same_as: tuple[str, ...] = ()
    documents: tuple[ViewDocument, ...] = ()
    degree: int = 0


@dataclass(frozen=True, slots=True)
class ViewEdge:
    """A relation between two entities, with the statements that support it.

    For a symmetric predicate ``source`` is the smaller IRI of the two.
    """

    source: str
    target: str
    predicate: str  # kgo: local name
    statements: tuple[ViewStatement, ...] = ()

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


@dataclass(frozen=True, slots=True)
class ViewData:
    """What the HTML view draws: nodes and edges sorted by IRI; how many entities were left out."""

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    hidden: int = 0  # entities dropped by ``max_nodes``

    @property
    def classes(self) -> tuple[str, ...]:
        """The entity classes present, sorted."""
        return tuple(sorted({n.cls for n in self.nodes}))

    @property
    def predicates(self) -> tuple[str, ...]:
        """The relation predicates present, sorted."""
        return tuple(sorted({e.predicate for e in self.edges}))


# -- reading the graph ---------------------------------------------------------------------------


def _triples(graph: Graph) -> Iterator[tuple]:
    """Every triple of ``graph``; for a Dataset, of the union of all its graphs."""
    if isinstance(graph, ConjunctiveGraph | Dataset):
        for s, p, o, _ in graph.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from graph.triples((None, None, None))


class _Index:
    """subject -> predicate -> set of objects, built in one pass."""

    def __init__(self, triples: Iterable[tuple]) -> None:
        self.po: dict = defaultdict(lambda: defaultdict(set))
        for s, p, o in triples:
            self.po[s][p].add(o)

    def objects(self, s: object, p: URIRef) -> list:
        found = self.po.get(s)
        if not found or p not in found:
            return []
        return sorted(found[p], key=_sort_key)

    def first(self, s: object, p: URIRef) -> object | None:
        found = self.objects(s, p)
        return found[0] if found else None


def _sort_key(term: object) -> tuple[str, str]:
    return (type(term).__name__, str(term))


def _local(iri: object) -> str:
    text = str(iri)
    return re.split(r"[#/]", text.rstrip("/#"))[-1] or text


def _kgo_local(term: object) -> str | None:
    if isinstance(term, URIRef) and str(term).startswith(KGO_IRI):
        return str(term)[len(KGO_IRI) :]
    return None


def _text(term: object | None) -> str | None:
    return None if term is None else str(term)


def _int(term: object | None) -> int | None:
    if not isinstance(term, Literal):
        return None
    try:
        return int(str(term))
    except ValueError:
        return None


def _float(term: object | None) -> float | None:
    if not isinstance(term, Literal):
        return None
    try:
        value = float(Decimal(str(term)))
    except (InvalidOperation, ValueError):
        return None
    return value if math.isfinite(value) else None  # NaN and infinity are not JSON


def _status(term: object | None) -> str | None:
    if term is None:
        return None
    name = _local(term).strip().lower()
    return name if name in _STATUSES else None


def _specificity(cls: str) -> tuple[int, str]:
    """Sort key putting fine classes first, then coarse ones, then the root class ``Entity``."""
    return (2 if cls == "Entity" else 1 if cls in COARSE_CLASSES else 0, cls)


def _entity_class(index: _Index, subject: object) -> str | None:
    """The class an entity is drawn as, or None when the subject is not an entity."""
    classes = [_kgo_local(t) for t in index.objects(subject, RDF.type)]
    names = sorted((c for c in classes if c), key=_specificity)
    if not names or any(c in NON_ENTITY_CLASSES for c in names):
        return None
    return names[0]


def _document(index: _Index, iri: object, cache: dict[object, ViewDocument]) -> ViewDocument:
    if iri not in cache:
        cache[iri] = ViewDocument(
            iri=str(iri),
            id=_text(index.first(iri, DCTERMS.identifier)),
            title=_text(index.first(iri, DCTERMS.title)),
            date=_text(index.first(iri, DCTERMS.date)),
        )
    return cache[iri]


def _statement(index: _Index, iri: object, docs: dict[object, ViewDocument]) -> ViewStatement:
    def value(p: URIRef) -> object | None:
        return index.first(iri, p)

    source = value(PROV.wasDerivedFrom)
    return ViewStatement(
        iri=str(iri),
        evidence=_text(value(KGO.evidence)),
        evidence_start=_int(value(KGO.evidenceStart)),
        evidence_end=_int(value(KGO.evidenceEnd)),
        confidence=_float(value(KGO.confidence)),
        date=_text(value(KGO.date)),
        start=_text(value(KGO.startDate)),
        end=_text(value(KGO.endDate)),
        duration=_text(value(KGO.duration)),
        status=_status(value(KGO.status)),
        role=_text(value(KGO.role)),
        trigger=_text(value(KGO.trigger)),
        document=None if source is None else _document(index, source, docs),
    )


def _edge_key(s: str, predicate: str, o: str) -> tuple[str, str, str]:
    if predicate in SYMMETRIC_PREDICATES and o < s:
        s, o = o, s
    return (s, predicate, o)


def _statement_order(st: ViewStatement) -> tuple:
    doc = st.document
    return (
        (doc.date or "", doc.id or "", doc.iri) if doc else ("", "", ""),
        st.evidence_start if st.evidence_start is not None else -1,
        st.iri,
    )


def graph_to_view(graph: Graph, *, max_nodes: int | None = None) -> ViewData:
    """Read the entities and relations of ``graph`` for drawing.

    Args:
        graph: a ``kg`` graph; for an ``rdflib.Dataset`` the union of all its
            graphs is read.
        max_nodes: keep only this many entities, those with the most relations
            (ties broken by name); None keeps all.

    Returns:
        A :class:`ViewData` with nodes sorted by IRI and edges sorted by
        (source, predicate, target).

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ...     @prefix kgr: <https://w3id.org/kg-builder/resource/> .
    ...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...     kgr:xiaomi a kgo:Company ; rdfs:label "Xiaomi" ; kgo:basedIn kgr:beijing .
    ...     kgr:beijing a kgo:City .
    ... ''')
    >>> view = graph_to_view(g)
    >>> [(n.label, n.cls, n.degree) for n in view.nodes]
    [('beijing', 'City', 1), ('Xiaomi', 'Company', 1)]
    >>> [e.predicate for e in view.edges]
    ['basedIn']
    """
    index = _Index(_triples(graph))
    classes: dict[object, str] = {}
    for subject in index.po:
        cls = _entity_class(index, subject)
        if cls is not None and isinstance(subject, URIRef):
            classes[subject] = cls

    docs: dict[object, ViewDocument] = {}
    edges: dict[tuple[str, str, str], list[ViewStatement]] = {}
    for subject in sorted(classes, key=str):
        for p, objects in index.po[subject].items():
            predicate = _kgo_local(p)
            if predicate is None or predicate in _NOT_DRAWN:
                continue
            for o in objects:
                if o in classes:
                    edges.setdefault(_edge_key(str(subject), predicate, str(o)), [])
    statement_types = {KGO.Statement, RDF.Statement}
    for iri, props in index.po.items():
        if statement_types.isdisjoint(props.get(RDF.type, ())):
            continue
        s, p, o = (index.first(iri, t) for t in (RDF.subject, RDF.predicate, RDF.object))
        predicate = _kgo_local(p)
        if predicate is None or predicate in _NOT_DRAWN or s not in classes or o not in classes:
            continue
        key = _edge_key(str(s), predicate, str(o))
        edges.setdefault(key, []).append(_statement(index, iri, docs))

    degree = _degrees((s, o) for s, _, o in edges)

    keep = sorted(classes, key=str)
    hidden = 0
    if max_nodes is not None and len(keep) > max_nodes:
        ranked = sorted(keep, key=lambda n: (-degree[str(n)], _label(index, n), str(n)))
        keep = sorted(ranked[: max(max_nodes, 0)], key=str)
        hidden = len(classes) - len(keep)
    kept = {str(n) for n in keep}

    view_edges = tuple(
        ViewEdge(s, o, p, tuple(sorted(statements, key=_statement_order)))
        for (s, p, o), statements in sorted(edges.items())
        if s in kept and o in kept
    )
    shown_degree = _degrees((e.source, e.target) for e in view_edges)

    nodes = []
    for n in keep:
        same_as = tuple(str(t) for t in index.objects(n, OWL.sameAs) if isinstance(t, URIRef))
        wikidata = next((t for t in same_as if _WIKIDATA.fullmatch(t)), None)
        mentioned = index.objects(n, KGO.mentionedIn)
        documents = sorted(
            (_document(index, d, docs) for d in mentioned if isinstance(d, URIRef)),
            key=lambda d: (d.date or "", d.id or "", d.iri),
        )
        nodes.append(
            ViewNode(
                iri=str(n),
                label=_label(index, n),
                cls=classes[n],
                aliases=tuple(sorted({str(a) for a in index.objects(n, SKOS.altLabel)})),
                wikidata=wikidata,
                same_as=same_as,
                documents=tuple(documents),
                degree=shown_degree[str(n)],
            )
        )
    return ViewData(nodes=tuple(nodes), edges=view_edges, hidden=hidden)


def _degrees(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """How many edges touch each node (a loop counts once)."""
    degree: dict[str, int] = defaultdict(int)
    for s, o in pairs:
        degree[s] += 1
        if o != s:
            degree[o] += 1
    return degree


def _label(index: _Index, node: object) -> str:
    label = index.first(node, RDFS.label)
    return str(label) if label is not None else _local(node)
