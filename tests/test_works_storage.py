"""Manifest, unit seeds, selection quirk and task-5 bookkeeping of the works pipeline."""

import json

import numpy as np
import pytest

from works._io import load_json, save_npy
from works.executors import make_executor
from works.run_1_tasks import restricted_configurations, select_escapers
from works.scales import SCALES, get_scale
from works.storage import Manifest
from works.units import Unit, config_hash, run_unit, unit_seed


def _demo(config, raw_dir, seed):
    """A tiny unit function: writes ``demo/<name>.npy`` with ``value`` random numbers drawn from the unit seed."""
    rng = np.random.default_rng(seed)
    save_npy(raw_dir / "demo" / f"{config['name']}.npy", rng.random(int(config["value"])))


def _unit(name="a", value=3, depends=()):
    return Unit(f"demo/{name}", f"{__name__}:_demo", {"name": name, "value": value}, (f"demo/{name}.npy",),
                depends, 7)


def test_unit_seed_depends_on_key_and_base_only():
    first = unit_seed(7, "task3/x/repeat-0001").generate_state(4)
    assert np.array_equal(first, unit_seed(7, "task3/x/repeat-0001").generate_state(4))
    assert not np.array_equal(first, unit_seed(7, "task3/x/repeat-0002").generate_state(4))
    assert not np.array_equal(first, unit_seed(8, "task3/x/repeat-0001").generate_state(4))


def test_run_unit_writes_and_records_checksums(tmp_path):
    record = run_unit(_unit(), tmp_path)
    path = tmp_path / "demo" / "a.npy"
    expected = np.random.default_rng(unit_seed(7, "demo/a")).random(3)
    assert np.array_equal(np.load(path, allow_pickle=False), expected)
    import hashlib

    assert record["files"]["demo/a.npy"] == {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                                             "size": path.stat().st_size}


def test_manifest_detects_missing_truncated_and_corrupt_files(tmp_path):
    unit = _unit()
    manifest = Manifest(tmp_path)
    assert not manifest.is_done(unit)
    manifest.record(run_unit(unit, tmp_path))
    reloaded = Manifest(tmp_path)
    assert reloaded.is_done(unit)
    path = tmp_path / "demo" / "a.npy"
    original = path.read_bytes()
    corrupt = bytearray(original)
    corrupt[-1] ^= 0xFF  # same size, different bytes
    path.write_bytes(bytes(corrupt))
    assert not reloaded.is_done(unit)
    path.write_bytes(original[:-4])
    assert not reloaded.is_done(unit)
    path.unlink()
    assert not reloaded.is_done(unit)
    path.write_bytes(original)
    assert reloaded.is_done(unit)


def test_manifest_rejects_changed_config_and_changed_inputs(tmp_path):
    save_npy(tmp_path / "input.npy", np.arange(3.0))
    unit = _unit(depends=("input.npy",))
    manifest = Manifest(tmp_path)
    manifest.record(run_unit(unit, tmp_path))
    assert manifest.is_done(unit)
    assert not manifest.is_done(_unit(value=4, depends=("input.npy",)))
    save_npy(tmp_path / "input.npy", np.arange(4.0))
    assert not manifest.is_done(unit)
    assert config_hash(unit, tmp_path) != config_hash(unit, tmp_path / "elsewhere")


def test_corrupt_manifest_starts_afresh(tmp_path):
    (tmp_path / "manifest.json").write_text("{ not json")
    manifest = Manifest(tmp_path)
    assert len(manifest) == 0
    manifest.record(run_unit(_unit(), tmp_path))
    assert load_json(tmp_path / "manifest.json")["units"]["demo/a"]["task"] == "demo"


def test_selection_worked_example_and_threshold():
    colliders = np.array([[0.02, 0.5, 0.01, 0.03], [0.5, 0.5, 0.5, 0.5]])
    own = np.array([0.2, 0.9, 0.4, 0.1])
    assert select_escapers(colliders, own, 0.03, 10).tolist() == [2, 0, 3]
    assert select_escapers(colliders, own, 0.03, 2).tolist() == [2, 0]
    assert select_escapers(colliders, own, 0.001, 2).tolist() == []


def test_selection_tie_order_quirk():
    # Ties in the self-difference: the reference reverses an ascending argsort (later row first),
    # the corrected mode keeps a stable descending order (earlier row first).
    colliders = np.zeros((4, 3))
    own = np.array([0.5, 0.5, 0.1])
    assert select_escapers(colliders, own, semantics="reference").tolist() == np.argsort(own)[::-1].tolist()
    assert select_escapers(colliders, own, semantics="reference").tolist() == [1, 0, 2]
    assert select_escapers(colliders, own, semantics="corrected").tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="semantics"):
        select_escapers(colliders, own, semantics="fixed")


def test_restricted_configuration_counts_match_the_paper():
    configurations = restricted_configurations()
    ks = np.array([flags_1.count(0) for _, flags_1, _ in configurations])
    assert np.bincount(ks).tolist() == [286, 880, 1650, 2400, 2940, 3136, 2940, 2400, 1650, 880, 286]
    assert len(configurations) * 5 == 97_240
    keys = [key for key, _, _ in configurations]
    assert len(set(keys)) == len(keys)
    key, flags_1, flags_2 = configurations[300]
    assert key == "".join(map(str, flags_1)) + "-" + "".join(map(str, flags_2))
    assert key.split("-")[0].count("0") == 1
    assert [c[0] for c in restricted_configurations("ones")][0] == "1111111111-1111111111"


def test_scales_and_executor_validation():
    assert SCALES == ("smoke", "quick", "paper")
    paper = get_scale("paper")
    assert paper.task3.caps == tuple(range(20, 151, 10))  # Fig. 6a draws 14 caps 
    assert len(paper.task1.magnitudes) == 10 and len(paper.task1.biases) == 21
    assert json.dumps(__import__("dataclasses").asdict(paper))
    with pytest.raises(ValueError, match="scale"):
        get_scale("huge")
    with pytest.raises(ValueError, match="semantics"):
        get_scale("quick", "fixed")
    with pytest.raises(ValueError, match="workers"):
        make_executor(workers=0)
    with pytest.raises(ValueError, match="dask"):
        make_executor(workers=1, dask="somewhere")
