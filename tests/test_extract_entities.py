"""kg.extract.entities: NER spans repaired and typed with the gazetteer and the lexicon.

Unit tests run :class:`EntityRecognizer` on hand-built docs with hand-set NER
entities and a small invented gazetteer; tests marked ``model`` run the real
pipeline on new sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import name_end
from kg.extract.bounds import is_portfolio
from kg.extract.entities import SPAN_KEY, EntityRecognizer, descriptor_class
from kg.gazetteer import Gazetteer, GazetteerEntry
from kg.ontology import load_lexicon

MakeDoc = Callable[..., Doc]  # the make_doc fixture of conftest.py
Analyze = Callable[..., Any]  # the analyze fixture of conftest.py

GAZ = Gazetteer.from_entries(
    [
        GazetteerEntry("acme", "Company", "Acme Corporation", ("Acme",)),
        GazetteerEntry(
            "dod",
            "GovernmentAgency",
            "Ruritanian Department of Defence",
            ("Pentagon",),
            country="ruritania",
            metonyms=("Strelsau",),
        ),
        GazetteerEntry("ruritania", "Country", "Ruritania", demonyms=("Ruritanian",)),
        GazetteerEntry("elbonia", "Country", "Elbonia"),
        GazetteerEntry("galaxy", "Product", "Galaxy"),
        GazetteerEntry(
            "mod-r",
            "GovernmentAgency",
            "Ministry of Defence of Ruritania",
            ambiguous=("Ministry of Defence",),
            country="ruritania",
        ),
        GazetteerEntry(
            "mod-e",
            "GovernmentAgency",
            "Ministry of Defence of Elbonia",
            ambiguous=("Ministry of Defence",),
            country="elbonia",
        ),
    ]
)


@pytest.fixture(scope="module")
def recognizer(blank_nlp: Language) -> EntityRecognizer:
    return EntityRecognizer(blank_nlp, "kg_entities", gazetteer=GAZ, lexicon=load_lexicon())


def spans_of(recognizer: EntityRecognizer, doc) -> list[tuple[str, str, str]]:
    """(text, class, gazetteer key) of every mention the recognizer finds."""
    spans, _ = recognizer.match(doc)
    return [(s.text, s.label_, s.kb_id_) for s in spans]


def test_gazetteer_corrects_the_ner_type(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        Acme  PROPN nsubj 1
        hired VERB  ROOT  1 hire
        Jane  PROPN compound 3
        Roe   PROPN dobj  1
        .     PUNCT punct 1
        """,
        ents=[(0, 1, "PERSON"), (2, 4, "PERSON")],
    )
    assert spans_of(recognizer, doc) == [("Acme", "Company", "acme"), ("Jane Roe", "Person", "")]


