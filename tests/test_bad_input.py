"""Bad input through the CLI (issue 7): every case either builds, or fails with one clear line.

A failing run exits non-zero with one ``error:`` line on stderr that names the file
(and the line, for JSON Lines), prints no traceback, and leaves the output folder
exactly as it was: a previous build byte for byte, no temporary or partial file.

When the tests run as root, the cases that chmod a file lift root's power over
files for the time of the command (:func:`permissions_apply`), so that permissions
apply as they do to users. A full disk is a subprocess with a file-size limit
(``RLIMIT_FSIZE``, SIGXFSZ ignored), so that writes fail as on a full disk.
"""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from outputs import STORE
from spacy.language import Language
from typer.testing import CliRunner

from kg.cli import app

ARTICLE = "Acme Corp, based in Paris, hired Jo Bloggs as its chief executive in 2019.\n"


# ------------------------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class Outcome:
    """How a ``kg`` run ended."""

    code: int
    stdout: str
    stderr: str


def kg(*args: object) -> Outcome:
    """Run ``kg`` in this process (typer's runner)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    # anything but a clean exit is an unhandled exception: fail with its traceback
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def kg_process(*args: object, cwd: Path, max_file_size: int) -> Outcome:
    """Run ``kg`` in a subprocess where no file can grow beyond ``max_file_size`` bytes,
    as on a full disk (SIGXFSZ is ignored, so writes fail with EFBIG)."""

    def setup() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_size, max_file_size))

    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", *(str(a) for a in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=setup,
        timeout=600,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: what lets root read and write any file
_ROOT_FILE_ACCESS = (1 << 1) | (1 << 2)


@contextmanager
def permissions_apply() -> Iterator[None]:
    """For the block, file permissions apply to this thread, even when the tests run as
    root (root's power over files is lifted from its effective capabilities, then put
    back); skips the test when that cannot be done."""
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    caps = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), caps) != 0:
        pytest.skip("running as root, and the capabilities cannot be read")
    saved = caps[0].effective
    caps[0].effective = saved & ~_ROOT_FILE_ACCESS
    if libc.capset(ctypes.byref(header), caps) != 0:
        pytest.skip("running as root, and chmod cannot be made to apply")
    try:
        yield
    finally:
        caps[0].effective = saved
        if libc.capset(ctypes.byref(header), caps) != 0:
            raise OSError(ctypes.get_errno(), "capset: cannot restore root's capabilities")


def assert_failed(outcome: Outcome, *needles: str) -> str:
    """A non-zero exit, one ``error:`` line on stderr naming ``needles``, no traceback."""
    assert outcome.code not in (0, None), outcome
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def assert_ok(outcome: Outcome) -> None:
    assert outcome.code == 0, outcome
    assert "Traceback" not in outcome.stdout + outcome.stderr


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` (hidden ones too): files with their bytes, folders as None."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An output folder holding an earlier build's files (their content does not matter)."""
    out = tmp_path / "out"
    for name in ("kg.ttl", "kg.trig", "kg.html", "extractions.jsonl", ".kg/state.json"):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"earlier {name}\n".encode())
    return out


@pytest.fixture
def earlier_build(tmp_path: Path, sample_build: Path) -> Path:
    """A copy of a real build (with its state), for ``kg add``."""
    out = tmp_path / "build"
    shutil.copytree(sample_build, out)
    return out


