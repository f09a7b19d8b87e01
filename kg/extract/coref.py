"""Rule-based coreference for the references news uses most.

"the company", "the Chinese telecom equipment maker", "the executive", "it",
"its", "he" are linked to an earlier entity mention so that relations stated
about them reach the right node. Candidates must agree in class with the
description (a "maker" is a company, "the executive" a person); a nationality
adjective ("the Chinese company") prefers antecedents the gazetteer places in
that country; among the rest the nearest mention in the same sentence, then
the nearest earlier subject, then the nearest mention wins.

The ``kg_coref`` component writes ``doc._.kg_coref``: a list of
``(start, end, antecedent)`` token spans, ``antecedent`` indexing
``doc.spans["kg_entities"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.attrs import LOWER, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract.columns import strings
from kg.extract.entities import SPAN_KEY
from kg.extract.syntax import is_subject
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.ontology import Lexicon, load_lexicon
from kg.types import LEGAL_FORMS, coarse_class

ORG_PRONOUNS = frozenset({"it", "its", "itself"})
PERSON_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
_DEFINITE = frozenset({"the", "this", "that"})
_WINDOW = 5  # sentences a description may reach back; pronouns reach back two
_LEGAL_FORMS = frozenset(w.rstrip(".") for w in LEGAL_FORMS)


@dataclass(frozen=True, slots=True)
class Anaphor:
    """A reference to resolve: its token span, the class it wants, and optionally the
    country it is placed in and the head noun its antecedent's name must end in."""

    start: int
    end: int
    cls: str
    country: str | None = None
    head: str | None = None


if not Doc.has_extension("kg_coref"):
    Doc.set_extension("kg_coref", default=None)


