"""Claim statistics: closed forms, brute-force references and scipy cross-checks."""

import itertools

import numpy as np
import pytest
from scipy import stats

from works.stats import (
    HOLDS,
    REVERSED,
    UNRESOLVED,
    bootstrap_interval,
    cliffs_delta,
    compare_counts,
    compare_groups,
    compare_paired,
    compare_trend,
    verdict,
)


def brute_cliffs_delta(first, second):
    signs = [np.sign(a - b) for a, b in itertools.product(first, second)]
    return float(np.mean(signs))


@pytest.mark.parametrize("seed", range(5))
def test_cliffs_delta_equals_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 6, size=17).astype(float)
    second = rng.integers(0, 6, size=11).astype(float)
    assert cliffs_delta(first, second) == pytest.approx(brute_cliffs_delta(first, second), abs=1e-12)


def test_cliffs_delta_relates_to_mann_whitney_u():
    rng = np.random.default_rng(3)
    first, second = rng.normal(size=40), rng.normal(0.3, 1, size=25)
    u = stats.mannwhitneyu(first, second).statistic
    assert cliffs_delta(first, second) == pytest.approx(2 * u / (40 * 25) - 1, abs=1e-12)


def test_verdict_cases():
    assert verdict((0.1, 0.2), "greater") == HOLDS
    assert verdict((-0.3, -0.1), "greater") == REVERSED
    assert verdict((-0.3, -0.1), "less") == HOLDS
    assert verdict((-0.1, 0.1), "less") == UNRESOLVED
    assert verdict((float("nan"), 1.0), "less") == UNRESOLVED
    with pytest.raises(ValueError, match="expected"):
        verdict((0, 1), "bigger")


def test_bootstrap_interval_of_mean_matches_normal_theory():
    rng = np.random.default_rng(0)
    sample = rng.normal(5.0, 2.0, size=400)
    low, high = bootstrap_interval(lambda a: a.mean(axis=1), [sample], resamples=4000, seed=1)
    half = 1.96 * sample.std(ddof=1) / np.sqrt(sample.size)
    assert low == pytest.approx(sample.mean() - half, abs=0.05)
    assert high == pytest.approx(sample.mean() + half, abs=0.05)


def test_bootstrap_is_seeded_and_batched_identically():
    sample = np.random.default_rng(2).normal(size=300)
    first = bootstrap_interval(lambda a: a.mean(axis=1), [sample], resamples=500, seed=7)
    assert first == bootstrap_interval(lambda a: a.mean(axis=1), [sample], resamples=500, seed=7)
    assert first != bootstrap_interval(lambda a: a.mean(axis=1), [sample], resamples=500, seed=8)


def test_compare_groups_shift_holds_reverses_and_null_is_unresolved():
    rng = np.random.default_rng(4)
    low, high = rng.normal(0, 1, 300), rng.normal(0.6, 1, 300)
    assert compare_groups(high, low, expected="greater").verdict == HOLDS
    assert compare_groups(high, low, expected="less").verdict == REVERSED
    same = compare_groups(rng.normal(0, 1, 50), rng.normal(0, 1, 50), expected="greater", seed=3)
    assert same.verdict == UNRESOLVED and same.ci[0] < 0 < same.ci[1]


def test_compare_groups_reports_scipy_test_and_effect():
    first, second = np.array([1.0, 4.0, 2.0, 8.0, 5.0]), np.array([0.5, 1.5, 2.5])
    result = compare_groups(first, second, expected="greater", statistic="median")
    assert result.n == (5, 3)
    assert result.effect == pytest.approx(np.median(first) - np.median(second))
    assert result.p_value == pytest.approx(stats.mannwhitneyu(first, second).pvalue)
    assert result.size == pytest.approx(brute_cliffs_delta(first, second))
    assert "n = 5 vs 3" in result.describe()


def test_compare_groups_rejects_bad_input():
    with pytest.raises(ValueError, match="first"):
        compare_groups([1.0, np.nan], [1.0], expected="greater")
    with pytest.raises(ValueError, match="statistic"):
        compare_groups([1.0], [1.0], expected="greater", statistic="mode")
    assert compare_groups([], [1.0, 2.0], expected="less").verdict == UNRESOLVED


def test_compare_counts_matches_fisher():
    result = compare_counts(8, 10, 2, 10, expected="greater")
    odds, p_value = stats.fisher_exact([[8, 2], [2, 8]])
    assert result.size == pytest.approx(odds) and result.p_value == pytest.approx(p_value)
    assert result.effect == pytest.approx(0.6) and result.verdict == HOLDS
    assert compare_counts(0, 10, 0, 10, expected="greater").verdict == UNRESOLVED
    with pytest.raises(ValueError, match="exceed"):
        compare_counts(11, 10, 0, 10, expected="greater")


def test_compare_trend_matches_spearman_and_detects_direction():
    x = np.repeat(np.arange(11.0), 4)
    y = 1.0 - x / 10 + np.random.default_rng(5).normal(0, 0.2, x.size)
    result = compare_trend(x, y, expected="less")
    rho, p_value = stats.spearmanr(x, y)
    assert result.effect == pytest.approx(rho) and result.p_value == pytest.approx(p_value)
    assert result.verdict == HOLDS
    assert compare_trend(x, np.ones_like(x), expected="less").verdict == UNRESOLVED


def test_compare_paired_uses_wilcoxon():
    differences = np.array([0.5, 0.2, -0.1, 0.4, 0.3, 0.6, 0.2, 0.1, 0.35, 0.45])
    result = compare_paired(differences, expected="greater")
    assert result.p_value == pytest.approx(stats.wilcoxon(differences).pvalue)
    assert result.verdict == HOLDS
    assert result.size == pytest.approx(0.9)
