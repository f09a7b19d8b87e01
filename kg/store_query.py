"""The quick way of ``kg query`` on an Oxigraph store: no rdflib, one short process.

``kg query`` checks every query with rdflib's SPARQL parser, then runs it
and turns the answer into rdflib terms: on a store that holds a big build,
importing rdflib and its parser costs several times what Oxigraph takes to
answer. A SELECT (naming its columns) or ASK whose text a plain scan shows
harmless (no update, ``SERVICE``, ``FROM``, ``BASE`` or ``\\u`` escape outside
strings, IRIs and comments) is sent to Oxigraph as it is, and its answer printed from
Oxigraph's terms, the same text :func:`kg.query.format_result` prints
(``tests/test_store_query.py`` holds that). Anything else goes the usual
way: :func:`quick_query` answers None.

The query runs in a forked child (:func:`kg.query_worker.run_killable`)
that opens the store read-only itself, so the time and memory limits hold
as on every other path, and the store's lock ends with the child.

Nothing here imports rdflib.

>>> quick_text("SELECT ?s WHERE { ?s ?p ?o }")
'SELECT ?s WHERE { ?s ?p ?o }'
>>> quick_text("SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } }") is None
True
>>> quick_text('SELECT ?s WHERE { ?s ?p "from SERVICE" }') is not None
True
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "answer_command",
    "as_written",
    "cell_text",
    "code_only",
    "quick_query",
    "quick_text",
    "shorten",
    "table_text",
]

#: Formats the quick path writes (CONSTRUCT and DESCRIBE, as Turtle, go the usual way).
_FORMATS = ("table", "csv", "tsv", "json")

# Words that make a text something other than a plain local SELECT or ASK.
_UNSAFE_WORD = re.compile(
    r"(?<![\w?$:.\-])(SERVICE|FROM|BASE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|"
    r"WITH|CONSTRUCT|DESCRIBE)(?![\w:.\-])",
    re.IGNORECASE,
)
_FORM_WORD = re.compile(r"(?<![\w?$:.\-])(SELECT|ASK)(?![\w:.\-])", re.IGNORECASE)
# SELECT *: kg orders the columns as the query first names them (kg.query), Oxigraph not.
_SELECT_ALL = re.compile(r"\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*", re.IGNORECASE)
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


def answer_command(
    query: str,
    *,
    graph: Path,
    store: str | None,
    format: str = "table",
    timeout: float | None = 30.0,
    max_memory: str = "2GiB",
) -> str | None:
    """What ``kg query QUERY`` prints, from the quick path, or None (go the usual way).

    ``store`` is the ``--store`` spec; without it, the build's own store
    that holds ``graph`` (:func:`kg.store_home.mirrored`) answers. A
    ``query`` naming a file is read (the usual way reports an unreadable one).

    Raises:
        QueryTimeoutError, QueryError: as :func:`quick_query`, or a
            ``max_memory`` that is not a size.
    """
    from kg.store_home import mirrored

    if store is None:
        folder = mirrored(graph)
    elif store.strip().startswith(("memory", "sparql+")) or "://" in store:
        folder = None
    else:
        folder = Path(store.strip().removeprefix("oxigraph:"))
    if folder is None:
        return None
    text = query
    if "\n" not in query and len(query) < 4096 and Path(query).is_file():
        try:
            text = Path(query).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    from kg.query_worker import parse_size
    from kg.rdf.prefixes import PREFIXES

    limit = parse_size(max_memory)
    return quick_query(
        folder, text, prefixes=PREFIXES, format=format, timeout=timeout or None, max_memory=limit
    )


def code_only(text: str) -> str:
    """``text`` with its strings, IRIs and comments blanked out (a SPARQL lexer's view).

    >>> code_only('SELECT * { ?s <http://x#y> "a \\\\" # b" } # SERVICE')
    'SELECT * { ?s     }  '
    """
    return _lex(text, keep_iris=False)


def _lex(text: str, *, keep_iris: bool) -> str:
    """``text`` with strings and comments (and IRIs unless ``keep_iris``) as one space each."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = n
            for stop in ("\n", "\r"):
                found = text.find(stop, i)
                if found != -1:
                    end = min(end, found)
            i = end
        elif char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if text[j] == "\\":
                    j += 1
                elif len(quote) == 1 and text[j] in "\r\n":
                    break
                j += 1
            i = min(j + len(quote), n)
        elif char == "<" and (iri := _IRIREF.match(text, i)) is not None:
            i = iri.end()
            if keep_iris:
                out.append(iri.group(0))
                continue
        else:
            out.append(char)
            i += 1
            continue
        out.append(" ")
    return "".join(out)


def quick_text(text: str) -> str | None:
    """``text`` when a plain scan shows it a harmless SELECT or ASK, else None.

    rdflib expands ``\\u`` escapes before it parses, Oxigraph only inside
    strings and IRIs: a text with one takes the usual way, as does one the
    scan cannot read (the usual way then says what is wrong with it).
    """
    if "\\u" in text or "\\U" in text or "\x00" in text:
        return None
    code = code_only(text)
    if _UNSAFE_WORD.search(code) or not _FORM_WORD.search(code) or _SELECT_ALL.search(code):
        return None
    return text


def quick_query(
    folder: Path,
    text: str,
    *,
    prefixes: Mapping[str, str],
    format: str = "table",
    timeout: float | None = None,
    max_memory: int | None = None,
) -> str | None:
    """Run ``text`` on the Oxigraph store in ``folder`` and render it, or None.

    None when the quick path cannot answer it the way ``kg query`` does: a
    text :func:`quick_text` refuses, a format other than table, csv, tsv or
    json, a text Oxigraph cannot parse (the usual way then explains), or a
    store that is being written or is not kg's.

    Parameters:
        folder: a store folder kg laid out (``kg-store.json`` in it).
        prefixes: kg's predeclared prefixes, sent with the query.
        timeout, max_memory: as for :meth:`kg.stores.Store.query`.

    Raises:
        QueryTimeoutError: the query ran past ``timeout``.
        QueryError: it needed more than ``max_memory``.
    """
    if format not in _FORMATS or quick_text(text) is None:
        return None
    if not (folder / "kg-store.json").is_file() or not (folder / "CURRENT").is_file():
        return None
    from kg.query_worker import run_killable

    names = dict(prefixes)
    names.update(_stored_prefixes(folder))
    names.update(dict(_DECLARED.findall(_lex(text, keep_iris=True))))

    def run() -> str | None:
        return _answer(folder, text, dict(prefixes), names, format)

    if timeout is None and max_memory is None:
        return run()
    return run_killable(run, timeout=timeout, max_memory=max_memory)


def _stored_prefixes(folder: Path) -> dict[str, str]:
    """The prefixes kg keeps beside the store (those of the files loaded)."""
    try:
        data = json.loads((folder / "kg-store.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = data.get("prefixes") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, str) and k and k != "xml"}


def _answer(
    folder: Path, text: str, sent: dict[str, str], names: dict[str, str], format: str
) -> str | None:
    """In the child: open the store read-only, run the query, render its answer."""
    import fcntl
    import os

    import pyoxigraph as ox

    try:
        fd = os.open(folder, os.O_RDONLY)  # kg's shared lock: no writer meanwhile
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        store = ox.Store.read_only(str(folder))
    except (OSError, RuntimeError):
        return None  # being written, or unreadable: the usual way says why
    try:
        own = ox.NamedNode("urn:x-kg:default-graph")
        options: dict[str, Any] = {"prefixes": sent}
        if re.search(r"\bGRAPH\b", code_only(text), re.IGNORECASE):
            options["named_graphs"] = [g for g in store.named_graphs() if g != own]
        results = store.query(text, **options)
    except SyntaxError:
        return None
    if isinstance(results, ox.QueryBoolean):
        if format == "json":
            return json.dumps({"head": {}, "boolean": bool(results)}, separators=(",", ":")) + "\n"
        return ("true" if results else "false") + "\n"
    if not isinstance(results, ox.QuerySolutions):
        return None
    variables = tuple(v.value for v in results.variables)
    rows = [tuple(as_written(term) for term in solution) for solution in results]
    return render(variables, rows, format=format, prefixes=names)


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
    (:func:`kg.graph._decimal`), so a build's store reads like its kg.trig.

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
