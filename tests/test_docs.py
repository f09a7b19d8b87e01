"""The documentation builds and its examples run as written.

MkDocs renders ``docs/`` (``mkdocs build --strict``: a broken link or a page left
out of the nav fails), and every ```bash and ```python block of the README and of
``docs/*.md`` runs, in order, in a fresh folder per page that holds the sample
build in ``output/`` and the repository's ``corpus/`` and ``eval/``, as a user's
clone does after ``kg build``. A block followed by a ```text block must print that
text (a line ``...`` stands for any lines; timings such as ``in 0.8 s`` may differ).

A comment on the line before a block changes what is checked:

- ``<!-- docs-test: skip REASON -->``: not run (a server, a download, an hour of
  training); REASON says why, and such commands are checked by hand.
- ``<!-- docs-test: exit N -->``: the block must end with exit code N (a check that
  reports a broken graph exits with 1).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_BLOCK = re.compile(
    r"(?:<!-- docs-test: (?P<marker>[^>]*?) -->\n)?"
    r"```(?P<lang>bash|python)\n(?P<code>.*?)```"
    r"(?:\s*```text\n(?P<shown>.*?)```)?",
    re.S,
)
_TIMING = re.compile(r"\bin \d+(?:\.\d+)? s\b")


@dataclass(frozen=True)
class Example:
    """One runnable block of a page, with what it must print and exit with."""

    lang: str
    code: str
    shown: str | None
    skip: str | None
    exit_code: int
    line: int


def examples(page: Path) -> list[Example]:
    """The ```bash and ```python blocks of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    found = []
    for m in _BLOCK.finditer(text):
        marker = (m["marker"] or "").strip()
        skip = None
        if marker.startswith("skip"):
            skip = marker.removeprefix("skip").strip() or "no reason"
        exit_code = int(marker.split()[1]) if marker.startswith("exit") else 0
        line = text.count("\n", 0, m.start("code"))
        found.append(Example(m["lang"], m["code"], m["shown"], skip, exit_code, line))
    return found


def _line(shown: str) -> str:
    """The pattern of one shown line: ``...`` in it stands for any characters."""
    parts = _TIMING.sub("in N s", shown.rstrip()).split("...")
    return r"[^\n]*?".join(re.escape(part) for part in parts) + r"\n"


def matches(shown: str, printed: str) -> bool:
    """Whether ``printed`` is what ``shown`` shows: a line ``...`` stands for any lines,
    ``...`` in a line for any characters; timings and trailing spaces may differ."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "..." else _line(line) for line in shown.splitlines()
    )
    printed = "".join(_TIMING.sub("in N s", line.rstrip()) + "\n" for line in printed.splitlines())
    return re.fullmatch(pattern, printed) is not None


def _clone(folder: Path, sample_build: Path) -> None:
    """What a clone holds after ``kg build``: the sample build, the corpus and the gold data."""
    shutil.copytree(ROOT / "corpus", folder / "corpus")
    (folder / "eval").symlink_to(ROOT / "eval", target_is_directory=True)
    shutil.copytree(sample_build, folder / "output")


def _run(example: Example, folder: Path) -> subprocess.CompletedProcess[str]:
    # the kg of this Python first on the PATH; a fixed width for rich's tables
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = dict(os.environ, COLUMNS="80", PATH=path)
    if example.lang == "bash":
        command = ["bash", "-c", "set -euo pipefail\n" + example.code]
    else:
        command = [sys.executable, "-c", example.code]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_the_pages_have_examples_to_run() -> None:
    for page in PAGES:
        if page.name in ("README.md", "commands.md", "sparql.md", "data-model.md"):
            assert [e for e in examples(page) if e.skip is None], page.name


def test_shown_text_matches_only_what_it_shows() -> None:
    shown = "3 hops\n...\nchecked ... triples in 0.8 s.\n"
    assert matches(shown, "3 hops\nchecked 6 triples in 1.9 s.\n")
    assert matches(shown, "3 hops\na\nb  \nchecked 6 triples in 12 s.\n")
    assert not matches(shown, "2 hops\nchecked 6 triples in 0.8 s.\n")
    assert not matches(shown, "3 hops\nchecked 6 triples in 0.8 s.\nmore\n")
    assert not matches("(3 rows)\n", "(3 rows)\n(4 rows)\n")


def test_a_skipped_example_says_why() -> None:
    for page in PAGES:
        for example in examples(page):
            assert example.skip != "no reason", f"{page.name}:{example.line}"


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_examples_of_a_page_run_as_written(
    page: Path, sample_build: Path, tmp_path: Path
) -> None:
    runnable = [e for e in examples(page) if e.skip is None]
    if not runnable:
        pytest.skip(f"{page.name} has no example to run")
    _clone(tmp_path, sample_build)
    failures = []
    for example in runnable:
        done = _run(example, tmp_path)
        where = f"{page.name}:{example.line}"
        if done.returncode != example.exit_code:
            failures.append(f"{where} exited {done.returncode}:\n{example.code}\n{done.stderr}")
        elif example.shown is not None and not matches(example.shown, done.stdout):
            failures.append(f"{where} printed:\n{done.stdout}\ninstead of:\n{example.shown}")
    assert not failures, "\n\n".join(failures)


def test_mkdocs_builds_the_docs_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "commands" / "index.html").is_file()


def test_the_nav_lists_every_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"(?m)^\s*- [^:\n]+: (\S+\.md)\s*$", config))
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}
