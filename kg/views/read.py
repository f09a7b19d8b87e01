"""Read the entities and relations of a ``kg`` graph into plain records for drawing.

The one reader of a built graph for the views (the HTML view, kg analyze,
kg path, kg timeline, kg conflicts). :func:`graph_to_view` walks the graph
once and returns a :class:`~kg.views.model.ViewData`: the entity nodes (label,
class, aliases, Wikidata link, documents) and the relation edges between them,
each with the qualified statements that support it (evidence sentence, dates,
status, role, confidence, source document). It can then keep a part
(:mod:`kg.views.select`).

>>> from rdflib import Graph
>>> view = graph_to_view(Graph())
>>> view.nodes, view.edges, view.hidden
((), (), 0)
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS
from rdflib.term import Node

from kg.errors import ViewSelectionError
from kg.ontology import KGO
from kg.rdf.index import TripleIndex
from kg.types import COARSE_CLASSES
from kg.views.model import (
    NON_ENTITY_CLASSES,
    ViewData,
    ViewDocument,
    ViewEdge,
    ViewNode,
    ViewStatement,
    degrees,
    edge_key,
    kgo_local,
)
from kg.views.select import focus_view, limit_view, query_view

if TYPE_CHECKING:
    from kg.query import ParsedQuery

__all__ = [
    "PartsOverlapError",
    "ViewPart",
    "graph_to_view",
    "triples_to_view",
    "view_part",
]

#: ``kgo:`` properties between entities that are not drawn: the abstract super-property.
_NOT_DRAWN = frozenset({"relation"})

_WIKIDATA = re.compile(r"https?://www\.wikidata\.org/(?:entity|wiki)/[A-Za-z0-9_:/-]+")

_STATUSES = frozenset({"planned", "ongoing", "ended"})

_STATEMENT_TYPES = frozenset({KGO.Statement, RDF.Statement})


def _triples(graph: Graph) -> Iterator[tuple]:
    """Every triple of ``graph``; for a Dataset, of the union of all its graphs."""
    if isinstance(graph, ConjunctiveGraph | Dataset):
        for s, p, o, _ in graph.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from graph.triples((None, None, None))


def _local(iri: object) -> str:
    text = str(iri)
    return re.split(r"[#/]", text.rstrip("/#"))[-1] or text


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


def _entity_class(index: TripleIndex, subject: Node) -> str | None:
    """The class an entity is drawn as, or None when the subject is not an entity."""
    classes = [kgo_local(t) for t in index.objects(subject, RDF.type)]
    names = sorted((c for c in classes if c), key=_specificity)
    if not names or any(c in NON_ENTITY_CLASSES for c in names):
        return None
    return names[0]


def _document(index: TripleIndex, iri: Node, cache: dict[Node, ViewDocument]) -> ViewDocument:
    if iri not in cache:
        cache[iri] = ViewDocument(
            iri=str(iri),
            id=_text(index.first(iri, DCTERMS.identifier)),
            title=_text(index.first(iri, DCTERMS.title)),
            date=_text(index.first(iri, DCTERMS.date)),
        )
    return cache[iri]


def _statement(index: TripleIndex, iri: Node, docs: dict[Node, ViewDocument]) -> ViewStatement:
    def value(p: URIRef) -> Node | None:
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


def _statement_order(st: ViewStatement) -> tuple:
    doc = st.document
    return (
        (doc.date or "", doc.id or "", doc.iri) if doc else ("", "", ""),
        st.evidence_start if st.evidence_start is not None else -1,
        st.iri,
    )


@dataclass(frozen=True)
class ViewPart:
    """What one graph of a build adds to the view, read from that graph alone (:func:`view_part`).

    ``own`` are the subjects the graph types (its document, statements...), all
    of whose triples it holds: ``statements`` are read from them, with the
    ``documents`` among them (by IRI), and only ``triples``, those about other
    subjects (its entities), go with the other graphs' triples. Each
    statement comes with its subject, predicate (local name) and object, drawn
    when both are entities.
    """

    triples: tuple[tuple[URIRef, URIRef, URIRef], ...]
    own: frozenset[URIRef]
    statements: tuple[tuple[URIRef, str, URIRef, ViewStatement], ...]
    documents: tuple[tuple[URIRef, ViewDocument], ...]


def view_part(triples: Iterable[tuple]) -> ViewPart | None:
    """The :class:`ViewPart` of one graph's ``triples``; None when the graph is not one a
    part stands for (a subject it types is an entity, a statement's source is not among
    its subjects, or a term is neither an IRI nor a literal of its own subjects)."""
    index = TripleIndex(triples)
    typed = [s for s, props in index.by_subject.items() if props.get(RDF.type)]
    if not all(isinstance(s, URIRef) and _entity_class(index, s) is None for s in typed):
        return None
    own = frozenset(s for s in typed if isinstance(s, URIRef))
    docs: dict[Node, ViewDocument] = {}
    read: list[tuple[URIRef, str, URIRef, ViewStatement]] = []
    for iri in own:
        if _STATEMENT_TYPES.isdisjoint(index.by_subject[iri].get(RDF.type, ())):
            continue
        if index.first(iri, PROV.wasDerivedFrom) not in (None, *own):
            return None
        s, p, o = (index.first(iri, t) for t in (RDF.subject, RDF.predicate, RDF.object))
        predicate = kgo_local(p)
        if predicate is None or predicate in _NOT_DRAWN:
            continue
        if isinstance(s, URIRef) and isinstance(o, URIRef):  # else never between entities
            read.append((s, predicate, o, _statement(index, iri, docs)))
    other: list[tuple[URIRef, URIRef, URIRef]] = []
    for subject, props in index.by_subject.items():
        for p, objects in () if subject in own else props.items():
            for o in objects:
                if not (isinstance(subject, URIRef) and isinstance(p, URIRef)):
                    return None
                if not isinstance(o, URIRef):
                    return None
                other.append((subject, p, o))
    documents = [(s, _document(index, s, docs)) for s in own if _documented(index, s)]
    return ViewPart(
        tuple(sorted(other)),
        own,
        tuple(sorted(read, key=lambda r: r[3].iri)),
        tuple(sorted(documents, key=lambda d: d[1].iri)),
    )


def _documented(index: TripleIndex, subject: Node) -> bool:
    """Whether :func:`_document` reads anything of ``subject``."""
    found = index.by_subject[subject]
    return any(p in found for p in (DCTERMS.identifier, DCTERMS.title, DCTERMS.date))


class PartsOverlapError(ValueError):
    """Parts of a view (:class:`ViewPart`) own a subject another graph also describes."""


def _parts_index(triples: Iterable[tuple], parts: Sequence[ViewPart]) -> TripleIndex:
    """The index of ``triples`` and of the triples of ``parts`` about subjects they do not own.

    Raises:
        PartsOverlapError: a subject a part owns is described elsewhere too.
    """
    index = TripleIndex(itertools.chain(triples, *(part.triples for part in parts)))
    owned: set[URIRef] = set()
    for part in parts:
        if not owned.isdisjoint(part.own) or any(s in index.by_subject for s in part.own):
            raise PartsOverlapError("a graph's own subject is described by another graph")
        owned |= part.own
    return index


def _edges(
    index: TripleIndex,
    classes: dict[Node, str],
    docs: dict[Node, ViewDocument],
    parts: Sequence[ViewPart] = (),
) -> tuple[ViewEdge, ...]:
    """The relations between the entities of ``classes``: stated as triples, or by statements
    (read from the index, or from ``parts``)."""
    edges: dict[tuple[str, str, str], list[ViewStatement]] = {}
    stated: Counter[tuple[str, str, str]] = Counter()  # edge -> the triples stating it
    for subject in sorted(classes, key=str):
        for p, objects in index.by_subject[subject].items():
            predicate = kgo_local(p)
            if predicate is None or predicate in _NOT_DRAWN:
                continue
            for o in objects:
                if o in classes:
                    key = edge_key(str(subject), predicate, str(o))
                    edges.setdefault(key, [])
                    stated[key] += 1
    for part in parts:
        for subject, drawn, target, statement in part.statements:
            if subject in classes and target in classes:
                key = edge_key(str(subject), drawn, str(target))
                edges.setdefault(key, []).append(statement)
    for iri, props in index.by_subject.items():
        if _STATEMENT_TYPES.isdisjoint(props.get(RDF.type, ())):
            continue
        subj, pred, obj = (index.first(iri, t) for t in (RDF.subject, RDF.predicate, RDF.object))
        predicate = kgo_local(pred)
        if predicate is None or predicate in _NOT_DRAWN or not {subj, obj} <= classes.keys():
            continue
        key = edge_key(str(subj), predicate, str(obj))
        edges.setdefault(key, []).append(_statement(index, iri, docs))
    return tuple(
        ViewEdge(s, o, p, tuple(sorted(statements, key=_statement_order)), stated[s, p, o])
        for (s, p, o), statements in sorted(edges.items())
    )


def _read(triples: Iterable[tuple], parts: Sequence[ViewPart] = ()) -> ViewData:
    """Every entity and relation of a graph's ``triples`` (in any order, repeats or not) and
    of the graphs ``parts`` stand for (:class:`ViewPart`; see :func:`_parts_index`)."""
    index = _parts_index(triples, parts)
    classes: dict[Node, str] = {}
    for subject in index.by_subject:
        cls = _entity_class(index, subject)
        if cls is not None and isinstance(subject, URIRef):
            classes[subject] = cls
    docs: dict[Node, ViewDocument] = {iri: doc for part in parts for iri, doc in part.documents}
    view_edges = _edges(index, classes, docs, parts)
    degree = degrees((e.source, e.target) for e in view_edges)

    nodes = []
    for n in sorted(classes, key=str):
        same_as = tuple(
            str(t) for t in index.sorted_objects(n, OWL.sameAs) if isinstance(t, URIRef)
        )
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
                degree=degree[str(n)],
                total_degree=degree[str(n)],
            )
        )
    return ViewData(nodes=tuple(nodes), edges=view_edges)


def triples_to_view(
    triples: Iterable[tuple], *, parts: Sequence[ViewPart] = (), max_nodes: int | None = None
) -> ViewData:
    """:func:`graph_to_view` of the graph ``triples`` make (any order, repeats or not), without
    making it: a build hands the triples of its graph files over as it writes them.

    >>> from kg.ontology import KGO_IRI
    >>> a, b = URIRef(KGO_IRI + "a"), URIRef(KGO_IRI + "b")
    >>> view = triples_to_view([(a, RDF.type, KGO.Company), (a, KGO.basedIn, b),
    ...                         (b, RDF.type, KGO.City), (a, KGO.basedIn, b)])
    >>> [e.predicate for e in view.edges]
    ['basedIn']
    """
    view = _read(triples, parts)
    return view if max_nodes is None else limit_view(view, max_nodes)


def graph_to_view(
    graph: Graph,
    *,
    focus: str | None = None,
    depth: int = 1,
    query: str | ParsedQuery | None = None,
    max_nodes: int | None = None,
) -> ViewData:
    """Read the entities and relations of ``graph`` for drawing, all or a part.

    Args:
        graph: a ``kg`` graph; for an ``rdflib.Dataset`` the union of all its
            graphs is read.
        focus: draw only this entity (a name, an alias or an IRI) and its
            neighbourhood; see :func:`focus_view`.
        depth: how many relations away from ``focus`` to go.
        query: draw only what this SPARQL ``CONSTRUCT`` or ``SELECT`` chooses;
            see :func:`query_view`. Not together with ``focus``.
        max_nodes: then keep at most this many entities, the most connected
            (nearest the focus first); None keeps all. See :func:`limit_view`.

    Returns:
        A :class:`ViewData` with nodes sorted by IRI and edges sorted by
        (source, predicate, target).

    Raises:
        ViewSelectionError: ``focus`` names no entity, ``query`` selects
            none, or both are given.
        QueryError, UnsafeQueryError: ``query`` is not valid, read-only SPARQL.

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
    >>> [n.label for n in graph_to_view(g, focus="xiaomi", depth=0).nodes]
    ['Xiaomi']
    """
    if focus is not None and query is not None:
        raise ViewSelectionError(
            "give --focus or --query, not both: a query can select the neighbourhood itself."
        )
    view = _read(_triples(graph))
    if focus is not None:
        view = focus_view(view, focus, depth=depth)
    elif query is not None:
        view = query_view(view, graph, query)
    if max_nodes is not None:
        view = limit_view(view, max_nodes)
    return view


# -- choosing what to draw -----------------------------------------------------------------------


def _label(index: TripleIndex, node: Node) -> str:
    label = index.first(node, RDFS.label)
    return str(label) if label is not None else _local(node)
