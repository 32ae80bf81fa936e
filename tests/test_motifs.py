"""RestrictedWeight, RestrictedBias and NeuralMotif."""

import itertools

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.motifs import NeuralMotif, RestrictedBias, RestrictedWeight, WeightRangeError
from effect.structures import ALL_MOTIF_TYPES, weight_signs

LISTS = {"collider": (1, 1), "fork": (2, 0), "chain": (2, 0), "coherent-loop": (2, 2), "incoherent-loop": (2, 2)}
N_WEIGHTS = {"collider": 2, "fork": 2, "chain": 2, "coherent-loop": 3, "incoherent-loop": 3}
N_BIASES = {"collider": 1, "fork": 2, "chain": 2, "coherent-loop": 2, "incoherent-loop": 2}


def make(motif_type, index, weights=None, biases=None, activations=None, aggregations=None, **options):
    n_act, n_agg = LISTS[motif_type]
    return NeuralMotif(motif_type, index, activations or ["tanh"] * n_act,
                       aggregations if aggregations is not None else ["sum"] * n_agg,
                       weights=weights, biases=biases, **options)


def inputs_for(motif_type, points=9):
    if motif_type in ("fork", "chain"):
        return torch.linspace(-1, 1, points * points)[:, None]
    return grid_inputs((-1, 1), points)


# ------------------------------------------------------------------------------------------------
# forward: per-item module vs closed forms and vs the batched engine
# ------------------------------------------------------------------------------------------------


def normalise(raw):
    low, high = raw.min(), raw.max()
    return raw - high if high - low < 1e-12 else 2 * (raw - low) / (high - low) - 1


def test_forward_closed_forms_float64():
    """Collider and loop wiring (y enters INSIDE the loop's first tanh), checked in numpy float64."""
    x = grid_inputs((-1, 1), 11).double().numpy()
    collider = make("collider", 3, [-0.7, 0.4], [0.25])
    expected = normalise(np.tanh(-0.7 * x[:, 0] + 0.4 * x[:, 1] + 0.25))
    np.testing.assert_allclose(collider(torch.from_numpy(x).float()).detach().numpy()[:, 0], expected, atol=2e-6)
    loop = make("coherent-loop", 3, [-0.6, -0.9, 0.3], [0.2, -0.4])
    h = np.tanh(-0.6 * x[:, 0] + x[:, 1] + 0.2)
    expected = normalise(np.tanh(-0.9 * x[:, 0] + 0.3 * h - 0.4))
    np.testing.assert_allclose(loop(torch.from_numpy(x).float()).detach().numpy()[:, 0], expected, atol=2e-6)
    # max aggregation and other activations: bias added AFTER aggregation
    loop = make("incoherent-loop", 2, [0.6, 0.9, -0.3], [0.2, -0.4], activations=["sigmoid", "relu"],
                aggregations=["max", "sum"])
    h = 1 / (1 + np.exp(-(np.maximum(0.6 * x[:, 0], x[:, 1]) + 0.2)))
    expected = normalise(np.maximum(0.9 * x[:, 0] - 0.3 * h - 0.4, 0))
    np.testing.assert_allclose(loop(torch.from_numpy(x).float()).detach().numpy()[:, 0], expected, atol=2e-6)


def test_fork_and_chain_closed_forms():
    t = np.linspace(-1, 1, 21)
    chain = make("chain", 2, [0.8, -0.5], [0.1, 0.3])
    expected = normalise(np.tanh(-0.5 * np.tanh(0.8 * t + 0.1) + 0.3))
    np.testing.assert_allclose(chain(torch.tensor(t, dtype=torch.float32)[:, None]).detach().numpy()[:, 0],
                               expected, atol=2e-6)
    fork = make("fork", 3, [-0.8, 0.5], [0.1, 0.3])
    out = fork(torch.tensor(t, dtype=torch.float32)[:, None]).detach().numpy()
    assert out.shape == (21, 2)
    np.testing.assert_allclose(out[:, 0], normalise(np.tanh(-0.8 * t + 0.1)), atol=2e-6)
    np.testing.assert_allclose(out[:, 1], normalise(np.tanh(0.5 * t + 0.3)), atol=2e-6)
    # a constant fork column is centred (column range < 1e-10 -> subtract the column mean)
    flat = make("fork", 1, [0.5, 0.5], [-1.0, 0.0], activations=["relu", "tanh"])
    column = flat(torch.tensor([[-1.0], [0.0], [1.0]])).detach()[:, 0]
    assert column.tolist() == [0.0, 0.0, 0.0]


