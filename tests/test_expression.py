"""Tests of effect.expression: landscape table, fit stop rule and metrics, batched fitter vs fit."""

import copy
import math

import numpy as np
import pytest
import torch

from effect.engine import grid_inputs
from effect.expression import (
    LANDSCAPE_NAMES,
    METRIC_NAMES,
    _hessian_summaries,
    fit,
    fit_batch,
    fit_restricted_batch,
    get_landscape,
    initial_network,
    split_records,
)
from effect.motif_networks import network_parameters
from effect.operations import calculate_hessian_eigenvalues
from effect.robustness import _estimate_lipschitz_loop

# raw min / max, normalised value at [20, 20], [0, 0], [40, 40], grid mean
TABLE = {
    "Quadratic Saddle": (-1.0, 5.0, -0.666667, 0.666667, 0.666667, -0.2),
    "Monkey Saddle": (-2.0, 2.0, 0.0, 1.0, -1.0, 0.0),
    "Branin": (0.432405, 308.129096, -0.667978, 1.0, -0.891035, -0.665645),
    "three-hump Camel": (0.0, 9.866667, -1.0, 1.0, 1.0, -0.542228),
    "six-hump Camel": (-1.029810, 5.733333, -0.695464, 1.0, 1.0, -0.341195),
}


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_landscape_table(name):
    low, high, centre, first, last, mean = TABLE[name]
    raw = get_landscape(name, normalise=False).double()
    assert float(raw.min()) == pytest.approx(low, rel=1e-5, abs=1e-5)
    assert float(raw.max()) == pytest.approx(high, rel=1e-5)
    land = get_landscape(name)
    assert land.shape == (41, 41) and land.dtype == torch.float32
    assert float(land.min()) == -1.0 and float(land.max()) == 1.0
    for value, expected in [(land[20, 20], centre), (land[0, 0], first), (land[40, 40], last),
                            (land.double().mean(), mean)]:
        assert float(value) == pytest.approx(expected, abs=2e-6)


def test_landscape_orientation_and_validation():
    land = get_landscape("Quadratic Saddle", 5)  # [i, j] = L(x_i, y_j): 5x² - y²
    assert float(land[0, 2]) == 1.0 and float(land[2, 0]) == -1.0
    with pytest.raises(ValueError, match="name"):
        get_landscape("Rosenbrock")
    with pytest.raises(ValueError, match="semantics"):
        get_landscape("Branin", semantics="fixed")


def test_branin_corrected_domain():
    x, y = np.meshgrid(np.linspace(-5, 10, 41), np.linspace(0, 15, 41), indexing="ij")
    b, c, r, s, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 6, 10, 1 / (8 * np.pi)
    raw = (y - b * x**2 + c * x - r) ** 2 + s * (1 - t) * np.cos(x) + s
    expected = 2 * (raw - raw.min()) / (raw.max() - raw.min()) - 1
    corrected = get_landscape("Branin", semantics="corrected").double().numpy()
    np.testing.assert_allclose(corrected, expected, atol=1e-5)
    assert np.abs(corrected - get_landscape("Branin").double().numpy()).max() > 0.1
    for name in ("Quadratic Saddle", "six-hump Camel"):  # only Branin changes
        assert torch.equal(get_landscape(name, semantics="corrected"), get_landscape(name))


# ------------------------------------------------------------------------------------------ fit stop rule


class Scripted(torch.nn.Module):
    """Outputs target + sqrt(L_t), so the MSE at iteration t is the scripted L_t."""

    def __init__(self, losses, name="Quadratic Saddle"):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(()))
        self.losses, self.t = losses, 0
        self.target = get_landscape(name).reshape(-1, 1)

    def forward(self, data):
        offset = math.sqrt(self.losses(self.t + 1))
        self.t += 1
        return self.target + offset + 0 * self.dummy

    def restrict(self):
        pass


def harmonic(t):
    return 1 / (t + 0.5)


