"""effect.operations: grids, landscapes, gradients, Hessians, curvature, populations."""

import itertools

import numpy as np
import pytest
import torch

from _reference_operations import generate_outputs_loop
from effect.motifs import NeuralMotif
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
from effect.structures import BIAS_VALUES, STRUCTURES, WEIGHT_MAGNITUDES, structure_parameters, weight_signs

RANGE = (-1, 1)
T1, S1 = ["tanh"], ["sum"]
T2, S2 = ["tanh", "tanh"], ["sum", "sum"]


def motif(structure, params, **options):
    motif_type, index = structure.rsplit(".", 1)
    loop = "loop" in motif_type
    n_w = 3 if loop else 2
    return NeuralMotif(motif_type, int(index), T2 if loop else T1, S2 if loop else S1, weights=list(params[:n_w]),
                       biases=list(params[n_w:]), **options)


def catcher(k):
    return motif(f"collider.{k}", [0.5 * s for s in weight_signs("collider", k)] + [0.0])


FIG2 = [-1.0, 0.652, 1.0, 1.0, 0.337]  # incoherent-loop.1 of Fig. 2


def signed_groups(structure, magnitudes):
    motif_type, index = structure.rsplit(".", 1)
    return [np.asarray(magnitudes) * s for s in weight_signs(motif_type, int(index))]


# ------------------------------------------------------------------------------------------------
# inputs
# ------------------------------------------------------------------------------------------------


def test_prepare_data_layout():
    data = prepare_data(RANGE, 41)
    assert data.shape == (1681, 2) and data.dtype == torch.float32
    assert data[1].tolist() == pytest.approx([-1.0, -0.95]) and data[41].tolist() == pytest.approx([-0.95, -1.0])
    n = 34 * 41 + 7  # row n = i*p + j holds (g_i, g_j)
    assert data[n].tolist() == pytest.approx([-1 + 34 * 0.05, -1 + 7 * 0.05])
    assert torch.equal(prepare_data(RANGE), data)  # default points = 41


def test_prepare_data_flexible():
    line = prepare_data_flexible((0, 1), (-2, 2), 5, need_meshgrid=False)
    np.testing.assert_allclose(line.numpy(), [[0, -2], [0.25, -1], [0.5, 0], [0.75, 1], [1, 2]])
    grid = prepare_data_flexible((0, 1), (-2, 2), 5)
    assert grid.shape == (25, 2) and grid[1].tolist() == [0.0, -1.0] and grid[5].tolist() == [0.25, -2.0]
    assert torch.equal(prepare_data_flexible(RANGE, RANGE, 7), prepare_data(RANGE, 7))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: prepare_data((-1, 0, 1)), ValueError, "value_range"),
        (lambda: prepare_data((-1, 0, 1, 2)), ValueError, "length 2"),
        (lambda: prepare_data((-1, np.nan)), ValueError, "finite"),
        (lambda: prepare_data(5), TypeError, "value_range"),
        (lambda: prepare_data(RANGE, 1), ValueError, "points"),
        (lambda: prepare_data(RANGE, 4.0), TypeError, "points"),
        (lambda: prepare_data_flexible((0, 1, 2, 3), (0, 1)), ValueError, "value_range_x"),
        (lambda: prepare_data_flexible((0, 1), None), TypeError, "value_range_y"),
        (lambda: prepare_data_flexible((0, 1), (0, 1), need_meshgrid="no"), TypeError, "need_meshgrid"),
    ],
)
def test_inputs_reject_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------------------------------------
# worked numbers
# ------------------------------------------------------------------------------------------------


def test_collider_worked_numbers():
    landscape = calculate_landscape(RANGE, 41, catcher(1))
    assert landscape.dtype == np.float32 and landscape.shape == (41, 41)
    assert landscape[20, 20] == pytest.approx(0.0, abs=1e-7)
    assert landscape[40, 20] == pytest.approx(0.606776, abs=1e-6)  # f(1, 0) = tanh(0.5)/tanh(1)
    assert landscape[30, 15] == pytest.approx(0.163280, abs=1e-6)  # f(0.5, -0.25)
    assert landscape[0, 0] == -1.0 and landscape[40, 40] == 1.0
    second = calculate_landscape(RANGE, 41, catcher(2))
    assert second[40, 20] == pytest.approx(0.606776, abs=1e-6) and second[40, 0] == 1.0


