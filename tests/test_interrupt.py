"""Interruptions: Ctrl-C or a kill during `kg build` or `kg add` never loses the previous build.

A build's files are staged and then committed together (kg.build.transaction.output_transaction).
The tests below run the real command in a subprocess through tests/kg_paused.py POINT
(kg.build.checkpoints.checkpoint): kg stops itself at that point and says so on stderr, and the
test then sends SIGINT (to the process group, as Ctrl-C in a terminal does) or SIGKILL,
so every interruption lands at a known place instead of after a guessed delay. After
it: the previous files (kg.ttl, kg.trig, kg.html, extractions.jsonl, .kg/) are byte
for byte what they were, with no stray file; they parse with pyoxigraph; `kg query`
works on them; the Oxigraph store the build publishes to opens and holds the same
graph; and the next run completes and equals a clean build of the same articles.
The first tests need no model: they check the transaction itself.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from outputs import snapshot
from typer.testing import CliRunner

from kg.build.checkpoints import set_pause_hook
from kg.build.folder import COMMIT_FILE, PUBLISH_FILE, STAGING_DIR, state_dir
from kg.build.lock import _locked
from kg.build.transaction import _interrupts_ignored, output_transaction, recover
from kg.cli import app
from kg.errors import OutputError, StateError
from kg.stores.home import mirrored

KG = [sys.executable, "-m", "kg.cli"]
#: kg, stopped at the checkpoint given as its first argument.
PAUSED_KG = [sys.executable, str(Path(__file__).with_name("kg_paused.py"))]
#: Ctrl-C, and a kill that nothing can catch.
SIGNALS = [
    pytest.param(signal.SIGINT, id="ctrl-c"),
    pytest.param(signal.SIGKILL, id="kill"),
]


# ------------------------------------------------------------------ the transaction (no model)


def test_an_error_while_staging_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_transaction(out) as stage:
        (stage / "kg.ttl").write_text("old")
        (stage / ".kg").mkdir()
        (stage / ".kg" / "state.json").write_text("{}")
    before = snapshot(out)
    assert set(before) == {"kg.ttl", ".kg/state.json"}
    stops: list[tuple[BaseException, type[BaseException]]] = [
        (OSError(errno.ENOSPC, "No space left on device"), OutputError),  # a full disk
        (ValueError("a bug"), ValueError),
        (KeyboardInterrupt(), KeyboardInterrupt),
    ]
    for stop, raised in stops:
        with pytest.raises(raised), output_transaction(out) as stage:
            (stage / "kg.ttl").write_text("new")
            (stage / "kg.trig").write_text("new")
            raise stop
        assert snapshot(out) == before


def test_an_interrupted_first_write_leaves_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    with pytest.raises(KeyboardInterrupt), output_transaction(out) as stage:
        (stage / "kg.ttl").write_text("new")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_committed_write_is_finished_by_recover(tmp_path: Path) -> None:
    # What a kill between two renames leaves: a commit record, one file moved, two staged.
    out = tmp_path / "out"
    meta = state_dir(out)
    staging = meta / STAGING_DIR
    (staging / ".kg").mkdir(parents=True)
    (out / "kg.ttl").write_text("new ttl")
    (out / "kg.trig").write_text("old trig")
    (staging / "kg.trig").write_text("new trig")
    (staging / ".kg" / "state.json").write_text("new state")
    (meta / "state.json").write_text("old state")
    (meta / COMMIT_FILE).write_text(json.dumps(["kg.trig", "kg.ttl", ".kg/state.json"]))
    recover(out)
    assert snapshot(out) == {
        "kg.trig": b"new trig",
        "kg.ttl": b"new ttl",
        ".kg/state.json": b"new state",
    }


def test_a_committed_write_removes_the_files_it_drops(tmp_path: Path) -> None:
    # A build without --candidates after one with: candidates.trig goes with the commit.
    out = tmp_path / "out"
    with output_transaction(out) as stage:
        (stage / "kg.trig").write_text("old trig")
        (stage / "candidates.trig").write_text("old candidates")
    with output_transaction(out, remove=["candidates.trig"]) as stage:
        (stage / "kg.trig").write_text("new trig")
    assert snapshot(out) == {"kg.trig": b"new trig"}
    # ... also when a kill stopped it after the commit point: recover finishes it
    (out / "candidates.trig").write_text("old candidates")
    meta = state_dir(out)
    (meta / STAGING_DIR).mkdir(parents=True)
    (meta / STAGING_DIR / "kg.trig").write_text("newer trig")
    record = {"files": ["kg.trig"], "remove": ["candidates.trig"]}
    (meta / COMMIT_FILE).write_text(json.dumps(record))
    recover(out)
    assert snapshot(out) == {"kg.trig": b"newer trig"}


def test_staged_files_without_a_commit_record_are_dropped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".kg" / STAGING_DIR).mkdir(parents=True)
    (out / ".kg" / STAGING_DIR / "kg.ttl").write_text("half")
    (out / "kg.ttl").write_text("old")
    recover(out)
    assert snapshot(out) == {"kg.ttl": b"old"}


@pytest.mark.parametrize(
    "record",
    [
        "{not json",
        '["../../escape.txt"]',
        '"kg.ttl"',
        "[1]",
        '{"files": ["kg.ttl"], "remove": ["../../escape.txt"]}',
        '{"remove": []}',
    ],
)
def test_a_damaged_commit_record_is_refused(tmp_path: Path, record: str) -> None:
    meta = state_dir(tmp_path)
    (meta / STAGING_DIR).mkdir(parents=True)
    (meta / COMMIT_FILE).write_text(record)
    with pytest.raises(StateError, match="interrupted write is damaged"):
        recover(tmp_path)
    assert not (tmp_path.parent / "escape.txt").exists()


def test_one_process_writes_a_build_at_a_time(tmp_path: Path) -> None:
    with output_transaction(tmp_path) as stage:
        (stage / "kg.ttl").write_text("old")
    state_dir(tmp_path).mkdir()
    with _locked(state_dir(tmp_path)):  # what another process writing it holds
        with (
            pytest.raises(StateError, match="another kg process is writing"),
            output_transaction(tmp_path) as stage,
        ):
            (stage / "kg.ttl").write_text("new")
        (state_dir(tmp_path) / STAGING_DIR).mkdir()  # its staged files: left alone
        with pytest.raises(StateError, match="another kg process is writing"):
            recover(tmp_path)
        assert (state_dir(tmp_path) / STAGING_DIR).is_dir()
    assert (tmp_path / "kg.ttl").read_text() == "old"


def test_ctrl_c_during_the_renames_is_ignored() -> None:
    got: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: got.append(number))
    try:
        with _interrupts_ignored():
            os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)  # the handler is back once the block ends
    finally:
        signal.signal(signal.SIGINT, previous)
    assert got == [signal.SIGINT]


def test_a_ctrl_c_the_main_thread_learns_of_late_is_never_half_done(tmp_path: Path) -> None:
    # Another thread (RocksDB's, OpenBLAS's) may take the signal; Python then raises it in
    # the main thread a little later: here at the first call after the "staged" point.
    # The write is undone or completed, never left staged (kg.build.transaction._commit).
    out = tmp_path / "new" / "out"
    late = {"staged": False, "sent": False}

    def staged(point: str) -> None:
        late["staged"] = late["staged"] or point == "staged"

    def ctrl_c(_frame: Any, event: str, _arg: Any) -> None:
        if late["staged"] and not late["sent"] and event in {"call", "c_call"}:
            late["sent"] = True
            os.kill(os.getpid(), signal.SIGINT)

    previous = set_pause_hook(staged)
    sys.setprofile(ctrl_c)
    try:
        with suppress(KeyboardInterrupt), output_transaction(out) as stage:
            (stage / "kg.ttl").write_text("new")
    finally:
        sys.setprofile(None)
        set_pause_hook(previous)
    assert late["sent"]
    if (tmp_path / "new").exists():
        assert sorted(p.name for p in out.iterdir()) == ["kg.ttl"]
        assert (out / "kg.ttl").read_text() == "new"


# ----------------------------------------------------------------------- real runs (model)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, synthetic: Any) -> dict[str, Path]:
    """Six generated articles: ``first`` holds four, ``more`` two (sharing entities with them)."""
    root = tmp_path_factory.mktemp("articles")
    articles = synthetic.generate(6, seed=11)
    folders = {"first": root / "first", "more": root / "more"}
    for folder, part in ((folders["first"], articles[:4]), (folders["more"], articles[4:])):
        folder.mkdir()
        for article in part:
            (folder / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
    return folders


@pytest.fixture(scope="module")
def reference(
    corpus: dict[str, Path], fast_model: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, bytes]]:
    """Uninterrupted runs over all six articles, with and without kg.html: ``"build True"``
    is a clean build, ``"add True"`` a build of the first four then `kg add` of the rest (the
    entity id registry of an added-to folder remembers every id the first build gave)."""
    from kg.build.pipeline import build
    from kg.build.updates import add

    built = {}
    for html in (True, False):
        out = tmp_path_factory.mktemp("reference")
        build([corpus["first"], corpus["more"]], out_dir=out, html=html)
        built[f"build {html}"] = snapshot(out)
        out = tmp_path_factory.mktemp("reference")
        build([corpus["first"]], out_dir=out, html=html)
        add([corpus["more"]], out_dir=out, html=html)
        built[f"add {html}"] = snapshot(out)
    return built


def previous_build(corpus: dict[str, Path], out: Path, *, html: bool) -> Path:
    """Build the first four articles into ``out``, published to an Oxigraph store beside it."""
    from kg.build.pipeline import build

    store = out.parent / "store"
    build([corpus["first"]], out_dir=out, html=html, store=str(store))
    return store


def interrupted_add(
    corpus: dict[str, Path], tmp_path: Path, point: str, number: int, *, html: bool
) -> tuple[Path, Path, dict[str, bytes], int, str]:
    """Build the first articles (published to a store), then stop `kg add` of the rest at
    ``point`` with signal ``number``: (output folder, store, files before, exit code, stderr)."""
    out = tmp_path / "out"
    store = previous_build(corpus, out, html=html)
    before = snapshot(out)
    args = ["add", str(corpus["more"]), "-o", str(out), "-q", "--html" if html else "--no-html"]
    with paused(args, point, cwd=tmp_path) as run:
        code, stderr = run.send(number)
    return out, store, before, code, stderr


def without_own_store(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files without the quads of the build's own store (:func:`outputs.snapshot`)."""
    return {name: data for name, data in files.items() if name != "store (quads)"}


