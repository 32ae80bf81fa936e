"""Grid Lipschitz estimates and propagation."""

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.robustness import (
    NORM_TYPES,
    _estimate_lipschitz_loop,
    LipschitzTracker,
    _propagation,
    estimate_lipschitz,
    lipschitz_batch,
)
from effect.structures import structure_parameters

AXIS = np.linspace(-1, 1, 41).astype(np.float32)
RANGE = (-1, 1)


def landscapes_of(params, motif_type, points=41):
    params = torch.as_tensor(np.asarray(params, dtype=np.float64))
    return motif_outputs(params, motif_type, grid_inputs(RANGE, points)).reshape(-1, points, points).numpy()


def random_landscapes(seed, count=12, points=41):
    """Seeded random loops and colliders with parameters anywhere in their sign/bound boxes."""
    rng = np.random.default_rng(seed)
    out = []
    for structure in ("incoherent-loop.1", "coherent-loop.3", "collider.2"):
        grid = structure_parameters(structure, magnitudes=[1.0])  # signs of this structure
        signs = np.sign(grid[0, : grid.shape[1] - (1 if "collider" in structure else 2)])
        n_w = signs.size
        weights = signs * rng.uniform(1e-3, 1.0, size=(count, n_w))
        biases = rng.uniform(-1, 1, size=(count, grid.shape[1] - n_w))
        motif_type = structure.split(".")[0]
        out.append(landscapes_of(np.hstack([weights, biases]), motif_type, points))
    return np.concatenate(out)


@pytest.mark.parametrize("norm_type", NORM_TYPES)
def test_plane_x_has_unit_constant(norm_type):
    plane = np.repeat(AXIS[:, None], 41, axis=1)
    assert estimate_lipschitz(RANGE, 41, plane, norm_type) == pytest.approx(1.0, rel=1e-6)


def test_diagonal_plane_closed_forms():
    plane = (AXIS[:, None] + AXIS[None, :]) / 2
    assert estimate_lipschitz(RANGE, 41, plane, "L-2") == pytest.approx(1 / np.sqrt(2), rel=1e-5)
    assert estimate_lipschitz(RANGE, 41, plane, "L-1") == pytest.approx(0.5, rel=1e-5)
    assert estimate_lipschitz(RANGE, 41, plane, "L-inf") == pytest.approx(1.0, rel=1e-5)


def test_first_catcher_worked_numbers():
    landscape = landscapes_of([[0.5, 0.5, 0.0]], "collider")[0]
    assert estimate_lipschitz(RANGE, 41, landscape, "L-2") == pytest.approx(0.928262, rel=1e-5)
    assert estimate_lipschitz(RANGE, 41, landscape, "L-1") == pytest.approx(0.656381, rel=1e-5)
    assert estimate_lipschitz(RANGE, 41, landscape, "L-inf") == pytest.approx(1.312761, rel=1e-5)
    second = landscapes_of([[0.5, -0.5, 0.0]], "collider")[0]
    assert estimate_lipschitz(RANGE, 41, second, "L-2") == pytest.approx(0.928262, rel=1e-5)


def test_fig2_incoherent_loop_worked_number():
    landscape = landscapes_of([[-1.0, 0.652, 1.0, 1.0, 0.337]], "incoherent-loop")[0]
    assert estimate_lipschitz(RANGE, 41, landscape, "L-2") == pytest.approx(2.452502, rel=1e-5)


@pytest.mark.parametrize("norm_type", NORM_TYPES)
def test_batched_equals_per_offset_reference(norm_type):
    batch = random_landscapes(seed=1, count=4)
    batched = lipschitz_batch(batch, 0.05, norm_type, chunk_size=5)
    looped = np.array([_estimate_lipschitz_loop(landscape, 0.05, norm_type) for landscape in batch])
    np.testing.assert_allclose(batched, looped, rtol=1e-6, atol=0)


