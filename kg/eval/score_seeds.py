"""Score a built graph against the seed gold standard (:func:`score_graph`)."""

from __future__ import annotations

from rdflib import Graph

from kg.eval.matching import GraphView, Matcher
from kg.eval.score_entities import score_entities
from kg.eval.score_observations import score_observations
from kg.eval.score_relations import score_relations
from kg.eval.seeds_gold import SeedsGold
from kg.eval.seeds_report import SeedsReport

__all__ = [
    "score_graph",
]


def score_graph(graph: Graph, gold: SeedsGold) -> SeedsReport:
    """Score a built graph against the seed gold standard (GOLD.md rules 1-5).

    Entities are nodes whose ``rdf:type`` is a kgo class of one of the four
    coarse classes; relations are direct triples with a core predicate;
    qualifiers are read from the ``kgo:Statement`` nodes of found relations;
    figures from ``kgo:Observation`` nodes. A :class:`rdflib.Dataset` is read
    across all its graphs.

    Args:
        graph: the built graph (``rdflib.Graph`` or ``rdflib.Dataset``).
        gold: the gold standard.

    Returns:
        The report.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... <urn:acme> a kgo:Company ; rdfs:label "ACME Corp" ; kgo:basedIn <urn:paris> .
    ... <urn:paris> a kgo:City ; rdfs:label "Paris" .
    ... <urn:bob> a kgo:Person ; rdfs:label "Bob" .''')
    >>> from kg.eval.seeds_gold import parse_seeds_gold
    >>> gold = parse_seeds_gold({
    ...     "entities": [{"label": "Acme", "class": "Company", "names": ["Acme Corp"]},
    ...                  {"label": "Paris", "class": "City"}],
    ...     "relations": [{"subject": "Acme", "predicate": "basedIn", "object": "Paris"}]})
    >>> report = score_graph(g, gold)
    >>> report.entities, report.relations.f1
    (Score(tp=2, fp=1, fn=0), 1.0)
    """
    view = GraphView(graph)
    matcher = Matcher(gold.entities)
    entity_part = score_entities(view, matcher, gold.entities)
    relation_part = score_relations(view, matcher, gold.relations)
    observation_part = score_observations(view, matcher, gold.observations)
    return SeedsReport(**entity_part, **relation_part, **observation_part)
