"""Node positions for the HTML view, computed once so the page opens without physics.

Each connected component is laid out on its own and the components are then
packed in rows, biggest first, so unconnected entities do not get flung to the
rim of one big layout. Components of up to :data:`SMALL` nodes use networkx's
Kamada-Kawai layout (started from a seeded ``spring_layout``), those below
:data:`LARGE` nodes the ``spring_layout`` itself; bigger ones use the grid
variant of the same Fruchterman-Reingold model (repulsion only between nodes
closer than a few edge lengths, found with a k-d tree), which takes seconds
where networkx takes minutes. Everything is seeded, so the same graph gets the same positions.

Given communities (``groups``), a big component is drawn community by
community: each community laid out on its own as above, the communities then
placed as discs by a spring layout of the graph of communities (linked
communities near each other) and pushed apart until no two discs overlap.
Each community is then one patch of the picture, which is what makes an
overview of thousands of entities legible.

>>> pos = layout(["a", "b", "c"], [("a", "b")])
>>> sorted(pos) == ["a", "b", "c"] and all(isinstance(v, int) for xy in pos.values() for v in xy)
True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.interrupts import threads_leave_ctrl_c
from kg.memo import Memo

with threads_leave_ctrl_c():  # numpy loads OpenBLAS, which starts its threads
    import networkx as nx
    import numpy as np

__all__ = ["GAP", "GROUPED", "LARGE", "SMALL", "SPACING", "component_key", "layout", "layout_salt"]

#: Pixels between unconnected nodes, and between neighbours in big components.
SPACING = 160.0
#: Typical pixels between a node and its nearest neighbour in small components.
GAP = 96.0
#: Components of at most this many nodes get the Kamada-Kawai layout.
SMALL = 100
#: Components of at least this many nodes get the fast grid layout.
LARGE = 400
#: Components of at least this many nodes are drawn community by community, when given them.
GROUPED = 60
_SEED = 20180704


def _local_fruchterman_reingold(
    n: int, edges: np.ndarray, *, seed: int, iterations: int = 100, neighbours: int = 12
) -> np.ndarray:
    """Fruchterman-Reingold where each node is pushed only by its nearest neighbours.

    Positions are in units of the ideal edge length. Cost per iteration is
    O(n log n) (a k-d tree) instead of the O(n^2) of exact repulsion.
    """
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    side = math.sqrt(n)
    pos = rng.random((n, 2)) * side
    src, dst = edges[:, 0], edges[:, 1]
    k = min(neighbours + 1, n)
    temperature = side / 8
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        _, near = cKDTree(pos).query(pos, k=k)
        i = np.repeat(np.arange(n), k - 1)
        j = near[:, 1:].ravel()
        delta = pos[i] - pos[j]
        push = delta / np.maximum((delta**2).sum(axis=1), 1e-6)[:, None]  # k^2 / d, away from j
        delta = pos[src] - pos[dst]
        pull = delta * np.sqrt((delta**2).sum(axis=1))[:, None]  # d^2 / k, towards each other
        disp = np.empty_like(pos)
        for axis in (0, 1):
            disp[:, axis] = (
                np.bincount(i, push[:, axis], n)
                - np.bincount(src, pull[:, axis], n)
                + np.bincount(dst, pull[:, axis], n)
            )
        length = np.maximum(np.sqrt((disp**2).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    # Only near neighbours push, so the picture shrinks; scale it back to unit spacing.
    return pos / _typical_gap(pos)


def _typical_gap(pos: np.ndarray) -> float:
    """The median distance from a point to its nearest other point (at least 1e-9)."""
    diff = pos[:, None, :] - pos[None, :, :] if len(pos) <= 2000 else None
    if diff is not None:
        dist = np.sqrt((diff**2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        nearest = dist.min(axis=1)
    else:
        from scipy.spatial import cKDTree

        nearest = cKDTree(pos).query(pos, k=2)[0][:, 1]
    return max(float(np.median(nearest)), 1e-9)


def _component(
    nodes: list[str], edges: list[tuple[str, str]], *, refine: bool = True, memo: Memo | None = None
) -> dict[str, tuple[float, float]]:
    """Positions of one connected component, GAP (small) or SPACING (large) px apart.

    ``refine``: even out small components' edge lengths with Kamada-Kawai (slow for many).
    ``memo``: positions of components laid out before, by :func:`component_key`.
    """
    if memo is None:
        return _laid_out(nodes, edges, refine=refine)
    key = component_key(nodes, edges, refine=refine)
    kept = memo.get(key)
    if isinstance(kept, list) and len(kept) == len(nodes):
        return {iri: (float(x), float(y)) for iri, (x, y) in zip(nodes, kept, strict=True)}
    pos = _laid_out(nodes, edges, refine=refine)
    memo.put(key, [list(pos[iri]) for iri in nodes])
    return pos


def component_key(nodes: Sequence[str], edges: Sequence[tuple[str, str]], *, refine: bool) -> str:
    """A digest of what a component's layout depends on (nodes and edges in order, ``refine``).

    >>> component_key(["a", "b"], [("a", "b")], refine=True) == component_key(
    ...     ["a", "b"], [], refine=True)
    False
    """
    text = "\x1e".join(nodes) + "\x1d" + "\x1e".join(f"{a}\x1f{b}" for a, b in edges)
    return hashlib.sha256(f"{int(refine)}\x1d{text}".encode()).hexdigest()[:32]


def layout_salt() -> str:
    """What kept layouts hold for: kg's version, this module's code and the numeric libraries
    that make them."""
    from kg import __version__

    try:
        with threads_leave_ctrl_c():  # scipy.linalg loads OpenBLAS, which starts its threads
            import scipy
            import scipy.linalg  # the layouts' solvers load it
    except ImportError:  # the circle of _laid_out
        scipy = None
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    versions = (nx.__version__, np.__version__, getattr(scipy, "__version__", "-"))
    return "/".join((__version__, code, *versions))


def _laid_out(
    nodes: list[str], edges: list[tuple[str, str]], *, refine: bool
) -> dict[str, tuple[float, float]]:
    """:func:`_component`, computed."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) < LARGE:
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)
        pos = nx.spring_layout(graph, seed=_SEED)
        if refine and len(nodes) <= SMALL:
            # Kamada-Kawai evens out edge lengths (spring_layout squeezes a hub's leaves
            # together when a long chain hangs off it); it is O(n^2), so small parts only.
            pos = nx.kamada_kawai_layout(graph, pos=pos)
        coords = np.array([pos[iri] for iri in nodes], dtype=float)
        return {
            iri: (float(x), float(y))
            for iri, (x, y) in zip(nodes, coords / _typical_gap(coords) * GAP, strict=True)
        }
    index = {iri: i for i, iri in enumerate(nodes)}
    pairs = np.array([(index[a], index[b]) for a, b in edges], dtype=np.intp).reshape(-1, 2)
    try:
        coords = _local_fruchterman_reingold(len(nodes), pairs, seed=_SEED) * SPACING
    except ImportError:  # without scipy a circle still opens fast
        circle = nx.circular_layout(nodes, scale=SPACING * len(nodes) / (2 * math.pi))
        coords = np.array([circle[iri] for iri in nodes])
    return {iri: (float(x), float(y)) for iri, (x, y) in zip(nodes, coords, strict=True)}


