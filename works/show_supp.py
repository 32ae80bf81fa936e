"""Step 4 of the pipeline: the supplementary figures (``OUT/show/supp01`` … ``supp30``, PDF + PNG).

One function per panel (``panel_suppNN[letter](ax, pack, ...)``; panels repeated per structure,
method or incoherent fraction take the key as an argument) reading only packed data
(``OUT/data/suppNN.npz``); one ``draw_suppNN(out_dir)`` per figure. S3 and S9a are schematics.
A missing pack raises ``FileNotFoundError``; a missing or malformed entry ``ValueError`` naming the
pack and the key. Groups that are empty at the scale run (e.g. a structure or method that was not
computed, or no incoherent loops at k = 0) are drawn as "not applicable" panels.

Examples
--------
>>> from works.show_supp import FIGURES
>>> len(FIGURES), FIGURES[0], FIGURES[-1]
(30, 'supp01', 'supp30')
"""

from __future__ import annotations


import numpy as np

from works.figures.diagrams import draw_motif
from works.figures.runner import draw_figures, figure_cli
from works.figures.packs import has, need, open_pack
from works.figures.panels import (annotated_heatmap, grouped_bars, log_density,
                                  staircase)
from works.tasks.escape_figures import draw_supp04, draw_supp05, draw_supp06, draw_supp07, draw_supp08
from works.tasks.motifs_figures import draw_supp01, draw_supp02
from works.figures.style import (AGENT_GREYS, AGENT_LABELS, AGENTS, COLOURS, TYPE_COLOURS, new_figure, not_available, panel_label, percent_axis, save_figure)

__all__ = ["FIGURES", "draw_all", "main", "draw_supp01", "draw_supp02", "draw_supp03", "draw_supp04", "draw_supp05", "draw_supp06", "draw_supp07", "draw_supp08", "draw_supp09", "draw_supp10", "draw_supp11", "draw_supp12", "draw_supp13", "draw_supp14", "draw_supp15", "draw_supp16", "draw_supp17", "draw_supp18", "draw_supp19", "draw_supp20", "draw_supp21", "draw_supp22", "draw_supp23", "draw_supp24", "draw_supp25", "draw_supp26", "draw_supp27", "draw_supp28", "draw_supp29", "draw_supp30"]

FIGURES = [f"supp{n:02d}" for n in range(1, 31)]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
PASS_SCORE = 195.0
NETWORK_LANDSCAPES = ("Quadratic Saddle", "Monkey Saddle", "Branin", "three-hump Camel", "six-hump Camel")


def _grid(rows, cols, height=None):
    fig, axes = new_figure(rows, cols, height=height)
    return fig, axes


def _finish(fig, axes, out_dir, stem, letters=LETTERS):
    for ax, letter in zip(np.ravel(axes), letters):
        if ax.axison or ax.texts:
            panel_label(ax, letter)
    fig.tight_layout()
    return save_figure(fig, out_dir, stem)


def _fractions(pack):
    return need(pack, "fractions", shape=(None,), kind="f")


def _per_fraction(axes, fractions, draw_panel) -> None:
    """Draw ``draw_panel(ax, k)`` for the k-th incoherent fraction on each axis; blank the spare axes."""
    for k, ax in enumerate(axes):
        if k < len(fractions):
            draw_panel(ax, k)
            ax.set_title(f"{fractions[k]:.0%} incoherent", fontsize=6)
        else:
            ax.set_axis_off()


def _pct(values):
    return [f"{100 * v:.0f}%" for v in values]


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
    fig, axes = _grid(1, 1, height=2.5)
    panel_supp03(axes[0, 0])
    return save_figure(fig, out_dir, "supp03")


# --------------------------------------------------------------------------------------------------- S9 – S14


