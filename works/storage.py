"""The raw-data manifest: which work units are finished, with checksums of their files.

``OUT/raw/manifest.json`` (JSON, written atomically) holds for every finished unit its key, config hash,
and every output file with SHA-256 and size. :meth:`Manifest.is_done` re-verifies those files, so a missing,
truncated or corrupted file makes its unit run again. No pickle anywhere.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from works.units import Unit
>>> out = Path(tempfile.mkdtemp())
>>> manifest = Manifest(out / "raw")
>>> unit = Unit("demo/a", "works.storage:_demo", {"value": 1}, ("demo/a.npy",))
>>> manifest.is_done(unit)
False
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from works._io import load_json, save_json, save_npy
from works.units import Unit, config_hash, file_record

__all__ = ["Manifest", "MANIFEST_NAME", "MANIFEST_VERSION"]

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


class Manifest:
    """Finished units of one output directory.

    Parameters
    ----------
    raw_dir : path-like
        ``OUT/raw``; the manifest is ``raw_dir / "manifest.json"``.

    Attributes
    ----------
    units : dict
        Unit key -> record ``{"config_hash", "task", "files", "seconds"}``.
    """

    def __init__(self, raw_dir):
        self.raw_dir = Path(raw_dir)
        self.path = self.raw_dir / MANIFEST_NAME
        self.units: dict = {}
        if self.path.is_file():
            try:
                document = load_json(self.path)
            except ValueError:  # a corrupt manifest: start afresh, every unit is re-verified/recomputed
                document = {}
            if isinstance(document, dict) and document.get("version") == MANIFEST_VERSION:
                self.units = dict(document.get("units", {}))

    def is_done(self, unit: Unit) -> bool:
        """True when ``unit`` is recorded with the current config hash and every file matches its checksum."""
        record = self.units.get(unit.key)
        if not record or record.get("config_hash") != config_hash(unit, self.raw_dir):
            return False
        files = record.get("files", {})
        if set(files) != set(unit.outputs):
            return False
        for relative, expected in files.items():
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

    def files(self) -> dict:
        """All recorded files: relative path -> ``{"sha256", "size", "unit"}``."""
        table = {}
        for key, record in self.units.items():
            for relative, entry in record.get("files", {}).items():
                table[relative] = dict(entry, unit=key)
        return table

    def __len__(self) -> int:
        return len(self.units)

    def __contains__(self, key) -> bool:
        return key in self.units


def _demo(config, raw_dir, seed):
    """A tiny unit function for examples and tests: writes ``demo/<name>.npy`` with random values."""
    rng = np.random.default_rng(seed)
    save_npy(Path(raw_dir) / "demo" / f"{config.get('name', 'a')}.npy", rng.random(int(config.get("value", 1))))
