"""The three UCI classification data sets of task 4, shipped with the package.

Ecoli (UCI 39, ``ecoli.data``), Glass Identification (UCI 42, ``glass.data``)
and Vertebral Column, 3 classes (UCI 212, ``column_3C.dat``) are read in their
original UCI formats, verified by SHA-256, and split per class half/half as the
original does.

The files ship inside the package (``practice/data/uci``, CC BY 4.0; citation and
licence in the ``README.md`` there), so nothing is ever downloaded. Where a file is
read from (first match wins):

1. the ``data_dir`` argument;
2. the folder named by the environment variable ``MOTIFEFFECT_UCI_DIR``;
3. the packaged copy (:data:`DATA_DIR`).

A folder given by 1. or 2. must exist and hold the file: a missing folder or file
raises ``FileNotFoundError`` naming ``data_dir`` or the variable, never a silent
fallback to another copy. Every file is checked against its published SHA-256
before it is parsed (``verify=True``).

Examples
--------
>>> data = load_dataset("glass")
>>> data.features.shape, data.label_number
((214, 9), 6)
>>> split = prepare_supervision_data("glass", seed=0)
>>> len(split.trained_outputs), len(split.tested_outputs)
(109, 105)
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["UCI_DATASETS", "DATASET_ALIASES", "UCIDataset", "SupervisionData", "load_dataset", "parse_dataset",
           "verify_checksum", "locate_dataset", "split_per_class", "prepare_supervision_data", "ENV_VARIABLE",
           "DATA_DIR"]

#: Environment variable naming a folder with other copies of the UCI files.
ENV_VARIABLE = "MOTIFEFFECT_UCI_DIR"
#: The packaged copies of the three data sets (package data of ``practice``).
DATA_DIR = Path(__file__).resolve().parent / "data" / "uci"
SEMANTICS = ("reference", "corrected")


@dataclass(frozen=True)
class _Spec:
    name: str
    uci_id: int
    file: str
    sha256: str
    separator: str | None          # None = runs of whitespace
    columns: int
    feature_columns: tuple         # 0-based column indices of the features
    target_column: int
    id_column: int | None
    feature_names: tuple
    rows: int
    domain: str
    label: str


UCI_DATASETS = {
    "ecoli": _Spec(
        "ecoli", 39, "ecoli.data", "008bd8fbb1d8b34040c3c8c4e987cac2a7ebf116e008b140cc6441be5261ba1d", None, 9,
        tuple(range(1, 8)), 8, 0, ("mcg", "gvh", "lip", "chg", "aac", "alm1", "alm2"), 336,
        "case study in biology", "biology"),
    "glass": _Spec(
        "glass", 42, "glass.data", "dd67373f4baf2807345df02cbfef2093d342e61ad0d82a4fb79af43ef8ce449d", ",", 11,
        tuple(range(1, 10)), 10, 0, ("RI", "Na", "Mg", "Al", "Si", "K", "Ca", "Ba", "Fe"), 214,
        "case study in physics and chemistry", "physics-chemistry"),
    "vertebral-column": _Spec(
        "vertebral-column", 212, "column_3C.dat", "fb5fc4ae49d9f2586158f3368058309364ec3153954cd2ff01fb15d739fe552f",
        " ", 7, tuple(range(0, 6)), 6, None,
        ("pelvic_incidence", "pelvic_tilt", "lumbar_lordosis_angle", "sacral_slope", "pelvic_radius",
         "degree_spondylolisthesis"), 310, "case study in health and medicine", "health-medicine"),
}

#: Accepted alternative names (domain labels of the study, file stems).
DATASET_ALIASES = {"biology": "ecoli", "physics-chemistry": "glass", "health-medicine": "vertebral-column",
                   "vertebral": "vertebral-column", "column_3C": "vertebral-column"}


class UCIDataset(NamedTuple):
    """A parsed UCI table.

    Attributes
    ----------
    name : str
    features : ndarray (n, d) float64
    labels : ndarray (n,) int64 — class index in order of first appearance
    class_names : tuple of str — ``class_names[labels[i]]`` is row i's class
    feature_names : tuple of str (d)
    feature_types : tuple of str (d) — "continuous" for every feature here
    feature_ranges : ndarray (d, 2) — per-feature [min, max]
    ids : tuple of str or None — the ID column (Ecoli names, Glass Id numbers)
    """

    name: str
    features: np.ndarray
    labels: np.ndarray
    class_names: tuple
    feature_names: tuple
    feature_types: tuple
    feature_ranges: np.ndarray
    ids: tuple | None

    @property
    def label_number(self):
        return len(self.class_names)


class SupervisionData(NamedTuple):
    """The reference's per-domain tuple (arguments of ``SupervisionTask``)."""

    trained_inputs: np.ndarray
    trained_outputs: np.ndarray
    tested_inputs: np.ndarray
    tested_outputs: np.ndarray
    label_number: int
    data_names: tuple
    data_types: tuple
    data_ranges: np.ndarray


