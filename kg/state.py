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

>>> from kg.types import Article, Extraction, Mention
>>> ex = Extraction(Article("d1", "Acme hired Jo."), (Mention(0, 4, "Acme", "Company"),), ())
>>> extraction_from_dict(extraction_to_dict(ex)) == ex
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import StateError
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


@dataclass(frozen=True)
class BuildOptions:
    """The options of a build that ``kg add`` and ``kg remove`` must reuse."""

    base: str
    gazetteer_files: tuple[str, ...] = ()
    model: str | None = None
    encoding: str | None = None
    store: str | None = None  # a store spec (kg.stores) the build is published to


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

    Raises:
        StateError: there is no build there, or its state is damaged or of
            another format (the message says to run ``kg build`` again).
    """
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
        state = BuildState(
            options=BuildOptions(
                base=options["base"],
                gazetteer_files=tuple(options["gazetteer_files"]),
                model=options["model"],
                encoding=options["encoding"],
                store=options.get("store"),
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