def test_catcher_mse_matrix():
    four = [calculate_landscape(RANGE, 41, catcher(k)).astype(np.float64) for k in (1, 2, 3, 4)]
    mse = np.array([[((a - b) ** 2).mean() for b in four] for a in four])
    expected = np.array([[0, 1, 1, 2], [1, 0, 2, 1], [1, 2, 0, 1], [2, 1, 1, 0]]) * 0.474778
    np.testing.assert_allclose(mse, expected, atol=2e-6)
    assert (four[0] ** 2).mean() == pytest.approx(0.237389, abs=1e-6)


def test_fig2_incoherent_loop_worked_numbers():
    landscape = calculate_landscape(RANGE, 41, motif("incoherent-loop.1", FIG2))
    expected = {(0, 0): -0.384380, (40, 40): 1.0, (20, 20): 0.625116, (0, 40): 0.072691, (40, 0): -0.902594,
                (10, 30): 0.495017}
    for (i, j), value in expected.items():
        assert landscape[i, j] == pytest.approx(value, abs=2e-6)
    assert landscape.mean() == pytest.approx(0.330282, abs=2e-6)
    assert landscape.std() == pytest.approx(0.451479, abs=2e-6)
    assert landscape.min() == -1.0 and np.unravel_index(landscape.argmin(), landscape.shape) == (34, 0)
    assert np.unravel_index(landscape.argmax(), landscape.shape) == (40, 40)
    mse = [((landscape.astype(np.float64) - calculate_landscape(RANGE, 41, catcher(k))) ** 2).mean()
           for k in (1, 2, 3, 4)]
    np.testing.assert_allclose(mse, [0.247458, 0.748319, 0.352298, 0.853159], atol=3e-6)


def test_landscape_with_four_ranges_and_bad_arguments():
    collider = catcher(1)
    same = calculate_landscape((-1, 1, -1, 1), 11, collider)
    np.testing.assert_array_equal(same, calculate_landscape(RANGE, 11, collider))
    shifted = calculate_landscape((0, 1, -1, 0), 11, collider)  # x over [0, 1], y over [-1, 0]
    x, y = np.meshgrid(np.linspace(0, 1, 11), np.linspace(-1, 0, 11), indexing="ij")
    raw = np.tanh(0.5 * (x + y))
    np.testing.assert_allclose(shifted, 2 * (raw - raw.min()) / (raw.max() - raw.min()) - 1, atol=2e-6)
    with pytest.raises(ValueError, match="length 2 or 4"):
        calculate_landscape((-1, 0, 1), 41, collider)
    with pytest.raises(TypeError, match="motif"):
        calculate_landscape(RANGE, 41, "collider")
    with pytest.raises(ValueError, match="two inputs"):
        calculate_landscape(RANGE, 41, NeuralMotif("chain", 1, T2, None, [0.5, 0.5], [0.0, 0.0]))
    with pytest.raises(TypeError, match="points"):
        calculate_landscape(RANGE, "41", collider)


def test_values_along_a_line():
    values = calculate_values(RANGE, 5, catcher(1))
    assert values.dtype == np.float32 and values.shape == (5,)
    np.testing.assert_allclose(values, [-1, np.tanh(-0.5) / np.tanh(1), 0, np.tanh(0.5) / np.tanh(1), 1], atol=1e-6)
    # the anti-diagonal (x from -1 to 1, y from 1 to -1) of collider.1 is constant: range < 1e-12 -> zeros
    assert np.all(calculate_values((-1, 1, 1, -1), 5, catcher(1)) == 0)
    line = calculate_values((-1, 1, 0, 0), 9, catcher(2))  # y = 0: normalised tanh(0.5x) over 9 samples
    raw = np.tanh(0.5 * np.linspace(-1, 1, 9))
    np.testing.assert_allclose(line, 2 * (raw - raw.min()) / (raw.max() - raw.min()) - 1, atol=1e-6)
    with pytest.raises(TypeError, match="motif"):
        calculate_values(RANGE, 5, None)


# ------------------------------------------------------------------------------------------------
# populations: parameter rows, order, invariants, symmetries
# ------------------------------------------------------------------------------------------------


