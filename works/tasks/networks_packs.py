"""Packers of task 5 (fixed motif networks): Figs. S10-S23 from the gathered fits.

S10-S14 summarise the unrestricted collider-only and loop-only networks of one landscape each; S15-S23 the
restricted 10-loop networks (S15 every landscape, S16-S23 Quadratic Saddle, else the first landscape run),
grouped by the number k of incoherent loops. Columns of the per-group metric traces (utilisation =
"sparsity", spectral norm, gradient variance) and of the Hessian trace are given by :data:`GROUP_COLUMNS`
and :data:`HESSIAN_MAX`; raw formats in ``docs/raw-data.md``.

Examples
--------
>>> first_reach([1.0, 0.4, 0.01, 0.9, 0.8], [0, 3, 5], milestones=(0.5, 0.01)).tolist()
[[2, 0], [3, 0]]
"""

from __future__ import annotations

import numpy as np

from works import layout
from works.layout import INCOHERENT_VS_COHERENT, LANDSCAPES, LETTERS, LOOP_VS_COLLIDER
from works.packing import MissingRaw, Raw
from works.summaries import kde_curve, kde_density_2d, spearman

__all__ = ["FRACTIONS", "GROUP_COLUMNS", "HESSIAN_MAX", "MILESTONES", "PACKS", "Restricted", "curve_runs",
           "first_reach", "run_curve", "run_differences", "run_drop_spearman", "run_sign_counts"] + [
    f"pack_supp{n}" for n in range(15, 24)]

#: Loss milestones of Fig. S16.
MILESTONES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
#: Incoherent fractions k / 10 of the restricted networks.
FRACTIONS = np.arange(11) / 10.0
#: Columns of the (Σ, 4) per-group metric traces and of the (Σ, 3) Hessian trace (docs/raw-data.md, task 5).
GROUP_COLUMNS = {"coherent-loop": 1, "incoherent-loop": 2, "network": 3}
HESSIAN_MAX = 1
#: Windows (x range, y range) and points per axis of the S19 and S22 densities.
S19_RANGE, S19_POINTS = ((0.0, 0.06), (-0.004, 0.008)), 100
S22_RANGE, S22_POINTS = ((-0.012, 0.002), (-0.008, 0.006)), 40
#: Largest number of curves per S20 panel (evenly spaced over the runs) and points of its log-spaced step grid.
S20_CURVES, S20_POINTS = 200, 100


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


def _pack_network(raw: Raw, name: str) -> dict:
    """S10–S14 for one landscape: "a"/"b" (Nn, 2) [mean final loss, mean iterations] of the collider-only /
    loop-only networks per motif number, "c" (Nn, 4) "%.2E" strings [C loss, C iterations, L loss,
    L iterations], "motifs" (Nn,), "name"."""
    tree = raw.pack(layout.network_file(LOOP_VS_COLLIDER, name))
    motifs = np.asarray(tree["motif_numbers"], dtype=np.int64)
    pack = {"name": name, "motifs": motifs}
    for letter, kind in (("a", "collider"), ("b", "loop")):
        pack[letter] = np.array([[np.mean(tree[kind][f"n{n}"]["final_loss"]),
                                  np.mean(tree[kind][f"n{n}"]["iterations"])] for n in motifs], dtype=float)
    pack["c"] = np.array([[f"{v:.2E}" for v in (*loss, *iters)] for loss, iters in zip(pack["a"], pack["b"])])
    return pack


def _network_packer(name: str):
    """The packer of one landscape's S10-S14 figure (layout: :func:`_pack_network`)."""
    def packer(raw: Raw, scale: str) -> dict:
        return _pack_network(raw, name)

    packer.__doc__ = f"Fig. S{10 + LANDSCAPES.index(name)}: {name}, collider-only vs loop-only networks."
    return packer


