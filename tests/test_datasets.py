"""practice.datasets: packaged files, parsing, checksums, the per-class split, corrupt files, other copies."""

import hashlib
import shutil

import numpy as np
import pytest

from practice import datasets
from practice.datasets import (DATA_DIR, UCI_DATASETS, load_dataset, locate_dataset, parse_dataset,
                               prepare_supervision_data, split_per_class, verify_checksum)

README_FACTS = {  # rows, features, class counts in order of first appearance (data README)
    "ecoli": (336, 7, {"cp": 143, "im": 77, "pp": 52, "imU": 35, "om": 20, "omL": 5, "imL": 2, "imS": 2}),
    "glass": (214, 9, {"1": 70, "2": 76, "3": 17, "5": 13, "6": 9, "7": 29}),
    "vertebral-column": (310, 6, {"DH": 60, "SL": 150, "NO": 100}),
}
SPLITS = {"ecoli": (170, 166), "glass": (109, 105), "vertebral-column": (155, 155)}


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch):
    monkeypatch.delenv(datasets.ENV_VARIABLE, raising=False)


@pytest.mark.parametrize("name", list(README_FACTS))
def test_counts_match_the_readme(uci_dir, name):
    rows, d, counts = README_FACTS[name]
    data = load_dataset(name, data_dir=uci_dir)
    assert data.features.shape == (rows, d) and data.labels.shape == (rows,)
    assert dict(zip(data.class_names, np.bincount(data.labels).tolist())) == counts
    first_rows = [int(np.flatnonzero(data.labels == k)[0]) for k in range(data.label_number)]
    assert first_rows == sorted(first_rows)  # class indices in order of first appearance
    assert data.feature_types == ("continuous",) * d and len(data.feature_names) == d
    assert np.array_equal(data.feature_ranges, np.stack([data.features.min(0), data.features.max(0)], 1))


def test_parsed_values(uci_dir):
    ecoli = load_dataset("biology", data_dir=uci_dir)
    assert ecoli.ids[0] == "AAT_ECOLI" and ecoli.features[0].tolist() == [0.49, 0.29, 0.48, 0.5, 0.56, 0.24, 0.35]
    assert sorted(set(ecoli.features[:, 2])) == [0.48, 1.0] and sorted(set(ecoli.features[:, 3])) == [0.5, 1.0]
    glass = load_dataset("glass", data_dir=uci_dir)
    assert glass.ids[:3] == ("1", "2", "3") and glass.features[0, 0] == 1.52101
    vertebral = load_dataset("vertebral", data_dir=uci_dir)
    assert vertebral.ids is None and vertebral.features[1].tolist() == [39.06, 10.06, 25.02, 29.0, 114.41, 4.56]


@pytest.mark.parametrize("name", list(SPLITS))
def test_split_sizes_and_grouping(uci_dir, name):
    split = prepare_supervision_data(name, seed=0, data_dir=uci_dir)
    assert (len(split.trained_outputs), len(split.tested_outputs)) == SPLITS[name]
    assert split.label_number == len(README_FACTS[name][2])
    for labels in (split.trained_outputs, split.tested_outputs):  # grouped class by class, in order
        assert np.all(np.diff(labels) >= 0)
    counts = np.bincount(split.trained_outputs)
    full = load_dataset(name, data_dir=uci_dir)
    totals = [README_FACTS[name][2][c] for c in full.class_names]
    assert counts.tolist() == [int(n / 2 + 0.5) for n in totals]
    assert np.array_equal(split.data_ranges, full.feature_ranges)
    both = np.concatenate([split.trained_inputs, split.tested_inputs])
    assert sorted(map(tuple, both)) == sorted(map(tuple, full.features))


def test_split_rule_and_seeding():
    labels = np.array([1, 1, 0, 1, 0, 2])  # classes in order of first appearance: 1, 0, 2
    train, test = split_per_class(labels, seed=3)
    assert [labels[i] for i in train] == [1, 1, 0, 2] and [labels[i] for i in test] == [1, 0]
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(6))
    big = np.repeat([0, 1], 50)
    assert np.array_equal(split_per_class(big, 5)[0], split_per_class(big, 5)[0])
    assert not np.array_equal(split_per_class(big, 5)[0], split_per_class(big, 6)[0])
    flags = np.array([True] * 25 + [False] * 25)
    np.random.default_rng(5).shuffle(flags)  # the rule: shuffled flags per class from one generator
    assert np.array_equal(split_per_class(big, 5)[0][:25], np.flatnonzero(flags))


