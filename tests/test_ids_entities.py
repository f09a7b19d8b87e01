"""Entity IRIs, once given in a build folder, never move to another entity (issue 16, item 11).

"Müller AG" and "Muller AG" are two entities whose names slug alike
(``organization/muller-ag``): the one a build named first keeps the plain IRI
whatever arrives or leaves later; a fresh build stays deterministic.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDFS

from kg.build.folder import state_dir
from kg.build.outputs import write_outputs
from kg.build.resolution import assemble
from kg.build.state import IRIS_FILE, BuildOptions, BuildState, article_hash, load_state, save_state
from kg.errors import StateError
from kg.ingest import file_id
from kg.ontology import KGR_IRI
from kg.rdf.load import load_graph
from kg.resolve import mint_ids, resolve, resolve_minted
from kg.types import Article, Extraction, Mention

BASE = "https://example.org/"


def company(doc: str, name: str) -> Extraction:
    text = f"{name} opened a plant."
    return Extraction(
        Article(doc, text, source=f"{doc}.txt"), (Mention(0, len(name), name, "Company"),), ()
    )


A = company("a", "Müller AG")
B = company("b", "Muller AG")
C = company("c", "Acme Corp")


def ids_by_label(extractions: list[Extraction], minted: dict[str, str]) -> dict[str, str]:
    entities, _, _ = resolve_minted(extractions, minted=minted)
    return {e.label: e.id for e in entities}


def test_a_later_entity_takes_the_next_suffix_and_the_first_keeps_its_iri() -> None:
    _, _, minted = resolve_minted([A])
    assert minted == {"organization/muller-ag": "name:müller"}
    assert ids_by_label([A, B], minted) == {
        "Müller AG": "organization/muller-ag",
        "Muller AG": "organization/muller-ag-2",
    }


def test_a_fresh_build_is_deterministic_and_ignores_the_order_of_articles() -> None:
    first = ids_by_label([A, B, C], {})
    assert first == ids_by_label([C, B, A], {}) == ids_by_label([A, B, C], {})
    # fresh, the keys are served in sorted order: "name:muller" before "name:müller"
    assert first["Muller AG"] == "organization/muller-ag"
    assert [e.id for e in resolve([A, B, C])[0]] == sorted(first.values())


def test_an_iri_of_a_removed_entity_is_never_given_to_another() -> None:
    _, _, minted = resolve_minted([A])  # build A
    _, _, minted = resolve_minted([C], minted=minted)  # remove A (C stays)
    assert ids_by_label([C, B], minted)["Muller AG"] == "organization/muller-ag-2"  # add B
    _, _, minted = resolve_minted([C, B], minted=minted)
    # A comes back: its IRI waited for it
    assert ids_by_label([C, B, A], minted) == {
        "Acme Corp": "organization/acme-corp",
        "Muller AG": "organization/muller-ag-2",
        "Müller AG": "organization/muller-ag",
    }


def test_the_registry_only_grows() -> None:
    _, _, one = resolve_minted([A, B])
    _, _, two = resolve_minted([C], minted=one)
    assert one.items() <= two.items() and "organization/acme-corp" in two


def test_a_label_that_changes_gets_its_new_iri_and_the_old_one_stays_reserved() -> None:
    acme = company("d", "Acme")
    _, _, minted = resolve_minted([acme])
    assert minted == {"organization/acme": "name:acme"}
    # Another article names the same company more fully: the label, hence the IRI, follow
    # (as in a fresh build); "organization/acme" stays Acme's and goes to no other entity.
    _, _, minted = resolve_minted([acme, C], minted=minted)
    assert minted["organization/acme"] == "name:acme"
    assert mint_ids({"name:other": "organization/acme"}, minted) == {
        "name:other": "organization/acme-2"
    }


@given(st.lists(st.sampled_from(["Muller AG", "Müller AG", "MULLER AG", "Mullér AG"]), min_size=1))
def test_any_order_of_arrivals_never_moves_an_iri(names: list[str]) -> None:
    minted: dict[str, str] = {}
    kept: list[Extraction] = []
    for i, name in enumerate(names):
        kept.append(company(f"d{i}", name))
        entities, _, grown = resolve_minted(kept, minted=minted)
        assert len({e.id for e in entities}) == len(entities)  # no two entities share an IRI
        assert minted.items() <= grown.items()  # an IRI names one entity (key) for good
        keys = {grown[e.id] for e in entities}
        assert len(keys) == len(entities)
        minted = grown


# --------------------------------------------------------------------- the build folder


def state_of(*extractions: Extraction, iris: dict[str, str] | None = None) -> BuildState:
    return BuildState(
        options=BuildOptions(base=BASE),
        fingerprint="f" * 32,
        extractions={ex.article.id: ex for ex in extractions},
        hashes={ex.article.id: article_hash(ex.article) for ex in extractions},
        iris=dict(iris or {}),
    )


def entity_iris(folder: Path, base: str = BASE) -> dict[str, str]:
    """The organizations of a build's kg.trig: label -> IRI local part."""
    graph = load_graph(folder / "kg.trig")
    prefix = base + "organization/"
    return {
        str(label): str(e).removeprefix(base)
        for e, label in graph.subject_objects(RDFS.label)
        if str(e).startswith(prefix)
    }


