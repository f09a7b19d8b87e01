"""Metadata atop an article (``title:``/``date:`` lines, front matter); dates made ISO."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = [
    "Meta",
    "normalise_date",
    "take_metadata",
]


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)


_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"


_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"


_YEAR = r"(?P<y>\d{4})(?!\d)"


_DATE_FORMS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)",
        r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?!\d)",
        _WEEKDAY + _MONTH + r"\s*" + _DAY + r",?\s+" + _YEAR,
        _WEEKDAY + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR,
    )
)


# A clock time (and zone) that may follow a date: "T10:32:00Z", ", 10:32 AM EST".
_TIME = re.compile(
    r"(?:T|,?\s+(?:at\s+)?)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:\s*(?i:[ap]\.?m\.?))?"
    r"(?:\s*(?:Z|UTC|GMT|[ECMP][SD]T|[+-]\d{2}:?\d{2}))?(?![\w:])"
)


def _match_date(text: str) -> tuple[str, int] | None:
    """The ISO date at the start of ``text`` and where it ends (after any clock time)."""
    for form in _DATE_FORMS:
        match = form.match(text)
        if match is None:
            continue
        groups = match.groupdict()
        month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["mon"][:3].lower()]
        try:
            day = dt.date(int(groups["y"]), month, int(groups["d"]))
        except ValueError:
            return None
        end = match.end()
        time = _TIME.match(text, end)
        if time is not None:
            end = time.end()
        return day.isoformat(), end
    return None


def normalise_date(value: str) -> str | None:
    """Return ``value`` as an ISO date (YYYY-MM-DD), or ``None`` when it is not a date.

    Accepts ``2018-07-04`` (also with a time), ``2018/07/04``, ``July 4, 2018``,
    ``4 July 2018`` and e-mail style ``Wed, 04 Jul 2018 10:00:00 GMT``.

    Args:
        value: the text of a date and nothing else.

    Returns:
        The date in ISO 8601 form, or ``None``.

    >>> normalise_date("July 4, 2018"), normalise_date("2018/07/04"), normalise_date("soon")
    ('2018-07-04', '2018-07-04', None)
    """
    value = value.strip()
    found = _match_date(value)
    if found is None or value[found[1] :].strip():
        return None
    return found[0]


@dataclass(frozen=True, slots=True)
class Meta:
    title: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None


_META_KEYS = {
    "title": "title",
    "headline": "title",
    "date": "date",
    "published": "date",
    "pubdate": "date",
    "published_at": "date",
    "publish_date": "date",
    "url": "url",
    "link": "url",
    "canonical": "url",
    "publisher": "publisher",
    "source": "publisher",
    "site": "publisher",
    "sitename": "publisher",
    "site_name": "publisher",
    "author": "author",
    "byline": "author",
}


_META_LINE = re.compile(r"(?P<key>[A-Za-z_]+)(?P<sep>\s*:\s*|\s+)(?P<value>\S.*)")


_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


_AFTER_VALUE = re.compile(r"^[\s,;|–—-]+")


_FRONT_MATTER_FENCES = {"---": ("---", "..."), "+++": ("+++",)}


_FRONT_MATTER_LINE = re.compile(r"\s*(?P<key>[A-Za-z_][\w-]*)\s*[:=]\s*(?P<value>.*)")


_MAX_META_VALUE = 300


@dataclass(frozen=True, slots=True)
class _MetaItem:
    field: str  # a Meta field, or "author" (recognised and dropped)
    value: str
    rest: str  # article text after the value on the same line
    strong: bool  # the line is certainly metadata (a colon, or a value that parses)


def _parse_meta_line(line: str) -> _MetaItem | None:
    match = _META_LINE.fullmatch(line)
    if match is None:
        return None
    field = _META_KEYS.get(match["key"].lower())
    if field is None:
        return None
    value = match["value"]
    colon = ":" in match["sep"]
    url = _URL.match(value)
    if field == "date":
        found = _match_date(value)
        if found is None:
            return None
        iso, end = found
        rest = value[end:]
        if rest and not rest[0].isspace() and rest[0] not in ",;|":
            return None  # "2018-07-04abc" is not a date followed by text
        return _MetaItem("date", iso, _AFTER_VALUE.sub("", rest), True)
    if field == "url" or (field == "publisher" and url is not None and colon):
        if url is None:
            return None
        rest = value[url.end() :]
        return _MetaItem("url", url.group(), _AFTER_VALUE.sub("", rest), True)
    if len(value) > _MAX_META_VALUE:
        return None
    return _MetaItem(field, value.strip(), "", colon)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _front_matter(lines: list[str], start: int) -> tuple[dict[str, str], int] | None:
    """Parse a ``---``/``+++`` front-matter block starting at ``lines[start]``."""
    closers = _FRONT_MATTER_FENCES.get(lines[start].strip())
    if closers is None:
        return None
    found: dict[str, str] = {}
    for i in range(start + 1, min(len(lines), start + 100)):
        line = lines[i]
        if line.strip() in closers:
            return found, i + 1
        match = _FRONT_MATTER_LINE.fullmatch(line)
        if match is None:
            continue
        field = _META_KEYS.get(match["key"].lower())
        value = _unquote(match["value"])
        if field is None or not value or field in found:
            continue
        if field == "date":
            iso = normalise_date(value)
            if iso is not None:
                found["date"] = iso
        elif field == "publisher" and _URL.fullmatch(value):
            found.setdefault("url", value)
        else:
            found[field] = value
    return None


def take_metadata(text: str) -> tuple[Meta, str]:
    """Split leading metadata (front matter, ``key: value`` or ``key value`` lines) off ``text``."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return Meta(), text
    block = _front_matter(lines, start)
    if block is not None:
        found, end = block
        return _meta_of(found), "\n".join(lines[end:])
    items: list[_MetaItem] = []
    end = start
    while end < len(lines):
        item = _parse_meta_line(lines[end].strip())
        if item is None:
            break
        items.append(item)
        end += 1
        if item.rest:
            break
    if not any(item.strong for item in items):
        return Meta(), text
    found = {}
    for item in items:
        found.setdefault(item.field, item.value)
    rest = [items[-1].rest] if items[-1].rest else []
    return _meta_of(found), "\n".join(rest + lines[end:])


def _meta_of(found: dict[str, str]) -> Meta:
    return Meta(
        title=found.get("title") or None,
        date=found.get("date") or None,
        url=found.get("url") or None,
        publisher=found.get("publisher") or None,
    )
