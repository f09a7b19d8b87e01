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

from spacy.tokens import Doc, Token

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
