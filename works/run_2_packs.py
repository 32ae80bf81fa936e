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
from works.layout import LANDSCAPES as LANDSCAPE_NAMES
from works.layout import LETTERS, PASS_SCORE, SCALES
from works.packing import MissingRaw, Raw
from works.summaries import (curvature_batch, curvature_proportion, escape_extremes, gradient_norms, kde_curve,
                             kde_density_2d, nearest_bin_counts, row_spearman, spearman)
from works.tasks import escape_packs, motifs_packs

__all__ = ["PACKS", "SCALES", "pack_all", "pack_one", "kde_curve", "nearest_bin_counts", "curvature_batch",
           "curvature_proportion", "gradient_norms", "row_spearman", "escape_extremes", "spearman", "kde_density_2d",
           "classify_outcomes", "first_reach", "best_at_own_noise", "main"]


def pack_supp09(raw: Raw, scale: str) -> dict:
    """Fig. S9: the five target landscapes of ``effect.expression.get_landscape`` (41 grid), "b"…"f"."""
    from effect.expression import get_landscape

    return {letter: {"name": name, "landscape": np.asarray(get_landscape(name), dtype=np.float64)}
            for letter, name in zip("bcdef", LANDSCAPE_NAMES)}


# --------------------------------------------------------------------------------------------------- task 3–5 packs
#
# Raw formats: docs/raw-data.md. Agent letters b, i, c, a map to the panel letters c, d, e, f (Fig. 5/6) and
# to a, b, c, d (S25); the UCI domains biology, physics-chemistry, health-medicine to a, b, c (S26–S30).

AGENT_ORDER = ("b", "i", "c", "a")
AGENT_PANELS = dict(zip(AGENT_ORDER, "cdef"))
OUTCOMES = ("S", "F1", "F2", "F3")
DOMAINS = ("biology", "physics-chemistry", "health-medicine")
DOMAIN_LABELS = {"biology": "case study in biology", "physics-chemistry": "case study in physics and chemistry",
                 "health-medicine": "case study in health and medicine"}
MILESTONES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
FRACTIONS = np.arange(11) / 10.0
#: Columns of the (Σ, 4) per-group metric traces and of the (Σ, 3) Hessian trace (docs/raw-data.md, task 5).
GROUP_COLUMNS = {"coherent-loop": 1, "incoherent-loop": 2, "network": 3}
HESSIAN_MAX = 1
S19_RANGE = ((0.0, 0.06), (-0.004, 0.008))
S22_RANGE = ((-0.012, 0.002), (-0.008, 0.006))
#: Largest number of curves per S20 panel (evenly spaced over the runs) and points of its log-spaced step grid.
S20_CURVES, S20_POINTS = 200, 100


