"""Task 5 restricted fits stored as statistics: what Figs. S19–S23 need, per chunk, instead of every trace.

At paper scale the per-chunk trace files of :mod:`works.tasks.networks_traces` would take ≈ 170 GB (140 B per
fit-iteration), so the paper preset (``Task5Config.trace_storage = "statistics"``) has each restricted unit
write, next to its summary, a *statistics* file computed from every fit's trace in memory right after the fit
(the file format is in ``docs/raw-data.md``):

* S21 and S23 exactly: each run's Spearman correlation of spectral norm vs utilisation at the drop points per
  group (:func:`~works.tasks.networks_packs.run_drop_spearman`) and its 3 × 3 sign counts
  (:func:`~works.tasks.networks_packs.run_sign_counts`);
* S20 exactly: the truncated spectral-norm curves (coherent and incoherent columns) of the runs S20 draws
  (``curve_rows``: the planner knows which, :func:`~works.tasks.networks_packs.curve_runs`) — the packer's
  log-spaced grid depends on the longest drawn curve, so the curves are stored whole, not pre-sampled;
* S19 and S22: each run's truncated consecutive differences (:func:`~works.tasks.networks_packs.run_differences`)
  in full when there are at most :data:`SUBSAMPLE` of them, else a seeded sample of :data:`SUBSAMPLE` of them
  (in order; the generator is seeded from the fit's key and seed index), plus per chunk (one k) a 2-D histogram
  of every difference pair of each figure on a fine grid (:func:`geometry`), the count of pairs outside it and
  the pairs' count, means and centred second moments.

The packers (:func:`pooled_differences`) give S19/S22 exactly as from traces when every run of a k stored all its
differences. Otherwise the Spearman correlations come from the pooled subsamples and the density is a *binned*
KDE (:func:`binned_density`): the histogram convolved with the Gaussian kernel of the same bandwidth rule as
:func:`works.summaries.kde_density_2d` (Scott's factor of min(N, ``KDE_POINTS``) points times the covariance),
except that the covariance is that of all N pairs (not of a 20,000-point subsample), every pair enters the
density at its bin centre (not a 20,000-point subsample at its exact position), and pairs beyond the histogram
(half a window past each side of the figure's window) add nothing to it.

Examples
--------
>>> geometry("s22")[2].tolist()   # histogram shape (rows = y, columns = x)
[781, 781]
>>> binner = Binner("s22")
>>> binner.add(np.array([-0.005, 1.0]), np.array([0.0, 0.0]))
>>> int(binner.counts.sum()), binner.outside, int(binner.moments[0])
(1, 1, 2)
"""

from __future__ import annotations

import zlib

import numpy as np

from works.tasks.networks_packs import (
    GROUP_COLUMNS,
    S19_POINTS,
    S19_RANGE,
    S22_POINTS,
    S22_RANGE,
    run_curve,
    run_differences,
    run_drop_spearman,
    run_sign_counts,
)

__all__ = ["Binner", "FIGURES", "PAD", "STATISTICS_FORMAT", "SUBSAMPLE", "binned_density", "fit_statistics",
           "geometry", "load_statistics", "pooled_differences", "write_statistics"]

#: Version of the statistics file.
STATISTICS_FORMAT = 1
#: Largest number of difference pairs stored per run (a seeded sample beyond).
SUBSAMPLE = 256
#: Padding of the histograms past each side of the figure's window, in windows.
PAD = 0.5
#: Binned figures: (x range, y range), points per axis of the packer's grid and histogram bins per grid step
#: (396 and 390 bins across the window: 793 × 793 and 781 × 781 bins with the padding).
FIGURES = {"s19": (S19_RANGE, S19_POINTS, 4), "s22": (S22_RANGE, S22_POINTS, 10)}
#: The group columns of the stored S20 curves and S21 correlations.
_GROUPS = (GROUP_COLUMNS["coherent-loop"], GROUP_COLUMNS["incoherent-loop"])


def _pair(deltas: np.ndarray, figure: str) -> tuple:
    """The (x, y) pairs of ``figure`` from (m, 4) differences: S19 (Δloss, ΔLip), S22 (Δvariance, −ΔLip)."""
    return (deltas[:, 1], deltas[:, 2]) if figure == "s19" else (deltas[:, 3], -deltas[:, 2])


