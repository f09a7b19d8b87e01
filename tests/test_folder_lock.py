"""One writer per build folder: concurrent kg add / kg remove / kg build give a serial result.

kg.build.lock.writer_lock is held from before a command reads the build state until its
commit (and store update). The property test runs two or three commands on one
folder in threads, one step at a time: each stops at every kg.build.checkpoints.checkpoint
(the test's pause hook) and hypothesis picks which goes on next, so the
interleavings are chosen, not left to timing. The lock itself is real: threads
take flock through their own descriptors, exactly as processes do. The graph
writer is replaced by one that lists the articles (tests/test_incremental.py
covers the graphs); the final state must be that of some serial order of the
commands, with every file agreeing. A small test then runs real kg processes at
once (with the model-free extraction of tests/folder_fakes.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import folder_fakes
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build.checkpoints import set_pause_hook
from kg.build.folder import state_dir
from kg.errors import KGError

FAKE_KG = [sys.executable, str(Path(__file__).with_name("folder_fakes.py"))]
BASE = ("a", "b")  # the articles of the folder before the commands run


def fake_graph(entities: Any, resolved: Any, *, trig: Any = None, turtle: Any = None,
               digests: Any = None, **_: Any) -> int:  # fmt: skip
    """The graph files, reduced to the list of their articles."""
    ids = sorted(r.extraction.article.id for r in resolved)
    for path in (trig, turtle):
        if path is not None:
            Path(path).write_text("".join(f"# {doc}\n" for doc in ids))
    if digests is not None:
        digests.update({doc: doc for doc in ids})
    return len(ids)


@contextlib.contextmanager
def fast_builds() -> Iterator[None]:
    from kg.build import outputs

    with pytest.MonkeyPatch.context() as patch:
        folder_fakes.install(patch)
        patch.setattr(outputs, "write_build_graph", fake_graph)
        yield


def write_articles(folder: Path, names: list[str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names:
        paths[name] = folder / f"{name}.txt"
        paths[name].write_text(f"Firm {name.upper()} hired someone.\n", encoding="utf-8")
    return paths


def built_ids(out: Path) -> frozenset[str]:
    """The articles of a build: every file must list the same ones."""
    meta = json.loads((state_dir(out) / "state.json").read_text())
    ids = frozenset(meta["articles"])
    kept = [json.loads(line)["article"]["id"] for line in (state_dir(out) / "extractions.jsonl")
            .read_text().splitlines()]  # fmt: skip
    records = [
        json.loads(line)["id"] for line in (out / "extractions.jsonl").read_text().splitlines()
    ]
    trig = (out / "kg.trig").read_text()  # the fake graph writer's list, or a real graph
    listed = [line[2:] for line in trig.splitlines()] if trig.startswith("# ") else records
    assert sorted(ids) == sorted(kept) == sorted(records) == sorted(listed)
    assert (
        not (state_dir(out) / "staging").exists() and not (state_dir(out) / "commit.json").exists()
    )
    return ids


# ------------------------------------------------------------------------- the interleaver


class Aborted(BaseException):
    """Raised in a command's thread when the test stops before it ends."""


