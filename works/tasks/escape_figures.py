"""Figures of task 2: Figs. 3 and 4 (``main03``, ``main04``) and Figs. S4-S8, one function per panel.

Panels read only the packs of :mod:`works.tasks.escape_packs`; Fig. 3a is a schematic.

Examples
--------
>>> FIGURES["supp06"].__name__, len(FIGURES)
('draw_supp06', 7)
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from scipy.stats import gaussian_kde

from works.figures.diagrams import draw_motif
from works.figures.packs import has, need
from works.figures.panels import before_after_scatter, box_pair
from works.figures.runner import compose, label_panels, letter_grid
from works.figures.style import (
    COLOURS,
    TYPE_COLOURS,
    TYPE_SYMBOLS,
    WIDTH,
    not_available,
    panel_label,
    percent_axis,
    side_colourbar,
)
from works.layout import LETTERS

__all__ = ["FIGURES", "draw_main03", "draw_main04", "draw_supp04", "draw_supp05", "draw_supp06", "draw_supp07",
           "draw_supp08"]


# --------------------------------------------------------------------------------------------------- Fig. 3


def panel_main03a(ax) -> None:
    """Schematic of the maximum–minimum loss search."""
    ax.add_patch(Rectangle((0, 0), 3, 2, facecolor=COLOURS["incoherent-loop"], alpha=0.4, edgecolor="black"))
    ax.add_patch(Rectangle((5, 0), 3, 2, facecolor=COLOURS["collider"], alpha=0.4, edgecolor="black"))
    ax.text(1.5, 2.2, "loop population ($\\mathcal{L}_i$ or $\\mathcal{L}_c$)", ha="center", fontsize=7)
    ax.text(6.5, 2.2, "collider population ($\\mathcal{C}$)", ha="center", fontsize=7)
    draw_motif(ax, "incoherent-loop", 1, origin=(1.0, 0.6))
    draw_motif(ax, "collider", 1, origin=(6.0, 0.6))
    ax.annotate("", xy=(5.0, 1.4), xytext=(3.0, 1.4), arrowprops={"arrowstyle": "<|-", "lw": 0.8})
    ax.annotate("", xy=(5.0, 0.6), xytext=(3.0, 0.6), arrowprops={"arrowstyle": "-|>", "lw": 0.8})
    ax.text(4.0, 1.55, "minimise difference\nby training colliders", ha="center", fontsize=7)
    ax.text(4.0, 0.05, "maximise difference\nby training the loop", ha="center", fontsize=7)
    ax.set_xlim(-0.2, 8.2)
    ax.set_ylim(-0.2, 2.6)
    ax.set_axis_off()


def _utilisation(ax, pack, letter, motif_type, what):
    values = need(pack, letter, shape=(2, None), kind="f")
    box_pair(ax, values[0], values[1], COLOURS[motif_type])
    ax.set_ylabel("utilization")
    ax.set_title(f"{what} of {TYPE_SYMBOLS[motif_type]}")


def panel_main03b(ax, pack) -> None:
    """|weight x→y| of incoherent loops before/after escaping."""
    _utilisation(ax, pack, "b", "incoherent-loop", "weight x→y")


def panel_main03c(ax, pack) -> None:
    """|bias of node y| of incoherent loops before/after escaping."""
    _utilisation(ax, pack, "c", "incoherent-loop", "bias of y")


def panel_main03d(ax, pack) -> None:
    """|weight x→y| of coherent loops before/after escaping."""
    _utilisation(ax, pack, "d", "coherent-loop", "weight x→y")


def panel_main03e(ax, pack) -> None:
    """|bias of node y| of coherent loops before/after escaping."""
    _utilisation(ax, pack, "e", "coherent-loop", "bias of y")


def draw_main03(out_dir):
    """Fig. 3: escape schematic and parameter utilisation before/after escaping."""
    def layout(fig, axes, pack):
        fig.clf()
        grid = fig.add_gridspec(2, 4, height_ratios=(1, 1.2))
        schematic = fig.add_subplot(grid[0, :])
        panel_main03a(schematic)
        panel_label(schematic, "a", x=0.0)
        for k, (letter, panel) in enumerate(zip("bcde", (panel_main03b, panel_main03c, panel_main03d,
                                                          panel_main03e))):
            ax = fig.add_subplot(grid[1, k])
            panel(ax, pack)
            panel_label(ax, letter)

    return compose(out_dir, "main03", layout, height=6.0)


# --------------------------------------------------------------------------------------------------- Fig. 4


def _example_panel(axes, pack, letter):
    """Five maps (landscape before, change, after; curvature before, after) and a table of area proportions on
    ``axes`` (six axes); the row title (structure, case) sits above the first map."""
    keys = ("before", "after", "before_curvature", "after_curvature")
    maps = [need(pack, f"{letter}/{k}", shape=(None, None), kind="f") for k in keys]
    if any(m.shape != maps[0].shape for m in maps):
        raise ValueError(f"packed data {pack.name!r} key {letter!r}: landscape and curvature maps differ in shape.")
    before, after, curve_1, curve_2 = maps
    extent = (-1, 1, -1, 1)
    images = [(before, "PRGn", "before", 1), (after - before, "PRGn", "+ change", 2), (after, "PRGn", "= after", 1),
              (curve_1, "binary", "curvature before", 1), (curve_2, "binary", "curvature after", 1)]
    for k, (ax, (image, cmap, title, limit)) in enumerate(zip(axes, images)):
        shown = ax.imshow(image.T, origin="lower", extent=extent, cmap=cmap, vmin=-limit, vmax=limit)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        if k not in (0, 3):  # the maps of one group share the y axis of their first map
            ax.tick_params(labelleft=False)
        if k in (1, 2, 4):  # one colour bar per scale: change, output, curvature
            bar = side_colourbar(shown, ax, ticks=[-limit, 0, limit], width=0.07)
            if k == 4:
                bar.ax.set_yticklabels(["concave", "flat", "convex"])
    rows = [[f"{np.mean(c == 1):.1%}", f"{np.mean(c == -1):.1%}"] for c in (curve_1, curve_2)]
    rows.append([f"{float(np.mean(curve_2 == 1) - np.mean(curve_1 == 1)):+.1%}",
                 f"{float(np.mean(curve_2 == -1) - np.mean(curve_1 == -1)):+.1%}"])
    axes[5].set_axis_off()
    table = axes[5].table(cellText=rows, rowLabels=["before", "after", "change"], colLabels=["convex", "concave"],
                          loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.auto_set_column_width([-1, 0, 1])  # every cell as wide as its column's widest text
    record = int(need(pack, f"{letter}/record", shape=()))
    structure = str(need(pack, f"{letter}/structure", shape=(), kind="U"))
    motif_type = structure.split(".")[0]
    symbol = f" ({TYPE_SYMBOLS[motif_type]})" if motif_type in TYPE_SYMBOLS else ""
    axes[0].text(0.0, 1.32, f"{structure}{symbol}, case {record + 1}", transform=axes[0].transAxes, fontsize=9,
                 va="bottom", ha="left")


def panel_main04a(axes, pack) -> None:
    """Worked example of an incoherent loop (six axes: three landscapes, two curvature maps, a table)."""
    _example_panel(axes, pack, "a")


def panel_main04b(axes, pack) -> None:
    """Worked example of a coherent loop."""
    _example_panel(axes, pack, "b")


def _curvature_scatter(ax, pack, letter, motif_type):
    values = need(pack, letter, shape=(None, 4), kind="f")
    example = int(need(pack, f"{letter}_example", shape=())) if has(pack, f"{letter}_example") else -1
    before_after_scatter(ax, values[:, 0], values[:, 1], COLOURS[motif_type], TYPE_SYMBOLS[motif_type],
                         highlight=example if example >= 0 else None)
    ax.scatter(values[:, 2], values[:, 3], s=4, marker="x", color=TYPE_COLOURS["collider"], linewidths=0.5,
               label=TYPE_SYMBOLS["collider"])
    ax.legend(frameon=False, loc="lower right")
    ax.set_title("predominant curvature proportion")


def panel_main04c(ax, pack) -> None:
    """Predominant curvature proportion before vs after escaping, incoherent loops and their catchers."""
    _curvature_scatter(ax, pack, "c", "incoherent-loop")


def panel_main04d(ax, pack) -> None:
    """Predominant curvature proportion before vs after escaping, coherent loops and their catchers."""
    _curvature_scatter(ax, pack, "d", "coherent-loop")


#: Fig. 4 in inches (10 wide): rows a and b of five maps (with colour bars) and a table, then c and d.
_MAIN04_HEIGHT = 9.2
_MAIN04_MAP = 1.15  # side of one square map
_MAIN04_MAP_X = (0.35, 1.65, 3.45, 5.3, 6.6)  # left edges of the five maps
_MAIN04_TABLE = (8.55, 1.45)  # left edge and width of the table
_MAIN04_ROW_Y = (7.4, 5.25)  # bottom edges of rows a and b
_MAIN04_SCATTER = ((0.75, 0.55, 3.75, 3.75), (5.75, 0.55, 3.75, 3.75))  # c, d: left, bottom, width, height


def draw_main04(out_dir):
    """Fig. 4: curvature changes during the escape."""
    def inches(fig, left, bottom, width, height):
        w, h = fig.get_size_inches()
        return fig.add_axes([left / w, bottom / h, width / w, height / h])

    def layout(fig, axes, pack):
        fig.clf()
        fig.set_size_inches(WIDTH, _MAIN04_HEIGHT)
        side = _MAIN04_MAP
        for bottom, (letter, panel) in zip(_MAIN04_ROW_Y, (("a", panel_main04a), ("b", panel_main04b))):
            row = [inches(fig, x, bottom, side, side) for x in _MAIN04_MAP_X]
            row.append(inches(fig, _MAIN04_TABLE[0], bottom, _MAIN04_TABLE[1], side))
            panel(row, pack)
            panel_label(row[0], letter, x=-0.26, y=1.3)
        for box, (letter, panel) in zip(_MAIN04_SCATTER, (("c", panel_main04c), ("d", panel_main04d))):
            ax = inches(fig, *box)
            panel(ax, pack)
            panel_label(ax, letter, x=-0.16, y=1.04)

    return compose(out_dir, "main04", layout, height=_MAIN04_HEIGHT, tight=False)


# --------------------------------------------------------------------------------------------------- S4 - S8


def panel_supp04(axes, pack, letter):
    """Escape snapshots of one coherent-loop.1 case (one small heat map per snapshot); returns the last image."""
    maps = need(pack, f"{letter}/landscapes", shape=(None, None, None), kind="f")
    iterations = need(pack, f"{letter}/iterations", shape=(maps.shape[0],), kind="i")
    record = int(need(pack, f"{letter}/record", shape=()))
    image = None
    for k, ax in enumerate(axes):
        if k >= len(maps):
            ax.set_axis_off()
            continue
        image = ax.imshow(maps[k].T, origin="lower", extent=(-1, 1, -1, 1), cmap="PRGn", vmin=-1, vmax=1)
        ax.set_title("initial" if iterations[k] == 0 else f"iteration {iterations[k]}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].set_ylabel(f"case {record + 1}")
    return image


def draw_supp04(out_dir):
    """Fig. S4: escape of coherent-loop.1 cases 43 (a) and 61 (b)."""
    def layout(fig, axes, pack):
        for row, letter in enumerate("ab"):
            image = panel_supp04(axes[row], pack, letter)
            panel_label(axes[row, 0], letter, x=-1.0, y=0.9)
            if image is not None:
                side_colourbar(image, image.axes, "output", ticks=[-1, 0, 1], width=0.1)

    return compose(out_dir, "supp04", layout, 2, 11, height=2.4)


def panel_supp05(ax, pack, letter):
    """Per-case distributions of gradient/landscape-change correlations, sorted by peak position."""
    x = need(pack, "x", shape=(None,), kind="f")
    ax.set_title(f"{TYPE_SYMBOLS['coherent-loop']}-{LETTERS.index(letter) + 1}")
    if not has(pack, letter):
        not_available(ax)
        return None
    rows = need(pack, letter, shape=(None, len(x)), kind="f")
    peaks = x[np.argmax(rows, axis=1)]
    order = np.argsort(peaks, kind="stable")
    mesh = ax.imshow(rows[order], aspect="auto", origin="lower", extent=(x[0], x[-1], 0, len(rows)), cmap="rainbow",
                     interpolation="nearest")
    ax.plot(peaks[order], np.arange(len(rows)) + 0.5, color="black", lw=0.8)
    ax.axvline(0, ls="--", color="black", lw=0.6)
    crossing = np.searchsorted(peaks[order], 0.0)
    ax.axhline(crossing, ls="--", color="white", lw=0.6)
    ax.set_xlabel("correlation")
    ax.set_ylabel("case index")
    return mesh


def draw_supp05(out_dir):
    """Fig. S5: gradient magnitude vs landscape change during escape, L_c-1…4."""
    def layout(fig, axes, pack):
        meshes = [panel_supp05(ax, pack, letter) for ax, letter in zip(axes[0], "abcd")]
        mesh = next((m for m in meshes if m is not None), None)
        if mesh is not None:
            fig.colorbar(mesh, ax=list(axes[0]), fraction=0.02, label="proportion")
        for ax in axes[0, 1:]:  # one y label for the row (it would overlap the panel on its left)
            ax.set_ylabel("")
        label_panels(axes[0], "abcd")

    return compose(out_dir, "supp05", layout, 1, 4, height=3.0, tight=False)


def _proportion_scatter(ax, pack, letter, motif_type):
    ax.set_title(f"{TYPE_SYMBOLS[motif_type]}-{LETTERS.index(letter) + 1}")
    if not has(pack, letter):
        not_available(ax)
        return
    values = need(pack, letter, shape=(None, 2), kind="f")
    before_after_scatter(ax, values[:, 0], values[:, 1], COLOURS[motif_type])


def panel_supp06(ax, pack, letter) -> None:
    """Predominant curvature proportion before vs after escaping of one incoherent structure."""
    _proportion_scatter(ax, pack, letter, "incoherent-loop")


def panel_supp08(ax, pack, letter) -> None:
    """Predominant curvature proportion before vs after escaping of one coherent structure."""
    _proportion_scatter(ax, pack, letter, "coherent-loop")


def draw_supp06(out_dir):
    """Fig. S6: L_i-1…4 curvature proportions."""
    return letter_grid(out_dir, "supp06", panel_supp06, 1, 4, height=2.8)


def draw_supp08(out_dir):
    """Fig. S8: L_c-1…4 curvature proportions."""
    return letter_grid(out_dir, "supp08", panel_supp08, 1, 4, height=2.8)


def panel_supp07a(axes, pack) -> None:
    """Pipeline example: curvature map → landscape with contour → ridge/valley region, before and after."""
    if not has(pack, "a"):
        for ax in axes.ravel():
            not_available(ax, "no decreasing case")
        return
    for row, when in enumerate(("before", "after")):
        curvature = need(pack, f"a/{when}_curvature", shape=(None, None), kind="f")
        surface = need(pack, f"a/{when}", shape=curvature.shape, kind="f")
        region = need(pack, f"a/{when}_region", shape=curvature.shape, kind="f")
        axes[row, 0].imshow(curvature.T, origin="lower", extent=(-1, 1, -1, 1), cmap="binary", vmin=-1, vmax=1)
        shown = axes[row, 1].imshow(surface.T, origin="lower", extent=(-1, 1, -1, 1), cmap="PRGn", vmin=-1, vmax=1)
        side_colourbar(shown, axes[row, 1], "output", ticks=[-1, 0, 1], width=0.07)
        axes[row, 1].contour(np.linspace(-1, 1, surface.shape[0]), np.linspace(-1, 1, surface.shape[1]), surface.T,
                             levels=[0.0], colors="black", linewidths=0.8)
        axes[row, 2].imshow(region.T, origin="lower", extent=(-1, 1, -1, 1), cmap="Greys", vmin=0, vmax=1)
        axes[row, 2].set_title(f"area {region.mean():.1%}", fontsize=7)
        axes[row, 0].set_ylabel(f"{when} escaping")
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])


def panel_supp07b(ax, pack) -> None:
    """Distribution of the predominant ridge/valley area before vs after escaping (filled KDEs)."""
    fractions = need(pack, "b", shape=(None, 2), kind="f")
    if len(fractions) < 2:
        not_available(ax, "fewer than two decreasing cases")
        return
    x = np.linspace(0.2, 0.5, 100)
    for column, (label, colour) in enumerate((("before", "#BBBBBB"), ("after", COLOURS["incoherent-loop"]))):
        values = fractions[:, column]
        y = gaussian_kde(values)(x) if np.ptp(values) > 0 else np.zeros_like(x)
        ax.fill_between(x, y, alpha=0.6, color=colour, label=f"{label} escaping")
    ax.set_xlim(0.2, 0.5)
    percent_axis(ax.xaxis)
    ax.set_xlabel("predominant ridge/valley area")
    ax.set_ylabel("density")
    ax.legend(frameon=False)


def draw_supp07(out_dir):
    """Fig. S7: ridge/valley areas of incoherent loops whose curvature proportion decreased."""
    def layout(fig, axes, pack):
        fig.clf()
        grid = fig.add_gridspec(2, 5)
        axes = np.array([[fig.add_subplot(grid[r, c]) for c in range(3)] for r in range(2)])
        panel_supp07a(axes, pack)
        ax_b = fig.add_subplot(grid[:, 3:])
        panel_supp07b(ax_b, pack)
        panel_label(axes[0, 0], "a")
        panel_label(ax_b, "b")

    return compose(out_dir, "supp07", layout, height=4.0)


FIGURES = {"main03": draw_main03, "main04": draw_main04, "supp04": draw_supp04, "supp05": draw_supp05,
           "supp06": draw_supp06, "supp07": draw_supp07, "supp08": draw_supp08}
