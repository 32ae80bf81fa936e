"""Step 3 of the pipeline: the six main figures (``OUT/show/main01.pdf`` … ``main06.pdf`` + ``.png``).

One function per panel (``panel_<fig><letter>(ax, pack)``) reading only packed data
(``OUT/data/<fig>.npz``, see :mod:`works.run_2_packs`); one function per figure
(``draw_mainNN(out_dir)``) that loads the pack, lays out the panels and saves the figure.
A missing pack raises ``FileNotFoundError`` naming it; a missing or malformed entry
raises ``ValueError`` naming the pack and the key. Schematic panels (Fig. 1, 3a, 5a)
need no data.

Fig. 2a: the reference embeds the 405 landscapes with UMAP (``umap-learn``); here the packed
coordinates come from scikit-learn's metric MDS on the same precomputed distances.

Examples
--------
>>> from works.show_main import FIGURES
>>> FIGURES
['main01', 'main02', 'main03', 'main04', 'main05', 'main06']
"""

from __future__ import annotations


import numpy as np
from matplotlib.patches import Rectangle

from works.figures.diagrams import arrow, box, draw_motif
from works.figures.runner import draw_figures, figure_cli
from works.figures.packs import has, need, open_pack
from works.figures.panels import (annotated_heatmap, grouped_bars, staircase)
from works.tasks.escape_figures import draw_main03, draw_main04
from works.tasks.motifs_figures import draw_main02
from works.figures.style import (AGENT_GREYS, AGENT_LABELS, AGENTS, TYPE_SYMBOLS,
                                 new_figure, not_available, panel_label, percent_axis, save_figure)

__all__ = ["FIGURES", "draw_all", "draw_main01", "draw_main02", "draw_main03", "draw_main04", "draw_main05",
           "draw_main06", "main"]

FIGURES = ["main01", "main02", "main03", "main04", "main05", "main06"]
PASS_SCORE = 195.0
AGENT_LETTERS = dict(zip(AGENTS, "cdef"))
OUTCOMES = ("S", "F1", "F2", "F3")
OUTCOME_COLOURS = ("#4DAF4A", "#FDB863", "#E66101", "#B2182B")


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
    ax.text(5.1, 2.6, "motif composition at the evolution stage", ha="center", fontsize=6)
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
    fig, axes = new_figure(2, 1, height=7.5)
    panel_main01a(axes[0, 0])
    panel_main01b(axes[1, 0])
    for ax, letter in zip(axes[:, 0], "ab"):
        panel_label(ax, letter, x=0.0)
    return save_figure(fig, out_dir, "main01")


# --------------------------------------------------------------------------------------------------- Fig. 5


def panel_main05a(ax) -> None:
    """CartPole schematic: observations and actions."""
    ax.plot([-2.4, 2.4], [0, 0], color="black", lw=1)
    ax.add_patch(Rectangle((-0.4, 0), 0.8, 0.35, facecolor="#CCCCCC", edgecolor="black"))
    ax.plot([0, 0.5], [0.35, 1.6], color="#8B4513", lw=3)
    ax.annotate("", xy=(-1.2, 0.18), xytext=(-0.45, 0.18), arrowprops={"arrowstyle": "-|>"})
    ax.annotate("", xy=(1.2, 0.18), xytext=(0.45, 0.18), arrowprops={"arrowstyle": "-|>"})
    ax.text(0, -0.35, "action: push left / push right", ha="center", fontsize=6)
    ax.text(1.0, 1.4, "observations:\ncart position, cart velocity,\npole angle, pole angular velocity", fontsize=6)
    ax.set_xlim(-2.5, 3.6)
    ax.set_ylim(-0.6, 1.9)
    ax.set_axis_off()


def _noise_labels(values):
    return [f"{100 * v:.0f}%" for v in values]


