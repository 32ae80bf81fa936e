"""Packers of tasks 3–5 (works/tasks/cartpole.py, uci.py, networks_packs.py) on a small synthetic raw folder.

The raw folder is written here with numpy in the formats of docs/raw-data.md. Expected values are computed
independently: explicit Python loops over repeats/runs, the spec's outcome rule written literally,
collections.Counter, scipy.stats.spearmanr and scipy.stats.gaussian_kde.
"""

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from works._io import load_json, load_pack, save_npz, save_pack
from works.layout import LETTERS
from works.run_2_packs import pack_all, pack_one
from works.summaries import kde_density_2d, spearman
from works.tasks.cartpole import classify_outcomes
from works.tasks.networks_packs import MILESTONES, first_reach
from works.tasks.uci import best_at_own_noise

NOISES = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
AGENTS = ["b", "i", "c"]                      # method "a" not run: its panels must be omitted
QS = "Quadratic Saddle"


def _scores(rng, shape):
    return rng.choice([150.0, 180.0, 194.9, 195.0, 200.0], size=shape)


def make_task3(raw, rng, repeats=7):
    a, t, k = len(AGENTS), 3, len(NOISES)
    save_npz(raw / "real-world/adjustments.1.npz", {
        "agents": np.array(AGENTS), "train_noises": NOISES[[0, 2, 4]], "eval_noises": NOISES,
        "generations_cap": np.int64(20), "train_fitness": rng.uniform(150, 200, (a, t, repeats)),
        "test": rng.uniform(100, 200, (a, t, repeats, k)), "generations": np.full((a, t, repeats), 20),
        "motif_counts": rng.integers(0, 5, (a, t, repeats, 12)), "motif_names": np.array([f"m{j}" for j in range(12)])})
    caps = np.array([20, 30, 40])
    test = _scores(rng, (a, 3, repeats, k))
    qualified = ((test >= 195).sum(-1) >= 4).sum(-1)
    save_npz(raw / "real-world/iterations.npz", {
        "agents": np.array(AGENTS), "eval_noises": NOISES, "train_noise": np.float64(0.3), "caps": caps,
        "train_fitness": rng.uniform(150, 200, (a, 3, repeats)), "test": test, "qualified": qualified,
        "pass_score": np.float64(195.0), "min_passes": np.int64(4)})
    long = _scores(rng, (a, 12, k))
    long[0, :4] = [[200, 199, 198, 196, 100],     # S (fails only at 0.4)
                   [190, 180, 185, 170, 160],     # F2
                   [160, 175, 185, 190, 170],     # F3
                   [200, 100, 100, 100, 100]]     # F1
    save_npz(raw / "real-world/adjustments.2.npz", {
        "agents": np.array(AGENTS), "eval_noises": NOISES, "train_noise": np.float64(0.3),
        "generations_cap": np.int64(100), "train_fitness": rng.uniform(150, 200, (a, 12)), "test": long})


def make_task4(raw, rng, repeats=6):
    tree = {}
    for domain, classes, features in (("biology", 5, 7), ("health-medicine", 3, 6)):
        tree[domain] = {"train_x": rng.uniform(0, 1, (40, features)), "test_x": rng.uniform(0, 1, (38, features)),
                        "train_y": rng.integers(0, classes - 1, 40), "test_y": rng.integers(0, classes, 38),
                        "label_number": np.int64(classes),
                        "feature_names": np.array([f"f{j}" for j in range(features)]),
                        "feature_types": np.array(["continuous"] * features),
                        "feature_ranges": np.zeros((features, 2)), "dataset": np.array(domain)}
        test = rng.uniform(0, 1, (len(AGENTS), 5, repeats, 5)).round(1)   # rounding creates ties
        save_npz(raw / f"real-world/{domain}.npz", {
            "agents": np.array(AGENTS), "train_noises": NOISES, "eval_noises": NOISES,
            "train_fitness": rng.uniform(0, 1, (len(AGENTS), 5, repeats)), "test": test})
    save_pack(raw / "real-world/uci.datasets.npz", tree)


def make_unrestricted(raw, rng, name=QS, seeds=4):
    tree = {"landscape": np.array(name), "motif_numbers": np.array([1, 3, 10])}
    for kind in ("collider", "loop"):
        tree[kind] = {}
        for n in (1, 3, 10):
            traces = [np.sort(10 ** rng.uniform(-3.5, 0.3, rng.integers(5, 40)))[::-1] for _ in range(seeds)]
            tree[kind][f"n{n}"] = {"values": np.concatenate(traces),
                                   "offsets": np.r_[0, np.cumsum([len(t) for t in traces])],
                                   "final_loss": np.array([t[-1] for t in traces]),
                                   "iterations": np.array([len(t) for t in traces])}
    save_pack(raw / f"network-scale/loop.vs.collider.{name}.npz", tree)


