"""Choose the part of a view to draw: a neighbourhood, what a query chooses, the most connected.

:func:`focus_view` keeps one entity and its neighbourhood, :func:`query_view`
what a SPARQL ``CONSTRUCT`` or ``SELECT`` chooses, and :func:`limit_view` the
most connected entities. Each says what it did in
:attr:`~kg.views.model.ViewData.notes` and counts what it left out, so the
page (and ``kg viz``) can tell the reader.

>>> from kg.views.model import ViewData, ViewNode
>>> view = ViewData((ViewNode("a", "A", "Company"), ViewNode("b", "B", "City")), ())
>>> [n.label for n in limit_view(view, 1).nodes]
['A']
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from rdflib import RDF, Graph, Literal, URIRef

from kg.errors import ViewSelectionError, count
from kg.ontology import normalize_name
from kg.views.model import ViewData, ViewEdge, ViewNode, degrees, edge_key, kgo_local

if TYPE_CHECKING:
    from kg.query import ParsedQuery

__all__ = ["find_entity", "focus_view", "limit_view", "query_view"]


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
    degree = degrees((e.source, e.target) for e in kept_edges)
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
        f"{count(depth, 'relation')} away: {len(hops):,} of {view.total:,} entities."
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
    >>> from kg.views.read import graph_to_view
    >>> part = query_view(graph_to_view(g), g, "SELECT ?c WHERE { ?c a kgo:Company }")
    >>> [n.label for n in part.nodes], part.hidden
    (['a'], 2)
    """
    # SPARQL's parser (a third of a second to import) only for a query: kg build and kg add
    # draw their page without one.
    from kg.query import ParsedQuery, check_query, run_query

    parsed = query if isinstance(query, ParsedQuery) else check_query(query)
    if parsed.kind == "ASK":
        raise ViewSelectionError(
            "an ASK query answers yes or no and chooses nothing to draw: "
            "use a SELECT (entities) or a CONSTRUCT (entities and relations)."
        )
    result = run_query(graph, parsed)
    chooser = _Chooser(view)
    edges: list[ViewEdge] | None = None
    if parsed.kind == "SELECT":
        for row in result.rows:
            for term in row:
                if term is not None:
                    chooser.take(term)
    else:
        assert result.graph is not None
        edges = chooser.constructed(result.graph)
    if not chooser.keep:
        raise ViewSelectionError(_chose_nothing(parsed.kind))
    note = f"Query ({parsed.kind}): {len(chooser.keep):,} of {view.total:,} entities."
    if chooser.ignored:
        note += f" {count(len(chooser.ignored), 'other value')} in the results left out."
    return _restrict(view, chooser.keep, note=note, edges=edges)


def _chose_nothing(kind: str) -> str:
    """What to say when a query chose no entity, with an example of one that does."""
    return f"the {kind} query chose no entity to draw. " + (
        "Bind entity IRIs, e.g. SELECT ?e WHERE { ?e a kgo:Company }."
        if kind == "SELECT"
        else "Construct triples about entities, e.g. "
        "CONSTRUCT { ?a kgo:basedIn ?b } WHERE { ?a kgo:basedIn ?b }."
    )


class _Chooser:
    """What a query's results choose in a view: entities, and (from a CONSTRUCT) relations."""

    def __init__(self, view: ViewData) -> None:
        self.view = view
        self.entities = {n.iri for n in view.nodes}
        self.edge_of = {s.iri: e for e in view.edges for s in e.statements}
        self.keep: set[str] = set()
        self.ignored: set[str] = set()

    def take(self, term: object) -> None:
        """Keep the entity ``term`` names, or both ends of the statement it names."""
        iri = str(term)
        if iri in self.entities:
            self.keep.add(iri)
        elif iri in self.edge_of:
            self.keep.update((self.edge_of[iri].source, self.edge_of[iri].target))
        else:
            self.ignored.add(iri if isinstance(term, URIRef) else repr(term))

    def constructed(self, triples: Graph) -> list[ViewEdge]:
        """Take the entities of a CONSTRUCT's triples; the edges its triples state or name."""
        stated: set[tuple[str, str, str]] = set()
        chosen: set[ViewEdge] = set()
        for s, p, o in triples:
            predicate = kgo_local(p)
            if predicate is not None and str(s) in self.entities and str(o) in self.entities:
                stated.add(edge_key(str(s), predicate, str(o)))
            if str(s) in self.edge_of:
                chosen.add(self.edge_of[str(s)])
            self.take(s)
            if not isinstance(o, Literal) and kgo_local(o) is None and p != RDF.type:
                self.take(o)
        return [
            e for e in self.view.edges if e in chosen or (e.source, e.predicate, e.target) in stated
        ]


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
