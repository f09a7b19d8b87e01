"""Read the entities and relations of a ``kg`` graph into plain records for drawing.

:func:`graph_to_view` walks the graph once and returns a :class:`ViewData`: the
entity nodes (label, class, aliases, Wikidata link, documents) and the
relation edges between them, each with the qualified statements that support
it (evidence sentence, dates, status, role, confidence, source document).

Large graphs are drawn in part. :func:`focus_view` keeps one entity and its
neighbourhood, :func:`query_view` what a SPARQL ``CONSTRUCT`` or ``SELECT``
chooses, and :func:`limit_view` the most connected entities. Each says what it
did in :attr:`ViewData.notes` and counts what it left out, so the page (and
``kg viz``) can tell the reader. Nothing here knows about HTML;
:mod:`kg.viz.html` draws the records.

>>> from rdflib import Graph
>>> view = graph_to_view(Graph())
>>> view.nodes, view.edges, view.hidden
((), (), 0)
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.errors import ViewSelectionError
from kg.ontology import KGO, KGO_IRI, SYMMETRIC_PREDICATES, normalize_name
from kg.query import ParsedQuery, check_query, run_query
from kg.types import COARSE_CLASSES

__all__ = [
    "SYMMETRIC_PREDICATES",
    "ViewData",
    "ViewDocument",
    "ViewEdge",
    "ViewNode",
    "ViewStatement",
    "find_entity",
    "focus_view",
    "graph_to_view",
    "limit_view",
    "query_view",
    "triples_to_view",
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

#: ``kgo:`` properties between entities that are not drawn: the abstract super-property.
_NOT_DRAWN = frozenset({"relation"})

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


def _read(triples: Iterable[tuple]) -> ViewData:
    """Every entity and relation of a graph's ``triples`` (in any order, repeats or not)."""
    index = _Index(triples)
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

    view_edges = tuple(
        ViewEdge(s, o, p, tuple(sorted(statements, key=_statement_order)))
        for (s, p, o), statements in sorted(edges.items())
    )
    degree = _degrees((e.source, e.target) for e in view_edges)

    nodes = []
    for n in sorted(classes, key=str):
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
                degree=degree[str(n)],
                total_degree=degree[str(n)],
            )
        )
    return ViewData(nodes=tuple(nodes), edges=view_edges)


def triples_to_view(triples: Iterable[tuple], *, max_nodes: int | None = None) -> ViewData:
    """:func:`graph_to_view` of the graph ``triples`` make (any order, repeats or not), without
    making it: a build hands the triples of its graph files over as it writes them.

    >>> a, b = URIRef(KGO_IRI + "a"), URIRef(KGO_IRI + "b")
    >>> view = triples_to_view([(a, RDF.type, KGO.Company), (a, KGO.basedIn, b),
    ...                         (b, RDF.type, KGO.City), (a, KGO.basedIn, b)])
    >>> [e.predicate for e in view.edges]
    ['basedIn']
    """
    view = _read(triples)
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


def _restrict(
    view: ViewData,
    keep: set[str],
    *,
    note: str,
    edges: Iterable[ViewEdge] | None = None,
    hops: dict[str, int] | None = None,
    focus: str | None = None,
) -> ViewData:
    """The part of ``view`` made of the entities ``keep`` and the edges among them."""
    kept_edges = tuple(
        e for e in (view.edges if edges is None else edges) if e.source in keep and e.target in keep
    )
    degree = _degrees((e.source, e.target) for e in kept_edges)
    nodes = tuple(
        replace(
            n,
            degree=degree[n.iri],
            hops=hops.get(n.iri) if hops is not None else n.hops,
        )
        for n in view.nodes
        if n.iri in keep
    )
    dropped = Counter(dict(view.hidden_classes))
    dropped.update(n.cls for n in view.nodes if n.iri not in keep)
    return ViewData(
        nodes=nodes,
        edges=kept_edges,
        hidden=view.hidden + len(view.nodes) - len(nodes),
        hidden_classes=tuple(sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0]))),
        notes=(*view.notes, note),
        focus=focus if focus is not None else view.focus if view.focus in keep else None,
    )


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _describe(node: ViewNode) -> str:
    return f"{node.label} ({node.cls})"