def classify_outcomes(scores, eval_noises, train_noise: float, pass_score: float = PASS_SCORE) -> np.ndarray:
    """Outcome type per agent (spec-works §4 main06): 0 = S, 1 = F1, 2 = F2, 3 = F3.

    ``scores`` is ``(R, K)`` over ``eval_noises`` (K,). S: ``score ≥ pass_score`` at every evaluation noise
    ``≤ train_noise`` (0.0–0.3 in the reference, trained at 0.3). Otherwise F2 when every score fails and
    ``score(0.0) > score(0.4)`` and ``score(0.0) > score(0.2)`` (comparisons with levels absent from
    ``eval_noises`` are dropped; the lowest level stands for 0.0), F3 when every score fails, else F1.

    Examples
    --------
    >>> classify_outcomes([[200, 199, 198, 196, 100], [190, 180, 185, 170, 160], [160, 175, 185, 190, 170],
    ...                    [200, 100, 100, 100, 100]], [0, 0.1, 0.2, 0.3, 0.4], 0.3).tolist()
    [0, 2, 3, 1]
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    eval_noises = np.asarray(eval_noises, dtype=np.float64)
    if scores.shape[-1] != eval_noises.size:
        raise ValueError(f"scores must have shape (R, {eval_noises.size}) to match eval_noises, got {scores.shape}.")
    passed = scores >= pass_score
    guarded = eval_noises <= train_noise + 1e-9
    success = passed[:, guarded].all(axis=1)
    failed = ~passed.any(axis=1)
    first = scores[:, int(np.argmin(eval_noises))]
    decline = np.ones(len(scores), dtype=bool)
    for level in (0.4, 0.2):
        match = np.flatnonzero(np.isclose(eval_noises, level))
        if match.size and not np.isclose(level, eval_noises.min()):
            decline &= first > scores[:, match[0]]
    out = np.full(len(scores), 1, dtype=np.int64)
    out[failed] = 3
    out[failed & decline] = 2
    out[success] = 0
    return out


def first_reach(values, offsets, milestones=MILESTONES, steps=None) -> np.ndarray:
    """First iteration (1-based) at which each run's loss is ≤ each milestone; 0 if never. ``(M, S)`` int.

    ``values``/``offsets`` are concatenated traces (run j = ``values[offsets[j]:offsets[j + 1]]``); ``steps``
    (same length as ``values``) gives the iteration of each entry when the traces are subsampled
    (default: consecutive iterations 1, 2, …).
    """
    values, offsets = np.asarray(values, float), np.asarray(offsets, np.int64)
    out = np.zeros((len(milestones), len(offsets) - 1), dtype=np.int64)
    for j in range(len(offsets) - 1):
        trace = values[offsets[j]:offsets[j + 1]]
        iteration = (np.arange(1, trace.size + 1) if steps is None
                     else np.asarray(steps, np.int64)[offsets[j]:offsets[j + 1]])
        for m, milestone in enumerate(milestones):
            hits = np.flatnonzero(trace <= milestone)
            out[m, j] = iteration[hits[0]] if hits.size else 0
    return out


def best_at_own_noise(test, train_noises, eval_noises) -> np.ndarray:
    """``(A, T)`` number of repeats whose best evaluation score (first maximum) is at their training noise.

    ``test`` is ``(A, T, R, K)``; a training noise that is not an evaluation noise gives NaN.
    """
    test = np.asarray(test, dtype=np.float64)
    eval_noises = np.asarray(eval_noises, dtype=np.float64)
    best = np.argmax(test, axis=-1)
    out = np.full(test.shape[:2], np.nan)
    for t, level in enumerate(np.asarray(train_noises, dtype=np.float64)):
        match = np.flatnonzero(np.isclose(eval_noises, level))
        if match.size:
            out[:, t] = (best[:, t] == match[0]).sum(axis=-1)
    return out


def _real_world(raw: Raw, name: str, keys) -> dict:
    data = raw.npz(f"real-world/{name}.npz")
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"raw/real-world/{name}.npz lacks {missing}.")
    data["agents"] = np.asarray([str(a) for a in data["agents"]])
    return data


def pack_main05(raw: Raw, scale: str) -> dict:
    """Fig. 5 from ``real-world/adjustments.1.npz``: "b" (A, T) mean training fitness of the best agents over the
    repeats; "c"–"f" (agents b, i, c, a; absent agents omitted) (T, K) mean evaluation score [training noise ×
    evaluation noise]; "agents", "training_noise", "evaluation_noise" = the axes."""
    data = _real_world(raw, "adjustments.1", ("agents", "train_noises", "eval_noises", "train_fitness", "test"))
    pack = {"agents": data["agents"], "training_noise": data["train_noises"].astype(float),
            "evaluation_noise": data["eval_noises"].astype(float), "b": data["train_fitness"].mean(axis=-1)}
    for a, agent in enumerate(data["agents"]):
        if agent in AGENT_PANELS:
            pack[AGENT_PANELS[agent]] = data["test"][a].mean(axis=1)
    return pack


def pack_main06(raw: Raw, scale: str) -> dict:
    """Fig. 6: "a" from ``real-world/iterations.npz`` = {"caps", "repeats", agent: qualified counts (C,)}
    (recounted from ``test`` when ``qualified`` is absent); "c"–"f" (agents b, i, c, a) from
    ``real-world/adjustments.2.npz`` = counts (4,) of the outcome types [S, F1, F2, F3]
    (:func:`classify_outcomes`); "outcomes" = the type names, "train_noise" = the long runs' training noise."""
    caps = _real_world(raw, "iterations", ("agents", "caps", "test", "eval_noises"))
    if "qualified" in caps:
        qualified = caps["qualified"]
    else:
        min_passes = max(1, caps["eval_noises"].size - 1)
        qualified = ((caps["test"] >= PASS_SCORE).sum(axis=-1) >= min_passes).sum(axis=-1)
    pack = {"a": {"caps": caps["caps"].astype(np.int64), "repeats": np.int64(caps["test"].shape[2]),
                  **{agent: qualified[a].astype(float) for a, agent in enumerate(caps["agents"])}},
            "outcomes": np.array(OUTCOMES)}
    runs = _real_world(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    pack["train_noise"] = np.float64(runs["train_noise"])
    for a, agent in enumerate(runs["agents"]):
        if agent in AGENT_PANELS:
            kinds = classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
            pack[AGENT_PANELS[agent]] = np.bincount(kinds, minlength=4).astype(float)
    return pack


def pack_supp24(raw: Raw, scale: str) -> dict:
    """Fig. S24 from ``real-world/adjustments.2.npz``: per agent {"F1", "F2", "F3"} evaluation-score rows
    (n, K) of the agents of that outcome type (possibly (0, K)); "evaluation_noise" (K,)."""
    runs = _real_world(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    pack = {"evaluation_noise": runs["eval_noises"].astype(float)}
    for a, agent in enumerate(runs["agents"]):
        kinds = classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
        pack[agent] = {name: runs["test"][a][kinds == k] for k, name in enumerate(OUTCOMES) if k > 0}
    return pack


def pack_supp25(raw: Raw, scale: str) -> dict:
    """Fig. S25: F3 evaluation-score rows (n, K) per agent, "a"…"d" = agents b, i, c, a (absent agents omitted)."""
    runs = _real_world(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    pack = {"evaluation_noise": runs["eval_noises"].astype(float)}
    for a, agent in enumerate(runs["agents"]):
        if agent in AGENT_ORDER:
            kinds = classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
            pack["abcd"[AGENT_ORDER.index(agent)]] = runs["test"][a][kinds == 3]
    return pack


def _uci_domains(raw: Raw) -> dict:
    tree = raw.pack("real-world/uci.datasets.npz")
    domains = {d: tree[d] for d in DOMAINS if d in tree}
    if not domains:
        raise MissingRaw(f"raw/real-world/uci.datasets.npz holds none of the domains {DOMAINS}")
    return domains


def pack_supp26(raw: Raw, scale: str) -> dict:
    """Fig. S26: per domain ("a"/"b"/"c" = biology, physics-chemistry, health-medicine) the class counts of the
    training and test splits: {"label", "classes" (L,), "train" (L,), "test" (L,)}, L = ``label_number``."""
    pack = {}
    for domain, data in _uci_domains(raw).items():
        labels = int(data["label_number"])
        pack["abc"[DOMAINS.index(domain)]] = {
            "label": DOMAIN_LABELS[domain], "classes": np.arange(labels),
            "train": np.bincount(data["train_y"].astype(np.int64), minlength=labels).astype(float),
            "test": np.bincount(data["test_y"].astype(np.int64), minlength=labels).astype(float)}
    return pack


def pack_supp27(raw: Raw, scale: str) -> dict:
    """Fig. S27: per domain {"label", "train" (n_train, d), "test" (n_test, d)} raw feature matrices."""
    return {"abc"[DOMAINS.index(domain)]: {"label": DOMAIN_LABELS[domain], "train": data["train_x"].astype(float),
                                           "test": data["test_x"].astype(float)}
            for domain, data in _uci_domains(raw).items()}


def _uci_runs(raw: Raw) -> dict:
    runs = {d: _real_world(raw, d, ("agents", "train_noises", "eval_noises", "train_fitness", "test"))
            for d in DOMAINS if raw.exists(f"real-world/{d}.npz")}
    if not runs:
        raise MissingRaw(f"no raw real-world/<domain>.npz for any domain of {DOMAINS}")
    first = next(iter(runs.values()))
    for domain, data in runs.items():
        for key in ("agents", "train_noises", "eval_noises"):
            if data[key].shape != first[key].shape or np.any(data[key] != first[key]):
                raise ValueError(f"raw/real-world/{domain}.npz has other {key!r} than the first domain.")
    return runs


def pack_supp28(raw: Raw, scale: str) -> dict:
    """Fig. S28: per domain {"label", "values" (A, T)} mean training F1 of the best agents; "agents",
    "training_noise" = the axes (shared by the domains)."""
    runs = _uci_runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float)}
    for domain, data in runs.items():
        pack["abc"[DOMAINS.index(domain)]] = {"label": DOMAIN_LABELS[domain],
                                              "values": data["train_fitness"].mean(axis=-1)}
    return pack


def pack_supp29(raw: Raw, scale: str) -> dict:
    """Fig. S29: mean test F1 (T, K) [training × evaluation noise]; key ``"abcdefghijkl"[4 d + j]`` for domain d
    (biology, physics-chemistry, health-medicine) and agent j (b, i, c, a); absent ones omitted. "domains" =
    the three domain labels; "agents", "training_noise", "evaluation_noise" = the axes."""
    runs = _uci_runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float),
            "evaluation_noise": first["eval_noises"].astype(float),
            "domains": np.array([DOMAIN_LABELS[d] for d in DOMAINS])}
    for domain, data in runs.items():
        for a, agent in enumerate(data["agents"]):
            if agent in AGENT_ORDER:
                pack[LETTERS[4 * DOMAINS.index(domain) + AGENT_ORDER.index(agent)]] = data["test"][a].mean(axis=1)
    return pack


