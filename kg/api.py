"""The Python face of kg: what ``import kg`` offers (see docs/python.md).

Each function takes typed keyword options and calls the library function the
CLI calls: :func:`build` (``kg build``), :func:`add` and :func:`remove`
(``kg add``, ``kg remove``), :func:`extract_jsonl` (``kg extract``; only as
``kg.api.extract_jsonl``: ``kg.extract`` is the extraction package),
:func:`load`, :func:`query` (``kg query``), :func:`export` (``kg export``),
:func:`write_html` (``kg viz``) and :func:`to_networkx`. A graph can be given as a
:class:`KnowledgeGraph` (what :func:`load` returns), an rdflib Graph or
Dataset, or the path of a graph file or build folder.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "g.ttl").write_text(
...     "@prefix kgo: <https://w3id.org/kg-builder/ontology#> .\\n"
...     "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\\n"
...     "<https://example.org/acme> a kgo:Company ; rdfs:label 'Acme' .\\n"
... )
>>> graph = load(folder / "g.ttl")
>>> [row.name for row in query(graph, "SELECT ?name WHERE { ?e a kgo:Company ; rdfs:label ?name }")]
[rdflib.term.Literal('Acme')]
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from kg.atomic import check_not_inputs, check_writable
from kg.build.lock import writer_lock
from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.errors import GraphFileError
from kg.ingest import MAX_CHARS, collect_paths
from kg.ontology import KGR_IRI
from kg.query.limits import DEFAULT_MAX_MEMORY
from kg.rdf.files import DEFAULT_GRAPH_PATH
from kg.types import Article
from kg.views import DEFAULT_MAX_NODES

# What only querying, exporting or drawing needs (SPARQL's parser, networkx's readers
# and writers) is imported by the functions that use it: kg add and kg build load
# this module too, and never use them.
if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Dataset
    from rdflib.term import Node

    from kg.build.pipeline import BuildSummary
    from kg.build.updates import ChangeSummary
    from kg.graph.validate import QuarantinedTriple
    from kg.query.check import ParsedQuery
    from kg.query.result import QueryResult

__all__ = [
    "BUILD_FILES",
    "DEFAULT_OUTPUT",
    "GraphLike",
    "InlineView",
    "KnowledgeGraph",
    "add",
    "build",
    "check_outputs",
    "export",
    "extract_jsonl",
    "load",
    "query",
    "remove",
    "to_networkx",
    "write_html",
]

#: Where :func:`build` writes and :func:`load` reads by default (as ``kg build`` does).
DEFAULT_OUTPUT = DEFAULT_GRAPH_PATH.parent
#: The file of a build folder that :func:`load` reads.
_GRAPH_FILE = DEFAULT_GRAPH_PATH.name
#: The files a build writes into its folder (kg build, kg add, kg remove).
BUILD_FILES = (
    "kg.ttl",
    "kg.trig",
    "kg.html",
    "extractions.jsonl",
    "candidates.trig",
    ".kg/state.json",
    ".kg/extractions.jsonl",
)
#: Entities drawn when a graph shows itself in a notebook (the page inlines them all).
INLINE_MAX_NODES = 500

Pathish = str | os.PathLike[str]


@dataclass(frozen=True)
class InlineView:
    """The interactive view as a notebook shows it: the self-contained page of
    :func:`kg.views.render_html` in an ``<iframe srcdoc>`` (no server, no network)."""

    page: str
    height: int = 600

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd" '
            'sandbox="allow-scripts" title="kg graph view"></iframe>'
        )


@dataclass(frozen=True, eq=False)
class KnowledgeGraph:
    """A kg graph in memory: query it, export it, draw it; Jupyter shows it inline.

    ``dataset`` is the rdflib Dataset (a named graph per article; patterns
    outside ``GRAPH`` see them all), ``source`` the file it was read from.
    """

    dataset: Dataset
    source: Path | None = None

    def __len__(self) -> int:
        return len(self.dataset)

    def __repr__(self) -> str:
        where = f" from {self.source}" if self.source is not None else ""
        return f"<KnowledgeGraph{where}: {len(self):,} triples>"

    def query(
        self,
        text: str | ParsedQuery,
        *,
        bindings: Mapping[str, Node] | None = None,
        timeout: float | None = None,
        max_memory: int | None = DEFAULT_MAX_MEMORY,
        allow_service: bool = False,
        allow_from: bool = False,
    ) -> QueryResult:
        """Run a SPARQL query on the graph; see :func:`kg.query` (the function)."""
        return query(
            self,
            text,
            bindings=bindings,
            timeout=timeout,
            max_memory=max_memory,
            allow_service=allow_service,
            allow_from=allow_from,
        )

    def export(self, *, format: str = "turtle", destination: Pathish | None = None) -> str | None:
        """Serialize the graph; see :func:`export`."""
        return export(self, format=format, destination=destination)

    def to_networkx(self, *, provenance: bool = True) -> nx.MultiDiGraph:
        """The entity network; see :func:`to_networkx`."""
        return to_networkx(self, provenance=provenance)

    def html(self, *, title: str = "kg", max_nodes: int | None = DEFAULT_MAX_NODES) -> str:
        """The interactive view as one self-contained HTML page (:func:`kg.views.render_html`)."""
        from kg.views import render_html

        return render_html(self.dataset, title=title, max_nodes=max_nodes)

    def write_html(
        self, path: Pathish, *, title: str = "kg", max_nodes: int | None = DEFAULT_MAX_NODES
    ) -> Path:
        """Write the interactive view to ``path``; see :func:`write_html`."""
        return write_html(self, path, title=title, max_nodes=max_nodes)

    def show(
        self, *, title: str = "kg", max_nodes: int | None = INLINE_MAX_NODES, height: int = 600
    ) -> InlineView:
        """The interactive view for a notebook cell, with the most connected ``max_nodes``
        entities (None: all) in a frame ``height`` pixels high."""
        return InlineView(self.html(title=title, max_nodes=max_nodes), height=height)

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()


#: What the functions take as a graph.
GraphLike = KnowledgeGraph | Graph | Pathish


def load(path: Pathish = DEFAULT_GRAPH_PATH, *, format: str | None = None) -> KnowledgeGraph:
    """Read a graph file, or the kg.trig of a build folder, into a :class:`KnowledgeGraph`.

    Parameters:
        path: a graph file (``.trig``, ``.ttl``, ``.nq``, ``.nt``, ``.jsonld``,
            ``.rdf``) or a folder :func:`build` wrote; by default output/kg.trig.
        format: the file's format when its suffix does not tell it.

    Raises:
        GraphFileError: the file is missing or not valid in its format.
        UnsupportedFormatError: ``format`` is unknown.
    """
    target = Path(path)
    if target.is_dir():
        if not (target / _GRAPH_FILE).is_file():
            raise GraphFileError(
                f"{target}: a folder without {_GRAPH_FILE}. Build into it first "
                "(kg.build(out_dir=...)) or give the graph file itself."
            )
        target = target / _GRAPH_FILE
    from kg.rdf.load import load_graph

    return KnowledgeGraph(load_graph(target, format=format), source=target)


def _graph(graph: GraphLike) -> Graph:
    if isinstance(graph, KnowledgeGraph):
        return graph.dataset
    if isinstance(graph, Graph):
        return graph
    return load(graph).dataset


def query(
    graph: GraphLike,
    text: str | ParsedQuery,
    *,
    bindings: Mapping[str, Node] | None = None,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    allow_service: bool = False,
    allow_from: bool = False,
) -> QueryResult:
    """Run a read-only SPARQL query (kg's prefixes predeclared), as ``kg query`` does.

    Parameters:
        graph: a :class:`KnowledgeGraph`, an rdflib Graph or Dataset, or a path for :func:`load`.
        text: the query, or a checked or bound one (:func:`kg.query.bind_query`).
        bindings: values for variables, e.g. ``{"e": URIRef(...)}``.
        timeout: seconds the query may run (None: no limit).
        max_memory: bytes it may take beyond the graph (None: no limit).
        allow_service, allow_from: lift the refusal of SERVICE or FROM.

    Returns:
        A :class:`~kg.query.QueryResult`: iterate over its rows (``row.name``,
        ``row["name"]``, ``row[0]``), ``len()``, ``.to_pandas()``.

    Raises:
        QueryError, UnsafeQueryError, QueryTimeoutError: see :func:`kg.query.run_query`.
    """
    from rdflib import Variable

    from kg.query.run import run_query

    return run_query(
        _graph(graph),
        text,
        init_bindings={Variable(k): v for k, v in (bindings or {}).items()},
        allow_service=allow_service,
        allow_from=allow_from,
        timeout=timeout,
        max_memory=max_memory,
    )


def export(
    graph: GraphLike, *, format: str = "turtle", destination: Pathish | None = None
) -> str | None:
    """Serialize a graph as ``kg export`` does; the text, or None when written to ``destination``.

    ``format`` is one of :data:`kg.rdf.files.FORMATS` (turtle, nt, nquads, trig,
    jsonld, graphml, gexf). Output is deterministic; a file is written
    atomically. Raises UnsupportedFormatError or OutputError.
    """
    from kg.graph.export import export_graph

    target = None if destination is None else Path(destination)
    return export_graph(_graph(graph), format=format, destination=target)


def write_html(
    graph: GraphLike,
    path: Pathish,
    *,
    title: str = "kg",
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Path:
    """Write the interactive, offline HTML view of a graph (``kg viz``); return its path.

    At most ``max_nodes`` entities are drawn, the most connected (None: all).
    Raises OutputError when the file cannot be written.
    """
    from kg.views import write_html as _write_html

    return _write_html(_graph(graph), path, title=title, max_nodes=max_nodes)


def to_networkx(graph: GraphLike, *, provenance: bool = True) -> nx.MultiDiGraph:
    """The entity network of a graph (:func:`kg.graph.network.to_networkx`): entities as nodes,
    relations as edges with, by default, their confidence, status, dates, evidence and source."""
    from kg.graph.network import to_networkx as _to_networkx

    return _to_networkx(_graph(graph), provenance=provenance)


def build(
    paths: Pathish | Sequence[Pathish] = (),
    *,
    out_dir: Pathish = DEFAULT_OUTPUT,
    html: bool = True,
    base: str = KGR_IRI,
    encoding: str | None = None,
    gazetteer_files: Sequence[str] = (),
    model: str | None = None,
    jobs: int = 1,
    cluster: str | None = None,
    store: str | None = None,
    max_chars: int | None = MAX_CHARS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    candidates: bool = False,
    validate: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_article: Callable[[Article], None] | None = None,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
) -> BuildSummary:
    """Build the graph of some articles and write every output file, as ``kg build`` does.

    Parameters:
        paths: files, folders or globs (.txt, .md, .html, .jsonl); none: the
            sample corpus that ships with kg.
        out_dir: the build folder (kg.trig, kg.ttl, kg.html, extractions.jsonl).
        html: also write kg.html.
        base: the namespace of the IRIs the build mints.
        encoding: the input files' encoding when they are not UTF-8.
        gazetteer_files: more gazetteers (Turtle) to link entities with.
        model: a spaCy pipeline to use instead of kg's own.
        jobs: processes extracting in parallel (the graph is the same).
        cluster: a Dask scheduler address, or ``local:N``.
        store: also publish the graph to this store (``oxigraph:DIR``, ``sparql+http://...``).
        max_chars: refuse longer articles (None: no limit).
        min_confidence: the threshold of the relations the graph asserts.
        candidates: also write the relations below it to candidates.trig.
        validate: check the graph against the shapes while writing it; what breaks
            one goes to the quarantine graph, each triple handed to ``on_quarantine``.
        on_start, on_article: progress callbacks (the number of articles; each article done).
        wait: wait while another kg writes ``out_dir`` (else fail at once);
            ``on_wait`` is called with its process id when it does.

    Raises:
        OutputError: ``out_dir`` cannot be written, or an output file is one of the inputs.

    Returns:
        A :class:`~kg.build.pipeline.BuildSummary`: documents, entities and
        relations counted, and the files written. :func:`load` ``(out_dir)`` reads the graph.
    """
    # kg.build.pipeline brings spaCy; imported here so that kg.load and kg.query never load it.
    from kg.build import pipeline

    inputs = _inputs(paths)
    out = Path(out_dir)
    check_writable(out)  # before the work, not after it
    check_outputs(inputs, [out / name for name in BUILD_FILES], [Path(g) for g in gazetteer_files])
    return pipeline.build(
        inputs,
        out_dir=out,
        html=html,
        base=base,
        validate=validate,
        on_quarantine=on_quarantine,
        wait=wait,
        on_wait=on_wait,
        encoding=encoding,
        gazetteer_files=gazetteer_files,
        on_article=on_article,
        on_start=on_start,
        model=model,
        jobs=jobs,
        cluster=cluster,
        shard_dir=out / "shards",  # a cluster's shards in the build folder
        store=store,
        max_chars=max_chars,
        min_confidence=min_confidence,
        candidates=candidates,
    )


def check_outputs(
    paths: Sequence[str | Path], outputs: Sequence[Path], extra: Sequence[Path | None] = ()
) -> None:
    """Refuse to overwrite a file that is also an input (``kg extract a.jsonl -o a.jsonl``):
    an article of ``paths`` or an ``extra`` input file, by any name (kg.atomic.check_not_inputs).

    Raises:
        OutputError: one of ``outputs`` is an input.
    """
    if not any(path.exists() or path.is_symlink() for path in outputs):
        return
    inputs = [path for path in extra if path is not None]
    check_not_inputs(outputs, [*(collect_paths(paths) if paths else []), *inputs])


def add(
    paths: Pathish | Sequence[Pathish],
    *,
    out_dir: Pathish = DEFAULT_OUTPUT,
    html: bool = True,
    jobs: int = 1,
    encoding: str | None = None,
    max_chars: int | None = MAX_CHARS,
    store: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_article: Callable[[Article], None] | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
) -> ChangeSummary:
    """Add articles to the build in ``out_dir``, in place, as ``kg add`` does.

    New articles and articles whose content changed are extracted; the graph
    and every output file are redone over the whole build
    (:func:`kg.build.updates.add`). ``encoding`` defaults to the build's; ``store``
    is a store to publish to as well; ``wait``, ``on_wait``, ``on_start`` and
    ``on_article`` are as for :func:`build`.

    Raises:
        OutputError: ``out_dir`` cannot be written, or an output file is one of the inputs.
        StateError: ``out_dir`` holds no build.
    """
    from kg.build.updates import add as add_articles

    out = Path(out_dir)
    inputs = _inputs(paths)
    if out.is_dir():  # a missing build is reported as such by add_articles
        check_writable(out)
        check_outputs(inputs, [out / name for name in BUILD_FILES])
    with writer_lock(out, wait=wait, on_wait=on_wait):
        return add_articles(
            inputs,
            out_dir=out,
            html=html,
            jobs=jobs,
            on_article=on_article,
            on_start=on_start,
            encoding=encoding,
            max_chars=max_chars,
            store=store,
        )


def remove(
    doc_ids: Sequence[str],
    *,
    out_dir: Pathish = DEFAULT_OUTPUT,
    html: bool = True,
    store: str | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
) -> ChangeSummary:
    """Retract articles (by id) from the build in ``out_dir``, as ``kg remove`` does.

    Whatever only they asserted goes with them (:func:`kg.build.updates.remove`);
    ``store``, ``wait`` and ``on_wait`` are as for :func:`add`.

    Raises:
        StateError: no build in ``out_dir``, or an id it does not hold.
    """
    from kg.build.updates import remove as remove_articles

    out = Path(out_dir)
    with writer_lock(out, wait=wait, on_wait=on_wait):
        return remove_articles(doc_ids, out_dir=out, html=html, store=store)


def extract_jsonl(
    paths: Pathish | Sequence[Pathish],
    *,
    output: Pathish | None = None,
    encoding: str | None = None,
    gazetteer_files: Sequence[str] = (),
    max_chars: int | None = MAX_CHARS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    on_start: Callable[[int], None] | None = None,
    on_article: Callable[[Article], None] | None = None,
    option: str = "min_confidence",
) -> str:
    """The ``kg extract`` records of some articles as JSON Lines, one record per article.

    With ``output`` the lines are also written to that file, whole or not at
    all. The relations are those a build with the same ``min_confidence``
    asserts; ``option`` names it in the message when it is not a confidence.

    Raises:
        OutputError: ``output`` is a folder, cannot be written, or is one of the inputs.
        ThresholdError: ``min_confidence`` is not between 0 and 1.
    """
    from kg.atomic import write_atomic
    from kg.build.extractions import extraction_records
    from kg.build.pipeline import run
    from kg.confidence import check_threshold
    from kg.errors import OutputError

    inputs = _inputs(paths)
    target = None if output is None else Path(output)
    if target is not None:
        if target.is_dir():
            raise OutputError(f"{target}: is a folder; give the file to write with -o.")
        check_writable(target.parent)
        check_outputs(inputs, [target])
    check_threshold(min_confidence, option=option)  # before any work
    result = run(
        inputs,
        encoding=encoding,
        gazetteer_files=gazetteer_files,
        on_article=on_article,
        on_start=on_start,
        max_chars=max_chars,
        min_confidence=min_confidence,
    )
    records = extraction_records(result.resolved, min_confidence=min_confidence)
    lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    if target is not None:
        write_atomic(target, lines.encode("utf-8"))
    return lines


def _inputs(paths: Pathish | Sequence[Pathish]) -> list[str | Path]:
    """Files, folders or globs as the pipeline takes them (a glob stays a string)."""
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    return [p if isinstance(p, str) else Path(p) for p in given]
