"""A mention's class decided by the whole article, not by one guess of the NER model.

The model types each span on its own, so one company can come out as a
person in one sentence ("Ecofuel", "Agip Carbone") and an organization in the
next. Two cues in the article settle it:

* a full name elsewhere: "Wang" is a person when the article names "Wang
  Xiang"; "Strata" is the company when the article names "Strata Corp";
* the words around a name: "ENI's subsidiary Ecofuel", "Agip Carbone, an ENI
  unit", "the airline Ansett" make it a company.

A name with a title or a form of address in front of it ("Mr Ansett",
"chairman Ray Williams") stays a person. Gazetteer names are never retyped.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from spacy.tokens import Doc, Span, Token

from kg.extract.temporal import REPORTING_VERBS
from kg.types import coarse_class

__all__ = [
    "COMPANY_NOUNS",
    "EXECUTIVE_NOUNS",
    "drop_lone_names",
    "vote_organization_names",
    "vote_person_names",
]

#: Nouns that, joined to a name, say it names a company ("ENI's subsidiary Ecofuel", "Ansett,
#: the airline"). Fewer than the lexicon's descriptors of companies: "developer", "producer"
#: or "maker" also name people ("property developer John Smith").
COMPANY_NOUNS = frozenset(
    {
        "subsidiary",
        "affiliate",
        "division",
        "unit",
        "company",
        "firm",
        "corporation",
        "conglomerate",
        "bank",
        "lender",
        "insurer",
        "airline",
        "carrier",
        "retailer",
        "manufacturer",
        "chipmaker",
        "automaker",
        "carmaker",
        "telco",
        "startup",
        "start-up",
    }
)
#: Heads of titles only an organization has: a person has a spokesman, not a chief executive.
EXECUTIVE_NOUNS = frozenset(
    {"officer", "ceo", "cfo", "chairman", "chairwoman", "director", "directors", "board"}
)
#: What only a company owns: "Ansett's shareholders".
_COMPANY_POSSESSIONS = frozenset(
    {"share", "shareholder", "stockholder", "subsidiary", "subsidiaries", "headquarters"}
)
_NAME_LINKS = frozenset({"compound", "appos"})
#: Sentences an article needs before a name it never backs up is dropped: a lone sentence
#: ("Oswald fired from the window") says nothing of how the article introduced its people.
MIN_SENTENCES = 3
_RETYPED = frozenset({"Person", "Place"})


def vote_person_names(spans: list[Span], *, courtesy: Collection[str] = ()) -> list[Span]:
    """Retype "Wang" and "Trump" as people when the doc names "Wang Xiang" or "Donald Trump",
    and "Wendy Caird" when it calls her "Ms Caird".

    The model often tags a lone surname or given name as an organization; a
    full name of a person elsewhere in the article settles it. ``courtesy`` are
    the forms of address only people take ("ms", "dr").
    """
    name_parts = _person_name_parts(spans)
    addressed = {span[-1].text for span in spans if _addressed(span, courtesy)}
    fixed = []
    for span in spans:
        if (
            not span.kb_id_
            and span.label_ != "Person"
            and _named_person(span, name_parts, addressed)
        ):
            span = Span(span.doc, span.start, span.end, label="Person")
        fixed.append(span)
    return fixed


def _addressed(span: Span, courtesy: Collection[str]) -> bool:
    """Whether a person is addressed with a courtesy title: "Ms Caird" or "Ms" + "Caird"."""
    before = span.doc[span.start - 1] if span.start > 0 else None
    return span.label_ == "Person" and (
        (len(span) > 1 and span[0].lower_ in courtesy)
        or (before is not None and before.lower_ in courtesy and before.text[:1].isupper())
    )


def _named_person(span: Span, name_parts: Collection[str], addressed: Collection[str]) -> bool:
    """Whether the article's people settle ``span`` as one of them: a word of a full name
    ("Wang"), or a given name and the surname of one addressed as "Ms Caird"."""
    if len(span) == 1:
        return span.text in name_parts
    return len(span) == 2 and span[-1].text in addressed and span[0].text[:1].isupper()


def vote_organization_names(doc: Doc, spans: list[Span], *, titled: Collection[str]) -> list[Span]:
    """Retype as organizations the person and place names the article uses as organizations.

    ``titled`` are the words that make the next name a person's (titles and
    forms of address). Every mention with a retyped text follows.
    """
    surnames = _person_name_parts(spans)
    titled_names = {s.text for s in spans if _titled(doc, s, titled)}
    chosen: dict[str, str] = {}
    for span in spans:
        if span.kb_id_ or span.label_ not in _RETYPED or span.text in titled_names:
            continue
        if span.label_ == "Person" and len(span) == 1 and span.text in surnames:
            continue  # "Ford" where the article names "Joe Ford"
        label = _longer_organization(span, spans) or _described(span)
        if label:
            chosen.setdefault(span.text, label)
    return [
        Span(doc, s.start, s.end, label=chosen[s.text])
        if s.text in chosen and not s.kb_id_ and s.label_ in _RETYPED
        else s
        for s in spans
    ]


#: Words of titles that only qualify one ("former chairman"): alone in front of a name
#: ("the former Ansett subsidiary") they do not make it a person's.
_QUALIFIERS = frozenset({"former", "acting", "interim", "founding", "global", "regional", "group"})


def _titled(doc: Doc, span: Span, titled: Collection[str]) -> bool:
    """Whether a title or a form of address stands in front of ``span``."""
    before = doc[span.start - 1] if span.start > 0 else None
    return before is not None and before.lower_ in titled and before.lower_ not in _QUALIFIERS


def drop_lone_names(
    doc: Doc, spans: list[Span], *, titled: Collection[str], min_sentences: int = MIN_SENTENCES
) -> list[Span]:
    """Drop the one-word "people" nothing in the article backs up.

    News introduces a person by full name, title or form of address, or
    quotes them ("..., Westerterp said"). A lone capitalised word the model
    calls a person and the article never backs up that way is most often a
    company, a town or a band ("bid for Ansett", "Gunnedah", "the Beatles").
    When it is a word of a longer organization name in the article ("Labatt"
    of "John Labatt Ltd") it takes that organization's class; otherwise it is
    no entity at all: a missing node costs a reader less than a wrong one. A
    text of fewer than ``min_sentences`` sentences is no article to judge by.
    """
    if sum(1 for _ in doc.sents) < min_sentences:
        return spans
    name_parts = _person_name_parts(spans)
    titled_names = {s.text for s in spans if s.label_ == "Person" and _titled(doc, s, titled)}
    quoted = {s.text for s in spans if s.label_ == "Person" and _quoted(s)}
    organizations = _organization_words(spans)
    kept = []
    for span in spans:
        if (
            span.label_ != "Person"
            or span.kb_id_
            or len(span) > 1
            or span.text in name_parts
            or span.text in titled_names
        ):
            kept.append(span)
        elif len(organizations.get(span.text, ())) == 1:
            (label,) = organizations[span.text]
            kept.append(Span(doc, span.start, span.end, label=label))  # "Labatt said"
        elif span.text in quoted:
            kept.append(span)
    return kept


def _quoted(span: Span) -> bool:
    """Whether the name is the subject of a verb of saying ("Westerterp said")."""
    root = span.root
    return root.dep_ == "nsubj" and root.head.lemma_.lower() in REPORTING_VERBS


def _organization_words(spans: Sequence[Span]) -> dict[str, set[str]]:
    """Each word of the article's names of organizations of two or more words, with the
    classes of the names it is in."""
    words: dict[str, set[str]] = {}
    for span in spans:
        if len(span) > 1 and coarse_class(span.label_) == "Organization":
            for token in span:
                words.setdefault(token.text, set()).add(span.label_)
    return words


def _person_name_parts(spans: Sequence[Span]) -> set[str]:
    """The words of the people's names the article gives in full ("Wang", "Xiang")."""
    return {
        token.text for span in spans if span.label_ == "Person" and len(span) > 1 for token in span
    }


