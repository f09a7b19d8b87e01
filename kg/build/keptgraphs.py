"""Article graphs kept between builds, so ``kg add`` splices an unchanged article's graph in.

An article's graph (:func:`kg.graph.assemble.article_graph`) is made from the
resolved article alone (its extraction with the relations the threshold kept,
its entity ids) and the base IRI, then checked with the descriptions of the
entities it names. A build keeps, in its state folder (:data:`GRAPHS_FILE`) and
under a digest of the resolved article (:func:`graph_key`), what writing that
graph produced: its Turtle (its TriG block and kg.ttl's records), the
statements the default graph reads, the nodes its check starts from, and what
the HTML view reads of it (:class:`kg.views.read.ViewPart`). The next build
splices the kept Turtle into kg.trig and kg.ttl when the resolved article is
the same and its check is kept and set nothing aside, the check's key made
again from the descriptions it reads now (:meth:`kg.graph.validate.memo.CheckMemo.replay_clean`).

So the graphs made again are exactly those whose content may change: an article
added or replaced, an article whose entity ids changed (an entity merged or
renamed, new ids for its mentions), one whose entities' descriptions changed
(a new alias or class: another check key), and one whose kept record is missing
or damaged. A graph whose check set anything aside is never kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import URIRef

from kg.atomic import atomic_file
from kg.graph.assemble import ArticleWork, CheckedGraph, Descriptions
from kg.graph.validate.memo import CheckMemo, check_salt, graph_roots
from kg.memo import Memo
from kg.rdf.trig import GraphPiece
from kg.views.model import ViewDocument, ViewStatement
from kg.views.read import ViewPart, view_part

__all__ = [
    "GRAPHS_FILE",
    "KeptGraphs",
    "graphs_salt",
    "kept_record",
    "read_kept",
    "spliced",
    "with_record",
    "write_kept",
]

#: The article graphs a build keeps for the next (in its state folder).
GRAPHS_FILE = "graphs.jsonl"

#: Raise when what is kept changes meaning.
VERSION = 1


def _iri(text: str, made: dict[str, URIRef]) -> URIRef:
    """``URIRef(text)`` for an IRI kept from one, each text made once (``made``: an entity's IRI
    recurs in many graphs), without rdflib's check of it (the text was a URIRef's)."""
    iri = made.get(text)
    if iri is None:
        iri = made[text] = str.__new__(URIRef, text)
    return iri


#: The fields of a view statement, in the order kept (its document by IRI, last).
_STATEMENT_FIELDS = (
    "iri",
    "evidence",
    "evidence_start",
    "evidence_end",
    "confidence",
    "date",
    "start",
    "end",
    "duration",
    "status",
    "role",
    "trigger",
)


def graphs_salt(prefixes: Mapping[str, str]) -> str:
    """What the kept graphs hold for: kg's version, the prefixes of the files, the check's salt
    (:func:`kg.graph.validate.memo.check_salt`) and the code that makes, writes and reads them."""
    from kg import __version__

    kg_dir = Path(__file__).parents[1]
    files = [
        *sorted((kg_dir / "graph").glob("*.py")),
        *sorted((kg_dir / "rdf").glob("*.py")),
        kg_dir / "ontology.py",
        kg_dir / "views" / "read.py",
        kg_dir / "views" / "model.py",
        Path(__file__),
    ]
    digest = hashlib.sha256(f"{__version__}\x1d{VERSION}\x1d{sorted(prefixes.items())}".encode())
    digest.update(check_salt().encode())
    for path in files:
        digest.update(b"\x1d" + path.read_bytes())
    return digest.hexdigest()[:32]


class KeptGraphs(Memo):
    """The article graphs an earlier build kept, and those this build keeps, by
    :meth:`key`.

    ``hashes`` are the build's article hashes (:func:`kg.build.state.article_hash`), by
    article id, and ``made_from`` what else its extractions and graphs are made with
    (the pipeline's fingerprint, the confidence threshold): a build state holds one
    extraction per article hash and fingerprint, so these stand for the extraction.
    """

    def __init__(
        self,
        known: Mapping[str, Any] | None,
        *,
        hashes: Mapping[str, str],
        made_from: str,
        salt: str = "",
    ) -> None:
        super().__init__(known)
        self.hashes = hashes
        self.made_from = made_from
        self.salt = salt  # what they hold for (graphs_salt), written with them

    def key(self, work: ArticleWork, base: str) -> str:
        """A digest of what an article's graph is made from: its extraction (by the article's
        hash, or whole when the build has none for it), its entity ids and the base IRI
        (its statements are made from these alone)."""
        item, _ = work
        article = self.hashes.get(item.extraction.article.id)
        made = repr(item) if article is None else f"{article}\x1d{item.entity_ids!r}"
        return hashlib.sha256(f"{base}\x1d{self.made_from}\x1d{made}".encode()).hexdigest()[:32]


def with_record(graph: CheckedGraph, key: str, *, keep: bool) -> CheckedGraph:
    """``graph``, just made with its triples, with what the view reads of it and (when it can
    be kept) its record under ``key``; its triples only if ``keep`` and the view needs them."""
    assert graph.triples is not None
    view = view_part(graph.triples)
    record = kept_record(graph, view)
    text = None if record is None else json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return CheckedGraph(
        name=graph.name,
        triples=graph.triples if keep and view is None else None,
        statements=graph.statements,
        quarantined=graph.quarantined,
        piece=graph.piece,
        check=graph.check,
        view=view,
        kept=None if text is None else (key, text),
    )


def kept_record(graph: CheckedGraph, view: ViewPart | None) -> list[Any] | None:
    """The record kept of an article's graph (:func:`spliced` reads it); None if it cannot be
    kept (not checked, something set aside, a term that is not an IRI where one is kept)."""
    piece, check = graph.piece, graph.check
    if graph.triples is None or piece is None or check is None or check[1] or view is None:
        return None
    roots = graph_roots(graph.triples)
    stated = [(*direct, node, str(confidence)) for direct, node, confidence in graph.statements]
    if roots is None or not all(isinstance(t, URIRef) for row in stated for t in row[:4]):
        return None
    return [
        str(graph.name),
        piece.body.decode("utf-8"),
        list(piece.records),
        piece.size,
        sorted(piece.used),
        [str(node) for node in roots],
        [[str(t) for t in row] for row in stated],
        _view_record(view),
    ]


def spliced(
    record: object,
    *,
    memo: CheckMemo,
    descriptions: Descriptions,
    prefixes: Mapping[str, str],
    iris: dict[str, URIRef] | None = None,
) -> CheckedGraph | None:
    """The article graph a build kept (:func:`kept_record`, as JSON text), if its check still
    holds with ``descriptions`` (and is kept by ``memo``, clean); None: make it again.
    ``iris`` keeps the IRIs made, by text, for the next call."""
    iris = {} if iris is None else iris
    if descriptions is None or not isinstance(record, str):
        return None
    try:
        name, body, records, size, used, roots, stated, view = json.loads(record)
        name = _iri(name, iris)
        piece = GraphPiece(name, body.encode("utf-8"), tuple(records), int(size), frozenset(used))
        nodes = [str(node) for node in roots]
        statements = tuple(
            ((_iri(s, iris), _iri(p, iris), _iri(o, iris)), _iri(node, iris), Decimal(confidence))
            for s, p, o, node, confidence in stated
        )
        part = _view_part(view, iris)
    except (TypeError, ValueError, ArithmeticError, AttributeError):  # JSON errors too
        return None
    content = piece.body + repr(sorted(prefixes.items())).encode()
    key = memo.replay_clean(name, content, nodes, descriptions)
    if key is None:
        return None
    return CheckedGraph(
        name=name,
        triples=None,
        statements=statements,
        piece=piece,
        check=(key, ()),
        view=part,
        kept=None,
    )


def read_kept(path: Path, salt: str) -> dict[str, str]:
    """The records kept in ``path`` with ``salt`` (:func:`write_kept`), as JSON text by key;
    {} if there are none. Only the records a build splices in are parsed."""
    try:
        with path.open(encoding="utf-8") as lines:
            if lines.readline().rstrip("\n") != json.dumps({"salt": salt}):
                return {}
            kept = dict(line.rstrip("\n").split("\t", 1) for line in lines)
    except (OSError, ValueError):
        return {}
    return kept


def write_kept(path: Path, salt: str, made: Mapping[str, str]) -> None:
    """Write the records ``made`` (JSON text by key) to ``path`` with ``salt``, sorted by key,
    atomically: a line of the salt, then a line per record (``key<TAB>record``)."""
    with atomic_file(path) as handle:
        handle.write((json.dumps({"salt": salt}) + "\n").encode("utf-8"))
        for key in sorted(made):
            handle.write(f"{key}\t{made[key]}\n".encode())


def _view_record(part: ViewPart) -> list[Any]:
    statements = [
        [str(s), predicate, str(o), *(getattr(st, f) for f in _STATEMENT_FIELDS), _doc_iri(st)]
        for s, predicate, o, st in part.statements
    ]
    documents = [[d.iri, d.id, d.title, d.date] for _, d in part.documents]
    return [
        [list(map(str, t)) for t in part.triples],
        sorted(map(str, part.own)),
        statements,
        documents,
    ]


def _doc_iri(statement: ViewStatement) -> str | None:
    return None if statement.document is None else statement.document.iri


def _view_part(record: Sequence[Any], iris: dict[str, URIRef]) -> ViewPart:
    triples, own, statements, documents = record
    docs = {iri: ViewDocument(iri, id_, title, date) for iri, id_, title, date in documents}
    read = []
    for s, predicate, o, *values, doc in statements:
        fields = dict(zip(_STATEMENT_FIELDS, values, strict=True))
        document = None if doc is None else docs.get(doc, ViewDocument(doc))
        statement = ViewStatement(**fields, document=document)
        read.append((_iri(s, iris), str(predicate), _iri(o, iris), statement))
    return ViewPart(
        tuple((_iri(s, iris), _iri(p, iris), _iri(o, iris)) for s, p, o in triples),
        frozenset(_iri(iri, iris) for iri in own),
        tuple(read),
        tuple((_iri(iri, iris), doc) for iri, doc in docs.items()),
    )