class Interleaver:
    """Runs commands in threads, one at a time; at each checkpoint ``choose`` picks the next."""

    def __init__(self, out: Path, choose: Callable[[list[str]], str]) -> None:
        self.out = out
        self.choose = choose
        self.cond = threading.Condition()
        self.running: str | None = None
        self.parked: dict[str, str] = {}
        self.done: set[str] = set()
        self.steps: list[tuple[str, str]] = []
        self.aborted = False  # the test stopped (hypothesis gave up an example): let all go

    def hook(self, point: str) -> None:
        name = threading.current_thread().name
        with self.cond:
            self.parked[name] = point
            self.running = None
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.running == name or self.aborted)
            if self.aborted:
                raise Aborted(point)

    def lock_free(self) -> bool:
        try:
            fd = os.open(state_dir(self.out), os.O_RDONLY)
        except FileNotFoundError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)  # releases the probe's lock too
        return True

    def run(self, commands: dict[str, Callable[[], object]]) -> dict[str, BaseException | None]:
        outcomes: dict[str, BaseException | None] = {}

        def body(name: str, command: Callable[[], object]) -> None:
            try:
                self.hook("start")
                command()
                outcomes[name] = None
            except BaseException as err:
                outcomes[name] = err
            finally:
                with self.cond:
                    self.done.add(name)
                    self.running = None
                    self.cond.notify_all()

        threads = [
            threading.Thread(target=body, args=item, name=item[0]) for item in commands.items()
        ]
        previous = set_pause_hook(self.hook)
        try:
            for thread in threads:
                thread.start()
            self._schedule(len(threads))
        finally:
            with self.cond:
                self.aborted = self.aborted or len(self.done) < len(threads)
                self.cond.notify_all()
            set_pause_hook(previous)
            for thread in threads:
                thread.join(timeout=30)
        return outcomes

    def _schedule(self, count: int) -> None:
        with self.cond:
            while True:
                settled = self.cond.wait_for(
                    lambda: self.running is None and len(self.parked) + len(self.done) == count,
                    timeout=30,
                )
                assert settled, f"a command neither stopped nor ended: {self.steps}"
                if len(self.done) == count:
                    return
                ready = sorted(
                    n for n, p in self.parked.items() if p != "lock:wait" or self.lock_free()
                )
                assert ready, f"deadlock: {self.parked}"
                pick = self.choose(ready)
                self.steps.append((pick, self.parked.pop(pick)))
                self.running = pick
                self.cond.notify_all()


# --------------------------------------------------------------------------- the model


def serial(
    order: list[tuple[str, Any]], start: frozenset[str]
) -> tuple[frozenset[str], list[bool]]:
    """The articles after running ``order`` one after the other, and which commands succeed."""
    ids, ok = start, []
    for kind, arg in order:
        if kind == "add":
            ids, good = ids | {arg}, True
        elif kind == "remove":
            good = arg in ids and ids != {arg}
            ids = ids - {arg} if good else ids
        else:
            ids, good = frozenset(arg), True
        ok.append(good)
    return ids, ok


