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

from matplotlib.ticker import LogFormatterSciNotation, LogLocator

from works.figures.style import percent_axis, side_colourbar

__all__ = ["annotated_heatmap", "before_after_scatter", "box_pair", "curvature_proportion_counts", "grouped_bars",
           "label_points", "label_short_log_axis", "log_density", "log_limits", "per_fraction", "proportion_lines",
           "staircase"]


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
                      pass_at=None, xticklabels=None, yticklabels=None, fontsize: float = 7):
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


#: Directions tried by :func:`label_points`, in order: right-up, left-down, right-down, left-up, up, down, right, left.
_LABEL_DIRECTIONS = ((1, 1), (-1, -1), (1, -1), (-1, 1), (0, 1), (0, -1), (1, 0), (-1, 0))


def label_points(ax, x, y, labels, fontsize: float = 7, distance: float = 3.0, marker: float = 2.5,
                 margin: float = 1.5) -> list:
    """Write ``labels[k]`` next to the point ``(x[k], y[k])`` so that no two labels overlap.

    Each label is tried, in order, in eight directions around its point (right-up first) at ``distance``
    points, then at two and three times that distance; the first position whose text box lies inside the axes
    and clears the labels placed so far by ``margin`` points and every point (a square of half-side ``marker``
    points) is kept (the first position when none does). Positions are found in display space for
    the axes' current limits and size, so set the scales and limits before calling; the margin absorbs a
    later ``tight_layout``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x, y : array-like, shape (n,)
        Data coordinates of the points; non-finite points get no label.
    labels : sequence of str, length n
    fontsize, distance, marker, margin : float
        Text size, offset of a label from its point, half-size of a point marker and the clearance, in points.

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels written (one per finite point).

    Examples
    --------
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()                       # no pyplot state: nothing to close
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.subplots()
    >>> ax.set_xlim(0, 1); ax.set_ylim(0, 1)  # doctest: +ELLIPSIS
    (...)
    >>> texts = label_points(ax, [0.5, 0.5], [0.5, 0.501], ["1", "5"])
    >>> bool(texts[0].get_window_extent(renderer).overlaps(texts[1].get_window_extent(renderer)))
    False
    """
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if not len(x) == len(y) == len(labels):
        raise ValueError(f"x, y and labels must have the same length, got {len(x)}, {len(y)} and {len(labels)}.")
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_pixels = fig.dpi / 72.0
    finite = np.isfinite(x) & np.isfinite(y)
    centres = ax.transData.transform(np.c_[x[finite], y[finite]]) if finite.any() else np.empty((0, 2))
    half = marker * to_pixels
    obstacles = [(cx - half, cy - half, cx + half, cy + half) for cx, cy in centres]
    frame = ax.get_window_extent(renderer)
    pad = margin * to_pixels
    candidates = [(dx * distance * scale, dy * distance * scale, {1: "left", -1: "right", 0: "center"}[dx],
                   {1: "bottom", -1: "top", 0: "center"}[dy]) for scale in (1, 2, 3) for dx, dy in _LABEL_DIRECTIONS]
    placed = []
    for k in np.flatnonzero(finite):
        text = ax.annotate(str(labels[k]), (x[k], y[k]), xytext=candidates[0][:2], textcoords="offset points",
                           fontsize=fontsize)
        for offset_x, offset_y, ha, va in candidates + candidates[:1]:  # the first again when none is free
            text.xyann = (offset_x, offset_y)
            text.set_ha(ha)
            text.set_va(va)
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(_boxes_meet((box.x0, box.y0, box.x1, box.y1), other) for other in obstacles):
                break
        obstacles.append((box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad))
        placed.append(text)
    return placed


def _boxes_meet(a, b) -> bool:
    """Whether two ``(x0, y0, x1, y1)`` boxes overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_short_log_axis(axis) -> None:
    """Label a log axis with fewer than two powers of ten in view at 1, 2, 5 × 10^k (every digit below half a
    decade), which its unlabelled minor ticks would otherwise leave with one number or none.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax.set_yscale("log"); ax.set_ylim(0.012, 0.11)
    (0.012, 0.11)
    >>> label_short_log_axis(ax.yaxis)
    >>> ticks = [v for v in ax.get_yticks() if 0.012 <= v <= 0.11]
    >>> [round(float(v), 3) for v in ticks], all(ax.yaxis.get_major_formatter().format_ticks(ticks))
    ([0.02, 0.05, 0.1], True)
    >>> plt.close(fig)
    """
    low, high = sorted(axis.get_view_interval())
    if not (low > 0 and np.isfinite(high)) or np.floor(np.log10(high)) - np.ceil(np.log10(low)) >= 1:
        return  # two powers of ten are in view: the major labels suffice
    subs = np.arange(1.0, 10.0) if np.log10(high / low) < 0.5 else (1.0, 2.0, 5.0)
    axis.set_major_locator(LogLocator(subs=subs))
    axis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(np.inf, np.inf)))


def log_limits(values, low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` widened to whole decades around the finite positive ``values`` outside it."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size:
        low = min(low, 10 ** np.floor(np.log10(values.min())))
        high = max(high, 10 ** np.ceil(np.log10(values.max())))
    return low, high


def per_fraction(axes, fractions, draw_panel, colourbar: str = "") -> None:
    """Draw ``draw_panel(ax, k)`` for the k-th incoherent fraction on each axis; remove the spare axes. With a
    ``colourbar`` label, the colour scale of the last panel that returned one is drawn beside it."""
    last = None
    for k, ax in enumerate(axes):
        if k < len(fractions):
            mappable = draw_panel(ax, k)
            ax.set_title(f"{fractions[k]:.0%} incoherent", fontsize=7)
            last = (mappable, ax) if mappable is not None else last
        else:
            ax.figure.delaxes(ax)
    if colourbar and last is not None:
        side_colourbar(*last, colourbar)
