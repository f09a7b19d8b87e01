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


class OutputError(KGError):
    """An output file or folder cannot be written."""


class StateError(KGError):
    """The build state that ``kg add``/``kg remove`` need is missing, damaged or out of date."""

    exit_code = 2


class ClusterError(KGError):
    """A cluster build cannot start: Dask is missing or the scheduler cannot be reached."""

    exit_code = 2


class ThresholdError(KGError):
    """A confidence threshold outside [0, 1]."""

    exit_code = 2


class ModelNotFoundError(KGError):
    """No spaCy English pipeline is installed."""


class OntologyError(KGError):
    """The ontology or a lexicon or gazetteer file is broken."""


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
