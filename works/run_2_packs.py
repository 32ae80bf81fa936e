"""Step 2 of the pipeline: pack the raw results into one ``.npz`` per figure.

``python works/run_2_packs.py --out DIR [--scale quick] [--force]``

Reads ``OUT/raw`` (formats: ``docs/raw-data.md``) and writes ``OUT/data/<figure>.npz`` plus
``OUT/data/manifest.json`` with the packers of the task modules (:mod:`works.tasks`) and the runner of
:mod:`works.packing`: a pack is rebuilt whenever a raw file it read changed or the pack is missing, and
skipped (with a reason) when its raw inputs do not exist. Panel letters are the top-level keys; where the
original stored tuples, ``None`` or ``Counter`` objects, packs store sub-groups of plain arrays, empty arrays
or omitted keys (see each packer's docstring).

Examples
--------
>>> import tempfile
>>> from works.run_2_packs import pack_all
>>> status = pack_all(tempfile.mkdtemp(), scale="smoke")   # nothing raw yet: every pack is skipped
>>> status["main02"].startswith("skipped")
True
"""

from __future__ import annotations

import argparse

import numpy as np

from works import packing
from works.guard import locked_step, step_arguments
from works.layout import LANDSCAPES, SCALES
from works.packing import Raw
from works.summaries import (
    curvature_batch,
    curvature_proportion,
    escape_extremes,
    gradient_norms,
    kde_curve,
    kde_density_2d,
    nearest_bin_counts,
    row_spearman,
    spearman,
)
from works.tasks import all_packs
from works.tasks.cartpole import classify_outcomes
from works.tasks.networks_packs import first_reach
from works.tasks.uci import best_at_own_noise

__all__ = ["PACKS", "SCALES", "best_at_own_noise", "classify_outcomes", "curvature_batch", "curvature_proportion",
           "escape_extremes", "first_reach", "gradient_norms", "kde_curve", "kde_density_2d", "main",
           "nearest_bin_counts", "pack_all", "pack_one", "pack_supp09", "row_spearman", "spearman"]


def pack_supp09(raw: Raw, scale: str) -> dict:
    """Fig. S9: the five target landscapes of ``effect.expression.get_landscape`` (41 grid), "b"…"f".

    A static pack (no raw input): the targets the fixed motif networks of task 5 are fitted to.
    """
    from effect.expression import get_landscape

    return {letter: {"name": name, "landscape": np.asarray(get_landscape(name), dtype=np.float64)}
            for letter, name in zip("bcdef", LANDSCAPES)}


#: Pack name -> packer: every task's packs and the static S9 pack.
PACKS = dict(sorted({**all_packs(), "supp09": pack_supp09}.items()))


def pack_one(out_dir, name: str, scale: str = "quick") -> tuple[dict, dict]:
    """Build one pack in memory: ``(tree, {relative raw path: sha256})`` (see :func:`works.packing.pack_one`)."""
    return packing.pack_one(out_dir, name, scale, PACKS)


def pack_all(out_dir, scale: str = "quick", names=None, force: bool = False) -> dict:
    """Write every pack whose raw inputs exist; returns ``{name: status}`` (see :func:`works.packing.pack_all`)."""
    return packing.pack_all(out_dir, scale, PACKS, names, force)


def main(argv=None) -> dict:
    """CLI: ``python works/run_2_packs.py --out DIR [--scale quick] [--force]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output directory OUT (reads OUT/raw, writes OUT/data)")
    parser.add_argument("--scale", default="quick", choices=SCALES)
    parser.add_argument("--force", action="store_true", help="rebuild every pack")
    step_arguments(parser)
    args = parser.parse_args(argv)

    def action(out):
        status = pack_all(out, args.scale, force=args.force)
        for name, state in status.items():
            print(f"{name}: {state}")
        return status

    return locked_step(args, action, scale=args.scale)


if __name__ == "__main__":
    main()
