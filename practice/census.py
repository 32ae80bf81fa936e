"""Fast sign-aware census of three-node motifs by products of sign-split matrices.

:func:`loop_pattern_counts`, :func:`motif_counts`, :func:`loop_counts` and
:func:`has_forbidden_loop` count (or detect) the twelve signed three-node motifs
with a few matrix products: dense numpy for small matrices and ``scipy.sparse``
for large graphs. They give the same numbers as the original's brute-force
enumerator in :mod:`practice.motif` on every signed digraph (tested
differentially), which re-exports them.

What a *motif occurrence* is (it is what the original's ``is_same_motif`` on
induced sign matrices implies): a set of three distinct nodes whose **induced**
subgraph — all edges among them in both directions *and* their self-loops — is,
up to relabelling, exactly the template:

* loop (feed-forward loop): exactly the three edges x→y, x→z, y→z; no reverse
  edge, no self-loop on x, y or z. Coherent iff sign(w12)·sign(w23) = sign(w13).
* collider: exactly the two edges x→z, y→z; x and y not adjacent in either
  direction, no self-loops.

So a triple touching a reciprocal pair (a 2-cycle) or a node with a self-loop is
never a loop or collider. An edge is any non-zero entry; its sign is the sign of
the weight. On a DAG without self-loops (every feed-forward NEAT genome) the
number of loops is the closed form Σ (A@A)∘A of the unsigned adjacency A.

Examples
--------
>>> import numpy as np
>>> w = np.zeros((3, 3)); w[0, 1], w[0, 2], w[1, 2] = -0.2, 0.4, 0.9
>>> motif_counts(w).tolist()
[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
>>> loop_counts(w)
(0, 1)
>>> has_forbidden_loop(w, "i"), has_forbidden_loop(w, "c")
(True, False)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "MOTIF_NAMES",
    "MOTIF_SIGNS",
    "REMOVE_TYPES",
    "loop_pattern_counts",
    "motif_counts",
    "loop_counts",
    "has_forbidden_loop",
]

SEMANTICS = ("reference", "corrected")
#: Prohibited families of the adjusted NEAT agents: "i" incoherent, "c" coherent, "a" all loops.
REMOVE_TYPES = ("i", "c", "a")
METHODS = ("auto", "dense", "sparse")
#: Above this many nodes, ``method="auto"`` switches from dense numpy to scipy.sparse.
DENSE_LIMIT = 400

#: Edge signs of the twelve templates: loops (w12, w13, w23), colliders (w13, w23).
MOTIF_SIGNS = {
    "incoherent-loop": ((-1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, -1, -1)),
    "coherent-loop": ((1, 1, 1), (-1, 1, -1), (-1, -1, 1), (1, -1, -1)),
    "collider": ((1, 1), (1, -1), (-1, 1), (-1, -1)),
}
#: The twelve motif names in the original's counting order.
MOTIF_NAMES = tuple(f"{kind}.{index}" for kind in MOTIF_SIGNS for index in range(1, 5))


def _check_choice(value, allowed, name):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")
    return value


def _check_adjacency(adjacency, name="adjacency"):
    """Validate a square numeric matrix of finite weights (numpy array_like or scipy.sparse).

    Returns the input as an ndarray (dense input) or unchanged (sparse input). Raises
    ``TypeError`` for a non-numeric dtype and ``ValueError`` for a shape other than
    ``(n, n)`` or a NaN / infinite weight; every message names ``name``.
    """
    if sp.issparse(adjacency):
        values = adjacency.data
    else:
        adjacency = values = np.asarray(adjacency)
        if adjacency.dtype == object or not (np.issubdtype(adjacency.dtype, np.number) or adjacency.dtype == bool):
            raise TypeError(f"{name} must be a numeric matrix, got dtype {adjacency.dtype}.")
    shape = adjacency.shape
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"{name} must be a square (n, n) matrix, got shape {shape}.")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite weights.")
    return adjacency


def _split_dense(adjacency):
    """Sign-split parts of the unidirectional, self-loop-free subgraph, plus the adjacency.

    Returns (P, N, C): P/N (float 0/1) hold the edges a→b with a positive / negative
    weight such that b→a is absent and neither a nor b has a self-loop; C (float 0/1,
    symmetric, zero diagonal) marks pairs adjacent in either direction.
    """
    present = adjacency != 0
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
    adjacency = _check_adjacency(adjacency)
    dense_input = not sp.issparse(adjacency)
    shape = adjacency.shape
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
    """Numbers of coherent and incoherent feed-forward loops (closed form).

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
    """Fast ``detect`` of the adjusted NEAT reproduction.

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
