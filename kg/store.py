"""Open graph files as rdflib Datasets; the one place that converts pyoxigraph terms.

Files are parsed with pyoxigraph (Rust, about twice as fast as rdflib's own
parsers on a 164k-quad TriG/N-Quads/Turtle/N-Triples file: 2.5 s against
5.5 s, almost all of the rest being rdflib's in-memory store) and its terms
converted into rdflib terms by :func:`to_rdflib`. pyoxigraph also reads
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.errors import GraphFileError, UnsupportedFormatError
from kg.ontology import KGO_IRI, KGR_IRI, WD_IRI

#: Where ``kg build`` writes the graph, and what ``kg query`` reads by default.
DEFAULT_GRAPH_PATH = Path("output/kg.trig")

#: The prefixes every kg graph binds and every query may use without declaring them.
PREFIXES: dict[str, str] = {
    "kgo": KGO_IRI,
    "kgr": KGR_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/",
    "wd": WD_IRI,
}

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


#: A quad of rdflib terms; graph name None for the default graph.
Quad = tuple[Node, Node, Node, Node | None]


def walk_labelled(quads: Sequence[Quad]) -> list[Quad]:
    """The quads sorted (by graph, subject, predicate, object), blank nodes renamed b0, b1,
    ... in the order a breadth-first walk from the sorted quads reaches them.

    Linear in the quads however deeply blank nodes chain (no recursion), and the same
    labels for the same graph; for writers that must not nest blank nodes.

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
