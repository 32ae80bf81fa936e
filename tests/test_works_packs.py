"""Packers of tasks 1-2 (works/tasks/motifs_packs.py, escape_packs.py) on a small synthetic raw folder.

Expected values are computed independently here: scipy KDEs and loops over the same inputs,
closed-form curvature cases, numpy landscapes/gradients of the motif formulas, scipy's spearmanr.
"""

import numpy as np
import pytest
from scipy import stats

from effect.structures import structure_parameters, weight_signs
from works import layout
from works import run_2_packs as rp
from works import summaries as sm
from works._io import load_json, load_pack, save_npy, save_npz
from works.tasks import escape_packs, motifs, motifs_packs

STRUCTURES = ("incoherent-loop.1", "coherent-loop.1", "coherent-loop.2")


def make_raw(out, seed=0, records=3, steps=8):
    """Synthetic task 1–2 raw data in the contract formats."""
    rng = np.random.default_rng(seed)
    raw = out / "raw"
    for s in STRUCTURES:
        motif_type, k = s.rsplit(".", 1)
        p = structure_parameters(s, [0.2, 0.6, 1.0], [-1.0, 0.0, 1.0])
        save_npy(raw / layout.parameters_file(s), p)
        save_npy(raw / layout.robustness_file(s), rng.uniform(0.7, 2.4, len(p)))
        save_npy(raw / layout.tradeoff_file(s), np.c_[rng.uniform(0.7, 1.5, len(p)), rng.uniform(0, 0.05, len(p))])
        save_npy(raw / layout.selection_file(s), rng.choice(len(p), records, replace=False))
        sign = np.array(weight_signs(motif_type, int(k)))
        escaper = np.concatenate([sign * rng.uniform(0.05, 1, (records, steps, 3)),
                                  rng.uniform(-1, 1, (records, steps, 2))], -1)
        catcher = np.concatenate([rng.uniform(0.1, 1, (records, steps, 2)), rng.uniform(-1, 1, (records, steps, 1))],
                                 -1)
        save_npz(raw / layout.escape_file(s),
                 {"escaper": escaper, "catcher": catcher, "choice": rng.integers(0, 4, (records, steps)),
                  "loss": rng.uniform(0, 0.1, (records, steps))})
    motifs.unit_imitation({"loop": list(motifs_packs.EXAMPLE_LOOP), "steps": 20, "learn_rate": 1e-3, "points": 41},
                          raw, None)
    return raw


def numpy_landscape(row, points=41):
    """Independent float64 landscape of a loop (5 params) or collider (3 params), min-max normalised."""
    v = np.linspace(-1, 1, points)
    x, y = np.meshgrid(v, v, indexing="ij")
    if len(row) == 5:
        h = np.tanh(row[0] * x + y + row[3])
        r = np.tanh(row[1] * x + row[2] * h + row[4])
    else:
        r = np.tanh(row[0] * x + row[1] * y + row[2])
    return 2 * (r - r.min()) / (r.max() - r.min()) - 1


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    out = tmp_path_factory.mktemp("packs")
    make_raw(out)
    status = rp.pack_all(out, scale="smoke")
    return out, status


def test_status_and_manifest(packed):
    out, status = packed
    for name in ("main02", "main03", "main04", "supp01", "supp02", "supp04", "supp05", "supp06", "supp07", "supp08"):
        assert status[name] == "built", (name, status[name])
    manifest = load_json(out / "data" / "manifest.json")["units"]
    assert layout.robustness_file("coherent-loop.2") in manifest["main02"]["inputs"]
    assert layout.imitation_file() in manifest["main02"]["inputs"]
    assert manifest["main03"]["scale"] == "smoke"


