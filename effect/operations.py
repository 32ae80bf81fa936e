"""Operations on motifs: input grids, landscapes, gradients, curvature, populations, differences.

Public names follow the original ``effect/operations.py``.
Population work (:func:`calculate_landscapes`, :func:`generate_outputs`,
:func:`generate_motifs`) goes through the batched :mod:`effect.engine` in
chunks; :func:`calculate_landscape` and friends run one ``NeuralMotif`` (the
per-item reference path the batched functions are tested against).

Two functions carry an original quirk behind ``semantics``:
:func:`calculate_gradients` (accumulated input gradients) and
:func:`detect_curvature_feature` (exact-zero eigenvalue comparisons);
:func:`prepare_motifs` keeps the original's ``None``-bounds ``TypeError`` in
``"reference"`` mode.

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
import numbers
import warnings

import numpy as np
import torch
from tqdm.auto import tqdm

from effect._checks import check_finite, check_points, check_positive_int, check_semantics, check_value_range
from effect.engine import grid_inputs, line_inputs, motif_outputs, raw_outputs
from effect.motifs import NeuralMotif, WeightRangeError
from effect.nearest import nearest_differences
from effect.structures import ALL_MOTIF_TYPES, n_parameters, n_weights, weight_signs

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

_TWO_INPUT_TYPES = ("collider", "coherent-loop", "incoherent-loop")
_NORM_TYPES = ("L-1", "L-2")
_DEFAULT_WEIGHT_BOUND = (1e-3, 1.0)
_DEFAULT_BIAS_BOUND = (-1.0, 1.0)


# --------------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------------


def prepare_data(value_range, points=41) -> torch.Tensor:
    """Flattened ``"ij"`` meshgrid of ``linspace(a, b, points)`` on both axes.

    Parameters
    ----------
    value_range : (float, float)
    points : int, default 41

    Returns
    -------
    Tensor of shape (points**2, 2), float32
        Row ``i*points + j`` holds ``(g_i, g_j)``.

    Examples
    --------
    >>> prepare_data((-1, 1), 3).tolist()[:4]
    [[-1.0, -1.0], [-1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]
    """
    if len(check_value_range(value_range)) != 2:
        raise ValueError(f"value_range must have length 2, got {value_range!r}.")
    return grid_inputs(value_range, points)


def prepare_data_flexible(value_range_x, value_range_y, points=41, need_meshgrid=True) -> torch.Tensor:
    """Inputs over ``value_range_x`` × ``value_range_y``.

    Returns
    -------
    Tensor of shape (points**2, 2) with ``need_meshgrid`` (as :func:`prepare_data`),
    else (points, 2) paired rows ``(x_k, y_k)`` (a line through the domain), float32.

    Examples
    --------
    >>> prepare_data_flexible((0, 1), (-2, 2), 3, need_meshgrid=False).tolist()
    [[0.0, -2.0], [0.5, 0.0], [1.0, 2.0]]
    """
    if not isinstance(need_meshgrid, (bool, np.bool_)):
        raise TypeError(f"need_meshgrid must be a bool, got {type(need_meshgrid).__name__}.")
    x = check_value_range(value_range_x, "value_range_x", increasing=bool(need_meshgrid))
    y = check_value_range(value_range_y, "value_range_y", increasing=bool(need_meshgrid))
    if len(x) != 2 or len(y) != 2:
        raise ValueError(f"value_range_x and value_range_y must each have length 2, got {value_range_x!r} "
                         f"and {value_range_y!r}.")
    ranges = x + y
    return grid_inputs(ranges, points) if need_meshgrid else line_inputs(ranges, points)


def _inputs(value_range, points, meshgrid=True):
    values = check_value_range(value_range, increasing=meshgrid)
    points = check_points(points)
    return grid_inputs(values, points) if meshgrid else line_inputs(values, points)


# --------------------------------------------------------------------------------------------------
# single motifs
# --------------------------------------------------------------------------------------------------


def prepare_motifs(motif_type, motif_index, activations, aggregations, sample, weights=None, biases=None,
                   weight_bound=None, bias_bound=None, generator=None, semantics="reference") -> list:
    """``sample`` motifs: copies of given parameters (first accepted sign flip) or random ones.

    Parameters
    ----------
    motif_type, motif_index, activations, aggregations
        As :class:`effect.motifs.NeuralMotif`.
    sample : int
        Number of motifs.
    weights, biases : list of float, optional
        If BOTH are given, every motif uses them, with the weight signs flipped
        by the first pattern of ``itertools.product((1, -1), ...)`` that the
        constructor accepts; the entry is ``None`` if no flip is accepted.
        Otherwise the motifs are random (drawn from ``generator``).
    weight_bound, bias_bound : (float, float) or None
    generator : torch.Generator, optional
    semantics : {"reference", "corrected"}
        ``"reference"`` keeps the original's bug: ``None`` bounds reach the
        constructor and raise ``TypeError``. ``"corrected"``: ``None`` means the
        default bounds ``(1e-3, 1)`` and ``(-1, 1)``.

    Returns
    -------
    list of NeuralMotif (or None)

    Examples
    --------
    >>> motifs = prepare_motifs("collider", 2, ["tanh"], ["sum"], 2, weights=[0.5, 0.5], biases=[0.0],
    ...                         semantics="corrected")
    >>> [w.value() for w in motifs[1].w]
    [0.5, -0.5]
    """
    check_semantics(semantics)
    if isinstance(sample, (bool, np.bool_)) or not isinstance(sample, (int, np.integer)):
        raise TypeError(f"sample must be a non-negative integer, got {type(sample).__name__}.")
    if sample < 0:
        raise ValueError(f"sample must be a non-negative integer, got {sample}.")
    if semantics == "corrected":
        weight_bound = _DEFAULT_WEIGHT_BOUND if weight_bound is None else weight_bound
        bias_bound = _DEFAULT_BIAS_BOUND if bias_bound is None else bias_bound
    options = {"weight_bound": weight_bound, "bias_bound": bias_bound, "semantics": semantics}
    if weights is None or biases is None:
        return [NeuralMotif(motif_type, motif_index, activations, aggregations, generator=generator, **options)
                for _ in range(sample)]
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
        raise TypeError(f"weights must be a sequence of numbers, got {weights!r}.")
    motifs = []
    for _ in range(sample):
        chosen = None
        for flips in itertools.product((1, -1), repeat=len(weights)):
            try:
                chosen = NeuralMotif(motif_type, motif_index, activations, aggregations,
                                     weights=[f * w for f, w in zip(flips, weights)], biases=list(biases), **options)
                break
            except WeightRangeError:
                continue
        motifs.append(chosen)
    return motifs


def _check_motif(motif, need_structure=False):
    if not isinstance(motif, torch.nn.Module):
        raise TypeError(f"motif must be a NeuralMotif (torch module), got {type(motif).__name__}.")
    if need_structure and not isinstance(motif, NeuralMotif):
        raise TypeError(f"motif must be a NeuralMotif, got {type(motif).__name__}.")
    if isinstance(motif, NeuralMotif) and motif.t not in _TWO_INPUT_TYPES:
        raise ValueError(f"motif must have two inputs (type in {_TWO_INPUT_TYPES}), got a {motif.t}.")


def calculate_landscape(value_range, points, motif) -> np.ndarray:
    """Normalised output of one motif on the ``points × points`` grid.

    Parameters
    ----------
    value_range : (a, b) or (ax, bx, ay, by)
    points : int
    motif : NeuralMotif (collider or loop) or any module mapping (N, 2) -> (N, 1)

    Returns
    -------
    ndarray of shape (points, points), float32
        ``[i, j] = f(x = g_i, y = g_j)``.

    Examples
    --------
    >>> m = NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
    >>> float(calculate_landscape((-1, 1), 41, m)[40, 40])
    1.0
    """
    _check_motif(motif)
    inputs = _inputs(value_range, points)
    with torch.no_grad():
        return motif(inputs).reshape(points, points).numpy()


def calculate_values(value_range, points, motif) -> np.ndarray:
    """Normalised output along the paired line ``(x_k, y_k)``.

    ``value_range`` of length 2 gives the diagonal ``x = y``; length 4 gives x over
    ``[0:2]`` and y over ``[2:4]``. Normalised over these ``points`` samples only.

    Returns
    -------
    ndarray of shape (points,), float32

    Examples
    --------
    >>> m = NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
    >>> calculate_values((-1, 1), 3, m).tolist()
    [-1.0, 0.0, 1.0]
    """
    _check_motif(motif)
    inputs = _inputs(value_range, points, meshgrid=False)
    with torch.no_grad():
        return motif(inputs).reshape(-1).numpy()


def _motif_row(motif):
    return torch.tensor(np.array([w.value() for w in motif.w] + [b.value() for b in motif.b]))


def calculate_gradients(value_range, points, motif, semantics="reference") -> np.ndarray:
    """Input-gradient norm of the normalised landscape at every grid point.

    Parameters
    ----------
    value_range : (a, b) or (ax, bx, ay, by)
    points : int
    motif : NeuralMotif (collider or loop)
    semantics : {"reference", "corrected"}
        ``"corrected"``: the clean value ``(2 / (M - m)) * ||grad r(x_n)||`` at
        every point, from one vectorised backward pass. ``"reference"``: the
        original's readings, whose input-gradient buffer accumulates over its
        p² backward passes, i.e. ``||sum_{j <= n} d out_j / d x_n||``. This
        equals the clean value except at the raw argmin/argmax (and their
        ties), which are recomputed exactly by backpropagating
        ``sum_{j <= n} out_j`` through the motif.

    Returns
    -------
    ndarray of shape (points, points), float64

    Examples
    --------
    >>> import numpy as np
    >>> m = NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
    >>> g = calculate_gradients((-1, 1), 41, m, semantics="corrected")
    >>> round(float(g[20, 20]), 5)   # (sqrt(2)/2) / tanh(1)
    0.92846
    """
    _check_motif(motif, need_structure=True)
    check_semantics(semantics)
    inputs = _inputs(value_range, points).requires_grad_(True)
    raw = raw_outputs(_motif_row(motif)[None], motif.t, inputs, motif.a, motif.g or None)[0]
    (gradient,) = torch.autograd.grad(raw.sum(), inputs)
    low, high = raw.min().item(), raw.max().item()
    flat = high - low < 1e-12
    scale = 1.0 if flat else 2.0 / (high - low)
    result = (gradient.double() * scale).norm(dim=1)
    if semantics == "reference" and not flat:
        extremes = torch.nonzero((raw == raw.min()) | (raw == raw.max())).flatten().tolist()
        probe = inputs.detach().clone().requires_grad_(True)
        out = motif(probe).reshape(-1)
        for n in extremes:
            (accumulated,) = torch.autograd.grad(out[: n + 1].sum(), probe, retain_graph=True)
            result[n] = accumulated[n].double().norm()
    return result.reshape(points, points).numpy()


def calculate_hessian_eigenvalues(network, criterion, input_data, expected_landscape) -> np.ndarray:
    """Real parts of the eigenvalues of the loss Hessian w.r.t. all parameters.

    All named parameters are flattened (registration order) into one vector θ,
    ``loss(θ) = criterion(network(input_data; θ), expected_landscape)`` is
    evaluated with ``torch.func.functional_call`` and its exact Hessian taken
    with ``torch.func.hessian``. Eigenvalues come from the general routine
    (``torch.linalg.eigvals``), as in the original, in the order it returns.

    Parameters
    ----------
    network : torch.nn.Module
    criterion : callable ``(output, target) -> scalar Tensor``
    input_data, expected_landscape : Tensor

    Returns
    -------
    ndarray of shape (n_params,)

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(1, 1, bias=False)
    >>> _ = net.weight.data.fill_(0.3)
    >>> x = torch.tensor([[1.0], [2.0]])
    >>> calculate_hessian_eigenvalues(net, torch.nn.MSELoss(), x, torch.zeros(2, 1)).tolist()   # 2 * mean(x²)
    [5.0]
    """
    if not isinstance(network, torch.nn.Module):
        raise TypeError(f"network must be a torch.nn.Module, got {type(network).__name__}.")
    if not callable(criterion):
        raise TypeError(f"criterion must be callable, got {type(criterion).__name__}.")
    for name, value in (("input_data", input_data), ("expected_landscape", expected_landscape)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}.")
    names, shapes, flat = [], [], []
    for name, parameter in network.named_parameters():
        names.append(name)
        shapes.append(parameter.shape)
        flat.append(parameter.detach().reshape(-1))
    if not flat:
        raise ValueError("network has no parameters.")
    theta = torch.cat(flat)
    sizes = [piece.numel() for piece in flat]

    def loss(vector):
        pieces = torch.split(vector, sizes)
        params = {n: p.reshape(s) for n, p, s in zip(names, pieces, shapes)}
        return criterion(torch.func.functional_call(network, params, (input_data,)), expected_landscape)

    with warnings.catch_warnings():  # torch's forward-AD decompositions use the deprecated torch.jit.script once
        warnings.filterwarnings("ignore", message=".*torch.jit.script.*", category=DeprecationWarning)
        hessian = torch.func.hessian(loss)(theta)
    return torch.linalg.eigvals(hessian).real.numpy()


def detect_curvature_feature(landscape, interval, semantics="reference", tolerance=1e-6) -> np.ndarray:
    """Label every cell +1 (cap, "convex" in the original), -1 (bowl, "concave") or 0 (saddle).

    Second derivatives by numpy ``gradient`` applied twice (spacing
    ``interval``), symmetrised mixed term ``(Gxy + Gyx) / 2``, closed-form
    eigenvalues ``λ± = (Hxx+Hyy)/2 ± sqrt(((Hxx-Hyy)/2)² + Hxy²)`` of the 2×2
    Hessian of every cell, vectorised.

    Parameters
    ----------
    landscape : array of shape (..., p, q), p, q >= 2
        One landscape, or a batch of them along leading axes (each labelled on its own).
    interval : float > 0
        Grid spacing; only signs matter, so any positive value gives the same labels.
    semantics : {"reference", "corrected"}
        ``"reference"``: +1 if both eigenvalues are <= 0, else -1 if both are
        >= 0, else 0 -- exact comparisons with zero, so flat or linear regions
        get rounding-noise labels (an exactly flat cell is +1).
        ``"corrected"``: an eigenvalue with ``|λ| <= tolerance * scale`` counts
        as zero, where ``scale = max(max|H|, (max - min of landscape) / interval²)``
        (the second term bounds the rounding noise of the second differences);
        a cell needs a non-zero curvature to be labelled +1/-1, so flat and
        linear cells are 0.
    tolerance : float, default 1e-6
        Relative zero tolerance of the corrected mode (float32 landscapes carry
        second-difference noise of about 1e-7 of ``range / interval²``).

    Returns
    -------
    ndarray of the landscape's shape, float64 with values in {+1, 0, -1}

    Examples
    --------
    >>> import numpy as np
    >>> x, y = np.meshgrid(np.linspace(-1, 1, 41), np.linspace(-1, 1, 41), indexing="ij")
    >>> cap = detect_curvature_feature(-(x**2 + y**2), 0.05)
    >>> float(cap.mean()), float(detect_curvature_feature(x * y, 0.05).mean())
    (1.0, 0.0)
    """
    check_semantics(semantics)
    landscape = np.asarray(landscape)
    if landscape.dtype.kind not in "fiu":
        raise TypeError(f"landscape must be a numeric array, got dtype {landscape.dtype}.")
    landscape = landscape.astype(np.float64)
    if landscape.ndim < 2 or min(landscape.shape[-2:]) < 2:
        raise ValueError(f"landscape must be a 2-D array (or a batch of them, shape (..., p, q)) with both sides "
                         f">= 2, got shape {landscape.shape}.")
    check_finite(landscape, "landscape")
    for name, value in (("interval", interval), ("tolerance", tolerance)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
            raise TypeError(f"{name} must be a positive number, got {type(value).__name__}.")
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    axes = (-2, -1)
    gx, gy = np.gradient(landscape, interval, axis=axes)
    hxx, gxy = np.gradient(gx, interval, axis=axes)
    gyx, hyy = np.gradient(gy, interval, axis=axes)
    hxy = (gxy + gyx) / 2
    centre = (hxx + hyy) / 2
    radius = np.sqrt(((hxx - hyy) / 2) ** 2 + hxy**2)
    low, high = centre - radius, centre + radius
    labels = np.zeros_like(landscape)
    if semantics == "reference":
        labels[high <= 0] = 1.0
        labels[(high > 0) & (low >= 0)] = -1.0
        return labels
    def peak(values):
        return np.abs(values).max(axis=axes, keepdims=True)

    spread = (landscape.max(axis=axes, keepdims=True) - landscape.min(axis=axes, keepdims=True)) / interval**2
    scale = np.maximum.reduce([peak(hxx), peak(hyy), peak(hxy), spread])
    zero = tolerance * scale
    low = np.where(np.abs(low) <= zero, 0.0, low)
    high = np.where(np.abs(high) <= zero, 0.0, high)
    labels[(high <= 0) & (low < 0)] = 1.0
    labels[(low >= 0) & (high > 0)] = -1.0
    return labels


# --------------------------------------------------------------------------------------------------
# populations (batched)
# --------------------------------------------------------------------------------------------------


def _check_two_input_type(motif_type):
    if motif_type not in _TWO_INPUT_TYPES:
        extra = " (fork and chain have one input and no landscape)" if motif_type in ALL_MOTIF_TYPES else ""
        raise ValueError(f"motif_type must be one of {_TWO_INPUT_TYPES}{extra}, got {motif_type!r}.")


def _as_params(params, motif_type):
    _check_two_input_type(motif_type)
    if isinstance(params, torch.Tensor):
        params = params.detach().cpu().numpy()
    params = np.asarray(params)
    if params.dtype.kind not in "fiu":
        raise TypeError(f"params must be a numeric array, got dtype {params.dtype}.")
    params = params.astype(np.float64, copy=False)
    if params.ndim != 2 or params.shape[1] != n_parameters(motif_type):
        raise ValueError(f"params must have shape (B, {n_parameters(motif_type)}) for {motif_type}, "
                         f"got {params.shape}.")
    check_finite(params, "params")
    return params


def _fill_landscapes(out, params, motif_type, inputs, activations, aggregations, batch_size, verbose, device):
    """Write the landscapes of ``params`` into ``out`` (B, N) chunk by chunk (any float dtype)."""
    device = torch.device("cpu") if device is None else torch.device(device)
    inputs = inputs.to(device)
    starts = range(0, params.shape[0], batch_size)
    with torch.no_grad():
        for start in tqdm(starts, disable=not verbose, desc="landscapes", leave=False):
            chunk = torch.from_numpy(params[start : start + batch_size]).to(device)
            values = motif_outputs(chunk, motif_type, inputs, activations, aggregations)
            out[start : start + chunk.shape[0]] = values.cpu().numpy()
    return out


def calculate_landscapes(params, motif_type, value_range=(-1, 1), points=41, activations=None, aggregations=None,
                         batch_size=4096, verbose=False, device=None) -> np.ndarray:
    """Landscapes of many motifs (batched :func:`calculate_landscape`).

    Parameters
    ----------
    params : array of shape (B, n_params)
        Rows ``weights + biases`` (e.g. :func:`effect.structures.structure_parameters`).
        Signs and bounds are not checked here (see :func:`generate_outputs`).
    motif_type : {"collider", "coherent-loop", "incoherent-loop"}
    value_range : (a, b) or (ax, bx, ay, by), default (-1, 1)
    points : int, default 41
    activations, aggregations : list of str, optional
        Default tanh and sum everywhere.
    batch_size : int, default 4096
        Motifs per engine call (memory ~ batch_size * points² * 4 bytes per temporary).
    verbose : bool
        tqdm progress over chunks.
    device : str or torch.device, optional
        Where the engine runs (default CPU); the result is always a numpy array.

    Returns
    -------
    ndarray of shape (B, points, points), float32

    Examples
    --------
    >>> import numpy as np
    >>> calculate_landscapes(np.array([[0.5, 0.5, 0.0]]), "collider").shape
    (1, 41, 41)
    """
    params = _as_params(params, motif_type)
    batch_size = check_positive_int(batch_size, "batch_size")
    inputs = _inputs(value_range, points)
    out = np.empty((params.shape[0], points * points), dtype=np.float32)
    _fill_landscapes(out, params, motif_type, inputs, activations, aggregations, batch_size, verbose, device)
    return out.reshape(-1, points, points)


def _parameter_grid(motif_type, motif_index, weight_groups, bias_groups, weight_bound=_DEFAULT_WEIGHT_BOUND):
    """Cartesian product of the groups in the original's order, with sign/bound validation of every weight."""
    n_w = n_weights(motif_type)
    n_b = n_parameters(motif_type) - n_w
    for name, groups, count in (("weight_groups", weight_groups, n_w), ("bias_groups", bias_groups, n_b)):
        if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
            raise TypeError(f"{name} must be a sequence of {count} sequences of numbers, got {groups!r}.")
        if len(groups) != count:
            raise ValueError(f"{motif_type} needs {count} {name}, got {len(groups)}.")
    groups = []
    for name, group in [("weight_groups", g) for g in weight_groups] + [("bias_groups", g) for g in bias_groups]:
        array = np.asarray(group)
        if array.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold numbers, got {group!r}.")
        array = array.astype(np.float64).reshape(-1)
        check_finite(array, name)
        groups.append(array)
    low, high = weight_bound
    for k, sign in enumerate(weight_signs(motif_type, motif_index)):
        magnitude = groups[k] * sign
        if np.any(magnitude < low) or np.any(magnitude > high):
            allowed = f"[{low}, {high}]" if sign > 0 else f"[{-high}, {-low}]"
            raise ValueError(f"weight group {k} (weight_groups[{k}]) of {motif_type}.{motif_index} must hold "
                             f"values in {allowed}, got {groups[k].tolist()}.")
    # Parameters are recorded as given (float64). The original records ``value()`` of each module, which is
    # float32-rounded for plain Python float elements; the experiment grids are numpy float64 (exact either way).
    mesh = np.meshgrid(*groups, indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def _check_lists(motif_type, motif_index, activations, aggregations):
    """Full validation of type, index and activation/aggregation lists (one throw-away motif)."""
    _check_two_input_type(motif_type)
    n = n_weights(motif_type)
    signs = weight_signs(motif_type, motif_index) if motif_index in (1, 2, 3, 4) else (1,) * n
    NeuralMotif(motif_type, motif_index, activations, aggregations, weights=[0.5 * s for s in signs],
                biases=[0.0] * (n_parameters(motif_type) - n))


def generate_outputs(motif_type, motif_index, activations, aggregations, weight_groups, bias_groups, value_range,
                     points, verbose=False, batch_size=4096, device=None):
    """Parameters and flattened landscapes of every motif of a parameter grid.

    Enumerates the Cartesian product of the weight groups (outer, first group
    slowest) and, for each weight tuple, of the bias groups (inner, last group
    fastest) -- the original's row order. Landscapes are computed in chunks of
    ``batch_size`` motifs by :func:`effect.engine.motif_outputs` directly into
    a preallocated float64 array.

    Parameters
    ----------
    motif_type : {"collider", "coherent-loop", "incoherent-loop"}
    motif_index : {1, 2, 3, 4}
    activations, aggregations : list of str
    weight_groups : sequence of n_w sequences of float
        Every value must carry the structure's sign with a magnitude in
        ``[1e-3, 1]`` (``ValueError`` otherwise, as the original's constructor).
    bias_groups : sequence of n_b sequences of float
    value_range, points : grid (as :func:`calculate_landscape`)
    verbose : bool
        tqdm progress over chunks.
    batch_size : int, default 4096
    device : str or torch.device, optional

    Returns
    -------
    parameters : ndarray of shape (count, n_w + n_b), float64
    landscapes : ndarray of shape (count, points**2), float64 (float32-representable values)

    Examples
    --------
    >>> p, l = generate_outputs("collider", 1, ["tanh"], ["sum"], [[0.1, 1.0], [0.5]], [[-1.0, 0.0, 1.0]],
    ...                         (-1, 1), 11)
    >>> p.shape, l.shape, p[1].tolist()
    ((6, 3), (6, 121), [0.1, 0.5, 0.0])
    """
    _check_lists(motif_type, motif_index, activations, aggregations)
    params = _parameter_grid(motif_type, motif_index, weight_groups, bias_groups)
    batch_size = check_positive_int(batch_size, "batch_size")
    inputs = _inputs(value_range, points)
    landscapes = np.empty((params.shape[0], inputs.shape[0]), dtype=np.float64)
    _fill_landscapes(landscapes, params, motif_type, inputs, activations, aggregations or None, batch_size, verbose,
                     device)
    return params, landscapes


def generate_motifs(motif_type, motif_index, activations, aggregations, weight_groups, bias_groups, value_range,
                    points, minimum_difference=None, verbose=False, batch_size=4096):
    """Enumerate a grid (as :func:`generate_outputs`), keeping only sufficiently distinct motifs.

    A motif is kept if it is the first, or ``minimum_difference`` is None, or
    the smallest mean absolute difference between its landscape and the
    already kept ones is strictly greater than ``minimum_difference``.

    Returns
    -------
    motifs : list of NeuralMotif
    signals : ndarray of shape (kept, points**2), float32, or None if nothing was enumerated

    Examples
    --------
    >>> motifs, signals = generate_motifs("collider", 1, ["tanh"], ["sum"], [[0.5, 0.5], [0.5]], [[0.0]],
    ...                                   (-1, 1), 11, minimum_difference=0.0)
    >>> len(motifs), signals.shape   # the duplicate is dropped
    (1, (1, 121))
    """
    if minimum_difference is not None:
        if isinstance(minimum_difference, (bool, np.bool_)) or not isinstance(
                minimum_difference, (numbers.Real, np.floating, np.integer)):
            raise TypeError(f"minimum_difference must be a number or None, got {type(minimum_difference).__name__}.")
        if np.isnan(minimum_difference):
            raise ValueError("minimum_difference must not be NaN.")
    _check_lists(motif_type, motif_index, activations, aggregations)
    params = _parameter_grid(motif_type, motif_index, weight_groups, bias_groups)
    if params.shape[0] == 0:
        return [], None
    landscapes = calculate_landscapes(params, motif_type, value_range, points, activations, aggregations or None,
                                      batch_size).reshape(params.shape[0], -1)
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
    """Distance of every landscape of set 1 to its nearest landscape of set 2.

    ``"L-2"`` is the mean squared difference (MSE, no square root), ``"L-1"``
    the mean absolute difference. Without ``landscapes_2``: the nearest OTHER
    member of set 1 (a one-row set gives 1.0, as the original). Delegates to
    :func:`effect.nearest.nearest_differences` (tiled GEMMs, exact float64 values).

    Parameters
    ----------
    landscapes_1 : array of shape (N1, P)
    landscapes_2 : array of shape (N2, P), optional
    norm_type : {"L-1", "L-2"}
    verbose : bool

    Returns
    -------
    ndarray of shape (N1,), float64

    Examples
    --------
    >>> import numpy as np
    >>> calculate_differences(np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.5]])).tolist()
    [0.125, 0.625, 0.125]
    """
    if norm_type not in _NORM_TYPES:
        raise ValueError(f"norm_type must be one of {_NORM_TYPES}, got {norm_type!r}.")
    if not isinstance(verbose, (bool, np.bool_)):
        raise TypeError(f"verbose must be a bool, got {type(verbose).__name__}.")
    return nearest_differences(landscapes_1, landscapes_2, norm_type, verbose=bool(verbose))
