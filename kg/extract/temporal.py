"""Dates: of expressions, of a relation's clause, and of an undated article.

Pure functions on strings: the relation extractor hands over the text of a
date expression ("in April", "late last year", "the first quarter of 2018")
and the article's date; :func:`resolve_date` and :func:`resolve_duration`
return ISO 8601 values at the precision the text gives (``YYYY``,
``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-Qn``). The article's date may be a bare
year: the one :func:`infer_document_date` reads from the text of an article
that came without a date, and only when the text makes it clear.

:func:`clause_date` walks a parsed sentence: it finds the date expression
attached to the verb that relates two mentions ("Acme acquired Beta in March
1987"), not one of another clause, of a name or of a figure.

>>> resolve_date("in April", "2018-07-04")
'2018-04'
>>> resolve_date("next year", "2018-07-04")
'2019'
>>> resolve_duration("for as many as seven years")
'P7Y'
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "a": 1,
    "an": 1,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d{2}"
_WORDS_RE = "|".join(sorted(_NUMBERS, key=len, reverse=True))
#: A count in digits or words: "3", "three", "twenty-five", "a".
_COUNT_RE = rf"\d+|(?:{'|'.join(_TENS)})(?:-(?:{_WORDS_RE}))?|{_WORDS_RE}"


def _count(text: str) -> int:
    """The number a count of :data:`_COUNT_RE` says.

    >>> _count("twenty-five"), _count("a"), _count("12")
    (25, 1, 12)
    """
    if text.isdigit():
        return int(text)
    first, _, second = text.partition("-")
    return (_TENS.get(first) or _NUMBERS[first]) + (_NUMBERS[second] if second else 0)


def _parse_anchor(anchor: str | None) -> date | None:
    """The anchor as a date; a year or a month stands for its last day.

    A document date known only to the year (``2021``, as
    :func:`infer_document_date` gives it) or to the month (``2021-05``) still
    places "in March" and "last year"; see :func:`_anchor_precision`.
    """
    if not anchor:
        return None
    if re.fullmatch(r"\d{4}", anchor):
        return date(int(anchor), 12, 31)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", anchor):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and year >= 1:
            return date(year, month, calendar.monthrange(year, month)[1])
        return None
    try:
        return date.fromisoformat(anchor[:10])
    except ValueError:
        return None


def _knows_month(anchor: str | None) -> bool:
    """Whether the anchor gives its month ("last month" needs it; a bare year does not)."""
    return bool(anchor) and not re.fullmatch(r"\d{4}", anchor or "")


def _month_year(month: int, anchor: date | None, *, explicit_year: int | None) -> str | None:
    if explicit_year:
        return f"{explicit_year:04d}-{month:02d}"
    if anchor is None:
        return None
    # News speaks of the most recent such month unless it is clearly ahead:
    # a month after the document's month is taken to be last year's.
    year = anchor.year if month <= anchor.month else anchor.year - 1
    return f"{year:04d}-{month:02d}"


def _day(month_value: str | None, day: int) -> str | None:
    """``YYYY-MM-DD``, or just the month when the day does not exist in it."""
    if month_value is None:
        return None
    year, month = int(month_value[:4]), int(month_value[5:7])
    if day > calendar.monthrange(year, month)[1]:
        return month_value
    return f"{month_value}-{day:02d}"


def _quarter_year(number: int, anchor: date | None) -> int | None:
    if anchor is None:
        return None
    current = (anchor.month - 1) // 3 + 1
    return anchor.year if number <= current else anchor.year - 1


def resolve_date(text: str, anchor: str | None = None) -> str | None:
    """Return the ISO value of a date expression, or ``None`` when it names no date.

    ``anchor`` is the document date (``YYYY-MM-DD``); relative expressions
    without it resolve to ``None`` unless they carry their own year.

    >>> resolve_date("March 15", "2021-05-20")
    '2021-03-15'
    >>> resolve_date("in March this year", "2018-07-04")
    '2018-03'
    >>> resolve_date("late last year", "2018-07-04")
    '2017'
    >>> resolve_date("the first quarter of 2018")
    '2018-Q1'
    >>> resolve_date("by end 2018, or by early 2019")
    '2018'
    >>> resolve_date("December", "2018-07-04")
    '2017-12'
    >>> resolve_date("the first three months of 2021")
    '2021-Q1'
    >>> resolve_date("yesterday") is None
    True
    """
    low = " ".join(text.lower().replace(",", " , ").split())
    ref = _parse_anchor(anchor)
    if m := re.search(rf"\b({_YEAR})-(\d{{2}})-(\d{{2}})\b", low):
        return m.group(0)
    quarter = re.search(
        rf"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of)?\s+({_YEAR})\b", low
    ) or re.search(rf"\bq([1-4])\s*({_YEAR})\b", low)
    months3 = re.search(rf"\b(first|last|final)\s+three\s+months\s+of\s+({_YEAR})\b", low)
    if months3:
        return f"{months3.group(2)}-Q{1 if months3.group(1) == 'first' else 4}"
    if quarter:
        q = quarter.group(1)
        number = _ORDINALS.get(q, int(q) if q.isdigit() else 0)
        return f"{quarter.group(2)}-Q{number}"
    bare_quarter = re.search(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b", low)
    if bare_quarter and not re.search(_YEAR, low):
        number = _ORDINALS[bare_quarter.group(1)]
        year = _quarter_year(number, ref)
        return f"{year}-Q{number}" if year else None
    if m := re.search(
        rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,?\s*({_YEAR}))?", low
    ):
        month, day = MONTHS[m.group(1)], int(m.group(2))
        if 1 <= day <= 31:
            month_value = _month_year(
                month, ref, explicit_year=int(m.group(3)) if m.group(3) else None
            )
            return _day(month_value, day)
    day_month = rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b(?:\s+({_YEAR}))?"
    if m := re.search(day_month, low):
        month, day = MONTHS[m.group(2)], int(m.group(1))
        if 1 <= day <= 31:
            month_value = _month_year(
                month, ref, explicit_year=int(m.group(3)) if m.group(3) else None
            )
            return _day(month_value, day)
    if (m := re.search(rf"\b({_MONTH_RE})\b\.?(?:\s+(?:of\s+)?({_YEAR}))?", low)) and (
        m.group(1) != "may"
        or m.group(2)
        or re.search(r"\b(in|early|late|mid|since|until)\s+may\b", low)
    ):
        explicit = int(m.group(2)) if m.group(2) else None
        if explicit is None and ref is not None and re.search(r"\bthis year\b", low):
            explicit = ref.year
        if explicit is None and ref is not None and re.search(r"\blast year\b", low):
            explicit = ref.year - 1
        if explicit is None and ref is not None and re.search(r"\bnext year\b", low):
            explicit = ref.year + 1
        return _month_year(MONTHS[m.group(1)], ref, explicit_year=explicit)
    if m := re.search(rf"\b({_YEAR})\b", low):
        return m.group(1)
    if ref is None:
        return None
    if re.search(r"\b(last|previous|past) year\b", low):
        return str(ref.year - 1)
    if re.search(r"\bnext year\b", low):
        return str(ref.year + 1)
    if re.search(r"\bthis year\b", low):
        return str(ref.year)
    if ago := re.search(rf"\b({_COUNT_RE})\s+(year|month)s?\s+ago\b", low):
        count = _count(ago.group(1))
        if ago.group(2) == "year":
            return str(ref.year - count)
        if not _knows_month(anchor):
            return None
        months = ref.year * 12 + ref.month - 1 - count
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    if not _knows_month(anchor):
        return None
    if re.search(r"\b(last|previous) month\b", low):
        year, month = (ref.year, ref.month - 1) if ref.month > 1 else (ref.year - 1, 12)
        return f"{year:04d}-{month:02d}"
    if re.search(r"\bthis month\b", low):
        return f"{ref.year:04d}-{ref.month:02d}"
    return None


def resolve_duration(text: str) -> str | None:
    """Return an ISO 8601 duration for "for seven years"-like expressions.

    >>> resolve_duration("for 18 months")
    'P18M'
    >>> resolve_duration("in April") is None
    True
    """
    low = text.lower()
    number_re = rf"\d+(?:\.\d+)?|{_COUNT_RE}"
    m = re.search(rf"(?<![\w.])({number_re})\s+(year|month|week|day)s?\b", low)
    if not m or re.search(r"\b(ago|last|next|this)\b", low):
        return None
    amount, unit = m.group(1), {"year": "Y", "month": "M", "week": "W", "day": "D"}[m.group(2)]
    if "." in amount:
        months = float(amount) * 12 if unit == "Y" else None
        return f"P{round(months)}M" if months is not None and months == int(months) else None
    if amount.isdigit():
        return f"P{int(amount)}{unit}"
    return f"P{_count(amount)}{unit}"


# -------------------------------------------------------------- the date of an undated article

#: A year written as such: not part of a figure ("$1990", "1,996", "2020.5", "1990s", "20%").
_YEAR_TOKEN = re.compile(rf"(?<![\w$£€.,/])({_YEAR})(?![\w%/]|[.,]\d)")
#: Words that put a sentence in the future or in a plan: its years say nothing of when it is.
_FUTURE_CUES = re.compile(
    r"\b(?:will|shall|would|'ll|next|upcoming|expects?|expected|expecting|forecasts?"
    r"|forecast(?:ed|ing)|projects?|projected|projections?|plans?|planned|planning|targets?"
    r"|targeted|intends?|intended|aims?|scheduled|estimates?|estimated)\b"
)
#: Words that make a year the one before the article's ("1986 ... last year").
_PAST_YEAR_CUES = re.compile(
    r"\b(?:last|previous|prior) year\b|\ba year (?:ago|earlier)\b|\byear-(?:ago|earlier)\b"
)
_PART = r"(?:first|second|third|1st|2nd|3rd)"
_DAY = (
    rf"(?:(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})\.?)"
)
#: Parts of a year that are over before it ends ("the first three months of 2021"): results
#: for them come out within that year.
_PART_OF_YEAR = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\b{_PART}[\s-]+quarter\s+(?:of\s+)?(?:fiscal\s+)?({_YEAR})\b",
        rf"\b({_YEAR})\s+{_PART}[\s-]+quarter\b",
        rf"\bq[1-3]\s*({_YEAR})\b",
        rf"\bfirst\s+(?:two|three|four|five|six|seven|eight|nine|[2-9])\s+months\s+of\s+({_YEAR})\b",
        rf"\bfirst\s+half\s+(?:of\s+)?({_YEAR})\b",
    )
)
#: A year the text places itself in: "so far in 2021", "this year (2021)", "today, May 3, 2021"
#: (not "from 1984 to date", which says when something began).
_CURRENT_YEAR = re.compile(
    rf"\b(?:so\s+far|earlier|this\s+year)\s*,?\s+(?:in\s+|of\s+)?({_YEAR})\b"
    rf"|\b({_YEAR})\s*,?\s+so\s+far\b"
    rf"|\b(?:current|this)\s+year\s*\(\s*({_YEAR})\s*\)"
    r"|\b(?:today|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s*[,(]?\s*"
    rf"(?:the\s+)?{_DAY}\s*,?\s*({_YEAR})\b"
)
#: Words that make results news: "has just announced", "reported today".
_NEWS_CUES = re.compile(
    r"\b(?:just|today|yesterday)\b"
    r"|\b(?:has|have)\s+(?:just\s+)?(?:announced|reported|posted|released|published|unveiled)\b"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])|\n+")


def infer_document_date(text: str) -> str | None:
    """The year an undated article was written in, when its text makes it clear.

    A year is clear when the text places itself in it ("so far in 2021",
    "this year (2021)", "on Tuesday, May 4, 2021") or brings news of a part
    of it that is over before it ends ("has just announced its results for
    the first three months of 2021"), and no later year is named outside
    plans and forecasts. A year merely named is a lower bound, often years
    off: news names past years all the time ("since 1993", "their 1971
    war", "net profit for the first nine months of 1986" in March 1987), so
    those never date an article; nor do years the text calls last year's,
    or numbers that are not years ("1,996 shares", "$2000", "the 1990s").
    Returns ``YYYY``, or ``None``.

    >>> infer_document_date(
    ...     "Xiaomi has just announced its results for the first three months of 2021. "
    ...     "Revenue rose from the same period in 2020."
    ... )
    '2021'
    >>> infer_document_date("It has sold 9,233 cars so far in 1987.")
    '1987'
    >>> infer_document_date("It was founded in 1990 and listed on May 3, 1999.") is None
    True
    >>> infer_document_date("So far in 2019 it grew. It will open in 2030.")  # 2030 is a plan
    '2019'
    >>> infer_document_date("So far in 2019 it grew. It has been public since 2020.") is None
    True
    >>> infer_document_date("It sold 1,996 shares so far this year.") is None
    True
    """
    latest = 0
    dated: set[int] = set()
    for sentence in _SENTENCE_END.split(text):
        low = " ".join(sentence.lower().split())
        if not low or _FUTURE_CUES.search(low):
            continue
        latest = max([latest, *(int(m.group(1)) for m in _YEAR_TOKEN.finditer(low))])
        if _PAST_YEAR_CUES.search(low):
            continue
        dated.update(int(next(filter(None, m.groups()))) for m in _CURRENT_YEAR.finditer(low))
        if _NEWS_CUES.search(low):
            for pattern in _PART_OF_YEAR:
                dated.update(int(m.group(1)) for m in pattern.finditer(low))
    return str(latest) if latest and latest in dated else None


def xsd_type_of(value: str) -> str | None:
    """Return the XSD datatype local name of a resolved value (``None`` for quarters).

    >>> [xsd_type_of(v) for v in ("2018", "2018-04", "2018-04-05", "2018-Q1")]
    ['gYear', 'gYearMonth', 'date', None]
    """
    if re.fullmatch(r"\d{4}", value):
        return "gYear"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return "gYearMonth"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "date"
    return None


def after(value: str, anchor: str | None) -> bool:
    """Whether a resolved value lies wholly after the anchor (a later year, month or day).

    >>> after("2019", "2018-07-04"), after("2018-08", "2018-07-04"), after("2018", "2018-07-04")
    (True, True, False)
    >>> after("2018-Q3", "2018-07-04"), after("2018-Q4", "2018"), after("2019", None)
    (False, False, False)
    """
    ref = _parse_anchor(anchor)
    if ref is None:
        return False
    year = int(value[:4])
    if value[4:6] == "-Q":
        month = (int(value[6]) - 1) * 3 + 1
    elif len(value) >= 7:
        month = int(value[5:7])
    else:
        return year > ref.year
    if len(value) == 10:
        return date.fromisoformat(value) > ref
    return (year, month) > (ref.year, ref.month)


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
    up_h, up_t = _chain(h), _chain(t)
    on_head_side = [x.i for x in up_h]
    common = next((x for x in up_t if x.i in on_head_side), None)
    if common is None:
        return None, None
    tail_side = up_t[: up_t.index(common)]
    head_side = up_h[: on_head_side.index(common.i)]
    path = [*tail_side, common, *head_side]
    if any(x.lemma_.lower() in stop_lemmas for x in path):
        return None, None
    tail_verbs, tail_exit = _clause_verbs(tail_side)
    head_verbs, head_exit = _clause_verbs(head_side)
    for exit_, other in ((tail_exit, head_side), (head_exit, tail_side)):
        # Only a relative or participial clause on the other mention itself ("Smith,
        # who joined Acme in 2001") keeps both in one act; else they are in two
        # clauses ("Japan's reserves rose in January, the ministry said").
        if exit_ is not None and (other or exit_.dep_ not in {"relcl", "acl"}):
            return None, None
    anchors = [x for x in (*tail_verbs, *head_verbs) if verbs is None or x.lemma_.lower() in verbs]
    if common.pos_ in {"VERB", "AUX"}:
        if not tail_verbs and not head_verbs:
            if verbs is None or common.lemma_.lower() in verbs:
                anchors.append(common)
        elif anchors and all(_controls(common, verb) for verb in anchors):
            # The verb it governs is its complement: "stopped selling Zeta in March"
            # (not another act: "convicted in 1969 of assassinating RFK").
            anchors.append(common)
    if verbs is not None:
        # A noun of the predicate on the way: "the murder of King ... on April 4, 1968".
        anchors += [x for x in path if x.pos_ == "NOUN" and x.lemma_.lower() in verbs]
    for verb in anchors:
        if verb.lemma_.lower() in REPORTING_VERBS:
            continue
        if any(_steps(x, verb) > _MAX_STEPS for x in (h, t) if verb.i in _ancestor_ids(x)):
            return None, None  # a mention deep in a noun phrase: the verb does not govern it
        found = _attached(doc, verb, dates, path, names)
        if not found:
            continue
        if _unsure(verb, stop_lemmas, modal_ok=modal_ok):
            return None, None
        points = {text for kind, text in found if kind == "date"}
        spans = {text for kind, text in found if kind == "duration"}
        return (
            points.pop() if len(points) == 1 else None,
            spans.pop() if len(spans) == 1 else None,
        )
    return None, None


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
