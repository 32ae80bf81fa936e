"""Nearest-landscape differences as tiled matrix products.

For two sets of flattened landscapes ``A`` (N1, P) and ``B`` (N2, P) the
reference computes, for every row of ``A``, the smallest mean squared error
(``"L-2"``) or mean absolute error (``"L-1"``) to any row of ``B`` -- or, in
self mode (``B`` omitted), to any *other* row of ``A``.

``"L-2"`` either bounds every pair from below in a low-dimensional projection
(``method="projection"``, the default for large sets; see
:func:`_nearest_l2_projected`) and checks only the few pairs the bounds cannot
discard, or uses ``||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b`` in float32 GEMM
tiles with a running minimum (``method="gemm"``, brute force). Every candidate
whose float32 estimate lies within a rounding-error margin of its row's minimum
is re-checked exactly in float64, so the returned values are exact float64 MSEs
of the winning pairs (the ranking cannot be changed by float32 rounding). ``"L-1"``
uses tiled ``torch.cdist(p=1)`` in float64 with the same exact re-check of
every near-minimum candidate. Ties go to the smallest index in every path.

Memory is bounded by blocks: no path copies a whole set to float64, so a call
needs little more than its inputs (a float32 set of 441,000 landscapes of
41 x 41 points, 2.8 GiB, is searched against itself in about 3.4 GiB).

:func:`_nearest_differences_loop` is the literal per-row reference path.

Examples
--------
>>> import numpy as np
>>> from effect.nearest import nearest_differences
>>> a = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.5]])
>>> nearest_differences(a).tolist()
[0.125, 0.625, 0.125]
"""

from __future__ import annotations

import math

import numpy as np
import torch
from tqdm.auto import tqdm

from effect._checks import check_finite, check_positive_int

__all__ = ["nearest_differences", "nearest_indices"]

_NORMS = ("L-1", "L-2")
_METHODS = ("auto", "gemm", "projection")
_AUTO_PROJECTION_ROWS = 1024
_AUTO_PROJECTION_PAIRS = 5 * 10**7  # below this many pairs the GEMM path is as fast (measured, noisy)
_U32 = 2.0**-24  # unit roundoff of float32
_CHECK_ROWS = 4096  # rows per block of the finiteness check and of the squared norms


def _as_2d(landscapes, name):
    if isinstance(landscapes, torch.Tensor):
        landscapes = landscapes.detach().cpu().numpy()
    array = np.asarray(landscapes)
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}.")
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (N, points**2), got {array.shape}.")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one landscape.")
    for start in range(0, array.shape[0], _CHECK_ROWS):  # in blocks: no full-size boolean temporary
        check_finite(array[start : start + _CHECK_ROWS], name)
    return array


