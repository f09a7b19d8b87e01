"""Extraction speed: kg's pipeline against spaCy's own, on the same news text.

Requirement: kg's extraction keeps at least 70% of the throughput of spaCy's
own English pipeline on the same text and machine. This script measures, in
one run, on the same articles in the same order and with the same number of
processes:

(a) spaCy:  ``nlp = kg.extract.load_model()``; ``list(nlp.pipe(texts, batch_size=B))``
(b) kg:     ``nlp = kg.extract.make_nlp()``;
            ``list(kg.extract.extract(articles, nlp, batch_size=B, gazetteer=g))``
            (the gazetteer loaded once beforehand, as ``kg.build.pipeline.run`` does)
(c) build:  (b) followed by ``kg.resolve.resolve`` and ``kg.graph.assemble.build_dataset``,
            to show what the global (whole-corpus) steps cost on top.

Both pipelines are loaded (load times reported apart, not timed with the
runs) and warmed on a small batch first. Runs of (a) and (b) alternate which
goes first, and the median of ``--repeat`` runs is reported. Throughput is
in words per second, a word being a whitespace-separated token.

Run from the repository root::

    python benchmarks/extract_speed.py                 # 1 process, 3 runs
    python benchmarks/extract_speed.py --processes 2   # one worker per core
    python benchmarks/extract_speed.py --check         # exit 1 below the target
    python benchmarks/extract_speed.py --breakdown     # seconds per pipeline component

It prints its figures and exits 0 (with ``--check``: 1 when kg is below the
target). It is a measurement, not a test: nothing in the test suite times
anything.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import math
import multiprocessing
import multiprocessing.pool
import os
import platform
import resource
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Run as a script (python benchmarks/extract_speed.py) its folder is on sys.path
# already; this also covers runpy and other ways in.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from spacy.language import Language

from corpus import (
    count_words,
    file_articles,
    lee_articles,
    lee_path,
    repeat_to,
    sample_articles,
)
from kg.errors import KGError
from kg.extract import doc_to_extraction, extract, load_model, make_nlp
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.graph.assemble import build_dataset
from kg.resolve import resolve
from kg.types import Article, Extraction

#: kg must keep at least this share of spaCy's throughput (percent).
TARGET = 70.0

#: Articles in the warm-up batch.
WARMUP = 16


@dataclass(frozen=True)
class Setup:
    """What one benchmark run measures on: the text, the loaded pipelines, the options."""

    articles: list[Article]
    spacy_nlp: Language
    kg_nlp: Language
    gazetteer: Gazetteer
    batch_size: int
    processes: int


# Set before worker processes are forked, so that they inherit the loaded,
# warmed pipelines instead of loading their own.
_SETUP: Setup | None = None


def _setup() -> Setup:
    assert _SETUP is not None, "the benchmark setup is made before any run"
    return _SETUP


def run_spacy(indices: range) -> int:
    """spaCy's own pipeline on articles ``indices``; returns the number of entities found."""
    setup = _setup()
    texts = [setup.articles[i].text for i in indices]
    docs = list(setup.spacy_nlp.pipe(texts, batch_size=setup.batch_size))
    return sum(len(doc.ents) for doc in docs)


def run_kg(indices: range) -> list[Extraction]:
    """kg's extraction on articles ``indices``."""
    setup = _setup()
    articles = [setup.articles[i] for i in indices]
    return list(
        extract(articles, setup.kg_nlp, batch_size=setup.batch_size, gazetteer=setup.gazetteer)
    )


def _work(task: tuple[str, range]) -> tuple[int | list[Extraction], float]:
    """Run one chunk in a worker; return its result and the CPU seconds it took there."""
    kind, indices = task
    cpu = time.process_time()
    result = run_spacy(indices) if kind == "spacy" else run_kg(indices)
    return result, time.process_time() - cpu


def _warm(barrier: threading.Barrier | None = None) -> None:
    """Run both pipelines once on a small batch; in a worker, then wait for the others."""
    warm = range(min(WARMUP, len(_setup().articles)))
    run_spacy(warm)
    run_kg(warm)
    if barrier is not None:
        barrier.wait()


