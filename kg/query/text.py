"""Query results as text from pyoxigraph's terms, without rdflib: what :mod:`kg.query.formats`
prints from rdflib's, for the quick path (:mod:`kg.query.quick`); the table cells both share.

>>> import pyoxigraph as ox
>>> print(render(("x",), [(ox.Literal("a"),)], format="csv", prefixes={}), end="")
x\r
a\r
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["as_written", "cell_text", "render", "shorten", "table_text"]


def render(
    variables: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    *,
    format: str,
    prefixes: Mapping[str, str],
) -> str:
    """Rows of pyoxigraph terms (None: unbound) in a ``kg query`` format."""
    if format == "csv":
        lines = [",".join(_csv_field(v) for v in variables)]
        lines += [",".join(_csv_field(_plain(term)) for term in row) for row in rows]
        return "".join(line + "\r\n" for line in lines)
    if format == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_turtle_term(term) for term in row) for row in rows]
        return "".join(line + "\n" for line in lines)
    if format == "json":
        bindings = [
            {name: _json_term(term) for name, term in zip(variables, row, strict=True) if term}
            for row in rows
        ]
        document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    return _table(variables, rows, prefixes)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
}
_TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


_DECIMAL = _XSD + "decimal"


def as_written(term: Any) -> Any:
    """A pyoxigraph term Oxigraph gave back, spelled as kg writes it.

    Oxigraph keeps typed literals as values and spells an integral
    xsd:decimal without its point ("125"); kg writes the canonical "125.0"
    (:func:`kg.graph.records._decimal`), so a build's store reads like its kg.trig.

    >>> import pyoxigraph as ox
    >>> as_written(ox.Literal("125", datatype=ox.NamedNode(_DECIMAL))).value
    '125.0'
    """
    if (
        type(term).__name__ == "Literal"
        and "." not in term.value
        and term.datatype.value == _DECIMAL
    ):
        return type(term)(term.value + ".0", datatype=term.datatype)
    return term


def _kind(term: Any) -> str:
    name = type(term).__name__
    return {"NamedNode": "uri", "BlankNode": "bnode"}.get(name, "literal")


def _datatype(term: Any) -> str | None:
    """A literal's datatype IRI, None for a language-tagged or plain (xsd:string) one."""
    if term.language:
        return None
    value: str = term.datatype.value
    return None if value == _XSD + "string" else value


def _plain(term: Any) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if _kind(term) == "bnode" else str(term.value)


def _csv_field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _turtle_term(term: Any) -> str:
    if term is None:
        return ""
    kind = _kind(term)
    if kind == "bnode":
        return f"_:{term.value}"
    if kind == "uri":
        return f"<{term.value}>"
    lexical = term.value
    datatype = _datatype(term)
    pattern = _NUMERIC.get(datatype or "")
    if pattern is not None and pattern.fullmatch(lexical):
        return str(lexical)
    quoted = '"' + lexical.translate(_TURTLE_ESCAPES) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    return f"{quoted}^^<{datatype}>" if datatype else quoted


def _json_term(term: Any) -> dict[str, str]:
    kind = _kind(term)
    out = {"type": kind, "value": str(term.value)}
    if kind == "literal":
        if term.language:
            out["xml:lang"] = term.language
        elif (datatype := _datatype(term)) is not None:
            out["datatype"] = datatype
    return out


_UNSAFE_LOCAL = re.compile(r"[\s<>\"{}|^`\\]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # would break a table row


def _table(
    variables: tuple[str, ...], rows: Iterable[tuple[Any, ...]], prefixes: Mapping[str, str]
) -> str:
    namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    return table_text(variables, [[_cell(term, namespaces) for term in row] for row in rows])


def table_text(header: Iterable[str], body: list[list[str]]) -> str:
    """Cells as ``kg query``'s table: aligned columns (wide characters count two), a count.

    >>> print(table_text(["a", "b"], [["x", "长"]]), end="")
    a | b
    --+---
    x | 长
    (1 row)
    """
    header = list(header)
    widths = [_width(name) for name in header]
    for row in body:
        widths = [max(w, _width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return " | ".join(_pad(cell, w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    count = len(body)
    out = [line(header), "-+-".join("-" * w for w in widths)] if header else []
    out += [line(row) for row in body]
    out.append(f"({count} row{'' if count == 1 else 's'})")
    return "".join(text + "\n" for text in out)


def _cell(term: Any, namespaces: list[tuple[str, str]]) -> str:
    if term is None:
        return ""
    kind = _kind(term)
    if kind == "uri":
        return shorten(term.value, namespaces)
    if kind == "bnode":
        return f"_:{term.value}"
    return cell_text(term.value)


def cell_text(text: str) -> str:
    """A literal's text for a table cell: control characters escaped, so a row stays one line.

    >>> cell_text("a\\nb")
    'a\\\\nb'
    """
    return _CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(
        char, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


def shorten(iri: str, namespaces: Mapping[str, str] | list[tuple[str, str]]) -> str:
    """Write an IRI as ``prefix:local`` with the longest matching namespace, else ``<iri>``.

    >>> shorten("https://w3id.org/kg-builder/resource/company/xiaomi",
    ...         {"kgr": "https://w3id.org/kg-builder/resource/"})
    'kgr:company/xiaomi'
    """
    pairs = namespaces.items() if isinstance(namespaces, Mapping) else namespaces
    best: tuple[str, str] | None = None
    for prefix, ns in pairs:
        longer = best is None or len(ns) > len(best[1])
        if ns and iri.startswith(ns) and longer and not _UNSAFE_LOCAL.search(iri[len(ns) :]):
            best = (prefix, ns)
    if best is None:
        return f"<{iri}>"
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
