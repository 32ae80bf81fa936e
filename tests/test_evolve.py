"""Tests of practice.evolve and works/confs: motif-constrained NEAT on neat-python 2.0."""

import configparser
import copy
import itertools
import random
from pathlib import Path

import neat
import numpy as np
import pytest
from neat.genes import DefaultConnectionGene, DefaultNodeGene
from neat.genome import DefaultGenome

from practice.agent import create_agent_config
from practice.evolve import (AdjustedGenome, AdjustedGenomeConfig, AdjustedReproduction, BaselineGenome,
                             BaselineReproduction, create_adjacency_matrix)
from practice.motif import MOTIF_SIGNS, count_motifs_from_adjacency_matrix, detect_motifs_from_adjacency_matrix

CONFS = Path(__file__).resolve().parents[1] / "works" / "confs"
STRATEGIES = {"baseline": None, "adjusted[i]": "i", "adjusted[c]": "c", "adjusted[a]": "a"}
DOMAINS = {"biology": (7, 8), "physics-chemistry": (9, 7), "health-medicine": (6, 3)}


def _template(signs):
    matrix = np.zeros((3, 3))
    matrix[0, 1], matrix[0, 2], matrix[1, 2] = signs
    return matrix


INCOHERENT = [_template(s) for s in MOTIF_SIGNS["incoherent-loop"]]
COHERENT = [_template(s) for s in MOTIF_SIGNS["coherent-loop"]]


def _all_files():
    files = [(CONFS / "main" / f"{name}.config", 250, 195.0, 4, 2, remove) for name, remove in STRATEGIES.items()]
    for domain, (n_in, n_out) in DOMAINS.items():
        files += [(CONFS / "supp" / f"{domain}.{name}.config", 150, 1.0, n_in, n_out, remove)
                  for name, remove in STRATEGIES.items()]
    return files


@pytest.mark.parametrize("path, pop, threshold, n_in, n_out, remove", _all_files(),
                         ids=lambda v: v.name if isinstance(v, Path) else None)
def test_config_files_hold_spec_values(path, pop, threshold, n_in, n_out, remove):
    config = create_agent_config(path)
    genome = config.genome_config
    assert (config.pop_size, config.fitness_threshold, config.fitness_criterion) == (pop, threshold, "max")
    assert (genome.num_inputs, genome.num_outputs, genome.num_hidden) == (n_in, n_out, 0)
    assert genome.remove_type == remove
    assert genome.single_structural_mutation is False and genome.structural_mutation_surer == "default"
    assert genome.initial_connection == "unconnected" and genome.feed_forward is True
    assert (genome.weight_min_value, genome.weight_max_value, genome.bias_min_value) == (-1.0, 1.0, -1.0)
    assert (genome.conn_add_prob, genome.node_add_prob, genome.conn_delete_prob) == (0.9, 0.9, 0.2)
    assert config.reproduction_config.min_species_size == 2
    assert (config.reproduction_config.elitism, config.reproduction_config.survival_threshold) == (2, 0.2)
    assert config.species_set_config.compatibility_threshold == 3.0
    assert (config.stagnation_config.max_stagnation, config.stagnation_config.species_elitism) == (20, 4)
    assert config.no_fitness_termination is False and config.reset_on_extinction is False


@pytest.mark.parametrize("path", [f[0] for f in _all_files()], ids=lambda p: p.name)
def test_config_files_write_every_key_explicitly(path):
    config = create_agent_config(path)
    parser = configparser.ConfigParser()
    parser.read(path)
    genome_section = config.genome_type.__name__
    names = {p.name for p in config.genome_config._params}
    if config.genome_config.remove_type is None:
        names.discard("remove_type")
    assert names <= set(parser[genome_section]), names - set(parser[genome_section])
    assert {"pop_size", "fitness_criterion", "fitness_threshold", "reset_on_extinction",
            "no_fitness_termination"} <= set(parser["NEAT"])
    reproduction_section = config.reproduction_type.__name__
    assert {"elitism", "survival_threshold", "min_species_size"} <= set(parser[reproduction_section])


@pytest.mark.parametrize("path", [CONFS / "main" / "baseline.config"] +
                         [CONFS / "supp" / f"{d}.baseline.config" for d in DOMAINS], ids=lambda p: p.name)
def test_baseline_files_load_with_plain_neat_python(path):
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                         neat.DefaultStagnation, str(path))
    assert config.genome_config.single_structural_mutation is False
    assert config.reproduction_config.min_species_size == 2


