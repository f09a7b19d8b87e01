"""The mention table and the token-level relations between its rows.

A doc's mention table lists its entity spans, then its coreference spans,
each pointing at the entity span it stands for (:func:`mention_table`).
:class:`RawRelation` relates two rows of it; the relation components
(:mod:`kg.extract.relations`, :mod:`kg.extract.classifier`) write them to
``doc._.kg_relations``.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kg.extract.entities import SPAN_KEY

__all__ = ["MentionRef", "RawRelation", "mention_spans", "mention_table"]


@dataclass(frozen=True, slots=True)
class RawRelation:
    """A relation between two mentions, as token indices of the doc.

    ``head``/``tail`` index the doc's mention table (entity spans first, then
    coreference spans, see :func:`mention_table`).
    """

    head: int
    tail: int
    predicate: str
    confidence: float
    sentence: tuple[int, int]  # token span of the evidence sentence
    trigger: str
    status: str | None = None
    date_text: str | None = None
    duration_text: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class MentionRef:
    """One row of the mention table: a token span and the entity span it stands for."""

    start: int
    end: int
    entity: int  # index into doc.spans["kg_entities"]
    label: str
    coref: bool


def mention_table(doc: Doc) -> list[MentionRef]:
    """Entity spans followed by coreference spans, each pointing at an entity span."""
    spans = list(doc.spans[SPAN_KEY])
    table = [MentionRef(s.start, s.end, i, s.label_, False) for i, s in enumerate(spans)]
    for start, end, antecedent in doc._.kg_coref or ():
        table.append(MentionRef(start, end, antecedent, spans[antecedent].label_, True))
    return table


def mention_spans(doc: Doc) -> list[Span]:
    """The rows of the mention table as spans: the entity spans, then each coreference
    span labelled with the class and gazetteer key of the entity span it stands for
    ("the company", "its" as the Company they refer to)."""
    spans = list(doc.spans[SPAN_KEY]) if SPAN_KEY in doc.spans else []
    found = list(spans)
    for start, end, antecedent in doc._.kg_coref or ():
        entity = spans[antecedent]
        found.append(Span(doc, start, end, label=entity.label_, kb_id=entity.kb_id_))
    return found
