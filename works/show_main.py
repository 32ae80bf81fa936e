"""Step 3 of the pipeline: the six main figures (``OUT/show/main01.pdf`` … ``main06.pdf`` + ``.png``).

A thin entry point: Figs. 2-6 are drawn by the task modules that feed them (``FIGURES`` of
:mod:`works.tasks`: one function per panel ``panel_<fig><letter>`` reading only packed data
``OUT/data/<fig>.npz``, and one ``draw_mainNN(out_dir)`` per figure). Fig. 1 is a schematic and lives here.
A missing pack raises ``FileNotFoundError`` naming it; a missing or malformed entry raises ``ValueError``
naming the pack and the key.

``python works/show_main.py --out DIR [--skip-missing]``

Examples
--------
>>> from works.show_main import FIGURES
>>> FIGURES
['main01', 'main02', 'main03', 'main04', 'main05', 'main06']
"""

from __future__ import annotations

from works.figures.diagrams import arrow, box, draw_motif
from works.figures.runner import compose, entry_points
from works.figures.style import (
    AGENT_GREYS,
    AGENT_LABELS,
    AGENTS,
    TYPE_SYMBOLS,
    panel_label,
)
from works.tasks.cartpole_figures import draw_main05, draw_main06
from works.tasks.escape_figures import draw_main03, draw_main04
from works.tasks.motifs_figures import draw_main02

__all__ = ["FIGURES", "draw_all", "draw_main01", "draw_main02", "draw_main03", "draw_main04", "draw_main05",
           "draw_main06", "main"]

FIGURES = ["main01", "main02", "main03", "main04", "main05", "main06"]


# --------------------------------------------------------------------------------------------------- Fig. 1


def panel_main01a(ax) -> None:
    """Schematic: the 12 motif structures and the motif-level workflow."""
    for row, motif_type in enumerate(("incoherent-loop", "coherent-loop", "collider")):
        for k in range(1, 5):
            draw_motif(ax, motif_type, k, origin=(1.3 * (k - 1), 2.6 - 1.3 * row), scale=0.9)
        ax.text(-0.5, 3.0 - 1.3 * row, TYPE_SYMBOLS[motif_type], ha="right", va="center", fontsize=10)
    steps = ["generate loops uniformly\n(441,000 $\\mathcal{L}_i$ / $\\mathcal{L}_c$ each)",
             "min. L2 difference of $\\mathcal{C}$\n& best Lipschitz constant",
             "select by output difference\n(400 $\\mathcal{L}_i$ / 400 $\\mathcal{L}_c$)",
             "adversarial escape process", "curvature, parameter\nand output changes"]
    for i, step in enumerate(steps):
        box(ax, (5.6, 3.1 - 0.8 * i), step, width=2.6, height=0.55)
        if i:
            arrow(ax, (6.9, 3.1 - 0.8 * i + 0.8), (6.9, 3.1 - 0.8 * i + 0.55))
    ax.set_xlim(-1.2, 8.4)
    ax.set_ylim(-0.6, 3.9)
    ax.set_axis_off()
    ax.set_title("local network properties of 3-node coherent and incoherent loops")


def panel_main01b(ax) -> None:
    """Schematic: NeuroEvolution loop with motif-restricted evolution and noisy CartPole."""
    for i, (label, xy) in enumerate((("evaluate", (0, 1.6)), ("select", (2.0, 1.6)), ("evolve", (2.0, 0.4)),
                                     ("repeat", (0, 0.4)))):
        box(ax, xy, label, colour="#F4F4F4", width=1.4, height=0.5, fontsize=7)
    arrow(ax, (1.4, 1.85), (2.0, 1.85))
    arrow(ax, (2.7, 1.6), (2.7, 0.9))
    arrow(ax, (2.0, 0.65), (1.4, 0.65))
    arrow(ax, (0.7, 0.9), (0.7, 1.6))
    for i, agent in enumerate(AGENTS):
        box(ax, (4.0, 2.0 - 0.5 * i), AGENT_LABELS[agent], colour=AGENT_GREYS[agent], width=2.2, height=0.4)
    ax.text(5.1, 2.6, "motif composition at the evolution stage", ha="center", fontsize=7)
    box(ax, (7.0, 1.3), "cart-pole agents\nnoise 0–40%", width=1.6, height=0.6)
    box(ax, (9.0, 1.8), "learn the target and\nresist the noise", colour="#D9F0D3", width=1.9, height=0.5)
    box(ax, (9.0, 0.7), "learn the target and\nthe noise together", colour="#F6D0D0", width=1.9, height=0.5)
    arrow(ax, (8.6, 1.7), (9.0, 2.0))
    arrow(ax, (8.6, 1.5), (9.0, 0.95))
    ax.set_xlim(-0.2, 11.1)
    ax.set_ylim(0.0, 2.9)
    ax.set_axis_off()
    ax.set_title("noise resilience in a neural network solving a control task")


def draw_main01(out_dir):
    """Fig. 1 (schematic only)."""
    def layout(fig, axes, pack):
        panel_main01a(axes[0, 0])
        panel_main01b(axes[1, 0])
        for ax, letter in zip(axes[:, 0], "ab"):
            panel_label(ax, letter, x=0.0)

    return compose(out_dir, "main01", layout, 2, 1, height=7.5, pack=False, tight=False)


DRAWERS = {name: globals()[f"draw_{name}"] for name in FIGURES}


draw_all, main = entry_points(DRAWERS, FIGURES, "main", __name__)


if __name__ == "__main__":
    main()
