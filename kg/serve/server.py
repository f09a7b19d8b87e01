"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, and a query page, over any store.

:func:`make_server` returns a :class:`SparqlServer` (the standard library's
``ThreadingHTTPServer``, one thread per request) that answers:

==========================  ==============================================================
``GET /sparql?query=Q``     the SPARQL 1.1 Protocol query operation; also ``POST`` with a
                            form (``query=Q``) or an ``application/sparql-query`` body
``GET /``                   a query page: a text area, Run, a results table, downloads
``GET /static/NAME``        the page's script and style sheet, shipped in the package
==========================  ==============================================================

Results by content negotiation (``Accept``, or ``?format=json|csv|tsv|xml|turtle|nt``):
SELECT and ASK as ``application/sparql-results+json`` (the default),
``text/csv``, ``text/tab-separated-values`` or ``application/sparql-results+xml``;
CONSTRUCT and DESCRIBE as ``text/turtle`` (the default) or ``application/n-triples``.

Read-only and local by design: every query goes through
:func:`kg.query.check_query` (no Update, no ``SERVICE``, no ``FROM``), an
update request or a ``default-graph-uri`` is refused with 400 and a one-line
reason, a query is stopped after the time limit (503), bodies are capped at
1 MB, and on a loopback address only requests whose ``Host`` is a loopback
name are answered (a web page cannot reach the server through DNS
rebinding). The page loads nothing from elsewhere, and says so in its
``Content-Security-Policy``. Pages of other sites are refused (403) unless
allowed by name, and control characters are escaped in the log
(:mod:`kg.serve.guards`). At most ``max_workers`` queries run at once, and
runaway ones cannot starve the others: a query still running after a second
is moved to a small pool for long queries; beyond a short queue, or when that
pool is full, the answer is 503 with ``Retry-After`` (:mod:`kg.serve.admission`).

>>> from kg.stores import open_store
>>> import threading, urllib.request
>>> server = make_server(open_store("memory"), "127.0.0.1", 0)
>>> thread = threading.Thread(target=server.serve_forever, daemon=True)
>>> thread.start()
>>> with urllib.request.urlopen(server.url + "sparql?query=ASK%7B%7D") as response:
...     response.read()
b'{"head":{},"boolean":true}\\n'
>>> server.shutdown(); server.server_close()
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kg import __version__
from kg.errors import (
    KGError,
    QueryError,
    QueryTimeoutError,
    ServerError,
    UnsafeQueryError,
    printable,
)
from kg.query.check import ParsedQuery
from kg.query.limits import default_max_workers, set_max_workers
from kg.query.result import QueryResult
from kg.query.run import DEFAULT_TIMEOUT
from kg.serve.admission import SHORT_BUDGET, Admission, OneCheck, Timing
from kg.serve.guards import Busy, CrossSite, OriginPolicy
from kg.serve.pages import ASSETS, PAGE_CSP, asset, page
from kg.serve.results import MEDIA_TYPE, Refused, negotiate, render
from kg.stores import Store

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "SparqlServer", "make_server"]

#: Where ``kg serve`` listens unless told otherwise (Oxigraph's port).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

#: The largest request body accepted (a query, in a form or as is).
MAX_BODY = 1_000_000


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server of ``kg serve``; see :func:`make_server`."""

    daemon_threads = True  # a query still running does not keep the process alive
    allow_reuse_address = True
    request_queue_size = 128  # a burst of clients waits to be accepted instead of being reset

    def __init__(
        self,
        address: tuple[str, int],
        store: Store,
        *,
        timeout: float | None,
        log: Callable[[str], None] | None,
        origins: OriginPolicy,
        admission: Admission,
    ) -> None:
        self.store = store
        self.query_timeout = timeout
        self.log = log
        self.origins = origins
        self.admission = admission
        self.check = OneCheck()
        self.stopping = False
        host = address[0]
        self.loopback_only = _is_loopback(host)
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__(address, _Handler)

    def server_close(self) -> None:
        """Stop listening; queries still running get no answer (their processes are killed)."""
        self.stopping = True
        self.admission.close()
        super().server_close()

    @property
    def url(self) -> str:
        """The page's URL, e.g. ``http://127.0.0.1:7878/`` (the endpoint is ``url + "sparql"``)."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