def test_constant_output_is_shifted_by_its_maximum():
    """relu of an all-negative pre-activation: range < 1e-12 -> output = out - max = 0."""
    motif = make("collider", 1, [0.1, 0.1], [-0.5], activations=["relu"])
    out = motif(grid_inputs((-1, 1), 5)).detach()
    assert torch.equal(out, torch.zeros(25, 1))


def test_landscape_spans_exactly_minus_one_to_one():
    gen = torch.Generator().manual_seed(11)
    for motif_type in ("collider", "coherent-loop", "incoherent-loop", "chain"):
        for index in (1, 2, 3, 4):
            out = make(motif_type, index, generator=gen)(inputs_for(motif_type, 41)).detach()
            assert out.dtype == torch.float32
            assert out.min().item() == -1.0 and out.max().item() == 1.0


@pytest.mark.parametrize("motif_type", ALL_MOTIF_TYPES)
def test_module_equals_batched_engine(motif_type):
    """Differential test: every type x index x activation x aggregation, seeded random motifs."""
    n_act, n_agg = LISTS[motif_type]
    gen = torch.Generator().manual_seed(2024 + len(motif_type))
    inputs = inputs_for(motif_type, 9)
    worst = 0.0
    for index, activations, aggregations in itertools.product(
            (1, 2, 3, 4), itertools.product(("tanh", "sigmoid", "relu"), repeat=n_act),
            itertools.product(("sum", "max"), repeat=n_agg)):
        module = make(motif_type, index, activations=list(activations), aggregations=list(aggregations),
                      generator=gen)
        expected = module(inputs).detach()
        row = torch.tensor([w.value() for w in module.w] + [b.value() for b in module.b])[None]
        batched = motif_outputs(row, motif_type, inputs, activations, aggregations or None)[0]
        worst = max(worst, (batched.reshape(expected.shape) - expected).abs().max().item())
    assert worst <= 1e-6


def test_module_equals_engine_on_float64_grid_values():
    """Grid values arrive as numpy float64 (float64 parameters): still equal to the engine's float32 path."""
    row = np.array([-1.0, 0.652, 1.0, 1.0, 0.337])
    module = make("incoherent-loop", 1, list(row[:3]), list(row[3:]))
    assert module.w[0].weight.dtype == torch.float64
    inputs = grid_inputs((-1, 1), 41)
    out = module(inputs).detach()
    assert out.dtype == torch.float32
    np.testing.assert_allclose(motif_outputs(torch.from_numpy(row)[None], "incoherent-loop", inputs)[0].numpy(),
                               out[:, 0].numpy(), atol=1e-6)


# ------------------------------------------------------------------------------------------------
# structure: attributes, registration order, signs, __str__, value()
# ------------------------------------------------------------------------------------------------


def test_stored_attributes_and_parameter_order():
    motif = make("incoherent-loop", 3, [0.2, -0.3, 0.4], [0.5, -0.6], weight_bound=(0.1, 0.9),
                 bias_bound=(-0.8, 0.8))
    assert (motif.t, motif.i, motif.a, motif.g) == ("incoherent-loop", 3, ["tanh", "tanh"], ["sum", "sum"])
    assert motif.weight_bound == (0.1, 0.9) and motif.bias_bound == (-0.8, 0.8)
    assert [n for n, _ in motif.named_parameters()] == ["w.0.weight", "w.1.weight", "w.2.weight", "b.0.bias",
                                                        "b.1.bias"]
    assert [w.value() for w in motif.w] == pytest.approx([0.2, -0.3, 0.4])
    assert [b.value() for b in motif.b] == pytest.approx([0.5, -0.6])
    collider = make("collider", 4, [-0.5, -0.5], [0.0])
    assert [n for n, _ in collider.named_parameters()] == ["w.0.weight", "w.1.weight", "b.0.bias"]
    assert make("chain", 1, [0.5, 0.5], [0.0, 0.0]).g == []
    assert make("fork", 1, [0.5, 0.5], [0.0, 0.0], aggregations=None).g == []


