"""Tasks that evaluate NEAT agents: CartPole and UCI supervision.

Every task is a :class:`BasicTask` (description, noise generator, the list of
per-generation experiences). Its ``genomes_fitness(genomes, neat_config)`` is the
NEAT fitness function: it sets ``genome.fitness`` for a whole generation and
appends ``(copy of the generation's best agent, list of all fitnesses)`` to the
experiences.

* :class:`GymTask` — a Gymnasium environment stepped one step at a time (the
  reference's literal loop; also the slow reference path for the tests);
* :class:`NEATCartPoleTask` — CartPole, 100 episodes of at most 200 steps per
  evaluation, all genomes × episodes of a generation stepped together
  (:func:`practice.rollout.cartpole_rollouts`); episode seeds come from the
  task's own generator (``seed``);
* :class:`SupervisionTask` — support-weighted F1 of argmax predictions on a UCI
  split, all genomes of a generation evaluated in one batch.

Examples
--------
>>> from practice.network import CompiledNetwork
>>> task = NEATCartPoleTask(maximum_generation=1, seed=0)
>>> class Idle:                          # always pushes left, like a generation-0 genome
...     network = CompiledNetwork([-1, -2, -3, -4], [0, 1], [])
>>> result = task.run(Idle())
>>> 8.0 < task.calculate_fitness(result["rewards"]) < 11.0
True
"""

from __future__ import annotations

import copy
import numbers
import warnings

import numpy as np

from practice.agent import NEATAgent
from practice.cartpole import STATE_BOUNDS
from practice.network import NetworkBatch, argmax_action, compile_network
from practice.rollout import cartpole_rollouts

__all__ = ["BasicTask", "GymTask", "NEATCartPoleTask", "SupervisionTask", "argmax_action", "weighted_f1_score"]


def weighted_f1_score(y_true, y_pred):
    """Support-weighted F1 over the labels of ``y_true ∪ y_pred`` (scikit-learn's "weighted avg").

    Per label ``F1 = 2 tp / (n_true + n_pred)`` (0 when undefined), averaged with
    weights ``n_true``, computed like ``sklearn.metrics.f1_score(average="weighted")``
    (``zero_division`` = 0) without its overhead.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)

    Returns
    -------
    float

    Examples
    --------
    >>> weighted_f1_score([0, 0, 1, 1], [0, 1, 1, 1])   # (2/3 + 4/5) / 2
    0.7333333333333334
    """
    y_true = np.asarray(y_true).astype(np.int64)
    y_pred = np.asarray(y_pred).astype(np.int64)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty 1-D arrays of equal length, "
                         f"got {y_true.shape} and {y_pred.shape}")
    labels, inverse = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    true_index, pred_index = inverse[:y_true.size], inverse[y_true.size:]
    true_sum = np.bincount(true_index, minlength=labels.size)
    pred_sum = np.bincount(pred_index, minlength=labels.size)
    tp_sum = np.bincount(true_index[true_index == pred_index], minlength=labels.size)
    denominator = (1.0 * true_sum.astype(np.float64) + pred_sum.astype(np.float64))
    f_score = np.divide(2.0 * tp_sum.astype(np.float64), denominator,
                        out=np.zeros(labels.size), where=denominator != 0)
    return float(np.average(f_score, weights=true_sum))


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _agent_network(agent):
    network = getattr(agent, "network", None)
    return network if hasattr(network, "node_evals") else None


class BasicTask:
    """Common task state (newest reference).

    Parameters
    ----------
    description : str
    seed : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of the task's own randomness (episode seeds); see :meth:`set_seed`.

    Attributes
    ----------
    description : str
    noise_generator : NormNoiseGenerator or None
    experiences : list
    rng : numpy.random.Generator
    """

    def __init__(self, description, seed=None):
        self.description = description
        self.noise_generator = None
        self.experiences = []
        self.rng = np.random.default_rng(seed)

    def set_seed(self, seed):
        """Re-seed the task's generator (``np.random.default_rng(seed)``)."""
        self.rng = np.random.default_rng(seed)

    def set_noise(self, noise_generator):
        """Set the observation-noise generator (None = noise-free)."""
        self.noise_generator = noise_generator

    def get_experiences(self):
        """The experience list object (one entry per evaluated generation)."""
        return self.experiences

    def reset_experiences(self):
        """Bind a new empty experience list."""
        self.experiences = []

    def _record(self, agent):
        handle = getattr(self, "record_handle", None)
        return handle(agent) if handle is not None else agent

    def _log_generation(self, genomes, fitnesses, neat_config, action_handle):
        """Assign fitnesses and append (best agent copy, fitness list) to the experiences."""
        situation, best_index = [], None
        for index, ((_, genome), fitness) in enumerate(zip(genomes, fitnesses)):
            genome.fitness = float(fitness)
            situation.append(genome.fitness)
            if best_index is None or genome.fitness > situation[best_index]:
                best_index = index
        if best_index is not None:
            best = NEATAgent(copy.deepcopy(genomes[best_index][1]), neat_config, "temp", action_handle)
            self.experiences.append((self._record(best), situation))


