"""Read input articles (plain text, Markdown, HTML, JSON Lines) into :class:`Article` records.

Every later stage works with character offsets into ``Article.text``, so the
text handed on is the *cleaned* text: Unicode normalised (NFC, ``\\n``
newlines, no zero-width characters, no non-breaking spaces), metadata lines
and web boilerplate removed, paragraphs separated by one blank line.

Text held in JSON Lines files is taken as given apart from the Unicode
normalisation, so offsets in gold files made for such text stay valid.

>>> a = article_from_text("date 2018-07-04 Xiaomi is aiming to enter the US.", id="x")
>>> a.date, a.text
('2018-07-04', 'Xiaomi is aiming to enter the US.')
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import glob
import importlib.resources
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.errors import (
    ArticleTooLongError,
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputError,
    InputNotFoundError,
    JSONLError,
    UnsupportedFormatError,
)
from kg.types import Article

__all__ = [
    "BOILERPLATE_PATTERNS",
    "MAX_CHARS",
    "RESERVED_IDS",
    "SUPPORTED_SUFFIXES",
    "article_from_html",
    "article_from_text",
    "check_replacements",
    "collect_paths",
    "file_id",
    "normalise_date",
    "normalise_unicode",
    "read_articles",
    "sample_corpus",
]

#: File suffixes read from folders and glob patterns (compared case-insensitively).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl")

_SUFFIX_LIST = ", ".join(SUPPORTED_SUFFIXES[:-1]) + " and " + SUPPORTED_SUFFIXES[-1]

#: The longest article (in characters of cleaned text) a build reads by default: spaCy's
#: own ``nlp.max_length``. ``kg build --max-chars N`` changes it (0: no limit).
MAX_CHARS = 1_000_000

#: Article ids that would name kg's own graphs (``<base>graph/quarantine``, ``…/inferred``,
#: ``…/candidates``).
RESERVED_IDS = frozenset({"quarantine", "inferred", "candidates"})

# Files larger than this many bytes a character of the limit are refused unread: four
# (UTF-8 and UTF-32) for text, more for HTML, whose markup may far outweigh its text.
_BYTES_PER_CHAR = {".html": 32, ".htm": 32}
_TEXT_BYTES_PER_CHAR = 4
_BYTES_SLACK = 1 << 16

# --------------------------------------------------------------------------- Unicode

_SNIFF_SIZE = 8192
_BINARY_CONTROL_SHARE = 0.10
# C0 controls that never occur in text (whitespace controls excluded) and DEL.
_BINARY_CONTROLS = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D}) | {0x7F}

_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028]")
_TRANSLATE = {
    # zero-width characters: invisible, and they break tokens apart
    0x200B: None,
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,
    # non-breaking and fixed-width spaces become ordinary spaces
    0x00A0: " ",
    0x2007: " ",
    0x202F: " ",
    # a paragraph separator is a paragraph break
    0x2029: "\n\n",
}
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Lone surrogates (JSON's "\ud800") cannot be written as UTF-8: each becomes U+FFFD,
# one character for one, so offsets into the text stay valid.
_SURROGATES = re.compile("[\ud800-\udfff]")
_HSPACE = re.compile(r"[^\S\n]+")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise_unicode(text: str) -> str:
    """Return ``text`` in the form every stage expects.

    Newlines become ``\\n``; zero-width characters (U+200B..U+200D, U+2060,
    U+FEFF) and control characters other than newline and tab are removed;
    non-breaking spaces become spaces; a lone surrogate becomes U+FFFD; the
    result is NFC. Curly quotes and apostrophes are kept as they are.

    Args:
        text: any text.

    Returns:
        The normalised text (its length may differ from ``text``).

    >>> normalise_unicode("Pentagon\\u2019s\\u00a0list\\u200b\\r\\nCafe\\u0301")
    'Pentagon’s list\\nCafé'
    """
    text = _NEWLINES.sub("\n", text)
    text = text.translate(_TRANSLATE)
    text = _CONTROLS.sub("", text)
    text = _SURROGATES.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def _looks_binary(sample: str) -> bool:
    """Whether a text sample (or bytes decoded as Latin-1) holds NULs or many control codes."""
    if not sample:
        return False
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) in _BINARY_CONTROLS)
    return controls / len(sample) > _BINARY_CONTROL_SHARE


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError as err:
        raise EncodingError(
            f"unknown encoding {encoding!r}: use a name such as utf-8, latin-1 or cp1252"
        ) from err


def _binary_error(name: str) -> BinaryInputError:
    return BinaryInputError(
        f"{name}: looks like a binary file, not an article (if it is text, give its "
        "encoding with --encoding)"
    )


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec of UTF-16 text that has no byte-order mark, told by where its NULs fall.

    English text in UTF-16 has a NUL in every other byte (the high byte of each
    ASCII character): at odd offsets in little-endian, at even ones in big-endian.
    Binary files have NULs on both sides.

    >>> _utf16_without_bom("Acme hired Jo.".encode("utf-16-le"))
    'utf-16-le'
    >>> _utf16_without_bom(b"\\x00\\x01\\x00\\x00" * 8) is None
    True
    """
    sample = data[: _SNIFF_SIZE & ~1]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    for codec, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls >= pairs * 0.3 and other <= pairs * 0.01:
            return codec
    return None


def _not_utf8(name: str, data: bytes, err: UnicodeDecodeError) -> EncodingError:
    line = data.count(b"\n", 0, err.start) + 1
    return EncodingError(
        f"{name}: not UTF-8 text (line {line}, byte {err.start}); try --encoding latin-1 "
        "(or the file's encoding)"
    )


