"""Shared drawing code of the ``works`` figures: style, pack access, motif diagrams, panel helpers.

Modules
-------
style
    Colours, labels, figure creation and PDF + PNG saving (Agg backend).
packs
    Reading packed data with clear errors (:func:`works.figures.packs.open_pack`, :func:`need`).
diagrams
    Three-node motif diagrams with signed edges (arrow = +, bar head = −).
panels
    Small reusable panel helpers (KDE lines, annotated heat maps, staircase lines, ...).
runner
    Drawing a set of figures, and the CLI of ``show_main.py`` / ``show_supp.py``.
"""

__all__ = ["diagrams", "packs", "panels", "runner", "style"]
