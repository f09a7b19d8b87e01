"""Results kept between builds (kg.memo): replayed only for the same input, equal to a fresh run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal, Namespace, URIRef

import kg.graph.validate.memo as check_memo
import kg.views.layout as layout_module
from kg.graph.validate import check_document
from kg.graph.validate.memo import CheckMemo, check_key
from kg.memo import Memo, read_memo, write_memo
from kg.ontology import KGO
from kg.views.layout import layout

R = Namespace("https://example.org/")
GRAPH = URIRef("https://example.org/graph/d1")
# Acme is based in Bob, a person: the check sets the triple aside.
TRIPLES = [(R.acme, RDF.type, KGO.Company), (R.acme, KGO.basedIn, R.bob)]
PERSON = {
    R.acme: [(R.acme, RDF.type, KGO.Company), (R.acme, RDFS.label, Literal("Acme"))],
    R.bob: [(R.bob, RDF.type, KGO.Person), (R.bob, RDFS.label, Literal("Bob"))],
}
CITY = {**PERSON, R.bob: [(R.bob, RDF.type, KGO.City), (R.bob, RDFS.label, Literal("Bob"))]}


def reread(memo: Memo, tmp_path: Path) -> dict:
    """What the next build reads of ``memo``: its results, through the file."""
    write_memo(tmp_path / "memo.json", "salt", memo.made)
    return read_memo(tmp_path / "memo.json", "salt")


def no_check(*args: object) -> None:
    raise AssertionError("checked again")


def test_a_kept_check_replays_what_set_aside(tmp_path: Path, monkeypatch) -> None:
    fresh = check_document(GRAPH, TRIPLES, PERSON)
    assert fresh[1] and (R.acme, KGO.basedIn, R.bob) not in fresh[0]  # the case is real
    first = CheckMemo()
    kept, records, _ = first.check(GRAPH, list(TRIPLES), PERSON)
    assert (kept, records) == fresh
    monkeypatch.setattr(check_memo, "check_document", no_check)
    again = CheckMemo(reread(first, tmp_path))
    kept, records, _ = again.check(GRAPH, list(TRIPLES), PERSON)
    assert (kept, records) == fresh
    assert again.made == json.loads(json.dumps(first.made))


def test_a_check_is_redone_when_a_description_it_read_changed(tmp_path: Path) -> None:
    first = CheckMemo()
    first.check(GRAPH, list(TRIPLES), PERSON)
    again = CheckMemo(reread(first, tmp_path))
    kept, records, key = again.check(GRAPH, list(TRIPLES), CITY)  # Bob is a city now
    assert (kept, records) == check_document(GRAPH, TRIPLES, CITY) and not records
    assert key != check_key(GRAPH, TRIPLES, PERSON) and set(again.made) == {key}


@pytest.mark.parametrize("entry", [[[7, ["why"], []]], "nonsense", [[0, 1]], [[-1, [], []]]])
def test_a_damaged_entry_is_checked_again(entry: object) -> None:
    key = check_key(GRAPH, TRIPLES, PERSON)
    memo = CheckMemo({key: entry})
    assert memo.check(GRAPH, list(TRIPLES), PERSON)[:2] == check_document(GRAPH, TRIPLES, PERSON)
    assert memo.made[key] != entry


NODES = ["a", "b", "c", "d", "e", "f", "g"]
EDGES = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("f", "g"), ("e", "f")]


def test_kept_layouts_give_the_same_positions(tmp_path: Path, monkeypatch) -> None:
    fresh = layout(NODES, EDGES)
    first = Memo()
    assert layout(NODES, EDGES, memo=first) == fresh and len(first.made) == 2
    monkeypatch.setattr(layout_module, "_laid_out", no_check)
    again = Memo(reread(first, tmp_path))
    assert layout(NODES, EDGES, memo=again) == fresh
    assert again.made == json.loads(json.dumps(first.made))


def test_only_the_component_that_changed_is_laid_out_again(tmp_path: Path, monkeypatch) -> None:
    first = Memo()
    layout(NODES, EDGES, memo=first)
    edges = [*EDGES, ("g", "d")]  # the second component changes, the triangle does not
    fresh = layout(NODES, edges)
    calls: list[list[str]] = []
    laid_out = layout_module._laid_out

    def counted(nodes, edges, *, refine):
        calls.append(nodes)
        return laid_out(nodes, edges, refine=refine)

    monkeypatch.setattr(layout_module, "_laid_out", counted)
    assert layout(NODES, edges, memo=Memo(reread(first, tmp_path))) == fresh
    assert calls == [["d", "e", "f", "g"]]


def test_a_damaged_or_foreign_memo_file_holds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "memo.json"
    write_memo(path, "one", {"k": [1]})
    assert read_memo(path, "one") == {"k": [1]}
    assert read_memo(path, "two") == {}
    path.write_text("{not json")
    assert read_memo(path, "one") == {}
    assert read_memo(tmp_path / "none.json", "one") == {}
