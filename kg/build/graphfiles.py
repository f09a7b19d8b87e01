"""A build's graph files (kg.trig, kg.ttl), made article by article in parallel.

The graphs are :func:`kg.graph.assemble.assemble`'s, the articles' made, checked
and serialized in worker processes forked from this one
(:func:`kg.build.forks.map_forked`), which hand back bytes; this process writes
them in article-id order, then the default graph, whose corroborated facts need
every article's kept statements, and the quarantine graph. The files are the
same for any number of processes.

Order of the graphs in the TriG file: the ontology, the articles by id, the
default graph (entity descriptions and facts), the quarantine graph when
anything was set aside. The Turtle file is the union of the graphs, one
block per subject (the ontology's first): an entity's description, the
articles that mention it and its relations are together, and a relation
triple several articles state is written once (:func:`kg.rdf.trig.write_graph_files`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from rdflib import Dataset, URIRef

from kg.build.forks import map_forked
from kg.build.keptgraphs import KeptGraphs, spliced, with_record
from kg.graph.assemble import (
    ArticleMapper,
    ArticleWork,
    CheckedGraph,
    Descriptions,
    article_graph,
    assemble,
)
from kg.graph.records import Triple, add_block
from kg.graph.validate import QuarantinedTriple
from kg.graph.validate.memo import CheckMemo
from kg.ontology import KGR_IRI
from kg.rdf.trig import GraphPiece, graph_piece, write_graph_files
from kg.types import Entity, Resolved
from kg.views.read import ViewPart

__all__ = ["CHUNK", "in_processes", "write_build_graph"]

#: Articles a worker makes at a time.
CHUNK = 16


def in_processes(
    jobs: int,
    *,
    prefixes: Mapping[str, str] | None = None,
    keep: bool = True,
    memo: CheckMemo | None = None,
    kept: KeptGraphs | None = None,
) -> ArticleMapper:
    """The :data:`kg.graph.assemble.ArticleMapper` that makes the articles' graphs in ``jobs``
    processes forked from this one (:func:`kg.graph.assemble.article_graph`'s options);
    the checks the workers made are added to ``memo``.

    With ``kept`` (and ``prefixes`` and ``memo``), the graphs an earlier build kept are
    spliced in where they still hold, the others made, and each graph is kept
    again (:mod:`kg.build.keptgraphs`); each comes with what the HTML view reads of it
    (``view``) instead of its triples, when it can.
    """

    def mapper(
        works: Sequence[ArticleWork], descriptions: Descriptions, base: str
    ) -> Iterator[CheckedGraph]:
        def make(work: ArticleWork) -> CheckedGraph:
            return article_graph(
                work, descriptions, base=base, prefixes=prefixes, keep=keep, memo=memo
            )

        if kept is None or memo is None or prefixes is None or descriptions is None:
            graphs = map_forked(make, works, jobs=jobs, chunk=CHUNK)
        else:
            graphs = _spliced(
                works,
                descriptions,
                base,
                jobs=jobs,
                keep=keep,
                memo=memo,
                kept=kept,
                prefixes=prefixes,
            )
        for made in graphs:
            if memo is not None and made.check is not None:
                memo.made[made.check[0]] = made.check[1]
            if kept is not None and made.kept is not None:
                kept.put(*made.kept)
            yield made

    return mapper


def _spliced(
    works: Sequence[ArticleWork],
    descriptions: Descriptions,
    base: str,
    *,
    jobs: int,
    keep: bool,
    memo: CheckMemo,
    kept: KeptGraphs,
    prefixes: Mapping[str, str],
) -> Iterator[CheckedGraph]:
    """The articles' graphs, in order: those ``kept`` still holds spliced in, the others made in
    ``jobs`` processes (:func:`in_processes`)."""
    keys = [kept.key(work, base) for work in works]
    iris: dict[str, URIRef] = {}
    found = [
        spliced(
            kept.known.get(key), memo=memo, descriptions=descriptions, prefixes=prefixes, iris=iris
        )
        for key in keys
    ]

    def make(job: tuple[str, ArticleWork]) -> CheckedGraph:
        key, work = job
        graph = article_graph(work, descriptions, base=base, prefixes=prefixes, memo=memo)
        return with_record(graph, key, keep=keep)

    todo = [(key, work) for key, work, graph in zip(keys, works, found, strict=True) if not graph]
    made = map_forked(make, todo, jobs=jobs, chunk=CHUNK)
    for key, graph in zip(keys, found, strict=True):
        if graph is None:
            yield next(made)
        else:
            kept.put(key, kept.known[key])
            yield graph


def write_build_graph(
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    *,
    trig: str | Path | None = None,
    turtle: str | Path | None = None,
    prefixes: Mapping[str, str],
    base: str = KGR_IRI,
    validate: bool = True,
    jobs: int = 1,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
    dataset: Dataset | list[Triple] | None = None,
    digests: dict[str, str] | None = None,
    memo: CheckMemo | None = None,
    kept: KeptGraphs | None = None,
    parts: list[ViewPart] | None = None,
) -> int:
    """Write the graph of a resolved build into ``trig`` and ``turtle`` with ``jobs`` processes.

    With ``validate`` what breaks the shapes is set aside in the quarantine
    graph (:func:`kg.graph.assemble.assemble`), each record passed to
    ``on_quarantine``. ``dataset``, when given, receives every graph as written
    (for the HTML page; a list, their triples); ``digests`` the digest of each
    graph (see :func:`kg.rdf.trig.write_graph_files`). ``memo`` replays the
    checks of graphs checked before and keeps this build's
    (:class:`kg.graph.validate.memo.CheckMemo`). ``kept`` splices in the article graphs
    an earlier build kept, and keeps this build's (:mod:`kg.build.keptgraphs`); the
    page then reads an article's graph from ``parts`` (:class:`kg.views.read.ViewPart`)
    rather than ``dataset``, which must then be a list or None. Returns the number of
    quads written.
    """
    keep = dataset is not None
    if keep and parts is None:
        kept = None  # the page reads every graph's triples
    graphs = assemble(
        entities,
        resolved,
        base=base,
        validate=validate,
        on_quarantine=on_quarantine,
        articles=in_processes(jobs, prefixes=prefixes, keep=keep, memo=memo, kept=kept),
    )

    def pieces() -> Iterator[GraphPiece]:
        for graph in graphs:
            if parts is not None and isinstance(graph.view, ViewPart):
                parts.append(graph.view)
            elif dataset is not None and graph.triples is not None:
                _keep(dataset, graph.name, graph.triples)
            if graph.piece is not None:
                yield graph.piece
            else:
                assert graph.triples is not None  # made here: the ontology, default, quarantine
                yield graph_piece(graph.name, graph.triples, prefixes=prefixes)

    return write_graph_files(pieces(), trig=trig, turtle=turtle, prefixes=prefixes, digests=digests)


def _keep(dataset: Dataset | list[Triple], name: URIRef | None, triples: Sequence[Triple]) -> None:
    if isinstance(dataset, list):
        dataset.extend(triples)
    else:
        add_block(dataset, name, triples)
