"""The records of ``kg extract`` and of a build's extractions.jsonl (CONTRACT.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from kg.atomic import write_atomic
from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.ontology import KGR_IRI
from kg.types import Extraction, Resolved, coarse_class

__all__ = [
    "extraction_records",
    "vars_of",
    "write_extractions",
]


#: Mention sources that refer to an entity without naming it.
_REFERENCES = frozenset({"coref", "demonym"})


def extraction_records(
    resolved: Iterable[Resolved],
    *,
    base: str = KGR_IRI,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[dict[str, object]]:
    """The ``kg extract`` records of CONTRACT.md, one per document.

    ``entities`` lists the named mentions (not pronouns, descriptions or
    nationality words); a relation stated through a reference ("the company",
    "Chinese") points at the nearest named mention of the same entity.
    ``relations`` lists those a build with ``min_confidence`` asserts (the
    default's, so that records scored by ``kg eval`` are what a build
    asserts; 0 lists every relation of ``resolved``).
    """
    records: list[dict[str, object]] = []
    for item in resolved:
        ex = item.extraction
        entities, index = _entity_records(item, base)
        relations = []
        for rel in ex.relations:
            if rel.confidence < min_confidence:
                continue
            head = _named(ex, item, rel.head, index)
            tail = _named(ex, item, rel.tail, index)
            if head is None or tail is None or entities[head]["node"] == entities[tail]["node"]:
                continue  # the graph states nothing of a node with itself
            record: dict[str, object] = {
                "head": head,
                "tail": tail,
                "predicate": rel.predicate,
                "confidence": rel.confidence,
                "evidence": list(rel.evidence),
            }
            qualifiers = {k: v for k, v in vars_of(rel.qualifiers).items() if v}
            if qualifiers:
                record["qualifiers"] = qualifiers
            relations.append(record)
        records.append(
            {
                "id": ex.article.id,
                "text": ex.article.text,
                "entities": entities,
                "relations": relations,
            }
        )
    return records


def _entity_records(item: Resolved, base: str) -> tuple[list[dict[str, object]], dict[int, int]]:
    """The entity records of an article (its named mentions), and each one's index by mention."""
    ex = item.extraction
    index: dict[int, int] = {}
    entities: list[dict[str, object]] = []
    for i, (mention, entity_id) in enumerate(zip(ex.mentions, item.entity_ids, strict=True)):
        if entity_id is None or mention.source in _REFERENCES:
            continue
        index[i] = len(entities)
        entities.append(
            {
                "start": mention.start,
                "end": mention.end,
                "text": mention.text,
                "type": coarse_class(mention.label),
                "class": mention.label,
                "node": base + entity_id,
            }
        )
    return entities, index


def write_extractions(resolved: Iterable[Resolved], path: Path, *, base: str = KGR_IRI) -> None:
    """Write a build's extractions.jsonl: the records of every relation of ``resolved``
    (:func:`extraction_records`), one JSON object a line, whole or not at all."""
    records = extraction_records(resolved, base=base, min_confidence=0)
    lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    write_atomic(path, lines.encode("utf-8"))


def vars_of(obj: object) -> dict[str, object]:
    """The fields of a slotted dataclass as a dict."""
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def _named(ex: Extraction, item: Resolved, i: int, index: dict[int, int]) -> int | None:
    if i in index:
        return index[i]
    entity = item.entity_ids[i]
    if entity is None:
        return None
    anchor = ex.mentions[i].start
    named = [j for j, e in enumerate(item.entity_ids) if e == entity and j in index]
    if not named:
        return None
    best = min(named, key=lambda j: (abs(ex.mentions[j].start - anchor), j))
    return index[best]
