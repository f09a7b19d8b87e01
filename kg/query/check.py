"""The safety check of a query: parsed by rdflib, refused from the parse tree if it would
change the graph or reach outside it.

:func:`check_query` refuses SPARQL Update, ``SERVICE`` (a network call) and
``FROM``/``FROM NAMED`` (rdflib would load those IRIs, local files included),
the last two unless asked; the prefixes of :data:`kg.rdf.prefixes.PREFIXES`
are predeclared. The checked query is a :class:`ParsedQuery`.

>>> check_query("ASK { ?s ?p ?o }").kind
'ASK'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyparsing import ParseBaseException
from rdflib import Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kg.errors import QueryError, UnsafeQueryError
from kg.rdf.prefixes import PREFIXES

__all__ = [
    "ParsedQuery",
    "check_query",
    "checked_text",
    "compile_tree",
    "parse_tree",
    "refuse_unsafe",
    "unescape_local_names",
    "walk_tree",
]

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


@dataclass(frozen=True)
class ParsedQuery:
    """A query that passed :func:`check_query`, ready for :func:`run_query`.

    ``prefixes`` are the ones the query declares itself (``PREFIX`` lines);
    ``bindings`` the values :func:`bind_query` gave its parameters (``text``
    is still the query as written, with its ``VALUES ... { UNDEF }`` blocks).
    ``source`` is the text the check read (:func:`checked_text`): give that,
    not ``text``, to another engine, so that it runs what was checked.
    """

    text: str
    kind: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    query: Query = field(compare=False, repr=False)
    prefixes: Mapping[str, str] = field(default_factory=dict, compare=False)
    bindings: Mapping[str, Node] = field(default_factory=dict, compare=False)
    source: str = field(default="", compare=False, repr=False)


def check_query(text: str, *, allow_service: bool = False, allow_from: bool = False) -> ParsedQuery:
    """Parse a SPARQL query and refuse what ``kg query`` does not run.

    Refused (:class:`UnsafeQueryError`): SPARQL Update (INSERT, DELETE, LOAD,
    CLEAR, DROP, CREATE, ADD, MOVE, COPY), always; ``SERVICE`` anywhere in
    the query (subqueries, OPTIONAL, UNION, EXISTS included) unless
    ``allow_service``; ``FROM`` and ``FROM NAMED`` unless ``allow_from``.
    The check walks rdflib's parse tree of :func:`checked_text` (``\\u``
    escapes expanded, comments dropped as the SPARQL grammar reads them), so
    comments, strings and odd spacing cannot hide or fake a keyword.

    Parameters:
        allow_service: let ``SERVICE`` call other SPARQL endpoints (the
            query's patterns and bindings go over the network).
        allow_from: let ``FROM``/``FROM NAMED`` read the IRIs they name; an
            IRI that is not a graph of the dataset is fetched (a local file
            or a URL).

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
    tree = parse_tree(text)
    refuse_unsafe(tree, allow_service=allow_service, allow_from=allow_from)
    unescape_local_names(tree)
    return compile_tree(text, tree)


#: rdflib's SPARQL parser (pyparsing) is not thread-safe: two threads parsing at
#: once can leave its parse actions broken for good ("<lambda>() missing 1
#: required positional argument"). Every parse and translation holds this lock.
_PARSER_LOCK = threading.RLock()

# The tokens of SPARQL that may hold a '#' that is not a comment, and comments
# (which end at CR or LF, as in the grammar's WS and comment rules).
_TOKENS = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"(?:[^"\\\r\n]|\\.)*"'''
    r"""|'(?:[^'\\\r\n]|\\.)*'"""
    r"""|<[^<>"{}|^`\\\x00-\x20]*>"""
    r"|(?P<comment>#[^\r\n]*)"
    r"|\\.|[^\"'<\\#]+|.",
    re.DOTALL,
)


def checked_text(text: str) -> str:
    """The text :func:`check_query` reads and engines must run: escapes expanded, comments out.

    SPARQL expands ``\\uXXXX`` and ``\\UXXXXXXXX`` before parsing (section
    19.2), and a comment runs from ``#`` (outside strings and IRIs) to a CR
    or LF. Engines differ on both (rdflib ends comments at LF only), so kg
    checks this text and sends this text, never the original.

    >>> checked_text("SELECT ?o #\\rFROM <urn:x>\\nWHERE { ?s ?p ?o }")
    'SELECT ?o \\rFROM <urn:x>\\nWHERE { ?s ?p ?o }'
    >>> checked_text('ASK { ?s ?p "a#b" } # done')
    'ASK { ?s ?p "a#b" } '

    Raises:
        QueryError: a ``\\u`` escape is not a code point, or writes another escape.
    """
    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError as err:
        raise QueryError(f"not valid SPARQL: {err}.") from err
    if expandUnicodeEscapes(expanded) != expanded:  # rdflib's parser expands once more
        raise QueryError(
            "not valid SPARQL: a \\u escape writes another \\u escape; write the character itself."
        )
    if "#" not in expanded:
        return expanded
    return "".join(m.group(0) for m in _TOKENS.finditer(expanded) if m.group("comment") is None)


