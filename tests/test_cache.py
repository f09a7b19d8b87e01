"""The user's cache (kg.cache) and the gazetteer's phrase patterns kept in it (kg.extract.phrases):
a kept result is used only under its own key, and a damaged file is made again."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.attrs import ORTH

import kg.gazetteer as gazetteer_module
from kg.cache import CACHE_ENV, KEEP, cache_dir, read_cached, write_cached
from kg.extract.phrases import CACHE_KIND, _encode, phrase_matcher, phrases_key
from kg.gazetteer import Gazetteer, gazetteer_paths, load_gazetteer

SURFACES = ["New York", "New York City", "York", "U.S.", "St. Kitts"]
TEXT = "From New York City to St. Kitts, the U.S. team flew via York."


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def matches(nlp: spacy.Language, surfaces: list[str], text: str = TEXT) -> list[tuple]:
    doc = nlp(text)
    return [(doc.vocab.strings[m], s, e) for m, s, e in phrase_matcher(nlp, surfaces)(doc)]


def kept_files(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{CACHE_KIND}-*"))


def test_kept_patterns_match_as_tokenized_ones(cache: Path) -> None:
    fresh = matches(spacy.blank("en"), SURFACES)
    assert ("New York City", 1, 4) in fresh and ("U.S.", 9, 10) in fresh
    assert len(kept_files(cache)) == 1
    assert matches(spacy.blank("en"), SURFACES) == fresh  # from the file this time


def test_the_gazetteer_matches_the_same_from_the_cache(cache: Path) -> None:
    surfaces = sorted(load_gazetteer().names)[:3000]
    text = " ".join(surfaces[::7])
    fresh = matches(spacy.blank("en"), surfaces, text)
    assert len(fresh) > 400
    assert matches(spacy.blank("en"), surfaces, text) == fresh


def test_the_kept_patterns_are_what_is_used(cache: Path) -> None:
    nlp = spacy.blank("en")
    # A file kept under the key says "York" is spelt "Paris": the matcher believes it.
    york = nlp.vocab.strings.add("Paris")
    write_cached(CACHE_KIND, phrases_key(nlp, ["York"]), _encode([(york,)]))
    assert matches(nlp, ["York"], "York or Paris") == [("York", 2, 3)]
    # ... but only for the names and tokenizer it was kept for.
    assert matches(nlp, ["York", "Yorkshire"], "York or Paris") == [("York", 0, 1)]


def test_a_changed_tokenizer_does_not_read_patterns_kept_for_another(cache: Path) -> None:
    assert matches(spacy.blank("en"), ["gimme"], "gimme that") == [("gimme", 0, 1)]
    splitting = spacy.blank("en")
    splitting.tokenizer.add_special_case("gimme", [{ORTH: "gim"}, {ORTH: "me"}])
    assert phrases_key(splitting, ["gimme"]) != phrases_key(spacy.blank("en"), ["gimme"])
    assert matches(splitting, ["gimme"], "gimme that") == [("gimme", 0, 2)]
    assert len(kept_files(cache)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],  # a bit flipped
        lambda data: b"",
        lambda data: b"kg-cache 1\nnot the key\n" + data,
    ],
)
def test_a_damaged_file_is_made_again(cache: Path, damage) -> None:
    fresh = matches(spacy.blank("en"), SURFACES)
    [path] = kept_files(cache)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    key = path.name.removeprefix(f"{CACHE_KIND}-")
    assert read_cached(CACHE_KIND, key) is None
    assert matches(spacy.blank("en"), SURFACES) == fresh
    assert path.read_bytes() == good  # written anew


def test_a_payload_of_another_shape_is_not_used(cache: Path) -> None:
    nlp = spacy.blank("en")
    fresh = matches(nlp, SURFACES)
    key = phrases_key(nlp, SURFACES)
    for wrong in (_encode([(1,)]), _encode([(1,)] * len(SURFACES))[:-4], b"\x05" + bytes(7)):
        write_cached(CACHE_KIND, key, wrong)
        assert matches(spacy.blank("en"), SURFACES) == fresh


def test_no_cache_or_an_unwritable_one_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_dir() is None
    fresh = matches(spacy.blank("en"), SURFACES)
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(a_file / "cache"))  # cannot be made
    assert matches(spacy.blank("en"), SURFACES) == fresh
    assert list(tmp_path.iterdir()) == [a_file]


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "kg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "kg"


def test_only_the_newest_files_of_a_kind_are_kept(cache: Path) -> None:
    for i in range(KEEP + 3):
        write_cached("demo", f"{i:064x}", b"x")
    write_cached("other", "0" * 64, b"y")
    demo = sorted(p.name for p in cache.glob("demo-*"))
    assert len(demo) == KEEP and f"demo-{KEEP + 2:064x}" in demo
    assert read_cached("other", "0" * 64) == b"y"


MINE = """\
@prefix kgo: <https://w3id.org/kg-builder/ontology#> .
@prefix kgg: <https://w3id.org/kg-builder/gazetteer/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

