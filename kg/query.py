"""Safe, read-only SPARQL over a kg graph, and result formatting.

:func:`check_query` parses a query with rdflib and refuses, from the parse
tree, anything that would change the graph or reach outside it: SPARQL
Update, ``SERVICE`` (a network call) and ``FROM``/``FROM NAMED`` (rdflib
would load those IRIs, local files included). The prefixes in
:data:`PREFIXES` (``kgo:``, ``kgr:``, ``rdf:``, ``rdfs:``, ``owl:``,
``skos:``, ``prov:``, ``dcterms:``, ``xsd:``, ``schema:``, ``wd:``) are
predeclared. ``allow_service`` and ``allow_from`` lift the last two refusals
for users who ask for them; ``run_query(..., timeout=...)`` stops a runaway
query with :class:`~kg.errors.QueryTimeoutError`.

Saved queries (``queries/*.rq``, shipped as ``kg._queries``) carry a header
of ``# title:``, ``# description:`` and ``# param: NAME - what it is[,
optional]`` comments; each parameter is a ``VALUES ?param_NAME { UNDEF }``
block in the query, which :func:`bind_query` fills with an RDF term in the
parse tree, never by editing the query text.

>>> from kg.rdf.dataset import new_dataset
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
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsIndex, overload

import pyoxigraph as ox
from pyparsing import ParseBaseException
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kg.errors import (
    MissingDependencyError,
    OntologyError,
    QueryError,
    UnsafeQueryError,
    UnsupportedFormatError,
)
from kg.ontology import package_data_dir
from kg.query_worker import DEFAULT_MAX_MEMORY, run_killable, stopped_after
from kg.rdf.dataset import walk_labelled
from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import ox_term_converter
from kg.rdf.turtle import TurtleWriter, turtle_text
from kg.store_query import cell_text, shorten, table_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_TIMEOUT",
    "OUTPUT_FORMATS",
    "PREFIXES",
    "ParsedQuery",
    "QueryParameter",
    "QueryResult",
    "Row",
    "SavedQuery",
    "bind_query",
    "check_limits",
    "check_query",
    "checked_text",
    "format_graph",
    "format_result",
    "format_saved_queries",
    "queries_dir",
    "read_query_arg",
    "read_saved_query",
    "render_query",
    "run_query",
    "saved_queries",
    "saved_query",
    "stopped_after",
    "walk_tree",
]

#: Seconds ``kg query`` lets a query run before stopping it.
DEFAULT_TIMEOUT = 30.0

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


class Row(tuple[Node | None, ...]):
    """One solution of a query: a tuple of terms (``None`` where a variable is unbound)
    that also answers to its variables' names, as rdflib's result rows do.

    ``row[0]``, ``row["name"]`` and ``row.name`` give the same term (a name that
    is also a tuple method, such as ``count`` or ``index``, only by key);
    :meth:`asdict` maps every variable to its term.

    >>> row = Row((Literal("Xiaomi"), None), ("name", "city"))
    >>> row.name == row["name"] == row[0] == Literal("Xiaomi"), row.city
    (True, None)
    >>> row.country
    Traceback (most recent call last):
    ...
    AttributeError: no variable ?country in this row; it has ?name, ?city
    """

    _names: tuple[str, ...]

    def __new__(cls, values: Iterable[Node | None], names: Iterable[str]) -> Row:
        row = super().__new__(cls, values)
        object.__setattr__(row, "_names", tuple(names))
        if len(row._names) != len(row):
            raise ValueError(f"{len(row)} values for {len(row._names)} variables")
        return row

    def __getattr__(self, name: str) -> Node | None:
        if name.startswith("__"):  # copy, pickle and friends probe for dunders
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(err.args[0]) from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("query rows are read-only")

    @overload
    def __getitem__(self, key: SupportsIndex | str) -> Node | None: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Node | None, ...]: ...
    def __getitem__(self, key: SupportsIndex | str | slice) -> Any:
        if isinstance(key, str):
            try:
                key = self._names.index(key)
            except ValueError:
                raise KeyError(
                    f"no variable ?{key} in this row; it has "
                    + (", ".join(f"?{n}" for n in self._names) or "none")
                ) from None
        return super().__getitem__(key)

    def __reduce__(self) -> tuple[Any, ...]:
        return Row, (tuple(self), self._names)

    def __repr__(self) -> str:
        pairs = ", ".join(f"{n}={v!r}" for n, v in zip(self._names, self, strict=True))
        return f"Row({pairs})"

    def asdict(self) -> dict[str, Node | None]:
        """The row as ``{variable: term}``, in the query's variable order."""
        return dict(zip(self._names, self, strict=True))


