"""The date of a relation's clause, found in a parsed sentence.

:func:`clause_date` walks a parsed sentence: it finds the date expression
attached to the verb that relates two mentions ("Acme acquired Beta in March
1987"), not one of another clause, of a name or of a figure. The values of
the expressions come from :mod:`kg.dates` (pure functions on strings, which
this module re-exports for the extraction stage).

>>> resolve_date("in April", "2018-07-04")
'2018-04'
>>> resolve_duration("for as many as seven years")
'P7Y'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from kg.dates import YEAR_TOKEN as _YEAR_TOKEN
from kg.dates import after, infer_document_date, resolve_date, resolve_duration, xsd_type_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "DEPARTURE_VERBS",
    "REPORTING_VERBS",
    "after",
    "clause_date",
    "infer_document_date",
    "resolve_date",
    "resolve_duration",
    "xsd_type_of",
]


# ---------------------------------------------------------------- the date of a relation's clause

#: Prepositions that put a point in time on an act ("in March", "on May 3", "since 2001");
#: "for" gives a duration. Others bound it without dating it ("until", "by", "before").
_POINT_PREPOSITIONS = frozenset({"in", "on", "at", "during", "since"})
#: Dependencies by which a date hangs on a verb without a preposition ("acquired it last year").
_BARE_DEPS = frozenset({"npadvmod", "advmod", "tmod", "obl", "npmod", "nmod"})
#: Dependencies through which a verb's clause holds another's: a date of the outer verb is
#: not the date of what the inner clause says ("said on Monday it had acquired ...").
_CLAUSE_DEPS = frozenset({"ccomp", "conj", "advcl", "relcl", "acl", "parataxis", "csubj"})
#: Verbs that report or frame an act rather than do it: their date is when it was told.
REPORTING_VERBS = frozenset(
    {"say", "tell", "report", "announce", "add", "state", "claim", "note", "confirm",
     "reveal", "disclose", "quote", "believe", "think", "know", "learn", "hear", "write"}
)  # fmt: skip
#: Verbs by which a person leaves a post: the date is an end, not a start.
DEPARTURE_VERBS = frozenset(
    {"leave", "resign", "retire", "quit", "depart", "oust", "fire", "sack", "dismiss", "step"}
)
#: Modal and future auxiliaries: the act is not (yet) done.
_MODALS = frozenset({"will", "shall", "'ll", "would", "could", "might", "may", "should", "must"})
#: A span of time rather than a point in it ("the past year", "the last two years").
_PERIOD = re.compile(
    r"\b(?:past|recent|coming|next\s+\w+|last\s+(?!year|month|week)\w+)"
    r"\s+(?:years|months|weeks|days|decades)\b"
    r"|\bthe\s+(?:past|last)\s+(?:year|month|week|decade)\b|\b(?:19|20)\d0s\b"
)


def _chain(token: Token) -> list[Token]:
    """The token and its heads up to the root of its sentence."""
    chain = [token]
    while chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def clause_date(
    doc: Doc,
    head: tuple[int, int],
    tail: tuple[int, int],
    dates: Sequence[Span],
    *,
    names: Collection[int] = frozenset(),
    verbs: Collection[str] | None = None,
    stop_lemmas: Collection[str] = frozenset(),
    modal_ok: bool = False,
) -> tuple[str | None, str | None]:
    """The date and duration expressions of the clause that relates two mentions.

    ``head`` and ``tail`` are the mentions' token spans; ``dates`` the DATE
    entities of their sentence. A verb on the dependency path between the
    mentions, in the clause of each (not across "said" or "and"), carries the
    relation: with ``verbs``, only one of those lemmas (the predicate's
    trigger words: "shot", not "arrested" or "convicted"). The nearest such
    verb to the tail that has a date decides: a date that hangs on it
    directly ("last year") or through a preposition of time ("in March
    1987", "since 2001"; "for seven years" is a duration), not one of another
    clause, of a name (a token in ``names``) or of a figure's period ("earned
    $5 mln in 1986"). Precision first: two different dates on that verb, a
    verb under a modal (unless ``modal_ok``), a negation, or a word of
    ``stop_lemmas`` on the way ("left", "plans to") give nothing. Returns
    texts for :func:`resolve_date` and :func:`resolve_duration` (``None``
    where there is none).

    >>> import spacy
    >>> from spacy.tokens import Doc
    >>> words = ["Acme", "acquired", "Beta", "in", "March", "1987", "."]
    >>> doc = Doc(spacy.blank("en").vocab, words=words, heads=[1, 1, 1, 1, 3, 4, 1],
    ...           deps=["nsubj", "ROOT", "dobj", "prep", "pobj", "nummod", "punct"],
    ...           pos=["PROPN", "VERB", "PROPN", "ADP", "PROPN", "NUM", "PUNCT"],
    ...           lemmas=["Acme", "acquire", "Beta", "in", "March", "1987", "."],
    ...           ents=["B-ORG", "O", "B-ORG", "O", "B-DATE", "I-DATE", "O"])
    >>> dates = [e for e in doc.ents if e.label_ == "DATE"]
    >>> clause_date(doc, (0, 1), (2, 3), dates)
    ('in March 1987', None)
    >>> clause_date(doc, (0, 1), (2, 3), dates, verbs={"buy"})  # not a word of the relation
    (None, None)
    >>> clause_date(doc, (0, 1), (2, 3), dates, stop_lemmas={"acquire"})
    (None, None)
    """
    h = doc[head[0] : head[1]].root
    t = doc[tail[0] : tail[1]].root
    sides = _path_sides(h, t)
    if sides is None:
        return None, None
    tail_side, common, head_side = sides
    path = [*tail_side, common, *head_side]
    if any(x.lemma_.lower() in stop_lemmas for x in path):
        return None, None
    (tail_verbs, tail_exit), (head_verbs, head_exit) = map(_clause_verbs, (tail_side, head_side))
    if _across_clauses((tail_exit, head_side), (head_exit, tail_side)):
        return None, None
    anchors = _anchors(common, [*tail_verbs, *head_verbs], path, verbs)
    return _date_on(doc, anchors, (h, t), dates, path, names, stop_lemmas, modal_ok=modal_ok)


def _across_clauses(*exits: tuple[Token | None, list[Token]]) -> bool:
    """Whether the path leaves a mention's clause (its exit verb, with the path on the
    other mention's side) for another: only a relative or participial clause on the other
    mention itself ("Smith, who joined Acme in 2001") keeps both in one act, not "Japan's
    reserves rose in January, the ministry said"."""
    return any(
        exit_ is not None and (other or exit_.dep_ not in {"relcl", "acl"})
        for exit_, other in exits
    )


def _date_on(
    doc: Doc,
    anchors: list[Token],
    mentions: tuple[Token, Token],
    dates: Sequence[Span],
    path: list[Token],
    names: Collection[int],
    stop_lemmas: Collection[str],
    *,
    modal_ok: bool,
) -> tuple[str | None, str | None]:
    """The date and duration on the first anchor that has one (see :func:`clause_date`)."""
    for verb in anchors:
        if verb.lemma_.lower() in REPORTING_VERBS:
            continue
        if any(_steps(x, verb) > _MAX_STEPS for x in mentions if verb.i in _ancestor_ids(x)):
            return None, None  # a mention deep in a noun phrase: the verb does not govern it
        found = _attached(doc, verb, dates, path, names)
        if found:
            return (None, None) if _unsure(verb, stop_lemmas, modal_ok=modal_ok) else _one(found)
    return None, None


def _one(found: Sequence[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The one date and the one duration of ``found`` ((kind, text) pairs), each ``None``
    when there is none or more than one."""
    points = {text for kind, text in found if kind == "date"}
    spans = {text for kind, text in found if kind == "duration"}
    return (
        points.pop() if len(points) == 1 else None,
        spans.pop() if len(spans) == 1 else None,
    )


def _path_sides(h: Token, t: Token) -> tuple[list[Token], Token, list[Token]] | None:
    """The dependency path between two tokens as (the tail's side, the token where
    they meet, the head's side); ``None`` if they do not meet."""
    up_h, up_t = _chain(h), _chain(t)
    on_head_side = [x.i for x in up_h]
    common = next((x for x in up_t if x.i in on_head_side), None)
    if common is None:
        return None
    return up_t[: up_t.index(common)], common, up_h[: on_head_side.index(common.i)]


def _anchors(
    common: Token, clause_verbs: list[Token], path: list[Token], verbs: Collection[str] | None
) -> list[Token]:
    """The words that may carry the relation's date, nearest the tail first: the verbs
    of the mentions' clauses (of ``verbs`` only, when given), the verb where the path
    meets when it governs them or stands alone, and the predicate's nouns on the path."""
    anchors = [x for x in clause_verbs if verbs is None or x.lemma_.lower() in verbs]
    if common.pos_ in {"VERB", "AUX"}:
        if not clause_verbs:
            if verbs is None or common.lemma_.lower() in verbs:
                anchors.append(common)
        elif anchors and all(_controls(common, verb) for verb in anchors):
            # The verb it governs is its complement: "stopped selling Zeta in March"
            # (not another act: "convicted in 1969 of assassinating RFK").
            anchors.append(common)
    if verbs is not None:
        # A noun of the predicate on the way: "the murder of King ... on April 4, 1968".
        anchors += [x for x in path if x.pos_ == "NOUN" and x.lemma_.lower() in verbs]
    return anchors


def _controls(common: Token, verb: Token) -> bool:
    """Whether ``verb`` is the complement of ``common`` ("stopped selling", "began to sell")."""
    while verb.dep_ == "xcomp" and verb.head.i != common.i:
        verb = verb.head
    return verb.dep_ == "xcomp" and verb.head.i == common.i


#: How far below its verb a mention may sit ("chairman of Acme": Acme -> of -> chairman -> verb).
_MAX_STEPS = 4


def _ancestor_ids(token: Token) -> set[int]:
    return {x.i for x in token.ancestors}


def _steps(token: Token, ancestor: Token) -> int:
    """How many heads up from ``token`` ``ancestor`` is."""
    steps = 0
    while token.i != ancestor.i and token.head.i != token.i:
        token, steps = token.head, steps + 1
    return steps


def _clause_verbs(side: Sequence[Token]) -> tuple[list[Token], Token | None]:
    """The verbs from a mention up within its clause, and the one by which the way up leaves it.

    "who joined Acme in 2001, ... was named": the way from Acme passes
    "joined", then leaves its clause (a relative clause), so "named" and its
    dates are another act's.
    """
    verbs = []
    for token in side:
        if token.pos_ in {"VERB", "AUX"}:
            verbs.append(token)
            if token.dep_ in _CLAUSE_DEPS:
                return verbs, token
    return verbs, None


def _attached(
    doc: Doc, verb: Token, dates: Sequence[Span], path: Sequence[Token], names: Collection[int]
) -> list[tuple[str, str]]:
    """("date" or "duration", text) of each date expression that hangs on ``verb``.

    A preposition of time may also hang on a name on the path that is the
    verb's argument: the parser often attaches "in 1987" to the object
    ("acquired Beta in 1987").
    """
    on_path = {
        x.i
        for x in path
        if x.pos_ == "PROPN"
        and (x.head.i == verb.i or (x.head.dep_ in {"prep", "agent"} and x.head.head.i == verb.i))
    }
    if _states_figure(verb):
        return []
    found = []
    for ent in dates:
        low = ent.text.lower()
        if any(i in names for i in range(ent.start, ent.end)) or _PERIOD.search(low):
            continue
        root = ent.root
        if (
            len(_YEAR_TOKEN.findall(low)) > 1
            or re.search(r"\b(?:and|to|or|between)\b|-\d", low)
            or root.dep_ == "conj"
            or any(child.dep_ == "conj" for child in root.children)
        ):
            continue  # "1997 and 1998", "1986-87": more than one point
        if root.head.i == verb.i and root.dep_ in _BARE_DEPS:
            found.append(("date", ent.text))
            continue
        prep = root.head
        if root.dep_ != "pobj" or prep.dep_ != "prep":
            continue
        if prep.head.i != verb.i and prep.head.i not in on_path:
            continue
        text = doc[min(prep.i, ent.start) : ent.end].text
        if prep.lower_ == "for":
            found.append(("duration", text))
        elif prep.lower_ in _POINT_PREPOSITIONS:
            found.append(("date", text))
    return found


def _states_figure(verb: Token) -> bool:
    """ "earned $5 mln", "rose 5 pct": the verb states a figure, whose period a date would be."""
    return any(
        child.dep_ in {"dobj", "attr", "npadvmod", "acomp"}
        and (child.ent_type_ in {"MONEY", "PERCENT", "QUANTITY", "CARDINAL"} or child.like_num)
        for child in verb.children
    )


def _unsure(verb: Token, stop_lemmas: Collection[str], *, modal_ok: bool) -> bool:
    """A negated or modal verb, or one governed by a stop word ("plans to open ... in 2019").

    What governs a complement governs it too: "will stop selling", "did not begin to sell".
    """
    chain = [verb]
    while chain[-1].dep_ == "xcomp" and chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    for token in chain:
        for child in token.children:
            if child.dep_ == "neg" or child.lemma_.lower() in stop_lemmas:
                return True
            if not modal_ok and child.dep_ in {"aux", "auxpass"} and child.lower_ in _MODALS:
                return True
    return verb.dep_ in {"xcomp", "ccomp"} and verb.head.lemma_.lower() in stop_lemmas
