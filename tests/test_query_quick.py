"""kg.query.quick: the quick kg query on a store answers as the usual way does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.launch import quick_arguments
from kg.query.quick import quick_query, quick_text
from kg.rdf.prefixes import PREFIXES
from kg.stores import holding
from kg.stores.home import home_of

QUERIES = [
    "SELECT ?l WHERE { ?c a kgo:Company ; rdfs:label ?l } ORDER BY ?l",
    # unbound values, numbers (decimals as kg writes them), several columns
    "SELECT ?o ?v ?u WHERE { ?o kgo:value ?v OPTIONAL { ?o kgo:unit ?u } } ORDER BY ?o ?v",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
    "SELECT ?s ?c WHERE { ?st kgo:confidence ?c ; rdf:subject ?s } ORDER BY ?s ?c LIMIT 20",
    # GRAPH patterns see the articles' graphs, not kg's own
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    # a prefix of the query's own shortens the table
    "PREFIX co: <https://w3id.org/kg-builder/resource/organization/> "
    "SELECT ?c WHERE { ?c a kgo:Company } ORDER BY ?c",
    "ASK { ?c rdfs:label 'Xiaomi' }",
    "ASK { ?c rdfs:label 'No Such Company' }",
]


@pytest.fixture(scope="module")
def alone(sample_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's kg.trig with no store beside it: kg query reads it the usual way."""
    path = tmp_path_factory.mktemp("alone") / "kg.trig"
    shutil.copyfile(sample_build / "kg.trig", path)
    return path


def kg(*args: object) -> str:
    done = CliRunner().invoke(app, [str(a) for a in args])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_the_quick_path_prints_what_the_usual_way_prints(
    sample_build: Path, alone: Path, query: str, fmt: str
) -> None:
    quick = quick_query(home_of(sample_build), query, prefixes=PREFIXES, format=fmt)
    assert quick is not None  # the quick path took it
    quick = quick.replace("\r\n", "\n")  # as the test runner's output reads CSV lines
    assert quick == kg("query", query, "-f", fmt, "-g", alone)
    assert kg("query", query, "-f", fmt, "-g", sample_build / "kg.trig") == quick


def test_the_limits_hold_on_the_quick_path(sample_build: Path) -> None:
    folder = home_of(sample_build)
    limited = quick_query(folder, QUERIES[0], prefixes=PREFIXES, timeout=30, max_memory=2**30)
    assert limited == quick_query(folder, QUERIES[0], prefixes=PREFIXES)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p '\\u0022 } SERVICE <http://x/> { ?a ?b ?c } #' }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "BASE <http://example.org/> SELECT ?s WHERE { ?s ?p ?o }",
        "SELECT DISTINCT * WHERE { ?zed ?p ?name }",  # kg orders the columns itself
    ],
)
def test_other_texts_go_the_usual_way(sample_build: Path, text: str) -> None:
    assert quick_text(text) is None
    assert quick_query(home_of(sample_build), text, prefixes=PREFIXES) is None


def test_keywords_in_strings_iris_and_names_do_not_count() -> None:
    for text in [
        "SELECT ?from WHERE { ?from rdfs:label 'SERVICE FROM' }",
        "SELECT ?s WHERE { ?s <http://example.org/FROM> ?o } # SERVICE",
        "SELECT ?s WHERE { ?s kgo:from ?o }",
    ]:
        assert quick_text(text) == text


def test_a_query_oxigraph_cannot_parse_gets_the_usual_message(sample_build: Path) -> None:
    assert quick_query(home_of(sample_build), "SELECT ?s WHERE {", prefixes=PREFIXES) is None
    done = CliRunner().invoke(app, ["query", "SELECT ?s WHERE {", "-g", sample_build / "kg.trig"])
    assert done.exit_code != 0 and "error:" in done.output


def test_a_quick_query_in_this_process_lets_the_store_go(sample_build: Path) -> None:
    """Without limits the query runs here: the store's lock must not outlive it."""
    folder = home_of(sample_build)
    assert quick_query(folder, QUERIES[0], prefixes=PREFIXES) is not None
    with holding(folder):  # kg's exclusive lock, as a build takes it to write the store
        pass


def launch(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the kg console script's entry (kg.launch) in a new process."""
    return subprocess.run(
        [sys.executable, "-c", "from kg.launch import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kg_query_on_a_store_loads_neither_rdflib_nor_the_cli(sample_build: Path) -> None:
    probe = (
        "import sys\n"
        "from kg.launch import main\n"
        "sys.argv = ['kg', 'query', '-g', sys.argv[1], 'ASK { ?s ?p ?o }']\n"
        "main()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rdflib', 'spacy', 'typer', 'rich') or m == 'kg.cli'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(sample_build / "kg.trig")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.splitlines() == ["true", "[]"], done.stderr


def test_the_entry_point_prints_what_the_cli_prints(sample_build: Path) -> None:
    graph = sample_build / "kg.trig"
    for args in (
        ["query", QUERIES[0], "-g", graph, "--format=csv", "--timeout", "10"],
        ["query", "--max-memory", "512MiB", f"--graph={graph}", QUERIES[2]],
        ["query", "-g", graph, "--name", "partners"],  # not quick: the CLI answers
        ["query", "-g", graph, "SELECT ?s WHERE {"],  # an error, told by the CLI
        ["query", "-g", graph, "--max-memory", "lots", QUERIES[0]],
    ):
        ours = launch(*args)
        theirs = subprocess.run(
            [sys.executable, "-m", "kg.cli", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (ours.returncode, ours.stdout, ours.stderr) == (
            theirs.returncode,
            theirs.stdout,
            theirs.stderr,
        ), args


def test_the_entry_point_reads_only_the_options_it_knows() -> None:
    assert quick_arguments(["query", "ASK {}", "-f", "json", "--store", "oxigraph:s"]) == {
        "query": "ASK {}",
        "graph": "output/kg.trig",
        "store": "oxigraph:s",
        "format": "json",
        "timeout": 30.0,
        "max_memory": "2GiB",
    }
    for args in (
        ["build"],
        ["query", "ASK {}", "--help"],
        ["query", "ASK {}", "-f", "turtle"],
        ["query", "ASK {}", "--timeout", "soon"],
        ["query", "ASK {}", "--timeout", "-1"],
        ["query", "ASK {}", "ASK {}"],
        ["query", "ASK {}", "-g", "a.trig", "--store", "s"],
        ["query", "ASK {}", "-g", "a.trig", "-g", "b.trig"],
        ["query", "ASK {}", "--infer"],
        ["--version"],
    ):
        assert quick_arguments(args) is None, args
