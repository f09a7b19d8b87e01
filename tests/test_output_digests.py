"""Byte-identity of the build outputs, checked against recorded SHA-256 digests.

Two builds, each run as `kg build` in a fresh process: the sample corpus
(default options) and the first 500 Reuters-21578 train articles of 600 or
more characters (``--jobs 2``). Each output file (kg.ttl, kg.trig,
extractions.jsonl, kg.html) must hash to the digest recorded in
tests/data/output_digests.json, so a refactoring that changes a byte fails.

The Reuters texts are read at test time from ``../shared/datasets/reuters21578``
beside the repository (where CI checks it out); they are never copied into the
repository (that dataset's README). Without them the Reuters test skips, except
in CI (``CI=true``), where it fails. That build takes about 4 minutes on two
cores; it is marked ``slow``.

When the output is meant to change (a change to extraction, the graph or the
HTML view), rebuild and record the new digests, then commit the JSON with the
change and say why the outputs changed::

    python tests/test_output_digests.py --update             # both builds
    python tests/test_output_digests.py --update sample      # one of them
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "data" / "output_digests.json"
REUTERS = ROOT.parent / "shared" / "datasets" / "reuters21578" / "train.jsonl.gz"
#: The output files whose bytes are checked.
OUTPUTS = ("kg.ttl", "kg.trig", "extractions.jsonl", "kg.html")
#: The Reuters build: how many articles, and the shortest text taken.
REUTERS_ARTICLES = 500
REUTERS_MIN_CHARS = 600


def kg_build(paths: list[str], folder: Path, *options: str) -> dict[str, str]:
    """Run `kg build` in a fresh process in ``folder``; the SHA-256 of each output file.

    Input paths are given relative to ``folder``: a build records them as
    ``dcterms:source``, so an absolute temporary path would change the output.
    """
    command = [sys.executable, "-m", "kg.cli", "build", *paths, "-o", "out", "-q", *options]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's kg, even run from another
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    out = folder / "out"
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in OUTPUTS}


def reuters_sample(folder: Path) -> Path:
    """Write the first 500 Reuters articles of 600+ characters, unchanged, to a JSON Lines file."""
    lines: list[str] = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as source:
        for line in source:
            if len(json.loads(line)["text"]) >= REUTERS_MIN_CHARS:
                lines.append(line)
                if len(lines) == REUTERS_ARTICLES:
                    break
    assert len(lines) == REUTERS_ARTICLES, f"only {len(lines)} articles in {REUTERS}"
    path = folder / "reuters500.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def build_sample(folder: Path) -> dict[str, str]:
    """The digests of the default build of the sample corpus."""
    return kg_build([], folder)


def build_reuters(folder: Path) -> dict[str, str]:
    """The digests of the 500-article Reuters build, two processes."""
    return kg_build([reuters_sample(folder).name], folder, "--jobs", "2")


BUILDS: dict[str, Callable[[Path], dict[str, str]]] = {
    "sample": build_sample,
    "reuters500": build_reuters,
}


def recorded(name: str) -> dict[str, str]:
    digests: dict[str, dict[str, str]] = json.loads(DIGESTS.read_text(encoding="utf-8"))
    return digests[name]


def changed(expected: dict[str, str], got: dict[str, str]) -> list[str]:
    """The files whose digest differs, for a readable failure."""
    return [name for name in OUTPUTS if expected.get(name) != got.get(name)]


HINT = "if the change is meant, run: python tests/test_output_digests.py --update"


def test_sample_outputs_match_digests(tmp_path: Path) -> None:
    assert changed(recorded("sample"), build_sample(tmp_path)) == [], HINT


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.mark.slow
def test_reuters500_outputs_match_digests(tmp_path: Path) -> None:
    """About 4 minutes on two cores."""
    if not REUTERS.is_file():
        if in_ci():
            pytest.fail(f"missing {REUTERS} (check out ../shared beside the repository)")
        pytest.skip(f"no {REUTERS}")
    assert changed(recorded("reuters500"), build_reuters(tmp_path)) == [], HINT


def test_changed_names_the_differing_files() -> None:
    expected = dict.fromkeys(OUTPUTS, "0" * 64)
    assert changed(expected, {**expected, "kg.trig": "1" * 64}) == ["kg.trig"]
    assert changed(expected, dict(expected)) == []


def update(names: list[str]) -> None:
    """Rebuild the named corpora and record their digests."""
    import tempfile

    digests = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.is_file() else {}
    for name in names:
        with tempfile.TemporaryDirectory() as folder:
            digests[name] = BUILDS[name](Path(folder))
        print(f"{name}: {digests[name]}")
    DIGESTS.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Record the digests of the build outputs.")
    parser.add_argument("--update", action="store_true", required=True)
    parser.add_argument("names", nargs="*", help=f"which builds (default all): {', '.join(BUILDS)}")
    arguments = parser.parse_args()
    unknown = sorted(set(arguments.names) - set(BUILDS))
    if unknown:
        parser.error(f"unknown build {', '.join(unknown)}; choose from {', '.join(BUILDS)}")
    update(arguments.names or list(BUILDS))
