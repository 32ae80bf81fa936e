"""Tests of effect.search, effect.similarity and effect._adam: worked numbers, Adam, quirks, batched == per-item."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from _reference_similarity import catch_per_item, escape_per_item
from effect import search, similarity
from effect._adam import BatchedAdam
from effect.engine import grid_inputs, motif_outputs
from effect.similarity import catch, escape
from effect.structures import catcher_parameters, weight_signs

FIG2_LOOP = np.array([[-1.0, 0.652, 1.0, 1.0, 0.337]])  # the loop of the paper's Fig. 2
FIG2_MSE = [0.247458, 0.748319, 0.352298, 0.853159]
FIG2_GRAD = [(0.255909, -0.173465, -0.362568), (-0.158780, -0.472187, -0.471900),
             (-0.387874, -0.243093, -0.471900), (0.026815, -0.402559, -0.362568)]
# escapers that start on bounds: a bias at exactly +1 / -1 and weights at |1| (exercise the freezing path)
ESCAPERS = np.array([[-1.0, 0.652, 1.0, 1.0, 0.337],
                     [0.3, 1.0, -0.5, -1.0, 0.2],
                     [-0.4, -0.7, -1.0, 0.5, 1.0]])


def _motif(motif_type, row, float64=True):
    """A reference-semantics NeuralMotif; float64 parameters like the original's rows, float32 for catchers."""
    return similarity._build_motif(motif_type, row, "reference", float64)


