"""CartPole vectorised over ``n`` environments, bit-identical to Gymnasium's ``CartPoleEnv``.

The reference (``NEATCartPoleTask``) instantiates the
CartPole environment directly, without ``gym.make``: there is no ``TimeLimit``
wrapper and no environment checker; the 200-step cap is applied by the task.
:class:`CartPoleBatch` steps ``n`` such environments at once with exactly the
floating-point operations of Gymnasium 1.4 ``CartPoleEnv.step`` (float64 state,
same operation order, Euler integration) and returns the same float32
observations, so every trajectory is identical bit for bit to a loop of
``CartPoleEnv`` objects reset with the same seeds and driven by the same actions.

Physics: gravity 9.8, cart mass 1.0, pole mass 0.1, half pole length 0.5,
force 10, time step 0.02 s; an episode terminates after a step whose new state
has ``|x| > 2.4`` or ``|theta| > 12 degrees``; the reward is 1.0 on every step,
including the terminating one.

Examples
--------
>>> import numpy as np
>>> env = CartPoleBatch(3)
>>> obs = env.reset([0, 1, 2])
>>> obs.shape, obs.dtype
((3, 4), dtype('float32'))
>>> obs, reward, terminated = env.step(np.array([0, 1, 0]))
>>> reward.tolist(), terminated.tolist()
([1.0, 1.0, 1.0], [False, False, False])
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["CartPoleBatch", "STATE_BOUNDS", "initial_states", "step_states", "terminated_states", "check_seeds"]

#: Half-widths U of the observation box used by the noise:
#: cart position, cart velocity, pole angle, pole angular velocity.
STATE_BOUNDS = np.array([4.8, 2.197613184073254, 0.418, 3.3345776572433])
STATE_BOUNDS.setflags(write=False)

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_POLE + MASS_CART
LENGTH = 0.5
POLE_MASS_LENGTH = MASS_POLE * LENGTH
FORCE_MAG = 10.0
TAU = 0.02
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4


def check_seeds(seeds, name="seeds"):
    """Validate episode seeds: non-negative Python/numpy integers -> int64 array.

    Parameters
    ----------
    seeds : array_like of int
        Any shape; every entry must be an integer >= 0 (Gymnasium's rule).
    name : str
        Argument name used in error messages.

    Returns
    -------
    ndarray of int64, same shape as ``seeds``.
    """
    array = np.asarray(seeds)
    if array.dtype == object:
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in array.ravel().tolist()):
            raise TypeError(f"{name} must contain integers, got {array.ravel().tolist()[:5]}...")
    elif array.size and (array.dtype == bool or not np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must contain integers, got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be >= 0 (Gymnasium seeds), got {int(array.min())}")
    return array


def initial_states(seeds):
    """Initial float64 states of ``CartPoleEnv.reset(seed=s)`` for every seed.

    Gymnasium seeds ``np_random`` with ``Generator(PCG64(SeedSequence(seed)))``
    and draws ``uniform(-0.05, 0.05, size=4)``; this replicates that draw.

    Parameters
    ----------
    seeds : array_like of int, shape (n,)

    Returns
    -------
    ndarray, shape (n, 4), float64

    Examples
    --------
    >>> initial_states([0]).shape
    (1, 4)
    """
    seeds = check_seeds(seeds).reshape(-1)
    states = np.empty((seeds.size, 4))
    cache = {}
    for index, seed in enumerate(seeds.tolist()):
        if seed not in cache:
            generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
            cache[seed] = generator.uniform(low=-0.05, high=0.05, size=(4,))
        states[index] = cache[seed]
    return states


class CartPoleBatch:
    """``n`` independent CartPole environments stepped together (numpy, float64 state).

    Parameters
    ----------
    n : int
        Number of environments (>= 1).

    Attributes
    ----------
    state : ndarray, shape (n, 4), float64
        Internal state ``(x, x_dot, theta, theta_dot)`` per environment (the
        Gymnasium ``env.state``); observations are its float32 cast.

    Notes
    -----
    Cost: about 20 numpy operations on length-``n`` arrays per step. The
    environments do not auto-reset: stepping a terminated environment simply
    continues its dynamics (callers mask finished environments).

    Examples
    --------
    >>> env = CartPoleBatch(2)
    >>> obs = env.reset([3, 3])
    >>> bool((obs[0] == obs[1]).all())
    True
    """

    def __init__(self, n):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        self.n = int(n)
        self.state = np.zeros((self.n, 4))

    def reset(self, seeds):
        """Reset every environment with its Gymnasium seed.

        Parameters
        ----------
        seeds : array_like of int, shape (n,)

        Returns
        -------
        obs : ndarray, shape (n, 4), float32
        """
        seeds = check_seeds(seeds).reshape(-1)
        if seeds.size != self.n:
            raise ValueError(f"seeds must have length n = {self.n}, got {seeds.size}")
        self.state = initial_states(seeds)
        return self.state.astype(np.float32)

    def set_state(self, states):
        """Set the float64 states directly (shape (n, 4)); returns the float32 observations."""
        states = np.array(states, dtype=np.float64)
        if states.shape != (self.n, 4):
            raise ValueError(f"states must have shape ({self.n}, 4), got {states.shape}")
        self.state = states
        return self.state.astype(np.float32)

    def step(self, actions):
        """Advance every environment by one step.

        Parameters
        ----------
        actions : array_like of int, shape (n,)
            0 = push left, 1 = push right.

        Returns
        -------
        obs : ndarray, shape (n, 4), float32
        reward : ndarray, shape (n,), float64 (all ones)
        terminated : ndarray, shape (n,), bool
        """
        actions = np.asarray(actions)
        if actions.shape != (self.n,):
            raise ValueError(f"actions must have shape ({self.n},), got {actions.shape}")
        if actions.size and not np.isin(actions, (0, 1)).all():
            raise ValueError("actions must be 0 (push left) or 1 (push right)")
        self.state = step_states(self.state, actions)
        terminated = terminated_states(self.state)
        return self.state.astype(np.float32), np.ones(self.n), terminated


def step_states(state, actions):
    """One Euler step of the CartPole dynamics, operation for operation as Gymnasium.

    Parameters
    ----------
    state : ndarray, shape (n, 4), float64
    actions : ndarray, shape (n,), values in {0, 1}

    Returns
    -------
    ndarray, shape (n, 4), float64 (new array)
    """
    x, x_dot, theta, theta_dot = state[:, 0], state[:, 1], state[:, 2], state[:, 3]
    force = np.where(actions == 1, FORCE_MAG, -FORCE_MAG)
    costheta = np.cos(theta)
    sintheta = np.sin(theta)
    temp = (force + POLE_MASS_LENGTH * np.square(theta_dot) * sintheta) / TOTAL_MASS
    thetaacc = (GRAVITY * sintheta - costheta * temp) / (
        LENGTH * (4.0 / 3.0 - MASS_POLE * np.square(costheta) / TOTAL_MASS))
    xacc = temp - POLE_MASS_LENGTH * thetaacc * costheta / TOTAL_MASS
    new = np.empty_like(state)
    new[:, 0] = x + TAU * x_dot
    new[:, 1] = x_dot + TAU * xacc
    new[:, 2] = theta + TAU * theta_dot
    new[:, 3] = theta_dot + TAU * thetaacc
    return new


def terminated_states(state):
    """Gymnasium's termination test on float64 states (n, 4) -> bool (n,)."""
    x, theta = state[:, 0], state[:, 2]
    return (x < -X_THRESHOLD) | (x > X_THRESHOLD) | (theta < -THETA_THRESHOLD) | (theta > THETA_THRESHOLD)
