"""``kg add`` and ``kg remove``: a build grown or shrunk in place, as a full build would give it."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kg.build.checkpoints import article_checkpoints, checkpoint
from kg.build.folder import DEFAULT_OUTPUT
from kg.build.lock import writer_lock
from kg.build.outputs import write_outputs
from kg.build.parallel import extract_articles
from kg.build.pipeline import fingerprint
from kg.build.publish import publish_pending, store_spec
from kg.build.resolution import assemble, kept_keys
from kg.build.state import BuildState, article_hash, load_state
from kg.errors import EmptyInputError, StateError
from kg.ingest import MAX_CHARS, check_replacements, read_articles
from kg.types import Article

__all__ = [
    "ChangeSummary",
    "add",
    "publication",
    "remove",
]


@dataclass(frozen=True)
class ChangeSummary:
    """What ``kg add`` or ``kg remove`` changed, by article id."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    documents: int = 0  # articles in the build afterwards


def add(
    paths: Sequence[str | Path],
    *,
    out_dir: str | Path = DEFAULT_OUTPUT,
    html: bool = True,
    jobs: int = 1,
    on_article: Callable[[Article], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    encoding: str | None = None,
    max_chars: int | None = MAX_CHARS,
    store: str | None = None,
) -> ChangeSummary:
    """Add articles to the build in ``out_dir``, in place.

    ``encoding`` reads these files (default: the build's encoding); ``max_chars``
    is as in :func:`kg.build.pipeline.run`. ``store`` is the store to publish the build to (see
    :func:`publication`); the command holds the folder's writer lock from
    before it reads the state until it is written.

    An article already there with the same content changes nothing; one
    whose content changed (same id) replaces its earlier version. Only new
    and changed articles are extracted; resolution and the graph are redone
    over the whole build, reusing what the build kept for unchanged inputs
    (checks, resolution keys, layouts: :mod:`kg.memo`), so the result is what
    a full build gives.

    Raises:
        StateError: no build in ``out_dir``, or kg, its model or its knowledge
            files changed since (then extractions cannot be mixed: build again),
            or the build publishes to a remote store that ``store`` does not name.
    """
    with writer_lock(out_dir):
        state = publication(load_state(out_dir), out_dir, store)
        checkpoint("state:read")
        return _add(state, paths, out_dir, html, jobs, on_article, on_start, encoding, max_chars)


def publication(state: BuildState, out_dir: str | Path, store: str | None) -> BuildState:
    """The build state with the store ``kg add``/``kg remove`` publish to.

    ``store`` (the command line's ``--store``), when given, replaces the
    state's store (a new store is sent every graph). Otherwise a local store
    the state names is kept, but not a remote one: a build folder may come
    from anyone, and its state alone must not decide where articles are sent.

    Raises:
        StateError: the state names a remote store and ``store`` is not given.
    """
    if store is not None:
        spec = store_spec(store)
        if spec == state.options.store:
            return state
        return replace(state, options=replace(state.options, store=spec), graphs={})
    named = state.options.store
    if named and named.startswith(("sparql+http://", "sparql+https://")):
        raise StateError(
            f"{out_dir}: this build publishes to the remote store {named}; kg sends articles "
            "to a remote store only when the command names it: give --store again, or "
            "build again without --store."
        )
    return state


def _add(
    state: BuildState,
    paths: Sequence[str | Path],
    out_dir: str | Path,
    html: bool,
    jobs: int,
    on_article: Callable[[Article], None] | None,
    on_start: Callable[[int], None] | None,
    encoding: str | None,
    max_chars: int | None,
) -> ChangeSummary:
    """:func:`add`, with the writer lock held and the state read."""
    articles = list(
        read_articles(list(paths), encoding=encoding or state.options.encoding, max_chars=max_chars)
    )
    if not articles:
        raise EmptyInputError("no articles to add: give files, folders or globs of articles.")
    check_replacements({doc: ex.article for doc, ex in state.extractions.items()}, articles)
    todo = [a for a in articles if state.hashes.get(a.id) != article_hash(a)]
    todo_ids = {a.id for a in todo}
    unchanged = tuple(sorted(a.id for a in articles if a.id not in todo_ids))
    if on_start is not None:
        on_start(len(todo))
    if not todo:
        # The store's last update was cut short, or it is a store new to the build.
        if state.options.store and (publish_pending(out_dir) or not state.graphs):
            result = assemble(state, keys=kept_keys(state, out_dir))
            write_outputs(result, out_dir, html=html, base=state.options.base)
        return ChangeSummary(unchanged=unchanged, documents=len(state.extractions))
    options = state.options
    current = fingerprint(model=options.model, gazetteer_files=options.gazetteer_files)
    if current != state.fingerprint:
        raise StateError(
            f"{out_dir}: kg, its model or its knowledge files changed since this build, so new "
            "extractions would not match the kept ones. Run `kg build` again on all articles."
        )
    extractions = dict(state.extractions)
    hashes = dict(state.hashes)
    for ex in extract_articles(
        todo,
        jobs=jobs,
        model=options.model,
        gazetteer_files=options.gazetteer_files,
        on_article=article_checkpoints(on_article),
    ):
        extractions[ex.article.id] = ex
        hashes[ex.article.id] = article_hash(ex.article)
    new_state = replace(state, extractions=extractions, hashes=hashes)
    result = assemble(new_state, keys=kept_keys(state, out_dir))
    write_outputs(result, out_dir, html=html, base=options.base, jobs=jobs)
    return ChangeSummary(
        added=tuple(sorted(a.id for a in todo if a.id not in state.hashes)),
        replaced=tuple(sorted(a.id for a in todo if a.id in state.hashes)),
        unchanged=unchanged,
        documents=len(extractions),
    )


def remove(
    doc_ids: Sequence[str],
    *,
    out_dir: str | Path = DEFAULT_OUTPUT,
    html: bool = True,
    store: str | None = None,
) -> ChangeSummary:
    """Retract articles from the build in ``out_dir``, and whatever only they asserted.

    ``store`` is as for :func:`add`; so is the writer lock.

    Raises:
        StateError: no build in ``out_dir``, an id it does not hold (the
            message lists close ids), or a remote store ``store`` does not name.
    """
    with writer_lock(out_dir):
        state = publication(load_state(out_dir), out_dir, store)
        checkpoint("state:read")
        return _remove(state, doc_ids, out_dir, html)


def _remove(
    state: BuildState, doc_ids: Sequence[str], out_dir: str | Path, html: bool
) -> ChangeSummary:
    """:func:`remove`, with the writer lock held and the state read."""
    # An id typed with a combining accent (NFD) is the NFC id a file name gives.
    doc_ids = [d if d in state.extractions else unicodedata.normalize("NFC", d) for d in doc_ids]
    unknown = [doc for doc in doc_ids if doc not in state.extractions]
    if unknown:
        close = sorted(
            {m for doc in unknown for m in difflib.get_close_matches(doc, state.extractions, 3)}
        )
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise StateError(
            f"{out_dir}: the build holds no article {', '.join(map(repr, unknown))} "
            f"({len(state.extractions)} article{'' if len(state.extractions) == 1 else 's'}).{hint}"
        )
    if len(set(doc_ids)) == len(state.extractions):
        raise StateError(
            f"{out_dir}: removing every article would leave an empty graph; delete the folder "
            "instead."
        )
    gone = set(doc_ids)
    new_state = replace(
        state,
        extractions={k: v for k, v in state.extractions.items() if k not in gone},
        hashes={k: v for k, v in state.hashes.items() if k not in gone},
    )
    result = assemble(new_state, keys=kept_keys(state, out_dir))
    write_outputs(result, out_dir, html=html, base=state.options.base)
    return ChangeSummary(removed=tuple(sorted(gone)), documents=len(new_state.extractions))
