"""kg serve against hostile clients: other sites' pages, escape sequences, too many queries.

The server runs in a thread (:func:`kg.serve.make_server` on port 0), except
for the Ctrl-C test, which runs the ``kg serve`` command.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_serve import running  # pytest puts tests/ on sys.path

from kg.errors import QueryBusyError, QueryError, ServerError, printable
from kg.query import ParsedQuery, QueryResult, check_query
from kg.query.limits import WorkerSlots, stopped_after
from kg.serve import SparqlServer, make_server
from kg.serve.admission import (
    LONG_NICENESS,
    QUEUE_PER_WORKER,
    Admission,
    LongPool,
    OneCheck,
    pool_sizes,
)
from kg.serve.guards import Busy, OriginPolicy, QuerySlots, normalize_origin
from kg.stores import MemoryStore, open_store

SMALL = Path(__file__).parent / "data" / "stores" / "small.trig"
ASK = "ASK { ?s ?p ?o }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Answer:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.text = status, headers, body.decode("utf-8")


def fetch(url: str, *, method: str = "GET", data: bytes | None = None, **headers: str) -> Answer:
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.headers, err.read())


class CountingStore(MemoryStore):
    """The small graph in memory; counts the queries it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.load_file(SMALL)
        self.runs = 0

    def query(self, query: str | ParsedQuery, *, timeout: float | None = None) -> QueryResult:
        self.runs += 1
        return super().query(query, timeout=timeout)


@pytest.fixture(scope="module")
def guarded() -> Iterator[tuple[SparqlServer, CountingStore]]:
    store = CountingStore()
    with running(store, timeout=5, allow_origins=["https://app.example.org"]) as server:
        yield server, store


def post_form(server: SparqlServer, **headers: str) -> Answer:
    body = urllib.parse.urlencode({"query": ASK}).encode("ascii")
    return fetch(server.url + "sparql", method="POST", data=body, **FORM, **headers)


# ---------------------------------------------------------------- other sites' pages


@pytest.mark.parametrize(
    ("origin", "site"),
    [
        ("http://evil.example", "cross-site"),  # the no-cors form POST of the issue
        ("null", "cross-site"),  # a sandboxed page or a local file
        ("http://127.0.0.1:1", "same-site"),  # another port of the same host
        ("https://127.0.0.1:{port}", "cross-site"),  # another scheme
        ("http://localhost:{port}", "same-site"),  # another host name than the one asked
        ("http://127.0.0.1:{port}.evil.example", "cross-site"),
        ("", None),
        ("http://127.0.0.1:{port}/\x1b[2J", None),
    ],
)
def test_a_page_of_another_origin_is_refused(
    guarded: tuple[SparqlServer, CountingStore], origin: str, site: str | None
) -> None:
    server, store = guarded
    port = server.server_address[1]
    headers = {"Origin": origin.format(port=port)}
    if site:
        headers["Sec-Fetch-Site"] = site
    before = store.runs
    answer = post_form(server, **headers)
    assert answer.status == 403
    assert answer.text.count("\n") == 1 and "--allow-origin" in answer.text
    assert "\x1b" not in answer.text
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert store.runs == before  # the query never ran
    get = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": ASK}), **headers)
    assert get.status == 403


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_cross_site_request_without_origin_is_refused(
    guarded: tuple[SparqlServer, CountingStore], site: str
) -> None:
    server, store = guarded
    before = store.runs
    url = server.url + "sparql?" + urllib.parse.urlencode({"query": ASK})
    for mode in ("navigate", "no-cors"):  # a link to a query, an <img src=...>
        answer = fetch(url, **{"Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode})
        assert answer.status == 403 and site in answer.text
    assert store.runs == before


def test_a_link_from_elsewhere_opens_the_query_page(
    guarded: tuple[SparqlServer, CountingStore],
) -> None:
    server, _ = guarded
    navigate = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert fetch(server.url, **navigate).status == 200
    fetched = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    assert fetch(server.url, **fetched).status == 403
    assert fetch(server.url + "static/query.js", **navigate).status == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, SPARQLWrapper: no browser page behind it
        {"Origin": "http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"},  # kg's page
        {"Origin": "HTTP://127.0.0.1:{port}/"},
        {"Sec-Fetch-Site": "same-origin"},  # the page's download links (GET: no Origin)
        {"Sec-Fetch-Site": "none"},  # typed in the address bar, a bookmark
    ],
)
def test_the_servers_own_page_and_plain_clients_are_answered(
    guarded: tuple[SparqlServer, CountingStore], headers: dict[str, str]
) -> None:
    server, store = guarded
    port = server.server_address[1]
    sent = {name: value.format(port=port) for name, value in headers.items()}
    before = store.runs
    answer = post_form(server, **sent)
    assert answer.status == 200 and '"boolean":true' in answer.text
    assert store.runs == before + 1
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert re.fullmatch(r"wait;dur=\d+, run;dur=\d+", answer.headers["Server-Timing"])


