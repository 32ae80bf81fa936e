"""Packers of task 2: Figs. 3 and 4 (``main03``, ``main04``) and Figs. S4-S8 (``supp04``-``supp08``).

Every packer reads the escape records of :mod:`works.tasks.escape` (and, for S4, the selection and the task 1
parameter grid) and summarises them: the escaper's parameters at the iterations of smallest / largest loss
("before" / "after" escaping), curvature labels of their landscapes, rank correlations.

Examples
--------
>>> sorted(PACKS)
['main03', 'main04', 'supp04', 'supp05', 'supp06', 'supp07', 'supp08']
"""

from __future__ import annotations

import numpy as np

from effect.structures import parse_structure
from works import layout
from works.layout import LETTERS, LOOP_TYPES
from works.packing import Raw, require
from works.summaries import (
    curvature_batch,
    curvature_proportion,
    escape_extremes,
    gradient_norms,
    kde_curve,
    landscapes,
    row_spearman,
)

__all__ = ["EXAMPLE_RECORDS", "PACKS", "escape_correlations", "pack_main03", "pack_main04", "pack_supp04",
           "pack_supp05", "pack_supp06", "pack_supp07", "pack_supp08"]

#: The fixed escape examples of Fig. 4 and S4: (structure, record).
EXAMPLE_RECORDS = {"main04/a": ("incoherent-loop.1", 55), "main04/b": ("coherent-loop.1", 42),
                   "supp04/a": ("coherent-loop.1", 42), "supp04/b": ("coherent-loop.1", 60)}


def _escape(raw: Raw, structure: str) -> dict:
    data = raw.npz(layout.escape_file(structure))
    for key in ("escaper", "catcher", "choice", "loss"):
        if key not in data:
            raise ValueError(f"raw/{layout.escape_file(structure)} lacks {key!r}.")
    return data


def pack_main03(raw: Raw, scale: str) -> dict:
    """Fig. 3: |w_xy| ("b"/"d") and |b_y| ("c"/"e") of the escaper at the argmin/argmax-loss iterations, (2, n)."""
    pack = {}
    for motif_type, (weight_key, bias_key) in zip(LOOP_TYPES, (("b", "c"), ("d", "e"))):
        names = require(raw.structures(layout.escape_file, motif_type), f"escape of {motif_type}")
        weights, biases = [], []
        for structure in names:
            data = _escape(raw, structure)
            before, after = escape_extremes(data["loss"])
            rows = np.arange(len(before))
            for column, store in ((0, weights), (3, biases)):
                store.append(np.abs(np.stack([data["escaper"][rows, before, column],
                                              data["escaper"][rows, after, column]])))
        pack[weight_key], pack[bias_key] = np.concatenate(weights, axis=1), np.concatenate(biases, axis=1)
    return pack


def _escape_curvatures(raw: Raw, structure: str, points: int = 101):
    """Loop and catcher predominant curvature proportions before/after for every record: (E, 4)."""
    motif_type, _ = parse_structure(structure)
    data = _escape(raw, structure)
    before, after = escape_extremes(data["loss"])
    rows = np.arange(len(before))
    columns = []
    for kind, key, size in ((motif_type, "escaper", 5), ("collider", "catcher", 3)):
        for index in (before, after):
            params = data[key][rows, index].reshape(-1, size)
            columns.append(curvature_proportion(curvature_batch(landscapes(params, kind, points), 1 / (points - 1))))
    return np.stack(columns, axis=1), data, before, after


def _example(raw: Raw, structure: str, record: int, points: int = 41) -> dict:
    motif_type, _ = parse_structure(structure)
    data = _escape(raw, structure)
    record = min(record, data["loss"].shape[0] - 1)
    before, after = escape_extremes(data["loss"][record:record + 1])
    surfaces = landscapes(data["escaper"][record, [before[0], after[0]]], motif_type, points)
    labels = curvature_batch(surfaces, 1 / (points - 1))
    return {"before": surfaces[0], "after": surfaces[1], "before_curvature": labels[0], "after_curvature": labels[1],
            "record": record, "structure": structure}


def pack_main04(raw: Raw, scale: str) -> dict:
    """Fig. 4: worked examples "a"/"b" (41-grid landscapes and curvature labels before/after) and "c"/"d":
    (n, 4) predominant curvature proportions [loop before, loop after, collider before, collider after]
    at 101 points; "c_example"/"d_example" = row of the worked example in "c"/"d" (−1 when absent)."""
    pack = {}
    for motif_type, letter, example in (("incoherent-loop", "c", "a"), ("coherent-loop", "d", "b")):
        names = require(raw.structures(layout.escape_file, motif_type), f"escape of {motif_type}")
        blocks, offset, marker = [], 0, -1
        structure, record = EXAMPLE_RECORDS[f"main04/{example}"]
        if structure not in names:
            structure = names[0]
        for name in names:
            block = _escape_curvatures(raw, name)[0]
            if name == structure:
                marker = offset + min(record, block.shape[0] - 1)
            blocks.append(block)
            offset += block.shape[0]
        pack[letter], pack[f"{letter}_example"] = np.concatenate(blocks), marker
        pack[example] = _example(raw, structure, record)
    return pack


