"""kg.extract.relations: lexicon triggers on the parse, status, dates and titles.

The unit tests run the component on hand-parsed docs (no model); the tests
marked ``model`` run the whole pipeline on new sentences (not from the sample
corpus) and check one general behaviour each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from spacy.tokens import Doc

from kg.extract import doc_to_extraction
from kg.extract.mentions import RawRelation, mention_table
from kg.extract.relations import RelationExtractor
from kg.extract.titles import title_phrase
from kg.gazetteer import Gazetteer, GazetteerEntry
from kg.ontology import load_lexicon
from kg.types import Article

MakeDoc = Callable[..., Doc]  # the make_doc fixture of conftest.py
Analyze = Callable[..., Any]  # the analyze fixture of conftest.py


@pytest.fixture(scope="module")
def extractor() -> RelationExtractor:
    return RelationExtractor("kg_relations", lexicon=load_lexicon())


def triples(doc, relations: list[RawRelation]) -> set[tuple[str, str, str]]:
    """(head text, predicate, tail text), references shown by their antecedent's text."""
    spans = list(doc.spans["kg_entities"])
    table = mention_table(doc)
    return {
        (spans[table[r.head].entity].text, r.predicate, spans[table[r.tail].entity].text)
        for r in relations
    }


ACME_BANNED_ZETA = """
    Acme    PROPN nsubj 1
    banned  VERB  ROOT  1 ban
    Zeta    PROPN dobj  1
    .       PUNCT punct 1
"""
AGENCY_AND_COMPANY = [(0, 1, "GovernmentAgency", ""), (2, 3, "Company", "")]


# ----------------------------------------------------------------------- verbs, voice, modality


def test_a_verb_trigger_links_subject_and_object(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(ACME_BANNED_ZETA, spans=AGENCY_AND_COMPANY)
    [relation] = extractor.match(doc)
    assert (relation.head, relation.tail, relation.predicate) == (0, 1, "sanctions")
    assert relation.trigger == "banned"
    assert relation.status is None
    assert relation.sentence == (0, 4)
    assert 0 < relation.confidence <= 1


def test_the_component_writes_doc_extension(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(ACME_BANNED_ZETA, spans=AGENCY_AND_COMPANY)
    assert extractor(doc) is doc
    assert [r.predicate for r in doc._.kg_relations] == ["sanctions"]


def test_passive_voice_takes_the_agent_as_subject(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Zeta   PROPN nsubjpass 2
        was    AUX   auxpass   2 be
        banned VERB  ROOT      2 ban
        by     ADP   agent     2
        Acme   PROPN pobj      3
        .      PUNCT punct     2
        """,
        spans=[(0, 1, "Company", ""), (4, 5, "GovernmentAgency", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "sanctions", "Zeta")}


def test_a_negated_statement_is_not_asserted(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme PROPN nsubj 3
        did  AUX   aux   3 do
        not  PART  neg   3
        ban  VERB  ROOT  3
        Zeta PROPN dobj  3
        .    PUNCT punct 3
        """,
        spans=[(0, 1, "GovernmentAgency", ""), (4, 5, "Company", "")],
    )
    assert extractor.match(doc) == []


@pytest.mark.parametrize("modal", ["could", "might", "may", "would"])
def test_a_hedged_statement_is_not_asserted(
    make_doc: MakeDoc, extractor: RelationExtractor, modal: str
) -> None:
    doc = make_doc(
        f"""
        Acme   PROPN nsubj 2
        {modal} AUX  aux   2
        ban    VERB  ROOT  2
        Zeta   PROPN dobj  2
        .      PUNCT punct 2
        """,
        spans=[(0, 1, "GovernmentAgency", ""), (3, 4, "Company", "")],
    )
    assert extractor.match(doc) == []


def test_planning_turns_entering_into_plans_to_enter(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme   PROPN nsubj 1
        plans  VERB  ROOT  1 plan
        to     PART  aux   3
        enter  VERB  xcomp 1
        Brazil PROPN dobj  3
        .      PUNCT punct 1
        """,
        spans=[(0, 1, "Company", ""), (4, 5, "Country", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "plansToEnter", "Brazil")}


def test_will_makes_an_act_planned(make_doc: MakeDoc, extractor: RelationExtractor) -> None:
    doc = make_doc(
        """
        Acme   PROPN nsubj 2
        will   AUX   aux   2
        sue    VERB  ROOT  2
        Zeta   PROPN dobj  2
        .      PUNCT punct 2
        """,
        spans=[(0, 1, "Company", ""), (3, 4, "Company", "")],
    )
    [relation] = extractor.match(doc)
    assert (relation.predicate, relation.status) == ("sues", "planned")


def test_an_ending_verb_makes_the_relation_ended(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj    1
        stopped VERB  ROOT     1 stop
        selling VERB  xcomp    1 sell
        Zeta    PROPN compound 4
        phones  NOUN  dobj     2 phone
        .       PUNCT punct    1
        """,
        spans=[(0, 1, "Company", ""), (3, 4, "Company", "")],
    )
    [relation] = extractor.match(doc)
    assert triples(doc, [relation]) == {("Acme", "sells", "Zeta")}
    assert relation.status == "ended"


def test_coordinated_objects_give_one_relation_each(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj 1
        entered VERB  ROOT  1 enter
        Brazil  PROPN dobj  1
        and     CCONJ cc    2
        Mexico  PROPN conj  2
        .       PUNCT punct 1
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "Country", ""), (4, 5, "Country", "")],
    )
    assert triples(doc, extractor.match(doc)) == {
        ("Acme", "operatesIn", "Brazil"),
        ("Acme", "operatesIn", "Mexico"),
    }