def pack_supp30(raw: Raw, scale: str) -> dict:
    """Fig. S30: per domain {"label", "values" (A, T)} = number of repeats whose best test score is at the
    evaluation noise equal to their training noise (:func:`best_at_own_noise`); "repeats" = R."""
    runs = _uci_runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float),
            "repeats": np.int64(first["test"].shape[2])}
    for domain, data in runs.items():
        pack["abc"[DOMAINS.index(domain)]] = {
            "label": DOMAIN_LABELS[domain],
            "values": best_at_own_noise(data["test"], data["train_noises"], data["eval_noises"])}
    return pack


# task 5 ----------------------------------------------------------------------------------------------------


def _landscape_file(name: str, prefix: str) -> str:
    return f"network-scale/{prefix}.{name}.npz"


def _pack_network(raw: Raw, name: str) -> dict:
    """S10–S14 for one landscape: "a"/"b" (Nn, 2) [mean final loss, mean iterations] of the collider-only /
    loop-only networks per motif number, "c" (Nn, 4) "%.2E" strings [C loss, C iterations, L loss,
    L iterations], "motifs" (Nn,), "name"."""
    tree = raw.pack(_landscape_file(name, "loop.vs.collider"))
    motifs = np.asarray(tree["motif_numbers"], dtype=np.int64)
    pack = {"name": name, "motifs": motifs}
    for letter, kind in (("a", "collider"), ("b", "loop")):
        pack[letter] = np.array([[np.mean(tree[kind][f"n{n}"]["final_loss"]),
                                  np.mean(tree[kind][f"n{n}"]["iterations"])] for n in motifs], dtype=float)
    pack["c"] = np.array([[f"{v:.2E}" for v in (*c, *l)] for c, l in zip(pack["a"], pack["b"])])
    return pack