def _spec(name):
    key = DATASET_ALIASES.get(name, name)
    if key not in UCI_DATASETS:
        raise ValueError(f"name must be one of {sorted(UCI_DATASETS) + sorted(DATASET_ALIASES)}, got {name!r}")
    return UCI_DATASETS[key]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_checksum(name, path):
    """Raise ValueError unless the SHA-256 of ``path`` is the published one for ``name``."""
    spec, path = _spec(name), Path(path)
    actual = _sha256(path.read_bytes())
    if actual != spec.sha256:
        raise ValueError(f"{path}: SHA-256 mismatch for {spec.file} (expected {spec.sha256}, got {actual})")
    return path


def _folder_file(folder, file, name):
    """``folder / file``; ``FileNotFoundError`` naming ``name`` if the folder or the file is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{name}: folder {folder} does not exist")
    path = folder / file
    if not path.is_file():
        raise FileNotFoundError(f"{name}: {path} does not exist (the folder has no {file})")
    return path


def locate_dataset(name, data_dir=None):
    """Path of the file of ``name``: in ``data_dir``, else in ``$MOTIFEFFECT_UCI_DIR``, else the packaged copy.

    Parameters
    ----------
    name : str
        A data set name or alias.
    data_dir : path-like, optional
        Folder holding the original file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        When ``data_dir`` (or the folder of ``$MOTIFEFFECT_UCI_DIR``) does not exist or
        does not hold the file; the message names the argument (or the variable).

    Examples
    --------
    >>> locate_dataset("biology") == DATA_DIR / "ecoli.data"   # unless $MOTIFEFFECT_UCI_DIR is set
    True
    """
    spec = _spec(name)
    if data_dir is not None:
        return _folder_file(data_dir, spec.file, "data_dir")
    folder = os.environ.get(ENV_VARIABLE)
    if folder:
        return _folder_file(folder, spec.file, f"${ENV_VARIABLE}")
    return _folder_file(DATA_DIR, spec.file, "packaged UCI data")


def _number(text, path, line_number, column):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{path}, line {line_number}: column {column + 1} is not a number: {text!r}") from None
    if not np.isfinite(value):
        raise ValueError(f"{path}, line {line_number}: column {column + 1} is not finite: {text!r}")
    return value


def parse_dataset(name, path, check_rows=True):
    """Parse one UCI file in its original format.

    Raises ValueError naming the file and line for: a missing final newline
    (truncated file), blank lines inside the table, a wrong number of fields,
    non-numeric or non-finite feature values, an empty class, and (with
    ``check_rows``) a row count different from the published one.

    Returns
    -------
    UCIDataset
    """
    spec, path = _spec(name), Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as error:
        line_number = raw[:error.start].count(b"\n") + 1
        raise ValueError(f"{path}, line {line_number}: non-ASCII byte (not an original UCI file)") from None
    lines = text.split("\n")
    if not text or lines[-1] != "":
        raise ValueError(f"{path}, line {max(len(lines), 1)}: no final newline (truncated file?)")
    lines = lines[:-1]
    while lines and not lines[-1].strip():
        lines.pop()
    features, targets, ids = [], [], []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            raise ValueError(f"{path}, line {line_number}: blank line inside the table")
        fields = line.split() if spec.separator is None else line.rstrip("\r").split(spec.separator)
        if len(fields) != spec.columns:
            raise ValueError(f"{path}, line {line_number}: expected {spec.columns} fields, got {len(fields)}")
        features.append([_number(fields[c], path, line_number, c) for c in spec.feature_columns])
        target = fields[spec.target_column].strip()
        if not target:
            raise ValueError(f"{path}, line {line_number}: empty class label")
        targets.append(target)
        if spec.id_column is not None:
            ids.append(fields[spec.id_column].strip())
    if check_rows and len(lines) != spec.rows:
        raise ValueError(f"{path}, line {len(lines) + 1}: expected {spec.rows} rows, got {len(lines)} "
                         f"(truncated or extended file)")
    class_names = tuple(dict.fromkeys(targets))
    index = {label: k for k, label in enumerate(class_names)}
    x = np.array(features, dtype=np.float64).reshape(len(lines), len(spec.feature_columns))
    ranges = np.stack([x.min(axis=0), x.max(axis=0)], axis=1) if len(lines) else np.zeros((x.shape[1], 2))
    return UCIDataset(spec.name, x, np.array([index[t] for t in targets], dtype=np.int64), class_names,
                      spec.feature_names, ("continuous",) * len(spec.feature_names), ranges,
                      tuple(ids) if spec.id_column is not None else None)


def load_dataset(name, data_dir=None, download=False, cache_dir=None, verify=True):
    """Locate, verify and parse one data set.

    Parameters
    ----------
    name : {"ecoli", "glass", "vertebral-column"} or an alias in DATASET_ALIASES
    data_dir : path-like, optional
        Folder holding the original file; default ``$MOTIFEFFECT_UCI_DIR`` if set, else
        the packaged copy (see :func:`locate_dataset`).
    download, cache_dir : optional
        Ignored: the data ship with the package and are never downloaded (the arguments
        are kept so that callers of earlier versions keep working).
    verify : bool, default True
        Check the SHA-256 before parsing.

    Returns
    -------
    UCIDataset

    Examples
    --------
    >>> load_dataset("vertebral").class_names
    ('DH', 'SL', 'NO')
    """
    path = locate_dataset(name, data_dir)
    if verify:
        verify_checksum(name, path)
    return parse_dataset(name, path)


def split_per_class(labels, seed=None):
    """The reference's per-class half/half split.

    For every class in order of first appearance with ``n`` rows (ascending row
    order): ``n_train = int(n / 2 + 0.5)`` flags True then False, shuffled with
    ``rng.shuffle``; True rows go to train. Indices are grouped class by class.

    Parameters
    ----------
    labels : array_like (n,)
    seed : None, int or numpy.random.Generator

    Returns
    -------
    train_index, test_index : ndarray of int64

    Examples
    --------
    >>> train, test = split_per_class([0, 0, 0, 1, 1], seed=0)
    >>> len(train), len(test)
    (3, 2)
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in dict.fromkeys(labels.tolist()):
        members = np.flatnonzero(labels == label)
        n_train = int(members.size / 2 + 0.5)
        flags = np.array([True] * n_train + [False] * (members.size - n_train))
        rng.shuffle(flags)
        train.append(members[flags])
        test.append(members[~flags])
    empty = np.zeros(0, dtype=np.int64)
    return (np.concatenate(train) if train else empty).astype(np.int64), \
        (np.concatenate(test) if test else empty).astype(np.int64)


