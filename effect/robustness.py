"""Numerical stability of motif landscapes: grid Lipschitz estimates and propagation.

For a ``(p, p)`` landscape ``O`` on a grid with spacing ``h`` and a shift
``(i, j)`` the reference compares ``A = O[u+i, v+j] - O[u, v]`` and
``B = O[u+i, v] - O[u, v+j]``; together they enumerate every unordered pair
of grid points once per offset. The Lipschitz estimate is the largest
difference quotient ``|O(p) - O(q)| / ||p - q||`` over all pairs of distinct
grid points.

:func:`lipschitz_batch` computes the largest difference exactly on both axes
and at a few small offsets, bounds it at every other offset by
sub-additivity (``D(i, j) <= m D(a, b) + D(i - m a, 0) + D(0, j - m b)``) and by
the range, and computes exactly only the offsets whose bound could still raise
a landscape's estimate, those of all the landscapes in one vectorised call
per round (:func:`_pair_extremes`). The result is the full scan's, bit for
bit; typically a few tens of offset scans per landscape instead of ``p**2 - 1``.
:class:`LipschitzTracker` carries the bounds from one call to the next.
:func:`_estimate_lipschitz_loop` is the literal per-offset reference path.

Examples
--------
>>> import numpy as np
>>> from effect.robustness import estimate_lipschitz
>>> x = np.linspace(-1, 1, 41)
>>> landscape = np.repeat(x[:, None], 41, axis=1)   # f(x, y) = x
>>> round(estimate_lipschitz((-1, 1), 41, landscape), 6)
1.0
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from effect._checks import check_finite, check_points, check_positive_float, check_positive_int, check_value_range

__all__ = [
    "NORM_TYPES",
    "PROPAGATION_TYPES",
    "grid_interval",
    "offset_distances",
    "lipschitz_batch",
    "LipschitzTracker",
    "estimate_lipschitz",
    "estimate_lipschitz_by_motif",
    "evaluate_propagation",
]

NORM_TYPES = ("L-1", "L-2", "L-inf")
PROPAGATION_TYPES = ("max", "mean", "median", "min")


def _check_norm(norm_type):
    if norm_type not in NORM_TYPES:
        raise ValueError(f"norm_type must be one of {NORM_TYPES}, got {norm_type!r}.")


def grid_interval(value_range, points: int) -> float:
    """Grid spacing ``h = (b - a) / (points - 1)`` of a ``(a, b)`` value range."""
    values = check_value_range(value_range)
    points = check_points(points)
    return (values[1] - values[0]) / (points - 1)


def _distance(i: int, j: int, interval: float, norm_type: str) -> float:
    # Same float64 expressions as the reference.
    if norm_type == "L-1":
        return i * interval + j * interval
    if norm_type == "L-2":
        return math.sqrt((i * interval) ** 2 + (j * interval) ** 2)
    return max(i * interval, j * interval)


def offset_distances(points: int, interval: float, norm_type: str = "L-2") -> np.ndarray:
    """Input distance of every offset ``(i, j)``, shape ``(points, points)``; ``[0, 0]`` is 0."""
    _check_norm(norm_type)
    return np.array([[_distance(i, j, interval, norm_type) for j in range(points)] for i in range(points)])


def _as_batch(landscapes, name="landscapes") -> torch.Tensor:
    if isinstance(landscapes, np.ndarray):
        tensor = torch.from_numpy(np.ascontiguousarray(landscapes))
    elif isinstance(landscapes, torch.Tensor):
        tensor = landscapes.detach()
    else:
        raise TypeError(f"{name} must be a numpy array or torch tensor, got {type(landscapes).__name__}.")
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.float64)
    return tensor


def lipschitz_batch(landscapes, interval: float, norm_type: str = "L-2", chunk_size: int = 4096) -> np.ndarray:
    """Grid Lipschitz estimates of many landscapes at once.

    Parameters
    ----------
    landscapes : array or Tensor of shape (B, p, p)
        Landscapes on a square grid (float32 or float64; differences are
        taken in this dtype, quotients in float64, as in the reference).
    interval : float
        Grid spacing ``h`` (a positive finite number; numpy scalars accepted).
    norm_type : {"L-1", "L-2", "L-inf"}
        Norm of the input distance.
    chunk_size : int
        Landscapes processed together (a positive integer).

    Returns
    -------
    ndarray of shape (B,), float64
        ``0.0`` for constant landscapes.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-1, 1, 41)
    >>> plane = (x[:, None] + x[None, :]) / 2
    >>> lipschitz_batch(plane[None], 0.05, "L-1").round(6).tolist()
    [0.5]
    """
    _check_norm(norm_type)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    batch = _as_batch(landscapes)
    if batch.ndim != 3 or batch.shape[1] != batch.shape[2]:
        raise ValueError(f"landscapes must have shape (B, p, p), got {tuple(batch.shape)}.")
    interval = check_positive_float(interval, "interval")
    check_finite(batch, "landscapes")
    array = batch.cpu().numpy()
    distances = _offset_distances_cached(array.shape[-1], float(interval), norm_type)
    result = np.zeros(array.shape[0], dtype=np.float64)
    for start in range(0, array.shape[0], chunk_size):
        chunk = np.ascontiguousarray(array[start : start + chunk_size])
        result[start : start + chunk.shape[0]] = _lipschitz_chunk(chunk, distances)
    return result


@functools.lru_cache(maxsize=16)
def _offset_distances_cached(points, interval, norm_type):
    distances = offset_distances(points, interval, norm_type)
    distances.setflags(write=False)
    return distances


# Offsets (i, j) with max(i, j) <= _SEED_RADIUS are computed exactly for every landscape first,
# together with every offset on the two axes (a larger radius gives tighter bounds that cost more than they save).
_SEED_RADIUS = 2
# Up to this many bytes of differences (n p**3 values), the axis offsets come from one array of all the shifts
# along an axis (two calls); beyond, from one call per shift.
_LAGWISE_BYTES = 1 << 21


@functools.lru_cache(maxsize=16)
def _bound_plan(points):
    """Off-axis seed offsets and, per seed, the split of every offset into seed and axis steps.

    For a seed ``s = (a, b)`` and an offset ``(i, j)``, with ``m`` the largest
    integer such that ``m s <= (i, j)`` componentwise,
    ``(i, j) = m s + (i - m a, 0) + (0, j - m b)`` splits the offset into steps
    of one quadrant, so ``D(i, j) <= m D(s) + D(i - m a, 0) + D(0, j - m b)``
    (for both the ``A`` and the ``B`` differences). Returns the seeds, per
    seed the flat arrays ``(m, i - m a, j - m b)`` over all ``points**2``
    offsets, the flat offsets on the axes and those computed exactly first
    (axes and seeds).
    """
    radius = min(_SEED_RADIUS, points - 1)
    seeds = [(a, b) for a in range(1, radius + 1) for b in range(1, radius + 1)]
    rows, cols = np.meshgrid(np.arange(points), np.arange(points), indexing="ij")
    rows, cols = rows.ravel(), cols.ravel()
    plan = []
    for a, b in seeds:
        m = np.minimum(rows // a, cols // b)
        plan.append((m.astype(np.float64), rows - m * a, cols - m * b))
    axes = np.flatnonzero((rows == 0) | (cols == 0))
    exact = np.flatnonzero((rows == 0) | (cols == 0) | ((rows <= radius) & (cols <= radius)))
    return seeds, plan, axes, exact


def _extremes(chunk: np.ndarray, i: int, j: int) -> np.ndarray:
    """``max |A(i,j) ∪ B(i,j)|`` per landscape of a ``(n, p, p)`` array, in its dtype, as float64."""
    p = chunk.shape[-1]
    lower = chunk[:, : p - i]
    upper = chunk[:, i:]
    a = upper[:, :, j:] - lower[:, :, : p - j]
    np.abs(a, out=a)
    extreme = a.max(axis=(1, 2))
    if i and j:  # on an axis B = -A
        b = upper[:, :, : p - j] - lower[:, :, j:]
        np.abs(b, out=b)
        extreme = np.maximum(extreme, b.max(axis=(1, 2)))
    return extreme.astype(np.float64)


# Bytes of one (pairs, p, p) difference array in :func:`_pair_extremes` (the pairs are scanned in blocks of this size).
_PAIR_BYTES = 1 << 20
# Bytes of the NaN-padded copy of the landscapes scanned together in :func:`_lipschitz_chunk`.
_PAD_BYTES = 1 << 24
# Candidates per landscape in the first round of :func:`_scan_candidates`: a round costs about as much as
# scanning ten pairs, and a few candidates more than needed are cheaper than more rounds.
_ROUND_WIDTH = 16


def _padded(chunk: np.ndarray) -> np.ndarray:
    """NaN-padded copy of a ``(n, p, p)`` array, shape ``(n, 2p - 1, 2p - 1)``, with ``chunk`` at ``[:, :p, :p]``.

    Every ``(p, p)`` window of it starting at ``(i, j)`` with ``i, j < p`` holds
    ``O[u + i, v + j]`` where that is on the grid and NaN elsewhere (see :func:`_pair_extremes`).
    """
    n, p, _ = chunk.shape
    padded = np.full((n, 2 * p - 1, 2 * p - 1), np.nan, dtype=chunk.dtype)
    padded[:, :p, :p] = chunk
    return padded


def _pair_extremes(padded: np.ndarray, nets: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Exact ``D(i, j) = max |A(i, j) ∪ B(i, j)|`` at many (landscape, offset) pairs at once.

    Parameters
    ----------
    padded : ndarray of shape (n, 2p - 1, 2p - 1)
        The landscapes, NaN-padded by :func:`_padded`.
    nets : ndarray of shape (K,), int
        Landscape of each pair (an index into ``padded``).
    offsets : ndarray of shape (K,), int
        Flat offset ``i * p + j`` of each pair, not 0.

    Returns
    -------
    ndarray of shape (K,), float64
        The same value as ``_extremes(chunk[[k]], i, j)`` for each pair, bit for
        bit: the differences are taken in the landscapes' dtype, their absolute
        values reduced by a maximum that skips the NaN of the padding (outside
        the grid), then cast to float64. Pairs are scanned in blocks of about
        ``_PAIR_BYTES`` per difference array.
    """
    n, size, _ = padded.shape
    p = (size + 1) // 2
    # windows[k, i, j] = padded[k, i : i + p, j : j + p] (a view, as sliding_window_view makes it, but cheaper)
    row, item = padded.strides[1:]
    windows = np.ndarray((n, p, p, p, p), padded.dtype, padded, 0, (padded.strides[0], row, item, row, item))
    rows, cols = np.divmod(offsets, p)
    result = np.empty(len(nets), dtype=np.float64)
    block = max(1, _PAIR_BYTES // (p * p * padded.itemsize))
    for start in range(0, len(nets), block):
        k, i, j = nets[start : start + block], rows[start : start + block], cols[start : start + block]
        # A = O[u + i, v + j] - O[u, v], NaN where u + i or v + j is off the grid
        a = windows[k, i, j]
        np.subtract(a, windows[k, 0, 0], out=a)
        np.abs(a, out=a)
        extreme = np.fmax.reduce(a.reshape(len(k), -1), axis=1)
        # B = O[u + i, v] - O[u, v + j], off the axes (on them |B| and |A| are the same values)
        diagonal = (i > 0) & (j > 0)
        if not diagonal.all():
            k, i, j = k[diagonal], i[diagonal], j[diagonal]
        if k.size:
            b = windows[k, i, 0]
            np.subtract(b, windows[k, 0, j], out=b)
            np.abs(b, out=b)
            extreme[diagonal] = np.maximum(extreme[diagonal], np.fmax.reduce(b.reshape(k.size, -1), axis=1))
        result[start : start + len(extreme)] = extreme
    return result


def _scan_candidates(padded, best, nets, offsets, ratios, flat_distances, upper=None, winner=None, scale=1.0) -> int:
    """Exact ``D`` at candidate (landscape, offset) pairs, round by round, until none can raise an estimate.

    Each round scans, for every landscape, its remaining candidates of largest
    ratio (``_ROUND_WIDTH`` in the first round, four times as many in each
    next one) in one call of :func:`_pair_extremes`, raises the estimates,
    and drops the candidates whose ratio no longer exceeds their landscape's
    estimate. Every pair left unscanned then has a bound below the estimate,
    so the estimates equal the maxima over all the pairs' exact quotients (and
    every other pair the caller had already bounded below the estimate).

    Parameters
    ----------
    padded : ndarray of shape (n, 2p - 1, 2p - 1)
        The landscapes, NaN-padded by :func:`_padded`.
    best : ndarray of shape (n,), float64
        Current estimates (exact quotients), raised in place.
    nets, offsets : ndarray of shape (K,), int
        The candidate pairs: landscape (index into ``padded``) and flat offset ``i * p + j``.
    ratios : ndarray of shape (K,), float64
        Upper bound of ``D`` divided by the distance at each pair.
    flat_distances : ndarray of shape (p * p,)
        Distance of every flat offset.
    upper : ndarray of shape (n, p * p), optional
        Bounds of ``D``; set to ``exact * scale`` at every scanned pair.
    winner : ndarray of shape (n,), int, optional
        Flat offset of each estimate; updated where a scanned quotient raises it.
    scale : float
        Factor of the exact values written to ``upper``.

    Returns
    -------
    int
        The number of pairs scanned.
    """
    order = np.lexsort((-ratios, nets))  # by landscape, then by decreasing ratio
    nets, offsets, ratios = nets[order], offsets[order], ratios[order]
    scanned, width = 0, _ROUND_WIDTH
    while nets.size:
        take = np.arange(nets.size) - np.searchsorted(nets, nets) < width  # rank within its landscape
        k, offset = nets[take], offsets[take]
        exact = _pair_extremes(padded, k, offset)
        scanned += k.size
        quotient = exact / flat_distances[offset]
        before = best[k]
        np.maximum.at(best, k, quotient)
        if winner is not None:
            won = (quotient > before) & (quotient == best[k])
            winner[k[won]] = offset[won]
        if upper is not None:
            upper[k, offset] = exact * scale
        keep = ~take
        keep &= ratios > best[nets]
        nets, offsets, ratios = nets[keep], offsets[keep], ratios[keep]
        width *= 4
    return scanned


def _axis_extremes(chunk: np.ndarray) -> tuple:
    """Exact ``D(i, 0)`` and ``D(0, j)`` for every ``i, j < p``, two (n, p) float64 arrays (0 at 0)."""
    n, p, _ = chunk.shape
    if n * p**3 * chunk.itemsize <= _LAGWISE_BYTES:
        padded = np.full((n, 2 * p - 1, p), np.nan, dtype=chunk.dtype)
        row, item = padded.strides[1:]
        # shifted[k, i] = padded[k, i : i + p], the grid moved by i rows (NaN beyond it)
        shifted = np.ndarray((n, p, p, p), padded.dtype, padded, 0, (padded.strides[0], row, row, item))
        result = []
        for grid in (chunk, chunk.transpose(0, 2, 1)):
            padded[:, :p] = grid
            differences = shifted - grid[:, None]  # the same rounded differences as _extremes(chunk, i, 0)
            np.abs(differences, out=differences)
            extreme = np.fmax.reduce(differences.reshape(n, p, p * p), axis=2).astype(np.float64)
            extreme[:, 0] = 0.0
            result.append(extreme)
        return tuple(result)
    along_rows = np.zeros((n, p))
    along_cols = np.zeros((n, p))
    for shift in range(1, p):
        along_rows[:, shift] = _extremes(chunk, shift, 0)
        along_cols[:, shift] = _extremes(chunk, 0, shift)
    return along_rows, along_cols


def _lipschitz_chunk(chunk: np.ndarray, distances: np.ndarray, bounds: bool = False, carried=None):
    """Exact pruned scan over offsets for one chunk of landscapes, shape (n, p, p) -> (n,).

    ``D(i, j) = max |A(i, j) ∪ B(i, j)|`` is computed exactly on both axes and
    at the small seed offsets; sub-additivity along steps of one quadrant then
    bounds ``D`` at every other offset (see :func:`_bound_plan`), and the range
    bounds it too. Only offsets whose bound divided by their distance exceeds
    the current estimate of a landscape are computed exactly for that
    landscape, the largest ratios first, in rounds over all the landscapes
    (:func:`_scan_candidates`), so the result equals the full scan (the
    maximum over all offsets).

    With ``bounds=True`` also returns an ``(n, p * p)`` float64 upper bound of
    the computed ``D`` at every offset (flat ``i * p + j``; the exact value
    where it was computed) and the flat offset of each landscape's estimate.
    ``carried = (upper, best, winner)`` adds what is already known of these
    landscapes: ``(n, p * p)`` upper bounds of ``D``, and an exact quotient
    ``D / distance`` per landscape with its flat offset (for
    :class:`LipschitzTracker`); they prune the scan, the result is the same.
    """
    n, p, _ = chunk.shape
    best = np.zeros(n, dtype=np.float64)
    if p < 2 or n == 0:
        if bounds:
            return best, np.zeros((n, p * p)), np.zeros(n, dtype=np.int64)
        return best
    seeds, plan, axes, computed = _bound_plan(p)
    flat_distances = distances.ravel()
    along_rows, along_cols = _axis_extremes(chunk)
    row_ratios, col_ratios = along_rows[:, 1:] / distances[1:, 0], along_cols[:, 1:] / distances[0, 1:]
    best = np.maximum(row_ratios.max(axis=1), col_ratios.max(axis=1))
    bound = (along_rows[:, :, None] + along_cols[:, None, :]).reshape(n, p * p)  # D(i, 0) + D(0, j)
    if bounds:
        upper_axes = bound[:, axes]  # exact
        winner = np.where(row_ratios.max(axis=1) >= col_ratios.max(axis=1), (row_ratios.argmax(axis=1) + 1) * p,
                          col_ratios.argmax(axis=1) + 1)
        known = {}  # exact D at the seeds
    for (i, j), (m, rest_i, rest_j) in zip(seeds, plan):
        exact = _extremes(chunk, i, j)
        if bounds:
            winner[exact / distances[i, j] > best] = i * p + j
            known[i * p + j] = exact
        np.maximum(best, exact / distances[i, j], out=best)
        np.minimum(bound, m * exact[:, None] + along_rows[:, rest_i] + along_cols[:, rest_j], out=bound)
    span = (chunk.max(axis=(1, 2)) - chunk.min(axis=(1, 2))).astype(np.float64)
    np.minimum(bound, span[:, None], out=bound)
    # A relative slack covers the rounding of the differences (landscape dtype) and of the float64 sums.
    slack = 1.0 + 8 * float(np.finfo(chunk.dtype).eps) + 1e-12
    bound *= slack
    if carried is not None:
        np.minimum(bound, carried[0], out=bound)
        if bounds:
            winner = np.where(carried[1] > best, carried[2], winner)
        np.maximum(best, carried[1], out=best)
    if bounds:  # exact on the axes and at the seeds
        upper = bound.copy()
        upper[:, axes] = upper_axes
        for offset, exact in known.items():
            upper[:, offset] = exact
    divisors = flat_distances.copy()
    divisors[computed] = np.inf  # ratio 0 where D is exact already (axes, seeds, offset 0)
    ratio = np.divide(bound, divisors, out=bound)
    if carried is not None:
        ratio[np.arange(n), carried[2]] = -np.inf  # the carried quotients: exact already
    flat = np.flatnonzero(ratio > best[:, None])
    nets, offsets = np.divmod(flat, p * p)
    ratios = ratio.ravel()[flat]
    group = max(1, _PAD_BYTES // ((2 * p - 1) ** 2 * chunk.itemsize))  # landscapes padded at a time
    for lo in range(0, n, group):
        start, stop = np.searchsorted(nets, [lo, lo + group])
        if start < stop:
            part = slice(lo, lo + group)
            _scan_candidates(_padded(chunk[part]), best[part], nets[start:stop] - lo, offsets[start:stop],
                             ratios[start:stop], flat_distances, upper[part] if bounds else None,
                             winner[part] if bounds else None)
    return (best, upper, winner) if bounds else best


# A relative slack on the bounds carried from one call to the next: it covers the rounding of the
# differences (float32: 6e-8 relative) and of the float64 sums accumulated over many calls.
_CARRY_SLACK = 1e-6
# A landscape with more candidate offsets than this after carrying its bounds gets a fresh pruned scan.
_CARRY_LIMIT = 24


class LipschitzTracker:
    """Exact grid Lipschitz estimates of a batch of landscapes that change a little from call to call.

    Each call returns exactly :func:`lipschitz_batch` of its landscapes (the
    same floating-point value, bit for bit), but carries every landscape's
    per-offset bounds to the next call: with ``Δ = O_t − O_s`` between two
    calls, the largest difference at offset ``(i, j)`` satisfies
    ``D_t(i, j) <= D_s(i, j) + min(2 max|Δ|, i dx + j dy)``, where ``dx`` and
    ``dy`` are the largest differences of ``Δ`` between neighbours along each
    axis. Starting from the exact value at the offset that gave the previous
    estimate, only offsets whose bound divided by their distance exceeds the
    current estimate are scanned exactly (their bounds become exact again), so
    after a small training step a few offset scans per landscape replace a
    pruned scan. The scans of all the landscapes are made together, a few
    rounds of one vectorised call each (:func:`_scan_candidates`). A landscape
    without a previous call, or with too many candidates, gets the pruned scan
    of :func:`lipschitz_batch`, which starts from its carried bounds.

    Parameters
    ----------
    points : int
        Grid size ``p``.
    interval : float
        Grid spacing ``h``.
    norm_type : {"L-1", "L-2", "L-inf"}

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-1, 1, 41)
    >>> first = np.stack([np.outer(x, x), np.add.outer(x, x)]).astype(np.float32)
    >>> tracker = LipschitzTracker(41, 0.05)
    >>> later = first * np.float32(1.01)
    >>> a, b = tracker.estimate(first), tracker.estimate(later)
    >>> bool((a == lipschitz_batch(first, 0.05)).all()), bool((b == lipschitz_batch(later, 0.05)).all())
    (True, True)
    >>> tracker.keep(np.array([False, True]))      # landscape 0 leaves the batch
    >>> tracker.estimate(first[1:]).shape
    (1,)
    """

    def __init__(self, points, interval, norm_type: str = "L-2"):
        _check_norm(norm_type)
        self.points = check_points(points)
        self.interval = check_positive_float(interval, "interval")
        self.distances = _offset_distances_cached(self.points, float(self.interval), norm_type).ravel()
        self.divisors = self.distances.copy()  # the distances, infinite at offset 0 (its ratio is 0)
        self.divisors[0] = np.inf
        self.offsets = np.stack(np.divmod(np.arange(self.points**2), self.points)).astype(np.float64)  # (i, j) rows
        self.padded = None    # (n, 2p - 1, 2p - 1) landscapes of the last call, NaN-padded (see _padded)
        self.upper = None     # (n, p * p) upper bounds of the exact differences at the last call
        self.winner = None    # (n,) flat offset of each landscape's last estimate
        self.best = None      # (n,) the last estimates
        self.scans = 0        # exact (landscape, offset) scans done by the carried path (for benchmarks)

    def keep(self, mask) -> None:
        """Keep only the landscapes where the boolean ``mask`` (one entry per landscape) is true."""
        if self.padded is not None:
            mask = np.asarray(mask, dtype=bool)
            self.padded, self.upper, self.winner, self.best = (self.padded[mask], self.upper[mask],
                                                                self.winner[mask], self.best[mask])

    def reset(self) -> None:
        """Forget the carried bounds (the next call scans every landscape afresh)."""
        self.padded = self.upper = self.winner = self.best = None

    def estimate(self, landscapes) -> np.ndarray:
        """Grid Lipschitz estimates, shape (n,) float64, equal to ``lipschitz_batch(landscapes, interval)``.

        ``landscapes`` (n, p, p) must be the same landscapes, in the same order,
        as at the previous call (after :meth:`keep`), a little later.
        """
        batch = _as_batch(landscapes)
        p = self.points
        if batch.ndim != 3 or batch.shape[1:] != (p, p):
            raise ValueError(f"landscapes must have shape (n, {p}, {p}), got {tuple(batch.shape)}.")
        chunk = np.ascontiguousarray(batch.cpu().numpy())
        n = chunk.shape[0]
        span = chunk.max(axis=(1, 2)) - chunk.min(axis=(1, 2))  # D <= span, exactly
        if not np.isfinite(span).all():  # NaN and infinities reach the span (which may also overflow)
            check_finite(chunk, "landscapes")
        # A relative slack on the exact differences covers their rounding in the landscapes' dtype.
        eps = float(np.finfo(chunk.dtype).eps)
        slack = 1 + max(_CARRY_SLACK, 8 * eps)
        if self.padded is None or self.padded.shape[0] != n or self.padded.dtype != chunk.dtype or p < 2:
            best, upper, self.winner = _lipschitz_chunk(chunk, self.distances.reshape(p, p), bounds=True)
            self.padded, self.upper, self.best = _padded(chunk), upper * slack, best.copy()
            return best
        try:
            return self._carry(chunk, span, eps, slack)
        except BaseException:  # the carried state may be half updated
            self.reset()
            raise

    def _carry(self, chunk, span, eps, slack):
        """The estimates from the carried bounds (see the class description); updates the carried state."""
        n, p = chunk.shape[0], self.points
        padded = self.padded
        previous = padded[:, :p, :p]
        # Δ in the landscapes' dtype (each value within a relative eps / 2), its largest value and neighbour
        # differences (each within eps times the largest value)
        change = chunk - previous
        largest = _largest_magnitude(change)
        dx = _largest_magnitude(change[:, 1:] - change[:, :-1])
        dy = _largest_magnitude(change[:, :, 1:] - change[:, :, :-1])
        previous[...] = chunk  # padded now holds this call's landscapes
        # D grows by at most min(2 max|Δ|, i dx + j dy) at offset (i, j) (one matrix product). The factor and the
        # term in max|Δ| cover the rounding of Δ and of the float64 sums (every offset but 0 has i + j >= 1).
        margin = (4 * eps + 1e-12) * largest
        growth = np.stack([dx * slack + margin, dy * slack + margin], axis=1) @ self.offsets
        np.minimum(growth, (2 * slack * largest + margin)[:, None], out=growth)
        # The previous estimate, less the growth at its offset, is a floor of this one: every offset whose ratio
        # exceeds this estimate exceeds the floor (the factor covers the rounding).
        everyone, winner = np.arange(n), self.winner
        floor = self.best * (1 - 4 * (slack - 1)) - growth[everyone, winner] / self.distances[winner]
        upper = np.add(self.upper, growth, out=growth)
        ratio = np.minimum(upper, span.astype(np.float64)[:, None])
        np.divide(ratio, self.divisors, out=ratio)
        ratio[everyone, winner] = np.inf  # the previous winning offsets are scanned first, whatever their bounds
        candidates = np.flatnonzero(ratio > np.maximum(floor, 0.0)[:, None])
        nets, offsets = np.divmod(candidates, p * p)
        counts = np.bincount(nets, minlength=n)
        fresh = np.flatnonzero(counts > _CARRY_LIMIT + 1)
        if fresh.size:  # of these, only the previous winning offsets (they start the pruned scan)
            carried = (counts[nets] <= _CARRY_LIMIT + 1) | (offsets == winner[nets])
            candidates, nets, offsets = candidates[carried], nets[carried], offsets[carried]
        # All the candidates in a round or two, the winning offsets first (their estimates are exact quotients).
        best = np.zeros(n)
        self.scans += _scan_candidates(padded, best, nets, offsets, ratio.ravel()[candidates], self.distances,
                                       upper, winner, slack)
        if fresh.size:  # the pruned scan, starting from what is known (it bounds the same differences)
            best[fresh], bounds, winner[fresh] = _lipschitz_chunk(
                chunk[fresh], self.distances.reshape(p, p), bounds=True, carried=(upper[fresh], best[fresh],
                                                                                  winner[fresh]))
            upper[fresh] = bounds * slack
        self.upper, self.best = upper, best.copy()
        return best


def _largest_magnitude(values: np.ndarray) -> np.ndarray:
    """``max |values|`` over the last two axes of an (n, a, b) array, as float64 (no array of absolute values)."""
    return np.maximum(values.max(axis=(1, 2)), -values.min(axis=(1, 2))).astype(np.float64)


def _estimate_lipschitz_loop(output: np.ndarray, interval: float, norm_type: str) -> float:
    """Literal per-offset reference path, for tests and benchmarks."""
    if output.max() - output.min() <= 0:
        return 0.0
    p = output.shape[0]
    best = 0.0
    for i in range(p):
        for j in range(p):
            if i == 0 and j == 0:
                continue
            a = output[i:, j:] - output[: p - i, : p - j]
            b = output[i:, : p - j] - output[: p - i, j:]
            extreme = max(np.max(a), np.max(-a), np.max(b), np.max(-b))
            best = max(best, float(extreme) / _distance(i, j, interval, norm_type))
    return best


def _check_landscape(output, points, name="output") -> np.ndarray:
    if isinstance(output, torch.Tensor):
        output = output.detach().cpu().numpy()
    output = np.asarray(output)
    if output.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be numeric, got dtype {output.dtype}.")
    if output.shape != (points, points):
        raise ValueError(f"{name} must have shape ({points}, {points}), got {output.shape}.")
    check_finite(output, name)
    return output


def estimate_lipschitz(value_range, points, output, norm_type: str = "L-2") -> float:
    """Grid Lipschitz estimate of one landscape.

    Parameters
    ----------
    value_range : (float, float)
        Input domain of both axes.
    points : int
        Grid size ``p``.
    output : array-like of shape (p, p)
        The landscape, used as given (no normalisation).
    norm_type : {"L-1", "L-2", "L-inf"}

    Returns
    -------
    float
        ``max |O(p) - O(q)| / ||p - q||`` over distinct grid points; 0.0 for a
        constant landscape.
    """
    _check_norm(norm_type)
    interval = grid_interval(value_range, points)
    output = _check_landscape(output, points)
    if not np.issubdtype(output.dtype, np.floating):
        output = output.astype(np.float64)
    return float(lipschitz_batch(output[None], interval, norm_type)[0])


def estimate_lipschitz_by_motif(value_range, points, motif, norm_type: str = "L-2") -> float:
    """:func:`estimate_lipschitz` of ``calculate_landscape(value_range, points, motif)``."""
    from effect.operations import calculate_landscape

    return estimate_lipschitz(value_range, points, calculate_landscape(value_range, points, motif), norm_type)


def evaluate_propagation(value_range, points, motif, compute_type: str = "max") -> np.ndarray:
    """Normalised output change per input offset.

    Returns
    -------
    ndarray of shape (points, points), float64
        ``P[i, j] = stat(|A(i, j)| ∪ |B(i, j)|) / range``; all zeros for a
        constant landscape.
    """
    from effect.operations import calculate_landscape

    if compute_type not in PROPAGATION_TYPES:
        raise ValueError(f"compute_type must be one of {PROPAGATION_TYPES}, got {compute_type!r}.")
    landscape = np.asarray(calculate_landscape(value_range, points, motif))
    return _propagation(landscape, compute_type)


def _propagation(landscape: np.ndarray, compute_type: str) -> np.ndarray:
    p = landscape.shape[0]
    span = float(landscape.max() - landscape.min())
    result = np.zeros((p, p), dtype=np.float64)
    if span <= 0:
        return result
    stat = {"max": np.max, "mean": np.mean, "median": np.median, "min": np.min}[compute_type]
    for i in range(p):
        for j in range(p):
            if i == 0 and j == 0:
                continue
            a = landscape[i:, j:] - landscape[: p - i, : p - j]
            b = landscape[i:, : p - j] - landscape[: p - i, j:]
            result[i, j] = stat(np.abs(np.concatenate([a.ravel(), b.ravel()]))) / span
    return result
