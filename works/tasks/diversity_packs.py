"""Packers of task 7 (learned diversity): ext05-ext08, from the gathered raw files of :mod:`works.tasks.diversity`.

Every packer reads ``diversity_file(task)`` / ``diversity_types_file(task)`` / ``diversity_loops_file(task)``
of the tasks that were run (a task not run leaves its panels out; none run raises
:class:`works.packing.MissingRaw`).

Examples
--------
>>> sorted(PACKS)
['ext05', 'ext06', 'ext07', 'ext08']
>>> quantiles([1.0, 2.0, 3.0, 4.0, 5.0]).tolist()
[1.2, 2.0, 3.0, 4.0, 4.8]
"""

from __future__ import annotations

import numpy as np

from works import layout
from works.packing import MissingRaw, Raw

__all__ = ["DIVERSITY_TASKS", "PACKS", "QUANTILES", "SCALARS", "pack_ext05", "pack_ext06", "pack_ext07",
           "pack_ext08", "primary", "quantiles"]

#: Tasks of the learned-diversity experiment, in panel order.
DIVERSITY_TASKS = ("mnist1d", "vanderpol")
#: Scalars of one trained network (the keys of :func:`effect.diversity_experiments.run_unit`).
SCALARS = ("loss", "accuracy", "forecast_error", "train_loss", "participation_ratio",
           "participation_ratio_normalised", "hessian_trace", "hessian_trace_se", "near_zero_fraction")
#: Percentiles stored for the loop-measure box plots (whisker, box, median, box, whisker).
QUANTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: Readable names of the scalars on figure axes.
LABELS = {"loss": "test loss", "accuracy": "test accuracy", "forecast_error": "forecast error (MSE)",
          "participation_ratio_normalised": "participation ratio r = R / N", "hessian_trace": "Hessian trace",
          "near_zero_fraction": "near-zero eigenvalue fraction"}


def primary(task: str) -> str:
    """The task's performance scalar: ``"accuracy"`` for MNIST-1D, ``"forecast_error"`` for van der Pol."""
    return "accuracy" if task == "mnist1d" else "forecast_error"


