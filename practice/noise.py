"""Observation noise of the study: ``NormNoiseGenerator``.

The reference draws raw noise (Laplace for "L-1", standard normal for "L-2",
uniform(-1, 1) for "L-inf"), then — for "L-1"/"L-2" only — min-max normalises
the whole draw to [-1, 1], so every single-row call has one component at
exactly -1 and one at exactly +1 (it is not Gaussian noise). The normalised
noise is scaled by ``noise_scale`` times the per-feature bound width (newest
version, ``scaling="width"``) or by ``noise_scale`` alone (≤ 2024-09,
``scaling="absolute"``), added to the sample and clipped to the bounds.

``semantics="corrected"`` skips the min-max normalisation (plain Laplace /
Gaussian noise, scaled the same way). All randomness comes from the generator
given as ``seed`` (an int or a ``numpy.random.Generator``); the global numpy RNG
is never used.

Examples
--------
>>> import numpy as np
>>> noise = NormNoiseGenerator("L-2", noise_scale=0.1, seed=0)
>>> x = noise.get_samples(np.zeros(4), 1, -10 * np.ones(4), 10 * np.ones(4))
>>> float(x.min()), float(x.max())  # exactly -/+ 0.1 * width 20
(-2.0, 2.0)
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

__all__ = ["NormNoiseGenerator", "NORM_TYPES", "NOISE_SCALINGS"]

NORM_TYPES = ("L-1", "L-2", "L-inf")
NOISE_SCALINGS = ("width", "absolute")
SEMANTICS = ("reference", "corrected")


class NormNoiseGenerator:
    """Bounded additive observation noise with the reference's min-max normalisation.

    Parameters
    ----------
    norm_type : {"L-1", "L-2", "L-inf"}
        Raw distribution: Laplace(0, 1), standard normal, uniform(-1, 1).
    noise_level : float in [0, 1], default 1.0
        Fraction of rows that receive noise (the rest are zeroed; unused by the
        experiments).
    noise_scale : float >= 0, default 1.0
        The "noise level" of the figures (0.0 ... 0.4).
    scaling : {"width", "absolute"}, default "width"
        "width" multiplies by ``maximum_bounds - minimum_bounds`` per feature
        (newest reference); "absolute" does not (≤ 2024-09 reference).
    seed : None, int or numpy.random.Generator
        Source of all randomness (``np.random.default_rng(seed)``).
    semantics : {"reference", "corrected"}, default "reference"
        "reference" min-max normalises each call's raw draw (quirk);
        "corrected" uses the raw Laplace/Gaussian draw.

    Examples
    --------
    >>> noise = NormNoiseGenerator("L-inf", noise_scale=0.0)
    >>> noise.get_samples(np.ones(2), 3, np.zeros(2), np.ones(2) * 2).tolist()  # scale 0: unchanged
    [1.0, 1.0]
    """

    def __init__(self, norm_type, noise_level=1.0, noise_scale=1.0, scaling="width", seed=None,
                 semantics="reference"):
        if norm_type not in NORM_TYPES:
            raise ValueError(f"No such norm type! norm_type must be one of {NORM_TYPES}, got {norm_type!r}")
        if scaling not in NOISE_SCALINGS:
            raise ValueError(f"scaling must be one of {NOISE_SCALINGS}, got {scaling!r}")
        if semantics not in SEMANTICS:
            raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}")
        for name, value in (("noise_level", noise_level), ("noise_scale", noise_scale)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
                raise TypeError(f"{name} must be a finite real number, got {value!r}")
        if not 0.0 <= noise_level <= 1.0:
            raise ValueError(f"noise_level must be in [0, 1], got {noise_level}")
        if noise_scale < 0.0:
            raise ValueError(f"noise_scale must be >= 0, got {noise_scale}")
        if seed is not None and not isinstance(seed, (numbers.Integral, np.random.Generator)):
            raise TypeError(f"seed must be None, an int or a numpy.random.Generator, got {type(seed).__name__}")
        self.norm_type = norm_type
        self.noise_level = float(noise_level)
        self.noise_scale = float(noise_scale)
        self.scaling = scaling
        self.semantics = semantics
        self.rng = np.random.default_rng(seed)

    @property
    def is_identity(self):
        """True when calls return the sample unchanged (scale 0 or level 0)."""
        return self.noise_scale == 0.0 or self.noise_level == 0.0

    def _raw(self, shape):
        if self.norm_type == "L-1":
            return self.rng.laplace(0.0, 1.0, size=shape)
        if self.norm_type == "L-2":
            return self.rng.standard_normal(size=shape)
        return self.rng.uniform(-1.0, 1.0, size=shape)

    def _normalise(self, raw, axis):
        """Min-max normalise to [-1, 1] over ``axis`` (None = whole array), reference only."""
        if self.norm_type == "L-inf" or self.semantics == "corrected":
            return raw
        low = raw.min(axis=axis, keepdims=True)
        high = raw.max(axis=axis, keepdims=True)
        if np.any(high == low):
            warnings.warn("NormNoiseGenerator: constant raw draw (e.g. d = 1); the reference's min-max "
                          "normalisation divides by zero and gives NaN noise", RuntimeWarning, stacklevel=3)
        with np.errstate(invalid="ignore", divide="ignore"):
            return 2.0 * ((raw - low) / (high - low) - 0.5)

    def _scale(self, normalised, minimum_bounds, maximum_bounds):
        if self.scaling == "width":
            return normalised * self.noise_scale * (maximum_bounds - minimum_bounds)
        return normalised * self.noise_scale

    def get_samples(self, sample, count, minimum_bounds, maximum_bounds):
        """Noisy copies of ``sample``, clipped to the bounds (the reference call).

        Parameters
        ----------
        sample : array_like, shape (d,)
        count : int >= 1
            Number of noisy copies; the raw draw of all ``count`` rows is
            normalised together (as the reference).
        minimum_bounds, maximum_bounds : array_like, shape (d,)

        Returns
        -------
        ndarray, shape (count, d) if count > 1 else (d,), float64; or ``sample``
        itself (unchanged object) when ``noise_scale == 0`` or ``noise_level == 0``.
        """
        sample = np.asarray(sample)
        if sample.ndim != 1:
            raise ValueError(f"sample must be 1-D, got shape {sample.shape}")
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
            raise ValueError(f"count must be a positive integer, got {count!r}")
        low, high = self._bounds(minimum_bounds, maximum_bounds, sample.shape[0])
        if self.is_identity:
            return sample
        noise = self._scale(self._normalise(self._raw((count, sample.shape[0])), None), low, high)
        if self.noise_level < 1.0:
            self._drop_rows(noise)
        values = np.clip(sample[None, :] + noise, low, high)
        return values if count > 1 else values[0]

    def get_samples_batch(self, samples, minimum_bounds, maximum_bounds):
        """Row-wise noise: equals ``E`` separate ``get_samples(row, 1, ...)`` calls.

        Each row's raw draw is normalised on its own. With ``noise_level == 1``
        the whole (E, d) draw is taken at once (the generator fills it in the
        same order as E single-row calls); otherwise the rows are processed one
        by one to keep the exact stream interleaving of the reference.

        Parameters
        ----------
        samples : array_like, shape (E, d)
        minimum_bounds, maximum_bounds : array_like, shape (d,)

        Returns
        -------
        ndarray, shape (E, d), float64 (``samples`` promoted to float64 when the
        generator is the identity)

        Examples
        --------
        >>> g = NormNoiseGenerator("L-2", noise_scale=0.2, seed=1)
        >>> x = g.get_samples_batch(np.zeros((3, 4)), -np.ones(4) * 9, np.ones(4) * 9)
        >>> (x.min(axis=1) == -3.6).all() and (x.max(axis=1) == 3.6).all()
        np.True_
        """
        samples = np.asarray(samples)
        if samples.ndim != 2:
            raise ValueError(f"samples must have shape (E, d), got {samples.shape}")
        low, high = self._bounds(minimum_bounds, maximum_bounds, samples.shape[1])
        if self.is_identity:
            return samples.astype(np.float64)
        if self.noise_level < 1.0:
            return np.array([self.get_samples(row, 1, low, high) for row in samples]).reshape(samples.shape)
        noise = self._scale(self._normalise(self._raw(samples.shape), 1), low, high)
        return np.clip(samples + noise, low, high)

    def _drop_rows(self, noise):
        count = noise.shape[0]
        if (1.0 - self.noise_level) * count > 1:
            indices = np.arange(count)
            self.rng.shuffle(indices)
            noise[indices[:int((1.0 - self.noise_level) * count)]] = 0.0
        else:
            for row in range(count):
                if self.rng.random() > self.noise_level:
                    noise[row] = 0.0

    @staticmethod
    def _bounds(minimum_bounds, maximum_bounds, d):
        low = np.asarray(minimum_bounds, dtype=np.float64)
        high = np.asarray(maximum_bounds, dtype=np.float64)
        if low.shape != (d,) or high.shape != (d,):
            raise ValueError(f"minimum_bounds and maximum_bounds must have shape ({d},), "
                             f"got {low.shape} and {high.shape}")
        if np.any(low > high):
            raise ValueError("minimum_bounds must be <= maximum_bounds element-wise")
        return low, high

    def __repr__(self):
        return (f"NormNoiseGenerator({self.norm_type!r}, noise_level={self.noise_level}, "
                f"noise_scale={self.noise_scale}, scaling={self.scaling!r}, semantics={self.semantics!r})")