def make_server(
    store: Store,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    log: Callable[[str], None] | None = None,
    allow_origins: Sequence[str] = (),
    max_workers: int | None = None,
    short_budget: float = SHORT_BUDGET,
) -> SparqlServer:
    """Bind a read-only SPARQL endpoint over ``store``; call ``serve_forever()`` to run it.

    Parameters:
        store: what to serve (see :func:`kg.stores.open_store`); it is only read.
        host, port: the address to listen on; port 0 picks a free port
            (read it back from ``server.url``).
        timeout: seconds a query may run before it is stopped (503); None
            for no limit.
        log: called with one line per request (the library never prints);
            control characters in it are escaped (``\\x1b``).
        allow_origins: origins (``scheme://host[:port]``) whose pages may query
            the server besides its own page; others get 403.
        max_workers: queries run at once (default: twice the CPUs,
            :func:`kg.query.limits.default_max_workers`), a quarter of them
            (at least one) past ``short_budget``; twice as many more wait up
            to 5 s, the rest get 503 with ``Retry-After``
            (:class:`kg.serve.admission.Admission`). The places are also this
            process's cap of query processes (:func:`kg.query.limits.set_max_workers`).
        short_budget: seconds a query runs among the ordinary ones before
            it is moved to the places for long queries.

    Raises:
        ServerError: the address is in use or cannot be bound; an option is wrong.

    >>> from kg.stores import open_store
    >>> server = make_server(open_store("memory"), "127.0.0.1", 0)
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """
    if timeout is not None and not timeout > 0:
        raise ServerError(f"the query timeout must be positive, not {timeout!r}.")
    origins = OriginPolicy.allowing(allow_origins)
    workers = default_max_workers() if max_workers is None else max_workers
    admission = Admission(workers, timeout=timeout, budget=short_budget)
    set_max_workers(admission.total)  # the server's queues are then the only ones
    try:
        return SparqlServer(
            (host, port), store, timeout=timeout, log=log, origins=origins, admission=admission
        )
    except OSError as err:
        if err.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ServerError(
                f"{host}:{port} is already in use: stop the other server or give --port N "
                "(0 picks a free one)."
            ) from err
        raise ServerError(
            f"cannot listen on {host}:{port} ({err.strerror or err}). Check --host."
        ) from err


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = f"kg/{__version__}"
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return self.server_version

    # -- routing -------------------------------------------------

    def do_GET(self) -> None:
        self._handle(self._get)

    def do_HEAD(self) -> None:
        self._handle(self._get, head=True)

    def do_POST(self) -> None:
        self._handle(self._post)

    def do_OPTIONS(self) -> None:
        self._handle(self._preflight)

    def _read_only(self) -> None:
        self._handle(self._refuse_write)

    do_PUT = do_DELETE = do_PATCH = _read_only

    def _handle(self, route: Callable[[str, str], None], *, head: bool = False) -> None:
        self._head = head
        self._started = time.perf_counter()
        self._cors: str | None = None
        self._timing: str | None = None
        try:
            self._check_host()
            parts = urllib.parse.urlsplit(self.path)
            self._check_origin(parts.path)
            route(parts.path, parts.query)
        except Refused as refusal:
            self._send_text(refusal.status, str(refusal), headers=refusal.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _check_origin(self, path: str) -> None:
        """Refuse other sites' pages (a form POST from anywhere could start a query)."""
        navigation = (
            self.command in ("GET", "HEAD")
            and path in ("/", "/index.html")
            and (self.headers.get("Sec-Fetch-Mode") or "").strip().lower() == "navigate"
        )
        try:
            self._cors = self.server.origins.check(
                origin=self.headers.get("Origin"),
                site=self.headers.get("Sec-Fetch-Site"),
                host=self.headers.get("Host"),
                navigation=navigation,
            )
        except CrossSite as err:
            raise Refused(HTTPStatus.FORBIDDEN, str(err)) from err

    def _preflight(self, path: str, query: str) -> None:
        """Answer a CORS preflight of an allowed origin (another one got 403 already)."""
        if self._cors is None or path != "/sparql":
            raise Refused(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "OPTIONS is only answered to pages of origins given with --allow-origin "
                "(for /sparql).",
            )
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", self._cors)
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Vary", "Origin")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _check_host(self) -> None:
        if not self.server.loopback_only:
            return
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]")
        if name not in _LOOPBACK_NAMES and not _is_loopback(name):
            raise Refused(
                HTTPStatus.FORBIDDEN,
                f"Host {host or '(none)'} is not answered: this server only serves "
                "http://127.0.0.1 and http://localhost.",
            )

    def _get(self, path: str, query: str) -> None:
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", page(self.server.store))
            return
        if path.startswith("/static/") and path[len("/static/") :] in ASSETS:
            name = path[len("/static/") :]
            self._send(HTTPStatus.OK, f"{ASSETS[name]}; charset=utf-8", asset(name))
            return
        if path == "/sparql":
            self._query(urllib.parse.parse_qs(query, keep_blank_values=True))
            return
        raise Refused(HTTPStatus.NOT_FOUND, f"{path}: nothing here; the endpoint is /sparql.")

    def _post(self, path: str, query: str) -> None:
        if path != "/sparql":
            raise Refused(HTTPStatus.NOT_FOUND, f"{path}: nothing here; the endpoint is /sparql.")
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self._body()
        if media_type == "application/x-www-form-urlencoded":
            try:
                form = urllib.parse.parse_qs(
                    body.decode("utf-8"), keep_blank_values=True, strict_parsing=False
                )
            except UnicodeDecodeError as err:
                raise Refused(HTTPStatus.BAD_REQUEST, "the form is not UTF-8.") from err
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        elif media_type == "application/sparql-query":
            try:
                params.setdefault("query", []).append(body.decode("utf-8"))
            except UnicodeDecodeError as err:
                raise Refused(HTTPStatus.BAD_REQUEST, "the query is not UTF-8.") from err
        elif media_type == "application/sparql-update":
            raise Refused(
                HTTPStatus.BAD_REQUEST,
                "SPARQL Update is refused: this endpoint is read-only.",
            )
        else:
            raise Refused(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "send the query as application/x-www-form-urlencoded (query=...) "
                "or application/sparql-query.",
            )
        self._query(params)

    def _refuse_write(self, path: str, query: str) -> None:
        raise Refused(
            HTTPStatus.METHOD_NOT_ALLOWED,
            f"{self.command} is refused: this endpoint is read-only (GET or POST /sparql).",
        )

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length header.")
        try:
            size = int(length)
        except ValueError as err:
            raise Refused(HTTPStatus.BAD_REQUEST, "the Content-Length is not a number.") from err
        if size < 0 or size > MAX_BODY:
            self.close_connection = True
            left = size if 0 < size <= 16 * MAX_BODY else 0
            while left > 0:  # read it, so that the client sees the answer, not a reset
                chunk = self.rfile.read(min(65536, left))
                if not chunk:
                    break
                left -= len(chunk)
            raise Refused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request body is over {MAX_BODY:,} bytes; send a shorter query.",
            )
        return self.rfile.read(size)

    # -- the query operation -------------------------------------

    def _query(self, params: Mapping[str, list[str]]) -> None:
        if "update" in params:
            raise Refused(
                HTTPStatus.BAD_REQUEST, "SPARQL Update is refused: this endpoint is read-only."
            )
        for name in ("default-graph-uri", "named-graph-uri"):
            if name in params:
                raise Refused(
                    HTTPStatus.BAD_REQUEST,
                    f"{name} is refused: the dataset is every graph of the store (the default "
                    "graph is their union); use GRAPH <...> { } in the query.",
                )
        texts = params.get("query", [])
        if len(texts) != 1 or not texts[0].strip():
            raise Refused(
                HTTPStatus.BAD_REQUEST,
                "give one query: /sparql?query=SELECT... (or POST it); the query page is at /.",
            )
        try:
            parsed = self.server.check(texts[0])
        except UnsafeQueryError as err:
            raise Refused(HTTPStatus.BAD_REQUEST, str(err)) from err
        except QueryError as err:
            raise Refused(HTTPStatus.BAD_REQUEST, str(err)) from err
        fmt = negotiate(parsed, self.headers.get("Accept"), params.get("format", []))
        try:
            result = self._run(parsed)
            body = render(result, fmt)
        except Busy as err:
            raise Refused(
                HTTPStatus.SERVICE_UNAVAILABLE,
                str(err),
                headers={"Retry-After": str(err.retry_after)},
            ) from err
        except QueryTimeoutError as err:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, str(err)) from err
        except QueryError as err:
            raise Refused(HTTPStatus.BAD_REQUEST, str(err)) from err
        except KGError as err:
            raise Refused(HTTPStatus.INTERNAL_SERVER_ERROR, str(err)) from err
        self._send(HTTPStatus.OK, f"{MEDIA_TYPE[fmt]}; charset=utf-8", body, cache=False)

    def _run(self, parsed: ParsedQuery) -> QueryResult:
        """Run the query where it is admitted; ``Server-Timing`` says how long it waited and ran."""
        timing = Timing()
        try:
            return self.server.admission.run(
                lambda limit: self.server.store.query(parsed, timeout=limit),
                key=parsed.text,
                client=str(self.client_address[0]),
                timing=timing,
            )
        finally:
            self._timing = timing.header()

    # -- responses -----------------------------------------------

    def _send_text(
        self, status: HTTPStatus, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        line = printable(" ".join(message.split()))  # one line, whatever it quotes
        body = (line + "\n").encode("utf-8")
        self._send(status, "text/plain; charset=utf-8", body, headers=headers)

    def _send(
        self,
        status: HTTPStatus,
        content_type: str,
        body: bytes,
        *,
        cache: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if self.server.stopping:  # a query cut short by the shutdown: no answer, no log line
            self.close_connection = True
            return
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if getattr(self, "_cors", None):
            self.send_header("Access-Control-Allow-Origin", str(self._cors))
        if getattr(self, "_timing", None):
            self.send_header("Server-Timing", str(self._timing))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", PAGE_CSP)
            self.send_header("X-Frame-Options", "DENY")
        if not cache or status != HTTPStatus.OK:
            self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, HEAD, POST")
        self.send_header("Vary", "Accept, Origin")
        self.end_headers()
        if not getattr(self, "_head", False):
            self.wfile.write(body)

    # -- the log: whatever a client sent is escaped before it reaches a terminal --

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.log is None:
            return
        elapsed = (time.perf_counter() - getattr(self, "_started", time.perf_counter())) * 1000
        line = printable(self.requestline)
        line = line if len(line) <= 160 else line[:159] + "…"
        code_value = code.value if isinstance(code, HTTPStatus) else code
        self._log(f'"{line}" {code_value} {elapsed:.0f} ms')

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self._log(format % args)

    def _log(self, message: str) -> None:
        assert self.server.log is not None
        self.server.log(printable(f"{self.client_address[0]} {message}"))
