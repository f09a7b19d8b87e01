"""Every failure a user can act on, one class each.

The library raises these (``raise ... from err``) and never prints; the CLI
turns them into a one-line message and an exit code.

>>> try:
...     raise InputNotFoundError("missing.txt")
... except KGError as err:
...     print(str(err).split(". ")[0])
missing.txt: no such file or folder
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from types import TracebackType

#: The loggers of the libraries that read graphs and shapes, whose warnings come with tracebacks.
LIBRARY_LOGGERS = ("rdflib", "pyshacl")
#: Loggers pySHACL gives a handler of its own at each call (so only a filter holds them back).
_OWN_HANDLER_LOGGERS = ("pyshacl-validate", "pyshacl-rules")


class KGError(Exception):
    """Base class of every error ``kg`` reports to users."""

    exit_code = 1


class InputError(KGError):
    """An input file or folder cannot be used."""

    exit_code = 2


class InputNotFoundError(InputError):
    """A path given on the command line does not exist."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path}: no such file or folder. Check the path, or run `kg build` "
            "with no argument for the sample corpus."
        )


class EmptyInputError(InputError):
    """A file (or a whole input) holds no text."""


class BinaryInputError(InputError):
    """A file is not text."""


class EncodingError(InputError):
    """A file is not in the expected text encoding."""


class ArticleTooLongError(InputError):
    """An article is longer than the limit a build takes (``--max-chars``)."""


class JSONLError(InputError):
    """A JSON Lines file has a line that cannot be used.

    ``others`` are the numbers of further bad lines of the same file, named
    in the message so that one run finds them all.

    >>> str(JSONLError("a.jsonl", 2, "not valid JSON", others=(5, 9))).split(". ")[0]
    'a.jsonl, line 2: not valid JSON (lines 5 and 9 are bad too)'
    """

    def __init__(self, path: str, line: int, why: str, *, others: tuple[int, ...] = ()) -> None:
        also = ""
        if len(others) == 1:
            also = f" (line {others[0]} is bad too)"
        elif others:
            shown = [str(n) for n in others[:10]]
            if len(others) > 10:
                shown.append(f"{len(others) - 10:,} more")
            also = f" (lines {', '.join(shown[:-1])} and {shown[-1]} are bad too)"
        super().__init__(
            f"{path}, line {line}: {why}{also}. Each line must be a JSON object such as "
            '{"id": "doc-1", "text": "..."}.'
        )
        self.path = path
        self.line = line
        self.others = others


class UnsupportedFormatError(KGError):
    """A file or output format that ``kg`` does not handle."""

    exit_code = 2


class GraphFileError(KGError):
    """A graph file cannot be read."""

    exit_code = 2


class QueryError(KGError):
    """A SPARQL query is malformed."""

    exit_code = 2


class UnsafeQueryError(QueryError):
    """A SPARQL query asks for something ``kg query`` refuses by default."""


class QueryTimeoutError(QueryError):
    """A SPARQL query ran longer than its time limit and was stopped."""

    exit_code = 124  # what timeout(1) returns, so scripts can tell it apart


class QueryBusyError(QueryError):
    """Every query worker is busy and the queue is full: try again in a moment."""

    exit_code = 75  # EX_TEMPFAIL


class OutputError(KGError):
    """An output file or folder cannot be written."""


class StateError(KGError):
    """The build state that ``kg add``/``kg remove`` need is missing, damaged or out of date."""

    exit_code = 2


class ClusterError(KGError):
    """A cluster build cannot start: Dask is missing or the scheduler cannot be reached."""

    exit_code = 2


class MissingDependencyError(KGError):
    """An optional dependency a function needs is not installed (pandas for ``to_pandas``)."""

    exit_code = 2


class ThresholdError(KGError):
    """A confidence threshold outside [0, 1]."""

    exit_code = 2


class ModelNotFoundError(KGError):
    """No spaCy English pipeline is installed."""


class OntologyError(KGError):
    """The ontology or a lexicon or gazetteer file is broken."""


class ShapesError(KGError):
    """SHACL shapes cannot be used to check a graph (a bad SPARQL constraint, a feature the
    chosen engine does not implement)."""

    exit_code = 2


class EvaluationError(KGError):
    """A gold standard or a set of predictions to score cannot be used."""

    exit_code = 2


class VisualizationError(KGError):
    """The HTML view cannot be drawn (a library file it inlines is missing)."""


class ViewSelectionError(VisualizationError):
    """A ``--focus`` name or ``--query`` of the HTML view selects nothing that can be drawn."""

    exit_code = 2


class NoPathError(KGError):
    """``kg path``: no chain of relations links the two entities."""


class StoreError(KGError):
    """A triple store cannot be opened, read or written (a folder, a file or an endpoint)."""


class PublishInterruptedError(StoreError):
    """Ctrl-C while a build's store was being updated (its files were already written)."""

    exit_code = 130  # as for any other interruption


class ServerError(KGError):
    """``kg serve`` cannot start (the address is taken or cannot be bound)."""


# --------------------------------------------------------------------------- library warnings