def test_stop_by_threshold():
    # 1/(t + 0.5) < 0.05 first at t = 20
    trace = fit(Scripted(harmonic), "Quadratic Saddle", 1e-3, 1000, threshold=0.05)["training loss"]
    assert len(trace) == 20
    np.testing.assert_allclose(trace, [harmonic(t) for t in range(1, 21)], rtol=1e-5)


def test_stop_by_patience_uses_loss_patience_minus_one_back():
    # stop when t > 4 and L_t > 0.75 L_{t-3}: 1/(t+.5) > .75/(t-2.5) <=> t > 11.5 -> 12
    # (comparing with L_{t-4} instead would stop at 16)
    assert len(fit(Scripted(harmonic), "Quadratic Saddle", 1e-3, 4, threshold=0.0)["training loss"]) == 12
    # a flat trace stops at t = patience + 1
    assert len(fit(Scripted(lambda t: 0.5), "Quadratic Saddle", 1e-3, 3, threshold=0.0)["training loss"]) == 4


def test_stop_by_maximum_iteration():
    out = fit(Scripted(harmonic), "Quadratic Saddle", 1e-3, 1000, threshold=0.0, maximum_iteration=7)
    assert len(out["training loss"]) == 7


def test_fit_validation():
    net = initial_network("collider", 1, 0, 0)
    for kwargs, match in [(dict(various_metrics="some"), "various_metrics"),
                          (dict(various_metrics=["sparsity", "curvature"]), "curvature"),
                          (dict(various_metrics=3), "various_metrics"),
                          (dict(maximum_iteration=0), "maximum_iteration"),
                          (dict(semantics="new"), "semantics")]:
        with pytest.raises(ValueError, match=match):
            fit(net, "Branin", 1e-3, 10, **kwargs)
    with pytest.raises(ValueError, match="name"):
        fit(net, "Ackley", 1e-3, 10)
    with pytest.raises(TypeError, match="patience"):
        fit(net, "Branin", 1e-3, 2.5)


def test_fit_points_quirk():
    # reference: the target is always the 41-point landscape, so another grid size cannot work
    with pytest.raises(ValueError, match="points must be 41"):
        fit(initial_network("loop", 1, 0, 0), "Monkey Saddle", 1e-3, 10, points=21, maximum_iteration=2)
    net = initial_network("loop", 1, 0, 0)
    output = net(grid_inputs((-1, 1), 21)).detach()
    first = float(((output - get_landscape("Monkey Saddle", 21).reshape(-1, 1)) ** 2).mean())
    out = fit(net, "Monkey Saddle", 1e-3, 10, "all", points=21, maximum_iteration=2, semantics="corrected")
    assert out["training loss"].shape == (2,) and out["training loss"][0] == pytest.approx(first, rel=1e-6)


def test_fit_metrics_describe_pre_step_states():
    net = initial_network("loop", 2, 3, 0)
    start = copy.deepcopy(net)
    inputs = grid_inputs((-1, 1), 41)
    target = get_landscape("six-hump Camel").reshape(-1, 1)
    out = fit(net, "six-hump Camel", 1e-3, 100, "all", maximum_iteration=3)
    assert set(out) == {"training loss", *METRIC_NAMES}
    assert [out[k].shape for k in ["training loss", *METRIC_NAMES]] == [(3,), (3, 4), (3,), (3, 4), (3, 3), (3, 4)]
    output = start(inputs)
    assert out["training loss"][0] == pytest.approx(((output - target) ** 2).mean().item(), rel=1e-6)
    summary = start.get_spectral_norm_summary()
    np.testing.assert_allclose(out["spectral norm"][0], [np.nan if summary[k] is None else summary[k]
                                                         for k in ["collider", "coherent-loop", "incoherent-loop",
                                                                   "entire network"]])
    assert out["sparsity"][0, 0] != out["sparsity"][0, 0] and out["sparsity"][0, 3] == 1.0  # NaN: no collider
    eig = calculate_hessian_eigenvalues(start, torch.nn.MSELoss(), inputs, target)
    np.testing.assert_allclose(out["hessian eigenvalue"][0], [eig.min(), eig.max(), eig.sum()], rtol=1e-4, atol=1e-6)
    # lipschitz of the RAW output over the target's, with the literal per-offset scan
    raw = _estimate_lipschitz_loop(output.detach().numpy().reshape(41, 41), 0.05, "L-2")
    reference = _estimate_lipschitz_loop(target.numpy().reshape(41, 41), 0.05, "L-2")
    assert out["lipschitz constant"][0] == pytest.approx(raw / reference, rel=1e-6)
    ((start(inputs) - target) ** 2).mean().backward()
    variance = start.get_gradient_variance()
    np.testing.assert_allclose(out["gradient variance"][0, 3], variance["entire network"], rtol=1e-5)


