"""Batched catch and escape processes between motifs, as one tensor program.

A *catcher* (a collider) is trained with Adam to imitate the landscape of an
*escaper* (usually a loop): the minimum MSE it reaches measures how well
colliders can represent the loop (task 1c, "trade-offs"). In the adversarial
*escape* (task 2) the escaper takes gradient-ascent steps away from the best
imitation the catchers can reach.

:func:`catch` and :func:`escape` run every reference x catcher pair at once as
one ``(G, C, 3)`` tensor program with :class:`effect._adam.BatchedAdam` (the
exact torch Adam update), analytic collider-MSE gradients, a per-element frozen
mask for the original's clamping quirk and a running argmin instead of deep
copies. The original per-motif algorithm on :class:`effect.motifs.NeuralMotif`
objects lives in :mod:`effect.similarity`, which also re-exports both functions.

``semantics="reference"`` (default) reproduces the original's quirks
(``docs/quirks.md``); ``"corrected"`` fixes them:

====================  =========================================  ==========================================
quirk                 reference                                  corrected
====================  =========================================  ==========================================
clamping              clamped element frozen until a new Adam    clamped in place, keeps training
loss/state pairing    pre-step loss with post-step state         each loss with the state it was computed on
escape catchers       shared, warm-started across escapers       fresh copies for every escaper
ties                  first minimum                              first minimum
====================  =========================================  ==========================================

Examples
--------
>>> import numpy as np
>>> from effect.search import catch
>>> loop = np.array([[-1.0, 0.652, 1.0, 1.0, 0.337]])     # the loop of the paper's Fig. 2
>>> result = catch(loop, "incoherent-loop", points=21, threshold=20)
>>> int(result["index"][0]), result["params"].shape, bool(result["loss"][0] < 0.2475)
(0, (1, 3), True)
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
import torch

from effect._adam import BatchedAdam
from effect._checks import check_bound, check_learn_rate, check_positive_int, check_semantics, check_thresholds
from effect.engine import grid_inputs, motif_outputs
from effect.structures import ALL_MOTIF_TYPES, catcher_parameters, n_parameters, n_weights

__all__ = ["catch", "escape"]

_FLAT = 1e-12  # below this landscape span the engine and NeuralMotif do not rescale (constant landscape)
#: References per block of :func:`catch` on the CPU: the block's three (block, 4, 41 x 41) float32 buffers
#: (r, d and a work array, 1.7 MB each at 64) stay in the processor's cache across the 100 steps; larger blocks
#: spread the per-step Python work over more rows (measured: 16 -> 1.0x, 32 -> 1.3x, 64 -> 1.9x, 128-256 -> 1.8x).
CATCH_BLOCK = 64


# ---------------------------------------------------------------------------------------------
# validation and progress helpers


def _check_params(params, motif_type, name):
    if motif_type not in ALL_MOTIF_TYPES:
        raise ValueError(f"{name}_type must be one of {ALL_MOTIF_TYPES}, got {motif_type!r}.")
    tensor = torch.as_tensor(np.asarray(params) if not isinstance(params, torch.Tensor) else params)
    tensor = tensor.detach().to(torch.float64)
    width = n_parameters(motif_type)
    if tensor.ndim == 1 and tensor.shape[0] == width:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 2 or tensor.shape[1] != width or tensor.shape[0] == 0:
        raise ValueError(f"{name}_params must have shape (n, {width}) with n >= 1 for {motif_type}, "
                         f"got {tuple(tensor.shape)}.")
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name}_params contains NaN or infinite values.")
    if (tensor[:, : n_weights(motif_type)] == 0).any():
        raise ValueError(f"{name}_params weights must be non-zero (their sign is the structure's sign).")
    return tensor


def _progress(items, verbose, desc):
    if not verbose:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc)



# ---------------------------------------------------------------------------------------------
# batched building blocks



@functools.lru_cache(maxsize=64)
def _bound_values(weight_bound, bias_bound, dtype):
    """The bounds as the values a clamp writes: rounded to ``dtype`` (float32 in reference semantics)."""
    return tuple(float(torch.tensor(v, dtype=dtype)) for v in tuple(weight_bound) + tuple(bias_bound))


def _restrict(params, signs, adam, n_w, weight_bound, bias_bound, semantics):
    """Clamp rows to their bounds in place, like ``NeuralMotif.restrict``.

    Weights use strict comparisons, biases inclusive ones. In reference semantics a
    clamped element is replaced by a float32 parameter holding the bound, which the
    live optimizer never sees again: it is marked frozen in ``adam``.
    """
    w_low, w_high, b_low, b_high = _bound_values(tuple(weight_bound), tuple(bias_bound),
                                                 torch.float32 if semantics == "reference" else params.dtype)
    weights, biases = params[..., :n_w], params[..., n_w:]
    magnitude = weights * signs
    low, high = magnitude < weight_bound[0], magnitude > weight_bound[1]
    blow, bhigh = biases <= bias_bound[0], biases >= bias_bound[1]
    if not (low.any() or high.any() or blow.any() or bhigh.any()):
        return
    weights.copy_(torch.where(low, w_low * signs, torch.where(high, w_high * signs, weights)))
    biases.copy_(torch.where(blow, torch.full_like(biases, b_low), torch.where(bhigh, b_high, biases)))
    if semantics == "reference" and adam is not None:
        adam.frozen |= torch.cat([low | high, blow | bhigh], dim=-1)


def _collider_loss_grad_autograd(params, targets, inputs, need_grad=True):
    """Per-row MSE (and its gradient) of colliders ``(G, C, 3)`` against ``targets (G, N)`` via autograd."""
    shape = params.shape
    leaf = params.detach().reshape(-1, 3).requires_grad_(need_grad)
    with torch.set_grad_enabled(need_grad):
        out = motif_outputs(leaf, "collider", inputs).reshape(shape[:-1] + (-1,))
        loss = ((targets.unsqueeze(-2) - out) ** 2).mean(dim=-1)
        if not need_grad:
            return loss.detach(), None
        (grad,) = torch.autograd.grad(loss.sum(), leaf)
    return loss.detach(), grad.reshape(shape)


def _collider_loss_grad(params, targets, grid, need_grad=True):
    """Analytic per-row MSE and gradient of tanh/sum colliders against fixed landscapes.

    ``params (G, C, 3)`` float32, ``targets (G, N)`` with ``N = p * p`` on the grid
    ``grid = (gx, gy)`` (axis values, shape (p,) each; row ``i*p + j`` is ``(gx[i], gy[j])``).
    With ``r = tanh(w0 x + w1 y + b)``, ``m, M`` its batch min/max, ``D = M - m``,
    ``T = 2 (r - m) / D - 1`` and ``d = T - S``: ``dL/du_n = 4 d_n (1 - r_n^2) / (N D)``
    plus the terms through ``m`` and ``M`` at the argmin/argmax grid corners,
    ``dL/dm = 2 (sum d T - sum d) / (N D)``, ``dL/dM = -2 (sum d T + sum d) / (N D)``.
    The forward repeats the engine's float32 operations (``(w0 x + w1 y) + b``, tanh,
    min-max map), so landscapes are bit-identical to ``NeuralMotif``; only the
    reductions are ordered differently.
    """
    gx, gy = grid
    n = gx.shape[0] * gy.shape[0]
    w0, w1, bias = params[..., 0:1], params[..., 1:2], params[..., 2:3]
    along_x, along_y = w0 * gx, w1 * gy  # (G, C, p): the products of the engine, computed once per axis
    r = (along_x.unsqueeze(-1) + along_y.unsqueeze(-2)).flatten(-2)
    r += bias
    r.tanh_()
    low, high = r.amin(dim=-1), r.amax(dim=-1)
    span = high - low
    if bool((span < _FLAT).any()):  # constant landscapes: fall back to the generic path
        inputs = torch.stack(torch.meshgrid(gx, gy, indexing="ij"), dim=-1).reshape(-1, 2)
        return _collider_loss_grad_autograd(params, targets, inputs, need_grad)
    d = (r - low.unsqueeze(-1)).mul_(2.0).div_(span.unsqueeze(-1)).sub_(1.0)
    d -= targets.unsqueeze(-2)
    sum_sq = torch.linalg.vecdot(d, d)
    loss = sum_sq / n
    if not need_grad:
        return loss, None
    sum_d = d.sum(dim=-1)
    sum_dt = sum_sq + torch.linalg.vecdot(d, targets.unsqueeze(-2).expand_as(d))
    scale = 2.0 / (n * span)
    d_low = scale * (sum_dt - sum_d) * (1 - low * low)
    d_high = -scale * (sum_dt + sum_d) * (1 - high * high)
    r.mul_(r)
    d.addcmul_(d, r, value=-1.0)  # dL/du up to the factor 2 * scale
    d = d.unflatten(-1, (gx.shape[0], gy.shape[0]))
    per_x, per_y = d.sum(dim=-1), d.sum(dim=-2)
    grad = torch.stack([per_x @ gx, per_y @ gy, per_x.sum(dim=-1)], dim=-1) * (2.0 * scale).unsqueeze(-1)
    # extreme points of u (and r): grid corners picked per axis
    corner = torch.ones(grad.shape, dtype=grad.dtype, device=grad.device)
    corner[..., 0], corner[..., 1] = gx[along_x.argmin(dim=-1)], gy[along_y.argmin(dim=-1)]
    grad += d_low.unsqueeze(-1) * corner
    corner[..., 0], corner[..., 1] = gx[along_x.argmax(dim=-1)], gy[along_y.argmax(dim=-1)]
    grad += d_high.unsqueeze(-1) * corner
    return loss, grad


class _Flat(Exception):
    """A catcher landscape of the block is constant: the caller recomputes with the reference path."""


class _ColliderPass:
    """:func:`_collider_loss_grad` for a fixed block of rows, bit for bit, in reused buffers and fewer passes.

    The catch runs 100 steps on the same ``(G, C, N)`` shapes, so the buffers are allocated once per block;
    a block small enough to stay in the processor's cache (:data:`CATCH_BLOCK` references) makes the
    element-wise passes cheap, leaving the ``tanh`` as the main cost. Every value equals the reference
    function's because each reduction (min, max, the sums over the grid and its axes, the axis products) is
    the same torch call on the same row-contiguous values, and the element-wise rewrites are exact in IEEE
    arithmetic: ``2 (r - m) / D = (r - m) / (D / 2)`` (doubling and halving are exact, both sides are the
    correctly rounded same quotient), ``q - 1 = -1 + q`` (``addcdiv``), ``vecdot(a, b) = (a * b).sum(-1)``
    (how torch computes it for real tensors); the products ``w0 * gx`` and ``w1 * gy`` come from one broadcast
    multiplication, their argmin and argmax from one call each. ``tests/test_similarity.py`` compares the two on
    real loops.

    ``on_flat`` decides what a constant catcher landscape (span below ``_FLAT``) does: ``"fallback"``
    computes that step with :func:`_collider_loss_grad_autograd` for the whole block, as the reference does
    for its batch; ``"raise"`` raises :class:`_Flat` (a caller that split the reference's batch into blocks
    must then recompute the batch with the reference path).
    """

    def __init__(self, targets, grid, n_catchers, on_flat="fallback"):
        gx, gy = grid
        self.gx, self.gy, self.on_flat = gx, gy, on_flat
        self.shape = (targets.shape[0], n_catchers, gx.shape[0] * gy.shape[0])
        options = {"dtype": targets.dtype, "device": targets.device}
        self.r = torch.empty(self.shape, **options)
        self.d = torch.empty(self.shape, **options)
        self.work = torch.empty(self.shape, **options)
        self.targets = targets
        self.target_rows = targets.unsqueeze(-2)
        self.minus_one = torch.full((1, 1, 1), -1.0, **options)
        # both axes (p points each) in one (2, p) tensor: one product, one argmin and one argmax per pass
        self.axes, self.axis_rows = torch.stack([gx, gy]), torch.arange(2, device=gx.device)
        self.ones = torch.ones(targets.shape[0], n_catchers, 1, **options)

    def _corners(self, along, extreme):
        """(G, C, 3) rows ``(x, y, 1)`` of the grid corner where ``w0 x + w1 y`` has its ``extreme``."""
        index = along.argmin(dim=-1) if extreme == "min" else along.argmax(dim=-1)
        return torch.cat([self.axes[self.axis_rows, index], self.ones], dim=-1)

    def __call__(self, params, need_grad=True):
        gx, gy = self.gx, self.gy
        g, c, n = self.shape
        p, q = gx.shape[0], gy.shape[0]
        bias = params[..., 2:3]
        along = params[..., :2, None] * self.axes   # the products w0 * gx and w1 * gy, (G, C, 2, p)
        along_x, along_y = along[..., 0, :], along[..., 1, :]
        r, d, work = self.r, self.d, self.work
        torch.add(along_x.unsqueeze(-1), along_y.unsqueeze(-2), out=r.view(g, c, p, q))
        r += bias
        r.tanh_()
        low, high = r.amin(dim=-1), r.amax(dim=-1)
        span = high - low
        if float(span.min()) < _FLAT:   # some span below (spans are finite: the parameters are)
            if self.on_flat == "raise":
                raise _Flat
            inputs = torch.stack(torch.meshgrid(gx, gy, indexing="ij"), dim=-1).reshape(-1, 2)
            return _collider_loss_grad_autograd(params, self.targets, inputs, need_grad)
        torch.sub(r, low.unsqueeze(-1), out=d)
        torch.addcdiv(self.minus_one, d, (span / 2).unsqueeze(-1), out=d)
        d -= self.target_rows
        torch.mul(d, d, out=work)
        sum_sq = work.sum(dim=-1)
        loss = sum_sq / n
        if not need_grad:
            return loss, None
        sum_d = d.sum(dim=-1)
        torch.mul(d, self.target_rows, out=work)
        sum_dt = sum_sq + work.sum(dim=-1)
        scale = 2.0 / (n * span)
        d_low = scale * (sum_dt - sum_d) * (1 - low * low)
        d_high = -scale * (sum_dt + sum_d) * (1 - high * high)
        r.mul_(r)
        d.addcmul_(d, r, value=-1.0)
        grid = d.view(g, c, p, q)
        per_x, per_y = grid.sum(dim=-1), grid.sum(dim=-2)
        grad = torch.stack([per_x @ gx, per_y @ gy, per_x.sum(dim=-1)], dim=-1) * (2.0 * scale).unsqueeze(-1)
        grad += d_low.unsqueeze(-1) * self._corners(along, "min")
        grad += d_high.unsqueeze(-1) * self._corners(along, "max")
        return loss, grad


def _grid_axes(inputs, points):
    return inputs[::points, 0].contiguous(), inputs[:points, 1].contiguous()


def _search_catchers(start, targets, inputs, threshold, learn_rate, semantics, weight_bound, bias_bound,
                     track_best=True, gradient="analytic", on_flat=None):
    """Run ``minimum_loss_search`` for every catcher row at once (fresh Adam for all rows).

    Parameters
    ----------
    start : Tensor (G, C, 3) float32
        Initial catcher states (not modified).
    targets : Tensor (G, N) float32
        Escaper landscapes; catchers ``[g, :]`` imitate ``targets[g]``.
    inputs : Tensor (N, 2)
        The ``p x p`` grid of :func:`effect.engine.grid_inputs`.

    Returns
    -------
    dict of tensors: ``final`` (G, C, 3) state after the last step; ``rank_loss`` (G, C)
    the loss reported with it (reference: the pre-final-step loss; corrected: the loss of
    ``final``); ``best`` (G, C, 3) / ``best_loss`` (G, C) / ``best_step`` (G, C) the
    argmin-paired state and loss (``track_best``).

    ``gradient="analytic"`` computes the losses and gradients with :class:`_ColliderPass` (buffers reused
    across steps; ``on_flat`` as there, default ``"fallback"``), ``"reference"`` with
    :func:`_collider_loss_grad` (the same values, a fresh allocation per pass), ``"autograd"`` with
    :func:`_collider_loss_grad_autograd`.
    """
    reference = semantics == "reference"
    points = int(round(inputs.shape[0] ** 0.5))
    if gradient == "analytic":
        compute = _ColliderPass(targets, _grid_axes(inputs, points), start.shape[-2], on_flat or "fallback")
        args = ()
    elif gradient == "reference":
        compute, args = _collider_loss_grad, (targets, _grid_axes(inputs, points))
    else:
        compute, args = _collider_loss_grad_autograd, (targets, inputs)
    params = start.clone()
    signs = torch.sign(params[..., :2])
    adam = BatchedAdam(params, learn_rate)
    _restrict(params, signs, adam, 2, weight_bound, bias_bound, semantics)  # the first forward restricts
    loss, grad = compute(params, *args)
    best = best_loss = best_step = None
    if track_best:
        best, best_loss = params.clone(), torch.full_like(loss, float("inf"))
        best_step = torch.zeros(loss.shape, dtype=torch.int64, device=loss.device)
    for k in range(threshold):
        adam.step(params, grad)
        _restrict(params, signs, adam, 2, weight_bound, bias_bound, semantics)
        previous = loss
        if reference and track_best:  # pre-step loss paired with the post-step state
            better = loss < best_loss
            best_loss = torch.where(better, loss, best_loss)
            best = torch.where(better.unsqueeze(-1), params, best)
            best_step = torch.where(better, k, best_step)
        if k < threshold - 1 or not reference:
            loss, grad = compute(params, *args, need_grad=k < threshold - 1)
        if not reference and track_best:
            better = loss < best_loss
            best_loss = torch.where(better, loss, best_loss)
            best = torch.where(better.unsqueeze(-1), params, best)
            best_step = torch.where(better, k, best_step)
    rank_loss = previous if reference else loss
    return {"final": params, "rank_loss": rank_loss, "best": best, "best_loss": best_loss, "best_step": best_step}



# ---------------------------------------------------------------------------------------------
# batched public API



def catch(reference_params, reference_type, catcher_params=None, value_range=(-1, 1), points=41, learn_rate=1e-3,
          threshold=100, semantics="reference", batch_size=512, weight_bound=(1e-3, 1.0), bias_bound=(-1.0, 1.0),
          gradient="analytic", device=None, verbose=False, block=None):
    """Batched catch processes: the best imitation of every reference by any catcher (task 1c).

    Every reference ``b`` and catcher ``c`` run ``threshold`` Adam steps of
    :func:`minimum_loss_search` from the catcher's initial state, all ``B x C``
    at once; per reference the catcher with the smallest argmin loss wins
    (first catcher on ties), like :func:`execute_catch_processes`.

    Parameters
    ----------
    reference_params : array-like of shape (B, 5) or (B, 3)
        Escaper rows ``weights + biases`` (column order of
        :func:`effect.structures.structure_parameters`).
    reference_type : str
        Motif type of the references, e.g. ``"incoherent-loop"`` (tanh, sum).
    catcher_params : array-like of shape (C, 3), optional
        Initial collider rows; default :func:`effect.structures.catcher_parameters`.
        Trained in float32 like the original's catchers.
    value_range, points : input grid (:func:`effect.engine.grid_inputs`).
    learn_rate : float, default 1e-3
    threshold : int, default 100
        Adam steps per process.
    semantics : {"reference", "corrected"}
        See the module docstring.
    batch_size : int, default 512
        References per chunk (memory ~ ``3 * batch_size * C * points**2 * 4`` bytes).
    weight_bound, bias_bound : pairs
        Catcher bounds (magnitudes for weights).
    gradient : {"analytic", "autograd"}
        Closed-form collider gradients (fast) or autograd through the engine.
    device : torch.device or str, optional
        Where to compute (default CPU); results come back as numpy arrays.
    verbose : bool
        Progress bar over chunks.
    block : int, optional
        References per in-cache block of the analytic path (default :data:`CATCH_BLOCK` on the CPU, the whole
        batch elsewhere); the results do not depend on it. ``0`` runs each batch at once through the
        reference implementation of the analytic gradient (``_collider_loss_grad``), for tests and
        benchmarks.

    Returns
    -------
    dict
        ``"params"`` (B, 3) float64 chosen catcher state; ``"loss"`` (B,) float64 its
        loss; ``"index"`` (B,) int64 chosen catcher; ``"step"`` (B,) int64 position ``k``
        of the argmin in that catcher's ``losses`` list (reference: ``"params"`` is the
        state after step ``k``, ``"loss"`` the loss before it; corrected: both after it).

    Notes
    -----
    Cost: ``B * C * threshold`` collider forward/backward passes on ``points**2``
    inputs (task 1c: 3.5e6 x 4 x 100 at 1681 points).

    Examples
    --------
    >>> out = catch([[-1.0, 0.652, 1.0, 1.0, 0.337]], "incoherent-loop", points=11, threshold=3)
    >>> sorted(out), out["params"].shape
    (['index', 'loss', 'params', 'step'], (1, 3))
    """
    semantics = check_semantics(semantics)
    if gradient not in ("analytic", "autograd"):
        raise ValueError(f"gradient must be 'analytic' or 'autograd', got {gradient!r}.")
    references = _check_params(reference_params, reference_type, "reference")
    catchers = _check_params(catcher_parameters() if catcher_params is None else catcher_params, "collider",
                             "catcher").to(device=device, dtype=torch.float32)
    references = references.to(device)
    inputs = grid_inputs(value_range, points).to(device)
    threshold = check_positive_int(threshold, "threshold")
    learn_rate = check_learn_rate(learn_rate)
    batch_size = check_positive_int(batch_size, "batch_size")
    if block is None:
        block = CATCH_BLOCK if inputs.device.type == "cpu" else batch_size
    if isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 0:
        raise ValueError(f"block must be a non-negative int, got {block!r}.")
    block = int(block) or None
    weight_bound = check_bound(weight_bound, "weight_bound", True)
    bias_bound = check_bound(bias_bound, "bias_bound", False)
    n_refs = references.shape[0]
    out = {"params": np.empty((n_refs, 3)), "loss": np.empty(n_refs), "index": np.empty(n_refs, dtype=np.int64),
           "step": np.empty(n_refs, dtype=np.int64)}
    with torch.no_grad():
        for start in _progress(range(0, n_refs, batch_size), verbose, "catch"):
            chunk = slice(start, min(start + batch_size, n_refs))
            targets = motif_outputs(references[chunk], reference_type, inputs)
            result = _catch_batch(targets, catchers, inputs, threshold, learn_rate, semantics, weight_bound,
                                  bias_bound, gradient, block)
            index = torch.argmin(result["best_loss"], dim=1)  # first catcher on ties
            rows = torch.arange(index.shape[0], device=index.device)
            out["params"][chunk] = result["best"][rows, index].double().cpu().numpy()
            out["loss"][chunk] = result["best_loss"][rows, index].double().cpu().numpy()
            out["index"][chunk] = index.cpu().numpy()
            out["step"][chunk] = result["best_step"][rows, index].cpu().numpy()
    return out


def _catch_batch(targets, catchers, inputs, threshold, learn_rate, semantics, weight_bound, bias_bound, gradient,
                 block):
    """:func:`_search_catchers` of one batch of :func:`catch`, in blocks of ``block`` references.

    Every row's process is independent of the others (Adam, the clamps and the frozen mask are
    element-wise; losses and gradients are per row), so blocks give the batch's values. The one exception is
    the reference's fallback for a constant catcher landscape, which switches the whole batch to autograd for
    that step: a block that meets one raises :class:`_Flat` and the batch is recomputed at once, as the
    reference does. ``block=None`` or a gradient other than ``"analytic"`` runs the batch at once with
    ``gradient`` (``"analytic"`` then means the reference implementation :func:`_collider_loss_grad`).
    """
    settings = (inputs, threshold, learn_rate, semantics, weight_bound, bias_bound)

    def search(rows, method, on_flat=None):
        init = catchers.unsqueeze(0).expand(rows.shape[0], catchers.shape[0], 3)
        return _search_catchers(init, rows, *settings, track_best=True, gradient=method, on_flat=on_flat)

    if block is not None and gradient == "analytic":
        try:
            parts = [search(targets[s : s + block], "analytic", "raise") for s in range(0, targets.shape[0], block)]
        except _Flat:
            pass
        else:
            return {key: torch.cat([part[key] for part in parts]) for key in ("best", "best_loss", "best_step")}
    return search(targets, "reference" if gradient == "analytic" else gradient)


def _escape_groups(escapers, escaper_type, catchers, inputs, learn_rate, outer, inner, semantics, weight_bound,
                   bias_bound, warmup=0):
    """Max-min search for ``G`` independent escapers ``(G, P)`` with catchers ``(G, C, 3)``, batched over G.

    The first outer step trains the catchers ``warmup + inner`` steps (``inner`` afterwards)."""
    n_groups, n_params = escapers.shape
    n_w = n_weights(escaper_type)
    params = escapers.clone()
    signs = torch.sign(params[:, :n_w])
    adam = BatchedAdam(params, learn_rate)  # one optimizer for the whole call
    rows = torch.arange(n_groups, device=params.device)
    record = {"escaper": torch.empty(n_groups, outer, n_params, dtype=torch.float64),
              "catcher": torch.empty(n_groups, outer, 3, dtype=torch.float64),
              "choice": torch.empty(n_groups, outer, dtype=torch.int64),
              "loss": torch.empty(n_groups, outer, dtype=torch.float64)}
    for step in range(outer):
        _restrict(params, signs, adam, n_w, weight_bound, bias_bound, semantics)  # escaper forward restricts
        with torch.no_grad():
            landscape = motif_outputs(params, escaper_type, inputs)
        search = _search_catchers(catchers, landscape, inputs, inner + (warmup if step == 0 else 0), learn_rate,
                                  semantics, weight_bound, bias_bound, track_best=False)
        catchers = search["final"]
        choice = torch.argmin(search["rank_loss"], dim=1)
        target = catchers[rows, choice]
        with torch.no_grad():
            target_landscape = motif_outputs(target, "collider", inputs)
        leaf = params.clone().requires_grad_(True)
        loss = ((motif_outputs(leaf, escaper_type, inputs) - target_landscape) ** 2).mean(dim=1)
        (grad,) = torch.autograd.grad(-loss.sum(), leaf)
        with torch.no_grad():
            adam.step(params, grad)
            _restrict(params, signs, adam, n_w, weight_bound, bias_bound, semantics)
            after = ((motif_outputs(params, escaper_type, inputs) - target_landscape) ** 2).mean(dim=1)
        record["escaper"][:, step] = params.cpu()
        record["catcher"][:, step] = target.double().cpu()
        record["choice"][:, step] = choice.cpu()
        record["loss"][:, step] = after.double().cpu()
    return record, catchers


def escape(escaper_params, escaper_type, catcher_params=None, value_range=(-1, 1), points=41, learn_rate=1e-3,
           thresholds=(100, 100), semantics="reference", weight_bound=(1e-3, 1.0), bias_bound=(-1.0, 1.0),
           device=None, verbose=False, warmup=0):
    """Batched adversarial escape processes (task 2; :func:`execute_escape_processes` on arrays).

    Parameters
    ----------
    escaper_params : array-like of shape (E, P) or (G, E, P)
        Escaper rows (``P = 5`` for loops). Escapers are trained in float64 (like
        the original's escapers built from float64 parameter rows; forwards are
        float32). A leading group axis ``G`` runs independent sequences at once,
        e.g. the 8 loop structures of task 2, each with its own catchers.
    escaper_type : str
        Motif type of the escapers (coherent and incoherent loops share one formula,
        so groups of both may be mixed under either name).
    catcher_params : array-like of shape (C, 3), optional
        Initial catchers, default :func:`effect.structures.catcher_parameters` (float32).
    value_range, points, learn_rate : as in :func:`catch`.
    thresholds : (int, int), default (100, 100)
        Outer (escaper) steps ``S`` and inner (catcher) Adam steps per outer step.
    semantics : {"reference", "corrected"}
        Reference: the catchers are shared and warm-started across the escapers of a
        group, in order (sequential over E, batched over G and C); corrected: every
        escaper starts from fresh catchers (all E batched at once).
    weight_bound, bias_bound : pairs
        Bounds of escapers and catchers.
    device : torch.device or str, optional
        Where to compute (default CPU).
    verbose : bool
        Progress bar over escapers (reference semantics).
    warmup : int, default 0
        Extra catcher Adam steps before the first outer step of every escaper (the first step trains the
        catchers ``warmup + inner`` steps; nothing extra is recorded). 0 is the original's process. With fresh
        per-escaper catchers (corrected semantics) the catchers otherwise start far from the escaper, so the
        first recorded losses are the catchers' catch-up rather than the escape, and the largest loss of a
        record falls on its first step.

    Returns
    -------
    dict
        ``"escaper"`` (E, S, P) escaper state after each outer step; ``"catcher"`` (E, S, 3)
        the chosen catcher state used at that step; ``"choice"`` (E, S) int64 its index;
        ``"loss"`` (E, S) float64 MSE between the two after the escaper's step;
        ``"catchers"`` final catcher states, (C, 3) (reference) or (E, C, 3) (corrected).
        With a group axis every array gains a leading ``G``.

    Notes
    -----
    Cost: ``E * S * C * inner`` catcher steps; task 2 runs 100 x 100 x 4 x 100 per structure.

    Examples
    --------
    >>> out = escape([[-1.0, 0.652, 1.0, 1.0, 0.337]], "incoherent-loop", points=11, thresholds=(2, 3))
    >>> out["escaper"].shape, out["choice"].shape
    ((1, 2, 5), (1, 2))
    """
    semantics = check_semantics(semantics)
    raw = escaper_params if isinstance(escaper_params, torch.Tensor) else torch.as_tensor(np.asarray(escaper_params))
    grouped = raw.ndim == 3
    if grouped:
        n_groups, n_escapers = raw.shape[:2]
        if n_groups == 0 or n_escapers == 0:
            raise ValueError(f"escaper_params must have shape (E, P) or (G, E, P) with G, E >= 1, "
                             f"got {tuple(raw.shape)}.")
        escapers = _check_params(raw.reshape(n_groups * n_escapers, -1), escaper_type, "escaper")
        escapers = escapers.reshape(n_groups, n_escapers, -1)
    else:
        escapers = _check_params(raw, escaper_type, "escaper").unsqueeze(0)
        n_groups, n_escapers = escapers.shape[:2]
    catchers = _check_params(catcher_parameters() if catcher_params is None else catcher_params, "collider",
                             "catcher").to(device=device, dtype=torch.float32)
    escapers = escapers.to(device)
    inputs = grid_inputs(value_range, points).to(device)
    learn_rate = check_learn_rate(learn_rate)
    outer, inner = check_thresholds(thresholds)
    if isinstance(warmup, bool) or not isinstance(warmup, numbers.Integral) or warmup < 0:
        raise ValueError(f"warmup must be a non-negative int, got {warmup!r}.")
    weight_bound = check_bound(weight_bound, "weight_bound", True)
    bias_bound = check_bound(bias_bound, "bias_bound", False)
    options = (inputs, learn_rate, outer, inner, semantics, weight_bound, bias_bound, warmup)
    if semantics == "corrected":
        flat = escapers.reshape(n_groups * n_escapers, -1)
        start = catchers.unsqueeze(0).expand(flat.shape[0], -1, -1).clone()
        record, final = _escape_groups(flat, escaper_type, start, *options)
        record = {k: v.reshape(n_groups, n_escapers, *v.shape[1:]) for k, v in record.items()}
        record["catchers"] = final.double().cpu().reshape(n_groups, n_escapers, *final.shape[1:])
    else:
        state = catchers.unsqueeze(0).expand(n_groups, -1, -1).clone()
        parts = []
        for e in _progress(range(n_escapers), verbose, "escape"):
            part, state = _escape_groups(escapers[:, e], escaper_type, state, *options)
            parts.append(part)
        record = {k: torch.stack([p[k] for p in parts], dim=1) for k in parts[0]}
        record["catchers"] = state.double().cpu()
    out = {k: v.numpy() for k, v in record.items()}
    return out if grouped else {k: v[0] for k, v in out.items()}
