"""NEAT agents and the train/evaluate pipeline of the study.

A :class:`NEATAgent` wraps a genome, its config and an action handle; its
network is compiled once (:func:`practice.network.compile_genome`, neat-python
0.92 evaluation rules by default) and ``work`` evaluates one observation or a
whole batch. :func:`train` runs NEAT on a task and returns the best genome as an
agent plus the per-generation experiences; :func:`evaluate` scores an agent under
several test-noise generators; :func:`train_and_evaluate` repeats both.

Determinism: every function that draws randomness takes ``seed`` (None, an int
or a :class:`numpy.random.SeedSequence`). A seed is split into independent
streams for neat-python's Python ``random`` state (seeded through
``neat.Population(seed=...)``; the caller's ``random`` state is restored
afterwards), the episode reset seeds and the observation noise (a re-seeded copy
of the given noise generator, the caller's object is not advanced). Two calls
with the same seed give identical results. ``seed=None`` keeps the reference's
behaviour: continue whatever streams the task, the generators and ``random``
are in.

Examples
--------
>>> from pathlib import Path
>>> path = Path(__file__).resolve().parents[1] / "works" / "confs" / "main" / "adjusted[i].config"
>>> config = create_agent_config(path)
>>> type(config.genome_config).__name__, config.genome_config.remove_type, config.pop_size
('AdjustedGenomeConfig', 'i', 250)
"""

from __future__ import annotations

import contextlib
import copy
import numbers
import random
from pathlib import Path

import numpy as np
import neat

from practice.evolve import (NEAT_SEMANTICS, SEMANTICS, AdjustedGenome, AdjustedReproduction, BaselineGenome,
                             BaselineReproduction, create_adjacency_matrix)
from practice.motif import count_motifs_from_adjacency_matrix
from practice.network import argmax_action, compile_network

__all__ = ["DefaultAgent", "NEATAgent", "create_agent_config", "obtain_best", "train", "train_at_caps",
           "BestGenomeRecorder", "evaluate", "train_and_evaluate", "compile_network", "EVALUATION_TYPES"]

EVALUATION_TYPES = ("reinforcement", "supervision")


class DefaultAgent:
    """Base agent: a trained model and a description; ``work`` is abstract.

    Parameters
    ----------
    trained_model : object
    description : str
    """

    def __init__(self, trained_model, description):
        self.trained_model = trained_model
        self.description = description

    def work(self, inputs):
        """Map inputs to ``(action, outputs)``; implemented by subclasses."""
        raise NotImplementedError


class NEATAgent(DefaultAgent):
    """A NEAT genome as an agent.

    Parameters
    ----------
    model_genome : neat genome
    neat_config : neat.Config
    description : str
    action_handle : callable, optional
        Outputs -> action; default :func:`practice.network.argmax_action`.
    neat_semantics : {"0.92", "2.0"}, optional
        Network evaluation rules; default ``genome_config.neat_semantics``
        ("0.92": outputs without incoming enabled connections stay 0.0).

    Raises
    ------
    ValueError
        For a recurrent (``feed_forward = False``) genome config.

    Examples
    --------
    >>> from pathlib import Path
    >>> path = Path(__file__).resolve().parents[1] / "works" / "confs" / "main" / "baseline.config"
    >>> config = create_agent_config(path)
    >>> genome = config.genome_type(1)
    >>> genome.nodes = {0: config.genome_config.node_gene_type(0), 1: config.genome_config.node_gene_type(1)}
    >>> for node in genome.nodes.values():
    ...     node.bias, node.response, node.activation, node.aggregation = 0.5, 1.0, "tanh", "sum"
    >>> agent = NEATAgent(genome, config, "idle")
    >>> agent.work(np.zeros(4))[0], agent.work(np.zeros((3, 4)))[0].tolist()
    (0, [0, 0, 0])
    """

    def __init__(self, model_genome, neat_config, description, action_handle=None, neat_semantics=None):
        super().__init__(model_genome, description)
        genome_config = neat_config.genome_config
        if not genome_config.feed_forward:
            raise ValueError("neat_config: only feed_forward = True genomes are supported")
        if action_handle is None:
            action_handle = argmax_action
        self.model_genome = model_genome
        self.neat_config = neat_config
        self.action_handle = action_handle
        self.network = compile_network(model_genome, neat_config, neat_semantics)

    def work(self, inputs):
        """Evaluate the network and pick actions.

        Parameters
        ----------
        inputs : array_like, shape (n_inputs,) or (E, n_inputs)

        Returns
        -------
        action : int (or ndarray (E,) for a batch)
        outputs : ndarray, shape (n_outputs,) or (E, n_outputs)
        """
        outputs = self.network.activate(np.asarray(inputs, dtype=np.float64))
        if outputs.ndim == 1 or self.action_handle is argmax_action:
            return self.action_handle(outputs), outputs
        return np.array([self.action_handle(row) for row in outputs]), outputs

    def get_fitness(self):
        """Deep copy of the genome's fitness."""
        return copy.deepcopy(self.model_genome.fitness)

    def get_genome(self):
        """Deep copy of the genome."""
        return copy.deepcopy(self.model_genome)

    def get_config(self):
        """Deep copy of the NEAT config."""
        return copy.deepcopy(self.neat_config)

    def get_adjacency_matrix(self, mode="reference"):
        """Adjacency of the enabled connections (``create_adjacency_matrix(..., consider_enable=True)``)."""
        return create_adjacency_matrix(self.model_genome, self.neat_config.genome_config, True, mode)

    def get_motif_counts(self, search_size=3, reference_motifs=None):
        """Length-12 motif count vector of :meth:`get_adjacency_matrix` (reference counter)."""
        return count_motifs_from_adjacency_matrix(self.get_adjacency_matrix(), search_size, reference_motifs)

    def __repr__(self):
        return f"NEATAgent({self.description!r}, fitness={self.model_genome.fitness!r})"


