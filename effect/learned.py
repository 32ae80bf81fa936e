"""Learned activations: neurons whose activation function is a small trained sub-network.

A *learned activation* is a ``1 -> H -> 1`` network applied element-wise. It
starts as a least-squares fit of a base function (sine, identity, ReLU, tanh or
the zero function) on an interval and is then trained along with the network
that uses it. :class:`LearnedActivation` holds ``k`` such *types* side by side
as ``(k, H)`` parameter tensors, so one call evaluates every neuron of a layer
whose neurons are split among the types. :func:`meta_learn` is the nested-loop
meta-learning of learned-diversity networks: inner gradient steps on the
network's weights, then one outer step on the sub-networks' weights through the
unrolled inner steps. :func:`extract_activation` freezes a learned type as an
:class:`InterpolatedActivation` (values at 100 points on ``[-10, 10]``, linear
interpolation) for reuse in other networks, including motifs (see
:mod:`effect.engine`).

Examples
--------
>>> import torch
>>> from effect.learned import LearnedActivation, extract_activation
>>> act = LearnedActivation("sine", types=2, hidden=50, seed=0)
>>> x = torch.linspace(-3, 3, 7)
>>> bool((act.evaluate(x, 0) - torch.sin(x)).abs().max() < 0.05)
True
>>> frozen = extract_activation(act, 1)
>>> bool((frozen(x) - act.evaluate(x, 1)).abs().max() < 0.01)
True
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from effect._adam import BatchedAdam
from effect._checks import check_int

__all__ = [
    "BASE_FUNCTIONS",
    "FIXED_ACTIVATIONS",
    "LearnedActivation",
    "InterpolatedActivation",
    "extract_activation",
    "split_types",
    "DiverseLayer",
    "DiverseNetwork",
    "MetaLearningResult",
    "meta_learn",
]

#: Base functions a learned activation can start from.
BASE_FUNCTIONS = {
    "sine": torch.sin,
    "identity": lambda x: x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "zero": torch.zeros_like,
}

#: Fixed (not learned) activations a :class:`DiverseLayer` accepts by name.
FIXED_ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sine": torch.sin,
    "sigmoid": torch.sigmoid,
    "identity": lambda x: x,
}

_HIDDEN = {"tanh": torch.tanh, "relu": torch.relu}
_EXTRAPOLATION = ("constant", "linear")


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return float(value)


def _check_interval(interval, name="interval"):
    try:
        low, high = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers, got {interval!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite with low < high, got {interval!r}.")
    return low, high


def _base_function(base):
    if callable(base):
        return base
    if base not in BASE_FUNCTIONS:
        raise ValueError(f"base must be a callable or one of {tuple(BASE_FUNCTIONS)}, got {base!r}.")
    return BASE_FUNCTIONS[base]


class LearnedActivation(nn.Module):
    """``k`` learned activation types, each a ``1 -> H -> 1`` sub-network applied element-wise.

    Type ``t`` computes ``f_t(x) = sum_h c[t, h] * s(a[t, h] * x + b[t, h]) + d[t]``
    with ``s`` the hidden activation. Every type starts from the same fit of
    ``base`` on ``interval``: hidden slopes and centres are drawn at random
    (centres spread over the interval), and the output layer solves a ridge
    least-squares problem on ``fit_points`` evenly spaced points. The zero base
    gives exactly zero output weights.

    Parameters
    ----------
    base : {"sine", "identity", "relu", "tanh", "zero"} or callable, default "sine"
        Function to start from; a callable maps a tensor to a tensor of the same shape.
    types : int, default 1
        Number of learned types ``k``.
    hidden : int, default 50
        Hidden units ``H`` of each sub-network.
    interval : (float, float), default (-10, 10)
        Where the initial fit matches ``base``.
    hidden_activation : {"tanh", "relu"}, default "tanh"
    fit_points : int, default 1000
    ridge : float, default 1e-6
        Ridge penalty of the initial fit, relative to ``fit_points``.
    seed : int, default 0
        Seed of the hidden-layer draw.
    dtype : torch.dtype, default torch.float32

    Attributes
    ----------
    in_weight, in_bias, out_weight : nn.Parameter of shape (k, H)
    out_bias : nn.Parameter of shape (k,)

    Examples
    --------
    >>> import torch
    >>> act = LearnedActivation("zero", types=2, hidden=8)
    >>> act(torch.ones(3, 4), torch.tensor([0, 0, 1, 1])).abs().max().item()
    0.0
    >>> act = LearnedActivation("identity", hidden=50, seed=1)
    >>> bool((act(torch.linspace(-5, 5, 11)) - torch.linspace(-5, 5, 11)).abs().max() < 1e-2)
    True
    """

    def __init__(self, base="sine", types=1, hidden=50, interval=(-10.0, 10.0), hidden_activation="tanh",
                 fit_points=1000, ridge=1e-6, seed=0, dtype=torch.float32):
        super().__init__()
        function = _base_function(base)
        self.types = check_int(types, "types")
        self.hidden = check_int(hidden, "hidden")
        self.interval = _check_interval(interval)
        if hidden_activation not in _HIDDEN:
            raise ValueError(f"hidden_activation must be one of {tuple(_HIDDEN)}, got {hidden_activation!r}.")
        self.hidden_activation = hidden_activation
        self.base = base if isinstance(base, str) else getattr(base, "__name__", "custom")
        fit_points = check_int(fit_points, "fit_points", low=2)
        ridge = float(ridge)
        generator = torch.Generator().manual_seed(int(seed))
        low, high = self.interval
        width = high - low
        # Slopes span one to ten transitions per interval width; centres cover the interval.
        slope = (2.0 + 18.0 * torch.rand(self.hidden, generator=generator, dtype=torch.float64)) / width
        sign = torch.where(torch.rand(self.hidden, generator=generator) < 0.5, -1.0, 1.0).double()
        centre = low + width * torch.rand(self.hidden, generator=generator, dtype=torch.float64)
        in_weight = slope * sign
        in_bias = -in_weight * centre
        grid = torch.linspace(low, high, fit_points, dtype=torch.float64)
        target = function(grid).to(torch.float64).reshape(-1)
        features = torch.cat([_HIDDEN[hidden_activation](grid[:, None] * in_weight + in_bias),
                              torch.ones(fit_points, 1, dtype=torch.float64)], dim=1)
        gram = features.T @ features + ridge * fit_points * torch.eye(self.hidden + 1, dtype=torch.float64)
        solution = torch.linalg.solve(gram, features.T @ target)
        self.in_weight = nn.Parameter(in_weight.repeat(self.types, 1).to(dtype))
        self.in_bias = nn.Parameter(in_bias.repeat(self.types, 1).to(dtype))
        self.out_weight = nn.Parameter(solution[:-1].repeat(self.types, 1).to(dtype))
        self.out_bias = nn.Parameter(solution[-1].repeat(self.types).to(dtype))

    def _type_index(self, type_index):
        type_index = check_int(type_index, "type_index", low=0)
        if type_index >= self.types:
            raise ValueError(f"type_index must be < types={self.types}, got {type_index}.")
        return type_index

    def evaluate(self, x, type_index=0):
        """Type ``type_index`` applied element-wise to a tensor of any shape."""
        t = self._type_index(type_index)
        hidden = _HIDDEN[self.hidden_activation](x.unsqueeze(-1) * self.in_weight[t] + self.in_bias[t])
        return hidden @ self.out_weight[t] + self.out_bias[t]

    def forward(self, x, assignment=None):
        """Apply the types to the last axis of ``x``.

        Parameters
        ----------
        x : Tensor of shape (..., N)
        assignment : LongTensor of shape (N,), optional
            Type of each of the ``N`` columns. Without it, every element uses
            type 0 (only allowed when ``types == 1``).

        Returns
        -------
        Tensor of the shape of ``x``.
        """
        if assignment is None:
            if self.types != 1:
                raise ValueError(f"assignment is required when types={self.types} > 1.")
            return self.evaluate(x, 0)
        assignment = self._check_assignment(assignment, x)
        weight_in, bias_in = self.in_weight[assignment], self.in_bias[assignment]  # (N, H)
        hidden = _HIDDEN[self.hidden_activation](x.unsqueeze(-1) * weight_in + bias_in)
        return (hidden * self.out_weight[assignment]).sum(-1) + self.out_bias[assignment]

    def _forward_loop(self, x, assignment):
        """Reference path: each type on its own columns, one at a time."""
        assignment = self._check_assignment(assignment, x)
        out = torch.zeros_like(x)
        for t in range(self.types):
            columns = torch.nonzero(assignment == t).reshape(-1)
            out = out.index_copy(-1, columns, self.evaluate(x.index_select(-1, columns), t))
        return out

    def _check_assignment(self, assignment, x):
        assignment = torch.as_tensor(assignment, dtype=torch.long)
        if assignment.ndim != 1 or assignment.shape[0] != x.shape[-1]:
            raise ValueError(f"assignment must have shape ({x.shape[-1]},), got {tuple(assignment.shape)}.")
        if assignment.numel() and (assignment.min() < 0 or assignment.max() >= self.types):
            raise ValueError(f"assignment values must lie in [0, {self.types}).")
        return assignment.to(self.in_weight.device)

    def extra_repr(self):
        return f"base={self.base!r}, types={self.types}, hidden={self.hidden}, interval={self.interval}"


class InterpolatedActivation(nn.Module):
    """A fixed activation given by values on a grid, linearly interpolated (torch-differentiable).

    Parameters
    ----------
    knots : array of shape (P,)
        Strictly increasing abscissae.
    values : array of shape (P,)
        Function values at the knots.
    extrapolate : {"constant", "linear"}, default "constant"
        Outside the knots, hold the end values (as ``numpy.interp``) or extend
        the end segments.
    name : str, default "interpolated"
        Shown where activation names are printed (e.g. ``NeuralMotif.__str__``).

    Examples
    --------
    >>> import torch
    >>> f = InterpolatedActivation([0.0, 1.0, 2.0], [0.0, 2.0, 0.0])
    >>> f(torch.tensor([-1.0, 0.5, 1.5, 3.0])).tolist()
    [0.0, 1.0, 1.0, 0.0]
    >>> g = InterpolatedActivation.from_function(torch.tanh, points=100, interval=(-10, 10), name="tanh~")
    >>> bool((g(torch.linspace(-2, 2, 9)) - torch.tanh(torch.linspace(-2, 2, 9))).abs().max() < 5e-3)
    True
    """

    def __init__(self, knots, values, extrapolate="constant", name="interpolated"):
        super().__init__()
        knots = torch.as_tensor(np.asarray(knots, dtype=np.float64))
        values = torch.as_tensor(np.asarray(values, dtype=np.float64))
        if knots.ndim != 1 or knots.shape != values.shape or knots.shape[0] < 2:
            raise ValueError(f"knots and values must be 1-D of equal length >= 2, got {tuple(knots.shape)} "
                             f"and {tuple(values.shape)}.")
        if not (torch.isfinite(knots).all() and torch.isfinite(values).all()):
            raise ValueError("knots and values must be finite.")
        if not (knots[1:] > knots[:-1]).all():
            raise ValueError("knots must be strictly increasing.")
        if extrapolate not in _EXTRAPOLATION:
            raise ValueError(f"extrapolate must be one of {_EXTRAPOLATION}, got {extrapolate!r}.")
        self.extrapolate = extrapolate
        self.name = str(name)
        self.register_buffer("knots", knots)
        self.register_buffer("values", values)

    @classmethod
    def from_function(cls, function, points=100, interval=(-10.0, 10.0), extrapolate="constant", name=None):
        """Sample ``function`` at ``points`` evenly spaced knots on ``interval`` (float64)."""
        points = check_int(points, "points", low=2)
        low, high = _check_interval(interval)
        knots = torch.linspace(low, high, points, dtype=torch.float64)
        with torch.no_grad():
            values = function(knots)
        name = name if name is not None else getattr(function, "__name__", "interpolated")
        return cls(knots.numpy(), values.detach().double().cpu().numpy(), extrapolate, name)

    def forward(self, x):
        knots = self.knots.to(x.dtype)
        values = self.values.to(x.dtype)
        if self.extrapolate == "constant":
            x = x.clamp(knots[0], knots[-1])
        index = (torch.searchsorted(knots, x.detach().contiguous(), right=True) - 1).clamp(0, knots.shape[0] - 2)
        left, right = knots[index], knots[index + 1]
        return values[index] + (x - left) * ((values[index + 1] - values[index]) / (right - left))

    def extra_repr(self):
        return f"name={self.name!r}, points={self.knots.shape[0]}, extrapolate={self.extrapolate!r}"


def extract_activation(activation, type_index=0, points=100, interval=(-10.0, 10.0), extrapolate="constant"):
    """Freeze type ``type_index`` of a :class:`LearnedActivation` as an :class:`InterpolatedActivation`.

    The sub-network is evaluated (in float64) at ``points`` evenly spaced knots
    on ``interval``; between knots the result is linear, so it differs from the
    sub-network by at most ``h**2 / 8 * max|f''|`` with ``h`` the knot spacing.

    Examples
    --------
    >>> act = LearnedActivation("relu", hidden=20)
    >>> extract_activation(act).knots.shape
    torch.Size([100])
    """
    if not isinstance(activation, LearnedActivation):
        raise TypeError(f"activation must be a LearnedActivation, got {type(activation).__name__}.")
    t = activation._type_index(type_index)
    double = {name: p.detach().double() for name, p in activation.named_parameters()}
    name = f"{activation.base}-type-{t + 1}"
    return InterpolatedActivation.from_function(lambda x: _evaluate_double(activation, double, x, t), points,
                                                interval, extrapolate, name)


def _evaluate_double(activation, params, x, t):
    hidden = _HIDDEN[activation.hidden_activation](x.unsqueeze(-1) * params["in_weight"][t] + params["in_bias"][t])
    return hidden @ params["out_weight"][t] + params["out_bias"][t]


def split_types(neurons, types):
    """Assign ``neurons`` to ``types`` in equal contiguous blocks (the first blocks take any remainder).

    Examples
    --------
    >>> split_types(5, 2).tolist()
    [0, 0, 0, 1, 1]
    """
    neurons = check_int(neurons, "neurons")
    types = check_int(types, "types")
    if types > neurons:
        raise ValueError(f"types={types} must not exceed neurons={neurons}.")
    sizes = [neurons // types + (1 if t < neurons % types else 0) for t in range(types)]
    return torch.repeat_interleave(torch.arange(types), torch.tensor(sizes))


def _resolve(activation):
    if isinstance(activation, str):
        if activation not in FIXED_ACTIVATIONS:
            raise ValueError(f"activation names must be in {tuple(FIXED_ACTIVATIONS)}, got {activation!r}.")
        return FIXED_ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(f"activations must be names or callables, got {type(activation).__name__}.")
    return activation


class DiverseLayer(nn.Module):
    """A linear layer whose ``N`` neurons are split among activation types.

    Parameters
    ----------
    in_features, out_features : int
    activation : LearnedActivation, str, callable, or sequence of str/callable
        A :class:`LearnedActivation` with ``k`` types (its batched path is used),
        or one activation per type (``"relu"``, ``"tanh"``, ``"sine"``,
        ``"sigmoid"``, ``"identity"``, an :class:`InterpolatedActivation`, any
        element-wise callable). A single name or callable makes a homogeneous layer.
    assignment : LongTensor of shape (out_features,), optional
        Type of each neuron; default :func:`split_types` (equal contiguous blocks).
    generator : torch.Generator, optional
        Source of the weight draw, uniform in ``±1/sqrt(in_features)`` (PyTorch's default range).

    Examples
    --------
    >>> import torch
    >>> layer = DiverseLayer(3, 4, ["relu", "tanh"], generator=torch.Generator().manual_seed(0))
    >>> layer.assignment.tolist(), layer(torch.zeros(2, 3)).shape
    ([0, 0, 1, 1], torch.Size([2, 4]))
    """

    def __init__(self, in_features, out_features, activation, assignment=None, generator=None):
        super().__init__()
        in_features = check_int(in_features, "in_features")
        out_features = check_int(out_features, "out_features")
        self.linear = nn.Linear(in_features, out_features)
        bound = 1.0 / np.sqrt(in_features)
        with torch.no_grad():
            self.linear.weight.copy_((2 * torch.rand(out_features, in_features, generator=generator) - 1) * bound)
            self.linear.bias.copy_((2 * torch.rand(out_features, generator=generator) - 1) * bound)
        if isinstance(activation, LearnedActivation):
            self.learned, self.functions, types = activation, None, activation.types
        else:
            items = [activation] if isinstance(activation, str) or callable(activation) else list(activation)
            if not items:
                raise ValueError("activation must name at least one type.")
            self.learned, self.functions, types = None, [_resolve(a) for a in items], len(items)
            modules = [f for f in self.functions if isinstance(f, nn.Module)]
            self.fixed = nn.ModuleList(modules)  # registered so .to(device) moves interpolation buffers
        assignment = split_types(out_features, types) if assignment is None else torch.as_tensor(assignment)
        if assignment.shape != (out_features,) or assignment.min() < 0 or assignment.max() >= types:
            raise ValueError(f"assignment must have shape ({out_features},) with values in [0, {types}).")
        self.register_buffer("assignment", assignment.long())
        self.types = types

    def activate(self, z):
        """Apply each neuron's activation to pre-activations ``z`` of shape (..., N)."""
        if self.learned is not None:
            return self.learned(z, self.assignment)
        if self.types == 1:
            return self.functions[0](z)
        out = torch.zeros_like(z)
        for t, function in enumerate(self.functions):
            columns = torch.nonzero(self.assignment == t).reshape(-1)
            out = out.index_copy(-1, columns, function(z.index_select(-1, columns)))
        return out

    def forward(self, x):
        return self.activate(self.linear(x))


class DiverseNetwork(nn.Module):
    """Fully connected network: diverse hidden layers and a linear read-out.

    Parameters
    ----------
    sizes : sequence of int
        ``(inputs, hidden_1, ..., hidden_L, outputs)``, at least one hidden layer.
    activation : as :class:`DiverseLayer`
        Shared by every hidden layer (a shared :class:`LearnedActivation` is one set of types).
    seed : int, default 0
        Seed of all weight draws.

    Examples
    --------
    >>> import torch
    >>> net = DiverseNetwork((40, 100, 10), "relu", seed=0)
    >>> net(torch.zeros(5, 40)).shape, net.hidden_activity(torch.zeros(5, 40)).shape
    (torch.Size([5, 10]), torch.Size([5, 100]))
    """

    def __init__(self, sizes, activation, seed=0):
        super().__init__()
        sizes = [check_int(s, "sizes[]") for s in sizes]
        if len(sizes) < 3:
            raise ValueError(f"sizes must hold inputs, at least one hidden width and outputs, got {sizes}.")
        generator = torch.Generator().manual_seed(int(seed))
        self.hidden = nn.ModuleList(DiverseLayer(a, b, activation, generator=generator)
                                    for a, b in zip(sizes[:-2], sizes[1:-1]))
        self.readout = nn.Linear(sizes[-2], sizes[-1])
        bound = 1.0 / np.sqrt(sizes[-2])
        with torch.no_grad():
            self.readout.weight.copy_((2 * torch.rand(sizes[-1], sizes[-2], generator=generator) - 1) * bound)
            self.readout.bias.copy_((2 * torch.rand(sizes[-1], generator=generator) - 1) * bound)

    def hidden_activity(self, x):
        """Activity of the last hidden layer, shape (M, N_last)."""
        for layer in self.hidden:
            x = layer(x)
        return x

    def forward(self, x):
        return self.readout(self.hidden_activity(x))


@dataclass
class MetaLearningResult:
    """History of :func:`meta_learn`.

    Attributes
    ----------
    outer_loss : ndarray of shape (outer_steps,)
        Loss on a fresh batch after each inner loop, before the outer step.
    inner_loss : ndarray of shape (outer_steps, inner_steps)
    snapshots : list of ndarray of shape (types, points)
        Activation curves on ``snapshot_grid`` every ``snapshot_every`` outer steps (and at the end).
    snapshot_grid : ndarray of shape (points,)
    """

    outer_loss: np.ndarray
    inner_loss: np.ndarray
    snapshots: list = field(default_factory=list)
    snapshot_grid: np.ndarray | None = None


def _snapshot(activation, grid):
    with torch.no_grad():
        return np.stack([activation.evaluate(grid.to(activation.in_weight.dtype), t).double().numpy()
                         for t in range(activation.types)])


def meta_learn(network, activation, loss_fn, inputs, targets, outer_steps=100, inner_steps=5, inner_lr=0.05,
               outer_lr=1e-3, batch_size=128, unroll=True, seed=0, snapshot_every=0, snapshot_points=100):
    """Nested-loop meta-learning of activation sub-networks (learned-diversity Algorithm 1).

    Each outer step runs ``inner_steps`` plain gradient steps on the network's
    own weights ``theta`` (shuffled mini-batches), then takes the loss on a
    fresh mini-batch at the updated weights and moves the sub-networks' weights
    ``theta_s`` down its gradient with Adam. With ``unroll=True`` that gradient
    flows through the inner updates (they are kept in memory, the cost the
    method is known for); ``unroll=False`` is the first-order variant. The
    network keeps its inner-loop weights from one outer step to the next, and
    both ``network`` and ``activation`` are updated in place.

    Parameters
    ----------
    network : nn.Module
        Uses ``activation`` (e.g. a :class:`DiverseNetwork` built with it).
    activation : LearnedActivation
        The sub-networks; their parameters are ``theta_s``, all other parameters
        of ``network`` are ``theta``.
    loss_fn : callable
        ``loss_fn(network(x), y)`` -> scalar tensor.
    inputs : Tensor of shape (M, ...)
    targets : Tensor of shape (M, ...)
    outer_steps, inner_steps : int
    inner_lr, outer_lr : float
        SGD step of the inner loop; Adam step of the outer loop.
    batch_size : int
    unroll : bool, default True
    seed : int
        Seed of the mini-batch draws.
    snapshot_every : int, default 0
        Record activation curves every so many outer steps (0: never).
    snapshot_points : int, default 100
        Points of the snapshot grid on the activation's interval.

    Returns
    -------
    MetaLearningResult

    Examples
    --------
    >>> import torch
    >>> x = torch.linspace(-2, 2, 64).unsqueeze(1); y = x.abs()
    >>> act = LearnedActivation("sine", types=2, hidden=10)
    >>> net = DiverseNetwork((1, 8, 1), act, seed=0)
    >>> result = meta_learn(net, act, torch.nn.functional.mse_loss, x, y, outer_steps=3, inner_steps=2, batch_size=16)
    >>> result.outer_loss.shape, result.inner_loss.shape
    ((3,), (3, 2))
    """
    if not isinstance(activation, LearnedActivation):
        raise TypeError(f"activation must be a LearnedActivation, got {type(activation).__name__}.")
    outer_steps = check_int(outer_steps, "outer_steps")
    inner_steps = check_int(inner_steps, "inner_steps")
    inner_lr = _check_positive(inner_lr, "inner_lr")
    outer_lr = _check_positive(outer_lr, "outer_lr")
    batch_size = check_int(batch_size, "batch_size")
    snapshot_every = check_int(snapshot_every, "snapshot_every", low=0)
    if inputs.shape[0] != targets.shape[0] or inputs.shape[0] == 0:
        raise ValueError(f"inputs and targets must have the same non-zero length, got {inputs.shape[0]} "
                         f"and {targets.shape[0]}.")
    sub_ids = {id(p) for p in activation.parameters()}
    named = dict(network.named_parameters())
    sub_names = [n for n, p in named.items() if id(p) in sub_ids]
    if not sub_names:
        raise ValueError("network does not use activation: none of its parameters belong to network.")
    theta = {n: p.detach().clone().requires_grad_(True) for n, p in named.items() if id(p) not in sub_ids}
    sub = {n: named[n] for n in sub_names}
    optimizers = [BatchedAdam(p, outer_lr) for p in sub.values()]  # Adam's update, without torch.optim's import cost
    generator = torch.Generator().manual_seed(int(seed))
    count = inputs.shape[0]
    size = min(batch_size, count)
    grid = torch.linspace(*activation.interval, check_int(snapshot_points, "snapshot_points", low=2),
                          dtype=torch.float64)
    outer_loss = np.empty(outer_steps)
    inner_loss = np.empty((outer_steps, inner_steps))
    snapshots = []

    def batch():
        rows = torch.randperm(count, generator=generator)[:size]
        return inputs[rows], targets[rows]

    for step in range(outer_steps):
        if snapshot_every and step % snapshot_every == 0:
            snapshots.append(_snapshot(activation, grid))
        current = theta
        for k in range(inner_steps):
            x, y = batch()
            loss = loss_fn(functional_call(network, {**current, **sub}, (x,)), y)
            grads = torch.autograd.grad(loss, list(current.values()), create_graph=unroll)
            current = {n: p - inner_lr * g for (n, p), g in zip(current.items(), grads)}
            inner_loss[step, k] = float(loss.detach())
        x, y = batch()
        loss = loss_fn(functional_call(network, {**current, **sub}, (x,)), y)
        grads = torch.autograd.grad(loss, list(sub.values()), allow_unused=True)
        with torch.no_grad():
            for p, g, optimizer in zip(sub.values(), grads, optimizers):
                optimizer.step(p, torch.zeros_like(p) if g is None else g)
        outer_loss[step] = float(loss.detach())
        theta = {n: p.detach().requires_grad_(True) for n, p in current.items()}
    if snapshot_every:
        snapshots.append(_snapshot(activation, grid))
    with torch.no_grad():
        for n, p in theta.items():
            named[n].copy_(p)
    return MetaLearningResult(outer_loss, inner_loss, snapshots, grid.numpy() if snapshot_every else None)
