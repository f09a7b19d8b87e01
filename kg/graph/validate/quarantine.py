"""Checking a build's graphs as they stream (:func:`kg.graph.assemble.assemble` calls these):
what breaks a shape is set aside in the quarantine graph as ``kgo:QuarantinedTriple``
records, with the reason.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg.graph.records import Block, Triple, fact_triples, sorted_triples
from kg.graph.validate.compiled import (
    KGO_CONFIDENCE,
    KGO_STATEMENT,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_SUBJECT,
    RDF_TYPE,
    CompiledShapes,
    compiled_shapes,
)
from kg.graph.validate.report import Violation, violation_key
from kg.graph.validate.shapes import CORE_TERMS, RECORD_CLASSES, domain_targets
from kg.ontology import KGO, KGR_IRI

__all__ = [
    "QuarantinedTriple",
    "check_descriptions",
    "check_document",
    "checked_default_graph",
    "described_nodes",
    "quarantine_block",
    "quarantine_graph",
    "quarantined",
    "statements_of",
    "walk_described",
]


def quarantine_graph(base: str = KGR_IRI) -> URIRef:
    """The name of the graph that holds what a build set aside.

    >>> quarantine_graph("https://example.org/")
    rdflib.term.URIRef('https://example.org/graph/quarantine')
    """
    return URIRef(f"{base}graph/quarantine")


@dataclass(frozen=True, slots=True)
class QuarantinedTriple:
    """A triple a build set aside: the graph it was meant for, why, and the shapes it broke."""

    triple: Triple
    graph: URIRef | None  # None: the default graph
    reasons: tuple[str, ...]
    rules: tuple[URIRef, ...] = ()

    @classmethod
    def of(
        cls, triple: Triple, graph: URIRef | None, violations: Iterable[Violation]
    ) -> QuarantinedTriple:
        """The record of ``triple`` set aside for ``violations``."""
        found = sorted(set(violations), key=violation_key)
        rules = sorted({v.shape for v in found if isinstance(v.shape, URIRef)}, key=str)
        return cls(triple, graph, tuple(v.reason() for v in found), tuple(rules))


def check_descriptions(
    triples: Iterable[Triple], *, base: str = KGR_IRI
) -> tuple[dict[Node, list[Triple]], list[QuarantinedTriple]]:
    """Check a build's entity descriptions (its default graph less the facts).

    Returns the descriptions that conform, by subject, for
    :func:`check_document`, and the records of what was set aside.
    """
    kept, records = _check_block(
        compiled_shapes(), None, [t for t in triples if not _is_fact(t, base)], {}
    )
    return _by_subject(kept), records


def check_document(
    name: URIRef, triples: Iterable[Triple], descriptions: Mapping[Node, Sequence[Triple]]
) -> tuple[list[Triple], list[QuarantinedTriple]]:
    """Check one document graph with the (checked) descriptions of the entities it names.

    Returns what is kept, in order, and the records of what was set aside. It
    depends on nothing else, so documents can be checked in any order or
    process.
    """
    return _check_block(compiled_shapes(), name, list(triples), descriptions)


def checked_default_graph(
    descriptions: Mapping[Node, Sequence[Triple]],
    statements: Iterable[tuple[Triple, Node, Decimal]],
    *,
    base: str = KGR_IRI,
) -> list[Triple]:
    """The default graph of a checked build: the kept descriptions and the facts of the
    kept statements (:func:`statements_of` of each document graph)."""
    described = [t for ts in descriptions.values() for t in ts]
    return sorted_triples([*described, *fact_triples(statements, base=base)])


def quarantine_block(records: Iterable[QuarantinedTriple], *, base: str = KGR_IRI) -> Block:
    """The quarantine graph holding ``records``."""
    return quarantine_graph(base), sorted_triples(_quarantine_triples(records, base))


def _is_fact(triple: Triple, base: str) -> bool:
    return str(triple[0]).startswith(f"{base}fact/")


def _check_block(
    compiled: CompiledShapes,
    name: URIRef | None,
    triples: list[Triple],
    descriptions: Mapping[Node, Sequence[Triple]],
) -> tuple[list[Triple], list[QuarantinedTriple]]:
    """Check one graph, with the descriptions of the nodes it names, until it conforms."""
    kept = triples
    records: list[QuarantinedTriple] = []
    for _ in range(5):  # each round sets aside at least one triple, or stops
        violations = compiled.check(_with_descriptions(kept, descriptions))
        if not violations:
            break
        faults = _faults(kept, violations)
        if not faults:
            break
        records.extend(
            QuarantinedTriple.of(t, name, vs) for t, vs in sorted(faults.items(), key=_key)
        )
        kept = [t for t in kept if t not in faults]
    return kept, records


def _with_descriptions(
    triples: list[Triple], descriptions: Mapping[Node, Sequence[Triple]]
) -> list[Triple]:
    """``triples`` with the descriptions of the nodes they name (:func:`described_nodes`)."""
    nodes = described_nodes(triples, descriptions)
    return [*triples, *(t for node in nodes for t in descriptions.get(node, ()))]


def described_nodes(
    triples: Sequence[Triple], descriptions: Mapping[Node, Sequence[Triple]]
) -> list[Node]:
    """The nodes (not literals) ``triples`` name, and those their descriptions name (a city's
    names the region it lies in, whose class its shape checks), in the order a check reads them."""
    # Literals are never described (and are slow to hash): left out.
    return walk_described(
        [n for s, _, o in triples for n in (s, o) if not isinstance(n, Literal)], descriptions
    )


def walk_described(todo: list[Node], descriptions: Mapping[Node, Sequence[Triple]]) -> list[Node]:
    """:func:`described_nodes` from the nodes a graph names, in their order (``todo`` is
    consumed): each node, then those its description names, depth first from the last."""
    found: list[Node] = []
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            found.append(node)
            todo.extend(o for _, _, o in descriptions.get(node, ()) if not isinstance(o, Literal))
    return found


def _key(item: tuple[Triple, object]) -> tuple[str, str, str]:
    s, p, o = item[0]
    return str(s), str(p), o.n3()


def _by_subject(triples: Iterable[Triple]) -> dict[Node, list[Triple]]:
    index: dict[Node, list[Triple]] = defaultdict(list)
    for triple in triples:
        index[triple[0]].append(triple)
    return index


def _faults(
    triples: list[Triple], violations: Sequence[Violation]
) -> dict[Triple, list[Violation]]:
    """The triples of one graph that each violation puts at fault, with what follows from them."""
    present = set(triples)
    by_subject = _by_subject(triples)
    records = {s for s, p, o in triples if p == RDF.type and o in RECORD_CLASSES}
    faults: dict[Triple, list[Violation]] = defaultdict(list)
    for v in violations:
        unit: set[Triple] = set()
        if v.focus in records:
            unit.update(by_subject[v.focus])
        elif v.path is not None and v.value is not None and (v.focus, v.path, v.value) in present:
            unit.add((v.focus, v.path, v.value))
        elif v.path is None and v.shape in domain_targets():
            predicates = domain_targets()[v.shape]
            unit.update(t for t in by_subject.get(v.focus, ()) if t[1] in predicates)
        if not unit and v.path is not None:
            unit.update(t for t in by_subject.get(v.focus, ()) if t[1] == v.path)
        if not unit:
            unit.update(by_subject.get(v.focus, ()))
        for triple in unit:
            faults[triple].append(v)
    # A statement goes with the relation triple it qualifies, and the other way round.
    for statement in {s for s, p, o in triples if p == RDF_TYPE and o == KGO_STATEMENT}:
        together = list(by_subject[statement])
        direct = _direct(together)
        if direct is not None and direct in present:
            together.append(direct)
        reasons = {v for triple in together for v in faults.get(triple, ())}
        for triple in together if reasons else ():
            faults[triple] = sorted(reasons | set(faults.get(triple, ())), key=violation_key)
    return dict(faults)


def _direct(described: Iterable[Triple]) -> Triple | None:
    """The relation triple a statement's own triples reify, if they name it whole."""
    s = p = o = None
    for _, predicate, value in described:
        if predicate == RDF_SUBJECT:
            s = value
        elif predicate == RDF_PREDICATE:
            p = value
        elif predicate == RDF_OBJECT:
            o = value
    return None if s is None or p is None or o is None else (s, p, o)


