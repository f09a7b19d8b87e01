"""Gazetteer links checked against the article: a known name links only with support.

The entity recognizer proposes gazetteer keys for every known name it
matches. A short or common name can denote several things: "AFP" is the
French news agency and the Australian Federal Police, "Newcastle" a city in
England and one in New South Wales. :func:`link_keys` keeps a link only when
the article supports it:

* among bodies sharing a name ("Ministry of Defense"), the one the article
  also names unambiguously, or the one of the country it talks about most;
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

from kg.ontology import Gazetteer, GazetteerEntry

#: An acronym: two to five capitals (and "&"), as "AFP", "ICO", "AT&T".
ACRONYM = re.compile(r"[A-Z&]{2,5}")
_LOCAL_PLACES = frozenset({"City", "Region"})


def link_keys(spans: Sequence[Span], text: str, gazetteer: Gazetteer) -> list[str | None]:
    """The gazetteer key each entity span keeps (``None``: not linked), given the article."""
    present = {span.kb_id_ for span in spans if span.kb_id_ and "|" not in span.kb_id_}
    countries = country_counts(spans, gazetteer)
    local = _local_countries(spans, gazetteer)
    regions = _local_countries(spans, gazetteer, classes=frozenset({"Region"}))
    keys: list[str | None] = []
    for span in spans:
        key = choose_key(span.kb_id_, present, countries, gazetteer) if span.kb_id_ else None
        entry = gazetteer.entries.get(key) if key else None
        if entry is not None and not supported(entry, span.text, text, countries, local, regions):
            key = None
        keys.append(key)
    return keys


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
    kb_id: str, present: set[str], countries: Counter[str], gazetteer: Gazetteer
) -> str | None:
    """Pick among bodies sharing a name ("Ministry of Defense").

    A body the article also names unambiguously ("the Pentagon") wins; else
    the one of the country the article talks about most; a tie links nothing.
    """
    keys = kb_id.split("|")
    if len(keys) == 1:
        return keys[0]
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


__all__ = ["ACRONYM", "choose_key", "country_counts", "link_keys", "supported"]