def _decode(data: bytes, name: str, encoding: str | None, *, html: bool = False) -> str:
    """Decode a file's bytes: UTF-8 (or a BOM's encoding) unless ``encoding`` is given."""
    if encoding is not None:
        codec = _check_encoding(encoding)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            raise EncodingError(
                f"{name}: not valid {encoding} text (byte {err.start}); "
                "check the file's encoding and pass it with --encoding"
            ) from err
        if _looks_binary(text[:_SNIFF_SIZE]):
            raise _binary_error(name)
        return text.removeprefix("\ufeff")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as err:
                raise EncodingError(
                    f"{name}: starts like {codec} text but is not valid {codec}; "
                    "try --encoding with the file's encoding"
                ) from err
            if _looks_binary(text[:_SNIFF_SIZE]):
                raise _binary_error(name)
            return text.removeprefix("\ufeff")
    if _looks_binary(data[:_SNIFF_SIZE].decode("latin-1")):
        wide_codec = _utf16_without_bom(data) if len(data) % 2 == 0 else None
        if wide_codec is not None:
            try:
                wide = data.decode(wide_codec)
            except UnicodeDecodeError:
                wide = "\x00"
            if not _looks_binary(wide[:_SNIFF_SIZE]):
                return wide
        raise _binary_error(name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        declared = _declared_charset(data) if html else None
        if declared is not None:
            for codec in declared:
                try:
                    return data.decode(codec)
                except UnicodeDecodeError:
                    continue
        raise _not_utf8(name, data, err) from err


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _declared_charset(data: bytes) -> tuple[str, ...] | None:
    """The codecs to try for an HTML page's ``<meta charset>``, if it declares a known one."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # Browsers read pages labelled Latin-1 or ASCII as Windows-1252.
    if codec in {"iso8859-1", "ascii"}:
        return ("cp1252", "iso8859-1")
    return (codec,)


# --------------------------------------------------------------------------- dates

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


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True, slots=True)
class _Meta:
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
    field: str  # a _Meta field, or "author" (recognised and dropped)
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


def _take_metadata(text: str) -> tuple[_Meta, str]:
    """Split leading metadata (front matter, ``key: value`` or ``key value`` lines) off ``text``."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return _Meta(), text
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
        return _Meta(), text
    found = {}
    for item in items:
        found.setdefault(item.field, item.value)
    rest = [items[-1].rest] if items[-1].rest else []
    return _meta_of(found), "\n".join(rest + lines[end:])


def _meta_of(found: dict[str, str]) -> _Meta:
    return _Meta(
        title=found.get("title") or None,
        date=found.get("date") or None,
        url=found.get("url") or None,
        publisher=found.get("publisher") or None,
    )


# --------------------------------------------------------------------------- boilerplate

_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|telegram|e-?mail|print|copy\s+link)"
)

# Prompts asking the reader to do something; the short button label that often
# follows one ("I register", "Got it", "OK") goes with it.
_PROMPTS = (
    # newsletters, subscriptions, accounts
    r"(?:(?:our|the|free|daily|weekly)\s+)*newsletters?",
    r".*\bnewsletters?\b.*\b(?:subscribe|subscribing|sign(?:ing)?[\s-]*up|receive|inbox"
    r"|mailbox|e-?mail|register|delivered)\b.*",
    r".*\b(?:subscribe|sign[\s-]*up|register)\b.*\bnewsletters?\b.*",
    r"(?:subscribe|sign[\s-]*up|join)(?:\s+(?:now|today|here|for\s+free|free))?",
    r"subscribe\s+to\s+(?:our|the)\b.*|sign[\s-]*up\s+(?:for|to)\s+(?:our|the|free)\b.*",
    r"(?:i\s+)?(?:register|sign[\s-]*in|log[\s-]*in|log[\s-]*out)(?:\s+(?:now|here))?",
    r"create\s+(?:an?\s+)?(?:free\s+)?account|already\s+(?:a\s+subscriber|have\s+an\s+account)\b.*",
    r"become\s+a\s+(?:member|subscriber)\b.*",
    r"(?:get|receive)\b.*\b(?:to|in)\s+your\s+(?:inbox|mailbox)\b.*",
    r"enter\s+your\s+e-?mail(?:\s+address)?\b.*",
    # cookies, apps, scripts, comments
    r".*\b(?:we\s+use\s+cookies|(?:this|our)\s+(?:site|website)\s+uses\s+cookies"
    r"|cookie\s+(?:policy|settings|preferences|consent|notice))\b.*",
    r"(?:accept|reject|manage|allow)\s+(?:all\s+)?cookies\b.*",
    r"download\s+(?:the|our)\s+(?:\w+\s+)?app\b.*|get\s+the\s+app",
    r"(?:please\s+)?enable\s+javascript\b.*|javascript\s+is\s+(?:disabled|required)\b.*",
    r"leave\s+a\s+(?:comment|reply)|(?:add|post|write)\s+(?:a\s+)?comment\b.*",
)
# Page furniture: navigation, sharing, advertising, links, legal notices, tags.
_FURNITURE = (
    r"(?:back|scroll|go|return)\s+to\s+(?:the\s+)?top(?:\s+(?:button|of\s+(?:the\s+)?page))?",
    r"skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation|main)|toggle\s+navigation",
    r"(?:main\s+)?menu|search|home|print(?:\s+this\s+(?:article|page|story))?",
    r"(?:previous|next)\s+(?:article|post|story)",
    r"share\s+(?:this|the)\s+(?:article|story|post|page)(?:\s+(?:on|via|with)\b.*)?",
    r"share(?:\s+(?:on|via)\s+\w+)?",
    rf"(?:(?:share\s+(?:on|via)\s+)?{_SOCIAL}\W*){{1,10}}",
    r"follow\s+us(?:\s+on\b.*)?|like\s+us\s+on\s+facebook\b.*|find\s+us\s+on\b.*",
    r"advertisements?|advertising|ad|sponsored(?:\s+content)?",
    r"(?:story\s+)?continues\s+below(?:\s+(?:this\s+)?advertisement)?",
    r"scroll\s+(?:down\s+)?to\s+continue\b.*|continue\s+reading(?:\s+below)?",
    r"(?:read\s+(?:more|also|next|the\s+full\s+(?:story|article))|also\s+read|see\s+also"
    r"|more\s+on\s+this(?:\s+story)?|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like"
    r"|(?:more\s+)?related)(?:\s*[:»›>|].*)?",
    r"related\s+(?:articles?|stories|posts|news|content|topics|coverage|reading|links)"
    r"(?:\s*:.*)?",
    r"(?:click|tap)\s+here\b.*",
    r".*\ball\s+rights\s+reserved\b.*",
    r"©.*|copyright\s+(?:©\s*)?\d{4}\b.*",
    r"(?:tags?|tagged(?:\s+(?:with|in|as))?|topics|filed\s+under|categories|keywords)\s*:.*",
    r"(?:\d+\s+)?comments?|comments\s+are\s+closed\b.*",
    r"(?:view|show|read)\s+(?:all\s+|the\s+)?comments?\b.*",
    r"loading(?:\.\.\.|…)?",
    r"(?:photo|image|picture)\s+(?:credits?|source)\s*:.*",
)

