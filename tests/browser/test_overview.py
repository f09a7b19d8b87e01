"""The overview a big build opens on: the view of 1,000 Reuters articles in headless Chromium.

The page is what ``kg viz`` writes (the default ``--max-nodes``) for a real
build of the first 1,000 articles of ``../shared/datasets/reuters21578``
(beside the repository, as in CI; the texts stay out of the repository).
Building takes minutes, so the build is made once and kept in pytest's cache
folder (``.pytest_cache/d/kg-reuters-1000-*``), keyed by the articles' text;
``pytest --cache-clear`` builds it again (e.g. after an extraction change).
Without the data set the tests skip.

What the first screen must answer, "what is in here" (issue 15): the most
connected entities labelled, communities coloured and named, entities
without a relation left out (counted, and shown on demand), an entity table
that focuses the graph, all drawn in under 5 s.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.rdf.load import load_graph
from kg.views import DEFAULT_MAX_NODES, ViewData, graph_to_view, write_html

from .conftest import Opened, png_pixels
from .test_page import OpenPage, ready, settled_view

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
REUTERS = REPO.parent / "shared" / "datasets" / "reuters21578" / "train.jsonl.gz"
ARTICLES = 1000
#: The first screen must be drawn within this many milliseconds (issue 15).
DRAW_MS = 5000
BUILD = ("--jobs", "2", "--quiet", "--no-html")


@pytest.fixture(scope="session")
def reuters_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``kg build --jobs 2`` of the first 1,000 Reuters articles: its folder, built once."""
    if not REUTERS.is_file():
        pytest.skip(f"the Reuters data set is not at {REUTERS}")
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        articles = "".join(itertools.islice(lines, ARTICLES))
    key = hashlib.sha256(articles.encode("utf-8")).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    home = (
        cache.mkdir(f"kg-reuters-{ARTICLES}-{key}")
        if cache is not None
        else tmp_path_factory.mktemp("reuters")
    )
    folder = home / "build"
    if (folder / "kg.trig").is_file():
        return folder
    work = tmp_path_factory.mktemp("reuters-build")
    source = work / "reuters.jsonl"
    source.write_text(articles, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(source), "-o", str(work / "out"), *BUILD],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shutil.rmtree(folder, ignore_errors=True)
    shutil.move(work / "out", folder)  # whole or not at all: only a finished build is kept
    return folder


@pytest.fixture(scope="session")
def reuters_view(reuters_build: Path) -> ViewData:
    """What ``kg viz`` draws of the build: the default selection."""
    return graph_to_view(load_graph(reuters_build / "kg.trig"), max_nodes=DEFAULT_MAX_NODES)


