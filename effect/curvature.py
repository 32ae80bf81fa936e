"""Dimension of hidden activity and curvature of the loss at a trained minimum.

* :func:`participation_ratio` -- ``R = (tr C)**2 / tr(C**2)`` of the centred
  covariance ``C`` of a layer's activity, and ``r = R / N``. It needs no
  eigendecomposition: ``tr C`` is the total variance and ``tr(C**2)`` the
  squared Frobenius norm of ``C``.
* :func:`hessian_trace` -- Hutchinson's estimator ``tr H ~ mean_i v_i' H v_i``
  over Rademacher probes ``v_i``, with its standard error. The Hessian-vector
  products are reverse-over-reverse (a second backward pass through the
  gradient), batched over probes with ``is_grads_batched`` (``vmap`` inside autograd).
* :func:`hessian_spectrum` -- stochastic Lanczos quadrature: Lanczos with full
  reorthogonalisation from several random unit vectors at once, giving a
  discrete spectral density (Ritz values and weights) whose ``k``-th moment is
  ``v' H**k v`` exactly for ``k < 2 * iterations``.
* :func:`exact_hessian` -- the dense Hessian by ``torch.autograd.functional.hessian``,
  the reference path for small models.

Examples
--------
>>> import numpy as np
>>> from effect.curvature import participation_ratio
>>> activity = np.random.default_rng(0).standard_normal((20000, 4))
>>> R, r = participation_ratio(activity)
>>> round(R, 1), round(r, 2)
(4.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
from torch.func import functional_call

from effect._checks import check_int

__all__ = [
    "ParticipationRatio",
    "participation_ratio",
    "HessianTrace",
    "hessian_trace",
    "SpectralDensity",
    "hessian_spectrum",
    "exact_hessian",
]


class ParticipationRatio(NamedTuple):
    """``ratio`` is ``R`` (between 1 and ``N``), ``normalised`` is ``r = R / N``."""

    ratio: float
    normalised: float


def participation_ratio(activity):
    """Participation ratio of a layer's activity.

    Parameters
    ----------
    activity : array or Tensor of shape (M, N) or (..., M, N)
        ``M`` inputs (rows) by ``N`` neurons (columns); leading axes are batched.

    Returns
    -------
    ParticipationRatio
        ``(R, r)`` as floats, or float64 arrays of the leading shape.

    Raises
    ------
    ValueError
        If fewer than two inputs, or if the activity does not vary.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 50)[:, None]
    >>> participation_ratio(t * np.array([[1.0, 2.0, -3.0]])).ratio   # one direction
    1.0
    """
    if isinstance(activity, torch.Tensor):
        activity = activity.detach().cpu().numpy()
    x = np.asarray(activity, dtype=np.float64)
    if x.ndim < 2 or x.shape[-2] < 2 or x.shape[-1] < 1:
        raise ValueError(f"activity must have shape (..., M, N) with M >= 2, got {x.shape}.")
    if not np.isfinite(x).all():
        raise ValueError("activity contains NaN or infinite values.")
    x = x - x.mean(axis=-2, keepdims=True)
    m, n = x.shape[-2:]
    cov = np.einsum("...mi,...mj->...ij", x, x) / m
    trace = np.einsum("...ii->...", cov)
    trace_sq = np.einsum("...ij,...ij->...", cov, cov)
    if np.any(trace_sq <= 0):
        raise ValueError("activity has zero variance: the participation ratio is undefined.")
    ratio = trace**2 / trace_sq
    if ratio.ndim == 0:
        return ParticipationRatio(float(ratio), float(ratio) / n)
    return ParticipationRatio(ratio, ratio / n)


def _flat_loss(model, loss_fn, batch):
    """The loss as a function of one flat parameter vector, and that vector's current value."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    try:
        inputs, targets = batch
    except (TypeError, ValueError):
        raise TypeError("batch must be a pair (inputs, targets).") from None
    params = {n: p.detach() for n, p in model.named_parameters() if p.requires_grad}
    if not params:
        raise ValueError("model has no trainable parameters.")
    names = list(params)
    shapes = [params[n].shape for n in names]
    sizes = [params[n].numel() for n in names]
    flat = torch.cat([params[n].reshape(-1) for n in names])

    def loss(vector):
        pieces = torch.split(vector, sizes)
        values = {n: piece.reshape(shape) for n, piece, shape in zip(names, pieces, shapes)}
        return loss_fn(functional_call(model, values, (inputs,)), targets)

    return loss, flat


