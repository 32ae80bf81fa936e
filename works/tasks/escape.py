"""Task 2: selection of representable, isolated loops and their adversarial escape from the colliders.

What is configured
    :class:`Task2Config`: how many loops per structure escape (``samples``), the selection threshold on the
    nearest-collider difference, the outer (loop) and inner (catcher) iteration counts and the escape semantics.
    At smoke and quick scale ``semantics="corrected"``: the escapes then use per-sample catchers even when the
    run's semantics is "reference" (the paper preset follows the run's semantics, ``semantics=None``).
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    One unit per loop structure of task 1: the selected rows (:func:`~works.layout.selection_file`, chosen by
    :func:`select_escapers` from the task 1 differences) and their escape records (:func:`~works.layout.escape_file`:
    escaper ``(E, outer, 5)``, catcher ``(E, outer, 3)``, choice ``(E, outer)``, loss ``(E, outer)``).
What is packed and drawn
    ``main03`` (Fig. 3, parameter utilisation), ``main04`` (Fig. 4, curvature), ``supp04``-``supp08`` (S4-S8), see
    :mod:`works.tasks.escape_packs` and :mod:`works.tasks.escape_figures`; the escape videos are made by
    :mod:`works.show_video` from the same raw files.
What the report claims
    Claim 6: coherent and incoherent loops change the utilisation of x→y differently while escaping.

Examples
--------
>>> from works.scales import get_scale
>>> [unit.key for unit in plan(get_scale("smoke"))[0]]
['task2/particular/incoherent-loop.1', 'task2/particular/coherent-loop.1']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from works import layout
from works._io import save_npy, save_npz
from works.claims import claim, two_sided
from works.layout import COLLIDERS, LOOP_TYPES, SEMANTICS
from works.tasks.escape_figures import FIGURES
from works.tasks.escape_packs import PACKS
from works.stats import compare_counts
from works.units import Unit

__all__ = ["CLAIMS", "CONFIG", "FIGURES", "NUMBER", "PACKS", "Task2Config", "escape_claims", "plan",
           "select_escapers", "unit_escape"]

NUMBER = 2


@dataclass(frozen=True)
class Task2Config:
    """Selection and adversarial escape (task 2). ``semantics=None`` follows the run's semantics.

    ``warmup`` extra catcher steps precede each escape (see :func:`effect.search.escape`; 0 = the original).
    """

    samples: int = 16
    outer: int = 100
    inner: int = 100
    learn_rate: float = 1e-3
    selection_threshold: float = 0.03
    semantics: str | None = "corrected"
    warmup: int = 0


CONFIG = Task2Config


@dataclass(frozen=True)
class EscapeUnit:
    """One loop structure: selection settings (``threshold``, ``samples``, ``semantics``) and escape settings."""

    structure: str
    threshold: float
    samples: int
    semantics: str
    escape_semantics: str
    outer: int
    inner: int
    learn_rate: float
    points: int
    value_range: tuple
    warmup: int = 0


def select_escapers(collider_differences, self_differences, threshold=0.03, samples=100,
                    semantics="reference") -> np.ndarray:
    """Task 2 selection: representable loops (min over colliders ≤ threshold), most isolated first.

    Parameters
    ----------
    collider_differences : array (4, N)
        "L for collider.k" differences.
    self_differences : array (N,)
        "L for L" (nearest other loop of the same structure).
    threshold : float
    samples : int
        At most this many indices are returned.
    semantics : {"reference", "corrected"}
        "reference": numpy's default (unstable quicksort) ascending argsort, reversed — tie order is
        implementation-defined (the original); "corrected": stable descending order, ties by row index.

    Returns
    -------
    ndarray (≤ samples,) int64, row indices into the structure's parameter grid.

    Examples
    --------
    >>> select_escapers(np.array([[0.0, 0.5, 0.01]]), np.array([0.2, 0.9, 0.4]), samples=5).tolist()
    [2, 0]
    """
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}.")
    collider_differences = np.atleast_2d(np.asarray(collider_differences, dtype=np.float64))
    self_differences = np.asarray(self_differences, dtype=np.float64)
    if collider_differences.shape[1] != self_differences.shape[0]:
        raise ValueError("collider_differences must have shape (K, N) with N = len(self_differences).")
    candidates = np.flatnonzero(collider_differences.min(axis=0) <= threshold)
    values = self_differences[candidates]
    if semantics == "reference":
        order = np.argsort(values)[::-1]
    else:
        order = np.argsort(-values, kind="stable")
    return candidates[order][:samples].astype(np.int64)


def unit_escape(config, raw_dir, seed):
    """Task 2: select the escapers of one loop structure and run the batched adversarial escape."""
    from effect.similarity import escape
    from effect.structures import parse_structure

    unit = EscapeUnit(**config)
    structure = unit.structure
    colliders = np.stack([np.load(raw_dir / layout.difference_file(structure, c)) for c in COLLIDERS])
    own = np.load(raw_dir / layout.difference_file(structure, structure))
    selection = select_escapers(colliders, own, unit.threshold, unit.samples, unit.semantics)
    params = np.load(raw_dir / layout.parameters_file(structure))[selection]
    save_npy(raw_dir / layout.selection_file(structure), selection)
    if len(selection) == 0:
        empty = {"escaper": np.zeros((0, unit.outer, 5)), "catcher": np.zeros((0, unit.outer, 3)),
                 "choice": np.zeros((0, unit.outer), dtype=np.int64), "loss": np.zeros((0, unit.outer))}
        save_npz(raw_dir / layout.escape_file(structure), empty)
        return
    result = escape(params, parse_structure(structure)[0], value_range=tuple(unit.value_range),
                    points=unit.points, learn_rate=unit.learn_rate, thresholds=(unit.outer, unit.inner),
                    semantics=unit.escape_semantics, warmup=unit.warmup)
    save_npz(raw_dir / layout.escape_file(structure),
             {"escaper": result["escaper"], "catcher": result["catcher"],
              "choice": result["choice"].astype(np.int64), "loss": result["loss"]})


def plan(scale) -> list:
    """Task 2: one unit per loop structure (selection + escape)."""
    t1, t2 = scale.task1, scale.task2
    units = []
    for structure in t1.structures:
        depends = [layout.parameters_file(structure), layout.difference_file(structure, structure)]
        depends += [layout.difference_file(structure, c) for c in COLLIDERS]
        config = EscapeUnit(structure=structure, threshold=t2.selection_threshold, samples=t2.samples,
                            semantics=scale.semantics, escape_semantics=t2.semantics or scale.semantics,
                            outer=t2.outer, inner=t2.inner, learn_rate=t2.learn_rate, points=t1.points,
                            value_range=list(t1.value_range), warmup=t2.warmup)
        units.append(Unit(f"task2/particular/{structure}", "works.tasks.escape:unit_escape", asdict(config),
                          (layout.selection_file(structure), layout.escape_file(structure)),
                          tuple(sorted(depends)), scale.seed))
    return [units]


def escape_claims(out_dir) -> list:
    """Claim 6: the two loop types change the utilisation of x→y differently while escaping."""
    raw = Path(out_dir) / layout.RAW
    changes = {}
    for t in LOOP_TYPES:
        values = []
        for k in (1, 2, 3, 4):
            path = raw / layout.escape_file(f"{t}.{k}")
            if not path.is_file():
                continue
            with np.load(path, allow_pickle=False) as data:
                escaper, loss = data["escaper"], data["loss"]
            if loss.shape[0] == 0:
                continue
            rows = np.arange(loss.shape[0])
            before = escaper[rows, np.argmin(loss, axis=1)]
            after = escaper[rows, np.argmax(loss, axis=1)]
            values.append(np.abs(after[:, 0]) - np.abs(before[:, 0]))
        changes[t] = np.concatenate(values) if values else None
    if any(v is None for v in changes.values()):
        return [claim(6, "coherent loops pursue high-gradient regions; incoherent loops adapt more stably", "—",
                      None)]
    increased = {t: int(np.sum(changes[t] > 0)) for t in LOOP_TYPES}
    total = {t: int(changes[t].size) for t in LOOP_TYPES}
    comparison = two_sided(compare_counts(increased["incoherent-loop"], total["incoherent-loop"],
                                          increased["coherent-loop"], total["coherent-loop"], expected="greater",
                                          seed=6))
    share = {t: increased[t] / total[t] if total[t] else float("nan") for t in LOOP_TYPES}
    return [claim(6, "coherent loops pursue high-gradient regions; incoherent loops adapt more stably "
                     "(utilisation of x→y changes differently, Fig. 3b/3d)",
                  f"share of escapes increasing |w_xy| (argmin-loss → argmax-loss step): "
                  f"L_i {share['incoherent-loop']:.0%} ({increased['incoherent-loop']} of "
                  f"{total['incoherent-loop']}), L_c {share['coherent-loop']:.0%} ({increased['coherent-loop']} of "
                  f"{total['coherent-loop']})", comparison=comparison,
                  figure="main03", caption="Fig. 3 sketches the escape (a) and shows the utilisation of the x→y "
                  "weight (b: L_i, d: L_c) and of the y bias (c: L_i, e: L_c) before and after escaping.",
                  note="two-sided: the paper states that the two loop types change differently, not which one "
                       "increases more, so an interval off zero on either side holds; effect = share L_i − share "
                       "L_c; Spearman/curvature panels in the figures")]


CLAIMS = (escape_claims,)
