"""Open graph files as rdflib Datasets.

Files are parsed with pyoxigraph (Rust, about twice as fast as rdflib's own
parsers) and its terms converted into rdflib terms by :mod:`kg.rdf.terms`.
pyoxigraph also reads JSON-LD without fetching remote contexts, which keeps
loading offline.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "g.trig").write_text(
...     "@prefix kgo: <https://w3id.org/kg-builder/ontology#> .\\n"
...     "<https://example.org/graph/d1> { <https://example.org/acme> kgo:basedIn "
...     "<https://example.org/paris> . }\\n"
... )
>>> ds = load_graph(folder / "g.trig")
>>> len(ds), [str(g.identifier) for g in ds.graphs() if len(g)]
(1, ['https://example.org/graph/d1'])
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import GraphFileError, UnsupportedFormatError
from kg.rdf.dataset import add_quads, new_dataset
from kg.rdf.files import DEFAULT_GRAPH_PATH, SUFFIXES, guess_format

__all__ = ["RDF_FORMATS", "load_graph", "syntax_message"]


#: Graph file formats by name (with aliases), as pyoxigraph formats.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "n-quads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
}


def load_graph(path: str | Path, *, format: str | None = None) -> Dataset:
    """Read a graph file into a :class:`rdflib.Dataset` with ``default_union=True``.

    Named graphs (TriG, N-Quads, JSON-LD) stay named graphs; triples of the
    other formats go to the default graph. Queries see the union of all.
    The prefixes the file declares are bound on the Dataset, after kg's own
    (:data:`kg.rdf.prefixes.PREFIXES`).

    Parameters:
        path: the file (``.ttl``, ``.trig``, ``.nt``, ``.nq``, ``.jsonld``, ``.rdf``/``.xml``).
        format: a format name (``turtle``, ``trig``, ``nt``, ``nquads``, ``jsonld``,
            ``xml``) when the suffix does not tell it.

    Raises:
        GraphFileError: the file is missing, unreadable or not valid in its format
            (the message names the file and, when the parser knows it, the line).
        UnsupportedFormatError: the format is unknown.

    >>> load_graph("no/such.ttl")
    Traceback (most recent call last):
    ...
    kg.errors.GraphFileError: no/such.ttl: no such graph file. Check the path.
    """
    path = Path(path)
    name = format.lower() if format else guess_format(path)
    if name not in RDF_FORMATS:
        names = ", ".join(sorted(set(SUFFIXES.values())))
        raise UnsupportedFormatError(f"unknown graph format {format!r}; use one of {names}.")
    if not path.exists():
        raise GraphFileError(_missing_message(path))
    if path.is_dir():
        raise GraphFileError(f"{path}: is a folder, not a graph file. Give the file itself.")
    dataset = new_dataset()
    try:
        parser = ox.parse(path=path, format=RDF_FORMATS[name])
        add_quads(dataset, parser)
    except SyntaxError as err:
        raise GraphFileError(f"{path}: {syntax_message(err)}. Fix the file or rebuild it.") from err
    except UnsupportedFormatError as err:
        raise GraphFileError(f"{path}: {err}") from err
    except OSError as err:
        raise GraphFileError(f"{path}: cannot read it ({err.strerror or err}).") from err
    for prefix, iri in sorted(parser.prefixes.items()):
        if prefix:  # the empty prefix would shadow nothing useful and confuse readers
            dataset.bind(prefix, iri, override=True, replace=True)
    return dataset


def _missing_message(path: Path) -> str:
    if path.resolve() == DEFAULT_GRAPH_PATH.resolve():
        return f"{path}: no graph yet: run `kg build` first, or give the path of a graph file."
    return f"{path}: no such graph file. Check the path."


def syntax_message(err: SyntaxError) -> str:
    """A one-line description of a pyoxigraph parse error, with its line and column.

    >>> err = SyntaxError("unexpected end")
    >>> err.lineno, err.offset = 3, 2
    >>> syntax_message(err).startswith("line 3")
    True
    """
    # pyoxigraph says "Parser error between line 3 column 2 and line 4 column 1: why"
    # (1-based) and sets lineno/offset when it knows the position.
    text = str(err.msg or err)
    why = text.split(": ", 1)[1] if text.startswith("Parser error") and ": " in text else text
    if err.lineno:
        where = f"line {err.lineno}" + (f", column {err.offset}" if err.offset else "")
        return f"{where}: {why}"
    return why
