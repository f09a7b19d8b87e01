"""Any SPARQL 1.1 server as a store: the Protocol for queries; Update and Graph Store for writes.

How a ``sparql+http`` spec maps to URLs (drop ``sparql+`` to get the server's URL):

- no path (``sparql+http://127.0.0.1:7878``, ``oxigraph serve``'s layout):
  queries go to ``/query``, updates to ``/update``, Graph Store Protocol
  requests to ``/store``;
- a path ending in ``/query`` or ``/sparql``: that URL takes queries, the
  sibling ``update`` takes updates, the sibling ``store`` takes Graph Store
  requests (Oxigraph's layout under a prefix; for Fuseki's ``/ds/query``
  give ``?store=data``);
- any other path: that one URL takes queries and updates, and Graph Store
  requests are not used;
- the options ``?update=URL`` and ``?store=URL`` (relative to the query
  URL; ``store=none`` writes through SPARQL Update only) override this.
  Other query parameters stay on the query URL; ``user:password@`` is sent
  as HTTP Basic authentication.

What goes to which URL: queries are SPARQL 1.1 Protocol requests (a form
``POST``) to the query URL; :meth:`Store.replace_graph` and
:meth:`Store.remove_graph` are SPARQL 1.1 Update requests to the update
URL (one request each, so one transaction on servers that have them);
:meth:`Store.add_dataset` and :meth:`Store.load_file` ``POST`` N-Quads to
the store URL itself (Graph Store Protocol; Oxigraph and Fuseki read quads
there as a whole dataset), or are ``INSERT DATA`` updates without one;
:meth:`Store.export` reads the dataset with a ``GET`` of the store URL
(N-Quads), or with a SELECT over every graph.

>>> parse_endpoint("sparql+http://127.0.0.1:7878")["query"]
'http://127.0.0.1:7878/query'
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from types import EllipsisType
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from kg.errors import GraphFileError, QueryError, QueryTimeoutError, StoreError
from kg.query.check import ParsedQuery
from kg.query.result import QueryResult
from kg.rdf.dataset import add_quads, new_dataset
from kg.rdf.load import syntax_message
from kg.rdf.prefixes import PREFIXES
from kg.rdf.serialize import dataset_quads as _rdflib_quads
from kg.stores.base import Destination, GraphName, Store, Triple, parsed_query
from kg.stores.layout import (
    COUNT_QUADS,
    NAMED_GRAPHS,
    OWN_GRAPH,
    graph_file,
    insert_quads_update,
    insert_update,
    laid_out,
    logical,
    ox_quads,
    replace_update,
    retract_update,
)
from kg.stores.oxigraph import OxigraphStore
from kg.stores.translate import bound_text, result_from_oxigraph

__all__ = ["SparqlStore", "parse_endpoint"]


# INSERT DATA requests stay below this many triples each.
_UPDATE_CHUNK = 20_000

# Quads per Graph Store POST.
_POST_CHUNK = 200_000


class SparqlStore(Store):
    """Any SPARQL 1.1 server: the Protocol for queries, Update and Graph Store writes.

    ``spec`` is ``sparql+http(s)://...``; see the module docstring for
    which URL is used for what and how the data is laid out. Opening it
    asks the server ``ASK {}`` so that an unreachable server is reported at once.
    """

    kind = "sparql"

    def __init__(self, spec: str, *, probe: bool = True) -> None:
        endpoints = parse_endpoint(spec)
        self.query_url: str = endpoints["query"]
        self.update_url: str = endpoints["update"]
        self.store_url: str | None = endpoints["store"] or None
        self._auth = endpoints["auth"]
        super().__init__(endpoints["name"])
        if probe:
            self._select("ASK {}", accept="application/sparql-results+json", timeout=10)

    def query(
        self,
        query: str | ParsedQuery,
        *,
        timeout: float | None = None,
        max_memory: int | EllipsisType | None = ...,
    ) -> QueryResult:
        """Send a query through the SPARQL 1.1 Protocol (see :meth:`Store.query`).

        ``max_memory`` plays no part: the server bounds its own queries.
        """
        parsed = parsed_query(query)
        accept = (
            "application/sparql-results+json"
            if parsed.kind in ("SELECT", "ASK")
            else "application/n-triples"
        )
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        body = self._select(prologue + bound_text(parsed), accept=accept, timeout=timeout)
        try:
            if parsed.kind in ("SELECT", "ASK"):
                results: Any = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            else:
                results = (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            return result_from_oxigraph(parsed, results, self.prefixes)
        except SyntaxError as err:
            raise StoreError(f"{self.name}: the server's answer cannot be read ({err}).") from err

    def replace_graph(self, graph: GraphName, triples: Iterable[Triple] | Graph) -> None:
        """SPARQL Update: retract the graph, then ``INSERT DATA`` (in chunks when big)."""
        rows = list(triples)
        self._update(replace_update(graph, rows[:_UPDATE_CHUNK]))
        for start in range(_UPDATE_CHUNK, len(rows), _UPDATE_CHUNK):
            self._update(insert_update(graph, rows[start : start + _UPDATE_CHUNK]))

    def remove_graph(self, graph: GraphName) -> None:
        """SPARQL Update: drop the graph and what only it held from the default graph."""
        self._update(retract_update(graph))

    def add_dataset(self, dataset: Dataset | Graph) -> None:
        """A Graph Store ``POST`` of N-Quads to the store URL, else ``INSERT DATA`` in chunks."""
        self._send_quads(laid_out(ox_quads(_rdflib_quads(dataset))))
        self._learn_prefixes(dataset.namespaces())

    def load_file(self, path: str | Path, *, format: str | None = None) -> None:
        """Parse the file here, then send it as :meth:`add_dataset` does."""
        path, rdf_format = graph_file(path, format)
        try:
            parser = ox.parse(path=path, format=rdf_format)
            self._send_quads(laid_out(parser))
        except SyntaxError as err:
            raise GraphFileError(
                f"{path}: {syntax_message(err)}. Fix the file; the server may hold part of it."
            ) from err
        self._learn_prefixes(parser.prefixes.items())

    def graph_names(self) -> list[URIRef]:
        """``SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }``, less kg's own graph."""
        result = self._internal_select(NAMED_GRAPHS)
        return sorted(
            URIRef(s[0].value)
            for s in result
            if isinstance(s[0], ox.NamedNode) and s[0] != OWN_GRAPH
        )

    def to_dataset(self) -> Dataset:
        """A copy of the server's dataset in an rdflib Dataset."""
        dataset = new_dataset()
        add_quads(dataset, logical(self._quads()))
        return dataset

    def __len__(self) -> int:
        for solution in self._internal_select(COUNT_QUADS):
            return int(solution[0].value)
        return 0

    def __repr__(self) -> str:  # no request to the server
        return f"<SparqlStore {self.name}>"

    def _export(self, destination: Destination, format: str) -> str | None:
        copy = OxigraphStore(None)
        copy._learn_prefixes(self.prefixes.items())
        try:
            copy._add(list(laid_out(logical(self._quads()))))
            return copy._export(destination, format)
        finally:
            copy.close()

    # -- HTTP ----------------------------------------------------

    def _send_quads(self, quads: Iterable[ox.Quad]) -> None:
        batch: list[ox.Quad] = []
        for quad in quads:
            batch.append(quad)
            if len(batch) >= _POST_CHUNK:
                self._send_batch(batch)
                batch = []
        if batch:
            self._send_batch(batch)

    def _send_batch(self, quads: list[ox.Quad]) -> None:
        if self.store_url is None:
            for start in range(0, len(quads), _UPDATE_CHUNK):
                self._update(insert_quads_update(quads[start : start + _UPDATE_CHUNK]))
            return
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        assert data is not None
        headers = {"Content-Type": "application/n-quads"}
        try:
            self._request("POST", self.store_url, data, headers, timeout=None)
        except (_NotFound, _BadRequest) as err:
            raise StoreError(
                f"{self.name}: the server refused the data at {_public(self.store_url)} "
                f"({err}). Give ?store=none in the store spec to write through SPARQL Update."
            ) from err

    def _quads(self) -> list[ox.Quad]:
        """Every quad the server holds (the default graph's copies included)."""
        if self.store_url is not None:
            body = self._request(
                "GET", self.store_url, None, {"Accept": "application/n-quads"}, timeout=None
            )
            try:
                return list(ox.parse(body, format=ox.RdfFormat.N_QUADS))
            except SyntaxError as err:
                raise StoreError(
                    f"{self.name}: the server's dataset cannot be read ({err})."
                ) from err
        result = self._internal_select(
            "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        )
        return [
            ox.Quad(s[0], s[1], s[2], s[3] if s[3] is not None else ox.DefaultGraph())
            for s in result
        ]

    def _internal_select(self, text: str) -> ox.QuerySolutions:
        # kg's own queries over the stored layout, not checked.
        body = self._select(text, accept="application/sparql-results+json")
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(results, ox.QuerySolutions)
        return results

    def _select(self, text: str, *, accept: str, timeout: float | None = None) -> bytes:
        form = urllib.parse.urlencode({"query": text}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        try:
            return self._request("POST", self.query_url, form, headers, timeout=timeout)
        except _NotFound as err:
            raise StoreError(
                f"{self.name}: no SPARQL endpoint at {_public(self.query_url)} (HTTP 404). Check "
                "the URL (oxigraph serve answers at http://HOST:PORT/query)."
            ) from err
        except _BadRequest as err:
            raise QueryError(f"the server refused the query: {err}") from err

    def _update(self, update: str) -> None:
        headers = {"Content-Type": "application/sparql-update"}
        try:
            self._request("POST", self.update_url, update.encode("utf-8"), headers, timeout=None)
        except (_NotFound, _BadRequest) as err:
            raise StoreError(
                f"{self.name}: the server refused an update at {_public(self.update_url)} "
                f"({err}). Is it read-only? Give ?update=URL in the store spec."
            ) from err

    def _request(
        self,
        method: str,
        url: str,
        data: bytes | IO[bytes] | None,
        headers: dict[str, str],
        *,
        timeout: float | None,
    ) -> bytes:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        if self._auth:
            request.add_header("Authorization", "Basic " + self._auth)
        # The socket timeout bounds each wait; the deadline bounds the whole answer, which
        # a server streams for as long as the query runs.
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if deadline is None:
                    return bytes(response.read())
                chunks: list[bytes] = []
                while chunk := response.read1(1 << 16):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise _timeout_error(self.name, timeout)
                return b"".join(chunks)
        except urllib.error.HTTPError as err:
            message = _error_text(err)
            if err.code == 404:
                raise _NotFound(message) from err
            if err.code in (400, 405, 415):
                raise _BadRequest(message) from err
            if err.code in (401, 403):
                raise StoreError(
                    f"{self.name}: the server refused access (HTTP {err.code}). Put "
                    "user:password@ in the store URL."
                ) from err
            raise StoreError(
                f"{self.name}: the server failed (HTTP {err.code}: {message})."
            ) from err
        except TimeoutError as err:
            raise _timeout_error(self.name, timeout) from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise _timeout_error(self.name, timeout) from err
            raise StoreError(
                f"{self.name}: cannot reach the SPARQL server ({_reason(err)}). Is it running? "
                "(e.g. oxigraph serve --location DIR --bind HOST:PORT)"
            ) from err
        except OSError as err:
            raise StoreError(f"{self.name}: cannot reach the SPARQL server ({err}).") from err


def _timeout_error(name: str, timeout: float | None) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"{name}: no answer within {timeout or 0:g} s. Make the query more selective "
        "or allow more time."
    )


class _NotFound(Exception):
    pass


class _BadRequest(Exception):
    pass


def parse_endpoint(spec: str) -> dict[str, str]:
    """Split a ``sparql+http(s)`` spec into the URLs kg uses (see the module docstring).

    Returns a dict with ``query``, ``update``, ``store`` ("" when none),
    ``auth`` (Basic credentials or "") and ``name`` (the spec without a password).

    >>> e = parse_endpoint("sparql+http://127.0.0.1:7878")
    >>> e["query"], e["update"], e["store"]
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    >>> e = parse_endpoint("sparql+https://db.example.org/ds/query?store=data")
    >>> e["update"], e["store"]
    ('https://db.example.org/ds/update', 'https://db.example.org/ds/data')
    >>> parse_endpoint("sparql+http://example.org/sparql?store=none")["store"]
    ''
    """
    url = spec[len("sparql+") :] if spec.startswith("sparql+") else spec
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"{spec}: not a SPARQL server URL; give sparql+http://HOST:PORT/PATH.")
    try:
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError as err:
        raise StoreError(f"{spec}: {err}; give sparql+http://HOST:PORT/PATH.") from err
    auth = ""
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        auth = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    options: dict[str, str] = {}
    kept: list[tuple[str, str]] = []
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if key in ("update", "store"):
            options[key] = value
        else:
            kept.append((key, value))
    path = parts.path
    base = urllib.parse.urlunsplit((parts.scheme, netloc, path or "/", "", ""))
    if path in ("", "/"):
        query, update, store = (urllib.parse.urljoin(base, n) for n in ("query", "update", "store"))
    elif path.rstrip("/").endswith(("/query", "/sparql")):
        query = base
        update = urllib.parse.urljoin(base, "update")
        store = urllib.parse.urljoin(base, "store")
    else:
        query = update = base
        store = ""
    if "update" in options:
        update = urllib.parse.urljoin(base, options["update"])
    if "store" in options:
        given = options["store"]
        store = "" if given in ("", "none") else urllib.parse.urljoin(base, given)
    if kept:
        query += "?" + urllib.parse.urlencode(kept)
    name = "sparql+" + urllib.parse.urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    return {"query": query, "update": update, "store": store, "auth": auth, "name": name}


def _public(url: str) -> str:
    return url.split("?", 1)[0]


def _error_text(err: urllib.error.HTTPError) -> str:
    try:
        text = err.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    first = text.splitlines()[0] if text else (err.reason or "")
    return f"HTTP {err.code}: {first}" if first else f"HTTP {err.code}"


def _reason(err: urllib.error.URLError) -> str:
    reason = err.reason
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)
