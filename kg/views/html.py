"""Draw a ``kg`` graph as one self-contained, interactive HTML page.

The page inlines vis-network (the copy bundled with pyvis) and its own script,
loads nothing from the network, and carries a Content-Security-Policy that
allows only those two scripts (by hash). The vis-network options and the node
and edge records are those pyvis 0.3 builds (:mod:`kg.views.page`); the page
itself comes from our own Jinja2 template with autoescaping, because pyvis's
stock template pulls files from a CDN and does not escape names. Graph data travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, and the page script builds every tooltip and panel with
``textContent``, so names and article text are never parsed as HTML.

Node positions come from :mod:`kg.views.layout` (seeded force-directed layouts
computed in Python), so the same graph gives a byte-identical file and large
graphs open at once, without a physics simulation in the browser. Graphs over
:data:`DEFAULT_MAX_NODES` entities are drawn in part, and the page says so.

A page of more than :data:`~kg.views.page.OVERVIEW_NODES` entities opens as an overview that
says what the graph is about: entities coloured by community
(:mod:`kg.views.communities`, each named after its most connected entity) and
laid out one patch per community, the :data:`~kg.views.page.OVERVIEW_LABELS` most connected
labelled at a readable size whatever the zoom, and the entities without a
drawn relation left out until asked for. Smaller pages colour by class and
draw everything.

The page script (``templates/view.js``) adds filters by class (the legend),
community, predicate and document, a search box that focuses an entity, a
sortable entity table that focuses the entity clicked, a neighbourhood
highlight on click, a physics switch and the side panel. It sets
``window.kgReady`` (milliseconds since navigation start) and the attribute
``data-kg-ready`` on ``<html>`` once the first frame is drawn, and exposes
``window.kgView`` (the vis ``network``, the ``nodes``/``edges`` DataSets, the
filtered ``shownNodes``/``shownEdges`` views, ``focus(id)``, ``find(name)``,
``colourBy("community" | "class")`` and ``labels()``, the overview labels drawn)
for the browser tests, the benchmark and curious users.

>>> from rdflib import Graph
>>> page = render_html(Graph(), title="empty")
>>> page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
True
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from rdflib import Graph

from kg.errors import OutputError, VisualizationError
from kg.memo import Memo
from kg.views.model import ViewData
from kg.views.page import page_data
from kg.views.read import graph_to_view
from kg.views.styles import COMMUNITY_COLOURS, GLYPHS, SMALL_COMMUNITY, class_style

__all__ = ["DEFAULT_MAX_NODES", "render_html", "write_html"]

#: How many entities a page draws unless told otherwise: the most connected ones. Chosen
#: from benchmarks/viz_render.py so that the page is drawn within a few seconds.
DEFAULT_MAX_NODES = 5000

#: Where pyvis keeps its copy of vis-network.
_VIS_DIR = ("lib", "vis-9.1.2")

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True, slots=True)
class _Assets:
    vis_js: str
    vis_css: str
    app_js: str
    app_css: str


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    # Found without importing pyvis, which imports IPython (a third of a second).
    spec = importlib.util.find_spec("pyvis")
    folders = spec.submodule_search_locations if spec is not None else None
    vis = Path(folders[0] if folders else "pyvis-is-missing").joinpath(*_VIS_DIR)
    ours = resources.files("kg.views").joinpath("templates")
    try:
        assets = _Assets(
            vis_js=vis.joinpath("vis-network.min.js").read_text(encoding="utf-8"),
            vis_css=vis.joinpath("vis-network.css").read_text(encoding="utf-8"),
            app_js=ours.joinpath("view.js").read_text(encoding="utf-8"),
            app_css=ours.joinpath("view.css").read_text(encoding="utf-8"),
        )
    except OSError as err:
        raise VisualizationError(
            f"cannot read a file the HTML view inlines ({err}). "
            "Reinstall kg-builder and pyvis 0.3.x: "
            "`pip install --force-reinstall 'pyvis>=0.3.2,<0.4'`."
        ) from err
    # Inlined text must not be able to end its own <script>/<style> element.
    for name in ("vis_js", "vis_css", "app_js", "app_css"):
        text = getattr(assets, name).lower()
        if "</script" in text or "</style" in text or "<!--" in text:
            raise VisualizationError(f"{name} cannot be inlined safely; reinstall kg-builder.")
    return assets


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("view.html.j2")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _json_for_html(value: Any) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    # str.replace, not str.translate: the same text, but translate looks every character of
    # a page's megabytes of JSON up in a dict (a quarter of a second for 1,000 articles).
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(chr(char), escape)
    return text


def _stats(view: ViewData) -> str:
    n_statements = sum(len(e.statements) for e in view.edges)
    return (
        f"{len(view.nodes):,} entities, {len(view.edges):,} relations, {n_statements:,} statements"
    )


def _hidden(view: ViewData) -> str | None:
    """The summary of what is not drawn, or None when everything is."""
    if not view.hidden:
        return None
    by_class = ", ".join(f"{count:,} {cls}" for cls, count in view.hidden_classes)
    return (
        f"Showing {len(view.nodes):,} of {view.total:,} entities; "
        f"{view.hidden:,} not drawn ({by_class})."
    )


def render_html(
    graph: Graph | ViewData,
    *,
    title: str = "kg",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    layouts: Memo | None = None,
) -> str:
    """Render the entities and relations of ``graph`` as a self-contained HTML page.

    Args:
        graph: a ``kg`` graph (for an ``rdflib.Dataset``, the union of its
            graphs), or a :class:`~kg.views.model.ViewData` already read from one.
        title: the page title and heading (plain text; it is escaped).
        max_nodes: draw at most this many entities, the most connected ones,
            and say so on the page (:func:`~kg.views.select.limit_view`); None
            draws all. The default keeps big graphs quick to open. Ignored
            when ``graph`` is a ``ViewData``: select with
            :func:`~kg.views.read.graph_to_view` first.
        layouts: positions of parts of the graph laid out before, reused where they
            are the same, and those of this page, kept (:func:`kg.views.layout.layout`).

    Returns:
        The page. The same graph always gives the same string.

    Raises:
        VisualizationError: a library file the page inlines is missing.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix kgo: <https://w3id.org/kg-builder/ontology#> .
    ...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...     <https://example.org/ada> a kgo:Person ; rdfs:label "<b>Ada</b>" .
    ... ''')
    >>> page = render_html(g, title="people")
    >>> "<b>Ada" in page, "\\\\u003cb\\\\u003eAda" in page
    (False, True)
    """
    view = graph if isinstance(graph, ViewData) else graph_to_view(graph, max_nodes=max_nodes)
    assets = _assets()
    data = page_data(view, layouts)
    return _template().render(
        title=title,
        csp=_page_csp(assets),
        stats=_stats(view),
        hidden=_hidden(view),
        notes=view.notes,
        classes=_class_legend(view),
        predicates=_predicate_legend(view),
        documents=_document_legend(data),
        communities=_community_legend(data),
        overview=data["overview"],
        unconnected=data["unconnected"],
        empty=not view.nodes,
        **_inlined(assets, data),
    )


def _inlined(assets: _Assets, data: dict[str, Any]) -> dict[str, Markup]:
    """The scripts, style sheets and data the page inlines, as Markup: inserted as is.

    The JSON is escaped by _json_for_html, the files checked in _assets;
    autoescaping would turn their quotes into entities, which a <script> or
    <style> element does not decode.
    """
    return {
        "data_json": Markup(_json_for_html(data)),
        "vis_js": Markup(assets.vis_js),
        "vis_css": Markup(assets.vis_css),
        "app_js": Markup(assets.app_js),
        "app_css": Markup(assets.app_css),
    }


def _class_legend(view: ViewData) -> list[dict[str, Any]]:
    """The legend's rows: each class drawn with its colour, glyph and number of entities."""
    counts: dict[str, int] = {}
    for n in view.nodes:
        counts[n.cls] = counts.get(n.cls, 0) + 1
    return [
        {
            "name": cls,
            "colour": class_style(cls)[0],
            "glyph": GLYPHS[class_style(cls)[1]],
            "count": counts[cls],
        }
        for cls in view.classes
    ]


def _predicate_legend(view: ViewData) -> list[dict[str, Any]]:
    """The predicate filter's rows: each predicate drawn and its number of edges."""
    pred_counts: dict[str, int] = {}
    for e in view.edges:
        pred_counts[e.predicate] = pred_counts.get(e.predicate, 0) + 1
    return [{"name": p, "count": pred_counts[p]} for p in view.predicates]


def _document_legend(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The document filter's rows: each source document and how many entities it mentions."""
    doc_counts: dict[int, int] = {}
    for n in data["nodes"]:
        for d in n["docs"]:
            doc_counts[d] = doc_counts.get(d, 0) + 1
    return [
        {
            "index": i,
            "name": d.get("title") or d.get("id") or d["iri"],
            "date": d.get("date"),
            "count": doc_counts.get(i, 0),
        }
        for i, d in enumerate(data["docs"])
    ]


def _community_legend(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The community filter's rows: the coloured communities, then the smaller ones as one."""
    named = data["communities"][: len(COMMUNITY_COLOURS)]
    communities = [
        {"value": str(i), "name": c["name"], "colour": c["colour"], "size": c["size"]}
        for i, c in enumerate(named)
    ]
    rest = data["communities"][len(named) :]
    if rest:
        communities.append(
            {
                "value": "other",
                "name": f"{len(rest):,} smaller communities",
                "colour": SMALL_COMMUNITY,
                "size": sum(c["size"] for c in rest),
            }
        )
    return communities


def _page_csp(assets: _Assets) -> str:
    """The page's Content-Security-Policy: its two inlined scripts, by hash, and nothing else."""
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(assets.vis_js)} {_csp_hash(assets.app_js)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def write_html(
    graph: Graph | ViewData,
    path: str | os.PathLike[str],
    *,
    title: str = "kg",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    layouts: Memo | None = None,
) -> Path:
    """Write the page of :func:`render_html` to ``path``, atomically.

    The page is written to a temporary file beside ``path`` and then renamed
    over it, so ``path`` never holds a half-written page. Missing parent
    folders are created.

    Args:
        graph: as for :func:`render_html`.
        path: where to write the page.
        title: the page title and heading.
        max_nodes: as for :func:`render_html`.
        layouts: as for :func:`render_html`.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OutputError: the file cannot be written.
        VisualizationError: a library file the page inlines is missing.

    >>> import tempfile, rdflib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_html(rdflib.Graph(), Path(d) / "kg.html")
    ...     sorted(p.name for p in Path(d).iterdir())
    ['kg.html']
    """
    page = render_html(graph, title=title, max_nodes=max_nodes, layouts=layouts).encode("utf-8")
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OutputError(
            f"{target}: cannot write the HTML view ({err.strerror or err}). "
            "Check that the folder exists and is writable, or choose another path."
        ) from err
    return target
