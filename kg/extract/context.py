"""Name and context cues the entity recognizer reads: what makes a name an organization's
("... Corp", "... Hospital") or a place's ("Spencer, north of Sydney", "a blaze at Boonah").

Pure predicates on spaCy tokens and spans; :mod:`kg.extract.entities` uses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from spacy.attrs import LOWER, POS
from spacy.tokens import Doc, Span

from kg.extract.columns import strings
from kg.types import coarse_class

#: Tokens that mark a possessive after a name ("Sydney 's").
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})

#: Last words that make any name an organization's, whatever the model said (lower case,
#: without a final full stop): legal forms of companies, and institutions.
ORGANIZATION_ENDINGS: dict[str, str] = {
    **dict.fromkeys(
        [
            "inc",
            "corp",
            "corporation",
            "co",
            "cos",
            "ltd",
            "llc",
            "plc",
            "spa",
            "s.p.a",
            "sa",
            "s.a",
            "ag",
            "nv",
            "n.v",
            "bv",
            "gmbh",
            "kk",
            "limited",
            "bancorp",
            "bhd",
        ],
        "Company",
    ),
    **dict.fromkeys(
        [
            "hospital",
            "university",
            "college",
            "institute",
            "foundation",
            "association",
            "federation",
            "league",
            "club",
            "society",
            "party",
        ],
        "Organization",
    ),
}
#: Last words of the names of events ("Commonwealth Games", "Jules Verne Trophy", "Melbourne
#: Track Classic"): kg has no class for events, and such a name is no organization or person.
EVENT_ENDINGS = frozenset(
    ["games", "olympics", "championships", "championship", "cup", "trophy", "classic",
     "festival", "awards", "prix", "marathon", "tournament", "regatta", "open"]
)  # fmt: skip
#: Nouns for kinds of things kg has no class for: a name right after one ("the lethal
#: cattle disease Rinderpest", "Swedish maxi Nicorette", "the destroyer USS Russell", "the
#: Norwegian freighter Tampa") names no organization, person or place, nor do its other
#: mentions in the article.
UNMODELLED_KINDS = frozenset(
    ["disease", "virus", "yacht", "maxi", "boat", "ship", "vessel", "freighter", "tanker",
     "warship", "destroyer", "frigate", "submarine", "horse", "racehorse", "storm",
     "cyclone", "hurricane", "typhoon", "ocean racer"]
)  # fmt: skip
#: Last words of the names of laws, treaties and programmes ("Native Title Act", "Export
#: Enhancement Program"): kg has no class for them, and they are no organization. Title
#: case only: "ACT" is a territory.
LAW_ENDINGS = frozenset(
    ["Act", "Bill", "Treaty", "Agreement", "Accord", "Protocol", "Program", "Programme",
     "Scheme", "Amendment"]
)  # fmt: skip
#: Last words that name a person holding a post, never a body: an organization span ending
#: in one ("Anglican Archbishop", "Federal Agriculture Minister") is a title, not a name.
#: Words that also end bodies' names are left out ("Board", "Group", "Division",
#: "Commissioner", "Coroner", "General"), and so are plurals ("Council of Ministers").
POST_HOLDERS = frozenset(
    ["archbishop", "bishop", "minister", "treasurer", "premier", "senator",
     "spokesman", "spokeswoman", "spokesperson", "chairman", "chairwoman", "chairperson",
     "ambassador", "envoy", "mayor", "governor", "chancellor", "judge", "magistrate",
     "lawyer", "analyst", "economist", "editor", "correspondent", "lecturer", "historian",
     "scientist", "researcher", "forecaster", "ceo", "cfo", "coo", "cto", "coach",
     "skipper", "sergeant", "constable", "detective", "lieutenant", "colonel", "brigadier",
     "admiral", "superintendent", "registrar"]
)  # fmt: skip
#: Honours and offices written after a person's name ("Terence Cole QC", "Jane Roe MP").
POST_NOMINALS = frozenset(
    ["QC", "SC", "KC", "MP", "MLA", "MLC", "AO", "AC", "AM", "OBE", "MBE", "CBE", "KBE"]
)  # fmt: skip
#: First words of the names of mountains, capes, lakes, ports and forts ("Mt Kembla", "Cape
#: York"): such a name is a place, whatever class the model gave it.
PLACE_OPENERS = frozenset(["Mt", "Mt.", "Mount", "Cape", "Lake", "Port", "Fort"])
#: Title words that only qualify another ("senior", "sales"): a title written in lower case
#: must not end in one ("sales Tony Smith" is no title).
TITLE_MODIFIERS = frozenset(
    ["global", "regional", "country", "international", "group", "division", "product", "sales",
     "marketing", "research", "technology", "financial", "operating", "senior", "vice",
     "managing", "acting", "interim", "former", "founding", "lead", "principal", "associate",
     "assistant", "deputy", "prime", "board", "general"]
)  # fmt: skip
#: Words that place one place relative to another ("north of", "south-west of").
_DIRECTIONS = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "outside",
        "near",
    ]
)
#: Common nouns after a name that make it the name of an area ("the Hawkesbury area").
_AREA_NOUNS = frozenset(["area", "region", "district", "shire", "suburb", "township", "valley"])
_LOCATIVES = frozenset(["in", "at", "near", "around", "outside", "across", "into", "towards"])


def placed(doc: Doc, span: Span, following: Sequence[Span]) -> bool:
    """Whether the text places ``span`` as a place: "X north of <place>", "the X area"."""
    i = span.end + (1 if span.end < len(doc) and doc[span.end].text == "," else 0)
    if i < len(doc) and doc[i].lower_ in _AREA_NOUNS:
        return True
    if i + 1 >= len(doc) or doc[i].lower_ not in _DIRECTIONS or doc[i + 1].lower_ != "of":
        return False
    return (
        bool(following)
        and following[0].start == i + 2
        and following[0].label_ in {"Place", "City", "Region", "Country"}
    )


def after_locative(span: Span) -> bool:
    """Whether a name is the object of "in", "at", "near"... and not a possessor."""
    root = span.root
    doc = span.doc
    possessive = span.end < len(doc) and doc[span.end].text in POSSESSIVE
    return root.dep_ == "pobj" and root.head.lower_ in _LOCATIVES and not possessive


#: Nouns for a settlement or a division that "of" and its name follow ("the self-rule city
#: of Khan Yunis", "the town of Boonah", "the province of Zabul"); not "capital", which is
#: money as often ("the share capital of Acme Ltd").
_SETTLEMENT_NOUNS = frozenset(
    ["city", "town", "village", "suburb", "port", "province", "district",
     "region", "county", "state", "municipality", "township", "island"]
)  # fmt: skip


def named_settlement(span: Span) -> bool:
    """Whether a name follows "of" after a noun for a settlement ("the city of Khan Yunis")."""
    root = span.root
    of = root.head
    return (
        root.dep_ == "pobj"
        and of.lower_ == "of"
        and of.head.lower_ in _SETTLEMENT_NOUNS
        and of.head.pos_ == "NOUN"
    )


def listed_among_places(span: Span, by_root: Mapping[int, Span]) -> bool:
    """Whether ``span`` is an item of a list of places: two or more of the names coordinated
    with it are places and more are places than not ("Hornsby, St Ives, Turramurra and
    Frenches Forest"). ``by_root`` maps the root token of each name of the article to it."""
    listed = [by_root.get(t.i) for t in span.root.conjuncts]
    classes = [coarse_class(s.label_) for s in listed if s is not None and s != span]
    places = sum(1 for c in classes if c == "Place")
    return places >= 2 and places * 2 > len(classes)


def unmodelled_names(doc: Doc) -> set[str]:
    """The names that a noun of :data:`UNMODELLED_KINDS` introduces somewhere in the
    article ("the yacht Assa Abloy"): every mention of them names something kg does not
    model.

    >>> import spacy
    >>> doc = spacy.blank("en")("the yacht Assa Abloy beat Acme")
    >>> doc[1].pos_, doc[2].pos_, doc[3].pos_ = "NOUN", "PROPN", "PROPN"
    >>> sorted(unmodelled_names(doc))
    ['Assa Abloy']
    """
    names = set()
    pos, lowers = strings(doc, POS), strings(doc, LOWER)
    for i in range(len(doc) - 1):
        if pos[i] != "NOUN":
            continue
        pair = f"{lowers[i - 1]} {lowers[i]}" if i else ""
        if lowers[i] not in UNMODELLED_KINDS and pair not in UNMODELLED_KINDS:
            continue
        end = i + 1
        while end < len(doc) and name_word(doc[end]):
            end += 1
        if end > i + 1:
            names.add(doc[i + 1 : end].text)
    return names


def name_word(token: Any) -> bool:
    """A capitalised proper noun inside a name (not the first word of a sentence alone)."""
    return token.pos_ == "PROPN" and token.text[:1].isupper() and token.is_alpha


__all__ = [
    "EVENT_ENDINGS",
    "LAW_ENDINGS",
    "ORGANIZATION_ENDINGS",
    "PLACE_OPENERS",
    "POSSESSIVE",
    "POST_HOLDERS",
    "POST_NOMINALS",
    "TITLE_MODIFIERS",
    "UNMODELLED_KINDS",
    "after_locative",
    "listed_among_places",
    "name_word",
    "named_settlement",
    "placed",
    "unmodelled_names",
]
