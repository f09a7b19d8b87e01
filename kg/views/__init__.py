"""Views of a built graph: the interactive HTML page, rankings, paths, timelines, conflicts.

:func:`graph_to_view` (:mod:`kg.views.read`, the one reader of a built graph)
reads entities and relations into plain records (:mod:`kg.views.model`), all of
them or a part (:mod:`kg.views.select`: :func:`focus_view`, :func:`query_view`,
:func:`limit_view`); :func:`render_html` and :func:`write_html` draw them as one
self-contained page. :mod:`kg.views.analyze` ranks entities and finds paths,
:mod:`kg.views.timeline` lists an entity's dated statements and conflicts, and
:mod:`kg.views.text` writes them as lines for a terminal.

The names below are imported on first use, so that a light module of the
package (:mod:`kg.views.text`) loads neither rdflib nor the page's libraries.

>>> from rdflib import Graph
>>> "<title>news</title>" in render_html(Graph(), title="news")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.lazy import lazy_names

if TYPE_CHECKING:
    from kg.views.html import DEFAULT_MAX_NODES, render_html, write_html
    from kg.views.model import ViewData, ViewDocument, ViewEdge, ViewNode, ViewStatement
    from kg.views.read import graph_to_view, triples_to_view
    from kg.views.select import focus_view, limit_view, query_view
    from kg.views.styles import CLASS_STYLES, class_style

#: The module that defines each name of ``kg.views``.
_HOMES = {
    "CLASS_STYLES": "kg.views.styles",
    "DEFAULT_MAX_NODES": "kg.views.html",
    "ViewData": "kg.views.model",
    "ViewDocument": "kg.views.model",
    "ViewEdge": "kg.views.model",
    "ViewNode": "kg.views.model",
    "ViewStatement": "kg.views.model",
    "class_style": "kg.views.styles",
    "focus_view": "kg.views.select",
    "graph_to_view": "kg.views.read",
    "limit_view": "kg.views.select",
    "query_view": "kg.views.select",
    "render_html": "kg.views.html",
    "triples_to_view": "kg.views.read",
    "write_html": "kg.views.html",
}

__all__ = [
    "CLASS_STYLES",
    "DEFAULT_MAX_NODES",
    "ViewData",
    "ViewDocument",
    "ViewEdge",
    "ViewNode",
    "ViewStatement",
    "class_style",
    "focus_view",
    "graph_to_view",
    "limit_view",
    "query_view",
    "render_html",
    "triples_to_view",
    "write_html",
]

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_names("kg.views", _HOMES, globals())
