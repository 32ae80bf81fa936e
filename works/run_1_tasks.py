"""Step 1 of the pipeline: the five experiments, split into idempotent work units.

``python works/run_1_tasks.py --scale quick --out DIR [--tasks 1 2] [--workers N] [--dask ADDR]
[--semantics corrected] [--uci-dir DIR]``

Each task is a planner ``plan_taskN(scale) -> list of stages`` (a stage is a list of
:class:`works.units.Unit`; stages of one task run in order because later units read earlier files) plus
module-level unit functions ``unit_*(config, raw_dir, seed)`` that compute and atomically write their
outputs. :func:`run_tasks` executes the plan with any executor and records every finished unit in
``OUT/raw/manifest.json``. File formats: the task 1–2 contract of the brief and ``docs/raw-data.md``.

Fixed blocking bugs of the original (always, both semantics): task 2 reads its selection from the folder it
writes (``particular/``, not ``sacrifices/``); task 5 writes ``loop.vs.collider.<name>`` and
``incoherent.vs.coherent.<name>`` under their own names, keeps the collider and loop traces apart, stores
each run once, and records the metrics the packers need; Fig. 6a's caps are whatever the scale lists
(the paper preset runs 20, 30, …, 150); every random draw is seeded from the unit key.

Examples
--------
>>> from works.scales import get_scale
>>> stages = plan(get_scale("smoke"), (1,))[1]
>>> [unit.key for unit in stages[0]][:2]
['task1/robustness/incoherent-loop.1', 'task1/robustness/coherent-loop.1']
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

import numpy as np

from works._io import save_json, save_npz, save_pack
from works.layout import CONFIG_NAMES, PASS_SCORE, SCALES, SEMANTICS
from works.scales import Scale, get_scale, scale_to_dict
from works.storage import Manifest
from works.tasks.escape import plan as plan_task2
from works.tasks.escape import select_escapers, unit_escape
from works.tasks.motifs import plan as plan_task1
from works.tasks.motifs import (unit_difference, unit_imitation, unit_population, unit_tradeoff_chunk,
                                unit_tradeoff_gather)
from works.units import Unit, unit_seed

__all__ = ["TASKS", "plan_task1", "plan_task2", "plan_task3", "plan_task4", "plan_task5", "plan", "run_tasks",
           "select_escapers", "restricted_configurations", "main", "unit_population", "unit_difference",
           "unit_tradeoff_chunk", "unit_tradeoff_gather", "unit_imitation", "unit_escape", "unit_neat",
           "unit_neat_gather", "unit_uci_dataset", "unit_uci_gather", "unit_fit_unrestricted", "unit_fit_gather",
           "unit_fit_restricted", "unit_restricted_gather"]

TASKS = (1, 2, 3, 4, 5)
CONFS = Path(__file__).resolve().parent / "confs"
_HERE = "works.run_1_tasks"


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


def _uci_task(raw_dir, config, maximum_generation):
    from practice.task import SupervisionTask

    with np.load(raw_dir / config["dataset_file"], allow_pickle=False) as data:
        return SupervisionTask(data["train_x"], data["train_y"], data["test_x"], data["test_y"], config["domain"],
                               int(data["label_number"]), [str(t) for t in data["feature_types"]],
                               data["feature_ranges"], maximum_generation)


def unit_neat(config, raw_dir, seed):
    """Tasks 3–4: ``len(repeats)`` NEAT runs of one agent at one training noise; per-repeat seeds from keys."""
    from practice.agent import create_agent_config, evaluate, train
    from practice.task import NEATCartPoleTask

    agent_config = create_agent_config(CONFS / config["config_file"])
    agent_config.pop_size = int(config["population"])
    generations = int(config["generations"])
    if config["kind"] == "cartpole":
        task = NEATCartPoleTask(generations, iterations=int(config["episodes"]))
        evaluation = "reinforcement"
    else:
        task = _uci_task(raw_dir, config, generations)
        evaluation = "supervision"
    eval_noises = [float(level) for level in config["eval_noises"]]
    rows = []
    for repeat in config["repeats"]:
        sequence = unit_seed(config["base_seed"], f"{config['series']}/repeat-{repeat:04d}")
        train_seed, test_seed = sequence.spawn(2)
        if config["kind"] == "cartpole":
            task.iterations = int(config["episodes"])
        agent, experience = train(task, config["agent"], agent_config, _noise(config["train_noise"],
                                                                                config["semantics"]), train_seed)
        experience = list(experience)
        if config["kind"] == "cartpole":
            task.iterations = int(config["eval_episodes"])
        generators = {level: _noise(level, config["semantics"]) for level in eval_noises}
        record = evaluate(task, generators, agent, evaluation, test_seed)
        rows.append(_summary(agent, experience, record, eval_noises, generations))
    arrays = {name: np.stack([np.asarray(row[name]) for row in rows]) for name in rows[0]}
    arrays["repeat"] = np.asarray(config["repeats"], dtype=np.int64)
    save_npz(raw_dir / config["output"], arrays)


def unit_neat_gather(config, raw_dir, seed):
    """Tasks 3–4: stack the chunk files of one experiment into the documented arrays (docs/raw-data.md)."""
    from practice.motif import MOTIF_NAMES

    agents, settings = config["agents"], config["settings"]
    table = {}
    for a, agent in enumerate(agents):
        for s, setting in enumerate(settings):
            parts = [np.load(raw_dir / path) for path in config["chunks"][f"{agent}/{setting}"]]
            merged = {name: np.concatenate([p[name] for p in parts]) for name in parts[0].files}
            order = np.argsort(merged.pop("repeat"), kind="stable")
            table[(a, s)] = {name: value[order] for name, value in merged.items()}
    names = ("train_fitness", "test") if config["axis"] == "caps" else table[(0, 0)].keys()
    arrays = {name: np.stack([np.stack([table[(a, s)][name] for s in range(len(settings))])
                              for a in range(len(agents))]) for name in names}
    out = {"agents": np.array(agents), "eval_noises": np.asarray(config["eval_noises"], dtype=np.float64),
           "generations_cap": np.int64(config["generations_cap"]), "motif_names": np.array(MOTIF_NAMES)}
    axis = config["axis"]
    if axis == "train_noises":
        out["train_noises"] = np.asarray(settings, dtype=np.float64)
        out.update(arrays)
    elif axis == "caps":
        out["caps"] = np.asarray(settings, dtype=np.int64)
        out["train_noise"] = np.float64(config["train_noise"])
        out.update({k: arrays[k] for k in ("train_fitness", "test")})
        min_passes = max(1, len(config["eval_noises"]) - 1)
        passes = (arrays["test"] >= PASS_SCORE).sum(axis=-1) >= min_passes
        out.update(qualified=passes.sum(axis=-1).astype(np.int64), pass_score=np.float64(PASS_SCORE),
                   min_passes=np.int64(min_passes))
    else:  # a single setting: drop the setting axis
        out["train_noise"] = np.float64(config["train_noise"])
        out.update({name: value[:, 0] for name, value in arrays.items()})
    save_npz(raw_dir / config["output"], out)


def _neat_experiment(scale, series, kind, agents, settings, axis, output, base, chunk, repeats, extra_depends=()):
    """Units (one per agent × setting × repeat chunk) and the gather unit of one NEAT experiment."""
    units, chunks = [], {}
    for agent in agents:
        for setting in settings:
            label = f"cap-{int(setting):03d}" if axis == "caps" else f"noise-{round(float(setting) * 100):02d}"
            paths = []
            for start in range(0, repeats, chunk):
                stop = min(repeats, start + chunk)
                path = f"units/{series}/{agent}.{label}.r{start:04d}.npz"
                paths.append(path)
                config = dict(base, agent=agent, output=path, repeats=list(range(start, stop)),
                              series=f"{series}/{agent}/{label}", base_seed=scale.seed, kind=kind,
                              semantics=scale.semantics)
                config["config_file"] = base["config_prefix"] + CONFIG_NAMES[agent]
                if axis == "caps":
                    config["generations"] = int(setting)
                else:
                    config["train_noise"] = float(setting)
                units.append(Unit(f"{series}/{agent}/{label}/r{start:04d}", f"{_HERE}:unit_neat", config, (path,),
                                  tuple(extra_depends), scale.seed))
            chunks[f"{agent}/{setting}"] = paths
    gather = Unit(f"{series}/gather", f"{_HERE}:unit_neat_gather",
                  {"agents": list(agents), "settings": list(settings), "axis": axis, "chunks": chunks,
                   "eval_noises": list(base["eval_noises"]), "output": output,
                   "train_noise": base.get("train_noise", 0.0),
                   "generations_cap": max(settings) if axis == "caps" else base["generations"]},
                  (output,), tuple(p for paths in chunks.values() for p in paths), scale.seed)
    return units, gather


def plan_task3(scale: Scale) -> list:
    """Task 3 (CartPole): noise sweep, generation caps and long runs; units per agent × setting × chunk."""
    t3 = scale.task3
    base = {"population": t3.population, "episodes": t3.episodes, "eval_episodes": t3.eval_episodes,
            "eval_noises": list(t3.eval_noises), "config_prefix": "main/"}
    experiments = [
        ("task3/adjustments.1", t3.agents, t3.train_noises, "train_noises", "real-world/adjustments.1.npz",
         dict(base, generations=t3.generations), t3.repeats),
        ("task3/iterations", t3.agents, t3.caps, "caps", "real-world/iterations.npz",
         dict(base, train_noise=t3.caps_noise), t3.caps_repeats),
        ("task3/adjustments.2", t3.agents, (t3.long_noise,), "single", "real-world/adjustments.2.npz",
         dict(base, generations=t3.long_generations, train_noise=t3.long_noise), t3.long_repeats),
    ]
    work, gathers = [], []
    for series, agents, settings, axis, output, config, repeats in experiments:
        units, gather = _neat_experiment(scale, series, "cartpole", agents, settings, axis, output, config,
                                         t3.repeat_chunk, repeats)
        work += units
        gathers.append(gather)
    return [work, gathers]


def unit_uci_dataset(config, raw_dir, seed):
    """Task 4: the per-class half/half split of one UCI domain (seeded from the unit key)."""
    from practice.datasets import DATASET_ALIASES, prepare_supervision_data

    # Local copies first ($MOTIFEFFECT_UCI_DIR / --uci-dir, the cache); otherwise a verified download.
    data = prepare_supervision_data(config["domain"], seed=np.random.default_rng(seed), download=True,
                                    semantics=config["semantics"])
    save_npz(raw_dir / config["output"], {
        "train_x": data.trained_inputs, "train_y": data.trained_outputs.astype(np.int64),
        "test_x": data.tested_inputs, "test_y": data.tested_outputs.astype(np.int64),
        "label_number": np.int64(data.label_number), "feature_names": np.array(data.data_names),
        "feature_types": np.array(data.data_types), "feature_ranges": data.data_ranges,
        "dataset": np.array(DATASET_ALIASES.get(config["domain"], config["domain"]))})


def unit_uci_gather(config, raw_dir, seed):
    """Task 4: all domains' splits in one pack ``real-world/uci.datasets.npz``."""
    tree = {}
    for domain, path in config["files"].items():
        with np.load(raw_dir / path, allow_pickle=False) as data:
            tree[domain] = {name: data[name] for name in data.files}
    save_pack(raw_dir / "real-world" / "uci.datasets.npz", tree)


