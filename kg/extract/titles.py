"""A person's title as a relation's role, and whether the title says the role has ended.

The recognizer records the title in front of a name ("former chairman Ray
Williams": ``doc._.kg_roles``); an apposition gives one after it ("Andrew
Penman, chief executive of the Cancer Council"). "former", "ex-", "retired"
or "outgoing" in a title end what it states: the role is the title without
that word, and the status is ``ended``.
"""

from __future__ import annotations

from collections.abc import Collection

from spacy.tokens import Doc, Span, Token

__all__ = ["person_title", "split_ended", "title_phrase"]


def person_title(span: Span, titles: Collection[str]) -> str | None:
    """The title before ``span`` (the recognizer's) or in apposition to it, if any."""
    doc = span.doc
    roles = doc._.kg_roles or {}
    if span.start in roles:
        return str(roles[span.start])
    for child in span.root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.lower_ in titles:
            return title_phrase(child, titles)
    return None


def title_phrase(noun: Token, titles: Collection[str], *, leave: Collection[str] = ()) -> str:
    """A title noun with the title words in front of it ("chief executive officer"), the
    titles coordinated after it ("chairman and chief executive officer") and the rest of a
    hyphened word ("vice-president"), but not the words in ``leave``."""
    doc = noun.doc
    start, end = _first_title_word(noun, titles, leave), noun.i + 1
    for conj in sorted(noun.conjuncts, key=lambda t: t.i):
        if conj.i < end or conj.lower_ not in titles:
            continue
        gap = doc[end : _first_title_word(conj, titles, leave)]
        if all(t.lower_ in _COORDINATION or t.lower_ in titles for t in gap):
            end = conj.i + 1
    while start > 1 and _hyphen_at(doc, start - 1) and doc[start - 2].lower_ not in leave:
        start -= 2
    while end + 1 < len(doc) and _hyphen_at(doc, end):
        end += 2
    return doc[start:end].text


#: What may join two coordinated titles ("chairman and chief executive").
_COORDINATION = frozenset({"and", ","})


def _first_title_word(noun: Token, titles: Collection[str], leave: Collection[str]) -> int:
    """Where the title words in front of ``noun`` start (``noun`` itself without any)."""
    words = [
        t
        for t in noun.lefts
        if t.dep_ in {"compound", "amod"} and t.lower_ in titles and t.lower_ not in leave
    ]
    return min((w.i for w in words), default=noun.i)


def _hyphen_at(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is a hyphen inside a word ("vice-president")."""
    return (
        doc[i].text == "-"
        and not doc[i].whitespace_
        and i > 0
        and not doc[i - 1].whitespace_
        and i + 1 < len(doc)
        and doc[i + 1].is_alpha
    )


def split_ended(role: str | None, ending: Collection[str]) -> tuple[str | None, bool]:
    """The role without its ending words, and whether it had one.

    >>> split_ended("former Treasurer", {"former"})
    ('Treasurer', True)
    >>> split_ended("chairman", {"former"})
    ('chairman', False)
    """
    if not role:
        return role, False
    words = role.split()
    kept = [w for w in words if w.lower().rstrip("-") not in ending]
    if len(kept) == len(words) or not kept:
        return role, False
    return " ".join(kept), True
