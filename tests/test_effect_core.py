"""NeuralMotif modules and operations (spec-effect §3.1-§3.3, §4, §10)."""

import itertools

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.motifs import NeuralMotif, RestrictedBias, RestrictedWeight
from effect.operations import (
    calculate_differences,
    calculate_gradients,
    calculate_hessian_eigenvalues,
    calculate_landscape,
    calculate_landscapes,
    calculate_values,
    detect_curvature_feature,
    generate_motifs,
    generate_outputs,
    prepare_data,
    prepare_data_flexible,
    prepare_motifs,
)
from effect.structures import structure_parameters, weight_signs

RANGE = (-1, 1)
TYPES = {"collider": (1, 1), "fork": (2, 0), "chain": (2, 0), "coherent-loop": (2, 2), "incoherent-loop": (2, 2)}


def motif(structure, params, **options):
    motif_type, index = structure.rsplit(".", 1)
    n_act, n_agg = TYPES[motif_type]
    n_w = 3 if "loop" in motif_type else 2
    return NeuralMotif(motif_type, int(index), ["tanh"] * n_act, ["sum"] * n_agg, weights=list(params[:n_w]),
                       biases=list(params[n_w:]), **options)


def test_prepare_data_layout():
    data = prepare_data(RANGE, 41)
    assert data.shape == (1681, 2) and data.dtype == torch.float32
    assert data[1].tolist() == pytest.approx([-1.0, -0.95])
    assert data[41].tolist() == pytest.approx([-0.95, -1.0])
    line = prepare_data_flexible((0, 1), (-2, 2), 5, need_meshgrid=False)
    np.testing.assert_allclose(line.numpy(), [[0, -2], [0.25, -1], [0.5, 0], [0.75, 1], [1, 2]])
    assert prepare_data_flexible((0, 1), (-2, 2), 5).shape == (25, 2)


@pytest.mark.parametrize("motif_type", list(TYPES))
def test_module_equals_batched_engine(motif_type):
    rng = np.random.default_rng(len(motif_type))
    n_act, n_agg = TYPES[motif_type]
    inputs = grid_inputs(RANGE, 21) if motif_type not in ("fork", "chain") else torch.linspace(-1, 1, 41)[:, None]
    for index, activations, aggregations in itertools.product(
        (1, 2, 3, 4), itertools.product(("tanh", "sigmoid", "relu"), repeat=n_act),
        itertools.product(("sum", "max"), repeat=n_agg),
    ):
        signs = np.array(weight_signs(motif_type, index))
        n_b = 1 if motif_type == "collider" else 2
        for as_float64 in (True, False):
            row = np.concatenate([signs * rng.uniform(1e-3, 1, signs.size), rng.uniform(-1, 1, n_b)])
            values = [np.float64(v) for v in row] if as_float64 else [float(np.float32(v)) for v in row]
            module = NeuralMotif(motif_type, index, list(activations), list(aggregations),
                                 weights=values[: signs.size], biases=values[signs.size:])
            expected = module(inputs).detach()
            batched = motif_outputs(torch.tensor(np.array(values))[None], motif_type, inputs, activations,
                                    aggregations or None)[0]
            np.testing.assert_allclose(batched.reshape(expected.shape).numpy(), expected.numpy(), atol=1e-6)


def test_collider_worked_numbers():
    landscape = calculate_landscape(RANGE, 41, motif("collider.1", [0.5, 0.5, 0.0]))
    assert landscape.dtype == np.float32
    assert landscape[20, 20] == pytest.approx(0.0, abs=1e-7)
    assert landscape[40, 20] == pytest.approx(0.606776, abs=1e-6)
    assert landscape[30, 15] == pytest.approx(0.163280, abs=1e-6)
    assert landscape[0, 0] == -1.0 and landscape[40, 40] == 1.0
    second = calculate_landscape(RANGE, 41, motif("collider.2", [0.5, -0.5, 0.0]))
    assert second[40, 20] == pytest.approx(0.606776, abs=1e-6) and second[40, 0] == 1.0
    four = [calculate_landscape(RANGE, 41, motif(f"collider.{k}", [0.5 * s for s in weight_signs("collider", k)]
                                                   + [0.0])).astype(float) for k in (1, 2, 3, 4)]
    mse = np.array([[((a - b) ** 2).mean() for b in four] for a in four])
    expected = np.array([[0, 1, 1, 2], [1, 0, 2, 1], [1, 2, 0, 1], [2, 1, 1, 0]]) * 0.474778
    np.testing.assert_allclose(mse, expected, atol=2e-6)


