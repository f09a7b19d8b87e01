"""Strict end-to-end CoNLL04 scoring of ``kg extract`` records (GOLD.md rule 6)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kg.errors import EvaluationError
from kg.eval.conll_gold import CONLL_ENTITY_TYPES, CONLL_RELATION_TYPES, ConllSentence
from kg.eval.scores import Finding, Score, Tally, pairs_to_dict

__all__ = [
    "ConllReport",
    "score_conll04",
]


@dataclass(frozen=True, slots=True)
class ConllReport:
    """Strict end-to-end CoNLL04 scores (micro-averaged), with misses and false positives."""

    sentences: int
    entities: Score
    entities_by_type: tuple[tuple[str, Score], ...]
    relations: Score
    relations_by_predicate: tuple[tuple[str, Score], ...]
    missing_records: int = 0  # gold sentences with no prediction record (scored as empty)
    ignored_relations: int = 0  # predicted relations with a predicate CoNLL04 does not annotate
    entity_misses: tuple[Finding, ...] = ()
    entity_false_positives: tuple[Finding, ...] = ()
    relation_misses: tuple[Finding, ...] = ()
    relation_false_positives: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ratios rounded to 6 places)."""
        return {
            "kind": "conll04",
            "sentences": self.sentences,
            "missing_records": self.missing_records,
            "ignored_relations": self.ignored_relations,
            "entities": {
                "overall": self.entities.to_dict(),
                "by_type": pairs_to_dict(self.entities_by_type),
                "misses": [f.to_dict() for f in self.entity_misses],
                "false_positives": [f.to_dict() for f in self.entity_false_positives],
            },
            "relations": {
                "overall": self.relations.to_dict(),
                "by_predicate": pairs_to_dict(self.relations_by_predicate),
                "misses": [f.to_dict() for f in self.relation_misses],
                "false_positives": [f.to_dict() for f in self.relation_false_positives],
            },
        }


_Span = tuple[int, int, str]  # char start, char end, type
#: A record's entities, its scored relations, and how many relations it had of other predicates.
_Prediction = tuple[list[_Span], list[tuple[_Span, _Span, str]], int]


def _conll_prediction(record: Mapping[str, Any], where: str) -> _Prediction:
    """Entities, relations and the number of relations ignored, from one extract record."""
    entities_in = record.get("entities") or []
    relations_in = record.get("relations") or []
    if not isinstance(entities_in, list) or not isinstance(relations_in, list):
        raise EvaluationError(f"{where}: `entities` and `relations` must be lists.")
    spans: list[_Span] = []
    for e in entities_in:
        try:
            spans.append((int(e["start"]), int(e["end"]), str(e["type"])))
        except (KeyError, TypeError, ValueError) as err:
            raise EvaluationError(
                f"{where}: entity {e!r} needs integer `start`, `end` and a `type`."
            ) from err
    relations = []
    ignored = 0
    scored_predicates = set(CONLL_RELATION_TYPES.values())
    for r in relations_in:
        try:
            head, tail, predicate = int(r["head"]), int(r["tail"]), str(r["predicate"])
        except (KeyError, TypeError, ValueError) as err:
            raise EvaluationError(
                f"{where}: relation {r!r} needs integer `head`, `tail` and a `predicate`."
            ) from err
        if not (0 <= head < len(spans) and 0 <= tail < len(spans)):
            raise EvaluationError(f"{where}: relation {r!r} points past `entities`.")
        if predicate not in scored_predicates:
            ignored += 1
            continue
        relations.append((spans[head], spans[tail], predicate))
    return spans, relations, ignored


def score_conll04(
    pred_records: Iterable[Mapping[str, Any]], gold: Sequence[ConllSentence]
) -> ConllReport:
    """Score ``kg extract`` records against CoNLL04 strictly (GOLD.md rule 6).

    An entity is right when its character span and type are right (``Other``
    spans are not scored, nor are predicted entities of types other than
    Person, Organization and Place); a relation is right when both spans,
    both types and the predicate are right. Relations whose predicate is not
    one of the five CoNLL04 ones are ignored. Duplicate predictions count once.
    A gold sentence without a record is scored as an empty prediction.

    Args:
        pred_records: one record per sentence, ``id`` as given by
            :func:`conll04_to_jsonl_records`.
        gold: the sentences from :func:`load_conll04`.

    Returns:
        Micro-averaged scores, per type and per predicate.

    Raises:
        EvaluationError: a record has an unknown or repeated id, text that
            differs from the sentence's, or a malformed entity or relation.

    >>> from kg.eval.conll_gold import ConllEntity, ConllRelation
    >>> s = ConllSentence("conll04-dev-0", ("Ann", "Lee", "of", "Oslo"),
    ...     (ConllEntity(0, 2, "Peop", 0, 7, "Ann Lee"), ConllEntity(3, 4, "Loc", 11, 15, "Oslo")),
    ...     (ConllRelation(0, 1, "Live_In"),))
    >>> rec = {"id": "conll04-dev-0", "text": "Ann Lee of Oslo",
    ...        "entities": [{"start": 0, "end": 7, "type": "Person"},
    ...                     {"start": 11, "end": 15, "type": "Organization"}],
    ...        "relations": [{"head": 0, "tail": 1, "predicate": "livesIn"}]}
    >>> r = score_conll04([rec], [s])
    >>> r.entities, r.relations
    (Score(tp=1, fp=1, fn=1), Score(tp=0, fp=1, fn=1))
    """
    records = _records_by_id(pred_records, gold)
    entity_tally, relation_tally = Tally(), Tally()
    findings: dict[str, list[Finding]] = defaultdict(list)
    missing = ignored = 0
    for sentence in gold:
        rec = records.get(sentence.id)
        if rec is None:
            missing += 1
            predicted: _Prediction = ([], [], 0)
        else:
            predicted = _conll_prediction(rec, sentence.id)
            ignored += predicted[2]
        _score_sentence(sentence, predicted, entity_tally, relation_tally, findings)

    return _report(len(gold), entity_tally, relation_tally, findings, missing, ignored)


