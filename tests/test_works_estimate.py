"""works/estimate.py: calibrated cost projection of a scale (``python -m works --estimate``)."""

import dataclasses

import pytest

from works.estimate import (ESTIMATED_TASKS, KINDS, calibration_scales, estimate, fit_line, format_estimate, makespan,
                            unit_kind)
from works.executors import InProcessExecutor
from works.run_1_tasks import plan, run_tasks
from works.scales import get_scale
from works.storage import Manifest


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
        assert level.task3.caps_runs == paper.task3.caps_runs
    assert small.task3.population < larger.task3.population < paper.task3.population
    assert 0 < small.task5.maximum_iteration < larger.task5.maximum_iteration


def test_every_unit_kind_of_every_preset_has_a_cost_measure():
    scale = get_scale("smoke")
    for stages in plan(scale, ESTIMATED_TASKS).values():
        for stage in stages:
            for unit in stage:
                kind = KINDS[unit_kind(unit)]
                assert kind.work(unit.config, scale) > 0 and kind.items(unit.config, scale) > 0


def _samples(scale, tasks, seconds):
    """Synthetic calibration samples from a known cost model ``seconds(kind, work)``."""
    rows = []
    for level in calibration_scales(scale):
        for task, stages in plan(level, tasks).items():
            for stage in stages:
                for unit in stage:
                    kind = KINDS[unit_kind(unit)]
                    work, items = kind.work(unit.config, level), kind.items(unit.config, level)
                    rows.append({"task": task, "kind": unit_kind(unit), "key": unit.key, "work": work,
                                 "items": items, "seconds": seconds(work), "peak_bytes": 1e8 + 10 * items,
                                 "disk_bytes": 100 * items})
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


def test_tasks_without_a_cost_model_are_reported_not_estimated():
    result = estimate(get_scale("smoke"), (6, 7), workers=1, samples=[])
    assert result["skipped"] == [6, 7] and result["tasks"] == {} and result["total"]["units"] == 0
    assert "Not estimated (no cost model yet): task 6, 7." in format_estimate(result, "smoke")


def test_cli_estimate_needs_no_out_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from works.__main__ import main

    monkeypatch.chdir(tmp_path)
    out = tmp_path / "OUT"
    result = main(["--scale", "smoke", "--estimate", "--tasks", "7", "--out", str(out), "--quiet"])
    assert result["skipped"] == [7]
    assert "Not estimated" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []            # no OUT, no lock, no run.json
    with pytest.raises(SystemExit) as stop:           # without --estimate, --out is required
        main(["--scale", "smoke", "--tasks", "7"])
    assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        main(["--scale", "smoke", "--estimate", "--workers", "0"])
    assert stop.value.code == 2
