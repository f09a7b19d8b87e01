"""The README is a short front page, and every SPARQL example in it and in docs/ runs
as written and prints what the page shows. (tests/test_docs.py runs the pages'
shell and Python examples and builds the MkDocs site.)"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from kg.query import format_result, run_query
from kg.rdf.load import load_graph

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLE = re.compile(r"```sparql\n(?P<query>.*?)```\s*```text\n(?P<table>.*?)```", re.S)
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def examples(page: Path) -> list[tuple[str, str]]:
    return [(m["query"], m["table"]) for m in EXAMPLE.finditer(page.read_text(encoding="utf-8"))]


def all_examples() -> list[tuple[str, str, str]]:
    return [(page.name, query, table) for page in PAGES for query, table in examples(page)]


def setup_section() -> str:
    return README.read_text(encoding="utf-8").split("## Set up", 1)[1].split("\n## ", 1)[0]


def test_the_readme_and_the_cookbook_have_sparql_examples() -> None:
    assert len(examples(README)) >= 1
    assert len(examples(ROOT / "docs" / "sparql.md")) >= 5


def test_the_readme_gives_exactly_two_setup_commands() -> None:
    commands = re.findall(r"```bash\n(.*?)```", setup_section(), re.S)
    assert len(commands) == 2
    assert all(len(c.strip().splitlines()) == 1 for c in commands)
    assert commands[0].strip().endswith("kg build")
    assert "pytest" in commands[1]


def test_the_readme_says_how_long_the_tests_take() -> None:
    assert re.search(r"tests \(about \d+ minutes", setup_section())


def test_ci_runs_the_readme_test_command() -> None:
    test_command = re.findall(r"```bash\n(.*?)```", setup_section(), re.S)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_the_readme_is_a_short_front_page_with_contents() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 250
    headings = re.findall(r"(?m)^## (.+)$", text)
    contents = text.split("## Contents\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"\]\(#([^)]+)\)", contents)
    assert listed == [_anchor(h) for h in headings if h != "Contents"]


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_the_readme_shows_the_three_main_uses() -> None:
    text = README.read_text(encoding="utf-8")
    for heading in ("kg query", "kg.html", "kg export"):
        assert re.search(rf"(?m)^## .*{re.escape(heading)}", text), heading


def test_the_readme_links_every_docs_page_and_every_link_resolves() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#", 1)[0]).resolve()
            assert path.exists(), f"{page.name} links to {target}, which does not exist"
    linked = {Path(t.split("#", 1)[0]).name for t in LINK.findall(README.read_text("utf-8"))}
    assert {p.name for p in (ROOT / "docs").glob("*.md") if p.name != "index.md"} <= linked


def test_the_screenshot_is_a_small_png() -> None:
    shot = re.search(r"!\[[^\]]+\]\((docs/images/[^)]+\.png)\)", README.read_text("utf-8"))
    assert shot is not None
    data = (ROOT / shot.group(1)).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 800 and height >= 400
    assert len(data) < 300_000


@pytest.mark.model
@pytest.mark.parametrize(
    "page,query,table", all_examples(), ids=lambda s: s.strip().splitlines()[0][:40]
)
def test_a_sparql_example_prints_what_its_page_shows(
    sample_build: Path, page: str, query: str, table: str
) -> None:
    dataset = load_graph(sample_build / "kg.trig")
    assert format_result(run_query(dataset, query), format="table") == table
