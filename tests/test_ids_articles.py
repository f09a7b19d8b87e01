"""Article ids never collide silently (issue 16, item 4).

Distinct file names give distinct ids, in any script; names that are one text in
NFC and NFD give one id; names whose ids meet anyway (they differ only in
punctuation) stop a build, or a ``kg add``, with one line naming both files.
ASCII names keep the ids they always had.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Dataset, URIRef
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.graph.records import iri_segment
from kg.ingest import check_replacements, file_id, read_articles
from kg.types import Article

TEXT = "Acme opened a plant in Berlin.\n"


def write(folder: Path, name: str, text: str = TEXT) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ids(*paths: Path) -> list[str]:
    return [a.id for a in read_articles(list(paths))]


def test_cjk_names_give_distinct_ids(tmp_path: Path) -> None:
    tokyo, beijing = write(tmp_path, "东京.txt"), write(tmp_path, "北京.txt")
    assert sorted(ids(tokyo, beijing)) == ["东京", "北京"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("القاهرة.txt", "القاهرة"),  # Arabic
        ("Müller.txt", "Müller"),
        ("Mu\u0308ller.txt", "Müller"),  # NFD, as macOS stores it: the NFC id
        ("Ελλάδα news.md", "Ελλάδα_news"),
        ("नमस्ते.txt", "नमस्ते"),  # Devanagari: its vowel signs (marks) are kept
        ("🔥 sale.txt", "🔥_sale"),
        ("a\u200bb\u202e.txt", "a_b"),  # zero-width and bidi controls are not kept
        ("«Le Monde».html", "Le_Monde"),
        ("report (1).txt", "report_1"),  # ASCII: as always
        ("000_1b3bd0faa09d64f8.txt", "000_1b3bd0faa09d64f8"),
        ("???.txt", "doc"),
    ],
)
def test_file_ids(name: str, expected: str) -> None:
    assert file_id(name) == expected


_OLD_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@given(st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="/")))
def test_ascii_names_keep_the_ids_they_always_had(name: str) -> None:
    if name.strip() in {"", ".", ".."}:
        return
    old = _OLD_UNSAFE.sub("_", Path(name).stem).strip("._") or "doc"
    assert file_id(name) == old


@given(st.lists(st.text(st.characters(categories=["L", "N"]), min_size=1), unique=True))
def test_names_of_letters_and_digits_never_share_an_id(stems: list[str]) -> None:
    distinct = {unicodedata.normalize("NFC", s) for s in stems}
    assert len({file_id(f"{s}.txt") for s in distinct}) == len(distinct)


def test_case_only_differences_give_distinct_ids(tmp_path: Path) -> None:
    assert sorted(ids(write(tmp_path, "Report.txt"), write(tmp_path, "x/report.txt"))) == [
        "Report",
        "report",
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a b.txt", "a,b.txt"),  # differ only in punctuation
        ("Müller.txt", "Mu\u0308ller.md"),  # one name in NFC and NFD
        ("x/东京.txt", "y/东京.txt"),
    ],
)
def test_names_that_meet_stop_the_build_naming_both(
    tmp_path: Path, first: str, second: str
) -> None:
    a, b = write(tmp_path, first), write(tmp_path, second)
    with pytest.raises(InputError) as info:
        ids(a, b)
    message = str(info.value)
    assert a.as_posix() in message and b.as_posix() in message and "\n" not in message


def test_non_ascii_ids_make_valid_iris_in_every_format(tmp_path: Path) -> None:
    for doc in ("东京", "القاهرة", "Müller", "🔥_sale"):
        iri = URIRef(f"https://example.org/graph/{iri_segment(doc)}")
        assert str(iri).isascii()
        ds = Dataset()
        ds.graph(iri).add((iri, URIRef("https://example.org/p"), URIRef("https://example.org/o")))
        for fmt in ("trig", "nquads", "json-ld"):
            back = Dataset().parse(data=ds.serialize(format=fmt), format=fmt)
            assert iri in {g.identifier for g in back.graphs()}, fmt


# ------------------------------------------------------------------------------ kg add


def kept(source: str) -> dict[str, Article]:
    return {"a_b": Article("a_b", "x", source=source)}


def test_a_new_version_of_the_same_file_name_replaces_it() -> None:
    check_replacements(kept("old/a b.txt"), [Article("a_b", "y", source="new/a b.md")])
    check_replacements(kept("d.jsonl:3"), [Article("a_b", "y", source="e.jsonl:9")])


@pytest.mark.parametrize("source", ["new/a,b.txt", "a_b.txt", "feed.jsonl:2"])
def test_another_file_name_with_the_same_id_is_refused(source: str) -> None:
    with pytest.raises(InputError, match="rename the file") as info:
        check_replacements(kept("old/a b.txt"), [Article("a_b", "y", source=source)])
    assert source in str(info.value) and "old/a b.txt" in str(info.value)


@pytest.mark.model
def test_kg_add_never_replaces_an_article_of_another_name(tmp_path: Path) -> None:
    a = write(tmp_path, "a/Müller.txt", "Müller AG opened a plant in Berlin.\n")
    b = write(tmp_path, "b/Muller.txt", "Muller AG closed a plant in Paris.\n")
    c = write(tmp_path, "c/Mu ller.txt", "Mu Ller AG closed a plant in Rome.\n")
    d = write(tmp_path, "d/Mu,ller.txt", "Mu Ller AG closed a plant in Oslo.\n")
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(a), str(c), "-o", str(out), "-q"]).exit_code == 0
    result = runner.invoke(app, ["add", str(b), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["added 1: Muller", f"{out} now holds 3 articles."]
    result = runner.invoke(app, ["add", str(d), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f'error: {d.as_posix()} gives the article id "Mu_ller" of ')
    assert len(result.stderr.splitlines()) == 1
    result = runner.invoke(app, ["remove", "Mu\u0308ller", "-o", str(out)])  # typed in NFD
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "removed 1: Müller"
