"""Gazetteer links the article supports: a public body owned in the text by a country."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from kg.extract.entities import SPAN_KEY
from kg.extract.linking import link_keys, owner_countries
from kg.gazetteer import Gazetteer, GazetteerEntry

MakeDoc = Callable[..., Doc]  # the make_doc fixture of conftest.py

GAZ = Gazetteer.from_entries(
    [
        GazetteerEntry("ruritania", "Country", "Ruritania", demonyms=("Ruritanian",)),
        GazetteerEntry("elbonia", "Country", "Elbonia"),
        GazetteerEntry(
            "dod",
            "GovernmentAgency",
            "Ruritanian Department of Defence",
            ("Pentagon",),
            country="ruritania",
        ),
        GazetteerEntry(
            "mod-r",
            "GovernmentAgency",
            "Ministry of Defence of Ruritania",
            ambiguous=("Ministry of Defence",),
            country="ruritania",
        ),
        GazetteerEntry(
            "mod-e",
            "GovernmentAgency",
            "Ministry of Defence of Elbonia",
            ambiguous=("Ministry of Defence",),
            country="elbonia",
        ),
        GazetteerEntry("council", "GovernmentAgency", "Council of the Union", ("Council",)),
        GazetteerEntry("acme", "Company", "Acme Corporation", ("Acme",), country="ruritania"),
    ]
)

# "Ruritania and Ruritania" first: the country the article talks about most is Ruritania.
PREFIX = """
Ruritania PROPN nsubj 2
and       CCONJ cc    0
Ruritania PROPN conj  0
.         PUNCT punct 0
"""


def keys_of(doc: Doc) -> list[str | None]:
    return link_keys(list(doc.spans[SPAN_KEY]), doc.text, GAZ)


def test_the_owner_country_chooses_among_bodies_sharing_a_name(make_doc: MakeDoc) -> None:
    # The article talks most of Ruritania, but the ministry is Elbonia's.
    for tokens, country_span in [
        (["Elbonia PROPN poss 7", "'s PART case 4"], (4, 5)),
        (["Elbonia PROPN poss 7", "’s PART case 4"], (4, 5)),
        (["the DET det 7", "Elbonian ADJ amod 7"], (5, 6)),
    ]:
        doc = make_doc(
            PREFIX
            + "\n".join(tokens)
            + """
            Ministry PROPN nsubj 9
            of       ADP   prep  6
            Defence  PROPN pobj  7
            spoke    VERB  ROOT  9 speak
            """,
            spans=[
                (0, 1, "Country", "ruritania"),
                (2, 3, "Country", "ruritania"),
                (*country_span, "Country", "elbonia"),
                (6, 9, "GovernmentAgency", "mod-e|mod-r"),
            ],
        )
        assert keys_of(doc)[-1] == "mod-e", tokens


def test_a_body_of_no_country_owned_by_one_is_not_linked(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Elbonia PROPN poss  2
        's      PART  case  0
        Council PROPN nsubj 3
        met     VERB  ROOT  3 meet
        """,
        spans=[(0, 1, "Country", "elbonia"), (2, 3, "GovernmentAgency", "council")],
    )
    assert keys_of(doc) == ["elbonia", None]


def test_unowned_bodies_and_owned_companies_keep_their_links(make_doc: MakeDoc) -> None:
    doc = make_doc(
        """
        Elbonia  PROPN nsubj 1
        said     VERB  ROOT  1 say
        Pentagon PROPN nsubj 4
        and      CCONJ cc    2
        Elbonia  PROPN poss  6
        's       PART  case  4
        Acme     PROPN conj  2
        agreed   VERB  ccomp 1 agree
        """,
        spans=[
            (0, 1, "Country", "elbonia"),
            (2, 3, "GovernmentAgency", "dod"),
            (4, 5, "Country", "elbonia"),
            (6, 7, "Company", "acme"),
        ],
    )
    # A company is not a body of a state: "Elbonia's Acme" may be a foreign firm's arm.
    assert keys_of(doc) == ["elbonia", "dod", "elbonia", "acme"]
    assert owner_countries(list(doc.spans[SPAN_KEY]), GAZ) == [None, None, None, "elbonia"]


def test_a_body_owned_by_another_country_is_not_linked_nor_its_later_mentions(
    make_doc: MakeDoc,
) -> None:
    doc = make_doc(
        PREFIX
        + """
        Elbonia  PROPN poss  6
        's       PART  case  4
        Pentagon PROPN nsubj 7
        spoke    VERB  ROOT  7 speak
        .        PUNCT punct 7
        Pentagon PROPN nsubj 10
        said     VERB  ROOT  10 say
        """,
        spans=[
            (0, 1, "Country", "ruritania"),
            (2, 3, "Country", "ruritania"),
            (4, 5, "Country", "elbonia"),
            (6, 7, "GovernmentAgency", "dod"),
            (9, 10, "GovernmentAgency", "dod"),
        ],
    )
    assert keys_of(doc) == ["ruritania", "ruritania", "elbonia", None, None]
