"""Figures of task 4 (UCI NEAT): Figs. S26-S30, one function per panel.

Panels read only the packs of :mod:`works.tasks.uci`; panel letters a, b, c are the domains biology,
physics-chemistry and health-medicine (a domain not run is drawn as "not available").

Examples
--------
>>> sorted(FIGURES)
['supp26', 'supp27', 'supp28', 'supp29', 'supp30']
"""

from __future__ import annotations

import numpy as np

from works.figures.packs import has, need
from works.figures.panels import annotated_heatmap, grouped_bars
from works.figures.runner import compose, label_panels, letter_grid
from works.figures.style import AGENT_GREYS, AGENT_LABELS, AGENTS, not_available, side_colourbar
from works.layout import LETTERS
from works.tasks.cartpole_figures import below_legend, noise_heatmap, percent_labels

__all__ = ["FIGURES", "draw_supp26", "draw_supp27", "draw_supp28", "draw_supp29", "draw_supp30"]


def _draw_domains(out_dir, stem: str, panel, rows: int, cols: int, height: float):
    """A figure of one ``panel(ax, pack, letter)`` per domain run (letters a, b, c on the flattened grid)."""
    def domain_panel(ax, pack, letter):
        if has(pack, letter):
            panel(ax, pack, letter)
        else:
            not_available(ax, "domain not run at this scale")

    return letter_grid(out_dir, stem, domain_panel, rows, cols, height, "abc")


def panel_supp26(ax, pack, letter) -> None:
    """UCI class counts per split (paired bars)."""
    classes = need(pack, f"{letter}/classes", shape=(None,))
    train = need(pack, f"{letter}/train", shape=(len(classes),), kind="f")
    test = need(pack, f"{letter}/test", shape=(len(classes),), kind="f")
    grouped_bars(ax, np.stack([train, test]), [str(c) for c in classes], ["training", "test"],
                 ["#BBBBBB", "#555555"], ylim=(0, max(200, float(train.max()) * 1.1)))
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("class")
    ax.set_ylabel("count")
    ax.legend(frameon=False)


def panel_supp27(ax, pack, letter, seed: int = 0) -> None:
    """UCI feature values per feature index, training vs test (jittered strips)."""
    train = need(pack, f"{letter}/train", shape=(None, None), kind="f")
    test = need(pack, f"{letter}/test", shape=(None, train.shape[1]), kind="f")
    rng = np.random.default_rng(seed)
    for offset, values, colour, label in ((-0.2, train, "#BBBBBB", "training"), (0.2, test, "#555555", "test")):
        for feature in range(values.shape[1]):
            ax.scatter(feature + offset + rng.uniform(-0.1, 0.1, len(values)), values[:, feature], s=1,
                       color=colour, label=label if feature == 0 else None)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=4)
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("feature index")
    ax.set_ylabel("value")


def _agents(pack):
    return [str(a) for a in need(pack, "agents", shape=(None,), kind="U")]


def panel_supp28(ax, pack, letter) -> None:
    """Average training F1 per method × training noise for one domain."""
    agents = _agents(pack)
    noise = need(pack, "training_noise", shape=(None,), kind="f")
    values = need(pack, f"{letter}/values", shape=(len(agents), len(noise)), kind="f")
    grouped_bars(ax, values, percent_labels(noise), [AGENT_LABELS.get(a, a) for a in agents],
                 [AGENT_GREYS.get(a, "#999999") for a in agents], ylim=(0, 1))
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("training noise")
    ax.set_ylabel("average training F1")
    below_legend(ax, ncol=1, offset=-0.32)


def panel_supp29(ax, pack, letter):
    """Mean test F1 (training × evaluation noise) for one domain and method."""
    return noise_heatmap(ax, pack, letter, "not run at this scale", cmap="inferno", vmin=0, vmax=1, fmt="{:.2f}",
                         fontsize=7)


def panel_supp30(ax, pack, letter):
    """Share of agents whose best evaluation noise equals their training noise (method × training noise)."""
    agents = _agents(pack)
    noise = need(pack, "training_noise", shape=(None,), kind="f")
    repeats = float(need(pack, "repeats", shape=()))
    counts = need(pack, f"{letter}/values", shape=(len(agents), len(noise)), kind="f")
    mesh = annotated_heatmap(ax, counts / repeats, cmap="viridis", vmin=0, vmax=1, fmt="{:.0%}",
                             xticklabels=percent_labels(noise), yticklabels=agents)
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("training noise")
    return mesh


def draw_supp26(out_dir):
    """Fig. S26: UCI class counts."""
    return _draw_domains(out_dir, "supp26", panel_supp26, 1, 3, 2.8)


def draw_supp27(out_dir):
    """Fig. S27: UCI feature values."""
    return _draw_domains(out_dir, "supp27", panel_supp27, 3, 1, 6.0)


def draw_supp28(out_dir):
    """Fig. S28: UCI training F1."""
    return _draw_domains(out_dir, "supp28", panel_supp28, 1, 3, 2.8)


def draw_supp29(out_dir):
    """Fig. S29: UCI test F1 matrices, 3 domains × 4 methods."""
    def layout(fig, axes, pack):
        domains = [str(d) for d in need(pack, "domains", shape=(3,), kind="U")]
        for d in range(3):
            for j, agent in enumerate(AGENTS):
                mesh = panel_supp29(axes[d, j], pack, LETTERS[4 * d + j])
                axes[d, j].set_title(f"{domains[d]}\n{AGENT_LABELS[agent]}", fontsize=7)
                if mesh is not None and j == len(AGENTS) - 1:
                    side_colourbar(mesh, axes[d, j], "mean test F1")
        label_panels(axes, LETTERS, only_drawn=True)

    return compose(out_dir, "supp29", layout, 3, 4, height=7.0)


def draw_supp30(out_dir):
    """Fig. S30: best-at-own-training-noise shares."""
    def panel(ax, pack, letter):
        mesh = panel_supp30(ax, pack, letter)
        side_colourbar(mesh, ax, "share of agents")

    return _draw_domains(out_dir, "supp30", panel, 1, 3, 2.6)


FIGURES = {"supp26": draw_supp26, "supp27": draw_supp27, "supp28": draw_supp28, "supp29": draw_supp29,
           "supp30": draw_supp30}