def test_loop_parameter_rows_and_index_formula():
    groups = signed_groups("incoherent-loop.1", WEIGHT_MAGNITUDES)
    params, landscapes = generate_outputs("incoherent-loop", 1, T2, S2, groups, [BIAS_VALUES] * 2, RANGE, 2)
    assert params.shape == (441_000, 5) and landscapes.shape == (441_000, 4) and params.dtype == np.float64
    assert params[0].tolist() == [-0.1, 0.1, 0.1, -1.0, -1.0]
    assert params[1].tolist() == [-0.1, 0.1, 0.1, -1.0, -0.9]
    assert params[440_999].tolist() == [-1.0, 1.0, 1.0, 1.0, 1.0]
    np.testing.assert_array_equal(params, structure_parameters("incoherent-loop.1"))
    rng = np.random.default_rng(0)
    for i0, i1, i2, j0, j1 in rng.integers(0, [10, 10, 10, 21, 21], size=(50, 5)):
        n = (((i0 * 10 + i1) * 10 + i2) * 21 + j0) * 21 + j1
        expected = [-WEIGHT_MAGNITUDES[i0], WEIGHT_MAGNITUDES[i1], WEIGHT_MAGNITUDES[i2], BIAS_VALUES[j0],
                    BIAS_VALUES[j1]]
        assert params[n].tolist() == expected
    # every landscape (even on the 2x2 corner grid) spans exactly [-1, 1]
    assert np.all(landscapes.min(axis=1) == -1.0) and np.all(landscapes.max(axis=1) == 1.0)


@pytest.fixture(scope="module")
def colliders():
    """Full collider grids (2,100 motifs each) on the 41-point grid."""
    return {k: generate_outputs("collider", k, T1, S1, signed_groups(f"collider.{k}", WEIGHT_MAGNITUDES),
                                [BIAS_VALUES], RANGE, 41) for k in (1, 2, 3, 4)}


def test_collider_rows_invariants_and_symmetries(colliders):
    params, landscapes = colliders[1]
    assert params.shape == (2100, 3) and landscapes.shape == (2100, 1681) and landscapes.dtype == np.float64
    assert params[0].tolist() == [0.1, 0.1, -1.0] and params[2099].tolist() == [1.0, 1.0, 1.0]
    for i0, i1, j0 in [(3, 7, 11), (9, 0, 20), (0, 9, 0)]:
        assert params[(i0 * 10 + i1) * 21 + j0].tolist() == [WEIGHT_MAGNITUDES[i0], WEIGHT_MAGNITUDES[i1],
                                                            BIAS_VALUES[j0]]
    for k in (1, 2, 3, 4):
        values = colliders[k][1]
        assert np.all(values.min(axis=1) == -1.0) and np.all(values.max(axis=1) == 1.0)
        assert np.array_equal(values, values.astype(np.float32))  # float32-representable
    # collider.4 = -collider.1 with the row map j0 -> 20 - j0
    index = np.arange(2100).reshape(10, 10, 21)
    mapped = index[:, :, ::-1].reshape(-1)
    np.testing.assert_allclose(colliders[4][1], -colliders[1][1][mapped], atol=1e-6)
    # collider.3 (-c, a, b) = transpose of collider.2 (a, -c, b): row (i0, i1, j0) <- (i1, i0, j0)
    swapped = index.transpose(1, 0, 2).reshape(-1)
    three = colliders[3][1].reshape(-1, 41, 41)
    two = colliders[2][1][swapped].reshape(-1, 41, 41)
    np.testing.assert_allclose(three, two.transpose(0, 2, 1), atol=1e-6)


def test_loop_negation_and_rotation_symmetries():
    magnitudes, biases = [0.2, 0.7, 1.0], [-1.0, -0.3, 0.0, 0.6]
    for family in ("incoherent-loop", "coherent-loop"):
        out = {k: generate_outputs(family, k, T2, S2, signed_groups(f"{family}.{k}", magnitudes), [biases] * 2,
                                   RANGE, 21)[1].reshape(3, 3, 3, 4, 4, 21, 21) for k in (1, 2, 3, 4)}
        # negating w1, w2, b1 maps index 1 <-> 4 and 2 <-> 3; b1 -> -b1 is a reversal only on a symmetric grid,
        # so compare the rows whose b1 = 0 (index 2) and check the rest via explicit modules below.
        for a, b in ((1, 4), (2, 3)):
            np.testing.assert_allclose(out[b][:, :, :, :, 2], -out[a][:, :, :, :, 2], atol=1e-6)
        # (b0, b1) -> (-b0, -b1): negated and rotated by 180 degrees; rows with b0 = b1 = 0
        zero = out[1][:, :, :, 2, 2]
        np.testing.assert_allclose(zero, -zero[..., ::-1, ::-1], atol=1e-6)
    rng = np.random.default_rng(4)
    for _ in range(4):
        w0, w1, w2 = -rng.uniform(0.1, 1), rng.uniform(0.1, 1), rng.uniform(0.1, 1)
        b0, b1 = rng.uniform(-1, 1, 2)
        base = calculate_landscape(RANGE, 41, motif("incoherent-loop.1", [w0, w1, w2, b0, b1]))
        mirrored = calculate_landscape(RANGE, 41, motif("incoherent-loop.4", [w0, -w1, -w2, b0, -b1]))
        np.testing.assert_allclose(mirrored, -base, atol=1e-6)
        rotated = calculate_landscape(RANGE, 41, motif("incoherent-loop.1", [w0, w1, w2, -b0, -b1]))
        np.testing.assert_allclose(rotated, -base[::-1, ::-1], atol=1e-6)