class Restricted:
    """One ``incoherent.vs.coherent.<name>.npz`` with per-run access to its subsampled traces or statistics.

    Three layouts (``docs/raw-data.md``): the per-fit summaries with a list of per-chunk trace files
    (``trace_files``; written by the pipeline, :mod:`works.tasks.networks_traces`) — traces are then read from
    ``raw`` one chunk file at a time, the last one kept —, the summaries with per-chunk statistics files
    (``statistics_files``, the paper preset, :mod:`works.tasks.networks_statistics`; no trace: :meth:`run`
    is unavailable, :meth:`curve`, :meth:`drop_spearman` and :meth:`sign_counts` read the statistics), or every
    trace inside the file (``trace/…``, the earlier layout).
    """

    _TRACES = ("step", "training_loss", "lipschitz", "sparsity", "spectral_norm", "gradient_variance", "hessian")

    def __init__(self, tree: dict, name: str, raw: Raw | None = None):
        self.name = name
        self.tree = tree
        self.raw = raw
        missing = [k for k in ("incoherent", "initial_loss", "final_loss", "iterations") if k not in tree]
        self.storage = "statistics" if "statistics_files" in tree else "traces"
        if "trace_files" in tree or "statistics_files" in tree:
            prefix = "statistics" if self.storage == "statistics" else "trace"
            missing += [k for k in (f"{prefix}_rows", "reach", "final_sparsity") if k not in tree]
            self.trace, self.offsets = None, None
            self.files = [str(f) for f in np.atleast_1d(tree[f"{prefix}_files"])]
            self.rows = np.asarray(tree.get(f"{prefix}_rows", []), dtype=np.int64)
            self._loaded = (None, None)
        else:
            trace = tree.get("trace", {})
            missing += [f"trace/{k}" for k in ("offsets",) + self._TRACES if k not in trace]
            self.trace = trace
            self.offsets = np.asarray(trace["offsets"], dtype=np.int64) if "offsets" in trace else None
        if missing:
            raise ValueError(f"raw incoherent.vs.coherent.{name}.npz lacks {missing}.")
        self.k = np.asarray(tree["incoherent"], dtype=np.int64)

    def runs(self, k: int) -> np.ndarray:
        return np.flatnonzero(self.k == k)

    def chunk(self, c: int) -> dict:
        """The arrays of chunk file ``c`` (traces without the full loss traces, or statistics); the last kept."""
        if self._loaded[0] != c:
            from works.tasks.networks_statistics import load_statistics
            from works.tasks.networks_traces import load_traces

            self._loaded = (None, None)  # free the previous chunk first
            path = self.raw.path(self.files[c])
            self._loaded = (c, load_statistics(path) if self.storage == "statistics" else load_traces(path, "trace/"))
        return self._loaded[1]

    def _locate(self, j: int) -> tuple:
        """``(chunk, row within it)`` of run ``j``."""
        c = int(np.searchsorted(self.rows, j, side="right")) - 1
        return self.chunk(c), j - int(self.rows[c])

    def run(self, j: int) -> dict:
        """Trace samples of run ``j``: step, training_loss, lipschitz, sparsity, spectral_norm, … arrays."""
        if self.storage == "statistics":
            raise ValueError(f"raw incoherent.vs.coherent.{self.name}.npz stores statistics, not traces.")
        if self.trace is None:
            chunk, local = self._locate(j)
            start, stop = chunk["trace/offsets"][local], chunk["trace/offsets"][local + 1]
            return {key: chunk[f"trace/{key}"][start:stop] for key in self._TRACES}
        start, stop = self.offsets[j], self.offsets[j + 1]
        return {key: np.asarray(value)[start:stop] for key, value in self.trace.items() if key != "offsets"}

    def curve(self, j: int) -> tuple:
        """Run ``j``'s S20 curve: (steps, spectral norm (n, 4)) before its first collapse (:func:`run_curve`)."""
        if self.storage == "statistics":
            from works.tasks.networks_statistics import chunk_curve

            return chunk_curve(*self._locate(j))
        return run_curve(self.run(j))

    def drop_spearman(self, j: int, column: int) -> float:
        """Run ``j``'s S21 correlation for the group ``column`` (:func:`run_drop_spearman`)."""
        if self.storage == "statistics":
            from works.tasks.networks_statistics import chunk_drop_spearman

            return chunk_drop_spearman(*self._locate(j), column)
        return run_drop_spearman(self.run(j), column)

    def sign_counts(self, j: int) -> np.ndarray:
        """Run ``j``'s (3, 3) S23 counts (:func:`run_sign_counts`)."""
        if self.storage == "statistics":
            chunk, local = self._locate(j)
            return chunk["s23"][local].astype(np.float64)
        return run_sign_counts(self.run(j))

    def final_sparsity(self) -> np.ndarray:
        """(S, 4) the last traced utilisation of every run."""
        if self.trace is None:
            return np.asarray(self.tree["final_sparsity"], dtype=np.float64).reshape(-1, 4)
        return np.asarray(self.trace["sparsity"])[self.offsets[1:] - 1]

    @staticmethod
    def intact(run: dict) -> int:
        """Number of leading samples before the first weight collapse (whole-network utilisation < 1)."""
        collapsed = np.flatnonzero(run["sparsity"][:, GROUP_COLUMNS["network"]] < 1)
        return int(collapsed[0]) if collapsed.size else len(run["step"])


