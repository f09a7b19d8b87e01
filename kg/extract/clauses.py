"""What the clause of a relation's trigger says besides the relation.

:func:`clause_chain` gives the trigger and the words that govern it within
its clause, from which the relation extractor reads modality and status;
:func:`copula_complements` and :func:`ended_by_head` add what a copula or
the trigger's own head says; :func:`clause_dates` finds the clause's date and
duration expressions.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from kg.extract.syntax import path_to
from kg.extract.temporal import resolve_duration

__all__ = [
    "DATE_LABELS",
    "DURATION_LABELS",
    "MAX_CLIMB",
    "clause_chain",
    "clause_dates",
    "copula_complements",
    "ended_by_head",
    "ended_by_modifier",
]

#: How many heads a walk up the parse climbs at most.
MAX_CLIMB = 6
DATE_LABELS = frozenset({"DATE", "TIME"})
#: Entities that may be a duration when "for" comes first ("for as many as seven years",
#: which the model may take for a number).
DURATION_LABELS = frozenset({"CARDINAL", "QUANTITY"})


def clause_chain(token: Token) -> list[Token]:
    """The trigger and the words that govern it within its clause, for modality and status.

    Climbs through complements and noun complements ("plans to expand its
    presence", "interest in entering") but not through adverbial
    prepositions ("aiming to enter ... after gaining success in").
    """
    chain = [token]
    current = token
    for _ in range(MAX_CLIMB):
        head = current.head
        if head.i == current.i:
            break
        dep = current.dep_
        infinitive = dep == "advcl" and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in current.children
        )
        if infinitive or dep in {
            "xcomp",
            "ccomp",
            "acl",
            "dobj",
            "nsubj",
            "nsubjpass",
            "attr",
            "conj",
            "relcl",
            "compound",
        }:
            current = head
        elif dep in {"pobj", "pcomp"} and head.head.pos_ in {"NOUN", "PROPN"}:
            current = head.head
        else:
            break
        if dep == "nsubj" and token.pos_ in {"VERB", "AUX"}:
            break
        chain.append(current)
    return chain


def copula_complements(clause: Sequence[Token]) -> set[str]:
    """ "is yet to take place", "is in development to": what a copula of the clause says."""
    found: set[str] = set()
    for token in clause:
        if token.lemma_ != "be":
            continue
        for child in token.children:
            if child.dep_ in {"acomp", "attr", "advmod"}:
                found.add(child.lemma_.lower())
            elif child.dep_ == "prep":
                found |= {p.lemma_.lower() for p in child.children if p.dep_ == "pobj"}
    return found


def ended_by_head(token: Token, ending: frozenset[str]) -> bool:
    """ "the deal ... collapsed": the trigger noun is the subject of an ending verb."""
    return token.dep_ in {"nsubj", "nsubjpass"} and token.head.lemma_.lower() in ending


#: Dependencies by which a word qualifies a noun ("former chairman", "ex-partner").
_MODIFIERS = frozenset({"amod", "advmod", "compound"})


def ended_by_modifier(noun: Token, ending: frozenset[str]) -> bool:
    """ "the former chairman of Acme": a word of ``ending`` qualifies the noun."""
    return any(c.lower_ in ending for c in noun.children if c.dep_ in _MODIFIERS)


def clause_dates(
    doc: Doc, clause: Sequence[Token], dates: Sequence[Span]
) -> tuple[str | None, str | None]:
    """The date and duration expressions attached to the clause's words.

    ``dates`` are the DATE and TIME entities that can reach them: those of
    the clause's sentence (a dependency path never leaves a sentence).
    """
    date_text = duration_text = None
    for head in clause:
        for ent in dates:
            root = ent.root
            path = path_to(root, head)
            if (
                path is None
                or len(path) > 4
                or any(
                    t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"pcomp", "xcomp"} for t in path[1:]
                )
            ):
                continue
            text = doc[max(ent.start - 1, 0) : ent.end].text
            after_for = ent.start > 0 and doc[ent.start - 1].lower_ == "for"
            if ent.label_ in DURATION_LABELS:
                if after_for and resolve_duration(text):
                    duration_text = duration_text or text
            elif after_for:
                duration_text = duration_text or text
            else:
                date_text = date_text or text
        if date_text:
            break
    return date_text, duration_text
