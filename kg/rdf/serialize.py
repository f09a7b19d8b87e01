"""RDF written deterministically: Turtle, TriG, N-Triples, N-Quads and JSON-LD.

Each format is written from a sorted copy of the graph (blank nodes, if any,
relabelled canonically first), so isomorphic inputs with the same IRIs and
prefixes give byte-identical text. N-Triples and N-Quads are written by
pyoxigraph (canonical escaping) and sorted line by line; Turtle and TriG by
:mod:`kg.rdf.turtle` (kg's prefixes, one block per subject); JSON-LD by
rdflib's JSON-LD converter. :func:`kg.graph.export.export_graph` adds the
entity network's formats (GraphML, GEXF) and writing to a file.

>>> from rdflib import Dataset, Literal, URIRef
>>> ds = Dataset()
>>> _ = ds.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x")))
>>> print(serialize(ds, format="nt"), end="")
<https://example.org/a> <https://example.org/p> "x" .
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph
from rdflib.namespace import OWL
from rdflib.term import Node

from kg.rdf.dataset import new_dataset, walk_labelled
from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import ox_term_converter
from kg.rdf.turtle import TurtleWriter, trig_text, turtle_text

__all__ = [
    "MAX_NESTING",
    "RDF_WRITERS",
    "canonical_quads",
    "dataset_quads",
    "ensure_newline",
    "serialize",
]

_Quad = tuple[Node, Node, Node, Node | None]  # graph name None: the default graph


def serialize(graph: Dataset | Graph, *, format: str) -> str:
    """The graph in the RDF format ``format`` (one of :data:`RDF_WRITERS`), as text.

    Blank nodes that chain deeper than :data:`MAX_NESTING` are written with
    labels (:func:`_flat`), in linear time.
    """
    if _nests_deeply(graph):
        return _flat(graph, format)
    return RDF_WRITERS[format](graph)


#################################################################
# A sorted, canonical copy
#################################################################


def dataset_quads(graph: Dataset | Graph) -> Iterator[_Quad]:
    """Every quad of a Dataset (graph name None for the default graph), or a Graph's triples.

    >>> from rdflib import URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("http://e.org/a"), URIRef("http://e.org/p"), URIRef("http://e.org/b")))
    >>> [q[3] for q in dataset_quads(g)]
    [None]
    """
    if isinstance(graph, (Dataset, ConjunctiveGraph)):
        for s, p, o, context in graph.quads((None, None, None, None)):
            name = context.identifier if isinstance(context, Graph) else context
            yield s, p, o, (None if name in (None, DATASET_DEFAULT_GRAPH_ID) else name)
    else:
        for s, p, o in graph:
            yield s, p, o, None


def _key(term: Node | None) -> str:
    return "" if term is None else term.n3()


def canonical_quads(graph: Dataset | Graph, *, sort: bool = True) -> list[_Quad]:
    """Return the graph's quads sorted, with blank nodes relabelled canonically.

    Two isomorphic graphs with the same IRIs give the same list. The graph
    name is None for the default graph. ``sort=False`` skips the sorting
    (for callers that sort their own output) but still relabels blank nodes.

    >>> from rdflib import BNode, Graph, URIRef
    >>> g = Graph()
    >>> b = BNode()
    >>> _ = g.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), b))
    >>> [q[2] for q in canonical_quads(g)] == [q[2] for q in canonical_quads(g)]
    True
    """
    quads = list(dict.fromkeys(dataset_quads(graph)))
    if any(isinstance(t, BNode) for q in quads for t in q[:3]):
        quads = _relabel_blank_nodes(quads)
    return _sorted_quads(quads) if sort else quads


def _sorted_quads(quads: Iterable[_Quad]) -> list[_Quad]:
    keys: dict[Node | None, str] = {}  # terms repeat a lot: write each one's N3 once

    def key(term: Node | None) -> str:
        text = keys.get(term)
        if text is None:
            text = keys[term] = _key(term)
        return text

    return sorted(quads, key=lambda q: (key(q[3]), key(q[0]), key(q[1]), key(q[2])))


def _relabel_blank_nodes(quads: list[_Quad]) -> list[_Quad]:
    # rdflib canonicalises one graph. Fold the graph name into the predicate
    # (one stand-in IRI per (predicate, graph) pair, numbered in sorted
    # order) so that a blank node shared by two named graphs stays one node.
    pairs = sorted({(q[1], q[3]) for q in quads}, key=lambda pg: (_key(pg[0]), _key(pg[1])))
    code = {pair: URIRef(f"urn:x-kg:quad-predicate:{i}") for i, pair in enumerate(pairs)}
    decode = {iri: pair for pair, iri in code.items()}
    folded = Graph()
    for s, p, o, g in quads:
        folded.add((s, code[(p, g)], o))
    out: set[_Quad] = set()
    for s, p, o in to_canonical_graph(folded):
        predicate, name = decode[p]  # type: ignore[index]
        out.add((s, predicate, o, name))
    return list(out)


def _copy(graph: Dataset | Graph, quads: Iterable[_Quad]) -> Dataset:
    """A Dataset holding ``quads`` in order, with the input's prefixes (kg's first)."""
    dataset = new_dataset()
    for prefix, namespace in sorted(graph.namespaces()):
        if prefix and prefix != "xml":
            dataset.bind(prefix, namespace, override=True, replace=True)
    graphs: dict[Node | None, Graph] = {None: dataset.default_graph}
    for s, p, o, name in quads:
        target = graphs.get(name)
        if target is None:
            target = graphs[name] = dataset.graph(name)  # type: ignore[arg-type]
        target.add((s, p, o))
    return dataset


#################################################################
# Serializers
#################################################################


def _turtle(graph: Dataset | Graph, quads: Sequence[_Quad] | None = None) -> str:
    """The union of the graphs as Turtle (:mod:`kg.rdf.turtle`): one block per subject."""
    quads = canonical_quads(graph, sort=False) if quads is None else quads
    return turtle_text(dict.fromkeys(q[:3] for q in quads), _writer(graph, quads))


def _trig(graph: Dataset | Graph, quads: Sequence[_Quad] | None = None) -> str:
    """TriG (:mod:`kg.rdf.turtle`): the default graph first, then the named graphs by name."""
    quads = canonical_quads(graph, sort=False) if quads is None else quads
    return trig_text(quads, _writer(graph, quads))


def _writer(graph: Dataset | Graph, quads: Sequence[_Quad]) -> TurtleWriter:
    """A Turtle writer with kg's prefixes and the input's own (kg's names first), the
    input's ontologies (``owl:Ontology``) as the first blocks."""
    prefixes = dict(PREFIXES)
    known = set(prefixes.values())
    for prefix, namespace in sorted(graph.namespaces()):
        if prefix and prefix not in prefixes and str(namespace) not in known:
            prefixes[prefix] = str(namespace)
            known.add(str(namespace))
    headers = {s for s, p, o, _ in quads if p == RDF.type and o == OWL.Ontology}
    return TurtleWriter(prefixes, headers=headers)


def _lines(quads: Iterable[_Quad], fmt: ox.RdfFormat) -> str:
    convert = ox_term_converter()
    oxquads = [ox.Quad(convert(s), convert(p), convert(o), convert(g)) for s, p, o, g in quads]
    data = ox.serialize(oxquads, format=fmt)
    assert data is not None
    # split on LF only: str.splitlines() would also split inside literals at U+0085, U+2028...
    lines = sorted(set(data.decode("utf-8").split("\n")) - {""})
    return "".join(line + "\n" for line in lines)


def _ntriples(graph: Dataset | Graph) -> str:
    return _lines(
        ((s, p, o, None) for s, p, o, _ in canonical_quads(graph, sort=False)),
        ox.RdfFormat.N_TRIPLES,
    )


def _nquads(graph: Dataset | Graph) -> str:
    return _lines(canonical_quads(graph, sort=False), ox.RdfFormat.N_QUADS)


def _jsonld(graph: Dataset | Graph) -> str:
    # rdflib's Converter does the node conversion. We assemble the document
    # ourselves because rdflib puts the default graph of a Dataset in an
    # object without "@id", which JSON-LD reads as a blank-node-named graph,
    # and we keep typed literals explicit where JSON numbers would lose the
    # datatype or lexical form (xsd:double, xsd:decimal).
    from rdflib.namespace import XSD  # imported here: pytest's doctest finder trips on it
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    dataset = _copy(graph, canonical_quads(graph))
    context_data = _used_prefixes(dataset)
    context = Context(context_data)
    converter = Converter(context, use_native_types=False, use_rdf_type=False)
    converter.use_native_types = False  # rdflib forces native types when a context is active
    natives = {
        context.to_symbol(XSD.integer): _native_integer,
        context.to_symbol(XSD.boolean): _native_boolean,
    }
    items: list[Any] = list(converter.from_graph(dataset.default_graph))
    named = sorted(
        (g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID),
        key=lambda g: g.identifier.n3(),
    )
    for named_graph in named:
        nodes = converter.from_graph(named_graph)
        if nodes:
            name = named_graph.identifier
            graph_id = name.n3() if isinstance(name, BNode) else context.shrink_iri(name)
            items.append({"@id": graph_id, "@graph": nodes})
    document: dict[str, Any] = {}
    if context_data:
        document["@context"] = context_data
    document["@graph"] = _sort_jsonld(items, natives)
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


#: Formats written with labelled blank nodes (:func:`_flat`) when blank nodes chain deeply:
#: rdflib's Turtle, TriG and JSON-LD writers nest a blank node inside the node that refers
#: to it (by recursion), and its canonical relabelling takes quadratic time on a chain.
_FLAT: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
}

