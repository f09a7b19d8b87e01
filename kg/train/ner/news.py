"""kg's real-news gold (train split) -> training annotations.

The train split of kg's real-news gold set (``eval/news/train.jsonl`` and
``train.gold.json``; the dev split is never read here), projected onto the
text (:func:`news_annotation`):

- every occurrence of every name of an article's gold entities, at token
  boundaries, longest first, never overlapping, gets the label of its
  entity's class (:data:`CLASS_LABELS`): Person -> PERSON; organisations,
  companies, agencies, courts, media -> ORG; Country, City -> GPE; Region ->
  GPE if the stock model calls that name GPE at half its occurrences or more (a
  state), else LOC; Place -> FAC if it calls it FAC, else LOC; Product ->
  PRODUCT. Titles in front of a person's name are left unannotated, as for
  CoNLL04;
- names of ``optional`` entities are left unannotated (missing), not outside;
- the stock model's spans of other labels (DATE, MONEY, NORP...) are kept
  where they overlap no name; its PERSON, ORG, GPE, LOC, FAC and PRODUCT
  spans are not: the gold is exhaustive for them, so "Westpac" PERSON is
  taught as outside unless a gold name says otherwise;
- articles are cut into the stock model's sentences; each epoch sees every
  news sentence ``news_weight`` times (the target domain weighs more than
  its share of sentences).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.eval import (
    GoldEntity,
    SeedsGold,
)
from kg.train.ner.config import (
    CLASS_LABELS,
    NEWS_ARTICLES,
    NEWS_GOLD_LABELS,
    Annotation,
    Char,
    CharEntity,
)
from kg.train.ner.conll import merge_regions, overlaps, stock_entities
from kg.types import Article, coarse_class

__all__ = [
    "article_entities",
    "gold_subset",
    "name_spans",
    "news_annotation",
    "news_annotations",
    "news_label",
    "news_texts",
    "read_news",
    "sentence_annotations",
    "stock_votes",
]


def news_label(cls: str, stock: str | None = None) -> str:
    """The spaCy label a gold entity of class ``cls`` is taught as.

    ``stock`` is the stock model's label for exactly the same span, if any:
    a Region it calls GPE stays GPE (states and provinces are GPE in
    OntoNotes), a Place it calls FAC stays FAC; other Regions and Places are LOC.

    >>> news_label("Company"), news_label("City"), news_label("Region", "GPE")
    ('ORG', 'GPE', 'GPE')
    >>> news_label("Region", "PERSON"), news_label("Place", "FAC"), news_label("University")
    ('LOC', 'FAC', 'ORG')
    """
    if cls == "Region" and stock == "GPE":
        return "GPE"
    if cls == "Place" and stock == "FAC":
        return "FAC"
    if cls in CLASS_LABELS:
        return CLASS_LABELS[cls]
    return CLASS_LABELS.get(coarse_class(cls), "ORG")


def name_spans(doc: Doc, entities: Iterable[GoldEntity]) -> Iterable[tuple[GoldEntity, str, Span]]:
    """Every occurrence of every name of ``entities`` in ``doc`` that is a run of tokens.

    >>> import spacy
    >>> from kg.eval import GoldEntity
    >>> doc = spacy.blank("en")("Acme's staff at Acmeville")
    >>> found = name_spans(doc, [GoldEntity("Acme", "Company", ("Acme",))])
    >>> [(name, span.text) for _, name, span in found]
    [('Acme', 'Acme')]
    """
    text = doc.text
    for entity in entities:
        for name in entity.names:
            if not name.strip():
                continue
            for match in re.finditer(re.escape(name), text):
                span = doc.char_span(match.start(), match.end())  # None: not at token edges
                if span is not None:
                    yield entity, name, span


def stock_votes(docs: Iterable[tuple[Doc, Sequence[GoldEntity]]]) -> dict[str, str]:
    """The label the stock model gives each gold name on at least half of its occurrences.

    ``docs`` are the stock model's docs, each with its gold entities. Used to
    label a Region (GPE or LOC) or a Place (FAC or LOC) the same way at each
    of its occurrences (:func:`news_label`).

    >>> import spacy
    >>> from kg.eval import GoldEntity
    >>> doc = spacy.blank("en")("Victoria and Victoria")
    >>> doc.ents = [doc.char_span(0, 8, label="GPE")]
    >>> stock_votes([(doc, [GoldEntity("Victoria", "Region", ("Victoria",))])])
    {'Victoria': 'GPE'}
    """
    counts: dict[str, dict[str | None, int]] = {}
    for doc, entities in docs:
        by_span = _stock_labels(doc.text, stock_entities(doc))
        for _, name, span in name_spans(doc, entities):
            label = by_span.get((span.start_char, span.end_char))
            tally = counts.setdefault(name, {})
            tally[label] = tally.get(label, 0) + 1
    votes = {}
    for name, tally in sorted(counts.items()):
        label, n = max(tally.items(), key=lambda kv: (kv[1], kv[0] or ""))
        if label is not None and 2 * n >= sum(tally.values()):
            votes[name] = label
    return votes


def news_annotation(
    doc: Doc,
    entities: Iterable[GoldEntity],
    *,
    stock: Sequence[CharEntity] = (),
    votes: Mapping[str, str] | None = None,
) -> Annotation:
    """Project an article's gold entities onto its text.

    Every occurrence of every name of ``entities`` that starts and ends at a
    token boundary of ``doc`` is marked, longest first, never overlapping a
    longer one, with the label of its entity's class (:func:`news_label`).
    Names of optional entities, and a span two entities of different labels
    claim, are left unannotated (missing). From ``stock``, the stock model's
    entities, only the labels the gold does not annotate (DATE, MONEY,
    NORP...) are kept, where they overlap no name; one that overlaps a name
    leaves the rest of its span unannotated. Every other token is outside:
    the gold is exhaustive for persons, organisations, places and products.

    Args:
        doc: the article, tokenised by the model's tokenizer (only tokens are read).
        entities: the gold entities of the article (those whose ``docs`` name it).
        stock: the stock model's entities on ``doc.text``, as (start, end, label).
        votes: the stock label of each name (:func:`stock_votes`), which decides
            GPE or LOC for a Region, FAC or LOC for a Place; by default the
            stock label of each occurrence.

    Returns:
        The article's text with entity spans and missing regions.

    >>> import spacy
    >>> from kg.eval import GoldEntity
    >>> doc = spacy.blank("en")("Acme Corp hired Ann Lee of Acme in May.")
    >>> gold = [GoldEntity("Acme", "Company", ("Acme", "Acme Corp")),
    ...         GoldEntity("Ann Lee", "Person", ("Ann Lee",), optional=True)]
    >>> a = news_annotation(doc, gold, stock=[(0, 9, "PERSON"), (35, 38, "DATE")])
    >>> [(doc.text[s:e], label) for s, e, label in a.entities], a.missing
    ([('Acme Corp', 'ORG'), ('Acme', 'ORG'), ('May', 'DATE')], ((16, 23),))
    """
    text = doc.text
    names, missing, taken = _take_names(_claims(doc, entities, stock, votes))
    rehearsed: list[CharEntity] = []
    for start, end, label in stock:
        if label in NEWS_GOLD_LABELS:
            continue  # the gold is exhaustive for these: outside unless a gold name
        hits = [t for t in taken if overlaps((start, end), t)]
        if not hits:
            rehearsed.append((start, end, label))
        else:
            missing.extend(_subtract(text, (start, end), hits))
    return Annotation(text, tuple(sorted(names + rehearsed)), tuple(merge_regions(missing)))


def _claims(
    doc: Doc,
    entities: Iterable[GoldEntity],
    stock: Sequence[CharEntity],
    votes: Mapping[str, str] | None,
) -> dict[Char, set[str | None]]:
    """The labels the gold names claim each span with (None: an optional entity's name)."""
    by_span = _stock_labels(doc.text, stock)
    claims: dict[Char, set[str | None]] = {}
    for entity, name, span in name_spans(doc, entities):
        key = (span.start_char, span.end_char)
        guess = by_span.get(key) if votes is None else votes.get(name)
        label = None if entity.optional else news_label(entity.cls, guess)
        claims.setdefault(key, set()).add(label)
    return claims


def _take_names(
    claims: Mapping[Char, set[str | None]],
) -> tuple[list[CharEntity], list[Char], list[Char]]:
    """Longest first, never overlapping: the labelled names, the missing spans, all taken."""
    names: list[CharEntity] = []
    missing: list[Char] = []
    taken: list[Char] = []
    for (start, end), labels in sorted(claims.items(), key=lambda c: (c[0][0] - c[0][1], c[0])):
        if any(overlaps((start, end), t) for t in taken):
            continue
        taken.append((start, end))
        label = next(iter(labels))
        if len(labels) == 1 and label is not None:
            names.append((start, end, label))
        else:
            missing.append((start, end))
    return names, missing, taken


def _stock_labels(text: str, stock: Iterable[CharEntity]) -> dict[Char, str]:
    """Stock labels by span; "the Hume Highway" also labels "Hume Highway"."""
    out = {}
    for start, end, label in stock:
        out[(start, end)] = label
        if text[start:end].lower().startswith("the "):
            out.setdefault((start + 4, end), label)
    return out


def _subtract(text: str, region: Char, cuts: Iterable[Char]) -> list[Char]:
    """The parts of ``region`` outside every ``cut``, without edge white space."""
    parts, begin = [], region[0]
    for start, end in sorted(cuts):
        if start > begin:
            parts.append((begin, min(start, region[1])))
        begin = max(begin, end)
    if begin < region[1]:
        parts.append((begin, region[1]))
    out = []
    for start, end in parts:
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if start < end:
            out.append((start, end))
    return out


def sentence_annotations(annotation: Annotation, sentences: Iterable[Char]) -> list[Annotation]:
    """Cut an article's annotation into one per sentence (character spans of the article).

    Offsets become relative to the sentence, stripped of edge white space; an
    entity that crosses a sentence boundary is left unannotated on both sides.

    >>> a = Annotation("Ann left. Bob Ray came.", ((0, 3, "PERSON"), (10, 17, "PERSON")))
    >>> [(s.text, s.entities) for s in sentence_annotations(a, [(0, 10), (10, 23)])]
    [('Ann left.', ((0, 3, 'PERSON'),)), ('Bob Ray came.', ((0, 7, 'PERSON'),))]
    >>> [s.missing for s in sentence_annotations(a, [(0, 13), (13, 23)])]
    [((10, 13),), ((0, 3),)]
    """
    out = []
    for first, last in sentences:
        raw = annotation.text[first:last]
        start = first + len(raw) - len(raw.lstrip())
        end = last - (len(raw) - len(raw.rstrip()))
        if start >= end:
            continue
        entities: list[CharEntity] = []
        missing: list[Char] = []
        for s, e, label in annotation.entities:
            if start <= s and e <= end:
                entities.append((s - start, e - start, label))
            elif overlaps((s, e), (start, end)):
                missing.append((max(s, start) - start, min(e, end) - start))
        for s, e in annotation.missing:
            if overlaps((s, e), (start, end)):
                missing.append((max(s, start) - start, min(e, end) - start))
        out.append(
            Annotation(annotation.text[start:end], tuple(entities), tuple(merge_regions(missing)))
        )
    return out


def read_news(path: Path) -> list[Article]:
    """The articles of a JSON Lines file of the news gold set, as ``kg build`` reads them."""
    from kg.ingest import read_articles

    return list(read_articles([path], max_chars=None))


def article_entities(gold: SeedsGold, article_id: str) -> list[GoldEntity]:
    """The gold entities whose ``docs`` name the article ``article_id``."""
    return [e for e in gold.entities if article_id in e.docs]


def news_annotations(
    nlp: Language, articles: Sequence[Article], gold: SeedsGold
) -> dict[str, tuple[Annotation, ...]]:
    """Project ``gold`` onto each article (:func:`news_annotation`), cut into sentences.

    ``nlp`` is the stock model: its tokens, sentences and entities are used
    (GPE or LOC for a Region by :func:`stock_votes` over all ``articles``).
    Returns the sentences of each article, by article id.
    """
    docs = list(nlp.pipe([a.text for a in articles], batch_size=16))
    golds = [article_entities(gold, a.id) for a in articles]
    votes = stock_votes(zip(docs, golds, strict=True))
    out: dict[str, tuple[Annotation, ...]] = {}
    for article, doc, entities in zip(articles, docs, golds, strict=True):
        annotation = news_annotation(doc, entities, stock=stock_entities(doc), votes=votes)
        bounds = [(s.start_char, s.end_char) for s in doc.sents]
        out[article.id] = tuple(sentence_annotations(annotation, bounds))
    return out


def gold_subset(gold: SeedsGold, ids: Collection[str]) -> SeedsGold:
    """The part of ``gold`` about the articles ``ids``: their entities, relations, figures.

    >>> from kg.eval import parse_seeds_gold
    >>> gold = parse_seeds_gold({"entities": [
    ...     {"label": "Acme", "class": "Company", "docs": ["a", "b"]},
    ...     {"label": "Oslo", "class": "City", "docs": ["b"]}]})
    >>> [e.label for e in gold_subset(gold, {"a"}).entities]
    ['Acme']
    """
    keep = set(ids)
    entities = tuple(e for e in gold.entities if keep & set(e.docs))
    labels = {e.label for e in entities}

    def known(*names: str | None) -> bool:
        return all(n is None or n in labels for n in names)

    relations = tuple(
        r
        for r in gold.relations
        if r.doc in keep
        and known(r.subject, r.object)
        and all(known(a[0], a[2]) for a in r.alternatives)
    )
    observations = tuple(
        o for o in gold.observations if o.doc in keep and known(o.subject, o.place, o.source)
    )
    documents = tuple(d for d in gold.documents if d.id in keep)
    return SeedsGold(documents, entities, relations, observations)


def news_texts(path: Path = NEWS_ARTICLES) -> frozenset[str]:
    """The texts of the news gold set's articles (kept out of rehearsal); none without the file."""
    if not path.is_file():
        return frozenset()
    with path.open(encoding="utf-8") as handle:
        return frozenset(json.loads(line)["text"] for line in handle if line.strip())