def test_genome_config_validates_remove_type():
    config = create_agent_config(CONFS / "main" / "adjusted[i].config")
    params = {"remove_type": "x"}
    with pytest.raises(ValueError, match="remove_type"):
        AdjustedGenomeConfig(_raw_params(CONFS / "main" / "adjusted[i].config", params))
    raw = _raw_params(CONFS / "main" / "adjusted[i].config", {})
    raw.pop("remove_type")
    with pytest.raises(RuntimeError, match="remove_type"):
        AdjustedGenomeConfig(raw)
    with pytest.raises(ValueError, match="neat_semantics"):
        AdjustedGenomeConfig(_raw_params(CONFS / "main" / "adjusted[i].config", {"neat_semantics": "0.93"}))
    assert config.genome_config.neat_semantics == "0.92"


def _raw_params(path, overrides):
    parser = configparser.ConfigParser()
    parser.read(path)
    raw = dict(parser["AdjustedGenome"])
    raw.update(overrides)
    raw["node_gene_type"], raw["connection_gene_type"] = DefaultNodeGene, DefaultConnectionGene
    return raw


# ---------------------------------------------------------------------------------------------
# Hand-built genomes
# ---------------------------------------------------------------------------------------------

def _genome(config, hidden, edges, genome_type=AdjustedGenome):
    """Genome with outputs + ``hidden`` nodes and ``edges`` = [(in, out, weight[, enabled])]."""
    genome = genome_type(1)
    for key in list(config.genome_config.output_keys) + list(hidden):
        node = DefaultNodeGene(key)
        node.init_attributes(config.genome_config)
        genome.nodes[key] = node
    for innovation, edge in enumerate(edges, start=1):
        source, target, weight = edge[:3]
        gene = DefaultConnectionGene((source, target), innovation=innovation)
        gene.weight, gene.enabled = weight, (edge[3] if len(edge) > 3 else True)
        genome.connections[(source, target)] = gene
    return genome


@pytest.fixture(scope="module")
def config_i():
    return create_agent_config(CONFS / "main" / "adjusted[i].config")


def test_adjacency_reference_vs_strict_with_output_to_hidden_edge(config_i):
    genome = _genome(config_i, [5], [(-1, 5, 0.5), (5, 0, -0.4), (-2, 0, 0.3, False), (1, 5, 0.7), (-1, 1, 0.2)])
    reference = create_adjacency_matrix(genome, config_i)
    assert reference.shape == (9, 9)  # 4 inputs + 2 outputs + 3 nodes
    expected = np.zeros((9, 9))
    # rows: -4..-1 -> 0..3, outputs 0, 1 -> 4, 5, hidden 5 -> 6; (1, 5) erased, (-2, 0) disabled
    expected[3, 6], expected[6, 4], expected[3, 5] = 0.5, -0.4, 0.2
    np.testing.assert_array_equal(reference, expected)
    expected[2, 4] = 0.3
    np.testing.assert_array_equal(create_adjacency_matrix(genome, config_i, consider_enable=False), expected)
    strict = create_adjacency_matrix(genome, config_i, consider_enable=False, mode="strict")
    assert strict.shape == (7, 7)
    expected_strict = expected[:7, :7].copy()
    expected_strict[5, 6] = 0.7
    np.testing.assert_array_equal(strict, expected_strict)
    with pytest.raises(ValueError, match="mode"):
        create_adjacency_matrix(genome, config_i, mode="loose")


@pytest.mark.parametrize("w_direct, expected", [(-0.5, {"i": True, "c": False, "a": True}),
                                                (0.5, {"i": False, "c": True, "a": True})])
def test_detect_spec_reference_check(config_i, w_direct, expected):
    # in->h (+), h->out (+), in->out (-) is incoherent-loop.3; flipping in->out makes it coherent
    genome = _genome(config_i, [7], [(-3, 7, 0.4), (7, 1, 0.9), (-3, 1, w_direct, False)])
    for remove_type, value in expected.items():
        assert AdjustedReproduction.detect(genome, config_i, remove_type) is value
        matrix = create_adjacency_matrix(genome, config_i, consider_enable=False)
        templates = {"i": INCOHERENT, "c": COHERENT, "a": INCOHERENT + COHERENT}[remove_type]
        assert detect_motifs_from_adjacency_matrix(matrix, 3, templates) is value
    assert AdjustedReproduction.detect(genome, config_i, None) is expected["i"]  # config's remove_type
    assert BaselineReproduction.detect(genome, create_agent_config(CONFS / "main" / "baseline.config")) is False