def own_store_current_or_unused(out: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    """The files without the build's own store, once it is checked that the store holds
    kg.trig or that no reader will use it (its stamp is not kg.trig's: it lags behind)."""
    if "store (quads)" in files and mirrored(out / "kg.trig") is not None:
        assert store_quads(out / "store") == file_quads(out)
    return without_own_store(files)


def without_store(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files, with the store option left out of state.json (references have none)."""
    meta = json.loads(files[".kg/state.json"])
    meta["options"]["store"] = None
    return {**files, ".kg/state.json": (json.dumps(meta, indent=1) + "\n").encode()}


class Paused:
    """A kg process stopped at a checkpoint (see kg.build.checkpoints.checkpoint)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def send(self, number: int, *, group: bool = False) -> tuple[int, str]:
        """Deliver a signal to the stopped process (or its group), let it go on, and wait."""
        kill: Callable[[int, int], None] = os.killpg if group else os.kill
        kill(self.process.pid, number)
        if number != signal.SIGKILL:
            kill(self.process.pid, signal.SIGCONT)
        _, err = self.process.communicate(timeout=120)
        return self.process.returncode, err.decode("utf-8", "replace")


@contextmanager
def paused(args: list[str], point: str, *, cwd: Path) -> Iterator[Paused]:
    """Run ``kg ARGS`` until it stops at ``point``; whatever happens, end its process group."""
    process = subprocess.Popen(
        [*PAUSED_KG, point, *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    watchdog = threading.Timer(120, process.kill)  # a run that never pauses fails, not hangs
    watchdog.start()
    try:
        assert process.stderr is not None
        line = process.stderr.readline().decode("utf-8", "replace")
        if line != f"kg: paused at {point}\n":
            process.kill()
            _, rest = process.communicate()
            pytest.fail(f"kg did not pause at {point}: {line}{rest.decode(errors='replace')}")
        # It writes the line, then stops itself: wait until it has (a SIGCONT sent
        # before the stop would be lost, leaving it stopped for good).
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status), status
        yield Paused(process)
    finally:
        watchdog.cancel()
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # pool workers a kill left behind
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)


def comparable(quads: list[Any]) -> set[tuple[Any, ...]]:
    """Canonical quads with typed literals as values: Oxigraph stores "1.0"^^xsd:decimal as 1."""
    from rdflib import Literal

    def value(term: Any) -> Any:
        if isinstance(term, Literal) and term.datatype is not None and term.value is not None:
            return ("literal", str(term.datatype), term.value)
        return term

    return {tuple(value(term) for term in quad) for quad in quads}


def store_quads(store: Path) -> set[tuple[Any, ...]]:
    """The store's graph (it must open: no lock or damage left by the kill)."""
    from kg.rdf.serialize import canonical_quads
    from kg.stores import open_store

    opened = open_store(f"oxigraph:{store}")
    try:
        return comparable(canonical_quads(opened.to_dataset()))
    finally:
        opened.close()


def file_quads(out: Path) -> set[tuple[Any, ...]]:
    """The graph of the build's kg.trig, as :func:`store_quads` gives a store's."""
    from kg.rdf.load import load_graph
    from kg.rdf.serialize import canonical_quads

    return comparable(canonical_quads(load_graph(out / "kg.trig")))


def assert_usable(out: Path, store: Path | None = None) -> None:
    """The build's files parse with pyoxigraph, `kg query` answers, the store holds the same."""
    for name, rdf_format in (("kg.ttl", ox.RdfFormat.TURTLE), ("kg.trig", ox.RdfFormat.TRIG)):
        assert list(ox.parse(path=out / name, format=rdf_format)), name
    for line in (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["id"]
    result = CliRunner().invoke(
        app,
        [
            "query",
            "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kgo:Document }",
            "-g",
            str(out / "kg.trig"),
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    documents = int(result.stdout.split()[-1])
    assert documents == len((out / "extractions.jsonl").read_text().splitlines())
    if store is not None:
        assert store_quads(store) == file_quads(out)


def one_error_line(stderr: str, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.model
@pytest.mark.parametrize("number", SIGNALS)
def test_an_interrupted_kg_build_keeps_the_previous_build(
    corpus: dict[str, Path],
    fast_model: None,
    reference: dict[str, dict[str, bytes]],
    tmp_path: Path,
    number: int,
) -> None:
    from kg.build.pipeline import build

    out = tmp_path / "out"
    store = previous_build(corpus, out, html=False)
    before, held = snapshot(out), store_quads(store)
    paths = [corpus["first"], corpus["more"]]
    args = ["build", *map(str, paths), "-o", str(out), "--store", f"oxigraph:{store}"]
    with paused([*args, "--jobs", "2", "-q", "--no-html"], "article:2", cwd=tmp_path) as run:
        # Ctrl-C reaches the whole process group, workers too; a kill only the main process.
        code, stderr = run.send(number, group=number == signal.SIGINT)
    if number == signal.SIGINT:
        assert code == 130
        one_error_line(stderr, "interrupted; no output file was changed")
    else:
        assert code == -signal.SIGKILL
    assert snapshot(out) == before
    assert store_quads(store) == held
    assert_usable(out, store)

    build(paths, out_dir=out, store=str(store), html=False)  # again, as if never stopped
    assert without_store(snapshot(out)) == reference["build False"]
    assert_usable(out, store)


@pytest.mark.model
def test_a_kill_during_kg_add_keeps_the_previous_build_and_a_rerun_completes(
    corpus: dict[str, Path],
    fast_model: None,
    reference: dict[str, dict[str, bytes]],
    tmp_path: Path,
) -> None:
    out, store, before, code, _ = interrupted_add(
        corpus, tmp_path, "article:1", signal.SIGKILL, html=True
    )
    assert code == -signal.SIGKILL
    assert snapshot(out) == before
    assert_usable(out, store)  # the store holds the files' graph: the old one

    args = ["add", str(corpus["more"]), "-o", str(out), "-q"]
    rerun = subprocess.run([*KG, *args], cwd=tmp_path, capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert without_store(snapshot(out)) == reference["add True"]
    assert_usable(out, store)


@pytest.mark.model
def test_ctrl_c_after_everything_is_written_but_not_committed_leaves_nothing(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "new" / "out"  # a first build: even the folders it made go
    args = ["build", str(corpus["first"]), "-o", str(out), "-q"]
    with paused(args, "staged", cwd=tmp_path) as run:
        code, stderr = run.send(signal.SIGINT)
    assert code == 130
    one_error_line(stderr, "interrupted; no output file was changed")
    assert not (tmp_path / "new").exists()


@pytest.mark.model
@pytest.mark.parametrize("number", SIGNALS)
def test_an_interruption_between_two_files_never_mixes_builds(
    corpus: dict[str, Path],
    fast_model: None,
    reference: dict[str, dict[str, bytes]],
    tmp_path: Path,
    number: int,
) -> None:
    from kg.build.updates import add

    # Committing renames extractions.jsonl, kg.trig, kg.ttl, then the .kg files:
    # stopped after two, the graph files disagree and state.json is the old one.
    out, store, before, code, stderr = interrupted_add(
        corpus, tmp_path, "commit:2", number, html=False
    )
    if number == signal.SIGINT:  # Ctrl-C this late is ignored: the write completes
        assert code == 0, stderr
    else:
        assert code == -signal.SIGKILL
        after = snapshot(out)
        assert after["kg.trig"] != before["kg.trig"] and after["kg.ttl"] == before["kg.ttl"]
        assert after[".kg/state.json"] == before[".kg/state.json"]
        assert_usable(out)  # every file is whole, old or new
        # The next command finishes the commit: the articles are known, nothing to
        # extract, and the store, never sent the new graph, is brought up to date.
        changes = add([corpus["more"]], out_dir=out, html=False)
        more = tuple(sorted(path.stem for path in corpus["more"].iterdir()))
        assert changes.unchanged == more and not changes.added
    assert without_store(snapshot(out)) == reference["add False"]
    assert_usable(out, store)


@pytest.mark.model
@pytest.mark.parametrize("number", SIGNALS)
def test_an_interrupted_store_update_is_completed_by_the_next_run(
    corpus: dict[str, Path],
    fast_model: None,
    reference: dict[str, dict[str, bytes]],
    tmp_path: Path,
    number: int,
) -> None:
    from kg.build.updates import add

    out, store, _, code, stderr = interrupted_add(corpus, tmp_path, "publish:1", number, html=False)
    if number == signal.SIGINT:
        assert code == 130
        one_error_line(stderr, "interrupted while the store was being updated", "files are")
    else:
        assert code == -signal.SIGKILL
    # The files were committed before the store update began: it lags behind them.
    files = snapshot(out)
    assert f".kg/{PUBLISH_FILE}" in files
    del files[f".kg/{PUBLISH_FILE}"]
    assert without_store(own_store_current_or_unused(out, files)) == without_own_store(
        reference["add False"]
    )
    assert store_quads(store) != file_quads(out)
    assert_usable(out)
    changes = add([corpus["more"]], out_dir=out, html=False)
    assert not changes.added
    files = own_store_current_or_unused(out, snapshot(out))
    assert without_store(files) == without_own_store(reference["add False"])
    assert_usable(out, store)
