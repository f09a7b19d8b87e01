"""kg.extract.figures: amounts read with their metric, subject, place, period and source."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rdflib import Graph, Namespace
from spacy.tokens import Doc

from kg.extract.figures import METRIC_CUES, FigureExtractor, RawFigure, parse_amount
from kg.ontology import KGO_IRI, ontology_dir

MakeDoc = Callable[..., Doc]  # the make_doc fixture of conftest.py
Analyze = Callable[..., Any]  # the analyze fixture of conftest.py

K = Namespace(KGO_IRI)
RDF_TYPE = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")["type"]


@pytest.mark.parametrize(
    "text,value,kind",
    [
        ("30.3 percent", "30.3", "percent"),
        ("12%", "12", "percent"),
        ("50 per cent", "50", "percent"),
        ("more than 9.8 billion euros", "9800000000", "money:EUR"),
        ("$5 billion", "5000000000", "money:USD"),
        ("US$ 3bn", "3000000000", "money:USD"),
        ("€3.2 million", "3200000", "money:EUR"),
        ("£400 million", "400000000", "money:GBP"),
        ("1.5 trillion won", "1500000000000", "money:KRW"),
        ("20 million yuan", "20000000", "money:CNY"),
        ("49.4 million", "49400000", "units"),
        ("1,200 employees", "1200", "units"),
        ("5 thousand", "5000", "units"),
    ],
)
def test_parse_amount(text: str, value: str, kind: str) -> None:
    parsed = parse_amount(text)
    assert parsed is not None
    assert parsed[0] == Decimal(value)
    assert parsed[1] == kind


@pytest.mark.parametrize("text", ["", "no figure here", "percent", "millions of fans"])
def test_parse_amount_without_a_number(text: str) -> None:
    assert parse_amount(text) is None


def test_a_scale_word_inside_another_word_does_not_scale() -> None:
    assert parse_amount("5 millions") == (Decimal("5"), "units")
    assert parse_amount("7 monthly users") == (Decimal("7"), "units")


def test_every_metric_the_extractor_emits_is_a_kgo_metric() -> None:
    graph = Graph().parse(ontology_dir() / "kgo.ttl", format="turtle")
    metrics = {str(m).removeprefix(KGO_IRI) for m in graph.subjects(RDF_TYPE, K.Metric)}
    emitted = {metric for metric, _, _ in METRIC_CUES} | {"rank"}
    assert emitted <= metrics, sorted(emitted - metrics)


# ------------------------------------------------------------------- the component, hand-parsed

MARKET_SHARE = """
    Acme      PROPN nsubj    1
    had       VERB  ROOT     1 have
    a         DET   det      6
    30        NUM   nummod   4
    percent   NOUN  compound 6
    market    NOUN  compound 6
    share     NOUN  dobj     1
    in        ADP   prep     6
    Ruritania PROPN pobj     7
    in        ADP   prep     1
    2020      NUM   pobj     9
    ,         PUNCT punct    1
    according VERB  prep     1 accord
    to        ADP   prep     12
    research  NOUN  compound 15
    firm      NOUN  compound 16
    Zorblax   PROPN pobj     13
    .         PUNCT punct    1
"""
MARKET_SHARE_SPANS = [(0, 1, "Company", ""), (8, 9, "Country", ""), (16, 17, "ResearchFirm", "")]


def test_a_market_share_with_place_period_and_source(make_doc: MakeDoc) -> None:
    doc = make_doc(
        MARKET_SHARE, ents=[(3, 5, "PERCENT"), (10, 11, "DATE")], spans=MARKET_SHARE_SPANS
    )
    [figure] = FigureExtractor("kg_figures").match(doc)
    assert figure == RawFigure(
        subject=0,
        metric="marketShare",
        value="30",
        unit="percent",
        sentence=(0, 18),
        quote=(3, 5),
        period_text="2020",
        place=1,
        source=2,
    )


def test_a_percent_span_without_its_sign_is_still_a_percentage(make_doc: MakeDoc) -> None:
    # Some NER models tag "30" in "30 percent" / "30%" and leave the sign out.
    doc = make_doc(
        MARKET_SHARE, ents=[(3, 4, "PERCENT"), (10, 11, "DATE")], spans=MARKET_SHARE_SPANS
    )
    [figure] = FigureExtractor("kg_figures").match(doc)
    assert (figure.metric, figure.value, figure.unit) == ("marketShare", "30", "percent")


def test_the_component_writes_doc_extension(make_doc: MakeDoc) -> None:
    doc = make_doc(
        MARKET_SHARE, ents=[(3, 5, "PERCENT"), (10, 11, "DATE")], spans=MARKET_SHARE_SPANS
    )
    assert FigureExtractor("kg_figures")(doc) is doc
    assert [f.metric for f in doc._.kg_figures] == ["marketShare"]


def test_a_figure_without_a_metric_word_is_not_an_observation(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj  1
        counted VERB  ROOT   1 count
        30      NUM   nummod 3
        percent NOUN  dobj   1
        .       PUNCT punct  1
        """,
        ents=[(2, 4, "PERCENT")],
        spans=[(0, 1, "Company", "")],
    )
    assert FigureExtractor("kg_figures").match(doc) == []


