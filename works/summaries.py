"""Statistics the packers share: kernel densities, binned counts, landscapes and curvature, rank correlations.

Packers (``works/tasks/*``) summarise stored raw data with these functions; none of them runs an experiment.

Examples
--------
>>> import numpy as np
>>> x, y = kde_curve([0.1, 0.2, 0.4], 0.0, 1.0, points=5)
>>> x.tolist()
[0.0, 0.25, 0.5, 0.75, 1.0]
>>> nearest_bin_counts([0.0, 1.0], [0.0, 1.0], (0, 1), (0, 1), bins=2).tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from effect.engine import grid_inputs, motif_outputs, raw_outputs
from effect.operations import detect_curvature_feature

__all__ = ["KDE_POINTS", "curvature_batch", "curvature_proportion", "embed_2d", "escape_extremes", "gradient_norms",
           "kde_curve", "kde_density_2d", "landscapes", "nearest_bin_counts", "row_spearman", "spearman"]

#: Largest number of points fed to one 2-D KDE (a seeded subsample beyond; Spearman always uses every point).
KDE_POINTS = 20000


def kde_curve(values, low: float, high: float, points: int = 100):
    """``(x, y)``: :class:`scipy.stats.gaussian_kde` (default bandwidth) of ``values`` on
    ``linspace(low, high, points)``.

    Degenerate inputs (fewer than two distinct finite values) give a unit spike at the nearest grid point
    (all zeros when there is no value at all).
    """
    x = np.linspace(low, high, points)
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if np.unique(values).size >= 2:
        try:
            return x, stats.gaussian_kde(values)(x)
        except np.linalg.LinAlgError:
            pass
    y = np.zeros(points)
    if values.size:
        y[int(np.argmin(np.abs(x - values.mean())))] = 1.0
    return x, y


def nearest_bin_counts(x_values, y_values, x_range, y_range, bins: int = 100) -> np.ndarray:
    """Counts ``(bins_y, bins_x)`` of points assigned to the NEAREST of ``linspace(range, bins)`` on each axis.

    Only points inside both ranges are counted (Fig. 2d/e: 100 × 100 counts over
    ``linspace(0, 0.03, 100)`` × ``linspace(0.6, 2.4, 100)``; rows = y, columns = x).
    """
    x_values, y_values = np.asarray(x_values, float), np.asarray(y_values, float)
    keep = ((x_values >= x_range[0]) & (x_values <= x_range[1]) & (y_values >= y_range[0]) & (y_values <= y_range[1]))
    ix = np.rint((x_values[keep] - x_range[0]) / (x_range[1] - x_range[0]) * (bins - 1)).astype(int)
    iy = np.rint((y_values[keep] - y_range[0]) / (y_range[1] - y_range[0]) * (bins - 1)).astype(int)
    counts = np.zeros((bins, bins))
    np.add.at(counts, (iy, ix), 1.0)
    return counts


def landscapes(params, motif_type: str, points: int = 41) -> np.ndarray:
    """Normalised landscapes ``(B, points, points)`` (float64 copy of the float32 engine output)."""
    params = torch.as_tensor(np.asarray(params, dtype=np.float32).reshape(-1, np.shape(params)[-1]))
    with torch.no_grad():
        out = motif_outputs(params, motif_type, grid_inputs((-1, 1), points))
    return out.double().numpy().reshape(-1, points, points)


def curvature_batch(surfaces, interval: float) -> np.ndarray:
    """Curvature labels of a batch of landscapes ``(B, p, p)``: +1 cap ("convex"), −1 bowl ("concave"), 0 other.

    ``effect.operations.detect_curvature_feature`` (reference semantics) over the batch.
    """
    surfaces = np.asarray(surfaces, dtype=np.float64)
    if surfaces.ndim != 3:
        raise ValueError(f"surfaces must have shape (B, p, p), got {surfaces.shape}.")
    return detect_curvature_feature(surfaces, interval)


def curvature_proportion(labels) -> np.ndarray:
    """Predominant curvature proportion ``max(#(+1), #(−1)) / p²`` per landscape of ``(B, p, p)`` labels."""
    labels = np.asarray(labels)
    size = labels.shape[1] * labels.shape[2]
    return np.maximum((labels == 1).sum(axis=(1, 2)), (labels == -1).sum(axis=(1, 2))) / size


def gradient_norms(params, motif_type: str, points: int = 41) -> np.ndarray:
    """``‖∇_x r‖`` of the RAW motif output at every grid point, ``(B, points, points)``.

    The normalised landscape's clean input-gradient norm (``effect.operations.calculate_gradients``) is this times the
    per-motif constant ``2/(M − m)``; rank statistics (Spearman) do not depend on it.
    """
    params = torch.as_tensor(np.asarray(params, dtype=np.float32))
    inputs = grid_inputs((-1, 1), points)

    def one(row):
        return torch.func.grad(lambda x: raw_outputs(row[None], motif_type, x).sum())(inputs)

    grads = torch.func.vmap(one)(params)
    return grads.norm(dim=-1).double().numpy().reshape(-1, points, points)


def row_spearman(first, second) -> np.ndarray:
    """Spearman correlation of matching rows of two ``(B, N)`` arrays (average ranks for ties; NaN if constant)."""
    a = stats.rankdata(np.asarray(first, float), axis=1)
    b = stats.rankdata(np.asarray(second, float), axis=1)
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (a * b).sum(axis=1) / np.where(denominator > 0, denominator, 1), np.nan)


