"""Figures of task 3 (CartPole NEAT): Figs. 5 and 6 (``main05``, ``main06``) and Figs. S24, S25.

One function per panel reading only the packs of :mod:`works.tasks.cartpole`; Fig. 5a and 6b are schematics.

Examples
--------
>>> sorted(FIGURES)
['main05', 'main06', 'supp24', 'supp25']
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from works.figures.packs import has, need
from works.figures.panels import annotated_heatmap, grouped_bars, staircase
from works.figures.runner import compose, label_panels
from works.figures.style import (
    AGENT_GREYS,
    AGENT_LABELS,
    AGENTS,
    not_available,
    panel_label,
    percent_axis,
    side_colourbar,
)
from works.layout import LETTERS, PASS_SCORE

__all__ = ["FIGURES", "below_legend", "draw_main05", "draw_main06", "draw_supp24", "draw_supp25", "noise_heatmap",
           "percent_labels", "score_floor"]

AGENT_LETTERS = dict(zip(AGENTS, "cdef"))
OUTCOMES = ("S", "F1", "F2", "F3")
OUTCOME_COLOURS = ("#4DAF4A", "#FDB863", "#E66101", "#B2182B")


def percent_labels(values) -> list:
    """Tick labels ``"20%"`` of noise levels or fractions given in [0, 1]."""
    return [f"{100 * v:.0f}%" for v in values]


# --------------------------------------------------------------------------------------------------- Fig. 5


def panel_main05a(ax) -> None:
    """CartPole schematic: observations and actions."""
    ax.plot([-2.4, 2.4], [0, 0], color="black", lw=1)
    ax.add_patch(Rectangle((-0.4, 0), 0.8, 0.35, facecolor="#CCCCCC", edgecolor="black"))
    ax.plot([0, 0.5], [0.35, 1.6], color="#8B4513", lw=3)
    ax.annotate("", xy=(-1.2, 0.18), xytext=(-0.45, 0.18), arrowprops={"arrowstyle": "-|>"})
    ax.annotate("", xy=(1.2, 0.18), xytext=(0.45, 0.18), arrowprops={"arrowstyle": "-|>"})
    ax.text(0, -0.35, "action: push left / push right", ha="center", fontsize=7)
    ax.text(1.0, 1.4, "observations:\ncart position, cart velocity,\npole angle, pole angular velocity", fontsize=7)
    ax.set_xlim(-2.5, 3.6)
    ax.set_ylim(-0.6, 1.9)
    ax.set_axis_off()


def panel_main05b(ax, pack) -> None:
    """Average training performance per method and training noise (grouped bars)."""
    agents = [str(a) for a in need(pack, "agents", shape=(None,), kind="U")]
    noise = need(pack, "training_noise", shape=(None,), kind="f")
    values = need(pack, "b", shape=(len(agents), len(noise)), kind="f")
    grouped_bars(ax, values, percent_labels(noise), [AGENT_LABELS.get(a, a) for a in agents],
                 [AGENT_GREYS.get(a, "#999999") for a in agents], ylim=(score_floor(values, 150), 205.0),
                 hline=PASS_SCORE)
    ax.text(len(noise) - 0.5, PASS_SCORE + 0.8, "pass (≥ 195)", ha="right", va="bottom", fontsize=7)
    ax.set_xlabel("training noise")
    ax.set_ylabel("average training performance")
    below_legend(ax, ncol=2)


def score_floor(values, floor: float, step: float = 25.0) -> float:
    """Lower y limit for CartPole scores: ``floor`` (the paper's zoom) unless a finite value lies below it, then
    the next multiple of ``step`` under the smallest value (never below 0), so that no bar or point is hidden.

    Examples
    --------
    >>> score_floor([180.0, 199.0], 150), score_floor([95.0, 41.0], 150), score_floor([3.0], 150)
    (150.0, 25.0, 0.0)
    """
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if values.size == 0 or values.min() >= floor:
        return float(floor)
    return float(max(0.0, step * np.floor((values.min() - 0.05 * step) / step)))


def below_legend(ax, ncol: int = 2, offset: float = -0.22) -> None:
    """Legend centred under the axes (below the x label), so that it never covers data."""
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, offset), ncol=ncol, fontsize=7,
              handlelength=1.2, columnspacing=1.0)


def noise_heatmap(ax, pack, letter, missing: str, **style):
    """Mean scores ``pack[letter]`` (training × evaluation noise) as an annotated heatmap, evaluation noise on y,
    with the staircase of the own training noise when both axes agree; ``missing`` is written when absent.

    ``style`` goes to :func:`works.figures.panels.annotated_heatmap` (colour map, range, format).
    """
    if not has(pack, letter):
        not_available(ax, missing)
        return None
    training = need(pack, "training_noise", shape=(None,), kind="f")
    evaluation = need(pack, "evaluation_noise", shape=(None,), kind="f")
    matrix = need(pack, letter, shape=(len(training), len(evaluation)), kind="f")
    mesh = annotated_heatmap(ax, matrix.T, xticklabels=percent_labels(training),
                             yticklabels=percent_labels(evaluation), **style)
    if len(training) == len(evaluation):
        staircase(ax, len(training))
    return mesh


def _evaluation_heatmap(ax, pack, agent):
    ax.set_title(AGENT_LABELS[agent], fontsize=7)
    mesh = noise_heatmap(ax, pack, AGENT_LETTERS[agent], "method not run at this scale", cmap="inferno", vmin=100,
                         vmax=PASS_SCORE, fmt="{:.1f}", pass_at=PASS_SCORE)
    if mesh is not None:
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


def _methods_figure(fig, top, bottom, top_x=(-0.12, -0.12), bottom_x=-0.12) -> list:
    """Layout of Figs. 5 and 6: two wide panels a, b on top (``top``: two ``draw(ax)``), below one panel per
    method c–f (``bottom``: four ``draw(ax)``); ``*_x`` = horizontal positions of the panel letters.
    Returns ``[(axes, what draw returned)]`` of the bottom row."""
    fig.clf()
    grid = fig.add_gridspec(2, 4)
    ax_a, ax_b = fig.add_subplot(grid[0, :2]), fig.add_subplot(grid[0, 2:])
    top[0](ax_a)
    top[1](ax_b)
    panel_label(ax_a, "a", x=top_x[0])
    panel_label(ax_b, "b", x=top_x[1])
    drawn = []
    for k, (letter, panel) in enumerate(zip("cdef", bottom)):
        ax = fig.add_subplot(grid[1, k])
        drawn.append((ax, panel(ax)))
        panel_label(ax, letter, x=bottom_x)
    return drawn


def draw_main05(out_dir):
    """Fig. 5: CartPole training and evaluation under noise."""
    def layout(fig, axes, pack):
        drawn = _methods_figure(fig, (panel_main05a, lambda ax: panel_main05b(ax, pack)),
                                [lambda ax, panel=panel: panel(ax, pack)
                                 for panel in (panel_main05c, panel_main05d, panel_main05e, panel_main05f)],
                                top_x=(0.0, -0.12))
        meshes = [(ax, mesh) for ax, mesh in drawn if mesh is not None]
        if meshes:
            side_colourbar(meshes[-1][1], meshes[-1][0], "mean evaluation performance")

    return compose(out_dir, "main05", layout, height=7.0)


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
                 [AGENT_GREYS[a] for a in agents], ylim=(0, max(repeats, float(np.nanmax(values, initial=0)))))
    ax.set_xlabel("maximum generation")
    ax.set_ylabel(f"qualified agents (of {repeats})")
    below_legend(ax, ncol=2)


def panel_main06b(ax) -> None:
    """Illustration of the outcome types S, F1, F2, F3 (constant example curves, training noise 30%)."""
    noise = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    examples = {"S": [200, 200, 199, 197, 185], "F1": [200, 198, 190, 170, 150], "F2": [190, 180, 170, 160, 150],
                "F3": [160, 175, 185, 190, 170]}
    for (name, values), colour in zip(examples.items(), OUTCOME_COLOURS):
        ax.plot(noise, values, marker="o", ms=3, color=colour, label=name)
    ax.axhline(PASS_SCORE, ls="--", color="black", lw=0.8)
    ax.text(0.4, PASS_SCORE + 1, "pass", ha="right", fontsize=7)
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
           startangle=90, counterclock=False, wedgeprops={"edgecolor": "white"}, textprops={"fontsize": 7})


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
    def layout(fig, axes, pack):
        _methods_figure(fig, (lambda ax: panel_main06a(ax, pack), panel_main06b),
                        [lambda ax, panel=panel: panel(ax, pack)
                         for panel in (panel_main06c, panel_main06d, panel_main06e, panel_main06f)], bottom_x=0.0)

    return compose(out_dir, "main06", layout, height=6.0)


# --------------------------------------------------------------------------------------------------- S24, S25

def panel_supp24(ax, pack, agent, outcome) -> None:
    """Evaluation scores of one failure type of one method: box plots per evaluation noise."""
    noise = need(pack, "evaluation_noise", shape=(None,), kind="f")
    key = f"{agent}/{outcome}"
    scores = need(pack, key, shape=(None, len(noise)), kind="f") if has(pack, key) else np.empty((0, len(noise)))
    if len(scores) == 0:
        not_available(ax, "no agent")
        return
    ax.axhspan(PASS_SCORE, 205, color="#E5F5E0", lw=0)
    ax.boxplot(list(scores.T), positions=np.arange(len(noise)), widths=0.5, showfliers=False)
    ax.plot(np.arange(len(noise)), np.median(scores, axis=0), ls="--", color="black", lw=0.6)
    ax.set_xticks(np.arange(len(noise)))
    ax.set_xticklabels(percent_labels(noise), fontsize=7, rotation=90)
    ax.set_ylim(score_floor(scores, 95), 205)
    ax.text(0.02, 0.03, f"n = {len(scores)}", transform=ax.transAxes, fontsize=7)


def draw_supp24(out_dir):
    """Fig. S24: CartPole agents that are not S, rows = failure types, columns = methods."""
    def layout(fig, axes, pack):
        for column, agent in enumerate(AGENTS):
            axes[0, column].set_title(AGENT_LABELS[agent], fontsize=7)
            for row, outcome in enumerate(("F1", "F2", "F3")):
                panel_supp24(axes[row, column], pack, agent, outcome)
                if column == 0:
                    axes[row, 0].set_ylabel(f"failure type {row + 1}\nevaluation performance")
            axes[-1, column].set_xlabel("evaluating noise")
        label_panels(axes, LETTERS, only_drawn=True)

    return compose(out_dir, "supp24", layout, 3, 4, height=5.5)


def draw_supp25(out_dir, limit: int = 12):
    """Fig. S25: every failure-type-3 agent (at most ``limit`` per method shown), best evaluation noise marked.

    One row per method and as many columns as the method with the most such agents has (at most ``limit``, at
    least four); a slot without an agent is removed, a method without any says so."""
    def layout(fig, axes, pack):
        noise = need(pack, "evaluation_noise", shape=(None,), kind="f")
        rows = [need(pack, letter, shape=(None, len(noise)), kind="f") if has(pack, letter)
                else np.empty((0, len(noise))) for letter in "abcd"]
        columns = min(limit, max(4, *(len(scores) for scores in rows)))
        fig.clf()
        grid = fig.add_gridspec(len(rows), columns)
        for row, (agent, scores) in enumerate(zip(AGENTS, rows)):
            low = score_floor(scores, 50)
            for k in range(min(max(len(scores), 1), columns)):
                ax = fig.add_subplot(grid[row, k])
                panel_supp25(ax, noise, scores[k] if k < len(scores) else None, low, ticks=k == 0)
                if k == 0:
                    ax.set_ylabel(AGENT_LABELS[agent].replace(" - ", "\n"), fontsize=7)
        fig.supxlabel("evaluating noise (red: best evaluating noise)", fontsize=8)

    return compose(out_dir, "supp25", layout, height=5.0)


def panel_supp25(ax, noise, scores, low: float = 50, ticks: bool = True) -> None:
    """One failure-type-3 agent: scores vs evaluation noise, best noise marked (y from ``low`` to 230; y tick
    labels only with ``ticks``; x ticks at every noise level, labelled at the first and the last)."""
    if scores is None:
        not_available(ax, "no failure-type-3 agent")
        return
    ax.plot(noise, scores, marker="o", ms=2, color="#555555", lw=0.6)
    best = int(np.argmax(scores))
    ax.scatter([noise[best]], [scores[best]], color="red", s=8, zorder=3)
    ax.set_ylim(low, 230)
    ax.set_xticks(noise)
    ax.set_xticklabels([label if k in (0, len(noise) - 1) else "" for k, label in enumerate(percent_labels(noise))])
    ax.tick_params(labelsize=7, labelleft=ticks)


FIGURES = {"main05": draw_main05, "main06": draw_main06, "supp24": draw_supp24, "supp25": draw_supp25}
