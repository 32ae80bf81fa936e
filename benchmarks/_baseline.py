"""Verbatim copies of the engines this branch replaced, for before/after timing in the same run.

``lipschitz_batch_before``: the pruned scan with one Python step per offset (torch).
``hessian_summaries_before``: the forward-mode / forward-over-reverse Hessian summary with ``eigvals``.
``hessian_summaries_main`` and ``fit_rows_main``: the closed-form Hessian summary over the whole batch and the
batched fit loop (autograd step) before the chunked closed-form pass of ``effect._closed_form``.
Not part of the library; only ``bench_paper.py`` imports it.
"""

from __future__ import annotations


import numpy as np
import torch

from effect._adam import BatchedAdam
from effect.engine import grid_inputs
from effect.expression import _group_masks, _group_means, _History, _masked_variance, _target
from effect.motif_networks import motif_terms, network_outputs
from effect.robustness import grid_interval, lipschitz_batch, offset_distances


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


def hessian_summaries_main(params, inputs, target, semantics, directions=None, outputs=None):
    """[min, max, sum] of the real loss-Hessian eigenvalues of every network, (b, 3) float64.

    The loss is ``mean((Σ_m f_m(θ_m) - T)²)`` and motif ``m`` depends on its own
    parameters only, so ``H = (2/N) (JᵀJ + blockdiag_m Σ_n r_n ∇²f_m(θ_m; n))``
    with residuals ``r``. Each motif is ``f = g(z)`` with ``z = w0 x' + w1 y' + b``
    (``g = tanh∘tanh`` in reference semantics, ``tanh`` in corrected) and, for a
    loop, ``x'`` or ``y'`` shifted by ``s = tanh(a u + c)``; the first and second
    derivatives of ``f`` follow in closed form from those of ``g`` and ``z``, for
    every network, motif and grid point at once (``outputs`` (b, N), if given,
    are the networks' outputs). The matrix is symmetric, so
    ``eigvalsh`` (float64) gives its eigenvalues. Agreement with autograd's
    full Hessian (``calculate_hessian_eigenvalues``) is tested.
    """
    b, m, k = params.shape
    n = inputs.shape[0]
    p = params.detach()
    x, y = inputs[:, 0], inputs[:, 1]
    w0, w1, bias = p[..., 0:1], p[..., 1:2], p[..., 2:3]
    x_shifted, y_shifted = x.expand(b, m, n), y.expand(b, m, n)
    if k == 5:
        if directions is None:
            directions = [i % 2 == 0 for i in range(m)]
        forward = torch.tensor(list(directions), dtype=torch.bool, device=p.device)[None, :, None]
        source = torch.where(forward, x, y)
        s = torch.tanh(p[..., 3:4] * source + p[..., 4:5])
        x_shifted = torch.where(forward, x, x + s)
        y_shifted = torch.where(forward, y + s, y)
        ws = torch.where(forward, w1, w0)                      # weight of the shifted coordinate
        ds = 1 - s * s                                         # s' = d s / d(a u + c)
        dds = -2 * s * ds
    z = w0 * x_shifted + w1 * y_shifted + bias
    q = torch.tanh(z)
    dq = 1 - q * q
    if semantics == "reference":
        f = torch.tanh(q)
        df = 1 - f * f
        g1 = df * dq                                           # d f / dz
        g2 = -2 * f * df * dq * dq + df * (-2 * q * dq)        # d² f / dz²
    else:
        g1, g2 = dq, -2 * q * dq
    dz = torch.empty(b, m, k, n, dtype=z.dtype, device=z.device)   # dz / d(w0, w1, b[, a, c]), rows of N
    dz[:, :, 0], dz[:, :, 1], dz[:, :, 2] = x_shifted, y_shifted, 1
    if k == 5:
        torch.mul(ws, ds, out=dz[:, :, 4])
        torch.mul(dz[:, :, 4], source, out=dz[:, :, 3])
    jacobian = (g1[:, :, None, :] * dz).reshape(b, m * k, n)   # Jᵀ, (b, m k, N)
    hessian = jacobian @ jacobian.transpose(1, 2)              # (b, m k, m k)
    if outputs is None:  # the networks' outputs (b, N), when the caller has them already
        outputs = network_outputs(p, inputs, directions, semantics)
    residual = (outputs.detach() - target)[:, None, :]        # (b, 1, N)
    weight = residual * g2                                     # (b, m, N)
    block = (dz * weight[:, :, None, :]) @ dz.transpose(-1, -2)   # Σ_n r g2 dz dzᵀ, (b, m, k, k)
    if k == 5:
        # Σ_n r g1 ∂²z: ∂²z/∂ws∂a = s' u, ∂²z/∂ws∂c = s', ∂²z/∂a² = ws s'' u², ∂²z/∂a∂c = ws s'' u, ∂²z/∂c² = ws s''
        rg = residual * g1
        cross_a = (rg * ds * source).sum(-1)
        cross_c = (rg * ds).sum(-1)
        aa = (rg * ws * dds * source * source).sum(-1)
        ac = (rg * ws * dds * source).sum(-1)
        cc = (rg * ws * dds).sum(-1)
        column = torch.where(forward.reshape(m), 1, 0)         # index of ws: w1 (forward) or w0
        extra = torch.zeros(b, m, k, k, dtype=block.dtype, device=block.device)
        rows = torch.arange(m, device=p.device)
        for target_column, value in ((3, cross_a), (4, cross_c)):
            extra[:, rows, column, target_column] = value
            extra[:, rows, target_column, column] = value
        extra[..., 3, 3], extra[..., 3, 4], extra[..., 4, 3], extra[..., 4, 4] = aa, ac, ac, cc
        block = block + extra
    diagonal = torch.arange(m, device=p.device)
    view = hessian.view(b, m, k, m, k)
    view[:, diagonal, :, diagonal, :] += block.permute(1, 0, 2, 3)
    hessian = hessian.double() * (2 / n)
    hessian = (hessian + hessian.transpose(1, 2)) / 2
    values = torch.linalg.eigvalsh(hessian)
    return torch.stack([values[:, 0], values[:, -1], values.sum(dim=1)], dim=1).cpu()


