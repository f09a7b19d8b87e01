"""The one assembler of a build's graph: its checked named graphs, in the order they are written.

:func:`assemble` yields the graphs of a resolved build one at a time:

1. the ontology (``<https://w3id.org/kg-builder/ontology>``);
2. one graph per article, in article-id order. Once entities are resolved an
   article's graph depends only on the article, its statements, the entity ids
   and the checked entity descriptions, so the articles are handed to a
   *mapper*: here, in this process (:func:`in_this_process`); a pool of forked
   processes or a Dask cluster in :mod:`kg.build`. Each article's graph is
   checked against the shapes with the descriptions of the entities it names
   (:func:`kg.graph.validate.check_document`);
3. the default graph: the checked entity descriptions
   (:func:`kg.graph.validate.check_descriptions`) and the corroborated facts of
   the statements the articles kept (:func:`kg.graph.validate.checked_default_graph`);
4. the quarantine graph, when anything was set aside
   (:func:`kg.graph.validate.quarantine_block`).

What breaks a shape is left out of its graph and recorded in the quarantine
graph, and the check repeats until what is left conforms. Set aside together:
a statement or an observation whole with the relation triple it qualifies; a
relation triple with its statement; an entity's description, and then each
article's triples about that entity. Without ``validate`` nothing is checked
and nothing set aside.

kg.trig and kg.ttl (:func:`kg.build.graphfiles.write_build_graph`), the
shards of a cluster build (:func:`kg.build.cluster.write_shards`), publishing
to a store (:func:`kg.build.publish.publish`) and :func:`build_dataset` all
read this one stream.

>>> from kg.types import Entity
>>> [name is None for name, _ in graph_blocks([Entity("org/acme", "Acme", "Company")], [])]
[False, True]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg.graph.records import (
    ONTOLOGY_IRI,
    Block,
    Statement,
    Triple,
    dataset_from_blocks,
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
from kg.rdf.trig import GraphPiece, graph_piece
from kg.types import Entity, Resolved

__all__ = [
    "ArticleMapper",
    "ArticleWork",
    "CheckedGraph",
    "Descriptions",
    "article_graph",
    "assemble",
    "build_dataset",
    "checked_article",
    "graph_blocks",
    "in_this_process",
]

#: One article and its merged statements: what its graph is made from.
ArticleWork = tuple[Resolved, Sequence[Statement]]
#: The checked entity descriptions by subject; None when nothing is checked.
Descriptions = Mapping[Node, Sequence[Triple]] | None


@dataclass(frozen=True)
class CheckedGraph:
    """One named graph of a build, checked, and what the default graph and the quarantine
    need from it.

    ``triples`` is None when the mapper that made an article's graph kept them to
    itself (written to a shard, or serialized as ``piece``, without the triples).
    """

    name: URIRef | None  # None: the default graph
    triples: Sequence[Triple] | None
    statements: tuple[tuple[Triple, Node, Decimal], ...] = ()  # for the corroborated facts
    quarantined: tuple[QuarantinedTriple, ...] = ()
    piece: GraphPiece | None = None  # its Turtle, when the mapper wrote it (kg.rdf.trig)
    check: tuple[str, Entry] | None = None  # the check's key and result, for the memo
    #: Kept for the next build by the mapper that made it (:mod:`kg.build.keptgraphs`):
    #: what the HTML view reads of it, and (key, record).
    view: object | None = None
    kept: tuple[str, object] | None = None


#: Makes the graphs of articles, results in their order: (the articles, the checked
#: descriptions, the base IRI) -> their graphs. :func:`in_this_process` is one.
ArticleMapper = Callable[[Sequence[ArticleWork], Descriptions, str], Iterable[CheckedGraph]]


def assemble(
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    *,
    base: str = KGR_IRI,
    validate: bool = True,
    ontology: bool = True,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
    articles: ArticleMapper | None = None,
) -> Iterator[CheckedGraph]:
    """The checked named graphs of a build, one at a time, in their order (module docstring).

    Parameters:
        entities, resolved: the resolved build.
        base: the base IRI of the build's resources.
        validate: check against the shapes and set aside what breaks them.
        ontology: yield the ontology's graph first.
        on_quarantine: called with each triple set aside, as found.
        articles: makes the articles' graphs (default :func:`in_this_process`).

    >>> from kg.types import Entity
    >>> graphs = list(assemble([Entity("org/acme", "Acme", "Company")], [], ontology=False))
    >>> [(g.name, len(g.triples)) for g in graphs]
    [(None, 2)]
    """
    records: list[QuarantinedTriple] = []

    def report(found: Sequence[QuarantinedTriple]) -> None:
        records.extend(found)
        if on_quarantine is not None:
            for record in found:
                on_quarantine(record)

    described = sorted_triples(entity_triples(entities, base=base))
    descriptions: dict[Node, list[Triple]] = {}
    if validate:
        descriptions, found = check_descriptions(described, base=base)
        report(found)
    else:
        for triple in described:
            descriptions.setdefault(triple[0], []).append(triple)
    by_doc = statements_by_document(statements(resolved))
    works = [
        (item, by_doc.get(item.extraction.article.id, ()))
        for item in sorted(resolved, key=lambda r: r.extraction.article.id)
    ]
    if ontology:
        yield CheckedGraph(URIRef(ONTOLOGY_IRI), sorted_triples(ontology_graph()))
    stated: list[tuple[Triple, Node, Decimal]] = []
    mapper = articles if articles is not None else in_this_process
    for graph in mapper(works, descriptions if validate else None, base):
        report(graph.quarantined)
        stated.extend(graph.statements)
        yield graph
    yield CheckedGraph(None, checked_default_graph(descriptions, stated, base=base))
    if records:
        yield CheckedGraph(*quarantine_block(records, base=base))


def in_this_process(
    works: Sequence[ArticleWork], descriptions: Descriptions, base: str
) -> Iterator[CheckedGraph]:
    """The :data:`ArticleMapper` that makes the articles' graphs here, one after another."""
    for work in works:
        yield article_graph(work, descriptions, base=base)


