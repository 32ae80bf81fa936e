"""Tests of effect._closed_form: the chunked pass equals autograd (gradient bit for bit, Hessian closely)."""

import numpy as np
import pytest
import torch

from effect._closed_form import MotifPass, hessian_summaries
from effect.engine import grid_inputs
from effect.expression import fit_batch, get_landscape, initial_network
from effect.motif_networks import network_outputs, network_parameters
from effect.operations import calculate_hessian_eigenvalues


def _autograd(params, inputs, target, semantics, directions=None):
    leaf = params.clone().requires_grad_(True)
    output = network_outputs(leaf, inputs, directions, semantics)
    losses = ((output - target) ** 2).mean(dim=1)
    (grad,) = torch.autograd.grad(losses.sum(), leaf)
    return output.detach(), losses.detach(), grad


def _trained(kind, motif_number, n_networks, name="Branin"):
    """Parameters after a few Adam steps (non-zero residuals, off the initial state)."""
    flags = ([0] * (motif_number // 2) + [1] * (motif_number - motif_number // 2), [1, 2, 3, 4] * motif_number)
    out = fit_batch(kind, motif_number, name, n_networks, 5e-2, 10**6, threshold=0.0, maximum_iteration=15,
                    flags=(flags[0], flags[1][:motif_number]) if kind == "restricted" else None, seed=11)
    return torch.from_numpy(out["parameters"])


@pytest.mark.parametrize("kind", ["collider", "loop", "restricted"])
@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_pass_gradient_equals_autograd_bit_for_bit(kind, semantics):
    inputs = grid_inputs((-1, 1), 41)
    target = get_landscape("six-hump Camel").reshape(-1)
    params = _trained(kind, 6, 5)
    directions = None if kind == "collider" else [True, False, False, True, True, False]
    for dirs in (None, directions):
        output, losses, grad = _autograd(params, inputs, target, semantics, dirs)
        state = MotifPass(params, inputs, semantics, dirs)
        got_losses, got_grad = state.loss_and_gradient(target)
        assert torch.equal(state.output, output)
        assert torch.equal(got_losses, losses)
        assert torch.equal(got_grad, grad)
        # a chunk of the batch gives the same rows
        part = MotifPass(params[1:3], inputs, semantics, dirs).loss_and_gradient(target)[1]
        assert torch.equal(part, grad[1:3])


def _module(kind, motif_number, params, semantics):
    net = initial_network(kind, motif_number, 0, 0, flags=([0] * motif_number, [1] * motif_number))
    with torch.no_grad():
        for motif, row in zip(net.bank, params):
            values = iter(row.tolist())
            for parameter in motif.parameters():
                parameter.copy_(torch.tensor([next(values) for _ in range(parameter.numel())]).reshape(parameter.shape))
    net.semantics = semantics
    return net


@pytest.mark.parametrize("kind", ["collider", "restricted"])
def test_hessian_summaries_of_trained_networks_equal_autograd(kind):
    inputs = grid_inputs((-1, 1), 41)
    target = get_landscape("Branin").reshape(-1, 1)
    params = _trained(kind, 10 if kind == "restricted" else 4, 3)
    for semantics in ("reference", "corrected"):
        summary = hessian_summaries(params, inputs, target.reshape(-1), semantics, chunk=2)
        assert summary.dtype == torch.float64 and summary.shape == (3, 3)
        for row in range(params.shape[0]):
            net = _module(kind if kind == "collider" else "restricted", params.shape[1], params[row], semantics)
            assert torch.equal(network_parameters(net), params[row])
            eig = calculate_hessian_eigenvalues(net, torch.nn.MSELoss(), inputs, target)
            np.testing.assert_allclose(summary[row].numpy(), [eig.min(), eig.max(), eig.sum()], rtol=1e-4, atol=1e-6)


def test_hessian_summaries_chunks_and_empty_batch():
    inputs = grid_inputs((-1, 1), 41)
    target = get_landscape("Monkey Saddle").reshape(-1)
    params = _trained("loop", 3, 5)
    whole = hessian_summaries(params, inputs, target, "reference", chunk=5)
    for chunk in (1, 2, 3):
        np.testing.assert_allclose(hessian_summaries(params, inputs, target, "reference", chunk=chunk), whole,
                                   rtol=1e-6, atol=1e-9)
    assert hessian_summaries(params[:0], inputs, target, "reference").shape == (0, 3)
