"""Graph files by their names: the format a suffix says, and where a build's graph is by default.

Imports neither rdflib nor pyoxigraph: the commands decide what to load
(a file, or the build's own store, :mod:`kg.stores.home`) before loading it.

>>> guess_format(DEFAULT_GRAPH_PATH)
'trig'
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import UnsupportedFormatError

__all__ = ["DEFAULT_GRAPH_PATH", "SUFFIXES", "guess_format"]

#: Where ``kg build`` writes the graph, and what ``kg query`` reads by default.
DEFAULT_GRAPH_PATH = Path("output/kg.trig")

#: File suffixes load_graph recognises.
SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}


def guess_format(path: str | Path) -> str:
    """Return the format name of a graph file from its suffix.

    >>> guess_format("output/kg.trig"), guess_format("x.NT")
    ('trig', 'nt')
    """
    suffix = Path(path).suffix.lower()
    try:
        return SUFFIXES[suffix]
    except KeyError:
        raise UnsupportedFormatError(
            f"{path}: cannot tell the graph format from the suffix {suffix or '(none)'!r}. "
            f"Use one of {', '.join(sorted(SUFFIXES))} or give the format explicitly."
        ) from None
