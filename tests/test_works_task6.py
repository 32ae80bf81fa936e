"""Task 6 of the pipeline: the connectome's motif enrichment and ElegansNet against random wirings.

The units are checked against direct calls of the library (``practice.elegans_experiment.run_unit``,
``practice.enrichment.motif_census``), the gather, packers and claims against hand-made raw folders with known
answers, and the figures with the checks of ``tests/figure_checks.py``.
"""

from __future__ import annotations

from dataclasses import replace

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from figure_checks import figure_problems  # noqa: E402

from works import layout  # noqa: E402
from works._io import save_npz  # noqa: E402
from works.figures.packs import Pack  # noqa: E402
from works.figures.style import new_figure  # noqa: E402
from works.packing import MissingRaw, Raw, pack_all  # noqa: E402
from works.scales import get_scale  # noqa: E402
from works.tasks import all_figures, all_packs  # noqa: E402
from works.tasks import connectome as task6  # noqa: E402
from works.tasks import connectome_figures as figures  # noqa: E402
from works.tasks.connectome_packs import PACKS, mean_interval  # noqa: E402
from works.units import unit_seed  # noqa: E402

CENSUS = ("incoherent-loop.1", "incoherent-loop.2", "incoherent-loop.3", "incoherent-loop.4", "coherent-loop.1",
          "coherent-loop.2", "coherent-loop.3", "coherent-loop.4", "collider.1", "collider.2", "collider.3",
          "collider.4", "fork", "chain")


# --------------------------------------------------------------------------------------------- planner


def test_plan_smoke_has_one_unit_per_wiring_and_seed_and_one_per_null():
    scale = get_scale("smoke")
    t6 = scale.task6
    training, gather = task6.plan(scale)
    labels = task6.wiring_labels(t6)
    trained = [u for u in training if u.key.startswith("task6/training/")]
    enrichment = [u for u in training if u.key.startswith("task6/enrichment/")]
    assert len(trained) == len(labels) * t6.seeds
    assert [u.config["null"] for u in enrichment] == list(t6.nulls)
    assert all(u.config["synapses"] == ["chemical"] for u in enrichment)
    assert len({u.key for u in training}) == len(training)
    assert trained[0].outputs == (layout.connectome_unit_file("connectome", 0),)
    assert len(gather) == 1 and gather[0].depends == tuple(u.outputs[0] for u in trained)
    assert gather[0].outputs == (layout.connectome_training_file(),)
    rewired = [u.config for u in trained if u.config["wiring"] == "rewired"]
    assert sorted({c["p"] for c in rewired}) == sorted(t6.fractions)


def test_quick_and_paper_presets_follow_the_brief():
    quick, paper = get_scale("quick").task6, get_scale("paper").task6
    assert quick.seeds >= 10 and paper.seeds == 30
    for config in (quick, paper):
        assert {"connectome", "degree", "er", "ws", "ba", "no-coherent", "no-incoherent"} <= set(config.families)
        assert min(config.fractions) == pytest.approx(0.1) and max(config.fractions) == pytest.approx(1.0)
        assert config.enrichment_samples >= 100 and config.enrichment_synapses == ("chemical",)
    assert len(task6.plan(get_scale("quick"))[0]) == len(task6.wiring_labels(quick)) * 10 + len(quick.nulls)


def test_registry_and_entry_points_know_task_6():
    from works.run_1_tasks import TASKS, _parser
    from works.show_ext import FIGURES

    assert 6 in TASKS and _parser().parse_args(["--out", "x", "--tasks", "6"]).tasks == [6]
    assert FIGURES[:4] == ["ext01", "ext02", "ext03", "ext04"]
    assert set(PACKS) <= set(all_packs()) and set(figures.FIGURES) <= set(all_figures())
    assert task6.wiring_labels(get_scale("smoke").task6)[1] == ("rewired-0.50", "rewired", 0.5)


# --------------------------------------------------------------------------------------------- units


