"""Learned-diversity experiments as library functions: data, one (network type, seed) unit, loop comparison.

Two tasks that need no download:

* ``"mnist1d"`` -- MNIST-1D classification (40-sample signals, 10 classes),
  generated locally by the ``mnist1d`` package's own generator;
* ``"vanderpol"`` -- van der Pol forecasting: trajectories integrated with
  :func:`scipy.integrate.solve_ivp`; a network maps a state ``(x, v)`` to its
  time derivative ``(v, mu (1 - x**2) v - x)`` and is rolled out by Euler steps.

The protocol: :func:`learn_types` meta-learns two activation types from a base
sinusoid in a mixed layer (:func:`effect.learned.meta_learn`) and freezes them
as interpolated functions; :func:`run_unit` then trains one network of a given
type -- homogeneous ``relu``, ``tanh``, ``sine``, ``type-1``, ``type-2``, or
the ``mix`` of both learned types -- from one seed and returns its scalars:
test accuracy/loss, participation ratio of the hidden layer, Hessian trace and
the fraction of near-zero Hessian eigenvalues. :func:`compare_loop_types`
carries learned activations into three-node motifs and measures incoherent and
coherent loops with the study's own measures (Lipschitz estimate and distance
to the nearest collider landscape).

Examples
--------
>>> from effect.diversity_experiments import DiversitySizes, learn_types, run_unit, task_data
>>> sizes = DiversitySizes.smoke()
>>> data = task_data("vanderpol", sizes)
>>> types = learn_types("vanderpol", sizes, data=data).types
>>> unit = run_unit("vanderpol", "mix", seed=0, types=types, sizes=sizes, data=data)
>>> sorted(unit)[:4]
['forecast_error', 'hessian_trace', 'hessian_trace_se', 'loss']
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from effect._adam import BatchedAdam
from effect.curvature import hessian_spectrum, hessian_trace, participation_ratio
from effect.learned import (DiverseNetwork, InterpolatedActivation, LearnedActivation, extract_activation,
                            meta_learn)

__all__ = [
    "TASKS",
    "NETWORK_TYPES",
    "DiversitySizes",
    "mnist1d_data",
    "vanderpol_data",
    "task_data",
    "train_network",
    "LearnedTypes",
    "learn_types",
    "types_to_arrays",
    "types_from_arrays",
    "network_activation",
    "run_unit",
    "euler_forecast",
    "compare_loop_types",
]

TASKS = ("mnist1d", "vanderpol")
NETWORK_TYPES = ("relu", "tanh", "sine", "type-1", "type-2", "mix")
_LEARNED = ("type-1", "type-2", "mix")


@dataclass(frozen=True)
class DiversitySizes:
    """Sizes of one learned-diversity experiment (defaults: the study's MNIST-1D setting).

    Attributes
    ----------
    samples : int
        MNIST-1D examples (80 % train, 20 % test).
    trajectories, steps, dt, mu : int, int, float, float
        van der Pol data: trajectories (75 % train), points per trajectory, spacing, damping.
    hidden : int
        Neurons of the single hidden layer.
    sub_hidden : int
        Hidden units of each activation sub-network.
    base : str
        Base function of the learned types.
    outer_steps, inner_steps, inner_lr, outer_lr, meta_batch : meta-learning
    epochs, batch_size, learn_rate : training of each evaluated network (Adam)
    hessian_points : int
        Training examples the Hessian is taken on.
    trace_samples : int
        Hutchinson probes.
    slq_iterations, slq_runs : int
        Lanczos steps and start vectors of the spectral density.
    zero_threshold : float
        Eigenvalues with ``|lambda| <= zero_threshold * max|lambda|`` count as near zero.
    forecast_steps : int
        Euler steps of the van der Pol forecast error.
    type_seed : int
        Seed of the meta-learning run (the learned types are shared by all units).
    """

    samples: int = 5000
    trajectories: int = 40
    steps: int = 200
    dt: float = 0.05
    mu: float = 1.0
    hidden: int = 100
    sub_hidden: int = 50
    base: str = "sine"
    outer_steps: int = 300
    inner_steps: int = 5
    inner_lr: float = 0.05
    outer_lr: float = 1e-3
    meta_batch: int = 128
    epochs: int = 30
    batch_size: int = 100
    learn_rate: float = 1e-2
    hessian_points: int = 1000
    trace_samples: int = 100
    slq_iterations: int = 80
    slq_runs: int = 4
    zero_threshold: float = 1e-3
    forecast_steps: int = 50
    type_seed: int = 0

    @classmethod
    def smoke(cls):
        """Tiny sizes: a unit in seconds (for tests and pipeline smoke runs)."""
        return cls(samples=500, trajectories=8, steps=60, hidden=100, sub_hidden=20, outer_steps=4, inner_steps=2,
                   meta_batch=64, epochs=3, batch_size=64, hessian_points=100, trace_samples=10, slq_iterations=12,
                   slq_runs=2, forecast_steps=20)


# ----------------------------------------------------------------------------------------------- data


@lru_cache(maxsize=4)
def _mnist1d_arrays(samples, seed):
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as error:  # pragma: no cover - the package is a pinned requirement
        raise ImportError("the mnist1d package is required (pip install -r requirements.txt).") from error
    args = get_dataset_args()
    args.num_samples = int(samples)
    args.seed = int(seed)
    # make_dataset reseeds the global `random` and numpy generators: restore them afterwards.
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        data = make_dataset(args)
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
    return tuple(np.ascontiguousarray(data[k]) for k in ("x", "y", "x_test", "y_test"))


def mnist1d_data(samples=5000, seed=42):
    """MNIST-1D generated locally (no download), as float32/int64 tensors.

    Parameters
    ----------
    samples : int, default 5000
        Total examples (10 classes, 80 % train).
    seed : int, default 42
        The generator's seed (42 is the package's default data set). The global
        ``random`` and numpy generators are left as they were.

    Returns
    -------
    dict
        ``x`` (M, 40), ``y`` (M,), ``x_test`` (T, 40), ``y_test`` (T,).
    """
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 20:
        raise ValueError(f"samples must be an integer >= 20, got {samples!r}.")
    x, y, x_test, y_test = _mnist1d_arrays(int(samples), int(seed))
    return {"x": torch.tensor(x, dtype=torch.float32), "y": torch.tensor(y, dtype=torch.int64),
            "x_test": torch.tensor(x_test, dtype=torch.float32), "y_test": torch.tensor(y_test, dtype=torch.int64)}


def _vanderpol_field(state, mu):
    x, v = state[..., 0], state[..., 1]
    return np.stack([v, mu * (1 - x**2) * v - x], axis=-1)


def vanderpol_data(trajectories=40, steps=200, dt=0.05, mu=1.0, seed=0, test_fraction=0.25):
    """van der Pol trajectories and their exact derivatives, split by trajectory.

    Initial states are uniform in ``[-3, 3]**2``; each trajectory is integrated
    by ``solve_ivp`` (RK45, ``rtol=1e-9``) and sampled every ``dt``.

    Returns
    -------
    dict
        ``x``/``y`` (train states and derivatives, (M, 2) float32), ``x_test``/``y_test``,
        ``orbits_test`` (T, steps, 2) float64, ``dt``, ``mu``.

    Examples
    --------
    >>> data = vanderpol_data(trajectories=4, steps=10)
    >>> tuple(data["x"].shape), tuple(data["orbits_test"].shape)
    ((30, 2), (1, 10, 2))
    """
    from scipy.integrate import solve_ivp

    if trajectories < 2 or steps < 2:
        raise ValueError(f"trajectories and steps must be >= 2, got {trajectories} and {steps}.")
    rng = np.random.default_rng(seed)
    starts = rng.uniform(-3.0, 3.0, (trajectories, 2))
    times = np.arange(steps) * dt
    orbits = np.empty((trajectories, steps, 2))
    for k, start in enumerate(starts):
        solution = solve_ivp(lambda t, s: _vanderpol_field(s, mu), (0.0, times[-1]), start, t_eval=times,
                             rtol=1e-9, atol=1e-9)
        orbits[k] = solution.y.T
    n_test = max(1, int(round(trajectories * test_fraction)))
    train, test = orbits[:-n_test], orbits[-n_test:]

    def pairs(block):
        states = block.reshape(-1, 2)
        return torch.tensor(states, dtype=torch.float32), torch.tensor(_vanderpol_field(states, mu),
                                                                        dtype=torch.float32)

    x, y = pairs(train)
    x_test, y_test = pairs(test)
    return {"x": x, "y": y, "x_test": x_test, "y_test": y_test, "orbits_test": test, "dt": dt, "mu": mu}


def task_data(task, sizes=None, seed=None):
    """The data of ``task`` at ``sizes`` (``seed``: MNIST-1D default 42, van der Pol default 0)."""
    sizes = DiversitySizes() if sizes is None else sizes
    if task == "mnist1d":
        return mnist1d_data(sizes.samples, 42 if seed is None else seed)
    if task == "vanderpol":
        return vanderpol_data(sizes.trajectories, sizes.steps, sizes.dt, sizes.mu, 0 if seed is None else seed)
    raise ValueError(f"task must be one of {TASKS}, got {task!r}.")


def _task_shape(task, data):
    if task == "mnist1d":
        return data["x"].shape[1], 10, torch.nn.functional.cross_entropy
    return 2, 2, torch.nn.functional.mse_loss


# ------------------------------------------------------------------------------------------- training


def train_network(network, loss_fn, inputs, targets, epochs, batch_size, learn_rate, seed=0):
    """Adam on shuffled mini-batches (seeded); returns the mean training loss of each epoch, shape (epochs,)."""
    generator = torch.Generator().manual_seed(int(seed))
    params = [p for p in network.parameters() if p.requires_grad]
    optimizers = [BatchedAdam(p, learn_rate) for p in params]
    history = np.empty(int(epochs))
    count = inputs.shape[0]
    for epoch in range(int(epochs)):
        order = torch.randperm(count, generator=generator)
        total = 0.0
        for start in range(0, count, batch_size):
            rows = order[start : start + batch_size]
            loss = loss_fn(network(inputs[rows]), targets[rows])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g, optimizer in zip(params, grads, optimizers):
                    optimizer.step(p, g)
            total += float(loss.detach()) * rows.numel()
        history[epoch] = total / count
    return history


@dataclass
class LearnedTypes:
    """Result of :func:`learn_types`: the frozen types, the trained sub-networks and the meta-learning history."""

    types: tuple
    activation: LearnedActivation
    history: object


def learn_types(task, sizes=None, data=None, seed=None, snapshot_every=0):
    """Meta-learn two activation types in a mixed hidden layer and freeze them (100 points on [-10, 10]).

    Parameters
    ----------
    task : {"mnist1d", "vanderpol"}
    sizes : DiversitySizes, optional
    data : dict, optional
        From :func:`task_data` (generated when omitted).
    seed : int, optional
        Default ``sizes.type_seed``; seeds the sub-networks, the network and the batches.
    snapshot_every : int
        Passed to :func:`effect.learned.meta_learn` (activation curves over time).

    Returns
    -------
    LearnedTypes
    """
    sizes = DiversitySizes() if sizes is None else sizes
    data = task_data(task, sizes) if data is None else data
    seed = sizes.type_seed if seed is None else int(seed)
    inputs, outputs, loss_fn = _task_shape(task, data)
    activation = LearnedActivation(sizes.base, types=2, hidden=sizes.sub_hidden, seed=seed)
    network = DiverseNetwork((inputs, sizes.hidden, outputs), activation, seed=seed)
    history = meta_learn(network, activation, loss_fn, data["x"], data["y"], outer_steps=sizes.outer_steps,
                         inner_steps=sizes.inner_steps, inner_lr=sizes.inner_lr, outer_lr=sizes.outer_lr,
                         batch_size=sizes.meta_batch, seed=seed, snapshot_every=snapshot_every)
    types = (extract_activation(activation, 0), extract_activation(activation, 1))
    return LearnedTypes(types, activation, history)


def types_to_arrays(types):
    """The frozen types as plain arrays (for npz files): ``knots`` (P,) and ``values`` (k, P), float64.

    Examples
    --------
    >>> import torch
    >>> from effect.learned import InterpolatedActivation
    >>> pair = [InterpolatedActivation.from_function(f, points=5) for f in (torch.sin, torch.tanh)]
    >>> arrays = types_to_arrays(pair)
    >>> arrays["values"].shape, [t.name for t in types_from_arrays(arrays)]
    ((2, 5), ['type-1', 'type-2'])
    """
    knots = types[0].knots.double().cpu().numpy()
    for t in types[1:]:
        if not np.array_equal(t.knots.double().cpu().numpy(), knots):
            raise ValueError("all types must share the same knots.")
    return {"knots": knots, "values": np.stack([t.values.double().cpu().numpy() for t in types])}


def types_from_arrays(arrays, extrapolate="constant"):
    """Inverse of :func:`types_to_arrays`: :class:`effect.learned.InterpolatedActivation` objects named ``type-k``."""
    values = np.asarray(arrays["values"], dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must have shape (k, P), got {values.shape}.")
    return tuple(InterpolatedActivation(arrays["knots"], row, extrapolate, name=f"type-{k + 1}")
                 for k, row in enumerate(values))


def network_activation(network_type, types=None):
    """Activation argument of :class:`effect.learned.DiverseNetwork` for a network type.

    ``types`` (two element-wise callables, e.g. ``learn_types(...).types``) is
    needed for ``type-1``, ``type-2`` and ``mix``.
    """
    if network_type not in NETWORK_TYPES:
        raise ValueError(f"network_type must be one of {NETWORK_TYPES}, got {network_type!r}.")
    if network_type not in _LEARNED:
        return network_type
    if types is None or len(types) != 2:
        raise ValueError(f"network_type {network_type!r} needs types: two learned activations.")
    return {"type-1": [types[0]], "type-2": [types[1]], "mix": list(types)}[network_type]


def euler_forecast(network, start, steps, dt):
    """Roll a derivative network forward by Euler steps from ``start`` (B, 2); returns (B, steps, 2) float64."""
    state = torch.as_tensor(start, dtype=torch.float32)
    states = [state]
    with torch.no_grad():
        for _ in range(steps - 1):
            state = state + dt * network(state)
            states.append(state)
    return torch.stack(states, dim=1).double().numpy()


def run_unit(task, network_type, seed, types=None, sizes=None, data=None):
    """Train one network of ``network_type`` from ``seed`` and measure it.

    Parameters
    ----------
    task : {"mnist1d", "vanderpol"}
    network_type : {"relu", "tanh", "sine", "type-1", "type-2", "mix"}
    seed : int
        Seeds the weights and the batch order.
    types : pair of callables, optional
        The frozen learned types (:func:`learn_types`); learned on the spot
        (seed ``sizes.type_seed``) when a learned network type needs them.
    sizes : DiversitySizes, optional
    data : dict, optional

    Returns
    -------
    dict of float
        ``loss`` (test cross-entropy or derivative MSE), ``accuracy`` (MNIST-1D)
        or ``forecast_error`` (van der Pol: mean squared Euler-forecast error
        over ``forecast_steps``), ``train_loss`` (last epoch), ``participation_ratio``
        ``R`` and ``participation_ratio_normalised`` ``r`` of the hidden layer on
        the test inputs, ``hessian_trace`` and ``hessian_trace_se`` (Hutchinson,
        on ``hessian_points`` training examples), ``near_zero_fraction`` (SLQ).
    """
    sizes = DiversitySizes() if sizes is None else sizes
    data = task_data(task, sizes) if data is None else data
    if network_type in _LEARNED and types is None:
        types = learn_types(task, sizes, data).types
    inputs, outputs, loss_fn = _task_shape(task, data)
    network = DiverseNetwork((inputs, sizes.hidden, outputs), network_activation(network_type, types), seed=seed)
    history = train_network(network, loss_fn, data["x"], data["y"], sizes.epochs, sizes.batch_size,
                            sizes.learn_rate, seed=seed)
    result = {"train_loss": float(history[-1])}
    with torch.no_grad():
        prediction = network(data["x_test"])
        result["loss"] = float(loss_fn(prediction, data["y_test"]))
        activity = network.hidden_activity(data["x_test"])
    if task == "mnist1d":
        result["accuracy"] = float((prediction.argmax(1) == data["y_test"]).double().mean())
    else:
        orbits = data["orbits_test"][:, : sizes.forecast_steps]
        forecast = euler_forecast(network, orbits[:, 0], orbits.shape[1], data["dt"])
        result["forecast_error"] = float(np.mean((forecast - orbits) ** 2))
    ratio = participation_ratio(activity)
    result["participation_ratio"], result["participation_ratio_normalised"] = ratio.ratio, ratio.normalised
    batch = (data["x"][: sizes.hessian_points], data["y"][: sizes.hessian_points])
    trace = hessian_trace(network, loss_fn, batch, samples=sizes.trace_samples, seed=seed)
    result["hessian_trace"], result["hessian_trace_se"] = trace.estimate, trace.standard_error
    density = hessian_spectrum(network, loss_fn, batch, iterations=sizes.slq_iterations, runs=sizes.slq_runs,
                               seed=seed)
    result["near_zero_fraction"] = density.near_zero_fraction(sizes.zero_threshold)
    return result


# ------------------------------------------------------------------------------------ motifs, learned


def _node_activations(activation, motif_type):
    pair = list(activation) if isinstance(activation, (list, tuple)) else [activation, activation]
    if len(pair) != 2:
        raise ValueError(f"an activation entry must be one activation or a (hidden, output) pair, got {activation!r}.")
    return [pair[1]] if motif_type == "collider" else pair


def compare_loop_types(activations, magnitudes=None, biases=None, value_range=(-1.0, 1.0), points=41,
                       indices=(1, 2, 3, 4)):
    """Incoherent versus coherent loops under different node activations, on the study's measures.

    For each label and loop type, every loop of the parameter grid is measured
    by its Lipschitz estimate (:func:`effect.robustness.lipschitz_batch`) and
    its nearest-collider difference (the smallest
    :func:`effect.nearest.nearest_differences` to any collider of any index,
    the colliders built from the same output activation).

    Parameters
    ----------
    activations : dict
        Label -> activation: a name (``"tanh"``), an element-wise callable (e.g.
        an :class:`effect.learned.InterpolatedActivation`), or a
        ``(hidden node, output node)`` pair of them.
    magnitudes, biases : array-like, optional
        Weight magnitudes and bias values of the grids (default: the study's
        10 magnitudes and 21 biases; the loop grid then has 441000 rows per index).
    value_range : (float, float)
    points : int
    indices : sequence of int
        Motif indices (sign patterns) included.

    Returns
    -------
    dict
        ``{label: {loop type: {"lipschitz": ndarray, "difference": ndarray}}}``,
        the arrays holding one value per loop (all indices concatenated), plus
        ``{label: {"summary": {...}}}`` with the medians and the two orderings
        ``incoherent_lower_lipschitz`` and ``incoherent_larger_difference``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> out = compare_loop_types({"tanh": "tanh"}, magnitudes=[0.5, 1.0], biases=[0.0], points=11)
    >>> sorted(out["tanh"])
    ['coherent-loop', 'incoherent-loop', 'summary']
    """
    from effect.nearest import nearest_differences
    from effect.operations import calculate_landscapes
    from effect.robustness import lipschitz_batch
    from effect.structures import BIAS_VALUES, WEIGHT_MAGNITUDES, structure_parameters

    magnitudes = WEIGHT_MAGNITUDES if magnitudes is None else np.asarray(magnitudes, dtype=np.float64)
    biases = BIAS_VALUES if biases is None else np.asarray(biases, dtype=np.float64)
    if not isinstance(activations, dict) or not activations:
        raise TypeError("activations must be a non-empty dict of label -> activation.")
    interval = (value_range[1] - value_range[0]) / (points - 1)
    results = {}
    for label, activation in activations.items():
        colliders = np.concatenate([
            calculate_landscapes(structure_parameters(f"collider.{i}", magnitudes, biases), "collider", value_range,
                                 points, _node_activations(activation, "collider")).reshape(-1, points * points)
            for i in indices])
        entry = {}
        for loop in ("incoherent-loop", "coherent-loop"):
            lipschitz, difference = [], []
            for i in indices:
                landscapes = calculate_landscapes(structure_parameters(f"{loop}.{i}", magnitudes, biases), loop,
                                                  value_range, points, _node_activations(activation, loop))
                lipschitz.append(lipschitz_batch(landscapes, interval))
                difference.append(nearest_differences(landscapes.reshape(-1, points * points), colliders))
            entry[loop] = {"lipschitz": np.concatenate(lipschitz), "difference": np.concatenate(difference)}
        medians = {f"{loop}.{measure}": float(np.median(entry[loop][measure]))
                   for loop in ("incoherent-loop", "coherent-loop") for measure in ("lipschitz", "difference")}
        medians["incoherent_lower_lipschitz"] = (medians["incoherent-loop.lipschitz"]
                                                 < medians["coherent-loop.lipschitz"])
        medians["incoherent_larger_difference"] = (medians["incoherent-loop.difference"]
                                                   > medians["coherent-loop.difference"])
        entry["summary"] = medians
        results[label] = entry
    return results
