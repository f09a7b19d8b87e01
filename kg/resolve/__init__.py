"""Entity resolution: every way a thing is named becomes one node.

A small global step after extraction. Mentions linked to the gazetteer are
grouped by their gazetteer key; the others by their normalised name (legal
suffixes such as "Corp" dropped). Within an article, a lone "Xiang" or
"Wang" joins the person "Wang Xiang", and an acronym joins the name it
abbreviates ("Federal Communications Commission (FCC)"). Each group gets the
class most of its mentions vote for (the gazetteer's when linked), its
fullest proper name as label, the other names that name it alone as aliases (not a
surname, not a generic word: :func:`kg.resolve.names.names_alone`), and an id derived
from class and label, so builds are deterministic and shards merge. A place
the gazetteer knows brings the places it lies in, up to its country
(Shenzhen: Guangdong, China), as entities of the build whether named or not,
and its entity lists the ones it directly lies in (``Entity.located_in``).

>>> from kg.types import Article, Extraction, Mention
>>> text = "Acme Corp hired Jo Bloggs. Bloggs joined Acme in May."
>>> mentions = (Mention(0, 9, "Acme Corp", "Company"), Mention(16, 25, "Jo Bloggs", "Person"),
...             Mention(27, 33, "Bloggs", "Person"), Mention(41, 45, "Acme", "Organization"))
>>> ex = Extraction(Article("d1", text), mentions, ())
>>> entities, resolved = resolve([ex])
>>> for e in entities:
...     print(e.id, e.label, e.cls, e.aliases)
organization/acme-corp Acme Corp Company ('Acme',)
person/jo-bloggs Jo Bloggs Person ()
>>> resolved[0].entity_ids
('organization/acme-corp', 'person/jo-bloggs', 'person/jo-bloggs', 'organization/acme-corp')
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

from kg.gazetteer import Gazetteer, GazetteerEntry, load_gazetteer
from kg.ontology import load_lexicon, normalize_name
from kg.resolve.names import (
    LEGAL_SUFFIXES,
    acronym,
    clean_name,
    mention_name,
    mention_role,
    name_key,
    names_alone,
    slug,
    usable,
)
from kg.types import (
    COARSE_CLASSES,
    LEGAL_FORMS,
    Entity,
    Extraction,
    Mention,
    Resolved,
    coarse_class,
)

#: The same without full stops ("l.p." -> "l.p"), to compare a word stripped of its final one.
_BARE_LEGAL_FORMS = frozenset(w.rstrip(".") for w in LEGAL_FORMS)
_BARE_LEGAL_SUFFIXES = frozenset(w.rstrip(".") for w in LEGAL_SUFFIXES)
#: Last words of bodies named after what they look into ("HIH Royal Commission", "Senate
#: Foreign Relations Committee"): the thing it is named after is not a short form of it.
_INQUIRY_HEADS = frozenset(
    {"commission", "inquiry", "committee", "tribunal", "taskforce", "investigation", "review"}
)


def resolve(
    extractions: Sequence[Extraction], *, gazetteer: Gazetteer | None = None
) -> tuple[list[Entity], list[Resolved]]:
    """Group the mentions of all ``extractions`` into entities.

    Returns the entities (sorted by id) and, for each extraction, the entity id
    of each of its mentions (``None`` for mentions that name nothing). Ids
    are minted afresh (:func:`resolve_minted` keeps those of a build).
    """
    entities, resolved, _ = resolve_minted(extractions, gazetteer=gazetteer)
    return entities, resolved


def resolve_minted(
    extractions: Sequence[Extraction],
    *,
    gazetteer: Gazetteer | None = None,
    minted: Mapping[str, str] | None = None,
    known_keys: Sequence[Sequence[str | None]] | None = None,
) -> tuple[list[Entity], list[Resolved], dict[str, str]]:
    """:func:`resolve`, keeping the entity ids a build already gave.

    ``minted`` maps each id a build folder ever gave to the key of the entity
    it named (see :func:`mint_ids`). Returns the entities, the resolved
    extractions and the registry with this resolution's ids added: with it,
    an id never moves to another entity as articles come and go. With no
    ``minted`` the ids are those of a fresh build. ``known_keys``, when
    given, are the :func:`article_keys` of each extraction, kept from an earlier build.

    >>> from kg.types import Article, Extraction, Mention
    >>> def article(doc, name):
    ...     return Extraction(Article(doc, f"{name} grew."), (Mention(0, 9, name, "Company"),), ())
    >>> a, b = article("a", "Müller AG"), article("b", "Muller AG")
    >>> [e.id for e in resolve_minted([a])[0]]
    ['organization/muller-ag']
    >>> minted = resolve_minted([a])[2]
    >>> [(e.id, e.label) for e in resolve_minted([a, b], minted=minted)[0]]
    [('organization/muller-ag', 'Müller AG'), ('organization/muller-ag-2', 'Muller AG')]
    """
    gazetteer = gazetteer or load_gazetteer()
    groups, mention_group, related = _grouped(extractions, gazetteer, known_keys)
    joined = _join_surnames(groups, gazetteer)
    for key in [k for k, members in groups.items() if _only_demonyms(members)]:
        if key not in related:
            # "Swiss" alone names no entity: the country is not a node of the build, unless
            # a relation ends there ("the Swiss bank UBS": UBS basedIn Switzerland)
            del groups[key]
    for key in _containers(groups, gazetteer):
        groups.setdefault(key, [])  # where a named place lies is a node, named or not
    made = {key: _make_entity(key, groups[key], gazetteer) for key in sorted(groups)}
    ids = mint_ids({key: entity.id for key, entity in made.items()}, minted or {})
    entities = [
        replace(made[key], id=entity_id, located_in=_located_in(key, ids, gazetteer))
        for key, entity_id in ids.items()
    ]
    resolved = [
        _resolved(extraction, keys, ids, joined)
        for extraction, keys in zip(extractions, mention_group, strict=True)
    ]
    registry = {**(minted or {}), **{entity_id: key for key, entity_id in ids.items()}}
    return sorted(entities, key=lambda e: e.id), resolved, dict(sorted(registry.items()))


def _grouped(
    extractions: Sequence[Extraction],
    gazetteer: Gazetteer,
    known_keys: Sequence[Sequence[str | None]] | None,
) -> tuple[dict[str, list[tuple[str, Mention]]], list[list[str | None]], set[str]]:
    """The mentions of the build by resolution key (with their article's id), each
    extraction's keys of its mentions, and the keys a relation ends at."""
    groups: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    mention_group: list[list[str | None]] = []
    related: set[str] = set()
    for i, extraction in enumerate(extractions):
        keys = list(known_keys[i]) if known_keys else _group_keys(extraction, gazetteer)
        mention_group.append(keys)
        for mention, key in zip(extraction.mentions, keys, strict=True):
            if key is not None:
                groups[key].append((extraction.article.id, mention))
        related.update(
            key
            for r in extraction.relations
            for key in (keys[r.head], keys[r.tail])
            if key is not None
        )
    return groups, mention_group, related


def _resolved(
    extraction: Extraction,
    keys: Sequence[str | None],
    ids: Mapping[str, str],
    joined: Mapping[str, str],
) -> Resolved:
    """An extraction with the entity id of each mention (a coreference mention takes its
    antecedent's)."""
    entity_ids: list[str | None] = [ids.get(joined.get(k, k)) if k else None for k in keys]
    for i, mention in enumerate(extraction.mentions):
        if mention.antecedent is not None:
            entity_ids[i] = entity_ids[mention.antecedent]
    return Resolved(extraction, tuple(entity_ids))


def article_keys(extraction: Extraction, *, gazetteer: Gazetteer | None = None) -> list[str | None]:
    """The group key of each mention of one article (``None``: not a name), as
    :func:`resolve_minted` groups them: they depend on the article alone, so a build keeps them.

    >>> from kg.types import Article, Extraction, Mention
    >>> mention = Mention(0, 9, "Acme Corp", "Company")
    >>> ex = Extraction(Article("d1", "Acme Corp grew."), (mention,), ())
    >>> article_keys(ex)
    ['name:acme']
    """
    return _group_keys(extraction, gazetteer or load_gazetteer())


def mint_ids(wanted: Mapping[str, str], minted: Mapping[str, str]) -> dict[str, str]:
    """Give each entity key an id: the one ``wanted`` (class and slug of its label), or, when
    another entity has it, the next free ``-2``, ``-3``... suffix.

    ``minted`` (id -> key, every id given before) binds: a key keeps the id it
    was given for the same wanted id, and an id given to one key is never
    given to another, even when that entity is gone. Without ``minted`` the
    keys are served in sorted order, so a fresh build is deterministic.

    >>> mint_ids({"name:muller": "org/muller", "name:müller": "org/muller"}, {})
    {'name:muller': 'org/muller', 'name:müller': 'org/muller-2'}
    >>> mint_ids({"name:muller": "org/muller", "name:müller": "org/muller"},
    ...          {"org/muller": "name:müller"})
    {'name:muller': 'org/muller-2', 'name:müller': 'org/muller'}
    >>> mint_ids({"name:muller": "org/muller"}, {"org/muller": "name:müller"})
    {'name:muller': 'org/muller-2'}
    """
    owned: dict[str, list[str]] = defaultdict(list)
    for entity_id, key in minted.items():
        owned[key].append(entity_id)
    ids: dict[str, str] = {}
    for key in sorted(wanted):  # first, the ids kept from earlier builds
        mine = sorted(i for i in owned.get(key, ()) if _suffixed(i, wanted[key]))
        if mine:
            ids[key] = min(mine, key=len)
    used = set(ids.values())
    for key in sorted(wanted):
        if key in ids:
            continue
        entity_id, n = wanted[key], 2
        while entity_id in used or minted.get(entity_id, key) != key:
            entity_id, n = f"{wanted[key]}-{n}", n + 1
        ids[key] = entity_id
        used.add(entity_id)
    return dict(sorted(ids.items()))


def _suffixed(entity_id: str, wanted: str) -> bool:
    """Whether an id is ``wanted`` or ``wanted`` with a numeric suffix ("-2")."""
    suffix = entity_id.removeprefix(wanted)
    return suffix == "" or (suffix != entity_id and suffix[:1] == "-" and suffix[1:].isdigit())


def _containers(groups: Mapping[str, object], gazetteer: Gazetteer) -> list[str]:
    """The group keys of the places the gazetteer places of ``groups`` lie in, up to the
    country (Shenzhen: Guangdong and China), that ``groups`` lacks."""
    keys = {
        f"gaz:{container}"
        for key in groups
        if key.startswith("gaz:")
        for container in gazetteer.containers(key[4:])
    }
    return sorted(keys - set(groups))


def _located_in(key: str, ids: Mapping[str, str], gazetteer: Gazetteer) -> tuple[str, ...]:
    """The entity ids of the places the gazetteer entry of group ``key`` directly lies in."""
    entry = gazetteer.entries.get(key[4:]) if key.startswith("gaz:") else None
    if entry is None:
        return ()
    return tuple(sorted(ids[f"gaz:{k}"] for k in entry.located_in if f"gaz:{k}" in ids))


def _join_surnames(
    groups: dict[str, list[tuple[str, Mention]]], gazetteer: Gazetteer
) -> dict[str, str]:
    """Across articles, a person named only by a surname ("Howard", "Mr Howard") joins the
    one person of the build whose full name ends in it ("John Howard").

    Moves the members in ``groups`` and returns the moved keys -> the key they joined.
    Two full names ending in the surname ("George Bush", "Jeb Bush") join nothing.
    """
    full: dict[str, set[str]] = defaultdict(set)
    for key, members in groups.items():
        words = _group_name(key, gazetteer).split()
        if len(words) > 1 and _mostly_people(members):
            full[words[-1]].add(key)
    joined: dict[str, str] = {}
    for key in sorted(groups):
        words = key.removeprefix("name:").split()
        if not key.startswith("name:") or len(words) != 1 or not _mostly_people(groups[key]):
            continue
        targets = full.get(words[0], set())
        if len(targets) == 1:
            target = next(iter(targets))
            groups[target].extend(groups.pop(key))
            joined[key] = target
    return joined


def _group_name(key: str, gazetteer: Gazetteer) -> str:
    """The normalised name a group key stands for (a gazetteer entry's label)."""
    if key.startswith("gaz:"):
        entry = gazetteer.entries.get(key[4:])
        return normalize_name(entry.label) if entry is not None and entry.cls == "Person" else ""
    return key.removeprefix("name:")


def _only_demonyms(members: Sequence[tuple[str, Mention]]) -> bool:
    return all(m.source == "demonym" for _, m in members)


def _mostly_people(members: Sequence[tuple[str, Mention]]) -> bool:
    people = sum(1 for _, m in members if m.coarse == "Person")
    return people * 2 > len(members)


def _group_keys(extraction: Extraction, gazetteer: Gazetteer) -> list[str | None]:
    """The group key of each mention of one article (``None``: not a name)."""
    mentions = extraction.mentions
    keys: list[str | None] = []
    for mention in mentions:
        if not usable(mention):
            keys.append(None)
        elif mention.key:
            keys.append(f"gaz:{mention.key}")
        else:
            name = f"name:{name_key(mention_name(mention))}"
            keys.append(
                _government_of(mention, gazetteer) or _known_name(mention, gazetteer) or name
            )
    # Within one article, short names join the full name they abbreviate.
    full_people: dict[str, set[str]] = defaultdict(set)
    tails: dict[str, set[str]] = defaultdict(set)
    acronyms: dict[str, set[str]] = defaultdict(set)
    organization_tails: dict[str, set[str]] = defaultdict(set)
    for mention, key in zip(mentions, keys, strict=True):
        if key is None:
            continue
        text = mention_name(mention)
        words = text.split()
        if coarse_class(mention.label) == "Person" and len(words) > 1 and not _has_legal_form(text):
            for part in words:
                full_people[part].add(key)
            for k in range(1, len(words) - 1):  # "Bin Laden" of "Osama bin Laden"
                tails[" ".join(words[k:]).casefold()].add(key)
        if coarse_class(mention.label) == "Organization":
            for initials in {acronym(text), acronym(_without_legal_form(text))} - {""}:
                acronyms[initials].add(key)
            for k in range(1, len(words)):  # "Chronicle", "Farm Bureau" of "Houston Chronicle"
                organization_tails[" ".join(words[k:]).casefold()].add(key)
    heads = _organization_heads(mentions, keys)
    defined = _defined_aliases(extraction, keys)
    for i, (mention, key) in enumerate(zip(mentions, keys, strict=True)):
        if key is None or mention.key:
            continue
        text = mention_name(mention)
        single = len(text.split()) == 1
        joins = full_people.get(text, ()) if single else tails.get(text.casefold(), ())
        if len(joins) == 1 and mention.label in {"Person", "Organization"}:
            keys[i] = next(iter(joins))
        elif text.isupper() and len(acronyms.get(text, ())) == 1:
            keys[i] = next(iter(acronyms[text]))
        elif text in defined and mention.coarse == "Organization":
            keys[i] = defined[text]  # "Comision Nacional de Valores (CONASEV)": any initials
        elif (head := _short_form_of(mention, text, heads)) is not None:
            keys[i] = head
        elif (whole := _ending_of(mention, text, organization_tails, key)) is not None:
            keys[i] = whole
    return keys


#: An all-capital short name in brackets right after a name: "(CONASEV)", "(S&P)".
_BRACKETED = re.compile(r"\s*\(([A-Z][A-Z&.-]{1,7})\)")


def _defined_aliases(extraction: Extraction, keys: Sequence[str | None]) -> dict[str, str]:
    """The short names the article defines in brackets after an organization's name ("the
    Comision Nacional de Valores (CONASEV)"), whatever their initials, with its key; a
    short name defined for two organizations is dropped."""
    text = extraction.article.text
    found: dict[str, set[str]] = defaultdict(set)
    for mention, key in zip(extraction.mentions, keys, strict=True):
        if key is None or mention.coarse != "Organization" or mention.text.isupper():
            continue
        match = _BRACKETED.match(text, mention.end)
        if match:
            found[match.group(1)].add(key)
    return {alias: next(iter(k)) for alias, k in found.items() if len(k) == 1}


def _ending_of(mention: Mention, text: str, tails: Mapping[str, set[str]], key: str) -> str | None:
    """The key of the one organization of the article whose name ends in ``text`` ("Budget
    Committee" of "House Budget Committee"). One word only for a newspaper ("the Chronicle"
    of "Houston Chronicle"): "the Exchange" or "the Bank" is a description, not a name."""
    if coarse_class(mention.label) != "Organization" or mention.source == "demonym":
        return None
    if " " not in text and load_lexicon().name_words.get(text) != "MediaOrganization":
        return None
    found = tails.get(text.casefold(), set()) - {key}
    return next(iter(found)) if len(found) == 1 else None


def _without_legal_form(text: str) -> str:
    """A name without its trailing legal forms ("Allegheny International Inc." -> "Allegheny
    International")."""
    words = text.split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _BARE_LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def _has_legal_form(text: str) -> bool:
    words = clean_name(text).split()
    return len(words) > 1 and words[-1].lower().rstrip(".") in _BARE_LEGAL_FORMS


def _organization_heads(
    mentions: Sequence[Mention], keys: Sequence[str | None]
) -> dict[str, tuple[int, set[str]]]:
    """The leading words of each organization's name in one article (all of a name with
    a legal form) -> the length in words of the shortest such name, and the keys of the
    names that long."""
    heads: dict[str, tuple[int, set[str]]] = {}
    for mention, key in zip(mentions, keys, strict=True):
        if key is None or coarse_class(mention.label) != "Organization":
            continue
        name = mention_name(mention)
        words = _without_legal_form(name).split()
        if words[-1].casefold() in _INQUIRY_HEADS:
            continue  # "HIH" is the insurer, not the HIH Royal Commission
        # "Ferruzzi SpA" is named "Ferruzzi" in full; "Champlin" alone is only a short form
        for n in range(1, len(words) + (name != " ".join(words))):
            prefix = " ".join(words[:n]).casefold()
            length, found = heads.get(prefix, (len(words), set()))
            if len(words) < length:
                length, found = len(words), set()
            if len(words) == length:
                found.add(key)
            heads[prefix] = (length, found)
    return heads


def _short_form_of(
    mention: Mention, text: str, heads: dict[str, tuple[int, set[str]]]
) -> str | None:
    """The key of the organization whose name ``text`` begins, when the article names one
    such organization most briefly ("Champlin" of "Champlin Petroleum Co"; "Shearson
    Lehman" of "Shearson Lehman Brothers Inc"); ``None`` otherwise.

    A person's name with a title or form of address ("Mr Harris") is a person's, not a
    short form; a demonym or a name the gazetteer placed never joins.
    """
    if mention.source == "demonym" or coarse_class(mention.label) not in {"Organization", "Person"}:
        return None
    if coarse_class(mention.label) == "Person" and text != clean_name(mention.text):
        return None
    if _has_legal_form(text):
        return None  # "Permian Corp" is a name of its own, not a short "Permian Partners"
    _, found = heads.get(_without_legal_form(text).casefold(), (0, set()))
    return next(iter(found)) if len(found) == 1 else None


def _known_name(mention: Mention, gazetteer: Gazetteer) -> str | None:
    """A gazetteer key for a name the recognizer did not link (a variant spelling).

    Not for a name whose link the article did not support (source "local").
    """
    if mention.source == "local":
        return None
    name = mention_name(mention)
    found = _entries_named(name, mention, gazetteer)
    if not found and mention.coarse == "Organization" and _has_legal_form(name):
        # "Merrill Lynch and Co Inc" is the gazetteer's company "Merrill Lynch"; "British and
        # Commonwealth Holdings" cut to "Commonwealth Holdings" is not the Commonwealth
        named = _entries_named(name_key(name), mention, gazetteer)
        found = [e for e in named if e.cls == "Company"]
    return f"gaz:{found[0].key}" if len(found) == 1 else None


def _entries_named(name: str, mention: Mention, gazetteer: Gazetteer) -> list[GazetteerEntry]:
    """The gazetteer's entries named ``name`` that may be what ``mention`` names, if they
    are of its coarse class (all of them, so that an ambiguous name is seen as one)."""
    entries = [e for e in gazetteer.lookup(name) if e.cls != "Person" or mention.coarse == "Person"]
    return entries if all(coarse_class(e.cls) == mention.coarse for e in entries) else []


#: Last words that make a country's name or nationality the name of its government.
_GOVERNMENT_WORDS = frozenset({"government", "administration"})


def _government_of(mention: Mention, gazetteer: Gazetteer) -> str | None:
    """The group key of a country's government named by the country ("the British
    government", "U.K. Government", "United States Government"): one node per country
    across articles, whichever way it is written. A government named by a person
    ("the Howard Government") or by no country ("the Government") is not."""
    words = mention_name(mention).split()
    if mention.coarse != "Organization" or len(words) < 2:
        return None
    if words[-1].casefold() not in _GOVERNMENT_WORDS:
        return None
    countries = [e for e in gazetteer.lookup(" ".join(words[:-1])) if e.cls == "Country"]
    return f"government:{countries[0].key}" if len(countries) == 1 else None


def _vote_class(mentions: Sequence[Mention]) -> str:
    """The class most mentions say; a tie goes to the class of the fullest name.

    A name with a legal form ("Montedison SpA") is an organization's, whatever the
    recognizer said of its short forms.
    """
    if any(_has_legal_form(m.text) for m in mentions):
        mentions = [m for m in mentions if m.coarse == "Organization"] or mentions
    labels = [m.label for m in mentions]
    coarse = Counter(coarse_class(label) for label in labels)
    fullest = max(mentions, key=lambda m: (len(m.text.split()), len(m.text)))
    order = list(COARSE_CLASSES)
    best = sorted(
        coarse.items(),
        key=lambda kv: (
            -kv[1],
            kv[0] != fullest.coarse,
            order.index(kv[0]) if kv[0] in order else 99,
        ),
    )[0][0]
    fine = Counter(label for label in labels if coarse_class(label) == best and label != best)
    if fine:
        return sorted(fine.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return best


def _make_entity(key: str, members: list[tuple[str, Mention]], gazetteer: Gazetteer) -> Entity:
    mentions = [m for _, m in members]
    # A nationality word ("Chinese") refers to a country but is not one of its names.
    names = sorted({mention_name(m) for m in mentions if m.source != "demonym"})
    entry = gazetteer.entries.get(key[4:]) if key.startswith("gaz:") else None
    if entry is not None:
        label, cls, wikidata = entry.label, entry.cls, entry.wikidata
    else:
        cls = "GovernmentAgency" if key.startswith("government:") else _vote_class(mentions)
        wikidata = None
        proper = [n for n in names if not n.isupper()] or names
        label = sorted(proper, key=lambda n: (-len(n.split()), -len(n), n))[0]
    aliases = tuple(n for n in names if n != label and names_alone(n, label, cls))
    docs = tuple(sorted({doc for doc, _ in members}))
    roles = tuple(sorted({role for m in mentions if (role := mention_role(m))}))
    return Entity(
        id=f"{coarse_class(cls).lower()}/{slug(label)}",
        label=label,
        cls=cls,
        aliases=aliases,
        wikidata=wikidata,
        docs=docs,
        roles=roles,
    )