def _report(
    sentences: int,
    entity_tally: Tally,
    relation_tally: Tally,
    findings: Mapping[str, list[Finding]],
    missing: int,
    ignored: int,
) -> ConllReport:
    by_type, by_predicate = entity_tally.scores(), relation_tally.scores()
    return ConllReport(
        sentences=sentences,
        entities=_total(by_type),
        entities_by_type=by_type,
        relations=_total(by_predicate),
        relations_by_predicate=by_predicate,
        missing_records=missing,
        ignored_relations=ignored,
        entity_misses=tuple(findings["entity_misses"]),
        entity_false_positives=tuple(findings["entity_false_positives"]),
        relation_misses=tuple(findings["relation_misses"]),
        relation_false_positives=tuple(findings["relation_false_positives"]),
    )


def _total(pairs: tuple[tuple[str, Score], ...]) -> Score:
    return Score(
        sum(s.tp for _, s in pairs), sum(s.fp for _, s in pairs), sum(s.fn for _, s in pairs)
    )


def _records_by_id(
    pred_records: Iterable[Mapping[str, Any]], gold: Sequence[ConllSentence]
) -> dict[str, Mapping[str, Any]]:
    """The prediction records by sentence id, each checked against its sentence."""
    by_id = {s.id: s for s in gold}
    records: dict[str, Mapping[str, Any]] = {}
    for n, record in enumerate(pred_records):
        if not isinstance(record, Mapping):
            raise EvaluationError(f"prediction record {n}: must be a JSON object.")
        rid = record.get("id")
        if rid not in by_id:
            raise EvaluationError(
                f"prediction record {n}: id {rid!r} is not a sentence of this CoNLL04 split; "
                "make the inputs with conll04_to_jsonl_records()."
            )
        if rid in records:
            raise EvaluationError(f"prediction record {n}: id {rid!r} appears twice.")
        text = record.get("text")
        if text is not None and text != by_id[rid].text:
            raise EvaluationError(
                f"prediction record {n} ({rid}): its text differs from the sentence's; "
                "offsets must point into the tokens joined by single spaces."
            )
        records[str(rid)] = record
    return records


def _score_sentence(
    sentence: ConllSentence,
    predicted: _Prediction,
    entity_tally: Tally,
    relation_tally: Tally,
    findings: dict[str, list[Finding]],
) -> None:
    """Tally one sentence's entities and relations, and record its misses and false positives."""
    text = sentence.text

    def show(span: _Span) -> str:
        return f"[{text[span[0] : span[1]]}]({span[2]}) @{span[0]}-{span[1]}"

    gold_spans = [
        (e.char_start, e.char_end, CONLL_ENTITY_TYPES.get(e.type, e.type))
        for e in sentence.entities
    ]
    gold_entities = {
        sp
        for sp, e in zip(gold_spans, sentence.entities, strict=True)
        if e.type in CONLL_ENTITY_TYPES
    }
    gold_relations = {
        (gold_spans[r.head], gold_spans[r.tail], CONLL_RELATION_TYPES[r.type])
        for r in sentence.relations
    }
    pred_spans, pred_rel_list, _ = predicted
    scored_types = set(CONLL_ENTITY_TYPES.values())
    pred_entities = {sp for sp in pred_spans if sp[2] in scored_types}
    pred_relations = set(pred_rel_list)
    evidence = (f"{sentence.id}: {text}",)
    for sp in sorted(pred_entities | gold_entities):
        hit_pred, hit_gold = sp in pred_entities, sp in gold_entities
        entity_tally.add(
            sp[2],
            tp=hit_pred and hit_gold,
            fp=hit_pred and not hit_gold,
            fn=hit_gold and not hit_pred,
        )
        if hit_gold and not hit_pred:
            findings["entity_misses"].append(Finding(show(sp), "not predicted", evidence))
        elif hit_pred and not hit_gold:
            same = [g for g in gold_entities if g[:2] == sp[:2]]
            reason = f"gold type is {same[0][2]}" if same else "not a gold span"
            findings["entity_false_positives"].append(Finding(show(sp), reason, evidence))
    for rel in sorted(pred_relations | gold_relations):
        hit_pred, hit_gold = rel in pred_relations, rel in gold_relations
        relation_tally.add(
            rel[2],
            tp=hit_pred and hit_gold,
            fp=hit_pred and not hit_gold,
            fn=hit_gold and not hit_pred,
        )
        item = f"{show(rel[0])} {rel[2]} {show(rel[1])}"
        if hit_gold and not hit_pred:
            findings["relation_misses"].append(Finding(item, "not predicted", evidence))
        elif hit_pred and not hit_gold:
            findings["relation_false_positives"].append(
                Finding(item, _conll_relation_reason(rel, gold_relations), evidence)
            )


def _conll_relation_reason(
    rel: tuple[_Span, _Span, str], gold: set[tuple[_Span, _Span, str]]
) -> str:
    (hs, he, _), (ts, te, _), predicate = rel
    for g in sorted(gold):
        if g[0][:2] == (hs, he) and g[1][:2] == (ts, te):
            if g[2] != predicate:
                return f"gold predicate is {g[2]}"
            return f"wrong entity type (gold: {g[0][2]}, {g[1][2]})"
        if g[0][:2] == (ts, te) and g[1][:2] == (hs, he) and g[2] == predicate:
            return "head and tail are swapped"
    return "no gold relation between these spans"
