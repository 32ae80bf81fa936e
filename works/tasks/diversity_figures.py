"""Figures of task 7 (learned diversity): ext05-ext08, one function per panel, reading only their packs.

A task (MNIST-1D or van der Pol) that was not run leaves its panels as "not available".

Examples
--------
>>> sorted(FIGURES)
['ext05', 'ext06', 'ext07', 'ext08']
"""

from __future__ import annotations

import numpy as np

from works.figures.packs import has, need
from works.figures.runner import compose, label_panels
from works.figures.style import TYPE_COLOURS, TYPE_SYMBOLS, not_available

__all__ = ["FIGURES", "NETWORK_COLOURS", "draw_ext05", "draw_ext06", "draw_ext07", "draw_ext08", "panel_activations",
           "panel_box", "panel_joint", "panel_loops"]

#: Colour of each network type (pure fixed types grey-blue, learned types warm, the mix dark red).
NETWORK_COLOURS = {"relu": "#9E9E9E", "tanh": "#6B8EB5", "sine": "#74B49B", "type-1": "#F2A65A",
                   "type-2": "#C77DBA", "mix": "#B2182B"}
_TASK_TITLES = {"mnist1d": "MNIST-1D", "vanderpol": "van der Pol"}


def _types(pack, letter):
    return [str(t) for t in need(pack, f"{letter}/network_types", shape=(None,), kind="U")]


def panel_box(ax, pack, letter) -> None:
    """Box plot of one scalar per network type (one point per initialisation)."""
    types = _types(pack, letter)
    values = need(pack, f"{letter}/values", shape=(len(types), None), kind="f")
    rows = [row[np.isfinite(row)] for row in values]
    parts = ax.boxplot(rows, widths=0.6, patch_artist=True, showfliers=False, medianprops={"color": "black"})
    for patch, name in zip(parts["boxes"], types):
        patch.set_facecolor(NETWORK_COLOURS.get(name, "#CCCCCC"))
        patch.set_alpha(0.6)
    rng = np.random.default_rng(0)
    for k, row in enumerate(rows):
        ax.scatter(k + 1 + rng.uniform(-0.15, 0.15, row.size), row, s=4, color="black", zorder=3)
    ax.set_xticks(range(1, len(types) + 1), types, rotation=30)
    ax.set_ylabel(str(need(pack, f"{letter}/label", shape=(), kind="U")))
    ax.set_title(_TASK_TITLES.get(str(need(pack, f"{letter}/task", shape=(), kind="U")), ""))


def panel_joint(ax, pack, letter) -> None:
    """Joint density of r and performance: each type's points and its KDE contours (50 % and 90 % mass)."""
    types = _types(pack, letter)
    x = need(pack, f"{letter}/x", shape=(len(types), None), kind="f")
    y = need(pack, f"{letter}/y", shape=x.shape, kind="f")
    grid_x = need(pack, f"{letter}/grid_x", shape=(None,), kind="f")
    grid_y = need(pack, f"{letter}/grid_y", shape=(None,), kind="f")
    density = need(pack, f"{letter}/density", shape=(len(types), len(grid_y), len(grid_x)), kind="f")
    for t, name in enumerate(types):
        colour = NETWORK_COLOURS.get(name, "#333333")
        ax.scatter(x[t], y[t], s=6, color=colour, label=name, alpha=0.8)
        surface = density[t]
        if np.all(np.isfinite(surface)) and surface.max() > 0:
            ordered = np.sort(surface.ravel())[::-1]
            mass = np.cumsum(ordered) / ordered.sum()
            levels = sorted({float(ordered[np.searchsorted(mass, q)]) for q in (0.9, 0.5)})
            if len(levels) == 2 and levels[0] < levels[1]:
                ax.contour(grid_x, grid_y, surface, levels=levels, colors=[colour], linewidths=0.8)
    ax.set_xlabel(str(need(pack, f"{letter}/xlabel", shape=(), kind="U")))
    ax.set_ylabel(str(need(pack, f"{letter}/ylabel", shape=(), kind="U")))
    ax.set_title(_TASK_TITLES.get(str(need(pack, f"{letter}/task", shape=(), kind="U")), ""))
    ax.legend(frameon=False, fontsize=7, ncol=2)


