"""kg.cli: every command runs, helps, and fails with one clean line and no leftovers."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph
from typer.testing import CliRunner, Result

from kg.cli import app

REQUIRED_COMMANDS = {"build", "query", "export", "extract", "viz", "eval"}
#: Every command the app registers (new ones are covered by the help test automatically).
COMMANDS = sorted(
    c.name or c.callback.__name__  # type: ignore[union-attr]
    for c in app.registered_commands
)
GOLD = Path(__file__).resolve().parents[1] / "eval" / "seeds.gold.json"
COUNTRIES = "SELECT ?name WHERE { ?c a kgo:Country ; rdfs:label ?name } ORDER BY ?name"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every command in an empty folder, so nothing lands in the repository."""
    monkeypatch.chdir(tmp_path)


def kg(runner: CliRunner, *args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output


def assert_clean_error(result: Result, *needles: str) -> str:
    """Exit code != 0, one ``error:`` line on stderr naming ``needles``, nothing else."""
    assert result.exit_code not in (0, None), result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert result.stdout == ""
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# ----------------------------------------------------------------------------------------- help


def test_the_app_has_every_required_command() -> None:
    assert set(COMMANDS) >= REQUIRED_COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help(runner: CliRunner, command: str, flag: str) -> None:
    result = kg(runner, command, flag)
    assert_ok(result)
    assert f"Usage: kg {command}" in " ".join(result.stdout.split())
    assert "Example" in result.stdout


def test_top_level_help_and_version(runner: CliRunner) -> None:
    result = kg(runner, "--help")
    assert_ok(result)
    for command in COMMANDS:
        assert command in result.stdout
    version = kg(runner, "--version")
    assert_ok(version)
    assert version.stdout.startswith("kg ")


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = kg(runner)
    assert_ok(result)
    assert "Usage" in result.output


def test_an_unknown_option_is_a_usage_error(runner: CliRunner) -> None:
    result = kg(runner, "build", "--no-such-option")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------- build


@pytest.mark.model
@pytest.mark.slow
def test_build_without_paths_builds_the_sample(
    runner: CliRunner, tmp_path: Path, sample_build: Path
) -> None:
    out = tmp_path / "out"
    result = kg(runner, "build", "-o", out)
    assert_ok(result)
    for name in ("kg.ttl", "kg.trig", "kg.html", "extractions.jsonl"):
        assert (out / name).is_file(), name
        assert name in result.stdout  # "wrote <path>" lines
        # the CLI writes exactly what the library writes
        assert (out / name).read_bytes() == (sample_build / name).read_bytes(), name
    assert "Built 2 documents" in result.stdout


@pytest.mark.model
def test_build_quiet_prints_nothing(runner: CliRunner, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Nokia entered Brazil and Mexico last year.\n", encoding="utf-8")
    result = kg(runner, "build", article, "-o", tmp_path / "out", "-q", "--no-html")
    assert_ok(result)
    assert result.output == ""
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in files_in(tmp_path / "out"))
    assert [name for name in written if not name.startswith("store/")] == [
        ".kg/checks.json",
        ".kg/extractions.jsonl",
        ".kg/graphs.jsonl",
        ".kg/iris.json",
        ".kg/keys.json",
        ".kg/state.json",
        "extractions.jsonl",
        "kg.trig",
        "kg.ttl",
    ]
    assert "store/kg-mirror.json" in written  # the build's own store, holding kg.trig


@pytest.fixture
def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    empty = inputs / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = inputs / "binary.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00\x00\x00binary\x00\xff\xfe\x00" * 10)
    latin = inputs / "latin.txt"
    latin.write_bytes("Nokia opened a café in São Paulo and entered Brazil.\n".encode("latin-1"))
    jsonl = inputs / "docs.jsonl"
    jsonl.write_text('{"id": "a", "text": "Nokia entered Brazil."}\n{not json\n', encoding="utf-8")
    not_object = inputs / "list.jsonl"
    not_object.write_text('["a", "b"]\n', encoding="utf-8")
    return {
        "empty": empty,
        "binary": binary,
        "latin": latin,
        "jsonl": jsonl,
        "not_object": not_object,
    }


