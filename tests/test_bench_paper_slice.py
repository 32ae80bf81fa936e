"""benchmarks/bench_paper_slice.py: real units of a plan, recorded as the pipeline records them."""

import importlib.util
from pathlib import Path

import numpy as np

from works import layout
from works.run_1_tasks import plan
from works.scales import get_scale
from works.storage import Manifest
from works.units import run_unit


def _bench():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_paper_slice.py"
    spec = importlib.util.spec_from_file_location("bench_paper_slice", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slice_records_units_like_the_pipeline_and_reads_fit_lengths(tmp_path, capsys):
    bench = _bench()
    out = tmp_path / "out"
    patterns = ["task5/loop.vs.collider/Quadratic Saddle/loop/01", "task1/robustness/collider.1"]
    rows = bench.run_slice("smoke", out, patterns, tasks=(1, 5), log=None)
    units = {u.key: u for stages in plan(get_scale("smoke"), (1, 5)).values() for st in stages for u in st}
    assert [row["key"] for row in rows] == patterns               # pattern order, each unit once
    manifest = Manifest(out / layout.RAW)
    assert all(manifest.is_done(units[key]) for key in patterns)  # a pipeline run would skip them
    reference = tmp_path / "reference"
    for key in patterns:                                          # the same files as the unit run in-process
        record = run_unit(units[key], reference)
        for name in record["files"]:
            assert (out / layout.RAW / name).read_bytes() == (reference / name).read_bytes()
    fit = units[patterns[0]]
    iterations = np.load(reference / fit.config["output"])["iterations"]
    assert (rows[0]["fits"], rows[0]["iterations"], rows[0]["longest"]) == (
        iterations.size, iterations.sum(), iterations.max())
    assert "fits" not in rows[1] and rows[1]["peak_bytes"] > 0 and rows[1]["cpu_seconds"] > 0
    assert bench.run_slice("smoke", out, patterns, tasks=(1, 5), log=None) == []  # done units are skipped
    result = bench.main(["--out", str(out), "--table", "--json", str(tmp_path / "t.json"), "--scale", "smoke"])
    printed = capsys.readouterr().out
    assert len(result["units"]) == 2 and "| `unit_population` | 1 |" in printed
    ms = 1e3 * rows[0]["cpu_seconds"] / rows[0]["iterations"]
    assert f"| {ms:.3f} |" in printed


def test_compare_reevaluates_a_fit_unit_at_the_iterations_it_ran():
    bench = _bench()
    rows = [{"key": "a", "cpu_seconds": 10.0},
            {"key": "fit", "cpu_seconds": 50.0, "fits": 2, "iterations": 300}]  # 150 iterations per fit
    projection = {"units": {
        "a": {"model": "m", "seconds": 12.0, "work": 5.0, "intercept": 2.0, "slope": 2.0},
        # assumed 100 iterations per fit: work 200 → 1 + 0.2 × 200 = 41 s; at 150: 1 + 0.2 × 300 = 61 s
        "fit": {"model": "f", "seconds": 41.0, "work": 200.0, "intercept": 1.0, "slope": 0.2, "iterations": 100}}}
    lines = bench.compare(rows + [{"key": "not projected", "cpu_seconds": 1.0}], projection)
    assert "| a | 10.0 | 12.0 | 1.20 | 12.0 | 1.20 |" in lines
    assert "| fit | 50.0 | 41.0 | 0.82 | 61.0 | 1.22 |" in lines
    assert lines[-1] == "| **all** | 2 | 60 | 73 | 1.22 |"
