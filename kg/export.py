"""Write a graph in every format kg offers, deterministically.

RDF formats are written from a sorted copy of the graph (blank nodes, if
any, relabelled canonically first), so isomorphic inputs with the same IRIs
and prefixes give byte-identical files. N-Triples and N-Quads are written by
pyoxigraph (canonical escaping) and sorted line by line; Turtle and TriG by
:mod:`kg.rdf.turtle` (kg's prefixes, one block per subject); JSON-LD by
rdflib's JSON-LD converter; GraphML and GEXF (both for Gephi) by networkx,
from :func:`to_networkx`.

>>> from rdflib import Dataset, Literal, URIRef
>>> ds = Dataset()
>>> _ = ds.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x")))
>>> print(export_graph(ds, format="nt"), end="")
<https://example.org/a> <https://example.org/p> "x" .
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph
from rdflib.namespace import DCTERMS, OWL
from rdflib.term import Node

from kg.atomic import atomic_file, write_atomic
from kg.errors import UnsupportedFormatError
from kg.ontology import (
    CORE_PREDICATES,
    ENTITY_CLASSES,
    KGO,
    KGO_IRI,
    PROV,
    SYMMETRIC_PREDICATES,
    WD_IRI,
)
from kg.rdf.dataset import new_dataset, walk_labelled
from kg.rdf.prefixes import PREFIXES
from kg.rdf.terms import ox_term_converter
from kg.rdf.turtle import (
    RecordSpool,
    TurtleWriter,
    prefix_lines,
    trig_text,
    turtle_text,
    write_blocks,
)
from kg.types import coarse_class

#: Export formats, by the name ``kg export --format`` takes.
FORMATS: tuple[str, ...] = ("turtle", "nt", "nquads", "trig", "jsonld", "graphml", "gexf")

#: The file suffix of each export format.
SUFFIXES: dict[str, str] = {
    "turtle": ".ttl",
    "nt": ".nt",
    "nquads": ".nq",
    "trig": ".trig",
    "jsonld": ".jsonld",
    "graphml": ".graphml",
    "gexf": ".gexf",
}

_ALIASES: dict[str, str] = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "nq": "nquads",
    "n-quads": "nquads",
    "json-ld": "jsonld",
}

__all__ = [
    "FORMATS",
    "MAX_NESTING",
    "SUFFIXES",
    "GraphPiece",
    "canonical_quads",
    "dataset_quads",
    "export_graph",
    "format_for_path",
    "graph_piece",
    "normalize_format",
    "to_networkx",
    "turtle_prefixes",
    "write_graph_files",
]

_Quad = tuple[Node, Node, Node, Node | None]  # graph name None: the default graph


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
    for name, known in SUFFIXES.items():
        if suffix == known:
            return name
    if suffix == ".turtle":
        return "turtle"
    raise UnsupportedFormatError(
        f"{path}: cannot tell the export format from the suffix {suffix or '(none)'!r}; "
        f"use one of {', '.join(SUFFIXES.values())} or give --format "
        f"({', '.join(FORMATS)})."
    )


def export_graph(
    graph: Dataset | Graph, *, format: str, destination: str | Path | None = None
) -> str | None:
    """Serialize a graph; return the text, or write it to ``destination`` atomically.

    Parameters:
        graph: a Dataset (named graphs are kept by ``nquads``, ``trig`` and
            ``jsonld``; ``turtle`` and ``nt`` write the union) or a plain Graph.
        format: one of :data:`FORMATS` (aliases such as ``ttl`` are accepted).
        destination: a file to write (through a temporary file in the same
            folder and :func:`os.replace`, so readers never see half a file).

    Returns:
        The serialization (UTF-8 text ending with a newline) when
        ``destination`` is None, else None.

    Raises:
        UnsupportedFormatError: ``format`` is not one of :data:`FORMATS`.
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
    if name in _FLAT and _nests_deeply(graph):
        text = _flat(graph, name)
    else:
        text = _SERIALIZERS[name](graph)
    if destination is None:
        return text
    write_atomic(destination, text.encode("utf-8"))
    return None