@pytest.mark.parametrize(
    "name,needles",
    [
        ("missing", ("missing.txt", "no such file")),
        ("empty", ("empty.txt", "empty")),
        ("binary", ("binary.txt", "binary")),
        ("latin", ("latin.txt", "UTF-8", "--encoding")),
        ("jsonl", ("docs.jsonl", "line 2")),
        ("not_object", ("list.jsonl", "line 1")),
    ],
)
@pytest.mark.parametrize("command", ["build", "extract"])
def test_bad_input_fails_cleanly_and_leaves_no_files(
    runner: CliRunner,
    tmp_path: Path,
    bad_inputs: dict[str, Path],
    name: str,
    needles: tuple[str, ...],
    command: str,
) -> None:
    path = bad_inputs.get(name, tmp_path / "missing.txt")
    out = tmp_path / "out"
    target = out if command == "build" else out / "x.jsonl"
    result = kg(runner, command, path, "-o", target)
    assert_clean_error(result, *needles)
    assert files_in(out) == []


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan"])
@pytest.mark.parametrize("command", ["build", "extract"])
def test_a_min_confidence_outside_zero_to_one_fails_cleanly(
    runner: CliRunner, tmp_path: Path, command: str, value: str
) -> None:
    (tmp_path / "a.txt").write_text("Acme Corp hired Jo Bloggs.\n")
    out = tmp_path / "out"
    target = out if command == "build" else out / "x.jsonl"
    result = kg(runner, command, tmp_path / "a.txt", "--min-confidence", value, "-o", target)
    assert result.exit_code == 2
    assert_clean_error(result, f"--min-confidence {value}", "between 0 and 1")
    assert files_in(out) == []


@pytest.mark.model
def test_build_asserts_what_reaches_the_threshold_and_add_keeps_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Acme Corp, based in Paris, hired Jo Bloggs.\n")
    (tmp_path / "b.txt").write_text("Zorblax Corp, based in Berlin, sued Acme Corp.\n")
    # 0.999: above every rule's confidence (at most 0.99), so the relations are candidates
    args = ("-o", "out", "--no-html", "--min-confidence", "0.999", "--candidates")
    result = kg(runner, "build", tmp_path / "a.txt", *args)
    assert_ok(result)
    assert "candidates.trig" in result.stdout
    assert_ok(kg(runner, "add", tmp_path / "b.txt", "-o", "out", "--no-html", "-q"))
    ask = "ASK { ?s ?p ?o . FILTER(?p IN (kgo:basedIn, kgo:worksFor, kgo:sues)) }"
    assert kg(runner, "query", ask, "-g", "out/kg.trig").stdout.strip() == "false"
    records = [json.loads(line) for line in Path("out/extractions.jsonl").read_text().splitlines()]
    assert all(r["relations"] == [] for r in records)
    docs = "SELECT DISTINCT ?doc { ?c a kgo:CandidateStatement ; prov:wasDerivedFrom ?doc }"
    result = kg(runner, "query", docs, "-g", "out/candidates.trig", "-f", "csv")
    assert_ok(result)
    assert sorted(line.rsplit("/", 1)[-1] for line in result.stdout.split()[1:]) == ["a", "b"]
    rebuilt = kg(runner, "build", tmp_path / "a.txt", "-o", "out", "--no-html", "-q")
    assert_ok(rebuilt)
    assert not Path("out/candidates.trig").exists()  # no stale candidates


