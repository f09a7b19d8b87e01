"""A map over items in worker processes forked from this one, results in input order.

The generic mapper behind the build's parallel steps that need no spaCy (making and
checking each article's graph for kg.trig in :mod:`kg.build.graphfiles`): the work
reaches the workers by fork, not by pickling. Extraction's own pool, which loads the
spaCy pipeline, is :mod:`kg.build.parallel`.

>>> list(map_forked(abs, [-1, 2, -3], jobs=2, chunk=1))
[1, 2, 3]
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["ignore_interrupt", "map_forked"]

T = TypeVar("T")
R = TypeVar("R")

#: The work :func:`map_forked` hands to the processes it forks: (function, items).
_FORKED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def ignore_interrupt() -> None:
    """Pool initializer: leave Ctrl-C to the parent.

    Ctrl-C in a terminal reaches every process of the group. The parent stops
    the pool and reports the interruption in one line; a worker interrupted
    mid-task would print a traceback and could leave the pool waiting forever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_forked(
    func: Callable[[T], R], items: Sequence[T], *, jobs: int = 1, chunk: int = 8
) -> Iterator[R]:
    """``func`` over ``items`` in ``jobs`` processes forked now, results in input order.

    The workers are forked from this process as it is at the call, so
    ``func`` and ``items`` (closures, large indexes) reach them without being
    pickled; only the results come back. With one job, too few items to
    share, or no ``fork`` on the platform, it is a plain ``map`` here.

    >>> list(map_forked(str, [1, 2], jobs=1))
    ['1', '2']
    """
    global _FORKED
    fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or not fork or len(items) <= chunk:
        yield from map(func, items)
        return
    if _FORKED is not None:
        raise RuntimeError("map_forked: already mapping in this process")
    _FORKED = (func, items)
    try:
        bounds = [(i, min(i + chunk, len(items))) for i in range(0, len(items), chunk)]
        with multiprocessing.get_context("fork").Pool(jobs, initializer=ignore_interrupt) as pool:
            for done in pool.imap(_run_forked, bounds):
                yield from done
    finally:
        _FORKED = None


def _run_forked(bounds: tuple[int, int]) -> list[Any]:
    """Worker task of :func:`map_forked`: one slice of the items."""
    assert _FORKED is not None, "map_forked's workers are forked after it sets its work"
    func, items = _FORKED
    return [func(item) for item in items[bounds[0] : bounds[1]]]