def pack_supp04(raw: Raw, scale: str) -> dict:
    """Fig. S4: coherent-loop.1 records 42 and 60: landscapes of the initial loop and after every tenth of the
    outer iterations, "a"/"b" = {"landscapes": (n, 41, 41), "iterations": (n,) (0 = initial), "record"}."""
    structure = "coherent-loop.1"
    data = _escape(raw, structure)
    selection = raw.npy(layout.selection_file(structure))
    initial = raw.npy(layout.parameters_file(structure))[selection]
    records, steps = data["loss"].shape
    marks = sorted({max(1, round(steps * k / 10)) for k in range(1, 11)})
    pack = {}
    for letter in ("a", "b"):
        record = min(EXAMPLE_RECORDS[f"supp04/{letter}"][1], records - 1)
        params = np.concatenate([initial[record][None], data["escaper"][record, [m - 1 for m in marks]]])
        pack[letter] = {"landscapes": landscapes(params, "coherent-loop"), "iterations": np.array([0] + marks),
                        "record": record}
    return pack


def escape_correlations(escaper, loss, motif_type: str, points: int = 41) -> np.ndarray:
    """Per-step Spearman correlations of one escape record (Fig. S5).

    For every step ``t`` from argmin to argmax − 2 of ``loss``: Spearman between the gradient-norm map of the
    escaper at ``t`` and ``|landscape(t + 1) − landscape(t)|``. Returns a 1-D array (possibly empty).
    """
    start, stop = int(np.argmin(loss)), int(np.argmax(loss))
    steps = np.arange(start, stop - 1)
    if steps.size == 0:
        return np.empty(0)
    surfaces = landscapes(escaper[start:stop], motif_type, points).reshape(stop - start, -1)
    norms = gradient_norms(escaper[steps], motif_type, points).reshape(steps.size, -1)
    change = np.abs(surfaces[1:steps.size + 1] - surfaces[:steps.size])
    return row_spearman(norms, change)


def pack_supp05(raw: Raw, scale: str) -> dict:
    """Fig. S5: coherent-loop.1–4 ("a"…"d"): per record a KDE (100 points on [−1, 1], normalised to sum 1) of the
    per-step gradient/landscape-change Spearman correlations, (E, 100); "x" = the grid."""
    names = require(raw.structures(layout.escape_file, "coherent-loop"), "escape of coherent loops")
    pack = {"x": np.linspace(-1, 1, 100)}
    for name in names:
        data = _escape(raw, name)
        rows = []
        for escaper, loss in zip(data["escaper"], data["loss"]):
            _, y = kde_curve(escape_correlations(escaper, loss, "coherent-loop"), -1, 1)
            rows.append(y / y.sum() if y.sum() > 0 else y)
        pack[LETTERS[parse_structure(name)[1] - 1]] = np.array(rows)
    return pack


def _pack_proportions(raw: Raw, motif_type: str) -> dict:
    names = require(raw.structures(layout.escape_file, motif_type), f"escape of {motif_type}")
    return {LETTERS[parse_structure(n)[1] - 1]: _escape_curvatures(raw, n)[0][:, :2] for n in names}


def pack_supp06(raw: Raw, scale: str) -> dict:
    """Fig. S6: incoherent-loop.1–4 ("a"…"d"): (E, 2) loop predominant curvature proportion before/after (101 grid)."""
    return _pack_proportions(raw, "incoherent-loop")


def pack_supp08(raw: Raw, scale: str) -> dict:
    """Fig. S8: as S6 for coherent-loop.1–4."""
    return _pack_proportions(raw, "coherent-loop")


def pack_supp07(raw: Raw, scale: str, points: int = 101) -> dict:
    """Fig. S7: for incoherent records whose loop curvature proportion decreased, the ridge/valley region
    (landscape > 0 when the before-map has no +1 label, else landscape < 0) and its area fraction before/after.
    "a": example maps of the first such record (101 grid); "b": (n, 2) area fractions."""
    names = require(raw.structures(layout.escape_file, "incoherent-loop"), "escape of incoherent loops")
    fractions, example = [], None
    for name in names:
        data = _escape(raw, name)
        before, after = escape_extremes(data["loss"])
        rows = np.arange(len(before))
        first = landscapes(data["escaper"][rows, before], "incoherent-loop", points)
        second = landscapes(data["escaper"][rows, after], "incoherent-loop", points)
        labels_1, labels_2 = curvature_batch(first, 1 / (points - 1)), curvature_batch(second, 1 / (points - 1))
        decreased = curvature_proportion(labels_2) < curvature_proportion(labels_1)
        for r in np.flatnonzero(decreased):
            ridge = not np.any(labels_1[r] == 1)
            region_1 = first[r] > 0 if ridge else first[r] < 0
            region_2 = second[r] > 0 if ridge else second[r] < 0
            fractions.append((region_1.mean(), region_2.mean()))
            if example is None:
                example = {"before": first[r], "after": second[r], "before_curvature": labels_1[r],
                           "after_curvature": labels_2[r], "before_region": region_1.astype(float),
                           "after_region": region_2.astype(float), "structure": name, "record": int(r)}
    pack = {"b": np.array(fractions, dtype=float).reshape(-1, 2)}
    if example is not None:
        pack["a"] = example
    return pack


PACKS = {"main03": pack_main03, "main04": pack_main04, "supp04": pack_supp04, "supp05": pack_supp05,
         "supp06": pack_supp06, "supp07": pack_supp07, "supp08": pack_supp08}
