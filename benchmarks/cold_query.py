"""Cold ``kg query`` on a build's store against a cold raw pyoxigraph process.

Requirement (issue 14): on a build of 5,000+ real news articles, a cold
``kg query`` with default options (``kg query -g BUILD/kg.trig 'QUERY'``:
30 s timeout, 2 GiB memory ceiling, table output) takes at most 3x the
time of a cold Python process that opens an Oxigraph store of the same
kg.trig with pyoxigraph and runs the same query; its peak memory stays
under 200 MB.

Each run is a new process, timed from start to exit (wall clock):

(a) raw: ``python -c`` that imports pyoxigraph, opens a plain Oxigraph
    store made from kg.trig (``Store.bulk_load``, in ``--raw-store``,
    made once if missing) read-only, runs the query with
    ``use_default_graph_as_union=True`` and kg's prefixes, and prints the
    solutions as CSV (``QuerySolutions.serialize``);
(b) kg: ``kg query -g BUILD/kg.trig QUERY`` (the build's own store answers).

The two alternate (a b a b ...), ``--runs`` pairs after one warm-up pair
(so the files are in the page cache for both: "cold" is the process, not
the disk); the medians and their ratio are printed. Peak memory of (b),
in three more runs (sampling takes CPU from the command, so they are not
timed), is the largest resident set of the process tree (``kg`` and the process it
runs the query in), sampled every 2 ms with psutil, and the kernel's own
peak of the largest process of the tree (GNU time's ``%M``; both run
under ``/usr/bin/time``).

Run from the repository root, on a build (see benchmarks/README.md for the
Reuters build)::

    python benchmarks/cold_query.py /tmp/r5k                 # 9 pairs
    python benchmarks/cold_query.py /tmp/r5k --check         # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

#: A GROUP BY over two joins, as in the issue: companies by the articles that mention them.
DEFAULT_QUERY = (
    "SELECT ?name (COUNT(DISTINCT ?doc) AS ?articles) WHERE { "
    "?c a kgo:Company ; rdfs:label ?name ; kgo:mentionedIn ?doc } "
    "GROUP BY ?name ORDER BY DESC(?articles) ?name LIMIT 20"
)

RAW = """
import sys
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
prefixes = dict(__import__("json").loads(sys.argv[3]))
results = store.query(sys.argv[2], prefixes=prefixes, use_default_graph_as_union=True)
sys.stdout.buffer.write(results.serialize(format=ox.QueryResultsFormat.CSV))
"""

TARGET_RATIO = 3.0
TARGET_RSS = 200 * 2**20


def make_raw_store(graph: Path, folder: Path) -> None:
    """A plain Oxigraph store of ``graph`` (pyoxigraph's bulk loader), made once."""
    import pyoxigraph as ox

    if (folder / "CURRENT").is_file():
        return
    shutil.rmtree(folder, ignore_errors=True)
    store = ox.Store(str(folder))
    store.bulk_load(path=str(graph), format=ox.RdfFormat.TRIG)
    store.flush()
    del store


#: GNU time: the peak resident set of the command (and the children it waited for), in KB.
GNU_TIME = "/usr/bin/time"


def timed(command: list[str], *, sample: bool) -> tuple[float, float, int, int, bytes]:
    """Run ``command``: (seconds, CPU seconds, peak RSS of its process tree, kernel peak, stdout).

    The command runs under GNU time, whose ``%M`` is the kernel's peak
    resident set of the command (the largest of it and the children it
    waited for). ``wait4`` from this process would count this Python's own
    memory, which the child had before it ran the command. CPU time is
    user + system of the command and its children.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [GNU_TIME, "-f", "kg-bench %M %U %S", *command], stdout=out, stderr=err
        )
        peak = 0
        if sample:
            watched = psutil.Process(process.pid)
            while process.poll() is None:
                try:
                    tree = watched.children(recursive=True)  # GNU time's own is not counted
                    peak = max(peak, sum(p.memory_info().rss for p in tree))
                except psutil.Error:
                    pass
                time.sleep(0.002)
        process.wait()
        seconds = time.perf_counter() - started
        err.seek(0)
        lines = err.read().decode(errors="replace").splitlines()
        if process.returncode != 0 or not lines or not lines[-1].startswith("kg-bench "):
            raise SystemExit(f"{command[:3]} failed: {' '.join(lines)[-500:]}")
        _, kilobytes, user, system = lines[-1].split()
        out.seek(0)
        text = out.read()
    return seconds, float(user) + float(system), peak, int(kilobytes) * 1024, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="a build folder (kg.trig and store/)")
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument("--runs", type=int, default=9, help="timed pairs (default 9)")
    parser.add_argument("--raw-store", type=Path, help="where to make the plain store")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    from kg.rdf.prefixes import PREFIXES
    from kg.stores.home import mirrored

    graph = args.build / "kg.trig"
    if mirrored(graph) is None:
        raise SystemExit(f"{args.build}: no store that holds kg.trig; run kg build there.")
    raw_store = args.raw_store or args.build.parent / f"{args.build.name}-raw-store"
    make_raw_store(graph, raw_store)
    kg = [str(Path(sys.executable).with_name("kg")), "query", "-g", str(graph), args.query]
    raw = [sys.executable, "-c", RAW, str(raw_store), args.query, json.dumps(PREFIXES)]

    timed(raw, sample=False)  # warm-up pair: the page cache, not the process, is warmed
    answer = timed(kg, sample=False)[-1]
    raw_runs, kg_runs = [], []
    for _ in range(args.runs):
        raw_runs.append(timed(raw, sample=False))
        kg_runs.append(timed(kg, sample=False))
    # Sampling takes CPU the command would have: memory is measured in runs of its own.
    sampled = [timed(kg, sample=True) for _ in range(3)]
    raw_median = statistics.median(r[0] for r in raw_runs)
    kg_median = statistics.median(r[0] for r in kg_runs)
    raw_cpu = statistics.median(r[1] for r in raw_runs)
    kg_cpu = statistics.median(r[1] for r in kg_runs)
    ratio = kg_median / raw_median
    peak, kernel_peak = max(r[2] for r in sampled), max(r[3] for r in kg_runs + sampled)
    print(f"build: {args.build} ({graph.stat().st_size / 2**20:.0f} MiB kg.trig)")
    print(f"query: {args.query}")
    print("answer (kg, first lines):\n  " + "\n  ".join(answer.decode().splitlines()[:4]))
    print(
        f"pairs: {args.runs} (after one warm-up pair), cpus: {os.cpu_count()}, "
        f"load average at the end: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"raw pyoxigraph process: median {raw_median:.3f} s  {_spread(raw_runs)}, "
        f"CPU {raw_cpu:.3f} s"
    )
    print(
        f"kg query:               median {kg_median:.3f} s  {_spread(kg_runs)}, CPU {kg_cpu:.3f} s"
    )
    print(
        f"ratio kg / raw: {ratio:.2f}x wall clock (target <= {TARGET_RATIO:.0f}x), "
        f"{kg_cpu / raw_cpu:.2f}x CPU"
    )
    print(
        f"kg query peak RSS: {peak / 2**20:.0f} MiB (process tree, sampled), "
        f"{kernel_peak / 2**20:.0f} MiB (largest process, kernel) "
        f"(target < {TARGET_RSS // 2**20} MB)"
    )
    missed = ratio > TARGET_RATIO or peak >= TARGET_RSS
    return 1 if args.check and missed else 0


def _spread(runs: list[tuple[float, float, int, int, bytes]]) -> str:
    times = [r[0] for r in runs]
    return f"(min {min(times):.3f}, max {max(times):.3f})"


if __name__ == "__main__":
    sys.exit(main())