def test_loop_through_output_escapes_reference_filter_only(config_i):
    # in->out0 (+), out0->h (+), in->h (-): an incoherent loop passing through output 0
    genome = _genome(config_i, [6], [(-1, 0, 0.5), (0, 6, 0.5), (-1, 6, -0.5)])
    assert AdjustedReproduction.detect(genome, config_i, "i", mode="reference") is False
    assert AdjustedReproduction.detect(genome, config_i, "i", mode="strict") is True


# ---------------------------------------------------------------------------------------------
# Evolution properties
# ---------------------------------------------------------------------------------------------

def _small_config(name, pop=30, **overrides):
    config = create_agent_config(CONFS / "main" / f"{name}.config", **overrides)
    config.pop_size, config.fitness_threshold = pop, float("inf")
    return config


def _evolve(config, generations, seed, inspect):
    """Seeded NEAT run with a cheap structural fitness; ``inspect(population)`` every generation."""
    draws = random.Random(seed)

    def fitness(genomes, _config):
        inspect(dict(genomes))
        for _, genome in genomes:
            genome.fitness = len(genome.connections) + len(genome.nodes) + draws.random()

    state = random.getstate()
    try:
        population = neat.Population(config, seed=seed)
        population.run(fitness, generations)
    finally:
        random.setstate(state)
    return population


@pytest.mark.parametrize("remove_type", ["i", "c", "a"])
def test_adjusted_populations_never_hold_a_forbidden_loop_brute_force(remove_type):
    config = _small_config(f"adjusted[{remove_type}]")
    templates = {"i": INCOHERENT, "c": COHERENT, "a": INCOHERENT + COHERENT}[remove_type]
    checked, sizes = set(), []

    def inspect(population):
        for key, genome in population.items():
            if key in checked:  # elites are unchanged objects
                continue
            checked.add(key)
            matrix = create_adjacency_matrix(genome, config, consider_enable=False)
            sizes.append(len(genome.connections))
            assert not detect_motifs_from_adjacency_matrix(matrix, 3, templates), f"genome {key}"

    population = _evolve(config, 6, seed=3, inspect=inspect)
    assert len(checked) > 150 and max(sizes) >= 6  # the search did grow structure
    assert sum(population.reproduction.rejections) > 0  # and the filter had to reject children


def test_baseline_produces_both_loop_kinds():
    config = _small_config("baseline")
    seen = np.zeros(12, dtype=np.int64)

    def inspect(population):
        for genome in population.values():
            seen[:] += count_motifs_from_adjacency_matrix(
                create_adjacency_matrix(genome, config, consider_enable=False), 3) > 0

    _evolve(config, 5, seed=3, inspect=inspect)
    assert seen[:4].sum() > 0 and seen[4:8].sum() > 0  # incoherent and coherent loops


def test_corrected_filter_also_removes_loops_through_outputs():
    counts = {}
    for semantics in ("reference", "corrected"):
        config = _small_config("adjusted[a]", semantics=semantics)
        total = [0]

        def inspect(population, config=config, total=total):
            for genome in population.values():
                total[0] += count_motifs_from_adjacency_matrix(
                    create_adjacency_matrix(genome, config, consider_enable=False, mode="strict"), 3)[:8].sum()

        _evolve(config, 6, seed=5, inspect=inspect)
        counts[semantics] = total[0]
    assert counts["corrected"] == 0 and counts["reference"] > 0


def _genomes_state(population):
    return [(key, [(k, round(g.weight, 12), g.enabled) for k, g in genome.connections.items()],
             [(k, round(n.bias, 12)) for k, n in genome.nodes.items()])
            for key, genome in sorted(population.items())]


def test_baseline_with_20_semantics_equals_plain_neat_python():
    path = str(CONFS / "main" / "baseline.config")
    ours = create_agent_config(path, neat_semantics="2.0")
    plain = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                        neat.DefaultStagnation, path)
    states = []
    for config in (ours, plain):
        config.pop_size, config.fitness_threshold = 30, float("inf")

        def fitness(genomes, _config):
            for _, genome in genomes:
                genome.fitness = len(genome.connections) + sum(c.weight for c in genome.connections.values())

        state = random.getstate()
        population = neat.Population(config, seed=11)
        population.run(fitness, 5)
        random.setstate(state)
        states.append(_genomes_state(population.population))
    assert states[0] == states[1]


