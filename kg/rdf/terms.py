"""Conversion of RDF terms between pyoxigraph and rdflib, both ways.

Files are parsed and written by pyoxigraph (Rust) while kg's graphs are rdflib
objects: this is the one place that converts a term from one library to the
other, with caches for the many repeated IRIs of a graph.

>>> to_rdflib(ox.NamedNode("http://example.org/a"))
rdflib.term.URIRef('http://example.org/a')
>>> from_rdflib(URIRef("http://example.org/a"))
<NamedNode value=http://example.org/a>
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg.errors import UnsupportedFormatError

__all__ = ["from_rdflib", "ox_term_converter", "term_converter", "to_rdflib"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term: object) -> Node | None:
    """Convert a pyoxigraph term into the equal rdflib term.

    ``xsd:string`` literals become plain rdflib literals (RDF 1.1 makes them
    the same), the default graph becomes rdflib's default graph id, and a
    blank node keeps its label. RDF 1.2 triple terms and base directions
    have no rdflib equivalent and raise :class:`UnsupportedFormatError`.

    >>> to_rdflib(ox.NamedNode("http://example.org/a"))
    rdflib.term.URIRef('http://example.org/a')
    >>> to_rdflib(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> to_rdflib(ox.Literal("chat", language="fr"))
    rdflib.term.Literal('chat', lang='fr')
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if getattr(term, "direction", None):
            raise UnsupportedFormatError(
                f"the literal {term} has an RDF 1.2 base direction, which kg cannot hold; "
                "remove the --ltr/--rtl suffix."
            )
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    if isinstance(term, ox.Variable):
        return Variable(term.value)
    if isinstance(term, ox.Triple):
        raise UnsupportedFormatError(
            f"the RDF 1.2 triple term {term} has no rdflib equivalent; kg cannot load it."
        )
    raise TypeError(f"not a pyoxigraph term: {term!r}")


def from_rdflib(term: Node | Graph | None) -> object:
    """Convert an rdflib term (or a graph, for its name) into the equal pyoxigraph term.

    ``None`` and rdflib's default graph id become :class:`pyoxigraph.DefaultGraph`.

    >>> from_rdflib(URIRef("http://example.org/a"))
    <NamedNode value=http://example.org/a>
    >>> from_rdflib(Literal("chat", lang="fr"))
    <Literal value=chat language=fr>
    >>> from_rdflib(None)
    <DefaultGraph>
    """
    if isinstance(term, Graph):
        term = term.identifier
    if term is None or term == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != _RDF_LANG_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Variable):
        return ox.Variable(str(term))
    raise TypeError(f"not an rdflib term: {term!r}")


def ox_term_converter() -> Callable[[Node | Graph | None], Any]:
    """A :func:`from_rdflib` for many terms: each IRI, blank node and graph name is
    converted once, and literals (rarely repeated) without a cache.

    >>> convert = ox_term_converter()
    >>> convert(URIRef("http://example.org/a")) is convert(URIRef("http://example.org/a"))
    True
    >>> convert(Literal("7", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    <Literal value=7 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    cache: dict[object, Any] = {}
    datatypes: dict[str, Any] = {}

    def convert(term: Node | Graph | None) -> Any:
        if type(term) is Literal and not term.language:  # the common case, made cheap
            datatype = term.datatype
            if datatype is None or str(datatype) == _RDF_LANG_STRING:
                return ox.Literal(str(term))
            node = datatypes.get(datatype)
            if node is None:
                node = datatypes[datatype] = ox.NamedNode(str(datatype))
            return ox.Literal(str(term), datatype=node)
        if isinstance(term, Literal):
            return from_rdflib(term)
        node = cache.get(term)
        if node is None:
            node = cache[term] = from_rdflib(term)
        return node

    return convert


def term_converter() -> Callable[[object], Node]:
    """A :func:`to_rdflib` that builds each distinct term once (a fresh cache per call).

    >>> convert = term_converter()
    >>> convert(ox.NamedNode("http://e.org/a")) is convert(ox.NamedNode("http://e.org/a"))
    True
    """
    # The same IRIs and literals come back again and again in a graph file;
    # building each rdflib term once halves the conversion time.
    cache: dict[object, Node] = {}

    def convert(term: object) -> Node:
        node = cache.get(term)
        if node is None:
            node = to_rdflib(term)
            assert node is not None
            cache[term] = node
        return node

    return convert
