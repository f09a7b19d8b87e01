"""Where a name begins and ends in the text: repairs of the model's spans.

The statistical model's entity spans run on or stop short: a determiner in
front ("the Pentagon"), a possessive inside ("the Pentagon's Chinese Communist
Military Companies"), a connector cut ("District Court of" + "Columbia"), a
model number after a product ("Mi 11" + "Ultra"). These functions move the
boundaries; :class:`kg.extract.entities.EntityRecognizer` decides what the
spans are.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from kg.extract.context import POSSESSIVE
from kg.types import coarse_class

__all__ = [
    "CONNECTORS",
    "DETERMINERS",
    "MODEL_CODE",
    "MODEL_SUFFIXES",
    "TIME_ZONES",
    "cut_after_name_word",
    "cut_from_longer_name",
    "extend",
    "is_plural",
    "is_portfolio",
    "is_ticker",
    "split_possessives",
    "title_start",
    "trim",
]

#: Words that continue a product model name after its number ("Mi 11 Ultra").
MODEL_SUFFIXES = frozenset(
    [
        "Pro",
        "Max",
        "Ultra",
        "Plus",
        "Lite",
        "Mini",
        "mini",
        "SE",
        "Edge",
        "Note",
        "Fold",
        "Flip",
        "Neo",
        "Prime",
        "Air",
        "5G",
        "4G",
        "XL",
        "S",
        "FE",
    ]
)
#: A model code after a product line: "S21", "P40", "X5", "737", "A54s".
MODEL_CODE = re.compile(r"[A-Z]{0,3}\d{1,4}[A-Za-z]{0,3}")
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
_NOT_NAME_STARTS = frozenset({"ADP", "SCONJ", "CCONJ", "ADV", "AUX", "VERB"})
CONNECTORS = frozenset({"of", "for", "and", "&", "de", "on"})


def split_possessives(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Split "the Pentagon's Chinese Communist Military Companies" at the possessive, but
    not a name whose possessor is a plural ("National Coffee Growers' Federation",
    "People's Alliance Party"): a group of people owns the name, not another entity."""
    parts, begin = [], start
    for i in range(start, end):
        if (
            doc[i].text in POSSESSIVE
            and (len(doc[i]) > 1 or doc[i].whitespace_ or doc[i - 1].text[-1:] in {"s", "S"})
            and not (i > start and is_plural(doc[i - 1]))
        ):
            # "'s" always; a lone apostrophe only after a plural ("the Companies' "),
            # never inside a name ("O'Brien" tokenised "O", "'", "Brien").
            parts.append((begin, i))
            begin = i + 1
    parts.append((begin, end))
    return [(s, e) for s, e in parts if s < e]


def is_ticker(span: Span) -> bool:
    """Whether ``span`` is the stock symbol a wire puts after a company's name: "Citicorp
    <CCI>", "Honeywell Inc <HON>" (a symbol, not another organization)."""
    doc = span.doc
    return (
        span.start >= 2
        and span.end < len(doc)
        and doc[span.start - 1].text == "<"
        and doc[span.end].text in {">", ")"}
        and doc[span.start - 2].pos_ == "PROPN"
        and all(c.isupper() or c in "." for c in span.text)
    )


def is_portfolio(doc: Doc, end: int) -> bool:
    """Whether the name ending at ``end`` is a minister's portfolio ("Primary Industries
    Minister", "Home Affairs Ministers"), or the start of one the model cut short ("New
    South Wales Emergency" of "New South Wales Emergency Services Minister"), or of a
    secretary ("British Home" of "British Home Secretary"; not "Party Secretary")."""
    if end < len(doc) and doc[end].text in _SECRETARIES and end > 0:
        return doc[end - 1].text in _SECRETARY_PORTFOLIOS
    for token in doc[end : end + _PORTFOLIO_WORDS + 1]:
        if token.text in _MINISTERS:
            return True
        if not (token.is_title and token.is_alpha):
            return False
    return False


_MINISTERS = frozenset({"Minister", "Ministers"})
_SECRETARIES = frozenset({"Secretary", "Secretaries"})
#: Last words of the portfolios of secretaries of state ("Home Secretary", "Treasury
#: Secretary"); not "Labor" or "Party": a party has a secretary too.
_SECRETARY_PORTFOLIOS = frozenset(
    ["Home", "Foreign", "Defence", "Defense", "Treasury", "Commerce", "Interior", "Health",
     "Education", "Energy", "Transportation", "Transport", "Agriculture", "Trade",
     "Environment", "Justice", "Security", "Culture", "Housing", "Navy", "Army", "Affairs"]
)  # fmt: skip
#: Words a portfolio may have after the model's cut ("Services Minister", "Affairs Minister").
_PORTFOLIO_WORDS = 3


