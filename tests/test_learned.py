"""Learned activations: initial fits, batched types, meta-learning, interpolation, and motifs built from them."""

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs, raw_outputs
from effect.learned import (
    BASE_FUNCTIONS,
    DiverseLayer,
    DiverseNetwork,
    InterpolatedActivation,
    LearnedActivation,
    extract_activation,
    meta_learn,
    split_types,
)
from effect.motifs import NeuralMotif
from effect.structures import structure_parameters


@pytest.mark.parametrize("base, tolerance", [("sine", 0.05), ("identity", 0.05), ("tanh", 0.02), ("relu", 0.15)])
def test_initial_fit_matches_base_on_interval(base, tolerance):
    act = LearnedActivation(base, hidden=50, seed=0)
    x = torch.linspace(-10, 10, 2001)
    with torch.no_grad():
        assert (act(x) - BASE_FUNCTIONS[base](x)).abs().max() < tolerance


def test_zero_base_is_exactly_zero_and_types_start_equal():
    act = LearnedActivation("zero", types=3, hidden=7)
    assert torch.equal(act.out_weight, torch.zeros(3, 7)) and torch.equal(act.out_bias, torch.zeros(3))
    sine = LearnedActivation("sine", types=2)
    x = torch.linspace(-4, 4, 9)
    for p in sine.parameters():
        assert torch.equal(p[0], p[1])
    assert torch.allclose(sine.evaluate(x, 0), sine.evaluate(x, 1), atol=1e-6)


def test_batched_types_equal_per_type_loop():
    act = LearnedActivation("sine", types=3, hidden=6, seed=2)
    with torch.no_grad():  # make the types differ
        act.out_weight.add_(torch.randn(3, 6, generator=torch.Generator().manual_seed(0)) * 0.3)
    x = torch.randn(4, 5, 7, generator=torch.Generator().manual_seed(1))
    assignment = torch.tensor([2, 0, 1, 1, 0, 2, 2])
    fast = act(x, assignment)
    slow = act._forward_loop(x, assignment)
    assert torch.allclose(fast, slow, atol=1e-6)
    column = 0
    assert torch.allclose(fast[..., column], act.evaluate(x[..., column], 2), atol=1e-6)


def test_interpolation_matches_numpy_interp_and_has_the_segment_slope():
    rng = np.random.default_rng(0)
    knots = np.sort(rng.uniform(-3, 3, 12))
    values = rng.standard_normal(12)
    f = InterpolatedActivation(knots, values).double()
    x = rng.uniform(-4, 4, 500)
    assert np.allclose(f(torch.from_numpy(x)).numpy(), np.interp(x, knots, values), atol=1e-12)
    point = torch.tensor([0.5 * (knots[3] + knots[4])], dtype=torch.float64, requires_grad=True)
    f(point).sum().backward()
    assert float(point.grad) == pytest.approx((values[4] - values[3]) / (knots[4] - knots[3]), rel=1e-10)
    linear = InterpolatedActivation([0.0, 1.0], [0.0, 2.0], extrapolate="linear")
    assert linear(torch.tensor([3.0])).item() == pytest.approx(6.0)


def test_extracted_activation_reproduces_sub_network_within_interpolation_error():
    act = LearnedActivation("sine", types=2, hidden=50, seed=3)
    with torch.no_grad():
        act.out_weight[1].mul_(1.5)
    for t in range(2):
        frozen = extract_activation(act, t)  # 100 points on [-10, 10]
        assert frozen.knots.shape == (100,) and frozen.knots[0] == -10 and frozen.knots[-1] == 10
        x = torch.linspace(-10, 10, 4001, dtype=torch.float64, requires_grad=True)
        params = {n: p.detach().double() for n, p in act.named_parameters()}
        exact = (torch.tanh(x[:, None] * params["in_weight"][t] + params["in_bias"][t]) @ params["out_weight"][t]
                 + params["out_bias"][t])
        (slope,) = torch.autograd.grad(exact.sum(), x, create_graph=True)
        (curvature,) = torch.autograd.grad(slope.sum(), x)
        spacing = 20.0 / 99
        bound = spacing**2 / 8 * float(curvature.abs().max())
        error = float((frozen(x.detach()) - exact.detach()).abs().max())
        assert 0 < error <= bound * 1.01


