"""Tests of effect.motif_networks: closed forms, sign tables, hand-computed summaries, batched path."""

import math

import numpy as np
import pytest
import torch

from effect.motif_networks import (
    Collider,
    ColliderNetwork,
    Loop,
    LoopNetwork,
    MotifNetwork,
    RestrictedLoop,
    RestrictedLoopNetwork,
    make_network,
    motif_terms,
    network_outputs,
    network_parameters,
)
from effect.operations import calculate_hessian_eigenvalues

TANH1 = math.tanh(1.0)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def set_collider(motif, w00, w01, c):
    with torch.no_grad():
        motif.linear.weight.copy_(torch.tensor([[w00, w01]]))
        motif.linear.bias.copy_(torch.tensor([c]))
    return motif


def set_loop(motif, x_y, x_z, y_z, b=0.0, c=0.0):
    """Set a loop's weights in the order (x->y, x->z, y->z) and its biases (z, addition)."""
    set_collider(motif.collider, x_z, y_z, b)
    with torch.no_grad():
        motif.addition.weight.fill_(x_y)
        motif.addition.bias.fill_(c)
    return motif


POINTS = torch.tensor([[0.3, -0.7], [1.0, 1.0], [-0.4, 0.9]])


# ------------------------------------------------------------------------------------------ Collider


def test_collider_forward_is_tanh_of_affine():
    motif = set_collider(Collider(gen()), 0.4, -1.5, 0.2)
    x, y = POINTS.double().numpy().T
    expected = np.tanh(0.4 * x - 1.5 * y + 0.2)
    np.testing.assert_allclose(motif(POINTS)[:, 0].detach().numpy(), expected, rtol=1e-6)


def test_collider_getters_hand_computed():
    motif = set_collider(Collider(gen()), 3.0, -4.0, 0.5)
    assert motif.get_weights() == {"x->z": 3.0, "y->z": -4.0}
    assert motif.get_spectral_norm() == pytest.approx(5.0, rel=1e-6)
    assert motif.get_utilization() == 1.0
    set_collider(motif, 1e-7, 0.2, 0.0)
    assert motif.get_utilization(1e-6) == 0.5
    assert motif.get_utilization(1e-8) == 1.0


@pytest.mark.parametrize("signs, index", [((1, 1), 1), ((1, -1), 2), ((-1, 1), 3), ((-1, -1), 4)])
def test_collider_motif_information(signs, index):
    motif = set_collider(Collider(gen()), 0.3 * signs[0], 0.6 * signs[1], 0.0)
    assert motif.get_motif_information() == ("collider", index)


def test_collider_zero_weight_and_missing_gradients_raise():
    motif = set_collider(Collider(gen()), 0.0, 0.6, 0.0)
    with pytest.raises(ValueError, match="exactly 0"):
        motif.get_motif_information()
    with pytest.raises(ValueError, match="no gradients"):
        motif.get_gradients()


def test_collider_gradients_closed_form():
    motif = set_collider(Collider(gen()), 0.4, -0.3, 0.1)
    point = torch.tensor([[0.5, -1.0]])
    motif(point).sum().backward()
    u = 0.4 * 0.5 - 0.3 * -1.0 + 0.1
    d = 1 - math.tanh(u) ** 2
    grads = motif.get_gradients()
    np.testing.assert_allclose(grads["w"], [d * 0.5, d * -1.0], rtol=1e-5)
    np.testing.assert_allclose(grads["b"], [d], rtol=1e-5)


def test_generator_init_is_seeded_bounded_and_leaves_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b, c = Loop(generator=gen(5)), Loop(generator=gen(5)), Loop(generator=gen(6))
    assert torch.equal(torch.random.get_rng_state(), state)
    flat = [torch.cat([p.detach().reshape(-1) for p in m.parameters()]) for m in (a, b, c)]
    assert torch.equal(flat[0], flat[1]) and not torch.equal(flat[0], flat[2])
    # PyTorch-default bounds: collider 1/sqrt(2), addition 1
    many = torch.stack([torch.cat([p.detach().reshape(-1) for p in Loop(generator=gen(s)).parameters()])
                        for s in range(200)])
    assert many[:, :3].abs().max() <= 1 / math.sqrt(2) and many[:, :3].abs().max() > 0.6
    assert many[:, 3:].abs().max() <= 1.0 and many[:, 3:].abs().max() > 0.9
    with pytest.raises(TypeError, match="generator"):
        Collider(generator=3)


# ------------------------------------------------------------------------------------------ Loop


def test_loop_forward_closed_form_both_directions():
    x, y = POINTS[:, 0].double().numpy(), POINTS[:, 1].double().numpy()
    forward = set_loop(Loop(True, gen()), x_y=0.7, x_z=-0.5, y_z=0.9, b=0.1, c=-0.2)
    y_shift = y + np.tanh(0.7 * x - 0.2)
    np.testing.assert_allclose(forward(POINTS)[:, 0].detach().numpy(), np.tanh(-0.5 * x + 0.9 * y_shift + 0.1),
                               rtol=1e-6)
    reverse = set_loop(Loop(False, gen()), x_y=0.7, x_z=-0.5, y_z=0.9, b=0.1, c=-0.2)
    x_shift = x + np.tanh(0.7 * y - 0.2)
    np.testing.assert_allclose(reverse(POINTS)[:, 0].detach().numpy(), np.tanh(-0.5 * x_shift + 0.9 * y + 0.1),
                               rtol=1e-6)