def _separate(centres: np.ndarray, radii: np.ndarray, *, iterations: int = 300) -> np.ndarray:
    """Move discs (``centres``, ``radii``) apart until none overlaps another; big ones move less."""
    pos = centres.astype(float).copy()
    weight = radii[None, :] / (radii[:, None] + radii[None, :])  # the share of i's move
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(radii[:, None] + radii[None, :] - dist, 0.0, None)
        if not overlap.any():
            break
        direction = delta / np.where(dist > 1e-9, dist, 1.0)[..., None]
        pos += (direction * (overlap * weight * 1.05)[..., None]).sum(axis=1)
    return pos


def _grouped(
    nodes: list[str],
    edges: list[tuple[str, str]],
    group_of: dict[str, int],
    memo: Memo | None = None,
) -> dict[str, tuple[float, float]]:
    """Positions of one component drawn community by community (see the module's docstring)."""
    members: dict[int, list[str]] = {}
    for iri in nodes:
        members.setdefault(group_of.get(iri, -1), []).append(iri)
    inner: dict[int, list[tuple[str, str]]] = {g: [] for g in members}
    between: dict[tuple[int, int], int] = {}
    for a, b in edges:
        ga, gb = group_of.get(a, -1), group_of.get(b, -1)
        if ga == gb:
            inner[ga].append((a, b))
        else:
            key = (min(ga, gb), max(ga, gb))
            between[key] = between.get(key, 0) + 1
    order = sorted(members, key=lambda g: (-len(members[g]), members[g][0]))
    parts, radii = [], []
    for g in order:
        pos = _component(members[g], inner[g], refine=False, memo=memo)
        xy = np.array([pos[iri] for iri in members[g]])
        xy -= xy.mean(axis=0)
        parts.append(xy)
        radii.append(float(np.sqrt((xy**2).sum(axis=1)).max()) + SPACING)
    spots = nx.Graph()
    spots.add_nodes_from(range(len(order)))
    rank = {g: i for i, g in enumerate(order)}
    spots.add_weighted_edges_from((rank[a], rank[b], w) for (a, b), w in sorted(between.items()))
    start = nx.spring_layout(spots, seed=_SEED, weight="weight")
    r = np.array(radii)
    centres = np.array([start[i] for i in range(len(order))]) * math.sqrt((r**2).sum()) * 1.2
    centres = _separate(centres, r)
    return {
        iri: (float(x), float(y))
        for i, g in enumerate(order)
        for iri, (x, y) in zip(members[g], parts[i] + centres[i], strict=True)
    }


