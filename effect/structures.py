"""Motif structures: names, sign tables, parameter grids and the four catchers.

This module is the shared vocabulary of the ``effect`` package and of the
``works`` pipeline. A *structure* is ``"<type>.<index>"``, e.g.
``"incoherent-loop.3"``; its parameter vector is ``(w0, w1, w2, b0, b1)`` for
loops and ``(w0, w1, b0)`` for colliders (weights first, in edge order, then
biases), exactly the column order of the reference parameter files.

Examples
--------
>>> from effect.structures import weight_signs, structure_parameters
>>> weight_signs("incoherent-loop", 1)
(-1, 1, 1)
>>> structure_parameters("collider.1").shape
(2100, 3)
"""

from __future__ import annotations

import numpy as np

from effect._checks import check_semantics

__all__ = [
    "MOTIF_TYPES",
    "LOOP_TYPES",
    "ALL_MOTIF_TYPES",
    "MOTIF_INDICES",
    "STRUCTURES",
    "LOOP_STRUCTURES",
    "WEIGHT_MAGNITUDES",
    "BIAS_VALUES",
    "n_weights",
    "n_biases",
    "n_parameters",
    "parse_structure",
    "weight_signs",
    "structure_parameters",
    "catcher_parameters",
]

#: Types used by the experiments, in the reference order.
MOTIF_TYPES = ("incoherent-loop", "coherent-loop", "collider")
LOOP_TYPES = ("incoherent-loop", "coherent-loop")
#: Every type ``NeuralMotif`` accepts.
ALL_MOTIF_TYPES = ("collider", "fork", "chain", "coherent-loop", "incoherent-loop")
MOTIF_INDICES = (1, 2, 3, 4)
STRUCTURES = tuple(f"{t}.{i}" for t in MOTIF_TYPES for i in MOTIF_INDICES)
LOOP_STRUCTURES = tuple(s for s in STRUCTURES if "loop" in s)

#: ``linspace(0.1, 1.0, 10)`` exactly as numpy computes it (reference grids).
WEIGHT_MAGNITUDES = np.linspace(0.1, 1.0, 10)
#: ``linspace(-1.0, 1.0, 21)`` exactly as numpy computes it (reference grids).
BIAS_VALUES = np.linspace(-1.0, 1.0, 21)

_N_WEIGHTS = {"collider": 2, "fork": 2, "chain": 2, "coherent-loop": 3, "incoherent-loop": 3}
_N_BIASES = {"collider": 1, "fork": 2, "chain": 2, "coherent-loop": 2, "incoherent-loop": 2}


def _check_type(motif_type):
    if motif_type not in ALL_MOTIF_TYPES:
        raise ValueError(f"motif_type must be one of {ALL_MOTIF_TYPES}, got {motif_type!r}.")


def _check_index(motif_index):
    if isinstance(motif_index, bool) or motif_index not in MOTIF_INDICES:
        raise ValueError(f"motif_index must be one of {MOTIF_INDICES}, got {motif_index!r}.")


def n_weights(motif_type: str) -> int:
    """Number of trainable weights of a motif type (2 or 3)."""
    _check_type(motif_type)
    return _N_WEIGHTS[motif_type]


def n_biases(motif_type: str) -> int:
    """Number of biases of a motif type (1 for colliders, else 2)."""
    _check_type(motif_type)
    return _N_BIASES[motif_type]


def n_parameters(motif_type: str) -> int:
    """Length of the parameter vector ``weights + biases`` of a motif type."""
    return n_weights(motif_type) + n_biases(motif_type)


def parse_structure(structure: str) -> tuple[str, int]:
    """Split ``"coherent-loop.2"`` into ``("coherent-loop", 2)`` with validation."""
    if not isinstance(structure, str) or "." not in structure:
        raise ValueError(f"structure must look like 'collider.1', got {structure!r}.")
    motif_type, _, index = structure.rpartition(".")
    _check_type(motif_type)
    try:
        motif_index = int(index)
    except ValueError:
        raise ValueError(f"structure index must be 1..4, got {structure!r}.") from None
    _check_index(motif_index)
    return motif_type, motif_index


