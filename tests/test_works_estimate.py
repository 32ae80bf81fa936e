"""works/estimate.py: calibrated cost projection of a scale (``python -m works --estimate``)."""

import dataclasses
import functools

import numpy as np
import pytest

from works.estimate import (ASSUMED_ITERATIONS, ESTIMATED_TASKS, KINDS, PROJECTION_GRIDS, RESTRICTED_SHARE,
                            _projection_scales,
                            calibration_scales, estimate, fit_line, format_estimate, makespan, model_key, unit_kind)
from works.executors import InProcessExecutor
from works.run_1_tasks import plan, run_tasks
from works.scales import get_scale
from works.storage import Manifest
from works.tasks.networks import PAPER_CAPS


def test_fit_line_recovers_exact_lines_and_keeps_coefficients_non_negative():
    assert fit_line([1, 2, 4], [5, 7, 11]) == pytest.approx((3.0, 2.0))
    assert fit_line([2, 2], [4, 6]) == pytest.approx((0.0, 2.5))        # one x: through the origin
    assert fit_line([1, 3], [4, 2]) == pytest.approx((0.0, 1.0))        # falling (noise): through the origin
    assert fit_line([1, 2], [1, 5]) == pytest.approx((0.0, 11 / 5))     # negative intercept: through the origin


def test_makespan_schedules_longest_first():
    assert makespan([3, 3, 2, 2, 2], 2) == 7          # 3+2+2 on one slot, 3+2 on the other
    assert makespan([5, 1, 1], 3) == 5 and makespan([1, 1, 1], 1) == 3


def test_calibration_scales_cut_sizes_but_keep_per_item_settings():
    paper = get_scale("paper")
    small, larger = calibration_scales(paper)
    for level in (small, larger):
        assert level.task1.points == paper.task1.points and level.task1.catch_steps == paper.task1.catch_steps
        assert level.task5.metric_every == paper.task5.metric_every and level.semantics == paper.semantics
        assert level.task5.trace_storage == paper.task5.trace_storage
        assert level.task3.caps_runs == paper.task3.caps_runs
        # NEAT: the target's population and episodes (per-generation overhead is not extrapolated)
        assert level.task3.population == paper.task3.population and level.task3.episodes == paper.task3.episodes
        assert level.task4.population == paper.task4.population
        assert level.task6.n_train == paper.task6.n_train and level.task7.samples == paper.task7.samples
    assert small.task3.generations < larger.task3.generations < paper.task3.generations
    assert 0 < small.task5.maximum_iteration < larger.task5.maximum_iteration
    assert small.task6.epochs < larger.task6.epochs and small.task7.epochs < larger.task7.epochs


@functools.lru_cache(maxsize=None)
def _paper_plan(task):
    """The paper preset's stages of ``task`` (planned once: task 5 has 2,720 restricted units)."""
    return plan(get_scale("paper"), (task,))[task]


def _restricted_batches(scale):
    """Networks (configurations × seeds) per restricted unit of ``scale``'s first landscape."""
    first = scale.task5.landscapes[0]
    return {len(u.config["configurations"]) * u.config["seeds"] for u in plan(scale, (5,))[5][2]
            if u.config["landscape"] == first}


@pytest.mark.parametrize("name", ["smoke", "quick", "paper"])
def test_restricted_calibration_units_train_the_targets_batch(name):
    target = get_scale(name)
    largest = max(_restricted_batches(target))
    for level in calibration_scales(target):
        assert max(_restricted_batches(level)) == largest
        assert level.task5.trace_storage == target.task5.trace_storage


