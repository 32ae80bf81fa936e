"""Batched feed-forward evaluation of neat-python genomes (0.92 or 2.0 semantics).

The reference agent builds ``neat.nn.FeedForwardNetwork.create(genome, config)``
and calls ``activate`` once per observation. Here a genome
is compiled once into an ordered list of node evaluations and then evaluated
for many inputs at once.

Two rule sets:

``neat_semantics="0.92"`` (reference, default)
    Only enabled connections are used. Required nodes are the outputs and every
    non-input node from which an output can be reached. Layers are built from the
    inputs forward; a required node is evaluated once *all* sources of its enabled
    incoming connections are evaluated. A node without incoming enabled
    connections is never evaluated, nor is anything depending on it; outputs that
    are never evaluated stay 0.0.
``neat_semantics="2.0"``
    neat-python 2.0.0: required nodes without incoming connections are "bias
    neurons" evaluated first as ``act(bias)``, so an unconnected output gives
    ``tanh(2.5 * bias)``.

Node value = ``act(bias + response * sum(w * v))`` with neat's tanh
``act(z) = tanh(clamp(2.5 z, -60, 60))``; the sum runs left to right over the
genome's connection order, as Python's ``sum`` does, and tanh is evaluated with
the libm algorithm, so results equal neat-python's ``activate`` bit for bit.

Examples
--------
>>> import numpy as np
>>> net = CompiledNetwork([-1, -2], [0], [(0, 0.5, 1.0, [(-1, 1.0), (-2, -1.0)])])
>>> net.activate(np.array([[0.2, 0.1], [0.0, 0.0]])).round(6).tolist()
[[0.905148], [0.848284]]
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["CompiledNetwork", "compile_genome", "neat_tanh", "NetworkBatch", "NEAT_SEMANTICS"]

NEAT_SEMANTICS = ("0.92", "2.0")


# ----------------------------------------------------------------------------------------------
# tanh, bit for bit as the C library's (what math.tanh and neat-python compute)
#
# glibc's tanh is fdlibm's: closed forms for |x| < 2**-55 and |x| >= 22, otherwise one call of
# expm1. Which expm1 that is depends on the machine (glibc picks an FMA-compiled variant on CPUs
# with FMA, a plain one otherwise), and numpy's np.expm1 is the C library's except where numpy
# has its own SIMD loop (AVX-512 builds). The candidates below are tried, fastest first, against
# math.tanh on a probe, and the first exact one is used; the last two call math.tanh per element
# (the first of them only outside the closed-form ranges), the last on every element. A numpy
# port of the plain expm1 is exact only against the plain build, and emulating the FMA build's
# fused operations in numpy costs more per element than calling math.tanh.
# ----------------------------------------------------------------------------------------------

def _tanh_from_expm1(x, expm1):
    """fdlibm's tanh on a float64 array, with a given elementwise expm1."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    big = ax >= 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        t = expm1(np.where(big, 2.0 * ax, -2.0 * ax))
        z = np.where(big, 1.0 - 2.0 / (t + 2.0), -t / (t + 2.0))
        z = np.where(ax >= 22.0, 1.0, z)
        z = np.where(np.signbit(x), -z, z)
        z = np.where(ax < 2.0 ** -55, x * (1.0 + x), z)
    return np.where(np.isnan(x), x, z)


def _expm1_scalar_loop(x):
    """np.expm1 with its output one element before its input in a shared buffer.

    numpy may run this overlap (input ahead of output) without a copy, and its
    SIMD loops then fall back to the per-element C library call.
    """
    x = np.asarray(x, dtype=np.float64)
    buffer = np.empty(x.size + 1)
    buffer[1:] = x.reshape(-1)
    np.expm1(buffer[1:], out=buffer[:-1])
    return buffer[:-1].reshape(x.shape)


