"""Closed-form outputs, loss gradient and loss-Hessian summary of stacked motif networks.

One training iteration of a batch of fixed motif networks (:func:`effect.expression.fit_batch`) needs
the outputs on the grid, the MSE losses, their gradient and, when traced, the extreme eigenvalues of the
loss Hessian. All of them follow from the same per-motif intermediates (a loop's shift ``s``, ``q =
tanh(z)`` and the motif term ``f``), so :class:`MotifPass` computes those once for a chunk of networks
and derives:

* the outputs and losses, with the operations of :func:`effect.motif_networks.network_outputs` (the
  same values);
* the gradient, replaying autograd's backward operations one by one (``tanh_backward``, the same
  products and reductions), so it equals ``torch.autograd.grad`` of the summed losses bit for bit
  (tested for every network kind and semantics);
* the Hessian summary ``[min, max, sum]`` of its eigenvalues from closed-form first and second
  derivatives (tested against autograd's full Hessian).

:func:`hessian_summaries` processes networks a few at a time (``chunk``) so that the ``(chunk, M, N)``
intermediates stay in the processor's cache; that, and computing each intermediate once, is what makes
the per-iteration metrics of a fit cheap.

Examples
--------
>>> import torch
>>> from effect.engine import grid_inputs
>>> from effect.motif_networks import LoopNetwork, network_parameters
>>> params = network_parameters(LoopNetwork(2, generator=torch.Generator().manual_seed(0)))[None]
>>> inputs, target = grid_inputs((-1, 1), 5), torch.zeros(25)
>>> state = MotifPass(params, inputs, "reference")
>>> losses, grad = state.loss_and_gradient(target)
>>> grad.shape, hessian_summaries(params, inputs, target, "reference").shape
(torch.Size([1, 2, 5]), torch.Size([1, 3]))
"""

from __future__ import annotations

import torch

__all__ = ["MotifPass", "hessian_summaries", "directions_mask"]

#: Networks per chunk on the CPU: (chunk, M, N) float32 intermediates of a 10-motif network on the
#: 41 x 41 grid take 16 x 67 kB, and the (chunk, 5M, N) Jacobian 16 x 336 kB, which stays in cache.
CPU_CHUNK = 16


def directions_mask(motif_number, directions=None, device=None):
    """``(1, M, 1)`` bool mask: loop ``k`` uses the original direction (its shift edge reads x)."""
    if directions is None:
        directions = [k % 2 == 0 for k in range(motif_number)]
    return torch.tensor(list(directions), dtype=torch.bool, device=device)[None, :, None]