def _run(rng, k, every=4):
    length = int(rng.integers(10, 60))
    loss = np.sort(10 ** rng.uniform(rng.uniform(-4, -1.5), 0.4, length))[::-1]
    steps = np.unique(np.r_[np.arange(1, length + 1, every), length])
    n = len(steps)
    network = np.ones(n)
    if rng.uniform() < 0.6:
        network[rng.integers(1, n):] = 0.95
    sparsity = np.full((n, 4), np.nan)
    sparsity[:, 3] = network
    norm = np.full((n, 4), np.nan)
    for column, present in ((1, k < 10), (2, k > 0)):
        if present:
            sparsity[:, column] = np.minimum.accumulate(np.where(rng.uniform(size=n) < 0.5,
                                                                 rng.uniform(0.5, 1, n), 1.0))
            norm[:, column] = rng.uniform(0, 2.4, n)
    norm[:, 3] = rng.uniform(0, 2.4, n)
    variance = rng.uniform(0, 0.01, (n, 4))
    lipschitz = rng.choice([0.9, 1.0, 1.1], n)                      # repeated values: zero deltas
    hessian = rng.choice([-1.0, 0.5, 2.0], (n, 3))
    hessian[rng.uniform(size=n) < 0.3] = np.nan                      # Hessian not computed at every sample
    return {"loss": loss, "step": steps, "training_loss": loss[steps - 1], "lipschitz": lipschitz,
            "sparsity": sparsity, "spectral_norm": norm, "gradient_variance": variance, "hessian": hessian}


def make_restricted(raw, rng, name=QS, seeds=3, with_loss=True, ks=range(11)):
    runs, keys = [], []
    for k in ks:
        for seed in range(seeds):
            run = _run(rng, k)
            if seed == 0:
                run["loss"][-1] = run["training_loss"][-1] = 5e-4          # a success
            runs.append(run)
            keys.append("0" * k + "1" * (10 - k) + "-" + "1" * 10)
    out = {"landscape": np.array(name), "keys": np.array(keys),
           "incoherent": np.array([key.split("-")[0].count("0") for key in keys]),
           "seed_index": np.arange(len(keys)) % seeds, "maximum_iteration": np.int64(40),
           "metric_every": np.int64(4), "threshold": np.float64(1e-3),
           "initial_loss": np.array([r["loss"][0] for r in runs]),
           "final_loss": np.array([r["loss"][-1] for r in runs]),
           "iterations": np.array([len(r["loss"]) for r in runs]),
           "trace/offsets": np.r_[0, np.cumsum([len(r["step"]) for r in runs])]}
    out["success"] = out["final_loss"] <= 1e-3
    for key in ("step", "training_loss", "lipschitz", "sparsity", "spectral_norm", "gradient_variance", "hessian"):
        out[f"trace/{key}"] = np.concatenate([r[key] for r in runs])
    if with_loss:
        out["loss/values"] = np.concatenate([r["loss"] for r in runs])
        out["loss/offsets"] = np.r_[0, np.cumsum([len(r["loss"]) for r in runs])]
    save_npz(raw / f"network-scale/incoherent.vs.coherent.{name}.npz", out)
    return runs, keys


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    out = tmp_path_factory.mktemp("packs35")
    rng = np.random.default_rng(3)
    raw = out / "raw"
    make_task3(raw, rng)
    make_task4(raw, rng)
    make_unrestricted(raw, rng)
    make_unrestricted(raw, rng, name="Branin")
    runs, keys = make_restricted(raw, rng)
    make_restricted(raw, rng, name="Branin", seeds=1, ks=(0, 5, 10))
    names = ["main05", "main06"] + [f"supp{n}" for n in range(10, 31)]
    status = pack_all(out, scale="smoke", names=names)
    packs = {n: load_pack(out / "data" / f"{n}.npz") for n, s in status.items() if s == "built"}
    return out, status, packs, runs, keys


