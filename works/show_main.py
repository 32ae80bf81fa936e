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
from matplotlib.patches import FancyBboxPatch, Rectangle

from works.figures.diagrams import draw_motif
from works.figures.runner import draw_figures, figure_cli
from works.figures.packs import has, need, open_pack
from works.figures.panels import (annotated_heatmap, before_after_scatter, box_pair, grouped_bars, proportion_lines,
                                  staircase)
from works.figures.style import (AGENT_GREYS, AGENT_LABELS, AGENTS, COLOURS, LOOP_TYPES, TYPE_COLOURS, TYPE_SYMBOLS,
                                 new_figure, not_available, panel_label, percent_axis, save_figure)

__all__ = ["FIGURES", "draw_all", "draw_main01", "draw_main02", "draw_main03", "draw_main04", "draw_main05",
           "draw_main06", "main"]

FIGURES = ["main01", "main02", "main03", "main04", "main05", "main06"]
PASS_SCORE = 195.0
AGENT_LETTERS = dict(zip(AGENTS, "cdef"))
OUTCOMES = ("S", "F1", "F2", "F3")
OUTCOME_COLOURS = ("#4DAF4A", "#FDB863", "#E66101", "#B2182B")


def _box(ax, xy, text, colour="white", width=1.6, height=0.5, fontsize=6):
    ax.add_patch(FancyBboxPatch(xy, width, height, boxstyle="round,pad=0.03", facecolor=colour, edgecolor="black",
                                lw=0.6))
    ax.text(xy[0] + width / 2, xy[1] + height / 2, text, ha="center", va="center", fontsize=fontsize, wrap=True)


def _arrow(ax, start, end):
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "lw": 0.8, "color": "black"})


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
        _box(ax, (5.6, 3.1 - 0.8 * i), step, width=2.6, height=0.55)
        if i:
            _arrow(ax, (6.9, 3.1 - 0.8 * i + 0.8), (6.9, 3.1 - 0.8 * i + 0.55))
    ax.set_xlim(-1.2, 8.4)
    ax.set_ylim(-0.6, 3.9)
    ax.set_axis_off()
    ax.set_title("local network properties of 3-node coherent and incoherent loops")


def panel_main01b(ax) -> None:
    """Schematic: NeuroEvolution loop with motif-restricted evolution and noisy CartPole."""
    for i, (label, xy) in enumerate((("evaluate", (0, 1.6)), ("select", (2.0, 1.6)), ("evolve", (2.0, 0.4)),
                                     ("repeat", (0, 0.4)))):
        _box(ax, xy, label, colour="#F4F4F4", width=1.4, height=0.5, fontsize=7)
    _arrow(ax, (1.4, 1.85), (2.0, 1.85))
    _arrow(ax, (2.7, 1.6), (2.7, 0.9))
    _arrow(ax, (2.0, 0.65), (1.4, 0.65))
    _arrow(ax, (0.7, 0.9), (0.7, 1.6))
    for i, agent in enumerate(AGENTS):
        _box(ax, (4.0, 2.0 - 0.5 * i), AGENT_LABELS[agent], colour=AGENT_GREYS[agent], width=2.2, height=0.4)
    ax.text(5.1, 2.6, "motif composition at the evolution stage", ha="center", fontsize=6)
    _box(ax, (7.0, 1.3), "cart-pole agents\nnoise 0–40%", width=1.6, height=0.6)
    _box(ax, (9.0, 1.8), "learn the target and\nresist the noise", colour="#D9F0D3", width=1.9, height=0.5)
    _box(ax, (9.0, 0.7), "learn the target and\nthe noise together", colour="#F6D0D0", width=1.9, height=0.5)
    _arrow(ax, (8.6, 1.7), (9.0, 2.0))
    _arrow(ax, (8.6, 1.5), (9.0, 0.95))
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


# --------------------------------------------------------------------------------------------------- Fig. 2


def panel_main02a(ax, pack) -> None:
    """2-D map (MDS; UMAP in the reference) of the example loop, four catchers and their imitation trajectories."""
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
        ax.annotate(f"$\\mathcal{{C}}$-{k + 1}", path[0], xytext=(3, 3), textcoords="offset points", fontsize=6)
    ax.scatter(*points[0], s=40, color="red", zorder=4, label=TYPE_SYMBOLS["incoherent-loop"] + "-1")
    text = ("criterion: L2 (MSE)\nembedding: metric MDS\n" +
            "w = ({:+.3f}, {:+.3f}, {:+.3f})\nb = ({:+.3f}, {:+.3f})".format(*loop))
    ax.text(0.02, 0.02, text, transform=ax.transAxes, fontsize=5.5, va="bottom",
            bbox={"facecolor": "white", "edgecolor": "#999999", "lw": 0.5})
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.legend(frameon=False, loc="upper right")
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
    pack = open_pack(out_dir, "main02")
    fig, axes = new_figure(2, 3, height=6.2)
    panel_main02a(axes[0, 0], pack)
    panel_main02b(axes[0, 1], pack)
    panel_main02c(axes[0, 2], pack)
    panel_main02d(axes[1, 0], pack)
    mesh = panel_main02e(axes[1, 1], pack)
    fig.colorbar(mesh, ax=axes[1, 2], fraction=0.5, label="density")
    axes[1, 2].set_axis_off()
    for ax, letter in zip(axes.ravel(), "abcde"):
        panel_label(ax, letter)
    fig.tight_layout()
    return save_figure(fig, out_dir, "main02")


