"""A user's own gazetteer file extends the shipped one (``kg build --gazetteer FILE``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, URIRef
from typer.testing import CliRunner

from kg.cli import app
from kg.ontology import KGO
from kg.rdf.load import load_graph

GAZETTEER = """\
@prefix kgo: <https://w3id.org/kg-builder/ontology#> .
@prefix kgg: <https://w3id.org/kg-builder/gazetteer/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

kgg:zorblax-dynamics a kgo:Company ;
    rdfs:label "Zorblax Dynamics" ;
    skos:altLabel "Zorblax" .
"""


@pytest.mark.model
def test_a_user_gazetteer_names_and_types_an_unknown_company(tmp_path: Path) -> None:
    (tmp_path / "mine.ttl").write_text(GAZETTEER, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Zorblax opened an office in Lisbon.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "build",
            str(tmp_path / "a.txt"),
            "-o",
            str(out),
            "--gazetteer",
            str(tmp_path / "mine.ttl"),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    graph = load_graph(out / "kg.trig")
    nodes = [
        s
        for s, _, label in graph.triples((None, RDFS.label, None))
        if str(label) == "Zorblax Dynamics"
    ]
    assert len(nodes) == 1
    assert (nodes[0], RDF.type, KGO.Company) in graph
    assert isinstance(nodes[0], URIRef)


def test_a_missing_user_gazetteer_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Zorblax opened an office in Lisbon.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "build",
            str(tmp_path / "a.txt"),
            "-o",
            str(tmp_path / "out"),
            "--gazetteer",
            str(tmp_path / "no.ttl"),
        ],
    )
    assert result.exit_code != 0
    assert "no.ttl" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
