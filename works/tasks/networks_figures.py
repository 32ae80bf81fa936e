"""Figures of task 5 (fixed motif networks): Figs. S10-S23, one function per panel.

Panels read only the packs of :mod:`works.tasks.networks_packs`. Figures repeated per incoherent fraction
(S18-S23) draw one panel per fraction k / 10; a group that cannot exist (no incoherent loops at k = 0, no
coherent ones at k = 10) is left out with a note in its place, a fraction without runs is drawn as "not
applicable" / "no runs".

Examples
--------
>>> sorted(FIGURES)[:3], len(FIGURES)
(['supp10', 'supp11', 'supp12'], 14)
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from works.figures.packs import has, need, open_pack
from works.figures.panels import (
    annotated_heatmap,
    label_points,
    label_short_log_axis,
    log_density,
    log_limits,
    per_fraction,
)
from works.figures.runner import compose, letter_grid, lettered_figure
from works.figures.style import COLOURS, TYPE_COLOURS, absent_panel, not_available, percent_axis, side_colourbar
from works.layout import LANDSCAPES, LETTERS
from works.tasks.cartpole_figures import percent_labels

__all__ = ["FIGURES"] + [f"draw_supp{n}" for n in range(10, 24)]


def _fractions(pack):
    return need(pack, "fractions", shape=(None,), kind="f")


# --------------------------------------------------------------------------------------------------- S10 - S14


def panel_supp_network(ax, pack, letter, label) -> None:
    """Mean iterations vs mean final loss for 1…n motifs (log–log), grey level = motif number."""
    values = need(pack, letter, shape=(None, 2), kind="f")
    motifs = need(pack, "motifs", shape=(len(values),), kind="i")
    greys = np.linspace(0.85, 0.0, len(values))
    ax.plot(values[:, 1], values[:, 0], color="#999999", lw=0.6)
    for (loss, iterations), grey in zip(values, greys):
        ax.scatter(iterations, loss, color=str(grey), edgecolor="black", s=18, zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.margins(0.08)  # room for the motif numbers inside the frame
    label_points(ax, values[:, 1], values[:, 0], [str(n) for n in motifs])
    ax.tick_params(axis="x", which="both", labelrotation=90)  # log labels (e.g. 3×10³, 4×10³) collide flat
    ax.yaxis.set_minor_formatter(NullFormatter())  # stacked minor labels collide at 7 pt
    label_short_log_axis(ax.yaxis)
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
    cells.set_fontsize(7)
    cells.auto_set_column_width(list(range(-1, 4)))  # every column as wide as its widest text
    cells.scale(1.0, 1.4)  # room above and below the text of each row
    ax.set_title("motifs per network: mean loss, iterations", fontsize=8)


# --------------------------------------------------------------------------------------------------- S15 - S23


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
    ax.set_xticklabels(percent_labels(fractions), rotation=90)
    ax.set_xlabel("incoherent fraction")
    ax.set_title(str(need(pack, f"{letter}/name", shape=(), kind="U")))
    ax.legend(frameon=False)


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
        ax.text(row.max(), k, f" {row.max():.0f}", va="center", fontsize=7)
    ax.set_yticks(np.arange(len(milestones)))
    ax.set_yticklabels([f"{m:.0E}" for m in milestones])
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss milestone")


def panel_supp16b(ax, pack):
    """Share of restricted networks worse than the slowest unrestricted run, fraction × milestone."""
    fractions = _fractions(pack)
    milestones = need(pack, "a/milestones", shape=(None,), kind="f")
    values = need(pack, "b", shape=(len(fractions), len(milestones)), kind="f")
    mesh = annotated_heatmap(ax, values, cmap="RdYlGn_r", vmin=0, vmax=_share_limit(values), fmt="{:.0%}",
                             xticklabels=[f"{m:.0E}" for m in milestones], yticklabels=percent_labels(fractions),
                             fontsize=7)
    ax.set_xlabel("loss milestone")
    ax.set_ylabel("incoherent fraction")
    return mesh


def panel_supp17a(ax, pack) -> None:
    """Failure rate (final loss > 1E−3) per incoherent fraction."""
    fractions = _fractions(pack)
    rates = need(pack, "a", shape=(len(fractions),), kind="f")
    ax.bar(np.arange(len(fractions)), rates, color=COLOURS["incoherent-loop"], edgecolor="black", lw=0.4)
    ax.set_xticks(np.arange(len(fractions)))
    ax.set_xticklabels(percent_labels(fractions), rotation=90)
    ax.set_ylim(0, _share_limit(rates))
    percent_axis(ax.yaxis)
    ax.set_xlabel("incoherent fraction")
    ax.set_ylabel("failure rate")


def _share_limit(shares, paper: float = 0.5) -> float:
    """The paper's 0–50 % scale, widened to the next 10 % when a share is larger (no bar or colour clipped).

    >>> _share_limit([0.1, 0.3]), _share_limit([0.62, np.nan]), _share_limit([1.0])
    (0.5, 0.7, 1.0)
    """
    largest = np.nanmax(np.asarray(shares, dtype=float), initial=0.0)
    return max(paper, float(np.ceil(round(largest * 10, 9)) / 10))


def panel_supp17b(ax, pack, seed: int = 0) -> None:
    """Final losses of the failing networks per fraction (jittered strip, log axis), maxima annotated."""
    fractions = _fractions(pack)
    rng = np.random.default_rng(seed)
    every = []
    for k in range(len(fractions)):
        losses = need(pack, f"b/{k}", shape=(None,), kind="f")
        if losses.size:
            ax.scatter(k + rng.uniform(-0.25, 0.25, losses.size), losses, s=4, color="#555555")
            ax.text(k, losses.max() * 1.3, f"{losses.max():.1E}", ha="center", va="bottom", fontsize=7, rotation=90)
            every.append(losses)
    if not every:
        not_available(ax, "no failing network")
        return
    ax.set_yscale("log")
    low, high = log_limits(np.concatenate(every), 1e-3, 1e0)
    ax.set_ylim(low, high * 10)
    ax.set_xticks(np.arange(len(fractions)))
    ax.set_xticklabels(percent_labels(fractions), rotation=90)
    ax.set_ylabel("final loss of failures")


def panel_supp18(ax, pack, letter, group: str) -> None:
    """Final loss vs final utilisation of one loop group at one incoherent fraction, Spearman printed."""
    ax.set_title(group, fontsize=7)
    k = LETTERS.index(letter) // 2
    if not has(pack, letter) and k == (10 if group == "coherent-loop" else 0):
        absent_panel(ax, f"not applicable: no {group.replace('-', ' ')}s at {k * 10} % incoherent")
        return
    if not has(pack, letter):
        not_available(ax, "no runs")
        return
    points = need(pack, f"{letter}/points", shape=(None, 2), kind="f")
    rho = float(need(pack, f"{letter}/spearman", shape=()))
    ax.scatter(10 ** points[:, 0], points[:, 1], s=4, color=COLOURS[group], edgecolor="black", linewidths=0.2)
    ax.set_xscale("log")
    ax.set_xlim(*log_limits(10 ** points[:, 0], 1e-3, 1e0))
    ax.set_ylim(min(0.0, float(np.nanmin(points[:, 1], initial=0))), max(1.05, float(np.nanmax(points[:, 1],
                                                                                              initial=0))))
    percent_axis(ax.yaxis)
    ax.text(0.02, 0.05, "ρ undefined" if np.isnan(rho) else f"ρ = {rho:.2f}", transform=ax.transAxes, fontsize=7)


def panel_supp19a(ax, pack) -> None:
    """Spearman(Δloss, iteration) per incoherent fraction (lollipop)."""
    fractions = _fractions(pack)
    rho = need(pack, "a", shape=(len(fractions),), kind="f")
    if not np.isfinite(rho).any():
        not_available(ax, "Spearman ρ undefined\n(no loss change recorded)")
        return
    ax.vlines(fractions, 0, rho, color="#555555")
    ax.scatter(fractions, rho, color=COLOURS["incoherent-loop"], edgecolor="black", zorder=3)
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    percent_axis(ax.xaxis)
    ax.set_xlabel("incoherent fraction")
    ax.set_ylabel("Spearman(Δloss, iteration)")


def _delta_density(ax, pack, letter, grid: str, cmap: str, interpolation: str, corner, **text):
    """Log joint density ``letter/density`` over the ``<grid>x`` / ``<grid>y`` grids with its Spearman printed at
    ``corner`` (axes coordinates); "not applicable" when the fraction has no runs."""
    if not has(pack, letter):
        not_available(ax, "not applicable")
        return None
    x = need(pack, f"{grid}x", shape=(None,), kind="f")
    y = need(pack, f"{grid}y", shape=(None,), kind="f")
    density = need(pack, f"{letter}/density", shape=(len(y), len(x)), kind="f")
    mesh = ax.imshow(log_density(density), origin="lower", aspect="auto", extent=(x[0], x[-1], y[0], y[-1]),
                     cmap=cmap, vmin=-10, vmax=0, interpolation=interpolation)
    rho = float(need(pack, f"{letter}/spearman", shape=()))
    ax.text(*corner, "ρ undefined" if np.isnan(rho) else f"ρ = {rho:.2f}", transform=ax.transAxes, va="top",
            fontsize=7, **text)
    return mesh


def panel_supp19(ax, pack, letter):
    """Log joint density of (Δloss, ΔLipschitz) at one fraction, Spearman printed."""
    mesh = _delta_density(ax, pack, letter, f"{letter}/", "binary", "nearest", (0.98, 0.95), ha="right", color="red")
    if mesh is not None:
        ax.set_xlabel("Δloss", fontsize=7)
        ax.set_ylabel("ΔLipschitz", fontsize=7)
    return mesh


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


def panel_supp21(ax, pack) -> None:
    """Mirrored densities of the per-network spectral-norm/utilisation correlation per fraction."""
    fractions = _fractions(pack)
    drawn = False
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
                drawn = True
    if not drawn:  # e.g. a small run: no network's utilisation dropped twice, so no correlation exists
        not_available(ax, "no correlation: no run had two utilisation drops")
        return
    ax.set_xticks(np.arange(len(fractions)))
    ax.set_xticklabels(percent_labels(fractions))
    ax.set_ylim(-1, 1)
    ax.set_xlabel("incoherent fraction (left: coherent, right: incoherent loops)")
    ax.set_ylabel("correlation")


def panel_supp22(ax, pack, letter):
    """Log joint density of (Δ gradient variance, ΔLipschitz) at one fraction, Spearman printed."""
    mesh = _delta_density(ax, pack, letter, "", "Blues", "bilinear", (0.02, 0.95))
    if mesh is not None:
        ax.set_xticks([-0.01, 0.0])
        ax.set_xticklabels(["−0.01", "0"])
        ax.set_yticks([-0.008, -0.004, 0.0, 0.004])
        ax.set_yticklabels(["−0.008", "−0.004", "0", "0.004"])
        ax.set_xlabel("Δ gradient variance", fontsize=7)
        ax.set_ylabel("ΔLipschitz", fontsize=7)
    return mesh


def panel_supp23(ax, pack, letter):
    """3 × 3 sign contingency of Δ largest Hessian eigenvalue vs ΔLipschitz (log10 share colour, % printed)."""
    if not has(pack, letter):
        not_available(ax, "not applicable")
        return
    counts = need(pack, letter, shape=(3, 3), kind="f")
    share = counts / counts.sum() if counts.sum() > 0 else counts
    mesh = ax.pcolormesh(np.arange(4), np.arange(4), log_density(share, 1e-4), cmap="Blues", vmin=-4, vmax=0)
    for (row, col), value in np.ndenumerate(share):
        ax.text(col + 0.5, row + 0.5, f"{value:.1%}", ha="center", va="center", fontsize=7)
    ax.set_xticks([0.5, 1.5, 2.5])
    ax.set_xticklabels(["−", "0", "+"])
    ax.set_yticks([0.5, 1.5, 2.5])
    ax.set_yticklabels(["−", "0", "+"])
    ax.set_xlabel("ΔLipschitz", fontsize=7)
    ax.set_ylabel("Δ Hessian eigenvalue", fontsize=7)
    return mesh


# --------------------------------------------------------------------------------------------------- figures


def _network_drawer(stem: str, name: str):
    """The draw function of one landscape's S10-S14 figure (collider-only vs loop-only networks)."""
    def draw(out_dir):
        def panels(fig, axes, pack):
            panel_supp_network(axes[0, 0], pack, "a", "collider-only networks")
            panel_supp_network(axes[0, 1], pack, "b", "loop-only networks")
            panel_supp_network_table(axes[0, 2], pack)
            fig.suptitle(str(need(pack, "name", shape=(), kind="U")))

        return lettered_figure(out_dir, stem, 1, 3, 3.0, panels)

    draw.__name__ = f"draw_{stem}"
    draw.__doc__ = f"Fig. S{stem[4:]}: {name}, collider-only vs loop-only networks."
    return draw


