"""kg.build.graphfiles: the graph files of a build are the same for any number of processes,
and hold the graphs the assembler makes in this process (kg.graph.assemble.graph_blocks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.build.graphfiles import CHUNK, write_build_graph
from kg.graph.assemble import graph_blocks
from kg.graph.records import ONTOLOGY_IRI, graph_prefixes
from kg.graph.validate import QuarantinedTriple
from kg.graph.validate.memo import CheckMemo
from kg.ontology import CORE_PREDICATES, KGO_IRI
from kg.types import Entity, Resolved

Build = tuple[list[Entity], list[Resolved]]

PREFIXES = graph_prefixes()
RELATIONS = frozenset(URIRef(KGO_IRI + name) for name in CORE_PREDICATES)
N = 3 * CHUNK + 5  # enough articles for several worker tasks


def write(folder: Path, build: Build, jobs: int) -> list[QuarantinedTriple]:
    entities, resolved = build
    seen: list[QuarantinedTriple] = []
    write_build_graph(
        entities,
        resolved,
        trig=folder / "kg.trig",
        turtle=folder / "kg.ttl",
        prefixes=PREFIXES,
        jobs=jobs,
        on_quarantine=seen.append,
    )
    return seen


@pytest.fixture(scope="module")
def built(hand_corpus: Callable[[int], Build]) -> Build:
    return hand_corpus(N)


@pytest.fixture(scope="module")
def serial(
    tmp_path_factory: pytest.TempPathFactory, built: Build
) -> tuple[Path, list[QuarantinedTriple]]:
    folder = tmp_path_factory.mktemp("serial")
    return folder, write(folder, built, jobs=1)


def test_any_number_of_processes_writes_the_same_bytes(
    serial: tuple[Path, list[QuarantinedTriple]], built: Build, tmp_path: Path
) -> None:
    folder, quarantined = serial
    assert write(tmp_path, built, jobs=2) == quarantined  # same records, same order
    for name in ("kg.trig", "kg.ttl"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()


def test_the_files_hold_the_checked_blocks(
    serial: tuple[Path, list[QuarantinedTriple]], built: Build
) -> None:
    folder, quarantined = serial
    assert quarantined  # the companies that "live" somewhere
    assert {str(r.triple[1]) for r in quarantined} >= {KGO_IRI + "livesIn"}
    written = Dataset()
    written.parse(folder / "kg.trig", format="trig")
    expected = Dataset()
    for name, triples in graph_blocks(*built):
        graph = expected.default_graph if name is None else expected.graph(name)
        for triple in triples:
            graph.add(triple)
    ontology = URIRef(ONTOLOGY_IRI)
    assert isomorphic(written.graph(ontology), expected.graph(ontology))  # blank nodes

    def plain(ds: Dataset) -> set[tuple[object, ...]]:
        return {q for q in ds.quads() if q[3] != ontology}

    assert plain(written) == plain(expected)


def test_the_turtle_file_is_the_union_with_each_relation_once(
    serial: tuple[Path, list[QuarantinedTriple]],
) -> None:
    folder, _ = serial
    trig, ttl = Dataset(), Graph()
    trig.parse(folder / "kg.trig", format="trig")
    ttl.parse(folder / "kg.ttl", format="turtle")
    union = Graph()
    for s, p, o, _ in trig.quads():
        union.add((s, p, o))
    assert isomorphic(union, ttl)
    text = (folder / "kg.ttl").read_text(encoding="utf-8")
    partners = URIRef(KGO_IRI + "partnersWith")
    subjects = set(ttl.subjects(partners, None))
    assert len(subjects) >= 5
    # Stated by many articles, written once: one "kgo:partnersWith kgr:..." per subject,
    # in the one block of that entity.
    assert text.count("kgo:partnersWith kgr:") == len(subjects)
    assert {p for _, p, _ in ttl} & RELATIONS


def test_statements_keep_their_literal_confidence(
    serial: tuple[Path, list[QuarantinedTriple]],
) -> None:
    folder, _ = serial
    trig = Dataset()
    trig.parse(folder / "kg.trig", format="trig")
    confidences = {o for _, p, o, _ in trig.quads() if str(p) == KGO_IRI + "confidence"}
    assert Literal("0.8", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")) in (
        confidences
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_kept_checks_write_the_same_bytes_and_records(
    serial: tuple[Path, list[QuarantinedTriple]],
    built: Build,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
) -> None:
    import kg.graph.validate.memo

    folder, quarantined = serial

    def with_memo(out: Path, memo: CheckMemo) -> list[QuarantinedTriple]:
        seen: list[QuarantinedTriple] = []
        out.mkdir()
        write_build_graph(
            *built,
            trig=out / "kg.trig",
            turtle=out / "kg.ttl",
            prefixes=PREFIXES,
            jobs=jobs,
            on_quarantine=seen.append,
            memo=memo,
        )
        for name in ("kg.trig", "kg.ttl"):
            assert (out / name).read_bytes() == (folder / name).read_bytes()
        return seen

    first = CheckMemo()
    assert with_memo(tmp_path / "first", first) == quarantined
    assert len(first.made) == N and any(first.made.values())  # some graphs lost triples
    kept = json.loads(json.dumps(first.made))  # as the next build reads them

    def checked_again(*args: object) -> None:
        raise AssertionError("an unchanged graph was checked again")

    monkeypatch.setattr(kg.graph.validate.memo, "check_document", checked_again)
    again = CheckMemo(kept)
    assert with_memo(tmp_path / "again", again) == quarantined
    assert again.made == kept  # from the workers too, through CheckedGraph.check
