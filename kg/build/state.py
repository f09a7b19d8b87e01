"""The build state: what each article gave, so a build can grow and shrink in place.

Extraction is a map over articles; resolution and the graph are a small
global step over its results. ``kg build`` therefore keeps every article's
:class:`~kg.types.Extraction` in ``<out>/.kg/extractions.jsonl`` (one JSON
object a line, sorted by article id, :mod:`kg.build.state_records`) beside
``<out>/.kg/state.json`` (the format version, the options of the build and a
fingerprint of the pipeline). ``kg add`` extracts only the articles that are
new or whose content changed, ``kg remove`` drops articles, and both re-run
resolution and the graph over the kept extractions (:mod:`kg.build.updates`).

A build state comes from a folder that may have been edited or sent by
someone else: :func:`load_state` refuses anything malformed with one line,
and a store named by a state only counts when it is local
(:func:`kg.build.updates.add` asks for a remote one again).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.atomic import write_atomic
from kg.build.folder import STATE_DIR, state_dir
from kg.build.state_records import (
    Damage,
    extraction_to_dict,
    extractions_digest,
    read_extractions,
    record_problem,
    shown,
)
from kg.build.transaction import recover
from kg.confidence import DEFAULT_MIN_CONFIDENCE
from kg.errors import StateError
from kg.types import Article, Extraction

__all__ = [
    "IRIS_FILE",
    "STATE_FORMAT",
    "BuildOptions",
    "BuildState",
    "article_hash",
    "load_iris",
    "load_state",
    "pipeline_fingerprint",
    "save_iris",
    "save_state",
]


#: Bumped whenever the layout of the state files changes.
STATE_FORMAT = 1


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
        "extractions": extractions_digest(data),
        "options": asdict(state.options),
        "articles": {doc: state.hashes[doc] for doc in sorted(state.hashes)},
        "graphs": dict(sorted(state.graphs.items())),
    }
    write_atomic(folder / "state.json", (json.dumps(meta, indent=1) + "\n").encode("utf-8"))


def load_state(out_dir: str | Path) -> BuildState:
    """Read the state of the build in ``out_dir``.

    A write of the build that was interrupted is first finished or undone
    (:func:`~kg.build.transaction.recover`). Every field is checked (types, and the mentions a
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
            **read_extractions(folder / "extractions.jsonl", meta.get("extractions")),
            hashes=_str_map(_field(meta, "articles", dict, "state.json"), "state.json articles"),
            graphs=_str_map(meta.get("graphs", {}), "state.json graphs"),
        )
    except StateError:
        raise
    except (OSError, UnicodeDecodeError) as err:
        raise _damaged(out_dir, f"{type(err).__name__}: {err}") from err
    except Damage as err:
        raise _damaged(out_dir, str(err)) from None
    except ValueError as err:  # not JSON
        raise _damaged(out_dir, f"state.json is not JSON: {err}") from err
    if set(state.extractions) != set(state.hashes):
        raise _damaged(
            out_dir, "inconsistent: extractions.jsonl and state.json list different articles"
        )
    state.iris.update(load_iris(folder))  # a fresh dict of this state: it holds none yet
    return state


def _damaged(out_dir: str | Path, why: str) -> StateError:
    return StateError(
        f"the build state in {state_dir(out_dir)} is damaged ({why}); rebuild with "
        f"`kg build ARTICLES -o {out_dir}`."
    )


def _field(data: object, key: str, kind: type, where: str) -> Any:
    if not isinstance(data, dict):
        raise Damage(f"{where} is not a JSON object")
    if key not in data:
        raise Damage(f"{where} has no {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise Damage(f"{where}: {key} is {shown(value)}, not {kind.__name__}")
    return value


def _str_map(data: object, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise Damage(f"{where} is not an object of strings")
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
    except Damage as err:
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
    problem = record_problem(values, BuildOptions, tuples_as_lists=False)
    if problem:
        raise Damage(f"state.json options: {problem}")
    built = BuildOptions(**values)
    if not 0 <= built.min_confidence <= 1:
        raise Damage(f"state.json options: min_confidence {built.min_confidence} is not in [0, 1]")
    return built


def _line(state: BuildState, doc: str) -> str:
    """The JSON line of an extraction: the one it was read from, if it is the same object."""
    ex = state.extractions[doc]
    kept = state.lines.get(doc)
    if kept is not None and kept[0] is ex:
        return kept[1]
    return json.dumps(extraction_to_dict(ex), ensure_ascii=False, sort_keys=True)


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
