"""One Oxigraph store built, added to, queried and served again and again: no failure, and
the store always holds what kg.trig holds (issue 14's 'Corruption: ... .sst: No such file').

A short run of benchmarks/store_stress.py (the full 200 sequences run there): each
sequence is ``kg build`` or ``kg add`` with ``--store oxigraph:OUT/store``, then
``kg query --store oxigraph:OUT/store`` and ``kg query --store OUT/store`` (each in a
query process of its own), the store's content against kg.trig, and now and then
``kg serve`` of the store with a second reader beside it and a ``kg add`` that must be
refused in one line. Before the store was locked (one writer or many readers), 2
sequences in the first 10 failed this way.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.model


def _stress() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "store_stress.py"
    spec = importlib.util.spec_from_file_location("kg_benchmarks_store_stress", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_builds_adds_queries_and_serving_never_fail_and_keep_the_store_equal_to_kg_trig(
    tmp_path: Path,
) -> None:
    stress = _stress()
    # serves in sequences 5 and 11, each followed by an add that must mend the store
    figures = stress.run(16, tmp_path, build_every=8, serve_every=6)
    assert figures.failures == []
    assert figures.sequences == 16
    assert len(figures.steps["build"]) == 2 and len(figures.steps["add"]) == 14
    assert len(figures.steps["content"]) == 16 and len(figures.steps["serve"]) == 2
    assert (tmp_path / "out" / "store" / "CURRENT").is_file()  # -o OUT did not exist at first


def test_a_difference_between_store_and_kg_trig_is_a_failure(tmp_path: Path) -> None:
    """The check can fail: a store that lacks a graph of kg.trig is reported."""
    from kg.stores import open_store

    stress = _stress()
    figures = stress.run(1, tmp_path, build_every=8, serve_every=8)
    assert figures.failures == []
    store = open_store(tmp_path / "out" / "store")
    graph = store.graph_names()[0]
    store.remove_graph(graph)
    store.close()
    with pytest.raises(AssertionError, match=r"differs from kg\.trig"):
        stress._check_content(tmp_path / "out" / "store", tmp_path / "out" / "kg.trig")
