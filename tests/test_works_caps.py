"""Task 3's generation caps from one run per repeat (works/tasks/neat_common.py, NeatCapsUnit)."""

import numpy as np

from works.scales import get_scale
from works.tasks import cartpole
from works.tasks.neat_common import NeatCapsUnit, neat_experiment, unit_neat
from works.units import run_unit

BASE = {"population": 8, "episodes": 2, "eval_episodes": 3, "eval_noises": [0.0, 0.2], "config_prefix": "main/",
        "generations": 2, "train_noise": 0.2}


def test_one_run_plans_one_unit_per_chunk_writing_every_caps_file():
    scale = get_scale("smoke")
    separate, gather = neat_experiment(scale, "task3/iterations", "cartpole", ("b", "c"), (3, 1), "caps",
                                       "real-world/iterations.npz", BASE, chunk=2, repeats=3)
    one, one_gather = neat_experiment(scale, "task3/iterations", "cartpole", ("b", "c"), (3, 1), "caps",
                                      "real-world/iterations.npz", BASE, chunk=2, repeats=3, caps_from_one_run=True)
    assert [u.key for u in one] == ["task3/iterations/b/caps/r0000", "task3/iterations/b/caps/r0002",
                                    "task3/iterations/c/caps/r0000", "task3/iterations/c/caps/r0002"]
    # the same chunk files, gathered the same way
    assert sorted(p for u in one for p in u.outputs) == sorted(p for u in separate for p in u.outputs)
    assert one_gather.config == gather.config
    for unit in one:
        config = NeatCapsUnit(**unit.config)
        assert config.caps == [1, 3] and config.generations == 3 and config.series.endswith("/caps")
        assert list(unit.outputs) == config.outputs and config.output == config.outputs[-1]


def test_paper_reads_the_caps_from_one_run_and_the_small_presets_do_not():
    assert get_scale("paper").task3.caps_from_one_run
    for name in ("smoke", "quick"):
        assert not get_scale(name).task3.caps_from_one_run
        units = cartpole.plan(get_scale(name))[0]
        assert not any("caps" in unit.config for unit in units)


def test_one_run_files_equal_separate_runs_with_the_same_seeds(tmp_path):
    """A caps unit writes, per cap, exactly what a separate run with that cap and the same series writes."""
    scale = get_scale("smoke")
    one, _ = neat_experiment(scale, "task3/iterations", "cartpole", ("c",), (1, 3), "caps",
                             "real-world/iterations.npz", BASE, chunk=2, repeats=2, caps_from_one_run=True)
    (unit,) = one
    run_unit(unit, tmp_path / "one")
    for cap, output in zip(unit.config["caps"], unit.outputs):
        separate = dict(unit.config, generations=cap, output=f"separate.{cap}.npz")
        separate.pop("caps")
        separate.pop("outputs")
        unit_neat(separate, tmp_path / "one", None)
        with np.load(tmp_path / "one" / output) as got, np.load(tmp_path / "one" / separate["output"]) as want:
            assert sorted(got.files) == sorted(want.files)
            for name in want.files:
                np.testing.assert_array_equal(got[name], want[name], err_msg=f"cap {cap}: {name}")
            assert got["generation_best"].shape == (2, cap)