def pack_supp10(raw: Raw, scale: str) -> dict:
    """Fig. S10: Quadratic Saddle collider-only vs loop-only networks (layout: :func:`_pack_network`)."""
    return _pack_network(raw, "Quadratic Saddle")


def pack_supp11(raw: Raw, scale: str) -> dict:
    """Fig. S11: Monkey Saddle (as S10)."""
    return _pack_network(raw, "Monkey Saddle")


def pack_supp12(raw: Raw, scale: str) -> dict:
    """Fig. S12: Branin (as S10)."""
    return _pack_network(raw, "Branin")


def pack_supp13(raw: Raw, scale: str) -> dict:
    """Fig. S13: three-hump Camel (as S10)."""
    return _pack_network(raw, "three-hump Camel")


def pack_supp14(raw: Raw, scale: str) -> dict:
    """Fig. S14: six-hump Camel (as S10)."""
    return _pack_network(raw, "six-hump Camel")


class Restricted:
    """One ``incoherent.vs.coherent.<name>.npz`` with per-run access to its subsampled traces."""

    def __init__(self, tree: dict, name: str):
        self.name = name
        self.tree = tree
        trace = tree.get("trace", {})
        needed = ("offsets", "step", "training_loss", "lipschitz", "sparsity", "spectral_norm",
                  "gradient_variance", "hessian")
        missing = [f"trace/{k}" for k in needed if k not in trace]
        missing += [k for k in ("incoherent", "initial_loss", "final_loss", "iterations") if k not in tree]
        if missing:
            raise ValueError(f"raw incoherent.vs.coherent.{name}.npz lacks {missing}.")
        self.trace = trace
        self.offsets = np.asarray(trace["offsets"], dtype=np.int64)
        self.k = np.asarray(tree["incoherent"], dtype=np.int64)

    def runs(self, k: int) -> np.ndarray:
        return np.flatnonzero(self.k == k)

    def run(self, j: int) -> dict:
        """Trace samples of run ``j``: step, training_loss, lipschitz, sparsity, spectral_norm, … arrays."""
        start, stop = self.offsets[j], self.offsets[j + 1]
        return {key: np.asarray(value)[start:stop] for key, value in self.trace.items() if key != "offsets"}

    @staticmethod
    def intact(run: dict) -> int:
        """Number of leading samples before the first weight collapse (whole-network utilisation < 1)."""
        collapsed = np.flatnonzero(run["sparsity"][:, GROUP_COLUMNS["network"]] < 1)
        return int(collapsed[0]) if collapsed.size else len(run["step"])


