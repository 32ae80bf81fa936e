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
from works import layout
from works._io import load_pack, save_pack, sha256_file
from works.layout import SCALES
from works.storage import Manifest
from works.units import Unit, config_hash, file_record

__all__ = ["MissingRaw", "Raw", "one_line", "pack_all", "pack_one", "pack_unit", "require"]


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


def pack_unit(name: str, scale: str, inputs=()) -> Unit:
    """The manifest identity of one pack: its name, the scale and the raw files it read (``depends``)."""
    return Unit(name, f"pack:{name}", {"scale": scale}, (layout.pack_file(name),), tuple(sorted(inputs)))


def _check(scale: str, name: str, packs: dict, argument: str = "name") -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}.")
    if name not in packs:
        raise ValueError(f"{argument} must be in {sorted(packs)}, got {name!r}.")


def pack_one(out_dir, name: str, scale: str, packs: dict) -> tuple[dict, dict]:
    """Build one pack in memory; returns ``(tree, {relative raw path: sha256})``.

    Raises :class:`MissingRaw` when its raw inputs do not exist.
    """
    _check(scale, name, packs)
    raw = Raw(Path(out_dir) / layout.RAW)
    tree = packs[name](raw, scale)
    tree.setdefault("meta", {})["scale"] = scale
    return tree, {str(p.relative_to(raw.root)): sha256_file(p) for p in sorted(raw.read)}


def pack_all(out_dir, scale: str, packs: dict, names=None, force: bool = False) -> dict:
    """Write ``OUT/data/<name>.npz`` for every pack whose raw inputs exist; returns ``{name: status}``.

    ``OUT/data/manifest.json`` (a :class:`works.storage.Manifest` whose inputs are in ``OUT/raw``) records
    each pack with the checksums of the raw files it read. A pack is rebuilt when it is missing or damaged,
    when ``force`` is set, when the scale changed, or when any of those raw files changed. Status is
    ``"built"``, ``"current"``, ``"skipped: <reason>"`` (raw inputs missing) or ``"failed: <reason>"`` (the
    packer raised; the other packs are still built). Each built pack is recorded at once, so an interruption
    loses no finished pack.
    """
    out_dir = Path(out_dir)
    raw_dir, data_dir = out_dir / layout.RAW, out_dir / layout.DATA
    manifest = Manifest(data_dir, inputs_dir=raw_dir)
    status = {}
    _check(scale, next(iter(packs)), packs)
    for name in names or packs:
        _check(scale, name, packs, "names")
        record = manifest.units.get(name)
        recorded_inputs = record.get("inputs") if record else None
        if not isinstance(recorded_inputs, dict):
            recorded_inputs = {}
        if not force and record and manifest.is_done(pack_unit(name, scale, recorded_inputs)):
            status[name] = "current"
            continue
        try:
            tree, inputs = pack_one(out_dir, name, scale, packs)
        except MissingRaw as reason:
            status[name] = f"skipped: {reason}"
            manifest.forget(name)
            continue
        except Exception as error:  # a packer failing on damaged or unexpected raw data: the others still run
            status[name] = f"failed: {one_line(error)}"
            manifest.forget(name)
            continue
        path = save_pack(data_dir / layout.pack_file(name), tree)
        unit = pack_unit(name, scale, inputs)
        manifest.record({"key": name, "config_hash": config_hash(unit, raw_dir), "task": "packs",
                         "files": {layout.pack_file(name): file_record(path)}, "inputs": inputs,
                         "scale": scale})
        status[name] = "built"
    manifest.save()
    return status


def one_line(error: BaseException) -> str:
    """``"Type: message"`` of an exception on one line (at most 300 characters)."""
    text = " ".join(str(error).split()) or "(no message)"
    text = f"{type(error).__name__}: {text}"
    return text if len(text) <= 300 else text[:297] + "..."