def draw_supp10(out_dir):
    """Fig. S10: Quadratic Saddle, collider-only vs loop-only networks."""
    return _network_drawer("supp10", LANDSCAPES[0])(out_dir)

def draw_supp11(out_dir):
    """Fig. S11: Monkey Saddle, collider-only vs loop-only networks."""
    return _network_drawer("supp11", LANDSCAPES[1])(out_dir)

def draw_supp12(out_dir):
    """Fig. S12: Branin, collider-only vs loop-only networks."""
    return _network_drawer("supp12", LANDSCAPES[2])(out_dir)

def draw_supp13(out_dir):
    """Fig. S13: three-hump Camel, collider-only vs loop-only networks."""
    return _network_drawer("supp13", LANDSCAPES[3])(out_dir)

def draw_supp14(out_dir):
    """Fig. S14: six-hump Camel, collider-only vs loop-only networks."""
    return _network_drawer("supp14", LANDSCAPES[4])(out_dir)


def draw_supp15(out_dir):
    """Fig. S15: restricted-network success counts per landscape."""
    return letter_grid(out_dir, "supp15", panel_supp15, 1, 5, 2.8, "abcde")


def draw_supp16(out_dir):
    """Fig. S16: Quadratic Saddle convergence milestones."""
    def panels(fig, axes, pack):
        panel_supp16a(axes[0, 0], pack)
        bar = side_colourbar(panel_supp16b(axes[0, 1], pack), axes[0, 1], "share slower than every unrestricted run")
        percent_axis(bar.ax.yaxis)

    return lettered_figure(out_dir, "supp16", 1, 2, 3.5, panels)