class _Collector(logging.Handler):
    """Keeps the warnings that libraries log, to be told as one line each kind."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a warning must never become a failure
            key, example = _warning_kind(record)
            self.lines[key] += 1
            self.examples.setdefault(key, example)


#: Python warnings meant for the authors of code, not for the users of kg.
_DEVELOPER_WARNINGS = (DeprecationWarning, PendingDeprecationWarning)

#: Control characters (C0, DEL, C1) and bidi overrides: never written raw to a terminal or log.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters (C0, DEL, C1) and bidi overrides written as escapes
    (Python's ``unicode_escape``): for messages and logs that quote what users sent.

    >>> print(printable("GET /\x1b[2J\x07\r\x9b\u202e HTTP/1.1"))
    GET /\x1b[2J\x07\r\x9b\u202e HTTP/1.1
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for one, for messages and reports.

    >>> count(1, "article"), count(1200, "entity", "entities")
    ('1 article', '1,200 entities')
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


_ILL_TYPED = re.compile(r"Failed to convert Literal lexical form to value\. Datatype=(\S+?),")
_XSD = "http://www.w3.org/2001/XMLSchema#"


class _Drop(logging.Filter):
    """Hands a logger's warnings to a collector, and lets nothing through to its handlers."""

    def __init__(self, collector: _Collector) -> None:
        super().__init__()
        self.collector = collector

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            self.collector.emit(record)
        return False


def _warning_kind(record: logging.LogRecord) -> tuple[str, str]:
    """A warning's kind (what the summary line counts) and an example value."""
    message = record.getMessage()
    match = _ILL_TYPED.match(message)
    if match is None:
        first = (message.strip().splitlines() or ["(no message)"])[0]
        return f"{record.name.split('.')[0]}: {first}", ""
    datatype = match.group(1).replace(_XSD, "xsd:")
    return f"ill-typed literal ({datatype})", _lexical_of(record.exc_info)


def _lexical_of(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
    | None,
) -> str:
    """The lexical form rdflib could not convert (a local of the frame that logged it)."""
    tb = exc_info[2] if exc_info else None
    while tb is not None:
        lexical = tb.tb_frame.f_locals.get("lexical")
        if isinstance(lexical, str):
            return lexical if len(lexical) <= 40 else lexical[:37] + "..."
        tb = tb.tb_next
    return ""


def _summary(collector: _Collector, caught: list[warnings.WarningMessage]) -> list[str]:
    lines = []
    for key, n in sorted(collector.lines.items()):
        if key.startswith("ill-typed literal"):
            datatype = key[len("ill-typed literal (") : -1]
            example = collector.examples.get(key)
            what = f"{n:,} ill-typed literal" + ("" if n == 1 else "s, e.g.")
            value = repr(example) if example else "a value"
            lines.append(
                f"{what} {value} is not a valid {datatype}: kept as written, with no value "
                "to compare or compute with"
            )
        else:
            lines.append(key + (f" ({n:,} times)" if n > 1 else ""))
    told = Counter(
        (str(w.message).strip().splitlines() or [w.category.__name__])[0] for w in caught
    )
    lines += [m + (f" ({n:,} times)" if n > 1 else "") for m, n in sorted(told.items())]
    return [" ".join(line.split()) for line in lines]


@contextlib.contextmanager
def quiet_rdflib_warnings(report: Callable[[str], None] | None = None) -> Iterator[list[str]]:
    """Hold back the warnings rdflib and pySHACL log (with tracebacks) and Python warnings.

    Inside the block nothing of them reaches stderr. When the block ends,
    whether it returns or raises, each kind of warning becomes one line
    (counted: "2 ill-typed literals, e.g. 'abc' is not a valid xsd:integer
    ..."), passed to ``report`` and appended to the yielded list.
    The CLI runs every command inside it (``kg.cli.guarded``) and prints the
    lines as ``warning: ...``.

    >>> from rdflib import Literal, XSD
    >>> with quiet_rdflib_warnings() as lines:
    ...     value = Literal("abc", datatype=XSD.integer)
    >>> print(lines[0].split(": ")[0])
    1 ill-typed literal 'abc' is not a valid xsd:integer
    """
    collector = _Collector()
    drop = _Drop(collector)
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    own = [logging.getLogger(name) for name in _OWN_HANDLER_LOGGERS]
    saved = [lg.propagate for lg in loggers]
    lines: list[str] = []
    for lg in loggers:
        lg.addHandler(collector)
        lg.propagate = False
    for lg in own:
        lg.addFilter(drop)
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield lines
    finally:
        for lg, propagate in zip(loggers, saved, strict=True):
            lg.removeHandler(collector)
            lg.propagate = propagate
        for lg in own:
            lg.removeFilter(drop)
        for_developers = [w for w in caught if issubclass(w.category, _DEVELOPER_WARNINGS)]
        for w in for_developers:  # passed on, to be shown or hidden as Python decides
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        told = [w for w in caught if not issubclass(w.category, _DEVELOPER_WARNINGS)]
        lines.extend(_summary(collector, told))
        if report is not None:
            for line in lines:
                report(line)