@pytest.mark.parametrize("structure", STRUCTURES)
def test_generate_outputs_equals_the_per_motif_loop(structure):
    """Differential test: the chunked engine path is bit-identical to one NeuralMotif per combination."""
    motif_type, index = structure.rsplit(".", 1)
    loop = "loop" in motif_type
    groups = signed_groups(structure, [0.3, 1.0] if loop else [0.1, 0.55, 1.0])  # numpy arrays, as the experiments
    biases = [np.array([-1.0, 0.4])] * 2 if loop else [np.array([-1.0, 0.0, 0.7])]
    args = (motif_type, int(index), T2 if loop else T1, S2 if loop else S1, groups, biases, RANGE, 9)
    params, landscapes = generate_outputs(*args, batch_size=5)
    expected_params, expected_landscapes = generate_outputs_loop(*args)
    np.testing.assert_array_equal(params, expected_params)
    np.testing.assert_array_equal(landscapes, expected_landscapes)


def test_generate_outputs_other_options_and_chunking():
    groups = [np.array([0.2, 0.9]), np.array([0.4]), np.array([-0.5, -1.0])]
    args = ("incoherent-loop", 2, ["sigmoid", "relu"], ["max", "sum"], groups, [np.array([0.1]), np.array([-0.2, 0.3])],
            RANGE, 7)
    params, landscapes = generate_outputs(*args, batch_size=3, verbose=True)
    expected_params, expected = generate_outputs_loop(*args)
    np.testing.assert_array_equal(params, expected_params)
    np.testing.assert_array_equal(landscapes, expected)
    np.testing.assert_array_equal(generate_outputs(*args, batch_size=1000)[1], landscapes)


def test_generate_outputs_records_the_given_values():
    """Parameters are recorded as given (float64); the original's value() would round Python floats to
    float32 (documented deviation). Landscapes equal the per-motif loop either way (float32 forward)."""
    args = ("collider", 1, T1, S1, [[0.7, np.float64(0.3)], np.array([0.1])], [[0.3, -1.0]], RANGE, 5)
    params, landscapes = generate_outputs(*args)
    literal_params, literal = generate_outputs_loop(*args)
    np.testing.assert_array_equal(landscapes, literal)
    assert params[0].tolist() == [0.7, 0.1, 0.3] and literal_params[0].tolist() == [float(np.float32(0.7)), 0.1,
                                                                                     float(np.float32(0.3))]
    np.testing.assert_array_equal(params.astype(np.float32), literal_params.astype(np.float32))


@pytest.mark.parametrize(
    "weight_groups, bias_groups, error, match",
    [
        ([[0.5], [-0.5]], [[0.0]], ValueError, r"weight group 1 .*\[0.001, 1.0\]"),  # wrong sign
        ([[0.5, 1.5], [0.5]], [[0.0]], ValueError, "weight group 0"),  # above the bound
        ([[0.0005], [0.5]], [[0.0]], ValueError, "weight group 0"),  # below the bound
        ([[0.5]], [[0.0]], ValueError, "needs 2 weight_groups"),
        ([[0.5], [0.5]], [[0.0], [0.0]], ValueError, "needs 1 bias_groups"),
        ([[0.5], [np.nan]], [[0.0]], ValueError, "weight_groups contains NaN"),
        ([[0.5], [0.5]], [[np.inf]], ValueError, "bias_groups contains NaN"),
        ([["a"], [0.5]], [[0.0]], TypeError, "weight_groups must hold numbers"),
        (0.5, [[0.0]], TypeError, "weight_groups"),
    ],
)
def test_generate_outputs_rejects_bad_groups(weight_groups, bias_groups, error, match):
    with pytest.raises(error, match=match):
        generate_outputs("collider", 1, T1, S1, weight_groups, bias_groups, RANGE, 5)