def find_entity(view: ViewData, name: str) -> tuple[ViewNode, str | None]:
    """The entity ``name`` stands for, and a sentence when the choice was not obvious.

    ``name`` is an IRI, a label or an alias (compared as GOLD.md rule 1
    compares names); :class:`ViewSelectionError` lists close names when none
    matches. Shared by ``kg viz --focus``, ``kg path`` and ``kg timeline``.
    """
    text = name.strip()
    for node in view.nodes:
        if node.iri == text:
            return node, None
    key = normalize_name(text)
    if not key:
        raise ViewSelectionError("give the name, an alias or the IRI of an entity.")
    by_label = [n for n in view.nodes if normalize_name(n.label) == key]
    by_alias = [
        n
        for n in view.nodes
        if n not in by_label and any(normalize_name(a) == key for a in n.aliases)
    ]

    def rank(nodes: list[ViewNode]) -> list[ViewNode]:
        return sorted(nodes, key=lambda n: (-n.total_degree, n.label, n.iri))

    candidates = rank(by_label) + rank(by_alias)
    if not candidates:
        raise ViewSelectionError(_no_match_message(view, text, key))
    chosen = candidates[0]
    if len(candidates) == 1:
        return chosen, None
    others = "; ".join(f"{_describe(n)} <{n.iri}>" for n in candidates[1:6])
    more = f" and {len(candidates) - 6:,} more" if len(candidates) > 6 else ""
    why = "its canonical name" if chosen in by_label else "the most connected"
    return chosen, (
        f"'{text}' names {len(candidates):,} entities; drawing {_describe(chosen)}, {why}. "
        f"The others: {others}{more}. Give an IRI to choose another."
    )


def _no_match_message(view: ViewData, text: str, key: str) -> str:
    names: dict[str, str] = {}
    for n in sorted(view.nodes, key=lambda n: (-n.total_degree, n.iri)):
        for name in (n.label, *n.aliases):
            names.setdefault(normalize_name(name), name)
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    close += [k for k in names if key in k and k not in close][: 5 - len(close)]
    hint = (
        "Close names: " + ", ".join(names[k] for k in close) + "."
        if close
        else "List the names with: kg query --name entities."
    )
    return (
        f"no entity is called '{text}' (names and aliases are matched ignoring case). "
        f"{hint} Or give the entity's IRI."
    )


def focus_view(view: ViewData, name: str, *, depth: int = 1) -> ViewData:
    """One entity and the entities up to ``depth`` relations away from it.

    ``name`` is matched against every canonical name and alias after
    normalisation (case, spacing, a leading "the", a possessive), or taken as
    an IRI. When several entities match, a canonical name wins over an alias,
    then the most connected entity, then the first by name; a note says which
    was drawn and lists the others.

    Args:
        view: what :func:`graph_to_view` read.
        name: the entity's name, alias or IRI.
        depth: how many relations away to go (0: the entity alone).

    Returns:
        The neighbourhood, with :attr:`ViewNode.hops` set and
        :attr:`ViewData.focus` the entity's IRI.

    Raises:
        ViewSelectionError: no entity has that name (the message lists close
            names), or ``depth`` is negative.

    >>> a, b, c = (ViewNode(x, x.upper(), "Company") for x in "abc")
    >>> edges = (ViewEdge("a", "b", "partnersWith"), ViewEdge("b", "c", "sells"))
    >>> chain = ViewData((a, b, c), edges)
    >>> part = focus_view(chain, "A")
    >>> [(n.label, n.hops) for n in part.nodes], part.hidden, part.focus
    ([('A', 0), ('B', 1)], 1, 'a')
    """
    if depth < 0:
        raise ViewSelectionError(f"the depth must be 0 or more, not {depth}.")
    centre, why = find_entity(view, name)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in view.edges:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)
    hops = {centre.iri: 0}
    queue = deque([centre.iri])
    while queue:
        iri = queue.popleft()
        if hops[iri] == depth:
            continue
        for other in sorted(neighbours[iri]):
            if other not in hops:
                hops[other] = hops[iri] + 1
                queue.append(other)
    note = (
        f"Focus on {_describe(centre)} and the entities up to "
        f"{_plural(depth, 'relation')} away: {len(hops):,} of {view.total:,} entities."
    )
    if why:
        note = f"{why} {note}"
    return _restrict(view, set(hops), note=note, hops=hops, focus=centre.iri)


