"""Pickle-free, atomic storage primitives for the ``works`` pipeline.

Every write goes to a temporary file in the destination folder and is moved
into place with :func:`os.replace`, so a reader never sees a half-written
file. Packed figure data are ``.npz`` archives of plain arrays: nested dicts
are flattened with ``"/"`` in the keys, strings and lists of strings are stored
as unicode arrays, and loading uses ``allow_pickle=False``.

Examples
--------
>>> import tempfile, numpy as np
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "pack.npz"
>>> save_pack(path, {"a": np.arange(3), "b": {"incoherent-loop": np.ones(2)}}).name
'pack.npz'
>>> sorted(load_pack(path)["b"])
['incoherent-loop']
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["atomic_write", "atomic_write_bytes", "current_umask", "flatten", "json_default", "load_json", "load_pack",
           "save_json", "save_npy", "save_npz", "save_npz_streamed", "save_pack", "sha256_file", "temporary_name",
           "unflatten"]

SEPARATOR = "/"


def current_umask() -> int:
    """The process umask (read without changing it where ``/proc`` allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # pragma: no cover - no /proc
    os.umask(mask)
    return mask


def temporary_name(path) -> Path:
    """A temporary name next to ``path``, unique per process and call: ``.<name>.<pid>.<token>.tmp<suffix>``."""
    path = Path(path)
    return path.with_name(f".{path.stem}.{os.getpid()}.{os.urandom(4).hex()}.tmp{path.suffix}")


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    The file gets the permissions of a normally created file (``0o666`` less the umask). An ``OSError``
    (disk full, read-only folder, ...) is re-raised with the same ``errno`` and a message naming ``path``;
    the temporary file is removed.
    """
    return atomic_write(path, lambda stream: _write(stream, data))


def atomic_write(path, writer) -> Path:
    """Atomically create ``path`` from ``writer(stream)``, which writes to a binary file opened on a temporary name.

    Same guarantees as :func:`atomic_write_bytes` (fsync, rename, permissions, ``OSError`` naming ``path``),
    without holding the file's bytes in memory: ``writer`` may write piece by piece.
    """
    path = Path(path)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), 0o666 & ~current_umask())
            writer(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError) and str(path) not in str(error):
            raise OSError(error.errno, f"cannot write {path}: {error.strerror or error}") from error
        raise
    return path


def _write(stream, data: bytes) -> None:
    """``stream.write(data)`` (a seam for tests that simulate a full disk)."""
    stream.write(data)


def save_npy(path, array) -> Path:
    """Atomically save one array as ``.npy`` (no pickled objects allowed)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return atomic_write_bytes(path, buffer.getvalue())


def save_npz(path, arrays: dict) -> Path:
    """Atomically save a flat dict of arrays as an uncompressed ``.npz``."""
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v) for k, v in arrays.items()})
    return atomic_write_bytes(path, buffer.getvalue())


def save_npz_streamed(path, members) -> Path:
    """Atomically save an uncompressed ``.npz`` whose arrays are written piece by piece (never held whole).

    Parameters
    ----------
    path : path-like
        The ``.npz`` to create.
    members : iterable of (name, dtype, shape, pieces)
        One entry per array: its name in the archive, dtype, full shape, and an iterable of array pieces whose
        concatenation along the first axis is the array (each piece is cast to ``dtype``; a 0-d ``shape`` takes
        one piece). The pieces must add up to ``shape[0]`` rows.

    The result loads with ``np.load`` exactly like :func:`save_npz`'s output of the concatenated arrays.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.npz"
    >>> _ = save_npz_streamed(path, [("a", np.float32, (3,), [np.array([1.0]), np.array([2.0, 3.0])])])
    >>> with np.load(path) as data:
    ...     data["a"].tolist(), data["a"].dtype.name
    ([1.0, 2.0, 3.0], 'float32')
    """
    import zipfile

    def writer(stream):
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name, dtype, shape, pieces in members:
                dtype, shape = np.dtype(dtype), tuple(int(n) for n in shape)
                header = io.BytesIO()
                np.lib.format.write_array_header_2_0(header, {"descr": np.lib.format.dtype_to_descr(dtype),
                                                              "fortran_order": False, "shape": shape})
                rows = 0
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    member.write(header.getvalue())
                    for piece in pieces:
                        piece = np.ascontiguousarray(piece, dtype=dtype)
                        if piece.shape[1:] != shape[1:]:
                            raise ValueError(f"array {name!r} of {path}: a piece of shape {piece.shape} does not "
                                             f"fit shape {shape}.")
                        if piece.size:
                            member.write(piece.reshape(-1).view(np.uint8))  # no copy of the piece
                        rows += piece.shape[0] if shape else 1
                if rows != (shape[0] if shape else 1):
                    raise ValueError(f"array {name!r} of {path}: the pieces give {rows} rows, shape {shape}.")

    return atomic_write(path, writer)


def save_json(path, obj) -> Path:
    """Atomically save a JSON document (sorted keys, indented)."""
    text = json.dumps(obj, indent=1, sort_keys=True, default=json_default)
    return atomic_write_bytes(path, text.encode("utf-8"))


def json_default(value):
    """JSON form of numpy scalars and arrays (``default=`` of :func:`json.dumps`)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def load_json(path):
    """Load a JSON document."""
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def sha256_file(path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def flatten(tree: dict, prefix: str = "") -> dict:
    """Flatten nested dicts into ``{"a/b/c": array}``; keys must be strings without ``"/"``."""
    flat = {}
    for key, value in tree.items():
        if not isinstance(key, str) or SEPARATOR in key or not key:
            raise ValueError(f"pack keys must be non-empty strings without '{SEPARATOR}', got {key!r}.")
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if not value:
                raise ValueError(f"empty dict at {name!r} cannot be stored.")
            flat.update(flatten(value, name + SEPARATOR))
        else:
            array = np.asarray(value)
            if array.dtype == object:
                raise TypeError(f"pack entry {name!r} is not a plain numeric/string array.")
            flat[name] = array
    return flat


def unflatten(flat: dict) -> dict:
    """Inverse of :func:`flatten`."""
    tree: dict = {}
    for name, value in flat.items():
        node = tree
        *parents, leaf = name.split(SEPARATOR)
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def save_pack(path, tree: dict) -> Path:
    """Atomically save a (nested) dict of arrays as one ``.npz`` pack."""
    return save_npz(path, flatten(tree))


def load_pack(path) -> dict:
    """Load a pack written by :func:`save_pack` (never unpickles).

    Raises
    ------
    FileNotFoundError
        If the pack is missing.
    ValueError
        If the file is not a readable pack.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"packed data {path} not found; run works/run_2_packs.py first.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            flat = {name: archive[name] for name in archive.files}
    except Exception as error:  # zipfile / format errors
        raise ValueError(f"packed data {path} is malformed: {error}") from error
    return unflatten(flat)
