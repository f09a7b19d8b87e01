"""Reading articles from paths (:func:`read_articles`): size limits, unique ids, sample corpus."""

from __future__ import annotations

import errno
import importlib.resources
import os
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

from kg.errors import (
    ArticleTooLongError,
    EmptyInputError,
    InputError,
)
from kg.ingest.decode import check_encoding, decode
from kg.ingest.html import article_from_html
from kg.ingest.jsonl import jsonl_articles, reserved_id_hint, too_long
from kg.ingest.paths import JSONL_SOURCE, RESERVED_IDS, collect_paths, path_id, source_name
from kg.ingest.text import article_from_text
from kg.types import Article

__all__ = [
    "MAX_CHARS",
    "check_replacements",
    "read_articles",
    "sample_corpus",
]


#: The longest article (in characters of cleaned text) a build reads by default: spaCy's
#: own ``nlp.max_length``. ``kg build --max-chars N`` changes it (0: no limit).
MAX_CHARS = 1_000_000


# Files larger than this many bytes a character of the limit are refused unread: four
# (UTF-8 and UTF-32) for text, more for HTML, whose markup may far outweigh its text.
_BYTES_PER_CHAR = {".html": 32, ".htm": 32}


_TEXT_BYTES_PER_CHAR = 4


_BYTES_SLACK = 1 << 16


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
        before, now = source_name(old.source), source_name(article.source)
        if before == now and (before is not None or JSONL_SOURCE.search(article.source or "")):
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
        text = decode(data, name, encoding)
        yield from jsonl_articles(
            text, path=source, stem=path_id(path), seen=seen, max_chars=max_chars
        )
        return
    article_id = path_id(path)
    if article_id in RESERVED_IDS:
        raise InputError(f"{name}: {reserved_id_hint(article_id, 'rename the file')}")
    if article_id in seen:
        raise InputError(
            f'{seen[article_id]} and {source} both give the article id "{article_id}"; '
            "ids come from file names and must be unique in a build: rename one of the files"
        )
    if suffix in {".html", ".htm"}:
        html = decode(data, name, encoding, html=True)
        article = article_from_html(html, id=article_id, source=source)
    else:
        text = decode(data, name, encoding)
        if not text.strip():
            raise EmptyInputError(f"{name}: the file is empty")
        article = article_from_text(text, id=article_id, source=source, markdown=suffix == ".md")
    if max_chars and len(article.text) > max_chars:
        raise ArticleTooLongError(
            f"{name}: the article is {too_long(len(article.text), max_chars)}"
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
        check_encoding(encoding)
    if max_chars is not None and max_chars < 0:
        raise InputError(f"the article limit must be 0 (none) or more, not {max_chars}")
    return _read_all(files, encoding, max_chars or None)


def _read_all(files: list[Path], encoding: str | None, max_chars: int | None) -> Iterator[Article]:
    seen: dict[str, str] = {}
    for path in files:
        yield from _read_file(path, encoding, seen, max_chars)


@cache
def _sample_files() -> tuple[Path, ...]:
    try:
        entries = list(importlib.resources.files("kg._corpus").iterdir())
    except (ImportError, OSError, TypeError, ValueError):
        # not installed, or an editable install whose namespace package has no folder
        entries = []
    files = [e for e in entries if isinstance(e, Path) and e.suffix == ".txt" and e.is_file()]
    if not files:
        source_tree = Path(__file__).resolve().parents[2] / "corpus"
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
