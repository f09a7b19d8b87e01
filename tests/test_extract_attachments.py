"""Relations stated by how names attach (kg.extract.attachments), corporate-structure nouns,
titles that end a role (kg.extract.titles) and classes voted by the article (kg.extract.voting).

The unit tests run on hand-parsed docs (no model); the tests marked ``model`` run the whole
pipeline on new sentences and check one general behaviour each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from spacy.tokens import Doc

from kg.extract.attachments import attachments
from kg.extract.mentions import mention_table
from kg.extract.short_names import repeated_organization_names
from kg.extract.titles import split_ended
from kg.extract.voting import drop_lone_names, vote_organization_names

MakeDoc = Callable[..., Doc]
Analyze = Callable[..., Any]

SITES = frozenset({"plant", "store"})


def found(doc: Doc) -> set[tuple[str, str, str]]:
    """(head text, predicate, tail text) of every attachment of ``doc``."""
    table = mention_table(doc)
    at = {i: n for n, ref in enumerate(table) for i in range(ref.start, ref.end)}
    labels = [ref.label for ref in table]
    return {
        (
            doc[table[a.head].start : table[a.head].end].text,
            a.predicate,
            doc[table[a.tail].start : table[a.tail].end].text,
        )
        for a in attachments(doc, labels, at, sites=SITES)
    }


def test_a_place_possessor_locates_a_place(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Bavaria PROPN poss     2
        's      PART  case     0
        Park    PROPN nsubj    3
        closed  VERB  ROOT     3 close
        """,
        spans=[(0, 1, "Region", ""), (2, 3, "Place", "")],
    )
    assert found(doc) == {("Park", "locatedIn", "Bavaria")}


def test_a_company_possessor_owns_a_company_not_an_agency(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Genmin  PROPN poss     2
        's      PART  case     0
        Kinross PROPN nsubj    3
        rose    VERB  ROOT     3 rise
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "Company", "")],
    )
    assert found(doc) == {("Kinross", "subsidiaryOf", "Genmin")}
    agency = make_doc(
        """
        Genmin  PROPN poss     2
        's      PART  case     0
        Bureau  PROPN nsubj    3
        rose    VERB  ROOT     3 rise
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "GovernmentAgency", "")],
    )
    assert found(agency) == set()


@pytest.mark.parametrize(
    ("word", "predicate"), [("rival", "competesWith"), ("partner", "partnersWith")]
)
def test_a_possessed_rival_or_partner_is_no_subsidiary(
    make_doc: MakeDoc, word: str, predicate: str
) -> None:
    # "Boeing and its rival Airbus rose", "its" standing for Boeing
    doc = make_doc(
        f"""
        Boeing  PROPN nsubj    5
        and     CCONJ cc       0
        its     PRON  poss     4
        {word}  ADJ   amod     4 {word}
        Airbus  PROPN conj     0
        rose    VERB  ROOT     5 rise
        """,
        spans=[(0, 1, "Company", ""), (4, 5, "Company", "")],
        coref=[(2, 3, 0)],
    )
    assert found(doc) == {("Airbus", predicate, "its")}


def test_a_place_possessing_company_nouns_is_their_seat(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Japan     PROPN poss  1
        firms     NOUN  ROOT  1 firm
        ,         PUNCT punct 1
        including VERB  prep  1 include
        NEC       PROPN pobj  3
        and       CCONJ cc    4
        Fujitsu   PROPN conj  4
        """,
        spans=[(0, 1, "Country", ""), (4, 5, "Company", ""), (6, 7, "Company", "")],
    )
    table = mention_table(doc)
    at = {i: n for n, ref in enumerate(table) for i in range(ref.start, ref.end)}
    labels = [ref.label for ref in table]
    got = {
        (table[a.head].start, a.predicate, table[a.tail].start)
        for a in attachments(doc, labels, at, sites=SITES, descriptors={"firm"})
    }
    assert got == {(4, "basedIn", 0), (6, "basedIn", 0)}


