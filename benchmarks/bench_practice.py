"""Per-item (the original's way) versus fast paths of the ``practice`` package on the same work.

Prints a Markdown table and writes JSON (default ``benchmarks/results/bench_practice.json``).
Rows:

1. **genome evaluation** (100 CartPole episodes per genome, ≤ 200 steps): gymnasium's
   ``CartPoleEnv`` stepped one call at a time with neat-python 2.0
   ``FeedForwardNetwork.activate`` per step, versus :func:`practice.rollout.cartpole_rollouts`
   over a whole generation (250 genomes × 100 episodes at once). Genomes come from a seeded
   NEAT run (baseline config, ``practice.evolve`` classes on neat-python 2.0, batched
   evaluation): generation 0 (no connections) and generation ``k`` (hidden nodes and
   connections, mean fitness ≈ 20, best ≈ 180); optionally with L-2 observation noise. Work
   unit: environment steps. Networks are compiled with ``neat_semantics="2.0"`` so that both
   sides compute the same function and must give the same fitness (the "0.92" rule set costs
   the same).
2. **forbidden-loop detection** on 40-node signed DAGs and on the children of the NEAT run:
   the brute-force ``detect_motifs_from_adjacency_matrix`` (the original ``detect``) versus
   :func:`practice.census.has_forbidden_loop`; both must agree.
3. **motif census** of a random signed digraph (10,000 nodes, 100,000 edges):
   :func:`practice.census.loop_pattern_counts` (sparse) versus networkx ``triadic_census``
   (unsigned; its 030T / 021U counts must equal our loop / collider totals).
4. **one CartPole generation** at pop 250 (evaluation + reproduction + speciation) from the
   same saved population state: per-step evaluation versus batched evaluation; the adjusted
   strategy too when ``practice.evolve`` provides ``AdjustedReproduction``.

Usage::

    python benchmarks/bench_practice.py [--quick] [--json PATH] [--seed S] [--only ROW ...]
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from _timing import timed  # benchmarks/ is on sys.path when run as a script

#: The study's baseline CartPole config with the keys neat-python 2.0
#: needs written explicitly: no_fitness_termination, single_structural_mutation,
#: structural_mutation_surer, *_init_type, min_species_size = 2.
BASELINE_CONFIG = """\
[NEAT]
fitness_criterion      = max
fitness_threshold      = 195
pop_size               = 250
reset_on_extinction    = 0
no_fitness_termination = False

[{genome}]
num_inputs  = 4
num_outputs = 2
num_hidden  = 0
{extra}feed_forward = True
initial_connection = unconnected
single_structural_mutation = false
structural_mutation_surer  = default
activation_default = tanh
activation_options = tanh
activation_mutate_rate = 0.0
aggregation_default = sum
aggregation_options = sum
aggregation_mutate_rate = 0.0
bias_init_mean = 0.0
bias_init_stdev = 1.0
bias_init_type = gaussian
bias_min_value = -1.0
bias_max_value = 1.0
bias_mutate_power = 0.5
bias_mutate_rate = 0.7
bias_replace_rate = 0.1
compatibility_disjoint_coefficient = 1.0
compatibility_weight_coefficient = 1.0
conn_add_prob = 0.9
conn_delete_prob = 0.2
enabled_default = True
enabled_mutate_rate = 0.01
enabled_rate_to_true_add = 0.0
enabled_rate_to_false_add = 0.0
node_add_prob = 0.9
node_delete_prob = 0.2
response_init_mean = 1.0
response_init_stdev = 0.0
response_init_type = gaussian
response_min_value = -1.0
response_max_value = 1.0
response_mutate_power = 0.0
response_mutate_rate = 0.0
response_replace_rate = 0.0
weight_init_mean = 0.0
weight_init_stdev = 1.0
weight_init_type = gaussian
weight_min_value = -1.0
weight_max_value = 1.0
weight_mutate_power = 0.5
weight_mutate_rate = 0.8
weight_replace_rate = 0.1

[DefaultSpeciesSet]
compatibility_threshold = 3.0

[DefaultStagnation]
species_fitness_func = max
max_stagnation = 20
species_elitism = 4

