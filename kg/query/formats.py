"""Query results as text: an aligned table, CSV, TSV and JSON (the W3C SPARQL 1.1 result
formats), and Turtle for CONSTRUCT and DESCRIBE.

>>> print(format_result(QueryResult(kind="ASK", boolean=True)), end="")
true
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import UnsupportedFormatError
from kg.query.result import QueryResult
from kg.query.text import cell_text, shorten, table_text
from kg.rdf.dataset import walk_labelled
from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import ox_term_converter
from kg.rdf.turtle import TurtleWriter, turtle_text

__all__ = ["OUTPUT_FORMATS", "format_graph", "format_result"]

_XSD = PREFIXES["xsd"]
_NUMERIC = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
}


#: The result formats of :func:`format_result`.
OUTPUT_FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json")


def format_result(
    result: QueryResult, *, format: str = "table", prefixes: Mapping[str, str] | None = None
) -> str:
    """Render a result as text; every format ends with a newline.

    Formats: ``table`` (aligned columns, IRIs shortened with ``prefixes``,
    e.g. ``kgr:company/xiaomi``), ``csv`` and ``tsv`` (W3C SPARQL 1.1
    Query Results CSV and TSV; CSV lines end with CRLF as the spec says),
    ``json`` (SPARQL 1.1 Query Results JSON). ASK gives ``true`` or
    ``false`` (``{"head":{},"boolean":true}`` in json); CONSTRUCT and
    DESCRIBE give Turtle whatever the format.

    Parameters:
        prefixes: prefix -> namespace used for the table and for Turtle;
            by default the result's own (predeclared + graph + query).

    >>> r = QueryResult(kind="SELECT", vars=("x",), rows=((Literal("a,b"),), (None,)))
    >>> format_result(r, format="csv")
    'x\\r\\n"a,b"\\r\\n\\r\\n'
    >>> format_result(QueryResult(kind="ASK", boolean=True), format="json")
    '{"head":{},"boolean":true}\\n'
    """
    if format not in OUTPUT_FORMATS:
        raise UnsupportedFormatError(
            f"unknown result format {format!r}; use one of {', '.join(OUTPUT_FORMATS)}."
        )
    names = dict(prefixes if prefixes is not None else (result.prefixes or PREFIXES))
    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        return format_graph(result.graph if result.graph is not None else Graph(), names)
    if result.kind == "ASK":
        if format == "json":
            return (
                json.dumps({"head": {}, "boolean": bool(result.boolean)}, separators=(",", ":"))
                + "\n"
            )
        return ("true" if result.boolean else "false") + "\n"
    if format == "csv":
        return _csv(result)
    if format == "tsv":
        return _tsv(result)
    if format == "json":
        return _json(result)
    return _table(result, names)


def format_graph(graph: Graph, prefixes: Mapping[str, str], *, syntax: str = "turtle") -> str:
    """A CONSTRUCT or DESCRIBE graph as Turtle (``syntax="nt"``: N-Triples), in linear time.

    Turtle is written by :mod:`kg.rdf.turtle`: one block per subject, IRIs with
    ``prefixes`` (only those used are declared), a blank node used once
    nested where it is used (a few levels deep at most), the others written
    as labels (``_:b0``) numbered in the order a walk from the sorted triples
    reaches them, so a chain of thousands of them needs no recursion and the
    same graph gives the same text.

    >>> g = Graph()
    >>> a, p, b = URIRef("https://example.org/a"), URIRef("https://example.org/p"), BNode()
    >>> _ = g.add((a, p, b)); _ = g.add((b, p, Literal("x")))
    >>> print(format_graph(g, {"ex": "https://example.org/", "no": "urn:no:"}), end="")
    @prefix ex: <https://example.org/> .
    <BLANKLINE>
    ex:a ex:p [ ex:p "x" ] .
    """
    quads = walk_labelled([(*t, None) for t in graph.triples((None, None, None))])
    if syntax == "nt":
        convert = ox_term_converter()
        triples = [ox.Triple(convert(s), convert(p), convert(o)) for s, p, o, _ in quads]
        return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    return turtle_text((q[:3] for q in quads), TurtleWriter(prefixes))


def _csv(result: QueryResult) -> str:
    lines = [",".join(_csv_field(v) for v in result.vars)]
    for row in result.rows:
        lines.append(",".join(_csv_field(_plain(term)) for term in row))
    return "".join(line + "\r\n" for line in lines)


def _csv_field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _plain(term: Node | None) -> str:
    """The CSV form of a term: IRI, lexical form, or _:label; '' when unbound."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _tsv(result: QueryResult) -> str:
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result.rows:
        lines.append("\t".join(_turtle_term(term) for term in row))
    return "".join(line + "\n" for line in lines)


_TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _turtle_term(term: Node | None) -> str:
    """The TSV (Turtle) form of a term; '' when unbound."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term)
        datatype = str(term.datatype) if term.datatype is not None else None
        pattern = _NUMERIC.get(datatype or "")
        if pattern is not None and pattern.fullmatch(lexical):
            return lexical
        quoted = '"' + lexical.translate(_TURTLE_ESCAPES) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if datatype and datatype != _XSD + "string":
            return f"{quoted}^^<{datatype}>"
        return quoted
    return str(term)


def _json(result: QueryResult) -> str:
    bindings = []
    for row in result.rows:
        binding: dict[str, Any] = {}
        for name, term in zip(result.vars, row, strict=True):
            if term is not None:
                binding[name] = _json_term(term)
        bindings.append(binding)
    document = {"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != _XSD + "string":
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


def _table(result: QueryResult, prefixes: Mapping[str, str]) -> str:
    namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    return table_text(
        result.vars, [[_cell(term, namespaces) for term in row] for row in result.rows]
    )


def _cell(term: Node | None, namespaces: list[tuple[str, str]]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term), namespaces)
    if isinstance(term, BNode):
        return f"_:{term}"
    # A table is for reading: literals show their text (CSV, TSV and JSON keep tags and types).
    return cell_text(str(term))