def test_a_settlement_noun_locates_the_named_place_in_its_qualifier(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the     DET   det      3
        West    PROPN compound 2
        Bank    PROPN compound 3
        town    NOUN  nsubj    6
        of      ADP   prep     3
        Jenin   PROPN pobj     4
        burned  VERB  ROOT     6 burn
        """,
        spans=[(1, 3, "Region", ""), (5, 6, "City", "")],
    )
    assert found(doc) == {("Jenin", "locatedIn", "West Bank")}


def test_a_capital_in_apposition_lies_in_its_country(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the     DET   det      2
        Solomon PROPN compound 2
        capital NOUN  nsubj    5
        ,       PUNCT punct    2
        Honiara PROPN appos    2
        burned  VERB  ROOT     5 burn
        """,
        spans=[(1, 2, "Country", ""), (4, 5, "City", "")],
    )
    assert found(doc) == {("Honiara", "locatedIn", "Solomon")}


def test_a_settlement_noun_apposed_to_a_name_locates_it_in_what_follows_of(
    make_doc: MakeDoc,
) -> None:
    doc = make_doc(
        """
        Sharana    PROPN nsubj  7
        ,          PUNCT punct  0
        the        DET   det    4
        provincial ADJ   amod   4
        capital    NOUN  appos  0
        of         ADP   prep   4
        Paktika    PROPN pobj   5
        burned     VERB  ROOT   7 burn
        """,
        spans=[(0, 1, "City", ""), (6, 7, "Region", "")],
    )
    assert found(doc) == {("Sharana", "locatedIn", "Paktika")}


@pytest.mark.parametrize("owner", ["poss", "of"])
def test_a_division_named_on_its_noun_lies_in_the_place_that_owns_it(
    make_doc: MakeDoc, owner: str
) -> None:
    # "Afghanistan 's Paktika province burned" / "the Paktika province of Afghanistan burned"
    table = (
        """
        Afghanistan PROPN poss     3
        's          PART  case     0
        Paktika     PROPN compound 3
        province    NOUN  nsubj    4
        burned      VERB  ROOT     4 burn
        """
        if owner == "poss"
        else """
        the         DET   det      2
        Paktika     PROPN compound 2
        province    NOUN  nsubj    5
        of          ADP   prep     2
        Afghanistan PROPN pobj     3
        burned      VERB  ROOT     5 burn
        """
    )
    spans = (
        [(0, 1, "Country", ""), (2, 3, "Region", "")]
        if owner == "poss"
        else [(1, 2, "Region", ""), (4, 5, "Country", "")]
    )
    assert found(make_doc(table, spans=spans)) == {("Paktika", "locatedIn", "Afghanistan")}


@pytest.mark.parametrize(("noun", "seat"), [("firm", True), ("office", False)])
def test_a_place_compounded_with_a_noun_for_a_company_apposed_to_it_is_its_seat(
    make_doc: MakeDoc, noun: str, seat: bool
) -> None:
    # "Wedge Inc , a Houston firm , bought shares"
    doc = make_doc(
        f"""
        Wedge   PROPN compound 1
        Inc     PROPN nsubj    7
        ,       PUNCT punct    1
        a       DET   det      5
        Houston PROPN compound 5
        {noun}  NOUN  appos    1
        ,       PUNCT punct    1
        bought  VERB  ROOT     7 buy
        shares  NOUN  dobj     7 share
        """,
        spans=[(0, 2, "Company", ""), (4, 5, "City", "")],
    )
    table = mention_table(doc)
    at = {i: n for n, ref in enumerate(table) for i in range(ref.start, ref.end)}
    labels = [ref.label for ref in table]
    found_ = {
        (a.head, a.predicate, a.tail)
        for a in attachments(doc, labels, at, sites=SITES, descriptors={"firm"})
    }
    assert found_ == ({(0, "basedIn", 1)} if seat else set())


