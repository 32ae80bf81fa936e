"""Numerical stability of motif landscapes: grid Lipschitz estimates and propagation.

For a ``(p, p)`` landscape ``O`` on a grid with spacing ``h`` and a shift
``(i, j)`` the reference compares ``A = O[u+i, v+j] - O[u, v]`` and
``B = O[u+i, v] - O[u, v+j]``; together they enumerate every unordered pair
of grid points once per offset. The Lipschitz estimate is the largest
difference quotient ``|O(p) - O(q)| / ||p - q||`` over all pairs of distinct
grid points.

:func:`lipschitz_batch` vectorises the estimate over a batch of landscapes and
over offsets, and skips offsets that provably cannot raise any estimate
(sub-additivity bounds), which keeps it exact and makes it fast.
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

import math

import numpy as np
import torch

from effect._checks import check_finite, check_points, check_positive_float, check_value_range

__all__ = [
    "NORM_TYPES",
    "PROPAGATION_TYPES",
    "grid_interval",
    "offset_distances",
    "lipschitz_batch",
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


def _pair_extremes(batch: torch.Tensor, i: int, j: int) -> torch.Tensor:
    """``max |A(i,j) ∪ B(i,j)|`` per landscape, computed in the landscapes' dtype."""
    p = batch.shape[-1]
    lower = batch[:, : p - i]
    upper = batch[:, i:]
    a = upper[:, :, j:] - lower[:, :, : p - j]
    b = upper[:, :, : p - j] - lower[:, :, j:]
    return torch.maximum(a.abs().amax(dim=(1, 2)), b.abs().amax(dim=(1, 2)))


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
        Landscapes processed together.

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
    batch = _as_batch(landscapes)
    if batch.ndim != 3 or batch.shape[1] != batch.shape[2]:
        raise ValueError(f"landscapes must have shape (B, p, p), got {tuple(batch.shape)}.")
    interval = check_positive_float(interval, "interval")
    check_finite(batch, "landscapes")
    distances = offset_distances(batch.shape[-1], float(interval), norm_type)
    result = np.zeros(batch.shape[0], dtype=np.float64)
    with torch.no_grad():
        for start in range(0, batch.shape[0], chunk_size):
            chunk = batch[start : start + chunk_size]
            result[start : start + chunk.shape[0]] = _lipschitz_chunk(chunk, distances).numpy()
    return result


# Relative slack on the pruning bounds: differences are rounded in the landscape dtype,
# so a computed difference may exceed the sum of its computed parts by a few ulps.
_BOUND_SLACK = 1.0 + 1e-6


def _lipschitz_chunk(chunk: torch.Tensor, distances: np.ndarray) -> torch.Tensor:
    """Exact pruned scan over offsets for one chunk of landscapes.

    ``D(i, j) = max |A(i, j) ∪ B(i, j)|`` is sub-additive along grid steps
    (``D(i, j) <= D(i-1, j) + D(1, 0)`` and ``<= D(i, j-1) + D(0, 1)``) and
    bounded by the range. Offsets whose bound divided by their distance cannot
    beat the current estimate are skipped per landscape; the others are
    computed exactly, and their exact values tighten later bounds.
    """
    n, p, _ = chunk.shape
    span = (chunk.amax(dim=(1, 2)) - chunk.amin(dim=(1, 2))).to(torch.float64)
    step_x = _pair_extremes(chunk, 1, 0).to(torch.float64)
    step_y = _pair_extremes(chunk, 0, 1).to(torch.float64)
    bounds = torch.empty((p, p, n), dtype=torch.float64)
    bounds[0, 0] = 0.0
    best = torch.zeros(n, dtype=torch.float64)
    rows = torch.arange(n)
    for i in range(p):
        for j in range(p):
            if i == 0 and j == 0:
                continue
            bound = span
            if i:
                bound = torch.minimum(bound, (bounds[i - 1, j] + step_x) * _BOUND_SLACK)
            if j:
                bound = torch.minimum(bound, (bounds[i, j - 1] + step_y) * _BOUND_SLACK)
            distance = distances[i, j]
            active = rows[bound / distance > best]
            if active.numel():
                subset = chunk if active.numel() == n else chunk[active]
                extreme = _pair_extremes(subset, i, j).to(torch.float64)
                bound = bound.clone()
                bound[active] = extreme
                best[active] = torch.maximum(best[active], extreme / distance)
            bounds[i, j] = bound
    return best


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
