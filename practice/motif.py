"""Sign-aware census of three-node motifs in signed directed graphs (spec-practice §1.1, §2.1, §2.2.4).

Two layers live here.

* The original functions of ``practice/motif.py`` with their names and results
  (``acyclic_motifs``, ``collect_motifs``, ``count_motifs_from_adjacency_matrix``,
  ``detect_motifs_from_adjacency_matrix`` and their helpers). They enumerate every
  node triple in pure Python and test labelled isomorphism by trying all
  permutations: simple, literal and slow — the *reference path*.
* A fast counter by products of sign-split matrices (``loop_pattern_counts``,
  ``motif_counts``, ``loop_counts``, ``has_forbidden_loop``), dense numpy for small
  matrices and ``scipy.sparse`` for large graphs, equal to the reference path on
  every signed digraph (tested differentially).

What a *motif occurrence* is (both layers agree; it is what the reference's
``is_same_motif`` on induced sign matrices implies): a set of three distinct nodes
whose **induced** subgraph — all edges among them in both directions *and* their
self-loops — is, up to relabelling, exactly the template:

* loop (feed-forward loop): exactly the three edges x→y, x→z, y→z; no reverse
  edge, no self-loop on x, y or z. Coherent iff sign(w12)·sign(w23) = sign(w13).
* collider: exactly the two edges x→z, y→z; x and y not adjacent in either
  direction, no self-loops.

So a triple touching a reciprocal pair (a 2-cycle) or a node with a self-loop is
never a loop or collider. An edge is any non-zero entry; its sign is the sign of
the weight. On a DAG without self-loops (every feed-forward NEAT genome) this is
the closed form of spec §2.2.4: #loops = Σ (A@A)∘A.

Examples
--------
>>> import numpy as np
>>> w = np.zeros((3, 3)); w[0, 1], w[0, 2], w[1, 2] = -0.2, 0.4, 0.9
>>> count_motifs_from_adjacency_matrix(w, 3).tolist()
[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
>>> loop_counts(w)
(0, 1)
>>> has_forbidden_loop(w, "i"), has_forbidden_loop(w, "c")
(True, False)
"""

from __future__ import annotations

import itertools
import time

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = [
    "MOTIF_NAMES",
    "MOTIF_SIGNS",
    "REMOVE_TYPES",
    "acyclic_motifs",
    "motif_matrix_to_fingerprint",
    "fingerprint_to_motif_matrix",
    "motif_matrix_to_connections",
    "connections_to_motif_matrix",
    "is_same_motif",
    "obtain_motif",
    "compliance_motif_specification",
    "collect_motifs",
    "count_motifs_from_adjacency_matrix",
    "detect_motifs_from_adjacency_matrix",
    "loop_pattern_counts",
    "motif_counts",
    "loop_counts",
    "has_forbidden_loop",
    "time_motif_census",
]

SEMANTICS = ("reference", "corrected")
#: Prohibited families of the adjusted NEAT agents: "i" incoherent, "c" coherent, "a" all loops.
REMOVE_TYPES = ("i", "c", "a")
METHODS = ("auto", "dense", "sparse")
#: Above this many nodes, ``method="auto"`` switches from dense numpy to scipy.sparse.
DENSE_LIMIT = 400

#: Edge signs of the twelve templates (spec §1.1): loops (w12, w13, w23), colliders (w13, w23).
MOTIF_SIGNS = {
    "incoherent-loop": ((-1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, -1, -1)),
    "coherent-loop": ((1, 1, 1), (-1, 1, -1), (-1, -1, 1), (1, -1, -1)),
    "collider": ((1, 1), (1, -1), (-1, 1), (-1, -1)),
}
#: The twelve motif names in the reference's counting order.
MOTIF_NAMES = tuple(f"{kind}.{index}" for kind in MOTIF_SIGNS for index in range(1, 5))