def _full_state(genome):
    return ([(k, g.weight, g.enabled, g.innovation) for k, g in genome.connections.items()],
            [(k, n.bias, n.response, n.activation, n.aggregation, n.time_constant) for k, n in genome.nodes.items()])


@pytest.mark.parametrize("overrides", [
    {},
    {"single_structural_mutation": "true", "enabled_rate_to_true_add": "0.3", "bias_replace_rate": "0.5"},
    {"activation_mutate_rate": "0.5", "activation_options": "tanh sigmoid relu", "weight_init_type": "uniform",
     "weight_replace_rate": "0.4", "enabled_mutate_rate": "0.0", "enabled_rate_to_false_add": "0.2"},
])
def test_fast_gene_mutation_equals_neat_python(overrides):
    """AdjustedGenome.mutate makes neat's DefaultGenome.mutate draws and changes, bit for bit."""
    from neat.innovation import InnovationTracker

    genome_config = AdjustedGenome.parse_config(_raw_params(CONFS / "main" / "adjusted[i].config", overrides))
    genome_config.innovation_tracker = InnovationTracker()
    random.seed(3)
    parents = []
    for key in range(6):
        genome = AdjustedGenome(key)
        genome.configure_new(genome_config)
        for _ in range(4):
            AdjustedGenome.mutate(genome, genome_config)
        parents.append(genome)
    for seed, parent in enumerate(parents):
        results, tracker = [], genome_config.innovation_tracker
        for mutate in (DefaultGenome.mutate, AdjustedGenome.mutate):
            child = copy.deepcopy(parent)
            genome_config.innovation_tracker = copy.deepcopy(tracker)   # same innovation numbers
            genome_config.node_indexer = itertools.count(1000)             # same new node keys
            random.seed(100 + seed)
            for _ in range(3):
                mutate(child, genome_config)
            results.append((_full_state(child), random.random()))
        assert results[0] == results[1]


def test_fast_gene_copy_and_node_crossover_equal_neat_python(config_i):
    from practice.evolve import _copy_gene, _mix_genes

    random.seed(4)
    genome_config = config_i.genome_config
    nodes = []
    for key in range(8):
        node = DefaultNodeGene(key % 2)
        node.init_attributes(genome_config)
        nodes.append(node)
    connection = DefaultConnectionGene((-1, 0), innovation=7)
    connection.weight, connection.enabled = 0.25, False
    for gene in nodes + [connection]:
        copied = _copy_gene(gene)
        assert copied is not gene and type(copied) is type(gene) and vars(copied) == vars(gene.copy())
    for first, second in zip(nodes[0::2], nodes[1::2]):
        second.key = first.key
        state = random.getstate()
        theirs = first.crossover(second)
        after_theirs = random.getstate()
        random.setstate(state)
        assert vars(_mix_genes(first, second)) == vars(theirs) and random.getstate() == after_theirs


def test_same_seed_same_adjusted_run():
    runs = [_genomes_state(_evolve(_small_config("adjusted[c]"), 4, 8, lambda p: None).population)
            for _ in range(2)]
    assert runs[0] == runs[1]


# ---------------------------------------------------------------------------------------------
# 0.92 vs 2.0 genome operators
# ---------------------------------------------------------------------------------------------

def _tracked(config):
    from neat.innovation import InnovationTracker

    config.genome_config.innovation_tracker = InnovationTracker()
    config.genome_config.node_indexer = None
    return config.genome_config


@pytest.mark.parametrize("neat_semantics", ["0.92", "2.0"])
def test_add_node_bias(neat_semantics):
    config = create_agent_config(CONFS / "main" / "adjusted[i].config", neat_semantics=neat_semantics)
    genome_config = _tracked(config)
    random.seed(0)
    biases = []
    for _ in range(20):
        genome = _genome(config, [], [(-1, 0, 0.7)])
        genome.mutate_add_node(genome_config)
        (new,) = set(genome.nodes) - {0, 1}
        biases.append(genome.nodes[new].bias)
        assert genome.connections[(-1, new)].weight == 1.0 and genome.connections[(new, 0)].weight == 0.7
        assert genome.connections[(-1, 0)].enabled is False
    if neat_semantics == "2.0":
        assert biases == [0.0] * 20
    else:
        assert 0.0 not in biases and len(set(biases)) >= 10 and all(-1.0 <= b <= 1.0 for b in biases)


