"""Small seeded synthetic packs in the schema of :mod:`works.run_2_packs` (for tests and figure previews).

The values are random but well-formed (right keys, shapes and ranges); they let every figure be rendered
without running any experiment.

Examples
--------
>>> import tempfile
>>> from works.figures.synthetic import write_synthetic_packs
>>> names = write_synthetic_packs(tempfile.mkdtemp(), seed=0)
>>> "main02" in names and "supp30" in names
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from works import layout
from works._io import save_pack

__all__ = ["synthetic_packs", "write_synthetic_packs"]

LOOPS = ("incoherent-loop", "coherent-loop")
AGENTS = np.array(["b", "i", "c", "a"])
NOISE = np.array([0.0, 0.1, 0.2, 0.3, 0.4])


def _kde(rng, low, high):
    x = np.linspace(low, high, 100)
    centre = rng.uniform(low, high)
    return {"x": x, "y": np.exp(-((x - centre) / (0.2 * (high - low))) ** 2)}


def _surface(rng, points=41):
    x = np.linspace(-1, 1, points)
    a, b, c = rng.normal(size=3)
    z = np.tanh(a * x[:, None] + b * x[None, :] ** 2 + c * x[:, None] * x[None, :])
    return 2 * (z - z.min()) / (z.max() - z.min()) - 1


def _curvature(rng, points=41):
    return rng.integers(-1, 2, (points, points)).astype(float)


def synthetic_packs(seed: int = 0, records: int = 6) -> dict:
    """Return ``{pack name: tree}`` for every pack drawn by ``show_main``/``show_supp``."""
    rng = np.random.default_rng(seed)
    packs = {}
    steps = 10
    starts = 1 + np.arange(4) * (steps + 1)
    packs["main02"] = {
        "a": {"points": rng.uniform(0, 1, (1 + 4 * (steps + 1), 2)), "starts": starts, "stops": starts + steps,
              "loop": np.array([-1.0, 0.652, 1.0, 1.0, 0.337]), "method": "metric MDS (scikit-learn)"},
        "b": {t: _kde(rng, 0.6, 2.4) for t in LOOPS}, "c": {t: _kde(rng, 0.0, 0.03) for t in LOOPS},
        "d": rng.uniform(0, 1, (100, 100)), "e": rng.uniform(0, 1, (100, 100)),
        "de": {"x": np.linspace(0, 0.03, 100), "y": np.linspace(0.6, 2.4, 100)}}
    packs["main03"] = {k: rng.uniform(0, 1, (2, records)) for k in "bcde"}
    example = {"before": _surface(rng), "after": _surface(rng), "before_curvature": _curvature(rng),
               "after_curvature": _curvature(rng), "record": 2, "structure": "incoherent-loop.1"}
    packs["main04"] = {"a": example, "b": dict(example, structure="coherent-loop.1"),
                       "c": rng.uniform(0, 1, (records, 4)), "d": rng.uniform(0, 1, (records, 4)),
                       "c_example": 2, "d_example": 2}
    packs["main05"] = {"agents": AGENTS, "training_noise": NOISE, "evaluation_noise": NOISE,
                       "b": rng.uniform(150, 200, (4, 5)), **{k: rng.uniform(100, 200, (5, 5)) for k in "cdef"}}
    counts = [rng.multinomial(20, [0.4, 0.3, 0.2, 0.1]) for _ in range(4)]
    packs["main06"] = {"a": {"caps": np.arange(20, 160, 10), "repeats": 20,
                             **{a: rng.integers(0, 21, 14) for a in AGENTS}},
                       **{k: c for k, c in zip("cdef", counts)}}
    for name, (low, high) in (("supp01", (0.6, 2.4)), ("supp02", (0.0, 0.03))):
        packs[name] = {letter: dict(_kde(rng, low, high), type=LOOPS[k // 5], index=k % 5)
                       for k, letter in enumerate("abcdefghij") if k % 5 in (0, 1)}
    packs["supp04"] = {k: {"landscapes": np.stack([_surface(rng) for _ in range(11)]),
                           "iterations": np.arange(0, 110, 10), "record": r} for k, r in (("a", 42), ("b", 60))}
    packs["supp05"] = {"x": np.linspace(-1, 1, 100), **{k: rng.dirichlet(np.ones(100), records) for k in "ab"}}
    packs["supp06"] = {k: rng.uniform(0, 1, (records, 2)) for k in "ab"}
    packs["supp08"] = {k: rng.uniform(0, 1, (records, 2)) for k in "ab"}
    packs["supp07"] = {"a": {"before": _surface(rng, 101), "after": _surface(rng, 101),
                             "before_curvature": _curvature(rng, 101), "after_curvature": _curvature(rng, 101),
                             "before_region": rng.integers(0, 2, (101, 101)).astype(float),
                             "after_region": rng.integers(0, 2, (101, 101)).astype(float),
                             "structure": "incoherent-loop.1", "record": 0},
                       "b": rng.uniform(0.2, 0.5, (records, 2))}
    names = ("Quadratic Saddle", "Monkey Saddle", "Branin", "three-hump Camel", "six-hump Camel")
    packs["supp09"] = {k: {"name": n, "landscape": _surface(rng)} for k, n in zip("bcdef", names)}
    motifs = np.array([1, 2, 5, 10])
    for number, name in zip(range(10, 15), names):
        a = np.c_[10 ** rng.uniform(-3, 0, 4), 10 ** rng.uniform(3, 4.5, 4)]
        b = np.c_[10 ** rng.uniform(-3, 0, 4), 10 ** rng.uniform(3, 4.5, 4)]
        packs[f"supp{number}"] = {"name": name, "motifs": motifs, "a": a, "b": b,
                                  "c": np.array([[f"{v:.2E}" for v in (*x, *y)] for x, y in zip(a, b)])}
    fractions = np.linspace(0, 1, 11)
    packs["supp15"] = {"fractions": fractions, **{k: {"name": n, "totals": np.full(11, 10.0),
                                                      "successes": rng.integers(0, 11, 11).astype(float)}
                                                  for k, n in zip("abcde", names)}}
    milestones = np.array([1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001])
    packs["supp16"] = {"fractions": fractions, "a": {"milestones": milestones,
                                                     "iterations": rng.integers(0, 5000, (10, 10)).astype(float)},
                       "b": rng.uniform(0, 0.5, (11, 10))}
    packs["supp17"] = {"fractions": fractions, "a": rng.uniform(0, 0.5, 11),
                       "b": {str(k): np.sort(10 ** rng.uniform(-3, 0, k % 3)) for k in range(11)}}
    letters = "abcdefghijklmnopqrstuvwxyz"
    supp18 = {"fractions": fractions}
    for k in range(11):
        for column in range(2):
            if (column == 0 and k == 10) or (column == 1 and k == 0):
                continue
            supp18[letters[2 * k + column]] = {"points": np.c_[rng.uniform(-3, 0, 5), rng.uniform(0, 1, 5)],
                                               "spearman": rng.uniform(-1, 1)}
    packs["supp18"] = supp18
    packs["supp19"] = {"fractions": fractions, "a": rng.uniform(-1, 1, 11),
                       **{letters[k + 1]: {"x": np.linspace(0, 0.06, 100), "y": np.linspace(-0.004, 0.008, 100),
                                           "density": rng.uniform(0, 1, (100, 100)), "spearman": rng.uniform(-1, 1)}
                          for k in range(11)}}
    packs["supp20"] = {"fractions": fractions,
                       **{letters[2 * k + c]: {"curves": rng.uniform(0, 2.4, (3, 20)),
                                               "iterations": np.arange(1, 21) * 100.0}
                          for k in range(11) for c in range(2) if not (c == 0 and k == 10) and not (c == 1 and k == 0)}}
    grid = np.linspace(-1, 1, 100)
    packs["supp21"] = {"fractions": fractions,
                       **{letters[k]: {"x_coh": grid if k < 10 else np.empty(0),
                                       "y_coh": rng.uniform(0, 1, 100) if k < 10 else np.empty(0),
                                       "x_inc": grid if k > 0 else np.empty(0),
                                       "y_inc": rng.uniform(0, 1, 100) if k > 0 else np.empty(0)}
                          for k in range(11)}}
    packs["supp22"] = {"fractions": fractions, "x": np.linspace(-0.012, 0.002, 40), "y": np.linspace(-0.008, 0.006, 40),
                       **{letters[k]: {"density": rng.uniform(0, 1, (40, 40)), "spearman": rng.uniform(-1, 1)}
                          for k in range(11)}}
    packs["supp23"] = {"fractions": fractions, **{letters[k]: rng.integers(0, 50, (3, 3)).astype(float)
                                                  for k in range(11)}}
    packs["supp24"] = {"evaluation_noise": NOISE,
                       **{a: {"F1": rng.uniform(100, 200, (4, 5)), "F2": rng.uniform(100, 190, (2, 5)),
                              "F3": np.empty((0, 5))} for a in AGENTS}}
    packs["supp25"] = {"evaluation_noise": NOISE, **{k: rng.uniform(50, 200, (3, 5)) for k in "abc"}}
    domains = ("case study in biology", "case study in physics and chemistry", "case study in health and medicine")
    packs["supp26"] = {k: {"label": d, "classes": np.arange(3), "train": rng.integers(5, 60, 3).astype(float),
                           "test": rng.integers(5, 60, 3).astype(float)} for k, d in zip("abc", domains)}
    packs["supp27"] = {k: {"label": d, "train": rng.uniform(0, 1, (20, 5)), "test": rng.uniform(0, 1, (15, 5))}
                       for k, d in zip("abc", domains)}
    packs["supp28"] = {"agents": AGENTS, "training_noise": NOISE,
                       **{k: {"label": d, "values": rng.uniform(0, 1, (4, 5))} for k, d in zip("abc", domains)}}
    packs["supp29"] = {"agents": AGENTS, "training_noise": NOISE, "evaluation_noise": NOISE,
                       "domains": np.array(domains), **{letters[k]: rng.uniform(0, 1, (5, 5)) for k in range(12)}}
    packs["supp30"] = {"agents": AGENTS, "training_noise": NOISE, "repeats": 10,
                       **{k: {"label": d, "values": rng.integers(0, 11, (4, 5)).astype(float)}
                          for k, d in zip("abc", domains)}}
    return packs


def write_synthetic_packs(out_dir, seed: int = 0, names=None) -> list[str]:
    """Write synthetic packs to ``OUT/data``; returns the pack names written."""
    packs = synthetic_packs(seed)
    names = list(names or packs)
    for name in names:
        save_pack(Path(out_dir) / layout.DATA / layout.pack_file(name), packs[name])
    return names
