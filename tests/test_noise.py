"""practice.noise: the min-max normalisation quirk, both scalings, batching, corrected mode."""

import numpy as np
import pytest

from practice.cartpole import STATE_BOUNDS
from practice.noise import NormNoiseGenerator

FAR = 1e6 * np.ones(4)  # bounds far away: no clipping
X = np.array([0.01, -0.02, 0.03, 0.5])


@pytest.mark.parametrize("norm_type", ["L-1", "L-2"])
@pytest.mark.parametrize("scaling", ["width", "absolute"])
def test_reference_quirk_min_and_max_exactly_one(norm_type, scaling):
    scale = 0.3
    generator = NormNoiseGenerator(norm_type, noise_scale=scale, scaling=scaling, seed=0)
    lo, hi = -FAR * np.array([1, 2, 3, 4]), FAR * np.array([1, 2, 3, 4])
    unit = scale * (hi - lo) if scaling == "width" else scale
    for _ in range(50):
        normalised = (generator.get_samples(X, 1, lo, hi) - X) / unit
        assert np.isclose(normalised.min(), -1.0, rtol=0, atol=1e-9)
        assert np.isclose(normalised.max(), 1.0, rtol=0, atol=1e-9)


def test_reference_quirk_exact_values_and_spec_widths():
    generator = NormNoiseGenerator("L-2", noise_scale=0.1, seed=3)
    x = np.zeros(4)
    noise = generator.get_samples(x, 1, -STATE_BOUNDS, STATE_BOUNDS) - x
    widths = 2 * STATE_BOUNDS
    lowest, highest = np.argmin(noise / widths), np.argmax(noise / widths)
    assert noise[lowest] == -1.0 * 0.1 * widths[lowest] or noise[lowest] == -STATE_BOUNDS[lowest]
    assert noise[highest] == 1.0 * 0.1 * widths[highest]
    # closed form of the normalisation from the same generator stream
    raw = np.random.default_rng(3).standard_normal((1, 4))
    expected = 2.0 * ((raw - raw.min()) / (raw.max() - raw.min()) - 0.5) * 0.1 * widths
    assert np.array_equal(noise, np.clip(expected[0], -STATE_BOUNDS, STATE_BOUNDS))


def test_count_greater_than_one_normalises_the_whole_draw():
    generator = NormNoiseGenerator("L-2", noise_scale=1.0, scaling="absolute", seed=5)
    samples = generator.get_samples(np.zeros(3), 8, -FAR[:3], FAR[:3])
    assert samples.shape == (8, 3)
    assert samples.min() == -1.0 and samples.max() == 1.0
    per_row = (samples.min(axis=1) == -1.0).sum() + (samples.max(axis=1) == 1.0).sum()
    assert per_row == 2  # only one -1 and one +1 in the whole array


def test_corrected_is_plain_scaled_noise():
    for norm_type, draw in (("L-2", lambda r: r.standard_normal((1, 4))), ("L-1", lambda r: r.laplace(0, 1, (1, 4)))):
        generator = NormNoiseGenerator(norm_type, noise_scale=0.02, seed=11, semantics="corrected")
        noise = generator.get_samples(X, 1, -FAR, FAR) - X
        assert np.allclose(noise, draw(np.random.default_rng(11))[0] * 0.02 * 2 * FAR, rtol=1e-9, atol=1e-6)
        reference = NormNoiseGenerator(norm_type, noise_scale=0.02, seed=11)
        assert not np.allclose(reference.get_samples(X, 1, -FAR, FAR) - X, noise)


def test_linf_is_uniform_and_not_normalised():
    generator = NormNoiseGenerator("L-inf", noise_scale=1.0, scaling="absolute", seed=2)
    samples = generator.get_samples(np.zeros(4), 2000, -FAR, FAR)
    assert samples.min() > -1.0 and samples.max() < 1.0
    assert np.array_equal(samples, np.random.default_rng(2).uniform(-1, 1, (2000, 4)))