COHERENT = [((1, 1, 1), 1), ((-1, 1, -1), 2), ((-1, -1, 1), 3), ((1, -1, -1), 4)]
INCOHERENT = [((-1, 1, 1), 1), ((1, 1, -1), 2), ((1, -1, 1), 3), ((-1, -1, -1), 4)]


@pytest.mark.parametrize("direction", [True, False])
@pytest.mark.parametrize("signs, label", [(s, ("coherent-loop", i)) for s, i in COHERENT]
                         + [(s, ("incoherent-loop", i)) for s, i in INCOHERENT])
def test_loop_labels_from_signs(signs, label, direction):
    loop = set_loop(Loop(direction, gen()), 0.2 * signs[0], 0.5 * signs[1], 0.8 * signs[2])
    assert loop.get_motif_information() == label
    assert loop.is_coherent() == (label[0] == "coherent-loop")
    assert loop.get_weights() == pytest.approx({"x->y": 0.2 * signs[0], "x->z": 0.5 * signs[1],
                                                "y->z": 0.8 * signs[2]})


def test_loop_spectral_norm_gradients_and_zero_weight():
    loop = set_loop(Loop(True, gen()), x_y=-0.5, x_z=0.6, y_z=0.8)
    assert loop.get_spectral_norm() == pytest.approx(1.5, rel=1e-6)
    assert loop.get_utilization() == 1.0
    loop(POINTS).sum().backward()
    grads = loop.get_gradients()
    assert grads["w"].shape == (3,) and grads["b"].shape == (2,)
    assert grads["w"][2] == loop.addition.weight.grad.item()
    set_loop(loop, 0.0, 0.6, 0.8)
    assert loop.get_utilization() == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="exactly 0"):
        loop.get_motif_information()
    assert not loop.is_coherent()


# ------------------------------------------------------------------------------------------ RestrictedLoop


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
@pytest.mark.parametrize("loop_type, table", [("i", INCOHERENT), ("c", COHERENT)])
def test_restricted_loop_signs_follow_table(loop_type, table, semantics):
    for signs, index in table:
        if loop_type == "c" and index == 3 and semantics == "reference":
            signs = (-1, 1, 1)  # the reference's bug
        for seed in range(3):
            loop = RestrictedLoop(loop_type, index, semantics=semantics, generator=gen(seed))
            assert tuple(np.sign(loop._weights()).astype(int)) == signs


def test_coherent_three_quirk():
    ref = RestrictedLoop("c", 3, generator=gen(1))
    fixed = RestrictedLoop("c", 3, semantics="corrected", generator=gen(1))
    assert ref.get_motif_information() == ("coherent-loop", 3) == fixed.get_motif_information()
    assert not ref.is_coherent()  # actually incoherent-loop.1
    assert Loop.get_motif_information(ref) == ("incoherent-loop", 1)
    assert fixed.is_coherent()


def test_restricted_loop_validation():
    for kwargs, match in [(dict(loop_type="x", loop_index=1), "loop_type"),
                          (dict(loop_type="i", loop_index=5), "loop_index"),
                          (dict(loop_type="i", loop_index=1, epsilon=0.0), "epsilon"),
                          (dict(loop_type="i", loop_index=1, semantics="fixed"), "semantics")]:
        with pytest.raises(ValueError, match=match):
            RestrictedLoop(**kwargs)


def test_restricted_loop_adjust_and_restrict_in_place():
    loop = RestrictedLoop("i", 1, epsilon=1e-3, generator=gen(0))  # signs (-, +, +)
    set_loop(loop, x_y=5e-4, x_z=-5e-4, y_z=0.0)
    loop.adjust_weights()
    # tiny weights -> ±2 eps, then sign flipped to the table; exact 0 stays 0
    assert loop._weights() == pytest.approx([-2e-3, 2e-3, 0.0])
    weight = loop.collider.linear.weight
    set_loop(loop, x_y=0.3, x_z=-0.2, y_z=4.0)
    loop.restrict()
    assert loop._weights() == pytest.approx([-1e-3, 1e-3, 4.0])  # no upper bound
    assert loop.collider.linear.weight is weight  # identity kept: the optimizer keeps updating it


# ------------------------------------------------------------------------------------------ networks


def test_network_output_bound_reference_vs_corrected():
    n = 3
    big = torch.tensor([[1.0, 1.0], [-1.0, -1.0]])
    for semantics, bound in [("reference", n * TANH1), ("corrected", float(n))]:
        net = ColliderNetwork(n, semantics, gen())
        for motif in net.bank:
            set_collider(motif, 50.0, 50.0, 0.0)
        out = net(big)[:, 0].detach().double().numpy()
        np.testing.assert_allclose(out, [bound, -bound], rtol=1e-6)
    net = LoopNetwork(4, generator=gen(2))
    out = net(torch.rand(500, 2) * 2 - 1)
    assert out.abs().max() < 4 * TANH1