def test_unit_train_matches_a_direct_library_call(tmp_path):
    from practice.elegans_experiment import run_unit

    scale = get_scale("smoke")
    unit = next(u for u in task6.plan(scale)[0] if u.key == "task6/training/er/s001")
    config = dict(unit.config, n_train=40, epochs=1, n_lipschitz=4)   # a tiny run
    seed = unit_seed(scale.seed, unit.key)
    task6.unit_train(config, tmp_path, seed)
    with np.load(tmp_path / unit.outputs[0], allow_pickle=False) as stored:
        stored = {k: stored[k] for k in stored.files}
    direct = run_unit("digits", "er", seed=int(seed.generate_state(1)[0]), connectome=config["connectome"],
                      epochs=1, n_train=40, n_lipschitz=4, synapses=tuple(config["synapses"]))
    assert str(stored["label"]) == "er" and int(stored["index"]) == 1 and int(stored["seed"]) == direct["seed"]
    assert "seconds" not in stored                                               # raw bytes are reproducible
    for name in task6.SCALARS:
        np.testing.assert_equal(float(stored[name]), float(direct[name]), err_msg=name)
    assert 0.0 <= float(stored["accuracy"]) <= 1.0 and np.isnan(float(stored["mse"]))


def test_unit_enrichment_matches_the_census_and_its_own_samples(tmp_path):
    from practice.connectome import load_connectome
    from practice.enrichment import motif_census

    config = {"connectome": "cook2019", "synapses": ["chemical"], "null": "er", "n_samples": 3,
              "output": layout.connectome_enrichment_file("er")}
    task6.unit_enrichment(config, tmp_path, unit_seed(1, "task6/enrichment/er"))
    with np.load(tmp_path / config["output"], allow_pickle=False) as stored:
        stored = {k: stored[k] for k in stored.files}
    adjacency = load_connectome("cook2019", synapses=("chemical",)).adjacency
    np.testing.assert_array_equal(stored["observed"], motif_census(adjacency))
    samples = stored["samples"].astype(float)
    assert samples.shape == (3, 14) and tuple(stored["names"]) == CENSUS
    assert (samples[:, :12].sum(axis=1) > 0).all()
    std = samples.std(axis=0, ddof=1)
    expected = np.where(std > 0, (stored["observed"] - samples.mean(axis=0)) / np.where(std > 0, std, 1), np.nan)
    np.testing.assert_allclose(stored["z"], expected)
    assert str(stored["null"]) == "er" and list(stored["synapses"]) == ["chemical"]


# --------------------------------------------------------------------------------------------- synthetic raw


#: label -> (wiring, p, accuracies, coherent loops, incoherent loops, Lipschitz)
_SYNTHETIC = {
    "connectome": ("connectome", 0.0, [0.90, 0.92, 0.91, 0.93], 1000, 50, 2.0),
    "rewired-0.50": ("rewired", 0.5, [0.80, 0.82, 0.81, 0.79], 2000, 200, 3.0),
    "rewired-1.00": ("rewired", 1.0, [0.70, 0.71, 0.69, 0.72], 3000, 300, 4.0),
    "er": ("er", 0.0, [0.50, 0.52, 0.51, 0.49], 500, 400, 5.0),
    "no-coherent": ("no-coherent", 0.0, [0.60, 0.61, 0.62, 0.63], 0, 50, 1.0),
    "no-incoherent": ("no-incoherent", 0.0, [0.95, 0.96, 0.94, 0.97], 1000, 0, 1.5),
    "random-removal": ("random-removal", 0.0, [0.60, 0.62, 0.61, 0.63], 900, 40, 1.2),
}


