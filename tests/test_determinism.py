"""Determinism: the same articles give byte-identical files, however the build is run.

Every file a build writes (kg.ttl, kg.trig, extractions.jsonl, kg.html and the
build state in .kg/) must not depend on the order the input files are given or
listed in, on the number of processes (``--jobs``), on Python's hash seed
(``PYTHONHASHSEED``), on the order the state holds its articles, or on whether
the build was made at once or grown with ``kg add``. The corpus is the sample
corpus plus ten generated articles that share companies, people and places
(benchmarks/synthetic.py), under file names that sort differently as bytes, as
ids and in the folder's listing order, two folders deep.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from outputs import snapshot

pytestmark = pytest.mark.model

KG = [sys.executable, "-m", "kg.cli"]
#: File names of the generated articles: upper and lower case, digits that sort
#: as text ("10" < "9"), accents that the id keeps ("Éclair" -> Éclair).
NAMES = ["Zeta", "alpha", "Éclair", "10-ten", "9-nine", "beta", "Omega", "delta", "Ärger", "gamma"]
#: Of which these go one folder deeper.
NESTED = {"Omega", "9-nine", "alpha", "Ärger"}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """The files that differ, for a readable failure."""
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, synthetic: Any) -> Path:
    """The corpus folder, its files written in a shuffled order (so listing order is not sorted)."""
    from kg.ingest import sample_corpus

    root = tmp_path_factory.mktemp("determinism") / "articles"
    (root / "Sub").mkdir(parents=True)
    files: list[tuple[Path, str]] = [
        (root / path.name, path.read_text(encoding="utf-8")) for path in sample_corpus()
    ]
    for name, article in zip(NAMES, synthetic.generate(len(NAMES), seed=5), strict=True):
        folder = root / "Sub" if name in NESTED else root
        files.append((folder / f"{name}.txt", article.text))
    random.Random(3).shuffle(files)
    for path, text in files:
        path.write_text(text, encoding="utf-8")
    return root


def article_files(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.txt"))


def kg_build(paths: list[Path], out: Path, *, seed: str, jobs: int) -> dict[str, bytes]:
    """Run `kg build` in a fresh process and return the files it wrote."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    command = [*KG, "build", *map(str, paths), "-o", str(out), "-q", "--jobs", str(jobs)]
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return snapshot(out)


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The folder built in one process, hash seed 0."""
    return kg_build([corpus], tmp_path_factory.mktemp("ref") / "out", seed="0", jobs=1)


def test_the_corpus_shares_entities_between_articles(reference: dict[str, bytes]) -> None:
    # Otherwise resolution across articles, where order could leak in, is not exercised.
    import json

    records = [json.loads(line) for line in reference["extractions.jsonl"].splitlines()]
    assert len(records) == len(NAMES) + 2
    nodes = [{e["node"] for e in r["entities"]} for r in records]
    shared = {n for i, a in enumerate(nodes) for b in nodes[i + 1 :] for n in a & b}
    assert len(shared) >= 3
    assert {r["id"] for r in records} >= {"Éclair", "Ärger", "10-ten", "9-nine"}


@pytest.mark.parametrize(
    "seed,jobs,order",
    [
        ("1", 2, "shuffled files"),
        ("random", 2, "folders reversed"),
    ],
)
def test_files_are_the_same_whatever_the_order_jobs_and_hash_seed(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, seed: str, jobs: int, order: str
) -> None:
    files = article_files(corpus)
    if order == "shuffled files":
        random.Random(7).shuffle(files)
        paths = files
    else:  # the nested folder first, the top folder's files in reverse, one file twice
        top = [f for f in files if f.parent == corpus]
        paths = [corpus / "Sub", *reversed(top), files[0]]
    built = kg_build(paths, tmp_path / "out", seed=seed, jobs=jobs)
    assert set(built) >= {"kg.ttl", "kg.trig", "kg.html", "extractions.jsonl", ".kg/state.json"}
    assert not differences(built, reference)


def test_the_order_of_the_build_state_does_not_matter(
    reference: dict[str, bytes], tmp_path: Path
) -> None:
    """Resolving and writing a state whose articles come in reverse order gives the same files."""
    from dataclasses import replace

    from kg.build.outputs import write_outputs
    from kg.build.resolution import assemble
    from kg.build.state import load_state

    held = tmp_path / "held"
    for name, data in reference.items():
        (held / name).parent.mkdir(parents=True, exist_ok=True)
        (held / name).write_bytes(data)
    state = load_state(held)
    backwards = replace(
        state,
        extractions=dict(reversed(state.extractions.items())),
        hashes=dict(reversed(state.hashes.items())),
    )
    assert list(backwards.extractions) != list(state.extractions)
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        write_outputs(assemble(backwards), out, jobs=jobs)
        assert not differences(snapshot(out), reference), jobs


def test_a_build_grown_with_kg_add_is_the_same_to_the_byte(
    corpus: Path, reference: dict[str, bytes], fast_model: None, tmp_path: Path
) -> None:
    """kg build of some articles, then kg add of the rest in two steps, equals one build."""
    from kg.build.pipeline import build
    from kg.build.updates import add

    files = article_files(corpus)
    random.Random(11).shuffle(files)
    out = tmp_path / "out"
    build(files[:5], out_dir=out)
    add(files[5:9], out_dir=out)
    add([corpus], out_dir=out)  # the rest, and the known ones again
    assert not differences(snapshot(out), reference)


def test_a_copy_of_the_corpus_elsewhere_differs_only_in_sources(
    corpus: Path, reference: dict[str, bytes], fast_model: None, tmp_path: Path
) -> None:
    """The only trace of where the files were is each document's dcterms:source."""
    from kg.build.pipeline import build

    moved = tmp_path / "elsewhere"
    shutil.copytree(corpus, moved)
    out = tmp_path / "out"
    build([moved], out_dir=out)
    built = snapshot(out)
    old, new = str(corpus).encode(), str(moved).encode()
    for name in ("kg.ttl", "kg.trig", "extractions.jsonl"):
        assert built[name] == reference[name].replace(old, new), name
