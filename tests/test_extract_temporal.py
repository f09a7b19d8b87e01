"""kg.extract.temporal: dates of expressions, of a relation's clause and of undated articles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract import doc_to_extraction, extract
from kg.extract.mentions import RawRelation
from kg.extract.temporal import (
    after,
    clause_date,
    infer_document_date,
    resolve_date,
    resolve_duration,
    xsd_type_of,
)
from kg.gazetteer import Gazetteer
from kg.types import Article, Extraction, Qualifiers

DocMaker = Callable[..., Doc]  # the make_doc fixture of conftest.py

JULY_2018 = "2018-07-04"


@pytest.mark.parametrize(
    "text,anchor,expected",
    [
        # a month name alone: the most recent such month, this year or last
        ("in April", JULY_2018, "2018-04"),
        ("in July", JULY_2018, "2018-07"),  # the anchor's own month
        ("in August", JULY_2018, "2017-08"),  # after the anchor month: last year's
        ("December", JULY_2018, "2017-12"),
        ("January", "2018-01-15", "2018-01"),
        ("in February", "2018-01-15", "2017-02"),
        ("Sept.", "2020-10-01", "2020-09"),
        # a month with its own year ignores the anchor
        ("in April 2016", JULY_2018, "2016-04"),
        ("May 2019", None, "2019-05"),
        ("in March of 2015", None, "2015-03"),
        # a month with a relative year
        ("in March this year", JULY_2018, "2018-03"),
        ("in March last year", JULY_2018, "2017-03"),
        ("in March next year", JULY_2018, "2019-03"),
        ("in December this year", JULY_2018, "2018-12"),
        # days
        ("March 15", "2021-05-20", "2021-03-15"),
        ("on March 15, 2019", None, "2019-03-15"),
        ("15 March 2019", None, "2019-03-15"),
        ("on Sept. 3", "2020-10-01", "2020-09-03"),
        ("Dec 25", "2020-01-10", "2019-12-25"),
        ("July 4th", "2020-08-01", "2020-07-04"),
        ("on 4 July", "2020-08-01", "2020-07-04"),
        ("on 4th July", "2020-08-01", "2020-07-04"),
        ("2018-04-05", None, "2018-04-05"),
        # relative years and months
        ("late last year", JULY_2018, "2017"),
        ("last year", "2018-01-01", "2017"),
        ("the previous year", JULY_2018, "2017"),
        ("next year", JULY_2018, "2019"),
        ("earlier this year", JULY_2018, "2018"),
        ("last month", "2018-01-10", "2017-12"),
        ("last month", JULY_2018, "2018-06"),
        ("this month", JULY_2018, "2018-07"),
        # explicit years
        ("in 2015", None, "2015"),
        ("back in 2015", JULY_2018, "2015"),
        ("by end 2018, or by early 2019", None, "2018"),
        ("early 2019", None, "2019"),
        ("in 1999", None, "1999"),
        # quarters
        ("the first quarter of 2018", None, "2018-Q1"),
        ("the fourth quarter of 2020", JULY_2018, "2020-Q4"),
        ("Q3 2019", None, "2019-Q3"),
        ("the 2nd quarter 2017", None, "2017-Q2"),
        ("the first three months of 2021", None, "2021-Q1"),
        ("first three months of 2021", "2021-05-20", "2021-Q1"),
        ("the last three months of 2020", None, "2020-Q4"),
    ],
)
def test_resolve_date(text: str, anchor: str | None, expected: str) -> None:
    assert resolve_date(text, anchor) == expected


@pytest.mark.parametrize(
    "text,anchor",
    [
        ("in April", None),  # relative without an anchor
        ("March 15", None),
        ("next year", None),
        ("late last year", None),
        ("last month", None),
        ("in April", "not a date"),  # an unusable anchor is no anchor
        ("yesterday", JULY_2018),
        ("recently", JULY_2018),
        ("", JULY_2018),
        ("may", JULY_2018),  # the modal verb, not the month
        ("They may ban it", JULY_2018),
        ("the 1990s", None),
    ],
)
def test_resolve_date_gives_none_when_no_date_is_named(text: str, anchor: str | None) -> None:
    assert resolve_date(text, anchor) is None


def test_may_is_a_month_after_a_preposition_or_with_a_year() -> None:
    assert resolve_date("in May", "2020-06-01") == "2020-05"
    assert resolve_date("early May", "2020-06-01") == "2020-05"
    assert resolve_date("May 2019") == "2019-05"


def test_the_anchor_may_carry_a_time() -> None:
    assert resolve_date("in April", "2018-07-04T10:00:00Z") == "2018-04"


@pytest.mark.parametrize("text,anchor", [("April 31", JULY_2018), ("February 29", "2021-03-01")])
def test_resolve_date_never_returns_an_impossible_day(text: str, anchor: str) -> None:
    value = resolve_date(text, anchor)
    if value is not None and len(value) == 10:
        date.fromisoformat(value)  # raises on 2018-04-31


def test_a_quarter_without_year_takes_the_anchor_year() -> None:
    assert resolve_date("the first quarter", "2020-05-01") == "2020-Q1"


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=12),
)
def test_a_bare_month_is_never_after_the_anchor(anchor: date, month: int) -> None:
    names = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    value = resolve_date(f"in {names[month - 1]}", anchor.isoformat())
    assert value is not None
    year, resolved_month = map(int, value.split("-"))
    assert resolved_month == month
    assert (year, month) <= (anchor.year, anchor.month)
    assert (anchor.year - year) * 12 + anchor.month - month < 12


@given(st.text(max_size=60), st.one_of(st.none(), st.dates().map(date.isoformat)))
def test_resolve_date_is_none_or_an_iso_value(text: str, anchor: str | None) -> None:
    value = resolve_date(text, anchor)
    assert value is None or xsd_type_of(value) is not None or value[4:6] == "-Q"


# ------------------------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    "text,expected",
    [
        ("for seven years", "P7Y"),
        ("for as many as seven years", "P7Y"),
        ("for 18 months", "P18M"),
        ("for a year", "P1Y"),
        ("for two weeks", "P2W"),
        ("for three days", "P3D"),
        ("for 10 Years", "P10Y"),
        ("for 100 years", "P100Y"),
        ("for an hour", None),
        ("seven years ago", None),
        ("last year", None),
        ("next year", None),
        ("in April", None),
        ("", None),
    ],
)
def test_resolve_duration(text: str, expected: str | None) -> None:
    assert resolve_duration(text) == expected


def test_hyphenated_number_words_are_read_whole() -> None:
    assert resolve_duration("for twenty-five years") == "P25Y"


def test_a_decimal_duration_is_not_misread() -> None:
    assert resolve_duration("for 1.5 years") in {None, "P18M"}


@given(st.text(max_size=40))
def test_resolve_duration_is_none_or_an_iso_duration(text: str) -> None:
    value = resolve_duration(text)
    assert value is None or (
        value.startswith("P") and value[1:-1].isdigit() and value[-1] in "YMWD"
    )


# ---------------------------------------------------------------------------------- xsd_type_of


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2018", "gYear"),
        ("2018-04", "gYearMonth"),
        ("2018-04-05", "date"),
        ("2018-Q1", None),
        ("18", None),
        ("2018-4", None),
        ("P7Y", None),
        ("", None),
        ("2018-04-05T10:00:00", None),
    ],
)
def test_xsd_type_of(value: str, expected: str | None) -> None:
    assert xsd_type_of(value) == expected


# ------------------------------------------------------------- anchors known to the year or month


@pytest.mark.parametrize(
    "text,anchor,expected",
    [
        # an article dated only to the year (an inferred date): months fall in that year
        ("in March", "2021", "2021-03"),
        ("December", "2021", "2021-12"),
        ("March 15", "2021", "2021-03-15"),
        ("last year", "2021", "2020"),
        ("this year", "2021", "2021"),
        ("the first quarter", "2021", "2021-Q1"),
        ("in April 2016", "2021", "2016-04"),
        # ... but "last month" needs the month
        ("last month", "2021", None),
        ("this month", "2021", None),
        # an article dated to the month
        ("last month", "2021-05", "2021-04"),
        ("in June", "2021-05", "2020-06"),
        ("in May", "2021-05", "2021-05"),
        ("in May", "2021-13", None),  # no such month: no anchor
        # "ago"
        ("two years ago", "2018-07-04", "2016"),
        ("a year ago", "2021", "2020"),
        ("three months ago", "2018-02-10", "2017-11"),
        ("three months ago", "2018", None),
        ("two years ago", None, None),
    ],
)
def test_resolve_date_against_a_year_or_month(
    text: str, anchor: str | None, expected: str | None
) -> None:
    assert resolve_date(text, anchor) == expected


@given(
    st.integers(min_value=1950, max_value=2090),
    st.integers(min_value=1, max_value=12),
)
def test_a_bare_month_against_a_year_falls_in_that_year(year: int, month: int) -> None:
    name = ["jan", "feb", "march", "april", "in may", "june", "july", "aug", "sept", "oct",
            "nov", "dec"][month - 1]  # fmt: skip
    assert resolve_date(name, str(year)) == f"{year:04d}-{month:02d}"


@pytest.mark.parametrize(
    "value,anchor,expected",
    [
        ("2019", "2018-07-04", True),
        ("2018", "2018-07-04", False),
        ("2018-08", "2018-07-04", True),
        ("2018-07", "2018-07-04", False),
        ("2018-07-05", "2018-07-04", True),
        ("2018-07-04", "2018-07-04", False),
        ("2018-Q3", "2018-07-04", False),
        ("2018-Q4", "2018-07-04", True),
        ("2018-12", "2018", False),
        ("2019-01", "2018", True),
        ("2030", None, False),
    ],
)
def test_after(value: str, anchor: str | None, expected: bool) -> None:
    assert after(value, anchor) is expected


# ------------------------------------------------------------------- the date of undated articles


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Xiaomi has just announced its quarterly results for the first three months of 2021. "
            "Sales are up 69.8% year over year in the same period in 2020.",
            "2021",
        ),
        ("Acme has reported its results for the first half of 1999 today.", "1999"),
        ("Yugo said it has sold a total of 9,233 cars so far in 1987.", "1987"),
        ("Spending so far this year, 2002, is on budget.", "2002"),
        ("Inflation this year (2001) is low.", "2001"),
        ("The court ruled on Tuesday, March 3, 1987 that the ban stands.", "1987"),
        ("Prices rose so far in 2001.\nThe plan will be finished in 2003.", "2001"),  # a plan
    ],
)
def test_infer_document_date(text: str, expected: str) -> None:
    assert infer_document_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The two countries have not been this close to war since their 1971 war.",
        "She won the tournament with her brother Emilio in 1990.",
        "Cars built prior to 1986 use leaded petrol.",
        "Emissions will be reduced by at least 40 per cent by 2010.",
        "He has served two terms as Mayor since 1993.",
        # results of a past period: published the next year as often as not
        "For the first nine months of 1986, it had sales of 1,070,000 dlrs.",
        "Net profit for 1986 rose to 5.6 mln dlrs from 4.1 mln in 1985.",
        "The plant opened on March 3, 1985.",  # a day long past, not the article's
        # a later year named: the article is at least that late
        "It has sold 9,233 cars so far in 1987. It has been listed since 1988.",
        # the text itself makes the year the last one
        "So far in 2020 it grew 5%, more than last year.",
        # numbers that are not years
        "It sold 1,996 shares so far this year.",
        "The stake cost $2000 so far this year.",
        "Growth was 2020.5 so far this year.",
        "In the 1990s sales grew so far.",
        "It has just announced results for the fourth quarter of 2020.",  # reported next year
    ],
)
def test_infer_document_date_gives_none_when_unclear(text: str) -> None:
    assert infer_document_date(text) is None


@given(st.text(max_size=200))
def test_an_inferred_date_is_a_year_the_text_writes(text: str) -> None:
    value = infer_document_date(text)
    assert value is None or (xsd_type_of(value) == "gYear" and value in text)


# --------------------------------------------------------------------- the date of a relation

# "Acme acquired Beta in March 1987 ." with its parse; mentions are token spans.
ACQUIRED = """
    Acme     PROPN nsubj  1
    acquired VERB  ROOT   1 acquire
    Beta     PROPN dobj   1
    in       ADP   prep   1
    March    PROPN pobj   3
    1987     NUM   nummod 4
    .        PUNCT punct  1
