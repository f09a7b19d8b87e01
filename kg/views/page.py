"""The data of the HTML view's page: the nodes, edges, documents, communities and vis options
its script reads, as one JSON-ready dict (:func:`page_data`).

Positions come from :mod:`kg.views.layout`, communities from
:mod:`kg.views.communities`. The vis-network records and options are those pyvis 0.3
made (the page inlines pyvis's copy of vis-network), written here as plain dicts: importing
pyvis brings IPython, a third of a second of every ``kg add``.
"""

from __future__ import annotations

from typing import Any

from kg.memo import Memo
from kg.views.communities import Community, find_communities, rank_entities
from kg.views.layout import layout
from kg.views.model import ViewData, ViewEdge, ViewStatement
from kg.views.styles import (
    COMMUNITY_COLOURS,
    EDGE_COLOUR,
    ENDED_COLOUR,
    SMALL_COMMUNITY,
    class_style,
    node_colour,
    node_size,
)

__all__ = ["OVERVIEW_LABELS", "OVERVIEW_NODES", "compact", "page_data"]

#: A page drawing more entities than this opens as an overview: entities coloured by community,
#: the most connected labelled at a readable size, entities without a drawn relation left out.
OVERVIEW_NODES = 200
#: How many of the most connected entities the overview labels (the first 20 always, the rest
#: where their label does not cover another).
OVERVIEW_LABELS = 30


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


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without its None values, to keep the page small."""
    return {k: v for k, v in record.items() if v is not None}


def _statement_record(st: ViewStatement, docs: dict[str, int]) -> dict[str, Any]:
    return compact(
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


def _options(*, many_edges: bool, overview: bool) -> dict[str, Any]:
    # pyvis's defaults with physics, stabilization, inherited edge colours and smooth
    # edges turned off, and edges hidden on drag when there are many.
    options: dict[str, Any] = {
        "configure": {"enabled": False},
        "edges": {"color": {"inherit": False}, "smooth": {"enabled": False, "type": "dynamic"}},
        "interaction": {
            "dragNodes": True,
            "hideEdgesOnDrag": many_edges,
            "hideNodesOnDrag": False,
        },
        "physics": {
            "enabled": False,
            "stabilization": {
                "enabled": False,
                "fit": True,
                "iterations": 1000,
                "onlyDynamicEdges": False,
                "updateInterval": 50,
            },
        },
    }
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


def _community_records(communities: tuple[Community, ...], index: dict[str, int]) -> list[dict]:
    return [
        {
            "name": c.name,
            "hub": index[c.hub],
            "size": len(c.members),
            "colour": COMMUNITY_COLOURS[i] if i < len(COMMUNITY_COLOURS) else SMALL_COMMUNITY,
        }
        for i, c in enumerate(communities)
    ]


def page_data(view: ViewData, layouts: Memo | None = None) -> dict[str, Any]:
    """The JSON the page script reads: nodes, edges, documents, communities and vis options."""
    index = {n.iri: i for i, n in enumerate(view.nodes)}
    overview = len(view.nodes) > OVERVIEW_NODES
    communities = find_communities(view)
    community_colours = _community_records(communities, index)

    doc_by_iri = {d.iri: d for n in view.nodes for d in n.documents}
    for e in view.edges:
        doc_by_iri.update((s.document.iri, s.document) for s in e.statements if s.document)
    doc_list = sorted(doc_by_iri)
    docs = {iri: i for i, iri in enumerate(doc_list)}

    nodes = _node_records(view, communities, community_colours, docs, layouts, overview=overview)
    edges = _edge_records(view, index, docs, overview=overview)
    connected = [n for n in view.nodes if n.degree]
    return {
        "nodes": nodes,
        "edges": edges,
        "docs": [
            compact({"iri": d.iri, "id": d.id, "title": d.title, "date": d.date})
            for d in (doc_by_iri[iri] for iri in doc_list)
        ],
        "focus": index.get(view.focus) if view.focus else None,
        "options": _options(many_edges=len(edges) > 2000, overview=overview),
        "overview": overview,
        "communities": community_colours,
        "classColours": {cls: class_style(cls)[0] for cls in view.classes},
        "labels": [index[n.iri] for n in rank_entities(connected)[:OVERVIEW_LABELS]]
        if overview
        else [],
        "unconnected": len(view.nodes) - len(connected),
    }


def _node_records(
    view: ViewData,
    communities: tuple[Community, ...],
    community_colours: list[dict],
    docs: dict[str, int],
    layouts: Memo | None,
    *,
    overview: bool,
) -> list[dict[str, Any]]:
    """The vis-network record of each entity, laid out (by community in an overview)."""
    index = {n.iri: i for i, n in enumerate(view.nodes)}
    positions = layout(
        [n.iri for n in view.nodes],
        ((e.source, e.target) for e in view.edges),
        groups=[c.members for c in communities] if overview else (),
        memo=layouts,
    )
    community_of = {iri: i for i, c in enumerate(communities) for iri in c.members}
    records = []
    for n in view.nodes:
        colour, shape = class_style(n.cls)
        community = community_of.get(n.iri, -1)
        if overview:
            colour = community_colours[community]["colour"] if community >= 0 else SMALL_COMMUNITY
        x, y = positions[n.iri]
        record = {
            "id": index[n.iri],
            "shape": shape,
            "label": n.label,
            "color": node_colour(colour),
            "size": node_size(n.total_degree, overview=overview),
            "x": x,
            "y": y,
            "cls": n.cls,
            "iri": n.iri,
            "aliases": list(n.aliases),
            "wikidata": n.wikidata,
            "docs": [docs[d.iri] for d in n.documents],
            "deg": n.total_degree,
            "links": n.degree,
            "comm": community,
        }
        if n.hidden_relations:
            record["more"] = n.hidden_relations
        records.append(record)
    return records


def _edge_records(
    view: ViewData, index: dict[str, int], docs: dict[str, int], *, overview: bool
) -> list[dict[str, Any]]:
    """The vis-network record of each relation: its statements, status and curve."""
    smooth = _curves(view.edges, index)
    records = []
    for i, e in enumerate(view.edges):
        status = e.status
        options: dict[str, Any] = {
            "id": i,
            "label": e.predicate,
            "pred": e.predicate,
            "status": status,
            "statements": [_statement_record(s, docs) for s in e.statements],
            "color": {"color": ENDED_COLOUR if status == "ended" else EDGE_COLOUR}
            | ({"opacity": 0.35} if overview else {}),
            "dashes": [2, 5] if status == "ended" else [8, 6] if status == "planned" else False,
            "smooth": smooth[i],
        }
        options["arrows"] = {"to": {"enabled": False}} if e.symmetric else "to"
        records.append({**options, "from": index[e.source], "to": index[e.target]})
    return records
