"""Packing raw results into one ``.npz`` per figure: raw-file access for packers and the pack runner.

A packer (``PACKS`` of a task module, see :mod:`works.tasks`) receives a :class:`Raw`, which records every raw
file it reads, and returns a tree of arrays. :func:`pack_all` writes ``OUT/data/<name>.npz`` for every pack
whose raw inputs exist and records the SHA-256 of those inputs in ``OUT/data/manifest.json``; a pack is
rebuilt when it is missing, when the scale changed or when any of its inputs changed, and skipped (with the
reason) when its raw inputs do not exist.

Examples
--------
>>> import tempfile
>>> raw = Raw(tempfile.mkdtemp())
>>> raw.exists("parameters/collider.1.npy")
False
>>> try:
...     raw.npy("parameters/collider.1.npy")
... except MissingRaw as error:
...     print(error)
raw file parameters/collider.1.npy not found
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from effect.structures import LOOP_TYPES
from works._io import load_json, load_pack

__all__ = ["MissingRaw", "Raw", "require"]


class MissingRaw(Exception):
    """Raised by a packer when the raw data it needs do not exist (the pack is skipped)."""


class Raw:
    """Access to ``OUT/raw`` that records every file read (for the manifest checksums).

    Parameters
    ----------
    raw_dir : path-like
        ``OUT/raw``; every ``relative`` path below is relative to it (names from :mod:`works.layout`).
    """

    def __init__(self, raw_dir):
        self.root = Path(raw_dir)
        self.read: set[Path] = set()

    def path(self, relative: str) -> Path:
        """Absolute path of an existing raw file (recorded as read); :class:`MissingRaw` if absent."""
        path = self.root / relative
        if not path.is_file():
            raise MissingRaw(f"raw file {relative} not found")
        self.read.add(path)
        return path

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def npy(self, relative: str) -> np.ndarray:
        return np.load(self.path(relative), allow_pickle=False)

    def npz(self, relative: str) -> dict:
        with np.load(self.path(relative), allow_pickle=False) as archive:
            return {k: archive[k] for k in archive.files}

    def pack(self, relative: str) -> dict:
        return load_pack(self.path(relative))

    def json(self, relative: str):
        return load_json(self.path(relative))

    def structures(self, file_name, motif_type: str | None = None) -> list[str]:
        """Loop structures ``<type>.<k>`` whose file ``file_name(structure)`` exists, in the reference order.

        ``file_name`` is a name function of :mod:`works.layout` such as ``escape_file``.
        """
        types = LOOP_TYPES if motif_type is None else (motif_type,)
        return [f"{t}.{k}" for t in types for k in (1, 2, 3, 4) if self.exists(file_name(f"{t}.{k}"))]


def require(names, what: str):
    """``names`` when not empty, else :class:`MissingRaw` ("no raw <what>")."""
    if not names:
        raise MissingRaw(f"no raw {what}")
    return names