def geometry(figure: str) -> tuple:
    """``(origin, width, shape)`` of a figure's histogram: bin (i, j) of ``shape`` (rows = y) is centred at
    ``origin + (j, i) * width``; the grid points of the figure are bin centres (:data:`FIGURES`)."""
    (x_range, y_range), points, refine = FIGURES[figure]
    origin, width, shape = [], [], []
    for low, high in (x_range, y_range):
        step = (high - low) / (points - 1) / refine
        pad = int(round(PAD * (points - 1) * refine))
        origin.append(low - pad * step)
        width.append(step)
        shape.append((points - 1) * refine + 2 * pad + 1)
    return np.array(origin), np.array(width), np.array(shape[::-1], dtype=np.int64)


class Binner:
    """Accumulates one figure's histogram, outside count and moments (count, means, centred second moments)."""

    def __init__(self, figure: str):
        self.origin, self.width, self.shape = geometry(figure)
        self.counts = np.zeros(tuple(self.shape), dtype=np.int64)
        self.outside = 0
        self.moments = np.zeros(6)  # n, mean x, mean y, Σ(x−x̄)², Σ(x−x̄)(y−ȳ), Σ(y−ȳ)²

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
        if not x.size:
            return
        self.moments = combine_moments(self.moments, _moments(x, y))
        column = np.rint((x - self.origin[0]) / self.width[0])
        row = np.rint((y - self.origin[1]) / self.width[1])
        inside = (column >= 0) & (column < self.shape[1]) & (row >= 0) & (row < self.shape[0])
        self.outside += int(x.size - inside.sum())
        flat = row[inside].astype(np.int64) * self.shape[1] + column[inside].astype(np.int64)
        self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape)