def panel_supp09a(ax) -> None:
    """Schematic of the network-scale model: many loops and colliders summed into z."""
    for k in range(3):
        draw_motif(ax, ("incoherent-loop", "coherent-loop", "collider")[k], 1, origin=(0, 2.2 - 1.1 * k), scale=0.8)
        ax.annotate("", xy=(2.3, 1.3), xytext=(0.95, 2.2 - 1.1 * k + 0.1), arrowprops={"arrowstyle": "-|>", "lw": 0.6})
    ax.text(2.5, 1.3, r"$z = \sum_m z_m$", fontsize=8, va="center")
    ax.set_xlim(-0.3, 3.8)
    ax.set_ylim(-0.3, 3.1)
    ax.set_axis_off()


def panel_supp09(ax, pack, letter):
    """One target landscape (plasma, −1…1)."""
    surface = need(pack, f"{letter}/landscape", shape=(None, None), kind="f")
    image = ax.imshow(surface.T, origin="lower", extent=(-1, 1, -1, 1), cmap="plasma", vmin=-1, vmax=1)
    ax.set_title(str(need(pack, f"{letter}/name", shape=(), kind="U")))
    ax.set_xlabel("input signal x")
    ax.set_ylabel("input signal y")
    return image


def draw_supp09(out_dir):
    """Fig. S9: network-scale model schematic and the five target landscapes."""
    pack = open_pack(out_dir, "supp09")
    fig, axes = _grid(1, 6, height=2.2)
    panel_supp09a(axes[0, 0])
    image = [panel_supp09(ax, pack, letter) for ax, letter in zip(axes[0, 1:], "bcdef")][-1]
    fig.colorbar(image, ax=list(axes[0]), fraction=0.015, label="output")
    for ax, letter in zip(axes[0], "abcdef"):
        panel_label(ax, letter)
    return save_figure(fig, out_dir, "supp09")