def test_a_figure_needs_an_organization_it_is_about(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Sales   NOUN  nsubj  1 sale
        rose    VERB  ROOT   1 rise
        30      NUM   nummod 3
        percent NOUN  npadvmod 1
        .       PUNCT punct  1
        """,
        ents=[(2, 4, "PERCENT")],
        spans=[],
    )
    assert FigureExtractor("kg_figures").match(doc) == []


def test_the_subject_carries_over_to_the_next_sentence(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj  1
        grew    VERB  ROOT   1 grow
        .       PUNCT punct  1
        Shipments NOUN nsubj 4 shipment
        rose    VERB  ROOT   4 rise
        12      NUM   nummod 6
        percent NOUN  npadvmod 4
        .       PUNCT punct  4
        """,
        ents=[(5, 7, "PERCENT")],
        spans=[(0, 1, "Company", "")],
    )
    [figure] = FigureExtractor("kg_figures").match(doc)
    assert (figure.subject, figure.metric, figure.value) == (0, "shipmentGrowth", "12")


def test_an_ordinal_before_largest_is_a_rank(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj 1
        is      AUX   ROOT  1 be
        the     DET   det   5
        fourth  ADJ   amod  5
        largest ADJ   amod  5
        vendor  NOUN  attr  1
        .       PUNCT punct 1
        """,
        ents=[(3, 4, "ORDINAL")],
        spans=[(0, 1, "Company", "")],
    )
    [figure] = FigureExtractor("kg_figures").match(doc)
    assert (figure.metric, figure.value, figure.unit) == ("rank", "4", "rank")


def test_small_counts_are_not_figures(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj  1
        shipped VERB  ROOT   1 ship
        12      NUM   nummod 3
        phones  NOUN  dobj   1 phone
        .       PUNCT punct  1
        """,
        ents=[(2, 3, "CARDINAL")],
        spans=[(0, 1, "Company", "")],
    )
    assert FigureExtractor("kg_figures").match(doc) == []


def test_a_comparison_date_is_not_the_period(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Acme     PROPN nsubj    1
        revenue  NOUN  nsubj    2
        grew     VERB  ROOT     2 grow
        12       NUM   nummod   4
        percent  NOUN  npadvmod 2
        compared VERB  prep     2 compare
        with     ADP   prep     5
        2019     NUM   pobj     6
        .        PUNCT punct    2
        """,
        ents=[(3, 5, "PERCENT"), (7, 8, "DATE")],
        spans=[(0, 1, "Company", "")],
    )
    [figure] = FigureExtractor("kg_figures").match(doc)
    assert figure.metric == "revenueGrowth"
    assert figure.period_text is None


# ------------------------------------------------------------------------------- with the model


@pytest.mark.model
def test_model_market_share_with_place_period_and_source(analyze: Analyze) -> None:
    facts = analyze(
        "Samsung held a 21.3 percent market share in India in the second quarter of 2020, "
        "according to research firm Canalys."
    )
    assert facts.observations == [
        {
            "subject": "Samsung Electronics",
            "metric": "marketShare",
            "value": "21.3",
            "unit": "percent",
            "period": "2020-Q2",
            "place": "India",
            "source": "Canalys",
        }
    ]
    assert facts.entities["Canalys"] == "ResearchFirm"


@pytest.mark.model
def test_model_revenue_in_a_currency(analyze: Analyze) -> None:
    [obs] = analyze(
        "Nokia generated revenue of 5.2 billion euros in the first quarter of 2021."
    ).observations
    assert (obs["subject"], obs["metric"], obs["value"], obs["unit"], obs["period"]) == (
        "Nokia",
        "revenue",
        "5200000000",
        "EUR",
        "2021-Q1",
    )


@pytest.mark.model
def test_model_shipments_with_a_source(analyze: Analyze) -> None:
    [obs] = analyze(
        "Samsung shipped 60 million smartphones in 2020, according to IDC."
    ).observations
    assert (obs["metric"], obs["value"], obs["unit"], obs["period"]) == (
        "shipments",
        "60000000",
        "units",
        "2020",
    )
    assert obs["subject"] == "Samsung Electronics"
    assert obs["source"] in {"IDC", "International Data Corporation"}


@pytest.mark.model
def test_model_rank(analyze: Analyze) -> None:
    [obs] = analyze(
        "According to Counterpoint, Apple was the second largest smartphone vendor in 2019."
    ).observations
    assert (obs["subject"], obs["metric"], obs["value"], obs["unit"], obs["period"]) == (
        "Apple",
        "rank",
        "2",
        "rank",
        "2019",
    )
