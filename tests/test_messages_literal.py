"""Messages print text literally (issue 16, item 13) and no library traceback reaches a
user (item 12): user data with emoji codes (":fire:") or Rich markup ("[bold]", "[/]")
comes out as written, from errors with file names to query tables, path evidence,
timelines and analysis tables; ill-typed literals and unusable shapes give one line.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from rdflib import Literal
from typer.testing import CliRunner, Result

from kg.cli import app
from kg.errors import ShapesError, quiet_rdflib_warnings
from kg.graph.records import graph_prefixes
from kg.graph.validate import validate_graph
from kg.rdf.trig import turtle_prefixes

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
#: Text that Rich would turn into an emoji, bold type or a markup error if it read it.
HOSTILE = ":fire: [bold]x[/] [/] :thumbs_up:"

GRAPH = (
    turtle_prefixes(graph_prefixes())
    + f"""
{{
kgr:acme a kgo:Company ; rdfs:label "Acme :fire: Co" .
kgr:beta a kgo:Company ; rdfs:label "Beta [bold]Ltd[/]" .
kgr:gamma a kgo:Company ; rdfs:label "Gamma [/]" .
kgr:d1 a kgo:Document ; dcterms:identifier "notes:fire:2021" ; dcterms:title "{HOSTILE}" ;
    dcterms:date "2021-02-01"^^xsd:date .
}}
kgr:graph\\/d1 {{
kgr:s1 a kgo:Statement ; rdf:subject kgr:acme ; rdf:predicate kgo:partnersWith ;
    rdf:object kgr:beta ; prov:wasDerivedFrom kgr:d1 ; kgo:confidence 0.9 ;
    kgo:evidence "Acme and Beta: its :fire: sale [bold]now[/]." ;
    kgo:date "2021-01"^^xsd:gYearMonth .
kgr:acme kgo:partnersWith kgr:beta .
kgr:s2 a kgo:Statement ; rdf:subject kgr:beta ; rdf:predicate kgo:partnersWith ;
    rdf:object kgr:gamma ; prov:wasDerivedFrom kgr:d1 ; kgo:confidence 0.8 ;
    kgo:evidence "Beta and Gamma [/] agree :smile:." .
kgr:beta kgo:partnersWith kgr:gamma .
}}
"""
)


def run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "kg.trig"
    path.write_text(GRAPH, encoding="utf-8")
    return path


def no_rewrites(text: str) -> None:
    """Nothing of the hostile text was read as an emoji code or as markup."""
    assert "🔥" not in text and "👍" not in text and "😄" not in text and "❌" not in text


def test_path_evidence_and_labels_print_as_written(graph_file: Path) -> None:
    out = run("path", "Acme :fire: Co", "Gamma [/]", graph_file)
    assert out.exit_code == 0, out.output
    assert "Acme :fire: Co  -partnersWith->  Beta [bold]Ltd[/]" in out.stdout
    assert "“Acme and Beta: its :fire: sale [bold]now[/].”" in out.stdout
    assert f"notes:fire:2021 · 2021-02-01 · “{HOSTILE}”" in out.stdout
    assert "“Beta and Gamma [/] agree :smile:.”" in out.stdout
    no_rewrites(out.output)


def test_timeline_prints_as_written(graph_file: Path) -> None:
    out = run("timeline", "Beta [bold]Ltd[/]", graph_file, "--undated")
    assert out.exit_code == 0, out.output
    assert "Beta [bold]Ltd[/] (Company): 1 dated statement" in out.stdout
    assert "Beta [bold]Ltd[/] partnersWith Acme :fire: Co" in out.stdout
    assert "“Acme and Beta: its :fire: sale [bold]now[/].”" in out.stdout
    no_rewrites(out.output)


def test_analysis_tables_print_as_written(graph_file: Path) -> None:
    out = run("analyze", graph_file)
    assert out.exit_code == 0, out.output
    for label in ("Acme :fire: Co", "Beta [bold]Ltd[/]", "Gamma [/]"):
        assert label in out.stdout
    assert "\\[" not in out.stdout  # no escaping left over either
    no_rewrites(out.output)


def test_query_tables_print_as_written(graph_file: Path) -> None:
    query = "SELECT ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label"
    out = run("query", query, "--graph", graph_file)
    assert out.exit_code == 0, out.output
    assert "Acme :fire: Co" in out.stdout and "Gamma [/]" in out.stdout
    no_rewrites(out.output)


def test_errors_name_files_and_queries_as_written(tmp_path: Path, graph_file: Path) -> None:
    missing = tmp_path / "notes:fire:2021.txt"
    out = run("build", missing, "-o", tmp_path / "out")
    assert out.exit_code == 2
    assert out.stderr.strip() == f"error: {missing}: no such file or folder. " + (
        "Check the path, or run `kg build` with no argument for the sample corpus."
    )
    out = run("query", "SELECT * FROM <urn:x:graph> WHERE { ?s ?p ?o }", "--graph", graph_file)
    assert out.exit_code != 0
    assert "FROM <urn:x:graph>" in out.stderr
    out = run("path", HOSTILE, "Acme :fire: Co", graph_file)
    assert out.exit_code == 2
    assert out.stderr.startswith("error: ") and HOSTILE in out.stderr
    no_rewrites(out.output)


def test_removing_an_unknown_id_names_it_as_written(tmp_path: Path) -> None:
    out = run("remove", "[bold]:fire:", "-o", tmp_path)
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: {tmp_path}: no kg build here")
    no_rewrites(out.output)


# ------------------------------------------------------------------ library warnings (item 12)

ILL_TYPED = (
    turtle_prefixes(graph_prefixes())
    + """
