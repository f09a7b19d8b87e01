"""kg.extract.temporal: date and duration expressions resolved against the article date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.extract.temporal import resolve_date, resolve_duration, xsd_type_of

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