kgg:zorblax-dynamics a kgo:Company ;
    rdfs:label "Zorblax Dynamics" ;
    skos:altLabel "{alias}" .
"""


@pytest.fixture
def gazetteers(cache: Path):
    """load_gazetteer as a new process sees it (nothing loaded yet), with the cache of ``cache``."""
    gazetteer_module._load_gazetteer_files.cache_clear()

    def load(*extra: Path) -> Gazetteer:
        gazetteer_module._load_gazetteer_files.cache_clear()
        return load_gazetteer(extra)

    yield load
    gazetteer_module._load_gazetteer_files.cache_clear()


def test_the_kept_gazetteer_is_the_one_read_from_its_files(
    cache: Path, gazetteers, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = gazetteer_module._read_gazetteer_files(gazetteer_paths())
    assert gazetteers() == parsed  # read, then kept
    assert len(list(cache.glob("gazetteer-*"))) == 1

    def no_parse(paths: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(gazetteer_module, "_read_gazetteer_files", no_parse)
    kept = gazetteers()
    assert kept == parsed and kept.lookup("Zorblax") == ()
    assert kept.containers("shenzhen") == ("guangdong", "china")


def test_a_changed_gazetteer_file_is_read_again(tmp_path: Path, cache: Path, gazetteers) -> None:
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE.format(alias="Zorblax"), encoding="utf-8")
    assert [e.key for e in gazetteers(mine).lookup("Zorblax")] == ["zorblax-dynamics"]
    mine.write_text(MINE.format(alias="ZBX"), encoding="utf-8")
    changed = gazetteers(mine)
    assert changed.lookup("Zorblax") == ()
    assert [e.key for e in changed.lookup("ZBX")] == ["zorblax-dynamics"]
    assert len(list(cache.glob("gazetteer-*"))) == 2


@pytest.mark.parametrize(
    "payload", [b"{", b"[]", b'{"entries": [{"key": "x"}], "names": {}}', b'{"entries": []}']
)
def test_a_damaged_gazetteer_file_is_read_again(cache: Path, gazetteers, payload: bytes) -> None:
    fresh = gazetteers()
    [path] = cache.glob("gazetteer-*")
    key = path.name.removeprefix("gazetteer-")
    write_cached("gazetteer", key, payload)  # whole, but not a gazetteer
    assert gazetteers() == fresh
    path.write_bytes(path.read_bytes()[:1000])  # cut short
    assert gazetteers() == fresh
    assert read_cached("gazetteer", key) is not None  # written anew


def test_a_tokenizer_without_rules_to_digest_is_not_cached(cache: Path) -> None:
    nlp = spacy.blank("en")
    words = nlp.tokenizer

    class Custom:
        """A tokenizer that is just a callable (and batches), as spaCy allows."""

        def __call__(self, text: str) -> spacy.tokens.Doc:
            return words(text)

        def pipe(self, texts):
            return (words(t) for t in texts)

    nlp.tokenizer = Custom()
    assert phrases_key(nlp, SURFACES) is None
    assert ("New York City", 1, 4) in matches(nlp, SURFACES)
    assert kept_files(cache) == []
