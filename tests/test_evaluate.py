"""Tests for kg.eval: the seed-gold graph scorer and the CoNLL04 scorer.

The fixtures in tests/data/eval/ are invented (Acme, Globex, Initech...):
mini.gold.json is a small gold standard and mini.trig a hand-made build
output scored against it; the counts asserted below are worked out by hand
in the comments.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.errors import EvaluationError, UnsupportedFormatError
from kg.eval import (
    CONLL_ENTITY_TYPES,
    CONLL_RELATION_TYPES,
    ConllReport,
    ConllSentence,
    EntityIdentity,
    Finding,
    Score,
    SeedsGold,
    SeedsReport,
    conll04_to_jsonl_records,
    format_report,
    load_conll04,
    load_seeds_gold,
    normalize_name,
    parse_seeds_gold,
    score_conll04,
    score_graph,
)
from kg.eval.calibration import RatedTriple, calibrate, chance_error

DATA = Path(__file__).parent / "data" / "eval"
KGO = Namespace("https://w3id.org/kg-builder/ontology#")
R = Namespace("https://w3id.org/kg-builder/resource/")
# A plain namespace: rdflib's XSD warns when pytest probes module attributes.
CONLL_DEV = Path("/work/shared/datasets/conll04/dev.json")
SEEDS_GOLD = Path("/work/shared/eval/seeds.gold.json")

# mini.gold.json: 11 entities, of which Springfield and Trade Blacklist are optional.
REQUIRED_ENTITIES = 9
# 10 relations: "Acme basedIn Paris" is stated by d1 and d2 (one fact), one is optional.
REQUIRED_FACTS = 8


@pytest.fixture(scope="module")
def gold() -> SeedsGold:
    return load_seeds_gold(DATA / "mini.gold.json")


@pytest.fixture(scope="module")
def fixture_report(gold: SeedsGold) -> SeedsReport:
    ds = Dataset()
    ds.parse(DATA / "mini.trig", format="trig")
    return score_graph(ds, gold)


def add_entity(g: Graph, key: str, cls: str, label: str, *alts: str) -> URIRef:
    node = R[key]
    g.add((node, RDF.type, KGO[cls]))
    g.add((node, RDFS.label, Literal(label)))
    for alt in alts:
        g.add((node, SKOS.altLabel, Literal(alt)))
    return node


def add_statement(
    g: Graph, key: str, s: URIRef, p: str, o: URIRef, evidence: str = "", **qualifiers: object
) -> URIRef:
    """A direct triple and its kgo:Statement with the given qualifier properties."""
    g.add((s, KGO[p], o))
    st = R[f"statement/{key}"]
    g.add((st, RDF.type, KGO.Statement))
    g.add((st, RDF.subject, s))
    g.add((st, RDF.predicate, KGO[p]))
    g.add((st, RDF.object, o))
    if evidence:
        g.add((st, KGO.evidence, Literal(evidence)))
        g.add((st, PROV.wasDerivedFrom, R["doc/d9"]))
        g.add((R["doc/d9"], DCTERMS.identifier, Literal("d9")))
    for prop, value in qualifiers.items():
        g.add((st, KGO[prop], value if isinstance(value, URIRef | Literal) else Literal(value)))
    return st


def base_graph() -> tuple[Graph, dict[str, URIRef]]:
    """All required gold entities of mini.gold.json, one node each, no relations."""
    g = Graph()
    n = {
        "acme": add_entity(g, "company/acme", "Company", "Acme Corp", "Acme"),
        "globex": add_entity(g, "company/globex", "Company", "Globex"),
        "initech": add_entity(g, "company/initech", "Company", "Initech"),
        "ministry": add_entity(g, "agency/ministry", "GovernmentAgency", "Ministry of Trade"),
        "mwr": add_entity(g, "firm/mwr", "ResearchFirm", "MWR"),
        "paris": add_entity(g, "city/paris", "City", "Paris"),
        "france": add_entity(g, "country/france", "Country", "France"),
        "jane": add_entity(g, "person/jane", "Person", "Jane Doe"),
        "widget": add_entity(g, "product/widget", "Product", "Widget X"),
    }
    return g, n


def by(pairs: tuple[tuple[str, object], ...], key: str) -> object:
    return dict(pairs)[key]


# --------------------------------------------------------------------------- normalisation


def test_normalize_nfkc() -> None:
    assert normalize_name("ＡＣＭＥ") == "acme"  # full-width letters
    assert normalize_name("ﬁrm") == "firm"  # ligature


def test_normalize_casefold() -> None:
    assert normalize_name("STRASSE") == normalize_name("Straße") == "strasse"


def test_normalize_whitespace() -> None:
    assert normalize_name("  Acme \t\n  Corp ") == "acme corp"


def test_normalize_leading_the() -> None:
    assert normalize_name("The Acme Company") == "acme company"
    assert normalize_name("THE   Pentagon") == "pentagon"
    assert normalize_name("Theater Group") == "theater group"  # a word, not the article
    assert normalize_name("Bank of the West") == "bank of the west"  # only a leading one


def test_normalize_possessive() -> None:
    assert normalize_name("Acme's") == "acme"
    assert normalize_name("Acme’s") == "acme"
    assert normalize_name("Acmes") == "acmes"
    assert normalize_name("Acme'") == "acme'"  # only 's and ’s are dropped


def test_normalisation_is_used_for_matching(gold: SeedsGold) -> None:
    g = Graph()
    add_entity(g, "company/x", "Company", "THE  acme’s")
    report = score_graph(g, gold)
    assert report.entities == Score(tp=1, fp=0, fn=REQUIRED_ENTITIES - 1)


# --------------------------------------------------------------------------- gold loading


def test_load_seeds_gold_fixture(gold: SeedsGold) -> None:
    acme = gold.entities[0]
    assert (acme.label, acme.cls, acme.coarse) == ("Acme", "Company", "Organization")
    assert acme.names == ("Acme", "Acme Corp", "The Acme Company")
    sanctions = gold.relations[5]
    assert sanctions.alternatives == (("France", "sanctions", "Initech"),)
    assert dict(sanctions.qualifiers) == {"date": "2021-05", "duration": "P2Y"}
    assert gold.relations[7].optional
    assert gold.observations[1].value == Decimal("1500000000")
    assert [d.id for d in gold.documents] == ["d1", "d2"]


@pytest.mark.skipif(not SEEDS_GOLD.exists(), reason="shared seed gold not available")
def test_load_real_seeds_gold() -> None:
    gold = load_seeds_gold(SEEDS_GOLD)
    labels = {e.label for e in gold.entities}
    assert all(r.subject in labels and r.object in labels for r in gold.relations)
    assert all(isinstance(o.value, Decimal) for o in gold.observations)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "entities": [{"label": "A", "class": "Company"}],
                "relations": [{"subject": "A", "predicate": "basedIn", "object": "Nowhere"}],
            },
            "Nowhere",
        ),
        (
            {
                "entities": [{"label": "A", "class": "Company"}],
                "relations": [{"subject": "A", "predicate": "owns", "object": "A"}],
            },
            "owns",
        ),
        (
            {
                "entities": [{"label": "A", "class": "Company"}],
                "relations": [
                    {
                        "subject": "A",
                        "predicate": "sues",
                        "object": "A",
                        "qualifiers": {"when": "x"},
                    }
                ],
            },
            "when",
        ),
        (
            {"entities": [{"label": "A", "class": "Company"}, {"label": "A", "class": "City"}]},
            "twice",
        ),
        (
            {
                "entities": [{"label": "A", "class": "Company"}],
                "observations": [
                    {"subject": "A", "metric": "revenue", "value": "lots", "unit": "EUR"}
                ],
            },
            "lots",
        ),
    ],
)
def test_parse_seeds_gold_rejects_bad_data(data: dict, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        parse_seeds_gold(data)


def test_load_seeds_gold_file_errors(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="no such gold file"):
        load_seeds_gold(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(EvaluationError, match="not valid JSON"):
        load_seeds_gold(bad)


# --------------------------------------------------------------------------- the whole fixture


def test_fixture_entities(fixture_report: SeedsReport) -> None:
    # Every required entity has exactly one node; no other entity nodes.
    assert fixture_report.entities == Score(tp=REQUIRED_ENTITIES, fp=0, fn=0)
    assert by(fixture_report.entities_by_coarse, "Organization") == Score(tp=5)
    assert by(fixture_report.entities_by_class, "ResearchFirm") == Score(tp=1)


def test_fixture_relations(fixture_report: SeedsReport) -> None:
    # Found: basedIn (both docs, one fact), locatedIn, worksFor, partnersWith (reversed),
    # competesWith, sanctions (via its alternative), produces. Missed: sells.
    # Wrong: Initech basedIn Paris. Acme operatesIn France is optional.
    assert fixture_report.relations == Score(tp=7, fp=1, fn=1)
    assert by(fixture_report.relations_by_predicate, "basedIn") == Score(tp=1, fp=1, fn=0)
    assert by(fixture_report.relations_by_predicate, "sells") == Score(tp=0, fp=0, fn=1)
    assert fixture_report.relations_optional == 1
    assert fixture_report.relations_redundant == 0
    [miss] = fixture_report.relation_misses
    assert miss.item == "Globex sells Widget X"
    assert miss.evidence == ("[d2] Globex will start selling the Widget X",)
    [fp] = fixture_report.relation_false_positives
    assert fp.item == "Initech basedIn Paris"
    assert fp.evidence == ("[d2] Initech opened a Paris office",)


def test_fixture_qualifiers(fixture_report: SeedsReport) -> None:
    # 7 gold qualifiers on required facts: role + start (right), status + end on the
    # reversed partnersWith statement (right), date (2021-06 is wrong) + duration (right),
    # status of the unfound sells fact (a miss).
    assert (fixture_report.qualifiers.right, fixture_report.qualifiers.total) == (5, 7)
    assert by(fixture_report.qualifiers_by_key, "date").right == 0
    assert by(fixture_report.qualifiers_by_key, "status").total == 2
    reasons = {f.item: f.reason for f in fixture_report.qualifier_errors}
    assert reasons["Ministry of Trade sanctions Initech: date = '2021-05'"] == "found '2021-06'"
    assert reasons["Globex sells Widget X: status = 'planned'"] == "relation not found"


def test_fixture_observations(fixture_report: SeedsReport) -> None:
    # Acme 12.50 "Percent": found, every attribute right. Acme 1500000000 EUR: found, metric
    # wrong (kgo:sales). Globex 8 percent: not found; the Globex 9 percent node is extra.
    assert fixture_report.observations == Score(tp=2, fp=1, fn=1)
    complete = fixture_report.observations_complete
    assert (complete.right, complete.total) == (1, 3)
    metric = by(fixture_report.observation_attributes, "metric")
    assert (metric.right, metric.total) == (1, 2)
    assert [f.item for f in fixture_report.observation_errors] == [
        "Acme revenue = 1500000000.0 EUR"
    ]
    assert "metric (gold 'revenue', graph ['sales'])" in fixture_report.observation_errors[0].reason


def test_dataset_and_flat_graph_score_the_same(gold: SeedsGold) -> None:
    ds = Dataset()
    ds.parse(DATA / "mini.trig", format="trig")
    flat = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        flat.add((s, p, o))
    assert score_graph(flat, gold) == score_graph(ds, gold)


def test_background_relations_of_a_build_are_not_scored(gold: SeedsGold) -> None:
    # A build writes where gazetteer places lie in its default graph: knowledge, not a claim.
    ds = Dataset()
    ds.parse(DATA / "mini.trig", format="trig")
    before = score_graph(ds, gold).relations
    fact = (R["place/paris"], KGO.locatedIn, R["company/acme"])
    ds.default_context.add(fact)
    assert score_graph(ds, gold).relations == before
    ds.graph(R["graph/d9"]).add(fact)
    assert score_graph(ds, gold).relations.fp == before.fp + 1


# --------------------------------------------------------------------------- entities


def test_duplicate_node_is_false_positive(gold: SeedsGold) -> None:
    g, _ = base_graph()
    add_entity(g, "company/acme-2", "Company", "The Acme Company")
    report = score_graph(g, gold)
    assert report.entities == Score(tp=REQUIRED_ENTITIES, fp=1, fn=0)
    [fp] = report.entity_false_positives
    assert "duplicate" in fp.reason and "acme-2" in fp.item


def test_coarse_class_mismatch_is_a_miss(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.remove((n["paris"], RDF.type, None))
    g.add((n["paris"], RDF.type, KGO.Person))
    report = score_graph(g, gold)
    assert report.entities == Score(tp=REQUIRED_ENTITIES - 1, fp=1, fn=1)
    [miss] = report.entity_misses
    assert miss.item == "'Paris' [City]"
    assert "another coarse class" in miss.reason
    assert by(report.entities_by_coarse, "Person") == Score(tp=1, fp=1, fn=0)


def test_fine_class_may_differ_within_coarse_class(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.remove((n["paris"], RDF.type, None))
    g.add((n["paris"], RDF.type, KGO.Country))
    report = score_graph(g, gold)
    assert report.entities == Score(tp=REQUIRED_ENTITIES, fp=0, fn=0)
    agreement = report.entity_class_agreement
    assert (agreement.right, agreement.total) == (REQUIRED_ENTITIES - 1, REQUIRED_ENTITIES)


def test_optional_entity_is_neither_hit_nor_false_positive(gold: SeedsGold) -> None:
    g = Graph()
    add_entity(g, "city/springfield", "City", "Springfield")
    add_entity(g, "city/springfield-2", "City", "Springfield")  # even a duplicate
    report = score_graph(g, gold)
    assert report.entities == Score(tp=0, fp=0, fn=REQUIRED_ENTITIES)
    assert "Springfield" not in {m.item for m in report.entity_misses}


def test_unmatched_node_is_false_positive_and_other_nodes_ignored(gold: SeedsGold) -> None:
    g, _ = base_graph()
    add_entity(g, "company/umbrella", "Company", "Umbrella")
    add_entity(g, "doc/d1", "Document", "Doc one")  # not an entity class
    add_entity(g, "misc/x", "Entity", "Something")  # not one of the four coarse classes
    report = score_graph(g, gold)
    assert report.entities == Score(tp=REQUIRED_ENTITIES, fp=1, fn=0)
    assert report.entity_false_positives[0].item.startswith("'Umbrella' [Company]")


def test_node_matching_two_gold_entities_prefers_its_label(gold: SeedsGold) -> None:
    g = Graph()
    add_entity(g, "company/x", "Company", "Initech", "Globex")
    report = score_graph(g, gold)
    assert report.entities.tp == 1
    missed = {m.item for m in report.entity_misses}
    assert "'Initech' [Company]" not in missed and "'Globex' [Company]" in missed


def test_node_matching_two_gold_entities_by_alt_labels_takes_gold_order(gold: SeedsGold) -> None:
    g = Graph()
    add_entity(g, "company/x", "Company", "Unknown Co", "Initech", "Globex")
    report = score_graph(g, gold)
    missed = {m.item for m in report.entity_misses}
    assert "'Globex' [Company]" not in missed  # Globex comes before Initech in the gold
    assert "'Initech' [Company]" in missed


# --------------------------------------------------------------------------- relations


def test_symmetric_predicate_either_direction(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["globex"], KGO.partnersWith, n["acme"]))
    g.add((n["initech"], KGO.competesWith, n["acme"]))
    report = score_graph(g, gold)
    assert by(report.relations_by_predicate, "partnersWith") == Score(tp=1)
    assert by(report.relations_by_predicate, "competesWith") == Score(tp=1)


def test_both_directions_of_a_symmetric_fact_count_once(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["globex"], KGO.partnersWith, n["acme"]))
    g.add((n["acme"], KGO.partnersWith, n["globex"]))
    report = score_graph(g, gold)
    assert report.relations == Score(tp=1, fp=0, fn=REQUIRED_FACTS - 1)


@pytest.mark.parametrize("first", ["globex", "initech"])
def test_a_false_positive_stated_both_ways_reads_from_the_smaller_iri(
    gold: SeedsGold, first: str
) -> None:
    g, n = base_graph()
    other = "initech" if first == "globex" else "globex"
    g.add((n[first], KGO.partnersWith, n[other]))  # as an inferred graph states it back
    g.add((n[other], KGO.partnersWith, n[first]))
    [fp] = score_graph(g, gold).relation_false_positives
    assert fp.item == "Globex partnersWith Initech"  # <.../company/globex> < <.../initech>


def test_reversed_asymmetric_triple_is_wrong(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["paris"], KGO.basedIn, n["acme"]))
    report = score_graph(g, gold)
    assert by(report.relations_by_predicate, "basedIn") == Score(tp=0, fp=1, fn=1)


def test_alternative_counts_as_the_fact(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["france"], KGO.sanctions, n["initech"]))
    report = score_graph(g, gold)
    assert by(report.relations_by_predicate, "sanctions") == Score(tp=1)
    assert report.relations.fp == 0


def test_main_triple_and_alternative_are_one_fact(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["france"], KGO.sanctions, n["initech"]))
    g.add((n["ministry"], KGO.sanctions, n["initech"]))
    report = score_graph(g, gold)
    assert by(report.relations_by_predicate, "sanctions") == Score(tp=1)
    assert report.relations_redundant == 1


def test_optional_relation_is_not_counted(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["acme"], KGO.operatesIn, n["france"]))
    report = score_graph(g, gold)
    assert report.relations == Score(tp=0, fp=0, fn=REQUIRED_FACTS)
    assert report.relations_optional == 1
    assert all("operatesIn" not in m.item for m in report.relation_misses)


def test_fact_stated_by_two_documents_counts_once(gold: SeedsGold) -> None:
    g, _ = base_graph()
    report = score_graph(g, gold)
    assert by(report.relations_by_predicate, "basedIn") == Score(fn=1)
    [miss] = [m for m in report.relation_misses if m.item == "Acme basedIn Paris"]
    assert miss.evidence == ("[d1] the Paris-based Acme", "[d2] Acme, headquartered in Paris")
    assert miss.reason == "both entities found, but no triple links them"


def test_miss_reason_names_the_missing_entity(gold: SeedsGold) -> None:
    g = Graph()
    add_entity(g, "company/acme", "Company", "Acme")
    report = score_graph(g, gold)
    [miss] = [m for m in report.relation_misses if m.item == "Acme basedIn Paris"]
    assert miss.reason == "no node for 'Paris'"


def test_non_core_predicates_are_not_scored(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["acme"], KGO.employs, n["jane"]))
    g.add((n["acme"], URIRef("http://example.org/owns"), n["globex"]))
    report = score_graph(g, gold)
    assert report.relations == Score(tp=0, fp=0, fn=REQUIRED_FACTS)


def test_false_positive_carries_statement_evidence(gold: SeedsGold) -> None:
    g, n = base_graph()
    add_statement(g, "s1", n["globex"], "sells", n["acme"], "Globex resells Acme kit")
    report = score_graph(g, gold)
    [fp] = report.relation_false_positives
    assert fp.item == "Globex sells Acme Corp"
    assert fp.evidence == ("[d9] Globex resells Acme kit",)


# --------------------------------------------------------------------------- qualifiers


def _jane_start(gold: SeedsGold, value: Literal) -> tuple[int, int]:
    g, n = base_graph()
    add_statement(g, "s1", n["jane"], "worksFor", n["acme"], startDate=value)
    ratio = by(score_graph(g, gold).qualifiers_by_key, "start")
    return ratio.right, ratio.total


@pytest.mark.parametrize(
    ("value", "right"),
    [
        (Literal("2019-03", datatype=XSD.gYearMonth), 1),
        (Literal("2019-03-15", datatype=XSD.date), 1),
        (Literal("2019", datatype=XSD.gYear), 0),  # less precise than the gold
        (Literal("2019-04-01", datatype=XSD.date), 0),
        (Literal("2019-031"), 0),  # a prefix, but not at a date boundary
    ],
)
def test_date_qualifier_prefix_at_gold_precision(
    gold: SeedsGold, value: Literal, right: int
) -> None:
    assert _jane_start(gold, value) == (right, 1)


@pytest.mark.parametrize(
    ("status", "end", "right"),
    [
        (KGO.Ended, Literal("2020-11", datatype=XSD.gYearMonth), {"status", "end"}),
        (KGO.Ended, Literal("2020-Q4"), {"status", "end"}),  # year prefix
        (KGO.Planned, Literal("2021", datatype=XSD.gYear), set()),
        (Literal("Ended"), Literal("2020", datatype=XSD.gYear), {"status", "end"}),
    ],
)
def test_status_and_end_on_reversed_symmetric_statement(
    gold: SeedsGold, status: object, end: Literal, right: set[str]
) -> None:
    # The gold says Acme partnersWith Globex; the statement is written the other way round.
    g, n = base_graph()
    add_statement(g, "s1", n["globex"], "partnersWith", n["acme"], status=status, endDate=end)
    report = score_graph(g, gold)
    wrong = {
        f.item.split(": ")[1].split(" = ")[0]
        for f in report.qualifier_errors
        if f.item.startswith("Acme partnersWith Globex")
    }
    assert wrong == {"status", "end"} - right


@pytest.mark.parametrize(("role", "right"), [("THE chief  executive", 1), ("Chief", 0)])
def test_role_qualifier_is_compared_normalised(gold: SeedsGold, role: str, right: int) -> None:
    g, n = base_graph()
    add_statement(g, "s1", n["jane"], "worksFor", n["acme"], role=role)
    assert by(score_graph(g, gold).qualifiers_by_key, "role").right == right


@pytest.mark.parametrize(
    ("duration", "right"),
    [
        (Literal("P2Y", datatype=XSD.duration), 1),
        (Literal("P3Y", datatype=XSD.duration), 0),
        (Literal("P24M"), 0),  # the same length, but not the gold's form
    ],
)
def test_duration_qualifier_is_exact(gold: SeedsGold, duration: Literal, right: int) -> None:
    g, n = base_graph()
    add_statement(
        g,
        "s1",
        n["ministry"],
        "sanctions",
        n["initech"],
        duration=Literal(duration, datatype=XSD.duration),
    )
    assert by(score_graph(g, gold).qualifiers_by_key, "duration").right == right


def test_qualifier_without_statement_is_a_miss(gold: SeedsGold) -> None:
    g, n = base_graph()
    g.add((n["jane"], KGO.worksFor, n["acme"]))
    report = score_graph(g, gold)
    assert (report.qualifiers.right, report.qualifiers.total) == (0, 7)
    reasons = {f.item: f.reason for f in report.qualifier_errors}
    assert reasons["Jane Doe worksFor Acme: role = 'Chief Executive'"] == (
        "relation found but it has no kgo:Statement"
    )


# --------------------------------------------------------------------------- observations


def add_observation(
    g: Graph, key: str, subject: URIRef, value: str, unit: str, metric: str = "marketShare"
) -> URIRef:
    node = R[f"observation/{key}"]
    g.add((node, RDF.type, KGO.Observation))
    g.add((node, KGO.observedEntity, subject))
    g.add((node, KGO.metric, KGO[metric]))
    g.add((node, KGO.value, Literal(value, datatype=XSD.decimal)))
    g.add((node, KGO.unit, Literal(unit)))
    return node


@pytest.mark.parametrize(
    ("value", "unit", "found"),
    [
        ("12.5", "percent", 1),
        ("12.500", "PERCENT", 1),
        ("12.5000000000001", "percent", 1),  # within the 1e-9 relative tolerance
        ("12.51", "percent", 0),
        ("12.5", "points", 0),
    ],
)
def test_observation_value_and_unit(gold: SeedsGold, value: str, unit: str, found: int) -> None:
    g, n = base_graph()
    add_observation(g, "o1", n["acme"], value, unit)
    report = score_graph(g, gold)
    assert report.observations.tp == found
    assert report.observations.fp == 1 - found


def test_observation_needs_the_right_subject(gold: SeedsGold) -> None:
    g, n = base_graph()
    add_observation(g, "o1", n["initech"], "12.5", "percent")
    assert score_graph(g, gold).observations == Score(tp=0, fp=1, fn=3)


def test_observation_attributes(gold: SeedsGold) -> None:
    g, n = base_graph()
    node = add_observation(g, "o1", n["globex"], "8", "percent")
    g.add((node, KGO.segment, Literal("Premium  Phones")))
    report = score_graph(g, gold)
    assert report.observations.tp == 1
    assert report.observations_complete.right == 1
    segment = by(report.observation_attributes, "segment")
    assert (segment.right, segment.total) == (1, 1)


# --------------------------------------------------------------------------- identity


def mention(g: Graph, node: URIRef, *docs: str) -> None:
    for doc in docs:
        g.add((node, KGO.mentionedIn, R[f"doc/{doc}"]))
        g.add((R[f"doc/{doc}"], DCTERMS.identifier, Literal(doc)))


def test_duplicate_nodes_of_one_gold_entity(gold: SeedsGold) -> None:
    # Acme has three nodes: its base node (label "Acme Corp", a gold name) and two
    # more named by other gold names; Paris has two. Nothing else is duplicated.
    g, n = base_graph()
    mention(g, n["acme"], "d1")
    mention(g, add_entity(g, "company/acme-2", "Company", "The Acme Company"), "d2")
    add_entity(g, "company/acme-3", "Company", "ACME")
    add_entity(g, "city/paris-2", "City", "Paris")
    report = score_graph(g, gold)
    assert report.identity == EntityIdentity(
        gold_entities=REQUIRED_ENTITIES, duplicated=2, extra_nodes=3, wrong_merges=0
    )
    assert report.identity.duplicated_share == 2 / REQUIRED_ENTITIES
    # The extra nodes are exactly the duplicates entity precision counts as false positives.
    assert report.entities == Score(tp=REQUIRED_ENTITIES, fp=3, fn=0)
    acme, paris = report.entity_duplicates
    assert (acme.item, paris.item) == ("'Acme' [Company]", "'Paris' [City]")
    # Best match first: "ACME" normalises to the gold label; the others are gold names.
    assert acme.reason == (
        f"3 nodes: 'ACME' [Company] <{R['company/acme-3']}>; "
        f"'Acme Corp' [Company] <{R['company/acme']}>; "
        f"'The Acme Company' [Company] <{R['company/acme-2']}>"
    )
    assert acme.evidence == (
        f"'Acme Corp' [Company] <{R['company/acme']}> mentioned in d1",
        f"'The Acme Company' [Company] <{R['company/acme-2']}> mentioned in d2",
    )


def test_optional_gold_entity_is_never_duplicated(gold: SeedsGold) -> None:
    g, _ = base_graph()
    add_entity(g, "city/springfield", "City", "Springfield")
    add_entity(g, "city/springfield-2", "City", "Springfield")
    report = score_graph(g, gold)
    assert report.identity == EntityIdentity(gold_entities=REQUIRED_ENTITIES)
    assert report.entity_duplicates == ()


def test_wrong_merge_is_listed_once_and_is_no_duplicate(gold: SeedsGold) -> None:
    # One node carries the names of Initech and Globex; a second node is Globex.
    # The merged node counts for Initech (its label), so Globex is not duplicated.
    g = Graph()
    merged = add_entity(g, "company/x", "Company", "Initech", "Globex Inc.")
    mention(g, merged, "d2")
    add_entity(g, "company/globex", "Company", "Globex")
    report = score_graph(g, gold)
    assert report.entities == Score(tp=2, fp=0, fn=REQUIRED_ENTITIES - 2)
    assert report.identity == EntityIdentity(
        gold_entities=REQUIRED_ENTITIES, duplicated=0, extra_nodes=0, wrong_merges=1
    )
    [finding] = report.entity_wrong_merges
    assert finding.item == f"'Initech' [Company] <{merged}>"
    assert finding.reason == (
        "one node for 2 gold entities: 'Globex' [Company] by 'Globex Inc.'; "
        "'Initech' [Company] by 'Initech'"
    )
    assert finding.evidence == ("mentioned in d2",)


def test_node_matching_an_optional_gold_entity_too_is_no_wrong_merge(gold: SeedsGold) -> None:
    g = Graph()
    add_entity(g, "city/paris", "City", "Paris", "Springfield")  # Springfield is optional
    add_entity(g, "company/acme", "Company", "Acme", "Paris")  # Paris is no Organization
    report = score_graph(g, gold)
    assert report.identity.wrong_merges == 0
    assert report.entity_wrong_merges == ()


# --------------------------------------------------------------------------- calibration


def add_fact(g: Graph, key: str, s: URIRef, p: str, o: URIRef, confidence: str) -> URIRef:
    """A kgo:Fact naming a triple, with its aggregate confidence."""
    fact = R[f"fact/{key}"]
    g.add((fact, RDF.type, KGO.Fact))
    g.add((fact, KGO.tripleSubject, s))
    g.add((fact, KGO.triplePredicate, KGO[p]))
    g.add((fact, KGO.tripleObject, o))
    g.add((fact, KGO.confidence, Literal(Decimal(confidence))))
    return fact


def calibration_graph(gold: SeedsGold) -> SeedsReport:
    """Four rated scored triples, one unrated, one optional-only (see the test below)."""
    g, n = base_graph()
    conf = {"confidence": Decimal("0.9")}
    add_statement(g, "s1", n["acme"], "basedIn", n["paris"], **conf)  # right, 0.9
    add_statement(g, "s1b", n["acme"], "basedIn", n["paris"], confidence=Decimal("0.6"))
    add_statement(g, "s2", n["paris"], "locatedIn", n["france"], confidence=Decimal("0.8"))
    add_statement(g, "s2b", n["paris"], "locatedIn", n["france"], confidence=Decimal("0.75"))
    add_fact(g, "f2", n["paris"], "locatedIn", n["france"], "0.95")  # right, 0.95 (the Fact's)
    add_statement(g, "s3", n["initech"], "basedIn", n["paris"], confidence=Decimal("0.85"))
    add_statement(g, "s4", n["jane"], "worksFor", n["acme"], confidence=Decimal("0.35"))
    add_statement(g, "s5", n["acme"], "operatesIn", n["france"], confidence=Decimal("0.1"))
    g.add((n["globex"], KGO.partnersWith, n["acme"]))  # right, but no statement: unrated
    return score_graph(g, gold)


def test_calibration_bins_and_ece_by_hand(gold: SeedsGold) -> None:
    # Rated: basedIn 0.9 (right; its best statement), locatedIn 0.95 (right; the Fact wins
    # over its statements), Initech basedIn 0.85 (wrong), worksFor 0.35 (right). The
    # optional operatesIn is left out; partnersWith has no confidence.
    # ECE = 1/4 |1 - 0.35| + 1/4 |0 - 0.85| + 2/4 |1 - 0.925| = 0.1625 + 0.2125 + 0.0375.
    report = calibration_graph(gold)
    assert report.relations == Score(tp=4, fp=1, fn=REQUIRED_FACTS - 4)
    cal = report.calibration
    assert (cal.triples, cal.unrated, cal.correct) == (4, 1, 3)
    assert cal.ece == 0.4125
    filled = [(str(b.low), b.count, b.mean_confidence, b.accuracy) for b in cal.bins if b.count]
    assert filled == [("0.3", 1, 0.35, 1.0), ("0.8", 1, 0.85, 0.0), ("0.9", 2, 0.925, 1.0)]
    assert len(cal.bins) == 10 and str(cal.bins[-1].high) == "1"


def test_calibration_thresholds_by_hand(gold: SeedsGold) -> None:
    # >= 0.3 keeps all four (3 facts, 1 wrong); 0.4 to 0.8 drop worksFor; 0.9 keeps the two
    # right triples at 0.9 and 0.95. Recall is over the 8 required facts.
    cal = calibration_graph(gold).calibration
    rows = {str(t.threshold): (t.kept, t.tp, t.fp, t.fn) for t in cal.thresholds}
    assert list(rows) == ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]
    assert rows["0.3"] == (4, 3, 1, REQUIRED_FACTS - 3)
    assert rows["0.4"] == rows["0.8"] == (3, 2, 1, REQUIRED_FACTS - 2)
    assert rows["0.9"] == (2, 2, 0, REQUIRED_FACTS - 2)
    assert cal.thresholds[0].precision == 0.75 and cal.thresholds[0].recall == 3 / 8


def test_calibration_counts_redundant_triples_and_matches_precision(gold: SeedsGold) -> None:
    # The main sanctions triple and its alternative are one fact found by two right
    # triples; with every confidence >= 0.3 the 0.3 row is the relation score itself.
    g, n = base_graph()
    add_statement(g, "s1", n["ministry"], "sanctions", n["initech"], confidence=Decimal("0.3"))
    add_statement(g, "s2", n["france"], "sanctions", n["initech"], confidence=Decimal("0.7"))
    add_statement(g, "s3", n["globex"], "sells", n["acme"], confidence=Decimal("0.7"))
    report = score_graph(g, gold)
    assert report.relations_redundant == 1
    cal = report.calibration
    assert (cal.triples, cal.correct) == (3, 2)
    # 0.3 alone in its bin; 0.7 right and 0.7 wrong together: |1 - 1.4| = 0.4.
    assert cal.ece == pytest.approx((0.7 + 0.4) / 3, abs=1e-12)
    first = cal.thresholds[0]
    assert (first.tp, first.fp, first.fn) == (
        report.relations.tp,
        report.relations.fp,
        report.relations.fn,
    )
    # At 0.4 the alternative alone still finds the fact.
    assert (cal.thresholds[1].tp, cal.thresholds[1].kept) == (1, 2)


def test_symmetric_triple_takes_the_fact_of_either_direction(gold: SeedsGold) -> None:
    g, n = base_graph()
    add_statement(g, "s1", n["acme"], "partnersWith", n["globex"], confidence=Decimal("0.5"))
    add_statement(g, "s2", n["globex"], "partnersWith", n["acme"], confidence=Decimal("0.6"))
    add_fact(g, "f1", n["globex"], "partnersWith", n["acme"], "0.8")
    cal = score_graph(g, gold).calibration
    assert [(b.count, b.mean_confidence) for b in cal.bins if b.count] == [(1, 0.8)]


def test_calibration_without_confidences(fixture_report: SeedsReport) -> None:
    # mini.trig has no kgo:confidence: its 8 scored triples (7 right, 1 wrong) are unrated.
    cal = fixture_report.calibration
    assert (cal.triples, cal.unrated, cal.ece) == (0, 8, None)
    assert all(b.count == 0 and b.accuracy is None for b in cal.bins)
    assert all((t.kept, t.tp, t.fn) == (0, 0, REQUIRED_FACTS) for t in cal.thresholds)
    data = json.loads(format_report(fixture_report, format="json"))
    assert data["calibration"]["ece"] is None
    assert data["calibration"]["bins"][0] == {
        "low": 0.0,
        "high": 0.1,
        "count": 0,
        "mean_confidence": None,
        "accuracy": None,
    }


@pytest.mark.parametrize(
    ("confidence", "low"),
    [("0", "0"), ("0.3", "0.3"), ("0.2999", "0.2"), ("0.95", "0.9"), ("1", "0.9"), ("1.2", "0.9")],
)
def test_calibration_bin_edges_are_exact(confidence: str, low: str) -> None:
    cal = calibrate([RatedTriple(Decimal(confidence), frozenset({0}))], required=1)
    [filled] = [b for b in cal.bins if b.count]
    assert str(filled.low) == low


def test_chance_error_is_what_a_calibrated_graph_shows_by_chance() -> None:
    # 400 triples at 0.5: |Binomial(400, 0.5) - 200| / 400 has mean sqrt(2 / pi) * 10 / 400.
    mean, high = chance_error([Decimal("0.5")] * 400)
    assert mean == pytest.approx(0.01995, rel=0.1)
    assert mean < high <= 0.05
    few, _ = chance_error([Decimal("0.5")] * 40)
    assert few > 2.5 * mean  # ten times fewer triples, about three times the error
    assert chance_error([Decimal("0"), Decimal("1")]) == (0.0, 0.0)
    assert chance_error([]) is None
    assert chance_error([Decimal("0.8")] * 30) == chance_error([Decimal("0.8")] * 30)


def test_calibration_reports_the_error_of_chance() -> None:
    triples = [RatedTriple(Decimal("0.9"), frozenset({n})) for n in range(9)]
    cal = calibrate([*triples, RatedTriple(Decimal("0.9"))], required=9)
    assert cal.ece == pytest.approx(0.0)
    assert cal.chance is not None and cal.chance[0] > 0.05
    assert cal.to_dict()["ece_by_chance"]["mean"] == round(cal.chance[0], 6)


def test_threshold_keeps_a_confidence_equal_to_it() -> None:
    cal = calibrate([RatedTriple(Decimal("0.3"), frozenset({0}))], required=2)
    assert (cal.thresholds[0].kept, cal.thresholds[0].recall) == (1, 0.5)
    assert cal.thresholds[1].kept == 0 and cal.thresholds[1].precision == 0.0


def test_identity_and_calibration_in_text_and_json(gold: SeedsGold) -> None:
    g, n = base_graph()
    add_entity(g, "company/acme-2", "Company", "The Acme Company")
    add_entity(g, "company/x", "Company", "Unknown Co", "Initech", "Globex")
    add_statement(g, "s1", n["acme"], "basedIn", n["paris"], confidence=Decimal("0.9"))
    add_statement(g, "s3", n["initech"], "basedIn", n["paris"], confidence=Decimal("0.85"))
    report = score_graph(g, gold)
    text = format_report(report)
    # Acme twice; Globex by the merged node's alt label (the first in gold order).
    duplicates = f"gold entities with duplicate nodes: 2/{REQUIRED_ENTITIES} (0.222), 2 extra nodes"
    assert f"  {duplicates}\n" in text
    assert "  wrongly merged nodes (matching 2+ gold entities): 1" in text
    assert "Duplicated entities (2)" in text and "Wrongly merged nodes (1)" in text
    assert "Calibration  2 rated relation triples, 1 right; ECE 0.475" in text
    assert "  0.8-0.9        1   0.850  0.000" in text
    assert "  0.9            1   1.000  0.125" in text
    data = json.loads(format_report(report, format="json"))
    assert data["entities"]["duplicates"]["share"] == round(2 / REQUIRED_ENTITIES, 6)
    assert [d["item"] for d in data["entities"]["duplicates"]["items"]] == [
        "'Acme' [Company]",
        "'Globex' [Company]",
    ]
    assert data["entities"]["wrong_merges"]["nodes"] == 1
    assert data["calibration"]["ece"] == 0.475
    assert data["calibration"]["thresholds"][-1] == {
        "threshold": 0.9,
        "kept": 1,
        "tp": 1,
        "fp": 0,
        "fn": REQUIRED_FACTS - 1,
        "precision": 1.0,
        "recall": 0.125,
    }


# --------------------------------------------------------------------------- formatting


def test_format_text_lists_scores_and_evidence(fixture_report: SeedsReport) -> None:
    text = format_report(fixture_report)
    assert "Relations     P 0.875  R 0.875  F1 0.875   (tp 7, fp 1, fn 1)" in text
    assert "Relation misses (1)" in text
    assert "| [d2] Globex will start selling the Widget X" in text
    assert "| [d2] Initech opened a Paris office" in text


def test_format_json_is_deterministic(fixture_report: SeedsReport) -> None:
    out = format_report(fixture_report, format="json")
    assert out == format_report(fixture_report, format="json")
    data = json.loads(out)
    assert data["relations"]["overall"] == {
        "tp": 7,
        "fp": 1,
        "fn": 1,
        "precision": 0.875,
        "recall": 0.875,
        "f1": 0.875,
    }
    assert data["qualifiers"]["overall"]["right"] == 5
    assert list(data) == sorted(data)


def test_format_text_limit() -> None:
    misses = tuple(Finding(f"e{i}", "not predicted") for i in range(5))
    report = ConllReport(1, Score(), (), Score(), (), entity_misses=misses)
    text = format_report(report, limit=2)
    assert "  - e1: not predicted" in text and "  - e2: not predicted" not in text
    assert "3 more" in text


def test_format_rejects_unknown_format(fixture_report: SeedsReport) -> None:
    with pytest.raises(UnsupportedFormatError, match="xml"):
        format_report(fixture_report, format="xml")


# --------------------------------------------------------------------------- CoNLL04


@pytest.fixture(scope="module")
def conll() -> list[ConllSentence]:
    return load_conll04(DATA / "mini_conll.json", split="test")


def perfect_records(sentences: list[ConllSentence]) -> list[dict]:
    out = []
    for s in sentences:
        entities = [
            {
                "start": e.char_start,
                "end": e.char_end,
                "text": e.text,
                "type": CONLL_ENTITY_TYPES.get(e.type, "Date"),
            }
            for e in s.entities
        ]
        relations = [
            {"head": r.head, "tail": r.tail, "predicate": CONLL_RELATION_TYPES[r.type]}
            for r in s.relations
        ]
        out.append({"id": s.id, "text": s.text, "entities": entities, "relations": relations})
    return out


def test_load_conll04_char_offsets(conll: list[ConllSentence]) -> None:
    first = conll[0]
    assert first.id == "conll04-test-0"
    assert first.text == "John Smith works for Acme Inc. in Boston ."
    assert [(e.char_start, e.char_end, e.type) for e in first.entities] == [
        (0, 10, "Peop"),
        (21, 30, "Org"),
        (34, 40, "Loc"),
    ]
    for s in conll:
        for e in s.entities:
            assert s.text[e.char_start : e.char_end] == e.text


def test_load_conll04_relations_index_all_spans_including_other(conll: list[ConllSentence]) -> None:
    second = conll[1]
    assert [e.type for e in second.entities] == ["Other", "Peop", "Peop"]
    [kill] = second.relations
    assert (second.entities[kill.head].text, second.entities[kill.tail].text) == ("Ann Lee", "Bob")


def test_load_conll04_default_split_is_file_stem() -> None:
    assert load_conll04(DATA / "mini_conll.json")[1].id == "conll04-mini_conll-1"


def test_load_conll04_spert_entities_layout(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(
        json.dumps(
            [
                {
                    "tokens": ["Ann", "Lee", "of", "Oslo"],
                    "entities": [
                        {"type": "Peop", "start": 0, "end": 2},
                        {"type": "Loc", "start": 3, "end": 4},
                    ],
                    "relations": [{"type": "Live_In", "head": 0, "tail": 1}],
                }
            ]
        ),
        encoding="utf-8",
    )
    [s] = load_conll04(path)
    assert [(e.char_start, e.char_end) for e in s.entities] == [(0, 7), (11, 15)]


def test_load_conll04_rejects_broken_tags(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"tokens": ["a", "b"], "tags": ["O", "L-Peop"], "relations": []}]))
    with pytest.raises(EvaluationError, match="continues no span"):
        load_conll04(path)


def test_conll04_to_jsonl_records(conll: list[ConllSentence]) -> None:
    records = conll04_to_jsonl_records(conll)
    assert records[1] == {"id": "conll04-test-1", "text": "On May 5 , Ann Lee killed Bob ."}


def test_conll_perfect_prediction(conll: list[ConllSentence]) -> None:
    report = score_conll04(perfect_records(conll), conll)
    # 5 scored entities (the Other span "May 5" is not scored), 3 relations.
    assert report.entities == Score(tp=5, fp=0, fn=0)
    assert report.relations == Score(tp=3, fp=0, fn=0)


def test_conll_other_entities_are_not_scored(conll: list[ConllSentence]) -> None:
    report = score_conll04([], conll)
    assert report.entities == Score(tp=0, fp=0, fn=5)
    assert report.missing_records == 2
    records = conll04_to_jsonl_records(conll)
    records[1]["entities"] = [{"start": 3, "end": 8, "type": "Other"}]  # "May 5"
    report = score_conll04(records, conll)
    assert report.entities.fp == 0


def test_conll_wrong_type_makes_entity_and_relation_wrong(conll: list[ConllSentence]) -> None:
    records = perfect_records(conll)
    records[0]["entities"][1]["type"] = "Place"  # Acme Inc. is an Organization
    report = score_conll04(records, conll)
    assert by(report.entities_by_type, "Organization") == Score(tp=0, fp=0, fn=1)
    assert by(report.entities_by_type, "Place") == Score(tp=1, fp=1, fn=0)
    # worksFor (John Smith -> Acme Inc.) and basedIn (Acme Inc. -> Boston) both wrong.
    assert report.relations == Score(tp=1, fp=2, fn=2)
    reasons = {f.reason for f in report.relation_false_positives}
    assert reasons == {
        "wrong entity type (gold: Person, Organization)",
        "wrong entity type (gold: Organization, Place)",
    }


def test_conll_wrong_span_is_wrong(conll: list[ConllSentence]) -> None:
    records = perfect_records(conll)
    records[0]["entities"][0]["end"] = 4  # "John" instead of "John Smith"
    report = score_conll04(records, conll)
    assert by(report.entities_by_type, "Person") == Score(tp=2, fp=1, fn=1)
    assert by(report.relations_by_predicate, "worksFor") == Score(tp=0, fp=1, fn=1)


def test_conll_wrong_predicate_and_swapped_arguments(conll: list[ConllSentence]) -> None:
    records = perfect_records(conll)
    records[0]["relations"][0]["predicate"] = "livesIn"
    records[1]["relations"][0].update(head=2, tail=1)  # Bob killed Ann Lee
    report = score_conll04(records, conll)
    assert report.relations == Score(tp=1, fp=2, fn=2)
    reasons = sorted(f.reason for f in report.relation_false_positives)
    assert reasons == ["gold predicate is worksFor", "head and tail are swapped"]


def test_conll_ignores_other_predicates_and_duplicates(conll: list[ConllSentence]) -> None:
    records = perfect_records(conll)
    records[0]["relations"].append({"head": 1, "tail": 2, "predicate": "operatesIn"})
    records[0]["relations"].append(dict(records[0]["relations"][0]))
    records[0]["entities"].append(dict(records[0]["entities"][0]))
    report = score_conll04(records, conll)
    assert report.ignored_relations == 1
    assert report.entities == Score(tp=5, fp=0, fn=0)
    assert report.relations == Score(tp=3, fp=0, fn=0)


def test_conll_rejects_foreign_records(conll: list[ConllSentence]) -> None:
    with pytest.raises(EvaluationError, match="not a sentence"):
        score_conll04([{"id": "doc-1", "text": "x"}], conll)
    with pytest.raises(EvaluationError, match="text differs"):
        score_conll04([{"id": "conll04-test-0", "text": "John  Smith"}], conll)
    with pytest.raises(EvaluationError, match="points past"):
        score_conll04(
            [
                {
                    "id": "conll04-test-0",
                    "entities": [],
                    "relations": [{"head": 0, "tail": 1, "predicate": "worksFor"}],
                }
            ],
            conll,
        )


def test_conll_report_formats(conll: list[ConllSentence]) -> None:
    report = score_conll04([], conll)
    text = format_report(report)
    assert "[Ann Lee](Person) @11-18 killed [Bob](Person) @26-29: not predicted" in text
    assert json.loads(format_report(report, format="json"))["relations"]["overall"]["fn"] == 3


@pytest.mark.skipif(not CONLL_DEV.exists(), reason="CoNLL04 dev set not available")
def test_conll_dev_set_with_empty_predictions() -> None:
    sentences = load_conll04(CONLL_DEV)
    raw = json.loads(CONLL_DEV.read_text(encoding="utf-8"))
    assert len(sentences) == len(raw)
    scored = sum(
        1
        for item in raw
        for tag in item["tags"]
        if tag[:2] in {"B-", "U-"} and not tag.endswith("-Other")
    )
    records = [{**r, "entities": [], "relations": []} for r in conll04_to_jsonl_records(sentences)]
    report = score_conll04(records, sentences)
    assert report.entities == Score(tp=0, fp=0, fn=scored)
    assert report.relations == Score(tp=0, fp=0, fn=sum(len(i["relations"]) for i in raw))
    assert report.relations.recall == 0.0
    for s in sentences:
        for e in s.entities:
            assert s.text[e.char_start : e.char_end] == " ".join(s.tokens[e.start : e.end])
