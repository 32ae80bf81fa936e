"""Nearest-landscape differences."""

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.nearest import _nearest_differences_loop, nearest_differences, nearest_indices
from effect.structures import catcher_parameters, structure_parameters


def brute_force(first, second=None, norm_type="L-2"):
    """Full float64 distance matrix, self pairs excluded; first index of the minimum."""
    a = np.asarray(first, dtype=np.float64)
    b = a if second is None else np.asarray(second, dtype=np.float64)
    diff = a[:, None, :] - b[None, :, :]
    matrix = np.abs(diff).mean(-1) if norm_type == "L-1" else (diff**2).mean(-1)
    if second is None:
        np.fill_diagonal(matrix, np.inf)
    return matrix.min(axis=1), matrix.argmin(axis=1)


def loop_landscapes():
    params = structure_parameters("coherent-loop.2", magnitudes=[0.2, 0.6, 1.0], biases=[-1, 0.5, 1])
    return motif_outputs(torch.tensor(params), "coherent-loop", grid_inputs((-1, 1), 21)).numpy()


def collider_landscapes():
    params = structure_parameters("collider.1", magnitudes=[0.1, 0.3, 0.6, 1.0], biases=[-1, -0.5, 0, 0.5, 1])
    return motif_outputs(torch.tensor(params), "collider", grid_inputs((-1, 1), 21)).numpy()


def test_hand_example():
    a = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.5]])
    np.testing.assert_allclose(nearest_differences(a), [0.125, 0.625, 0.125])
    np.testing.assert_allclose(nearest_differences(a, norm_type="L-1"), [0.25, 0.75, 0.25])
    np.testing.assert_allclose(nearest_differences(a[:1], a[1:]), [0.125])


def test_single_row_self_mode_is_one():
    assert nearest_differences(np.zeros((1, 9))).tolist() == [1.0]


@pytest.mark.parametrize("norm_type", ["L-2", "L-1"])
def test_tiled_equals_brute_force_and_reference_loop(norm_type):
    loops, colliders = loop_landscapes(), collider_landscapes()
    for second in (None, colliders):
        values, indices = nearest_indices(loops, second, norm_type, block_rows=17, block_cols=29)
        expected, expected_index = brute_force(loops, second, norm_type)
        np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(indices, expected_index)
        np.testing.assert_allclose(values, _nearest_differences_loop(loops, second, norm_type), rtol=1e-12, atol=0)


def test_superset_gives_zero_and_self_mode_nonnegative():
    loops = loop_landscapes()
    assert not nearest_differences(loops[:40], loops).any()
    assert np.all(nearest_differences(loops) >= 0)
    cross = nearest_differences(loops[:30], loops[30:])
    mse_to_any = ((loops[:30, None].astype(float) - loops[None, 30:].astype(float)) ** 2).mean(-1)
    assert np.all(cross[:, None] <= mse_to_any + 1e-15)


def test_catchers_mse_table():
    catchers = motif_outputs(torch.tensor(catcher_parameters()), "collider", grid_inputs((-1, 1), 41)).numpy()
    np.testing.assert_allclose(nearest_differences(catchers), [0.474778] * 4, rtol=1e-5)
    far = nearest_differences(catchers[:1], catchers[3:])
    np.testing.assert_allclose(far, [0.949556], rtol=1e-5)


def test_float32_cannot_change_the_ranking():
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, size=(1, 1681)).astype(np.float32)
    near = a.copy()
    near[0, 5] += np.float32(2.0**-10)
    nearly = a.copy()
    nearly[0, 9] = np.nextafter(nearly[0, 9] + np.float32(2.0**-10), np.float32(2))  # one ulp further away
    decoys = rng.uniform(-1, 1, size=(50, 1681)).astype(np.float32)
    second = np.vstack([nearly, decoys, near])  # the slightly worse one comes first
    values, indices = nearest_indices(a, second)
    expected, expected_index = brute_force(a, second)
    assert expected_index[0] == second.shape[0] - 1
    assert indices.tolist() == expected_index.tolist()
    assert values[0] == expected[0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="norm_type"):
        nearest_differences(np.zeros((2, 3)), norm_type="L-3")
    with pytest.raises(ValueError, match="same number of points"):
        nearest_differences(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="shape"):
        nearest_differences(np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        nearest_differences(np.array([[0.0, np.nan], [1.0, 1.0]]))
    with pytest.raises(TypeError, match="numeric"):
        nearest_differences(np.array([["a", "b"]]))


def real_loops(count, seed, points=21):
    """Normalised incoherent-loop landscapes from the reference parameter grid (float32)."""
    params = structure_parameters("incoherent-loop.1")
    rows = np.random.default_rng(seed).choice(len(params), count, replace=False)
    inputs = grid_inputs((-1, 1), points)
    return motif_outputs(torch.as_tensor(params[rows]), "incoherent-loop", inputs).numpy().astype(np.float32)


def test_projection_search_equals_gemm_search():
    base = real_loops(1500, seed=3)
    base[7] = base[700]  # an exact duplicate: a tie at distance 0, resolved to the smaller index
    queries = np.concatenate([real_loops(200, seed=4), base[[5, 700]]])
    for args in ((base, None), (queries, base)):
        gemm = nearest_indices(*args, method="gemm")
        projected = nearest_indices(*args, method="projection")
        np.testing.assert_array_equal(projected[0], gemm[0])
        np.testing.assert_array_equal(projected[1], gemm[1])
    self_distances, self_indices = nearest_indices(base, method="projection")
    assert self_distances[7] == 0.0 and self_indices[7] == 700 and self_indices[700] == 7
    np.testing.assert_allclose(self_distances, _nearest_differences_loop(base), rtol=1e-12, atol=0)


def test_projection_search_on_unstructured_rows_falls_back_exactly(monkeypatch):
    # Random rows have no low-dimensional structure; with few candidates per round the bounds settle
    # some rows in later rounds and leave the rest to the GEMM fallback.
    import effect.nearest as module

    monkeypatch.setattr(module, "_FIRST_CANDIDATES", 2)
    monkeypatch.setattr(module, "_MOST_CANDIDATES", 8)
    calls = []
    gemm_path = module._nearest_l2

    def counted(first, *args, **kwargs):
        calls.append(len(first))
        return gemm_path(first, *args, **kwargs)

    monkeypatch.setattr(module, "_nearest_l2", counted)
    rng = np.random.default_rng(5)
    rows = rng.standard_normal((300, 40))
    for args in ((rows, None), (rows[:20], rows[20:])):
        projected = nearest_indices(*args, method="projection")
        gemm = nearest_indices(*args, method="gemm")
        np.testing.assert_array_equal(projected[0], gemm[0])
        np.testing.assert_array_equal(projected[1], gemm[1])
    assert calls[0] > 0 and calls[0] < 300  # the fallback ran, for some rows only (first call: self mode)
    np.testing.assert_array_equal(nearest_indices(rows[:2], method="projection")[1], [1, 0])


def test_tile_sizes_and_method_are_validated():
    rows = np.zeros((3, 4))
    for name in ("block_rows", "block_cols"):
        for bad in (0, -1):
            with pytest.raises(ValueError, match=name):
                nearest_differences(rows, **{name: bad})
        with pytest.raises(TypeError, match=name):
            nearest_differences(rows, **{name: 2.5})
    with pytest.raises(ValueError, match="method"):
        nearest_indices(rows, method="tree")
    with pytest.raises(ValueError, match="projection"):
        nearest_indices(rows, norm_type="L-1", method="projection")
