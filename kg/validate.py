"""Check graphs against ``ontology/shapes.ttl`` (SHACL), and keep what breaks it out of builds.

:func:`validate_graph` checks a whole graph with pyshacl and returns a
:class:`ValidationReport` (``kg validate`` prints it with
:func:`format_report`). :func:`checked_blocks` checks a build as it streams,
one batch of document graphs at a time, and sets the triples that break a
shape aside in the quarantine graph ``<{base}graph/quarantine>`` as
:class:`kgo:QuarantinedTriple` records, with the reason (kgo.ttl explains the
model). The class tests of the shapes follow ``rdfs:subClassOf`` of the
ontology, which is always added to the data checked.

>>> from rdflib import Graph
>>> g = Graph().parse(format="turtle", data='''
... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
... <https://example.org/acme> a kgo:Company ; kgo:basedIn <https://example.org/bob> .
... <https://example.org/bob> a kgo:Person ; <http://www.w3.org/2000/01/rdf-schema#label> "Bob" .
... ''')
>>> report = validate_graph(g)
>>> report.conforms
False
>>> sorted(v.rule for v in report.violations)
['kgs:EntityLabel', 'kgs:basedInRange']
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import OntologyError, ShapesError
from kg.graph import ONTOLOGY_IRI, Block, Triple, fact_triples, sorted_triples
from kg.ontology import CORE_PREDICATES, KGO, KGO_IRI, KGR_IRI, ontology_dir, ontology_graph

SHAPES_IRI = "https://w3id.org/kg-builder/shapes#"
#: The shapes namespace (kgs:), for the names of rules in reports.
KGS = Namespace(SHAPES_IRI)

#: What :func:`validate_graph` can check with.
ENGINES = ("pyshacl", "compiled")

_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
_CORE = frozenset(KGO[name] for name in CORE_PREDICATES)
_RECORDS = frozenset({KGO.Statement, KGO.Observation})
_PREFIXES = {
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


def quarantine_graph(base: str = KGR_IRI) -> URIRef:
    """The name of the graph that holds what a build set aside.

    >>> quarantine_graph("https://example.org/")
    rdflib.term.URIRef('https://example.org/graph/quarantine')
    """
    return URIRef(f"{base}graph/quarantine")


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
def _support() -> tuple[Triple, ...]:
    """What the shapes need from the ontology: the class hierarchy and its typed individuals."""
    return tuple((s, p, o) for s, p, o in ontology_graph() if p in (RDFS.subClassOf, RDF.type))


@cache
def _domain_targets() -> dict[Node, tuple[Node, ...]]:
    """Shape -> predicates whose subjects it targets (the domain shapes)."""
    targets: dict[Node, list[Node]] = defaultdict(list)
    for shape, predicate in shapes_graph().subject_objects(SH.targetSubjectsOf):
        targets[shape].append(predicate)
    return {shape: tuple(sorted(ps, key=str)) for shape, ps in targets.items()}


#################################################################
# Reports
#################################################################


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: which node broke which rule, on which property and value."""

    focus: Node
    shape: Node
    constraint: str  # the constraint component without its suffix: MinCount, Class...
    message: str
    path: Node | None = None
    value: Node | None = None

    @property
    def rule(self) -> str:
        """The shape's short name (``kgs:worksForRange``), or its IRI.

        >>> Violation(KGS.worksForRange, KGS.worksForRange, "Class", "m").rule
        'kgs:worksForRange'
        """
        return short(self.shape)

    def reason(self) -> str:
        """The violation in one line: message, rule, node and value.

        >>> v = Violation(URIRef("https://example.org/st"), KGS.Confidence, "MaxInclusive",
        ...               "confidence in [0, 1]", KGO.confidence, Literal(2))
        >>> v.reason()
        'confidence in [0, 1] (kgs:Confidence on <https://example.org/st>, kgo:confidence 2)'
        """
        where = f"{self.rule} on {short(self.focus)}"
        if self.path is not None:
            where += f", {short(self.path)}"
            if self.value is not None:
                where += f" {short(self.value)}"
        return f"{self.message} ({where})"


