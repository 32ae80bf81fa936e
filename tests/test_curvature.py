"""Participation ratio, Hutchinson trace and stochastic Lanczos quadrature against closed forms and exact Hessians."""

import numpy as np
import pytest
import torch

from effect.curvature import (
    _hessian_trace_loop,
    _lanczos,
    exact_hessian,
    hessian_spectrum,
    hessian_trace,
    participation_ratio,
)


def _isotropic_activity(m, n, seed=0):
    """Columns orthonormal and orthogonal to the ones vector: centred covariance exactly I / m."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(np.column_stack([np.ones(m), rng.standard_normal((m, n))]))
    return basis[:, 1:] * 3.0 + 5.0  # a common scale and offset change nothing


def test_participation_ratio_one_dimension_is_one():
    rng = np.random.default_rng(1)
    activity = rng.standard_normal((200, 1)) @ rng.standard_normal((1, 7)) + rng.standard_normal(7)
    ratio, normalised = participation_ratio(activity)
    assert ratio == pytest.approx(1.0, rel=1e-12)
    assert normalised == pytest.approx(1.0 / 7, rel=1e-12)


def test_participation_ratio_isotropic_is_n():
    ratio, normalised = participation_ratio(_isotropic_activity(64, 10))
    assert ratio == pytest.approx(10.0, rel=1e-12)
    assert normalised == pytest.approx(1.0, rel=1e-12)


def test_participation_ratio_equals_eigenvalue_formula_and_batches():
    rng = np.random.default_rng(2)
    activity = rng.standard_normal((3, 50, 6)) * np.array([3.0, 1.0, 0.5, 0.2, 0.1, 0.0])
    batched = participation_ratio(activity)
    for k in range(3):
        centred = activity[k] - activity[k].mean(0)
        eig = np.linalg.eigvalsh(centred.T @ centred / 50)
        assert batched.ratio[k] == pytest.approx(eig.sum() ** 2 / (eig**2).sum(), rel=1e-10)
        assert participation_ratio(torch.from_numpy(activity[k])).ratio == pytest.approx(batched.ratio[k], rel=1e-12)
    assert np.allclose(batched.normalised, batched.ratio / 6)


def test_participation_ratio_rejects_constant_and_bad_shapes():
    with pytest.raises(ValueError, match="zero variance"):
        participation_ratio(np.ones((5, 3)))
    with pytest.raises(ValueError, match="activity"):
        participation_ratio(np.ones(5))


def _small_model(seed=0):
    torch.manual_seed(seed)  # only the small test model draws from the global generator
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(25, 3, generator=generator, dtype=torch.float64)
    y = torch.randn(25, 2, generator=generator, dtype=torch.float64)
    return model, torch.nn.functional.mse_loss, (x, y)


def test_exact_hessian_matches_least_squares_closed_form():
    model = torch.nn.Linear(3, 1, bias=False).double()
    x = torch.randn(10, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    y = torch.zeros(10, 1, dtype=torch.float64)
    hessian = exact_hessian(model, torch.nn.functional.mse_loss, (x, y))
    assert torch.allclose(hessian, 2 * x.T @ x / 10, atol=1e-12)


def test_hutchinson_trace_within_three_standard_errors_of_exact():
    model, loss, batch = _small_model()
    exact = float(torch.trace(exact_hessian(model, loss, batch)))
    result = hessian_trace(model, loss, batch, samples=400, seed=3)
    assert result.samples == 400 and result.standard_error > 0
    assert abs(result.estimate - exact) <= 3 * result.standard_error


def test_hutchinson_batched_equals_per_probe_loop():
    model, loss, batch = _small_model(1)
    fast = hessian_trace(model, loss, batch, samples=20, seed=5, chunk_size=7)
    slow = _hessian_trace_loop(model, loss, batch, samples=20, seed=5)
    assert fast.estimate == pytest.approx(slow.estimate, rel=1e-10)
    assert fast.standard_error == pytest.approx(slow.standard_error, rel=1e-8)


def test_slq_with_unit_starts_has_exact_moments():
    model, loss, batch = _small_model(2)
    hessian = exact_hessian(model, loss, batch)
    size = hessian.shape[0]
    eigenvalues = np.linalg.eigvalsh(hessian.numpy())
    density = hessian_spectrum(model, loss, batch, iterations=size, starts=torch.eye(size, dtype=torch.float64))
    assert np.allclose(density.weights.sum(1), 1.0)
    for k in range(1, 5):
        assert density.moment(k) == pytest.approx(np.mean(eigenvalues**k), rel=1e-8, abs=1e-12)


def test_slq_quadrature_reproduces_quadratic_forms_and_eigenvalues():
    model, loss, batch = _small_model(3)
    hessian = exact_hessian(model, loss, batch).numpy()
    eigenvalues = np.linalg.eigvalsh(hessian)
    size = hessian.shape[0]
    density = hessian_spectrum(model, loss, batch, iterations=size, runs=3, seed=4)
    probes = (torch.randint(0, 2, (3, size), generator=torch.Generator().manual_seed(4)) * 2 - 1).double().numpy()
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    for k in range(1, 4):
        quadratic = np.einsum("rp,pq,rq->r", probes, np.linalg.matrix_power(hessian, k), probes)
        assert np.allclose(np.sum(density.weights * density.nodes**k, axis=1), quadratic, rtol=1e-7, atol=1e-12)
    visible = density.nodes[density.weights > 1e-8]
    assert np.min(np.abs(visible[:, None] - eigenvalues[None, :]), axis=1).max() < 1e-7 * np.abs(eigenvalues).max()


def test_slq_near_zero_fraction_counts_null_directions():
    model, loss, (x, y) = _small_model(4)
    x = x.clone()
    x[:, 2] = 0.0  # the four weights reading input 2 are flat directions
    hessian = exact_hessian(model, loss, (x, y))
    eigenvalues = np.linalg.eigvalsh(hessian.numpy())
    size = hessian.shape[0]
    density = hessian_spectrum(model, loss, (x, y), iterations=size, starts=torch.eye(size, dtype=torch.float64))
    expected = np.mean(np.abs(eigenvalues) <= 1e-9)
    assert expected >= 4 / size
    assert density.near_zero_fraction(1e-9, relative=False) == pytest.approx(expected, abs=1e-9)


def test_lanczos_breakdown_restarts_with_zero_weight():
    matrix = torch.diag(torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64))
    start = torch.tensor([[1.0, 1.0, 0.0, 0.0]], dtype=torch.float64)  # Krylov space of dimension 2
    alpha, beta = _lanczos(lambda q: q @ matrix, start, 4, torch.Generator().manual_seed(0))
    assert beta[0, 1] == 0.0
    tri = torch.diag(alpha[0]) + torch.diag(beta[0], 1) + torch.diag(beta[0], -1)
    values, vectors = torch.linalg.eigh(tri)
    weights = vectors[0] ** 2
    assert torch.allclose(values, torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64), atol=1e-10)
    assert torch.allclose(weights, torch.tensor([0.5, 0.5, 0.0, 0.0], dtype=torch.float64), atol=1e-10)


def test_curvature_rejects_bad_arguments():
    model, loss, batch = _small_model()
    with pytest.raises(ValueError, match="samples"):
        hessian_trace(model, loss, batch, samples=1)
    with pytest.raises(TypeError, match="batch"):
        hessian_trace(model, loss, batch[0])
    with pytest.raises(ValueError, match="starts"):
        hessian_spectrum(model, loss, batch, starts=torch.eye(3))


def test_hessian_of_a_mixed_network_with_interpolated_activations():
    from effect.learned import DiverseNetwork, InterpolatedActivation

    frozen = InterpolatedActivation.from_function(torch.sin, points=100, interval=(-10, 10))
    model = DiverseNetwork((3, 4, 2), [frozen, "tanh"], seed=0).double()
    generator = torch.Generator().manual_seed(6)
    batch = (torch.randn(30, 3, generator=generator, dtype=torch.float64),
             torch.randint(0, 2, (30,), generator=generator))
    loss = torch.nn.functional.cross_entropy
    hessian = exact_hessian(model, loss, batch)
    assert torch.allclose(hessian, hessian.T, atol=1e-12)
    fast = hessian_trace(model, loss, batch, samples=16, seed=1)
    slow = _hessian_trace_loop(model, loss, batch, samples=16, seed=1)
    assert fast.estimate == pytest.approx(slow.estimate, rel=1e-10)
    size = hessian.shape[0]
    density = hessian_spectrum(model, loss, batch, iterations=size, starts=torch.eye(size, dtype=torch.float64))
    eigenvalues = np.linalg.eigvalsh(hessian.numpy())
    for k in (1, 2):
        assert density.moment(k) == pytest.approx(np.mean(eigenvalues**k), rel=1e-8, abs=1e-12)
