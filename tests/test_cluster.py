"""kg build --cluster: a build spread over a local Dask cluster equals a one-process build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build import cluster
from kg.build.outputs import write_outputs
from kg.build.pipeline import build, run
from kg.build.resolution import BuildResult
from kg.errors import ClusterError
from kg.graph.validate import QuarantinedTriple
from kg.ontology import KGR_IRI
from kg.rdf.dataset import new_dataset
from kg.rdf.load import load_graph
from kg.rdf.serialize import canonical_quads
from kg.types import Entity, Resolved

ARTICLES = {
    "alpha": "Zorblax Corp, based in Paris, hired Mara Quell as chief executive in May.\n",
    "beta": "Vantor Systems, based in Berlin, plans to enter the Indian market next year.\n",
    "gamma": "The Federal Communications Commission banned Vantor Systems in March.\n",
    "delta": "Olek Brand, chairman of Vantor Systems, said it signed a deal with Zorblax Corp.\n",
}


@pytest.mark.model
@pytest.mark.slow
def test_a_cluster_build_equals_a_one_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(cluster, "PARTITION", 1)  # one task and one shard per article
    result = run([corpus], cluster="local:2", shard_dir=tmp_path / "out" / "shards")
    write_outputs(result, tmp_path / "out", html=False)
    build([corpus], out_dir=tmp_path / "single", html=False)
    for name in ("kg.trig", "kg.ttl"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "single" / name).read_bytes()
    shards = sorted(p.name for p in (tmp_path / "out" / "shards").iterdir())
    assert shards == ["entities.nq", *(f"part-{i:05d}.nq" for i in range(len(ARTICLES)))]
    # The shards' union is the graph: isomorphic to the one-process build's TriG.
    merged = cluster.merge_shards(new_dataset(), sorted((tmp_path / "out" / "shards").iterdir()))
    single = load_graph(tmp_path / "single" / "kg.trig")
    assert canonical_quads(merged) == canonical_quads(single)
    # Each shard holds only its own article's named graph.
    first = (tmp_path / "out" / "shards" / "part-00000.nq").read_text()
    assert "graph/alpha>" in first and "graph/beta>" not in first


@pytest.mark.parametrize(
    "address,message",
    [("nonsense", "scheduler address"), ("local:0", "at least one worker")],
)
def test_bad_addresses_are_clear_errors(address: str, message: str) -> None:
    with pytest.raises(ClusterError, match=message), cluster.connect(address):
        pass


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(ClusterError, match="cannot reach"), cluster.connect("tcp://127.0.0.1:9"):
        pass


@pytest.mark.slow
def test_shards_are_checked_like_the_graph_files(
    tmp_path: Path, hand_corpus: Callable[[int], tuple[list[Entity], list[Resolved]]]
) -> None:
    entities, resolved = hand_corpus(12)  # a few of them state triples the shapes refuse
    set_aside: list[QuarantinedTriple] = []
    write_outputs(
        BuildResult(entities, resolved),
        tmp_path / "single",
        html=False,
        on_quarantine=set_aside.append,
    )
    assert set_aside
    with cluster.connect("local:2") as client:
        paths = cluster.write_shards(client, entities, resolved, tmp_path / "shards", base=KGR_IRI)
    merged = cluster.merge_shards(new_dataset(), paths)
    single = load_graph(tmp_path / "single" / "kg.trig")
    assert canonical_quads(merged) == canonical_quads(single)  # quarantine graph included