kgr:acme a kgo:Company ; rdfs:label "Acme" ; kgo:founded "abc"^^xsd:integer ;
    kgo:size "many"^^xsd:integer ; kgo:since "soon"^^xsd:date .
"""
)


@pytest.mark.parametrize(
    "command",
    [["validate"], ["validate", "--engine", "compiled"], ["analyze"], ["viz", "-o"]],
)
def test_ill_typed_literals_give_one_warning_line(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(ILL_TYPED, encoding="utf-8")
    extra = [tmp_path / "view.html"] if command[0] == "viz" else []
    out = run(command[0], path, *command[1:], *extra)
    assert "Traceback" not in out.output and "Failed to convert" not in out.output
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: 1 ill-typed literal 'soon' is not a valid xsd:date: kept as written, "
        "with no value to compare or compute with",
        "warning: 2 ill-typed literals, e.g. 'abc' is not a valid xsd:integer: kept as "
        "written, with no value to compare or compute with",
    ], out.stderr


def test_export_warns_once_and_keeps_the_literal(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(ILL_TYPED, encoding="utf-8")
    out = run("export", "--graph", path, "-f", "nt")
    assert out.exit_code == 0, out.output
    assert '"abc"^^<http://www.w3.org/2001/XMLSchema#integer>' in out.stdout
    assert "Traceback" not in out.stderr
    assert [line.split(" ill-typed")[0] for line in out.stderr.splitlines()] == [
        "warning: 1",
        "warning: 2",
    ]


def test_the_helper_restores_logging_and_reports_even_on_errors() -> None:
    logger = logging.getLogger("rdflib")
    before = (logger.propagate, list(logger.handlers))
    told: list[str] = []
    with pytest.raises(RuntimeError), quiet_rdflib_warnings(report=told.append):
        Literal("x1", datatype=XSD_INTEGER)
        logging.getLogger("rdflib.term").warning("does not look like a valid URI\nmore")
        raise RuntimeError("stop")
    assert (logger.propagate, list(logger.handlers)) == before
    assert told[0].startswith("1 ill-typed literal 'x1' is not a valid xsd:integer")
    assert told[1] == "rdflib: does not look like a valid URI"


SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:ex:S> a sh:NodeShape ; sh:targetNode <urn:a> ;
  sh:sparql [ sh:select \"\"\"{query}\"\"\" ] .
"""


@pytest.mark.parametrize(
    ("query", "engine", "why"),
    [
        (
            "SELECT $this WHERE { SERVICE <http://example.org/sparql> { $this ?p ?o } }",
            "pyshacl",
            "must not contain a federated query (SERVICE)",
        ),
        ("SELECT $this WHERE { $this ?p ?o ", "pyshacl", "a SPARQL query of the shapes is not"),
        ("SELECT $this WHERE { $this ?p ?o }", "compiled", "use the pyshacl engine"),
    ],
)
def test_unusable_shapes_give_one_line(tmp_path: Path, query: str, engine: str, why: str) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPE.format(query=query), encoding="utf-8")
    data = tmp_path / "g.ttl"
    data.write_text("<urn:a> <urn:p> 1 .\n", encoding="utf-8")
    out = run("validate", data, "--shapes", shapes, "--engine", engine)
    assert out.exit_code == 2, out.output
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {shapes}: "), out.stderr
    assert why in lines[0]


def test_a_bad_pattern_in_shapes_is_a_shapes_error() -> None:
    from rdflib import Graph

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:ex:S> a sh:NodeShape ; sh:targetNode <urn:a> ; sh:property [ sh:path <urn:p> ;
  sh:pattern "([" ] .""",
        format="turtle",
    )
    with pytest.raises(ShapesError, match="cannot be read"):
        validate_graph(Graph(), shapes=shapes, engine="compiled")


def test_json_reports_are_unchanged_by_the_console(graph_file: Path) -> None:
    out = run("path", "Acme :fire: Co", "Beta [bold]Ltd[/]", graph_file, "-f", "json")
    data = json.loads(out.stdout)
    assert data["hops"][0]["to"]["label"] == "Beta [bold]Ltd[/]"


def test_usage_errors_print_as_written() -> None:
    out = run("nosuch:fire:[bold]")
    assert out.exit_code == 2
    assert "nosuch:fire:[bold]" in out.output
    no_rewrites(out.output)
