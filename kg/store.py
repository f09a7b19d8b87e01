"""Open graph files as rdflib Datasets.

Files are parsed with pyoxigraph (Rust, about twice as fast as rdflib's own
parsers on a 164k-quad TriG/N-Quads/Turtle/N-Triples file: 2.5 s against
5.5 s, almost all of the rest being rdflib's in-memory store) and its terms
converted into rdflib terms by :mod:`kg.terms` (re-exported here). pyoxigraph also reads
JSON-LD without fetching remote contexts, which keeps loading offline.

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

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.errors import GraphFileError, UnsupportedFormatError
from kg.prefixes import PREFIXES
from kg.store_home import DEFAULT_GRAPH_PATH
from kg.terms import from_rdflib, ox_term_converter, term_converter, to_rdflib

__all__ = [
    "DEFAULT_GRAPH_PATH",
    "PREFIXES",
    "RDF_FORMATS",
    "SUFFIXES",
    "Quad",
    "add_quads",
    "from_rdflib",
    "guess_format",
    "load_graph",
    "new_dataset",
    "ox_term_converter",
    "syntax_message",
    "term_converter",
    "to_rdflib",
    "walk_labelled",
]


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

#: A quad of rdflib terms; graph name None for the default graph.
Quad = tuple[Node, Node, Node, Node | None]


def walk_labelled(quads: Sequence[Quad]) -> list[Quad]:
    """The quads sorted (by graph, subject, predicate, object), blank nodes renamed b0, b1,
    ... in the order a breadth-first walk from the sorted quads reaches them.

    Linear in the quads however deeply blank nodes chain (no recursion), and the same
    labels for the same graph; for writers that must not nest blank nodes.

    >>> from rdflib import URIRef
    >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
    >>> x, y = BNode(), BNode()
    >>> [(s.n3(), o.n3()) for s, _, o, _ in walk_labelled([(y, p, a, None), (x, p, y, None)])]
    [('_:b0', '<https://example.org/a>'), ('_:b1', '_:b0')]
    """
    touching: dict[Node, list[Quad]] = {}
    for quad in quads:
        for term in (quad[0], quad[2], quad[3]):
            if isinstance(term, BNode):
                touching.setdefault(term, []).append(quad)
    labels: dict[Node, BNode] = {}

    def term_key(term: Node | None) -> str:
        if isinstance(term, BNode):
            return "_:" + labels[term] if term in labels else "_:~"  # not yet reached: ties
        return "" if term is None else term.n3()

    def key(quad: Quad) -> tuple[str, ...]:
        return tuple(term_key(t) for t in (quad[3], quad[0], quad[1], quad[2]))

    queue: deque[Node] = deque()

    def reach(found: Iterable[Quad]) -> None:
        for quad in sorted(found, key=key):
            for term in (quad[0], quad[2], quad[3]):
                if isinstance(term, BNode) and term not in labels:
                    labels[term] = BNode(f"b{len(labels)}")
                    queue.append(term)

    if touching:
        for quad in sorted(quads, key=key):
            reach([quad])
            while queue:
                reach(touching[queue.popleft()])
    renamed = [
        (labels.get(s, s), p, labels.get(o, o), None if g is None else labels.get(g, g))
        for s, p, o, g in quads
    ]
    return sorted(
        renamed, key=lambda q: ("" if q[3] is None else q[3].n3(), *(t.n3() for t in q[:3]))
    )


def new_dataset() -> Dataset:
    """Return an empty Dataset whose queries see every named graph, with kg's prefixes bound.

    >>> from rdflib import URIRef
    >>> ds = new_dataset()
    >>> ds.default_union, dict(ds.namespaces())["kgo"] == URIRef(PREFIXES["kgo"])
    (True, True)
    """
    dataset = Dataset(default_union=True)
    # rdflib binds ~30 vocabularies by default (brick:, sosa: ...); keep only the core ones.
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="core")
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri, override=True, replace=True)
    return dataset


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


def load_graph(path: str | Path, *, format: str | None = None) -> Dataset:
    """Read a graph file into a :class:`rdflib.Dataset` with ``default_union=True``.

    Named graphs (TriG, N-Quads, JSON-LD) stay named graphs; triples of the
    other formats go to the default graph. Queries see the union of all.
    The prefixes the file declares are bound on the Dataset, after kg's own
    (:data:`PREFIXES`).

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


def add_quads(dataset: Dataset, quads: Iterator[ox.Quad]) -> None:
    """Add pyoxigraph quads to an rdflib Dataset, each into its named graph.

    >>> ds = new_dataset()
    >>> add_quads(ds, iter([ox.Quad(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p"),
    ...                             ox.Literal("x"), ox.NamedNode("http://e.org/g"))]))
    >>> [str(g.identifier) for g in ds.graphs() if len(g)]
    ['http://e.org/g']
    """
    convert = term_converter()
    graphs: dict[object, Graph] = {}

    def graph_of(name: object) -> Graph:
        graph = graphs.get(name)
        if graph is None:
            if isinstance(name, ox.DefaultGraph):
                graph = dataset.default_graph
            else:
                graph = dataset.graph(convert(name))  # type: ignore[arg-type]
            graphs[name] = graph
        return graph

    dataset.addN(
        (convert(q.subject), convert(q.predicate), convert(q.object), graph_of(q.graph_name))
        for q in quads
    )


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