def plan_task4(scale: Scale) -> list:
    """Task 4 (UCI): dataset splits; NEAT units per domain × agent × noise × chunk; gathers."""
    t4 = scale.task4
    splits, training, gathers, files = [], [], [], {}
    for domain in t4.domains:
        path = f"units/real-world/uci/{domain}.npz"
        files[domain] = path
        splits.append(Unit(f"task4/datasets/{domain}", f"{_HERE}:unit_uci_dataset",
                           {"domain": domain, "output": path, "semantics": scale.semantics}, (path,), (), scale.seed))
        base = {"population": t4.population, "generations": t4.generations, "eval_noises": list(t4.eval_noises),
                "config_prefix": f"supp/{domain}.", "domain": domain, "dataset_file": path, "episodes": 0,
                "eval_episodes": 0}
        units, gather = _neat_experiment(scale, f"task4/{domain}", "uci", t4.agents, t4.train_noises,
                                         "train_noises", f"real-world/{domain}.npz", base, t4.repeat_chunk,
                                         t4.repeats, extra_depends=(path,))
        training += units
        gathers.append(gather)
    gathers.append(Unit("task4/datasets/gather", f"{_HERE}:unit_uci_gather", {"files": files},
                        ("real-world/uci.datasets.npz",), tuple(files.values()), scale.seed))
    return [splits, training, gathers]


