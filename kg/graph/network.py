"""The entity network of a graph for networkx, Gephi (GraphML, GEXF) and the views.

:func:`to_networkx` keeps the entities as nodes and the core relations between
them as edges, with the provenance of each relation; :func:`graphml_text` and
:func:`gexf_text` write it for Gephi.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL
from rdflib.term import Node

from kg.ontology import (
    CORE_PREDICATES,
    ENTITY_CLASSES,
    KGO,
    KGO_IRI,
    PROV,
    SYMMETRIC_PREDICATES,
    WD_IRI,
)
from kg.rdf.serialize import dataset_quads, ensure_newline
from kg.types import coarse_class

__all__ = ["gexf_text", "graphml_text", "to_networkx"]


def to_networkx(
    graph: Dataset | Graph, *, classes: Iterable[str] = ENTITY_CLASSES, provenance: bool = True
) -> nx.MultiDiGraph:
    """Return the entity network: entities as nodes, core relations as edges.

    Nodes are the subjects whose ``rdf:type`` is a ``kgo:`` class in
    ``classes`` (by default every entity class, not documents, statements or
    observations), keyed by IRI, with the string attributes ``label``,
    ``class`` (most specific class), ``coarse`` (Organization, Person, Place
    or Product) and ``wikidata`` (a Q-id, or ""). Edges are the direct
    triples of the fifteen core predicates between two such nodes, keyed by
    the predicate's local name, with attributes ``predicate`` (the IRI) and
    ``label`` (the local name). Nodes and edges are added in sorted order.

    With ``provenance`` (the default) an edge also carries what the graph's
    ``kgo:Statement`` records of its triple say (a symmetric relation's from
    either direction), each attribute only when the graph has it:
    ``confidence`` (a float: the ``kgo:Fact``'s combined confidence when
    several documents state the triple, else the statement's), and from the
    most confident statement ``evidence`` (the sentence), ``source`` (the
    document's IRI), ``source_title``, ``status`` (``planned``, ``ongoing``
    or ``ended``), ``start``, ``end`` and ``date`` (ISO dates, as precise as
    the text: ``2018-03``), ``duration`` and ``role``; ``statements`` lists
    every statement as such a dict (most confident first, with its ``iri``).
    GraphML and GEXF exports leave these out.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... <https://example.org/acme> a kgo:Company ; rdfs:label "Acme" ;
    ...     kgo:basedIn <https://example.org/paris> .
    ... <https://example.org/paris> a kgo:City ; rdfs:label "Paris" .
    ... ''')
    >>> net = to_networkx(g)
    >>> net.nodes["https://example.org/acme"]
    {'label': 'Acme', 'class': 'Company', 'coarse': 'Organization', 'wikidata': ''}
    >>> list(net.edges(keys=True))
    [('https://example.org/acme', 'https://example.org/paris', 'basedIn')]
    """
    triples = {q[:3] for q in dataset_quads(graph)}
    entities = _entities(triples, classes)
    network = nx.MultiDiGraph()
    _add_nodes(network, entities)
    stated = _edge_provenance(triples) if provenance else {}
    for s, name, o in sorted(entities.edges, key=lambda e: (str(e[0]), e[1], str(e[2]))):
        if s in entities.kinds and o in entities.kinds:
            extra = stated.get((str(s), name, str(o)), {})
            network.add_edge(
                str(s), str(o), key=name, predicate=KGO_IRI + name, label=name, **extra
            )
    return network


@dataclass(frozen=True)
class _Entities:
    """What the triples of a graph say of its entities, for :func:`to_networkx`."""

    kinds: dict[Node, str]  # entity -> its most specific class of those asked for
    labels: dict[Node, list[str]]  # entity -> its rdfs:label values
    wikidata: dict[Node, list[str]]  # entity -> the Q-ids of its owl:sameAs links
    edges: list[tuple[Node, str, Node]]  # core relation triples (predicate as local name)


def _entities(triples: Iterable[tuple[Node, Node, Node]], classes: Iterable[str]) -> _Entities:
    """The entities of ``classes`` among ``triples``, with their labels, Wikidata ids and
    core relations (between any two subjects: the caller keeps those between entities)."""
    rank = {name: i for i, name in enumerate(classes)}
    found = _Entities({}, {}, {}, [])
    kinds = found.kinds
    core: dict[Node, str] = {URIRef(KGO_IRI + name): name for name in CORE_PREDICATES}
    for s, p, o in triples:
        if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(KGO_IRI):
            local = str(o)[len(KGO_IRI) :]
            if local in rank and (s not in kinds or rank[local] < rank[kinds[s]]):
                kinds[s] = local
        elif p == RDFS.label and isinstance(o, Literal):
            found.labels.setdefault(s, []).append(str(o))
        elif p == OWL.sameAs and isinstance(o, URIRef) and str(o).startswith(WD_IRI):
            found.wikidata.setdefault(s, []).append(str(o)[len(WD_IRI) :])
        elif p in core:
            found.edges.append((s, core[p], o))
    return found


def _add_nodes(network: nx.MultiDiGraph, entities: _Entities) -> None:
    """Add the entities to ``network``, sorted, with their attributes (:func:`to_networkx`)."""
    for node in sorted(entities.kinds, key=str):
        cls = entities.kinds[node]
        labels = entities.labels
        label = min(labels[node]) if node in labels else _local_name(node)
        network.add_node(
            str(node),
            # GraphML and GEXF are XML, which cannot hold control characters at all
            label=_NOT_XML.sub("\ufffd", label),
            **{"class": cls},
            coarse=coarse_class(cls),
            wikidata=min(entities.wikidata[node]) if node in entities.wikidata else "",
        )


#: Statement properties -> edge attribute names (``to_networkx``).
_STATEMENT_FIELDS: dict[Node, str] = {
    PROV.wasDerivedFrom: "source",
    KGO.evidence: "evidence",
    KGO.confidence: "confidence",
    KGO.status: "status",
    KGO.startDate: "start",
    KGO.endDate: "end",
    KGO.date: "date",
    KGO.duration: "duration",
    KGO.role: "role",
}
#: The order of an edge's provenance attributes (dicts keep it; so do reprs of the network).
_EDGE_ORDER = (
    "confidence",
    "status",
    "start",
    "end",
    "date",
    "duration",
    "role",
    "evidence",
    "source",
    "source_title",
)
_TRIPLE_PARTS: dict[Node, int] = {
    RDF.subject: 0,
    RDF.predicate: 1,
    RDF.object: 2,
    KGO.tripleSubject: 0,
    KGO.triplePredicate: 1,
    KGO.tripleObject: 2,
}


def _edge_provenance(
    triples: Iterable[tuple[Node, Node, Node]],
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The edge attributes the statements and facts of a graph give each relation triple,
    keyed by (subject IRI, predicate local name, object IRI); see :func:`to_networkx`."""
    statements: set[Node] = set()
    facts: set[Node] = set()
    parts: dict[Node, dict[int, str]] = {}
    fields: dict[Node, dict[str, Any]] = {}
    titles: dict[str, str] = {}
    for s, p, o in triples:
        if p == RDF.type and o in (KGO.Statement, KGO.Fact):
            (statements if o == KGO.Statement else facts).add(s)
        elif p in _TRIPLE_PARTS:
            parts.setdefault(s, {})[_TRIPLE_PARTS[p]] = str(o)
        elif p in _STATEMENT_FIELDS:
            slot, name, value = fields.setdefault(s, {}), _STATEMENT_FIELDS[p], _edge_value(o)
            if name not in slot or str(value) < str(slot[name]):  # one value, whatever the order
                slot[name] = value
        elif p == DCTERMS.title:
            titles[str(s)] = str(o)

    def key(node: Node) -> tuple[str, str, str] | None:
        found = parts.get(node, {})
        if len(found) < 3 or not found[1].startswith(KGO_IRI):
            return None
        return found[0], found[1][len(KGO_IRI) :], found[2]

    by_triple: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for st in statements:
        triple = key(st)
        if triple is None:
            continue
        found = fields.get(st, {})
        if found.get("source") in titles:
            found["source_title"] = titles[found["source"]]
        record = {"iri": str(st), **{k: found[k] for k in _EDGE_ORDER if k in found}}
        by_triple.setdefault(triple, []).append(record)
        if triple[1] in SYMMETRIC_PREDICATES:
            by_triple.setdefault((triple[2], triple[1], triple[0]), []).append(record)
    combined: dict[tuple[str, str, str], float] = {}
    for fact in facts:
        triple = key(fact)
        if triple is not None and "confidence" in fields.get(fact, {}):
            combined[triple] = fields[fact]["confidence"]
            if triple[1] in SYMMETRIC_PREDICATES:
                combined[(triple[2], triple[1], triple[0])] = fields[fact]["confidence"]
    attributes: dict[tuple[str, str, str], dict[str, Any]] = {}
    for triple, records in by_triple.items():
        records.sort(key=lambda r: (-r.get("confidence", 0.0), r.get("source", ""), r["iri"]))
        best = {k: v for k, v in records[0].items() if k != "iri"}
        if triple in combined:
            best["confidence"] = combined[triple]
        attributes[triple] = {**best, "statements": records}
    return attributes


def _edge_value(term: Node) -> Any:
    """A statement field as an edge attribute: a float confidence, a status name, text."""
    if isinstance(term, URIRef) and str(term).startswith(KGO_IRI):
        return str(term)[len(KGO_IRI) :].lower()  # kgo:Ended -> "ended"
    if (
        isinstance(term, Literal)
        and term.datatype is not None
        and term.datatype.endswith("decimal")
    ):
        return float(term)
    return str(term)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _local_name(node: Node) -> str:
    text = str(node).rstrip("/#")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text


def graphml_text(graph: Dataset | Graph) -> str:
    """GraphML of the entity network (:func:`to_networkx`, without provenance)."""
    buffer = io.BytesIO()
    nx.write_graphml(
        to_networkx(graph, provenance=False), buffer, encoding="utf-8", prettyprint=True
    )
    return ensure_newline(buffer.getvalue().decode("utf-8"))


def gexf_text(graph: Dataset | Graph) -> str:
    """GEXF 1.2 for Gephi: the entity network, labels as GEXF labels, the rest as attributes.

    networkx stamps the file with today's date; it is left out, so the same
    graph gives the same file.
    """
    buffer = io.BytesIO()
    nx.write_gexf(to_networkx(graph, provenance=False), buffer, encoding="utf-8", prettyprint=True)
    text = re.sub(r' lastmodifieddate="[^"]*"', "", buffer.getvalue().decode("utf-8"), count=1)
    return ensure_newline(text)
