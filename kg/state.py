"""The build state: what each article gave, so a build can grow and shrink in place.

Extraction is a map over articles; resolution and the graph are a small
global step over its results. ``kg build`` therefore keeps every article's
:class:`~kg.types.Extraction` in ``<out>/.kg/extractions.jsonl`` (one JSON
object a line, sorted by article id) beside ``<out>/.kg/state.json`` (the
format version, the options of the build and a fingerprint of the pipeline).
``kg add`` extracts only the articles that are new or whose content changed,
``kg remove`` drops articles, and both re-run resolution and the graph over
the kept extractions: the result is the graph a full build of the same
articles gives (tested for isomorphism in tests/test_incremental.py).

A build's files change together or not at all (:func:`output_transaction`):
every file is first written into ``<out>/.kg/staging/``, then a commit record
``<out>/.kg/commit.json`` lists them (and the files of the previous build
this one no longer writes), then they are renamed into place, ``state.json``
last, and those files removed. Interrupted before the record exists, a write
leaves the previous build as it was (Ctrl-C removes the staged files; after a
kill the next write or ``kg add``/``kg remove`` does); interrupted after, the
next one finishes the renames (:func:`recover`). So ``state.json`` never says an
article is built while the graph files lack it, nor the reverse. A build
published to a store commits the note ``<out>/.kg/publishing`` with its
files and removes it once the store holds them: while it is there, the next
write sends the store every graph. One process writes a build at a time
(a lock on ``<out>/.kg``).

>>> from kg.types import Article, Extraction, Mention
>>> ex = Extraction(Article("d1", "Acme hired Jo."), (Mention(0, 4, "Acme", "Company"),), ())
>>> extraction_from_dict(extraction_to_dict(ex)) == ex
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.errors import OutputError, StateError
from kg.export import write_atomic
from kg.types import (
    Article,
    Extraction,
    Mention,
    ObservationCandidate,
    Qualifiers,
    RelationCandidate,
)

#: The folder, inside a build's output folder, that holds its state.
STATE_DIR = ".kg"
#: Bumped whenever the layout of the state files changes.
STATE_FORMAT = 1
#: In the state folder: the files of a write not yet committed, laid out as the output folder.
STAGING_DIR = "staging"
#: In the state folder: the commit record, the staged files being renamed into place.
COMMIT_FILE = "commit.json"
#: In the state folder: present while a store may lack part of the build (see kg.pipeline.publish).
PUBLISH_FILE = "publishing"
#: Test hook (see :func:`checkpoint`): the name of the point where a kg process pauses.
PAUSE_VARIABLE = "KG_TEST_PAUSE"


@dataclass(frozen=True)
class BuildOptions:
    """The options of a build that ``kg add`` and ``kg remove`` must reuse."""

    base: str
    gazetteer_files: tuple[str, ...] = ()
    model: str | None = None
    encoding: str | None = None
    store: str | None = None  # a store spec (kg.stores) the build is published to
    #: Relations below this confidence are not asserted (kg.confidence).
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    candidates: bool = False  # also write the relations below it to candidates.trig


@dataclass(frozen=True)
class BuildState:
    """A build's options, the fingerprint of its pipeline, and its extractions by article id."""

    options: BuildOptions
    fingerprint: str
    extractions: dict[str, Extraction] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    #: A digest of each graph of the last written build ("" for the default graph),
    #: so that a store is sent only the graphs that changed.
    graphs: dict[str, str] = field(default_factory=dict)