"""
ACME, BETA = (0, 1), (2, 3)


def dates_of(doc: Doc) -> list[Span]:
    return [e for e in doc.ents if e.label_ == "DATE"]


def test_the_date_on_the_verb_that_relates_the_mentions(make_doc: DocMaker) -> None:
    doc = make_doc(ACQUIRED, ents=[(4, 6, "DATE")])
    assert clause_date(doc, ACME, BETA, dates_of(doc)) == ("in March 1987", None)
    assert clause_date(doc, BETA, ACME, dates_of(doc)) == ("in March 1987", None)
    assert clause_date(doc, ACME, BETA, dates_of(doc), verbs={"acquire", "buy"})[0]
    assert clause_date(doc, ACME, BETA, dates_of(doc), verbs={"sell"}) == (None, None)


def test_a_date_that_is_part_of_a_name_is_not_the_relations(make_doc: DocMaker) -> None:
    doc = make_doc(ACQUIRED, ents=[(4, 6, "DATE")])
    assert clause_date(doc, ACME, BETA, dates_of(doc), names={4, 5}) == (None, None)


def test_a_date_attached_to_the_object_name_is_the_verbs(make_doc: DocMaker) -> None:
    # The parser often hangs "in 1987" on the object.
    doc = make_doc(
        """
        Acme     PROPN nsubj  1
        acquired VERB  ROOT   1 acquire
        Beta     PROPN dobj   1
        in       ADP   prep   2
        1987     NUM   pobj   3
        .        PUNCT punct  1
        """,
        ents=[(4, 5, "DATE")],
    )
    assert clause_date(doc, ACME, BETA, dates_of(doc)) == ("in 1987", None)


def test_a_bare_date_hangs_on_the_verb(make_doc: DocMaker) -> None:
    doc = make_doc(
        """
        Acme     PROPN nsubj    1
        acquired VERB  ROOT     1 acquire
        Beta     PROPN dobj     1
        last     ADJ   amod     4
        year     NOUN  npadvmod 1
        .        PUNCT punct    1
        """,
        ents=[(3, 5, "DATE")],
    )
    assert clause_date(doc, ACME, BETA, dates_of(doc)) == ("last year", None)


def test_a_duration_stays_a_duration(make_doc: DocMaker) -> None:
    doc = make_doc(
        """
        Acme  PROPN nsubj  1
        sold  VERB  ROOT   1 sell
        Beta  PROPN dobj   1
        for   ADP   prep   1
        seven NUM   nummod 5
        years NOUN  pobj   3 year
        .     PUNCT punct  1
        """,
        ents=[(4, 6, "DATE")],
    )
    assert clause_date(doc, ACME, BETA, dates_of(doc)) == (None, "for seven years")


def test_a_date_of_another_clause_is_not_the_relations(make_doc: DocMaker) -> None:
    # "Beta's sales rose in January, Acme said ."
    doc = make_doc(
        """
        Beta    PROPN poss  2
        's      PART  case  0
        sales   NOUN  nsubj 3 sale
        rose    VERB  ccomp 8 rise
        in      ADP   prep  3
        January PROPN pobj  4
        ,       PUNCT punct 8
        Acme    PROPN nsubj 8
        said    VERB  ROOT  8 say
        .       PUNCT punct 8
        """,
        ents=[(5, 6, "DATE")],
    )
    assert clause_date(doc, (7, 8), (0, 1), dates_of(doc)) == (None, None)


def test_a_date_of_a_coordinated_act_is_not_the_relations(make_doc: DocMaker) -> None:
    # "Acme was founded in 1990 and acquired Beta ."
    doc = make_doc(
        """
        Acme     PROPN nsubjpass 2
        was      AUX   auxpass   2 be
        founded  VERB  ROOT      2 found
        in       ADP   prep      2
        1990     NUM   pobj      3
        and      CCONJ cc        2
        acquired VERB  conj      2 acquire
        Beta     PROPN dobj      6
        .        PUNCT punct     2
        """,
        ents=[(4, 5, "DATE")],
    )
    assert clause_date(doc, ACME, (7, 8), dates_of(doc)) == (None, None)


def test_the_relative_clause_that_relates_them_dates_it(make_doc: DocMaker) -> None:
    # "Smith , who joined Acme in 2001 , was named chairman of Beta in 2005 ."
    doc = make_doc(
        """
        Smith    PROPN nsubjpass 9
        ,        PUNCT punct     0
        who      PRON  nsubj     3
        joined   VERB  relcl     0 join
        Acme     PROPN dobj      3
        in       ADP   prep      3
        2001     NUM   pobj      5
        ,        PUNCT punct     0
        was      AUX   auxpass   9 be
        named    VERB  ROOT      9 name
        chairman NOUN  oprd      9
        of       ADP   prep      10
        Beta     PROPN pobj      11
        in       ADP   prep      9
        2005     NUM   pobj      13
        .        PUNCT punct     9
        """,
        ents=[(6, 7, "DATE"), (14, 15, "DATE")],
    )
    smith, acme, beta = (0, 1), (4, 5), (12, 13)
    assert clause_date(doc, smith, acme, dates_of(doc)) == ("in 2001", None)
    assert clause_date(doc, smith, beta, dates_of(doc)) == ("in 2005", None)


def test_a_verb_that_governs_the_act_does_not_date_it(make_doc: DocMaker) -> None:
    # "In 1969 , Sirhan was convicted of assassinating Kennedy ."
    doc = make_doc(
        """
        In            ADP   prep      4
        1969          NUM   pobj      0
        ,             PUNCT punct     4
        Sirhan        PROPN nsubjpass 4
        convicted     VERB  ROOT      4 convict
        of            ADP   prep      4
        assassinating VERB  pcomp     5 assassinate
        Kennedy       PROPN dobj      6
        .             PUNCT punct     4
        """,
        ents=[(1, 2, "DATE")],
    )
    assert clause_date(doc, (3, 4), (7, 8), dates_of(doc)) == (None, None)
    assert clause_date(doc, (3, 4), (7, 8), dates_of(doc), verbs={"assassinate"}) == (None, None)


def test_the_governor_of_a_complement_dates_it(make_doc: DocMaker) -> None:
    # "Acme stopped selling Beta in March ."
    doc = make_doc(
        """
        Acme    PROPN nsubj 1
        stopped VERB  ROOT  1 stop
        selling VERB  xcomp 1 sell
        Beta    PROPN dobj  2
        in      ADP   prep  1
        March   PROPN pobj  4
        .       PUNCT punct 1
        """,
        ents=[(5, 6, "DATE")],
    )
    assert clause_date(doc, ACME, (3, 4), dates_of(doc), verbs={"sell"}) == ("in March", None)
    # "stop" ends a relation: unless it is an ended one, that is no date of it
    assert clause_date(doc, ACME, (3, 4), dates_of(doc), stop_lemmas={"stop"}) == (None, None)


def test_a_figures_period_is_not_the_relations(make_doc: DocMaker) -> None:
    # "Acme earned 5 mln dlrs from Beta in 1986 ."
    doc = make_doc(
        """
        Acme   PROPN nsubj  1
        earned VERB  ROOT   1 earn
        5      NUM   nummod 4
        mln    NUM   compound 4
        dlrs   NOUN  dobj   1
        from   ADP   prep   1
        Beta   PROPN pobj   5
        in     ADP   prep   1
        1986   NUM   pobj   7
        .      PUNCT punct  1
        """,
        ents=[(2, 5, "MONEY"), (8, 9, "DATE")],
    )
    assert clause_date(doc, ACME, (6, 7), dates_of(doc)) == (None, None)


@pytest.mark.parametrize(
    "table,ents",
    [
        (  # two dates on the verb: which one?
            """
            in     ADP   prep  1
            March  PROPN pobj  3
            on     ADP   prep  1
            Monday PROPN pobj  5
            """,
            [(4, 5, "DATE"), (6, 7, "DATE")],
        ),
        (  # a span of time, not a point in it
            """
            in     ADP   prep  1
            the    DET   det   6
            past   ADJ   amod  6
            year   NOUN  pobj  3
            """,
            [(4, 7, "DATE")],
        ),
        (  # more than one point
            """
            in     ADP   prep  1
            1997   NUM   pobj  3
            and    CCONJ cc    4
            1998   NUM   conj  4
            """,
            [(4, 5, "DATE"), (6, 7, "DATE")],
        ),
        (  # a bound, not a point
            """
            until  ADP   prep  1
            March  PROPN pobj  3
            """,
            [(4, 5, "DATE")],
        ),
    ],
)
def test_no_date_when_unsure(
    make_doc: DocMaker, table: str, ents: list[tuple[int, int, str]]
) -> None:
    doc = make_doc(
        """
        Acme     PROPN nsubj 1
        acquired VERB  ROOT  1 acquire
        Beta     PROPN dobj  1
        """
        + table
        + "\n.  PUNCT punct 1",
        ents=ents,
    )
    assert clause_date(doc, ACME, BETA, dates_of(doc)) == (None, None)


@pytest.mark.parametrize("aux", ["will", "could", "may"])
def test_a_modal_verb_has_no_date_unless_the_relation_is_planned(
    make_doc: DocMaker, aux: str
) -> None:
    doc = make_doc(
        f"""
        Acme    PROPN nsubj 2
        {aux}   AUX   aux   2
        acquire VERB  ROOT  2 acquire
        Beta    PROPN dobj  2
        in      ADP   prep  2
        March   PROPN pobj  4
        .       PUNCT punct 2
        """,
        ents=[(5, 6, "DATE")],
    )
    assert clause_date(doc, ACME, (3, 4), dates_of(doc)) == (None, None)
    assert clause_date(doc, ACME, (3, 4), dates_of(doc), modal_ok=True) == ("in March", None)


# ------------------------------------------------------------- records: qualifiers and the anchor

# "Acme has sold 9,233 cars so far in 2021 . Jo joined Acme in March ."
UNDATED = """
    Acme   PROPN nsubj  2
    has    AUX   aux    2 have
    sold   VERB  ROOT   2 sell
    9,233  NUM   nummod 4
    cars   NOUN  dobj   2 car
    so     ADV   advmod 6
    far    ADV   advmod 2
    in     ADP   prep   6
    2021   NUM   pobj   7
    .      PUNCT punct  2
    Jo     PROPN nsubj  11
    joined VERB  ROOT   11 join
    Acme   PROPN dobj   11
    in     ADP   prep   11
    March  PROPN pobj   13
    .      PUNCT punct  11
