"""worksFor that needs no trigger word: titles, possessives, an article's officers.

"Xiaomi Chairman Lei Jun" and "Xiaomi's Wang" (a person after an
organization, with or without a title), "Yasser Arafat's Fatah movement" (a
person owning an organization's name leads it), and "said Chairman Oliver S.
Travers" in an article about a company (:mod:`kg.extract.employers`).
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span

from kg.extract.arguments import Context
from kg.extract.context import TITLE_MODIFIERS
from kg.extract.employers import CONFIDENCE as OFFICER_CONFIDENCE
from kg.extract.employers import officers
from kg.extract.entities import SPAN_KEY
from kg.extract.mentions import RawRelation
from kg.extract.titles import split_ended
from kg.types import coarse_class

__all__ = ["title_relations"]


def title_relations(
    ctx: Context, *, titles: frozenset[str], ending: frozenset[str]
) -> Iterator[RawRelation]:
    """worksFor from "Xiaomi Chairman Lei Jun" and "Xiaomi's Wang"; and from "Yasser
    Arafat's Fatah movement", whose possessor leads the organization; and from the
    officers of the article's company.

    ``titles`` are the words of titles (the lexicon's ``roleTitles``), ``ending``
    the words that end what a title states ("former").
    """
    yield from _led(ctx)
    yield from _officers(ctx, titles=titles, ending=ending)
    doc = ctx.doc
    roles = doc._.kg_roles or {}
    spans = list(doc.spans[SPAN_KEY])
    listed: tuple[int, int] | None = None  # (end of the last titled person, their employer)
    for index, span in enumerate(spans):
        if coarse_class(span.label_) != "Person":
            continue
        role = roles.get(span.start)
        begin = _title_start(span, role) if role else span.start
        employer = None
        if begin > 0:
            before = begin - 1
            if doc[before].text in {"'s", "’s"} and before > 0:
                before -= 1
            ref = ctx.at.get(before)
            if ref is not None and coarse_class(ctx.table[ref].label) == "Organization":
                employer = ref
        if employer is None and role and listed is not None:
            employer = _listed_employer(doc[listed[0] : begin], listed[1], titles)
        listed = (span.end, employer) if employer is not None and role else None
        if employer is None:
            continue
        sentence = doc[span.start].sent
        title, ended = split_ended(role, ending)
        yield RawRelation(
            head=index,
            tail=employer,
            predicate="worksFor",
            confidence=0.85 if role else 0.7,
            sentence=(sentence.start, sentence.end),
            trigger=role or "'s",
            status="ended" if ended else None,
            role=title,
        )


def _title_start(person: Span, role: str) -> int:
    """The first token of the title ``role`` in front of ``person``: "vice-president" is
    three tokens, "chief executive" two (the title's words when the text is not found)."""
    doc = person.doc
    begin = person.start
    while begin > 0 and len(doc[begin - 1 : person.start].text) <= len(role):
        begin -= 1
        if doc[begin : person.start].text == role:
            return begin
    return max(0, person.start - len(role.split()))


#: What may stand between two titled people of one list: "president Stephan Friedli,
#: vice-president Peter Balmer and director Georg Hoedle".
_LIST_GAPS = (",", "and", ", and")


def _listed_employer(gap: Span, employer: int, titles: frozenset[str]) -> int | None:
    """The employer of the titled person before ``gap`` when only a list's comma or "and"
    separates them: the organization in front of the list's first title holds for all.
    Title words the role left out ("vice-" of "vice-president") may end the gap."""
    words = [t.text for t in gap]
    while words and (words[-1] == "-" or words[-1].lower() in titles | TITLE_MODIFIERS):
        words.pop()
    return employer if " ".join(words).replace(" ,", ",") in _LIST_GAPS else None


def _officers(
    ctx: Context, *, titles: frozenset[str], ending: frozenset[str]
) -> Iterator[RawRelation]:
    """worksFor from "said Chairman Oliver S. Travers" in an article about a company
    (see :mod:`kg.extract.employers`)."""
    found = officers(ctx.doc, ctx.table, titles=titles, ending=ending)
    for person, employer, role, ended in found:
        sentence = ctx.doc[ctx.table[person].start].sent
        yield RawRelation(
            head=person,
            tail=employer,
            predicate="worksFor",
            confidence=OFFICER_CONFIDENCE,
            sentence=(sentence.start, sentence.end),
            trigger=role,
            status="ended" if ended else None,
            role=role,
        )


def _led(ctx: Context) -> Iterator[RawRelation]:
    """worksFor from a person owning an organization's name: "Arafat's Palestinian
    Authority"."""
    doc = ctx.doc
    for index, span in enumerate(doc.spans[SPAN_KEY]):
        if coarse_class(span.label_) != "Organization" or span.start < 2:
            continue
        if doc[span.start - 1].text not in {"'s", "’s"}:
            continue
        owner = ctx.at.get(span.start - 2)
        if owner is None or coarse_class(ctx.table[owner].label) != "Person":
            continue
        sentence = doc[span.start].sent
        yield RawRelation(
            head=owner,
            tail=index,
            predicate="worksFor",
            confidence=0.7,
            sentence=(sentence.start, sentence.end),
            trigger=doc[span.start - 1].text,
        )
