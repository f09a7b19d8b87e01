"""A build's graph files (kg.trig, kg.ttl), made article by article in parallel.

Once entities are resolved, an article's named graph depends only on the
article, its statements, the entity ids and the checked entity descriptions.
So after resolution the articles' graphs are made, checked against the
shapes (:func:`kg.graph.validate.check_document`) and serialized in worker
processes forked from this one (:func:`kg.forks.map_forked`), which hand
back bytes; this process writes them in article-id order, then the default
graph, whose corroborated facts need every article's kept statements, and
the quarantine graph. The files are the same for any number of processes.

Order of the graphs in the TriG file: the ontology, the articles by id, the
default graph (entity descriptions and facts), the quarantine graph when
anything was set aside. The Turtle file is the union of the graphs, one
block per subject (the ontology's first): an entity's description, the
articles that mention it and its relations are together, and a relation
triple several articles state is written once (:func:`kg.rdf.trig.write_graph_files`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg.forks import map_forked
from kg.graph.records import (
    ONTOLOGY_IRI,
    Statement,
    Triple,
    add_block,
    document_block,
    entity_triples,
    sorted_triples,
    statements,
    statements_by_document,
)
from kg.graph.validate import (
    QuarantinedTriple,
    check_descriptions,
    check_document,
    checked_default_graph,
    quarantine_block,
    statements_of,
)
from kg.graph.validate.memo import CheckMemo, Entry
from kg.ontology import KGR_IRI, ontology_graph
from kg.rdf.trig import GraphPiece, graph_piece, write_graph_files
from kg.types import Entity, Resolved

#: Articles a worker makes at a time.
CHUNK = 16


@dataclass(frozen=True)
class ArticleGraph:
    """What a worker hands back for one article: its graph, serialized, and what the
    default graph and the quarantine need from it."""

    piece: GraphPiece
    statements: tuple[tuple[Triple, Node, Decimal], ...]  # for the corroborated facts
    quarantined: tuple[QuarantinedTriple, ...]
    triples: tuple[Triple, ...] | None  # the kept triples, when the caller wants them
    check: tuple[str, Entry] | None = None  # the check's key and result, for the memo


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
    graph (see :func:`kg.graph.validate.checked_blocks`, which this follows block
    for block), each record passed to ``on_quarantine``. ``dataset``, when
    given, receives every graph as written (for the HTML page; a list, their triples); ``digests``
    the digest of each graph (see :func:`kg.rdf.trig.write_graph_files`).
    ``memo`` replays the checks of graphs checked before and keeps this
    build's (:class:`kg.graph.validate.CheckMemo`). Returns the number of quads written.
    """
    descriptions: dict[Node, list[Triple]] = {}
    described = sorted_triples(entity_triples(entities, base=base))
    records: list[QuarantinedTriple] = []

    def report(found: Sequence[QuarantinedTriple]) -> None:
        records.extend(found)
        if on_quarantine is not None:
            for record in found:
                on_quarantine(record)

    if validate:
        descriptions, found = check_descriptions(described, base=base)
        report(found)
    else:
        for triple in described:
            descriptions.setdefault(triple[0], []).append(triple)
    by_doc = statements_by_document(statements(resolved))
    articles = sorted(resolved, key=lambda r: r.extraction.article.id)

    def make(item: Resolved) -> ArticleGraph:
        return _article_graph(
            item,
            by_doc.get(item.extraction.article.id, ()),
            descriptions=descriptions if validate else None,
            base=base,
            prefixes=prefixes,
            keep=dataset is not None,
            memo=memo,
        )

    def pieces() -> Iterator[GraphPiece]:
        ontology = sorted_triples(ontology_graph())
        if dataset is not None:
            _keep(dataset, URIRef(ONTOLOGY_IRI), ontology)
        yield graph_piece(URIRef(ONTOLOGY_IRI), ontology, prefixes=prefixes)
        stated: list[tuple[Triple, Node, Decimal]] = []
        for made in map_forked(make, articles, jobs=jobs, chunk=CHUNK):
            report(made.quarantined)
            if memo is not None and made.check is not None:
                memo.made[made.check[0]] = made.check[1]
            stated.extend(made.statements)
            if dataset is not None and made.triples is not None:
                _keep(dataset, made.piece.name, made.triples)  # type: ignore[arg-type]
            yield made.piece
        default = checked_default_graph(descriptions, stated, base=base)
        if dataset is not None:
            _keep(dataset, None, default)
        yield graph_piece(None, default, prefixes=prefixes)
        if records:
            name, triples = quarantine_block(records, base=base)
            if dataset is not None:
                _keep(dataset, name, triples)
            yield graph_piece(name, triples, prefixes=prefixes)

    return write_graph_files(pieces(), trig=trig, turtle=turtle, prefixes=prefixes, digests=digests)


def _keep(dataset: Dataset | list[Triple], name: URIRef | None, triples: Sequence[Triple]) -> None:
    if isinstance(dataset, list):
        dataset.extend(triples)
    else:
        add_block(dataset, name, triples)


def _article_graph(
    item: Resolved,
    doc_statements: Sequence[Statement],
    *,
    descriptions: Mapping[Node, Sequence[Triple]] | None,
    base: str,
    prefixes: Mapping[str, str],
    keep: bool,
    memo: CheckMemo | None = None,
) -> ArticleGraph:
    """Make, check and serialize one article's graph (in a worker process)."""
    check = None
    if memo is None or descriptions is None:
        name, triples, quarantined = checked_article(item, doc_statements, descriptions, base=base)
        piece = graph_piece(name, triples, prefixes=prefixes)
    else:
        # The graph's Turtle (with its prefixes) stands for its triples in the check's key:
        # it is written anyway, and the triples are sorted and distinct.
        name, triples = document_block(item, doc_statements, base=base)
        piece = graph_piece(name, triples, prefixes=prefixes)
        content = piece.body + repr(sorted(prefixes.items())).encode()
        kept, quarantined, key = memo.check(name, triples, descriptions, content=content)
        if quarantined:
            triples, piece = kept, graph_piece(name, kept, prefixes=prefixes)
        check = key, memo.made[key]
    return ArticleGraph(
        piece=piece,
        statements=tuple(statements_of(triples)),
        quarantined=tuple(quarantined),
        triples=tuple(triples) if keep else None,
        check=check,
    )


def checked_article(
    item: Resolved,
    doc_statements: Sequence[Statement],
    descriptions: Mapping[Node, Sequence[Triple]] | None,
    *,
    base: str = KGR_IRI,
) -> tuple[URIRef, list[Triple], list[QuarantinedTriple]]:
    """One article's named graph (:func:`kg.graph.records.document_block`), checked against the
    shapes with the checked entity ``descriptions`` (``None``: not checked): its IRI,
    the triples kept and the records of what was set aside."""
    name, triples = document_block(item, doc_statements, base=base)
    if descriptions is None:
        return name, triples, []
    kept, quarantined = check_document(name, triples, descriptions)
    return name, kept, quarantined
