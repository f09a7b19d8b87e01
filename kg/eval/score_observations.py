"""Figure scores against the seed gold: ``kgo:Observation`` nodes by entity, value and unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rdflib import Literal
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.eval.matching import GraphView, Matcher, kgo_term, literal_decimal, local_name
from kg.eval.scores import Finding, Ratio, Score
from kg.eval.seeds_gold import GoldObservation, gold_evidence
from kg.ontology import (
    KGO,
    normalize_name,
)

__all__ = [
    "score_observations",
]


_TOLERANCE = Decimal("1e-9")


def _decimal_equal(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b))


_OBS_ATTRIBUTES = ("metric", "period", "place", "segment", "source")


_OBS_PROPERTIES = {
    "metric": "metric",
    "period": "period",
    "place": "place",
    "segment": "segment",
    "source": "reportedBy",
}


Checks = dict[str, bool]  # attribute -> right


def score_observations(
    view: GraphView, matcher: Matcher, observations: Sequence[GoldObservation]
) -> dict[str, Any]:
    """Figure scores, the part of a :class:`SeedsReport` that observations make."""
    nodes = sorted(set(view.triples.subjects(RDF.type, KGO.Observation)), key=str)
    used: set[Node] = set()
    found = complete = 0
    right: dict[str, int] = defaultdict(int)
    checked: dict[str, int] = defaultdict(int)
    misses: list[Finding] = []
    errors: list[Finding] = []
    for obs in observations:
        candidates = _candidates(view, matcher, nodes, obs)
        where = f"{obs.subject} {obs.metric} = {obs.value} {obs.unit}"
        if not candidates:
            misses.append(
                Finding(
                    item=where,
                    reason="no kgo:Observation of this entity with this value and unit",
                    evidence=gold_evidence(obs.doc, obs.evidence),
                )
            )
            continue
        _, _, node, checks = min(candidates, key=lambda c: (c[0], c[1]))
        used.update(c[2] for c in candidates)
        found += 1
        complete += all(checks.values())
        for attr, ok in checks.items():
            checked[attr] += 1
            right[attr] += ok
        error = _attribute_error(view, obs, node, checks, where)
        if error is not None:
            errors.append(error)

    false_positives = [
        Finding(
            item=_describe_observation(view, node),
            reason="matches no gold observation (entity, value and unit)",
            evidence=_observation_evidence(view, node),
        )
        for node in nodes
        if node not in used
    ]
    total = len(observations)
    return {
        "observations": Score(tp=found, fp=len(false_positives), fn=total - found),
        "observations_complete": Ratio(complete, total),
        "observation_attributes": tuple(
            (a, Ratio(right[a], checked[a])) for a in _OBS_ATTRIBUTES if checked[a]
        ),
        "observation_misses": tuple(misses),
        "observation_errors": tuple(errors),
        "observation_false_positives": tuple(false_positives),
    }


def _entity_ok(view: GraphView, matcher: Matcher, value: Node | None, label: str) -> bool:
    """Whether a node (or a literal name) stands for the gold entity ``label``."""
    if value is None:
        return False
    index = matcher.index[label]
    if isinstance(value, Literal):
        keys = {normalize_name(n) for n in matcher.entities[index].names}
        return normalize_name(str(value)) in keys
    return index in matcher.gold_of(view, value)


def _attribute_checks(
    view: GraphView, matcher: Matcher, obs: GoldObservation, node: Node
) -> Checks:
    """Which of the attributes the gold gives the observation node has right."""
    g = view.triples
    checks = {"metric": any(local_name(m) == obs.metric for m in g.objects(node, KGO.metric))}
    if obs.period is not None:
        checks["period"] = any(
            str(p).strip() == obs.period.strip() for p in g.objects(node, KGO.period)
        )
    if obs.place is not None:
        checks["place"] = any(
            _entity_ok(view, matcher, p, obs.place) for p in g.objects(node, KGO.place)
        )
    if obs.segment is not None:
        checks["segment"] = any(
            normalize_name(str(x)) == normalize_name(obs.segment)
            for x in g.objects(node, KGO.segment)
        )
    if obs.source is not None:
        checks["source"] = any(
            _entity_ok(view, matcher, x, obs.source) for x in g.objects(node, KGO.reportedBy)
        )
    return checks


def _candidates(
    view: GraphView, matcher: Matcher, nodes: Sequence[Node], obs: GoldObservation
) -> list[tuple[int, str, Node, Checks]]:
    """The observation nodes of the gold's entity, value and unit, sortable best first."""
    g = view.triples
    candidates = []
    for node in nodes:
        if not any(
            _entity_ok(view, matcher, e, obs.subject) for e in g.objects(node, KGO.observedEntity)
        ):
            continue
        if not any(
            (v := literal_decimal(x)) is not None and _decimal_equal(v, obs.value)
            for x in g.objects(node, KGO.value)
        ):
            continue
        if not any(
            local_name(u).casefold() == obs.unit.casefold() for u in g.objects(node, KGO.unit)
        ):
            continue
        checks = _attribute_checks(view, matcher, obs, node)
        candidates.append((-sum(checks.values()), str(node), node, checks))
    return candidates


def _attribute_error(
    view: GraphView, obs: GoldObservation, node: Node, checks: Checks, where: str
) -> Finding | None:
    """The finding for a found observation with attributes wrong or missing, if any."""
    wrong = [attr for attr in _OBS_ATTRIBUTES if attr in checks and not checks[attr]]
    if not wrong:
        return None
    details = []
    for attr in wrong:
        prop = kgo_term(_OBS_PROPERTIES[attr])
        seen = sorted(view.name(v) for v in view.triples.objects(node, prop))
        details.append(f"{attr} (gold {getattr(obs, attr)!r}, graph {seen or 'none'})")
    return Finding(
        item=where,
        reason=f"found as <{node}>, but wrong or missing: {'; '.join(details)}",
        evidence=_observation_evidence(view, node),
    )


def _describe_observation(view: GraphView, node: Node) -> str:
    g = view.triples
    subject = ", ".join(sorted(view.name(e) for e in g.objects(node, KGO.observedEntity)))
    metric = ", ".join(sorted(local_name(m) for m in g.objects(node, KGO.metric)))
    value = ", ".join(sorted(str(v) for v in g.objects(node, KGO.value)))
    unit = ", ".join(sorted(local_name(u) for u in g.objects(node, KGO.unit)))
    return f"{subject or '?'} {metric or '?'} = {value or '?'} {unit or '?'} <{node}>"


def _observation_evidence(view: GraphView, node: Node) -> tuple[str, ...]:
    return view.evidence([node])
