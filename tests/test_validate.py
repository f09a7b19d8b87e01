"""kg.graph.validate: the shapes of the contract, kg validate, and the quarantine of kg build."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from checked_blocks import checked_blocks
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import SH
from typer.testing import CliRunner

from kg.build.outputs import write_outputs
from kg.build.resolution import BuildResult
from kg.cli import app
from kg.graph.assemble import graph_blocks
from kg.graph.export import export_graph
from kg.graph.records import graph_prefixes
from kg.graph.validate import (
    SHAPES_IRI,
    CompiledShapes,
    format_report,
    quarantine_graph,
    quarantined,
    shapes_graph,
    validate_graph,
)
from kg.ontology import CORE_PREDICATES, KGO_IRI, KGR_IRI, ontology_graph
from kg.rdf.load import load_graph
from kg.rdf.trig import turtle_prefixes
from kg.types import Article, Entity, Extraction, Mention, RelationCandidate, Resolved

K = Namespace(KGO_IRI)
R = Namespace(KGR_IRI)
S = Namespace(SHAPES_IRI)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD warns when pytest inspects it

PREFIXES = turtle_prefixes(graph_prefixes())  # the TriG header of the graphs below

#: A small graph that honours the contract: two entities, one document, one statement.
GOOD = (
    PREFIXES
    + """
{
kgr:acme a kgo:Company ; rdfs:label "Acme" .
kgr:paris a kgo:City ; rdfs:label "Paris" .
kgr:jo a kgo:Person ; rdfs:label "Jo Bloggs" .
}
kgr:graph\\/d1 {
kgr:doc\\/d1 a kgo:Document ; dcterms:identifier "d1" .
kgr:acme kgo:basedIn kgr:paris ; kgo:mentionedIn kgr:doc\\/d1 .
kgr:paris kgo:mentionedIn kgr:doc\\/d1 .
kgr:jo kgo:worksFor kgr:acme ; kgo:mentionedIn kgr:doc\\/d1 .
kgr:st1 a kgo:Statement ; rdf:subject kgr:acme ; rdf:predicate kgo:basedIn ;
    rdf:object kgr:paris ; prov:wasDerivedFrom kgr:doc\\/d1 ;
    kgo:evidence "Acme is based in Paris." ; kgo:evidenceStart 0 ; kgo:evidenceEnd 23 ;
    kgo:confidence 0.9 ; kgo:startDate "2018-04"^^xsd:gYearMonth .
kgr:st2 a kgo:Statement ; rdf:subject kgr:jo ; rdf:predicate kgo:worksFor ;
    rdf:object kgr:acme ; prov:wasDerivedFrom kgr:doc\\/d1 ;
    kgo:evidence "Jo Bloggs chairs Acme." ; kgo:evidenceStart 24 ; kgo:evidenceEnd 46 ;
    kgo:confidence 0.8 ; kgo:role "Chairman" .
kgr:obs1 a kgo:Observation ; kgo:observedEntity kgr:acme ; kgo:metric kgo:marketShare ;
    kgo:value 30.3 ; kgo:unit "percent" ; kgo:period "2018-Q1" ;
    prov:wasDerivedFrom kgr:doc\\/d1 ; kgo:evidence "Acme holds 30.3 percent." ;
    kgo:evidenceStart 47 ; kgo:evidenceEnd 71 ; kgo:confidence 0.7 .
}
"""
)


def dataset(text: str = GOOD) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(data=text, format="trig")
    return ds


def broken(change: str) -> Dataset:
    """The good graph with one thing broken on purpose."""
    ds = dataset()
    doc = ds.graph(R["graph/d1"])
    if change == "missing label":
        ds.default_graph.remove((R.acme, RDFS.label, None))
    elif change == "wrong classes":
        doc.add((R.acme, K.worksFor, R.paris))  # a company does not work for a city
    elif change == "confidence 2":
        doc.set((R.st1, K.confidence, Literal("2.0", datatype=XSD.decimal)))
    else:
        raise AssertionError(change)
    return ds


def blocks_of(ds: Dataset) -> list[tuple[URIRef | None, list]]:
    """A dataset as (graph name, triples) blocks, the default graph first."""
    blocks: list[tuple[URIRef | None, list]] = [(None, sorted(ds.default_graph))]
    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g):
            blocks.append((g.identifier, sorted(g)))  # type: ignore[arg-type]
    return blocks


def as_dataset(blocks: list[tuple[URIRef | None, list]]) -> Dataset:
    ds = Dataset(default_union=True)
    for name, triples in blocks:
        target = ds.default_graph if name is None else ds.graph(name)
        for t in triples:
            target.add(t)
    return ds


# ---------------------------------------------------------------------------- the shapes file


def test_the_shapes_parse_and_every_shape_has_a_message() -> None:
    shapes = shapes_graph()
    for shape in set(shapes.subjects(RDF.type, SH.PropertyShape)):
        assert shapes.value(shape, SH.message) is not None, shape
    assert (S.Statement, SH.targetClass, K.Statement) in shapes


@pytest.mark.parametrize("predicate", CORE_PREDICATES)
def test_domain_and_range_shapes_are_those_of_kgo_ttl(predicate: str) -> None:
    kgo, shapes = ontology_graph(), shapes_graph()
    domain, range_ = S[f"{predicate}Domain"], S[f"{predicate}Range"]
    assert (domain, SH.targetSubjectsOf, K[predicate]) in shapes
    assert set(shapes.objects(domain, SH["class"])) == set(kgo.objects(K[predicate], RDFS.domain))
    assert (range_, SH.path, K[predicate]) in shapes
    assert set(shapes.objects(range_, SH["class"])) == set(kgo.objects(K[predicate], RDFS.range))
    assert (domain, SH.property, range_) in shapes


def test_the_ontology_graph_itself_breaks_no_shape() -> None:
    assert validate_graph(ontology_graph()).conforms


def test_the_shipped_shapes_compile() -> None:
    compiled = CompiledShapes(shapes_graph())
    nodes = {ns.shape.node for ns in compiled.node_shapes}
    assert nodes == set(shapes_graph().subjects(RDF.type, SH.NodeShape))
    # a domain shape per core predicate; entities, documents, statements, observations, facts
    assert len(nodes) == len(CORE_PREDICATES) + 5


# ------------------------------------------------------------------------------ validate_graph


def test_a_graph_that_honours_the_contract_conforms() -> None:
    for engine in ("pyshacl", "compiled"):
        report = validate_graph(dataset(), engine=engine)
        assert report.conforms, format_report(report)
        assert report.triples == len(dataset())


@pytest.mark.parametrize(
    "change,rule,focus,path,value",
    [
        ("missing label", "kgs:EntityLabel", R.acme, RDFS.label, None),
        ("wrong classes", "kgs:worksForDomain", R.acme, None, R.acme),
        (
            "confidence 2",
            "kgs:Confidence",
            R.st1,
            K.confidence,
            Literal("2.0", datatype=XSD.decimal),
        ),
    ],
)
def test_graphs_broken_on_purpose_fail_naming_node_and_rule(
    change: str, rule: str, focus: URIRef, path: URIRef | None, value: object
) -> None:
    report = validate_graph(broken(change))
    assert not report.conforms
    found = [(v.rule, v.focus, v.path, v.value) for v in report.violations]
    assert (rule, focus, path, value) in found
    text = format_report(report, source="broken.trig")
    assert text.startswith("broken.trig does not conform:")
    assert rule in text
    assert str(focus) in text


def test_a_relation_between_wrong_classes_also_breaks_the_range() -> None:
    rules = {v.rule for v in validate_graph(broken("wrong classes")).violations}
    assert rules == {"kgs:worksForDomain", "kgs:worksForRange"}


def test_the_report_names_labels_and_missing_values() -> None:
    text = format_report(validate_graph(broken("missing label")))
    assert "kgs:EntityLabel: an entity has exactly one rdfs:label" in text
    assert f"<{R.acme}>  rdfs:label  (missing)" in text
    text = format_report(validate_graph(broken("wrong classes")))
    assert f"Paris <{R.paris}>" in text  # the value at fault, with its name


@pytest.mark.parametrize("change", ["missing label", "wrong classes", "confidence 2"])
def test_the_compiled_shapes_report_what_pyshacl_reports(change: str) -> None:
    ds = broken(change)
    slow = validate_graph(ds, engine="pyshacl").violations
    fast = validate_graph(ds, engine="compiled").violations
    assert fast == slow


def test_the_compiled_shapes_agree_with_pyshacl_on_many_kinds_of_breakage() -> None:
    ds = dataset()
    doc = ds.graph(R["graph/d1"])
    doc.remove((R.st2, K.evidence, None))  # MinCount
    doc.add((R.st2, K.evidenceStart, Literal(99)))  # MaxCount and LessThan
    doc.set((R.obs1, K.value, Literal("lots")))  # Datatype
    doc.add((R.obs1, K.unit, Literal("")))  # MinLength, MaxCount
    doc.set((R.st1, K.startDate, Literal("spring")))  # Pattern
    doc.add((R.st1, K.status, K.marketShare))  # In
    doc.set((R.obs1, K.metric, R.paris))  # Class
    doc.set((R.st2, K.confidence, Literal("-0.5", datatype=XSD.decimal)))  # MinInclusive
    ds.default_graph.add((R.paris, RDFS.label, Literal("Paname")))  # MaxCount on a label
    slow = validate_graph(ds, engine="pyshacl").violations
    fast = validate_graph(ds, engine="compiled").violations
    assert len(slow) >= 10
    assert fast == slow


def test_inferred_triples_are_not_checked() -> None:
    ds = dataset()
    inferred = ds.graph(URIRef(KGR_IRI + "graph/inferred"))
    inferred.add((R.acme, RDF.type, K.Organization))  # a second type: fine when inferred
    assert validate_graph(ds).conforms


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        validate_graph(Graph(), engine="fast")


# ----------------------------------------------------------------------------- the quarantine


def test_a_graph_that_conforms_streams_through_unchanged() -> None:
    blocks = blocks_of(dataset())
    out = list(checked_blocks(blocks))
    assert [name for name, _ in out] == [R["graph/d1"], None]  # the default graph comes last
    assert dict(out) == dict(blocks)


@pytest.mark.parametrize("change", ["wrong classes", "confidence 2"])
def test_the_bad_triples_of_a_broken_graph_land_in_the_quarantine(change: str) -> None:
    seen: list = []
    out = as_dataset(list(checked_blocks(blocks_of(broken(change)), on_quarantine=seen.append)))
    assert validate_graph(out).conforms
    records = quarantined(out)
    assert records and len(records) == len(seen)
    held = {r.triple for r in records}
    kept = set(out.graph(R["graph/d1"]))
    if change == "wrong classes":
        assert held == {(R.acme, K.worksFor, R.paris)}
        reasons = " ".join(records[0].reasons)
        assert "the subject of kgo:worksFor must be a kgo:Person" in reasons
        assert "the object of kgo:worksFor must be a kgo:Organization" in reasons
    else:
        # the statement goes whole, with the relation triple it qualifies
        assert (R.acme, K.basedIn, R.paris) in held
        assert (R.st1, K.confidence, Literal("2.0", datatype=XSD.decimal)) in held
        assert (R.st1, RDF.type, K.Statement) in held
        assert not any(t[0] == R.st1 for t in kept)
        assert all(S.Confidence in r.rules for r in records)
    assert not held & kept
    # everything else is kept
    assert (R.jo, K.worksFor, R.acme) in kept
    assert (R.st2, RDF.type, K.Statement) in kept
    assert {r.graph for r in records} == {R["graph/d1"]}


def test_quarantined_triples_are_not_asserted_anywhere() -> None:
    out = as_dataset(list(checked_blocks(blocks_of(broken("wrong classes")))))
    assert (R.acme, K.worksFor, R.paris) not in out
    q = out.graph(quarantine_graph())
    record = next(q.subjects(RDF.type, K.QuarantinedTriple))
    assert q.value(record, K.tripleSubject) == R.acme
    assert q.value(record, K.triplePredicate) == K.worksFor
    assert q.value(record, K.tripleObject) == R.paris
    assert q.value(record, K.quarantinedFrom) == R["graph/d1"]
    assert (record, K.violates, S.worksForDomain) in q


def test_an_entity_without_a_label_is_set_aside_with_what_documents_say_of_it() -> None:
    out = as_dataset(list(checked_blocks(blocks_of(broken("missing label")))))
    assert validate_graph(out).conforms
    held = {(r.graph, r.triple) for r in quarantined(out)}
    assert (None, (R.acme, RDF.type, K.Company)) in held
    assert (R["graph/d1"], (R.acme, K.mentionedIn, R["doc/d1"])) in held
    assert (R["graph/d1"], (R.acme, K.basedIn, R.paris)) in held
    assert (R["graph/d1"], (R.jo, K.worksFor, R.acme)) in held  # Acme is no organization now
    assert (R.paris, RDFS.label, Literal("Paris")) in out  # the rest stays


def test_the_quarantine_is_deterministic() -> None:
    runs = [
        export_graph(
            as_dataset(list(checked_blocks(blocks_of(broken("confidence 2"))))), format="nquads"
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


# ---------------------------------------------------------------------- kg build (write_outputs)

TEXT = "Lei Jun chairs Xiaomi. Xiaomi is based in Beijing."


def result(*, wrong: bool) -> BuildResult:
    mentions = (
        Mention(0, 7, "Lei Jun", "Person"),
        Mention(15, 21, "Xiaomi", "Company"),
        Mention(23, 29, "Xiaomi", "Company"),
        Mention(42, 49, "Beijing", "City"),
    )
    relations = (
        RelationCandidate(0, 1, "worksFor", 0.8, (0, 22)),
        # on purpose: a city cannot employ anybody, so it breaks kgo:worksFor's range
        RelationCandidate(0, 3, "worksFor", 0.6, (0, 50)) if wrong else None,
        RelationCandidate(2, 3, "basedIn", 0.9, (23, 50)),
    )
    ex = Extraction(
        Article("d1", TEXT, date="2020-01-02"), mentions, tuple(r for r in relations if r)
    )
    ents = [
        Entity("person/lei-jun", "Lei Jun", "Person", docs=("d1",)),
        Entity("organization/xiaomi", "Xiaomi", "Company", docs=("d1",)),
        Entity("place/beijing", "Beijing", "City", docs=("d1",)),
    ]
    ids = ("person/lei-jun", "organization/xiaomi", "organization/xiaomi", "place/beijing")
    return BuildResult(ents, [Resolved(ex, ids)])


def test_a_build_of_good_records_has_no_quarantine(tmp_path: Path) -> None:
    write_outputs(result(wrong=False), tmp_path, html=False)
    written = load_graph(tmp_path / "kg.trig")
    assert len(written.graph(quarantine_graph())) == 0
    assert validate_graph(written).conforms
    unchecked = tmp_path / "unchecked"
    write_outputs(result(wrong=False), unchecked, html=False, validate=False)
    assert sorted((tmp_path / "kg.ttl").read_text().splitlines()) == sorted(
        (unchecked / "kg.ttl").read_text().splitlines()
    )


def test_a_build_sets_a_relation_between_wrong_classes_aside(tmp_path: Path) -> None:
    seen: list = []
    write_outputs(result(wrong=True), tmp_path, html=False, on_quarantine=seen.append)
    written = load_graph(tmp_path / "kg.trig")
    bad = (R["person/lei-jun"], K.worksFor, R["place/beijing"])
    assert bad not in written
    assert bad in {r.triple for r in quarantined(written)}
    assert (R["person/lei-jun"], K.worksFor, R["organization/xiaomi"]) in written
    assert validate_graph(written).conforms
    assert seen
    # the Turtle file (the union) holds no trace of it as a fact either
    turtle = Graph().parse(tmp_path / "kg.ttl")
    assert bad not in turtle
    unchecked = tmp_path / "unchecked"
    write_outputs(result(wrong=True), unchecked, html=False, validate=False)
    assert bad in load_graph(unchecked / "kg.trig")


@pytest.mark.model
def test_the_sample_build_conforms_and_has_an_empty_quarantine(sample_build: Path) -> None:
    written = load_graph(sample_build / "kg.trig")
    assert len(written.graph(quarantine_graph())) == 0
    assert not quarantined(written)
    for engine in ("pyshacl", "compiled"):
        report = validate_graph(written, engine=engine)
        assert report.conforms, format_report(report)


@pytest.mark.model
def test_the_sample_build_is_the_same_with_or_without_checking(
    sample_run: BuildResult, tmp_path: Path
) -> None:
    write_outputs(sample_run, tmp_path / "a", html=False)
    write_outputs(sample_run, tmp_path / "b", html=False, validate=False)
    a = load_graph(tmp_path / "a" / "kg.trig")
    b = load_graph(tmp_path / "b" / "kg.trig")
    assert export_graph(a, format="nquads") == export_graph(b, format="nquads")


# ----------------------------------------------------------------------------------- the CLI


def run(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("change", ["missing label", "wrong classes", "confidence 2"])
def test_kg_validate_fails_readably_on_broken_graphs(change: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.trig"
    export_graph(broken(change), format="trig", destination=path)
    out = run("validate", path)
    assert out.exit_code == 1  # type: ignore[attr-defined]
    text = out.stdout  # type: ignore[attr-defined]
    assert "does not conform" in text
    rule = {"missing label": "kgs:EntityLabel", "wrong classes": "kgs:worksForDomain"}.get(
        change, "kgs:Confidence"
    )
    assert rule in text
    focus = R.st1 if change == "confidence 2" else R.acme
    assert str(focus) in text


def test_kg_validate_passes_on_a_good_graph_and_reports_json(tmp_path: Path) -> None:
    path = tmp_path / "good.trig"
    export_graph(dataset(), format="trig", destination=path)
    out = run("validate", path)
    assert out.exit_code == 0, out.output  # type: ignore[attr-defined]
    assert "conforms" in out.stdout  # type: ignore[attr-defined]
    bad = tmp_path / "bad.trig"
    export_graph(broken("confidence 2"), format="trig", destination=bad)
    out = run("validate", bad, "--format", "json", "--engine", "compiled")
    data = json.loads(out.stdout)  # type: ignore[attr-defined]
    assert data["conforms"] is False
    assert {v["rule"] for v in data["violations"]} == {"kgs:Confidence"}
    assert Decimal(data["violations"][0]["value"]) == 2


def test_kg_validate_lists_the_quarantine(tmp_path: Path) -> None:
    write_outputs(result(wrong=True), tmp_path, html=False)
    out = run("validate", tmp_path / "kg.trig", "--quarantine")
    assert out.exit_code == 0  # type: ignore[attr-defined]
    assert "kgs:worksForRange" in out.stdout  # type: ignore[attr-defined]
    assert str(R["place/beijing"]) in out.stdout  # type: ignore[attr-defined]
    out = run("validate", tmp_path / "kg.trig")
    assert "set aside" in out.stdout  # type: ignore[attr-defined]


def test_kg_validate_of_a_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    out = run("validate", tmp_path / "nope.trig")
    assert out.exit_code == 2  # type: ignore[attr-defined]
    assert "error:" in out.stderr  # type: ignore[attr-defined]


def test_the_graph_of_a_build_is_checked() -> None:
    build = result(wrong=True)
    names = [n for n, _ in graph_blocks(build.entities, build.resolved)]
    assert names[-1] == quarantine_graph()
    assert names[-2] is None
