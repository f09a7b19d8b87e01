"""What ``kg validate`` and ``kg build`` tell people: a check's report, and what a build set aside.

:func:`check_text` checks a dataset with the shipped shapes (or a Turtle file
of others) and returns the report as text or JSON; :func:`quarantine_text`
lists the quarantine graph of a build by rule; :func:`quarantine_note` is the
one line ``kg build`` prints when it set triples aside.

>>> quarantine_text([])
'the graph has no quarantine: nothing was set aside.\\n'
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset, Graph

from kg.errors import ShapesError, count
from kg.graph.validate.graph_check import validate_graph
from kg.graph.validate.quarantine import QuarantinedTriple, quarantined
from kg.graph.validate.report import format_report, report_to_json, short

__all__ = ["check_text", "quarantine_note", "quarantine_text", "read_shapes"]


def read_shapes(path: Path) -> Graph:
    """SHACL shapes from a Turtle file.

    Raises:
        ShapesError: the file cannot be read or is not Turtle.
    """
    try:
        return Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as err:
        why = (str(err).strip().splitlines() or [type(err).__name__])[0].rstrip(":")
        raise ShapesError(f"{path}: cannot read the shapes ({why}). Give a Turtle file.") from None


def check_text(
    dataset: Dataset,
    *,
    shapes: Path | None = None,
    engine: str = "pyshacl",
    format: str = "text",
    source: str = "the graph",
    limit: int = 10,
) -> tuple[str, bool]:
    """Check ``dataset`` against the shapes; the report (text or JSON) and whether it conforms.

    The text report ends with a note when the build set triples aside in its
    quarantine graph.

    Raises:
        ShapesError: ``shapes`` cannot be read, or the shapes cannot be used.
    """
    custom = read_shapes(shapes) if shapes is not None else None
    try:
        report = validate_graph(dataset, shapes=custom, engine=engine)
    except ShapesError as err:
        raise ShapesError(f"{shapes or 'ontology/shapes.ttl'}: {err}") from err
    if format == "json":
        return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n", (
            report.conforms
        )
    text = format_report(report, source=source, limit=limit)
    held = quarantined(dataset)
    if held:
        text += (
            f"\nThe build set aside {count(len(held), 'triple')} in its quarantine graph "
            "(kg validate --quarantine lists them).\n"
        )
    return text, report.conforms


def quarantine_note(records: list[QuarantinedTriple]) -> str:
    """One line on what a build set aside, and where to read why."""
    graphs = {r.graph for r in records}
    rules = sorted({short(rule) for r in records for rule in r.rules})
    shown = ", ".join(rules[:4]) + (f" and {len(rules) - 4} more" if len(rules) > 4 else "")
    return (
        f"quarantined {count(len(records), 'triple')} of {count(len(graphs), 'graph')} "
        f"that break {shown}: they are "
        "in the graph <…/graph/quarantine> with the reason (kg validate --quarantine lists them)."
    )


def quarantine_text(records: list[QuarantinedTriple], format: str = "text", limit: int = 10) -> str:
    """The quarantine of a build: as JSON, or grouped by rule and reason, ``limit`` triples each."""
    if format == "json":
        rows = [
            {
                "graph": None if r.graph is None else str(r.graph),
                "triple": [str(t) for t in r.triple],
                "reasons": list(r.reasons),
                "rules": [str(x) for x in r.rules],
            }
            for r in records
        ]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if not records:
        return "the graph has no quarantine: nothing was set aside.\n"
    groups: dict[tuple[str, str], list[QuarantinedTriple]] = {}
    for record in records:
        rules = ", ".join(short(rule) for rule in record.rules) or "?"
        message = record.reasons[0].split(" (", 1)[0] if record.reasons else "?"
        groups.setdefault((rules, message), []).append(record)
    graphs = {r.graph for r in records}
    lines = [
        f"{count(len(records), 'triple')} of {count(len(graphs), 'graph')} set aside, by rule:"
    ]
    for (rules, message), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append("")
        lines.append(f"{rules}: {message} ({count(len(group), 'triple')})")
        group.sort(key=lambda r: (str(r.graph or ""), *(t.n3() for t in r.triple)))
        for r in group[: limit or None]:
            where = "default graph" if r.graph is None else short(r.graph)
            text = " ".join(" ".join(short(t).split()) for t in r.triple)
            lines.append(f"  {text if len(text) <= 160 else text[:157] + '...'}  [{where}]")
        if limit and len(group) > limit:
            lines.append(f"  ... and {len(group) - limit:,} more")
    return "\n".join(lines) + "\n"