@dataclass(frozen=True)
class GraphPiece:
    """One graph of a build, written as Turtle for :func:`write_graph_files`.

    ``body`` holds its triples as subject blocks (no ``@prefix`` lines): its
    block in the TriG file. ``records`` are the same triples as records
    (:class:`kg.rdf.turtle.TurtleWriter`), merged with the other pieces' into the
    Turtle file, the union of all graphs. ``used`` names the prefixes both use.
    """

    name: Node | None  # the graph IRI; None for the default graph
    body: bytes
    records: tuple[str, ...]
    size: int  # number of triples in body
    used: frozenset[str] = frozenset()


def graph_piece(
    name: Node | None, triples: Sequence[tuple[Node, Node, Node]], *, prefixes: Mapping[str, str]
) -> GraphPiece:
    """Write one graph of a build as Turtle.

    >>> from rdflib import URIRef
    >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
    >>> piece = graph_piece(None, [(a, p, a)], prefixes={"ex": "https://example.org/"})
    >>> piece.body, piece.used
    (b'    ex:a ex:p ex:a .\\n', frozenset({'ex'}))
    """
    writer = _piece_writer(tuple(sorted(prefixes.items())))
    writer.used = set()
    records = sorted(writer.records(triples))
    parts: list[str] = []
    size = write_blocks(records, parts.append, indent="    ")
    return GraphPiece(
        name, "".join(parts).encode("utf-8"), tuple(records), size, frozenset(writer.used)
    )


@functools.lru_cache(maxsize=4)
def _piece_writer(prefixes: tuple[tuple[str, str], ...]) -> TurtleWriter:
    """This process's writer for a prefix table: it remembers how it wrote each IRI."""
    return TurtleWriter(dict(prefixes))


def turtle_prefixes(prefixes: Mapping[str, str]) -> str:
    """``@prefix`` lines for ``prefixes``, sorted by name (Turtle and TriG).

    >>> print(turtle_prefixes({"ex": "https://example.org/"}), end="")
    @prefix ex: <https://example.org/> .
    """
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in sorted(prefixes.items()))


