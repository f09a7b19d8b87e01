"""Score extraction against gold data: the seed articles' gold graph and CoNLL04.

Two scorers share the matching rules of ``shared/GOLD.md``:
:func:`score_graph` compares a built graph with a :class:`SeedsGold`
(:func:`load_seeds_gold`), with duplicated and wrongly merged entities and the
calibration of relation confidences; :func:`score_conll04` compares
``kg extract`` records with CoNLL04 sentences (:func:`load_conll04`), strictly.
:func:`format_report` renders either report as text or JSON. Nothing here
prints; every output is deterministic.

>>> normalize_name("  The  Pentagon’s ")
'pentagon'
"""

from __future__ import annotations

from kg.eval.conll_gold import (
    CONLL_ENTITY_TYPES,
    CONLL_RELATION_TYPES,
    ConllEntity,
    ConllRelation,
    ConllSentence,
    conll04_to_jsonl_records,
    load_conll04,
)
from kg.eval.conll_score import ConllReport, score_conll04
from kg.eval.files import evaluate_file, gold_kind, read_records
from kg.eval.report import format_report
from kg.eval.score_seeds import score_graph
from kg.eval.scores import Finding, Ratio, Score
from kg.eval.seeds_gold import (
    GoldDocument,
    GoldEntity,
    GoldObservation,
    GoldRelation,
    SeedsGold,
    load_seeds_gold,
    parse_seeds_gold,
)
from kg.eval.seeds_report import EntityIdentity, SeedsReport
from kg.ontology import normalize_name  # GOLD.md rule 1, the scorers' name key

__all__ = [
    "CONLL_ENTITY_TYPES",
    "CONLL_RELATION_TYPES",
    "ConllEntity",
    "ConllRelation",
    "ConllReport",
    "ConllSentence",
    "EntityIdentity",
    "Finding",
    "GoldDocument",
    "GoldEntity",
    "GoldObservation",
    "GoldRelation",
    "Ratio",
    "Score",
    "SeedsGold",
    "SeedsReport",
    "conll04_to_jsonl_records",
    "evaluate_file",
    "format_report",
    "gold_kind",
    "load_conll04",
    "load_seeds_gold",
    "normalize_name",
    "parse_seeds_gold",
    "read_records",
    "score_conll04",
    "score_graph",
]
