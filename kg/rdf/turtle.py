r"""Turtle people like to read, the same bytes every time, in bounded memory.

Every IRI is written with the prefix of its namespace when it has one (the
local part escaped as Turtle allows: ``kgr:organization\/xiaomi``), and only
the prefixes used are declared. Each subject is written once, as one block:
``a`` (``rdf:type``) first, then ``rdfs:label``, ``skos:altLabel`` and
``rdfs:comment``, then the other predicates by name, each with all its
objects. Blocks come in this order: the ontology header (subjects typed
``owl:Ontology``, and the ontology IRI), the ontology's terms (``kgo:``),
every other IRI, then labelled blank nodes. A blank node used once is
written where it is used: an RDF list as ``( ... )``, anything else as
``[ ... ]`` (up to :data:`MAX_INLINE` levels deep; deeper, or in a cycle, it
keeps a label and a block of its own).

:class:`TurtleWriter` turns triples into *records*, one line of text per
triple that sorts into the order above; :func:`write_blocks` writes sorted
records as blocks; :class:`RecordSpool` sorts records from many graphs (the
articles of a build) with an external merge sort, so a graph of any size is
written in bounded memory with each subject in one block.

>>> from rdflib import Literal, URIRef
>>> writer = TurtleWriter({"ex": "https://example.org/"})
>>> a, p = URIRef("https://example.org/item/a"), URIRef("https://example.org/p")
>>> print(turtle_text([(a, p, Literal("x")), (a, p, Literal(2))], writer), end="")
@prefix ex: <https://example.org/> .
<BLANKLINE>
ex:item\/a ex:p "x",
        2 .
"""

from __future__ import annotations

import hashlib
import heapq
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from rdflib import RDF, RDFS, SKOS, BNode, Literal, URIRef
from rdflib.term import Node

from kg.rdf.prefixes import KGO_IRI

__all__ = [
    "MAX_INLINE",
    "RecordSpool",
    "Triple",
    "TurtleWriter",
    "blank_label",
    "prefix_lines",
    "trig_text",
    "turtle_text",
    "write_blocks",
]

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, Node | None]  # graph name None: the default graph

#: Blank nodes are nested ``[ ... ]`` at most this deep; deeper ones keep their label.
MAX_INLINE = 16

#: Separates the fields of a record; below every character a rendered term may hold.
_SEP = "\x1f"
_XSD = "http://www.w3.org/2001/XMLSchema#"

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS = f"{_BASE}_0-9\\-\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS = re.compile(f"[{_CHARS}]")
_PN_FIRST = re.compile(f"[{_BASE}_0-9:]")
_PN_PREFIX = re.compile(f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?")
#: Characters a local name may hold escaped. Not '%' (a bare '%' makes no valid IRI), nor a
#: final '.' (rdflib's parser takes ``\\.`` for the end of the statement): such IRIs are
#: written in full.
_LOCAL_ESCAPES = frozenset("_~.-!$&'()*+,;=/?#@")
_SIMPLE_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-/.]*[A-Za-z0-9_\-/])?")
#: IRIs a writer remembers how to write (the cache is emptied when full).
_CACHE = 100_000
_HEX = frozenset("0123456789abcdefABCDEF")
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_STRING_UNSAFE = re.compile('[\\\\"\x00-\x1f\x7f\u0085\u2028\u2029]')
#: The predicates a block starts with (after ``a``), by the digit their records sort by.
_FIRST_PREDICATES: dict[Node, str] = {RDFS.label: "1", SKOS.altLabel: "2", RDFS.comment: "3"}
_BARE = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _STRING_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _local_name(local: str) -> str | None:
    """``local`` as a Turtle local name (escaped where needed), or None if it cannot be one."""
    if _SIMPLE_LOCAL.fullmatch(local):  # the common case, made cheap
        return local.replace("/", "\\/")
    out: list[str] = []
    i, end = 0, len(local)
    while i < end:
        char = local[i]
        pair = local[i + 1 : i + 3]
        if char == "%" and len(pair) == 2 and set(pair) <= _HEX:
            out.append(char + pair)
            i += 3
            continue
        plain = _PN_FIRST.match(char) if i == 0 else (_PN_CHARS.match(char) or char in ".:")
        if char == "." and i == end - 1:
            return None
        if plain:
            out.append(char)
        elif char in _LOCAL_ESCAPES:
            out.append("\\" + char)
        else:
            return None
        i += 1
    return "".join(out)