def _literal_outcome(scores):
    """spec-works §4 main06, as written for five evaluation noises 0.0…0.4 and training noise 0.3."""
    s = dict(zip([0.0, 0.1, 0.2, 0.3, 0.4], scores))
    if all(s[v] >= 195 for v in (0.0, 0.1, 0.2, 0.3)):
        return "S"
    if all(v < 195 for v in scores) and s[0.0] > s[0.4] and s[0.0] > s[0.2]:
        return "F2"
    if all(v < 195 for v in scores):
        return "F3"
    return "F1"


def test_status_manifest_and_skips(packed):
    out, status, _, _, _ = packed
    for name in ("main05", "main06", "supp10", "supp12", "supp15", "supp16", "supp23", "supp24", "supp30"):
        assert status[name] == "built", (name, status[name])
    for name in ("supp11", "supp13", "supp14"):          # landscapes not run
        assert status[name].startswith("skipped") and "loop.vs.collider" in status[name]
    manifest = load_json(out / "data" / "manifest.json")["units"]      # one manifest format for units and packs
    assert set(manifest["supp29"]["inputs"]) == {"real-world/biology.npz", "real-world/health-medicine.npz"}
    assert set(manifest["main06"]["inputs"]) == {"real-world/iterations.npz", "real-world/adjustments.2.npz"}
    assert pack_all(out, scale="smoke", names=["main05", "supp17"]) == {"main05": "current", "supp17": "current"}


def test_missing_raw_skips(tmp_path):
    status = pack_all(tmp_path, scale="smoke", names=["main05", "main06", "supp15", "supp16", "supp26", "supp28"])
    assert all(s.startswith("skipped") for s in status.values()), status


def test_rebuild_when_raw_changes(tmp_path):
    rng = np.random.default_rng(0)
    make_task3(tmp_path / "raw", rng)
    assert pack_all(tmp_path, "smoke", names=["main05"]) == {"main05": "built"}
    make_task3(tmp_path / "raw", rng)                     # new values, same files
    assert pack_all(tmp_path, "smoke", names=["main05"]) == {"main05": "built"}
    expected = np.load(tmp_path / "raw/real-world/adjustments.1.npz")["train_fitness"].mean(-1)
    np.testing.assert_allclose(load_pack(tmp_path / "data/main05.npz")["b"], expected)


def test_main05_means(packed):
    out, _, packs, _, _ = packed
    pack, raw = packs["main05"], np.load(out / "raw/real-world/adjustments.1.npz")
    for a, agent in enumerate(AGENTS):
        for t in range(3):
            assert pack["b"][a, t] == pytest.approx(sum(raw["train_fitness"][a, t]) / 7, rel=1e-12)
            for k in range(5):
                assert pack["cde"[a]][t, k] == pytest.approx(sum(raw["test"][a, t, :, k]) / 7, rel=1e-12)
    assert "f" not in pack and list(pack["agents"]) == AGENTS
    np.testing.assert_array_equal(pack["training_noise"], [0.0, 0.2, 0.4])


def test_main06_outcomes_and_caps(packed):
    out, _, packs, _, _ = packed
    pack = packs["main06"]
    long = np.load(out / "raw/real-world/adjustments.2.npz")["test"]
    for a, agent in enumerate(AGENTS):
        counts = Counter(_literal_outcome(list(row)) for row in long[a])
        np.testing.assert_array_equal(pack["cde"[a]], [counts[o] for o in ("S", "F1", "F2", "F3")])
        assert pack["cde"[a]].sum() == 12
    assert "f" not in pack
    caps = np.load(out / "raw/real-world/iterations.npz")
    for a, agent in enumerate(AGENTS):
        manual = [sum(sum(v >= 195 for v in caps["test"][a, c, r]) >= 4 for r in range(7)) for c in range(3)]
        np.testing.assert_array_equal(pack["a"][agent], manual)
    assert int(pack["a"]["repeats"]) == 7 and list(pack["a"]["caps"]) == [20, 30, 40]


def test_classify_outcomes_worked_rows():
    rows = [[200, 199, 198, 196, 100], [190, 180, 185, 170, 160], [160, 175, 185, 190, 170],
            [200, 100, 100, 100, 100], [195, 195, 195, 195, 195], [190, 195, 150, 150, 150]]
    assert classify_outcomes(rows, NOISES, 0.3).tolist() == [0, 2, 3, 1, 0, 1]
    # at a smaller evaluation set the guard follows the training noise; missing comparison levels are dropped
    assert classify_outcomes([[200, 150], [150, 140], [140, 150]], [0.0, 0.2], 0.2).tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="scores"):
        classify_outcomes([[1, 2, 3]], NOISES, 0.3)


