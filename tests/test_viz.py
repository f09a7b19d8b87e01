"""Tests of the HTML view: reading the graph, safety of the page, determinism, atomic writes."""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS
from typer.testing import CliRunner, Result

from kg.cli import app
from kg.errors import OutputError, QueryError, UnsafeQueryError, ViewSelectionError
from kg.views import (
    DEFAULT_MAX_NODES,
    ViewData,
    graph_to_view,
    limit_view,
    render_html,
    write_html,
)
from kg.views import layout as layout_module
from kg.views.layout import layout

KGO = Namespace("https://w3id.org/kg-builder/ontology#")
KGR = Namespace("https://w3id.org/kg-builder/resource/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD warns when pytest inspects it

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"


# -- building graphs by hand, per the data model -------------------------------------------------


def entity(
    g: Graph, key: str, cls: str, label: str, *aliases: str, doc: str | None = None
) -> URIRef:
    node = KGR[key]
    g.add((node, RDF.type, KGO[cls]))
    g.add((node, RDFS.label, Literal(label)))
    for alias in aliases:
        g.add((node, SKOS.altLabel, Literal(alias)))
    if doc:
        g.add((node, KGO.mentionedIn, KGR[f"doc/{doc}"]))
    return node


def document(g: Graph, doc_id: str, title: str, date: str = "2018-07-04") -> URIRef:
    node = KGR[f"doc/{doc_id}"]
    g.add((node, RDF.type, KGO.Document))
    g.add((node, DCTERMS.identifier, Literal(doc_id)))
    g.add((node, DCTERMS.title, Literal(title)))
    g.add((node, DCTERMS.date, Literal(date, datatype=XSD.date)))
    return node


def relation(
    g: Graph,
    s: URIRef,
    predicate: str,
    o: URIRef,
    *,
    key: str,
    doc: str,
    evidence: str,
    confidence: str = "0.8",
    **qualifiers: object,
) -> URIRef:
    g.add((s, KGO[predicate], o))
    st_node = KGR[f"statement/{key}"]
    g.add((st_node, RDF.type, KGO.Statement))
    g.add((st_node, RDF.subject, s))
    g.add((st_node, RDF.predicate, KGO[predicate]))
    g.add((st_node, RDF.object, o))
    g.add((st_node, PROV.wasDerivedFrom, KGR[f"doc/{doc}"]))
    g.add((st_node, KGO.evidence, Literal(evidence)))
    g.add((st_node, KGO.evidenceStart, Literal(10)))
    g.add((st_node, KGO.evidenceEnd, Literal(10 + len(evidence))))
    g.add((st_node, KGO.confidence, Literal(confidence, datatype=XSD.decimal)))
    for name, value in qualifiers.items():
        g.add((st_node, KGO[name], value if isinstance(value, URIRef) else Literal(value)))
    return st_node


def news_graph() -> Graph:
    """A small graph with every kind of node and qualifier the view draws."""
    g = Graph()
    document(g, "d1", "Phone maker plans US launch")
    document(g, "d2", "Retailer stops selling phones", date="2018-03-22")
    maker = entity(g, "company/acme", "Company", "Acme Phones", "Acme", doc="d1")
    g.add((maker, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q42")))
    rival = entity(g, "company/rival", "Company", "Rival Inc", doc="d1")
    g.add((rival, OWL.sameAs, URIRef("javascript:alert(1)")))
    boss = entity(g, "person/boss", "Person", "Jane Boss", doc="d1")
    city = entity(g, "city/springfield", "City", "Springfield")
    country = entity(g, "country/freedonia", "Country", "Freedonia", "FD")
    shop = entity(g, "company/shop", "Company", "Shop Mart", doc="d2")
    agency = entity(g, "agency/trade", "GovernmentAgency", "Trade Office")
    relation(g, maker, "basedIn", city, key="1", doc="d1", evidence="Acme, based in Springfield.")
    relation(g, city, "locatedIn", country, key="2", doc="d1", evidence="Springfield, Freedonia.")
    relation(
        g,
        boss,
        "worksFor",
        maker,
        key="3",
        doc="d1",
        evidence="Jane Boss, chairman of Acme.",
        role="Chairman",
    )
    relation(
        g,
        maker,
        "plansToEnter",
        country,
        key="4",
        doc="d1",
        evidence="Acme plans to enter.",
        status=KGO.Planned,
        date=Literal("2019", datatype=XSD.gYear),
    )
    relation(
        g,
        shop,
        "sells",
        maker,
        key="5",
        doc="d2",
        evidence="Shop Mart stopped selling Acme.",
        status=KGO.Ended,
        endDate=Literal("2018-03", datatype=XSD.gYearMonth),
    )
    relation(g, maker, "competesWith", rival, key="6", doc="d1", evidence="Acme rivals Rival.")
    relation(g, rival, "competesWith", maker, key="7", doc="d2", evidence="Rival fights Acme.")
    relation(g, agency, "sanctions", rival, key="8", doc="d2", evidence="The office fined Rival.")
    # Things that are not entities: a metric, an observation.
    g.add((KGO.marketShare, RDF.type, KGO.Metric))
    obs = KGR["observation/1"]
    g.add((obs, RDF.type, KGO.Observation))
    g.add((obs, KGO.observedEntity, maker))
    g.add((obs, KGO.metric, KGO.marketShare))
    return g


def hostile_graph() -> Graph:
    """Names, aliases, sentences and titles that try to break out of the page."""
    g = Graph()
    document(g, "d1", SCRIPT)
    a = entity(g, "company/img", "Company", IMG, SCRIPT, doc="d1")
    b = entity(g, "person/script", "Person", SCRIPT, "x & y", doc="d1")
    relation(g, b, "worksFor", a, key="1", doc="d1", evidence=f"{IMG} said {SCRIPT}", role=IMG)
    return g


# -- reading the page ----------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects the tags, inline scripts, styles and meta tags of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            text = "".join(self._text)
            if tag == "script":
                self.scripts.append((self._open[1], text))
            else:
                self.styles.append(text)
            self._open = None

    def meta(self, http_equiv: str) -> str | None:
        for tag, attrs in self.tags:
            if tag == "meta" and (attrs.get("http-equiv") or "").lower() == http_equiv.lower():
                return attrs.get("content")
        return None


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


def legend(html: str, list_id: str) -> list[str]:
    block = re.search(rf'<ul id="{list_id}"[^>]*>(.*?)</ul>', html, re.S)
    assert block
    return re.findall(r'<input type="checkbox" class="[^"]+" value="([^"]*)"', block.group(1))


@pytest.fixture(scope="module")
def news_html() -> str:
    return render_html(news_graph(), title="News")


# -- graph_to_view -------------------------------------------------------------------------------


def test_view_reads_entities_but_not_documents_statements_observations_or_metrics() -> None:
    view = graph_to_view(news_graph())
    labels = {n.label for n in view.nodes}
    assert labels == {
        "Acme Phones",
        "Rival Inc",
        "Jane Boss",
        "Springfield",
        "Freedonia",
        "Shop Mart",
        "Trade Office",
    }
    acme = next(n for n in view.nodes if n.label == "Acme Phones")
    assert acme.cls == "Company"
    assert acme.aliases == ("Acme",)
    assert acme.wikidata == "http://www.wikidata.org/entity/Q42"
    assert [d.title for d in acme.documents] == ["Phone maker plans US launch"]
    assert acme.degree == 5  # basedIn, worksFor, plansToEnter, sells, competesWith (merged)


def test_corroborated_facts_and_quarantined_triples_are_not_drawn_as_entities() -> None:
    graph = news_graph()
    fact, bad = URIRef("https://example.org/fact/1"), URIRef("https://example.org/quarantine/1")
    graph.add((fact, RDF.type, KGO.Fact))
    graph.add((fact, RDFS.label, Literal("a fact")))
    graph.add((bad, RDF.type, KGO.QuarantinedTriple))
    graph.add((bad, RDFS.label, Literal("a quarantined triple")))
    labels = {n.label for n in graph_to_view(graph).nodes}
    assert "a fact" not in labels and "a quarantined triple" not in labels
    assert "Acme Phones" in labels


def test_view_keeps_only_wikidata_iris_as_wikidata_links() -> None:
    view = graph_to_view(news_graph())
    rival = next(n for n in view.nodes if n.label == "Rival Inc")
    assert rival.wikidata is None
    assert rival.same_as == ("javascript:alert(1)",)


def test_view_edges_carry_their_statements() -> None:
    view = graph_to_view(news_graph())
    by_predicate = {e.predicate: e for e in view.edges}
    assert set(by_predicate) == {
        "basedIn",
        "locatedIn",
        "worksFor",
        "plansToEnter",
        "sells",
        "competesWith",
        "sanctions",
    }
    works = by_predicate["worksFor"]
    assert works.source.endswith("person/boss") and works.target.endswith("company/acme")
    (statement,) = works.statements
    assert statement.evidence == "Jane Boss, chairman of Acme."
    assert statement.role == "Chairman"
    assert statement.confidence == pytest.approx(0.8)
    assert statement.evidence_start == 10
    assert statement.document is not None
    assert statement.document.id == "d1"
    assert statement.document.title == "Phone maker plans US launch"
    plan = by_predicate["plansToEnter"].statements[0]
    assert (plan.status, plan.date) == ("planned", "2019")
    assert by_predicate["plansToEnter"].status == "planned"
    ended = by_predicate["sells"]
    assert ended.status == "ended" and ended.statements[0].end == "2018-03"
    assert by_predicate["basedIn"].status is None


def test_symmetric_relations_stated_both_ways_are_one_edge_with_both_statements() -> None:
    view = graph_to_view(news_graph())
    competes = [e for e in view.edges if e.predicate == "competesWith"]
    assert len(competes) == 1
    assert competes[0].symmetric
    assert {s.evidence for s in competes[0].statements} == {
        "Acme rivals Rival.",
        "Rival fights Acme.",
    }


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_view_reads_the_union_of_a_datasets_named_graphs() -> None:
    ds = Dataset()
    flat = news_graph()
    # Entity descriptions in the default graph, statements in one named graph and the
    # direct relation triples in another.
    statements, relations = ds.graph(KGR["graph/d1"]), ds.graph(KGR["graph/d2"])
    for s, p, o in flat:
        if str(s).startswith(str(KGR["statement/"])):
            statements.add((s, p, o))
        elif str(p).startswith(str(KGO)) and p != KGO.mentionedIn:
            relations.add((s, p, o))
        else:
            ds.add((s, p, o))
    assert len(statements) > 0 and len(relations) > 0
    assert graph_to_view(ds) == graph_to_view(flat)


def test_max_nodes_keeps_the_most_connected_entities() -> None:
    # Acme has 5 relations; Freedonia, Rival Inc and Springfield 2 each: ties go by name.
    view = graph_to_view(news_graph(), max_nodes=2)
    assert [n.label for n in view.nodes] == ["Acme Phones", "Freedonia"]
    assert view.hidden == 5
    assert [e.predicate for e in view.edges] == ["plansToEnter"]
    assert all(n.degree == 1 for n in view.nodes)


def test_entity_with_a_coarse_and_a_fine_type_is_drawn_as_the_fine_one() -> None:
    g = Graph()
    node = entity(g, "place/x", "Place", "Xland")
    g.add((node, RDF.type, KGO.Country))
    person = entity(g, "person/y", "Person", "Yves")
    g.add((person, RDF.type, KGO.Entity))
    assert [n.cls for n in graph_to_view(g).nodes] == ["Person", "Country"]


# -- the page is self-contained and safe --------------------------------------------------------


URL_ATTRS = ("src", "href", "srcset", "action", "data", "poster", "formaction", "xlink:href")


def test_page_loads_nothing_from_outside(news_html: str) -> None:
    page = Page(news_html)
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed", "img", "base", "frame"), tag
        for name in URL_ATTRS:
            assert name not in attrs, (tag, name, attrs[name])
    for style in page.styles:
        assert not re.search(r"url\(\s*(?!['\"]?data:)", style), "CSS loads a non-data URL"
        assert "@import" not in style
    assert not re.search(r"<script[^>]*\ssrc\s*=", news_html, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=", news_html, re.I)
    assert not re.search(r"@font-face", news_html, re.I)


def test_page_has_a_strict_content_security_policy(news_html: str) -> None:
    page = Page(news_html)
    csp = page.meta("Content-Security-Policy")
    assert csp is not None
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"
    script_src = directives["script-src"].split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    # The meta tag comes before any script.
    first_script = next(i for i, (t, _) in enumerate(page.tags) if t == "script")
    csp_at = next(i for i, (t, a) in enumerate(page.tags) if t == "meta" and "http-equiv" in a)
    assert csp_at < first_script
    # Every script that runs is allowed by hash; the data block is not a script that runs.
    runnable = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert len(runnable) == 2
    for text in runnable:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert len(script_src) == 2


@pytest.mark.parametrize("needle", [IMG, SCRIPT, "x & y"])
def test_hostile_names_and_sentences_never_appear_unescaped(needle: str) -> None:
    html = render_html(hostile_graph(), title=IMG + SCRIPT)
    assert needle not in html
    assert "alert(1)</script>" not in html
    page = Page(html)
    assert [t for t, _ in page.tags].count("script") == 3
    assert "img" not in [t for t, _ in page.tags]
    # The data survives the escaping intact.
    data = page_data(html)
    assert {n["label"] for n in data["nodes"]} == {IMG, SCRIPT}
    assert data["edges"][0]["statements"][0]["evidence"] == f"{IMG} said {SCRIPT}"
    assert data["docs"][0]["title"] == SCRIPT


def test_title_is_escaped_in_the_title_and_heading() -> None:
    html = render_html(Graph(), title=IMG)
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in html
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in html


@settings(max_examples=25, deadline=None)
@given(label=st.text(min_size=1, max_size=40), alias=st.text(max_size=40))
def test_any_text_stays_inside_the_data_block(label: str, alias: str) -> None:
    g = Graph()
    entity(g, "company/x", "Company", label, *([alias] if alias else []))
    html = render_html(g)
    assert [t for t, _ in Page(html).tags].count("script") == 3
    (node,) = page_data(html)["nodes"]
    assert node["label"] == label
    assert node["aliases"] == ([alias] if alias else [])


def test_page_script_never_uses_inner_html() -> None:
    script = (Path(layout_module.__file__).parent / "templates" / "view.js").read_text()
    assert "innerHTML" not in script
    assert "outerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "document.write" not in script


# -- what the page shows -------------------------------------------------------------------------


def test_legend_lists_the_classes_present(news_html: str) -> None:
    assert legend(news_html, "kg-legend") == [
        "City",
        "Company",
        "Country",
        "GovernmentAgency",
        "Person",
    ]
    assert legend(news_html, "kg-predicates") == [
        "basedIn",
        "competesWith",
        "locatedIn",
        "plansToEnter",
        "sanctions",
        "sells",
        "worksFor",
    ]


SHAPES = {"dot", "square", "hexagon", "diamond", "triangle", "triangleDown", "star"}


def test_each_class_has_its_own_colour_and_a_shape(news_html: str) -> None:
    data = page_data(news_html)
    colours: dict[str, set[str]] = {}
    for node in data["nodes"]:
        colours.setdefault(node["cls"], set()).add(node["color"]["background"])
        assert node["shape"] in {
            "dot",
            "square",
            "hexagon",
            "diamond",
            "triangle",
            "triangleDown",
            "star",
        }
    assert all(len(c) == 1 for c in colours.values())
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)


def test_edges_show_predicate_status_and_direction(news_html: str) -> None:
    data = page_data(news_html)
    edges = {e["pred"]: e for e in data["edges"]}
    assert all(e["label"] == e["pred"] for e in data["edges"])
    assert edges["plansToEnter"]["dashes"] == [8, 6]
    assert edges["sells"]["dashes"] == [2, 5]
    assert edges["sells"]["color"]["color"] != edges["basedIn"]["color"]["color"]
    assert edges["basedIn"]["dashes"] is False
    assert edges["basedIn"]["arrows"] == "to"
    assert edges["competesWith"]["arrows"] == {"to": {"enabled": False}}


def test_physics_is_off_and_every_node_has_a_position(news_html: str) -> None:
    data = page_data(news_html)
    assert data["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])


@pytest.mark.parametrize("many_edges", [False, True])
def test_the_vis_options_keep_those_pyvis_makes(many_edges: bool) -> None:
    # kg.views.page writes pyvis's records and options itself (importing pyvis brings
    # IPython); every option pyvis set for the page must still be there, with its value.
    from pyvis.network import Network

    from kg.views.page import _options

    net = Network(directed=True)
    net.toggle_physics(False)
    net.toggle_stabilization(False)
    net.inherit_edge_colors(False)
    net.toggle_hide_edges_on_drag(many_edges)
    net.options.edges.smooth.enabled = False
    theirs = json.loads(net.options.to_json())
    ours = _options(many_edges=many_edges, overview=False)

    def within(small: object, big: object, where: str) -> None:
        if isinstance(small, dict):
            assert isinstance(big, dict), where
            for key, value in small.items():
                assert key in big, f"{where}.{key}"
                within(value, big[key], f"{where}.{key}")
        else:
            assert small == big, where

    within(theirs, ours, "options")
    assert ours["interaction"]["hideEdgesOnDrag"] is many_edges


def test_node_size_grows_with_degree(news_html: str) -> None:
    sizes = {n["label"]: n["size"] for n in page_data(news_html)["nodes"]}
    assert sizes["Acme Phones"] > sizes["Jane Boss"]


def test_empty_graph_renders_a_page_that_says_so() -> None:
    html = render_html(Graph())
    assert "This graph has no entities." in html
    assert page_data(html)["nodes"] == []


def test_sample_sized_page_is_small(news_html: str) -> None:
    assert len(news_html.encode("utf-8")) < 2_000_000


# -- determinism ---------------------------------------------------------------------------------


def test_same_graph_gives_the_same_page(news_html: str) -> None:
    assert render_html(news_graph(), title="News") == news_html


def test_triple_order_does_not_change_the_page(news_html: str) -> None:
    triples = list(news_graph())
    random.Random(7).shuffle(triples)
    shuffled = Graph()
    for t in triples:
        shuffled.add(t)
    assert render_html(shuffled, title="News") == news_html


def test_large_components_get_a_deterministic_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout_module, "LARGE", 5)
    nodes = [f"n{i:02d}" for i in range(30)]
    edges = [(nodes[i], nodes[(i * 7 + 3) % 30]) for i in range(30)]
    first = layout(nodes, edges)
    assert first == layout(list(reversed(nodes)), list(reversed(edges)))
    assert set(first) == set(nodes)
    assert len(set(first.values())) == len(nodes)


def test_small_components_keep_neighbours_apart() -> None:
    # A hub with many leaves and a chain hanging off it: spring_layout alone squeezes the
    # leaves together; the view keeps them about GAP pixels apart.
    hub = [("hub", f"leaf{i:02d}") for i in range(20)]
    chain = [("hub", "c1"), ("c1", "c2"), ("c2", "c3"), ("c3", "c4")]
    nodes = sorted({n for pair in hub + chain for n in pair})
    pos = layout(nodes, hub + chain)
    assert pos == layout(list(reversed(nodes)), list(reversed(hub + chain)))
    gaps = sorted(
        min(
            ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5
            for b in nodes
            if b != a
        )
        for a in nodes
    )
    assert gaps[len(gaps) // 2] == pytest.approx(layout_module.GAP, abs=2)
    assert gaps[0] > layout_module.GAP / 2


# -- write_html ----------------------------------------------------------------------------------


def test_write_html_writes_the_page_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "kg.html"
    written = write_html(news_graph(), target, title="News")
    assert written == target
    assert sorted(p.name for p in target.parent.iterdir()) == ["kg.html"]
    assert target.read_text(encoding="utf-8") == render_html(news_graph(), title="News")


def test_write_html_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "kg.html"
    target.write_text("old")
    write_html(Graph(), target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["kg.html"]


def test_write_html_failure_raises_output_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write the HTML view"):
        write_html(Graph(), blocker / "kg.html")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_a_confidence_that_is_not_a_finite_number_is_dropped() -> None:
    g = Graph()
    a = entity(g, "company/a", "Company", "A")
    b = entity(g, "company/b", "Company", "B")
    relation(g, a, "partnersWith", b, key="1", doc="d1", evidence="A and B.", confidence="NaN")
    relation(g, a, "competesWith", b, key="2", doc="d1", evidence="A vs B.", confidence="oops")
    view = graph_to_view(g)
    assert [s.confidence for e in view.edges for s in e.statements] == [None, None]
    page_data(render_html(g))  # still valid JSON


# -- subgraphs: --focus, --query, --max-nodes ---------------------------------------------------


def labels(view: ViewData) -> list[str]:
    return sorted(n.label for n in view.nodes)


@pytest.mark.parametrize(
    "name",
    [
        "Acme Phones",
        "  acme   PHONES ",
        "the Acme Phones",
        "Acme Phones’s",
        "acme",
        str(KGR.company),
    ],
)
def test_focus_finds_an_entity_by_name_alias_or_iri(name: str) -> None:
    if name == str(KGR.company):
        name = str(KGR["company/acme"])
    view = graph_to_view(news_graph(), focus=name, depth=0)
    assert labels(view) == ["Acme Phones"]
    assert view.focus == str(KGR["company/acme"])
    assert view.hidden == 6


def test_focus_keeps_the_neighbourhood_up_to_depth() -> None:
    one = graph_to_view(news_graph(), focus="Freedonia")
    # Freedonia: Springfield locatedIn it, Acme plansToEnter it.
    assert labels(one) == ["Acme Phones", "Freedonia", "Springfield"]
    assert {n.label: n.hops for n in one.nodes} == {
        "Freedonia": 0,
        "Springfield": 1,
        "Acme Phones": 1,
    }
    # Only the relations among the three are drawn; Acme's other relations are counted.
    assert sorted(e.predicate for e in one.edges) == ["basedIn", "locatedIn", "plansToEnter"]
    acme = next(n for n in one.nodes if n.label == "Acme Phones")
    assert (acme.degree, acme.total_degree, acme.hidden_relations) == (2, 5, 3)
    two = graph_to_view(news_graph(), focus="FD", depth=2)  # FD is Freedonia's alias
    assert labels(two) == [
        "Acme Phones",
        "Freedonia",
        "Jane Boss",
        "Rival Inc",
        "Shop Mart",
        "Springfield",
    ]
    assert two.hidden == 1 and two.hidden_classes == (("GovernmentAgency", 1),)
    assert "Focus on Freedonia (Country)" in two.notes[0] and "6 of 7 entities" in two.notes[0]


def test_an_unknown_focus_name_lists_close_names() -> None:
    with pytest.raises(ViewSelectionError, match="no entity is called 'Acme Phone'") as err:
        graph_to_view(news_graph(), focus="Acme Phone")
    assert "Close names: Acme Phones" in str(err.value)
    assert err.value.exit_code == 2
    with pytest.raises(ViewSelectionError, match="kg query --name entities"):
        graph_to_view(news_graph(), focus="Zzyzx")  # the saved query lists entities only


def test_a_name_of_several_entities_picks_one_and_says_which() -> None:
    g = news_graph()
    # "Acme" is Acme Phones' alias; make it the canonical name of another entity, and the
    # alias of a third one that has more relations than the second.
    entity(g, "product/acme", "Product", "Acme")
    agency = KGR["agency/trade"]
    g.add((agency, SKOS.altLabel, Literal("acme")))
    view = graph_to_view(g, focus="ACME", depth=0)
    # A canonical name beats an alias, however connected the alias's entity is.
    assert labels(view) == ["Acme"]
    note = view.notes[0]
    assert note.startswith("'ACME' names 3 entities; drawing Acme (Product), its canonical name.")
    # The others are listed, most connected first, with the IRIs that pick them.
    assert note.index("Acme Phones (Company)") < note.index("Trade Office (GovernmentAgency)")
    assert f"<{KGR['company/acme']}>" in note
    assert graph_to_view(g, focus=str(KGR["company/acme"]), depth=0).nodes[0].cls == "Company"
    # Among aliases only, the most connected entity wins.
    g.remove((KGR["product/acme"], None, None))
    assert labels(graph_to_view(g, focus="acme", depth=0)) == ["Acme Phones"]


def test_focus_rejects_a_negative_depth_and_a_query_beside_it() -> None:
    with pytest.raises(ViewSelectionError, match="0 or more"):
        graph_to_view(news_graph(), focus="Acme", depth=-1)
    with pytest.raises(ViewSelectionError, match="not both"):
        graph_to_view(news_graph(), focus="Acme", query="SELECT ?e WHERE { ?e a kgo:Person }")


def test_a_select_query_draws_the_entities_it_binds_and_the_relations_among_them() -> None:
    query = """SELECT ?e ?name WHERE {
        ?e a kgo:Company ; rdfs:label ?name . FILTER(?name != "Shop Mart") }"""
    view = graph_to_view(news_graph(), query=query)
    assert labels(view) == ["Acme Phones", "Rival Inc"]
    assert [e.predicate for e in view.edges] == ["competesWith"]
    assert len(view.edges[0].statements) == 2
    assert view.notes == (
        "Query (SELECT): 2 of 7 entities. 2 other values in the results left out.",
    )


def test_a_select_of_statements_draws_their_subjects_and_objects() -> None:
    query = "SELECT ?st WHERE { ?st kgo:status kgo:Planned }"
    view = graph_to_view(news_graph(), query=query)
    assert labels(view) == ["Acme Phones", "Freedonia"]
    assert [e.predicate for e in view.edges] == ["plansToEnter"]


def test_a_construct_query_draws_only_the_relations_it_states() -> None:
    query = """CONSTRUCT { ?a kgo:basedIn ?b . ?b kgo:locatedIn ?c }
               WHERE { ?a kgo:basedIn ?b . ?b kgo:locatedIn ?c }"""
    view = graph_to_view(news_graph(), query=query)
    assert labels(view) == ["Acme Phones", "Freedonia", "Springfield"]
    # Acme also plansToEnter Freedonia, but the query did not ask for that relation.
    assert sorted(e.predicate for e in view.edges) == ["basedIn", "locatedIn"]
    by_statement = graph_to_view(
        news_graph(), query="CONSTRUCT { ?s kgo:evidence ?e } WHERE { ?s kgo:role ?e }"
    )
    assert labels(by_statement) == ["Acme Phones", "Jane Boss"]
    assert [e.predicate for e in by_statement.edges] == ["worksFor"]


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        ("ASK { ?s ?p ?o }", ViewSelectionError, "ASK query"),
        ("SELECT ?x WHERE { ?x a kgo:Court }", ViewSelectionError, "chose no entity"),
        (
            "CONSTRUCT { ?d a kgo:Document } WHERE { ?d a kgo:Document }",
            ViewSelectionError,
            "CONSTRUCT",
        ),
        ("DELETE WHERE { ?s ?p ?o }", UnsafeQueryError, "refused"),
        ("SELECT ?x WHERE { ?x ", QueryError, "not valid SPARQL"),
    ],
)
def test_a_query_that_selects_nothing_drawable_is_an_error(
    query: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        graph_to_view(news_graph(), query=query)


def test_max_nodes_prefers_the_focus_neighbourhood_and_summarises_the_rest() -> None:
    view = graph_to_view(news_graph(), focus="Springfield", depth=2, max_nodes=3)
    # Springfield (0 hops), then Acme and Freedonia (1 hop); Acme's other neighbours are out.
    assert labels(view) == ["Acme Phones", "Freedonia", "Springfield"]
    assert view.hidden == 4
    # Trade Office left out by the focus; Jane Boss, Rival Inc and Shop Mart by the limit.
    assert view.hidden_classes == (("Company", 2), ("GovernmentAgency", 1), ("Person", 1))
    assert view.notes[1].startswith("Drawing the 3 nearest the focus of 6 entities; 3 left out.")
    with pytest.raises(ViewSelectionError, match="1 or more"):
        limit_view(view, 0)
    assert limit_view(view, 3) is view


def test_the_page_says_what_is_not_drawn_and_how_it_was_chosen() -> None:
    html = render_html(news_graph(), max_nodes=2)
    assert 'id="kg-hidden"' in html
    # Acme Phones (5 relations) and Freedonia (first by name of those with 2) are drawn.
    assert (
        "Showing 2 of 7 entities; 5 not drawn "
        "(2 Company, 1 City, 1 GovernmentAgency, 1 Person)." in html
    )
    assert "Drawing the 2 most connected of 7 entities; 5 left out." in html
    data = page_data(html)
    more = {n["label"]: n.get("more") for n in data["nodes"]}
    assert more == {"Acme Phones": 4, "Freedonia": 1}
    assert data["focus"] is None
    assert 'id="kg-hidden"' not in render_html(news_graph())


def test_render_html_draws_at_most_the_default_number_of_entities() -> None:
    assert inspect.signature(render_html).parameters["max_nodes"].default == DEFAULT_MAX_NODES
    assert inspect.signature(write_html).parameters["max_nodes"].default == DEFAULT_MAX_NODES
    assert 1000 <= DEFAULT_MAX_NODES <= 10_000


def test_a_focus_page_names_its_focus_entity(news_html: str) -> None:
    view = graph_to_view(news_graph(), focus="Jane Boss")
    data = page_data(render_html(view))
    assert data["nodes"][data["focus"]]["label"] == "Jane Boss"


def test_notes_with_hostile_names_are_escaped() -> None:
    view = graph_to_view(hostile_graph(), focus=IMG)
    assert IMG in view.notes[0]
    html = render_html(view)
    assert IMG not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_document_filter_lists_every_document_with_its_entity_count(news_html: str) -> None:
    block = re.search(r'<ul id="kg-documents"[^>]*>(.*?)</ul>', news_html, re.S)
    assert block
    rows = re.findall(
        r'value="(\d+)" checked> <span class="kg-name">([^<]*)<span class="kg-date">([^<]*)</span>'
        r'</span> <span class="kg-count">(\d+)</span>',
        block.group(1),
    )
    assert [(title.strip(), day, int(n)) for _, title, day, n in rows] == [
        ("Phone maker plans US launch", "2018-07-04", 3),
        ("Retailer stops selling phones", "2018-03-22", 1),
    ]
    docs = page_data(news_html)["docs"]
    assert [docs[int(i)]["title"] for i, *_ in rows] == [t.strip() for _, t, *_ in rows]


# -- kg viz --------------------------------------------------------------------------------------


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "news.ttl"
    news_graph().serialize(path, format="turtle")
    return path


def kg_viz(*args: object) -> Result:
    return CliRunner().invoke(app, ["viz", *(str(a) for a in args)])


def drawn(path: Path) -> list[str]:
    return sorted(n["label"] for n in page_data(path.read_text(encoding="utf-8"))["nodes"])


def test_kg_viz_draws_everything_and_says_so(graph_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    result = kg_viz(graph_file, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == f"wrote {out}: 7 of 7 entities, 7 relations"
    assert len(drawn(out)) == 7


def test_kg_viz_focus_depth_and_max_nodes(graph_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus.html"
    result = kg_viz(graph_file, "-o", out, "--focus", "freedonia", "--depth", "2", "--max-nodes", 3)
    assert result.exit_code == 0, result.output
    assert drawn(out) == ["Acme Phones", "Freedonia", "Springfield"]
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Focus on Freedonia (Country) and the entities up to 2 relations")
    assert lines[1].startswith("Drawing the 3 nearest the focus of 6 entities; 3 left out.")
    assert lines[2] == f"wrote {out}: 3 of 7 entities, 3 relations"


def test_kg_viz_query_from_a_file(graph_file: Path, tmp_path: Path) -> None:
    query = tmp_path / "people.rq"
    query.write_text("SELECT ?p WHERE { ?p a kgo:Person }", encoding="utf-8")
    out = tmp_path / "people.html"
    result = kg_viz(graph_file, "-o", out, "--query", query)
    assert result.exit_code == 0, result.output
    assert drawn(out) == ["Jane Boss"]
    assert "Query (SELECT): 1 of 7 entities." in result.stderr


def test_kg_viz_max_nodes_zero_draws_all(graph_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "zero.html"
    assert kg_viz(graph_file, "-o", out, "--max-nodes", 0).exit_code == 0
    assert len(drawn(out)) == 7
    limited = kg_viz(graph_file, "-o", out, "--max-nodes", 1)
    assert drawn(out) == ["Acme Phones"]
    assert "Drawing the 1 most connected of 7 entities; 6 left out." in limited.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--focus", "Acme Phone"], "Close names: Acme Phones"),
        (["--depth", "2"], "--depth goes with --focus"),
        (["--query", "ASK { ?s ?p ?o }"], "ASK query"),
        (["--query", "missing.rq"], "no such query file"),
        (["--focus", "Acme", "--query", "SELECT ?e WHERE { ?e a kgo:City }"], "not both"),
    ],
)
def test_kg_viz_errors_are_one_line_and_write_nothing(
    graph_file: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    out = tmp_path / "none.html"
    result = kg_viz(graph_file, "-o", out, *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and needle in line, line
    assert not out.exists()


def test_kg_viz_help_names_every_option() -> None:
    result = kg_viz("--help")
    assert result.exit_code == 0
    for option in ("--output", "--focus", "--depth", "--query", "--max-nodes"):
        assert option in result.stdout


# -- the overview of big views -------------------------------------------------------------------


def clusters_graph(hubs: int = 6, leaves: int = 40, lonely: int = 25) -> Graph:
    """``hubs`` companies with ``leaves`` people each (one bridge between neighbouring stars),
    plus ``lonely`` entities related to nothing: clear communities, more than an overview needs."""
    g = Graph()
    for h in range(hubs):
        hub = entity(g, f"company/hub{h}", "Company", f"Hub {h}")
        for i in range(leaves - h):  # different sizes, so "biggest first" means something
            person = entity(g, f"person/p{h}_{i}", "Person", f"Person {h}-{i}")
            g.add((person, KGO.worksFor, hub))
        if h:
            g.add((KGR[f"person/p{h}_0"], KGO.worksFor, KGR[f"company/hub{h - 1}"]))
    for i in range(lonely):
        entity(g, f"city/c{i}", "City", f"Town {i}")
    return g


def test_communities_are_found_the_same_every_time_and_named_after_their_hub() -> None:
    from kg.views.communities import find_communities

    view = graph_to_view(clusters_graph())
    found = find_communities(view)
    assert [c.name for c in found] == [f"Hub {h}" for h in range(6)]  # biggest first
    assert [len(c.members) for c in found] == sorted((len(c.members) for c in found), reverse=True)
    assert all(str(KGR[f"person/p{h}_5"]) in found[h].members for h in range(6))
    assert not any(str(KGR["city/c0"]) in c.members for c in found)
    shuffled = Graph()
    triples = list(clusters_graph())
    random.Random(3).shuffle(triples)
    for t in triples:
        shuffled.add(t)
    assert find_communities(graph_to_view(shuffled)) == found


def test_a_big_view_opens_as_an_overview() -> None:
    from kg.views.page import OVERVIEW_LABELS
    from kg.views.styles import COMMUNITY_COLOURS

    graph = clusters_graph()
    view = graph_to_view(graph)
    assert len(view.nodes) > 200
    data = page_data(render_html(graph))
    assert data["overview"] is True
    assert data["unconnected"] == 25
    by_id = {n["id"]: n for n in data["nodes"]}
    # The labelled entities are the most connected, most first: the six hubs lead.
    labelled = [by_id[i]["label"] for i in data["labels"]]
    assert len(labelled) == OVERVIEW_LABELS
    assert labelled[:6] == [f"Hub {h}" for h in range(6)]
    ranks = [by_id[i]["deg"] for i in data["labels"]]
    assert ranks == sorted(ranks, reverse=True)
    assert min(ranks) >= max(n["deg"] for n in data["nodes"] if n["id"] not in data["labels"])
    # Coloured by community: a hub and its people share its community's colour.
    assert [c["name"] for c in data["communities"]] == [f"Hub {h}" for h in range(6)]
    for n in data["nodes"]:
        expected = COMMUNITY_COLOURS[n["comm"]] if n["comm"] >= 0 else "#b4b4b4"
        assert n["color"]["background"] == expected
    # Communities sit apart: each member is nearer its own community's centre than another's.
    centres = {}
    for c in range(6):
        xs = [(n["x"], n["y"]) for n in data["nodes"] if n["comm"] == c]
        centres[c] = (sum(x for x, _ in xs) / len(xs), sum(y for _, y in xs) / len(xs))
    for n in data["nodes"]:
        if n["comm"] >= 0:
            dist = {c: (n["x"] - x) ** 2 + (n["y"] - y) ** 2 for c, (x, y) in centres.items()}
            assert min(dist, key=dist.__getitem__) == n["comm"], n["label"]
    html = render_html(graph)
    assert 'id="kg-unconnected"' in html and ">25</span> entities without a relation" in html
    assert legend(html, "kg-communities") == [str(h) for h in range(6)]
    assert all(f'<span class="kg-name">Hub {h}</span>' in html for h in range(6))


def test_a_small_view_keeps_class_colours_and_every_entity(news_html: str) -> None:
    data = page_data(news_html)
    assert data["overview"] is False and data["labels"] == []
    graph = news_graph()
    entity(graph, "city/nowhere", "City", "Nowhere")
    html = render_html(graph)
    assert '<input type="checkbox" id="kg-unconnected" checked>' in html  # all drawn
    assert '<option value="class" selected>' in html
