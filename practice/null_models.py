"""Random wirings with the same nodes and edge count as a given directed graph.

Every generator here takes a weighted adjacency (dense array or ``scipy.sparse``,
entry (i, j) ≠ 0 is the edge i→j, no self-loops), a ``seed`` and returns a
``scipy.sparse.csr_array`` of the same shape with **exactly the same number of
edges**, again without self-loops. Edge values (sign and weight) are never
invented: they are carried along or permuted, so the numbers of excitatory and
inhibitory edges are kept.

* :func:`degree_preserving_rewire` — networkx's directed three-edge swaps
  (``nx.directed_edge_swap``); keeps every node's in- and out-degree. Each node's
  outgoing edge values are shuffled among its new outgoing edges, so a neuron keeps
  the signs it sends (its transmitter).
* :func:`partial_rewire` — a fraction ``p`` of the edges (exactly ``round(p·E)``,
  chosen uniformly) get a new head drawn uniformly among the nodes that the tail
  does not reach yet (no self-loop, no duplicate). Out-degrees and values stay with
  the tail; ``p = 0`` returns the graph, ``p = 1`` moves every edge.
* :func:`erdos_renyi` — ``nx.gnm_random_graph(n, E, directed=True)``; the values
  are a random permutation of the original values.
* :func:`watts_strogatz` — directed small world: a directed ring lattice in which
  node i sends its ``k_i`` edges to i+1, i−1, i+2, i−2, … (``k_i`` = ⌊E/n⌋ or
  ⌈E/n⌉ so that Σ k_i = E), then each edge gets a new uniform head with
  probability ``beta`` (as :func:`partial_rewire`, without duplicates or
  self-loops).
* :func:`barabasi_albert` — directed preferential attachment: nodes arrive one by
  one and link to ``k_t`` distinct earlier nodes drawn with probability ∝ degree + 1
  (``k_t`` spread so that Σ k_t = E); each new edge points forward or backward with
  probability ½.

For the lattice and attachment models the node order carries structure (ring
position, arrival time), so the original nodes are placed on the generated nodes
in a random order. Values for ER, WS and BA are a random permutation of the
input's values.

Examples
--------
>>> import numpy as np
>>> a = np.zeros((6, 6)); a[0, 1] = a[1, 2] = a[2, 3] = a[3, 4] = 1.0; a[4, 5] = -1.0
>>> b = erdos_renyi(a, seed=0)
>>> b.nnz, sorted(b.data.tolist())
(5, [-1.0, 1.0, 1.0, 1.0, 1.0])
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = ["NULL_MODELS", "edge_list", "degree_preserving_rewire", "partial_rewire", "erdos_renyi",
           "watts_strogatz", "barabasi_albert", "null_model"]


def edge_list(adjacency):
    """Validated edges of a square adjacency, in row-major order.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)

    Returns
    -------
    n : int
    tails, heads : ndarray of int64, shape (E,)
    values : ndarray of float64, shape (E,)

    Raises
    ------
    ValueError
        If ``adjacency`` is not square, holds NaN/inf or has self-loops.

    Examples
    --------
    >>> n, tails, heads, values = edge_list([[0, 2], [-1, 0]])
    >>> n, tails.tolist(), heads.tolist(), values.tolist()
    (2, [0, 1], [1, 0], [2.0, -1.0])
    """
    matrix = sp.csr_array(adjacency if sp.issparse(adjacency) else np.asarray(adjacency, dtype=float),
                          dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"adjacency must be a square (n, n) matrix, got shape {matrix.shape}.")
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    if not np.isfinite(matrix.data).all():
        raise ValueError("adjacency contains NaN or infinite weights.")
    coo = matrix.tocoo()
    order = np.lexsort((coo.col, coo.row))
    tails, heads, values = coo.row[order].astype(np.int64), coo.col[order].astype(np.int64), coo.data[order]
    if np.any(tails == heads):
        raise ValueError("adjacency has self-loops; null models need a graph without them "
                         "(load_connectome(..., self_loops=False)).")
    return matrix.shape[0], tails, heads, values


def _to_sparse(n, tails, heads, values):
    out = sp.csr_array((np.asarray(values, dtype=float), (np.asarray(tails), np.asarray(heads))), shape=(n, n))
    out.sort_indices()
    return out


def _generator(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_fraction(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}.")
    return float(value)


def _move_heads(n, tails, heads, chosen, rng):
    """Give each edge in ``chosen`` (indices, processed in order) a new uniform head.

    The new head differs from the tail, from the old head and from every head the
    tail already reaches; an edge whose tail reaches every other node stays put.
    """
    heads = heads.copy()
    targets = [set() for _ in range(n)]
    for tail, head in zip(tails.tolist(), heads.tolist()):
        targets[tail].add(head)
    for index in chosen.tolist():
        tail, old = int(tails[index]), int(heads[index])
        free = n - 1 - len(targets[tail])
        if free <= 0:
            continue
        while True:  # rejection sampling: the tail reaches at most n - 2 nodes here
            new = int(rng.integers(n))
            if new != tail and new not in targets[tail]:
                break
        targets[tail].discard(old)
        targets[tail].add(new)
        heads[index] = new
    return heads


def degree_preserving_rewire(adjacency, seed=None, n_swaps=None, max_tries=None):
    """Directed rewiring that keeps every in- and out-degree (networkx three-edge swaps).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
        No self-loops; at least 4 nodes and 3 edges.
    seed : int, numpy.random.Generator or None
    n_swaps : int, optional
        Successful swaps (each moves three edges). Default: the number of edges E.
    max_tries : int, optional
        Attempts allowed. Default: ``100 * n_swaps``.

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)
        Same degree sequences; each node's outgoing values shuffled over its new
        outgoing edges.

    Examples
    --------
    >>> import numpy as np
    >>> a = (np.random.default_rng(0).random((12, 12)) < 0.3) * 1.0
    >>> np.fill_diagonal(a, 0)
    >>> b = degree_preserving_rewire(a, seed=1)
    >>> bool((b.sum(axis=0) == a.sum(axis=0)).all() and (b.sum(axis=1) == a.sum(axis=1)).all())
    True
    """
    n, tails, heads, values = edge_list(adjacency)
    rng = _generator(seed)
    n_swaps = tails.size if n_swaps is None else int(n_swaps)
    max_tries = 100 * max(n_swaps, 1) if max_tries is None else int(max_tries)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(tails.tolist(), heads.tolist()))
    if n_swaps > 0:
        nx.directed_edge_swap(graph, nswap=n_swaps, max_tries=max_tries, seed=int(rng.integers(2 ** 31)))
    new = np.array(sorted(graph.edges()), dtype=np.int64).reshape(-1, 2)
    # old values grouped by tail in a random order within each tail; new edges grouped by tail
    old_order = np.lexsort((rng.random(tails.size), tails))
    return _to_sparse(n, new[:, 0], new[:, 1], values[old_order])


def partial_rewire(adjacency, p=1.0, seed=None):
    """Move the heads of exactly ``round(p·E)`` uniformly chosen edges to new uniform nodes.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    p : float in [0, 1], default 1.0
        Fraction of edges rewired.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)
        Same edge count and out-degrees; every edge keeps its tail and value.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.diag(np.ones(7), 1)                      # a path 0→1→…→7
    >>> b = partial_rewire(a, 1.0, seed=0)
    >>> b.nnz, b.sum(axis=1).tolist() == a.sum(axis=1).tolist()
    (7, True)
    """
    p = _check_fraction(p, "p")
    n, tails, heads, values = edge_list(adjacency)
    rng = _generator(seed)
    chosen = rng.choice(tails.size, size=int(round(p * tails.size)), replace=False)
    return _to_sparse(n, tails, _move_heads(n, tails, heads, chosen, rng), values)


def erdos_renyi(adjacency, seed=None):
    """G(n, E) directed random graph with the input's values permuted over the edges.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    seed : int, numpy.random.Generator or None

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)
        E edges drawn uniformly among the n(n−1) ordered pairs.

    Examples
    --------
    >>> import numpy as np
    >>> erdos_renyi(np.diag(np.ones(4), 1), seed=3).nnz
    4
    """
    n, _, _, values = edge_list(adjacency)
    rng = _generator(seed)
    graph = nx.gnm_random_graph(n, values.size, seed=int(rng.integers(2 ** 31)), directed=True)
    edges = np.array(sorted(graph.edges()), dtype=np.int64).reshape(-1, 2)
    return _to_sparse(n, edges[:, 0], edges[:, 1], rng.permutation(values))


def _spread(total, capacities):
    """Integers k_t ≤ capacities summing to ``total``, as even as the capacities allow."""
    counts = np.zeros(len(capacities), dtype=np.int64)
    remaining = int(total)
    order = np.argsort(capacities, kind="stable")
    for position, index in enumerate(order):
        share = -(-remaining // (len(order) - position))  # ceil
        counts[index] = min(int(capacities[index]), share)
        remaining -= counts[index]
    if remaining:
        raise ValueError(f"cannot place {total} edges on these nodes without duplicates.")
    return counts


def _relabel(n, tails, heads, rng):
    permutation = rng.permutation(n)
    return permutation[tails], permutation[heads]


def watts_strogatz(adjacency, beta=0.1, seed=None):
    """Directed Watts–Strogatz small world with the input's node and edge counts.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    beta : float in [0, 1], default 0.1
        Probability that a lattice edge gets a new uniform head.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((10, 10)); a[0, 1:] = 1.0; a[1, 2:5] = -1.0
    >>> b = watts_strogatz(a, beta=0.0, seed=0)
    >>> b.nnz, int((b.data < 0).sum())
    (12, 3)
    """
    beta = _check_fraction(beta, "beta")
    n, _, _, values = edge_list(adjacency)
    rng = _generator(seed)
    counts = _spread(values.size, np.full(n, n - 1))
    offsets = np.array([(step // 2 + 1) * (1 if step % 2 == 0 else -1) for step in range(max(n - 1, 0))],
                       dtype=np.int64)
    tails = np.repeat(np.arange(n, dtype=np.int64), counts)
    heads = (tails + np.concatenate([offsets[:k] for k in counts]) if tails.size else tails) % max(n, 1)
    chosen = np.flatnonzero(rng.random(tails.size) < beta)
    heads = _move_heads(n, tails, heads, chosen, rng)
    tails, heads = _relabel(n, tails, heads, rng)
    return _to_sparse(n, tails, heads, rng.permutation(values))


def barabasi_albert(adjacency, seed=None):
    """Directed Barabási–Albert preferential attachment with the input's node and edge counts.

    Node t (t = 1, …, n−1) links to ``k_t`` distinct nodes among 0…t−1 drawn with
    probability ∝ (current degree + 1), the ``k_t`` as even as possible with
    Σ k_t = E; each link points t→s or s→t with probability ½. No pair is linked
    twice, so E must not exceed n(n−1)/2.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    seed : int, numpy.random.Generator or None

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((8, 8)); a[0, 1:] = 1.0; a[1, 2:] = 1.0
    >>> b = barabasi_albert(a, seed=0)
    >>> b.nnz, int(((b + b.T) > 0).sum()) // 2     # 13 edges on 13 distinct node pairs
    (13, 13)
    """
    n, _, _, values = edge_list(adjacency)
    rng = _generator(seed)
    if values.size > n * (n - 1) // 2:
        raise ValueError(f"barabasi_albert needs E <= n(n-1)/2 = {n * (n - 1) // 2}, got E = {values.size}.")
    counts = _spread(values.size, np.arange(n))
    degree = np.zeros(n)
    tails, heads = [], []
    for t in range(1, n):
        k = int(counts[t])
        if k == 0:
            continue
        weights = degree[:t] + 1.0
        targets = rng.choice(t, size=k, replace=False, p=weights / weights.sum())
        forward = rng.random(k) < 0.5
        tails.extend(np.where(forward, t, targets).tolist())
        heads.extend(np.where(forward, targets, t).tolist())
        degree[targets] += 1
        degree[t] += k
    tails, heads = _relabel(n, np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64), rng)
    return _to_sparse(n, tails, heads, rng.permutation(values))


#: Null-model names accepted by :func:`null_model` and the enrichment functions.
NULL_MODELS = {
    "degree": degree_preserving_rewire,
    "rewire": partial_rewire,
    "er": erdos_renyi,
    "ws": watts_strogatz,
    "ba": barabasi_albert,
}


def null_model(adjacency, kind, seed=None, **options):
    """One sample of the null model ``kind`` (a key of :data:`NULL_MODELS`).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    kind : {"degree", "rewire", "er", "ws", "ba"}
    seed : int, numpy.random.Generator or None
    **options
        Passed on, e.g. ``p=0.3`` for "rewire", ``beta=0.2`` for "ws".

    Examples
    --------
    >>> import numpy as np
    >>> null_model(np.diag(np.ones(5), 1), "rewire", seed=0, p=0.5).nnz
    5
    """
    if kind not in NULL_MODELS:
        raise ValueError(f"kind must be one of {tuple(NULL_MODELS)}, got {kind!r}.")
    return NULL_MODELS[kind](adjacency, seed=seed, **options)
