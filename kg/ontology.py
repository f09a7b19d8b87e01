"""The ontology and its lexicon, read from ``ontology/*.ttl``.

The Turtle files are the single source of truth: Python reaches terms through
:class:`KGO`, a namespace that fails on a typo, and reads relation words and
cue lists from the lexicon file (known entities: :mod:`kg.gazetteer`).

>>> str(KGO.worksFor)
'https://w3id.org/kg-builder/ontology#worksFor'
>>> KGO.workFor
Traceback (most recent call last):
...
AttributeError: term 'workFor' not in namespace 'https://w3id.org/kg-builder/ontology#'
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DefinedNamespace

from kg.errors import OntologyError
from kg.rdf.prefixes import KGO_IRI, KGR_IRI, WD_IRI
from kg.rdf.terms import to_rdflib

__all__ = [
    "CORE_PREDICATES",
    "ENTITY_CLASSES",
    "KGG",
    "KGG_IRI",
    "KGL",
    "KGL_IRI",
    "KGO",
    "KGO_IRI",
    "KGR_IRI",
    "PROV",
    "SCHEMA",
    "SIGNATURES",
    "SYMMETRIC_PREDICATES",
    "WD",
    "WD_IRI",
    "Lexicon",
    "Trigger",
    "load_lexicon",
    "normalize_name",
    "ontology_dir",
    "ontology_graph",
    "package_data_dir",
    "parse_trigger",
    "read_turtle",
]

KGG_IRI = "https://w3id.org/kg-builder/gazetteer/"
KGL_IRI = "https://w3id.org/kg-builder/lexicon#"

KGG = Namespace(KGG_IRI)
KGL = Namespace(KGL_IRI)
WD = Namespace(WD_IRI)
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")


class KGO(DefinedNamespace):
    """The kg-builder ontology namespace (kgo:). Every term is declared in ontology/kgo.ttl."""

    _fail = True
    _NS = Namespace(KGO_IRI)

    # classes
    Entity: URIRef
    Organization: URIRef
    Company: URIRef
    GovernmentAgency: URIRef
    Court: URIRef
    MediaOrganization: URIRef
    ResearchFirm: URIRef
    Person: URIRef
    Place: URIRef
    Country: URIRef
    City: URIRef
    Region: URIRef
    Product: URIRef
    Document: URIRef
    Statement: URIRef
    Status: URIRef
    Observation: URIRef
    Metric: URIRef
    CueSet: URIRef
    # the fifteen core predicates, their super-property and inverses
    relation: URIRef
    worksFor: URIRef
    employs: URIRef
    basedIn: URIRef
    locatedIn: URIRef
    livesIn: URIRef
    killed: URIRef
    operatesIn: URIRef
    plansToEnter: URIRef
    partnersWith: URIRef
    competesWith: URIRef
    produces: URIRef
    producedBy: URIRef
    sells: URIRef
    subsidiaryOf: URIRef
    sanctions: URIRef
    liftsSanctionOn: URIRef
    sues: URIRef
    # names, documents, gazetteer knowledge
    mentionedIn: URIRef
    dateInferred: URIRef
    demonym: URIRef
    ambiguousLabel: URIRef
    metonym: URIRef
    country: URIRef
    brandOf: URIRef
    # statements
    evidence: URIRef
    evidenceStart: URIRef
    evidenceEnd: URIRef
    confidence: URIRef
    trigger: URIRef
    date: URIRef
    startDate: URIRef
    endDate: URIRef
    duration: URIRef
    status: URIRef
    role: URIRef
    Planned: URIRef
    Ongoing: URIRef
    Ended: URIRef
    # corroboration, quarantine and candidates (kg.graph.records, kg.graph.validate)
    Fact: URIRef
    supportedBy: URIRef
    tripleSubject: URIRef
    triplePredicate: URIRef
    tripleObject: URIRef
    QuarantinedTriple: URIRef
    quarantinedFrom: URIRef
    reason: URIRef
    violates: URIRef
    CandidateStatement: URIRef
    # observations
    observedEntity: URIRef
    metric: URIRef
    value: URIRef
    unit: URIRef
    period: URIRef
    place: URIRef
    segment: URIRef
    reportedBy: URIRef
    marketShare: URIRef
    revenue: URIRef
    revenueGrowth: URIRef
    netIncome: URIRef
    shipments: URIRef
    shipmentGrowth: URIRef
    sales: URIRef
    salesGrowth: URIRef
    growth: URIRef
    rank: URIRef
    employees: URIRef
    users: URIRef
    valuation: URIRef
    investment: URIRef
    fine: URIRef
    # lexical hooks
    lemma: URIRef
    verb: URIRef
    verbPrep: URIRef
    noun: URIRef
    adjective: URIRef
    inverseVerb: URIRef
    inverseNoun: URIRef
    descriptor: URIRef
    nameWord: URIRef
    minConfidence: URIRef


#: The fifteen predicates of CONTRACT.md, in its order.
CORE_PREDICATES: tuple[str, ...] = (
    "worksFor",
    "basedIn",
    "locatedIn",
    "livesIn",
    "killed",
    "operatesIn",
    "plansToEnter",
    "partnersWith",
    "competesWith",
    "produces",
    "sells",
    "subsidiaryOf",
    "sanctions",
    "liftsSanctionOn",
    "sues",
)
SYMMETRIC_PREDICATES = frozenset({"partnersWith", "competesWith"})

#: Entity classes, most specific first within each coarse class.
ENTITY_CLASSES: tuple[str, ...] = (
    "Company",
    "GovernmentAgency",
    "Court",
    "MediaOrganization",
    "ResearchFirm",
    "Organization",
    "Person",
    "Country",
    "City",
    "Region",
    "Place",
    "Product",
)

#: Coarse class constraints of each core predicate: (subject classes, object classes).
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "worksFor": (frozenset({"Person"}), frozenset({"Organization"})),
    "basedIn": (frozenset({"Organization"}), frozenset({"Place"})),
    "locatedIn": (frozenset({"Place"}), frozenset({"Place"})),
    "livesIn": (frozenset({"Person"}), frozenset({"Place"})),
    "killed": (frozenset({"Person"}), frozenset({"Person"})),
    "operatesIn": (frozenset({"Organization"}), frozenset({"Place"})),
    "plansToEnter": (frozenset({"Organization"}), frozenset({"Place"})),
    "partnersWith": (frozenset({"Organization"}), frozenset({"Organization"})),
    "competesWith": (frozenset({"Organization"}), frozenset({"Organization"})),
    "produces": (frozenset({"Organization"}), frozenset({"Product"})),
    "sells": (frozenset({"Organization"}), frozenset({"Organization", "Product"})),
    "subsidiaryOf": (frozenset({"Organization"}), frozenset({"Organization"})),
    "sanctions": (
        frozenset({"Organization", "Person", "Place"}),
        frozenset({"Organization"}),
    ),
    "liftsSanctionOn": (
        frozenset({"Organization", "Person", "Place"}),
        frozenset({"Organization"}),
    ),
    "sues": (frozenset({"Organization", "Person"}), frozenset({"Organization", "Person"})),
}


def ontology_dir() -> Path:
    """Return the folder holding the shipped ontology files.

    >>> (ontology_dir() / "kgo.ttl").is_file()
    True
    """
    return package_data_dir("kg._ontology", "ontology", "kgo.ttl")


def package_data_dir(package: str, folder: str, marker: str) -> Path:
    """Find a data folder shipped as ``package``, or ``folder`` in the source tree.

    In a checkout (or an editable install) the folder at the top of the
    repository is used; in an installed wheel, the copy setuptools packaged.

    >>> package_data_dir("kg._corpus", "corpus", "*.txt").name
    'corpus'
    """
    source = Path(__file__).resolve().parents[1] / folder
    if any(source.glob(marker)):
        return source
    # The data packages have no __init__.py: namespace packages, whose folders
    # find_spec lists (importlib.resources would give a MultiplexedPath).
    try:
        spec = importlib.util.find_spec(package)
    except ImportError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if any(Path(location).glob(marker)):
            return Path(location)
    raise OntologyError(f"the {folder}/ data of kg is missing: reinstall kg.")


def _parse(paths: Iterable[Path]) -> Graph:
    """Read Turtle files into one rdflib graph (parsed by pyoxigraph: 10x rdflib's parser)."""
    graph = Graph()
    for path in paths:
        for t in read_turtle(path):
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
    return graph


@cache
def ontology_graph() -> Graph:
    """Return the ontology (``kgo.ttl``) as an rdflib graph.

    Its blank nodes (the members of an ``owl:oneOf`` list) get canonical
    labels, so the ontology graph every build carries is written the same way
    in every process.

    >>> from rdflib import OWL
    >>> (KGO.partnersWith, RDF.type, OWL.SymmetricProperty) in ontology_graph()
    True
    """
    canonical = Graph()
    canonical += to_canonical_graph(_parse([ontology_dir() / "kgo.ttl"]))
    return canonical


#################################################################
# Lexicon
#################################################################


@dataclass(frozen=True, slots=True)
class Trigger:
    """One lexicon entry: a lemma (plus particle) and the preposition that introduces the object.

    ``kind`` is ``verb``, ``verbPrep``, ``noun`` or ``adjective``.
    """

    predicate: str
    kind: str
    lemma: str
    particle: str | None = None
    prep: str | None = None
    suffix: bool = False  # "-based": matches the end of a hyphenated modifier
    inverse: bool = False  # the object is the predicate's subject ("Acme acquired Beta")


@dataclass(frozen=True)
class Lexicon:
    """Relation triggers per lemma, cue sets and class descriptors."""

    triggers: dict[str, tuple[Trigger, ...]]  # by head lemma
    suffixes: tuple[Trigger, ...]
    cues: dict[str, frozenset[str]]
    descriptors: dict[str, str]  # descriptor noun (last word) -> class local name
    name_words: dict[str, str] = field(default_factory=dict)  # word in a name -> class
    confidence: dict[str, float] = field(default_factory=dict)

    def cue(self, name: str) -> frozenset[str]:
        """Return the lemmas of a cue set (``planning``, ``ending``, ``roleTitles``...)."""
        return self.cues.get(name, frozenset())


_PREPOSITIONS = frozenset(
    [
        "in",
        "into",
        "to",
        "with",
        "for",
        "at",
        "of",
        "on",
        "against",
        "between",
        "from",
        "by",
        "as",
        "about",
    ]
)


def parse_trigger(predicate: str, kind: str, text: str) -> Trigger:
    """Split a lexicon string into lemma, particle and preposition.

    >>> t = parse_trigger("partnersWith", "verbPrep", "tie up with")
    >>> t.lemma, t.particle, t.prep
    ('tie', 'up', 'with')
    >>> parse_trigger("basedIn", "adjective", "-based").suffix
    True
    """
    words = text.lower().split()
    if kind == "adjective" and words[0].startswith("-"):
        return Trigger(predicate, kind, words[0][1:], suffix=True)
    prep = words[-1] if len(words) > 1 and words[-1] in _PREPOSITIONS else None
    core = words[:-1] if prep else words
    lemma = core[0]
    particle = " ".join(core[1:]) or None
    return Trigger(predicate, kind, lemma, particle=particle, prep=prep)


@cache
def load_lexicon() -> Lexicon:
    """Read ``ontology/lexicon.ttl`` into a :class:`Lexicon`.

    >>> lex = load_lexicon()
    >>> any(t.predicate == "sanctions" for t in lex.triggers["ban"])
    True
    >>> "aim" in lex.cue("planning")
    True
    """
    graph = _parse([ontology_dir() / "lexicon.ttl"])
    by_lemma: dict[str, list[Trigger]] = {}
    suffixes: list[Trigger] = []
    confidence: dict[str, float] = {}
    kinds = {
        KGO.verb: ("verb", False),
        KGO.verbPrep: ("verbPrep", False),
        KGO.noun: ("noun", False),
        KGO.adjective: ("adjective", False),
        KGO.inverseVerb: ("verb", True),
        KGO.inverseNoun: ("noun", True),
    }
    for prop, (kind, inverse) in kinds.items():
        for subject, text in graph.subject_objects(prop):
            predicate = str(subject).removeprefix(KGO_IRI)
            if predicate not in CORE_PREDICATES:
                raise OntologyError(f"lexicon.ttl: {predicate} is not a core predicate.")
            trigger = parse_trigger(predicate, kind, str(text))
            if kind == "verb" and trigger.prep:
                trigger = replace(trigger, kind="verbPrep")
            trigger = replace(trigger, inverse=inverse)
            if trigger.suffix:
                suffixes.append(trigger)
            else:
                by_lemma.setdefault(trigger.lemma, []).append(trigger)
    for subject, value in graph.subject_objects(KGO.minConfidence):
        confidence[str(subject).removeprefix(KGO_IRI)] = float(str(value))
    cues = {
        str(s).removeprefix(KGL_IRI): frozenset(
            str(lemma).lower() for lemma in graph.objects(s, KGO.lemma)
        )
        for s in graph.subjects(RDF.type, KGO.CueSet)
    }
    descriptors: dict[str, str] = {}
    for cls, text in sorted(graph.subject_objects(KGO.descriptor)):
        descriptors.setdefault(str(text).lower(), str(cls).removeprefix(KGO_IRI))
    name_words: dict[str, str] = {}
    for cls, text in sorted(graph.subject_objects(KGO.nameWord)):
        name_words.setdefault(str(text), str(cls).removeprefix(KGO_IRI))
    return Lexicon(
        name_words=name_words,
        triggers={k: tuple(sorted(v, key=_trigger_key)) for k, v in sorted(by_lemma.items())},
        suffixes=tuple(sorted(suffixes, key=_trigger_key)),
        cues=cues,
        descriptors=descriptors,
        confidence=confidence,
    )


def _trigger_key(t: Trigger) -> tuple[str, str, str, str, str]:
    return (t.predicate, t.kind, t.lemma, t.particle or "", t.prep or "")


_LEADING_THE = re.compile(r"^(?:the\s+)+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:\s*(?:'s|’s))+$")


def normalize_name(name: str) -> str:
    """Normalise a name for comparison (the rules of GOLD.md).

    NFKC, case folding, white space collapsed, a leading "the " and a trailing
    possessive dropped.

    >>> normalize_name("  The Pentagon’s ")
    'pentagon'
    >>> normalize_name("AT&T")
    'at&t'

    The rules are applied until nothing changes, so that a normalised name
    normalises to itself ("The the Band's's" and "band" are one name;
    case folding can undo NFKC: U+0345 folds to "ι", which NFKC keeps).

    >>> normalize_name("THE THE Band's’s"), normalize_name("ǅ")
    ('band', 'dž')
    """
    text = name
    for _ in range(100):  # a fixed point within two or three rounds
        before = text
        text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        text = " ".join(text.split())
        text = _LEADING_THE.sub("", text)
        text = _POSSESSIVE.sub("", text).strip()
        if text == before:
            break
    return text


def read_turtle(path: Path) -> list[ox.Triple]:
    try:
        return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError, ValueError) as err:
        raise OntologyError(f"{path}: not valid Turtle ({err}). Fix or remove the file.") from err
