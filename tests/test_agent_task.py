"""Tests of practice.agent and practice.task (CartPole and UCI supervision)."""

import random
import shutil
from pathlib import Path

import neat
import numpy as np
import pytest
from neat.genes import DefaultConnectionGene, DefaultNodeGene
from sklearn.metrics import classification_report, f1_score

from practice.agent import NEATAgent, create_agent_config, evaluate, train, train_and_evaluate, train_at_caps
from practice.evolve import AdjustedGenome, BaselineGenome
from practice.noise import NormNoiseGenerator
from practice.task import GymTask, NEATCartPoleTask, SupervisionTask, argmax_action, weighted_f1_score

CONFS = Path(__file__).resolve().parents[1] / "works" / "confs"


def _genome(config, hidden, edges, key=1, bias=0.0):
    genome = BaselineGenome(key)
    for node_key in list(config.genome_config.output_keys) + list(hidden):
        node = DefaultNodeGene(node_key)
        node.init_attributes(config.genome_config)
        node.bias = bias
        genome.nodes[node_key] = node
    for innovation, (source, target, weight) in enumerate(edges, start=1):
        gene = DefaultConnectionGene((source, target), innovation=innovation)
        gene.weight, gene.enabled = weight, True
        genome.connections[(source, target)] = gene
    return genome


@pytest.fixture(scope="module")
def cartpole_config():
    return create_agent_config(CONFS / "main" / "baseline.config")


def _balancer(config, key=1):
    # push right when theta + 0.5 theta_dot > 0 (inputs -1..-4 = x, x_dot, theta, theta_dot)
    return _genome(config, [], [(-3, 1, 1.0), (-4, 1, 0.5), (-1, 1, 0.05)], key=key)


# ---------------------------------------------------------------------------------------------
# CartPole
# ---------------------------------------------------------------------------------------------

def test_generation_zero_fitness_is_about_9_3(cartpole_config):
    task = NEATCartPoleTask(1, seed=0)
    state = random.getstate()
    population = neat.Population(cartpole_config, seed=0)
    random.setstate(state)
    genomes = list(population.population.items())
    task.genomes_fitness(genomes, cartpole_config)
    fitness = np.array([genome.fitness for _, genome in genomes])
    # all outputs 0.0 -> always push left: mean episode length ≈ 9.3, best of 250 ≈ 9.5–9.6
    assert len(fitness) == 250 and 9.15 < fitness.mean() < 9.45 and 9.4 < fitness.max() < 9.9
    (best, situation), = task.get_experiences()
    assert situation == fitness.tolist() and best.get_fitness() == fitness.max()


@pytest.mark.parametrize("noise_scale, episodes", [(0.0, 6), (0.1, 1)])
def test_vectorised_run_equals_gymnasium_step_loop(cartpole_config, noise_scale, episodes):
    agent = NEATAgent(_balancer(cartpole_config), cartpole_config, "hand")
    seeds = np.arange(10, 10 + episodes)
    task = NEATCartPoleTask(1, iterations=episodes)
    results = []
    for method in (task.run, task.run_reference):
        task.set_noise(NormNoiseGenerator("L-2", noise_scale=noise_scale, seed=3) if noise_scale else None)
        results.append(method(agent, seeds))
    fast, slow = results
    for name in ("states", "actions", "rewards", "noises"):
        assert len(fast[name]) == len(slow[name]) == episodes
        for a, b in zip(fast[name], slow[name]):
            np.testing.assert_array_equal(a, b)
    lengths = [len(r) for r in slow["rewards"]]
    assert max(lengths) > 20  # the hand controller balances for a while


def test_genomes_fitness_equals_per_genome_episodes(cartpole_config):
    genomes = [(1, _balancer(cartpole_config, 1)), (2, _genome(cartpole_config, [], [(-3, 0, -1.0)], 2)),
               (3, _genome(cartpole_config, [], [], 3))]
    task = NEATCartPoleTask(1, seed=42, iterations=4)
    task.genomes_fitness(genomes, cartpole_config)
    seeds = np.random.default_rng(42).integers(0, 2 ** 31, size=(3, 4))
    for (_, genome), row in zip(genomes, seeds):
        episodes = task.run_reference(NEATAgent(genome, cartpole_config, "x"), row)["rewards"]
        assert genome.fitness == NEATCartPoleTask.calculate_fitness(episodes)


def test_gym_task_validates_seed_count(cartpole_config):
    task = NEATCartPoleTask(1, iterations=3)
    agent = NEATAgent(_balancer(cartpole_config), cartpole_config, "hand")
    with pytest.raises(ValueError, match="random_seeds"):
        task.run(agent, [1, 2])
    with pytest.raises(NotImplementedError):
        GymTask(task.environment, "x", 1, 1, 1).get_state_range()
    grid = task.sampling_states(3)
    assert grid.shape == (81, 4) and np.all(np.abs(grid) < np.array([4.8, 2.2, 0.418, 3.34]))


