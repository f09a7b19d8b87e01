"""Graph formats by name and by file suffix (the one registry), and where a build's graph is.

Imports neither rdflib nor pyoxigraph: the commands decide what to load
(a file, or the build's own store, :mod:`kg.stores.home`) before loading it.

>>> guess_format(DEFAULT_GRAPH_PATH), format_for_path("out/kg.nq")
('trig', 'nquads')
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import UnsupportedFormatError

__all__ = [
    "DEFAULT_GRAPH_PATH",
    "FORMATS",
    "FORMAT_SUFFIXES",
    "SUFFIXES",
    "format_for_path",
    "guess_format",
    "normalize_format",
]

#: Where ``kg build`` writes the graph, and what ``kg query`` reads by default.
DEFAULT_GRAPH_PATH = Path("output/kg.trig")

#: Every graph format kg knows, with its file suffixes: the first is the one
#: ``kg export`` writes, any of them is read (by :func:`kg.rdf.load.load_graph`).
FORMAT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "turtle": (".ttl", ".turtle"),
    "nt": (".nt", ".ntriples"),
    "nquads": (".nq", ".nquads"),
    "trig": (".trig",),
    "jsonld": (".jsonld", ".json"),
    "graphml": (".graphml",),
    "gexf": (".gexf",),
    "xml": (".rdf", ".xml", ".owl"),
}

#: Export formats, by the name ``kg export --format`` takes.
FORMATS: tuple[str, ...] = ("turtle", "nt", "nquads", "trig", "jsonld", "graphml", "gexf")

#: The formats a graph file is read in (GraphML and GEXF hold the entity network only).
_READ = ("turtle", "trig", "nt", "nquads", "jsonld", "xml")

#: The format of each suffix a graph file is read from.
SUFFIXES: dict[str, str] = {suffix: name for name in _READ for suffix in FORMAT_SUFFIXES[name]}

#: The suffix of each export format's file.
_WRITTEN: dict[str, str] = {name: FORMAT_SUFFIXES[name][0] for name in FORMATS}

_ALIASES: dict[str, str] = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "nq": "nquads",
    "n-quads": "nquads",
    "json-ld": "jsonld",
}


def guess_format(path: str | Path) -> str:
    """Return the format name of a graph file to read from its suffix.

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


def normalize_format(name: str) -> str:
    """Return the canonical export format for a name or alias (``ttl`` -> ``turtle``).

    >>> normalize_format("TTL"), normalize_format("json-ld")
    ('turtle', 'jsonld')
    >>> normalize_format("rdfa")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.UnsupportedFormatError: unknown export format 'rdfa'; use one of turtle, nt, ...
    """
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise UnsupportedFormatError(
            f"unknown export format {name!r}; use one of {', '.join(FORMATS)}."
        )
    return key


def format_for_path(path: str | Path) -> str:
    """Return the export format a destination's suffix asks for.

    >>> format_for_path("out/kg.nq"), format_for_path("kg.GRAPHML")
    ('nquads', 'graphml')
    """
    suffix = Path(path).suffix.lower()
    for name, known in _WRITTEN.items():
        if suffix == known:
            return name
    if suffix == ".turtle":
        return "turtle"
    raise UnsupportedFormatError(
        f"{path}: cannot tell the export format from the suffix {suffix or '(none)'!r}; "
        f"use one of {', '.join(_WRITTEN.values())} or give --format "
        f"({', '.join(FORMATS)})."
    )
