"""Gazetteer links checked against the article: a known name links only with support.

The entity recognizer proposes gazetteer keys for every known name it
matches. A short or common name can denote several things: "AFP" is the
French news agency and the Australian Federal Police, "Newcastle" a city in
England and one in New South Wales. :func:`link_keys` keeps a link only when
the article supports it:

* among bodies sharing a name ("Ministry of Defense"), the one of the
  country that owns it in the text ("Afghanistan's Defence Ministry", "the
  Afghan Defence Ministry"), else the one the article also names
  unambiguously, or the one of the country it talks about most;
* a public body (agency, court) owned in the text by another country than
  its own, or by any country when it has none, does not link: "East Timor's
  Council of Ministers" is not the Council of the European Union;
* an acronym alias ("AFP") links when the article also gives the entry's full
  name, or speaks of the entry's country; an entry with no country (the UN)
  always links;
* a city or region links unless the article names two or more places of
  another country, a region among them, and no region of the city's own
  country nor the country itself ("Newcastle" beside "Sydney" and "NSW";
  "Paris" beside "Miami" and "Boston" still links).

An unsupported link is dropped: the mention keeps its class and becomes a
local entity of its own name (``None`` in the returned list).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Span

from kg.extract.context import POSSESSIVE
from kg.gazetteer import Gazetteer, GazetteerEntry

#: An acronym: two to five capitals (and "&"), as "AFP", "ICO", "AT&T".
ACRONYM = re.compile(r"[A-Z&]{2,5}")
_LOCAL_PLACES = frozenset({"City", "Region"})
#: Bodies of one country's state: owned by another country in the text, they are not it.
_PUBLIC_BODIES = frozenset({"GovernmentAgency", "Court"})


def link_keys(spans: Sequence[Span], text: str, gazetteer: Gazetteer) -> list[str | None]:
    """The gazetteer key each entity span keeps (``None``: not linked), given the article."""
    present = {span.kb_id_ for span in spans if span.kb_id_ and "|" not in span.kb_id_}
    countries = country_counts(spans, gazetteer)
    local = _local_countries(spans, gazetteer)
    regions = _local_countries(spans, gazetteer, classes=frozenset({"Region"}))
    keys: list[str | None] = []
    for span, owner in zip(spans, owner_countries(spans, gazetteer), strict=True):
        key = None
        if span.kb_id_:
            key = choose_key(span.kb_id_, present, countries, gazetteer, owner=owner)
        entry = gazetteer.entries.get(key) if key else None
        if entry is not None and (
            not supported(entry, span.text, text, countries, local, regions)
            or (owner is not None and entry.cls in _PUBLIC_BODIES and entry.country != owner)
        ):
            key = None
        keys.append(key)
    return keys


def owner_countries(spans: Sequence[Span], gazetteer: Gazetteer) -> list[str | None]:
    """For each span, the country that owns it in the text: a country name or demonym just
    before it ("Afghan Defence Ministry") or before its possessive ("Afghanistan's ..."), or
    that owns the same name where the article first gives it an owner (a later "Defence
    Ministry spokesman" is still Afghanistan's)."""
    country_ends: dict[int, str] = {}
    for span in spans:
        entry = gazetteer.entries.get(span.kb_id_) if span.kb_id_ else None
        if entry is not None and entry.cls == "Country":
            country_ends[span.end] = entry.key
    owners: list[str | None] = []
    for span in spans:
        owner = country_ends.get(span.start)
        before = span.start - 1
        if owner is None and before >= 0 and span.doc[before].text in POSSESSIVE:
            owner = country_ends.get(before)
        owners.append(owner)
    first_owner: dict[str, str] = {}
    for span, owner in zip(spans, owners, strict=True):
        if owner is not None:
            first_owner.setdefault(span.text, owner)
    return [owner or first_owner.get(span.text) for span, owner in zip(spans, owners, strict=True)]


def supported(
    entry: GazetteerEntry,
    surface: str,
    text: str,
    countries: Counter[str],
    local: Counter[str],
    regions: Counter[str] | None = None,
) -> bool:
    """Whether the article supports linking ``surface`` to ``entry`` (see the module docstring).

    ``countries`` counts the countries the article names (with their public
    bodies); ``local`` the countries of the cities and regions it names,
    ``regions`` of the regions alone.

    >>> afp = GazetteerEntry("afp", "MediaOrganization", "Agence France-Presse", ("AFP",),
    ...                      country="france")
    >>> supported(afp, "AFP", "The AFP said ...", Counter({"australia": 2}), Counter())
    False
    >>> supported(afp, "AFP", "... in Paris, France", Counter({"france": 1}), Counter())
    True
    >>> town = GazetteerEntry("newcastle", "City", "Newcastle upon Tyne", ("Newcastle",),
    ...                       country="united-kingdom")
    >>> local = Counter({"australia": 3, "united-kingdom": 2})
    >>> supported(town, "Newcastle", "...", Counter(), local, Counter({"australia": 1}))
    False
    >>> supported(town, "Newcastle", "...", Counter(), local, Counter())
    True
    """
    if not entry.country:
        return True
    regions = regions if regions is not None else Counter()
    if ACRONYM.fullmatch(surface) and surface != entry.label:
        return entry.label in text or countries[entry.country] > 0
    if entry.cls in _LOCAL_PLACES:
        # Cities do not vouch for each other (two English cities are named in
        # New South Wales too); a region or the country itself does.
        own = regions[entry.country] - (entry.cls == "Region")
        elsewhere = [c for c in local if c != entry.country and regions[c] > 0 and local[c] >= 2]
        return own > 0 or countries[entry.country] > 0 or not elsewhere
    return True


def country_counts(spans: Sequence[Span], gazetteer: Gazetteer) -> Counter[str]:
    """How often the article speaks of each country: by name, demonym, or a public body of it."""
    counts: Counter[str] = Counter()
    for entry in _linked_entries(spans, gazetteer):
        if entry.cls == "Country":
            counts[entry.key] += 1
        elif entry.cls in {"GovernmentAgency", "Court"} and entry.country:
            counts[entry.country] += 1
    return counts


def _local_countries(
    spans: Sequence[Span], gazetteer: Gazetteer, classes: frozenset[str] = _LOCAL_PLACES
) -> Counter[str]:
    """The countries of the places of ``classes`` the article names (each place once)."""
    seen = {entry.key: entry for entry in _linked_entries(spans, gazetteer)}
    return Counter(e.country for e in seen.values() if e.cls in classes and e.country)


def _linked_entries(spans: Sequence[Span], gazetteer: Gazetteer) -> list[GazetteerEntry]:
    found = []
    for span in spans:
        if span.kb_id_ and "|" not in span.kb_id_:
            entry = gazetteer.entries.get(span.kb_id_)
            if entry is not None:
                found.append(entry)
    return found


def choose_key(
    kb_id: str,
    present: set[str],
    countries: Counter[str],
    gazetteer: Gazetteer,
    *,
    owner: str | None = None,
) -> str | None:
    """Pick among bodies sharing a name ("Ministry of Defense").

    The body of the country that owns the name in the text wins; else a body
    the article also names unambiguously ("the Pentagon"); else the one of
    the country the article talks about most; a tie links nothing.
    """
    keys = kb_id.split("|")
    if len(keys) == 1:
        return keys[0]
    owned = [k for k in keys if k in gazetteer.entries and gazetteer.entries[k].country == owner]
    if owner and len(owned) == 1:
        return owned[0]
    named = [k for k in keys if k in present]
    if len(named) == 1:
        return named[0]
    scored = sorted(
        (
            (countries.get(gazetteer.entries[k].country or "", 0), k)
            for k in keys
            if k in gazetteer.entries
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


__all__ = [
    "ACRONYM",
    "choose_key",
    "country_counts",
    "link_keys",
    "owner_countries",
    "supported",
]
