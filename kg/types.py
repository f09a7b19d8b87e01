"""Frozen records handed from one pipeline stage to the next.

ingest -> :class:`Article`; extract -> :class:`Extraction` (mentions, relation
and observation candidates, all with character offsets into ``Article.text``);
resolve -> :class:`Entity` ids on every mention; graph -> RDF.

Nothing here knows about spaCy or RDF, so every stage can be tested with
records built by hand.

>>> m = Mention(start=0, end=6, text="Xiaomi", label="Company")
>>> m.coarse
'Organization'
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The four coarse classes of CONTRACT.md and, for each, the fine classes below it.
COARSE_CLASSES: dict[str, tuple[str, ...]] = {
    "Organization": (
        "Organization",
        "Company",
        "GovernmentAgency",
        "Court",
        "MediaOrganization",
        "ResearchFirm",
    ),
    "Person": ("Person",),
    "Place": ("Place", "Country", "City", "Region"),
    "Product": ("Product",),
}

#: Legal forms of companies (lower case) that end a name without changing which company
#: it denotes ("Apple Inc" is Apple): shared by the recognizer and the resolver.
LEGAL_FORMS = frozenset(
    ["inc", "inc.", "corp", "corp.", "corporation", "co", "co.", "ltd", "ltd.", "llc", "plc",
     "limited", "group", "holdings", "ag", "sa", "s.a.", "gmbh", "nv", "n.v.", "spa", "s.p.a.",
     "lp", "l.p.", "bv", "b.v.", "pty", "asa", "oyj"]
)  # fmt: skip

_COARSE_OF = {fine: coarse for coarse, fines in COARSE_CLASSES.items() for fine in fines}


def coarse_class(label: str) -> str:
    """Return the coarse class (Person, Organization, Place, Product) of a class name.

    Unknown labels are returned unchanged.

    >>> coarse_class("Court"), coarse_class("City"), coarse_class("Event")
    ('Organization', 'Place', 'Event')
    """
    return _COARSE_OF.get(label, label)


@dataclass(frozen=True, slots=True)
class Article:
    """One input document, cleaned, with a stable id.

    ``text`` is the body the extractors see; every offset in the pipeline
    points into it.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    url: str | None = None
    publisher: str | None = None
    source: str | None = None  # the file (or file:line for JSON Lines) it came from


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text naming an entity (or referring to one, for coreference).

    ``label`` is an ontology class local name (``Company``, ``Person``...).
    ``key`` is a gazetteer key when the mention was recognised from knowledge.
    ``antecedent`` is the index of the mention a pronoun or description refers to.
    """

    start: int
    end: int
    text: str
    label: str
    key: str | None = None
    role: str | None = None  # a title seen with the name ("Chairman")
    source: str = "ner"  # "gazetteer", "ner", "rule", "demonym" ("Chinese"), "coref", or
    # "local": a known name the article did not support linking (kg.extract.linking)
    antecedent: int | None = None

    @property
    def coarse(self) -> str:
        """The coarse class of ``label``."""
        return coarse_class(self.label)


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """What the text says about when and how a relation holds."""

    date: str | None = None  # point in time: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Qn
    start: str | None = None
    end: str | None = None
    duration: str | None = None  # ISO 8601 duration, e.g. P7Y
    status: str | None = None  # "planned", "ongoing" or "ended"
    role: str | None = None


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    """A relation between two mentions (indices into ``Extraction.mentions``)."""

    head: int
    tail: int
    predicate: str  # a kgo: local name, e.g. "worksFor"
    confidence: float
    evidence: tuple[int, int]  # the sentence's character offsets
    qualifiers: Qualifiers = field(default_factory=Qualifiers)
    trigger: str | None = None  # the word that triggered it, for explanations


@dataclass(frozen=True, slots=True)
class ObservationCandidate:
    """A figure the text states about an entity."""

    subject: int  # index into Extraction.mentions
    metric: str  # a kgo: metric local name, e.g. "marketShare"
    value: str  # decimal as text, so it round-trips exactly
    unit: str  # "percent", "units", "rank" or an ISO 4217 currency code
    evidence: tuple[int, int]
    confidence: float = 0.7
    period: str | None = None
    place: int | None = None  # index into Extraction.mentions
    segment: str | None = None
    source: int | None = None  # index into Extraction.mentions (who reported it)
    quote: tuple[int, int] | None = None  # offsets of the figure itself


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything found in one article, before resolution."""

    article: Article
    mentions: tuple[Mention, ...]
    relations: tuple[RelationCandidate, ...]
    observations: tuple[ObservationCandidate, ...] = ()
    sentences: tuple[tuple[int, int], ...] = ()
    #: The year the text dates an undated article to (``Article.date`` is ``None``):
    #: relative dates are resolved against it, and the graph records it as inferred.
    inferred_date: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world thing, after resolution across all documents of a build."""

    id: str  # IRI-safe local id, e.g. "org/xiaomi"
    label: str  # canonical name
    cls: str  # most specific ontology class local name
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None  # Q-id
    docs: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    located_in: tuple[str, ...] = ()  # ids of the places it lies in (gazetteer knowledge)

    @property
    def coarse(self) -> str:
        """The coarse class of ``cls``."""
        return coarse_class(self.cls)


@dataclass(frozen=True, slots=True)
class Resolved:
    """An extraction whose mentions are mapped to entity ids (``None``: dropped)."""

    extraction: Extraction
    entity_ids: tuple[str | None, ...]