def test_sign_table_is_enforced():
    """The sign pattern accepted by the constructor is exactly weight_signs (and no other)."""
    for motif_type in ("incoherent-loop", "coherent-loop", "collider"):
        for index in (1, 2, 3, 4):
            signs = weight_signs(motif_type, index)
            n_b = N_BIASES[motif_type]
            for pattern in itertools.product((1, -1), repeat=len(signs)):
                weights = [0.5 * s for s in pattern]
                if pattern == signs:
                    make(motif_type, index, weights, [0.0] * n_b)
                else:
                    with pytest.raises(ValueError, match="outside the allowed range"):
                        make(motif_type, index, weights, [0.0] * n_b)
    assert weight_signs("incoherent-loop", 1) == (-1, 1, 1)
    assert weight_signs("coherent-loop", 3) == (-1, -1, 1)


def test_str_shows_values_and_cosmetic_index():
    shown = {}
    for index in (1, 2, 3, 4):
        text = str(make("collider", index, [0.5 * s for s in weight_signs("collider", index)], [-0.25]))
        assert text.startswith("<NeuralMotif") and text.endswith(">")
        shown[index] = next(line for line in text.splitlines() if "index" in line).split()[-1]
        assert ("+5.00e-01" in text) == (index != 4) and ("-5.00e-01" in text) == (index != 1) and "-2.50e-01" in text
    assert shown == {1: "1", 2: "2", 3: "2", 4: "3"}  # (i-1)//2 + (i-1)%2 + 1, the original's cosmetic quirk
    loop_text = str(make("coherent-loop", 4, [0.1, -0.2, -0.3], [0.0, 1.0]))
    assert "index: 4" in loop_text and "+0.00e+00" in loop_text and "+1.00e+00" in loop_text


def test_value_dtypes_follow_the_original():
    assert RestrictedWeight(True, 0.5).weight.dtype == torch.float32
    assert RestrictedWeight(True, np.float64(0.5)).weight.dtype == torch.float64
    assert RestrictedWeight(True, 1).weight.dtype == torch.float32  # integers are accepted
    assert RestrictedBias(0).value() == 0.0
    assert RestrictedWeight(True, 0.5).weight.shape == ()
    assert RestrictedWeight(True, generator=torch.Generator().manual_seed(0)).weight.shape == (1,)


# ------------------------------------------------------------------------------------------------
# random initialisation
# ------------------------------------------------------------------------------------------------


def test_random_init_uses_the_generator_only():
    state = torch.get_rng_state()
    first = make("coherent-loop", 2, generator=torch.Generator().manual_seed(5))
    second = make("coherent-loop", 2, generator=torch.Generator().manual_seed(5))
    other = make("coherent-loop", 2, generator=torch.Generator().manual_seed(6))
    assert torch.equal(state, torch.get_rng_state())  # the global RNG was not touched
    assert first.parameter_row().tolist() == second.parameter_row().tolist()
    assert first.parameter_row().tolist() != other.parameter_row().tolist()


def test_random_init_ranges():
    gen = torch.Generator().manual_seed(0)
    rows = np.array([make("incoherent-loop", 4, generator=gen).parameter_row() for _ in range(300)])
    assert np.all(rows[:, :3] < -1e-3) and np.all(rows[:, :3] >= -1.0)  # incoherent-loop.4 = (-, -, -)
    assert np.all(np.abs(rows[:, 3:]) <= 1.0)
    assert rows[:, 3:].min() < -0.9 and rows[:, 3:].max() > 0.9  # uniform over [-1, 1)
    positive = np.array([RestrictedWeight(True, bound=(0.2, 0.4), generator=gen).value() for _ in range(200)])
    assert positive.min() >= 0.2 and positive.max() < 0.4 and positive.max() - positive.min() > 0.15