def escape_extremes(loss) -> tuple[np.ndarray, np.ndarray]:
    """Per escape record, the iterations of the smallest ("before escaping") and largest ("after") loss."""
    loss = np.asarray(loss)
    return np.argmin(loss, axis=1), np.argmax(loss, axis=1)


def embed_2d(distances, seed: int = 0) -> np.ndarray:
    """2-D embedding of a precomputed distance matrix (scikit-learn metric MDS, SMACOF; replaces UMAP).

    Both coordinates are min–max scaled to [0, 1] as in the reference.
    """
    from sklearn.manifold import MDS

    model = MDS(n_components=2, metric="precomputed", n_init=1, init="classical_mds", random_state=seed,
                max_iter=300, normalized_stress="auto")
    points = model.fit_transform(np.asarray(distances, float))
    low, high = points.min(axis=0), points.max(axis=0)
    return (points - low) / np.where(high > low, high - low, 1.0)


def spearman(first, second) -> float:
    """:func:`scipy.stats.spearmanr` of two 1-D samples over their jointly finite entries (NaN if undefined)."""
    first, second = np.asarray(first, float).ravel(), np.asarray(second, float).ravel()
    keep = np.isfinite(first) & np.isfinite(second)
    first, second = first[keep], second[keep]
    if first.size < 2 or np.ptp(first) == 0 or np.ptp(second) == 0:
        return float("nan")
    return float(stats.spearmanr(first, second)[0])


def kde_density_2d(x_values, y_values, x_grid, y_grid, max_points: int = KDE_POINTS, seed: int = 0) -> np.ndarray:
    """2-D :class:`scipy.stats.gaussian_kde` (default bandwidth) on ``y_grid × x_grid``, normalised to max 1.

    Returns ``(len(y_grid), len(x_grid))`` (rows = y). Degenerate samples (fewer than 3 finite points or a
    singular covariance) give all zeros. More than ``max_points`` points are subsampled with a seeded generator.
    """
    x_values, y_values = np.asarray(x_values, float).ravel(), np.asarray(y_values, float).ravel()
    keep = np.isfinite(x_values) & np.isfinite(y_values)
    sample = np.vstack([x_values[keep], y_values[keep]])
    density = np.zeros((len(y_grid), len(x_grid)))
    if sample.shape[1] > max_points:
        sample = sample[:, np.sort(np.random.default_rng(seed).choice(sample.shape[1], max_points, replace=False))]
    if sample.shape[1] < 3:
        return density
    gx, gy = np.meshgrid(np.asarray(x_grid, float), np.asarray(y_grid, float))
    try:
        density = stats.gaussian_kde(sample)(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    except (np.linalg.LinAlgError, ValueError):
        return density
    peak = density.max()
    return density / peak if peak > 0 else density