#: Whole short lines that are web boilerplate, not article text. Each pattern is
#: matched (case-insensitively) against a whole line with leading and trailing
#: symbols (bullets, arrows, emoji) removed, and only on lines of fewer than
#: 25 words, so a sentence that merely mentions "subscribe" is never removed.
#: The first ``len(_PROMPTS)`` are prompts to act (see ``_remove_boilerplate``).
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE) for p in _PROMPTS + _FURNITURE
)
_N_PROMPTS = len(_PROMPTS)

_MAX_BOILERPLATE_WORDS = 25
_MAX_BOILERPLATE_CHARS = 300
_MAX_CTA_WORDS = 4
_EDGE_SYMBOLS = re.compile(r"^[^\w©]+|[^\w©]+$")
_FINAL_PUNCTUATION = ".!?\"”’'…)"


def _boilerplate_kind(line: str) -> str | None:
    """``"prompt"`` or ``"furniture"`` for a boilerplate line, else ``None``."""
    if len(line) > _MAX_BOILERPLATE_CHARS or len(line.split()) >= _MAX_BOILERPLATE_WORDS:
        return None
    core = _EDGE_SYMBOLS.sub("", line)
    if not core:
        return None
    for i, pattern in enumerate(BOILERPLATE_PATTERNS):
        if pattern.fullmatch(core):
            return "prompt" if i < _N_PROMPTS else "furniture"
    return None


def _is_call_to_action(line: str) -> bool:
    """A very short line without final punctuation ("I register", "Got it")."""
    return len(line.split()) <= _MAX_CTA_WORDS and not line.endswith(tuple(_FINAL_PUNCTUATION))


def _remove_boilerplate(lines: list[str]) -> list[str]:
    """Drop boilerplate lines (blank lines are kept).

    The next non-blank line after a prompt (a newsletter or cookie notice) is
    dropped too when it is a short call to action such as "I register" or
    "Got it"; after navigation or advertising lines nothing more is dropped,
    so that a short headline after "Skip to content" survives.
    """
    kept: list[str] = []
    after_prompt = False
    for line in lines:
        if not line:
            kept.append(line)
            continue
        kind = _boilerplate_kind(line)
        if kind is not None:
            after_prompt = after_prompt or kind == "prompt"
            continue
        if after_prompt and _is_call_to_action(line):
            after_prompt = False
            continue
        after_prompt = False
        kept.append(line)
    return kept


# --------------------------------------------------------------------------- Markdown