def test_fig2_incoherent_loop_worked_numbers():
    landscape = calculate_landscape(RANGE, 41, motif("incoherent-loop.1", [-1.0, 0.652, 1.0, 1.0, 0.337]))
    expected = {(0, 0): -0.384380, (40, 40): 1.0, (20, 20): 0.625116, (0, 40): 0.072691, (40, 0): -0.902594,
                (10, 30): 0.495017}
    for (i, j), value in expected.items():
        assert landscape[i, j] == pytest.approx(value, abs=2e-6)
    assert landscape.mean() == pytest.approx(0.330282, abs=2e-6)
    assert landscape.std() == pytest.approx(0.451479, abs=2e-6)
    assert landscape.min() == -1.0 and np.unravel_index(landscape.argmin(), landscape.shape) == (34, 0)


def test_values_along_the_diagonal():
    collider = motif("collider.1", [0.5, 0.5, 0.0])
    values = calculate_values(RANGE, 5, collider)
    np.testing.assert_allclose(values, [-1, np.tanh(-0.5) / np.tanh(1), 0, np.tanh(0.5) / np.tanh(1), 1], atol=1e-6)


def test_negation_and_transpose_symmetries():
    rng = np.random.default_rng(4)
    for _ in range(5):
        a, c, b = rng.uniform(0.1, 1), rng.uniform(0.1, 1), rng.uniform(-1, 1)
        one = calculate_landscape(RANGE, 41, motif("collider.1", [a, c, -b]))
        four = calculate_landscape(RANGE, 41, motif("collider.4", [-a, -c, b]))
        np.testing.assert_allclose(four, -one, atol=1e-6)
        two = calculate_landscape(RANGE, 41, motif("collider.2", [a, -c, b]))
        three = calculate_landscape(RANGE, 41, motif("collider.3", [-c, a, b]))
        np.testing.assert_allclose(three, two.T, atol=1e-6)
        w0, w1, w2, b0, b1 = -rng.uniform(0.1, 1), rng.uniform(0.1, 1), rng.uniform(0.1, 1), *rng.uniform(-1, 1, 2)
        base = calculate_landscape(RANGE, 41, motif("incoherent-loop.1", [w0, w1, w2, b0, b1]))
        mirrored = calculate_landscape(RANGE, 41, motif("incoherent-loop.4", [w0, -w1, -w2, b0, -b1]))
        np.testing.assert_allclose(mirrored, -base, atol=1e-6)
        rotated = calculate_landscape(RANGE, 41, motif("incoherent-loop.1", [w0, w1, w2, -b0, -b1]))
        np.testing.assert_allclose(rotated, -base[::-1, ::-1], atol=1e-6)


def test_weight_clamping_reference_freezes_with_live_optimizer():
    for semantics, frozen in (("reference", True), ("corrected", False)):
        weight = RestrictedWeight(True, 0.9999, semantics=semantics)
        optimizer = torch.optim.Adam(weight.parameters(), lr=0.01)
        (-weight(torch.tensor(1.0))).backward()  # push above the bound
        optimizer.step()
        weight.restrict()
        assert weight.value() == pytest.approx(1.0)
        for _ in range(3):
            optimizer.zero_grad()
            weight(torch.tensor(1.0)).backward()  # now push down
            optimizer.step()
        assert (weight.value() == pytest.approx(1.0)) is frozen


def test_bias_on_bound_is_frozen_from_first_forward_in_reference_mode():
    for semantics, frozen in (("reference", True), ("corrected", False)):
        bias = RestrictedBias(1.0, semantics=semantics)
        optimizer = torch.optim.Adam(bias.parameters(), lr=0.01)
        for _ in range(3):
            optimizer.zero_grad()
            bias(torch.tensor(0.0)).backward()  # gradient +1 moves the bias down
            optimizer.step()
        assert (bias.value() == 1.0) is frozen
    original = RestrictedBias(0.5)
    parameter = original.bias
    original.restrict()
    assert original.bias is parameter  # inside the bounds nothing is replaced


def test_generate_outputs_grid_order_and_values():
    magnitudes, biases = [0.3, 1.0], [-1.0, 0.5]
    params, landscapes = generate_outputs(
        "coherent-loop", 2, ["tanh", "tanh"], ["sum", "sum"],
        [[-m for m in magnitudes], magnitudes, [-m for m in magnitudes]], [biases, biases], RANGE, 11)
    np.testing.assert_array_equal(params, structure_parameters("coherent-loop.2", magnitudes, biases))
    assert landscapes.shape == (32, 121) and landscapes.dtype == np.float64
    for k in (0, 7, 31):
        expected = calculate_landscape(RANGE, 11, motif("coherent-loop.2", params[k])).reshape(-1)
        np.testing.assert_array_equal(landscapes[k], expected)
    assert np.all(landscapes.min(axis=1) == -1.0) and np.all(landscapes.max(axis=1) == 1.0)
    with pytest.raises(ValueError, match="weight group 0"):
        generate_outputs("coherent-loop", 2, ["tanh"] * 2, ["sum"] * 2, [magnitudes] * 3, [biases] * 2, RANGE, 11)