def test_split_types_and_layer_with_fixed_types():
    assert split_types(7, 3).tolist() == [0, 0, 0, 1, 1, 2, 2]
    frozen = InterpolatedActivation.from_function(torch.sin, name="sin~")
    layer = DiverseLayer(3, 5, ["relu", frozen], generator=torch.Generator().manual_seed(0))
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    z = layer.linear(x)
    out = layer(x)
    assert torch.equal(out[:, :3], torch.relu(z[:, :3]))
    assert torch.equal(out[:, 3:], frozen(z[:, 3:]))
    with pytest.raises(ValueError, match="activation names"):
        DiverseLayer(3, 5, "softplus")


def test_network_initialisation_is_seeded():
    first = DiverseNetwork((4, 6, 2), "tanh", seed=7)
    second = DiverseNetwork((4, 6, 2), "tanh", seed=7)
    third = DiverseNetwork((4, 6, 2), "tanh", seed=8)
    for a, b, c in zip(first.parameters(), second.parameters(), third.parameters()):
        assert torch.equal(a, b)
    assert not torch.equal(first.hidden[0].linear.weight, third.hidden[0].linear.weight)


def _toy_problem():
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(256, 2, generator=generator) * 4 - 2
    y = (torch.sin(2 * x[:, :1]) * x[:, 1:] + 0.5 * x[:, :1].abs())
    return x, y


def _full_loss(net, x, y):
    with torch.no_grad():
        return float(torch.nn.functional.mse_loss(net(x), y))


def test_meta_learning_lowers_the_loss_and_changes_the_types():
    x, y = _toy_problem()
    act = LearnedActivation("sine", types=2, hidden=12, seed=0)
    net = DiverseNetwork((2, 16, 1), act, seed=0)
    start_act = [p.detach().clone() for p in act.parameters()]
    before = _full_loss(net, x, y)
    result = meta_learn(net, act, torch.nn.functional.mse_loss, x, y, outer_steps=40, inner_steps=3, inner_lr=0.05,
                        outer_lr=3e-3, batch_size=64, seed=0, snapshot_every=20)
    after = _full_loss(net, x, y)
    assert after < 0.7 * before
    assert result.outer_loss[-10:].mean() < result.outer_loss[:10].mean()
    assert any(not torch.equal(a, b) for a, b in zip(start_act, act.parameters()))
    grid = torch.linspace(-10, 10, 100, dtype=torch.float64)
    curves = np.stack([act.evaluate(grid.float(), t).detach().double().numpy() for t in range(2)])
    assert not np.allclose(curves[0], curves[1])  # the two types have diverged
    assert len(result.snapshots) == 3 and result.snapshots[-1].shape == (2, 100)
    assert np.allclose(result.snapshots[-1], curves, atol=1e-5)


def test_meta_learning_is_reproducible_and_unrolling_matters():
    x, y = _toy_problem()

    def run(unroll, seed=1):
        act = LearnedActivation("sine", types=2, hidden=8, seed=0)
        net = DiverseNetwork((2, 8, 1), act, seed=0)
        result = meta_learn(net, act, torch.nn.functional.mse_loss, x, y, outer_steps=3, inner_steps=2,
                            batch_size=32, unroll=unroll, seed=seed)
        return result.outer_loss, [p.detach().clone() for p in act.parameters()]

    first, params_first = run(True)
    again, params_again = run(True)
    assert np.array_equal(first, again)
    assert all(torch.equal(a, b) for a, b in zip(params_first, params_again))
    _, params_first_order = run(False)
    assert any(not torch.allclose(a, b, atol=1e-9) for a, b in zip(params_first, params_first_order))