@pytest.fixture(scope="session")
def reuters_page(reuters_view: ViewData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reuters-page")
    return write_html(reuters_view, folder / "kg.html", title="kg: knowledge graph")


def _most_connected(view: ViewData, n: int) -> tuple[set[str], set[str]]:
    """The IRIs that must be among the ``n`` most connected, and those that may (ties)."""
    degrees = sorted((node.total_degree for node in view.nodes), reverse=True)
    nth = degrees[n - 1]
    must = {node.iri for node in view.nodes if node.total_degree > nth}
    may = {node.iri for node in view.nodes if node.total_degree >= nth}
    return must, may


def _iri_of(opened: Opened) -> dict[int, str]:
    return {
        int(k): v
        for k, v in opened.js("Object.fromEntries(kgView.nodes.map(n => [n.id, n.iri]))").items()
    }


def _screenshot(opened: Opened) -> tuple[int, int, list[bytes]]:
    return png_pixels(opened.page.locator("#kg-network").screenshot())


def test_the_overview_is_drawn_in_under_five_seconds(
    open_page: OpenPage, reuters_page: Path, reuters_view: ViewData
) -> None:
    assert len(reuters_view.nodes) > 1000  # a big view: the overview, not the small one
    opened = open_page(reuters_page)
    ready(opened)
    assert opened.js("window.kgReady") < DRAW_MS
    assert opened.js("kgView.network.body.nodeIndices.length") > 200


def test_the_first_screen_labels_the_20_most_connected_entities(
    open_page: OpenPage, reuters_page: Path, reuters_view: ViewData
) -> None:
    opened = open_page(reuters_page)
    iri = _iri_of(opened)
    label = {n.iri: n.label for n in reuters_view.nodes}
    placed = opened.js("kgView.labels()")
    must, may = _most_connected(reuters_view, 20)
    shown = {iri[p["id"]] for p in placed}
    assert must <= shown, sorted(label[i] for i in must - shown)
    assert len(shown & may) >= 20
    box = opened.page.locator("#kg-network").bounding_box()
    assert box is not None
    width, channels, rows = _screenshot(opened)
    scale = width / box["width"]  # device pixels per CSS pixel
    for p in placed:
        if iri[p["id"]] not in may:
            continue
        assert label[iri[p["id"]]].startswith(p["text"].rstrip("\u2026")), p
        assert p["size"] >= 12
        # On screen, inside the graph, and text is really drawn there: dark pixels in its box.
        assert p["x"] >= 0 and p["x"] + p["w"] <= box["width"], p
        assert p["y"] >= 0 and p["y"] + p["h"] <= box["height"], p
        dark = 0
        for y in range(int(p["y"] * scale), int((p["y"] + p["h"]) * scale)):
            row = rows[y]
            for x in range(int(p["x"] * scale), int((p["x"] + p["w"]) * scale)):
                r, g, b = row[x * channels : x * channels + 3]
                dark += r < 90 and g < 90 and b < 90
        assert dark > 10, p
    ready(opened)


def test_communities_are_coloured_and_named_after_their_most_connected_entity(
    open_page: OpenPage, reuters_page: Path, reuters_view: ViewData
) -> None:
    opened = open_page(reuters_page)
    nodes = opened.js(
        "kgView.nodes.get().map(n => ({id: n.id, iri: n.iri, comm: n.comm, "
        "colour: n.color.background}))"
    )
    communities = opened.js(
        "JSON.parse(document.getElementById('kg-data').textContent).communities"
    )
    by_iri = {n.iri: n for n in reuters_view.nodes}
    members: dict[int, list[dict[str, Any]]] = {}
    for n in nodes:
        members.setdefault(n["comm"], []).append(n)
    # Every entity with a relation is in a community, the others in none.
    assert {n["iri"] for n in nodes if n["comm"] >= 0} == {
        n.iri for n in reuters_view.nodes if n.degree
    }
    named = opened.js(
        """() => Array.from(document.querySelectorAll('#kg-communities li')).map(li => ({
             value: li.querySelector('input').value,
             name: li.querySelector('.kg-name').textContent,
             colour: getComputedStyle(li.querySelector('.kg-swatch')).backgroundColor}))"""
    )
    coloured = [c for c in named if c["value"] != "other"]
    assert len(coloured) >= 8
    assert len({c["colour"] for c in coloured}) == len(coloured)  # one colour each
    for c in coloured:
        index = int(c["value"])
        group = members[index]
        # Named after its most connected member; all its members wear its colour.
        best = max(by_iri[n["iri"]].total_degree for n in group)
        hubs = {by_iri[n["iri"]].label for n in group if by_iri[n["iri"]].total_degree == best}
        assert c["name"] == communities[index]["name"] and c["name"] in hubs
        assert {n["colour"] for n in group} == {communities[index]["colour"]}
    # The communities are real ones: far more relations inside them than chance gives.
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in nodes if n["comm"] >= 0)
    graph.add_edges_from(
        (e["from"], e["to"]) for e in opened.js("kgView.edges.get()") if e["from"] != e["to"]
    )
    partition = [{n["id"] for n in group} for comm, group in members.items() if comm >= 0]
    assert nx.community.modularity(graph, partition) > 0.5
    # And the colours are on screen: the five biggest communities' colours are drawn.
    width, channels, rows = _screenshot(opened)
    drawn = {row[i : i + 3] for row in rows for i in range(0, width * channels, channels)}
    for c in coloured[:5]:
        r, g, b = (int(v) for v in c["colour"][c["colour"].index("(") + 1 : -1].split(","))
        assert bytes((r, g, b)) in drawn, c
    ready(opened)


