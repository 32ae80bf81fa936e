"""The whole pipeline at smoke scale: outputs, resumption after a kill, corruption repair, executors."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from works._io import load_json, sha256_file
from works.executors import make_executor
from works.run_1_tasks import plan, run_tasks
from works.scales import get_scale

pytestmark = pytest.mark.slow  # the whole pipeline at smoke scale

ROOT = Path(__file__).resolve().parents[1]
STATIC_FIGURES = ("main01", "supp03")  # schematics without a pack
pytestmark = pytest.mark.slow  # whole-pipeline runs (deselect with -m "not slow")


def _digests(raw: Path, prefixes=None) -> dict:
    out = {}
    for path in sorted(raw.rglob("*")):
        relative = path.relative_to(raw).as_posix()
        if path.is_file() and relative not in ("manifest.json",) and not path.name.startswith("."):
            if prefixes is None or relative.startswith(prefixes):
                out[relative] = sha256_file(path)
    return out


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """One uninterrupted in-process smoke run of the whole pipeline (tasks 1–7, packs, figures, report)."""
    from works.__main__ import run_pipeline

    out = tmp_path_factory.mktemp("smoke")
    tasks = (1, 2, 3, 4, 5, 6, 7)  # task 4 reads the UCI files shipped in the package (practice/data/uci)
    with make_executor(workers=1) as executor:
        summary = run_pipeline(out, get_scale("smoke"), tasks, executor, progress=False, log=None)
    return out, summary, tasks


def test_smoke_pipeline_writes_raw_figures_and_report(smoke_run):
    from works.show_ext import FIGURES as EXT
    from works.show_main import FIGURES as MAIN
    from works.show_supp import FIGURES as SUPP

    out, summary, tasks = smoke_run
    raw = out / "raw"
    for task in tasks:
        assert summary["tasks"][task]["computed"] == sum(len(s) for s in plan(get_scale("smoke"), [task])[task])
    manifest = load_json(raw / "manifest.json")["units"]
    for key, record in manifest.items():
        for relative, entry in record["files"].items():
            assert sha256_file(raw / relative) == entry["sha256"], key
    # every raw array loads without pickle; the documented shapes of tasks 1–4
    for path in raw.rglob("*.np[yz]"):
        loaded = np.load(path, allow_pickle=False)
        if path.suffix == ".npz":
            [loaded[name] for name in loaded.files]
    smoke = get_scale("smoke")
    n_loops = len(smoke.task1.magnitudes) ** 3 * len(smoke.task1.biases) ** 2
    assert np.load(raw / "parameters" / "incoherent-loop.1.npy").shape == (n_loops, 5)
    assert np.load(raw / "trade-offs" / "coherent-loop.1.npy").shape == (n_loops, 2)
    escape = np.load(raw / "particular" / "incoherent-loop.1.escape.npz")
    assert escape["escaper"].shape == (smoke.task2.samples, smoke.task2.outer, 5)
    sweep = np.load(raw / "real-world" / "adjustments.1.npz")
    t3 = smoke.task3
    assert sweep["test"].shape == (len(t3.agents), len(t3.train_noises), t3.repeats, len(t3.eval_noises))
    assert np.all(sweep["generations"] <= t3.generations) and np.all(sweep["test"] <= 200)
    caps = np.load(raw / "real-world" / "iterations.npz")
    assert caps["qualified"].shape == (len(t3.agents), len(t3.caps))
    assert np.all(caps["qualified"] <= t3.caps_repeats)
    from works.tasks.connectome import wiring_labels

    training = np.load(raw / "connectome" / "training.npz")
    assert training["accuracy"].shape == (len(wiring_labels(smoke.task6)) * smoke.task6.seeds,)
    assert np.load(raw / "connectome" / "enrichment.er.npz")["samples"].shape == (smoke.task6.enrichment_samples, 14)
    # packs: every pack is built, except those of task-5 landscapes this scale does not run
    from works.layout import LANDSCAPES

    not_run = [name for name in LANDSCAPES if name not in smoke.task5.landscapes]
    if 4 not in tasks:  # no UCI files on this machine
        not_run += ["uci", "biology", "physics-chemistry", "health-medicine"]
    for name, status in summary["packs"].items():
        assert status == "built" or any(landscape in status for landscape in not_run), (name, status)
    # figures: every figure of the inventory exists and is non-empty (only the UCI figures may be missing, when
    # the UCI files are absent on this machine)
    uci_figures = {name for name, status in summary["packs"].items() if status != "built"}
    assert 4 in tasks or uci_figures <= {"supp26", "supp27", "supp28", "supp29", "supp30"}
    expected = [name for name in list(MAIN) + list(SUPP) + list(EXT) if name not in uci_figures]
    assert set(expected) >= set(STATIC_FIGURES) and len(expected) >= 31
    for name in expected:
        for suffix in (".pdf", ".png"):
            path = out / "show" / f"{name}{suffix}"
            assert path.is_file() and path.stat().st_size > 0, path
    report = (out / "REPORT.md").read_text()
    assert report.count("\n| ") >= 13 and "| 4 |" in report and "nearest collider MSE" in report
    assert "| 14 |" in report and "| 17 |" in report
    # the run's wall time per step, recorded by run_pipeline and shown by the report
    timings = load_json(out / "timings.json")
    assert [f"task {task}" for task in tasks] == list(timings)[:len(tasks)]
    assert {"packs", "figures", "until the report"} <= set(timings)
    for task in tasks:
        assert timings[f"task {task}"]["units computed"] == summary["tasks"][task]["computed"]
    steps = [row["seconds"] for step, row in timings.items() if step != "until the report"]
    assert timings["until the report"]["seconds"] >= sum(steps) - 0.01 * len(steps)  # each rounded to 0.01 s
    assert "## Run time" in report and f"| task 1 | {timings['task 1']['seconds']:,.0f} s (" in report


def test_interrupted_run_resumes_to_identical_results(smoke_run, tmp_path):
    out, _, _ = smoke_run
    command = [sys.executable, "-m", "works.run_1_tasks", "--scale", "smoke", "--out", str(tmp_path),
               "--tasks", "1", "2", "3", "--workers", "1", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    manifest_path = tmp_path / "raw" / "manifest.json"
    recorded = 0
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if manifest_path.is_file():
            try:
                recorded = len(load_json(manifest_path)["units"])
            except ValueError:
                recorded = 0
            if recorded >= 12:
                break
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    total = sum(len(stage) for stages in plan(get_scale("smoke"), (1, 2, 3)).values() for stage in stages)
    partial = len(load_json(manifest_path)["units"])
    assert 12 <= partial < total
    summary = run_tasks(tmp_path, get_scale("smoke"), (1, 2, 3), make_executor(workers=1), progress=False, log=None)
    assert sum(s["computed"] for s in summary.values()) == total - partial
    prefixes = ("parameters", "robustness", "difference", "trade-offs", "particular", "real-world/adjustments",
                "real-world/iterations", "units/trade-offs", "units/task3")
    assert _digests(tmp_path / "raw", prefixes) == _digests(out / "raw", prefixes)


def test_corrupted_result_is_detected_and_recomputed(smoke_run, tmp_path):
    out, _, _ = smoke_run
    shutil.copytree(out / "raw", tmp_path / "raw")
    target = tmp_path / "raw" / "robustness" / "incoherent-loop.1.npy"
    original = sha256_file(target)
    data = bytearray(target.read_bytes())
    data[-3] ^= 0x55
    target.write_bytes(bytes(data))
    (tmp_path / "raw" / "difference" / "coherent-loop.1 for collider.2.npy").write_bytes(b"truncated")
    summary = run_tasks(tmp_path, get_scale("smoke"), (1, 2), make_executor(workers=1), progress=False, log=None)
    assert summary[1]["computed"] == 2 and summary[2]["computed"] == 0
    assert sha256_file(target) == original
    assert _digests(tmp_path / "raw", ("difference", "robustness")) == _digests(out / "raw", ("difference",
                                                                                               "robustness"))


@pytest.mark.parametrize("workers, dask", [(2, None), (2, "local")])
def test_executors_give_identical_results(smoke_run, tmp_path, workers, dask):
    if dask:
        pytest.importorskip("dask.distributed")
    out, _, _ = smoke_run
    scale = get_scale("smoke")
    with make_executor(workers=workers, dask=dask) as executor:
        run_tasks(tmp_path, scale, (1, 2), executor, progress=False, log=None)
    prefixes = ("parameters", "robustness", "difference", "trade-offs", "particular")
    assert _digests(tmp_path / "raw", prefixes) == _digests(out / "raw", prefixes)


def test_pipeline_benchmark_tabulates_a_finished_run(smoke_run, tmp_path, capsys):
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_pipeline.py"
    spec = importlib.util.spec_from_file_location("bench_pipeline", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out, summary, tasks = smoke_run
    record = bench.main(["--from-run", str(out), "--wall", "61.5", "--json", str(tmp_path / "b.json")])
    printed = capsys.readouterr().out
    assert record["scale"] == "smoke" and record["steps"] == load_json(out / "timings.json")
    assert load_json(tmp_path / "b.json")["wall_seconds"] == 61.5
    for task in tasks:
        assert f"| task {task} | {record['steps'][f'task {task}']['seconds']:,.0f} s | " in printed
    assert "| **whole command** | **62 s (1.0 min)** | |" in printed  # no budget at smoke
    assert bench.table({}, 1900.0, "quick")[-1].endswith("(budget 30 min: OVER) | |")
