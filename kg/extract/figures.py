"""Figures: market share, revenue, shipments, growth and rank as observations.

Every percentage, amount of money or quantity the model finds is read with
the metric words of its sentence ("market share", "shipped", "generated",
"growth"), the entity it is about (the sentence's organization subject, or
the one a "the company" refers to), the place ("in India"), the period (a
date expression of the sentence) and the source ("reported by IDC",
"according to Canalys").

Output: ``doc._.kg_figures``, a list of :class:`RawFigure`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.mentions import mention_table
from kg.extract.syntax import EntityIndex
from kg.types import coarse_class

if not Doc.has_extension("kg_figures"):
    Doc.set_extension("kg_figures", default=None)

SCALES = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
CURRENCIES = {
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "pound": "GBP",
    "pounds": "GBP",
    "£": "GBP",
    "yen": "JPY",
    "¥": "JPY",
    "rupee": "INR",
    "rupees": "INR",
    "won": "KRW",
}
#: Metric cue words, checked in order; the first present in the sentence wins.
METRIC_CUES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("marketShare", ("market share", "share of the market", "share"), ("percent",)),
    ("shipmentGrowth", ("shipment growth", "shipments grew", "shipments rose"), ("percent",)),
    (
        "revenueGrowth",
        ("revenue growth", "revenue rose", "revenue grew", "sales generated"),
        ("percent",),
    ),
    ("growth", ("growth", "grew", "increase", "rose", "up", "jump", "surge"), ("percent",)),
    ("revenue", ("revenue", "generated", "turnover", "sales of", "earned"), ("money",)),
    ("netIncome", ("net income", "profit", "net profit"), ("money",)),
    ("valuation", ("valued at", "valuation"), ("money",)),
    ("investment", ("invest", "investment"), ("money",)),
    ("fine", ("fine", "fined", "penalty"), ("money",)),
    ("shipments", ("shipped", "shipments", "sold"), ("units",)),
    ("users", ("users", "subscribers", "customers"), ("units",)),
    ("employees", ("employees", "staff", "workers"), ("units",)),
)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_SOURCE_CUES = (
    "reported by",
    "according to",
    "report by",
    "data from",
    "figures from",
    "estimates from",
)


@dataclass(frozen=True, slots=True)
class RawFigure:
    """A figure, with token-level references into the doc's mention table."""

    subject: int
    metric: str
    value: str
    unit: str
    sentence: tuple[int, int]  # token span
    quote: tuple[int, int]  # token span of the figure
    period_text: str | None = None
    place: int | None = None
    source: int | None = None
    segment: str | None = None


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """Return the value and unit kind ("percent", "money:EUR", "units") of a figure.

    >>> parse_amount("more than 9.8 billion euros")
    (Decimal('9800000000.0'), 'money:EUR')
    >>> parse_amount("30.3 percent")
    (Decimal('30.3'), 'percent')
    >>> parse_amount("49.4 million")
    (Decimal('49400000.0'), 'units')
    """
    low = text.lower().replace(",", "")
    m = re.search(r"(\d+(?:\.\d+)?)", low)
    if not m:
        return None
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:
        return None
    for word, scale in SCALES.items():
        if re.search(rf"(?<![a-z]){word}\b", low):
            value *= scale
            break
    if "%" in low or re.search(r"\bper ?cent\b", low):
        return value, "percent"
    for word, code in CURRENCIES.items():
        if (word.isalpha() and re.search(rf"\b{re.escape(word)}\b", low)) or (
            not word.isalpha() and word in low
        ):
            return value, f"money:{code}"
    return value, "units"


