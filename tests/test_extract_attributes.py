"""The indexed attribute ruler gives the stock AttributeRuler's matches, only faster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from kg.extract import load_model
from kg.extract.attributes import IndexedAttributeRuler, index_attribute_ruler
from kg.ingest import sample_corpus

CONLL04_DEV = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "conll04" / "dev.json"

PATTERNS = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
    {"patterns": [[{"TAG": {"IN": ["VBD", "VBZ"]}}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"LOWER": {"REGEX": "^n'?t$"}}]], "attrs": {"LEMMA": "not"}},
    {"patterns": [[{"LOWER": "it", "DEP": "nsubj"}]], "attrs": {"MORPH": "Case=Nom"}},
    {"patterns": [[{"LOWER": "it", "DEP": {"NOT_IN": ["nsubj"]}}]], "attrs": {"MORPH": "Case=Acc"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
    # Lower-case forms listed: tried only for a token of one of them.
    {"patterns": [[{"LOWER": {"IN": ["saw", "sees"]}, "TAG": "VBD"}]], "attrs": {"LEMMA": "see"}},
    # Later rules win: this one overrides the first for "cat".
    {"patterns": [[{"TAG": "NN", "LOWER": "cat"}]], "attrs": {"POS": "PROPN"}},
    # Multi-token patterns, one with two alternatives and one setting its last token.
    {
        "patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}], [{"LOWER": "got"}, {"LOWER": "ta"}]],
        "attrs": {"LEMMA": "go"},
    },
    {"patterns": [[{"LOWER": "let"}, {"LOWER": "'s"}]], "attrs": {"LEMMA": "us"}, "index": -1},
]

WORDS = ["It", "saw", "it", "n't", "gon", "na", "let", "'s", "the", "cat", " ", "got", "ta"]
TAGS = ["PRP", "VBD", "PRP", "RB", "VBG", "TO", "VB", "PRP", "DT", "NN", "_SP", "VBD", "TO"]
DEPS = [
    "nsubj",
    "ROOT",
    "dobj",
    "neg",
    "aux",
    "aux",
    "ccomp",
    "nsubj",
    "det",
    "dobj",
    "dep",
    "conj",
    "aux",
]


def _rulers(patterns: list[dict]) -> tuple[Language, AttributeRuler, IndexedAttributeRuler]:
    nlp = spacy.blank("en")
    stock = AttributeRuler(nlp.vocab)
    stock.add_patterns(patterns)
    indexed = IndexedAttributeRuler(nlp.vocab)
    indexed.add_patterns(patterns)
    return nlp, stock, indexed


def _doc(nlp: Language) -> Doc:
    heads = [1, 1, 1, 1, 1, 4, 1, 6, 9, 6, 9, 1, 11]
    return Doc(nlp.vocab, words=WORDS, tags=TAGS, deps=DEPS, heads=heads)


def _annotations(doc: Doc) -> list[tuple[str, str, str]]:
    return [(t.pos_, str(t.morph), t.lemma_) for t in doc]


def test_same_matches_and_annotations_as_the_stock_ruler() -> None:
    nlp, stock, indexed = _rulers(PATTERNS)
    assert indexed.match(_doc(nlp)) == stock.match(_doc(nlp))
    assert indexed._table is not None and indexed._table.multi is None  # no matcher needed
    ours, theirs = indexed(_doc(nlp)), stock(_doc(nlp))
    assert _annotations(ours) == _annotations(theirs)
    by_word = dict(zip(WORDS, _annotations(ours), strict=True))
    assert by_word["cat"][0] == "PROPN"  # the later rule won
    assert by_word["It"][1] == "Case=Nom" and by_word["it"][1] == "Case=Acc"
    assert by_word["'s"][2] == "us" and by_word["gon"][2] == "go" and by_word["got"][2] == "go"
    assert by_word["n't"][2] == "not" and by_word[" "][0] == "SPACE"
    assert by_word["saw"][2] == "see"


def test_patterns_added_later_are_seen() -> None:
    nlp, stock, indexed = _rulers(PATTERNS[:1])
    indexed.match(_doc(nlp))  # builds its table
    for ruler in (stock, indexed):
        ruler.add_patterns([{"patterns": [[{"LOWER": "saw"}]], "attrs": {"LEMMA": "see"}}])
    assert indexed.match(_doc(nlp)) == stock.match(_doc(nlp))
    assert any(start == 1 for _, _, start, _ in indexed.match(_doc(nlp)))


def test_an_operator_it_cannot_evaluate_falls_back_to_the_matcher() -> None:
    patterns = [*PATTERNS, {"patterns": [[{"LENGTH": {">=": 3}}]], "attrs": {"LEMMA": "long"}}]
    nlp, stock, indexed = _rulers(patterns)
    assert indexed.match(_doc(nlp)) == stock.match(_doc(nlp))
    assert indexed._table is not None and not indexed._table.supported


def test_a_pattern_of_varying_length_goes_to_the_matcher() -> None:
    patterns = [
        *PATTERNS,
        {"patterns": [[{"LOWER": "it"}, {"TAG": "VBD", "OP": "+"}]], "attrs": {"LEMMA": "it-saw"}},
    ]
    nlp, stock, indexed = _rulers(patterns)
    assert indexed.match(_doc(nlp)) == stock.match(_doc(nlp))
    assert indexed._table is not None and indexed._table.multi is not None
    assert any(end - start == 2 for _, _, start, end in indexed.match(_doc(nlp)))


def test_an_empty_doc_has_no_matches() -> None:
    nlp, _, indexed = _rulers(PATTERNS)
    assert indexed.match(nlp.make_doc("")) == []


@pytest.mark.model
def test_the_models_rules_give_the_same_annotations_on_real_text() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sample_corpus()]
    if CONLL04_DEV.is_file():
        records = json.loads(CONLL04_DEV.read_text(encoding="utf-8"))
        texts += [" ".join(r["tokens"]) for r in records[:150]]
    texts.append(
        "I ain't gonna say it. Let's go!  There are 2 cats; you and I saw them, didn't we?"
    )
    stock = load_model()
    indexed = load_model()
    index_attribute_ruler(indexed)
    assert isinstance(indexed.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    ours = [_annotations(d) for d in indexed.pipe(texts)]
    theirs = [_annotations(d) for d in stock.pipe(texts)]
    assert ours == theirs


@pytest.mark.model
def test_the_extraction_pipeline_uses_it(nlp: Language) -> None:
    assert isinstance(nlp.get_pipe("attribute_ruler"), IndexedAttributeRuler)
