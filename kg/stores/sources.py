"""The graph a reading command works on: a named store, the build's own store, or a graph file.

``kg query``, ``kg validate``, ``kg viz``, ``kg analyze``, ``kg path``,
``kg timeline``, ``kg conflicts``, ``kg export`` and ``kg serve`` read a
graph file, unless a store is named (``--store SPEC``); without one, the
build's own store (``OUTPUT/store``, :mod:`kg.stores.home`) stands for its
kg.trig while it holds exactly that file. :func:`read_dataset` gives the
dataset, :func:`query_source` runs a query where it is quickest to answer,
:func:`serving_store` opens what ``kg serve`` serves.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "g.ttl").write_text("<urn:a> <urn:b> <urn:c> .")
>>> len(read_dataset(folder / "g.ttl"))
1
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from kg.errors import StoreError
from kg.query.check import ParsedQuery
from kg.query.limits import DEFAULT_MAX_MEMORY
from kg.query.result import QueryResult
from kg.query.run import run_query
from kg.rdf.load import load_graph
from kg.stores.base import Store
from kg.stores.home import mirrored
from kg.stores.memory import MemoryStore
from kg.stores.open import open_store
from kg.stores.oxigraph import OxigraphStore

__all__ = ["build_store", "query_source", "read_dataset", "serving_store"]


def build_store(graph: Path) -> Store | None:
    """The build's own store (OUTPUT/store) when it holds exactly ``graph``, open read-only.

    None when there is none, or when a build is writing it right now (the
    caller reads the graph file then).
    """
    home = mirrored(graph)
    if home is None:
        return None
    try:
        return open_store(home, read_only=True)
    except StoreError:
        return None


def _opened(graph: Path, store: str | None, *, home: bool) -> Store | None:
    """The store named by ``store``, else (with ``home``) the build's own store, else None."""
    if store is not None:
        return open_store(store, read_only=True)
    return build_store(graph) if home else None


def read_dataset(
    graph: Path, store: str | None = None, *, home: bool = True, infer: bool = False
) -> Dataset:
    """The dataset a reading command works on: a copy of the store's, or the graph file.

    Parameters:
        graph: the graph file (a build's kg.trig, or any RDF file).
        store: a store to read instead (``oxigraph:DIR``, ``sparql+http://...``).
        home: let the build's own store stand for its kg.trig (see kg.stores.home).
        infer: add what the ontology entails (OWL 2 RL, :func:`kg.graph.reason.infer`).
    """
    opened = _opened(graph, store, home=home)
    if opened is None:
        dataset = load_graph(graph)
    else:
        with opened:
            dataset = opened.to_dataset()
    return _inferred(dataset) if infer else dataset


def _inferred(dataset: Dataset) -> Dataset:
    # kg.graph.reason brings owlrl (and the graph stage's ontology): loaded only for --infer.
    from kg.graph.reason import infer

    infer(dataset)
    return dataset


def query_source(
    parsed: ParsedQuery,
    graph: Path,
    store: str | None = None,
    *,
    infer: bool = False,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
) -> QueryResult:
    """Run a checked query on ``store``, else on the build's own store, else on ``graph`` loaded.

    With ``infer`` the graph file is loaded and reasoned over (a store is not).
    """
    opened = _opened(graph, store, home=not infer)
    if opened is None:
        dataset = read_dataset(graph, home=False, infer=infer)
        return run_query(dataset, parsed, timeout=timeout, max_memory=max_memory)
    with opened:
        return opened.query(parsed, timeout=timeout, max_memory=max_memory)


def serving_store(graph: Path, store: str | None, *, max_memory: int | None) -> Store:
    """What ``kg serve`` serves: ``store``, a copy of the build's own store, or ``graph`` in memory.

    The copy lets ``kg add`` update the build's store meanwhile. Every query
    the store runs gets the ``max_memory`` ceiling.
    """
    opened: Store
    if store is not None:
        opened = open_store(store, read_only=True)
    elif (home := mirrored(graph)) is not None:
        opened = OxigraphStore.copy_of(home)
    else:
        opened = MemoryStore(load_graph(graph), name=str(graph))
    opened.max_memory = max_memory
    return opened