def _chunks(n: int, processes: int, batch_size: int) -> list[range]:
    """Contiguous, ordered slices of ``range(n)`` small enough to keep every worker busy."""
    size = max(1, min(batch_size, math.ceil(n / (8 * processes))))
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


@dataclass(frozen=True)
class Timing:
    """One timed run: wall-clock and CPU seconds (all processes), and what came out."""

    seconds: float
    cpu: float
    found: int  # entities (spaCy) or mentions (kg)
    extractions: tuple[Extraction, ...] = ()


def timed(kind: str, pool: multiprocessing.pool.Pool | None) -> Timing:
    """Time one run of (a) ``kind="spacy"`` or (b) ``kind="kg"`` over all articles.

    With a pool, the articles go in ordered chunks to the workers; spaCy's
    workers send back a count, kg's their records (kg pays for that transfer).
    """
    setup = _setup()
    n = len(setup.articles)
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    if pool is None:
        results = [(run_spacy(range(n)) if kind == "spacy" else run_kg(range(n)), 0.0)]
    else:
        tasks = [(kind, r) for r in _chunks(n, setup.processes, setup.batch_size)]
        results = list(pool.imap(_work, tasks))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu + sum(worker_cpu for _, worker_cpu in results)
    if kind == "spacy":
        return Timing(seconds, cpu, found=sum(r for r, _ in results))  # type: ignore[misc]
    extractions = tuple(ex for part, _ in results for ex in part)  # type: ignore[union-attr]
    return Timing(seconds, cpu, sum(len(ex.mentions) for ex in extractions), extractions)


