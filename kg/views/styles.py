"""How the HTML view draws things: the colour and shape of each entity class, community
colours, node sizes.

>>> class_style("Company")
('#4e79a7', 'dot')
"""

from __future__ import annotations

import math
from typing import Any

from kg.types import coarse_class

__all__ = [
    "CLASS_STYLES",
    "COMMUNITY_COLOURS",
    "EDGE_COLOUR",
    "ENDED_COLOUR",
    "GLYPHS",
    "SMALL_COMMUNITY",
    "class_style",
    "node_colour",
    "node_size",
]

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
OTHER_STYLE = ("#c7c7c7", "ellipse")

#: Legend glyph of each shape.
GLYPHS = {
    "dot": "\u25cf",
    "square": "\u25a0",
    "hexagon": "\u2b22",
    "diamond": "\u25c6",
    "triangle": "\u25b2",
    "triangleDown": "\u25bc",
    "star": "\u2605",
    "ellipse": "\u2b2c",
}

#: Colours of the biggest communities, biggest first; smaller ones share :data:`SMALL_COMMUNITY`.
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
SMALL_COMMUNITY = "#b4b4b4"

EDGE_COLOUR = "#707070"
ENDED_COLOUR = "#bdbdbd"


def class_style(cls: str) -> tuple[str, str]:
    """The ``(colour, shape)`` an entity class is drawn with.

    A class the view does not know is drawn like its coarse class, or grey.

    >>> class_style("City")
    ('#86bcb6', 'triangleDown')
    >>> class_style("Event")
    ('#c7c7c7', 'ellipse')
    """
    return CLASS_STYLES.get(cls) or CLASS_STYLES.get(coarse_class(cls), OTHER_STYLE)


def node_colour(colour: str) -> dict[str, Any]:
    return {
        "background": colour,
        "border": colour,
        "highlight": {"background": colour, "border": "#202020"},
        "hover": {"background": colour, "border": "#202020"},
    }


def node_size(degree: int, *, overview: bool) -> int:
    """Radius by relations; in an overview hubs grow larger, to stand out among thousands."""
    if overview:
        return min(200, round(25 + 10 * math.sqrt(degree)))
    return min(45, round(10 + 5 * math.sqrt(degree)))