def weight_signs(motif_type: str, motif_index: int) -> tuple[int, ...]:
    """Sign (+1/-1) of every weight of a ``NeuralMotif`` structure.

    Weight order: loops ``(x->y, x->z, y->z)``; collider, fork and chain ``(w0, w1)``.
    """
    _check_type(motif_type)
    _check_index(motif_index)
    i = motif_index
    if motif_type == "coherent-loop":
        signs = (i in (1, 4), i <= 2, i in (1, 3))
    elif motif_type == "incoherent-loop":
        signs = (i in (2, 3), i <= 2, i in (1, 3))
    else:
        signs = (i <= 2, i in (1, 3))
    return tuple(1 if s else -1 for s in signs)


def restricted_loop_signs(loop_type: str, loop_index: int, semantics: str = "reference") -> tuple[int, int, int]:
    """Signs ``(x->y, x->z, y->z)`` of a ``RestrictedLoop``.

    In ``semantics="reference"`` coherent index 3 is ``(-, +, +)`` -- the
    reference's bug, which makes it an incoherent loop; ``"corrected"`` uses
    the true coherent pattern ``(-, -, +)``.
    """
    check_semantics(semantics)
    if loop_type not in ("i", "c"):
        raise ValueError(f"loop_type must be 'i' or 'c', got {loop_type!r}.")
    _check_index(loop_index)
    if loop_type == "c" and loop_index == 3 and semantics == "reference":
        return (-1, 1, 1)
    return weight_signs("coherent-loop" if loop_type == "c" else "incoherent-loop", loop_index)


def structure_parameters(structure: str, magnitudes=None, biases=None) -> np.ndarray:
    """Enumerate the parameter grid of a structure in the reference row order.

    Outer loop over weight tuples (first weight slowest, signs from
    :func:`weight_signs`), inner loop over bias tuples (last bias fastest).

    Parameters
    ----------
    structure : str
        E.g. ``"incoherent-loop.1"``.
    magnitudes : array-like, optional
        Positive weight magnitudes, default :data:`WEIGHT_MAGNITUDES`.
    biases : array-like, optional
        Bias values, default :data:`BIAS_VALUES`.

    Returns
    -------
    ndarray of shape (len(magnitudes)**n_w * len(biases)**n_b, n_w + n_b), float64

    Examples
    --------
    >>> p = structure_parameters("incoherent-loop.1")
    >>> p.shape, p[0].tolist()
    ((441000, 5), [-0.1, 0.1, 0.1, -1.0, -1.0])
    """
    motif_type, motif_index = parse_structure(structure)
    magnitudes = WEIGHT_MAGNITUDES if magnitudes is None else np.asarray(magnitudes, dtype=np.float64)
    biases = BIAS_VALUES if biases is None else np.asarray(biases, dtype=np.float64)
    if magnitudes.ndim != 1 or biases.ndim != 1 or magnitudes.size == 0 or biases.size == 0:
        raise ValueError("magnitudes and biases must be non-empty 1-D arrays.")
    if np.any(magnitudes <= 0):
        raise ValueError("magnitudes must be strictly positive (signs come from the structure).")
    signs = weight_signs(motif_type, motif_index)
    groups = [magnitudes * s for s in signs] + [biases] * n_biases(motif_type)
    mesh = np.meshgrid(*groups, indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)


def catcher_parameters() -> np.ndarray:
    """The four target colliders of tasks 1 and 2: ``(±0.5, ±0.5, 0.0)``, shape (4, 3).

    Row ``k`` is ``collider.(k+1)`` with weights signed per :func:`weight_signs`.
    """
    return np.array([[0.5 * s for s in weight_signs("collider", k)] + [0.0] for k in MOTIF_INDICES])