class TurtleWriter:
    """Writes terms and triples as Turtle with a prefix table, recording the prefixes used.

    Parameters:
        prefixes: prefix -> namespace; an IRI takes the longest namespace it starts
            with whose rest can be written as a local name. Empty names, names
            that are not Turtle prefix names and rdflib's made-up ``ns1``... are left out.
        headers: subjects written first (the ontologies, ``owl:Ontology``), beside the
            vocabulary's own IRI (the namespace without its ``#``), which always is.
        vocabulary: the namespace whose subjects come right after the headers.

    >>> w = TurtleWriter({"kgr": "https://w3id.org/kg-builder/resource/"})
    >>> w.term(URIRef("https://w3id.org/kg-builder/resource/organization/xiaomi")), sorted(w.used)
    ('kgr:organization\\\\/xiaomi', ['kgr'])
    >>> w.term(URIRef("https://example.org/a b"))
    '<https://example.org/a\\\\u0020b>'
    """

    def __init__(
        self,
        prefixes: Mapping[str, str],
        *,
        headers: Iterable[Node] = (),
        vocabulary: str = KGO_IRI,
    ) -> None:
        usable = {
            ns: name
            for name, ns in sorted(prefixes.items(), reverse=True)
            if name and ns and _PN_PREFIX.fullmatch(name) and not re.fullmatch(r"ns\d+", name)
        }
        self._namespaces = sorted(usable.items(), key=lambda item: (-len(item[0]), item[1]))
        self.prefixes: dict[str, str] = {name: ns for ns, name in usable.items()}
        self.used: set[str] = set()
        self._iris: dict[str, tuple[str, str | None]] = {}
        self._predicates: dict[Node, str] = {}
        self._headers = frozenset(headers)
        self._vocabulary = vocabulary

    def iri(self, iri: str) -> str:
        """An IRI as a prefixed name, or in full."""
        known = self._iris.get(iri)
        if known is None:
            known = (f"<{_IRI_UNSAFE.sub(_uchar, iri)}>", None)
            for ns, name in self._namespaces:
                if iri.startswith(ns):
                    local = _local_name(iri[len(ns) :])
                    if local is not None:
                        known = (f"{name}:{local}", name)
                        break
            if len(self._iris) >= _CACHE:  # a cache, not a copy of the graph's IRIs
                self._iris.clear()
            self._iris[iri] = known
        if known[1] is not None:
            self.used.add(known[1])
        return known[0]

    def term(self, node: Node) -> str:
        """A term (IRI, literal, blank node label) as Turtle."""
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode):
            return blank_label(node)
        raise TypeError(f"not an RDF term: {node!r}")

    def literal(self, node: Literal) -> str:
        """A literal: numbers and booleans bare when their form allows, strings quoted."""
        lexical = str(node)
        datatype = None if node.datatype is None else str(node.datatype)
        bare = _BARE.get(datatype or "")
        if bare is not None and bare.fullmatch(lexical):
            return lexical
        quoted = '"' + _STRING_UNSAFE.sub(_escape_char, lexical) + '"'
        if node.language:
            return f"{quoted}@{node.language}"
        if datatype and datatype != _XSD + "string":
            return f"{quoted}^^{self.iri(datatype)}"
        return quoted

    def rank(self, subject: Node) -> str:
        """Where a subject's block goes: headers, vocabulary, other IRIs, blank nodes."""
        if subject in self._headers or str(subject) == self._vocabulary.rstrip("#/"):
            return "0"
        if isinstance(subject, BNode):
            return "3"
        return "1" if str(subject).startswith(self._vocabulary) else "2"

    def records(self, triples: Iterable[Triple], *, keep: Iterable[Node] = ()) -> list[str]:
        """One record per triple (blank nodes used once inlined in their user's record,
        but those in ``keep``: blank nodes other graphs of the same file also use).

        >>> from rdflib import URIRef
        >>> w = TurtleWriter({"ex": "https://example.org/"})
        >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
        >>> [r.split(_SEP) for r in w.records([(a, RDF.type, p)])]
        [['2ex:a', '0a', 'ex:p']]
        """
        graph = _Inliner(list(dict.fromkeys(triples)), self, keep=frozenset(keep))
        return graph.records()

    def predicate_key(self, predicate: Node) -> str:
        """Sorts ``a`` first, then the names (``rdfs:label``, ``skos:altLabel``),
        ``rdfs:comment``, then the other predicates by their written name."""
        key = self._predicates.get(predicate)
        if key is None:
            first = "0" if predicate == RDF.type else _FIRST_PREDICATES.get(predicate, "9")
            key = "0a" if first == "0" else first + self.term(predicate)
            self._predicates[predicate] = key
        elif key != "0a":
            self.term(predicate)  # counts its prefix as used
        return key