def test_batched_equals_reference_on_rough_landscapes():
    # Random noise defeats the smoothness that the pruning exploits most.
    rng = np.random.default_rng(7)
    batch = rng.standard_normal((6, 13, 13)).astype(np.float32)
    batch[0] = 0.0
    batched = lipschitz_batch(batch, 2 / 12, "L-2")
    looped = np.array([_estimate_lipschitz_loop(landscape, 2 / 12, "L-2") for landscape in batch])
    np.testing.assert_allclose(batched, looped, rtol=1e-6, atol=0)
    assert batched[0] == 0.0


def test_invariances_and_norm_ordering():
    batch = random_landscapes(seed=2, count=5)
    base = {n: lipschitz_batch(batch, 0.05, n) for n in NORM_TYPES}
    for transform in (lambda b: -b, lambda b: b.transpose(0, 2, 1), lambda b: b[:, ::-1, ::-1]):
        np.testing.assert_allclose(lipschitz_batch(np.ascontiguousarray(transform(batch)), 0.05), base["L-2"])
    assert np.all(base["L-inf"] >= base["L-2"]) and np.all(base["L-2"] >= base["L-1"])
    # A normalised landscape spans 2 over at most a diagonal: L-2 >= 2 / (2 sqrt 2).
    assert np.all(base["L-2"] >= 1 / np.sqrt(2) - 1e-6)


def test_collider_estimate_is_lower_bound_of_true_constant():
    rng = np.random.default_rng(3)
    params = np.column_stack([rng.uniform(1e-3, 1, 20), -rng.uniform(1e-3, 1, 20), rng.uniform(-1, 1, 20)])
    estimates = lipschitz_batch(landscapes_of(params, "collider"), 0.05)
    grid = grid_inputs(RANGE, 41).double().numpy()
    raw = np.tanh(grid @ params[:, :2].T + params[:, 2])
    span = raw.max(axis=0) - raw.min(axis=0)
    bound = 2 / span * np.hypot(params[:, 0], params[:, 1])
    assert np.all(estimates <= bound * (1 + 1e-5))


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="norm_type"):
        estimate_lipschitz(RANGE, 41, np.zeros((41, 41)), "L-3")
    with pytest.raises(ValueError, match="shape"):
        estimate_lipschitz(RANGE, 41, np.zeros((40, 41)))
    bad = np.zeros((41, 41))
    bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        estimate_lipschitz(RANGE, 41, bad)
    with pytest.raises(ValueError, match="interval"):
        lipschitz_batch(np.zeros((1, 5, 5)), -1.0)
    with pytest.raises(TypeError, match="landscapes"):
        lipschitz_batch([[1.0]], 0.1)


def test_propagation_max_on_plane_x():
    plane = np.repeat(AXIS[:, None], 41, axis=1).astype(np.float64)
    result = _propagation(plane, "max")
    assert result[0, 0] == 0.0
    assert result[1, 0] == pytest.approx(0.025, rel=1e-6)
    assert result[40, 0] == pytest.approx(1.0, rel=1e-6)
    assert result[20, 7] == pytest.approx(0.5, rel=1e-6)
    assert result[0, 40] == pytest.approx(0.0, abs=1e-7)
    expected = np.arange(41)[:, None] / 40 * np.ones((1, 41))
    np.testing.assert_allclose(result, expected, atol=1e-6)


def test_propagation_statistics_of_constant_are_zero():
    assert not _propagation(np.ones((5, 5)), "mean").any()