def create_agent_config(config_path, neat_semantics=None, semantics=None, max_retries=None):
    """Load a NEAT config and pick the classes of its strategy.

    The strategy is the second-to-last "."-separated part of the **file name**
    ("baseline.config" → "baseline", "biology.adjusted[i].config" →
    "adjusted[i]"): "baseline" → :class:`BaselineGenome` /
    :class:`BaselineReproduction` (sections ``[DefaultGenome]`` /
    ``[DefaultReproduction]``); "adjusted…" → :class:`AdjustedGenome` /
    :class:`AdjustedReproduction`. (The reference split the whole path, so a
    directory name containing "baseline" could change the strategy.)

    Parameters
    ----------
    config_path : str or path-like
    neat_semantics : {"0.92", "2.0"}, optional
        Overrides the genome section's ``neat_semantics``.
    semantics : {"reference", "corrected"}, optional
        Overrides the reproduction section's ``semantics``.
    max_retries : int, optional
        Overrides the reproduction section's ``max_retries``.

    Returns
    -------
    neat.Config

    Raises
    ------
    ValueError
        "No such evolutionary strategy!" for another file name, or an invalid
        override.
    """
    path = Path(config_path)
    parts = path.name.split(".")
    strategy = parts[-2] if len(parts) >= 2 else ""
    if "baseline" in strategy:
        classes = (BaselineGenome, BaselineReproduction)
    elif "adjusted" in strategy:
        classes = (AdjustedGenome, AdjustedReproduction)
    else:
        raise ValueError(f"No such evolutionary strategy! config_path's file name must look like "
                         f"'<...>.baseline.config' or '<...>.adjusted[i|c|a].config', got {path.name!r}")
    if not path.is_file():
        raise ValueError(f"config_path: no such file {str(path)!r}")
    config = neat.Config(classes[0], classes[1], neat.DefaultSpeciesSet, neat.DefaultStagnation, str(path))
    if neat_semantics is not None:
        if neat_semantics not in NEAT_SEMANTICS:
            raise ValueError(f"neat_semantics must be one of {NEAT_SEMANTICS}, got {neat_semantics!r}")
        config.genome_config.neat_semantics = neat_semantics
    if semantics is not None:
        if semantics not in SEMANTICS:
            raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}")
        config.reproduction_config.semantics = semantics
    if max_retries is not None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, numbers.Integral) or max_retries < 1:
            raise ValueError(f"max_retries must be a positive integer, got {max_retries!r}")
        config.reproduction_config.max_retries = int(max_retries)
    return config


@contextlib.contextmanager
def _isolated_random(active):
    """Restore Python's ``random`` state afterwards (when ``active``)."""
    state = random.getstate() if active else None
    try:
        yield
    finally:
        if active:
            random.setstate(state)


def _seed_sequence(seed):
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be None, a non-negative int or a numpy.random.SeedSequence, got {seed!r}")
    return np.random.SeedSequence(int(seed))


def _streams(seed, count):
    return None if seed is None else _seed_sequence(seed).spawn(count)


def _python_seed(sequence):
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def _reseeded(generator, sequence):
    """A copy of a noise generator with its own stream (None stays None)."""
    if generator is None or sequence is None:
        return generator
    duplicate = copy.copy(generator)
    duplicate.rng = np.random.default_rng(sequence)
    return duplicate


