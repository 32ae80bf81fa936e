"""Drawing one figure from its panels, a set of figures, and the thin CLI shared by ``show_main``/``show_supp``."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

from works import layout
from works.figures import panels, style
from works.figures.packs import open_pack
from works.figures.style import new_figure, panel_label, save_figure
from works.guard import locked_step, step_arguments
from works.layout import LETTERS
from works.units import Unit

__all__ = ["compose", "draw_figures", "entry_points", "figure_cli", "figure_unit", "label_panels", "letter_grid",
           "lettered_figure"]


def compose(out_dir, stem: str, layout, rows: int = 1, cols: int = 1, height: float | None = None,
            pack: bool = True, tight: bool = True) -> list:
    """The per-figure boilerplate: open the pack, make the grid, let ``layout`` draw, save ``OUT/show/<stem>``.

    Parameters
    ----------
    out_dir : path-like
        ``OUT``; the pack is ``OUT/data/<stem>.npz``.
    stem : str
        Figure (and pack) name.
    layout : callable
        ``layout(fig, axes, pack)`` draws the panels (``axes`` is the ``rows`` × ``cols`` object array,
        ``pack`` None when ``pack=False``).
    rows, cols, height
        Grid of :func:`works.figures.style.new_figure`.
    pack : bool
        Whether the figure reads a pack (schematics do not).
    tight : bool
        Call ``fig.tight_layout()`` before saving.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    data = open_pack(out_dir, stem) if pack else None
    fig, axes = new_figure(rows, cols, height=height)
    layout(fig, axes, data)
    if tight:
        fig.tight_layout()
    return save_figure(fig, out_dir, stem)


def letter_grid(out_dir, stem: str, panel, rows: int, cols: int, height: float, letters: str = LETTERS):
    """A figure of one panel per letter: ``panel(ax, pack, letter)`` on each axis in order, then the letters
    of the drawn panels (:func:`compose` with tight layout)."""
    def layout(fig, axes, pack):
        for ax, letter in zip(axes.ravel(), letters):
            panel(ax, pack, letter)
        label_panels(axes, letters, only_drawn=True)

    return compose(out_dir, stem, layout, rows, cols, height=height)


def label_panels(axes, letters, only_drawn: bool = False) -> None:
    """Put panel letters on ``axes`` (flattened) in order; with ``only_drawn`` skip blank axes (no axis, text or
    table)."""
    for ax, letter in zip(np.ravel(axes), letters):
        if not only_drawn or ax.axison or ax.texts or ax.tables:
            panel_label(ax, letter)


def figure_unit(out_dir, name: str, drawer) -> Unit:
    """The manifest identity of one figure: its files, the pack it reads (if any) and its drawing code."""
    code = hashlib.sha256()
    module = sys.modules.get(getattr(drawer, "__module__", ""), None)
    sources = [getattr(module, "__file__", None), __file__, style.__file__, panels.__file__]
    for source in sources:
        if source and Path(source).is_file():
            code.update(Path(source).read_bytes())
    pack = layout.pack_file(name)
    depends = (pack,) if (Path(out_dir) / layout.DATA / pack).is_file() else ()
    outputs = (layout.figure_file(name, ".pdf"), layout.figure_file(name, ".png"))
    return Unit(name, f"figure:{name}", {"code": code.hexdigest()}, outputs, depends)


def draw_figures(drawers: dict, figures, out_dir, names=None, skip_missing: bool = False) -> dict:
    """Draw ``names`` (default all ``figures``) with ``drawers[name](out_dir)``.

    Figures are verified and repaired like raw units: ``OUT/show/manifest.json`` records each drawn figure
    with the checksums of its PDF and PNG, of the pack it read and of its drawing code; a figure whose files
    are intact and whose pack and code did not change is not drawn again, a missing, truncated or corrupt
    one is redrawn (to the same bytes).

    Returns ``{stem: [pdf, png] or 'skipped: reason' or 'failed: reason'}``; with ``skip_missing`` a figure
    whose pack does not exist is skipped instead of raising, and a figure whose drawing raises is reported
    as failed while the others are still drawn.
    """
    from works.packing import one_line
    from works.storage import Manifest
    from works.units import config_hash, file_record

    out = Path(out_dir)
    show = out / layout.SHOW
    manifest = Manifest(show, inputs_dir=out / layout.DATA)
    result = {}
    for name in names or figures:
        if name not in drawers:
            raise ValueError(f"names must be in {list(figures)}, got {name!r}.")
        unit = figure_unit(out, name, drawers[name])
        if manifest.is_done(unit):
            result[name] = [show / relative for relative in unit.outputs]
            continue
        try:
            paths = drawers[name](out_dir)
        except Exception as error:
            missing = isinstance(error, FileNotFoundError)
            if not skip_missing or (isinstance(error, OSError) and not missing):  # other I/O errors always raise
                raise
            result[name] = f"skipped: {error}" if missing else f"failed: {one_line(error)}"
            manifest.forget(name, save=show.is_dir())
            continue
        manifest.record({"key": name, "config_hash": config_hash(unit, out / layout.DATA), "task": "figures",
                         "files": {relative: file_record(show / relative) for relative in unit.outputs}})
        result[name] = paths
    return result


def entry_points(drawers: dict, figures, what: str, module: str | None = None):
    """``(draw_all, main)`` of a figure script drawing ``figures`` with ``drawers`` (``what``: "main", ...).

    ``module`` (the script's ``__name__``) makes both functions the script's own, so that the API reference,
    built by inspecting the script, documents them there.
    """
    def draw_all(out_dir, names=None, skip_missing: bool = False) -> dict:
        return draw_figures(drawers, figures, out_dir, names, skip_missing)

    def main(argv=None) -> dict:
        return figure_cli(draw_all, f"Draw the {what} figures from OUT/data into OUT/show.", argv)

    draw_all.__doc__ = (f"Draw the {what} figures into ``OUT/show``; returns ``{{stem: [pdf, png] or 'skipped: "
                        "reason' or 'failed: reason'}}``.\n\n    With ``skip_missing`` a figure whose pack does not "
                        "exist is skipped and one whose drawing raises is reported as failed instead of raising; "
                        "intact figures\n    of unchanged packs are not redrawn (see "
                        ":func:`works.figures.runner.draw_figures`).\n    ")
    main.__doc__ = f"CLI: ``--out DIR [--skip-missing]``: draw the {what} figures."
    if module is not None:
        for function in (draw_all, main):
            function.__module__, function.__qualname__ = module, function.__name__
    return draw_all, main


def figure_cli(draw_all, description: str, argv=None) -> dict:
    """``--out DIR [--skip-missing]`` command line around a module's ``draw_all``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", required=True)
    parser.add_argument("--skip-missing", action="store_true", help="skip figures whose pack is missing")
    step_arguments(parser)
    args = parser.parse_args(argv)

    def action(out):
        result = draw_all(out, skip_missing=args.skip_missing)
        for name, value in result.items():
            print(name, value if isinstance(value, str) else "drawn")
        return result

    return locked_step(args, action)


def lettered_figure(out_dir, stem: str, rows: int, cols: int, height: float, draw):
    """Figure ``stem`` on a ``rows × cols`` grid drawn by ``draw(fig, axes, pack)``; drawn panels lettered a, b, …"""
    def layout(fig, axes, pack):
        draw(fig, axes, pack)
        label_panels(axes, LETTERS, only_drawn=True)

    return compose(out_dir, stem, layout, rows, cols, height=height)