def test_pruned_scan_equals_literal_loop_exactly():
    """Same value as the literal offset loop, bit for bit, on every path of the pruned scan."""
    rng = np.random.default_rng(11)
    x = np.linspace(-1, 1, 41)
    oblique = 0.7 * x[:, None] + 0.2 * x[None, :]   # linear: the winner is the long offset (7, 2)
    steep = np.tanh(9 * (x[:, None] - 0.4 * x[None, :]))
    smooth = random_landscapes(seed=8, count=4)
    rough = rng.standard_normal((3, 41, 41)).astype(np.float32)
    cases = [oblique, steep, oblique.astype(np.float32), *smooth, *rough]
    for norm_type in NORM_TYPES:
        looped = np.array([_estimate_lipschitz_loop(case, 0.05, norm_type) for case in cases])
        singles = np.array([estimate_lipschitz(RANGE, 41, case, norm_type) for case in cases])
        # a few landscapes at once and many at once (the axis values take either path of _axis_extremes)
        few = lipschitz_batch(np.stack(cases[:4]), 0.05, norm_type)
        many = np.concatenate([lipschitz_batch(np.stack(cases[3:]), 0.05, norm_type, chunk_size=len(cases)),
                               lipschitz_batch(np.stack(cases[:3]), 0.05, norm_type)])
        np.testing.assert_array_equal(singles, looped)
        np.testing.assert_array_equal(few, looped[:4])
        np.testing.assert_array_equal(many, np.concatenate([looped[3:], looped[:3]]))
    assert estimate_lipschitz(RANGE, 41, oblique) == pytest.approx(np.hypot(0.7, 0.2), rel=1e-12)


@pytest.mark.parametrize("points", [2, 3, 4, 6])
def test_pruned_scan_on_tiny_grids(points):
    rng = np.random.default_rng(points)
    batch = rng.standard_normal((10, points, points))
    interval = 2 / (points - 1)
    looped = [_estimate_lipschitz_loop(case, interval, "L-2") for case in batch]
    np.testing.assert_array_equal(lipschitz_batch(batch, interval), looped)
    np.testing.assert_array_equal(lipschitz_batch(batch[:2], interval), looped[:2])
    assert lipschitz_batch(np.zeros((1, 1, 1)), 1.0).tolist() == [0.0]


def test_chunk_size_must_be_a_positive_integer():
    batch = random_landscapes(seed=4, count=1)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="chunk_size"):
            lipschitz_batch(batch, 0.05, chunk_size=bad)
    for bad in (1.5, True, "2"):
        with pytest.raises(TypeError, match="chunk_size"):
            lipschitz_batch(batch, 0.05, chunk_size=bad)
    np.testing.assert_array_equal(lipschitz_batch(batch, 0.05, chunk_size=1), lipschitz_batch(batch, 0.05))


def _tracked(sequence, norm_type="L-2", keep=None):
    """Estimates of a sequence of (n, p, p) batches by one LipschitzTracker, next to the fresh scans."""
    tracker = LipschitzTracker(sequence[0].shape[-1], 0.05, norm_type)
    pairs = []
    for t, batch in enumerate(sequence):
        if keep is not None and t in keep:
            tracker.keep(keep[t])
        pairs.append((tracker.estimate(batch), lipschitz_batch(batch, 0.05, norm_type)))
    return pairs


@pytest.mark.parametrize("norm_type", NORM_TYPES)
def test_tracker_equals_fresh_scans_on_small_and_large_steps(norm_type):
    rng = np.random.default_rng(5)
    base = random_landscapes(9, count=4).astype(np.float32)
    direction = random_landscapes(10, count=4).astype(np.float32)
    sequence = []
    for t in range(40):  # smooth drifts, then jumps, a constant landscape and a repeated batch
        step = 1e-4 * t if t < 20 else rng.uniform(0, 0.5)
        batch = (base + np.float32(step) * direction).astype(np.float32)
        if t == 25:
            batch[0] = 0.25
        if t == 30:
            batch = sequence[-1].copy()
        sequence.append(batch)
    for tracked, fresh in _tracked(sequence, norm_type):
        assert np.array_equal(tracked, fresh)


def test_tracker_ties_and_float64_and_keep():
    x = np.linspace(-1, 1, 41)
    plane = np.add.outer(x, x)                                    # every diagonal offset ties
    ridge = np.abs(np.subtract.outer(x, x))
    batch = np.stack([plane, ridge, plane * 0.5, ridge * 3])
    sequence = [batch * (1 + 1e-9 * t) for t in range(6)] + [batch[::-1] * (1 + 1e-3 * t) for t in range(6)]
    for tracked, fresh in _tracked(sequence):
        assert np.array_equal(tracked, fresh)
    mask = np.array([True, False, True, True])
    sequence = [batch.astype(np.float32)] * 3 + [batch[mask].astype(np.float32) * np.float32(1 + 1e-4 * t)
                                                for t in range(4)]
    for tracked, fresh in _tracked(sequence, keep={3: mask}):
        assert np.array_equal(tracked, fresh)


