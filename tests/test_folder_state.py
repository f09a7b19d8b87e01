"""A build folder's state is data, not orders: damage is one line, a remote store must be named.

Builds use the model-free extraction of tests/folder_fakes.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folder_fakes
import pytest
from typer.testing import CliRunner

from kg.build.folder import state_dir
from kg.build.state import load_state
from kg.cli import app
from kg.errors import StateError


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    folder_fakes.install(monkeypatch)


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    from kg.build.pipeline import build

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in {"alpha": "Zorblax Corp hired Jo.", "beta": "Vantor Labs grew."}.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "private.txt").write_text("Secret Corp plans a merger.", encoding="utf-8")
    build([folder], out_dir=tmp_path / "out", html=False)
    return tmp_path / "out"


def set_option(out: Path, **options: Any) -> None:
    path = state_dir(out) / "state.json"
    meta = json.loads(path.read_text())
    meta["options"].update(options)
    path.write_text(json.dumps(meta))


def kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def one_error(output: str, *needles: str) -> None:
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in output, output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


# ----------------------------------------------------------------- where data is sent


@pytest.mark.parametrize("url", ["sparql+http://127.0.0.1:9/", "sparql+https://evil.example/"])
def test_a_remote_store_named_by_the_state_alone_is_refused(out: Path, url: str) -> None:
    set_option(out, store=url)
    before = (out / "kg.trig").read_bytes()
    code, output = kg("add", str(out.parent / "private.txt"), "-o", str(out), "-q")
    assert code == 2
    one_error(output, "remote store", "--store")
    code, output = kg("remove", "alpha", "-o", str(out), "-q")
    assert code == 2
    one_error(output, "remote store", "--store")
    assert (out / "kg.trig").read_bytes() == before
    assert "private" not in load_state(out).extractions


def test_a_store_named_on_the_command_line_replaces_the_states(out: Path) -> None:
    set_option(out, store="sparql+http://127.0.0.1:9/")
    store = out / "store"  # a local store: named again, the remote one is dropped
    code, output = kg("add", str(out.parent / "private.txt"), "-o", str(out), "-q",
                      "--store", f"oxigraph:{store}")  # fmt: skip
    assert code == 0, output
    assert load_state(out).options.store == f"oxigraph:{store.resolve()}"
    assert store.is_dir()


def test_a_local_store_of_the_build_is_kept(out: Path) -> None:
    from kg.build.updates import remove

    set_option(out, store=f"oxigraph:{(out / 'store').resolve()}")
    remove(["alpha"], out_dir=out, html=False)
    assert (out / "store").is_dir()


# ---------------------------------------------------------------------- damaged state


def edit_line(change: Callable[[dict[str, Any]], object]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        first, *rest = text.splitlines()
        record = json.loads(first)
        change(record)
        return "\n".join([json.dumps(record), *rest]) + "\n"

    return edit


DAMAGE: dict[str, tuple[str, Callable[[str], str]]] = {
    "truncated line": ("extractions.jsonl", lambda text: text[: len(text) // 2]),
    "not JSON": ("extractions.jsonl", lambda text: "nonsense\n" + text),
    "a number as text": (
        "extractions.jsonl",
        edit_line(lambda r: r["mentions"][0].update(start="zero")),
    ),
    "missing key": ("extractions.jsonl", edit_line(lambda r: r["article"].pop("text"))),
    "a list for a record": ("extractions.jsonl", edit_line(lambda r: r.update(article=[1]))),
    "a mention it lacks": (
        "extractions.jsonl",
        edit_line(
            lambda r: r.update(
                relations=[
                    {
                        "head": 0,
                        "tail": 7,
                        "predicate": "sues",
                        "confidence": 0.9,
                        "evidence": [0, 3],
                    }
                ]
            )
        ),
    ),
    "a bad sentence": ("extractions.jsonl", edit_line(lambda r: r.update(sentences=[[0]]))),
    "state.json a list": ("state.json", lambda text: "[1, 2]"),
    "options a string": ("state.json", lambda text: text.replace('"options": {', '"x": {', 1)),
    "hashes of numbers": (
        "state.json",
        lambda text: json.dumps({**json.loads(text), "articles": {"alpha": 1, "beta": 2}}),
    ),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damaged_state_is_one_line(out: Path, name: str) -> None:
    file, damage = DAMAGE[name]
    path = state_dir(out) / file
    path.write_text(damage(path.read_text()))
    with pytest.raises(StateError, match="is damaged") as caught:
        load_state(out)
    message = str(caught.value)
    assert "\n" not in message and f"rebuild with `kg build ARTICLES -o {out}`" in message
    code, output = kg("add", str(out.parent / "private.txt"), "-o", str(out), "-q")
    assert code == 2
    one_error(output, "the build state in", "is damaged")
    code, output = kg("remove", "alpha", "-o", str(out), "-q")
    assert code == 2
    one_error(output, "is damaged")