def test_the_build_state_remembers_minted_iris(tmp_path: Path) -> None:
    write_outputs(assemble(state_of(A)), tmp_path, html=False, base=BASE)
    assert json.loads((state_dir(tmp_path) / IRIS_FILE).read_text()) == {
        "organization/muller-ag": "name:müller"
    }
    state = load_state(tmp_path)
    grown = replace(
        state,
        extractions={**state.extractions, "b": B},
        hashes={**state.hashes, "b": article_hash(B.article)},
    )
    write_outputs(assemble(grown), tmp_path, html=False, base=BASE)
    assert entity_iris(tmp_path) == {
        "Müller AG": "organization/muller-ag",
        "Muller AG": "organization/muller-ag-2",
    }
    # removing A and writing again: B keeps "-2", and A's IRI stays A's
    state = load_state(tmp_path)
    shrunk = replace(state, extractions={"b": B}, hashes={"b": article_hash(B.article)})
    write_outputs(assemble(shrunk), tmp_path, html=False, base=BASE)
    assert entity_iris(tmp_path) == {"Muller AG": "organization/muller-ag-2"}
    assert load_state(tmp_path).iris["organization/muller-ag"] == "name:müller"


def test_a_state_without_a_registry_is_one_of_an_earlier_kg(tmp_path: Path) -> None:
    save_state(tmp_path, state_of(A))
    (state_dir(tmp_path) / IRIS_FILE).unlink()
    assert load_state(tmp_path).iris == {}


@pytest.mark.parametrize("text", ["[1, 2]", "{not json", '{"organization/x": 3}', "\udcff"])
def test_a_damaged_registry_is_a_one_line_error(tmp_path: Path, text: str) -> None:
    save_state(tmp_path, state_of(A, iris={"organization/muller-ag": "name:müller"}))
    (state_dir(tmp_path) / IRIS_FILE).write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(StateError, match="damaged") as info:
        load_state(tmp_path)
    assert "\n" not in str(info.value) and IRIS_FILE in str(info.value)


# ------------------------------------------------------------------ the whole pipeline


@pytest.mark.model
def test_kg_add_of_a_colliding_name_keeps_the_first_iri(tmp_path: Path) -> None:
    from kg.build.pipeline import build
    from kg.build.updates import add, remove

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = tmp_path / "a" / "Müller.txt"
    second = tmp_path / "b" / "Muller.txt"
    first.write_text("Müller AG opened a plant in Berlin. Hans Weber runs Müller AG.\n")
    second.write_text("Muller AG closed a plant in Paris. Anne Roy runs Muller AG.\n")
    out = tmp_path / "out"
    build([first], out_dir=out, html=False)
    before = entity_iris(out, KGR_IRI)
    changes = add([second], out_dir=out, html=False)
    assert changes.added == (file_id("Muller.txt"),) and not changes.replaced  # item 4 too
    after = entity_iris(out, KGR_IRI)
    assert after["Müller AG"] == before["Müller AG"] == "organization/muller-ag"
    assert after["Muller AG"] == "organization/muller-ag-2"
    remove(["Müller"], out_dir=out, html=False)
    assert entity_iris(out, KGR_IRI) == {"Muller AG": "organization/muller-ag-2"}
