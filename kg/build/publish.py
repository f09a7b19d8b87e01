"""Publishing a build to stores: its own store (``<out>/store``) and the one ``--store`` names.

A build published to a store commits the note ``<out>/.kg/publishing`` with
its files and removes it once the store holds them: while it is there, the
next write sends the store every graph.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import write_atomic
from kg.build.checkpoints import checkpoint
from kg.build.folder import PUBLISH_FILE, state_dir
from kg.errors import PublishInterruptedError, StoreError
from kg.graph.records import Block
from kg.stores.home import GRAPH_FILE, home_of, stamp, unstamp
from kg.stores.homeload import HomeLoad

if TYPE_CHECKING:
    from kg.stores import Store

__all__ = [
    "home_spec",
    "mark_published",
    "mark_publishing",
    "open_publication",
    "publish",
    "publish_committed",
    "publish_home",
    "publish_pending",
    "store_spec",
]


def store_spec(spec: str) -> str:
    """Check a store spec for a build and make a folder path absolute.

    >>> store_spec("sparql+http://127.0.0.1:7878")
    'sparql+http://127.0.0.1:7878'
    >>> store_spec("memory")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.StoreError: a memory store ends with this process: ...
    """
    text = spec.strip()
    if text == "memory":
        raise StoreError(
            "a memory store ends with this process: publish a build to oxigraph:PATH or "
            "sparql+http://HOST:PORT/."
        )
    if text.startswith(("sparql+http://", "sparql+https://")):
        return text
    path = text.removeprefix("oxigraph:")
    return "oxigraph:" + str(Path(path).resolve())


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


def open_publication(spec: str) -> Store:
    from kg.stores import open_store

    return open_store(spec, create=True)


def publish_committed(
    blocks: Iterable[Block],
    spec: str,
    store: Store,
    *,
    previous: Mapping[str, str],
    current: Mapping[str, str],
) -> None:
    """:func:`publish` once the files are committed: failures say that the files are written."""
    written = "The graph files are written; the next `kg add`, `kg remove` or `kg build` there"
    try:
        publish(blocks, spec, previous=previous, current=current, store=store)
    except KeyboardInterrupt:
        raise PublishInterruptedError(
            f"{spec}: interrupted while the store was being updated. {written} brings the "
            "store up to date."
        ) from None
    except StoreError as err:
        raise StoreError(f"{err} {written} sends the store what it lacks.") from err


def publish(
    blocks: Iterable[Block],
    spec: str,
    *,
    previous: Mapping[str, str],
    current: Mapping[str, str],
    store: Store | None = None,
) -> tuple[int, int]:
    """Bring the store ``spec`` names up to date with a build, graph by graph.

    Graphs whose digest differs from ``previous`` (what the store was last
    sent) are replaced, graphs the build no longer has are removed, and the
    rest is left alone: ``kg add`` of one article to a big build sends that
    article's graph (and the default graph of entity descriptions) only, or
    also the graphs of other articles whose entities it merged. With no
    ``previous``, every graph is sent and any other graph in the store removed.
    ``blocks`` are the graph as the files hold it (:func:`kg.graph.assemble.assemble`).
    ``store``, when given, is ``spec`` already open (and left open). Returns (graphs sent,
    graphs removed).
    """
    from kg.stores import open_store

    opened = store if store is not None else open_store(spec, create=True)
    try:
        if previous:
            stale = set(previous) - set(current)
        else:  # a first publication: whatever else the store holds goes
            stale = {str(n) for n in opened.graph_names() if not str(n).startswith("urn:x-kg:")}
        sent = 0
        for name, triples in blocks:
            key = "" if name is None else str(name)
            stale.discard(key)
            if previous and previous.get(key) == current.get(key):
                continue
            opened.replace_graph(name, triples)
            sent += 1
            checkpoint(f"publish:{sent}")
        for key in sorted(stale):
            opened.remove_graph(key or None)
    finally:
        if store is None:
            opened.close()
    return sent, len(stale)


def home_spec(folder: Path) -> str:
    return "oxigraph:" + str(home_of(folder).resolve())


#: Seconds a build waits for the readers of its store (a kg query) to let it go.
_HOME_WAIT = 30.0


def publish_home(folder: Path, loading: HomeLoad | None = None) -> None:
    """Make the build's own store (``folder/store``, :mod:`kg.stores.home`) hold its kg.trig.

    A new store is bulk-loaded from kg.trig (and kg.ttl, its union) beside the old
    one and takes its place once no reader has the old one open. ``loading``, when
    started, is that load (:class:`kg.stores.homeload.HomeLoad`), run from the staged
    files while the write staged the others; a build that also publishes to another
    store loads here instead, after that publication, so that one cut short leaves no
    loaded store behind. Sending only the graphs that
    changed (:func:`publish`) would cost more: finding them means making and
    checking every graph again, and Oxigraph loads a whole build's kg.trig
    in seconds (5,000 Reuters articles: about 6 s). The store is stamped
    with the kg.trig it holds; until then reading commands read kg.trig.
    Called with the files committed.

    Raises:
        StoreError: a reader kept the store longer than :data:`_HOME_WAIT`
            seconds, or it cannot be written; the files are written, and the
            next ``kg add``, ``kg remove`` or ``kg build`` there rebuilds it.
    """
    home = home_of(folder)
    graph_file = folder / GRAPH_FILE
    written = (
        "The graph files are written and the reading commands read kg.trig; the next "
        "`kg add`, `kg remove` or `kg build` there brings the store up to date."
    )
    unstamp(home)
    try:
        if loading is None or not loading.started:
            loading = HomeLoad(folder).start(folder)
        fresh = loading.result()
        stamp(fresh, graph_file)
        _swap_in(fresh, home)
    except StoreError as err:
        raise StoreError(f"{err} {written}") from err


def _swap_in(fresh: Path, home: Path) -> None:
    """Put the store folder ``fresh`` in the place of ``home``, once no reader holds it."""
    from kg.stores import holding

    old = home.with_name(".store-old")
    shutil.rmtree(old, ignore_errors=True)
    if not home.exists():
        os.replace(fresh, home)
        return
    with holding(home, wait=_HOME_WAIT):  # no reader has the old store open, none comes in
        os.replace(home, old)
        os.replace(fresh, home)
    shutil.rmtree(old, ignore_errors=True)