def panel_supp_network(ax, pack, letter, label) -> None:
    """Mean iterations vs mean final loss for 1…n motifs (log–log), grey level = motif number."""
    values = need(pack, letter, shape=(None, 2), kind="f")
    motifs = need(pack, "motifs", shape=(len(values),), kind="i")
    greys = np.linspace(0.85, 0.0, len(values))
    ax.plot(values[:, 1], values[:, 0], color="#999999", lw=0.6)
    for (loss, iterations), grey, n in zip(values, greys, motifs):
        ax.scatter(iterations, loss, color=str(grey), edgecolor="black", s=18, zorder=3)
        ax.annotate(str(n), (iterations, loss), xytext=(2, 2), textcoords="offset points", fontsize=5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("mean iterations")
    ax.set_ylabel("mean final loss")
    ax.set_title(label)


def panel_supp_network_table(ax, pack) -> None:
    """Text table of the values behind panels a and b."""
    table = need(pack, "c", shape=(None, 4), kind="U")
    motifs = need(pack, "motifs", shape=(len(table),), kind="i")
    ax.set_axis_off()
    cells = ax.table(cellText=table.tolist(), rowLabels=[str(m) for m in motifs],
                     colLabels=["C loss", "C iterations", "L loss", "L iterations"], loc="center", cellLoc="center")
    cells.auto_set_font_size(False)
    cells.set_fontsize(5.5)


def _draw_network(out_dir, stem):
    pack = open_pack(out_dir, stem)
    fig, axes = _grid(1, 3, height=3.0)
    panel_supp_network(axes[0, 0], pack, "a", "collider-only networks")
    panel_supp_network(axes[0, 1], pack, "b", "loop-only networks")
    panel_supp_network_table(axes[0, 2], pack)
    fig.suptitle(str(need(pack, "name", shape=(), kind="U")))
    return _finish(fig, axes, out_dir, stem)


def draw_supp10(out_dir):
    """Fig. S10: Quadratic Saddle, collider-only vs loop-only networks."""
    return _draw_network(out_dir, "supp10")


def draw_supp11(out_dir):
    """Fig. S11: Monkey Saddle."""
    return _draw_network(out_dir, "supp11")


def draw_supp12(out_dir):
    """Fig. S12: Branin."""
    return _draw_network(out_dir, "supp12")


def draw_supp13(out_dir):
    """Fig. S13: three-hump Camel."""
    return _draw_network(out_dir, "supp13")


def draw_supp14(out_dir):
    """Fig. S14: six-hump Camel."""
    return _draw_network(out_dir, "supp14")


# --------------------------------------------------------------------------------------------------- S15 – S23


def panel_supp15(ax, pack, letter) -> None:
    """Successful vs total restricted networks per incoherent fraction (overlaid bars, log axis)."""
    if not has(pack, letter):
        not_available(ax)
        return
    fractions = _fractions(pack)
    successes = need(pack, f"{letter}/successes", shape=(len(fractions),), kind="f")
    totals = need(pack, f"{letter}/totals", shape=(len(fractions),), kind="f")
    positions = np.arange(len(fractions))
    ax.bar(positions, totals, color="#DDDDDD", edgecolor="black", lw=0.4, label="total")
    ax.bar(positions, successes, width=0.5, color="#4DAF4A", edgecolor="black", lw=0.4, label="success")
    ax.set_yscale("log")
    ax.set_ylim(1, 1e5)
    ax.set_xticks(positions)
    ax.set_xticklabels(_pct(fractions), rotation=90)
    ax.set_xlabel("incoherent fraction")
    ax.set_title(str(need(pack, f"{letter}/name", shape=(), kind="U")))
    ax.legend(frameon=False)


def draw_supp15(out_dir):
    """Fig. S15: restricted-network success counts per landscape."""
    pack = open_pack(out_dir, "supp15")
    fig, axes = _grid(1, 5, height=2.8)
    for ax, letter in zip(axes[0], "abcde"):
        panel_supp15(ax, pack, letter)
    return _finish(fig, axes, out_dir, "supp15")


def panel_supp16a(ax, pack) -> None:
    """Iterations of unrestricted loop networks to reach each loss milestone (horizontal violins)."""
    milestones = need(pack, "a/milestones", shape=(None,), kind="f")
    iterations = need(pack, "a/iterations", shape=(len(milestones), None), kind="f")
    data = [row[row > 0] if np.any(row > 0) else np.zeros(1) for row in iterations]
    parts = ax.violinplot(data, positions=np.arange(len(milestones)), orientation="horizontal", showextrema=False)
    for body in parts["bodies"]:
        body.set_facecolor(COLOURS["coherent-loop"])
        body.set_edgecolor("black")
    for k, row in enumerate(data):
        ax.text(row.max(), k, f" {row.max():.0f}", va="center", fontsize=5)
    ax.set_yticks(np.arange(len(milestones)))
    ax.set_yticklabels([f"{m:.0E}" for m in milestones])
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss milestone")


def panel_supp16b(ax, pack):
    """Share of restricted networks worse than the slowest unrestricted run, fraction × milestone."""
    fractions = _fractions(pack)
    milestones = need(pack, "a/milestones", shape=(None,), kind="f")
    values = need(pack, "b", shape=(len(fractions), len(milestones)), kind="f")
    mesh = annotated_heatmap(ax, values, cmap="RdYlGn_r", vmin=0, vmax=0.5, fmt="{:.0%}",
                             xticklabels=[f"{m:.0E}" for m in milestones], yticklabels=_pct(fractions), fontsize=4.5)
    ax.set_xlabel("loss milestone")
    ax.set_ylabel("incoherent fraction")
    return mesh


def draw_supp16(out_dir):
    """Fig. S16: Quadratic Saddle convergence milestones."""
    pack = open_pack(out_dir, "supp16")
    fig, axes = _grid(1, 2, height=3.5)
    panel_supp16a(axes[0, 0], pack)
    panel_supp16b(axes[0, 1], pack)
    return _finish(fig, axes, out_dir, "supp16")


def panel_supp17a(ax, pack) -> None:
    """Failure rate (final loss > 1E−3) per incoherent fraction."""
    fractions = _fractions(pack)
    rates = need(pack, "a", shape=(len(fractions),), kind="f")
    ax.bar(np.arange(len(fractions)), rates, color=COLOURS["incoherent-loop"], edgecolor="black", lw=0.4)
    ax.set_xticks(np.arange(len(fractions)))
    ax.set_xticklabels(_pct(fractions), rotation=90)
    ax.set_ylim(0, 0.5)
    percent_axis(ax.yaxis)
    ax.set_xlabel("incoherent fraction")
    ax.set_ylabel("failure rate")


def panel_supp17b(ax, pack, seed: int = 0) -> None:
    """Final losses of the failing networks per fraction (jittered strip, log axis), maxima annotated."""
    fractions = _fractions(pack)
    rng = np.random.default_rng(seed)
    for k in range(len(fractions)):
        losses = need(pack, f"b/{k}", shape=(None,), kind="f")
        if losses.size:
            ax.scatter(k + rng.uniform(-0.25, 0.25, losses.size), losses, s=4, color="#555555")
            ax.text(k, losses.max() * 1.3, f"{losses.max():.1E}", ha="center", fontsize=4.5, rotation=90)
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e0)
    ax.set_xticks(np.arange(len(fractions)))
    ax.set_xticklabels(_pct(fractions), rotation=90)
    ax.set_ylabel("final loss of failures")


