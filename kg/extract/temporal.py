"""Resolve date and duration expressions against the document date.

Pure functions on strings: the relation extractor hands over the text of a
date expression ("in April", "late last year", "the first quarter of 2018")
and the article's date; these return ISO 8601 values at the precision the
text gives (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-Qn``).

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


def _parse_anchor(anchor: str | None) -> date | None:
    if not anchor:
        return None
    try:
        return date.fromisoformat(anchor[:10])
    except ValueError:
        return None


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
    words = "|".join(sorted(_NUMBERS, key=len, reverse=True))
    tens = "|".join(_TENS)
    number_re = rf"\d+(?:\.\d+)?|(?:{tens})(?:-(?:{words}))?|{words}"
    m = re.search(rf"(?<![\w.])({number_re})\s+(year|month|week|day)s?\b", low)
    if not m or re.search(r"\b(ago|last|next|this)\b", low):
        return None
    amount, unit = m.group(1), {"year": "Y", "month": "M", "week": "W", "day": "D"}[m.group(2)]
    if "." in amount:
        months = float(amount) * 12 if unit == "Y" else None
        return f"P{round(months)}M" if months is not None and months == int(months) else None
    if amount.isdigit():
        return f"P{int(amount)}{unit}"
    first, _, second = amount.partition("-")
    number = _TENS.get(first) or _NUMBERS[first]
    if second:
        number += _NUMBERS[second]
    return f"P{number}{unit}"


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