#: The columns of a CONSTRUCT or DESCRIBE result's rows (one per triple).
_TRIPLE_COLUMNS = ("subject", "predicate", "object")


@dataclass(frozen=True)
class QueryResult:
    """What a query returned.

    SELECT fills ``vars`` and ``rows`` (one tuple per solution, ``None`` for
    an unbound variable); ASK fills ``boolean``; CONSTRUCT and DESCRIBE fill
    ``graph``. ``prefixes`` (the predeclared ones, the graph's and the
    query's) are used to shorten IRIs when the result is formatted.

    A result reads like rdflib's and pandas': iterating gives :class:`Row`
    objects (for CONSTRUCT and DESCRIBE one per triple, with the columns
    ``subject``, ``predicate``, ``object``), ``len()`` counts them,
    ``bool()`` is an ASK's answer (otherwise: are there rows), and
    :meth:`to_pandas` makes a DataFrame.

    >>> r = QueryResult(kind="SELECT", vars=("name",), rows=((Literal("Xiaomi"),),))
    >>> len(r), [row.name for row in r], bool(QueryResult(kind="ASK", boolean=False))
    (1, [rdflib.term.Literal('Xiaomi')], False)
    """

    kind: str
    vars: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)
    prefixes: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the rows' columns: a SELECT's variables in the query's order, or
        ``subject``, ``predicate``, ``object`` for a graph; none for ASK."""
        return _TRIPLE_COLUMNS if self.kind in ("CONSTRUCT", "DESCRIBE") else self.vars

    def _values(self) -> Iterable[tuple[Node | None, ...]]:
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            triples = self.graph if self.graph is not None else ()
            return sorted(triples, key=lambda t: tuple(_sort_key(term) for term in t))
        return self.rows

    def __iter__(self) -> Iterator[Row]:
        columns = self.columns
        return (Row(values, columns) for values in self._values())

    def __len__(self) -> int:
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            return len(self.graph) if self.graph is not None else 0
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ASK" else len(self) > 0

    def to_pandas(self, *, terms: bool = False) -> pd.DataFrame:
        """The rows as a :class:`pandas.DataFrame`, one column per variable in the query's order.

        Literals become Python values (``int``, ``Decimal``, ``date``, ``str``...),
        IRIs strings, blank nodes ``_:label`` and unbound cells ``None``; with
        ``terms=True`` the cells keep their rdflib terms. Needs pandas
        (``pip install 'kg-builder[pandas]'``).

        Raises:
            MissingDependencyError: pandas is not installed.
            QueryError: the result is an ASK answer, which has no rows.
        """
        if self.kind == "ASK":
            raise QueryError("an ASK query has no rows, only an answer: use bool(result).")
        try:
            import pandas as pd  # optional: only this method needs it
        except ImportError as err:
            raise MissingDependencyError(
                "to_pandas needs pandas, which is not installed: pip install 'kg-builder[pandas]'."
            ) from err
        cells = (row if terms else tuple(_python_value(t) for t in row) for row in self._values())
        return pd.DataFrame(list(cells), columns=list(self.columns))


def _sort_key(term: Node | None) -> tuple[str, str]:
    return ("", "") if term is None else (type(term).__name__, str(term))


def _python_value(term: Node | None) -> object:
    """A term as the Python value a DataFrame cell holds (:meth:`QueryResult.to_pandas`)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value  # an unknown datatype
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


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
    tree = _parse(text)
    _refuse_unsafe(tree, allow_service=allow_service, allow_from=allow_from)
    _unescape_local_names(tree)
    return _compile(text, tree)


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


