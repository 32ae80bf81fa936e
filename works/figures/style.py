"""Shared figure style: colours, labels, figure creation and saving.

Every figure is written twice into ``OUT/show``: ``<stem>.pdf`` (vector) and
``<stem>.png`` (raster at :data:`PNG_DPI`). The Agg backend is selected on
import so nothing ever needs a display.

Examples
--------
>>> import tempfile
>>> from works.figures.style import new_figure, save_figure
>>> fig, axes = new_figure(1, 2)
>>> paths = save_figure(fig, tempfile.mkdtemp(), "demo")
>>> [p.suffix for p in paths]
['.pdf', '.png']
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from works import layout
from works._io import temporary_name
from works.layout import AGENT_ORDER as AGENTS
from works.layout import LOOP_TYPES

__all__ = ["AGENTS", "AGENT_GREYS", "AGENT_LABELS", "COLOURS", "FIGURE_METADATA", "LOOP_TYPES", "PNG_DPI",
           "TYPE_COLOURS", "TYPE_SYMBOLS", "WIDTH", "new_figure", "not_available", "panel_label", "percent_axis",
           "save_figure", "side_colourbar"]

#: Drawing colours of the reference (``works/__init__.py`` ``draw_info``).
COLOURS = {"incoherent-loop": "#FCB1AB", "coherent-loop": "#FCE0AB", "collider": "#88CCF8"}
#: Darker line colours for the same three types (readable on white).
TYPE_COLOURS = {"incoherent-loop": "#E0554A", "coherent-loop": "#E0A030", "collider": "#3A93D0"}
#: Figure symbols of the motif types (the reference uses a calligraphic font).
TYPE_SYMBOLS = {"incoherent-loop": r"$\mathcal{L}_i$", "coherent-loop": r"$\mathcal{L}_c$",
                "collider": r"$\mathcal{C}$"}
AGENT_LABELS = {"b": "baseline method", "i": r"[ $\mathcal{L}_c$ + $\mathcal{C}$ ] - method",
                "c": r"[ $\mathcal{L}_i$ + $\mathcal{C}$ ] - method", "a": r"$\mathcal{C}$ - method"}
AGENT_GREYS = {"b": "#F0F0F0", "i": "#C0C0C0", "c": "#808080", "a": "#404040"}
PNG_DPI = 150
#: File metadata of saved figures: no creation date, so a redrawn figure has the same bytes.
FIGURE_METADATA = {".pdf": {"CreationDate": None}, ".png": {}}
WIDTH = 10.0

plt.rcParams.update({"font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "legend.fontsize": 7,
                     "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False,
                     "axes.spines.right": False})


def new_figure(rows: int = 1, cols: int = 1, height: float | None = None, width: float = WIDTH, **kwargs):
    """Create a figure ``width`` inches wide with a ``rows`` × ``cols`` grid of axes.

    Returns ``(figure, axes)`` with ``axes`` always a 2-D object array.
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be >= 1, got {rows}, {cols}.")
    height = height if height is not None else width / cols * rows * 0.8
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False, **kwargs)
    return fig, axes


def save_figure(fig, out_dir, stem: str, png_dpi: int = PNG_DPI) -> list[Path]:
    """Save ``fig`` as ``OUT/show/<stem>.pdf`` and ``.png`` and close it; returns both paths."""
    show = Path(out_dir) / layout.SHOW
    show.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, dpi in ((".pdf", None), (".png", png_dpi)):
        path = show / layout.figure_file(stem, suffix)
        temporary = temporary_name(path)
        try:
            fig.savefig(temporary, dpi=dpi, bbox_inches="tight", metadata=FIGURE_METADATA[suffix])
            temporary.replace(path)
        except BaseException as error:
            temporary.unlink(missing_ok=True)
            if isinstance(error, OSError) and str(path) not in str(error):
                raise OSError(error.errno, f"cannot write {path}: {error.strerror or error}") from error
            raise
        paths.append(path)
    plt.close(fig)
    return paths


def panel_label(ax, letter: str, x: float = -0.12, y: float = 1.05) -> None:
    """Bold panel letter in the upper-left corner (axes coordinates)."""
    ax.text(x, y, letter, transform=ax.transAxes, fontsize=11, fontweight="bold", va="bottom", ha="left")


def not_available(ax, text: str = "not computed at this scale") -> None:
    """Blank the axes and write ``text`` in its centre (used for empty groups, 'not applicable')."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#808080")


def absent_panel(ax, text: str) -> None:
    """A panel slot that cannot hold data by construction (the incoherent loops of a network without any): the
    axes is hidden and ``text`` says why, in its place (a figure text in the axes' coordinates)."""
    ax.set_visible(False)
    ax.figure.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#808080", fontsize=7)


def percent_axis(axis, decimals: int = 0) -> None:
    """Format an axis (``ax.xaxis``/``ax.yaxis``) holding fractions as percentages."""
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{100 * v:.{decimals}f}%"))


def side_colourbar(mappable, ax, label: str = "", ticks=None, width: float = 0.05, pad: float = 0.04):
    """A colour bar for ``mappable`` in a thin strip right of ``ax`` (an inset, so the panel keeps its size).

    ``width`` and ``pad`` are fractions of the axes width; returns the ``Colorbar``.

    Examples
    --------
    >>> import numpy as np
    >>> fig, axes = new_figure(1, 1)
    >>> image = axes[0, 0].imshow(np.eye(3))
    >>> side_colourbar(image, axes[0, 0], "value").ax.get_ylabel()
    'value'
    >>> plt.close(fig)
    """
    strip = ax.inset_axes([1 + pad, 0.0, width, 1.0])
    bar = ax.figure.colorbar(mappable, cax=strip, ticks=ticks)
    bar.ax.tick_params(labelsize=7)
    if label:
        bar.set_label(label, fontsize=7)
    return bar
