"""Reading a built graph for scoring, and matching its nodes to gold entities (GOLD.md rule 2).

:class:`GraphView` reads the nodes, statements and facts of a graph in one pass;
:class:`Matcher` ranks the gold entities a node matches, best first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import cast

from rdflib import ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.eval.seeds_gold import GoldEntity
from kg.ontology import (
    CORE_PREDICATES,
    KGO,
    KGO_IRI,
    PROV,
    normalize_name,
)
from kg.rdf.index import TripleIndex
from kg.types import COARSE_CLASSES, coarse_class

__all__ = [
    "SCORED_COARSE",
    "GraphView",
    "Matcher",
    "NodeInfo",
    "kgo_term",
    "literal_decimal",
    "local_name",
]


_PROV_DERIVED = PROV.wasDerivedFrom


SCORED_COARSE = frozenset(COARSE_CLASSES)


def kgo_term(name: str) -> URIRef:
    """The kgo term of a name from this module's tables (fails on a name the ontology lacks)."""
    return cast(URIRef, getattr(KGO, name))


def local_name(term: Node) -> str:
    """The local name of a kgo IRI, the last path segment of another IRI, or a literal's text."""
    text = str(term)
    if isinstance(term, URIRef):
        if text.startswith(KGO_IRI):
            return text[len(KGO_IRI) :]
        return re.split(r"[#/]", text.rstrip("/#"))[-1]
    return text


def literal_decimal(value: Node | None) -> Decimal | None:
    if not isinstance(value, Literal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True, slots=True)
class NodeInfo:
    node: Node
    label: str | None
    alt_labels: tuple[str, ...]
    classes: tuple[str, ...]  # kgo local names, sorted
    docs: tuple[str, ...]

    @property
    def coarse(self) -> frozenset[str]:
        return frozenset(coarse_class(c) for c in self.classes)

    @property
    def in_scope(self) -> bool:
        return bool(self.coarse & SCORED_COARSE)

    @property
    def fine(self) -> str:
        """The class reported for the node: the first one of a coarse class, if any."""
        for c in self.classes:
            if coarse_class(c) in SCORED_COARSE:
                return c
        return self.classes[0]

    @property
    def names(self) -> tuple[str, ...]:
        return ((self.label,) if self.label is not None else ()) + self.alt_labels

    def describe(self) -> str:
        name = self.label if self.label is not None else (self.alt_labels or ("?",))[0]
        return f"{name!r} [{self.fine}] <{self.node}>"


