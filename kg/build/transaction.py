"""A build's files change together or not at all (:func:`output_transaction`).

Every file is first written into ``<out>/.kg/staging/``, then a commit record
``<out>/.kg/commit.json`` lists them (and the files of the previous build
this one no longer writes), then they are renamed into place, ``state.json``
last, and those files removed. Interrupted before the record exists, a write
leaves the previous build as it was (Ctrl-C removes the staged files; after a
kill the next write or ``kg add``/``kg remove`` does); interrupted after, the
next one finishes the renames (:func:`recover`). So ``state.json`` never says an
article is built while the graph files lack it, nor the reverse. Ctrl-C
during the renames themselves (milliseconds) is ignored: the write completes.

One process writes a build at a time: a write runs under the caller's
:func:`~kg.build.lock.writer_lock`, or takes the lock itself, failing at once
when another holds it. Before anything is replaced, every target is checked:
a folder (or a file where a folder goes) at a target stops the write, with
nothing changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.atomic import write_atomic
from kg.build.checkpoints import checkpoint
from kg.build.commit import finish, is_relative, recover_held, remove_folders, sync_folder
from kg.build.folder import COMMIT_FILE, STAGING_DIR, STATE_DIR, state_dir
from kg.build.lock import writing
from kg.errors import OutputError
from kg.stores.homeload import FRESH

__all__ = [
    "output_transaction",
    "recover",
]


# --------------------------------------------------------------------------- writing a build


@contextlib.contextmanager
def output_transaction(out_dir: str | Path, *, remove: Iterable[str] = ()) -> Iterator[Path]:
    """Write a build's files all together: yields a staging folder laid out as ``out_dir``.

    Write every file into the staging folder (``kg.ttl``, ``.kg/state.json``...).
    When the block ends without an error the files replace those of
    ``out_dir`` together (see the module docstring); files not staged are
    left alone, except those named in ``remove`` (paths relative to
    ``out_dir``, such as an earlier build's ``candidates.trig``): the commit
    removes them with the same guarantee. When it ends with an error or
    Ctrl-C, ``out_dir`` is as it was: the staged files are removed, and so
    are the folders the block made (the module docstring says more).

    Raises:
        OutputError: the folder cannot be written, or a target is in the way.
        StateError: the commit record of an earlier write is damaged.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "build"
    >>> with output_transaction(out) as stage:
    ...     _ = (stage / "a.txt").write_text("one")
    >>> (out / "a.txt").read_text(), sorted(p.name for p in out.iterdir())
    ('one', ['a.txt'])
    >>> with output_transaction(out) as stage:
    ...     _ = (stage / "a.txt").write_text("two")
    ...     raise ValueError("stopped")
    Traceback (most recent call last):
    ...
    ValueError: stopped
    >>> (out / "a.txt").read_text(), sorted(p.name for p in out.iterdir())
    ('one', ['a.txt'])
    >>> with output_transaction(out, remove=["a.txt"]) as stage:
    ...     _ = (stage / "b.txt").write_text("three")
    >>> sorted(p.name for p in out.iterdir())
    ['b.txt']
    """
    folder = Path(out_dir)
    removed = sorted(set(remove))
    if not all(is_relative(name) for name in removed):
        raise ValueError(f"output_transaction: not relative paths in {removed!r}")
    meta = state_dir(folder)
    made = _make_state_folder(folder)
    staging = meta / STAGING_DIR
    with writing(folder):
        recover_held(folder)
        committed: list[bool] = []
        try:
            staging.mkdir()
            yield staging
            _commit(folder, removed, committed)
        except BaseException as err:
            if committed:  # past the commit point: the next write finishes it (recover)
                raise
            _discard(folder, made)
            if isinstance(err, OSError):
                raise OutputError(f"{folder}: cannot write there ({err.strerror or err}).") from err
            raise
        if meta in made:  # a write without build state (library use) leaves no empty .kg
            remove_folders([meta])


def _make_state_folder(folder: Path) -> list[Path]:
    """Make the state folder of the build in ``folder``: the folders made, outermost first."""
    meta = state_dir(folder)
    made = [path for path in (*reversed(meta.parents), meta) if not path.exists()]
    try:
        meta.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        remove_folders(made)
        raise OutputError(
            f"{folder}: cannot create the output folder ({err.strerror or err}). "
            "Choose another with -o."
        ) from err
    return made


def _commit(folder: Path, removed: list[str], committed: list[bool]) -> None:
    """Check the staged files' targets, write the commit record (the commit point: then
    ``committed`` gets True), rename the files into place and remove the files ``removed``
    that are not staged.

    Ctrl-C is held from the start: one that came before the commit point undoes the
    write (KeyboardInterrupt, for :func:`output_transaction`), one after it is ignored.
    Held, not left to raise where it lands: Python runs a signal's handler in the main
    thread, but any thread of the process may take the signal (RocksDB's, OpenBLAS's)
    and the main thread then learns of it a little later, maybe past the end of the
    staging block. Raised there, between that block and the commit record, it
    escaped the undo and left the staged files and the loaded store behind."""
    meta = state_dir(folder)
    with _interrupts_ignored() as held:
        files = _staged_files(meta / STAGING_DIR)
        gone = [name for name in removed if name not in files and _exists(folder / name)]
        _check_targets(folder, [*files, *gone])
        checkpoint("staged")
        if held:  # Ctrl-C before the commit point: undone like one while staging
            raise KeyboardInterrupt
        record = json.dumps({"files": files, "remove": gone}, ensure_ascii=False, indent=0)
        write_atomic(meta / COMMIT_FILE, (record + "\n").encode("utf-8"))  # the commit point
        committed.append(True)
        sync_folder(meta)
        finish(folder, files, gone)


def recover(out_dir: str | Path) -> None:
    """Finish or undo a write of the build in ``out_dir`` that was interrupted.

    With a commit record, the write had committed: its remaining files are
    renamed into place. Staged files without a record are the files of a
    write that had not: they are removed. Otherwise nothing happens.

    Raises:
        StateError: the commit record is damaged, or another process is
            writing the build.
        OutputError: the files cannot be renamed into place.
    """
    meta = state_dir(out_dir)
    if (meta / COMMIT_FILE).is_file() or (meta / STAGING_DIR).exists():
        with writing(Path(out_dir)):
            recover_held(Path(out_dir))


def _staged_files(staging: Path) -> list[str]:
    """The staged files, relative to the staging folder: outputs, then state, state.json last."""
    found = [
        (Path(root) / name).relative_to(staging).as_posix()
        for root, _dirs, names in os.walk(staging)
        for name in names
    ]
    last = f"{STATE_DIR}/state.json"
    return sorted(found, key=lambda f: (f == last, f.startswith(STATE_DIR + "/"), f))


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _check_targets(folder: Path, names: Iterable[str]) -> None:
    """Refuse a commit that could not complete: a target that is a folder, or a
    file where a target's folder goes. Checked before the commit point, so that a
    write is all or nothing whatever the output folder holds."""
    for name in names:
        target = folder / name
        for parent in reversed(Path(name).parents[:-1]):
            path = folder / parent
            if _exists(path) and not path.is_dir():
                raise OutputError(
                    f"{path}: is a file where the build writes a folder; move it away, or "
                    "write to another folder with -o. Nothing was changed."
                )
        if target.is_dir() and not target.is_symlink():
            raise OutputError(
                f"{target}: is a folder where the build writes a file; move it away, or "
                "write to another folder with -o. Nothing was changed."
            )


def _discard(folder: Path, made: list[Path]) -> None:
    """Undo a write that did not commit: its staged files, the store loaded from them
    (:mod:`kg.stores.homeload`) and the folders it made."""
    shutil.rmtree(state_dir(folder) / STAGING_DIR, ignore_errors=True)
    shutil.rmtree(folder / FRESH, ignore_errors=True)
    remove_folders(made)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[list[int]]:
    """Hold Ctrl-C in the block: not raised, but recorded in the list yielded (only the main
    thread can set signal handlers; elsewhere nothing is held or recorded)."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = signal.signal(signal.SIGINT, lambda number, _frame: held.append(number))
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