def _random_loops(n, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        motif_type = ("incoherent-loop", "coherent-loop")[k % 2]
        signs = np.array(weight_signs(motif_type, int(rng.integers(1, 5))))
        rows.append(np.concatenate([signs * rng.uniform(0.1, 1.0, 3), rng.uniform(-1.0, 1.0, 2)]))
    return np.array(rows)


def _mse_to(params, landscape, inputs):
    out = motif_outputs(torch.as_tensor(np.atleast_2d(params)), "collider", inputs)
    return ((out - landscape) ** 2).mean(dim=1).double().numpy()


# ----------------------------------------------------------------------------------------------
# worked numbers of the paper's Fig. 2 loop and facts about Adam


def test_fig2_loop_mse_against_initial_catchers():
    inputs = grid_inputs((-1, 1), 41)
    landscape = motif_outputs(torch.tensor(FIG2_LOOP), "incoherent-loop", inputs)
    catchers = torch.tensor(catcher_parameters(), dtype=torch.float32).unsqueeze(0)
    loss, _ = search._collider_loss_grad(catchers, landscape, search._grid_axes(inputs, 41))
    np.testing.assert_allclose(loss[0].numpy(), FIG2_MSE, rtol=1e-5)
    # the per-item path reports the same pre-step loss
    _, losses = similarity.minimum_loss_search((-1, 1), 41, _motif("incoherent-loop", FIG2_LOOP[0]),
                                               _motif("collider", catcher_parameters()[0], False), 1e-3, 1)
    assert losses[0] == pytest.approx(FIG2_MSE[0], rel=1e-5)


@pytest.mark.parametrize("gradient", ["analytic", "autograd"])
def test_fig2_gradients_match_finite_differences(gradient):
    inputs = grid_inputs((-1, 1), 41)
    landscape = motif_outputs(torch.tensor(FIG2_LOOP), "incoherent-loop", inputs)
    catchers = torch.tensor(catcher_parameters(), dtype=torch.float32).unsqueeze(0)
    if gradient == "analytic":
        _, grad = search._collider_loss_grad(catchers, landscape, search._grid_axes(inputs, 41))
    else:
        _, grad = search._collider_loss_grad_autograd(catchers, landscape, inputs)
    np.testing.assert_allclose(grad[0].numpy(), FIG2_GRAD, rtol=1e-4, atol=1e-6)


def test_first_adam_step_of_fig2_catch():
    out = catch(FIG2_LOOP, "incoherent-loop", threshold=1)
    assert out["index"][0] == 0
    np.testing.assert_allclose(out["params"][0], [0.499, 0.501, 0.001], atol=1e-6)
    assert out["loss"][0] == pytest.approx(FIG2_MSE[0], rel=1e-5)  # reference: pre-step loss


def test_batched_adam_is_torch_adam_bit_for_bit():
    rng = np.random.default_rng(0)
    for dtype in (torch.float32, torch.float64):
        init = torch.tensor(rng.normal(size=(20, 3)), dtype=dtype)
        params = [nn.Parameter(v.clone()) for v in init.reshape(-1)]
        optimizer = torch.optim.Adam(params, lr=1e-3)
        batched, adam = init.clone(), BatchedAdam(init, 1e-3)
        for _ in range(30):
            grad = torch.tensor(rng.normal(size=(20, 3)) * 10.0 ** rng.integers(-6, 2, size=(20, 3)), dtype=dtype)
            for p, g in zip(params, grad.reshape(-1)):
                p.grad = g.clone()
            optimizer.step()
            adam.step(batched, grad)
        assert torch.equal(torch.stack([p.detach() for p in params]).reshape(20, 3), batched)


def test_adam_step_sizes():
    rng = np.random.default_rng(1)
    params = torch.zeros(500, 3, dtype=torch.float64)
    adam = BatchedAdam(params, 1e-3)
    grad = torch.tensor(rng.normal(size=(500, 3)) * 10.0 ** rng.integers(-4, 3, size=(500, 3)))
    adam.step(params, grad)
    np.testing.assert_allclose(params.numpy(), (-1e-3 * grad / (grad.abs() + 1e-8)).numpy(), rtol=1e-12)
    bound = 1e-3 * (1 - 0.9) / np.sqrt(1 - 0.999)
    for _ in range(20):
        before = params.clone()
        adam.step(params, torch.tensor(rng.normal(size=(500, 3)) * 100))
        assert (params - before).abs().max() <= bound * (1 + 1e-6)


def test_frozen_elements_do_not_move_and_reset_clears():
    params = torch.ones(2, 3)
    adam = BatchedAdam(params, 0.1)
    adam.frozen[0, 1] = True
    adam.step(params, torch.ones(2, 3))
    assert params[0, 1] == 1.0 and (params[1] < 1).all()
    adam.reset()
    assert not adam.frozen.any() and adam.step_count == 0 and not adam.exp_avg.any()


# ----------------------------------------------------------------------------------------------
# restrict emulation and the four quirks (each test fails in the other mode)


def test_restrict_strict_weights_inclusive_biases():
    params = torch.tensor([[1.0, -1.0, 1.0], [1.5, -2e-4, -1.0], [0.5, -0.5, 0.3]])
    adam = BatchedAdam(params, 1e-3)
    search._restrict(params, torch.sign(params[:, :2]), adam, 2, (1e-3, 1.0), (-1.0, 1.0), "reference")
    # weights exactly on a bound stay trainable; a bias exactly on a bound is replaced (frozen)
    assert adam.frozen.tolist() == [[False, False, True], [True, True, True], [False, False, False]]
    assert params[1].tolist() == [1.0, -float(torch.tensor(1e-3)), -1.0]
    adam.frozen.zero_()
    search._restrict(params, torch.sign(params[:, :2]), adam, 2, (1e-3, 1.0), (-1.0, 1.0), "corrected")
    assert not adam.frozen.any()


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_quirk_frozen_bias_in_catch(semantics):
    start = np.array([[0.5, 0.5, 1.0]])  # bias exactly at +1: replaced at the first forward
    out = catch(FIG2_LOOP, "incoherent-loop", start, points=21, threshold=20, semantics=semantics)
    if semantics == "reference":
        assert out["params"][0, 2] == 1.0
    else:
        assert out["params"][0, 2] < 1.0 - 1e-3


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_quirk_frozen_bias_in_escape(semantics):
    out = escape(ESCAPERS[:1], "incoherent-loop", points=11, thresholds=(4, 3), semantics=semantics)
    biases = out["escaper"][0, :, 3]
    if semantics == "reference":
        assert (biases == 1.0).all()  # the escaper's one optimizer never sees the replaced bias
    else:
        assert biases[-1] < 1.0 - 1e-3


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_quirk_loss_state_pairing_in_catch(semantics):
    inputs = grid_inputs((-1, 1), 21)
    loops = _random_loops(4, seed=5)
    out = catch(loops, "incoherent-loop", points=21, threshold=5, semantics=semantics)
    landscapes = motif_outputs(torch.tensor(loops), "incoherent-loop", inputs)
    own = np.array([_mse_to(p, landscapes[k], inputs)[0] for k, p in enumerate(out["params"])])
    if semantics == "corrected":
        np.testing.assert_allclose(out["loss"], own, rtol=1e-5)
    else:  # pre-step loss of a still-improving catcher is larger than the loss of the returned state
        assert (out["loss"] > own * (1 + 1e-4)).all()


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_quirk_rank_loss_of_final_catchers(semantics):
    inputs = grid_inputs((-1, 1), 11)
    target = motif_outputs(torch.tensor(FIG2_LOOP), "incoherent-loop", inputs)
    start = torch.tensor(catcher_parameters(), dtype=torch.float32).unsqueeze(0)
    result = search._search_catchers(start, target, inputs, 3, 1e-3, semantics, (1e-3, 1.0), (-1.0, 1.0),
                                     track_best=False)
    final = _mse_to(result["final"][0].double().numpy(), target[0], inputs)
    before = search._search_catchers(start, target, inputs, 2, 1e-3, semantics, (1e-3, 1.0), (-1.0, 1.0),
                                     track_best=False)["final"]
    previous = _mse_to(before[0].double().numpy(), target[0], inputs)
    expected = final if semantics == "corrected" else previous
    np.testing.assert_allclose(result["rank_loss"][0].numpy(), expected, rtol=1e-5)
    assert np.all(np.abs(final - previous) > 1e-4)


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_quirk_shared_catchers_across_escapers(semantics):
    options = dict(points=11, thresholds=(3, 4), semantics=semantics)
    both = escape(ESCAPERS[:2], "incoherent-loop", **options)
    first = escape(ESCAPERS[:1], "incoherent-loop", **options)
    carried = first["catchers"] if semantics == "reference" else first["catchers"][0]
    warm = escape(ESCAPERS[1:2], "incoherent-loop", catcher_params=carried, **options)
    fresh = escape(ESCAPERS[1:2], "incoherent-loop", **options)
    expected, other = (warm, fresh) if semantics == "reference" else (fresh, warm)
    np.testing.assert_array_equal(both["escaper"][1], expected["escaper"][0])
    assert not np.array_equal(both["catcher"][1], other["catcher"][0])


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_ties_pick_the_first_catcher(semantics):
    twins = np.repeat(catcher_parameters()[2:3], 2, axis=0)
    out = catch(_random_loops(3, seed=2), "coherent-loop", twins, points=11, threshold=4, semantics=semantics)
    assert (out["index"] == 0).all()


# ----------------------------------------------------------------------------------------------
# differential tests: batched == per-item original algorithm


def test_analytic_gradient_equals_autograd():
    rng = np.random.default_rng(3)
    inputs = grid_inputs((-1, 1), 21)
    targets = motif_outputs(torch.tensor(_random_loops(6, seed=3)), "incoherent-loop", inputs)
    signs = torch.tensor(catcher_parameters()[:, :2] * 2)
    weights = signs * torch.tensor(rng.uniform(1e-3, 1, (6, 4, 2)))
    params = torch.cat([weights, torch.tensor(rng.uniform(-1, 1, (6, 4, 1)))], dim=-1).float()
    loss_a, grad_a = search._collider_loss_grad(params, targets, search._grid_axes(inputs, 21))
    loss_b, grad_b = search._collider_loss_grad_autograd(params, targets, inputs)
    np.testing.assert_allclose(loss_a.numpy(), loss_b.numpy(), rtol=1e-5)
    np.testing.assert_allclose(grad_a.numpy(), grad_b.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_batched_catch_equals_per_item(semantics):
    loops = _random_loops(4, seed=11)
    catchers = np.vstack([catcher_parameters(), [[1.0, 0.5, 1.0]]])  # a weight and a bias on their bounds
    options = dict(points=11, threshold=25, semantics=semantics)
    slow = catch_per_item(loops, "incoherent-loop", catchers, **options)
    fast = catch(loops, "incoherent-loop", catchers, batch_size=3, **options)
    np.testing.assert_array_equal(fast["index"], slow["index"])
    np.testing.assert_allclose(fast["loss"], slow["loss"], rtol=1e-5)
    np.testing.assert_allclose(fast["params"], slow["params"], atol=1e-5)


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_batched_escape_equals_per_item(semantics):
    options = dict(points=11, thresholds=(5, 10), semantics=semantics)
    slow = escape_per_item(ESCAPERS, "incoherent-loop", **options)
    fast = escape(ESCAPERS, "incoherent-loop", **options)
    np.testing.assert_array_equal(fast["choice"], slow["choice"])
    for key in ("escaper", "catcher", "catchers"):
        np.testing.assert_allclose(fast[key], slow[key], atol=1e-5, err_msg=key)
    np.testing.assert_allclose(fast["loss"], slow["loss"], rtol=1e-5)
    assert (fast["escaper"][0, :, 3] == 1.0).all() == (semantics == "reference")


def test_grouped_escape_equals_separate_groups():
    groups = np.stack([ESCAPERS[:2], ESCAPERS[1:]])
    together = escape(groups, "incoherent-loop", points=11, thresholds=(3, 4))
    for g in range(2):
        alone = escape(groups[g], "incoherent-loop", points=11, thresholds=(3, 4))
        for key in alone:
            np.testing.assert_array_equal(together[key][g], alone[key])


def test_execute_processes_engines_agree():
    loops = [_motif("incoherent-loop", row) for row in _random_loops(2, seed=7)[:1]] + \
            [_motif("incoherent-loop", ESCAPERS[0])]
    catchers = [_motif("collider", row, False) for row in catcher_parameters()]
    loop_engine = similarity.execute_catch_processes(loops, catchers, (-1, 1), 11, 1e-3, 8, engine="loop")
    batched = similarity.execute_catch_processes(loops, catchers, (-1, 1), 11, 1e-3, 8)
    for (m_slow, l_slow), (m_fast, l_fast) in zip(loop_engine, batched):
        assert isinstance(l_fast, np.float64) and l_fast == pytest.approx(l_slow, rel=1e-5)
        np.testing.assert_allclose(similarity._motif_params(m_fast), similarity._motif_params(m_slow), atol=1e-5)
    pairs_slow = [(copy.deepcopy(m), catchers_copy) for catchers_copy in [copy.deepcopy(catchers)] for m in loops]
    pairs_fast = [(copy.deepcopy(m), catchers_copy) for catchers_copy in [copy.deepcopy(catchers)] for m in loops]
    slow = similarity.execute_escape_processes(pairs_slow, (-1, 1), 11, 1e-3, (2, 3), engine="loop")
    fast = similarity.execute_escape_processes(pairs_fast, (-1, 1), 11, 1e-3, (2, 3))
    for (motifs_slow, losses_slow), (motifs_fast, losses_fast) in zip(slow, fast):
        np.testing.assert_allclose(losses_fast, losses_slow, rtol=1e-5)
        for (e_slow, c_slow), (e_fast, c_fast) in zip(motifs_slow, motifs_fast):
            np.testing.assert_allclose(similarity._motif_params(e_fast), similarity._motif_params(e_slow), atol=1e-6)
            np.testing.assert_allclose(similarity._motif_params(c_fast), similarity._motif_params(c_slow), atol=1e-6)
    for c_slow, c_fast in zip(pairs_slow[0][1], pairs_fast[0][1]):  # shared catchers updated in place
        np.testing.assert_allclose(similarity._motif_params(c_fast), similarity._motif_params(c_slow), atol=1e-6)


# ----------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize("kwargs, match", [
    (dict(semantics="fixed"), "semantics"),
    (dict(threshold=0), "threshold"),
    (dict(learn_rate=-1.0), "learn_rate"),
    (dict(catcher_params=np.zeros((2, 3))), "non-zero"),
    (dict(points=1), "points"),
])
def test_catch_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        catch(FIG2_LOOP, "incoherent-loop", **kwargs)


