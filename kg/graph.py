"""The one place where records become RDF.

Each document gets a named graph ``<base>graph/<doc-id>`` holding what it
asserts: its metadata, which entities it mentions, the direct relation
triples, one qualified :class:`kgo:Statement` per relation (rdf:subject,
rdf:predicate, rdf:object, evidence sentence, offsets, confidence, dates,
status, role) and its figures as :class:`kgo:Observation` nodes. Entity
descriptions (class, label, aliases, Wikidata link) go to the default graph.
Every IRI is derived from content, so the same input gives the same graph.

>>> from kg.types import Article, Entity, Extraction, Mention, RelationCandidate, Resolved
>>> text = "Lei Jun chairs Xiaomi."
>>> people = (Mention(0, 7, "Lei Jun", "Person"), Mention(15, 21, "Xiaomi", "Company"))
>>> works = (RelationCandidate(0, 1, "worksFor", 0.8, (0, 22)),)
>>> ex = Extraction(Article("d1", text), people, works)
>>> ents = [Entity("person/lei-jun", "Lei Jun", "Person", docs=("d1",)),
...         Entity("organization/xiaomi", "Xiaomi", "Company", docs=("d1",))]
>>> ds = build_dataset(ents, [Resolved(ex, ("person/lei-jun", "organization/xiaomi"))])
>>> r = URIRef(KGR_IRI)
>>> (URIRef(r + "person/lei-jun"), KGO.worksFor, URIRef(r + "organization/xiaomi")) in ds
True
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.extract.temporal import xsd_type_of
from kg.ontology import (
    CORE_PREDICATES,
    KGO,
    KGO_IRI,
    KGR_IRI,
    PROV,
    SCHEMA,
    SYMMETRIC_PREDICATES,
    WD,
    ontology_graph,
)
from kg.resolve import mention_role
from kg.types import Entity, Qualifiers, Resolved

ONTOLOGY_IRI = "https://w3id.org/kg-builder/ontology"

_STATUS = {"planned": KGO.Planned, "ongoing": KGO.Ongoing, "ended": KGO.Ended}


@dataclass(frozen=True, slots=True)
class Statement:
    """One document's assertion of one relation, merged over repeated mentions."""

    doc: str
    subject: str
    predicate: str
    object: str
    confidence: float
    evidence: tuple[int, int]
    qualifiers: Qualifiers
    trigger: str | None = None


def bind_prefixes(graph: Graph, *, base: str = KGR_IRI) -> None:
    """Bind the prefixes every output uses."""
    for prefix, ns in (
        ("kgo", KGO_IRI),
        ("kgr", base),
        ("prov", str(PROV)),
        ("dcterms", str(DCTERMS)),
        ("skos", str(SKOS)),
        ("owl", str(OWL)),
        ("schema", str(SCHEMA)),
        ("wd", str(WD)),
        ("xsd", str(XSD)),
    ):
        graph.bind(prefix, ns, override=True, replace=True)


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def _date_literal(value: str) -> Literal:
    kind = xsd_type_of(value)
    return Literal(value, datatype=XSD[kind]) if kind else Literal(value)


def _decimal(value: float | str, places: str = "0.01") -> Literal:
    number = Decimal(str(value))
    if places:
        number = number.quantize(Decimal(places))
    return Literal(format(number, "f"), datatype=XSD.decimal)


def statements(resolved: Iterable[Resolved]) -> list[Statement]:
    """Merge the relation candidates of each document into statements.

    Repeated candidates for one (document, subject, predicate, object) become
    one statement with the highest confidence and the union of qualifiers;
    symmetric predicates are put in one direction; a worksFor without a role
    takes the title the document gives the person.
    """
    merged: dict[tuple[str, str, str, str], Statement] = {}
    for item in resolved:
        extraction = item.extraction
        doc = extraction.article.id
        roles: dict[str, str] = {}
        for mention, entity_id in zip(extraction.mentions, item.entity_ids, strict=True):
            if entity_id and (role := mention_role(mention)):
                roles.setdefault(entity_id, role)
        for relation in extraction.relations:
            subject, obj = item.entity_ids[relation.head], item.entity_ids[relation.tail]
            if (
                not subject
                or not obj
                or subject == obj
                or relation.predicate not in CORE_PREDICATES
            ):
                continue
            if relation.predicate in SYMMETRIC_PREDICATES and obj < subject:
                subject, obj = obj, subject
            qualifiers = relation.qualifiers
            if relation.predicate == "worksFor" and not qualifiers.role and subject in roles:
                qualifiers = replace(qualifiers, role=roles[subject])
            new = Statement(
                doc,
                subject,
                relation.predicate,
                obj,
                relation.confidence,
                relation.evidence,
                qualifiers,
                relation.trigger,
            )
            key = (doc, subject, relation.predicate, obj)
            old = merged.get(key)
            merged[key] = new if old is None else _merge(old, new)
    return [merged[k] for k in sorted(merged)]


def _merge(old: Statement, new: Statement) -> Statement:
    best, other = (old, new) if old.confidence >= new.confidence else (new, old)
    fields = {
        name: getattr(best.qualifiers, name) or getattr(other.qualifiers, name)
        for name in ("date", "start", "end", "duration", "status", "role")
    }
    return replace(best, qualifiers=Qualifiers(**fields))