def article_hash(article: Article) -> str:
    """A digest of everything of an article that extraction or the graph reads.

    >>> a = Article("d1", "Text.")
    >>> article_hash(a) == article_hash(Article("d1", "Text.")), article_hash(a) == article_hash(
    ...     Article("d1", "Text!"))
    (True, False)
    """
    payload = json.dumps(asdict(article), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def extraction_to_dict(ex: Extraction) -> dict[str, Any]:
    """A JSON-ready dict of an extraction (the inverse of :func:`extraction_from_dict`)."""
    return _plain(ex)


def _plain(value: Any) -> Any:
    # dataclasses.asdict deep-copies every leaf; these records hold only str, int,
    # float, None, tuples and frozen dataclasses, which JSON takes as they are.
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def extraction_from_dict(data: Mapping[str, Any]) -> Extraction:
    """Rebuild an :class:`Extraction` from :func:`extraction_to_dict`'s output (or its JSON)."""
    relations = tuple(
        RelationCandidate(
            **{
                **r,
                "evidence": tuple(r["evidence"]),
                "qualifiers": Qualifiers(**r["qualifiers"]),
            }
        )
        for r in data["relations"]
    )
    observations = tuple(
        ObservationCandidate(
            **{
                **o,
                "evidence": tuple(o["evidence"]),
                "quote": tuple(o["quote"]) if o.get("quote") is not None else None,
            }
        )
        for o in data["observations"]
    )
    return Extraction(
        article=Article(**data["article"]),
        mentions=tuple(Mention(**m) for m in data["mentions"]),
        relations=relations,
        observations=observations,
        sentences=tuple((s[0], s[1]) for s in data["sentences"]),
        inferred_date=data.get("inferred_date"),
    )


def state_dir(out_dir: str | Path) -> Path:
    """The state folder of the build in ``out_dir``."""
    return Path(out_dir) / STATE_DIR


def save_state(out_dir: str | Path, state: BuildState) -> None:
    """Write the state of a build (extractions first, then state.json, each atomically)."""
    folder = state_dir(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StateError(
            f"{folder}: cannot create the build state folder ({err.strerror})."
        ) from err
    lines = "".join(
        json.dumps(extraction_to_dict(state.extractions[doc]), ensure_ascii=False, sort_keys=True)
        + "\n"
        for doc in sorted(state.extractions)
    )
    write_atomic(folder / "extractions.jsonl", lines.encode("utf-8"))
    meta = {
        "format": STATE_FORMAT,
        "fingerprint": state.fingerprint,
        "options": asdict(state.options),
        "articles": {doc: state.hashes[doc] for doc in sorted(state.hashes)},
        "graphs": dict(sorted(state.graphs.items())),
    }
    write_atomic(folder / "state.json", (json.dumps(meta, indent=1) + "\n").encode("utf-8"))


def load_state(out_dir: str | Path) -> BuildState:
    """Read the state of the build in ``out_dir``.

    A write of the build that was interrupted is first finished or undone
    (:func:`recover`).

    Raises:
        StateError: there is no build there, or its state is damaged or of
            another format (the message says to run ``kg build`` again).
    """
    recover(out_dir)
    folder = state_dir(out_dir)
    meta_path = folder / "state.json"
    if not meta_path.is_file():
        raise StateError(
            f"{out_dir}: no kg build here (no {STATE_DIR}/state.json). "
            "Run `kg build` first, or give its folder with -o."
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != STATE_FORMAT:
            raise StateError(
                f"{meta_path}: build state of format {meta.get('format')!r}, this kg reads "
                f"format {STATE_FORMAT}. Run `kg build` again."
            )
        extractions: dict[str, Extraction] = {}
        with (folder / "extractions.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                ex = extraction_from_dict(json.loads(line))
                extractions[ex.article.id] = ex
        options = meta["options"]
        # Keys a build state of an earlier kg lacks: the defaults.
        min_confidence = float(options.get("min_confidence", DEFAULT_MIN_CONFIDENCE))
        if not 0 <= min_confidence <= 1:
            raise ValueError(f"min_confidence {min_confidence} is not in [0, 1]")
        state = BuildState(
            options=BuildOptions(
                base=options["base"],
                gazetteer_files=tuple(options["gazetteer_files"]),
                model=options["model"],
                encoding=options["encoding"],
                store=options.get("store"),
                min_confidence=min_confidence,
                candidates=bool(options.get("candidates", False)),
            ),
            fingerprint=meta["fingerprint"],
            extractions=extractions,
            hashes=dict(meta["articles"]),
            graphs=dict(meta.get("graphs", {})),
        )
    except StateError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise StateError(
            f"{folder}: the build state is damaged ({type(err).__name__}: {err}). "
            "Run `kg build` again."
        ) from err
    if set(state.extractions) != set(state.hashes):
        raise StateError(f"{folder}: the build state is inconsistent. Run `kg build` again.")
    return state


def pipeline_fingerprint(
    *, model_name: str, model_version: str, kg_version: str, files: Iterable[Path] = ()
) -> str:
    """A digest of what decides extraction results: model, kg version and knowledge files.

    Extractions kept from a build are reused only while it is unchanged.

    >>> a = pipeline_fingerprint(model_name="m", model_version="1", kg_version="0.1")
    >>> a == pipeline_fingerprint(model_name="m", model_version="2", kg_version="0.1")
    False
    """
    digest = hashlib.sha256(f"{model_name}\0{model_version}\0{kg_version}".encode())
    for path in sorted(Path(p) for p in files):
        digest.update(b"\0" + str(path.name).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as err:
            raise StateError(f"{path}: cannot read it ({err.strerror}).") from err
    return digest.hexdigest()[:32]


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
    are the folders the block made.
    Ctrl-C during the renames themselves (milliseconds) is ignored: the
    write completes. One process writes a build at a time.

    Raises:
        OutputError: the folder cannot be written.
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
    if not all(_is_relative(name) for name in removed):
        raise ValueError(f"output_transaction: not relative paths in {removed!r}")
    meta = state_dir(folder)
    made = [path for path in (*reversed(meta.parents), meta) if not path.exists()]
    staging = meta / STAGING_DIR
    try:
        meta.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _remove_folders(made)
        raise OutputError(
            f"{folder}: cannot create the output folder ({err.strerror or err}). "
            "Choose another with -o."
        ) from err
    with _locked(meta):
        _recover(folder)
        try:
            staging.mkdir()
            yield staging
            files = _staged_files(staging)
            gone = [name for name in removed if name not in files and (folder / name).exists()]
            checkpoint("staged")
        except BaseException as err:
            _discard(staging, made)
            if isinstance(err, OSError):
                raise OutputError(f"{folder}: cannot write there ({err.strerror or err}).") from err
            raise
        with _interrupts_ignored():
            record = json.dumps({"files": files, "remove": gone}, ensure_ascii=False, indent=0)
            record += "\n"
            try:
                write_atomic(meta / COMMIT_FILE, record.encode("utf-8"))  # the commit point
            except BaseException:
                _discard(staging, made)
                raise
            _sync_folder(meta)
            _finish(folder, files, gone)
        if meta in made:  # a write without build state (library use) leaves no empty .kg
            _remove_folders([meta])


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
        with _locked(meta):
            _recover(Path(out_dir))


def _recover(folder: Path) -> None:
    """:func:`recover`, with the state folder's lock held."""
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
        _finish(folder, *parts)
    elif (meta / STAGING_DIR).exists():
        shutil.rmtree(meta / STAGING_DIR, ignore_errors=True)


@contextlib.contextmanager
def _locked(meta: Path) -> Iterator[None]:
    """Hold the lock of a build's state folder: one process writes or recovers it at a time.

    The lock (flock on the folder itself) goes with the process, however it ends.
    """
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        yield
        return
    fd = os.open(meta, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateError(
                f"{meta.parent}: another kg process is writing this build. Wait for it to "
                "finish, or write to another folder with -o."
            ) from None
        except OSError:  # a file system without locks
            pass
        yield
    finally:
        os.close(fd)


def _staged_files(staging: Path) -> list[str]:
    """The staged files, relative to the staging folder: outputs, then state, state.json last."""
    found = [
        (Path(root) / name).relative_to(staging).as_posix()
        for root, _dirs, names in os.walk(staging)
        for name in names
    ]
    last = f"{STATE_DIR}/state.json"
    return sorted(found, key=lambda f: (f == last, f.startswith(STATE_DIR + "/"), f))


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
    if not all(_is_relative(name) for name in [*files, *gone]):
        return None
    return files, gone


def _is_relative(name: object) -> bool:
    if not isinstance(name, str) or not name:
        return False
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts


def _finish(folder: Path, files: list[str], gone: Iterable[str] = ()) -> None:
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
            _sync_folder(path)
        (meta / COMMIT_FILE).unlink()
    except OSError as err:
        raise OutputError(
            f"{folder}: cannot move the new files into place ({err.strerror or err}); "
            "the next `kg build`, `kg add` or `kg remove` there finishes it."
        ) from err
    shutil.rmtree(staging, ignore_errors=True)


def _sync_folder(path: Path) -> None:
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


def _discard(staging: Path, made: list[Path]) -> None:
    """Undo a write that did not commit: its staged files and the folders it made."""
    shutil.rmtree(staging, ignore_errors=True)
    _remove_folders(made)


def _remove_folders(folders: list[Path]) -> None:
    """Remove the folders a failed write made, innermost first, if they are empty."""
    for path in reversed(folders):
        with contextlib.suppress(OSError):
            path.rmdir()


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore Ctrl-C in the block (only the main thread can set signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def publish_pending(out_dir: str | Path) -> bool:
    """Whether a store may lack part of the build in ``out_dir`` (its update was interrupted)."""
    return (state_dir(out_dir) / PUBLISH_FILE).exists()


def mark_publishing(staging: Path, spec: str) -> None:
    """Stage the note that the build's store is being updated (committed with the files)."""
    write_atomic(state_dir(staging) / PUBLISH_FILE, (spec + "\n").encode("utf-8"))


def mark_published(out_dir: str | Path) -> None:
    """Remove the note of :func:`mark_publishing`: the store holds the build."""
    with contextlib.suppress(FileNotFoundError):
        (state_dir(out_dir) / PUBLISH_FILE).unlink()


# --------------------------------------------------------------------------- test hook


def checkpoint(point: str) -> None:
    """Test hook: stop this process at ``point`` when ``KG_TEST_PAUSE`` names it.

    tests/test_interrupt.py runs kg with ``KG_TEST_PAUSE=POINT``, waits for
    the line ``kg: paused at POINT`` on stderr, then interrupts or kills the
    stopped process (SIGSTOP), so that it stops exactly there rather than
    after a guessed delay. Without the variable (always, outside those tests)
    nothing happens. Points: ``article:N`` (N articles extracted),
    ``staged`` (every file written, none committed), ``commit:N`` (N files
    renamed into place), ``publish:N`` (N graphs sent to the store).

    >>> checkpoint("staged")  # the variable is not set: returns at once
    """
    if os.environ.get(PAUSE_VARIABLE) != point:
        return
    stop = getattr(signal, "SIGSTOP", None)
    if stop is None:  # not on POSIX
        return
    os.write(2, f"kg: paused at {point}\n".encode())
    os.kill(os.getpid(), stop)


def article_checkpoints(
    on_article: Callable[[Article], None] | None,
) -> Callable[[Article], None] | None:
    """``on_article``, plus :func:`checkpoint` ``article:N`` after the N-th article.

    Returns ``on_article`` itself unless the test hook's variable is set.
    """
    if PAUSE_VARIABLE not in os.environ:
        return on_article
    done = 0

    def hooked(article: Article) -> None:
        nonlocal done
        if on_article is not None:
            on_article(article)
        done += 1
        checkpoint(f"article:{done}")

    return hooked