def test_the_page_asked_by_another_loopback_name_is_its_own_origin(
    guarded: tuple[SparqlServer, CountingStore],
) -> None:
    server, _ = guarded
    port = server.server_address[1]
    answer = post_form(server, Host=f"localhost:{port}", Origin=f"http://localhost:{port}")
    assert answer.status == 200


def test_an_allowed_origin_is_answered_with_cors_headers(
    guarded: tuple[SparqlServer, CountingStore],
) -> None:
    server, store = guarded
    before = store.runs
    answer = post_form(server, Origin="https://app.example.org", **{"Sec-Fetch-Site": "cross-site"})
    assert answer.status == 200 and store.runs == before + 1
    assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "Origin" in answer.headers["Vary"]
    preflight = fetch(
        server.url + "sparql",
        method="OPTIONS",
        Origin="https://app.example.org:443",
        **{"Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert (
        fetch(server.url + "sparql", method="OPTIONS", Origin="http://evil.example").status == 403
    )
    assert fetch(server.url + "sparql", method="OPTIONS").status == 405
    # a sibling of the allowed origin is not allowed
    assert post_form(server, Origin="https://app.example.org:8443").status == 403


@pytest.mark.parametrize(
    "origin", ["null", "app.example.org", "http://a.example/path", "*", "http://a b", ""]
)
def test_allow_origin_takes_only_origins(origin: str) -> None:
    with pytest.raises(ServerError, match="--allow-origin"):
        make_server(MemoryStore(), "127.0.0.1", 0, allow_origins=[origin])


def test_normalize_origin() -> None:
    assert normalize_origin("https://Example.org:443/") == "https://example.org"
    assert normalize_origin("http://[::1]:7878") == "http://[::1]:7878"
    assert normalize_origin("http://x:7878") != normalize_origin("http://x:7879")
    assert normalize_origin("http://user@x") is None
    assert OriginPolicy.allowing(["http://x:80"]).allowed == frozenset({"http://x"})


# ---------------------------------------------------------------- the log


def raw_request(server: SparqlServer, request: bytes) -> bytes:
    with socket.create_connection(server.server_address[:2], timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    "path",
    [
        b"/\x1b[2J\x1b]0;pwned\x07",  # clear the screen, set the window title
        b"/a\x07b",  # BEL
        b"/a\rb",  # CR: a log line that overwrites itself
        b"/\x9b31m",  # C1 CSI, as one byte
        b"/\xc2\x9b31m",  # C1 CSI in UTF-8
        b"/\x7f\x00",
    ],
)
def test_control_characters_in_a_request_are_escaped_in_the_log(path: bytes) -> None:
    lines: list[str] = []
    with running(CountingStore(), log=lines.append) as server:
        answer = raw_request(server, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        raw_request(server, b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX: \x1b[2J\r\n\r\n")
    assert answer.startswith(b"HTTP/1.")
    assert lines, "nothing was logged"
    for line in lines:
        assert not CONTROL.search(line), repr(line)
    assert re.search(r"\\(x1b|x07|r|x9b|x7f|x00)", "\n".join(lines))


#: What printable escapes: control characters and the bidi controls that reorder a line.
ESCAPED = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@given(st.text())
def test_printable_leaves_no_control_character(text: str) -> None:
    shown = printable(text)
    assert not ESCAPED.search(shown)
    if not ESCAPED.search(text):
        assert shown == text


def test_printable_escapes_bidi_controls() -> None:
    assert printable("a\u2066b\u202ec") == r"a\u2066b\u202ec"


def test_printable_escapes_each_kind() -> None:
    assert printable("\x1b\x07\r\n\t\x9b\x85\x7f") == r"\x1b\x07\r\n\t\x9b\x85\x7f"
    assert printable("abc\u202edcba.exe") == r"abc\u202edcba.exe"  # a bidi override
    assert printable("é ü 中 \\x1b") == "é ü 中 \\x1b"


# ---------------------------------------------------------------- too many queries at once


class BlockingStore(MemoryStore):
    """Holds every query until released: a stand-in for queries that run long."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.running = threading.Semaphore(0)

    def query(self, query: str | ParsedQuery, *, timeout: float | None = None) -> QueryResult:
        self.running.release()
        self.release.wait(30)
        return super().query(query, timeout=timeout)


def test_queries_beyond_the_workers_and_the_queue_get_503_with_retry_after() -> None:
    store = BlockingStore()
    url_query = "sparql?" + urllib.parse.urlencode({"query": ASK})
    with running(store, timeout=20, max_workers=1) as server:
        answers: list[Answer] = []
        first = threading.Thread(target=lambda: answers.append(fetch(server.url + url_query)))
        first.start()
        assert store.running.acquire(timeout=10)  # the one worker is taken
        waiting = [
            threading.Thread(target=lambda: answers.append(fetch(server.url + url_query)))
            for _ in range(QUEUE_PER_WORKER)  # the queue of the one general place
        ]
        for thread in waiting:
            thread.start()
        queue = server.admission.general.places
        wait_until(lambda: queue._waiting == QUEUE_PER_WORKER)  # all queued: the queue says so
        busy = fetch(server.url + url_query)
        assert busy.status == 503
        assert busy.text.count("\n") == 1 and "--max-workers 1" in busy.text
        retry = int(busy.headers["Retry-After"])
        assert 1 <= retry <= 20
        store.release.set()
        for thread in [first, *waiting]:
            thread.join(30)
    assert [a.status for a in answers] == [200] * (1 + QUEUE_PER_WORKER)


def test_a_query_stopped_at_its_deadline_is_not_told_to_retry() -> None:
    store = CountingStore()
    with running(store, timeout=0.3) as server:
        answer = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": CROSS}))
    assert answer.status == 503 and "0.3 s" in answer.text
    assert "Retry-After" not in answer.headers  # the query itself is at fault, not the load
    timing = re.fullmatch(r"wait;dur=(\d+), run;dur=(\d+)", answer.headers["Server-Timing"])
    assert timing and int(timing.group(2)) >= 300


def test_query_slots_queue_then_refuse() -> None:
    slots = QuerySlots(2, queue=1, wait=10, timeout=None)
    with slots.slot(), slots.slot():
        queued = threading.Event()
        outcome: list[str] = []

        def wait_for_slot() -> None:
            queued.set()
            with slots.slot():
                outcome.append("ran")

        thread = threading.Thread(target=wait_for_slot)
        thread.start()
        queued.wait(5)
        while slots.places._waiting < 1:
            threading.Event().wait(0.01)
        with pytest.raises(Busy) as refused, slots.slot():  # 2 running, the queue (1) is full
            pass
        assert refused.value.retry_after == 5  # no time limit: a guess
    thread.join(10)
    assert outcome == ["ran"]


def test_a_place_that_comes_free_goes_to_the_query_that_waited() -> None:
    places = WorkerSlots(1, queue=2)
    order: list[str] = []
    held = places.slot(wait=0)
    held.__enter__()

    def waiter() -> None:
        with places.slot(wait=10):
            order.append("waited")

    thread = threading.Thread(target=waiter)
    thread.start()
    wait_until(lambda: places._waiting == 1)
    held.__exit__(None, None, None)
    with pytest.raises(QueryBusyError), places.slot(wait=0):  # arrives as the place frees
        order.append("jumped the line")
    thread.join(10)
    assert order == ["waited"]


def test_the_process_cap_on_query_processes_is_told_as_busy() -> None:
    slots = QuerySlots(4, queue=0, wait=1, timeout=30)
    with pytest.raises(Busy) as refused, slots.slot():
        raise QueryBusyError("all 2 query workers are busy; try again in a moment.")
    assert 1 <= refused.value.retry_after <= 30
    assert "--max-workers 4" in str(refused.value)


def test_max_workers_must_be_positive() -> None:
    with pytest.raises(ServerError, match="--max-workers"):
        make_server(MemoryStore(), "127.0.0.1", 0, max_workers=0)


# ---------------------------------------------------------------- runaway queries set apart


class SleepyStore(MemoryStore):
    """The small graph; a query with the literal "sleep S" runs S seconds (unless stopped first).

    A stand-in for runaway queries that costs no CPU: it keeps the limit each
    query was given, and is stopped at that limit as a query process is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.load_file(SMALL)
        self.limits: dict[str, list[float | None]] = {}
        self.stop = threading.Event()  # the end of the test: every sleeper wakes up

    def query(self, query: str | ParsedQuery, *, timeout: float | None = None) -> QueryResult:
        text = query if isinstance(query, str) else query.text
        match = re.search(r'"(sleep ([0-9.]+)[^"]*)"', text)
        if match is None:
            return super().query(query, timeout=timeout)
        self.limits.setdefault(match.group(1).strip(), []).append(timeout)
        seconds = float(match.group(2))
        woken = self.stop.wait(seconds if timeout is None else min(timeout, seconds))
        if not woken and timeout is not None and timeout < seconds:
            raise stopped_after(timeout)
        return super().query(query, timeout=timeout)


def sleeper(seconds: float, tag: str = "") -> str:
    return f'ASK {{ FILTER("sleep {seconds:g} {tag}" != "") }}'


def ask_url(server: SparqlServer, query: str) -> str:
    return server.url + "sparql?" + urllib.parse.urlencode({"query": query})


def in_background(url: str, answers: list[Answer]) -> threading.Thread:
    thread = threading.Thread(target=lambda: answers.append(fetch(url)), daemon=True)
    thread.start()
    return thread


def wait_until(condition: Any, seconds: float = 20) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, "timed out waiting"
        time.sleep(0.01)


def test_a_short_query_is_answered_while_runaways_took_every_place() -> None:
    store = SleepyStore()
    with running(store, timeout=60, max_workers=4, short_budget=0.3) as server:
        answers: list[Answer] = []
        threads = [in_background(ask_url(server, sleeper(60, str(n))), answers) for n in range(4)]
        wait_until(lambda: len(answers) == 3)  # 3 general places: 3 runaways, then 1 more
        started = time.perf_counter()
        quick = fetch(ask_url(server, ASK))
        took = time.perf_counter() - started
        store.stop.set()
        for thread in threads:
            thread.join(30)
    assert quick.status == 200 and quick.text.startswith('{"head"')
    assert took < 5  # not after the runaways' 60 s, nor a queue's 5 s
    assert "long" not in quick.headers["Server-Timing"]
    refused = [a for a in answers[:3]]
    assert all(a.status == 503 and a.headers["Retry-After"] for a in refused)
    assert all("place for long queries is taken" in a.text for a in refused)
    assert all(1 <= int(a.headers["Retry-After"]) <= 60 for a in refused)
    assert answers[3].status == 200  # the one in the long pool, woken by the end of the test
    budgets = sorted(limits[0] or 0 for limits in store.limits.values())
    assert budgets == [0.3] * 4  # each got the short budget first


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_real_runaways_leave_room_for_a_short_query(tmp_path: Path, kind: str) -> None:
    store = open_store(oxigraph_folder(tmp_path)) if kind == "oxigraph" else CountingStore()
    try:
        with running(store, timeout=3, max_workers=4, short_budget=0.3) as server:
            answers: list[Answer] = []
            runaways = [f"{CROSS} # {n}" for n in range(4)]  # four texts, none known yet
            threads = [in_background(ask_url(server, text), answers) for text in runaways]
            wait_until(lambda: len(answers) == 3)  # the long place is taken, 3 are told to wait
            started = time.perf_counter()
            quick = fetch(ask_url(server, ASK))
            took = time.perf_counter() - started
            for thread in threads:
                thread.join(30)
    finally:
        store.close()
    assert quick.status == 200 and took < 2  # before the runaway's 3 s deadline
    assert [a.status for a in answers] == [503] * 4
    assert all(a.headers["Retry-After"] for a in answers[:3])
    assert "Retry-After" not in answers[3].headers and "more than 3 s" in answers[3].text


def test_a_runaway_moved_to_the_long_pool_keeps_its_deadline() -> None:
    with running(CountingStore(), timeout=1.5, short_budget=0.3) as server:
        started = time.perf_counter()
        answer = fetch(ask_url(server, CROSS))
        took = time.perf_counter() - started
    assert answer.status == 503 and "Retry-After" not in answer.headers
    assert "more than 1.5 s" in answer.text and answer.text.count("\n") == 1
    timing = re.fullmatch(r"wait;dur=\d+, run;dur=(\d+), long", answer.headers["Server-Timing"])
    assert timing and 1500 <= int(timing.group(1)) < 2500  # both pools: 1.5 s in all
    assert took < 4


def test_a_query_that_ran_long_goes_to_the_long_pool_at_once() -> None:
    store = SleepyStore()
    with running(store, timeout=30, max_workers=4, short_budget=0.2) as server:
        first = fetch(ask_url(server, sleeper(0.6)))  # 0.2 s, then the long pool
        again = fetch(ask_url(server, sleeper(0.6)))  # straight to the long pool
        blocker: list[Answer] = []
        thread = in_background(ask_url(server, sleeper(60, "blocker")), blocker)
        wait_until(
            lambda: len(store.limits.get("sleep 60 blocker", [])) == 2
        )  # it holds the long place
        started = time.perf_counter()
        refused = fetch(ask_url(server, sleeper(0.6)))
        took = time.perf_counter() - started
        store.stop.set()
        thread.join(30)
    assert first.status == again.status == 200
    assert first.headers["Server-Timing"].endswith(", long")
    limits = store.limits["sleep 0.6"]
    assert limits[0] == 0.2 and limits[1] is not None and 29 < limits[1] < 30
    assert limits[2] == 30  # no second trial among the short queries: the whole deadline
    assert len(limits) == 3  # the refused one did not run at all
    assert refused.status == 503 and refused.headers["Retry-After"] and took < 0.2


def test_a_text_twice_over_its_budget_while_the_long_place_is_taken_is_not_tried_again() -> None:
    store = SleepyStore()
    with running(store, timeout=30, max_workers=4, short_budget=0.2) as server:
        blocker: list[Answer] = []
        thread = in_background(ask_url(server, sleeper(60, "blocker")), blocker)
        wait_until(lambda: len(store.limits.get("sleep 60 blocker", [])) == 2)
        tried = [fetch(ask_url(server, sleeper(5, "x"))) for _ in range(2)]
        started = time.perf_counter()
        third = fetch(ask_url(server, sleeper(5, "x")))
        took = time.perf_counter() - started
        store.stop.set()
        thread.join(30)
    assert [a.status for a in tried] == [503, 503] and all(a.headers["Retry-After"] for a in tried)
    assert store.limits["sleep 5 x"] == [0.2, 0.2]  # two trials among the short queries, no third
    assert third.status == 503 and third.headers["Retry-After"] and took < 0.2


def test_a_long_query_that_became_short_is_forgotten() -> None:
    calls: list[float | None] = []
    durations = iter([0.3, 0.3, 0.01, 0.01])  # long (trial, then long pool), then quick

    def query(limit: float | None) -> str:
        calls.append(limit)
        seconds = next(durations)
        if limit is not None and limit < seconds:
            time.sleep(limit)
            raise stopped_after(limit)
        time.sleep(seconds)
        return "rows"

    admission = Admission(4, timeout=10, budget=0.1)
    assert admission.run(query, key="SELECT ?x", client="a") == "rows"  # 0.1 s, then long
    assert admission.run(query, key="SELECT  ?x\n", client="a") == "rows"  # long at once
    assert admission.run(query, key="SELECT ?x", client="a") == "rows"  # quick: forgotten
    assert calls == [0.1, pytest.approx(9.9, abs=0.05), 10, 0.1]


def test_a_burst_of_one_new_text_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[str] = []

    @functools.lru_cache(maxsize=8)
    def slow_check(text: str) -> ParsedQuery:  # a cache like kg.stores.check_cached
        parses.append(text)
        time.sleep(0.2)
        if "broken" in text:
            raise QueryError("not valid SPARQL: broken")
        return check_query(text)

    monkeypatch.setattr("kg.serve.admission.check_cached", slow_check)
    check = OneCheck()
    outcomes: list[object] = []

    def ask(text: str) -> None:
        try:
            outcomes.append(check(text))
        except QueryError as err:
            outcomes.append(str(err))

    threads = [
        threading.Thread(target=ask, args=(text,)) for text in [ASK] * 6 + ["ASK { broken"] * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert parses.count(ASK) == 1  # not once per request, in turn behind the parser's lock
    assert sum(isinstance(o, ParsedQuery) and o.kind == "ASK" for o in outcomes) == 6
    assert outcomes.count("not valid SPARQL: broken") == 3  # a failure is told to everyone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value")
def test_a_long_query_runs_at_a_lower_cpu_priority() -> None:
    def niceness(limit: float | None) -> int:
        if limit is not None and limit < 1:
            raise stopped_after(limit)  # the trial among the short queries
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    admission = Admission(4, timeout=10, budget=0.1)
    assert admission.run(niceness, key="long", client="a") == min(19, base + LONG_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # not this thread
    short = Admission(4, timeout=10, budget=5)
    assert short.run(niceness, key="short", client="a") == base


def test_the_long_pool_keeps_a_place_for_other_clients() -> None:
    pool = LongPool(3, timeout=30, budget=1)
    with pool.place("10.0.0.1"), pool.place("10.0.0.1"):
        with (
            pytest.raises(Busy, match="your address already runs 2 of the 3"),
            pool.place("10.0.0.1"),
        ):
            pass
        with (
            pool.place("10.0.0.2"),  # the last place is someone else's
            pytest.raises(Busy, match="all 3 places") as full,
            pool.place("10.0.0.3"),
        ):
            pass
    assert 1 <= full.value.retry_after <= 30
    with pool.place("10.0.0.1"), pool.place("10.0.0.1"):  # the places came back
        pass


@pytest.mark.parametrize(
    ("workers", "general", "long"), [(1, 1, 1), (2, 1, 1), (4, 3, 1), (8, 6, 2)]
)
def test_pool_sizes(workers: int, general: int, long: int) -> None:
    assert pool_sizes(workers) == (general, long)
    admission = Admission(workers, timeout=5)
    assert admission.total == general + long
    assert admission.general.places.limit == general and admission.long.places == long


def test_the_busy_message_names_the_option_given() -> None:
    admission = Admission(4, timeout=5, budget=1)
    assert admission.general.workers_option == 4  # not the 3 general places


# ---------------------------------------------------------------- the command


def test_the_command_refuses_a_bad_allow_origin() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", str(SMALL), "--port=0", "--allow-origin=null"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.startswith("error: ") and "--allow-origin" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def oxigraph_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    store = open_store(folder, create=True)
    store.load_file(SMALL)
    store.close()
    return folder


#: Runs for hours on the small graph in either store (Oxigraph's regular
#: expressions do not backtrack, so a catastrophic REGEX would not do there).
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_ctrl_c_stops_the_server_while_a_runaway_query_runs(tmp_path: Path, kind: str) -> None:
    spec = ["--store", f"oxigraph:{oxigraph_folder(tmp_path)}"] if kind == "oxigraph" else []
    command = [sys.executable, "-m", "kg.cli", "serve", *spec, "--port", "0", "--timeout", "600"]
    if kind == "memory":
        command.insert(4, str(SMALL))
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", first)
        assert match, first
        url = match.group(1) + "sparql?" + urllib.parse.urlencode({"query": CROSS})
        client = threading.Thread(target=_fetch_until_stopped, args=(url,), daemon=True)
        client.start()
        client.join(1.5)
        assert client.is_alive()  # the query runs (its limit is 600 s)
        children = _children(process.pid)
        assert children  # the query runs in a process of its own
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0  # long before the query's time limit
        assert process.stderr.read().endswith("stopped.\n")
        # Killed by the server before it exited, not left to notice it is orphaned.
        assert [pid for pid in children if _running(pid)] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


_ORPHAN = """
import os, re, sys, threading, time
import psutil
from kg.query.limits import run_killable

def regex():
    return re.fullmatch(r"(a+)+$", "a" * 40 + "!")

threading.Thread(target=lambda: run_killable(regex, timeout=600), daemon=True).start()
time.sleep(1.5)  # the query process is inside the regex
with open(sys.argv[1], "w") as out:
    out.write(" ".join(str(child.pid) for child in psutil.Process().children()))
os._exit(0)  # gone without stopping it, as a server that stops in the middle of a fork
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_a_query_process_ends_with_its_parent_even_inside_a_catastrophic_regex(
    tmp_path: Path,
) -> None:
    pytest.importorskip("psutil")
    told = tmp_path / "children"
    subprocess.run(  # no pipes: a child left running would hold them open
        [sys.executable, "-c", _ORPHAN, str(told)], stdout=subprocess.DEVNULL, timeout=60
    )
    orphans = [int(pid) for pid in told.read_text().split()]
    try:
        assert orphans
        ends = time.monotonic() + 5
        while any(_running(pid) for pid in orphans) and time.monotonic() < ends:
            time.sleep(0.05)
        assert not any(_running(pid) for pid in orphans)  # not left backtracking for ever
    finally:
        for pid in orphans:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _fetch_until_stopped(url: str) -> None:
    with contextlib.suppress(OSError):  # the server stops before it answers
        fetch(url)


def _children(pid: int) -> list[int]:
    psutil = pytest.importorskip("psutil")
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def _running(pid: int) -> bool:
    psutil = pytest.importorskip("psutil")
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False
