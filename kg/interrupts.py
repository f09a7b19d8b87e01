"""Ctrl-C is the main thread's: the threads that libraries start leave it to that thread.

Python runs a signal's handler, and so raises KeyboardInterrupt, in the main thread
only, but the system gives a signal sent to the process to any of its threads that
does not block it. Taken by another (one that OpenBLAS starts as numpy or scipy
loads, RocksDB's pool as a store opens), the main thread learns of it a little later,
at a place that depends on the machine's load: a Ctrl-C at the last moment before a
build's commit point could then arrive after it (:func:`kg.build.transaction.output_transaction`).
A thread inherits the signal mask of the thread that starts it, so a block of
:func:`threads_leave_ctrl_c` around what starts them keeps Ctrl-C for the main thread.

>>> with threads_leave_ctrl_c():
...     pass
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

__all__ = ["threads_leave_ctrl_c"]


@contextlib.contextmanager
def threads_leave_ctrl_c() -> Iterator[None]:
    """Block Ctrl-C (SIGINT) in this thread for the block, so that the threads started in it
    never take it; a Ctrl-C meanwhile is delivered when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # not on POSIX: nothing to do
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
