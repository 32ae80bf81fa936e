"""Three-node motif enrichment of a signed directed graph against random null models.

The census (:func:`motif_census`) has 14 entries, :data:`CENSUS_NAMES`:

* the 12 sign-aware types of :mod:`practice.motif` — incoherent loops 1–4,
  coherent loops 1–4 (feed-forward loops by the signs of their three edges) and
  colliders 1–4 (two edges into one node, by their signs);
* ``fork`` — one node with two outgoing edges to two non-adjacent nodes;
* ``chain`` — a path a→b→c with a and c not adjacent.

All counts are of *induced* triads, with the rules of :mod:`practice.motif`: a
triple that touches a reciprocal pair or a self-looped node is never a loop,
collider, fork or chain. Without signs, loops, colliders, forks and chains are the
triad types 030T, 021U, 021D and 021C of the directed triadic census
(:func:`unsigned_triads`, checked against ``networkx.triadic_census`` in the
tests). Forks and chains are unsigned totals.

:func:`motif_enrichment` draws ``n_samples`` graphs from a null model of
:mod:`practice.null_models` (each from its own child seed of ``seed``), takes their
censuses and returns z-scores and one-sided empirical p-values
``(1 + #{null ≥ observed}) / (1 + n_samples)`` (and ≤). The mixed-sign colliders
are counted once (``semantics="corrected"``) by default: this analysis has no
original to follow, and the reference semantics would duplicate collider.2 into
collider.3.

Examples
--------
>>> import numpy as np
>>> w = np.zeros((4, 4)); w[0, 1], w[0, 2], w[1, 2], w[2, 3] = 1.0, -1.0, 1.0, 1.0
>>> dict(zip(CENSUS_NAMES, motif_census(w).tolist()))["incoherent-loop.3"]
1
>>> unsigned_triads(w)
{'030T': 1, '021U': 0, '021D': 0, '021C': 2}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from practice.census import MOTIF_NAMES, SEMANTICS, _check_choice, _resolve, loop_pattern_counts
from practice.null_models import NULL_MODELS, null_model

__all__ = ["CENSUS_NAMES", "MotifEnrichment", "motif_census", "unsigned_triads", "motif_enrichment",
           "enrichment_rows", "remove_loops", "remove_random_edges"]

#: The 14 census entries: the 12 signed motif types, then forks and chains.
CENSUS_NAMES = MOTIF_NAMES + ("fork", "chain")


def _total(matrix):
    return float(matrix.sum()) if sp.issparse(matrix) else float(np.sum(matrix))


def _masked_sum(product, mask):
    if sp.issparse(product):
        return float(product.multiply(mask).sum())
    return float(np.einsum("ac,ac->", product, mask))


def _forks_and_chains(single, adjacent):
    """Induced forks and chains from the unidirectional part U and the adjacency indicator C.

    forks = ½ (Σ_a out_a (out_a − 1) − Σ (U C) ∘ U);  chains = Σ U U − Σ (U U) ∘ C.
    """
    out_degree = np.asarray(single.sum(axis=1)).ravel()
    forks = (float(out_degree @ (out_degree - 1)) - _masked_sum(single @ adjacent, single)) / 2
    paths = single @ single
    chains = _total(paths) - _masked_sum(paths, adjacent)
    return int(round(forks)), int(round(chains))


def motif_census(adjacency, semantics="corrected", method="auto"):
    """Counts of the 14 census types of :data:`CENSUS_NAMES`.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
        Signed weights; entry (a, b) ≠ 0 is the edge a→b.
    semantics : {"reference", "corrected"}, default "corrected"
        How mixed-sign colliders are counted (see :func:`practice.motif.loop_pattern_counts`).
    method : {"auto", "dense", "sparse"}, default "auto"

    Returns
    -------
    ndarray of int64, shape (14,)

    Examples
    --------
    >>> import numpy as np
    >>> w = np.zeros((3, 3)); w[0, 1], w[0, 2] = 1.0, -1.0        # one fork
    >>> motif_census(w)[-2:].tolist()
    [1, 0]
    """
    _check_choice(semantics, SEMANTICS, "semantics")
    signed = list(loop_pattern_counts(adjacency, semantics=semantics, method=method).values())
    _, (positive, negative, adjacent) = _resolve(adjacency, method)
    forks, chains = _forks_and_chains(positive + negative, adjacent)
    return np.array(signed + [forks, chains], dtype=np.int64)


def unsigned_triads(adjacency, method="auto"):
    """Unsigned counts of the triad types 030T (loop), 021U (collider), 021D (fork), 021C (chain).

    Equal to the same entries of ``networkx.triadic_census`` on a graph without self-loops.

    Returns
    -------
    dict
        ``{"030T": int, "021U": int, "021D": int, "021C": int}``.

    Examples
    --------
    >>> import numpy as np
    >>> unsigned_triads(np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]]))
    {'030T': 0, '021U': 0, '021D': 1, '021C': 0}
    """
    counts = motif_census(adjacency, semantics="corrected", method=method)
    names = dict(zip(CENSUS_NAMES, counts.tolist()))
    loops = sum(names[f"{kind}.{index}"] for kind in ("incoherent-loop", "coherent-loop") for index in range(1, 5))
    colliders = sum(names[f"collider.{index}"] for index in range(1, 5))
    return {"030T": loops, "021U": colliders, "021D": names["fork"], "021C": names["chain"]}


@dataclass(frozen=True)
class MotifEnrichment:
    """Census of a graph against samples of a null model.

    Attributes
    ----------
    names : tuple of str, length 14
        :data:`CENSUS_NAMES`.
    observed : ndarray of int64, shape (14,)
    samples : ndarray of int64, shape (n_samples, 14)
        Census of every null sample.
    mean, std : ndarray of float, shape (14,)
        Mean and standard deviation (ddof=1) of the samples.
    z : ndarray of float, shape (14,)
        (observed − mean) / std; NaN where std is 0.
    p_greater, p_less : ndarray of float, shape (14,)
        Empirical one-sided p-values (1 + #{sample ≥ observed}) / (1 + n_samples) and
        the same with ≤.
    null : str
        The null-model name.
    """

    names: tuple
    observed: np.ndarray
    samples: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    z: np.ndarray
    p_greater: np.ndarray
    p_less: np.ndarray
    null: str

    def as_rows(self):
        """One dict per census type (name, observed, mean, std, z, p_greater, p_less)."""
        return [dict(name=name, observed=int(self.observed[i]), mean=float(self.mean[i]), std=float(self.std[i]),
                     z=float(self.z[i]), p_greater=float(self.p_greater[i]), p_less=float(self.p_less[i]))
                for i, name in enumerate(self.names)]


def _summarise(observed, samples, null):
    samples = np.asarray(samples, dtype=np.int64).reshape(-1, len(CENSUS_NAMES))
    count = samples.shape[0]
    mean = samples.mean(axis=0)
    std = samples.std(axis=0, ddof=1) if count > 1 else np.zeros(len(CENSUS_NAMES))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std > 0, (observed - mean) / np.where(std > 0, std, 1.0), np.nan)
    p_greater = (1 + (samples >= observed).sum(axis=0)) / (1 + count)
    p_less = (1 + (samples <= observed).sum(axis=0)) / (1 + count)
    return MotifEnrichment(CENSUS_NAMES, observed, samples, mean, std, z, p_greater, p_less, null)


def motif_enrichment(adjacency, null="degree", n_samples=100, seed=0, semantics="corrected", **options):
    """z-scores and empirical p-values of the census against ``n_samples`` null graphs.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
        Signed weights, no self-loops.
    null : {"degree", "rewire", "er", "ws", "ba"}, default "degree"
        Null model (:data:`practice.null_models.NULL_MODELS`).
    n_samples : int, default 100
    seed : int or None, default 0
        Sample i uses the i-th child of ``numpy.random.SeedSequence(seed)``, so a
        sample does not depend on how many others are drawn.
    semantics : {"reference", "corrected"}, default "corrected"
    **options
        Passed to the null model (``p=`` for "rewire", ``beta=`` for "ws", ``n_swaps=`` for "degree").

    Returns
    -------
    MotifEnrichment

    Examples
    --------
    >>> import numpy as np
    >>> w = np.zeros((5, 5)); w[0, 1] = w[1, 2] = w[0, 2] = w[2, 3] = w[3, 4] = 1.0
    >>> result = motif_enrichment(w, null="er", n_samples=20, seed=0)
    >>> result.samples.shape, int(result.observed[CENSUS_NAMES.index("coherent-loop.1")])
    ((20, 14), 1)
    """
    if null not in NULL_MODELS:
        raise ValueError(f"null must be one of {tuple(NULL_MODELS)}, got {null!r}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    observed = motif_census(adjacency, semantics=semantics)
    children = np.random.SeedSequence(seed).spawn(int(n_samples))
    samples = [motif_census(null_model(adjacency, null, seed=np.random.default_rng(child), **options),
                            semantics=semantics) for child in children]
    return _summarise(observed, np.stack(samples), null)


def enrichment_rows(adjacency, nulls=("degree", "rewire", "er", "ws", "ba"), n_samples=100, seed=0,
                    semantics="corrected", options=None):
    """Flat table of :func:`motif_enrichment` against several null models.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    nulls : sequence of str, default all five null models
    n_samples : int, default 100
    seed : int, default 0
        The same seed for every null model.
    semantics : {"reference", "corrected"}, default "corrected"
    options : dict, optional
        ``{null: {keyword: value}}`` passed to the null models, e.g. ``{"rewire": {"p": 0.5}}``.

    Returns
    -------
    list of dict
        One row per (null, census type): the keys of :meth:`MotifEnrichment.as_rows` plus ``null``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.zeros((5, 5)); w[0, 1] = w[1, 2] = w[0, 2] = w[2, 3] = w[3, 4] = 1.0
    >>> rows = enrichment_rows(w, nulls=("er", "rewire"), n_samples=5)
    >>> len(rows), rows[0]["null"], rows[0]["name"]
    (28, 'er', 'incoherent-loop.1')
    """
    options = options or {}
    rows = []
    for null in nulls:
        result = motif_enrichment(adjacency, null=null, n_samples=n_samples, seed=seed, semantics=semantics,
                                  **options.get(null, {}))
        rows.extend(dict(null=null, **row) for row in result.as_rows())
    return rows

LOOP_KINDS = ("coherent", "incoherent", "all")


def remove_loops(adjacency, kind="coherent"):
    """Delete the shortcut edge (x→z) of every feed-forward loop of one kind.

    A loop x→y, x→z, y→z is coherent iff sign(w_xz) = sign(w_xy)·sign(w_yz). Only
    edges that can be part of a loop (unidirectional, no self-looped end) are ever
    removed, and removing such edges cannot create a loop, so one pass leaves none
    of that kind. Other loops lose their shortcut only if it is shared.

    Parameters
    ----------
    adjacency : array_like or scipy.sparse matrix, shape (n, n)
    kind : {"coherent", "incoherent", "all"}, default "coherent"

    Returns
    -------
    pruned : scipy.sparse.csr_array, shape (n, n)
    n_removed : int

    Examples
    --------
    >>> import numpy as np
    >>> from practice.motif import loop_counts
    >>> w = np.zeros((4, 4)); w[0, 1] = w[1, 2] = w[0, 2] = 1.0; w[1, 3] = w[0, 3] = 1.0; w[3, 2] = -1.0
    >>> loop_counts(w)                       # (coherent, incoherent)
    (2, 2)
    >>> pruned, removed = remove_loops(w, "coherent")
    >>> loop_counts(pruned), removed
    ((0, 1), 2)
    """
    _check_choice(kind, LOOP_KINDS, "kind")
    matrix = sp.csr_array(adjacency if sp.issparse(adjacency) else np.asarray(adjacency, dtype=float), dtype=float)
    _, (positive, negative, _) = _resolve(matrix, "sparse")
    same = positive @ positive + negative @ negative      # two-step paths with product sign +
    mixed = positive @ negative + negative @ positive     # … with product sign −
    shortcut = sp.csr_array(positive.shape)
    if kind in ("coherent", "all"):
        shortcut = shortcut + same.multiply(positive) + mixed.multiply(negative)
    if kind in ("incoherent", "all"):
        shortcut = shortcut + mixed.multiply(positive) + same.multiply(negative)
    shortcut = sp.csr_array(shortcut)
    shortcut.eliminate_zeros()
    keep = matrix.copy()
    rows, cols = shortcut.nonzero()
    keep[rows, cols] = 0.0
    keep.eliminate_zeros()
    keep.sort_indices()
    return keep, int(rows.size)


def remove_random_edges(adjacency, n_edges, seed=None):
    """Delete ``n_edges`` edges chosen uniformly (the control of :func:`remove_loops`).

    Examples
    --------
    >>> import numpy as np
    >>> remove_random_edges(np.ones((4, 4)) - np.eye(4), 5, seed=0).nnz
    7
    """
    matrix = sp.csr_array(adjacency if sp.issparse(adjacency) else np.asarray(adjacency, dtype=float), dtype=float)
    matrix.eliminate_zeros()
    if isinstance(n_edges, bool) or not isinstance(n_edges, (int, np.integer)) or not 0 <= n_edges <= matrix.nnz:
        raise ValueError(f"n_edges must be an integer in [0, {matrix.nnz}], got {n_edges!r}.")
    rows, cols = matrix.nonzero()
    chosen = np.random.default_rng(seed).choice(rows.size, size=int(n_edges), replace=False)
    matrix = matrix.tolil()
    matrix[rows[chosen], cols[chosen]] = 0.0
    matrix = sp.csr_array(matrix)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return matrix
