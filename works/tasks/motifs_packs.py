"""Packers of task 1: Fig. 2 (``main02``) and Figs. S1 / S2 (``supp01`` / ``supp02``).

Each packer reads the raw files of :mod:`works.tasks.motifs` through a :class:`works.packing.Raw` and returns
the tree stored as ``OUT/data/<name>.npz`` (panel letters as top-level keys).

Examples
--------
>>> sorted(PACKS)
['main02', 'supp01', 'supp02']
"""

from __future__ import annotations

import numpy as np

from works import layout
from works.layout import LETTERS, LOOP_TYPES
from works.packing import MissingRaw, Raw, require
from works.summaries import embed_2d, kde_curve, landscapes, nearest_bin_counts

__all__ = ["DIFFERENCE_RANGE", "EXAMPLE_LOOP", "LIPSCHITZ_RANGE", "PACKS", "pack_main02", "pack_supp01",
           "pack_supp02"]

#: Ranges of the Lipschitz and difference axes of Figs. 2, S1 and S2.
LIPSCHITZ_RANGE = (0.6, 2.4)
DIFFERENCE_RANGE = (0.0, 0.03)
#: The Fig. 2a example loop (incoherent-loop parameters w_xy, w_xz, w_yz, b_y, b_z).
EXAMPLE_LOOP = (-1.0, 0.652, 1.0, 1.0, 0.337)


def pack_main02(raw: Raw, scale: str) -> dict:
    """Fig. 2. "a": MDS map of the example loop and four catcher imitation trajectories; "b"/"c": KDEs per loop type
    of Lipschitz values and of trade-off losses ≤ 0.03; "d"/"e": nearest-bin joint counts (rows Lipschitz,
    columns difference) of incoherent/coherent loops divided by their common maximum."""
    pack: dict = {"b": {}, "c": {}}
    joint = {}
    for motif_type in LOOP_TYPES:
        names = require(raw.structures(layout.robustness_file, motif_type), f"robustness of {motif_type}")
        lipschitz = np.concatenate([raw.npy(layout.robustness_file(s)) for s in names])
        x, y = kde_curve(lipschitz, *LIPSCHITZ_RANGE)
        pack["b"][motif_type] = {"x": x, "y": y}
        names = require(raw.structures(layout.tradeoff_file, motif_type), f"trade-offs of {motif_type}")
        trade = [raw.npy(layout.tradeoff_file(s)) for s in names]
        loss = np.concatenate([t[:, 1] for t in trade])
        x, y = kde_curve(loss[loss <= DIFFERENCE_RANGE[1]], *DIFFERENCE_RANGE)
        pack["c"][motif_type] = {"x": x, "y": y}
        robust = np.concatenate([raw.npy(layout.robustness_file(s)) for s in names])
        joint[motif_type] = nearest_bin_counts(loss, robust, DIFFERENCE_RANGE, LIPSCHITZ_RANGE)
    peak = max(float(m.max()) for m in joint.values()) or 1.0
    pack["d"], pack["e"] = joint["incoherent-loop"] / peak, joint["coherent-loop"] / peak
    pack["de"] = {"x": np.linspace(*DIFFERENCE_RANGE, 100), "y": np.linspace(*LIPSCHITZ_RANGE, 100)}
    states = raw.npy(layout.imitation_file())
    steps = states.shape[1] - 1
    surfaces = np.concatenate([landscapes([EXAMPLE_LOOP], "incoherent-loop").reshape(1, -1),
                               landscapes(states.reshape(-1, 3), "collider").reshape(4 * (steps + 1), -1)])
    squared = (surfaces ** 2).sum(axis=1)
    mse = np.maximum(squared[:, None] + squared[None, :] - 2 * surfaces @ surfaces.T, 0) / surfaces.shape[1]
    np.fill_diagonal(mse, 0.0)
    starts = 1 + np.arange(4) * (steps + 1)
    pack["a"] = {"points": embed_2d(np.sqrt(mse)), "starts": starts, "stops": starts + steps,
                 "loop": np.asarray(EXAMPLE_LOOP), "catchers": states[:, -1], "method": "metric MDS (scikit-learn)"}
    return pack


def _kde_panels(raw: Raw, file_name, column, low: float, high: float) -> dict:
    """KDEs of all loops of a type ("a", "f") and of each structure ("b"…"e", "g"…"j"); absent ones omitted."""
    pack = {}
    for t_index, motif_type in enumerate(LOOP_TYPES):
        names = raw.structures(file_name, motif_type)
        values = {s: raw.npy(file_name(s)) for s in names}
        if column is not None:
            values = {s: v[:, column] for s, v in values.items()}
        for k in range(5):
            letter = LETTERS[t_index * 5 + k]
            chosen = list(values.values()) if k == 0 else [values[s] for s in values if s.endswith(f".{k}")]
            if not chosen:
                continue
            x, y = kde_curve(np.concatenate(chosen), low, high)
            pack[letter] = {"x": x, "y": y, "type": motif_type, "index": k}
    if not pack:
        raise MissingRaw(f"no raw {file_name('<structure>').split('/')[0]}")
    return pack


def pack_supp01(raw: Raw, scale: str) -> dict:
    """Fig. S1: Lipschitz KDEs; "a"…"j" = incoherent all, 1–4, coherent all, 1–4 (absent structures omitted)."""
    return _kde_panels(raw, layout.robustness_file, None, *LIPSCHITZ_RANGE)


def pack_supp02(raw: Raw, scale: str) -> dict:
    """Fig. S2: KDEs of all trade-off losses (column 1) on [0, 0.03], layout as S1."""
    return _kde_panels(raw, layout.tradeoff_file, 1, *DIFFERENCE_RANGE)


PACKS = {"main02": pack_main02, "supp01": pack_supp01, "supp02": pack_supp02}
