"""What ``kg serve`` refuses before a query runs.

Two guards of :mod:`kg.serve`, kept apart from its HTTP plumbing:

- :class:`OriginPolicy`: a page of another site must not run queries in the
  user's browser (one no-cors form POST is enough to start a catastrophic
  query). A request whose ``Origin`` is not the server's own, or that the
  browser marks ``Sec-Fetch-Site: cross-site`` or ``same-site``, is refused
  unless its origin was allowed (``kg serve --allow-origin``). A client that
  sends neither header (curl, SPARQLWrapper) is not a browser page and is
  answered.
- :class:`QuerySlots`: at most N queries run at once, a few more wait a
  moment for a slot; the rest are told to come back (503, ``Retry-After``).
  :mod:`kg.serve.admission` keeps such a pool for ordinary queries and sets
  runaway ones apart.

What strangers send reaches the log through :func:`kg.errors.printable` (control
characters as escapes), as the CLI's messages do.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kg.errors import QueryBusyError, ServerError, printable
from kg.query.limits import WorkerSlots

__all__ = [
    "Busy",
    "CrossSite",
    "OriginPolicy",
    "QuerySlots",
    "normalize_origin",
    "retry_after",
]

_ORIGIN = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>\[[0-9a-f:.]+\]|[^\s/:?#@\[\]]+)(?::(?P<port>\d{1,5}))?/?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case without the scheme's default port; None if not one.

    >>> normalize_origin("HTTP://LocalHost:80/")
    'http://localhost'
    >>> normalize_origin("https://example.org:8443")
    'https://example.org:8443'
    >>> normalize_origin("null") is None
    True
    """
    match = _ORIGIN.fullmatch(origin.strip().lower())
    if match is None:
        return None
    scheme, host, port = match.group("scheme", "host", "port")
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}:{int(port)}"
    return f"{scheme}://{host}"


class CrossSite(Exception):
    """A request from another site's page; the message says how to allow it."""


@dataclass(frozen=True)
class OriginPolicy:
    """Which browser origins may use the server besides its own.

    >>> policy = OriginPolicy.allowing(["https://app.example.org"])
    >>> policy.check(origin="https://app.example.org", site="cross-site", host="127.0.0.1:7878")
    'https://app.example.org'
    >>> policy.check(origin=None, site=None, host="127.0.0.1:7878") is None
    True
    >>> policy.check(origin="http://evil.example", site="cross-site", host="127.0.0.1:7878")
    Traceback (most recent call last):
    ...
    kg.serve.guards.CrossSite: a page of http://evil.example may not query this server ...
    """

    allowed: frozenset[str] = frozenset()

    @classmethod
    def allowing(cls, origins: Iterable[str]) -> OriginPolicy:
        """A policy that also answers pages of ``origins`` (``--allow-origin`` values).

        Raises:
            ServerError: a value is not ``scheme://host[:port]`` (``null`` included:
                it stands for any sandboxed page or local file).
        """
        allowed = set()
        for origin in origins:
            normal = normalize_origin(origin)
            if normal is None:
                raise ServerError(
                    f"--allow-origin {printable(origin)!r} is not an origin: give "
                    "scheme://host[:port], e.g. --allow-origin http://localhost:3000."
                )
            allowed.add(normal)
        return cls(frozenset(allowed))

    def check(
        self, *, origin: str | None, site: str | None, host: str | None, navigation: bool = False
    ) -> str | None:
        """Refuse another site's page; return the origin to name in CORS headers, if allowed.

        Parameters:
            origin, site, host: the ``Origin``, ``Sec-Fetch-Site`` and ``Host``
                headers (None when absent).
            navigation: the user opening the query page itself (a link from
                elsewhere to it is no danger: the page runs nothing by itself).

        Returns:
            the request's origin when it is one of the allowed other origins
            (the answer then carries ``Access-Control-Allow-Origin``), else None.

        Raises:
            CrossSite: the request comes from a page of another origin.
        """
        if origin is not None:
            normal = normalize_origin(origin)
            if normal is not None and host and normal == normalize_origin("http://" + host):
                return None  # the server's own page
            if normal is not None and normal in self.allowed:
                return normal
            shown = printable(origin.strip())[:100] or "(empty)"
            raise CrossSite(
                f"a page of {shown} may not query this server (only its own page may); "
                f"to allow it, start kg serve with --allow-origin {shown}."
            )
        fetch_site = (site or "").strip().lower()
        if fetch_site in ("cross-site", "same-site") and not navigation:
            raise CrossSite(
                f"a {fetch_site} request is refused: only this server's own page may query it "
                "(other pages need kg serve --allow-origin ORIGIN)."
            )
        return None


class Busy(Exception):
    """Every query place is taken and the queue is full (or the wait was too long)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuerySlots:
    """A server's places for queries (:class:`kg.query.limits.WorkerSlots`), and when to retry.

    At most ``workers`` queries run at once, ``queue`` more wait up to
    ``wait`` s; beyond that :class:`Busy` says how many seconds to wait: until
    the oldest running query is stopped by ``timeout`` at the latest. The
    message names ``workers_option`` (the ``--max-workers`` value the places
    come from; default ``workers``).

    >>> slots = QuerySlots(1, queue=0, wait=0.1, timeout=30)
    >>> with slots.slot():
    ...     with slots.slot():
    ...         pass
    Traceback (most recent call last):
    ...
    kg.serve.guards.Busy: all 1 query workers are busy ... (kg serve --max-workers 1).
    >>> with slots.slot():  # free again
    ...     pass
    """

    def __init__(
        self,
        workers: int,
        *,
        queue: int,
        wait: float,
        timeout: float | None,
        workers_option: int | None = None,
    ) -> None:
        if workers < 1:
            raise ServerError(f"--max-workers must be at least 1, not {workers}.")
        self.places = WorkerSlots(workers, queue=queue)
        self.workers_option = workers if workers_option is None else workers_option
        self.wait = wait
        self.timeout = timeout
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}  # running query -> when it started
        self._tickets = itertools.count()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a place while the block runs; raise :class:`Busy` if none comes in time.

        A :class:`kg.errors.QueryBusyError` from inside the block (the
        process's own cap of query processes) is told the same way.
        """
        try:
            with self.places.slot(wait=self.wait):
                ticket = next(self._tickets)
                with self._lock:
                    self._started[ticket] = time.monotonic()
                try:
                    yield
                finally:
                    with self._lock:
                        del self._started[ticket]
        except QueryBusyError as err:
            raise self._busy(err) from err

    def _busy(self, err: QueryBusyError) -> Busy:
        retry = self._retry_after()
        told = str(err).removesuffix(".").removesuffix("; try again in a moment")
        return Busy(
            f"{told}; try again in {retry} s (kg serve --max-workers {self.workers_option}).",
            retry,
        )

    def _retry_after(self) -> int:
        with self._lock:
            return retry_after(self._started.values(), self.timeout)


def retry_after(started: Iterable[float], timeout: float | None) -> int:
    """Seconds until the oldest of the queries ``started`` (monotonic times) ends at the latest.

    1 to 60; 5 when there is no time limit or nothing runs.

    >>> retry_after([time.monotonic() - 10], 30)
    20
    """
    oldest = min(started, default=None)
    if timeout is None or oldest is None:
        return 5
    return max(1, min(60, math.ceil(oldest + timeout - time.monotonic())))
