"""Boundary validation helpers shared by the ``effect`` package."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

SEMANTICS = ("reference", "corrected")


def check_semantics(semantics: str) -> str:
    """Return ``semantics`` if it is ``"reference"`` or ``"corrected"``, else raise ``ValueError``."""
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}.")
    return semantics


def check_value_range(value_range, name: str = "value_range", increasing: bool = True) -> tuple[float, ...]:
    """Validate an input domain ``(a, b)`` or ``(ax, bx, ay, by)``; return it as a tuple of floats.

    Every bound must be a finite real number (Python or numpy scalars) and, with
    ``increasing`` (the default), every axis increasing (``a < b``). The rule holds for
    every function of the package that takes a grid ``value_range`` (grids, landscapes,
    Lipschitz estimates, catch and escape), so a reversed range is an error everywhere
    rather than a flipped grid in some places. The end points of a *line* of samples
    (``increasing=False``, e.g. :func:`effect.operations.calculate_values`) may run in
    either direction or be equal.

    Examples
    --------
    >>> check_value_range((np.float32(-1), 1))
    (-1.0, 1.0)
    >>> check_value_range((1, -1))
    Traceback (most recent call last):
    ...
    ValueError: value_range must be increasing on every axis (a < b), got (1, -1).
    """
    if isinstance(value_range, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of 2 or 4 numbers, got {value_range!r}.")
    try:
        values = tuple(float(v) for v in value_range)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of 2 or 4 numbers, got {value_range!r}.") from None
    if len(values) not in (2, 4):
        raise ValueError(f"{name} must have length 2 or 4, got length {len(values)}.")
    if not all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite, got {value_range!r}.")
    if increasing and not all(low < high for low, high in zip(values[::2], values[1::2])):
        raise ValueError(f"{name} must be increasing on every axis (a < b), got {value_range!r}.")
    return values


def check_points(points, name: str = "points") -> int:
    """Validate a grid size (integer >= 2)."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(points).__name__}.")
    if points < 2:
        raise ValueError(f"{name} must be >= 2, got {points}.")
    return int(points)


def _inside_transform(tensor) -> bool:
    """True for a tensor wrapped by a ``torch.func`` transform (vmap, grad, jacrev, ...).

    Its values cannot be inspected there (data-dependent control flow), so value checks
    are skipped inside transforms; shapes and dtypes are still checked.
    """
    wrapped = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    return bool(wrapped is not None and wrapped(tensor))


def check_finite(array, name: str):
    """Raise ``ValueError`` if a numpy array or tensor holds NaN or infinity.

    Tensors inside a ``torch.func`` transform are not inspected (see ``_inside_transform``).
    """
    if isinstance(array, torch.Tensor):
        if _inside_transform(array):
            return array
        finite = torch.isfinite(array).all().item()
    else:
        finite = np.isfinite(array).all()
    if not finite:
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def check_positive_int(value, name: str) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 1.

    Raises ``TypeError`` for non-integers (``bool`` included) and ``ValueError`` for integers below 1;
    both messages name ``name``.

    Examples
    --------
    >>> check_positive_int(4, "chunk_size")
    4
    >>> check_positive_int(0, "chunk_size")
    Traceback (most recent call last):
    ...
    ValueError: chunk_size must be a positive integer, got 0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}.")
    return int(value)


def check_int(value, name: str, low: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= ``low`` (numpy integers included, ``bool`` not).

    Examples
    --------
    >>> check_int(np.int64(0), "type_index", low=0)
    0
    >>> check_int(1, "points", low=2)
    Traceback (most recent call last):
    ...
    ValueError: points must be >= 2, got 1.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return int(value)


def check_learn_rate(learn_rate, name: str = "learn_rate") -> float:
    """Return ``learn_rate`` as a float if it is a finite number > 0."""
    if isinstance(learn_rate, bool) or not isinstance(learn_rate, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(learn_rate).__name__}.")
    if not (np.isfinite(learn_rate) and learn_rate > 0):
        raise ValueError(f"{name} must be finite and > 0, got {learn_rate!r}.")
    return float(learn_rate)


def check_thresholds(thresholds, name: str = "thresholds") -> tuple[int, int]:
    """Validate an ``(outer, inner)`` pair of positive step counts."""
    try:
        outer, inner = thresholds
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (outer, inner) of integers, got {thresholds!r}.") from None
    return check_positive_int(outer, f"{name}[0]"), check_positive_int(inner, f"{name}[1]")


def check_bound(bound, name: str, positive: bool) -> tuple[float, float]:
    """Validate a ``(low, high)`` pair with ``low < high`` (and ``0 < low`` when ``positive``)."""
    try:
        low, high = (float(v) for v in bound)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {bound!r}.") from None
    if not low < high or (positive and low <= 0):
        raise ValueError(f"{name} must satisfy {'0 < ' if positive else ''}low < high, got {bound!r}.")
    return low, high


def check_positive_float(value, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number > 0 (numpy scalars included).

    Examples
    --------
    >>> check_positive_float(np.float32(0.05), "interval") == float(np.float32(0.05))
    True
    >>> check_positive_float(-1.0, "interval")
    Traceback (most recent call last):
    ...
    ValueError: interval must be a positive finite number, got -1.0.
    """
    if isinstance(value, torch.Tensor) and value.ndim == 0 and not value.is_complex():
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__}.")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return value


def as_float_tensor(value, name: str) -> torch.Tensor:
    """``value`` (a torch tensor or anything ``numpy.asarray`` accepts) as a floating-point tensor.

    Floating-point tensors are returned as they are (same dtype, device and autograd graph);
    integer and boolean input becomes float64, so no value is truncated later. Complex,
    object or string input raises ``TypeError`` naming ``name``.

    Examples
    --------
    >>> as_float_tensor(np.array([[1, 2]]), "params").dtype
    torch.float64
    >>> as_float_tensor(torch.zeros(2, dtype=torch.float32), "params").dtype
    torch.float32
    """
    if not isinstance(value, torch.Tensor):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be a numeric array or tensor: {error}") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a real numeric array or tensor, got dtype {array.dtype}.")
        value = torch.from_numpy(np.ascontiguousarray(array))
    if value.is_complex():
        raise TypeError(f"{name} must be real, got dtype {value.dtype}.")
    if not value.is_floating_point():
        value = value.to(torch.float64)
    return value