def _restricted(raw: Raw, name: str | None = None) -> Restricted:
    """The restricted-network file of ``name`` (default: Quadratic Saddle, else the first landscape present)."""
    names = [name] if name else [n for n in LANDSCAPES
                                 if raw.exists(layout.network_file(INCOHERENT_VS_COHERENT, n))]
    if not names or not raw.exists(layout.network_file(INCOHERENT_VS_COHERENT, names[0])):
        raise MissingRaw(f"no raw {layout.network_file(INCOHERENT_VS_COHERENT, '<landscape>')}")
    return Restricted(raw.pack(layout.network_file(INCOHERENT_VS_COHERENT, names[0])), names[0], raw)


def _per_k(data: Restricted, pack: dict, entry) -> dict:
    """``pack`` with ``pack[LETTERS[k]] = entry(k, runs)`` added for every k = 0…10 that has runs."""
    for k in range(11):
        runs = data.runs(k)
        if runs.size:
            pack[LETTERS[k]] = entry(k, runs)
    return pack


def pack_supp15(raw: Raw, scale: str) -> dict:
    """Fig. S15: per landscape ("a"…"e" in :data:`LANDSCAPES` order; absent ones omitted) {"name",
    "successes" (11,), "totals" (11,)} = runs with final loss ≤ threshold and all runs, per number k of
    incoherent loops (one run per configuration in the paper; configuration × seed otherwise)."""
    pack = {"fractions": FRACTIONS}
    for letter, name in zip("abcde", LANDSCAPES):
        if raw.exists(layout.network_file(INCOHERENT_VS_COHERENT, name)):
            data = _restricted(raw, name)
            threshold = float(data.tree.get("threshold", 1e-3))
            success = np.asarray(data.tree["final_loss"], float) <= threshold
            pack[letter] = {"name": name, "totals": np.bincount(data.k, minlength=11)[:11].astype(float),
                            "successes": np.bincount(data.k[success], minlength=11)[:11].astype(float)}
    if len(pack) == 1:
        raise MissingRaw(f"no raw {layout.network_file(INCOHERENT_VS_COHERENT, '<landscape>')}")
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
    tree = raw.pack(layout.network_file(LOOP_VS_COLLIDER, name))
    motifs = [int(n) for n in tree["motif_numbers"]]
    n = 10 if 10 in motifs else max(motifs)
    loop = tree["loop"][f"n{n}"]
    unrestricted = first_reach(loop["values"], loop["offsets"])
    slowest = np.array([row[row > 0].max() if np.any(row > 0) else np.nan for row in unrestricted])
    losses = restricted.tree.get("loss", {})
    if "reach" in restricted.tree:  # computed by the units from the full loss traces
        if not np.array_equal(np.asarray(restricted.tree["reach_milestones"], float), MILESTONES):
            raise ValueError(f"raw incoherent.vs.coherent.{name}.npz: its reach milestones are not {MILESTONES}.")
        reach, source = np.asarray(restricted.tree["reach"], dtype=np.int64), "loss/values"
    elif "values" in losses and "offsets" in losses:
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
    last_sparsity = data.final_sparsity()
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        for c, group in enumerate(("coherent-loop", "incoherent-loop")):
            if not runs.size or (group == "coherent-loop" and k == 10) or (group == "incoherent-loop" and k == 0):
                continue
            utilisation = last_sparsity[runs, GROUP_COLUMNS[group]]
            failing = final[runs] > threshold
            pack[LETTERS[2 * k + c]] = {
                "points": np.c_[np.log10(final[runs][failing]), utilisation[failing]].reshape(-1, 2),
                "spearman": spearman(final[runs], utilisation)}
    return pack


