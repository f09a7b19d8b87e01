"""Relation and qualifier scores against the seed gold.

Gold relations stated by several documents are merged into one fact; a
predicted triple matches a fact through its nodes' gold entities. The
confidences of the scored triples feed the calibration.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib.term import Node

from kg.eval.calibration import RatedTriple, calibrate
from kg.eval.matching import GraphView, Matcher, kgo_term, literal_decimal, local_name
from kg.eval.scores import Finding, Ratio, Score, Tally
from kg.eval.seeds_gold import QUALIFIER_PROPERTIES, GoldRelation, gold_evidence
from kg.ontology import (
    CORE_PREDICATES,
    KGO,
    SYMMETRIC_PREDICATES,
    normalize_name,
)

__all__ = [
    "score_relations",
]


_DATE_QUALIFIERS = frozenset({"date", "start", "end"})


@dataclass(frozen=True, slots=True)
class _Fact:
    """A gold relation after merging the documents that state it."""

    subject: str
    predicate: str
    object: str
    optional: bool
    patterns: tuple[tuple[str, str, str], ...]  # main triple first, then alternatives
    qualifiers: tuple[tuple[str, str], ...]
    evidence: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}"


def _fact_key(subject: str, predicate: str, obj: str) -> tuple[str, str, str]:
    if predicate in SYMMETRIC_PREDICATES and obj < subject:
        subject, obj = obj, subject
    return (subject, predicate, obj)


def _merge_facts(relations: Sequence[GoldRelation]) -> list[_Fact]:
    """One fact per (subject, predicate, object), in gold order, the union over documents."""
    groups: dict[tuple[str, str, str], list[GoldRelation]] = {}
    for rel in relations:
        groups.setdefault(_fact_key(rel.subject, rel.predicate, rel.object), []).append(rel)
    facts = []
    for rels in groups.values():
        first = rels[0]
        patterns = dict.fromkeys(
            [(first.subject, first.predicate, first.object)]
            + [alt for rel in rels for alt in rel.alternatives]
        )
        qualifiers: dict[str, str] = {}
        for rel in rels:
            for key, value in rel.qualifiers:
                qualifiers.setdefault(key, value)
        evidence = tuple(e for rel in rels for e in gold_evidence(rel.doc, rel.evidence))
        facts.append(
            _Fact(
                subject=first.subject,
                predicate=first.predicate,
                object=first.object,
                optional=all(rel.optional for rel in rels),
                patterns=tuple(patterns),
                qualifiers=tuple(qualifiers.items()),
                evidence=evidence,
            )
        )
    return facts


def _date_matches(gold: str, predicted: str) -> bool:
    """Prefix match at the gold's precision: "2018-03" matches "2018-03" and "2018-03-15"."""
    gold, predicted = gold.strip(), predicted.strip()
    return predicted == gold or (predicted.startswith(gold) and predicted[len(gold)] == "-")


def _qualifier_matches(key: str, gold: str, value: Node) -> bool:
    text = local_name(value)
    if key in _DATE_QUALIFIERS:
        return _date_matches(gold, text)
    if key == "status":
        return text.strip().lower() == gold.strip().lower()
    if key == "role":
        return normalize_name(text) == normalize_name(gold)
    return text.strip() == gold.strip()  # duration: exact


Triple = tuple[Node, str, Node]  # subject node, core predicate name, object node


def score_relations(
    view: GraphView, matcher: Matcher, relations: Sequence[GoldRelation]
) -> dict[str, Any]:
    """Relation and qualifier scores, the part of a :class:`SeedsReport` they make."""
    facts = _merge_facts(relations)
    tally = Tally()
    judged = _judge_triples(view, matcher, facts, tally)
    misses, found_required = _count_facts(view, matcher, facts, judged.found, tally)
    qualifier_part = _score_qualifiers(view, facts, judged.found)
    by_predicate = tally.scores()
    return {
        "relations": Score(
            tp=sum(s.tp for _, s in by_predicate),
            fp=sum(s.fp for _, s in by_predicate),
            fn=sum(s.fn for _, s in by_predicate),
        ),
        "relations_by_predicate": by_predicate,
        "relations_redundant": judged.correct - found_required,
        "relations_optional": judged.optional,
        "relation_misses": tuple(misses),
        "relation_false_positives": tuple(judged.false_positives),
        "calibration": calibrate(judged.rated, required=sum(not f.optional for f in facts)),
        **qualifier_part,
    }


