"""Figures of task 6 (the connectome and ElegansNet): ``ext01`` – ``ext04``, one function per panel.

Panels read only the packs of :mod:`works.tasks.connectome_packs`.

Examples
--------
>>> sorted(FIGURES)
['ext01', 'ext02', 'ext03', 'ext04']
"""

from __future__ import annotations

import numpy as np

from works.figures.packs import has, need, text
from works.figures.panels import annotated_heatmap
from works.figures.runner import compose, label_panels

__all__ = ["FIGURES", "draw_ext01", "draw_ext02", "draw_ext03", "draw_ext04", "panel_ext01", "panel_ext02",
           "panel_ext03", "panel_ext04"]

_COLOURS = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
_METRIC_LABELS = {"accuracy": "test accuracy", "mse": "test reconstruction MSE"}


def _metric_label(pack) -> str:
    metric = text(pack, "metric")
    return _METRIC_LABELS.get(metric, metric)


def panel_ext01(fig, ax, pack) -> None:
    """Enrichment heat map: z-score of every census type (columns) against each null model (rows); NaN = "–"."""
    names = need(pack, "names", shape=(None,), kind="U")
    nulls = need(pack, "nulls", shape=(None,), kind="U")
    z = need(pack, "z", shape=(len(nulls), len(names)), kind="f")
    finite = np.abs(z[np.isfinite(z)])
    limit = float(min(max(finite.max(), 1.0), 20.0)) if finite.size else 1.0
    mesh = annotated_heatmap(ax, np.clip(z, -limit, limit), cmap="RdBu_r", vmin=-limit, vmax=limit,
                             fmt="{:.1f}", xticklabels=list(names), yticklabels=list(nulls), fontsize=7)
    fig.colorbar(mesh, ax=ax, fraction=0.03, label=f"z-score (clipped at ±{limit:.0f})")
    ax.set_xlabel("census type (IL = incoherent loop, CL = coherent loop, C = collider)")
    ax.set_title(text(pack, "title"))


def panel_ext02(ax, pack) -> None:
    """Test metric per wiring: every (wiring, seed) as a dot, the mean with its 95 % bootstrap interval."""
    labels = need(pack, "labels", shape=(None,), kind="U")
    group = need(pack, "group", shape=(None,), kind="i")
    values = need(pack, "values", shape=(len(group),), kind="f")
    mean = need(pack, "mean", shape=(len(labels),), kind="f")
    low = need(pack, "low", shape=(len(labels),), kind="f")
    high = need(pack, "high", shape=(len(labels),), kind="f")
    rng = np.random.default_rng(0)
    ax.scatter(values, group + rng.uniform(-0.15, 0.15, group.size), s=6, color="#999999", zorder=1)
    errors = np.abs(np.stack([mean - low, high - mean]))
    ax.errorbar(mean, np.arange(len(labels)), xerr=np.where(np.isfinite(errors), errors, 0.0), fmt="o",
                color="black", ms=4, capsize=2, zorder=2, label="mean, 95% CI")
    reference = mean[0] if str(labels[0]) == "connectome" else None
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color="#D55E00", ls="--", lw=0.8, label="connectome mean")
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(1.0, 0.0))
    ax.set_yticks(np.arange(len(labels)))  # one row per wiring, the connectome on top: no label meets another
    ax.set_yticklabels(list(labels))
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(_metric_label(pack))
    ax.set_title(f"ElegansNet on {text(pack, 'task')}: one dot per (wiring, seed)")


def panel_ext03(ax, pack) -> None:
    """Test metric against the rewired fraction p (p = 0 is the connectome), with the random families' means."""
    p = need(pack, "p", shape=(None,), kind="f")
    mean = need(pack, "mean", shape=(len(p),), kind="f")
    low = need(pack, "low", shape=(len(p),), kind="f")
    high = need(pack, "high", shape=(len(p),), kind="f")
    points = need(pack, "points/p", shape=(None,), kind="f")
    values = need(pack, "points/values", shape=(len(points),), kind="f")
    ax.scatter(points, values, s=6, color="#999999", label="one seed")
    ax.plot(p, mean, "o-", color="black", ms=4, label="mean")
    ax.fill_between(p, np.where(np.isfinite(low), low, mean), np.where(np.isfinite(high), high, mean),
                    color="black", alpha=0.15, lw=0, label="95% CI of the mean")
    if has(pack, "references"):
        from works.tasks.connectome_packs import family_of

        for colour, (family, value) in zip(_COLOURS[1:], need(pack, "references").items()):
            ax.axhline(float(value), color=colour, ls="--", lw=0.8, label=f"{family_of(family)} mean")
    ax.set_xlabel("fraction p of connectome edges rewired")
    ax.set_ylabel(_metric_label(pack))
    ax.legend(frameon=False, fontsize=7, ncol=2)


def panel_ext04(ax, pack, x_key: str, y_key: str) -> None:
    """One point per (wiring, seed): a loop count against the metric or the Lipschitz estimate, coloured by family."""
    labels = need(pack, "labels", shape=(None,), kind="U")
    group = need(pack, "group", shape=(None,), kind="i")
    x = need(pack, x_key, shape=(len(group),), kind="f")
    y = need(pack, y_key, shape=(len(group),), kind="f")
    for index, label in enumerate(labels):
        chosen = group == index
        ax.scatter(x[chosen], y[chosen], s=8, color=_COLOURS[index % len(_COLOURS)], label=str(label))
    ax.set_xlabel(f"{x_key} loops of the wiring")
    ax.set_ylabel(_metric_label(pack) if y_key == "values" else "Lipschitz estimate (trained)")
    if np.all(x[np.isfinite(x)] > 0) and np.ptp(x[np.isfinite(x)]) > 0:
        ax.set_xscale("log")


def draw_ext01(out_dir):
    """Ext. 1: sign-aware motif enrichment of the connectome against the null models."""
    return compose(out_dir, "ext01", lambda fig, axes, pack: panel_ext01(fig, axes[0, 0], pack), height=3.2)


def draw_ext02(out_dir):
    """Ext. 2: ElegansNet test metric per wiring."""
    return compose(out_dir, "ext02", lambda fig, axes, pack: panel_ext02(axes[0, 0], pack), height=4.4)


def draw_ext03(out_dir):
    """Ext. 3: ElegansNet test metric against the rewired fraction."""
    return compose(out_dir, "ext03", lambda fig, axes, pack: panel_ext03(axes[0, 0], pack), height=3.4)


def draw_ext04(out_dir):
    """Ext. 4: loop counts of every wiring against the trained metric and the Lipschitz estimate."""
    def layout(fig, axes, pack):
        for ax, (x_key, y_key) in zip(axes.ravel(), (("coherent", "values"), ("incoherent", "values"),
                                                     ("coherent", "lipschitz"), ("incoherent", "lipschitz"))):
            panel_ext04(ax, pack, x_key, y_key)
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, names, frameon=False, loc="upper center", ncol=min(len(names), 5), fontsize=7)
        fig.tight_layout(rect=(0, 0, 1, 0.9))
        label_panels(axes, "abcd")

    return compose(out_dir, "ext04", layout, 2, 2, height=6.0, tight=False)


FIGURES = {"ext01": draw_ext01, "ext02": draw_ext02, "ext03": draw_ext03, "ext04": draw_ext04}