def _batched_hvp(loss, flat):
    """``V (R, P) -> V H``: one gradient graph, then batched vector-Jacobian products of the gradient.

    ``torch.autograd.grad(..., is_grads_batched=True)`` vmaps the second
    backward pass over the rows of ``V``; ``H`` is symmetric, so each row is a
    Hessian-vector product. (``torch.func.jvp`` of ``torch.func.grad`` fails on
    some losses such as ``mse_loss`` in this torch version, and the first use of
    ``torch.func.grad`` imports the compiler stack, which costs seconds.)
    """
    point = flat.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        (gradient,) = torch.autograd.grad(loss(point), point, create_graph=True)

    def product(vectors):
        if not gradient.requires_grad:  # the loss is at most linear in the parameters
            return torch.zeros_like(vectors)
        (out,) = torch.autograd.grad(gradient, point, vectors, is_grads_batched=True, retain_graph=True,
                                     allow_unused=True)
        return torch.zeros_like(vectors) if out is None else out

    return product


def exact_hessian(model, loss_fn, batch):
    """Dense Hessian of ``loss_fn(model(inputs), targets)`` in the flat parameter order, shape (P, P).

    Parameters are flattened in ``model.named_parameters()`` order (trainable ones only).
    Cost: ``P`` backward passes; for small models only.

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(2, 1, bias=False)
    >>> x = torch.eye(2); y = torch.zeros(2, 1)
    >>> exact_hessian(model, lambda out, t: (out ** 2).sum(), (x, y)).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    loss, flat = _flat_loss(model, loss_fn, batch)
    return torch.autograd.functional.hessian(loss, flat)


class HessianTrace(NamedTuple):
    """Hutchinson estimate of ``tr H``, its standard error, and the number of probes."""

    estimate: float
    standard_error: float
    samples: int


def _rademacher(count, size, seed, dtype):
    generator = torch.Generator().manual_seed(int(seed))
    return (torch.randint(0, 2, (count, size), generator=generator) * 2 - 1).to(dtype)


def hessian_trace(model, loss_fn, batch, samples=100, seed=0, chunk_size=64):
    """Hutchinson estimate of the trace of the loss Hessian with respect to all trainable parameters.

    Parameters
    ----------
    model : nn.Module
    loss_fn : callable
        ``loss_fn(model(inputs), targets)`` -> scalar tensor.
    batch : (Tensor, Tensor)
        ``(inputs, targets)``; the loss is taken on the whole batch.
    samples : int, default 100
        Rademacher probes (at least 2, for the standard error).
    seed : int, default 0
    chunk_size : int, default 64
        Probes per vectorised Hessian-vector product.

    Returns
    -------
    HessianTrace
        ``estimate`` = mean of ``v' H v``; ``standard_error`` = its sample
        standard deviation over ``sqrt(samples)``.

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(3, 1, bias=False)
    >>> x = torch.eye(3); y = torch.zeros(3, 1)
    >>> hessian_trace(model, lambda out, t: (out ** 2).sum(), (x, y), samples=4)   # H = 2 I exactly
    HessianTrace(estimate=6.0, standard_error=0.0, samples=4)
    """
    samples = check_int(samples, "samples", low=2)
    chunk_size = check_int(chunk_size, "chunk_size")
    loss, flat = _flat_loss(model, loss_fn, batch)
    probes = _rademacher(samples, flat.numel(), seed, flat.dtype)
    hvp = _batched_hvp(loss, flat)
    values = torch.cat([(hvp(chunk) * chunk).sum(-1) for chunk in torch.split(probes, chunk_size)])
    values = values.detach().double().numpy()
    return HessianTrace(float(values.mean()), float(values.std(ddof=1) / np.sqrt(samples)), samples)


def _hessian_trace_loop(model, loss_fn, batch, samples=100, seed=0):
    """Reference path: one double-backward Hessian-vector product per probe (same probes as :func:`hessian_trace`)."""
    loss, flat = _flat_loss(model, loss_fn, batch)
    probes = _rademacher(samples, flat.numel(), seed, flat.dtype)
    values = []
    for probe in probes:
        _, product = torch.autograd.functional.hvp(loss, flat, probe)
        values.append(float(product @ probe))
    values = np.asarray(values)
    return HessianTrace(float(values.mean()), float(values.std(ddof=1) / np.sqrt(samples)), samples)


@dataclass
class SpectralDensity:
    """Discrete spectral density from stochastic Lanczos quadrature.

    Attributes
    ----------
    nodes : ndarray of shape (runs, m)
        Ritz values (eigenvalue estimates) of each run.
    weights : ndarray of shape (runs, m)
        Quadrature weights; each row sums to 1.
    """

    nodes: np.ndarray
    weights: np.ndarray

    def moment(self, k):
        """Estimate of ``tr(H**k) / P``: the run average of ``sum_j w_j * node_j**k``."""
        return float(np.mean(np.sum(self.weights * self.nodes ** int(k), axis=1)))

    def near_zero_fraction(self, threshold=1e-3, relative=True):
        """Spectral mass with ``|lambda| <= threshold`` (times ``max |node|`` when ``relative``)."""
        scale = np.abs(self.nodes).max() if relative else 1.0
        return float(np.mean(np.sum(self.weights * (np.abs(self.nodes) <= threshold * scale), axis=1)))

    def smoothed(self, grid, sigma):
        """Gaussian-smoothed density on ``grid`` (shape (G,)), integrating to about 1."""
        grid = np.asarray(grid, dtype=np.float64)
        kernel = np.exp(-0.5 * ((grid[None, None, :] - self.nodes[..., None]) / sigma) ** 2)
        kernel /= sigma * np.sqrt(2 * np.pi)
        return np.mean(np.sum(self.weights[..., None] * kernel, axis=1), axis=0)


def _lanczos(matvec, starts, iterations, generator):
    """Batched Lanczos with full reorthogonalisation; returns tridiagonal ``(alpha, beta)``.

    ``matvec`` maps (R, P) to (R, P). On breakdown (the Krylov space of a run is
    exhausted) the run continues from a random vector orthogonal to its basis
    with ``beta = 0``, so the extra Ritz values carry zero quadrature weight.
    """
    runs, size = starts.shape
    basis = torch.zeros(runs, iterations, size, dtype=starts.dtype)
    alpha = torch.zeros(runs, iterations, dtype=starts.dtype)
    beta = torch.zeros(runs, max(iterations - 1, 0), dtype=starts.dtype)
    q = starts / starts.norm(dim=1, keepdim=True)
    eps = torch.finfo(starts.dtype).eps
    for j in range(iterations):
        basis[:, j] = q
        w = matvec(q)
        alpha[:, j] = (w * q).sum(-1)
        for _ in range(2):  # classical Gram-Schmidt twice against the whole basis
            w = w - torch.einsum("rj,rjp->rp", torch.einsum("rjp,rp->rj", basis[:, : j + 1], w), basis[:, : j + 1])
        if j == iterations - 1:
            break
        norm = w.norm(dim=1)
        scale = alpha[:, : j + 1].abs().amax(dim=1).clamp_min(1.0)
        broken = norm <= 1e3 * eps * scale * np.sqrt(size)
        if broken.any():
            fresh = torch.randn(int(broken.sum()), size, generator=generator, dtype=starts.dtype)
            for _ in range(2):
                fresh = fresh - torch.einsum(
                    "rj,rjp->rp", torch.einsum("rjp,rp->rj", basis[broken, : j + 1], fresh), basis[broken, : j + 1])
            w = w.clone()
            w[broken] = fresh
            norm = torch.where(broken, torch.zeros_like(norm), norm)
        beta[:, j] = norm
        q = w / w.norm(dim=1, keepdim=True)
    return alpha, beta


def _quadrature(alpha, beta):
    runs, m = alpha.shape
    tri = torch.diag_embed(alpha)
    if m > 1:
        tri = tri + torch.diag_embed(beta, 1) + torch.diag_embed(beta, -1)
    values, vectors = torch.linalg.eigh(tri.double())
    return SpectralDensity(values.numpy(), (vectors[:, 0, :] ** 2).numpy())


def hessian_spectrum(model, loss_fn, batch, iterations=30, runs=4, seed=0, starts=None):
    """Hessian eigenvalue density by stochastic Lanczos quadrature (all runs batched).

    Parameters
    ----------
    model, loss_fn, batch : as :func:`hessian_trace`
    iterations : int, default 30
        Lanczos steps ``m`` per run (capped at the parameter count ``P``).
    runs : int, default 4
        Random Rademacher start vectors.
    seed : int, default 0
    starts : Tensor of shape (R, P), optional
        Explicit start vectors (then ``runs`` and the Rademacher draw are unused);
        e.g. the ``P`` unit vectors make the density's moments exact.

    Returns
    -------
    SpectralDensity
        Its ``moment(k)`` estimates ``tr(H**k) / P`` and
        ``near_zero_fraction()`` the fraction ``f`` of eigenvalues near zero.

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(3, 1, bias=False)
    >>> x = torch.diag(torch.tensor([1.0, 2.0, 0.0])); y = torch.zeros(3, 1)
    >>> density = hessian_spectrum(model, lambda out, t: (out ** 2).sum(), (x, y), iterations=3, runs=2)
    >>> round(density.moment(1), 4), round(density.near_zero_fraction(), 4)   # eigenvalues 2, 8 and 0
    (3.3333, 0.3333)
    """
    iterations = check_int(iterations, "iterations")
    loss, flat = _flat_loss(model, loss_fn, batch)
    size = flat.numel()
    if starts is None:
        starts = _rademacher(check_int(runs, "runs"), size, seed, flat.dtype)
    else:
        starts = torch.as_tensor(starts, dtype=flat.dtype)
        if starts.ndim != 2 or starts.shape[1] != size or starts.shape[0] == 0:
            raise ValueError(f"starts must have shape (R, {size}), got {tuple(starts.shape)}.")
    hvp = _batched_hvp(loss, flat)
    generator = torch.Generator().manual_seed(int(seed) + 1)
    with torch.no_grad():
        alpha, beta = _lanczos(lambda q: hvp(q).detach(), starts, min(iterations, size), generator)
    return _quadrature(alpha, beta)