def fails_cleanly(command: str, inputs: Sequence[Path], out: Path, *needles: str) -> str:
    """Run ``kg build``/``extract``/``add`` on ``inputs`` into ``out``; check that it fails
    with one line naming ``needles`` and leaves ``out`` as it was."""
    before = tree(out)
    target = out / "extractions.jsonl" if command == "extract" else out
    line = assert_failed(kg(command, *inputs, "-o", target), *needles)
    assert tree(out) == before
    return line


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def parse_outputs(out: Path) -> list[dict[str, object]]:
    """Parse kg.ttl and kg.trig with pyoxigraph and extractions.jsonl as JSON; the records."""
    assert sum(1 for _ in ox.parse(path=str(out / "kg.ttl"), format=ox.RdfFormat.TURTLE)) > 0
    assert sum(1 for _ in ox.parse(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG)) > 0
    lines = (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def assert_offsets_hold(record: dict[str, object]) -> None:
    text = record["text"]
    assert isinstance(text, str)
    for entity in record["entities"]:  # type: ignore[attr-defined]
        assert text[entity["start"] : entity["end"]] == entity["text"], entity


# ------------------------------------------------------------------------ empty and binary

EMPTY = {
    "empty.txt": b"",
    "spaces.txt": b"  \n\n\t \r\n  ",
    "invisible.txt": "\ufeff\u200b\u2060\u00a0\u200d\n".encode(),
    "empty.md": b"\n\n",
    "boilerplate.txt": b"Back to top\nShare this article\n",
    "empty.html": b"",
    "blank.html": b"<html><body>  <p> </p></body></html>",
    "scripts.html": b"<html><body>" + b"<script>alert('x')</script><style>p{}</style>" * 50,
    "blank.jsonl": b"\n  \n\r\n",
}


@pytest.mark.parametrize("command", ["build", "extract"])
@pytest.mark.parametrize("name", sorted(EMPTY))
def test_an_empty_article_fails_and_names_the_file(
    tmp_path: Path, previous: Path, command: str, name: str
) -> None:
    path = write(tmp_path / "in", name, EMPTY[name])
    fails_cleanly(command, [path], previous, name)


def test_one_empty_file_in_a_folder_fails_the_whole_build(tmp_path: Path, previous: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", ARTICLE)
    write(corpus, "b/empty.txt", "   \n")
    write(corpus, "c.txt", ARTICLE.replace("Acme", "Zorblax"))
    fails_cleanly("build", [corpus], previous, "b/empty.txt", "empty")


BINARY = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "gzip": gzip.compress(ARTICLE.encode() * 50, mtime=0),
    "elf": b"\x7fELF\x02\x01\x01" + bytes(64) + bytes(range(256)) * 4,
    "random": random.Random(7).randbytes(4096),
    "utf32": ARTICLE.encode("utf-32-le"),  # text, but no BOM says so: --encoding does
}


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl"])
@pytest.mark.parametrize("kind", sorted(BINARY))
def test_a_binary_file_fails_and_names_the_file(
    tmp_path: Path, previous: Path, kind: str, suffix: str
) -> None:
    path = write(tmp_path / "in", f"{kind}{suffix}", BINARY[kind])
    fails_cleanly("build", [path], previous, f"{kind}{suffix}", "binary", "--encoding")


def test_a_file_name_with_newlines_and_escapes_still_gives_one_line(
    tmp_path: Path, previous: Path
) -> None:
    name = "bad\nname \x1b[31mred\u202eevil.txt"
    path = write(tmp_path / "in", name, "")
    line = fails_cleanly("build", [path], previous, "bad\\nname", "\\x1b[31mred", "\\u202e")
    assert "\x1b" not in line and "\u202e" not in line


@pytest.mark.parametrize("command", ["build", "extract"])
def test_an_input_that_the_command_would_overwrite_is_refused(
    tmp_path: Path, previous: Path, command: str
) -> None:
    feed = previous / "extractions.jsonl"  # written by both commands
    feed.write_text(jsonl(GOOD), encoding="utf-8")
    line = fails_cleanly(command, [previous], previous, "extractions.jsonl", "overwrite")
    assert "-o" in line


# ------------------------------------------------------------------------------- encodings

TEXT = "Acme Corp opened an office in Zürich and hired Jo Bloggs.\n"
DETECTED = {
    "utf8": TEXT.encode("utf-8"),
    "utf8-bom": TEXT.encode("utf-8-sig"),
    "utf16-bom-le": TEXT.encode("utf-16"),  # the BOM of this machine's order
    "utf16-bom-be": b"\xfe\xff" + TEXT.encode("utf-16-be"),
    "utf16-le": TEXT.encode("utf-16-le"),  # no BOM: told by where the NULs fall
    "utf16-be": TEXT.encode("utf-16-be"),
    "utf32-bom": TEXT.encode("utf-32"),
}


@pytest.mark.model
def test_utf8_utf16_and_utf32_text_is_detected(tmp_path: Path) -> None:
    for name, data in DETECTED.items():
        write(tmp_path / "in", f"{name}.txt", data)
    out = tmp_path / "x.jsonl"
    assert_ok(kg("extract", tmp_path / "in", "-o", out))
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert sorted(records) == sorted(DETECTED)
    for record in records.values():
        assert record["text"] == TEXT.strip(), record["id"]
        assert_offsets_hold(record)


LEGACY = {
    "latin-1": "Acme Corp opened a café in São Paulo.\n",
    "cp1252": "Acme said “yes” – twice.\n",
}


@pytest.mark.parametrize("command", ["build", "extract"])
@pytest.mark.parametrize("encoding", sorted(LEGACY))
def test_text_that_is_not_utf8_fails_with_the_encoding_hint(
    tmp_path: Path, previous: Path, command: str, encoding: str
) -> None:
    data = ("A first line.\n" + LEGACY[encoding]).encode(encoding)
    path = write(tmp_path / "in", "legacy.txt", data)
    fails_cleanly(command, [path], previous, "legacy.txt", "not UTF-8", "line 2", "--encoding")


@pytest.mark.model
@pytest.mark.parametrize("encoding", sorted(LEGACY))
def test_the_encoding_hint_reads_it(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "in", "legacy.txt", LEGACY[encoding].encode(encoding))
    out = tmp_path / "x.jsonl"
    assert_ok(kg("extract", path, "--encoding", encoding, "-o", out))
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == LEGACY[encoding].strip()


@pytest.mark.model
def test_kg_add_takes_an_encoding_of_its_own(tmp_path: Path, earlier_build: Path) -> None:
    path = write(tmp_path / "in", "legacy.txt", LEGACY["latin-1"].encode("latin-1"))
    before = tree(earlier_build)
    # the build was read as UTF-8: the hint in the message must work with kg add too
    line = assert_failed(kg("add", path, "-o", earlier_build), "legacy.txt", "--encoding")
    assert "--encoding latin-1" in line
    assert tree(earlier_build) == before
    assert_ok(kg("add", path, "--encoding", "latin-1", "-o", earlier_build, "--no-html", "-q"))
    records = parse_outputs(earlier_build)
    assert LEGACY["latin-1"].strip() in [r["text"] for r in records]


@pytest.mark.parametrize(
    ("encoding", "data", "needles"),
    [
        ("ascii", "Acme opened a café.\n".encode(), ("not valid ascii", "--encoding")),
        ("utf-16", b"Acme opened a plant.\n", ("not valid utf-16", "--encoding")),
        ("no-such-codec", b"Acme.\n", ("no-such-codec", "utf-8")),
    ],
)
def test_a_wrong_encoding_hint_fails_cleanly(
    tmp_path: Path, previous: Path, encoding: str, data: bytes, needles: tuple[str, ...]
) -> None:
    path = write(tmp_path / "in", "a.txt", data)
    before = tree(previous)
    assert_failed(kg("build", path, "--encoding", encoding, "-o", previous), *needles)
    assert tree(previous) == before


# ---------------------------------------------------------------------------- long articles


def write_megabytes(path: Path, megabytes: int, chunk: str) -> Path:
    block = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000].encode()
    with path.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(block)
    return path


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """50 MB articles, written once: a text, a Markdown and an HTML file."""
    folder = tmp_path_factory.mktemp("huge")
    return {
        suffix: write_megabytes(folder / f"huge{suffix}", 50, "<p>" * (suffix == ".html") + ARTICLE)
        for suffix in (".txt", ".md", ".html")
    }


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@pytest.mark.parametrize("command", ["build", "extract"])
def test_a_50_mb_article_is_refused_unread_with_the_limit_option(
    huge: dict[str, Path], previous: Path, command: str, suffix: str
) -> None:
    path = huge[suffix]
    line = fails_cleanly(command, [path], previous, f"huge{suffix}", "50.0 MB", "--max-chars")
    assert "1,000,000 characters" in line  # the default limit, spaCy's nlp.max_length


