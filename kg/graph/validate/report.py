"""What a check found: violations, the report, and its text and JSON forms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDFS, Literal, URIRef
from rdflib.term import Node

from kg.graph.records import Triple
from kg.graph.validate.shapes import REPORT_PREFIXES, XSD_STRING

__all__ = [
    "ValidationReport",
    "Violation",
    "format_report",
    "node_labels",
    "report_to_json",
    "short",
    "violation_key",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: which node broke which rule, on which property and value."""

    focus: Node
    shape: Node
    constraint: str  # the constraint component without its suffix: MinCount, Class...
    message: str
    path: Node | None = None
    value: Node | None = None

    @property
    def rule(self) -> str:
        """The shape's short name (``kgs:worksForRange``), or its IRI.

        >>> from kg.graph.validate.shapes import KGS
        >>> Violation(KGS.worksForRange, KGS.worksForRange, "Class", "m").rule
        'kgs:worksForRange'
        """
        return short(self.shape)

    def reason(self) -> str:
        """The violation in one line: message, rule, node and value.

        >>> from rdflib import Literal, URIRef
        >>> from kg.ontology import KGO
        >>> from kg.graph.validate.shapes import KGS
        >>> v = Violation(URIRef("https://example.org/st"), KGS.Confidence, "MaxInclusive",
        ...               "confidence in [0, 1]", KGO.confidence, Literal(2))
        >>> v.reason()
        'confidence in [0, 1] (kgs:Confidence on <https://example.org/st>, kgo:confidence 2)'
        """
        where = f"{self.rule} on {short(self.focus)}"
        if self.path is not None:
            where += f", {short(self.path)}"
            if self.value is not None:
                where += f" {short(self.value)}"
        return f"{self.message} ({where})"


@dataclass(frozen=True)
class ValidationReport:
    """The violations of a graph, how many triples were checked and how long it took."""

    violations: tuple[Violation, ...]
    triples: int
    seconds: float = 0.0
    labels: dict[Node, str] = field(default_factory=dict)  # names of the nodes it mentions

    @property
    def conforms(self) -> bool:
        """True when nothing breaks a shape."""
        return not self.violations

    def by_rule(self) -> list[tuple[str, str, list[Violation]]]:
        """(rule, message, violations) groups, the biggest first, then by rule name."""
        groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[(v.rule, v.message)].append(v)
        order = sorted(groups, key=lambda k: (-len(groups[k]), k))
        return [(rule, message, groups[(rule, message)]) for rule, message in order]


def short(term: Node) -> str:
    """A term as a report shows it: a prefixed name, an IRI in <>, a literal's text.

    >>> from rdflib import Literal, URIRef
    >>> from kg.ontology import KGO
    >>> short(KGO.worksFor), short(URIRef("https://example.org/x")), short(Literal("2.0"))
    ('kgo:worksFor', '<https://example.org/x>', '"2.0"')
    """
    if isinstance(term, URIRef):
        text = str(term)
        for namespace, prefix in REPORT_PREFIXES.items():
            if text.startswith(namespace) and "/" not in text[len(namespace) :]:
                return prefix + text[len(namespace) :]
        return f"<{text}>"
    if isinstance(term, Literal):
        if term.datatype is None or term.datatype == XSD_STRING:
            return f'"{term}"'
        return str(term)
    return str(term)


def violation_key(v: Violation) -> tuple[str, ...]:
    return (v.rule, str(v.focus), str(v.path or ""), str(v.value or ""), v.constraint, v.message)


def node_labels(triples: Iterable[Triple], violations: Iterable[Violation]) -> dict[Node, str]:
    """The plain-string labels of the nodes the violations name."""
    wanted = {n for v in violations for n in (v.focus, v.value) if isinstance(n, URIRef)}
    labels: dict[Node, str] = {}
    if not wanted:
        return labels
    for s, p, o in triples:
        if p == RDFS.label and s in wanted and isinstance(o, Literal) and not o.language:
            labels[s] = min(labels.get(s, str(o)), str(o))
    return labels


def format_report(report: ValidationReport, *, source: str = "the graph", limit: int = 10) -> str:
    """A readable report: a summary line, then each broken rule with its nodes.

    Each rule is a heading with its message and count; under it one line a
    violation: the node (with its label when it has one), the property and
    the value at fault (``(missing)`` when a required value is absent). At
    most ``limit`` lines a rule (0: all).

    >>> print(format_report(ValidationReport((), 12, 0.01)), end="")
    the graph conforms to the shapes: 12 triples checked in 0.0 s.
    """
    if report.conforms:
        return (
            f"{source} conforms to the shapes: {report.triples:,} triples checked "
            f"in {report.seconds:.1f} s.\n"
        )
    groups = report.by_rule()
    n = len(report.violations)
    lines = [
        f"{source} does not conform: {n:,} violation{'s' if n != 1 else ''} of "
        f"{len(groups)} rule{'s' if len(groups) != 1 else ''} ({report.triples:,} triples "
        f"checked in {report.seconds:.1f} s).",
    ]
    for rule, message, violations in groups:
        lines.append("")
        lines.append(f"{rule}: {message} [{violations[0].constraint}] ({len(violations):,})")
        shown = violations if not limit else violations[:limit]
        for v in shown:
            lines.append("  " + _describe(v, report.labels))
        if len(shown) < len(violations):
            lines.append(f"  ... and {len(violations) - len(shown):,} more")
    return "\n".join(lines) + "\n"


def _describe(v: Violation, labels: dict[Node, str]) -> str:
    def name(node: Node) -> str:
        label = labels.get(node)
        return f"{label} {short(node)}" if label else short(node)

    text = name(v.focus)
    if v.path is not None:
        text += f"  {short(v.path)}  "
        if v.value is not None and v.value != v.focus:
            text += name(v.value)
        elif v.constraint in {"MinCount", "QualifiedMinCount"}:
            text += "(missing)"
        else:
            text += "(too many)" if v.constraint == "MaxCount" else ""
    return text.rstrip()


def report_to_json(report: ValidationReport) -> dict[str, object]:
    """The report as a JSON-ready dict (``kg validate --format json``).

    >>> report_to_json(ValidationReport((), 3))["conforms"]
    True
    """
    return {
        "conforms": report.conforms,
        "triples": report.triples,
        "seconds": round(report.seconds, 3),
        "violations": [
            {
                "rule": v.rule,
                "constraint": v.constraint,
                "message": v.message,
                "focus": str(v.focus),
                "label": report.labels.get(v.focus),
                "path": None if v.path is None else str(v.path),
                "value": None if v.value is None else str(v.value),
            }
            for v in report.violations
        ],
    }