def nearest_indices(landscapes_1, landscapes_2=None, norm_type="L-2", block_rows=1024, block_cols=8192,
                    verbose=False, method="auto"):
    """Distance to and index of the nearest landscape for every row of ``landscapes_1``.

    Parameters
    ----------
    landscapes_1 : array of shape (N1, P)
    landscapes_2 : array of shape (N2, P), optional
        Without it, self mode: the nearest *other* row of ``landscapes_1``.
    norm_type : {"L-2", "L-1"}
        ``"L-2"`` = mean squared difference (no square root), ``"L-1"`` = mean
        absolute difference.
    block_rows, block_cols : int
        Tile sizes.
    verbose : bool
        Show a tqdm progress bar over row blocks.
    method : {"auto", "gemm", "projection"}
        ``"gemm"``: tiled float32 matrix products with an exact float64
        re-check of every candidate near a row's minimum. ``"projection"``
        (``"L-2"`` only): lower bounds from a low-dimensional orthonormal
        projection plus the norm of the residual discard almost every pair
        before the exact float64 check (see :func:`_nearest_l2_projected`).
        ``"auto"`` uses ``"projection"`` for ``"L-2"`` when the second set has
        at least 1024 rows and there are at least 5e7 pairs (its cost grows
        about like ``N1 + N2`` on landscapes of a low-dimensional family, the
        GEMM's like ``N1 * N2``). All methods return the same values and
        indices. ``"L-1"`` always uses tiled ``torch.cdist`` (brute force).

    Returns
    -------
    distances : ndarray of shape (N1,), float64
    indices : ndarray of shape (N1,), int64
        Index into ``landscapes_2`` (or ``landscapes_1`` in self mode) of the
        nearest row; the first such index on exact ties. ``-1`` for the
        single-row self-mode case, whose distance is 1.0 as in the reference.
    """
    if norm_type not in _NORMS:
        raise ValueError(f"norm_type must be one of {_NORMS}, got {norm_type!r}.")
    block_rows = check_positive_int(block_rows, "block_rows")
    block_cols = check_positive_int(block_cols, "block_cols")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    if method == "projection" and norm_type != "L-2":
        raise ValueError("method='projection' supports norm_type='L-2' only.")
    first = _as_2d(landscapes_1, "landscapes_1")
    self_mode = landscapes_2 is None
    second = first if self_mode else _as_2d(landscapes_2, "landscapes_2")
    if second.shape[1] != first.shape[1]:
        raise ValueError(
            f"landscapes_1 and landscapes_2 must have the same number of points, got {first.shape[1]} and "
            f"{second.shape[1]}."
        )
    n1 = first.shape[0]
    if self_mode and n1 == 1:
        # Reference: the self entry is replaced by (row max + 1) = 1.0 and is the only entry.
        return np.ones(1), np.full(1, -1, dtype=np.int64)
    if norm_type == "L-1":
        return _nearest_l1(first, second, self_mode, block_rows, block_cols, verbose)
    large = second.shape[0] >= _AUTO_PROJECTION_ROWS and n1 * second.shape[0] >= _AUTO_PROJECTION_PAIRS
    if method == "projection" or (method == "auto" and large):
        return _nearest_l2_projected(first, second, self_mode, block_rows, verbose)
    return _nearest_l2(first, second, self_mode, block_rows, block_cols, verbose)


def nearest_differences(landscapes_1, landscapes_2=None, norm_type="L-2", verbose=False, **tiles):
    """Nearest-landscape distance of every row (see :func:`nearest_indices`), shape (N1,), float64."""
    return nearest_indices(landscapes_1, landscapes_2, norm_type, verbose=verbose, **tiles)[0]


def _exact(first, second, rows, cols, norm_type="L-2", chunk=128):
    """Float64 mean squared (or absolute) difference of the pairs ``(first[rows[k]], second[cols[k]])``, (n,).

    The rows are widened exactly to float64, then each pair's mean is taken like the reference loop's; pairs go
    in small chunks, so the temporaries stay in cache and memory is bounded.
    """
    out = np.empty(len(rows))
    for start in range(0, len(rows), chunk):
        diff = first[rows[start : start + chunk]].astype(np.float64)
        diff -= second[cols[start : start + chunk]]
        if norm_type == "L-1":
            out[start : start + chunk] = np.abs(diff, out=diff).mean(axis=1)
        else:
            out[start : start + chunk] = np.multiply(diff, diff, out=diff).mean(axis=1)
    return out


def _squared_norms(rows):
    """Float64 squared norm of every row, (n,), computed in blocks."""
    out = np.empty(rows.shape[0])
    for start in range(0, rows.shape[0], _CHECK_ROWS):
        block = rows[start : start + _CHECK_ROWS].astype(np.float64)
        out[start : start + _CHECK_ROWS] = (block * block).sum(axis=1)
    return out


def _mask_diagonal(block, start, stop, col_start, col_stop):
    """Exclude self pairs (global row == global column) of a tile in self mode."""
    overlap = torch.arange(max(start, col_start), max(min(stop, col_stop), max(start, col_start)))
    block[overlap - start, overlap - col_start] = math.inf


