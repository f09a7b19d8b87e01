"""Stress one Oxigraph store: build, add, query and serve it again and again; count failures.

Issue 14: ``kg build -o X --store oxigraph:S``, then ``kg query --store
oxigraph:S ...``, then ``kg query --store S ...`` failed 5 times in 15 with
``cannot start a query process (Corruption: ... 000016.sst: No such file
... MANIFEST-000026 may be corrupted)``. The cause: RocksDB let a query
process open the folder read-only while the CLI had it open for writing (a
bare folder was opened read-write) and compacted it; kg now locks the
folder (one writer or many readers) and never lets a query process read a
folder that is being written (see ``kg.stores.folder.lock_folder``).

Each sequence runs kg's CLI in this process (typer's runner: spaCy loads
once, as a daily feed's process would; every query still starts its own
query process, where the failures were):

1. every ``build_every``-th sequence: ``kg build ARTICLES -o OUT --store
   oxigraph:OUT/store`` (the first into an OUT that does not exist yet);
   the others: ``kg add ARTICLE -o OUT --store oxigraph:OUT/store`` of a
   new tiny article;
2. ``kg query --store oxigraph:OUT/store`` and ``kg query --store
   OUT/store`` of the quads per named graph: both exit 0 and print what
   OUT/kg.trig holds;
3. the store's content (read-only, as N-Quads) equals OUT/kg.trig's quads
   (ground quads as a set; quads with blank nodes counted by shape);
4. every ``serve_every``-th sequence also serves the store (``kg.serve``
   on the store opened read-only, in a thread), asks it the count over
   HTTP while a ``kg query --store`` reads the same folder, runs a ``kg
   add`` that must fail at once in one line (the store is locked: its
   files are written, the store is not), and stops the server; the next
   sequence's add or build must bring the store up to date (step 3).

Usage: ``python benchmarks/store_stress.py [--sequences 200] [--folder DIR]``;
it prints the number of sequences, failures (each with its message), the
wall time and the median time of each step. tests/test_store_stress.py
runs a short version of it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

__all__ = ["Figures", "article", "main", "run"]

#: The query both ``kg query`` forms and the server answer: quads per named graph.
COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"

_COMPANIES = ["Zorblax Corp", "Vantor Systems", "Quillon Labs", "Brevik Motors", "Ostara Bank"]
_PEOPLE = ["Mara Quell", "Olek Brand", "Ines Varga", "Tomas Reyl", "Hana Sato"]
_CITIES = ["Paris", "Berlin", "Madrid", "Oslo", "Vienna"]


def article(i: int) -> str:
    """A tiny news article, different for each ``i`` (two sentences, a few entities).

    >>> article(0).splitlines()[0]
    'Zorblax Corp hires Mara Quell'
    """
    company = _COMPANIES[i % 5]
    person = _PEOPLE[(i // 5) % 5]
    city = _CITIES[(i // 25) % 5]
    rival = _COMPANIES[(i + 1) % 5]
    return (
        f"{company} hires {person}\n\n{company}, the chipmaker based in {city}, said on "
        f"Monday that it hired {person} as chief executive. {company} competes with "
        f"{rival} in Europe. (Story {i}.)\n"
    )


@dataclass
class Figures:
    """What a stress run did: sequences, the failures (sequence, step, message), step times."""

    sequences: int = 0
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    steps: dict[str, list[float]] = field(default_factory=dict)

    def report(self) -> str:
        """The figures as lines of text."""
        lines = [
            f"sequences: {self.sequences}",
            f"failures: {len(self.failures)}",
            f"wall time: {self.seconds:.1f} s",
        ]
        for step, times in sorted(self.steps.items()):
            lines.append(
                f"  {step}: n={len(times)} median {statistics.median(times):.3f} s "
                f"max {max(times):.3f} s"
            )
        lines += [f"  FAILED seq {i} {step}: {message}" for i, step, message in self.failures]
        return "\n".join(lines)


@contextlib.contextmanager
def _spacy_once() -> Iterator[None]:
    """Load the spaCy pipeline once for the whole run (``kg.extract.make_nlp`` cached)."""
    import kg.extract

    original = kg.extract.make_nlp
    loaded: dict[str, Any] = {}

    def make_nlp(**options: Any) -> Any:
        key = repr(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
        if key not in loaded:
            loaded[key] = original(**options)
        return loaded[key]

    kg.extract.make_nlp = make_nlp
    try:
        yield
    finally:
        kg.extract.make_nlp = original


def _kg(*args: str) -> str:
    """Run ``kg ARGS`` in this process; its output, or an AssertionError with its message."""
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=True)
    if result.exit_code != 0:
        why = result.output.strip() or repr(result.exception)
        raise AssertionError(f"kg {args[0]} exited {result.exit_code}: {why[-400:]}")
    return result.output


def _shape(quad: ox.Quad) -> tuple[str, ...]:
    return tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in quad)


def _content(quads: Iterator[ox.Quad]) -> tuple[set[ox.Quad], Counter[tuple[str, ...]]]:
    ground: set[ox.Quad] = set()
    blank: Counter[tuple[str, ...]] = Counter()
    for quad in quads:
        if any(isinstance(t, ox.BlankNode) for t in quad):
            blank[_shape(quad)] += 1
        else:
            ground.add(quad)
    return ground, blank


def _graph_counts(trig: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for quad in set(ox.parse(path=trig)):
        if isinstance(quad.graph_name, ox.NamedNode):
            counts[quad.graph_name.value] += 1
    return dict(counts)


def _check_content(store: Path, trig: Path) -> None:
    """The store holds exactly kg.trig's quads (opened read-only, as a reader would)."""
    from kg.stores import open_store

    with open_store(store, read_only=True) as opened:
        text = opened.export(format="nquads")
    assert text is not None
    ours = _content(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    theirs = _content(ox.parse(path=trig))
    if ours[0] != theirs[0]:
        raise AssertionError(
            f"the store differs from kg.trig: {len(ours[0] - theirs[0])} quads only in the "
            f"store, {len(theirs[0] - ours[0])} only in kg.trig"
        )
    if ours[1] != theirs[1]:
        raise AssertionError("the store's blank-node quads differ from kg.trig's")


def _check_query(spec: str, expected: dict[str, int]) -> None:
    out = _kg("query", "--store", spec, "--format", "json", COUNT)
    rows = json.loads(out)["results"]["bindings"]
    got = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    if got != expected:
        raise AssertionError(f"kg query --store {spec}: {got} where kg.trig has {expected}")


def _kg_fails(*args: str, because: str) -> None:
    """Run ``kg ARGS`` in this process; it must fail with one line that says ``because``."""
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=True)
    lines = result.output.strip().splitlines()
    if result.exit_code == 0 or len(lines) != 1 or because not in lines[0]:
        raise AssertionError(f"kg {args[0]} should fail saying {because!r}: {result.output!r}")


