"""Finishing a committed write of a build folder: the commit record and the renames into place.

A write that got as far as its commit record (``<out>/.kg/commit.json``) is
finished by renaming its staged files into place (:func:`finish`); one that
did not is undone. :func:`recover_held` does whichever an interrupted write
needs, with the writer lock held (:mod:`kg.build.transaction` is the write).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from kg.build.checkpoints import checkpoint
from kg.build.folder import COMMIT_FILE, STAGING_DIR, state_dir
from kg.errors import OutputError, StateError

__all__ = [
    "finish",
    "is_relative",
    "recover_held",
    "remove_folders",
    "sync_folder",
]


def recover_held(folder: Path) -> None:
    """:func:`kg.build.transaction.recover`, with the state folder's lock held."""
    meta = state_dir(folder)
    record = meta / COMMIT_FILE
    if record.is_file():
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StateError(
                f"{record}: the record of an interrupted write is damaged ({err}). "
                "Run `kg build` again into a new folder."
            ) from err
        parts = _record_parts(data)
        if parts is None:
            raise StateError(
                f"{record}: the record of an interrupted write is damaged. "
                "Run `kg build` again into a new folder."
            )
        finish(folder, *parts)
    elif (meta / STAGING_DIR).exists():
        shutil.rmtree(meta / STAGING_DIR, ignore_errors=True)


def _record_parts(data: object) -> tuple[list[str], list[str]] | None:
    """The files to rename and the files to remove of a commit record (None: damaged).

    >>> _record_parts({"files": ["kg.ttl"], "remove": ["candidates.trig"]})
    (['kg.ttl'], ['candidates.trig'])
    >>> _record_parts(["kg.ttl"]), _record_parts(["../x"])  # an earlier record: files only
    ((['kg.ttl'], []), None)
    """
    files: object = data
    gone: object = []
    if isinstance(data, dict):
        files, gone = data.get("files"), data.get("remove", [])
    if not isinstance(files, list) or not isinstance(gone, list):
        return None
    if not all(is_relative(name) for name in [*files, *gone]):
        return None
    return files, gone


def is_relative(name: object) -> bool:
    if not isinstance(name, str) or not name:
        return False
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts


def finish(folder: Path, files: list[str], gone: Iterable[str] = ()) -> None:
    """Rename the staged ``files`` into ``folder`` (those still staged), remove the files
    ``gone``, then drop the record."""
    meta = state_dir(folder)
    staging = meta / STAGING_DIR
    touched = {folder, meta}
    try:
        for i, name in enumerate(files, 1):
            source = staging / name
            if source.is_file():  # else renamed by the write that was interrupted
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                touched.add(target.parent)
            checkpoint(f"commit:{i}")
        for name in gone:
            target = folder / name
            target.unlink(missing_ok=True)
            touched.add(target.parent)
        for path in sorted(touched):
            sync_folder(path)
        (meta / COMMIT_FILE).unlink()
    except OSError as err:
        raise OutputError(
            f"{folder}: cannot move the new files into place ({err.strerror or err}); "
            "the next `kg build`, `kg add` or `kg remove` there finishes it."
        ) from err
    shutil.rmtree(staging, ignore_errors=True)


def sync_folder(path: Path) -> None:
    """Make the renames in a folder durable (where the platform can sync a folder)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_folders(folders: list[Path]) -> None:
    """Remove the folders a failed write made, innermost first, if they are empty."""
    for path in reversed(folders):
        with contextlib.suppress(OSError):
            path.rmdir()