def timed_build(extractions: Sequence[Extraction]) -> tuple[Timing, Timing]:
    """Time the global steps of (c) on the records of one kg run: resolve, then build_dataset."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    entities, resolved = resolve(extractions, gazetteer=_setup().gazetteer)
    resolved_at, resolved_cpu = time.perf_counter(), time.process_time()
    dataset = build_dataset(entities, resolved)
    end, end_cpu = time.perf_counter(), time.process_time()
    return (
        Timing(resolved_at - start, resolved_cpu - cpu, found=len(entities)),
        Timing(end - resolved_at, end_cpu - resolved_cpu, found=len(dataset)),
    )


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MiB (Linux reports kibibytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def breakdown(setup: Setup) -> list[tuple[str, float]]:
    """Seconds spent in each component of kg's pipeline over all articles, in one process.

    Tokenizing, each pipe in turn over the whole batch, then turning docs into
    records (``doc_to_extraction``).
    """
    nlp = setup.kg_nlp
    texts = [a.text for a in setup.articles]
    rows: list[tuple[str, float]] = []
    start = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    rows.append(("tokenizer", time.perf_counter() - start))
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=setup.batch_size))
        else:
            docs = [component(doc) for doc in docs]
        rows.append((name, time.perf_counter() - start))
    start = time.perf_counter()
    for doc, article in zip(docs, setup.articles, strict=True):
        doc_to_extraction(doc, article, gazetteer=setup.gazetteer)
    rows.append(("doc_to_extraction", time.perf_counter() - start))
    return rows


def load_articles(source: str) -> tuple[list[Article], str]:
    """The articles named by ``--corpus`` and a description of where they came from."""
    if source == "lee":
        path = lee_path()
        version = importlib.metadata.version("gensim")
        return lee_articles(path), f"Lee news corpus ({path.name}, gensim {version})"
    if source == "sample":
        return sample_articles(), "kg's sample articles (corpus/)"
    return file_articles([source]), source


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _model_name(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', '?')}_{nlp.meta.get('name', '?')} {nlp.meta.get('version', '?')}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Throughput of kg's extraction against spaCy's own pipeline "
        "on the same news text (words per second).",
    )
    parser.add_argument("--processes", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs, the median counts (default 3)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=64, help="batch size of both pipelines (default 64)"
    )
    parser.add_argument(
        "--corpus",
        default="lee",
        help="'lee' (gensim's Lee news corpus, the default), 'sample' (kg's two sample "
        "articles) or a file, folder or glob that kg can read",
    )
    parser.add_argument(
        "--min-words",
        type=int,
        default=50_000,
        help="repeat the corpus whole until it holds this many words (default 50000)",
    )
    parser.add_argument("--limit", type=int, help="use only the first N articles")
    parser.add_argument("--target", type=float, default=TARGET, help="percent (default 70)")
    parser.add_argument("--no-build", action="store_true", help="skip (c), the global steps")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time each pipeline component once"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when kg is below the target")
    args = parser.parse_args(argv)
    for name in ("processes", "repeat", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


@dataclass(frozen=True)
class Results:
    """The runs of one benchmark: (a), (b) and, unless skipped, the steps of (c)."""

    spacy: list[Timing]
    kg: list[Timing]
    resolve: list[Timing]
    graph: list[Timing]


def measure(*, repeat: int, processes: int, build: bool) -> Results:
    """Time ``repeat`` runs of (a) and (b), alternating which goes first, and (c) if ``build``."""
    results = Results([], [], [], [])
    pool = None
    if processes > 1:
        # fork: the workers inherit the loaded pipelines; each warms up (touching
        # the copied-on-write model pages) before the clock starts.
        context = multiprocessing.get_context("fork")
        ready = context.Barrier(processes + 1)
        pool = context.Pool(processes, initializer=_warm, initargs=(ready,))
        ready.wait()
    try:
        for n in range(repeat):
            kinds = ("spacy", "kg") if n % 2 == 0 else ("kg", "spacy")
            for kind in kinds:
                (results.spacy if kind == "spacy" else results.kg).append(timed(kind, pool))
            last = results.kg[-1]
            if build:
                resolve_t, graph_t = timed_build(last.extractions)
                results.resolve.append(resolve_t)
                results.graph.append(graph_t)
            results.kg[-1] = Timing(last.seconds, last.cpu, last.found)  # drop the records
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return results


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def report(results: Results, *, words: int, processes: int, target: float) -> float:
    """Print the table of runs and the verdict; return kg's share of spaCy's throughput (%)."""
    runs = len(results.spacy)
    header = "".join(f"{'run ' + str(i + 1):>8}" for i in range(runs))
    print(f"{'wall-clock seconds':<30}{header}  {'median':>8}  {'words/s':>8}   CPU-s  words/CPU-s")
    rows: list[tuple[str, list[Timing], bool]] = [
        ("(a) spaCy nlp.pipe", results.spacy, True),
        ("(b) kg extract", results.kg, True),
    ]
    if results.resolve:
        totals = [
            Timing(k.seconds + r.seconds + g.seconds, k.cpu + r.cpu + g.cpu, 0)
            for k, r, g in zip(results.kg, results.resolve, results.graph, strict=True)
        ]
        rows += [
            ("(c) + kg.resolve.resolve", results.resolve, False),
            ("    + kg.graph.assemble.build_dataset", results.graph, False),
            ("    = whole build", totals, True),
        ]
    for label, timings, rate in rows:
        seconds = _median([t.seconds for t in timings])
        cpu = _median([t.cpu for t in timings])
        cells = "".join(f"{t.seconds:8.2f}" for t in timings)
        line = f"{label:<30}{cells}  {seconds:8.2f}"
        if rate:
            line += f"  {words / seconds:8,.0f}  {cpu:6.1f}  {words / cpu:11,.0f}"
        else:
            line += f"  {'':8}  {cpu:6.1f}"
        print(line)
    print()
    spacy_wps = words / _median([t.seconds for t in results.spacy])
    kg_wps = words / _median([t.seconds for t in results.kg])
    ratio = 100 * kg_wps / spacy_wps
    cpu_ratio = _median([t.cpu for t in results.spacy]) / _median([t.cpu for t in results.kg])
    print(
        f"found: spaCy {results.spacy[-1].found:,} entities; kg {results.kg[-1].found:,} "
        "mentions (named, gazetteer and coreference)"
    )
    if results.resolve:
        print(
            f"       {results.resolve[-1].found:,} entities after resolve, "
            f"{results.graph[-1].found:,} quads in the dataset"
        )
    verdict = "PASS" if ratio >= target else "FAIL"
    print(
        f"kg / spaCy throughput: {kg_wps:,.0f} / {spacy_wps:,.0f} words/s = {ratio:.1f}% "
        f"(by CPU time {100 * cpu_ratio:.1f}%)  -> {verdict} (target >= {target:g}%)"
    )
    if results.resolve:
        build_wps = words / _median([t.seconds for t in totals])
        print(f"whole build / spaCy: {100 * build_wps / spacy_wps:.1f}% (no target)")
    busy = min(t.cpu / (t.seconds * processes) for t in results.spacy + results.kg)
    if busy < 0.85:
        print(
            f"note: in one run the benchmark had only {100 * busy:.0f}% of {processes} core(s): "
            "other programs were using the CPU, so the wall-clock figures are low; the "
            "CPU-time ratio is the steadier one"
        )
    return ratio


def print_breakdown(rows: Sequence[tuple[str, float]], *, words: int) -> None:
    """Print the seconds per pipeline component from :func:`breakdown`."""
    total = sum(seconds for _, seconds in rows)
    spacy_names = {name for name, _ in _setup().spacy_nlp.pipeline} | {"tokenizer"}
    print(f"kg pipeline, one pass per component over all {words:,} words (1 process):")
    for name, seconds in rows:
        owner = "spaCy" if name in spacy_names else "kg"
        print(f"  {name:<20}{owner:<7}{seconds:7.2f} s  {100 * seconds / total:5.1f}%")
    kg_share = sum(s for name, s in rows if name not in spacy_names)
    print(f"  {'total':<27}{total:7.2f} s  ({words / total:,.0f} words/s)")
    print(f"  kg's own components and records: {kg_share:.2f} s, {100 * kg_share / total:.1f}%")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures; the exit code follows ``--check``."""
    global _SETUP
    args = parse_args(argv)
    try:
        articles, described = load_articles(args.corpus)
    except KGError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    if args.limit:
        articles = articles[: args.limit]
    articles, copies = repeat_to(articles, min_words=args.min_words)
    words = count_words(articles)

    start = time.perf_counter()
    spacy_nlp = load_model()
    spacy_load = time.perf_counter() - start
    start = time.perf_counter()
    kg_nlp = make_nlp()
    gazetteer = load_gazetteer()
    kg_load = time.perf_counter() - start
    _SETUP = Setup(articles, spacy_nlp, kg_nlp, gazetteer, args.batch_size, args.processes)
    _warm()
    rss_loaded = peak_rss_mib()

    print(f"kg extraction speed  {date.today().isoformat()}")
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}, spaCy {importlib.metadata.version('spacy')}, "
        f"model {_model_name(spacy_nlp)}"
    )
    unique = len(articles) // copies
    repeated = f"repeated {copies} times to reach {args.min_words:,}" if copies > 1 else "once"
    print(f"text: {described}, {unique} articles, {words // copies:,} words, {repeated}")
    print(f"      = {len(articles)} articles, {words:,} words (whitespace tokens), in file order")
    print(
        f"settings: {_plural(args.processes, 'process', 'processes')}, "
        f"batch size {args.batch_size}, {_plural(args.repeat, 'run')} (median), "
        f"warm-up on {min(WARMUP, len(articles))} articles"
    )
    print(f"load (not timed below): spaCy model {spacy_load:.2f} s, kg pipeline {kg_load:.2f} s")
    print(f"kg pipeline: {', '.join(kg_nlp.pipe_names)}")
    print()

    results = measure(repeat=args.repeat, processes=args.processes, build=not args.no_build)
    ratio = report(results, words=words, processes=args.processes, target=args.target)
    rss = f"peak RSS: {rss_loaded:,.0f} MiB after loading both pipelines, "
    rss += f"{peak_rss_mib():,.0f} MiB at the end (this process)"
    if args.processes > 1:
        rss += f", {peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB (largest worker)"
    print(rss)
    if args.breakdown:
        print()
        print_breakdown(breakdown(_setup()), words=words)
    return 1 if args.check and ratio < args.target else 0


if __name__ == "__main__":
    sys.exit(main())
