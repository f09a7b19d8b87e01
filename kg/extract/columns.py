"""A doc's token attributes as plain lists, read from its arrays: no Token objects.

``for token in doc`` makes a :class:`~spacy.tokens.Token` per token and looks each
string attribute up in the vocab. The components' loops over every token of a doc,
which keep few of them, read these columns instead and make the tokens they keep.

>>> import spacy
>>> from spacy.attrs import IS_LOWER, ORTH
>>> doc = spacy.blank("en")("Acme sold it")
>>> strings(doc, ORTH), flags(doc, IS_LOWER)
(['Acme', 'sold', 'it'], [False, True, True])
"""

from __future__ import annotations

from spacy.attrs import LEMMA, POS
from spacy.parts_of_speech import NAMES as POS_NAMES
from spacy.tokens import Doc

#: Strings by hash (a hash is of its string, whichever the vocab), read once per process.
_STRINGS: dict[int, str] = {}
#: Lemma hash -> the lemma in lower case.
_LOWER_LEMMAS: dict[int, str] = {}


def strings(doc: Doc, attr: int) -> list[str]:
    """Each token's string attribute ``attr`` (``ORTH``, ``LOWER``, ``TAG``, ``DEP``,
    ``LEMMA``...; ``POS``: its name), as ``token.text``, ``token.lower_``... give it."""
    if attr == POS:
        return [POS_NAMES[pos] for pos in doc.to_array(POS).tolist()]
    return hashed(doc, doc.to_array(attr).tolist())


def hashed(doc: Doc, keys: list[int]) -> list[str]:
    """The strings of ``keys`` (hashes of the doc's vocab)."""
    store = doc.vocab.strings
    found = _STRINGS
    out = []
    for key in keys:
        text = found.get(key)
        if text is None:
            text = found[key] = store[key]
        out.append(text)
    return out


def lower_lemmas(doc: Doc, keys: list[int] | None = None) -> list[str]:
    """Each token's ``token.lemma_.lower()`` (``keys``: the LEMMA column, if read already)."""
    store = doc.vocab.strings
    found = _LOWER_LEMMAS
    out = []
    for key in doc.to_array(LEMMA).tolist() if keys is None else keys:
        text = found.get(key)
        if text is None:
            text = found[key] = store[key].lower()
        out.append(text)
    return out


def flags(doc: Doc, attr: int) -> list[bool]:
    """Each token's boolean attribute ``attr`` (``IS_LOWER``, ``IS_SPACE``, ``LIKE_NUM``...)."""
    return [bool(value) for value in doc.to_array(attr).tolist()]


__all__ = ["flags", "hashed", "lower_lemmas", "strings"]
