"""NEAT runs shared by task 3 (CartPole) and task 4 (UCI classification): units, gathers and planning.

One NEAT experiment trains every agent (``b``, ``i``, ``c``, ``a``: see :data:`works.layout.AGENT_ORDER`) at
every setting (a training noise, or a generation cap) for ``repeats`` independent repeats. The repeats of one
agent × setting are split into chunks of ``chunk`` repeats, one :class:`works.units.Unit` per chunk
(:func:`unit_neat`, writing :func:`works.layout.neat_chunk_file`); a gather unit (:func:`unit_neat_gather`)
stacks the chunks into the documented arrays of one experiment (:func:`works.layout.real_world_file`,
format in ``docs/raw-data.md``). Every repeat's training and evaluation seeds derive from the experiment's
series name and the repeat number only, so the chunking does not change any result.

Examples
--------
>>> from works.scales import get_scale
>>> units, gather = neat_experiment(get_scale("smoke"), "task3/adjustments.1", "cartpole", ("b",), (0.0,),
...                                 "train_noises", "real-world/adjustments.1.npz",
...                                 {"population": 8, "episodes": 2, "eval_episodes": 3, "eval_noises": [0.0],
...                                  "config_prefix": "main/", "generations": 2}, chunk=1, repeats=2)
>>> [unit.key for unit in units], gather.key
(['task3/adjustments.1/b/noise-00/r0000', 'task3/adjustments.1/b/noise-00/r0001'], 'task3/adjustments.1/gather')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from works import layout
from works._io import save_npz
from works.layout import CONFIG_NAMES, PASS_SCORE
from works.packing import Raw
from works.units import Unit, unit_seed

__all__ = [
    "CONFS",
    "NeatCapsUnit",
    "NeatConfig",
    "NeatGatherUnit",
    "NeatRunUnit",
    "UciRunUnit",
    "neat_experiment",
    "neat_result",
    "unit_neat",
    "unit_neat_gather",
]

#: NEAT configuration files (``main/…`` for CartPole, ``supp/<domain>.…`` for the UCI domains).
CONFS = Path(__file__).resolve().parents[1] / "confs"
_HERE = "works.tasks.neat_common"


@dataclass(frozen=True)
class NeatConfig:
    """Settings shared by the NEAT tasks 3 and 4: agents, noise levels, population, generations and repeats
    (``repeat_chunk`` repeats per unit)."""

    agents: tuple = ("b", "i", "c")
    train_noises: tuple = (0.0, 0.2, 0.4)
    eval_noises: tuple = (0.0, 0.2, 0.4)
    population: int = 50
    generations: int = 20
    repeats: int = 10
    repeat_chunk: int = 5


@dataclass(frozen=True)
class NeatRunUnit:
    """A chunk of repeats of one agent at one setting (CartPole when ``kind == "cartpole"``)."""

    kind: str
    agent: str
    config_prefix: str
    config_file: str
    population: int
    generations: int
    episodes: int
    eval_episodes: int
    train_noise: float
    eval_noises: tuple
    repeats: tuple
    series: str
    base_seed: int
    semantics: str
    output: str


@dataclass(frozen=True)
class NeatCapsUnit(NeatRunUnit):
    """A chunk of repeats trained once each to the largest of ``caps`` and read at every cap.

    ``generations`` is ``max(caps)``; ``outputs[j]`` receives what a :class:`NeatRunUnit` with
    ``generations = caps[j]`` and the same ``series`` writes (``output`` is ``outputs[-1]``). Used by the
    generation-caps experiment when ``caps_from_one_run`` is set (see ``docs/quirks/practice-neat.md``, row 16).
    """

    caps: tuple
    outputs: tuple


@dataclass(frozen=True)
class UciRunUnit(NeatRunUnit):
    """As :class:`NeatRunUnit` for a UCI domain, whose split is read from ``dataset_file``."""

    domain: str
    dataset_file: str


@dataclass(frozen=True)
class NeatGatherUnit:
    """The chunk files of one experiment (``chunks["<agent>/<setting>"]``) and the axis its settings span.

    ``axis`` is ``"train_noises"`` (a noise sweep), ``"caps"`` (generation caps) or ``"single"`` (one setting,
    whose axis is dropped).
    """

    agents: tuple
    settings: tuple
    axis: str
    chunks: dict
    eval_noises: tuple
    output: str
    train_noise: float
    generations_cap: int


def _noise(level, semantics):
    from practice.noise import NormNoiseGenerator

    return NormNoiseGenerator("L-2", noise_scale=float(level), semantics=semantics)


def _summary(agent, experience, record, eval_noises, generations):
    from practice.motif import motif_counts

    genome = agent.model_genome
    out_nodes = set(agent.neat_config.genome_config.output_keys)
    best = np.full(generations, np.nan)
    mean = np.full(generations, np.nan)
    for index, (_, fitnesses) in enumerate(experience[:generations]):
        best[index] = np.max(fitnesses)
        mean[index] = np.mean(fitnesses)
    nodes = len(set(genome.nodes) | out_nodes)
    connections = sum(1 for gene in genome.connections.values() if gene.enabled)
    return {"train_fitness": float(agent.get_fitness()),
            "test": np.array([record[level] for level in eval_noises], dtype=np.float64),
            "generations": len(experience), "generation_best": best, "generation_mean": mean,
            "nodes": nodes, "connections": connections,
            "motif_counts": np.asarray(motif_counts(agent.get_adjacency_matrix()), dtype=np.int64)}


def _uci_task(raw_dir, unit: UciRunUnit, maximum_generation):
    from practice.task import SupervisionTask

    with np.load(raw_dir / unit.dataset_file, allow_pickle=False) as data:
        return SupervisionTask(data["train_x"], data["train_y"], data["test_x"], data["test_y"], unit.domain,
                               int(data["label_number"]), [str(t) for t in data["feature_types"]],
                               data["feature_ranges"], maximum_generation)


def _repeat_seeds(unit, repeat):
    """Training and evaluation seeds of one repeat: from the series and the repeat number only."""
    sequence = unit_seed(unit.base_seed, f"{unit.series}/repeat-{repeat:04d}")
    return sequence.spawn(2)


def _save_rows(path, rows, repeats):
    arrays = {name: np.stack([np.asarray(row[name]) for row in rows]) for name in rows[0]}
    arrays["repeat"] = np.asarray(repeats, dtype=np.int64)
    save_npz(path, arrays)


def unit_neat(config, raw_dir, seed):
    """Tasks 3–4: ``len(repeats)`` NEAT runs of one agent at one training noise; per-repeat seeds from keys.

    A config with ``caps`` (:class:`NeatCapsUnit`) trains each repeat once to the largest cap with
    :func:`practice.agent.train_at_caps` and writes, per cap, the file the separate run with that cap and the
    same seeds writes.
    """
    from practice.agent import create_agent_config, evaluate, train, train_at_caps
    from practice.task import NEATCartPoleTask

    cartpole = config["kind"] == "cartpole"
    if "caps" in config:
        unit = NeatCapsUnit(**config)
    else:
        unit = NeatRunUnit(**config) if cartpole else UciRunUnit(**config)
    caps = [int(cap) for cap in getattr(unit, "caps", ())]
    agent_config = create_agent_config(CONFS / unit.config_file)
    agent_config.pop_size = int(unit.population)
    generations = int(unit.generations)
    if cartpole:
        task = NEATCartPoleTask(generations, iterations=int(unit.episodes))
        evaluation = "reinforcement"
    else:
        task = _uci_task(raw_dir, unit, generations)
        evaluation = "supervision"
    eval_noises = [float(level) for level in unit.eval_noises]
    rows = {cap: [] for cap in caps} if caps else {generations: []}
    for repeat in unit.repeats:
        train_seed, test_seed = _repeat_seeds(unit, repeat)
        if cartpole:
            task.iterations = int(unit.episodes)
        noise = _noise(unit.train_noise, unit.semantics)
        if caps:
            runs = train_at_caps(task, unit.agent, agent_config, noise, caps, train_seed)
        else:
            runs = {generations: train(task, unit.agent, agent_config, noise, train_seed)}
        if cartpole:
            task.iterations = int(unit.eval_episodes)
        for cap, (agent, experience) in runs.items():
            generators = {level: _noise(level, unit.semantics) for level in eval_noises}
            # SeedSequence.spawn is stateful: every cap gets a fresh copy of the repeat's evaluation seed
            record = evaluate(task, generators, agent, evaluation, test_seed if len(runs) == 1
                              else _repeat_seeds(unit, repeat)[1])
            rows[cap].append(_summary(agent, list(experience), record, eval_noises, cap))
    if caps:
        for cap, output in zip(caps, unit.outputs):
            _save_rows(raw_dir / output, rows[cap], unit.repeats)
    else:
        _save_rows(raw_dir / unit.output, rows[generations], unit.repeats)


def unit_neat_gather(config, raw_dir, seed):
    """Tasks 3–4: stack the chunk files of one experiment into the documented arrays (docs/raw-data.md)."""
    from practice.motif import MOTIF_NAMES

    unit = NeatGatherUnit(**config)
    agents, settings = unit.agents, unit.settings
    table = {}
    for a, agent in enumerate(agents):
        for s, setting in enumerate(settings):
            parts = [np.load(raw_dir / path) for path in unit.chunks[f"{agent}/{setting}"]]
            merged = {name: np.concatenate([p[name] for p in parts]) for name in parts[0].files}
            order = np.argsort(merged.pop("repeat"), kind="stable")
            table[(a, s)] = {name: value[order] for name, value in merged.items()}
    names = ("train_fitness", "test") if unit.axis == "caps" else table[(0, 0)].keys()
    arrays = {name: np.stack([np.stack([table[(a, s)][name] for s in range(len(settings))])
                              for a in range(len(agents))]) for name in names}
    out = {"agents": np.array(agents), "eval_noises": np.asarray(unit.eval_noises, dtype=np.float64),
           "generations_cap": np.int64(unit.generations_cap), "motif_names": np.array(MOTIF_NAMES)}
    if unit.axis == "train_noises":
        out["train_noises"] = np.asarray(settings, dtype=np.float64)
        out.update(arrays)
    elif unit.axis == "caps":
        out["caps"] = np.asarray(settings, dtype=np.int64)
        out["train_noise"] = np.float64(unit.train_noise)
        out.update({k: arrays[k] for k in ("train_fitness", "test")})
        min_passes = max(1, len(unit.eval_noises) - 1)
        passes = (arrays["test"] >= PASS_SCORE).sum(axis=-1) >= min_passes
        out.update(qualified=passes.sum(axis=-1).astype(np.int64), pass_score=np.float64(PASS_SCORE),
                   min_passes=np.int64(min_passes))
    else:  # a single setting: drop the setting axis
        out["train_noise"] = np.float64(unit.train_noise)
        out.update({name: value[:, 0] for name, value in arrays.items()})
    save_npz(raw_dir / unit.output, out)


def neat_experiment(scale, series, kind, agents, settings, axis, output, base, chunk, repeats, extra_depends=(),
                    caps_from_one_run=False):
    """Units (one per agent × setting × repeat chunk) and the gather unit of one NEAT experiment.

    Parameters
    ----------
    scale : works.scales.Scale
        Supplies the base seed and the semantics.
    series : str
        Experiment name, the prefix of every unit key and of the per-repeat seeds (``"task3/iterations"``).
    kind : {"cartpole", "uci"}
    agents, settings : sequence
        Agent letters; training noises (``axis`` ``"train_noises"`` or ``"single"``) or generation caps
        (``"caps"``).
    axis : {"train_noises", "caps", "single"}
    output : str
        The gathered file (relative to ``OUT/raw``).
    base : dict
        The other fields of :class:`NeatRunUnit` / :class:`UciRunUnit` shared by every chunk (the
        generations or the training noise that the settings do not set, and ``config_prefix``).
    chunk, repeats : int
        Repeats per unit and in all.
    extra_depends : tuple of str
        Files every chunk reads (the UCI split).
    caps_from_one_run : bool
        With ``axis="caps"``: one unit per agent × repeat chunk (:class:`NeatCapsUnit`, series
        ``"<series>/<agent>/caps"``) trains each repeat once to the largest cap and writes every cap's chunk
        file; otherwise every cap is a separate run with its own seeds.

    Returns
    -------
    (list of Unit, Unit)
    """
    run_class = NeatRunUnit if kind == "cartpole" else UciRunUnit
    units, chunks = [], {}
    if caps_from_one_run and axis == "caps":
        caps = sorted({int(setting) for setting in settings})
        for agent in agents:
            chunks.update({f"{agent}/{setting}": [] for setting in settings})
            for start in range(0, repeats, chunk):
                paths = tuple(layout.neat_chunk_file(series, agent, f"cap-{cap:03d}", start) for cap in caps)
                for cap, path in zip(caps, paths):
                    chunks[f"{agent}/{cap}"].append(path)
                fields = dict(base, agent=agent, output=paths[-1], outputs=list(paths), caps=caps,
                              generations=max(caps), repeats=list(range(start, min(repeats, start + chunk))),
                              series=f"{series}/{agent}/caps", base_seed=scale.seed, kind=kind,
                              semantics=scale.semantics, config_file=base["config_prefix"] + CONFIG_NAMES[agent])
                units.append(Unit(f"{series}/{agent}/caps/r{start:04d}", f"{_HERE}:unit_neat",
                                  asdict(NeatCapsUnit(**fields)), paths, tuple(extra_depends), scale.seed))
    for agent in agents if not (caps_from_one_run and axis == "caps") else ():
        for setting in settings:
            label = f"cap-{int(setting):03d}" if axis == "caps" else f"noise-{round(float(setting) * 100):02d}"
            paths = []
            for start in range(0, repeats, chunk):
                path = layout.neat_chunk_file(series, agent, label, start)
                paths.append(path)
                fields = dict(base, agent=agent, output=path, repeats=list(range(start, min(repeats, start + chunk))),
                              series=f"{series}/{agent}/{label}", base_seed=scale.seed, kind=kind,
                              semantics=scale.semantics, config_file=base["config_prefix"] + CONFIG_NAMES[agent])
                if axis == "caps":
                    fields["generations"] = int(setting)
                else:
                    fields["train_noise"] = float(setting)
                units.append(Unit(f"{series}/{agent}/{label}/r{start:04d}", f"{_HERE}:unit_neat",
                                  asdict(run_class(**fields)), (path,), tuple(extra_depends), scale.seed))
            chunks[f"{agent}/{setting}"] = paths
    gather = NeatGatherUnit(agents=list(agents), settings=list(settings), axis=axis, chunks=chunks,
                            eval_noises=list(base["eval_noises"]), output=output,
                            train_noise=base.get("train_noise", 0.0),
                            generations_cap=max(settings) if axis == "caps" else base["generations"])
    return units, Unit(f"{series}/gather", f"{_HERE}:unit_neat_gather", asdict(gather), (output,),
                       tuple(p for paths in chunks.values() for p in paths), scale.seed)


def neat_result(raw: Raw, name: str, keys) -> dict:
    """The gathered experiment ``name`` (``real_world_file(name)``) for a packer; agents as str.

    Raises :class:`works.packing.MissingRaw` when absent and ``ValueError`` when one of ``keys`` is missing.
    """
    relative = layout.real_world_file(name)
    data = raw.npz(relative)
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"raw/{relative} lacks {missing}.")
    data["agents"] = np.asarray([str(a) for a in data["agents"]])
    return data

