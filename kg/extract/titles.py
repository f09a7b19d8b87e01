"""A person's title as a relation's role, and whether the title says the role has ended.

The recognizer records the title in front of a name ("former chairman Ray
Williams": ``doc._.kg_roles``); an apposition gives one after it ("Andrew
Penman, chief executive of the Cancer Council"). "former", "ex-", "retired"
or "outgoing" in a title end what it states: the role is the title without
that word, and the status is ``ended``.
"""

from __future__ import annotations

from collections.abc import Collection

from spacy.tokens import Span, Token

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
    """A title noun with the title words in front of it ("chief executive officer"), but
    not those in ``leave``."""
    words = [
        t
        for t in noun.lefts
        if t.dep_ in {"compound", "amod"} and t.lower_ in titles and t.lower_ not in leave
    ]
    start = min((w.i for w in words), default=noun.i)
    return noun.doc[start : noun.i + 1].text


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
