"""A build's graph files, kg.trig and kg.ttl, streamed graph by graph in bounded memory.

Each graph is written once as Turtle (:func:`graph_piece`, in a worker process
if need be); :func:`write_graph_files` puts the pieces in a TriG file, one
block per graph, and merges their triples into a Turtle file, one block per
subject, sorting on disk.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rdflib.term import Node

from kg.atomic import atomic_file
from kg.rdf.turtle import RecordSpool, TurtleWriter, prefix_lines, write_blocks

__all__ = ["GraphPiece", "graph_piece", "turtle_prefixes", "write_graph_files"]


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
    >>> from kg.rdf.prefixes import KGO_IRI
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
    with contextlib.ExitStack() as stack:
        body = None
        if trig is not None:
            Path(trig).parent.mkdir(parents=True, exist_ok=True)
            body = stack.enter_context(tempfile.TemporaryFile(dir=Path(trig).parent))
        spool = None
        if turtle is not None:
            spool = stack.enter_context(RecordSpool(Path(turtle).parent))
        count, used = _take_pieces(pieces, writer, body=body, spool=spool, digests=digests)
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


def _take_pieces(
    pieces: Iterable[GraphPiece],
    writer: TurtleWriter,
    *,
    body: IO[bytes] | None,
    spool: RecordSpool | None,
    digests: dict[str, str] | None,
) -> tuple[int, set[str]]:
    """Write each piece's TriG block to ``body`` and its records to ``spool`` (each when given),
    as the pieces come; return the number of triples and the prefixes the pieces use.

    ``writer`` writes the graph names (and remembers their prefixes); ``digests``, when
    given, receives each graph's digest (:func:`write_graph_files`).
    """
    count = 0
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
    return count, used


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