def test_difference_regime_follows_the_nearest_search_of_the_unit():
    paper, smoke = get_scale("paper"), get_scale("smoke")
    units = {u.key: u for u in plan(paper, (1,))[1][1] if unit_kind(u) == "unit_difference"}
    self_unit = units["task1/difference/incoherent-loop.1 for incoherent-loop.1"]
    cross_unit = units["task1/difference/incoherent-loop.1 for collider.1"]
    assert model_key(self_unit, paper) == "unit_difference/projection-self"
    assert model_key(cross_unit, paper) == "unit_difference/projection-cross"
    # projection: near-linear measure (441,000 landscapes searched), not the 441,000² pairs of the GEMM
    assert KINDS["unit_difference"].work(self_unit.config, paper) == 441_000
    assert KINDS["unit_difference"].work(cross_unit.config, paper) == 441_000 + 2_100
    assert {model_key(u, smoke) for u in plan(smoke, (1,))[1][1]
            if unit_kind(u) == "unit_difference"} == {"unit_difference/gemm"}
    # the nearest-search calibration takes the projection search in both regimes, on dense grids
    levels = _projection_scales(paper)
    assert len(levels) == len(PROJECTION_GRIDS) and _projection_scales(smoke) == ()
    for level in levels:
        keys = {model_key(u, level) for u in plan(level, (1,))[1][1] if unit_kind(u) == "unit_difference"}
        assert keys == {"unit_difference/projection-self", "unit_difference/projection-cross"}
        step = paper.task1.magnitudes[1] - paper.task1.magnitudes[0]
        assert np.allclose(np.diff(level.task1.magnitudes), step)


def test_every_unit_kind_of_every_preset_has_a_cost_measure():
    for name in ("smoke", "quick", "paper"):
        scale = get_scale(name)
        for stages in plan(scale, ESTIMATED_TASKS).values():
            for stage in stages:
                for unit in stage:
                    kind = KINDS[unit_kind(unit)]
                    assert kind.work(unit.config, scale) > 0 and kind.items(unit.config, scale) > 0


def test_uncapped_fits_use_the_assumed_iterations_of_their_kind():
    paper = get_scale("paper")
    stages = _paper_plan(5)
    restricted = stages[2][0]
    assert restricted.config["storage"] == "statistics"
    fits = len(restricted.config["configurations"]) * restricted.config["seeds"]
    share = round(RESTRICTED_SHARE * PAPER_CAPS[restricted.config["landscape"]])  # measured lengths, not assumed
    assert KINDS["unit_fit_restricted"].work(restricted.config, paper) == fits * share
    other = {**restricted.config, "landscape": "my landscape"}
    assert KINDS["unit_fit_restricted"].work(other, paper) == fits * ASSUMED_ITERATIONS["restricted"]
    assert KINDS["unit_fit_restricted"].items(restricted.config, paper) == fits   # disk per fit, not per iteration
    loop = next(u for u in stages[0] if u.config["kind"] == "loop")
    assert KINDS["unit_fit_unrestricted"].work(loop.config, paper) == (
        loop.config["seeds"] * loop.config["n"] * ASSUMED_ITERATIONS["loop"])


def _samples(scale, tasks, seconds):
    """Synthetic calibration samples from a known cost model ``seconds(work)``, of the units :func:`calibrate` runs."""
    rows = []

    def add(level, task, units):
        for unit in units:
            kind = KINDS[unit_kind(unit)]
            work, items = kind.work(unit.config, level), kind.items(unit.config, level)
            rows.append({"task": task, "kind": unit_kind(unit), "model": model_key(unit, level), "key": unit.key,
                         "work": work, "items": items, "seconds": seconds(work), "peak_bytes": 1e8 + 10 * items,
                         "disk_bytes": 100 * items})

    for level in calibration_scales(scale):
        for task, stages in plan(level, tasks).items():
            for stage in stages:
                add(level, task, stage)
    if 1 in tasks:
        for level in _projection_scales(scale):
            add(level, 1, [u for u in plan(level, (1,))[1][1] if unit_kind(u) == "unit_difference"])
    return rows


def test_estimate_reproduces_a_linear_cost_model_exactly():
    scale = get_scale("smoke")
    result = estimate(scale, (3,), workers=1, samples=_samples(scale, (3,), lambda work: 2.0 + 0.5 * work))
    expected_seconds, expected_disk, units = 0.0, 0.0, 0
    for stage in plan(scale, (3,))[3]:
        for unit in stage:
            kind = KINDS[unit_kind(unit)]
            expected_seconds += 2.0 + 0.5 * kind.work(unit.config, scale)
            expected_disk += 100 * kind.items(unit.config, scale)
            units += 1
    row = result["tasks"][3]
    assert row["units"] == units
    assert row["cpu_hours"] * 3600 == pytest.approx(expected_seconds)
    assert row["wall_hours"] * 3600 == pytest.approx(expected_seconds)   # one worker: the sum
    assert row["disk_gb"] * 2**30 == pytest.approx(expected_disk)
    assert "unit_neat" in format_estimate(result, "smoke")
    two = estimate(scale, (3,), workers=2, samples=result["samples"])
    assert two["tasks"][3]["wall_hours"] < row["wall_hours"]


