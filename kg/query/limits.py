"""Run a query where it can be stopped: a forked process with a deadline and a memory ceiling.

rdflib evaluates SPARQL in Python, and some of that work cannot be
interrupted from another thread: Python's ``re`` holds the GIL while it
backtracks (a catastrophic ``REGEX``), and nothing bounds the memory a
query takes (``BIND(CONCAT(?v, ?v))`` nested 26 times). :func:`run_killable`
therefore runs the evaluation in a child forked from this process: the
child inherits the loaded graph (copy-on-write, nothing is parsed again),
evaluates with a deep stack and a high recursion limit of its own (rdflib
follows property paths by recursion), under ``RLIMIT_AS``, and sends the
answer back pickled. The parent kills it when time is up, on Ctrl-C, or
when it is itself interrupted; the child also ends when the parent dies.
None of this changes the parent's recursion limit, thread stack size or
signal handlers.

:class:`WorkerSlots` caps the query processes that run at once (in-memory
children and :mod:`kg.stores.worker` processes alike), with a queue:
:func:`query_slot` takes a place, :func:`set_max_workers` sets the cap.

>>> run_killable(lambda: 6 * 7, timeout=10)
42
"""

from __future__ import annotations

import collections
import contextlib
import math
import os
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import KGError, QueryBusyError, QueryError, QueryTimeoutError, quiet_rdflib_warnings

if TYPE_CHECKING:  # multiprocessing and ctypes load when a query forks, not with kg query
    import multiprocessing.process
    from multiprocessing.connection import Connection

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "WorkerSlots",
    "check_limits",
    "default_max_workers",
    "limit_memory",
    "memory_error",
    "memory_headroom",
    "parse_size",
    "query_slot",
    "run_killable",
    "set_max_workers",
    "stopped_after",
]

T = TypeVar("T")

#: Bytes of memory a query may take beyond what the graph or store already takes.
DEFAULT_MAX_MEMORY = 2 * 1024**3

#: The C stack of the thread that evaluates in the child: 50,000 Python frames fit.
_STACK = 128 * 1024 * 1024

#: Address space the ceiling allows on top of the query's own: malloc arenas and
#: thread stacks reserve address space they mostly never use.
_SLACK = 256 * 1024 * 1024

#: Seconds the child may outlive its deadline before it ends itself (the parent kills it first).
_GRACE = 5.0

#: prctl(2): the signal the kernel sends a process when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def check_limits(timeout: float | None, max_memory: int | None) -> None:
    """Refuse a timeout or memory limit that is not positive (None: no limit)."""
    if timeout is not None and not timeout > 0:
        raise QueryError(f"the timeout must be a positive number of seconds, not {timeout!r}.")
    if max_memory is not None and not max_memory > 0:
        raise QueryError(
            f"the memory limit must be a positive number of bytes, not {max_memory!r}."
        )


def stopped_after(timeout: float) -> QueryTimeoutError:
    """The error of a query stopped after ``timeout`` seconds (exit code 124).

    >>> print(stopped_after(0.5))  # doctest: +ELLIPSIS
    the query ran for more than 0.5 s and was stopped. Make it more selective ...
    """
    return QueryTimeoutError(
        f"the query ran for more than {timeout:g} s and was stopped. Make it more "
        "selective (bind a subject, add a LIMIT, drop an OPTIONAL or a cross product) "
        "or allow more time with --timeout SECONDS (0 for no limit)."
    )


def memory_error(limit: int) -> QueryError:
    """The error of a query that went over its memory ceiling.

    >>> print(memory_error(2 * 1024**3))  # doctest: +ELLIPSIS
    the query needed more than 2 GiB of memory and was stopped; make it more selective...
    """
    return QueryError(
        f"the query needed more than {_size(limit)} of memory and was stopped; make it "
        "more selective, or raise --max-memory (e.g. --max-memory 8GiB)."
    )


_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(i?b?)\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int | None:
    """Bytes from ``2GiB``, ``512M``, ``1.5g`` or ``1000000`` (units are powers of 1,024); 0: None.

    >>> parse_size("2GiB"), parse_size("512m"), parse_size("0")
    (2147483648, 536870912, None)
    >>> parse_size("lots")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: --max-memory takes a size such as 2GiB or 512MiB (0: no limit), ...
    """
    match = _SIZE.fullmatch(text)
    if match is None or (match.group(3) and not match.group(2) and match.group(3).lower() != "b"):
        raise QueryError(
            f"--max-memory takes a size such as 2GiB or 512MiB (0: no limit), not {text!r}."
        )
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    return size or None