def query_view(view: ViewData, graph: Graph, query: str | ParsedQuery) -> ViewData:
    """The entities and relations a read-only SPARQL query chooses.

    A ``CONSTRUCT`` (or ``DESCRIBE``) draws the entities in its triples and
    the relations its triples state (``?a kgo:basedIn ?b``). A ``SELECT``
    draws the entities bound in its results and every relation among them. In
    both, a statement node stands for its subject and object (and, in a
    ``CONSTRUCT``, for its relation). Other values are left out and counted.

    Args:
        view: what :func:`graph_to_view` read from ``graph``.
        graph: the graph to query (a Dataset from :func:`kg.rdf.load.load_graph`).
        query: SPARQL text or what :func:`kg.query.check_query` returned.

    Returns:
        The chosen part of ``view``.

    Raises:
        QueryError, UnsafeQueryError: the query is not valid or not read-only.
        ViewSelectionError: it is an ``ASK``, or it chooses no entity.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ...     @prefix kgr: <https://w3id.org/kg-builder/resource/> .
    ...     kgr:a a kgo:Company ; kgo:basedIn kgr:b . kgr:b a kgo:City . kgr:c a kgo:Person .
    ... ''')
    >>> part = query_view(graph_to_view(g), g, "SELECT ?c WHERE { ?c a kgo:Company }")
    >>> [n.label for n in part.nodes], part.hidden
    (['a'], 2)
    """
    parsed = query if isinstance(query, ParsedQuery) else check_query(query)
    if parsed.kind == "ASK":
        raise ViewSelectionError(
            "an ASK query answers yes or no and chooses nothing to draw: "
            "use a SELECT (entities) or a CONSTRUCT (entities and relations)."
        )
    result = run_query(graph, parsed)
    entities = {n.iri for n in view.nodes}
    edge_of = {s.iri: e for e in view.edges for s in e.statements}
    keep: set[str] = set()
    chosen: set[ViewEdge] = set()
    ignored: set[str] = set()

    def take(term: object) -> None:
        iri = str(term)
        if iri in entities:
            keep.add(iri)
        elif iri in edge_of:
            keep.update((edge_of[iri].source, edge_of[iri].target))
        else:
            ignored.add(iri if isinstance(term, URIRef) else repr(term))

    edges: list[ViewEdge] | None = None
    if parsed.kind == "SELECT":
        for row in result.rows:
            for term in row:
                if term is not None:
                    take(term)
    else:
        stated: set[tuple[str, str, str]] = set()
        assert result.graph is not None
        for s, p, o in result.graph:
            predicate = _kgo_local(p)
            if predicate is not None and str(s) in entities and str(o) in entities:
                stated.add(_edge_key(str(s), predicate, str(o)))
            if str(s) in edge_of:
                chosen.add(edge_of[str(s)])
            take(s)
            if not isinstance(o, Literal) and _kgo_local(o) is None and p != RDF.type:
                take(o)
        edges = [
            e for e in view.edges if e in chosen or (e.source, e.predicate, e.target) in stated
        ]
    if not keep:
        raise ViewSelectionError(
            f"the {parsed.kind} query chose no entity to draw. "
            + (
                "Bind entity IRIs, e.g. SELECT ?e WHERE { ?e a kgo:Company }."
                if parsed.kind == "SELECT"
                else "Construct triples about entities, e.g. "
                "CONSTRUCT { ?a kgo:basedIn ?b } WHERE { ?a kgo:basedIn ?b }."
            )
        )
    note = f"Query ({parsed.kind}): {len(keep):,} of {view.total:,} entities."
    if ignored:
        note += f" {_plural(len(ignored), 'other value')} in the results left out."
    return _restrict(view, keep, note=note, edges=edges)


def limit_view(view: ViewData, max_nodes: int) -> ViewData:
    """At most ``max_nodes`` entities: those nearest the focus, then the most connected.

    Importance is the number of relations in the whole graph; ties go by name,
    then IRI, so the choice is the same every time. A view within the limit
    comes back unchanged.

    Args:
        view: what :func:`graph_to_view` or another selection returned.
        max_nodes: how many entities to keep, at least 1.

    Returns:
        The reduced view, with a note on what was left out.

    Raises:
        ViewSelectionError: ``max_nodes`` is below 1.

    >>> a, b, c = (ViewNode(x, x.upper(), "Company") for x in "abc")
    >>> star = ViewData((a, b, c), (ViewEdge("a", "b", "sells"), ViewEdge("a", "c", "sells")))
    >>> star = replace(star, nodes=tuple(replace(n, total_degree=2 if n.iri == "a" else 1)
    ...                                  for n in star.nodes))
    >>> [n.label for n in limit_view(star, 2).nodes]
    ['A', 'B']
    """
    if max_nodes < 1:
        raise ViewSelectionError(f"the node limit must be 1 or more, not {max_nodes}.")
    if len(view.nodes) <= max_nodes:
        return view
    ranked = sorted(
        view.nodes,
        key=lambda n: (n.hops if n.hops is not None else 0, -n.total_degree, n.label, n.iri),
    )
    keep = {n.iri for n in ranked[:max_nodes]}
    chosen = "nearest the focus" if view.focus else "most connected"
    note = (
        f"Drawing the {max_nodes:,} {chosen} of {len(view.nodes):,} entities; "
        f"{len(view.nodes) - max_nodes:,} left out. "
        "Draw a part with kg viz --focus NAME or --query FILE.rq, or more with --max-nodes N."
    )
    return _restrict(view, keep, note=note)


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