def draw_supp17(out_dir):
    """Fig. S17: Quadratic Saddle failure rate and failing losses."""
    pack = open_pack(out_dir, "supp17")
    fig, axes = _grid(1, 2, height=3.0)
    panel_supp17a(axes[0, 0], pack)
    panel_supp17b(axes[0, 1], pack)
    return _finish(fig, axes, out_dir, "supp17")


def panel_supp18(ax, pack, letter, group: str) -> None:
    """Final loss vs final utilisation of one loop group at one incoherent fraction, Spearman printed."""
    ax.set_title(group, fontsize=6)
    if not has(pack, letter):
        not_available(ax, "not applicable")
        return
    points = need(pack, f"{letter}/points", shape=(None, 2), kind="f")
    rho = float(need(pack, f"{letter}/spearman", shape=()))
    ax.scatter(10 ** points[:, 0], points[:, 1], s=4, color=COLOURS[group], edgecolor="black", linewidths=0.2)
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1e0)
    ax.set_ylim(0, 1.05)
    percent_axis(ax.yaxis)
    ax.text(0.02, 0.05, f"ρ = {rho:.2f}", transform=ax.transAxes, fontsize=6)


def draw_supp18(out_dir):
    """Fig. S18: final loss vs utilisation per fraction (coherent and incoherent loops)."""
    pack = open_pack(out_dir, "supp18")
    fractions = _fractions(pack)
    fig, axes = _grid(len(fractions), 2, height=1.1 * len(fractions))
    for k, fraction in enumerate(fractions):
        for column, group in enumerate(("coherent-loop", "incoherent-loop")):
            panel_supp18(axes[k, column], pack, LETTERS[2 * k + column], group)
        axes[k, 0].set_ylabel(f"{fraction:.0%}", fontsize=6)
    for ax in axes[-1]:
        ax.set_xlabel("final training loss")
    fig.tight_layout()
    return save_figure(fig, out_dir, "supp18")


def panel_supp19a(ax, pack) -> None:
    """Spearman(Δloss, iteration) per incoherent fraction (lollipop)."""
    fractions = _fractions(pack)
    rho = need(pack, "a", shape=(len(fractions),), kind="f")
    ax.vlines(fractions, 0, rho, color="#555555")
    ax.scatter(fractions, rho, color=COLOURS["incoherent-loop"], edgecolor="black", zorder=3)
    ax.axhline(0, color="black", lw=0.5)
    percent_axis(ax.xaxis)
    ax.set_xlabel("incoherent fraction")
    ax.set_ylabel("Spearman(Δloss, iteration)")