def test_shape_validation():
    with pytest.raises(ValueError, match="reference_params"):
        catch(np.ones((2, 3)), "incoherent-loop")
    with pytest.raises(ValueError, match="thresholds"):
        escape(FIG2_LOOP, "incoherent-loop", thresholds=5)
    with pytest.raises(ValueError, match="engine"):
        similarity.execute_catch_processes([], [], (-1, 1), 11, 1e-3, 2, engine="gpu")


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_escape_warmup_is_a_longer_first_catch(semantics):
    options = dict(points=11, semantics=semantics)
    plain = escape(ESCAPERS, "incoherent-loop", thresholds=(3, 4), **options)
    for key, value in escape(ESCAPERS, "incoherent-loop", thresholds=(3, 4), warmup=0, **options).items():
        np.testing.assert_array_equal(value, plain[key])
    warm = escape(ESCAPERS, "incoherent-loop", thresholds=(3, 4), warmup=6, **options)
    long_first = escape(ESCAPERS, "incoherent-loop", thresholds=(1, 10), **options)
    # shared warm catchers (reference) make later escapers depend on the earlier ones' whole escape
    rows = slice(None) if semantics == "corrected" else slice(0, 1)
    np.testing.assert_array_equal(warm["choice"][rows, 0], long_first["choice"][rows, 0])
    for key in ("escaper", "catcher", "loss"):  # equal up to float32 rounding of the batched forwards
        np.testing.assert_allclose(warm[key][rows, 0], long_first[key][rows, 0], rtol=1e-6, atol=1e-8, err_msg=key)
    assert not np.allclose(warm["loss"], plain["loss"])


