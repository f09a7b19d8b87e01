"""Checking a whole graph (:func:`validate_graph`) with pyshacl or the compiled shapes."""

from __future__ import annotations

import re
import time

from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import ShapesError
from kg.graph.records import Triple
from kg.graph.validate.compiled import CompiledShapes, ShapesNotCompiled, compiled_shapes
from kg.graph.validate.report import ValidationReport, Violation, node_labels, violation_key
from kg.graph.validate.shapes import ENGINES, shapes_graph
from kg.ontology import ontology_graph

__all__ = [
    "validate_graph",
]


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
    inferred triples (``…/graph/inferred``, see :mod:`kg.graph.reason`): they follow
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
    labels = node_labels(union, violations)
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
    return tuple(sorted(found, key=violation_key))
