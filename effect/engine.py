"""Batched motif engine: landscapes of many motifs in one tensor program.

A motif *population* is a ``(B, n_params)`` float tensor of parameter rows
``weights + biases`` (the column order of :func:`effect.structures.structure_parameters`).
:func:`motif_outputs` evaluates all ``B`` motifs on an ``(N, 2)`` input batch
and min-max normalises each motif over the batch, exactly like
``NeuralMotif.forward`` does for one motif (same float32 operations in the same
order, so the two paths agree bit for bit on CPU).

Examples
--------
>>> import torch
>>> from effect.engine import motif_outputs, grid_inputs
>>> params = torch.tensor([[0.5, 0.5, 0.0], [0.5, -0.5, 0.0]])
>>> out = motif_outputs(params, "collider", grid_inputs((-1, 1), 41))
>>> tuple(out.shape), float(out.min()), float(out.max())
((2, 1681), -1.0, 1.0)
"""

from __future__ import annotations

import torch

from effect._checks import as_float_tensor, check_finite, check_points, check_value_range
from effect.structures import ALL_MOTIF_TYPES, n_parameters, n_weights

__all__ = ["ACTIVATIONS", "AGGREGATIONS", "grid_inputs", "line_inputs", "normalise", "raw_outputs", "motif_outputs",
           "resolve_activation", "activation_name"]

ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
AGGREGATIONS = ("sum", "max")