def test_component_writes_the_span_group(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc("Acme PROPN ROOT 0", ents=[(0, 1, "ORG")])
    assert recognizer(doc) is doc
    assert [(s.text, s.label_) for s in doc.spans[SPAN_KEY]] == [("Acme", "Company")]
    assert doc._.kg_roles == {}


def test_a_possessive_inside_a_span_splits_it(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        the      DET   det      1
        Pentagon PROPN poss     5
        's       PART  case     1
        Widget   PROPN compound 4
        Makers   PROPN compound 5
        list     NOUN  ROOT     5
        """,
        ents=[(1, 5, "ORG")],
    )
    assert spans_of(recognizer, doc) == [
        ("Pentagon", "GovernmentAgency", "dod"),
        ("Widget Makers", "Organization", ""),
    ]


@pytest.mark.parametrize(
    ("last", "kept"), [("Archbishop", False), ("Minister", False), ("Council", True)]
)
def test_an_organization_span_ending_in_a_post_holder_is_a_title(
    make_doc: MakeDoc, recognizer: EntityRecognizer, last: str, kept: bool
) -> None:
    doc = make_doc(
        f"""
        the      DET   det      2
        Anglican PROPN compound 2
        {last}   PROPN nsubj    3
        spoke    VERB  ROOT     3 speak
        """,
        ents=[(1, 3, "ORG")],
    )
    found = [text for text, _, _ in spans_of(recognizer, doc)]
    assert found == ([f"Anglican {last}"] if kept else [])


def test_leading_determiners_and_trailing_possessives_are_trimmed(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        the    DET   det      2
        Globex PROPN compound 2
        Corporation PROPN poss 4
        's     PART  case     2
        plan   NOUN  ROOT     4
        """,
        ents=[(0, 4, "ORG")],
    )
    assert spans_of(recognizer, doc) == [("Globex Corporation", "Company", "")]


def test_a_name_cut_after_a_connector_is_extended(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        District PROPN compound 1
        Court    PROPN nsubj    5
        of       ADP   prep     1
        Eastern  PROPN compound 4
        Zenda    PROPN pobj     2
        ruled    VERB  ROOT     5 rule
        """,
        ents=[(0, 3, "ORG")],
    )
    assert spans_of(recognizer, doc)[0] == ("District Court of Eastern Zenda", "Court", "")


@pytest.mark.parametrize(
    ("words", "label", "found"),
    [
        (["World", "Trade", "Centre"], "ORG", [("World Trade Centre", "Place", "")]),
        (["Space", "Station"], "ORG", [("Space Station", "Place", "")]),
        (["Zenda", "Tennis", "Open"], "ORG", []),  # an event, not an entity
    ],
)
def test_buildings_are_places_and_events_no_entity(
    make_doc: MakeDoc, recognizer: EntityRecognizer, words: list, label: str, found: list
) -> None:
    table = "\n".join(f"{w} PROPN compound {len(words) - 1}" for w in words[:-1])
    table += f"\n{words[-1]} PROPN ROOT {len(words) - 1}"
    doc = make_doc(table, ents=[(0, len(words), label)])
    assert spans_of(recognizer, doc) == found


def test_a_person_name_the_model_ran_on_into_of_is_trimmed(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Maria    PROPN compound 1
        Lopez    PROPN nsubj    5
        of       ADP   prep     1
        Zenda    PROPN compound 4
        Corp     PROPN pobj     2
        spoke    VERB  ROOT     5 speak
        """,
        ents=[(0, 3, "PERSON")],
    )
    assert spans_of(recognizer, doc)[0] == ("Maria Lopez", "Person", "")


def test_a_court_name_split_by_ner_before_of_is_joined(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        the      DET   det      2
        District PROPN compound 2
        Court    PROPN nsubj    5
        of       ADP   prep     2
        Alaska   PROPN pobj     3
        ruled    VERB  ROOT     5 rule
        """,
        ents=[(0, 3, "ORG"), (4, 5, "GPE")],
    )
    assert spans_of(recognizer, doc) == [("District Court of Alaska", "Court", "")]


def test_a_dangling_connector_is_dropped(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        Zorg  PROPN nsubj 2
        of    ADP   prep  0
        said  VERB  ROOT  2 say
        """,
        ents=[(0, 2, "ORG")],
    )
    assert spans_of(recognizer, doc) == [("Zorg", "Organization", "")]


def test_a_product_name_takes_its_model_suffix(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Zorb  PROPN compound 2
        S21   PROPN compound 2
        Ultra PROPN ROOT     2
        """,
        ents=[(0, 2, "PRODUCT")],
    )
    assert spans_of(recognizer, doc) == [("Zorb S21 Ultra", "Product", "")]


def test_a_known_product_line_takes_its_model_number(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Galaxy PROPN compound 1
        9      NUM   ROOT     1
        Plus   PROPN appos    1
        """,
    )
    found = spans_of(recognizer, doc)
    assert ("Galaxy 9 Plus", "Product", "") in found


def test_a_known_product_line_takes_an_alphanumeric_model_code(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Galaxy PROPN compound 2
        S21    PROPN compound 2
        Ultra  PROPN ROOT     2
        """,
    )
    assert spans_of(recognizer, doc) == [("Galaxy S21 Ultra", "Product", "")]


@pytest.mark.parametrize(
    ("after", "found"),
    [
        ("Army PROPN pobj 1", []),  # "Acme Army": a longer name the model missed
        ("Chief PROPN compound 3", [("Acme", "Company", "acme")]),  # a title follows
        ("Tuesday PROPN npadvmod 1", [("Acme", "Company", "acme")]),  # a date follows
    ],
)
def test_a_known_name_cut_from_a_longer_name_is_not_linked(
    make_doc: MakeDoc, recognizer: EntityRecognizer, after: str, found: list
) -> None:
    doc = make_doc(
        f"""
        They  PRON  nsubj    1
        met   VERB  ROOT     1 meet
        Acme  PROPN compound 3
        {after}
        """,
        ents=[(3, 4, "DATE")] if after.startswith("Tuesday") else [],
    )
    assert spans_of(recognizer, doc) == found


@pytest.mark.parametrize(
    ("before", "ents", "found"),
    [
        ("Energy PROPN compound 2", [], []),  # "Energy Acme": a longer name the model missed
        ("Elbonian PROPN compound 2", [(1, 2, "NORP")], [("Acme", "Company", "acme")]),
        ("Chairman PROPN compound 2", [], [("Acme", "Company", "acme")]),  # a title
    ],
)
def test_a_known_name_after_a_name_word_it_is_cut_from_is_not_linked(
    make_doc: MakeDoc, recognizer: EntityRecognizer, before: str, ents: list, found: list
) -> None:
    doc = make_doc(
        f"""
        They  PRON  nsubj    3
        {before}
        Acme  PROPN nsubj    3
        grew  VERB  ROOT     3 grow
        """,
        ents=ents,
    )
    assert [f for f in spans_of(recognizer, doc) if f[0] == "Acme"] == found


@pytest.mark.parametrize(
    ("after", "portfolio"),
    [
        ("Minister PROPN compound 4", True),  # "Home Affairs Minister"
        ("Services PROPN compound 4", True),  # "... Home Affairs Services Minister"
        ("said VERB ROOT 4 say", False),
        ("Secretary PROPN compound 4", True),  # "Home Affairs Secretary"
    ],
)
def test_a_ministers_portfolio_is_no_organization(
    make_doc: MakeDoc, after: str, portfolio: bool
) -> None:
    doc = make_doc(
        f"""
        Home     PROPN compound 1
        Affairs  PROPN compound 3
        {after}
        Minister PROPN compound 4
        Smith    PROPN nsubj    4
        """
    )
    assert is_portfolio(doc, 2) is portfolio


def test_a_party_secretary_is_the_partys() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["Labor", "Party", "Secretary", "Tim", "Gartrell"])
    assert not is_portfolio(doc, 2)


def test_a_law_or_programme_is_no_organization(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        the     DET   det      3
        Export  PROPN compound 3
        Enhancement PROPN compound 3
        Program PROPN nsubj    4
        grew    VERB  ROOT     4 grow
        """,
        ents=[(1, 4, "ORG")],
    )
    assert spans_of(recognizer, doc) == []


def test_an_honour_after_a_persons_name_is_not_part_of_it(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Terence PROPN compound 1
        Cole    PROPN nsubj    3
        QC      PROPN appos    1
        spoke   VERB  ROOT     3 speak
        """,
        ents=[(0, 3, "PERSON")],
    )
    assert spans_of(recognizer, doc) == [("Terence Cole", "Person", "")]


@pytest.mark.parametrize(
    ("opener", "kept"),
    [
        ("Lecturer", "Junko Renard"),  # a job title: the role, not the name
        ("Ruritanian", "Junko Renard"),  # a nationality
        ("Sir", "Sir Junko Renard"),  # a style is how the person is named
    ],
)
def test_a_title_or_nationality_opening_a_persons_name_is_not_part_of_it(
    make_doc: MakeDoc, recognizer: EntityRecognizer, opener: str, kept: str
) -> None:
    doc = make_doc(
        f"""
        {opener} PROPN compound 2
        Junko    PROPN compound 2
        Renard   PROPN nsubj    3
        spoke    VERB  ROOT     3 speak
        """,
        ents=[(0, 3, "PERSON")],
    )
    assert spans_of(recognizer, doc) == [(kept, "Person", "")]


def test_a_name_listed_among_places_is_a_place(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Fires   NOUN  nsubj 1
        hit     VERB  ROOT  1
        Hornsby PROPN dobj  1
        ,       PUNCT punct 2
        Ryde    PROPN conj  2
        and     CCONJ cc    4
        Zarn    PROPN conj  4
        """,
        ents=[(2, 3, "GPE"), (4, 5, "GPE"), (6, 7, "ORG")],
    )
    assert spans_of(recognizer, doc)[-1] == ("Zarn", "Place", "")  # the model said ORG


@pytest.mark.parametrize(("noun", "cls"), [("city", "Place"), ("capital", "Person")])
def test_a_name_after_the_city_of_is_a_place(
    make_doc: MakeDoc, recognizer: EntityRecognizer, noun: str, cls: str
) -> None:
    # "Tanks moved near the city of Khan Yunis", the model saying PERSON; "the capital of"
    # names money as often ("the share capital of Acme Ltd") and decides nothing
    doc = make_doc(
        f"""
        Tanks   NOUN  nsubj    1
        moved   VERB  ROOT     1 move
        near    ADP   prep     1
        the     DET   det      4
        {noun}  NOUN  pobj     2
        of      ADP   prep     4
        Khan    PROPN compound 7
        Yunis   PROPN pobj     5
        """,
        ents=[(6, 8, "PERSON")],
    )
    assert spans_of(recognizer, doc) == [("Khan Yunis", cls, "")]


@pytest.mark.parametrize(("noun", "kept"), [("yacht", []), ("company", ["Nicorette", "Nicorette"])])
def test_a_name_a_yacht_or_a_disease_introduces_is_no_entity_anywhere(
    make_doc: MakeDoc, recognizer: EntityRecognizer, noun: str, kept: list[str]
) -> None:
    # "The yacht Nicorette trails. Nicorette lost": kg has no class for yachts, diseases,
    # ships or storms, and the model's guess at the second mention names nothing either
    doc = make_doc(
        f"""
        The        DET   det    1
        {noun}     NOUN  nsubj  3
        Nicorette  PROPN appos  1
        trails     VERB  ROOT   3 trail
        .          PUNCT punct  3
        Nicorette  PROPN nsubj  6
        lost       VERB  ROOT   6 lose
        """,
        ents=[(2, 3, "ORG"), (5, 6, "PERSON")],
    )
    assert [name for name, _, _ in spans_of(recognizer, doc)] == kept


def test_name_words_give_the_class(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        Supreme  PROPN compound 1
        Court    PROPN nsubj    6
        and      CCONJ cc       1
        Ministry PROPN conj     1
        of       ADP   prep     3
        Fisheries PROPN pobj    4
        met      VERB  ROOT     6 meet
        """,
        ents=[(0, 2, "ORG"), (3, 6, "ORG")],
    )
    assert spans_of(recognizer, doc) == [
        ("Supreme Court", "Court", ""),
        ("Ministry of Fisheries", "GovernmentAgency", ""),
    ]


def test_a_place_word_ending_an_organization_name_makes_it_a_place(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Zorba    PROPN compound 2
        National PROPN compound 2
        Forest   PROPN nsubj    3
        burned   VERB  ROOT     3 burn
        near     ADP   prep     3
        Lake     PROPN compound 6
        Street   PROPN compound 7
        Bank     PROPN pobj     4
        """,
        ents=[(0, 3, "ORG"), (5, 8, "ORG")],
    )
    # Only the last word counts: "Lake Street Bank" stays a company.
    assert spans_of(recognizer, doc) == [
        ("Zorba National Forest", "Region", ""),
        ("Lake Street Bank", "Company", ""),
    ]


@pytest.mark.parametrize(
    ("words", "ents", "expected"),
    [
        # the model took a road for a person
        ("Tanami Road", [(0, 2, "PERSON")], [("Tanami Road", "Place", "")]),
        ("Elliot Street", [(0, 2, "PERSON")], [("Elliot Street", "Place", "")]),
        # the model missed it: a capitalised name ending in a street word is recovered
        ("Picton Road", [], [("Picton Road", "Place", "")]),
        ("Hume Highway", [], [("Hume Highway", "Place", "")]),
        # a person whose surname is not a street word stays a person
        ("Elliot Ness", [(0, 2, "PERSON")], [("Elliot Ness", "Person", "")]),
    ],
)
def test_a_street_word_ending_a_name_makes_it_a_place(
    make_doc: MakeDoc,
    recognizer: EntityRecognizer,
    words: str,
    ents: list[tuple[int, int, str]],
    expected: list[tuple[str, str, str]],
) -> None:
    assert two_word_name(make_doc, recognizer, words, ents) == expected


def two_word_name(
    make_doc: MakeDoc, recognizer: EntityRecognizer, words: str, ents: list[tuple[int, int, str]]
) -> list[tuple[str, str, str]]:
    """The mentions found in "FIRST SECOND closed" with the model's entities ``ents``."""
    first, second = words.split()
    doc = make_doc(
        f"""
        {first}  PROPN compound 1
        {second} PROPN nsubj    2
        closed   VERB  ROOT     2 close
        """,
        ents=ents,
    )
    return spans_of(recognizer, doc)


@pytest.mark.parametrize(
    ("words", "label", "expected"),
    [
        ("Commonwealth Games", "ORG", []),
        ("Verne Trophy", "PERSON", []),
        ("Davis Cup", "ORG", []),
        ("Track Classic", "ORG", []),
        # an event word that does not end the name, or a name of one word, is kept
        ("Cup Holdings", "ORG", [("Cup Holdings", "Company", "")]),
        ("Jones Games", "ORG", []),
    ],
)
def test_an_event_name_is_no_entity(
    make_doc: MakeDoc,
    recognizer: EntityRecognizer,
    words: str,
    label: str,
    expected: list[tuple[str, str, str]],
) -> None:
    assert two_word_name(make_doc, recognizer, words, [(0, 2, label)]) == expected


def test_a_one_word_event_name_is_left_to_the_model(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Olympics PROPN nsubj 1
        began    VERB  ROOT  1 begin
        """,
        ents=[(0, 1, "ORG")],
    )
    assert spans_of(recognizer, doc) == [("Olympics", "Organization", "")]


def test_a_descriptor_before_the_name_gives_the_class(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        research NOUN  compound 1
        firm     NOUN  compound 2
        Zorblax  PROPN ROOT     2
        """,
        ents=[(2, 3, "ORG")],
    )
    assert spans_of(recognizer, doc) == [("Zorblax", "ResearchFirm", "")]
    assert descriptor_class(doc, 2, load_lexicon()) == "ResearchFirm"
    assert descriptor_class(doc, 0, load_lexicon()) is None


def test_a_title_before_a_person_is_the_role(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 4
        Chief     PROPN compound 4
        Executive PROPN compound 4
        Jane      PROPN compound 4
        Roe       PROPN ROOT     4
        """,
        ents=[(0, 1, "ORG"), (3, 5, "PERSON")],
    )
    spans, roles = recognizer.match(doc)
    assert roles == {3: "Chief Executive"}
    assert [(s.text, s.label_) for s in spans] == [("Acme", "Company"), ("Jane Roe", "Person")]


def test_coordinated_titles_are_one_role(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 6
        chairman  NOUN  compound 6
        and       CCONJ cc       1
        chief     ADJ   amod     5
        executive NOUN  compound 5
        officer   NOUN  conj     1
        Roe       PROPN ROOT     6
        """,
        ents=[(0, 1, "ORG"), (6, 7, "PERSON")],
    )
    _, roles = recognizer.match(doc)
    assert roles == {6: "chairman and chief executive officer"}


def test_a_courtesy_title_after_a_role_joins_the_name_not_the_role(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 3
        chairman  NOUN  compound 3
        Sir       PROPN compound 3
        Allan     PROPN ROOT     3
        """,
        ents=[(0, 1, "ORG"), (3, 4, "PERSON")],
    )
    spans, roles = recognizer.match(doc)
    assert [s.text for s in spans] == ["Acme", "Sir Allan"]
    assert roles == {2: "chairman"}


def test_a_form_of_address_belongs_to_the_mention(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        President PROPN compound 1
        Roe       PROPN nsubj    2
        met       VERB  ROOT     2 meet
        Mrs.      PROPN compound 4
        Doe       PROPN dobj     2
        """,
        ents=[(1, 2, "PERSON"), (4, 5, "PERSON")],
    )
    spans, roles = recognizer.match(doc)
    assert [(s.text, s.label_) for s in spans] == [
        ("President Roe", "Person"),
        ("Mrs. Doe", "Person"),
    ]
    assert roles == {0: "President"}  # a courtesy title is not a role


def test_a_role_before_a_form_of_address_keeps_the_name_alone(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Vice      PROPN compound 2
        President PROPN compound 2
        Jane      PROPN compound 3
        Roe       PROPN ROOT     3
        """,
        ents=[(2, 4, "PERSON")],
    )
    spans, roles = recognizer.match(doc)
    assert [s.text for s in spans] == ["Jane Roe"]
    assert roles == {2: "Vice President"}


def test_a_word_hyphened_to_a_title_is_part_of_the_role(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        vice      NOUN  compound 2
        -         PUNCT punct    2
        president NOUN  compound 4
        Peter     PROPN compound 4
        Balmer    PROPN ROOT     4
        """,
        ents=[(3, 5, "PERSON")],
        spaces=[False, False, True, True, False],
    )
    spans, roles = recognizer.match(doc)
    assert [s.text for s in spans] == ["Peter Balmer"]
    assert roles == {3: "vice-president"}


def test_a_title_held_somewhere_is_not_a_form_of_address(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Elbonian  PROPN compound 2
        President PROPN compound 2
        Jane      PROPN compound 3
        Roe       PROPN nsubj    4
        spoke     VERB  ROOT     4 speak
        at        ADP   prep     4
        1         NUM   pobj     5
        GMT       PROPN npadvmod 4
        """,
        ents=[(0, 1, "ORG"), (2, 4, "PERSON"), (7, 8, "ORG")],
    )
    spans, roles = recognizer.match(doc)
    assert [s.text for s in spans] == ["Elbonian", "Jane Roe"]  # and "GMT" is no organization
    assert roles == {2: "President"}


def test_an_apostrophe_inside_a_name_does_not_split_it(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Kevin PROPN compound 3
        O     PROPN compound 3
        '     PUNCT punct    3
        Brien PROPN ROOT     3
        """,
        ents=[(0, 4, "PERSON")],
        spaces=[True, True, False, False],
    )
    assert spans_of(recognizer, doc) == [("Kevin O 'Brien", "Person", "")]


@pytest.mark.parametrize(
    "rows,ents,expected",
    [
        # a place the gazetteer knows, in capitals
        (
            "ELBONIA PROPN ROOT 0\n, PUNCT punct 0\nApril PROPN appos 0",
            [(0, 1, "ORG")],
            [("ELBONIA", "Country", "elbonia")],
        ),
        # an unknown name before a known place
        (
            "MUDVILLE PROPN ROOT 0\n, PUNCT punct 0\nElbonia PROPN appos 0",
            [(0, 1, "ORG")],
            [("MUDVILLE", "City", ""), ("Elbonia", "Country", "elbonia")],
        ),
        # an unknown name before a bracketed source
        (
            "MUDVILLE PROPN ROOT 0\n( PUNCT punct 0\nAP PROPN appos 0\n) PUNCT punct 0",
            [],
            [("MUDVILLE", "City", "")],
        ),
    ],
)
def test_a_dateline_names_a_place(
    make_doc: MakeDoc, recognizer: EntityRecognizer, rows: str, ents: list, expected: list
) -> None:
    assert spans_of(recognizer, make_doc(rows, ents=ents)) == expected


def test_capitals_without_a_dateline_shape_are_left_alone(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        MUDVILLE PROPN ROOT 0
        ,        PUNCT punct 0
        says     VERB  appos 0 say
        """
    )
    assert spans_of(recognizer, doc) == []


def test_a_lower_case_title_is_not_a_role(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        the      DET   det      3
        chief    ADJ   amod     3
        Jane     PROPN compound 3
        Roe      PROPN ROOT     3
        """,
        ents=[(2, 4, "PERSON")],
    )
    _, roles = recognizer.match(doc)
    assert roles == {}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("spokesman", "spokesman"),
        ("chief executive", "chief executive"),
        ("sales", None),  # a word that only qualifies a title
    ],
)
def test_a_lower_case_title_ending_in_a_head_noun_is_a_role(
    make_doc: MakeDoc, recognizer: EntityRecognizer, title: str, expected: str | None
) -> None:
    words = title.split()
    name = len(words) + 1  # "ministry", the title's words, then "Jane Roe"
    table = [f"ministry NOUN compound {name + 1}"]
    table += [f"{word} NOUN compound {name}" for word in words]
    table += [f"Jane PROPN compound {name + 1}", f"Roe PROPN ROOT {name + 1}"]
    doc = make_doc("\n".join(table), ents=[(name, name + 2, "PERSON")])
    _, roles = recognizer.match(doc)
    assert roles == ({name: expected} if expected else {})