def layout(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    groups: Iterable[Iterable[str]] = (),
    memo: Memo | None = None,
) -> dict[str, tuple[int, int]]:
    """Integer pixel positions for ``nodes``, the same for the same graph.

    Args:
        nodes: node ids.
        edges: pairs of node ids (direction and repeats do not matter).
        groups: communities (sets of node ids) to keep together, one patch each,
            in components of at least :data:`GROUPED` nodes; none by default.
        memo: positions of components laid out before (:class:`kg.memo.Memo`), reused
            for the same components, and those of this layout, kept; the result is the same.

    Returns:
        ``{node: (x, y)}`` with every node of ``nodes``.

    >>> layout(["solo"], [])
    {'solo': (80, 80)}
    """
    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted((a, b) for a, b in edges if a != b))
    components = sorted(
        (sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    group_of = {iri: i for i, group in enumerate(groups) for iri in group}
    boxes = []  # (positions from the box's top-left corner, width, height)
    for members in components:
        # Each edge (a, b) with a < b: a subgraph's edges come out either way round.
        inside = sorted((min(e), max(e)) for e in graph.subgraph(members).edges())
        if len(members) >= GROUPED and len({group_of.get(iri, -1) for iri in members}) > 1:
            pos = _grouped(members, inside, group_of, memo)
        else:
            pos = _component(members, inside, memo=memo)
        xs = [x for x, _ in pos.values()]
        ys = [y for _, y in pos.values()]
        left, top = min(xs) - SPACING / 2, min(ys) - SPACING / 2
        shifted = {iri: (x - left, y - top) for iri, (x, y) in pos.items()}
        boxes.append((shifted, max(xs) - min(xs) + SPACING, max(ys) - min(ys) + SPACING))

    # Shelf packing, in rows a little wider than the picture is tall.
    area = sum(w * h for _, w, h in boxes)
    row_width = max([math.sqrt(area) * 1.3] + [w for _, w, _ in boxes])
    result: dict[str, tuple[int, int]] = {}
    x = y = row_height = 0.0
    for pos, w, h in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for iri, (px, py) in pos.items():
            result[iri] = (round(x + px), round(y + py))
        x += w
        row_height = max(row_height, h)
    return result
