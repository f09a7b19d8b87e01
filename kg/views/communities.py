"""Communities of a view: groups of entities more related to each other than to the rest.

The overview of a big graph colours entities by community so that the first
screen shows what the corpus is about: each community is named after its most
connected entity ("U.S.", "OPEC", "Texaco"). Communities are found with
networkx's Louvain method on the drawn relations (one undirected link per
related pair, whatever the predicates), with a fixed seed and the nodes and
links added in sorted order, so the same graph always gets the same
communities. Entities without a drawn relation belong to no community.

>>> from kg.views.model import ViewData, ViewEdge, ViewNode
>>> degrees = {"a": 2, "b": 1, "c": 1, "d": 0}
>>> nodes = tuple(ViewNode(x, x.upper(), "Company", total_degree=d) for x, d in degrees.items())
>>> view = ViewData(nodes, (ViewEdge("a", "b", "sells"), ViewEdge("a", "c", "sells")))
>>> [(c.name, c.members) for c in find_communities(view)]
[('A', ('a', 'b', 'c'))]
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kg.views.model import ViewData, ViewNode

__all__ = ["SEED", "Community", "find_communities", "rank_entities"]

#: The Louvain method shuffles nodes; a fixed seed makes it give the same communities every time.
SEED = 20180704


@dataclass(frozen=True, slots=True)
class Community:
    """A group of related entities, named after its most connected member (``hub``).

    ``members`` are IRIs, sorted.
    """

    name: str
    hub: str
    members: tuple[str, ...]


def rank_entities(nodes: tuple[ViewNode, ...] | list[ViewNode]) -> list[ViewNode]:
    """``nodes`` from the most connected to the least: relations in the graph, then name, then IRI.

    >>> from kg.views.model import ViewNode
    >>> a = ViewNode("a", "Beta", "City", total_degree=3)
    >>> b = ViewNode("b", "Alpha", "City", total_degree=3)
    >>> [n.label for n in rank_entities([a, b, ViewNode("c", "Gamma", "City", total_degree=9)])]
    ['Gamma', 'Alpha', 'Beta']
    """
    return sorted(nodes, key=lambda n: (-n.total_degree, n.label, n.iri))


def find_communities(view: ViewData, *, seed: int = SEED) -> tuple[Community, ...]:
    """The communities of the entities of ``view`` that have a drawn relation.

    Args:
        view: what :func:`~kg.views.read.graph_to_view` (or a selection) returned.
        seed: the seed of the Louvain method.

    Returns:
        The communities, biggest first (then by name, then by hub IRI); every
        entity with a relation in ``view`` is in exactly one.
    """
    graph = nx.Graph()
    pairs = sorted(
        {tuple(sorted((e.source, e.target))) for e in view.edges if e.source != e.target}
    )
    graph.add_nodes_from(sorted({iri for pair in pairs for iri in pair}))
    graph.add_edges_from(pairs)
    if graph.number_of_nodes() == 0:
        return ()
    by_iri = {n.iri: n for n in view.nodes}
    found = []
    for group in nx.community.louvain_communities(graph, seed=seed):
        members = tuple(sorted(group))
        hub = rank_entities([by_iri[iri] for iri in members])[0]
        found.append(Community(name=hub.label, hub=hub.iri, members=members))
    return tuple(sorted(found, key=lambda c: (-len(c.members), c.name, c.hub)))