def _synthetic_raw(root):
    """A raw folder with four seeds per wiring (gathered by the real gather unit) and two enrichment files."""
    raw = root / layout.RAW
    files = []
    for label, (wiring, p, accuracies, coherent, incoherent, lipschitz) in _SYNTHETIC.items():
        for index, accuracy in enumerate(accuracies):
            path = layout.connectome_unit_file(label, index)
            files.append(path)
            row = {name: np.float64(0.0) for name in task6.SCALARS}
            row.update(p=np.float64(p if wiring == "rewired" else np.nan), accuracy=np.float64(accuracy),
                       mse=np.float64(np.nan), coherent_loops=np.float64(coherent + index),
                       incoherent_loops=np.float64(incoherent + index), lipschitz=np.float64(lipschitz + index / 10))
            save_npz(raw / path, {**row, "label": np.array(label), "wiring": np.array(wiring),
                                  "index": np.int64(index), "seed": np.uint64(index)})
    task6.unit_training_gather({"task": "digits", "connectome": "cook2019", "files": files,
                                "output": layout.connectome_training_file()}, raw, None)
    rng = np.random.default_rng(0)
    for null, shift in (("er", -50.0), ("degree", 50.0)):
        samples = rng.poisson(100.0, size=(19, 14)).astype(np.int64)
        observed = np.full(14, 100 + int(shift), dtype=np.int64)
        mean, std = samples.mean(axis=0), samples.std(axis=0, ddof=1)
        save_npz(raw / layout.connectome_enrichment_file(null), {
            "names": np.array(CENSUS), "observed": observed, "samples": samples, "mean": mean, "std": std,
            "z": (observed - mean) / std, "p_greater": (1 + (samples >= observed).sum(axis=0)) / 20,
            "p_less": (1 + (samples <= observed).sum(axis=0)) / 20, "null": np.array(null),
            "connectome": np.array("cook2019"), "synapses": np.array(["chemical"])})
    return raw


def test_gather_keeps_every_unit_in_plan_order(tmp_path):
    raw = _synthetic_raw(tmp_path)
    with np.load(raw / layout.connectome_training_file(), allow_pickle=False) as data:
        assert list(data["label"][:5]) == ["connectome"] * 4 + ["rewired-0.50"]
        np.testing.assert_array_equal(data["accuracy"][:4], _SYNTHETIC["connectome"][2])
        assert data["index"].tolist()[:5] == [0, 1, 2, 3, 0] and str(data["task"]) == "digits"


