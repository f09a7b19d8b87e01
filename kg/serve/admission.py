"""Where ``kg serve`` runs a query, so that runaway queries cannot starve ordinary ones.

Every query first runs in the general pool with a short budget
(:data:`SHORT_BUDGET`, 1 s, or the whole ``--timeout`` when that is
shorter). A query still running at the end of its budget is stopped there
and run again, with what is left of its deadline, in a small pool of places
for long queries (:func:`pool_sizes`: a quarter of ``--max-workers``, at least
one). When that pool is full, or the client's address already holds its
share of it, the query gets 503 with ``Retry-After`` at once. A query text
that recently ran long goes to the long pool directly, without costing the
general pool its budget again (:class:`LongTexts`). So a general place is never held for more
than the budget, and ordinary queries always find one soon. On Linux a
long query also runs at a lower CPU priority (:func:`at_low_priority`), and
a burst of one new text is parsed once (:class:`OneCheck`).

The deadline (``--timeout``) counts the time a query ran in both pools, the
memory ceiling is each query process's as before, and there are never more
query processes than places (:func:`kg.query.limits.set_max_workers`).

>>> admission = Admission(4, timeout=5, budget=1)
>>> admission.general.places.limit, admission.long.places
(3, 1)
>>> admission.run(lambda timeout: timeout, key="ASK {}", client="127.0.0.1")
1
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from kg.errors import QueryTimeoutError, ServerError
from kg.query.check import ParsedQuery
from kg.query.limits import stopped_after
from kg.serve.guards import Busy, QuerySlots, retry_after
from kg.stores import check_cached

__all__ = [
    "LONG_NICENESS",
    "QUEUE_PER_WORKER",
    "QUEUE_WAIT",
    "SHORT_BUDGET",
    "Admission",
    "LongPool",
    "LongTexts",
    "OneCheck",
    "Timing",
    "at_low_priority",
    "pool_sizes",
]

T = TypeVar("T")

#: Seconds a query may run in the general pool before it is moved to the long pool.
SHORT_BUDGET = 1.0

#: Queries that may wait for a general place, per place, and how long each may wait (seconds).
QUEUE_PER_WORKER = 8
QUEUE_WAIT = 5.0

#: How much lower a long query's CPU priority is (Linux ``nice``; 19 at most).
LONG_NICENESS = 10


class OneCheck:
    """:func:`kg.stores.check_cached`, but a text being checked already is waited for.

    rdflib's parser runs one query at a time (it is not thread-safe), and a
    cache only helps once a text is in it: a burst of clients sending the
    same new text would parse it once each, in turn, the others waiting
    behind (a 900-character query takes 0.4 s). Here the first request
    parses it and the others wait for that one parse.

    >>> check = OneCheck()
    >>> check("ASK {}") is check("ASK {}")
    True
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}

    def __call__(self, text: str) -> ParsedQuery:
        """The checked query (see :func:`kg.query.check_query` for what it raises)."""
        while True:
            with self._lock:
                done = self._running.get(text)
                if done is None:
                    done = self._running[text] = threading.Event()
                    break
            done.wait()  # cached now, unless it failed: then this thread finds out why
        try:
            return check_cached(text)
        finally:
            with self._lock:
                del self._running[text]
            done.set()


def at_low_priority(call: Callable[[], T]) -> T:
    """``call()`` in a thread of lower CPU priority (``nice`` + :data:`LONG_NICENESS`).

    On Linux a thread has a priority of its own and the processes it forks
    inherit it, so a long query's process yields the processors to the short
    ones. Elsewhere the priority is the whole server's: ``call`` runs as is.

    >>> at_low_priority(lambda: 6 * 7)
    42
    """
    if not sys.platform.startswith("linux"):
        return call()
    box: list[tuple[bool, Any]] = []

    def lowered() -> None:
        with contextlib.suppress(OSError):
            thread = threading.get_native_id()
            niceness = os.getpriority(os.PRIO_PROCESS, thread) + LONG_NICENESS
            os.setpriority(os.PRIO_PROCESS, thread, min(niceness, 19))
        try:
            box.append((True, call()))
        except BaseException as err:  # handed to the caller's thread as is
            box.append((False, err))

    worker = threading.Thread(target=lowered, name="kg-long-query", daemon=True)
    worker.start()
    worker.join()
    done, value = box[0]
    if not done:
        raise value
    result: T = value
    return result


