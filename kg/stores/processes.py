"""Timed queries on an Oxigraph folder, in child processes that can be killed.

Oxigraph cannot be interrupted: a query with a time or memory limit runs in
a :mod:`kg.stores.worker` process, which is killed when time is up or on
Ctrl-C, stops itself past its memory ceiling, and is kept for the next
query until the store is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.errors import QueryError, StoreError
from kg.query.limits import DEFAULT_MAX_MEMORY, memory_error, query_slot, stopped_after
from kg.stores.folder import SNAPSHOTS

__all__ = ["QueryProcesses"]


#: Idle query processes an Oxigraph store keeps for its next timed queries.
_IDLE_PROCESSES = 4

#: Seconds a new query process may take to open the store (not counted in a query's time).
_START_LIMIT = 60.0


class _QueryProcess:
    """One ``kg.stores.worker`` child with the store folder open read-only."""

    def __init__(self, folder: Path, generation: int, max_memory: int | None) -> None:
        package_parent = str(Path(__file__).resolve().parents[2])  # the folder that holds kg/
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, env.get("PYTHONPATH", "")) if p
        )
        # glibc reserves 64 MiB of address space for each malloc arena, one per thread
        # that contends for one: under the RLIMIT_AS of --max-memory, the arenas of
        # RocksDB's and Oxigraph's threads alone could pass the ceiling now and then,
        # and the query would be reported as needing too much memory.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        self.generation = generation
        self.max_memory = max_memory
        ceiling = [] if max_memory is None else ["--max-memory", str(max_memory)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.stores.worker", str(folder), *ceiling],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=os.name == "posix",  # no Ctrl-C of its own: kg stops it
        )

    def exchange(self, request: bytes | None, timeout: float | None) -> tuple[str, str, bytes]:
        """Send a request (None: wait for ``ready``) and read the answer: (status, kind, bytes).

        The status is the process's own (``ok``, ``syntax``, ``store``, ``ready``),
        ``timeout`` when no answer came in time (the process is then killed), or
        ``gone`` when the process ended without one.
        """
        box: dict[str, Any] = {}
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        stdin, stdout = process.stdin, process.stdout

        def talk() -> None:
            try:
                if request is not None:
                    stdin.write(request)
                    stdin.flush()
                header = stdout.readline().decode("ascii", "replace").split()
                if len(header) == 1 and header[0] == "ready":
                    box["answer"] = ("ready", "-", b"")
                    return
                if len(header) != 3 or not header[2].isdigit():
                    box["answer"] = ("gone", "-", b"")
                    return
                body = stdout.read(int(header[2]))
                box["answer"] = (header[0], header[1], body)
            except (OSError, ValueError):
                box["answer"] = ("gone", "-", b"")

        talker = threading.Thread(target=talk, name="kg-query-process", daemon=True)
        talker.start()
        try:
            talker.join(timeout)
        except BaseException:  # Ctrl-C while waiting: the query is abandoned
            self.kill()
            raise
        if talker.is_alive():
            self.kill()
            talker.join(5)
            return ("timeout", "-", b"")
        answer: tuple[str, str, bytes] = box.get("answer", ("gone", "-", b""))
        return answer

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _out_of_memory(worker: _QueryProcess, max_memory: int | None) -> bool:
    """Whether a query process that died without an answer ran out of its memory.

    Rust aborts (SIGABRT) when an allocation fails under the ceiling; the
    kernel's OOM killer sends SIGKILL.
    """
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.process.wait(5)
    code = worker.process.poll()
    return max_memory is not None and code in (-signal.SIGABRT, -signal.SIGKILL)


class QueryProcesses:
    """The query processes of one Oxigraph folder: a process per query at a time, reused.

    A process sees the folder as it was when it opened it, so every write
    through the store (:meth:`changed`) retires the idle ones. Under a store
    open for writing, the processes never open the folder itself (RocksDB's
    read-only open of a folder another process writes is undefined, see
    :func:`lock_folder`): ``snapshot(target)`` copies the store into a
    new folder, one per generation of writes, which goes when no process
    reads it any more.
    """

    def __init__(
        self, folder: Path, name: str, *, snapshot: Callable[[Path], None] | None = None
    ) -> None:
        self._folder = folder
        self._name = name
        self._lock = threading.Lock()
        self._idle: list[_QueryProcess] = []
        self._busy: set[_QueryProcess] = set()  # running a query: close() kills them too
        self._generation = 0
        self._snapshot = snapshot
        self._copying = threading.Lock()  # held to make, choose or delete a snapshot
        self._copies: dict[int, Path] = {}  # generation -> the snapshot its processes read
        self._started: list[_QueryProcess] = []  # every process that may still read one

    def changed(self) -> None:
        with self._lock:
            self._generation += 1
            stale, self._idle = self._idle, []
        for process in stale:
            process.kill()
        self._prune()

    def close(self) -> None:
        """Stop every query process, the busy ones too (``kg serve`` stopping mid-query)."""
        self.changed()
        with self._lock:
            busy, self._busy = self._busy, set()
        for process in busy:
            process.kill()
        if self._snapshot is not None:
            with self._copying:
                self._copies.clear()
                shutil.rmtree(self._folder / SNAPSHOTS, ignore_errors=True)

    def _start(self, generation: int, max_memory: int | None) -> _QueryProcess:
        """A new process on the folder, or on the snapshot of ``generation``."""
        self._prune()  # the snapshots of processes killed mid-query (time or memory up)
        with self._copying:
            source = self._folder if self._snapshot is None else self._copy(generation)
            worker = _QueryProcess(source, generation, max_memory)
            if self._snapshot is not None:
                self._started.append(worker)
        return worker

    def _copy(self, generation: int) -> Path:
        """The snapshot of ``generation`` (made now if missing); ``_copying`` is held."""
        assert self._snapshot is not None
        copy = self._copies.get(generation)
        if copy is None:
            holder = self._folder / SNAPSHOTS
            holder.mkdir(exist_ok=True)
            copy = Path(tempfile.mkdtemp(prefix=f"{generation}-", dir=holder)) / "store"
            try:
                self._snapshot(copy)
            except BaseException:
                shutil.rmtree(copy.parent, ignore_errors=True)
                raise
            self._copies[generation] = copy
        return copy

    def _prune(self) -> None:
        """Delete the snapshots of past generations that no process reads any more."""
        if self._snapshot is None:
            return
        with self._copying:
            self._started = [w for w in self._started if w.process.poll() is None]
            read = {w.generation for w in self._started}
            with self._lock:
                current = self._generation
            for generation in [g for g in self._copies if g != current and g not in read]:
                shutil.rmtree(self._copies.pop(generation).parent, ignore_errors=True)

    def run(
        self, request: dict[str, Any], timeout: float | None, max_memory: int | None
    ) -> tuple[str, bytes]:
        """Run one query; return (``rows`` or ``graph``, the answer's bytes).

        The query holds one of the process-wide query places
        (:func:`kg.query.limits.query_slot`) while it runs.

        Raises:
            QueryTimeoutError: no answer within ``timeout`` s (the process is killed).
            QueryError: Oxigraph cannot parse the query, or it needed more than
                ``max_memory`` bytes (the process stops itself).
            QueryBusyError: every query place stayed busy.
            StoreError: the store cannot be read, or the process died.
        """
        started = time.monotonic()
        with query_slot(wait=timeout):
            worker = self._take(max_memory)
            left = None if timeout is None else max(timeout - (time.monotonic() - started), 0.01)
            line = (json.dumps(request, ensure_ascii=True) + "\n").encode("ascii")
            with self._lock:
                self._busy.add(worker)
            try:
                status, kind, body = worker.exchange(line, left)
            finally:
                with self._lock:
                    self._busy.discard(worker)
        if status == "timeout":
            raise stopped_after(timeout or 0)
        if status == "memory" or (status == "gone" and _out_of_memory(worker, max_memory)):
            worker.kill()
            raise memory_error(max_memory or DEFAULT_MAX_MEMORY)
        if status == "gone":
            code = worker.process.poll()
            worker.kill()
            raise StoreError(
                f"{self._name}: the query process stopped unexpectedly (exit code {code}). "
                "Run the query again; if it happens again, query without --timeout."
            )
        self._give_back(worker)
        message = " ".join(body.decode("utf-8", "replace").split())  # one line
        if status == "syntax":
            raise QueryError(f"Oxigraph cannot parse the query: {message}")
        if status != "ok":
            raise StoreError(f"{self._name}: cannot read the store ({message}).")
        return kind, body

    def _take(self, max_memory: int | None) -> _QueryProcess:
        with self._lock:
            generation = self._generation
            for i, idle in enumerate(self._idle):
                if idle.max_memory == max_memory:
                    return self._idle.pop(i)
        try:
            worker = self._start(generation, max_memory)
        except OSError as err:  # no memory or processes left
            raise StoreError(f"{self._name}: cannot start a query process ({err}).") from err
        status, _, body = worker.exchange(None, _START_LIMIT)
        if status != "ready":
            worker.kill()
            why = body.decode("utf-8", "replace") or f"exit code {worker.process.poll()}"
            raise StoreError(f"{self._name}: cannot start a query process ({why}).")
        return worker

    def _give_back(self, worker: _QueryProcess) -> None:
        with self._lock:
            if worker.generation == self._generation and len(self._idle) < _IDLE_PROCESSES:
                self._idle.append(worker)
                return
        worker.kill()
        self._prune()
