"""The build's own store (kg.stores.home): written by a build, read by the reading commands.

The store in OUTPUT/store stands for OUTPUT/kg.trig only while it holds
exactly that file: these tests check what it holds, that the reading
commands answer from it as from the file, and that they read the file as
soon as the two may differ.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg.cli import app
from kg.rdf.load import load_graph
from kg.rdf.serialize import canonical_quads
from kg.stores import OxigraphStore, open_store
from kg.stores.home import STAMP, home_of, mirrored
from kg.stores.homeload import FRESH, HomeLoad

COMPANIES = "SELECT ?l WHERE { ?c a kgo:Company ; rdfs:label ?l } ORDER BY ?l"


def kg(*args: object) -> str:
    done = CliRunner().invoke(app, [str(a) for a in args])
    assert done.exit_code == 0, done.output
    return done.output


def held(folder: Path) -> object:
    with open_store(folder, read_only=True) as store:
        return canonical_quads(store.to_dataset())


def test_a_build_writes_its_store_holding_kg_trig(sample_build: Path) -> None:
    home = home_of(sample_build)
    assert mirrored(sample_build / "kg.trig") == home
    assert held(home) == canonical_quads(load_graph(sample_build / "kg.trig"))


def test_reading_commands_answer_from_the_store_as_from_the_file(
    sample_build: Path, tmp_path: Path
) -> None:
    alone = tmp_path / "kg.trig"  # the same file with no store beside it
    shutil.copyfile(sample_build / "kg.trig", alone)
    assert mirrored(alone) is None
    for command in (
        ["query", COMPANIES],
        ["timeline", "Xiaomi"],
        ["conflicts"],
        ["analyze"],
    ):
        assert kg(*command, "-g", sample_build / "kg.trig") == kg(*command, "-g", alone)


def test_a_kg_trig_changed_since_is_read_from_the_file(sample_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(sample_build, build)  # the copy keeps the times: still the store's file
    assert mirrored(build / "kg.trig") == home_of(build)
    with (build / "kg.trig").open("a", encoding="utf-8") as out:
        out.write('\n<urn:x:acme> a kgo:Company ; rdfs:label "Zzyzx Acme" .\n')
    assert mirrored(build / "kg.trig") is None
    assert "Zzyzx Acme" in kg("query", COMPANIES, "-g", build / "kg.trig")


def test_a_store_being_written_sends_readers_to_the_file(
    sample_build: Path, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    shutil.copytree(sample_build, build)
    with open_store(home_of(build)):  # a writer holds it alone
        assert "Xiaomi" in kg("query", COMPANIES, "-g", build / "kg.trig")
        assert "Xiaomi" in kg("timeline", "Xiaomi", "-g", build / "kg.trig")


def test_a_copy_for_a_long_reader_leaves_the_store_free(sample_build: Path) -> None:
    home = home_of(sample_build)
    with open_store(home, read_only=True) as store:
        expected = store.query(COMPANIES).rows
    copy = OxigraphStore.copy_of(home)
    try:
        with open_store(home):  # a writer may have it while the copy is read
            pass
        assert copy.query(COMPANIES).rows == expected
        folder = copy.path
    finally:
        copy.close()
    assert folder is not None and not folder.exists()


def test_a_missing_stamp_means_no_store(sample_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(sample_build, build)
    (home_of(build) / STAMP).unlink()
    assert mirrored(build / "kg.trig") is None


@pytest.mark.parametrize("name", ["kg.ttl", "other.trig"])
def test_only_a_builds_kg_trig_has_a_store(sample_build: Path, name: str) -> None:
    assert mirrored(sample_build / name) is None


def stored_graphs(folder: Path) -> dict[str, Graph]:
    """Every quad an Oxigraph folder holds, the layout's second copies too, by graph name."""
    quads = ox.Store.read_only(str(folder)).quads_for_pattern(None, None, None, None)
    dataset = Dataset()
    dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    graphs: dict[str, Graph] = {}
    for graph in dataset.graphs():
        if len(graph):
            graphs[str(graph.identifier)] = Graph().__iadd__(graph)
    return graphs


def test_a_builds_bulk_load_stores_what_loading_its_trig_stores(
    sample_build: Path, tmp_path: Path
) -> None:
    # OxigraphStore.load_build takes the union copies from kg.ttl instead of from kg.trig.
    by_file = OxigraphStore(tmp_path / "file", create=True)
    by_build = OxigraphStore(tmp_path / "build", create=True)
    with by_file, by_build:
        by_file.load_file(sample_build / "kg.trig", format="trig")
        by_build.load_build(sample_build / "kg.trig", sample_build / "kg.ttl")
        assert by_build.prefixes == by_file.prefixes
    file_graphs, build_graphs = stored_graphs(tmp_path / "file"), stored_graphs(tmp_path / "build")
    assert len(file_graphs) > 2 and file_graphs.keys() == build_graphs.keys()
    for name, graph in file_graphs.items():  # blank nodes (the ontology's) are new in each load
        assert isomorphic(graph, build_graphs[name]), name


def test_the_stores_load_beside_a_write_is_kept_or_discarded_with_it(
    sample_build: Path, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    shutil.copytree(sample_build, build)
    with pytest.raises(RuntimeError), HomeLoad(build).start(build):
        raise RuntimeError("the write failed")
    assert not (build / FRESH).exists()
    with HomeLoad(build).start(build) as loading:
        pass
    assert loading.result() == build / FRESH
    assert held(build / FRESH) == canonical_quads(load_graph(build / "kg.trig"))