def obtain_best(task, model_config, need_stdout=False, additional_reporters=None, initial_state=None, seed=None):
    """Run NEAT on ``task`` and return the best genome.

    Parameters
    ----------
    task : BasicTask with ``genomes_fitness`` and ``maximum_generation``
    model_config : neat.Config
    need_stdout : bool, default False
        Add neat's ``StdOutReporter(False)``.
    additional_reporters : list of neat reporters, optional
    initial_state : (population, species, generation), optional
        Continue from a saved state instead of a fresh population.
    seed : int, optional
        Seeds Python's ``random`` for neat-python (``Population(seed=...)``);
        the previous ``random`` state is restored afterwards.

    Returns
    -------
    genome, or (genome, additional_reporters) when reporters were given
        neat's ``best_genome``: a reference to the best genome ever seen; its
        ``fitness`` is its latest evaluation (reference semantics).

    Notes
    -----
    A fresh run restarts the config's node-key counter
    (``genome_config.node_indexer = None``) so that runs on one config object
    are reproducible; the reference let keys grow across repeats (no effect on
    its results).
    """
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be None or an int, got {seed!r}")
    if initial_state is None:
        model_config.genome_config.node_indexer = None
    with _isolated_random(seed is not None):
        population = neat.Population(model_config, initial_state, seed=seed)
        if need_stdout:
            population.add_reporter(neat.StdOutReporter(False))
        population.add_reporter(neat.StatisticsReporter())
        for reporter in additional_reporters or []:
            population.add_reporter(reporter)
        best = population.run(task.genomes_fitness, task.maximum_generation)
    if additional_reporters:
        return best, additional_reporters
    return best


def train(task, agent_name, agent_config, train_noise_generator, seed=None):
    """Train one agent.

    Parameters
    ----------
    task : NEATCartPoleTask or SupervisionTask
    agent_name : str
        Description of the returned agent ("b", "i", "c", "a").
    agent_config : neat.Config
    train_noise_generator : NormNoiseGenerator or None
    seed : None, int or numpy.random.SeedSequence
        Split into the NEAT, episode and noise streams (module docstring).

    Returns
    -------
    (NEATAgent, experience)
        experience = list of (best agent of the generation, list of its
        generation's fitnesses), one entry per evaluated generation.
    """
    streams = _streams(seed, 3)
    task.reset_experiences()
    task.set_noise(_reseeded(train_noise_generator, None if streams is None else streams[2]))
    if streams is not None:
        task.set_seed(streams[1])
    best = obtain_best(task, agent_config, seed=None if streams is None else _python_seed(streams[0]))
    agent = NEATAgent(best, agent_config, agent_name, task.action_handle)
    return agent, task.get_experiences()


class BestGenomeRecorder(neat.reporting.BaseReporter):
    """neat reporter keeping copies of the run's best genome after given generation counts.

    ``neat.Population.run`` replaces its ``best_genome`` right after
    ``post_evaluate`` when the generation's best is strictly fitter than the
    current one (a reference, whose fitness may later be overwritten by a
    re-evaluation); this reporter applies the same rule to the same objects, so
    ``snapshots[g]`` is a deep copy of what a run stopped after ``g`` evaluated
    generations returns.

    Parameters
    ----------
    caps : iterable of int
        Generation counts (>= 1) after which to copy the best genome.

    Attributes
    ----------
    evaluated : int
        Generations evaluated so far.
    best : genome or None
        The run's current best genome (the same object as neat's).
    snapshots : dict int -> genome
    """

    def __init__(self, caps):
        self.caps = {_positive_int(cap, "caps") for cap in caps}
        self.evaluated = 0
        self.best = None
        self.snapshots = {}

    def post_evaluate(self, config, population, species, best_genome):
        if self.best is None or best_genome.fitness > self.best.fitness:
            self.best = best_genome
        self.evaluated += 1
        if self.evaluated in self.caps:
            self.snapshots[self.evaluated] = copy.deepcopy(self.best)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must hold positive integers, got {value!r}")
    return int(value)