def _nearest_l2(first, second, self_mode, block_rows, block_cols, verbose, exclude=None):
    """GEMM path; ``exclude`` (N1,) optionally names one column per row to skip (self pairs of a subset)."""
    n1, points = first.shape
    # no float64 copies of the sets: squared norms in blocks, exact checks widen the pairs they need
    a32 = torch.from_numpy(np.ascontiguousarray(first, dtype=np.float32))
    b32 = a32 if self_mode else torch.from_numpy(np.ascontiguousarray(second, dtype=np.float32))
    sq_a = _squared_norms(first)
    sq_b = sq_a if self_mode else _squared_norms(second)
    sq_a32 = torch.from_numpy(sq_a.astype(np.float32))
    sq_b32 = torch.from_numpy(sq_b.astype(np.float32))
    # Rounding-error bound of the float32 estimate of ||a - b||^2 (GEMM accumulation, the
    # rounded squared norms and the final combination), per row, in squared-difference units:
    # |error| <= gamma * (||a|| + max ||b||)^2 with gamma = (P + 8) u / (1 - (P + 8) u).
    gamma = (points + 8) * _U32 / (1 - (points + 8) * _U32)
    margins = gamma * (np.sqrt(sq_a) + np.sqrt(sq_b.max())) ** 2 + 1e-30
    distances = np.empty(n1, dtype=np.float64)
    indices = np.empty(n1, dtype=np.int64)
    for start in tqdm(range(0, n1, block_rows), disable=not verbose, desc="differences", leave=False):
        stop = min(start + block_rows, n1)
        rows = a32[start:stop]
        margin = torch.from_numpy(margins[start:stop])
        best = torch.full((stop - start,), math.inf, dtype=torch.float64)  # upper bound of each row's min
        candidates = []
        for col_start in range(0, second.shape[0], block_cols):
            col_stop = min(col_start + block_cols, second.shape[0])
            estimate = rows @ b32[col_start:col_stop].T
            estimate.mul_(-2.0).add_(sq_b32[None, col_start:col_stop]).add_(sq_a32[start:stop, None])
            if self_mode:
                _mask_diagonal(estimate, start, stop, col_start, col_stop)
            if exclude is not None:
                skip = torch.from_numpy(exclude[start:stop])
                inside = (skip >= col_start) & (skip < col_stop)
                estimate[torch.nonzero(inside).reshape(-1), skip[inside] - col_start] = math.inf
            best = torch.minimum(best, estimate.amin(dim=1).double() + margin)
            # Candidate if its lower bound (estimate - margin) does not exceed the row's upper bound.
            threshold = torch.nextafter((best + margin).float(), torch.tensor(math.inf))
            r, c = torch.nonzero(estimate <= threshold[:, None], as_tuple=True)
            candidates.append((r, c + col_start, estimate[r, c].double()))
        r = torch.cat([item[0] for item in candidates])
        c = torch.cat([item[1] for item in candidates])
        low = torch.cat([item[2] for item in candidates]) - margin[r]
        final = low <= best[r]  # drop candidates that a later tile ruled out
        r, c = r[final].numpy(), c[final].numpy()
        rows_won, value, column = _first_per_row(r, c, _exact(first, second, r + start, c))
        distances[start + rows_won], indices[start + rows_won] = value, column
    return distances, indices


# Projection search: dimensions of the projection, rows of the sample that defines it, first number of
# candidates per row, and the candidate count beyond which a row is checked against every row exactly.
_PROJECTION_DIMENSIONS = 32
_PROJECTION_SAMPLE = 2000
_FIRST_CANDIDATES = 8
_MOST_CANDIDATES = 4096
_FALLBACK_ROWS = 8192  # rows per call of the GEMM fallback (bounded memory)
_EMBED_ROWS = 256  # rows per block of the embedding (float64 temporaries stay in cache)


def _embed(rows, centre, basis):
    """``(projection, residual norm)`` coordinates (n, d + 1) and squared centred norms (n,), float64.

    Small blocks keep the float64 temporaries in cache.
    """
    d = basis.shape[1]
    out = np.empty((rows.shape[0], d + 1))
    norms = np.empty(rows.shape[0])
    for start in range(0, rows.shape[0], _EMBED_ROWS):
        stop = min(start + _EMBED_ROWS, rows.shape[0])
        centred = rows[start:stop].astype(np.float64)
        centred -= centre
        projected = centred @ basis
        norms[start:stop] = np.einsum("ij,ij->i", centred, centred)
        centred -= projected @ basis.T  # the residual
        out[start:stop, :d] = projected
        out[start:stop, d] = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    return out, norms


