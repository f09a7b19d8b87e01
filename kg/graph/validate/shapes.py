"""The shapes of the graph contract (``ontology/shapes.ttl``) and the ontology checked with them."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import OntologyError
from kg.graph.records import Triple
from kg.ontology import CORE_PREDICATES, KGO, KGO_IRI, ontology_dir, ontology_graph

__all__ = [
    "CORE_TERMS",
    "ENGINES",
    "KGS",
    "RECORD_CLASSES",
    "REPORT_PREFIXES",
    "SHAPES_IRI",
    "XSD_STRING",
    "domain_targets",
    "shapes_graph",
    "support_triples",
]


SHAPES_IRI = "https://w3id.org/kg-builder/shapes#"


#: The shapes namespace (kgs:), for the names of rules in reports.
KGS = Namespace(SHAPES_IRI)


#: What :func:`validate_graph` can check with.
ENGINES = ("pyshacl", "compiled")


XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


CORE_TERMS = frozenset(KGO[name] for name in CORE_PREDICATES)


RECORD_CLASSES = frozenset({KGO.Statement, KGO.Observation})


REPORT_PREFIXES = {
    SHAPES_IRI: "kgs:",
    KGO_IRI: "kgo:",
    str(RDF): "rdf:",
    str(RDFS): "rdfs:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2002/07/owl#": "owl:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}


@cache
def shapes_graph() -> Graph:
    """The shapes of the graph contract (``ontology/shapes.ttl``).

    >>> (KGS.Statement, RDF.type, SH.NodeShape) in shapes_graph()
    True
    """
    path = ontology_dir() / "shapes.ttl"
    try:
        return Graph().parse(path, format="turtle")
    except Exception as err:  # rdflib raises many parser-specific types
        raise OntologyError(f"{path}: not valid Turtle ({err}). Fix or reinstall kg.") from err


@cache
def support_triples() -> tuple[Triple, ...]:
    """What the shapes need from the ontology: the class hierarchy and its typed individuals."""
    return tuple((s, p, o) for s, p, o in ontology_graph() if p in (RDFS.subClassOf, RDF.type))


@cache
def domain_targets() -> dict[Node, tuple[Node, ...]]:
    """Shape -> predicates whose subjects it targets (the domain shapes)."""
    targets: dict[Node, list[Node]] = defaultdict(list)
    for shape, predicate in shapes_graph().subject_objects(SH.targetSubjectsOf):
        targets[shape].append(predicate)
    return {shape: tuple(sorted(ps, key=str)) for shape, ps in targets.items()}