def fit_rows_main(architecture, start, name, learn_rate, patience, threshold, maximum_iteration, points, metric_names,
              every, semantics, device):
    """The batched training loop shared by :func:`fit_batch` and :func:`fit_restricted_batch`."""

    epsilon = architecture.epsilon
    n_networks = start.shape[0]
    device = torch.device("cpu" if device is None else device)
    architecture.to(device)
    inputs = grid_inputs((-1, 1), points).to(device)
    target_grid = _target(name, points, semantics)
    target = target_grid.reshape(-1).to(device)
    params = start.clone().to(device)
    final = start.clone()
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

    t = 0
    while active.size:
        t += 1
        measure = [key for key in metric_names if (t - 1) % every[key] == 0]
        params.requires_grad_(True)
        output = network_outputs(params, inputs, semantics=semantics)
        losses = ((output - target) ** 2).mean(dim=1)
        (grad,) = torch.autograd.grad(losses.sum(), params)
        params = params.detach()
        if measure:
            labels = architecture.labels(params)
            values = {}
            if "sparsity" in measure:
                used = (architecture.weights(params).abs() > epsilon).double()
                groups = _group_means(used.mean(dim=-1), labels)
                values["sparsity"] = torch.cat([groups, used.mean(dim=(1, 2))[:, None]], dim=1)
            if "lipschitz constant" in measure:
                landscapes = output.detach().cpu().reshape(-1, points, points)
                estimates = lipschitz_batch(landscapes, interval) / target_lipschitz
                values["lipschitz constant"] = torch.from_numpy(estimates)
            if "gradient variance" in measure:
                g = architecture.weights(grad).double()
                columns = [_masked_variance(g, mask) for mask in _group_masks(labels)]
                columns.append(_masked_variance(g, torch.ones_like(labels, dtype=torch.bool)))
                values["gradient variance"] = torch.stack(columns, dim=1)
            if "hessian eigenvalue" in measure:
                values["hessian eigenvalue"] = hessian_summaries_main(params, inputs, target, semantics,
                                                                     outputs=output.detach())
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