def panel_supp19(ax, pack, letter):
    """Log joint density of (Δloss, ΔLipschitz) at one fraction, Spearman printed."""
    if not has(pack, letter):
        not_available(ax, "not applicable")
        return None
    density = need(pack, f"{letter}/density", shape=(None, None), kind="f")
    x = need(pack, f"{letter}/x", shape=(density.shape[1],), kind="f")
    y = need(pack, f"{letter}/y", shape=(density.shape[0],), kind="f")
    mesh = ax.imshow(log_density(density), origin="lower", aspect="auto", extent=(x[0], x[-1], y[0], y[-1]),
                     cmap="binary", vmin=-10, vmax=0, interpolation="nearest")
    ax.text(0.98, 0.95, f"ρ = {float(need(pack, f'{letter}/spearman', shape=())):.2f}", transform=ax.transAxes,
            ha="right", va="top", fontsize=6, color="red")
    ax.set_xlabel("Δloss", fontsize=6)
    ax.set_ylabel("ΔLipschitz", fontsize=6)
    return mesh


def draw_supp19(out_dir):
    """Fig. S19: loss decrease vs Lipschitz change during fixed-network training."""
    pack = open_pack(out_dir, "supp19")
    fractions = _fractions(pack)
    fig, axes = _grid(3, 4, height=7.0)
    panel_supp19a(axes[0, 0], pack)
    _per_fraction(axes.ravel()[1:], fractions, lambda ax, k: panel_supp19(ax, pack, LETTERS[k + 1]))
    return _finish(fig, axes, out_dir, "supp19")


def panel_supp20(ax, pack, k: int) -> None:
    """Spectral-norm trajectories of coherent (k-th pair, first key) and incoherent loops at one fraction."""
    drawn = False
    for column, group in enumerate(("coherent-loop", "incoherent-loop")):
        letter = LETTERS[2 * k + column]
        if not has(pack, letter):
            continue
        curves = need(pack, f"{letter}/curves", shape=(None, None), kind="f")
        steps = need(pack, f"{letter}/iterations", shape=(curves.shape[1],), kind="f")
        for curve in curves:
            ax.plot(np.log10(np.maximum(steps, 1)), curve, color=TYPE_COLOURS[group], alpha=0.3, lw=0.5)
        drawn = True
    if not drawn:
        not_available(ax, "not applicable")
        return
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 2.4)


def draw_supp20(out_dir):
    """Fig. S20: spectral-norm trajectories per incoherent fraction."""
    pack = open_pack(out_dir, "supp20")
    fractions = _fractions(pack)
    fig, axes = _grid(2, 6, height=4.0)
    _per_fraction(axes.ravel(), fractions, lambda ax, k: panel_supp20(ax, pack, k))
    for ax in axes[-1]:
        ax.set_xlabel("log10 iteration")
    return _finish(fig, axes, out_dir, "supp20")


def panel_supp21(ax, pack) -> None:
    """Mirrored densities of the per-network spectral-norm/utilisation correlation per fraction."""
    fractions = _fractions(pack)
    for k in range(len(fractions)):
        letter = LETTERS[k]
        if not has(pack, letter):
            continue
        for side, (group, short) in zip((-1, 1), (("coherent-loop", "coh"), ("incoherent-loop", "inc"))):
            x = need(pack, f"{letter}/x_{short}", shape=(None,), kind="f")
            y = need(pack, f"{letter}/y_{short}", shape=(len(x),), kind="f")
            if x.size:
                width = 0.4 * y / y.max() if y.max() > 0 else y
                ax.fill_betweenx(x, k, k + side * width, color=COLOURS[group], edgecolor="black", lw=0.3)
    ax.set_xticks(np.arange(len(fractions)))
    ax.set_xticklabels(_pct(fractions))
    ax.set_ylim(-1, 1)
    ax.set_xlabel("incoherent fraction (left: coherent, right: incoherent loops)")
    ax.set_ylabel("correlation")