# ------------------------------------------------------------------------------------------------
# the clamping quirk, with a real torch.optim.Adam
# ------------------------------------------------------------------------------------------------


def push(module, direction, optimizer, steps):
    """Adam steps on loss = direction * module(1); direction -1 increases the parameter."""
    for _ in range(steps):
        optimizer.zero_grad()
        (direction * module(torch.tensor(1.0))).backward()
        optimizer.step()


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_weight_clamp_orphans_the_optimizer_only_in_reference_mode(semantics):
    weight = RestrictedWeight(True, 0.995, semantics=semantics)
    original = weight.weight
    optimizer = torch.optim.Adam(weight.parameters(), lr=0.01)
    push(weight, -1.0, optimizer, 1)  # Adam's first step: +lr -> 1.005 > bound
    assert original.item() == pytest.approx(1.005)
    weight.restrict()
    assert weight.value() == 1.0
    assert (weight.weight is original) == (semantics == "corrected")
    push(weight, +1.0, optimizer, 5)  # now push down: only a live parameter moves
    if semantics == "reference":
        assert weight.value() == 1.0  # frozen: the optimizer steps the orphan
        assert weight.weight.dtype == torch.float32 and weight.weight.shape == ()
        assert original.item() == pytest.approx(1.005)  # ... which never receives a gradient again
        # a new optimizer over the module's current parameters revives it
        push(weight, +1.0, torch.optim.Adam(weight.parameters(), lr=0.01), 1)
        assert weight.value() == pytest.approx(0.99)
    else:
        assert weight.value() < 0.99


def test_weight_comparisons_are_strict_and_negative_bounds_mirror():
    on_bound = RestrictedWeight(False, -1.0)
    parameter = on_bound.weight
    on_bound.restrict()
    assert on_bound.weight is parameter  # exactly on the bound: left alone
    with torch.no_grad():
        on_bound.weight.fill_(-0.0001)
    on_bound.restrict()
    assert on_bound.value() == pytest.approx(-1e-3) and on_bound.weight is not parameter
    with torch.no_grad():
        on_bound.weight.fill_(-3.0)
    on_bound.restrict()
    assert on_bound.value() == -1.0


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
@pytest.mark.parametrize("start", [1.0, -1.0])
def test_bias_on_bound_is_replaced_every_forward_in_reference_mode(semantics, start):
    bias = RestrictedBias(start, semantics=semantics)
    original = bias.bias
    optimizer = torch.optim.Adam(bias.parameters(), lr=0.01)
    push(bias, start, optimizer, 4)  # gradient sign(start): moves the bias inwards
    if semantics == "reference":
        assert bias.value() == start and bias.bias is not original  # frozen from the first forward
        before = bias.bias
        bias(torch.tensor(0.0))
        assert bias.bias is not before  # inclusive comparison: replaced again
    else:
        assert bias.bias is original and abs(bias.value()) == pytest.approx(0.96, abs=1e-4)


def test_corrected_bias_clamps_in_place_outside_the_bounds():
    bias = RestrictedBias(0.995, semantics="corrected")
    original = bias.bias
    push(bias, -1.0, torch.optim.Adam(bias.parameters(), lr=0.01), 1)
    bias.restrict()
    assert bias.bias is original and bias.value() == 1.0


