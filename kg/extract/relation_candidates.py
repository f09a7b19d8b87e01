"""Which pairs of entity mentions the relation classifier considers (:mod:`kg.extract.classifier`).

Every ordered pair of entity mentions in one sentence is a :class:`Candidate`
once for each predicate whose signature its coarse classes fit; a sentence is
one of :func:`sentence_units` (the parser's sentences, joining a piece cut too
early). :mod:`kg.extract.relation_features` describes each candidate.

>>> import spacy
>>> from spacy.tokens import Doc, Span
>>> nlp = spacy.blank("en")
>>> doc = Doc(nlp.vocab, words=["Ann", "Lee", "lives", "in", "Oslo"],
...           heads=[1, 2, 2, 2, 3], deps=["compound", "nsubj", "ROOT", "prep", "pobj"])
>>> doc.spans["kg_entities"] = [Span(doc, 0, 2, label="Person"), Span(doc, 4, 5, label="City")]
>>> [(c.head, c.tail, c.predicate) for c in candidates(doc)]
[(0, 1, 'livesIn')]
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from kg.extract.entities import SPAN_KEY
from kg.ontology import CORE_PREDICATES, SIGNATURES
from kg.types import coarse_class

#: The predicates the classifier knows (the fifteen core ones), in label order after ``NONE``.
PREDICATES: tuple[str, ...] = CORE_PREDICATES
#: The predicates of CoNLL04, the only ones its sentences are annotated for.
CONLL_PREDICATES: frozenset[str] = frozenset(
    {"worksFor", "basedIn", "locatedIn", "livesIn", "killed"}
)
#: The model's labels: no relation, then the predicates.
LABELS: tuple[str, ...] = ("NONE", *PREDICATES)
#: (head coarse class, tail coarse class) -> the predicates whose signature fits it.
PREDICATES_OF: dict[tuple[str, str], tuple[str, ...]] = {
    pair: tuple(
        p for p in PREDICATES if pair[0] in SIGNATURES[p][0] and pair[1] in SIGNATURES[p][1]
    )
    for pair in (
        (subject, obj)
        for predicate in PREDICATES
        for subject in sorted(SIGNATURES[predicate][0])
        for obj in sorted(SIGNATURES[predicate][1])
    )
}
#: The trigger recorded on relations the classifier adds.
TRIGGER = "classifier"

_TERMINAL = frozenset({".", "!", "?", '"', "''", "'", "”", "’", ")"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """An ordered pair of entity spans of one sentence that a predicate's signature allows.

    ``head``/``tail`` index ``doc.spans["kg_entities"]`` (and so the mention table).
    """

    head: int
    tail: int
    predicate: str
    sentence: tuple[int, int]  # token span


def sentence_units(doc: Doc) -> list[tuple[int, int]]:
    """The token spans of the doc's sentences, joining a piece the parser cut too early.

    A parser sentence that does not end in terminal punctuation (". ! ?" or a
    closing quote) runs on into the next one ("... said Tuesday ; the ...").
    A doc without sentence boundaries is one sentence.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> doc = Doc(nlp.vocab, words=["A", "b", "C", "d", "."],
    ...           sent_starts=[True, False, True, False, False])
    >>> sentence_units(doc)
    [(0, 5)]
    """
    if len(doc) == 0:
        return []
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return [(0, len(doc))]
    units: list[tuple[int, int]] = []
    for sent in doc.sents:
        if units and not _ends_sentence(doc, units[-1]):
            units[-1] = (units[-1][0], sent.end)
        else:
            units.append((sent.start, sent.end))
    return units


def _ends_sentence(doc: Doc, unit: tuple[int, int]) -> bool:
    """Whether the unit's last token that is not white space is terminal punctuation."""
    for i in range(unit[1] - 1, unit[0] - 1, -1):
        if not doc[i].is_space:
            return doc[i].text in _TERMINAL
    return False


#: A sentence with more mentions than this (a list of names, a flattened table)
#: pairs each mention only with the NEIGHBOURS nearest on either side: pairing
#: every two would grow with the square of the list, the features with its cube.
DENSE = 40
NEIGHBOURS = 20


def candidates(doc: Doc, predicates: frozenset[str] | None = None) -> list[Candidate]:
    """Every ordered pair of entity spans in one sentence, once for each predicate whose
    signature its classes fit (among ``predicates``, default all the classifier knows).

    Overlapping spans are never paired; in a sentence with more than
    :data:`DENSE` mentions a mention is paired only with its :data:`NEIGHBOURS`
    nearest on either side. Returned in text order (head, then tail).
    """
    spans = list(doc.spans[SPAN_KEY]) if SPAN_KEY in doc.spans else []
    if not spans:
        return []
    units = sentence_units(doc)
    unit_of = {}
    for index, (start, end) in enumerate(units):
        for i in range(start, end):
            unit_of[i] = index
    members: dict[int, list[int]] = {}  # unit -> its spans, in list order
    for n, span in enumerate(spans):
        unit = unit_of.get(span.start)
        if unit is not None:
            members.setdefault(unit, []).append(n)
    found = []
    for h, head in enumerate(spans):
        unit = unit_of.get(head.start)
        if unit is None:
            continue
        others = members[unit]
        if len(others) > DENSE:
            at = others.index(h)
            others = others[max(0, at - NEIGHBOURS) : at + NEIGHBOURS + 1]
        for t in others:
            tail = spans[t]
            if h == t or (head.start < tail.end and tail.start < head.end):
                continue
            allowed = PREDICATES_OF.get((coarse_class(head.label_), coarse_class(tail.label_)), ())
            for predicate in allowed:
                if predicates is None or predicate in predicates:
                    found.append(Candidate(h, t, predicate, units[unit]))
    return found


__all__ = [
    "CONLL_PREDICATES",
    "DENSE",
    "LABELS",
    "NEIGHBOURS",
    "PREDICATES",
    "PREDICATES_OF",
    "TRIGGER",
    "Candidate",
    "candidates",
    "sentence_units",
]
