"""Learned-diversity experiment units: local data, one (network type, seed) unit, loops under learned activations."""

import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from effect.diversity_experiments import (
    NETWORK_TYPES,
    DiversitySizes,
    compare_loop_types,
    euler_forecast,
    learn_types,
    mnist1d_data,
    network_activation,
    run_unit,
    types_from_arrays,
    types_to_arrays,
    vanderpol_data,
)
from effect.engine import grid_inputs
from effect.learned import InterpolatedActivation
from effect.structures import structure_parameters

SMOKE = replace(DiversitySizes.smoke(), hidden=20, sub_hidden=8)


@pytest.fixture(scope="module")
def vanderpol():
    return vanderpol_data(trajectories=6, steps=40, dt=0.05, seed=1)


def test_vanderpol_derivatives_match_the_orbits(vanderpol):
    orbit = vanderpol["orbits_test"][0]
    central = (orbit[2:] - orbit[:-2]) / (2 * vanderpol["dt"])
    x, v = orbit[1:-1, 0], orbit[1:-1, 1]
    field = np.stack([v, (1 - x**2) * v - x], axis=1)
    assert np.abs(central - field).max() < 0.05 * max(1.0, np.abs(field).max())
    assert vanderpol["x"].shape == (4 * 40, 2) and vanderpol["x_test"].shape == (2 * 40, 2)
    assert torch.allclose(vanderpol["y_test"][1:39], torch.tensor(field, dtype=torch.float32), atol=1e-5)


def test_euler_forecast_with_the_true_field_tracks_the_orbit(vanderpol):
    class Field(torch.nn.Module):
        def forward(self, s):
            return torch.stack([s[:, 1], (1 - s[:, 0] ** 2) * s[:, 1] - s[:, 0]], dim=1)

    orbits = vanderpol["orbits_test"][:, :20]
    forecast = euler_forecast(Field(), orbits[:, 0], 20, vanderpol["dt"])
    assert forecast.shape == orbits.shape
    manual = [orbits[:, 0]]
    for _ in range(19):
        x, v = manual[-1][:, 0], manual[-1][:, 1]
        manual.append(manual[-1] + vanderpol["dt"] * np.stack([v, (1 - x**2) * v - x], axis=1))
    assert np.allclose(forecast, np.stack(manual, axis=1), atol=1e-4)
    assert np.abs(forecast[:, 1] - orbits[:, 1]).max() < 0.02  # one Euler step: O(dt**2) local error


def test_mnist1d_is_generated_locally_and_leaves_global_generators_alone():
    np.random.seed(123)
    random.seed(7)
    numpy_before, python_before = np.random.get_state()[1].copy(), random.getstate()
    data = mnist1d_data(samples=200, seed=3)
    assert np.array_equal(np.random.get_state()[1], numpy_before) and random.getstate() == python_before
    assert data["x"].shape == (160, 40) and data["x_test"].shape == (40, 40)
    assert set(data["y"].tolist()) <= set(range(10)) and data["y"].dtype == torch.int64
    again = mnist1d_data(samples=200, seed=3)
    assert torch.equal(again["x"], data["x"])
    assert not torch.equal(mnist1d_data(samples=200, seed=4)["x"], data["x"])


def test_vanderpol_unit_is_reproducible_and_bounded(vanderpol):
    types = learn_types("vanderpol", SMOKE, data=vanderpol).types
    first = run_unit("vanderpol", "mix", 0, types=types, sizes=SMOKE, data=vanderpol)
    second = run_unit("vanderpol", "mix", 0, types=types, sizes=SMOKE, data=vanderpol)
    assert first == second
    assert 1.0 <= first["participation_ratio"] <= SMOKE.hidden
    assert first["participation_ratio_normalised"] == pytest.approx(first["participation_ratio"] / SMOKE.hidden)
    assert 0.0 <= first["near_zero_fraction"] <= 1.0 and first["hessian_trace_se"] > 0
    assert all(np.isfinite(v) for v in first.values())
    other = run_unit("vanderpol", "relu", 1, sizes=SMOKE, data=vanderpol)
    assert other["loss"] != first["loss"]


def test_mnist1d_unit_reports_accuracy():
    sizes = replace(SMOKE, samples=200)
    result = run_unit("mnist1d", "tanh", 0, sizes=sizes, data=mnist1d_data(200, seed=42))
    assert 0.0 <= result["accuracy"] <= 1.0 and "forecast_error" not in result
    assert result["loss"] > 0


def test_network_activation_choices():
    a, b = InterpolatedActivation([0, 1], [0, 1]), InterpolatedActivation([0, 1], [1, 0])
    assert network_activation("relu") == "relu"
    assert network_activation("mix", (a, b)) == [a, b]
    assert network_activation("type-2", (a, b)) == [b]
    assert set(NETWORK_TYPES) == {"relu", "tanh", "sine", "type-1", "type-2", "mix"}
    with pytest.raises(ValueError, match="needs types"):
        network_activation("type-1")
    with pytest.raises(ValueError, match="network_type"):
        network_activation("gelu")


def test_compare_loop_types_matches_brute_force_and_tanh_callable():
    magnitudes, biases, points = [0.4, 1.0], [-0.5, 0.5], 9
    out = compare_loop_types({"tanh": "tanh", "callable": torch.tanh}, magnitudes, biases, points=points,
                             indices=(1, 2))
    for loop in ("incoherent-loop", "coherent-loop"):
        for measure in ("lipschitz", "difference"):
            assert np.array_equal(out["tanh"][loop][measure], out["callable"][loop][measure])
    assert out["tanh"]["summary"] == out["callable"]["summary"]
    # brute force: the smallest mean squared difference to any collider of indices 1 and 2
    from effect.operations import calculate_landscapes

    colliders = np.concatenate([calculate_landscapes(structure_parameters(f"collider.{i}", magnitudes, biases),
                                                     "collider", (-1, 1), points).reshape(-1, points**2)
                                for i in (1, 2)]).astype(np.float64)
    loops = calculate_landscapes(structure_parameters("coherent-loop.2", magnitudes, biases), "coherent-loop",
                                 (-1, 1), points).reshape(-1, points**2).astype(np.float64)
    brute = ((loops[:, None, :] - colliders[None, :, :]) ** 2).mean(-1).min(1)
    count = len(loops)
    assert np.allclose(out["tanh"]["coherent-loop"]["difference"][count:], brute, rtol=1e-6, atol=1e-12)
    assert grid_inputs((-1, 1), points).shape[0] == points**2


def test_compare_loop_types_with_interpolated_tanh_is_close():
    frozen = InterpolatedActivation.from_function(torch.tanh, name="tanh~")
    out = compare_loop_types({"tanh": "tanh", "frozen": (frozen, frozen)}, [0.5, 1.0], [0.0], points=11,
                             indices=(1,))
    for loop in ("incoherent-loop", "coherent-loop"):
        assert np.allclose(out["frozen"][loop]["lipschitz"], out["tanh"][loop]["lipschitz"], rtol=0.05, atol=0.02)


def test_types_round_trip_through_arrays_gives_identical_units(vanderpol):
    types = learn_types("vanderpol", SMOKE, data=vanderpol).types
    arrays = types_to_arrays(types)
    assert arrays["knots"].shape == (100,) and arrays["values"].shape == (2, 100)
    restored = types_from_arrays({k: v.copy() for k, v in arrays.items()})
    first = run_unit("vanderpol", "type-2", 3, types=types, sizes=SMOKE, data=vanderpol)
    assert run_unit("vanderpol", "type-2", 3, types=restored, sizes=SMOKE, data=vanderpol) == first
