"""Tests for kg.train.ner: CoNLL04 and news gold -> training examples; the shipped weights."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import cast

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Span
from spacy.training import offsets_to_biluo_tags

from kg.eval import ConllSentence, GoldEntity, load_conll04, parse_seeds_gold
from kg.train import ner as train_ner
from kg.train.ner import (
    WEIGHTS,
    Annotation,
    conll_annotation,
    example_from_annotation,
    gold_subset,
    news_annotation,
    news_label,
    rehearsal_annotations,
    sentence_annotations,
    stock_votes,
    title_end,
    title_words,
)


def _sentence(tmp_path: Path, tokens: list[str], tags: list[str]) -> ConllSentence:
    """Write one SpERT-layout sentence and read it back as kg.eval does."""
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps([{"tokens": tokens, "tags": tags, "relations": []}]))
    return load_conll04(path)[0]


def _biluo(nlp: Language, annotation: Annotation, **options: object) -> list[str]:
    """The reference BILUO tags of the example built from ``annotation`` ("-" = missing)."""
    example = example_from_annotation(nlp, annotation, **options)  # type: ignore[arg-type]
    doc = example.reference
    tags = []
    for token in doc:
        if token.ent_iob_ == "":
            tags.append("-")
        elif token.ent_iob_ == "O":
            tags.append("O")
        else:
            ent = next(e for e in doc.ents if e.start <= token.i < e.end)
            if len(ent) == 1:
                prefix = "U"
            elif token.i == ent.start:
                prefix = "B"
            elif token.i == ent.end - 1:
                prefix = "L"
            else:
                prefix = "I"
            tags.append(f"{prefix}-{ent.label_}")
    return tags


@pytest.fixture(scope="module")
def blank() -> Language:
    return spacy.blank("en")


def test_bilou_tags_become_labelled_character_spans(tmp_path: Path) -> None:
    tokens = ["Ann", "Lee", "of", "Acme", "Corp", "lives", "in", "Oslo"]
    tags = ["B-Peop", "L-Peop", "O", "B-Org", "L-Org", "O", "O", "U-Loc"]
    sentence = _sentence(tmp_path, tokens, tags)
    annotation = conll_annotation(sentence)
    assert annotation.text == "Ann Lee of Acme Corp lives in Oslo"
    spans = [(annotation.text[s:e], label) for s, e, label in annotation.entities]
    assert spans == [("Ann Lee", "PERSON"), ("Acme Corp", "ORG"), ("Oslo", "GPE")]
    assert annotation.missing == ()


def test_other_is_missing_not_outside(tmp_path: Path, blank: Language) -> None:
    tokens = ["Ann", "read", "War", "and", "Peace", "twice"]
    tags = ["U-Peop", "O", "B-Other", "I-Other", "L-Other", "O"]
    annotation = conll_annotation(_sentence(tmp_path, tokens, tags))
    assert [annotation.text[s:e] for s, e in annotation.missing] == ["War and Peace"]
    assert _biluo(blank, annotation) == ["U-PERSON", "O", "-", "-", "-", "O"]


def test_stock_labels_refine_places_and_fill_unannotated_types(tmp_path: Path) -> None:
    tokens = ["Ann", "sailed", "the", "Pacific", "on", "Monday", "for", "Acme"]
    tags = ["U-Peop", "O", "O", "U-Loc", "O", "U-Other", "O", "O"]
    sentence = _sentence(tmp_path, tokens, tags)
    text = sentence.text
    stock = [
        (text.index("Pacific"), text.index("Pacific") + 7, "LOC"),  # kept: a place label
        (text.index("Monday"), text.index("Monday") + 6, "DATE"),  # Other span, stock label kept
        (text.index("Acme"), text.index("Acme") + 4, "ORG"),  # not gold: taught as outside
        (0, 3, "ORG"),  # gold says PERSON: gold wins
    ]
    annotation = conll_annotation(sentence, stock=stock)
    labels = {text[s:e]: label for s, e, label in annotation.entities}
    assert labels == {"Ann": "PERSON", "Pacific": "LOC", "Monday": "DATE"}
    assert annotation.missing == ()


def test_stock_dates_outside_gold_are_kept_and_overlaps_left_missing(tmp_path: Path) -> None:
    tokens = ["Ann", "won", "the", "Nobel", "Prize", "in", "1990", "on", "May", "2"]
    tags = ["U-Peop", "O", "O", "B-Other", "L-Other", "O", "O", "O", "O", "O"]
    sentence = _sentence(tmp_path, tokens, tags)
    text = sentence.text
    stock = [
        (text.index("the Nobel"), text.index("Prize") + 5, "WORK_OF_ART"),  # overlaps Other
        (text.index("May"), len(text), "DATE"),
        (text.index("1990"), text.index("1990") + 4, "DATE"),
    ]
    annotation = conll_annotation(sentence, stock=stock)
    assert [text[s:e] for s, e in annotation.missing] == ["the Nobel Prize"]
    assert [(text[s:e], label) for s, e, label in annotation.entities] == [
        ("Ann", "PERSON"),
        ("1990", "DATE"),
        ("May 2", "DATE"),
    ]


def test_city_and_state_are_split_at_the_comma(tmp_path: Path) -> None:
    tokens = ["born", "in", "Bethany", ",", "Conn.", ",", "in", "1950"]
    tags = ["O", "O", "B-Loc", "I-Loc", "L-Loc", "O", "O", "O"]
    sentence = _sentence(tmp_path, tokens, tags)
    split = conll_annotation(sentence)
    assert [sentence.text[s:e] for s, e, _ in split.entities] == ["Bethany", "Conn."]
    joined = conll_annotation(sentence, split_places=False)
    assert [sentence.text[s:e] for s, e, _ in joined.entities] == ["Bethany , Conn."]


def test_titles_are_left_out_of_person_names(blank: Language) -> None:
    titles = title_words(lexicon_titles=["president", "king"])
    text = "President Ann Lee met Martin Luther King III"
    annotation = Annotation(text, ((0, 17, "PERSON"), (22, len(text), "PERSON")))
    tags = _biluo(blank, annotation, titles=titles)
    assert tags == [
        "-",
        "B-PERSON",
        "L-PERSON",
        "O",
        "B-PERSON",
        "I-PERSON",
        "I-PERSON",
        "L-PERSON",
    ]
    assert _biluo(blank, annotation)[:3] == ["B-PERSON", "I-PERSON", "L-PERSON"]


def test_title_end_handles_abbreviated_titles_after_a_place(blank: Language) -> None:
    doc = blank("Texas Gov. John Connally")
    assert title_end(doc, 0, 4, title_words()) == 2
    doc = blank("Sen.")
    assert title_end(doc, 0, 1, title_words()) == 0  # a lone word is always kept


def test_edge_punctuation_is_taught_as_outside(blank: Language) -> None:
    # CoNLL04 glues a sentence's final period to its last token ("Boise."); kg trims it.
    annotation = Annotation("He flew to Boise.", ((11, 17, "GPE"),))
    assert _biluo(blank, annotation) == ["O", "O", "O", "U-GPE", "O"]


def test_reference_tags_agree_with_spacy_offsets(blank: Language) -> None:
    annotation = Annotation(
        "Ann Lee left Acme in May", ((0, 7, "PERSON"), (13, 17, "ORG")), ((21, 24),)
    )
    doc = blank(annotation.text)
    expected = offsets_to_biluo_tags(doc, list(annotation.entities), missing="O")
    expected[-1] = "-"
    assert _biluo(blank, annotation) == expected


def test_rehearsal_annotations_are_per_sentence(blank: Language) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [{"label": "GPE", "pattern": "Sydney"}, {"label": "PERSON", "pattern": "John Howard"}]
    )
    text = "Fires burned near Sydney on Monday night. John Howard visited the town today."
    annotations = rehearsal_annotations(nlp, [text])
    assert [a.text for a in annotations] == [
        "Fires burned near Sydney on Monday night.",
        "John Howard visited the town today.",
    ]
    first, second = annotations
    assert [first.text[s:e] for s, e, _ in first.entities] == ["Sydney"]
    assert second.entities == ((0, 11, "PERSON"),)


# --------------------------------------------------------------------------- news gold


ARTICLE = (
    "Dr Ann Lee of Ranco Inc said Ranco will sell the Apache in New South Wales and "
    "Victoria on Monday. The New South Wales Rural Fire Service thanked Lee. "
    "Westpac fell at Acmeville."
)


def _gold(*entities: tuple[str, str, tuple[str, ...], bool]) -> list[GoldEntity]:
    return [GoldEntity(label, cls, names, optional=opt) for label, cls, names, opt in entities]


def _span(text: str, surface: str, label: str, nth: int = 0) -> tuple[int, int, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface), label


def _labelled(annotation: Annotation) -> list[tuple[str, str]]:
    return [(annotation.text[s:e], label) for s, e, label in annotation.entities]


@pytest.fixture(scope="module")
def projected(blank: Language) -> Annotation:
    gold = _gold(
        ("Ann Lee", "Person", ("Ann Lee", "Dr Ann Lee", "Lee"), False),
        ("Ranco", "Company", ("Ranco Inc", "Ranco"), False),
        ("AH-64 Apache", "Product", ("Apache",), False),
        ("New South Wales", "Region", ("New South Wales",), False),
        ("Victoria", "Region", ("Victoria",), False),
        (
            "New South Wales Rural Fire Service",
            "GovernmentAgency",
            ("New South Wales Rural Fire Service",),
            False,
        ),
        ("Westpac", "Company", ("Westpac",), True),  # optional: neither right nor wrong
        ("Acme", "Company", ("Acme",), False),  # only inside "Acmeville": never marked
    )
    stock = [
        _span(ARTICLE, "Ranco Inc", "PERSON"),  # the stock model's error: gold wins
        _span(ARTICLE, "Victoria", "GPE"),  # a state the stock model calls GPE: kept GPE
        _span(ARTICLE, "Monday", "DATE"),  # a label the gold does not annotate: kept
        _span(ARTICLE, "the Apache in New", "EVENT"),  # half inside names: the rest missing
        _span(ARTICLE, "Westpac", "PERSON"),  # an optional name: missing, not PERSON
        _span(ARTICLE, "Acmeville", "PERSON"),  # no gold name: outside
    ]
    return news_annotation(blank(ARTICLE), gold, stock=stock)


def test_news_names_are_marked_with_the_label_of_their_class(projected: Annotation) -> None:
    assert _labelled(projected) == [
        ("Dr Ann Lee", "PERSON"),
        ("Ranco Inc", "ORG"),
        ("Ranco", "ORG"),
        ("Apache", "PRODUCT"),
        ("New South Wales", "LOC"),
        ("Victoria", "GPE"),
        ("Monday", "DATE"),
        ("New South Wales Rural Fire Service", "ORG"),
        ("Lee", "PERSON"),
    ]


def test_longest_names_win_and_never_overlap(projected: Annotation) -> None:
    spans = sorted((s, e) for s, e, _ in projected.entities)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    # "New South Wales" inside the agency's name is not marked on its own.
    agency = _span(ARTICLE, "New South Wales Rural Fire Service", "ORG")
    assert agency in projected.entities
    assert _span(ARTICLE, "New South Wales", "LOC", nth=1) not in projected.entities


def test_optional_names_and_cut_stock_spans_are_missing(projected: Annotation) -> None:
    assert [ARTICLE[s:e] for s, e in projected.missing] == ["the", "in", "Westpac"]


def test_projected_article_gives_biluo_tags(blank: Language, projected: Annotation) -> None:
    titles = title_words(lexicon_titles=[])
    sentences = sentence_annotations(
        projected, [(0, ARTICLE.index("The")), (ARTICLE.index("The"), len(ARTICLE))]
    )
    first, second = sentences
    tags = _biluo(blank, first, titles=titles)
    words = [t.text for t in blank(first.text)]
    assert list(zip(words, tags, strict=True))[:8] == [
        ("Dr", "-"),  # a title: kept out of the name, unannotated
        ("Ann", "B-PERSON"),
        ("Lee", "L-PERSON"),
        ("of", "O"),
        ("Ranco", "B-ORG"),
        ("Inc", "L-ORG"),
        ("said", "O"),
        ("Ranco", "U-ORG"),
    ]
    assert dict(zip(words, tags, strict=True))["the"] == "-"
    assert dict(zip(words, tags, strict=True))["Apache"] == "U-PRODUCT"
    later = dict(zip([t.text for t in blank(second.text)], _biluo(blank, second), strict=True))
    assert later["Westpac"] == "-"
    assert later["Acmeville"] == "O"


def test_a_span_claimed_with_two_labels_is_missing(blank: Language) -> None:
    gold = _gold(
        ("Jordan", "Country", ("Jordan",), False), ("Michael Jordan", "Person", ("Jordan",), False)
    )
    annotation = news_annotation(blank("Jordan won."), gold)
    assert annotation.entities == () and annotation.missing == ((0, 6),)


def test_region_and_place_labels_follow_the_stock_model(blank: Language) -> None:
    assert news_label("Region", "GPE") == "GPE" and news_label("Region", None) == "LOC"
    assert news_label("Place", "FAC") == "FAC" and news_label("Place", "GPE") == "LOC"
    assert news_label("Court") == "ORG" and news_label("Country", "LOC") == "GPE"
    # One label per name: the stock model's at most of its occurrences ("the" dropped).
    doc = blank("the Hume Highway and Hume Highway, Victoria and Victoria")
    doc.ents = [Span(doc, 0, 3, "FAC"), Span(doc, 7, 8, "GPE")]  # the Hume Highway; Victoria
    gold = _gold(
        ("Hume Highway", "Place", ("Hume Highway",), False),
        ("Victoria", "Region", ("Victoria",), False),
    )
    votes = stock_votes([(doc, gold)])
    assert votes == {"Hume Highway": "FAC", "Victoria": "GPE"}
    annotation = news_annotation(blank(doc.text), gold, votes=votes)
    assert [label for _, _, label in annotation.entities] == ["FAC", "FAC", "GPE", "GPE"]


def test_a_name_across_sentences_is_missing_on_both_sides() -> None:
    annotation = Annotation("He met Ann. Lee Corp won.", ((7, 15, "ORG"),))
    first, second = sentence_annotations(annotation, [(0, 11), (11, 25)])
    assert first.text == "He met Ann." and first.entities == () and first.missing == ((7, 11),)
    assert second.text == "Lee Corp won." and second.missing == ((0, 3),)


def test_gold_subset_keeps_the_articles_entities_and_relations() -> None:
    gold = parse_seeds_gold(
        {
            "entities": [
                {"label": "Acme", "class": "Company", "docs": ["a", "b"]},
                {"label": "Oslo", "class": "City", "docs": ["b"]},
                {"label": "Ann", "class": "Person", "docs": ["a"]},
            ],
            "relations": [
                {"subject": "Acme", "predicate": "basedIn", "object": "Oslo", "doc": "b"},
                {"subject": "Ann", "predicate": "worksFor", "object": "Acme", "doc": "a"},
            ],
        }
    )
    subset = gold_subset(gold, ["a"])
    assert [e.label for e in subset.entities] == ["Acme", "Ann"]
    assert [r.predicate for r in subset.relations] == ["worksFor"]


def test_command_line_help_names_the_module(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        train_ner.main(["--help"])
    assert exit_info.value.code == 0
    assert "python -m kg.train.ner" in capsys.readouterr().out


def test_scores_record_the_training_command_and_seed() -> None:
    scores = json.loads((WEIGHTS / "scores.json").read_text(encoding="utf-8"))
    assert scores["command"].startswith("python -m kg.train.ner")
    assert isinstance(scores["config"]["seed"], int)
    assert (
        scores["dev"]["fine_tuned"]["dev_entities"]["overall"]["f1"]
        > (scores["dev"]["stock"]["dev_entities"]["overall"]["f1"])
    )


def test_scores_record_the_settings_chosen_on_held_out_news() -> None:
    scores = json.loads((WEIGHTS / "scores.json").read_text(encoding="utf-8"))
    cv = scores["cross_validation"]
    chosen = cv["chosen"]
    assert {k: scores["config"][k] for k in chosen} == chosen
    row = next(r for r in cv["table"] if {k: r[k] for k in chosen} == chosen)
    assert row["f1"] > cv["stock"]["f1"]  # held out: better than the stock model
    assert all(set(a).isdisjoint(b) for a in cv["folds"] for b in cv["folds"] if a is not b)
    assert cv["checks"][-1]["seeds_entities_f1"] >= cv["min_seeds_f1"]


@pytest.mark.model
def test_shipped_weights_tag_a_new_sentence() -> None:
    from kg.extract import load_model

    nlp = load_model()
    cast(EntityRecognizer, nlp.get_pipe("ner")).from_disk(WEIGHTS)
    doc = nlp("Angela Merkel met executives of Siemens in Munich.")
    ents = {e.text: e.label_ for e in doc.ents}
    assert ents.get("Angela Merkel") == "PERSON"
    assert ents.get("Siemens") == "ORG"
    assert ents.get("Munich") == "GPE"


@pytest.mark.model
def test_training_writes_weights_that_load(tmp_path: Path) -> None:
    from kg.extract import load_model

    data = [
        {
            "tokens": ["Ann", "Lee", "works", "for", "Acme", "in", "Oslo", "."],
            "tags": ["B-Peop", "L-Peop", "O", "O", "U-Org", "O", "U-Loc", "O"],
            "relations": [],
        }
    ]
    train_file = tmp_path / "train.json"
    train_file.write_text(json.dumps(data))
    news_file = tmp_path / "news.jsonl"
    text = "Westpac hired Ann Lee in Wollongong. Ranco Inc fell."
    news_file.write_text(json.dumps({"id": "n1", "text": text}) + "\n")
    news_gold = tmp_path / "news.gold.json"
    entities = [
        {"label": "Westpac", "class": "Company", "docs": ["n1"]},
        {"label": "Ann Lee", "class": "Person", "docs": ["n1"]},
        {"label": "Wollongong", "class": "City", "docs": ["n1"]},
        {"label": "Ranco Inc", "class": "Company", "docs": ["n1"]},
    ]
    news_gold.write_text(json.dumps({"entities": entities}))
    config = train_ner.TrainConfig(epochs=1, rehearse=1, news_weight=1.5)
    result = train_ner.train(
        config,
        train_file=train_file,
        dev_file=None,
        seeds_gold=None,
        output=tmp_path / "ner",
        extra_texts=["Fires burned near Sydney on Monday. The premier visited the town."],
        news_file=news_file,
        news_gold=news_gold,
    )
    assert result.examples == 1 and len(result.epochs) == 1
    assert result.extra["news_articles"] == 1 and result.extra["news_sentences"] == 2
    nlp = load_model()
    ner = cast(EntityRecognizer, nlp.get_pipe("ner"))
    ner.from_disk(tmp_path / "ner")
    assert "PERSON" in ner.labels


@pytest.mark.model
def test_the_pipeline_runs_the_shipped_ner_by_default() -> None:
    from kg.extract import make_nlp

    assert make_nlp(classifier=False).meta["kg_ner"] == "adapted"
    assert make_nlp(classifier=False, adapted_ner=False).meta["kg_ner"] == "stock"


@pytest.mark.model
def test_weights_the_model_cannot_take_leave_the_stock_ner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.extract

    bad = tmp_path / "ner"
    bad.mkdir()
    (bad / "model").write_bytes(b"not weights")
    (bad / "cfg").write_text("{}")
    monkeypatch.setattr(kg.extract, "NER_WEIGHTS", bad)
    nlp = kg.extract.make_nlp(classifier=False)
    assert nlp.meta["kg_ner"] == "stock"
    assert {e.label_ for e in nlp("Angela Merkel visited Munich.").ents} >= {"PERSON", "GPE"}
