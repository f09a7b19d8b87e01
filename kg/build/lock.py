"""The writer lock of a build folder: one process writes a build at a time.

One process writes a build at a time (:func:`writer_lock`, a lock on
``<out>/.kg``), and it holds the lock for the whole read-modify-write of
``kg add``, ``kg remove`` or ``kg build``: from before it reads the state to
after the store is updated, so concurrent commands give the result of some
serial order.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.atomic import file_key
from kg.build.checkpoints import checkpoint
from kg.build.commit import recover_held, remove_folders
from kg.build.folder import state_dir
from kg.errors import OutputError, StateError

__all__ = [
    "writer_lock",
    "writing",
]


@contextlib.contextmanager
def writer_lock(
    out_dir: str | Path,
    *,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
) -> Iterator[None]:
    """Be the one process writing the build in ``out_dir`` for the whole block.

    ``kg add``, ``kg remove`` and ``kg build`` hold it from before they read
    the state until their store is updated, so that two of them on one folder
    give the result of one after the other. The lock is ``flock`` on the
    state folder, which the system releases when the process ends, however
    it ends (and which processes forked while it is held do not keep). When
    another process holds it, ``on_wait`` is called once with its pid (None
    when the system does not tell) and the block waits for it, or, without
    ``wait``, :class:`StateError` is raised at once. A thread that holds the
    lock may take it again (inner blocks do nothing). Taking it finishes or
    undoes an interrupted write (:func:`~kg.build.transaction.recover`). Folders it had to make
    are removed at the end if nothing was committed into them.

    Raises:
        StateError: another process holds the lock and ``wait`` is false.
        OutputError: the state folder cannot be made.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "build"
    >>> with writer_lock(out), writer_lock(out):  # the same thread: no deadlock
    ...     out.is_dir()
    True
    >>> out.exists()  # nothing was committed: the folder it made is gone
    False
    """
    folder = Path(out_dir)
    held = _held()
    key = file_key(state_dir(folder))
    if key is not None and key in held:
        yield
        return
    fd, made = _acquire(state_dir(folder), wait=wait, on_wait=on_wait)
    key = file_key(state_dir(folder))
    assert key is not None
    held[key] = fd
    _HELD_FDS.add(fd)
    try:
        recover_held(folder)
        yield
    finally:
        del held[key]
        remove_folders(made)  # before the lock goes: another writer may make them again
        _HELD_FDS.discard(fd)
        os.close(fd)


#: This thread's writer locks: (device, inode) of the state folder -> the locked descriptor.
_THREAD = threading.local()

#: Every descriptor holding a writer lock in this process (closed in forked children).
_HELD_FDS: set[int] = set()


def _held() -> dict[tuple[int, int], int]:
    held = getattr(_THREAD, "held", None)
    if held is None:
        held = _THREAD.held = {}
    return held


def _forget_locks_in_child() -> None:
    """In a forked child: let go of the parent's lock descriptors, so that the lock ends
    with the parent (flock belongs to the open file, which a fork shares)."""
    for fd in list(_HELD_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_FDS.clear()
    _THREAD.held = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def _acquire(
    meta: Path, *, wait: bool, on_wait: Callable[[int | None], None] | None
) -> tuple[int, list[Path]]:
    """Lock the state folder ``meta`` (made if missing): the descriptor and the folders made."""
    told = False
    while True:
        made = [path for path in (*reversed(meta.parents), meta) if not path.exists()]
        try:
            meta.mkdir(parents=True, exist_ok=True)
            fd = os.open(meta, os.O_RDONLY)
        except OSError as err:
            remove_folders(made)
            raise OutputError(
                f"{meta.parent}: cannot create the build folder ({err.strerror or err}). "
                "Choose another with -o."
            ) from err
        try:
            if not _try_lock(fd):
                if not wait:
                    raise StateError(_busy(meta, fd))
                if not told and on_wait is not None:
                    on_wait(_holder(fd))
                    told = True
                checkpoint("lock:wait")
                _lock(fd)
            if file_key(meta) == _key_of(fd):
                return fd, made
        except BaseException:
            os.close(fd)
            remove_folders(made)
            raise
        os.close(fd)  # the folder was removed by a first write that failed: make it again


def _key_of(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _try_lock(fd: int) -> bool:
    """Take the lock on ``fd`` if it is free (True also where there are no locks)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks
        pass
    return True


def _lock(fd: int) -> None:
    """Wait for the lock on ``fd`` (Ctrl-C interrupts the wait)."""
    import fcntl  # POSIX only, imported where used: _try_lock has found it here

    fcntl.flock(fd, fcntl.LOCK_EX)


def _busy(meta: Path, fd: int) -> str:
    pid = _holder(fd)
    who = f" (pid {pid})" if pid else ""
    return (
        f"{meta.parent}: another kg process is writing this build{who}. Wait for it to "
        "finish, or write to another folder with -o."
    )


def _holder(fd: int) -> int | None:
    """The pid of the process holding the flock on ``fd``'s file (Linux: /proc/locks)."""
    inode = os.fstat(fd).st_ino
    try:
        table = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in table.splitlines():
        parts = line.split()
        if "->" in parts or "FLOCK" not in parts or len(parts) < 6:
            continue  # a waiter, or another kind of lock
        where = parts[parts.index("FLOCK") + 4].split(":")
        pid = parts[parts.index("FLOCK") + 3]
        if len(where) == 3 and where[2] == str(inode) and pid.isdigit():
            return int(pid)
    return None


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """The writer lock for a commit or a recovery: already held by this thread (the
    usual case, see :func:`writer_lock`), or taken now without waiting."""
    key = file_key(state_dir(folder))
    if key is not None and key in _held():
        yield
        return
    with _locked(state_dir(folder)):
        yield


@contextlib.contextmanager
def _locked(meta: Path) -> Iterator[None]:
    """Hold the lock of a build's state folder: one process writes or recovers it at a time.

    The lock (flock on the folder itself) goes with the process, however it ends.
    """
    fd = os.open(meta, os.O_RDONLY)
    try:
        if not _try_lock(fd):
            raise StateError(_busy(meta, fd))
        yield
    finally:
        os.close(fd)