[{reproduction}]
elitism = 2
survival_threshold = 0.2
min_species_size = 2
"""

N_EPISODES = 100
TOTAL_STEPS = 200


# ------------------------------------------------------------------------------------------------
# NEAT set-up (neat-python 2.0)
# ------------------------------------------------------------------------------------------------

def make_config(directory, remove_type=None):
    """A ``neat.Config`` for the baseline (``remove_type=None``) or an adjusted strategy.

    Uses ``practice.evolve``'s genome and reproduction classes (neat-python 0.92 operators on
    neat-python 2.0); the baseline falls back to neat's default classes if that module is missing.
    """
    import neat

    if remove_type is None:
        try:  # the project's baseline: the same 0.92 operators and reproduction loop, no filter
            from practice.evolve import BaselineGenome, BaselineReproduction
            classes = (BaselineGenome, BaselineReproduction)
        except ImportError:
            classes = (neat.DefaultGenome, neat.DefaultReproduction)
        text = BASELINE_CONFIG.format(genome="DefaultGenome", reproduction="DefaultReproduction", extra="")
    else:
        from practice.evolve import AdjustedGenome, AdjustedReproduction

        classes = (AdjustedGenome, AdjustedReproduction)
        text = BASELINE_CONFIG.format(genome="AdjustedGenome", reproduction="AdjustedReproduction",
                                      extra=f"remove_type = {remove_type}\n")
    path = Path(directory) / f"{remove_type or 'baseline'}.config"
    path.write_text(text)
    return neat.Config(classes[0], classes[1], neat.DefaultSpeciesSet, neat.DefaultStagnation, str(path))


def compile_all(genomes, config):
    """neat-python 2.0 semantics, so that fitness equals the per-step loop with neat 2.0 ``activate``."""
    from practice.network import compile_genome

    return [compile_genome(genome, config, "2.0") for genome in genomes]


def evaluate_batched(genomes, config, seeds, noise=None):
    """Fitness of every genome by one :func:`cartpole_rollouts` call (the fast path)."""
    from practice.rollout import cartpole_rollouts

    result = cartpole_rollouts(compile_all(genomes, config), seeds=seeds, total_steps=TOTAL_STEPS, noise=noise)
    return result.fitness, int(result.lengths.sum())


def evaluate_per_step(genomes, config, seeds, noise=None):
    """The original's evaluation: one ``CartPoleEnv``, one ``activate`` and one env step per call."""
    import neat
    from gymnasium.envs.classic_control import CartPoleEnv

    from practice.cartpole import STATE_BOUNDS

    env = CartPoleEnv()
    fitness, steps = [], 0
    for genome in genomes:
        network = neat.nn.FeedForwardNetwork.create(genome, config)
        total = 0.0
        for seed in seeds:
            observation, _ = env.reset(seed=int(seed))
            for _ in range(TOTAL_STEPS):
                if noise is not None:
                    observation = noise.get_samples(observation.copy(), 1, -STATE_BOUNDS, STATE_BOUNDS)
                action = int(np.argmax(network.activate(observation)))
                observation, reward, terminated, _, _ = env.step(action)
                total += reward
                steps += 1
                if terminated:
                    break
        fitness.append(total / len(seeds))
    return np.array(fitness), steps


def one_generation(population, evaluate):
    """Evaluate, reproduce and speciate once (``Population.run``'s body, no reporters or stop)."""
    genomes = list(population.population.values())
    start = time.perf_counter()
    fitness, steps = evaluate(genomes, population.config)
    for genome, value in zip(genomes, fitness):
        genome.fitness = float(value)
    t_eval = time.perf_counter() - start
    start = time.perf_counter()
    population.population = population.reproduction.reproduce(population.config, population.species,
                                                              population.config.pop_size,
                                                              population.generation)
    population.species.speciate(population.config, population.population, population.generation)
    population.generation += 1
    return {"evaluation_s": t_eval, "reproduction_s": time.perf_counter() - start, "steps": steps,
            "fitness": np.asarray(fitness)}


def clone(population):
    """Deep copy of a ``neat.Population`` that leaves the original's node-key counter untouched.

    neat-python 2.0's ``DefaultGenomeConfig.__getstate__`` peeks the next node key with
    ``next(node_indexer)``, so every deepcopy/pickle advances the *original* counter by one; two
    copies of one state would then breed different node keys. Restore the counter here.
    """
    twin = copy.deepcopy(population)
    counter = twin.config.genome_config.node_indexer
    if counter is not None:
        value = next(counter)
        twin.config.genome_config.node_indexer = itertools.count(value)
        population.config.genome_config.node_indexer = itertools.count(value)
    return twin


