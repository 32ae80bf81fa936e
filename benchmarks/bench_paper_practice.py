"""One NEAT generation at paper sizes, before → after the ``practice`` speed-ups, in the same run.

Prints a Markdown table and writes JSON (default ``benchmarks/results/bench_paper_practice.json``).
Single thread (BLAS/OpenMP pinned to one thread); "before" and "after" alternate ``--repeat`` times
from the same saved population state and the best CPU time of each is reported.

Rows:

1. **CartPole generation** (task 3): adjusted[i] config, population 250, 100 episodes of at most
   200 steps per genome, L-2 observation noise 0.3, then reproduction and speciation. The state is a
   seeded run evolved ``--generations`` generations with cheap evaluations (3 episodes), so the
   genomes have hidden nodes and mid-length episodes (late generations, with near-200-step
   episodes, spend relatively more in the network evaluation and less in seeding).
2. **CartPole generation, per-element tanh**: the same with tanh forced to the per-element path
   taken where numpy's expm1 is not the C library's (AVX-512 numpy builds).
3. **UCI generation** (task 4): biology (Ecoli) adjusted[i] config, population 150, after
   ``--uci-generations`` generations.

"before" = the code this benchmark was written against, swapped in at run time: one numpy
``Generator`` per episode for the initial states (``initial_states_reference``), the padded
``NetworkBatch.activate`` that evaluates every node position for every row, neat-python's own
gene mutation (``DefaultGenome.mutate``) and the 0.92 crossover through neat's ``copy`` and
``crossover`` (both copied below), and ``np.frompyfunc(math.tanh)`` on every element as the
per-element tanh. "after" = the library as it is. Both must give identical fitnesses and
offspring (checked).

Usage::

    python benchmarks/bench_paper_practice.py [--repeat R] [--generations G] [--uci-generations G]
                                              [--json PATH] [--uci-dir DIR]
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import copy  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import neat  # noqa: E402

from practice import network as network_module  # noqa: E402
from practice import rollout as rollout_module  # noqa: E402
from practice.agent import create_agent_config  # noqa: E402
from practice.cartpole import initial_states_reference  # noqa: E402
from practice.evolve import AdjustedGenome  # noqa: E402
from practice.noise import NormNoiseGenerator  # noqa: E402
from practice.task import NEATCartPoleTask, SupervisionTask  # noqa: E402

CONFS = ROOT / "works" / "confs"


def activate_before(self, inputs, genome_index):
    """``NetworkBatch.activate`` before this change: every node position for every row."""
    inputs = np.asarray(inputs, dtype=np.float64)
    genome_index = np.asarray(genome_index, dtype=np.int64)
    M = inputs.shape[0]
    values = np.zeros((self.n_slots, M))
    values[:self.n_inputs] = inputs.T
    flat = values.reshape(-1)
    column = np.arange(M)
    for k, n_links in enumerate(self.link_counts):
        total = np.zeros(M)
        for j in range(n_links):
            index = self.src[k, j][genome_index] * M + column
            total = total + flat[index] * self.weight[k, j][genome_index]
        z = self.bias[k][genome_index] + self.response[k][genome_index] * total
        flat[self.dst[k][genome_index] * M + column] = network_module.neat_tanh(z)
    return values[self.n_inputs:self.n_inputs + self.n_outputs].T.copy()


def configure_crossover_before(self, genome1, genome2, config):
    """``AdjustedGenome.configure_crossover`` before this change (0.92 rules)."""
    if not self._is_092(config):
        return neat.DefaultGenome.configure_crossover(self, genome1, genome2, config)
    if genome1.fitness > genome2.fitness:
        parent1, parent2 = genome1, genome2
    else:
        parent1, parent2 = genome2, genome1
    for key, gene1 in parent1.connections.items():
        gene2 = parent2.connections.get(key)
        if gene2 is None:
            self.connections[key] = gene1.copy()
        else:
            child = gene1.copy()
            for attribute in gene1._gene_attributes:
                source = gene1 if random.random() > 0.5 else gene2
                setattr(child, attribute.name, getattr(source, attribute.name))
            self.connections[key] = child
    for key, node1 in parent1.nodes.items():
        node2 = parent2.nodes.get(key)
        self.nodes[key] = node1.copy() if node2 is None else node1.crossover(node2)


_FROMPYFUNC_TANH = np.frompyfunc(math.tanh, 1, 1)


def tanh_before_per_element(x):
    """The per-element fallback before this change (and its scalar bug, irrelevant here)."""
    return _FROMPYFUNC_TANH(np.asarray(x, dtype=np.float64)).astype(np.float64)


@contextlib.contextmanager
def implementation(before, per_element_tanh):
    """Swap in the "before" code paths (or not) and the tanh mode for the duration."""
    saved = (rollout_module.initial_states, network_module.NetworkBatch.activate, network_module._TANH,
             dict(network_module._TANH_CANDIDATES), AdjustedGenome.mutate, AdjustedGenome.configure_crossover)
    try:
        if before:
            rollout_module.initial_states = initial_states_reference
            network_module.NetworkBatch.activate = activate_before
            AdjustedGenome.mutate = neat.DefaultGenome.mutate
            AdjustedGenome.configure_crossover = configure_crossover_before
        if per_element_tanh:
            if before:
                network_module._TANH_CANDIDATES["frompyfunc"] = tanh_before_per_element
                network_module._TANH = "frompyfunc"
            else:
                network_module._TANH = "elementwise"
        yield
    finally:
        rollout_module.initial_states, network_module.NetworkBatch.activate = saved[0], saved[1]
        network_module._TANH = saved[2]
        network_module._TANH_CANDIDATES.clear()
        network_module._TANH_CANDIDATES.update(saved[3])
        AdjustedGenome.mutate, AdjustedGenome.configure_crossover = saved[4], saved[5]


def clone(population):
    """Deep copy of a ``neat.Population`` keeping the node-key counter of both (see bench_practice.py)."""
    twin = copy.deepcopy(population)
    counter = twin.config.genome_config.node_indexer
    if counter is not None:
        value = next(counter)
        twin.config.genome_config.node_indexer = itertools.count(value)
        population.config.genome_config.node_indexer = itertools.count(value)
    return twin


def one_generation(state, random_state, make_task):
    """Evaluate, reproduce and speciate once from a copy of ``state``; CPU and wall seconds, fingerprint."""
    population = clone(state)
    task = make_task()
    random.setstate(random_state)
    cpu, wall = time.process_time(), time.perf_counter()
    task.genomes_fitness(list(population.population.items()), population.config)
    cpu_eval = time.process_time() - cpu
    fitness = [genome.fitness for genome in population.population.values()]
    population.population = population.reproduction.reproduce(population.config, population.species,
                                                              population.config.pop_size, population.generation)
    population.species.speciate(population.config, population.population, population.generation)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    offspring = sorted((key, tuple(sorted((k, c.weight) for k, c in genome.connections.items())))
                       for key, genome in population.population.items())
    return {"cpu_s": cpu, "wall_s": wall, "evaluation_cpu_s": cpu_eval,
            "fingerprint": hash((tuple(fitness), tuple(offspring))), "mean_fitness": float(np.mean(fitness))}


def evolved_state(config, generations, seed, cheap_task):
    population = neat.Population(config, seed=seed)
    if generations:
        population.run(cheap_task.genomes_fitness, generations)
    return population, random.getstate()


def cartpole_case(generations, seed):
    config = create_agent_config(CONFS / "main" / "adjusted[i].config")
    config.pop_size = 250
    cheap = NEATCartPoleTask(generations or 1, iterations=3, seed=seed)
    cheap.set_noise(NormNoiseGenerator("L-2", noise_scale=0.3, seed=seed + 1))
    state, random_state = evolved_state(config, generations, seed, cheap)

    def make_task():
        task = NEATCartPoleTask(1, iterations=100, seed=seed + 2)
        task.set_noise(NormNoiseGenerator("L-2", noise_scale=0.3, seed=seed + 3))
        return task

    return state, random_state, make_task


def uci_case(generations, seed, uci_dir):
    from practice.datasets import prepare_supervision_data

    data = prepare_supervision_data("biology", seed=seed, data_dir=uci_dir)
    config = create_agent_config(CONFS / "supp" / "biology.adjusted[i].config")

    def make_task():
        task = SupervisionTask(data.trained_inputs, data.trained_outputs, data.tested_inputs, data.tested_outputs,
                               "biology", data.label_number, data.data_types, data.data_ranges, 1)
        task.set_noise(NormNoiseGenerator("L-2", noise_scale=0.1, seed=seed + 3))
        return task

    state, random_state = evolved_state(config, generations, seed, make_task())
    return state, random_state, make_task


def compare(label, case, repeat, per_element_tanh=False):
    state, random_state, make_task = case
    runs = {"before": [], "after": []}
    for _ in range(repeat):
        for side in ("before", "after"):
            with implementation(side == "before", per_element_tanh):
                runs[side].append(one_generation(state, random_state, make_task))
    fingerprints = {run["fingerprint"] for side in runs.values() for run in side}
    if len(fingerprints) != 1:
        raise AssertionError(f"{label}: before and after give different generations")
    best = {side: min(runs[side], key=lambda run: run["cpu_s"]) for side in runs}
    return {"case": label, "before_cpu_s": best["before"]["cpu_s"], "after_cpu_s": best["after"]["cpu_s"],
            "before_eval_cpu_s": best["before"]["evaluation_cpu_s"],
            "after_eval_cpu_s": best["after"]["evaluation_cpu_s"],
            "speedup": best["before"]["cpu_s"] / best["after"]["cpu_s"],
            "mean_fitness": best["after"]["mean_fitness"], "identical": True, "repeat": repeat,
            "all_cpu_s": {side: [run["cpu_s"] for run in runs[side]] for side in runs}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generations", type=int, default=10, help="CartPole generations before the timed one")
    parser.add_argument("--uci-generations", type=int, default=30, help="UCI generations before the timed one")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--uci-dir", type=Path, default=None, help="folder with ecoli.data (else the default)")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_paper_practice.json")
    args = parser.parse_args()

    rows = []
    cartpole = cartpole_case(args.generations, args.seed)
    rows.append(compare("CartPole generation (pop 250, 100 episodes, noise 0.3)", cartpole, args.repeat))
    rows.append(compare("CartPole generation, per-element tanh", cartpole, args.repeat, per_element_tanh=True))
    try:
        uci = uci_case(args.uci_generations, args.seed, args.uci_dir)
    except (OSError, ValueError) as error:
        print(f"UCI row skipped: {error}")
    else:
        rows.append(compare("UCI generation (biology, pop 150)", uci, args.repeat))

    print(f"\ntanh implementation selected here: {network_module._select_tanh()}\n")
    print("| generation | before CPU s | after CPU s | speed-up | before eval s | after eval s | mean fitness |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")  # eval = fitness evaluation; the rest is reproduction
    for row in rows:
        print(f"| {row['case']} | {row['before_cpu_s']:.2f} | {row['after_cpu_s']:.2f} | {row['speedup']:.2f}x | "
              f"{row['before_eval_cpu_s']:.2f} | {row['after_eval_cpu_s']:.2f} | {row['mean_fitness']:.1f} |")
    record = {"rows": rows, "tanh": network_module._select_tanh(), "repeat": args.repeat,
              "generations": args.generations, "uci_generations": args.uci_generations, "seed": args.seed,
              "python": platform.python_version(),
              "numpy": np.__version__, "machine": platform.machine(), "processor": platform.processor(),
              "note": "single thread; best of the interleaved repeats; CPU time (time.process_time)"}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
