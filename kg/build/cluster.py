"""Builds spread over a Dask distributed cluster: ``kg build --cluster ADDRESS``.

A build is a map, a small global step and another map:

1. workers extract partitions of articles (each worker loads the pipeline
   once and keeps it between tasks) and send back the
   :class:`~kg.types.Extraction` records;
2. this process resolves entities over all of them (seconds even for tens
   of thousands of articles: it reads mentions only);
3. workers turn partitions of resolved articles into their named graphs and
   write them as N-Quads shards (``<out>/shards/part-00000.nq``...). IRIs
   are derived from content, so shards merge by plain union, without
   coordination; the entity descriptions, corroborated facts and the
   ontology are one more shard written here. The merged graph is isomorphic
   to a one-process build (tests/test_cluster.py), and the shards are what a
   SPARQL server bulk-loads. The workers check each article's graph against
   the shapes with the checked entity descriptions, as ``kg build`` does
   (:func:`kg.graph.validate.check_document`), and send back the statements they
   kept and the records of what they set aside: the facts and the
   quarantine graph of the last shard are made from those.

Why Dask and not Ray: the work is a map over plain, picklable Python
records, with no shared state and no GPU; Dask distributed is pure Python
(a few MB), installs from PyPI anywhere kg does, runs the same code on a
laptop (``local:N`` starts a local cluster of N worker processes) or on a
real scheduler (``tcp://host:8786``), and needs no runtime of its own. Ray's
object store and actor model would add a large binary dependency for
nothing this job uses.

Install it with ``pip install 'kg-builder[cluster]'``.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from kg.build.parallel import chunks, extract_chunk
from kg.errors import ClusterError
from kg.graph.assemble import ArticleWork, CheckedGraph, Descriptions, article_graph, assemble
from kg.graph.records import dataset_from_blocks
from kg.types import Article, Entity, Extraction, Resolved

#: Articles per extraction task: enough to batch on the worker, small enough to balance.
PARTITION = 32


def _client_class() -> Any:
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise ClusterError(
            "building on a cluster needs Dask distributed: pip install 'kg-builder[cluster]' "
            "(or pip install distributed)."
        ) from err
    return Client, LocalCluster


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Dask client for ``address``: ``local`` / ``local:N`` (a local cluster of N
    worker processes, one thread each) or a scheduler address such as
    ``tcp://10.0.0.5:8786``.

    Raises:
        ClusterError: Dask is missing, the address is malformed, or the
            scheduler cannot be reached.
    """
    client_cls, local_cls = _client_class()
    match = re.fullmatch(r"local(?::(\d+))?", address)
    if match:
        workers = int(match.group(1) or 2)
        if workers < 1:
            raise ClusterError(f"{address!r}: a local cluster needs at least one worker.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "port 8787 in use": workers take another
            cluster = local_cls(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
        client = client_cls(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    if "://" not in address:
        raise ClusterError(
            f"{address!r}: give a scheduler address such as tcp://HOST:8786, or local:N "
            "for a local cluster of N worker processes."
        )
    try:
        client = client_cls(address, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"{address}: cannot reach the Dask scheduler ({err}).") from err
    try:
        yield client
    finally:
        client.close()


def _write_shard(
    works: Sequence[ArticleWork], path: str, base: str, descriptions: Descriptions
) -> list[CheckedGraph]:
    """Worker task: make and check the named graphs of some articles and write them as an
    N-Quads shard; return the graphs without their triples (the statements kept and the
    records of what was set aside stay)."""
    from kg.graph.export import export_graph

    graphs = [article_graph(work, descriptions, base=base) for work in works]
    blocks = [(graph.name, graph.triples or ()) for graph in graphs]
    export_graph(dataset_from_blocks(blocks, base=base), format="nquads", destination=Path(path))
    return [replace(graph, triples=None) for graph in graphs]


def extract_on_cluster(
    client: Any,
    articles: Sequence[Article],
    *,
    model: str | None = None,
    gazetteer_files: Sequence[str] = (),
    on_article: Callable[[Article], None] | None = None,
) -> list[Extraction]:
    """Map extraction over partitions of ``articles`` on the cluster; results in input order."""
    from distributed import as_completed

    parts = chunks(articles, PARTITION)
    futures = client.map(
        extract_chunk,
        parts,
        model=model,
        gazetteer_files=tuple(gazetteer_files),
        pure=False,
    )
    index = {future.key: i for i, future in enumerate(futures)}
    done: list[list[Extraction] | None] = [None] * len(parts)
    for future in as_completed(futures):
        result = future.result()
        done[index[future.key]] = result
        if on_article is not None:
            for extraction in result:
                on_article(extraction.article)
    return [ex for part in done for ex in part or ()]


def write_shards(
    client: Any,
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    folder: Path,
    *,
    base: str,
) -> list[Path]:
    """Write the checked graph as N-Quads shards: one per partition of articles (on the
    workers), then ``entities.nq`` here: the ontology, the entity descriptions, the
    corroborated facts of the statements the workers kept, and the quarantine graph.

    ``folder`` should be new or the shards' own: its ``*.nq`` files are replaced
    (a build commits them to its shards/ folder with its other files, see
    :func:`kg.build.pipeline.write_outputs`)."""
    return _write_all_shards(client, entities, resolved, folder, base=base)


def write_local_shards(
    entities: Sequence[Entity], resolved: Sequence[Resolved], folder: Path, *, base: str
) -> list[Path]:
    """:func:`write_shards` in this process, without a cluster: the same files. ``kg add``
    and ``kg remove`` of a cluster build keep its shards up to date with it."""
    return _write_all_shards(None, entities, resolved, folder, base=base)


def _write_all_shards(
    client: Any | None,
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    folder: Path,
    *,
    base: str,
) -> list[Path]:
    """:func:`write_shards` on ``client``'s workers, or here when it is None: the graphs of
    :func:`kg.graph.assemble.assemble`, the articles' made by the shards' writers."""
    from kg.graph.export import export_graph

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.nq"):
        old.unlink()
    paths: list[Path] = []

    def shards(
        works: Sequence[ArticleWork], descriptions: Descriptions, base: str
    ) -> Iterator[CheckedGraph]:
        parts = chunks(works, PARTITION)
        paths.extend(folder / f"part-{i:05d}.nq" for i in range(len(parts)))
        if client is None:
            done = [
                _write_shard(part, str(p), base, descriptions)
                for part, p in zip(parts, paths, strict=True)
            ]
        else:
            shared = client.scatter(descriptions, broadcast=True)
            futures = client.map(
                _write_shard,
                parts,
                [str(p) for p in paths],
                base=base,
                descriptions=shared,
                pure=False,
            )
            done = client.gather(futures)
        for graphs in done:
            yield from graphs

    graphs = assemble(entities, resolved, base=base, articles=shards)
    # The articles' graphs are in the shards; the rest (ontology, default graph, quarantine) here.
    blocks = [(graph.name, graph.triples) for graph in graphs if graph.triples is not None]
    entities_path = folder / "entities.nq"
    dataset = dataset_from_blocks(blocks, base=base)
    export_graph(dataset, format="nquads", destination=entities_path)
    return [entities_path, *paths]


def merge_shards(dataset: Any, paths: Sequence[Path]) -> Any:
    """Add the quads of N-Quads shards to ``dataset`` (a union: shards never conflict)."""
    from kg.rdf.load import load_graph

    for path in paths:
        part = load_graph(path, format="nquads")
        for quad in part.quads((None, None, None, None)):
            dataset.add(quad)
    return dataset


__all__ = [
    "PARTITION",
    "connect",
    "extract_on_cluster",
    "merge_shards",
    "write_local_shards",
    "write_shards",
]