def build_dataset(
    entities: Sequence[Entity],
    resolved: Sequence[Resolved],
    *,
    base: str = KGR_IRI,
    ontology: bool = True,
) -> Dataset:
    """Return the RDF dataset of a build (see the module docstring).

    With ``ontology`` (the default) the ontology itself is included as the
    named graph ``<https://w3id.org/kg-builder/ontology>``, so the graph is
    self-describing: labels of metrics and statuses, class hierarchy, domains.
    """
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset, base=base)
    if ontology:
        vocabulary = dataset.graph(URIRef(ONTOLOGY_IRI))
        for triple in ontology_graph():
            vocabulary.add(triple)
    default = dataset.default_graph

    def node(entity_id: str) -> URIRef:
        return URIRef(base + entity_id)

    for entity in entities:
        subject = node(entity.id)
        default.add((subject, RDF.type, KGO[entity.cls]))
        default.add((subject, RDFS.label, Literal(entity.label)))
        for alias in entity.aliases:
            default.add((subject, SKOS.altLabel, Literal(alias)))
        if entity.wikidata:
            default.add((subject, OWL.sameAs, WD[entity.wikidata]))

    by_doc: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements(resolved):
        by_doc[statement.doc].append(statement)

    for item in resolved:
        article = item.extraction.article
        doc_iri = URIRef(f"{base}doc/{article.id}")
        graph = dataset.graph(URIRef(f"{base}graph/{article.id}"))
        graph.add((doc_iri, RDF.type, KGO.Document))
        graph.add((doc_iri, DCTERMS.identifier, Literal(article.id)))
        if article.title:
            graph.add((doc_iri, DCTERMS.title, Literal(article.title)))
        if article.date:
            graph.add((doc_iri, DCTERMS.date, _date_literal(article.date)))
        if article.publisher:
            graph.add((doc_iri, DCTERMS.publisher, Literal(article.publisher)))
        if article.source:
            graph.add((doc_iri, DCTERMS.source, Literal(article.source)))
        if article.url:
            graph.add((doc_iri, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI)))
        for entity_id in sorted({e for e in item.entity_ids if e}):
            graph.add((node(entity_id), KGO.mentionedIn, doc_iri))
        text = article.text
        for st in by_doc.get(article.id, ()):
            s, p, o = node(st.subject), KGO[st.predicate], node(st.object)
            graph.add((s, p, o))
            iri = URIRef(
                f"{base}statement/{_hash(article.id, st.subject, st.predicate, st.object)}"
            )
            graph.add((iri, RDF.type, KGO.Statement))
            graph.add((iri, RDF.subject, s))
            graph.add((iri, RDF.predicate, p))
            graph.add((iri, RDF.object, o))
            graph.add((iri, PROV.wasDerivedFrom, doc_iri))
            start, end = st.evidence
            graph.add((iri, KGO.evidence, Literal(text[start:end])))
            graph.add((iri, KGO.evidenceStart, Literal(start)))
            graph.add((iri, KGO.evidenceEnd, Literal(end)))
            graph.add((iri, KGO.confidence, _decimal(st.confidence)))
            if st.trigger:
                graph.add((iri, KGO.trigger, Literal(st.trigger)))
            q = st.qualifiers
            for prop, value in ((KGO.date, q.date), (KGO.startDate, q.start), (KGO.endDate, q.end)):
                if value:
                    graph.add((iri, prop, _date_literal(value)))
            if q.duration:
                graph.add((iri, KGO.duration, Literal(q.duration, datatype=XSD.duration)))
            if q.status in _STATUS:
                graph.add((iri, KGO.status, _STATUS[q.status]))
            if q.role:
                graph.add((iri, KGO.role, Literal(q.role)))
        _add_observations(graph, item, doc_iri, node, base)
    return dataset


def _add_observations(
    graph: Graph, item: Resolved, doc_iri: URIRef, node: Callable[[str], URIRef], base: str
) -> None:
    text = item.extraction.article.text
    seen: set[str] = set()
    for obs in item.extraction.observations:
        subject = item.entity_ids[obs.subject]
        if not subject:
            continue
        iri_id = _hash(
            item.extraction.article.id, subject, obs.metric, obs.value, obs.unit, obs.period or ""
        )
        if iri_id in seen:
            continue
        seen.add(iri_id)
        iri = URIRef(f"{base}observation/{iri_id}")
        graph.add((iri, RDF.type, KGO.Observation))
        graph.add((iri, KGO.observedEntity, node(subject)))
        graph.add((iri, KGO.metric, KGO[obs.metric]))
        graph.add((iri, KGO.value, _decimal(obs.value, places="")))
        graph.add((iri, KGO.unit, Literal(obs.unit)))
        if obs.period:
            graph.add((iri, KGO.period, _date_literal(obs.period)))
        if obs.place is not None and (place := item.entity_ids[obs.place]):
            graph.add((iri, KGO.place, node(place)))
        if obs.source is not None and (source := item.entity_ids[obs.source]):
            graph.add((iri, KGO.reportedBy, node(source)))
        if obs.segment:
            graph.add((iri, KGO.segment, Literal(obs.segment)))
        graph.add((iri, PROV.wasDerivedFrom, doc_iri))
        start, end = obs.evidence
        graph.add((iri, KGO.evidence, Literal(text[start:end])))
        graph.add((iri, KGO.evidenceStart, Literal(start)))
        graph.add((iri, KGO.evidenceEnd, Literal(end)))
        graph.add((iri, KGO.confidence, _decimal(obs.confidence)))
