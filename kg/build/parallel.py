"""Extraction as a map over articles, in this process or in a pool of worker processes.

Workers share a pipeline loaded once (forked from this process where the
platform allows, else each loads its own) and extract chunks of articles; results
come back in input order, so a build with ``jobs=4`` writes the same graph as
one with ``jobs=1``. Only articles and :class:`~kg.types.Extraction` records
cross process boundaries (small, picklable dataclasses), never spaCy docs.

>>> from kg.types import Article
>>> chunks(list(range(5)), 2)
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from kg.build.forks import ignore_interrupt
from kg.resolve import article_keys
from kg.types import Article, Extraction

T = TypeVar("T")

#: Articles sent to a worker at a time, at most: one batch of the pipeline (spaCy's
#: networks run faster on larger batches) ...
CHUNK = 32
#: ... and at least: chunks shrink towards the end so that the workers finish together.
MIN_CHUNK = 4

#: This process's extraction pipeline (and gazetteer), by options: one set at a time.
_PIPELINES: dict[tuple[str | None, tuple[str, ...]], tuple[Any, Any]] = {}


def default_jobs() -> int:
    """The number of processes ``--jobs 0`` means: one per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Iterable[T], size: int) -> list[list[T]]:
    """Split ``items`` into lists of ``size`` (the last one shorter)."""
    it = iter(items)
    out = []
    while chunk := list(islice(it, size)):
        out.append(chunk)
    return out


def tapering_chunks(items: Sequence[T], jobs: int) -> Iterator[list[T]]:
    """Split ``items`` into chunks for ``jobs`` workers: :data:`CHUNK` long while much is
    left, then shorter (a quarter of what is left per worker, at least :data:`MIN_CHUNK`),
    so that no worker is left with a long chunk while the others are idle.

    >>> [len(c) for c in tapering_chunks(list(range(100)), 2)]
    [12, 11, 9, 8, 7, 6, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1]
    """
    start = 0
    while start < len(items):
        left = len(items) - start
        size = min(CHUNK, max(MIN_CHUNK, left // (4 * jobs)))
        yield list(items[start : start + size])
        start += size


def cached_pipeline(model: str | None, gazetteer_files: Sequence[str]) -> tuple[Any, Any]:
    """This process's pipeline and gazetteer for these options, loaded on first use.

    Worker processes (a pool here, or Dask workers in :mod:`kg.build.cluster`) keep
    it between tasks.
    """
    from kg.extract import make_nlp
    from kg.gazetteer import load_gazetteer

    key = (model, tuple(gazetteer_files))
    if key not in _PIPELINES:
        _PIPELINES.clear()
        _PIPELINES[key] = (
            make_nlp(model=model, gazetteer_files=gazetteer_files),
            load_gazetteer(gazetteer_files),
        )
    return _PIPELINES[key]


def _worker_started(*pipeline_options: Any) -> None:
    """Pool initializer: leave Ctrl-C to the parent; load the pipeline when given its options."""
    ignore_interrupt()
    if pipeline_options:
        cached_pipeline(*pipeline_options)


def extract_chunk(
    articles: list[Article], model: str | None = None, gazetteer_files: Sequence[str] = ()
) -> list[Extraction]:
    """Worker task: extract some articles with this process's cached pipeline."""
    from kg.extract import extract

    nlp, gazetteer = cached_pipeline(model, gazetteer_files)
    return list(extract(articles, nlp, gazetteer=gazetteer, batch_size=max(1, len(articles))))


#: One article's extraction and its resolution keys (:func:`kg.resolve.article_keys`).
Keyed = tuple[Extraction, list[str | None]]


def extract_keyed_chunk(
    articles: list[Article], model: str | None = None, gazetteer_files: Sequence[str] = ()
) -> list[Keyed]:
    """Worker task: :func:`extract_chunk`, with each article's resolution keys, which
    depend on the article alone: made here, they cost the build's serial resolution nothing."""
    _, gazetteer = cached_pipeline(model, gazetteer_files)
    done = extract_chunk(articles, model, gazetteer_files)
    return [(ex, article_keys(ex, gazetteer=gazetteer)) for ex in done]


def extract_articles(
    articles: Iterable[Article],
    *,
    jobs: int = 1,
    model: str | None = None,
    gazetteer_files: Sequence[str] = (),
    on_article: Callable[[Article], None] | None = None,
    keys: dict[str, list[str | None]] | None = None,
) -> Iterator[Extraction]:
    """Extract ``articles`` with ``jobs`` processes (1: in this process), in input order.

    ``on_article`` is called in this process after each article is done. ``keys``,
    when given, receives each article's resolution keys by article id, made by the
    workers (:func:`extract_keyed_chunk`; not with one process, where resolution makes them).
    """
    if jobs <= 1:
        from kg.extract import extract, make_nlp
        from kg.gazetteer import load_gazetteer

        nlp = make_nlp(model=model, gazetteer_files=gazetteer_files)
        gazetteer = load_gazetteer(gazetteer_files)
        yield from extract(articles, nlp, gazetteer=gazetteer, on_article=on_article)
        return
    options = (model, tuple(gazetteer_files))
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        # Load once here; forked workers share the loaded pipeline (copy-on-write)
        # and start at once, as spaCy's own nlp.pipe(n_process=...) does.
        cached_pipeline(*options)
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_started)
    else:
        pool = multiprocessing.get_context("spawn").Pool(
            jobs, initializer=_worker_started, initargs=options
        )
    task = partial(extract_keyed_chunk, model=model, gazetteer_files=options[1])
    try:
        with pool:
            for done in pool.imap(task, tapering_chunks(list(articles), jobs)):
                for extraction, made in done:
                    if keys is not None:
                        keys[extraction.article.id] = made
                    if on_article is not None:
                        on_article(extraction.article)
                    yield extraction
    finally:
        _PIPELINES.clear()  # the pipeline loaded here for forking is not needed any more
