"""Safe, read-only SPARQL over a kg graph, and result formatting.

:func:`check_query` parses a query with rdflib and refuses, from the parse
tree, anything that would change the graph or reach outside it: SPARQL
Update, ``SERVICE`` (a network call) and ``FROM``/``FROM NAMED`` (rdflib
would load those IRIs, local files included). The prefixes in
:data:`PREFIXES` (``kgo:``, ``kgr:``, ``rdf:``, ``rdfs:``, ``owl:``,
``skos:``, ``prov:``, ``dcterms:``, ``xsd:``, ``schema:``, ``wd:``) are
predeclared.

>>> from kg.store import new_dataset
>>> from rdflib import Literal, URIRef
>>> ds = new_dataset()
>>> xiaomi = URIRef(PREFIXES["kgr"] + "company/xiaomi")
>>> _ = ds.add((xiaomi, URIRef(PREFIXES["rdfs"] + "label"), Literal("Xiaomi")))
>>> result = run_query(ds, "SELECT ?e ?name WHERE { ?e rdfs:label ?name }")
>>> print(format_result(result), end="")
e                  | name
-------------------+-------
kgr:company/xiaomi | Xiaomi
(1 row)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyparsing import ParseBaseException
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kg.errors import QueryError, UnsafeQueryError, UnsupportedFormatError
from kg.store import PREFIXES

__all__ = [
    "OUTPUT_FORMATS",
    "PREFIXES",
    "ParsedQuery",
    "QueryResult",
    "check_query",
    "format_result",
    "read_query_arg",
    "run_query",
]

#: The result formats of :func:`format_result`.
OUTPUT_FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json")

_KINDS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

_UPDATE_OPERATIONS = {
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT ... WHERE",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}

_QUERY_SUFFIXES = (".rq", ".sparql", ".rql", ".ru")

_XSD = PREFIXES["xsd"]
_NUMERIC = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
}


@dataclass(frozen=True)
class ParsedQuery:
    """A query that passed :func:`check_query`, ready for :func:`run_query`.

    ``prefixes`` are the ones the query declares itself (``PREFIX`` lines).
    """

    text: str
    kind: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    query: Query = field(compare=False, repr=False)
    prefixes: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class QueryResult:
    """What a query returned.

    SELECT fills ``vars`` and ``rows`` (one tuple per solution, ``None`` for
    an unbound variable); ASK fills ``boolean``; CONSTRUCT and DESCRIBE fill
    ``graph``. ``prefixes`` (the predeclared ones, the graph's and the
    query's) are used to shorten IRIs when the result is formatted.
    """

    kind: str
    vars: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)
    prefixes: Mapping[str, str] = field(default_factory=dict, compare=False)


def check_query(text: str) -> ParsedQuery:
    """Parse a SPARQL query and refuse what ``kg query`` does not run.

    Refused (:class:`UnsafeQueryError`): SPARQL Update (INSERT, DELETE, LOAD,
    CLEAR, DROP, CREATE, ADD, MOVE, COPY), ``SERVICE`` anywhere in the query
    (subqueries, OPTIONAL, UNION, EXISTS included), ``FROM`` and
    ``FROM NAMED``. The check walks rdflib's parse tree, so comments,
    strings and odd spacing cannot hide or fake a keyword.

    Raises:
        QueryError: the text is not SPARQL; the message gives the line and
            column where the parser stopped.
        UnsafeQueryError: the query asks for something refused (see above).

    >>> check_query("ASK { ?s kgo:basedIn ?o }").kind
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.UnsafeQueryError: SERVICE <https://query.wikidata.org/sparql> is refused ...
    >>> check_query("SELECT ?s WHERE { ?s ?p }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: not valid SPARQL: line 1, col 19, near '?s ?p }': expected ...
    """
    if not text.strip():
        raise QueryError("the query is empty. Give a SPARQL query or the path of a .rq file.")
    try:
        tree = parseQuery(text)
    except ParseBaseException as query_err:
        _refuse_update(text, query_err)
        raise QueryError(f"not valid SPARQL: {_position(query_err)}") from query_err
    except Exception as err:  # rdflib raises plain exceptions from its parse actions
        raise QueryError(f"not valid SPARQL: {err}") from err
    _refuse_unsafe(tree)
    _unescape_local_names(tree)
    try:
        query = translateQuery(tree, initNs=PREFIXES)
    except Exception as err:
        raise QueryError(_translate_message(err)) from err
    declared = {
        str(dict.get(decl, "prefix") or ""): str(dict.get(decl, "iri"))
        for decl in tree[0]
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl"
    }
    return ParsedQuery(text=text, kind=_KINDS[query.algebra.name], query=query, prefixes=declared)


def _refuse_update(text: str, query_err: ParseBaseException) -> None:
    """Raise UnsafeQueryError if ``text`` is (or plainly tries to be) SPARQL Update."""
    try:
        update = parseUpdate(text)
    except ParseBaseException as update_err:
        if update_err.loc > query_err.loc:  # got further as an update: that is what it is
            raise UnsafeQueryError(
                "SPARQL Update is refused: kg query only reads the graph "
                f"(and the update is not valid either: {_position(update_err)})."
            ) from update_err
        return
    except Exception:
        return
    requests = list(dict.get(update, "request") or [])
    if not requests:
        raise QueryError(
            "no query: the text holds only PREFIX/BASE declarations. "
            "Add a SELECT, ASK, CONSTRUCT or DESCRIBE query."
        ) from query_err
    names = ", ".join(_UPDATE_OPERATIONS.get(r.name, r.name) for r in requests)
    raise UnsafeQueryError(
        f"SPARQL Update ({names}) is refused: kg query only reads the graph. "
        "To change the graph, change the input and run `kg build` again."
    )


def _refuse_unsafe(tree: Any) -> None:
    for node in _walk(tree):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern":
            target = dict.get(node, "term")  # CompValue.get returns the key when missing
            raise UnsafeQueryError(
                f"SERVICE {_show(target)} is refused for safety: kg query does not call other "
                "endpoints. Query the local graph only."
            )
        if node.name == "DatasetClause":
            named = dict.get(node, "named")
            default = dict.get(node, "default")
            clause, iri = ("FROM NAMED", named) if named is not None else ("FROM", default)
            raise UnsafeQueryError(
                f"{clause} {_show(iri)} is refused for safety: "
                "rdflib would load that IRI (a local file or a web address). The graph "
                "file is already loaded: drop the clause and use GRAPH <...> { } to "
                "select a named graph."
            )


_PN_LOCAL_ESC = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def _unescape_local_names(tree: Any) -> None:
    # SPARQL writes kgr:company\/xiaomi for <...resource/company/xiaomi>, but
    # rdflib keeps the backslash in the IRI; undo the escape as the grammar says.
    for node in _walk(tree):
        if isinstance(node, CompValue) and node.name == "pname":
            local = dict.get(node, "localname")
            if isinstance(local, str) and "\\" in local:
                node["localname"] = _PN_LOCAL_ESC.sub(r"\1", local)


def _show(term: Any) -> str:
    """A term of the parse tree as the query wrote it (IRI, variable or prefixed name)."""
    if isinstance(term, CompValue) and term.name == "pname":
        return f"{dict.get(term, 'prefix') or ''}:{dict.get(term, 'localname') or ''}"
    if hasattr(term, "n3"):
        return str(term.n3())
    return str(term)


def _walk(node: Any) -> Iterator[Any]:
    """Every node of an rdflib SPARQL parse tree (CompValues, ParseResults, lists)."""
    yield node
    if isinstance(node, CompValue):
        children: Any = dict.values(node)
    elif isinstance(node, (list, tuple)):
        children = node
    elif hasattr(node, "as_list") and hasattr(node, "values"):  # pyparsing ParseResults
        children = [*node, *node.values()]
    else:
        return
    for child in children:
        yield from _walk(child)


def _position(err: ParseBaseException) -> str:
    """``line 1, col 19, near '?s ?p }': expected ...`` from a pyparsing error."""
    message = err.msg[:1].lower() + err.msg[1:] if err.msg else "unexpected text"
    found = getattr(err, "found", "")
    if found and "found" not in message:
        message += f", found {found}"
    near = err.line[err.col - 1 :].strip()
    near = near if len(near) <= 30 else near[:29] + "…"
    where = f"line {err.lineno}, col {err.col}" + (f", near {near!r}" if near else ", at the end")
    return f"{where}: {message}"


_UNKNOWN_PREFIX = re.compile(r"Unknown namespace prefix : (\S*)")


def _translate_message(err: Exception) -> str:
    match = _UNKNOWN_PREFIX.search(str(err))
    if match:
        prefix = match.group(1)
        return (
            f"unknown prefix {prefix}: in the query. Declare it (PREFIX {prefix}: <...>) "
            f"or use a predeclared one: {', '.join(PREFIXES)}."
        )
    return f"the query cannot be run: {err}"


def run_query(
    graph: Graph,
    query: str | ParsedQuery,
    *,
    init_bindings: Mapping[str | Variable, Node] | None = None,
) -> QueryResult:
    """Check and run a query on a graph (use a Dataset from :func:`kg.store.load_graph`).

    Parameters:
        graph: the graph; on a Dataset with ``default_union`` (what
            ``load_graph`` returns) patterns outside ``GRAPH`` see every named graph.
        query: SPARQL text, or what :func:`check_query` returned.
        init_bindings: values for variables, e.g. ``{"e": URIRef(...)}``.

    Raises:
        QueryError, UnsafeQueryError: see :func:`check_query`; QueryError also
            when evaluation fails.

    >>> from kg.store import new_dataset
    >>> run_query(new_dataset(), "ASK { ?s ?p ?o }").boolean
    False
    """
    parsed = query if isinstance(query, ParsedQuery) else check_query(query)
    bindings = {Variable(str(k)): v for k, v in (init_bindings or {}).items()}
    prefixes = {
        **PREFIXES,
        **{prefix: str(ns) for prefix, ns in graph.namespaces() if prefix},
        **parsed.prefixes,
    }
    try:
        result = graph.query(parsed.query, initBindings=bindings)  # type: ignore[arg-type]
        if parsed.kind == "SELECT":
            names = tuple(str(v) for v in result.vars or ())
            rows = tuple(tuple(row) for row in result)  # type: ignore[arg-type]
            return QueryResult(kind="SELECT", vars=names, rows=rows, prefixes=prefixes)
        if parsed.kind == "ASK":
            return QueryResult(kind="ASK", boolean=bool(result.askAnswer), prefixes=prefixes)
        out = result.graph if result.graph is not None else Graph()
    except (QueryError, KeyboardInterrupt):
        raise
    except Exception as err:  # rdflib's evaluator raises many types
        raise QueryError(f"the query failed while running: {err}") from err
    for prefix, ns in prefixes.items():
        out.bind(prefix, ns, override=True, replace=True)
    return QueryResult(kind=parsed.kind, graph=out, prefixes=prefixes)


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
        from kg.export import export_graph  # export imports the store; keep query light

        graph = result.graph if result.graph is not None else Graph()
        for prefix, ns in names.items():
            graph.bind(prefix, ns, override=True, replace=True)
        return export_graph(graph, format="turtle") or ""
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
    header = list(result.vars)
    body = [[_cell(term, namespaces) for term in row] for row in result.rows]
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


_UNSAFE_LOCAL = re.compile(r"[\s<>\"{}|^`\\]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # would break a table row


def _cell(term: Node | None, namespaces: list[tuple[str, str]]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term), namespaces)
    if isinstance(term, BNode):
        return f"_:{term}"
    # A table is for reading: literals show their text (CSV, TSV and JSON keep tags and types).
    return _CONTROL.sub(_escape_control, str(term))


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(
        char, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


def shorten(iri: str, namespaces: Mapping[str, str] | list[tuple[str, str]]) -> str:
    """Write an IRI as ``prefix:local`` with the longest matching namespace, else ``<iri>``.

    Unlike Turtle, the local part may hold ``/`` (for people, not parsers).

    >>> shorten("https://w3id.org/kg-builder/resource/company/xiaomi", PREFIXES)
    'kgr:company/xiaomi'
    >>> shorten("https://example.org/x", PREFIXES)
    '<https://example.org/x>'
    """
    pairs = namespaces.items() if isinstance(namespaces, Mapping) else namespaces
    best: tuple[str, str] | None = None
    for prefix, ns in pairs:
        if ns and iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            local = iri[len(ns) :]
            if not _UNSAFE_LOCAL.search(local):
                best = (prefix, ns)
    if best is None:
        return f"<{iri}>"
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _width(text: str) -> int:
    """Columns a string takes in a terminal (wide CJK characters take two)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def read_query_arg(arg: str) -> str:
    """Return the query an argument stands for: a file's content, or the argument itself.

    An argument that names an existing file is read (UTF-8). One that looks
    like a query file name (``*.rq``, ``*.sparql``, one word) but does not
    exist is an error, so a typo is not run as a query.

    >>> read_query_arg("ASK { ?s ?p ?o }")
    'ASK { ?s ?p ?o }'
    >>> read_query_arg("queries/nope.rq")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: queries/nope.rq: no such query file. Check the path, or ...
    """
    if "\n" not in arg and "\x00" not in arg and len(arg) < 4096:
        path = Path(arg)
        try:
            is_file = path.is_file()
        except OSError:
            is_file = False
        if is_file:
            try:
                return path.read_text(encoding="utf-8")
            except UnicodeDecodeError as err:
                raise QueryError(f"{arg}: not UTF-8 text; save the query file as UTF-8.") from err
            except OSError as err:
                raise QueryError(f"{arg}: cannot read it ({err.strerror or err}).") from err
        if path.suffix.lower() in _QUERY_SUFFIXES and not any(c.isspace() for c in arg):
            raise QueryError(
                f"{arg}: no such query file. Check the path, or give the query text itself."
            )
    return arg