def test_escape_warmup_lets_the_record_start_caught():
    """Fresh catchers start far from the loop: without a warm-up the first loss is the record's largest."""
    loop = ESCAPERS[:1]
    cold = escape(loop, "incoherent-loop", thresholds=(10, 100), semantics="corrected")["loss"][0]
    warm = escape(loop, "incoherent-loop", thresholds=(10, 100), semantics="corrected", warmup=2000)["loss"][0]
    assert np.argmax(cold) == 0
    assert np.argmin(warm) < np.argmax(warm) - 1
    assert warm[0] < cold[0]


@pytest.mark.parametrize("warmup", [-1, 1.5, True])
def test_escape_rejects_bad_warmup(warmup):
    with pytest.raises(ValueError, match="warmup"):
        escape(ESCAPERS, "incoherent-loop", points=11, thresholds=(1, 1), warmup=warmup)


# ----------------------------------------------------------------------------------------------
# the blocked catch (in-cache blocks, reused buffers) == the reference implementation, bit for bit


def _grid_loops(structure, count, seed):
    """``count`` real loops of ``structure``'s parameter grid (task 1's rows)."""
    from effect.structures import structure_parameters

    grid = structure_parameters(structure)
    return grid[np.sort(np.random.default_rng(seed).choice(len(grid), count, replace=False))]