def run_differences(run: dict) -> np.ndarray:
    """(m, 4) one run's consecutive differences before its first collapse (m = samples kept − 1, at least 0):
    (t, Δloss, ΔLip, Δgradient variance), Δloss/ΔLip = value(t) − value(t + 1), Δgradient variance =
    value(t + 1) − value(t) (whole network)."""
    end = Restricted.intact(run)
    if end < 2:
        return np.empty((0, 4))
    loss, lip = run["training_loss"][:end], run["lipschitz"][:end]
    variance = run["gradient_variance"][:end, GROUP_COLUMNS["network"]]
    return np.c_[run["step"][:end - 1], loss[:-1] - loss[1:], lip[:-1] - lip[1:], variance[1:] - variance[:-1]]


def _deltas(data: Restricted, k: int):
    """Per k, pooled over runs truncated before the first collapse (:func:`run_differences`)."""
    parts = [run_differences(data.run(j)) for j in data.runs(k)]
    return np.concatenate(parts) if parts else np.empty((0, 4))


def _differences(data: Restricted, k: int):
    """``(deltas, binned)`` of k: every difference (:func:`_deltas`) and ``None``, or from statistics storage
    the pooled per-run subsamples and, unless they hold every difference, the k's binned statistics."""
    if data.storage == "statistics":
        from works.tasks.networks_statistics import pooled_differences

        return pooled_differences(data, k)
    return _deltas(data, k), None


def _binned_density(binned: dict, x, y) -> np.ndarray:
    from works.tasks.networks_statistics import binned_density

    return binned_density(binned, x, y)


def pack_supp19(raw: Raw, scale: str) -> dict:
    """Fig. S19: "a" (11,) per-k Spearman(Δloss, t); "b"…"l" (k = 0…10; omitted without runs): {"x" (100,),
    "y" (100,), "density" (100, 100) 2-D KDE of (Δloss, ΔLipschitz) normalised to max 1 (rows = y),
    "spearman"(Δloss, ΔLipschitz)}. Deltas between consecutive trace samples (every ``metric_every``
    iterations), each run truncated before its first weight collapse. From statistics storage
    (:mod:`works.tasks.networks_statistics`) a k whose runs were subsampled gets its Spearman correlations from
    the pooled subsamples and its density from the binned differences."""
    data = _restricted(raw)
    x, y = np.linspace(*S19_RANGE[0], S19_POINTS), np.linspace(*S19_RANGE[1], S19_POINTS)
    pack = {"fractions": FRACTIONS, "name": data.name, "a": np.full(11, np.nan)}
    for k in range(11):
        if not data.runs(k).size:
            continue
        deltas, binned = _differences(data, k)
        pack["a"][k] = spearman(deltas[:, 1], deltas[:, 0])
        density = (kde_density_2d(deltas[:, 1], deltas[:, 2], x, y) if binned is None
                   else _binned_density(binned["s19"], x, y))
        pack[LETTERS[k + 1]] = {"x": x, "y": y, "density": density, "spearman": spearman(deltas[:, 1], deltas[:, 2])}
    return pack


def curve_runs(count: int) -> np.ndarray:
    """Positions among the ``count`` runs of a k whose curves S20 draws: all, or :data:`S20_CURVES` evenly spaced."""
    if count > S20_CURVES:
        return np.unique(np.linspace(0, count - 1, S20_CURVES).round().astype(int))
    return np.arange(count)


def run_curve(run: dict) -> tuple:
    """``(steps, spectral norm (n, 4))`` of one run truncated before its first collapse (Fig. S20)."""
    end = Restricted.intact(run)
    return run["step"][:end], run["spectral_norm"][:end]


