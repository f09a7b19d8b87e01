"""Stores by name: :func:`open_store` takes a spec and returns a :class:`kg.stores.base.Store`.

=====================================  =======================================================
spec                                   store
=====================================  =======================================================
``memory``                             :class:`MemoryStore`: an rdflib Dataset in this process
                                       (``default_union``); fine up to a few hundred thousand
                                       triples, gone when the process ends.
``oxigraph:PATH`` or a folder path     :class:`OxigraphStore`: pyoxigraph's embedded on-disk
                                       store (RocksDB) in the folder PATH; one process at a
                                       time may write it, or many read it (it is locked
                                       while open).
``sparql+http://HOST:PORT/...``,       :class:`SparqlStore`: any SPARQL 1.1 server, through
``sparql+https://...``                 the SPARQL 1.1 Protocol (queries), SPARQL 1.1 Update
                                       and the Graph Store Protocol (writes).
=====================================  =======================================================
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import StoreError
from kg.stores.base import Store
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph import OxigraphStore
from kg.stores.sparql import SparqlStore

__all__ = ["open_store"]


def open_store(
    spec: str | Path, *, create: bool = False, read_only: bool = False, wait: float = 0.0
) -> Store:
    """Open the store a spec names (see the module docstring for the specs).

    Parameters:
        spec: ``memory``, ``oxigraph:PATH``, a folder path, or
            ``sparql+http(s)://HOST:PORT/...``.
        create: create the Oxigraph folder if it does not exist (otherwise
            a missing folder is an error, so a typo does not make an empty store).
        read_only: open an Oxigraph folder read-only: no writes, and any
            number of readers at once (a writer holds the folder alone).
        wait: seconds to wait for an Oxigraph folder that another process
            holds (a short query on a build's store) before giving up.

    Raises:
        StoreError: the folder is not an Oxigraph store, does not exist, is
            being written by another process (or, to write it, is open in
            another), or the server cannot be reached.

    >>> open_store("memory")
    <MemoryStore memory: 0 quads>
    >>> open_store("ftp://example.org/kg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.StoreError: unknown store 'ftp://example.org/kg': give memory, oxigraph:PATH, ...
    """
    if isinstance(spec, Path):
        return OxigraphStore(spec, create=create, read_only=read_only, wait=wait)
    text = spec.strip()
    if text == "memory":
        return MemoryStore()
    if text.startswith("oxigraph:"):
        folder = Path(text[len("oxigraph:") :])
        return OxigraphStore(folder, create=create, read_only=read_only, wait=wait)
    if text.startswith(("sparql+http://", "sparql+https://")):
        return SparqlStore(text)
    if "://" in text or not text:
        raise StoreError(
            f"unknown store {spec!r}: give memory, oxigraph:PATH, a folder, or "
            "sparql+http://HOST:PORT/ (a SPARQL 1.1 server)."
        )
    return OxigraphStore(Path(text), create=create, read_only=read_only, wait=wait)
