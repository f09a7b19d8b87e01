"""Atomic output: a file is written whole or not at all, and checks before writing.

Every file kg writes goes through a temporary file beside it that replaces it
at the end (:func:`atomic_file`, :func:`write_atomic`), so readers never see half
a file; :func:`check_writable` and :func:`check_not_inputs` refuse, before any
work, a destination that cannot be written or that is also an input.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "out" / "x.txt"
>>> write_atomic(path, b"hello")
>>> path.read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import OutputError

__all__ = [
    "atomic_file",
    "check_not_inputs",
    "check_writable",
    "file_key",
    "write_advice",
    "write_atomic",
]


def write_atomic(destination: str | Path, data: bytes) -> None:
    """Write ``data`` to a file through a temporary file and :func:`os.replace`.

    The folder is created if needed; the file gets the usual permissions
    (0666 less the umask).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "sub" / "x.txt"
    >>> write_atomic(path, b"hello")
    >>> path.read_bytes()
    b'hello'
    """
    with atomic_file(destination) as handle:
        handle.write(data)


def write_advice(err: OSError) -> str:
    """What to do about a failed write, by its cause.

    >>> import errno
    >>> write_advice(OSError(errno.ENOSPC, "No space left on device"))
    'Free some space on the disk, or write somewhere else.'
    """
    if err.errno in {errno.ENOSPC, errno.EDQUOT}:
        return "Free some space on the disk, or write somewhere else."
    if err.errno == errno.EFBIG:
        return "The file is bigger than this system or disk allows (a file-size limit)."
    if err.errno == errno.EROFS:
        return "The disk is read-only: write somewhere else."
    return "Check that the folder exists and is writable."


def check_writable(folder: str | Path) -> None:
    """Fail early, before any work, when files cannot be created in ``folder``.

    The folder need not exist: its nearest existing parent must then let
    kg create it. The check makes (and at once deletes) a nameless temporary
    file, so it tells what permissions, ACLs, read-only mounts and
    capabilities really allow.

    Raises:
        OutputError: ``folder`` (or its parent) is a file, or cannot be written.

    >>> import tempfile
    >>> check_writable(Path(tempfile.mkdtemp()) / "new" / "out")
    """
    path = Path(folder)
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(
            f"{path}: cannot write there, {probe} is not a folder. Choose another folder with -o."
        )
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as err:
        where = "" if probe == path else f" (in {probe})"
        raise OutputError(
            f"{path}: cannot write there{where}: {err.strerror or err}. "
            "Choose another folder with -o, or make this one writable."
        ) from err


def check_not_inputs(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """Refuse to write a file that is also an input of the command.

    The same file under another name counts: a symlink to it, a hard link to
    it, a path through a symlinked folder (files are compared by device and
    inode, not by name). Paths that do not exist are no inputs.

    Raises:
        OutputError: an output is one of ``inputs``.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "kg.trig").write_text("")
    0
    >>> check_not_inputs([folder / "kg.ttl"], [folder / "kg.trig"])  # another file: fine
    >>> (folder / "link.trig").symlink_to(folder / "kg.trig")
    >>> try:
    ...     check_not_inputs([folder / "link.trig"], [folder / "kg.trig"])
    ... except OutputError as err:
    ...     print(str(err).split(" Write")[0].replace(str(folder), "DIR"))
    DIR/kg.trig: is also an input of this command, which would overwrite it (as DIR/link.trig).
    """
    written = {key: Path(path) for path in outputs if (key := file_key(path)) is not None}
    for path in inputs:
        target = written.get(file_key(path))  # type: ignore[arg-type]
        if target is not None:
            same = "" if os.path.abspath(target) == os.path.abspath(path) else f" (as {target})"
            raise OutputError(
                f"{path}: is also an input of this command, which would overwrite it{same}. "
                "Write the output elsewhere with -o, or leave it out of the inputs."
            )


def file_key(path: str | Path) -> tuple[int, int] | None:
    """What makes a file that file whatever it is called (device, inode); None if it is not."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


@contextlib.contextmanager
def atomic_file(destination: str | Path) -> Iterator[IO[bytes]]:
    """Write a file through a temporary file beside it, which replaces it at the end.

    Readers never see half a file: the temporary file is synced and then
    renamed over ``destination`` (:func:`os.replace`) when the block ends
    without an error, and removed otherwise. The folder is created if
    needed; the file gets the usual permissions (0666 less the umask).

    Raises:
        OutputError: the file cannot be written.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_file(path) as out:
    ...     _ = out.write(b"hello")
    >>> path.read_bytes()
    b'hello'
    """
    path = Path(destination)
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
        temp = None
    except OSError as err:
        raise OutputError(
            f"{path}: cannot write it ({err.strerror or err}). {write_advice(err)}"
        ) from err
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