class GymTask(BasicTask):
    """A Gymnasium environment evaluated step by step.

    Parameters
    ----------
    environment : gymnasium.Env
        An unwrapped environment (the reference uses no TimeLimit wrapper).
    description : str
    maximum_generation : int
        NEAT generation cap.
    iterations : int
        Episodes per evaluation.
    total_steps : int
        Step cap per episode.
    need_frames : bool, default False
        Record ``env.render()`` frames (needs a render mode).
    seed : see :class:`BasicTask`
        Episode reset seeds are drawn from the task's generator when not given.

    Notes
    -----
    The agent only sees the (possibly noisy) observation; the physics always
    continues from the true state. Truncation flags are ignored.
    """

    def __init__(self, environment, description, maximum_generation, iterations, total_steps, need_frames=False,
                 seed=None):
        super().__init__(description, seed)
        self.environment = environment
        self.need_frames = bool(need_frames)
        self.iterations = _check_positive_int(iterations, "iterations")
        self.total_steps = _check_positive_int(total_steps, "total_steps")
        self.maximum_generation = _check_positive_int(maximum_generation, "maximum_generation")
        self.action_handle = None
        self.record_handle = None

    def set_action_handle(self, action_handle):
        """Set the callable turning network outputs into an action."""
        self.action_handle = action_handle

    def _episode_seeds(self, random_seeds, count):
        if random_seeds is None:
            return self.rng.integers(0, 2 ** 31, size=count)
        random_seeds = np.asarray(random_seeds)
        if random_seeds.shape != (count,):
            raise ValueError(f"random_seeds must hold iterations={count} seeds, got shape {random_seeds.shape}")
        return random_seeds

    def run(self, agent, random_seeds=None):
        """Run ``iterations`` episodes with ``agent``, one step at a time.

        Parameters
        ----------
        agent : object with ``work(observation) -> (action, outputs)``
        random_seeds : array_like of int, shape (iterations,), optional
            Reset seeds; drawn from the task's generator when None.

        Returns
        -------
        dict of object arrays, one entry per episode:
            "states" (T, d) true states before each step, "actions" (T, n_out)
            raw outputs, "rewards" (T,), "noises" (T, d) observation − state,
            "frames" (list of images, empty unless ``need_frames``).
        """
        seeds = self._episode_seeds(random_seeds, self.iterations)
        collected = {name: [] for name in ("states", "actions", "rewards", "noises", "frames")}
        for seed in seeds:
            episode = self.run_1_iteration(agent, int(seed))
            for name in collected:
                collected[name].append(episode[name])
        return {name: _object_array(values) for name, values in collected.items()}

    def run_1_iteration(self, agent, random_seed=None):
        """One episode of at most ``total_steps`` steps (see :meth:`run`)."""
        state = self.environment.reset(seed=random_seed)[0]
        states, actions, rewards, noises, frames = [], [], [], [], []
        for _ in range(self.total_steps):
            states.append(np.array(state, dtype=np.float64))
            if self.need_frames:
                frames.append(self.environment.render())
            state, outputs, reward, noise, done = self.run_1_step(agent, state)
            actions.append(np.asarray(outputs, dtype=np.float64))
            rewards.append(float(reward))
            noises.append(np.asarray(noise, dtype=np.float64))
            if done:
                break
        self.environment.close()
        return {"states": np.array(states), "actions": np.array(actions), "rewards": np.array(rewards),
                "noises": np.array(noises), "frames": frames}

    def run_1_step(self, agent, state, reset=False):
        """One step: observe (with noise), act, step the environment.

        Returns
        -------
        (next_state, outputs, reward, noise, done)
        """
        if reset:
            self.environment.reset()
            self.environment.state = state
        true_state = np.array(state)
        if self.noise_generator is not None:
            lower, upper = self.get_state_range()
            observation = self.noise_generator.get_samples(true_state.copy(), 1, lower, upper)
        else:
            observation = true_state.copy()
        action, outputs = agent.work(observation)
        next_state, reward, terminated, _, _ = self.environment.step(action)
        return next_state, outputs, reward, observation - true_state, bool(terminated)

    def sampling_states(self, sampling):
        """Cartesian grid of ``sampling`` interior points per state variable, shape (sampling**d, d)."""
        sampling = _check_positive_int(sampling, "sampling")
        lower, upper = self.get_state_range()
        axes = [np.linspace(low, high, sampling + 2)[1:-1] for low, high in zip(lower, upper)]
        return np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(axes), -1).T

    def get_state_range(self):
        """(lower, upper) bounds of the observation; task specific."""
        raise NotImplementedError

    @staticmethod
    def save_frames_in_gif(frames, path, dpi=200, interval=1, fps=10):
        """Save frames as an animated GIF with a "step = k" annotation (pillow writer)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import animation

        figure = plt.figure(dpi=dpi)
        image = plt.imshow(frames[0])
        plt.axis("off")
        label = plt.text(0, 0, "step = 0", va="top")

        def update(index):
            image.set_data(frames[index])
            label.set_text(f"step = {index}")
            return image, label

        movie = animation.FuncAnimation(figure, update, frames=len(frames), interval=interval)
        movie.save(path, writer=animation.PillowWriter(fps=fps))
        plt.close(figure)


def _object_array(values):
    array = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        array[index] = value
    return array


class NEATCartPoleTask(GymTask):
    """CartPole for NEAT agents: 100 episodes × ≤ 200 steps per evaluation.

    Parameters
    ----------
    maximum_generation : int
    need_frames : bool, default False
    seed : None, int, SeedSequence or Generator
        Source of the episode reset seeds.
    iterations : int, default 100
    total_steps : int, default 200

    Notes
    -----
    ``run`` and ``genomes_fitness`` use the vectorised rollouts (bit-identical
    CartPole physics); :meth:`run_reference` is the step-by-step Gymnasium loop.
    Each genome gets its own ``iterations`` episode seeds per generation (as the
    reference, whose environment stream continues from genome to genome).
    """

    def __init__(self, maximum_generation, need_frames=False, seed=None, iterations=100, total_steps=200):
        from gymnasium.envs.classic_control.cartpole import CartPoleEnv

        environment = CartPoleEnv(render_mode="rgb_array" if need_frames else None)
        super().__init__(environment, "CartPole", maximum_generation, iterations, total_steps, need_frames, seed)
        self.action_handle = argmax_action

    def get_state_range(self):
        """(-U, +U) with U = STATE_BOUNDS = [4.8, 2.1976..., 0.418, 3.3345...]."""
        return -np.array(STATE_BOUNDS), np.array(STATE_BOUNDS)

    def run(self, agent, random_seeds=None):
        """Vectorised :meth:`GymTask.run` for compiled NEAT agents (same outputs)."""
        network = _agent_network(agent)
        if network is None or self.need_frames or self.action_handle is not argmax_action:
            return self.run_reference(agent, random_seeds)
        seeds = self._episode_seeds(random_seeds, self.iterations)
        result = cartpole_rollouts([network], seeds=seeds, total_steps=self.total_steps,
                                   noise=self.noise_generator, record=True)
        episodes = [result.episode(0, e) for e in range(seeds.size)]
        collected = {name: _object_array([episode[name] for episode in episodes])
                     for name in ("states", "actions", "rewards", "noises")}
        collected["frames"] = _object_array([[] for _ in episodes])
        return collected

    def run_reference(self, agent, random_seeds=None):
        """The step-by-step Gymnasium loop of :meth:`GymTask.run`."""
        return GymTask.run(self, agent, random_seeds)

    def genomes_fitness(self, genomes, neat_config):
        """NEAT fitness function: mean return over ``iterations`` fresh episodes per genome.

        Parameters
        ----------
        genomes : list of (key, genome)
        neat_config : neat.Config
        """
        genomes = list(genomes)
        if not genomes:
            return
        networks = [compile_network(genome, neat_config) for _, genome in genomes]
        seeds = self.rng.integers(0, 2 ** 31, size=(len(genomes), self.iterations))
        result = cartpole_rollouts(NetworkBatch(networks), seeds=seeds, total_steps=self.total_steps,
                                   noise=self.noise_generator)
        self._log_generation(genomes, result.fitness, neat_config, self.action_handle)

    @staticmethod
    def calculate_fitness(reward_collector):
        """Mean over episodes of the episode's reward sum (= mean episode length)."""
        return float(np.mean([np.sum(rewards) for rewards in reward_collector]))


