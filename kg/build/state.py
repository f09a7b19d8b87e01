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
write sends the store every graph.

One process writes a build at a time (:func:`writer_lock`, a lock on
``<out>/.kg``), and it holds the lock for the whole read-modify-write of
``kg add``, ``kg remove`` or ``kg build``: from before it reads the state to
after the store is updated, so concurrent commands give the result of some
serial order. Before a commit record is written every target is checked (a
folder where a file goes stops the write with nothing changed).

A build state comes from a folder that may have been edited or sent by
someone else: :func:`load_state` refuses anything malformed with one line,
and a store named by a state only counts when it is local
(:func:`kg.build.pipeline.add` asks for a remote one again).

>>> from kg.types import Article, Extraction, Mention
>>> ex = Extraction(Article("d1", "Acme hired Jo."), (Mention(0, 4, "Acme", "Company"),), ())
>>> extraction_from_dict(extraction_to_dict(ex)) == ex
True
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import signal
import threading
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from kg.atomic import file_key, write_atomic
from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.errors import OutputError, StateError
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
#: In the state folder: present while a store may lack part of the build
#: (see kg.build.pipeline.publish).
PUBLISH_FILE = "publishing"
#: In the state folder: the shards a cluster build wrote, until its commit moves them.
SHARDS_NEW = "shards.new"
#: The folder, in a build's output folder, of the N-Quads shards of a cluster build.
SHARDS_DIR = "shards"


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
    shards: bool = False  # also write N-Quads shards to shards/ (a cluster build's)


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
    #: Every entity IRI the build folder ever gave (its local part, "organization/acme")
    #: -> the resolver's key of the entity it names, so an IRI never moves to another
    #: entity (kg.resolve.resolve_minted); kept in ``<out>/.kg/iris.json``.
    iris: dict[str, str] = field(default_factory=dict)
    #: The JSON line each extraction was read from, when .kg/extractions.jsonl was the file
    #: the build wrote: saved again as it is while the extraction is the same object.
    lines: dict[str, tuple[Extraction, str]] = field(
        default_factory=dict, compare=False, repr=False
    )


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
    data = "".join(_line(state, doc) + "\n" for doc in sorted(state.extractions)).encode("utf-8")
    write_atomic(folder / "extractions.jsonl", data)
    save_iris(folder, state.iris)
    meta = {
        "format": STATE_FORMAT,
        "fingerprint": state.fingerprint,
        "extractions": _digest(data),
        "options": asdict(state.options),
        "articles": {doc: state.hashes[doc] for doc in sorted(state.hashes)},
        "graphs": dict(sorted(state.graphs.items())),
    }
    write_atomic(folder / "state.json", (json.dumps(meta, indent=1) + "\n").encode("utf-8"))


