"""kg.ontology: the Python view matches the Turtle, the lexicon and gazetteer are sound."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import OntologyError
from kg.gazetteer import Gazetteer, GazetteerEntry, gazetteer_paths, load_gazetteer
from kg.ontology import (
    CORE_PREDICATES,
    ENTITY_CLASSES,
    KGO,
    KGO_IRI,
    SIGNATURES,
    SYMMETRIC_PREDICATES,
    WD_IRI,
    Trigger,
    load_lexicon,
    normalize_name,
    ontology_dir,
    ontology_graph,
    parse_trigger,
)
from kg.types import COARSE_CLASSES

# Plain namespaces: pytest's doctest finder trips over rdflib's DefinedNamespace objects.
K = Namespace(KGO_IRI)

ALIGNMENT_NAMESPACES = (
    "https://schema.org/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/org#",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2004/02/skos/core#",
    KGO_IRI,
)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, K.Metric, K.Status)


@pytest.fixture(scope="module")
def kgo() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "kgo.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def lexicon_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "lexicon.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def gazetteer_graph() -> Graph:
    graph = Graph()
    for path in gazetteer_paths():
        graph.parse(path, format="turtle")
    return graph


def local(term: object) -> str:
    return str(term).removeprefix(KGO_IRI)


def declared_terms() -> set[str]:
    return {name for name in KGO.__annotations__ if not name.startswith("_")}


# ------------------------------------------------------------------------- Python view = Turtle


def test_every_declared_term_is_described_in_kgo_ttl(kgo: Graph) -> None:
    subjects = {local(s) for s in kgo.subjects() if str(s).startswith(KGO_IRI)}
    missing = declared_terms() - subjects
    assert not missing, f"declared on KGO but not in kgo.ttl: {sorted(missing)}"


def test_every_term_defined_in_kgo_ttl_is_declared_on_kgo(kgo: Graph) -> None:
    defined = {
        local(s)
        for t in TERM_TYPES
        for s in kgo.subjects(RDF.type, t)
        if str(s).startswith(KGO_IRI)
    }
    assert defined, "kgo.ttl defines no terms?"
    missing = defined - declared_terms()
    assert not missing, f"in kgo.ttl but not declared on KGO: {sorted(missing)}"


def test_kgo_namespace_fails_on_a_typo() -> None:
    assert str(KGO.worksFor) == KGO_IRI + "worksFor"
    with pytest.raises(AttributeError):
        _ = KGO.workFor


def test_ontology_graph_is_the_shipped_file(kgo: Graph) -> None:
    assert len(ontology_graph()) == len(kgo)


def test_the_python_class_lists_name_kgo_classes(kgo: Graph) -> None:
    classes = {local(s) for s in kgo.subjects(RDF.type, OWL.Class)}
    assert set(ENTITY_CLASSES) <= classes
    assert {fine for fines in COARSE_CLASSES.values() for fine in fines} <= classes


def test_entity_class_hierarchy_matches_the_coarse_classes(kgo: Graph) -> None:
    """Each fine class of kg.types.COARSE_CLASSES is (transitively) below its coarse class."""
    for coarse, fines in COARSE_CLASSES.items():
        for fine in fines:
            ancestors = set(kgo.transitive_objects(K[fine], RDFS.subClassOf))
            assert K[coarse] in ancestors, f"{fine} is not below {coarse} in kgo.ttl"


# ------------------------------------------------------------------------------ core predicates


def test_there_are_fifteen_distinct_core_predicates() -> None:
    assert len(CORE_PREDICATES) == 15 == len(set(CORE_PREDICATES))
    assert set(SIGNATURES) == set(CORE_PREDICATES)


@pytest.mark.parametrize("predicate", CORE_PREDICATES)
def test_core_predicate_is_fully_described(kgo: Graph, predicate: str) -> None:
    term = K[predicate]
    assert (term, RDF.type, OWL.ObjectProperty) in kgo
    for prop in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
        values = list(kgo.objects(term, prop))
        assert values, f"kgo:{predicate} has no {prop}"
    for prop in (RDFS.label, RDFS.comment):
        assert all(isinstance(v, Literal) and str(v).strip() for v in kgo.objects(term, prop))


@pytest.mark.parametrize("predicate", CORE_PREDICATES)
def test_core_predicate_domain_and_range_agree_with_the_signature(
    kgo: Graph, predicate: str
) -> None:
    """The Python signature is never looser than what kgo.ttl says (domain/range are supersets)."""
    subjects, objects = SIGNATURES[predicate]
    domain = {local(d) for d in kgo.objects(K[predicate], RDFS.domain)}
    rng = {local(r) for r in kgo.objects(K[predicate], RDFS.range)}
    for allowed, declared in ((subjects, domain), (objects, rng)):
        for cls in allowed:
            ancestors = {local(a) for a in kgo.transitive_objects(K[cls], RDFS.subClassOf)}
            assert ancestors & declared, f"{predicate}: {cls} is outside {declared}"


def test_partners_with_and_competes_with_are_symmetric(kgo: Graph) -> None:
    symmetric = {local(s) for s in kgo.subjects(RDF.type, OWL.SymmetricProperty)}
    assert {"partnersWith", "competesWith"} <= symmetric
    assert set(SYMMETRIC_PREDICATES) == {"partnersWith", "competesWith"}
    assert not (symmetric & set(CORE_PREDICATES)) - SYMMETRIC_PREDICATES


# -------------------------------------------------------------------------- classes are aligned


def _classes() -> list[object]:
    graph = ontology_graph()
    names = sorted(
        local(c) for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(KGO_IRI)
    )
    return names


@pytest.mark.parametrize("name", _classes())
def test_every_class_is_aligned_to_a_standard_vocabulary_or_a_kgo_class(
    kgo: Graph, name: str
) -> None:
    cls = K[name]
    parents = list(kgo.objects(cls, RDFS.subClassOf)) + list(kgo.objects(cls, OWL.equivalentClass))
    assert parents, f"kgo:{name} is not aligned"
    assert all(str(p).startswith(ALIGNMENT_NAMESPACES) for p in parents)
    assert all(p != cls for p in parents)


def test_every_class_has_a_label_and_a_comment(kgo: Graph) -> None:
    for cls in kgo.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(KGO_IRI):
            continue
        assert kgo.value(cls, RDFS.label) is not None, cls
        assert kgo.value(cls, RDFS.comment) is not None, cls


def test_metrics_and_statuses_are_individuals_with_labels(kgo: Graph) -> None:
    statuses = {local(s) for s in kgo.subjects(RDF.type, K.Status)}
    assert statuses == {"Planned", "Ongoing", "Ended"}
    metrics = set(kgo.subjects(RDF.type, K.Metric))
    assert K.marketShare in metrics
    assert all(kgo.value(m, RDFS.label) is not None for m in metrics)


# -------------------------------------------------------------------------------------- lexicon

TRIGGER_PROPS = ("verb", "verbPrep", "noun", "adjective")


def test_lexicon_triggers_all_name_core_predicates(lexicon_graph: Graph) -> None:
    subjects = {local(s) for prop in TRIGGER_PROPS for s in lexicon_graph.subjects(K[prop], None)}
    assert subjects, "lexicon.ttl has no triggers"
    assert subjects <= set(CORE_PREDICATES), sorted(subjects - set(CORE_PREDICATES))


def test_every_core_predicate_but_plans_to_enter_has_triggers() -> None:
    lexicon = load_lexicon()
    with_triggers = {t.predicate for ts in lexicon.triggers.values() for t in ts}
    with_triggers |= {t.predicate for t in lexicon.suffixes}
    # plansToEnter is read from operatesIn triggers under a planning cue.
    assert set(CORE_PREDICATES) - with_triggers == {"plansToEnter"}


def test_loaded_lexicon_indexes_triggers_by_lemma() -> None:
    lexicon = load_lexicon()
    assert any(t.predicate == "sanctions" and t.kind == "verb" for t in lexicon.triggers["ban"])
    assert any(
        t.predicate == "partnersWith" and t.particle == "up" for t in lexicon.triggers["tie"]
    )
    assert {(t.predicate, t.lemma) for t in lexicon.suffixes} >= {("basedIn", "based")}
    assert all(not t.suffix for ts in lexicon.triggers.values() for t in ts)


def test_cue_sets_are_read() -> None:
    lexicon = load_lexicon()
    assert {"aim", "plan"} <= lexicon.cue("planning")
    assert {"stop", "collapse"} <= lexicon.cue("ending")
    assert {"could", "might"} <= lexicon.cue("hedging")
    assert "not" in lexicon.cue("negation")
    assert lexicon.cue("no-such-cue-set") == frozenset()


def test_descriptors_and_name_words_map_to_entity_classes() -> None:
    lexicon = load_lexicon()
    assert lexicon.descriptors["research firm"] == "ResearchFirm"
    assert lexicon.descriptors["court"] == "Court"
    assert lexicon.name_words["Court"] == "Court"
    assert lexicon.name_words["Ministry"] == "GovernmentAgency"
    assert set(lexicon.descriptors.values()) <= set(ENTITY_CLASSES)
    assert set(lexicon.name_words.values()) <= set(ENTITY_CLASSES)


def test_lexicon_base_confidences_are_in_the_unit_interval() -> None:
    confidence = load_lexicon().confidence
    assert set(confidence) <= set(CORE_PREDICATES)
    assert all(0 < c <= 1 for c in confidence.values())


# -------------------------------------------------------------------------------- parse_trigger


@pytest.mark.parametrize(
    "predicate,kind,text,expected",
    [
        (
            "partnersWith",
            "verbPrep",
            "tie up with",
            Trigger("partnersWith", "verbPrep", "tie", "up", "with"),
        ),
        ("sanctions", "verb", "ban", Trigger("sanctions", "verb", "ban")),
        (
            "operatesIn",
            "verbPrep",
            "expand into",
            Trigger("operatesIn", "verbPrep", "expand", None, "into"),
        ),
        (
            "partnersWith",
            "verbPrep",
            "join forces with",
            Trigger("partnersWith", "verbPrep", "join", "forces", "with"),
        ),
        ("worksFor", "noun", "chairman of", Trigger("worksFor", "noun", "chairman", None, "of")),
        ("partnersWith", "noun", "relationship", Trigger("partnersWith", "noun", "relationship")),
        ("basedIn", "adjective", "based in", Trigger("basedIn", "adjective", "based", None, "in")),
        ("basedIn", "adjective", "-based", Trigger("basedIn", "adjective", "based", suffix=True)),
        (
            "basedIn",
            "adjective",
            "-headquartered",
            Trigger("basedIn", "adjective", "headquartered", suffix=True),
        ),
        (
            "sues",
            "verbPrep",
            "File Suit Against",
            Trigger("sues", "verbPrep", "file", "suit", "against"),
        ),
        (
            "operatesIn",
            "verbPrep",
            "do business in",
            Trigger("operatesIn", "verbPrep", "do", "business", "in"),
        ),
    ],
)
def test_parse_trigger(predicate: str, kind: str, text: str, expected: Trigger) -> None:
    assert parse_trigger(predicate, kind, text) == expected


def test_parse_trigger_a_single_preposition_word_is_the_lemma() -> None:
    # A one-word entry is never read as a bare preposition.
    assert parse_trigger("worksFor", "verb", "head") == Trigger("worksFor", "verb", "head")


# ------------------------------------------------------------------------------------ gazetteer


def test_no_surface_form_is_an_alt_label_of_two_entries(gazetteer_graph: Graph) -> None:
    owners: dict[str, set[object]] = defaultdict(set)
    for subject, label in gazetteer_graph.subject_objects(SKOS.altLabel):
        owners[str(label)].add(subject)
    shared = {form: sorted(map(str, s)) for form, s in owners.items() if len(s) > 1}
    assert not shared, shared


def test_no_alt_label_is_another_entrys_label(gazetteer_graph: Graph) -> None:
    labels: dict[str, set[object]] = defaultdict(set)
    for subject, label in gazetteer_graph.subject_objects(RDFS.label):
        labels[str(label)].add(subject)
    clashes = [
        (str(label), str(subject))
        for subject, label in gazetteer_graph.subject_objects(SKOS.altLabel)
        if labels.get(str(label), set()) - {subject}
    ]
    assert not clashes, clashes[:10]


def test_every_same_as_is_a_wikidata_entity(gazetteer_graph: Graph) -> None:
    links = list(gazetteer_graph.subject_objects(OWL.sameAs))
    assert links, "the gazetteer links nothing to Wikidata"
    for subject, target in links:
        assert isinstance(target, URIRef)
        assert str(target).startswith(WD_IRI), (subject, target)
        assert re.fullmatch(r"Q\d+", str(target).removeprefix(WD_IRI)), (subject, target)


def test_no_two_entries_share_a_wikidata_item(gazetteer_graph: Graph) -> None:
    owners: dict[str, set[object]] = defaultdict(set)
    for subject, target in gazetteer_graph.subject_objects(OWL.sameAs):
        owners[str(target)].add(subject)
    assert not {q: s for q, s in owners.items() if len(s) > 1}


def test_every_gazetteer_entry_has_one_label_and_an_entity_class(gazetteer_graph: Graph) -> None:
    classes = {K[c] for c in ENTITY_CLASSES}
    for subject in set(gazetteer_graph.subjects(RDFS.label, None)):
        assert len(list(gazetteer_graph.objects(subject, RDFS.label))) == 1, subject
        assert set(gazetteer_graph.objects(subject, RDF.type)) & classes, subject


def test_gazetteer_country_links_point_at_countries() -> None:
    gaz = load_gazetteer()
    for entry in gaz.entries.values():
        if entry.country is not None:
            assert entry.country in gaz.entries, (entry.key, entry.country)
            assert gaz.entries[entry.country].cls == "Country", (entry.key, entry.country)


def test_loaded_gazetteer_knows_well_known_things() -> None:
    gaz = load_gazetteer()
    [nokia] = gaz.lookup("Nokia")
    assert (nokia.cls, nokia.wikidata) == ("Company", "Q1418")
    assert [e.key for e in gaz.lookup("Nokia Corp")] == [nokia.key]
    assert [e.cls for e in gaz.lookup("France")] == ["Country"]


def test_lookup_matches_normalised_forms() -> None:
    gaz = Gazetteer.from_entries(
        [
            GazetteerEntry("acme", "Company", "Acme Corp", ("Acme",)),
            GazetteerEntry("ruritania", "Country", "Ruritania", demonyms=("Ruritanian",)),
        ]
    )
    assert [e.key for e in gaz.lookup("the ACME’s")] == ["acme"]
    assert [e.key for e in gaz.lookup("Ruritanian")] == ["ruritania"]
    assert gaz.lookup("Globex") == ()


def test_ambiguous_names_index_every_entry() -> None:
    gaz = Gazetteer.from_entries(
        [
            GazetteerEntry(
                "mod-a",
                "GovernmentAgency",
                "Ministry of Defence of A",
                ambiguous=("Ministry of Defence",),
            ),
            GazetteerEntry(
                "mod-b",
                "GovernmentAgency",
                "Ministry of Defence of B",
                ambiguous=("Ministry of Defence",),
            ),
        ]
    )
    assert [e.key for e in gaz.lookup("Ministry of Defence")] == ["mod-a", "mod-b"]


def test_located_in_is_transitive_and_carries_based_in() -> None:
    graph = ontology_graph()
    assert (K.locatedIn, RDF.type, OWL.TransitiveProperty) in graph
    for prop in (K.basedIn, K.livesIn, K.operatesIn):
        chains = [list(Collection(graph, c)) for c in graph.objects(prop, OWL.propertyChainAxiom)]
        assert chains == [[prop, K.locatedIn]], prop


def test_a_missing_user_gazetteer_is_an_ontology_error(tmp_path: object) -> None:
    with pytest.raises(OntologyError, match="no such gazetteer file"):
        load_gazetteer([f"{tmp_path}/missing.ttl"])


def test_a_broken_user_gazetteer_is_an_ontology_error(tmp_path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("this is not turtle .", encoding="utf-8")
    with pytest.raises(OntologyError, match="not valid Turtle"):
        load_gazetteer([path])


def test_a_user_gazetteer_adds_entries(tmp_path) -> None:
    path = tmp_path / "extra.ttl"
    path.write_text(
        "@prefix kgo: <https://w3id.org/kg-builder/ontology#> .\n"
        "@prefix kgg: <https://w3id.org/kg-builder/gazetteer/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "kgg:zorblax-industries a kgo:Company ;\n"
        '    rdfs:label "Zorblax Industries" ; skos:altLabel "Zorblax" .\n',
        encoding="utf-8",
    )
    gaz = load_gazetteer([path])
    assert [e.label for e in gaz.lookup("Zorblax")] == ["Zorblax Industries"]
    assert load_gazetteer().lookup("Zorblax") == ()


# -------------------------------------------------------------- normalize_name (GOLD.md rule 1)


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Xiaomi", "xiaomi"),
        ("  The Pentagon’s ", "pentagon"),
        ("the Pentagon's", "pentagon"),
        ("THE WALL STREET JOURNAL", "wall street journal"),
        ("Wall  Street\tJournal\n", "wall street journal"),
        ("AT&T", "at&t"),
        ("Straße", "strasse"),  # case folding, not lower()
        ("ＡＢＣ", "abc"),  # NFKC: full-width letters
        ("Theranos", "theranos"),  # "the" only as a separate word
        ("Other", "other"),
        ("the", "the"),  # nothing follows: not a leading article
        ("Lei Jun", "lei jun"),
    ],
)
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@given(st.text(max_size=40))
def test_normalize_name_output_is_trimmed_folded_and_single_spaced(name: str) -> None:
    result = normalize_name(name)
    assert result == result.strip()
    assert "  " not in result
    assert not re.search(r"\s{2,}|[\t\n\r]", result)
    assert not result.startswith("the ")


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
def test_normalize_name_ignores_ascii_case(name: str) -> None:
    assert normalize_name(name.upper()) == normalize_name(name.lower())


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=30))
def test_normalize_name_agrees_with_the_scorer(name: str) -> None:
    """The builder's key equals the scorer's (kg.eval) on names ending in a letter or digit."""
    from kg.eval import normalize_name as scorer_key

    if not name.strip() or not name.strip()[-1].isalnum():
        return
    assert normalize_name(name) == scorer_key(name)
