"""kg.views.timeline: an entity's dated statements in order, and conflicts between sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Namespace
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.export import export_graph
from kg.graph.records import graph_prefixes
from kg.ontology import KGO_IRI, KGR_IRI
from kg.rdf.load import load_graph
from kg.rdf.trig import turtle_prefixes
from kg.views.timeline import before, conflicts, date_range, timeline

K = Namespace(KGO_IRI)
R = Namespace(KGR_IRI)

PREFIXES = turtle_prefixes(graph_prefixes())  # the TriG header of the graphs below


def stmt(name: str, s: str, p: str, o: str, doc: str, evidence: str, extra: str = "") -> str:
    return f"""
kgr:{name} a kgo:Statement ; rdf:subject kgr:{s} ; rdf:predicate kgo:{p} ; rdf:object kgr:{o} ;
    prov:wasDerivedFrom kgr:{doc} ; kgo:evidence "{evidence}" ; kgo:confidence 0.8 {extra} .
kgr:{s} kgo:{p} kgr:{o} ."""


def obs(name: str, entity: str, metric: str, value: str, unit: str, period: str, doc: str) -> str:
    return f"""
kgr:{name} a kgo:Observation ; kgo:observedEntity kgr:{entity} ; kgo:metric kgo:{metric} ;
    kgo:value {value} ; kgo:unit "{unit}" ; kgo:period "{period}" ; prov:wasDerivedFrom kgr:{doc} ;
    kgo:evidence "{entity} {metric} {value}" ; kgo:confidence 0.7 ."""


#: A blacklisting and its lifting told by three articles, with figures that disagree.
GRAPH = (
    PREFIXES
    + """
{
kgr:acme a kgo:Company ; rdfs:label "Acme" .
kgr:dod a kgo:GovernmentAgency ; rdfs:label "Department of Defense" .
kgr:court a kgo:Court ; rdfs:label "District Court" .
kgr:globex a kgo:Company ; rdfs:label "Globex" .
kgr:france a kgo:Country ; rdfs:label "France" .
kgr:d1 a kgo:Document ; dcterms:identifier "d1" ; dcterms:date "2021-02-01"^^xsd:date .
kgr:d2 a kgo:Document ; dcterms:identifier "d2" ; dcterms:date "2021-06-01"^^xsd:date .
kgr:d3 a kgo:Document ; dcterms:identifier "d3" ; dcterms:date "2021-07-01"^^xsd:date .
}
kgr:graph\\/d1 {"""
    + stmt(
        "s1",
        "dod",
        "sanctions",
        "acme",
        "d1",
        "The Pentagon blacklisted Acme in January.",
        '; kgo:date "2021-01"^^xsd:gYearMonth',
    )
    + stmt(
        "s2",
        "acme",
        "partnersWith",
        "globex",
        "d1",
        "Acme and Globex teamed up.",
        "; kgo:status kgo:Ongoing",
    )
    + obs("o1", "acme", "marketShare", "30.3", "percent", "2020-Q4", "d1")
    + """
}
kgr:graph\\/d2 {"""
    + stmt(
        "s3",
        "court",
        "liftsSanctionOn",
        "acme",
        "d2",
        "On 15 March the judge ordered its provisional removal.",
        '; kgo:date "2021-03-15"^^xsd:date',
    )
    + stmt(
        "s4",
        "dod",
        "liftsSanctionOn",
        "acme",
        "d2",
        "A final order followed in May.",
        '; kgo:date "2021-05"^^xsd:gYearMonth',
    )
    + stmt(
        "s5",
        "acme",
        "operatesIn",
        "france",
        "d2",
        "Acme entered France in 2019.",
        '; kgo:startDate "2019"^^xsd:gYear',
    )
    + stmt(
        "s6",
        "acme",
        "partnersWith",
        "globex",
        "d2",
        "The Acme and Globex deal collapsed.",
        '; kgo:status kgo:Ended ; kgo:endDate "2021-04"^^xsd:gYearMonth',
    )
    + obs("o2", "acme", "marketShare", "30.0", "percent", "2020-Q4", "d2")
    + obs("o3", "acme", "revenue", "9800000000.0", "EUR", "2021-Q1", "d2")
    + """
}
kgr:graph\\/d3 {"""
    + stmt(
        "s7",
        "court",
        "liftsSanctionOn",
        "globex",
        "d3",
        "Globex was cleared in 2019.",
        '; kgo:date "2019"^^xsd:gYear',
    )
    + stmt(
        "s8",
        "dod",
        "sanctions",
        "globex",
        "d3",
        "Globex was blacklisted in 2020.",
        '; kgo:date "2020"^^xsd:gYear',
    )
    + obs("o4", "acme", "revenue", "54.7", "EUR", "2021-Q1", "d3")
    + obs("o5", "acme", "marketShare", "21.0", "percent", "2020-Q4", "d3")
    + stmt(
        "s9",
        "acme",
        "partnersWith",
        "globex",
        "d3",
        "Acme and Globex still work together.",
        "; kgo:status kgo:Ongoing",
    )
    + """
}
"""
)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(data=GRAPH, format="trig")
    return dataset


# -------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2021", ("2021-01-01", "2021-12-31")),
        ("2021-02", ("2021-02-01", "2021-02-28")),
        ("2020-02", ("2020-02-01", "2020-02-29")),
        ("2021-Q4", ("2021-10-01", "2021-12-31")),
        ("2021-03-15", ("2021-03-15", "2021-03-15")),
        ("early 2021", None),
    ],
)
def test_date_ranges(value: str, expected: tuple[str, str] | None) -> None:
    assert date_range(value) == expected


def test_before_compares_at_the_precision_both_have() -> None:
    assert before("2021-01", "2021-03-15")
    assert not before("2021", "2021-03")  # 2021 may be later than March
    assert not before("2021-03", "2021")
    assert before("2020-Q4", "2021")
    assert not before(None, "2021")


# ----------------------------------------------------------------------------------- timeline


def test_the_timeline_lists_dated_statements_in_order(ds: Dataset) -> None:
    line = timeline(ds, "Acme")
    assert line.entity.label == "Acme"
    assert [(e.when, e.predicate, e.other.label) for e in line.events] == [
        ("2019", "operatesIn", "France"),
        ("2021-01", "sanctions", "Department of Defense"),
        ("2021-03-15", "liftsSanctionOn", "District Court"),
        ("2021-04", "partnersWith", "Globex"),
        ("2021-05", "liftsSanctionOn", "Department of Defense"),
    ]
    blacklisting = line.events[1]
    assert not blacklisting.outgoing  # Acme is the object: the agency sanctions it
    assert blacklisting.statement.evidence == "The Pentagon blacklisted Acme in January."
    assert blacklisting.statement.document is not None
    assert blacklisting.statement.document.id == "d1"
    assert line.events[3].statement.status == "ended"
    assert line.events[3].statement.end == "2021-04"


def test_undated_statements_come_on_request(ds: Dataset) -> None:
    assert timeline(ds, "Acme").undated == ()
    undated = timeline(ds, "acme", undated=True).undated
    found = [(e.predicate, e.statement.status, e.statement.document.id) for e in undated]  # type: ignore[union-attr]
    assert found == [("partnersWith", "ongoing", "d1"), ("partnersWith", "ongoing", "d3")]


def test_a_timeline_of_an_unknown_entity_is_an_error(ds: Dataset) -> None:
    from kg.errors import ViewSelectionError

    with pytest.raises(ViewSelectionError, match="Close names: Acme"):
        timeline(ds, "Acmee")


# ---------------------------------------------------------------------------------- conflicts


def test_different_figures_for_one_metric_and_period_conflict(ds: Dataset) -> None:
    found = [c for c in conflicts(ds) if c.kind == "figure"]
    about = {c.about: c for c in found}
    share = about["Acme: marketShare for 2020-Q4 in percent, 3 figures from 3 documents"]
    assert share.first.claim == "21.0 percent" and share.second.claim == "30.3 percent"
    assert share.first.document.id == "d3" and share.second.document.id == "d1"  # type: ignore[union-attr]
    revenue = about["Acme: revenue for 2021-Q1 in EUR"]
    assert {revenue.first.document.id, revenue.second.document.id} == {"d2", "d3"}  # type: ignore[union-attr]
    assert revenue.first.evidence == "acme revenue 54.7"
    assert len(found) == 2


def test_close_figures_agree_within_the_tolerance(ds: Dataset) -> None:
    loose = [c for c in conflicts(ds, tolerance=0.5) if c.kind == "figure"]
    assert [c.about for c in loose] == ["Acme: revenue for 2021-Q1 in EUR"]


def test_a_sanction_lifted_before_it_was_imposed_conflicts(ds: Dataset) -> None:
    (order,) = [c for c in conflicts(ds) if c.kind == "order"]
    assert order.about == "Globex: a sanction lifted before any was imposed"
    assert order.first.claim == "lifted by District Court, 2019"
    assert order.second.claim == "imposed 2020"
    assert order.first.document.id == order.second.document.id == "d3"  # type: ignore[union-attr]


def test_a_lifting_after_the_sanction_is_no_conflict(ds: Dataset) -> None:
    assert not [c for c in conflicts(ds) if "Acme: a sanction" in c.about]


def test_ended_and_ongoing_from_two_sources_conflict(ds: Dataset) -> None:
    # d1 (February) said ongoing, d2 (June) ended: things changed, no conflict; but d3
    # (July) says ongoing again
    (status,) = [c for c in conflicts(ds) if c.kind == "status"]
    assert status.about == "Acme partnersWith Globex"
    assert (status.first.claim, status.first.document.id) == ("ended", "d2")  # type: ignore[union-attr]
    assert (status.second.claim, status.second.document.id) == ("ongoing", "d3")  # type: ignore[union-attr]


def test_no_conflicts_in_a_consistent_graph() -> None:
    ds = Dataset(default_union=True)
    ds.parse(
        data=PREFIXES
        + "{ kgr:acme a kgo:Company ; rdfs:label 'Acme' . kgr:d1 a kgo:Document . }"
        + "kgr:graph\\/d1 {"
        + obs("o1", "acme", "marketShare", "30.3", "percent", "2020-Q4", "d1")
        + "}",
        format="trig",
    )
    assert conflicts(ds) == []


# ------------------------------------------------------------------------------------- the CLI


@pytest.fixture
def graph_file(ds: Dataset, tmp_path: Path) -> Path:
    path = tmp_path / "kg.trig"
    export_graph(ds, format="trig", destination=path)
    return path


def run(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_kg_timeline_prints_the_events_in_order(graph_file: Path) -> None:
    out = run("timeline", "Acme", graph_file)
    assert out.exit_code == 0, out.output  # type: ignore[attr-defined]
    text = out.stdout  # type: ignore[attr-defined]
    assert text.startswith("Acme (Company): 5 dated statements")
    order = [
        "2019        Acme operatesIn France  (start 2019)",
        "2021-01     Department of Defense sanctions Acme  (date 2021-01)",
        "2021-03-15  District Court liftsSanctionOn Acme  (date 2021-03-15)",
        "2021-05     Department of Defense liftsSanctionOn Acme  (date 2021-05)",
    ]
    positions = [text.index(line) for line in order]
    assert positions == sorted(positions)
    assert "“On 15 March the judge ordered its provisional removal.”" in text
    assert "d2 · 2021-06-01 · confidence 0.8" in text
    data = json.loads(run("timeline", "Acme", graph_file, "-f", "json").stdout)  # type: ignore[attr-defined]
    assert [e["when"] for e in data["events"]] == [
        "2019",
        "2021-01",
        "2021-03-15",
        "2021-04",
        "2021-05",
    ]


def test_kg_conflicts_prints_both_sources(graph_file: Path) -> None:
    out = run("conflicts", graph_file)
    assert out.exit_code == 0, out.output  # type: ignore[attr-defined]
    text = out.stdout  # type: ignore[attr-defined]
    assert text.startswith("4 conflicts:")
    assert "[order] Globex: a sanction lifted before any was imposed" in text
    assert "  lifted by District Court, 2019 — d3 (2021-07-01)" in text
    assert "    “Globex was cleared in 2019.”" in text
    data = json.loads(run("conflicts", graph_file, "-f", "json").stdout)  # type: ignore[attr-defined]
    assert sorted(c["kind"] for c in data) == ["figure", "figure", "order", "status"]


@pytest.mark.model
def test_kg_timeline_xiaomi_lists_the_sample_dated_events_in_order(sample_build: Path) -> None:
    graph = load_graph(sample_build / "kg.trig")
    line = timeline(graph, "Xiaomi")
    assert line.events
    starts = [date_range(e.when)[0] for e in line.events]  # type: ignore[index]
    assert starts == sorted(starts)
    for event in line.events:
        st = event.statement
        assert event.when in {st.date, st.start, st.end}
        assert st.evidence and st.document is not None
    out = run("timeline", "Xiaomi", sample_build / "kg.trig")
    assert out.exit_code == 0, out.output  # type: ignore[attr-defined]
    text = out.stdout  # type: ignore[attr-defined]
    assert text.startswith(f"Xiaomi (Company): {len(line.events)} dated statement")
    positions = [text.index(f"\n{e.when:<10}  ") for e in line.events]
    assert positions == sorted(positions)