def test_neat_agent_batched_work_equals_single(cartpole_config):
    agent = NEATAgent(_balancer(cartpole_config), cartpole_config, "hand")
    inputs = np.random.default_rng(0).normal(size=(7, 4))
    actions, outputs = agent.work(inputs)
    for row, action, output in zip(inputs, actions, outputs):
        single_action, single_output = agent.work(row)
        assert single_action == action and np.array_equal(single_output, output)
        assert np.allclose(single_output, agent.network.activate_reference(row), rtol=0, atol=1e-15)
    assert agent.get_adjacency_matrix().shape == (4 + 2 + 2, 4 + 2 + 2)
    assert agent.get_motif_counts().shape == (12,)


def test_seeded_baseline_run_solves_cartpole_and_is_reproducible(cartpole_config):
    agent, experience = train(NEATCartPoleTask(20), "b", cartpole_config, None, seed=0)
    assert agent.get_fitness() >= 195 and len(experience) <= 20
    assert max(experience[-1][1]) >= 195 and all(max(s) < 195 for _, s in experience[:-1])
    _, again = train(NEATCartPoleTask(2), "b", cartpole_config, None, seed=0)
    assert [s for _, s in again] == [s for _, s in experience[:2]]
    for (a, _), (b, _) in zip(again, experience):
        assert a.get_adjacency_matrix().tolist() == b.get_adjacency_matrix().tolist()


def _genome_record(genome):
    return (genome.key, genome.fitness, sorted((k, n.bias, n.response) for k, n in genome.nodes.items()),
            sorted((k, c.weight, c.enabled) for k, c in genome.connections.items()))


@pytest.mark.parametrize("threshold, generations_run", [(195, 4), (30, 2)])
def test_train_at_caps_equals_separate_runs(threshold, generations_run):
    """Reading caps 1, 2, 4 from one run gives what three separate seeded runs give, also when the
    fitness threshold stops the run before the largest caps (then those caps share its end)."""
    config = create_agent_config(CONFS / "main" / "baseline.config")
    config.pop_size, config.fitness_threshold = 16, threshold
    noise = NormNoiseGenerator("L-2", noise_scale=0.2)
    task = NEATCartPoleTask(99, iterations=4)
    runs = train_at_caps(task, "b", config, noise, (4, 1, 2, 2), seed=3)
    assert sorted(runs) == [1, 2, 4] and task.maximum_generation == 99
    assert len(runs[4][1]) == generations_run
    for cap, (agent, experience) in runs.items():
        alone, alone_experience = train(NEATCartPoleTask(cap, iterations=4), "b", config, noise, seed=3)
        assert _genome_record(agent.model_genome) == _genome_record(alone.model_genome)
        assert agent.description == "b" and len(experience) == min(cap, generations_run)
        assert [s for _, s in experience] == [s for _, s in alone_experience]
        assert [_genome_record(a.model_genome) for a, _ in experience] == \
            [_genome_record(a.model_genome) for a, _ in alone_experience]
    with pytest.raises(ValueError, match="caps"):
        train_at_caps(task, "b", config, noise, [], seed=3)
    with pytest.raises(ValueError, match="caps"):
        train_at_caps(task, "b", config, noise, [0, 2], seed=3)


def test_evaluate_records_and_seeds(cartpole_config):
    agent = NEATAgent(_balancer(cartpole_config), cartpole_config, "hand")
    generators = {0.0: NormNoiseGenerator("L-2", noise_scale=0.0), 0.2: NormNoiseGenerator("L-2", noise_scale=0.2)}
    task = NEATCartPoleTask(1, iterations=20)
    first = evaluate(task, generators, agent, "reinforcement", seed=5)
    second = evaluate(task, generators, agent, "reinforcement", seed=5)
    assert list(first) == [0.0, 0.2] and first == second
    assert task.noise_generator is not generators[0.2] and task.noise_generator.noise_scale == 0.2
    assert all(1 <= value <= 200 for value in first.values())
    with pytest.raises(ValueError, match="evaluation type"):
        evaluate(task, generators, agent, "unsupervised")


def test_create_agent_config_uses_the_file_name(tmp_path):
    folder = tmp_path / "baseline_runs"
    folder.mkdir()
    shutil.copy(CONFS / "main" / "adjusted[c].config", folder / "adjusted[c].config")
    config = create_agent_config(folder / "adjusted[c].config")
    assert config.genome_type is AdjustedGenome and config.genome_config.remove_type == "c"
    shutil.copy(CONFS / "main" / "baseline.config", folder / "other.config")
    with pytest.raises(ValueError, match="No such evolutionary strategy"):
        create_agent_config(folder / "other.config")
    with pytest.raises(ValueError, match="neat_semantics"):
        create_agent_config(CONFS / "main" / "baseline.config", neat_semantics="1.0")


# ---------------------------------------------------------------------------------------------
# Supervision
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vertebral_config():
    return create_agent_config(CONFS / "supp" / "health-medicine.baseline.config")  # 6 inputs, 3 outputs


def _hand_task(**kwargs):
    # predicted label = argmax of the first three features (identity network below)
    inputs = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float)
    inputs = np.hstack([inputs, np.zeros((6, 3))])
    labels = np.array([0, 0, 1, 1, 2, 2])
    ranges = np.array([[0.0, 1.0]] * 6)
    return SupervisionTask(inputs, labels, inputs, labels, "hand", 3, ["continuous"] * 6, ranges, 1, **kwargs)


