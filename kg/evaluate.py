"""Score extraction against gold data: the seed articles' gold graph and CoNLL04.

Two scorers share the matching rules of ``shared/GOLD.md``:

* :func:`score_graph` reads a built graph (entities, direct relation triples,
  ``kgo:Statement`` qualifiers, ``kgo:Observation`` figures) and compares it
  with a :class:`SeedsGold` loaded by :func:`load_seeds_gold`; beyond
  precision and recall it reports duplicated and wrongly merged entities
  (:class:`EntityIdentity`) and how well relation confidences are calibrated
  (:mod:`kg.eval_calibration`);
* :func:`score_conll04` compares ``kg extract`` records with CoNLL04
  sentences loaded by :func:`load_conll04`, strictly (exact spans and types).

:func:`format_report` turns either report into text or JSON. Nothing here
prints; every output is deterministic.

>>> normalize_name("  The  Pentagon’s ")
'pentagon'
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from rdflib import ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.errors import EvaluationError, UnsupportedFormatError
from kg.eval_calibration import Calibration, RatedTriple, calibrate, format_calibration
from kg.ontology import (
    CORE_PREDICATES,
    KGO,
    KGO_IRI,
    PROV,
    SYMMETRIC_PREDICATES,
    normalize_name,  # GOLD.md rule 1; re-exported here for scorers
)
from kg.types import COARSE_CLASSES, coarse_class

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
    "format_report",
    "load_conll04",
    "load_seeds_gold",
    "normalize_name",
    "parse_seeds_gold",
    "score_conll04",
    "score_graph",
]

_PROV_DERIVED = PROV.wasDerivedFrom


def _kgo(name: str) -> URIRef:
    """The kgo term of a name from this module's tables (fails on a name the ontology lacks)."""
    return cast(URIRef, getattr(KGO, name))


#: Gold qualifier key -> kgo property local name on a statement node.
_QUALIFIER_PROPERTIES: dict[str, str] = {
    "date": "date",
    "start": "startDate",
    "end": "endDate",
    "duration": "duration",
    "status": "status",
    "role": "role",
}
_DATE_QUALIFIERS = frozenset({"date", "start", "end"})

#: CoNLL04 entity types that are scored, mapped to the project's coarse classes.
CONLL_ENTITY_TYPES: dict[str, str] = {"Peop": "Person", "Org": "Organization", "Loc": "Place"}
#: CoNLL04 relation types mapped to core predicates.
CONLL_RELATION_TYPES: dict[str, str] = {
    "Work_For": "worksFor",
    "OrgBased_In": "basedIn",
    "Located_In": "locatedIn",
    "Live_In": "livesIn",
    "Kill": "killed",
}