@pytest.mark.parametrize("norm_type", ["L-1", "L-2", "L-inf"])
@pytest.mark.parametrize("scaling", ["width", "absolute"])
@pytest.mark.parametrize("level", [1.0, 0.6])
@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_batch_equals_separate_single_row_calls(norm_type, scaling, level, semantics):
    rows = np.random.default_rng(0).uniform(-1, 1, size=(30, 4)).astype(np.float32)
    def make():
        return NormNoiseGenerator(norm_type, level, 0.2, scaling=scaling, seed=7, semantics=semantics)

    batched = make().get_samples_batch(rows, -STATE_BOUNDS, STATE_BOUNDS)
    single = make()
    looped = np.array([single.get_samples(row, 1, -STATE_BOUNDS, STATE_BOUNDS) for row in rows])
    assert batched.dtype == np.float64
    assert np.array_equal(batched, looped)


def test_clipping_to_bounds():
    generator = NormNoiseGenerator("L-2", noise_scale=0.4, seed=1)
    lo, hi = -np.ones(4), np.ones(4)
    samples = generator.get_samples_batch(np.full((200, 4), 0.9), lo, hi)
    assert samples.max() == 1.0 and samples.min() >= -1.0
    assert (samples == 1.0).any(axis=1).all()  # +0.8 always pushes one component past the bound


def test_zero_scale_or_level_returns_sample_itself():
    sample = np.array([0.1, 0.2], dtype=np.float32)
    for generator in (NormNoiseGenerator("L-2", noise_scale=0.0), NormNoiseGenerator("L-2", noise_level=0.0)):
        assert generator.get_samples(sample, 5, -np.ones(2), np.ones(2)) is sample
        assert generator.is_identity


def test_noise_level_below_one():
    generator = NormNoiseGenerator("L-2", noise_level=0.5, noise_scale=0.1, seed=4)
    x = np.zeros(3)
    samples = generator.get_samples(x, 10, -FAR[:3], FAR[:3])
    untouched = np.all(samples == 0.0, axis=1)
    assert untouched.sum() == 5  # (1 - 0.5) * 10 = 5 > 1: exactly int(5) rows lose their noise
    single = NormNoiseGenerator("L-2", noise_level=0.5, noise_scale=0.1, seed=4)
    kept = [np.any(single.get_samples(x, 1, -FAR[:3], FAR[:3]) != 0.0) for _ in range(400)]
    assert 0.4 < np.mean(kept) < 0.6  # count = 1: each row kept with probability level


def test_single_feature_gives_nan_in_reference_only():
    with pytest.warns(RuntimeWarning, match="divides by zero"):
        value = NormNoiseGenerator("L-2", noise_scale=0.1, seed=0).get_samples(np.zeros(1), 1, [-1.0], [1.0])
    assert np.isnan(value).all()
    corrected = NormNoiseGenerator("L-2", noise_scale=0.1, seed=0, semantics="corrected")
    assert np.isfinite(corrected.get_samples(np.zeros(1), 1, [-1.0], [1.0])).all()


def test_determinism_and_seed_types():
    a = NormNoiseGenerator("L-2", noise_scale=0.2, seed=123).get_samples_batch(np.zeros((5, 4)), -FAR, FAR)
    b = NormNoiseGenerator("L-2", noise_scale=0.2, seed=np.random.default_rng(123)).get_samples_batch(
        np.zeros((5, 4)), -FAR, FAR)
    c = NormNoiseGenerator("L-2", noise_scale=0.2, seed=124).get_samples_batch(np.zeros((5, 4)), -FAR, FAR)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_validation():
    with pytest.raises(ValueError, match="No such norm type"):
        NormNoiseGenerator("L-3")
    with pytest.raises(ValueError, match="scaling"):
        NormNoiseGenerator("L-2", scaling="relative")
    with pytest.raises(ValueError, match="semantics"):
        NormNoiseGenerator("L-2", semantics="fixed")
    with pytest.raises(ValueError, match="noise_level"):
        NormNoiseGenerator("L-2", noise_level=1.5)
    with pytest.raises(ValueError, match="noise_scale"):
        NormNoiseGenerator("L-2", noise_scale=-0.1)
    with pytest.raises(TypeError, match="seed"):
        NormNoiseGenerator("L-2", seed=1.5)
    generator = NormNoiseGenerator("L-2", noise_scale=0.1)
    with pytest.raises(ValueError, match="sample must be 1-D"):
        generator.get_samples(np.zeros((2, 2)), 1, -np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="count"):
        generator.get_samples(np.zeros(2), 0, -np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="minimum_bounds"):
        generator.get_samples(np.zeros(2), 1, -np.ones(3), np.ones(3))