def panel_activations(ax, pack, letter) -> None:
    """The two learned activation types on [-10, 10] and the base function they started from."""
    knots = need(pack, f"{letter}/knots", shape=(None,), kind="f")
    values = need(pack, f"{letter}/values", shape=(None, len(knots)), kind="f")
    base = str(need(pack, f"{letter}/base", shape=(), kind="U"))
    if base == "sine":
        ax.plot(knots, np.sin(knots), color="#BBBBBB", lw=1, ls="--", label="sine (start)")
    for k, row in enumerate(values):
        ax.plot(knots, row, color=NETWORK_COLOURS[f"type-{k + 1}"], lw=1.5, label=f"type-{k + 1}")
    ax.set_xlabel("input")
    ax.set_ylabel("activation")
    ax.set_title(f"learned types, {_TASK_TITLES.get(str(need(pack, f'{letter}/task', shape=(), kind='U')), '')}")
    ax.legend(frameon=False, fontsize=7)


def panel_loops(ax, pack, letter) -> None:
    """Incoherent vs coherent loops per activation: percentile boxes (5-25-50-75-95) of one measure."""
    labels = [str(t) for t in need(pack, f"{letter}/labels", shape=(None,), kind="U")]
    loops = [str(t) for t in need(pack, f"{letter}/loop_types", shape=(2,), kind="U")]
    stats = need(pack, f"{letter}/stats", shape=(len(labels), 2, 5), kind="f")
    boxes, positions, colours = [], [], []
    for i in range(len(labels)):
        for j, loop in enumerate(loops):
            low, q1, median, q3, high = stats[i, j]
            boxes.append({"whislo": low, "q1": q1, "med": median, "q3": q3, "whishi": high, "fliers": []})
            positions.append(3 * i + j + 1)
            colours.append(TYPE_COLOURS.get(loop, "#999999"))
    parts = ax.bxp(boxes, positions=positions, widths=0.8, patch_artist=True, showfliers=False,
                   medianprops={"color": "black"})
    for patch, colour in zip(parts["boxes"], colours):
        patch.set_facecolor(colour)
        patch.set_alpha(0.6)
    ax.set_xticks([3 * i + 1.5 for i in range(len(labels))], labels)
    measure = str(need(pack, f"{letter}/measure", shape=(), kind="U"))
    ax.set_ylabel("Lipschitz estimate" if measure == "lipschitz" else "nearest-collider difference (MSE)")
    ax.set_xlabel("node activation")
    handles = [ax.scatter([], [], marker="s", color=TYPE_COLOURS.get(loop, "#999999"), label=TYPE_SYMBOLS.get(loop,
                                                                                                              loop))
               for loop in loops]
    ax.legend(handles=handles, frameon=False, fontsize=7)


def _grid(out_dir, stem: str, rows: int, cols: int, height: float, panels: dict):
    """A figure whose letter ``l`` is drawn by ``panels[l]`` when the pack holds it, else "not available"."""
    def layout(fig, axes, pack):
        for ax, (letter, panel) in zip(axes.ravel(), panels.items()):
            if has(pack, letter):
                panel(ax, pack, letter)
            else:
                not_available(ax, "task not run at this scale")
        label_panels(axes.ravel(), "".join(panels), only_drawn=True)

    return compose(out_dir, stem, layout, rows, cols, height=height)


def draw_ext05(out_dir):
    """Ext. 5: accuracy / forecast error and test loss per network type (MNIST-1D a, b; van der Pol c, d)."""
    return _grid(out_dir, "ext05", 2, 2, 5.5, dict.fromkeys("abcd", panel_box))


def draw_ext06(out_dir):
    """Ext. 6: joint density of performance and participation ratio r (MNIST-1D a, van der Pol b)."""
    return _grid(out_dir, "ext06", 1, 2, 3.6, dict.fromkeys("ab", panel_joint))


def draw_ext07(out_dir):
    """Ext. 7: Hessian trace and near-zero eigenvalue fraction per network type (MNIST-1D a, b; vdP c, d)."""
    return _grid(out_dir, "ext07", 2, 2, 5.5, dict.fromkeys("abcd", panel_box))


def draw_ext08(out_dir):
    """Ext. 8: learned activations and incoherent vs coherent loops under them (MNIST-1D a-c, vdP d-f)."""
    panels = {"a": panel_activations, "b": panel_loops, "c": panel_loops, "d": panel_activations, "e": panel_loops,
              "f": panel_loops}
    return _grid(out_dir, "ext08", 2, 3, 5.5, panels)


FIGURES = {"ext05": draw_ext05, "ext06": draw_ext06, "ext07": draw_ext07, "ext08": draw_ext08}
