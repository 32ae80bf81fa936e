"""Task-5 restricted fits stored as statistics (works/tasks/networks_statistics.py, the paper preset).

Packs from statistics files are compared with packs from the per-chunk trace files of the same fits: S15–S18,
S20, S21 and S23 must be equal array for array; S19/S22 too while every run stored all its differences, and
otherwise their densities are binned KDEs checked against scipy's exact KDE within a stated tolerance.
"""

import dataclasses

import numpy as np
import pytest
from scipy import stats
from test_works_packs_3to5 import QS, make_unrestricted
from test_works_restricted_storage import _assert_same, _rows, _streamed

from works._io import save_npz
from works.run_2_packs import pack_one
from works.scales import get_scale
from works.summaries import kde_density_2d
from works.tasks import networks, networks_packs, networks_statistics
from works.tasks.networks_packs import S19_POINTS, S19_RANGE, S22_POINTS, S22_RANGE, run_differences
from works.tasks.networks_statistics import Binner, binned_density, load_statistics, write_statistics
from works.tasks.networks_traces import gather_summaries, write_chunk

PACKS = [f"supp{n}" for n in range(15, 24)]


def _statistics(raw, rows, name, chunk=3):
    """As ``_streamed`` but storing statistics; the S20 rows of each chunk as the planner chooses them."""
    chunks = []
    for k in range(11):
        mine = [r for r in rows if r["k"] == k]
        for start in range(0, len(mine), chunk):
            part = mine[start:start + chunk]
            second, storage = networks._restricted_storage("statistics", name, k, start, 1, len(mine), len(part))
            summary = f"units/network-scale/{name}/restricted.k{k:02d}.{start:05d}.npz"
            assert second == summary.replace(".npz", ".statistics.npz")
            write_chunk(raw, summary, second, part, 60, "statistics", storage["curve_rows"])
            chunks.append(summary)
    save_npz(raw / f"network-scale/incoherent.vs.coherent.{name}.npz", gather_summaries(raw, chunks, name, 4, 1e-3))
    return chunks


def _both(tmp_path, rows):
    traces, statistics = tmp_path / "traces", tmp_path / "statistics"
    for out in (traces, statistics):
        make_unrestricted(out / "raw", np.random.default_rng(1))
    _streamed(traces / "raw", rows, QS)
    _statistics(statistics / "raw", rows, QS)
    return traces, statistics


@pytest.mark.parametrize("curves", [200, 2])
def test_statistics_give_the_packs_of_the_traces_when_nothing_is_subsampled(tmp_path, monkeypatch, curves):
    # runs of 3-15 samples: every difference is stored, so even S19/S22 (Spearman and exact KDE) are equal;
    # curves = 2 makes S20 draw 2 of the 4 runs of each k, spread over chunks of 3 rows
    monkeypatch.setattr(networks_packs, "S20_CURVES", curves)
    rows = _rows(np.random.default_rng(5), True, seeds=4)
    traces, statistics = _both(tmp_path, rows)
    assert not list((statistics / "raw").rglob("*.traces.npz"))
    for name in PACKS:
        expected, _ = pack_one(traces, name, "smoke")
        got, read = pack_one(statistics, name, "smoke")
        _assert_same(expected, got, name)
        if name in ("supp19", "supp20", "supp21", "supp22", "supp23"):
            assert any(str(path).endswith(".statistics.npz") for path in read), name


def test_subsampled_statistics_keep_s20_s21_s23_exact_and_s19_s22_shapes(tmp_path, monkeypatch):
    monkeypatch.setattr(networks_statistics, "SUBSAMPLE", 2)
    rows = _rows(np.random.default_rng(6), True, seeds=3)
    traces, statistics = _both(tmp_path, rows)
    for name in PACKS[4:]:
        expected, _ = pack_one(traces, name, "smoke")
        got, _ = pack_one(statistics, name, "smoke")
        if name not in ("supp19", "supp22"):
            _assert_same(expected, got, name)
            continue
        assert sorted(got) == sorted(expected), name
        for key, value in expected.items():
            if isinstance(value, dict) and key != "meta":
                assert sorted(got[key]) == sorted(value)
                assert got[key]["density"].shape == value["density"].shape
                assert np.all(got[key]["density"] >= 0) and np.max(got[key]["density"]) <= 1
    # each run's stored pairs: at most 2, in order, rows of its differences
    chunk = load_statistics(statistics / "raw" / f"units/network-scale/{QS}/restricted.k04.00000.statistics.npz")
    for local, row in enumerate(r for r in rows if r["k"] == 4):
        every = run_differences({"step": row["steps"], **row["trace"]})
        start, stop = chunk["deltas/offsets"][local:local + 2]
        stored = np.c_[chunk["deltas/step"][start:stop], chunk["deltas/loss"][start:stop],
                       chunk["deltas/lipschitz"][start:stop], chunk["deltas/variance"][start:stop]]
        assert chunk["differences"][local] == len(every) and len(stored) == min(2, len(every))
        positions = [int(np.flatnonzero((every == pair).all(axis=1))[0]) for pair in stored]
        assert positions == sorted(set(positions))


