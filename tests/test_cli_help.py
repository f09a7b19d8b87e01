"""kg --help: one grammar for every command (the graph as --graph/-g FILE, examples,
defaults) and values named as a user types them, never as Python types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from kg.cli import app
from kg.cli.common import DEFAULT_GRAPH, VIEW_MAX_NODES
from kg.rdf.files import DEFAULT_GRAPH_PATH

#: Every command of the app (a new one is walked without changing this file).
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
#: The commands that write a build rather than read a graph.
WRITERS = {"build", "add", "remove", "extract"}
READERS = sorted(set(COMMANDS) - WRITERS)
#: What Typer prints for a Python type: <bool>, <str>, <path>, <list[str]>, <int range> [x>=0].
PYTHON_TYPE = re.compile(
    r"<(?:bool|str|int|float|path|list\[[^\]]*\]|[a-z]+ range)[^>]*>|list\[|\[x[<>]=|\{[a-z_]+\}"
)


def run_help(*args: str) -> Result:
    """``kg ARGS --help`` on a wide terminal, so no line of the option table wraps."""
    return CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "250"})


def option_row(text: str, option: str) -> str:
    """The help table's row of ``option`` (its first line, where Typer puts the default)."""
    rows = [line for line in text.splitlines() if re.match(rf"\W*{re.escape(option)}\b", line)]
    assert rows, (option, text)
    return rows[0]


def test_the_commands_are_walked() -> None:
    assert {"query", "export", "viz", "validate", "analyze", "path", "serve"} <= set(READERS)
    assert "eval" in READERS  # --graph is the build to score (--pred is the same option)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_has_an_example_and_no_python_types(command: str) -> None:
    result = run_help(command)
    assert result.exit_code == 0, result.output
    assert re.search(r"^ *Examples?: kg ", result.stdout, re.M), result.stdout
    found = PYTHON_TYPE.findall(result.stdout)
    assert not found, (command, found)
    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert "{" not in usage and "[OPTIONS]" in usage, usage


@pytest.mark.parametrize("command", READERS)
def test_every_reading_command_takes_the_graph_as_the_same_option(command: str) -> None:
    row = option_row(run_help(command).stdout, "--graph")
    assert re.search(r"--graph\S*\s+-g\s+FILE\b", row), row
    if command != "eval":  # eval's default is the sample build's graph for seeds gold only
        assert f"[default: {DEFAULT_GRAPH}]" in row, row
    param = next(p for p in COMMANDS[command].params if "--graph" in p.opts)
    assert "-g" in param.opts
    assert param.default in (DEFAULT_GRAPH_PATH, None)


@pytest.mark.parametrize("command", sorted(set(READERS) - {"eval"}))
def test_every_reading_command_can_read_a_store(command: str) -> None:
    assert "SPEC" in option_row(run_help(command).stdout, "--store")


def test_the_default_graph_is_defined_once() -> None:
    assert DEFAULT_GRAPH is DEFAULT_GRAPH_PATH
    for module in (Path(__file__).parents[1] / "kg" / "cli").glob("*.py"):
        assert module.read_text(encoding="utf-8").count('"output/kg.trig"') == 0, module


@pytest.mark.parametrize(
    "command,option,default",
    [
        ("viz", "--depth", "1"),
        ("viz", "--max-nodes", "5000"),
        ("viz", "--output", "output/kg.html"),
        ("path", "--max-hops", "no limit"),
        ("query", "--timeout", "30.0"),
        ("serve", "--port", "7878"),
        ("analyze", "--top", "10"),
        ("eval", "--limit", "all"),
    ],
)
def test_help_shows_the_defaults(command: str, option: str, default: str) -> None:
    row = option_row(run_help(command).stdout, option)
    assert re.search(rf"\[default: \(?{re.escape(default)}\)?\]", row), row


def test_the_view_limit_in_the_help_is_the_view_code_s() -> None:
    from kg.views import DEFAULT_MAX_NODES

    assert VIEW_MAX_NODES == DEFAULT_MAX_NODES


def test_kg_alone_prints_the_help_and_succeeds() -> None:
    result = CliRunner().invoke(app, [], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Usage: kg [OPTIONS] COMMAND" in result.stdout
    for command in COMMANDS:
        assert command in result.stdout
    assert not PYTHON_TYPE.findall(result.stdout)


def test_the_old_positional_graph_is_hidden_but_read() -> None:
    """kg viz GRAPH (the old spelling) still parses; the help shows only --graph."""
    text = run_help("viz").stdout
    assert "Arguments" not in text  # viz has no visible argument any more
    params = {p.name: p for p in COMMANDS["viz"].params}
    assert params["graph_arg"].hidden