def _principal_directions(centred, dimensions, power_iterations=2):
    """Orthonormal (P, d) basis close to the top principal directions (seeded randomized range finder).

    Any orthonormal basis keeps the search exact; a good one only makes it faster.
    """
    generator = np.random.default_rng(0)
    sketch = centred @ generator.standard_normal((centred.shape[1], min(centred.shape[1], dimensions + 8)))
    for _ in range(power_iterations):
        sketch = centred @ (centred.T @ np.linalg.qr(sketch)[0])
    range_basis = np.linalg.qr(sketch)[0]
    directions = np.linalg.svd(range_basis.T @ centred, full_matrices=False)[2][:dimensions].T
    return np.linalg.qr(directions)[0]  # orthonormal to working precision whatever the sample's rank


def _nearest_l2_projected(first, second, self_mode, block_rows, verbose):
    """Exact nearest rows (mean squared difference) via projection lower bounds and a KD-tree.

    With an orthonormal basis ``V`` (the top principal directions of a sample of
    ``second``) and ``r(x) = (x - c) - V Vᵀ (x - c)`` the residual of a centred
    row, ``||a - b||² = ||Vᵀ(a - b)||² + ||r(a) - r(b)||² >= ||Vᵀ(a - b)||² + (||r(a)|| - ||r(b)||)²``:
    the squared Euclidean distance between the embeddings ``(Vᵀ(x - c), ||r(x)||)``
    never exceeds the true one. A KD-tree over the embedded ``second`` returns
    each row's ``k`` candidates with the smallest bounds; their exact float64
    distances are computed as in the GEMM path. A row is finished when the
    ``k``-th bound exceeds its best exact distance (plus a rounding margin),
    since every other row's bound, hence its distance, is at least as large;
    otherwise ``k`` grows. Ties go to the smallest index, as in the GEMM path.
    """
    from scipy.spatial import cKDTree

    n1, points = first.shape
    n2 = second.shape[0]
    sample = second[np.unique(np.linspace(0, n2 - 1, min(n2, _PROJECTION_SAMPLE)).astype(np.int64))]
    sample = sample.astype(np.float64)
    centre = sample.mean(axis=0)
    dimensions = max(1, min(_PROJECTION_DIMENSIONS, points - 1, sample.shape[0]))
    basis = _principal_directions(sample - centre, dimensions)
    embedded_2, norms_2 = _embed(second, centre, basis)
    embedded_1, norms_1 = (embedded_2, norms_2) if self_mode else _embed(first, centre, basis)
    tree = cKDTree(embedded_2)
    # rounding margin in squared-difference (sum) units: generous against float64 errors of ~1e-13
    margins = 1e-9 * (norms_1 + norms_2.max()) + 1e-300
    distances = np.full(n1, np.inf)
    indices = np.full(n1, -1, dtype=np.int64)
    pending = np.arange(n1)
    count = min(n2, _FIRST_CANDIDATES + int(self_mode))
    progress = tqdm(total=n1, disable=not verbose, desc="differences", leave=False)
    while pending.size and count < n2 and count <= _MOST_CANDIDATES:
        unresolved = []
        for start in range(0, pending.size, block_rows):
            rows = pending[start : start + block_rows]
            found, candidates = tree.query(embedded_1[rows], k=count)
            bounds = found.reshape(rows.size, count) ** 2
            candidates = candidates.reshape(rows.size, count)
            valid = candidates != rows[:, None] if self_mode else np.ones(candidates.shape, dtype=bool)
            # the first valid candidate's exact distance is an upper bound of the row's minimum; only
            # candidates whose lower bound does not exceed it can win or tie
            leader = np.argmax(valid, axis=1)
            upper = _exact(first, second, rows, candidates[np.arange(rows.size), leader]) * points
            check = valid & (bounds <= (upper + margins[rows])[:, None])
            check[np.arange(rows.size), leader] = True
            r = np.broadcast_to(rows[:, None], check.shape)[check]
            c = candidates[check]
            best_rows, best, best_cols = _first_per_row(r, c, _exact(first, second, r, c))
            done = bounds[np.searchsorted(rows, best_rows), -1] > best * points + margins[best_rows]
            distances[best_rows[done]] = best[done]
            indices[best_rows[done]] = best_cols[done]
            unresolved.append(best_rows[~done])
            progress.update(int(done.sum()))
        pending = np.concatenate(unresolved)
        count = min(n2, count * 4)
    for start in range(0, pending.size, _FALLBACK_ROWS):  # rows the bounds could not settle: GEMM over all
        rows = pending[start : start + _FALLBACK_ROWS]
        distances[rows], indices[rows] = _nearest_l2(first[rows], second, False, block_rows, 8192, False,
                                                     exclude=rows if self_mode else None)
    progress.close()
    return distances, indices