def _gaussian(rng, n, mean, std, correlation):
    covariance = np.outer(std, std) * np.array([[1, correlation], [correlation, 1]])
    return rng.multivariate_normal(mean, covariance, n).T


@pytest.mark.parametrize("figure, mean, std", [("s19", (0.02, 0.001), (0.008, 0.0015)),
                                               ("s22", (-0.004, -0.001), (0.002, 0.0015))])
def test_binned_density_agrees_with_the_exact_kde(figure, mean, std):
    # 5,000 pairs (under KDE_POINTS: the exact KDE uses all of them, so the bandwidths agree up to the binning);
    # tolerance: 0.005 of the peak everywhere on the figure's grid
    x, y = _gaussian(np.random.default_rng(7), 5000, mean, std, 0.6)
    binner = Binner(figure)
    binner.add(x, y)
    (x_range, y_range), points, _ = networks_statistics.FIGURES[figure]
    grid_x, grid_y = np.linspace(*x_range, points), np.linspace(*y_range, points)
    binned = {"counts": binner.counts, "origin": binner.origin, "width": binner.width, "moments": binner.moments}
    exact = kde_density_2d(x, y, grid_x, grid_y)
    got = binned_density(binned, grid_x, grid_y)
    assert got.shape == exact.shape == (points, points)
    assert np.max(np.abs(got - exact)) < 5e-3
    # the moments are those of every pair
    np.testing.assert_allclose(binner.moments[3:] / (len(x) - 1), np.cov(x, y)[[0, 0, 1], [0, 1, 1]], rtol=1e-10)


def test_binned_density_is_the_kernel_sum_over_the_bins():
    # the FFT convolution equals the direct sum of the kernel over the bin centres, weighted by the counts
    rng = np.random.default_rng(8)
    x, y = _gaussian(rng, 300, (-0.004, -0.001), (0.003, 0.002), -0.3)
    x[:5] = 0.5                                                                   # outside: not in the density
    binner = Binner("s22")
    binner.add(x, y)
    assert binner.outside == 5 and binner.counts.sum() == 295
    binned = {"counts": binner.counts, "origin": binner.origin, "width": binner.width, "moments": binner.moments}
    grid_x, grid_y = np.linspace(*S22_RANGE[0], S22_POINTS), np.linspace(*S22_RANGE[1], S22_POINTS)
    n = binner.moments[0]
    covariance = np.cov(x, y) * n ** (-1 / 3)
    rows, columns = np.nonzero(binner.counts)
    centres = np.c_[binner.origin[0] + columns * binner.width[0], binner.origin[1] + rows * binner.width[1]]
    weights = binner.counts[rows, columns]
    gx, gy = np.meshgrid(grid_x, grid_y)
    points = np.c_[gx.ravel(), gy.ravel()]
    direct = np.array([weights @ stats.multivariate_normal(point, covariance).pdf(centres) for point in points])
    direct = direct.reshape(gx.shape) / direct.max()
    np.testing.assert_allclose(binned_density(binned, grid_x, grid_y), direct, atol=1e-9)
    # degenerate samples give zeros, as the exact KDE does
    empty = Binner("s19")
    empty.add(np.array([0.01, 0.02]), np.array([0.0, 0.001]))
    single = {"counts": empty.counts, "origin": empty.origin, "width": empty.width, "moments": empty.moments}
    assert not binned_density(single, np.linspace(*S19_RANGE[0], S19_POINTS), np.linspace(*S19_RANGE[1],
                                                                                           S19_POINTS)).any()


def test_moments_combine_as_those_of_all_pairs():
    x, y = _gaussian(np.random.default_rng(9), 101, (0.0, 1.0), (1.0, 2.0), 0.4)
    whole, halves = Binner("s19"), Binner("s19")
    whole.add(x, y)
    halves.add(x[:40], y[:40])
    halves.add(x[40:], y[40:])
    np.testing.assert_allclose(halves.moments, whole.moments, rtol=1e-12)


