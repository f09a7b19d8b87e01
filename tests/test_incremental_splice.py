"""kg add / kg remove splice the article graphs a build kept (kg.build.keptgraphs): the graphs
made again are those whose content or check changed, and the outputs equal a full build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.build import graphfiles
from kg.build.folder import state_dir
from kg.build.keptgraphs import (
    GRAPHS_FILE,
    KeptGraphs,
    graphs_salt,
    read_kept,
    spliced,
    with_record,
    write_kept,
)
from kg.build.pipeline import build
from kg.build.state import load_state
from kg.build.updates import add, remove
from kg.graph.assemble import article_graph
from kg.graph.records import entity_triples, graph_prefixes, statements, statements_by_document
from kg.graph.validate import check_descriptions
from kg.graph.validate.memo import CheckMemo
from kg.ontology import KGR_IRI
from kg.rdf.load import load_graph
from kg.types import Article, Entity, Extraction, Mention, RelationCandidate, Resolved
from kg.views.read import PartsOverlapError, triples_to_view, view_part
from tests import test_incremental
from tests.test_incremental import ARTICLES, write

pytestmark = pytest.mark.model

OUTPUTS = ("kg.trig", "kg.ttl", "kg.html", "extractions.jsonl")


def outputs(folder: Path) -> dict[str, bytes]:
    """The outputs and what the build keeps for the next."""
    kept = ("checks.json", "keys.json", "layouts.json", GRAPHS_FILE)
    return {
        **{name: (folder / name).read_bytes() for name in OUTPUTS},
        **{name: (state_dir(folder) / name).read_bytes() for name in kept},
    }


corpus = test_incremental.corpus  # the same articles as tests/test_incremental.py, as a fixture


@pytest.fixture(scope="module")
def full(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full")
    build([corpus], out_dir=out)
    return out


def made_graphs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The articles whose graphs are made (not spliced) from now on, by IRI."""
    made: list[str] = []
    original = graphfiles.article_graph

    def counted(work, *args, **kwargs):
        made.append(work[0].extraction.article.id)
        return original(work, *args, **kwargs)

    monkeypatch.setattr(graphfiles, "article_graph", counted)
    return made


def kept_records(folder: Path) -> dict[str, list]:
    """The article graphs the build in ``folder`` kept, parsed, by key."""
    kept = read_kept(state_dir(folder) / GRAPHS_FILE, graphs_salt(graph_prefixes(KGR_IRI)))
    return {key: json.loads(text) for key, text in kept.items()}


def test_a_build_keeps_every_article_graph(full: Path) -> None:
    kept = kept_records(full)
    assert sorted(record[0].rsplit("/", 1)[1] for record in kept.values()) == sorted(ARTICLES)


DELTA = (
    "Quorvane Foods opens a plant\n\nQuorvane Foods, the baker based in Lyon, opened a plant in "
    "Marseille on Tuesday, its chief executive Ilse Dravok said.\n"
)


def records_of(folder: Path) -> dict[str, tuple[str, list]]:
    """The kept article graphs of a build, by article id: (key, record)."""
    kept = kept_records(folder)
    return {record[0].rsplit("/", 1)[1]: (key, record) for key, record in kept.items()}


def test_add_splices_the_unchanged_graphs_and_equals_a_full_build(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (delta,) = write(tmp_path / "more", delta=DELTA)
    full = tmp_path / "full"
    build([corpus, delta], out_dir=full)
    out = tmp_path / "out"
    build([corpus / "alpha.txt", corpus / "beta.txt", delta], out_dir=out)
    before = records_of(out)
    made = made_graphs(monkeypatch)
    add([corpus / "gamma.txt"], out_dir=out)
    assert outputs(out) == outputs(full)
    assert "gamma" in made and "delta" not in made  # delta shares no entity with gamma
    after = records_of(out)
    for doc in ("alpha", "beta", "delta"):  # a graph spliced in is kept as it was
        assert doc in made or after[doc] == before[doc]
        if after[doc][0] != before[doc][0]:  # its resolved article changed: made again
            assert doc in made


def test_remove_splices_and_equals_a_build_without_the_article(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rest = tmp_path / "rest"
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=rest)
    out = tmp_path / "out"
    build([corpus], out_dir=out)
    made = made_graphs(monkeypatch)
    remove(["gamma"], out_dir=out)
    assert outputs(out) == outputs(rest)
    assert "gamma" not in made


def damage(folder: Path, how: str) -> None:
    path = state_dir(folder) / GRAPHS_FILE
    if how == "missing":
        path.unlink()
        return
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:-100])
        return
    records = kept_records(folder)
    for record in records.values():
        if how == "body":  # well formed, but not the graph: its check's key changes
            record[1] = record[1].replace("kgo:", "kgo:x", 1)
        elif how == "short":
            del record[3:]
        else:
            record[6] = [["not", "a", "statement"]]
    salt = graphs_salt(graph_prefixes(KGR_IRI))
    write_kept(path, salt, {key: json.dumps(record) for key, record in records.items()})


