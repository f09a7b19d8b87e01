"""The shapes compiled to Python (:class:`CompiledShapes`): the SHACL Core subset kg's shapes use,
checked as pyshacl does but fast enough to check a build as it streams.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import ShapesError
from kg.graph.records import Triple
from kg.graph.validate.report import Violation, short, violation_key
from kg.graph.validate.shapes import XSD_STRING, shapes_graph, support_triples
from kg.ontology import KGO

__all__ = [
    "KGO_CONFIDENCE",
    "KGO_STATEMENT",
    "RDF_OBJECT",
    "RDF_PREDICATE",
    "RDF_SUBJECT",
    "RDF_TYPE",
    "CompiledShapes",
    "ShapesNotCompiled",
    "compiled_shapes",
]


_SH = str(SH)


#: Constraint parameters CompiledShapes checks, by local name.
_CONSTRAINTS = frozenset(
    {
        *("class", "datatype", "nodeKind", "in", "pattern", "lessThan"),
        *("minCount", "maxCount", "minLength", "maxLength"),
        *("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"),
    }
)


#: Other SHACL terms a compiled shape may use (targets, structure, annotations).
_STRUCTURE = frozenset(
    {
        *("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"),
        *("property", "path", "message", "flags", "severity"),
        *("name", "description", "order", "group"),
    }
)


_NODE_KINDS: dict[str, tuple[type, ...]] = {
    "IRI": (URIRef,),
    "Literal": (Literal,),
    "BlankNode": (BNode,),
    "BlankNodeOrIRI": (BNode, URIRef),
    "BlankNodeOrLiteral": (BNode, Literal),
    "IRIOrLiteral": (URIRef, Literal),
}


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "minInclusive": lambda v, b: v >= b,
    "maxInclusive": lambda v, b: v <= b,
    "minExclusive": lambda v, b: v > b,
    "maxExclusive": lambda v, b: v < b,
    "lessThan": lambda v, b: v < b,
}


class ShapesNotCompiled(ShapesError):
    """The shapes use a SHACL feature :class:`CompiledShapes` does not implement."""


@dataclass(frozen=True)
class _Shape:
    node: Node
    message: str
    path: Node | None = None  # None: a node shape
    constraints: tuple[tuple[str, Any], ...] = ()  # (parameter's local name, compiled value)


@dataclass(frozen=True)
class _NodeShape:
    shape: _Shape
    target_classes: tuple[Node, ...]
    target_subjects_of: tuple[Node, ...]
    target_objects_of: tuple[Node, ...]
    target_nodes: tuple[Node, ...]
    properties: tuple[_Shape, ...]


# Looked up once: rdflib's namespace attributes cost a function call each.
RDF_TYPE, _SUBCLASS_OF = RDF.type, RDFS.subClassOf


RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = RDF.subject, RDF.predicate, RDF.object


KGO_STATEMENT, KGO_CONFIDENCE = KGO.Statement, KGO.confidence


_NOTHING: frozenset[Node] = frozenset()


class _Index:
    """Subject -> predicate -> objects, and predicate -> subjects/objects, of a set of triples.

    With ``base``, an index of triples shared by every check (the ontology's
    class hierarchy), the index answers for both sets without copying the
    base; the base's superclass closure is shared unless these triples add
    to the hierarchy.
    """

    def __init__(self, triples: Iterable[Triple], base: _Index | None = None) -> None:
        self.spo: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.p_subjects: dict[Node, set[Node]] = defaultdict(set)
        self.p_objects: dict[Node, set[Node]] = defaultdict(set)
        self.typed: dict[Node, set[Node]] = defaultdict(set)  # class -> its direct instances
        for s, p, o in triples:
            self.spo[s][p].add(o)
            self.p_subjects[p].add(s)
            self.p_objects[p].add(o)
            if p == RDF_TYPE:
                self.typed[o].add(s)
        self.base = base
        shared = base is not None and _SUBCLASS_OF not in self.p_subjects
        self.supers: dict[Node, set[Node]] = base.supers if shared and base else {}

    def objects(self, subject: Node, predicate: Node) -> set[Node] | frozenset[Node]:
        described = self.spo.get(subject)
        own = described.get(predicate, _NOTHING) if described else _NOTHING
        if self.base is None:
            return own
        inherited = self.base.objects(subject, predicate)
        return (own | inherited) if own and inherited else (own or inherited)

    def subjects_of(self, predicate: Node) -> set[Node] | frozenset[Node]:
        own = self.p_subjects.get(predicate, _NOTHING)
        return own | self.base.subjects_of(predicate) if self.base else own

    def objects_of(self, predicate: Node) -> set[Node] | frozenset[Node]:
        own = self.p_objects.get(predicate, _NOTHING)
        return own | self.base.objects_of(predicate) if self.base else own

    def superclasses(self, cls: Node) -> set[Node]:
        found = self.supers.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), _SUBCLASS_OF):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            self.supers[cls] = found
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF_TYPE))

    def instances(self, cls: Node) -> set[Node]:
        found: set[Node] = set()
        for typed in (self.typed, self.base.typed if self.base else {}):
            for t, members in typed.items():
                if cls in self.superclasses(t):
                    found |= members
        return found


@cache
def _support_index() -> _Index:
    """The index of :func:`support_triples`, built once and shared by every check."""
    return _Index(support_triples())


class CompiledShapes:
    """The shapes read once into Python checks: the SHACL Core subset shapes.ttl uses.

    pyshacl evaluates each property shape on each node with a high fixed cost
    (about 100 s for 3,000 articles); this checks the same rules with
    dictionary look-ups. It reads targets (class, subjects-of, objects-of,
    node), sh:property with a predicate path, and the constraints sh:class,
    datatype, nodeKind, minCount, maxCount, minLength, maxLength, pattern,
    in, min/maxInclusive, min/maxExclusive and lessThan, and reports them as
    pyshacl does (same focus node, shape, path and value). Shapes that use
    anything else raise :class:`ShapesNotCompiled`: use pyshacl then.

    >>> compiled = CompiledShapes(shapes_graph())
    >>> from rdflib import Literal, URIRef
    >>> acme = URIRef("https://example.org/acme")
    >>> [v.rule for v in compiled.check([(acme, RDF.type, KGO.Company)])]
    ['kgs:EntityLabel']
    """

    def __init__(self, shapes: Graph) -> None:
        self.node_shapes = tuple(
            self._node_shape(shapes, node)
            for node in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str)
        )

    def _node_shape(self, g: Graph, node: Node) -> _NodeShape:
        def objects(p: Node) -> tuple[Node, ...]:
            return tuple(sorted(g.objects(node, p), key=str))

        return _NodeShape(
            shape=self._shape(g, node, path=None),
            target_classes=objects(SH.targetClass),
            target_subjects_of=objects(SH.targetSubjectsOf),
            target_objects_of=objects(SH.targetObjectsOf),
            target_nodes=objects(SH.targetNode),
            properties=tuple(
                self._shape(g, s, path=g.value(s, SH.path)) for s in objects(SH.property)
            ),
        )

    @staticmethod
    def _shape(g: Graph, node: Node, *, path: Node | None) -> _Shape:
        constraints: list[tuple[str, Any]] = []
        for p, o in g.predicate_objects(node):
            name = str(p)[len(_SH) :] if str(p).startswith(_SH) else None
            if name is None or name in _STRUCTURE:
                continue
            if name not in _CONSTRAINTS:
                raise ShapesNotCompiled(f"{short(node)} uses sh:{name}")
            if name in {"minCount", "maxCount", "minLength", "maxLength"}:
                constraints.append((name, int(o)))  # type: ignore[call-overload]
            elif name == "nodeKind":
                constraints.append((name, _NODE_KINDS[str(o)[len(_SH) :]]))
            elif name == "in":
                constraints.append((name, frozenset(Collection(g, o))))
            elif name == "pattern":
                flags = str(g.value(node, SH.flags) or "")
                constraints.append((name, re.compile(str(o), re.IGNORECASE if "i" in flags else 0)))
            else:
                constraints.append((name, o))
        if path is not None and not isinstance(path, URIRef):
            raise ShapesNotCompiled(f"{short(node)} has a complex sh:path")
        messages = sorted(str(m) for m in g.objects(node, SH.message))
        return _Shape(
            node=node,
            message=messages[0] if messages else "",
            path=path,
            constraints=tuple(sorted(constraints, key=lambda c: (c[0], str(c[1])))),
        )

    def check(self, triples: Iterable[Triple], *, ontology: bool = True) -> tuple[Violation, ...]:
        """The violations of a set of triples.

        With ``ontology`` the class hierarchy (and typed individuals) of
        kgo.ttl are added to them, as :func:`validate_graph` does.
        """
        index = _Index(triples, _support_index()) if ontology else _Index(triples)
        found: set[Violation] = set()
        for ns in self.node_shapes:
            for focus in self._focus_nodes(ns, index):
                found.update(self._check(ns.shape, focus, [focus], index))
                for prop in ns.properties:
                    assert prop.path is not None
                    values = index.objects(focus, prop.path)  # the report is sorted
                    found.update(self._check(prop, focus, values, index))
        return tuple(sorted(found, key=violation_key))

    @staticmethod
    def _focus_nodes(ns: _NodeShape, index: _Index) -> set[Node]:
        focus: set[Node] = set(ns.target_nodes)
        for cls in ns.target_classes:
            focus |= index.instances(cls)
        for p in ns.target_subjects_of:
            focus |= index.subjects_of(p)
        for p in ns.target_objects_of:
            focus |= index.objects_of(p)
        return focus

    def _check(
        self, shape: _Shape, focus: Node, values: Sequence[Node] | AbstractSet[Node], index: _Index
    ) -> Iterator[Violation]:
        def fail(constraint: str, value: Node | None) -> Violation:
            return Violation(
                focus,
                shape.node,
                constraint[0].upper() + constraint[1:],
                shape.message or f"breaks sh:{constraint}",
                shape.path,
                value,
            )

        for kind, bound in shape.constraints:
            if kind == "minCount":
                if len(values) < bound:
                    yield fail(kind, None)
            elif kind == "maxCount":
                if len(values) > bound:
                    yield fail(kind, None)
            elif kind == "class":
                yield from (fail(kind, v) for v in values if not index.is_instance(v, bound))
            elif kind == "datatype":
                yield from (fail(kind, v) for v in values if not _has_datatype(v, bound))
            elif kind == "nodeKind":
                yield from (fail(kind, v) for v in values if not isinstance(v, bound))
            elif kind == "minLength":
                yield from (
                    fail(kind, v) for v in values if isinstance(v, BNode) or len(str(v)) < bound
                )
            elif kind == "maxLength":
                yield from (
                    fail(kind, v) for v in values if isinstance(v, BNode) or len(str(v)) > bound
                )
            elif kind == "pattern":
                yield from (
                    fail(kind, v)
                    for v in values
                    if isinstance(v, BNode) or not bound.search(str(v))
                )
            elif kind == "in":
                yield from (fail(kind, v) for v in values if v not in bound)
            elif kind == "lessThan":
                others = index.objects(focus, bound)
                holds = _COMPARISONS[kind]
                yield from (
                    fail(kind, v) for v in values if any(not _compares(v, w, holds) for w in others)
                )
            else:
                holds = _COMPARISONS[kind]
                yield from (fail(kind, v) for v in values if not _compares(v, bound, holds))


def _has_datatype(value: Node, datatype: Node) -> bool:
    if not isinstance(value, Literal):
        return False
    actual = value.datatype
    if actual is None and value.language is None:
        actual = XSD_STRING
    return actual == datatype and not value.ill_typed


def _compares(value: Node, bound: Node, holds: Callable[[Any, Any], bool]) -> bool:
    if not isinstance(value, Literal) or not isinstance(bound, Literal) or value.ill_typed:
        return False
    try:
        return bool(holds(value.toPython(), bound.toPython()))
    except TypeError:
        return False


@cache
def compiled_shapes() -> CompiledShapes:
    """The shipped shapes, compiled once (see :class:`CompiledShapes`).

    >>> compiled_shapes() is compiled_shapes()
    True
    """
    return CompiledShapes(shapes_graph())