def test_data_types_quirk(uci_dir):
    reference = prepare_supervision_data("health-medicine", seed=0, data_dir=uci_dir)
    corrected = prepare_supervision_data("health-medicine", seed=0, data_dir=uci_dir, semantics="corrected")
    assert len(reference.data_types) == 5 and reference.data_names[0] == "pelvic_tilt"
    assert len(corrected.data_types) == 6 and corrected.data_names[0] == "pelvic_incidence"
    ecoli = prepare_supervision_data("ecoli", seed=0, data_dir=uci_dir)
    assert ecoli.data_names == UCI_DATASETS["ecoli"].feature_names


def test_checksum_verification(uci_dir, tmp_path):
    verify_checksum("glass", uci_dir / "glass.data")
    corrupt = tmp_path / "glass.data"
    corrupt.write_bytes((uci_dir / "glass.data").read_bytes().replace(b"1.52101", b"1.52102", 1))
    with pytest.raises(ValueError, match="glass.data: SHA-256 mismatch"):
        load_dataset("glass", data_dir=tmp_path)
    assert load_dataset("glass", data_dir=tmp_path, verify=False).features[0, 0] == 1.52102


def corrupted(uci_dir, tmp_path, file, transform):
    path = tmp_path / file
    path.write_bytes(transform((uci_dir / file).read_bytes()))
    return path


@pytest.mark.parametrize("file, name, transform, message", [
    ("ecoli.data", "ecoli", lambda b: b[:-20], r"ecoli.data, line 336: no final newline"),
    ("ecoli.data", "ecoli", lambda b: b.replace(b"0.29", b"0.2x", 1), r"ecoli.data, line 1: column 3 is not a number"),
    ("glass.data", "glass", lambda b: b.replace(b",1\n", b",1,7\n", 1),
     r"glass.data, line 1: expected 11 fields, got 12"),
    ("glass.data", "glass", lambda b: b.replace(b"\n", b"\n\n", 3), r"glass.data, line 2: blank line"),
    ("glass.data", "glass", lambda b: b[:b.index(b"\n", 100) + 1], r"glass.data, line 3: expected 214 rows, got 2"),
    ("column_3C.dat", "vertebral-column", lambda b: b.replace(b"-0.25", b"nan", 1),
     r"column_3C.dat, line 1: column 6 is not finite"),
    ("column_3C.dat", "vertebral-column", lambda b: b.replace(b"39.06 ", b"39.06  ", 1),
     r"column_3C.dat, line 2: expected 7 fields, got 8"),
])
def test_corrupt_files_name_file_and_line(uci_dir, tmp_path, file, name, transform, message):
    path = corrupted(uci_dir, tmp_path, file, transform)
    with pytest.raises(ValueError, match=message):
        parse_dataset(name, path)


def test_packaged_files_are_the_published_ones():
    for spec in UCI_DATASETS.values():
        path = DATA_DIR / spec.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == spec.sha256
        assert locate_dataset(spec.name) == path
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and all(spec.sha256 in readme for spec in UCI_DATASETS.values())


def test_default_load_needs_no_folder():
    assert load_dataset("ecoli").features.shape == (336, 7)
    assert prepare_supervision_data("glass", seed=0).label_number == 6


def test_environment_variable_and_missing_files(uci_dir, tmp_path, monkeypatch):
    shutil.copy(uci_dir / "ecoli.data", tmp_path / "ecoli.data")
    monkeypatch.setenv(datasets.ENV_VARIABLE, str(tmp_path))
    assert locate_dataset("ecoli") == tmp_path / "ecoli.data"
    assert load_dataset("ecoli").features.shape == (336, 7)
    # the folder of the variable lacks glass.data: an error naming the variable, no fallback
    with pytest.raises(FileNotFoundError, match=r"\$MOTIFEFFECT_UCI_DIR: .*glass\.data does not exist"):
        load_dataset("glass")
    monkeypatch.setenv(datasets.ENV_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=r"\$MOTIFEFFECT_UCI_DIR: folder .*nowhere does not exist"):
        load_dataset("ecoli")
    with pytest.raises(FileNotFoundError, match=r"data_dir: folder .*nowhere does not exist"):
        load_dataset("glass", data_dir=tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"data_dir: .*glass\.data does not exist"):
        load_dataset("glass", data_dir=tmp_path)
    with pytest.raises(ValueError, match="name must be one of"):
        load_dataset("iris")
