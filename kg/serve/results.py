"""The answers of ``kg serve``: the result format a request asks for, and the bytes sent.

:func:`negotiate` reads ``?format=`` and the ``Accept`` header; :func:`render`
writes a result as SPARQL JSON, CSV, TSV, XML, Turtle or N-Triples;
:class:`Refused` is a request answered with an error status and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.graph.export import export_graph
from kg.query.check import ParsedQuery
from kg.query.formats import format_result
from kg.query.result import QueryResult

__all__ = ["MEDIA_TYPE", "RESULT_TYPES", "Refused", "negotiate", "render"]

#: Result formats by media type, in the server's order of preference.
RESULT_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "rows": (
        ("application/sparql-results+json", "json"),
        ("application/json", "json"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/sparql-results+xml", "xml"),
        ("application/xml", "xml"),
    ),
    "graph": (
        ("text/turtle", "turtle"),
        ("application/x-turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("text/plain", "nt"),
    ),
}
MEDIA_TYPE = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
}


class Refused(Exception):
    """A request answered with an error status and a one-line reason."""

    def __init__(
        self, status: HTTPStatus, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def negotiate(parsed: ParsedQuery, accept: str | None, formats: list[str]) -> str:
    """The result format for a query from ``?format=`` or the Accept header."""
    family = "rows" if parsed.kind in ("SELECT", "ASK") else "graph"
    offered = RESULT_TYPES[family]
    names = {name for _, name in offered}
    for wanted in formats:  # ?format= wins when it names a format of this kind of result
        key = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt"}.get(wanted.lower(), wanted)
        if key.lower() in names:
            return key.lower()
    if not accept or not accept.strip():
        return offered[0][1]
    ranges = _accept_ranges(accept)
    best: tuple[float, int, str] | None = None
    for order, (media_type, name) in enumerate(offered):
        quality = _quality(media_type, ranges)
        if quality > 0 and (best is None or (quality, -order) > (best[0], best[1])):
            best = (quality, -order, name)
    if best is None:
        kinds = ", ".join(t for t, _ in offered)
        raise Refused(
            HTTPStatus.NOT_ACCEPTABLE,
            f"a {parsed.kind} result can be sent as {kinds}; the Accept header asks for none.",
        )
    return best[2]


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        fields = [f.strip() for f in item.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for field in fields[1:]:
            key, _, value = field.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none does)."""
    major = media_type.split("/")[0]
    best_specificity, best_quality = -1, 0.0
    for pattern, quality in ranges:
        if pattern == media_type:
            specificity = 2
        elif pattern == f"{major}/*":
            specificity = 1
        elif pattern == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_quality = specificity, quality
    return best_quality


def render(result: QueryResult, fmt: str) -> bytes:
    if fmt == "xml":
        return _xml(result).encode("utf-8")
    if fmt == "nt":
        assert result.graph is not None
        return (export_graph(result.graph, format="nt") or "").encode("utf-8")
    if fmt == "turtle":
        return format_result(result).encode("utf-8")
    return format_result(result, format=fmt).encode("utf-8")


def _xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format."""
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if result.kind == "ASK":
        out.append("<head/>\n")
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>\n")
    else:
        out.append("<head>")
        out.extend(f"<variable name={quoteattr(v)}/>" for v in result.vars)
        out.append("</head>\n<results>\n")
        for row in result.rows:
            out.append("<result>")
            for name, term in zip(result.vars, row, strict=True):
                if term is not None:
                    out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
            out.append("</result>\n")
        out.append("</results>\n")
    out.append("</sparql>\n")
    return "".join(out)


def _xml_term(term: Node) -> str:
    text = _xml_text(str(term))
    if isinstance(term, URIRef):
        return f"<uri>{text}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{text}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{text}</literal>"
        datatype = str(term.datatype) if term.datatype is not None else ""
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(datatype)}>{text}</literal>"
        return f"<literal>{text}</literal>"
    return f"<literal>{text}</literal>"


# Characters XML 1.0 cannot hold, even escaped (a graph file may have them in a literal).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    """Text escaped for XML; characters XML cannot hold become U+FFFD.

    >>> _xml_text("a < b\x01")
    'a &lt; b\ufffd'
    """
    return escape(_NOT_XML.sub("\ufffd", text))
