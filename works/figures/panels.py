"""Reusable panel helpers shared by the main and supplementary figures.

Each helper draws into a given ``Axes`` from plain arrays; none reads files.

Examples
--------
>>> import numpy as np, matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> type(annotated_heatmap(ax, np.arange(25.0).reshape(5, 5), vmin=0, vmax=24)).__name__
'QuadMesh'
>>> staircase(ax, 5)
>>> plt.close(fig)
"""

from __future__ import annotations

import numpy as np

from works.figures.style import percent_axis

__all__ = ["annotated_heatmap", "before_after_scatter", "box_pair", "curvature_proportion_counts", "grouped_bars",
           "log_density", "proportion_lines", "staircase"]


def proportion_lines(ax, curves, xlim=None, xlabel: str = "", ylabel: str = "proportion") -> None:
    """KDE lines normalised to sum 1 (the reference's "proportion").

    ``curves`` is a list of ``(x, y, colour, label)``.
    """
    for x, y, colour, label in curves:
        y = np.asarray(y, float)
        total = y.sum()
        ax.plot(x, y / total if total > 0 else y, color=colour, lw=1.5, label=label)
        ax.fill_between(x, 0, y / total if total > 0 else y, color=colour, alpha=0.25, lw=0)
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_ylim(bottom=0)
    percent_axis(ax.yaxis, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(c[3] for c in curves):
        ax.legend(frameon=False)


def annotated_heatmap(ax, matrix, cmap: str = "inferno", vmin=None, vmax=None, fmt: str = "{:.1f}",
                      pass_at=None, xticklabels=None, yticklabels=None, fontsize: float = 6):
    """Heat map with values printed in the cells (row = y, column = x, origin lower left).

    Cells with value ``>= pass_at`` are left blank and labelled "pass". Returns the mesh.
    """
    matrix = np.asarray(matrix, float)
    shown = np.ma.masked_where(matrix >= pass_at, matrix) if pass_at is not None else matrix
    mesh = ax.pcolormesh(np.arange(matrix.shape[1] + 1), np.arange(matrix.shape[0] + 1), shown, cmap=cmap,
                         vmin=vmin, vmax=vmax)
    middle = (vmin if vmin is not None else np.nanmin(matrix)) + (
        (vmax if vmax is not None else np.nanmax(matrix)) - (vmin if vmin is not None else np.nanmin(matrix))) / 2
    for (row, col), value in np.ndenumerate(matrix):
        if pass_at is not None and value >= pass_at:
            label, colour = "pass", "black"
        elif np.isnan(value):
            label, colour = "–", "black"
        else:
            label, colour = fmt.format(value), "white" if value < middle else "black"
        ax.text(col + 0.5, row + 0.5, label, ha="center", va="center", fontsize=fontsize, color=colour)
    ax.set_xticks(np.arange(matrix.shape[1]) + 0.5)
    ax.set_yticks(np.arange(matrix.shape[0]) + 0.5)
    if xticklabels is not None:
        ax.set_xticklabels(xticklabels)
    if yticklabels is not None:
        ax.set_yticklabels(yticklabels)
    ax.set_xlim(0, matrix.shape[1])
    ax.set_ylim(0, matrix.shape[0])
    return mesh


def staircase(ax, n: int, colour: str = "white") -> None:
    """Staircase line on an ``n × n`` cell grid separating cells with column ≥ row (train ≥ eval) from the rest."""
    xs, ys = [0], [0]
    for k in range(n):
        xs += [k, k + 1]
        ys += [k + 1, k + 1]
    ax.plot(xs[1:], ys[1:], color=colour, lw=1.2, drawstyle="default")


def box_pair(ax, before, after, colour: str, labels=("before escaping", "after escaping"), ylim=(0, 1)) -> None:
    """Two notched box plots (before / after) filled with ``colour``."""
    data = [np.asarray(before, float), np.asarray(after, float)]
    notch = all(d.size >= 3 for d in data)
    parts = ax.boxplot(data, notch=notch, patch_artist=True, widths=0.5, showfliers=True,
                       flierprops={"markersize": 2})
    for box in parts["boxes"]:
        box.set_facecolor(colour)
    for median in parts["medians"]:
        median.set_color("black")
    ax.set_xticks([1, 2])
    ax.set_xticklabels(labels)
    ax.set_ylim(*ylim)


def curvature_proportion_counts(before, after) -> tuple[int, int]:
    """Numbers of cases whose value increased (after > before) and decreased (after < before)."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    return int(np.sum(after > before)), int(np.sum(after < before))


def before_after_scatter(ax, before, after, colour: str, label: str = "", highlight=None, shade: bool = True) -> None:
    """Scatter of a proportion before (x) vs after (y), with shaded increase/decrease halves and counts."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    if shade:
        ax.fill_between([0, 1], [0, 1], [1, 1], color="#EEEEEE", lw=0, zorder=0)
    ax.plot([0, 1], [0, 1], color="#808080", lw=0.6, ls="--")
    up, down = curvature_proportion_counts(before, after)
    ax.scatter(before, after, s=6, color=colour, edgecolor="black", linewidths=0.2,
               label=f"{label} increase {up} / decrease {down}".strip())
    if highlight is not None and 0 <= int(highlight) < before.size:
        ax.scatter([before[int(highlight)]], [after[int(highlight)]], s=40, facecolor="none", edgecolor="black")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    percent_axis(ax.xaxis)
    percent_axis(ax.yaxis)
    ax.set_xlabel("before escaping")
    ax.set_ylabel("after escaping")
    ax.legend(frameon=False, loc="lower right")


def grouped_bars(ax, values, group_labels, series_labels, colours, ylim=None, hline=None) -> None:
    """Grouped bars: ``values`` (n_series, n_groups)."""
    values = np.asarray(values, float)
    n_series, n_groups = values.shape
    width = 0.8 / n_series
    for s in range(n_series):
        ax.bar(np.arange(n_groups) + (s - (n_series - 1) / 2) * width, values[s], width, color=colours[s],
               edgecolor="black", lw=0.4, label=series_labels[s])
    ax.set_xticks(np.arange(n_groups))
    ax.set_xticklabels(group_labels)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if hline is not None:
        ax.axhline(hline, color="black", ls="--", lw=0.8)


def log_density(density, floor: float = 1e-10) -> np.ndarray:
    """``log10`` of a non-negative density with a floor (for the "binary"/"Blues" log-density maps)."""
    return np.log10(np.maximum(np.asarray(density, float), floor))