def _value(triples: Iterable[Triple], predicate: Node) -> Node | None:
    return next((o for _, p, o in triples if p == predicate), None)


def statements_of(triples: Iterable[Triple]) -> Iterator[tuple[Triple, Node, Decimal]]:
    """(direct triple, statement, confidence) of each statement of a document graph."""
    by_subject = _by_subject(triples)
    for subject, described in by_subject.items():
        if not any(p == RDF_TYPE and o == KGO_STATEMENT for _, p, o in described):
            continue
        direct = _direct(described)
        confidence = _value(described, KGO_CONFIDENCE)
        if direct is None or direct[1] not in CORE_TERMS or not isinstance(confidence, Literal):
            continue
        try:
            number = Decimal(str(confidence))
        except InvalidOperation:
            continue
        yield direct, subject, number


def _quarantine_triples(records: Iterable[QuarantinedTriple], base: str) -> Iterator[Triple]:
    """The quarantine graph: one kgo:QuarantinedTriple record for each triple set aside."""
    for record in records:
        s, p, o = record.triple
        graph = "" if record.graph is None else str(record.graph)
        digest = hashlib.sha1("\x1f".join((graph, s.n3(), p.n3(), o.n3())).encode()).hexdigest()
        node = URIRef(f"{base}quarantine/{digest[:16]}")
        yield node, RDF.type, KGO.QuarantinedTriple
        yield node, KGO.tripleSubject, s
        yield node, KGO.triplePredicate, p
        yield node, KGO.tripleObject, o
        if record.graph is not None:
            yield node, KGO.quarantinedFrom, record.graph
        for reason in record.reasons:
            yield node, KGO.reason, Literal(reason)
        for rule in record.rules:
            yield node, KGO.violates, rule


def quarantined(graph: Graph | Dataset, *, base: str = KGR_IRI) -> list[QuarantinedTriple]:
    """The triples a build set aside, read back from its quarantine graph.

    >>> quarantined(Dataset())
    []
    """
    found: list[QuarantinedTriple] = []
    for node in sorted(set(graph.subjects(RDF.type, KGO.QuarantinedTriple)), key=str):
        s = graph.value(node, KGO.tripleSubject)
        p = graph.value(node, KGO.triplePredicate)
        o = graph.value(node, KGO.tripleObject)
        if s is None or p is None or o is None:
            continue
        source = graph.value(node, KGO.quarantinedFrom)
        found.append(
            QuarantinedTriple(
                (s, p, o),
                source if isinstance(source, URIRef) else None,
                tuple(sorted(str(r) for r in graph.objects(node, KGO.reason))),
                tuple(
                    sorted(
                        (r for r in graph.objects(node, KGO.violates) if isinstance(r, URIRef)),
                        key=str,
                    )
                ),
            )
        )
    return found