def test_generate_motifs_minimum_difference():
    groups = ([0.5, 0.5000001, 1.0], [0.5]), [[0.0]]
    motifs, signals = generate_motifs("collider", 1, ["tanh"], ["sum"], *groups, RANGE, 11)
    assert len(motifs) == 3 and signals.shape == (3, 121)
    motifs, signals = generate_motifs("collider", 1, ["tanh"], ["sum"], *groups, RANGE, 11, minimum_difference=1e-4)
    assert [m.w[0].value() for m in motifs] == [0.5, 1.0]


def test_calculate_landscapes_matches_modules():
    params = structure_parameters("incoherent-loop.3", [0.2, 0.9], [-1.0, 0.3])
    batch = calculate_landscapes(params, "incoherent-loop", points=11, batch_size=5)
    for k in (0, 15):
        np.testing.assert_array_equal(batch[k], calculate_landscape(RANGE, 11, motif("incoherent-loop.3", params[k])))


def literal_gradients(module, points):
    """The original's p² backward passes with an accumulating input-gradient buffer."""
    inputs = prepare_data(RANGE, points).requires_grad_(True)
    out = module(inputs).reshape(-1)
    result = np.empty(points * points)
    for n in range(points * points):
        out[n].backward(retain_graph=True)
        result[n] = inputs.grad[n].double().norm().item()
    return result.reshape(points, points)


def test_gradients_reference_reproduces_accumulation_and_corrected_is_clean():
    collider = motif("collider.2", [0.8, -0.3, 0.2])
    reference = calculate_gradients(RANGE, 7, collider)
    np.testing.assert_allclose(reference, literal_gradients(collider, 7), rtol=1e-5, atol=1e-7)
    loop = motif("incoherent-loop.2", [0.4, 0.9, -0.7, -0.2, 0.6])
    np.testing.assert_allclose(calculate_gradients(RANGE, 7, loop), literal_gradients(loop, 7), rtol=1e-5, atol=1e-7)
    clean = calculate_gradients(RANGE, 7, collider, semantics="corrected")
    grid = prepare_data(RANGE, 7).double().numpy()
    raw = np.tanh(grid @ np.array([0.8, -0.3]) + 0.2)
    expected = 2 / (raw.max() - raw.min()) * (1 - raw**2) * np.hypot(0.8, 0.3)
    np.testing.assert_allclose(clean.reshape(-1), expected, rtol=1e-5)
    differs = ~np.isclose(reference, clean, rtol=1e-5)
    assert 1 <= differs.sum() <= 4  # only the raw argmin/argmax points carry the accumulated readings


def test_hessian_eigenvalues_match_explicit_double_backward():
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    inputs, target = torch.randn(9, 2), torch.randn(9, 1)
    values = calculate_hessian_eigenvalues(network, torch.nn.MSELoss(), inputs, target)
    params = list(network.parameters())
    loss = torch.nn.functional.mse_loss(network(inputs), target)
    grads = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params, create_graph=True)])
    rows = [torch.cat([h.reshape(-1) for h in torch.autograd.grad(g, params, retain_graph=True)]) for g in grads]
    expected = np.linalg.eigvalsh(torch.stack(rows).detach().double().numpy())
    np.testing.assert_allclose(np.sort(values), expected, atol=1e-5)


def test_curvature_closed_forms():
    axis = np.linspace(-1, 1, 41)
    x, y = np.meshgrid(axis, axis, indexing="ij")
    assert np.all(detect_curvature_feature(-(x**2 + y**2), 0.05) == 1)
    assert np.all(detect_curvature_feature(x**2 + y**2, 0.05) == -1)
    assert np.all(detect_curvature_feature(x**2 - y**2, 0.05) == 0)
    assert np.all(detect_curvature_feature(x * y, 0.05) == 0)
    # the positive interval does not matter
    surface = np.sin(2 * x) * np.cos(3 * y) + 0.3 * x * y
    np.testing.assert_array_equal(detect_curvature_feature(surface, 0.025), detect_curvature_feature(surface, 0.05))


