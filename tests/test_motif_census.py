"""Tests of practice.motif (the original's literal functions) and practice.census (the fast sign-aware census).

Anchors: the paper's table of the twelve signed templates, worked examples of the original's
behaviour, an independent brute force over node triples written here, networkx ``triadic_census``.
"""

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from practice.motif import (
    MOTIF_NAMES,
    acyclic_motifs,
    collect_motifs,
    compliance_motif_specification,
    connections_to_motif_matrix,
    count_motifs_from_adjacency_matrix,
    detect_motifs_from_adjacency_matrix,
    fingerprint_to_motif_matrix,
    has_forbidden_loop,
    is_same_motif,
    loop_counts,
    loop_pattern_counts,
    motif_counts,
    motif_matrix_to_connections,
    motif_matrix_to_fingerprint,
    obtain_motif,
)

# the paper's template table, typed in: loops (w12, w13, w23), colliders (w13, w23)
SPEC_TABLE = {
    "incoherent-loop.1": (-1, 1, 1), "incoherent-loop.2": (1, 1, -1),
    "incoherent-loop.3": (1, -1, 1), "incoherent-loop.4": (-1, -1, -1),
    "coherent-loop.1": (1, 1, 1), "coherent-loop.2": (-1, 1, -1),
    "coherent-loop.3": (-1, -1, 1), "coherent-loop.4": (1, -1, -1),
    "collider.1": (1, 1), "collider.2": (1, -1), "collider.3": (-1, 1), "collider.4": (-1, -1),
}
LOOP_OF_SIGNS = {signs: name for name, signs in SPEC_TABLE.items() if "loop" in name}


def template_matrix(name):
    """0-based 3x3 template matrix written from the paper's table (not from the module)."""
    matrix = np.zeros((3, 3), dtype=int)
    signs = SPEC_TABLE[name]
    edges = [(0, 2), (1, 2)] if name.startswith("collider") else [(0, 1), (0, 2), (1, 2)]
    for (tail, head), sign in zip(edges, signs):
        matrix[tail, head] = sign
    return matrix


INCOHERENT = [template_matrix(f"incoherent-loop.{i}") for i in range(1, 5)]
COHERENT = [template_matrix(f"coherent-loop.{i}") for i in range(1, 5)]


def brute_force_census(weights, semantics="reference"):
    """Independent enumeration of all node triples with exact induced-subgraph semantics."""
    counts = dict.fromkeys(SPEC_TABLE, 0)
    n = weights.shape[0]
    for triple in itertools.combinations(range(n), 3):
        if any(weights[v, v] != 0 for v in triple):
            continue
        edges = {(a, b) for a in triple for b in triple if a != b and weights[a, b] != 0}
        sign = {edge: int(np.sign(weights[edge])) for edge in edges}
        for x, y, z in itertools.permutations(triple):
            if edges == {(x, y), (x, z), (y, z)}:
                counts[LOOP_OF_SIGNS[(sign[x, y], sign[x, z], sign[y, z])]] += 1
            elif edges == {(x, z), (y, z)} and x < y:
                pair = (sign[x, z], sign[y, z])
                if pair == (1, 1):
                    counts["collider.1"] += 1
                elif pair == (-1, -1):
                    counts["collider.4"] += 1
                else:
                    counts["collider.2"] += 1
                    counts["collider.3"] += semantics == "reference"
    return counts


def random_signed_graph(rng, n, density, kind):
    """Random weights in ±[0.1, 1]; "dag": feed-forward over a random order;
    "general": reciprocal edges and self-loops allowed."""
    weights = rng.uniform(0.1, 1.0, (n, n)) * rng.choice([-1.0, 1.0], (n, n))
    weights *= rng.random((n, n)) < density
    if kind == "dag":
        order = rng.permutation(n)
        return np.triu(weights, 1)[np.ix_(order, order)]
    keep_loops = rng.random(n) < 0.15
    weights[np.diag_indices(n)] *= keep_loops
    return weights


def graph_cases(count, seed, sizes=(3, 11)):
    rng = np.random.default_rng(seed)
    for index in range(count):
        kind = "dag" if index % 2 == 0 else "general"
        n = int(rng.integers(*sizes))
        yield kind, random_signed_graph(rng, n, rng.uniform(0.15, 0.8), kind)


# ------------------------------------------------------------------ templates and helpers

def test_acyclic_motifs_match_spec_table_and_edge_order():
    for kind in ("incoherent-loop", "coherent-loop", "collider"):
        assert len(acyclic_motifs[kind]) == 4
        for index, graph in enumerate(acyclic_motifs[kind], start=1):
            assert isinstance(graph, nx.DiGraph)
            order = [(1, 3), (2, 3)] if kind == "collider" else [(1, 2), (1, 3), (2, 3)]
            assert [(u, v) for u, v in graph.edges()] == order
            signs = tuple(data["weight"] for _, _, data in graph.edges(data=True))
            assert signs == SPEC_TABLE[f"{kind}.{index}"]