_COARSE = frozenset(COARSE_CLASSES)
_TOLERANCE = Decimal("1e-9")


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True, slots=True)
class Score:
    """True positives, false positives and misses, with precision, recall and F1.

    A ratio whose denominator is zero is 0.0.

    >>> s = Score(tp=3, fp=1, fn=2)
    >>> (s.precision, s.recall, round(s.f1, 3))
    (0.75, 0.6, 0.667)
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The counts and the three ratios (rounded to 6 places)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }


@dataclass(frozen=True, slots=True)
class Ratio:
    """``right`` out of ``total`` (0.0 when ``total`` is 0).

    >>> Ratio(right=1, total=4).value
    0.25
    """

    right: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        """right / total."""
        return self.right / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The counts and the ratio (rounded to 6 places)."""
        return {"right": self.right, "total": self.total, "value": round(self.value, 6)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One miss or false positive: what, why, and the text that supports it."""

    item: str
    reason: str
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"item": self.item, "reason": self.reason, "evidence": list(self.evidence)}


class _Tally:
    """Mutable tp/fp/fn counters per key, frozen into :class:`Score` at the end."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(self, key: str, *, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        row = self.counts[key]
        row[0] += tp
        row[1] += fp
        row[2] += fn

    def scores(self) -> tuple[tuple[str, Score], ...]:
        return tuple((k, Score(*v)) for k, v in sorted(self.counts.items()))


def _pairs_to_dict(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    return {k: v.to_dict() for k, v in pairs}


# --------------------------------------------------------------------------- names


# --------------------------------------------------------------------------- seeds gold


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
    documents = []
    for i, item in enumerate(data.get("documents") or ()):
        where = f"gold document {i}"
        if not isinstance(item, Mapping):
            raise EvaluationError(f"{where}: must be a JSON object.")
        documents.append(
            GoldDocument(
                id=_req_str(item, "id", where),
                file=_opt_str(item.get("file"), where, "file"),
                date=_opt_str(item.get("date"), where, "date"),
                publisher=_opt_str(item.get("publisher"), where, "publisher"),
            )
        )

    entities: list[GoldEntity] = []
    labels: set[str] = set()
    for i, item in enumerate(data.get("entities") or ()):
        where = f"gold entity {i}"
        if not isinstance(item, Mapping):
            raise EvaluationError(f"{where}: must be a JSON object.")
        label = _req_str(item, "label", where)
        where = f"gold entity {label!r}"
        if label in labels:
            raise EvaluationError(f"{where}: the label is used twice; labels must be unique.")
        labels.add(label)
        names = item.get("names") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise EvaluationError(f"{where}: `names` must be a list of strings.")
        # The canonical label is always an acceptable name.
        all_names = tuple(dict.fromkeys([label, *names]))
        docs = item.get("docs") or []
        entities.append(
            GoldEntity(
                label=label,
                cls=_req_str(item, "class", where),
                names=all_names,
                wikidata=_opt_str(item.get("wikidata"), where, "wikidata"),
                docs=tuple(str(d) for d in docs),
                optional=bool(item.get("optional", False)),
            )
        )

    def check_entity(name: Any, where: str, key: str) -> str:
        if name not in labels:
            raise EvaluationError(
                f"{where}: `{key}` {name!r} is not the label of a gold entity; "
                "refer to entities by their `label`."
            )
        return str(name)

    def check_predicate(name: Any, where: str) -> str:
        if name not in CORE_PREDICATES:
            raise EvaluationError(
                f"{where}: predicate {name!r} is not one of the core predicates "
                f"({', '.join(CORE_PREDICATES)})."
            )
        return str(name)

    relations: list[GoldRelation] = []
    for i, item in enumerate(data.get("relations") or ()):
        where = f"gold relation {i}"
        if not isinstance(item, Mapping):
            raise EvaluationError(f"{where}: must be a JSON object.")
        alternatives = []
        for alt in item.get("alternatives") or ():
            if not isinstance(alt, list | tuple) or len(alt) != 3:
                raise EvaluationError(
                    f"{where}: each alternative must be [subject, predicate, object]."
                )
            alternatives.append(
                (
                    check_entity(alt[0], where, "alternative subject"),
                    check_predicate(alt[1], where),
                    check_entity(alt[2], where, "alternative object"),
                )
            )
        qualifiers_in = item.get("qualifiers") or {}
        if not isinstance(qualifiers_in, Mapping):
            raise EvaluationError(f"{where}: `qualifiers` must be a JSON object.")
        qualifiers = []
        for key, value in qualifiers_in.items():
            if key not in _QUALIFIER_PROPERTIES:
                raise EvaluationError(
                    f"{where}: unknown qualifier {key!r}; use one of "
                    f"{', '.join(_QUALIFIER_PROPERTIES)}."
                )
            qualifiers.append((key, str(value)))
        relations.append(
            GoldRelation(
                subject=check_entity(item.get("subject"), where, "subject"),
                predicate=check_predicate(item.get("predicate"), where),
                object=check_entity(item.get("object"), where, "object"),
                doc=_opt_str(item.get("doc"), where, "doc"),
                evidence=_opt_str(item.get("evidence"), where, "evidence"),
                optional=bool(item.get("optional", False)),
                alternatives=tuple(alternatives),
                qualifiers=tuple(qualifiers),
            )
        )

    observations: list[GoldObservation] = []
    for i, item in enumerate(data.get("observations") or ()):
        where = f"gold observation {i}"
        if not isinstance(item, Mapping):
            raise EvaluationError(f"{where}: must be a JSON object.")
        place = item.get("place")
        source = item.get("source")
        observations.append(
            GoldObservation(
                subject=check_entity(item.get("subject"), where, "subject"),
                metric=_req_str(item, "metric", where),
                value=_as_decimal(item.get("value"), where),
                unit=_req_str(item, "unit", where),
                period=_opt_str(item.get("period"), where, "period"),
                place=None if place is None else check_entity(place, where, "place"),
                segment=_opt_str(item.get("segment"), where, "segment"),
                source=None if source is None else check_entity(source, where, "source"),
                doc=_opt_str(item.get("doc"), where, "doc"),
                evidence=_opt_str(item.get("evidence"), where, "evidence"),
            )
        )
    return SeedsGold(tuple(documents), tuple(entities), tuple(relations), tuple(observations))


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


# --------------------------------------------------------------------------- graph view


def _local(term: Node) -> str:
    """The local name of a kgo IRI, the last path segment of another IRI, or a literal's text."""
    text = str(term)
    if isinstance(term, URIRef):
        if text.startswith(KGO_IRI):
            return text[len(KGO_IRI) :]
        return re.split(r"[#/]", text.rstrip("/#"))[-1]
    return text


@dataclass(frozen=True, slots=True)
class _NodeInfo:
    node: Node
    label: str | None
    alt_labels: tuple[str, ...]
    classes: tuple[str, ...]  # kgo local names, sorted
    docs: tuple[str, ...]

    @property
    def coarse(self) -> frozenset[str]:
        return frozenset(coarse_class(c) for c in self.classes)

    @property
    def in_scope(self) -> bool:
        return bool(self.coarse & _COARSE)

    @property
    def fine(self) -> str:
        """The class reported for the node: the first one of a coarse class, if any."""
        for c in self.classes:
            if coarse_class(c) in _COARSE:
                return c
        return self.classes[0]

    @property
    def names(self) -> tuple[str, ...]:
        return ((self.label,) if self.label is not None else ()) + self.alt_labels

    def describe(self) -> str:
        name = self.label if self.label is not None else (self.alt_labels or ("?",))[0]
        return f"{name!r} [{self.fine}] <{self.node}>"


def _flatten(graph: Graph) -> Graph:
    """One graph with every triple of every named graph of a dataset.

    A build states its relations in the articles' graphs; a relation in the
    default graph of such a dataset is background knowledge (where a gazetteer
    place lies), not extraction, and is not scored.
    """
    if not isinstance(graph, ConjunctiveGraph):
        return graph
    core = {_kgo(p) for p in CORE_PREDICATES}
    default = graph.default_context.identifier
    named = any(c.identifier != default for c in graph.contexts())
    flat = Graph()
    for s, p, o, g in graph.quads((None, None, None, None)):
        in_default = g is None or getattr(g, "identifier", g) == default
        if not (named and in_default and p in core):
            flat.add((s, p, o))
    return flat


class _GraphView:
    """Indexes of the parts of a built graph the scorer reads."""

    def __init__(self, graph: Graph) -> None:
        self.g = _flatten(graph)
        g = self.g
        types: dict[Node, set[str]] = defaultdict(set)
        for s, o in g.subject_objects(RDF.type):
            if isinstance(o, URIRef) and str(o).startswith(KGO_IRI):
                types[s].add(_local(o))
        self.nodes: dict[Node, _NodeInfo] = {}
        for node, classes in types.items():
            labels = sorted(str(x) for x in g.objects(node, RDFS.label) if isinstance(x, Literal))
            alts = sorted(
                {str(x) for x in g.objects(node, SKOS.altLabel) if isinstance(x, Literal)}
                - set(labels[:1])
            )
            docs = sorted(self.doc_id(d) for d in g.objects(node, KGO.mentionedIn))
            self.nodes[node] = _NodeInfo(
                node=node,
                label=labels[0] if labels else None,
                alt_labels=tuple(labels[1:] + alts),
                classes=tuple(sorted(classes)),
                docs=tuple(docs),
            )
        self.statements: dict[tuple[Node, Node, Node], list[Node]] = defaultdict(list)
        for stmt, subj in g.subject_objects(RDF.subject):
            for pred in g.objects(stmt, RDF.predicate):
                for obj in g.objects(stmt, RDF.object):
                    self.statements[(subj, pred, obj)].append(stmt)
        for key in self.statements:
            self.statements[key].sort(key=str)
        self.facts = _fact_confidences(g)

    def doc_id(self, doc: Node) -> str:
        ident = self.g.value(doc, DCTERMS.identifier)
        return str(ident) if ident is not None else _local(doc)

    def describe(self, node: Node) -> str:
        info = self.nodes.get(node)
        if info is not None:
            return info.describe()
        return repr(str(node)) if isinstance(node, Literal) else f"<{node}>"

    def name(self, node: Node) -> str:
        info = self.nodes.get(node)
        if info is not None and info.label is not None:
            return info.label
        return _local(node)

    def evidence(self, statements: Iterable[Node]) -> tuple[str, ...]:
        out: list[str] = []
        for stmt in statements:
            docs = sorted(self.doc_id(d) for d in self.g.objects(stmt, _PROV_DERIVED))
            quotes = sorted(str(e) for e in self.g.objects(stmt, KGO.evidence))
            prefix = f"[{', '.join(docs)}] " if docs else ""
            out.extend(f"{prefix}{q}" for q in quotes or ["(no evidence)"])
        return tuple(out)


def _fact_confidences(g: Graph) -> dict[tuple[Node, Node, Node], Decimal]:
    """The ``kgo:confidence`` of each ``kgo:Fact``, by the triple it names (the highest)."""
    out: dict[tuple[Node, Node, Node], Decimal] = {}
    for fact in g.subjects(RDF.type, KGO.Fact):
        s = g.value(fact, KGO.tripleSubject)
        p = g.value(fact, KGO.triplePredicate)
        o = g.value(fact, KGO.tripleObject)
        if s is None or p is None or o is None:
            continue
        for value in g.objects(fact, KGO.confidence):
            confidence = _literal_decimal(value)
            if confidence is not None and confidence > out.get((s, p, o), Decimal(-1)):
                out[(s, p, o)] = confidence
    return out


class _Matcher:
    """Which gold entities a graph node matches (GOLD.md rule 2), best first."""

    def __init__(self, entities: Sequence[GoldEntity]) -> None:
        self.entities = entities
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for i, entity in enumerate(entities):
            for key in dict.fromkeys(normalize_name(n) for n in entity.names):
                self.by_name[key].append(i)
        self.index = {e.label: i for i, e in enumerate(entities)}
        self._cache: dict[Node, tuple[tuple[int, int], ...]] = {}

    def ranked(self, info: _NodeInfo) -> tuple[tuple[int, int], ...]:
        """(rank, gold index) pairs; rank 0 is the best kind of match."""
        cached = self._cache.get(info.node)
        if cached is not None:
            return cached
        coarse = info.coarse
        label_key = normalize_name(info.label) if info.label is not None else None
        found: dict[int, int] = {}
        for name in info.names:
            for i in self.by_name.get(normalize_name(name), ()):
                entity = self.entities[i]
                if entity.coarse not in coarse:
                    continue
                if info.label is not None and info.label == entity.label:
                    rank = 0  # the node's label is the gold label, as written
                elif label_key is not None and label_key == normalize_name(entity.label):
                    rank = 1
                elif label_key is not None and name == info.label:
                    rank = 2  # the node's label is one of the gold names
                else:
                    rank = 3  # only an altLabel matches
                found[i] = min(rank, found.get(i, rank))
        result = tuple(sorted((rank, i) for i, rank in found.items()))
        self._cache[info.node] = result
        return result

    def gold_of(self, view: _GraphView, node: Node) -> frozenset[int]:
        info = view.nodes.get(node)
        if info is None:
            return frozenset()
        return frozenset(i for _, i in self.ranked(info))


# --------------------------------------------------------------------------- seeds report


@dataclass(frozen=True, slots=True)
class EntityIdentity:
    """Whether each real thing has exactly one node: duplicates and wrong merges.

    ``gold_entities`` counts the required gold entities of the four coarse
    classes. A node counts for the gold entity it matches best (the one entity
    precision credits it to); ``duplicated`` gold entities have two or more
    such nodes, ``extra_nodes`` are the nodes beyond the first of each (the
    duplicates entity precision counts as false positives). ``wrong_merges``
    are nodes that match two or more required gold entities (GOLD.md rule 2):
    one node standing for several real things.

    >>> EntityIdentity(gold_entities=4, duplicated=1, extra_nodes=2).duplicated_share
    0.25
    """

    gold_entities: int = 0
    duplicated: int = 0
    extra_nodes: int = 0
    wrong_merges: int = 0

    @property
    def duplicated_share(self) -> float:
        """duplicated / gold_entities (0.0 without gold entities)."""
        return self.duplicated / self.gold_entities if self.gold_entities else 0.0


@dataclass(frozen=True, slots=True)
class SeedsReport:
    """Scores of a graph against the seed gold standard, with misses and false positives.

    Relation counts: ``tp`` = required gold facts found, ``fn`` = required
    gold facts not found, ``fp`` = scored triples that match no gold fact.
    Triples that only restate a fact already found (the reverse of a
    symmetric triple, an alternative beside the main form, a triple between
    duplicate nodes) are ``relations_redundant``, not errors; triples matching
    only optional facts are ``relations_optional``.

    ``identity`` counts duplicated gold entities and wrongly merged nodes
    (listed in ``entity_duplicates`` and ``entity_wrong_merges``);
    ``calibration`` rates the confidence of every triple that relation
    precision counts (the right ones, redundant ones included, and the false
    positives).
    """

    entities: Score
    entities_by_coarse: tuple[tuple[str, Score], ...]
    entities_by_class: tuple[tuple[str, Score], ...]
    entity_class_agreement: Ratio  # found entities whose node has the gold's exact class
    relations: Score
    relations_by_predicate: tuple[tuple[str, Score], ...]
    relations_redundant: int
    relations_optional: int
    qualifiers: Ratio
    qualifiers_by_key: tuple[tuple[str, Ratio], ...]
    observations: Score
    observations_complete: Ratio  # found with every attribute the gold gives right
    observation_attributes: tuple[tuple[str, Ratio], ...]  # over found observations
    entity_misses: tuple[Finding, ...] = ()
    entity_false_positives: tuple[Finding, ...] = ()
    relation_misses: tuple[Finding, ...] = ()
    relation_false_positives: tuple[Finding, ...] = ()
    qualifier_errors: tuple[Finding, ...] = ()
    observation_misses: tuple[Finding, ...] = ()
    observation_errors: tuple[Finding, ...] = ()  # found, with an attribute wrong or missing
    observation_false_positives: tuple[Finding, ...] = ()
    identity: EntityIdentity = EntityIdentity()
    entity_duplicates: tuple[Finding, ...] = ()  # one per duplicated gold entity
    entity_wrong_merges: tuple[Finding, ...] = ()  # one per wrongly merged node
    # Of the triples relation precision scores.
    calibration: Calibration = field(default_factory=Calibration)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (ratios rounded to 6 places)."""
        identity = self.identity
        return {
            "kind": "seeds",
            "entities": {
                "overall": self.entities.to_dict(),
                "by_coarse_class": _pairs_to_dict(self.entities_by_coarse),
                "by_class": _pairs_to_dict(self.entities_by_class),
                "class_agreement": self.entity_class_agreement.to_dict(),
                "misses": [f.to_dict() for f in self.entity_misses],
                "false_positives": [f.to_dict() for f in self.entity_false_positives],
                "duplicates": {
                    "gold_entities": identity.gold_entities,
                    "duplicated": identity.duplicated,
                    "extra_nodes": identity.extra_nodes,
                    "share": round(identity.duplicated_share, 6),
                    "items": [f.to_dict() for f in self.entity_duplicates],
                },
                "wrong_merges": {
                    "nodes": identity.wrong_merges,
                    "items": [f.to_dict() for f in self.entity_wrong_merges],
                },
            },
            "calibration": self.calibration.to_dict(),
            "relations": {
                "overall": self.relations.to_dict(),
                "by_predicate": _pairs_to_dict(self.relations_by_predicate),
                "redundant": self.relations_redundant,
                "optional": self.relations_optional,
                "misses": [f.to_dict() for f in self.relation_misses],
                "false_positives": [f.to_dict() for f in self.relation_false_positives],
            },
            "qualifiers": {
                "overall": self.qualifiers.to_dict(),
                "by_key": _pairs_to_dict(self.qualifiers_by_key),
                "errors": [f.to_dict() for f in self.qualifier_errors],
            },
            "observations": {
                "overall": self.observations.to_dict(),
                "complete": self.observations_complete.to_dict(),
                "attributes": _pairs_to_dict(self.observation_attributes),
                "misses": [f.to_dict() for f in self.observation_misses],
                "attribute_errors": [f.to_dict() for f in self.observation_errors],
                "false_positives": [f.to_dict() for f in self.observation_false_positives],
            },
        }


@dataclass(frozen=True, slots=True)
class _Fact:
    """A gold relation after merging the documents that state it."""

    subject: str
    predicate: str
    object: str
    optional: bool
    patterns: tuple[tuple[str, str, str], ...]  # main triple first, then alternatives
    qualifiers: tuple[tuple[str, str], ...]
    evidence: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}"


def _fact_key(subject: str, predicate: str, obj: str) -> tuple[str, str, str]:
    if predicate in SYMMETRIC_PREDICATES and obj < subject:
        subject, obj = obj, subject
    return (subject, predicate, obj)


def _merge_facts(relations: Sequence[GoldRelation]) -> list[_Fact]:
    """One fact per (subject, predicate, object), in gold order, the union over documents."""
    groups: dict[tuple[str, str, str], list[GoldRelation]] = {}
    for rel in relations:
        groups.setdefault(_fact_key(rel.subject, rel.predicate, rel.object), []).append(rel)
    facts = []
    for rels in groups.values():
        first = rels[0]
        patterns = dict.fromkeys(
            [(first.subject, first.predicate, first.object)]
            + [alt for rel in rels for alt in rel.alternatives]
        )
        qualifiers: dict[str, str] = {}
        for rel in rels:
            for key, value in rel.qualifiers:
                qualifiers.setdefault(key, value)
        evidence = tuple(e for rel in rels for e in _gold_evidence(rel.doc, rel.evidence))
        facts.append(
            _Fact(
                subject=first.subject,
                predicate=first.predicate,
                object=first.object,
                optional=all(rel.optional for rel in rels),
                patterns=tuple(patterns),
                qualifiers=tuple(qualifiers.items()),
                evidence=evidence,
            )
        )
    return facts


def _gold_evidence(doc: str | None, quote: str | None) -> tuple[str, ...]:
    if not quote:
        return ()
    return (f"[{doc}] {quote}" if doc else quote,)


def _date_matches(gold: str, predicted: str) -> bool:
    """Prefix match at the gold's precision: "2018-03" matches "2018-03" and "2018-03-15"."""
    gold, predicted = gold.strip(), predicted.strip()
    return predicted == gold or (predicted.startswith(gold) and predicted[len(gold)] == "-")


def _qualifier_matches(key: str, gold: str, value: Node) -> bool:
    text = _local(value)
    if key in _DATE_QUALIFIERS:
        return _date_matches(gold, text)
    if key == "status":
        return text.strip().lower() == gold.strip().lower()
    if key == "role":
        return normalize_name(text) == normalize_name(gold)
    return text.strip() == gold.strip()  # duration: exact


def _decimal_equal(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b))


def _literal_decimal(value: Node | None) -> Decimal | None:
    if not isinstance(value, Literal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def score_graph(graph: Graph, gold: SeedsGold) -> SeedsReport:
    """Score a built graph against the seed gold standard (GOLD.md rules 1-5).

    Entities are nodes whose ``rdf:type`` is a kgo class of one of the four
    coarse classes; relations are direct triples with a core predicate;
    qualifiers are read from the ``kgo:Statement`` nodes of found relations;
    figures from ``kgo:Observation`` nodes. A :class:`rdflib.Dataset` is read
    across all its graphs.

    Args:
        graph: the built graph (``rdflib.Graph`` or ``rdflib.Dataset``).
        gold: the gold standard.

    Returns:
        The report.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... <urn:acme> a kgo:Company ; rdfs:label "ACME Corp" ; kgo:basedIn <urn:paris> .
    ... <urn:paris> a kgo:City ; rdfs:label "Paris" .
    ... <urn:bob> a kgo:Person ; rdfs:label "Bob" .''')
    >>> gold = parse_seeds_gold({
    ...     "entities": [{"label": "Acme", "class": "Company", "names": ["Acme Corp"]},
    ...                  {"label": "Paris", "class": "City"}],
    ...     "relations": [{"subject": "Acme", "predicate": "basedIn", "object": "Paris"}]})
    >>> report = score_graph(g, gold)
    >>> report.entities, report.relations.f1
    (Score(tp=2, fp=1, fn=0), 1.0)
    """
    view = _GraphView(graph)
    matcher = _Matcher(gold.entities)
    entity_part = _score_entities(view, matcher, gold.entities)
    relation_part = _score_relations(view, matcher, gold.relations)
    observation_part = _score_observations(view, matcher, gold.observations)
    return SeedsReport(**entity_part, **relation_part, **observation_part)


def _score_entities(
    view: _GraphView, matcher: _Matcher, entities: Sequence[GoldEntity]
) -> dict[str, Any]:
    coarse_tally, class_tally = _Tally(), _Tally()
    claimed: dict[int, list[tuple[int, str, _NodeInfo]]] = defaultdict(list)
    false_positives: list[Finding] = []
    for info in sorted(view.nodes.values(), key=lambda n: str(n.node)):
        if not info.in_scope:
            continue
        ranked = matcher.ranked(info)
        if not ranked:
            coarse = coarse_class(info.fine)
            coarse_tally.add(coarse, fp=1)
            class_tally.add(info.fine, fp=1)
            false_positives.append(
                Finding(
                    item=info.describe(),
                    reason="matches no gold entity of its coarse class",
                    evidence=tuple(f"mentioned in {d}" for d in info.docs),
                )
            )
            continue
        rank, index = ranked[0]
        claimed[index].append((rank, str(info.node), info))

    agreement = Ratio()
    for index, entity in enumerate(entities):
        in_scope = entity.coarse in _COARSE and not entity.optional
        nodes = sorted(claimed.get(index, ()), key=lambda t: (t[0], t[1]))
        if not in_scope:
            continue  # optional (or out-of-scope) gold: neither hits nor misses
        if nodes:
            best = nodes[0][2]
            coarse_tally.add(entity.coarse, tp=1)
            class_tally.add(entity.cls, tp=1)
            agreement = Ratio(agreement.right + (best.fine == entity.cls), agreement.total + 1)
            for _, _, dup in nodes[1:]:
                coarse_tally.add(coarse_class(dup.fine), fp=1)
                class_tally.add(dup.fine, fp=1)
                false_positives.append(
                    Finding(
                        item=dup.describe(),
                        reason=f"duplicate of {best.describe()} for gold {entity.label!r}",
                        evidence=tuple(f"mentioned in {d}" for d in dup.docs),
                    )
                )
        else:
            coarse_tally.add(entity.coarse, fn=1)
            class_tally.add(entity.cls, fn=1)
    misses = [
        _entity_miss(view, matcher, i, e)
        for i, e in enumerate(entities)
        if e.coarse in _COARSE and not e.optional and i not in claimed
    ]
    overall = Score(
        tp=sum(s.tp for _, s in coarse_tally.scores()),
        fp=sum(s.fp for _, s in coarse_tally.scores()),
        fn=sum(s.fn for _, s in coarse_tally.scores()),
    )
    false_positives.sort(key=lambda f: f.item)
    return {
        "entities": overall,
        "entities_by_coarse": coarse_tally.scores(),
        "entities_by_class": class_tally.scores(),
        "entity_class_agreement": agreement,
        "entity_misses": tuple(misses),
        "entity_false_positives": tuple(false_positives),
        **_score_identity(view, matcher, entities, claimed),
    }


def _required(entity: GoldEntity) -> bool:
    """Whether a gold entity is scored: not optional, and of one of the four coarse classes."""
    return entity.coarse in _COARSE and not entity.optional


def _score_identity(
    view: _GraphView,
    matcher: _Matcher,
    entities: Sequence[GoldEntity],
    claimed: Mapping[int, Sequence[tuple[int, str, _NodeInfo]]],
) -> dict[str, Any]:
    """Duplicated gold entities and wrongly merged nodes (see :class:`EntityIdentity`).

    ``claimed`` gives, per gold index, the (rank, IRI, node) of the nodes that
    match it best, as entity precision credits them.
    """
    duplicated = {
        i: [info for _, _, info in sorted(nodes, key=lambda t: (t[0], t[1]))]
        for i, nodes in sorted(claimed.items())
        if _required(entities[i]) and len(nodes) > 1
    }
    merges = []
    for info in sorted(view.nodes.values(), key=lambda n: str(n.node)):
        if not info.in_scope:
            continue
        golds = sorted(i for _, i in matcher.ranked(info) if _required(entities[i]))
        if len(golds) > 1:
            merges.append(_wrong_merge_finding(info, [entities[i] for i in golds]))
    identity = EntityIdentity(
        gold_entities=sum(_required(e) for e in entities),
        duplicated=len(duplicated),
        extra_nodes=sum(len(nodes) - 1 for nodes in duplicated.values()),
        wrong_merges=len(merges),
    )
    return {
        "identity": identity,
        "entity_duplicates": tuple(
            _duplicate_finding(entities[i], nodes) for i, nodes in duplicated.items()
        ),
        "entity_wrong_merges": tuple(merges),
    }


def _duplicate_finding(entity: GoldEntity, nodes: Sequence[_NodeInfo]) -> Finding:
    """A gold entity with several nodes: the nodes, best match first, and their documents."""
    return Finding(
        item=f"{entity.label!r} [{entity.cls}]",
        reason=f"{len(nodes)} nodes: " + "; ".join(n.describe() for n in nodes),
        evidence=tuple(f"{n.describe()} mentioned in {', '.join(n.docs)}" for n in nodes if n.docs),
    )


def _wrong_merge_finding(info: _NodeInfo, golds: Sequence[GoldEntity]) -> Finding:
    """A node matching several gold entities: each, with the node's names that match it."""
    parts = []
    for entity in golds:
        keys = {normalize_name(n) for n in entity.names}
        names = ", ".join(repr(n) for n in info.names if normalize_name(n) in keys)
        parts.append(f"{entity.label!r} [{entity.cls}] by {names}")
    return Finding(
        item=info.describe(),
        reason=f"one node for {len(golds)} gold entities: " + "; ".join(parts),
        evidence=tuple(f"mentioned in {d}" for d in info.docs),
    )


def _entity_miss(view: _GraphView, matcher: _Matcher, index: int, entity: GoldEntity) -> Finding:
    """Explain a missed entity: no node by any of its names, or one of the wrong class."""
    keys = {normalize_name(n) for n in entity.names}
    same_name = sorted(
        info.describe()
        for info in view.nodes.values()
        if info.in_scope and any(normalize_name(n) in keys for n in info.names)
    )
    if not same_name:
        reason = "no node has any of its names"
    elif any(index in matcher.gold_of(view, info.node) for info in view.nodes.values()):
        reason = "its nodes matched another gold entity better"
    else:
        reason = "nodes with its name have another coarse class: " + "; ".join(same_name)
    return Finding(
        item=f"{entity.label!r} [{entity.cls}]",
        reason=reason,
        evidence=(f"names: {', '.join(entity.names)}",),
    )


def _score_relations(
    view: _GraphView, matcher: _Matcher, relations: Sequence[GoldRelation]
) -> dict[str, Any]:
    facts = _merge_facts(relations)
    index = matcher.index
    triples = _scored_triples(view)

    def matches(triple: tuple[Node, str, Node]) -> list[int]:
        s, predicate, o = triple
        gs, go = matcher.gold_of(view, s), matcher.gold_of(view, o)
        out = []
        for f, fact in enumerate(facts):
            for ps, pp, po in fact.patterns:
                if pp != predicate:
                    continue
                si, oi = index[ps], index[po]
                if (si in gs and oi in go) or (
                    predicate in SYMMETRIC_PREDICATES and si in go and oi in gs
                ):
                    out.append(f)
                    break
        return out

    tally = _Tally()
    found: dict[int, list[tuple[Node, str, Node]]] = defaultdict(list)
    correct_triples = 0
    optional_triples = 0
    false_positives: list[Finding] = []
    rated: list[RatedTriple] = []  # the triples relation precision counts, for calibration
    for key in sorted(triples):
        triple = triples[key]
        hits = matches(triple)
        for f in hits:
            found[f].append(triple)
        required = [f for f in hits if not facts[f].optional]
        if required or not hits:
            rated.append(RatedTriple(_triple_confidence(view, triple), frozenset(required)))
        if required:
            correct_triples += 1
        elif hits:
            optional_triples += 1
        else:
            s, predicate, o = triple
            tally.add(predicate, fp=1)
            false_positives.append(
                Finding(
                    item=f"{view.name(s)} {predicate} {view.name(o)}",
                    reason=_relation_fp_reason(view, matcher, triple),
                    evidence=view.evidence(_statements_of(view, triple)),
                )
            )

    misses: list[Finding] = []
    found_required = 0
    for f, fact in enumerate(facts):
        if fact.optional:
            continue
        if found.get(f):
            found_required += 1
            tally.add(fact.predicate, tp=1)
        else:
            tally.add(fact.predicate, fn=1)
            misses.append(
                Finding(
                    item=fact.describe(),
                    reason=_relation_miss_reason(view, matcher, fact),
                    evidence=fact.evidence,
                )
            )
    qualifier_part = _score_qualifiers(view, facts, found)
    by_predicate = tally.scores()
    return {
        "relations": Score(
            tp=sum(s.tp for _, s in by_predicate),
            fp=sum(s.fp for _, s in by_predicate),
            fn=sum(s.fn for _, s in by_predicate),
        ),
        "relations_by_predicate": by_predicate,
        "relations_redundant": correct_triples - found_required,
        "relations_optional": optional_triples,
        "relation_misses": tuple(misses),
        "relation_false_positives": tuple(false_positives),
        "calibration": calibrate(rated, required=sum(not f.optional for f in facts)),
        **qualifier_part,
    }


def _scored_triples(view: _GraphView) -> dict[tuple[str, str, str], tuple[Node, str, Node]]:
    """The predicted triples with a core predicate, one per symmetric pair, by a sortable key."""
    core: dict[Node, str] = {_kgo(p): p for p in CORE_PREDICATES}
    triples: dict[tuple[str, str, str], tuple[Node, str, Node]] = {}
    for s, p, o in view.g:
        predicate = core.get(p)
        if predicate is None:
            continue
        a, b = str(s), str(o)
        if predicate in SYMMETRIC_PREDICATES and b < a:
            a, b = b, a
        triples.setdefault((a, predicate, b), (s, predicate, o))
    return triples


def _triple_confidence(view: _GraphView, triple: tuple[Node, str, Node]) -> Decimal | None:
    """The graph's confidence in a triple (either direction of a symmetric one).

    The ``kgo:confidence`` of its ``kgo:Fact`` when several documents state it,
    else the highest of its statements'; None when the graph gives none.
    """
    s, predicate, o = triple
    p = _kgo(predicate)
    keys = [(s, p, o), (o, p, s)] if predicate in SYMMETRIC_PREDICATES else [(s, p, o)]
    facts = [view.facts[k] for k in keys if k in view.facts]
    if facts:
        return max(facts)
    stated = [
        confidence
        for statement in _statements_of(view, triple)
        for value in view.g.objects(statement, KGO.confidence)
        if (confidence := _literal_decimal(value)) is not None
    ]
    return max(stated, default=None)


def _statements_of(view: _GraphView, triple: tuple[Node, str, Node]) -> list[Node]:
    s, predicate, o = triple
    p = _kgo(predicate)
    stmts = list(view.statements.get((s, p, o), ()))
    if predicate in SYMMETRIC_PREDICATES:
        stmts += view.statements.get((o, p, s), ())
    return stmts


def _relation_fp_reason(view: _GraphView, matcher: _Matcher, triple: tuple[Node, str, Node]) -> str:
    s, _, o = triple
    parts = []
    for role, node in (("subject", s), ("object", o)):
        golds = sorted(matcher.gold_of(view, node))
        if golds:
            names = ", ".join(repr(matcher.entities[i].label) for i in golds)
            parts.append(f"{role} matches gold {names}")
        else:
            parts.append(f"{role} {view.describe(node)} matches no gold entity")
    return "no gold relation; " + "; ".join(parts)


def _relation_miss_reason(view: _GraphView, matcher: _Matcher, fact: _Fact) -> str:
    si, oi = matcher.index[fact.subject], matcher.index[fact.object]
    subjects = [n for n in view.nodes if si in matcher.gold_of(view, n)]
    objects = [n for n in view.nodes if oi in matcher.gold_of(view, n)]
    lacking = [
        f"no node for {label!r}"
        for label, nodes in ((fact.subject, subjects), (fact.object, objects))
        if not nodes
    ]
    if lacking:
        return "; ".join(lacking)
    seen = set()
    for s in subjects:
        for o in objects:
            for a, b in ((s, o), (o, s)):
                for p in view.g.predicates(a, b):
                    seen.add(f"{view.name(a)} {_local(p)} {view.name(b)}")
    if seen:
        return "both entities found; the graph links them as: " + "; ".join(sorted(seen))
    return "both entities found, but no triple links them"


def _score_qualifiers(
    view: _GraphView,
    facts: Sequence[_Fact],
    found: Mapping[int, Sequence[tuple[Node, str, Node]]],
) -> dict[str, Any]:
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    errors: list[Finding] = []
    for f, fact in enumerate(facts):
        if fact.optional or not fact.qualifiers:
            continue
        stmts: list[Node] = []
        for triple in found.get(f, ()):
            stmts += _statements_of(view, triple)
        for key, gold_value in fact.qualifiers:
            total[key] += 1
            prop = _kgo(_QUALIFIER_PROPERTIES[key])
            values = sorted({v for st in stmts for v in view.g.objects(st, prop)}, key=str)
            if any(_qualifier_matches(key, gold_value, v) for v in values):
                right[key] += 1
                continue
            if not found.get(f):
                reason = "relation not found"
            elif not stmts:
                reason = "relation found but it has no kgo:Statement"
            elif not values:
                reason = f"not given (kgo:{_QUALIFIER_PROPERTIES[key]})"
            else:
                reason = "found " + ", ".join(repr(_local(v)) for v in values)
            errors.append(
                Finding(
                    item=f"{fact.describe()}: {key} = {gold_value!r}",
                    reason=reason,
                    evidence=view.evidence(stmts) if stmts else fact.evidence,
                )
            )
    by_key = tuple((k, Ratio(right[k], total[k])) for k in sorted(total))
    return {
        "qualifiers": Ratio(sum(right.values()), sum(total.values())),
        "qualifiers_by_key": by_key,
        "qualifier_errors": tuple(errors),
    }


_OBS_ATTRIBUTES = ("metric", "period", "place", "segment", "source")
_OBS_PROPERTIES = {
    "metric": "metric",
    "period": "period",
    "place": "place",
    "segment": "segment",
    "source": "reportedBy",
}


def _score_observations(
    view: _GraphView, matcher: _Matcher, observations: Sequence[GoldObservation]
) -> dict[str, Any]:
    g = view.g
    nodes = sorted(set(g.subjects(RDF.type, KGO.Observation)), key=str)

    def entity_ok(value: Node | None, label: str) -> bool:
        if value is None:
            return False
        index = matcher.index[label]
        if isinstance(value, Literal):
            keys = {normalize_name(n) for n in matcher.entities[index].names}
            return normalize_name(str(value)) in keys
        return index in matcher.gold_of(view, value)

    def attribute_checks(obs: GoldObservation, node: Node) -> dict[str, bool]:
        checks = {"metric": any(_local(m) == obs.metric for m in g.objects(node, KGO.metric))}
        if obs.period is not None:
            checks["period"] = any(
                str(p).strip() == obs.period.strip() for p in g.objects(node, KGO.period)
            )
        if obs.place is not None:
            checks["place"] = any(entity_ok(p, obs.place) for p in g.objects(node, KGO.place))
        if obs.segment is not None:
            checks["segment"] = any(
                normalize_name(str(x)) == normalize_name(obs.segment)
                for x in g.objects(node, KGO.segment)
            )
        if obs.source is not None:
            checks["source"] = any(
                entity_ok(x, obs.source) for x in g.objects(node, KGO.reportedBy)
            )
        return checks

    used: set[Node] = set()
    found = complete = 0
    right: dict[str, int] = defaultdict(int)
    checked: dict[str, int] = defaultdict(int)
    misses: list[Finding] = []
    errors: list[Finding] = []
    for obs in observations:
        candidates = []
        for node in nodes:
            if not any(entity_ok(e, obs.subject) for e in g.objects(node, KGO.observedEntity)):
                continue
            if not any(
                (v := _literal_decimal(x)) is not None and _decimal_equal(v, obs.value)
                for x in g.objects(node, KGO.value)
            ):
                continue
            if not any(
                _local(u).casefold() == obs.unit.casefold() for u in g.objects(node, KGO.unit)
            ):
                continue
            checks = attribute_checks(obs, node)
            candidates.append((-sum(checks.values()), str(node), node, checks))
        where = f"{obs.subject} {obs.metric} = {obs.value} {obs.unit}"
        if not candidates:
            misses.append(
                Finding(
                    item=where,
                    reason="no kgo:Observation of this entity with this value and unit",
                    evidence=_gold_evidence(obs.doc, obs.evidence),
                )
            )
            continue
        _, _, node, checks = min(candidates, key=lambda c: (c[0], c[1]))
        used.update(c[2] for c in candidates)
        found += 1
        complete += all(checks.values())
        for attr, ok in checks.items():
            checked[attr] += 1
            right[attr] += ok
        wrong = [attr for attr in _OBS_ATTRIBUTES if attr in checks and not checks[attr]]
        if wrong:
            details = []
            for attr in wrong:
                seen = sorted(view.name(v) for v in g.objects(node, _kgo(_OBS_PROPERTIES[attr])))
                details.append(f"{attr} (gold {getattr(obs, attr)!r}, graph {seen or 'none'})")
            errors.append(
                Finding(
                    item=where,
                    reason=f"found as <{node}>, but wrong or missing: {'; '.join(details)}",
                    evidence=_observation_evidence(view, node),
                )
            )

    false_positives = [
        Finding(
            item=_describe_observation(view, node),
            reason="matches no gold observation (entity, value and unit)",
            evidence=_observation_evidence(view, node),
        )
        for node in nodes
        if node not in used
    ]
    total = len(observations)
    return {
        "observations": Score(tp=found, fp=len(false_positives), fn=total - found),
        "observations_complete": Ratio(complete, total),
        "observation_attributes": tuple(
            (a, Ratio(right[a], checked[a])) for a in _OBS_ATTRIBUTES if checked[a]
        ),
        "observation_misses": tuple(misses),
        "observation_errors": tuple(errors),
        "observation_false_positives": tuple(false_positives),
    }


def _describe_observation(view: _GraphView, node: Node) -> str:
    g = view.g
    subject = ", ".join(sorted(view.name(e) for e in g.objects(node, KGO.observedEntity)))
    metric = ", ".join(sorted(_local(m) for m in g.objects(node, KGO.metric)))
    value = ", ".join(sorted(str(v) for v in g.objects(node, KGO.value)))
    unit = ", ".join(sorted(_local(u) for u in g.objects(node, KGO.unit)))
    return f"{subject or '?'} {metric or '?'} = {value or '?'} {unit or '?'} <{node}>"


def _observation_evidence(view: _GraphView, node: Node) -> tuple[str, ...]:
    return view.evidence([node])


# --------------------------------------------------------------------------- CoNLL04


@dataclass(frozen=True, slots=True)
class ConllEntity:
    """A tagged span: token offsets (end exclusive), CoNLL type, and character offsets."""

    start: int
    end: int
    type: str  # Peop, Org, Loc or Other
    char_start: int
    char_end: int
    text: str


@dataclass(frozen=True, slots=True)
class ConllRelation:
    """A relation between two spans of the sentence (indices into ``entities``)."""

    head: int
    tail: int
    type: str  # Work_For, OrgBased_In, Located_In, Live_In or Kill


@dataclass(frozen=True, slots=True)
class ConllSentence:
    """One CoNLL04 sentence; ``text`` is the tokens joined by single spaces."""

    id: str
    tokens: tuple[str, ...]
    entities: tuple[ConllEntity, ...]
    relations: tuple[ConllRelation, ...]
    orig_id: int | None = None

    @property
    def text(self) -> str:
        """The tokens joined by single spaces: what the extractor is given."""
        return " ".join(self.tokens)


def _token_offsets(tokens: Sequence[str]) -> list[int]:
    starts, pos = [], 0
    for token in tokens:
        starts.append(pos)
        pos += len(token) + 1
    return starts


def _spans_from_tags(tags: Sequence[str], where: str) -> list[tuple[int, int, str]]:
    """BILOU (or BIO) tags -> (start, end, type) token spans, in order."""
    spans: list[tuple[int, int, str]] = []
    open_span: tuple[int, str] | None = None
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if prefix == "O":
            if open_span is not None:  # BIO: a span ends at O
                spans.append((open_span[0], i, open_span[1]))
                open_span = None
            continue
        if prefix not in {"B", "I", "L", "U"} or not kind:
            raise EvaluationError(f"{where}: tag {tag!r} at token {i} is not a BILOU tag.")
        if prefix in {"B", "U"} and open_span is not None:
            spans.append((open_span[0], i, open_span[1]))
            open_span = None
        if prefix in {"I", "L"} and (open_span is None or open_span[1] != kind):
            raise EvaluationError(f"{where}: tag {tag!r} at token {i} continues no span.")
        if prefix == "B":
            open_span = (i, kind)
        elif prefix == "U":
            spans.append((i, i + 1, kind))
        elif prefix == "L":
            assert open_span is not None
            spans.append((open_span[0], i + 1, kind))
            open_span = None
    if open_span is not None:
        spans.append((open_span[0], len(tags), open_span[1]))
    return spans


def _parse_conll_sentence(item: Any, sid: str, where: str) -> ConllSentence:
    if not isinstance(item, Mapping):
        raise EvaluationError(f"{where}: must be a JSON object.")
    tokens = item.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise EvaluationError(f"{where}: `tokens` must be a list of strings.")
    if "entities" in item:  # the original SpERT layout
        spans = []
        for e in item["entities"]:
            try:
                spans.append((int(e["start"]), int(e["end"]), str(e["type"])))
            except (KeyError, TypeError, ValueError) as err:
                raise EvaluationError(f"{where}: bad entity {e!r}.") from err
    else:
        tags = item.get("tags")
        if not isinstance(tags, list) or len(tags) != len(tokens):
            raise EvaluationError(f"{where}: `tags` must be a list as long as `tokens`.")
        spans = _spans_from_tags(tags, where)
    offsets = _token_offsets(tokens)
    entities = []
    for start, end, kind in spans:
        if not 0 <= start < end <= len(tokens):
            raise EvaluationError(f"{where}: span {start}..{end} is outside the sentence.")
        char_start = offsets[start]
        char_end = offsets[end - 1] + len(tokens[end - 1])
        entities.append(
            ConllEntity(start, end, kind, char_start, char_end, " ".join(tokens[start:end]))
        )
    relations = []
    for r in item.get("relations") or ():
        try:
            rel = ConllRelation(int(r["head"]), int(r["tail"]), str(r["type"]))
        except (KeyError, TypeError, ValueError) as err:
            raise EvaluationError(f"{where}: bad relation {r!r}.") from err
        if not (0 <= rel.head < len(entities) and 0 <= rel.tail < len(entities)):
            raise EvaluationError(f"{where}: relation {r!r} points past the tagged spans.")
        if rel.type not in CONLL_RELATION_TYPES:
            raise EvaluationError(f"{where}: unknown relation type {rel.type!r}.")
        relations.append(rel)
    orig = item.get("orig_id")
    return ConllSentence(
        id=sid,
        tokens=tuple(tokens),
        entities=tuple(entities),
        relations=tuple(relations),
        orig_id=orig if isinstance(orig, int) else None,
    )


def load_conll04(path: str | Path, *, split: str | None = None) -> list[ConllSentence]:
    """Read a CoNLL04 file in the SpERT JSON layout (BILOU ``tags`` or ``entities``).

    Args:
        path: a JSON file holding a list of sentences.
        split: the split name used in sentence ids (``conll04-{split}-{index}``);
            default: the file name without extension ("dev" for dev.json).

    Returns:
        The sentences, in file order, with character offsets into their ``text``.

    Raises:
        EvaluationError: the file is missing or not in that layout.

    >>> import tempfile, os, json
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = os.path.join(tmp, "dev.json")
    ...     _ = open(p, "w").write(json.dumps([{"tokens": ["Ann", "Lee", "of", "Oslo"],
    ...         "tags": ["B-Peop", "L-Peop", "O", "U-Loc"],
    ...         "relations": [{"head": 0, "tail": 1, "type": "Live_In"}]}]))
    ...     s = load_conll04(p)[0]
    >>> s.id, s.text, [(e.char_start, e.char_end, e.type) for e in s.entities]
    ('conll04-dev-0', 'Ann Lee of Oslo', [(0, 7, 'Peop'), (11, 15, 'Loc')])
    """
    file = Path(path)
    name = split if split is not None else file.stem
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise EvaluationError(f"{file}: no such CoNLL04 file. Check the path.") from err
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationError(f"{file}: cannot read the CoNLL04 file ({err}).") from err
    except json.JSONDecodeError as err:
        raise EvaluationError(f"{file}, line {err.lineno}: not valid JSON ({err.msg}).") from err
    if not isinstance(data, list):
        raise EvaluationError(f"{file}: expected a JSON list of sentences.")
    return [
        _parse_conll_sentence(item, f"conll04-{name}-{i}", f"{file}, sentence {i}")
        for i, item in enumerate(data)
    ]


def conll04_to_jsonl_records(gold: Sequence[ConllSentence]) -> list[dict[str, str]]:
    """The extraction inputs for CoNLL04 sentences: ``{"id", "text"}`` per sentence.

    Write them one per line to get a JSON Lines input for ``kg extract``.

    >>> s = ConllSentence("conll04-dev-0", ("Hi", "Bob", "."), (), ())
    >>> conll04_to_jsonl_records([s])
    [{'id': 'conll04-dev-0', 'text': 'Hi Bob .'}]
    """
    return [{"id": s.id, "text": s.text} for s in gold]


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
                "by_type": _pairs_to_dict(self.entities_by_type),
                "misses": [f.to_dict() for f in self.entity_misses],
                "false_positives": [f.to_dict() for f in self.entity_false_positives],
            },
            "relations": {
                "overall": self.relations.to_dict(),
                "by_predicate": _pairs_to_dict(self.relations_by_predicate),
                "misses": [f.to_dict() for f in self.relation_misses],
                "false_positives": [f.to_dict() for f in self.relation_false_positives],
            },
        }