def panel_main05b(ax, pack) -> None:
    """Average training performance per method and training noise (grouped bars)."""
    agents = [str(a) for a in need(pack, "agents", shape=(None,), kind="U")]
    noise = need(pack, "training_noise", shape=(None,), kind="f")
    values = need(pack, "b", shape=(len(agents), len(noise)), kind="f")
    grouped_bars(ax, values, _noise_labels(noise), [AGENT_LABELS.get(a, a) for a in agents],
                 [AGENT_GREYS.get(a, "#999999") for a in agents], ylim=(150, 202.5), hline=PASS_SCORE)
    ax.text(len(noise) - 0.5, PASS_SCORE + 0.5, "pass (≥ 195)", ha="right", fontsize=6)
    ax.set_xlabel("training noise")
    ax.set_ylabel("average training performance")
    ax.legend(frameon=False, fontsize=5.5, loc="lower left")


def _evaluation_heatmap(ax, pack, agent):
    letter = AGENT_LETTERS[agent]
    ax.set_title(AGENT_LABELS[agent], fontsize=7)
    if not has(pack, letter):
        not_available(ax, "method not run at this scale")
        return None
    training = need(pack, "training_noise", shape=(None,), kind="f")
    evaluation = need(pack, "evaluation_noise", shape=(None,), kind="f")
    matrix = need(pack, letter, shape=(len(training), len(evaluation)), kind="f")
    mesh = annotated_heatmap(ax, matrix.T, cmap="inferno", vmin=100, vmax=PASS_SCORE, fmt="{:.1f}",
                             pass_at=PASS_SCORE, xticklabels=_noise_labels(training),
                             yticklabels=_noise_labels(evaluation))
    if len(training) == len(evaluation):
        staircase(ax, len(training))
    ax.set_xlabel("training noise")
    ax.set_ylabel("evaluating noise")
    return mesh


def panel_main05c(ax, pack):
    """Mean evaluation performance of the baseline method (training × evaluating noise)."""
    return _evaluation_heatmap(ax, pack, "b")


def panel_main05d(ax, pack):
    """Mean evaluation performance of the [L_c + C] method."""
    return _evaluation_heatmap(ax, pack, "i")


def panel_main05e(ax, pack):
    """Mean evaluation performance of the [L_i + C] method."""
    return _evaluation_heatmap(ax, pack, "c")


def panel_main05f(ax, pack):
    """Mean evaluation performance of the C method."""
    return _evaluation_heatmap(ax, pack, "a")


def draw_main05(out_dir):
    """Fig. 5: CartPole training and evaluation under noise."""
    pack = open_pack(out_dir, "main05")
    fig = new_figure(1, 1, height=7.0)[0]
    fig.clf()
    grid = fig.add_gridspec(2, 4)
    ax_a, ax_b = fig.add_subplot(grid[0, :2]), fig.add_subplot(grid[0, 2:])
    panel_main05a(ax_a)
    panel_main05b(ax_b, pack)
    panel_label(ax_a, "a", x=0.0)
    panel_label(ax_b, "b")
    mesh = None
    for k, (letter, panel) in enumerate(zip("cdef", (panel_main05c, panel_main05d, panel_main05e, panel_main05f))):
        ax = fig.add_subplot(grid[1, k])
        mesh = panel(ax, pack) or mesh
        panel_label(ax, letter)
    fig.tight_layout()
    return save_figure(fig, out_dir, "main05")


# --------------------------------------------------------------------------------------------------- Fig. 6


def panel_main06a(ax, pack) -> None:
    """Qualified agents (of all repeats) vs maximum generation, per method."""
    caps = need(pack, "a/caps", shape=(None,), kind="i")
    repeats = int(need(pack, "a/repeats", shape=()))
    agents = [a for a in AGENTS if has(pack, f"a/{a}")]
    if not agents:
        raise ValueError(f"packed data {pack.name!r} has no key 'a/<agent>' for any agent of {AGENTS}.")
    values = np.stack([need(pack, f"a/{a}", shape=(len(caps),), kind="f") for a in agents])
    grouped_bars(ax, values, [str(c) for c in caps], [AGENT_LABELS[a] for a in agents],
                 [AGENT_GREYS[a] for a in agents], ylim=(0, repeats))
    ax.set_xlabel("maximum generation")
    ax.set_ylabel(f"qualified agents (of {repeats})")
    ax.legend(frameon=False, fontsize=5.5, loc="upper left")