def test_outer_step_follows_the_gradient_through_the_inner_step():
    """Adam's first step is ``-lr * sign(g)``; ``g`` is checked by central differences of the unrolled loss."""
    x, y = (t.double()[:64] for t in _toy_problem())
    act = LearnedActivation("sine", types=2, hidden=4, seed=0, dtype=torch.float64)
    net = DiverseNetwork((2, 4, 1), act, seed=0).double()
    prefix = "hidden.0.learned."
    theta = {n: p.detach().clone() for n, p in net.named_parameters() if not n.startswith(prefix)}
    sub = {n: p.detach().clone() for n, p in net.named_parameters() if n.startswith(prefix)}
    lr = 0.1

    def unrolled(name, value):
        values = {**sub, name: value}
        current = {n: p.clone().requires_grad_(True) for n, p in theta.items()}
        inner = torch.nn.functional.mse_loss(torch.func.functional_call(net, {**current, **values}, (x,)), y)
        grads = torch.autograd.grad(inner, list(current.values()), create_graph=True)
        updated = {n: p - lr * g for (n, p), g in zip(current.items(), grads)}
        return torch.nn.functional.mse_loss(torch.func.functional_call(net, {**updated, **values}, (x,)), y)

    numeric = {}
    for name in (prefix + "out_bias", prefix + "out_weight"):
        flat = sub[name].reshape(-1)
        numeric[name] = torch.stack([
            (unrolled(name, (flat + 1e-6 * e).reshape(sub[name].shape))
             - unrolled(name, (flat - 1e-6 * e).reshape(sub[name].shape))) / 2e-6
            for e in torch.eye(flat.numel(), dtype=torch.float64)]).detach().reshape(sub[name].shape)
    meta_learn(net, act, torch.nn.functional.mse_loss, x, y, outer_steps=1, inner_steps=1, inner_lr=lr,
               outer_lr=1e-4, batch_size=64)  # one batch = the whole data, so inner and outer losses are unrolled()
    after = dict(net.named_parameters())
    for name, gradient in numeric.items():
        big = gradient.abs() > 1e-5
        assert big.sum() >= 2
        moved = (after[name].detach() - sub[name])[big]
        assert torch.allclose(moved, -1e-4 * torch.sign(gradient[big]), rtol=1e-2)
    # the network's own weights took the inner step
    assert not torch.equal(after["readout.weight"].detach(), theta["readout.weight"])


def test_motif_landscapes_with_exact_tanh_callable_are_identical():
    inputs = grid_inputs((-1, 1), 21)
    for motif_type in ("incoherent-loop", "coherent-loop", "collider"):
        params = torch.from_numpy(structure_parameters(f"{motif_type}.1")[::97].astype(np.float32))
        count = 1 if motif_type == "collider" else 2
        named = motif_outputs(params, motif_type, inputs)
        called = motif_outputs(params, motif_type, inputs, activations=[torch.tanh] * count)
        assert torch.equal(named, called)


