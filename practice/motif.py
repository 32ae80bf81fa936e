"""The original package's brute-force census of three-node motifs in signed directed graphs.

``acyclic_motifs``, ``collect_motifs``, ``count_motifs_from_adjacency_matrix``,
``detect_motifs_from_adjacency_matrix`` and their helpers keep the original's
names and results. They enumerate every node triple in pure Python and test
labelled isomorphism by trying all permutations: simple, literal and slow — the
*reference path*. The fast counter of :mod:`practice.census`
(``loop_pattern_counts``, ``motif_counts``, ``loop_counts``,
``has_forbidden_loop``) gives the same numbers and is re-exported here; its
module docstring defines what a motif occurrence is.

Examples
--------
>>> import numpy as np
>>> w = np.zeros((3, 3)); w[0, 1], w[0, 2], w[1, 2] = -0.2, 0.4, 0.9
>>> count_motifs_from_adjacency_matrix(w, 3).tolist()
[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
>>> motif_counts(w).tolist()
[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np

from practice.census import (
    MOTIF_NAMES,
    MOTIF_SIGNS,
    REMOVE_TYPES,
    SEMANTICS,
    _check_adjacency,
    _check_choice,
    has_forbidden_loop,
    loop_counts,
    loop_pattern_counts,
    motif_counts,
)

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
]


def _build_acyclic_motifs():
    """The original's dict of signed template graphs (nodes 1, 2, 3; edges in template order)."""
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


def _check_search_size(search_size, motifs=None, motifs_name="reference_motifs"):
    """``search_size`` must be a positive integer equal to the side of every motif in ``motifs``."""
    if isinstance(search_size, bool) or not isinstance(search_size, (int, np.integer)):
        raise TypeError(f"search_size must be an integer, got {type(search_size).__name__}.")
    if search_size < 1:
        raise ValueError(f"search_size must be a positive integer, got {search_size}.")
    for motif in motifs or ():
        if np.shape(motif) != (search_size, search_size):
            raise ValueError(f"search_size must equal the size of the motifs in {motifs_name}: "
                             f"got search_size={search_size} and a motif of shape {np.shape(motif)}.")
    return int(search_size)


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

    Raises
    ------
    TypeError
        For a non-numeric ``adjacency_matrix`` or a non-integer ``search_size``.
    ValueError
        For a non-square ``adjacency_matrix``, NaN or infinite weights, or ``search_size`` < 1.

    Examples
    --------
    >>> w = np.array([[0, 0, 0.5], [0, 0, -0.3], [0, 0, 0]])
    >>> [(m.tolist(), c) for m, c in collect_motifs(w)]
    [([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.0]], 1)]
    """
    adjacency_matrix = _check_adjacency(adjacency_matrix, "adjacency_matrix")
    search_size = _check_search_size(search_size)
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

    Raises
    ------
    TypeError
        For a non-numeric ``matrix`` or a non-integer ``search_size``.
    ValueError
        For a non-square ``matrix``, NaN or infinite weights, or a ``search_size`` other than the
        size of the reference motifs (3 for the defaults).

    Examples
    --------
    >>> w = np.array([[0, 0, 0.5], [0, 0, -0.3], [0, 0, 0]])
    >>> count_motifs_from_adjacency_matrix(w, 3).tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    >>> count_motifs_from_adjacency_matrix(w, 3, semantics="corrected").tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    """
    _check_choice(semantics, SEMANTICS, "semantics")
    matrix = _check_adjacency(matrix, "matrix")
    if reference_motifs is None:
        reference_motifs = _reference_motif_matrices()
    _check_search_size(search_size, reference_motifs)
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
    ``matrix`` and ``search_size`` are validated as in :func:`count_motifs_from_adjacency_matrix`
    (``search_size`` must equal the size of the ``detected_motifs``).

    Examples
    --------
    >>> w = np.zeros((4, 4)); w[0, 1], w[1, 2], w[0, 2] = 1.0, 1.0, -1.0
    >>> incoherent = _reference_motif_matrices()[:4]
    >>> detect_motifs_from_adjacency_matrix(w, 3, incoherent)
    True
    """
    matrix = _check_adjacency(matrix, "matrix")
    _check_search_size(search_size, detected_motifs, "detected_motifs")
    for motif, _ in collect_motifs(matrix, search_size):
        for detected_motif in detected_motifs:
            if is_same_motif(motif, detected_motif):
                return True
    return False