# --------------------------------------------------------------------------------------------------- task 5


def restricted_configurations(indices: str = "all") -> list:
    """Task 5 restricted 10-loop networks as ``(key, flags_1, flags_2)`` in the reference order.

    ``flags_1`` = k zeros (incoherent) then 10 − k ones (coherent), k = 0…10; ``flags_2`` = a multiset of k
    sub-structure indices followed by one of 10 − k (combinations with replacement, lexicographic).
    ``indices="ones"`` keeps only the all-ones sub-structures (11 configurations).

    Examples
    --------
    >>> len(restricted_configurations()), len(restricted_configurations("ones"))
    (19448, 11)
    >>> restricted_configurations("ones")[3][0]
    '0001111111-1111111111'
    """
    if indices not in ("all", "ones"):
        raise ValueError(f"indices must be 'all' or 'ones', got {indices!r}.")
    out = []
    for k in range(11):
        flags_1 = [0] * k + [1] * (10 - k)
        if indices == "ones":
            pairs = [((1,) * k, (1,) * (10 - k))]
        else:
            pairs = itertools.product(itertools.combinations_with_replacement((1, 2, 3, 4), k),
                                      itertools.combinations_with_replacement((1, 2, 3, 4), 10 - k))
        for first, second in pairs:
            flags_2 = list(first) + list(second)
            out.append(("".join(map(str, flags_1)) + "-" + "".join(map(str, flags_2)), flags_1, flags_2))
    return out


