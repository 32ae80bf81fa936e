"""Sign-restricted motif modules: ``RestrictedWeight``, ``RestrictedBias``, ``NeuralMotif``.

These are the per-motif modules of the original and the
per-item reference path that the batched :mod:`effect.engine` is tested
against.

``semantics="reference"`` (default) reproduces the original's clamping: a
weight pushed past its magnitude bounds, or a bias reaching ``±1`` (inclusive
comparison), is *replaced* by a brand-new parameter holding the bound, so an
optimizer created earlier keeps stepping the orphaned object and the module's
value stays frozen at the bound until a new optimizer is built.
``semantics="corrected"`` clamps in place and keeps the parameter's identity.

Examples
--------
>>> import torch
>>> from effect.motifs import NeuralMotif
>>> motif = NeuralMotif("incoherent-loop", 1, ["tanh", "tanh"], ["sum", "sum"],
...                     weights=[-1.0, 0.652, 1.0], biases=[1.0, 0.337])
>>> x = torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
>>> motif(x).flatten().tolist()[1]
1.0
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn

from effect._checks import check_semantics
from effect.engine import ACTIVATIONS, AGGREGATIONS, activation_name, resolve_activation
from effect.structures import ALL_MOTIF_TYPES, MOTIF_INDICES, n_biases, n_weights, weight_signs

__all__ = ["RestrictedWeight", "RestrictedBias", "NeuralMotif", "WeightRangeError"]


class WeightRangeError(ValueError):
    """A weight value with the wrong sign or a magnitude outside its bounds (a ``ValueError``)."""


_LIST_LENGTHS = {  # (activations, aggregations) per motif type
    "collider": (1, 1),
    "fork": (2, 0),
    "chain": (2, 0),
    "coherent-loop": (2, 2),
    "incoherent-loop": (2, 2),
}


def _check_number(value, name):
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    if not np.isfinite(float(value)):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    return value


def _check_bound(bound, name, weight):
    if bound is None:
        raise TypeError(f"{name} must be a pair of numbers, got None.")
    try:
        low, high = (float(v) for v in bound)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers, got {bound!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high)) or low > high or (weight and low < 0):
        allowed = "0 <= low <= high" if weight else "low <= high"
        raise ValueError(f"{name} must satisfy {allowed}, got {bound!r}.")
    return low, high


def _tensor(value):
    # numpy float64 -> float64 0-dim tensor; Python float -> float32 (as the original's torch.tensor(value)).
    # Integers (e.g. a weight of 1) become float32 so that the parameter can require gradients.
    if isinstance(value, (numbers.Integral, np.integer)):
        value = float(value)
    return torch.tensor(value)


def _check_names(values, name, allowed, count, motif_type):
    if values is None and count == 0:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list of strings from {allowed}, got {values!r}.")
    values = list(values)
    if len(values) != count:
        raise ValueError(f"{motif_type} needs {count} {name} from {allowed}, got {len(values)}: {values!r}.")
    for value in values:
        if value not in allowed:
            raise ValueError(f"{name} must be in {allowed}, got {value!r}.")
    return values


def _check_activations(values, count, motif_type):
    """Like ``_check_names`` for activations, but element-wise callables are accepted too."""
    allowed = tuple(ACTIVATIONS)
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise TypeError(f"activations must be a list of names from {allowed} or callables, got {values!r}.")
    names = [v for v in values if not callable(v)]
    _check_names(names, "activations", allowed, len(names), motif_type)
    if len(values) != count:
        raise ValueError(f"{motif_type} needs {count} activations from {allowed} or callables, got {len(values)}: "
                         f"{list(values)!r}.")
    return list(values)


def _check_values(values, name, count, motif_type):
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence of {count} numbers, got {values!r}.")
    if len(values) != count:
        raise ValueError(f"{motif_type} needs {count} {name}, got {len(values)}.")
    return [_check_number(v, item) for v, item in zip(values, [f"{name}[{k}]" for k in range(count)])]


class RestrictedWeight(nn.Module):
    """One trainable scalar with a fixed sign and magnitude in ``[bound[0], bound[1]]``.

    Parameters
    ----------
    is_positive : bool
        Sign of the weight.
    value : float, optional
        Initial value; must lie in ``[bound0, bound1]`` (positive) or
        ``[-bound1, -bound0]`` (negative). Random (uniform) when omitted.
    bound : (float, float)
        Magnitude bounds, default ``(1e-3, 1.0)``.
    generator : torch.Generator, optional
        Random source for the initial value.
    semantics : {"reference", "corrected"}
        Clamping by parameter replacement (reference) or in place (corrected).

    Attributes
    ----------
    weight : nn.Parameter
        0-dim (given value) or shape (1,) (random) tensor. A numpy float64
        value gives a float64 tensor, a Python float a float32 one.

    Examples
    --------
    >>> import torch
    >>> w = RestrictedWeight(False, -0.5)
    >>> w(torch.tensor([1.0, 2.0])).tolist(), w.value()
    ([-0.5, -1.0], -0.5)
    >>> RestrictedWeight(True, generator=torch.Generator().manual_seed(0)).value() > 0
    True
    """

    def __init__(self, is_positive=True, value=None, bound=(1e-3, 1.0), generator=None, semantics="reference"):
        super().__init__()
        self.is_positive = bool(is_positive)
        self.bound = _check_bound(bound, "bound", weight=True)
        self.semantics = check_semantics(semantics)
        self.reset(value, generator)

    def reset(self, value=None, generator=None):
        """Set a given (validated) value, or draw a uniform random one."""
        low, high = self.bound
        if value is not None:
            value = _check_number(value, "weight value")
            inside = low <= value <= high if self.is_positive else -high <= value <= -low
            if not inside:
                allowed = f"[{low}, {high}]" if self.is_positive else f"[{-high}, {-low}]"
                raise WeightRangeError(
                    f"weight value {float(value)!r} is outside the allowed range {allowed} for a "
                    f"{'positive' if self.is_positive else 'negative'} weight."
                )
            self.weight = nn.Parameter(_tensor(value))
        else:
            draw = torch.rand(1, generator=generator)
            start = low if self.is_positive else -high
            self.weight = nn.Parameter(start + (high - low) * draw)

    def restrict(self):
        """Clamp to the bounds (strict comparisons; a value on a bound is left alone)."""
        low, high = self.bound
        w = self.weight
        if self.is_positive:
            target = low if w < low else (high if w > high else None)
        else:
            target = -low if w > -low else (-high if w < -high else None)
        if target is None:
            return
        if self.semantics == "reference":
            self.weight = nn.Parameter(torch.tensor(target))  # orphans any optimizer holding the old object
        else:
            with torch.no_grad():
                self.weight.fill_(target)

    def forward(self, data):
        self.restrict()
        return self.weight * data

    def value(self) -> float:
        """The weight as a Python float."""
        return float(self.weight.detach().reshape(-1)[0])


class RestrictedBias(nn.Module):
    """One trainable bias confined to ``[bound[0], bound[1]]``.

    A given value is not range-checked (as the original). Reference clamping
    uses inclusive comparisons, so a bias exactly on a bound is replaced by a
    new parameter at every ``restrict``.

    Parameters
    ----------
    value : float, optional
        Initial value; uniform in ``bound`` from ``generator`` when omitted.
    bound : (float, float)
        Default ``(-1.0, 1.0)``.
    generator : torch.Generator, optional
    semantics : {"reference", "corrected"}

    Examples
    --------
    >>> import torch
    >>> b = RestrictedBias(1.0)
    >>> first = b.bias
    >>> b(torch.zeros(2)).tolist(), b.bias is first   # reference: a bias at +1 is replaced
    ([1.0, 1.0], False)
    >>> RestrictedBias(1.0, semantics="corrected").restrict() is None
    True
    """

    def __init__(self, value=None, bound=(-1.0, 1.0), generator=None, semantics="reference"):
        super().__init__()
        self.bound = _check_bound(bound, "bound", weight=False)
        self.semantics = check_semantics(semantics)
        self.reset(value, generator)

    def reset(self, value=None, generator=None):
        """Set a given value, or draw a uniform random one."""
        low, high = self.bound
        if value is not None:
            self.bias = nn.Parameter(_tensor(_check_number(value, "bias value")))
        else:
            self.bias = nn.Parameter(low + (high - low) * torch.rand(1, generator=generator))

    def restrict(self):
        """Clamp to the bounds (reference: inclusive comparisons and replacement)."""
        low, high = self.bound
        if self.semantics == "reference":
            if self.bias <= low:
                self.bias = nn.Parameter(torch.tensor(low))
            elif self.bias >= high:
                self.bias = nn.Parameter(torch.tensor(high))
        elif self.bias < low or self.bias > high:
            with torch.no_grad():
                self.bias.clamp_(low, high)

    def forward(self, data):
        self.restrict()
        return self.bias + data

    def value(self) -> float:
        """The bias as a Python float."""
        return float(self.bias.detach().reshape(-1)[0])


def _aggregate(kind, first, second):
    return first + second if kind == "sum" else torch.maximum(first, second)


class NeuralMotif(nn.Module):
    """A three-node (or two-edge) motif with sign-restricted weights.

    Parameters
    ----------
    motif_type : {"collider", "fork", "chain", "coherent-loop", "incoherent-loop"}
    motif_index : {1, 2, 3, 4}
        Sign pattern of the weights (:func:`effect.structures.weight_signs`).
    activations : list of str or callable
        ``tanh``/``sigmoid``/``relu``; 1 for colliders, else 2. An entry may
        also be an element-wise callable such as a learned activation frozen as
        :class:`effect.learned.InterpolatedActivation` (it adds no parameters).
    aggregations : list of str or None
        ``sum``/``max``; 1 for colliders, 2 for loops, none for fork/chain.
    weights, biases : list of float, optional
        Initial values (random when omitted). 2 weights (3 for loops); 1 bias
        (collider) or 2.
    weight_bound, bias_bound : (float, float)
    generator : torch.Generator, optional
    semantics : {"reference", "corrected"}

    Attributes
    ----------
    t, i, a, g : motif type, index, activation list, aggregation list
    w : nn.ModuleList of RestrictedWeight
        Loops ``(x->y, x->z, y->z)``; colliders ``(x->z, y->z)``.
    b : nn.ModuleList of RestrictedBias
        Loops ``(y, z)``; colliders ``(z,)``.
    weight_bound, bias_bound : (float, float)

    Notes
    -----
    Parameters register as ``w.0, w.1, (w.2), b.0, (b.1)`` -- the order an
    optimizer sees them in. ``forward(X)`` takes ``X`` of shape (N, 2) ((N, 1) for fork and chain) and
    returns the min-max normalised output over the batch, shape (N, 1)
    ((N, 2) for forks).

    Examples
    --------
    >>> import torch
    >>> motif = NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
    >>> [name for name, _ in motif.named_parameters()]
    ['w.0.weight', 'w.1.weight', 'b.0.bias']
    >>> motif(torch.tensor([[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0]])).flatten().tolist()
    [-1.0, 0.0, 1.0]
    """

    def __init__(self, motif_type, motif_index, activations, aggregations, weights=None, biases=None,
                 weight_bound=(1e-3, 1.0), bias_bound=(-1.0, 1.0), generator=None, semantics="reference"):
        super().__init__()
        if isinstance(motif_index, bool) or motif_index not in MOTIF_INDICES:
            raise ValueError(f"motif_index must be one of {MOTIF_INDICES}, got {motif_index!r}.")
        if motif_type not in ALL_MOTIF_TYPES:
            raise ValueError(f"motif_type must be one of {ALL_MOTIF_TYPES}, got {motif_type!r}.")
        n_act, n_agg = _LIST_LENGTHS[motif_type]
        activations = _check_activations(activations, n_act, motif_type)
        aggregations = _check_names([] if aggregations is None else aggregations, "aggregations", AGGREGATIONS,
                                    n_agg, motif_type)
        self.t, self.i, self.a, self.g = motif_type, int(motif_index), activations, aggregations
        self.weight_bound = _check_bound(weight_bound, "weight_bound", weight=True)
        self.bias_bound = _check_bound(bias_bound, "bias_bound", weight=False)
        self.semantics = check_semantics(semantics)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}.")
        self.reset(weights, biases, generator)

    def reset(self, weights=None, biases=None, generator=None):
        """(Re)build the weight and bias modules from values, or at random from ``generator``.

        Each given weight must carry the sign of :func:`effect.structures.weight_signs`
        and a magnitude within ``weight_bound`` (``ValueError`` otherwise).
        """
        n_w, n_b = n_weights(self.t), n_biases(self.t)
        weights = _check_values(weights, "weights", n_w, self.t)
        biases = _check_values(biases, "biases", n_b, self.t)
        signs = weight_signs(self.t, self.i)
        modules = []
        for k, sign in enumerate(signs):
            try:
                modules.append(RestrictedWeight(sign > 0, None if weights is None else weights[k], self.weight_bound,
                                                generator, self.semantics))
            except WeightRangeError as error:
                raise WeightRangeError(f"weights[{k}] of {self.t}.{self.i}: {error}") from None
        self.w = nn.ModuleList(modules)
        self.b = nn.ModuleList(
            RestrictedBias(None if biases is None else biases[k], self.bias_bound, generator, self.semantics)
            for k in range(n_b)
        )

    def _check_input(self, data):
        if not isinstance(data, torch.Tensor):
            raise TypeError(f"input must be a torch.Tensor, got {type(data).__name__}.")
        width = 1 if self.t in ("fork", "chain") else 2
        if data.ndim != 2 or data.shape[1] != width or data.shape[0] == 0:
            raise ValueError(f"input of a {self.t} must have shape (N, {width}), got {tuple(data.shape)}.")
        if not torch.isfinite(data).all():
            raise ValueError("input contains NaN or infinite values.")

    def forward(self, data):
        self._check_input(data)
        act = [resolve_activation(a) for a in self.a]
        x1 = data[:, 0:1]
        if "collider" in self.t:
            out = act[0](self.b[0](_aggregate(self.g[0], self.w[0](x1), self.w[1](data[:, 1:2]))))
        elif "loop" in self.t:
            hidden = act[0](self.b[0](_aggregate(self.g[0], self.w[0](x1), data[:, 1:2])))
            out = act[1](self.b[1](_aggregate(self.g[1], self.w[1](x1), self.w[2](hidden))))
        elif self.t == "chain":
            out = act[1](self.b[1](self.w[1](act[0](self.b[0](self.w[0](x1))))))
        else:  # fork
            out = torch.cat([act[0](self.b[0](self.w[0](x1))), act[1](self.b[1](self.w[1](x1)))], dim=1)
            columns = []
            for column in out.T:
                low, high = column.min(), column.max()
                if high - low < 1e-10:
                    columns.append(column - column.mean())
                else:
                    columns.append(2.0 * (column - low) / (high - low) - 1.0)
            return torch.stack(columns, dim=1)
        low, high = torch.min(out), torch.max(out)
        if high - low < 1e-12:
            return out - high
        return 2.0 * (out - low) / (high - low) - 1.0

    def restrict(self):
        """Restrict every weight and bias (same replacement semantics)."""
        for module in list(self.w) + list(self.b):
            module.restrict()

    def parameter_row(self) -> np.ndarray:
        """Current ``weights + biases`` as a float64 array (the engine's row layout)."""
        return np.array([w.value() for w in self.w] + [b.value() for b in self.b])

    def __str__(self):
        shown = (self.i - 1) // 2 + (self.i - 1) % 2 + 1 if self.t in ("collider", "fork") else self.i
        def fmt(v):
            return ("+" if v >= 0 else "") + "%.2e" % v
        lines = ["<NeuralMotif", f"  motif type: {self.t}", f"  motif index: {shown}",
                 f"  activation(s): {', '.join(activation_name(a) for a in self.a)}"]
        if self.g:
            lines.append(f"  aggregation(s): {', '.join(self.g)}")
        lines += [f"  weight {k}: {fmt(w.value())}" for k, w in enumerate(self.w)]
        lines += [f"  bias {k}: {fmt(b.value())}" for k, b in enumerate(self.b)]
        return "\n".join(lines) + "\n>"