def write_graph_files(
    pieces: Iterable[GraphPiece],
    *,
    trig: str | Path | None = None,
    turtle: str | Path | None = None,
    prefixes: Mapping[str, str] | None = None,
    digests: dict[str, str] | None = None,
) -> int:
    """Stream a build's graphs, written by :func:`graph_piece`, into TriG and Turtle files.

    Memory holds one graph at a time, whatever the size of the build: the
    TriG file's graphs go to a temporary file as they come (the prefix lines,
    known at the end, are written before them), and the Turtle file's triples
    are sorted on disk (:class:`kg.rdf.turtle.RecordSpool`) so that each subject
    has one block, whichever graphs state its triples, and a triple several
    graphs state is written once. Both files declare only the prefixes they
    use and are replaced atomically. ``digests``, when given, receives a
    digest of each graph's content by graph IRI ("" for the default graph).
    Returns the number of quads written.

    >>> import tempfile
    >>> from rdflib import URIRef
    >>> a, b = URIRef("https://example.org/a"), URIRef("https://example.org/b")
    >>> p = URIRef(KGO_IRI + "partnersWith")
    >>> prefixes = {"ex": "https://example.org/", "kgo": KGO_IRI, "unused": "urn:x:"}
    >>> pieces = [graph_piece(URIRef(f"https://example.org/g{i}"), [(a, p, b)],
    ...                       prefixes=prefixes) for i in (1, 2)]
    >>> pieces.append(graph_piece(None, [(a, p, b)], prefixes=prefixes))
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_graph_files(pieces, trig=folder / "x.trig", turtle=folder / "x.ttl",
    ...                   prefixes=prefixes)
    3
    >>> print((folder / "x.ttl").read_text(), end="")
    @prefix ex: <https://example.org/> .
    @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    <BLANKLINE>
    ex:a kgo:partnersWith ex:b .
    """
    writer = TurtleWriter(dict(prefixes or {}))
    count = 0
    with contextlib.ExitStack() as stack:
        body = None
        if trig is not None:
            Path(trig).parent.mkdir(parents=True, exist_ok=True)
            body = stack.enter_context(tempfile.TemporaryFile(dir=Path(trig).parent))
        spool = None
        if turtle is not None:
            spool = stack.enter_context(RecordSpool(Path(turtle).parent))
        used: set[str] = set()
        for piece in pieces:
            count += piece.size
            used |= piece.used
            name = piece.name
            if digests is not None:
                key = "" if name is None else str(name)
                digests[key] = hashlib.sha256(piece.body).hexdigest()[:32]
            if body is not None:
                head = "{\n" if name is None else f"{writer.term(name)} {{\n"
                gap = "\n" if body.tell() else ""
                body.write(f"{gap}{head}".encode() + piece.body + b"}\n")
            if spool is not None:
                spool.add(piece.records)
        if trig is not None and body is not None:
            with atomic_file(trig) as handle:
                handle.write(prefix_lines(writer.prefixes, used | writer.used).encode("utf-8"))
                body.seek(0)
                shutil.copyfileobj(body, handle, 1 << 20)
        if turtle is not None and spool is not None:
            with atomic_file(turtle) as handle:
                handle.write(prefix_lines(writer.prefixes, used).encode("utf-8"))
                _write_text(handle, spool.merged())
    return count


def _write_text(handle: IO[bytes], records: Iterable[str]) -> None:
    """Write sorted records as blocks (:func:`kg.rdf.turtle.write_blocks`), a megabyte at a time."""
    parts: list[str] = []
    size = 0

    def write(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text)
        if size > 1 << 20:
            handle.write("".join(parts).encode("utf-8"))
            parts.clear()
            size = 0

    write_blocks(records, write)
    handle.write("".join(parts).encode("utf-8"))


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
    return _ensure_newline((data or b"").decode("utf-8"))


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


def _ensure_newline(text: str) -> str:
    text = text.strip("\n")
    return text + "\n" if text else ""


#################################################################
# networkx and GraphML
#################################################################


