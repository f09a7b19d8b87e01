"""Network analysis of a graph's entities: who matters, which groups form, how two connect.

The entity network is the views' (:func:`entity_view`): entities as nodes, the
fifteen core relations as edges. :func:`analyze` ranks the entities by degree,
PageRank and betweenness and finds communities (Louvain, or greedy modularity)
on its undirected form, where each pair of entities is one link weighted by
the triples that relate them (a symmetric relation an inferred graph states
both ways weighs two). :func:`find_path` explains how two entities are
connected, hop by hop, with the statements (evidence sentence, document,
confidence) behind each hop. Everything is deterministic: nodes are visited in
sorted order and the random parts are seeded.

>>> from rdflib import Graph
>>> g = Graph().parse(format="turtle", data='''
... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... @prefix ex: <https://example.org/> .
... ex:acme a kgo:Company ; rdfs:label "Acme" ; kgo:basedIn ex:paris ; kgo:partnersWith ex:globex .
... ex:globex a kgo:Company ; rdfs:label "Globex" ; kgo:basedIn ex:paris .
... ex:paris a kgo:City ; rdfs:label "Paris" .
... ''')
>>> [(e.label, e.degree) for e in analyze(g).entities]
[('Acme', 2), ('Globex', 2), ('Paris', 2)]
>>> [hop.predicates for hop in find_path(g, "Acme", "Paris").hops]
[('basedIn',)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
from rdflib import Dataset, Graph

from kg.errors import NoPathError
from kg.ontology import CORE_PREDICATES
from kg.types import COARSE_CLASSES, coarse_class
from kg.views.model import ViewData, ViewEdge, ViewNode, ViewStatement
from kg.views.read import graph_to_view
from kg.views.select import find_entity

#: Above this many entities betweenness is estimated from a seeded sample of sources.
EXACT_BETWEENNESS_LIMIT = 2000
#: Sources sampled for betweenness on bigger networks.
BETWEENNESS_SAMPLE = 500
#: Community methods :func:`analyze` knows.
COMMUNITY_METHODS = ("louvain", "greedy")


@dataclass(frozen=True, slots=True)
class RankedEntity:
    """An entity with its scores: relations, PageRank, betweenness, and its community."""

    iri: str
    label: str
    cls: str
    degree: int  # relations (triples) it takes part in
    pagerank: float
    betweenness: float
    community: int | None = None  # index in Analysis.communities


@dataclass(frozen=True, slots=True)
class Community:
    """A group of entities more linked among themselves than to the rest.

    ``members`` are IRIs, the most connected first; ``names`` their labels.
    """

    number: int
    members: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def size(self) -> int:
        """How many entities the community holds."""
        return len(self.members)


@dataclass(frozen=True)
class Analysis:
    """Entities ranked by PageRank (then degree, then name) and communities, biggest first."""

    entities: tuple[RankedEntity, ...]
    communities: tuple[Community, ...]
    relations: int
    method: str = "louvain"
    approximate_betweenness: bool = False

    def top(self, key: str = "pagerank", n: int = 10) -> list[RankedEntity]:
        """The ``n`` highest entities by ``degree``, ``pagerank`` or ``betweenness``.

        >>> paris = RankedEntity("ex:paris", "Paris", "City", 1, 0.5, 0.0)
        >>> Analysis((paris,), (), 1).top("degree", 1)[0].label
        'Paris'
        """
        if key not in {"degree", "pagerank", "betweenness"}:
            raise ValueError(f"rank by degree, pagerank or betweenness, not {key!r}")
        return sorted(self.entities, key=lambda e: (-getattr(e, key), e.label, e.iri))[:n]


def entity_network(graph: Graph | Dataset | ViewData) -> nx.Graph:
    """The undirected entity network: one link per related pair, weighted by its triples.

    Nodes are the IRIs of :func:`entity_view`'s entities, with their ``label``
    and ``class``; a relation that no triple states (only statements name it)
    makes no link.

    >>> from rdflib import Graph
    >>> entity_network(Graph()).number_of_nodes()
    0
    """
    view = entity_view(graph)
    network = nx.Graph()
    for node in view.nodes:
        network.add_node(node.iri, label=node.label, **{"class": node.cls})
    for edge in view.edges:
        if edge.source == edge.target or not edge.triples:
            continue
        if network.has_edge(edge.source, edge.target):
            network[edge.source][edge.target]["weight"] += edge.triples
        else:
            network.add_edge(edge.source, edge.target, weight=edge.triples)
    return network


def analyze(
    graph: Graph | Dataset | ViewData, *, method: str = "louvain", seed: int = 0
) -> Analysis:
    """Rank a graph's entities and find its communities.

    Parameters:
        graph: a kg graph (a Dataset as the union of its graphs), or its ``ViewData``.
        method: ``louvain`` (:func:`networkx.community.louvain_communities`) or
            ``greedy`` (:func:`networkx.community.greedy_modularity_communities`).
        seed: the seed of Louvain and of sampled betweenness.

    Returns:
        An :class:`Analysis`. Degree counts relation triples (a predicate
        stated both ways counts twice), PageRank and betweenness are computed
        on the weighted undirected network; betweenness is normalised, and
        estimated from :data:`BETWEENNESS_SAMPLE` seeded sources above
        :data:`EXACT_BETWEENNESS_LIMIT` entities. Entities without relations
        are ranked too, in no community.

    Raises:
        ValueError: an unknown ``method``.

    >>> from rdflib import Graph
    >>> analyze(Graph()).entities
    ()
    """
    if method not in COMMUNITY_METHODS:
        raise ValueError(
            f"unknown community method {method!r}; use one of {', '.join(COMMUNITY_METHODS)}"
        )
    view = entity_view(graph)
    network = entity_network(view)
    degree = _triple_degrees(view)
    if network.number_of_nodes() == 0:
        return Analysis((), (), 0, method)
    pagerank = nx.pagerank(network, weight="weight")
    approximate = network.number_of_nodes() > EXACT_BETWEENNESS_LIMIT
    betweenness = _betweenness(network, seed=seed if approximate else None)
    communities = _communities(network, degree, method=method, seed=seed)
    member_of = {iri: c.number for c in communities for iri in c.members}
    entities = [
        RankedEntity(
            iri=node,
            label=_label(network, node),
            cls=str(network.nodes[node].get("class", "")),
            degree=degree[node],
            pagerank=round(pagerank.get(node, 0.0), 6),
            betweenness=round(betweenness.get(node, 0.0), 6),
            community=member_of.get(node),
        )
        for node in network.nodes
    ]
    entities.sort(key=lambda e: (-e.pagerank, -e.degree, e.label, e.iri))
    return Analysis(
        entities=tuple(entities),
        communities=tuple(communities),
        relations=sum(edge.triples for edge in view.edges),
        method=method,
        approximate_betweenness=approximate,
    )


def _triple_degrees(view: ViewData) -> dict[str, int]:
    """How many relation triples each entity takes part in (a loop twice, as networkx counts)."""
    degree = {node.iri: 0 for node in view.nodes}
    for edge in view.edges:
        degree[edge.source] += edge.triples
        degree[edge.target] += edge.triples
    return degree


def _betweenness(network: nx.Graph, *, seed: int | None) -> dict[str, float]:
    """Normalised betweenness: exact, or (with a ``seed``) estimated from sampled sources."""
    return nx.betweenness_centrality(
        network,
        k=min(BETWEENNESS_SAMPLE, network.number_of_nodes()) if seed is not None else None,
        seed=seed,
        normalized=True,
    )


def _label(network: nx.Graph, node: str) -> str:
    return str(network.nodes[node].get("label", node))


def _communities(
    network: nx.Graph, degree: dict[str, int], *, method: str, seed: int
) -> list[Community]:
    """The communities of the entities with relations, biggest first, members by degree."""
    # a filter, not network.subgraph(): a subgraph of few nodes walks them in the order of a
    # set, which follows Python's hash seed, and Louvain's communities would follow it too
    keep = {n for n in network.nodes if network.degree(n) > 0}
    linked = nx.subgraph_view(network, filter_node=keep.__contains__)
    if linked.number_of_nodes() == 0:
        groups: list[set[str]] = []
    elif method == "louvain":
        groups = list(nx.community.louvain_communities(linked, weight="weight", seed=seed))
    else:
        groups = list(nx.community.greedy_modularity_communities(linked, weight="weight"))

    def order(node: str) -> tuple[int, str, str]:
        return (-degree[node], _label(network, node), node)

    groups.sort(key=lambda g: (-len(g), min(order(n) for n in g)))
    communities = []
    for number, group in enumerate(groups):
        members = tuple(sorted(group, key=order))
        communities.append(Community(number, members, tuple(_label(network, n) for n in members)))
    return communities


def analysis_to_json(analysis: Analysis, *, top: int | None = None) -> dict[str, object]:
    """The analysis as a JSON-ready dict (``kg analyze --format json``).

    ``top`` keeps the first entities by PageRank and members of each
    community (None: all).

    >>> analysis_to_json(Analysis((), (), 0))["entities"]
    []
    """
    return {
        "entities": [
            {
                "iri": e.iri,
                "label": e.label,
                "class": e.cls,
                "degree": e.degree,
                "pagerank": e.pagerank,
                "betweenness": e.betweenness,
                "community": e.community,
            }
            for e in analysis.entities[:top]
        ],
        "communities": [
            {
                "number": c.number,
                "size": c.size,
                "members": [
                    {"iri": iri, "label": name}
                    for iri, name in list(zip(c.members, c.names, strict=True))[:top]
                ],
            }
            for c in analysis.communities
        ],
        "relations": analysis.relations,
        "method": analysis.method,
        "approximate_betweenness": analysis.approximate_betweenness,
    }


#################################################################
# Paths
#################################################################


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: from one entity to the next, and the relations between them.

    ``edges`` are the relations between the two entities in the graph's
    direction (an edge whose ``source`` is ``target.iri`` is read backwards).
    """

    source: ViewNode
    target: ViewNode
    edges: tuple[ViewEdge, ...]

    @property
    def predicates(self) -> tuple[str, ...]:
        """The predicates of the hop's relations."""
        return tuple(e.predicate for e in self.edges)

    def forward(self, edge: ViewEdge) -> bool:
        """Whether ``edge`` points from :attr:`source` to :attr:`target` (or is symmetric)."""
        return edge.source == self.source.iri or edge.symmetric


