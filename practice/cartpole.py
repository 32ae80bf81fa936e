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

__all__ = ["CartPoleBatch", "STATE_BOUNDS", "initial_states", "initial_states_reference", "step_states",
           "terminated_states", "check_seeds"]

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
    and draws ``uniform(-0.05, 0.05, size=4)``. This computes the same draws for
    all seeds at once with integer array arithmetic (SeedSequence hashing,
    128-bit PCG64 seeding and stepping, XSL-RR output, 53-bit doubles), bit for
    bit equal to :func:`initial_states_reference`, which builds one generator
    per seed.

    Parameters
    ----------
    seeds : array_like of int, shape (n,)
        Non-negative integers below 2**63.

    Returns
    -------
    ndarray, shape (n, 4), float64

    Examples
    --------
    >>> initial_states([0, 7]).shape
    (2, 4)
    >>> bool((initial_states([7]) == initial_states_reference([7])).all())
    True
    """
    seeds = check_seeds(seeds).reshape(-1).astype(np.uint64)
    with np.errstate(over="ignore"):
        doubles = _pcg64_doubles(_seed_sequence_state(seeds), 4)
    return _UNIFORM_LOW + _UNIFORM_RANGE * doubles


def initial_states_reference(seeds):
    """Per-seed reference of :func:`initial_states`: one numpy ``Generator`` per seed (slow).

    Parameters
    ----------
    seeds : array_like of int, shape (n,)

    Returns
    -------
    ndarray, shape (n, 4), float64
    """
    seeds = check_seeds(seeds).reshape(-1)
    states = np.empty((seeds.size, 4))
    for index, seed in enumerate(seeds.tolist()):
        generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        states[index] = generator.uniform(low=-0.05, high=0.05, size=(4,))
    return states


# numpy's Generator.uniform(low, high) is low + (high - low) * next_double().
_UNIFORM_LOW = -0.05
_UNIFORM_RANGE = 0.05 - (-0.05)

# numpy.random.SeedSequence constants (pool of 4 uint32 words).
_MASK32 = np.uint64(0xFFFFFFFF)
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_XSHIFT = np.uint64(16)
# PCG64 (128-bit LCG) multiplier, as high and low 64-bit words.
_PCG_MULT_HI, _PCG_MULT_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)


def _hash_constants(init, mult, count):
    """The data-independent sequence of SeedSequence hash constants (Python ints)."""
    constants = [init]
    for _ in range(count):
        constants.append((constants[-1] * mult) & 0xFFFFFFFF)
    return constants


def _hashmix(value, constants, index):
    """SeedSequence ``hashmix`` with the ``index``-th constant, on uint32 values held in uint64."""
    value = (value ^ np.uint64(constants[index])) & _MASK32
    value = (value * np.uint64(constants[index + 1])) & _MASK32
    return value ^ (value >> _XSHIFT)


def _seed_sequence_state(seeds):
    """``SeedSequence(seed).generate_state(4, np.uint64)`` for every seed < 2**64, shape (n, 4) uint64.

    An integer seed is its little-endian uint32 words; a seed below 2**32 has one
    word and the pool pads with zeros, which is the same as a zero high word.
    """
    constants_a = _hash_constants(_INIT_A, _MULT_A, 16)
    entropy = [seeds & _MASK32, seeds >> np.uint64(32)]
    mixer = [_hashmix(entropy[i] if i < 2 else np.zeros_like(seeds), constants_a, i) for i in range(4)]
    position = 4
    for source in range(4):
        for target in range(4):
            if source != target:
                hashed = _hashmix(mixer[source], constants_a, position)
                position += 1
                mixed = (_MIX_MULT_L * mixer[target] - _MIX_MULT_R * hashed) & _MASK32
                mixer[target] = mixed ^ (mixed >> _XSHIFT)
    constants_b = _hash_constants(_INIT_B, _MULT_B, 8)
    words = [_hashmix(mixer[i % 4], constants_b, i) for i in range(8)]
    return np.stack([words[2 * j] | (words[2 * j + 1] << np.uint64(32)) for j in range(4)], axis=1)


def _mulhi64(a, b):
    """High 64 bits of the 128-bit products of uint64 values."""
    a_lo, a_hi = a & _MASK32, a >> np.uint64(32)
    b_lo, b_hi = b & _MASK32, b >> np.uint64(32)
    lh, hl = a_lo * b_hi, a_hi * b_lo
    middle = ((a_lo * b_lo) >> np.uint64(32)) + (lh & _MASK32) + (hl & _MASK32)
    return a_hi * b_hi + (lh >> np.uint64(32)) + (hl >> np.uint64(32)) + (middle >> np.uint64(32))


def _add128(hi, lo, add_hi, add_lo):
    low = lo + add_lo
    return hi + add_hi + (low < lo).astype(np.uint64), low


def _pcg_step(hi, lo, inc_hi, inc_lo):
    """state <- state * multiplier + increment (mod 2**128), on (high, low) uint64 words."""
    product_hi = _mulhi64(lo, _PCG_MULT_LO) + lo * _PCG_MULT_HI + hi * _PCG_MULT_LO
    return _add128(product_hi, lo * _PCG_MULT_LO, inc_hi, inc_lo)


def _pcg64_doubles(seed_words, count):
    """First ``count`` ``next_double`` draws of ``PCG64`` seeded with ``seed_words`` (n, 4) uint64.

    Seeding as numpy's ``pcg64_set_seed``: initstate = words[0:2], initseq =
    words[2:4] (high word first), increment = 2 initseq + 1, state = 0, step,
    state += initstate, step. A draw steps, then outputs XSL-RR of the new
    state; a double is ``(draw >> 11) * 2**-53``.
    """
    init_hi, init_lo, seq_hi, seq_lo = seed_words.T
    inc_hi = (seq_hi << np.uint64(1)) | (seq_lo >> np.uint64(63))
    inc_lo = (seq_lo << np.uint64(1)) | np.uint64(1)
    zero = np.zeros_like(init_hi)
    hi, lo = _pcg_step(zero, zero, inc_hi, inc_lo)
    hi, lo = _add128(hi, lo, init_hi, init_lo)
    hi, lo = _pcg_step(hi, lo, inc_hi, inc_lo)
    doubles = np.empty((seed_words.shape[0], count))
    for column in range(count):
        hi, lo = _pcg_step(hi, lo, inc_hi, inc_lo)
        folded, rotation = hi ^ lo, hi >> np.uint64(58)
        draw = (folded >> rotation) | (folded << ((np.uint64(64) - rotation) & np.uint64(63)))
        doubles[:, column] = (draw >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
    return doubles


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
