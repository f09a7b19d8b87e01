"""Where a ``kg build`` spends its wall clock, phase by phase, in the main process.

Runs ``kg.build.pipeline.build`` (as ``build_speed.py`` does: no HTML) with the
library's own phase functions wrapped in timers, and prints each phase's
wall-clock seconds and share of the build. Phases nest (the graph files run
inside the commit); the shares are of the whole build. With ``--jobs N`` the
extraction's wall clock is the time until the last worker's records are in;
``--profile`` also prints cProfile's costliest calls of the main process
(workers are not profiled: their time shows as waiting on the pool).

With ``--add BUILD ARTICLE`` it times ``kg add`` of ARTICLE into a copy of the
build folder BUILD instead (``kg.build.updates.add``, with the HTML view, as the
command runs it), and how long importing kg's command line took before it.

    python benchmarks/build_phases.py --corpus /tmp/reuters1000.jsonl --jobs 2
    python benchmarks/build_phases.py --add /tmp/b1000 /tmp/one.jsonl
    python benchmarks/build_phases.py --corpus /tmp/reuters1000.jsonl --jobs 2 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import os
import pstats
import shutil
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


#: The phases: (name, the function, the modules that call it; before and after kg/build's
#: split into modules, so that one script times both kinds of checkout).
PHASES = [
    ("read articles", "read_articles", ["kg.build.pipeline", "kg.build.updates"]),
    ("build state read (kg add)", "load_state", ["kg.build.updates"]),
    ("extraction (workers, until the last record)", "extract_articles", ["kg.build.pipeline"]),
    ("  loading the pipeline before the workers fork", "cached_pipeline", ["kg.build.parallel"]),
    ("  loading the pipeline (make_nlp)", "make_nlp", ["kg.extract"]),
    ("    the gazetteer", "load_gazetteer", ["kg.gazetteer"]),
    ("    the gazetteer's phrase matcher", "phrase_matcher", ["kg.extract.phrases"]),
    ("state object (hashes, fingerprint)", "_new_state", ["kg.build.pipeline"]),
    ("fingerprint (kg add)", "fingerprint", ["kg.build.updates"]),
    ("resolution", "resolve_state", ["kg.build.pipeline", "kg.build.resolution"]),
    (
        "graph files (kg.trig, kg.ttl)",
        "write_build_graph",
        ["kg.build.pipeline", "kg.build.outputs"],
    ),
    ("  checking entity descriptions", "check_descriptions", ["kg.graph.assemble"]),
    ("  default graph (facts)", "checked_default_graph", ["kg.graph.assemble"]),
    ("  the articles' graphs", "article_graph", ["kg.graph.assemble", "kg.build.graphfiles"]),
    ("HTML view (kg.html)", "_write_page", ["kg.build.outputs"]),
    ("  reading the view's triples", "triples_to_view", ["kg.views"]),
    ("  layout", "layout", ["kg.views.page"]),
    ("extractions.jsonl", "extraction_records", ["kg.build.pipeline", "kg.build.extractions"]),
    (
        "build state (.kg/extractions.jsonl, state.json)",
        "save_state",
        ["kg.build.pipeline", "kg.build.outputs"],
    ),
    ("kept results (.kg/*.json)", "write_memo", ["kg.build.pipeline", "kg.build.outputs"]),
    (
        "  waiting for the store's load (runs beside the writes)",
        "HomeLoad.wait",
        ["kg.stores.homeload"],
    ),
    (
        "build's store (its load, if not beside; swap in)",
        "publish_home",
        ["kg.build.pipeline", "kg.build.outputs"],
    ),
    (
        "commit (staging and renames, incl. the above)",
        "output_transaction",
        ["kg.build.pipeline", "kg.build.outputs"],
    ),
]


def instrument() -> list[str]:
    """Wrap the build's phases where kg calls them; the names of the phases this checkout has."""
    names = []
    for name, attr, modules in PHASES:
        for module_name in modules:
            try:
                owner: Any = importlib.import_module(module_name)
            except ImportError:
                continue
            *path, last = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            if hasattr(owner, last):
                setattr(owner, last, timed(name, getattr(owner, last)))
                if name not in names:
                    names.append(name)
    return [name for name, _, _ in PHASES if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a kg JSON Lines file")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--add", nargs=2, type=Path, metavar=("BUILD", "ARTICLE"), help="time kg add instead"
    )
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top calls")
    args = parser.parse_args()
    if (args.corpus is None) == (args.add is None):
        parser.error("give --corpus or --add")

    started = time.perf_counter()
    import kg.cli  # noqa: F401  (what `kg add` imports before it runs)

    imports = time.perf_counter() - started
    names = instrument()
    load = os.getloadavg()[0]
    profiler = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        what = _run(args, Path(tmp))
        if profiler is not None:
            profiler.disable()
        total = time.perf_counter() - start
    print(f"kg {'add' if args.add else 'build'} phases  {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{what}, load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    if args.add:
        print(f"{'importing kg.cli (before the timed run)':52} {imports:7.2f} s")
    print(f"{'whole run':52} {total:7.2f} s  100.0%")
    for name in names:
        if name in TIMES:
            print(f"{name:52} {TIMES[name]:7.2f} s  {TIMES[name] / total:6.1%}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def _run(args: argparse.Namespace, tmp: Path) -> str:
    """Run the build or the add in ``tmp``; what was run, for the report."""
    if args.add:
        from kg.build.updates import add

        build, article = args.add
        copy = tmp / "build"
        shutil.copytree(build, copy, symlinks=True)
        articles = sum(1 for _ in (build / "extractions.jsonl").open(encoding="utf-8"))
        add([article], out_dir=copy, html=True)
        return f"kg add {article} into a copy of {build} ({articles:,} articles)"
    from kg.build.pipeline import build as run_build

    summary = run_build([args.corpus], out_dir=tmp / "out", html=False, jobs=args.jobs)
    return f"corpus: {args.corpus} ({summary.documents:,} documents), --jobs {args.jobs}"


if __name__ == "__main__":
    main()