def test_long_runs_store_a_seeded_sample_of_their_differences(tmp_path):
    # one run of 600 samples without collapse: 599 differences, 256 stored, the same for the same key and seed
    rng = np.random.default_rng(10)
    n = 600
    trace = {"training_loss": np.sort(rng.uniform(0, 1, n))[::-1], "lipschitz": rng.uniform(0.9, 1.1, n),
             "sparsity": np.ones((n, 4)), "spectral_norm": rng.uniform(0, 2, (n, 4)),
             "gradient_variance": rng.uniform(0, 0.01, (n, 4)), "hessian": rng.normal(size=(n, 3))}
    row = {"key": "0000011111-1111111111", "seed": 0, "k": 5, "steps": np.arange(1, n + 1),
           "loss": trace["training_loss"], "trace": trace}
    for name in ("a.npz", "b.npz"):
        write_statistics(tmp_path / name, [row, dict(row, seed=1)], curve_rows=[1])
    a, b = load_statistics(tmp_path / "a.npz"), load_statistics(tmp_path / "b.npz")
    assert a["differences"].tolist() == [n - 1, n - 1] and a["deltas/offsets"].tolist() == [0, 256, 512]
    np.testing.assert_array_equal(a["deltas/loss"], b["deltas/loss"])
    assert not np.array_equal(a["deltas/step"][:256], a["deltas/step"][256:])     # another seed, another sample
    steps = a["deltas/step"][:256]
    assert np.all(np.diff(steps) > 0)
    loss = trace["training_loss"]
    np.testing.assert_array_equal(a["deltas/loss"][:256], loss[steps - 1] - loss[steps])
    # S19's histogram holds every pair (inside or outside), and only row 1's curve is kept, whole
    assert a["s19/count"].sum() + a["s19/outside"] == 2 * (n - 1) == a["s19/moments"][0]
    assert a["s20/rows"].tolist() == [1] and a["s20/step"].tolist() == list(range(1, n + 1))
    np.testing.assert_array_equal(a["s20/norm"], trace["spectral_norm"][:, [1, 2]])
    with pytest.raises(ValueError, match="one k"):
        write_statistics(tmp_path / "c.npz", [row, dict(row, k=4)])


def test_only_the_paper_preset_stores_statistics():
    assert get_scale("smoke").task5.trace_storage == get_scale("quick").task5.trace_storage == "full"
    assert get_scale("paper").task5.trace_storage == "statistics"
    smoke = get_scale("smoke")
    _, _, second, _ = networks.plan(smoke)
    for unit in second:   # full storage: the configs (and their hashes) of before, trace files
        assert "storage" not in unit.config and "curve_rows" not in unit.config
        assert unit.outputs[1].endswith(".traces.npz")
    scale = dataclasses.replace(smoke, task5=dataclasses.replace(smoke.task5, landscapes=("Branin",),
                                                                 restricted_indices="all",
                                                                 trace_storage="statistics"))
    _, _, second, _ = networks.plan(scale)
    for k in range(11):
        units = [u for u in second if f"/k{k:02d}/" in u.key]
        assert all(u.outputs[1].endswith(".statistics.npz") and u.config["storage"] == "statistics" for u in units)
        total = sum(len(u.config["configurations"]) for u in units)
        drawn = np.concatenate([np.array(u.config["curve_rows"], dtype=int) + int(u.key.rsplit("/", 1)[1])
                                for u in units])
        np.testing.assert_array_equal(drawn, networks_packs.curve_runs(total))
    bad = dataclasses.replace(smoke, task5=dataclasses.replace(smoke.task5, trace_storage="none"))
    with pytest.raises(ValueError, match="trace_storage"):
        networks.plan(bad)


def test_a_statistics_unit_stores_the_statistics_of_its_fits(tmp_path):
    # the same tiny unit (two configurations × two seeds, every metric) in both storages: the statistics file
    # holds what the helpers compute from the trace file, and the summaries differ only in the file they name
    from works.tasks.networks_traces import load_traces

    chosen = [c for c in networks.restricted_configurations("all") if c[1].count(0) == 3]
    base = dict(learn_rate=1e-2, patience=4, threshold=1e-2, points=41, metric_every=1, base_seed=7,
                semantics="reference", landscape="Branin", configurations=chosen[:2], seeds=2, series="task5/x/B",
                cap_from="", maximum_iteration=5)
    networks.unit_fit_restricted(dataclasses.asdict(networks.RestrictedFitUnit(**base, output="f.npz")), tmp_path, None)
    networks.unit_fit_restricted(dataclasses.asdict(networks.RestrictedFitUnit(
        **base, output="s.npz", traces="s.statistics.npz", storage="statistics", curve_rows=[1, 3])), tmp_path, None)
    with np.load(tmp_path / "f.npz") as full, np.load(tmp_path / "s.npz") as statistics:
        assert str(statistics["statistics"]) == "s.statistics.npz" and "traces" not in statistics.files
        for name in set(full.files) - {"traces"}:
            np.testing.assert_array_equal(full[name], statistics[name], err_msg=name)
    traces, chunk = load_traces(tmp_path / "f.traces.npz"), load_statistics(tmp_path / "s.statistics.npz")
    for j in range(4):
        start, stop = traces["trace/offsets"][j:j + 2]
        run = {key: traces[f"trace/{key}"][start:stop] for key in networks_packs.Restricted._TRACES}
        differences = run_differences(run)
        begin, end = chunk["deltas/offsets"][j:j + 2]
        np.testing.assert_array_equal(chunk["deltas/loss"][begin:end], differences[:, 1])
        np.testing.assert_array_equal(chunk["deltas/variance"][begin:end], differences[:, 3])
        np.testing.assert_array_equal(chunk["s23"][j], networks_packs.run_sign_counts(run))
        np.testing.assert_array_equal(chunk["s21"][j], [networks_packs.run_drop_spearman(run, c) for c in (1, 2)])
    assert chunk["s20/rows"].tolist() == [1, 3] and int(chunk["k"]) == 3
