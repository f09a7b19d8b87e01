"""The gazetteer's phrase matcher, its patterns tokenized once and kept in the user's cache.

Tokenizing the gazetteer's thousands of names was most of the time the
entity component took to load, every time a pipeline was made (``kg add`` of
one article, every build). A phrase pattern matched on ``ORTH`` is only the
sequence of its tokens' text hashes, so those sequences are kept
(:mod:`kg.cache`) under a digest of what they depend on: spaCy's version, the
tokenizer's rules and the names themselves. The matcher made from kept
sequences is the one tokenizing gives: same rules, same patterns, added in
the same order.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from kg.cache import cache_key, read_cached, write_cached

__all__ = ["CACHE_KIND", "phrase_matcher", "phrases_key"]

#: The kind of cache file (:mod:`kg.cache`) the patterns are kept in.
CACHE_KIND = "phrases"

Patterns = list[tuple[int, ...]]


def phrase_matcher(nlp: Language, surfaces: Sequence[str]) -> PhraseMatcher:
    """A ``PhraseMatcher`` on ``ORTH`` with one rule per surface form, named by it.

    Each surface's pattern is the surface as ``nlp``'s tokenizer splits it,
    read from the cache when it holds them for these surfaces and this
    tokenizer (else tokenized, and kept for the next time).

    >>> matcher = phrase_matcher(spacy.blank("en"), ["New York", "York"])
    >>> doc = spacy.blank("en")("from New York")
    >>> [(doc.vocab.strings[m], s, e) for m, s, e in matcher(doc)]
    [('New York', 1, 3), ('York', 2, 3)]
    """
    key = phrases_key(nlp, surfaces)
    patterns = _decode(read_cached(CACHE_KIND, key), len(surfaces)) if key else None
    if patterns is None:
        tokenizer: Any = nlp.tokenizer  # a Tokenizer; spaCy types it as a callable
        # As make_doc does, in one batch: 2x faster.
        patterns = [tuple(t.orth for t in doc) for doc in tokenizer.pipe(surfaces)]
        if key:
            write_cached(CACHE_KIND, key, _encode(patterns))
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    # spaCy's stub wants Docs; the matcher keeps and takes their ORTH hashes (as its pickle does).
    add: Any = matcher.add
    for surface, pattern in zip(surfaces, patterns, strict=True):
        add(surface, [pattern])
    return matcher


def phrases_key(nlp: Language, surfaces: Sequence[str]) -> str | None:
    """The cache key of the patterns of ``surfaces`` under ``nlp``'s tokenizer (None: a
    tokenizer that cannot say what its rules are, whose patterns are not kept).

    >>> nlp = spacy.blank("en")
    >>> phrases_key(nlp, ["a", "b"]) == phrases_key(nlp, ["a", "b"]) != phrases_key(nlp, ["a"])
    True
    """
    tokenizer: Any = nlp.tokenizer
    if not hasattr(tokenizer, "to_bytes"):  # a custom tokenizer
        return None
    return cache_key(
        CACHE_KIND,
        spacy.__version__,
        sys.byteorder,
        tokenizer.to_bytes(exclude=["vocab"]),  # its rules: prefixes, exceptions, ...
        "\x00".join(surfaces),
    )


def _encode(patterns: Patterns) -> bytes:
    """The patterns as bytes: their count, their lengths (uint32) and their hashes (uint64)."""
    lengths = array("I", (len(p) for p in patterns))
    hashes = array("Q", (h for p in patterns for h in p))
    return len(patterns).to_bytes(8, "little") + lengths.tobytes() + hashes.tobytes()


def _decode(payload: bytes | None, count: int) -> Patterns | None:
    """The patterns :func:`_encode` wrote, if it wrote ``count`` of them; else None."""
    if payload is None or int.from_bytes(payload[:8], "little") != count:
        return None
    lengths = array("I")
    hashes = array("Q")
    split = 8 + count * lengths.itemsize
    try:
        lengths.frombytes(payload[8:split])
        hashes.frombytes(payload[split:])
    except ValueError:  # not a whole number of items
        return None
    if len(lengths) != count or sum(lengths) != len(hashes):
        return None
    patterns = []
    start = 0
    for length in lengths:
        patterns.append(tuple(hashes[start : start + length]))
        start += length
    return patterns
