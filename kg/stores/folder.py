"""An Oxigraph store folder: checked before it is opened, locked while open, marked as kg's.

One process writes a folder, or any number read it, never both (kg's
``flock``, :func:`lock_folder`); the marker file (:data:`MARKER`) says that
kg laid the store out and keeps the prefixes of the files loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.rdf.prefixes import PREFIXES

__all__ = [
    "MARKER",
    "SNAPSHOTS",
    "holding",
    "lock_folder",
    "open_folder",
    "read_marker",
    "unlock_folder",
    "write_marker",
]


def open_folder(
    path: Path, *, create: bool, read_only: bool, wait: float = 0.0
) -> tuple[ox.Store, int | None]:
    """Check, lock and open a store folder: the pyoxigraph Store and the lock's descriptor."""
    _check_folder(path, create=create and not read_only)
    if not path.exists():
        try:
            path.mkdir(parents=True)
        except OSError as err:
            raise StoreError(f"{path}: cannot create the store ({err.strerror or err}).") from err
    lock = lock_folder(path, shared=read_only, wait=wait)
    try:
        store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as err:  # RuntimeError: RocksDB's Corruption
        unlock_folder(lock)
        text = str(err)
        if "lock" in text.lower():
            raise StoreError(_locked(path, shared=read_only)) from err
        raise StoreError(f"{path}: cannot open the store ({' '.join(text.split())}).") from err
    if not read_only:
        shutil.rmtree(path / SNAPSHOTS, ignore_errors=True)  # left by a process that died
    if not (path / MARKER).is_file():
        write_marker(path, PREFIXES)
    return store, lock


def _check_folder(path: Path, *, create: bool) -> None:
    """Refuse a path that is not a kg store folder (or, unless ``create``, is missing)."""
    if path.exists() and not path.is_dir():
        hint = (
            " It is a graph file: serve it with `kg serve FILE`, or load it into a store."
            if path.suffix.lower() in (".trig", ".ttl", ".nt", ".nq", ".jsonld", ".rdf")
            else ""
        )
        raise StoreError(f"{path}: not a store folder.{hint}")
    if not path.exists():
        if not create:
            raise StoreError(
                f"{path}: no such store folder. Check the path, or make the store with "
                f"`kg build ARTICLES --store oxigraph:{path}`."
            )
    elif any(path.iterdir()) and not (path / "CURRENT").is_file():
        raise StoreError(
            f"{path}: not a store folder (it holds other files, not an Oxigraph store). "
            "Give an empty or new folder."
        )
    elif (path / "CURRENT").is_file() and not (path / MARKER).is_file():
        raise StoreError(
            f"{path}: an Oxigraph store that kg did not write (its default graph is not the "
            "union of its graphs). Export it (oxigraph dump) and load the file into a new "
            "kg store."
        )


#: Where a store open for writing keeps the snapshots its query processes read.
SNAPSHOTS = ".kg-query-snapshots"

#: The descriptors holding a store folder's lock in this process (closed in forked
#: children, so that a lock ends with the process that took it).
_LOCKS: set[int] = set()


def lock_folder(path: Path, *, shared: bool, wait: float = 0.0) -> int | None:
    """Take kg's lock on a store folder: shared to read it, alone to write it.

    RocksDB lets a process open a folder read-only while another writes it,
    and the reader may then find the table files its MANIFEST names deleted
    by the writer's compaction ("Corruption: ... 000016.sst: No such file");
    pyoxigraph calls it undefined behaviour. Every kg process that opens a
    folder (and every query process, :mod:`kg.stores.worker`) therefore
    takes a ``flock`` on it first, which the system releases when the
    process ends however it ends. Returns the descriptor that holds it, or
    None where there are no locks.

    Raises:
        StoreError: another process holds the lock in a way that excludes this
            one (for more than ``wait`` seconds).
    """
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store ({err.strerror or err}).") from err
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            os.close(fd)
            raise StoreError(_locked(path, shared=shared)) from None
        except OSError:  # a file system without locks
            pass
        if _same_folder(path, fd):
            break
        # The folder was replaced while this waited (a build swapping in a new store):
        # the lock must be on the folder the path names now.
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as err:
            raise StoreError(f"{path}: cannot open the store ({err.strerror or err}).") from err
    _LOCKS.add(fd)
    return fd


def _same_folder(path: Path, fd: int) -> bool:
    try:
        named, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


@contextlib.contextmanager
def holding(path: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold a store folder's lock alone without opening it: no kg reader or writer opens it.

    A build holds it to put a new store in the folder's place (renaming an
    open RocksDB folder would send its writes to the new one).

    Raises:
        StoreError: another process kept it longer than ``wait`` seconds.
    """
    fd = lock_folder(path, shared=False, wait=wait)
    try:
        yield
    finally:
        unlock_folder(fd)


def unlock_folder(fd: int | None) -> None:
    """Release a lock :func:`lock_folder` took (None, or a descriptor already closed: nothing)."""
    if fd is not None and fd in _LOCKS:
        _LOCKS.discard(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


def _forget_locks_in_child() -> None:
    """In a forked child: close the parent's lock descriptors (without unlocking them)."""
    for fd in list(_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def _locked(path: Path, *, shared: bool) -> str:
    if shared:
        return (
            f"{path}: the store is locked: another process is writing it (kg build, add or "
            "remove). Query it once that is done."
        )
    return (
        f"{path}: the store is locked: another process has it open (kg serve, kg query, a "
        "build, oxigraph serve). Stop that process first, or query it through its server."
    )


#: The file in an Oxigraph store folder that says kg laid the store out, with the
#: prefixes of what was loaded (Oxigraph keeps none).
MARKER = "kg-store.json"


def read_marker(folder: Path) -> dict[str, str]:
    """The prefixes kept in a store folder's marker (none when it is missing or unreadable)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        prefixes = data["prefixes"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(prefixes, dict):
        return {}
    return {str(k): str(v) for k, v in prefixes.items() if isinstance(v, str)}


def write_marker(folder: Path, prefixes: dict[str, str]) -> None:
    """Write the marker: kg laid the store out; the prefixes beyond kg's own."""
    extra = {p: ns for p, ns in sorted(prefixes.items()) if PREFIXES.get(p) != ns}
    document = {"kg_store": 1, "layout": "default graph = union of all graphs", "prefixes": extra}
    with contextlib.suppress(OSError):
        (folder / MARKER).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
