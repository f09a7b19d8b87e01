"""Partial dates: ISO 8601 values at the precision a text gives.

Pure functions on strings, without spaCy, shared by extraction and the graph:
:func:`resolve_date` and :func:`resolve_duration` turn the text of a date
expression ("in April", "late last year", "the first quarter of 2018") and the
article's date into ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-Qn`` or an ISO
duration; :func:`infer_document_date` reads the year of an undated article from
its text when the text makes it clear; :func:`xsd_type_of` gives the XSD
datatype the graph writes a value with. (:mod:`kg.extract.temporal` finds the
expressions in a parsed sentence.)

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
from datetime import date
from enum import Enum

__all__ = [
    "MONTHS",
    "YEAR_TOKEN",
    "after",
    "infer_document_date",
    "resolve_date",
    "resolve_duration",
    "xsd_type_of",
]

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
    for rule in (_day_date, _quarter_date, _month_day_date, _month_date, _year_date):
        found = rule(low, ref)
        if found is not _NEXT:
            return found
    return _relative_date(low, ref, anchor)


class _Unmatched(Enum):
    """What a rule of :func:`resolve_date` answers when the text is not in its form."""

    NEXT = "try the next rule"


_NEXT = _Unmatched.NEXT


def _day_date(low: str, ref: date | None) -> str | _Unmatched | None:
    """An ISO day written out: ``2018-03-15``."""
    if m := re.search(rf"\b({_YEAR})-(\d{{2}})-(\d{{2}})\b", low):
        return m.group(0)
    return _NEXT


def _quarter_date(low: str, ref: date | None) -> str | _Unmatched | None:
    """A quarter: "the first three months of 2021", "Q1 2018", "the second quarter"."""
    months3 = re.search(rf"\b(first|last|final)\s+three\s+months\s+of\s+({_YEAR})\b", low)
    if months3:
        return f"{months3.group(2)}-Q{1 if months3.group(1) == 'first' else 4}"
    quarter = re.search(
        rf"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of)?\s+({_YEAR})\b", low
    ) or re.search(rf"\bq([1-4])\s*({_YEAR})\b", low)
    if quarter:
        q = quarter.group(1)
        number = _ORDINALS.get(q, int(q) if q.isdigit() else 0)
        return f"{quarter.group(2)}-Q{number}"
    bare_quarter = re.search(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b", low)
    if bare_quarter and not re.search(_YEAR, low):
        number = _ORDINALS[bare_quarter.group(1)]
        year = _quarter_year(number, ref)
        return f"{year}-Q{number}" if year else None
    return _NEXT


def _month_day_date(low: str, ref: date | None) -> str | _Unmatched | None:
    """A day of a month, either way round: "March 15, 2018", "15th of March"."""
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
    return _NEXT


def _month_date(low: str, ref: date | None) -> str | _Unmatched | None:
    """A month: "March 2018", "in March this year" ("may" only where it names the month)."""
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
    return _NEXT


def _year_date(low: str, ref: date | None) -> str | _Unmatched | None:
    """A year written out: "by end 2018"."""
    if m := re.search(rf"\b({_YEAR})\b", low):
        return m.group(1)
    return _NEXT


def _relative_date(low: str, ref: date | None, anchor: str | None) -> str | None:
    """A year or month relative to the anchor: "last year", "two months ago", "this month"."""
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
YEAR_TOKEN = re.compile(rf"(?<![\w$£€.,/])({_YEAR})(?![\w%/]|[.,]\d)")
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
        latest = max([latest, *(int(m.group(1)) for m in YEAR_TOKEN.finditer(low))])
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