def test_plural_settlements_lie_in_the_place_on_them(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the       DET   det      2
        Sydney    PROPN compound 2
        suburbs   NOUN  nsubj    7 suburb
        of        ADP   prep     2
        Heathcote PROPN pobj     3
        and       CCONJ cc       4
        Engadine  PROPN conj     4
        burned    VERB  ROOT     7 burn
        """,
        spans=[(1, 2, "City", ""), (4, 5, "Place", ""), (6, 7, "Place", "")],
    )
    assert found(doc) == {
        ("Heathcote", "locatedIn", "Sydney"),
        ("Engadine", "locatedIn", "Sydney"),
    }


def test_plural_settlements_without_a_place_locate_nothing(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the     DET   det      1
        towns   NOUN  nsubj    4 town
        of      ADP   prep     1
        Bulli   PROPN pobj     2
        burned  VERB  ROOT     4 burn
        """,
        spans=[(3, 4, "City", "")],
    )
    assert found(doc) == set()


def test_a_place_in_a_larger_one_lies_in_it(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the       DET   det      2
        Rialto    PROPN compound 2
        Towers    PROPN nsubj    6
        in        ADP   prep     2
        Melbourne PROPN pobj     3
        and       CCONJ cc       2
        closed    VERB  ROOT     6 close
        """,
        spans=[(1, 3, "Place", ""), (4, 5, "City", "")],
    )
    assert found(doc) == {("Rialto Towers", "locatedIn", "Melbourne")}


def test_a_place_compounded_with_a_region_lies_in_it(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the      DET   det      3
        Victoria PROPN compound 3
        Hunter   PROPN compound 3
        Valley   PROPN nsubj    4
        flooded  VERB  ROOT     4 flood
        """,
        spans=[(1, 2, "Region", ""), (2, 4, "Place", "")],
    )
    assert found(doc) == {("Hunter Valley", "locatedIn", "Victoria")}


def test_two_towns_compounded_contain_nothing(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the     DET   det      3
        Sydney  PROPN compound 3
        Newcastle PROPN compound 3
        train   NOUN  nsubj    4
        left    VERB  ROOT     4 leave
        """,
        spans=[(1, 2, "City", ""), (2, 3, "City", "")],
    )
    assert found(doc) == set()


def test_a_place_possessor_is_the_seat_of_an_organization(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Norway  PROPN poss     2
        's      PART  case     0
        Statoil PROPN nsubj    3
        grew    VERB  ROOT     3 grow
        """,
        spans=[(0, 1, "Country", ""), (2, 3, "Company", "")],
    )
    assert found(doc) == {("Statoil", "basedIn", "Norway")}


def test_a_person_possessor_gives_no_attachment(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Smith   PROPN poss     2
        's      PART  case     0
        Acme    PROPN nsubj    3
        grew    VERB  ROOT     3 grow
        """,
        spans=[(0, 1, "Person", ""), (2, 3, "Company", "")],
    )
    assert found(doc) == set()


@pytest.mark.parametrize(
    ("prep", "place", "expected"),
    [
        ("of", "City", "basedIn"),
        ("in", "City", "basedIn"),
        ("in", "Country", "operatesIn"),
    ],
)
def test_a_preposition_after_an_organization_name(
    make_doc: MakeDoc, prep: str, place: str, expected: str
) -> None:
    doc = make_doc(
        f"""
        Zenor   PROPN nsubj    3
        {prep}  ADP   prep     0
        Lyon    PROPN pobj     1
        grew    VERB  ROOT     3 grow
        """,
        spans=[(0, 1, "Company", ""), (2, 3, place, "")],
    )
    assert found(doc) == {("Zenor", expected, "Lyon")}


def test_a_person_of_a_town_lives_there_but_not_a_person_in_it(make_doc: MakeDoc) -> None:
    table = """
        Jones   PROPN nsubj    3
        {prep}  ADP   prep     0
        Bulli   PROPN pobj     1
        spoke   VERB  ROOT     3 speak
    """
    spans = [(0, 1, "Person", ""), (2, 3, "City", "")]
    assert found(make_doc(table.format(prep="of"), spans=spans)) == {("Jones", "livesIn", "Bulli")}
    assert found(make_doc(table.format(prep="in"), spans=spans)) == set()


def test_a_place_before_a_site_noun_is_where_its_owner_operates(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj    1
        shut    VERB  ROOT     1
        its     PRON  poss     4
        Perth   PROPN compound 4
        plants  NOUN  dobj     1 plant
        """,
        spans=[(0, 1, "Company", ""), (3, 4, "City", "")],
        coref=[(2, 3, 0)],
    )
    assert found(doc) == {("its", "operatesIn", "Perth")}