def _restricted(raw: Raw, name: str | None = None) -> Restricted:
    """The restricted-network file of ``name`` (default: Quadratic Saddle, else the first landscape present)."""
    names = [name] if name else [n for n in LANDSCAPE_NAMES
                                 if raw.exists(_landscape_file(n, "incoherent.vs.coherent"))]
    if not names or not raw.exists(_landscape_file(names[0], "incoherent.vs.coherent")):
        raise MissingRaw("no raw network-scale/incoherent.vs.coherent.<landscape>.npz")
    return Restricted(raw.pack(_landscape_file(names[0], "incoherent.vs.coherent")), names[0])


def pack_supp15(raw: Raw, scale: str) -> dict:
    """Fig. S15: per landscape ("a"…"e" in :data:`LANDSCAPE_NAMES` order; absent ones omitted) {"name",
    "successes" (11,), "totals" (11,)} = runs with final loss ≤ threshold and all runs, per number k of
    incoherent loops (one run per configuration in the paper; configuration × seed otherwise)."""
    pack = {"fractions": FRACTIONS}
    for letter, name in zip("abcde", LANDSCAPE_NAMES):
        if raw.exists(_landscape_file(name, "incoherent.vs.coherent")):
            data = _restricted(raw, name)
            threshold = float(data.tree.get("threshold", 1e-3))
            success = np.asarray(data.tree["final_loss"], float) <= threshold
            pack[letter] = {"name": name, "totals": np.bincount(data.k, minlength=11)[:11].astype(float),
                            "successes": np.bincount(data.k[success], minlength=11)[:11].astype(float)}
    if len(pack) == 1:
        raise MissingRaw("no raw network-scale/incoherent.vs.coherent.<landscape>.npz")
    return pack