def _nearest_l1(first, second, self_mode, block_rows, block_cols, verbose):
    """Tiled float64 ``torch.cdist(p=1)`` with a running minimum; every candidate within a rounding margin of its
    row's minimum is re-checked exactly, as in the GEMM path (no float64 copies of the sets)."""
    n1, points = first.shape
    # relative error bound of a float64 sum of P absolute differences and of the exact check, generous
    gamma = 4 * (points + 8) * 2.0**-53
    distances = np.empty(n1, dtype=np.float64)
    indices = np.empty(n1, dtype=np.int64)
    for start in tqdm(range(0, n1, block_rows), disable=not verbose, desc="differences", leave=False):
        stop = min(start + block_rows, n1)
        rows = torch.from_numpy(first[start:stop].astype(np.float64))
        best = torch.full((stop - start,), math.inf, dtype=torch.float64)  # upper bound of each row's min
        candidates = []
        for col_start in range(0, second.shape[0], block_cols):
            col_stop = min(col_start + block_cols, second.shape[0])
            columns = torch.from_numpy(second[col_start:col_stop].astype(np.float64))
            block = torch.cdist(rows, columns, p=1) / points
            if self_mode:
                _mask_diagonal(block, start, stop, col_start, col_stop)
            best = torch.minimum(best, block.amin(dim=1) * (1 + gamma))
            r, c = torch.nonzero(block * (1 - gamma) <= best[:, None], as_tuple=True)
            candidates.append((r, c + col_start, block[r, c]))
        r = torch.cat([item[0] for item in candidates])
        c = torch.cat([item[1] for item in candidates])
        final = torch.cat([item[2] for item in candidates]) * (1 - gamma) <= best[r]
        r, c = r[final].numpy(), c[final].numpy()
        rows_won, value, column = _first_per_row(r, c, _exact(first, second, r + start, c, "L-1"))
        distances[start + rows_won], indices[start + rows_won] = value, column
    return distances, indices


def _first_per_row(rows, cols, exact):
    """Per distinct row: the smallest exact distance, ties to the smallest column -> (rows, distances, columns)."""
    order = np.lexsort((cols, exact, rows))
    rows, cols, exact = rows[order], cols[order], exact[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    return rows[first], exact[first], cols[first]


def _nearest_differences_loop(landscapes_1, landscapes_2=None, norm_type="L-2"):
    """Literal per-row reference path, float64."""
    first = np.asarray(landscapes_1, dtype=np.float64)
    self_mode = landscapes_2 is None
    second = first if self_mode else np.asarray(landscapes_2, dtype=np.float64)
    result = -np.ones(first.shape[0])
    for k, row in enumerate(first):
        diff = second - row
        values = np.abs(diff).mean(axis=1) if norm_type == "L-1" else (diff * diff).mean(axis=1)
        if self_mode:
            values[k] = values.max() + 1
        result[k] = values.min()
    return result
