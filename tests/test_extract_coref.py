"""kg.extract.coref: "the company", "it", "she" linked to the right earlier mention."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from spacy.tokens import Doc

from kg.extract.coref import CorefResolver, _compatible
from kg.gazetteer import Gazetteer, GazetteerEntry
from kg.ontology import load_lexicon

MakeDoc = Callable[..., Doc]  # the make_doc fixture of conftest.py
Analyze = Callable[..., Any]  # the analyze fixture of conftest.py

GAZ = Gazetteer.from_entries(
    [
        GazetteerEntry("acme", "Company", "Acme", country="elbonia"),
        GazetteerEntry("zeta", "Company", "Zeta", country="ruritania"),
        GazetteerEntry("ruritania", "Country", "Ruritania", demonyms=("Ruritanian",)),
        GazetteerEntry("elbonia", "Country", "Elbonia", demonyms=("Elbonian",)),
    ]
)

ACME_SUED_ZETA = """
    Acme PROPN nsubj 1
    sued VERB  ROOT  1 sue
    Zeta PROPN dobj  1
    .    PUNCT punct 1
"""
TWO_COMPANIES = [(0, 1, "Company", "acme"), (2, 3, "Company", "zeta")]


@pytest.fixture(scope="module")
def resolver() -> CorefResolver:
    return CorefResolver("kg_coref", gazetteer=GAZ, lexicon=load_lexicon())


@pytest.mark.parametrize(
    "label,wanted,expected",
    [
        ("Company", "Organization", True),
        ("Organization", "Company", True),
        ("Company", "Company", True),
        ("GovernmentAgency", "Company", False),
        ("Court", "GovernmentAgency", False),
        ("Person", "Organization", False),
        ("Company", "Person", False),
        ("City", "Place", True),
        ("Person", "Person", True),
    ],
)
def test_compatible(label: str, wanted: str, expected: bool) -> None:
    assert _compatible(label, wanted) is expected


def test_the_company_refers_to_the_previous_subject(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        ACME_SUED_ZETA
        + """
        The     DET   det   5
        company NOUN  nsubj 6
        won     VERB  ROOT  6 win
        .       PUNCT punct 6
        """,
        spans=TWO_COMPANIES,
    )
    assert resolver.match(doc) == [(4, 6, 0)]
    assert resolver(doc) is doc
    assert doc._.kg_coref == [(4, 6, 0)]


def test_it_refers_to_the_previous_subject(make_doc: MakeDoc, resolver: CorefResolver) -> None:
    doc = make_doc(
        ACME_SUED_ZETA
        + """
        It  PRON  nsubj 5
        won VERB  ROOT  5 win
        .   PUNCT punct 5
        """,
        spans=TWO_COMPANIES,
    )
    assert resolver.match(doc) == [(4, 5, 0)]


def test_its_on_a_noun_coordinated_with_a_name_refers_to_that_name(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    """ "Acme rated Zeta and its unit": "its" is Zeta's, not the subject Acme's."""
    doc = make_doc(
        """
        Acme  PROPN nsubj 1
        rated VERB  ROOT  1 rate
        Zeta  PROPN dobj  1
        and   CCONJ cc    2
        its   PRON  poss  5
        unit  NOUN  conj  2
        .     PUNCT punct 1
        """,
        spans=[(0, 1, "Company", ""), (2, 3, "Company", "")],
    )
    assert resolver.match(doc) == [(4, 5, 1)]


def test_she_refers_to_a_person_not_an_organization(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        """
        Acme  PROPN nsubj    1
        hired VERB  ROOT     1 hire
        Jane  PROPN compound 3
        Roe   PROPN dobj     1
        .     PUNCT punct    1
        She   PRON  nsubj    6
        left  VERB  ROOT     6 leave
        .     PUNCT punct    6
        """,
        spans=[(0, 1, "Company", "acme"), (2, 4, "Person", "")],
    )
    assert resolver.match(doc) == [(5, 6, 1)]


def test_a_description_only_refers_to_a_compatible_class(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        """
        Ministry PROPN nsubj 1
        fined    VERB  ROOT  1 fine
        Acme     PROPN dobj  1
        .        PUNCT punct 1
        The      DET   det   5
        company  NOUN  nsubj 6
        appealed VERB  ROOT  6 appeal
        .        PUNCT punct 6
        The      DET   det   9
        ministry NOUN  nsubj 10
        agreed   VERB  ROOT  10 agree
        .        PUNCT punct 10
        """,
        spans=[(0, 1, "GovernmentAgency", ""), (2, 3, "Company", "acme")],
    )
    assert resolver.match(doc) == [(4, 6, 1), (8, 10, 0)]


def test_a_nationality_prefers_a_company_of_that_country(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        """
        Acme       PROPN nsubj 1
        signed     VERB  ROOT  1 sign
        with       ADP   prep  1
        Zeta       PROPN pobj  2
        .          PUNCT punct 1
        The        DET   det   7
        Ruritanian ADJ   amod  7
        company    NOUN  nsubj 8
        won        VERB  ROOT  8 win
        .          PUNCT punct 8
        """,
        spans=[
            (0, 1, "Company", "acme"),
            (3, 4, "Company", "zeta"),
            (6, 7, "Country", "ruritania"),
        ],
    )
    assert resolver.match(doc) == [(5, 8, 1)]


def test_a_nationality_no_candidate_has_falls_back_to_the_usual_choice(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        """
        Acme       PROPN nsubj 1
        signed     VERB  ROOT  1 sign
        with       ADP   prep  1
        Zeta       PROPN pobj  2
        .          PUNCT punct 1
        The        DET   det   7
        Ruritanian ADJ   amod  7
        company    NOUN  nsubj 8
        won        VERB  ROOT  8 win
        .          PUNCT punct 8
        """,
        spans=[(0, 1, "Company", "acme"), (3, 4, "Company", ""), (6, 7, "Country", "ruritania")],
    )
    assert resolver.match(doc) == [(5, 8, 0)]


def test_a_descriptor_before_a_name_is_an_apposition_not_a_reference(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        ACME_SUED_ZETA
        + """
        The     DET   det      6
        company NOUN  compound 6
        Zeta    PROPN nsubj    7
        won     VERB  ROOT     7 win
        .       PUNCT punct    7
        """,
        spans=[*TWO_COMPANIES, (6, 7, "Company", "zeta")],
    )
    assert resolver.match(doc) == []


def test_a_plural_description_is_not_a_reference(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        ACME_SUED_ZETA
        + """
        The       DET   det   5
        companies NOUN  nsubj 6 company NNS
        won       VERB  ROOT  6 win
        .         PUNCT punct 6
        """,
        spans=TWO_COMPANIES,
    )
    assert resolver.match(doc) == []


def test_an_indefinite_description_is_not_a_reference(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        ACME_SUED_ZETA
        + """
        A       DET   det   5
        company NOUN  nsubj 6
        won     VERB  ROOT  6 win
        .       PUNCT punct 6
        """,
        spans=TWO_COMPANIES,
    )
    assert resolver.match(doc) == []


def test_a_description_naming_its_own_entity_is_not_a_reference(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = make_doc(
        ACME_SUED_ZETA
        + """
        The     DET   det      6
        Globex  PROPN compound 6
        company NOUN  nsubj    7
        won     VERB  ROOT     7 win
        .       PUNCT punct    7
        """,
        spans=[*TWO_COMPANIES, (5, 6, "Company", "")],
    )
    assert resolver.match(doc) == []


FILLER = """
    Rain  NOUN  nsubj {a} rain
    fell  VERB  ROOT  {a} fall
    .     PUNCT punct {a}
