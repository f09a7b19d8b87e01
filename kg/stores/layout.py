"""How the Oxigraph and server stores lay out kg's dataset, and the updates that keep it so.

The default graph is the union of all graphs, as in ``kg query``. The
memory store is an rdflib Dataset with ``default_union``. The Oxigraph and
server stores keep the union in their default graph: every triple loaded
into a named graph is also written to the default graph, and the triples
loaded into the default graph itself are also kept in the named graph
``<urn:x-kg:default-graph>`` (:data:`DEFAULT_GRAPH_IRI`), so that
replacing or removing a graph takes out of the default graph exactly what
no other graph still holds. Any SPARQL client of such a server therefore
sees kg's default graph with no option, and a triple that several articles
assert is matched once, as by rdflib (Oxigraph's own
``union-default-graph`` option would match it once per graph: do not use it
on a store kg writes). A ``GRAPH ?g`` pattern sent to the server directly
also matches ``<urn:x-kg:default-graph>``; kg's embedded Oxigraph store
hides it. An Oxigraph folder that kg did not lay out is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from kg.errors import GraphFileError, UnsupportedFormatError
from kg.query.text import as_written
from kg.rdf.files import guess_format
from kg.rdf.load import RDF_FORMATS
from kg.rdf.terms import ox_term_converter
from kg.stores.base import GraphName, Triple, graph_iri

__all__ = [
    "COUNT_QUADS",
    "DEFAULT_GRAPH_IRI",
    "GRAPH_KEYWORD",
    "NAMED_GRAPHS",
    "OWN_GRAPH",
    "graph_file",
    "insert_quads_update",
    "insert_update",
    "laid_out",
    "logical",
    "ox_quads",
    "replace_update",
    "retract_update",
    "second_copy",
    "stored_quads",
]


#: The named graph where the Oxigraph and server stores keep the triples loaded into
#: the default graph (their default graph holds the union of all graphs).
DEFAULT_GRAPH_IRI = "urn:x-kg:default-graph"
OWN_GRAPH = ox.NamedNode(DEFAULT_GRAPH_IRI)

COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPH_KEYWORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)


def laid_out(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads as stored: each also in the default graph; the default graph's own in kg's graph."""
    for quad in quads:
        yield quad
        yield second_copy(quad)


def second_copy(quad: ox.Quad) -> ox.Quad:
    """The second copy of a loaded quad: in the default graph, or kg's graph for the default's."""
    graph = OWN_GRAPH if isinstance(quad.graph_name, ox.DefaultGraph) else _DEFAULT
    return ox.Quad(quad.subject, quad.predicate, quad.object, graph)


_DEFAULT = ox.DefaultGraph()


def logical(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads that were loaded, from the stored ones (the inverse of :func:`laid_out`)."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        if quad.graph_name == OWN_GRAPH:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())
        else:
            yield quad


def stored_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The loaded quads of an Oxigraph store: kg's own graph as the default graph first.

    Decimals are spelled as kg writes them (:func:`kg.query.text.as_written`).
    """
    for quad in store.quads_for_pattern(None, None, None, OWN_GRAPH):
        yield ox.Quad(quad.subject, quad.predicate, as_written(quad.object), ox.DefaultGraph())
    for name in store.named_graphs():
        if name != OWN_GRAPH:
            for quad in store.quads_for_pattern(None, None, None, name):
                yield ox.Quad(quad.subject, quad.predicate, as_written(quad.object), name)


def ox_quads(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> Iterator[ox.Quad]:
    """rdflib quads (graph None: the default graph) as pyoxigraph quads."""
    convert = ox_term_converter()
    for s, p, o, g in quads:
        yield ox.Quad(convert(s), convert(p), convert(o), convert(g))


def _graph_node(graph: GraphName) -> ox.NamedNode:
    """Where a graph is stored: its IRI, or kg's own graph for the default graph."""
    name = graph_iri(graph)
    return OWN_GRAPH if name is None else ox.NamedNode(str(name))


def _ntriples(triples: Iterable[Triple] | Graph) -> str:
    convert = ox_term_converter()
    data = ox.serialize(
        (ox.Triple(convert(s), convert(p), convert(o)) for s, p, o in triples),
        format=ox.RdfFormat.N_TRIPLES,
    )
    return (data or b"").decode("utf-8")


def retract_update(graph: GraphName) -> str:
    """SPARQL Update that drops a graph, and from the default graph what only it held."""
    g = _graph_node(graph)
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ "
        f"GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != {g}) }} }} ;\n"
        f"DROP SILENT GRAPH {g}"
    )


def insert_update(graph: GraphName, triples: Iterable[Triple] | Graph) -> str:
    """``INSERT DATA`` of triples into a graph and into the default graph ("" if none)."""
    body = _ntriples(triples)
    return f"INSERT DATA {{ GRAPH {_graph_node(graph)} {{\n{body}}}\n{body}}}" if body else ""


def replace_update(graph: GraphName, triples: Iterable[Triple] | Graph) -> str:
    """One update (one transaction) that replaces a graph's triples, keeping the layout."""
    insert = insert_update(graph, triples)
    retract = retract_update(graph)
    return f"{retract} ;\n{insert}" if insert else retract


def insert_quads_update(quads: list[ox.Quad]) -> str:
    """``INSERT DATA`` of quads as they are (already laid out)."""
    by_graph: dict[Any, list[ox.Triple]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(quad.triple)
    blocks = []
    for name, triples in by_graph.items():
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        body = (data or b"").decode("utf-8")
        blocks.append(body if isinstance(name, ox.DefaultGraph) else f"GRAPH {name} {{\n{body}}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "}"


def graph_file(path: str | Path, format: str | None) -> tuple[Path, ox.RdfFormat]:
    """A graph file to load and its pyoxigraph format; a missing file or unknown format raises."""
    path = Path(path)
    name = format.lower() if format else guess_format(path)
    if name not in RDF_FORMATS:
        raise UnsupportedFormatError(
            f"unknown graph format {format!r}; use one of trig, nquads, turtle, nt, jsonld, xml."
        )
    if not path.exists():
        raise GraphFileError(f"{path}: no such graph file. Check the path.")
    if path.is_dir():
        raise GraphFileError(f"{path}: is a folder, not a graph file. Give the file itself.")
    return path, RDF_FORMATS[name]