def pack_supp16(raw: Raw, scale: str) -> dict:
    """Fig. S16 (Quadratic Saddle). "a": {"milestones" (10,), "iterations" (10, S) first 1-based iteration at
    which each unrestricted loop-only run (n = 10, else the largest n run) reaches the milestone, 0 = never,
    "motif_number"}; "b" (11, 10): per k and milestone, among restricted runs whose initial loss is above the
    milestone, the share that never reach it or reach it later than the slowest unrestricted run (NaN when
    no run qualifies or no unrestricted run reached it). Restricted timings use the full loss traces
    (``loss/values``) when stored, else the subsampled ``trace/training_loss`` (``"b_source"`` says which)."""
    restricted = _restricted(raw)
    name = restricted.name
    tree = raw.pack(_landscape_file(name, "loop.vs.collider"))
    motifs = [int(n) for n in tree["motif_numbers"]]
    n = 10 if 10 in motifs else max(motifs)
    loop = tree["loop"][f"n{n}"]
    unrestricted = first_reach(loop["values"], loop["offsets"])
    slowest = np.array([row[row > 0].max() if np.any(row > 0) else np.nan for row in unrestricted])
    losses = restricted.tree.get("loss", {})
    if "values" in losses and "offsets" in losses:
        reach, source = first_reach(losses["values"], losses["offsets"]), "loss/values"
    else:
        reach = first_reach(restricted.trace["training_loss"], restricted.offsets, steps=restricted.trace["step"])
        source = "trace/training_loss"
    initial = np.asarray(restricted.tree["initial_loss"], float)
    share = np.full((11, len(MILESTONES)), np.nan)
    for k in range(11):
        runs = restricted.runs(k)
        for m, milestone in enumerate(MILESTONES):
            chosen = runs[initial[runs] > milestone]
            if chosen.size and np.isfinite(slowest[m]):
                late = (reach[m, chosen] == 0) | (reach[m, chosen] > slowest[m])
                share[k, m] = late.mean()
    return {"fractions": FRACTIONS, "name": name, "b": share, "b_source": source,
            "a": {"milestones": np.array(MILESTONES), "iterations": unrestricted.astype(float),
                  "motif_number": np.int64(n)}}


def pack_supp17(raw: Raw, scale: str) -> dict:
    """Fig. S17: "a" (11,) failure rate (final loss > threshold) per k (NaN where no run); "b" = {"0"…"10":
    sorted final losses of the failing runs}."""
    data = _restricted(raw)
    final = np.asarray(data.tree["final_loss"], float)
    threshold = float(data.tree.get("threshold", 1e-3))
    rates = np.full(11, np.nan)
    failures = {}
    for k in range(11):
        runs = data.runs(k)
        failed = final[runs][final[runs] > threshold]
        if runs.size:
            rates[k] = failed.size / runs.size
        failures[str(k)] = np.sort(failed)
    return {"fractions": FRACTIONS, "name": data.name, "a": rates, "b": failures}


def pack_supp18(raw: Raw, scale: str) -> dict:
    """Fig. S18: key ``LETTERS[2 k + c]`` for k incoherent loops and group c (0 = coherent loops, 1 = incoherent
    loops): {"points" (n, 2) [log10 final loss, final utilisation of the group] of the failing runs,
    "spearman" between final loss and final utilisation over all runs of k}; omitted when the group is empty."""
    data = _restricted(raw)
    final = np.asarray(data.tree["final_loss"], float)
    threshold = float(data.tree.get("threshold", 1e-3))
    last = data.offsets[1:] - 1
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        for c, group in enumerate(("coherent-loop", "incoherent-loop")):
            if not runs.size or (group == "coherent-loop" and k == 10) or (group == "incoherent-loop" and k == 0):
                continue
            utilisation = np.asarray(data.trace["sparsity"])[last[runs], GROUP_COLUMNS[group]]
            failing = final[runs] > threshold
            pack[LETTERS[2 * k + c]] = {
                "points": np.c_[np.log10(final[runs][failing]), utilisation[failing]].reshape(-1, 2),
                "spearman": spearman(final[runs], utilisation)}
    return pack


