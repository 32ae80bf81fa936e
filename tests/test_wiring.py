"""ElegansNet: parameter blocks, batched vs per-neuron forward, unrolling, gradient reach; experiment helpers."""

import numpy as np
import pytest
import torch

from practice.elegans_experiment import evaluate, lipschitz_estimate, load_task, train_wiring
from practice.wiring import ElegansNet


def _random_graph(n=18, density=0.2, seed=0):
    rng = np.random.default_rng(seed)
    adjacency = (rng.random((n, n)) < density) * rng.choice([-2.0, 1.0, 3.0], (n, n))
    roles = ["sensory"] * 4 + ["inter"] * (n - 8) + ["motor"] * 4
    return adjacency, roles


def test_one_parameter_block_per_synapse_and_neuron():
    adjacency, roles = _random_graph()
    net = ElegansNet(adjacency, roles, n_inputs=7, n_outputs=3, width=5, steps=3, seed=0)
    n_edges = int(np.count_nonzero(adjacency))
    assert net.n_synapses == n_edges
    assert dict((name, tuple(p.shape)) for name, p in net.named_parameters()) == {
        "synapse_weight": (n_edges,),
        "neuron_weight": (18, 5, 5),
        "neuron_bias": (18, 5),
        "encoder.weight": (4 * 5, 7), "encoder.bias": (4 * 5,),
        "decoder.weight": (3, 4 * 5), "decoder.bias": (3,),
    }
    # each synapse entry is the edge (tail, head) of the adjacency, row-major
    rows, cols = np.nonzero(adjacency)
    assert net.tails.tolist() == rows.tolist() and net.heads.tolist() == cols.tolist()
    # "signed" initialisation keeps the sign of every synapse
    assert np.array_equal(np.sign(net.synapse_weight.detach().numpy()), np.sign(adjacency[rows, cols]))
    dense = net.synapse_matrix().detach().numpy()
    assert np.array_equal(dense != 0, adjacency != 0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_batched_forward_equals_per_neuron_reference(activation):
    adjacency, roles = _random_graph(seed=1)
    adjacency[2, 2] = 1.0  # a self-loop and a reciprocal pair are allowed
    adjacency[5, 6] = adjacency[6, 5] = -1.0
    net = ElegansNet(adjacency, roles, n_inputs=6, n_outputs=4, width=3, steps=4, activation=activation, seed=2)
    with torch.no_grad():
        net.neuron_bias.normal_(generator=torch.Generator().manual_seed(3))
    inputs = torch.randn(5, 6, generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(net(inputs), net.forward_reference(inputs), rtol=1e-5, atol=1e-6)


def _input_gradient(net):
    inputs = torch.randn(3, 2, generator=torch.Generator().manual_seed(0), requires_grad=True)
    net(inputs).sum().backward()
    return inputs.grad.abs().max().item()


def test_synchronous_unrolling_needs_one_step_per_synapse():
    # sensory 0 → inter 1 → inter 2 → motor 3: the input reaches the motor after 3 + 1 steps
    adjacency = np.zeros((4, 4))
    adjacency[0, 1] = adjacency[1, 2] = adjacency[2, 3] = 1.0
    roles = ["sensory", "inter", "inter", "motor"]
    gradients = [_input_gradient(ElegansNet(adjacency, roles, 2, 1, width=2, steps=steps, seed=0))
                 for steps in (1, 2, 3, 4, 5)]
    assert gradients[:3] == [0.0, 0.0, 0.0]
    assert gradients[3] > 0.0 and gradients[4] > 0.0
    # a recurrent edge (motor → inter) is just one more synapse of the unrolled graph
    adjacency[3, 1] = -1.0
    net = ElegansNet(adjacency, roles, 2, 1, width=2, steps=5, seed=0)
    torch.testing.assert_close(net(torch.ones(2, 2)), net.forward_reference(torch.ones(2, 2)))


def test_gradients_reach_exactly_the_neurons_within_reach_of_a_motor():
    adjacency, roles = _random_graph(n=24, density=0.08, seed=5)
    steps = 3
    net = ElegansNet(adjacency, roles, n_inputs=5, n_outputs=2, width=3, steps=steps, seed=1)
    with torch.no_grad():
        net.neuron_bias.normal_(generator=torch.Generator().manual_seed(2))
    net(torch.randn(8, 5, generator=torch.Generator().manual_seed(3))).pow(2).sum().backward()
    # neuron j influences the output iff it is a motor or reaches one within steps - 1 synapses
    present = adjacency != 0
    reach = np.array([role == "motor" for role in roles])
    for _ in range(steps - 1):
        reach = reach | (present.astype(int) @ reach.astype(int) > 0)
    has_gradient = net.neuron_bias.grad.abs().sum(dim=1).numpy() > 0
    assert 0 < reach.sum() < len(roles)
    assert np.array_equal(has_gradient, reach)
    # and every synapse into such a neuron (from a neuron that is ever non-zero) gets a gradient
    synapse_gradient = net.synapse_weight.grad.abs().numpy() > 0
    heads = net.heads.numpy()
    assert not synapse_gradient[~reach[heads]].any()


def test_seeded_initialisation_and_validation():
    adjacency, roles = _random_graph()
    first = ElegansNet(adjacency, roles, 3, 2, seed=7)
    second = ElegansNet(adjacency, roles, 3, 2, seed=7)
    for (name, a), (_, b) in zip(first.named_parameters(), second.named_parameters()):
        assert torch.equal(a, b), name
    with pytest.raises(ValueError, match="roles"):
        ElegansNet(adjacency, roles[:-1], 3, 2)
    with pytest.raises(ValueError, match="motor"):
        ElegansNet(adjacency, ["sensory"] * 18, 3, 2)
    with pytest.raises(ValueError, match="steps"):
        ElegansNet(adjacency, roles, 3, 2, steps=0)
    with pytest.raises(ValueError, match="inputs"):
        first(torch.zeros(2, 4))


def test_lipschitz_estimate_of_a_linear_map_is_its_spectral_norm():
    matrix = torch.tensor([[3.0, 0.0], [4.0, 0.0], [0.0, 1.0]])
    layer = torch.nn.Linear(2, 3)
    with torch.no_grad():
        layer.weight.copy_(matrix)
    assert lipschitz_estimate(layer, np.ones((3, 2))) == pytest.approx(5.0)


def test_training_on_digits_learns_and_is_seeded():
    task = load_task("digits")
    adjacency, roles = _random_graph(n=30, density=0.15, seed=2)
    model, history = train_wiring(adjacency, roles, task, seed=3, epochs=2, n_train=300, batch_size=60)
    again, history_again = train_wiring(adjacency, roles, task, seed=3, epochs=2, n_train=300, batch_size=60)
    assert history["loss"] == history_again["loss"]
    assert history["loss"][-1] < history["loss"][0]
    assert evaluate(model, task)["accuracy"] > 0.25  # chance is 0.1 (0.44 when written)


def test_mnist1d_is_generated_locally_and_leaves_the_global_rng_alone():
    import random

    random.seed(1)
    np.random.seed(1)
    before = (random.random(), np.random.random())
    random.seed(1)
    np.random.seed(1)
    task = load_task("mnist1d", n_samples=500)
    assert (random.random(), np.random.random()) == before
    assert task.x_train.shape == (400, 40) and task.x_test.shape == (100, 40)
    assert set(task.y_train.tolist()) == set(range(10)) and task.n_outputs == 10


def test_run_unit_returns_scalars_for_a_pruned_connectome():
    from practice.elegans_experiment import run_unit

    result = run_unit("digits-reconstruction", "no-coherent", seed=0, epochs=1, n_train=64, batch_size=64,
                      n_lipschitz=4, width=2, steps=2)
    assert result["coherent_loops"] == 0 and result["incoherent_loops"] > 0
    assert np.isnan(result["accuracy"]) and result["mse"] > 0 and result["lipschitz"] > 0
    assert result["n_neurons"] == 302
    assert all(isinstance(value, (int, float, str)) for value in result.values())
