"""Step 4 of the pipeline: the supplementary figures (``OUT/show/supp01`` … ``supp30``, PDF + PNG).

A thin entry point: every figure fed by an experiment is drawn by its task module (``FIGURES`` of
:mod:`works.tasks`; one function per panel there). This module adds the figures no task computes: S3 (a
schematic) and S9 (a schematic and the five target landscapes of the fixed motif networks, a static pack).
A missing pack raises ``FileNotFoundError``; a missing or malformed entry ``ValueError`` naming the pack
and the key.

``python works/show_supp.py --out DIR [--skip-missing]``

Examples
--------
>>> from works.show_supp import FIGURES
>>> len(FIGURES), FIGURES[0], FIGURES[-1]
(30, 'supp01', 'supp30')
"""

from __future__ import annotations

from works.figures.diagrams import draw_motif
from works.figures.packs import need
from works.figures.runner import compose, entry_points, label_panels
from works.tasks.cartpole_figures import draw_supp24, draw_supp25
from works.tasks.escape_figures import (
    draw_supp04,
    draw_supp05,
    draw_supp06,
    draw_supp07,
    draw_supp08,
)
from works.tasks.motifs_figures import draw_supp01, draw_supp02
from works.tasks.networks_figures import (
    draw_supp10,
    draw_supp11,
    draw_supp12,
    draw_supp13,
    draw_supp14,
    draw_supp15,
    draw_supp16,
    draw_supp17,
    draw_supp18,
    draw_supp19,
    draw_supp20,
    draw_supp21,
    draw_supp22,
    draw_supp23,
)
from works.tasks.uci_figures import (
    draw_supp26,
    draw_supp27,
    draw_supp28,
    draw_supp29,
    draw_supp30,
)

__all__ = ["FIGURES", "draw_all", "draw_supp01", "draw_supp02", "draw_supp03", "draw_supp04", "draw_supp05",
           "draw_supp06", "draw_supp07", "draw_supp08", "draw_supp09", "draw_supp10", "draw_supp11", "draw_supp12",
           "draw_supp13", "draw_supp14", "draw_supp15", "draw_supp16", "draw_supp17", "draw_supp18", "draw_supp19",
           "draw_supp20", "draw_supp21", "draw_supp22", "draw_supp23", "draw_supp24", "draw_supp25", "draw_supp26",
           "draw_supp27", "draw_supp28", "draw_supp29", "draw_supp30", "main"]

FIGURES = [f"supp{n:02d}" for n in range(1, 31)]


# --------------------------------------------------------------------------------------------------- S3


def panel_supp03(ax) -> None:
    """Schematic: a collider is the limiting case of a loop when the x→y weight tends to 0."""
    for k, w in enumerate((1.0, 0.5, 0.1)):
        draw_motif(ax, "incoherent-loop", weights=[-w, 0.8, 0.8], origin=(1.6 * k, 0))
        ax.text(1.6 * k + 0.5, -0.35, f"|w$_{{xy}}$| = {w}", ha="center", fontsize=7)
    ax.annotate("", xy=(5.0, 0.4), xytext=(4.3, 0.4), arrowprops={"arrowstyle": "-|>"})
    draw_motif(ax, "collider", weights=[0.8, 0.8], origin=(5.2, 0))
    ax.text(5.7, -0.35, "|w$_{xy}$| → 0: collider", ha="center", fontsize=7)
    ax.set_xlim(-0.3, 6.5)
    ax.set_ylim(-0.6, 1.1)
    ax.set_axis_off()


def draw_supp03(out_dir):
    """Fig. S3 (schematic)."""
    return compose(out_dir, "supp03", lambda fig, axes, pack: panel_supp03(axes[0, 0]), height=2.5, pack=False,
                   tight=False)


# --------------------------------------------------------------------------------------------------- S9


def panel_supp09a(ax) -> None:
    """Schematic of the network-scale model: many loops and colliders summed into z."""
    for k in range(3):
        draw_motif(ax, ("incoherent-loop", "coherent-loop", "collider")[k], 1, origin=(0, 2.2 - 1.1 * k), scale=0.8)
        ax.annotate("", xy=(2.3, 1.3), xytext=(0.95, 2.2 - 1.1 * k + 0.1), arrowprops={"arrowstyle": "-|>", "lw": 0.6})
    ax.text(2.4, 1.3, r"$z = \sum_m z_m$", fontsize=8, ha="left", va="center")
    ax.set_xlim(-0.3, 3.6)
    ax.set_ylim(-0.3, 3.1)
    ax.set_axis_off()


def panel_supp09(ax, pack, letter):
    """One target landscape (plasma, −1…1)."""
    surface = need(pack, f"{letter}/landscape", shape=(None, None), kind="f")
    image = ax.imshow(surface.T, origin="lower", extent=(-1, 1, -1, 1), cmap="plasma", vmin=-1, vmax=1)
    ax.set_title(str(need(pack, f"{letter}/name", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("input signal x")
    ax.set_ylabel("input signal y")
    return image


def draw_supp09(out_dir):
    """Fig. S9: network-scale model schematic and the five target landscapes."""
    def layout(fig, axes, pack):
        panel_supp09a(axes[0, 0])
        slots = [axes[0, 1], axes[0, 2], axes[1, 0], axes[1, 1], axes[1, 2]]
        image = [panel_supp09(ax, pack, letter) for ax, letter in zip(slots, "bcdef")][-1]
        for ax in (axes[0, 2], axes[1, 1], axes[1, 2]):  # one y label per row, x labels on the bottom row
            ax.set_ylabel("")
        for ax in (axes[0, 1], axes[0, 2]):
            ax.set_xlabel("")
        fig.subplots_adjust(hspace=0.3, wspace=0.3)
        fig.colorbar(image, ax=list(axes.ravel()), fraction=0.02, label="output")
        label_panels([axes[0, 0]] + slots, "abcdef")

    return compose(out_dir, "supp09", layout, 2, 3, height=5.0, tight=False)


DRAWERS = {name: globals()[f"draw_{name}"] for name in FIGURES}


draw_all, main = entry_points(DRAWERS, FIGURES, "supplementary", __name__)


if __name__ == "__main__":
    main()
