"""A graph in every format kg offers (``kg export``), deterministically.

RDF formats are written by :mod:`kg.rdf.serialize`; GraphML and GEXF (both
for Gephi) by networkx, from the entity network of :func:`kg.graph.network.to_networkx`.
The format names and file suffixes are :mod:`kg.rdf.files`'s.

>>> from rdflib import Dataset, Literal, URIRef
>>> ds = Dataset()
>>> _ = ds.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x")))
>>> print(export_graph(ds, format="nt"), end="")
<https://example.org/a> <https://example.org/p> "x" .
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset, Graph

from kg.atomic import write_atomic
from kg.graph.network import gexf_text, graphml_text
from kg.rdf.files import normalize_format
from kg.rdf.serialize import serialize

__all__ = ["export_graph"]

#: The formats of the entity network, not RDF.
_NETWORK_WRITERS: dict[str, Callable[[Dataset | Graph], str]] = {
    "graphml": graphml_text,
    "gexf": gexf_text,
}


def export_graph(
    graph: Dataset | Graph, *, format: str, destination: str | Path | None = None
) -> str | None:
    """Serialize a graph; return the text, or write it to ``destination`` atomically.

    Parameters:
        graph: a Dataset (named graphs are kept by ``nquads``, ``trig`` and
            ``jsonld``; ``turtle`` and ``nt`` write the union) or a plain Graph.
        format: one of :data:`kg.rdf.files.FORMATS` (aliases such as ``ttl`` are accepted).
        destination: a file to write (through a temporary file in the same
            folder and :func:`os.replace`, so readers never see half a file).

    Returns:
        The serialization (UTF-8 text ending with a newline) when
        ``destination`` is None, else None.

    Raises:
        UnsupportedFormatError: ``format`` is not one of :data:`kg.rdf.files.FORMATS`.
        OutputError: the destination cannot be written.

    >>> from rdflib import Graph, URIRef
    >>> from kg.ontology import KGO
    >>> g = Graph()
    >>> _ = g.add((URIRef("https://example.org/acme"), KGO.basedIn, URIRef("https://example.org/paris")))
    >>> print(export_graph(g, format="turtle"), end="")
    @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    <BLANKLINE>
    <https://example.org/acme> kgo:basedIn <https://example.org/paris> .
    """
    name = normalize_format(format)
    network = _NETWORK_WRITERS.get(name)
    text = network(graph) if network is not None else serialize(graph, format=name)
    if destination is None:
        return text
    write_atomic(destination, text.encode("utf-8"))
    return None