def test_tracker_bounds_hold_for_adversarial_ulp_changes():
    """Changes of one ulp at single grid points (where the carried bounds are tightest) never break equality."""
    rng = np.random.default_rng(3)
    batch = random_landscapes(4, count=3).astype(np.float32)
    sequence = [batch]
    for _ in range(60):
        nxt = sequence[-1].copy()
        k, i, j = rng.integers(0, nxt.shape[0]), rng.integers(0, 41), rng.integers(0, 41)
        nxt[k, i, j] = np.nextafter(nxt[k, i, j], np.float32(rng.choice([-2, 2])))
        if rng.uniform() < 0.2:
            nxt[k] = np.float32(rng.choice([-1, 1])) * nxt[k].max()
        sequence.append(nxt)
    for tracked, fresh in _tracked(sequence):
        assert np.array_equal(tracked, fresh)


def test_tracker_rejects_bad_shapes():
    tracker = LipschitzTracker(5, 0.5)
    with pytest.raises(ValueError, match="shape"):
        tracker.estimate(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="NaN"):
        tracker.estimate(np.full((1, 5, 5), np.nan))
    assert np.array_equal(tracker.estimate(np.zeros((2, 5, 5))), [0.0, 0.0])


def test_pruned_scan_bounds_cover_every_offset_and_winner_gives_the_estimate():
    from effect.robustness import _extremes, _lipschitz_chunk, offset_distances

    chunk = np.ascontiguousarray(random_landscapes(6, count=2).astype(np.float32))
    distances = offset_distances(41, 0.05)
    best, upper, winner = _lipschitz_chunk(chunk, distances, bounds=True)
    assert np.array_equal(best, lipschitz_batch(chunk, 0.05))
    exact = np.stack([_extremes(chunk, *divmod(offset, 41)) for offset in range(41 * 41)], axis=1)
    assert (upper >= exact).all()
    assert (upper == exact).any(axis=1).all() and (upper > exact).any()
    np.testing.assert_array_equal(exact[np.arange(len(chunk)), winner] / distances.ravel()[winner], best)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pair_scan_equals_per_offset_extremes(dtype, monkeypatch):
    """Every (landscape, offset) pair, in one call, is bit for bit the per-offset scan of that landscape."""
    from effect import robustness
    from effect.robustness import _extremes, _pair_extremes, _padded

    rng = np.random.default_rng(12)
    points = 9
    chunk = np.concatenate([rng.standard_normal((3, points, points)),
                            random_landscapes(13, count=1, points=points)]).astype(dtype)
    chunk[1] *= 1e-3
    exact = np.stack([_extremes(chunk, *divmod(offset, points)) for offset in range(points * points)], axis=1)
    nets, offsets = np.divmod(np.arange(chunk.shape[0] * points * points), points * points)
    keep = offsets > 0
    nets, offsets = nets[keep], offsets[keep]
    corner = points * points - 1                            # (p - 1, p - 1): one A and one B difference
    axes = np.r_[1:points, points : points * points : points]
    assert set(axes) | {corner} <= set(offsets.tolist())
    order = rng.permutation(nets.size)                      # any order, with repeats
    nets, offsets = np.r_[nets[order], nets[:5]], np.r_[offsets[order], offsets[:5]]
    padded = _padded(chunk)
    for block_bytes in (robustness._PAIR_BYTES, 3 * points * points * chunk.itemsize):  # one block, many blocks
        monkeypatch.setattr(robustness, "_PAIR_BYTES", block_bytes)
        values = _pair_extremes(padded, nets, offsets)
        assert values.dtype == np.float64
        np.testing.assert_array_equal(values, exact[nets, offsets])
    p = 41
    big = random_landscapes(14, count=1).astype(dtype)
    offsets = np.array([1, p, p + 1, p - 1, (p - 1) * p, p * p - 1, 7 * p + 2])
    np.testing.assert_array_equal(_pair_extremes(_padded(big), np.zeros(offsets.size, dtype=int), offsets),
                                  [_extremes(big, *divmod(int(offset), p))[0] for offset in offsets])


