"""The bulk load of a build's new store from its graph files, in a thread beside the build.

Oxigraph parses and writes without holding the GIL, so while it loads the
staged kg.trig and kg.ttl (:meth:`kg.stores.OxigraphStore.load_build`) the
build's process writes its other files (extractions.jsonl, the build state).
The store is loaded into a fresh folder, which
:func:`kg.build.pipeline.publish_home` puts in the place of the old one once
the files are committed. A rename keeps a file's size and modification
time, which the store's stamp (:func:`kg.stores.home.stamp`) records, so a
store loaded from the staged kg.trig holds the committed one.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kg.interrupts import threads_leave_ctrl_c
from kg.stores.home import GRAPH_FILE

if TYPE_CHECKING:
    from kg.stores.oxigraph import OxigraphStore

__all__ = ["FRESH", "HomeLoad"]

#: The folder, in the build folder, that a new store is loaded into.
FRESH = ".store-new"


class HomeLoad:
    """The load of a new store for the build in ``folder``: :meth:`start` it from the graph
    files in a folder (kg.trig, and kg.ttl when it is there), in a thread.

    As a context manager: the load started in the block is waited for when the block
    ends, or discarded if the block raises (the write it belonged to failed).
    """

    def __init__(self, folder: Path) -> None:
        self.fresh = Path(folder) / FRESH
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        """Whether the load was started."""
        return self._thread is not None

    def start(self, source: Path | None) -> HomeLoad:
        """Start loading from the graph files in ``source`` (None: not now); this load."""
        if source is None:
            return self
        # Here, not on import: the store brings the query stack (rdflib, networkx), which
        # the commands that import the pipeline without writing a build do not need.
        from kg.stores.oxigraph import OxigraphStore

        shutil.rmtree(self.fresh, ignore_errors=True)  # left by a write that was killed
        trig, turtle = Path(source) / GRAPH_FILE, Path(source) / "kg.ttl"
        self._thread = threading.Thread(
            target=self._load, args=(OxigraphStore, trig, turtle), daemon=True
        )
        self._thread.start()
        return self

    def _load(self, store_class: type[OxigraphStore], trig: Path, turtle: Path) -> None:
        # Ctrl-C is the main thread's: neither this thread nor the RocksDB threads it may
        # start (they inherit its mask) take it (kg.interrupts).
        with threads_leave_ctrl_c():
            try:
                store = store_class(self.fresh, create=True)
                with store:
                    if turtle.is_file():
                        store.load_build(trig, turtle)
                    else:
                        store.load_file(trig, format="trig")
            except BaseException as err:  # handed to the caller by result()
                self._error = err

    def __enter__(self) -> HomeLoad:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.wait()
        else:
            self.discard()

    def wait(self) -> None:
        """Wait until the load is done (or has failed); at once if it was not started."""
        if self._thread is not None:
            self._thread.join()

    def result(self) -> Path:
        """The loaded store's folder, once loaded.

        Raises:
            the load's error, if it failed (a StoreError or GraphFileError).
        """
        self.wait()
        if self._error is not None:
            raise self._error
        return self.fresh

    def discard(self) -> None:
        """Wait for the load and remove what it wrote (the write it belonged to failed)."""
        self.wait()
        shutil.rmtree(self.fresh, ignore_errors=True)