def test_supervision_weighted_f1_hand_case(vertebral_config):
    genome = _genome(vertebral_config, [], [(-1, 0, 1.0), (-2, 1, 1.0), (-3, 2, 1.0)])
    task = _hand_task()
    result = task.run(NEATAgent(genome, vertebral_config, "identity"))
    np.testing.assert_array_equal(result["raw"], [[0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]])
    # per class F1 = 2tp/(n_true + n_pred): 2/4, 4/5, 2/3, support 2 each
    expected = (0.5 + 0.8 + 2 / 3) / 3
    assert result["fitness"] == pytest.approx(expected, abs=1e-15)
    assert result["fitness"] == f1_score(result["raw"][0], result["raw"][1], average="weighted")
    task.genomes_fitness([(1, genome)], vertebral_config)
    assert genome.fitness == pytest.approx(expected, abs=1e-15)


def test_weighted_f1_equals_sklearn():
    rng = np.random.default_rng(0)
    for _ in range(60):
        n = int(rng.integers(1, 40))
        y_true = rng.integers(0, 4, size=n)
        y_pred = rng.integers(0, 6, size=n)  # labels outside y_true too
        report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
        assert weighted_f1_score(y_true, y_pred) == pytest.approx(report["weighted avg"]["f1-score"],
                                                                  rel=1e-13, abs=1e-15)
    with pytest.raises(ValueError, match="y_true"):
        weighted_f1_score([0, 1], [0])


def test_supervision_noise_only_on_continuous_features(vertebral_config):
    inputs = np.random.default_rng(1).random((50, 6))
    types = ["continuous", "categorical", "continuous", "continuous"]  # features 4, 5 have no type
    ranges = np.column_stack([inputs.min(axis=0), inputs.max(axis=0)])
    task = SupervisionTask(inputs, np.zeros(50), inputs, np.zeros(50), "x", 1, types, ranges, 1)
    task.set_noise(NormNoiseGenerator("L-2", noise_scale=0.3, seed=0))
    noisy = task._perturb(inputs)
    changed = np.any(noisy != inputs, axis=0)
    assert changed.tolist() == [True, False, True, True, False, False]
    assert np.all(noisy >= ranges[:, 0]) and np.all(noisy <= ranges[:, 1])
    with pytest.raises(ValueError, match="trained_inputs"):
        SupervisionTask(inputs, np.zeros(49), inputs, np.zeros(50), "x", 1, types, ranges, 1)


def test_genomes_fitness_batched_equals_run_with_noise(vertebral_config):
    genomes = [(k, _genome(vertebral_config, [], [(-1, 0, w), (-2, 1, 1.0), (-3, 2, -w)], key=k, bias=0.1 * k))
               for k, w in enumerate([1.0, -0.5, 0.3], start=1)]
    task = _hand_task()
    task.set_noise(NormNoiseGenerator("L-2", noise_scale=0.2, seed=9))
    task.genomes_fitness(genomes, vertebral_config)
    task.set_noise(NormNoiseGenerator("L-2", noise_scale=0.2, seed=9))
    for _, genome in genomes:
        assert genome.fitness == pytest.approx(
            task.run(NEATAgent(genome, vertebral_config, "x"), train_flag=True)["fitness"], abs=1e-15)


def test_train_and_evaluate_supervision_is_reproducible(uci_dir):
    from practice.datasets import prepare_supervision_data

    data = prepare_supervision_data("biology", seed=0, data_dir=uci_dir)
    config = create_agent_config(CONFS / "supp" / "biology.adjusted[a].config")
    config.pop_size = 40
    generators = {0.0: NormNoiseGenerator("L-2", noise_scale=0.0), 0.3: NormNoiseGenerator("L-2", noise_scale=0.3)}
    runs = []
    for _ in range(2):
        task = SupervisionTask(data.trained_inputs, data.trained_outputs, data.tested_inputs, data.tested_outputs,
                               "biology", data.label_number, data.data_types, data.data_ranges, 3)
        runs.append(train_and_evaluate(task, "a", config, 2, NormNoiseGenerator("L-2", noise_scale=0.1),
                                       generators, "supervision", seed=7))
    for (agent_1, experience_1, record_1), (agent_2, experience_2, record_2) in zip(*runs):
        assert record_1 == record_2 and list(record_1) == [0.0, 0.3]
        assert [s for _, s in experience_1] == [s for _, s in experience_2] and len(experience_1) == 3
        assert 0.0 <= record_1[0.0] <= 1.0 and agent_1.get_fitness() == agent_2.get_fitness()
    assert runs[0][0][2] != runs[0][1][2]  # the two repeats are independent runs
    with pytest.raises(ValueError, match="repeats"):
        train_and_evaluate(task, "a", config, 0, None, generators, "supervision")


def test_argmax_action_ties_pick_first():
    assert argmax_action([0.0, 0.0]) == 0 and argmax_action(np.zeros((3, 2))).tolist() == [0, 0, 0]