def evolve(config, n_generations, seed):
    """A seeded NEAT run with batched evaluation; returns the populations (genome lists) and states.

    ``states[k]`` is a deep copy of the ``neat.Population`` before generation ``k`` is evaluated.
    """
    import neat

    population = neat.Population(config, seed=seed)
    rng = np.random.default_rng(seed)
    generations, states = [], []
    for _ in range(n_generations + 1):
        states.append(clone(population))
        generations.append(list(population.population.values()))
        seeds = rng.integers(0, 2 ** 31, size=N_EPISODES)
        one_generation(population, lambda genomes, cfg: evaluate_batched(genomes, cfg, seeds))
    return generations, states


def genome_adjacency(genome, genome_config):
    """``create_adjacency_matrix(genome, config, consider_enable=False)``."""
    try:
        from practice.evolve import create_adjacency_matrix
    except ImportError:
        pass
    else:
        return create_adjacency_matrix(genome, genome_config, consider_enable=False)
    n_in, n_out = genome_config.num_inputs, genome_config.num_outputs
    index = {-n_in + k: k for k in range(n_in)}
    for offset, key in enumerate(genome.nodes):
        index[key] = n_in + offset
    matrix = np.zeros((n_in + n_out + len(genome.nodes),) * 2)
    for (source, target), gene in genome.connections.items():
        matrix[index[source], index[target]] = gene.weight
    matrix[:n_in, :n_in] = 0.0
    matrix[n_in:n_in + n_out, n_in + n_out:] = 0.0
    return matrix


# ------------------------------------------------------------------------------------------------
# Rows
# ------------------------------------------------------------------------------------------------

def subset(genomes, count):
    """``count`` genomes spread evenly over the population (keys order)."""
    picks = np.linspace(0, len(genomes) - 1, min(count, len(genomes))).round().astype(int)
    return [genomes[i] for i in picks]


def bench_evaluation(label, genomes, config, n_loop, seed, noise_scale=0.0):
    """Row 1: per-step loop on ``n_loop`` genomes vs batched over all ``genomes`` (steps/s)."""
    from practice.noise import NormNoiseGenerator

    seeds = np.random.default_rng(seed).integers(0, 2 ** 31, size=N_EPISODES)
    chosen = subset(genomes, n_loop)

    def noise():
        return None if noise_scale == 0 else NormNoiseGenerator("L-2", noise_scale=noise_scale, seed=seed)

    t_item, (slow, steps_item) = timed(lambda: evaluate_per_step(chosen, config, seeds, noise()))
    t_same, (same, steps_same) = timed(lambda: evaluate_batched(chosen, config, seeds, noise()), repeat=3)
    t_batch, (_, steps_batch) = timed(lambda: evaluate_batched(genomes, config, seeds, noise()), repeat=3)
    row = {"work": f"genome evaluation, {label}", "unit": "env steps/s",
           "per_item": steps_item / t_item, "batched": steps_batch / t_batch,
           # per genome at the generation's mean work (steps), so that the two times are comparable
           "per_item_s_per_genome": t_item / steps_item * steps_batch / len(genomes),
           "batched_s_per_genome": t_batch / len(genomes),
           "per_item_us_per_step": 1e6 * t_item / steps_item, "batched_us_per_step": 1e6 * t_batch / steps_batch,
           "n_per_item_genomes": len(chosen), "n_batched_genomes": len(genomes),
           "mean_steps_per_genome": steps_batch / len(genomes),
           "same_genomes_batched_steps_per_s": steps_same / t_same, "noise_scale": noise_scale}
    if noise_scale == 0:
        row["fitness_equal"] = bool(np.array_equal(slow, same))
    else:
        # different noise draw order: compare the means only loosely (not an identity)
        row["fitness_equal"] = None
    return row


def random_dag(n_nodes, n_edges, rng):
    """Random signed DAG (random topological order) with exactly ``n_edges`` edges, weights ±U(0.05, 1)."""
    upper = np.flatnonzero(np.triu(np.ones((n_nodes, n_nodes), dtype=bool), 1).ravel())
    chosen = rng.choice(upper, size=n_edges, replace=False)
    weights = np.zeros(n_nodes * n_nodes)
    weights[chosen] = rng.choice([-1.0, 1.0], size=n_edges) * rng.uniform(0.05, 1.0, size=n_edges)
    order = rng.permutation(n_nodes)
    return weights.reshape(n_nodes, n_nodes)[np.ix_(order, order)]