def draw_supp17(out_dir):
    """Fig. S17: Quadratic Saddle failure rate and failing losses."""
    def panels(fig, axes, pack):
        panel_supp17a(axes[0, 0], pack)
        panel_supp17b(axes[0, 1], pack)

    return lettered_figure(out_dir, "supp17", 1, 2, 3.0, panels)


def draw_supp18(out_dir):
    """Fig. S18: final loss vs utilisation per fraction (coherent and incoherent loops)."""
    rows = len(_fractions(open_pack(out_dir, "supp18")))

    def layout(fig, axes, pack):
        for k, fraction in enumerate(_fractions(pack)):
            for column, group in enumerate(("coherent-loop", "incoherent-loop")):
                panel_supp18(axes[k, column], pack, LETTERS[2 * k + column], group)
            first = axes[k, 0] if axes[k, 0].get_visible() else axes[k, 1]  # k = 10 has no coherent loops
            first.set_ylabel(f"{fraction:.0%} incoherent\nutilisation", fontsize=7)
        for ax in axes[-1]:
            ax.set_xlabel("final training loss")

    return compose(out_dir, "supp18", layout, rows, 2, height=1.1 * rows)


def draw_supp19(out_dir):
    """Fig. S19: loss decrease vs Lipschitz change during fixed-network training."""
    def panels(fig, axes, pack):
        panel_supp19a(axes[0, 0], pack)
        per_fraction(axes.ravel()[1:], _fractions(pack), lambda ax, k: panel_supp19(ax, pack, LETTERS[k + 1]),
                      "log10 density")

    return lettered_figure(out_dir, "supp19", 3, 4, 7.0, panels)