def test_loop_coherence_rule_of_spec():
    for name, signs in SPEC_TABLE.items():
        if "loop" in name:
            coherent = signs[0] * signs[2] == signs[1]
            assert coherent == name.startswith("coherent")


def test_fingerprint_and_connection_round_trips():
    matrix = np.array([[0.0, 1.0, -1.0], [0.0, 0.0, 1.0], [-1.0, 0.0, 0.0]])
    fingerprint = motif_matrix_to_fingerprint(matrix)
    assert fingerprint == (0.0, 1.0, -1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0)
    assert hash(fingerprint) == hash(tuple(matrix.ravel()))
    np.testing.assert_array_equal(fingerprint_to_motif_matrix(fingerprint), matrix)
    connections = motif_matrix_to_connections(matrix)
    assert connections == [0, 1, 1.0, 0, 2, -1.0, 1, 2, 1.0, 2, 0, -1.0]
    np.testing.assert_array_equal(connections_to_motif_matrix(connections, 3), matrix)


def test_is_same_motif():
    collider_2, collider_3 = template_matrix("collider.2"), template_matrix("collider.3")
    assert is_same_motif(collider_2, collider_3)  # the isomorphism behind the double count
    assert not is_same_motif(template_matrix("collider.1"), collider_2)
    assert not is_same_motif(np.zeros((2, 2)), np.zeros((3, 3)))
    for a, b in itertools.combinations([template_matrix(f"{k}.{i}") for k in ("incoherent-loop", "coherent-loop")
                                        for i in range(1, 5)], 2):
        assert not is_same_motif(a, b)
    # any relabelling of a loop is recognised
    loop = template_matrix("incoherent-loop.2")
    for perm in itertools.permutations(range(3)):
        assert is_same_motif(loop[np.ix_(perm, perm)], loop)
    with_self_loop = loop.copy()
    with_self_loop[1, 1] = 1
    assert not is_same_motif(with_self_loop, loop)


