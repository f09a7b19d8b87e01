"""The interactive HTML view of a graph.

:func:`graph_to_view` reads entities and relations into plain records;
:func:`render_html` and :func:`write_html` draw them as one self-contained page.

>>> from rdflib import Graph
>>> "<title>news</title>" in render_html(Graph(), title="news")
True
"""

from kg.viz.html import CLASS_STYLES, class_style, render_html, write_html
from kg.viz.model import (
    ViewData,
    ViewDocument,
    ViewEdge,
    ViewNode,
    ViewStatement,
    graph_to_view,
)

__all__ = [
    "CLASS_STYLES",
    "ViewData",
    "ViewDocument",
    "ViewEdge",
    "ViewNode",
    "ViewStatement",
    "class_style",
    "graph_to_view",
    "render_html",
    "write_html",
]
