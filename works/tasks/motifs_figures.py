"""Figures of task 1: Fig. 2 (``main02``) and Figs. S1 / S2 (``supp01`` / ``supp02``), one function per panel.

Panels read only the packs of :mod:`works.tasks.motifs_packs`. Fig. 2a: the reference embeds the 405 landscapes
with UMAP (``umap-learn``); here the packed coordinates come from scikit-learn's metric MDS on the same
precomputed distances.

Examples
--------
>>> sorted(FIGURES)
['main02', 'supp01', 'supp02']
"""

from __future__ import annotations

import numpy as np

from works.figures.packs import has, need
from works.figures.panels import label_points, proportion_lines
from works.figures.runner import compose, label_panels, letter_grid
from works.figures.style import (
    COLOURS,
    LOOP_TYPES,
    TYPE_COLOURS,
    TYPE_SYMBOLS,
    not_available,
    side_colourbar,
)

__all__ = ["FIGURES", "draw_main02", "draw_supp01", "draw_supp02", "panel_main02a", "panel_main02b", "panel_main02c",
           "panel_main02d", "panel_main02e", "panel_supp01", "panel_supp02"]


# --------------------------------------------------------------------------------------------------- Fig. 2


#: Frame of panel a's parameter box (also when it is moved to figure text).
_INFO_BOX = {"facecolor": "white", "edgecolor": "#999999", "lw": 0.5}


def panel_main02a(ax, pack, info_ax=None) -> None:
    """2-D map (MDS; UMAP in the reference) of the example loop, four catchers and their imitation trajectories.

    The box with the criterion, embedding and the loop's parameters goes into ``info_ax`` (default: below the
    map's legend, outside the data area)."""
    points = need(pack, "a/points", shape=(None, 2), kind="f")
    starts = need(pack, "a/starts", shape=(4,), kind="i")
    stops = need(pack, "a/stops", shape=(4,), kind="i")
    loop = need(pack, "a/loop", shape=(5,), kind="f")
    if stops.max() >= len(points) or np.any(starts > stops):
        raise ValueError(f"packed data {pack.name!r} key 'a/starts'/'a/stops' do not index 'a/points'.")
    for k, (start, stop) in enumerate(zip(starts, stops)):
        path = points[start:stop + 1]
        ax.plot(path[:, 0], path[:, 1], ls="--", lw=0.8, color=TYPE_COLOURS["collider"])
        ax.scatter(*path[0], marker="o", s=20, facecolor="white", edgecolor="black", zorder=3,
                   label="start" if k == 0 else None)
        ax.scatter(*path[-1], marker="s", s=20, color=COLOURS["collider"], edgecolor="black", zorder=3,
                   label="stop" if k == 0 else None)
    ax.scatter(*points[0], s=40, color="red", zorder=4, label=TYPE_SYMBOLS["incoherent-loop"] + "-1")
    text = ("a: criterion L2 (MSE), embedding metric MDS\n" + TYPE_SYMBOLS["incoherent-loop"] +
            "-1: w = ({:+.3f}, {:+.3f}, {:+.3f})\n      b = ({:+.3f}, {:+.3f})".format(*loop))
    box = _INFO_BOX
    if info_ax is None:
        ax.text(0.0, -0.25, text, transform=ax.transAxes, fontsize=7, va="top", bbox=box)
    else:
        info_ax.text(0.0, 0.5, text, transform=info_ax.transAxes, fontsize=7, va="center", bbox=box)
    x_low, x_high = np.nanmin(points[:, 0]), np.nanmax(points[:, 0])
    y_low, y_high = np.nanmin(points[:, 1]), np.nanmax(points[:, 1])
    x_pad, y_pad = 0.05 * max(x_high - x_low, 1e-9), 0.05 * max(y_high - y_low, 1e-9)
    ax.set_xlim(x_low - x_pad, x_high + 4 * x_pad)
    ax.set_ylim(y_low - y_pad, y_high + y_pad)
    first = points[starts]
    label_points(ax, first[:, 0], first[:, 1], [f"$\\mathcal{{C}}$-{k + 1}" for k in range(len(starts))])
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, borderaxespad=0.2,
              handletextpad=0.2, columnspacing=0.8)
    ax.set_xlabel("dimension 1")
    ax.set_ylabel("dimension 2")


def _type_kdes(ax, pack, letter, xlim, xlabel):
    curves = [(need(pack, f"{letter}/{t}/x", shape=(None,), kind="f"), need(pack, f"{letter}/{t}/y", shape=(None,),
                                                                           kind="f"), TYPE_COLOURS[t], TYPE_SYMBOLS[t])
              for t in LOOP_TYPES]
    proportion_lines(ax, curves, xlim=xlim, xlabel=xlabel)


def panel_main02b(ax, pack) -> None:
    """KDE of the best Lipschitz constants per loop type."""
    _type_kdes(ax, pack, "b", (0.6, 2.4), "best Lipschitz constant")