@pytest.mark.parametrize("how", ["missing", "truncated", "body", "short", "statements"])
def test_damaged_kept_graphs_are_made_again(
    corpus: Path, full: Path, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=tmp_path)
    damage(tmp_path, how)
    made = made_graphs(monkeypatch)
    add([corpus / "gamma.txt"], out_dir=tmp_path)
    assert outputs(tmp_path) == outputs(full)
    if how == "truncated":  # the last record (beta's or alpha's) is cut short
        assert "gamma" in made and len(made) >= 2
    else:
        assert sorted(made) == ["alpha", "beta", "gamma"]


def test_the_parts_of_the_article_graphs_read_as_their_triples(full: Path) -> None:
    dataset = load_graph(full / "kg.trig")
    articles = [g for g in dataset.graphs() if "/graph/" in str(g.identifier)]
    articles = [g for g in articles if not str(g.identifier).endswith(("quarantine", "ontology"))]
    assert len(articles) == len(ARTICLES)
    parts = [view_part(list(g)) for g in articles]
    assert all(part is not None for part in parts)
    others = [t for g in dataset.graphs() if g not in articles for t in g]
    every = [t for g in dataset.graphs() for t in g]
    assert triples_to_view(others, parts=parts) == triples_to_view(every)  # type: ignore[arg-type]
    with pytest.raises(PartsOverlapError):
        triples_to_view(every, parts=parts[:1])  # type: ignore[list-item]


def resolved(entity_ids: tuple[str, str]) -> Resolved:
    text = "Acme is based in Berlin."
    mentions = (Mention(0, 4, "Acme", "Company"), Mention(17, 23, "Berlin", "City"))
    relations = (RelationCandidate(0, 1, "basedIn", 0.9, (0, 24)),)
    return Resolved(Extraction(Article("d1", text), mentions, relations), entity_ids)


def descriptions(*entities: Entity) -> dict:
    checked, _ = check_descriptions(list(entity_triples(entities)), base=KGR_IRI)
    return checked


def test_a_kept_graph_holds_until_what_it_reads_changes() -> None:
    prefixes = graph_prefixes(KGR_IRI)
    item = resolved(("org/acme", "place/berlin"))
    work = (item, statements_by_document(statements([item]))["d1"])
    acme, berlin = Entity("org/acme", "Acme", "Company"), Entity("place/berlin", "Berlin", "City")
    other = Entity("org/other", "Other", "Company")
    described = descriptions(acme, berlin, other)
    memo = CheckMemo()
    graph = article_graph(work, described, prefixes=prefixes, memo=memo)
    record = with_record(graph, "k", keep=False).kept
    assert record is not None and graph.piece is not None
    kept = CheckMemo(memo.made)

    def splice(entities: dict) -> bool:
        found = spliced(record[1], memo=kept, descriptions=entities, prefixes=prefixes)
        assert found is None or found.piece == graph.piece
        return found is not None

    assert splice(described)
    # Another entity's description does not count; one the graph names does.
    assert splice(descriptions(acme, berlin, Entity("org/other", "Other Inc", "Company")))
    assert not splice(descriptions(Entity("org/acme", "Acme", "Company", ("ACME",)), berlin))
    # Entity ids changed (an entity merged or renamed): another key; so does another
    # article (its hash), threshold or pipeline, or base.
    keys = KeptGraphs({}, hashes={"d1": "h1"}, made_from="f\x1d0.4")
    merged = resolved(("org/acme-corp", "place/berlin"))
    assert keys.key((merged, ()), KGR_IRI) != keys.key(work, KGR_IRI)
    assert keys.key(work, "https://example.org/") != keys.key(work, KGR_IRI)
    others = [
        KeptGraphs({}, hashes={"d1": "h2"}, made_from="f\x1d0.4"),
        KeptGraphs({}, hashes={"d1": "h1"}, made_from="f\x1d0.5"),
        KeptGraphs({}, hashes={}, made_from="f\x1d0.4"),
    ]
    assert len({k.key(work, KGR_IRI) for k in [keys, *others]}) == 4
    assert URIRef(json.loads(record[1])[0]) == graph.name


def test_the_state_of_a_spliced_build_loads(corpus: Path, tmp_path: Path) -> None:
    build([corpus / "alpha.txt"], out_dir=tmp_path)
    add([corpus / "beta.txt"], out_dir=tmp_path)
    assert sorted(load_state(tmp_path).extractions) == ["alpha", "beta"]
