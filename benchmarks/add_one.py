"""``kg add`` of one article into a big build, against the build itself.

Requirement (issue 14): adding one article to a build of 5,000+ real news
articles costs at most 3% of the full build's time (``kg build --jobs 2``
of the same articles), and the outputs stay byte-identical to a full
build of them (tests/test_incremental.py holds that on small builds).

The build folder is copied (``cp -a``, so the build's own store comes
along still holding its kg.trig), then ``kg add ARTICLE -o COPY -q`` runs
in a new process: wall clock, CPU time (user + system, with its children)
and peak resident set (``wait4``) are printed, with the share of the full
build's time given with ``--full-seconds`` (the build's own wall clock,
e.g. from ``/usr/bin/time``). ``--profile`` runs the add under cProfile
instead and prints where the time goes (the 25 costliest calls,
cumulative). ``--runs`` repeats on fresh copies; the median counts.
``--reference FULL`` compares the outputs of the first add (kg.trig, kg.ttl,
kg.html, extractions.jsonl, candidates.trig) byte for byte with those of FULL,
a full build of the same articles read from the same files (each document's
``dcterms:source`` names its file and line), e.g. ``kg build BIG.jsonl
ARTICLE -o FULL``, and fails if one differs.

``--baseline DIR`` compares with another checkout of kg (e.g. ``git archive
COMMIT | tar -x -C DIR``): runs of the baseline and of this checkout alternate
(``--runs`` pairs, after one unmeasured run of each, which fills the user's
cache, :mod:`kg.cache`, as any earlier run would have), and each pair's times,
their ratio and the load average are printed, then the medians.

Run from the repository root::

    python benchmarks/add_one.py /tmp/r5k /tmp/one.jsonl --full-seconds 600
    python benchmarks/add_one.py /tmp/r5k /tmp/one.jsonl --reference /tmp/r5001
    python benchmarks/add_one.py /tmp/r5k /tmp/one.jsonl --profile
    python benchmarks/add_one.py /tmp/r5k /tmp/one.jsonl --baseline /tmp/kg-before --runs 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: This checkout of kg.
HERE = Path(__file__).resolve().parents[1]

#: The outputs ``--reference`` compares (those a build folder has).
OUTPUTS = ("kg.trig", "kg.ttl", "kg.html", "extractions.jsonl", "candidates.trig")


def add_once(
    build: Path,
    article: Path,
    *,
    profile: bool,
    code: Path = HERE,
    reference: Path | None = None,
) -> tuple[float, float, int]:
    """Copy ``build``, add ``article`` to the copy with the kg in ``code``: (seconds, CPU
    seconds, peak RSS bytes). With ``reference``, the copy's outputs must equal its."""
    with tempfile.TemporaryDirectory(dir=build.parent) as holder:
        copy = Path(holder) / "build"
        subprocess.run(["cp", "-a", str(build), str(copy)], check=True)
        kg = [sys.executable, "-m", "kg.cli"]
        if profile:
            kg = [sys.executable, "-m", "cProfile", "-s", "cumulative", "-m", "kg.cli"]
        command = [*kg, "add", str(article), "-o", str(copy), "-q"]
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(code)}
        out_pipe = subprocess.PIPE if profile else None
        process = subprocess.Popen(command, stdout=out_pipe, env=env, cwd=code)
        out = process.stdout.read().decode() if process.stdout is not None else ""
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"kg add failed (exit {os.waitstatus_to_exitcode(status)})")
        if profile:
            print("\n".join(out.splitlines()[:32]))
        if reference is not None:
            compare_outputs(copy, reference)
        shutil.rmtree(copy, ignore_errors=True)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def compare_outputs(folder: Path, reference: Path) -> None:
    """Print which outputs of ``folder`` equal ``reference``'s byte for byte; exit if one
    differs or is in only one of them."""
    differ = []
    for name in OUTPUTS:
        mine, theirs = folder / name, reference / name
        if not mine.exists() and not theirs.exists():
            continue
        if not (mine.is_file() and theirs.is_file()) or mine.read_bytes() != theirs.read_bytes():
            differ.append(name)
        else:
            print(f"{name}: byte-identical to {theirs} ({theirs.stat().st_size:,} bytes)")
    if differ:
        raise SystemExit(f"after kg add, differs from {reference}: {', '.join(differ)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="a build folder")
    parser.add_argument("article", type=Path, help="the article to add (a file kg reads)")
    parser.add_argument("--full-seconds", type=float, help="the full build's wall clock")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top calls")
    parser.add_argument("--baseline", type=Path, help="another checkout of kg to compare with")
    parser.add_argument(
        "--reference",
        type=Path,
        help="a full build of the same articles from the same files: the outputs after the "
        "first add must equal its, byte for byte",
    )
    parser.add_argument(
        "--baseline-build",
        type=Path,
        help="the same articles built by the baseline (default: BUILD); a build keeps work "
        "under digests of kg's code, so each checkout should add into a build of its own",
    )
    args = parser.parse_args(argv)
    if args.baseline:
        builds = {"baseline": args.baseline_build or args.build, "this": args.build}
        return compare(builds, args.article, args.baseline, runs=args.runs)

    runs = [
        add_once(
            args.build,
            args.article,
            profile=args.profile,
            reference=args.reference if i == 0 else None,
        )
        for i in range(args.runs)
    ]
    seconds = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    peak = max(r[2] for r in runs)
    articles = sum(1 for _ in (args.build / "extractions.jsonl").open(encoding="utf-8"))
    print(f"build: {args.build} ({articles} articles), added: {args.article}")
    print(
        f"kg add: median {seconds:.1f} s wall over {len(runs)} run(s), CPU {cpu:.1f} s, "
        f"peak RSS {peak / 2**20:.0f} MiB, load average {os.getloadavg()[0]:.1f}"
    )
    if args.full_seconds:
        share = 100 * seconds / args.full_seconds
        print(f"share of the full build ({args.full_seconds:.0f} s): {share:.1f}% (target <= 3%)")
    return 0


def compare(builds: dict[str, Path], article: Path, baseline: Path, *, runs: int) -> int:
    """Alternate runs of ``baseline``'s kg and this one (each into its own build of
    ``builds``); print each pair and the medians."""
    checkouts = {"baseline": baseline.resolve(), "this": HERE}
    for name, code in checkouts.items():
        add_once(builds[name], article, profile=False, code=code)  # unmeasured: caches filled
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    cpu: dict[str, list[float]] = {name: [] for name in checkouts}
    ratios = []
    print(
        f"kg add of {article}: {baseline} into {builds['baseline']} against {HERE} into "
        f"{builds['this']}"
    )
    for i in range(runs):
        loads = []
        for name, code in checkouts.items():
            loads.append(os.getloadavg()[0])
            seconds, cpu_seconds, _ = add_once(builds[name], article, profile=False, code=code)
            times[name].append(seconds)
            cpu[name].append(cpu_seconds)
        ratios.append(times["this"][-1] / times["baseline"][-1])
        print(
            f"pair {i + 1}: baseline {times['baseline'][-1]:.2f} s "
            f"(CPU {cpu['baseline'][-1]:.2f} s), this {times['this'][-1]:.2f} s "
            f"(CPU {cpu['this'][-1]:.2f} s), ratio {ratios[-1]:.3f}, "
            f"load average {loads[0]:.1f} / {loads[1]:.1f}"
        )
    base, this = (statistics.median(times[name]) for name in checkouts)
    base_cpu, this_cpu = (statistics.median(cpu[name]) for name in checkouts)
    print(
        f"median: baseline {base:.2f} s (CPU {base_cpu:.2f} s), this {this:.2f} s "
        f"(CPU {this_cpu:.2f} s); median ratio {statistics.median(ratios):.3f} ({runs} pairs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
