"""Idempotent work units of the pipeline.

A :class:`Unit` is one independent piece of a task, keyed by its configuration (e.g. task 1a: one unit per
structure). It names a module-level function ``"module:function"`` that computes and atomically writes the
unit's output files under ``OUT/raw``; its seed derives from the base seed and the unit key only
(:func:`unit_seed`), never from execution order, so any executor and any interruption give the same files.

Units can depend on files written by other units (``depends``): the checksums of those files enter the
unit's :func:`config_hash`, so a unit is recomputed when one of its inputs changed.

Examples
--------
>>> unit = Unit("task1/robustness/collider.1", "works.tasks.motifs:unit_population", {"n": 3},
...             ("robustness/collider.1.npy",))
>>> len(config_hash(unit))
64
>>> bool(unit_seed(1, "a").generate_state(1)[0] == unit_seed(1, "a").generate_state(1)[0])
True
>>> bool(unit_seed(1, "a").generate_state(1)[0] != unit_seed(1, "b").generate_state(1)[0])
True
"""

from __future__ import annotations

import hashlib
import importlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from works._io import json_default, sha256_file

__all__ = ["Unit", "config_hash", "file_record", "resolve", "run_unit", "unit_seed"]


@dataclass(frozen=True)
class Unit:
    """One work unit.

    Parameters
    ----------
    key : str
        Unique, human-readable key (``"task1/robustness/incoherent-loop.1"``); the seed derives from it.
    function : str
        ``"module:function"``; called as ``function(config, raw_dir, seed)`` and must write exactly
        ``outputs`` (paths relative to ``OUT/raw``).
    config : dict
        JSON-serialisable parameters of the unit (everything that changes its result).
    outputs : tuple of str
        Files the unit writes, relative to ``OUT/raw``.
    depends : tuple of str
        Files (relative to ``OUT/raw``) the unit reads that other units wrote.
    base_seed : int
        The run's base seed.
    memory_gb : float, optional
        Estimated peak memory of the unit (GiB), a scheduling hint only (it does not enter
        :func:`config_hash`): the process pool keeps the hints of the units in flight under its memory limit
        and the Dask executor turns it into a ``memory_gb`` resource annotation. ``None``: small.
    """

    key: str
    function: str
    config: dict = field(default_factory=dict)
    outputs: tuple = ()
    depends: tuple = ()
    base_seed: int = 0
    memory_gb: float | None = None

    @property
    def task(self) -> str:
        return self.key.split("/", 1)[0]


def unit_seed(base_seed: int, key: str) -> np.random.SeedSequence:
    """``SeedSequence`` of a unit: SHA-256 of the key mixed with the base seed (order-independent)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    return np.random.SeedSequence([int(base_seed)] + words)


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=json_default)


def config_hash(unit: Unit, raw_dir=None) -> str:
    """SHA-256 identifying what a unit computes: key, function, config, seed and its inputs' checksums.

    Missing dependencies hash as ``"missing"`` (the unit cannot be done then anyway).
    """
    inputs = {}
    for relative in unit.depends:
        path = Path(raw_dir) / relative if raw_dir is not None else None
        inputs[relative] = sha256_file(path) if path is not None and path.is_file() else "missing"
    text = _canonical({"key": unit.key, "function": unit.function, "config": unit.config,
                       "seed": int(unit.base_seed), "inputs": inputs})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolve(name: str):
    """Import ``"module:function"``."""
    module, _, attribute = name.partition(":")
    if not module or not attribute:
        raise ValueError(f"function must look like 'module:function', got {name!r}.")
    return getattr(importlib.import_module(module), attribute)


def file_record(path) -> dict:
    """``{"sha256", "size"}`` of a file."""
    path = Path(path)
    return {"sha256": sha256_file(path), "size": path.stat().st_size}


def run_unit(unit: Unit, raw_dir) -> dict:
    """Compute one unit in this process; returns its manifest record.

    Torch runs single-threaded inside a unit so that results do not depend on the executor.

    Returns
    -------
    dict
        ``{"key", "config_hash", "task", "files": {relative: {"sha256", "size"}}, "seconds"}``.
    """
    import torch

    from effect._memory import keep_freed_memory

    keep_freed_memory()  # temporaries reused from the heap rather than mapped afresh (speed only)
    raw_dir = Path(raw_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    start = time.perf_counter()
    try:
        resolve(unit.function)(unit.config, raw_dir, unit_seed(unit.base_seed, unit.key))
    finally:
        torch.set_num_threads(threads)
    seconds = time.perf_counter() - start
    files = {}
    for relative in unit.outputs:
        path = raw_dir / relative
        if not path.is_file():
            raise RuntimeError(f"unit {unit.key!r} did not write its output {relative!r}.")
        files[relative] = file_record(path)
    return {"key": unit.key, "config_hash": config_hash(unit, raw_dir), "task": unit.task, "files": files,
            "seconds": round(seconds, 3)}