def original_detect(matrix, remove_type):
    """The original ``AdjustedReproduction.detect`` after building the matrix (brute force)."""
    from practice.motif import _reference_motif_matrices, detect_motifs_from_adjacency_matrix

    templates = _reference_motif_matrices()
    if remove_type in ("i", "a") and detect_motifs_from_adjacency_matrix(matrix, 3, templates[:4]):
        return True
    if remove_type in ("c", "a") and detect_motifs_from_adjacency_matrix(matrix, 3, templates[4:8]):
        return True
    return False


def bench_detection(label, matrices, remove_type, repeat_fast=20):
    """Row 2: brute-force detect vs ``has_forbidden_loop`` on the same matrices."""
    from practice.census import has_forbidden_loop

    t_item, slow = timed(lambda: [original_detect(m, remove_type) for m in matrices])
    t_fast, fast = timed(lambda: [has_forbidden_loop(m, remove_type) for m in matrices], repeat=repeat_fast)
    n = len(matrices)
    return {"work": f"forbidden-loop detection ('{remove_type}'), {label}", "unit": "matrices/s",
            "per_item": n / t_item, "batched": n / t_fast, "n_matrices": n,
            "mean_nodes": float(np.mean([m.shape[0] for m in matrices])),
            "mean_edges": float(np.mean([np.count_nonzero(m) for m in matrices])),
            "fraction_detected": float(np.mean(fast)), "agree": slow == fast}


def random_signed_digraph(n_nodes, n_edges, rng):
    """``n_edges`` distinct off-diagonal edges (a→b, uniform), weights ±U(0.1, 1), as CSR."""
    import scipy.sparse as sp

    keys = np.unique(rng.integers(0, n_nodes * n_nodes, size=int(n_edges * 1.1) + 100))
    keys = rng.permutation(keys[keys // n_nodes != keys % n_nodes])[:n_edges]
    rows, cols = keys // n_nodes, keys % n_nodes
    weights = rng.choice([-1.0, 1.0], size=n_edges) * rng.uniform(0.1, 1.0, size=n_edges)
    return sp.csr_array((weights, (rows, cols)), shape=(n_nodes, n_nodes))


def bench_census(n_fast, m_fast, n_nx, m_nx, seed):
    """Row 3: signed census (sparse products) vs networkx ``triadic_census``."""
    import networkx as nx

    from practice.census import loop_pattern_counts

    rng = np.random.default_rng(seed)
    big = random_signed_digraph(n_fast, m_fast, rng)
    small = big if (n_nx, m_nx) == (n_fast, m_fast) else random_signed_digraph(n_nx, m_nx, rng)
    t_big, _ = timed(lambda: loop_pattern_counts(big, semantics="corrected"), repeat=3)
    t_small, counts = timed(lambda: loop_pattern_counts(small, semantics="corrected"), repeat=3)
    coo = small.tocoo()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n_nx))
    graph.add_edges_from(zip(coo.row.tolist(), coo.col.tolist()))
    t_nx, census = timed(lambda: nx.triadic_census(graph))
    loops = sum(value for name, value in counts.items() if "loop" in name)
    colliders = counts["collider.1"] + counts["collider.2"] + counts["collider.4"]
    return {"work": f"motif census, networkx on {n_nx:,} nodes / {m_nx:,} edges", "unit": "graphs/s",
            "per_item": 1 / t_nx, "batched": 1 / t_small, "networkx_s": t_nx, "fast_s_same_graph": t_small,
            "fast_s_large_graph": t_big, "large_graph": [n_fast, m_fast], "networkx_graph": [n_nx, m_nx],
            "agree": bool(loops == census["030T"] and colliders == census["021U"]),
            "loops": int(loops), "colliders": int(colliders)}


def brute_force_detect(remove_type):
    """A drop-in for ``AdjustedReproduction.detect`` that runs the original brute-force search."""
    from practice.evolve import create_adjacency_matrix

    def detect(model_genome, genome_config, remove_type_=None, mode="reference"):
        matrix = create_adjacency_matrix(model_genome, genome_config, consider_enable=False, mode=mode)
        return original_detect(matrix, remove_type)

    return detect


def same_population(first, second):
    """Same genome keys with the same connection genes (keys and weights) and node biases."""
    if list(first) != list(second):
        return False
    for key in first:
        a, b = first[key], second[key]
        if {k: g.weight for k, g in a.connections.items()} != {k: g.weight for k, g in b.connections.items()}:
            return False
        if {k: g.bias for k, g in a.nodes.items()} != {k: g.bias for k, g in b.nodes.items()}:
            return False
    return True