def test_coordinated_subjects_give_one_relation_each(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj 3
        and     CCONJ cc    0
        Globex  PROPN conj  0
        entered VERB  ROOT  3 enter
        Brazil  PROPN dobj  3
        .       PUNCT punct 3
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "Company", ""), (4, 5, "Country", "")],
    )
    assert triples(doc, extractor.match(doc)) == {
        ("Acme", "operatesIn", "Brazil"),
        ("Globex", "operatesIn", "Brazil"),
    }


def test_the_signature_rejects_wrong_classes(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(ACME_BANNED_ZETA, spans=[(0, 1, "GovernmentAgency", ""), (2, 3, "City", "")])
    assert extractor.match(doc) == []


def test_a_relation_from_an_entity_to_itself_is_dropped(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme   PROPN nsubj 1
        sued   VERB  ROOT  1 sue
        itself PRON  dobj  1
        .      PUNCT punct 1
        """,
        spans=[(0, 1, "Company", "")],
        coref=[(2, 3, 0)],
    )
    assert extractor.match(doc) == []


# --------------------------------------------------------------------- nouns, adjectives, lists


def test_a_noun_trigger_takes_the_subject_of_its_verb(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme   PROPN nsubj 1
        signed VERB  ROOT  1 sign
        a      DET   det   3
        deal   NOUN  dobj  1
        with   ADP   prep  3
        Zeta   PROPN pobj  4
        .      PUNCT punct 1
        """,
        spans=[(0, 1, "Company", ""), (5, 6, "Company", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "partnersWith", "Zeta")}


def test_an_organizations_people_in_a_place_state_where_it_operates_whatever_is_planned(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    """The clause plans the arrest, not Hamas's presence in Hebron: operatesIn, not
    plansToEnter."""
    doc = make_doc(
        """
        Police  PROPN nsubj    1
        tried   VERB  ROOT     1 try
        to      PART  aux      3
        arrest  VERB  xcomp    1
        Hamas   PROPN compound 5
        members NOUN  dobj     3 member
        in      ADP   prep     5
        Hebron  PROPN pobj     6
        .       PUNCT punct    1
        """,
        spans=[(4, 5, "Organization", ""), (7, 8, "City", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Hamas", "operatesIn", "Hebron")}


@pytest.mark.parametrize(
    ("verb", "lemma", "works"), [("met", "meet", False), ("became", "become", True)]
)
def test_the_subject_holds_a_title_noun_only_through_a_copula(
    make_doc: MakeDoc, extractor: RelationExtractor, verb: str, lemma: str, works: bool
) -> None:
    """ "Jo met the director of Acme" says nothing of Jo's job; "Jo became director" does."""
    dep = "dobj" if verb == "met" else "attr"
    doc = make_doc(
        f"""
        Jo       PROPN nsubj 1
        {verb}   VERB  ROOT  1 {lemma}
        the      DET   det   3
        director NOUN  {dep} 1 director
        of       ADP   prep  3
        Acme     PROPN pobj  4
        .        PUNCT punct 1
        """,
        spans=[(0, 1, "Person", ""), (5, 6, "Company", "")],
    )
    found = triples(doc, extractor.match(doc))
    assert (("Jo", "worksFor", "Acme") in found) is works


def test_a_companys_own_unit_is_its_unit_whatever_the_clause_plans(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    """ "Acme seeks to sell its Zeta unit": Zeta is Acme's unit now, not a planned one."""
    doc = make_doc(
        """
        Acme  PROPN nsubj    1
        seeks VERB  ROOT     1 seek
        to    PART  aux      3
        sell  VERB  xcomp    1
        its   PRON  poss     6
        Zeta  PROPN compound 6
        unit  NOUN  dobj     3 unit
        .     PUNCT punct    1
        """,
        spans=[(0, 1, "Company", ""), (5, 6, "Company", "")],
        coref=[(4, 5, 0)],
    )
    [relation] = [r for r in extractor.match(doc) if r.predicate == "subsidiaryOf"]
    assert triples(doc, [relation]) == {("Zeta", "subsidiaryOf", "Acme")}
    assert relation.status is None


def test_based_in_after_a_name(make_doc: MakeDoc, extractor: RelationExtractor) -> None:
    doc = make_doc(
        """
        Acme  PROPN nsubj 6
        ,     PUNCT punct 0
        based VERB  acl   0 base
        in    ADP   prep  2
        Paris PROPN pobj  3
        ,     PUNCT punct 0
        grew  VERB  ROOT  6 grow
        .     PUNCT punct 6
        """,
        spans=[(0, 1, "Company", ""), (4, 5, "City", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "basedIn", "Paris")}


def test_is_based_in_gives_based_in(make_doc: MakeDoc, extractor: RelationExtractor) -> None:
    doc = make_doc(
        """
        Acme  PROPN nsubjpass 2
        is    AUX   auxpass   2 be
        based VERB  ROOT      2 base
        in    ADP   prep      2
        Paris PROPN pobj      3
        .     PUNCT punct     2
        """,
        spans=[(0, 1, "Company", ""), (4, 5, "City", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "basedIn", "Paris")}


def test_a_hyphenated_based_modifier_gives_based_in(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        The   DET   det      4
        Seoul PROPN npadvmod 3
        -     PUNCT punct    3
        based VERB  amod     4 base
        Acme  PROPN nsubj    5
        grew  VERB  ROOT     5 grow
        .     PUNCT punct    5
        """,
        spans=[(1, 2, "City", ""), (4, 5, "Company", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "basedIn", "Seoul")}


def test_a_hyphenated_based_modifier_reaches_the_name_through_a_descriptor(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        The     DET   det      5
        Seoul   PROPN npadvmod 3
        -       PUNCT punct    3
        based   VERB  amod     4 base
        company NOUN  compound 5
        Acme    PROPN nsubj    6
        grew    VERB  ROOT     6 grow
        .       PUNCT punct    6
        """,
        spans=[(1, 2, "City", ""), (5, 6, "Company", "")],
    )
    assert ("Acme", "basedIn", "Seoul") in triples(doc, extractor.match(doc))


def test_adding_to_a_list_is_a_sanction(make_doc: MakeDoc, extractor: RelationExtractor) -> None:
    doc = make_doc(
        """
        Acme  PROPN nsubj 1
        added VERB  ROOT  1 add
        Zeta  PROPN dobj  1
        to    ADP   prep  1
        its   PRON  poss  6
        trade NOUN  compound 6
        list  NOUN  pobj  3
        .     PUNCT punct 1
        """,
        spans=[(0, 1, "GovernmentAgency", ""), (2, 3, "Company", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "sanctions", "Zeta")}


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (  # "Acme banned firms from selling to Zeta": down the verb's own clause
            """
            Acme    PROPN nsubj 1
            banned  VERB  ROOT  1 ban
            firms   NOUN  dobj  1 firm
            from    ADP   prep  1
            selling VERB  pcomp 3 sell
            to      ADP   prep  4
            Zeta    PROPN pobj  5
            .       PUNCT punct 1
            """,
            {("Acme", "sanctions", "Zeta")},
        ),
        (  # "Acme suspended raids for a man who fought Zeta": Zeta is in a clause of its own
            """
            Acme      PROPN nsubj 1
            suspended VERB  ROOT  1 suspend
            raids     NOUN  dobj  1 raid
            for       ADP   prep  1
            a         DET   det   5
            man       NOUN  pobj  3
            who       PRON  nsubj 7
            fought    VERB  relcl 5 fight
            Zeta      PROPN dobj  7
            .         PUNCT punct 1
            """,
            set(),
        ),
    ],
)
def test_a_sanction_reaches_down_its_clause_only(
    make_doc: MakeDoc, extractor: RelationExtractor, table: str, expected: set[Any]
) -> None:
    words = [line.split()[0] for line in table.strip().splitlines()]
    zeta = words.index("Zeta")
    doc = make_doc(table, spans=[(0, 1, "GovernmentAgency", ""), (zeta, zeta + 1, "Company", "")])
    assert triples(doc, extractor.match(doc)) == expected


def test_removing_from_a_list_lifts_a_sanction(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj 1
        removed VERB  ROOT  1 remove
        Zeta    PROPN dobj  1
        from    ADP   prep  1
        the     DET   det   5
        blacklist NOUN pobj 3
        .       PUNCT punct 1
        """,
        spans=[(0, 1, "GovernmentAgency", ""), (2, 3, "Company", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Acme", "liftsSanctionOn", "Zeta")}


# ------------------------------------------------------------------------ titles and references


def test_a_title_between_organization_and_person_gives_works_for_with_role(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 4
        Chief     PROPN compound 4
        Executive PROPN compound 4
        Jane      PROPN compound 4
        Roe       PROPN nsubj    5
        spoke     VERB  ROOT     5 speak
        .         PUNCT punct    5
        """,
        spans=[(0, 1, "Company", ""), (3, 5, "Person", "")],
        roles={3: "Chief Executive"},
    )
    [relation] = extractor.match(doc)
    assert triples(doc, [relation]) == {("Jane Roe", "worksFor", "Acme")}
    assert relation.role == "Chief Executive"


def test_a_hyphened_title_reaches_the_organization_before_it(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 5
        vice      NOUN  compound 3
        -         PUNCT punct    3
        president NOUN  compound 5
        Jane      PROPN compound 5
        Roe       PROPN nsubj    6
        spoke     VERB  ROOT     6 speak
        """,
        spans=[(0, 1, "Company", ""), (4, 6, "Person", "")],
        roles={4: "vice-president"},  # three tokens, one word
        spaces=[True, False, False, True, True, True, False],
    )
    [relation] = extractor.match(doc)
    assert triples(doc, [relation]) == {("Jane Roe", "worksFor", "Acme")}
    assert relation.role == "vice-president"


def test_coordinated_titles_reach_the_organization_before_them(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 6
        chairman  NOUN  compound 6
        and       CCONJ cc       1
        chief     ADJ   amod     5
        executive NOUN  compound 5
        officer   NOUN  conj     1
        Roe       PROPN nsubj    7
        spoke     VERB  ROOT     7 speak
        """,
        spans=[(0, 1, "Company", ""), (6, 7, "Person", "")],
        roles={6: "chairman and chief executive officer"},  # the recognizer's coordinated role
    )
    assert triples(doc, extractor.match(doc)) == {("Roe", "worksFor", "Acme")}


def test_titled_people_listed_after_the_first_share_its_organization(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme      PROPN compound 2
        president NOUN  compound 2
        Roe       PROPN nsubj    11
        ,         PUNCT punct    2
        director  NOUN  compound 5
        Poe       PROPN conj     2
        and       CCONJ cc       5
        Doe       PROPN conj     5
        ,         PUNCT punct    7
        analyst   NOUN  compound 10
        Loe       PROPN appos    7
        spoke     VERB  ROOT     11 speak
        """,
        spans=[
            (0, 1, "Company", ""),
            (2, 3, "Person", ""),
            (5, 6, "Person", ""),
            (7, 8, "Person", ""),
            (10, 11, "Person", ""),
        ],
        roles={2: "president", 5: "director", 10: "analyst"},
    )
    found = {t for t in triples(doc, extractor.match(doc)) if t[1] == "worksFor"}
    # Doe has no title of the list; Loe's title follows Doe, whom no organization employs.
    assert found == {("Roe", "worksFor", "Acme"), ("Poe", "worksFor", "Acme")}


def test_an_organizations_possessive_gives_works_for(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme  PROPN poss  2
        's    PART  case  0
        Roe   PROPN nsubj 3
        spoke VERB  ROOT  3 speak
        .     PUNCT punct 3
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "Person", "")],
    )
    [relation] = extractor.match(doc)
    assert triples(doc, [relation]) == {("Roe", "worksFor", "Acme")}
    assert relation.role is None


def test_a_persons_possessive_on_an_organization_gives_works_for(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Arafat    PROPN poss     3
        's        PART  case     0
        Fatah     PROPN compound 3
        movement  NOUN  nsubj    4
        grew      VERB  ROOT     4 grow
        """,
        spans=[(0, 1, "Person", ""), (2, 3, "Organization", "")],
    )
    assert triples(doc, extractor.match(doc)) == {("Arafat", "worksFor", "Fatah")}


def test_a_reference_stands_for_its_antecedent_with_lower_confidence(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme   PROPN nsubj 1
        banned VERB  ROOT  1 ban
        Zeta   PROPN dobj  1
        .      PUNCT punct 1
        It     PRON  nsubj 5
        fined  VERB  ROOT  5 fine
        Globex PROPN dobj  5
        .      PUNCT punct 5
        """,
        spans=[(0, 1, "GovernmentAgency", ""), (2, 3, "Company", ""), (6, 7, "Company", "")],
        coref=[(4, 5, 0)],
    )
    relations = extractor.match(doc)
    assert triples(doc, relations) == {
        ("Acme", "sanctions", "Zeta"),
        ("Acme", "sanctions", "Globex"),
    }
    direct = next(r for r in relations if r.tail == 1)
    through = next(r for r in relations if r.tail == 2)
    assert mention_table(doc)[through.head].coref
    assert through.confidence < direct.confidence


# ---------------------------------------------------------------------------- dates and offsets


def test_dates_and_durations_of_the_clause_are_kept(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme   PROPN nsubj  1
        banned VERB  ROOT   1 ban
        Zeta   PROPN dobj   1
        in     ADP   prep   1
        April  PROPN pobj   3
        for    ADP   prep   1
        seven  NUM   nummod 7
        years  NOUN  pobj   5 year
        .      PUNCT punct  1
        """,
        ents=[(4, 5, "DATE"), (6, 8, "DATE")],
        spans=AGENCY_AND_COMPANY,
    )
    [relation] = extractor.match(doc)
    assert relation.date_text == "in April"
    assert relation.duration_text == "for seven years"


def test_doc_to_extraction_resolves_dates_against_the_article(
    make_doc: MakeDoc, extractor: RelationExtractor
) -> None:
    doc = make_doc(
        """
        Acme    PROPN nsubj    1
        stopped VERB  ROOT     1 stop
        selling VERB  xcomp    1 sell
        Zeta    PROPN compound 4
        phones  NOUN  dobj     2 phone
        in      ADP   prep     1
        March   PROPN pobj     5
        .       PUNCT punct    1
        Acme    PROPN nsubj    9
        banned  VERB  ROOT     9 ban
        Zeta    PROPN dobj     9
        in      ADP   prep     9
        August  PROPN pobj     11
        .       PUNCT punct    9
        """,
        ents=[(6, 7, "DATE"), (12, 13, "DATE")],
        spans=[
            (0, 1, "Company", ""),
            (3, 4, "Company", ""),
            (8, 9, "Company", ""),
            (10, 11, "Company", ""),
        ],
    )
    extractor(doc)
    doc._.kg_figures = []
    article = Article("a", doc.text, date="2018-07-04")
    record = doc_to_extraction(doc, article, gazetteer=Gazetteer.from_entries([]))
    by_predicate = {r.predicate: r for r in record.relations}
    sells, sanctions = by_predicate["sells"], by_predicate["sanctions"]
    assert (sells.qualifiers.status, sells.qualifiers.end) == ("ended", "2018-03")
    assert sanctions.qualifiers.date == "2017-08"  # August after a July article: last year's
    for relation in record.relations:
        start, end = relation.evidence
        assert doc.text[start:end] in {
            "Acme stopped selling Zeta phones in March.",
            "Acme banned Zeta in August.",
        }
        head, tail = record.mentions[relation.head], record.mentions[relation.tail]
        assert article.text[head.start : head.end] == head.text
        assert article.text[tail.start : tail.end] == tail.text


def test_doc_to_extraction_picks_the_body_of_the_country_the_article_is_about(
    make_doc: MakeDoc,
) -> None:
    gazetteer = Gazetteer.from_entries(
        [
            GazetteerEntry("ruritania", "Country", "Ruritania"),
            GazetteerEntry("elbonia", "Country", "Elbonia"),
            GazetteerEntry(
                "mod-r", "GovernmentAgency", "Ruritanian Ministry of Defence", country="ruritania"
            ),
            GazetteerEntry(
                "mod-e", "GovernmentAgency", "Elbonian Ministry of Defence", country="elbonia"
            ),
        ]
    )
    doc = make_doc(
        """
        Ruritania PROPN nsubj 1
        and       CCONJ cc    0
        Ministry  PROPN conj  0
        of        ADP   prep  2
        Defence   PROPN pobj  3
        .         PUNCT punct 0
        """,
        spans=[(0, 1, "Country", "ruritania"), (2, 5, "GovernmentAgency", "mod-e|mod-r")],
    )
    doc._.kg_relations = []
    doc._.kg_figures = []
    record = doc_to_extraction(doc, Article("a", doc.text), gazetteer=gazetteer)
    assert [m.key for m in record.mentions] == ["ruritania", "mod-r"]


# ------------------------------------------------------------------------------- with the model


def facts_of(
    analyze: Analyze, text: str, date: str | None = None
) -> dict[tuple[str, str, str], Any]:
    return analyze(text, date).relations


@pytest.mark.model
def test_model_verb_trigger_in_passive_voice(analyze: Analyze) -> None:
    relations = facts_of(
        analyze, "Huawei was blacklisted by the Commerce Department in May 2019.", "2020-01-15"
    )
    [(key, qualifiers)] = relations.items()
    assert key[1:] == ("sanctions", "Huawei")
    assert "Commerce Department" in key[0]
    assert qualifiers.date == "2019-05"


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "The Commerce Department did not ban Nokia.",
        "The Commerce Department never banned Nokia.",
        "Samsung did not sue Apple.",
    ],
)
def test_model_negated_relations_are_not_asserted(analyze: Analyze, text: str) -> None:
    assert facts_of(analyze, text) == {}


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "The Commerce Department could ban Nokia.",
        "The Commerce Department might ban Nokia next year.",
        "Samsung may sue Apple.",
    ],
)
def test_model_hedged_relations_are_not_asserted(analyze: Analyze, text: str) -> None:
    assert facts_of(analyze, text) == {}


@pytest.mark.model
@pytest.mark.parametrize(
    "text,date,when",
    [
        ("Nokia plans to enter Brazil next year.", "2020-03-01", "2021"),
        ("Nokia intends to enter Brazil.", None, None),
        ("Nokia will enter Brazil in 2022.", None, "2022"),
    ],
)
def test_model_planned_entry_is_plans_to_enter(
    analyze: Analyze, text: str, date: str | None, when: str | None
) -> None:
    relations = facts_of(analyze, text, date)
    assert set(relations) == {("Nokia", "plansToEnter", "Brazil")}
    qualifiers = relations[("Nokia", "plansToEnter", "Brazil")]
    assert qualifiers.status == "planned"
    assert qualifiers.date == when


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "Vodafone stopped selling Huawei phones in March.",
        "Vodafone has ceased selling Huawei phones.",
    ],
)
def test_model_ended_relations_have_status_ended(analyze: Analyze, text: str) -> None:
    relations = facts_of(analyze, text, "2020-06-01")
    [(key, qualifiers)] = relations.items()
    assert key == ("Vodafone", "sells", "Huawei")
    assert qualifiers.status == "ended"
    if "March" in text:
        assert qualifiers.end == "2020-03"


@pytest.mark.model
def test_model_hyphenated_based_gives_based_in(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Seoul-based Samsung entered Brazil.")
    assert {k[1:] for k in relations} == {("basedIn", "Seoul"), ("operatesIn", "Brazil")}
    assert {k[0] for k in relations} == {"Samsung Electronics"}


@pytest.mark.model
def test_model_based_through_an_apposition(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Samsung, the Seoul-based electronics giant, entered Brazil.")
    assert ("Samsung Electronics", "basedIn", "Seoul") in relations


@pytest.mark.model
def test_model_based_modifier_before_a_descriptor_and_name(analyze: Analyze) -> None:
    relations = facts_of(analyze, "The Seoul-based company Samsung entered Brazil.")
    assert ("Samsung Electronics", "basedIn", "Seoul") in relations


@pytest.mark.model
def test_model_is_based_in(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Ford is based in Dearborn.")
    assert any(k[1:] == ("basedIn", "Dearborn") for k in relations)


@pytest.mark.model
def test_model_coordinated_places_give_two_relations(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Nokia entered Brazil and Mexico last year.", "2019-09-01")
    assert set(relations) == {("Nokia", "operatesIn", "Brazil"), ("Nokia", "operatesIn", "Mexico")}
    assert all(q.start == "2018" for q in relations.values())


@pytest.mark.model
def test_model_title_gives_works_for_with_role(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Nokia Chief Executive Jane Roe visited Paris.")
    assert relations[("Jane Roe", "worksFor", "Nokia")].role == "Chief Executive"


@pytest.mark.model
def test_model_symmetric_competition(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Samsung has competed with Apple for years.")
    assert set(relations) == {("Samsung Electronics", "competesWith", "Apple")}


@pytest.mark.model
def test_model_partnership_with_a_date_resolved_against_the_article(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Nokia signed a deal with Vodafone in March.", "2021-05-10")
    assert relations[("Nokia", "partnersWith", "Vodafone")].start == "2021-03"


@pytest.mark.model
def test_model_product_launch_is_produces(analyze: Analyze) -> None:
    relations = facts_of(analyze, "Xiaomi released the Mi 10 Pro last year.", "2021-02-01")
    assert relations[("Xiaomi", "produces", "Mi 10 Pro")].start == "2020"


@pytest.mark.model
def test_model_suing(analyze: Analyze) -> None:
    relations = facts_of(analyze, "The Paris-based bank BNP Paribas sued Acme Corp in 2018.")
    assert relations[("BNP Paribas", "sues", "Acme Corp")].date == "2018"
    assert ("BNP Paribas", "basedIn", "Paris") in relations


@pytest.mark.model
def test_model_list_owner_is_the_sanctioning_body(analyze: Analyze) -> None:
    relations = facts_of(
        analyze, "Acme Holdings was added to the Pentagon's Chinese Military Companies list."
    )
    assert set(relations) == {("US Department of Defense", "sanctions", "Acme Holdings")}


@pytest.mark.model
def test_model_an_officer_named_by_title_alone_works_for_the_articles_company(
    analyze: Analyze,
) -> None:
    relations = facts_of(
        analyze,
        "Allegheny International Inc said it would sell its unit. The sale will cut debt, "
        'Allegheny said. "We are pleased," said Chairman Oliver S. Travers.',
    )
    qualifiers = relations[("Oliver S. Travers", "worksFor", "Allegheny International Inc")]
    assert qualifiers.role == "Chairman"


@pytest.mark.model
def test_model_an_officer_works_for_the_leading_company_its_short_name_counts_for(
    analyze: Analyze,
) -> None:
    """ "Brightwater" (an Organization, not a Company) is the company's second mention: it
    leads the article, and the officer of a sentence naming only it works for it."""
    relations = facts_of(
        analyze,
        "Brightwater Data Systems Inc said it has cut its workforce to 53 from 74. "
        "Brightwater also said it has named executive vice president Jane K. Doe chief "
        "operating officer.",
    )
    qualifiers = relations[("Jane K. Doe", "worksFor", "Brightwater Data Systems Inc")]
    assert qualifiers.role == "executive vice president"


@pytest.mark.model
def test_model_an_officer_gets_no_employer_when_two_companies_lead_the_article(
    analyze: Analyze,
) -> None:
    relations = facts_of(
        analyze,
        "Acme Corp bought Zenith Inc. Acme said the price was fair. Zenith agreed. "
        "Spokesman John Roe declined to comment.",
    )
    assert not [key for key in relations if key[0] == "John Roe"]


@pytest.mark.model
def test_model_selling_ones_own_subsidiary_is_not_selling_a_product(analyze: Analyze) -> None:
    relations = facts_of(
        analyze,
        "Soo Line Corp agreed to sell its Lake States Transportation Division "
        "to Wisconsin Central Ltd.",
    )
    assert not [key for key in relations if key[1] == "sells"]


# --------------------------------------------------------------------------- title phrases

TITLES = load_lexicon().cue("roleTitles")


def test_a_title_phrase_takes_the_titles_coordinated_after_it(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        former    ADJ   amod     1
        chairman  NOUN  ROOT     1
        and       CCONJ cc       1
        chief     ADJ   amod     5
        executive NOUN  compound 5
        officer   NOUN  conj     1
        of        ADP   prep     1
        Acme      PROPN pobj     6
        and       CCONJ cc       1
        president NOUN  conj     1
        """
    )
    assert title_phrase(doc[1], TITLES, leave={"former"}) == "chairman and chief executive officer"


@pytest.mark.parametrize(
    ("table", "spaces", "noun", "phrase"),
    [
        ("vice NOUN ROOT 0\n- PUNCT punct 0\npresident NOUN appos 0", [False, False, False], 0,
         "vice-president"),
        ("ex NOUN compound 2\n- PUNCT punct 2\nchairman NOUN ROOT 2", [False, False, False], 2,
         "chairman"),
        ("vice NOUN ROOT 0\n- PUNCT punct 0\npresident NOUN appos 0", [True, True, False], 0,
         "vice"),
    ],
)  # fmt: skip
def test_a_title_phrase_keeps_a_hyphened_word_whole_but_not_its_ending(
    make_doc: MakeDoc, table: str, spaces: list[bool], noun: int, phrase: str
) -> None:
    doc = make_doc(table, spaces=spaces)
    assert title_phrase(doc[noun], TITLES, leave={"ex", "former"}) == phrase