def graph_blocks(
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    *,
    base: str = KGR_IRI,
    validate: bool = True,
    ontology: bool = True,
    on_quarantine: Callable[[QuarantinedTriple], None] | None = None,
) -> Iterator[Block]:
    """The graphs of :func:`assemble`, made here, as (graph name, triples) blocks."""
    for graph in assemble(
        entities,
        resolved,
        base=base,
        validate=validate,
        ontology=ontology,
        on_quarantine=on_quarantine,
    ):
        assert graph.triples is not None  # made here: every graph has its triples
        yield graph.name, graph.triples


def build_dataset(
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    *,
    base: str = KGR_IRI,
    validate: bool = True,
    ontology: bool = True,
) -> Dataset:
    """The graph of a build as an rdflib Dataset: what kg.trig holds (:func:`assemble`).

    With ``ontology`` (the default) the ontology itself is included as the
    named graph ``<https://w3id.org/kg-builder/ontology>``, so the graph is
    self-describing: labels of metrics and statuses, class hierarchy, domains.
    """
    blocks = graph_blocks(entities, resolved, base=base, validate=validate, ontology=ontology)
    return dataset_from_blocks(blocks, base=base)


def article_graph(
    work: ArticleWork,
    descriptions: Descriptions,
    *,
    base: str = KGR_IRI,
    prefixes: Mapping[str, str] | None = None,
    keep: bool = True,
    memo: CheckMemo | None = None,
) -> CheckedGraph:
    """Make and check one article's graph (in a worker process, if need be).

    With ``prefixes`` its Turtle is written too (``piece``), and ``keep`` says
    whether to hand its triples back as well; ``memo`` replays the check of a
    graph checked before (:class:`kg.graph.validate.memo.CheckMemo`).
    """
    item, doc_statements = work
    check = None
    if memo is None or descriptions is None:
        name, triples, quarantined = checked_article(item, doc_statements, descriptions, base=base)
        piece = None if prefixes is None else graph_piece(name, triples, prefixes=prefixes)
    else:
        # The graph's Turtle (with its prefixes) stands for its triples in the check's key:
        # it is written anyway, and the triples are sorted and distinct.
        prefixes = prefixes or {}
        name, triples = document_block(item, doc_statements, base=base)
        piece = graph_piece(name, triples, prefixes=prefixes)
        content = piece.body + repr(sorted(prefixes.items())).encode()
        kept, quarantined, key = memo.check(name, triples, descriptions, content=content)
        if quarantined:
            triples, piece = kept, graph_piece(name, kept, prefixes=prefixes)
        check = key, memo.made[key]
    return CheckedGraph(
        name=name,
        triples=tuple(triples) if keep else None,
        statements=tuple(statements_of(triples)),
        quarantined=tuple(quarantined),
        piece=piece,
        check=check,
    )


def checked_article(
    item: Resolved,
    doc_statements: Sequence[Statement],
    descriptions: Descriptions,
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