def test_supp24_25_score_rows(packed):
    out, _, packs, _, _ = packed
    long = np.load(out / "raw/real-world/adjustments.2.npz")["test"]
    for a, agent in enumerate(AGENTS):
        kinds = [_literal_outcome(list(row)) for row in long[a]]
        for outcome in ("F1", "F2", "F3"):
            expected = np.array([row for row, kind in zip(long[a], kinds) if kind == outcome]).reshape(-1, 5)
            np.testing.assert_array_equal(packs["supp24"][agent][outcome], expected)
        np.testing.assert_array_equal(packs["supp25"]["abc"[a]], packs["supp24"][agent]["F3"])
    assert "a" not in packs["supp24"] and "d" not in packs["supp25"]


def test_uci_packs(packed):
    out, _, packs, _, _ = packed
    tree = load_pack(out / "raw/real-world/uci.datasets.npz")
    for letter, domain, label in (("a", "biology", "case study in biology"),
                                  ("c", "health-medicine", "case study in health and medicine")):
        data = tree[domain]
        train, test = Counter(data["train_y"].tolist()), Counter(data["test_y"].tolist())
        pack = packs["supp26"][letter]
        assert str(pack["label"]) == label
        assert pack["train"].tolist() == [train[c] for c in range(int(data["label_number"]))]
        assert pack["test"].tolist() == [test[c] for c in range(int(data["label_number"]))]
        np.testing.assert_array_equal(packs["supp27"][letter]["test"], data["test_x"])
        runs = np.load(out / f"raw/real-world/{domain}.npz")
        np.testing.assert_allclose(packs["supp28"][letter]["values"], runs["train_fitness"].mean(-1), rtol=1e-12)
        d = "abc".index(letter)
        best = np.zeros((3, 5))
        for a in range(3):
            for t in range(5):
                np.testing.assert_allclose(packs["supp29"]["abcdefghijkl"[4 * d + a]][t],
                                           runs["test"][a, t].mean(0), rtol=1e-12)
                for row in runs["test"][a, t]:
                    best[a, t] += list(row).index(max(row)) == t        # first maximum = the training noise
        np.testing.assert_array_equal(packs["supp30"][letter]["values"], best)
    assert "b" not in packs["supp26"] and not set("efghd") & set(packs["supp29"])
    assert list(packs["supp29"]["domains"])[1] == "case study in physics and chemistry"
    assert int(packs["supp30"]["repeats"]) == 6


def test_best_at_own_noise_off_grid_training_noise():
    test = np.array([[[[1.0, 0.5], [0.2, 0.9]], [[0.1, 0.3], [0.3, 0.3]]]])      # (1, 2, 2, 2)
    values = best_at_own_noise(test, [0.0, 0.3], [0.0, 0.2])
    assert values[0, 0] == 1 and np.isnan(values[0, 1])


