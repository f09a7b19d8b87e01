"""Reasoning on request: what the ontology entails from a graph, kept apart from what was read.

:func:`inferred_triples` runs the OWL 2 RL closure (owlrl) over the ontology
and a graph's entity layer (the ``rdf:type`` of its nodes and the relation
triples between them) and returns what the closure adds about the graph's
own entities: superclasses (a ``kgo:Company`` is a ``kgo:Organization``, a
``schema:Corporation``...), the other direction of symmetric predicates
(``kgo:partnersWith``, ``kgo:competesWith``), inverses (``kgo:employs`` of
``kgo:worksFor``, ``kgo:producedBy`` of ``kgo:produces``), super-properties
(``kgo:relation``, ``schema:worksFor``...), the transitive
``kgo:locatedIn`` and the property chains that carry ``kgo:basedIn``,
``kgo:livesIn`` and ``kgo:operatesIn`` up ``kgo:locatedIn`` (based in
Beijing, which lies in China: based in China; see ``ontology/kgo.ttl``).
:func:`infer` adds them to a Dataset as the named graph
``<{base}graph/inferred>``, so a query can tell asserted from inferred with
``GRAPH``, and ``kg validate`` leaves them out.

``owl:sameAs`` links to Wikidata are not reasoned over: OWL would copy every
fact onto the Wikidata IRI. Nor are documents, statements and observations:
the closure is slow (owlrl is pure Python), so it reads the entity layer only.

>>> from rdflib import Dataset, URIRef
>>> from kg.ontology import KGO
>>> ds = Dataset(default_union=True)
>>> lei, acme = URIRef("https://example.org/lei"), URIRef("https://example.org/acme")
>>> for t in [(lei, RDF.type, KGO.Person), (acme, RDF.type, KGO.Company),
...           (lei, KGO.worksFor, acme)]:
...     _ = ds.add(t)
>>> (acme, KGO.employs, lei) in ds
False
>>> (acme, KGO.employs, lei) in infer(ds)
True
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.term import Node

from kg.graph.records import Triple, sorted_triples
from kg.ontology import KGO, KGR_IRI, ontology_graph

#: Objects of inferred rdf:type triples that say nothing (every node is one).
_TRIVIAL_CLASSES = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual})


def inferred_graph(base: str = KGR_IRI) -> URIRef:
    """The name of the graph that holds inferred triples.

    >>> inferred_graph("https://example.org/")
    rdflib.term.URIRef('https://example.org/graph/inferred')
    """
    return URIRef(f"{base}graph/inferred")


def _triples(graph: Graph | Dataset) -> Iterable[Triple]:
    """The triples of a graph, or of every graph of a dataset but an inferred one."""
    if isinstance(graph, (Dataset, ConjunctiveGraph)):
        for s, p, o, context in graph.quads((None, None, None, None)):
            name = context.identifier if isinstance(context, Graph) else context
            if not str(name).endswith("/graph/inferred"):
                yield s, p, o
    else:
        yield from graph


def inferred_triples(graph: Graph | Dataset, *, ontology: Graph | None = None) -> list[Triple]:
    """What OWL 2 RL entails about a graph's nodes that the graph does not say, sorted.

    The closure reads the ontology, the entity classes of the graph's
    entities and the relations between them (the sub-properties of
    ``kgo:relation``); not documents, statements, observations, literals or
    ``owl:sameAs`` (on big graphs OWL RL costs about a second per thousand
    triples it reads, so it reads only what the ontology entails anything from
    that queries ask for).

    Parameters:
        graph: a graph or dataset (all its graphs are read, except an
            earlier graph of inferred triples).
        ontology: the ontology to reason with (kgo.ttl unless given).

    Returns:
        New triples whose subject is an IRI the graph describes (not an
        ontology term), without trivial ones (``owl:Thing``, ``x owl:sameAs x``).

    >>> from rdflib import Graph
    >>> from kg.ontology import KGO
    >>> g = Graph()
    >>> a, b = URIRef("https://example.org/a"), URIRef("https://example.org/b")
    >>> _ = g.add((a, KGO.partnersWith, b))
    >>> (b, KGO.partnersWith, a) in inferred_triples(g)
    True
    """
    import owlrl

    schema = ontology if ontology is not None else ontology_graph()
    classes = set(schema.transitive_subjects(RDFS.subClassOf, KGO.Entity))
    links = set(schema.transitive_subjects(RDFS.subPropertyOf, KGO.relation)) - {KGO.relation}
    nodes: set[Node] = set()
    asserted: set[Triple] = set()
    closure = Graph()
    for s, p, o in _triples(graph):
        if not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        asserted.add((s, p, o))
        if (p == RDF.type and o in classes) or p in links:
            nodes.add(s)
            if p != RDF.type:
                nodes.add(o)
            closure.add((s, p, o))
    for triple in schema:
        closure.add(triple)
    before = set(closure)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    return sorted_triples(
        (s, p, o)
        for s, p, o in closure
        if s in nodes
        and (s, p, o) not in before
        and p != OWL.sameAs
        and not (p == RDF.type and o in _TRIVIAL_CLASSES)
        and not isinstance(o, Literal)
        and (s, p, o) not in asserted
    )


def infer(dataset: Dataset, *, base: str = KGR_IRI, ontology: Graph | None = None) -> Dataset:
    """Add the triples OWL 2 RL entails to ``dataset`` as the graph ``<{base}graph/inferred>``.

    The dataset is changed in place and returned. Asserted triples are left
    where they are; an earlier inferred graph is replaced. A query over the
    union (``default_union``) then sees both, and ``GRAPH <…/graph/inferred>``
    only the inferred ones.

    >>> from kg.ontology import KGO
    >>> ds = Dataset(default_union=True)
    >>> _ = ds.add((URIRef("https://example.org/x"), RDF.type, KGO.Court))
    >>> sorted(o.n3() for o in infer(ds).graph(inferred_graph()).objects())[:2]
    ['<http://www.w3.org/ns/org#Organization>', '<http://www.w3.org/ns/prov#Entity>']
    """
    name = inferred_graph(base)
    dataset.remove_graph(dataset.graph(name))
    triples = inferred_triples(dataset, ontology=ontology)
    target = dataset.graph(name)
    for triple in triples:
        target.add(triple)
    return dataset


__all__ = ["infer", "inferred_graph", "inferred_triples"]