def test_a_lone_name_part_of_a_person_becomes_a_person(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Wang  PROPN compound 1
        Xiang PROPN nsubj    2
        spoke VERB  ROOT     2 speak
        .     PUNCT punct    2
        Xiang PROPN nsubj    5
        left  VERB  ROOT     5 leave
        """,
        ents=[(0, 2, "PERSON"), (4, 5, "ORG")],
    )
    assert spans_of(recognizer, doc) == [("Wang Xiang", "Person", ""), ("Xiang", "Person", "")]


def test_a_name_with_a_courtesy_title_is_a_person(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Ms    PROPN compound 1
        Caird PROPN nsubj    2
        spoke VERB  ROOT     2 speak
        .     PUNCT punct    2
        """,
        ents=[(0, 2, "ORG")],
    )
    assert [(text, cls) for text, cls, _ in spans_of(recognizer, doc)] == [("Ms Caird", "Person")]


def test_the_full_name_of_someone_addressed_as_ms_is_a_person(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Wendy PROPN compound 1
        Caird PROPN nsubj    2
        spoke VERB  ROOT     2 speak
        .     PUNCT punct    2
        Ms    PROPN compound 5
        Caird PROPN nsubj    6
        left  VERB  ROOT     6 leave
        """,
        ents=[(0, 2, "ORG"), (4, 6, "PERSON")],
    )
    assert [(text, cls) for text, cls, _ in spans_of(recognizer, doc)] == [
        ("Wendy Caird", "Person"),
        ("Ms Caird", "Person"),
    ]


def test_a_hospital_named_after_a_knight_stays_an_organization(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Sir      PROPN compound 3
        Charles  PROPN compound 3
        Gairdner PROPN compound 3
        Hospital PROPN nsubj    4
        closed   VERB  ROOT     4 close
        """,
        ents=[(0, 4, "ORG")],
    )
    assert [cls for _, cls, _ in spans_of(recognizer, doc)] == ["Organization"]