def test_main02_kdes_and_joint(packed):
    out, _ = packed
    pack = load_pack(out / "data" / "main02.npz")
    raw = out / "raw"
    lip = np.concatenate([np.load(raw / layout.robustness_file(s)) for s in ("coherent-loop.1", "coherent-loop.2")])
    x = np.linspace(0.6, 2.4, 100)
    np.testing.assert_allclose(pack["b"]["coherent-loop"]["y"], stats.gaussian_kde(lip)(x), rtol=1e-12)
    trade = {s: np.load(raw / layout.tradeoff_file(s)) for s in STRUCTURES}
    loss = trade["incoherent-loop.1"][:, 1]
    np.testing.assert_allclose(pack["c"]["incoherent-loop"]["y"],
                               stats.gaussian_kde(loss[loss <= 0.03])(np.linspace(0, 0.03, 100)), rtol=1e-12)
    # joint counts by an explicit loop over points (nearest grid point on each axis)
    counts = {}
    for motif_type, names in (("incoherent-loop", ["incoherent-loop.1"]),
                              ("coherent-loop", ["coherent-loop.1", "coherent-loop.2"])):
        m = np.zeros((100, 100))
        for s in names:
            robust = np.load(raw / layout.robustness_file(s))
            for d, r in zip(trade[s][:, 1], robust):
                if 0 <= d <= 0.03 and 0.6 <= r <= 2.4:
                    m[int(np.argmin(np.abs(np.linspace(0.6, 2.4, 100) - r))),
                      int(np.argmin(np.abs(np.linspace(0, 0.03, 100) - d)))] += 1
        counts[motif_type] = m
    peak = max(m.max() for m in counts.values())
    np.testing.assert_allclose(pack["d"], counts["incoherent-loop"] / peak)
    np.testing.assert_allclose(pack["e"], counts["coherent-loop"] / peak)
    assert pack["a"]["points"].shape == (1 + 4 * 21, 2)
    assert pack["a"]["points"].min() == 0 and pack["a"]["points"].max() == 1


def test_main02_first_catcher_step_matches_spec():
    # the worked example of docs: after the first Adam step collider.1 becomes ≈ (0.499, 0.501, 0.001)
    states = motifs.imitation_trajectories(motifs_packs.EXAMPLE_LOOP, 1)
    np.testing.assert_allclose(states[0, 1], [0.499, 0.501, 0.001], atol=2e-6)
    np.testing.assert_allclose(states[:, 0], [[0.5, 0.5, 0], [0.5, -0.5, 0], [-0.5, 0.5, 0], [-0.5, -0.5, 0]])


def test_main03_extremes_by_loop(packed):
    out, _ = packed
    pack = load_pack(out / "data" / "main03.npz")
    expected_w, expected_b = [], []
    for s in ("coherent-loop.1", "coherent-loop.2"):
        data = np.load(out / "raw" / layout.escape_file(s))
        for e in range(data["loss"].shape[0]):
            losses = list(data["loss"][e])
            lo, hi = losses.index(min(losses)), losses.index(max(losses))
            expected_w.append((abs(data["escaper"][e, lo, 0]), abs(data["escaper"][e, hi, 0])))
            expected_b.append((abs(data["escaper"][e, lo, 3]), abs(data["escaper"][e, hi, 3])))
    np.testing.assert_array_equal(pack["d"], np.array(expected_w).T)
    np.testing.assert_array_equal(pack["e"], np.array(expected_b).T)
    assert pack["b"].shape == (2, 3)


@pytest.mark.parametrize("surface, label", [(lambda x, y: -(x ** 2 + y ** 2), 1), (lambda x, y: x ** 2 + y ** 2, -1),
                                            (lambda x, y: x ** 2 - y ** 2, 0), (lambda x, y: x * y, 0)])
def test_curvature_closed_forms(surface, label):
    v = np.linspace(-1, 1, 41)
    x, y = np.meshgrid(v, v, indexing="ij")
    labels = sm.curvature_batch(surface(x, y)[None], 0.05)
    assert np.all(labels == label)


def test_curvature_matches_per_item_reference():
    operations = pytest.importorskip("effect.operations")
    if not hasattr(operations, "detect_curvature_feature"):
        pytest.skip("effect.operations.detect_curvature_feature not available")
    rng = np.random.default_rng(1)
    surfaces = np.stack([numpy_landscape(np.r_[rng.uniform(-1, 1, 5)], 21) for _ in range(4)])
    batched = sm.curvature_batch(surfaces, 0.05)
    for s, b in zip(surfaces, batched):
        np.testing.assert_array_equal(operations.detect_curvature_feature(s, 0.05), b)