_MD_FENCE = re.compile(r"(?:```|~~~)")
_MD_HEADING = re.compile(r"#{1,6}\s+(.*)")
_MD_SETEXT = re.compile(r"=+|-+")
_MD_RULE = re.compile(r"([-*_])(?:\s*\1){2,}")
_MD_REF_DEF = re.compile(r"\[[^\]]+\]:\s*\S+.*")
_MD_QUOTE = re.compile(r"^(?:>\s?)+")
_MD_BULLET = re.compile(r"^[-*+]\s+(?:\[[ xX]\]\s+)?")
# Markup removed from each line: (pattern, replacement, closer). Every pattern runs in
# time linear in the line, whatever the text: bracketed parts stop at the next opening
# bracket, and a pattern with a lazy ``.+?`` (which would scan to the end of the line
# from every opener that has no closer) runs only up to the end of its last closer.
_MD_INLINE: tuple[tuple[re.Pattern[str], str, re.Pattern[str] | None], ...] = tuple(
    (re.compile(pattern), repl, re.compile(closer) if closer else None)
    for pattern, repl, closer in (
        (r"<!--.*?-->", "", r"-->"),
        (r"!\[[^\[\]]*\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)", "", None),
        (r"!\[[^\[\]]*\]\[[^\[\]]*\]", "", None),
        (r"\[([^\[\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)", r"\1", None),
        (r"\[([^\[\]]+)\]\[[^\[\]]*\]", r"\1", None),
        (r"<((?:https?://|mailto:)[^<>\s]+)>", r"\1", None),
        (r"</?[A-Za-z][^<>\n]*>", "", None),
        (r"`([^`]+)`", r"\1", None),
        (r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", r"(?<=\S)\*\*"),
        (r"__(?=\S)(.+?)(?<=\S)__", r"\1", r"(?<=\S)__"),
        (r"\*(?=\S)(.+?)(?<=\S)\*", r"\1", r"(?<=\S)\*"),
        (r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", r"\1", r"(?<=\S)_(?!\w)"),
        (r"~~(.+?)~~", r"\1", r"~~"),
        (r"\\([\\`*_{}\[\]()#+\-.!>~|])", r"\1", None),
    )
)


def _strip_inline_markdown(line: str) -> str:
    """Remove inline Markdown (links, images, emphasis, code, HTML tags) from one line.

    >>> _strip_inline_markdown("**Acme** [hired](https://x.org) _Jo_ <b>`now`</b>")
    'Acme hired Jo now'
    """
    for pattern, repl, closer in _MD_INLINE:
        if closer is None:
            line = pattern.sub(repl, line)
            continue
        # An opener before the last closer always finds a closer, and its match ends
        # there; openers after it cannot match, so they are not tried.
        cut = 0
        for match in closer.finditer(line):
            cut = match.end()
        if cut:
            line = pattern.sub(repl, line[:cut]) + line[cut:]
    return line


def _heading(line: str) -> str | None:
    """The words of an ATX heading line (``## Title ##``), or None if it is not one.

    >>> _heading("## Acme hires ##"), _heading("# C#"), _heading("#hashtag")
    ('Acme hires', 'C#', None)
    """
    match = _MD_HEADING.fullmatch(line)
    if match is None:
        return None
    words = match.group(1).rstrip()
    bare = words.rstrip("#")
    if bare != words and (not bare or bare[-1].isspace()):
        words = bare.rstrip()  # a closing sequence of #s
    return words


def _strip_markdown(text: str) -> tuple[list[str], str | None]:
    """Markdown to plain lines; also the leading heading, if the text starts with one."""
    out: list[str] = []
    title: str | None = None
    in_fence = False
    content_seen = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if _MD_FENCE.match(stripped):
            in_fence = not in_fence
            out.append("")  # code blocks are paragraphs of their own
            continue
        if in_fence:
            out.append(raw)
            content_seen = content_seen or bool(stripped)
            continue
        heading = _heading(stripped)
        if heading is not None:
            words = _strip_inline_markdown(heading).strip()
            if not content_seen and words:
                title = words
            out.extend(["", words, ""])
            content_seen = content_seen or bool(words)
            continue
        if stripped and _MD_SETEXT.fullmatch(stripped) and out and out[-1].strip():
            words = out.pop()  # "Title\n=====" is a heading
            if title is None and not any(line.strip() for line in out):
                title = words.strip()
            out.extend(["", words, ""])
            continue
        if _MD_RULE.fullmatch(stripped) or _MD_REF_DEF.fullmatch(stripped):
            out.append("")
            continue
        line = _MD_QUOTE.sub("", stripped, count=1) if stripped.startswith(">") else stripped
        line = _MD_BULLET.sub("", line, count=1)
        line = _strip_inline_markdown(line)
        out.append(line)
        content_seen = content_seen or bool(line.strip())
    return out, title


# --------------------------------------------------------------------------- paragraphs

_LIST_ITEM = re.compile(r"(?:[-*+•·–]|\d{1,3}[.)])\s")
_WRAP_MIN, _WRAP_MAX, _WRAP_SPREAD = 40, 100, 30
_MAX_TITLE_CHARS = 200


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group lines into paragraphs at blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _paragraph(lines: list[str]) -> str:
    """Join a paragraph's lines; hard-wrapped prose is rejoined into one line."""
    if len(lines) > 1 and not any(_LIST_ITEM.match(line) for line in lines):
        widths = [len(line) for line in lines[:-1]]
        if (
            min(widths) >= _WRAP_MIN
            and max(widths) <= _WRAP_MAX
            and max(widths) - min(widths) <= _WRAP_SPREAD
        ):
            return " ".join(lines)
    return "\n".join(lines)


def _heuristic_title(blocks: list[list[str]]) -> str | None:
    """A short first line, without a final period, standing alone before the body."""
    if len(blocks) < 2 or len(blocks[0]) != 1:
        return None
    line = blocks[0][0]
    if (
        len(line) >= _MAX_TITLE_CHARS
        or line.endswith((".", ":", ",", ";"))
        or not any(ch.isalpha() for ch in line)
    ):
        return None
    return line


def _assemble(lines: list[str], *, name: str) -> tuple[str, list[list[str]]]:
    """Whitespace-normalise lines, drop boilerplate, and join paragraphs with a blank line."""
    lines = [_HSPACE.sub(" ", line).strip() for line in lines]
    blocks = _blocks(_remove_boilerplate(lines))
    text = unicodedata.normalize("NFC", "\n\n".join(_paragraph(block) for block in blocks))
    if not text:
        raise EmptyInputError(f"{name}: no article text (the file is empty or only boilerplate)")
    return text, blocks


def _clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = unicodedata.normalize("NFC", _HSPACE.sub(" ", normalise_unicode(title)).strip())
    return title or None


# --------------------------------------------------------------------------- articles


def article_from_text(
    text: str, *, id: str, source: str | None = None, markdown: bool = False
) -> Article:
    """Clean a plain-text (or Markdown) article and read its metadata.

    Leading metadata (``date 2018-07-04 ...``, ``title: ...`` lines, a ``---``
    front-matter block) is moved into the record; a short first line standing
    alone (or a leading Markdown heading) becomes the title but stays in the
    text; boilerplate lines (:data:`BOILERPLATE_PATTERNS`) are removed.

    Args:
        text: the article as read from its file.
        id: the article id.
        source: where it came from, for provenance.
        markdown: strip Markdown markup first.

    Returns:
        The article.

    Raises:
        EmptyInputError: nothing but whitespace, metadata or boilerplate.

    >>> a = article_from_text("Xiaomi enters Europe\\n\\nXiaomi said...\\n\\nBack to top", id="a")
    >>> a.title, a.text
    ('Xiaomi enters Europe', 'Xiaomi enters Europe\\n\\nXiaomi said...')
    """
    name = source or id
    meta, body = _take_metadata(normalise_unicode(text))
    heading: str | None = None
    if markdown:
        lines, heading = _strip_markdown(body)
    else:
        lines = body.split("\n")
    cleaned, blocks = _assemble(lines, name=name)
    title = meta.title or heading or _heuristic_title(blocks)
    return Article(
        id=id,
        text=cleaned,
        title=_clean_title(title),
        date=meta.date,
        url=meta.url,
        publisher=_clean_title(meta.publisher),
        source=source,
    )


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DROP_TAGS = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "form",
    "iframe",
    "svg",
    "button",
)
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table",
        "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption",
        "hr", "address",
    }
)  # fmt: skip


