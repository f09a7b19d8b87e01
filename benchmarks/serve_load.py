"""Load test of ``kg serve`` in a hostile world: many clients, runaway queries, then Ctrl-C.

Builds the sample corpus (``kg build -o DIR --no-html --store oxigraph:DIR/store``,
or reuses ``--build DIR``), then for each store (the build's ``kg.trig`` in
memory, and its Oxigraph folder) starts ``kg serve`` as a command and lets
``--clients`` threads (50) send queries for ``--duration`` seconds (60). Each
client picks a kind of query at random (``--mix``):

- ``valid``: five ordinary queries whose rows are checked against a reference
  run of the same query on the same store in this process (no server, no
  concurrency), as multisets of rows;
- ``slow``: a cross product that would run for hours;
- ``regex``: a catastrophic regular expression (``^(a+)+$``), which
  backtracks for ever in Python's ``re`` (rdflib) but not in Oxigraph's;
- ``memory``: 26 nested ``BIND(CONCAT(?v, ?v))``, a 134 MB string.

Clients honour ``Retry-After``: a busy answer (503 with ``Retry-After``) makes
the client wait that long; a valid query is then sent again until it is
answered, so "every valid query answered 200 with the right rows" can hold
under load. For valid queries the script reports how many were answered,
with wrong rows, how many 503 answers they got on the way, and the median
and 95th percentile of the time from the first try to the answer. The
server says in ``Server-Timing`` how long a query waited for a slot and ran
(and ``long`` when it was moved to the places for long queries), which gives
"stopped at the deadline": how far past ``--timeout`` a stopped query ran.

At the end of the time, clients start no more valid queries but go on
sending runaway ones; the valid queries still in flight get up to
``2 x --timeout + 5`` s to be answered (the rest are "unanswered"). Then,
while runaway queries still run, the server gets SIGINT; the script prints
how long it took to exit and for its query processes to go. It exits with 1
when a valid query was not answered 200 with the right rows (with
``--check``, also when another target is missed).
Peak RSS is the largest sum of RSS over the server's process tree (sampled
every 0.1 s with psutil), beside its ceiling when the server has one.

    python benchmarks/serve_load.py                          # 50 clients x 60 s, both stores
    python benchmarks/serve_load.py --clients 20 --duration 15 --store oxigraph
    python benchmarks/serve_load.py --build /tmp/kg-sample --max-workers 4 --check
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import psutil
except ImportError:  # pragma: no cover
    sys.exit("this benchmark needs psutil: pip install psutil")

VALID = {
    "statements": """SELECT ?st ?s ?p ?o WHERE {
        ?st a kgo:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }""",
    "labels": "SELECT ?e ?label WHERE { ?e rdfs:label ?label }",
    "predicates": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "observations": """SELECT ?o ?value ?unit WHERE {
        ?o a kgo:Observation ; kgo:value ?value OPTIONAL { ?o kgo:unit ?unit } }""",
    "sanctions": "ASK { ?s kgo:sanctions ?o }",
}
_CONCAT = "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(26))
RUNAWAY = {
    "slow": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n ?o }",
    "regex": 'ASK { FILTER(REGEX("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a+)+$")) }',
    "memory": f'SELECT (STRLEN(?v26) AS ?n) WHERE {{ BIND("ab" AS ?v0) {_CONCAT}}}',
}
KINDS = ("valid", *RUNAWAY)

#: The first body of each unexpected status, to show what the server said.
EXAMPLES: dict[int | str, str] = {}


# ---------------------------------------------------------------- the sample and its reference


def build_sample(folder: Path) -> Path:
    """The sample corpus built into ``folder`` (kept when it is there already)."""
    if not (folder / "kg.trig").is_file() or not (folder / "store").is_dir():
        command = ["build", "-o", str(folder), "--no-html", "-q"]
        kg([*command, "--store", f"oxigraph:{folder / 'store'}"], check=True)
    return folder


def kg(args: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, **options
    )


def reference(store_kind: str, folder: Path) -> dict[str, Any]:
    """The canonical answer of every valid query, run in this process on the same store."""
    from kg.query import format_result
    from kg.rdf.load import load_graph
    from kg.stores import MemoryStore, open_store

    store = (
        MemoryStore(load_graph(folder / "kg.trig"))
        if store_kind == "memory"
        else open_store(f"oxigraph:{folder / 'store'}", read_only=True)
    )
    try:
        return {
            name: canonical(json.loads(format_result(store.query(text), format="json")))
            for name, text in VALID.items()
        }
    finally:
        store.close()
        gc.collect()  # pyoxigraph's results must go in this thread, not in a client's


def canonical(document: dict[str, Any]) -> Any:
    """A SPARQL JSON result as a comparable value: the boolean, or the sorted rows."""
    if "boolean" in document:
        return document["boolean"]
    names = document["head"].get("vars", [])
    rows = [
        tuple(tuple(sorted(row.get(name, {}).items())) for name in names)
        for row in document["results"]["bindings"]
    ]
    return (tuple(names), tuple(sorted(rows)))


# ---------------------------------------------------------------- the server


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    peak_rss: int = 0
    peak_children: int = 0
    children: set[int] = field(default_factory=set)
    log_lines: int = 0
    sampling: bool = True

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def sample(self) -> None:
        while self.sampling and self.process.poll() is None:
            total = 0
            tree = self.tree()
            for proc in tree:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += proc.memory_info().rss
            self.children.update(p.pid for p in tree[1:])
            self.peak_rss = max(self.peak_rss, total)
            self.peak_children = max(self.peak_children, len(tree) - 1)
            time.sleep(0.1)

    def drain(self) -> None:
        assert self.process.stderr is not None
        for _ in self.process.stderr:
            self.log_lines += 1


def start_server(args: list[str]) -> Server:
    command = [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--quiet", *args]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()
    match = re.search(r"(http://[^ ]+/)sparql", first)
    if not match:
        process.kill()
        sys.exit(f"kg serve did not start: {first.strip() or process.stderr.read().strip()}")
    server = Server(process, match.group(1))
    threading.Thread(target=server.sample, daemon=True).start()
    threading.Thread(target=server.drain, daemon=True).start()
    return server


def stop_server(server: Server) -> tuple[float | None, float | None]:
    """SIGINT; seconds until the server exits and until its query processes are gone."""
    known = {pid for pid in server.children if psutil.pid_exists(pid)}
    started = time.perf_counter()
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(30)
        exited: float | None = time.perf_counter() - started
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        exited = None
    server.sampling = False
    gone: float | None = exited
    for pid in known:
        with contextlib.suppress(psutil.NoSuchProcess):
            child = psutil.Process(pid)
            try:
                child.wait(max(0.1, 30 - (time.perf_counter() - started)))
            except psutil.TimeoutExpired:
                child.kill()
                gone = None
                continue
        if gone is not None:
            gone = max(gone, time.perf_counter() - started)
    return exited, gone


# ---------------------------------------------------------------- the clients


@dataclass
class Tally:
    attempts: Counter[tuple[str, str]] = field(default_factory=Counter)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    past_deadline: list[float] = field(default_factory=list)  # ms a stopped query ran over
    valid_sent: int = 0
    valid_right: int = 0
    valid_wrong: int = 0
    valid_failed: int = 0  # answered with an error (not busy)
    valid_unanswered: int = 0  # still busy when the drain ended
    valid_busy: int = 0  # 503 answers to valid queries (each retried)
    valid_long: int = 0  # answered from the places for long queries
    valid_in_flight: int = 0
    valid_answer_time: list[float] = field(default_factory=list)  # first try to 200, s
    lock: threading.Lock = field(default_factory=threading.Lock)


def send(url: str, query: str, timeout: float) -> tuple[str, int, Any, float]:
    """POST the query; (outcome, status, body or headers, seconds)."""
    data = urllib.parse.urlencode({"query": query}).encode("utf-8")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json",
    }
    request = urllib.request.Request(url + "sparql", data=data, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return "200", 200, (response.headers, body), time.perf_counter() - started
    except urllib.error.HTTPError as err:
        text = b""
        with contextlib.suppress(OSError, http.client.HTTPException):
            text = err.read()
        status = err.code
        if status not in (503,):
            EXAMPLES.setdefault(status, text.decode("utf-8", "replace").strip()[:300])
        retry = err.headers.get("Retry-After")
        outcome = f"{status} busy" if status == 503 and retry else str(status)
        if status == 503 and not retry:
            outcome = "503 stopped"
        return outcome, status, err.headers, time.perf_counter() - started
    except (OSError, http.client.HTTPException) as err:  # URLError is an OSError
        if os.environ.get("KG_LOAD_DEBUG"):
            print(f"debug: {time.monotonic():.2f} {err!r}", file=sys.stderr)
        return f"no answer ({type(err).__name__})", 0, None, time.perf_counter() - started


@dataclass(frozen=True)
class Clock:
    """When valid queries stop (``until``), when their drain ends, and SIGINT (``stop``)."""

    until: float
    drain: float
    stop: threading.Event


def client(
    number: int,
    url: str,
    clock: Clock,
    mix: dict[str, float],
    expected: dict[str, Any],
    timeout: float,
    tally: Tally,
) -> None:
    rng = random.Random(number)
    kinds, weights = list(mix), list(mix.values())
    runaways = [(k, w) for k, w in mix.items() if k != "valid" and w > 0]
    wait_limit = timeout + 60
    while not clock.stop.is_set():
        if time.monotonic() < clock.until:
            kind = rng.choices(kinds, weights)[0]
        elif runaways:  # the load goes on until SIGINT, without new valid queries
            kind = rng.choices([k for k, _ in runaways], [w for _, w in runaways])[0]
        else:
            return
        if kind == "valid":
            name = rng.choice(list(VALID))
            valid_query(url, name, clock, expected[name], wait_limit, tally)
            continue
        outcome, _, extra, seconds = send(url, RUNAWAY[kind], wait_limit)
        if clock.stop.is_set():
            return  # answered during the shutdown (SIGINT at the end): not counted
        with tally.lock:
            tally.attempts[(kind, outcome)] += 1
            tally.latency[kind].append(seconds)
            if outcome == "503 stopped":
                tally.past_deadline.append(run_ms(extra) - timeout * 1000)
        if outcome.endswith("busy"):
            pause(extra, math.inf, clock.stop)


def valid_query(
    url: str, name: str, clock: Clock, expected: Any, wait_limit: float, tally: Tally
) -> None:
    with tally.lock:
        tally.valid_sent += 1
        tally.valid_in_flight += 1
    try:
        _answer_valid(url, name, clock, expected, wait_limit, tally)
    finally:
        with tally.lock:
            tally.valid_in_flight -= 1


def _answer_valid(
    url: str, name: str, clock: Clock, expected: Any, wait_limit: float, tally: Tally
) -> None:
    """Send a valid query until it is answered (retrying on 503 busy) or the drain ends."""
    first = time.perf_counter()
    while True:
        if time.monotonic() >= clock.drain or clock.stop.is_set():
            with tally.lock:
                tally.valid_unanswered += 1
            return
        outcome, _, extra, seconds = send(url, VALID[name], wait_limit)
        with tally.lock:
            if outcome != "200" and clock.stop.is_set():  # cut by SIGINT: not answered
                tally.valid_unanswered += 1
                return
            tally.attempts[("valid", outcome)] += 1
            tally.latency["valid"].append(seconds)
            if outcome == "200":
                right = canonical(json.loads(extra[1])) == expected
                tally.valid_right += right
                tally.valid_wrong += not right
                tally.valid_long += "long" in extra[0].get("Server-Timing", "")
                tally.valid_answer_time.append(time.perf_counter() - first)
                return
            if not outcome.endswith("busy"):
                tally.valid_failed += 1
                EXAMPLES.setdefault(outcome, name)
                return
            tally.valid_busy += 1
        pause(extra, clock.drain, clock.stop)


def pause(headers: Any, until: float, stop: threading.Event) -> None:
    retry = float(headers.get("Retry-After", "1"))
    stop.wait(max(0.0, min(retry, until - time.monotonic())))


def run_ms(headers: Any) -> float:
    match = re.search(r"run;dur=(\d+)", headers.get("Server-Timing", "") if headers else "")
    return float(match.group(1)) if match else float("nan")


# ---------------------------------------------------------------- one run


def run(store_kind: str, folder: Path, options: argparse.Namespace) -> dict[str, Any]:
    expected = reference(store_kind, folder)
    spec = [str(folder / "kg.trig")] if store_kind == "memory" else []
    if store_kind == "oxigraph":
        spec = ["--store", f"oxigraph:{folder / 'store'}"]
    extra = ["--timeout", f"{options.timeout:g}"]
    if options.max_workers:
        extra += ["--max-workers", str(options.max_workers)]
    if options.max_memory and has_option("--max-memory"):
        extra += ["--max-memory", options.max_memory]
    server = start_server([*spec, *extra])
    time.sleep(0.5)
    baseline = server.peak_rss
    tally = Tally()
    until = time.monotonic() + options.duration
    clock = Clock(until, until + 2 * options.timeout + 5, threading.Event())
    threads = [
        threading.Thread(
            target=client,
            args=(n, server.url, clock, options.mix, expected, options.timeout, tally),
            daemon=True,
        )
        for n in range(options.clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, until - time.monotonic()))
    while tally.valid_in_flight and time.monotonic() < clock.drain:
        time.sleep(0.05)  # the valid queries in flight are answered; runaways go on
    time.sleep(0.5)  # a moment of runaways only, so that some run at SIGINT
    running = len(server.tree()) - 1
    if os.environ.get("KG_LOAD_DEBUG"):
        print(f"debug: {time.monotonic():.2f} SIGINT", file=sys.stderr)
    clock.stop.set()
    exited, gone = stop_server(server)
    for thread in threads:
        thread.join(5)
    return {
        "store": store_kind,
        "tally": tally,
        "baseline": baseline,
        "peak_rss": server.peak_rss,
        "peak_children": server.peak_children,
        "children_at_sigint": running,
        "exited": exited,
        "gone": gone,
        "stuck_clients": sum(t.is_alive() for t in threads),
    }


_HELP: dict[str, str] = {}


def has_option(name: str) -> bool:
    if "serve" not in _HELP:
        _HELP["serve"] = kg(["serve", "--help"], env={**os.environ, "COLUMNS": "200"}).stdout
    return name in _HELP["serve"]


def report(result: dict[str, Any], options: argparse.Namespace) -> bool:
    """Print one run's figures; say whether it met the issue's targets."""
    tally: Tally = result["tally"]
    mb = 1024 * 1024
    print(f"\n== kg serve, {result['store']} store ==")
    print(
        f"{options.clients} clients x {options.duration:g} s, query timeout {options.timeout:g} s"
    )
    for kind in KINDS:
        outcomes = {o: n for (k, o), n in sorted(tally.attempts.items()) if k == kind}
        latencies = sorted(tally.latency.get(kind, []))
        if not latencies:
            continue
        worst = latencies[-1]
        median = latencies[len(latencies) // 2]
        shown = ", ".join(f"{o}: {n}" for o, n in outcomes.items())
        print(
            f"  {kind:7} {len(latencies):6} requests  ({shown})  "
            f"latency median {median:.2f} s, max {worst:.2f} s"
        )
    statuses: Counter[str] = Counter()
    for (_, outcome), n in tally.attempts.items():
        statuses[outcome.split()[0]] += n
    print("  status codes: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(
        f"  valid queries: {tally.valid_sent} sent, {tally.valid_right + tally.valid_wrong} "
        f"answered 200 ({tally.valid_right} with the right rows, {tally.valid_wrong} wrong), "
        f"{tally.valid_failed} errors, {tally.valid_unanswered} unanswered; "
        f"{tally.valid_busy} 503 answers on the way (retried); "
        f"{tally.valid_long} answered from the places for long queries"
    )
    answered = sorted(tally.valid_answer_time)
    if answered:
        print(
            f"  valid queries, first try to answer: median {percentile(answered, 50):.3f} s, "
            f"95th percentile {percentile(answered, 95):.3f} s, max {answered[-1]:.3f} s"
        )
    over = [x for x in tally.past_deadline if x == x]
    if over:
        print(
            f"  runaway queries stopped at the deadline: {len(over)}, ran past it by "
            f"max {max(over):.0f} ms (median {sorted(over)[len(over) // 2]:.0f} ms)"
        )
    else:
        print("  runaway queries stopped at the deadline: none")
    for status, text in sorted(EXAMPLES.items()):
        print(f"  what {status} said: {text}")
    EXAMPLES.clear()
    ceiling = memory_ceiling(result, options)
    print(
        f"  server peak RSS (process tree): {result['peak_rss'] / mb:.0f} MB "
        f"(at start {result['baseline'] / mb:.0f} MB; at most {result['peak_children']} "
        f"query processes at once); ceiling: {ceiling}"
    )
    exited, gone = result["exited"], result["gone"]
    print(
        "  SIGINT with "
        f"{result['children_at_sigint']} query processes running: server exited in "
        + (f"{exited:.2f} s" if exited is not None else "more than 30 s (killed)")
        + ", query processes gone in "
        + (f"{gone:.2f} s" if gone is not None else "more than 30 s (killed)")
        + (f"; {result['stuck_clients']} clients still waiting" if result["stuck_clients"] else "")
    )
    return (
        valid_met(tally)  # the target: every valid query answered 200 with the right rows
        and not any(o.startswith("500") for (_, o) in tally.attempts)
        and exited is not None
        and exited <= 2.0
        and gone is not None
        and gone <= 2.0
    )


def valid_met(tally: Tally) -> bool:
    """Every valid query answered 200 with the right rows."""
    return (
        tally.valid_sent > 0
        and tally.valid_wrong == 0
        and tally.valid_failed == 0
        and tally.valid_unanswered == 0
    )


def percentile(ordered: list[float], q: float) -> float:
    """The ``q``-th percentile of sorted values (nearest rank).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
    (2.0, 4.0)
    """
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def memory_ceiling(result: dict[str, Any], options: argparse.Namespace) -> str:
    if not has_option("--max-memory"):
        return "none (kg serve has no --max-memory)"
    from kg.query.limits import DEFAULT_MAX_MEMORY, default_max_workers, parse_size
    from kg.serve.admission import pool_sizes

    workers = sum(pool_sizes(options.max_workers or default_max_workers()))
    each = parse_size(options.max_memory) if options.max_memory else DEFAULT_MAX_MEMORY
    if each is None:
        return "none (--max-memory 0)"
    total = result["baseline"] + workers * each
    return (
        f"{total / 1024**2:,.0f} MB ({workers} query processes x {each / 1024**2:,.0f} MB "
        "beyond the graph, plus the server at start)"
    )


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        if name.strip() not in KINDS:
            raise argparse.ArgumentTypeError(f"{name!r}: the kinds are {', '.join(KINDS)}")
        mix[name.strip()] = float(weight)
    return mix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per store")
    parser.add_argument("--store", choices=["memory", "oxigraph", "both"], default="both")
    parser.add_argument("--timeout", type=float, default=5.0, help="kg serve --timeout")
    parser.add_argument("--max-workers", type=int, help="kg serve --max-workers")
    parser.add_argument("--max-memory", help="kg serve --max-memory (when it has it)")
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=parse_mix("valid=70,slow=10,regex=10,memory=10"),
        help="weights of the kinds of query (default valid=70,slow=10,regex=10,memory=10)",
    )
    parser.add_argument("--build", type=Path, help="a folder to build the sample in, or reuse")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when any target is missed (without it: only when a valid query is "
        "not answered 200 with the right rows)",
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-serve-load-") as tmp:
        folder = build_sample(options.build or Path(tmp) / "sample")
        kinds = ["memory", "oxigraph"] if options.store == "both" else [options.store]
        results = [run(kind, folder, options) for kind in kinds]
        met = [report(result, options) for result in results]
    valid = all(valid_met(result["tally"]) for result in results)
    print("\ntargets met" if all(met) else "\ntargets missed")
    if not valid:
        print("a valid query was not answered 200 with the right rows")
    return 1 if not valid or (options.check and not all(met)) else 0


if __name__ == "__main__":
    sys.exit(main())