def test_smoke_estimate_is_the_right_order_of_magnitude_of_a_real_run(tmp_path):
    """Loose sanity: calibrate task 4 and compare with a real smoke run's manifest (not a timing test)."""
    import resource

    scale = dataclasses.replace(get_scale("smoke"))
    before = resource.getrusage(resource.RUSAGE_SELF)
    run_tasks(tmp_path, scale, (4,), InProcessExecutor(), progress=False, log=None)
    after = resource.getrusage(resource.RUSAGE_SELF)
    manifest = Manifest(tmp_path / "raw")
    # CPU seconds of the in-process run, as the estimate projects CPU time (wall time would grow with the load of a
    # shared machine)
    real = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    disk = sum(f["size"] for record in manifest.units.values() for f in record["files"].values())
    result = estimate(scale, (4,), workers=1)
    row = result["tasks"][4]
    assert row["units"] == len(manifest)
    assert real / 10 < row["cpu_hours"] * 3600 < real * 10
    assert disk / 10 < row["disk_gb"] * 2**30 < disk * 10
    assert 0.05 < row["peak_gb"] < 8


@pytest.mark.parametrize("tasks", [(1,), (2, 3, 4), (5,), (6, 7)])
def test_estimate_reproduces_exact_linear_models_of_every_task(tasks):
    scale = get_scale("paper")
    # no intercept: exact also for kinds calibrated at one work value (fitted through the origin)
    result = estimate(scale, tasks, workers=1, samples=_samples(scale, tasks, lambda work: 1e-3 * work))
    for task in tasks:
        expected = sum(1e-3 * KINDS[unit_kind(u)].work(u.config, scale)
                       for stage in _paper_plan(task) for u in stage)
        assert result["tasks"][task]["cpu_hours"] * 3600 == pytest.approx(expected)
        for name, entry in result["tasks"][task]["kinds"].items():
            assert not name.endswith("*") and entry["extrapolation"] > 0
        for unit in (u for stage in _paper_plan(task) for u in stage):   # each unit's projection
            entry = result["units"][unit.key]
            assert entry["seconds"] == pytest.approx(1e-3 * KINDS[unit_kind(unit)].work(unit.config, scale))
            assert entry["seconds"] == pytest.approx(entry["intercept"] + entry["slope"] * entry["work"])
            if task == 5 and unit_kind(unit) == "unit_fit_restricted":
                assert entry["iterations"] == round(RESTRICTED_SHARE * PAPER_CAPS[unit.config["landscape"]])
    assert result["skipped"] == []


def test_a_regime_without_samples_is_projected_from_its_kind_and_marked():
    paper = get_scale("paper")
    rows = [dict(row, model="unit_difference/gemm") if row["kind"] == "unit_difference" else row
            for row in _samples(paper, (1,), lambda work: 2.0 + 1e-3 * work)]
    result = estimate(paper, (1,), workers=1, samples=rows)
    kinds = result["tasks"][1]["kinds"]
    assert kinds["unit_difference*"]["units"] == 40 and kinds["unit_difference*"]["seconds_per_unit"] > 0
    assert "projected from the kind's others" in format_estimate(result, "paper")
    with pytest.raises(RuntimeError, match="no calibration sample"):
        estimate(paper, (1,), workers=1, samples=[row for row in rows if row["kind"] != "unit_difference"])


def test_cli_estimate_needs_no_out_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from works.__main__ import main

    import works.estimate

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(works.estimate, "calibrate",
                        lambda scale, tasks, log=None: _samples(scale, tasks, lambda work: 1.0 + work))
    out = tmp_path / "OUT"
    result = main(["--scale", "smoke", "--estimate", "--tasks", "7", "--out", str(out), "--quiet"])
    assert result["skipped"] == [] and result["tasks"][7]["units"] > 0
    assert "unit_network/mnist1d" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []            # no OUT, no lock, no run.json
    with pytest.raises(SystemExit) as stop:           # without --estimate, --out is required
        main(["--scale", "smoke", "--tasks", "7"])
    assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        main(["--scale", "smoke", "--estimate", "--workers", "0"])
    assert stop.value.code == 2