def quantiles(values) -> np.ndarray:
    """The :data:`QUANTILES` percentiles of ``values`` (finite entries), shape (5,)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    return np.percentile(values, QUANTILES) if values.size else np.full(len(QUANTILES), np.nan)


def _gathered(raw: Raw) -> dict:
    found = {task: raw.npz(layout.diversity_file(task)) for task in DIVERSITY_TASKS
             if raw.exists(layout.diversity_file(task))}
    if not found:
        raise MissingRaw(f"no raw {layout.diversity_file('<task>')}")
    return found


def _boxes(raw: Raw, per_task) -> dict:
    """Letters a, b, ... in task order, two per task: ``{"task", "network_types", "quantity", "label",
    "values" (T, S)}`` for the two scalars ``per_task(task)`` names."""
    pack = {}
    letters = iter(layout.LETTERS)
    for task in DIVERSITY_TASKS:
        names = per_task(task)
        if not raw.exists(layout.diversity_file(task)):
            next(letters), next(letters)
            continue
        data = raw.npz(layout.diversity_file(task))
        for name in names:
            pack[next(letters)] = {"task": task, "network_types": data["network_types"], "quantity": name,
                                   "label": LABELS.get(name, name), "values": np.asarray(data[name], float)}
    if not pack:
        raise MissingRaw(f"no raw {layout.diversity_file('<task>')}")
    return pack


def pack_ext05(raw: Raw, scale: str) -> dict:
    """Ext. 5: per task (a, b: MNIST-1D accuracy and test loss; c, d: van der Pol forecast error and test
    loss) ``{"task", "network_types" (T,), "quantity", "label", "values" (T, S)}``, one row per network type
    and one column per initialisation."""
    return _boxes(raw, lambda task: (primary(task), "loss"))


def _density(x, y, grid_x, grid_y) -> np.ndarray:
    """Gaussian KDE of the points (x, y) on the grid, shape (G, G) indexed [y, x]; NaN when degenerate."""
    from scipy.stats import gaussian_kde

    points = np.stack([x, y])
    if points.shape[1] < 3 or np.any(np.ptp(points, axis=1) == 0):
        return np.full((grid_y.size, grid_x.size), np.nan)
    try:
        kde = gaussian_kde(points)
    except np.linalg.LinAlgError:
        return np.full((grid_y.size, grid_x.size), np.nan)
    gx, gy = np.meshgrid(grid_x, grid_y)
    return kde(np.stack([gx.ravel(), gy.ravel()])).reshape(gy.shape)


def pack_ext06(raw: Raw, scale: str, grid: int = 40) -> dict:
    """Ext. 6: joint density of performance and the normalised participation ratio r per network type.

    Per task (a MNIST-1D, b van der Pol): ``{"task", "network_types" (T,), "x" (T, S) r, "y" (T, S) accuracy
    or forecast error, "xlabel", "ylabel", "grid_x" (G,), "grid_y" (G,), "density" (T, G, G)}`` with the
    Gaussian KDE of each type's points on a common grid (NaN for a type whose points are degenerate).
    """
    pack = {}
    for task, data in _gathered(raw).items():
        letter = "ab"[DIVERSITY_TASKS.index(task)]
        x = np.asarray(data["participation_ratio_normalised"], float)
        y = np.asarray(data[primary(task)], float)
        pad_x, pad_y = 0.1 * (np.ptp(x) or 1.0), 0.1 * (np.ptp(y) or 1.0)
        grid_x = np.linspace(x.min() - pad_x, x.max() + pad_x, grid)
        grid_y = np.linspace(y.min() - pad_y, y.max() + pad_y, grid)
        pack[letter] = {"task": task, "network_types": data["network_types"], "x": x, "y": y,
                        "xlabel": LABELS["participation_ratio_normalised"], "ylabel": LABELS[primary(task)],
                        "grid_x": grid_x, "grid_y": grid_y,
                        "density": np.stack([_density(x[t], y[t], grid_x, grid_y) for t in range(len(x))])}
    return pack


def pack_ext07(raw: Raw, scale: str) -> dict:
    """Ext. 7: per task (a, b MNIST-1D; c, d van der Pol) the Hessian trace (Hutchinson) and the fraction of
    near-zero Hessian eigenvalues (stochastic Lanczos quadrature), as in :func:`pack_ext05`."""
    return _boxes(raw, lambda task: ("hessian_trace", "near_zero_fraction"))


def pack_ext08(raw: Raw, scale: str) -> dict:
    """Ext. 8: the learned activations and the loop ordering under them, three panels per task
    (a-c MNIST-1D, d-f van der Pol).

    Activation panel: ``{"task", "knots" (P,), "values" (2, P), "base"}``. Loop panels (Lipschitz estimate,
    nearest-collider difference): ``{"task", "measure", "labels" (L,), "loop_types" (2,), "stats" (L, 2, 5)
    percentiles :data:`QUANTILES` per label and loop type, "n" (L, 2) loops}``.
    """
    pack = {}
    for task, letters in zip(DIVERSITY_TASKS, ("abc", "def")):
        if raw.exists(layout.diversity_types_file(task)):
            types = raw.npz(layout.diversity_types_file(task))
            pack[letters[0]] = {"task": task, "knots": types["knots"], "values": types["values"],
                                "base": types["base"]}
        if raw.exists(layout.diversity_loops_file(task)):
            loops = raw.npz(layout.diversity_loops_file(task))
            labels = [str(label) for label in loops["labels"]]
            for letter, measure in zip(letters[1:], ("lipschitz", "difference")):
                stats = np.array([[quantiles(loops[f"{label}/{loop}/{measure}"]) for loop in layout.LOOP_TYPES]
                                  for label in labels])
                n = np.array([[loops[f"{label}/{loop}/{measure}"].size for loop in layout.LOOP_TYPES]
                              for label in labels], dtype=np.int64)
                pack[letter] = {"task": task, "measure": measure, "labels": np.array(labels),
                                "loop_types": np.array(layout.LOOP_TYPES), "stats": stats, "n": n}
    if not pack:
        raise MissingRaw(f"no raw {layout.diversity_types_file('<task>')}")
    return pack


PACKS = {"ext05": pack_ext05, "ext06": pack_ext06, "ext07": pack_ext07, "ext08": pack_ext08}