#: Blank nodes nested deeper than this (or in a cycle) are written with labels.
MAX_NESTING = 100


def _nests_deeply(graph: Dataset | Graph) -> bool:
    """Whether a chain of blank nodes, each the object of the one before, is longer than
    :data:`MAX_NESTING` or closes on itself (rdflib's writers would recurse that deep).

    >>> g = Graph()
    >>> p = URIRef("https://example.org/p")
    >>> chain = [BNode() for _ in range(MAX_NESTING + 2)]
    >>> _ = [g.add((a, p, b)) for a, b in zip(chain, chain[1:])]
    >>> _nests_deeply(g), _nests_deeply(Graph())
    (True, False)
    """
    after: dict[Node, set[Node]] = {}
    before: dict[Node, int] = {}
    for s, _, o, _ in dataset_quads(graph):
        if isinstance(s, BNode) and isinstance(o, BNode) and o not in after.get(s, ()):
            after.setdefault(s, set()).add(o)
            before[o] = before.get(o, 0) + 1
            before.setdefault(s, 0)
    depth = {node: 0 for node, count in before.items() if count == 0}
    ready = list(depth)
    seen = 0
    while ready:  # longest path, in topological order (Kahn)
        node = ready.pop()
        seen += 1
        for target in after.get(node, ()):
            depth[target] = max(depth.get(target, 0), depth[node] + 1)
            if depth[target] > MAX_NESTING:
                return True
            before[target] -= 1
            if before[target] == 0:
                ready.append(target)
    return seen < len(before)  # the rest lie on a cycle