def test_fit_first_adam_step_moves_by_learning_rate():
    net = initial_network("collider", 2, 1, 0)
    before = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    fit(net, "Monkey Saddle", 1e-3, 100, maximum_iteration=1)
    after = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    np.testing.assert_allclose((after - before).abs().numpy(), 1e-3, rtol=1e-3)


# ------------------------------------------------------------------------------------------ batched fitter


def separate_fits(kind, motif_number, name, count, flags=None, seed=0, **kwargs):
    return [fit(initial_network(kind, motif_number, seed, k, flags), name, **kwargs) for k in range(count)]


@pytest.mark.parametrize("kind, flags", [("collider", None), ("loop", None),
                                         ("restricted", ([1, 0, 1], [3, 1, 2]))])
def test_fit_batch_equals_separate_fits(kind, flags):
    settings = dict(learn_rate=2e-2, patience=1000, maximum_iteration=30)
    # choose a threshold that the networks cross at different iterations
    probe = separate_fits(kind, 3, "Quadratic Saddle", 4, flags, seed=11, threshold=0.0, **settings)
    threshold = float(np.median([trace["training loss"][-12] for trace in probe]))
    single = separate_fits(kind, 3, "Quadratic Saddle", 4, flags, seed=11, threshold=threshold, **settings)
    batch = fit_batch(kind, 3, "Quadratic Saddle", 4, flags=flags, seed=11, threshold=threshold, **settings)
    lengths = [len(s["training loss"]) for s in single]
    assert len(set(lengths)) > 1
    assert batch["iterations"].tolist() == lengths
    for s, b in zip(single, batch["training loss"]):
        np.testing.assert_allclose(b, s["training loss"], rtol=1e-5)


def test_fit_batch_patience_stops_equal_fit():
    settings = dict(learn_rate=5e-2, patience=8, threshold=0.0, maximum_iteration=80)
    single = separate_fits("loop", 3, "Quadratic Saddle", 6, seed=11, **settings)
    batch = fit_batch("loop", 3, "Quadratic Saddle", 6, seed=11, **settings)
    lengths = [len(s["training loss"]) for s in single]
    assert len(set(lengths)) > 2 and max(lengths) < 80  # the patience rule fired at different iterations
    assert batch["iterations"].tolist() == lengths
    for s, b in zip(single, batch["training loss"]):
        np.testing.assert_allclose(b, s["training loss"], rtol=1e-5)


def test_fit_batch_patience_rule_and_restriction():
    flags = ([0, 1], [4, 3])
    out = fit_batch("restricted", 2, "Branin", 3, 1e-9, patience=5, threshold=0.0, flags=flags, seed=2,
                    epsilon=1e-2)
    assert out["iterations"].tolist() == [6, 6, 6]  # flat losses stop at patience + 1
    out = fit_batch("restricted", 2, "Branin", 3, 0.5, patience=1000, threshold=0.0, maximum_iteration=20,
                    flags=flags, seed=2, epsilon=1e-2)
    weights = out["parameters"][..., [3, 0, 1]]  # (x->y, x->z, y->z); signs i.4 = (-,-,-), c.3 (ref) = (-,+,+)
    signs = np.array([[-1, -1, -1], [-1, 1, 1]])
    assert (weights * signs >= 1e-2 * (1 - 1e-6)).all()