def _html_fallback(html: str) -> tuple[str, str | None]:
    """The ``<body>`` text without scripts, styles and page furniture, and the ``<title>``."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return "", None
    titles = root.xpath("//title")
    title = titles[0].text_content().strip() if titles else None
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        element.drop_tree()
    bodies = root.xpath("//body")
    body = bodies[0] if bodies else root
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
    return str(body.text_content()), title or None


# Elements whose content a browser never shows as text: scripts (JSON-LD metadata
# excepted), style sheets and inert templates. trafilatura drops most of them itself,
# but not the content of <template>.
_CODE_ELEMENTS = "//script[not(@type='application/ld+json')]|//style|//template"


def _without_code(html: str) -> object:
    """The page as trafilatura parses it, less :data:`_CODE_ELEMENTS` (the text if unparsable)."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return html
    for element in tree.xpath(_CODE_ELEMENTS):
        element.drop_tree()
    return tree


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def article_from_html(html: str, *, id: str, source: str | None = None) -> Article:
    """Extract the main text and metadata of a web page.

    The text comes from trafilatura (comments and tables left out, precision
    favoured), or, when it finds nothing, from the ``<body>`` with scripts,
    styles, navigation, headers and footers removed. The title (when the text
    does not already start with it) is put in front of the text, as in plain
    text articles.

    Args:
        html: the page.
        id: the article id.
        source: where it came from, for provenance.

    Returns:
        The article.

    Raises:
        EmptyInputError: the page has no text.

    >>> page = "<html><body><nav>Home</nav><p>Xiaomi is based in Beijing.</p></body></html>"
    >>> article_from_html(page, id="p").text
    'Xiaomi is based in Beijing.'
    """
    import trafilatura
    from lxml import etree

    name = source or id
    # lxml refuses control characters; the text is normalised anyway
    html = _XML_DECLARATION.sub("", normalise_unicode(html), count=1)
    meta = _Meta()
    text = ""
    try:
        page = _without_code(html)
        doc = trafilatura.bare_extraction(
            page,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
        )
    except (etree.LxmlError, ValueError):  # trafilatura gives up on some broken pages
        doc = None
    if doc is not None and not isinstance(doc, dict):
        text = doc.text or ""
        meta = _Meta(
            title=doc.title or None,
            date=normalise_date(doc.date) if doc.date else None,
            url=doc.url or None,
            publisher=doc.sitename or None,
        )
    fallback_title = None
    if not text.strip():
        text, fallback_title = _html_fallback(html)
    title = _clean_title(meta.title or fallback_title)
    # trafilatura gives one paragraph a line
    lines = [part for line in normalise_unicode(text).split("\n") for part in (line, "")]
    cleaned, _ = _assemble(lines, name=name)
    first = cleaned.split("\n\n", 1)[0]
    if title and not (_same_words(title, first) or title.casefold() in first.casefold()):
        cleaned = f"{title}\n\n{cleaned}"
    return Article(
        id=id,
        text=cleaned,
        title=title,
        date=meta.date,
        url=meta.url,
        publisher=_clean_title(meta.publisher),
        source=source,
    )


# --------------------------------------------------------------------------- JSON Lines

_JSONL_FIELDS = ("title", "date", "url", "publisher")


