"""kg.resolve: names, keys, and one entity per real-world thing across documents."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.gazetteer import Gazetteer, GazetteerEntry
from kg.resolve import resolve
from kg.resolve.names import acronym, clean_name, name_key, slug, usable
from kg.types import Article, Entity, Extraction, Mention

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODEPOINT_SLUG = re.compile(r"^x(?:-[0-9a-f]+)+$")

GAZ = Gazetteer.from_entries(
    [
        GazetteerEntry(
            "acme", "Company", "Acme Corporation", ("Acme", "Acme Corp"), wikidata="Q999001"
        ),
        GazetteerEntry(
            "ruritania", "Country", "Ruritania", demonyms=("Ruritanian",), wikidata="Q999002"
        ),
        GazetteerEntry("zenda", "City", "Zenda", country="ruritania"),
    ]
)


def ex(doc_id: str, text: str, *names: tuple[str, str] | tuple[str, str, str | None]) -> Extraction:
    """An extraction of ``text`` whose mentions are the given names, found left to right."""
    mentions = []
    cursor = 0
    for item in names:
        name, label = item[0], item[1]
        key = item[2] if len(item) > 2 else None
        start = text.index(name, cursor)
        mentions.append(Mention(start, start + len(name), name, label, key=key))
        cursor = start + len(name)
    return Extraction(Article(doc_id, text), tuple(mentions), ())


def by_label(entities: list[Entity]) -> dict[str, Entity]:
    return {e.label: e for e in entities}


# ----------------------------------------------------------------------------------------- slug


@pytest.mark.parametrize(
    "text,expected",
    [
        ("AT&T Inc.", "at-and-t-inc"),
        ("Lei Jun", "lei-jun"),
        ("Presse-Citron", "presse-citron"),
        ("Nestlé", "nestle"),
        ("  Mi 11   Ultra ", "mi-11-ultra"),
        ("İstanbul", "istanbul"),
        ("東京", "x-6771-4eac"),
        ("🍋", "x-1f34b"),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@given(st.text(min_size=1, max_size=120).filter(lambda s: s.strip()))
def test_slug_is_iri_safe_never_empty_and_deterministic(text: str) -> None:
    value = slug(text)
    assert value
    assert SLUG.match(value.strip("-")) or CODEPOINT_SLUG.match(value.rstrip("-")), value
    assert re.fullmatch(r"[a-z0-9-]+", value), value
    assert slug(text) == value


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=10
    )
)
def test_slugs_of_different_names_in_other_scripts_differ(text: str) -> None:
    assert slug(text) != slug(text + "一")


def test_slug_is_bounded() -> None:
    assert len(slug("word " * 100)) <= 80


# ---------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text,expected",
    [
        ("the Pentagon’s", "Pentagon"),
        ("The Pentagon's", "Pentagon"),
        ("“Chinese Communist Military Society”", "Chinese Communist Military Society"),
        ("(SEC)", "SEC"),
        ("Reuters'", "Reuters"),
        ("Acme Inc.", "Acme Inc."),  # an abbreviation keeps its full stop
        ("Martin Luther King Jr.", "Martin Luther King Jr."),
        ("U.S.", "U.S."),
        ("Kosovo.", "Kosovo"),  # a sentence's full stop does not
        ("Co.", "Co."),
        ("...", ""),
        ("  Lei   Jun ", "Lei Jun"),
    ],
)
def test_clean_name(text: str, expected: str) -> None:
    assert clean_name(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Xiaomi Corp.", "xiaomi"),
        ("the Xiaomi", "xiaomi"),
        ("XIAOMI", "xiaomi"),
        ("Acme Holdings Ltd", "acme"),  # several legal suffixes
        ("Deutsche Bank AG", "deutsche bank"),
        ("Group", "group"),  # a suffix alone is the name
        ("Lei Jun", "lei jun"),
        ("Dun & Bradstreet", "dun and bradstreet"),  # "&" is "and"
        ("Dillon, Read and Co Inc", "dillon read"),  # a comma between words
        ("Chase Manhattan Bank N.A.", "chase manhattan bank na"),  # dotted initials
        ("Chase Manhattan Bank NA", "chase manhattan bank na"),
        ("AT&T", "at&t"),  # only a "&" of its own is a word
        ("al-Qaeda", "al qaeda"),  # a hyphen between letters is a space
        ("Al Qaeda", "al qaeda"),
        ("F-16", "f-16"),
    ],
)
def test_name_key(text: str, expected: str) -> None:
    assert name_key(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Federal Communications Commission", "FCC"),
        ("Securities and Exchange Commission", "SEC"),
        ("Department of Defense", "DD"),
        ("Bank-of-America", "BA"),
        ("Acme", ""),  # one word has no acronym
        ("", ""),
    ],
)
def test_acronym(text: str, expected: str) -> None:
    assert acronym(text) == expected


@pytest.mark.parametrize(
    "mention,expected",
    [
        (Mention(0, 5, "Apple", "Company"), True),
        (Mention(0, 2, "it", "Organization"), False),
        (Mention(0, 3, "Its", "Organization"), False),
        (Mention(0, 11, "the company", "Company"), False),  # a description, not a name
        (Mention(0, 11, "The Company", "Company", source="coref", antecedent=0), False),
        (Mention(0, 1, "X", "Company"), False),  # too short
        (Mention(0, 4, "2021", "Organization"), False),  # no letter
        (Mention(0, 2, "北京", "City"), True),  # other scripts have no case
        (Mention(0, 6, "iphone", "Product", key="iphone"), True),  # linked: trusted
        (Mention(0, 60, " ".join(["Word"] * 11), "Organization"), False),  # a sentence, not a name
    ],
)
def test_usable(mention: Mention, expected: bool) -> None:
    assert usable(mention) is expected


# -------------------------------------------------------------------------------------- resolve


def test_gazetteer_linked_mentions_merge_across_documents() -> None:
    a = ex("d1", "Acme grew.", ("Acme", "Company", "acme"))
    b = ex("d2", "Shares of Acme Corp fell.", ("Acme Corp", "Organization", "acme"))
    entities, resolved = resolve([a, b], gazetteer=GAZ)
    [acme] = entities
    assert acme.label == "Acme Corporation"  # the gazetteer's canonical label
    assert acme.cls == "Company"
    assert acme.wikidata == "Q999001"
    assert acme.docs == ("d1", "d2")
    assert set(acme.aliases) == {"Acme", "Acme Corp"}
    assert resolved[0].entity_ids == resolved[1].entity_ids == (acme.id,)


def test_an_unlinked_mention_of_a_known_name_joins_the_gazetteer_entity() -> None:
    a = ex("d1", "Acme Corp grew.", ("Acme Corp", "Organization"))
    [acme], _ = resolve([a], gazetteer=GAZ)
    assert (acme.label, acme.cls, acme.wikidata) == ("Acme Corporation", "Company", "Q999001")


def test_a_company_name_with_a_legal_form_joins_the_gazetteer_company_it_names() -> None:
    a = ex("d1", "Acme Corporation and Co Inc grew.", ("Acme Corporation and Co Inc", "Company"))
    [acme], _ = resolve([a], gazetteer=GAZ)
    assert (acme.label, acme.wikidata) == ("Acme Corporation", "Q999001")


def test_a_legal_form_does_not_make_a_name_a_known_place_or_body() -> None:
    a = ex("d1", "Zenda Holdings grew.", ("Zenda Holdings", "Company"))
    [zenda], _ = resolve([a], gazetteer=GAZ)
    assert (zenda.label, zenda.cls, zenda.wikidata) == ("Zenda Holdings", "Company", None)


def test_a_known_name_of_another_coarse_class_does_not_join() -> None:
    a = ex(
        "d1",
        "Zenda Smith spoke, and then Zenda answered.",
        ("Zenda Smith", "Person"),
        ("Zenda", "Person"),
    )
    entities, _ = resolve([a], gazetteer=GAZ)
    assert all(e.cls == "Person" for e in entities)
    assert not any(e.wikidata for e in entities)


def test_unlinked_names_meet_on_their_name_key_across_documents() -> None:
    a = ex("d1", "Globex Corporation grew.", ("Globex Corporation", "Company"))
    b = ex("d2", "The Globex said no.", ("Globex", "Organization"))
    [globex], resolved = resolve([a, b], gazetteer=GAZ)
    assert globex.label == "Globex Corporation"  # the fullest name
    assert globex.aliases == ("Globex",)
    assert globex.docs == ("d1", "d2")
    assert resolved[1].entity_ids == (globex.id,)


def test_a_countrys_government_is_one_node_whichever_way_the_country_is_written() -> None:
    a = ex("d1", "The Ruritanian government agreed.", ("Ruritanian government", "Organization"))
    b = ex("d2", "Ruritania Government said no.", ("Ruritania Government", "GovernmentAgency"))
    c = ex("d3", "The Elphberg Government fell.", ("Elphberg Government", "Organization"))
    entities, _ = resolve([a, b, c], gazetteer=GAZ)
    by_label = {e.label: e for e in entities}
    government = by_label["Ruritanian government"]  # the fullest name
    assert government.cls == "GovernmentAgency"
    assert government.aliases == ("Ruritania Government",)
    assert "Elphberg Government" in by_label  # a government named by a person stays apart
    assert not any(e.cls == "Country" for e in entities)  # not the country itself


def test_class_voting_picks_the_most_frequent_fine_class() -> None:
    docs = [
        ex("d1", "Initech rose.", ("Initech", "Organization")),
        ex("d2", "Initech fell.", ("Initech", "Company")),
        ex("d3", "Initech held.", ("Initech", "Company")),
        ex("d4", "Initech sold.", ("Initech", "ResearchFirm")),
    ]
    [initech], _ = resolve(docs, gazetteer=GAZ)
    assert initech.cls == "Company"
    assert initech.id == "organization/initech"


def test_class_voting_picks_the_majority_coarse_class() -> None:
    docs = [
        ex("d1", "Vandelay spoke.", ("Vandelay", "Person")),
        ex("d2", "Vandelay said so.", ("Vandelay", "Person")),
        ex("d3", "Vandelay rose.", ("Vandelay", "Organization")),
    ]
    [vandelay], _ = resolve(docs, gazetteer=GAZ)
    assert vandelay.cls == "Person"
    assert vandelay.id == "person/vandelay"


def test_the_label_is_the_fullest_proper_name_not_an_acronym() -> None:
    text = "The Zenith Telecommunications Authority (ZTA) fined Acme. The ZTA said so."
    a = ex(
        "d1",
        text,
        ("Zenith Telecommunications Authority", "GovernmentAgency"),
        ("ZTA", "Organization"),
        ("Acme", "Company", "acme"),
        ("ZTA", "Organization"),
    )
    entities, resolved = resolve([a], gazetteer=GAZ)
    zta = by_label(entities)["Zenith Telecommunications Authority"]
    assert zta.cls == "GovernmentAgency"
    assert zta.aliases == ("ZTA",)
    ids = resolved[0].entity_ids
    assert ids[0] == ids[1] == ids[3] == zta.id


def test_an_acronym_joins_its_expansion_only_within_the_article() -> None:
    a = ex(
        "d1",
        "The Zenith Telecommunications Authority (ZTA) met.",
        ("Zenith Telecommunications Authority", "GovernmentAgency"),
        ("ZTA", "Organization"),
    )
    b = ex("d2", "The ZTA met.", ("ZTA", "Organization"))
    entities, resolved = resolve([a, b], gazetteer=GAZ)
    labels = by_label(entities)
    assert set(labels) == {"Zenith Telecommunications Authority", "ZTA"}
    assert resolved[1].entity_ids == (labels["ZTA"].id,)


def test_a_short_name_defined_in_brackets_joins_its_organization_whatever_its_initials() -> None:
    text = "The Comision Nacional de Valores (CONASEV) fined it. Later the CONASEV and the BVL met."
    a = ex(
        "d1",
        text,
        ("Comision Nacional de Valores", "GovernmentAgency"),
        ("CONASEV", "Organization"),
        ("BVL", "Organization"),
    )
    entities, _ = resolve([a], gazetteer=GAZ)
    assert {e.label: e.aliases for e in entities} == {
        "Comision Nacional de Valores": ("CONASEV",),
        "BVL": (),
    }


def test_a_surname_joins_the_full_name_of_the_same_article() -> None:
    text = "Analyst Maria Kowalczyk spoke. Kowalczyk said Kowalczyk's view was firm."
    a = ex(
        "d1",
        text,
        ("Maria Kowalczyk", "Person"),
        ("Kowalczyk", "Person"),
        ("Kowalczyk's", "Person"),
    )
    [maria], resolved = resolve([a], gazetteer=GAZ)
    assert maria.label == "Maria Kowalczyk"
    assert maria.aliases == ()  # a surname alone names many people: no alias of hers
    assert resolved[0].entity_ids == (maria.id,) * 3


def test_a_generic_word_joins_its_institution_but_is_no_alias() -> None:
    text = "The Bank of England held rates. The Bank said inflation was low."
    a = ex("d1", text, ("Bank of England", "GovernmentAgency"), ("Bank", "GovernmentAgency"))
    entities, resolved = resolve([a], gazetteer=GAZ)
    bank = next(e for e in entities if e.label == "Bank of England")
    assert resolved[0].entity_ids == (bank.id, bank.id)
    assert "Bank" not in bank.aliases


def test_a_surname_shared_by_two_people_joins_neither() -> None:
    text = "John Smith and Jane Smith met. Smith spoke."
    a = ex("d1", text, ("John Smith", "Person"), ("Jane Smith", "Person"), ("Smith", "Person"))
    entities, resolved = resolve([a], gazetteer=GAZ)
    assert set(by_label(entities)) == {"John Smith", "Jane Smith", "Smith"}
    ids = resolved[0].entity_ids
    assert len(set(ids)) == 3


def test_a_surname_joins_the_one_full_name_of_the_build_across_articles() -> None:
    a = ex("d1", "Maria Kowalczyk spoke.", ("Maria Kowalczyk", "Person"))
    b = ex("d2", "Mr Kowalczyk spoke.", ("Mr Kowalczyk", "Person"))
    [maria], resolved = resolve([a, b], gazetteer=GAZ)
    assert maria.label == "Maria Kowalczyk"
    assert maria.docs == ("d1", "d2")
    assert resolved[1].entity_ids == (maria.id,)


def test_a_surname_of_two_full_names_joins_neither_across_articles() -> None:
    a = ex(
        "d1",
        "Maria Kowalczyk and Jan Kowalczyk spoke.",
        ("Maria Kowalczyk", "Person"),
        ("Jan Kowalczyk", "Person"),
    )
    b = ex("d2", "Kowalczyk spoke.", ("Kowalczyk", "Person"))
    entities, _ = resolve([a, b], gazetteer=GAZ)
    assert set(by_label(entities)) == {"Maria Kowalczyk", "Jan Kowalczyk", "Kowalczyk"}


def test_a_later_part_of_a_full_name_joins_it_in_the_article() -> None:
    text = "Osama bin Laden was seen. Bin Laden left."
    a = ex("d1", text, ("Osama bin Laden", "Person"), ("Bin Laden", "Person"))
    [osama], resolved = resolve([a], gazetteer=GAZ)
    assert osama.label == "Osama bin Laden"
    assert resolved[0].entity_ids == (osama.id, osama.id)


def test_generic_words_and_titles_name_no_entity() -> None:
    text = "The Government and the Treasurer met Federal Agriculture Minister Warren Truss."
    a = ex(
        "d1",
        text,
        ("Government", "GovernmentAgency"),
        ("Treasurer", "Person"),
        ("Federal Agriculture Minister", "Organization"),
        ("Warren Truss", "Person"),
    )
    entities, resolved = resolve([a], gazetteer=GAZ)
    assert set(by_label(entities)) == {"Warren Truss"}
    assert resolved[0].entity_ids[:3] == (None, None, None)


def test_a_mistyped_lone_surname_does_not_change_the_persons_class() -> None:
    a = ex("d1", "Jane Roe spoke. Roe left.", ("Jane Roe", "Person"), ("Roe", "Organization"))
    [roe], _ = resolve([a], gazetteer=GAZ)
    assert (roe.cls, roe.id) == ("Person", "person/jane-roe")


def test_references_take_their_antecedents_entity_and_names_nothing() -> None:
    text = "Globex grew. The company said it would hire."
    mentions = (
        Mention(0, 6, "Globex", "Company"),
        Mention(13, 24, "The company", "Company", source="coref", antecedent=0),
        Mention(30, 32, "it", "Company", source="coref", antecedent=0),
    )
    [globex], resolved = resolve([Extraction(Article("d1", text), mentions, ())], gazetteer=GAZ)
    assert globex.aliases == ()  # never "The company" or "it"
    assert resolved[0].entity_ids == (globex.id,) * 3


def test_mentions_that_name_nothing_get_no_entity() -> None:
    a = ex("d1", "the firm said 2021", ("the firm", "Company"), ("2021", "Organization"))
    entities, resolved = resolve([a], gazetteer=GAZ)
    assert entities == []
    assert resolved[0].entity_ids == (None, None)


def test_roles_are_collected_on_the_entity() -> None:
    text = "Chief Executive Jo Bloggs spoke."
    mention = Mention(16, 25, "Jo Bloggs", "Person", role="Chief Executive")
    [jo], _ = resolve([Extraction(Article("d1", text), (mention,), ())], gazetteer=GAZ)
    assert jo.roles == ("Chief Executive",)


def test_aliases_never_contain_the_label() -> None:
    docs = [
        ex(
            "d1",
            "Acme and Acme Corp and Globex Corp.",
            ("Acme", "Company", "acme"),
            ("Acme Corp", "Company", "acme"),
            ("Globex Corp", "Company"),
        ),
        ex(
            "d2",
            "Globex and the Globex’s plan.",
            ("Globex", "Company"),
            ("the Globex’s", "Company"),
        ),
    ]
    entities, _ = resolve(docs, gazetteer=GAZ)
    assert entities
    for entity in entities:
        assert entity.label not in entity.aliases
        assert len(set(entity.aliases)) == len(entity.aliases)
        assert list(entity.aliases) == sorted(entity.aliases)


def test_distinct_things_with_one_slug_get_distinct_ids() -> None:
    a = ex("d1", "AT and T and AT&T", ("AT and T", "Company"), ("AT&T", "Company"))
    entities, resolved = resolve([a], gazetteer=GAZ)
    ids = [e.id for e in entities]
    assert len(ids) == len(set(ids)) == 2
    assert set(resolved[0].entity_ids) == set(ids)


def _corpus() -> list[Extraction]:
    return [
        ex(
            "d1",
            "Acme hired Maria Kowalczyk. Kowalczyk moved to Zenda.",
            ("Acme", "Company", "acme"),
            ("Maria Kowalczyk", "Person"),
            ("Kowalczyk", "Person"),
            ("Zenda", "City", "zenda"),
        ),
        ex(
            "d2",
            "Globex Corp and Initech sued Acme Corp in Ruritania.",
            ("Globex Corp", "Company"),
            ("Initech", "Organization"),
            ("Acme Corp", "Organization"),
            ("Ruritania", "Country", "ruritania"),
        ),
        ex(
            "d3",
            "Initech and Globex met the Zenith Telecommunications Authority (ZTA).",
            ("Initech", "Company"),
            ("Globex", "Company"),
            ("Zenith Telecommunications Authority", "GovernmentAgency"),
            ("ZTA", "Organization"),
        ),
    ]


def test_ids_and_entities_do_not_depend_on_document_order() -> None:
    docs = _corpus()
    forward, resolved_forward = resolve(docs, gazetteer=GAZ)
    backward, resolved_backward = resolve(list(reversed(docs)), gazetteer=GAZ)
    assert forward == backward
    assert [e.id for e in forward] == sorted(e.id for e in forward)
    ids_forward = {r.extraction.article.id: r.entity_ids for r in resolved_forward}
    ids_backward = {r.extraction.article.id: r.entity_ids for r in resolved_backward}
    assert ids_forward == ids_backward


def test_resolve_is_deterministic() -> None:
    assert resolve(_corpus(), gazetteer=GAZ) == resolve(_corpus(), gazetteer=GAZ)


def test_every_entity_id_is_coarse_class_and_slug() -> None:
    entities, _ = resolve(_corpus(), gazetteer=GAZ)
    for entity in entities:
        prefix, _, rest = entity.id.partition("/")
        assert prefix == entity.coarse.lower()
        assert SLUG.match(rest), entity.id


def test_resolve_uses_the_shipped_gazetteer_by_default() -> None:
    a = ex("d1", "Nokia grew.", ("Nokia", "Company", "nokia"))
    [nokia], _ = resolve([a])
    assert (nokia.label, nokia.wikidata) == ("Nokia", "Q1418")


def test_a_nationality_word_links_its_country_but_is_not_a_name() -> None:
    text = "Elbonian firms left Elbonia."
    mentions = (
        Mention(0, 8, "Elbonian", "Country", key="elbonia", source="demonym"),
        Mention(20, 27, "Elbonia", "Country", key="elbonia", source="gazetteer"),
    )
    gazetteer = Gazetteer.from_entries(
        [GazetteerEntry("elbonia", "Country", "Elbonia", demonyms=("Elbonian",))]
    )
    entities, resolved = resolve(
        [Extraction(Article("d1", text), mentions, ())], gazetteer=gazetteer
    )
    [country] = entities
    assert resolved[0].entity_ids == (country.id, country.id)
    assert "Elbonian" not in country.aliases


def ids_of(extraction: Extraction) -> tuple[str | None, ...]:
    return resolve([extraction], gazetteer=GAZ)[1][0].entity_ids


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Champlin Petroleum Co said it agreed. Champlin will pay cash.",
            (("Champlin Petroleum Co", "Company"), ("Champlin", "Organization")),
        ),
        (  # the recognizer took the short form for a person
            "Ansett Australia collapsed. Staff of Ansett were told.",
            (("Ansett Australia", "Company"), ("Ansett", "Person")),
        ),
        (
            "Shearson Lehman Brothers Inc advised. Shearson Lehman said so.",
            (("Shearson Lehman Brothers Inc", "Company"), ("Shearson Lehman", "Organization")),
        ),
        (  # the shortest name it begins wins: Chrysler is Chrysler Corp, not its finance arm
            "Chrysler Corp and Chrysler Financial Corp agreed. Chrysler said.",
            (("Chrysler Corp", "Company"), ("Chrysler Financial Corp", "Company"),
             ("Chrysler", "Organization")),
        ),
    ],
)  # fmt: skip
def test_a_short_form_joins_the_organization_whose_name_it_begins(
    text: str, names: tuple[tuple[str, str], ...]
) -> None:
    ids = ids_of(ex("d1", text, *names))
    assert ids[-1] == ids[0]
    assert len(set(ids)) == len(names) - 1
    entities = resolve([ex("d1", text, *names)], gazetteer=GAZ)[0]
    assert all(e.cls != "Person" for e in entities)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (  # a name with its own legal form is not a short form of a longer one
            "Permian Corp sold units of Permian Partners LP.",
            (("Permian Corp", "Company"), ("Permian Partners LP", "Company")),
        ),
        (  # two names equally short: the short form could be either
            "Bull Run Inc and Bull Moose Inc met. Bull said.",
            (("Bull Run Inc", "Company"), ("Bull Moose Inc", "Company"), ("Bull", "Organization")),
        ),
        (  # a titled person is a person, not a short form
            "Mr Harris spoke for Harris Scarfe.",
            (("Mr Harris", "Person"), ("Harris Scarfe", "Company")),
        ),
        (  # a body named after what it looks into is not the thing it is named after
            "The HIH Royal Commission heard that HIH paid.",
            (("HIH Royal Commission", "GovernmentAgency"), ("HIH", "Organization")),
        ),
        (
            "The Enron Inquiry met. Enron Senate Committee staff said Enron lied.",
            (("Enron Inquiry", "Organization"), ("Enron Senate Committee", "Organization"),
             ("Enron", "Organization")),
        ),
    ],
)  # fmt: skip
def test_a_short_form_joins_nothing_when_it_is_a_name_of_its_own_or_ambiguous(
    text: str, names: tuple[tuple[str, str], ...]
) -> None:
    ids = ids_of(ex("d1", text, *names))
    assert len(set(ids)) == len(names)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "The House Budget Committee met. The Budget Committee said no.",
            (("House Budget Committee", "GovernmentAgency"), ("Budget Committee", "Organization")),
        ),
        (  # a newspaper goes by its last word
            "The Houston Chronicle was sold. The Chronicle earned more.",
            (("Houston Chronicle", "MediaOrganization"), ("Chronicle", "MediaOrganization")),
        ),
    ],
)  # fmt: skip
def test_the_end_of_an_organizations_name_joins_it(
    text: str, names: tuple[tuple[str, str], ...]
) -> None:
    ids = ids_of(ex("d1", text, *names))
    assert ids[0] == ids[1]


def test_a_common_noun_ending_a_name_joins_nothing() -> None:
    text = "The New York Stock Exchange said the Exchange would open."
    names = (("New York Stock Exchange", "Company"), ("Exchange", "Organization"))
    ids = ids_of(ex("d1", text, *names))
    assert ids[0] != ids[1]


def test_a_legal_form_after_and_leaves_the_same_key() -> None:
    assert name_key("Merrill Lynch and Co Inc") == name_key("Merrill Lynch") == "merrill lynch"


def test_a_short_form_joins_an_organization_named_in_its_own_article_only() -> None:
    full = ex("d1", "Champlin Petroleum Co said.", ("Champlin Petroleum Co", "Company"))
    short = ex("d2", "Champlin said.", ("Champlin", "Organization"))
    first, second = resolve([full, short], gazetteer=GAZ)[1]
    assert first.entity_ids != second.entity_ids


def test_a_name_with_a_legal_form_makes_an_organization_of_its_person_tagged_short_forms() -> None:
    text = "Montedison SpA bid. Montedison said. Montedison added. Montedison won."
    names = [("Montedison SpA", "Company")] + [("Montedison", "Person")] * 3
    entities, _ = resolve([ex("d1", text, *names)], gazetteer=GAZ)
    assert [(e.label, e.cls) for e in entities] == [("Montedison SpA", "Company")]


def test_an_acronym_of_a_name_without_its_legal_form_joins_it() -> None:
    text = "Allegheny International Inc said AI would sell."
    ids = ids_of(ex("d1", text, ("Allegheny International Inc", "Company"), ("AI", "Organization")))
    assert ids[0] == ids[1]
