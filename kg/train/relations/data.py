"""The relation classifier's training data: CoNLL04 sentences parsed by kg's pipeline.

Each sentence is used twice: with its gold entity spans in place of the
predicted ones (:func:`gold_examples`) and with the pipeline's own spans
(:func:`predicted_examples`), so the model also meets the spans it sees at
run time. :func:`featurize` turns the candidate pairs of the examples into a
:class:`TrainingSet`: one row of features per candidate, labelled with its gold
relation or ``NONE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.eval import CONLL_ENTITY_TYPES, CONLL_RELATION_TYPES, ConllSentence
from kg.extract import make_nlp
from kg.extract.entities import SPAN_KEY
from kg.extract.relation_candidates import CONLL_PREDICATES, LABELS, candidates
from kg.extract.relation_features import DocFeatures, pair_features
from kg.types import coarse_class

__all__ = [
    "Example",
    "TrainingSet",
    "concat",
    "featurize",
    "gold_examples",
    "pipeline",
    "predicted_examples",
]


@dataclass(frozen=True)
class Example:
    """A parsed sentence with entity spans in ``doc.spans["kg_entities"]`` and its gold
    relations as (head span, tail span, predicate)."""

    id: str
    doc: Doc
    gold: frozenset[tuple[int, int, str]]
    #: Candidates to leave out (the gold calls them optional, or states them elsewhere).
    ignore: frozenset[tuple[int, int, str]] = frozenset()
    #: The predicates the example is annotated for (``None``: all the classifier knows).
    predicates: frozenset[str] | None = None


@dataclass(frozen=True)
class TrainingSet:
    """One row per candidate: its features, its label and the predicate it may take."""

    rows: tuple[tuple[str, ...], ...]
    labels: tuple[int, ...]  # index into LABELS
    predicates: tuple[str, ...]  # the predicate the pair's classes allow
    keys: tuple[tuple[int, int, int], ...]  # (example, head span, tail span)
    sentences: tuple[tuple[int, int], ...]
    weights: tuple[float, ...] = ()  # per row; empty: all 1


def gold_examples(sentences: Sequence[ConllSentence], nlp: Language) -> list[Example]:
    """Parse ``sentences`` with ``nlp`` and put their gold entities in place of the predicted.

    A gold span the pipeline found with the same coarse class keeps the
    pipeline's finer class (City, Company...) and gazetteer key, as at run time; the coreference
    and lexicon components (when present) run again over the gold spans.
    """
    texts = [s.text for s in sentences]
    examples = []
    for sentence, doc in zip(sentences, nlp.pipe(texts), strict=True):
        predicted = {(s.start, s.end): s for s in doc.spans.get(SPAN_KEY, [])}
        spans: list[Span] = []
        index: dict[int, int] = {}
        order = sorted(
            (e.char_start, n)
            for n, e in enumerate(sentence.entities)
            if e.type in CONLL_ENTITY_TYPES
        )
        for _, n in order:
            entity = sentence.entities[n]
            span = doc.char_span(entity.char_start, entity.char_end)
            if span is None:
                continue
            coarse = CONLL_ENTITY_TYPES[entity.type]
            same = predicted.get((span.start, span.end))
            if same is not None and coarse_class(same.label_) == coarse:
                label, key = same.label_, same.kb_id_
            else:
                label, key = coarse, ""
            index[n] = len(spans)
            spans.append(Span(doc, span.start, span.end, label=label, kb_id=key))
        _reannotate(doc, spans, nlp)
        gold = frozenset(
            (index[r.head], index[r.tail], CONLL_RELATION_TYPES[r.type])
            for r in sentence.relations
            if r.head in index and r.tail in index
        )
        examples.append(Example(sentence.id, doc, gold, predicates=CONLL_PREDICATES))
    return examples


def _reannotate(doc: Doc, spans: list[Span], nlp: Language) -> None:
    roles = doc._.kg_roles or {}
    doc.spans[SPAN_KEY] = spans
    doc._.kg_roles = {
        s.start: roles[s.start] for s in spans if s.start in roles and s.label_ == "Person"
    }
    for name in ("kg_coref", "kg_relations"):
        if name in nlp.pipe_names:
            nlp.get_pipe(name)(doc)


def predicted_examples(sentences: Sequence[ConllSentence], nlp: Language) -> list[Example]:
    """Parse ``sentences`` keeping the pipeline's own entities.

    A predicted span stands for the gold entity of the same coarse class it
    overlaps most (boundaries are the recognizer's business, not the
    classifier's); a gold relation between two entities labels the pairs
    standing for them. Spans standing for no gold entity (a demonym taken
    for a place, a headline word) take part in ``NONE`` pairs only.
    """
    texts = [s.text for s in sentences]
    examples = []
    for sentence, doc in zip(sentences, nlp.pipe(texts), strict=True):
        spans = list(doc.spans.get(SPAN_KEY, []))
        stands_for: dict[int, int] = {}
        for n, span in enumerate(spans):
            overlaps = [
                (min(span.end_char, e.char_end) - max(span.start_char, e.char_start), -g)
                for g, e in enumerate(sentence.entities)
                if e.type in CONLL_ENTITY_TYPES
                and CONLL_ENTITY_TYPES[e.type] == coarse_class(span.label_)
                and min(span.end_char, e.char_end) > max(span.start_char, e.char_start)
            ]
            if overlaps:
                stands_for[n] = -max(overlaps)[1]
        relations = {(r.head, r.tail): CONLL_RELATION_TYPES[r.type] for r in sentence.relations}
        gold = frozenset(
            (h, t, relations[(stands_for[h], stands_for[t])])
            for h in stands_for
            for t in stands_for
            if h != t and (stands_for[h], stands_for[t]) in relations
        )
        examples.append(Example(sentence.id, doc, gold, predicates=CONLL_PREDICATES))
    return examples


def featurize(examples: Sequence[Example], *, weight: float = 1.0) -> TrainingSet:
    """The candidates of every example, with features and labels, in order; each row
    weighs ``weight`` in the fit."""
    rows, labels, predicates, keys, sentences = [], [], [], [], []
    for n, example in enumerate(examples):
        doc = example.doc
        view = DocFeatures(doc)
        by_pair: dict[tuple[int, int], tuple[str, ...]] = {}
        for c in candidates(doc, example.predicates):
            if (c.head, c.tail, c.predicate) in example.ignore:
                continue
            row = by_pair.get((c.head, c.tail))
            if row is None:  # a pair's features serve all its predicates
                row = by_pair[(c.head, c.tail)] = tuple(
                    pair_features(doc, c.head, c.tail, sentence=c.sentence, view=view)
                )
            rows.append(row)
            gold = (c.head, c.tail, c.predicate) in example.gold
            labels.append(LABELS.index(c.predicate) if gold else 0)
            predicates.append(c.predicate)
            keys.append((n, c.head, c.tail))
            sentences.append(c.sentence)
    return TrainingSet(
        tuple(rows),
        tuple(labels),
        tuple(predicates),
        tuple(keys),
        tuple(sentences),
        (weight,) * len(rows),
    )


def concat(*sets: TrainingSet) -> TrainingSet:
    """Several training sets as one (keys keep their own example numbering)."""
    return TrainingSet(
        tuple(r for s in sets for r in s.rows),
        tuple(r for s in sets for r in s.labels),
        tuple(r for s in sets for r in s.predicates),
        tuple(r for s in sets for r in s.keys),
        tuple(r for s in sets for r in s.sentences),
        tuple(w for s in sets for w in (s.weights or (1.0,) * len(s.rows))),
    )


def pipeline(ner: str | Path | None = None) -> Language:
    """kg's pipeline (:func:`kg.extract.make_nlp`), its ``ner`` weights read from ``ner`` if given.

    ``ner`` is a folder written by ``nlp.get_pipe("ner").to_disk`` (``kg/models/ner``).
    """
    nlp = make_nlp(classifier=False)
    if ner is not None:
        nlp.get_pipe("ner").from_disk(ner)  # type: ignore[attr-defined]
    return nlp
