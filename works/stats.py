"""Claim statistics for REPORT.md: effect sizes, bootstrap intervals, tests and a verdict.

Every claim of the report compares two groups (or a trend, or two counts). A verdict never rests on the sign of a raw
difference alone: it needs a 95 % bootstrap confidence interval of the effect that excludes zero. The same functions
serve every scale; at a small scale the verdict is honestly "not resolved".

Verdicts
--------
``"holds"``
    the interval of the effect lies entirely on the side the paper predicts;
``"reversed"``
    the interval lies entirely on the other side;
``"not resolved at this scale (CI spans 0)"``
    the interval contains zero (or there are too few samples to form one).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> result = compare_groups(rng.normal(1.0, 1.0, 200), rng.normal(0.0, 1.0, 200), expected="greater", seed=1)
>>> result.verdict
'holds'
>>> result.n
(200, 200)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as _stats

__all__ = [
    "Comparison",
    "compare_groups",
    "compare_counts",
    "compare_trend",
    "compare_paired",
    "cliffs_delta",
    "bootstrap_interval",
    "verdict",
    "HOLDS",
    "REVERSED",
    "UNRESOLVED",
]

HOLDS = "holds"
REVERSED = "reversed"
UNRESOLVED = "not resolved at this scale (CI spans 0)"
_EXPECTED = ("greater", "less")
_MAX_DRAWS = 4_000_000  # resampled values held in memory at once by the bootstrap


@dataclass(frozen=True)
class Comparison:
    """The statistics of one claim.

    Attributes
    ----------
    n : tuple of int
        Sample size of each group (one entry for a trend or a paired comparison).
    effect : float
        The effect whose sign the claim predicts (difference of means or medians, Spearman's rho, a difference of
        proportions or the median paired difference).
    effect_name : str
        What ``effect`` is, e.g. ``"Δmean"``.
    ci : tuple of float
        95 % bootstrap confidence interval of ``effect`` (NaN where it cannot be formed).
    size : float
        A scale-free size: Cliff's delta for groups, rho for a trend, the odds ratio for counts.
    size_name : str
        Name of ``size``.
    p_value : float
        Two-sided p-value of ``test``.
    test : str
        The test used.
    verdict : str
        One of :data:`HOLDS`, :data:`REVERSED`, :data:`UNRESOLVED`.
    """

    n: tuple
    effect: float
    effect_name: str
    ci: tuple
    size: float
    size_name: str
    p_value: float
    test: str
    verdict: str

    def describe(self) -> str:
        """One line: n, effect with its interval, size and test.

        Examples
        --------
        >>> Comparison((3, 4), 0.5, "Δmean", (0.1, 0.9), 0.25, "Cliff's δ", 0.03, "Mann–Whitney U", HOLDS).describe()
        "n = 3 vs 4; Δmean = 0.5 [95% CI 0.1, 0.9]; Cliff's δ = 0.25; Mann–Whitney U p = 0.03"
        """
        n = " vs ".join(f"{k:,}" for k in self.n)
        low, high = self.ci
        return (f"n = {n}; {self.effect_name} = {_num(self.effect)} [95% CI {_num(low)}, {_num(high)}]; "
                f"{self.size_name} = {_num(self.size)}; {self.test} p = {_num(self.p_value, 2)}")


def _num(value, digits=4) -> str:
    value = float(value)
    if not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return f"{value:.{digits}g}"


def _check_expected(expected: str) -> str:
    if expected not in _EXPECTED:
        raise ValueError(f"expected must be one of {_EXPECTED}, got {expected!r}.")
    return expected


def _sample(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def verdict(ci, expected: str) -> str:
    """The verdict of an effect's interval against the predicted direction.

    Parameters
    ----------
    ci : (float, float)
        Confidence interval of the effect.
    expected : {"greater", "less"}
        The sign the paper predicts for the effect.

    Examples
    --------
    >>> verdict((0.1, 0.4), "greater"), verdict((0.1, 0.4), "less"), verdict((-0.1, 0.4), "greater")
    ('holds', 'reversed', 'not resolved at this scale (CI spans 0)')
    """
    _check_expected(expected)
    low, high = (float(v) for v in ci)
    if not (np.isfinite(low) and np.isfinite(high)):
        return UNRESOLVED
    if low > 0:
        return HOLDS if expected == "greater" else REVERSED
    if high < 0:
        return HOLDS if expected == "less" else REVERSED
    return UNRESOLVED


def bootstrap_interval(statistic, samples, *, resamples: int = 2000, level: float = 0.95, seed: int = 0):
    """Percentile bootstrap interval of ``statistic`` over independently resampled groups.

    Parameters
    ----------
    statistic : callable
        ``statistic(*resampled)`` maps arrays of shape ``(r, n_g)`` (one per group, ``r`` resamples) to shape ``(r,)``.
    samples : sequence of 1-D arrays
        The groups, resampled independently with replacement.
    resamples : int
        Number of bootstrap resamples.
    level : float
        Coverage of the interval.
    seed : int
        Seed of the resampling generator.

    Returns
    -------
    (float, float)
        Lower and upper percentile bounds (NaN if a group has fewer than 2 values).

    Examples
    --------
    >>> low, high = bootstrap_interval(lambda a: a.mean(axis=1), [np.arange(100.0)], seed=0)
    >>> bool(low < 49.5 < high)
    True
    """
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 1:
        raise ValueError(f"resamples must be a positive integer, got {resamples!r}.")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie in (0, 1), got {level!r}.")
    samples = [np.asarray(s, dtype=np.float64).ravel() for s in samples]
    if any(s.size < 2 for s in samples):
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    batch = max(1, _MAX_DRAWS // max(s.size for s in samples))
    values = []
    for start in range(0, resamples, batch):
        r = min(batch, resamples - start)
        drawn = [s[rng.integers(0, s.size, size=(r, s.size))] for s in samples]
        values.append(np.asarray(statistic(*drawn), dtype=np.float64))
    values = np.concatenate(values)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(values, [alpha, 1.0 - alpha])
    return (float(low), float(high))


def cliffs_delta(first, second) -> float:
    """Cliff's δ = P(X > Y) − P(X < Y) for X from ``first`` and Y from ``second``, in O(n log n).

    Examples
    --------
    >>> cliffs_delta([3, 4, 5], [1, 2, 3])
    0.8888888888888888
    """
    first, second = _sample(first, "first"), _sample(second, "second")
    if first.size == 0 or second.size == 0:
        return float("nan")
    ordered = np.sort(second)
    below = np.searchsorted(ordered, first, side="left").sum()
    above = (second.size - np.searchsorted(ordered, first, side="right")).sum()
    return float((below - above) / (first.size * second.size))


def compare_groups(first, second, *, expected: str, statistic: str = "mean", resamples: int = 2000,
                   seed: int = 0) -> Comparison:
    """Compare two independent groups: difference of means (or medians), bootstrap CI, Cliff's δ, Mann–Whitney U.

    Parameters
    ----------
    first, second : array_like
        The two samples (any shape, flattened; finite).
    expected : {"greater", "less"}
        The claim's direction for ``statistic(first) − statistic(second)``.
    statistic : {"mean", "median"}
        Location statistic whose difference is the effect.
    resamples : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> compare_groups([1.0, 2.0, 3.0, 4.0], [1.5, 2.5, 3.5, 4.5], expected="less").verdict
    'not resolved at this scale (CI spans 0)'
    """
    _check_expected(expected)
    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic must be 'mean' or 'median', got {statistic!r}.")
    first, second = _sample(first, "first"), _sample(second, "second")
    n = (int(first.size), int(second.size))
    if min(n) == 0:
        nan = float("nan")
        return Comparison(n, nan, f"Δ{statistic}", (nan, nan), nan, "Cliff's δ", nan, "Mann–Whitney U", UNRESOLVED)
    location = np.mean if statistic == "mean" else np.median
    effect = float(location(first) - location(second))
    ci = bootstrap_interval(lambda a, b: location(a, axis=1) - location(b, axis=1), [first, second],
                            resamples=resamples, seed=seed)
    if np.ptp(np.concatenate([first, second])) == 0:
        p_value = 1.0
    else:
        p_value = float(_stats.mannwhitneyu(first, second, alternative="two-sided").pvalue)
    return Comparison(n, effect, f"Δ{statistic}", ci, cliffs_delta(first, second), "Cliff's δ", p_value,
                      "Mann–Whitney U", verdict(ci, expected))


def compare_counts(successes_first: int, total_first: int, successes_second: int, total_second: int, *,
                   expected: str, resamples: int = 2000, seed: int = 0) -> Comparison:
    """Compare two proportions: difference, bootstrap CI, odds ratio and Fisher's exact test.

    Examples
    --------
    >>> result = compare_counts(9, 10, 1, 10, expected="greater")
    >>> result.verdict, round(result.effect, 2)
    ('holds', 0.8)
    """
    _check_expected(expected)
    counts = [successes_first, total_first, successes_second, total_second]
    if any(isinstance(c, bool) or int(c) != c or c < 0 for c in counts):
        raise ValueError(f"counts must be non-negative integers, got {counts!r}.")
    k1, n1, k2, n2 = (int(c) for c in counts)
    if k1 > n1 or k2 > n2:
        raise ValueError(f"successes cannot exceed totals, got {k1}/{n1} and {k2}/{n2}.")
    if n1 == 0 or n2 == 0:
        nan = float("nan")
        return Comparison((n1, n2), nan, "Δproportion", (nan, nan), nan, "odds ratio", nan, "Fisher exact",
                          UNRESOLVED)
    first = np.repeat([1.0, 0.0], [k1, n1 - k1])
    second = np.repeat([1.0, 0.0], [k2, n2 - k2])
    effect = k1 / n1 - k2 / n2
    ci = bootstrap_interval(lambda a, b: a.mean(axis=1) - b.mean(axis=1), [first, second], resamples=resamples,
                            seed=seed)
    odds, p_value = _stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])
    return Comparison((n1, n2), float(effect), "Δproportion", ci, float(odds), "odds ratio", float(p_value),
                      "Fisher exact", verdict(ci, expected))


def compare_trend(x, y, *, expected: str, resamples: int = 2000, seed: int = 0) -> Comparison:
    """A monotone trend of ``y`` with ``x``: Spearman's ρ, a bootstrap CI over (x, y) pairs and its test.

    Examples
    --------
    >>> x = np.repeat(np.arange(10.0), 5)
    >>> compare_trend(x, -x + np.random.default_rng(0).normal(0, 1, x.size), expected="less").verdict
    'holds'
    """
    _check_expected(expected)
    x, y = _sample(x, "x"), _sample(y, "y")
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}.")
    nan = float("nan")
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return Comparison((int(x.size),), nan, "Spearman ρ", (nan, nan), nan, "ρ", nan, "Spearman", UNRESOLVED)
    rho, p_value = _stats.spearmanr(x, y)
    pairs = np.arange(x.size, dtype=np.float64)

    def statistic(index):
        index = index.astype(np.int64)
        rx = _stats.rankdata(x[index], axis=1)
        ry = _stats.rankdata(y[index], axis=1)
        rx -= rx.mean(axis=1, keepdims=True)
        ry -= ry.mean(axis=1, keepdims=True)
        denominator = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            values = (rx * ry).sum(axis=1) / denominator
        return np.where(np.isfinite(values), values, 0.0)

    ci = bootstrap_interval(statistic, [pairs], resamples=resamples, seed=seed)
    return Comparison((int(x.size),), float(rho), "Spearman ρ", ci, float(rho), "ρ", float(p_value), "Spearman",
                      verdict(ci, expected))


def compare_paired(differences, *, expected: str, resamples: int = 2000, seed: int = 0) -> Comparison:
    """Paired comparison from per-pair differences: median difference, bootstrap CI and the Wilcoxon signed-rank test.

    Examples
    --------
    >>> compare_paired([0.2, 0.3, 0.1, 0.25, 0.15, 0.3, 0.2, 0.1], expected="greater").verdict
    'holds'
    """
    _check_expected(expected)
    differences = _sample(differences, "differences")
    nan = float("nan")
    if differences.size == 0:
        return Comparison((0,), nan, "median paired Δ", (nan, nan), nan, "share > 0", nan, "Wilcoxon signed-rank",
                          UNRESOLVED)
    ci = bootstrap_interval(lambda d: np.median(d, axis=1), [differences], resamples=resamples, seed=seed)
    nonzero = differences[differences != 0]
    p_value = float(_stats.wilcoxon(nonzero).pvalue) if nonzero.size else 1.0
    return Comparison((int(differences.size),), float(np.median(differences)), "median paired Δ", ci,
                      float(np.mean(differences > 0)), "share > 0", p_value, "Wilcoxon signed-rank",
                      verdict(ci, expected))
