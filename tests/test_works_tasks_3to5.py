"""Planners of tasks 3-5 (works/tasks/cartpole.py, uci.py, networks.py, neat_common.py): keys, seeds, configs."""

import dataclasses

import pytest

from works.scales import get_scale
from works.tasks import cartpole, networks, uci
from works.tasks.neat_common import NeatRunUnit, UciRunUnit, neat_experiment
from works.units import resolve

BASE = {"population": 8, "episodes": 2, "eval_episodes": 3, "eval_noises": [0.0, 0.2], "config_prefix": "main/",
        "generations": 2}


def _repeat_series(units):
    """Every (seed series, repeat) pair the units run: the per-repeat seeds derive from exactly these."""
    return sorted((unit.config["series"], repeat) for unit in units for repeat in unit.config["repeats"])


def test_chunking_does_not_change_the_repeats_or_their_seeds():
    scale = get_scale("smoke")
    runs = {chunk: neat_experiment(scale, "task3/x", "cartpole", ("b", "c"), (0.0, 0.2), "train_noises",
                                   "real-world/x.npz", BASE, chunk=chunk, repeats=5) for chunk in (1, 2, 5)}
    expected = sorted((f"task3/x/{agent}/noise-{noise}", r) for agent in "bc" for noise in ("00", "20")
                      for r in range(5))
    for chunk, (units, gather) in runs.items():
        assert _repeat_series(units) == expected
        assert len(units) == 4 * -(-5 // chunk)
        # the gather reads every chunk of every agent × setting, in repeat order
        files = gather.config["chunks"]["c/0.2"]
        assert files == [f"units/task3/x/c.noise-20.r{start:04d}.npz" for start in range(0, 5, chunk)]
        assert set(gather.depends) == {unit.outputs[0] for unit in units}


def test_caps_set_generations_and_keep_the_training_noise():
    units, gather = neat_experiment(get_scale("smoke"), "task3/iterations", "cartpole", ("b",), (3, 7), "caps",
                                    "real-world/iterations.npz", dict(BASE, train_noise=0.2), chunk=2, repeats=2)
    assert [(u.key, u.config["generations"], u.config["train_noise"]) for u in units] == [
        ("task3/iterations/b/cap-003/r0000", 3, 0.2), ("task3/iterations/b/cap-007/r0000", 7, 0.2)]
    assert gather.config["generations_cap"] == 7 and gather.config["axis"] == "caps"


def test_nested_caps_run_once_per_chunk_and_feed_the_same_gather():
    separate_units, separate = neat_experiment(get_scale("smoke"), "task3/iterations", "cartpole", ("b", "c"),
                                               (3, 7), "caps", "real-world/iterations.npz",
                                               dict(BASE, train_noise=0.2), chunk=2, repeats=3)
    units, gather = neat_experiment(get_scale("smoke"), "task3/iterations", "cartpole", ("b", "c"), (3, 7), "caps",
                                    "real-world/iterations.npz", dict(BASE, train_noise=0.2), chunk=2, repeats=3,
                                    nested_caps=True)
    assert [(u.key, u.config["generations"], u.config["caps"], u.config["repeats"]) for u in units] == [
        ("task3/iterations/b/nested/r0000", 7, [3, 7], [0, 1]), ("task3/iterations/b/nested/r0002", 7, [3, 7], [2]),
        ("task3/iterations/c/nested/r0000", 7, [3, 7], [0, 1]), ("task3/iterations/c/nested/r0002", 7, [3, 7], [2])]
    # the same chunk files, so the gather (and the raw layout) is unchanged
    assert gather.config == separate.config
    assert sorted(p for u in units for p in u.outputs) == sorted(u.outputs[0] for u in separate_units)
    with pytest.raises(ValueError, match="nested_caps"):
        neat_experiment(get_scale("smoke"), "task3/x", "cartpole", ("b",), (0.0,), "train_noises", "x.npz",
                        BASE, chunk=1, repeats=1, nested_caps=True)
    with pytest.raises(ValueError, match="caps_runs"):
        cartpole.Task3Config(caps_runs="joint")


def test_nested_caps_unit_equals_separate_runs_per_cap(tmp_path):
    # one run read at caps 1 and 3 writes, per cap, the chunk file a separate run with that cap and seed writes
    import numpy as np

    units, _ = neat_experiment(get_scale("smoke"), "task3/iterations", "cartpole", ("c",), (1, 3), "caps",
                               "real-world/iterations.npz", dict(BASE, train_noise=0.2, population=6), chunk=2,
                               repeats=2, nested_caps=True)
    (unit,) = units
    resolve(unit.function)(unit.config, tmp_path, None)
    for cap, path in zip(unit.config["caps"], unit.config["cap_outputs"]):
        single = {k: v for k, v in unit.config.items() if k not in ("caps", "cap_outputs")}
        single.update(generations=cap, output=f"separate-{cap}.npz")
        resolve("works.tasks.neat_common:unit_neat")(single, tmp_path, None)
        with np.load(tmp_path / path) as nested, np.load(tmp_path / f"separate-{cap}.npz") as alone:
            assert sorted(nested.files) == sorted(alone.files)
            assert nested["generation_best"].shape == (2, cap)
            for name in alone.files:
                np.testing.assert_array_equal(nested[name], alone[name], err_msg=f"cap {cap}: {name}")


def test_quick_preset_runs_every_method_domain_and_reads_the_caps_from_one_run():
    from works.layout import AGENT_ORDER, DOMAINS

    quick = get_scale("quick")
    t3, t4 = quick.task3, quick.task4
    # every panel of Fig. 5/6, S24-S30 has its method and domain
    assert t3.agents == AGENT_ORDER and t4.agents == AGENT_ORDER and t4.domains == DOMAINS
    # the outcome types (S at every evaluation noise up to the training noise) and the qualified counts need the
    # training noises of the caps and long runs among the evaluation noises, and more than the two caps of before
    assert set(t3.train_noises) <= set(t3.eval_noises) and {t3.caps_noise, t3.long_noise} <= set(t3.eval_noises)
    assert len(t3.caps) >= 4 and t3.caps_runs == "nested"
    work, _ = cartpole.plan(quick)
    caps_units = [u for u in work if u.key.startswith("task3/iterations/")]
    assert len(caps_units) == len(t3.agents) * -(-t3.caps_repeats // t3.repeat_chunk)
    assert {u.config["generations"] for u in caps_units} == {max(t3.caps)}
    # the paper preset reads its caps from one run per repeat too (docs/quirks/works-pipeline.md row 4); smoke
    # keeps the original's one run per cap
    assert get_scale("paper").task3.caps_runs == "nested" and get_scale("smoke").task3.caps_runs == "separate"


def test_unit_configs_are_their_dataclasses_and_functions_resolve():
    scale = get_scale("smoke")
    for module in (cartpole, uci, networks):
        for stage in module.plan(scale):
            for unit in stage:
                assert unit.function.startswith(module.__name__ + ":") or ":unit_neat" in unit.function
                assert callable(resolve(unit.function))
                if unit.function.endswith(":unit_neat"):
                    kind = UciRunUnit if unit.config["kind"] == "uci" else NeatRunUnit
                    assert dataclasses.asdict(kind(**unit.config)) == unit.config
                    assert unit.config["config_file"].startswith("supp/" if kind is UciRunUnit else "main/")


def test_task_configs_keep_their_fields():
    # raw/config.json holds these fields (sorted); renaming one changes the recorded scale
    assert sorted(f.name for f in dataclasses.fields(cartpole.Task3Config)) == sorted(
        ["agents", "train_noises", "eval_noises", "population", "episodes", "eval_episodes", "generations",
         "repeats", "repeat_chunk", "caps", "caps_repeats", "caps_noise", "long_generations", "long_repeats",
         "long_noise", "caps_runs"])
    assert sorted(f.name for f in dataclasses.fields(uci.Task4Config)) == sorted(
        ["domains", "agents", "train_noises", "eval_noises", "population", "generations", "repeats", "repeat_chunk"])
    assert (cartpole.Task3Config().generations, uci.Task4Config().generations) == (20, 30)


def test_restricted_units_chunk_the_reference_order_and_read_the_cap_from_ten_loops():
    scale = get_scale("smoke")
    first, _, second, _ = networks.plan(scale)
    assert {u.config["n"] for u in first} == set(scale.task5.motif_numbers)
    per_landscape = [u for u in second if u.config["landscape"] == "Branin"]
    assert [u.key.rsplit("/", 2)[1:] for u in per_landscape] == [["k00", "00000"]]  # 11 configurations, one unit
    assert all(u.config["cap_from"] == "" for u in second)          # smoke runs no network of ten motifs
    full = dataclasses.replace(scale, task5=dataclasses.replace(scale.task5, landscapes=("Branin",),
                                                                motif_numbers=(1, 10), restricted_indices="all"))
    _, _, second, _ = networks.plan(full)
    everything = networks.restricted_configurations("all")
    # consecutive chunks of the reference order: 19,448 configurations, CHUNK per unit but the last
    assert [list(c) for u in second for c in u.config["configurations"]] == [list(c) for c in everything]
    assert [len(u.config["configurations"]) for u in second[:-1]] == [networks.CHUNK] * (len(everything) // 500)
    for u in second:  # named by the k of its first configuration and its first index
        first_key = u.config["configurations"][0][0]
        start = next(i for i, c in enumerate(everything) if c[0] == first_key)
        assert u.key.endswith(f"/k{first_key.count('0', 0, 10):02d}/{start:05d}")
    assert {u.config["cap_from"] for u in second} == {"units/network-scale/Branin/loop.10.npz"}


def test_restricted_unit_is_one_batched_fit_equal_to_the_per_configuration_loop(tmp_path):
    # three configurations (two k) × two seeds, every metric traced: the unit's one fit_restricted_batch call must
    # reproduce the per-configuration fit_batch loop row for row (the Hessian summary within 1e-4)
    import numpy as np

    chosen = [c for c in networks.restricted_configurations("all") if c[1].count(0) in (0, 3)]
    configurations = [chosen[0], chosen[1], chosen[-1]]
    config = dataclasses.asdict(networks.RestrictedFitUnit(
        learn_rate=1e-2, patience=4, threshold=1e-2, points=41, metric_every=2, base_seed=7, semantics="reference",
        landscape="Branin", configurations=configurations, seeds=2, output="chunk.npz", series="task5/x/Branin",
        cap_from="", maximum_iteration=6))
    networks.unit_fit_restricted(config, tmp_path, None)
    unit = networks.RestrictedFitUnit(**config)
    from works.tasks.networks_traces import load_traces, write_chunk

    write_chunk(tmp_path, "loop.npz", "loop.traces.npz", networks._restricted_rows_loop(unit, 6), 6)
    with np.load(tmp_path / "chunk.npz", allow_pickle=False) as data:
        assert data["keys"].tolist() == [key for key, _, _ in configurations for _ in range(2)]
        assert data["seed_index"].tolist() == [0, 1] * 3
        assert str(data["traces"]) == "chunk.traces.npz"
    for got, expected in (("chunk.npz", "loop.npz"), ("chunk.traces.npz", "loop.traces.npz")):
        data, reference = load_traces(tmp_path / got), load_traces(tmp_path / expected)
        assert sorted(data) == sorted(reference)
        for name, value in reference.items():
            if name == "trace/hessian":
                np.testing.assert_allclose(data[name], value, rtol=1e-4, atol=1e-8)
            elif name != "traces":
                np.testing.assert_array_equal(data[name], value, err_msg=name)
    with np.load(tmp_path / "chunk.traces.npz") as data:  # the losses are float32 numbers: stored as float32
        assert data["loss/values"].dtype == np.float32 and data["trace/training_loss"].dtype == np.float32


@pytest.mark.parametrize("nested", [False, True])
def test_claim11_compares_runs_not_caps_when_the_caps_are_nested(tmp_path, nested):
    # 8 repeats × 3 caps × 3 evaluation noises; c qualifies (≥ 195 at 2 of 3 noises) from cap 2 on in every repeat,
    # i only at the last cap in 2 repeats
    import json

    import numpy as np

    from works import layout
    from works._io import save_npz
    from works.stats import HOLDS

    repeats, caps = 8, np.array([10, 20, 30])
    test = np.full((4, 3, repeats, 3), 100.0)
    test[2, 1:, :, :2] = 200.0
    test[1, 2, :2, :2] = 200.0
    qualified = ((test >= 195).sum(axis=-1) >= 2).sum(axis=-1)
    raw = tmp_path / layout.RAW
    save_npz(raw / layout.real_world_file("iterations"),
             {"agents": np.array(["b", "i", "c", "a"]), "caps": caps, "qualified": qualified, "test": test,
              "min_passes": np.int64(2)})
    (raw / layout.CONFIG_FILE).write_text(json.dumps({"task3": {"caps_runs": "nested" if nested else "separate"}}))
    (row,) = cartpole.CLAIMS[1](tmp_path)
    (comparison,) = row["comparisons"]
    assert row["verdict"] == HOLDS
    if nested:  # one value per run: caps qualified, c 2 in every repeat vs i 1 in 2 of 8
        assert comparison["n"] == [repeats, repeats] and comparison["effect"] == pytest.approx(2 - 2 / 8)
        assert comparison["test"] != "Fisher exact"
    else:  # pooled trials over the caps: 16 of 24 vs 2 of 24
        assert comparison["n"] == [3 * repeats, 3 * repeats] and comparison["effect"] == pytest.approx(14 / 24)
        assert comparison["test"] == "Fisher exact"
