"""Benchmark landscapes and fixed-network fitting.

:func:`get_landscape` builds the five normalised target landscapes;
:func:`fit` trains one motif network on one of them with Adam until the stop
rule fires (the per-item reference path); :func:`fit_batch` trains many
networks of one architecture at once as stacked parameter tensors, each
network stopping independently by the same rule.

Quirks (``semantics``):

* ``get_landscape("Branin")``: reference x-domain ``[-5, 15]`` (as written);
  corrected ``[-5, 10]`` (the standard Branin domain).
* ``fit`` target: the reference always uses the 41-point target, whatever
  ``points`` is (so any other ``points`` raises ``ValueError`` here instead of
  the original's shape error); corrected builds the target with ``points``.

Examples
--------
>>> import torch
>>> from effect.expression import get_landscape, fit
>>> from effect.motif_networks import LoopNetwork
>>> float(get_landscape("Monkey Saddle")[0, 0])
1.0
>>> net = LoopNetwork(1, generator=torch.Generator().manual_seed(0))
>>> record = fit(net, "Quadratic Saddle", 1e-2, 100, maximum_iteration=5)
>>> record["training loss"].shape
(5,)
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn

from effect._adam import BatchedAdam
from effect._closed_form import CPU_CHUNK, MotifPass, hessian_summaries
from effect._memory import keep_freed_memory
from effect._checks import check_points, check_semantics
from effect.engine import grid_inputs
from effect.motif_networks import (
    MOTIF_LABELS,
    NETWORK_KINDS,
    SUMMARY_KEYS,
    make_network,
    network_parameters,
)

__all__ = [
    "LANDSCAPE_NAMES",
    "METRIC_NAMES",
    "get_landscape",
    "fit",
    "initial_network",
    "fit_batch",
    "fit_restricted_batch",
    "split_records",
]

LANDSCAPE_NAMES = ("Quadratic Saddle", "Monkey Saddle", "Branin", "three-hump Camel", "six-hump Camel")
#: Metric names accepted by ``various_metrics`` / ``metrics``, in the order of "all".
METRIC_NAMES = ("sparsity", "lipschitz constant", "gradient variance", "hessian eigenvalue", "spectral norm")

_DOMAINS = {  # (x domain, y domain) of each benchmark function
    "Quadratic Saddle": ((-1.0, 1.0), (-1.0, 1.0)),
    "Monkey Saddle": ((-1.0, 1.0), (-1.0, 1.0)),
    "Branin": ((-5.0, 15.0), (0.0, 15.0)),
    "three-hump Camel": ((-2.0, 2.0), (-2.0, 2.0)),
    "six-hump Camel": ((-2.0, 2.0), (-1.0, 1.0)),
}
_BRANIN_CORRECTED_X = (-5.0, 10.0)
_REFERENCE_TARGET_POINTS = 41


def _raw_function(name, x, y):
    if name == "Quadratic Saddle":
        return 5 * x**2 - y**2
    if name == "Monkey Saddle":
        return x**3 - 3 * x * y**2
    if name == "Branin":
        b, c, r, s, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
        return (y - b * x**2 + c * x - r) ** 2 + s * (1 - t) * torch.cos(x) + s
    if name == "three-hump Camel":
        return 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _check_name(name):
    if name not in LANDSCAPE_NAMES:
        raise ValueError(f"name must be one of {LANDSCAPE_NAMES}, got {name!r}.")


def get_landscape(name, points=41, semantics="reference", normalise=True) -> torch.Tensor:
    """Target landscape on an ``"ij"`` grid over the function's own domain.

    Parameters
    ----------
    name : {"Quadratic Saddle", "Monkey Saddle", "Branin", "three-hump Camel", "six-hump Camel"}
    points : int, default 41
    semantics : {"reference", "corrected"}
        Only changes the Branin x-domain: ``[-5, 15]`` (reference, as written)
        or ``[-5, 10]`` (corrected, the standard domain).
    normalise : bool, default True
        ``False`` returns the raw function values (for checks).

    Returns
    -------
    Tensor of shape (points, points), float32
        ``[i, j] = L(x_i, y_j)``, min-max mapped onto exactly ``[-1, 1]``.

    Examples
    --------
    >>> land = get_landscape("Quadratic Saddle")
    >>> round(float(land[20, 20]), 6), float(land.min()), float(land.max())
    (-0.666667, -1.0, 1.0)
    """
    _check_name(name)
    points = check_points(points)
    check_semantics(semantics)
    (ax, bx), (ay, by) = _DOMAINS[name]
    if name == "Branin" and semantics == "corrected":
        ax, bx = _BRANIN_CORRECTED_X
    x, y = torch.meshgrid(torch.linspace(ax, bx, points), torch.linspace(ay, by, points), indexing="ij")
    landscape = _raw_function(name, x, y)
    if not normalise:
        return landscape
    landscape = landscape - landscape.min()
    landscape = landscape / landscape.max()
    return 2 * landscape - 1


def _check_metrics(various_metrics):
    if isinstance(various_metrics, str):
        if various_metrics == "all":
            return list(METRIC_NAMES)
        if various_metrics == "none":
            return []
        raise ValueError(f"various_metrics must be 'all', 'none' or a list of {METRIC_NAMES}, got {various_metrics!r}.")
    if isinstance(various_metrics, (list, tuple)):
        for metric in various_metrics:
            if metric not in METRIC_NAMES:
                raise ValueError(f"unknown metric {metric!r}; allowed: {METRIC_NAMES}.")
        return [m for m in METRIC_NAMES if m in various_metrics]
    raise ValueError(f"various_metrics must be 'all', 'none' or a list of {METRIC_NAMES}, "
                     f"got {type(various_metrics).__name__}.")


def _check_positive(value, name, integer=False):
    kinds = (int, np.integer) if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{name} must be a positive {'integer' if integer else 'number'}, got {value!r}.")
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be > 0, got {value!r}.")
    return int(value) if integer else float(value)


def _check_fit_arguments(name, learn_rate, patience, threshold, points, maximum_iteration, semantics):
    _check_name(name)
    _check_positive(learn_rate, "learn_rate")
    _check_positive(patience, "patience", integer=True)
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a real number, got {threshold!r}.")
    points = check_points(points)
    if maximum_iteration is not None:
        _check_positive(maximum_iteration, "maximum_iteration", integer=True)
    check_semantics(semantics)
    if semantics == "reference" and points != _REFERENCE_TARGET_POINTS:
        raise ValueError(f"points must be {_REFERENCE_TARGET_POINTS} with semantics='reference' (the original always "
                         f"uses the 41-point target, which cannot match {points}² outputs); got points={points}. "
                         "Use semantics='corrected' for other grid sizes.")
    return points


def _target(name, points, semantics):
    target_points = _REFERENCE_TARGET_POINTS if semantics == "reference" else points
    return get_landscape(name, target_points, semantics).reshape(-1, 1)


def _summary_row(summary):
    return [np.nan if summary[key] is None else summary[key] for key in SUMMARY_KEYS]


def _should_stop(losses, t, threshold, patience, maximum_iteration):
    """Early-stopping rule of the fit; ``losses`` holds loss_1..loss_t (t = len)."""
    loss = losses[-1]
    if loss < threshold:
        return True
    if t > patience and loss > (1 - 1 / patience) * losses[t - patience]:
        return True
    return maximum_iteration is not None and t == maximum_iteration


def fit(network, name, learn_rate, patience, various_metrics="none", threshold=1e-2, points=41,
        maximum_iteration=None, semantics="reference") -> dict:
    """Train ``network`` on a target landscape with Adam and MSE.

    Iteration ``t = 1, 2, ...``: forward on the ``[-1, 1]²`` grid, record the
    loss and the requested metrics of this PRE-step state, backward, Adam step,
    ``network.restrict()``. Stops when ``loss_t < threshold``; else when
    ``t > patience`` and ``loss_t > (1 - 1/patience) * loss_{t-patience+1}``;
    else when ``t == maximum_iteration``.

    Parameters
    ----------
    network : MotifNetwork (or any module with ``restrict()`` and the metric getters)
        Trained in place.
    name : str
        Landscape name (see :data:`LANDSCAPE_NAMES`).
    learn_rate : float
    patience : int
    various_metrics : "all", "none" or list of str
        Subset of :data:`METRIC_NAMES`.
    threshold : float, default 1e-2
    points : int, default 41
        Input grid size. With ``semantics="reference"`` it must be 41 (the
        original ignores it for the target); ``"corrected"`` uses it for both.
    maximum_iteration : int, optional
    semantics : {"reference", "corrected"}

    Returns
    -------
    dict of ndarray
        "training loss" (T,) and, when requested: "sparsity" (T, 4),
        "lipschitz constant" (T,) (grid Lipschitz estimate of the raw output
        divided by the target's), "gradient variance" (T, 4),
        "hessian eigenvalue" (T, 3) = [min, max, sum], "spectral norm" (T, 4).
        Four-column metrics follow :data:`effect.motif_networks.SUMMARY_KEYS`
        (NaN where a motif label is absent).

    Examples
    --------
    >>> import torch
    >>> from effect.motif_networks import ColliderNetwork
    >>> net = ColliderNetwork(2, generator=torch.Generator().manual_seed(0))
    >>> out = fit(net, "Monkey Saddle", 1e-2, 10, ["spectral norm"], maximum_iteration=3)
    >>> out["spectral norm"].shape
    (3, 4)
    """
    from effect.operations import calculate_hessian_eigenvalues
    from effect.robustness import estimate_lipschitz

    if not isinstance(network, nn.Module):
        raise TypeError(f"network must be a torch.nn.Module, got {type(network).__name__}.")
    metrics = _check_metrics(various_metrics)
    points = _check_fit_arguments(name, learn_rate, patience, threshold, points, maximum_iteration, semantics)
    inputs = grid_inputs((-1, 1), points)
    target = _target(name, points, semantics)
    optimizer = torch.optim.Adam(network.parameters(), lr=learn_rate)
    criterion = nn.MSELoss()
    records = {key: [] for key in ["training loss"] + metrics}
    t = 0
    while True:
        t += 1
        output = network(inputs)
        loss = criterion(output, target)
        records["training loss"].append(loss.item())
        if "sparsity" in metrics:
            records["sparsity"].append(_summary_row(network.get_sparsity()))
        if "lipschitz constant" in metrics:
            landscape = output.detach().reshape(points, points)
            records["lipschitz constant"].append(estimate_lipschitz((-1, 1), points, landscape))
        if "spectral norm" in metrics:
            records["spectral norm"].append(_summary_row(network.get_spectral_norm_summary()))
        optimizer.zero_grad()
        loss.backward()
        if "gradient variance" in metrics:
            records["gradient variance"].append(_summary_row(network.get_gradient_variance()))
        if "hessian eigenvalue" in metrics:
            values = calculate_hessian_eigenvalues(network, criterion, inputs, target)
            records["hessian eigenvalue"].append([values.min(), values.max(), values.sum()])
        optimizer.step()
        network.restrict()
        if _should_stop(records["training loss"], t, threshold, patience, maximum_iteration):
            break
    result = {key: np.asarray(value, dtype=np.float64) for key, value in records.items()}
    if "lipschitz constant" in metrics:
        result["lipschitz constant"] /= estimate_lipschitz((-1, 1), points, target.reshape(points, points))
    return result


# ---------------------------------------------------------------------------------------------------
# Batched fitting.


def _network_seed(seed, index):
    state = np.random.SeedSequence(seed, spawn_key=(int(index),)).generate_state(2, np.uint32)
    return int(state[0]) | (int(state[1]) << 31)


def initial_network(kind, motif_number, seed, index, flags=None, epsilon=1e-6, semantics="reference"):
    """The network that :func:`fit_batch` row ``index`` starts from (depends on ``seed`` and ``index`` only).

    Parameters
    ----------
    kind : {"collider", "loop", "restricted"}
    motif_number : int
    seed : int
        Base seed (>= 0).
    index : int
        Position of the network in the batch (>= 0).
    flags : (flags_1, flags_2), required for "restricted"
    epsilon : float, default 1e-6
    semantics : {"reference", "corrected"}

    Examples
    --------
    >>> a = initial_network("loop", 2, seed=7, index=3)
    >>> b = initial_network("loop", 2, seed=7, index=3)
    >>> all(bool((p == q).all()) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
        raise ValueError(f"index must be a non-negative integer, got {index!r}.")
    generator = torch.Generator().manual_seed(_network_seed(seed, index))
    return make_network(kind, motif_number, flags, epsilon, semantics, generator)


class _History:
    """Loss history of all networks, ``(T, B)`` float64 in blocks, NaN where a network had stopped."""

    def __init__(self, width, block=1024):
        self.width, self.block, self.blocks = width, block, []

    def write(self, t, columns, values):
        row = t - 1
        while row >= len(self.blocks) * self.block:
            self.blocks.append(np.full((self.block, self.width), np.nan))
        self.blocks[row // self.block][row % self.block, columns] = values

    def read(self, t, columns):
        row = t - 1
        return self.blocks[row // self.block][row % self.block, columns]

    def traces(self, lengths):
        if not self.blocks:
            return [np.zeros(0) for _ in lengths]
        full = np.concatenate(self.blocks)
        return [full[:n, k].copy() for k, n in enumerate(lengths)]


def _group_masks(labels):
    return [labels == code for code in range(len(MOTIF_LABELS))]


def _group_means(per_motif, labels):
    """Mean of a (b, M) per-motif value per label (NaN if none), (b, 3) float64."""
    columns = []
    for mask in _group_masks(labels):
        count = mask.sum(dim=1)
        total = torch.where(mask, per_motif, torch.zeros_like(per_motif)).sum(dim=1)
        columns.append(torch.where(count > 0, total / count.clamp(min=1), torch.full_like(total, math.nan)))
    return torch.stack(columns, dim=1)


def _masked_variance(values, mask):
    """Population variance of ``values`` (b, M, w) over motifs with ``mask`` (b, M); NaN if none."""
    weight = mask[..., None].expand_as(values).to(values.dtype)
    count = weight.sum(dim=(1, 2))
    mean = (values * weight).sum(dim=(1, 2)) / count.clamp(min=1)
    variance = (((values - mean[:, None, None]) ** 2) * weight).sum(dim=(1, 2)) / count.clamp(min=1)
    return torch.where(count > 0, variance, torch.full_like(variance, math.nan))


class _Architecture:
    """Static description of a batch of same-architecture networks (weight columns, labels, signs).

    Restricted networks carry per-row sign patterns ``(B, M, 3)`` and declared
    labels ``(B, M)``, so one batch can mix configurations; :meth:`keep`
    drops the rows of stopped networks.
    """

    def __init__(self, kind, motif_number, epsilon, semantics, signs=None, declared=None):
        self.kind, self.motif_number, self.epsilon, self.semantics = kind, motif_number, epsilon, semantics
        self.width = 3 if kind == "collider" else 5
        # weight columns in the order (x->y, x->z, y->z) for loops, (x->z, y->z) for colliders
        self.weight_columns = [0, 1] if kind == "collider" else [3, 0, 1]
        self.signs, self.declared = signs, declared

    @staticmethod
    def restricted_pattern(motif_number, flags, epsilon, semantics):
        """Sign pattern (M, 3) and declared labels (M,) of one restricted configuration."""
        template = make_network("restricted", motif_number, flags, epsilon, semantics)
        declared = torch.tensor([1 if m.loop_type == "c" else 2 for m in template.bank])
        signs = torch.tensor([m.signs for m in template.bank], dtype=torch.float32)
        return signs, declared

    def to(self, device):
        if self.signs is not None:
            self.signs, self.declared = self.signs.to(device), self.declared.to(device)
        return self

    def keep(self, rows):
        """Keep only the batch rows selected by the boolean mask ``rows``."""
        if self.signs is not None:
            self.signs, self.declared = self.signs[rows], self.declared[rows]

    def weights(self, params):
        return params[..., self.weight_columns]

    def labels(self, params):
        b = params.shape[0]
        if self.kind == "collider":
            return torch.zeros((b, self.motif_number), dtype=torch.long, device=params.device)
        if self.kind == "restricted":
            return self.declared
        w = self.weights(params)
        coherent = (torch.sign(w[..., 0]) * torch.sign(w[..., 1]) * torch.sign(w[..., 2])) > 0
        return torch.where(coherent, 1, 2)

    def restrict(self, params):
        if self.signs is None:
            return
        w = params[..., self.weight_columns]
        eps = self.epsilon
        clamped = torch.where(self.signs > 0, w.clamp(min=eps), w.clamp(max=-eps))
        params[..., self.weight_columns] = clamped

    def spectral(self, params):
        w = params[..., [0, 1]]
        norm = torch.linalg.vector_norm(w, dim=-1).double()
        if self.kind != "collider":
            norm = norm + params[..., 3].abs().double()
        return norm


def _hessian_summaries(params, inputs, target, semantics, directions=None):
    """[min, max, sum] of the real loss-Hessian eigenvalues of every network, (b, 3) float64.

    Closed-form first and second derivatives of every motif, chunk by chunk
    (:func:`effect._closed_form.hessian_summaries`). Agreement with autograd's full Hessian
    (``calculate_hessian_eigenvalues``) is tested.
    """
    return hessian_summaries(params, inputs, target, semantics, directions)


def _check_every(metric_every, metric_names):
    if isinstance(metric_every, dict):
        for key in metric_every:
            if key not in METRIC_NAMES:
                raise ValueError(f"unknown metric {key!r} in metric_every; allowed: {METRIC_NAMES}.")
        return {key: _check_positive(metric_every.get(key, 1), "metric_every", integer=True) for key in metric_names}
    every = _check_positive(metric_every, "metric_every", integer=True)
    return {key: every for key in metric_names}


def fit_batch(kind, motif_number, name, n_networks, learn_rate, patience, threshold=1e-2, maximum_iteration=None,
              flags=None, seed=0, points=41, metrics="none", metric_every=1, epsilon=1e-6, semantics="reference",
              device=None) -> dict:
    """Train ``n_networks`` same-architecture networks at once, each stopping independently.

    The parameters of all networks are one ``(n_networks, motif_number, 3|5)``
    tensor; one element-wise Adam (the update of ``torch.optim.Adam``) over the
    stack with the SUM of the per-network losses equals independent Adams.
    Network ``k`` starts from :func:`initial_network` ``(kind, motif_number,
    seed, k, ...)``, so results do not depend on the batch size. A network is
    removed from the batch after the iteration at which its stop rule fires
    (same rule as :func:`fit`).

    Parameters
    ----------
    kind : {"collider", "loop", "restricted"}
        ``ColliderNetwork``, ``LoopNetwork`` or ``RestrictedLoopNetwork``.
    motif_number : int
    name : str
        Landscape name.
    n_networks : int
    learn_rate, patience, threshold, maximum_iteration, points, semantics
        As in :func:`fit`.
    flags : (flags_1, flags_2), required for "restricted"
    seed : int, default 0
    metrics : "all", "none" or list of str
        As ``various_metrics`` of :func:`fit`.
    metric_every : int or dict, default 1
        Metrics are evaluated at iterations ``t = 1, 1 + metric_every, ...``;
        a dict ``{metric name: interval}`` sets one interval per metric
        (missing metrics: every iteration), e.g. a sparse Hessian.
    epsilon : float, default 1e-6
        ``RestrictedLoop`` epsilon, also the utilisation threshold.
    device : str or torch.device, optional
        Where the batch is trained (default CPU).

    Returns
    -------
    dict
        "training loss": list of (T_k,) float64 arrays; "iterations": (n_networks,)
        int array of T_k; "parameters": (n_networks, motif_number, 3|5) float32
        final (post-step) parameters; and for every requested metric a list of
        per-network arrays shaped as in :func:`fit` (one row per evaluated
        iteration), plus "metric iterations": dict metric name -> list of
        per-network arrays of the 1-based iterations at which it was evaluated.

    Examples
    --------
    >>> out = fit_batch("collider", 2, "Monkey Saddle", 3, 1e-2, 50, maximum_iteration=4)
    >>> out["iterations"].tolist(), len(out["training loss"])
    ([4, 4, 4], 3)
    """
    if kind not in NETWORK_KINDS:
        raise ValueError(f"kind must be one of {NETWORK_KINDS}, got {kind!r}.")
    metric_names = _check_metrics(metrics)
    points = _check_fit_arguments(name, learn_rate, patience, threshold, points, maximum_iteration, semantics)
    n_networks = _check_positive(n_networks, "n_networks", integer=True)
    every = _check_every(metric_every, metric_names)
    start = torch.stack([
        network_parameters(initial_network(kind, motif_number, seed, k, flags, epsilon, semantics))
        for k in range(n_networks)
    ])
    signs = declared = None
    if kind == "restricted":
        signs, declared = _Architecture.restricted_pattern(motif_number, flags, epsilon, semantics)
        signs, declared = signs.expand(n_networks, -1, -1), declared.expand(n_networks, -1)
    architecture = _Architecture(kind, motif_number, epsilon, semantics, signs, declared)
    return _fit_rows(architecture, start, name, learn_rate, patience, threshold, maximum_iteration, points,
                     metric_names, every, semantics, device)


def _check_flag_list(flags, motif_number):
    if isinstance(flags, (str, bytes)) or not hasattr(flags, "__len__") or len(flags) == 0:
        raise ValueError("flags must be a non-empty sequence of (flags_1, flags_2) pairs.")
    for pair in flags:
        if not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"flags must hold (flags_1, flags_2) pairs, got {pair!r}.")
    return list(flags)


def fit_restricted_batch(motif_number, name, flags, seeds, n_networks, learn_rate, patience, threshold=1e-2,
                         maximum_iteration=None, points=41, metrics="none", metric_every=1, epsilon=1e-6,
                         semantics="reference", device=None) -> dict:
    """Train many restricted-loop configurations at once: ``n_networks`` networks for each of them.

    One batched program replaces one :func:`fit_batch` call per configuration:
    configuration ``c`` (sign pattern ``flags[c]``, base seed ``seeds[c]``)
    contributes rows ``c * n_networks + k`` for ``k < n_networks``, each
    starting from :func:`initial_network` ``("restricted", motif_number,
    seeds[c], k, flags[c], ...)``, restricted to its own signs and stopping by
    its own rule. Row ``c * n_networks + k`` of the result is row ``k`` of
    ``fit_batch("restricted", motif_number, name, n_networks, ...,
    flags=flags[c], seed=seeds[c])`` (tests compare the two).

    Parameters
    ----------
    motif_number : int
    name : str
        Landscape name.
    flags : sequence of (flags_1, flags_2)
        One restricted configuration per entry (see
        :class:`effect.motif_networks.RestrictedLoopNetwork`).
    seeds : sequence of int
        Base seed of every configuration (same length as ``flags``).
    n_networks : int
        Networks per configuration.
    learn_rate, patience, threshold, maximum_iteration, points, metrics, metric_every, epsilon, semantics, device
        As in :func:`fit_batch`.

    Returns
    -------
    dict
        The layout of :func:`fit_batch` over ``len(flags) * n_networks`` rows,
        plus "configuration" and "index" (int arrays of that length): the
        configuration and the within-configuration index of every row.

    Examples
    --------
    >>> flags = [([0, 1], [1, 1]), ([1, 1], [2, 4])]
    >>> out = fit_restricted_batch(2, "Branin", flags, [5, 6], 2, 1e-2, 50, maximum_iteration=3)
    >>> out["configuration"].tolist(), out["iterations"].tolist()
    ([0, 0, 1, 1], [3, 3, 3, 3])
    """
    metric_names = _check_metrics(metrics)
    points = _check_fit_arguments(name, learn_rate, patience, threshold, points, maximum_iteration, semantics)
    n_networks = _check_positive(n_networks, "n_networks", integer=True)
    every = _check_every(metric_every, metric_names)
    flags = _check_flag_list(flags, motif_number)
    seeds = list(seeds) if hasattr(seeds, "__len__") else seeds
    if not isinstance(seeds, list) or len(seeds) != len(flags):
        raise ValueError(f"seeds must be a sequence with one seed per configuration ({len(flags)}), got {seeds!r}.")
    starts, signs, declared = [], [], []
    for pair, seed in zip(flags, seeds):
        pattern, labels = _Architecture.restricted_pattern(motif_number, pair, epsilon, semantics)
        for k in range(n_networks):
            starts.append(network_parameters(initial_network("restricted", motif_number, seed, k, pair, epsilon,
                                                             semantics)))
            signs.append(pattern)
            declared.append(labels)
    architecture = _Architecture("restricted", motif_number, epsilon, semantics, torch.stack(signs),
                                 torch.stack(declared))
    result = _fit_rows(architecture, torch.stack(starts), name, learn_rate, patience, threshold, maximum_iteration,
                       points, metric_names, every, semantics, device)
    result["configuration"] = np.repeat(np.arange(len(flags)), n_networks)
    result["index"] = np.tile(np.arange(n_networks), len(flags))
    return result


#: Carry the Lipschitz scan's per-offset bounds from one iteration to the next
#: (:class:`effect.robustness.LipschitzTracker`, the same values); ``False`` scans every iteration afresh.
_CARRY_LIPSCHITZ = True


def _fit_rows(architecture, start, name, learn_rate, patience, threshold, maximum_iteration, points, metric_names,
              every, semantics, device):
    """The batched training loop shared by :func:`fit_batch` and :func:`fit_restricted_batch`."""
    from effect.robustness import LipschitzTracker, grid_interval, lipschitz_batch

    keep_freed_memory()  # the iteration's temporaries are reused from the heap, not faulted in afresh
    epsilon = architecture.epsilon
    n_networks = start.shape[0]
    device = torch.device("cpu" if device is None else device)
    architecture.to(device)
    inputs = grid_inputs((-1, 1), points).to(device)
    target_grid = _target(name, points, semantics)
    target = target_grid.reshape(-1).to(device)
    params = start.clone().to(device)
    final = start.clone()
    chunk = CPU_CHUNK if device.type == "cpu" else n_networks
    workspace = {}  # the Hessian's buffers, reused by every chunk of that size
    active = np.arange(n_networks)
    adam = BatchedAdam(params, learn_rate)
    history = _History(n_networks)
    lengths = np.zeros(n_networks, dtype=np.int64)
    collected = {key: [] for key in metric_names}
    collected_rows = {key: [] for key in metric_names}
    collected_steps = {key: [] for key in metric_names}
    if "lipschitz constant" in metric_names:
        interval = grid_interval((-1, 1), points)
        target_lipschitz = float(lipschitz_batch(target_grid.reshape(1, points, points), interval)[0])
        tracker = LipschitzTracker(points, interval) if _CARRY_LIPSCHITZ else None

    t = 0
    while active.size:
        t += 1
        measure = [key for key in metric_names if (t - 1) % every[key] == 0]
        # Outputs, losses, gradient (equal to autograd's) and Hessian summary from one pass, chunk by chunk.
        b = params.shape[0]
        output = torch.empty(b, target.shape[0], dtype=params.dtype, device=device)
        losses = torch.empty(b, dtype=params.dtype, device=device)
        grad = torch.empty_like(params)
        hessian = torch.empty(b, 3, dtype=torch.float64) if "hessian eigenvalue" in measure else None
        for lo in range(0, b, chunk):
            state = MotifPass(params[lo : lo + chunk], inputs, semantics)
            output[lo : lo + chunk] = state.output
            losses[lo : lo + chunk], grad[lo : lo + chunk] = state.loss_and_gradient(target)
            if hessian is not None:
                hessian[lo : lo + chunk] = state.hessian_summary(target, workspace).cpu()
        if measure:
            labels = architecture.labels(params)
            values = {}
            if "sparsity" in measure:
                used = (architecture.weights(params).abs() > epsilon).double()
                groups = _group_means(used.mean(dim=-1), labels)
                values["sparsity"] = torch.cat([groups, used.mean(dim=(1, 2))[:, None]], dim=1)
            if "lipschitz constant" in measure:
                landscapes = output.cpu().reshape(-1, points, points)
                scanned = lipschitz_batch(landscapes, interval) if tracker is None else tracker.estimate(landscapes)
                estimates = scanned / target_lipschitz
                values["lipschitz constant"] = torch.from_numpy(estimates)
            if "gradient variance" in measure:
                g = architecture.weights(grad).double()
                columns = [_masked_variance(g, mask) for mask in _group_masks(labels)]
                columns.append(_masked_variance(g, torch.ones_like(labels, dtype=torch.bool)))
                values["gradient variance"] = torch.stack(columns, dim=1)
            if "hessian eigenvalue" in measure:
                values["hessian eigenvalue"] = hessian
            if "spectral norm" in measure:
                norms = architecture.spectral(params)
                values["spectral norm"] = torch.cat([_group_means(norms, labels), norms.sum(dim=1)[:, None]], dim=1)
            for key in measure:
                collected[key].append(values[key].cpu().numpy())
                collected_rows[key].append(active.copy())
                collected_steps[key].append(np.full(active.size, t))
        with torch.no_grad():
            adam.step(params, grad)
            architecture.restrict(params)
        loss_values = losses.detach().double().cpu().numpy()
        history.write(t, active, loss_values)
        stop = loss_values < threshold
        if t > patience:
            stop |= loss_values > (1 - 1 / patience) * history.read(t - patience + 1, active)
        if maximum_iteration is not None and t == maximum_iteration:
            stop[:] = True
        if stop.any():
            lengths[active[stop]] = t
            final[torch.from_numpy(active[stop])] = params[torch.from_numpy(stop).to(device)].cpu()
            keep = torch.from_numpy(~stop).to(device)
            params = params[keep]
            adam.exp_avg, adam.exp_avg_sq, adam.frozen = adam.exp_avg[keep], adam.exp_avg_sq[keep], adam.frozen[keep]
            architecture.keep(keep)
            if "lipschitz constant" in metric_names and tracker is not None:
                tracker.keep(~stop)
            active = active[~stop]

    result = {"training loss": history.traces(lengths), "iterations": lengths, "parameters": final.numpy()}
    if metric_names:
        result["metric iterations"] = {}
    for key in metric_names:  # every metric is evaluated at t = 1, so nothing is empty
        rows = np.concatenate(collected_rows[key])
        order = np.argsort(rows, kind="stable")
        splits = np.cumsum(np.bincount(rows, minlength=n_networks))[:-1]
        result["metric iterations"][key] = np.split(np.concatenate(collected_steps[key])[order], splits)
        result[key] = np.split(np.concatenate(collected[key])[order], splits)
    return result


def split_records(result) -> list:
    """Per-network record dicts (the layout :func:`fit` returns) from a :func:`fit_batch` result.

    Examples
    --------
    >>> out = fit_batch("loop", 1, "Branin", 2, 1e-2, 50, maximum_iteration=3, metrics=["sparsity"])
    >>> records = split_records(out)
    >>> len(records), records[0]["sparsity"].shape
    (2, (3, 4))
    """
    keys = ["training loss"] + [key for key in METRIC_NAMES if key in result]
    return [{key: result[key][k] for key in keys} for k in range(len(result["training loss"]))]