@dataclass(frozen=True)
class ValidationReport:
    """The violations of a graph, how many triples were checked and how long it took."""

    violations: tuple[Violation, ...]
    triples: int
    seconds: float = 0.0
    labels: dict[Node, str] = field(default_factory=dict)  # names of the nodes it mentions

    @property
    def conforms(self) -> bool:
        """True when nothing breaks a shape."""
        return not self.violations

    def by_rule(self) -> list[tuple[str, str, list[Violation]]]:
        """(rule, message, violations) groups, the biggest first, then by rule name."""
        groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[(v.rule, v.message)].append(v)
        order = sorted(groups, key=lambda k: (-len(groups[k]), k))
        return [(rule, message, groups[(rule, message)]) for rule, message in order]


def short(term: Node) -> str:
    """A term as a report shows it: a prefixed name, an IRI in <>, a literal's text.

    >>> short(KGO.worksFor), short(URIRef("https://example.org/x")), short(Literal("2.0"))
    ('kgo:worksFor', '<https://example.org/x>', '"2.0"')
    """
    if isinstance(term, URIRef):
        text = str(term)
        for namespace, prefix in _PREFIXES.items():
            if text.startswith(namespace) and "/" not in text[len(namespace) :]:
                return prefix + text[len(namespace) :]
        return f"<{text}>"
    if isinstance(term, Literal):
        if term.datatype is None or term.datatype == _XSD_STRING:
            return f'"{term}"'
        return str(term)
    return str(term)


def _union(graph: Graph | Dataset) -> tuple[set[Triple], int]:
    """The triples of every graph but inferred ones, with the ontology's; and how many were
    the graph's own."""
    union: set[Triple] = set()
    if isinstance(graph, (Dataset, ConjunctiveGraph)):
        for s, p, o, context in graph.quads((None, None, None, None)):
            name = context.identifier if isinstance(context, Graph) else context
            if name is not None and name != DATASET_DEFAULT_GRAPH_ID and _inferred(name):
                continue
            union.add((s, p, o))
    else:
        union.update(graph)
    count = len(union)
    union.update(ontology_graph())
    return union, count


def _inferred(name: Node) -> bool:
    return str(name).endswith("/graph/inferred")


def validate_graph(
    graph: Graph | Dataset, *, shapes: Graph | None = None, engine: str = "pyshacl"
) -> ValidationReport:
    """Check a graph against the shapes (``ontology/shapes.ttl`` unless ``shapes`` is given).

    A Dataset is checked as the union of its graphs, except the graph of
    inferred triples (``…/graph/inferred``, see :mod:`kg.reason`): they follow
    from checked ones, and superclasses give entities more than one type.
    The ontology is added to what is checked, so class tests follow its
    ``rdfs:subClassOf`` even when the graph does not hold it.

    Parameters:
        graph: the graph or dataset to check.
        shapes: SHACL shapes to check instead of the shipped ones.
        engine: ``pyshacl`` (the reference) or ``compiled`` (:class:`CompiledShapes`,
            what ``kg build`` uses: the same results, about ten times faster).

    Returns:
        A :class:`ValidationReport`; ``report.conforms`` is True when the graph
        breaks no shape. ``report.triples`` counts the triples checked, not
        counting the ontology's.

    Raises:
        ValueError: an unknown ``engine``.

    >>> from rdflib import Graph
    >>> validate_graph(Graph()).conforms
    True
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    union, count = _union(graph)
    if engine == "compiled":
        compiled = compiled_shapes() if shapes is None else _compile(shapes)
        violations = compiled.check(union, ontology=False)
    else:
        data = Graph()
        for triple in union:
            data.add(triple)
        violations = _run(data, shapes)
    labels = _labels(union, violations)
    return ValidationReport(
        violations=violations,
        triples=count,
        seconds=time.perf_counter() - started,
        labels=labels,
    )


def _compile(shapes: Graph) -> CompiledShapes:
    """Shapes given by a user, compiled; what cannot be is a :class:`~kg.errors.ShapesError`."""
    try:
        return CompiledShapes(shapes)
    except ShapesNotCompiled as err:
        raise ShapesNotCompiled(
            f"{err}, which the compiled engine does not check: use the pyshacl engine "
            "(--engine pyshacl)"
        ) from err
    except (re.error, ValueError, TypeError, KeyError) as err:
        raise ShapesError(f"the shapes cannot be read ({_first_line(err)})") from err


def _first_line(error: object) -> str:
    """The first line of an error's message (pyparsing and pySHACL messages run on)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join((lines[0] if lines else type(error).__name__).split())


