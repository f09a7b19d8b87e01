"""The HTML view in headless Chromium: drawn, offline, quiet, interactive and safe.

Pages are opened from ``file:`` URLs in an offline context that aborts and
records every other request (see ``conftest.py``). The sample page is the
``kg.html`` that ``kg build`` writes for the shipped corpus; the hostile page
is built by the real extraction pipeline from an article full of script
payloads, plus entities whose names, aliases and roles are payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, Dataset, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

from kg.views import graph_to_view, write_html

from .conftest import Opened, png_pixels

pytestmark = pytest.mark.browser

KGO = Namespace("https://w3id.org/kg-builder/ontology#")
KGR = Namespace("https://w3id.org/kg-builder/resource/")

#: The payloads of issue 4, and the same tricks setting a flag instead of opening a dialog.
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<img src=x onerror=window.kgPwned=1>",
    "<script>window.kgPwned=1</script>",
    '"><svg onload=window.kgPwned=1>',
    "</script><script>window.kgPwned=1</script>",
)

OpenPage = Callable[..., Opened]


# -- pages ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sample_page(sample_build: Path) -> Path:
    """The kg.html that ``kg build`` writes for the sample corpus."""
    return sample_build / "kg.html"


@pytest.fixture(scope="session")
def hostile_page(tmp_path_factory: pytest.TempPathFactory, nlp: Any) -> Path:
    """A page built from an article whose title and sentences carry script payloads."""
    from kg.extract import extract
    from kg.graph.assemble import build_dataset
    from kg.ingest import read_articles
    from kg.resolve import resolve

    folder = tmp_path_factory.mktemp("hostile")
    article = folder / "payloads.txt"
    article.write_text(
        f"Acme Corp {PAYLOADS[0]} signs deal {PAYLOADS[3]}\n\n"
        f"Acme Corp, the Berlin-based maker of phones {PAYLOADS[1]} {PAYLOADS[4]}, said on "
        f"Monday that it plans to enter the Indian market next year. {PAYLOADS[2]} "
        f"{PAYLOADS[5]} John Smith, chairman of Acme Corp, said the company partners with "
        f"Globex Inc {PAYLOADS[6]} in India.\n",
        encoding="utf-8",
    )
    entities, resolved = resolve(list(extract(list(read_articles([article])), nlp)))
    dataset: Dataset = build_dataset(entities, resolved)
    assert any(p in str(o) for o in dataset.objects() for p in PAYLOADS), "payloads were lost"
    # Names are what NER never yields from such text: add entities named by payloads.
    doc = next(iter(dataset.subjects(RDF.type, KGO.Document)))
    previous = None
    for i, payload in enumerate(PAYLOADS):
        node = KGR[f"company/payload_{i}"]
        dataset.add((node, RDF.type, KGO.Company))
        dataset.add((node, RDFS.label, Literal(payload)))
        dataset.add((node, SKOS.altLabel, Literal(f"alias {payload}")))
        dataset.add((node, KGO.mentionedIn, doc))
        if previous is not None:
            dataset.add((previous, KGO.partnersWith, node))
            statement = KGR[f"statement/payload_{i}"]
            for p, o in (
                (RDF.type, KGO.Statement),
                (RDF.subject, previous),
                (RDF.predicate, KGO.partnersWith),
                (RDF.object, node),
                (PROV.wasDerivedFrom, doc),
                (KGO.evidence, Literal(f"They said {payload} and left.")),
                (KGO.role, Literal(payload)),
                (KGO.date, Literal(payload)),
            ):
                dataset.add((statement, p, o))
        previous = node
    return write_html(dataset, folder / "kg.html", title=" ".join(PAYLOADS))


def ready(opened: Opened) -> None:
    """Nothing went wrong while the page opened."""
    assert opened.errors == []
    assert opened.dialogs == []
    assert opened.blocked == []
    assert opened.requests == [opened.url]


def shown_ids(opened: Opened) -> set[int]:
    return set(opened.js("kgView.shownNodes.getIds()"))


def biggest(opened: Opened) -> dict[str, Any]:
    """The node drawn biggest (the most relations): id, label and position."""
    return opened.js(
        """() => { let hub = null;
                   kgView.nodes.forEach(n => { if (!hub || n.size > hub.size) hub = n; });
                   return {id: hub.id, label: hub.label, x: hub.x, y: hub.y}; }"""
    )


def settled_view(opened: Opened, *, timeout_ms: int = 10_000) -> dict[str, float]:
    """The view's centre once it has stopped moving (an animation has ended), in canvas units."""
    last = opened.js("kgView.network.getViewPosition()")
    for _ in range(timeout_ms // 200):
        opened.page.wait_for_timeout(200)
        now = opened.js("kgView.network.getViewPosition()")
        if now == last:
            break
        last = now
    return last


def dom_point(opened: Opened, node: int) -> dict[str, float]:
    """Where node ``node`` is on the page, in CSS pixels (for the mouse)."""
    return opened.js(
        """(id) => { const p = kgView.network.canvasToDOM(kgView.network.getPosition(id));
                     const box = document.getElementById('kg-network').getBoundingClientRect();
                     return {x: box.left + p.x, y: box.top + p.y}; }""",
        node,
    )


# -- the sample page -----------------------------------------------------------------------------


@pytest.mark.model
def test_sample_page_is_under_two_megabytes(sample_page: Path) -> None:
    assert sample_page.stat().st_size < 2_000_000


@pytest.mark.model
def test_sample_page_draws_the_network_offline_without_errors(
    open_page: OpenPage, sample_page: Path
) -> None:
    opened = open_page(sample_page)
    ready(opened)
    assert opened.js("window.kgReady") > 0
    # Every entity of the data block is in the network, at its precomputed position.
    count = opened.js("kgView.nodes.length")
    assert count > 10
    assert opened.js("kgView.network.body.nodeIndices.length") == count
    # The drawing is not blank: many colours, and a fair share of pixels are not background.
    png = opened.page.locator("#kg-network").screenshot()
    width, channels, rows = png_pixels(png)
    pixels = [row[i : i + 3] for row in rows for i in range(0, width * channels, channels)]
    colours = set(pixels)
    inked = sum(1 for p in pixels if p != b"\xff\xff\xff")
    assert len(colours) > 50, len(colours)
    assert inked / len(pixels) > 0.01, inked / len(pixels)
    # Each class colour of the legend is drawn somewhere.
    legend = opened.js(
        """() => Array.from(document.querySelectorAll('#kg-legend .kg-glyph'))
                 .map(g => getComputedStyle(g).color)"""
    )
    for css in legend:
        r, g, b = (int(v) for v in css[css.index("(") + 1 : css.index(")")].split(","))
        assert bytes((r, g, b)) in colours, css
    ready(opened)


@pytest.mark.model
def test_clicking_a_class_in_the_legend_hides_and_shows_its_nodes(
    open_page: OpenPage, sample_page: Path
) -> None:
    opened = open_page(sample_page)
    by_class = opened.js(
        """() => { const c = {};
                   kgView.nodes.forEach(n => { (c[n.cls] = c[n.cls] || []).push(n.id); });
                   return c; }"""
    )
    cls = max(sorted(by_class), key=lambda c: len(by_class[c]))
    everyone = shown_ids(opened)
    opened.page.locator(f"#kg-legend input[value='{cls}']").click()
    assert shown_ids(opened) == everyone - set(by_class[cls])
    drawn = set(opened.js("kgView.network.body.nodeIndices"))
    assert drawn == everyone - set(by_class[cls])
    # No edge is left hanging from a hidden node.
    ends = opened.js("kgView.shownEdges.get().flatMap(e => [e.from, e.to])")
    assert not set(ends) & set(by_class[cls])
    opened.page.locator(f"#kg-legend input[value='{cls}']").click()
    assert shown_ids(opened) == everyone
    ready(opened)


@pytest.mark.model
def test_predicate_and_document_filters_hide_what_they_uncheck(
    open_page: OpenPage, sample_page: Path
) -> None:
    opened = open_page(sample_page)
    preds = opened.js("kgView.edges.get().map(e => e.pred)")
    pred = max(sorted(set(preds)), key=preds.count)
    total = len(preds)
    opened.page.locator(f"#kg-predicates input[value='{pred}']").click()
    shown = opened.js("kgView.shownEdges.get().map(e => e.pred)")
    assert pred not in shown and len(shown) == total - preds.count(pred)
    opened.page.locator(f"#kg-predicates input[value='{pred}']").click()
    assert opened.js("kgView.shownEdges.length") == total

    # Unchecking every document hides every entity and relation that a document backs.
    opened.page.locator("h2 button[data-filter='kg-document-filter'][data-value='0']").click()
    assert opened.js("kgView.shownNodes.get().filter(n => n.docs.length).length") == 0
    assert opened.js("kgView.shownEdges.get().filter(e => e.docs.length).length") == 0
    # Checking one document back shows its entities again.
    first = opened.page.locator("#kg-documents input").first
    first.click()
    index = int(first.get_attribute("value") or -1)
    expected = opened.js(f"kgView.nodes.get().filter(n => n.docs.includes({index})).map(n => n.id)")
    assert expected
    backed = opened.js("kgView.shownNodes.get().filter(n => n.docs.length).map(n => n.id)")
    assert sorted(backed) == sorted(expected)
    ready(opened)


@pytest.mark.model
def test_search_focuses_selects_and_describes_a_node(
    open_page: OpenPage, sample_page: Path
) -> None:
    opened = open_page(sample_page)
    hub = biggest(opened)
    before = opened.js("kgView.network.getScale()")
    search = opened.page.locator("#kg-search")
    search.fill(hub["label"].upper())  # case does not matter
    search.press("Enter")
    assert opened.js("kgView.network.getSelectedNodes()") == [hub["id"]]
    assert opened.page.locator("#kg-panel h3").text_content() == hub["label"]
    # The focus animation takes 400 ms, longer on a busy machine: wait until it has ended.
    view = settled_view(opened)
    assert abs(view["x"] - hub["x"]) < 5 and abs(view["y"] - hub["y"]) < 5
    assert opened.js("kgView.network.getScale()") > before
    # An unknown name says so and moves nothing.
    search.fill("no such entity at all")
    search.press("Enter")
    assert opened.page.locator("#kg-search-status").text_content() == "No entity of that name."
    ready(opened)


@pytest.mark.model
def test_clicking_a_node_highlights_its_neighbourhood(
    open_page: OpenPage, sample_page: Path
) -> None:
    opened = open_page(sample_page)
    hub = biggest(opened)["id"]
    point = dom_point(opened, hub)
    opened.page.mouse.click(point["x"], point["y"])
    assert opened.js("kgView.network.getSelectedNodes()") == [hub]
    near = set(opened.js(f"kgView.network.getConnectedNodes({hub})")) | {hub}
    opacity = opened.js(
        """() => Object.fromEntries(Object.entries(kgView.network.body.nodes)
                 .map(([id, n]) => [id, n.options.opacity]))"""
    )
    assert len(near) > 1 and len(opacity) > len(near)
    for node, value in opacity.items():
        assert value == (1 if int(node) in near else pytest.approx(0.15)), node
    assert opened.page.locator("#kg-panel h3").text_content() == opened.js(
        f"kgView.nodes.get({hub}).label"
    )
    # A click on empty canvas clears the highlight.
    box = opened.page.locator("#kg-network").bounding_box()
    assert box is not None
    opened.page.mouse.click(box["x"] + 3, box["y"] + box["height"] - 3)
    assert set(
        opened.js("Object.values(kgView.network.body.nodes).map(n => n.options.opacity)")
    ) == {1}
    ready(opened)


@pytest.mark.model
def test_physics_can_be_switched_on_and_off(open_page: OpenPage, sample_page: Path) -> None:
    opened = open_page(sample_page)
    assert opened.js("kgView.network.physics.physicsEnabled") is False
    opened.page.locator("#kg-physics").check()
    assert opened.js("kgView.network.physics.physicsEnabled") is True
    opened.page.locator("#kg-physics").uncheck()
    assert opened.js("kgView.network.physics.physicsEnabled") is False
    ready(opened)


@pytest.mark.model
def test_a_focus_page_opens_on_its_entity(
    open_page: OpenPage, sample_run: Any, tmp_path: Path
) -> None:
    whole = graph_to_view(sample_run.dataset)
    hub = max(whole.nodes, key=lambda n: (n.total_degree, n.iri))
    view = graph_to_view(sample_run.dataset, focus=hub.iri, depth=1)
    neighbours = {e.source for e in whole.edges if e.target == hub.iri} | {
        e.target for e in whole.edges if e.source == hub.iri
    }
    opened = open_page(write_html(view, tmp_path / "focus.html"))
    ready(opened)
    assert set(opened.js("kgView.nodes.get().map(n => n.iri)")) == neighbours | {hub.iri}
    selected = opened.js("kgView.network.getSelectedNodes()")
    assert [opened.js(f"kgView.nodes.get({i}).iri") for i in selected] == [hub.iri]
    assert opened.page.locator("#kg-panel h3").text_content() == hub.label
    notes = opened.page.locator("#kg-notes").text_content() or ""
    assert hub.label in notes and "Focus" in notes


# -- script payloads -----------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_script_payloads_in_the_graph_run_nothing_and_show_as_text(
    open_page: OpenPage, hostile_page: Path, bypass_csp: bool
) -> None:
    """Even with the Content-Security-Policy switched off, the escaping alone holds."""
    opened = open_page(hostile_page, bypass_csp=bypass_csp)
    page = opened.page
    # Exercise everything that writes graph text into the page: every panel, every tooltip,
    # the search box.
    ids = opened.js("kgView.nodes.getIds()")
    for node in ids:
        opened.js(f"kgView.focus({node}, false)")
    for edge in opened.js("kgView.edges.getIds()"):
        opened.js(
            f"""() => kgView.network.emit('click',
                {{nodes: [], edges: [{edge}], pointer: {{DOM: {{x: 0, y: 0}}}}}})"""
        )
    for node in ids[:5]:
        point = dom_point(opened, node)
        page.mouse.move(point["x"], point["y"])
        page.wait_for_timeout(250)
    for payload in PAYLOADS:
        page.locator("#kg-search").fill(payload)
        page.locator("#kg-search").press("Enter")
    page.wait_for_timeout(300)

    assert opened.js("window.kgPwned") is None
    assert opened.dialogs == []
    assert opened.js("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
    assert opened.js("document.scripts.length") == 3  # data block, vis-network, the page script
    assert opened.blocked == []
    assert opened.requests == [opened.url]
    # The payloads are shown as text: in the heading, the legend, the panel and the tooltips.
    heading = page.locator("h1").text_content() or ""
    assert all(p in heading for p in PAYLOADS)
    documents = page.locator("#kg-documents").text_content() or ""
    assert PAYLOADS[0] in documents and PAYLOADS[3] in documents
    opened.js("kgView.focus(kgView.find('alias <script>window.kgPwned=1</script>'), false)")
    panel = page.locator("#kg-panel").text_content() or ""
    assert "<script>window.kgPwned=1</script>" in panel
    assert "They said " in panel and "role: " in panel
    tips = opened.js("kgView.nodes.get().map(n => n.title.textContent).join(' ')")
    assert all(p in tips for p in PAYLOADS)
    evidence = opened.js("kgView.edges.get().map(e => e.title.textContent).join(' ')")
    assert "<script>alert(1)</script>" in evidence  # from the article, through the pipeline
    assert opened.js("window.kgPwned") is None and opened.dialogs == []
    # With the policy on, nothing was even attempted: no CSP violation was reported.
    assert opened.errors == []


def test_pages_name_no_host_but_their_own(tmp_path: Path, open_page: OpenPage) -> None:
    """A page of a hand-made graph opens with nothing but its own file (no model needed)."""
    ds = Dataset()
    a, b = URIRef(KGR["company/a"]), URIRef(KGR["city/b"])
    ds.add((a, RDF.type, KGO.Company))
    ds.add((a, RDFS.label, Literal("Alpha")))
    ds.add((b, RDF.type, KGO.City))
    ds.add((b, RDFS.label, Literal("Beta")))
    ds.add((a, KGO.basedIn, b))
    opened = open_page(write_html(ds, tmp_path / "small.html"))
    ready(opened)
    assert sorted(opened.js("kgView.nodes.get().map(n => n.label)")) == ["Alpha", "Beta"]


def test_an_empty_graph_opens_and_says_so(tmp_path: Path, open_page: OpenPage) -> None:
    opened = open_page(write_html(Dataset(), tmp_path / "empty.html"))
    ready(opened)
    assert opened.js("kgView.nodes.length") == 0
    assert opened.page.locator(".kg-empty").text_content() == "This graph has no entities."