# --------------------------------------------------------------------------------------------------- Fig. 3


def panel_main03a(ax) -> None:
    """Schematic of the maximum–minimum loss search."""
    ax.add_patch(Rectangle((0, 0), 3, 2, facecolor=COLOURS["incoherent-loop"], alpha=0.4, edgecolor="black"))
    ax.add_patch(Rectangle((5, 0), 3, 2, facecolor=COLOURS["collider"], alpha=0.4, edgecolor="black"))
    ax.text(1.5, 2.2, "loop population ($\\mathcal{L}_i$ or $\\mathcal{L}_c$)", ha="center", fontsize=6)
    ax.text(6.5, 2.2, "collider population ($\\mathcal{C}$)", ha="center", fontsize=6)
    draw_motif(ax, "incoherent-loop", 1, origin=(1.0, 0.6))
    draw_motif(ax, "collider", 1, origin=(6.0, 0.6))
    ax.annotate("", xy=(5.0, 1.4), xytext=(3.0, 1.4), arrowprops={"arrowstyle": "<|-", "lw": 0.8})
    ax.annotate("", xy=(5.0, 0.6), xytext=(3.0, 0.6), arrowprops={"arrowstyle": "-|>", "lw": 0.8})
    ax.text(4.0, 1.55, "minimise difference\nby training colliders", ha="center", fontsize=5.5)
    ax.text(4.0, 0.05, "maximise difference\nby training the loop", ha="center", fontsize=5.5)
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
    pack = open_pack(out_dir, "main03")
    fig = new_figure(1, 1, height=6.0)[0]
    fig.clf()
    grid = fig.add_gridspec(2, 4, height_ratios=(1, 1.2))
    schematic = fig.add_subplot(grid[0, :])
    panel_main03a(schematic)
    panel_label(schematic, "a", x=0.0)
    for k, (letter, panel) in enumerate(zip("bcde", (panel_main03b, panel_main03c, panel_main03d, panel_main03e))):
        ax = fig.add_subplot(grid[1, k])
        panel(ax, pack)
        panel_label(ax, letter)
    fig.tight_layout()
    return save_figure(fig, out_dir, "main03")


# --------------------------------------------------------------------------------------------------- Fig. 4


def _example_panel(axes, pack, letter):
    keys = ("before", "after", "before_curvature", "after_curvature")
    maps = [need(pack, f"{letter}/{k}", shape=(None, None), kind="f") for k in keys]
    if any(m.shape != maps[0].shape for m in maps):
        raise ValueError(f"packed data {pack.name!r} key {letter!r}: landscape and curvature maps differ in shape.")
    before, after, curve_1, curve_2 = maps
    extent = (-1, 1, -1, 1)
    images = [(before, "PRGn", "before", 1), (after - before, "PRGn", "change", 2), (after, "PRGn", "after", 1),
              (curve_1, "binary", "curvature before", 1), (curve_2, "binary", "curvature after", 1)]
    for ax, (image, cmap, title, limit) in zip(axes, images):
        ax.imshow(image.T, origin="lower", extent=extent, cmap=cmap, vmin=-limit, vmax=limit)
        ax.set_title(title, fontsize=7)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
    rows = [[f"{np.mean(c == 1):.1%}", f"{np.mean(c == -1):.1%}"] for c in (curve_1, curve_2)]
    rows.append([f"{float(np.mean(curve_2 == 1) - np.mean(curve_1 == 1)):+.1%}",
                 f"{float(np.mean(curve_2 == -1) - np.mean(curve_1 == -1)):+.1%}"])
    axes[5].set_axis_off()
    table = axes[5].table(cellText=rows, rowLabels=["before", "after", "change"], colLabels=["convex", "concave"],
                          loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(6)
    record = int(need(pack, f"{letter}/record", shape=()))
    axes[0].set_ylabel(f"{need(pack, f'{letter}/structure', shape=(), kind='U')}\ncase {record + 1}", fontsize=6)


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


def draw_main04(out_dir):
    """Fig. 4: curvature changes during the escape."""
    pack = open_pack(out_dir, "main04")
    fig = new_figure(1, 1, height=8.0)[0]
    fig.clf()
    grid = fig.add_gridspec(3, 6, height_ratios=(1, 1, 1.6))
    for row, (letter, panel) in enumerate((("a", panel_main04a), ("b", panel_main04b))):
        axes = [fig.add_subplot(grid[row, k]) for k in range(6)]
        panel(axes, pack)
        panel_label(axes[0], letter, x=-0.9, y=1.15)
    for k, (letter, panel) in enumerate((("c", panel_main04c), ("d", panel_main04d))):
        ax = fig.add_subplot(grid[2, 3 * k:3 * k + 3])
        panel(ax, pack)
        panel_label(ax, letter)
    fig.tight_layout()
    return save_figure(fig, out_dir, "main04")


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