"""


def _far(make_doc: MakeDoc, subject: str) -> Doc:
    """Acme, then three sentences without entities, then ``subject`` (one or two tokens) lost."""
    words = subject.split()
    rows = "Acme PROPN nsubj 1\nwon VERB ROOT 1 win\n. PUNCT punct 1\n"
    for i in range(2):
        rows += FILLER.format(a=3 + 3 * i + 1)
    start = 9
    if len(words) == 2:
        rows += f"{words[0]} DET det {start + 1}\n{words[1]} NOUN nsubj {start + 2}\n"
        verb = start + 2
    else:
        rows += f"{words[0]} PRON nsubj {start + 1}\n"
        verb = start + 1
    rows += f"lost VERB ROOT {verb} lose\n. PUNCT punct {verb}\n"
    return make_doc(rows, spans=[(0, 1, "Company", "acme")])


def test_a_pronoun_reaches_back_two_sentences_only(
    make_doc: MakeDoc, resolver: CorefResolver
) -> None:
    doc = _far(make_doc, "It")
    assert len(list(doc.sents)) == 4
    assert resolver.match(doc) == []


def test_a_description_reaches_further_back(make_doc: MakeDoc, resolver: CorefResolver) -> None:
    doc = _far(make_doc, "The company")
    assert resolver.match(doc) == [(9, 11, 0)]


# ------------------------------------------------------------------------------- with the model


@pytest.mark.model
def test_model_nationality_picks_the_right_company(analyze: Analyze) -> None:
    relations = analyze(
        "Vodafone signed a deal with Nokia. The Finnish company also rivals Huawei."
    ).relations
    assert ("Nokia", "competesWith", "Huawei") in relations
    assert ("Vodafone", "competesWith", "Huawei") not in relations


@pytest.mark.model
def test_model_it_is_the_subject_of_the_previous_sentence(analyze: Analyze) -> None:
    relations = analyze(
        "Nokia said it would stop selling phones in Russia. It signed a deal with Ericsson."
    ).relations
    assert set(relations) == {("Nokia", "partnersWith", "Ericsson")}


@pytest.mark.model
def test_model_descriptions_of_two_classes_find_their_own_antecedents(analyze: Analyze) -> None:
    relations = analyze(
        "The Commerce Department fined Huawei. The company appealed and it sued the agency."
    ).relations
    sues = [k for k in relations if k[1] == "sues"]
    assert len(sues) == 1
    subject, _, obj = sues[0]
    assert subject == "Huawei"
    assert "Commerce" in obj


@pytest.mark.model
def test_model_she_is_the_person(analyze: Analyze) -> None:
    relations = analyze("Jane Roe joined Nokia in 2019. She later joined Ericsson.").relations
    assert ("Jane Roe", "worksFor", "Ericsson") in relations
    assert relations[("Jane Roe", "worksFor", "Nokia")].start == "2019"


@pytest.mark.model
def test_model_it_prefers_the_main_clause_subject(analyze: Analyze) -> None:
    relations = analyze(
        "Samsung sued Apple in 2019. The South Korean company said Apple copied its designs. "
        "It also sued Nokia."
    ).relations
    assert ("Samsung Electronics", "sues", "Nokia") in relations


UNION_AND_SERVICE = """
    Finance PROPN compound 2
    Sector  PROPN compound 2
    Union   PROPN nsubj    3
    met     VERB  ROOT     3 meet
    Health  PROPN compound 5
    Service PROPN dobj     3
    .       PUNCT punct    3
"""
UNION_AND_SERVICE_SPANS = [(0, 3, "Organization", ""), (4, 6, "Organization", "")]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # "the service" is the organization whose name ends in "Service", not the nearer union
        ("The DET det 8\nservice NOUN nsubj 9\nwon VERB ROOT 9 win", (7, 9, 1)),
        ("The DET det 8\nunion NOUN nsubj 9\nwon VERB ROOT 9 win", (7, 9, 0)),
        # a bare head noun in front of a title
        ("union NOUN compound 8\nspokesman NOUN ROOT 8", (7, 8, 0)),
        # a head noun no name of the article has refers to nothing
        ("The DET det 8\ncouncil NOUN nsubj 9\nwon VERB ROOT 9 win", None),
    ],
)
def test_the_head_noun_of_a_name_refers_to_that_organization(
    make_doc: MakeDoc, resolver: CorefResolver, rows: str, expected: tuple[int, int, int] | None
) -> None:
    doc = make_doc(UNION_AND_SERVICE + rows, spans=UNION_AND_SERVICE_SPANS)
    found = resolver.match(doc)
    assert found == ([expected] if expected else [])