def _run(data: Graph, shapes: Graph | None = None) -> tuple[Violation, ...]:
    """Run pyshacl on ``data`` in place (it is not changed) and read its results.

    Shapes pySHACL cannot use (a SPARQL constraint that does not parse, or
    that asks for SERVICE) raise :class:`~kg.errors.ShapesError`.
    """
    from pyparsing import ParseBaseException
    from pyshacl import validate
    from pyshacl.errors import ReportableRuntimeError

    try:
        conforms, results, text = validate(
            data, shacl_graph=shapes if shapes is not None else shapes_graph(), inplace=True
        )
    except ParseBaseException as err:
        raise ShapesError(
            f"a SPARQL query of the shapes is not valid ({_first_line(err)})"
        ) from err
    except ReportableRuntimeError as err:
        raise ShapesError(f"the shapes cannot be used ({_first_line(err)})") from err
    if conforms:
        return ()
    if not isinstance(results, Graph):  # pySHACL's "validation failure": no report
        raise ShapesError(f"the shapes cannot be used ({_first_line(text)})")
    found = set()
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        if focus is None or shape is None:
            continue
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        constraint = str(component or "").rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        found.add(
            Violation(
                focus=focus,
                shape=shape,
                constraint=constraint,
                message=messages[0] if messages else f"breaks {constraint}",
                path=results.value(result, SH.resultPath),
                value=results.value(result, SH.value),
            )
        )
    return tuple(sorted(found, key=_violation_key))


def _violation_key(v: Violation) -> tuple[str, ...]:
    return (v.rule, str(v.focus), str(v.path or ""), str(v.value or ""), v.constraint, v.message)


def _labels(triples: Iterable[Triple], violations: Iterable[Violation]) -> dict[Node, str]:
    """The plain-string labels of the nodes the violations name."""
    wanted = {n for v in violations for n in (v.focus, v.value) if isinstance(n, URIRef)}
    labels: dict[Node, str] = {}
    if not wanted:
        return labels
    for s, p, o in triples:
        if p == RDFS.label and s in wanted and isinstance(o, Literal) and not o.language:
            labels[s] = min(labels.get(s, str(o)), str(o))
    return labels


def format_report(report: ValidationReport, *, source: str = "the graph", limit: int = 10) -> str:
    """A readable report: a summary line, then each broken rule with its nodes.

    Each rule is a heading with its message and count; under it one line a
    violation: the node (with its label when it has one), the property and
    the value at fault (``(missing)`` when a required value is absent). At
    most ``limit`` lines a rule (0: all).

    >>> print(format_report(ValidationReport((), 12, 0.01)), end="")
    the graph conforms to the shapes: 12 triples checked in 0.0 s.
    """
    if report.conforms:
        return (
            f"{source} conforms to the shapes: {report.triples:,} triples checked "
            f"in {report.seconds:.1f} s.\n"
        )
    groups = report.by_rule()
    n = len(report.violations)
    lines = [
        f"{source} does not conform: {n:,} violation{'s' if n != 1 else ''} of "
        f"{len(groups)} rule{'s' if len(groups) != 1 else ''} ({report.triples:,} triples "
        f"checked in {report.seconds:.1f} s).",
    ]
    for rule, message, violations in groups:
        lines.append("")
        lines.append(f"{rule}: {message} [{violations[0].constraint}] ({len(violations):,})")
        shown = violations if not limit else violations[:limit]
        for v in shown:
            lines.append("  " + _describe(v, report.labels))
        if len(shown) < len(violations):
            lines.append(f"  ... and {len(violations) - len(shown):,} more")
    return "\n".join(lines) + "\n"