def test_fit_batch_metrics_equal_fit():
    single = separate_fits("loop", 2, "Monkey Saddle", 2, seed=4, learn_rate=1e-2, patience=100,
                           various_metrics="all", maximum_iteration=6)
    batch = fit_batch("loop", 2, "Monkey Saddle", 2, 1e-2, 100, maximum_iteration=6, seed=4, metrics="all")
    for s, b in zip(single, split_records(batch)):
        for key in ["training loss", "sparsity", "spectral norm", "lipschitz constant"]:
            np.testing.assert_allclose(b[key], s[key], rtol=1e-5, err_msg=key)
        np.testing.assert_allclose(b["gradient variance"], s["gradient variance"], rtol=1e-3)
        np.testing.assert_allclose(b["hessian eigenvalue"], s["hessian eigenvalue"], rtol=1e-3, atol=1e-5)
    sparse = fit_batch("loop", 2, "Monkey Saddle", 2, 1e-2, 100, maximum_iteration=6, seed=4,
                       metrics=["spectral norm", "sparsity"], metric_every={"spectral norm": 4})
    assert [steps.tolist() for steps in sparse["metric iterations"]["spectral norm"]] == [[1, 5], [1, 5]]
    assert sparse["metric iterations"]["sparsity"][0].tolist() == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(sparse["spectral norm"][1], batch["spectral norm"][1][[0, 4]])


def test_hessian_summaries_equal_autograd():
    net = initial_network("restricted", 3, 8, 0, ([0, 1, 1], [2, 2, 4]))
    inputs = grid_inputs((-1, 1), 41)
    target = get_landscape("three-hump Camel").reshape(-1, 1)
    for semantics in ("reference", "corrected"):
        net.semantics = semantics
        eig = calculate_hessian_eigenvalues(net, torch.nn.MSELoss(), inputs, target)
        summary = _hessian_summaries(network_parameters(net)[None], inputs, target.reshape(-1), semantics)
        np.testing.assert_allclose(summary[0].numpy(), [eig.min(), eig.max(), eig.sum()], rtol=1e-4, atol=1e-6)