def test_main04_and_supp06_proportions(packed):
    out, _ = packed
    main04 = load_pack(out / "data" / "main04.npz")
    supp08 = load_pack(out / "data" / "supp08.npz")
    data = np.load(out / "raw" / layout.escape_file("coherent-loop.2"))
    for e in range(3):
        lo, hi = np.argmin(data["loss"][e]), np.argmax(data["loss"][e])
        expected = []
        for row in (data["escaper"][e, lo], data["escaper"][e, hi]):
            labels = sm.curvature_batch(numpy_landscape(row, 101)[None], 0.01)[0]
            expected.append(max(np.sum(labels == 1), np.sum(labels == -1)) / 101 ** 2)
        # float32 vs float64 landscapes may flip a few near-flat cells
        np.testing.assert_allclose(main04["d"][3 + e, :2], expected, atol=5 / 101 ** 2)
        np.testing.assert_allclose(supp08["b"][e], expected, atol=5 / 101 ** 2)
        # colliders are tanh of a linear form (rank-1 Hessian): labels are rounding-decided, so compare the
        # batched path with the per-item engine path exactly instead of with float64 numpy
        for column, row in ((2, data["catcher"][e, lo]), (3, data["catcher"][e, hi])):
            labels = sm.curvature_batch(sm.landscapes(row[None], "collider", 101), 0.01)[0]
            assert main04["d"][3 + e, column] == max(np.sum(labels == 1), np.sum(labels == -1)) / 101 ** 2
    assert main04["c"].shape == (3, 4) and main04["d"].shape == (6, 4)
    assert main04["a"]["structure"] == "incoherent-loop.1" and int(main04["a"]["record"]) == 2


def test_supp04_snapshots(packed):
    out, _ = packed
    pack = load_pack(out / "data" / "supp04.npz")
    raw = out / "raw"
    selection = np.load(raw / layout.selection_file("coherent-loop.1"))
    initial = np.load(raw / layout.parameters_file("coherent-loop.1"))[selection[2]]
    assert int(pack["a"]["record"]) == 2   # record 42 clipped to the 3 records present
    np.testing.assert_allclose(pack["a"]["landscapes"][0], numpy_landscape(initial), atol=2e-6)
    escaper = np.load(raw / layout.escape_file("coherent-loop.1"))["escaper"]
    assert pack["a"]["iterations"].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    np.testing.assert_allclose(pack["a"]["landscapes"][-1], numpy_landscape(escaper[2, 7]), atol=2e-6)


def test_row_spearman_matches_scipy():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(5, 50)), rng.normal(size=(5, 50))
    a[0, :10] = 1.0  # ties
    expected = [stats.spearmanr(x, y).statistic for x, y in zip(a, b)]
    np.testing.assert_allclose(sm.row_spearman(a, b), expected, rtol=1e-12)


def test_gradient_norms_match_finite_differences():
    row = np.array([-0.7, 0.4, 0.9, 0.2, -0.3])
    v = np.linspace(-1, 1, 11)
    x, y = np.meshgrid(v, v, indexing="ij")

    def raw(x, y):
        return np.tanh(row[1] * x + row[2] * np.tanh(row[0] * x + y + row[3]) + row[4])

    h = 1e-6
    gx = (raw(x + h, y) - raw(x - h, y)) / (2 * h)
    gy = (raw(x, y + h) - raw(x, y - h)) / (2 * h)
    np.testing.assert_allclose(sm.gradient_norms(row[None], "incoherent-loop", 11)[0], np.hypot(gx, gy), atol=1e-5)


def test_supp05_correlations_slow_path(packed):
    out, _ = packed
    data = np.load(out / "raw" / layout.escape_file("coherent-loop.2"))
    escaper, loss = data["escaper"][1], data["loss"][1]
    got = escape_packs.escape_correlations(escaper, loss, "coherent-loop")
    start, stop = int(np.argmin(loss)), int(np.argmax(loss))
    expected = []
    for t in range(start, stop - 1):
        grad = sm.gradient_norms(escaper[t][None], "coherent-loop")[0]
        change = np.abs(numpy_landscape(escaper[t + 1]) - numpy_landscape(escaper[t]))
        expected.append(stats.spearmanr(grad.ravel(), change.ravel()).statistic)
    assert got.shape == (max(stop - start - 1, 0),)
    np.testing.assert_allclose(got, expected, atol=0.02)  # float32 landscapes vs float64 ranks
    pack = load_pack(out / "data" / "supp05.npz")
    assert pack["a"].shape == (3, 100) and pack["b"].shape == (3, 100)
    np.testing.assert_allclose(pack["b"].sum(axis=1)[pack["b"].sum(axis=1) > 0], 1.0)