def test_generate_outputs_rejects_bad_options():
    groups = ([[0.5], [0.5]], [[0.0]])
    with pytest.raises(ValueError, match="motif_type"):
        generate_outputs("fork", 1, T2, None, *groups, RANGE, 5)
    with pytest.raises(ValueError, match="motif_index"):
        generate_outputs("collider", 0, T1, S1, *groups, RANGE, 5)
    with pytest.raises(ValueError, match="activations"):
        generate_outputs("collider", 1, ["cosine"], S1, *groups, RANGE, 5)
    with pytest.raises(ValueError, match="batch_size"):
        generate_outputs("collider", 1, T1, S1, *groups, RANGE, 5, batch_size=0)
    with pytest.raises(ValueError, match="value_range"):
        generate_outputs("collider", 1, T1, S1, *groups, (0, 1, 2), 5)


def test_calculate_landscapes_matches_modules_and_validates():
    rng = np.random.default_rng(3)
    for structure in ("incoherent-loop.3", "coherent-loop.1", "collider.2"):
        motif_type = structure.rsplit(".", 1)[0]
        params = structure_parameters(structure, [0.2, 0.9], [-1.0, 0.3])
        batch = calculate_landscapes(params, motif_type, points=11, batch_size=5)
        assert batch.dtype == np.float32 and batch.shape == (params.shape[0], 11, 11)
        for k in rng.choice(params.shape[0], 3, replace=False):
            np.testing.assert_array_equal(batch[k], calculate_landscape(RANGE, 11, motif(structure, params[k])))
        np.testing.assert_array_equal(calculate_landscapes(torch.from_numpy(params), motif_type, points=11), batch)
    with pytest.raises(ValueError, match=r"params must have shape \(B, 3\)"):
        calculate_landscapes(np.zeros((2, 4)), "collider")
    with pytest.raises(ValueError, match="params contains NaN"):
        calculate_landscapes(np.full((1, 3), np.nan), "collider")
    with pytest.raises(TypeError, match="params"):
        calculate_landscapes(np.array([["a", "b", "c"]]), "collider")
    with pytest.raises(ValueError, match="motif_type"):
        calculate_landscapes(np.zeros((1, 4)), "chain")
    with pytest.raises(TypeError, match="batch_size"):
        calculate_landscapes(np.zeros((1, 3)) + 0.5, "collider", batch_size=2.5)


def test_generate_motifs_minimum_difference():
    groups = ([0.5, 0.5000001, 1.0], [0.5]), [[0.0]]
    motifs, signals = generate_motifs("collider", 1, T1, S1, *groups, RANGE, 11)
    assert len(motifs) == 3 and signals.shape == (3, 121) and signals.dtype == np.float32
    assert [m.w[0].value() for m in motifs] == [0.5, 0.5000001, 1.0]  # numpy float64 -> exact values
    np.testing.assert_array_equal(signals[2], calculate_landscape(RANGE, 11, motifs[2]).reshape(-1))
    # second motif: its difference to the first is tiny -> dropped; the third is kept
    kept, _ = generate_motifs("collider", 1, T1, S1, *groups, RANGE, 11, minimum_difference=1e-4)
    assert [m.w[0].value() for m in kept] == [0.5, 1.0]
    # strictly greater: an exact duplicate (difference 0) is dropped at minimum_difference = 0
    duplicate, _ = generate_motifs("collider", 1, T1, S1, [[0.5, 0.5], [0.5]], [[0.0]], RANGE, 11,
                                   minimum_difference=0.0)
    assert len(duplicate) == 1
    # the threshold itself: a motif exactly at the distance is dropped, just below it is kept
    pair, signals = generate_motifs("collider", 1, T1, S1, [[0.5, 1.0], [0.5]], [[0.0]], RANGE, 11)
    distance = np.abs(signals[0].astype(np.float64) - signals[1]).mean()
    assert len(generate_motifs("collider", 1, T1, S1, [[0.5, 1.0], [0.5]], [[0.0]], RANGE, 11,
                               minimum_difference=distance)[0]) == 1
    assert len(generate_motifs("collider", 1, T1, S1, [[0.5, 1.0], [0.5]], [[0.0]], RANGE, 11,
                               minimum_difference=np.nextafter(distance, 0))[0]) == 2
    assert generate_motifs("collider", 1, T1, S1, [[], [0.5]], [[0.0]], RANGE, 11) == ([], None)
    with pytest.raises(TypeError, match="minimum_difference"):
        generate_motifs("collider", 1, T1, S1, *groups, RANGE, 11, minimum_difference="0.1")


# ------------------------------------------------------------------------------------------------
# prepare_motifs
# ------------------------------------------------------------------------------------------------


