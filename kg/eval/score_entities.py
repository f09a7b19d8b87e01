"""Entity scores against the seed gold: precision and recall per class, duplicates, wrong merges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from kg.eval.matching import SCORED_COARSE, GraphView, Matcher, NodeInfo
from kg.eval.scores import Finding, Ratio, Score, Tally
from kg.eval.seeds_gold import GoldEntity
from kg.eval.seeds_report import EntityIdentity
from kg.ontology import (
    normalize_name,
)
from kg.types import coarse_class

__all__ = [
    "score_entities",
]


Claimed = dict[int, list[tuple[int, str, NodeInfo]]]  # gold index -> (rank, IRI, node)


def score_entities(
    view: GraphView, matcher: Matcher, entities: Sequence[GoldEntity]
) -> dict[str, Any]:
    """Entity scores, the part of a :class:`SeedsReport` that entities make."""
    coarse_tally, class_tally = Tally(), Tally()
    false_positives: list[Finding] = []
    claimed = _claim(view, matcher, coarse_tally, class_tally, false_positives)
    agreement = _credit(entities, claimed, coarse_tally, class_tally, false_positives)
    misses = [
        _entity_miss(view, matcher, i, e)
        for i, e in enumerate(entities)
        if e.coarse in SCORED_COARSE and not e.optional and i not in claimed
    ]
    overall = Score(
        tp=sum(s.tp for _, s in coarse_tally.scores()),
        fp=sum(s.fp for _, s in coarse_tally.scores()),
        fn=sum(s.fn for _, s in coarse_tally.scores()),
    )
    false_positives.sort(key=lambda f: f.item)
    return {
        "entities": overall,
        "entities_by_coarse": coarse_tally.scores(),
        "entities_by_class": class_tally.scores(),
        "entity_class_agreement": agreement,
        "entity_misses": tuple(misses),
        "entity_false_positives": tuple(false_positives),
        **_score_identity(view, matcher, entities, claimed),
    }


def _claim(
    view: GraphView,
    matcher: Matcher,
    coarse_tally: Tally,
    class_tally: Tally,
    false_positives: list[Finding],
) -> Claimed:
    """Each node in scope claims the gold entity it matches best; the others are false positives."""
    claimed: Claimed = defaultdict(list)
    for info in sorted(view.nodes.values(), key=lambda n: str(n.node)):
        if not info.in_scope:
            continue
        ranked = matcher.ranked(info)
        if not ranked:
            coarse = coarse_class(info.fine)
            coarse_tally.add(coarse, fp=1)
            class_tally.add(info.fine, fp=1)
            false_positives.append(
                Finding(
                    item=info.describe(),
                    reason="matches no gold entity of its coarse class",
                    evidence=tuple(f"mentioned in {d}" for d in info.docs),
                )
            )
            continue
        rank, index = ranked[0]
        claimed[index].append((rank, str(info.node), info))
    return claimed


def _credit(
    entities: Sequence[GoldEntity],
    claimed: Claimed,
    coarse_tally: Tally,
    class_tally: Tally,
    false_positives: list[Finding],
) -> Ratio:
    """Count each required gold entity found or missed, its extra nodes as duplicates.

    Returns the share of found entities whose best node has the gold's exact class.
    """
    agreement = Ratio()
    for index, entity in enumerate(entities):
        in_scope = entity.coarse in SCORED_COARSE and not entity.optional
        nodes = sorted(claimed.get(index, ()), key=lambda t: (t[0], t[1]))
        if not in_scope:
            continue  # optional (or out-of-scope) gold: neither hits nor misses
        if not nodes:
            coarse_tally.add(entity.coarse, fn=1)
            class_tally.add(entity.cls, fn=1)
            continue
        best = nodes[0][2]
        coarse_tally.add(entity.coarse, tp=1)
        class_tally.add(entity.cls, tp=1)
        agreement = Ratio(agreement.right + (best.fine == entity.cls), agreement.total + 1)
        for _, _, dup in nodes[1:]:
            coarse_tally.add(coarse_class(dup.fine), fp=1)
            class_tally.add(dup.fine, fp=1)
            false_positives.append(
                Finding(
                    item=dup.describe(),
                    reason=f"duplicate of {best.describe()} for gold {entity.label!r}",
                    evidence=tuple(f"mentioned in {d}" for d in dup.docs),
                )
            )
    return agreement


def _required(entity: GoldEntity) -> bool:
    """Whether a gold entity is scored: not optional, and of one of the four coarse classes."""
    return entity.coarse in SCORED_COARSE and not entity.optional


def _score_identity(
    view: GraphView,
    matcher: Matcher,
    entities: Sequence[GoldEntity],
    claimed: Mapping[int, Sequence[tuple[int, str, NodeInfo]]],
) -> dict[str, Any]:
    """Duplicated gold entities and wrongly merged nodes (see :class:`EntityIdentity`).

    ``claimed`` gives, per gold index, the (rank, IRI, node) of the nodes that
    match it best, as entity precision credits them.
    """
    duplicated = {
        i: [info for _, _, info in sorted(nodes, key=lambda t: (t[0], t[1]))]
        for i, nodes in sorted(claimed.items())
        if _required(entities[i]) and len(nodes) > 1
    }
    merges = []
    for info in sorted(view.nodes.values(), key=lambda n: str(n.node)):
        if not info.in_scope:
            continue
        golds = sorted(i for _, i in matcher.ranked(info) if _required(entities[i]))
        if len(golds) > 1:
            merges.append(_wrong_merge_finding(info, [entities[i] for i in golds]))
    identity = EntityIdentity(
        gold_entities=sum(_required(e) for e in entities),
        duplicated=len(duplicated),
        extra_nodes=sum(len(nodes) - 1 for nodes in duplicated.values()),
        wrong_merges=len(merges),
    )
    return {
        "identity": identity,
        "entity_duplicates": tuple(
            _duplicate_finding(entities[i], nodes) for i, nodes in duplicated.items()
        ),
        "entity_wrong_merges": tuple(merges),
    }


def _duplicate_finding(entity: GoldEntity, nodes: Sequence[NodeInfo]) -> Finding:
    """A gold entity with several nodes: the nodes, best match first, and their documents."""
    return Finding(
        item=f"{entity.label!r} [{entity.cls}]",
        reason=f"{len(nodes)} nodes: " + "; ".join(n.describe() for n in nodes),
        evidence=tuple(f"{n.describe()} mentioned in {', '.join(n.docs)}" for n in nodes if n.docs),
    )


def _wrong_merge_finding(info: NodeInfo, golds: Sequence[GoldEntity]) -> Finding:
    """A node matching several gold entities: each, with the node's names that match it."""
    parts = []
    for entity in golds:
        keys = {normalize_name(n) for n in entity.names}
        names = ", ".join(repr(n) for n in info.names if normalize_name(n) in keys)
        parts.append(f"{entity.label!r} [{entity.cls}] by {names}")
    return Finding(
        item=info.describe(),
        reason=f"one node for {len(golds)} gold entities: " + "; ".join(parts),
        evidence=tuple(f"mentioned in {d}" for d in info.docs),
    )


def _entity_miss(view: GraphView, matcher: Matcher, index: int, entity: GoldEntity) -> Finding:
    """Explain a missed entity: no node by any of its names, or one of the wrong class."""
    keys = {normalize_name(n) for n in entity.names}
    same_name = sorted(
        info.describe()
        for info in view.nodes.values()
        if info.in_scope and any(normalize_name(n) in keys for n in info.names)
    )
    if not same_name:
        reason = "no node has any of its names"
    elif any(index in matcher.gold_of(view, info.node) for info in view.nodes.values()):
        reason = "its nodes matched another gold entity better"
    else:
        reason = "nodes with its name have another coarse class: " + "; ".join(same_name)
    return Finding(
        item=f"{entity.label!r} [{entity.cls}]",
        reason=reason,
        evidence=(f"names: {', '.join(entity.names)}",),
    )
