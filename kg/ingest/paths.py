"""Input paths: folders and glob patterns expanded, hidden files skipped; ids from file names."""

from __future__ import annotations

import glob
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from kg.errors import (
    EmptyInputError,
    InputError,
    InputNotFoundError,
    UnsupportedFormatError,
)

__all__ = [
    "JSONL_SOURCE",
    "RESERVED_IDS",
    "SUPPORTED_SUFFIXES",
    "collect_paths",
    "file_id",
    "path_id",
    "source_name",
]


#: File suffixes read from folders and glob patterns (compared case-insensitively).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl")


_SUFFIX_LIST = ", ".join(SUPPORTED_SUFFIXES[:-1]) + " and " + SUPPORTED_SUFFIXES[-1]


#: Article ids that would name kg's own graphs (``<base>graph/quarantine``, ``…/inferred``,
#: ``…/candidates``).
RESERVED_IDS = frozenset({"quarantine", "inferred", "candidates"})


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

    >>> from kg.ingest.read import sample_corpus
    >>> [p.name for p in collect_paths(sample_corpus()[:1])] == [sample_corpus()[0].name]
    True
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: list[Path] = []
    reached: set[Path] = set()
    for item in paths:
        for file in _expand(os.fspath(item)):
            key = file.resolve()
            if key not in reached:
                reached.add(key)
                files.append(file)
    if not files:
        raise EmptyInputError("no input given: name article files, folders or glob patterns")
    return files


def _expand(given: str) -> list[Path]:
    """The article files of one path as given: a file, a folder or a glob pattern."""
    path = Path(given)
    if path.is_file():
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UnsupportedFormatError(
                f"{given}: kg reads {_SUFFIX_LIST} files; convert the file, or rename it "
                "to .txt if it is plain text"
            )
        return [path]
    if path.is_dir():
        found = _scan_folder(path)
        if not found:
            raise EmptyInputError(
                f"{given}: no article files in this folder (kg reads {_SUFFIX_LIST} "
                "files; hidden files are skipped)"
            )
        return found
    if _GLOB_MAGIC.search(given):
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
        return found
    if path.exists():
        raise InputError(
            f"{given}: not a file or a folder (a pipe, socket or device); kg reads "
            f"{_SUFFIX_LIST} files"
        )
    raise InputNotFoundError(given)


#: Unicode categories kept in a file's id beyond ASCII: letters, marks, numbers, symbols.
_ID_CATEGORIES = frozenset("LMNS")


def file_id(name: str) -> str:
    """The article id of a file name: its stem, NFC, with the characters an id cannot hold
    replaced.

    ASCII letters, digits and ``._-`` are kept, and so are the letters, marks,
    digits and symbols of every other script (ids are percent-encoded in IRIs,
    :func:`kg.graph.records.iri_segment`); any run of other characters (spaces,
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


def path_id(path: Path) -> str:
    return file_id(path.name)


JSONL_SOURCE = re.compile(r"\.jsonl:\d+$", re.IGNORECASE)


def source_name(source: str | None) -> str | None:
    """The file name an article's source gives, NFC and without suffix (None: a JSON Lines
    record, whose id was given, or no source)."""
    if source is None or JSONL_SOURCE.search(source):
        return None
    return unicodedata.normalize("NFC", Path(source).stem)
