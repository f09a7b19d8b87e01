"""The views as lines of plain text for a terminal: paths, timelines and conflicts.

``kg path``, ``kg timeline`` and ``kg conflicts`` print these lines (each one
printed as is); the records come from :mod:`kg.views.analyze` and
:mod:`kg.views.timeline`. Only the type hints name them, so this module
loads no rdflib.

>>> one_line("Xiaomi\\n  sells phones")
'Xiaomi sells phones'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.errors import count

if TYPE_CHECKING:
    from kg.views.analyze import Path
    from kg.views.model import ViewStatement
    from kg.views.timeline import Conflict, Timeline

__all__ = ["conflict_lines", "one_line", "path_lines", "source_line", "timeline_lines"]


def one_line(text: str | None) -> str:
    """``text`` with every run of whitespace (newlines too) made one space.

    >>> one_line(" a\\n  b ")
    'a b'
    """
    return " ".join((text or "").split())


def source_line(st: ViewStatement, statements: int = 1) -> str:
    """Where a statement comes from: document, its date and title, the confidence."""
    doc = st.document
    parts = []
    if doc is not None:
        parts.append(doc.id or doc.iri)
        if doc.date:
            parts.append(doc.date)
        if doc.title:
            parts.append(f"“{one_line(doc.title)}”")
    if st.confidence is not None:
        parts.append(f"confidence {st.confidence:g}")
    if statements > 1:
        parts.append(f"{statements} statements")
    return " · ".join(parts) or "no source recorded"


def path_lines(found: Path) -> list[str]:
    """``kg path``: the two ends, then each hop's relations with their best evidence."""
    lines = [
        f"{found.start.label} ({found.start.cls}) to {found.end.label} ({found.end.cls}): "
        f"{count(len(found.hops), 'hop')}"
    ]
    for i, hop in enumerate(found.hops, 1):
        lines.append("")
        for j, edge in enumerate(hop.edges):
            arrow = f"-{edge.predicate}->" if hop.forward(edge) else f"<-{edge.predicate}-"
            head = f"{i}." if j == 0 else "  "
            lines.append(f"{head} {hop.source.label}  {arrow}  {hop.target.label}")
            best = edge.best
            if best is not None:
                lines.append(f"     “{one_line(best.evidence)}”")
                lines.append(f"     {source_line(best, len(edge.statements))}")
    return lines


def timeline_lines(line: Timeline, *, undated: bool = False) -> list[str]:
    """``kg timeline``: a heading, then per statement its date, relation, evidence and source."""
    if not line.events and not line.undated:
        return [
            f"no dated statement about {line.entity.label}"
            + ("" if undated else " (--undated lists the others)")
            + "."
        ]
    lines = [
        f"{line.entity.label} ({line.entity.cls}): {count(len(line.events), 'dated statement')}"
        + (f", {len(line.undated)} undated" if undated else "")
    ]
    for event in (*line.events, *line.undated):
        st = event.statement
        subject, obj = (
            (line.entity.label, event.other.label)
            if event.outgoing
            else (event.other.label, line.entity.label)
        )
        qualifiers = [
            f"{name} {value}"
            for name, value in (
                ("date", st.date),
                ("start", st.start),
                ("end", st.end),
                ("status", st.status),
                ("role", st.role),
            )
            if value
        ]
        lines.append("")
        lines.append(
            f"{event.when or 'undated':<10}  {subject} {event.predicate} {obj}"
            + (f"  ({', '.join(qualifiers)})" if qualifiers else "")
        )
        lines.append(f"{'':<10}  “{one_line(st.evidence)}”")
        lines.append(f"{'':<10}  {source_line(st)}")
    return lines


def conflict_lines(found: list[Conflict]) -> list[str]:
    """``kg conflicts``: each conflict's kind and subject, then both sides with their sources."""
    if not found:
        return ["no conflicting statements found."]
    lines = [f"{count(len(found), 'conflict')}:"]
    for c in found:
        lines.append("")
        lines.append(f"[{c.kind}] {c.about}")
        for side in (c.first, c.second):
            doc = side.document
            where = (
                "?" if doc is None else (doc.id or doc.iri) + (f" ({doc.date})" if doc.date else "")
            )
            lines.append(f"  {side.claim} — {where}")
            if side.evidence:
                lines.append(f"    “{one_line(side.evidence)}”")
    return lines
