"""The seed gold standard (``seeds.gold.json``, format in ``shared/GOLD.md``): records and parser.

Entities are referred to by their ``label``; numbers are read exactly (``Decimal``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.errors import EvaluationError
from kg.ontology import (
    CORE_PREDICATES,
)
from kg.types import coarse_class

__all__ = [
    "QUALIFIER_PROPERTIES",
    "GoldDocument",
    "GoldEntity",
    "GoldObservation",
    "GoldRelation",
    "SeedsGold",
    "gold_evidence",
    "load_seeds_gold",
    "parse_seeds_gold",
]


#: Gold qualifier key -> kgo property local name on a statement node.
QUALIFIER_PROPERTIES: dict[str, str] = {
    "date": "date",
    "start": "startDate",
    "end": "endDate",
    "duration": "duration",
    "status": "status",
    "role": "role",
}


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """A document of the gold standard."""

    id: str
    file: str | None = None
    date: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """A gold entity: canonical label, ontology class and every acceptable name."""

    label: str
    cls: str
    names: tuple[str, ...]
    wikidata: str | None = None
    docs: tuple[str, ...] = ()
    optional: bool = False

    @property
    def coarse(self) -> str:
        """The coarse class of ``cls``."""
        return coarse_class(self.cls)


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """A gold relation as one document states it; subject and object are entity labels."""

    subject: str
    predicate: str
    object: str
    doc: str | None = None
    evidence: str | None = None
    optional: bool = False
    alternatives: tuple[tuple[str, str, str], ...] = ()
    qualifiers: tuple[tuple[str, str], ...] = ()  # (key, value), key in date/start/end/...


@dataclass(frozen=True, slots=True)
class GoldObservation:
    """A gold figure; ``subject``, ``place`` and ``source`` are entity labels."""

    subject: str
    metric: str
    value: Decimal
    unit: str
    period: str | None = None
    place: str | None = None
    segment: str | None = None
    source: str | None = None
    doc: str | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class SeedsGold:
    """The whole seed gold standard."""

    documents: tuple[GoldDocument, ...]
    entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...]
    observations: tuple[GoldObservation, ...]


def _opt_str(value: Any, where: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise EvaluationError(f"{where}: `{key}` must be a string, not {value!r}.")
    return value


def _req_str(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EvaluationError(f"{where}: `{key}` is missing or not a non-empty string.")
    return value


def _as_decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise EvaluationError(f"{where}: `value` must be a number, not {value!r}.")
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as err:
        raise EvaluationError(f"{where}: `value` {value!r} is not a number.") from err
    if not number.is_finite():
        raise EvaluationError(f"{where}: `value` {value!r} is not a finite number.")
    return number


def parse_seeds_gold(data: Mapping[str, Any]) -> SeedsGold:
    """Build a :class:`SeedsGold` from the parsed JSON of a ``seeds.gold.json`` file.

    Every relation and observation must refer to entities by their ``label``;
    predicates must be core predicates.

    Args:
        data: the decoded JSON object.

    Returns:
        The gold standard.

    Raises:
        EvaluationError: the data does not follow the format of GOLD.md.

    >>> gold = parse_seeds_gold({
    ...     "entities": [{"label": "Acme", "class": "Company", "names": ["Acme Corp"]},
    ...                  {"label": "Paris", "class": "City", "names": ["Paris"]}],
    ...     "relations": [{"subject": "Acme", "predicate": "basedIn", "object": "Paris"}]})
    >>> gold.entities[0].names, gold.relations[0].predicate
    (('Acme', 'Acme Corp'), 'basedIn')
    """
    if not isinstance(data, Mapping):
        raise EvaluationError("gold standard: the top level must be a JSON object.")
    documents = _parse_documents(data.get("documents") or ())
    entities = _parse_entities(data.get("entities") or ())
    labels = frozenset(e.label for e in entities)
    return SeedsGold(
        documents,
        entities,
        _parse_relations(data.get("relations") or (), labels),
        _parse_observations(data.get("observations") or (), labels),
    )


def _object(item: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise EvaluationError(f"{where}: must be a JSON object.")
    return item


def _parse_documents(items: Iterable[Any]) -> tuple[GoldDocument, ...]:
    documents = []
    for i, item in enumerate(items):
        where = f"gold document {i}"
        item = _object(item, where)
        documents.append(
            GoldDocument(
                id=_req_str(item, "id", where),
                file=_opt_str(item.get("file"), where, "file"),
                date=_opt_str(item.get("date"), where, "date"),
                publisher=_opt_str(item.get("publisher"), where, "publisher"),
            )
        )
    return tuple(documents)


def _parse_entities(items: Iterable[Any]) -> tuple[GoldEntity, ...]:
    entities: list[GoldEntity] = []
    labels: set[str] = set()
    for i, item in enumerate(items):
        item = _object(item, f"gold entity {i}")
        label = _req_str(item, "label", f"gold entity {i}")
        where = f"gold entity {label!r}"
        if label in labels:
            raise EvaluationError(f"{where}: the label is used twice; labels must be unique.")
        labels.add(label)
        names = item.get("names") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise EvaluationError(f"{where}: `names` must be a list of strings.")
        docs = item.get("docs") or []
        entities.append(
            GoldEntity(
                label=label,
                cls=_req_str(item, "class", where),
                # The canonical label is always an acceptable name.
                names=tuple(dict.fromkeys([label, *names])),
                wikidata=_opt_str(item.get("wikidata"), where, "wikidata"),
                docs=tuple(str(d) for d in docs),
                optional=bool(item.get("optional", False)),
            )
        )
    return tuple(entities)


def _check_entity(labels: AbstractSet[str], name: Any, where: str, key: str) -> str:
    if name not in labels:
        raise EvaluationError(
            f"{where}: `{key}` {name!r} is not the label of a gold entity; "
            "refer to entities by their `label`."
        )
    return str(name)


def _check_predicate(name: Any, where: str) -> str:
    if name not in CORE_PREDICATES:
        raise EvaluationError(
            f"{where}: predicate {name!r} is not one of the core predicates "
            f"({', '.join(CORE_PREDICATES)})."
        )
    return str(name)


def _alternatives(
    item: Mapping[str, Any], labels: AbstractSet[str], where: str
) -> tuple[tuple[str, str, str], ...]:
    alternatives = []
    for alt in item.get("alternatives") or ():
        if not isinstance(alt, list | tuple) or len(alt) != 3:
            raise EvaluationError(
                f"{where}: each alternative must be [subject, predicate, object]."
            )
        alternatives.append(
            (
                _check_entity(labels, alt[0], where, "alternative subject"),
                _check_predicate(alt[1], where),
                _check_entity(labels, alt[2], where, "alternative object"),
            )
        )
    return tuple(alternatives)


def _qualifiers(item: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    qualifiers_in = item.get("qualifiers") or {}
    if not isinstance(qualifiers_in, Mapping):
        raise EvaluationError(f"{where}: `qualifiers` must be a JSON object.")
    qualifiers = []
    for key, value in qualifiers_in.items():
        if key not in QUALIFIER_PROPERTIES:
            raise EvaluationError(
                f"{where}: unknown qualifier {key!r}; use one of {', '.join(QUALIFIER_PROPERTIES)}."
            )
        qualifiers.append((key, str(value)))
    return tuple(qualifiers)


def _parse_relations(items: Iterable[Any], labels: AbstractSet[str]) -> tuple[GoldRelation, ...]:
    relations: list[GoldRelation] = []
    for i, item in enumerate(items):
        where = f"gold relation {i}"
        item = _object(item, where)
        alternatives = _alternatives(item, labels, where)
        qualifiers = _qualifiers(item, where)
        relations.append(
            GoldRelation(
                subject=_check_entity(labels, item.get("subject"), where, "subject"),
                predicate=_check_predicate(item.get("predicate"), where),
                object=_check_entity(labels, item.get("object"), where, "object"),
                doc=_opt_str(item.get("doc"), where, "doc"),
                evidence=_opt_str(item.get("evidence"), where, "evidence"),
                optional=bool(item.get("optional", False)),
                alternatives=alternatives,
                qualifiers=qualifiers,
            )
        )
    return tuple(relations)


def _parse_observations(
    items: Iterable[Any], labels: AbstractSet[str]
) -> tuple[GoldObservation, ...]:
    observations: list[GoldObservation] = []
    for i, item in enumerate(items):
        where = f"gold observation {i}"
        item = _object(item, where)
        place = item.get("place")
        source = item.get("source")
        observations.append(
            GoldObservation(
                subject=_check_entity(labels, item.get("subject"), where, "subject"),
                metric=_req_str(item, "metric", where),
                value=_as_decimal(item.get("value"), where),
                unit=_req_str(item, "unit", where),
                period=_opt_str(item.get("period"), where, "period"),
                place=None if place is None else _check_entity(labels, place, where, "place"),
                segment=_opt_str(item.get("segment"), where, "segment"),
                source=None if source is None else _check_entity(labels, source, where, "source"),
                doc=_opt_str(item.get("doc"), where, "doc"),
                evidence=_opt_str(item.get("evidence"), where, "evidence"),
            )
        )
    return tuple(observations)


def load_seeds_gold(path: str | Path) -> SeedsGold:
    """Read a ``seeds.gold.json`` file (format: ``shared/GOLD.md``).

    Args:
        path: the JSON file.

    Returns:
        The gold standard, numbers read exactly (``Decimal``).

    Raises:
        EvaluationError: the file is missing, not JSON or not in the gold format.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = os.path.join(tmp, "g.json")
    ...     _ = open(p, "w").write('{"entities": [{"label": "Acme", "class": "Company"}]}')
    ...     load_seeds_gold(p).entities[0].coarse
    'Organization'
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise EvaluationError(
            f"{file}: no such gold file. Give the path of a seeds.gold.json file."
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationError(f"{file}: cannot read the gold file ({err}).") from err
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise EvaluationError(
            f"{file}, line {err.lineno}: not valid JSON ({err.msg}). Fix the gold file."
        ) from err
    try:
        return parse_seeds_gold(data)
    except EvaluationError as err:
        raise EvaluationError(f"{file}: {err}") from err


def gold_evidence(doc: str | None, quote: str | None) -> tuple[str, ...]:
    if not quote:
        return ()
    return (f"[{doc}] {quote}" if doc else quote,)
