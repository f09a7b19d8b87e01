"""worksFor for an officer the article names without the organization in the sentence.

Business news introduces a company and then quotes its people by title alone:
"Allegheny International Inc said ... 'We are pleased,' said Chairman Oliver
S. Travers." The officer works for the company the article is about. That
company is taken to be the article's leading organization: named before the
officer's sentence, more often than any other organization, at least twice.
Only titles that are held in a company (chairman, president, chief executive,
spokesman...) count, only for people the gazetteer does not know (a head of
state is a "President" too), and only where the sentence names no
organization but the company itself ("Advanced also said it has named executive
vice president Steven B. Sheppard"; the parse reads the others).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Span

from kg.extract.entities import SPAN_KEY
from kg.extract.mentions import MentionRef
from kg.extract.titles import person_title, split_ended
from kg.types import coarse_class

__all__ = ["OFFICER_TITLES", "leading_organization", "officers"]

#: Last words of titles held in a company ("chief executive officer", "vice president").
OFFICER_TITLES = frozenset(
    {
        "chairman",
        "chairwoman",
        "president",
        "officer",
        "executive",
        "ceo",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "treasurer",
    }
)
#: Classes of organizations that have officers in this sense (a committee's "President
#: Reagan" does not work for it).
_EMPLOYERS = frozenset({"Company", "MediaOrganization"})
#: How sure the rule is, before calibration (:class:`kg.extract.relation_model.Calibration`).
CONFIDENCE = 0.6


def leading_organization(table: Sequence[MentionRef], spans: Sequence[Span]) -> int | None:
    """The entity span of the organization the article names most often (at least twice,
    more often than any other), counting its short forms ("Allegheny") and references."""
    names = {
        ref.entity: _name(spans[ref.entity]) for ref in table if _organization(spans[ref.entity])
    }
    employers = {name for entity, name in names.items() if _employer(spans[entity])}
    counts: Counter[str] = Counter(names[ref.entity] for ref in table if ref.entity in names)
    for short in list(counts):  # "Advanced" (typed only Organization) of the company's name
        longer = [n for n in counts if n != short and n.startswith(short + " ")]
        if len(longer) == 1:
            counts[longer[0]] += counts.pop(short)
    ranked = Counter({n: c for n, c in counts.items() if n in employers}).most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return min(entity for entity, name in names.items() if name == ranked[0][0])


def officers(
    doc: Doc, table: Sequence[MentionRef], *, titles: frozenset[str], ending: frozenset[str]
) -> Iterator[tuple[int, int, str, bool]]:
    """(person, organization, role, ended) for each officer named by title alone in a
    sentence that names no organization but the article's leading one, after it.
    ``titles`` are the words of titles, ``ending`` those that end one ("former")."""
    spans = list(doc.spans[SPAN_KEY])
    leader = leading_organization(table, spans)
    if leader is None:
        return
    leader_name = _name(spans[leader])
    sentences_with_organizations = {  # other than the leader: "Allegheny named Chairman X"
        doc[ref.start].sent.start
        for ref in table
        if _organization(spans[ref.entity])
        and not f"{leader_name} ".startswith(f"{_name(spans[ref.entity])} ")
    }
    for index, span in enumerate(spans):
        if span.label_ != "Person" or span.kb_id_ or span.start <= spans[leader].start:
            continue
        if span.sent.start in sentences_with_organizations:
            continue
        role, ended = split_ended(person_title(span, titles), ending)
        if role and role.split()[-1].lower() in OFFICER_TITLES:
            yield index, leader, role, ended


def _organization(span: Span) -> bool:
    return coarse_class(span.label_) == "Organization"


def _employer(span: Span) -> bool:
    return span.label_ in _EMPLOYERS


def _name(span: Span) -> str:
    return " ".join(t.text for t in span if t.text[:1].isalnum()).casefold()