def test_a_name_owned_by_a_plural_is_one_name(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        National   PROPN compound 4
        Coffee     PROPN compound 4
        Growers    PROPN poss     4
        '          PART  case     2
        Federation PROPN nsubj    5
        spoke      VERB  ROOT     5 speak
        """,
        ents=[(0, 3, "ORG"), (4, 5, "ORG")],
    )
    assert [text for text, _, _ in spans_of(recognizer, doc)] == [doc[0:5].text]


def test_a_ministers_portfolio_is_not_an_organization(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Primary    PROPN compound 2
        Industries PROPN compound 2
        Minister   PROPN compound 4
        Lim        PROPN compound 4
        Yaik       PROPN nsubj    5
        spoke      VERB  ROOT     5 speak
        """,
        ents=[(0, 2, "ORG"), (3, 5, "PERSON")],
    )
    assert [(text, cls) for text, cls, _ in spans_of(recognizer, doc)] == [("Lim Yaik", "Person")]


def test_a_wire_ticker_after_a_name_is_not_an_organization(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Quotron  PROPN nsubj 1
        joined   VERB  ROOT  1 join
        Citicorp PROPN dobj  1
        <        PUNCT punct 2
        CCI      PROPN appos 2
        >        PUNCT punct 2
        """,
        ents=[(0, 1, "ORG"), (2, 3, "ORG"), (4, 5, "ORG")],
    )
    assert [text for text, _, _ in spans_of(recognizer, doc)] == ["Quotron", "Citicorp"]


def test_demonyms_are_country_mentions(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        Ruritanian ADJ  amod  1
        firms      NOUN ROOT  1 firm
        """,
        ents=[(0, 1, "NORP")],
    )
    assert spans_of(recognizer, doc) == [("Ruritanian", "Country", "ruritania")]
    recognizer(doc)
    assert doc._.kg_demonyms == frozenset({0})  # it refers to the country without naming it


