"""Fault injection for the `works` pipeline: failures, damaged files, kills, concurrent runs, bad folders.

The fast part works in-process on tiny synthetic units, packs and figures; the cases that run the real smoke
pipeline in a subprocess (kills at several points, SIGTERM, a second concurrent run, repair of every damaged
file kind after a real run) are marked ``slow``. Every case ends with the same bytes in ``raw/`` and ``data/``
as a clean run, or with a one-line error and nothing already finished lost.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from works import _io, cli, guard, layout, packing
from works._io import atomic_write_bytes, load_json, save_npy, sha256_file
from works.executors import make_executor
from works.figures.runner import compose, draw_figures
from works.guard import FolderBusy, FolderLock, FolderMismatch, check_stamp, clean_stale, write_stamp
from works.scales import get_scale
from works.storage import Manifest
from works.units import Unit

ROOT = Path(__file__).resolve().parent.parent


def _digests(folder: Path) -> dict:
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def _no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if guard.is_temporary(p.name)]


# ------------------------------------------------------------------------------------------------- writes


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_writes_respect_the_umask(tmp_path, mask, mode):
    previous = os.umask(mask)
    try:
        path = atomic_write_bytes(tmp_path / "a" / "file.bin", b"x")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == mode


def test_disk_full_names_the_file_and_keeps_the_old_bytes(tmp_path, monkeypatch):
    target = tmp_path / "data" / "pack.npz"
    atomic_write_bytes(target, b"old")

    def full(stream, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io, "_write", full)
    with pytest.raises(OSError) as caught:
        save_npy(target, np.arange(3))
    assert caught.value.errno == errno.ENOSPC and str(target) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert target.read_bytes() == b"old" and _no_temporaries(tmp_path)


def test_temporary_names_are_unique_per_process_and_call(tmp_path):
    first, second = _io.temporary_name(tmp_path / "a.pdf"), _io.temporary_name(tmp_path / "a.pdf")
    assert first != second and str(os.getpid()) in first.name and first.suffix == ".pdf"
    assert guard.is_temporary(first.name)


# ------------------------------------------------------------------------------------------ folder guards


def test_a_second_lock_names_the_holder_and_waits(tmp_path):
    with FolderLock(tmp_path):
        with pytest.raises(FolderBusy, match=f"pid {os.getpid()}.*--wait"):
            FolderLock(tmp_path).acquire()
        waiting = FolderLock(tmp_path, wait=True, poll=0.01)
        thread = threading.Thread(target=waiting.acquire)
        thread.start()
        time.sleep(0.1)
        assert thread.is_alive()
    thread.join(5)
    assert not thread.is_alive()
    waiting.release()


def test_stamp_refuses_another_configuration(tmp_path):
    stamp = {"scale": "smoke", "semantics": "reference", "seed": 7, "version": "0.1.0", "default_seed": 7}
    assert check_stamp(tmp_path, stamp) is None
    write_stamp(tmp_path, stamp)
    check_stamp(tmp_path, stamp)
    check_stamp(tmp_path, {**stamp, "seed": None})  # no --seed: the preset's, as recorded
    for key, value in (("scale", "quick"), ("semantics", "corrected"), ("seed", 8), ("version", "9.9")):
        with pytest.raises(FolderMismatch, match=f"{key}=.*--fresh.*--out"):
            check_stamp(tmp_path, {**stamp, key: value})


def test_legacy_folder_without_stamp_is_judged_by_its_config(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "config.json").write_text(json.dumps({"name": "smoke", "semantics": "reference",
                                                               "seed": 1}))
    with pytest.raises(FolderMismatch, match="scale='smoke'"):
        check_stamp(tmp_path, {"scale": "quick", "semantics": "reference", "seed": None, "version": "0.1.0"})


def test_clean_stale_removes_only_temporaries(tmp_path):
    keep = [tmp_path / "raw" / "a.npy", tmp_path / ".lock", tmp_path / "show" / "main01.pdf"]
    stale = [tmp_path / "raw" / ".manifest.json.123.abcd.tmp", tmp_path / "show" / ".main02.55.ff00.tmp.png",
             tmp_path / "data" / "deep" / ".main02.npz.9.x.tmp"]
    for path in keep + stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert sorted(clean_stale(tmp_path)) == sorted(stale)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)


def test_cli_constants_match_the_pipeline():
    from works.tasks import MODULES

    assert cli.SCALES == layout.SCALES and cli.SEMANTICS == layout.SEMANTICS
    assert cli.TASKS == tuple(sorted(MODULES))


@pytest.mark.parametrize("text", ["{ not json", "[1, 2]", '{"version": 1, "units": [1]}',
                                  '{"version": 1, "units": {"a": 3, "b": {"files": []}}}', "\x00\xff"])
def test_damaged_manifest_never_crashes(tmp_path, text):
    (tmp_path / "manifest.json").write_bytes(text.encode("latin-1"))
    manifest = Manifest(tmp_path)
    assert len(manifest) == 0
    assert not manifest.is_done(Unit("a", "m:f", {}, ("x.npy",)))


# --------------------------------------------------------------------------------------------- packs


def _packs(calls):
    def pack_a(raw, scale):
        calls.append("a")
        return {"x": raw.npy("a.npy") * 2.0}

    def pack_b(raw, scale):
        calls.append("b")
        return {"y": raw.npy("b.npy")}

    def pack_bad(raw, scale):
        raise IndexError("index 159 is out of bounds")

    return {"pa": pack_a, "pb": pack_b, "pbad": pack_bad}


def _raw(out: Path):
    save_npy(out / "raw" / "a.npy", np.arange(5.0))
    save_npy(out / "raw" / "b.npy", np.ones(3))


@pytest.mark.parametrize("damage", ["corrupt", "truncate", "delete", "manifest", "manifest-garbage"])
def test_damaged_packs_and_pack_manifest_are_rebuilt_to_the_same_bytes(tmp_path, damage):
    _raw(tmp_path)
    calls = []
    status = packing.pack_all(tmp_path, "smoke", _packs(calls))
    assert status["pa"] == status["pb"] == "built"
    assert status["pbad"].startswith("failed: IndexError: index 159") and "\n" not in status["pbad"]
    clean = _digests(tmp_path / "data")
    pack = tmp_path / "data" / "pa.npz"
    if damage == "corrupt":
        data = bytearray(pack.read_bytes())
        data[len(data) // 2] ^= 0xFF
        pack.write_bytes(bytes(data))
    elif damage == "truncate":
        pack.write_bytes(pack.read_bytes()[:40])
    elif damage == "delete":
        pack.unlink()
    elif damage == "manifest":
        (tmp_path / "data" / "manifest.json").write_bytes(b'{"version": 1, "units": {"pa": ')
    else:
        (tmp_path / "data" / "manifest.json").write_bytes(os.urandom(64))
    calls.clear()
    status = packing.pack_all(tmp_path, "smoke", _packs(calls))
    assert status["pa"] == "built"
    assert status["pb"] == ("built" if damage.startswith("manifest") else "current")
    assert _digests(tmp_path / "data") == clean
    calls.clear()
    assert packing.pack_all(tmp_path, "smoke", _packs(calls))["pa"] == "current" and calls == []


def test_pack_is_rebuilt_when_its_raw_input_changes(tmp_path):
    _raw(tmp_path)
    packing.pack_all(tmp_path, "smoke", _packs([]))
    save_npy(tmp_path / "raw" / "a.npy", np.arange(6.0))
    assert packing.pack_all(tmp_path, "smoke", _packs([]))["pa"] == "built"


# ------------------------------------------------------------------------------------------------ figures


def _drawers(calls):
    def draw_fa(out_dir):
        calls.append("fa")

        def layout_(fig, axes, pack):
            axes[0, 0].plot(pack["x"])

        return compose(out_dir, "pa", layout_)

    def draw_bad(out_dir):
        raise KeyError("pack pa has no entry 'z'")

    def draw_missing(out_dir):
        return compose(out_dir, "nothing", lambda fig, axes, pack: None)

    return {"pa": draw_fa, "pbad": draw_bad, "nothing": draw_missing}


@pytest.mark.parametrize("damage", ["corrupt", "truncate", "delete", "manifest", None])
def test_damaged_figures_are_redrawn_to_the_same_bytes(tmp_path, damage):
    _raw(tmp_path)
    packing.pack_all(tmp_path, "smoke", _packs([]))
    calls = []
    drawers = _drawers(calls)
    result = draw_figures(drawers, list(drawers), tmp_path, skip_missing=True)
    assert [p.suffix for p in result["pa"]] == [".pdf", ".png"] and calls == ["fa"]
    assert result["pbad"].startswith("failed: KeyError") and result["nothing"].startswith("skipped")
    clean = _digests(tmp_path / "show")
    png = tmp_path / "show" / "pa.png"
    if damage == "corrupt":
        png.write_bytes(png.read_bytes()[:-10] + b"0123456789")
    elif damage == "truncate":
        png.write_bytes(png.read_bytes()[:100])
    elif damage == "delete":
        png.unlink()
    elif damage == "manifest":
        (tmp_path / "show" / "manifest.json").write_text("{")
    result = draw_figures(drawers, list(drawers), tmp_path, skip_missing=True)
    assert calls == ["fa"] * (1 if damage is None else 2)
    assert _digests(tmp_path / "show") == clean and _no_temporaries(tmp_path)


def test_figure_is_redrawn_when_its_pack_changes(tmp_path):
    _raw(tmp_path)
    packing.pack_all(tmp_path, "smoke", _packs([]))
    calls = []
    draw_figures(_drawers(calls), ["pa"], tmp_path, skip_missing=True)
    save_npy(tmp_path / "raw" / "a.npy", np.arange(7.0))
    packing.pack_all(tmp_path, "smoke", _packs([]))
    draw_figures(_drawers(calls), ["pa"], tmp_path, skip_missing=True)
    assert calls == ["fa", "fa"]


# ----------------------------------------------------------------------------------- failure isolation


def _fake_plan(good_units):
    bad = Unit("task1/broken", "works.tasks.motifs:unit_that_does_not_exist", {}, ("broken.npy",))

    def plan(scale, tasks):
        stages = {1: [[bad, good_units[0]], [good_units[1]]], 2: [[good_units[2]]]}
        return {task: stages[task] for task in tasks}

    return plan


def _imitation(key):
    config = {"loop": [-1.0, 0.652, 1.0, 1.0, 0.337], "steps": 2, "learn_rate": 1e-3, "points": 5}
    return Unit(key, "works.tasks.motifs:unit_imitation", config, (layout.imitation_file(),))


def test_a_failing_task_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    from works import run_1_tasks

    good = [_imitation("task1/a"), _imitation("task1/b"), _imitation("task2/c")]
    monkeypatch.setattr(run_1_tasks, "plan", _fake_plan(good))
    lines = []
    summary = run_1_tasks.run_tasks(tmp_path, get_scale("smoke"), (1, 2), make_executor(workers=1),
                                    progress=False, log=lines.append)
    assert summary[1]["computed"] == 1 and summary[1]["failed"] == 1  # the same stage's good unit is kept
    assert summary[1]["error"].startswith("unit task1/broken failed: AttributeError")
    assert "\n" not in summary[1]["error"] and "Traceback" in summary[1]["tracebacks"][0]
    assert summary[2] == {**summary[2], "computed": 1, "failed": 0, "error": None}
    assert any(line.startswith("task 1: FAILED") for line in lines)
    recorded = Manifest(tmp_path / "raw").units
    assert set(recorded) == {"task1/a", "task2/c"}


def test_report_lists_what_is_missing(tmp_path):
    from works.report import write_report

    path = write_report(tmp_path, missing={"task 4": "unit task4/x failed: ValueError: bad | file"})
    text = path.read_text()
    assert "## Missing from this run" in text and "| task 4 | unit task4/x failed: ValueError: bad \\| file |" in text


def test_report_survives_a_damaged_raw_manifest(tmp_path):
    from works.report import write_report

    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "manifest.json").write_text('{"version": 1, "units": {"a": {"files": 3}}}')
    (tmp_path / "raw" / "config.json").write_text("[")
    assert "not run" in write_report(tmp_path).read_text()


# ------------------------------------------------------------------------------------- command line


def _main(argv, capsys, main=None):
    if main is None:
        from works.__main__ import main

    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return caught.value.code, err


def test_out_naming_a_file_is_a_one_line_usage_error(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    for out in (target, target / "below"):
        code, err = _main(["--scale", "smoke", "--out", str(out), "--tasks", "1"], capsys)
        assert code == 2 and len(err) == 1 and str(out) in err[0] and "--out" in err[0]
    assert target.read_text() == "x"


def test_missing_uci_dir_or_file_is_a_usage_error_naming_it(tmp_path, capsys):
    out = tmp_path / "out"
    code, err = _main(["--scale", "smoke", "--out", str(out), "--tasks", "4", "--uci-dir", str(tmp_path / "no")],
                      capsys)
    assert code == 2 and len(err) == 1 and "--uci-dir" in err[0] and str(tmp_path / "no") in err[0]
    assert not out.exists()
    partial = tmp_path / "uci"
    partial.mkdir()
    (partial / "ecoli.data").write_text("")
    code, err = _main(["--scale", "smoke", "--out", str(out), "--tasks", "4", "--uci-dir", str(partial)], capsys)
    assert code == 2 and len(err) == 1 and "glass.data" in err[0] and "--uci-dir" in err[0]
    assert not out.exists()  # every argument is checked before the folder (and its lock file) is created
    code, err = _main(["--scale", "smoke", "--out", str(out), "--tasks", "1", "--workers", "0"], capsys)
    assert code == 2 and len(err) == 1 and "--workers" in err[0] and not out.exists()


def test_env_uci_dir_is_checked_when_task_4_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOTIFEFFECT_UCI_DIR", str(tmp_path / "nowhere"))
    code, err = _main(["--scale", "smoke", "--out", str(tmp_path / "out"), "--tasks", "4"], capsys)
    assert code == 2 and "$MOTIFEFFECT_UCI_DIR" in err[0]


def test_another_configuration_is_refused_before_touching_anything(tmp_path, capsys):
    stamp = {"scale": "smoke", "semantics": "reference", "seed": 3, "version": "0.1.0", "default_seed": 3}
    write_stamp(tmp_path, stamp)
    (tmp_path / "raw").mkdir()
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    for argv in (["--scale", "quick"], ["--scale", "smoke", "--seed", "4"], ["--scale", "smoke", "--semantics",
                                                                              "corrected"]):
        started = time.perf_counter()
        code, err = _main([*argv, "--out", str(tmp_path), "--tasks", "1"], capsys)
        assert time.perf_counter() - started < 30  # generous: the machine may be loaded; no pipeline imported
        assert code == 3 and len(err) == 1 and "--fresh" in err[0]
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_busy_folder_is_refused_naming_the_holder(tmp_path, capsys):
    with FolderLock(tmp_path):
        code, err = _main(["--scale", "smoke", "--out", str(tmp_path), "--tasks", "1"], capsys)
    assert code == 3 and len(err) == 1 and f"pid {os.getpid()}" in err[0] and "--wait" in err[0]


def _step_scripts():
    from works import report, run_2_packs, show_ext, show_main, show_supp, show_video

    return {"run_2_packs": run_2_packs.main, "show_main": show_main.main, "show_supp": show_supp.main,
            "show_ext": show_ext.main, "show_video": show_video.main, "report": report.main}


@pytest.mark.parametrize("script", sorted(_step_scripts()))
def test_step_scripts_take_the_folder_lock(tmp_path, capsys, script):
    main = _step_scripts()[script]
    with FolderLock(tmp_path):
        code, err = _main(["--out", str(tmp_path)], capsys, main=main)
    assert code == 3 and len(err) == 1 and f"pid {os.getpid()}" in err[0] and "--wait" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [guard.LOCK_NAME]  # nothing written meanwhile


@pytest.mark.parametrize("script", ["run_2_packs", "show_video"])
def test_step_scripts_refuse_a_folder_of_another_scale(tmp_path, capsys, script):
    write_stamp(tmp_path, {"scale": "smoke", "semantics": "reference", "seed": 3, "version": "0.1.0"})
    code, err = _main(["--out", str(tmp_path), "--scale", "quick"], capsys, main=_step_scripts()[script])
    assert code == 3 and len(err) == 1 and "scale='smoke'" in err[0]


def test_step_scripts_need_an_existing_folder(tmp_path, capsys):
    code, err = _main(["--out", str(tmp_path / "none")], capsys, main=_step_scripts()["show_main"])
    assert code == 2 and len(err) == 1 and "--out" in err[0] and not (tmp_path / "none").exists()


def test_step_scripts_clean_stale_temporaries_and_run(tmp_path, capsys):
    stale = tmp_path / "data" / ".main02.npz.123.tmp"
    stale.parent.mkdir()
    stale.write_bytes(b"half")
    status = _step_scripts()["run_2_packs"](["--out", str(tmp_path), "--scale", "smoke"])
    assert not stale.exists() and status["main02"].startswith("skipped")


def test_write_errors_during_a_run_are_one_line_naming_the_path(tmp_path, capsys, monkeypatch):
    def read_only(stream, data):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(_io, "_write", read_only)
    code, err = _main(["--scale", "smoke", "--out", str(tmp_path), "--tasks", "1", "--workers", "1", "--quiet"],
                      capsys)
    assert code == 1 and len(err) == 1 and str(tmp_path) in err[0] and "Read-only" in err[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_read_only_out_is_a_one_line_error(tmp_path, capsys):
    tmp_path.chmod(0o555)
    try:
        code, err = _main(["--scale", "smoke", "--out", str(tmp_path / "x"), "--tasks", "1"], capsys)
    finally:
        tmp_path.chmod(0o755)
    assert code == 2 and len(err) == 1 and "--out" in err[0]


# ------------------------------------------------------------------------ the real pipeline (slow)

COMMAND = [sys.executable, "-m", "works", "--scale", "smoke", "--tasks", "1", "--workers", "2", "--quiet"]


def _run(out, *extra, **kwargs):
    return subprocess.run([*COMMAND, "--out", str(out), *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, **kwargs)


def _start(out):
    return subprocess.Popen([*COMMAND, "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _descendants(pid: int) -> set:
    children, found = {}, set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pids) -> set:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _wait_for(condition, process, limit=600.0):
    started = time.monotonic()
    while not condition():
        assert process.poll() is None, f"the run ended before the kill point: {process.stderr.read()}"
        assert time.monotonic() - started < limit
        time.sleep(0.05)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    result = _run(out)
    assert result.returncode == 0, result.stderr
    return out


def _same_as_clean(out, clean):
    """Same bytes in every result file (the manifests hold run times, so only their file lists are compared)."""
    for folder in ("raw", "data", "show"):
        ours, theirs = _digests(out / folder), _digests(clean / folder)
        ours.pop("manifest.json"), theirs.pop("manifest.json")
        assert ours == theirs, folder
        assert set(Manifest(out / folder).units) == set(Manifest(clean / folder).units), folder
    assert _no_temporaries(out)


def _units(out):
    try:
        return len(load_json(out / "raw" / "manifest.json")["units"])
    except (OSError, ValueError, KeyError):
        return 0


KILL_POINTS = {
    "tasks": lambda out: _units(out) >= 5,
    "packing": lambda out: (out / "data").is_dir() and any((out / "data").glob("*.npz")),
    "drawing": lambda out: (out / "show").is_dir() and any((out / "show").glob("*.png")),
}


@pytest.mark.slow
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_sigkill_leaves_no_process_and_a_rerun_repairs(clean_run, tmp_path, point):
    process = _start(tmp_path)
    _wait_for(lambda: KILL_POINTS[point](tmp_path), process)
    family = _descendants(process.pid)
    process.kill()  # the parent only, as the OOM killer would
    process.wait()
    deadline = time.monotonic() + 10
    while _alive(family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(family), "orphan processes outlived the pipeline"
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    _same_as_clean(tmp_path, clean_run)


@pytest.mark.slow
def test_sigterm_stops_the_pool_and_exits_143(clean_run, tmp_path):
    process = _start(tmp_path)
    _wait_for(lambda: _units(tmp_path) >= 3, process)
    family = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert "interrupted (SIGTERM)" in process.stderr.read()
    time.sleep(2)
    assert not _alive(family)
    assert _run(tmp_path).returncode == 0
    _same_as_clean(tmp_path, clean_run)


@pytest.mark.slow
def test_a_second_concurrent_run_is_refused(clean_run, tmp_path):
    process = _start(tmp_path)
    _wait_for(lambda: (tmp_path / "run.json").is_file(), process)
    second = _run(tmp_path)
    assert second.returncode == 3 and f"pid {process.pid}" in second.stderr and "--wait" in second.stderr
    assert process.wait(timeout=900) == 0
    _same_as_clean(tmp_path, clean_run)


@pytest.mark.slow
def test_every_damaged_file_kind_is_repaired_by_one_rerun(clean_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean_run, out)
    flipped = (out / "raw" / "robustness" / "incoherent-loop.1.npy", out / "data" / "main02.npz",
               out / "show" / "supp01.png")
    for path in flipped:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    (out / "raw" / "difference" / "coherent-loop.1 for collider.2.npy").write_bytes(b"truncated")
    (out / "data" / "supp02.npz").unlink()
    (out / "show" / "main02.pdf").unlink()
    for manifest in (out / "raw" / "manifest.json", out / "data" / "manifest.json"):
        manifest.write_bytes(manifest.read_bytes()[: manifest.stat().st_size // 2])
    (out / "raw" / ".manifest.json.1.x.tmp").write_bytes(b"partial")
    (out / "show" / ".main03.1.x.tmp.png").write_bytes(b"partial")
    result = _run(out)
    assert result.returncode == 0, result.stderr
    _same_as_clean(out, clean_run)


@pytest.mark.slow
def test_another_scale_is_refused_and_fresh_starts_again(clean_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean_run, out)
    before = _digests(out)
    result = subprocess.run([sys.executable, "-m", "works", "--scale", "quick", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3 and "--fresh" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _digests(out) == before