def load_state(out_dir: str | Path) -> BuildState:
    """Read the state of the build in ``out_dir``.

    A write of the build that was interrupted is first finished or undone
    (:func:`recover`). Every field is checked (types, and the mentions a
    relation or an observation points at), so that a damaged or edited state
    is refused here, in one line, rather than failing later in the pipeline.

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
        if isinstance(meta, dict) and meta.get("format") != STATE_FORMAT:
            raise StateError(
                f"{meta_path}: build state of format {meta.get('format')!r}, this kg reads "
                f"format {STATE_FORMAT}. Run `kg build` again."
            )
        state = BuildState(
            options=_options_from(_field(meta, "options", dict, "state.json")),
            fingerprint=_field(meta, "fingerprint", str, "state.json"),
            **_read_extractions(folder / "extractions.jsonl", meta.get("extractions")),
            hashes=_str_map(_field(meta, "articles", dict, "state.json"), "state.json articles"),
            graphs=_str_map(meta.get("graphs", {}), "state.json graphs"),
        )
    except StateError:
        raise
    except (OSError, UnicodeDecodeError) as err:
        raise _damaged(out_dir, f"{type(err).__name__}: {err}") from err
    except _Damage as err:
        raise _damaged(out_dir, str(err)) from None
    except ValueError as err:  # not JSON
        raise _damaged(out_dir, f"state.json is not JSON: {err}") from err
    if set(state.extractions) != set(state.hashes):
        raise _damaged(
            out_dir, "inconsistent: extractions.jsonl and state.json list different articles"
        )
    state.iris.update(load_iris(folder))  # a fresh dict of this state: it holds none yet
    return state


class _Damage(Exception):
    """What is wrong with a build state (turned into a :class:`StateError`)."""


def _damaged(out_dir: str | Path, why: str) -> StateError:
    return StateError(
        f"the build state in {state_dir(out_dir)} is damaged ({why}); rebuild with "
        f"`kg build ARTICLES -o {out_dir}`."
    )


def _field(data: object, key: str, kind: type, where: str) -> Any:
    if not isinstance(data, dict):
        raise _Damage(f"{where} is not a JSON object")
    if key not in data:
        raise _Damage(f"{where} has no {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise _Damage(f"{where}: {key} is {_shown(value)}, not {kind.__name__}")
    return value


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def _str_map(data: object, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise _Damage(f"{where} is not an object of strings")
    return dict(data)


#: In the state folder: the entity IRIs the build folder gave (:attr:`BuildState.iris`).
IRIS_FILE = "iris.json"


def save_iris(folder: Path, iris: Mapping[str, str]) -> None:
    """Write the entity IRI registry (IRI local part -> entity key) into a state folder."""
    text = json.dumps(dict(sorted(iris.items())), ensure_ascii=False, indent=0)
    write_atomic(folder / IRIS_FILE, (text + "\n").encode("utf-8"))


def load_iris(folder: Path) -> dict[str, str]:
    """The entity IRI registry of a state folder (none in a build of an earlier kg: empty).

    Raises:
        StateError: the file cannot be read or is not a JSON object of strings.
    """
    path = folder / IRIS_FILE
    if not path.is_file():
        return {}
    try:
        return _str_map(json.loads(path.read_text(encoding="utf-8")), IRIS_FILE)
    except _Damage as err:
        raise _damaged(folder.parent, str(err)) from None
    except (OSError, ValueError) as err:  # UnicodeDecodeError is a ValueError
        raise _damaged(folder.parent, f"{IRIS_FILE}: {type(err).__name__}: {err}") from err


def _options_from(options: dict[str, Any]) -> BuildOptions:
    """The build options of state.json (keys a state of an earlier kg lacks: the defaults)."""
    defaults = {
        "store": None,
        "min_confidence": DEFAULT_MIN_CONFIDENCE,
        "candidates": False,
        "shards": False,
    }
    values = {**defaults, **options}
    if isinstance(values["min_confidence"], int) and not isinstance(values["min_confidence"], bool):
        values["min_confidence"] = float(values["min_confidence"])
    if isinstance(values.get("gazetteer_files"), list):
        values["gazetteer_files"] = tuple(values["gazetteer_files"])
    problem = _record_problem(values, BuildOptions, tuples_as_lists=False)
    if problem:
        raise _Damage(f"state.json options: {problem}")
    built = BuildOptions(**values)
    if not 0 <= built.min_confidence <= 1:
        raise _Damage(f"state.json options: min_confidence {built.min_confidence} is not in [0, 1]")
    return built


def _line(state: BuildState, doc: str) -> str:
    """The JSON line of an extraction: the one it was read from, if it is the same object."""
    ex = state.extractions[doc]
    kept = state.lines.get(doc)
    if kept is not None and kept[0] is ex:
        return kept[1]
    return json.dumps(extraction_to_dict(ex), ensure_ascii=False, sort_keys=True)


def _digest(data: bytes) -> str:
    """A digest of the extractions file ``data`` and of the fields of its records, so that a
    file written with other record classes is checked and written again."""
    return hashlib.sha256(_schema() + data).hexdigest()[:32]


@functools.cache
def _schema() -> bytes:
    classes = (Extraction, Article, Mention, RelationCandidate, Qualifiers, ObservationCandidate)
    return repr([(c.__name__, [f.name for f in fields(c)]) for c in classes]).encode()


def _read_extractions(path: Path, digest: object = None) -> dict[str, Any]:
    """The extractions in ``path`` (``extractions``), each record checked unless the file is
    byte for byte the one the build wrote (its ``digest`` in state.json): a big build holds
    millions of fields. Then their lines are kept too (``lines``, see :class:`BuildState`)."""
    data = path.read_bytes()
    checked = digest != _digest(data)
    extractions: dict[str, Extraction] = {}
    lines: dict[str, tuple[Extraction, str]] = {}
    # Split at "\n" only: a record may hold U+2028 or U+0085, which splitlines() splits at.
    records = data.decode("utf-8").split("\n")
    if records[-1] == "":
        records.pop()
    for number, line in enumerate(records, 1):
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
        except ValueError as err:
            raise _Damage(f"{where} is not JSON: {err}") from None
        ex = _extraction(record, where, checked=checked)
        if ex.article.id in extractions:
            raise _Damage(f"{where}: article {ex.article.id!r} is there twice")
        extractions[ex.article.id] = ex
        if not checked:
            lines[ex.article.id] = ex, line
    return {"extractions": extractions, "lines": lines}


def _extraction(record: object, where: str, *, checked: bool) -> Extraction:
    """The extraction a JSON record holds; :class:`_Damage` if it holds none."""
    if checked and (problem := _record_problem(record, Extraction) or _index_problem(record)):  # type: ignore[arg-type]
        raise _Damage(f"{where}: {problem}")
    try:
        return extraction_from_dict(record)  # type: ignore[arg-type]
    except (TypeError, KeyError, ValueError, AttributeError, IndexError):
        if checked:
            raise
        return _extraction(record, where, checked=True)  # to say what is wrong


def _record_problem(data: object, cls: type, *, tuples_as_lists: bool = True) -> str | None:
    """What keeps ``data`` from being the JSON of a ``cls`` record (None: nothing).

    >>> _record_problem({"id": "d1", "text": 3}, Article)
    'text is 3, not str'
    >>> _record_problem({"id": "d1"}, Article)
    "no 'text'"
    """
    if not isinstance(data, dict):
        return f"{_shown(data)} is not a JSON object"
    names, layout = _layout(cls)
    if not names.issuperset(data):
        return f"unknown field {sorted(set(data) - names)[0]!r}"
    for name, hint, required in layout:
        if name not in data:
            if required:
                return f"no {name!r}"
            continue
        problem = _value_problem(data[name], hint, tuples_as_lists)
        if problem is not None:
            return f"{name}{problem}"
    return None


@functools.cache
def _layout(cls: type) -> tuple[frozenset[str], tuple[tuple[str, Any, bool], ...]]:
    """A record class's field names, and each field's name, type and whether it is required.

    Worked out once per class: ``typing.get_type_hints`` evaluates the
    annotations each time, and a big build's state holds millions of fields.
    """
    hints = typing.get_type_hints(cls)
    layout = tuple(
        (f.name, hints[f.name], f.default is MISSING and f.default_factory is MISSING)
        for f in fields(cls)
    )
    return frozenset(name for name, _, _ in layout), layout


#: The check of a JSON value against a plain type.
_PLAIN: dict[Any, Callable[[object], bool]] = {
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
    bool: lambda v: isinstance(v, bool),
}


@functools.cache
def _hint_shape(hint: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """A type hint's origin, arguments and whether it is a record class, worked out once."""
    return typing.get_origin(hint), typing.get_args(hint), is_dataclass(hint)