def test_prepare_motifs_reference_bug_and_corrected_defaults():
    with pytest.raises(TypeError, match="bound"):
        prepare_motifs("collider", 1, T1, S1, 2)
    with pytest.raises(TypeError, match="bound"):
        prepare_motifs("collider", 1, T1, S1, 1, weights=[0.5, 0.5], biases=[0.0])
    motifs = prepare_motifs("collider", 1, T1, S1, 2, semantics="corrected")
    assert len(motifs) == 2 and motifs[0].weight_bound == (1e-3, 1.0) and motifs[0].bias_bound == (-1.0, 1.0)
    assert motifs[0].semantics == "corrected"


def test_prepare_motifs_sign_flips_and_seeded_random():
    bounds = {"weight_bound": (1e-3, 1.0), "bias_bound": (-1.0, 1.0)}
    motifs = prepare_motifs("collider", 2, T1, S1, 3, weights=[0.5, 0.5], biases=[0.1], **bounds)
    assert len(motifs) == 3 and motifs[0] is not motifs[1]
    assert all([w.value() for w in m.w] == [0.5, -0.5] for m in motifs)
    # flips are tried in product((1, -1)) order; negative inputs get flipped to the accepted pattern
    loop = prepare_motifs("coherent-loop", 3, T2, S2, 1, weights=[0.2, 0.3, -0.4], biases=[0, 0], **bounds)[0]
    assert [w.value() for w in loop.w] == pytest.approx([-0.2, -0.3, 0.4])
    assert prepare_motifs("collider", 2, T1, S1, 1, weights=[5.0, 0.5], biases=[0.1], **bounds) == [None]
    first = prepare_motifs("incoherent-loop", 2, T2, S2, 3, generator=torch.Generator().manual_seed(1), **bounds)
    second = prepare_motifs("incoherent-loop", 2, T2, S2, 3, generator=torch.Generator().manual_seed(1), **bounds)
    assert [m.parameter_row().tolist() for m in first] == [m.parameter_row().tolist() for m in second]
    assert first[0].parameter_row().tolist() != first[1].parameter_row().tolist()
    with pytest.raises(TypeError, match="sample"):
        prepare_motifs("collider", 1, T1, S1, 2.0, **bounds)
    with pytest.raises(ValueError, match="sample"):
        prepare_motifs("collider", 1, T1, S1, -1, **bounds)
    with pytest.raises(ValueError, match="semantics"):
        prepare_motifs("collider", 1, T1, S1, 1, semantics="fixed")
    with pytest.raises(ValueError, match="needs 2 weights"):
        prepare_motifs("collider", 1, T1, S1, 1, weights=[0.5], biases=[0.0], **bounds)


# ------------------------------------------------------------------------------------------------
# gradients: the accumulation quirk vs the clean value
# ------------------------------------------------------------------------------------------------


def literal_gradients(module, points):
    """The original's p² backward passes with a never-reset input-gradient buffer."""
    inputs = prepare_data(RANGE, points).requires_grad_(True)
    out = module(inputs).reshape(-1)
    result = np.empty(points * points)
    for n in range(points * points):
        out[n].backward(retain_graph=True)
        result[n] = inputs.grad[n].double().norm().item()
    return result.reshape(points, points)


@pytest.mark.parametrize("structure, params", [
    ("collider.2", [0.8, -0.3, 0.2]),
    ("incoherent-loop.2", [0.4, 0.9, -0.7, -0.2, 0.6]),
    ("coherent-loop.4", [0.3, -0.5, -1.0, 1.0, -1.0]),
])
def test_gradients_reference_equals_the_literal_loop(structure, params):
    module = motif(structure, params)
    reference = calculate_gradients(RANGE, 7, module)
    literal = literal_gradients(motif(structure, params), 7)
    np.testing.assert_allclose(reference, literal, rtol=1e-5, atol=1e-7)
    corrected = calculate_gradients(RANGE, 7, module, semantics="corrected")
    differs = ~np.isclose(literal, corrected, rtol=1e-4)
    assert 1 <= differs.sum() <= 4  # only the raw argmin/argmax readings are contaminated


def test_gradients_corrected_closed_form():
    w0, w1, b = 0.8, -0.3, 0.2
    collider = motif("collider.2", [w0, w1, b])
    clean = calculate_gradients(RANGE, 21, collider, semantics="corrected")
    assert clean.dtype == np.float64 and clean.shape == (21, 21)
    grid = prepare_data(RANGE, 21).double().numpy()
    raw = np.tanh(grid @ np.array([w0, w1]) + b)
    expected = 2 / (raw.max() - raw.min()) * (1 - raw**2) * np.hypot(w0, w1)
    np.testing.assert_allclose(clean.reshape(-1), expected, rtol=1e-5)
    at_origin = calculate_gradients(RANGE, 41, catcher(1), semantics="corrected")[20, 20]
    assert at_origin == pytest.approx((np.sqrt(2) / 2) / np.tanh(1), rel=1e-6)  # 0.928460


