"""Time and disagreement: an entity's dated statements in order, and statements that conflict.

:func:`timeline` lists the statements about one entity that carry a date
(``kgo:date``, ``kgo:startDate`` or ``kgo:endDate``) in date order, with the
other entity, status, evidence and document of each. :func:`conflicts`
reports statements that cannot all be true, each with both sources:

- ``figure``: documents give different values for one entity, metric,
  period, place, segment and unit (beyond a relative ``tolerance``); one
  conflict per figure, between the lowest and the highest value;
- ``order``: a sanction lifted before any sanction on the organization was
  imposed, while one was imposed later;
- ``status``: one document says a relation ended, another, not older, that
  it is ongoing or planned;
- ``dates``: one document has a relation start after another says it ended;
- ``cycle``: two organizations are each other's subsidiary.

Dates are compared at the precision both have: ``2021`` is not before
``2021-03``, and a quarter covers its three months.

>>> date_range("2018-Q2"), date_range("2018"), date_range("2018-04-05")
(('2018-04-01', '2018-06-30'), ('2018-01-01', '2018-12-31'), ('2018-04-05', '2018-04-05'))
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from kg.ontology import KGO, KGO_IRI
from kg.views.analyze import entity_view
from kg.views.model import (
    ViewData,
    ViewDocument,
    ViewEdge,
    ViewNode,
    ViewStatement,
)
from kg.views.select import find_entity

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-Q([1-4]))?$")


def date_range(value: str | None) -> tuple[str, str] | None:
    """The first and last day a date of kg's covers (year, month, day or quarter), or None.

    >>> date_range("2021-02"), date_range("March"), date_range(None)
    (('2021-02-01', '2021-02-28'), None, None)
    """
    match = _DATE.match(value or "")
    if not match:
        return None
    year, month, day, quarter = match.groups()
    y = int(year)
    if day:
        return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
    if month:
        last = calendar.monthrange(y, int(month))[1]
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    if quarter:
        first_month = 3 * int(quarter) - 2
        last = calendar.monthrange(y, first_month + 2)[1]
        return f"{year}-{first_month:02d}-01", f"{year}-{first_month + 2:02d}-{last:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def before(a: str | None, b: str | None) -> bool:
    """Whether date ``a`` is surely before date ``b`` (all of ``a`` ends before ``b`` starts).

    >>> before("2021-01", "2021-03-15"), before("2021", "2021-03"), before("2021-Q1", "2021-04")
    (True, False, True)
    """
    ra, rb = date_range(a), date_range(b)
    return ra is not None and rb is not None and ra[1] < rb[0]


#################################################################
# Timelines
#################################################################


@dataclass(frozen=True, slots=True)
class Event:
    """A dated statement about an entity, seen from that entity.

    ``when`` is the date that orders it (the statement's date, else its start,
    else its end); ``outgoing`` is True when the entity is the subject.
    """

    when: str | None
    predicate: str
    outgoing: bool
    other: ViewNode
    statement: ViewStatement


@dataclass(frozen=True)
class Timeline:
    """An entity's events in date order, then (when asked for) its undated statements."""

    entity: ViewNode
    events: tuple[Event, ...]
    undated: tuple[Event, ...] = ()
    notes: tuple[str, ...] = ()


def _events(view: ViewData, iri: str) -> Iterator[Event]:
    nodes = {n.iri: n for n in view.nodes}
    for edge in view.edges:
        if iri not in (edge.source, edge.target) or edge.source == edge.target:
            continue
        outgoing = edge.source == iri
        other = nodes[edge.target if outgoing else edge.source]
        for st in edge.statements:
            when = st.date or st.start or st.end
            yield Event(when, edge.predicate, outgoing or edge.symmetric, other, st)


def _event_order(event: Event) -> tuple[str, str, str, str, int, str]:
    span = date_range(event.when)
    doc = event.statement.document
    return (
        span[0] if span else "9999",
        span[1] if span else "9999",
        (doc.date or "") if doc else "",
        (doc.id or doc.iri) if doc else "",
        event.statement.evidence_start or 0,
        event.statement.iri,
    )