def test_network_structure_and_counts():
    loops = LoopNetwork(3, generator=gen())
    assert [m.original_direction for m in loops.bank] == [True, False, True]
    assert loops.get_motif_number() == 3 and loops.get_parameter_number() == 15
    assert ColliderNetwork(4, generator=gen()).get_parameter_number() == 12
    restricted = RestrictedLoopNetwork([0, 1, True], [2, 3, 4], 3, generator=gen())
    assert [(m.loop_type, m.loop_index, m.original_direction) for m in restricted.bank] == [
        ("i", 2, True), ("c", 3, False), ("c", 4, True)]
    assert restricted.get_motif_types() == ["incoherent-loop", "coherent-loop", "coherent-loop"]
    with pytest.raises(ValueError, match="flags_1 and flags_2"):
        RestrictedLoopNetwork([0, 1], [1], 2)
    with pytest.raises(ValueError, match="motif_number"):
        ColliderNetwork(0)
    with pytest.raises(ValueError, match="kind"):
        make_network("fork", 2)


def mixed_network():
    """A collider (3, 1e-7) + a coherent loop + an incoherent loop with a tiny weight, set by hand."""
    net = MotifNetwork(3)
    net.bank.extend([set_collider(Collider(gen()), 3.0, 1e-7, 0.0),
                     set_loop(Loop(True, gen()), x_y=0.5, x_z=0.6, y_z=0.8),      # coherent-loop.1
                     set_loop(Loop(False, gen()), x_y=-2.0, x_z=3.0, y_z=4e-7)])  # incoherent-loop.1
    return net


def test_sparsity_hand_computed():
    net = mixed_network()
    assert net.get_motif_types() == ["collider", "coherent-loop", "incoherent-loop"]
    assert net.get_motif_utilization() == pytest.approx([0.5, 1.0, 2 / 3])
    assert net.get_sparsity() == pytest.approx({"collider": 0.5, "coherent-loop": 1.0, "incoherent-loop": 2 / 3,
                                                "entire network": 6 / 8})
    only = ColliderNetwork(2, generator=gen())
    assert only.get_sparsity()["coherent-loop"] is None


def test_spectral_norm_summary_hand_computed():
    net = mixed_network()
    assert net.get_spectral_norms() == pytest.approx([3.0, 1.5, 5.0], rel=1e-6)
    summary = net.get_spectral_norm_summary()
    assert summary == pytest.approx({"collider": 3.0, "coherent-loop": 1.5, "incoherent-loop": 5.0,
                                     "entire network": 9.5}, rel=1e-6)


def test_gradient_variance_hand_computed():
    net = mixed_network()
    collider, coherent, incoherent = net.bank
    grads = {collider.linear.weight: [[1.0, 3.0]], collider.linear.bias: [100.0],
             coherent.collider.linear.weight: [[2.0, 2.0]], coherent.addition.weight: [[2.0]],
             incoherent.collider.linear.weight: [[0.0, 0.0]], incoherent.addition.weight: [[6.0]]}
    for p in net.parameters():
        p.grad = torch.tensor(grads.get(p, np.full(p.shape, -50.0).tolist()), dtype=torch.float32).reshape(p.shape)
    # biases (100, -50) are excluded; entire: [1,3,2,2,2,0,0,6] -> mean 2, variance 26/8
    assert net.get_gradient_variance() == pytest.approx({"collider": 1.0, "coherent-loop": 0.0,
                                                         "incoherent-loop": 8.0, "entire network": 3.25})


def test_hessian_method():
    net = LoopNetwork(2, generator=gen(3))
    assert net.get_hessian_eigenvalues() is None
    x, target = torch.rand(30, 2), torch.rand(30, 1)
    np.testing.assert_allclose(net.get_hessian_eigenvalues(x, target),
                               calculate_hessian_eigenvalues(net, torch.nn.MSELoss(), x, target))


# ------------------------------------------------------------------------------------------ batched path


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
@pytest.mark.parametrize("kind", ["collider", "loop", "restricted"])
def test_batched_outputs_equal_modules(kind, semantics):
    flags = ([0, 1, 1, 0, 1], [1, 3, 2, 4, 1])
    networks = [make_network(kind, 5, flags, semantics=semantics, generator=gen(s)) for s in range(4)]
    params = torch.stack([network_parameters(net) for net in networks])
    assert params.shape == (4, 5, 3 if kind == "collider" else 5)
    x = torch.rand(200, 2, generator=gen(9)) * 2 - 1
    batched = network_outputs(params, x, semantics=semantics)
    for k, net in enumerate(networks):
        torch.testing.assert_close(batched[k], net(x)[:, 0], rtol=1e-6, atol=1e-6)
    terms = motif_terms(params, x, semantics=semantics)
    torch.testing.assert_close(terms[0, 1], (torch.tanh if semantics == "reference" else lambda t: t)(
        networks[0].bank[1](x)[:, 0]), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="params"):
        network_outputs(params[..., :2], x)