def draw_supp21(out_dir):
    """Fig. S21: correlation between spectral norm and utilisation drops."""
    pack = open_pack(out_dir, "supp21")
    fig, axes = _grid(1, 1, height=3.0)
    panel_supp21(axes[0, 0], pack)
    return save_figure(fig, out_dir, "supp21")


def panel_supp22(ax, pack, letter):
    """Log joint density of (Δ gradient variance, ΔLipschitz) at one fraction, Spearman printed."""
    if not has(pack, letter):
        not_available(ax, "not applicable")
        return None
    x = need(pack, "x", shape=(None,), kind="f")
    y = need(pack, "y", shape=(None,), kind="f")
    density = need(pack, f"{letter}/density", shape=(len(y), len(x)), kind="f")
    mesh = ax.imshow(log_density(density), origin="lower", aspect="auto", extent=(x[0], x[-1], y[0], y[-1]),
                     cmap="Blues", vmin=-10, vmax=0, interpolation="bilinear")
    ax.text(0.02, 0.95, f"ρ = {float(need(pack, f'{letter}/spearman', shape=())):.2f}", transform=ax.transAxes,
            va="top", fontsize=6)
    return mesh


def draw_supp22(out_dir):
    """Fig. S22: gradient variance vs Lipschitz changes per fraction."""
    pack = open_pack(out_dir, "supp22")
    fractions = _fractions(pack)
    fig, axes = _grid(2, 6, height=4.0)
    _per_fraction(axes.ravel(), fractions, lambda ax, k: panel_supp22(ax, pack, LETTERS[k]))
    return _finish(fig, axes, out_dir, "supp22")


def panel_supp23(ax, pack, letter) -> None:
    """3 × 3 sign contingency of Δ largest Hessian eigenvalue vs ΔLipschitz (log10 share colour, % printed)."""
    if not has(pack, letter):
        not_available(ax, "not applicable")
        return
    counts = need(pack, letter, shape=(3, 3), kind="f")
    share = counts / counts.sum() if counts.sum() > 0 else counts
    ax.pcolormesh(np.arange(4), np.arange(4), log_density(share, 1e-4), cmap="Blues", vmin=-4, vmax=0)
    for (row, col), value in np.ndenumerate(share):
        ax.text(col + 0.5, row + 0.5, f"{value:.1%}", ha="center", va="center", fontsize=5)
    ax.set_xticks([0.5, 1.5, 2.5])
    ax.set_xticklabels(["−", "0", "+"])
    ax.set_yticks([0.5, 1.5, 2.5])
    ax.set_yticklabels(["−", "0", "+"])
    ax.set_xlabel("ΔLipschitz", fontsize=6)
    ax.set_ylabel("Δ Hessian eigenvalue", fontsize=6)


def draw_supp23(out_dir):
    """Fig. S23: Hessian/Lipschitz sign contingencies per fraction."""
    pack = open_pack(out_dir, "supp23")
    fractions = _fractions(pack)
    fig, axes = _grid(2, 6, height=3.8)
    _per_fraction(axes.ravel(), fractions, lambda ax, k: panel_supp23(ax, pack, LETTERS[k]))
    return _finish(fig, axes, out_dir, "supp23")


# --------------------------------------------------------------------------------------------------- S24 – S30


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
    ax.set_xticklabels(_pct(noise), fontsize=5)
    ax.set_ylim(95, 205)
    ax.text(0.02, 0.03, f"n = {len(scores)}", transform=ax.transAxes, fontsize=5)