def test_an_article_over_the_limit_is_refused_with_its_length(
    tmp_path: Path, previous: Path
) -> None:
    path = write(tmp_path / "in", "long.txt", ARTICLE * 30)
    before = tree(previous)
    line = assert_failed(kg("build", path, "--max-chars", 1000, "-o", previous), "long.txt")
    assert f"{len(ARTICLE.strip()) * 30 + 29:,} characters" in line  # lines joined by spaces
    assert "more than the 1,000 kg reads" in line and "--max-chars" in line
    assert tree(previous) == before


def test_a_json_lines_record_over_the_limit_names_its_line(tmp_path: Path, previous: Path) -> None:
    records = [{"id": "a", "text": ARTICLE}, {"id": "big", "text": "x" * 1_000_001}]
    path = write(tmp_path, "feed.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    fails_cleanly("build", [path], previous, "feed.jsonl, line 2", "1,000,001", "--max-chars")


@pytest.mark.model
def test_max_chars_0_lifts_the_limit_and_spacy_follows(tmp_path: Path, nlp: Language) -> None:
    path = write(tmp_path / "in", "long.txt", ARTICLE * 3)
    assert_failed(kg("build", path, "--max-chars", 100, "-o", tmp_path / "a"), "long.txt")
    assert not (tmp_path / "a").exists()
    assert_ok(kg("build", path, "--max-chars", 0, "-o", tmp_path / "b", "-q", "--no-html"))
    assert parse_outputs(tmp_path / "b")[0]["text"] == " ".join([ARTICLE.strip()] * 3)

    # an article longer than spaCy's own limit is extracted, not refused by spaCy
    from kg.extract import extract
    from kg.types import Article

    saved = nlp.max_length
    try:
        nlp.max_length = 50
        [ex] = extract([Article("long", ARTICLE * 3)], nlp)
        assert ex.mentions
    finally:
        nlp.max_length = saved


def long_sentence(chars: int, seed: int = 3) -> str:
    """One sentence of news prose, ``chars`` long, clauses joined by commas."""
    rng = random.Random(seed)
    names = ["Acme Corp", "Zorblax Inc", "Jo Bloggs", "Paris", "Berlin", "Nokia", "Brazil"]
    clauses = [
        "{a} said on Monday that it would expand its operations in {b}",
        "according to people familiar with the plans who asked not to be named",
        "while analysts had long expected the company to cut costs before the end of the year",
        "and the shares rose by three percent in early trading on the news",
        "although regulators were still reviewing the deal, which was first reported last month",
    ]
    parts: list[str] = []
    while sum(len(p) + 2 for p in parts) < chars:
        parts.append(rng.choice(clauses).format(a=rng.choice(names), b=rng.choice(names)))
    return ", ".join(parts)[: chars - 1].rstrip(", ") + "."


@pytest.mark.model
def test_a_10000_character_sentence_and_a_10000_character_word_are_processed(
    tmp_path: Path,
) -> None:
    sentence = long_sentence(10_000)
    word = "A" + "b" * 9_998 + "."
    write(tmp_path / "in", "sentence.txt", sentence + "\n")
    write(tmp_path / "in", "word.txt", f"Acme Corp hired Jo Bloggs. {word}\n")
    out = tmp_path / "out"
    assert_ok(kg("build", tmp_path / "in", "-o", out, "-q", "--no-html"))
    records = {r["id"]: r for r in parse_outputs(out)}
    assert records["sentence"]["text"] == sentence and len(sentence) >= 9_990
    assert records["sentence"]["entities"]
    assert word in records["word"]["text"]
    for record in records.values():
        assert_offsets_hold(record)


# ---------------------------------------------------------------------------------- HTML

MARKERS = [f"MARK{i}X" for i in range(12)]
HOSTILE_PAGE = f"""<!DOCTYPE html>
<html><head><title>Acme hires a chief</title>
<script>var a = "{MARKERS[0]}"; document.write("<p>{MARKERS[1]}</p>");</script>
<style>.{MARKERS[2]} {{ color: red }} body::after {{ content: "{MARKERS[3]}" }}</style>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Acme hires"}}</script>
</head><body>
<SCRIPT type="module">import("{MARKERS[4]}")</SCRIPT>
<article>
<p>Acme Corp, based in Paris, hired Jo Bloggs as its chief executive in 2019, the company said
in a statement on Monday.<script>fetch("{MARKERS[5]}")</script></p>
<p onclick="alert('{MARKERS[6]}')">Zorblax Inc sued Acme Corp in Berlin last year, according
to court filings seen by reporters.<style>p {{ font: "{MARKERS[7]}" }}</style></p>
<template><p>{MARKERS[8]} inert text of a template</p></template>
<noscript><p>{MARKERS[9]} please enable JavaScript</p></noscript>
<a href="javascript:alert('{MARKERS[10]}')">Read more about Acme Corp and its plans.</a>
</article>
<script>
// {MARKERS[11]} an unterminated script runs to the end of the page
</body></html>"""


@pytest.mark.model
def test_script_and_style_text_never_reaches_the_text_or_the_graph(tmp_path: Path) -> None:
    page = write(tmp_path / "in", "page.html", HOSTILE_PAGE)
    out = tmp_path / "out"
    assert_ok(kg("build", page, "-o", out, "-q"))
    [record] = parse_outputs(out)
    assert "hired Jo Bloggs as its chief executive" in record["text"]
    assert "Zorblax Inc sued Acme Corp in Berlin" in record["text"]
    assert_offsets_hold(record)
    files = [p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] != STORE]
    assert {"kg.ttl", "kg.trig", "kg.html", "extractions.jsonl"} <= {p.name for p in files}
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert [m for m in MARKERS if m in content] == [], path
        if path.name != "kg.html":  # the page's own script library may say "alert("
            assert "alert(" not in content and "document.write" not in content, path