def _int_seed(sequence) -> int:
    """A non-negative int seed (``effect.expression.fit_batch``) from a ``SeedSequence``."""
    return int(sequence.generate_state(1)[0])


def unit_fit_unrestricted(config, raw_dir, seed):
    """Task 5 part 1: ``seeds`` batched fits of an unrestricted ``kind`` network with ``n`` motifs (losses only)."""
    from effect.expression import fit_batch

    result = fit_batch(config["kind"], config["n"], config["landscape"], config["seeds"], config["learn_rate"],
                       config["patience"], config["threshold"], config["maximum_iteration"] or None,
                       seed=_int_seed(seed), points=config["points"], metrics="none", semantics=config["semantics"])
    traces = [np.asarray(t, dtype=np.float64).reshape(-1) for t in result["training loss"]]
    lengths = np.array([len(t) for t in traces], dtype=np.int64)
    save_npz(raw_dir / config["output"], {"values": np.concatenate(traces),
                                          "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                                          "final_loss": np.array([t[-1] for t in traces]),
                                          "iterations": lengths})


def unit_fit_gather(config, raw_dir, seed):
    """Task 5 part 1: one ``loop.vs.collider.<name>.npz`` per landscape."""
    tree = {"landscape": np.array(config["landscape"]),
            "motif_numbers": np.asarray(config["motif_numbers"], dtype=np.int64)}
    for kind in ("collider", "loop"):
        tree[kind] = {}
        for n in config["motif_numbers"]:
            with np.load(raw_dir / config["files"][f"{kind}/{n}"], allow_pickle=False) as data:
                tree[kind][f"n{n}"] = {name: data[name] for name in data.files}
    save_pack(raw_dir / config["output"], tree)