def _parse(text: str) -> Any:
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


def _compile(text: str, tree: Any, bindings: Mapping[str, Node] | None = None) -> ParsedQuery:
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


def _refuse_unsafe(tree: Any, *, allow_service: bool, allow_from: bool) -> None:
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


def _unescape_local_names(tree: Any) -> None:
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


def run_query(
    graph: Graph,
    query: str | ParsedQuery,
    *,
    init_bindings: Mapping[str | Variable, Node] | None = None,
    allow_service: bool = False,
    allow_from: bool = False,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
) -> QueryResult:
    """Check and run a query on a graph (use a Dataset from :func:`kg.rdf.load.load_graph`).

    Parameters:
        graph: the graph; on a Dataset with ``default_union`` (what
            ``load_graph`` returns) patterns outside ``GRAPH`` see every named graph.
        query: SPARQL text, or what :func:`check_query` or :func:`bind_query`
            returned (already checked: ``allow_*`` then play no part).
        init_bindings: values for variables, e.g. ``{"e": URIRef(...)}``.
        allow_service, allow_from: see :func:`check_query`.
        timeout: seconds the query may run; ``None`` for no limit.
        max_memory: bytes the query may take beyond the loaded graph
            (default 2 GiB); ``None`` for no limit.

    The query runs in a process forked from this one
    (:func:`kg.query_worker.run_killable`), which is killed when time is up,
    on Ctrl-C, or when it goes over ``max_memory``; a catastrophic ``REGEX``
    stops with it.

    Raises:
        QueryError, UnsafeQueryError: see :func:`check_query`; QueryError also
            when evaluation fails or takes more than ``max_memory``.
        QueryTimeoutError: the query ran longer than ``timeout``.
        QueryBusyError: every query worker stayed busy (see :mod:`kg.query_worker`).

    >>> from kg.rdf.dataset import new_dataset
    >>> run_query(new_dataset(), "ASK { ?s ?p ?o }").boolean
    False
    >>> run_query(new_dataset(), "ASK { ?s ?p ?o }", timeout=5).boolean
    False
    """
    check_limits(timeout, max_memory)
    parsed = (
        query
        if isinstance(query, ParsedQuery)
        else check_query(query, allow_service=allow_service, allow_from=allow_from)
    )
    bindings = {Variable(str(k)): v for k, v in (init_bindings or {}).items()}
    prefixes = {
        **PREFIXES,
        **{prefix: str(ns) for prefix, ns in graph.namespaces() if prefix},
        **parsed.prefixes,
    }

    def evaluate() -> tuple[QueryResult, list[tuple[Node, Node, Node]] | None]:
        result = graph.query(parsed.query, initBindings=bindings)  # type: ignore[arg-type]
        if parsed.kind == "SELECT":
            names = tuple(str(v) for v in result.vars or ())
            rows = tuple(tuple(row) for row in result)  # type: ignore[arg-type]
            return QueryResult(kind="SELECT", vars=names, rows=rows, prefixes=prefixes), None
        if parsed.kind == "ASK":
            return QueryResult(kind="ASK", boolean=bool(result.askAnswer), prefixes=prefixes), None
        out = result.graph if result.graph is not None else Graph()
        return QueryResult(kind=parsed.kind, prefixes=prefixes), list(out)

    try:
        answer, triples = run_killable(
            evaluate, timeout=timeout, max_memory=max_memory, recursion=_DEEP_RECURSION
        )
    except RecursionError as err:
        raise QueryError(
            "the query nests too deeply for kg's in-memory engine (a property path such as "
            f"kgo:locatedIn+ followed over more than {_DEEP_RECURSION // 2:,} links, or deeply "
            "nested patterns). Bound the path (kgo:locatedIn/kgo:locatedIn), or query an "
            "Oxigraph store (--store oxigraph:DIR)."
        ) from err
    return answer if triples is None else with_graph(answer, triples)