def pack_supp20(raw: Raw, scale: str) -> dict:
    """Fig. S20: key ``LETTERS[2 k + c]`` (c = 0 coherent, 1 incoherent loops): {"curves" (n, P) spectral norm of
    the group, each run truncated before its first collapse and linearly interpolated onto "iterations" (P,)
    log-spaced steps (NaN outside the run's range)}; at most :data:`S20_CURVES` runs (evenly spaced)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        traces = [data.curve(j) for j in runs[curve_runs(runs.size)]]
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


def run_drop_spearman(run: dict, column: int) -> float:
    """Spearman of a group's spectral norm vs utilisation over the samples right after a utilisation drop > 1e-4
    (Fig. S21); NaN with fewer than two such samples."""
    utilisation, norm = run["sparsity"][:, column], run["spectral_norm"][:, column]
    drops = np.flatnonzero(utilisation[:-1] - utilisation[1:] > 1e-4) + 1
    return spearman(norm[drops], utilisation[drops]) if drops.size >= 2 else float("nan")


def pack_supp21(raw: Raw, scale: str) -> dict:
    """Fig. S21: per k ("a"…"k"; omitted without runs) {"x_coh", "y_coh", "x_inc", "y_inc"}: KDE (100 points on
    [−1, 1], normalised to sum 1; empty arrays when no correlation exists) of the per-run Spearman correlations
    between the group's spectral norm and utilisation over the samples right after a utilisation drop > 1e-4
    (runs with fewer than two such samples or a constant series contribute nothing)."""
    data = _restricted(raw)

    def entry(k, runs):
        out = {}
        for group, short in (("coherent-loop", "coh"), ("incoherent-loop", "inc")):
            values = np.array([data.drop_spearman(j, GROUP_COLUMNS[group]) for j in runs])
            values = values[np.isfinite(values)]
            if values.size:
                x, y = kde_curve(values, -1.0, 1.0)
                out[f"x_{short}"], out[f"y_{short}"] = x, y / y.sum() if y.sum() > 0 else y
            else:
                out[f"x_{short}"], out[f"y_{short}"] = np.empty(0), np.empty(0)
        return out

    return _per_k(data, {"fractions": FRACTIONS, "name": data.name}, entry)


def pack_supp22(raw: Raw, scale: str) -> dict:
    """Fig. S22: "x" (40,), "y" (40,) grids; per k ("a"…"k"; omitted without runs) {"density" (40, 40) 2-D KDE of
    (Δ whole-network gradient variance, ΔLipschitz) increments (t + 1 minus t, truncated as S19) normalised to
    max 1 (rows = y), "spearman"}; from statistics storage as S19."""
    data = _restricted(raw)
    x, y = np.linspace(*S22_RANGE[0], S22_POINTS), np.linspace(*S22_RANGE[1], S22_POINTS)

    def entry(k, runs):
        deltas, binned = _differences(data, k)
        variance, lipschitz = deltas[:, 3], -deltas[:, 2]
        density = (kde_density_2d(variance, lipschitz, x, y) if binned is None
                   else _binned_density(binned["s22"], x, y))
        return {"density": density, "spearman": spearman(variance, lipschitz)}

    return _per_k(data, {"fractions": FRACTIONS, "name": data.name, "x": x, "y": y}, entry)


def run_sign_counts(run: dict) -> np.ndarray:
    """(3, 3) Fig. S23 counts of one run: [sign Δ largest Hessian eigenvalue] × [sign ΔLipschitz] over
    consecutive samples where both are finite."""
    counts = np.zeros((3, 3))
    hessian, lipschitz = run["hessian"][:, HESSIAN_MAX], run["lipschitz"]
    kept = np.flatnonzero(np.isfinite(hessian) & np.isfinite(lipschitz))
    rows = np.sign(np.diff(hessian[kept])).astype(int) + 1
    cols = np.sign(np.diff(lipschitz[kept])).astype(int) + 1
    np.add.at(counts, (rows, cols), 1.0)
    return counts


def pack_supp23(raw: Raw, scale: str) -> dict:
    """Fig. S23: per k ("a"…"k"; omitted without runs) (3, 3) counts of [sign Δ largest Hessian eigenvalue (rows:
    −, 0, +)] × [sign ΔLipschitz (columns)], Δ = later minus earlier of consecutive samples where the Hessian
    was computed (finite), over every step of every run (not truncated)."""
    data = _restricted(raw)

    def entry(k, runs):
        counts = np.zeros((3, 3))
        for j in runs:
            counts += data.sign_counts(j)
        return counts

    return _per_k(data, {"fractions": FRACTIONS, "name": data.name}, entry)


PACKS = {**{f"supp{10 + k}": _network_packer(name) for k, name in enumerate(LANDSCAPES)},
         **{f"supp{n}": globals()[f"pack_supp{n}"] for n in range(15, 24)}}