class CorefResolver:
    """The ``kg_coref_v1`` component (see the module docstring)."""

    def __init__(self, name: str, *, gazetteer: Gazetteer, lexicon: Lexicon) -> None:
        self.name = name
        self.gazetteer = gazetteer
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def anaphors(self, doc: Doc) -> list[Anaphor]:
        """Return every reference to resolve, in text order."""
        covered = {i for span in doc.spans[SPAN_KEY] for i in range(span.start, span.end)}
        starts = {span.start for span in doc.spans[SPAN_KEY]}
        heads = organization_heads(doc.spans[SPAN_KEY])
        found: list[Anaphor] = []
        lowers, pos, tags = strings(doc, LOWER), strings(doc, POS), strings(doc, TAG)
        descriptors = self.lexicon.descriptors
        for i, low in enumerate(lowers):
            if i in covered:
                continue
            if pos[i] == "PRON" and low in ORG_PRONOUNS:
                found.append(Anaphor(i, i + 1, "Organization"))
            elif pos[i] == "PRON" and low in PERSON_PRONOUNS:
                found.append(Anaphor(i, i + 1, "Person"))
            elif pos[i] in {"NOUN", "PROPN"} and tags[i] not in {"NNS", "NNPS"}:
                previous = lowers[i - 1] if i > 0 else ""
                if (
                    low not in heads
                    and (descriptors.get(f"{previous} {low}") or descriptors.get(low)) is None
                ):
                    continue  # neither a name's head noun nor a description
                token = doc[i]
                description = self._head_noun(doc, token, covered, heads) or self._description(
                    doc, token, covered, starts
                )
                if description is not None:
                    found.append(description)
        return found

    def _head_noun(
        self, doc: Doc, token: Token, covered: set[int], heads: frozenset[str]
    ) -> Anaphor | None:
        """A common noun that ends an organization's name of the article, used definitely
        ("the union" after "Finance Sector Union", "the service's chief executive") or
        in front of a title ("ministry spokesman Aziz Ahmed Khan")."""
        if token.lower_ not in heads or (token.text != token.lower_ and not token.is_sent_start):
            return None
        titles = self.lexicon.cue("roleTitles")
        if token.dep_ in {"compound", "nmod"} and token.head.lower_ in titles:
            return Anaphor(token.i, token.i + 1, "Organization", head=token.lower_)
        left = token.left_edge.i
        if doc[left].lower_ not in _DEFINITE or any(i in covered for i in range(left, token.i)):
            return None
        return Anaphor(left, token.i + 1, "Organization", head=token.lower_)

    def _description(
        self, doc: Doc, token: Token, covered: set[int], starts: set[int]
    ) -> Anaphor | None:
        previous = doc[token.i - 1].lower_ if token.i > 0 else ""
        cls = self.lexicon.descriptors.get(
            f"{previous} {token.lower_}"
        ) or self.lexicon.descriptors.get(token.lower_)
        if cls is None or token.i + 1 in starts:
            return None  # "the Chinese company Huawei": an apposition, not a reference
        if (
            token.i + 1 < len(doc)
            and doc[token.i + 1].dep_ == "appos"
            and doc[token.i + 1].i in covered
        ):
            return None
        left = token.left_edge.i
        if doc[left].lower_ not in _DEFINITE:
            return None
        if any(
            i in covered and not self._is_demonym(doc, i) and not _before_hyphen(doc, i)
            for i in range(left, token.i)
        ):
            return None  # "the US government" names its own entity
        country = None
        for i in range(left, token.i):
            for span in doc.spans[SPAN_KEY]:
                if span.start == i and coarse_class(span.label_) == "Place" and span.kb_id_:
                    country = span.kb_id_
        return Anaphor(left, token.i + 1, cls, country)

    def _is_demonym(self, doc: Doc, i: int) -> bool:
        """Whether token ``i`` is part of a nationality word ("Chinese", "South Korean")."""
        for span in doc.spans[SPAN_KEY]:
            if span.start <= i < span.end:
                return any(span.text in e.demonyms for e in self.gazetteer.lookup(span.text))
        return False

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Return (start, end, antecedent index) for each resolved reference."""
        spans: Sequence[Span] = list(doc.spans[SPAN_KEY])
        positions = [spans[i].root.i for i in range(len(spans))]
        resolved: list[tuple[int, int, int]] = []
        anaphors = sorted(self.anaphors(doc), key=lambda a: (a.start, a.end))
        events = sorted(
            [(p, 0, i) for i, p in enumerate(positions)]
            + [(a.start, 1, j) for j, a in enumerate(anaphors)]
        )
        history: list[tuple[int, int]] = []  # (token index, entity index), in text order
        sentence_of = [0] * len(doc)  # token index -> sentence number
        for number, sent in enumerate(doc.sents):
            sentence_of[sent.start : sent.end] = [number] * len(sent)
        for position, kind, index in events:
            if kind == 0:
                history.append((position, index))
                continue
            anaphor = anaphors[index]
            antecedent = self._antecedent(doc, spans, history, sentence_of, anaphor)
            if antecedent is not None:
                resolved.append((anaphor.start, anaphor.end, antecedent))
                history.append((doc[anaphor.end - 1].i, antecedent))
        return resolved

    def _antecedent(
        self,
        doc: Doc,
        spans: Sequence[Span],
        history: list[tuple[int, int]],
        sentence_of: Sequence[int],
        anaphor: Anaphor,
    ) -> int | None:
        start, cls, country = anaphor.start, anaphor.cls, anaphor.country
        window = _WINDOW if doc[start].pos_ != "PRON" else 2
        if anaphor.head is not None:
            window = len(doc)  # the name's own head noun: the article is the window
        owner = _coordinated_owner(doc, start, history)
        if owner is not None and _compatible(spans[owner].label_, cls):
            return owner  # "Citizens Fidelity Corp and its unit ...": its is the conjunct's
        here = sentence_of[start]
        candidates = []
        for position, entity in reversed(history):
            span = spans[entity]
            distance = here - sentence_of[position]
            if distance > window:
                break
            if not _compatible(span.label_, cls):
                continue
            if country and not self._in_country(span, country):
                continue
            if anaphor.head is not None and _head(span).lower_ != anaphor.head:
                continue
            candidates.append((position, entity, distance))
        if not candidates and country:
            return self._antecedent(
                doc, spans, history, sentence_of, Anaphor(start, anaphor.end, cls)
            )
        if not candidates:
            return None
        same = [c for c in candidates if c[2] == 0]
        subjects = [c for c in candidates if is_subject(doc[c[0]])]
        same_subjects = [c for c in same if is_subject(doc[c[0]])]
        # The subject of a main clause is more salient than one of a reported clause.
        recent_subjects = sorted(
            (c for c in subjects if c[2] <= 1), key=lambda c: (c[2], not _main_clause(doc[c[0]]))
        )
        for group in (same_subjects, same, recent_subjects, candidates):
            if group:
                # A mention of exactly the described class beats a coarser one.
                exact = [c for c in group if spans[c[1]].label_ == cls]
                return (exact or group)[0][1]
        return None

    def _in_country(self, span: Span, country: str) -> bool:
        keys = span.kb_id_.split("|") if span.kb_id_ else []
        return any(
            (entry := self.gazetteer.entries.get(k)) is not None and entry.country == country
            for k in keys
        )

    def set_annotations(self, doc: Doc, resolved: list[tuple[int, int, int]]) -> None:
        """Store the resolved references in ``doc._.kg_coref``."""
        doc._.kg_coref = resolved


def organization_heads(spans: Sequence[Span]) -> frozenset[str]:
    """The head nouns (lower case) of the organizations' names of several words, legal
    forms aside: "Finance Sector Union" gives "union", "Ministry of Defence" "ministry".

    >>> import spacy
    >>> doc = spacy.blank("en")("Finance Sector Union and Acme Corp")
    >>> sorted(organization_heads([Span(doc, 0, 3, "Organization"), Span(doc, 4, 6, "Company")]))
    ['union']
    """
    return frozenset(
        _head(span).lower_
        for span in spans
        if len(span) > 1
        and coarse_class(span.label_) == "Organization"
        and _head(span).lower_.rstrip(".") not in _LEGAL_FORMS
        and _head(span).is_alpha
    )


def _coordinated_owner(doc: Doc, start: int, history: Sequence[tuple[int, int]]) -> int | None:
    """The entity a possessive pronoun refers to when what it owns is coordinated with
    that entity's mention: "X and its unit Y", "X and their lawyers"."""
    pronoun = doc[start]
    owned = pronoun.head
    if pronoun.dep_ != "poss" or owned.dep_ != "conj":
        return None
    return next((entity for position, entity in history if position == owned.head.i), None)