def check_limits(timeout: float | None, max_memory: int | None) -> None:
    """Refuse a timeout or memory limit that is not positive (None: no limit)."""
    if timeout is not None and not timeout > 0:
        raise QueryError(f"the timeout must be a positive number of seconds, not {timeout!r}.")
    if max_memory is not None and not max_memory > 0:
        raise QueryError(
            f"the memory limit must be a positive number of bytes, not {max_memory!r}."
        )


def with_graph(result: QueryResult, triples: Iterable[tuple[Node, Node, Node]]) -> QueryResult:
    """``result`` with a Graph of ``triples``, the result's prefixes bound (CONSTRUCT, DESCRIBE).

    Query processes send triples, not Graphs (a Graph does not pickle cheaply).
    """
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in triples)
    for prefix, ns in result.prefixes.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return replace(result, graph=graph)


#: The Python recursion limit of a query's process: rdflib follows a property
#: path (``kgo:locatedIn+``) by recursion, about two frames a link, so the
#: default limit (1,000) fails on chains of 500 links. The process evaluates
#: on a thread with a 128 MB stack, where 50,000 frames fit.
_DEEP_RECURSION = 50_000


# ----------------------------------------------------------------------------- saved queries


@dataclass(frozen=True)
class QueryParameter:
    """A parameter a saved query declares (``# param: NAME - description[, optional]``)."""

    name: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class SavedQuery:
    """A query with a name, a title, a description and parameters, from a ``.rq`` file."""

    name: str
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    text: str
    path: Path | None = None


_HEADER_FIELD = re.compile(r"\s?(title|description|param)\s*:\s*(.*)", re.IGNORECASE)
_PARAM_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s+[-–—]\s+(\S.*)")
_OPTIONAL = re.compile(r"\s*(?:[,;]\s*optional|\(optional\))\.?\s*$", re.IGNORECASE)
_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PARAM_PREFIX = "param_"


def read_saved_query(text: str, *, name: str, path: Path | None = None) -> SavedQuery:
    """Read the header of a query: the leading ``#`` comment lines.

    ``# title: ...``, ``# description: ...`` (continued on following ``#``
    lines indented by two or more spaces) and one ``# param: NAME - what it
    is`` line per parameter, ending in ``, optional`` when it may be left
    out. The parameter ``NAME`` is bound through a ``VALUES ?param_NAME {
    UNDEF }`` block of the query (see :func:`bind_query`). A query without a
    header has no title and no parameters.

    Raises:
        QueryError: a ``# param:`` line is malformed or repeats a name.

    >>> q = read_saved_query(
    ...     "# title: Companies\\n# param: city - a city label, optional\\n"
    ...     "SELECT ?c WHERE { VALUES ?param_city { UNDEF } ?c a kgo:Company }",
    ...     name="companies",
    ... )
    >>> q.title, q.parameters
    ('Companies', (QueryParameter(name='city', description='a city label', optional=True),))
    """
    fields: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        if not stripped.startswith("#"):
            break
        body = stripped[1:]
        match = _HEADER_FIELD.fullmatch(body)
        if match:
            current = [match.group(1).lower(), match.group(2).strip()]
            fields.append(current)
        elif current is not None and body.startswith("  ") and body.strip():
            current[1] = f"{current[1]} {body.strip()}".strip()
        else:
            current = None
    title = next((value for key, value in fields if key == "title"), "")
    description = next((value for key, value in fields if key == "description"), "")
    parameters: list[QueryParameter] = []
    for key, value in fields:
        if key != "param":
            continue
        match = _PARAM_LINE.fullmatch(value)
        if match is None:
            raise QueryError(
                f"{name}: the header line '# param: {value}' is malformed; write "
                "'# param: NAME - what it is', with ', optional' at the end if it may be left out."
            )
        param, what = match.groups()
        if any(p.name == param for p in parameters):
            raise QueryError(f"{name}: the parameter {param} is declared twice.")
        optional = _OPTIONAL.search(what) is not None
        what = _OPTIONAL.sub("", what).strip() if optional else what.strip()
        parameters.append(QueryParameter(name=param, description=what, optional=optional))
    return SavedQuery(
        name=name,
        title=title,
        description=description,
        parameters=tuple(parameters),
        text=text,
        path=path,
    )