@pytest.mark.parametrize("dtype, width", [(np.float32, 16), (np.float64, 16), (np.float32, 1)])
def test_tracker_over_many_drifting_landscapes(dtype, width, monkeypatch):
    """40 landscapes drifting at different speeds, some jumping, one leaving: the fresh scans, bit for bit."""
    from effect import robustness

    monkeypatch.setattr(robustness, "_ROUND_WIDTH", width)  # a round per candidate of a landscape, or a few
    rng = np.random.default_rng(15)
    base = random_landscapes(16, count=14)[:40].astype(dtype)
    direction = random_landscapes(17, count=14)[:40].astype(dtype)
    speed = rng.uniform(0, 3e-3, size=(40, 1, 1)).astype(dtype)
    sequence, keep = [], {}
    mask = np.ones(40, dtype=bool)
    for t in range(30):
        batch = base + (t * speed) * direction + dtype(1e-3 * np.sin(t)) * direction[::-1]
        if t in (10, 20):
            batch[::7] = rng.permutation(batch[::7])       # a few landscapes jump
        if t == 15:
            mask = np.arange(40) != 3
            keep[t] = mask
        sequence.append(np.ascontiguousarray(batch[mask]).astype(dtype))
    tracker = LipschitzTracker(41, 0.05)
    for t, batch in enumerate(sequence):
        if t in keep:
            tracker.keep(keep[t])
        assert np.array_equal(tracker.estimate(batch), lipschitz_batch(batch, 0.05))
    assert tracker.scans > 0


def test_pruned_scan_pads_a_few_landscapes_at_a_time(monkeypatch):
    from effect import robustness

    batch = random_landscapes(18, count=2).astype(np.float32)
    expected = np.array([_estimate_lipschitz_loop(landscape, 0.05, "L-2") for landscape in batch])
    monkeypatch.setattr(robustness, "_PAD_BYTES", 2 * 81 * 81 * 4)  # two landscapes padded at a time
    np.testing.assert_array_equal(lipschitz_batch(batch, 0.05), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axis_extremes_all_shifts_at_once_or_one_by_one(dtype, monkeypatch):
    from effect import robustness
    from effect.robustness import _axis_extremes, _extremes

    chunk = np.ascontiguousarray(random_landscapes(19, count=1)[:3].astype(dtype))
    chunk[2] = np.random.default_rng(19).standard_normal((41, 41))
    expected = (np.stack([_extremes(chunk, i, 0) for i in range(41)], axis=1),
                np.stack([_extremes(chunk, 0, j) for j in range(41)], axis=1))
    expected[0][:, 0] = expected[1][:, 0] = 0.0
    for budget in (0, 1 << 30):  # one call per shift, all shifts at once
        monkeypatch.setattr(robustness, "_LAGWISE_BYTES", budget)
        rows, cols = _axis_extremes(chunk)
        np.testing.assert_array_equal(rows, expected[0])
        np.testing.assert_array_equal(cols, expected[1])


def test_tracker_starts_afresh_after_a_failed_call(monkeypatch):
    from effect import robustness

    base = random_landscapes(20, count=2).astype(np.float32)
    tracker = LipschitzTracker(41, 0.05)
    tracker.estimate(base)

    def fail(*args):
        raise RuntimeError("interrupted")

    jumped = np.ascontiguousarray(base.transpose(0, 2, 1)[:, ::-1])  # the steepest offsets move
    with monkeypatch.context() as patch:
        patch.setattr(robustness, "_pair_extremes", fail)
        with pytest.raises(RuntimeError, match="interrupted"):
            tracker.estimate(jumped)  # fails after taking in the new landscapes
    for t in range(3):
        later = jumped * np.float32(1 + 1e-4 * t)
        assert np.array_equal(tracker.estimate(later), lipschitz_batch(later, 0.05))