def _deltas(data: Restricted, k: int):
    """Per k, pooled over runs truncated before the first collapse: (t, Δloss, ΔLip, Δgradient variance)
    with Δloss/ΔLip = value(t) − value(t + 1) and Δgradient variance = value(t + 1) − value(t)."""
    parts = []
    for j in data.runs(k):
        run = data.run(j)
        end = data.intact(run)
        if end < 2:
            continue
        loss, lip = run["training_loss"][:end], run["lipschitz"][:end]
        variance = run["gradient_variance"][:end, GROUP_COLUMNS["network"]]
        parts.append(np.c_[run["step"][:end - 1], loss[:-1] - loss[1:], lip[:-1] - lip[1:],
                           variance[1:] - variance[:-1]])
    return np.concatenate(parts) if parts else np.empty((0, 4))


def pack_supp19(raw: Raw, scale: str) -> dict:
    """Fig. S19: "a" (11,) per-k Spearman(Δloss, t); "b"…"l" (k = 0…10; omitted without runs): {"x" (100,),
    "y" (100,), "density" (100, 100) 2-D KDE of (Δloss, ΔLipschitz) normalised to max 1 (rows = y),
    "spearman"(Δloss, ΔLipschitz)}. Deltas between consecutive trace samples (every ``metric_every``
    iterations), each run truncated before its first weight collapse."""
    data = _restricted(raw)
    x, y = np.linspace(*S19_RANGE[0], 100), np.linspace(*S19_RANGE[1], 100)
    pack = {"fractions": FRACTIONS, "name": data.name, "a": np.full(11, np.nan)}
    for k in range(11):
        if not data.runs(k).size:
            continue
        deltas = _deltas(data, k)
        pack["a"][k] = spearman(deltas[:, 1], deltas[:, 0])
        pack[LETTERS[k + 1]] = {"x": x, "y": y, "density": kde_density_2d(deltas[:, 1], deltas[:, 2], x, y),
                                "spearman": spearman(deltas[:, 1], deltas[:, 2])}
    return pack


def pack_supp20(raw: Raw, scale: str) -> dict:
    """Fig. S20: key ``LETTERS[2 k + c]`` (c = 0 coherent, 1 incoherent loops): {"curves" (n, P) spectral norm of
    the group, each run truncated before its first collapse and linearly interpolated onto "iterations" (P,)
    log-spaced steps (NaN outside the run's range)}; at most :data:`S20_CURVES` runs (evenly spaced)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        if runs.size > S20_CURVES:
            runs = runs[np.unique(np.linspace(0, runs.size - 1, S20_CURVES).round().astype(int))]
        traces = [data.run(j) for j in runs]
        traces = [(r["step"][:data.intact(r)], r["spectral_norm"][:data.intact(r)]) for r in traces]
        traces = [t for t in traces if t[0].size]
        if not traces:
            continue
        top = max(int(steps[-1]) for steps, _ in traces)
        grid = np.unique(np.round(np.logspace(0, np.log10(max(top, 1)), S20_POINTS)))
        for c, group in enumerate(("coherent-loop", "incoherent-loop")):
            column = GROUP_COLUMNS[group]
            curves = [np.interp(grid, steps, norm[:, column], left=np.nan, right=np.nan) for steps, norm in traces
                      if np.isfinite(norm[:, column]).any()]
            if curves:
                pack[LETTERS[2 * k + c]] = {"curves": np.array(curves), "iterations": grid}
    return pack


def pack_supp21(raw: Raw, scale: str) -> dict:
    """Fig. S21: per k ("a"…"k"; omitted without runs) {"x_coh", "y_coh", "x_inc", "y_inc"}: KDE (100 points on
    [−1, 1], normalised to sum 1; empty arrays when no correlation exists) of the per-run Spearman correlations
    between the group's spectral norm and utilisation over the samples right after a utilisation drop > 1e-4
    (runs with fewer than two such samples or a constant series contribute nothing)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        if not runs.size:
            continue
        entry = {}
        for group, short in (("coherent-loop", "coh"), ("incoherent-loop", "inc")):
            column, values = GROUP_COLUMNS[group], []
            for j in runs:
                run = data.run(j)
                utilisation, norm = run["sparsity"][:, column], run["spectral_norm"][:, column]
                drops = np.flatnonzero(utilisation[:-1] - utilisation[1:] > 1e-4) + 1
                if drops.size >= 2:
                    values.append(spearman(norm[drops], utilisation[drops]))
            values = np.array([v for v in values if np.isfinite(v)])
            if values.size:
                x, y = kde_curve(values, -1.0, 1.0)
                entry[f"x_{short}"], entry[f"y_{short}"] = x, y / y.sum() if y.sum() > 0 else y
            else:
                entry[f"x_{short}"], entry[f"y_{short}"] = np.empty(0), np.empty(0)
        pack[LETTERS[k]] = entry
    return pack