def test_gradients_reject_bad_arguments():
    with pytest.raises(ValueError, match="semantics"):
        calculate_gradients(RANGE, 5, catcher(1), semantics="clean")
    with pytest.raises(TypeError, match="NeuralMotif"):
        calculate_gradients(RANGE, 5, torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match="points"):
        calculate_gradients(RANGE, 1, catcher(1))


# ------------------------------------------------------------------------------------------------
# Hessian eigenvalues
# ------------------------------------------------------------------------------------------------


def explicit_hessian(network, inputs, target):
    params = list(network.parameters())
    loss = torch.nn.functional.mse_loss(network(inputs), target)
    grads = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params, create_graph=True)])
    rows = [torch.cat([h.reshape(-1) for h in torch.autograd.grad(g, params, retain_graph=True)]) for g in grads]
    return torch.stack(rows).detach().double().numpy()


def test_hessian_eigenvalues_match_explicit_double_backward():
    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    inputs, target = torch.randn(9, 2), torch.randn(9, 1)
    values = calculate_hessian_eigenvalues(network, torch.nn.MSELoss(), inputs, target)
    assert values.shape == (9,)
    np.testing.assert_allclose(np.sort(values), np.linalg.eigvalsh(explicit_hessian(network, inputs, target)),
                               atol=1e-5)


def test_hessian_eigenvalues_of_a_neural_motif():
    module = motif("collider.1", [0.5, 0.5, 0.2])
    inputs = prepare_data(RANGE, 7)
    target = calculate_landscape(RANGE, 7, catcher(2)).reshape(-1, 1)
    values = calculate_hessian_eigenvalues(module, torch.nn.MSELoss(), inputs, torch.from_numpy(target))
    expected = np.linalg.eigvalsh(explicit_hessian(module, inputs, torch.from_numpy(target)))
    np.testing.assert_allclose(np.sort(values), expected, atol=1e-4)


def test_hessian_rejects_bad_arguments():
    net = torch.nn.Linear(1, 1)
    x = torch.ones(2, 1)
    with pytest.raises(TypeError, match="network"):
        calculate_hessian_eigenvalues(lambda t: t, torch.nn.MSELoss(), x, x)
    with pytest.raises(TypeError, match="criterion"):
        calculate_hessian_eigenvalues(net, "mse", x, x)
    with pytest.raises(TypeError, match="input_data"):
        calculate_hessian_eigenvalues(net, torch.nn.MSELoss(), np.ones((2, 1)), x)
    with pytest.raises(ValueError, match="no parameters"):
        calculate_hessian_eigenvalues(torch.nn.Tanh(), torch.nn.MSELoss(), x, x)


# ------------------------------------------------------------------------------------------------
# curvature
# ------------------------------------------------------------------------------------------------

AXIS = np.linspace(-1, 1, 41)
X, Y = np.meshgrid(AXIS, AXIS, indexing="ij")


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_curvature_closed_forms(semantics):
    assert np.all(detect_curvature_feature(-(X**2 + Y**2), 0.05, semantics) == 1)
    assert np.all(detect_curvature_feature(X**2 + Y**2, 0.05, semantics) == -1)
    assert np.all(detect_curvature_feature(X**2 - Y**2, 0.05, semantics) == 0)
    assert np.all(detect_curvature_feature(X * Y, 0.05, semantics) == 0)
    surface = np.sin(2 * X) * np.cos(3 * Y) + 0.3 * X * Y
    labels = detect_curvature_feature(surface, 0.05, semantics)
    assert labels.dtype == np.float64 and set(np.unique(labels)) == {-1.0, 0.0, 1.0}
    np.testing.assert_array_equal(detect_curvature_feature(surface, 0.025, semantics), labels)  # interval-free


def test_curvature_equals_per_cell_eigen_decomposition():
    axis = np.linspace(-1, 1, 21)
    x, y = np.meshgrid(axis, axis, indexing="ij")
    surface = np.sin(2 * x) * np.cos(3 * y) + 0.3 * x * y
    labels = detect_curvature_feature(surface, 0.1)
    gx, gy = np.gradient(surface, 0.1)
    hxx, gxy = np.gradient(gx, 0.1)
    gyx, hyy = np.gradient(gy, 0.1)
    checked = 0
    for i, j in itertools.product(range(21), repeat=2):
        hxy = (gxy[i, j] + gyx[i, j]) / 2
        eig = np.linalg.eigvalsh([[hxx[i, j], hxy], [hxy, hyy[i, j]]])
        if min(abs(eig)) > 1e-9:  # away from rounding-level eigenvalues both routines agree on signs
            expected = 1 if np.all(eig <= 0) else (-1 if np.all(eig >= 0) else 0)
            assert labels[i, j] == expected
            checked += 1
    assert checked > 400