def _jsonl_articles(
    data: str, *, path: str, stem: str, seen: dict[str, str], max_chars: int | None = None
) -> Iterator[Article]:
    """The articles of a JSON Lines file; every bad line is found before any is reported."""
    articles: list[Article] = []
    bad: list[tuple[int, str]] = []
    found = False
    for lineno, line in enumerate(data.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        found = True
        try:
            article = _jsonl_article(line, lineno, path=path, stem=stem, max_chars=max_chars)
        except _BadLine as err:
            bad.append((lineno, str(err)))
            continue
        previous = seen.get(article.id)
        if previous is not None:
            prev_path, _, prev_line = previous.rpartition(":")
            where = f"on line {prev_line}" if prev_path == path else f"by {previous}"
            bad.append(
                (lineno, f'the id "{article.id}" was already used {where}; ids must be unique')
            )
            continue
        seen[article.id] = f"{path}:{lineno}"
        articles.append(article)
    if bad:
        first, why = bad[0]
        raise JSONLError(path, first, why, others=tuple(n for n, _ in bad[1:]))
    if not found:
        raise EmptyInputError(f"{path}: no articles (every line is blank)")
    yield from articles


class _BadLine(Exception):
    """Why one line of a JSON Lines file cannot be used (reported as a :class:`JSONLError`)."""


def _jsonl_article(
    line: str, lineno: int, *, path: str, stem: str, max_chars: int | None
) -> Article:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise _BadLine(f"not valid JSON: {err.msg} (column {err.colno})") from err
    except (ValueError, RecursionError) as err:
        raise _BadLine(f"not valid JSON: {err}") from err
    if not isinstance(obj, dict):
        raise _BadLine(f"expected a JSON object, got {_json_kind(obj)}")
    if "text" not in obj:
        raise _BadLine('the object has no "text"')
    if not isinstance(obj["text"], str):
        raise _BadLine(f'"text" must be a string, not {_json_kind(obj["text"])}')
    text = normalise_unicode(obj["text"])
    if not text.strip():
        raise _BadLine('"text" is empty')
    if max_chars and len(text) > max_chars:
        raise _BadLine(f'"text" is {_too_long(len(text), max_chars)}')
    raw_id = obj.get("id")
    if raw_id is None:
        article_id = f"{stem}-{lineno}"
    elif isinstance(raw_id, str) and _clean_id(raw_id):
        article_id = _clean_id(raw_id)
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        article_id = str(raw_id)
    else:
        raise _BadLine('"id" must be a non-empty string or an integer')
    if article_id in RESERVED_IDS:
        raise _BadLine(_reserved(article_id, 'give the article another "id"'))
    fields: dict[str, str | None] = {}
    for key in _JSONL_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise _BadLine(f'"{key}" must be a string, not {_json_kind(value)}')
        fields[key] = _clean_title(value) if value else None
    if fields["date"] is not None:
        iso = normalise_date(fields["date"])
        if iso is None:
            raise _BadLine(f'"date" {fields["date"]!r} is not a date; use YYYY-MM-DD')
        fields["date"] = iso
    return Article(id=article_id, text=text, source=f"{path}:{lineno}", **fields)


def _clean_id(raw: str) -> str:
    """A JSON Lines id as one line of visible text: normalised, white space collapsed.

    >>> _clean_id("  doc\\u200b 7\\n(draft) ")
    'doc 7 (draft)'
    """
    return " ".join(normalise_unicode(raw).split())


def _reserved(article_id: str, fix: str) -> str:
    return f'the id "{article_id}" is reserved for a graph of kg\'s own; {fix}'


def _too_long(chars: int, limit: int) -> str:
    return (
        f"{chars:,} characters long, more than the {limit:,} kg reads in one article; "
        "split it into articles, or raise the limit with --max-chars"
    )


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")


# --------------------------------------------------------------------------- files


def _is_hidden(path: Path, root: Path | None = None) -> bool:
    parts = path.relative_to(root).parts if root is not None else (path.name,)
    return any(part.startswith(".") and part not in {".", ".."} for part in parts)


def _is_article_file(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file()


def _scan_folder(folder: Path) -> list[Path]:
    """The article files under ``folder``, sorted; hidden files and folders are skipped.

    A folder that cannot be listed, or a broken link to an article file, is an
    error, not a silent gap in the corpus. Symbolic links to files are read;
    links to folders are not followed.
    """

    def unreadable(err: OSError) -> None:
        where = Path(err.filename).as_posix() if err.filename else folder.as_posix()
        raise InputError(
            f"{where}: this folder cannot be read ({err.strerror or err}); check its "
            "permissions, or leave it out"
        ) from err

    found = []
    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root, name)
            if name.startswith(".") or path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            try:
                mode = path.stat().st_mode
            except FileNotFoundError as err:  # a link to nothing
                raise InputError(
                    f"{path.as_posix()}: a link to a file that does not exist; fix or remove "
                    "the link"
                ) from err
            except OSError as err:
                raise InputError(
                    f"{path.as_posix()}: cannot be read ({err.strerror or err}); check its "
                    "permissions and those of its folder"
                ) from err
            if stat.S_ISREG(mode):
                found.append(path)
    return sorted(found)


_GLOB_MAGIC = re.compile(r"[*?[]")


def collect_paths(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[Path]:
    """Expand files, folders and glob patterns into the article files to read.

    Folders are searched recursively for files ending in
    :data:`SUPPORTED_SUFFIXES`, skipping hidden files and folders; glob
    patterns (``corpus/*.txt``, ``data/**/*.md``) are expanded. Each folder's
    or pattern's files are sorted; a file reached twice is kept once.

    Args:
        paths: paths as given by the user (one path is accepted too).

    Returns:
        The files, in a deterministic order.

    Raises:
        InputNotFoundError: a path does not exist.
        EmptyInputError: a folder or pattern holds no article file.
        UnsupportedFormatError: a file given by name is not a supported kind.

    >>> [p.name for p in collect_paths(sample_corpus()[:1])] == [sample_corpus()[0].name]
    True
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: list[Path] = []
    reached: set[Path] = set()
    for item in paths:
        given = os.fspath(item)
        path = Path(given)
        if path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise UnsupportedFormatError(
                    f"{given}: kg reads {_SUFFIX_LIST} files; convert the file, or rename it "
                    "to .txt if it is plain text"
                )
            found = [path]
        elif path.is_dir():
            found = _scan_folder(path)
            if not found:
                raise EmptyInputError(
                    f"{given}: no article files in this folder (kg reads {_SUFFIX_LIST} "
                    "files; hidden files are skipped)"
                )
        elif _GLOB_MAGIC.search(given):
            found = []
            for match in sorted(Path(m) for m in glob.glob(given, recursive=True)):
                if match.is_dir():
                    found.extend(_scan_folder(match))
                elif _is_article_file(match) and not _is_hidden(match):
                    found.append(match)
            if not found:
                raise EmptyInputError(
                    f"{given}: the pattern matches no article files (kg reads {_SUFFIX_LIST} "
                    "files). Check the pattern; quote it so that the shell does not expand it"
                )
        elif path.exists():
            raise InputError(
                f"{given}: not a file or a folder (a pipe, socket or device); kg reads "
                f"{_SUFFIX_LIST} files"
            )
        else:
            raise InputNotFoundError(given)
        for file in found:
            key = file.resolve()
            if key not in reached:
                reached.add(key)
                files.append(file)
    if not files:
        raise EmptyInputError("no input given: name article files, folders or glob patterns")
    return files


#: Unicode categories kept in a file's id beyond ASCII: letters, marks, numbers, symbols.
_ID_CATEGORIES = frozenset("LMNS")


def file_id(name: str) -> str:
    """The article id of a file name: its stem, NFC, with the characters an id cannot hold
    replaced.

    ASCII letters, digits and ``._-`` are kept, and so are the letters, marks,
    digits and symbols of every other script (ids are percent-encoded in IRIs,
    :func:`kg.graph.iri_segment`); any run of other characters (spaces,
    punctuation, controls) becomes one ``_``, and ``._`` are trimmed from the
    ends. Names that are the same text in NFC and NFD (``Müller`` typed with
    a combining diaeresis, as macOS stores it) give the same id; names that
    differ only in case give different ids. A name with nothing left is
    ``doc``. Two files of one build with one id are refused (and so is ``kg
    add`` of a file whose id another file of the build has).

    >>> file_id("000_1b3bd0faa09d64f8.txt"), file_id("Café report (1).txt")
    ('000_1b3bd0faa09d64f8', 'Café_report_1')
    >>> file_id("东京.txt"), file_id("القاهرة.md"), file_id("Mu\u0308ller.txt") == "Müller"
    ('东京', 'القاهرة', True)
    """
    chars: list[str] = []
    for c in unicodedata.normalize("NFC", Path(name).stem):
        if _id_char(c):
            chars.append(c)
        elif chars[-1:] != ["\x00"]:
            chars.append("\x00")  # a run of characters an id cannot hold: one "_"
    return "".join(chars).replace("\x00", "_").strip("._") or "doc"


def _id_char(c: str) -> bool:
    """Whether a character can be part of a file's id (ASCII: letters, digits, ``._-``)."""
    if c.isascii():
        return c.isalnum() or c in "._-"
    return unicodedata.category(c)[0] in _ID_CATEGORIES


def _file_id(path: Path) -> str:
    return file_id(path.name)


_JSONL_SOURCE = re.compile(r"\.jsonl:\d+$", re.IGNORECASE)


def _source_name(source: str | None) -> str | None:
    """The file name an article's source gives, NFC and without suffix (None: a JSON Lines
    record, whose id was given, or no source)."""
    if source is None or _JSONL_SOURCE.search(source):
        return None
    return unicodedata.normalize("NFC", Path(source).stem)


def check_replacements(kept: Mapping[str, Article], articles: Iterable[Article]) -> None:
    """Refuse to let an article replace a kept one of the same id from a file of another name.

    ``kg add`` replaces an article of the build with a new version of the same
    id; that is right for the same file name (in any folder, with any
    suffix) and for JSON Lines records, whose ids are given. Two file names
    whose ids meet (``a b.txt`` and ``a,b.txt`` are both ``a_b``) are two
    articles: one would silently replace the other.

    Raises:
        InputError: naming both files.

    >>> kept = {"a_b": Article("a_b", "x", source="old/a b.txt")}
    >>> check_replacements(kept, [Article("a_b", "y", source="new/a b.md")])
    >>> check_replacements(kept, [Article("a_b", "y", source="new/a,b.txt")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.InputError: new/a,b.txt gives the article id "a_b" of old/a b.txt ...
    """
    for article in articles:
        old = kept.get(article.id)
        if old is None or old.source == article.source:
            continue
        before, now = _source_name(old.source), _source_name(article.source)
        if before == now and (before is not None or _JSONL_SOURCE.search(article.source or "")):
            continue
        raise InputError(
            f'{article.source} gives the article id "{article.id}" of {old.source} in the '
            "build, a file of another name, and would replace it: rename the file (or "
            f"`kg remove {article.id}` first if it is a new version)"
        )


def _source_of(path: Path) -> str:
    """The path as given, except that sample articles are always ``corpus/<name>``."""
    try:
        if path.resolve().parent == _sample_folder():
            return f"corpus/{path.name}"
    except (OSError, EmptyInputError):
        pass
    return path.as_posix()


def _read_bytes(path: Path, name: str, limit: int | None, max_chars: int | None) -> bytes:
    """The file's bytes; a file over ``limit`` bytes is refused before it is read."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if limit is not None and size > limit:
                raise ArticleTooLongError(
                    f"{name}: {size / 1e6:,.1f} MB, far more than one article of at most "
                    f"{max_chars:,} characters; split it into articles, or raise the limit "
                    "with --max-chars"
                )
            return handle.read()
    except OSError as err:
        advice = "; check its permissions" if err.errno in {errno.EACCES, errno.EPERM} else ""
        raise InputError(f"{name}: cannot be read ({err.strerror or err}){advice}") from err


def _read_file(
    path: Path, encoding: str | None, seen: dict[str, str], max_chars: int | None = None
) -> Iterator[Article]:
    source = _source_of(path)
    name = path.as_posix()
    suffix = path.suffix.lower()
    limit = None
    if max_chars and suffix != ".jsonl":  # a JSON Lines file holds any number of articles
        limit = max_chars * _BYTES_PER_CHAR.get(suffix, _TEXT_BYTES_PER_CHAR) + _BYTES_SLACK
    data = _read_bytes(path, name, limit, max_chars)
    if suffix == ".jsonl":
        text = _decode(data, name, encoding)
        yield from _jsonl_articles(
            text, path=source, stem=_file_id(path), seen=seen, max_chars=max_chars
        )
        return
    article_id = _file_id(path)
    if article_id in RESERVED_IDS:
        raise InputError(f"{name}: {_reserved(article_id, 'rename the file')}")
    if article_id in seen:
        raise InputError(
            f'{seen[article_id]} and {source} both give the article id "{article_id}"; '
            "ids come from file names and must be unique in a build: rename one of the files"
        )
    if suffix in {".html", ".htm"}:
        html = _decode(data, name, encoding, html=True)
        article = article_from_html(html, id=article_id, source=source)
    else:
        text = _decode(data, name, encoding)
        if not text.strip():
            raise EmptyInputError(f"{name}: the file is empty")
        article = article_from_text(text, id=article_id, source=source, markdown=suffix == ".md")
    if max_chars and len(article.text) > max_chars:
        raise ArticleTooLongError(
            f"{name}: the article is {_too_long(len(article.text), max_chars)}"
        )
    seen[article_id] = source
    yield article


def read_articles(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    encoding: str | None = None,
    max_chars: int | None = MAX_CHARS,
) -> Iterator[Article]:
    """Read articles from files, folders and glob patterns.

    ``.txt`` and ``.md`` files are cleaned (:func:`article_from_text`),
    ``.html``/``.htm`` pages reduced to their main text
    (:func:`article_from_html`), and ``.jsonl`` files give one article per
    line (``{"id": ..., "text": ..., "title"/"date"/"url"/"publisher": ...}``).
    A file's id is its name without suffix; a JSON Lines article without an
    ``id`` gets ``<file name>-<line number>``.

    Paths are checked at once; files are read one by one as the iterator is
    consumed.

    Args:
        paths: files, folders or glob patterns (see :func:`collect_paths`).
        encoding: the text encoding of the files; by default UTF-8 (UTF-16
            and UTF-32 files with a byte-order mark, and English UTF-16 text
            without one, are recognised).
        max_chars: the longest article to accept, in characters of cleaned
            text (``None`` or 0: no limit). Files far bigger than that are
            refused before they are read.

    Returns:
        An iterator of articles, in the order of :func:`collect_paths`.

    Raises:
        InputError: a path, file or line cannot be used (subclasses say why);
            also when two inputs give the same id, or an id is one of
            :data:`RESERVED_IDS`.
        ArticleTooLongError: an article is longer than ``max_chars``.

    >>> articles = list(read_articles(sample_corpus()))
    >>> all(a.source.startswith("corpus/") and a.text for a in articles)
    True
    """
    files = collect_paths(paths)
    if encoding is not None:
        _check_encoding(encoding)
    if max_chars is not None and max_chars < 0:
        raise InputError(f"the article limit must be 0 (none) or more, not {max_chars}")
    return _read_all(files, encoding, max_chars or None)


def _read_all(files: list[Path], encoding: str | None, max_chars: int | None) -> Iterator[Article]:
    seen: dict[str, str] = {}
    for path in files:
        yield from _read_file(path, encoding, seen, max_chars)


# --------------------------------------------------------------------------- sample corpus


@cache
def _sample_files() -> tuple[Path, ...]:
    try:
        entries = list(importlib.resources.files("kg._corpus").iterdir())
    except (ImportError, OSError, TypeError, ValueError):
        # not installed, or an editable install whose namespace package has no folder
        entries = []
    files = [e for e in entries if isinstance(e, Path) and e.suffix == ".txt" and e.is_file()]
    if not files:
        source_tree = Path(__file__).resolve().parents[1] / "corpus"
        files = list(source_tree.glob("*.txt")) if source_tree.is_dir() else []
    return tuple(sorted(f for f in files if not f.name.startswith(".")))


def _sample_folder() -> Path:
    files = _sample_files()
    if not files:
        raise EmptyInputError(
            "the sample corpus is not installed: reinstall kg, or name article files to read"
        )
    return files[0].resolve().parent


def sample_corpus() -> list[Path]:
    """Return the sample articles shipped with ``kg`` (the package ``kg._corpus``).

    Returns:
        The sample files, sorted by name.

    Raises:
        EmptyInputError: the sample corpus is not installed.

    >>> all(p.suffix == ".txt" for p in sample_corpus())
    True
    """
    _sample_folder()
    return list(_sample_files())