def _tanh_elementwise(x):
    """math.tanh per element, except the closed-form ranges (|x| >= 22, |x| < 2**-55, NaN)."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape(-1)
    ax = np.abs(flat)
    todo = (ax >= 2.0 ** -55) & (ax < 22.0)
    count = int(np.count_nonzero(todo))
    if count == flat.size:
        return _tanh_math(x)
    with np.errstate(over="ignore"):
        out = np.where(ax >= 22.0, np.copysign(1.0, flat), flat * (1.0 + flat))
    if count:
        out[todo] = np.array([math.tanh(value) for value in flat[todo].tolist()], dtype=np.float64)
    return out.reshape(x.shape)


def _tanh_math(x):
    """math.tanh on every element (the last resort, exact by definition)."""
    x = np.asarray(x, dtype=np.float64)
    return np.array([math.tanh(value) for value in x.reshape(-1).tolist()], dtype=np.float64).reshape(x.shape)


#: Candidate implementations, fastest first; the first equal to math.tanh on the probe is used.
_TANH_CANDIDATES = {
    "numpy-expm1": lambda x: _tanh_from_expm1(x, np.expm1),
    "libm-expm1": lambda x: _tanh_from_expm1(x, _expm1_scalar_loop),
    "elementwise": _tanh_elementwise,
    "math": _tanh_math,
}
_TANH = None


def _tanh_probe():
    rng = np.random.default_rng(12345)
    values = rng.normal(size=8192) * np.array([1e-9, 0.2, 0.6, 1.5, 3.0, 9.0, 20.0, 30.0]).repeat(1024)
    edges = np.array([0.0, 2.0 ** -56, 2.0 ** -54, 0.3465, 0.3467, 1.0, 1.0397, 1.0398, 19.4, 22.0, 60.0, np.inf])
    values = np.concatenate([values, edges, -edges, np.nextafter(edges, 1.0), np.nextafter(edges[1:], 0.0)])
    return values, np.array([math.tanh(value) for value in values.tolist()])


def _select_tanh():
    """Name of the first candidate that reproduces math.tanh on the probe (cached)."""
    global _TANH
    if _TANH is None:
        probe, exact = _tanh_probe()
        for name, candidate in _TANH_CANDIDATES.items():
            with np.errstate(all="ignore"):
                try:
                    got = candidate(probe)
                except (ValueError, TypeError, FloatingPointError):
                    continue
            if np.array_equal(got, exact) and np.array_equal(np.signbit(got), np.signbit(exact)):
                _TANH = name
                break
        else:
            _TANH = "math"
    return _TANH


def neat_tanh(z):
    """neat-python's tanh activation ``tanh(clamp(2.5 z, -60, 60))``, elementwise.

    Matches ``neat.activations.tanh_activation`` bit for bit, including its
    clamp written with Python ``min``/``max`` (a NaN argument gives tanh(60) = 1).
    tanh itself is the C library's (``math.tanh``), vectorised where this
    machine allows it (see the comment above ``_tanh_from_expm1``).

    Parameters
    ----------
    z : array_like or scalar, float64

    Returns
    -------
    ndarray, float64, same shape (a ``numpy.float64`` for a scalar)

    Examples
    --------
    >>> float(neat_tanh(0.0)), float(neat_tanh(1e6))
    (0.0, 1.0)
    """
    y = 2.5 * np.asarray(z, dtype=np.float64)
    y = np.where(y < 60.0, y, 60.0)
    y = np.where(y > -60.0, y, -60.0)
    out = np.asarray(_TANH_CANDIDATES[_select_tanh()](y), dtype=np.float64)
    return out if out.ndim else out[()]


def _required_092(inputs, outputs, connections):
    required = set(outputs)
    frontier = set(outputs)
    while True:
        sources = {a for (a, b) in connections if b in frontier and a not in frontier}
        if not sources:
            break
        layer_nodes = {x for x in sources if x not in inputs}
        if not layer_nodes:
            break
        required |= layer_nodes
        frontier |= sources
    return required


def _layers_092(inputs, outputs, connections):
    """neat-python 0.92 ``feed_forward_layers`` (no bias neurons)."""
    required = _required_092(inputs, outputs, connections)
    layers = []
    ready = set(inputs)
    while True:
        candidates = {b for (a, b) in connections if a in ready and b not in ready}
        layer = {n for n in candidates
                 if n in required and all(a in ready for (a, b) in connections if b == n)}
        if not layer:
            break
        layers.append(layer)
        ready |= layer
    return layers, required | set(inputs)


def _layers_20(inputs, outputs, connections):
    """neat-python 2.0 ``feed_forward_layers`` (bias neurons first)."""
    from neat.graphs import feed_forward_layers

    layers, required = feed_forward_layers(inputs, outputs, connections)
    return layers, set(required) | set(inputs)


def _genome_config(config):
    return getattr(config, "genome_config", config)


class CompiledNetwork:
    """A feed-forward network as an ordered list of node evaluations.

    Parameters
    ----------
    input_keys : sequence of int
        Input node keys in input order (neat: -1, -2, ...).
    output_keys : sequence of int
        Output node keys in output order.
    node_evals : list of (node, bias, response, links)
        Evaluation order; ``links`` is a list of ``(source_key, weight)`` summed
        left to right. Activation is neat's tanh, aggregation the sum.

    Examples
    --------
    >>> net = CompiledNetwork([-1], [0, 1], [(0, 0.0, 1.0, [(-1, 1.0)])])
    >>> net.activate([[0.4]]).round(4).tolist()  # output 1 is never evaluated
    [[0.7616, 0.0]]
    """

    def __init__(self, input_keys, output_keys, node_evals):
        self.input_keys = [int(k) for k in input_keys]
        self.output_keys = [int(k) for k in output_keys]
        self.node_evals = [(int(n), float(b), float(r), [(int(i), float(w)) for i, w in links])
                           for n, b, r, links in node_evals]
        slots = {key: index for index, key in enumerate(self.input_keys + self.output_keys)}
        for node, *_ in self.node_evals:
            slots.setdefault(node, len(slots))
        for node, _, _, links in self.node_evals:
            for source, _ in links:
                if source not in slots:
                    raise ValueError(f"node_evals: node {node} reads unknown node {source}")
        self.slots = slots

    @property
    def n_inputs(self):
        return len(self.input_keys)

    @property
    def n_outputs(self):
        return len(self.output_keys)

    def activate(self, inputs):
        """Evaluate the network for a batch of inputs.

        Parameters
        ----------
        inputs : array_like, shape (E, n_inputs) or (n_inputs,)

        Returns
        -------
        ndarray, shape (E, n_outputs) (or (n_outputs,) for 1-D input), float64
        """
        inputs = np.asarray(inputs, dtype=np.float64)
        single = inputs.ndim == 1
        batch = inputs[None, :] if single else inputs
        if batch.ndim != 2 or batch.shape[1] != self.n_inputs:
            raise ValueError(f"inputs must have shape (E, {self.n_inputs}), got {inputs.shape}")
        values = np.zeros((len(self.slots), batch.shape[0]))
        values[:self.n_inputs] = batch.T
        for node, bias, response, links in self.node_evals:
            total = np.zeros(batch.shape[0])
            for source, weight in links:
                total = total + values[self.slots[source]] * weight
            values[self.slots[node]] = neat_tanh(bias + response * total)
        out = values[self.n_inputs:self.n_inputs + self.n_outputs].T.copy()
        return out[0] if single else out

    def activate_reference(self, inputs):
        """Per-input, per-node Python evaluation (the slow reference path).

        Parameters
        ----------
        inputs : sequence of float, length n_inputs

        Returns
        -------
        list of float, length n_outputs
        """
        values = {key: 0.0 for key in self.input_keys + self.output_keys}
        for key, value in zip(self.input_keys, inputs):
            values[key] = float(value)
        for node, bias, response, links in self.node_evals:
            z = bias + response * sum(values[i] * w for i, w in links)
            values[node] = math.tanh(max(-60.0, min(60.0, 2.5 * z)))
        return [values[key] for key in self.output_keys]

    def __repr__(self):
        return (f"CompiledNetwork(n_inputs={self.n_inputs}, n_outputs={self.n_outputs}, "
                f"evaluated_nodes={len(self.node_evals)})")


def compile_genome(genome, genome_config, neat_semantics="0.92"):
    """Compile a neat-python genome into a :class:`CompiledNetwork`.

    Parameters
    ----------
    genome : neat.DefaultGenome (or compatible)
        Needs ``nodes`` (key -> gene with bias, response, activation,
        aggregation) and ``connections`` ((in, out) -> gene with weight, enabled).
    genome_config : neat.genome.DefaultGenomeConfig or neat.Config
        Provides ``input_keys`` and ``output_keys``.
    neat_semantics : {"0.92", "2.0"}
        Rule set for unconnected/unreachable nodes (module docstring).

    Returns
    -------
    CompiledNetwork

    Raises
    ------
    ValueError
        For an unknown ``neat_semantics`` or a node whose activation is not
        "tanh" or aggregation not "sum" (the only ones the study uses).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> config = NS(input_keys=[-1, -2], output_keys=[0, 1])
    >>> node = NS(bias=0.5, response=1.0, activation="tanh", aggregation="sum")
    >>> genome = NS(nodes={0: node, 1: node}, connections={})
    >>> compile_genome(genome, config).activate([[0.1, 0.2]]).tolist()
    [[0.0, 0.0]]
    >>> compile_genome(genome, config, "2.0").activate([[0.1, 0.2]]).round(3).tolist()
    [[0.848, 0.848]]
    """
    if neat_semantics not in NEAT_SEMANTICS:
        raise ValueError(f"neat_semantics must be one of {NEAT_SEMANTICS}, got {neat_semantics!r}")
    config = _genome_config(genome_config)
    inputs, outputs = list(config.input_keys), list(config.output_keys)
    connections = [key for key, gene in genome.connections.items() if gene.enabled]
    layers_of = _layers_092 if neat_semantics == "0.92" else _layers_20
    layers, readable = layers_of(inputs, outputs, connections)
    node_evals = []
    for layer in layers:
        for node in sorted(layer):
            gene = genome.nodes[node]
            if gene.activation != "tanh" or gene.aggregation != "sum":
                raise ValueError(f"genome node {node}: activation must be 'tanh' and aggregation 'sum', "
                                 f"got {gene.activation!r}/{gene.aggregation!r}")
            links = [(i, genome.connections[(i, o)].weight) for (i, o) in connections
                     if o == node and (neat_semantics == "0.92" or i in readable)]
            node_evals.append((node, gene.bias, gene.response, links))
    return CompiledNetwork(inputs, outputs, node_evals)


class NetworkBatch:
    """Several compiled networks padded into one program, evaluated row-wise.

    Row ``m`` of an input batch is evaluated by network ``genome_index[m]``.
    Node evaluations are padded to a common count K and links to a common count
    L per position (padding reads a constant-zero slot with weight 0.0, which
    leaves every sum bit-identical: a sum that starts at +0.0 is never -0.0;
    padded nodes write to a scratch slot). :meth:`activate` sorts the rows by
    their network's node count (most first), so that node position ``k`` is
    computed only for the leading rows whose network has a ``k``-th node.

    Parameters
    ----------
    networks : sequence of CompiledNetwork
        All with the same numbers of inputs and outputs.

    Examples
    --------
    >>> a = CompiledNetwork([-1], [0], [(0, 0.0, 1.0, [(-1, 1.0)])])
    >>> b = CompiledNetwork([-1], [0], [])
    >>> batch = NetworkBatch([a, b])
    >>> batch.activate([[0.4], [0.4]], [0, 1]).round(4).tolist()
    [[0.7616], [0.0]]
    """

    def __init__(self, networks):
        networks = list(networks)
        if not networks or not all(isinstance(n, CompiledNetwork) for n in networks):
            raise TypeError("networks must be a non-empty sequence of CompiledNetwork")
        self.n_inputs, self.n_outputs = networks[0].n_inputs, networks[0].n_outputs
        if any((n.n_inputs, n.n_outputs) != (self.n_inputs, self.n_outputs) for n in networks):
            raise ValueError("networks must all have the same numbers of inputs and outputs")
        self.networks = networks
        n_io = self.n_inputs + self.n_outputs
        self.zero_slot, self.scratch_slot = n_io, n_io + 1
        first_free = n_io + 2
        self.n_slots = first_free + max(len(n.slots) - n_io for n in networks)
        G = len(networks)
        K = max(len(n.node_evals) for n in networks)
        self.link_counts = [max((len(n.node_evals[k][3]) for n in networks if k < len(n.node_evals)),
                                default=0) for k in range(K)]
        L = max(self.link_counts, default=0)
        self.dst = np.full((K, G), self.scratch_slot, dtype=np.int64)
        self.bias = np.zeros((K, G))
        self.response = np.ones((K, G))
        self.src = np.full((K, max(L, 1), G), self.zero_slot, dtype=np.int64)
        self.weight = np.zeros((K, max(L, 1), G))

        def slot(network, key):
            index = network.slots[key]
            return index if index < n_io else index + 2

        for g, network in enumerate(networks):
            for k, (node, bias, response, links) in enumerate(network.node_evals):
                self.dst[k, g] = slot(network, node)
                self.bias[k, g], self.response[k, g] = bias, response
                for j, (source, weight) in enumerate(links):
                    self.src[k, j, g] = slot(network, source)
                    self.weight[k, j, g] = weight
        self.node_counts = np.array([len(n.node_evals) for n in networks], dtype=np.int64)
        # rank of each network when sorted by node count, most first (stable)
        self._rank = np.empty(G, dtype=np.int16 if G < 2 ** 15 else np.int64)
        self._rank[np.argsort(-self.node_counts, kind="stable")] = np.arange(G)

    def __len__(self):
        return len(self.networks)

    def activate(self, inputs, genome_index):
        """Evaluate row ``m`` of ``inputs`` with network ``genome_index[m]``.

        Parameters
        ----------
        inputs : array_like, shape (M, n_inputs)
        genome_index : array_like of int, shape (M,)

        Returns
        -------
        ndarray, shape (M, n_outputs), float64
        """
        inputs = np.asarray(inputs, dtype=np.float64)
        genome_index = np.asarray(genome_index, dtype=np.int64)
        M = inputs.shape[0]
        if inputs.ndim != 2 or inputs.shape[1] != self.n_inputs or genome_index.shape != (M,):
            raise ValueError(f"inputs must have shape (M, {self.n_inputs}) and genome_index shape (M,), "
                             f"got {inputs.shape} and {genome_index.shape}")
        if genome_index.size and (genome_index.min() < 0 or genome_index.max() >= len(self.networks)):
            raise ValueError(f"genome_index must lie in [0, {len(self.networks)}), "
                             f"got {int(genome_index.min())}..{int(genome_index.max())}")
        order = np.argsort(self._rank[genome_index], kind="stable")
        network_of_row = genome_index[order]
        # active[k] = number of leading (sorted) rows whose network has a k-th node
        active = M - np.cumsum(np.bincount(self.node_counts[network_of_row], minlength=len(self.link_counts) + 1))
        values = np.zeros((self.n_slots, M))
        values[:self.n_inputs] = inputs[order].T
        flat = values.reshape(-1)
        column = np.arange(M)
        for k, n_links in enumerate(self.link_counts):
            n = int(active[k])
            if n == 0:
                break
            rows, network = column[:n], network_of_row[:n]
            total = np.zeros(n)
            for j in range(n_links):
                total = total + flat[self.src[k, j][network] * M + rows] * self.weight[k, j][network]
            z = self.bias[k][network] + self.response[k][network] * total
            flat[self.dst[k][network] * M + rows] = neat_tanh(z)
        out = np.empty((M, self.n_outputs))
        out[order] = values[self.n_inputs:self.n_inputs + self.n_outputs].T
        return out


# ---------------------------------------------------------------------------
# Helpers shared by practice.agent and practice.task (kept here, with the
# network code, so that neither of those modules has to import the other).
# ---------------------------------------------------------------------------

__all__ += ["compile_network", "argmax_action"]


def compile_network(genome, neat_config, neat_semantics=None):
    """Compile a genome with the config's ``neat_semantics`` (default "0.92").

    Parameters
    ----------
    genome : neat genome
    neat_config : neat.Config or genome config
    neat_semantics : {"0.92", "2.0"}, optional
        Overrides ``genome_config.neat_semantics``.

    Returns
    -------
    CompiledNetwork

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> genome_config = NS(input_keys=[-1], output_keys=[0], neat_semantics="0.92")
    >>> genome = NS(nodes={0: NS(bias=0.0, response=1.0, activation="tanh", aggregation="sum")},
    ...             connections={(-1, 0): NS(key=(-1, 0), weight=1.0, enabled=True)})
    >>> compile_network(genome, NS(genome_config=genome_config)).activate([[0.2]]).round(6).tolist()
    [[0.462117]]
    """
    genome_config = getattr(neat_config, "genome_config", neat_config)
    if neat_semantics is None:
        neat_semantics = getattr(genome_config, "neat_semantics", "0.92")
    return compile_genome(genome, genome_config, neat_semantics)


def argmax_action(outputs):
    """The study's action handle: index of the largest output (first on ties).

    Parameters
    ----------
    outputs : array_like, shape (n_outputs,) or (E, n_outputs)

    Returns
    -------
    int, or ndarray (E,) of int64

    Examples
    --------
    >>> argmax_action([0.0, 0.0]), argmax_action([[0.1, 0.3], [0.2, -1.0]]).tolist()
    (0, [1, 0])
    """
    outputs = np.asarray(outputs)
    if outputs.ndim == 1:
        return int(np.argmax(outputs))
    return np.argmax(outputs, axis=-1)