def grid_inputs(value_range, points: int = 41) -> torch.Tensor:
    """Flattened ``"ij"`` meshgrid of the input domain, shape ``(points**2, 2)``, float32.

    ``value_range`` is ``(a, b)`` for both axes or ``(ax, bx, ay, by)``, each axis
    increasing (a reversed range raises ``ValueError``). Row ``i*points + j`` holds
    ``(x_i, y_j)``.
    """
    values = check_value_range(value_range)
    points = check_points(points)
    ax, bx, ay, by = values if len(values) == 4 else values * 2
    x = torch.linspace(ax, bx, points)
    y = torch.linspace(ay, by, points)
    gx, gy = torch.meshgrid(x, y, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


def line_inputs(value_range, points: int = 41) -> torch.Tensor:
    """Paired samples ``(x_k, y_k)`` along a line, shape ``(points, 2)``.

    ``value_range`` holds the end points ``(a, b)`` (both coordinates, the diagonal) or
    ``(x0, x1, y0, y1)``; they may run in either direction.
    """
    values = check_value_range(value_range, increasing=False)
    points = check_points(points)
    ax, bx, ay, by = values if len(values) == 4 else values * 2
    return torch.stack([torch.linspace(ax, bx, points), torch.linspace(ay, by, points)], dim=1)


def resolve_activation(activation):
    """The function behind an activation: a name from ``ACTIVATIONS``, or the callable itself.

    Callables (e.g. :class:`effect.learned.InterpolatedActivation`) must act element-wise on tensors.

    Examples
    --------
    >>> resolve_activation("tanh") is torch.tanh, resolve_activation(torch.sin) is torch.sin
    (True, True)
    """
    if callable(activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(f"activations must be in {tuple(ACTIVATIONS)} or element-wise callables, got {activation!r}.")
    return ACTIVATIONS[activation]


def activation_name(activation) -> str:
    """Printable name of an activation: the name itself, or a callable's ``name``/``__name__``."""
    if isinstance(activation, str):
        return activation
    return str(getattr(activation, "name", getattr(activation, "__name__", type(activation).__name__)))


def _aggregate(kind: str, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    return first + second if kind == "sum" else torch.maximum(first, second)


def _check_options(motif_type, activations, aggregations):
    if motif_type not in ALL_MOTIF_TYPES:
        raise ValueError(f"motif_type must be one of {ALL_MOTIF_TYPES}, got {motif_type!r}.")
    for a in activations:
        if not callable(a) and a not in ACTIVATIONS:
            raise ValueError(f"activations must be in {tuple(ACTIVATIONS)} or element-wise callables, got {a!r}.")
    for g in aggregations:
        if g not in AGGREGATIONS:
            raise ValueError(f"aggregations must be in {AGGREGATIONS}, got {g!r}.")


def raw_outputs(params, motif_type: str, inputs, activations=None, aggregations=None) -> torch.Tensor:
    """Un-normalised outputs of ``B`` motifs, shape ``(B, N)`` (``(B, N, 2)`` for forks).

    Parameters
    ----------
    params : Tensor or array_like of shape (B, n_params)
        Rows ``weights + biases``. Integer or boolean input is promoted to float64;
        the weights and biases are cast to the dtype of ``inputs``.
    motif_type : str
        One of ``collider, fork, chain, coherent-loop, incoherent-loop``.
    inputs : Tensor or array_like of shape (N, 2), or (N, 1) for fork and chain
        ``N >= 1`` input points; integer input is promoted to float64.
    activations, aggregations : sequence of str, optional
        Defaults: ``tanh`` everywhere and ``sum`` everywhere. An activation may
        also be an element-wise callable, e.g. a learned activation frozen as
        :class:`effect.learned.InterpolatedActivation`.

    Raises
    ------
    TypeError
        For non-real ``params`` or ``inputs``.
    ValueError
        For an unknown ``motif_type``, ``activations`` or ``aggregations``, a wrong shape of
        ``params`` or ``inputs``, or NaN / infinite values in either.
    """
    n_w = n_weights(motif_type)
    loop = "loop" in motif_type
    n_act = 1 if motif_type == "collider" else 2
    n_agg = 2 if loop else (1 if motif_type == "collider" else 0)
    activations = tuple(activations) if activations is not None else ("tanh",) * n_act
    aggregations = tuple(aggregations) if aggregations is not None else ("sum",) * n_agg
    _check_options(motif_type, activations, aggregations)
    params = as_float_tensor(params, "params")
    inputs = as_float_tensor(inputs, "inputs")
    if params.ndim != 2 or params.shape[1] != n_parameters(motif_type):
        raise ValueError(
            f"params must have shape (B, {n_parameters(motif_type)}) for {motif_type}, got {tuple(params.shape)}."
        )
    width = 1 if motif_type in ("fork", "chain") else 2
    if inputs.ndim != 2 or inputs.shape[1] != width or inputs.shape[0] == 0:
        raise ValueError(f"inputs must have shape (N, {width}) with N >= 1 for {motif_type}, "
                         f"got {tuple(inputs.shape)}.")
    check_finite(params, "params")
    check_finite(inputs, "inputs")
    w = params[:, :n_w].to(inputs.dtype).unsqueeze(-1)
    b = params[:, n_w:].to(inputs.dtype).unsqueeze(-1)
    act = [resolve_activation(a) for a in activations]
    x1 = inputs[:, 0].unsqueeze(0)
    if motif_type == "collider":
        return act[0](_aggregate(aggregations[0], w[:, 0] * x1, w[:, 1] * inputs[:, 1].unsqueeze(0)) + b[:, 0])
    if loop:
        along_x = w[:, 0] * x1
        h = act[0](_aggregate(aggregations[0], along_x, inputs[:, 1].unsqueeze(0).expand_as(along_x)) + b[:, 0])
        return act[1](_aggregate(aggregations[1], w[:, 1] * x1, w[:, 2] * h) + b[:, 1])
    if motif_type == "chain":
        return act[1](w[:, 1] * act[0](w[:, 0] * x1 + b[:, 0]) + b[:, 1])
    return torch.stack([act[0](w[:, 0] * x1 + b[:, 0]), act[1](w[:, 1] * x1 + b[:, 1])], dim=-1)


def normalise(raw: torch.Tensor, fork: bool = False) -> torch.Tensor:
    """Min-max normalise each motif's outputs over the batch to ``[-1, 1]``.

    ``raw`` is ``(B, N)``; for each row, a range below 1e-12 gives ``raw - max``.
    With ``fork=True`` (``(B, N, 2)``) each column is normalised separately and a
    range below 1e-10 subtracts the column mean.
    """
    if fork:
        low = raw.amin(dim=1, keepdim=True)
        high = raw.amax(dim=1, keepdim=True)
        span = high - low
        scaled = 2.0 * (raw - low) / torch.where(span < 1e-10, torch.ones_like(span), span) - 1.0
        return torch.where(span < 1e-10, raw - raw.mean(dim=1, keepdim=True), scaled)
    low = raw.amin(dim=-1, keepdim=True)
    high = raw.amax(dim=-1, keepdim=True)
    span = high - low
    flat = span < 1e-12
    scaled = 2.0 * (raw - low) / torch.where(flat, torch.ones_like(span), span) - 1.0
    return torch.where(flat, raw - high, scaled)


def motif_outputs(params, motif_type: str, inputs, activations=None, aggregations=None) -> torch.Tensor:
    """Normalised outputs (landscapes) of ``B`` motifs, shape ``(B, N)``.

    Differentiable with respect to ``params`` and ``inputs``. Arguments and their
    validation as in :func:`raw_outputs` (numpy arrays and tensors are both accepted).

    Examples
    --------
    >>> import numpy as np
    >>> motif_outputs(np.array([[1, 1, 0]]), "collider", np.array([[0, 0], [1, 1]])).tolist()
    [[-1.0, 1.0]]
    >>> motif_outputs(np.array([[1, 1, 0]]), "collider", np.zeros((4, 3)))
    Traceback (most recent call last):
    ...
    ValueError: inputs must have shape (N, 2) with N >= 1 for collider, got (4, 3).
    """
    raw = raw_outputs(params, motif_type, inputs, activations, aggregations)
    return normalise(raw, fork=motif_type == "fork")
