"""Step 4b of the pipeline: the extension figures (``OUT/show/ext…``, PDF + PNG) of the experiments beyond the paper.

A thin entry point: every extension figure is drawn by the task module that feeds it (``FIGURES`` entries of
:mod:`works.tasks` whose stem starts with ``ext``). A missing pack raises ``FileNotFoundError``; a missing or
malformed entry ``ValueError`` naming the pack and the key.

``python works/show_ext.py --out DIR [--skip-missing]``

Examples
--------
>>> from works.show_ext import FIGURES
>>> FIGURES[:5]
['ext01', 'ext02', 'ext03', 'ext04', 'ext05']
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