def _head(span: Span) -> Token:
    """A name's syntactic head; without a parse, its last word."""
    return span.root if span.doc.has_annotation("DEP") else span[-1]


def _main_clause(token: Token) -> bool:
    """Whether a subject (or the possessor of one) belongs to its sentence's main verb."""
    if token.dep_ == "poss":
        token = token.head
    return token.head.dep_ == "ROOT"


def _before_hyphen(doc: Doc, i: int) -> bool:
    """ "the Beijing-based maker": a place inside a compound modifier."""
    return i + 1 < len(doc) and doc[i + 1].text == "-"


def _compatible(label: str, wanted: str) -> bool:
    """Whether a mention of class ``label`` can be referred to as a ``wanted``.

    >>> _compatible("Company", "Organization"), _compatible("Organization", "Company")
    (True, True)
    >>> _compatible("GovernmentAgency", "Company"), _compatible("Person", "Organization")
    (False, False)
    """
    if coarse_class(label) != coarse_class(wanted):
        return False
    coarse = coarse_class(wanted)
    return label in (wanted, coarse) or wanted == coarse


def make_coref(nlp: Language, name: str, gazetteer_files: Sequence[str] = ()) -> CorefResolver:
    """Build the component with the shipped gazetteer plus ``gazetteer_files``."""
    return CorefResolver(name, gazetteer=load_gazetteer(gazetteer_files), lexicon=load_lexicon())


Language.factory("kg_coref_v1", default_config={"gazetteer_files": []}, func=make_coref)
