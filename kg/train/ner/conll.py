"""CoNLL04 -> training annotations, and annotations -> spaCy examples.

CoNLL04's train split:

- ``Peop``, ``Org`` and ``Loc`` become PERSON, ORG and GPE (LOC when the
  stock model already calls exactly that span LOC); a ``Loc`` span is cut
  at its commas ("Bethany , Conn." -> two places, as most CoNLL04
  sentences and news NER do).
- ``Other`` is a grab bag (dates, titles of works, products...): its spans
  are left unannotated (missing), unless the stock model gives exactly that
  span a label CoNLL04 does not annotate (DATE, MONEY...), which is kept.
- Two CoNLL04 habits that kg's pipeline contradicts are not learned: a
  title or honorific inside a person's span ("President Lincoln", "Mrs.
  Parks": kg keeps titles out of names and records them as roles; the title
  words are left unannotated) and punctuation at a span's edge ("Boise." at
  the end of a sentence: kg trims it from every model span).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example

from kg.eval import (
    ConllSentence,
)
from kg.train.ner.config import (
    LABELS,
    NEWS_GOLD_LABELS,
    PLACE_LABELS,
    REHEARSAL_LABELS,
    TITLE_ABBREVIATIONS,
    Annotation,
    Char,
    CharEntity,
)

__all__ = [
    "after_of",
    "conll_annotation",
    "conll_annotations",
    "example_from_annotation",
    "merge_regions",
    "overlaps",
    "rehearsal_annotations",
    "stock_entities",
    "title_end",
    "title_words",
    "without_article",
]


def overlaps(a: Char, b: Char) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def conll_annotation(
    sentence: ConllSentence, *, stock: Sequence[CharEntity] = (), split_places: bool = True
) -> Annotation:
    """Turn a CoNLL04 sentence into training spans, merged with the stock model's predictions.

    Args:
        sentence: from :func:`kg.eval.load_conll04` (character offsets into
            the tokens joined by single spaces).
        stock: the stock model's entities on that text, as (start, end, label).
        split_places: cut a ``Loc`` span at its commas ("Bethany , Conn." ->
            "Bethany", "Conn."), the habit of most CoNLL04 sentences and of news NER.

    Returns:
        Gold ``Peop``/``Org``/``Loc`` spans with spaCy labels; ``Other`` spans
        as missing regions (or with the stock label when the stock model gives
        exactly that span a label CoNLL04 does not annotate); stock predictions
        of such labels that overlap no gold span.

    >>> from kg.eval import ConllEntity
    >>> s = ConllSentence("s", ("Ann", "Lee", "saw", "Jaws", "in", "Oslo", "on", "Monday"), (
    ...     ConllEntity(0, 2, "Peop", 0, 7, "Ann Lee"), ConllEntity(3, 4, "Other", 12, 16, "Jaws"),
    ...     ConllEntity(5, 6, "Loc", 20, 24, "Oslo")), ())
    >>> a = conll_annotation(s, stock=[(20, 24, "LOC"), (28, 34, "DATE"), (0, 3, "ORG")])
    >>> a.entities, a.missing
    (((0, 7, 'PERSON'), (20, 24, 'LOC'), (28, 34, 'DATE')), ((12, 16),))
    >>> s = ConllSentence("s", ("in", "Aiken", ",", "S.C."), (
    ...     ConllEntity(1, 4, "Loc", 3, 15, "Aiken , S.C."),), ())
    >>> conll_annotation(s).entities
    ((3, 8, 'GPE'), (11, 15, 'GPE'))
    """
    by_span = {(s, e): label for s, e, label in stock}
    entities: list[CharEntity] = []
    missing: list[Char] = []
    for ent in sentence.entities:
        span = (ent.char_start, ent.char_end)
        guess = by_span.get(span)
        if ent.type == "Loc":
            for part in _comma_parts(sentence, ent.start, ent.end) if split_places else [span]:
                label = by_span.get(part)
                entities.append((*part, label if label in PLACE_LABELS else LABELS["Loc"]))
        elif ent.type in LABELS:
            entities.append((*span, LABELS[ent.type]))
        elif guess in REHEARSAL_LABELS:
            entities.append((*span, guess))
        else:
            missing.append(span)
    gold = [(s, e) for s, e, _ in entities] + missing
    for start, end, label in stock:
        if label not in REHEARSAL_LABELS or (start, end) in gold:
            continue
        if any(overlaps((start, end), g) for g in gold):
            # A date half inside an Other span: leave the whole stretch unannotated.
            for i, m in enumerate(missing):
                if overlaps((start, end), m):
                    missing[i] = (min(m[0], start), max(m[1], end))
            continue
        entities.append((start, end, label))
    missing = merge_regions(missing)
    entities = [e for e in entities if not any(overlaps(e[:2], m) for m in missing)]
    return Annotation(sentence.text, tuple(sorted(entities)), tuple(missing))


def _comma_parts(sentence: ConllSentence, start: int, end: int) -> list[Char]:
    """Character spans of the comma-separated parts of tokens ``start:end``."""
    offsets, pos = [], 0
    for token in sentence.tokens:
        offsets.append(pos)
        pos += len(token) + 1
    parts, begin = [], start
    for i in range(start, end + 1):
        if i == end or sentence.tokens[i] == ",":
            if begin < i:
                parts.append((offsets[begin], offsets[i - 1] + len(sentence.tokens[i - 1])))
            begin = i + 1
    return parts


def merge_regions(regions: Iterable[Char]) -> list[Char]:
    merged: list[Char] = []
    for start, end in sorted(regions):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def title_words(*, lexicon_titles: Iterable[str] = ()) -> frozenset[str]:
    """The lower-cased words taken as titles in front of a name.

    >>> "president" in title_words(lexicon_titles=["president"]), "sen." in title_words()
    (True, True)
    """
    return frozenset(t.lower() for t in lexicon_titles) | TITLE_ABBREVIATIONS


def example_from_annotation(
    nlp: Language, annotation: Annotation, *, titles: frozenset[str] = frozenset()
) -> Example:
    """Build a training :class:`~spacy.training.Example` from character spans.

    The text is tokenised by ``nlp``'s tokenizer. Punctuation at the edges of
    an entity is dropped (taught as outside), and so are leading title words
    of a PERSON in ``titles`` (left unannotated), as kg's pipeline would trim them.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> a = Annotation("Mr. Ann Lee left Oslo.", ((0, 11, "PERSON"), (17, 22, "GPE")))
    >>> ex = example_from_annotation(nlp, a, titles=frozenset({"mr."}))
    >>> ex.reference.to_json()["ents"]
    [{'start': 4, 'end': 11, 'label': 'PERSON'}, {'start': 17, 'end': 21, 'label': 'GPE'}]
    >>> [t.ent_iob_ for t in ex.reference]
    ['', 'B', 'I', 'O', 'B', 'O']
    """
    predicted = nlp.make_doc(annotation.text)
    reference = nlp.make_doc(annotation.text)
    entities, missing = [], []
    for start, end, label in annotation.entities:
        span = reference.char_span(start, end, label=label, alignment_mode="contract")
        if span is None:
            continue
        first, last = span.start, span.end
        while first < last and reference[first].is_punct:
            first += 1
        while last > first and reference[last - 1].is_punct:
            last -= 1
        if label == "PERSON" and titles:
            cut = title_end(reference, first, last, titles)
            if cut > first:
                missing.append(reference[first:cut])
                first = cut
        if first < last:
            entities.append(Span(reference, first, last, label=label))
    for start, end in annotation.missing:
        span = reference.char_span(start, end, alignment_mode="expand")
        if span is not None:
            missing.append(span)
    taken = {i for span in entities for i in range(span.start, span.end)}
    missing = [m for m in missing if not any(i in taken for i in range(m.start, m.end))]
    reference.set_ents(entities, missing=missing, default="outside")
    return Example(predicted, reference)


def title_end(doc: Doc, start: int, end: int, titles: frozenset[str]) -> int:
    """Where the name starts in a person span ``start:end`` that may open with titles.

    Titles are a leading run of title words ("Prime Minister", "President")
    or run up to an abbreviated title further in ("Texas Gov. John
    Connally"); the last token is always kept.

    >>> import spacy
    >>> doc = spacy.blank("en")("Texas Gov. John Connally met Martin Luther King Jr.")
    >>> titles = title_words(lexicon_titles=["king"])
    >>> title_end(doc, 0, 4, titles), title_end(doc, 5, 9, titles)
    (2, 5)
    """
    cut = start
    while cut < end - 1 and doc[cut].lower_ in titles:
        cut += 1
    for i in range(cut, end - 1):
        if doc[i].lower_ in titles and doc[i].text.endswith("."):
            cut = i + 1
    return cut


def after_of(doc: Doc, labels: frozenset[str]) -> bool:
    """Whether an entity with one of ``labels`` directly follows the word "of" in ``doc``.

    >>> import spacy
    >>> doc = spacy.blank("en")("executives of Siemens met")
    >>> doc.ents = [doc.char_span(14, 21, label="ORG")]
    >>> after_of(doc, frozenset({"ORG"})), after_of(doc, frozenset({"GPE"}))
    (True, False)
    """
    return any(
        e.label_ in labels and e.start > 0 and doc[e.start - 1].lower_ == "of" for e in doc.ents
    )


def stock_entities(doc: Doc) -> tuple[CharEntity, ...]:
    """The entities of a processed doc as (start, end, label) character spans.

    >>> import spacy
    >>> doc = spacy.blank("en")("Ann Lee left")
    >>> doc.ents = [doc.char_span(0, 7, label="PERSON")]
    >>> stock_entities(doc)
    ((0, 7, 'PERSON'),)
    """
    return tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)


def conll_annotations(
    nlp: Language, sentences: Sequence[ConllSentence], *, split_places: bool = True
) -> list[Annotation]:
    """Annotate CoNLL04 sentences, merged with ``nlp``'s (the stock model's) predictions."""
    docs = nlp.pipe([s.text for s in sentences], batch_size=64)
    return [
        conll_annotation(s, stock=stock_entities(d), split_places=split_places)
        for s, d in zip(sentences, docs, strict=True)
    ]


def rehearsal_annotations(nlp: Language, texts: Iterable[str]) -> list[Annotation]:
    """The stock model's sentences and entities on extra text (pseudo-rehearsal).

    Entities that cross a sentence boundary are dropped with their sentence;
    names lose a leading "the" (:func:`without_article`).
    """
    out: list[Annotation] = []
    for doc in nlp.pipe(texts, batch_size=16):
        for sent in doc.sents:
            text = sent.text.strip()
            if len(sent) < 4 or not text:
                continue
            offset = sent.start_char
            ents = [
                without_article(doc.text, e.start_char, e.end_char, e.label_, offset=offset)
                for e in doc.ents
                if e.start >= sent.start and e.end <= sent.end
            ]
            crossing = any(
                e.start < sent.start < e.end or e.start < sent.end < e.end for e in doc.ents
            )
            if not crossing:
                out.append(Annotation(text, tuple(ents)))
    return out


def without_article(text: str, start: int, end: int, label: str, *, offset: int = 0) -> CharEntity:
    """A name's span without a leading "the", shifted back by ``offset``.

    The stock model often keeps the article ("the Bureau of Meteorology");
    CoNLL04 and the news gold leave it out, and so does kg (it trims it from
    every span): taught both ways, the model comes to doubt the name itself.
    Spans of other labels ("the last week") are kept whole.

    >>> without_article("in the Hume Highway", 3, 19, "FAC", offset=3)
    (4, 16, 'FAC')
    >>> without_article("the week", 0, 8, "DATE")
    (0, 8, 'DATE')
    """
    if label in NEWS_GOLD_LABELS and end - start > 4 and text[start : start + 4].lower() == "the ":
        start += 4
    return (start - offset, end - offset, label)
