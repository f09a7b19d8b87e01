"""The quick way of ``kg query`` on an Oxigraph store: no rdflib, one short process.

``kg query`` checks every query with rdflib's SPARQL parser, then runs it
and turns the answer into rdflib terms: on a store that holds a big build,
importing rdflib and its parser costs several times what Oxigraph takes to
answer. A SELECT (naming its columns) or ASK whose text a plain scan shows
harmless (no update, ``SERVICE``, ``FROM``, ``BASE`` or ``\\u`` escape outside
strings, IRIs and comments) is sent to Oxigraph as it is, and its answer printed from
Oxigraph's terms, the same text :func:`kg.query.format_result` prints
(``tests/test_query_quick.py`` holds that). Anything else goes the usual
way: :func:`quick_query` answers None.

The query runs in a forked child (:func:`kg.query.limits.run_killable`)
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
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.query.limits import parse_size, run_killable
from kg.query.text import as_written, render
from kg.rdf.prefixes import PREFIXES

__all__ = ["answer_command", "code_only", "quick_query", "quick_text"]

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
    folder: Path | None,
    format: str = "table",
    timeout: float | None = 30.0,
    max_memory: str = "2GiB",
) -> str | None:
    """What ``kg query QUERY`` prints, from the quick path, or None (go the usual way).

    ``folder`` is the Oxigraph store that answers (the caller chooses it:
    :func:`kg.stores.home.query_folder`); None goes the usual way. A
    ``query`` naming a file is read (the usual way reports an unreadable one).

    Raises:
        QueryTimeoutError, QueryError: as :func:`quick_query`, or a
            ``max_memory`` that is not a size.
    """
    if folder is None:
        return None
    text = query
    if "\n" not in query and len(query) < 4096 and Path(query).is_file():
        try:
            text = Path(query).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
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
    """Open the store read-only under kg's shared lock, run the query, render its answer.

    It runs in a forked child when the query has limits, else in this
    process, which lets the store and the lock go before it returns.
    """
    import fcntl  # POSIX, as kg's store locks (kg.stores.folder)

    import pyoxigraph as ox  # only once the quick path takes the query

    try:
        fd = os.open(folder, os.O_RDONLY)  # kg's shared lock: no writer meanwhile
    except OSError:
        return None
    store: Any = None
    results: Any = None
    try:
        try:
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
                document = {"head": {}, "boolean": bool(results)}
                return json.dumps(document, separators=(",", ":")) + "\n"
            return ("true" if results else "false") + "\n"
        if not isinstance(results, ox.QuerySolutions):
            return None
        variables = tuple(v.value for v in results.variables)
        rows = [tuple(as_written(term) for term in solution) for solution in results]
    finally:
        store = results = None  # RocksDB lets go of the folder before the lock goes
        os.close(fd)
    return render(variables, rows, format=format, prefixes=names)