def test_obtain_motif_and_compliance():
    weights = np.array([[0.3, -0.7, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    motif = obtain_motif(weights, (2, 0, 1), 3)
    np.testing.assert_array_equal(motif, [[0, 0, 0], [0, 1, -1], [1, 0, 0]])
    assert motif.dtype == float
    assert compliance_motif_specification(motif)  # a chain 0→1→2 is kept
    assert not compliance_motif_specification(obtain_motif(weights, (0, 1, 3), 3))  # node 3 isolated


# ------------------------------------------------------------------ worked examples of the original's behaviour

def test_spec_lone_mixed_collider_counted_twice():
    weights = np.zeros((3, 3))
    weights[0, 2], weights[1, 2] = 0.5, -0.3
    expected = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert count_motifs_from_adjacency_matrix(weights, 3).tolist() == expected
    assert motif_counts(weights).tolist() == expected
    assert motif_counts(weights, method="sparse").tolist() == expected
    corrected = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert count_motifs_from_adjacency_matrix(weights, 3, semantics="corrected").tolist() == corrected
    assert motif_counts(weights, semantics="corrected").tolist() == corrected


def test_spec_ffl_counts_only_incoherent_loop_1():
    weights = np.zeros((3, 3))
    weights[0, 1], weights[0, 2], weights[1, 2] = -0.2, 0.4, 0.9
    expected = [1] + [0] * 11
    assert count_motifs_from_adjacency_matrix(weights, 3).tolist() == expected
    assert motif_counts(weights).tolist() == expected
    assert loop_counts(weights) == (0, 1)


def _genome_matrix(in_to_out):
    """CartPole-sized genome matrix (4 inputs, 2 outputs, hidden, 2 trailing zero rows = 9x9):
    in0→h (+), h→out0 (+), in0→out0 (in_to_out)."""
    weights = np.zeros((9, 9))
    inp, out0, hidden = 0, 4, 6
    weights[inp, hidden], weights[hidden, out0], weights[inp, out0] = 0.8, 1.3, in_to_out
    return weights


@pytest.mark.parametrize("in_to_out, expected", [(-0.5, {"i": True, "c": False, "a": True}),
                                                 (0.5, {"i": False, "c": True, "a": True})])
def test_spec_section9_detect(in_to_out, expected):
    weights = _genome_matrix(in_to_out)
    for remove_type, value in expected.items():
        assert has_forbidden_loop(weights, remove_type) is value
        assert has_forbidden_loop(sp.csr_array(weights), remove_type) is value
    assert detect_motifs_from_adjacency_matrix(weights, 3, INCOHERENT) is expected["i"]
    assert detect_motifs_from_adjacency_matrix(weights, 3, COHERENT) is expected["c"]
    if in_to_out < 0:
        assert loop_pattern_counts(weights)["incoherent-loop.3"] == 1


def test_reciprocal_edge_and_self_loop_break_a_loop():
    weights = np.zeros((3, 3))
    weights[0, 1], weights[0, 2], weights[1, 2] = 1.0, 1.0, 1.0
    assert loop_counts(weights) == (1, 0)
    reciprocal = weights.copy()
    reciprocal[2, 0] = -1.0
    self_loop = weights.copy()
    self_loop[1, 1] = 0.5
    for graph in (reciprocal, self_loop):
        assert loop_counts(graph) == (0, 0)
        assert count_motifs_from_adjacency_matrix(graph, 3).sum() == 0
        assert motif_counts(graph).sum() == 0
        assert motif_counts(graph, method="sparse").sum() == 0


# ------------------------------------------------------------------ differential tests

def test_fast_census_equals_independent_brute_force_on_220_graphs():
    for kind, weights in graph_cases(220, seed=20250):
        for semantics in ("reference", "corrected"):
            expected = brute_force_census(weights, semantics)
            assert loop_pattern_counts(weights, semantics) == expected, (kind, semantics)
            assert loop_pattern_counts(sp.coo_array(weights), semantics, method="sparse") == expected
        loops = loop_counts(weights)
        assert loops == (sum(expected[f"coherent-loop.{i}"] for i in range(1, 5)),
                         sum(expected[f"incoherent-loop.{i}"] for i in range(1, 5)))
        assert loop_counts(weights, method="sparse") == loops


def test_fast_census_equals_reference_functions():
    for kind, weights in graph_cases(60, seed=7, sizes=(3, 8)):
        for semantics in ("reference", "corrected"):
            np.testing.assert_array_equal(motif_counts(weights, semantics),
                                          count_motifs_from_adjacency_matrix(weights, 3, semantics=semantics))


def test_reference_and_corrected_differ_exactly_by_collider_double_count():
    seen_mixed = 0
    for kind, weights in graph_cases(40, seed=11, sizes=(4, 8)):
        reference = count_motifs_from_adjacency_matrix(weights, 3)
        corrected = count_motifs_from_adjacency_matrix(weights, 3, semantics="corrected")
        assert reference[9] == reference[10] == corrected[9]
        assert corrected[10] == 0
        np.testing.assert_array_equal(np.delete(reference, 10), np.delete(corrected, 10))
        seen_mixed += reference[9] > 0
    assert seen_mixed > 10  # the quirk was exercised


def test_has_forbidden_loop_agrees_with_reference_detect_on_random_graphs():
    outcomes = set()
    for kind, weights in graph_cases(60, seed=3, sizes=(4, 10)):
        incoherent = detect_motifs_from_adjacency_matrix(weights, 3, INCOHERENT)
        coherent = detect_motifs_from_adjacency_matrix(weights, 3, COHERENT)
        assert has_forbidden_loop(weights, "i") == incoherent
        assert has_forbidden_loop(weights, "c") == coherent
        assert has_forbidden_loop(weights, "a") == (incoherent or coherent)
        outcomes.add((incoherent, coherent))
    assert len(outcomes) == 4  # all combinations occurred


def test_closed_form_of_spec_on_dags():
    rng = np.random.default_rng(5)
    for _ in range(20):
        weights = random_signed_graph(rng, 15, 0.4, "dag")
        signs = np.sign(weights)
        adjacency = np.abs(signs)
        total = ((adjacency @ adjacency) * adjacency).sum()
        sign_sum = ((signs @ signs) * signs).sum()
        assert loop_counts(weights) == ((total + sign_sum) / 2, (total - sign_sum) / 2)


def test_invariance_under_node_relabelling():
    rng = np.random.default_rng(8)
    for kind, weights in graph_cases(20, seed=9, sizes=(8, 30)):
        perm = rng.permutation(weights.shape[0])
        relabelled = weights[np.ix_(perm, perm)]
        assert loop_pattern_counts(relabelled) == loop_pattern_counts(weights)
        assert loop_pattern_counts(sp.csr_array(relabelled)) == loop_pattern_counts(weights)


def test_sparse_and_dense_paths_agree_on_mid_size_graphs():
    rng = np.random.default_rng(12)
    for kind in ("dag", "general"):
        weights = random_signed_graph(rng, 120, 0.08, kind)
        dense = loop_pattern_counts(weights, method="dense")
        assert loop_pattern_counts(weights, method="sparse") == dense
        assert sum(dense.values()) > 100


def test_triadic_census_agreement_for_unsigned_totals():
    for kind, weights in graph_cases(40, seed=13, sizes=(5, 25)):
        np.fill_diagonal(weights, 0.0)  # triadic_census has no self-loop notion
        graph = nx.from_numpy_array(weights != 0, create_using=nx.DiGraph)
        census = nx.triadic_census(graph)
        counts = loop_pattern_counts(weights, semantics="corrected")
        assert census["030T"] == sum(v for k, v in counts.items() if "loop" in k)
        assert census["021U"] == sum(v for k, v in counts.items() if k.startswith("collider"))


def test_sparse_duplicates_and_explicit_zeros():
    # duplicates are summed (scipy semantics): +1 and -1 on 0→2 cancel, so only one collider edge is left
    rows, cols, vals = [0, 0, 1, 1], [2, 2, 2, 0], [1.0, -1.0, 1.0, 0.0]
    graph = sp.coo_array((vals, (rows, cols)), shape=(3, 3))
    assert sum(loop_pattern_counts(graph).values()) == 0
    graph = sp.coo_array(([1.0, 1.0, 0.0], ([0, 1, 1], [2, 2, 0])), shape=(3, 3))
    assert loop_pattern_counts(graph)["collider.1"] == 1


def test_structured_large_sparse_graph_has_known_counts():
    # 2,000 disjoint 5-node blocks: an incoherent-loop.4 on (0, 1, 2) and a collider (+, +) 0→4←3
    blocks = 2000
    rows, cols, vals = [], [], []
    for block in range(blocks):
        o = 5 * block
        for tail, head, value in ((0, 1, -1.0), (0, 2, -1.0), (1, 2, -1.0), (3, 4, 1.0), (0, 4, 1.0)):
            rows.append(o + tail)
            cols.append(o + head)
            vals.append(value)
    graph = sp.csr_array((vals, (rows, cols)), shape=(5 * blocks, 5 * blocks))
    counts = loop_pattern_counts(graph)
    # every other triple of a block is a fork (0→1, 0→4), a single edge or empty
    assert counts["incoherent-loop.4"] == blocks
    assert counts["collider.1"] == blocks
    assert sum(counts.values()) == 2 * blocks
    assert brute_force_census(graph[:5, :5].toarray()) == loop_pattern_counts(graph[:5, :5].toarray())


def test_large_sparse_graph_relabelling_invariance():
    rng = np.random.default_rng(0)
    n, m = 10_000, 100_000
    graph = sp.csr_array((rng.choice([-1.0, 1.0], m) * rng.uniform(0.1, 1.0, m),
                          (rng.integers(0, n, m), rng.integers(0, n, m))), shape=(n, n))
    counts = loop_pattern_counts(graph)
    perm = rng.permutation(n)
    assert loop_pattern_counts(graph[perm][:, perm]) == counts
    coherent, incoherent = loop_counts(graph)
    assert coherent == sum(counts[f"coherent-loop.{i}"] for i in range(1, 5))
    assert incoherent == sum(counts[f"incoherent-loop.{i}"] for i in range(1, 5))


def test_empty_and_tiny_graphs():
    for n in (0, 1, 2):
        zeros = np.zeros((n, n))
        assert sum(loop_pattern_counts(zeros).values()) == 0
        assert loop_counts(zeros, method="sparse") == (0, 0)
        assert not has_forbidden_loop(zeros, "a")
    assert motif_counts(np.ones((2, 2))).sum() == 0


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("call, match", [
    (lambda: loop_pattern_counts(np.zeros((3, 4))), "square"),
    (lambda: loop_pattern_counts(np.zeros(3)), "square"),
    (lambda: loop_pattern_counts(np.zeros((3, 3)), semantics="fixed"), "semantics"),
    (lambda: loop_counts(np.zeros((3, 3)), method="gpu"), "method"),
    (lambda: has_forbidden_loop(np.zeros((3, 3)), "b"), "remove_type"),
    (lambda: has_forbidden_loop(np.full((3, 3), np.nan), "a"), "NaN"),
    (lambda: loop_pattern_counts(sp.csr_array(np.full((3, 3), np.inf))), "NaN"),
    (lambda: count_motifs_from_adjacency_matrix(np.zeros((3, 3)), 3, semantics="x"), "semantics"),
])
def test_validation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_error_for_non_numeric():
    with pytest.raises(TypeError, match="numeric"):
        loop_pattern_counts(np.array([["a", "b"], ["c", "d"]]))


def test_motif_names_order():
    assert MOTIF_NAMES == tuple(SPEC_TABLE)
    assert [m for m, _ in collect_motifs(np.zeros((4, 4)))] == []


def test_reference_and_fast_paths_both_reject_nan():
    weights = np.zeros((3, 3))
    weights[0, 2], weights[1, 2], weights[0, 1] = 0.5, 0.5, np.nan  # the original would read the NaN as no edge
    with pytest.raises(ValueError, match="matrix contains NaN"):
        count_motifs_from_adjacency_matrix(weights, 3)
    with pytest.raises(ValueError, match="adjacency contains NaN"):
        motif_counts(weights)