def train_at_caps(task, agent_name, agent_config, train_noise_generator, caps, seed=None):
    """One training run read at several generation caps (what separate runs with these caps return).

    Trains once for ``max(caps)`` generations with the streams of :func:`train`
    and returns, for every cap ``g``, the agent and experience a separate
    ``train`` call with ``task.maximum_generation = g`` and the same ``seed``
    returns: a run stopped after ``g`` generations has drawn exactly the same
    random numbers (neat's ``random`` state, the episode seeds, the noise) up
    to that point, and its best genome is the best-ever genome after
    generation ``g`` (copied there by :class:`BestGenomeRecorder`, so later
    re-evaluations do not leak in). A run that reaches the fitness threshold
    at generation ``h`` stops there, as every separate run with a cap >= h does.

    Parameters
    ----------
    task, agent_name, agent_config, train_noise_generator, seed : see :func:`train`
        ``task.maximum_generation`` is ignored (restored afterwards).
    caps : iterable of int
        Generation caps (>= 1), any order; duplicates are merged.

    Returns
    -------
    dict int -> (NEATAgent, experience)
        Keyed by cap; ``experience`` holds the first ``min(cap, generations run)``
        entries of the run's experience.

    Raises
    ------
    ValueError
        ``caps`` is empty or holds a non-positive or non-integer value.
    neat.population.CompleteExtinctionException
        As :func:`train` (with ``reset_on_extinction = 0``); a separate run with a
        smaller cap would have ended before the extinction.

    Examples
    --------
    >>> from pathlib import Path
    >>> from practice.task import NEATCartPoleTask
    >>> path = Path(__file__).resolve().parents[1] / "works" / "confs" / "main" / "baseline.config"
    >>> config = create_agent_config(path)
    >>> config.pop_size = 8
    >>> runs = train_at_caps(NEATCartPoleTask(1, iterations=3), "b", config, None, caps=[2, 1], seed=0)
    >>> sorted(runs), [len(experience) for _, experience in runs.values()]
    ([1, 2], [1, 2])
    """
    recorder = BestGenomeRecorder(list(caps))
    if not recorder.caps:
        raise ValueError("caps must hold at least one generation cap")
    streams = _streams(seed, 3)
    task.reset_experiences()
    task.set_noise(_reseeded(train_noise_generator, None if streams is None else streams[2]))
    if streams is not None:
        task.set_seed(streams[1])
    previous = task.maximum_generation
    task.maximum_generation = max(recorder.caps)
    try:
        final, _ = obtain_best(task, agent_config, additional_reporters=[recorder],
                               seed=None if streams is None else _python_seed(streams[0]))
    finally:
        task.maximum_generation = previous
    experience = task.get_experiences()
    runs = {}
    for cap in sorted(recorder.caps):
        genome = recorder.snapshots.get(cap, final)      # a cap past an early stop: the final best
        runs[cap] = (NEATAgent(genome, agent_config, agent_name, task.action_handle), experience[:cap])
    return runs


def evaluate(task, test_noise_generators, agent, evaluation_type, seed=None):
    """Score an agent under several test-noise generators.

    Parameters
    ----------
    task : NEATCartPoleTask or SupervisionTask
    test_noise_generators : dict label -> NormNoiseGenerator or None
        Evaluated in insertion order; the task keeps the last one.
    agent : NEATAgent
    evaluation_type : {"reinforcement", "supervision"}
        "reinforcement": mean return over ``task.iterations`` fresh episodes;
        "supervision": weighted F1 on the (noisy) test split.
    seed : None, int or numpy.random.SeedSequence
        One (episode, noise) stream pair per label.

    Returns
    -------
    dict label -> float

    Raises
    ------
    ValueError
        For another ``evaluation_type``.
    """
    if evaluation_type not in EVALUATION_TYPES:
        raise ValueError(f"No such evaluation type! evaluation_type must be one of {EVALUATION_TYPES}, "
                         f"got {evaluation_type!r}")
    streams = _streams(seed, len(test_noise_generators))
    record = {}
    for index, (label, generator) in enumerate(test_noise_generators.items()):
        pair = None if streams is None else streams[index].spawn(2)
        task.set_noise(_reseeded(generator, None if pair is None else pair[1]))
        if pair is not None:
            task.set_seed(pair[0])
        if evaluation_type == "reinforcement":
            record[label] = task.calculate_fitness(task.run(agent)["rewards"])
        else:
            record[label] = task.run(agent)["fitness"]
    return record


def train_and_evaluate(task, agent_name, agent_config, repeats, train_noise_generator, test_noise_generators,
                       evaluation_type, seed=None):
    """``repeats`` independent (train, evaluate) runs.

    Parameters
    ----------
    task, agent_name, agent_config, train_noise_generator : see :func:`train`
    repeats : int >= 1
    test_noise_generators, evaluation_type : see :func:`evaluate`
    seed : None, int or numpy.random.SeedSequence
        Repeat ``r`` uses child ``r`` of the seed (its own train and test streams).

    Returns
    -------
    list of (NEATAgent, experience, test_record), one per repeat
    """
    if isinstance(repeats, bool) or not isinstance(repeats, numbers.Integral) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    if evaluation_type not in EVALUATION_TYPES:
        raise ValueError(f"No such evaluation type! evaluation_type must be one of {EVALUATION_TYPES}, "
                         f"got {evaluation_type!r}")
    streams = _streams(seed, int(repeats))
    results = []
    for index in range(int(repeats)):
        pair = None if streams is None else streams[index].spawn(2)
        agent, experience = train(task, agent_name, agent_config, train_noise_generator,
                                  None if pair is None else pair[0])
        record = evaluate(task, test_noise_generators, agent, evaluation_type, None if pair is None else pair[1])
        results.append((agent, experience, record))
    return results
