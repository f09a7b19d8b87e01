"""Relations stated by how two names attach, with no trigger word between them.

News packs facts into noun phrases:

* a place possessor: "Florida's Kennedy Space Centre" (locatedIn),
  "Adelaide's Queen Elizabeth Hospital", "Peru's Congress" (basedIn); a
  company possessor: "General Mining Union Corp's Kinross Mines Ltd"
  (subsidiaryOf), unless a word on the name makes it a rival or a partner:
  "Boeing and its rival Airbus" (competesWith);
* "of" or "in" after an organization's name: "Motorola Inc of the U.S.",
  "Scoular Grain Co. in Omaha" (basedIn), but "the United Nations in Iraq"
  (operatesIn: "in" a country or region says where it acts, not its seat);
  "in" after a place's name: "the Rialto Towers in Melbourne" (locatedIn);
  "of" after a person's name: "Mrs Jones of Bulli" (livesIn);
* a place on a noun for a settlement and the settlement's name: "the West Bank
  town of Jenin", "the Solomon Islands capital, Honiara", "Iraq's second city
  of Basra", "the Sydney suburbs of Heathcote and Engadine", "Sharana, the
  provincial capital of Paktika" (locatedIn); a division's name on its noun
  and the place that owns it: "Afghanistan's Paktika province" (locatedIn);
* a place compounded with a smaller one: "the New South Wales Hunter Valley"
  (locatedIn);
* a place, a comma and the region or country it lies in: "Goshen, Indiana",
  "Memphis, Tenn., marketing center", "Amazonia, Brazil" (locatedIn; not in a
  list: "Queensland, New Zealand and Fiji");
* a place in front of what an organization runs there: "its Adelaide plants",
  "its five Michigan cable systems" (operatesIn; the nouns are the lexicon's
  ``sites`` cue set);
* a nationality or a place on the noun that describes organizations: "the
  Chinese company Huawei", "Chinese companies, including Huawei and ZTE",
  "WEDGE Group Inc, a Houston investment firm" (basedIn the country or place;
  the nouns are the lexicon's descriptors of organizations).

:class:`kg.extract.relations.RelationExtractor` turns each :class:`Attachment`
into a relation with the clause's status; the classifier then weighs it like
any lexicon finding.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from spacy.attrs import LOWER, ORTH, POS
from spacy.tokens import Doc, Token

from kg.extract.columns import lower_lemmas, strings
from kg.types import coarse_class

__all__ = ["Attachment", "attachments"]

_OWNERS = frozenset({"poss"})
#: Nouns for a settlement that a place qualifies and a name follows ("the Afghan capital
#: of Kabul", "the southern Sydney suburbs of Heathcote and Engadine"); a plural only with
#: the place on it: "the towns of A and B" lists what may lie anywhere.
_SETTLEMENTS = frozenset(
    ["capital", "city", "town", "village", "suburb", "port",
     "cities", "towns", "villages", "suburbs", "ports"]
)  # fmt: skip
_QUALIFIERS = frozenset({"poss", "compound", "amod"})
#: Nouns for a division of a place that follow its name ("Afghanistan's Paktika province",
#: "the Zabul province of Afghanistan"): the name compounded with the noun lies in the
#: place that owns the noun or follows it with "of".
_DIVISIONS = frozenset({"province", "state", "district", "county", "region", "territory"})
#: Classes of what a company's possessive names as its own: a company or an organization
#: of no known kind ("General Mining Union Corp's Kinross Mines Ltd"), not an agency.
_OWNED = frozenset({"Company", "Organization", "MediaOrganization", "ResearchFirm"})
#: Words on an organization's name that say how its possessor relates to it ("Boeing and its
#: rival Airbus", "its partner Siemens"): a rival or a partner, not a subsidiary.
_PEERS = {"rival": "competesWith", "competitor": "competesWith", "partner": "partnersWith"}
_NAME_PREPOSITIONS = {"Organization": ("of", "in"), "Person": ("of",), "Place": ("in",)}
_NAME_PREDICATES = {"Organization": "basedIn", "Person": "livesIn", "Place": "locatedIn"}
#: How large a place of each class is, for "Goshen, Indiana": the second name is larger.
_EXTENT = {"City": 0, "Place": 0, "Region": 1, "Country": 2}
_LIST_WORDS = frozenset({"and", "or", "&", "as", "well"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """Mentions ``head`` and ``tail`` (rows of the mention table) related by ``predicate``;
    ``token`` is the word that carries it (the possessive, the preposition, the site noun)."""

    head: int
    tail: int
    predicate: str
    token: Token


def attachments(
    doc: Doc,
    labels: Sequence[str],
    at: Mapping[int, int],
    *,
    sites: Collection[str],
    descriptors: Collection[str] = (),
    demonyms: Collection[int] = (),
) -> Iterator[Attachment]:
    """Every attachment of ``doc``; ``labels`` are the classes of the mention table's rows,
    ``at`` maps a token to the row of the mention it is in. ``descriptors`` are nouns that
    describe organizations ("company"), ``demonyms`` the first tokens of nationality
    mentions ("Chinese")."""
    yield from _comma_places(doc, labels, at)
    lemmas, lowers, pos = lower_lemmas(doc), strings(doc, LOWER), strings(doc, POS)
    for i in range(len(doc)):
        row = at.get(i)
        if row is None or not _is_root(doc[i], at):
            site, low = lemmas[i] in sites, lowers[i]
            if pos[i] == "NOUN" and (site or low in _SETTLEMENTS or low in _DIVISIONS):
                token = doc[i]
                if site:
                    yield from _sites(token, labels, at)
                if low in _SETTLEMENTS:
                    yield from _settlement(token, labels, at)
                if low in _DIVISIONS:
                    yield from _division(token, labels, at)
            continue
        token = doc[i]
        cls = coarse_class(labels[row])
        if token.i in demonyms or (cls == "Place" and token.dep_ in {"amod", "poss", "compound"}):
            yield from _nationality(token, row, labels, at, descriptors)
        yield from _possessor(token, row, cls, labels, at)
        yield from _prepositions(token, row, cls, labels, at)
        if cls == "Place":
            yield from _compound_place(token, row, labels, at)


def _is_root(token: Token, at: Mapping[int, int]) -> bool:
    """Whether ``token`` heads its mention (its head lies outside the mention)."""
    return token.head.i == token.i or at.get(token.head.i) != at[token.i]


def _possessor(
    token: Token, row: int, cls: str, labels: Sequence[str], at: Mapping[int, int]
) -> Iterator[Attachment]:
    if cls not in {"Place", "Organization"}:
        return
    peers = [
        _PEERS[c.lemma_.lower()]
        for c in token.children
        if c.dep_ in {"amod", "compound"} and c.lemma_.lower() in _PEERS
    ]
    for child in token.children:
        owner = at.get(child.i)
        if child.dep_ not in _OWNERS or owner is None or owner == row:
            continue
        if peers:
            if cls == "Organization" and coarse_class(labels[owner]) == "Organization":
                yield Attachment(row, owner, peers[0], child)  # "Boeing and its rival Airbus"
            continue
        if labels[owner] == "Company" and labels[row] in _OWNED:
            yield Attachment(row, owner, "subsidiaryOf", child)  # "Qantas's Australian Airlines"
        if coarse_class(labels[owner]) != "Place":
            continue
        predicate = "locatedIn" if cls == "Place" else "basedIn"
        yield Attachment(row, owner, predicate, child)


def _prepositions(
    token: Token, row: int, cls: str, labels: Sequence[str], at: Mapping[int, int]
) -> Iterator[Attachment]:
    allowed = _NAME_PREPOSITIONS.get(cls, ())
    for prep in token.children:
        if prep.dep_ != "prep" or prep.lower_ not in allowed:
            continue
        for pobj in prep.children:
            place = at.get(pobj.i)
            if pobj.dep_ != "pobj" or place is None or place == row:
                continue
            if coarse_class(labels[place]) != "Place":
                continue
            predicate = _NAME_PREDICATES[cls]
            if cls == "Place" and not _larger(labels[place], labels[row]):
                continue  # "the Rialto Towers in Melbourne", not "Australia in Sydney"
            if cls == "Organization" and prep.lower_ == "in" and labels[place] != "City":
                predicate = "operatesIn"  # "the United Nations in Iraq": there, not based there
            yield Attachment(row, place, predicate, prep)


def _larger(outer: str, inner: str) -> bool:
    """Whether a place of class ``outer`` can contain one of class ``inner``."""
    small, large = _EXTENT.get(inner), _EXTENT.get(outer)
    return (small is not None and large is not None and large >= small and large > 0) or (
        outer == "City" and inner == "Place"
    )


def _sites(noun: Token, labels: Sequence[str], at: Mapping[int, int]) -> Iterator[Attachment]:
    """ "its Adelaide plants": the possessor operates in the place compounded with the noun."""
    owners = [at[c.i] for c in noun.children if c.dep_ in _OWNERS and c.i in at]
    places = [
        at[c.i]
        for c in noun.subtree
        if c.i < noun.i and c.dep_ in {"compound", "amod"} and c.i in at
    ]
    for owner in owners:
        if coarse_class(labels[owner]) != "Organization":
            continue
        for place in dict.fromkeys(places):
            if place != owner and coarse_class(labels[place]) == "Place":
                yield Attachment(owner, place, "operatesIn", noun)


def _settlement(noun: Token, labels: Sequence[str], at: Mapping[int, int]) -> Iterator[Attachment]:
    """ "the West Bank town of Jenin", "the Afghan capital, Kabul": the named settlement
    lies in the place that qualifies the noun."""
    outer = [at[c.i] for c in noun.children if c.dep_ in _QUALIFIERS and c.i in at]
    of = [p for prep in noun.children if prep.lower_ == "of" for p in prep.children]
    if noun.dep_ == "appos" and noun.head.i in at:
        # "Sharana, the provincial capital of Paktika": the name is what the noun is apposed to
        named, outer = [noun.head], outer + [at[p.i] for p in of if p.i in at]
    else:
        named = [c for c in noun.children if c.dep_ == "appos"] + of
    named = [c for c in named if c.dep_ in {"appos", "pobj"} or c == noun.head]
    named += [c for n in named for c in n.children if c.dep_ == "conj"]  # "of A and B"
    inner = [at[c.i] for c in named if c.i in at]
    yield from _places_within(inner, outer, labels, noun)


def _division(noun: Token, labels: Sequence[str], at: Mapping[int, int]) -> Iterator[Attachment]:
    """ "Afghanistan's south-eastern Paktika province", "the Zabul province of Afghanistan":
    the place named in front of the noun lies in the place that owns it or follows "of"."""
    inner = [at[c.i] for c in noun.children if c.dep_ == "compound" and c.i in at]
    outer = [at[c.i] for c in noun.children if c.dep_ in _OWNERS and c.i in at]
    outer += [
        at[p.i]
        for prep in noun.children
        if prep.lower_ == "of"
        for p in prep.children
        if p.dep_ == "pobj" and p.i in at
    ]
    yield from _places_within(dict.fromkeys(inner), outer, labels, noun)


def _places_within(
    inner: Iterable[int], outer: Iterable[int], labels: Sequence[str], noun: Token
) -> Iterator[Attachment]:
    """Each place of ``inner`` located in each other place of ``outer`` (``noun`` says so)."""
    for place in inner:
        for container in dict.fromkeys(outer):
            if place != container and all(
                coarse_class(labels[row]) == "Place" for row in (place, container)
            ):
                yield Attachment(place, container, "locatedIn", noun)


def _compound_place(
    token: Token, row: int, labels: Sequence[str], at: Mapping[int, int]
) -> Iterator[Attachment]:
    """ "the New South Wales Hunter Valley", "the US Gulf Coast": a place compounded with a
    place no larger than itself contains it (two towns side by side contain nothing)."""
    inner = at.get(token.head.i)
    if token.dep_ != "compound" or inner is None or inner == row:
        return
    small, large = _EXTENT.get(labels[inner]), _EXTENT.get(labels[row])
    if small is None or large is None or large < small or labels[inner] == labels[row] == "City":
        return
    yield Attachment(inner, row, "locatedIn", token)


def _comma_places(doc: Doc, labels: Sequence[str], at: Mapping[int, int]) -> Iterator[Attachment]:
    """ "Goshen, Indiana": a place, a comma and a larger place right after it, the pair not
    part of a list of places."""
    for i, text in enumerate(strings(doc, ORTH)):
        if text != "," or i == 0 or i + 1 >= len(doc):
            continue
        comma = doc[i]
        inner, outer = at.get(comma.i - 1), at.get(comma.i + 1)
        if inner is None or outer is None or inner == outer:
            continue
        small, large = _EXTENT.get(labels[inner]), _EXTENT.get(labels[outer])
        if small is None or large is None or large <= small or large == 0:
            continue
        if _listed(doc, comma.i - 1, (inner, outer), labels, at):
            continue
        yield Attachment(inner, outer, "locatedIn", comma)


def _listed(
    doc: Doc, last: int, rows: tuple[int, int], labels: Sequence[str], at: Mapping[int, int]
) -> bool:
    """Whether the two names around the comma after token ``last`` are items of a list: a
    conjunction, or a comma and a conjunction or another place, follow the second; a comma
    and a place come before the first."""
    inner, outer = rows

    def place_at(i: int) -> bool:
        return i in at and coarse_class(labels[at[i]]) == "Place"

    end = last + 2
    while end < len(doc) and at.get(end) == outer:
        end += 1
    after = doc[end : end + 2]
    if len(after) and after[0].lower_ in _LIST_WORDS:
        return True
    if (
        len(after) == 2
        and after[0].text == ","
        and (after[1].lower_ in _LIST_WORDS or place_at(after[1].i))
    ):
        return True
    start = last
    while start > 0 and at.get(start - 1) == inner:
        start -= 1
    return start >= 2 and doc[start - 1].text == "," and place_at(start - 2)


def _nationality(
    token: Token,
    row: int,
    labels: Sequence[str],
    at: Mapping[int, int],
    descriptors: Collection[str],
) -> Iterator[Attachment]:
    """ "the Chinese company Huawei", "Chinese companies, including Huawei and ZTE",
    "Japan's major electronic firms, including NEC Corp"."""
    noun = token.head
    if token.dep_ not in {"amod", "compound", "poss"} or noun.lemma_.lower() not in descriptors:
        return
    named = [noun.head] if noun.dep_ in {"compound", "appos"} else []
    named += [c for c in noun.children if c.dep_ == "appos"]
    named += [
        q
        for prep in noun.children
        if prep.dep_ == "prep" and prep.lower_ in {"including", "like"}
        for p in prep.children
        if p.dep_ == "pobj"
        for q in (p, *p.conjuncts)
    ]
    for name in named:
        other = at.get(name.i)
        if other is not None and other != row and coarse_class(labels[other]) == "Organization":
            yield Attachment(other, row, "basedIn", token)