def test_an_ambiguous_name_keeps_every_candidate_key(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        Ministry PROPN nsubj 3
        of       ADP   prep  0
        Defence  PROPN pobj  1
        spoke    VERB  ROOT  3 speak
        """,
    )
    assert spans_of(recognizer, doc) == [("Ministry of Defence", "GovernmentAgency", "mod-e|mod-r")]


def test_a_metonym_after_in_is_the_place_not_the_government(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    based = make_doc(
        """
        Acme     PROPN nsubj 1
        is       AUX   ROOT  1 be
        based    VERB  acomp 1 base
        in       ADP   prep  2
        Strelsau PROPN pobj  3
        """,
        ents=[(0, 1, "ORG")],
    )
    assert spans_of(recognizer, based) == [
        ("Acme", "Company", "acme"),
        ("Strelsau", "Place", ""),
    ]
    acting = make_doc(
        """
        Strelsau PROPN nsubj 1
        banned   VERB  ROOT  1 ban
        Acme     PROPN dobj  1
        """,
    )
    assert spans_of(recognizer, acting) == [
        ("Strelsau", "GovernmentAgency", "dod"),
        ("Acme", "Company", "acme"),
    ]


def test_labels_of_no_interest_are_dropped(make_doc: MakeDoc, recognizer: EntityRecognizer) -> None:
    doc = make_doc(
        """
        Monday PROPN npadvmod 2
        Zorg   PROPN nsubj    2
        spoke  VERB  ROOT     2 speak
        """,
        ents=[(0, 1, "DATE"), (1, 2, "FAC")],
    )
    assert spans_of(recognizer, doc) == []


def test_mentions_never_overlap_and_are_sorted(
    make_doc: MakeDoc, recognizer: EntityRecognizer
) -> None:
    doc = make_doc(
        """
        the      DET   det      1
        Pentagon PROPN poss     5
        's       PART  case     1
        Acme     PROPN compound 4
        Corporation PROPN compound 5
        list     NOUN  ROOT     5
        """,
        ents=[(1, 5, "ORG"), (3, 4, "PERSON")],
    )
    spans, _ = recognizer.match(doc)
    bounds = [(s.start, s.end) for s in spans]
    assert bounds == sorted(bounds)
    assert all(a[1] <= b[0] for a, b in pairwise(bounds))


# ------------------------------------------------------------------------------- with the model


def mentions(analyze: Analyze, text: str) -> list[tuple[str, str]]:
    return analyze(text).mentions


@pytest.mark.model
@pytest.mark.parametrize(
    "text,name,cls",
    [
        (
            "Analysts at research firm Canalys expect growth.",
            "Canalys",
            "ResearchFirm",
        ),  # NER: PERSON
        ("Vodafone signed a deal with Ericsson.", "Ericsson", "Company"),
        ("Best Buy stopped selling Huawei phones.", "Best Buy", "Company"),  # NER: PERSON
        ("Shares of Tesla rose after Elon Musk spoke.", "Elon Musk", "Person"),
    ],
)
def test_model_gazetteer_corrects_ner_types(
    analyze: Analyze, text: str, name: str, cls: str
) -> None:
    assert (name, cls) in mentions(analyze, text)


@pytest.mark.model
def test_model_possessive_is_split_from_what_follows(analyze: Analyze) -> None:
    facts = analyze("Acme Holdings appeared on the Pentagon's list of banned firms.")
    assert facts.entities["US Department of Defense"] == "GovernmentAgency"
    assert "Pentagon" in facts.aliases["US Department of Defense"]
    assert not any("'s" in name or "list" in name for name, _ in facts.mentions)


@pytest.mark.model
def test_model_full_court_name_is_one_court(analyze: Analyze) -> None:
    facts = analyze(
        "The ruling came from the District Court of Eastern Ruritania, which blocked Acme Holdings."
    )
    assert facts.entities["District Court of Eastern Ruritania"] == "Court"
    assert ("District Court of Eastern Ruritania", "sanctions", "Acme Holdings") in facts.relations


@pytest.mark.model
def test_model_district_court_of_a_state_is_one_court(analyze: Analyze) -> None:
    facts = analyze("A federal judge at the District Court of Alaska ruled against Acme Holdings.")
    assert facts.entities.get("District Court of Alaska") == "Court"


@pytest.mark.model
@pytest.mark.parametrize(
    "text,product",
    [
        ("Samsung unveiled the Galaxy S9 Plus in Barcelona.", "Galaxy S9 Plus"),
        ("Apple introduced the iPhone 12 Pro Max.", "iPhone 12 Pro Max"),
        ("Xiaomi released the Mi 10 Pro last year.", "Mi 10 Pro"),
    ],
)
def test_model_product_names_keep_their_model_suffix(
    analyze: Analyze, text: str, product: str
) -> None:
    facts = analyze(text)
    assert facts.entities[product] == "Product"


@pytest.mark.model
def test_model_galaxy_s21_ultra_is_a_product(analyze: Analyze) -> None:
    facts = analyze("Samsung launched the Galaxy S21 Ultra in January.")
    assert facts.entities.get("Galaxy S21 Ultra") == "Product"
    assert ("Samsung Electronics", "produces", "Galaxy S21 Ultra") in facts.relations


@pytest.mark.model
def test_model_acronym_joins_its_expansion(analyze: Analyze) -> None:
    facts = analyze(
        "The Zenith Telecommunications Authority (ZTA) fined Vodafone. "
        "The ZTA said the fine was fair."
    )
    assert facts.entities["Zenith Telecommunications Authority"] == "GovernmentAgency"
    assert facts.aliases["Zenith Telecommunications Authority"] == ("ZTA",)
    assert "ZTA" not in facts.entities


@pytest.mark.model
def test_model_known_acronym_is_linked_to_the_agency(analyze: Analyze) -> None:
    facts = analyze(
        "The Securities and Exchange Commission (SEC) sued Tesla. "
        "The SEC said Tesla misled investors."
    )
    [(label, cls)] = [(k, v) for k, v in facts.entities.items() if "Exchange Commission" in k]
    assert cls == "GovernmentAgency"
    assert "SEC" in facts.aliases[label]
    assert (label, "sues", "Tesla") in facts.relations


@pytest.mark.model
def test_model_surname_joins_the_full_name(analyze: Analyze) -> None:
    facts = analyze(
        "Analyst Maria Kowalczyk said the decision was expected. Kowalczyk works at Morgan Stanley."
    )
    assert facts.entities["Maria Kowalczyk"] == "Person"
    assert facts.aliases["Maria Kowalczyk"] == ()  # a surname alone is no alias of hers
    assert "Kowalczyk" not in facts.entities  # but it joins her node
    assert ("Maria Kowalczyk", "worksFor", "Morgan Stanley") in facts.relations


@pytest.mark.model
def test_model_labels_are_never_descriptions_or_pronouns(analyze: Analyze) -> None:
    facts = analyze(
        "Nokia signed a deal with Vodafone. The Finnish company said it expects growth."
    )
    for label, aliases in facts.aliases.items():
        for name in (label, *aliases):
            assert name.lower() not in {"it", "the company", "the finnish company"}, name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Shares of Acme Widgets Inc. The deal closed.", "Acme Widgets Inc"),
        ("It was sold to Acme Widgets Co.", "Acme Widgets Co"),
        # past a closing bracket and a paragraph break (Reuters marks names "<...>")
        ("It was sold to <Acme Widgets Co.>\n\nThe deal closed.", "Acme Widgets Co"),
        ("said the secretary of Acme Widgets Inc.\n\nthe deal closed.", "Acme Widgets Inc"),
        # the stop of an abbreviation inside a sentence, or of "S.A.", is kept
        ("Acme Widgets Inc. said it would sell.", "Acme Widgets Inc."),
        ("It was sold to Acme Widgets S.A.", "Acme Widgets S.A."),
    ],
)
def test_a_legal_form_ending_the_sentence_leaves_the_full_stop_out(text: str, name: str) -> None:
    doc = spacy.blank("en")(text)
    for token in doc:  # a new sentence after the name, as the parser would mark it
        token.is_sent_start = token.i == 0 or token.text == "The"
    start = next(t.i for t in doc if t.text == "Acme")
    end = next(t.i for t in doc[start:] if t.text.lower().startswith(("inc", "co", "s.a"))) + 1
    span = doc[start:end]
    assert doc.text[span.start_char : name_end(span)] == name
