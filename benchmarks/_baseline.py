"""Verbatim copies of the engines this branch replaced, for before/after timing in the same run.

``lipschitz_batch_before``: the pruned scan with one Python step per offset (torch).
``hessian_summaries_before``: the forward-mode / forward-over-reverse Hessian summary with ``eigvals``.
Not part of the library; only ``bench_paper.py`` imports it.
"""

from __future__ import annotations

import numpy as np
import torch

from effect.motif_networks import motif_terms, network_outputs
from effect.robustness import offset_distances


def lipschitz_batch_before(landscapes, interval, norm_type="L-2"):
    batch = torch.as_tensor(np.asarray(landscapes))
    distances = offset_distances(batch.shape[-1], float(interval), norm_type)
    with torch.no_grad():
        return _lipschitz_chunk(batch, distances).numpy()


def _pair_extremes(batch: torch.Tensor, i: int, j: int) -> torch.Tensor:
    """``max |A(i,j) ∪ B(i,j)|`` per landscape, computed in the landscapes' dtype."""
    p = batch.shape[-1]
    lower = batch[:, : p - i]
    upper = batch[:, i:]
    a = upper[:, :, j:] - lower[:, :, : p - j]
    b = upper[:, :, : p - j] - lower[:, :, j:]
    return torch.maximum(a.abs().amax(dim=(1, 2)), b.abs().amax(dim=(1, 2)))


# Relative slack on the pruning bounds: differences are rounded in the landscape dtype,
# so a computed difference may exceed the sum of its computed parts by a few ulps.
_BOUND_SLACK = 1.0 + 1e-6


def _lipschitz_chunk(chunk: torch.Tensor, distances: np.ndarray) -> torch.Tensor:
    """Exact pruned scan over offsets for one chunk of landscapes.

    ``D(i, j) = max |A(i, j) ∪ B(i, j)|`` is sub-additive along grid steps
    (``D(i, j) <= D(i-1, j) + D(1, 0)`` and ``<= D(i, j-1) + D(0, 1)``) and
    bounded by the range. Offsets whose bound divided by their distance cannot
    beat the current estimate are skipped per landscape; the others are
    computed exactly, and their exact values tighten later bounds.
    """
    n, p, _ = chunk.shape
    span = (chunk.amax(dim=(1, 2)) - chunk.amin(dim=(1, 2))).to(torch.float64)
    step_x = _pair_extremes(chunk, 1, 0).to(torch.float64)
    step_y = _pair_extremes(chunk, 0, 1).to(torch.float64)
    bounds = torch.empty((p, p, n), dtype=torch.float64)
    bounds[0, 0] = 0.0
    best = torch.zeros(n, dtype=torch.float64)
    rows = torch.arange(n)
    for i in range(p):
        for j in range(p):
            if i == 0 and j == 0:
                continue
            bound = span
            if i:
                bound = torch.minimum(bound, (bounds[i - 1, j] + step_x) * _BOUND_SLACK)
            if j:
                bound = torch.minimum(bound, (bounds[i, j - 1] + step_y) * _BOUND_SLACK)
            distance = distances[i, j]
            active = rows[bound / distance > best]
            if active.numel():
                subset = chunk if active.numel() == n else chunk[active]
                extreme = _pair_extremes(subset, i, j).to(torch.float64)
                bound = bound.clone()
                bound[active] = extreme
                best[active] = torch.maximum(best[active], extreme / distance)
            bounds[i, j] = bound
    return best


def hessian_summaries_before(params, inputs, target, semantics):
    """[min, max, sum] of the real loss-Hessian eigenvalues of every network, (b, 3) float64.

    The loss is ``mean((Σ_m f_m(θ_m) - T)²)`` and motif ``m`` depends on its own
    parameters only, so ``H = (2/N) (JᵀJ + blockdiag_m Σ_n r_n ∇²f_m(θ_m; n))``
    with residuals ``r``. ``J`` takes one forward-mode pass per parameter
    column and the diagonal blocks one Hessian-vector product per column (the
    same column of every motif at once), instead of one pass per parameter.
    Exactness against autograd's full Hessian is tested.
    """
    b, m, k = params.shape
    n = inputs.shape[0]

    def terms(p):
        return motif_terms(p, inputs, semantics=semantics)

    residual = (network_outputs(params, inputs, semantics=semantics) - target).detach()

    def weighted(p):
        return (terms(p).sum(dim=1) * residual).sum()

    jacobian, blocks = [], []
    for column in range(k):
        tangent = torch.zeros_like(params)
        tangent[..., column] = 1
        jacobian.append(torch.func.jvp(terms, (params,), (tangent,))[1])              # (b, m, N)
        blocks.append(torch.func.jvp(torch.func.grad(weighted), (params,), (tangent,))[1])  # (b, m, k)
    jacobian = torch.stack(jacobian, dim=-1).permute(0, 2, 1, 3).reshape(b, n, m * k)
    hessian = jacobian.transpose(1, 2) @ jacobian
    block = torch.stack(blocks, dim=-1)                                                # (b, m, k, k)
    diagonal = torch.block_diag(*[torch.ones(k, k)] * m).to(params.device).bool()
    hessian[:, diagonal] += block.reshape(b, m * k * k)
    hessian = hessian * (2 / n)
    values = torch.linalg.eigvals(hessian).real
    return torch.stack([values.min(dim=1).values, values.max(dim=1).values, values.sum(dim=1)], dim=1).double().cpu()


