"""Checks that a drawn matplotlib figure tells a reader something: data in every axes and inside its limits, no
overlapping or tiny text.

Used by the figure tests on every figure of a pipeline run (smoke, or a cached quick run). Each check returns a list
of human-readable problems; an empty list means the figure passes.
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.table import Table
from matplotlib.text import Text

MIN_FONT_SIZE = 7.0  # points, at the figure's print width


def _finite(values) -> bool:
    array = np.ma.asarray(values, dtype=float)
    array = array.compressed() if np.ma.isMaskedArray(array) else array.ravel()
    return array.size > 0 and bool(np.isfinite(array).any())


def _has_finite_data(artist) -> bool:
    if not artist.get_visible():
        return False
    if isinstance(artist, Line2D):
        x, y = artist.get_xdata(orig=False), artist.get_ydata(orig=False)
        return np.size(x) > 0 and _finite(np.asarray(x, dtype=float) + np.asarray(y, dtype=float))
    if isinstance(artist, AxesImage):
        return _finite(artist.get_array())
    if isinstance(artist, Collection):
        array = artist.get_array()
        if array is not None and np.size(array):
            return _finite(array)
        offsets = artist.get_offsets()
        if np.size(offsets):
            return _finite(offsets)
        return any(_finite(path.vertices) for path in artist.get_paths())
    if isinstance(artist, Patch):
        extents = artist.get_extents()
        return bool(np.isfinite([extents.x0, extents.y0, extents.x1, extents.y1]).all()
                    and (extents.width > 0 or extents.height > 0))
    if isinstance(artist, Table):
        return any(_number(cell.get_text().get_text()) is not None for cell in artist.get_celld().values()
                   if cell.get_visible())
    return False


def _number(text: str) -> float | None:
    """The finite number a table cell shows (``"2.7%"``, ``"−0.2"``, ``"+1e-3"``), else None (``"n/a"``, ``"nan"``,
    labels)."""
    text = text.strip().replace("\u2212", "-").removesuffix("%").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def empty_axes(fig) -> list[str]:
    """Axes that hold no artist with finite data (text-only "not computed" panels, blank plots, all-NaN data).

    A table counts as data when one of its cells shows a finite number."""
    problems = []
    for index, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        artists = list(ax.lines) + list(ax.collections) + list(ax.images) + list(ax.patches) + list(ax.tables)
        if not any(_has_finite_data(a) for a in artists):
            title = ax.get_title() or ax.get_ylabel() or ax.get_xlabel() or f"axes #{index}"
            problems.append(f"axes {title!r} holds no finite data")
    return problems


def _outside(values, low, high) -> np.ndarray:
    """Which finite ``values`` lie outside ``[low, high]`` (with a relative tolerance of the span)."""
    values = np.asarray(values, dtype=float).ravel()
    slack = 1e-6 * abs(high - low)
    finite = np.isfinite(values)
    return finite & ((values < low - slack) | (values > high + slack))


def hidden_data(fig) -> list[str]:
    """Data drawn outside its axes' view limits: bars lying wholly beyond an axis limit or cut off by the upper
    one, line or scatter points outside the limits (a fixed axis range that hides values, e.g. a bar floor above
    the bars or a 0–50 % scale under a 62 % bar)."""
    problems = []
    for index, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison:
            continue
        (x_low, x_high), (y_low, y_high) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        title = ax.get_title() or ax.get_ylabel() or ax.get_xlabel() or f"axes #{index}"
        bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_data_transform() == ax.transData
                and p.get_visible()]
        hidden = clipped = 0
        for bar in bars:
            x0, x1 = sorted((bar.get_x(), bar.get_x() + bar.get_width()))
            y0, y1 = sorted((bar.get_y(), bar.get_y() + bar.get_height()))
            if y1 > y0 and np.isfinite([x0, x1, y0, y1]).all() and (
                    y1 < y_low or y0 > y_high or x1 < x_low or x0 > x_high):  # a zero bar hides nothing
                hidden += 1
            elif y1 > y0 and np.isfinite([y0, y1]).all() and _outside([y1], y_low, y_high)[0] and y1 > 0:
                clipped += 1  # the top of an upward bar cut off by the upper limit: its value is not shown
        if hidden:
            problems.append(f"axes {title!r}: {hidden} of {len(bars)} bars lie outside the axis limits")
        if clipped:
            problems.append(f"axes {title!r}: {clipped} of {len(bars)} bars are cut off by the upper axis limit")
        points = []
        for line in ax.lines:
            if line.get_visible() and line.get_transform() == ax.transData:
                points.append(np.c_[np.asarray(line.get_xdata(orig=False), float).ravel(),
                                    np.asarray(line.get_ydata(orig=False), float).ravel()])
        for collection in ax.collections:
            if (collection.get_visible() and collection.get_offset_transform() == ax.transData
                    and np.size(collection.get_offsets())):
                points.append(np.asarray(collection.get_offsets(), float).reshape(-1, 2))
        if points:
            xy = np.concatenate(points)
            shown = np.isfinite(xy).all(axis=1)
            outside = shown & (_outside(xy[:, 0], x_low, x_high) | _outside(xy[:, 1], y_low, y_high))
            if outside.any():
                problems.append(f"axes {title!r}: {int(outside.sum())} of {int(shown.sum())} points lie outside "
                                "the axis limits")
    return problems


def _undrawn_tick_labels(fig) -> set:
    """Ids of tick labels whose tick lies outside its axis' view limits (matplotlib keeps but never draws them)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * max(abs(low), abs(high), 1.0)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                location = tick.get_loc()
                if location is None or not low - slack <= location <= high + slack:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return hidden


def _texts(fig):
    fig.canvas.draw()  # settles the ticks
    seen = _undrawn_tick_labels(fig)
    for text in fig.findobj(Text):
        if id(text) in seen or not text.get_visible() or not text.get_text().strip():
            continue
        seen.add(id(text))
        yield text


def small_text(fig, minimum: float = MIN_FONT_SIZE) -> list[str]:
    """Visible texts set below ``minimum`` points."""
    return [f"text {t.get_text()!r} at {t.get_fontsize():.1f} pt < {minimum} pt"
            for t in _texts(fig) if t.get_fontsize() < minimum - 1e-9]


def overlapping_text(fig, tolerance: float = 0.5) -> list[str]:
    """Pairs of visible texts whose rendered bounding boxes overlap by more than ``tolerance`` pixels each way."""
    texts = list(_texts(fig))  # draws the figure once
    renderer = fig.canvas.get_renderer()
    boxes = []
    for text in texts:
        box = text.get_window_extent(renderer)
        if box.width > 0 and box.height > 0 and np.isfinite([box.x0, box.y0, box.x1, box.y1]).all():
            boxes.append((text, box))
    problems = []
    for (first, a), (second, b) in itertools.combinations(boxes, 2):
        width = min(a.x1, b.x1) - max(a.x0, b.x0)
        height = min(a.y1, b.y1) - max(a.y0, b.y0)
        if width > tolerance and height > tolerance:
            problems.append(f"text {first.get_text()!r} overlaps {second.get_text()!r}")
    return problems


def figure_problems(fig, minimum: float = MIN_FONT_SIZE) -> list[str]:
    """Every problem of a figure: empty axes, data outside the axis limits, text below ``minimum`` points,
    overlapping text."""
    return empty_axes(fig) + hidden_data(fig) + small_text(fig, minimum) + overlapping_text(fig)