def draw_supp24(out_dir):
    """Fig. S24: CartPole agents that are not S, rows = failure types, columns = methods."""
    pack = open_pack(out_dir, "supp24")
    fig, axes = _grid(3, 4, height=5.5)
    for column, agent in enumerate(AGENTS):
        axes[0, column].set_title(AGENT_LABELS[agent], fontsize=6)
        for row, outcome in enumerate(("F1", "F2", "F3")):
            panel_supp24(axes[row, column], pack, agent, outcome)
            if column == 0:
                axes[row, 0].set_ylabel(f"failure type {row + 1}")
    return _finish(fig, axes, out_dir, "supp24")


def draw_supp25(out_dir, limit: int = 12):
    """Fig. S25: every failure-type-3 agent (at most ``limit`` per method shown), best evaluation noise marked."""
    pack = open_pack(out_dir, "supp25")
    noise = need(pack, "evaluation_noise", shape=(None,), kind="f")
    fig, axes = _grid(4, limit, height=5.0)
    for row, (letter, agent) in enumerate(zip("abcd", AGENTS)):
        scores = need(pack, letter, shape=(None, len(noise)), kind="f") if has(pack, letter) else np.empty((0, 5))
        axes[row, 0].set_ylabel(AGENT_LABELS[agent], fontsize=5)
        for k in range(limit):
            panel_supp25(axes[row, k], noise, scores[k] if k < len(scores) else None)
    fig.tight_layout()
    return save_figure(fig, out_dir, "supp25")


def panel_supp25(ax, noise, scores) -> None:
    """One failure-type-3 agent: scores vs evaluation noise, best noise marked."""
    if scores is None:
        ax.set_axis_off()
        return
    ax.plot(noise, scores, marker="o", ms=2, color="#555555", lw=0.6)
    best = int(np.argmax(scores))
    ax.scatter([noise[best]], [scores[best]], color="red", s=8, zorder=3)
    ax.set_ylim(50, 230)
    ax.set_xticks([])
    ax.tick_params(labelsize=4)


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


def draw_supp26(out_dir):
    """Fig. S26: UCI class counts."""
    pack = open_pack(out_dir, "supp26")
    fig, axes = _grid(1, 3, height=2.8)
    for ax, letter in zip(axes[0], "abc"):
        if has(pack, letter):
            panel_supp26(ax, pack, letter)
        else:
            not_available(ax, "domain not run at this scale")
    return _finish(fig, axes, out_dir, "supp26")


def panel_supp27(ax, pack, letter, seed: int = 0) -> None:
    """UCI feature values per feature index, training vs test (jittered strips)."""
    train = need(pack, f"{letter}/train", shape=(None, None), kind="f")
    test = need(pack, f"{letter}/test", shape=(None, train.shape[1]), kind="f")
    rng = np.random.default_rng(seed)
    for offset, values, colour in ((-0.2, train, "#BBBBBB"), (0.2, test, "#555555")):
        for feature in range(values.shape[1]):
            ax.scatter(feature + offset + rng.uniform(-0.1, 0.1, len(values)), values[:, feature], s=1,
                       color=colour)
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("feature index")
    ax.set_ylabel("value")


def draw_supp27(out_dir):
    """Fig. S27: UCI feature values."""
    pack = open_pack(out_dir, "supp27")
    fig, axes = _grid(3, 1, height=6.0)
    for ax, letter in zip(axes[:, 0], "abc"):
        if has(pack, letter):
            panel_supp27(ax, pack, letter)
        else:
            not_available(ax, "domain not run at this scale")
    return _finish(fig, axes, out_dir, "supp27")


def _agents(pack):
    return [str(a) for a in need(pack, "agents", shape=(None,), kind="U")]


def panel_supp28(ax, pack, letter) -> None:
    """Average training F1 per method × training noise for one domain."""
    agents = _agents(pack)
    noise = need(pack, "training_noise", shape=(None,), kind="f")
    values = need(pack, f"{letter}/values", shape=(len(agents), len(noise)), kind="f")
    grouped_bars(ax, values, _pct(noise), [AGENT_LABELS.get(a, a) for a in agents],
                 [AGENT_GREYS.get(a, "#999999") for a in agents], ylim=(0, 1))
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("training noise")
    ax.set_ylabel("average training F1")
    ax.legend(frameon=False, fontsize=5)