commands = st.lists(
    st.one_of(
        st.just(("add", None)),
        st.tuples(st.just("remove"), st.sampled_from(BASE)),
        st.tuples(st.just("build"), st.sets(st.sampled_from(["a", "b", "x"]), min_size=1)),
    ),
    min_size=2,
    max_size=3,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    from kg.build.pipeline import build

    root = tmp_path_factory.mktemp("interleave")
    articles = write_articles(root / "articles", ["a", "b", "x", "n0", "n1", "n2"])
    with fast_builds():
        build([articles["a"], articles["b"]], out_dir=root / "out", html=False)
    return root / "out", articles


@settings(max_examples=1000)
@given(planned=commands, data=st.data())
def test_concurrent_commands_give_the_result_of_a_serial_order(
    template: tuple[Path, dict[str, Path]], planned: list[tuple[str, Any]], data: st.DataObject
) -> None:
    from kg.build.pipeline import build
    from kg.build.updates import add, remove

    folder, articles = template
    plan = [(kind, f"n{i}" if kind == "add" else arg) for i, (kind, arg) in enumerate(planned)]

    def command(kind: str, arg: Any, out: Path) -> Callable[[], object]:
        if kind == "add":
            return lambda: add([articles[arg]], out_dir=out, html=False)
        if kind == "remove":
            return lambda: remove([arg], out_dir=out, html=False)
        return lambda: build([articles[a] for a in sorted(arg)], out_dir=out, html=False)

    with tempfile.TemporaryDirectory() as scratch, fast_builds():
        out = Path(scratch) / "out"
        shutil.copytree(folder, out)
        names = {f"c{i}": item for i, item in enumerate(plan)}
        interleaver = Interleaver(out, lambda ready: data.draw(st.sampled_from(ready)))
        outcomes = interleaver.run({n: command(*item, out) for n, item in names.items()})
        final = built_ids(out)
    for name, err in outcomes.items():
        assert err is None or isinstance(err, KGError), (name, err)
    succeeded = [outcomes[n] is None for n in names]
    serial_orders = [
        order
        for order in itertools.permutations(range(len(plan)))
        if serial([plan[i] for i in order], frozenset(BASE))
        == (final, [succeeded[i] for i in order])
    ]
    assert serial_orders, (plan, outcomes, sorted(final), interleaver.steps)
    if not any(kind == "build" for kind, _ in plan):  # nothing can drop an added article
        assert all(
            arg in final
            for (kind, arg), ok in zip(plan, succeeded, strict=True)
            if kind == "add" and ok
        )


# ------------------------------------------------------------------------ real processes


def run_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FAKE_KG, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture()
def sample_folder(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A build of the two sample articles, and three more articles to add."""
    from kg.ingest import sample_corpus

    files = sorted(Path(p) for p in sample_corpus())
    done = run_kg("build", *map(str, files), "-o", "out", "-q", "--no-html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    more = write_articles(tmp_path / "more", ["p", "q", "r"])
    return tmp_path / "out", list(more.values())


def test_concurrent_kg_add_processes_lose_no_article(
    sample_folder: tuple[Path, list[Path]],
) -> None:
    out, more = sample_folder
    runs = [
        subprocess.Popen(
            [*FAKE_KG, "add", str(path), "-o", str(out), "-q", "--no-html"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in more
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert {p.stem for p in more} <= built_ids(out)
    assert len(built_ids(out)) == 5


def test_a_second_writer_waits_or_fails_at_once(sample_folder: tuple[Path, list[Path]]) -> None:
    from kg.build.lock import writer_lock

    out, more = sample_folder
    with writer_lock(out):  # what another kg writing the folder holds
        refused = run_kg("add", str(more[0]), "-o", str(out), "--no-wait", cwd=out.parent)
        waiting = subprocess.Popen(
            [*FAKE_KG, "add", str(more[0]), "-o", str(out), "-q", "--no-html"],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert waiting.stderr is not None
        line = waiting.stderr.readline()
        assert line.startswith(f"waiting for another kg writing to {out}/ (pid {os.getpid()})")
        assert waiting.poll() is None
    _, rest = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, rest
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "another kg process is writing this build" in lines[0], lines
    assert more[0].stem in built_ids(out)


def test_a_killed_writer_does_not_block_the_folder(
    sample_folder: tuple[Path, list[Path]],
) -> None:
    out, more = sample_folder
    code = (
        "import sys, time; from kg.build.lock import writer_lock\n"
        "with writer_lock(sys.argv[1]):\n    print('locked', flush=True); time.sleep(300)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    holder.kill()
    holder.wait()
    done = run_kg("add", str(more[0]), "-o", str(out), "--no-wait", "-q", cwd=out.parent)
    assert done.returncode == 0, done.stderr


def test_forked_children_do_not_keep_the_lock(tmp_path: Path) -> None:
    import multiprocessing

    from kg.build.lock import writer_lock

    out = tmp_path / "out"
    state_dir(out).mkdir(parents=True)
    context = multiprocessing.get_context("fork")
    started = context.Event()
    with writer_lock(out):
        child = context.Process(target=sleep_after, args=(started, 60))
        child.start()
    assert started.wait(30)  # the child runs (its copy of the descriptor is closed at fork)
    try:
        with writer_lock(out, wait=False):  # free although the child lives on
            assert child.is_alive()
    finally:
        child.kill()
        child.join()
    with writer_lock(out):  # held again: another descriptor cannot take it
        assert not Interleaver(out, min).lock_free()


def sleep_after(started: Any, seconds: float) -> None:
    import time

    started.set()
    time.sleep(seconds)
