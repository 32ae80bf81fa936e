"""Vectorised CartPole evaluation of many networks × many episodes.

:func:`cartpole_rollouts` runs G networks × E episodes in one loop over time
steps: all G·E environments are stepped together and finished ones are masked
out (the working set is compacted as episodes end). Per step and per episode
it follows ``GymTask.run_1_step`` of the reference:

1. the agent sees the observation (the float32 state), passed through the noise
   generator if one is set (``get_samples(state, 1, -U, +U)``, one row per
   environment, each row normalised on its own); noise never touches the physics;
2. outputs = network(observation); action = argmax (ties -> first index, so a
   network whose outputs are both 0.0 pushes left);
3. the environment steps; reward 1.0; the episode stops after a terminating step
   or after ``total_steps`` steps.

Noise draws are taken for the alive environments in (genome, episode) order at
every step; :func:`cartpole_rollouts_reference` is the literal per-episode
loop with the same draw order, used by the differential tests.

Examples
--------
>>> from practice.network import CompiledNetwork
>>> idle = CompiledNetwork([-1, -2, -3, -4], [0, 1], [])   # generation-0 genome
>>> result = cartpole_rollouts([idle], seeds=range(100))
>>> result.lengths.shape, bool(8 <= result.fitness[0] <= 11)
((1, 100), True)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from practice.cartpole import STATE_BOUNDS, CartPoleBatch, check_seeds, initial_states, step_states, \
    terminated_states
from practice.network import CompiledNetwork, NetworkBatch
from practice.noise import NormNoiseGenerator

__all__ = ["cartpole_rollouts", "cartpole_rollouts_reference", "RolloutResult", "episode_seeds"]


@dataclass
class RolloutResult:
    """Outcome of :func:`cartpole_rollouts`.

    Attributes
    ----------
    lengths : ndarray (G, E) int64
        Steps per episode (= reward sum; at most ``total_steps``).
    rewards : ndarray (G, E) float64
        Per-episode reward sums.
    states, outputs, noises : ndarray (G, E, total_steps, ·) or None
        With ``record=True``: the true float32 states seen before each step
        (as float64), the raw network outputs and the noise (observation −
        state); rows past an episode's end are NaN.
    """

    lengths: np.ndarray
    rewards: np.ndarray
    states: np.ndarray | None = None
    outputs: np.ndarray | None = None
    noises: np.ndarray | None = None

    @property
    def fitness(self):
        """Mean return per network (``calculate_fitness``), shape (G,)."""
        return self.rewards.mean(axis=1)

    def episode(self, g, e):
        """Recorded arrays of one episode as the reference's ``run`` entries (needs record=True)."""
        if self.states is None:
            raise ValueError("episode() needs a rollout run with record=True")
        t = int(self.lengths[g, e])
        return {"states": self.states[g, e, :t], "actions": self.outputs[g, e, :t],
                "rewards": np.ones(t), "noises": self.noises[g, e, :t]}


def episode_seeds(rng, count):
    """Draw ``count`` episode seeds (ints in [0, 2**31)) from ``rng`` (seed or Generator)."""
    return np.random.default_rng(rng).integers(0, 2 ** 31, size=count)


def _prepare(networks, seeds, total_steps, noise, rng):
    if isinstance(networks, CompiledNetwork):
        networks = [networks]
    batch = networks if isinstance(networks, NetworkBatch) else NetworkBatch(networks)
    if batch.n_inputs != 4:
        raise ValueError(f"networks must have 4 inputs for CartPole, got {batch.n_inputs}")
    if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) or total_steps < 1:
        raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")
    if noise is not None and not isinstance(noise, NormNoiseGenerator):
        raise TypeError(f"noise must be None or a NormNoiseGenerator, got {type(noise).__name__}")
    if seeds is None or isinstance(seeds, numbers.Integral):
        seeds = episode_seeds(rng, 100 if seeds is None else int(seeds))
    seeds = check_seeds(np.asarray(list(seeds) if isinstance(seeds, range) else seeds))
    G = len(batch)
    if seeds.ndim == 1:
        seeds = np.broadcast_to(seeds, (G, seeds.size))
    if seeds.ndim != 2 or seeds.shape[0] != G or seeds.shape[1] < 1:
        raise ValueError(f"seeds must have shape (E,) or (G={G}, E), got {seeds.shape}")
    return batch, seeds