def _uchar(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04X}"


def blank_label(node: BNode) -> str:
    """``_:label``, the label made safe for Turtle (and the same for the same node).

    >>> blank_label(BNode("b0")), blank_label(BNode("a:b"))[:3]
    ('_:b0', '_:x')
    """
    label = str(node)
    if _BNODE_LABEL.fullmatch(label):
        return "_:" + label
    return "_:x" + hashlib.sha1(label.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class _Inliner:
    """Records of one graph, with the blank nodes used once written inside their user."""

    def __init__(
        self, triples: list[Triple], writer: TurtleWriter, *, keep: frozenset[Node]
    ) -> None:
        self.writer = writer
        self.triples = triples
        self.about: dict[Node, list[Triple]] = {}
        uses: dict[Node, int] = {}
        for triple in triples:
            s, _, o = triple
            if isinstance(s, BNode):
                self.about.setdefault(s, []).append(triple)
            if isinstance(o, BNode):
                uses[o] = uses.get(o, 0) + 1
        self.once = {node for node, count in uses.items() if count == 1} - keep
        self.inlined: set[Node] = set()  # written inside their user
        self.placed: set[Node] = set()  # written as a block of their own
        self.heads: dict[Node, str] = {}  # each subject's start of a record

    def records(self) -> list[str]:
        out: list[str] = []
        roots = [t for t in self.triples if t[0] not in self.once]
        for s, p, o in roots:
            out.append(self._record(s, p, self._object(o, 0)))
        # What was not reached from a root (a cycle, or nested too deep) keeps its label.
        for s, p, o in self.triples:
            if s in self.once and s not in self.inlined:
                self.placed.add(s)
                out.append(self._record(s, p, self._object(o, 0)))
        return out

    def _record(self, s: Node, p: Node, text: str) -> str:
        writer = self.writer
        head = self.heads.get(s)
        if head is None:
            head = self.heads[s] = f"{writer.rank(s)}{writer.term(s)}{_SEP}"
        return f"{head}{writer.predicate_key(p)}{_SEP}{text}"

    def _object(self, node: Node, depth: int) -> str:
        if (
            node not in self.once
            or node in self.inlined
            or node in self.placed
            or depth >= MAX_INLINE
        ):
            return self.writer.term(node)
        items = self._list_items(node)
        if items is not None:
            self.inlined.update(items[1])
            return "(" + "".join(" " + self._object(i, depth + 1) for i in items[0]) + " )"
        self.inlined.add(node)
        triples = sorted(
            (
                (self.writer.predicate_key(p), self._object(o, depth + 1))
                for _, p, o in self.about.get(node, ())
            )
        )
        if not triples:
            return "[]"
        return "[ " + " ; ".join(f"{_predicate(k)} {text}" for k, text in triples) + " ]"

    def _list_items(self, node: Node) -> tuple[list[Node], list[Node]] | None:
        """The items of a well-formed RDF list starting at ``node`` and its nodes, or None."""
        items: list[Node] = []
        nodes: list[Node] = []
        while node != RDF.nil:
            if (
                node not in self.once
                or node in self.inlined
                or node in self.placed
                or not isinstance(node, BNode)
                or node in nodes
            ):
                return None
            about = self.about.get(node, ())
            first = [o for _, p, o in about if p == RDF.first]
            rest = [o for _, p, o in about if p == RDF.rest]
            if len(about) != 2 or len(first) != 1 or len(rest) != 1:
                return None
            items.append(first[0])
            nodes.append(node)
            node = rest[0]
        return (items, nodes) if nodes else None


def _predicate(key: str) -> str:
    return key[1:]


def prefix_lines(prefixes: Mapping[str, str], used: Iterable[str]) -> str:
    """``@prefix`` lines for the ``used`` prefixes, sorted by name, then a blank line.

    >>> print(prefix_lines({"ex": "https://example.org/", "no": "urn:no:"}, {"ex"}), end="")
    @prefix ex: <https://example.org/> .
    <BLANKLINE>
    """
    names = sorted(set(used))
    if not names:
        return ""
    return "".join(f"@prefix {name}: <{prefixes[name]}> .\n" for name in names) + "\n"


def write_blocks(
    records: Iterable[str], write: Callable[[str], object], *, indent: str = ""
) -> int:
    """Write sorted records as subject blocks separated by blank lines; return the triples.

    Repeated records (a triple several graphs state) are written once.
    """
    count = 0
    last = None
    subject = predicate = None
    for record in records:
        if record == last:
            continue
        last = record
        count += 1
        head, key, text = record.split(_SEP, 2)
        if head != subject:
            if subject is not None:
                write(" .\n\n")
            write(f"{indent}{head[1:]} {key[1:]} {text}")
            subject, predicate = head, key
        elif key != predicate:
            write(f" ;\n{indent}    {key[1:]} {text}")
            predicate = key
        else:
            write(f",\n{indent}        {text}")
    if subject is not None:
        write(" .\n")
    return count


def turtle_text(triples: Iterable[Triple], writer: TurtleWriter) -> str:
    """A graph held in memory as Turtle: its prefixes, then its blocks."""
    parts: list[str] = []
    write_blocks(sorted(writer.records(triples)), parts.append)
    return prefix_lines(writer.prefixes, writer.used) + "".join(parts)


def trig_text(quads: Iterable[Quad], writer: TurtleWriter) -> str:
    """A dataset held in memory as TriG: the default graph first, then the named graphs
    by name, each one's blocks indented in its braces.

    >>> from rdflib import URIRef
    >>> w = TurtleWriter({"ex": "https://example.org/"})
    >>> a, g = URIRef("https://example.org/a"), URIRef("https://example.org/g")
    >>> print(trig_text([(a, a, a, g), (a, a, a, None)], w), end="")
    @prefix ex: <https://example.org/> .
    <BLANKLINE>
    {
        ex:a ex:a ex:a .
    }
    <BLANKLINE>
    ex:g {
        ex:a ex:a ex:a .
    }
    """
    groups: dict[Node | None, list[Triple]] = {}
    graphs_of: dict[Node, set[Node | None]] = {}
    for s, p, o, g in quads:
        groups.setdefault(g, []).append((s, p, o))
        for term in (s, o):
            if isinstance(term, BNode):
                graphs_of.setdefault(term, set()).add(g)
    shared = {node for node, graphs in graphs_of.items() if len(graphs) > 1}
    names = {g: "" if g is None else writer.term(g) for g in groups}
    parts: list[str] = []
    for g in sorted(groups, key=lambda g: (g is not None, names[g])):
        parts.append("\n" if parts else "")
        parts.append(f"{names[g]} {{\n" if names[g] else "{\n")
        write_blocks(sorted(writer.records(groups[g], keep=shared)), parts.append, indent="    ")
        parts.append("}\n")
    return prefix_lines(writer.prefixes, writer.used) + "".join(parts)


class RecordSpool:
    """Records from many graphs, sorted on disk in runs and merged (an external sort).

    Memory holds at most ``limit`` characters of records at a time; the runs
    are nameless temporary files in ``folder`` (gone when closed, or when the
    process dies), read back together by :meth:`merged`.

    >>> import tempfile
    >>> with RecordSpool(tempfile.mkdtemp(), limit=4) as spool:
    ...     spool.add(["b", "a"]); spool.add(["c", "a"])
    ...     list(spool.merged())
    ['a', 'a', 'b', 'c']
    """

    def __init__(self, folder: str | Path, *, limit: int = 32_000_000) -> None:
        self._stack = ExitStack()
        self._folder = Path(folder)
        self._limit = limit
        self._buffer: list[str] = []
        self._size = 0
        self._runs: list[IO[str]] = []

    def __enter__(self) -> RecordSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def add(self, records: Sequence[str]) -> None:
        """Add records (each one line, no line break)."""
        self._buffer.extend(records)
        self._size += sum(len(r) for r in records)
        if self._size >= self._limit:
            self._flush()

    def _flush(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        # A nameless file: nothing is left behind, even when the process is killed.
        run = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=self._folder)  # noqa: SIM115
        self._stack.callback(run.close)
        run.writelines(r + "\n" for r in sorted(self._buffer))
        self._runs.append(run)
        self._buffer, self._size = [], 0

    def merged(self) -> Iterator[str]:
        """Every record added, in sorted order (duplicates kept)."""
        self._buffer.sort()
        for run in self._runs:
            run.seek(0)
        lines = [(line[:-1] for line in run) for run in self._runs]
        yield from heapq.merge(self._buffer, *lines)
