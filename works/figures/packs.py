"""Reading packed figure data with clear errors.

A pack is ``OUT/data/<name>.npz`` written by :mod:`works.run_2_packs` (nested
dicts flattened with ``"/"``). Figure code reads packs only through
:func:`open_pack` and :func:`need`, so a missing pack raises
``FileNotFoundError`` naming the pack and a missing or malformed entry raises
``ValueError`` naming the pack and the key.

Examples
--------
>>> import tempfile, numpy as np
>>> from pathlib import Path
>>> from works._io import save_pack
>>> out = Path(tempfile.mkdtemp())
>>> _ = save_pack(out / "data" / "demo.npz", {"a": {"x": np.arange(3.0)}})
>>> pack = open_pack(out, "demo")
>>> need(pack, "a/x", shape=(None,)).tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from works import layout
from works._io import flatten, load_pack

__all__ = ["Pack", "has", "need", "open_pack", "text"]


class Pack(dict):
    """A loaded pack: the nested dict of arrays plus its ``name`` (for error messages)."""

    def __init__(self, name: str, tree: dict):
        super().__init__(tree)
        self.name = name


def open_pack(out_dir, name: str) -> Pack:
    """Load ``OUT/data/<name>.npz``.

    Raises
    ------
    FileNotFoundError
        When the pack does not exist (the message names the pack).
    ValueError
        When the file is not a readable pack.
    """
    path = Path(out_dir) / layout.DATA / layout.pack_file(name)
    if not path.is_file():
        raise FileNotFoundError(f"packed data {name!r} not found at {path}; run works/run_2_packs.py first.")
    return Pack(name, load_pack(path))


def _lookup(pack, key: str):
    node = pack
    for part in key.split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def has(pack, key: str) -> bool:
    """Whether ``key`` (``"a/b"`` path) exists in the pack."""
    return _lookup(pack, key) is not None


def need(pack, key: str, shape=None, kind: str | None = None):
    """Return ``pack[key]`` (``"/"`` path) after checking it exists and has the expected shape.

    Parameters
    ----------
    pack : Pack or dict
        A pack from :func:`open_pack`.
    key : str
        Path of the entry, e.g. ``"b/incoherent-loop/x"``.
    shape : tuple, optional
        Expected shape; ``None`` entries match any length. A dict entry (sub-tree) is
        rejected when a shape is given.
    kind : {"f", "i", "U"}, optional
        Required array kind: numeric float-compatible (``"f"``), integer (``"i"``) or string (``"U"``).

    Raises
    ------
    ValueError
        If the entry is missing or malformed; the message names the pack and the key.
    """
    name = getattr(pack, "name", "?")
    value = _lookup(pack, key)
    if value is None:
        raise ValueError(f"packed data {name!r} has no key {key!r}; rebuild it with works/run_2_packs.py.")
    if isinstance(value, dict):
        if shape is not None or kind is not None:
            raise ValueError(f"packed data {name!r} key {key!r} is a group, expected an array.")
        return value
    array = np.asarray(value)
    if shape is not None and (array.ndim != len(shape)
                              or any(s is not None and s != a for s, a in zip(shape, array.shape))):
        raise ValueError(f"packed data {name!r} key {key!r} has shape {array.shape}, expected {tuple(shape)} "
                         "(None = any length).")
    if kind is not None:
        ok = {"f": array.dtype.kind in "fiub", "i": array.dtype.kind in "iub", "U": array.dtype.kind == "U"}
        if kind not in ok:
            raise ValueError(f"kind must be one of 'f', 'i', 'U', got {kind!r}.")
        if not ok[kind]:
            raise ValueError(f"packed data {name!r} key {key!r} has dtype {array.dtype}, expected kind {kind!r}.")
    return array


def text(pack, key: str) -> str:
    """A scalar string entry of the pack."""
    return str(need(pack, key, shape=(), kind="U"))


def keys(pack) -> list[str]:
    """All flattened keys of a pack (sorted)."""
    return sorted(flatten(dict(pack)))
