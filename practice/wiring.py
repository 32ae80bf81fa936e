"""ElegansNet: a learnable network of tensors wired like a given graph with neuron roles.

The transformation follows the ElegansNet report (Bardozzo et al., 2023): every
neuron becomes a tensor, every synapse a learnable connection; sensory neurons
take the encoded input, interneurons form the latent space, motor neurons feed the
output head. The report does not say how recurrent edges are handled; here the
graph is **unrolled over** ``steps`` **synchronous updates**:

.. code-block:: text

    h⁰ = 0                                              (n, width) per sample
    z_j^t = Σ_{i→j} s_ij h_i^t + e_j(x)                 e_j = encoder slice for sensors, 0 otherwise
    h_j^{t+1} = φ(z_j^t W_j + b_j)                      W_j (width, width), b_j (width,)
    y = decoder(concat of h_m^T over motor neurons m)

so the input reaches a neuron k synapses away from a sensor after k + 1 steps
(one for the sensor to take it in, one per synapse), and cycles, reciprocal pairs
and self-loops are all allowed. The parameter blocks are exactly:

* ``synapse_weight`` — shape (E,): one learnable scalar per synapse (edge i→j of
  the adjacency), in row-major edge order (:attr:`ElegansNet.tails`, :attr:`ElegansNet.heads`);
* ``neuron_weight`` (n, width, width) and ``neuron_bias`` (n, width): one block per neuron;
* ``encoder`` (Linear: n_inputs → n_sensory·width) and ``decoder``
  (Linear: n_motor·width → n_outputs).

The forward pass is batched over samples and neurons: the synapses are scattered
into a dense (n, n) matrix (differentiable) and each step is one matrix product
plus one grouped per-neuron product (``baddbmm``), no Python loop over neurons.
:meth:`ElegansNet.forward_reference` is the literal per-neuron, per-synapse loop;
the two agree (tested).

Examples
--------
>>> import numpy as np, torch
>>> adjacency = np.zeros((3, 3)); adjacency[0, 1] = adjacency[1, 2] = 1.0
>>> net = ElegansNet(adjacency, ["sensory", "inter", "motor"], n_inputs=4, n_outputs=2, width=3, steps=2, seed=0)
>>> net(torch.zeros(5, 4)).shape
torch.Size([5, 2])
>>> net.synapse_weight.shape, net.neuron_weight.shape
(torch.Size([2]), torch.Size([3, 3, 3]))
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["ROLES", "ACTIVATIONS", "ElegansNet"]

#: Neuron roles understood by :class:`ElegansNet`.
ROLES = ("sensory", "inter", "motor")
ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}
INITS = ("signed", "random")


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


class ElegansNet(torch.nn.Module):
    """A graph with sensory / inter / motor roles as a learnable recurrent tensor network.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
        Entry (i, j) ≠ 0 is a synapse i→j; its sign sets the initial sign of the
        connection when ``init="signed"``.
    roles : sequence of str, length n
        Each one of :data:`ROLES`; at least one sensory and one motor neuron.
    n_inputs, n_outputs : int
        Input features and outputs (classes, or features for a reconstruction).
    width : int, default 4
        Size of each neuron's state tensor.
    steps : int, default 4
        Synchronous update steps T.
    activation : {"tanh", "relu", "sigmoid"}, default "tanh"
    init : {"signed", "random"}, default "signed"
        Synapse weights start as sign(adjacency) · |N(0, 1/indeg(j))| ("signed") or N(0, 1/indeg(j)).
    seed : int or None
        Seeds a private ``torch.Generator`` for the initial parameters.

    Attributes
    ----------
    tails, heads : torch.LongTensor, shape (E,)
        Synapse i→j of each entry of ``synapse_weight``.
    sensory, motor : torch.LongTensor
        Indices of the sensory and motor neurons (the input and output order).
    """

    def __init__(self, adjacency, roles, n_inputs, n_outputs, width=4, steps=4, activation="tanh", init="signed",
                 seed=None):
        super().__init__()
        matrix = sp.csr_array(adjacency if sp.issparse(adjacency) else np.asarray(adjacency, dtype=float),
                              dtype=float)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"adjacency must be a square (n, n) matrix, got shape {matrix.shape}.")
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        n = matrix.shape[0]
        roles = np.asarray(list(roles), dtype=object)
        if roles.shape != (n,):
            raise ValueError(f"roles must have one entry per neuron ({n}), got {roles.shape[0]}.")
        unknown = sorted(set(roles.tolist()) - set(ROLES))
        if unknown:
            raise ValueError(f"roles must be among {ROLES}, got {unknown}.")
        if not (roles == "sensory").any() or not (roles == "motor").any():
            raise ValueError("roles must include at least one 'sensory' and one 'motor' neuron.")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {activation!r}.")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}.")
        self.n_neurons, self.width = n, _positive_int(width, "width")
        self.steps = _positive_int(steps, "steps")
        self.activation = activation
        n_inputs, n_outputs = _positive_int(n_inputs, "n_inputs"), _positive_int(n_outputs, "n_outputs")
        coo = matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        self.register_buffer("tails", torch.as_tensor(coo.row[order], dtype=torch.long))
        self.register_buffer("heads", torch.as_tensor(coo.col[order], dtype=torch.long))
        self.register_buffer("sensory", torch.as_tensor(np.flatnonzero(roles == "sensory"), dtype=torch.long))
        self.register_buffer("motor", torch.as_tensor(np.flatnonzero(roles == "motor"), dtype=torch.long))
        if seed is None:  # fresh entropy, without touching torch's global generator
            seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] % 2 ** 63)
        generator = torch.Generator().manual_seed(int(seed))
        in_degree = np.bincount(coo.col, minlength=n).astype(float)
        scale = torch.as_tensor(1.0 / np.sqrt(np.maximum(in_degree[coo.col[order]], 1.0)), dtype=torch.float32)
        weights = torch.randn(self.tails.numel(), generator=generator) * scale
        if init == "signed":
            weights = weights.abs() * torch.as_tensor(np.sign(coo.data[order]), dtype=torch.float32)
        self.synapse_weight = torch.nn.Parameter(weights)
        self.neuron_weight = torch.nn.Parameter(torch.randn(n, self.width, self.width, generator=generator)
                                                / np.sqrt(self.width))
        self.neuron_bias = torch.nn.Parameter(torch.zeros(n, self.width))
        self.encoder = torch.nn.Linear(n_inputs, self.sensory.numel() * self.width)
        self.decoder = torch.nn.Linear(self.motor.numel() * self.width, n_outputs)
        for layer in (self.encoder, self.decoder):
            bound = 1.0 / np.sqrt(layer.in_features)
            with torch.no_grad():
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)

    @property
    def n_synapses(self):
        """Number of synapses E (entries of ``synapse_weight``)."""
        return int(self.tails.numel())

    def synapse_matrix(self):
        """The dense (n, n) matrix S with S[i, j] = weight of synapse i→j (differentiable)."""
        matrix = self.synapse_weight.new_zeros(self.n_neurons, self.n_neurons)
        return matrix.index_put((self.tails, self.heads), self.synapse_weight)

    def states(self, inputs):
        """Neuron states after ``steps`` updates, shape (batch, n, width).

        Internally the state is laid out (n, batch·width), so the synapse step is a
        single (n, n) @ (n, batch·width) product and the neuron step one batched
        (n, batch, width) @ (n, width, width) product (``baddbmm``).
        """
        inputs = self._check_inputs(inputs)
        batch, n, width = inputs.shape[0], self.n_neurons, self.width
        drive = inputs.new_zeros(n, batch, width)
        drive[self.sensory] = self.encoder(inputs).view(batch, -1, width).transpose(0, 1)
        incoming = self.synapse_matrix().t()                        # incoming[j, i] = s_ij
        bias = self.neuron_bias.unsqueeze(1)
        function = ACTIVATIONS[self.activation]
        state = inputs.new_zeros(n, batch, width)
        for _ in range(self.steps):
            total = (incoming @ state.reshape(n, batch * width)).view(n, batch, width) + drive
            state = function(torch.baddbmm(bias, total, self.neuron_weight))
        return state.transpose(0, 1)

    def forward(self, inputs):
        """Outputs, shape (batch, n_outputs), for inputs of shape (batch, n_inputs)."""
        state = self.states(inputs)
        return self.decoder(state[:, self.motor].reshape(state.shape[0], -1))

    def forward_reference(self, inputs):
        """Per-neuron, per-synapse loop of :meth:`forward` (slow; for tests)."""
        inputs = self._check_inputs(inputs)
        function = ACTIVATIONS[self.activation]
        drive = self.encoder(inputs).view(inputs.shape[0], -1, self.width)
        sensory_slot = {int(neuron): slot for slot, neuron in enumerate(self.sensory.tolist())}
        incoming = [[] for _ in range(self.n_neurons)]
        for edge, (tail, head) in enumerate(zip(self.tails.tolist(), self.heads.tolist())):
            incoming[head].append((tail, edge))
        state = [inputs.new_zeros(inputs.shape[0], self.width) for _ in range(self.n_neurons)]
        for _ in range(self.steps):
            new_state = []
            for neuron in range(self.n_neurons):
                total = inputs.new_zeros(inputs.shape[0], self.width)
                for tail, edge in incoming[neuron]:
                    total = total + self.synapse_weight[edge] * state[tail]
                if neuron in sensory_slot:
                    total = total + drive[:, sensory_slot[neuron]]
                new_state.append(function(total @ self.neuron_weight[neuron] + self.neuron_bias[neuron]))
            state = new_state
        motors = torch.cat([state[neuron] for neuron in self.motor.tolist()], dim=1)
        return self.decoder(motors)

    def _check_inputs(self, inputs):
        if not isinstance(inputs, torch.Tensor):
            inputs = torch.as_tensor(np.asarray(inputs), dtype=torch.float32)
        if inputs.ndim != 2 or inputs.shape[1] != self.encoder.in_features:
            raise ValueError(f"inputs must have shape (batch, {self.encoder.in_features}), got {tuple(inputs.shape)}.")
        return inputs