def timeline(graph: Graph | Dataset | ViewData, name: str, *, undated: bool = False) -> Timeline:
    """The dated statements about an entity, earliest first.

    ``name`` is a name, alias or IRI, matched as ``kg viz --focus`` matches it.
    Events are ordered by the start of the period their date covers, then its
    end (so ``2018`` comes before ``2018-03``), then by document. With
    ``undated``, the statements without a date are returned too, in document
    order.

    Raises:
        ViewSelectionError: the name matches no entity.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ... @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... @prefix ex: <https://example.org/> .
    ... ex:acme a kgo:Company ; rdfs:label "Acme" ; kgo:operatesIn ex:fr, ex:de .
    ... ex:fr a kgo:Country ; rdfs:label "France" .
    ... ex:de a kgo:Country ; rdfs:label "Germany" .
    ... ex:s1 a kgo:Statement ; rdf:subject ex:acme ; rdf:predicate kgo:operatesIn ;
    ...     rdf:object ex:fr ; kgo:startDate "2019" .
    ... ex:s2 a kgo:Statement ; rdf:subject ex:acme ; rdf:predicate kgo:operatesIn ;
    ...     rdf:object ex:de ; kgo:startDate "2017-05" .
    ... ''')
    >>> [(e.when, e.other.label) for e in timeline(g, "Acme").events]
    [('2017-05', 'Germany'), ('2019', 'France')]
    """
    view = entity_view(graph)
    entity, why = find_entity(view, name)
    events = sorted(_events(view, entity.iri), key=_event_order)
    dated = tuple(e for e in events if date_range(e.when) is not None)
    rest = tuple(e for e in events if date_range(e.when) is None) if undated else ()
    return Timeline(entity, dated, rest, (why,) if why else ())


#################################################################
# Conflicts
#################################################################