def bench_generation(label, state, n_loop, seed, remove_type=None):
    """Row 4: one generation (evaluation + reproduction + speciation) from the same saved state.

    Reference: per-step evaluation and, for an adjusted strategy, the brute-force ``detect``
    in the rejection loop; fast: batched evaluation and the closed-form detect. Both start
    from deep copies of ``state`` with the same Python ``random`` seed, so they must breed the
    same next generation. The per-step path evaluates ``n_loop`` genomes (all when ``n_loop``
    ≥ population size); when fewer, its evaluation time is extrapolated linearly in env steps
    to the whole population (flagged ``extrapolated``) and the reference reproduction reuses
    the batched fitness.
    """
    seeds = np.random.default_rng(seed).integers(0, 2 ** 31, size=N_EPISODES)
    fast_state = clone(state)
    random.seed(seed)
    fast = one_generation(fast_state, lambda genomes, cfg: evaluate_batched(genomes, cfg, seeds))
    size = len(state.population)
    extrapolated = n_loop < size
    slow_state = clone(state)
    if remove_type is not None:
        slow_state.reproduction.detect = brute_force_detect(remove_type)
    if extrapolated:
        genomes = subset(list(state.population.values()), n_loop)
        t_loop, (slow_fitness, steps) = timed(lambda: evaluate_per_step(genomes, state.config, seeds))
        position = {id(g): i for i, g in enumerate(state.population.values())}
        fitness_agree = bool(np.array_equal(slow_fitness, fast["fitness"][[position[id(g)] for g in genomes]]))
        random.seed(seed)
        slow = one_generation(slow_state, lambda genomes, cfg: (fast["fitness"], fast["steps"]))
        slow["evaluation_s"] = t_loop * fast["steps"] / steps
    else:
        random.seed(seed)
        slow = one_generation(slow_state, lambda genomes, cfg: evaluate_per_step(genomes, cfg, seeds))
        fitness_agree = bool(np.array_equal(slow["fitness"], fast["fitness"]))
    agree = fitness_agree and same_population(slow_state.population, fast_state.population)
    per_item = slow["evaluation_s"] + slow["reproduction_s"]
    batched = fast["evaluation_s"] + fast["reproduction_s"]
    rejections = getattr(fast_state.reproduction, "rejections", [None])[-1]
    return {"work": f"one CartPole generation, pop {size}, {label}", "unit": "generations/s",
            "per_item": 1 / per_item, "batched": 1 / batched, "per_item_s": per_item, "batched_s": batched,
            "per_item_evaluation_s": slow["evaluation_s"], "per_item_reproduction_s": slow["reproduction_s"],
            "batched_evaluation_s": fast["evaluation_s"], "batched_reproduction_s": fast["reproduction_s"],
            "env_steps": fast["steps"], "mean_fitness": float(fast["fitness"].mean()),
            "children_rejected": rejections, "next_population": len(fast_state.population),
            "extrapolated": extrapolated, "n_per_item_genomes": min(n_loop, size), "agree": agree}


# ------------------------------------------------------------------------------------------------