def panel_main06b(ax) -> None:
    """Illustration of the outcome types S, F1, F2, F3 (constant example curves, training noise 30%)."""
    noise = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    examples = {"S": [200, 200, 199, 197, 185], "F1": [200, 198, 190, 170, 150], "F2": [190, 180, 170, 160, 150],
                "F3": [160, 175, 185, 190, 170]}
    for (name, values), colour in zip(examples.items(), OUTCOME_COLOURS):
        ax.plot(noise, values, marker="o", ms=3, color=colour, label=name)
    ax.axhline(PASS_SCORE, ls="--", color="black", lw=0.8)
    ax.text(0.4, PASS_SCORE + 1, "pass", ha="right", fontsize=6)
    percent_axis(ax.xaxis)
    ax.set_xlabel("evaluating noise")
    ax.set_ylabel("evaluation performance")
    ax.legend(frameon=False, ncol=4)


def _outcome_pie(ax, pack, agent):
    letter = AGENT_LETTERS[agent]
    ax.set_title(AGENT_LABELS[agent], fontsize=7)
    if not has(pack, letter):
        not_available(ax, "method not run at this scale")
        return
    counts = need(pack, letter, shape=(4,), kind="f")
    if counts.sum() <= 0:
        raise ValueError(f"packed data {pack.name!r} key {letter!r} holds no agents.")
    ax.pie(counts, colors=OUTCOME_COLOURS, labels=[f"{n}\n{c / counts.sum():.0%}" if c else "" for n, c in
                                                   zip(OUTCOMES, counts)],
           startangle=90, counterclock=False, wedgeprops={"edgecolor": "white"}, textprops={"fontsize": 6})


def panel_main06c(ax, pack) -> None:
    """Outcome shares of the baseline method."""
    _outcome_pie(ax, pack, "b")


def panel_main06d(ax, pack) -> None:
    """Outcome shares of the [L_c + C] method."""
    _outcome_pie(ax, pack, "i")


def panel_main06e(ax, pack) -> None:
    """Outcome shares of the [L_i + C] method."""
    _outcome_pie(ax, pack, "c")


def panel_main06f(ax, pack) -> None:
    """Outcome shares of the C method."""
    _outcome_pie(ax, pack, "a")


def draw_main06(out_dir):
    """Fig. 6: training efficiency and outcome types of CartPole agents."""
    pack = open_pack(out_dir, "main06")
    fig = new_figure(1, 1, height=6.0)[0]
    fig.clf()
    grid = fig.add_gridspec(2, 4)
    ax_a, ax_b = fig.add_subplot(grid[0, :2]), fig.add_subplot(grid[0, 2:])
    panel_main06a(ax_a, pack)
    panel_main06b(ax_b)
    panel_label(ax_a, "a")
    panel_label(ax_b, "b")
    for k, (letter, panel) in enumerate(zip("cdef", (panel_main06c, panel_main06d, panel_main06e, panel_main06f))):
        ax = fig.add_subplot(grid[1, k])
        panel(ax, pack)
        panel_label(ax, letter, x=0.0)
    fig.tight_layout()
    return save_figure(fig, out_dir, "main06")


DRAWERS = {"main01": draw_main01, "main02": draw_main02, "main03": draw_main03, "main04": draw_main04,
           "main05": draw_main05, "main06": draw_main06}


def draw_all(out_dir, names=None, skip_missing: bool = False) -> dict:
    """Draw the main figures into ``OUT/show``; returns ``{stem: [pdf, png] or 'skipped: reason'}``.

    With ``skip_missing`` a figure whose pack does not exist is skipped instead of raising.
    """
    return draw_figures(DRAWERS, FIGURES, out_dir, names, skip_missing)


def main(argv=None) -> dict:
    """CLI: ``python works/show_main.py --out DIR [--skip-missing]``."""
    return figure_cli(draw_all, "Draw the main figures from OUT/data into OUT/show.", argv)


if __name__ == "__main__":
    main()