def _describe(v: Violation, labels: dict[Node, str]) -> str:
    def name(node: Node) -> str:
        label = labels.get(node)
        return f"{label} {short(node)}" if label else short(node)

    text = name(v.focus)
    if v.path is not None:
        text += f"  {short(v.path)}  "
        if v.value is not None and v.value != v.focus:
            text += name(v.value)
        elif v.constraint in {"MinCount", "QualifiedMinCount"}:
            text += "(missing)"
        else:
            text += "(too many)" if v.constraint == "MaxCount" else ""
    return text.rstrip()


def report_to_json(report: ValidationReport) -> dict[str, object]:
    """The report as a JSON-ready dict (``kg validate --format json``).

    >>> report_to_json(ValidationReport((), 3))["conforms"]
    True
    """
    return {
        "conforms": report.conforms,
        "triples": report.triples,
        "seconds": round(report.seconds, 3),
        "violations": [
            {
                "rule": v.rule,
                "constraint": v.constraint,
                "message": v.message,
                "focus": str(v.focus),
                "label": report.labels.get(v.focus),
                "path": None if v.path is None else str(v.path),
                "value": None if v.value is None else str(v.value),
            }
            for v in report.violations
        ],
    }


#################################################################
# The shapes compiled to Python, for builds
#################################################################

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
_TYPE, _SUBCLASS_OF = RDF.type, RDFS.subClassOf
_SUBJECT, _PREDICATE, _OBJECT = RDF.subject, RDF.predicate, RDF.object
_STATEMENT, _CONFIDENCE = KGO.Statement, KGO.confidence
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
            if p == _TYPE:
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
        return any(cls in self.superclasses(t) for t in self.objects(node, _TYPE))

    def instances(self, cls: Node) -> set[Node]:
        found: set[Node] = set()
        for typed in (self.typed, self.base.typed if self.base else {}):
            for t, members in typed.items():
                if cls in self.superclasses(t):
                    found |= members
        return found


@cache
def _support_index() -> _Index:
    """The index of :func:`_support`, built once and shared by every check."""
    return _Index(_support())


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
        return tuple(sorted(found, key=_violation_key))

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
        actual = _XSD_STRING
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


#################################################################
# Quarantine during a build
#################################################################


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
        found = sorted(set(violations), key=_violation_key)
        rules = sorted({v.shape for v in found if isinstance(v.shape, URIRef)}, key=str)
        return cls(triple, graph, tuple(v.reason() for v in found), tuple(rules))


