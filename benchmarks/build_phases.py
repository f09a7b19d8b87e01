"""Where a ``kg build`` spends its wall clock, phase by phase, in the main process.

Runs ``kg.build.pipeline.build`` (as ``build_speed.py`` does: no HTML) with the
library's own phase functions wrapped in timers, and prints each phase's
wall-clock seconds and share of the build. Phases nest (the graph files run
inside the commit); the shares are of the whole build. With ``--jobs N`` the
extraction's wall clock is the time until the last worker's records are in;
``--profile`` also prints cProfile's costliest calls of the main process
(workers are not profiled: their time shows as waiting on the pool).

    python benchmarks/build_phases.py --corpus /tmp/reuters1000.jsonl --jobs 2
    python benchmarks/build_phases.py --corpus /tmp/reuters1000.jsonl --jobs 2 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TIMES: dict[str, float] = defaultdict(float)


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` adding its wall clock to ``TIMES[name]`` (a generator: until exhausted)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        finally:
            TIMES[name] += time.perf_counter() - start
        if isinstance(result, Iterator):
            return _timed_iter(name, result)
        return result

    return wrapper


def _timed_iter(name: str, it: Iterator[Any]) -> Iterator[Any]:
    while True:
        start = time.perf_counter()
        try:
            item = next(it)
        except StopIteration:
            TIMES[name] += time.perf_counter() - start
            return
        TIMES[name] += time.perf_counter() - start
        yield item


def instrument() -> list[str]:
    """Wrap the build's phases where ``kg.build`` calls them; the phase names, in order
    (a phase whose function this checkout lacks is left out)."""
    import kg.graph.assemble as assemble
    from kg.build import parallel, pipeline

    try:
        from kg.stores.homeload import HomeLoad
    except ImportError:  # a checkout from before the store's load ran beside the writes
        HomeLoad = None

    phases = [
        (pipeline, "read_articles", "read articles"),
        (pipeline, "extract_articles", "extraction (workers, until the last record)"),
        (parallel, "cached_pipeline", "  loading the pipeline before the workers fork"),
        (pipeline, "_new_state", "state object (hashes, fingerprint)"),
        (pipeline, "resolve_state", "resolution"),
        (pipeline, "write_build_graph", "graph files (kg.trig, kg.ttl)"),
        (assemble, "check_descriptions", "  checking entity descriptions"),
        (assemble, "checked_default_graph", "  default graph (facts)"),
        (pipeline, "extraction_records", "extractions.jsonl records"),
        (pipeline, "save_state", "build state (.kg/extractions.jsonl, state.json)"),
        (pipeline, "write_memo", "kept results (.kg/*.json)"),
        (HomeLoad, "wait", "  waiting for the store's load (runs beside the writes)"),
        (pipeline, "publish_home", "build's store (its load, if not beside; swap in)"),
        (pipeline, "output_transaction", "commit (staging and renames, incl. the above)"),
    ]
    names = []
    for owner, attr, name in phases:
        if owner is not None and hasattr(owner, attr):
            setattr(owner, attr, timed(name, getattr(owner, attr)))
            names.append(name)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a kg JSON Lines file")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top calls")
    args = parser.parse_args()

    names = instrument()
    from kg.build.pipeline import build

    load = os.getloadavg()[0]
    profiler = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        summary = build([args.corpus], out_dir=Path(tmp) / "out", html=False, jobs=args.jobs)
        if profiler is not None:
            profiler.disable()
        total = time.perf_counter() - start
    print(f"kg build phases  {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        f"corpus: {args.corpus} ({summary.documents:,} documents), --jobs {args.jobs}, "
        f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print(f"{'whole build':52} {total:7.2f} s  100.0%")
    for name in names:
        if name in TIMES:
            print(f"{name:52} {TIMES[name]:7.2f} s  {TIMES[name] / total:6.1%}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