class FigureExtractor:
    """The ``kg_figures_v1`` component (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_figures = self.match(doc)
        return doc

    def match(self, doc: Doc) -> list[RawFigure]:
        """Return the figures of ``doc``."""
        table = mention_table(doc)
        ents = EntityIndex(doc)
        by_start = sorted(range(len(table)), key=lambda i: (table[i].start, i))
        starts = [table[i].start for i in by_start]

        def mentions_in(sent: Span) -> list[int]:  # in table order
            lo, hi = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
            return sorted(by_start[lo:hi])

        figures = []
        last_subject: int | None = None
        last_period: str | None = None
        last_segment: str | None = None
        for sent in doc.sents:
            new_paragraph = sent.start == 0 or "\n" in doc[sent.start - 1].text_with_ws
            low = sent.text.lower()
            # A figure from another report ("as reported by IDC") does not inherit the period.
            cited = any(cue in low for cue in _SOURCE_CUES)
            carried = None if new_paragraph or cited else last_period
            sent_ents = ents.within(sent)
            refs = mentions_in(sent)
            period, last_period = _period(doc, sent, sent_ents, last_period)
            period = period or carried
            segment, last_segment = _segment(sent, last_segment)
            subject = self._subject(doc, table, refs)
            if subject is None:
                subject = last_subject
            else:
                last_subject = subject
            if subject is None:
                continue
            place = self._in_place(doc, table, refs)
            source = self._source(table, refs, low)
            for ent in sent_ents:
                figure = self._figure(doc, ent, low, sent)
                if figure is None:
                    continue
                metric, value, unit = figure
                figures.append(
                    RawFigure(
                        subject=subject,
                        metric=metric,
                        value=value,
                        unit=unit,
                        sentence=(sent.start, sent.end),
                        quote=(ent.start, ent.end),
                        period_text=period,
                        place=place,
                        source=source,
                        segment=segment,
                    )
                )
        return figures

    def _figure(self, doc: Doc, ent: Span, low: str, sent: Span) -> tuple[str, str, str] | None:
        if ent.label_ == "ORDINAL":
            nxt = doc[ent.end : min(ent.end + 3, sent.end)].text.lower()
            if re.match(r"(largest|biggest|top|leading)\b", nxt) and ent.text.lower() in _ORDINALS:
                return "rank", str(_ORDINALS[ent.text.lower()]), "rank"
            return None
        if ent.label_ not in {"PERCENT", "MONEY", "QUANTITY", "CARDINAL"}:
            return None
        tail = doc[ent.end : min(ent.end + 2, len(doc))].text
        parsed = parse_amount(f"{ent.text} {tail}" if ent.label_ != "PERCENT" else ent.text)
        if parsed is None:
            return None
        value, kind = parsed
        if ent.label_ == "PERCENT" and kind == "units":
            kind = "percent"  # "16.1" tagged PERCENT without its "%" token
        if kind == "units" and ent.label_ == "CARDINAL" and value < 1000:
            return None  # small counts are rarely figures of interest
        unit = kind.split(":", 1)[1] if kind.startswith("money:") else kind
        family = "money" if kind.startswith("money:") else kind
        for metric, cues, families in METRIC_CUES:
            if family in families and any(re.search(rf"\b{re.escape(c)}\b", low) for c in cues):
                return metric, _decimal_text(value), unit
        return None

    def _subject(self, doc: Doc, table: list, refs: list[int]) -> int | None:
        for index in refs:
            ref = table[index]
            if coarse_class(ref.label) != "Organization":
                continue
            token = doc[ref.end - 1]
            if token.dep_ in {"nsubj", "nsubjpass"} or (
                token.dep_ == "poss" and token.head.dep_ in {"nsubj", "nsubjpass"}
            ):
                return index
        return None

    def _in_place(self, doc: Doc, table: list, refs: list[int]) -> int | None:
        for index in refs:
            ref = table[index]
            if coarse_class(ref.label) == "Place":
                token = doc[ref.start]
                if token.dep_ == "pobj" and token.head.lower_ == "in":
                    return index
        return None

    def _source(self, table: list, refs: list[int], low: str) -> int | None:
        if not any(cue in low for cue in _SOURCE_CUES):
            return None
        for index in refs:
            ref = table[index]
            if ref.label in {
                "ResearchFirm",
                "MediaOrganization",
            }:
                return index
        return None


_COMPARISON = re.compile(
    r"\b(same period|year over year|year-on-year|compared|from a year)\b", re.I
)
_BACK_REFERENCE = re.compile(r"\b(the|that|this) (quarter|period|year|half)\b", re.I)


def _period(
    doc: Doc, sent: Span, ents: Sequence[Span], last: str | None
) -> tuple[str | None, str | None]:
    """The date expression a sentence's figures refer to (among its ``ents``), and the
    one to carry on.

    Comparison bases ("the same period last year") are skipped; "the
    quarter" refers back to the last period the article named.
    """
    for ent in ents:
        if ent.label_ != "DATE":
            continue
        before = doc[max(sent.start, ent.start - 4) : ent.start].text
        if _COMPARISON.search(ent.text) or _COMPARISON.search(before):
            continue
        if _BACK_REFERENCE.fullmatch(ent.text.strip()):
            return last, last
        if re.search(r"\d{4}", ent.text):
            return ent.text, ent.text
    return None, last


_SEGMENT_NOUNS = frozenset({"segment", "category", "tier"})


def _segment(sent: Span, last: str | None) -> tuple[str | None, str | None]:
    """The market segment a sentence names ("the premium smartphone segment"), or refers to.

    "this segment" refers back to the last one named.
    """
    for token in sent:
        if token.lemma_.lower() not in _SEGMENT_NOUNS or token.pos_ != "NOUN":
            continue
        modifiers = [t for t in token.lefts if t.dep_ in {"amod", "compound", "nmod"}]
        if modifiers:
            start = min(t.left_edge.i for t in modifiers)
            words = sent.doc[start : token.i].text
            return words, words
        if any(t.lower_ in {"this", "that", "the"} for t in token.lefts):
            return last, last
    return None, last


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def make_figures(nlp: Language, name: str) -> FigureExtractor:
    """Build the component."""
    return FigureExtractor(name)


Language.factory("kg_figures_v1", func=make_figures)
