"""A graph shown inline in a notebook (``KnowledgeGraph._repr_html_``) draws the
interactive view in its frame, offline and without errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kg

from .conftest import VIEWPORT

pytestmark = pytest.mark.browser

GRAPH = """\
@prefix kgo: <https://w3id.org/kg-builder/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/acme> a kgo:Company ; rdfs:label "Acme" ;
    kgo:basedIn <https://example.org/paris> .
<https://example.org/paris> a kgo:City ; rdfs:label "Paris" .
<https://example.org/jane> a kgo:Person ; rdfs:label "Jane Doe" ;
    kgo:worksFor <https://example.org/acme> .
"""


def test_the_inline_view_draws_in_its_frame(browser: Any, tmp_path: Path) -> None:
    source = tmp_path / "small.ttl"
    source.write_text(GRAPH, encoding="utf-8")
    cell = kg.load(source)._repr_html_()
    # what a notebook does with the cell's text/html output: put it in its page
    host = tmp_path / "notebook.html"
    host.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{cell}</body></html>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda err: errors.append(f"uncaught: {err}"))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(host.as_uri())
        (frame,) = page.main_frame.child_frames
        frame.wait_for_selector("html[data-kg-ready]", state="attached", timeout=30_000)
        labels = frame.evaluate("kgView.nodes.get().map(n => n.label).sort()")
        assert labels == ["Acme", "Jane Doe", "Paris"]
        assert frame.evaluate("kgView.edges.length") == 2
        assert errors == []
        assert requests == [host.as_uri()]  # the frame's page is inline: nothing else is fetched
    finally:
        context.close()