def test_motif_landscapes_with_interpolated_tanh_match_within_interpolation_error():
    tanh = InterpolatedActivation.from_function(torch.tanh, points=100, interval=(-10, 10), name="tanh~")
    inputs = grid_inputs((-1, 1), 21)
    line = torch.linspace(-3, 3, 6001)  # |pre-activations| <= 3 for weights and biases within [-1, 1]
    error = float((torch.tanh(line) - tanh(line)).abs().max())
    assert 0 < error < 5e-3
    for motif_type in ("incoherent-loop", "coherent-loop", "collider"):
        grid = structure_parameters(f"{motif_type}.2")
        params = torch.from_numpy(grid[:: len(grid) // 300].astype(np.float32))
        count = 1 if motif_type == "collider" else 2
        reference = motif_outputs(params, motif_type, inputs)
        learned = motif_outputs(params, motif_type, inputs, activations=[tanh] * count)
        raw = raw_outputs(params, motif_type, inputs)
        learned_raw = raw_outputs(params, motif_type, inputs, activations=[tanh] * count)
        # hidden node off by <= error, output node by <= error plus |w| * error with |w| <= 1
        raw_bound = 2 * error + 1e-6
        assert (learned_raw - raw).abs().max() <= raw_bound
        span = raw.amax(1) - raw.amin(1)
        keep = span > 0.1
        assert keep.sum() > 10
        # min-max normalisation: the output and the two extremes each move by <= raw_bound
        bound = 8 * raw_bound / (span[keep] - 2 * raw_bound)
        assert torch.all((learned[keep] - reference[keep]).abs().amax(1) <= bound)


def test_neural_motif_accepts_learned_activation_and_agrees_with_engine():
    act = LearnedActivation("tanh", types=2, hidden=20, seed=5)
    with torch.no_grad():
        act.out_weight[1].mul_(0.5)
    frozen = [extract_activation(act, 0), extract_activation(act, 1)]
    motif = NeuralMotif("incoherent-loop", 1, frozen, ["sum", "sum"], weights=[-0.5, 0.7, 0.3], biases=[0.1, -0.2])
    assert [n for n, _ in motif.named_parameters()] == ["w.0.weight", "w.1.weight", "w.2.weight", "b.0.bias",
                                                        "b.1.bias"]
    assert "sine" not in str(motif) and "tanh-type-1, tanh-type-2" in str(motif)
    inputs = grid_inputs((-1, 1), 11)
    params = torch.tensor(motif.parameter_row()[None], dtype=torch.float32)
    assert torch.allclose(motif(inputs).reshape(1, -1), motif_outputs(params, "incoherent-loop", inputs, frozen),
                          atol=1e-6)
    with pytest.raises(ValueError, match="activations"):
        NeuralMotif("incoherent-loop", 1, ["tanh", "softsign"], ["sum", "sum"])


def test_learned_module_validates_its_arguments():
    with pytest.raises(ValueError, match="base"):
        LearnedActivation("cosine")
    with pytest.raises(ValueError, match="assignment is required"):
        LearnedActivation(types=2)(torch.zeros(3))
    with pytest.raises(ValueError, match="assignment"):
        LearnedActivation(types=2)(torch.zeros(2, 3), torch.tensor([0, 2, 1]))
    with pytest.raises(ValueError, match="strictly increasing"):
        InterpolatedActivation([0.0, 0.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="extrapolate"):
        InterpolatedActivation([0.0, 1.0], [1.0, 2.0], extrapolate="cubic")
    act = LearnedActivation(types=2, hidden=4)
    net = DiverseNetwork((1, 4, 1), "relu")
    with pytest.raises(ValueError, match="does not use activation"):
        meta_learn(net, act, torch.nn.functional.mse_loss, torch.zeros(4, 1), torch.zeros(4, 1))
    with pytest.raises(ValueError, match="inner_lr"):
        meta_learn(DiverseNetwork((1, 4, 1), act), act, torch.nn.functional.mse_loss, torch.zeros(4, 1),
                   torch.zeros(4, 1), inner_lr=0)


def test_two_hidden_layers_share_one_set_of_types():
    act = LearnedActivation("sine", types=2, hidden=6)
    net = DiverseNetwork((3, 4, 4, 1), act, seed=1)
    names = [n for n, _ in net.named_parameters()]
    assert sum("learned" in n for n in names) == 4  # one copy of the (k, H) tensors and the output biases
    x, y = torch.randn(32, 3, generator=torch.Generator().manual_seed(0)), torch.zeros(32, 1)
    before = act.out_bias.detach().clone()
    meta_learn(net, act, torch.nn.functional.mse_loss, x, y, outer_steps=2, inner_steps=1, batch_size=8)
    assert not torch.equal(before, act.out_bias.detach())