def _build_acyclic_motifs():
    """The reference's dict of signed template graphs (nodes 1, 2, 3; insertion order as in §1.1)."""
    motifs = {}
    for kind, patterns in MOTIF_SIGNS.items():
        graphs = []
        for signs in patterns:
            graph = nx.DiGraph()
            if kind == "collider":
                edges = [(1, 3, signs[0]), (2, 3, signs[1])]
            else:
                edges = [(1, 2, signs[0]), (1, 3, signs[1]), (2, 3, signs[2])]
            graph.add_weighted_edges_from(edges)
            graphs.append(graph)
        motifs[kind] = graphs
    return motifs


#: ``{"incoherent-loop": [4 DiGraphs], "coherent-loop": [...], "collider": [...]}``, weights ±1.
acyclic_motifs = _build_acyclic_motifs()


# ----------------------------------------------------------------------------------------------
# The original functions (reference path): literal, pure Python, slow.
# ----------------------------------------------------------------------------------------------

def motif_matrix_to_fingerprint(motif_matrix):
    """Row-major flattening of a motif matrix into a hashable tuple.

    Parameters
    ----------
    motif_matrix : ndarray, shape (k, k)

    Returns
    -------
    tuple of length k * k (values keep their type).

    Examples
    --------
    >>> motif_matrix_to_fingerprint(np.array([[0, 1], [-1, 0]]))
    (0, 1, -1, 0)
    """
    return tuple(np.asarray(motif_matrix).reshape(-1).tolist())


def fingerprint_to_motif_matrix(fingerprint):
    """Inverse of :func:`motif_matrix_to_fingerprint` (side = int(sqrt(len)), row-major).

    Examples
    --------
    >>> fingerprint_to_motif_matrix((0, 1, -1, 0)).tolist()
    [[0, 1], [-1, 0]]
    """
    side = int(np.sqrt(len(fingerprint)))
    return np.array(fingerprint).reshape(side, side)


def motif_matrix_to_connections(motif_matrix):
    """Flat list ``[tail, head, value, ...]`` of the non-zero entries, rows then columns.

    Examples
    --------
    >>> motif_matrix_to_connections(np.array([[0, 1], [-1, 0]]))
    [0, 1, 1, 1, 0, -1]
    """
    motif_matrix = np.asarray(motif_matrix)
    connections = []
    for tail in range(motif_matrix.shape[0]):
        for head in range(motif_matrix.shape[1]):
            if motif_matrix[tail, head] != 0:
                connections += [tail, head, motif_matrix[tail, head].item()]
    return connections


def connections_to_motif_matrix(connections, search_size):
    """Inverse of :func:`motif_matrix_to_connections`: a (search_size, search_size) matrix.

    The dtype follows the values (``np.array`` of the value list).

    Examples
    --------
    >>> connections_to_motif_matrix([0, 1, 1, 1, 0, -1], 2).tolist()
    [[0, 1], [-1, 0]]
    """
    values = np.array(connections[2::3])
    motif_matrix = np.zeros((search_size, search_size), dtype=values.dtype if values.size else float)
    for index in range(0, len(connections), 3):
        motif_matrix[connections[index], connections[index + 1]] = connections[index + 2]
    return motif_matrix


def is_same_motif(motif_1, motif_2):
    """Labelled isomorphism with edge signs: does some node permutation map ``motif_1`` onto ``motif_2``?

    Tries every permutation π (itertools order), builds R[π(t), π(h)] = motif_1[t, h]
    (diagonal included) and compares exactly. O(k! k²).

    Parameters
    ----------
    motif_1, motif_2 : ndarray, shape (k, k)

    Returns
    -------
    bool (False when the shapes differ).

    Examples
    --------
    >>> a = np.array([[0, 0, 1], [0, 0, -1], [0, 0, 0]])
    >>> b = np.array([[0, 0, -1], [0, 0, 1], [0, 0, 0]])
    >>> is_same_motif(a, b)
    True
    """
    motif_1, motif_2 = np.asarray(motif_1), np.asarray(motif_2)
    if motif_1.shape != motif_2.shape:
        return False
    size = motif_1.shape[0]
    for permutation in itertools.permutations(range(size)):
        relabelled = np.zeros_like(motif_1)
        for tail in range(size):
            for head in range(size):
                relabelled[permutation[tail], permutation[head]] = motif_1[tail, head]
        if np.array_equal(relabelled, motif_2):
            return True
    return False