METRICS = {"lipschitz": ("lipschitz constant", 1), "sparsity": ("sparsity", 4),
           "spectral_norm": ("spectral norm", 4), "gradient_variance": ("gradient variance", 4),
           "hessian": ("hessian eigenvalue", 3)}


def unit_fit_restricted(config, raw_dir, seed):
    """Task 5 part 2: batched fits (over seeds) of restricted 10-loop networks with all metrics."""
    from effect.expression import fit_batch

    cap = config["maximum_iteration"]
    if config["cap_from"]:
        with np.load(raw_dir / config["cap_from"], allow_pickle=False) as data:
            longest = int(data["iterations"].max())
        cap = min(cap, longest) if cap else longest
    rows = []
    for key, flags_1, flags_2 in config["configurations"]:
        sequence = unit_seed(config["base_seed"], f"{config['series']}/{key}")
        result = fit_batch("restricted", 10, config["landscape"], config["seeds"], config["learn_rate"],
                           config["patience"], config["threshold"], cap or None, flags=(flags_1, flags_2),
                           seed=_int_seed(sequence), points=config["points"], metrics="all",
                           metric_every=config["metric_every"], semantics=config["semantics"])
        for index in range(config["seeds"]):
            loss = np.asarray(result["training loss"][index], dtype=np.float64).reshape(-1)
            iterations = result["metric iterations"]
            if isinstance(iterations, dict):  # one cadence for every metric here
                iterations = iterations["sparsity"]
            steps = np.asarray(iterations[index], dtype=np.int64)
            trace = {"training_loss": loss[steps - 1]}
            for name, (label, width) in METRICS.items():
                value = np.asarray(result[label][index], dtype=np.float64)
                trace[name] = value.reshape(len(steps), width) if width > 1 else value.reshape(len(steps))
            rows.append({"key": key, "seed": index, "k": flags_1.count(0), "steps": steps, "trace": trace,
                         "loss": loss})
    out = {"keys": np.array([row["key"] for row in rows]),
           "incoherent": np.array([row["k"] for row in rows], dtype=np.int64),
           "seed_index": np.array([row["seed"] for row in rows], dtype=np.int64),
           "initial_loss": np.array([row["loss"][0] for row in rows]),
           "final_loss": np.array([row["loss"][-1] for row in rows]),
           "iterations": np.array([len(row["loss"]) for row in rows], dtype=np.int64),
           "maximum_iteration": np.int64(cap or 0),
           "loss/values": np.concatenate([row["loss"] for row in rows]),
           "trace/step": np.concatenate([row["steps"] for row in rows])}
    for name in rows[0]["trace"]:
        out[f"trace/{name}"] = np.concatenate([row["trace"][name] for row in rows])
    save_npz(raw_dir / config["output"], out)


def _samples(steps) -> np.ndarray:
    """Number of metric samples per run from the concatenated 1-based steps (each run restarts at t = 1)."""
    starts = np.flatnonzero(np.asarray(steps) == 1)
    return np.diff(np.concatenate([starts, [len(steps)]])).astype(np.int64)