# ----------------------------------------------------------------------------- JSON Lines


def jsonl(*lines: object) -> str:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


GOOD = {"id": "a", "text": ARTICLE}


@pytest.mark.parametrize(
    ("lines", "needles"),
    [
        ((GOOD, '{"id": "b", "text": "Acme'), ("line 2", "not valid JSON")),
        ((GOOD, {"id": "b", "title": "No text"}), ("line 2", 'no "text"')),
        ((GOOD, {}), ("line 2", 'no "text"')),
        ((GOOD, {"id": "b", "text": None}), ("line 2", '"text" must be a string')),
        ((GOOD, {"id": "b", "text": " \u200b "}), ("line 2", '"text" is empty')),
        ((GOOD, "", "  ", GOOD), ("line 4", 'the id "a" was already used on line 1')),
        ((GOOD, {"id": "quarantine", "text": ARTICLE}), ("line 2", "reserved")),
        ((GOOD, ["a", "list"]), ("line 2", "expected a JSON object")),
    ],
)
def test_a_bad_json_lines_line_is_reported_with_its_number(
    tmp_path: Path, previous: Path, lines: tuple[object, ...], needles: tuple[str, ...]
) -> None:
    path = write(tmp_path, "feed.jsonl", jsonl(*lines))
    fails_cleanly("build", [path], previous, "feed.jsonl, line", *needles)