def _fact_matches(
    view: GraphView, matcher: Matcher, facts: Sequence[_Fact], triple: Triple
) -> list[int]:
    """The indices of the facts a predicted triple matches (either way round if symmetric)."""
    s, predicate, o = triple
    gs, go = matcher.gold_of(view, s), matcher.gold_of(view, o)
    index = matcher.index
    out = []
    for f, fact in enumerate(facts):
        for ps, pp, po in fact.patterns:
            if pp != predicate:
                continue
            si, oi = index[ps], index[po]
            if (si in gs and oi in go) or (
                predicate in SYMMETRIC_PREDICATES and si in go and oi in gs
            ):
                out.append(f)
                break
    return out


@dataclass
class _Judged:
    """What the predicted triples come to: the facts they find, and the triples to count."""

    found: dict[int, list[Triple]] = field(default_factory=lambda: defaultdict(list))
    correct: int = 0
    optional: int = 0
    false_positives: list[Finding] = field(default_factory=list)
    rated: list[RatedTriple] = field(default_factory=list)  # what relation precision counts


def _judge_triples(
    view: GraphView, matcher: Matcher, facts: Sequence[_Fact], tally: Tally
) -> _Judged:
    """Match every scored triple with the facts; tally and explain the false positives."""
    judged = _Judged()
    triples = _scored_triples(view)
    for key in sorted(triples):
        triple = triples[key]
        hits = _fact_matches(view, matcher, facts, triple)
        for f in hits:
            judged.found[f].append(triple)
        required = [f for f in hits if not facts[f].optional]
        if required or not hits:
            judged.rated.append(RatedTriple(_triple_confidence(view, triple), frozenset(required)))
        if required:
            judged.correct += 1
        elif hits:
            judged.optional += 1
        else:
            s, predicate, o = triple
            tally.add(predicate, fp=1)
            judged.false_positives.append(
                Finding(
                    item=f"{view.name(s)} {predicate} {view.name(o)}",
                    reason=_relation_fp_reason(view, matcher, triple),
                    evidence=view.evidence(_statements_of(view, triple)),
                )
            )
    return judged


def _count_facts(
    view: GraphView,
    matcher: Matcher,
    facts: Sequence[_Fact],
    found: Mapping[int, Sequence[Triple]],
    tally: Tally,
) -> tuple[list[Finding], int]:
    """Tally each required fact found or missed; the misses explained, and how many were found."""
    misses: list[Finding] = []
    found_required = 0
    for f, fact in enumerate(facts):
        if fact.optional:
            continue
        if found.get(f):
            found_required += 1
            tally.add(fact.predicate, tp=1)
        else:
            tally.add(fact.predicate, fn=1)
            misses.append(
                Finding(
                    item=fact.describe(),
                    reason=_relation_miss_reason(view, matcher, fact),
                    evidence=fact.evidence,
                )
            )
    return misses, found_required


def _scored_triples(view: GraphView) -> dict[tuple[str, str, str], tuple[Node, str, Node]]:
    """The predicted triples with a core predicate, one per symmetric pair, by a sortable key."""
    core: dict[Node, str] = {kgo_term(p): p for p in CORE_PREDICATES}
    triples: dict[tuple[str, str, str], tuple[Node, str, Node]] = {}
    for s, props in view.triples.by_subject.items():
        for p in props.keys() & core.keys():
            predicate = core[p]
            for o in props[p]:
                a, b = str(s), str(o)
                if predicate in SYMMETRIC_PREDICATES and b < a:
                    a, b = b, a
                if str(s) == a or (a, predicate, b) not in triples:  # stated both ways: a first
                    triples[(a, predicate, b)] = (s, predicate, o)
    return triples


