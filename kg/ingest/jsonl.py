"""Articles from JSON Lines files: one object a line, text taken as given (Unicode normalised)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from kg.errors import (
    EmptyInputError,
    JSONLError,
)
from kg.ingest.clean import clean_title
from kg.ingest.decode import normalise_unicode
from kg.ingest.metadata import normalise_date
from kg.ingest.paths import RESERVED_IDS
from kg.types import Article

__all__ = [
    "jsonl_articles",
    "reserved_id_hint",
    "too_long",
]


_JSONL_FIELDS = ("title", "date", "url", "publisher")


def jsonl_articles(
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
        raise _BadLine(f'"text" is {too_long(len(text), max_chars)}')
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
        raise _BadLine(reserved_id_hint(article_id, 'give the article another "id"'))
    fields: dict[str, str | None] = {}
    for key in _JSONL_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise _BadLine(f'"{key}" must be a string, not {_json_kind(value)}')
        fields[key] = clean_title(value) if value else None
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


def reserved_id_hint(article_id: str, fix: str) -> str:
    return f'the id "{article_id}" is reserved for a graph of kg\'s own; {fix}'


def too_long(chars: int, limit: int) -> str:
    return (
        f"{chars:,} characters long, more than the {limit:,} kg reads in one article; "
        "split it into articles, or raise the limit with --max-chars"
    )


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")
