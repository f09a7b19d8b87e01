"""The one place where records become RDF.

Each document gets a named graph ``<base>graph/<doc-id>`` holding what it
asserts: its metadata, which entities it mentions, the direct relation
triples, one qualified :class:`kgo:Statement` per relation (rdf:subject,
rdf:predicate, rdf:object, evidence sentence, offsets, confidence, dates,
status, role) and its figures as :class:`kgo:Observation` nodes. Entity
descriptions (class, label, aliases, Wikidata link, and the ``kgo:locatedIn``
the gazetteer knows of its places) go to the default graph,
with a :class:`kgo:Fact` for each relation that two or more documents state
(its statements and their aggregate confidence, see :func:`fact_triples`).
The relations a build does not assert (below its confidence threshold) can
be written apart as :class:`kgo:CandidateStatement` records
(:func:`candidate_block`). Every IRI is derived from content, so the same
input gives the same graph.

>>> from kg.types import Article, Extraction, Mention, RelationCandidate, Resolved
>>> text = "Lei Jun chairs Xiaomi."
>>> people = (Mention(0, 7, "Lei Jun", "Person"), Mention(15, 21, "Xiaomi", "Company"))
>>> works = (RelationCandidate(0, 1, "worksFor", 0.8, (0, 22)),)
>>> ex = Extraction(Article("d1", text), people, works)
>>> item = Resolved(ex, ("person/lei-jun", "organization/xiaomi"))
>>> name, triples = document_block(item, statements([item]))
>>> r = URIRef(KGR_IRI)
>>> (URIRef(r + "person/lei-jun"), KGO.worksFor, URIRef(r + "organization/xiaomi")) in triples
True

The graph of a whole build, checked against the shapes, is
:func:`kg.graph.assemble.assemble`'s.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg.dates import xsd_type_of
from kg.ontology import (
    CORE_PREDICATES,
    KGO,
    KGR_IRI,
    PROV,
    SCHEMA,
    SYMMETRIC_PREDICATES,
    WD,
)
from kg.rdf.prefixes import prefixes_for
from kg.resolve.names import mention_role
from kg.types import Entity, ObservationCandidate, Qualifiers, Resolved

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


def graph_prefixes(base: str = KGR_IRI) -> dict[str, str]:
    """The prefixes every output uses (:func:`kg.rdf.prefixes.prefixes_for`; ``kgr:`` is the
    build's base).

    >>> graph_prefixes("https://example.org/")["kgr"]
    'https://example.org/'
    """
    return prefixes_for(base)


def bind_prefixes(graph: Graph, *, base: str = KGR_IRI) -> None:
    """Bind the prefixes every output uses."""
    for prefix, ns in graph_prefixes(base).items():
        graph.bind(prefix, ns, override=True, replace=True)


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def _date_literal(value: str) -> Literal:
    kind = xsd_type_of(value)
    return Literal(value, datatype=XSD[kind]) if kind else Literal(value)


def _decimal(value: float | str | Decimal, places: str = "0.01") -> Literal:
    """An xsd:decimal in canonical form (a digit on each side of the point, no trailing 0).

    >>> [str(_decimal(v, p)) for v, p in [("49400000", ""), (0.8, "0.01"), ("16.10", "")]]
    ['49400000.0', '0.8', '16.1']
    """
    number = Decimal(str(value))
    if places:
        number = number.quantize(Decimal(places))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0")
    return Literal(
        text + "0" if text.endswith(".") else (text if "." in text else text + ".0"),
        datatype=XSD.decimal,
    )


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


Triple = tuple[Node, Node, Node]
#: A graph as :func:`kg.graph.assemble.graph_blocks` yields it: its name (None: the default
#: graph), its triples.
Block = tuple[URIRef | None, Sequence[Triple]]


def dataset_from_blocks(blocks: Iterable[Block] = (), *, base: str = KGR_IRI) -> Dataset:
    """An rdflib Dataset holding (graph name, triples) blocks (None: the default graph)."""
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset, base=base)
    for name, triples in blocks:
        add_block(dataset, name, triples)
    return dataset


def add_block(dataset: Dataset, name: URIRef | None, triples: Iterable[Triple]) -> None:
    """Add one (graph name, triples) block to a Dataset (None: the default graph)."""
    target = dataset.default_graph if name is None else dataset.graph(name)
    for triple in triples:
        target.add(triple)


def statements_by_document(merged: Iterable[Statement]) -> dict[str, list[Statement]]:
    """The merged statements of a build (:func:`statements`), by document id."""
    by_doc: dict[str, list[Statement]] = defaultdict(list)
    for statement in merged:
        by_doc[statement.doc].append(statement)
    return by_doc


def document_block(
    item: Resolved, doc_statements: Iterable[Statement], *, base: str = KGR_IRI
) -> tuple[URIRef, list[Triple]]:
    """One document's named graph: its IRI and its sorted triples (see :func:`document_triples`).

    It depends only on the document, its statements and the entity ids, so
    documents can be turned into graphs in any order or process.
    """
    article_id = item.extraction.article.id
    triples = document_triples(item, doc_statements, base=base)
    return URIRef(f"{base}graph/{iri_segment(article_id)}"), sorted_triples(triples)


def iri_segment(text: str) -> str:
    """Any text as one segment of an IRI path: letters, digits and ``-._~`` kept, the rest
    percent-encoded (UTF-8), so an article id from a JSON Lines file (``"id": "a b/<c>"``)
    still makes a valid IRI. File-name ids, which hold nothing else, are unchanged.

    >>> iri_segment("000_1b3bd0faa09d64f8"), iri_segment('a b/<c>"'), iri_segment("東京")
    ('000_1b3bd0faa09d64f8', 'a%20b%2F%3Cc%3E%22', '%E6%9D%B1%E4%BA%AC')
    """
    return quote(text, safe="", errors="surrogatepass")


def sorted_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list[Triple]:
    """Distinct triples in a fixed order (by subject, predicate, object text, then kind).

    >>> a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
    >>> [str(o) for _, _, o in sorted_triples([(a, p, Literal("b")), (a, p, Literal("a"))] * 2)]
    ['a', 'b']
    """
    return sorted(set(triples), key=_triple_key)


def _triple_key(t: Triple) -> tuple[str, str, str, str]:
    o = t[2]
    kind = f"{o.datatype}@{o.language}" if isinstance(o, Literal) else type(o).__name__
    return str(t[0]), str(t[1]), str(o), kind


def entity_triples(entities: Iterable[Entity], *, base: str = KGR_IRI) -> Iterator[Triple]:
    """The description of each entity: class, label, aliases, Wikidata link, and for a
    gazetteer place the places it lies in (``kgo:locatedIn``: background knowledge, not an
    article's claim, so without a statement)."""
    for entity in entities:
        subject = URIRef(base + entity.id)
        yield subject, RDF.type, KGO[entity.cls]
        yield subject, RDFS.label, Literal(entity.label)
        for alias in entity.aliases:
            yield subject, SKOS.altLabel, Literal(alias)
        if entity.wikidata:
            yield subject, OWL.sameAs, WD[entity.wikidata]
        for place in entity.located_in:
            yield subject, KGO.locatedIn, URIRef(base + place)


def document_triples(
    item: Resolved, doc_statements: Iterable[Statement], *, base: str = KGR_IRI
) -> Iterator[Triple]:
    """What one document asserts: its metadata, mentions, relations, statements, figures."""

    def node(entity_id: str) -> URIRef:
        return URIRef(base + entity_id)

    article = item.extraction.article
    doc_iri = URIRef(f"{base}doc/{iri_segment(article.id)}")
    yield doc_iri, RDF.type, KGO.Document
    yield doc_iri, DCTERMS.identifier, Literal(article.id)
    if article.title:
        yield doc_iri, DCTERMS.title, Literal(article.title)
    if article.date:
        yield doc_iri, DCTERMS.date, _date_literal(article.date)
    elif item.extraction.inferred_date:
        # No date came with the article; its text gave one (kg.extract.temporal).
        yield doc_iri, DCTERMS.date, _date_literal(item.extraction.inferred_date)
        yield doc_iri, KGO.dateInferred, Literal(True)
    if article.publisher:
        yield doc_iri, DCTERMS.publisher, Literal(article.publisher)
    if article.source:
        yield doc_iri, DCTERMS.source, Literal(article.source)
    if article.url:
        yield doc_iri, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI)
    for entity_id in sorted({e for e in item.entity_ids if e}):
        yield node(entity_id), KGO.mentionedIn, doc_iri
    text = article.text
    for st in doc_statements:
        s, p, o = node(st.subject), KGO[st.predicate], node(st.object)
        yield s, p, o
        iri = statement_iri(st, base=base)
        yield iri, RDF.type, KGO.Statement
        yield iri, RDF.subject, s
        yield iri, RDF.predicate, p
        yield iri, RDF.object, o
        yield from _statement_record(iri, st, doc_iri, text)
    yield from _observation_triples(item, doc_iri, node, base)


def _statement_record(iri: URIRef, st: Statement, doc_iri: URIRef, text: str) -> Iterator[Triple]:
    """A statement's provenance and qualifiers (asserted or candidate alike)."""
    yield from _provenance(iri, doc_iri, text, st.evidence, st.confidence)
    if st.trigger:
        yield iri, KGO.trigger, Literal(st.trigger)
    q = st.qualifiers
    for prop, value in ((KGO.date, q.date), (KGO.startDate, q.start), (KGO.endDate, q.end)):
        if value:
            yield iri, prop, _date_literal(value)
    if q.duration:
        yield iri, KGO.duration, Literal(q.duration, datatype=XSD.duration)
    if q.status in _STATUS:
        yield iri, KGO.status, _STATUS[q.status]
    if q.role:
        yield iri, KGO.role, Literal(q.role)


def candidates_graph(base: str = KGR_IRI) -> URIRef:
    """The name of the graph of a build's candidate statements (``candidates.trig``).

    >>> candidates_graph("https://example.org/")
    rdflib.term.URIRef('https://example.org/graph/candidates')
    """
    return URIRef(f"{base}graph/candidates")


def candidate_block(
    candidates: Sequence[Resolved], *, asserted: Iterable[Statement] = (), base: str = KGR_IRI
) -> Block:
    """The candidates graph: a :class:`kgo:CandidateStatement` per document and relation
    below a build's confidence threshold.

    ``candidates`` hold, for each article, only the relations that were not
    asserted (:func:`kg.confidence.split_relations`), with the entity ids of
    the build. Each record carries what a statement carries (document,
    evidence, offsets, confidence, qualifiers) and names its triple with
    ``kgo:tripleSubject``/``kgo:triplePredicate``/``kgo:tripleObject``: there is
    no direct triple, and no ``rdf:subject`` for readers of statements to take
    for a fact. A relation the same document also states above the threshold
    (one of the ``asserted`` statements) is asserted, so it is no candidate.

    >>> from kg.types import Article, Extraction, Mention, RelationCandidate
    >>> ms = (Mention(0, 4, "Acme", "Company"), Mention(14, 20, "Berlin", "City"))
    >>> low = (RelationCandidate(0, 1, "basedIn", 0.3, (0, 21)),)
    >>> ex = Extraction(Article("d1", "Acme is from Berlin."), ms, low)
    >>> name, triples = candidate_block([Resolved(ex, ("org/acme", "place/berlin"))])
    >>> sorted(str(p).split("#")[-1] for _, p, _ in triples)[:4]
    ['confidence', 'evidence', 'evidenceEnd', 'evidenceStart']
    >>> (URIRef(KGR_IRI + "org/acme"), KGO.basedIn, URIRef(KGR_IRI + "place/berlin")) in triples
    False
    """
    stated = {(st.doc, st.subject, st.predicate, st.object) for st in asserted}
    texts = {item.extraction.article.id: item.extraction.article.text for item in candidates}
    triples: list[Triple] = []
    for st in statements(candidates):
        if (st.doc, st.subject, st.predicate, st.object) in stated:
            continue
        iri = URIRef(f"{base}candidate/{_hash(st.doc, st.subject, st.predicate, st.object)}")
        doc_iri = URIRef(f"{base}doc/{iri_segment(st.doc)}")
        triples += [
            (iri, RDF.type, KGO.CandidateStatement),
            (iri, KGO.tripleSubject, URIRef(base + st.subject)),
            (iri, KGO.triplePredicate, KGO[st.predicate]),
            (iri, KGO.tripleObject, URIRef(base + st.object)),
            *_statement_record(iri, st, doc_iri, texts[st.doc]),
        ]
    return candidates_graph(base), sorted_triples(triples)


def statement_iri(st: Statement, *, base: str = KGR_IRI) -> URIRef:
    """The IRI of a statement: one per (document, subject, predicate, object).

    >>> st = Statement("d1", "org/a", "partnersWith", "org/b", 0.8, (0, 1), Qualifiers())
    >>> statement_iri(st, base="https://example.org/")
    rdflib.term.URIRef('https://example.org/statement/95d75613e991711b')
    """
    return URIRef(f"{base}statement/{_hash(st.doc, st.subject, st.predicate, st.object)}")


def noisy_or(confidences: Iterable[Decimal]) -> Decimal:
    """The aggregate confidence of independent statements of one fact: 1 - prod(1 - c).

    Rounded down to three places, so that rounding never claims more
    certainty than the statements give.

    >>> noisy_or([Decimal("0.8"), Decimal("0.7")])
    Decimal('0.940')
    >>> noisy_or([Decimal("0.99"), Decimal("0.99"), Decimal("0.99")])
    Decimal('0.999')
    """
    doubt = Decimal(1)
    for confidence in confidences:
        doubt *= Decimal(1) - confidence
    return (Decimal(1) - doubt).quantize(Decimal("0.001"), rounding=ROUND_DOWN)


def fact_iri(triple: Triple, *, base: str = KGR_IRI) -> URIRef:
    """The IRI of the :class:`kgo:Fact` of a triple (derived from the triple alone).

    >>> a, b = URIRef("https://example.org/a"), URIRef("https://example.org/b")
    >>> fact_iri((a, KGO.partnersWith, b), base="https://example.org/")
    rdflib.term.URIRef('https://example.org/fact/2af0ac9d1b0d79a5')
    """
    return URIRef(f"{base}fact/{_hash(*map(str, triple))}")


def fact_triples(
    support: Iterable[tuple[Triple, Node, Decimal]], *, base: str = KGR_IRI
) -> Iterator[Triple]:
    """A :class:`kgo:Fact` for each triple that two or more statements assert.

    ``support`` gives (direct triple, statement IRI, statement confidence)
    for every statement of a build. Each fact names its triple
    (``kgo:tripleSubject``, ``kgo:triplePredicate``, ``kgo:tripleObject``), links
    its statements (``kgo:supportedBy``) and carries their :func:`noisy_or` as
    ``kgo:confidence`` (ontology/kgo.ttl explains the model).

    >>> a, b = URIRef("https://example.org/a"), URIRef("https://example.org/b")
    >>> t = (a, KGO.partnersWith, b)
    >>> st1, st2 = URIRef("https://example.org/st1"), URIRef("https://example.org/st2")
    >>> facts = list(fact_triples([(t, st1, Decimal("0.8")), (t, st2, Decimal("0.7"))]))
    >>> [str(o) for _, p, o in facts if p == KGO.confidence]
    ['0.94']
    >>> list(fact_triples([(t, st1, Decimal("0.8"))]))
    []
    """
    by_triple: dict[Triple, dict[Node, Decimal]] = defaultdict(dict)
    for triple, statement, confidence in support:
        by_triple[triple][statement] = confidence
    for triple in sorted(by_triple, key=_triple_key):
        stated = by_triple[triple]
        if len(stated) < 2:
            continue
        iri = fact_iri(triple, base=base)
        yield iri, RDF.type, KGO.Fact
        yield iri, KGO.tripleSubject, triple[0]
        yield iri, KGO.triplePredicate, triple[1]
        yield iri, KGO.tripleObject, triple[2]
        for statement in sorted(stated, key=str):
            yield iri, KGO.supportedBy, statement
        yield iri, KGO.confidence, _decimal(noisy_or(stated.values()), places="")


def count_facts(resolved: Sequence[Resolved]) -> tuple[dict[str, int], int]:
    """Distinct relation triples by predicate, and observations, of a build (as in its graph)."""
    relations = {(st.subject, st.predicate, st.object) for st in statements(resolved)}
    by_predicate: dict[str, int] = defaultdict(int)
    for _, predicate, _ in relations:
        by_predicate[predicate] += 1
    observations = sum(
        len({_observation_id(item, obs) for obs in item.extraction.observations} - {None})
        for item in resolved
    )
    return dict(sorted(by_predicate.items())), observations


def _observation_id(item: Resolved, obs: ObservationCandidate) -> str | None:
    subject = item.entity_ids[obs.subject]
    if not subject:
        return None
    return _hash(
        item.extraction.article.id, subject, obs.metric, obs.value, obs.unit, obs.period or ""
    )


def _provenance(
    iri: URIRef, doc_iri: URIRef, text: str, evidence: tuple[int, int], confidence: float
) -> Iterator[Triple]:
    """Where a statement or an observation comes from: document, sentence, offsets, confidence."""
    start, end = evidence
    yield iri, PROV.wasDerivedFrom, doc_iri
    yield iri, KGO.evidence, Literal(text[start:end])
    yield iri, KGO.evidenceStart, Literal(start)
    yield iri, KGO.evidenceEnd, Literal(end)
    yield iri, KGO.confidence, _decimal(confidence)


def _observation_triples(
    item: Resolved, doc_iri: URIRef, node: Callable[[str], URIRef], base: str
) -> Iterator[Triple]:
    text = item.extraction.article.text
    seen: set[str] = set()
    for obs in item.extraction.observations:
        iri_id = _observation_id(item, obs)
        if iri_id is None or iri_id in seen:
            continue
        subject = item.entity_ids[obs.subject]
        assert subject is not None
        seen.add(iri_id)
        iri = URIRef(f"{base}observation/{iri_id}")
        yield iri, RDF.type, KGO.Observation
        yield iri, KGO.observedEntity, node(subject)
        yield iri, KGO.metric, KGO[obs.metric]
        yield iri, KGO.value, _decimal(obs.value, places="")
        yield iri, KGO.unit, Literal(obs.unit)
        if obs.period:
            yield iri, KGO.period, _date_literal(obs.period)
        if obs.place is not None and (place := item.entity_ids[obs.place]):
            yield iri, KGO.place, node(place)
        if obs.source is not None and (source := item.entity_ids[obs.source]):
            yield iri, KGO.reportedBy, node(source)
        if obs.segment:
            yield iri, KGO.segment, Literal(obs.segment)
        yield from _provenance(iri, doc_iri, text, obs.evidence, obs.confidence)