class SupervisionTask(BasicTask):
    """UCI classification scored by support-weighted F1.

    Parameters
    ----------
    trained_inputs : array_like (n_train, d)
    trained_outputs : array_like (n_train,) of int labels
    tested_inputs : array_like (n_test, d)
    tested_outputs : array_like (n_test,)
    description : str
    label_number : int
        Number of classes (also the ``digits`` of the classification report).
    data_types : sequence of str
        Per-feature type; features ``k < len(data_types)`` with type
        "continuous" receive noise (a shorter list leaves the last features
        un-noised, as the reference's Vertebral Column types).
    data_ranges : array_like (d, 2)
        Per-feature [min, max]; noisy values are clipped to it.
    maximum_generation : int
    seed : see :class:`BasicTask`

    Raises
    ------
    ValueError
        Inputs and outputs of a split differ in length, or shapes disagree.
    """

    def __init__(self, trained_inputs, trained_outputs, tested_inputs, tested_outputs, description, label_number,
                 data_types, data_ranges, maximum_generation, seed=None):
        super().__init__(description, seed)
        self.trained_inputs = np.asarray(trained_inputs, dtype=np.float64)
        self.trained_outputs = np.asarray(trained_outputs).astype(np.int64)
        self.tested_inputs = np.asarray(tested_inputs, dtype=np.float64)
        self.tested_outputs = np.asarray(tested_outputs).astype(np.int64)
        if len(self.trained_inputs) != len(self.trained_outputs):
            raise ValueError(f"trained_inputs and trained_outputs must have the same length, got "
                             f"{len(self.trained_inputs)} and {len(self.trained_outputs)}")
        if len(self.tested_inputs) != len(self.tested_outputs):
            raise ValueError(f"tested_inputs and tested_outputs must have the same length, got "
                             f"{len(self.tested_inputs)} and {len(self.tested_outputs)}")
        d = self.trained_inputs.shape[1]
        if self.tested_inputs.ndim != 2 or self.tested_inputs.shape[1] != d:
            raise ValueError(f"tested_inputs must have shape (n, {d}), got {self.tested_inputs.shape}")
        self.data_ranges = np.asarray(data_ranges, dtype=np.float64)
        if self.data_ranges.shape != (d, 2):
            raise ValueError(f"data_ranges must have shape ({d}, 2), got {self.data_ranges.shape}")
        self.data_types = tuple(data_types)
        self.label_number = _check_positive_int(label_number, "label_number")
        self.maximum_generation = _check_positive_int(maximum_generation, "maximum_generation")
        self.action_handle = argmax_action
        self.record_handle = None

    @property
    def noisy_features(self):
        """Indices of the features that receive noise."""
        return np.array([k for k, kind in enumerate(self.data_types[:self.trained_inputs.shape[1]])
                         if str(kind).lower() == "continuous"], dtype=np.int64)

    def _perturb(self, values):
        """Noise on the continuous features, row by row (each row normalised on its own)."""
        features = self.noisy_features
        if self.noise_generator is None or features.size == 0:
            return values
        values = values.copy()
        values[:, features] = self.noise_generator.get_samples_batch(
            values[:, features], self.data_ranges[features, 0], self.data_ranges[features, 1])
        return values

    def _split(self, train_flag):
        if train_flag:
            return self.trained_inputs, self.trained_outputs
        return self.tested_inputs, self.tested_outputs

    def run(self, agent, train_flag=False):
        """Predict a split and score it.

        Parameters
        ----------
        agent : object with a batched ``work(inputs (N, d)) -> (actions (N,), outputs (N, n_out))``
        train_flag : bool, default False
            Training split if True, else test split.

        Returns
        -------
        dict
            "fitness" (weighted F1), "report" (scikit-learn classification
            report dict), "raw" (2, N) int array of [true; predicted] labels.
        """
        from sklearn.metrics import classification_report

        inputs, labels = self._split(train_flag)
        predictions, _ = agent.work(self._perturb(inputs))
        predictions = np.asarray(predictions).astype(np.int64).reshape(-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = classification_report(labels, predictions, digits=self.label_number, output_dict=True)
        return {"fitness": report["weighted avg"]["f1-score"], "report": report,
                "raw": np.array([labels, predictions])}

    def genomes_fitness(self, genomes, neat_config):
        """NEAT fitness function: weighted F1 on the (noisy) training split, all genomes batched."""
        genomes = list(genomes)
        if not genomes:
            return
        inputs, labels = self.trained_inputs, self.trained_outputs
        G, N = len(genomes), len(labels)
        batch = NetworkBatch([compile_network(genome, neat_config) for _, genome in genomes])
        tiled = self._perturb(np.tile(inputs, (G, 1)))
        predictions = np.argmax(batch.activate(tiled, np.repeat(np.arange(G), N)), axis=1).reshape(G, N)
        fitnesses = [weighted_f1_score(labels, row) for row in predictions]
        self._log_generation(genomes, fitnesses, neat_config, self.action_handle)