def draw_supp28(out_dir):
    """Fig. S28: UCI training F1."""
    pack = open_pack(out_dir, "supp28")
    fig, axes = _grid(1, 3, height=2.8)
    for ax, letter in zip(axes[0], "abc"):
        if has(pack, letter):
            panel_supp28(ax, pack, letter)
        else:
            not_available(ax, "domain not run at this scale")
    return _finish(fig, axes, out_dir, "supp28")


def panel_supp29(ax, pack, letter):
    """Mean test F1 (training × evaluation noise) for one domain and method."""
    if not has(pack, letter):
        not_available(ax, "not run at this scale")
        return None
    training = need(pack, "training_noise", shape=(None,), kind="f")
    evaluation = need(pack, "evaluation_noise", shape=(None,), kind="f")
    matrix = need(pack, letter, shape=(len(training), len(evaluation)), kind="f")
    mesh = annotated_heatmap(ax, matrix.T, cmap="inferno", vmin=0, vmax=1, fmt="{:.2f}", fontsize=4.5,
                             xticklabels=_pct(training), yticklabels=_pct(evaluation))
    if len(training) == len(evaluation):
        staircase(ax, len(training))
    return mesh


def draw_supp29(out_dir):
    """Fig. S29: UCI test F1 matrices, 3 domains × 4 methods."""
    pack = open_pack(out_dir, "supp29")
    domains = [str(d) for d in need(pack, "domains", shape=(3,), kind="U")]
    fig, axes = _grid(3, 4, height=7.0)
    for d in range(3):
        for j, agent in enumerate(AGENTS):
            panel_supp29(axes[d, j], pack, LETTERS[4 * d + j])
            axes[d, j].set_title(f"{domains[d]}\n{AGENT_LABELS[agent]}", fontsize=5)
    return _finish(fig, axes, out_dir, "supp29")


def panel_supp30(ax, pack, letter):
    """Share of agents whose best evaluation noise equals their training noise (method × training noise)."""
    agents = _agents(pack)
    noise = need(pack, "training_noise", shape=(None,), kind="f")
    repeats = float(need(pack, "repeats", shape=()))
    counts = need(pack, f"{letter}/values", shape=(len(agents), len(noise)), kind="f")
    mesh = annotated_heatmap(ax, counts / repeats, cmap="viridis", vmin=0, vmax=1, fmt="{:.0%}",
                             xticklabels=_pct(noise), yticklabels=agents)
    ax.set_title(str(need(pack, f"{letter}/label", shape=(), kind="U")), fontsize=7)
    ax.set_xlabel("training noise")
    return mesh


def draw_supp30(out_dir):
    """Fig. S30: best-at-own-training-noise shares."""
    pack = open_pack(out_dir, "supp30")
    fig, axes = _grid(1, 3, height=2.6)
    for ax, letter in zip(axes[0], "abc"):
        if has(pack, letter):
            panel_supp30(ax, pack, letter)
        else:
            not_available(ax, "domain not run at this scale")
    return _finish(fig, axes, out_dir, "supp30")


DRAWERS = {name: globals()[f"draw_{name}"] for name in FIGURES}


def draw_all(out_dir, names=None, skip_missing: bool = False) -> dict:
    """Draw the supplementary figures into ``OUT/show``; returns ``{stem: [pdf, png] or 'skipped: reason'}``.

    With ``skip_missing`` a figure whose pack does not exist is skipped instead of raising.
    """
    return draw_figures(DRAWERS, FIGURES, out_dir, names, skip_missing)


def main(argv=None) -> dict:
    """CLI: ``python works/show_supp.py --out DIR [--skip-missing]``."""
    return figure_cli(draw_all, "Draw the supplementary figures from OUT/data into OUT/show.", argv)


if __name__ == "__main__":
    main()