def test_curvature_flat_and_linear_regions():
    flat = np.zeros((9, 9))
    assert np.all(detect_curvature_feature(flat, 0.25) == 1)  # exact zeros: "all eigenvalues <= 0"
    assert np.all(detect_curvature_feature(flat, 0.25, semantics="corrected") == 0)
    linear = (X.astype(np.float32) + np.float32(0.3) * Y.astype(np.float32)) / np.float32(1.3)
    reference = detect_curvature_feature(linear, 0.05)
    assert np.any(reference != 0)  # rounding noise decides the reference labels
    assert np.all(detect_curvature_feature(linear, 0.05, semantics="corrected") == 0)
    # a genuinely curved motif landscape keeps its labels in corrected mode: tanh(0.5(x + y)) is a cap for x + y > 0
    landscape = calculate_landscape(RANGE, 41, catcher(1))
    corrected = detect_curvature_feature(landscape, 0.05, semantics="corrected")
    inside = (slice(2, -2), slice(2, -2))  # rows/columns 0, 1 and 39, 40 use one-sided differences
    s = (X + Y)[inside]
    assert np.all(corrected[inside][s > 0.2] == 1) and np.all(corrected[inside][s < -0.2] == -1)


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((np.zeros(9), 0.1), ValueError, "2-D"),
        ((np.zeros((1, 9)), 0.1), ValueError, "both sides"),
        ((np.full((3, 3), np.nan), 0.1), ValueError, "NaN"),
        ((np.array([["a"] * 3] * 3), 0.1), TypeError, "numeric"),
        ((np.zeros((3, 3)), 0.0), ValueError, "interval"),
        ((np.zeros((3, 3)), "0.1"), TypeError, "interval"),
        ((np.zeros((3, 3)), 0.1, "exact"), ValueError, "semantics"),
        ((np.zeros((3, 3)), 0.1, "corrected", -1.0), ValueError, "tolerance"),
    ],
)
def test_curvature_rejects_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        detect_curvature_feature(*args)


# ------------------------------------------------------------------------------------------------
# differences: delegation to effect.nearest
# ------------------------------------------------------------------------------------------------


def literal_differences(first, second=None, norm_type="L-2"):
    first = np.asarray(first, dtype=np.float64)
    self_mode = second is None
    second = first if self_mode else np.asarray(second, dtype=np.float64)
    result = -np.ones(first.shape[0])
    for k, row in enumerate(first):
        diff = second - row
        values = np.abs(diff).mean(axis=1) if norm_type == "L-1" else (diff**2).mean(axis=1)
        if self_mode:
            values[k] = values.max() + 1
        result[k] = values.min()
    return result


def test_differences_catchers_and_literal_loop():
    four = np.stack([calculate_landscape(RANGE, 41, catcher(k)).reshape(-1) for k in (1, 2, 3, 4)]).astype(float)
    np.testing.assert_allclose(calculate_differences(four), [0.474778] * 4, atol=2e-6)
    rng = np.random.default_rng(7)
    first, second = rng.uniform(-1, 1, (13, 50)), rng.uniform(-1, 1, (6, 50))
    first[5] = first[9]  # an exact duplicate elsewhere gives 0 in self mode
    for norm_type in ("L-1", "L-2"):
        np.testing.assert_allclose(calculate_differences(first, norm_type=norm_type),
                                   literal_differences(first, None, norm_type), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(calculate_differences(first, second, norm_type),
                                   literal_differences(first, second, norm_type), rtol=1e-12, atol=1e-15)
    assert calculate_differences(first)[5] == 0.0
    assert calculate_differences(first[:1]).tolist() == [1.0]  # one-row self mode (reference edge case)
    assert np.all(calculate_differences(first, np.vstack([second, first])) == 0)  # B contains A


def test_differences_reject_bad_arguments():
    with pytest.raises(ValueError, match="norm_type"):
        calculate_differences(np.zeros((2, 3)), norm_type="L-inf")
    with pytest.raises(TypeError, match="verbose"):
        calculate_differences(np.zeros((2, 3)), verbose="yes")
    with pytest.raises(ValueError, match="same number of points"):
        calculate_differences(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="shape"):
        calculate_differences(np.zeros(3))