def test_fit_batch_is_seeded_and_batch_size_independent():
    kwargs = dict(maximum_iteration=5, threshold=0.0)
    three = fit_batch("loop", 2, "Branin", 3, 1e-2, 100, seed=1, **kwargs)
    two = fit_batch("loop", 2, "Branin", 2, 1e-2, 100, seed=1, **kwargs)
    other = fit_batch("loop", 2, "Branin", 2, 1e-2, 100, seed=2, **kwargs)
    for a, b in zip(two["training loss"], three["training loss"]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(two["training loss"][0], other["training loss"][0])


def test_fit_batch_validation_and_points_quirk():
    with pytest.raises(ValueError, match="kind"):
        fit_batch("chain", 1, "Branin", 2, 1e-3, 10)
    with pytest.raises(ValueError, match="points must be 41"):
        fit_batch("collider", 1, "Branin", 2, 1e-3, 10, points=11)
    with pytest.raises(ValueError, match="flags"):
        fit_batch("restricted", 1, "Branin", 2, 1e-3, 10)
    out = fit_batch("collider", 1, "Branin", 2, 1e-3, 10, points=11, maximum_iteration=2, semantics="corrected")
    assert out["iterations"].tolist() == [2, 2]


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_fit_restricted_batch_equals_fit_batch_per_configuration(semantics):
    flags = [([0, 1, 1], [3, 1, 2]), ([1, 1, 1], [3, 3, 4]), ([0, 0, 0], [1, 2, 4])]
    seeds = [5, 9, 5]
    settings = dict(learn_rate=2e-2, patience=6, threshold=0.05, maximum_iteration=12, metrics="all",
                    metric_every={"hessian eigenvalue": 3}, semantics=semantics)
    many = fit_restricted_batch(3, "six-hump Camel", flags, seeds, 2, **settings)
    assert many["configuration"].tolist() == [0, 0, 1, 1, 2, 2] and many["index"].tolist() == [0, 1] * 3
    for c, (pair, seed) in enumerate(zip(flags, seeds)):
        one = fit_batch("restricted", 3, "six-hump Camel", 2, flags=pair, seed=seed, **settings)
        rows = [2 * c, 2 * c + 1]
        assert many["iterations"][rows].tolist() == one["iterations"].tolist()
        np.testing.assert_array_equal(many["parameters"][rows], one["parameters"])
        for k, row in enumerate(rows):
            np.testing.assert_array_equal(many["training loss"][row], one["training loss"][k])
            for key in METRIC_NAMES:
                np.testing.assert_array_equal(many["metric iterations"][key][row], one["metric iterations"][key][k])
                # float32 Hessian products may round differently in another batch composition
                tolerance = dict(rtol=1e-4, atol=1e-6) if key == "hessian eigenvalue" else dict(rtol=1e-6, atol=1e-9)
                np.testing.assert_allclose(many[key][row], one[key][k], err_msg=key, **tolerance)
    assert len(set(many["iterations"].tolist())) > 1  # the rows stopped at different iterations


def test_fit_restricted_batch_validation():
    with pytest.raises(ValueError, match="seeds"):
        fit_restricted_batch(2, "Branin", [([0, 1], [1, 1])], [1, 2], 1, 1e-2, 5)
    with pytest.raises(ValueError, match="flags"):
        fit_restricted_batch(2, "Branin", [], [], 1, 1e-2, 5)
    with pytest.raises(ValueError, match="flags"):
        fit_restricted_batch(2, "Branin", [([0, 1],)], [1], 1, 1e-2, 5)


@pytest.mark.parametrize("kind", ["collider", "loop"])
def test_closed_form_hessian_equals_autograd_for_every_kind(kind):
    inputs = grid_inputs((-1, 1), 41)
    target = get_landscape("Branin").reshape(-1, 1)
    nets = [initial_network(kind, 4, 3, k) for k in range(2)]
    params = torch.stack([network_parameters(net) for net in nets])
    for semantics in ("reference", "corrected"):
        summary = _hessian_summaries(params, inputs, target.reshape(-1), semantics)
        for row, net in enumerate(nets):
            net.semantics = semantics
            eig = calculate_hessian_eigenvalues(net, torch.nn.MSELoss(), inputs, target)
            np.testing.assert_allclose(summary[row].numpy(), [eig.min(), eig.max(), eig.sum()], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_carried_lipschitz_equals_fresh_scans_over_real_fits(semantics, monkeypatch):
    """The per-iteration Lipschitz ratio with bounds carried across iterations is today's scan, bit for bit."""
    import effect.expression as expression

    flags = [([0] * k + [1] * (10 - k), [(3 * k + v) % 4 + 1 for v in range(10)]) for k in (0, 3, 7, 10)]
    settings = dict(threshold=1e-3, maximum_iteration=150, metrics=["lipschitz constant", "sparsity"],
                    semantics=semantics)
    for learn_rate, every in ((1e-2, 1), (3e-2, {"lipschitz constant": 4})):
        results = {}
        for carry in (False, True):
            monkeypatch.setattr(expression, "_CARRY_LIPSCHITZ", carry)
            results[carry] = fit_restricted_batch(10, "Branin", flags, [1, 2, 3, 4], 2, learn_rate, 20,
                                                  metric_every=every, **settings)
        assert results[True]["iterations"].tolist() == results[False]["iterations"].tolist()
        for old, new in zip(results[False]["lipschitz constant"], results[True]["lipschitz constant"]):
            np.testing.assert_array_equal(new, old)
    assert len(set(results[True]["iterations"].tolist())) > 1  # networks left the batch (the tracker's keep)
