"""Whole-build throughput and peak memory against spaCy's own ``nlp.pipe``.

Targets (issue 5): on >= 2,000 articles, ``kg build`` (read, extract,
resolve, graph, write kg.ttl/kg.trig/extractions/state; no HTML) keeps
>= 80% of the words per second of spaCy's small pipeline run with
``nlp.pipe(texts, n_process=N)`` on the same texts and the same number of
processes; and a build of 20,000 articles peaks under 2 GB of memory.

    python benchmarks/build_speed.py --articles 2000 --jobs 2 --repeat 3
    python benchmarks/build_speed.py --articles 20000 --jobs 2 --skip-spacy   # memory
    zcat ../shared/datasets/reuters21578/train.jsonl.gz | head -1000 > /tmp/reuters1000.jsonl
    python benchmarks/build_speed.py --corpus /tmp/reuters1000.jsonl --jobs 2 --repeat 3

Peak memory is the largest resident set of the main process and, separately,
of any one worker process (``getrusage``: RUSAGE_SELF and RUSAGE_CHILDREN's
maximum), read after each step. The corpus is benchmarks/synthetic.py's, or
real articles given as a kg JSON Lines file with ``--corpus``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import STYLES, generate, write_jsonl


def peak_mib() -> tuple[float, float]:
    """Peak RSS of this process and of the largest finished child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def spacy_run(texts: list[str], jobs: int) -> tuple[float, float]:
    """spaCy's ``nlp.pipe`` over ``texts``: (wall seconds, CPU seconds of every process)."""
    from kg.extract import load_model

    nlp = load_model()
    start, cpu = time.perf_counter(), cpu_seconds()
    for _ in nlp.pipe(texts, n_process=jobs, batch_size=32):
        pass
    return time.perf_counter() - start, cpu_seconds() - cpu


def kg_run(path: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    """``kg build`` of ``path``: (wall seconds, CPU seconds of every process, documents)."""
    from kg.build.pipeline import build

    start, cpu = time.perf_counter(), cpu_seconds()
    summary = build([path], out_dir=out, html=False, jobs=jobs)
    return time.perf_counter() - start, cpu_seconds() - cpu, summary.documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-spacy", action="store_true", help="memory run: kg only")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of each")
    parser.add_argument(
        "--style", choices=sorted(STYLES), default="dense", help="synthetic.py's corpus style"
    )
    parser.add_argument("--corpus", type=Path, help="real articles: a kg JSON Lines file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.corpus:
            corpus = args.corpus
            texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
            args.articles, args.style = len(texts), f"real: {corpus.name}"
        else:
            articles = generate(args.articles, seed=args.seed, style=args.style)
            corpus = write_jsonl(articles, Path(tmp) / "corpus.jsonl")
            texts = [a.text for a in articles]
            del articles
        words = sum(len(t.split()) for t in texts)
        print(f"kg build benchmark  {time.strftime('%Y-%m-%d')}")
        print(
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
            f"corpus: {args.articles:,} articles ({args.style}), {words:,} words; "
            f"{args.jobs} process(es)"
        )
        spacy_times: list[float] = []
        kg_times: list[float] = []
        spacy_cpu: list[float] = []
        kg_cpu: list[float] = []
        documents = size = 0
        # Interleaved runs: load from other work on the machine hits both sides alike.
        for run in range(args.repeat):
            if not args.skip_spacy:
                seconds, cpu = spacy_run(texts, args.jobs)
                spacy_times.append(seconds)
                spacy_cpu.append(cpu)
                print(
                    f"(a) spaCy nlp.pipe(n_process={args.jobs}):  {seconds:8.1f} s  "
                    f"{words / seconds:8,.0f} words/s  (CPU {cpu:.1f} s, "
                    f"load average {os.getloadavg()[0]:.2f})"
                )
            out = Path(tmp) / f"out{run}"
            seconds, cpu, documents = kg_run(corpus, out, args.jobs)
            kg_times.append(seconds)
            kg_cpu.append(cpu)
            size = sum(p.stat().st_size for p in out.glob("kg.*"))
            print(
                f"(b) kg build --jobs {args.jobs} (no HTML):    {seconds:8.1f} s  "
                f"{words / seconds:8,.0f} words/s  ({documents:,} documents, "
                f"kg.ttl+kg.trig {size / 2**20:.1f} MiB; CPU {cpu:.1f} s, "
                f"load average {os.getloadavg()[0]:.2f})"
            )
        del texts
        own, child = peak_mib()
        print(f"peak RSS: main process {own:,.0f} MiB, largest worker {child:,.0f} MiB")
        if spacy_times:
            ratios = sorted(a / b for a, b in zip(spacy_times, kg_times, strict=True))
            ratio = statistics.median(ratios)
            verdict = "PASS" if ratio >= 0.8 else "FAIL"
            runs = ", ".join(f"{r:.1%}" for r in ratios)
            print(f"kg / spaCy throughput: {ratio:.1%} (runs: {runs}) -> {verdict} (target >= 80%)")
            # CPU seconds are steadier than the wall clock on a machine others are using.
            by_cpu = statistics.median(a / b for a, b in zip(spacy_cpu, kg_cpu, strict=True))
            print(f"kg / spaCy by CPU time (all processes): {by_cpu:.1%}")
        if args.articles >= 20000:
            verdict = "PASS" if max(own, child) < 2048 else "FAIL"
            print(f"peak memory under 2 GiB for {args.articles:,} articles: {verdict}")


if __name__ == "__main__":
    main()