"""
UNDATED_SPANS = [(0, 1, "Company", ""), (10, 11, "Person", ""), (12, 13, "Company", "")]


def _record(doc: Doc, relations: list[RawRelation], date: str | None = None) -> Extraction:
    doc._.kg_relations = relations
    doc._.kg_figures = []
    article = Article("a", doc.text, date=date)
    return doc_to_extraction(doc, article, gazetteer=Gazetteer.from_entries([]))


def test_an_undated_article_takes_the_year_its_text_gives(make_doc: DocMaker) -> None:
    doc = make_doc(UNDATED, ents=[(8, 9, "DATE"), (14, 15, "DATE")], spans=UNDATED_SPANS)
    joined = RawRelation(1, 2, "worksFor", 0.8, (10, 16), "classifier")
    record = _record(doc, [joined])
    assert record.inferred_date == "2021"
    [relation] = record.relations
    assert relation.qualifiers.start == "2021-03"  # a state begins: start
    assert relation.qualifiers.date is None


def test_a_dated_article_keeps_its_date(make_doc: DocMaker) -> None:
    doc = make_doc(UNDATED, ents=[(8, 9, "DATE"), (14, 15, "DATE")], spans=UNDATED_SPANS)
    joined = RawRelation(1, 2, "worksFor", 0.8, (10, 16), "classifier")
    record = _record(doc, [joined], date="2022-01-10")
    assert record.inferred_date is None
    assert record.relations[0].qualifiers.start == "2021-03"


def test_an_undated_article_without_a_clear_year_resolves_no_relative_date(
    make_doc: DocMaker,
) -> None:
    doc = make_doc(
        """
        Jo     PROPN nsubj  1
        joined VERB  ROOT   1 join
        Acme   PROPN dobj   1
        in     ADP   prep   1
        March  PROPN pobj   3
        .      PUNCT punct  1
        """,
        ents=[(4, 5, "DATE")],
        spans=[(0, 1, "Person", ""), (2, 3, "Company", "")],
    )
    record = _record(doc, [RawRelation(0, 1, "worksFor", 0.8, (0, 6), "classifier")])
    assert record.inferred_date is None
    assert record.relations[0].qualifiers == Qualifiers()


@pytest.mark.parametrize(
    "predicate,status,expected",
    [
        ("killed", None, Qualifiers(date="2020-03")),
        ("worksFor", None, Qualifiers(start="2020-03")),
        ("sells", "ended", Qualifiers(end="2020-03", status="ended")),
        ("plansToEnter", None, Qualifiers(date="2020-03", status="planned")),
        ("basedIn", None, Qualifiers()),  # where a body sits has no date
    ],
)
def test_the_clause_date_is_a_start_an_end_or_a_point(
    make_doc: DocMaker, predicate: str, status: str | None, expected: Qualifiers
) -> None:
    lemma = {"killed": "kill", "worksFor": "join", "sells": "sell", "plansToEnter": "enter",
             "basedIn": "base"}[predicate]  # fmt: skip
    doc = make_doc(
        f"""
        Ann    PROPN nsubj 1
        did    VERB  ROOT  1 {lemma}
        Bo     PROPN dobj  1
        in     ADP   prep  1
        March  PROPN pobj  3
        .      PUNCT punct 1
        """,
        ents=[(4, 5, "DATE")],
        spans=[(0, 1, "Person", ""), (2, 3, "Person", "")],
    )
    raw = RawRelation(0, 1, predicate, 0.8, (0, 6), "classifier", status=status)
    record = _record(doc, [raw], date="2020-06-01")
    assert record.relations[0].qualifiers == expected


def test_a_done_act_is_not_dated_after_the_article(make_doc: DocMaker) -> None:
    doc = make_doc(
        """
        Ann    PROPN nsubj    1
        joined VERB  ROOT     1 join
        Bo     PROPN dobj     1
        next   ADJ   amod     4
        year   NOUN  npadvmod 1
        .      PUNCT punct    1
        """,
        ents=[(3, 5, "DATE")],
        spans=[(0, 1, "Person", ""), (2, 3, "Company", "")],
    )
    raw = RawRelation(0, 1, "worksFor", 0.8, (0, 6), "classifier")
    assert _record(doc, [raw], date="2020-06-01").relations[0].qualifiers == Qualifiers()


# ---------------------------------------------------------------------------------- with the model


def _relations(nlp: Language, text: str, date: str | None) -> tuple[Extraction, dict]:
    record = next(extract([Article("t", text, date=date)], nlp))
    return record, {
        (record.mentions[r.head].text, r.predicate, record.mentions[r.tail].text): r.qualifiers
        for r in record.relations
    }


@pytest.mark.model
def test_model_a_relation_takes_its_sentences_date(nlp: Language) -> None:
    _, found = _relations(nlp, "Beta Inc was acquired by Acme Corp in March 1987.", "1987-06-01")
    assert found[("Beta Inc", "subsidiaryOf", "Acme Corp")].start == "1987-03"


@pytest.mark.model
def test_model_each_clause_dates_its_own_relation(nlp: Language) -> None:
    text = "John Smith, who joined Acme Corp in 1990, was named chairman of Beta Inc in 2001."
    _, found = _relations(nlp, text, None)
    assert found[("John Smith", "worksFor", "Acme Corp")].start == "1990"
    beta = found.get(("John Smith", "worksFor", "Beta Inc"))
    assert beta is None or beta.start == "2001"


@pytest.mark.model
def test_model_the_act_is_dated_not_the_verdict(nlp: Language) -> None:
    text = "In 1969, Sirhan Sirhan was convicted of assassinating Robert F. Kennedy."
    _, found = _relations(nlp, text, None)
    for qualifiers in found.values():
        assert qualifiers.date is None and qualifiers.start is None


@pytest.mark.model
def test_model_an_undated_article_resolves_against_its_inferred_year(nlp: Language) -> None:
    text = (
        "Acme Corp has just announced its results for the first three months of 2021. "
        "Beta Inc was acquired by Acme Corp in March."
    )
    record, found = _relations(nlp, text, None)
    assert record.inferred_date == "2021"
    assert found[("Beta Inc", "subsidiaryOf", "Acme Corp")].start == "2021-03"