def _size(limit: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if limit >= factor:
            return f"{limit / factor:.3g} {unit}"
    return f"{limit} bytes"


def memory_headroom(extra: int) -> int:
    """The ``RLIMIT_AS`` that lets this process take ``extra`` more bytes (see module doc).

    The ceiling counts from what the process already maps (the graph it
    inherited, the store it opened), so a big graph does not eat the allowance.
    """
    mapped = 0
    with (
        contextlib.suppress(OSError, ValueError, IndexError),
        open("/proc/self/statm", encoding="ascii") as statm,
    ):
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    return mapped + extra + _SLACK


def limit_memory(extra: int | None) -> None:
    """Limit this process's address space to what it maps now plus ``extra`` bytes."""
    if extra is None:
        return
    ceiling = memory_headroom(extra)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


# ----------------------------------------------------------------------------- the child


def _watch_parent(parent: int, timeout: float | None) -> None:
    """End the child when the parent is gone, or well past its deadline (a safety net)."""
    ends = None if timeout is None else time.monotonic() + timeout + _GRACE
    while True:
        time.sleep(0.25)
        if os.getppid() != parent or (ends is not None and time.monotonic() > ends):
            os._exit(3)


def _end_without_python(parent: int, timeout: float | None) -> None:
    """Ends of the child that the kernel enforces: the watcher thread needs the GIL,
    which a backtracking ``re`` never gives back.

    The kernel sends SIGKILL when the thread that forked the child ends
    (Linux ``PR_SET_PDEATHSIG``: a server stopping in the middle of a fork),
    and SIGALRM, whose default is to end the process, well past the deadline.
    """
    if timeout is not None:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, math.ceil(timeout + _GRACE)))
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # gone before the kernel was told
        os._exit(3)


def _evaluate(call: Callable[[], Any], box: list[tuple[Any, ...]]) -> None:
    try:
        with quiet_rdflib_warnings() as warned:
            value = call()
        box.append(("ok", value, tuple(warned)))
    except MemoryError:
        box.append(("memory",))
    except RecursionError as err:
        box.append(("recursion", str(err)))
    except KGError as err:
        box.append(("kg", type(err).__module__, type(err).__qualname__, str(err)))
    except Exception as err:  # rdflib's evaluator raises many types
        box.append(("failed", f"{type(err).__name__}: {err}" if not str(err) else str(err)))


def _silence_stderr() -> None:
    """Send the child's own stderr nowhere: an allocator that gives up in Rust says so there."""
    import faulthandler

    faulthandler.disable()
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _child(
    conn: Connection,
    call: Callable[[], Any],
    timeout: float | None,
    max_memory: int | None,
    recursion: int,
    parent: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _silence_stderr()
    _end_without_python(parent, timeout)
    threading.Thread(target=_watch_parent, args=(parent, timeout), daemon=True).start()
    limit_memory(None if max_memory is None else max_memory + _STACK)
    sys.setrecursionlimit(recursion)  # this process only
    box: list[tuple[Any, ...]] = []
    try:
        threading.stack_size(_STACK)
        worker = threading.Thread(target=_evaluate, args=(call, box), name="kg-query")
        worker.start()
        worker.join()
    except (RuntimeError, ValueError, MemoryError):  # no room for that stack: this one
        if not box:
            _evaluate(call, box)
    try:
        conn.send(box[0] if box else ("failed", "no answer"))
    except MemoryError:
        conn.send(("memory",))
    conn.close()


# ----------------------------------------------------------------------------- the parent


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def run_killable(
    call: Callable[[], T],
    *,
    timeout: float | None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    recursion: int = 50_000,
) -> T:
    """``call()`` in a forked child, killed after ``timeout`` s or on Ctrl-C; its value back.

    Parameters:
        call: run in the child; its value must pickle (rdflib terms do).
        timeout: seconds; None for no limit (Ctrl-C still stops it).
        max_memory: bytes the child may take beyond what it inherited; None for no limit.
        recursion: the child's recursion limit.

    Raises:
        QueryTimeoutError: time ran out (the child is killed).
        QueryError: the child needed more memory than ``max_memory``, or failed;
            a :class:`~kg.errors.KGError` raised by ``call`` comes back as itself;
            RecursionError comes back as itself.
        QueryBusyError: every query slot stayed busy (see :func:`query_slot`).

    Where the platform cannot fork, ``call`` runs in a thread that is
    abandoned (not stopped) when time is up.
    """
    started = time.monotonic()
    with query_slot(wait=timeout):
        left = None if timeout is None else max(timeout - (time.monotonic() - started), 0.01)
        if not _can_fork():
            return _in_thread(call, left, timeout)
        answer = _fork_and_wait(call, left, timeout, max_memory, recursion)
    return _unpack(answer, max_memory)


def _fork_and_wait(
    call: Callable[[], Any],
    left: float | None,
    timeout: float | None,
    max_memory: int | None,
    recursion: int,
) -> tuple[Any, ...]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(writer, call, left, max_memory, recursion, os.getpid()),
        name="kg-query",
    )
    process.daemon = True  # killed if this process exits first
    try:
        process.start()
        writer.close()
        answer = _receive(reader, process, left)
    finally:  # time is up, an error, or Ctrl-C while waiting
        if process.is_alive():
            process.kill()
        with contextlib.suppress(ValueError, AssertionError):  # never started
            process.join()
        reader.close()
        writer.close()
    if answer is None:
        raise stopped_after(timeout or 0)
    if answer[0] == "gone":
        code = process.exitcode
        if max_memory is not None and code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV):
            return ("memory",)
        return ("failed", f"the query process stopped unexpectedly (exit code {code})")
    return answer


