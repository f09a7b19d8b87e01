"""The build's own store: an embedded Oxigraph copy of kg.trig in ``OUTPUT/store``.

``kg build`` writes it beside the graph files, ``kg add`` and ``kg remove``
keep it current (:func:`kg.build.outputs.write_outputs`), and the reading
commands use it instead of parsing kg.trig into memory: Oxigraph answers
from its indexes on disk, so a query on a big build starts at once and
takes little memory.

The store stands for kg.trig only while it holds exactly what kg.trig
holds. After the store is written, a stamp in it (:data:`STAMP`) records
the size and modification time of the kg.trig it mirrors; a kg.trig
written since (an update cut short, a build elsewhere copied over it)
no longer matches, and readers fall back to the file. A store is never
trusted for any other graph file.

Nothing here imports rdflib or pyoxigraph: a reading command asks
:func:`mirrored` before it decides what to load.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "kg.trig").write_text("")
>>> mirrored(folder / "kg.trig") is None
True
>>> (folder / HOME).mkdir(); stamp(folder / HOME, folder / "kg.trig")
>>> mirrored(folder / "kg.trig") == folder / HOME
True
>>> _ = (folder / "kg.trig").write_text("<urn:a> <urn:b> <urn:c> .")
>>> mirrored(folder / "kg.trig") is None
True
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

__all__ = [
    "GRAPH_FILE",
    "HOME",
    "STAMP",
    "home_of",
    "mirrored",
    "query_folder",
    "stamp",
    "unstamp",
]

#: The build's store folder, in the build folder.
HOME = "store"
#: The build's graph file that the store mirrors.
GRAPH_FILE = "kg.trig"
#: The stamp in the store folder: which kg.trig the store holds.
STAMP = "kg-mirror.json"


def home_of(out_dir: str | Path) -> Path:
    """The folder of the build's store.

    >>> home_of("output").as_posix()
    'output/store'
    """
    return Path(out_dir) / HOME


def _identity(graph_file: Path) -> dict[str, object] | None:
    try:
        found = os.stat(graph_file)
    except OSError:
        return None
    return {"file": GRAPH_FILE, "size": found.st_size, "mtime_ns": found.st_mtime_ns}


def mirrored(graph_file: str | Path) -> Path | None:
    """The build's store that holds exactly ``graph_file``, or None.

    Only a build's kg.trig has one: the ``store`` folder beside it, stamped
    for that very file (see the module docstring).
    """
    graph_file = Path(graph_file)
    if graph_file.name != GRAPH_FILE:
        return None
    home = graph_file.parent / HOME
    try:
        recorded = json.loads((home / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    identity = _identity(graph_file)
    return home if identity is not None and recorded == identity else None


def query_folder(graph_file: str | Path, store: str | None) -> Path | None:
    """The Oxigraph folder that answers ``kg query`` on ``graph_file`` with ``--store store``.

    Without a store spec, the build's store that mirrors ``graph_file``
    (:func:`mirrored`); with ``oxigraph:PATH`` or a folder path, that folder;
    None for ``memory``, a SPARQL server, or a graph file without a store.

    >>> query_folder("output/kg.trig", "oxigraph:db").as_posix(), query_folder("x.ttl", "memory")
    ('db', None)
    """
    if store is None:
        return mirrored(graph_file)
    if store.strip().startswith(("memory", "sparql+")) or "://" in store:
        return None
    return Path(store.strip().removeprefix("oxigraph:"))


def stamp(home: str | Path, graph_file: str | Path) -> None:
    """Record that the store in ``home`` now holds exactly ``graph_file``."""
    from kg.atomic import write_atomic  # not on the readers' path: they only look

    identity = _identity(Path(graph_file))
    if identity is not None:
        write_atomic(Path(home) / STAMP, (json.dumps(identity) + "\n").encode("utf-8"))


def unstamp(home: str | Path) -> None:
    """Forget which file the store in ``home`` mirrors (before it is written)."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(Path(home) / STAMP)