_Span = tuple[int, int, str]  # char start, char end, type


def _conll_prediction(
    record: Mapping[str, Any], where: str
) -> tuple[list[_Span], list[tuple[_Span, _Span, str]], int]:
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

    entity_tally, relation_tally = _Tally(), _Tally()
    findings: dict[str, list[Finding]] = defaultdict(list)
    missing = ignored = 0
    for sentence in gold:
        text = sentence.text

        def show(span: _Span, text: str = text) -> str:
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
        rec = records.get(sentence.id)
        if rec is None:
            missing += 1
            pred_spans: list[_Span] = []
            pred_rel_list: list[tuple[_Span, _Span, str]] = []
        else:
            pred_spans, pred_rel_list, n_ignored = _conll_prediction(rec, sentence.id)
            ignored += n_ignored
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

    def total(pairs: tuple[tuple[str, Score], ...]) -> Score:
        return Score(
            sum(s.tp for _, s in pairs), sum(s.fp for _, s in pairs), sum(s.fn for _, s in pairs)
        )

    by_type, by_predicate = entity_tally.scores(), relation_tally.scores()
    return ConllReport(
        sentences=len(gold),
        entities=total(by_type),
        entities_by_type=by_type,
        relations=total(by_predicate),
        relations_by_predicate=by_predicate,
        missing_records=missing,
        ignored_relations=ignored,
        entity_misses=tuple(findings["entity_misses"]),
        entity_false_positives=tuple(findings["entity_false_positives"]),
        relation_misses=tuple(findings["relation_misses"]),
        relation_false_positives=tuple(findings["relation_false_positives"]),
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


# --------------------------------------------------------------------------- formatting


def _score_table(title: str, rows: Sequence[tuple[str, Score]]) -> list[str]:
    width = max([len(title), *(len(k) for k, _ in rows)])
    lines = [f"  {title:<{width}}  {'tp':>4} {'fp':>4} {'fn':>4}  {'P':>6} {'R':>6} {'F1':>6}"]
    for key, s in rows:
        lines.append(
            f"  {key:<{width}}  {s.tp:>4} {s.fp:>4} {s.fn:>4}"
            f"  {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    return lines


def _headline(name: str, s: Score) -> str:
    return (
        f"{name:<13} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
        f"   (tp {s.tp}, fp {s.fp}, fn {s.fn})"
    )


def _ratio(r: Ratio) -> str:
    return f"{r.right}/{r.total} ({r.value:.3f})"


def _findings(title: str, items: Sequence[Finding], limit: int | None) -> list[str]:
    if not items:
        return []
    lines = ["", f"{title} ({len(items)})"]
    shown = items if limit is None else items[:limit]
    for f in shown:
        lines.append(f"  - {f.item}: {f.reason}")
        lines.extend(f"      | {e}" for e in f.evidence)
    if len(shown) < len(items):
        lines.append(f"  ... {len(items) - len(shown)} more (use JSON output to see all)")
    return lines


def _identity_lines(identity: EntityIdentity) -> list[str]:
    """Duplicated gold entities and wrongly merged nodes, under the entity tables."""
    dup = Ratio(identity.duplicated, identity.gold_entities)
    return [
        f"  gold entities with duplicate nodes: {_ratio(dup)}, {identity.extra_nodes} extra nodes",
        f"  wrongly merged nodes (matching 2+ gold entities): {identity.wrong_merges}",
    ]


def _format_seeds_text(r: SeedsReport, limit: int | None) -> list[str]:
    lines = ["Evaluation against the seed gold standard", ""]
    lines.append(_headline("Entities", r.entities))
    lines += _score_table("coarse class", r.entities_by_coarse)
    lines += _score_table("class", r.entities_by_class)
    lines.append(f"  exact class of found entities: {_ratio(r.entity_class_agreement)}")
    lines += _identity_lines(r.identity)
    lines.append("")
    lines.append(_headline("Relations", r.relations))
    lines += _score_table("predicate", r.relations_by_predicate)
    lines.append(
        f"  redundant triples: {r.relations_redundant}; "
        f"triples matching optional facts only: {r.relations_optional}"
    )
    lines.append("")
    lines += format_calibration(r.calibration)
    lines.append("")
    lines.append(f"{'Qualifiers':<13} {_ratio(r.qualifiers)} present and right")
    lines += [f"  {k:<10} {_ratio(v)}" for k, v in r.qualifiers_by_key]
    lines.append("")
    lines.append(_headline("Observations", r.observations))
    found = r.observations.tp
    total = r.observations.tp + r.observations.fn
    lines.append(
        f"  found: {_ratio(Ratio(found, total))}; fully right: {_ratio(r.observations_complete)}"
    )
    lines += [f"  {k:<10} {_ratio(v)} of found" for k, v in r.observation_attributes]
    lines += _findings("Entity misses", r.entity_misses, limit)
    lines += _findings("Entity false positives", r.entity_false_positives, limit)
    lines += _findings("Duplicated entities", r.entity_duplicates, limit)
    lines += _findings("Wrongly merged nodes", r.entity_wrong_merges, limit)
    lines += _findings("Relation misses", r.relation_misses, limit)
    lines += _findings("Relation false positives", r.relation_false_positives, limit)
    lines += _findings("Qualifier misses", r.qualifier_errors, limit)
    lines += _findings("Observation misses", r.observation_misses, limit)
    lines += _findings("Observation attribute errors", r.observation_errors, limit)
    lines += _findings("Observation false positives", r.observation_false_positives, limit)
    return lines


def _format_conll_text(r: ConllReport, limit: int | None) -> list[str]:
    lines = [f"CoNLL04, strict end-to-end: {r.sentences} sentences", ""]
    if r.missing_records:
        lines.append(f"{r.missing_records} sentences had no prediction record (scored as empty)")
    if r.ignored_relations:
        lines.append(f"{r.ignored_relations} predicted relations with other predicates ignored")
    lines.append(_headline("Entities", r.entities))
    lines += _score_table("type", r.entities_by_type)
    lines.append("")
    lines.append(_headline("Relations", r.relations))
    lines += _score_table("predicate", r.relations_by_predicate)
    lines += _findings("Entity misses", r.entity_misses, limit)
    lines += _findings("Entity false positives", r.entity_false_positives, limit)
    lines += _findings("Relation misses", r.relation_misses, limit)
    lines += _findings("Relation false positives", r.relation_false_positives, limit)
    return lines


def format_report(
    report: SeedsReport | ConllReport, *, format: str = "text", limit: int | None = None
) -> str:
    """Render a report as readable text or as JSON.

    Args:
        report: from :func:`score_graph` or :func:`score_conll04`.
        format: "text" (tables of P/R/F1, then misses and false positives with
            their evidence) or "json" (every number and finding, sorted keys).
        limit: in text, show at most this many findings per list (None: all).

    Returns:
        The rendered report, ending with a newline.

    Raises:
        UnsupportedFormatError: ``format`` is neither "text" nor "json".

    >>> r = ConllReport(1, Score(1, 0, 1), (("Person", Score(1, 0, 1)),), Score(), ())
    >>> print(format_report(r).splitlines()[2])
    Entities      P 1.000  R 0.500  F1 0.667   (tp 1, fp 0, fn 1)
    >>> format_report(r, format="json").startswith('{\\n  "entities"')
    True
    """
    if format == "json":
        return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if format != "text":
        raise UnsupportedFormatError(
            f"report format {format!r} is not supported; use 'text' or 'json'."
        )
    if isinstance(report, SeedsReport):
        lines = _format_seeds_text(report, limit)
    else:
        lines = _format_conll_text(report, limit)
    return "\n".join(lines) + "\n"


def gold_kind(path: str | Path) -> str:
    """Tell a seeds gold file (``"seeds"``) from a CoNLL04 split (``"conll04"``).

    Raises:
        EvaluationError: the file is missing or neither.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise EvaluationError(f"{path}: cannot read gold data ({err}).") from err
    if isinstance(data, dict) and "entities" in data and "relations" in data:
        return "seeds"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "tokens" in data[0]:
        return "conll04"
    raise EvaluationError(
        f"{path}: not gold data kg knows: "
        "expected a seeds JSON object or a CoNLL04 (SpERT) JSON list."
    )


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Read a ``kg extract`` JSON Lines file.

    Raises:
        EvaluationError: the file is missing or a line is not a JSON object.
    """
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationError(f"{path}: cannot read predictions ({err}).") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise EvaluationError(f"{path}, line {number}: not valid JSON ({err.msg}).") from err
        if not isinstance(record, dict):
            raise EvaluationError(f"{path}, line {number}: not a JSON object.")
        records.append(record)
    return records


def evaluate_file(gold: str | Path, *, pred: str | Path | None = None) -> SeedsReport | ConllReport:
    """Score predictions against a gold file of either kind.

    For seeds gold, ``pred`` is a graph file (default ``output/kg.trig``). For
    CoNLL04 gold, ``pred`` is a ``kg extract`` JSON Lines file; without it the
    gold sentences are extracted here, with the shipped pipeline.
    """
    kind = gold_kind(gold)
    if kind == "seeds":
        from kg.store import DEFAULT_GRAPH_PATH, load_graph

        return score_graph(load_graph(pred or DEFAULT_GRAPH_PATH), load_seeds_gold(gold))
    sentences = load_conll04(gold)
    if pred is not None:
        return score_conll04(read_records(pred), sentences)
    from kg.extract import extract, make_nlp
    from kg.pipeline import extraction_records
    from kg.resolve import resolve
    from kg.types import Article

    articles = [Article(id=r["id"], text=r["text"]) for r in conll04_to_jsonl_records(sentences)]
    extractions = list(extract(articles, make_nlp()))
    _, resolved = resolve(extractions)
    return score_conll04(extraction_records(resolved), sentences)
