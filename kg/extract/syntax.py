"""Small walks over spaCy's dependency parse shared by the kg components.

>>> import spacy
>>> from spacy.tokens import Doc
>>> nlp = spacy.blank("en")
>>> doc = Doc(nlp.vocab, words=["Alongside", "Huawei", ",", "ZTE", "fell"],
...           heads=[4, 0, 4, 4, 4], deps=["prep", "nsubj", "punct", "nsubj", "ROOT"],
...           pos=["ADP", "PROPN", "PUNCT", "PROPN", "VERB"])
>>> is_subject(doc[1]), is_subject(doc[3])
(False, True)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
RELATIVE_PRONOUNS = frozenset({"that", "which", "who", "whom", "whose"})


def after_preposition(doc: Doc, start: int) -> bool:
    """Whether the token at ``start`` follows a preposition.

    The small model sometimes parses "Alongside Huawei, the agency banned ..."
    with Huawei as the subject; a word right after a preposition is not one.
    """
    return start > 0 and doc[start - 1].pos_ == "ADP" and doc[start - 1].dep_ in {"prep", "advmod"}


def is_subject(token: Token) -> bool:
    """A subject (not one misparsed after a preposition), or the possessor of one."""
    if token.dep_ == "poss":
        token = token.head
    return token.dep_ in SUBJECT_DEPS and not after_preposition(token.doc, token.left_edge.i)


def conjuncts(token: Token) -> list[Token]:
    """The token and the words coordinated after it ("India and China")."""
    return [token, *(c for c in token.conjuncts if c.i > token.i)]


def path_to(token: Token, ancestor: Token) -> list[Token] | None:
    """The tokens from ``token`` up to (not including) ``ancestor``; ``None`` if not an ancestor."""
    path = []
    while token.i != ancestor.i:
        path.append(token)
        if token.head.i == token.i:
            return None
        token = token.head
    return path


class EntityIndex:
    """A doc's named entities (``doc.ents``, read once), found by token range.

    ``doc.ents`` and ``Span.ents`` rebuild the entity spans from every token
    on each call, so asking them once per sentence or per clause takes time
    with the square of a document's length; this reads them once.
    """

    def __init__(self, doc: Doc, labels: Iterable[str] | None = None) -> None:
        wanted = None if labels is None else frozenset(labels)
        self.ents: list[Span] = [e for e in doc.ents if wanted is None or e.label_ in wanted]
        self.starts = [e.start for e in self.ents]

    def within(self, span: Span) -> list[Span]:
        """The entities of ``span``, as ``span.ents`` gives them: from the first that
        starts in it, while they end in it.

        >>> import spacy
        >>> nlp = spacy.blank("en")
        >>> doc = Doc(nlp.vocab, words=["Ann", "met", "Bo", ".", "Cy", "left"],
        ...           ents=["B-PERSON", "O", "B-PERSON", "O", "B-PERSON", "O"])
        >>> [e.text for e in EntityIndex(doc).within(doc[0:4])] == [e.text for e in doc[0:4].ents]
        True
        """
        found = []
        for ent in self.ents[bisect_left(self.starts, span.start) :]:
            if ent.end > span.end:
                break
            found.append(ent)
        return found

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The entities that share a token with [start, end), in order.

        >>> import spacy
        >>> nlp = spacy.blank("en")
        >>> doc = Doc(nlp.vocab, words=["in", "May", "2019", ".", "In", "June", "."],
        ...           ents=["O", "B-DATE", "I-DATE", "O", "O", "B-DATE", "O"])
        >>> [e.text for e in EntityIndex(doc).overlapping(2, 6)]
        ['May 2019', 'June']
        >>> EntityIndex(doc, ["TIME"]).overlapping(0, 7)
        []
        """
        first = bisect_left(self.starts, start)
        while first > 0 and self.ents[first - 1].end > start:
            first -= 1
        found = []
        for ent in self.ents[first:]:
            if ent.start >= end:
                break
            if ent.end > start:
                found.append(ent)
        return found