def unit_restricted_gather(config, raw_dir, seed):
    """Task 5 part 2: one ``incoherent.vs.coherent.<name>.npz`` per landscape (rows in configuration order)."""
    parts = [np.load(raw_dir / path, allow_pickle=False) for path in config["chunks"]]
    out = {"landscape": np.array(config["landscape"]), "metric_every": np.int64(config["metric_every"]),
           "threshold": np.float64(config["threshold"]),
           "maximum_iteration": np.int64(max(int(p["maximum_iteration"]) for p in parts))}
    for name in ("keys", "incoherent", "seed_index", "initial_loss", "final_loss", "iterations"):
        out[name] = np.concatenate([p[name] for p in parts])
    out["success"] = out["final_loss"] <= config["threshold"]
    out["loss/offsets"] = np.concatenate([[0], np.cumsum(out["iterations"])]).astype(np.int64)
    samples = np.concatenate([_samples(p["trace/step"]) for p in parts])
    out["trace/offsets"] = np.concatenate([[0], np.cumsum(samples)]).astype(np.int64)
    for name in parts[0].files:
        if name.startswith(("trace/", "loss/")):
            out[name] = np.concatenate([p[name] for p in parts])
    save_npz(raw_dir / config["output"], out)


def plan_task5(scale: Scale) -> list:
    """Task 5: unrestricted fits per (landscape, kind, n); restricted fits per (landscape, k); gathers."""
    t5 = scale.task5
    common = {"learn_rate": t5.learn_rate, "patience": t5.patience, "threshold": t5.threshold, "points": t5.points,
              "metric_every": t5.metric_every, "base_seed": scale.seed,
              "semantics": scale.semantics}
    first, first_gathers, second, second_gathers = [], [], [], []
    configurations = restricted_configurations(t5.restricted_indices)
    for landscape in t5.landscapes:
        files = {}
        for kind in ("collider", "loop"):
            for n in t5.motif_numbers:
                path = f"units/network-scale/{landscape}/{kind}.{n:02d}.npz"
                files[f"{kind}/{n}"] = path
                series = f"task5/loop.vs.collider/{landscape}/{kind}/{n:02d}"
                first.append(Unit(series, f"{_HERE}:unit_fit_unrestricted",
                                  dict(common, landscape=landscape, kind=kind, n=n, seeds=t5.seeds, output=path,
                                       series=series, maximum_iteration=t5.maximum_iteration), (path,), (),
                                  scale.seed))
        output = f"network-scale/loop.vs.collider.{landscape}.npz"
        first_gathers.append(Unit(f"task5/loop.vs.collider/{landscape}/gather", f"{_HERE}:unit_fit_gather",
                                  {"landscape": landscape, "motif_numbers": list(t5.motif_numbers), "files": files,
                                   "output": output}, (output,), tuple(files.values()), scale.seed))
        largest = max(t5.motif_numbers)
        cap_from = files[f"loop/{largest}"] if largest == 10 else ""
        chunks = []
        for k in range(11):
            chosen = [c for c in configurations if c[1].count(0) == k]
            for start in range(0, len(chosen), 500):
                path = f"units/network-scale/{landscape}/restricted.k{k:02d}.{start:05d}.npz"
                chunks.append(path)
                series = f"task5/incoherent.vs.coherent/{landscape}"
                second.append(Unit(f"{series}/k{k:02d}/{start:05d}", f"{_HERE}:unit_fit_restricted",
                                   dict(common, landscape=landscape, configurations=chosen[start:start + 500],
                                        seeds=t5.restricted_seeds, output=path, series=series, cap_from=cap_from,
                                        maximum_iteration=t5.maximum_iteration),
                                   (path,), (cap_from,) if cap_from else (), scale.seed))
        output = f"network-scale/incoherent.vs.coherent.{landscape}.npz"
        second_gathers.append(Unit(f"task5/incoherent.vs.coherent/{landscape}/gather",
                                   f"{_HERE}:unit_restricted_gather",
                                   {"landscape": landscape, "chunks": chunks, "output": output,
                                    "metric_every": t5.metric_every, "threshold": t5.threshold},
                                   (output,), tuple(chunks), scale.seed))
    return [first, first_gathers, second, second_gathers]