def test_every_bad_line_of_a_json_lines_file_is_reported_at_once(
    tmp_path: Path, previous: Path
) -> None:
    path = write(
        tmp_path,
        "feed.jsonl",
        jsonl(GOOD, "{broken", {"id": "b"}, GOOD, {"id": "c", "text": ARTICLE}, {"text": 3}),
    )
    for command in ("build", "extract"):
        line = fails_cleanly(command, [path], previous, "feed.jsonl, line 2", "not valid JSON")
        assert "lines 3, 4 and 6 are bad too" in line


@pytest.mark.parametrize("name", ["quarantine.txt", "inferred.md", "candidates.txt"])
def test_an_article_id_that_names_a_graph_of_kg_is_refused(
    tmp_path: Path, previous: Path, name: str
) -> None:
    # its named graph would be <…/graph/quarantine>, <…/graph/inferred> or
    # <…/graph/candidates>, kg's own
    path = write(tmp_path, name, ARTICLE)
    fails_cleanly("build", [path], previous, name, "reserved", "rename the file")


def test_duplicate_ids_across_inputs_name_both(tmp_path: Path, previous: Path) -> None:
    first = write(tmp_path, "one.jsonl", jsonl(GOOD, {"id": "b", "text": ARTICLE}))
    second = write(tmp_path, "two.jsonl", jsonl({"id": "c", "text": ARTICLE}, GOOD))
    fails_cleanly("build", [first, second], previous, "two.jsonl, line 2", "one.jsonl:1")
    named = write(tmp_path, "a.txt", ARTICLE)  # the file's id is "a" too
    fails_cleanly("build", [first, named], previous, "a.txt", "one.jsonl:1", '"a"')


