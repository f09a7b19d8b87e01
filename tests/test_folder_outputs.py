"""What a command writes never destroys its inputs, stale files go, commits are all or nothing.

Builds use the model-free extraction of tests/folder_fakes.py (milliseconds each).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import folder_fakes
import pytest
from outputs import snapshot
from typer.testing import CliRunner

from kg.build.folder import state_dir
from kg.build.state import load_state
from kg.cli import app
from kg.errors import OutputError

ARTICLES = {
    "alpha": "Zorblax Corp hired Mara Quell in Paris.\n",
    "beta": "Vantor Systems opened an office in Berlin.\n",
    "gamma": "Quell Labs sued Vantor Systems in March.\n",
}


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    folder_fakes.install(monkeypatch)


@pytest.fixture()
def corpus(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "articles"
    folder.mkdir()
    paths = {}
    for name, text in ARTICLES.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture()
def out(tmp_path: Path, corpus: dict[str, Path]) -> Path:
    from kg.build.pipeline import build

    build([corpus["alpha"], corpus["beta"]], out_dir=tmp_path / "out")
    return tmp_path / "out"


def kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def one_error(output: str, *needles: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in output, output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


# ------------------------------------------------------------------ outputs that are inputs


def test_export_refuses_to_overwrite_its_graph(out: Path) -> None:
    before = (out / "kg.trig").read_bytes()
    code, output = kg("export", "--format", "nt", "--graph", str(out / "kg.trig"),
                      "-o", str(out / "kg.trig"))  # fmt: skip
    assert code != 0
    one_error(output, "is also an input")
    assert (out / "kg.trig").read_bytes() == before


@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["symlink", "hard-link"])
def test_export_and_viz_refuse_other_names_of_their_input(out: Path, link: object) -> None:
    other = out.parent / "other.trig"
    link(out / "kg.trig", other)  # type: ignore[operator]
    before = (out / "kg.trig").read_bytes()
    code, output = kg("export", "-f", "nquads", "--graph", str(out / "kg.trig"), "-o", str(other))
    assert code != 0
    one_error(output, "is also an input")
    code, output = kg("viz", str(other), "-o", str(out / "kg.trig"))
    assert code != 0
    one_error(output, "is also an input")
    assert (out / "kg.trig").read_bytes() == before


def test_viz_refuses_to_overwrite_its_query_file(out: Path) -> None:
    query = out.parent / "q.rq"
    query.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    code, output = kg("viz", str(out / "kg.trig"), "--query", str(query), "-o", str(query))
    assert code != 0
    one_error(output, "is also an input")
    assert query.read_text().startswith("CONSTRUCT")


def test_build_refuses_a_gazetteer_it_would_overwrite(out: Path, corpus: dict[str, Path]) -> None:
    before = snapshot(out)
    code, output = kg("build", str(corpus["alpha"]), "-o", str(out),
                      "--gazetteer", str(out / "kg.ttl"), "-q")  # fmt: skip
    assert code != 0
    one_error(output, "is also an input")
    assert snapshot(out) == before


def test_build_refuses_an_article_it_would_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "extractions.jsonl").write_text('{"id": "d1", "text": "Acme Corp hired Jo."}\n')
    code, output = kg("build", str(out / "extractions.jsonl"), "-o", str(out), "-q")
    assert code != 0
    one_error(output, "is also an input")
    assert (out / "extractions.jsonl").read_text().startswith('{"id": "d1"')


# ------------------------------------------------------------------------- stale kg.html


def test_remove_without_html_removes_the_stale_page(out: Path) -> None:
    assert "alpha" in (out / "kg.html").read_text()
    code, output = kg("remove", "alpha", "-o", str(out), "--no-html", "-q")
    assert code == 0, output
    assert not (out / "kg.html").exists()


def test_a_build_without_html_into_an_old_folder_removes_its_page(
    out: Path, corpus: dict[str, Path]
) -> None:
    from kg.build.pipeline import build
    from kg.build.updates import add

    build([corpus["beta"]], out_dir=out, html=False)
    assert not (out / "kg.html").exists()
    add([corpus["gamma"]], out_dir=out)  # with the page again: it is written
    assert "gamma" in (out / "kg.html").read_text()


# ------------------------------------------------------------------- all-or-nothing commits


@pytest.mark.parametrize("target", ["kg.trig", "kg.html", "extractions.jsonl"])
def test_a_folder_at_an_output_path_changes_nothing(
    out: Path, corpus: dict[str, Path], target: str
) -> None:
    from kg.build.updates import add

    (out / target).unlink()
    (out / target).mkdir()
    (out / target / "keep.txt").write_text("mine")
    before = snapshot(out)
    with pytest.raises(OutputError, match="is a folder where the build writes a file"):
        add([corpus["gamma"]], out_dir=out)
    assert snapshot(out) == before
    assert not (state_dir(out) / "commit.json").exists()
    (out / target / "keep.txt").unlink()
    (out / target).rmdir()
    assert add([corpus["gamma"]], out_dir=out).added == ("gamma",)  # nothing left to recover


def test_a_file_where_the_shards_folder_goes_changes_nothing(out: Path) -> None:
    from kg.build.outputs import write_outputs
    from kg.build.resolution import assemble

    state = load_state(out)
    sharded = assemble(replace(state, options=replace(state.options, shards=True)))
    (out / "shards").write_text("not a folder")
    before = snapshot(out)
    with pytest.raises(OutputError, match="is a file where the build writes a folder"):
        write_outputs(sharded, out)
    assert snapshot(out) == before


def test_shards_follow_add_and_remove_and_go_with_a_plain_build(
    out: Path, corpus: dict[str, Path], tmp_path: Path
) -> None:
    from kg.build.cluster import write_local_shards
    from kg.build.outputs import write_outputs
    from kg.build.pipeline import build
    from kg.build.resolution import assemble
    from kg.build.updates import add, remove

    state = load_state(out)
    write_outputs(assemble(replace(state, options=replace(state.options, shards=True))), out)
    assert load_state(out).options.shards
    add([corpus["gamma"]], out_dir=out)
    remove(["alpha"], out_dir=out)
    # The shards are those a cluster build of the articles left would write.
    expected = tmp_path / "expected"
    result = assemble(load_state(out))
    write_local_shards(result.entities, result.resolved, expected, base=result.base)
    assert snapshot(out / "shards") == snapshot(expected)
    assert "gamma" in snapshot(out / "shards")["part-00000.nq"].decode()
    assert "graph/alpha>" not in b"".join(snapshot(out / "shards").values()).decode()
    build([corpus["beta"]], out_dir=out)  # not on a cluster: the old shards go
    assert not list((out / "shards").glob("*.nq"))
