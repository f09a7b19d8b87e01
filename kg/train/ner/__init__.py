"""Fine-tune the ``ner`` of spaCy's small English model on CoNLL04 and real news.

Reproduce the shipped weights (``kg/models/ner``: the weights as
``nlp.get_pipe("ner").to_disk`` writes them, plus ``scores.json``)::

    pip install -e '.[bench]'  # gensim: the rehearsal text (without it, less rehearsal)
    python -m kg.train.ner --cross-validate --news-weights 1,3 --epochs 4 --epoch-scores

which chooses the news weight and the number of epochs by cross-validation
over the news gold's train split (about half an hour on two cores), then
trains with them; ``python -m kg.train.ner`` alone trains with the chosen
settings (the defaults: 4 epochs, news weight 1; a few minutes) and gives
the same weights, byte for byte. The shipped weights were trained on the
split's 100 articles as first merged (commit 3ed56a5; ``--news`` and
``--news-gold`` name the files, ``scores.json`` the command).
``python -m kg.train.ner --evaluate`` scores the stock and the shipped
weights end to end through kg's pipeline (CoNLL04 dev and the seed gold
standard).

The model's ``ner`` has its own tok2vec, so it is trained alone and every
other component stays as shipped. Training data come from two sources.

The steps, one module each: :mod:`~kg.train.ner.conll` and
:mod:`~kg.train.ner.news` turn the gold data into annotations (how is said
there), :mod:`~kg.train.ner.rehearsal` finds unlabelled text,
:mod:`~kg.train.ner.training` fits and cross-validates,
:mod:`~kg.train.ner.scoring` scores, :mod:`~kg.train.ner.command` is the
command line.
"""

from __future__ import annotations

from kg.train.ner.command import compare, main
from kg.train.ner.config import (
    WEIGHTS,
    Annotation,
    EpochScore,
    TrainConfig,
    TrainResult,
)
from kg.train.ner.conll import (
    conll_annotation,
    example_from_annotation,
    rehearsal_annotations,
    title_end,
    title_words,
)
from kg.train.ner.news import (
    gold_subset,
    news_annotation,
    news_label,
    sentence_annotations,
    stock_votes,
)
from kg.train.ner.training import cross_validate, fit, prepare, train

__all__ = [
    "WEIGHTS",
    "Annotation",
    "EpochScore",
    "TrainConfig",
    "TrainResult",
    "compare",
    "conll_annotation",
    "cross_validate",
    "example_from_annotation",
    "fit",
    "gold_subset",
    "main",
    "news_annotation",
    "news_label",
    "prepare",
    "rehearsal_annotations",
    "sentence_annotations",
    "stock_votes",
    "title_end",
    "title_words",
    "train",
]
