"""kg add / kg remove: an incremental build equals a full build of the same articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF

from kg.build.folder import state_dir
from kg.build.pipeline import build
from kg.build.updates import add, remove
from kg.errors import EmptyInputError, StateError
from kg.ontology import KGO
from kg.rdf.load import load_graph

pytestmark = pytest.mark.model

ARTICLES = {
    "alpha": (
        "Zorblax Corp hires Mara Quell\n\nZorblax Corp, the chipmaker based in Paris, said on "
        "Monday that it hired Mara Quell as chief executive. Zorblax Corp competes with Vantor "
        "Systems in Europe.\n"
    ),
    "beta": (
        "Vantor Systems expands\n\nVantor Systems, based in Berlin, plans to enter the Indian "
        "market next year. Its chairman, Olek Brand, said Vantor Systems signed a partnership "
        "with Zorblax Corp.\n"
    ),
    "gamma": (
        "Regulator bans Vantor\n\nThe Federal Communications Commission banned Vantor Systems "
        "from the US market in March. Vantor Systems said it would appeal.\n"
    ),
}


def write(folder: Path, **texts: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return sorted(paths)


def store_holds(store: Path, graph_file: Path) -> bool:
    """Whether the Oxigraph store in ``store`` holds exactly the quads of ``graph_file``."""
    from kg.rdf.serialize import canonical_quads
    from kg.stores import open_store

    with open_store(store, read_only=True) as opened:
        held = canonical_quads(opened.to_dataset())
    return held == canonical_quads(load_graph(graph_file))


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("kg.trig", "kg.ttl")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    write(folder, **ARTICLES)
    return folder


@pytest.fixture(scope="module")
def full(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full")
    build([corpus], out_dir=out, html=False)
    return out


def test_adding_an_article_equals_a_full_build(corpus: Path, full: Path, tmp_path: Path) -> None:
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=tmp_path, html=False)
    changes = add([corpus / "gamma.txt"], out_dir=tmp_path, html=False)
    assert changes.added == ("gamma",) and changes.documents == 3
    assert outputs(tmp_path) == outputs(full)


def test_adding_the_same_articles_again_changes_nothing(full: Path, corpus: Path) -> None:
    before = outputs(full)
    stamp = (full / "kg.trig").stat().st_mtime_ns
    changes = add([corpus], out_dir=full, html=False)
    assert changes.unchanged == ("alpha", "beta", "gamma") and not changes.added
    assert outputs(full) == before
    assert (full / "kg.trig").stat().st_mtime_ns == stamp  # not even rewritten


def test_a_changed_article_replaces_its_own_graph(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "inc"
    build([corpus], out_dir=out, html=False)
    edited = write(tmp_path / "edited", gamma=ARTICLES["gamma"].replace("Vantor", "Quasar"))
    changes = add(edited, out_dir=out, html=False)
    assert changes.replaced == ("gamma",)
    reference = tmp_path / "reference"
    build([corpus / "alpha.txt", corpus / "beta.txt", *edited], out_dir=reference, html=False)
    assert outputs(out) == outputs(reference)
    assert b"Quasar" in outputs(out)["kg.trig"]


def test_removing_an_article_equals_a_build_without_it(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "inc"
    build([corpus], out_dir=out, html=False)
    changes = remove(["gamma"], out_dir=out, html=False)
    assert changes.removed == ("gamma",) and changes.documents == 2
    reference = tmp_path / "reference"
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=reference, html=False)
    assert outputs(out) == outputs(reference)
    # What only gamma asserted is gone: the regulator and its ban.
    assert b"Federal Communications Commission" not in outputs(out)["kg.ttl"]


def test_adding_keeps_the_threshold_and_candidates_of_the_build(
    corpus: Path, tmp_path: Path
) -> None:
    strict = {"min_confidence": 0.5, "candidates": True}
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=tmp_path, html=False, **strict)
    add([corpus / "gamma.txt"], out_dir=tmp_path, html=False)  # no threshold given
    reference = tmp_path / "reference"
    build([corpus], out_dir=reference, html=False, **strict)
    for name in ("kg.trig", "kg.ttl", "candidates.trig", "extractions.jsonl"):
        assert (tmp_path / name).read_bytes() == (reference / name).read_bytes(), name
    asserted = load_graph(tmp_path / "kg.trig")
    candidates = load_graph(tmp_path / "candidates.trig")
    kept = [float(c) for c in asserted.objects(None, KGO.confidence)]
    below = [float(c) for c in candidates.objects(None, KGO.confidence)]
    assert kept and all(c >= 0.5 for c in kept)
    assert below and all(c < 0.5 for c in below)
    assert not list(asserted.subjects(RDF.type, KGO.CandidateStatement))


def test_parallel_extraction_gives_the_same_graph(corpus: Path, full: Path, tmp_path: Path) -> None:
    build([corpus], out_dir=tmp_path, html=False, jobs=2)
    assert outputs(tmp_path) == outputs(full)


def test_unknown_ids_and_missing_builds_are_clear_errors(
    corpus: Path, full: Path, tmp_path: Path
) -> None:
    with pytest.raises(StateError, match="Did you mean gamma"):
        remove(["gama"], out_dir=full, html=False)
    with pytest.raises(StateError, match="no kg build here"):
        add([corpus], out_dir=tmp_path / "none", html=False)
    with pytest.raises(StateError, match="empty graph"):
        remove(["alpha", "beta", "gamma"], out_dir=full, html=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptyInputError):
        add([empty], out_dir=full, html=False)


def test_a_changed_pipeline_refuses_to_mix_extractions(corpus: Path, tmp_path: Path) -> None:
    build([corpus / "alpha.txt"], out_dir=tmp_path, html=False)
    meta_path = state_dir(tmp_path) / "state.json"
    meta = json.loads(meta_path.read_text())
    meta["fingerprint"] = "0" * 32
    meta_path.write_text(json.dumps(meta))
    before = outputs(tmp_path)
    with pytest.raises(StateError, match="changed since this build"):
        add([corpus / "beta.txt"], out_dir=tmp_path, html=False)
    assert outputs(tmp_path) == before


def test_a_published_build_keeps_its_store_in_step(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    out = tmp_path / "out"
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=out, html=False, store=str(store))

    assert store_holds(store, out / "kg.trig")
    add([corpus / "gamma.txt"], out_dir=out, html=False)
    assert store_holds(store, out / "kg.trig")
    remove(["alpha"], out_dir=out, html=False)
    assert store_holds(store, out / "kg.trig")


def test_the_builds_own_store_follows_add_and_remove(corpus: Path, tmp_path: Path) -> None:
    from kg.stores.home import home_of, mirrored

    out = tmp_path / "out"
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=out, html=False)

    assert mirrored(out / "kg.trig") == home_of(out) and store_holds(home_of(out), out / "kg.trig")
    add([corpus / "gamma.txt"], out_dir=out, html=False)
    assert mirrored(out / "kg.trig") == home_of(out) and store_holds(home_of(out), out / "kg.trig")
    remove(["alpha"], out_dir=out, html=False)
    assert mirrored(out / "kg.trig") == home_of(out) and store_holds(home_of(out), out / "kg.trig")


def kept(folder: Path) -> dict[str, bytes]:
    """What a build keeps for the next (kg.memo files) and its outputs."""
    names = ("checks.json", "keys.json", "layouts.json")
    return {**outputs(folder), **{n: (state_dir(folder) / n).read_bytes() for n in names}}


@pytest.fixture(scope="module")
def full_html(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full_html")
    build([corpus], out_dir=out)
    return out


def damage_all(folder: Path) -> None:
    """Every kept result made wrong for its key: an index past the graph, a layout of
    another size, keys of another article."""
    for name, wrong in (("checks.json", [[999, [], []]]), ("layouts.json", [[0.0, 0.0]])):
        data = json.loads((state_dir(folder) / name).read_text())
        data["results"] = {key: wrong for key in data["results"]}
        (state_dir(folder) / name).write_text(json.dumps(data))
    data = json.loads((state_dir(folder) / "keys.json").read_text())
    data["results"] = {key: ["name:nobody"] for key in data["results"]}
    (state_dir(folder) / "keys.json").write_text(json.dumps(data))


@pytest.mark.parametrize("kept_results", ["kept", "missing", "damaged"])
def test_adding_with_kept_results_equals_a_full_build(
    corpus: Path, full_html: Path, tmp_path: Path, kept_results: str
) -> None:
    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=tmp_path)
    if kept_results == "missing":
        for name in ("checks.json", "keys.json", "layouts.json"):
            (state_dir(tmp_path) / name).unlink()
    elif kept_results == "damaged":
        damage_all(tmp_path)
    add([corpus / "gamma.txt"], out_dir=tmp_path)
    assert kept(tmp_path) == kept(full_html)
    assert (tmp_path / "kg.html").read_bytes() == (full_html / "kg.html").read_bytes()


def test_adding_redoes_the_resolution_keys_of_the_new_article_only(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.build import resolution

    build([corpus / "alpha.txt", corpus / "beta.txt"], out_dir=tmp_path, html=False)
    made: list[str] = []
    article_keys = resolution.article_keys

    def counted(extraction, **options):
        made.append(extraction.article.id)
        return article_keys(extraction, **options)

    monkeypatch.setattr(resolution, "article_keys", counted)
    add([corpus / "gamma.txt"], out_dir=tmp_path, html=False)
    assert made == ["gamma"]