def prepare_supervision_data(name, seed=None, data_dir=None, download=False, cache_dir=None,
                             semantics="reference"):
    """Build the reference's per-domain tuple for ``SupervisionTask``.

    ``data_ranges`` are per-feature [min, max] over train ∪ test. ``semantics``
    controls the ``data_types``/``data_names`` quirk (``docs/quirks.md``): the
    reference takes rows [1:-1] of the ucimlrepo variables table, assuming an ID
    row first. Vertebral Column has none, so "reference" yields the 5 names
    ``feature_names[1:]`` and 5 types (the last feature is then never noised);
    "corrected" yields all 6. Ecoli and Glass are the same in both modes.

    Parameters
    ----------
    name : str
        A data set name or alias (:data:`DATASET_ALIASES`).
    seed : None, int or numpy.random.Generator
        Source of the per-class shuffles (:func:`split_per_class`).
    data_dir, download, cache_dir :
        As in :func:`load_dataset` (``download`` and ``cache_dir`` are ignored).
    semantics : {"reference", "corrected"}

    Returns
    -------
    SupervisionData

    Examples
    --------
    >>> prepare_supervision_data("health-medicine", seed=0).data_names[0]
    'pelvic_tilt'
    """
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}")
    data = load_dataset(name, data_dir=data_dir)
    train, test = split_per_class(data.labels, seed)
    names, types = data.feature_names, data.feature_types
    if semantics == "reference" and UCI_DATASETS[data.name].id_column is None:
        names, types = names[1:], types[1:]
    return SupervisionData(data.features[train], data.labels[train], data.features[test], data.labels[test],
                           data.label_number, tuple(names), tuple(types), data.feature_ranges.copy())