def _triple_confidence(view: GraphView, triple: tuple[Node, str, Node]) -> Decimal | None:
    """The graph's confidence in a triple (either direction of a symmetric one).

    The ``kgo:confidence`` of its ``kgo:Fact`` when several documents state it,
    else the highest of its statements'; None when the graph gives none.
    """
    s, predicate, o = triple
    p = kgo_term(predicate)
    keys = [(s, p, o), (o, p, s)] if predicate in SYMMETRIC_PREDICATES else [(s, p, o)]
    facts = [view.facts[k] for k in keys if k in view.facts]
    if facts:
        return max(facts)
    stated = [
        confidence
        for statement in _statements_of(view, triple)
        for value in view.triples.objects(statement, KGO.confidence)
        if (confidence := literal_decimal(value)) is not None
    ]
    return max(stated, default=None)


def _statements_of(view: GraphView, triple: tuple[Node, str, Node]) -> list[Node]:
    s, predicate, o = triple
    p = kgo_term(predicate)
    stmts = list(view.statements.get((s, p, o), ()))
    if predicate in SYMMETRIC_PREDICATES:
        stmts += view.statements.get((o, p, s), ())
    return stmts


def _relation_fp_reason(view: GraphView, matcher: Matcher, triple: tuple[Node, str, Node]) -> str:
    s, _, o = triple
    parts = []
    for role, node in (("subject", s), ("object", o)):
        golds = sorted(matcher.gold_of(view, node))
        if golds:
            names = ", ".join(repr(matcher.entities[i].label) for i in golds)
            parts.append(f"{role} matches gold {names}")
        else:
            parts.append(f"{role} {view.describe(node)} matches no gold entity")
    return "no gold relation; " + "; ".join(parts)


def _relation_miss_reason(view: GraphView, matcher: Matcher, fact: _Fact) -> str:
    si, oi = matcher.index[fact.subject], matcher.index[fact.object]
    subjects = [n for n in view.nodes if si in matcher.gold_of(view, n)]
    objects = [n for n in view.nodes if oi in matcher.gold_of(view, n)]
    lacking = [
        f"no node for {label!r}"
        for label, nodes in ((fact.subject, subjects), (fact.object, objects))
        if not nodes
    ]
    if lacking:
        return "; ".join(lacking)
    seen = set()
    for s in subjects:
        for o in objects:
            for a, b in ((s, o), (o, s)):
                for p in view.triples.predicates(a, b):
                    seen.add(f"{view.name(a)} {local_name(p)} {view.name(b)}")
    if seen:
        return "both entities found; the graph links them as: " + "; ".join(sorted(seen))
    return "both entities found, but no triple links them"


def _score_qualifiers(
    view: GraphView,
    facts: Sequence[_Fact],
    found: Mapping[int, Sequence[tuple[Node, str, Node]]],
) -> dict[str, Any]:
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    errors: list[Finding] = []
    for f, fact in enumerate(facts):
        if fact.optional or not fact.qualifiers:
            continue
        stmts: list[Node] = []
        for triple in found.get(f, ()):
            stmts += _statements_of(view, triple)
        for key, gold_value in fact.qualifiers:
            total[key] += 1
            prop = kgo_term(QUALIFIER_PROPERTIES[key])
            values = sorted({v for st in stmts for v in view.triples.objects(st, prop)}, key=str)
            if any(_qualifier_matches(key, gold_value, v) for v in values):
                right[key] += 1
                continue
            if not found.get(f):
                reason = "relation not found"
            elif not stmts:
                reason = "relation found but it has no kgo:Statement"
            elif not values:
                reason = f"not given (kgo:{QUALIFIER_PROPERTIES[key]})"
            else:
                reason = "found " + ", ".join(repr(local_name(v)) for v in values)
            errors.append(
                Finding(
                    item=f"{fact.describe()}: {key} = {gold_value!r}",
                    reason=reason,
                    evidence=view.evidence(stmts) if stmts else fact.evidence,
                )
            )
    by_key = tuple((k, Ratio(right[k], total[k])) for k in sorted(total))
    return {
        "qualifiers": Ratio(sum(right.values()), sum(total.values())),
        "qualifiers_by_key": by_key,
        "qualifier_errors": tuple(errors),
    }