def _longer_organization(span: Span, spans: Sequence[Span]) -> str | None:
    """The class of an organization whose name starts with ``span``'s ("Strata" -> "Strata
    Corp"), when the article has one and only one class for such names."""
    words = [t.text for t in span]
    found = {
        other.label_
        for other in spans
        if len(other) > len(span)
        and coarse_class(other.label_) == "Organization"
        and [t.text for t in other[: len(span)]] == words
    }
    return found.pop() if len(found) == 1 else None


def _described(span: Span) -> str | None:
    """ "Company" when a company noun is joined to the name: "subsidiary Ecofuel" (compound),
    "Another ENI subsidiary, Agip Carbone" and "Ansett, the airline" (apposition);
    "Organization" when the name owns an executive ("Harris Scarfe's chief financial
    officer")."""
    root = span.root
    if root.dep_ == "poss" and root.head.lower_ in EXECUTIVE_NOUNS:
        return "Organization"
    if root.dep_ == "poss" and root.head.lemma_.lower() in _COMPANY_POSSESSIONS:
        return "Company"  # "Ansett's shareholders", "Bull's subsidiary"
    linked: list[Token] = [c for c in root.children if c.dep_ in _NAME_LINKS]
    if root.dep_ in _NAME_LINKS and not (span.start <= root.head.i < span.end):
        linked.append(root.head)
    for token in linked:
        lemma = token.lemma_.lower()
        if token.i in range(span.start, span.end) or token.pos_ not in {"NOUN"}:
            continue
        if lemma in COMPANY_NOUNS:
            return "Company"
    return None