def _scored_part(graph: Graph) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of every named graph of a dataset (every triple of a graph).

    A build states its relations in the articles' graphs; a relation in the
    default graph of such a dataset is background knowledge (where a gazetteer
    place lies), not extraction, and is not scored.
    """
    if not isinstance(graph, ConjunctiveGraph):
        yield from graph.triples((None, None, None))
        return
    core = {kgo_term(p) for p in CORE_PREDICATES}
    default = graph.default_context.identifier
    named = any(c.identifier != default for c in graph.contexts())
    for s, p, o, g in graph.quads((None, None, None, None)):
        in_default = g is None or getattr(g, "identifier", g) == default
        if not (named and in_default and p in core):
            yield s, p, o


class GraphView:
    """The parts of a built graph the scorer reads: its nodes, statements and facts, from
    one :class:`~kg.rdf.index.TripleIndex` of its scored triples (``triples``)."""

    def __init__(self, graph: Graph) -> None:
        self.triples = triples = TripleIndex(_scored_part(graph))
        self.nodes: dict[Node, NodeInfo] = {}
        for node, props in triples.by_subject.items():
            classes = {
                local_name(o)
                for o in props.get(RDF.type, ())
                if isinstance(o, URIRef) and str(o).startswith(KGO_IRI)
            }
            if not classes:
                continue
            labels = sorted(str(x) for x in props.get(RDFS.label, ()) if isinstance(x, Literal))
            alts = sorted(
                {str(x) for x in props.get(SKOS.altLabel, ()) if isinstance(x, Literal)}
                - set(labels[:1])
            )
            docs = sorted(self.doc_id(d) for d in props.get(KGO.mentionedIn, ()))
            self.nodes[node] = NodeInfo(
                node=node,
                label=labels[0] if labels else None,
                alt_labels=tuple(labels[1:] + alts),
                classes=tuple(sorted(classes)),
                docs=tuple(docs),
            )
        self.statements: dict[tuple[Node, Node, Node], list[Node]] = defaultdict(list)
        for stmt, props in triples.by_subject.items():
            for subj in props.get(RDF.subject, ()):
                for pred in props.get(RDF.predicate, ()):
                    for obj in props.get(RDF.object, ()):
                        self.statements[(subj, pred, obj)].append(stmt)
        for key in self.statements:
            self.statements[key].sort(key=str)
        self.facts = _fact_confidences(triples)

    def doc_id(self, doc: Node) -> str:
        ident = self.triples.value(doc, DCTERMS.identifier)
        return str(ident) if ident is not None else local_name(doc)

    def describe(self, node: Node) -> str:
        info = self.nodes.get(node)
        if info is not None:
            return info.describe()
        return repr(str(node)) if isinstance(node, Literal) else f"<{node}>"

    def name(self, node: Node) -> str:
        info = self.nodes.get(node)
        if info is not None and info.label is not None:
            return info.label
        return local_name(node)

    def evidence(self, statements: Iterable[Node]) -> tuple[str, ...]:
        out: list[str] = []
        for stmt in statements:
            docs = sorted(self.doc_id(d) for d in self.triples.objects(stmt, _PROV_DERIVED))
            quotes = sorted(str(e) for e in self.triples.objects(stmt, KGO.evidence))
            prefix = f"[{', '.join(docs)}] " if docs else ""
            out.extend(f"{prefix}{q}" for q in quotes or ["(no evidence)"])
        return tuple(out)


def _fact_confidences(triples: TripleIndex) -> dict[tuple[Node, Node, Node], Decimal]:
    """The ``kgo:confidence`` of each ``kgo:Fact``, by the triple it names (the highest)."""
    out: dict[tuple[Node, Node, Node], Decimal] = {}
    for fact in triples.subjects(RDF.type, KGO.Fact):
        s = triples.value(fact, KGO.tripleSubject)
        p = triples.value(fact, KGO.triplePredicate)
        o = triples.value(fact, KGO.tripleObject)
        if s is None or p is None or o is None:
            continue
        for value in triples.objects(fact, KGO.confidence):
            confidence = literal_decimal(value)
            if confidence is not None and confidence > out.get((s, p, o), Decimal(-1)):
                out[(s, p, o)] = confidence
    return out


class Matcher:
    """Which gold entities a graph node matches (GOLD.md rule 2), best first."""

    def __init__(self, entities: Sequence[GoldEntity]) -> None:
        self.entities = entities
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for i, entity in enumerate(entities):
            for key in dict.fromkeys(normalize_name(n) for n in entity.names):
                self.by_name[key].append(i)
        self.index = {e.label: i for i, e in enumerate(entities)}
        self._cache: dict[Node, tuple[tuple[int, int], ...]] = {}

    def ranked(self, info: NodeInfo) -> tuple[tuple[int, int], ...]:
        """(rank, gold index) pairs; rank 0 is the best kind of match."""
        cached = self._cache.get(info.node)
        if cached is not None:
            return cached
        coarse = info.coarse
        label_key = normalize_name(info.label) if info.label is not None else None
        found: dict[int, int] = {}
        for name in info.names:
            for i in self.by_name.get(normalize_name(name), ()):
                entity = self.entities[i]
                if entity.coarse not in coarse:
                    continue
                if info.label is not None and info.label == entity.label:
                    rank = 0  # the node's label is the gold label, as written
                elif label_key is not None and label_key == normalize_name(entity.label):
                    rank = 1
                elif label_key is not None and name == info.label:
                    rank = 2  # the node's label is one of the gold names
                else:
                    rank = 3  # only an altLabel matches
                found[i] = min(rank, found.get(i, rank))
        result = tuple(sorted((rank, i) for i, rank in found.items()))
        self._cache[info.node] = result
        return result

    def gold_of(self, view: GraphView, node: Node) -> frozenset[int]:
        info = view.nodes.get(node)
        if info is None:
            return frozenset()
        return frozenset(i for _, i in self.ranked(info))