def cartpole_rollouts(networks, seeds=None, total_steps=200, noise=None, rng=None, record=False):
    """Evaluate G networks on E CartPole episodes each, all environments stepped together.

    Parameters
    ----------
    networks : sequence of CompiledNetwork, or NetworkBatch
        G networks with 4 inputs (argmax over their outputs picks the action).
    seeds : array_like of int, shape (E,) or (G, E); or int E; or None
        Gymnasium reset seeds per episode (shared by all networks when 1-D).
        An int E (or None = 100) draws E seeds from ``rng``.
    total_steps : int, default 200
        Step cap per episode (the reference's ``total_steps``).
    noise : NormNoiseGenerator or None
        Observation noise with bounds ``±STATE_BOUNDS``; consumes its own generator.
    rng : None, int or numpy.random.Generator
        Only used to draw seeds when ``seeds`` is an int or None.
    record : bool, default False
        Also return per-step states, outputs and noises (memory G·E·total_steps·10 floats).

    Returns
    -------
    RolloutResult

    Notes
    -----
    Cost per step: one batched network evaluation and one CartPole step over the
    alive environments; about 1–2 s for 250 networks × 100 episodes × 200 steps
    on one core.
    """
    batch, seeds = _prepare(networks, seeds, total_steps, noise, rng)
    G, E = seeds.shape
    n = G * E
    flat_seeds = seeds.reshape(-1)
    unique, inverse = np.unique(flat_seeds, return_inverse=True)
    state = initial_states(unique)[inverse.reshape(-1)]
    obs = state.astype(np.float32)
    genome = np.repeat(np.arange(G), E)
    rows = np.arange(n)                      # global (g, e) index of each working row
    lengths = np.zeros(n, dtype=np.int64)
    low, high = -STATE_BOUNDS, STATE_BOUNDS
    if record:
        rec_states = np.full((n, total_steps, 4), np.nan)
        rec_outputs = np.full((n, total_steps, batch.n_outputs), np.nan)
        rec_noises = np.full((n, total_steps, 4), np.nan)
    for t in range(total_steps):
        if noise is None:
            seen = obs.astype(np.float64)
        else:
            seen = noise.get_samples_batch(obs, low, high)
        outputs = batch.activate(seen, genome)
        actions = np.argmax(outputs, axis=1)
        if record:
            rec_states[rows, t] = obs
            rec_outputs[rows, t] = outputs
            rec_noises[rows, t] = seen - obs
        state = step_states(state, actions)
        done = terminated_states(state)
        lengths[rows] += 1
        obs = state.astype(np.float32)
        if done.any():
            keep = ~done
            state, obs, genome, rows = state[keep], obs[keep], genome[keep], rows[keep]
            if rows.size == 0:
                break
    result = RolloutResult(lengths.reshape(G, E), lengths.reshape(G, E).astype(np.float64))
    if record:
        result.states = rec_states.reshape(G, E, total_steps, 4)
        result.outputs = rec_outputs.reshape(G, E, total_steps, batch.n_outputs)
        result.noises = rec_noises.reshape(G, E, total_steps, 4)
    return result


def cartpole_rollouts_reference(networks, seeds, total_steps=200, noise=None):
    """Slow per-network, per-episode, per-step path with the same noise draw order.

    Steps time in the outer loop and the alive (network, episode) pairs in
    order inside it, each with its own single-environment :class:`CartPoleBatch`,
    ``CompiledNetwork.activate_reference`` and one ``get_samples(state, 1, ...)``
    call, so that it consumes the noise generator exactly as
    :func:`cartpole_rollouts`.

    Returns
    -------
    RolloutResult (lengths and rewards only)
    """
    networks = [networks] if isinstance(networks, CompiledNetwork) else list(networks)
    seeds = check_seeds(np.asarray(list(seeds) if isinstance(seeds, range) else seeds))
    if seeds.ndim == 1:
        seeds = np.broadcast_to(seeds, (len(networks), seeds.size))
    G, E = seeds.shape
    envs = [[CartPoleBatch(1) for _ in range(E)] for _ in range(G)]
    obs = [[envs[g][e].reset([seeds[g, e]])[0] for e in range(E)] for g in range(G)]
    alive = np.ones((G, E), dtype=bool)
    lengths = np.zeros((G, E), dtype=np.int64)
    for _ in range(total_steps):
        for g in range(G):
            for e in range(E):
                if not alive[g, e]:
                    continue
                seen = obs[g][e].copy() if noise is None else noise.get_samples(
                    obs[g][e].copy(), 1, -STATE_BOUNDS, STATE_BOUNDS)
                outputs = networks[g].activate_reference(seen)
                action = int(np.argmax(outputs))
                new_obs, _, terminated = envs[g][e].step(np.array([action]))
                obs[g][e] = new_obs[0]
                lengths[g, e] += 1
                alive[g, e] = not terminated[0]
        if not alive.any():
            break
    return RolloutResult(lengths, lengths.astype(np.float64))
