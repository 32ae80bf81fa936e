"""The manifest of an output folder: which units (or packs) are finished, with checksums of their files.

``OUT/raw/manifest.json`` records the work units of the tasks and ``OUT/data/manifest.json`` the packs, both
in this one format (JSON, written atomically): for every finished unit its key, config hash (which covers the
checksums of the files it read) and every output file with SHA-256 and size. :meth:`Manifest.is_done`
re-verifies those files, so a missing, truncated or corrupted file, or a changed input, makes the unit run
again. No pickle anywhere.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from works.units import Unit
>>> out = Path(tempfile.mkdtemp())
>>> manifest = Manifest(out / "raw")
>>> unit = Unit("task1/imitation/example", "works.tasks.motifs:unit_imitation", {}, ("imitation/example.npy",))
>>> manifest.is_done(unit), len(manifest)
(False, 0)
"""

from __future__ import annotations

from pathlib import Path

from works._io import load_json, save_json
from works.units import Unit, config_hash, file_record

__all__ = ["MANIFEST_NAME", "MANIFEST_VERSION", "Manifest"]

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


class Manifest:
    """Finished units of one output directory.

    Parameters
    ----------
    raw_dir : path-like
        Folder of the units' outputs (``OUT/raw``, or ``OUT/data`` for packs); the manifest is
        ``raw_dir / "manifest.json"``.
    inputs_dir : path-like, optional
        Folder the units' ``depends`` are relative to (default ``raw_dir``; ``OUT/raw`` for packs).

    Attributes
    ----------
    units : dict
        Unit key -> record ``{"config_hash", "task", "files", "seconds"}``.
    """

    def __init__(self, raw_dir, inputs_dir=None):
        self.raw_dir = Path(raw_dir)
        self.inputs_dir = self.raw_dir if inputs_dir is None else Path(inputs_dir)
        self.path = self.raw_dir / MANIFEST_NAME
        self.units: dict = {}
        if self.path.is_file():
            try:
                document = load_json(self.path)
            except ValueError:  # a corrupt manifest: start afresh, every unit is re-verified/recomputed
                document = {}
            if isinstance(document, dict) and document.get("version") == MANIFEST_VERSION:
                units = document.get("units")
                if isinstance(units, dict):  # keep only well-formed records; the rest are recomputed
                    self.units = {key: record for key, record in units.items() if _well_formed(record)}

    def is_done(self, unit: Unit) -> bool:
        """True when ``unit`` is recorded with the current config hash and every file matches its checksum."""
        record = self.units.get(unit.key)
        if not record or record.get("config_hash") != config_hash(unit, self.inputs_dir):
            return False
        files = record.get("files", {})
        if set(files) != set(unit.outputs):
            return False
        for relative, expected in files.items():
            if not isinstance(expected, dict):
                return False
            path = self.raw_dir / relative
            if not path.is_file() or path.stat().st_size != expected.get("size"):
                return False
            if file_record(path)["sha256"] != expected.get("sha256"):
                return False
        return True

    def record(self, result: dict, save: bool = True) -> None:
        """Record a finished unit (the dict returned by :func:`works.units.run_unit`) and save atomically."""
        key = result["key"]
        self.units[key] = {k: v for k, v in result.items() if k != "key"}
        if save:
            self.save()

    def forget(self, key: str, save: bool = True) -> None:
        """Drop a unit's record (its files stay; the unit will be recomputed)."""
        self.units.pop(key, None)
        if save:
            self.save()

    def save(self) -> Path:
        """Write ``manifest.json`` atomically."""
        return save_json(self.path, {"version": MANIFEST_VERSION, "units": self.units})

    def __len__(self) -> int:
        return len(self.units)


def _well_formed(record) -> bool:
    return (isinstance(record, dict) and isinstance(record.get("config_hash"), str)
            and isinstance(record.get("files"), dict))