def test_packers_reshape_the_synthetic_raw(tmp_path):
    raw = Raw(_synthetic_raw(tmp_path))
    ext01 = PACKS["ext01"](raw, "smoke")
    assert list(ext01["nulls"]) == ["degree-preserving", "Erdős–Rényi"]            # figure order, not file order
    assert ext01["z"].shape == (2, 14) and (ext01["z"][0] > 0).all() and (ext01["z"][1] < 0).all()
    assert list(ext01["names"][:2]) == ["IL1", "IL2"] and ext01["n_samples"].tolist() == [19, 19]

    ext02 = PACKS["ext02"](raw, "smoke")
    assert ext02["labels"][0] == "connectome" and ext02["labels"][1] == "rewired p = 0.5"
    np.testing.assert_allclose(ext02["mean"][0], np.mean(_SYNTHETIC["connectome"][2]))
    assert (ext02["low"] <= ext02["mean"]).all() and (ext02["mean"] <= ext02["high"]).all()
    assert np.bincount(ext02["group"]).tolist() == [4] * len(_SYNTHETIC)

    ext03 = PACKS["ext03"](raw, "smoke")
    np.testing.assert_allclose(ext03["p"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(ext03["mean"], [np.mean(_SYNTHETIC[k][2]) for k in ("connectome", "rewired-0.50",
                                                                                  "rewired-1.00")])
    assert ext03["references"] == {"er": pytest.approx(0.505)} and ext03["points"]["p"].size == 12

    ext04 = PACKS["ext04"](raw, "smoke")
    assert ext04["coherent"][:4].tolist() == [1000, 1001, 1002, 1003]
    assert list(ext04["labels"][:3]) == ["connectome", "rewired", "Erdős–Rényi"]
    assert (ext04["group"][4:12] == 1).all()


def test_packers_need_their_raw_files(tmp_path):
    raw = Raw(tmp_path)
    for name in PACKS:
        with pytest.raises(MissingRaw):
            PACKS[name](raw, "smoke")


def test_mean_interval_is_a_bootstrap_of_the_mean():
    mean, low, high = mean_interval([1.0, 1.0, 1.0])
    assert (mean, low, high) == (1.0, 1.0, 1.0)
    assert np.isnan(mean_interval([np.nan])[0]) and np.isnan(mean_interval([2.0])[1])


# --------------------------------------------------------------------------------------------- figures


def _packs(tmp_path):
    raw = Raw(_synthetic_raw(tmp_path))
    return {name: Pack(name, PACKS[name](raw, "smoke")) for name in PACKS}


def test_panels_pass_the_figure_checks(tmp_path):
    import matplotlib.pyplot as plt

    packs = _packs(tmp_path)
    drawings = {"ext01": lambda fig, ax: figures.panel_ext01(fig, ax, packs["ext01"]),
                "ext02": lambda fig, ax: figures.panel_ext02(ax, packs["ext02"]),
                "ext03": lambda fig, ax: figures.panel_ext03(ax, packs["ext03"]),
                "ext04": lambda fig, ax: figures.panel_ext04(ax, packs["ext04"], "incoherent", "lipschitz")}
    for name, draw in drawings.items():
        fig, axes = new_figure(1, 1, height=3.6)
        draw(fig, axes[0, 0])
        fig.tight_layout()
        assert figure_problems(fig) == [], name
        plt.close(fig)


def test_draw_writes_pdf_and_png_from_packs(tmp_path):
    _synthetic_raw(tmp_path)
    status = pack_all(tmp_path, "smoke", PACKS)
    assert set(status.values()) == {"built"}
    for name in ("ext01", "ext04"):                   # the two with their own layout (colour bar, shared legend)
        paths = figures.FIGURES[name](tmp_path)
        assert [p.suffix for p in paths] == [".pdf", ".png"] and all(p.stat().st_size > 0 for p in paths), name


# --------------------------------------------------------------------------------------------- claims


def test_claims_on_synthetic_raw(tmp_path):
    _synthetic_raw(tmp_path)
    rows = [row for function in task6.CLAIMS for row in function(tmp_path)]
    wiring = [row for row in rows if row["claim"] == 14]
    assert [row["verdict"] for row in wiring] == ["holds", "holds"]          # er and rewired-1.00 were run
    assert "n = 4 vs 4" in wiring[0]["measured"] and "Erdős–Rényi" in wiring[0]["paper"]
    enrichment = {row["paper"].split("vs ")[1]: row for row in rows if row["claim"] == 15}
    assert enrichment["degree-preserving null)"]["verdict"] == "holds"
    assert enrichment["Erdős–Rényi null)"]["verdict"] == "reversed"
    assert "p(≥) = 0.05" in enrichment["degree-preserving null)"]["measured"]
    trends = [row for row in rows if row["claim"] == 16]
    assert trends[0]["verdict"] != "not run" and "Spearman" in trends[0]["measured"]
    removal = [row for row in rows if row["claim"] == 17]
    assert removal[0]["verdict"] == "reversed"                                 # 0.615 < 0.955 in the synthetic data
    assert removal[1]["verdict"] == "not resolved at this scale (CI spans 0)"  # 0.615 vs 0.615


def test_claims_without_raw_are_not_run(tmp_path):
    rows = [row for function in task6.CLAIMS for row in function(tmp_path)]
    assert {row["claim"] for row in rows} == {14, 15, 16, 17}
    assert {row["verdict"] for row in rows} == {"not run"}


def test_smaller_config_gives_fewer_units():
    scale = get_scale("smoke")
    smaller = replace(scale, task6=replace(scale.task6, fractions=(), families=("connectome",), nulls=()))
    training, gather = task6.plan(smaller)
    assert [u.key for u in training] == ["task6/training/connectome/s000", "task6/training/connectome/s001"]


def test_rows_carry_their_comparison_and_figure(tmp_path, monkeypatch):
    from works.stats import Comparison

    _synthetic_raw(tmp_path)
    seen = []

    def rich_claim(number, statement, measured, flag=None, note="", *, comparison=None, figure=None, caption=""):
        seen.append((number, comparison, figure))
        return {"claim": number, "verdict": comparison.verdict if comparison is not None else flag}

    monkeypatch.setattr(task6, "claim", rich_claim)
    task6.wiring_claims(tmp_path)
    task6.enrichment_claims(tmp_path)
    assert [(n, type(c).__name__, f) for n, c, f in seen[:2]] == [(14, Comparison.__name__, "ext02")] * 2
    assert seen[2][0] == 15 and seen[2][1] is None and seen[2][2] == "ext01"