# --------------------------------------------------------------------------------------------------- driver

PLANNERS = {1: plan_task1, 2: plan_task2, 3: plan_task3, 4: plan_task4, 5: plan_task5}
def plan(scale: Scale, tasks=TASKS) -> dict:
    """``{task number: list of stages}`` for the requested tasks."""
    for task in tasks:
        if task not in PLANNERS:
            raise ValueError(f"tasks must be a subset of {TASKS}, got {task!r}.")
    return {task: PLANNERS[task](scale) for task in tasks}


def run_tasks(out_dir, scale: Scale, tasks=TASKS, executor=None, progress: bool = True, log=print) -> dict:
    """Run the requested tasks; returns ``{task: {"computed": n, "skipped": n, "seconds": s}}``.

    Units already recorded in ``OUT/raw/manifest.json`` with intact files are skipped; each finished unit is
    recorded immediately (an interruption loses at most the units in flight).
    """
    from tqdm import tqdm

    from works.executors import make_executor

    raw_dir = Path(out_dir) / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    save_json(raw_dir / "config.json", scale_to_dict(scale))
    manifest = Manifest(raw_dir)
    own = executor is None
    executor = make_executor() if own else executor
    summary = {}
    try:
        for task, stages in plan(scale, tasks).items():
            start, computed, skipped = time.perf_counter(), 0, 0
            total = sum(len(stage) for stage in stages)
            bar = tqdm(total=total, desc=f"task {task}", disable=not progress, leave=True)
            for stage in stages:
                todo = [unit for unit in stage if not manifest.is_done(unit)]
                skipped += len(stage) - len(todo)
                bar.update(len(stage) - len(todo))
                for record in executor.run(todo, raw_dir):
                    manifest.record(record)
                    computed += 1
                    bar.update(1)
            bar.close()
            summary[task] = {"computed": computed, "skipped": skipped,
                             "seconds": round(time.perf_counter() - start, 2)}
            if log:
                log(f"task {task}: {computed} units computed, {skipped} already done "
                    f"({summary[task]['seconds']} s)")
    finally:
        if own:
            executor.close()
    return summary


def _parser():
    parser = argparse.ArgumentParser(description="Run the raw-data tasks 1-5 of the MotifEffect pipeline.")
    parser.add_argument("--out", required=True, help="output directory OUT (writes OUT/raw)")
    parser.add_argument("--scale", default="quick", choices=SCALES)
    parser.add_argument("--tasks", nargs="+", type=int, default=list(TASKS), choices=TASKS)
    parser.add_argument("--workers", type=int, default=None, help="processes (default all cores; 1 = in-process)")
    parser.add_argument("--dask", default=None, help="'local' (LocalCluster) or a scheduler address tcp://host:port")
    parser.add_argument("--semantics", default="reference", choices=SEMANTICS)
    parser.add_argument("--seed", type=int, default=None, help="base seed (default: the preset's)")
    parser.add_argument("--uci-dir", default=None, help="folder with the vendored UCI files (task 4)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def configure(args):
    """Scale and executor from parsed CLI arguments (also sets the UCI folder for task 4)."""
    from works.executors import make_executor

    if args.uci_dir:
        os.environ["MOTIFEFFECT_UCI_DIR"] = str(Path(args.uci_dir).resolve())
    scale = get_scale(args.scale, args.semantics, args.seed)
    return scale, make_executor(args.workers, args.dask)


def main(argv=None) -> dict:
    """CLI entry point; returns the run summary."""
    args = _parser().parse_args(argv)
    scale, executor = configure(args)
    with executor:
        return run_tasks(args.out, scale, tuple(args.tasks), executor, progress=not args.quiet)


if __name__ == "__main__":
    main()
