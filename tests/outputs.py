"""What a build folder holds, for comparing builds byte for byte.

The build's own store (``OUTPUT/store``, an embedded Oxigraph database) is
compared by its quads, not its files: a database's files hold timestamps and
compaction order as well as the graph, and the store names blank nodes at
random when it loads kg.trig, so they are masked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph

__all__ = ["STORE", "snapshot", "store_quads"]

#: The build's own store, relative to the build folder.
STORE = "store"
_BLANK = re.compile(r"_:[0-9A-Za-z]+")


def store_quads(folder: Path) -> bytes:
    """The quads of the database in ``folder``, sorted, blank nodes masked."""
    store = pyoxigraph.Store.read_only(str(folder))
    return "\n".join(sorted(_BLANK.sub("_:b", str(q)) for q in store)).encode()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative path, and the build's store
    by its quads (``"store (quads)"``)."""
    if not folder.exists():
        return {}
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != STORE
    }
    if (folder / STORE).is_dir():
        files["store (quads)"] = store_quads(folder / STORE)
    return files
