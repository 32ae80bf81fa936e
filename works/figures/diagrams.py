"""Three-node motif diagrams with signed edges.

Nodes ``x`` (bottom left), ``y`` (top) and ``z`` (bottom right, the output).
Loops have the edges x→y, x→z, y→z; colliders x→z, y→z (a collider is the
loop with the x→y edge removed). A positive edge ends in an arrow head, a
negative edge ends in a bar head and is drawn dashed.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> draw_motif(ax, "incoherent-loop", 1)
>>> draw_motif(ax, "collider", 2, origin=(1.5, 0.0), weights=[0.5, -0.2])
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

from effect.structures import MOTIF_TYPES, weight_signs
from works.figures.style import COLOURS

__all__ = ["EDGES", "NODE_POSITIONS", "arrow", "box", "draw_edge", "draw_motif"]

NODE_POSITIONS = {"x": (0.0, 0.0), "y": (0.5, 0.8), "z": (1.0, 0.0)}
EDGES = {"incoherent-loop": (("x", "y"), ("x", "z"), ("y", "z")),
         "coherent-loop": (("x", "y"), ("x", "z"), ("y", "z")),
         "collider": (("x", "z"), ("y", "z"))}


def draw_edge(ax, start, end, sign: float, width: float = 1.2, colour: str = "black", radius: float = 0.12) -> None:
    """Draw one signed edge between two points: arrow head for ``sign > 0``, bar head (dashed) for ``sign < 0``."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    direction = end - start
    length = float(np.hypot(*direction))
    if length == 0:
        raise ValueError("start and end of an edge must differ.")
    unit = direction / length
    tail, head = start + unit * radius, end - unit * radius * 1.1
    if sign >= 0:
        ax.annotate("", xy=head, xytext=tail,
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": width, "shrinkA": 0, "shrinkB": 0,
                                "mutation_scale": 8 + 2 * width})
    else:
        ax.plot(*zip(tail, head), color=colour, lw=width, ls=(0, (3, 1.5)), solid_capstyle="butt")
        normal = np.array([-unit[1], unit[0]]) * radius * 0.6
        ax.plot(*zip(head - normal, head + normal), color=colour, lw=width + 0.6, solid_capstyle="butt")


def draw_motif(ax, motif_type: str, motif_index: int | None = None, weights=None, origin=(0.0, 0.0),
               scale: float = 1.0, colour: str | None = None, labels: bool = True, title: str | None = None) -> None:
    """Draw a motif diagram into ``ax`` (data coordinates).

    Parameters
    ----------
    motif_type : {"incoherent-loop", "coherent-loop", "collider"}
    motif_index : {1, 2, 3, 4}, optional
        Structure index; gives the edge signs when ``weights`` is not given.
    weights : array-like, optional
        Signed edge weights in the order of :data:`EDGES` (x→y, x→z, y→z or x→z, y→z);
        line width grows with the magnitude.
    origin : (float, float)
        Lower-left corner of the diagram; ``scale`` multiplies its unit size.
    colour : str, optional
        Node fill colour, default the type colour of :data:`works.figures.style.COLOURS`.
    """
    if motif_type not in MOTIF_TYPES:
        raise ValueError(f"motif_type must be one of {MOTIF_TYPES}, got {motif_type!r}.")
    edges = EDGES[motif_type]
    if weights is None:
        if motif_index is None:
            raise ValueError("draw_motif needs motif_index or weights.")
        weights = weight_signs(motif_type, motif_index)
        widths = [1.2] * len(edges)
    else:
        weights = np.asarray(weights, dtype=float).ravel()
        if weights.size != len(edges):
            raise ValueError(f"weights must have {len(edges)} entries for {motif_type!r}, got {weights.size}.")
        widths = [0.4 + 2.0 * min(abs(w), 1.0) for w in weights]
    origin = np.asarray(origin, float)
    position = {n: origin + scale * np.asarray(p) for n, p in NODE_POSITIONS.items()}
    radius = 0.12 * scale
    for (a, b), w, lw in zip(edges, weights, widths):
        draw_edge(ax, position[a], position[b], float(np.sign(w)) or 1.0, width=lw, radius=radius)
    fill = colour or COLOURS[motif_type]
    for node, p in position.items():
        ax.add_patch(Circle(p, radius, facecolor=fill if node == "z" else "white", edgecolor="black", lw=0.8,
                            zorder=3))
        if labels:
            ax.text(*p, node, ha="center", va="center", fontsize=7, zorder=4)
    if title:
        ax.text(origin[0] + 0.5 * scale, origin[1] - 0.3 * scale, title, ha="center", va="top", fontsize=7)
    ax.set_aspect("equal")


def box(ax, xy, text, colour="white", width=1.6, height=0.5, fontsize=7):
    """A rounded box at ``xy`` (lower left) with centred ``text`` (schematics)."""
    ax.add_patch(FancyBboxPatch(xy, width, height, boxstyle="round,pad=0.03", facecolor=colour, edgecolor="black",
                                lw=0.6))
    ax.text(xy[0] + width / 2, xy[1] + height / 2, text, ha="center", va="center", fontsize=fontsize, wrap=True)


def arrow(ax, start, end):
    """A black arrow from ``start`` to ``end`` (schematics)."""
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "lw": 0.8, "color": "black"})