def obtain_motif(adjacency_matrix, combination, search_size):
    """Induced sign matrix of the selected nodes (in the given order).

    Parameters
    ----------
    adjacency_matrix : ndarray, shape (n, n)
        Weights; entry (i, j) is the edge i→j.
    combination : sequence of int, length ``search_size``
    search_size : int

    Returns
    -------
    ndarray, shape (search_size, search_size), float: +1 / -1 / 0 (diagonal = self-loop signs).

    Examples
    --------
    >>> obtain_motif(np.array([[0, 0.5, 0], [0, 0, -2], [0, 0, 0]]), (2, 1, 0), 3).tolist()
    [[0.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    motif = np.zeros((search_size, search_size))
    for p in range(search_size):
        for q in range(search_size):
            value = adjacency_matrix[combination[p], combination[q]]
            if value > 0:
                motif[p, q] = 1.0
            elif value < 0:
                motif[p, q] = -1.0
    return motif


def compliance_motif_specification(motif):
    """False if some node of the motif has neither an incoming nor an outgoing entry, True otherwise.

    Examples
    --------
    >>> compliance_motif_specification(np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]))
    False
    >>> compliance_motif_specification(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]))
    True
    """
    motif = np.asarray(motif)
    for node in range(motif.shape[0]):
        if np.all(motif[node, :] == 0) and np.all(motif[:, node] == 0):
            return False
    return True


def collect_motifs(adjacency_matrix, search_size=3):
    """Isomorphism classes of all compliant induced ``search_size``-node motifs, with counts.

    Enumerates ``itertools.combinations(range(n), search_size)``; each compliant
    induced motif joins the first saved class it is isomorphic to, else opens a new
    class. Pure Python, O(C(n, k) · classes · k!) — the slow reference path.

    Parameters
    ----------
    adjacency_matrix : ndarray, shape (n, n)
    search_size : int, default 3

    Returns
    -------
    list of (ndarray (k, k) float, int)
        Class representative (first-seen orientation) and count, in order of discovery.

    Examples
    --------
    >>> w = np.array([[0, 0, 0.5], [0, 0, -0.3], [0, 0, 0]])
    >>> [(m.tolist(), c) for m, c in collect_motifs(w)]
    [([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.0]], 1)]
    """
    adjacency_matrix = np.asarray(adjacency_matrix)
    motifs = []
    for combination in itertools.combinations(range(adjacency_matrix.shape[0]), search_size):
        motif = obtain_motif(adjacency_matrix, combination, search_size)
        if not compliance_motif_specification(motif):
            continue
        for index, (saved, count) in enumerate(motifs):
            if is_same_motif(motif, saved):
                motifs[index] = (saved, count + 1)
                break
        else:
            motifs.append((motif, 1))
    return motifs


def _reference_motif_matrices():
    """The 12 template matrices (int, 0-based) from ``acyclic_motifs`` in counting order."""
    matrices = []
    for kind in MOTIF_SIGNS:
        for graph in acyclic_motifs[kind]:
            matrix = np.zeros((3, 3), dtype=int)
            for former, latter, data in graph.edges(data=True):
                matrix[former - 1, latter - 1] = data["weight"]
            matrices.append(matrix)
    return matrices


def count_motifs_from_adjacency_matrix(matrix, search_size, reference_motifs=None, semantics="reference"):
    """Count induced motifs isomorphic to each reference motif (slow reference path).

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Weighted adjacency; only signs matter.
    search_size : int
        Motif size (3 for the templates).
    reference_motifs : list of ndarray (k, k), optional
        Default: the 12 templates incoherent-loop.1..4, coherent-loop.1..4, collider.1..4.
    semantics : {"reference", "corrected"}, default "reference"
        "reference" adds every class count to *every* isomorphic reference, so a
        mixed-sign collider is counted as collider.2 **and** collider.3 (slots 9 and 10
        always equal). "corrected" counts each node triple once, in the first isomorphic
        reference (mixed colliders in collider.2; collider.3 stays 0 with the defaults).

    Returns
    -------
    ndarray of int, shape (len(reference_motifs),)

    Examples
    --------
    >>> w = np.array([[0, 0, 0.5], [0, 0, -0.3], [0, 0, 0]])
    >>> count_motifs_from_adjacency_matrix(w, 3).tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    >>> count_motifs_from_adjacency_matrix(w, 3, semantics="corrected").tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    """
    _check_choice(semantics, SEMANTICS, "semantics")
    if reference_motifs is None:
        reference_motifs = _reference_motif_matrices()
    counts = np.zeros(len(reference_motifs), dtype=int)
    for motif, count in collect_motifs(matrix, search_size):
        for index, reference_motif in enumerate(reference_motifs):
            if is_same_motif(motif, reference_motif):
                counts[index] += count
                if semantics == "corrected":
                    break
    return counts


def detect_motifs_from_adjacency_matrix(matrix, search_size, detected_motifs):
    """True iff some induced ``search_size``-node motif is isomorphic to one of ``detected_motifs``.

    Runs the full :func:`collect_motifs` enumeration (no early exit), as the reference.

    Examples
    --------
    >>> w = np.zeros((4, 4)); w[0, 1], w[1, 2], w[0, 2] = 1.0, 1.0, -1.0
    >>> incoherent = _reference_motif_matrices()[:4]
    >>> detect_motifs_from_adjacency_matrix(w, 3, incoherent)
    True
    """
    for motif, _ in collect_motifs(matrix, search_size):
        for detected_motif in detected_motifs:
            if is_same_motif(motif, detected_motif):
                return True
    return False


# ----------------------------------------------------------------------------------------------
# Fast sign-aware counter: products of sign-split matrices.
# ----------------------------------------------------------------------------------------------

def _check_choice(value, allowed, name):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")
    return value


def _split_dense(adjacency):
    """Sign-split parts of the unidirectional, self-loop-free subgraph, plus the adjacency.

    Returns (P, N, C): P/N (float 0/1) hold the edges a→b with a positive / negative
    weight such that b→a is absent and neither a nor b has a self-loop; C (float 0/1,
    symmetric, zero diagonal) marks pairs adjacent in either direction.
    """
    present = adjacency != 0
    if not np.isfinite(adjacency).all():
        raise ValueError("adjacency contains NaN or infinite weights.")
    diagonal = np.diagonal(present)
    off = present.copy()
    np.fill_diagonal(off, False)
    single = off & ~off.T
    if diagonal.any():
        single[diagonal, :] = False
        single[:, diagonal] = False
    positive = (single & (adjacency > 0)).astype(float)
    negative = (single & (adjacency < 0)).astype(float)
    return positive, negative, (off | off.T).astype(float)


def _split_sparse(adjacency):
    """Sparse (CSR, float 0/1) version of :func:`_split_dense`."""
    adjacency = sp.csr_array(adjacency, dtype=float)
    adjacency.sum_duplicates()
    if not np.isfinite(adjacency.data).all():
        raise ValueError("adjacency contains NaN or infinite weights.")
    adjacency.eliminate_zeros()
    coo = adjacency.tocoo()
    rows, cols, values = coo.row, coo.col, coo.data
    n = adjacency.shape[0]
    looped = np.zeros(n, dtype=bool)
    looped[rows[rows == cols]] = True
    keep = rows != cols
    rows, cols, values = rows[keep], cols[keep], values[keep]
    off = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    adjacent = ((off + off.T) > 0).astype(float)
    # an edge a→b is reciprocated iff b→a is present: look the reversed keys up in the sorted keys
    keys = rows.astype(np.int64) * n + cols
    order = np.sort(keys)
    reverse = cols.astype(np.int64) * n + rows
    position = np.minimum(np.searchsorted(order, reverse), max(order.size - 1, 0))
    reciprocated = order[position] == reverse if order.size else np.zeros(0, dtype=bool)
    single = ~reciprocated & ~looped[rows] & ~looped[cols]
    parts = []
    for mask in (single & (values > 0), single & (values < 0)):
        parts.append(sp.csr_array((np.ones(int(mask.sum())), (rows[mask], cols[mask])), shape=(n, n)))
    return parts[0], parts[1], adjacent


def _resolve(adjacency, method):
    """Validate ``adjacency`` and pick the dense or sparse path."""
    _check_choice(method, METHODS, "method")
    if sp.issparse(adjacency):
        shape = adjacency.shape
        dense_input = False
    else:
        adjacency = np.asarray(adjacency)
        if adjacency.dtype == object or not (np.issubdtype(adjacency.dtype, np.number)
                                             or adjacency.dtype == bool):
            raise TypeError(f"adjacency must be a numeric matrix, got dtype {adjacency.dtype}.")
        shape = adjacency.shape
        dense_input = True
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"adjacency must be a square (n, n) matrix, got shape {shape}.")
    if method == "auto":
        method = "dense" if dense_input and shape[0] <= DENSE_LIMIT else "sparse"
    if method == "dense":
        dense = adjacency.toarray() if not dense_input else adjacency
        return "dense", _split_dense(np.asarray(dense, dtype=float))
    return "sparse", _split_sparse(adjacency)


def _product_sum(left, right, mask):
    """Σ_{a,b,c} left[a, b] right[b, c] mask[a, c] = sum((left @ right) ∘ mask)."""
    if sp.issparse(left):
        return int(round((left @ right).multiply(mask).sum()))
    return int(round(float(np.einsum("ac,ac->", left @ right, mask))))


def loop_pattern_counts(adjacency, semantics="reference", method="auto"):
    """Counts of the 12 signed motif patterns by sign-split matrix products.

    With P / N the positive / negative parts of the unidirectional, self-loop-free
    edges and C the symmetric "adjacent" indicator (see the module docstring):

    * loop (w12, w13, w23) = Σ (X12 @ X23) ∘ X13, e.g. #incoherent-loop.1 (−,+,+) = Σ (N @ P) ∘ P;
    * colliders into c from a non-adjacent pair: with M = X Y^T,
      #(X, Y) = Σ_c colsum(X)_c colsum(Y)_c − Σ (X ∘ Y) − Σ (C @ Y) ∘ X,
      halved for X = Y (collider.1 = (P, P), collider.4 = (N, N); mixed = (P, N)).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
        Weighted adjacency; entry (a, b) ≠ 0 is the edge a→b, its sign the edge sign.
    semantics : {"reference", "corrected"}, default "reference"
        Mixed-sign colliders: "reference" puts them in both collider.2 and collider.3
        (as :func:`count_motifs_from_adjacency_matrix`); "corrected" in collider.2 only.
    method : {"auto", "dense", "sparse"}, default "auto"
        "auto" = dense numpy for dense input up to 400 nodes, scipy.sparse otherwise.

    Returns
    -------
    dict
        ``{name: int}`` for the names of :data:`MOTIF_NAMES`, in that order.

    Notes
    -----
    Cost: dense O(n³) (8 n×n products); sparse O(Σ_b indeg(b)·outdeg(b) + Σ_c indeg(c)²).
    A random 10,000-node, 100,000-edge graph takes ≈ 0.15 s (one core).

    Examples
    --------
    >>> w = np.zeros((3, 3)); w[0, 1], w[0, 2], w[1, 2] = -0.2, 0.4, 0.9
    >>> loop_pattern_counts(w)["incoherent-loop.1"]
    1
    """
    _check_choice(semantics, SEMANTICS, "semantics")
    _, (positive, negative, adjacent) = _resolve(adjacency, method)
    parts = {1: positive, -1: negative}
    products = {(s, t): parts[s] @ parts[t] for s in (1, -1) for t in (1, -1)}
    counts = {}
    for kind in ("incoherent-loop", "coherent-loop"):
        for index, (w12, w13, w23) in enumerate(MOTIF_SIGNS[kind], start=1):
            product = products[(w12, w23)]
            if sp.issparse(product):
                counts[f"{kind}.{index}"] = int(round(product.multiply(parts[w13]).sum()))
            else:
                counts[f"{kind}.{index}"] = int(round(float(np.einsum("ac,ac->", product, parts[w13]))))
    in_positive = np.asarray(positive.sum(axis=0)).ravel()
    in_negative = np.asarray(negative.sum(axis=0)).ravel()
    n_positive, n_negative = float(positive.sum()), float(negative.sum())
    both_positive = (float(in_positive @ in_positive) - n_positive
                     - _product_sum(adjacent, positive, positive)) / 2
    both_negative = (float(in_negative @ in_negative) - n_negative
                     - _product_sum(adjacent, negative, negative)) / 2
    mixed = float(in_positive @ in_negative) - _product_sum(adjacent, negative, positive)
    counts["collider.1"] = int(round(both_positive))
    counts["collider.2"] = int(round(mixed))
    counts["collider.3"] = int(round(mixed)) if semantics == "reference" else 0
    counts["collider.4"] = int(round(both_negative))
    return {name: counts[name] for name in MOTIF_NAMES}


def motif_counts(adjacency, semantics="reference", method="auto"):
    """Fast drop-in for ``count_motifs_from_adjacency_matrix(adjacency, 3, semantics=...)``.

    Returns
    -------
    ndarray of int, shape (12,), in the order of :data:`MOTIF_NAMES`.

    Examples
    --------
    >>> w = np.array([[0, 0, 0.5], [0, 0, -0.3], [0, 0, 0]])
    >>> motif_counts(w).tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    """
    return np.array(list(loop_pattern_counts(adjacency, semantics, method).values()), dtype=int)


def _dense_loop_totals(weights):
    """Lean dense path of :func:`_loop_totals` for the small genome matrices of NEAT (≈ 30 µs)."""
    if not np.isfinite(weights).all():
        raise ValueError("adjacency contains NaN or infinite weights.")
    present = weights != 0
    single = present & ~present.T
    looped = np.diagonal(present)
    if looped.any():
        single[looped, :] = False
        single[:, looped] = False
    unsigned = single.astype(float)
    signed = np.where(single, np.sign(weights), 0.0)
    total = float(((unsigned @ unsigned) * unsigned).sum())
    sign_sum = float(((signed @ signed) * signed).sum())
    return int(round(total)), int(round(sign_sum))


def _loop_totals(adjacency, method):
    """(T, Σ): number of loops and Σ of sign(w12)·sign(w13)·sign(w23) over them."""
    _check_choice(method, METHODS, "method")
    if method != "sparse" and not sp.issparse(adjacency):
        weights = np.asarray(adjacency)
        if weights.ndim == 2 and weights.shape[0] == weights.shape[1] and weights.shape[0] <= DENSE_LIMIT \
                and np.issubdtype(weights.dtype, np.number):
            return _dense_loop_totals(weights)
    _, (positive, negative, _) = _resolve(adjacency, method)
    unsigned = positive + negative
    signed = positive - negative
    return _product_sum(unsigned, unsigned, unsigned), _product_sum(signed, signed, signed)


def loop_counts(adjacency, method="auto"):
    """Numbers of coherent and incoherent feed-forward loops (closed form, spec §2.2.4).

    With T = Σ (U @ U) ∘ U and Σ = Σ (S @ S) ∘ S over the unidirectional, self-loop-free
    edges (U unsigned, S signed): #coherent = (T + Σ) / 2, #incoherent = (T − Σ) / 2.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    method : {"auto", "dense", "sparse"}, default "auto"

    Returns
    -------
    (int, int)
        ``(n_coherent, n_incoherent)``.

    Examples
    --------
    >>> w = np.zeros((3, 3)); w[0, 1], w[0, 2], w[1, 2] = 1.0, 1.0, 1.0
    >>> loop_counts(w)
    (1, 0)
    """
    total, signed = _loop_totals(adjacency, method)
    return (total + signed) // 2, (total - signed) // 2


def has_forbidden_loop(adjacency, remove_type, method="auto"):
    """Fast ``detect`` of the adjusted NEAT reproduction (spec §2.2.3–§2.2.4).

    Equals ``detect_motifs_from_adjacency_matrix(adjacency, 3, templates)`` with the
    incoherent-loop templates if ``remove_type`` is "i" or "a", or-ed with the
    coherent-loop templates if it is "c" or "a" — on any signed digraph.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
        The genome's weighted adjacency (``create_adjacency_matrix``).
    remove_type : {"i", "c", "a"}
        Prohibited family: incoherent loops, coherent loops, all loops.
    method : {"auto", "dense", "sparse"}, default "auto"

    Returns
    -------
    bool

    Examples
    --------
    >>> w = np.zeros((3, 3)); w[0, 1], w[1, 2], w[0, 2] = 1.0, 1.0, -1.0  # incoherent-loop.3
    >>> [has_forbidden_loop(w, t) for t in ("i", "c", "a")]
    [True, False, True]
    """
    _check_choice(remove_type, REMOVE_TYPES, "remove_type")
    total, signed = _loop_totals(adjacency, method)
    if remove_type == "i":
        return total > signed
    if remove_type == "c":
        return total > -signed
    return total > 0


def time_motif_census(n_nodes, density=0.2, n_graphs=5, seed=0, dag=True, brute_force=True, repeats=3):
    """Wall-clock timing of the fast census against the reference enumeration (benchmark helper).

    Draws ``n_graphs`` random signed digraphs (feed-forward DAGs over a random node order
    when ``dag``, else general digraphs), then times per graph the best of ``repeats``
    calls of :func:`has_forbidden_loop` ("a"), :func:`loop_pattern_counts` and, if
    ``brute_force``, one call of :func:`detect_motifs_from_adjacency_matrix` with all
    eight loop templates.

    Parameters
    ----------
    n_nodes : int
    density : float in [0, 1], default 0.2
        Probability of each candidate edge.
    n_graphs : int, default 5
    seed : int or numpy.random.Generator, default 0
    dag : bool, default True
    brute_force : bool, default True
    repeats : int, default 3

    Returns
    -------
    dict
        Mean seconds per graph: ``"has_forbidden_loop"``, ``"loop_pattern_counts"``,
        ``"detect_motifs"`` (NaN when skipped), ``"speedup"`` (detect / has_forbidden_loop),
        plus ``"n_nodes"``, ``"density"``, ``"n_graphs"``, ``"agree"`` (fast == brute force).

    Examples
    --------
    >>> result = time_motif_census(8, n_graphs=1, repeats=1)
    >>> result["agree"]
    True
    """
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, (int, np.integer)) or n_nodes < 1:
        raise ValueError(f"n_nodes must be a positive integer, got {n_nodes!r}.")
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"density must be in [0, 1], got {density!r}.")
    rng = np.random.default_rng(seed)
    templates = _reference_motif_matrices()[:8]
    times = {"has_forbidden_loop": [], "loop_pattern_counts": [], "detect_motifs": []}
    agree = True
    for _ in range(n_graphs):
        weights = rng.uniform(-1.0, 1.0, (n_nodes, n_nodes)) * (rng.random((n_nodes, n_nodes)) < density)
        if dag:
            order = rng.permutation(n_nodes)
            weights = np.triu(weights, 1)[np.ix_(order, order)]
        for name, function in (("has_forbidden_loop", lambda: has_forbidden_loop(weights, "a")),
                               ("loop_pattern_counts", lambda: loop_pattern_counts(weights))):
            best = np.inf
            for _ in range(repeats):
                start = time.perf_counter()
                function()
                best = min(best, time.perf_counter() - start)
            times[name].append(best)
        if brute_force:
            start = time.perf_counter()
            detected = detect_motifs_from_adjacency_matrix(weights, 3, templates)
            times["detect_motifs"].append(time.perf_counter() - start)
            agree &= detected == has_forbidden_loop(weights, "a")
    result = {name: float(np.mean(values)) if values else float("nan") for name, values in times.items()}
    result["speedup"] = result["detect_motifs"] / result["has_forbidden_loop"]
    result.update(n_nodes=int(n_nodes), density=float(density), n_graphs=int(n_graphs), agree=bool(agree))
    return result
