"""kg.build.state: extractions round-trip through the build state; bad state is refused cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.build.folder import PACKAGE_DIR, state_dir
from kg.build.pipeline import shipped_files
from kg.build.resolution import resolution_code
from kg.build.state import (
    BuildOptions,
    BuildState,
    article_hash,
    load_state,
    pipeline_fingerprint,
    save_state,
)
from kg.build.state_records import extraction_from_dict, extraction_to_dict
from kg.errors import StateError
from kg.types import (
    Article,
    Extraction,
    Mention,
    ObservationCandidate,
    Qualifiers,
    RelationCandidate,
)

TEXT = "Acme hired Jo Bloggs in May. It holds 30% of the market."
EXTRACTION = Extraction(
    article=Article("d1", TEXT, title="Acme", date="2020-06-01", source="x.txt"),
    mentions=(
        Mention(0, 4, "Acme", "Company", key="acme", source="gazetteer"),
        Mention(11, 20, "Jo Bloggs", "Person", role="Chief"),
        Mention(29, 31, "It", "Company", source="coref", antecedent=0),
    ),
    relations=(
        RelationCandidate(
            1, 0, "worksFor", 0.8, (0, 28), Qualifiers(start="2020-05", role="Chief"), "hired"
        ),
    ),
    observations=(
        ObservationCandidate(2, "marketShare", "30", "percent", (29, 57), quote=(38, 41)),
    ),
    sentences=((0, 28), (29, 57)),
)


def test_an_extraction_round_trips_through_json() -> None:
    data = json.loads(json.dumps(extraction_to_dict(EXTRACTION)))
    assert extraction_from_dict(data) == EXTRACTION


def test_an_inferred_document_date_round_trips() -> None:
    undated = Extraction(Article("d2", "Sales so far in 2021."), (), (), inferred_date="2021")
    data = json.loads(json.dumps(extraction_to_dict(undated)))
    assert extraction_from_dict(data).inferred_date == "2021"


def test_state_written_before_inferred_dates_still_loads() -> None:
    data = extraction_to_dict(EXTRACTION)
    del data["inferred_date"]
    assert extraction_from_dict(data) == EXTRACTION


texts = st.text(min_size=0, max_size=20)
optional = st.none() | texts


@given(
    article=st.builds(Article, id=texts, text=texts, title=optional, date=optional),
    mentions=st.lists(
        st.builds(
            Mention,
            start=st.integers(0, 99),
            end=st.integers(0, 99),
            text=texts,
            label=texts,
            key=optional,
            antecedent=st.none() | st.integers(0, 5),
        ),
        max_size=4,
    ),
    confidence=st.floats(0, 1),
)
def test_any_extraction_round_trips(
    article: Article, mentions: list[Mention], confidence: float
) -> None:
    ex = Extraction(
        article,
        tuple(mentions),
        (RelationCandidate(0, 1, "sues", confidence, (1, 2), Qualifiers(status="ended")),),
    )
    assert extraction_from_dict(json.loads(json.dumps(extraction_to_dict(ex)))) == ex


def _state(**extractions: Extraction) -> BuildState:
    return BuildState(
        options=BuildOptions(base="https://example.org/"),
        fingerprint="f" * 32,
        extractions=dict(extractions),
        hashes={k: article_hash(v.article) for k, v in extractions.items()},
    )


def test_state_is_saved_and_loaded(tmp_path: Path) -> None:
    save_state(tmp_path, _state(d1=EXTRACTION))
    loaded = load_state(tmp_path)
    assert loaded == _state(d1=EXTRACTION)
    assert (state_dir(tmp_path) / "extractions.jsonl").read_text().count("\n") == 1


def test_no_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no kg build here"):
        load_state(tmp_path)


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda meta, lines: ({**meta, "format": 99}, lines), "format 99"),
        (lambda meta, lines: (meta, "{not json\n"), "damaged"),
        (lambda meta, lines: ({**meta, "articles": {}}, lines), "inconsistent"),
        (lambda meta, lines: ({k: v for k, v in meta.items() if k != "options"}, lines), "damaged"),
        (
            lambda meta, lines: (
                {**meta, "options": {**meta["options"], "min_confidence": 7}},
                lines,
            ),
            "damaged",
        ),
    ],
)
def test_damaged_state_is_refused(tmp_path: Path, damage, message: str) -> None:
    save_state(tmp_path, _state(d1=EXTRACTION))
    folder = state_dir(tmp_path)
    meta = json.loads((folder / "state.json").read_text())
    lines = (folder / "extractions.jsonl").read_text()
    meta, lines = damage(meta, lines)
    (folder / "state.json").write_text(json.dumps(meta))
    (folder / "extractions.jsonl").write_text(lines)
    with pytest.raises(StateError, match=message):
        load_state(tmp_path)


def test_the_fingerprint_follows_the_knowledge_files(tmp_path: Path) -> None:
    gazetteer = tmp_path / "extra.ttl"
    gazetteer.write_text("# one\n")
    first = pipeline_fingerprint(
        model_name="m", model_version="1", kg_version="1", files=[gazetteer]
    )
    assert first == pipeline_fingerprint(
        model_name="m", model_version="1", kg_version="1", files=[gazetteer]
    )
    gazetteer.write_text("# two\n")
    assert first != pipeline_fingerprint(
        model_name="m", model_version="1", kg_version="1", files=[gazetteer]
    )


def test_the_fingerprints_cover_the_shipped_models_and_the_resolution_code() -> None:
    shipped = {
        p.relative_to(PACKAGE_DIR).as_posix()
        for p in shipped_files()
        if p.is_relative_to(PACKAGE_DIR)
    }
    assert {"models/relations/weights.npy", "models/relations/calibration.json"} <= shipped
    assert any(name.startswith("models/ner/") for name in shipped)
    code = resolution_code()
    assert all(path.is_file() for path in code)
    assert {p.name for p in code} >= {"__init__.py", "names.py", "ontology.py", "types.py"}


def test_a_state_saved_again_is_the_same_file(tmp_path: Path) -> None:
    odd = Extraction(Article("d2", "Line\u2028separator, next\x85line and tab\t."), (), ())
    save_state(tmp_path, _state(d1=EXTRACTION, d2=odd))
    path = state_dir(tmp_path) / "extractions.jsonl"
    first = path.read_bytes()
    loaded = load_state(tmp_path)
    assert loaded == _state(d1=EXTRACTION, d2=odd)
    assert set(loaded.lines) == {"d1", "d2"}  # the file was the one saved: lines kept
    save_state(tmp_path, loaded)
    assert path.read_bytes() == first


def test_a_changed_extraction_is_written_anew(tmp_path: Path) -> None:
    save_state(tmp_path, _state(d1=EXTRACTION))
    loaded = load_state(tmp_path)
    edited = Extraction(Article("d1", "Other text."), (), ())
    save_state(tmp_path, BuildState(**{**vars(loaded), "extractions": {"d1": edited}}))
    assert load_state(tmp_path).extractions == {"d1": edited}


def test_an_edited_state_file_is_checked_record_by_record(tmp_path: Path) -> None:
    save_state(tmp_path, _state(d1=EXTRACTION))
    path = state_dir(tmp_path) / "extractions.jsonl"
    path.write_text(path.read_text().replace('"start": 0', '"start": "zero"', 1))
    with pytest.raises(StateError, match='start is "zero", not int'):
        load_state(tmp_path)
