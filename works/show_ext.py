"""Step 4b of the pipeline: the extension figures (``OUT/show/ext01`` …, PDF + PNG) of the experiments beyond the paper.

A thin entry point like :mod:`works.show_supp`: every figure whose stem starts with ``ext`` in the ``FIGURES`` of
the task modules (:mod:`works.tasks`) is drawn by its task module; this module only collects them.

``python works/show_ext.py --out DIR [--skip-missing]``

Examples
--------
>>> from works.show_ext import FIGURES
>>> FIGURES[:4]
['ext01', 'ext02', 'ext03', 'ext04']
"""

from __future__ import annotations

from works.figures.runner import entry_points
from works.tasks import all_figures

__all__ = ["DRAWERS", "FIGURES", "draw_all", "main"]

#: Figure stem -> draw function of every extension figure, sorted by stem.
DRAWERS = {name: draw for name, draw in all_figures().items() if name.startswith("ext")}
FIGURES = list(DRAWERS)

draw_all, main = entry_points(DRAWERS, FIGURES, "extension")

if __name__ == "__main__":
    main()
