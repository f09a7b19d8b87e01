"""Every SPARQL example in the README runs as written and prints what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.query import format_result, run_query
from kg.store import load_graph

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"```sparql\n(?P<query>.*?)```\s*```text\n(?P<table>.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    return [(m["query"], m["table"]) for m in EXAMPLE.finditer(README.read_text(encoding="utf-8"))]


def test_the_readme_has_sparql_examples() -> None:
    assert len(examples()) >= 5


def test_the_readme_gives_exactly_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(commands) == 2
    assert all(len(c.strip().splitlines()) == 1 for c in commands)
    assert commands[0].strip().endswith("kg build")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    test_command = re.findall(r"```bash\n(.*?)```", section, re.S)[1].strip()
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


@pytest.mark.model
@pytest.mark.parametrize("query,table", examples(), ids=lambda s: s.strip().splitlines()[0][:40])
def test_readme_example_prints_what_the_readme_shows(
    sample_build: Path, query: str, table: str
) -> None:
    dataset = load_graph(sample_build / "kg.trig")
    assert format_result(run_query(dataset, query), format="table") == table
