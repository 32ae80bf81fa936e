"""practice.cartpole: bit-for-bit parity with Gymnasium 1.4 CartPoleEnv (no TimeLimit)."""

import math

import numpy as np
import pytest
from gymnasium.envs.classic_control.cartpole import CartPoleEnv

from practice.cartpole import STATE_BOUNDS, CartPoleBatch, initial_states, initial_states_reference

SEEDS = list(range(20)) + [123, 4567, 2 ** 31 - 1, 99999]


def policies():
    # deterministic functions of the observation: one balancing (long episodes),
    # one crude (medium), one constant (short) and one pseudo-random per step
    return {
        "balance": lambda obs, t: ((obs[:, 2] + 0.3 * obs[:, 3] + 0.01 * obs[:, 1]) > 0).astype(int),
        "crude": lambda obs, t: (obs[:, 0] + obs[:, 1] > 0).astype(int),
        "left": lambda obs, t: np.zeros(len(obs), dtype=int),
        "hash": lambda obs, t: ((np.arange(len(obs)) * 7 + t * 3) % 5 < 2).astype(int),
    }


@pytest.mark.parametrize("name", list(policies()))
def test_trajectories_equal_gymnasium(name):
    policy = policies()[name]
    n = len(SEEDS)
    batch = CartPoleBatch(n)
    obs = batch.reset(SEEDS)
    envs = [CartPoleEnv() for _ in SEEDS]
    reference = np.array([env.reset(seed=seed)[0] for env, seed in zip(envs, SEEDS)])
    assert obs.dtype == np.float32 and np.array_equal(obs, reference)
    alive = np.ones(n, dtype=bool)
    lengths = np.zeros(n, dtype=int)
    for t in range(600):  # beyond 500: no TimeLimit in either
        actions = policy(obs, t)
        obs, reward, terminated = batch.step(actions)
        assert obs.dtype == np.float32 and np.all(reward == 1.0)
        for i in np.flatnonzero(alive):
            ref_obs, ref_reward, ref_terminated, ref_truncated, _ = envs[i].step(int(actions[i]))
            assert np.array_equal(obs[i], ref_obs), (name, t, i)
            assert np.array_equal(batch.state[i], envs[i].state)  # float64 internal state too
            assert bool(terminated[i]) == ref_terminated and ref_reward == 1.0 and not ref_truncated
            lengths[i] += 1
            alive[i] = not ref_terminated
        if not alive.any():
            break
    if name == "left":
        assert lengths.max() < 15
    if name == "balance":
        assert lengths.max() == 600  # runs past 500 steps: no TimeLimit wrapper


def test_initial_states_match_gymnasium_reset():
    states = initial_states(SEEDS)
    for seed, state in zip(SEEDS, states):
        env = CartPoleEnv()
        env.reset(seed=seed)
        assert np.array_equal(state, env.state)
    assert np.all(np.abs(states) <= 0.05)


def test_batched_initial_states_equal_one_generator_per_seed():
    """The integer-arithmetic SeedSequence/PCG64 replica equals numpy's own generators bit for bit."""
    rng = np.random.default_rng(5)
    seeds = np.concatenate([np.arange(50), [2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 7, 2 ** 63 - 1],
                            rng.integers(0, 2 ** 31, 2000), rng.integers(0, 2 ** 63 - 1, 500, dtype=np.int64)])
    assert np.array_equal(initial_states(seeds), initial_states_reference(seeds))
    assert initial_states(np.array([], dtype=np.int64)).shape == (0, 4)
    assert np.array_equal(initial_states([3, 3, 9]), initial_states_reference([3, 3, 9]))


def test_closed_form_first_step():
    # from the zero state, pushing right: theta_acc and x_acc of the Euler scheme
    batch = CartPoleBatch(1)
    batch.set_state(np.zeros((1, 4)))
    batch.step(np.array([1]))
    temp = 10.0 / 1.1
    thetaacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1))
    xacc = temp - 0.05 * thetaacc / 1.1
    assert np.allclose(batch.state[0], [0.0, 0.02 * xacc, 0.0, 0.02 * thetaacc], rtol=1e-15, atol=0)


def test_termination_thresholds():
    batch = CartPoleBatch(4)
    threshold = 12 * 2 * math.pi / 360
    batch.set_state([[2.39, 0, 0, 0], [2.41, 0, 0, 0], [0, 0, threshold - 1e-9, 0], [0, 0, -0.25, 0]])
    _, _, terminated = batch.step(np.zeros(4, dtype=int))
    assert terminated.tolist() == [False, True, False, True]


def test_state_bounds_are_the_spec_values():
    assert STATE_BOUNDS.tolist() == [4.8, 2.197613184073254, 0.418, 3.3345776572433]
    assert np.allclose(2 * STATE_BOUNDS, [9.6, 4.395226368146508, 0.836, 6.6691553144866], rtol=0, atol=1e-15)
    assert STATE_BOUNDS[0] == 2 * 2.4 and abs(STATE_BOUNDS[2] - 2 * 12 * 2 * math.pi / 360) < 1e-3
    with pytest.raises(ValueError):
        STATE_BOUNDS[0] = 1.0


def test_validation():
    with pytest.raises(ValueError, match="n must be"):
        CartPoleBatch(0)
    batch = CartPoleBatch(2)
    with pytest.raises(ValueError, match="seeds must have length"):
        batch.reset([1])
    with pytest.raises(ValueError, match="seeds must be >= 0"):
        batch.reset([1, -2])
    with pytest.raises(TypeError, match="seeds must contain integers"):
        batch.reset([1.5, 2.0])
    batch.reset([1, 2])
    with pytest.raises(ValueError, match="actions must be 0"):
        batch.step(np.array([0, 2]))
    with pytest.raises(ValueError, match="actions must have shape"):
        batch.step(np.array([0]))