def _check_serve(store: Path, expected: dict[str, int], add: Path) -> None:
    """Serve the store read-only; ask it over HTTP while ``kg query --store`` reads it too,
    and while ``kg add`` of ``add`` writes the build's files but finds the store locked
    (the next sequence's add or build must bring the store up to date)."""
    from kg.serve import make_server
    from kg.stores import open_store

    opened = open_store(store, read_only=True)
    try:
        server = make_server(opened, "127.0.0.1", 0, timeout=30)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"{server.url}sparql?" + urllib.parse.urlencode({"query": COUNT})
            request = urllib.request.Request(
                url, headers={"Accept": "application/sparql-results+json"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                rows = json.loads(response.read())["results"]["bindings"]
            got = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
            if got != expected:
                raise AssertionError(f"kg serve answered {got} where kg.trig has {expected}")
            _check_query(str(store), expected)  # a second reader while the server reads
            add.write_text(article(10_000 + len(expected)), encoding="utf-8")
            out = store.parent
            _kg_fails("add", str(add), "-o", str(out), "--store", f"oxigraph:{store}",
                      "--no-html", "-q", because="the store is locked")  # fmt: skip
        finally:
            server.shutdown()
            server.server_close()
    finally:
        opened.close()


def _sequence(
    i: int, out: Path, arts: Path, figures: Figures, build_every: int, serve_every: int
) -> None:
    store, trig = out / "store", out / "kg.trig"
    spec = f"oxigraph:{store}"
    steps: list[tuple[str, Callable[[], object]]] = []
    if i % build_every == 0:
        first = sorted(arts.glob("a-*.txt"))[:3]
        steps.append(
            (
                "build",
                lambda: _kg(
                    "build", *map(str, first), "-o", str(out), "--store", spec, "--no-html", "-q"
                ),
            )
        )
    else:
        new = arts / f"n-{i:04d}.txt"
        new.write_text(article(i + 3), encoding="utf-8")
        steps.append(
            (
                "add",
                lambda: _kg("add", str(new), "-o", str(out), "--store", spec, "--no-html", "-q"),
            )
        )
    expected: dict[str, int] = {}
    steps.append(("expect", lambda: expected.update(_graph_counts(trig))))
    steps.append(("query oxigraph:S", lambda: _check_query(spec, expected)))
    steps.append(("query S", lambda: _check_query(str(store), expected)))
    steps.append(("content", lambda: _check_content(store, trig)))
    if i % serve_every == serve_every - 1:
        late = arts / f"n-{i:04d}-late.txt"
        steps.append(("serve", lambda: _check_serve(store, expected, late)))
    for name, step in steps:
        started = time.perf_counter()
        try:
            step()
        except Exception as err:  # every failure is counted, with its one line
            figures.failures.append((i, name, " ".join(str(err).split())[:500]))
            return
        finally:
            figures.steps.setdefault(name, []).append(time.perf_counter() - started)


def run(
    sequences: int,
    folder: Path,
    *,
    build_every: int = 10,
    serve_every: int = 25,
    on_sequence: Callable[[int, Figures], None] | None = None,
) -> Figures:
    """Run ``sequences`` build-or-add / query / check (/ serve) sequences on one store.

    Parameters:
        sequences: how many.
        folder: an empty or new folder for the articles and the build (OUT: folder/out).
        build_every: a fresh build every this many sequences (the others add an article).
        serve_every: serve the store in every this-many-th sequence.
        on_sequence: called after each sequence with its number and the figures so far.
    """
    arts = folder / "articles"
    arts.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        (arts / f"a-{i}.txt").write_text(article(i), encoding="utf-8")
    out = folder / "out"  # does not exist yet: the first build makes it
    figures = Figures()
    started = time.perf_counter()
    with _spacy_once():
        for i in range(sequences):
            if i % build_every == 0:  # the articles added since the last build go
                for old in arts.glob("n-*.txt"):
                    old.unlink()
            _sequence(i, out, arts, figures, build_every, serve_every)
            figures.sequences += 1
            if on_sequence is not None:
                on_sequence(i, figures)
    figures.seconds = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the stress test and print its figures; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=200)
    parser.add_argument("--build-every", type=int, default=10)
    parser.add_argument("--serve-every", type=int, default=25)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args(argv)

    def progress(i: int, figures: Figures) -> None:
        if (i + 1) % 10 == 0:
            print(f"{i + 1} sequences, {len(figures.failures)} failures", file=sys.stderr)

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch)
        figures = run(
            args.sequences,
            folder,
            build_every=args.build_every,
            serve_every=args.serve_every,
            on_sequence=progress,
        )
    print(figures.report())
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main())