def parse_tree(text: str) -> Any:
    """rdflib's parse tree of a query's :func:`checked_text`; updates and syntax errors raise."""
    if not text.strip():
        raise QueryError("the query is empty. Give a SPARQL query or the path of a .rq file.")
    source = checked_text(text)
    with _PARSER_LOCK:
        try:
            tree = parseQuery(source)
        except ParseBaseException as query_err:
            _refuse_update(source, query_err)
            hint = _slash_hint(source, query_err.loc)
            if hint:
                raise QueryError(
                    f"not valid SPARQL: line {query_err.lineno}, col {query_err.col}: {hint}"
                ) from query_err
            raise QueryError(f"not valid SPARQL: {_position(query_err)}") from query_err
        except Exception as err:  # rdflib raises plain exceptions from its parse actions
            raise QueryError(f"not valid SPARQL: {err}") from err
    return tree


#: A prefixed name with a '/' in its local part (``kgr:organization/xiaomi``), not
#: followed by another prefixed name (``kgo:status/rdfs:label`` is a property path).
_SLASHED_NAME = re.compile(
    r"(?<![\w:<?$\\])(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.%-]*(?:\\.[\w.%-]*)*"
    r"(?:/[\w.%-]+)+)(?![\w:(])"
)
_QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>""")
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


def _slash_hint(text: str, loc: int) -> str | None:
    """What to write instead of a prefixed name with a ``/`` where the parser stopped.

    >>> _slash_hint("SELECT * WHERE { kgr:organization/xiaomi ?p ?o }", 17)  # doctest: +ELLIPSIS
    "a prefixed name cannot contain '/': write kgr:organization/xiaomi as <https://w3id.org/...
    >>> _slash_hint("SELECT * WHERE { ?s kgo:status/rdfs:label ?o . ?s ?p }", 45) is None
    True
    """
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), text)  # not inside strings or IRIs
    found = [m for m in _SLASHED_NAME.finditer(masked) if not m.group().endswith("/a")]
    # The parser stops on the name, or (in a predicate) at the pattern that holds it.
    near = [m for m in found if m.start() <= loc <= m.end()] or [
        m for m in found if m.start() > loc
    ]
    if not near:
        return None
    match = near[0]
    prefix, local = match.group("prefix") or "", match.group("local")
    escaped = f"{prefix}:{local.replace('/', chr(92) + '/')}"
    namespaces = {**PREFIXES, **dict(_DECLARED.findall(text))}
    instead = escaped
    if prefix in namespaces:
        instead = f"<{namespaces[prefix]}{local.replace(chr(92), '')}> or {escaped}"
    return f"a prefixed name cannot contain '/': write {match.group()} as {instead}."


def compile_tree(text: str, tree: Any, bindings: Mapping[str, Node] | None = None) -> ParsedQuery:
    """Translate a checked parse tree into rdflib's algebra."""
    try:
        with _PARSER_LOCK:
            query = translateQuery(tree, initNs=PREFIXES)
    except Exception as err:
        raise QueryError(_translate_message(err)) from err
    if query.algebra.name == "SelectQuery" and dict.get(tree[1], "projection") is None:
        _select_star_in_written_order(query.algebra, tree)
    declared = {
        str(dict.get(decl, "prefix") or ""): str(dict.get(decl, "iri"))
        for decl in tree[0]
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl"
    }
    return ParsedQuery(
        text=text,
        source=checked_text(text),
        kind=_KINDS[query.algebra.name],
        query=query,
        prefixes=declared,
        bindings=dict(bindings or {}),
    )


def _select_star_in_written_order(algebra: CompValue, tree: Any) -> None:
    """``SELECT *``: columns in the order the query first names the variables.

    rdflib projects them in set order, which comes out alphabetical or worse.
    """
    first: dict[Variable, int] = {}
    for node in walk_tree(tree):
        if isinstance(node, Variable):
            first.setdefault(node, len(first))
    algebra["PV"] = sorted(algebra["PV"], key=lambda v: (first.get(v, len(first)), str(v)))


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


def refuse_unsafe(tree: Any, *, allow_service: bool, allow_from: bool) -> None:
    """Raise UnsafeQueryError for a ``SERVICE`` or ``FROM`` in a parse tree (unless allowed)."""
    for node in walk_tree(tree):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern" and not allow_service:
            target = dict.get(node, "term")  # CompValue.get returns the key when missing
            raise UnsafeQueryError(
                f"SERVICE {_show(target)} is refused for safety: kg query does not call other "
                "endpoints unless told to (--allow-service). Query the local graph only."
            )
        if node.name == "DatasetClause" and not allow_from:
            named = dict.get(node, "named")
            default = dict.get(node, "default")
            clause, iri = ("FROM NAMED", named) if named is not None else ("FROM", default)
            raise UnsafeQueryError(
                f"{clause} {_show(iri)} is refused for safety: "
                "rdflib would load that IRI (a local file or a web address) unless "
                "--allow-from is given. The graph file is already loaded: drop the clause "
                "and use GRAPH <...> { } to select a named graph."
            )


_PN_LOCAL_ESC = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def unescape_local_names(tree: Any) -> None:
    """Drop the backslashes of escaped local names (``kgr:company\\/xiaomi``) in a parse tree."""
    # SPARQL writes kgr:company\/xiaomi for <...resource/company/xiaomi>, but
    # rdflib keeps the backslash in the IRI; undo the escape as the grammar says.
    for node in walk_tree(tree):
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


def walk_tree(node: Any) -> Iterator[Any]:
    """Every node of an rdflib SPARQL parse tree or algebra (CompValues, ParseResults, lists)."""
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
        yield from walk_tree(child)


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