def checked_blocks(
    blocks: Iterable[Block],
    *,
    base: str = KGR_IRI,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
) -> Iterator[Block]:
    """Check a build's blocks against the shapes as they stream; set aside what breaks them.

    ``blocks`` are as :func:`kg.graph.graph_blocks` yields them: the default
    graph (entity descriptions and facts) first, then the ontology and one
    graph per document. The entity descriptions are checked first
    (:func:`check_descriptions`); each document graph is then checked with the
    descriptions of the entities it names (:func:`check_document`), by
    :class:`CompiledShapes` (the same shapes, checked as pyshacl does but fast
    enough for every build). What breaks a shape is left out of its graph and
    recorded in the quarantine graph (:func:`quarantine_graph`), and the check
    repeats until what is left conforms. Set aside together: a statement or an
    observation whole with the relation triple it qualifies; a relation triple
    with its statement; an entity's description, and then each document's
    triples about that entity.

    Blocks come out in their order, except the default graph: it comes after
    the documents (its facts are recomputed from the statements that were
    kept, :func:`checked_default_graph`), followed by the quarantine graph when
    anything was set aside (:func:`quarantine_block`). ``on_quarantine`` is
    called with each triple set aside.

    >>> from kg.graph import graph_blocks
    >>> from kg.types import Entity
    >>> blocks = graph_blocks([Entity("org/acme", "Acme", "Company")], [])
    >>> [name is None for name, _ in checked_blocks(blocks)]
    [False, True]
    """
    descriptions: dict[Node, list[Triple]] | None = None
    statements: list[tuple[Triple, Node, Decimal]] = []
    records: list[QuarantinedTriple] = []

    def report(found: list[QuarantinedTriple]) -> None:
        records.extend(found)
        if on_quarantine is not None:
            for record in found:
                on_quarantine(record)

    for name, triples in blocks:
        if name is None:
            if descriptions is not None:
                raise ValueError("checked_blocks: the default graph came twice")
            descriptions, found = check_descriptions(triples, base=base)
            report(found)
        elif str(name) == ONTOLOGY_IRI:
            yield name, triples
        else:
            kept, found = check_document(name, triples, descriptions or {})
            report(found)
            statements.extend(statements_of(kept))
            yield name, kept
    if descriptions is not None:
        yield None, checked_default_graph(descriptions, statements, base=base)
    if records:
        yield quarantine_block(records, base=base)


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
    """``triples`` with the descriptions of the nodes they name, and of the nodes those
    descriptions name (a city's names the region it lies in, whose class its shape checks)."""
    data = list(triples)
    seen: set[Node] = set()
    todo = [n for s, _, o in triples for n in (s, o)]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            described = descriptions.get(node, ())
            data.extend(described)
            todo.extend(o for _, _, o in described)
    return data


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
    records = {s for s, p, o in triples if p == RDF.type and o in _RECORDS}
    faults: dict[Triple, list[Violation]] = defaultdict(list)
    for v in violations:
        unit: set[Triple] = set()
        if v.focus in records:
            unit.update(by_subject[v.focus])
        elif v.path is not None and v.value is not None and (v.focus, v.path, v.value) in present:
            unit.add((v.focus, v.path, v.value))
        elif v.path is None and v.shape in _domain_targets():
            predicates = _domain_targets()[v.shape]
            unit.update(t for t in by_subject.get(v.focus, ()) if t[1] in predicates)
        if not unit and v.path is not None:
            unit.update(t for t in by_subject.get(v.focus, ()) if t[1] == v.path)
        if not unit:
            unit.update(by_subject.get(v.focus, ()))
        for triple in unit:
            faults[triple].append(v)
    # A statement goes with the relation triple it qualifies, and the other way round.
    for statement in {s for s, p, o in triples if p == _TYPE and o == _STATEMENT}:
        together = list(by_subject[statement])
        direct = _direct(together)
        if direct is not None and direct in present:
            together.append(direct)
        reasons = {v for triple in together for v in faults.get(triple, ())}
        for triple in together if reasons else ():
            faults[triple] = sorted(reasons | set(faults.get(triple, ())), key=_violation_key)
    return dict(faults)


def _direct(described: Iterable[Triple]) -> Triple | None:
    """The relation triple a statement's own triples reify, if they name it whole."""
    s = p = o = None
    for _, predicate, value in described:
        if predicate == _SUBJECT:
            s = value
        elif predicate == _PREDICATE:
            p = value
        elif predicate == _OBJECT:
            o = value
    return None if s is None or p is None or o is None else (s, p, o)


def _value(triples: Iterable[Triple], predicate: Node) -> Node | None:
    return next((o for _, p, o in triples if p == predicate), None)


def statements_of(triples: Iterable[Triple]) -> Iterator[tuple[Triple, Node, Decimal]]:
    """(direct triple, statement, confidence) of each statement of a document graph."""
    by_subject = _by_subject(triples)
    for subject, described in by_subject.items():
        if not any(p == _TYPE and o == _STATEMENT for _, p, o in described):
            continue
        direct = _direct(described)
        confidence = _value(described, _CONFIDENCE)
        if direct is None or direct[1] not in _CORE or not isinstance(confidence, Literal):
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


__all__ = [
    "ENGINES",
    "KGS",
    "SHAPES_IRI",
    "Block",
    "CompiledShapes",
    "QuarantinedTriple",
    "ShapesNotCompiled",
    "ValidationReport",
    "Violation",
    "check_descriptions",
    "check_document",
    "checked_blocks",
    "checked_default_graph",
    "compiled_shapes",
    "format_report",
    "quarantine_block",
    "quarantine_graph",
    "quarantined",
    "report_to_json",
    "shapes_graph",
    "short",
    "statements_of",
    "validate_graph",
]