def pool_sizes(workers: int) -> tuple[int, int]:
    """(general, long) places for ``--max-workers workers``: a quarter, at least one, run long.

    >>> pool_sizes(4), pool_sizes(1), pool_sizes(16)
    ((3, 1), (1, 1), (12, 4))
    """
    long = max(1, workers // 4)
    return max(1, workers - long), long


@dataclass
class Timing:
    """How long a query waited for a place and ran (seconds), and whether it ran long.

    >>> Timing(0.0123, 1.5, moved=True).header()
    'wait;dur=12, run;dur=1500, long'
    """

    wait: float = 0.0
    run: float = 0.0
    moved: bool = False

    def header(self) -> str:
        """The ``Server-Timing`` header's value."""
        value = f"wait;dur={self.wait * 1000:.0f}, run;dur={self.run * 1000:.0f}"
        return value + ", long" if self.moved else value


class LongPool:
    """Places for queries that ran past the budget; a client address may not take them all.

    Nobody waits here: a full pool, or a client already holding its share
    (all places but one, at least one), is :class:`Busy` at once, with
    ``Retry-After`` until the oldest long query ends at the latest.

    >>> pool = LongPool(2, timeout=30)
    >>> with pool.place("10.0.0.1"), pool.place("10.0.0.2"):
    ...     pass
    >>> with pool.place("10.0.0.1"), pool.place("10.0.0.1"):
    ...     pass  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.serve.guards.Busy: this query runs longer than 1 s, and your address already runs 1 of ...
    """

    def __init__(self, places: int, *, timeout: float | None, budget: float = SHORT_BUDGET) -> None:
        self.places = places
        self.per_client = max(1, places - 1)
        self.timeout = timeout
        self.budget = budget
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        self._clients: Counter[str] = Counter()
        self._tickets = itertools.count()

    @contextlib.contextmanager
    def place(self, client: str) -> Iterator[None]:
        """Hold a long place for ``client`` while the block runs, or raise :class:`Busy`."""
        with self._lock:
            retry = retry_after(self._started.values(), self.timeout)
            refusal = self._refusal(client, retry)
            if refusal is not None:
                raise Busy(refusal, retry)
            ticket = next(self._tickets)
            self._started[ticket] = time.monotonic()
            self._clients[client] += 1
        try:
            yield
        finally:
            with self._lock:
                del self._started[ticket]
                self._clients[client] -= 1
                if not self._clients[client]:
                    del self._clients[client]

    def _refusal(self, client: str, retry: int) -> str | None:
        told = f"this query runs longer than {self.budget:g} s"
        if len(self._started) >= self.places:
            taken = "the one place" if self.places == 1 else f"all {self.places} places"
            return (
                f"{told}, and {taken} for long queries {'is' if self.places == 1 else 'are'} "
                f"taken; try again in {retry} s, or make it more selective (bind a subject, "
                "add a LIMIT)."
            )
        if self._clients[client] >= self.per_client:
            return (
                f"{told}, and your address already runs {self._clients[client]} of the "
                f"{self.places} long queries allowed at once; try again when it is done."
            )
        return None


class LongTexts:
    """Query texts seen running long: they go to the long pool without a trial among short ones.

    A text is long once it ran past the budget in the long pool (remembered
    :data:`CONFIRMED` s), or ran past its budget :data:`STRIKES` times among
    the short queries while no long place was free (remembered
    :data:`SUSPECTED` s, as that was never confirmed). It is forgotten when
    it ends within the budget. Texts are told apart by their words (spacing
    aside), and the last :data:`SIZE` are kept.

    >>> texts = LongTexts()
    >>> key = LongTexts.key("ASK { ?s ?p ?o }")
    >>> texts.over_budget(key); key in texts
    False
    >>> texts.over_budget(key); key in texts
    True
    >>> texts.ran_short(key); key in texts
    False
    """

    CONFIRMED = 600.0
    SUSPECTED = 60.0
    STRIKES = 2
    SIZE = 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: OrderedDict[str, tuple[int, float]] = OrderedDict()  # strikes, until

    @staticmethod
    def key(text: str) -> str:
        """What identifies a text here: a digest of its words."""
        return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            strikes, until = self._texts.get(str(key), (0, 0.0))
            return strikes >= self.STRIKES and until > time.monotonic()

    def over_budget(self, key: str) -> None:
        """The text ran past its budget among the short queries."""
        with self._lock:
            strikes, until = self._texts.get(key, (0, 0.0))
            if until < time.monotonic():
                strikes = 0  # an old strike does not count
            self._keep(key, strikes + 1, max(until, time.monotonic() + self.SUSPECTED))

    def ran_long(self, key: str) -> None:
        """The text ran past the budget in the long pool."""
        with self._lock:
            self._keep(key, self.STRIKES, time.monotonic() + self.CONFIRMED)

    def ran_short(self, key: str) -> None:
        """The text ended within the budget."""
        with self._lock:
            self._texts.pop(key, None)

    def _keep(self, key: str, strikes: int, until: float) -> None:
        self._texts[key] = (strikes, until)
        self._texts.move_to_end(key)
        while len(self._texts) > self.SIZE:
            self._texts.popitem(last=False)


class Admission:
    """A server's two pools of query places and the rule between them (see the module doc).

    Parameters:
        workers: ``--max-workers``; split by :func:`pool_sizes`.
        timeout: the deadline of a query (seconds of running, in both pools); None: none.
        budget: seconds a query may run in the general pool.
    """

    def __init__(
        self, workers: int, *, timeout: float | None, budget: float = SHORT_BUDGET
    ) -> None:
        if workers < 1:
            raise ServerError(f"--max-workers must be at least 1, not {workers}.")
        general, long = pool_sizes(workers)
        self.timeout = timeout
        #: The general pool's limit per query; None when the deadline comes first.
        self.budget: float | None = None if timeout is not None and timeout <= budget else budget
        held = timeout if self.budget is None else self.budget
        self.general = QuerySlots(
            general,
            queue=QUEUE_PER_WORKER * general,
            wait=QUEUE_WAIT if timeout is None else min(QUEUE_WAIT, timeout),
            timeout=held,
            workers_option=workers,
        )
        self.long = LongPool(long, timeout=timeout, budget=budget)
        self.total = general + long
        self.closed = False
        self.long_texts = LongTexts()

    def close(self) -> None:
        """Start no more long runs (the server is stopping)."""
        self.closed = True

    def run(
        self,
        call: Callable[[float | None], T],
        *,
        key: str,
        client: str,
        timing: Timing | None = None,
    ) -> T:
        """``call(seconds it may run)`` in the pool where it belongs; its value.

        Parameters:
            call: runs the query with the time limit it is given.
            key: the query's text (texts that ran long are remembered).
            client: the client's address (its share of the long pool).
            timing: filled with how long the query waited and ran, even when it fails.

        Raises:
            Busy: no place (503 with ``Retry-After``).
            QueryTimeoutError: the query ran past ``timeout`` in all.
        """
        timing = timing if timing is not None else Timing()
        if self.closed:  # no new query process while the server stops
            raise Busy("the server is stopping.", 5)
        if self.budget is None:
            return self._general(call, self.timeout, timing)
        digest = LongTexts.key(key)
        if digest not in self.long_texts:
            try:
                value = self._general(call, self.budget, timing)
            except QueryTimeoutError:  # past the budget: on to the long pool with what is left
                self.long_texts.over_budget(digest)
            else:
                self.long_texts.ran_short(digest)
                return value
        return self._long(call, digest, client, timing)

    def _general(self, call: Callable[[float | None], T], limit: float | None, timing: Timing) -> T:
        asked = time.monotonic()
        with self.general.slot():
            started = time.monotonic()
            timing.wait += started - asked
            try:
                return call(limit)
            finally:
                timing.run += time.monotonic() - started

    def _long(
        self, call: Callable[[float | None], T], digest: str, client: str, timing: Timing
    ) -> T:
        if self.closed:
            raise Busy("the server is stopping.", 5)
        left = None if self.timeout is None else max(self.timeout - timing.run, 0.01)
        with self.long.place(client):
            timing.moved = True
            started = time.monotonic()
            try:
                return at_low_priority(lambda: call(left))
            except QueryTimeoutError as err:
                raise stopped_after(self.timeout or 0) from err
            finally:
                ran = time.monotonic() - started
                timing.run += ran
                if ran > (self.budget or 0):
                    self.long_texts.ran_long(digest)
                else:
                    self.long_texts.ran_short(digest)
