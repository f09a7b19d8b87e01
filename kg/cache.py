"""Work kept between runs in the user's cache folder, under a digest of what it was made from.

Loading the extraction pipeline remakes the same things every time (the
gazetteer's phrase patterns, tokenized: :mod:`kg.extract.phrases`). A cache
file holds one such result under its key, a digest of everything the result
depends on, so a stale file is never read for a new input: it is simply not
found. Each file is written atomically (:mod:`kg.atomic`) and carries the
digest of its payload; a missing, truncated or damaged file reads as nothing,
and the caller makes the result again and writes it anew. A cache that
cannot be written (a read-only home) costs only the time it would have saved.

The folder is ``$KG_CACHE_DIR`` when set (set to the empty string: no cache),
else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``.

>>> import tempfile
>>> from unittest import mock
>>> with mock.patch.dict(os.environ, {"KG_CACHE_DIR": tempfile.mkdtemp()}):
...     write_cached("demo", "k1", b"payload")
...     print(read_cached("demo", "k1"), read_cached("demo", "k2"))
b'payload' None
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from kg.atomic import write_atomic
from kg.errors import KGError

__all__ = ["CACHE_ENV", "KEEP", "cache_dir", "cache_key", "read_cached", "write_cached"]

#: The environment variable naming the cache folder (empty: no cache).
CACHE_ENV = "KG_CACHE_DIR"
#: Files kept per kind of result: older ones (other gazetteers, other versions) are removed.
KEEP = 8
_MAGIC = b"kg-cache 1\n"
_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")


def cache_dir() -> Path | None:
    """The cache folder (see the module docstring), or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "kg" if xdg else Path.home() / ".cache" / "kg"


def cache_key(*parts: str | bytes) -> str:
    """The SHA-256 of ``parts`` (each length-prefixed, so no two lists give the same bytes).

    >>> cache_key("ab", "c") == cache_key("a", "bc")
    False
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _path(kind: str, key: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    if not _NAME.match(kind) or not re.fullmatch(r"[0-9a-f]{16,128}|[a-z0-9]+", key):
        raise ValueError(f"bad cache name {kind!r} or key {key!r}")
    return folder / f"{kind}-{key}"


def read_cached(kind: str, key: str) -> bytes | None:
    """The payload kept as ``kind`` under ``key``, or None: none kept, caching off, or a
    file that is not whole (its header or the digest of its payload does not match)."""
    path = _path(kind, key)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = _MAGIC + key.encode() + b"\n"
    if not data.startswith(header):
        return None
    digest, _, payload = data[len(header) :].partition(b"\n")
    if digest != hashlib.sha256(payload).hexdigest().encode():
        return None
    return payload


def write_cached(kind: str, key: str, payload: bytes) -> None:
    """Keep ``payload`` as ``kind`` under ``key`` (atomically); the oldest files of ``kind``
    beyond :data:`KEEP` are removed. A cache that cannot be written is left alone."""
    path = _path(kind, key)
    if path is None:
        return
    digest = hashlib.sha256(payload).hexdigest().encode()
    try:
        write_atomic(path, _MAGIC + key.encode() + b"\n" + digest + b"\n" + payload)
    except (OSError, KGError):
        return
    with contextlib.suppress(OSError):
        kept = sorted(path.parent.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP]:
            if old != path:
                old.unlink()