def is_plural(token: Token) -> bool:
    """Whether ``token`` is a plural noun: by its tag, or by the form of the plurals of
    people's occupations that the tagger takes for names ("Growers", "Dealers")."""
    word = token.lower_
    return token.tag_ in {"NNS", "NNPS"} or word in _PLURAL_NOUNS or word.endswith(_GROUPS)


#: Plurals without a final "s", which the tagger often takes for singular names.
_PLURAL_NOUNS = frozenset({"people", "women", "men", "children"})
#: Endings of plural nouns for groups of people ("Growers", "Investors", "Scientists").
_GROUPS = ("ers", "ors", "ists", "ants", "ents")


def trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (
        doc[start].lower_ in DETERMINERS
        or doc[start].is_punct
        or doc[start].pos_ in _NOT_NAME_STARTS  # "Alongside Huawei" at a sentence's start
    ):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct):
        end -= 1
    return start, end


def extend(doc: Doc, start: int, end: int, cls: str) -> int:
    """Repair a span the model cut short ("District Court of" + "Columbia", "Mi 11" + "Ultra")."""
    if coarse_class(cls) == "Organization":
        while end < len(doc) and doc[end - 1].lower_ in CONNECTORS:
            nxt = end
            while nxt < len(doc) and doc[nxt].pos_ == "PROPN" and doc[nxt].text[:1].isupper():
                nxt += 1
            if nxt == end:
                return end - 1  # a dangling connector is not part of the name
            end = nxt
    else:
        while end - start > 1 and doc[end - 1].lower_ in CONNECTORS:
            end -= 1  # "Maria Lopez of": the model ran on into what follows
    if cls == "Product":
        while end < len(doc) and (
            doc[end].text in MODEL_SUFFIXES
            or (
                (doc[end].like_num or MODEL_CODE.fullmatch(doc[end].text))
                and doc[end].pos_ in {"NUM", "PROPN", "NOUN"}
                and doc[end - 1].pos_ in {"PROPN", "NUM"}
            )
        ):
            end += 1
    return end


#: Time zone abbreviations, which the model sometimes tags as organizations.
TIME_ZONES = frozenset(
    ["GMT", "UTC", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "BST", "CET", "CEST"]
)


def title_start(doc: Doc, end: int, titles: frozenset[str]) -> int:
    """Where the title words running up to ``end`` begin (``end`` when there are none);
    a word hyphened to a title ("vice-president", "co-founder") is part of it."""
    i = end
    while i > 0:
        if _title_word(doc[i - 1], titles):
            i -= 1
        elif i < end and i > 1 and doc[i - 1].text == "-" and _hyphened(doc[i - 2], titles):
            i -= 2
        else:
            break
    return i


def _title_word(token: Token, titles: frozenset[str]) -> bool:
    return token.lower_ in titles and (token.text[:1].isupper() or token.is_lower)


#: Words hyphened to a title that are no title alone ("co-founder", "under-secretary");
#: "vice-president" and "deputy-governor" open with title words.
_HYPHENED_PREFIXES = frozenset({"co", "under"})


def _hyphened(token: Token, titles: frozenset[str]) -> bool:
    return token.is_alpha and (token.lower_ in titles or token.lower_ in _HYPHENED_PREFIXES)


def cut_from_longer_name(doc: Doc, end: int, titles: frozenset[str]) -> bool:
    """Whether a known name ending before token ``end`` runs on into a longer proper name
    the model did not tag ("Kosovo Liberation Army", "Sydney Swans"), not into a title
    ("Acme Chief Executive Jane Roe"), a date ("in Sydney Tuesday") or a model code."""
    if end >= len(doc):
        return False
    after = doc[end]
    return (
        after.pos_ == "PROPN"
        and after.lower_ not in titles
        and after.is_title
        and after.is_alpha
        and not after.is_sent_start
        and after.ent_type_ not in {"DATE", "TIME"}
        and after.text not in TIME_ZONES
    )


def cut_after_name_word(doc: Doc, start: int, end: int, titles: frozenset[str]) -> bool:
    """Whether a known name is the end of a longer proper name the model did not tag:
    "Energy Australia" (a company), where an untagged capitalised name word is
    compounded with it (not "US Congress", not "Chairman Sydney Smith")."""
    if start == 0:
        return False
    before = doc[start - 1]
    return (
        before.pos_ == "PROPN"
        and before.dep_ == "compound"
        and start <= before.head.i < end
        and before.is_title
        and before.is_alpha
        and before.lower_ not in titles
        and not before.ent_type_
    )