def _value_problem(value: object, hint: Any, lists: bool) -> str | None:
    """'' or a suffix naming what in ``value`` does not match the type ``hint``."""
    origin, args, record = _hint_shape(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        kinds = [a for a in args if a is not type(None)]
        return _value_problem(value, kinds[0], lists) if len(kinds) == 1 else None
    if origin is tuple:
        if not isinstance(value, list if lists else tuple):
            return f" is {_shown(value) if lists else repr(value)}, not a list"
        items = args[:1] * len(value) if args[-1:] == (Ellipsis,) else args
        if len(items) != len(value):
            return f" has {len(value)} items, not {len(items)}"
        for i, (item, kind) in enumerate(zip(value, items, strict=True)):
            problem = _value_problem(item, kind, lists)
            if problem is not None:
                return f"[{i}]{problem}"
        return None
    if record:
        problem = _record_problem(value, hint)
        return None if problem is None else f".{problem}"
    return None if _PLAIN[hint](value) else f" is {_shown(value)}, not {hint.__name__}"


def _index_problem(data: dict[str, Any]) -> str | None:
    """A relation, observation or mention that points at a mention the record lacks."""
    count = len(data["mentions"])
    pointers = [
        *(
            (f"mentions[{i}].antecedent", m.get("antecedent"))
            for i, m in enumerate(data["mentions"])
        ),
        *(
            (f"relations[{i}].{end}", r[end])
            for i, r in enumerate(data["relations"])
            for end in ("head", "tail")
        ),
        *(
            (f"observations[{i}].{role}", o.get(role))
            for i, o in enumerate(data.get("observations", ()))
            for role in ("subject", "place", "source")
        ),
    ]
    for name, index in pointers:
        if index is not None and not 0 <= index < count:
            return f"{name} is {index}, but there are {count} mentions"
    return None


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
    write completes. One process writes a build at a time: the block runs
    under the caller's :func:`writer_lock`, or takes the lock itself, failing
    at once when another holds it. Before anything is replaced, every target
    is checked: a folder (or a file where a folder goes) at a target stops
    the write, with nothing changed.

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
    with _writing(folder):
        _recover(folder)
        try:
            staging.mkdir()
            yield staging
            files = _staged_files(staging)
            gone = [name for name in removed if name not in files and _exists(folder / name)]
            _check_targets(folder, [*files, *gone])
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
        with _writing(Path(out_dir)):
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
    undoes an interrupted write (:func:`recover`). Folders it had to make
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
        _recover(folder)
        yield
    finally:
        del held[key]
        _remove_folders(made)  # before the lock goes: another writer may make them again
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
            _remove_folders(made)
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
            _remove_folders(made)
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
def _writing(folder: Path) -> Iterator[None]:
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

#: The function :func:`checkpoint` calls (None: none); see :func:`set_pause_hook`.
_pause_hook: Callable[[str], None] | None = None


def set_pause_hook(hook: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """Test hook: have :func:`checkpoint` call ``hook(point)``; returns the previous hook.

    Tests stop a kg process at a known point (tests/kg_paused.py stops it with
    SIGSTOP, tests/test_folder_lock.py hands control to another command), so
    that an interruption or an interleaving lands exactly there rather than
    after a guessed delay. Nothing sets one outside tests.
    """
    global _pause_hook
    previous, _pause_hook = _pause_hook, hook
    return previous


def checkpoint(point: str) -> None:
    """Call the test hook of :func:`set_pause_hook` at ``point`` (nothing without one).

    Points: ``lock:wait`` (another process holds the writer lock; about to
    wait for it), ``state:read`` (``kg add``/``kg remove`` read the state),
    ``article:N`` (N articles extracted), ``staged`` (every file written, none
    committed), ``commit:N`` (N files renamed into place), ``publish:N`` (N
    graphs sent to the store).

    >>> checkpoint("staged")  # no hook: returns at once
    """
    if _pause_hook is not None:
        _pause_hook(point)


def article_checkpoints(
    on_article: Callable[[Article], None] | None,
) -> Callable[[Article], None] | None:
    """``on_article``, plus :func:`checkpoint` ``article:N`` after the N-th article.

    Returns ``on_article`` itself unless a test hook is set.
    """
    if _pause_hook is None:
        return on_article
    done = 0

    def hooked(article: Article) -> None:
        nonlocal done
        if on_article is not None:
            on_article(article)
        done += 1
        checkpoint(f"article:{done}")

    return hooked