@pytest.mark.model
def test_latin_1_input_works_with_its_encoding(
    runner: CliRunner, tmp_path: Path, bad_inputs: dict[str, Path]
) -> None:
    out = tmp_path / "out"
    result = kg(
        runner, "build", bad_inputs["latin"], "--encoding", "latin-1", "-o", out, "-q", "--no-html"
    )
    assert_ok(result)
    [record] = [
        json.loads(line)
        for line in (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert "café in São Paulo" in record["text"]


def test_an_unknown_encoding_fails_cleanly(
    runner: CliRunner, tmp_path: Path, bad_inputs: dict[str, Path]
) -> None:
    result = kg(
        runner, "build", bad_inputs["latin"], "--encoding", "no-such-codec", "-o", tmp_path / "out"
    )
    assert_clean_error(result, "no-such-codec")
    assert files_in(tmp_path / "out") == []


# ---------------------------------------------------------------------------------------- query


@pytest.fixture
def graph(sample_build: Path) -> Path:
    return sample_build / "kg.trig"


@pytest.mark.model
def test_query_select_as_a_table(runner: CliRunner, graph: Path) -> None:
    result = kg(runner, "query", COUNTRIES, "-g", graph)
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "name"
    assert any(line.strip() == "India" for line in lines)
    assert lines[-1].startswith("(") and "rows" in lines[-1]


@pytest.mark.model
def test_query_select_as_csv_tsv_and_json(runner: CliRunner, graph: Path) -> None:
    as_csv = kg(runner, "query", COUNTRIES, "-g", graph, "-f", "csv")
    assert_ok(as_csv)
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["name"]
    names = [r[0] for r in rows[1:]]
    assert "India" in names and names == sorted(names)

    as_tsv = kg(runner, "query", COUNTRIES, "-g", graph, "-f", "tsv")
    assert_ok(as_tsv)
    tsv = as_tsv.stdout.splitlines()
    assert tsv[0] == "?name"
    assert '"India"' in tsv[1:]
    assert len(tsv) == len(rows)

    as_json = kg(runner, "query", COUNTRIES, "-g", graph, "-f", "json")
    assert_ok(as_json)
    data = json.loads(as_json.stdout)
    assert data["head"]["vars"] == ["name"]
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == names


@pytest.mark.model
def test_query_ask_and_construct(runner: CliRunner, graph: Path) -> None:
    ask = kg(runner, "query", 'ASK { ?c a kgo:Company ; rdfs:label "Xiaomi" }', "-g", graph)
    assert_ok(ask)
    assert ask.stdout.strip() == "true"
    no = kg(runner, "query", 'ASK { ?c rdfs:label "No Such Thing Anywhere" }', "-g", graph)
    assert no.stdout.strip() == "false"

    construct = kg(
        runner, "query", "CONSTRUCT { ?c a kgo:Country } WHERE { ?c a kgo:Country }", "-g", graph
    )
    assert_ok(construct)
    parsed = Graph().parse(data=construct.stdout, format="turtle")
    assert len(parsed) >= 3


@pytest.mark.model
def test_query_from_an_rq_file(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    rq = tmp_path / "countries.rq"
    rq.write_text(COUNTRIES + "\n", encoding="utf-8")
    from_file = kg(runner, "query", rq, "-g", graph, "-f", "csv")
    inline = kg(runner, "query", COUNTRIES, "-g", graph, "-f", "csv")
    assert_ok(from_file)
    assert from_file.stdout == inline.stdout


@pytest.mark.model
@pytest.mark.parametrize(
    "query,needles",
    [
        ("SELECT ?x WHERE {\n  ?x ?y }", ("line 2",)),
        ("SELECT ?x WHERE { SERVICE <http://example.org/sparql> { ?x ?p ?o } }", ("SERVICE",)),
        ("SELECT ?x FROM <http://example.org/g> WHERE { ?x ?p ?o }", ("FROM",)),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", ("INSERT",)),
        ("", ("empty",)),
        ("missing.rq", ("missing.rq",)),
    ],
)
def test_bad_queries_fail_cleanly(
    runner: CliRunner, graph: Path, query: str, needles: tuple[str, ...]
) -> None:
    assert_clean_error(kg(runner, "query", query, "-g", graph), *needles)


def test_query_on_a_missing_graph_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    assert_clean_error(kg(runner, "query", COUNTRIES, "-g", tmp_path / "none.trig"), "none.trig")


def test_query_on_a_broken_graph_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    assert_clean_error(kg(runner, "query", COUNTRIES, "-g", broken), "broken.ttl")


# --------------------------------------------------------------------------------------- export


def parse_export(fmt: str, text: str) -> int:
    """Parse an export and return its size (triples, quads or edges)."""
    if fmt == "graphml":
        g = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
        return g.number_of_nodes()
    if fmt == "jsonld":
        json.loads(text)
        return len(Dataset().parse(data=text, format="json-ld"))
    if fmt in {"trig", "nquads"}:
        ds = Dataset()
        ds.parse(data=text, format=fmt)
        return len(list(ds.quads((None, None, None, None))))
    return len(Graph().parse(data=text, format={"turtle": "turtle", "nt": "nt"}[fmt]))


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "jsonld", "graphml"])
def test_export_every_format_to_stdout_and_to_a_file(
    runner: CliRunner, graph: Path, tmp_path: Path, fmt: str
) -> None:
    to_stdout = kg(runner, "export", "-f", fmt, "-g", graph)
    assert_ok(to_stdout)
    assert parse_export(fmt, to_stdout.stdout) > 0
    target = tmp_path / f"graph.{fmt}"
    to_file = kg(runner, "export", "-f", fmt, "-g", graph, "-o", target)
    assert_ok(to_file)
    assert to_file.stdout == ""
    assert target.read_text(encoding="utf-8") == to_stdout.stdout


def test_export_of_a_missing_graph_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    assert_clean_error(
        kg(runner, "export", "-g", tmp_path / "none.trig", "-o", target), "none.trig"
    )
    assert not target.exists()


def test_export_rejects_an_unknown_format(runner: CliRunner, tmp_path: Path) -> None:
    result = kg(runner, "export", "-f", "xml", "-g", tmp_path / "none.trig")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- extract, viz, eval


@pytest.mark.model
def test_extract_writes_json_lines(runner: CliRunner, tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        json.dumps({"id": "a", "text": "Nokia entered Brazil and Mexico."})
        + "\n"
        + json.dumps({"id": "b", "text": "Samsung has competed with Apple for years."})
        + "\n",
        encoding="utf-8",
    )
    target = tmp_path / "x.jsonl"
    result = kg(runner, "extract", docs, "-o", target, "-q")
    assert_ok(result)
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    a = records[0]
    names = [e["text"] for e in a["entities"]]
    assert names == ["Nokia", "Brazil", "Mexico"]
    assert {(names[r["head"]], r["predicate"], names[r["tail"]]) for r in a["relations"]} == {
        ("Nokia", "operatesIn", "Brazil"),
        ("Nokia", "operatesIn", "Mexico"),
    }
    to_stdout = kg(runner, "extract", docs, "-q")
    assert_ok(to_stdout)
    assert to_stdout.stdout == target.read_text(encoding="utf-8")


@pytest.mark.model
def test_viz_writes_html(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    target = tmp_path / "view.html"
    result = kg(runner, "viz", graph, "-o", target)
    assert_ok(result)
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Xiaomi" in html


@pytest.mark.model
@pytest.mark.parametrize("command", [["conflicts"], ["analyze"], ["timeline", "Xiaomi"]])
def test_the_graph_is_given_with_graph_or_as_the_old_positional(
    runner: CliRunner, graph: Path, command: list[str]
) -> None:
    with_option = kg(runner, *command, "--graph", graph)
    assert_ok(with_option)
    assert kg(runner, *command, "-g", graph).stdout == with_option.stdout
    assert kg(runner, *command, graph).stdout == with_option.stdout  # kg before --graph
    assert_clean_error(kg(runner, *command, graph, "-g", "other.trig"), "give the graph once")
    assert_clean_error(
        kg(runner, *command, "-g", graph, "--store", "oxigraph:store"), "--graph FILE or --store"
    )


@pytest.mark.model
def test_reading_commands_read_a_store_as_they_read_its_graph_file(
    runner: CliRunner, graph: Path, tmp_path: Path
) -> None:
    from kg.stores import open_store

    with open_store(f"oxigraph:{tmp_path / 'store'}", create=True) as store:
        store.load_file(graph)
    spec = f"oxigraph:{tmp_path / 'store'}"
    for command in (["analyze"], ["path", "Xiaomi", "Huawei"], ["conflicts"]):
        from_file = kg(runner, *command, "--graph", graph)
        assert_ok(from_file)
        from_store = kg(runner, *command, "--store", spec)
        assert_ok(from_store)
        assert from_store.stdout == from_file.stdout, command


@pytest.mark.model
def test_select_star_keeps_the_query_s_variable_order(runner: CliRunner, graph: Path) -> None:
    query = "SELECT * WHERE { ?zed a kgo:Company ; rdfs:label ?name } LIMIT 1"
    result = kg(runner, "query", query, "--graph", graph, "--format", "csv")
    assert_ok(result)
    assert result.stdout.splitlines()[0] == "zed,name"


def test_a_missing_query_file_points_at_saved_queries(runner: CliRunner, tmp_path: Path) -> None:
    graph = tmp_path / "empty.nt"
    graph.write_text("")
    assert_clean_error(kg(runner, "query", "nope.rq", "-g", graph), "nope.rq", "--name NAME")
    assert_clean_error(
        kg(runner, "query", "sanctions.rq", "-g", graph), "kg query --name sanctions"
    )


def test_counts_are_singular_for_one() -> None:
    from kg.errors import count

    assert count(1, "article") == "1 article"
    assert count(2, "article") == "2 articles"
    assert count(1_000, "entity", "entities") == "1,000 entities"
    assert count(0, "hop") == "0 hops"


def test_viz_of_a_missing_graph_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "view.html"
    assert_clean_error(kg(runner, "viz", tmp_path / "none.trig", "-o", target), "none.trig")
    assert not target.exists()


@pytest.mark.model
@pytest.mark.skipif(not GOLD.is_file(), reason="the seed gold standard is not available")
def test_eval_scores_the_sample_build(runner: CliRunner, graph: Path) -> None:
    text = kg(runner, "eval", GOLD, "--pred", graph)
    assert_ok(text)
    assert "Entities" in text.stdout and "Relations" in text.stdout
    as_json = kg(runner, "eval", GOLD, "--pred", graph, "-f", "json")
    assert_ok(as_json)
    report = json.loads(as_json.stdout)
    assert report["entities"]["overall"]["recall"] >= 0.9


def test_eval_of_unreadable_gold_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text("{not json", encoding="utf-8")
    assert_clean_error(kg(runner, "eval", gold), "gold.json")


# ------------------------------------------------------------------------------ add and remove


def test_add_and_remove_without_a_build_fail_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Acme Corp hired Jo Bloggs.\n")
    assert_clean_error(kg(runner, "add", tmp_path / "a.txt", "-o", tmp_path / "out"), "kg build")
    assert_clean_error(kg(runner, "remove", "a", "-o", tmp_path / "out"), "kg build")
    assert not (tmp_path / "out").exists()


@pytest.mark.model
def test_add_reports_and_remove_retracts(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Acme Corp, based in Paris, hired Jo Bloggs.\n")
    (tmp_path / "b.txt").write_text("Zorblax Corp, based in Berlin, sued Acme Corp.\n")
    assert_ok(kg(runner, "build", tmp_path / "a.txt", "-o", "out", "-q", "--no-html"))
    result = kg(runner, "add", tmp_path / "a.txt", tmp_path / "b.txt", "-o", "out", "--no-html")
    assert_ok(result)
    assert "added 1: b" in result.stdout and "unchanged 1: a" in result.stdout
    assert "Zorblax" in Path("out/kg.ttl").read_text()
    result = kg(runner, "remove", "b", "-o", "out", "--no-html")
    assert_ok(result)
    assert "removed 1: b" in result.stdout
    assert "Zorblax" not in Path("out/kg.ttl").read_text()
    assert_clean_error(kg(runner, "remove", "aa", "-o", "out"), "no article 'aa'", "Did you mean a")


def test_an_error_naming_brackets_is_printed_literally(runner: CliRunner, tmp_path: Path) -> None:
    # Rich markup in a message built from user input must not be interpreted.
    missing = tmp_path / "[/x] [bold]gone"
    line = assert_clean_error(kg(runner, "build", missing, "-o", tmp_path / "out"))
    assert "[/x] [bold]gone" in line


def test_the_progress_bar_shows_articles_per_second() -> None:
    from rich.progress import Progress

    from kg.cli.common import RateColumn

    progress = Progress(RateColumn())
    task = progress.add_task("Extracting", total=10)
    assert str(RateColumn().render(progress.tasks[0])) == ""  # no rate before any progress
    progress.advance(task)
    progress.advance(task, 3)
    assert str(RateColumn().render(progress.tasks[0])).endswith(" docs/s")


# ------------------------------------------------------------------------------ training scripts


@pytest.mark.parametrize("script", ["relations", "news", "ner"])
def test_training_scripts_fail_on_a_missing_input_in_one_line(script: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such.json")
    args = {
        "relations": ["--train", missing, "--dev", missing],
        "news": ["--conll", missing, "--news", missing],
        "ner": ["--train", missing, "--no-save"],
    }[script]
    result = subprocess.run(
        [sys.executable, "-m", f"kg.train.{script}", *args], capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "no-such.json: no such file" in lines[0] and "CoNLL04" in lines[0]


@pytest.mark.parametrize("script", ["relations", "news", "ner"])
def test_training_scripts_usage_has_no_doctest(script: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", f"kg.train.{script}", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m kg.train.{script}")
    assert (
        ">>>" not in result.stdout and "``" not in result.stdout and ":func:" not in result.stdout
    )