def test_supp07_regions(packed):
    out, _ = packed
    pack = load_pack(out / "data" / "supp07.npz")
    data = np.load(out / "raw" / layout.escape_file("incoherent-loop.1"))
    expected = []
    for e in range(3):
        lo, hi = np.argmin(data["loss"][e]), np.argmax(data["loss"][e])
        first, second = numpy_landscape(data["escaper"][e, lo], 101), numpy_landscape(data["escaper"][e, hi], 101)
        l1, l2 = sm.curvature_batch(np.stack([first, second]), 0.01)
        p1, p2 = (max(np.sum(lab == 1), np.sum(lab == -1)) for lab in (l1, l2))
        if p2 < p1:
            ridge = not np.any(l1 == 1)
            expected.append(((first > 0).mean(), (second > 0).mean()) if ridge else
                            ((first < 0).mean(), (second < 0).mean()))
    np.testing.assert_allclose(pack["b"], np.array(expected).reshape(-1, 2), atol=5e-4)


def test_supp01_layout(packed):
    out, _ = packed
    pack = load_pack(out / "data" / "supp01.npz")
    # incoherent all (a), incoherent-1 (b), coherent all (f), coherent-1 (g), coherent-2 (h)
    assert sorted(pack) == ["a", "b", "f", "g", "h", "meta"]
    lip = np.load(out / "raw" / layout.robustness_file("coherent-loop.2"))
    np.testing.assert_allclose(pack["h"]["y"], stats.gaussian_kde(lip)(np.linspace(0.6, 2.4, 100)), rtol=1e-12)
    assert str(pack["h"]["type"]) == "coherent-loop" and int(pack["h"]["index"]) == 2


def test_rebuild_on_changed_input(tmp_path):
    make_raw(tmp_path, records=2, steps=4)
    names = ["main03", "supp06"]
    assert rp.pack_all(tmp_path, "smoke", names=names) == {"main03": "built", "supp06": "built"}
    assert rp.pack_all(tmp_path, "smoke", names=names) == {"main03": "current", "supp06": "current"}
    path = tmp_path / "raw" / layout.escape_file("coherent-loop.1")
    data = dict(np.load(path))
    data["loss"] = data["loss"][:, ::-1].copy()
    save_npz(path, data)
    assert rp.pack_all(tmp_path, "smoke", names=names) == {"main03": "built", "supp06": "current"}
    assert rp.pack_all(tmp_path, "quick", names=["supp06"]) == {"supp06": "built"}


def test_missing_raw_is_skipped_and_bad_arguments(tmp_path):
    status = rp.pack_all(tmp_path, "smoke", names=["main02", "supp04"])
    assert status["main02"].startswith("skipped") and status["supp04"].startswith("skipped")
    assert not (tmp_path / "data" / "main02.npz").exists()
    with pytest.raises(ValueError, match="scale"):
        rp.pack_all(tmp_path, "huge")
    with pytest.raises(ValueError, match="names"):
        rp.pack_all(tmp_path, "smoke", names=["main99"])


def test_kde_curve_degenerate():
    x, y = sm.kde_curve([0.5, 0.5], 0, 1, 11)
    assert y.sum() == 1 and y[5] == 1
    assert sm.kde_curve([], 0, 1, 11)[1].sum() == 0


def test_supp09_target_landscapes(tmp_path):
    pytest.importorskip("effect.expression")
    rp.pack_all(tmp_path, "smoke", names=["supp09"])
    pack = load_pack(tmp_path / "data" / "supp09.npz")
    assert str(pack["b"]["name"]) == "Quadratic Saddle"
    np.testing.assert_allclose(pack["b"]["landscape"][20, 20], -2 / 3, atol=1e-6)  # closed form at the centre
    np.testing.assert_allclose(pack["c"]["landscape"][0, 0], 1.0, atol=1e-6)
