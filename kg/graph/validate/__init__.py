"""Check graphs against ``ontology/shapes.ttl`` (SHACL), and keep what breaks it out of builds.

:func:`validate_graph` checks a whole graph with pyshacl and returns a
:class:`ValidationReport` (``kg validate`` prints it with
:func:`format_report`). :func:`kg.graph.assemble.assemble` checks a build as
it streams, one document graph at a time, with :func:`check_descriptions` and
:func:`check_document`, and sets the triples that break a shape aside in the
quarantine graph ``<{base}graph/quarantine>`` as :class:`kgo:QuarantinedTriple`
records, with the reason (kgo.ttl explains the model). The class tests of the
shapes follow ``rdfs:subClassOf`` of the ontology, which is always added to the
data checked.

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

from kg.graph.validate.compiled import CompiledShapes, ShapesNotCompiled, compiled_shapes
from kg.graph.validate.graph_check import validate_graph
from kg.graph.validate.quarantine import (
    QuarantinedTriple,
    check_descriptions,
    check_document,
    checked_default_graph,
    quarantine_block,
    quarantine_graph,
    quarantined,
    statements_of,
)
from kg.graph.validate.report import (
    ValidationReport,
    Violation,
    format_report,
    report_to_json,
    short,
)
from kg.graph.validate.shapes import ENGINES, KGS, SHAPES_IRI, shapes_graph

__all__ = [
    "ENGINES",
    "KGS",
    "SHAPES_IRI",
    "CompiledShapes",
    "QuarantinedTriple",
    "ShapesNotCompiled",
    "ValidationReport",
    "Violation",
    "check_descriptions",
    "check_document",
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
