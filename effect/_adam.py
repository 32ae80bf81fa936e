"""Batched Adam with per-element state and a per-element "frozen" mask.

:class:`BatchedAdam` steps a whole ``(..., n_params)`` tensor of independent
scalar parameters (one row per motif) with exactly the update formula and
operation order of ``torch.optim.Adam``'s single-tensor implementation (the
CPU default): ``exp_avg.lerp_(g, 1 - beta1)``,
``exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)``,
``denom = (exp_avg_sq.sqrt() / sqrt(1 - beta2**t)).add_(eps)``,
``param.addcdiv_(exp_avg, denom, value=-lr / (1 - beta1**t))``, with the bias
corrections computed as Python floats.

The ``frozen`` mask emulates the reference's parameter replacement on clamping
(``docs/quirks.md``): a frozen element is never changed by
:meth:`BatchedAdam.step`; :meth:`BatchedAdam.reset` (a "new optimizer")
clears the mask together with the moment estimates.

Examples
--------
>>> import torch
>>> from effect._adam import BatchedAdam
>>> params = torch.tensor([[0.5, 0.5, 0.0]])
>>> adam = BatchedAdam(params, learn_rate=1e-3)
>>> adam.step(params, torch.tensor([[0.3, -0.2, 0.0]]))
>>> [round(v, 6) for v in params[0].tolist()]
[0.499, 0.501, 0.0]
"""

from __future__ import annotations

import torch

__all__ = ["BatchedAdam"]


class BatchedAdam:
    """Adam over every element of a parameter tensor, each element its own scalar parameter.

    Parameters
    ----------
    params : Tensor of shape (..., P)
        Only its shape, dtype and device are used; the state is zeroed.
    learn_rate : float
        Adam learning rate ``lr`` (> 0).
    betas : tuple of float, default (0.9, 0.999)
    eps : float, default 1e-8

    Attributes
    ----------
    exp_avg, exp_avg_sq : Tensor, same shape as ``params``
        First and second moment estimates.
    step_count : int
        Number of steps since the last :meth:`reset` (shared by all elements:
        every non-frozen element receives a gradient at every step).
    frozen : BoolTensor, same shape as ``params``
        Elements that :meth:`step` leaves unchanged.
    """

    def __init__(self, params: torch.Tensor, learn_rate: float, betas=(0.9, 0.999), eps: float = 1e-8):
        if not isinstance(params, torch.Tensor):
            raise TypeError(f"params must be a torch.Tensor, got {type(params).__name__}.")
        if not learn_rate > 0:
            raise ValueError(f"learn_rate must be > 0, got {learn_rate!r}.")
        self.learn_rate = float(learn_rate)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.eps = float(eps)
        self.exp_avg = torch.zeros_like(params)
        self.exp_avg_sq = torch.zeros_like(params)
        self.frozen = torch.zeros(params.shape, dtype=torch.bool, device=params.device)
        self.step_count = 0

    def reset(self, rows=None):
        """Start a "new optimizer": zero the moments, the step count and the frozen mask.

        ``rows`` (a boolean mask over the leading dimensions) resets only those
        rows' moments and mask; the step count is then left alone and must be
        shared, so partial resets are only valid between complete processes.
        """
        if rows is None:
            self.exp_avg.zero_()
            self.exp_avg_sq.zero_()
            self.frozen.zero_()
            self.step_count = 0
        else:
            self.exp_avg[rows] = 0
            self.exp_avg_sq[rows] = 0
            self.frozen[rows] = False

    def step(self, params: torch.Tensor, grad: torch.Tensor):
        """Update ``params`` in place from ``grad`` (same shape); frozen elements keep their value."""
        self.step_count += 1
        step = float(self.step_count)
        self.exp_avg.lerp_(grad, 1 - self.beta1)
        self.exp_avg_sq.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        bias_correction1 = 1 - self.beta1**step
        bias_correction2 = 1 - self.beta2**step
        step_size = self.learn_rate / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        denom = (self.exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(self.eps)
        if self.frozen.any():
            updated = params.addcdiv(self.exp_avg, denom, value=-step_size)
            params.copy_(torch.where(self.frozen, params, updated))
        else:
            params.addcdiv_(self.exp_avg, denom, value=-step_size)
