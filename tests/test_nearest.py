"""Nearest-landscape differences."""

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.nearest import _nearest_differences_loop, nearest_differences, nearest_indices
from effect.structures import BIAS_VALUES, WEIGHT_MAGNITUDES, catcher_parameters, structure_parameters


def brute_force(first, second=None, norm_type="L-2", chunk=32):
    """Float64 distances of every pair (rows in chunks), self pairs excluded; first index of the minimum."""
    a = np.asarray(first, dtype=np.float64)
    b = a if second is None else np.asarray(second, dtype=np.float64)
    values, where = np.empty(len(a)), np.empty(len(a), dtype=np.int64)
    for start in range(0, len(a), chunk):
        diff = a[start : start + chunk, None, :] - b[None, :, :]
        matrix = np.abs(diff).mean(-1) if norm_type == "L-1" else (diff**2).mean(-1)
        if second is None:
            rows = np.arange(start, min(start + chunk, len(a)))
            matrix[rows - start, rows] = np.inf
        values[start : start + chunk], where[start : start + chunk] = matrix.min(axis=1), matrix.argmin(axis=1)
    return values, where


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


def grid_landscapes(structure, magnitudes, biases, points=21):
    """Landscapes of a dense piece of the paper's parameter grid (same spacing), float32, flattened."""
    params = structure_parameters(structure, WEIGHT_MAGNITUDES[:magnitudes], BIAS_VALUES[:biases])
    motif_type = structure.split(".")[0]
    return motif_outputs(torch.as_tensor(params), motif_type, grid_inputs((-1, 1), points)).numpy()


def all_methods(first, second, norm_type, **tiles):
    """Every method the norm supports -> (distances, indices)."""
    methods = ("gemm", "projection", "auto") if norm_type == "L-2" else ("auto", "gemm")
    return {m: nearest_indices(first, second, norm_type, method=m, **tiles) for m in methods}


def test_projection_equals_brute_force_on_a_dense_loop_grid(monkeypatch):
    # the shape of the "L for L" unit (self mode, a dense grid of one loop structure) and of a cross search
    # between two loop structures; the bounds must settle every row without the GEMM fallback
    import effect.nearest as module

    calls = []
    monkeypatch.setattr(module, "_nearest_l2", lambda *args, **kwargs: calls.append(1))
    grid = grid_landscapes("incoherent-loop.1", 3, 5)  # 675 motifs
    others = grid_landscapes("coherent-loop.2", 3, 4)[::3]
    for second, queries in ((None, grid), (grid, others)):
        values, indices = nearest_indices(queries, second, method="projection")
        expected, expected_index = brute_force(queries, second)
        np.testing.assert_array_equal(values, expected)
        np.testing.assert_array_equal(indices, expected_index)
    assert calls == []
    np.testing.assert_array_equal(nearest_differences(grid[:300], method="projection"),
                                  _nearest_differences_loop(grid[:300]))


def dyadic_rows(count, points, seed):
    """Rows on a coarse dyadic grid: every difference and mean below is exact, so ties are real ties."""
    return np.random.default_rng(seed).integers(-8, 9, size=(count, points)).astype(np.float32) / 8


def adversarial_cases():
    base = dyadic_rows(40, 25, seed=1)
    shifted = np.repeat(base[:1], 6, axis=0)
    shifted[np.arange(6), np.arange(6)] += 0.25  # six rows at exactly the same distance from base[0]
    duplicates = np.concatenate([base[:10], base[:10], base[3:4]])
    return {
        "identical rows": (np.ones((30, 25), dtype=np.float32), None),
        "identical rows, cross": (np.zeros((5, 25)), np.zeros((12, 25))),
        "duplicates": (duplicates, None),
        "ties at a positive distance": (base[:1], shifted),
        "ties in self mode": (np.concatenate([base[:1], shifted]), None),
        "a single reference": (base, base[5:6]),
        "two rows in self mode": (base[:2], None),
        "one point per landscape": (dyadic_rows(20, 1, seed=2), None),
        "integer input": ((base * 8).astype(np.int16), (base[::-1] * 8).astype(np.int64)),
    }


@pytest.mark.parametrize("norm_type", ["L-2", "L-1"])
@pytest.mark.parametrize("case", list(adversarial_cases()))
@pytest.mark.parametrize("tiles", [{}, {"block_rows": 1, "block_cols": 1}, {"block_rows": 3, "block_cols": 5}])
def test_every_method_equals_brute_force_on_adversarial_inputs(case, norm_type, tiles):
    first, second = adversarial_cases()[case]
    expected, expected_index = brute_force(first, second, norm_type)
    for method, (values, indices) in all_methods(first, second, norm_type, **tiles).items():
        np.testing.assert_array_equal(values, expected, err_msg=method)
        np.testing.assert_array_equal(indices, expected_index, err_msg=method)


def test_ties_go_to_the_smallest_index():
    _, shifted = adversarial_cases()["ties at a positive distance"]
    base = dyadic_rows(1, 25, seed=1)
    for norm_type in ("L-2", "L-1"):
        for values, indices in all_methods(base, shifted[::-1].copy(), norm_type).values():
            assert indices.tolist() == [0]
            assert values[0] == (0.0625 if norm_type == "L-2" else 0.25) / 25


def test_memory_is_bounded_by_blocks(monkeypatch):
    # no float64 array as large as an input set is ever made (numpy allocations are traced; torch only
    # wraps numpy arrays or allocates tiles)
    import tracemalloc

    import effect.nearest as module

    monkeypatch.setattr(module, "_CHECK_ROWS", 256)
    monkeypatch.setattr(module, "_PROJECTION_SAMPLE", 100)
    monkeypatch.setattr(module, "_EMBED_ROWS", 64)
    rows = grid_landscapes("incoherent-loop.1", 4, 6)  # 2,304 x 441 float32
    copy = rows.size * 8
    for kwargs in ({"method": "gemm"}, {"method": "projection"}, {"norm_type": "L-1", "block_cols": 256}):
        nearest_indices(rows[:300], **kwargs)  # imports (scipy.spatial) before tracing
        tracemalloc.start()
        nearest_indices(rows, block_rows=256, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < copy / 2, (kwargs, peak, copy)
