"""Drawing a set of figures and the thin CLI shared by ``show_main.py`` and ``show_supp.py``."""

from __future__ import annotations

import argparse

__all__ = ["draw_figures", "figure_cli"]


def draw_figures(drawers: dict, figures, out_dir, names=None, skip_missing: bool = False) -> dict:
    """Draw ``names`` (default all ``figures``) with ``drawers[name](out_dir)``.

    Returns ``{stem: [pdf, png] or 'skipped: reason'}``; with ``skip_missing`` a figure whose pack does not exist
    is skipped instead of raising.
    """
    result = {}
    for name in names or figures:
        if name not in drawers:
            raise ValueError(f"names must be in {list(figures)}, got {name!r}.")
        try:
            result[name] = drawers[name](out_dir)
        except FileNotFoundError as error:
            if not skip_missing:
                raise
            result[name] = f"skipped: {error}"
    return result


def figure_cli(draw_all, description: str, argv=None) -> dict:
    """``--out DIR [--skip-missing]`` command line around a module's ``draw_all``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", required=True)
    parser.add_argument("--skip-missing", action="store_true", help="skip figures whose pack is missing")
    args = parser.parse_args(argv)
    result = draw_all(args.out, skip_missing=args.skip_missing)
    for name, value in result.items():
        print(name, value if isinstance(value, str) else "drawn")
    return result