def test_supp10_and_supp15(packed):
    out, _, packs, runs, keys = packed
    tree = load_pack(out / f"raw/network-scale/loop.vs.collider.{QS}.npz")
    pack = packs["supp10"]
    for row, n in enumerate((1, 3, 10)):
        for letter, kind in (("a", "collider"), ("b", "loop")):
            entry = tree[kind][f"n{n}"]
            traces = np.split(entry["values"], entry["offsets"][1:-1])
            assert pack[letter][row, 0] == pytest.approx(np.mean([t[-1] for t in traces]), rel=1e-12)
            assert pack[letter][row, 1] == pytest.approx(np.mean([len(t) for t in traces]), rel=1e-12)
        assert pack["c"][row, 3] == f"{pack['b'][row, 1]:.2E}"
    assert str(packs["supp12"]["name"]) == "Branin"
    totals, successes = np.zeros(11), np.zeros(11)
    for run, key in zip(runs, keys):
        k = key.split("-")[0].count("0")
        totals[k] += 1
        successes[k] += run["loss"][-1] <= 1e-3
    np.testing.assert_array_equal(packs["supp15"]["a"]["totals"], totals)
    np.testing.assert_array_equal(packs["supp15"]["a"]["successes"], successes)
    np.testing.assert_array_equal(packs["supp15"]["c"]["totals"], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
    assert set("abcde") & set(packs["supp15"]) == {"a", "c"}


def _first(trace, milestone):
    for t, value in enumerate(trace, start=1):
        if value <= milestone:
            return t
    return 0


def test_supp16_milestones(packed, tmp_path):
    out, _, packs, runs, keys = packed
    entry = load_pack(out / f"raw/network-scale/loop.vs.collider.{QS}.npz")["loop"]["n10"]
    traces = np.split(entry["values"], entry["offsets"][1:-1])
    pack = packs["supp16"]
    expected = np.array([[_first(t, m) for t in traces] for m in MILESTONES])
    np.testing.assert_array_equal(pack["a"]["iterations"], expected)
    for k in (0, 4, 10):
        for m, milestone in enumerate(MILESTONES):
            reached = [v for v in expected[m] if v > 0]
            chosen = [r for r, key in zip(runs, keys) if key.split("-")[0].count("0") == k and r["loss"][0] > milestone]
            if not reached or not chosen:
                assert np.isnan(pack["b"][k, m])
                continue
            late = [_first(r["loss"], milestone) == 0 or _first(r["loss"], milestone) > max(reached) for r in chosen]
            assert pack["b"][k, m] == pytest.approx(np.mean(late))
    assert str(pack["b_source"]) == "loss/values"
    # without the full loss traces the subsampled trace is used (first sampled step at/below the milestone)
    make_unrestricted(tmp_path / "raw", np.random.default_rng(1))
    small, _ = make_restricted(tmp_path / "raw", np.random.default_rng(2), seeds=2, with_loss=False)
    tree, _ = pack_one(tmp_path, "supp16", "smoke")
    assert tree["b_source"] == "trace/training_loss"
    reach = first_reach(np.concatenate([r["training_loss"] for r in small]),
                           np.r_[0, np.cumsum([len(r["step"]) for r in small])],
                           steps=np.concatenate([r["step"] for r in small]))
    for j, run in enumerate(small):
        for m, milestone in enumerate(MILESTONES):
            hits = [s for s, v in zip(run["step"], run["training_loss"]) if v <= milestone]
            assert reach[m, j] == (hits[0] if hits else 0)


def test_supp17_18_failures(packed):
    _, _, packs, runs, keys = packed
    compared = 0
    for k in range(11):
        chosen = [r for r, key in zip(runs, keys) if key.split("-")[0].count("0") == k]
        finals = np.array([r["loss"][-1] for r in chosen])
        assert packs["supp17"]["a"][k] == pytest.approx(np.mean(finals > 1e-3))
        np.testing.assert_array_equal(packs["supp17"]["b"][str(k)], sorted(finals[finals > 1e-3]))
        for c, column in ((0, 1), (1, 2)):
            letter = LETTERS[2 * k + c]
            if (c == 0 and k == 10) or (c == 1 and k == 0):
                assert letter not in packs["supp18"]
                continue
            utilisation = np.array([r["sparsity"][-1, column] for r in chosen])
            rho = stats.spearmanr(finals, utilisation)[0]
            entry = packs["supp18"][letter]
            if np.isnan(rho):
                assert np.isnan(entry["spearman"])
            else:
                assert entry["spearman"] == pytest.approx(rho)
                compared += 1
            failing = finals > 1e-3
            np.testing.assert_allclose(entry["points"], np.c_[np.log10(finals[failing]), utilisation[failing]])
    assert compared >= 10


def _pooled_deltas(runs, keys, k):
    rows = []
    for run, key in zip(runs, keys):
        if key.split("-")[0].count("0") != k:
            continue
        for t in range(len(run["step"]) - 1):
            if run["sparsity"][t + 1, 3] < 1 or run["sparsity"][t, 3] < 1:
                break
            rows.append((run["step"][t], run["training_loss"][t] - run["training_loss"][t + 1],
                         run["lipschitz"][t] - run["lipschitz"][t + 1],
                         run["gradient_variance"][t + 1, 3] - run["gradient_variance"][t, 3]))
    return np.array(rows).reshape(-1, 4)


def test_supp19_22_deltas(packed):
    _, _, packs, runs, keys = packed
    for k in (0, 3, 10):
        deltas = _pooled_deltas(runs, keys, k)
        assert len(deltas) > 3
        assert packs["supp19"]["a"][k] == pytest.approx(stats.spearmanr(deltas[:, 1], deltas[:, 0])[0])
        entry = packs["supp19"][LETTERS[k + 1]]
        assert entry["spearman"] == pytest.approx(stats.spearmanr(deltas[:, 1], deltas[:, 2])[0])
        kde = stats.gaussian_kde(np.vstack([deltas[:, 1], deltas[:, 2]]))
        ix, iy = 37, 61
        value = kde([[entry["x"][ix]], [entry["y"][iy]]])[0]
        grid = kde(np.vstack([np.repeat(entry["x"][None], 100, 0).ravel(), np.repeat(entry["y"], 100)]))
        assert entry["density"][iy, ix] == pytest.approx(value / grid.max(), rel=1e-9)
        assert entry["density"].max() == pytest.approx(1.0)
        s22 = packs["supp22"][LETTERS[k]]
        assert s22["spearman"] == pytest.approx(stats.spearmanr(deltas[:, 3], -deltas[:, 2])[0])
        assert s22["density"].shape == (40, 40) and s22["density"].max() == pytest.approx(1.0)


def test_supp23_sign_counts(packed):
    _, _, packs, runs, keys = packed
    for k in range(11):
        counts = np.zeros((3, 3))
        for run, key in zip(runs, keys):
            if key.split("-")[0].count("0") != k:
                continue
            kept = [t for t in range(len(run["step"])) if np.isfinite(run["hessian"][t, 1])]
            for before, after in itertools.pairwise(kept):
                dh = run["hessian"][after, 1] - run["hessian"][before, 1]
                dl = run["lipschitz"][after] - run["lipschitz"][before]
                counts[int(dh > 0) - int(dh < 0) + 1, int(dl > 0) - int(dl < 0) + 1] += 1
        np.testing.assert_array_equal(packs["supp23"][LETTERS[k]], counts)
    assert packs["supp23"]["a"][1].sum() + packs["supp23"]["a"][:, 1].sum() > 0   # zero deltas are counted


def test_supp20_21_curves_and_correlations(packed):
    _, _, packs, runs, keys = packed
    compared = 0
    for k in range(11):
        chosen = [r for r, key in zip(runs, keys) if key.split("-")[0].count("0") == k]
        for c, column, short in ((0, 1, "coh"), (1, 2, "inc")):
            if (c == 0 and k == 10) or (c == 1 and k == 0):
                assert LETTERS[2 * k + c] not in packs["supp20"]
                assert packs["supp21"][LETTERS[k]][f"y_{short}"].size == 0
                continue
            entry = packs["supp20"][LETTERS[2 * k + c]]
            assert entry["curves"].shape == (len(chosen), len(entry["iterations"]))
            run, curve = chosen[0], entry["curves"][0]
            for step, norm, network in zip(run["step"], run["spectral_norm"][:, column], run["sparsity"][:, 3]):
                if network < 1:
                    break
                hit = np.flatnonzero(entry["iterations"] == step)
                if hit.size:
                    assert curve[hit[0]] == pytest.approx(norm)
            correlations = []
            for r in chosen:
                u, s = r["sparsity"][:, column], r["spectral_norm"][:, column]
                drops = [t + 1 for t in range(len(u) - 1) if u[t] - u[t + 1] > 1e-4]
                if len(drops) >= 2 and len(set(u[drops])) > 1 and len(set(s[drops])) > 1:
                    correlations.append(stats.spearmanr(s[drops], u[drops])[0])
            y = packs["supp21"][LETTERS[k]][f"y_{short}"]
            if len(set(correlations)) >= 2:
                expected = stats.gaussian_kde(correlations)(np.linspace(-1, 1, 100))
                np.testing.assert_allclose(y, expected / expected.sum(), rtol=1e-9)
                compared += 1
            elif not correlations:
                assert y.size == 0
    assert compared >= 3


def test_figures_render_from_packs(packed):
    out, _, _, _, _ = packed
    from works import show_main, show_supp

    drawn = show_main.draw_all(out, names=["main05", "main06"])
    drawn.update(show_supp.draw_all(out, names=["supp16", "supp23", "supp29"]))
    for name, files in drawn.items():
        assert not isinstance(files, str), (name, files)
        assert all(f.stat().st_size > 1000 for f in files)


def test_degenerate_statistics():
    assert np.isnan(spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])) and np.isnan(spearman([1.0], [2.0]))
    assert spearman([1, 2, np.nan, 4], [2, 4, 0, 8]) == pytest.approx(1.0)
    grid = np.linspace(0, 1, 5)
    assert not kde_density_2d([0.5, 0.5], [0.5, 0.5], grid, grid).any()        # too few points
    assert not kde_density_2d([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], grid, grid).any()  # singular covariance
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    density = kde_density_2d(x, y, grid, grid[:3])
    assert density.shape == (3, 5) and density.max() == pytest.approx(1.0)
    # a subsample above max_points stays a close approximation of the full KDE
    full = kde_density_2d(x, y, grid, grid)
    np.testing.assert_allclose(kde_density_2d(x, y, grid, grid, max_points=40), full, atol=0.3)