@dataclass(frozen=True)
class Path:
    """How two entities connect: the hops from ``start`` to ``end``, and notes on the choice."""

    start: ViewNode
    end: ViewNode
    hops: tuple[Hop, ...]
    notes: tuple[str, ...] = ()


def entity_view(graph: Graph | Dataset | ViewData) -> ViewData:
    """The entities of a graph and the core relations between them, as ``kg viz`` reads them.

    Nodes of other kgo classes (facts, quarantined triples...) and edges of
    other predicates (``kgo:relation`` of an inferred graph...) are left out,
    so paths and timelines go through relations the articles state.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ... <https://example.org/f> a kgo:Fact ; kgo:tripleSubject <https://example.org/a> .
    ... <https://example.org/a> a kgo:Company ; kgo:basedIn <https://example.org/p> .
    ... <https://example.org/p> a kgo:City .
    ... ''')
    >>> view = entity_view(g)
    >>> [n.cls for n in view.nodes], [e.predicate for e in view.edges]
    (['Company', 'City'], ['basedIn'])
    """
    view = graph if isinstance(graph, ViewData) else graph_to_view(graph)
    keep = {n.iri for n in view.nodes if coarse_class(n.cls) in COARSE_CLASSES}
    return ViewData(
        nodes=tuple(n for n in view.nodes if n.iri in keep),
        edges=tuple(
            e
            for e in view.edges
            if e.source in keep and e.target in keep and e.predicate in CORE_PREDICATES
        ),
    )