def fmt_time(seconds):
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def describe(row):
    """(reference time, fast time, notes) strings for the table."""
    work = row["work"]
    if work.startswith("genome evaluation"):
        ref, fast = fmt_time(row["per_item_s_per_genome"]), fmt_time(row["batched_s_per_genome"])
        notes = (f"per genome of {row['mean_steps_per_genome']:.0f} steps ({row['per_item_us_per_step']:.1f} vs "
                 f"{row['batched_us_per_step']:.2f} µs/step); loop on "
                 f"{row['n_per_item_genomes']}, batched {row['n_batched_genomes']} at once "
                 f"({row['same_genomes_batched_steps_per_s'] / row['per_item']:.0f}x batching only the "
                 f"{row['n_per_item_genomes']})")
        if row["fitness_equal"] is not None:
            notes += f"; fitness equal: {row['fitness_equal']}"
        return ref, fast, notes
    if work.startswith("forbidden-loop"):
        n = row["n_matrices"]
        return (fmt_time(1 / row["per_item"]), fmt_time(1 / row["batched"]),
                f"per matrix; {n} matrices, {row['mean_nodes']:.1f} nodes, {row['mean_edges']:.1f} edges; "
                f"{100 * row['fraction_detected']:.0f} % detected; agree: {row['agree']}")
    if work.startswith("motif census"):
        n, m = row["large_graph"]
        return (fmt_time(row["networkx_s"]), fmt_time(row["fast_s_same_graph"]),
                f"fast on {n:,} nodes / {m:,} edges: {fmt_time(row['fast_s_large_graph'])}; "
                f"030T/021U = loops/colliders: {row['agree']}")
    notes = (f"eval {fmt_time(row['per_item_evaluation_s'])} vs {fmt_time(row['batched_evaluation_s'])}, "
             f"reproduction {fmt_time(row['per_item_reproduction_s'])} vs "
             f"{fmt_time(row['batched_reproduction_s'])}; {row['env_steps']:,} steps, mean fitness "
             f"{row['mean_fitness']:.1f}; same next generation: {row['agree']}")
    if row["children_rejected"] is not None and "adjusted" in work:
        notes += f"; {row['children_rejected']} children rejected"
    if row["extrapolated"]:
        notes += f"; reference eval extrapolated from {row['n_per_item_genomes']} genomes"
    return fmt_time(row["per_item_s"]), fmt_time(row["batched_s"]), notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under a minute)")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_practice.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generation", type=int, default=3, help="generation of the 'evolved' genomes")
    parser.add_argument("--only", nargs="*", default=["evaluation", "detection", "census", "generation"])
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    quick = args.quick
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        config = make_config(directory)
        need_neat = {"evaluation", "detection", "generation"} & set(args.only)
        if need_neat:
            start = time.perf_counter()
            generations, states = evolve(config, args.generation, args.seed)
            print(f"NEAT run: {args.generation} generations in {time.perf_counter() - start:.1f} s", flush=True)
            evolved = generations[args.generation]
            label = f"generation {args.generation}"
        if "evaluation" in args.only:
            n_loop = 4 if quick else 40
            rows.append(bench_evaluation("generation 0", generations[0], config, n_loop, args.seed + 1))
            rows.append(bench_evaluation(label, evolved, config, n_loop, args.seed + 2))
            rows.append(bench_evaluation(f"{label}, L-2 noise 0.3", evolved, config, n_loop // 2,
                                         args.seed + 3, noise_scale=0.3))
            print("done: evaluation", flush=True)
        if "detection" in args.only:
            rng = np.random.default_rng(args.seed + 4)
            count = 3 if quick else 10
            for n_edges in (40, 120):
                dags = [random_dag(40, n_edges, rng) for _ in range(count)]
                rows.append(bench_detection(f"random 40-node DAGs, {n_edges} edges", dags, "i", repeat_fast=5))
            children = [genome_adjacency(g, config.genome_config) for gen in generations[1:] for g in gen]
            children = subset(children, 100 if quick else len(children))
            rows.append(bench_detection(f"NEAT genomes of generations 1-{args.generation}", children, "a"))
            print("done: detection", flush=True)
        if "census" in args.only:
            small = (1_000, 10_000) if quick else (10_000, 100_000)
            rows.append(bench_census(10_000, 100_000, *small, args.seed + 5))
            print("done: census", flush=True)
        if "generation" in args.only:
            n_loop = 25 if quick else 250
            rows.append(bench_generation(f"baseline, {label}", states[args.generation], n_loop, args.seed + 6))
            try:
                adjusted = make_config(directory, remove_type="a")
            except ImportError as error:
                print(f"adjusted strategy skipped: {error}")
            else:
                _, adjusted_states = evolve(adjusted, args.generation, args.seed)
                rows.append(bench_generation(f"adjusted[a], {label}", adjusted_states[args.generation],
                                             n_loop, args.seed + 6, remove_type="a"))
            print("done: generation", flush=True)
    for row in rows:
        row["speedup"] = row["batched"] / row["per_item"]
    print()
    print("| work | reference (per item) | fast | speed-up | notes |")
    print("| --- | ---: | ---: | ---: | --- |")
    for row in rows:
        reference, fast, notes = describe(row)
        print(f"| {row['work']} | {reference} | {fast} | {row['speedup']:.0f}x | {notes} |")
    import gymnasium
    import neat
    record = {"machine": platform.platform(), "cpus": os.cpu_count(), "quick": quick, "seed": args.seed,
              "numpy": np.__version__, "neat-python": getattr(neat, "__version__", "2.0.0"),
              "gymnasium": gymnasium.__version__, "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1, default=lambda value: value.tolist()
                                    if isinstance(value, np.ndarray) else str(value)))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