def _catcher_states(count, seed, flat=False):
    """Catcher states ``(count, 4, 3)`` around the task's catchers, some on their bounds (or nearly flat)."""
    rng = np.random.default_rng(seed)
    signs = np.sign(catcher_parameters()[:, :2])
    weights = signs * rng.uniform(1e-3, 1.0, (count, 4, 2))
    weights[::5, 1, 0] = signs[1, 0] * 1.0                     # on a weight bound
    biases = rng.uniform(-1.0, 1.0, (count, 4, 1))
    biases[::7, 2, 0] = -1.0                                   # on a bias bound
    if flat:
        weights[3, 0] = signs[0] * 1e-13                       # a constant landscape (span < 1e-12)
    return torch.tensor(np.concatenate([weights, biases], axis=-1), dtype=torch.float32)


@pytest.mark.parametrize("structure", ["incoherent-loop.1", "coherent-loop.3"])
def test_collider_pass_equals_reference_bit_for_bit(structure):
    inputs = grid_inputs((-1, 1), 41)
    loops = torch.tensor(_grid_loops(structure, 120, seed=1))
    targets = motif_outputs(loops, structure.split(".")[0], inputs)
    axes = search._grid_axes(inputs, 41)
    for flat in (False, True):
        states = _catcher_states(120, seed=2, flat=flat)
        loss, grad = search._collider_loss_grad(states, targets, axes)
        for block in (120, 16, 7):
            for s in range(0, 120, block):
                rows = slice(s, s + block)
                compute = search._ColliderPass(targets[rows], axes, 4)
                for need_grad in (True, False):
                    got_loss, got_grad = compute(states[rows], need_grad=need_grad)
                    expected = search._collider_loss_grad(states[rows], targets[rows], axes, need_grad)
                    assert torch.equal(got_loss, expected[0])
                    if need_grad:
                        assert torch.equal(got_grad, expected[1])
                        if not flat:  # (a constant landscape switches the whole batch to autograd)
                            assert torch.equal(got_loss, loss[rows]) and torch.equal(got_grad, grad[rows])
    with pytest.raises(search._Flat):
        search._ColliderPass(targets[:8], axes, 4, on_flat="raise")(_catcher_states(8, seed=2, flat=True))


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_blocked_catch_equals_reference_on_real_loops(semantics):
    """A few hundred loops of two real structures, at the paper's grid; clamps (and freezes) happen."""
    on_bound = 0
    for structure, seed in (("incoherent-loop.2", 3), ("coherent-loop.1", 4)):
        loops = _grid_loops(structure, 150, seed)
        options = dict(points=41, learn_rate=0.02, threshold=40, semantics=semantics, batch_size=100)
        reference = catch(loops, structure.split(".")[0], block=0, **options)
        for block in (16, 7):
            blocked = catch(loops, structure.split(".")[0], block=block, **options)
            for key in ("params", "loss", "index", "step"):
                np.testing.assert_array_equal(blocked[key], reference[key], err_msg=key)
        on_bound += int(np.sum(np.abs(reference["params"]) == 1.0))
    assert on_bound  # some chosen catchers were clamped


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_blocked_catch_with_a_constant_catcher_recomputes_the_batch(semantics, monkeypatch):
    """A constant catcher landscape switches the reference's whole batch to autograd for that step; the blocked
    path then recomputes the batch the reference's way."""
    loops = _grid_loops("incoherent-loop.1", 24, seed=5)
    catchers = np.vstack([catcher_parameters(), [[1e-13, 1e-13, 0.3]]])   # tanh(0.3 + 1e-13 ...) is constant
    options = dict(points=21, threshold=6, semantics=semantics, weight_bound=(1e-14, 1.0), batch_size=12)
    reference = catch(loops, "incoherent-loop", catchers, block=0, **options)
    calls = []
    autograd = search._collider_loss_grad_autograd
    monkeypatch.setattr(search, "_collider_loss_grad_autograd", lambda *args: calls.append(1) or autograd(*args))
    blocked = catch(loops, "incoherent-loop", catchers, block=5, **options)
    assert calls
    for key in ("params", "loss", "index", "step"):
        np.testing.assert_array_equal(blocked[key], reference[key], err_msg=key)


@pytest.mark.parametrize("semantics", ["reference", "corrected"])
def test_escape_with_collider_pass_equals_reference_implementation(semantics, monkeypatch):
    escapers = _grid_loops("coherent-loop.2", 3, seed=6)
    options = dict(points=21, thresholds=(4, 12), semantics=semantics, learn_rate=0.01)
    fast = escape(escapers, "coherent-loop", **options)

    def reference(targets, grid, n_catchers, on_flat="fallback"):
        return lambda params, need_grad=True: search._collider_loss_grad(params, targets, grid, need_grad)

    monkeypatch.setattr(search, "_ColliderPass", reference)
    slow = escape(escapers, "coherent-loop", **options)
    for key in fast:
        np.testing.assert_array_equal(fast[key], slow[key], err_msg=key)


@pytest.mark.parametrize("block", [-1, 1.5, True])
def test_catch_rejects_bad_block(block):
    with pytest.raises(ValueError, match="block"):
        catch(FIG2_LOOP, "incoherent-loop", points=11, threshold=1, block=block)