def test_a_json_lines_line_that_is_not_utf8_is_named(tmp_path: Path, previous: Path) -> None:
    data = jsonl(GOOD).encode() + '{"id": "b", "text": "café"}\n'.encode("latin-1")
    path = write(tmp_path, "feed.jsonl", data)
    fails_cleanly("build", [path], previous, "feed.jsonl", "not UTF-8", "line 2", "--encoding")


@pytest.mark.model
def test_kg_add_reports_bad_input_and_keeps_the_build(tmp_path: Path, earlier_build: Path) -> None:
    cases = {
        "empty.txt": (b" \n", ("empty.txt", "empty")),
        "binary.txt": (BINARY["png"], ("binary.txt", "binary")),
        "feed.jsonl": (jsonl(GOOD, "{x", {"id": "z"}).encode(), ("feed.jsonl, line 2", "line 3")),
        "huge.txt": ((ARTICLE * 40).encode(), ("huge.txt", "--max-chars")),
    }
    for name, (data, needles) in cases.items():
        path = write(tmp_path / "in", name, data)
        before = tree(earlier_build)
        assert_failed(kg("add", path, "-o", earlier_build, "--max-chars", 2000), *needles)
        assert tree(earlier_build) == before, name


# ---------------------------------------------------------------- unreadable inputs, outputs


@contextmanager
def mode(path: Path, bits: int) -> Iterator[None]:
    """chmod ``path`` for the block, then back (so that the temporary folder can go)."""
    old = stat.S_IMODE(path.stat().st_mode)
    path.chmod(bits)
    try:
        yield
    finally:
        path.chmod(old)