def _flat(graph: Dataset | Graph, name: str) -> str:
    """The graph with every blank node a label (``_:b0``) given by
    :func:`kg.rdf.dataset.walk_labelled` (Turtle and TriG nest the few that
    :mod:`kg.rdf.turtle` can): linear time however deeply blank nodes chain."""
    quads = walk_labelled(list(dict.fromkeys(dataset_quads(graph))))
    if name in {"turtle", "trig"}:
        return _turtle(graph, quads) if name == "turtle" else _trig(graph, quads)
    if name == "nt":
        quads = _sorted_quads({(*q[:3], None) for q in quads})
    if name in {"nt", "nquads"}:
        return _lines(quads, _FLAT[name])
    convert = ox_term_converter()
    default = ox.DefaultGraph()
    oxquads = [
        ox.Quad(convert(s), convert(p), convert(o), default if g is None else convert(g))
        for s, p, o, g in quads
    ]
    data = ox.serialize(oxquads, format=_FLAT[name])
    return ensure_newline((data or b"").decode("utf-8"))


def _native_integer(value: str) -> Any:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if str(number) == value else None


def _native_boolean(value: str) -> Any:
    return {"true": True, "false": False}.get(value)


def _sort_jsonld(value: Any, natives: Mapping[Any, Any], *, ordered: bool = False) -> Any:
    """Sort every unordered array (all but ``@list``) and use JSON numbers where lossless."""
    if isinstance(value, dict):
        if set(value) == {"@type", "@value"} and value["@type"] in natives:
            native = natives[value["@type"]](value["@value"])
            if native is not None:
                return native
        return {
            key: _sort_jsonld(item, natives, ordered=key == "@list") for key, item in value.items()
        }
    if isinstance(value, list):
        items = [_sort_jsonld(item, natives) for item in value]
        if ordered:
            return items
        return sorted(items, key=_jsonld_sort_key)
    return value


def _jsonld_sort_key(item: Any) -> tuple[str, str]:
    node_id = item.get("@id", "") if isinstance(item, dict) else ""
    return (str(node_id), json.dumps(item, sort_keys=True, ensure_ascii=False))


def _used_prefixes(dataset: Dataset) -> dict[str, str]:
    iris: set[str] = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        for term in (s, p, o, g):
            if isinstance(term, URIRef):
                iris.add(str(term))
            elif isinstance(term, Literal) and term.datatype is not None:
                iris.add(str(term.datatype))
    used: dict[str, str] = {}
    for prefix, namespace in sorted(dataset.namespaces()):
        ns = str(namespace)
        if prefix and prefix != "xml" and any(iri.startswith(ns) for iri in iris):
            used[prefix] = ns
    return used


def ensure_newline(text: str) -> str:
    """``text`` without blank lines around it, ending with one newline (empty stays empty)."""
    text = text.strip("\n")
    return text + "\n" if text else ""


#: The writer of each RDF format, by the name ``kg export --format`` takes.
RDF_WRITERS = {
    "turtle": _turtle,
    "nt": _ntriples,
    "nquads": _nquads,
    "trig": _trig,
    "jsonld": _jsonld,
}
