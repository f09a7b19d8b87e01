"""Saved queries: ``queries/*.rq`` (shipped as ``kg._queries``) with a header of
``# title:``, ``# description:`` and ``# param: NAME - what it is[, optional]``
comments; each parameter is a ``VALUES ?param_NAME { UNDEF }`` block, which
:func:`bind_query` fills with an RDF term in the parse tree, never by editing
the query text. :func:`read_query_arg` reads the query a ``kg query`` argument names.

>>> saved_query("timeline").parameters[0].name
'entity'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from kg.errors import OntologyError, QueryError
from kg.ontology import package_data_dir
from kg.query.check import (
    ParsedQuery,
    compile_tree,
    parse_tree,
    refuse_unsafe,
    unescape_local_names,
    walk_tree,
)
from kg.rdf.prefixes import PREFIXES

__all__ = [
    "QueryParameter",
    "SavedQuery",
    "bind_query",
    "format_saved_queries",
    "prepare_query",
    "queries_dir",
    "read_query_arg",
    "read_saved_query",
    "render_query",
    "saved_queries",
    "saved_query",
]

_QUERY_SUFFIXES = (".rq", ".sparql", ".rql", ".ru")

_XSD = PREFIXES["xsd"]


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
    fields = _header_fields(text)
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


def _header_fields(text: str) -> list[list[str]]:
    """The ``[field, value]`` pairs of a query's header (continuation lines joined)."""
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
    return fields


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
    tree = parse_tree(saved.text)
    refuse_unsafe(tree, allow_service=allow_service, allow_from=allow_from)
    unescape_local_names(tree)
    slots = _checked_slots(saved, tree)
    for key, term in terms.items():
        for node in slots[key]:
            node["value"] = [term]
    return compile_tree(saved.text, tree, bindings=terms)


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
    tree = parse_tree(saved.text)
    refuse_unsafe(tree, allow_service=allow_service, allow_from=allow_from)
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
    _check_written(saved, tree, text, terms)
    return text


def _check_written(saved: SavedQuery, tree: Any, text: str, terms: Mapping[str, Node]) -> None:
    """Parse the rendered text and read each block back: it must hold exactly the term given."""
    wanted = {key: len(nodes) for key, nodes in _parameter_slots(tree).items()}
    found_values: dict[str, list[object]] = {}
    for node in walk_tree(compile_tree(text, _unescaped(parse_tree(text))).query.algebra):
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


def _unescaped(tree: Any) -> Any:
    unescape_local_names(tree)
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


def prepare_query(
    query: str | None = None,
    *,
    name: str | None = None,
    params: Mapping[str, str | Node] | None = None,
    allow_service: bool = False,
    allow_from: bool = False,
) -> ParsedQuery:
    """The checked, bound query ``kg query`` runs: the saved query ``name``, else ``query``
    (its text, or the path of a file holding it: :func:`read_query_arg`).

    >>> prepare_query("ASK { ?s ?p ?o }").kind
    'ASK'
    """
    if name is not None:
        saved = saved_query(name)
    else:
        saved = read_saved_query(read_query_arg(query or ""), name="the query")
    return bind_query(saved, params or {}, allow_service=allow_service, allow_from=allow_from)