def corpus_with(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", ARTICLE)
    write(corpus, "sub/b.txt", ARTICLE.replace("Acme", "Zorblax"))
    return corpus


UNREADABLE: dict[str, tuple[Callable[[Path], Path], Callable[[Path], Path], str]] = {
    # case: (what is given to kg, what is locked, what the message names)
    "file given": (lambda c: c / "a.txt", lambda c: c / "a.txt", "corpus/a.txt"),
    "file in a folder": (lambda c: c, lambda c: c / "sub/b.txt", "corpus/sub/b.txt"),
    "subfolder": (lambda c: c, lambda c: c / "sub", "corpus/sub"),
    "folder given": (lambda c: c, lambda c: c, "corpus"),
    "glob": (lambda c: Path(f"{c}/**/*.txt"), lambda c: c / "sub/b.txt", "corpus/sub/b.txt"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_unreadable_input_fails_and_names_it(tmp_path: Path, previous: Path, case: str) -> None:
    given, locked, named = UNREADABLE[case]
    corpus = corpus_with(tmp_path)
    before = tree(previous)
    with mode(locked(corpus), 0), permissions_apply():
        outcome = kg("build", given(corpus), "-o", previous)
    line = assert_failed(outcome, named)
    assert "Permission denied" in line or "cannot be read" in line, line
    assert tree(previous) == before


def test_a_folder_that_can_be_listed_but_not_entered_fails(tmp_path: Path, previous: Path) -> None:
    corpus = corpus_with(tmp_path)
    # r without x: the names in the folder are visible, its files are not
    with mode(corpus / "sub", 0o644), permissions_apply():
        outcome = kg("build", corpus, "-o", previous)
    assert_failed(outcome, "corpus/sub/b.txt", "Permission denied")


def test_a_pipe_or_a_broken_link_is_named(tmp_path: Path, previous: Path) -> None:
    corpus = corpus_with(tmp_path)
    os.mkfifo(corpus / "pipe.txt")  # reading it would block forever
    fails_cleanly("build", [corpus / "pipe.txt"], previous, "pipe.txt", "not a file")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    fails_cleanly("build", [corpus], previous, "corpus/gone.txt", "does not exist")


@pytest.mark.parametrize("command", ["build", "add", "extract"])
def test_an_unwritable_output_folder_fails_before_any_work(
    tmp_path: Path, previous: Path, command: str
) -> None:
    article = write(tmp_path / "in", "a.txt", ARTICLE)
    target = previous / "x.jsonl" if command == "extract" else previous
    before = tree(previous)
    with mode(previous, 0o555), permissions_apply():
        outcome = kg(command, article, "-o", target)
    line = assert_failed(outcome, "out", "cannot write there", "Permission denied")
    assert "-o" in line
    assert tree(previous) == before


def test_an_output_folder_inside_a_file_fails(tmp_path: Path) -> None:
    article = write(tmp_path / "in", "a.txt", ARTICLE)
    blocker = write(tmp_path, "taken", "a file\n")
    assert_failed(kg("build", article, "-o", blocker / "out"), "taken", "not a folder")
    assert blocker.read_text() == "a file\n"
    assert_failed(kg("extract", article, "-o", tmp_path), "is a folder")


# ---------------------------------------------------------------------------------- full disk


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One article and a build of it (made in this process): (article, output folder)."""
    folder = tmp_path_factory.mktemp("small")
    article = write(folder, "in/a.txt", ARTICLE)
    assert_ok(kg("build", article, "-o", folder / "out", "-q"))
    return article, folder / "out"


@pytest.mark.model
@pytest.mark.parametrize("room", ["small", "all but the largest file"])
def test_a_full_disk_leaves_the_previous_build_whole(
    tmp_path: Path, small_build: tuple[Path, Path], room: str
) -> None:
    _, built = small_build
    out = tmp_path / "out"
    shutil.copytree(built, out)
    sizes = sorted(p.stat().st_size for p in out.rglob("*") if p.is_file())
    limit = 1024 if room == "small" else sizes[-1] - 1  # the largest file cannot be written
    before = tree(out)
    # a bigger article, so that the largest file grows
    changed = write(tmp_path / "in", "a.txt", ARTICLE + "Zorblax Inc sued Acme Corp in Lyon.\n")
    outcome = kg_process("build", changed, "-o", out, cwd=tmp_path, max_file_size=limit)
    assert_failed(outcome, "File too large", str(out))
    assert tree(out) == before
    # with room again, the same build goes through
    assert_ok(kg("build", changed, "-o", out, "-q"))
    assert "Lyon" in (out / "kg.ttl").read_text(encoding="utf-8")
    assert "Lyon" not in (built / "kg.ttl").read_text(encoding="utf-8")


@pytest.mark.model
def test_a_full_disk_during_kg_extract_keeps_the_old_file(tmp_path: Path) -> None:
    article = write(tmp_path / "in", "a.txt", ARTICLE)
    target = write(tmp_path, "x.jsonl", "an earlier extraction\n")
    outcome = kg_process("extract", article, "-o", target, cwd=tmp_path, max_file_size=64)
    assert_failed(outcome, "x.jsonl", "File too large")
    assert tree(tmp_path / "in") == {"a.txt": ARTICLE.encode()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "x.jsonl"]
    assert target.read_text() == "an earlier extraction\n"


# ------------------------------------------------------------------- names that break things

STRANGE = [
    {
        "id": 'wire "7" <b>\nsecond line',
        "title": 'He said "no" <script>alert(1)</script>\nthen left',
        "text": 'Acme Corp said "we agree" <b>today</b>; Jo Bloggs joined Acme Corp in Paris.',
    },
    {
        "id": "\u202eevil\u200b-id\u2066",
        "title": "\u05e9\u05dc\u05d5\u05dd \u202eAcme\u202c \u0645\u0631\u062d\u0628\u0627",
        "text": "Zorblax\u200b Inc, based in Berlin, sued Acme\u200d Corp. "
        "\u05e9\u05dc\u05d5\u05dd Acme Corp \u202edias\u202c.",
    },
    {
        "id": "back\\slash & {braces} | ^caret `tick` %41 ../../graph/x",
        "title": "a lone surrogate \ud800 from a broken feed",
        "text": "O'Brien & Sons <Holdings> Ltd, a company based in Dublin, hired Mary O'Neill.",
    },
]


@pytest.mark.model
def test_strange_names_build_and_every_output_parses(tmp_path: Path) -> None:
    feed = write(tmp_path / "in", "feed.jsonl", jsonl(*STRANGE))
    named = 'odd "name" <x> \u202eslx\u200b\n.txt'
    write(tmp_path / "in", named, 'title: A "quoted" <title>\n\n' + ARTICLE)
    out = tmp_path / "out"
    assert_ok(kg("build", feed, tmp_path / "in" / named, "-o", out, "-q"))
    records = parse_outputs(out)
    assert len(records) == 4
    for record in records:
        assert_offsets_hold(record)
    ids = {r["id"] for r in records}
    for value in ids:
        assert "\n" not in value and "\u200b" not in value, repr(value)
    assert any('"7" <b>' in value for value in ids)
    dataset = ox.Dataset(ox.parse(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG))
    identifiers = {
        q.object.value
        for q in dataset
        if q.predicate.value == "http://purl.org/dc/terms/identifier"
    }
    assert identifiers == ids
    titles = {q.object.value for q in dataset if q.predicate.value.endswith("/terms/title")}
    assert "a lone surrogate \ufffd from a broken feed" in titles
    graphs = {q.graph_name.value for q in dataset if isinstance(q.graph_name, ox.NamedNode)}
    assert len([g for g in graphs if "/graph/" in g]) >= len(ids)  # one graph per article
    html = (out / "kg.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<b>today</b>" not in html

    # an id with quotes and brackets still names its article on the command line
    odd = next(value for value in ids if '"7"' in value)
    assert_ok(kg("remove", odd, "-o", out, "-q"))
    assert odd not in {r["id"] for r in parse_outputs(out)}


# ----------------------------------------------------------------- hostile Markdown, HTML


HOSTILE_LINES = {
    "brackets": "[" * 200_000,
    "images": "![" * 100_000,
    "links": "[a](" * 50_000,
    "emphasis": "*a " * 60_000,
    "strong": "**a " * 50_000,
    "underscores": "_a " * 60_000,
    "strike": "~~a " * 50_000,
    "comments": "<!--" * 50_000,
    "tags": "<a" * 100_000,
    "autolinks": "<http://x" * 20_000,
    "heading": "# a" + " " * 200_000 + "b",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_LINES))
def test_pathological_markdown_is_cleaned_not_choked_on(tmp_path: Path, kind: str) -> None:
    """Lines that made the Markdown patterns backtrack quadratically (minutes for 200,000
    characters) are cleaned like any other line."""
    from kg.ingest import read_articles

    path = write(tmp_path, "page.md", f"{HOSTILE_LINES[kind]}\n\n{ARTICLE}")
    [article] = read_articles([path])
    assert article.text.endswith(ARTICLE.strip())
    assert len(article.text) > len(ARTICLE)  # the line is kept, less any markup
