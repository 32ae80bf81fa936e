"""Operations on motifs: input grids, landscapes, gradients, curvature, populations, differences.

Public names follow the original ``effect/operations.py`` (spec-effect §4).
Population work goes through the batched :mod:`effect.engine`;
``calculate_landscape`` and friends run one ``NeuralMotif`` (the per-item
reference path).

Examples
--------
>>> from effect.motifs import NeuralMotif
>>> from effect.operations import calculate_landscape
>>> catcher = NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
>>> landscape = calculate_landscape((-1, 1), 41, catcher)
>>> round(float(landscape[40, 20]), 6)   # f(1, 0) = tanh(0.5) / tanh(1)
0.606776
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
from tqdm.auto import tqdm

from effect._checks import check_finite, check_points, check_semantics, check_value_range
from effect.engine import grid_inputs, line_inputs, motif_outputs, raw_outputs
from effect.motifs import NeuralMotif
from effect.nearest import nearest_differences
from effect.structures import n_parameters, n_weights, weight_signs

__all__ = [
    "prepare_data",
    "prepare_data_flexible",
    "prepare_motifs",
    "calculate_landscape",
    "calculate_landscapes",
    "calculate_values",
    "calculate_gradients",
    "calculate_hessian_eigenvalues",
    "detect_curvature_feature",
    "generate_motifs",
    "generate_outputs",
    "calculate_differences",
]


def prepare_data(value_range, points=41) -> torch.Tensor:
    """Flattened ``"ij"`` meshgrid of ``linspace(a, b, points)`` on both axes, shape (points², 2), float32."""
    if len(check_value_range(value_range)) != 2:
        raise ValueError(f"value_range must have length 2, got {value_range!r}.")
    return grid_inputs(value_range, points)


def prepare_data_flexible(value_range_x, value_range_y, points=41, need_meshgrid=True) -> torch.Tensor:
    """Inputs over ``value_range_x`` × ``value_range_y``: meshgrid (points², 2) or paired line (points, 2)."""
    x = check_value_range(value_range_x, "value_range_x")
    y = check_value_range(value_range_y, "value_range_y")
    if len(x) != 2 or len(y) != 2:
        raise ValueError("value_range_x and value_range_y must each have length 2.")
    ranges = x + y
    return grid_inputs(ranges, points) if need_meshgrid else line_inputs(ranges, points)


def prepare_motifs(motif_type, motif_index, activations, aggregations, sample, weights=None, biases=None,
                   weight_bound=None, bias_bound=None, generator=None, semantics="reference") -> list:
    """``sample`` motifs: copies of the given parameters (first accepted sign flip) or random ones.

    With ``semantics="reference"`` the original's bug is kept: omitted bounds
    (``None``) reach ``NeuralMotif`` and raise ``TypeError``. ``"corrected"``
    uses the default bounds instead.
    """
    check_semantics(semantics)
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or sample < 0:
        raise ValueError(f"sample must be a non-negative integer, got {sample!r}.")
    if semantics == "corrected":
        weight_bound = (1e-3, 1.0) if weight_bound is None else weight_bound
        bias_bound = (-1.0, 1.0) if bias_bound is None else bias_bound
    options = {"weight_bound": weight_bound, "bias_bound": bias_bound, "semantics": semantics}
    if weights is None or biases is None:
        return [NeuralMotif(motif_type, motif_index, activations, aggregations, generator=generator, **options)
                for _ in range(sample)]
    motifs = []
    for _ in range(sample):
        chosen = None
        for flips in itertools.product((1, -1), repeat=len(weights)):
            try:
                chosen = NeuralMotif(motif_type, motif_index, activations, aggregations,
                                     weights=[f * w for f, w in zip(flips, weights)], biases=list(biases), **options)
                break
            except ValueError as error:
                if "weight value" not in str(error):
                    raise
        motifs.append(chosen)
    return motifs


def _check_motif(motif):
    if not isinstance(motif, torch.nn.Module):
        raise TypeError(f"motif must be a NeuralMotif (torch module), got {type(motif).__name__}.")


def _inputs(value_range, points, meshgrid=True):
    values = check_value_range(value_range)
    points = check_points(points)
    return grid_inputs(values, points) if meshgrid else line_inputs(values, points)


def calculate_landscape(value_range, points, motif) -> np.ndarray:
    """Normalised output of one motif on the ``points × points`` grid, float32 (spec-effect §4.4).

    ``value_range`` is ``(a, b)`` for both axes or ``(ax, bx, ay, by)``.
    """
    _check_motif(motif)
    inputs = _inputs(value_range, points)
    with torch.no_grad():
        return motif(inputs).reshape(points, points).numpy()


def calculate_landscapes(params, motif_type, value_range=(-1, 1), points=41, activations=None, aggregations=None,
                         batch_size=4096, verbose=False) -> np.ndarray:
    """Landscapes of many motifs, shape (B, points, points), float32 (batched :func:`calculate_landscape`).

    Parameters
    ----------
    params : array of shape (B, n_params)
        Rows ``weights + biases`` (e.g. from :func:`effect.structures.structure_parameters`).
    motif_type : str
    value_range, points : grid
    activations, aggregations : list of str, optional
        Default tanh and sum.
    batch_size : int
        Motifs per engine call.

    Examples
    --------
    >>> import numpy as np
    >>> calculate_landscapes(np.array([[0.5, 0.5, 0.0]]), "collider").shape
    (1, 41, 41)
    """
    params = np.asarray(params, dtype=np.float64)
    if params.ndim != 2 or params.shape[1] != n_parameters(motif_type):
        raise ValueError(f"params must have shape (B, {n_parameters(motif_type)}) for {motif_type}, "
                         f"got {params.shape}.")
    check_finite(params, "params")
    inputs = _inputs(value_range, points)
    out = np.empty((params.shape[0], points, points), dtype=np.float32)
    starts = range(0, params.shape[0], batch_size)
    with torch.no_grad():
        for start in tqdm(starts, disable=not verbose, desc="landscapes", leave=False):
            chunk = torch.from_numpy(params[start : start + batch_size])
            values = motif_outputs(chunk, motif_type, inputs, activations, aggregations)
            out[start : start + chunk.shape[0]] = values.reshape(-1, points, points).numpy()
    return out


def calculate_values(value_range, points, motif) -> np.ndarray:
    """Normalised output along the paired line ``(x_k, y_k)``, shape (points,), float32 (spec-effect §4.5)."""
    _check_motif(motif)
    inputs = _inputs(value_range, points, meshgrid=False)
    with torch.no_grad():
        return motif(inputs).reshape(-1).numpy()


def _motif_row(motif):
    return torch.tensor(np.array([w.value() for w in motif.w] + [b.value() for b in motif.b]))


def calculate_gradients(value_range, points, motif, semantics="reference") -> np.ndarray:
    """Input-gradient norm of the normalised landscape at every grid point, (points, points) float64.

    ``"corrected"``: the clean value ``(2 / (M - m)) * ||grad r(x_n)||`` everywhere
    (one vectorised pass). ``"reference"``: the original's accumulated input
    gradients (spec-effect §4.6) -- identical except at the raw argmin/argmax
    points (and their ties), whose readings are recomputed by backpropagating
    ``sum_{j <= n} out_j`` exactly as the original's p² backward passes would.
    """
    _check_motif(motif)
    check_semantics(semantics)
    inputs = _inputs(value_range, points).clone().requires_grad_(True)
    row = _motif_row(motif)[None]
    raw = raw_outputs(row, motif.t, inputs, motif.a, motif.g or None)[0]
    (gradient,) = torch.autograd.grad(raw.sum(), inputs)
    low, high = raw.min().item(), raw.max().item()
    scale = 1.0 if high - low < 1e-12 else 2.0 / (high - low)
    result = (gradient.double() * scale).norm(dim=1)
    if semantics == "reference" and high - low >= 1e-12:
        extremes = torch.nonzero((raw == raw.min()) | (raw == raw.max())).flatten().tolist()
        for n in extremes:
            probe = inputs.detach().clone().requires_grad_(True)
            out = motif(probe).reshape(-1)
            (accumulated,) = torch.autograd.grad(out[: n + 1].sum(), probe)
            result[n] = accumulated[n].double().norm()
    return result.reshape(points, points).numpy()


def calculate_hessian_eigenvalues(network, criterion, input_data, expected_landscape) -> np.ndarray:
    """Real parts of the eigenvalues of the loss Hessian w.r.t. all parameters (spec-effect §4.7).

    Parameters are flattened in registration order; the Hessian is exact
    (autograd second derivatives); eigenvalues come from the general routine,
    as in the original.
    """
    names, shapes, flat = [], [], []
    for name, parameter in network.named_parameters():
        names.append(name)
        shapes.append(parameter.shape)
        flat.append(parameter.detach().reshape(-1))
    if not flat:
        raise ValueError("network has no parameters.")
    theta = torch.cat(flat)
    sizes = [int(np.prod(s)) if len(s) else 1 for s in shapes]

    def loss(vector):
        pieces = torch.split(vector, sizes)
        params = {n: p.reshape(s) for n, p, s in zip(names, pieces, shapes)}
        output = torch.func.functional_call(network, params, (input_data,))
        return criterion(output, expected_landscape)

    hessian = torch.autograd.functional.hessian(loss, theta)
    return torch.linalg.eigvals(hessian).real.numpy()


def detect_curvature_feature(landscape, interval, semantics="reference", tolerance=1e-8) -> np.ndarray:
    """Label every cell +1 (cap, "convex" in the original), -1 (bowl, "concave") or 0 (saddle).

    Second derivatives by numpy ``gradient`` applied twice, symmetrised mixed
    term, closed-form eigenvalues of the 2×2 Hessian (spec-effect §4.8).
    ``"reference"`` compares the eigenvalues with exactly 0 (flat regions get
    rounding-noise labels); ``"corrected"`` treats ``|λ| <= tolerance * max|H|``
    as 0 and labels only strictly curved cells.

    Returns
    -------
    ndarray of the landscape's shape, float64 with values in {+1, 0, -1}
    """
    check_semantics(semantics)
    landscape = np.asarray(landscape, dtype=np.float64)
    if landscape.ndim != 2 or min(landscape.shape) < 2:
        raise ValueError(f"landscape must be a 2-D array with both sides >= 2, got shape {landscape.shape}.")
    check_finite(landscape, "landscape")
    if not np.isfinite(interval) or interval <= 0:
        raise ValueError(f"interval must be a positive number, got {interval!r}.")
    gx, gy = np.gradient(landscape, interval)
    hxx, gxy = np.gradient(gx, interval)
    gyx, hyy = np.gradient(gy, interval)
    hxy = (gxy + gyx) / 2
    centre = (hxx + hyy) / 2
    radius = np.sqrt(((hxx - hyy) / 2) ** 2 + hxy**2)
    low, high = centre - radius, centre + radius
    labels = np.zeros_like(landscape)
    if semantics == "reference":
        labels[high <= 0] = 1.0
        labels[(high > 0) & (low >= 0)] = -1.0
        return labels
    scale = max(np.abs(hxx).max(), np.abs(hyy).max(), np.abs(hxy).max())
    zero = tolerance * scale
    low = np.where(np.abs(low) <= zero, 0.0, low)
    high = np.where(np.abs(high) <= zero, 0.0, high)
    labels[(high <= 0) & (low < 0)] = 1.0
    labels[(low >= 0) & (high > 0)] = -1.0
    return labels


def _parameter_grid(motif_type, motif_index, weight_groups, bias_groups, weight_bound=(1e-3, 1.0)):
    n_w = n_weights(motif_type)
    if len(weight_groups) != n_w:
        raise ValueError(f"{motif_type} needs {n_w} weight groups, got {len(weight_groups)}.")
    n_b = n_parameters(motif_type) - n_w
    if len(bias_groups) != n_b:
        raise ValueError(f"{motif_type} needs {n_b} bias groups, got {len(bias_groups)}.")
    groups = [np.asarray(g, dtype=np.float64).reshape(-1) for g in list(weight_groups) + list(bias_groups)]
    for k, (group, sign) in enumerate(zip(groups, weight_signs(motif_type, motif_index))):
        magnitude = group * sign
        if np.any(magnitude < weight_bound[0]) or np.any(magnitude > weight_bound[1]) or not np.isfinite(group).all():
            raise ValueError(
                f"weight group {k} of {motif_type}.{motif_index} must hold values with sign {'+' if sign > 0 else '-'} "
                f"and magnitude in [{weight_bound[0]}, {weight_bound[1]}], got {group.tolist()}."
            )
    for group in groups[n_w:]:
        check_finite(group, "bias_groups")
    mesh = np.meshgrid(*groups, indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def _check_lists(motif_type, activations, aggregations):
    # Full validation of types/lengths/names, by building one throw-away motif.
    n = n_weights(motif_type)
    NeuralMotif(motif_type, 1, activations, aggregations, weights=[1.0 * s for s in weight_signs(motif_type, 1)][:n],
                biases=[0.0] * (n_parameters(motif_type) - n))


def generate_outputs(motif_type, motif_index, activations, aggregations, weight_groups, bias_groups, value_range,
                     points, verbose=False, batch_size=4096):
    """Parameters and flattened landscapes of every motif of a parameter grid (spec-effect §4.9).

    Enumerates the Cartesian product of the weight groups (first group
    slowest) and, inside, of the bias groups (last group fastest).

    Returns
    -------
    parameters : ndarray of shape (count, n_w + n_b), float64
    landscapes : ndarray of shape (count, points**2), float64 (float32 values)
    """
    _check_lists(motif_type, activations, aggregations)
    params = _parameter_grid(motif_type, motif_index, weight_groups, bias_groups)
    landscapes = calculate_landscapes(params, motif_type, value_range, points, activations, aggregations or None,
                                      batch_size, verbose)
    return params, landscapes.reshape(params.shape[0], -1).astype(np.float64)


def generate_motifs(motif_type, motif_index, activations, aggregations, weight_groups, bias_groups, value_range,
                    points, minimum_difference=None, verbose=False):
    """Enumerate a grid, keeping a motif only if its landscape differs enough from every kept one.

    A motif is kept if it is the first, or ``minimum_difference`` is None, or
    its smallest mean absolute difference to the kept landscapes is strictly
    greater than ``minimum_difference`` (spec-effect §4.10).

    Returns
    -------
    motifs : list of NeuralMotif
    signals : ndarray of shape (kept, points**2), float32, or None if nothing was enumerated
    """
    _check_lists(motif_type, activations, aggregations)
    params = _parameter_grid(motif_type, motif_index, weight_groups, bias_groups)
    if params.shape[0] == 0:
        return [], None
    landscapes = calculate_landscapes(params, motif_type, value_range, points, activations,
                                      aggregations or None).reshape(params.shape[0], -1)
    kept = []
    for k in tqdm(range(params.shape[0]), disable=not verbose, desc="motifs", leave=False):
        if kept and minimum_difference is not None:
            distance = np.abs(landscapes[kept].astype(np.float64) - landscapes[k]).mean(axis=1).min()
            if not distance > minimum_difference:
                continue
        kept.append(k)
    n_w = n_weights(motif_type)
    motifs = [NeuralMotif(motif_type, motif_index, activations, aggregations, weights=list(params[k, :n_w]),
                          biases=list(params[k, n_w:])) for k in kept]
    return motifs, landscapes[kept]


def calculate_differences(landscapes_1, landscapes_2=None, norm_type="L-2", verbose=False) -> np.ndarray:
    """Distance of every landscape of set 1 to its nearest landscape of set 2 (spec-effect §4.11).

    ``"L-2"`` is the mean squared difference (no square root), ``"L-1"`` the
    mean absolute difference. Without ``landscapes_2`` the nearest *other*
    member of set 1 is used. Exact float64 values via tiled GEMMs
    (:func:`effect.nearest.nearest_differences`).

    Returns
    -------
    ndarray of shape (len(landscapes_1),), float64
    """
    return nearest_differences(landscapes_1, landscapes_2, norm_type, verbose=verbose)
