"""Draw a ``kg`` graph as one self-contained, interactive HTML page.

The page inlines vis-network (the copy bundled with pyvis) and its own script,
loads nothing from the network, and carries a Content-Security-Policy that
allows only those two scripts (by hash). pyvis builds the vis-network options
and the node and edge records; the page itself comes from our own Jinja2
template with autoescaping, because pyvis's stock template pulls files from a
CDN and does not escape names. Graph data travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, and the page script builds every tooltip and panel with
``textContent``, so names and article text are never parsed as HTML.

Node positions come from :mod:`kg.viz.layout` (seeded force-directed layouts
computed in Python), so the same graph gives a byte-identical file and large
graphs open at once, without a physics simulation in the browser. Graphs over
:data:`DEFAULT_MAX_NODES` entities are drawn in part, and the page says so.

A page of more than :data:`OVERVIEW_NODES` entities opens as an overview that
says what the graph is about: entities coloured by community
(:mod:`kg.viz.communities`, each named after its most connected entity) and
laid out one patch per community, the :data:`OVERVIEW_LABELS` most connected
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
import json
import math
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node
from rdflib import Graph

from kg.errors import OutputError, VisualizationError
from kg.memo import Memo
from kg.types import coarse_class
from kg.viz.communities import Community, find_communities, rank_entities
from kg.viz.layout import layout
from kg.viz.model import ViewData, ViewEdge, ViewStatement, graph_to_view

__all__ = [
    "CLASS_STYLES",
    "COMMUNITY_COLOURS",
    "DEFAULT_MAX_NODES",
    "OVERVIEW_LABELS",
    "OVERVIEW_NODES",
    "class_style",
    "render_html",
    "write_html",
]

#: How many entities a page draws unless told otherwise: the most connected ones. Chosen
#: from benchmarks/viz_render.py so that the page is drawn within a few seconds.
DEFAULT_MAX_NODES = 5000

#: Colour and vis-network shape of each entity class.
CLASS_STYLES: dict[str, tuple[str, str]] = {
    "Company": ("#4e79a7", "dot"),
    "Organization": ("#a0cbe8", "dot"),
    "GovernmentAgency": ("#e15759", "square"),
    "Court": ("#b07aa1", "square"),
    "MediaOrganization": ("#f28e2b", "hexagon"),
    "ResearchFirm": ("#edc948", "hexagon"),
    "Person": ("#59a14f", "diamond"),
    "Country": ("#499894", "triangle"),
    "City": ("#86bcb6", "triangleDown"),
    "Region": ("#9d7660", "triangle"),
    "Place": ("#bab0ac", "triangleDown"),
    "Product": ("#ff9da7", "star"),
}
_OTHER_STYLE = ("#c7c7c7", "ellipse")

#: Legend glyph of each shape.
_GLYPHS = {
    "dot": "\u25cf",
    "square": "\u25a0",
    "hexagon": "\u2b22",
    "diamond": "\u25c6",
    "triangle": "\u25b2",
    "triangleDown": "\u25bc",
    "star": "\u2605",
    "ellipse": "\u2b2c",
}

#: Colours of the biggest communities, biggest first; smaller ones share :data:`_SMALL_COMMUNITY`.
COMMUNITY_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
)
_SMALL_COMMUNITY = "#b4b4b4"

#: A page drawing more entities than this opens as an overview: entities coloured by community,
#: the most connected labelled at a readable size, entities without a drawn relation left out.
OVERVIEW_NODES = 200
#: How many of the most connected entities the overview labels (the first 20 always, the rest
#: where their label does not cover another).
OVERVIEW_LABELS = 30

_EDGE_COLOUR = "#707070"
_ENDED_COLOUR = "#bdbdbd"

#: Where pyvis keeps its copy of vis-network.
_VIS_DIR = ("lib", "vis-9.1.2")

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def class_style(cls: str) -> tuple[str, str]:
    """The ``(colour, shape)`` an entity class is drawn with.

    A class the view does not know is drawn like its coarse class, or grey.

    >>> class_style("City")
    ('#86bcb6', 'triangleDown')
    >>> class_style("Event")
    ('#c7c7c7', 'ellipse')
    """
    return CLASS_STYLES.get(cls) or CLASS_STYLES.get(coarse_class(cls), _OTHER_STYLE)


@dataclass(frozen=True, slots=True)
class _Assets:
    vis_js: str
    vis_css: str
    app_js: str
    app_css: str


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    vis = resources.files("pyvis").joinpath(*_VIS_DIR)
    ours = resources.files("kg.viz").joinpath("templates")
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
        loader=jinja2.PackageLoader("kg.viz", "templates"),
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
    return text.translate(_JSON_ESCAPES)


def _curves(edges: tuple[ViewEdge, ...], index: dict[str, int]) -> list[dict[str, Any] | bool]:
    """A vis-network ``smooth`` option per edge that fans out edges sharing two nodes."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(edges):
        groups.setdefault((min(e.source, e.target), max(e.source, e.target)), []).append(i)
    smooth: list[dict[str, Any] | bool] = [False] * len(edges)
    for members in groups.values():
        # offsets 0, 1, -1, 2, -2, ... (no 0 for an even count): one straight, the rest fanned out
        offsets = [0] if len(members) % 2 else []
        step = 1
        while len(offsets) < len(members):
            offsets += [step, -step]
            step += 1
        for i, off in zip(members, offsets, strict=True):
            if off == 0:
                continue
            e = edges[i]
            forward = index[e.source] <= index[e.target]
            clockwise = (off > 0) == forward
            smooth[i] = {
                "enabled": True,
                "type": "curvedCW" if clockwise else "curvedCCW",
                "roundness": round(min(0.2 * abs(off), 0.8), 2),
            }
    return smooth


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without its None values, to keep the page small."""
    return {k: v for k, v in record.items() if v is not None}


def _statement_record(st: ViewStatement, docs: dict[str, int]) -> dict[str, Any]:
    return _compact(
        {
            "evidence": st.evidence,
            "evidenceStart": st.evidence_start,
            "evidenceEnd": st.evidence_end,
            "confidence": st.confidence,
            "date": st.date,
            "start": st.start,
            "end": st.end,
            "duration": st.duration,
            "status": st.status,
            "role": st.role,
            "trigger": st.trigger,
            "doc": docs[st.document.iri] if st.document else None,
        }
    )


def _options(net: Network, *, many_edges: bool, overview: bool) -> dict[str, Any]:
    net.toggle_physics(False)
    net.toggle_stabilization(False)
    net.inherit_edge_colors(False)
    net.toggle_hide_edges_on_drag(many_edges)
    net.options.edges.smooth.enabled = False
    options: dict[str, Any] = json.loads(net.options.to_json())
    options["physics"].update(
        solver="barnesHut",
        barnesHut={"gravitationalConstant": -6000, "springLength": 150, "avoidOverlap": 0.1},
    )
    options["interaction"].update(
        hover=True, tooltipDelay=150, multiselect=False, hideEdgesOnZoom=many_edges
    )
    options["layout"] = {"improvedLayout": False, "randomSeed": 0}
    options["nodes"] = {
        "font": {"size": 18, "color": "#222222", "strokeWidth": 4, "strokeColor": "#ffffff"},
        "widthConstraint": {"maximum": 150},  # long names wrap instead of overlapping
    }
    if overview:
        # Thousands of names a few pixels high are noise: draw a name once it is readable
        # (the page script labels the most connected entities at every zoom).
        options["nodes"]["scaling"] = {"label": {"drawThreshold": 9}}
    options["edges"]["font"] = {
        "size": 10,
        "color": "#505050",
        "strokeWidth": 3,
        "strokeColor": "#ffffff",
        "align": "middle",
    }
    options["edges"]["width"] = 1.5
    options["edges"]["selectionWidth"] = 2
    return options


def _node_colour(colour: str) -> dict[str, Any]:
    return {
        "background": colour,
        "border": colour,
        "highlight": {"background": colour, "border": "#202020"},
        "hover": {"background": colour, "border": "#202020"},
    }


def _node_size(degree: int, *, overview: bool) -> int:
    """Radius by relations; in an overview hubs grow larger, to stand out among thousands."""
    if overview:
        return min(200, round(25 + 10 * math.sqrt(degree)))
    return min(45, round(10 + 5 * math.sqrt(degree)))


def _community_records(communities: tuple[Community, ...], index: dict[str, int]) -> list[dict]:
    return [
        {
            "name": c.name,
            "hub": index[c.hub],
            "size": len(c.members),
            "colour": COMMUNITY_COLOURS[i] if i < len(COMMUNITY_COLOURS) else _SMALL_COMMUNITY,
        }
        for i, c in enumerate(communities)
    ]


def _page_data(view: ViewData, layouts: Memo | None = None) -> dict[str, Any]:
    """The JSON the page script reads: nodes, edges, documents, communities and vis options."""
    net = Network(directed=True)
    index = {n.iri: i for i, n in enumerate(view.nodes)}
    overview = len(view.nodes) > OVERVIEW_NODES
    communities = find_communities(view)
    positions = layout(
        [n.iri for n in view.nodes],
        ((e.source, e.target) for e in view.edges),
        groups=[c.members for c in communities] if overview else (),
        memo=layouts,
    )
    community_of = {iri: i for i, c in enumerate(communities) for iri in c.members}
    community_colours = _community_records(communities, index)

    doc_by_iri = {d.iri: d for n in view.nodes for d in n.documents}
    for e in view.edges:
        doc_by_iri.update((s.document.iri, s.document) for s in e.statements if s.document)
    doc_list = sorted(doc_by_iri)
    docs = {iri: i for i, iri in enumerate(doc_list)}

    for n in view.nodes:
        colour, shape = class_style(n.cls)
        community = community_of.get(n.iri, -1)
        if overview:
            colour = community_colours[community]["colour"] if community >= 0 else _SMALL_COMMUNITY
        x, y = positions[n.iri]
        record = Node(
            index[n.iri],
            shape,
            label=n.label,
            color=_node_colour(colour),
            size=_node_size(n.total_degree, overview=overview),
            x=x,
            y=y,
            cls=n.cls,
            iri=n.iri,
            aliases=list(n.aliases),
            wikidata=n.wikidata,
            docs=[docs[d.iri] for d in n.documents],
            deg=n.total_degree,
            links=n.degree,
            comm=community,
        ).options
        if n.hidden_relations:
            record["more"] = n.hidden_relations
        net.nodes.append(record)
        net.node_ids.append(record["id"])

    smooth = _curves(view.edges, index)
    for i, e in enumerate(view.edges):
        status = e.status
        options: dict[str, Any] = {
            "id": i,
            "label": e.predicate,
            "pred": e.predicate,
            "status": status,
            "statements": [_statement_record(s, docs) for s in e.statements],
            "color": {"color": _ENDED_COLOUR if status == "ended" else _EDGE_COLOUR}
            | ({"opacity": 0.35} if overview else {}),
            "dashes": [2, 5] if status == "ended" else [8, 6] if status == "planned" else False,
            "smooth": smooth[i],
        }
        if e.symmetric:
            options["arrows"] = {"to": {"enabled": False}}
        net.edges.append(Edge(index[e.source], index[e.target], directed=True, **options).options)

    nodes, edges, _heading, _height, _width, _options_json = net.get_network_data()
    connected = [n for n in view.nodes if n.degree]
    return {
        "nodes": nodes,
        "edges": edges,
        "docs": [
            _compact({"iri": d.iri, "id": d.id, "title": d.title, "date": d.date})
            for d in (doc_by_iri[iri] for iri in doc_list)
        ],
        "focus": index.get(view.focus) if view.focus else None,
        "options": _options(net, many_edges=len(edges) > 2000, overview=overview),
        "overview": overview,
        "communities": community_colours,
        "classColours": {cls: class_style(cls)[0] for cls in view.classes},
        "labels": [index[n.iri] for n in rank_entities(connected)[:OVERVIEW_LABELS]]
        if overview
        else [],
        "unconnected": len(view.nodes) - len(connected),
    }


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
            graphs), or a :class:`~kg.viz.model.ViewData` already read from one.
        title: the page title and heading (plain text; it is escaped).
        max_nodes: draw at most this many entities, the most connected ones,
            and say so on the page (:func:`~kg.viz.model.limit_view`); None
            draws all. The default keeps big graphs quick to open. Ignored
            when ``graph`` is a ``ViewData``: select with
            :func:`~kg.viz.model.graph_to_view` first.
        layouts: positions of parts of the graph laid out before, reused where they
            are the same, and those of this page, kept (:func:`kg.viz.layout.layout`).

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
    data = _page_data(view, layouts)
    counts: dict[str, int] = {}
    for n in view.nodes:
        counts[n.cls] = counts.get(n.cls, 0) + 1
    classes = [
        {
            "name": cls,
            "colour": class_style(cls)[0],
            "glyph": _GLYPHS[class_style(cls)[1]],
            "count": counts[cls],
        }
        for cls in view.classes
    ]
    pred_counts: dict[str, int] = {}
    for e in view.edges:
        pred_counts[e.predicate] = pred_counts.get(e.predicate, 0) + 1
    predicates = [{"name": p, "count": pred_counts[p]} for p in view.predicates]
    doc_counts: dict[int, int] = {}
    for n in data["nodes"]:
        for d in n["docs"]:
            doc_counts[d] = doc_counts.get(d, 0) + 1
    documents = [
        {
            "index": i,
            "name": d.get("title") or d.get("id") or d["iri"],
            "date": d.get("date"),
            "count": doc_counts.get(i, 0),
        }
        for i, d in enumerate(data["docs"])
    ]
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
                "colour": _SMALL_COMMUNITY,
                "size": sum(c["size"] for c in rest),
            }
        )
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(assets.vis_js)} {_csp_hash(assets.app_js)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    return _template().render(
        title=title,
        csp=csp,
        stats=_stats(view),
        hidden=_hidden(view),
        notes=view.notes,
        classes=classes,
        predicates=predicates,
        documents=documents,
        communities=communities,
        overview=data["overview"],
        unconnected=data["unconnected"],
        empty=not view.nodes,
        # Markup: inserted as is. The JSON is escaped by _json_for_html, the files checked
        # in _assets; autoescaping would turn their quotes into entities, which a <script> or
        # <style> element does not decode.
        data_json=Markup(_json_for_html(data)),
        vis_js=Markup(assets.vis_js),
        vis_css=Markup(assets.vis_css),
        app_js=Markup(assets.app_js),
        app_css=Markup(assets.app_css),
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