def panel_main02c(ax, pack) -> None:
    """KDE of the minimum L2-norm difference to colliders per loop type."""
    _type_kdes(ax, pack, "c", (0.0, 0.03), r"minimum L2-norm difference of $\mathcal{C}$")


def _joint(ax, pack, letter):
    density = need(pack, letter, shape=(None, None), kind="f")
    x = need(pack, "de/x", shape=(density.shape[1],), kind="f")
    y = need(pack, "de/y", shape=(density.shape[0],), kind="f")
    mesh = ax.imshow(density, origin="lower", aspect="auto", extent=(x[0], x[-1], y[0], y[-1]), cmap="Purples",
                     vmin=0, vmax=1, interpolation="bilinear")
    ridge_x, ridge_y = [], []
    for column in range(density.shape[1]):
        if density[:, column].max() < 0.02:
            break
        ridge_x.append(x[column])
        ridge_y.append(y[int(np.argmax(density[:, column]))])
    ax.plot(ridge_x, ridge_y, ls=":", color="black", lw=1.0)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_xlabel(r"minimum L2-norm difference of $\mathcal{C}$")
    ax.set_ylabel("best Lipschitz constant")
    return mesh


def panel_main02d(ax, pack):
    """Joint density (difference, Lipschitz) of incoherent loops with its ridge line."""
    ax.set_title(TYPE_SYMBOLS["incoherent-loop"])
    return _joint(ax, pack, "d")


def panel_main02e(ax, pack):
    """Joint density (difference, Lipschitz) of coherent loops with its ridge line."""
    ax.set_title(TYPE_SYMBOLS["coherent-loop"])
    return _joint(ax, pack, "e")


def draw_main02(out_dir):
    """Fig. 2: representational capacity and numerical stability of loops."""
    def layout(fig, axes, pack):
        panel_main02a(axes[0, 0], pack, info_ax=axes[1, 2])
        panel_main02b(axes[0, 1], pack)
        panel_main02c(axes[0, 2], pack)
        panel_main02d(axes[1, 0], pack)
        mesh = panel_main02e(axes[1, 1], pack)
        side_colourbar(mesh, axes[1, 1], "density")
        axes[1, 2].set_axis_off()
        label_panels(axes, "abcde")
        fig.tight_layout()
        _axes_to_figure_text(axes[1, 2])  # the sixth axes only holds panel a's box

    return compose(out_dir, "main02", layout, 2, 3, height=6.2, tight=False)


def _axes_to_figure_text(ax) -> None:
    """Redraw the texts of ``ax`` (in axes coordinates) as figure texts at the same place and remove ``ax``."""
    fig = ax.figure
    for text in ax.texts:
        x, y = fig.transFigure.inverted().transform(ax.transAxes.transform(text.get_position()))
        fig.text(x, y, text.get_text(), fontsize=text.get_fontsize(), ha=text.get_ha(), va=text.get_va(),
                 bbox=_INFO_BOX)
    fig.delaxes(ax)


# --------------------------------------------------------------------------------------------------- S1, S2


def _structure_kde(ax, pack, letter, xlim, xlabel):
    if not has(pack, letter):
        not_available(ax)
        return
    motif_type = str(need(pack, f"{letter}/type", shape=(), kind="U"))
    index = int(need(pack, f"{letter}/index", shape=()))
    if motif_type not in LOOP_TYPES:
        raise ValueError(f"packed data {pack.name!r} key '{letter}/type' must be one of {LOOP_TYPES}.")
    x, y = need(pack, f"{letter}/x", shape=(None,), kind="f"), need(pack, f"{letter}/y", shape=(None,), kind="f")
    proportion_lines(ax, [(x, y, TYPE_COLOURS[motif_type], None)], xlim=xlim, xlabel=xlabel)
    ax.set_title(TYPE_SYMBOLS[motif_type] + (f"-{index}" if index else " (all)"))


def panel_supp01(ax, pack, letter) -> None:
    """Lipschitz-constant KDE of one loop type (all) or structure."""
    _structure_kde(ax, pack, letter, (0.6, 2.4), "best Lipschitz constant")


def panel_supp02(ax, pack, letter) -> None:
    """KDE of the minimum L2 difference to colliders (the reference's x label wrongly says Lipschitz)."""
    _structure_kde(ax, pack, letter, (0.0, 0.03), r"minimum L2-norm difference of $\mathcal{C}$")



def draw_supp01(out_dir):
    """Fig. S1: Lipschitz distributions (a: all L_i, b–e: L_i-1…4, f: all L_c, g–j: L_c-1…4)."""
    return letter_grid(out_dir, "supp01", panel_supp01, 2, 5, height=4.5)


def draw_supp02(out_dir):
    """Fig. S2: minimum-difference distributions, layout as S1."""
    return letter_grid(out_dir, "supp02", panel_supp02, 2, 5, height=4.5)


FIGURES = {"main02": draw_main02, "supp01": draw_supp01, "supp02": draw_supp02}