def test_curvature_equals_per_cell_eigen_decomposition():
    axis = np.linspace(-1, 1, 21)
    x, y = np.meshgrid(axis, axis, indexing="ij")
    surface = np.sin(2 * x) * np.cos(3 * y) + 0.3 * x * y
    labels = detect_curvature_feature(surface, 0.1)
    gx, gy = np.gradient(surface, 0.1)
    hxx, gxy = np.gradient(gx, 0.1)
    gyx, hyy = np.gradient(gy, 0.1)
    for i, j in itertools.product(range(21), repeat=2):
        hxy = (gxy[i, j] + gyx[i, j]) / 2
        eig = np.linalg.eigvalsh([[hxx[i, j], hxy], [hxy, hyy[i, j]]])
        expected = 1 if np.all(eig <= 0) else (-1 if np.all(eig >= 0) else 0)
        if min(abs(eig)) > 1e-9:
            assert labels[i, j] == expected


def test_curvature_flat_regions_reference_vs_corrected():
    flat = np.zeros((9, 9))
    assert np.all(detect_curvature_feature(flat, 0.25) == 1)  # exact zeros: "all eigenvalues <= 0"
    assert np.all(detect_curvature_feature(flat, 0.25, semantics="corrected") == 0)


def test_prepare_motifs_bounds_bug_and_sign_flips():
    with pytest.raises(TypeError, match="bound"):
        prepare_motifs("collider", 1, ["tanh"], ["sum"], 2)
    assert len(prepare_motifs("collider", 1, ["tanh"], ["sum"], 2, semantics="corrected")) == 2
    motifs = prepare_motifs("collider", 2, ["tanh"], ["sum"], 3, weights=[0.5, 0.5], biases=[0.1],
                            weight_bound=(1e-3, 1.0), bias_bound=(-1.0, 1.0))
    assert len(motifs) == 3 and motifs[0] is not motifs[1]
    assert [w.value() for w in motifs[2].w] == [0.5, -0.5]
    none = prepare_motifs("collider", 2, ["tanh"], ["sum"], 1, weights=[5.0, 0.5], biases=[0.1],
                          weight_bound=(1e-3, 1.0), bias_bound=(-1.0, 1.0))
    assert none == [None]


def test_random_initialisation_is_seeded_and_in_range():
    first = NeuralMotif("coherent-loop", 4, ["tanh"] * 2, ["sum"] * 2, generator=torch.Generator().manual_seed(3))
    second = NeuralMotif("coherent-loop", 4, ["tanh"] * 2, ["sum"] * 2, generator=torch.Generator().manual_seed(3))
    assert first.parameter_row().tolist() == second.parameter_row().tolist()
    row = first.parameter_row()
    assert np.all(np.sign(row[:3]) == weight_signs("coherent-loop", 4))
    assert np.all((np.abs(row[:3]) >= 1e-3) & (np.abs(row[:3]) <= 1)) and np.all(np.abs(row[3:]) <= 1)


def test_bad_inputs():
    with pytest.raises(ValueError, match="motif_type"):
        NeuralMotif("triangle", 1, ["tanh"], ["sum"])
    with pytest.raises(ValueError, match="motif_index"):
        NeuralMotif("collider", 5, ["tanh"], ["sum"])
    with pytest.raises(ValueError, match="activation"):
        NeuralMotif("collider", 1, ["tanh", "tanh"], ["sum"])
    with pytest.raises(ValueError, match="activations"):
        NeuralMotif("collider", 1, ["softplus"], ["sum"])
    with pytest.raises(ValueError, match="aggregations"):
        NeuralMotif("collider", 1, ["tanh"], ["mean"])
    with pytest.raises(ValueError, match="needs 2 weights"):
        NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5], biases=[0.0])
    with pytest.raises(ValueError, match="needs 1 biases"):
        NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0, 0.0])
    with pytest.raises(ValueError, match="outside the allowed range"):
        NeuralMotif("collider", 2, ["tanh"], ["sum"], weights=[0.5, 0.5], biases=[0.0])
    with pytest.raises(ValueError, match="finite"):
        NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=[np.nan, 0.5], biases=[0.0])
    with pytest.raises(TypeError, match="real number"):
        NeuralMotif("collider", 1, ["tanh"], ["sum"], weights=["0.5", 0.5], biases=[0.0])
    collider = motif("collider.1", [0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match="shape"):
        collider(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="NaN"):
        collider(torch.tensor([[0.0, float("nan")]]))
    with pytest.raises(ValueError, match="length"):
        calculate_landscape((-1, 0, 1), 41, collider)
    with pytest.raises(TypeError, match="motif"):
        calculate_landscape(RANGE, 41, "collider")
    with pytest.raises(ValueError, match="params"):
        calculate_landscapes(np.zeros((2, 4)), "collider")
    with pytest.raises(ValueError, match="norm_type"):
        calculate_differences(np.zeros((2, 3)), norm_type="L-inf")
