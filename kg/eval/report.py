"""Evaluation reports as readable text or JSON (:func:`format_report`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from kg.errors import UnsupportedFormatError
from kg.eval.calibration import format_calibration
from kg.eval.conll_score import ConllReport
from kg.eval.scores import Finding, Ratio, Score
from kg.eval.seeds_report import EntityIdentity, SeedsReport

__all__ = [
    "format_report",
]


def _score_table(title: str, rows: Sequence[tuple[str, Score]]) -> list[str]:
    width = max([len(title), *(len(k) for k, _ in rows)])
    lines = [f"  {title:<{width}}  {'tp':>4} {'fp':>4} {'fn':>4}  {'P':>6} {'R':>6} {'F1':>6}"]
    for key, s in rows:
        lines.append(
            f"  {key:<{width}}  {s.tp:>4} {s.fp:>4} {s.fn:>4}"
            f"  {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    return lines


def _headline(name: str, s: Score) -> str:
    return (
        f"{name:<13} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
        f"   (tp {s.tp}, fp {s.fp}, fn {s.fn})"
    )


def _ratio(r: Ratio) -> str:
    return f"{r.right}/{r.total} ({r.value:.3f})"


def _findings(title: str, items: Sequence[Finding], limit: int | None) -> list[str]:
    if not items:
        return []
    lines = ["", f"{title} ({len(items)})"]
    shown = items if limit is None else items[:limit]
    for f in shown:
        lines.append(f"  - {f.item}: {f.reason}")
        lines.extend(f"      | {e}" for e in f.evidence)
    if len(shown) < len(items):
        lines.append(f"  ... {len(items) - len(shown)} more (use JSON output to see all)")
    return lines


def _identity_lines(identity: EntityIdentity) -> list[str]:
    """Duplicated gold entities and wrongly merged nodes, under the entity tables."""
    dup = Ratio(identity.duplicated, identity.gold_entities)
    return [
        f"  gold entities with duplicate nodes: {_ratio(dup)}, {identity.extra_nodes} extra nodes",
        f"  wrongly merged nodes (matching 2+ gold entities): {identity.wrong_merges}",
    ]


def _format_seeds_text(r: SeedsReport, limit: int | None) -> list[str]:
    lines = ["Evaluation against the seed gold standard", ""]
    lines.append(_headline("Entities", r.entities))
    lines += _score_table("coarse class", r.entities_by_coarse)
    lines += _score_table("class", r.entities_by_class)
    lines.append(f"  exact class of found entities: {_ratio(r.entity_class_agreement)}")
    lines += _identity_lines(r.identity)
    lines.append("")
    lines.append(_headline("Relations", r.relations))
    lines += _score_table("predicate", r.relations_by_predicate)
    lines.append(
        f"  redundant triples: {r.relations_redundant}; "
        f"triples matching optional facts only: {r.relations_optional}"
    )
    lines.append("")
    lines += format_calibration(r.calibration)
    lines.append("")
    lines.append(f"{'Qualifiers':<13} {_ratio(r.qualifiers)} present and right")
    lines += [f"  {k:<10} {_ratio(v)}" for k, v in r.qualifiers_by_key]
    lines.append("")
    lines.append(_headline("Observations", r.observations))
    found = r.observations.tp
    total = r.observations.tp + r.observations.fn
    lines.append(
        f"  found: {_ratio(Ratio(found, total))}; fully right: {_ratio(r.observations_complete)}"
    )
    lines += [f"  {k:<10} {_ratio(v)} of found" for k, v in r.observation_attributes]
    lines += _findings("Entity misses", r.entity_misses, limit)
    lines += _findings("Entity false positives", r.entity_false_positives, limit)
    lines += _findings("Duplicated entities", r.entity_duplicates, limit)
    lines += _findings("Wrongly merged nodes", r.entity_wrong_merges, limit)
    lines += _findings("Relation misses", r.relation_misses, limit)
    lines += _findings("Relation false positives", r.relation_false_positives, limit)
    lines += _findings("Qualifier misses", r.qualifier_errors, limit)
    lines += _findings("Observation misses", r.observation_misses, limit)
    lines += _findings("Observation attribute errors", r.observation_errors, limit)
    lines += _findings("Observation false positives", r.observation_false_positives, limit)
    return lines


def _format_conll_text(r: ConllReport, limit: int | None) -> list[str]:
    lines = [f"CoNLL04, strict end-to-end: {r.sentences} sentences", ""]
    if r.missing_records:
        lines.append(f"{r.missing_records} sentences had no prediction record (scored as empty)")
    if r.ignored_relations:
        lines.append(f"{r.ignored_relations} predicted relations with other predicates ignored")
    lines.append(_headline("Entities", r.entities))
    lines += _score_table("type", r.entities_by_type)
    lines.append("")
    lines.append(_headline("Relations", r.relations))
    lines += _score_table("predicate", r.relations_by_predicate)
    lines += _findings("Entity misses", r.entity_misses, limit)
    lines += _findings("Entity false positives", r.entity_false_positives, limit)
    lines += _findings("Relation misses", r.relation_misses, limit)
    lines += _findings("Relation false positives", r.relation_false_positives, limit)
    return lines


def format_report(
    report: SeedsReport | ConllReport, *, format: str = "text", limit: int | None = None
) -> str:
    """Render a report as readable text or as JSON.

    Args:
        report: from :func:`score_graph` or :func:`score_conll04`.
        format: "text" (tables of P/R/F1, then misses and false positives with
            their evidence) or "json" (every number and finding, sorted keys).
        limit: in text, show at most this many findings per list (None: all).

    Returns:
        The rendered report, ending with a newline.

    Raises:
        UnsupportedFormatError: ``format`` is neither "text" nor "json".

    >>> r = ConllReport(1, Score(1, 0, 1), (("Person", Score(1, 0, 1)),), Score(), ())
    >>> print(format_report(r).splitlines()[2])
    Entities      P 1.000  R 0.500  F1 0.667   (tp 1, fp 0, fn 1)
    >>> format_report(r, format="json").startswith('{\\n  "entities"')
    True
    """
    if format == "json":
        return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if format != "text":
        raise UnsupportedFormatError(
            f"report format {format!r} is not supported; use 'text' or 'json'."
        )
    if isinstance(report, SeedsReport):
        lines = _format_seeds_text(report, limit)
    else:
        lines = _format_conll_text(report, limit)
    return "\n".join(lines) + "\n"
