"""Unconstrained motif building blocks and fixed motif networks.

``Collider``, ``Loop`` and ``RestrictedLoop`` are small tanh modules without
min-max normalisation; ``ColliderNetwork``, ``LoopNetwork`` and
``RestrictedLoopNetwork`` add the outputs of a bank of them. They are the
networks fitted by :func:`effect.expression.fit` in experiment 5.

Every constructor takes an optional ``generator`` (``torch.Generator``): with
it the parameters are drawn like PyTorch's default ``nn.Linear``
initialisation (uniform in ``±1/sqrt(fan_in)``) from that generator only, so
runs are seedable; without it the global torch RNG is used, as in the
original.

Quirks (``semantics``):

* ``MotifNetwork.forward``: reference sums ``tanh(motif(X))`` over the motifs
  although every motif already ends in tanh (outputs bounded by ``0.7616 n``);
  corrected sums ``motif(X)``.
* ``RestrictedLoop`` coherent index 3: reference uses the signs ``(-, +, +)``
  (really incoherent index 1); corrected uses ``(-, -, +)``.

A flat, batched functional path (:func:`network_outputs`) evaluates many
networks of one architecture as stacked parameter tensors; it is tested
against the modules.

Examples
--------
>>> import torch
>>> from effect.motif_networks import LoopNetwork
>>> net = LoopNetwork(3, generator=torch.Generator().manual_seed(0))
>>> x = torch.tensor([[0.0, 0.5], [1.0, -1.0]])
>>> tuple(net(x).shape), net.get_parameter_number()
((2, 1), 15)
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn

from effect._checks import check_semantics
from effect.operations import calculate_hessian_eigenvalues
from effect.structures import MOTIF_INDICES, restricted_loop_signs

__all__ = [
    "MOTIF_LABELS",
    "SUMMARY_KEYS",
    "Collider",
    "Loop",
    "RestrictedLoop",
    "MotifNetwork",
    "ColliderNetwork",
    "LoopNetwork",
    "RestrictedLoopNetwork",
    "NETWORK_KINDS",
    "make_network",
    "network_parameters",
    "motif_terms",
    "network_outputs",
]

#: Motif labels of the network family, in the order of the metric columns.
MOTIF_LABELS = ("collider", "coherent-loop", "incoherent-loop")
#: Keys of the per-network summaries (sparsity, gradient variance, spectral norm).
SUMMARY_KEYS = MOTIF_LABELS + ("entire network",)

_COHERENT_PATTERNS = ((1, 1, 1), (-1, 1, -1), (-1, -1, 1), (1, -1, -1))
_INCOHERENT_PATTERNS = ((-1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, -1, -1))
_COLLIDER_PATTERNS = ((1, 1), (1, -1), (-1, 1), (-1, -1))


def _check_epsilon(epsilon, name="epsilon"):
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not math.isfinite(epsilon):
        raise TypeError(f"{name} must be a finite real number, got {epsilon!r}.")
    return float(epsilon)


def _check_generator(generator):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}.")
    return generator


def _linear(in_features, generator):
    """``nn.Linear(in_features, 1)`` with PyTorch-default init, from ``generator`` if given."""
    if generator is None:
        return nn.Linear(in_features, 1)
    layer = torch.nn.utils.skip_init(nn.Linear, in_features, 1)
    bound = 1.0 / math.sqrt(in_features)
    with torch.no_grad():
        layer.weight.copy_(torch.rand(layer.weight.shape, generator=generator) * (2 * bound) - bound)
        layer.bias.copy_(torch.rand(layer.bias.shape, generator=generator) * (2 * bound) - bound)
    return layer


def _signs(values):
    return tuple(int(np.sign(v)) for v in values)


def _grad(parameter):
    if parameter.grad is None:
        raise ValueError("no gradients yet: call backward() on a loss of this module first.")
    return parameter.grad.detach().reshape(-1).numpy().copy()


class Collider(nn.Module):
    """Unconstrained collider ``z = tanh(W00 x + W01 y + c)``.

    Parameters
    ----------
    generator : torch.Generator, optional
        Source of the initial parameters (uniform in ``±1/sqrt(2)``).

    Examples
    --------
    >>> import torch
    >>> motif = Collider(generator=torch.Generator().manual_seed(1))
    >>> motif(torch.zeros(4, 2)).shape
    torch.Size([4, 1])
    """

    def __init__(self, generator=None):
        super().__init__()
        self.linear = _linear(2, _check_generator(generator))

    def forward(self, data):
        """``tanh(linear(data))``: (N, 2) -> (N, 1), no normalisation."""
        return torch.tanh(self.linear(data))

    def _weights(self):
        return [float(v) for v in self.linear.weight.detach().reshape(-1)]

    def get_weights(self):
        """``{"x->z": W00, "y->z": W01}`` as Python floats."""
        w = self._weights()
        return {"x->z": w[0], "y->z": w[1]}

    def get_utilization(self, epsilon=1e-6):
        """Fraction of the weights with ``|w| > epsilon``."""
        weights = self._weights()
        return sum(abs(w) > epsilon for w in weights) / len(weights)

    def get_gradients(self):
        """``{"w": (2,) weight gradients, "b": (1,) bias gradient}``; ``ValueError`` before any backward."""
        return {"w": _grad(self.linear.weight), "b": _grad(self.linear.bias)}

    def get_spectral_norm(self):
        """Largest singular value of the 1x2 weight matrix, ``sqrt(W00² + W01²)``."""
        return float(torch.linalg.matrix_norm(self.linear.weight.detach(), ord=2))

    def get_motif_information(self):
        """``("collider", k)`` from the weight signs (+,+)->1, (+,-)->2, (-,+)->3, (-,-)->4."""
        signs = _signs(self._weights())
        if 0 in signs:
            raise ValueError(f"a collider weight is exactly 0 ({self.get_weights()}); its label is undefined.")
        return "collider", _COLLIDER_PATTERNS.index(signs) + 1


class Loop(nn.Module):
    """Unconstrained loop: a :class:`Collider` plus a 1->1 "addition" edge.

    Original direction: ``y' = y + tanh(a x + c)``, output ``tanh(W00 x + W01 y' + b)``;
    reversed: ``x' = x + tanh(a y + c)``, output ``tanh(W00 x' + W01 y + b)``. The external
    input enters OUTSIDE the inner tanh (unlike ``NeuralMotif``).

    Parameters
    ----------
    original_direction : bool, default True
    generator : torch.Generator, optional
        Source of the initial parameters (collider ``±1/sqrt(2)``, addition ``±1``).

    Examples
    --------
    >>> import torch
    >>> loop = Loop(generator=torch.Generator().manual_seed(2))
    >>> sorted(loop.get_weights())
    ['x->y', 'x->z', 'y->z']
    """

    def __init__(self, original_direction=True, generator=None):
        super().__init__()
        generator = _check_generator(generator)
        self.original_direction = bool(original_direction)
        self.collider = Collider(generator)
        self.addition = _linear(1, generator)

    def forward(self, data):
        """(N, 2) -> (N, 1), no normalisation."""
        x, y = data[:, :1], data[:, 1:2]
        if self.original_direction:
            y = y + torch.tanh(self.addition(x))
        else:
            x = x + torch.tanh(self.addition(y))
        return self.collider(torch.cat([x, y], dim=1))

    def _weights(self):
        """``[x->y, x->z, y->z]`` as Python floats."""
        w = self.collider._weights()
        return [float(self.addition.weight.detach().reshape(-1)[0]), w[0], w[1]]

    def get_weights(self):
        """``{"x->z": W00, "y->z": W01, "x->y": a}`` (in reversed mode "x->y" is the y->x edge)."""
        weights = self.collider.get_weights()
        weights["x->y"] = self._weights()[0]
        return weights

    def get_utilization(self, epsilon=1e-6):
        """Fraction of the 3 weights with ``|w| > epsilon``."""
        return sum(abs(w) > epsilon for w in self._weights()) / 3

    def get_gradients(self):
        """``{"w": [dW00, dW01, da], "b": [db, dc]}`` as numpy arrays."""
        inner = self.collider.get_gradients()
        return {
            "w": np.concatenate([inner["w"], _grad(self.addition.weight)]),
            "b": np.concatenate([inner["b"], _grad(self.addition.bias)]),
        }

    def get_spectral_norm(self):
        """Additive proxy: 2-norm of the collider weight row plus ``|a|``."""
        return self.collider.get_spectral_norm() + abs(self._weights()[0])

    def is_coherent(self):
        """True iff the signs of (x->y, x->z, y->z) form a coherent pattern."""
        return _signs(self._weights()) in _COHERENT_PATTERNS

    def get_motif_information(self):
        """Sign-derived ``("coherent-loop" | "incoherent-loop", index)``; ``ValueError`` on a zero weight."""
        signs = _signs(self._weights())
        if 0 in signs:
            raise ValueError(f"a loop weight is exactly 0 ({self.get_weights()}); its label is undefined.")
        if signs in _COHERENT_PATTERNS:
            return "coherent-loop", _COHERENT_PATTERNS.index(signs) + 1
        return "incoherent-loop", _INCOHERENT_PATTERNS.index(signs) + 1


class RestrictedLoop(Loop):
    """Loop whose three weights keep a fixed sign pattern.

    Parameters
    ----------
    loop_type : {"i", "c"}
        Incoherent or coherent.
    loop_index : {1, 2, 3, 4}
    epsilon : float, default 1e-6
        Smallest allowed weight magnitude (> 0).
    original_direction : bool, default True
    semantics : {"reference", "corrected"}
        ``"reference"`` reproduces the original's coherent index 3 = ``(-, +, +)``
        (an incoherent loop labelled coherent); ``"corrected"`` uses ``(-, -, +)``.
    generator : torch.Generator, optional

    Attributes
    ----------
    signs : tuple of int
        Required signs of ``(x->y, x->z, y->z)``.

    Examples
    --------
    >>> import torch
    >>> loop = RestrictedLoop("c", 3, generator=torch.Generator().manual_seed(0))
    >>> loop.get_motif_information(), loop.is_coherent()
    (('coherent-loop', 3), False)
    >>> RestrictedLoop("c", 3, semantics="corrected").is_coherent()
    True
    """

    def __init__(self, loop_type, loop_index, epsilon=1e-6, original_direction=True, semantics="reference",
                 generator=None):
        epsilon = _check_epsilon(epsilon)
        if epsilon <= 0:
            raise ValueError(f"epsilon must be > 0, got {epsilon!r}.")
        if loop_type not in ("i", "c"):
            raise ValueError(f"loop_type must be 'i' or 'c', got {loop_type!r}.")
        if isinstance(loop_index, bool) or loop_index not in MOTIF_INDICES:
            raise ValueError(f"loop_index must be one of {MOTIF_INDICES}, got {loop_index!r}.")
        super().__init__(original_direction, generator)
        self.semantics = check_semantics(semantics)
        self.loop_type, self.loop_index, self.epsilon = loop_type, int(loop_index), epsilon
        self.signs = restricted_loop_signs(loop_type, int(loop_index), semantics)
        self.adjust_weights()

    def _parameters_in_order(self):
        """The (x->y, x->z, y->z) weights as views into the parameters."""
        w = self.collider.linear.weight
        return [self.addition.weight.view(-1)[0:1], w.view(-1)[0:1], w.view(-1)[1:2]]

    @torch.no_grad()
    def adjust_weights(self):
        """Push tiny weights to ``±2 epsilon`` and flip wrong signs (in place; 0 stays 0)."""
        eps = self.epsilon
        for view, sign in zip(self._parameters_in_order(), self.signs):
            w = float(view)
            if 0 < w < eps:
                view.fill_(2 * eps)
            elif -eps < w < 0:
                view.fill_(-2 * eps)
            if float(view) * sign < 0:
                view.mul_(-1)

    @torch.no_grad()
    def restrict(self):
        """Clamp each weight to its side of ``±epsilon`` in place (no upper bound)."""
        eps = self.epsilon
        for view, sign in zip(self._parameters_in_order(), self.signs):
            w = float(view)
            if sign < 0 and w > -eps:
                view.fill_(-eps)
            elif sign > 0 and w < eps:
                view.fill_(eps)

    def get_motif_information(self):
        """The DECLARED label ``("coherent-loop" if "c" else "incoherent-loop", loop_index)``."""
        return ("coherent-loop" if self.loop_type == "c" else "incoherent-loop"), self.loop_index


def _mean_or_none(values):
    return float(np.mean(values)) if len(values) else None


class MotifNetwork(nn.Module):
    """Sum of a bank of motifs; subclasses fill :attr:`bank`.

    Parameters
    ----------
    motif_number : int, default 1
        Number of motifs (>= 1).
    semantics : {"reference", "corrected"}
        ``"reference"``: ``forward = Σ tanh(motif(X))`` (double tanh; outputs in
        ``(-0.7616 n, 0.7616 n)``); ``"corrected"``: ``Σ motif(X)``.
    """

    def __init__(self, motif_number=1, semantics="reference"):
        super().__init__()
        if isinstance(motif_number, bool) or not isinstance(motif_number, (int, np.integer)):
            raise TypeError(f"motif_number must be an integer, got {type(motif_number).__name__}.")
        if motif_number < 1:
            raise ValueError(f"motif_number must be >= 1, got {motif_number}.")
        self.motif_number = int(motif_number)
        self.semantics = check_semantics(semantics)
        self.bank = nn.ModuleList()

    def forward(self, data):
        """(N, 2) -> (N, 1): sum over motifs of ``tanh(motif)`` (reference) or ``motif`` (corrected)."""
        output = None
        for motif in self.bank:
            term = motif(data)
            if self.semantics == "reference":
                term = torch.tanh(term)
            output = term if output is None else output + term
        return output

    def restrict(self):
        """Restrict every motif that can be restricted (no-op for unconstrained motifs)."""
        for motif in self.bank:
            if hasattr(motif, "restrict"):
                motif.restrict()

    def get_motif_number(self):
        """Number of motifs."""
        return len(self.bank)

    def get_parameter_number(self):
        """3 per collider, 5 per loop."""
        return sum(3 if isinstance(m, Collider) else 5 for m in self.bank)

    def get_motif_types(self):
        """Label of every motif (sign-derived, or declared for restricted loops)."""
        return [m.get_motif_information()[0] for m in self.bank]

    def get_motif_utilization(self, epsilon=1e-6):
        """Utilisation (fraction of weights with ``|w| > epsilon``) of every motif."""
        return [m.get_utilization(epsilon) for m in self.bank]

    def _groups(self):
        labels = self.get_motif_types()
        return {label: [m for m, lab in zip(self.bank, labels) if lab == label] for label in MOTIF_LABELS}

    def get_sparsity(self, epsilon=1e-6):
        """Weight utilisation per label (mean over its motifs, None if none) and of the entire network.

        ``"entire network"`` = utilised weights / all weights (2 per collider, 3 per loop).
        Despite the name, 1.0 means no weight collapsed below ``epsilon``.
        """
        result = {label: _mean_or_none([m.get_utilization(epsilon) for m in group])
                  for label, group in self._groups().items()}
        used = total = 0
        for motif in self.bank:
            weights = motif._weights()
            used += sum(abs(w) > epsilon for w in weights)
            total += len(weights)
        result["entire network"] = used / total
        return result

    def get_gradients(self):
        """Per-motif gradient dicts (see ``Collider.get_gradients`` / ``Loop.get_gradients``)."""
        return [m.get_gradients() for m in self.bank]

    def get_gradient_variance(self):
        """Population variance (ddof 0, float64) of the concatenated weight gradients per label and overall."""
        def variance(group):
            if not group:
                return None
            values = np.concatenate([m.get_gradients()["w"] for m in group]).astype(np.float64)
            return float(np.var(values))

        result = {label: variance(group) for label, group in self._groups().items()}
        result["entire network"] = variance(list(self.bank))
        return result

    def get_spectral_norms(self):
        """Spectral norm (proxy) of every motif."""
        return [m.get_spectral_norm() for m in self.bank]

    def get_spectral_norm_summary(self):
        """Mean spectral norm per label (None if none) and their SUM over the entire network."""
        result = {label: _mean_or_none([m.get_spectral_norm() for m in group])
                  for label, group in self._groups().items()}
        result["entire network"] = float(sum(self.get_spectral_norms()))
        return result

    def get_hessian_eigenvalues(self, input_data=None, expected_landscape=None, criterion=None):
        """Loss-Hessian eigenvalues of this network (the original is an empty stub).

        Without arguments returns ``None`` like the original stub; with data it
        returns :func:`effect.operations.calculate_hessian_eigenvalues` for
        ``criterion`` (default MSE).
        """
        if input_data is None and expected_landscape is None:
            return None
        if input_data is None or expected_landscape is None:
            raise ValueError("input_data and expected_landscape must be given together.")
        return calculate_hessian_eigenvalues(self, criterion or nn.MSELoss(), input_data, expected_landscape)


class ColliderNetwork(MotifNetwork):
    """``motif_number`` unconstrained colliders (``restrict`` does nothing).

    Examples
    --------
    >>> import torch
    >>> net = ColliderNetwork(2, generator=torch.Generator().manual_seed(0))
    >>> net.get_motif_number(), net.get_parameter_number()
    (2, 6)
    """

    def __init__(self, motif_number=1, semantics="reference", generator=None):
        super().__init__(motif_number, semantics)
        generator = _check_generator(generator)
        self.bank.extend(Collider(generator) for _ in range(self.motif_number))


class LoopNetwork(MotifNetwork):
    """``motif_number`` unconstrained loops; motif ``k`` (0-based) uses the original direction iff ``k`` is even.

    Examples
    --------
    >>> import torch
    >>> net = LoopNetwork(2, generator=torch.Generator().manual_seed(0))
    >>> [m.original_direction for m in net.bank]
    [True, False]
    """

    def __init__(self, motif_number=1, semantics="reference", generator=None):
        super().__init__(motif_number, semantics)
        generator = _check_generator(generator)
        self.bank.extend(Loop(k % 2 == 0, generator) for k in range(self.motif_number))


class RestrictedLoopNetwork(MotifNetwork):
    """Restricted loops: motif ``k`` is ``RestrictedLoop("c" if flags_1[k] else "i", flags_2[k], ...)``.

    Parameters
    ----------
    flags_1 : sequence
        Truthy = coherent ("c"), falsy = incoherent ("i"); length ``motif_number``.
    flags_2 : sequence of int
        Sub-structure indices 1..4; length ``motif_number``.
    motif_number : int, default 1
    epsilon : float, default 1e-6
    semantics : {"reference", "corrected"}
        Double tanh and the coherent-3 sign bug (see module docstring).
    generator : torch.Generator, optional

    Examples
    --------
    >>> import torch
    >>> net = RestrictedLoopNetwork([0, 1], [1, 3], 2, generator=torch.Generator().manual_seed(0))
    >>> net.get_motif_types(), [m.is_coherent() for m in net.bank]
    (['incoherent-loop', 'coherent-loop'], [False, False])
    """

    def __init__(self, flags_1, flags_2, motif_number=1, epsilon=1e-6, semantics="reference", generator=None):
        super().__init__(motif_number, semantics)
        generator = _check_generator(generator)
        flags_1, flags_2 = list(flags_1), list(flags_2)
        if len(flags_1) != self.motif_number or len(flags_2) != self.motif_number:
            raise ValueError(f"flags_1 and flags_2 must both have length motif_number={self.motif_number}, "
                             f"got {len(flags_1)} and {len(flags_2)}.")
        self.epsilon = _check_epsilon(epsilon)
        self.bank.extend(
            RestrictedLoop("c" if flags_1[k] else "i", int(flags_2[k]), epsilon, k % 2 == 0, semantics, generator)
            for k in range(self.motif_number)
        )


# ---------------------------------------------------------------------------------------------------
# Batched functional path: many networks of one architecture as stacked parameter tensors.

NETWORK_KINDS = ("collider", "loop", "restricted")


def make_network(kind, motif_number, flags=None, epsilon=1e-6, semantics="reference", generator=None):
    """Build a ``ColliderNetwork`` ("collider"), ``LoopNetwork`` ("loop") or ``RestrictedLoopNetwork`` ("restricted").

    ``flags`` is ``(flags_1, flags_2)`` and is required for "restricted" only.
    """
    if kind == "collider":
        return ColliderNetwork(motif_number, semantics, generator)
    if kind == "loop":
        return LoopNetwork(motif_number, semantics, generator)
    if kind == "restricted":
        if flags is None or len(flags) != 2:
            raise ValueError("flags must be (flags_1, flags_2) for kind='restricted'.")
        return RestrictedLoopNetwork(flags[0], flags[1], motif_number, epsilon, semantics, generator)
    raise ValueError(f"kind must be one of {NETWORK_KINDS}, got {kind!r}.")


def network_parameters(network):
    """Parameters of a collider/loop network as a ``(motif_number, 3 or 5)`` float32 tensor.

    Row layout per motif: collider ``(W00, W01, c)``; loop ``(W00, W01, b, a, c_add)``
    (the registration order of the module's parameters).
    """
    return torch.stack([torch.cat([p.detach().reshape(-1) for p in m.parameters()]) for m in network.bank])


def motif_terms(params, inputs, directions=None, semantics="reference"):
    """Per-motif output terms of ``B`` networks, shape ``(B, M, N)``; :func:`network_outputs` sums them.

    Each term is ``tanh(motif(X))`` in reference semantics (the double tanh)
    and ``motif(X)`` in corrected semantics. Arguments as in :func:`network_outputs`.
    """
    check_semantics(semantics)
    if params.ndim != 3 or params.shape[-1] not in (3, 5):
        raise ValueError(f"params must have shape (B, M, 3) or (B, M, 5), got {tuple(params.shape)}.")
    x, y = inputs[:, 0], inputs[:, 1]
    motif_number = params.shape[1]
    if directions is None:
        directions = [k % 2 == 0 for k in range(motif_number)]
    if params.shape[-1] == 5:
        forward = torch.tensor(list(directions), dtype=torch.bool, device=params.device)[None, :, None]
        a, c = params[..., 3:4], params[..., 4:5]
        source = torch.where(forward, x, y)            # the addition edge reads x (original) or y
        shifted = torch.tanh(a * source + c)
        x = torch.where(forward, x, x + shifted)
        y = torch.where(forward, y + shifted, y)
    w0, w1, b = params[..., 0:1], params[..., 1:2], params[..., 2:3]
    motifs = torch.tanh(w0 * x + w1 * y + b)           # (B, M, N)
    if semantics == "reference":
        motifs = torch.tanh(motifs)
    return motifs


def network_outputs(params, inputs, directions=None, semantics="reference"):
    """Outputs of ``B`` networks at once, shape ``(B, N)``.

    Parameters
    ----------
    params : Tensor of shape (B, M, 3) or (B, M, 5)
        Stacked per-motif parameters (layout of :func:`network_parameters`);
        3 columns = colliders, 5 = loops.
    inputs : Tensor of shape (N, 2)
    directions : sequence of bool of length M, optional
        Loop ``k`` uses the original direction iff ``directions[k]``; default
        ``k`` even (``LoopNetwork`` / ``RestrictedLoopNetwork``).
    semantics : {"reference", "corrected"}
        Double tanh (reference) or plain sum of the motifs.

    Examples
    --------
    >>> import torch
    >>> net = ColliderNetwork(2, generator=torch.Generator().manual_seed(0))
    >>> x = torch.rand(5, 2)
    >>> out = network_outputs(network_parameters(net)[None], x)
    >>> torch.allclose(out[0], net(x)[:, 0])
    True
    """
    motifs = motif_terms(params, inputs, directions, semantics)
    output = motifs[:, 0]
    for k in range(1, motifs.shape[1]):  # same summation order as MotifNetwork.forward
        output = output + motifs[:, k]
    return output