def _receive(
    reader: Connection, process: multiprocessing.process.BaseProcess, left: float | None
) -> tuple[Any, ...] | None:
    """The child's answer; None when time ran out; ``("gone",)`` if it died without one."""
    deadline = None if left is None else time.monotonic() + left
    while True:
        wait = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
        if wait <= 0:
            return None
        if reader.poll(wait):
            try:
                answer: tuple[Any, ...] = reader.recv()
            except (EOFError, OSError):
                return ("gone",)
            return answer
        if not process.is_alive() and not reader.poll(0):
            return ("gone",)


def _unpack(answer: tuple[Any, ...], max_memory: int | None) -> Any:
    kind = answer[0]
    if kind == "ok":
        import logging

        for line in answer[2]:  # warnings the child held back: one line each, no traceback
            logging.getLogger("rdflib.term").warning(line)
        return answer[1]
    if kind == "memory":
        raise memory_error(max_memory or DEFAULT_MAX_MEMORY)
    if kind == "recursion":
        raise RecursionError(answer[1])
    if kind == "kg":
        raise _rebuilt(answer[1], answer[2], answer[3])
    raise QueryError(f"the query failed while running: {answer[1]}")


def _rebuilt(module: str, name: str, message: str) -> KGError:
    """A KGError of the child's class with its message (their __init__ may take other args)."""
    import importlib

    cls: Any = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, KGError)):
        return QueryError(message)
    err: KGError = cls.__new__(cls)
    err.args = (message,)
    return err


def _in_thread(call: Callable[[], T], left: float | None, timeout: float | None) -> T:
    box: list[tuple[Any, ...]] = []
    worker = threading.Thread(target=_evaluate, args=(call, box), name="kg-query", daemon=True)
    worker.start()
    worker.join(left)
    if not box:
        raise stopped_after(timeout or 0)
    value: T = _unpack(box[0], None)
    return value


# ----------------------------------------------------------------------------- slots


def default_max_workers() -> int:
    """Twice the CPUs this process may use: the default cap of query processes at once."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return 2 * max(cpus, 1)


class WorkerSlots:
    """At most ``limit`` queries run at once; up to ``queue`` more wait for a place, in turn.

    A place that comes free goes to the query that waited longest, not to
    one that arrives at that moment (which would leave the first to time out).

    >>> slots = WorkerSlots(1, queue=0)
    >>> with slots.slot(wait=1):
    ...     slots.slot(wait=1).__enter__()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QueryBusyError: all 1 query workers are busy and no place is left ...
    """

    def __init__(self, limit: int, *, queue: int) -> None:
        if limit < 1 or queue < 0:
            raise ValueError("WorkerSlots needs limit >= 1 and queue >= 0")
        self.limit = limit
        self.queue = queue
        self._turn = threading.Condition()
        self._running = 0
        self._line: collections.deque[object] = collections.deque()  # waiting, first come first

    @property
    def _waiting(self) -> int:
        return len(self._line)

    @contextlib.contextmanager
    def slot(self, *, wait: float | None = None) -> Iterator[None]:
        """Hold a place while the block runs; wait up to ``wait`` s for one (None: no limit).

        Raises:
            QueryBusyError: the queue is full, or no place came free in time.
        """
        self._take(wait)
        try:
            yield
        finally:
            with self._turn:
                self._running -= 1
                self._turn.notify_all()  # the first in line takes it

    def _take(self, wait: float | None) -> None:
        with self._turn:
            if self._running < self.limit and not self._line:
                self._running += 1
                return
            if self._waiting >= self.queue:
                raise QueryBusyError(
                    f"all {self.limit} query workers are busy and no place is left in the "
                    f"queue ({self.queue}); try again in a moment."
                )
            ticket = object()
            self._line.append(ticket)
            try:
                ready = self._turn.wait_for(
                    lambda: self._running < self.limit and self._line[0] is ticket, wait
                )
            finally:
                self._line.remove(ticket)
                self._turn.notify_all()  # the next in line may go, if a place is free
            if not ready:
                raise QueryBusyError(
                    f"all {self.limit} query workers stayed busy for {wait:g} s; "
                    "try again in a moment."
                )
            self._running += 1


_slots = WorkerSlots(default_max_workers(), queue=4 * default_max_workers())


def set_max_workers(limit: int, *, queue: int | None = None) -> WorkerSlots:
    """Cap the query processes of this process at ``limit`` (queue: 4 x limit by default).

    Queries already running keep their places; new ones use the new cap.

    >>> set_max_workers(3).limit
    3
    >>> _ = set_max_workers(default_max_workers())
    """
    global _slots
    _slots = WorkerSlots(limit, queue=4 * limit if queue is None else queue)
    return _slots


@contextlib.contextmanager
def query_slot(*, wait: float | None = None) -> Iterator[None]:
    """Hold one of this process's query places (see :func:`set_max_workers`) while the block runs.

    Raises:
        QueryBusyError: the queue is full, or no place came free within ``wait`` s.
    """
    with _slots.slot(wait=wait):
        yield
