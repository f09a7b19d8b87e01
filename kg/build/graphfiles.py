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

__all__ = ["CHUNK", "in_processes", "write_build_graph"]

#: Articles a worker makes at a time.
CHUNK = 16


def in_processes(
    jobs: int,
    *,
    prefixes: Mapping[str, str] | None = None,
    keep: bool = True,
    memo: CheckMemo | None = None,
) -> ArticleMapper:
    """The :data:`kg.graph.assemble.ArticleMapper` that makes the articles' graphs in ``jobs``
    processes forked from this one (:func:`kg.graph.assemble.article_graph`'s options);
    the checks the workers made are added to ``memo``."""

    def mapper(
        works: Sequence[ArticleWork], descriptions: Descriptions, base: str
    ) -> Iterator[CheckedGraph]:
        def make(work: ArticleWork) -> CheckedGraph:
            return article_graph(
                work, descriptions, base=base, prefixes=prefixes, keep=keep, memo=memo
            )

        for made in map_forked(make, works, jobs=jobs, chunk=CHUNK):
            if memo is not None and made.check is not None:
                memo.made[made.check[0]] = made.check[1]
            yield made

    return mapper


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
) -> int:
    """Write the graph of a resolved build into ``trig`` and ``turtle`` with ``jobs`` processes.

    With ``validate`` what breaks the shapes is set aside in the quarantine
    graph (:func:`kg.graph.assemble.assemble`), each record passed to
    ``on_quarantine``. ``dataset``, when given, receives every graph as written
    (for the HTML page; a list, their triples); ``digests`` the digest of each
    graph (see :func:`kg.rdf.trig.write_graph_files`). ``memo`` replays the
    checks of graphs checked before and keeps this build's
    (:class:`kg.graph.validate.memo.CheckMemo`). Returns the number of quads written.
    """
    keep = dataset is not None
    graphs = assemble(
        entities,
        resolved,
        base=base,
        validate=validate,
        on_quarantine=on_quarantine,
        articles=in_processes(jobs, prefixes=prefixes, keep=keep, memo=memo),
    )

    def pieces() -> Iterator[GraphPiece]:
        for graph in graphs:
            if dataset is not None and graph.triples is not None:
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