def test_a_place_before_any_other_noun_says_nothing(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj    1
        praised VERB  ROOT     1 praise
        its     PRON  poss     4
        Perth   PROPN compound 4
        staff   NOUN  dobj     1
        """,
        spans=[(0, 1, "Company", ""), (3, 4, "City", "")],
        coref=[(2, 3, 0)],
    )
    assert found(doc) == set()


# ----------------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("former chairman", ("chairman", True)),
        ("ex- chief executive", ("chief executive", True)),
        ("chief executive", ("chief executive", False)),
        ("former", ("former", False)),
        (None, (None, False)),
    ],
)
def test_ending_words_leave_the_role_and_end_it(
    role: str | None, expected: tuple[str | None, bool]
) -> None:
    assert split_ended(role, {"former", "ex"}) == expected


# ----------------------------------------------------------------------------------- voting


def test_a_short_name_of_a_company_joins_its_class(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Zenor   PROPN compound 1
        Corp    PROPN nsubj    2
        said    VERB  ROOT     2 say
        Zenor   PROPN nsubj    4
        grew    VERB  ccomp    2 grow
        """,
        spans=[(0, 2, "Company", ""), (3, 4, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"mr"})
    assert [s.label_ for s in spans] == ["Company", "Company"]


def test_a_titled_name_stays_a_person(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Zenor   PROPN compound 1
        Corp    PROPN nsubj    2
        hired   VERB  ROOT     2 hire
        Mr      PROPN compound 4
        Zenor   PROPN dobj     2
        """,
        spans=[(0, 2, "Company", ""), (4, 5, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"mr"})
    assert [s.label_ for s in spans] == ["Company", "Person"]


def test_a_company_noun_joined_to_a_name_makes_it_a_company(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        subsidiary NOUN  compound 1
        Ecofuel    PROPN nsubj    2
        grew       VERB  ROOT     2 grow
        """,
        spans=[(1, 2, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"mr"})
    assert [s.label_ for s in spans] == ["Company"]


def test_former_in_front_of_a_name_does_not_make_it_a_persons(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        the        DET   det      3
        former     ADJ   amod     3
        Ansett     PROPN compound 3
        subsidiary NOUN  nsubj    4
        closed     VERB  ROOT     4 close
        """,
        spans=[(2, 3, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"former", "mr"})
    assert [s.label_ for s in spans] == ["Company"]


def test_a_name_that_owns_shareholders_is_a_company(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Ansett       PROPN poss  2
        's           PART  case  0
        shareholders NOUN  nsubj 3 shareholder
        voted        VERB  ROOT  3 vote
        """,
        spans=[(0, 1, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"mr"})
    assert [s.label_ for s in spans] == ["Company"]


def test_a_name_that_owns_an_executive_is_an_organization(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Harris     PROPN compound 1
        Scarfe     PROPN poss     4
        's         PART  case     1
        chief      ADJ   amod     4
        officer    NOUN  nsubj    5
        resigned   VERB  ROOT     5 resign
        """,
        spans=[(0, 2, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"mr"})
    assert [s.label_ for s in spans] == ["Organization"]


def test_a_lone_surname_of_a_person_is_not_retyped(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Joe        PROPN compound 1
        Ford       PROPN nsubj    2
        said       VERB  ROOT     2 say
        Ford       PROPN compound 4
        Motor      PROPN compound 5
        Co         PROPN nsubj    6
        grew       VERB  ccomp    2 grow
        Ford       PROPN nsubj    8
        spoke      VERB  conj     6 speak
        """,
        spans=[(0, 2, "Person", ""), (3, 6, "Company", ""), (7, 8, "Person", "")],
    )
    spans = vote_organization_names(doc, list(doc.spans["kg_entities"]), titled={"mr"})
    assert [s.label_ for s in spans] == ["Person", "Company", "Person"]


def test_a_place_comma_and_a_larger_place_locate_the_first(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        plant   NOUN  nsubj 5
        in      ADP   prep  0
        Goshen  PROPN pobj  1
        ,       PUNCT punct 2
        Indiana PROPN appos 2
        closed  VERB  ROOT  5 close
        """,
        spans=[(2, 3, "City", ""), (4, 5, "Region", "")],
    )
    assert found(doc) == {("Goshen", "locatedIn", "Indiana")}


@pytest.mark.parametrize(
    ("table", "spans"),
    [
        (  # "Sydney, Australia and Auckland": a list of places
            """
            Sydney    PROPN ROOT  0
            ,         PUNCT punct 0
            Australia PROPN conj  0
            and       CCONJ cc    2
            Auckland  PROPN conj  2
            """,
            [(0, 1, "City", ""), (2, 3, "Country", ""), (4, 5, "City", "")],
        ),
        (  # "Victoria, Tasmania": two regions, neither larger
            """
            Victoria PROPN ROOT  0
            ,        PUNCT punct 0
            Tasmania PROPN conj  0
            """,
            [(0, 1, "Region", ""), (2, 3, "Region", "")],
        ),
        (  # "Perth, Adelaide, Victoria": the comma ends a list
            """
            Perth    PROPN ROOT  0
            ,        PUNCT punct 0
            Adelaide PROPN conj  0
            ,        PUNCT punct 2
            Victoria PROPN conj  2
            """,
            [(0, 1, "City", ""), (2, 3, "City", ""), (4, 5, "Region", "")],
        ),
    ],
)
def test_places_listed_with_commas_are_not_located(
    make_doc: MakeDoc, table: str, spans: list[tuple[int, int, str, str]]
) -> None:
    assert not {f for f in found(make_doc(table, spans=spans)) if f[1] == "locatedIn"}


def test_a_lone_word_the_article_never_backs_up_is_no_person(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        a      DET   det  2
        bid    NOUN  ROOT 1
        for    ADP   prep 1
        Ansett PROPN pobj 2
        """,
        spans=[(3, 4, "Person", "")],
    )
    spans = list(doc.spans["kg_entities"])
    assert drop_lone_names(doc, spans, titled={"mr"}, min_sentences=1) == []
    # a text too short to be an article keeps it: nothing shows how people are introduced
    assert drop_lone_names(doc, spans, titled={"mr"}, min_sentences=2) == spans


@pytest.mark.parametrize(
    ("table", "spans"),
    [
        (  # a title in front of it
            """
            Mr     PROPN compound 1
            Zenor  PROPN nsubj    2
            left   VERB  ROOT     2 leave
            """,
            [(1, 2, "Person", "")],
        ),
        (  # quoted
            """
            Zenor  PROPN nsubj 1
            said   VERB  ROOT  1 say
            """,
            [(0, 1, "Person", "")],
        ),
        (  # a word of a full name in the article
            """
            Anna   PROPN compound 1
            Zenor  PROPN nsubj    2
            left   VERB  ROOT     2 leave
            Zenor  PROPN nsubj    4
            ran    VERB  conj     2 run
            """,
            [(0, 2, "Person", ""), (3, 4, "Person", "")],
        ),
    ],
)
def test_a_lone_word_the_article_backs_up_stays_a_person(
    make_doc: MakeDoc, table: str, spans: list[tuple[int, int, str, str]]
) -> None:
    doc = make_doc(table, spans=spans)
    kept = drop_lone_names(doc, list(doc.spans["kg_entities"]), titled={"mr"}, min_sentences=1)
    assert [s.label_ for s in kept] == ["Person"] * len(spans)


def test_a_lone_word_of_an_organization_name_takes_its_class(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        John   PROPN compound 2
        Labatt PROPN compound 2
        Ltd    PROPN nsubj    3
        grew   VERB  ROOT     3 grow
        Labatt PROPN nsubj    5
        said   VERB  conj     3 say
        """,
        spans=[(0, 3, "Company", ""), (4, 5, "Person", "")],
    )
    kept = drop_lone_names(doc, list(doc.spans["kg_entities"]), titled={"mr"}, min_sentences=1)
    assert [(s.text, s.label_) for s in kept] == [
        ("John Labatt Ltd", "Company"),
        ("Labatt", "Company"),
    ]


def test_an_organization_named_again_without_its_legal_form_is_found(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Maytag   PROPN compound 1
        Co       PROPN nsubj    2
        said     VERB  ROOT     2 say
        Maytag   PROPN compound 4
        chairman NOUN  nsubj    5
        left     VERB  conj     2 leave
        Maytag   PROPN compound 7
        Admiral  PROPN nsubj    8
        grew     VERB  conj     2 grow
        """,
        spans=[(0, 2, "Company", "")],
    )
    new = repeated_organization_names(doc, list(doc.spans["kg_entities"]))
    # the third "Maytag" is a word of another name ("Maytag Admiral")
    assert [(s.start, s.text, s.label_) for s in new] == [(3, "Maytag", "Company")]


def test_a_short_name_opening_a_sentence_as_a_common_word_is_not_found(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Time  PROPN compound 1
        Inc   PROPN nsubj    2
        said  VERB  ROOT     2 say
        .     PUNCT punct    2
        Time  NOUN  nsubj    5
        ran   VERB  ROOT     5 run
        out   ADP   prt      5
        over  ADP   prep     5
        time  NOUN  pobj     7
        """,
        spans=[(0, 2, "Company", "")],
    )
    assert repeated_organization_names(doc, list(doc.spans["kg_entities"])) == []


# ------------------------------------------------------------------------------- with the model


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "Halvard Mining's subsidiary Nordkap Resources will drill in the north.",
            ("Nordkap Resources", "subsidiaryOf", "Halvard Mining"),
        ),
        (
            "Trellis Foods Corp's Ardent Bakeries Inc subsidiary opened a bakery.",
            ("Ardent Bakeries Inc", "subsidiaryOf", "Trellis Foods Corp"),
        ),
    ],
)
def test_model_corporate_structure_nouns(analyze: Analyze, text: str, fact: tuple) -> None:
    assert fact in analyze(text).relations


@pytest.mark.model
def test_model_a_former_title_ends_the_role(analyze: Analyze) -> None:
    relations = analyze("Zenith Airways former chairman Paul Renner said fares would rise.")
    [(key, qualifiers)] = [(k, q) for k, q in relations.relations.items() if k[1] == "worksFor"]
    assert key == ("Paul Renner", "worksFor", "Zenith Airways")
    assert qualifiers.status == "ended"
    assert qualifiers.role == "chairman"


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "Norwegian firms, including Equinor and Telenor, bid for the contract.",
            {("Equinor", "basedIn", "Norway"), ("Telenor", "basedIn", "Norway")},
        ),
        (
            "Regulators fined the Swiss bank UBS on Tuesday.",
            {("UBS", "basedIn", "Switzerland")},
        ),
    ],
)
def test_model_a_nationality_on_a_company_noun_places_the_company(
    analyze: Analyze, text: str, facts: set
) -> None:
    assert facts <= set(analyze(text).relations)