def queries_dir() -> Path:
    """Return the folder of the saved queries shipped with ``kg`` (``queries/``).

    In a checkout (or an editable install) that is ``queries/`` at the top of
    the repository; in an installed wheel, the package ``kg._queries``.

    >>> (queries_dir() / "sanctions.rq").is_file()
    True
    """
    try:
        return package_data_dir("kg._queries", "queries", "*.rq")
    except OntologyError as err:
        raise QueryError("the saved queries of kg are missing: reinstall kg.") from err


def saved_queries(folder: str | Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query of a folder (default: the shipped ones), by name, sorted.

    A query's name is its file name without ``.rq``.

    >>> list(saved_queries())[:3]
    ['entities', 'evidence', 'figures']
    """
    where = Path(folder) if folder is not None else queries_dir()
    found: dict[str, SavedQuery] = {}
    for path in sorted(where.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise QueryError(f"{path}: not UTF-8 text; save the query file as UTF-8.") from err
        except OSError as err:
            raise QueryError(f"{path}: cannot read it ({err.strerror or err}).") from err
        found[path.stem] = read_saved_query(text, name=path.stem, path=path)
    return found


def saved_query(name: str, *, folder: str | Path | None = None) -> SavedQuery:
    """The saved query called ``name``.

    Raises:
        QueryError: no such query; the message lists the saved ones.

    >>> saved_query("timeline").parameters[0].name
    'entity'
    >>> saved_query("sanction")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: no saved query named 'sanction'. Saved queries: entities, ...
    """
    queries = saved_queries(folder)
    if _QUERY_NAME.fullmatch(name) and name in queries:
        return queries[name]
    known = ", ".join(queries) or "none"
    raise QueryError(
        f"no saved query named {name!r}. Saved queries: {known} (kg query --list describes them)."
    )


def bind_query(
    query: SavedQuery | str,
    params: Mapping[str, str | Node] | None = None,
    *,
    allow_service: bool = False,
    allow_from: bool = False,
) -> ParsedQuery:
    """Check a (saved) query and give its parameters their values.

    Each parameter ``NAME`` fills every ``VALUES ?param_NAME { ... }`` block
    of the query: a string becomes a plain literal (white space at the ends
    dropped), an IRI or literal is used as it is. The value goes into
    rdflib's parse tree as one RDF term, so quotes, braces, ``#`` or
    newlines in it are data, never SPARQL. A parameter left out keeps its
    block's own content: ``UNDEF`` (no value) or a default.

    Parameters:
        query: a :class:`SavedQuery`, or query text (its header, if any,
            declares the parameters).
        params: parameter name -> value.
        allow_service, allow_from: see :func:`check_query`.

    Raises:
        QueryError: an unknown parameter, a required one missing, an empty
            value, or a declared parameter without its ``VALUES`` block; and
            what :func:`check_query` raises.

    >>> bind_query(saved_query("timeline"), {"entity": "Xiaomi"}).bindings
    {'entity': rdflib.term.Literal('Xiaomi')}
    >>> bind_query(saved_query("timeline"), {"entty": "Xiaomi"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: timeline has no parameter 'entty'; its parameters: entity.
    """
    saved, terms = _saved_and_terms(query, params)
    tree = _parse(saved.text)
    _refuse_unsafe(tree, allow_service=allow_service, allow_from=allow_from)
    _unescape_local_names(tree)
    slots = _checked_slots(saved, tree)
    for key, term in terms.items():
        for node in slots[key]:
            node["value"] = [term]
    return _compile(saved.text, tree, bindings=terms)


def render_query(
    query: SavedQuery | str,
    params: Mapping[str, str | Node] | None = None,
    *,
    allow_service: bool = False,
    allow_from: bool = False,
) -> str:
    """The text of a (saved) query with its parameters' values written in, for other engines.

    For a SPARQL server or pyoxigraph, which take query text: each ``VALUES
    ?param_NAME { UNDEF }`` block becomes ``VALUES ?param_NAME { "value" }``
    with the value escaped as a SPARQL literal (or written as ``<IRI>``).
    The result is parsed again and each block must hold exactly the value
    given, so no value can change the query's shape. :func:`bind_query` is
    the way to run a query with rdflib; this function only writes text.

    Raises:
        QueryError: as :func:`bind_query`; also when a block is not written
            plainly as ``VALUES ?param_NAME { UNDEF }``, or a value cannot be
            written exactly (an IRI with spaces or ``<>"{}|^`\\``, text holding
            a ``\\u`` escape that parsers expand).

    >>> print(render_query("# param: c - a city\\nASK { VALUES ?param_c { UNDEF } ?s ?p ?param_c }",
    ...                    {"c": 'Paris "Ville"'}))
    # param: c - a city
    ASK { VALUES ?param_c { "Paris \\"Ville\\"" } ?s ?p ?param_c }
    """
    saved, terms = _saved_and_terms(query, params)
    tree = _parse(saved.text)
    _refuse_unsafe(tree, allow_service=allow_service, allow_from=allow_from)
    slots = _checked_slots(saved, tree)
    text = saved.text
    for key, term in terms.items():
        block = re.compile(
            rf"VALUES\s+\?{_PARAM_PREFIX}{re.escape(key)}\s*\{{\s*UNDEF\s*\}}", re.IGNORECASE
        )
        found = len(block.findall(text))
        if found != len(slots[key]):
            raise QueryError(
                f"{saved.name}: write the parameter {key} as 'VALUES ?{_PARAM_PREFIX}{key} "
                "{ UNDEF }', once per block, to render it as text."
            )
        written = f"VALUES ?{_PARAM_PREFIX}{key} {{ {_sparql_term(saved.name, key, term)} }}"
        text = written.join(block.split(text))  # no re.sub: its template reads backslashes
    # Parse the result and read each block back: it must hold exactly the term given.
    wanted = {key: len(nodes) for key, nodes in _parameter_slots(tree).items()}
    found_values: dict[str, list[object]] = {}
    for node in walk_tree(_compile(text, _unescaped(_parse(text))).query.algebra):
        if isinstance(node, CompValue) and node.name == "values":
            for row in dict.get(node, "res") or []:
                for var, value in row.items():
                    if str(var).startswith(_PARAM_PREFIX):
                        found_values.setdefault(str(var)[len(_PARAM_PREFIX) :], []).append(value)
    for key, count in wanted.items():
        expected = [terms[key]] * count if key in terms else None
        got = found_values.get(key, [])
        if len(got) != count or (expected is not None and got != expected):
            raise QueryError(
                f"{saved.name}: the value of {key} cannot be written exactly as SPARQL text; "
                "run the query with kg query (bind_query) instead."
            )
    return text


def _unescaped(tree: Any) -> Any:
    _unescape_local_names(tree)
    return tree


def _saved_and_terms(
    query: SavedQuery | str, params: Mapping[str, str | Node] | None
) -> tuple[SavedQuery, dict[str, Node]]:
    """The query and its parameters' RDF terms; unknown and missing parameters raise."""
    saved = query if isinstance(query, SavedQuery) else read_saved_query(query, name="the query")
    values = dict(params or {})
    declared = {p.name: p for p in saved.parameters}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        its = (
            f"its parameters: {', '.join(declared)}"
            if declared
            else "it declares none (a '# param: NAME - ...' header line does)"
        )
        raise QueryError(f"{saved.name} has no parameter {unknown[0]!r}; {its}.")
    for param in saved.parameters:
        if not param.optional and param.name not in values:
            raise QueryError(f"{saved.name} needs --param {param.name}=VALUE: {param.description}.")
    return saved, {key: _parameter_term(saved.name, key, value) for key, value in values.items()}


def _checked_slots(saved: SavedQuery, tree: Any) -> dict[str, list[CompValue]]:
    """The VALUES blocks of each declared parameter; a parameter without one raises."""
    slots = _parameter_slots(tree)
    for param in saved.parameters:
        if param.name not in slots:
            raise QueryError(
                f"{saved.name}: the parameter {param.name} has no "
                f"'VALUES ?{_PARAM_PREFIX}{param.name} {{ UNDEF }}' block in the query; "
                "add one where its value is used."
            )
    return slots


_STRING_ESCAPES = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _sparql_term(query: str, name: str, term: Node) -> str:
    """A term as SPARQL text: ``"escaped"`` (with ``@lang`` or ``^^<type>``) or ``<iri>``."""
    if isinstance(term, URIRef):
        if _IRI_UNSAFE.search(str(term)):
            raise QueryError(f"{query}: the IRI given for {name} holds characters IRIs cannot.")
        return f"<{term}>"
    assert isinstance(term, Literal)
    quoted = '"' + str(term).translate(_STRING_ESCAPES) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype is not None and str(term.datatype) != _XSD + "string":
        return f"{quoted}^^{_sparql_term(query, name, URIRef(term.datatype))}"
    return quoted


def _parameter_term(query: str, name: str, value: str | Node) -> Node:
    if isinstance(value, (URIRef, Literal)):
        return value
    if not isinstance(value, str):
        raise QueryError(
            f"{query}: the value of {name} must be text, an IRI or a literal, not {value!r}."
        )
    text = value.strip()
    if not text:
        raise QueryError(f"{query}: the value of --param {name} is empty; give {name}=VALUE.")
    return Literal(text)


def _parameter_slots(tree: Any) -> dict[str, list[CompValue]]:
    """The one-variable ``VALUES ?param_NAME { ... }`` blocks of a parse tree, by NAME."""
    slots: dict[str, list[CompValue]] = {}
    for node in walk_tree(tree):
        if isinstance(node, CompValue) and node.name == "InlineData":
            names = list(dict.get(node, "var") or [])
            if len(names) == 1 and str(names[0]).startswith(_PARAM_PREFIX):
                slots.setdefault(str(names[0])[len(_PARAM_PREFIX) :], []).append(node)
    return slots


def format_saved_queries(queries: Iterable[SavedQuery]) -> str:
    """List saved queries for people: name and title, then one line per parameter.

    >>> print(format_saved_queries([saved_query("timeline")]), end="")  # doctest: +ELLIPSIS
    timeline  Timeline of one entity
                entity  required  a label or alias (any case) or the IRI of the entity
    """
    items = list(queries)
    width = max((len(q.name) for q in items), default=0)
    param_width = max((len(p.name) for q in items for p in q.parameters), default=0)
    lines: list[str] = []
    for q in items:
        lines.append(f"{q.name.ljust(width)}  {q.title or q.description or '(no title)'}")
        for p in q.parameters:
            need = "optional" if p.optional else "required"
            lines.append(f"{' ' * (width + 4)}{p.name.ljust(param_width)}  {need}  {p.description}")
    return "".join(line.rstrip() + "\n" for line in lines)


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
    kg.errors.QueryError: queries/nope.rq: no such query file. Check the path, ... --name NAME ...
    >>> read_query_arg("sanctions.rq")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: sanctions.rq: ... saved query: kg query --name sanctions.
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
            if path.stem in saved_queries():
                raise QueryError(
                    f"{arg}: no such query file; {path.stem} is a saved query: "
                    f"kg query --name {path.stem}."
                )
            raise QueryError(
                f"{arg}: no such query file. Check the path, give the query text itself, "
                "or run a saved query with --name NAME (kg query --list)."
            )
    return arg