def to_networkx(
    graph: Dataset | Graph, *, classes: Iterable[str] = ENTITY_CLASSES, provenance: bool = True
) -> nx.MultiDiGraph:
    """Return the entity network: entities as nodes, core relations as edges.

    Nodes are the subjects whose ``rdf:type`` is a ``kgo:`` class in
    ``classes`` (by default every entity class, not documents, statements or
    observations), keyed by IRI, with the string attributes ``label``,
    ``class`` (most specific class), ``coarse`` (Organization, Person, Place
    or Product) and ``wikidata`` (a Q-id, or ""). Edges are the direct
    triples of the fifteen core predicates between two such nodes, keyed by
    the predicate's local name, with attributes ``predicate`` (the IRI) and
    ``label`` (the local name). Nodes and edges are added in sorted order.

    With ``provenance`` (the default) an edge also carries what the graph's
    ``kgo:Statement`` records of its triple say (a symmetric relation's from
    either direction), each attribute only when the graph has it:
    ``confidence`` (a float: the ``kgo:Fact``'s combined confidence when
    several documents state the triple, else the statement's), and from the
    most confident statement ``evidence`` (the sentence), ``source`` (the
    document's IRI), ``source_title``, ``status`` (``planned``, ``ongoing``
    or ``ended``), ``start``, ``end`` and ``date`` (ISO dates, as precise as
    the text: ``2018-03``), ``duration`` and ``role``; ``statements`` lists
    every statement as such a dict (most confident first, with its ``iri``).
    GraphML and GEXF exports leave these out.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... <https://example.org/acme> a kgo:Company ; rdfs:label "Acme" ;
    ...     kgo:basedIn <https://example.org/paris> .
    ... <https://example.org/paris> a kgo:City ; rdfs:label "Paris" .
    ... ''')
    >>> net = to_networkx(g)
    >>> net.nodes["https://example.org/acme"]
    {'label': 'Acme', 'class': 'Company', 'coarse': 'Organization', 'wikidata': ''}
    >>> list(net.edges(keys=True))
    [('https://example.org/acme', 'https://example.org/paris', 'basedIn')]
    """
    rank = {name: i for i, name in enumerate(classes)}
    triples = {q[:3] for q in dataset_quads(graph)}
    kinds: dict[Node, str] = {}
    labels: dict[Node, list[str]] = {}
    wikidata: dict[Node, list[str]] = {}
    core: dict[Node, str] = {URIRef(KGO_IRI + name): name for name in CORE_PREDICATES}
    edges: list[tuple[Node, str, Node]] = []
    for s, p, o in triples:
        if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(KGO_IRI):
            local = str(o)[len(KGO_IRI) :]
            if local in rank and (s not in kinds or rank[local] < rank[kinds[s]]):
                kinds[s] = local
        elif p == RDFS.label and isinstance(o, Literal):
            labels.setdefault(s, []).append(str(o))
        elif p == OWL.sameAs and isinstance(o, URIRef) and str(o).startswith(WD_IRI):
            wikidata.setdefault(s, []).append(str(o)[len(WD_IRI) :])
        elif p in core:
            edges.append((s, core[p], o))
    network = nx.MultiDiGraph()
    for node in sorted(kinds, key=str):
        cls = kinds[node]
        label = min(labels[node]) if node in labels else _local_name(node)
        network.add_node(
            str(node),
            # GraphML and GEXF are XML, which cannot hold control characters at all
            label=_NOT_XML.sub("\ufffd", label),
            **{"class": cls},
            coarse=coarse_class(cls),
            wikidata=min(wikidata[node]) if node in wikidata else "",
        )
    stated = _edge_provenance(triples) if provenance else {}
    for s, name, o in sorted(edges, key=lambda e: (str(e[0]), e[1], str(e[2]))):
        if s in kinds and o in kinds:
            extra = stated.get((str(s), name, str(o)), {})
            network.add_edge(
                str(s), str(o), key=name, predicate=KGO_IRI + name, label=name, **extra
            )
    return network


#: Statement properties -> edge attribute names (``to_networkx``).
_STATEMENT_FIELDS: dict[Node, str] = {
    PROV.wasDerivedFrom: "source",
    KGO.evidence: "evidence",
    KGO.confidence: "confidence",
    KGO.status: "status",
    KGO.startDate: "start",
    KGO.endDate: "end",
    KGO.date: "date",
    KGO.duration: "duration",
    KGO.role: "role",
}
#: The order of an edge's provenance attributes (dicts keep it; so do reprs of the network).
_EDGE_ORDER = (
    "confidence",
    "status",
    "start",
    "end",
    "date",
    "duration",
    "role",
    "evidence",
    "source",
    "source_title",
)
_TRIPLE_PARTS: dict[Node, int] = {
    RDF.subject: 0,
    RDF.predicate: 1,
    RDF.object: 2,
    KGO.tripleSubject: 0,
    KGO.triplePredicate: 1,
    KGO.tripleObject: 2,
}