def test_motif_restrict_reaches_every_module_and_neural_motif_freezes():
    """NeuralMotif(reference) with an escaper-style bias at +1: the bias never moves under Adam."""
    inputs = grid_inputs((-1, 1), 9)
    target = torch.zeros(81, 1)
    moved = {}
    for semantics in ("reference", "corrected"):
        motif = make("incoherent-loop", 1, [-0.5, 0.5, 0.5], [1.0, 0.2], semantics=semantics)
        optimizer = torch.optim.Adam(motif.parameters(), lr=0.01)
        for _ in range(3):
            optimizer.zero_grad()
            ((motif(inputs) - target) ** 2).mean().backward()
            optimizer.step()
            motif.restrict()
        moved[semantics] = motif.b[0].value()
    assert moved["reference"] == 1.0 and moved["corrected"] < 1.0


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("triangle", 1, ["tanh"], ["sum"]), {}, ValueError, "motif_type"),
        (("collider", 5, ["tanh"], ["sum"]), {}, ValueError, "motif_index"),
        (("collider", True, ["tanh"], ["sum"]), {}, ValueError, "motif_index"),
        (("collider", 1, ["tanh", "tanh"], ["sum"]), {}, ValueError, "activations"),
        (("incoherent-loop", 1, ["tanh", "tanh"], ["sum"]), {}, ValueError, "aggregations"),
        (("chain", 1, ["tanh", "tanh"], ["sum"]), {}, ValueError, "aggregations"),
        (("collider", 1, ["softplus"], ["sum"]), {}, ValueError, "activations must be in"),
        (("collider", 1, ["tanh"], ["mean"]), {}, ValueError, "aggregations must be in"),
        (("collider", 1, "tanh", ["sum"]), {}, TypeError, "activations"),
        (("collider", 1, None, ["sum"]), {}, TypeError, "activations"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": [0.5], "biases": [0.0]}, ValueError, "needs 2 weights"),
        (("coherent-loop", 1, ["tanh"] * 2, ["sum"] * 2), {"weights": [0.5] * 3, "biases": [0.0]}, ValueError,
         "needs 2 biases"),
        (("collider", 2, ["tanh"], ["sum"]), {"weights": [0.5, 0.5], "biases": [0.0]}, ValueError,
         r"weights\[1\].*\[-1.0, -0.001\]"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": [1.5, 0.5], "biases": [0.0]}, ValueError,
         r"weights\[0\].*\[0.001, 1.0\]"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": [0.0005, 0.5], "biases": [0.0]}, ValueError,
         "outside the allowed range"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": [float("nan"), 0.5], "biases": [0.0]}, ValueError, "finite"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": [0.5, 0.5], "biases": [np.nan]}, ValueError, "finite"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": ["0.5", 0.5], "biases": [0.0]}, TypeError, "real number"),
        (("collider", 1, ["tanh"], ["sum"]), {"weights": 0.5, "biases": [0.0]}, TypeError, "weights"),
        (("collider", 1, ["tanh"], ["sum"]), {"weight_bound": None}, TypeError, "weight_bound"),
        (("collider", 1, ["tanh"], ["sum"]), {"weight_bound": (0.5, 0.1)}, ValueError, "weight_bound"),
        (("collider", 1, ["tanh"], ["sum"]), {"bias_bound": "wide"}, TypeError, "bias_bound"),
        (("collider", 1, ["tanh"], ["sum"]), {"semantics": "fixed"}, ValueError, "semantics"),
        (("collider", 1, ["tanh"], ["sum"]), {"generator": 3}, TypeError, "generator"),
    ],
)
def test_constructor_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        NeuralMotif(*args, **kwargs)


def test_weight_range_error_is_a_value_error_and_bias_values_are_unchecked():
    with pytest.raises(WeightRangeError):
        RestrictedWeight(False, 0.5)
    assert issubclass(WeightRangeError, ValueError)
    assert RestrictedBias(3.0).value() == 3.0  # as the original: no range check on a given bias
    with pytest.raises(TypeError, match="bias value"):
        RestrictedBias("0.1")


def test_forward_rejects_bad_input():
    collider = make("collider", 1, [0.5, 0.5], [0.0])
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        collider(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="NaN"):
        collider(torch.tensor([[0.0, float("nan")]]))
    with pytest.raises(TypeError, match="Tensor"):
        collider(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"shape \(N, 1\)"):
        make("chain", 1, [0.5, 0.5], [0.0, 0.0])(torch.zeros(4, 2))