def pack_supp22(raw: Raw, scale: str) -> dict:
    """Fig. S22: "x" (40,), "y" (40,) grids; per k ("a"…"k"; omitted without runs) {"density" (40, 40) 2-D KDE of
    (Δ whole-network gradient variance, ΔLipschitz) increments (t + 1 minus t, truncated as S19) normalised to
    max 1 (rows = y), "spearman"}."""
    data = _restricted(raw)
    x, y = np.linspace(*S22_RANGE[0], 40), np.linspace(*S22_RANGE[1], 40)
    pack = {"fractions": FRACTIONS, "name": data.name, "x": x, "y": y}
    for k in range(11):
        if not data.runs(k).size:
            continue
        deltas = _deltas(data, k)
        variance, lipschitz = deltas[:, 3], -deltas[:, 2]
        pack[LETTERS[k]] = {"density": kde_density_2d(variance, lipschitz, x, y),
                            "spearman": spearman(variance, lipschitz)}
    return pack


def pack_supp23(raw: Raw, scale: str) -> dict:
    """Fig. S23: per k ("a"…"k"; omitted without runs) (3, 3) counts of [sign Δ largest Hessian eigenvalue (rows:
    −, 0, +)] × [sign ΔLipschitz (columns)], Δ = later minus earlier of consecutive samples where the Hessian
    was computed (finite), over every step of every run (not truncated)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        if not runs.size:
            continue
        counts = np.zeros((3, 3))
        for j in runs:
            run = data.run(j)
            hessian, lipschitz = run["hessian"][:, HESSIAN_MAX], run["lipschitz"]
            kept = np.flatnonzero(np.isfinite(hessian) & np.isfinite(lipschitz))
            rows = np.sign(np.diff(hessian[kept])).astype(int) + 1
            cols = np.sign(np.diff(lipschitz[kept])).astype(int) + 1
            np.add.at(counts, (rows, cols), 1.0)
        pack[LETTERS[k]] = counts
    return pack


# --------------------------------------------------------------------------------------------------- driver

PACKS = dict(sorted({**motifs_packs.PACKS, **escape_packs.PACKS, "main05": pack_main05, "main06": pack_main06,
                     "supp09": pack_supp09, **{f"supp{n}": globals()[f"pack_supp{n}"] for n in range(10, 31)}}.items()))


def pack_one(out_dir, name: str, scale: str = "quick") -> tuple[dict, dict]:
    """Build one pack in memory; returns ``(tree, {relative raw path: sha256})`` (see :func:`works.packing.pack_one`)."""
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
    args = parser.parse_args(argv)
    status = pack_all(args.out, args.scale, force=args.force)
    for name, state in status.items():
        print(f"{name}: {state}")
    return status


if __name__ == "__main__":
    main()