def _edge_cost(edge: ViewEdge) -> float:
    best = edge.best
    return 1.0 - (best.confidence or 0.0) if best is not None else 1.0


def find_path(
    graph: Graph | Dataset | ViewData, start: str, end: str, *, max_hops: int | None = None
) -> Path:
    """The shortest chain of relations between two entities, with the evidence of each hop.

    ``start`` and ``end`` are names, aliases or IRIs, matched as ``kg viz
    --focus`` matches them (:func:`kg.views.select.focus_view`). Relations are
    followed in both directions. Among the shortest paths the one whose
    relations are best supported (highest confidence) is chosen; ties go to
    the first by IRI.

    Raises:
        ViewSelectionError: a name matches no entity.
        NoPathError: the two are not connected (within ``max_hops``).

    >>> a, b = ViewNode("ex:a", "Acme", "Company"), ViewNode("ex:b", "Bolt", "Company")
    >>> view = ViewData((a, b), (ViewEdge("ex:a", "ex:b", "partnersWith"),))
    >>> hops = find_path(view, "bolt", "Acme").hops
    >>> [(h.source.label, h.predicates, h.target.label) for h in hops]
    [('Bolt', ('partnersWith',), 'Acme')]
    """
    view = entity_view(graph)
    first, why_first = find_entity(view, start)
    last, why_last = find_entity(view, end)
    notes = tuple(n for n in (why_first, why_last) if n)
    between: dict[tuple[str, str], list[ViewEdge]] = defaultdict(list)
    network = nx.Graph()
    network.add_nodes_from(node.iri for node in view.nodes)
    for edge in view.edges:
        if edge.source == edge.target:
            continue
        pair = (min(edge.source, edge.target), max(edge.source, edge.target))
        between[pair].append(edge)
    for pair in sorted(between):
        # fewest hops first; among those the best supported (each hop costs 1 + doubt)
        cost = 1.0 + min(_edge_cost(e) for e in between[pair]) / (len(view.nodes) + 1)
        network.add_edge(*pair, weight=cost)
    if first.iri == last.iri:
        return Path(first, last, (), notes)
    try:
        iris = nx.dijkstra_path(network, first.iri, last.iri, weight="weight")
    except nx.NetworkXNoPath:
        raise NoPathError(
            f"{first.label} and {last.label} are not connected: no chain of relations in the "
            "graph links them."
        ) from None
    if max_hops is not None and len(iris) - 1 > max_hops:
        raise NoPathError(
            f"{first.label} and {last.label} are {len(iris) - 1} relations apart, more than "
            f"{max_hops}."
        )
    nodes = {n.iri: n for n in view.nodes}
    hops = []
    for a, b in pairwise(iris):
        edges = sorted(
            between[(min(a, b), max(a, b))],
            key=lambda e: (_edge_cost(e), e.predicate, e.source),
        )
        hops.append(Hop(nodes[a], nodes[b], tuple(edges)))
    return Path(first, last, tuple(hops), notes)