def test_entities_without_a_relation_are_left_out_until_asked_for(
    open_page: OpenPage, reuters_page: Path, reuters_view: ViewData
) -> None:
    lonely = {n.iri for n in reuters_view.nodes if n.degree == 0}
    assert lonely  # news has many entities mentioned once and related to nothing
    opened = open_page(reuters_page)
    iri = _iri_of(opened)
    drawn = {iri[i] for i in opened.js("kgView.network.body.nodeIndices")}
    assert drawn == {n.iri for n in reuters_view.nodes} - lonely
    count = opened.page.locator("#kg-unconnected-count").text_content() or ""
    assert int(count.replace(",", "")) == len(lonely)
    opened.page.locator("#kg-unconnected").check()
    assert len(opened.js("kgView.network.body.nodeIndices")) == len(reuters_view.nodes)
    opened.page.locator("#kg-unconnected").uncheck()
    assert {iri[i] for i in opened.js("kgView.network.body.nodeIndices")} == drawn
    ready(opened)


def test_the_entity_table_sorts_and_focuses_the_graph(
    open_page: OpenPage, reuters_page: Path, reuters_view: ViewData
) -> None:
    opened = open_page(reuters_page)
    page = opened.page

    def column(i: int) -> list[str]:
        return page.locator(f"#kg-table tbody tr td:nth-child({i})").all_text_contents()

    relations = [int(v) for v in column(3)]
    assert relations == sorted(relations, reverse=True) and relations[0] == max(
        n.total_degree for n in reuters_view.nodes
    )
    page.locator("#kg-table th[data-sort='label']").click()
    assert page.locator("#kg-table th[data-sort='label']").get_attribute("aria-sort") == "ascending"
    initials = [n[0].casefold() for n in column(1) if n[0].isalpha() and n[0].isascii()]
    assert len(initials) > 100 and initials == sorted(initials)
    page.locator("#kg-table th[data-sort='deg']").click()
    page.locator("#kg-table th[data-sort='deg']").click()  # the second click sorts upwards
    assert [int(v) for v in column(3)] == sorted(int(v) for v in column(3))
    # Filtering by name, then a click focuses that entity, even one hidden by default.
    labels = [n.label for n in reuters_view.nodes]
    lonely = min(
        (n for n in reuters_view.nodes if n.degree == 0 and labels.count(n.label) == 1),
        key=lambda n: (len(n.label) < 6, n.label),
    )
    page.locator("#kg-table-filter").fill(lonely.label)
    names = column(1)
    assert lonely.label in names
    page.locator("#kg-table tbody tr").nth(names.index(lonely.label)).click()
    settled_view(opened)  # the focus animation
    selected = opened.js("kgView.network.getSelectedNodes()")
    assert [opened.js(f"kgView.nodes.get({i}).iri") for i in selected] == [lonely.iri]
    assert page.locator("#kg-panel h3").text_content() == lonely.label
    assert page.locator("#kg-unconnected").is_checked()
    ready(opened)


def test_colour_by_class_and_back(open_page: OpenPage, reuters_page: Path) -> None:
    opened = open_page(reuters_page)
    data = opened.js("JSON.parse(document.getElementById('kg-data').textContent)")

    def colours() -> dict[int, str]:
        return {
            n["id"]: n["colour"]
            for n in opened.js(
                "kgView.nodes.get().map(n => ({id: n.id, colour: n.color.background}))"
            )
        }

    by_community = colours()
    opened.page.locator("#kg-colour-by").select_option("class")
    by_class = colours()
    assert by_class == {n["id"]: data["classColours"][n["cls"]] for n in data["nodes"]}
    assert by_class != by_community
    glyphs = opened.js(
        """() => Array.from(document.querySelectorAll('#kg-legend .kg-glyph'))
                 .map(g => [g.getAttribute('data-colour'), g.style.color])"""
    )
    for wanted, shown in glyphs:
        r, g, b = (int(wanted[i : i + 2], 16) for i in (1, 3, 5))
        assert shown == f"rgb({r}, {g}, {b})"
    opened.page.locator("#kg-colour-by").select_option("community")
    assert colours() == by_community
    ready(opened)