def _moments(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    dx, dy = x - x.mean(), y - y.mean()
    return np.array([x.size, x.mean(), y.mean(), dx @ dx, dx @ dy, dy @ dy])


def combine_moments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The moments (:class:`Binner`) of two disjoint sets of pairs together (Chan et al.)."""
    if a[0] == 0:
        return np.array(b, dtype=float)
    if b[0] == 0:
        return np.array(a, dtype=float)
    n = a[0] + b[0]
    dx, dy = b[1] - a[1], b[2] - a[2]
    share = a[0] * b[0] / n
    return np.array([n, a[1] + dx * b[0] / n, a[2] + dy * b[0] / n, a[3] + b[3] + dx * dx * share,
                     a[4] + b[4] + dx * dy * share, a[5] + b[5] + dy * dy * share])


def fit_statistics(row: dict, curve: bool) -> dict:
    """One fit's statistics from its row (``steps``, ``trace``, ``key``, ``seed``): ``differences`` (m, 4) every
    truncated difference, ``sample`` their stored rows, ``drop_spearman`` (2,), ``sign_counts`` (3, 3) and,
    when ``curve``, ``curve`` = (steps, (n, 2) spectral norm of the two loop groups)."""
    run = {"step": np.asarray(row["steps"]), **row["trace"]}
    differences = run_differences(run)
    sample = np.arange(len(differences))
    if sample.size > SUBSAMPLE:
        generator = np.random.default_rng([zlib.crc32(str(row["key"]).encode()), int(row["seed"])])
        sample = np.sort(generator.choice(sample.size, SUBSAMPLE, replace=False))
    out = {"differences": differences, "sample": sample,
           "drop_spearman": np.array([run_drop_spearman(run, column) for column in _GROUPS]),
           "sign_counts": run_sign_counts(run).astype(np.int32)}
    if curve:
        steps, norm = run_curve(run)
        out["curve"] = (steps, norm[:, list(_GROUPS)])
    return out


def write_statistics(path, rows, curve_rows=()) -> None:
    """Write the statistics file of one chunk (rows of a single k) to ``path``; ``curve_rows`` are the chunk
    rows whose S20 curves are kept. Each fit's statistics are computed and its traces dropped one fit at a time."""
    ks = {int(row["k"]) for row in rows}
    if len(ks) > 1:
        raise ValueError(f"a statistics chunk holds one k, got {sorted(ks)}.")
    curve_rows = sorted(int(r) for r in curve_rows)
    if curve_rows and not 0 <= curve_rows[0] <= curve_rows[-1] < len(rows):
        raise ValueError(f"curve rows {curve_rows} outside the chunk's {len(rows)} rows.")
    binners = {figure: Binner(figure) for figure in FIGURES}
    counts, samples, spearmans, signs, curves = [], [], [], [], []
    for index, row in enumerate(rows):
        stats = fit_statistics(row, index in curve_rows)
        for figure, binner in binners.items():
            binner.add(*_pair(stats["differences"], figure))
        counts.append(len(stats["differences"]))
        samples.append(stats["differences"][stats["sample"]])
        spearmans.append(stats["drop_spearman"])
        signs.append(stats["sign_counts"])
        if "curve" in stats:
            curves.append(stats["curve"])
    from works._io import save_npz

    save_npz(path, _arrays(rows, counts, samples, spearmans, signs, curves, curve_rows, binners))


def _arrays(rows, counts, samples, spearmans, signs, curves, curve_rows, binners) -> dict:
    """The flat arrays of a statistics file (``docs/raw-data.md``)."""
    pooled = np.concatenate(samples) if samples else np.empty((0, 4))
    out = {"statistics_format": np.int64(STATISTICS_FORMAT), "subsample": np.int64(SUBSAMPLE),
           "k": np.int64(rows[0]["k"] if rows else -1), "differences": np.array(counts, dtype=np.int64),
           "deltas/offsets": np.r_[0, np.cumsum([len(s) for s in samples])].astype(np.int64),
           "deltas/step": pooled[:, 0].astype(np.int32), "deltas/loss": pooled[:, 1],
           "deltas/lipschitz": pooled[:, 2], "deltas/variance": pooled[:, 3],
           "s21": np.array(spearmans, dtype=np.float64).reshape(-1, 2),
           "s23": np.array(signs, dtype=np.int32).reshape(-1, 3, 3),
           "s20/rows": np.array(curve_rows, dtype=np.int64),
           "s20/offsets": np.r_[0, np.cumsum([len(s) for s, _ in curves])].astype(np.int64),
           "s20/step": np.concatenate([s for s, _ in curves]).astype(np.int32) if curves else np.empty(0, np.int32),
           "s20/norm": np.concatenate([n for _, n in curves]) if curves else np.empty((0, 2))}
    for figure, binner in binners.items():
        flat = np.flatnonzero(binner.counts)
        out.update({f"{figure}/index": flat.astype(np.int32),
                    f"{figure}/count": binner.counts.ravel()[flat].astype(np.int32),
                    f"{figure}/origin": binner.origin, f"{figure}/width": binner.width,
                    f"{figure}/shape": binner.shape, f"{figure}/outside": np.int64(binner.outside),
                    f"{figure}/moments": binner.moments})
    return out


def load_statistics(path) -> dict:
    """A statistics file's arrays (steps as int64)."""
    with np.load(path, allow_pickle=False) as archive:
        out = {name: archive[name] for name in archive.files}
    for name in ("deltas/step", "s20/step"):
        out[name] = out[name].astype(np.int64)
    return out


def chunk_curve(chunk: dict, local: int) -> tuple:
    """``(steps, spectral norm (n, 4))`` of chunk row ``local`` (stored S20 curve; other columns NaN)."""
    where = np.flatnonzero(chunk["s20/rows"] == local)
    if not where.size:
        raise ValueError(f"the statistics hold no S20 curve for chunk row {local}.")
    start, stop = chunk["s20/offsets"][where[0]], chunk["s20/offsets"][where[0] + 1]
    norm = np.full((stop - start, 4), np.nan)
    norm[:, list(_GROUPS)] = chunk["s20/norm"][start:stop]
    return chunk["s20/step"][start:stop], norm


def chunk_drop_spearman(chunk: dict, local: int, column: int) -> float:
    return float(chunk["s21"][local, _GROUPS.index(column)])


def pooled_differences(data, k: int) -> tuple:
    """``(deltas, binned)`` of k from statistics storage: the stored differences of its runs in row order, and
    ``None`` when they are every difference, else ``{"s19": …, "s22": …}`` (the summed histograms, see
    :func:`binned_density`)."""
    runs = data.runs(k)
    parts, complete, binned = [], True, {figure: None for figure in FIGURES}
    for c in np.unique(np.searchsorted(data.rows, runs, side="right") - 1):
        chunk = data.chunk(int(c))
        local = runs[(runs >= data.rows[c]) & (runs < data.rows[c + 1])] - data.rows[c]
        offsets = chunk["deltas/offsets"]
        complete &= bool(np.all(np.diff(offsets)[local] == chunk["differences"][local]))
        for j in local:
            part = slice(offsets[j], offsets[j + 1])
            parts.append(np.c_[chunk["deltas/step"][part], chunk["deltas/loss"][part],
                               chunk["deltas/lipschitz"][part], chunk["deltas/variance"][part]])
        for figure in FIGURES:
            binned[figure] = _add_histogram(binned[figure], chunk, figure)
    deltas = np.concatenate(parts) if parts else np.empty((0, 4))
    return deltas, None if complete else binned


def _add_histogram(total, chunk: dict, figure: str) -> dict:
    shape = tuple(chunk[f"{figure}/shape"])
    if total is None:
        total = {"counts": np.zeros(shape, dtype=np.int64), "origin": chunk[f"{figure}/origin"],
                 "width": chunk[f"{figure}/width"], "outside": 0, "moments": np.zeros(6)}
    total["counts"].ravel()[chunk[f"{figure}/index"].astype(np.int64)] += chunk[f"{figure}/count"]
    total["outside"] += int(chunk[f"{figure}/outside"])
    total["moments"] = combine_moments(total["moments"], chunk[f"{figure}/moments"])
    return total


def binned_density(binned: dict, x_grid, y_grid) -> np.ndarray:
    """Binned 2-D Gaussian KDE on ``y_grid × x_grid`` (rows = y), normalised to max 1; zeros as
    :func:`works.summaries.kde_density_2d` for fewer than 3 pairs or a singular covariance.

    ``binned``: ``counts`` (histogram, rows = y), ``origin``, ``width`` (bin (i, j) is centred at ``origin +
    (j, i) * width``; the grid points must be bin centres) and ``moments`` (count, means, centred second moments
    of every finite pair). Bandwidth: covariance × min(count, ``KDE_POINTS``)^(−1/3) (Scott's rule of
    :class:`scipy.stats.gaussian_kde` for the points today's KDE keeps).
    """
    from scipy.signal import fftconvolve

    from works.summaries import KDE_POINTS

    x_grid, y_grid = np.asarray(x_grid, float), np.asarray(y_grid, float)
    density = np.zeros((len(y_grid), len(x_grid)))
    n = binned["moments"][0]
    if n < 3:
        return density
    _, _, _, sxx, sxy, syy = binned["moments"]
    covariance = np.array([[sxx, sxy], [sxy, syy]]) / (n - 1) * min(n, KDE_POINTS) ** (-1 / 3)
    try:
        np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        return density
    columns, rows = (_bin_of(grid, binned["origin"][a], binned["width"][a]) for a, grid in enumerate((x_grid, y_grid)))
    counts = np.asarray(binned["counts"], dtype=float)
    # kernel offsets up to the histogram's extent, cut at 9 kernel standard deviations per axis (beyond, the
    # kernel is below exp(-40.5) ≈ 3e-18 of its peak)
    reach = [min(counts.shape[1 - a] - 1, int(np.ceil(9 * np.sqrt(covariance[a, a]) / binned["width"][a])))
             for a in (0, 1)]
    dx = np.arange(-reach[0], reach[0] + 1)[None, :] * binned["width"][0]
    dy = np.arange(-reach[1], reach[1] + 1)[:, None] * binned["width"][1]
    inverse = np.linalg.inv(covariance)
    kernel = np.exp(-0.5 * (inverse[0, 0] * dx * dx + 2 * inverse[0, 1] * dx * dy + inverse[1, 1] * dy * dy))
    density = np.maximum(fftconvolve(counts, kernel, mode="same")[np.ix_(rows, columns)], 0.0)
    peak = density.max()
    return density / peak if peak > 0 else density


def _bin_of(grid: np.ndarray, origin: float, width: float) -> np.ndarray:
    """Bin indices of grid points that are bin centres (ValueError otherwise)."""
    position = (grid - origin) / width
    index = np.rint(position).astype(np.int64)
    if not np.allclose(position, index, atol=1e-6):
        raise ValueError("the figure's grid points are not centres of the stored histogram's bins.")
    return index