def _edge_provenance(
    triples: Iterable[tuple[Node, Node, Node]],
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The edge attributes the statements and facts of a graph give each relation triple,
    keyed by (subject IRI, predicate local name, object IRI); see :func:`to_networkx`."""
    statements: set[Node] = set()
    facts: set[Node] = set()
    parts: dict[Node, dict[int, str]] = {}
    fields: dict[Node, dict[str, Any]] = {}
    titles: dict[str, str] = {}
    for s, p, o in triples:
        if p == RDF.type and o in (KGO.Statement, KGO.Fact):
            (statements if o == KGO.Statement else facts).add(s)
        elif p in _TRIPLE_PARTS:
            parts.setdefault(s, {})[_TRIPLE_PARTS[p]] = str(o)
        elif p in _STATEMENT_FIELDS:
            slot, name, value = fields.setdefault(s, {}), _STATEMENT_FIELDS[p], _edge_value(o)
            if name not in slot or str(value) < str(slot[name]):  # one value, whatever the order
                slot[name] = value
        elif p == DCTERMS.title:
            titles[str(s)] = str(o)

    def key(node: Node) -> tuple[str, str, str] | None:
        found = parts.get(node, {})
        if len(found) < 3 or not found[1].startswith(KGO_IRI):
            return None
        return found[0], found[1][len(KGO_IRI) :], found[2]

    by_triple: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for st in statements:
        triple = key(st)
        if triple is None:
            continue
        found = fields.get(st, {})
        if found.get("source") in titles:
            found["source_title"] = titles[found["source"]]
        record = {"iri": str(st), **{k: found[k] for k in _EDGE_ORDER if k in found}}
        by_triple.setdefault(triple, []).append(record)
        if triple[1] in SYMMETRIC_PREDICATES:
            by_triple.setdefault((triple[2], triple[1], triple[0]), []).append(record)
    combined: dict[tuple[str, str, str], float] = {}
    for fact in facts:
        triple = key(fact)
        if triple is not None and "confidence" in fields.get(fact, {}):
            combined[triple] = fields[fact]["confidence"]
            if triple[1] in SYMMETRIC_PREDICATES:
                combined[(triple[2], triple[1], triple[0])] = fields[fact]["confidence"]
    attributes: dict[tuple[str, str, str], dict[str, Any]] = {}
    for triple, records in by_triple.items():
        records.sort(key=lambda r: (-r.get("confidence", 0.0), r.get("source", ""), r["iri"]))
        best = {k: v for k, v in records[0].items() if k != "iri"}
        if triple in combined:
            best["confidence"] = combined[triple]
        attributes[triple] = {**best, "statements": records}
    return attributes


def _edge_value(term: Node) -> Any:
    """A statement field as an edge attribute: a float confidence, a status name, text."""
    if isinstance(term, URIRef) and str(term).startswith(KGO_IRI):
        return str(term)[len(KGO_IRI) :].lower()  # kgo:Ended -> "ended"
    if (
        isinstance(term, Literal)
        and term.datatype is not None
        and term.datatype.endswith("decimal")
    ):
        return float(term)
    return str(term)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _local_name(node: Node) -> str:
    text = str(node).rstrip("/#")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text


def _graphml(graph: Dataset | Graph) -> str:
    buffer = io.BytesIO()
    nx.write_graphml(
        to_networkx(graph, provenance=False), buffer, encoding="utf-8", prettyprint=True
    )
    return _ensure_newline(buffer.getvalue().decode("utf-8"))


def _gexf(graph: Dataset | Graph) -> str:
    """GEXF 1.2 for Gephi: the entity network, labels as GEXF labels, the rest as attributes.

    networkx stamps the file with today's date; it is left out, so the same
    graph gives the same file.
    """
    buffer = io.BytesIO()
    nx.write_gexf(to_networkx(graph, provenance=False), buffer, encoding="utf-8", prettyprint=True)
    text = re.sub(r' lastmodifieddate="[^"]*"', "", buffer.getvalue().decode("utf-8"), count=1)
    return _ensure_newline(text)


_SERIALIZERS = {
    "turtle": _turtle,
    "nt": _ntriples,
    "nquads": _nquads,
    "trig": _trig,
    "jsonld": _jsonld,
    "graphml": _graphml,
    "gexf": _gexf,
}