def draw_supp20(out_dir):
    """Fig. S20: spectral-norm trajectories per incoherent fraction."""
    def panels(fig, axes, pack):
        per_fraction(axes.ravel(), _fractions(pack), lambda ax, k: panel_supp20(ax, pack, k))
        for ax in axes[-1]:
            ax.set_xlabel("log10 iteration")

    return lettered_figure(out_dir, "supp20", 2, 6, 4.0, panels)


def draw_supp21(out_dir):
    """Fig. S21: correlation between spectral norm and utilisation drops."""
    return compose(out_dir, "supp21", lambda fig, axes, pack: panel_supp21(axes[0, 0], pack), height=3.0,
                   tight=False)


def draw_supp22(out_dir):
    """Fig. S22: gradient variance vs Lipschitz changes per fraction."""
    def panels(fig, axes, pack):
        per_fraction(axes.ravel(), _fractions(pack), lambda ax, k: panel_supp22(ax, pack, LETTERS[k]),
                      "log10 density")

    return lettered_figure(out_dir, "supp22", 2, 6, 4.0, panels)


def draw_supp23(out_dir):
    """Fig. S23: Hessian/Lipschitz sign contingencies per fraction."""
    def panels(fig, axes, pack):
        per_fraction(axes.ravel(), _fractions(pack), lambda ax, k: panel_supp23(ax, pack, LETTERS[k]),
                      "log10 share")

    return lettered_figure(out_dir, "supp23", 2, 6, 3.8, panels)


FIGURES = {f"supp{n}": globals()[f"draw_supp{n}"] for n in range(10, 24)}