def path_to_json(path: Path) -> dict[str, object]:
    """A path as a JSON-ready dict: its ends and, per hop, each relation with its best evidence.

    >>> a = ViewNode("ex:a", "Acme", "Company")
    >>> path_to_json(Path(a, a, ()))["hops"]
    []
    """

    def node(n: ViewNode) -> dict[str, str]:
        return {"iri": n.iri, "label": n.label, "class": n.cls}

    def statement(s: ViewStatement | None) -> dict[str, object] | None:
        if s is None:
            return None
        doc = s.document
        return {
            "evidence": s.evidence,
            "confidence": s.confidence,
            "document": None
            if doc is None
            else {"id": doc.id, "title": doc.title, "date": doc.date},
        }

    return {
        "start": node(path.start),
        "end": node(path.end),
        "hops": [
            {
                "from": node(hop.source),
                "to": node(hop.target),
                "relations": [
                    {
                        "predicate": e.predicate,
                        "forward": hop.forward(e),
                        "statements": len(e.statements),
                        "evidence": statement(e.best),
                    }
                    for e in hop.edges
                ],
            }
            for hop in path.hops
        ],
        "notes": list(path.notes),
    }


__all__ = [
    "BETWEENNESS_SAMPLE",
    "COMMUNITY_METHODS",
    "EXACT_BETWEENNESS_LIMIT",
    "Analysis",
    "Community",
    "Hop",
    "Path",
    "RankedEntity",
    "analysis_to_json",
    "analyze",
    "entity_network",
    "entity_view",
    "find_path",
    "path_to_json",
]