class MotifPass:
    """Forward intermediates of a chunk of networks and what follows from them.

    Parameters
    ----------
    params : Tensor of shape (c, M, 3) or (c, M, 5)
        Stacked per-motif parameters (layout of :func:`effect.motif_networks.network_parameters`).
    inputs : Tensor of shape (N, 2)
    semantics : {"reference", "corrected"}
    directions : sequence of bool of length M, optional
        As in :func:`effect.motif_networks.network_outputs`.

    Attributes
    ----------
    output : Tensor of shape (c, N)
        Equal to ``network_outputs(params, inputs, directions, semantics)``.
    """

    def __init__(self, params, inputs, semantics, directions=None):
        self.params, self.semantics, self.inputs = params, semantics, inputs
        c, m, k = params.shape
        x, y = inputs[:, 0], inputs[:, 1]
        self.source = self.forward = self.s = None
        if k == 5:
            forward = directions_mask(m, directions, params.device)
            a, shift = params[..., 3:4], params[..., 4:5]
            self.forward = forward
            self.source = torch.where(forward, x, y)           # the shift edge reads x (original) or y
            self.s = torch.tanh(a * self.source + shift)
            x = torch.where(forward, x, x + self.s)
            y = torch.where(forward, y + self.s, y)
        self.x, self.y = x, y
        w0, w1, bias = params[..., 0:1], params[..., 1:2], params[..., 2:3]
        self.q = torch.tanh(w0 * x + w1 * y + bias)
        self.f = torch.tanh(self.q) if semantics == "reference" else self.q
        output = self.f[:, 0]
        for j in range(1, m):  # the summation order of network_outputs
            output = output + self.f[:, j]
        self.output = output

    def shifted_weight(self):
        """``(c, M, 1)``: the collider weight of each loop's shifted input (``W01`` original, ``W00`` reversed)."""
        return torch.where(self.forward, self.params[..., 1:2], self.params[..., 0:1])

    def loss_and_gradient(self, target):
        """Per-network MSE losses (c,) and their gradient (c, M, k), as autograd computes them."""
        params, f = self.params, self.f
        c, m, k = params.shape
        n = f.shape[-1]
        diff = self.output - target
        losses = (diff**2).mean(dim=1)
        upstream = (torch.ones_like(diff) / n) * (2 * diff)    # mean, then pow backward
        gz = torch.ops.aten.tanh_backward(upstream[:, None, :].expand(c, m, n), f)
        if self.semantics == "reference":
            gz = torch.ops.aten.tanh_backward(gz, self.q)
        grad = torch.empty_like(params)
        grad[..., 0] = (gz * self.x).sum(-1)
        grad[..., 1] = (gz * self.y).sum(-1)
        grad[..., 2] = gz.sum(-1)
        if k == 5:
            # the weight of the shifted input, selected before the product (the same products as autograd's)
            shifted = gz * self.shifted_weight()
            gs = torch.ops.aten.tanh_backward(shifted, self.s)
            grad[..., 3] = (gs * self.source).sum(-1)
            grad[..., 4] = gs.sum(-1)
        return losses, grad

    def hessian_summary(self, target, workspace=None):
        """[min, max, sum] of the eigenvalues of each network's loss Hessian, (c, 3) float64.

        ``workspace`` (a dict, kept by the caller between calls) holds the three ``(c, M, k, N)``
        buffers, so that repeated calls do not map fresh memory each time.

        The loss is ``mean((Σ_m f_m(θ_m) - T)²)`` and motif ``m`` depends on its own parameters only, so
        ``H = (2/N) (JᵀJ + blockdiag_m Σ_n r_n ∇²f_m(θ_m; n))`` with residuals ``r``. Each motif is
        ``f = g(z)`` with ``z = w0 x' + w1 y' + b`` (``g = tanh∘tanh`` in reference semantics, ``tanh``
        in corrected) and, for a loop, ``x'`` or ``y'`` shifted by ``s = tanh(a u + c)``; the first and
        second derivatives of ``f`` follow in closed form from those of ``g`` and ``z``. The matrix is
        symmetric, so ``eigvalsh`` (float64) gives its eigenvalues.
        """
        params, q, f = self.params, self.q, self.f
        c, m, k = params.shape
        n = q.shape[-1]
        r = (self.output - target)[:, None, :]                 # residuals, (c, 1, N)
        dq = torch.mul(q, q).neg_().add_(1)                    # 1 - q²
        if self.semantics == "reference":
            g1 = torch.mul(f, f).neg_().add_(1).mul_(dq)        # d f / dz = (1 - f²)(1 - q²)
            # d² f / dz² = -2 g1 (f dq + q); the residual-weighted curvature needs r g2 = rho g1
            rho = torch.mul(f, dq).add_(q).mul_(r).mul_(-2)
        else:
            g1, rho = dq, torch.mul(q, r).mul_(-2)              # g2 = -2 q g1
        # Rows of dz / d(w0, w1, b[, a, c]) per motif: (x', y', 1[, ws s' u, ws s']). The Jacobian rows are
        # g1 dz and the curvature rows rho dz; Σ_n (rho dz)(g1 dz)ᵀ = Σ_n r g2 dz dzᵀ is the diagonal block.
        key = (c, m, k, n, q.dtype, q.device)
        if workspace is None or key not in workspace:
            buffers = (torch.empty(c, m, k, n, dtype=q.dtype, device=q.device),
                       torch.empty(c, m, k, n, dtype=q.dtype, device=q.device),
                       torch.empty(c, m * k, m * k, dtype=q.dtype, device=q.device))
            if workspace is not None:
                workspace[key] = buffers
        jacobian, weighted, hessian = buffers if workspace is None else workspace[key]
        for rows, factor in ((jacobian, g1), (weighted, rho)):
            torch.mul(factor, self.x, out=rows[:, :, 0])
            torch.mul(factor, self.y, out=rows[:, :, 1])
            rows[:, :, 2] = factor
        if k == 5:
            s, source = self.s, self.source
            ds = torch.mul(s, s).neg_().add_(1)                 # s' = d s / d(a u + c)
            ws = self.shifted_weight()                          # weight of the shifted input
            dzc = ds * ws                                       # dz/dc = ws s', dz/da = ws s' u
            for rows, factor in ((jacobian, g1), (weighted, rho)):
                torch.mul(factor, dzc, out=rows[:, :, 4])
                torch.mul(rows[:, :, 4], source, out=rows[:, :, 3])
        flat = jacobian.view(c, m * k, n)                       # Jᵀ
        torch.bmm(flat, flat.transpose(1, 2), out=hessian)      # (c, m k, m k)
        block = torch.bmm(weighted.view(c * m, k, n), jacobian.view(c * m, k, n).transpose(1, 2)).view(c, m, k, k)
        if k == 5:
            # Σ_n r g1 ∂²z: ∂²z/∂ws∂a = s' u, ∂²z/∂ws∂c = s', ∂²z/∂a² = ws s'' u², ∂²z/∂a∂c = ws s'' u,
            # ∂²z/∂c² = ws s'' (s'' = -2 s s')
            # e1 = r g1 s' and e2 = -2 ws s e1, summed against (1, u, u²) by one GEMM with both directions' powers
            terms = torch.empty(c, m, 2, n, dtype=q.dtype, device=q.device)
            torch.mul(r, g1, out=terms[:, :, 0]).mul_(ds)
            torch.mul(terms[:, :, 0], s, out=terms[:, :, 1]).mul_(-2 * ws)
            x, y = self.inputs[:, 0], self.inputs[:, 1]
            powers = torch.stack([torch.ones_like(x), x, x * x, torch.ones_like(y), y, y * y], dim=1)   # (N, 6)
            sums = torch.mm(terms.view(c * m * 2, n), powers).view(c, m, 2, 2, 3)
            sums = torch.where(self.forward.view(1, m, 1, 1), sums[:, :, :, 0], sums[:, :, :, 1])   # u = x or y
            cross_c, cross_a, cc, ac, aa = sums[:, :, 0, 0], sums[:, :, 0, 1], sums[:, :, 1, 0], sums[:, :, 1, 1], \
                sums[:, :, 1, 2]
            column = torch.zeros(m, k, dtype=q.dtype, device=q.device)   # one-hot column of ws
            column[:, 0], column[:, 1] = ~self.forward.view(m), self.forward.view(m)
            block[..., :, 3] += column * cross_a[..., None]
            block[..., 3, :] += column * cross_a[..., None]
            block[..., :, 4] += column * cross_c[..., None]
            block[..., 4, :] += column * cross_c[..., None]
            block[..., 3, 3] += aa
            block[..., 3, 4] += ac
            block[..., 4, 3] += ac
            block[..., 4, 4] += cc
        torch.diagonal(hessian.view(c, m, k, m, k), dim1=1, dim2=3).add_(block.permute(0, 2, 3, 1))
        hessian = hessian.double() * (2 / n)
        hessian = (hessian + hessian.transpose(1, 2)) / 2
        values = torch.linalg.eigvalsh(hessian)
        return torch.stack([values[:, 0], values[:, -1], values.sum(dim=1)], dim=1)


def hessian_summaries(params, inputs, target, semantics, directions=None, chunk=None):
    """[min, max, sum] of the loss-Hessian eigenvalues of every network, (b, 3) float64 on the CPU.

    Parameters
    ----------
    params : Tensor of shape (b, M, 3) or (b, M, 5)
    inputs : Tensor of shape (N, 2)
    target : Tensor of shape (N,)
    semantics : {"reference", "corrected"}
    directions : sequence of bool of length M, optional
    chunk : int, optional
        Networks per :class:`MotifPass` (default :data:`CPU_CHUNK` on the CPU, all on other devices).
    """
    params = params.detach()
    if chunk is None:
        chunk = CPU_CHUNK if params.device.type == "cpu" else max(1, params.shape[0])
    workspace = {}
    parts = [MotifPass(params[i : i + chunk], inputs, semantics, directions).hessian_summary(target, workspace)
             for i in range(0, params.shape[0], chunk)]
    if not parts:
        return torch.zeros(0, 3, dtype=torch.float64)
    return torch.cat(parts).cpu()
