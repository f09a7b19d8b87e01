"""A child process that runs SPARQL queries on an Oxigraph folder, so that they can be killed.

pyoxigraph evaluates a query in Rust without looking at Python signals or
thread exceptions, so a query in a thread cannot be stopped.
:class:`kg.stores.OxigraphStore` runs queries that have a time limit in
this process instead (``python -m kg.stores.worker FOLDER``) and kills
it when time is up. It imports nothing but pyoxigraph (and kg's small
:mod:`kg.query.limits`), so it starts in a tenth of a second, and it
serves one query after another until its standard input closes.

With ``--max-memory BYTES`` it limits its address space (``RLIMIT_AS``) to
what the open store maps plus BYTES: a query that needs more gets the
answer ``memory`` (or, when Oxigraph's allocator gives up, the process
aborts and the parent reports the same).

The protocol, on standard input and output:

- once the store is open: a line ``ready`` (or an error answer, and the end);
- request: one line of JSON, ``{"query": TEXT, "prefixes": {...},
  "named_graphs": [IRI, ...] or null}``;
- answer: a line ``STATUS KIND LENGTH`` then LENGTH bytes. STATUS is
  ``ok`` (KIND ``rows``: SPARQL JSON results of a SELECT or ASK; KIND
  ``graph``: N-Triples of a CONSTRUCT or DESCRIBE) or an error
  (``syntax``, ``store``, ``memory``), whose bytes are the message in UTF-8.

The store is opened read-only: it sees the folder as it was when the
process started (the parent starts a new one after it writes). Before it
opens the folder, the process takes a shared ``flock`` on it, as every kg
reader does (see ``kg.stores.folder.lock_folder``): RocksDB's read-only open of a
folder that another process writes may find table files deleted under it.
A parent that writes the store gives a snapshot of it instead of its folder.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from typing import IO, Any

from kg.query.limits import limit_memory


def _watch_parent(parent: int) -> None:
    """Exit at once when the parent process is gone (killed, crashed), even mid-query."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def _answer(out: IO[bytes], status: str, kind: str, body: bytes) -> None:
    out.write(f"{status} {kind} {len(body)}\n".encode("ascii"))
    out.write(body)
    out.flush()


def _run(store: Any, request: dict[str, Any]) -> tuple[str, bytes]:
    import pyoxigraph as ox

    options: dict[str, Any] = {"prefixes": request.get("prefixes") or {}}
    graphs = request.get("named_graphs")
    if graphs is not None:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in graphs]
    results = store.query(request["query"], **options)
    if isinstance(results, ox.QueryTriples):
        return "graph", results.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
    return "rows", results.serialize(format=ox.QueryResultsFormat.JSON) or b""


def _share_lock(folder: str) -> str | None:
    """Take a shared lock on ``folder`` for the life of this process; why not, or None."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        return None
    try:
        fd = os.open(folder, os.O_RDONLY)  # kept open: the lock lasts until the process ends
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return f"{folder}: the store is locked: another process is writing it."
    except OSError:  # missing (ox says so next), or a file system without locks
        return None
    return None


def _limit_memory(args: list[str]) -> None:
    """Apply ``--max-memory BYTES`` from the arguments, counted from what is mapped now."""
    if "--max-memory" in args:
        limit_memory(int(args[args.index("--max-memory") + 1]))


def main(argv: list[str] | None = None) -> int:
    """Serve queries on the folder ``argv[0]`` until standard input closes."""
    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    import pyoxigraph as ox

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    refused = _share_lock(args[0])
    if refused is not None:
        _answer(stdout, "store", "-", refused.encode("utf-8", "replace"))
        return 1
    try:
        store = ox.Store.read_only(args[0])
    except Exception as err:  # OSError: not a store, unreadable
        _answer(stdout, "store", "-", f"{err}".encode("utf-8", "replace"))
        return 1
    _limit_memory(args)
    stdout.write(b"ready\n")
    stdout.flush()
    for line in stdin:
        try:
            kind, body = _run(store, json.loads(line))
        except SyntaxError as err:
            _answer(stdout, "syntax", "-", str(err).encode("utf-8", "replace"))
        except MemoryError:
            _answer(stdout, "memory", "-", b"")
        except Exception as err:  # OSError from the store, anything else: a one-line message
            _answer(stdout, "store", "-", f"{err}".encode("utf-8", "replace"))
        else:
            _answer(stdout, "ok", kind, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