@dataclass(frozen=True, slots=True)
class Side:
    """One source of a conflict: what it claims, where (document, evidence) and the node."""

    claim: str
    document: ViewDocument | None
    evidence: str | None
    node: str  # the statement's or observation's IRI


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two sources that cannot both be right."""

    kind: str  # figure, order, status, dates, cycle
    about: str  # what they disagree on, in words
    first: Side
    second: Side


def conflicts(
    graph: Graph | Dataset, *, tolerance: float = 0.01, view: ViewData | None = None
) -> list[Conflict]:
    """The statements and figures of a graph that contradict each other, with both sources.

    Parameters:
        graph: a kg graph (a Dataset is read as the union of its graphs).
        tolerance: figures closer than this share of the larger value agree
            (rounding: "30%" and "30.3%").
        view: the graph already read by :func:`kg.views.read.graph_to_view`.

    Returns:
        Conflicts sorted by kind, then what they are about.

    >>> from rdflib import Graph
    >>> conflicts(Graph())
    []
    """
    view = entity_view(view if view is not None else graph)
    found = [
        *_figure_conflicts(graph, view, tolerance),
        *_order_conflicts(view),
        *_status_conflicts(view),
        *_date_conflicts(view),
        *_cycles(view),
    ]
    return sorted(set(found), key=lambda c: (c.kind, c.about, c.first.node, c.second.node))


def _name(view: ViewData) -> dict[str, str]:
    return {n.iri: n.label for n in view.nodes}


def _relation(names: dict[str, str], edge: ViewEdge) -> str:
    return f"{names.get(edge.source)} {edge.predicate} {names.get(edge.target)}"


def _side(st: ViewStatement, claim: str) -> Side:
    return Side(claim, st.document, st.evidence, st.iri)


def _doc_key(doc: ViewDocument | None) -> str:
    return "" if doc is None else doc.iri


# -- figures


@dataclass(frozen=True, slots=True)
class _Figure:
    node: str
    entity: str
    metric: str
    value: Decimal
    unit: str
    period: str
    place: str
    segment: str
    document: ViewDocument | None
    evidence: str | None


def _figures(graph: Graph | Dataset, view: ViewData) -> Iterator[_Figure]:
    docs = {s.document.iri: s.document for e in view.edges for s in e.statements if s.document}
    for node in sorted(set(graph.subjects(RDF.type, KGO.Observation)), key=str):

        def one(prop: URIRef, node: Node = node) -> Node | None:
            return graph.value(node, prop)

        entity, metric, value, unit = (
            one(KGO.observedEntity),
            one(KGO.metric),
            one(KGO.value),
            one(KGO.unit),
        )
        period = one(KGO.period)
        if entity is None or metric is None or not isinstance(value, Literal) or period is None:
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            continue
        source = one(PROV.wasDerivedFrom)
        doc = docs.get(str(source)) if source is not None else None
        if doc is None and source is not None:
            title, date, ident = (
                graph.value(source, p)
                for p in (
                    URIRef("http://purl.org/dc/terms/title"),
                    URIRef("http://purl.org/dc/terms/date"),
                    URIRef("http://purl.org/dc/terms/identifier"),
                )
            )
            doc = ViewDocument(
                str(source),
                id=str(ident) if ident is not None else None,
                title=str(title) if title is not None else None,
                date=str(date) if date is not None else None,
            )
        evidence = one(KGO.evidence)
        yield _Figure(
            node=str(node),
            entity=str(entity),
            metric=str(metric).removeprefix(KGO_IRI),
            value=number,
            unit=str(unit or ""),
            period=str(period),
            place=str(one(KGO.place) or ""),
            segment=str(one(KGO.segment) or ""),
            document=doc,
            evidence=str(evidence) if evidence is not None else None,
        )


def _differ(a: Decimal, b: Decimal, tolerance: float) -> bool:
    largest = max(abs(a), abs(b))
    return largest != 0 and abs(a - b) / largest > Decimal(str(tolerance))


def _figure_conflicts(
    graph: Graph | Dataset, view: ViewData, tolerance: float
) -> Iterator[Conflict]:
    names = _name(view)
    groups: dict[tuple[str, ...], list[_Figure]] = defaultdict(list)
    for figure in _figures(graph, view):
        key = (figure.entity, figure.metric, figure.period, figure.place, figure.segment)
        groups[(*key, figure.unit)].append(figure)
    for (entity, metric, period, place, segment, unit), figures in sorted(groups.items()):
        figures.sort(key=lambda f: (f.value, _doc_key(f.document), f.node))
        low, high = figures[0], figures[-1]
        documents = {_doc_key(f.document) for f in figures}
        if len(documents) < 2 or not _differ(low.value, high.value, tolerance):
            continue
        if _doc_key(low.document) == _doc_key(high.document):
            # the spread is within one document: compare with another source's figure
            high = next(
                f for f in reversed(figures) if _doc_key(f.document) != _doc_key(low.document)
            )
            if not _differ(low.value, high.value, tolerance):
                continue
        where = ", ".join(x for x in (names.get(place, ""), segment) if x)
        about = (
            f"{names.get(entity, entity)}: {metric} for {period}"
            + (f" ({where})" if where else "")
            + f" in {unit}"
        )
        if len(figures) > 2:
            about += f", {len(figures)} figures from {len(documents)} documents"
        yield Conflict(
            "figure",
            about,
            Side(f"{low.value} {unit}", low.document, low.evidence, low.node),
            Side(f"{high.value} {unit}", high.document, high.evidence, high.node),
        )


# -- sanctions lifted before they were imposed


def _when(st: ViewStatement) -> str | None:
    return st.date or st.start


def _order_conflicts(view: ViewData) -> Iterator[Conflict]:
    names = _name(view)
    imposed: dict[str, list[tuple[ViewEdge, ViewStatement]]] = defaultdict(list)
    lifted: dict[str, list[tuple[ViewEdge, ViewStatement]]] = defaultdict(list)
    for edge in view.edges:
        target = {"sanctions": imposed, "liftsSanctionOn": lifted}.get(edge.predicate)
        if target is not None:
            for st in edge.statements:
                if date_range(_when(st)) is not None:
                    target[edge.target].append((edge, st))
    for org in sorted(set(imposed) & set(lifted)):
        for lift_edge, lift in lifted[org]:
            if any(not before(_when(lift), _when(st)) for _, st in imposed[org]):
                continue  # some sanction was imposed by then
            _, first = min(imposed[org], key=lambda es: date_range(_when(es[1])) or ("", ""))
            yield Conflict(
                "order",
                f"{names.get(org, org)}: a sanction lifted before any was imposed",
                _side(lift, f"lifted by {names.get(lift_edge.source, '?')}, {_when(lift)}"),
                _side(first, f"imposed {_when(first)}"),
            )


# -- one source says ended, another (not older) says ongoing


def _status_conflicts(view: ViewData) -> Iterator[Conflict]:
    names = _name(view)
    for edge in view.edges:
        ended = [s for s in edge.statements if s.status == "ended"]
        live = [s for s in edge.statements if s.status in {"ongoing", "planned"}]
        for a in ended:
            for b in live:
                if _doc_key(a.document) == _doc_key(b.document):
                    continue
                a_date = a.document.date if a.document else None
                b_date = b.document.date if b.document else None
                if before(b_date, a_date):
                    continue  # the "ongoing" source is older: things changed since
                yield Conflict(
                    "status",
                    _relation(names, edge),
                    _side(a, "ended"),
                    _side(b, str(b.status)),
                )


# -- a start after an end


def _date_conflicts(view: ViewData) -> Iterator[Conflict]:
    names = _name(view)
    for edge in view.edges:
        for a in edge.statements:
            for b in edge.statements:
                if a.start and b.end and before(b.end, a.start):
                    yield Conflict(
                        "dates",
                        _relation(names, edge),
                        _side(a, f"started {a.start}"),
                        _side(b, f"ended {b.end}"),
                    )


# -- each other's subsidiary


def _cycles(view: ViewData) -> Iterator[Conflict]:
    names = _name(view)
    owned = {(e.source, e.target): e for e in view.edges if e.predicate == "subsidiaryOf"}
    for (a, b), edge in sorted(owned.items()):
        back = owned.get((b, a))
        if back is None or a > b or not edge.statements or not back.statements:
            continue
        yield Conflict(
            "cycle",
            f"{names.get(a)} and {names.get(b)} are each other's subsidiary",
            _side(edge.statements[0], f"{names.get(a)} subsidiaryOf {names.get(b)}"),
            _side(back.statements[0], f"{names.get(b)} subsidiaryOf {names.get(a)}"),
        )


def conflicts_to_json(found: Iterable[Conflict]) -> list[dict[str, object]]:
    """Conflicts as JSON-ready dicts (``kg conflicts --format json``).

    >>> conflicts_to_json([])
    []
    """

    def side(s: Side) -> dict[str, object]:
        doc = s.document
        return {
            "claim": s.claim,
            "evidence": s.evidence,
            "node": s.node,
            "document": None
            if doc is None
            else {"iri": doc.iri, "id": doc.id, "title": doc.title, "date": doc.date},
        }

    return [
        {"kind": c.kind, "about": c.about, "first": side(c.first), "second": side(c.second)}
        for c in found
    ]


def timeline_to_json(line: Timeline) -> dict[str, object]:
    """A timeline as a JSON-ready dict (``kg timeline --format json``).

    >>> timeline_to_json(Timeline(ViewNode("ex:a", "Acme", "Company"), ()))["events"]
    []
    """

    def event(e: Event) -> dict[str, object]:
        st, doc = e.statement, e.statement.document
        return {
            "when": e.when,
            "date": st.date,
            "start": st.start,
            "end": st.end,
            "status": st.status,
            "role": st.role,
            "predicate": e.predicate,
            "outgoing": e.outgoing,
            "other": {"iri": e.other.iri, "label": e.other.label, "class": e.other.cls},
            "evidence": st.evidence,
            "confidence": st.confidence,
            "document": None if doc is None else {"id": doc.id, "date": doc.date},
        }

    return {
        "entity": {"iri": line.entity.iri, "label": line.entity.label, "class": line.entity.cls},
        "events": [event(e) for e in line.events],
        "undated": [event(e) for e in line.undated],
        "notes": list(line.notes),
    }


__all__ = [
    "Conflict",
    "Event",
    "Side",
    "Timeline",
    "before",
    "conflicts",
    "conflicts_to_json",
    "date_range",
    "timeline",
    "timeline_to_json",
]
