"""The interactive HTML view of a graph.

:func:`graph_to_view` reads entities and relations into plain records, all of
them or a part (:func:`focus_view`, :func:`query_view`, :func:`limit_view`);
:func:`render_html` and :func:`write_html` draw them as one self-contained page.

>>> from rdflib import Graph
>>> "<title>news</title>" in render_html(Graph(), title="news")
True
"""

from kg.viz.html import CLASS_STYLES, DEFAULT_MAX_NODES, class_style, render_html, write_html
from kg.viz.model import (
    ViewData,
    ViewDocument,
    ViewEdge,
    ViewNode,
    ViewStatement,
    focus_view,
    graph_to_view,
    limit_view,
    query_view,
    triples_to_view,
)

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
