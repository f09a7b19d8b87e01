"""Resolution over a build state: the entities and relations (:class:`BuildResult`) a build writes.

Resolution runs over every article of a build, in article-id order, reusing
the entity ids and the resolution keys the build folder kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from rdflib import Dataset

from kg.build.folder import PACKAGE_DIR, state_dir
from kg.build.state import BuildState
from kg.confidence import split_relations
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.graph.assemble import build_dataset
from kg.memo import Memo, read_memo
from kg.ontology import KGR_IRI, ontology_dir
from kg.resolve import article_keys, resolve_minted
from kg.types import Entity, Resolved

__all__ = [
    "KEYS_FILE",
    "BuildResult",
    "assemble",
    "kept_keys",
    "keys_salt",
    "resolution_code",
    "resolve_state",
    "threshold_resolved",
]


#: The resolution keys of each article, kept for the next build (:func:`resolve_state`).
KEYS_FILE = "keys.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: entities, per-document records, and the build state.

    ``resolved`` holds the relations the build asserts, those at or above its
    confidence threshold; ``candidates`` the ones below it, by document
    (documents with none left out). ``dataset`` (an rdflib Dataset of the
    whole graph, checked: what kg.trig holds) is made on first use: writing
    the graph files streams and does not need it.
    """

    entities: list[Entity]
    resolved: list[Resolved]
    state: BuildState | None = None
    base: str = KGR_IRI
    candidates: list[Resolved] = field(default_factory=list)
    #: A cluster build's N-Quads shards, written but not committed
    #: (see :func:`kg.build.pipeline.run`).
    shards: Path | None = None
    #: The resolution's keys of each article, for the next build (see :func:`resolve_state`).
    keys: Memo | None = None

    @cached_property
    def dataset(self) -> Dataset:
        """The whole graph as an rdflib Dataset (a named graph per article), as kg.trig holds it
        (:func:`kg.graph.assemble.assemble`)."""
        return build_dataset(self.entities, self.resolved, base=self.base)


def assemble(state: BuildState, *, keys: Memo | None = None) -> BuildResult:
    """Resolve the extractions of a build state (:func:`resolve_state`, reusing ``keys``)."""
    keys = Memo() if keys is None else keys
    entities, resolved, below = resolve_state(state, keys=keys)
    return BuildResult(entities, resolved, state, state.options.base, below, keys=keys)


def resolve_state(
    state: BuildState, *, keys: Memo | None = None
) -> tuple[list[Entity], list[Resolved], list[Resolved]]:
    """Resolve the extractions of a build state, in article-id order, and apply its threshold.

    The order makes the graph depend only on which articles the build
    holds, not on the order they came in. The state keeps every relation
    found; this is where the build's ``min_confidence`` splits them
    (:func:`kg.confidence.split_relations`), after resolution, which reads
    mentions only. Returns the entities, each article with the relations it
    asserts (everything that makes graph output, extractions.jsonl included,
    reads these), and each article that has relations below the threshold
    with those only (for candidates.trig).

    Entity ids the build folder gave before (``state.iris``) are kept, and
    the ids given here are added to ``state.iris``, the build's registry
    (:func:`kg.resolve.resolve_minted`): an IRI never moves to another entity.
    ``keys`` holds each article's resolution keys (:func:`kg.resolve.article_keys`)
    by article hash: those of unchanged articles are reused, and all kept.
    """
    gazetteer = load_gazetteer(state.options.gazetteer_files)
    docs = sorted(state.extractions)
    extractions = [state.extractions[doc] for doc in docs]
    known = None
    if keys is not None:
        known = [_article_keys(state, doc, keys, gazetteer) for doc in docs]
    entities, resolved, iris = resolve_minted(
        extractions, gazetteer=gazetteer, minted=state.iris, known_keys=known
    )
    state.iris.update(iris)  # only ever grows: ids are added, none changes
    kept, below = threshold_resolved(resolved, state.options.min_confidence)
    return entities, kept, below


def _article_keys(
    state: BuildState, doc: str, keys: Memo, gazetteer: Gazetteer
) -> list[str | None]:
    """The resolution keys of article ``doc``: those kept under its hash, if they fit it."""
    extraction = state.extractions[doc]
    kept = keys.get(state.hashes[doc])
    fits = isinstance(kept, list) and len(kept) == len(extraction.mentions)
    if fits and all(k is None or isinstance(k, str) for k in kept):
        return kept
    made = article_keys(extraction, gazetteer=gazetteer)
    keys.put(state.hashes[doc], made)
    return made


def kept_keys(state: BuildState, out_dir: str | Path) -> Memo:
    """The resolution keys the build in ``out_dir`` kept (:func:`resolve_state`)."""
    return Memo(read_memo(state_dir(out_dir) / KEYS_FILE, keys_salt(state)))


def keys_salt(state: BuildState) -> str:
    """What kept resolution keys hold for: kg's version and the code and knowledge files
    resolution reads (a change to any of them makes every article's keys again)."""
    from kg import __version__

    knowledge = sorted(ontology_dir().glob("*.ttl"))
    files = [*resolution_code(), *knowledge, *map(Path, state.options.gazetteer_files)]
    digest = hashlib.sha256(f"{__version__}\x1d{state.fingerprint}".encode())
    for path in files:
        try:
            digest.update(b"\x1d" + path.read_bytes())
        except OSError:  # resolution says so when it reads the file
            digest.update(b"\x1d?" + str(path).encode())
    return digest.hexdigest()[:32]


def resolution_code() -> list[Path]:
    """The modules whose code decides resolution keys: kg.resolve, and the ontology,
    gazetteer and record types it reads."""
    package = sorted((PACKAGE_DIR / "resolve").glob("*.py"))
    return [*package, *(PACKAGE_DIR / name for name in ("ontology.py", "gazetteer.py", "types.py"))]


def threshold_resolved(
    resolved: Iterable[Resolved], min_confidence: float
) -> tuple[list[Resolved], list[Resolved]]:
    """Split resolved articles at a confidence threshold (:func:`kg.confidence.split_relations`).

    Returns every article with the relations at or above ``min_confidence``,
    and the articles that have relations below it, with those only.

    >>> from kg.types import Article, Extraction, Mention, RelationCandidate
    >>> ms = (Mention(0, 4, "Acme", "Company"), Mention(14, 20, "Berlin", "City"))
    >>> rels = (RelationCandidate(0, 1, "basedIn", 0.9, (0, 21)),
    ...         RelationCandidate(0, 1, "operatesIn", 0.3, (0, 21)))
    >>> ex = Extraction(Article("d1", "Acme is from Berlin."), ms, rels)
    >>> kept, below = threshold_resolved([Resolved(ex, ("org/acme", "place/berlin"))], 0.5)
    >>> [r.predicate for r in kept[0].extraction.relations], len(below)
    (['basedIn'], 1)
    """
    kept: list[Resolved] = []
    below: list[Resolved] = []
    for item in resolved:
        extraction, low = split_relations(item.extraction, min_confidence)
        kept.append(item if extraction is item.extraction else replace(item, extraction=extraction))
        if low:
            below.append(replace(item, extraction=replace(item.extraction, relations=low)))
    return kept, below