@pytest.mark.parametrize("neat_semantics", ["0.92", "2.0"])
def test_add_connection_sources(neat_semantics):
    config = create_agent_config(CONFS / "main" / "adjusted[i].config", neat_semantics=neat_semantics)
    genome_config = _tracked(config)
    random.seed(1)
    output_sourced = 0
    for _ in range(300):
        genome = _genome(config, [9], [])
        genome.mutate_add_connection(genome_config)
        for source, target in genome.connections:
            output_sourced += source in (0, 1)
            assert not (source in (0, 1) and target in (0, 1)) and source != target
    # 0.92: P(source is an output and target the hidden node) = 2/7 * 1/3
    assert (output_sourced > 12) if neat_semantics == "0.92" else (output_sourced == 0)


@pytest.mark.parametrize("neat_semantics, p_enabled", [("0.92", 0.5), ("2.0", 0.125)])
def test_crossover_homology_and_disabled_rule(neat_semantics, p_enabled):
    config = create_agent_config(CONFS / "main" / "adjusted[i].config", neat_semantics=neat_semantics)
    genome_config = config.genome_config
    random.seed(2)
    enabled, n = 0, 4000
    for _ in range(n):
        fit = _genome(config, [], [(-1, 0, 0.25, False), (-2, 1, 0.5)])
        weak = _genome(config, [], [(-1, 0, -0.25, True)])
        fit.fitness, weak.fitness = 2.0, 1.0
        child = AdjustedGenome(3)
        child.configure_crossover(weak, fit, genome_config)
        assert list(child.connections) == [(-1, 0), (-2, 1)]
        assert child.connections[(-1, 0)].weight in (0.25, -0.25)
        enabled += child.connections[(-1, 0)].enabled
    assert abs(enabled / n - p_enabled) < 0.03


def test_crossover_092_matches_by_key_not_innovation(config_i):
    fit = _genome(config_i, [], [(-1, 0, 0.25)])
    weak = _genome(config_i, [], [(-1, 0, -0.25)])
    weak.connections[(-1, 0)].innovation = 99  # same key, other innovation number
    fit.fitness, weak.fitness = 2.0, 1.0
    random.seed(4)
    weights = set()
    for key in range(200):
        child = AdjustedGenome(key)
        child.configure_crossover(fit, weak, config_i.genome_config)
        weights.add(child.connections[(-1, 0)].weight)
    assert weights == {0.25, -0.25}


# ---------------------------------------------------------------------------------------------
# Rejection loop: retry cap (corrected) vs none (reference)
# ---------------------------------------------------------------------------------------------

class _Stop(Exception):
    pass


def _doomed_population(semantics, max_retries=25):
    """A population whose every child keeps a loop (no deletions), remove_type 'a'."""
    config = create_agent_config(CONFS / "main" / "adjusted[a].config", semantics=semantics,
                                 max_retries=max_retries)
    config.pop_size, config.fitness_threshold = 6, float("inf")
    config.genome_config.conn_delete_prob = config.genome_config.node_delete_prob = 0.0
    state = random.getstate()
    population = neat.Population(config, seed=0)
    random.setstate(state)
    for key, genome in population.population.items():
        loop = _genome(config, [7], [(-1, 7, 0.5), (7, 0, 0.5), (-1, 0, 0.5)])
        genome.nodes, genome.connections = loop.nodes, loop.connections
    return population


def test_corrected_rejection_has_a_retry_cap():
    population = _doomed_population("corrected")

    def fitness(genomes, _config):
        for _, genome in genomes:
            genome.fitness = 1.0

    with pytest.raises(RuntimeError, match="max_retries=25"):
        population.run(fitness, 2)


def test_reference_rejection_has_no_retry_cap(monkeypatch):
    population = _doomed_population("reference", max_retries=25)
    calls = [0]
    original = AdjustedReproduction.detect

    def counting(genome, genome_config, remove_type=None, mode="reference"):
        calls[0] += 1
        if calls[0] > 200:
            raise _Stop
        return original(genome, genome_config, remove_type, mode)

    monkeypatch.setattr(AdjustedReproduction, "detect", staticmethod(counting))

    def fitness(genomes, _config):
        for _, genome in genomes:
            genome.fitness = 1.0

    with pytest.raises(_Stop):
        population.run(fitness, 2)
    assert calls[0] > 25


def test_baseline_genome_reads_default_sections():
    assert BaselineGenome.__name__ == "DefaultGenome" and BaselineReproduction.__name__ == "DefaultReproduction"
    assert issubclass(BaselineGenome, AdjustedGenome) and BaselineGenome.__qualname__ == "BaselineGenome"
