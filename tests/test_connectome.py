"""Connectome loader, sign-aware census vs networkx's triadic census, null models, enrichment, loop removal.

Loader facts were read from the converter's output and checked against the literature:
Cook et al. 2019 describe all 302 hermaphrodite neurons; Varshney et al. 2011 count 6,393
chemical synapses and 890 gap junctions (the cect copy of their table has one more chemical
synapse); AIY→AIZ, ASH→AVA, PVC→AVB (chemical) and AVB–DB (gap junction) are textbook
connections of the locomotion and chemotaxis circuits; DD/VD motor neurons are GABAergic,
AVA/AIY cholinergic and ASH glutamatergic.
"""

import itertools
import shutil

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import practice.connectome as connectome
from practice.connectome import load_connectome, transmitter_polarity
from practice.enrichment import (CENSUS_NAMES, motif_census, motif_enrichment, remove_loops, remove_random_edges,
                                 unsigned_triads)
from practice.motif import count_motifs_from_adjacency_matrix, loop_counts
from practice.null_models import (barabasi_albert, degree_preserving_rewire, erdos_renyi, null_model, partial_rewire,
                                  watts_strogatz)

# ---------------------------------------------------------------------------------------------
# loader
# ---------------------------------------------------------------------------------------------

FACTS = {
    # name: (neurons, sensory, inter, motor, chemical edges incl. self-loops, Σ chemical, gap pairs, Σ gap)
    "cook2019_hermaphrodite": (302, 83, 96, 123, 3709, 20965, 1105, 5779),
    "varshney2011": (280, 83, 81, 116, 2194, 6394, 517, 890),
}
# (pre, post): (chemical count, gap-junction count) per data set
SYNAPSES = {
    "cook2019_hermaphrodite": {("AIYL", "AIZL"): (67, 0), ("ASHL", "AVAL"): (15, 0), ("PVCL", "AVBL"): (7, 0),
                               ("AVBL", "DB3"): (0, 9), ("AVAL", "AVAR"): (12, 18), ("DD1", "VD2"): (1, 3)},
    "varshney2011": {("AIYL", "AIZL"): (13, 0), ("ASHL", "AVAL"): (2, 0), ("PVCL", "AVBL"): (5, 0),
                     ("AVBL", "DB3"): (0, 1), ("AVAL", "AVAR"): (2, 5), ("DD1", "VD2"): (1, 2)},
}


@pytest.mark.parametrize("name", sorted(FACTS))
def test_loader_facts(name):
    n, sensory, inter, motor, chemical_edges, chemical_total, gap_pairs, gap_total = FACTS[name]
    chemical = load_connectome(name, synapses=("chemical",), signed=False, self_loops=True)
    assert len(chemical.names) == len(set(chemical.names)) == n and chemical.adjacency.shape == (n, n)
    assert [chemical.roles.count(role) for role in ("sensory", "inter", "motor")] == [sensory, inter, motor]
    assert chemical.adjacency.nnz == chemical_edges
    assert chemical.adjacency.sum() == chemical_total
    gap = load_connectome(name, synapses=("electrical",), signed=False, self_loops=True).adjacency
    assert (gap != gap.T).nnz == 0
    assert sp.triu(gap).nnz == gap_pairs and sp.triu(gap).sum() == gap_total
    for (pre, post), (chem_count, gap_count) in SYNAPSES[name].items():
        i, j = chemical.index(pre), chemical.index(post)
        assert chemical.adjacency[i, j] == chem_count, (pre, post)
        assert gap[i, j] == gap[j, i] == gap_count, (pre, post)
    assert {chemical.roles[chemical.index(cell)] for cell in ("ASHL", "AWCL", "PLML")} == {"sensory"}
    assert {chemical.roles[chemical.index(cell)] for cell in ("AVAL", "AIYL", "RIAL")} == {"inter"}
    assert {chemical.roles[chemical.index(cell)] for cell in ("DD1", "VB3", "SMDVL")} == {"motor"}
    assert "Cook" in load_connectome("cook2019").citation and "MIT" in chemical.licence


def test_signs_follow_the_presynaptic_transmitter():
    data = load_connectome("cook2019")          # both synapse types, signed, glutamate +1
    a, ix = data.adjacency, data.index
    assert [data.transmitters[ix(c)] for c in ("DD1", "AVAL", "ASHL")] == ["GABA", "Acetylcholine", "Glutamate"]
    assert a[ix("DD1"), ix("VD2")] == -(1 + 3)      # GABA chemical + gap junction on the same pair
    assert a[ix("AVAL"), ix("AVAR")] == 12 + 18
    assert a[ix("ASHL"), ix("AVAL")] == 15
    assert a[ix("AVBL"), ix("DB3")] == a[ix("DB3"), ix("AVBL")] == 9    # gap junction only: +1 both ways
    flipped = load_connectome("cook2019", electrical=-1).adjacency
    assert flipped[ix("AVBL"), ix("DB3")] == -9 and flipped[ix("AVAL"), ix("AVAR")] == 30
    inhibitory = load_connectome("cook2019", synapses=("chemical",), glutamate=-1)
    assert inhibitory.adjacency[ix("ASHL"), ix("AVAL")] == -15
    unsigned = load_connectome("cook2019", signed=False)
    assert (unsigned.adjacency.data > 0).all() and np.array_equal(abs(a).toarray(), unsigned.adjacency.toarray())
    assert a.diagonal().tolist() == [0] * 302                      # self-loops dropped by default
    # Dale's principle: one sign per presynaptic neuron's chemical synapses
    chemical = load_connectome("cook2019", synapses=("chemical",)).adjacency.tocsr()
    for row in range(302):
        signs = np.sign(chemical.data[chemical.indptr[row]:chemical.indptr[row + 1]])
        assert len(set(signs.tolist())) <= 1


def test_transmitter_polarity_rules():
    assert transmitter_polarity("Acetylcholine+Serotonin") == 1
    assert transmitter_polarity("GABA+Unknown_Monoaminergic_Neurotransmitter") == -1
    assert transmitter_polarity("Acetylcholine+GABA", unknown=0) == 0
    assert transmitter_polarity("Acetylcholine+Glutamate", glutamate=-1) == 1
    assert transmitter_polarity("Glutamate+Serotonin_Uptake", glutamate=-1) == -1
    assert transmitter_polarity("Dopamine", unknown=-1) == -1


def test_loader_verifies_the_checksum_and_arguments(tmp_path, monkeypatch):
    source = connectome.data_directory()
    for item in source.iterdir():
        shutil.copy(item, tmp_path / item.name)
    path = tmp_path / "varshney2011.json"
    path.write_bytes(path.read_bytes().replace(b'"AVAL"', b'"AVAX"', 1))
    monkeypatch.setattr(connectome, "data_directory", lambda: tmp_path)
    with pytest.raises(ValueError, match="SHA-256"):
        load_connectome("varshney2011")
    load_connectome("cook2019")  # untouched file still loads
    with pytest.raises(ValueError, match="name"):
        load_connectome("white1986")
    with pytest.raises(ValueError, match="synapses"):
        load_connectome("cook2019", synapses=("chemical", "neuropeptide"))
    with pytest.raises(ValueError, match="glutamate"):
        load_connectome("cook2019", glutamate=0)


# ---------------------------------------------------------------------------------------------
# census
# ---------------------------------------------------------------------------------------------

def _random_signed(n, density, seed, reciprocal=True, loops=False):
    rng = np.random.default_rng(seed)
    weights = (rng.random((n, n)) < density) * rng.choice([-1.0, 1.0], (n, n))
    if not reciprocal:
        weights = np.triu(weights, 1)[np.ix_(order := rng.permutation(n), order)]
    if not loops:
        np.fill_diagonal(weights, 0.0)
    return weights


def _brute_force_forks_chains(weights):
    present = weights != 0
    forks = chains = 0
    for triple in itertools.combinations(range(len(weights)), 3):
        if any(present[i, i] for i in triple):
            continue
        edges = {(a, b) for a in triple for b in triple if a != b and present[a, b]}
        if len(edges) != 2 or any((b, a) in edges for a, b in edges):
            continue
        (a, b), (c, d) = sorted(edges)
        if a == c:
            forks += 1
        elif b == c or d == a:
            chains += 1
    return forks, chains


@pytest.mark.parametrize("seed", range(4))
def test_census_matches_reference_and_brute_force(seed):
    weights = _random_signed(9, 0.3, seed, loops=True)
    census = motif_census(weights)
    assert census[:12].tolist() == count_motifs_from_adjacency_matrix(weights, 3, semantics="corrected").tolist()
    assert tuple(census[12:].tolist()) == _brute_force_forks_chains(weights)
    assert np.array_equal(census, motif_census(sp.csr_array(weights), method="sparse"))


@pytest.mark.parametrize("seed", range(5))
def test_unsigned_census_equals_networkx_triadic_census(seed):
    weights = _random_signed(25, 0.15, seed)
    census = nx.triadic_census(nx.DiGraph(weights != 0))
    assert unsigned_triads(weights) == {key: census[key] for key in ("030T", "021U", "021D", "021C")}


def test_connectome_census_equals_networkx_triadic_census():
    adjacency = load_connectome("varshney2011").adjacency
    census = nx.triadic_census(nx.DiGraph(nx.from_scipy_sparse_array(adjacency, create_using=nx.DiGraph)))
    assert unsigned_triads(adjacency) == {key: census[key] for key in ("030T", "021U", "021D", "021C")}
    counts = dict(zip(CENSUS_NAMES, motif_census(adjacency).tolist()))
    # one sign per presynaptic neuron: w12 and w13 share node 1's sign, so these patterns cannot occur
    assert counts["incoherent-loop.1"] == counts["incoherent-loop.3"] == 0
    assert counts["coherent-loop.2"] == counts["coherent-loop.4"] == 0


# ---------------------------------------------------------------------------------------------
# null models
# ---------------------------------------------------------------------------------------------

def _degrees(matrix):
    present = (sp.csr_array(matrix) != 0).astype(int)
    return np.asarray(present.sum(axis=1)).ravel(), np.asarray(present.sum(axis=0)).ravel()


@pytest.fixture(scope="module")
def graph():
    weights = _random_signed(40, 0.1, 11) * np.random.default_rng(0).integers(1, 4, (40, 40))
    return sp.csr_array(weights)


@pytest.mark.parametrize("kind,options", [("degree", {}), ("rewire", {"p": 0.4}), ("er", {}), ("ws", {}),
                                          ("ba", {}), ("ws", {"beta": 1.0}), ("rewire", {"p": 1.0})])
def test_null_models_keep_nodes_edges_values_and_are_seeded(graph, kind, options):
    first = null_model(graph, kind, seed=5, **options)
    again = null_model(graph, kind, seed=5, **options)
    other = null_model(graph, kind, seed=6, **options)
    assert first.shape == graph.shape and first.nnz == graph.nnz
    assert first.diagonal().tolist() == [0] * graph.shape[0]
    assert sorted(first.data.tolist()) == sorted(graph.data.tolist())
    assert (first != again).nnz == 0
    assert (first != other).nnz > 0
    if kind in ("degree", "rewire"):
        assert np.array_equal(_degrees(first)[0], _degrees(graph)[0])
    if kind == "degree":
        assert np.array_equal(_degrees(first)[1], _degrees(graph)[1])
        # each node keeps the multiset of values it sends
        for row in range(graph.shape[0]):
            assert sorted(first[[row], :].data.tolist()) == sorted(graph[[row], :].data.tolist())


def test_partial_rewire_moves_the_requested_fraction(graph):
    assert (partial_rewire(graph, 0.0, seed=1) != graph).nnz == 0
    for p in (0.1, 0.5):
        moved = partial_rewire(graph, p, seed=2)
        kept = ((moved != 0).astype(int).multiply((graph != 0).astype(int))).nnz
        assert graph.nnz - kept <= round(p * graph.nnz)
        assert graph.nnz - kept >= round(p * graph.nnz) * 0.8
    with pytest.raises(ValueError, match="p"):
        partial_rewire(graph, 1.5)


def test_watts_strogatz_lattice_and_barabasi_albert_structure(graph):
    n, m = graph.shape[0], graph.nnz
    lattice = watts_strogatz(graph, beta=0.0, seed=0)
    out_degree, in_degree = _degrees(lattice)
    assert sorted(set(out_degree.tolist())) == sorted({m // n, -(-m // n)})
    assert in_degree.max() - in_degree.min() <= 2          # a ring lattice is (almost) regular both ways
    preferential = barabasi_albert(graph, seed=0)
    present = (preferential != 0).astype(int)
    assert present.multiply(present.T).nnz == 0            # each new link joins a new pair, in one direction


def test_degree_spread_orders_ws_er_ba():
    # total degrees on the Varshney chemical graph: lattice < Poisson < preferential attachment
    adjacency = load_connectome("varshney2011", synapses=("chemical",)).adjacency

    def spread(matrix):
        present = (matrix != 0).astype(int)
        return np.asarray((present + present.T).sum(axis=0)).ravel().std()

    ws, er, ba = (spread(model(adjacency, seed=0)) for model in (watts_strogatz, erdos_renyi, barabasi_albert))
    assert ws < er < ba and ba > 2 * er


def test_degree_preserving_rewire_of_the_connectome():
    adjacency = load_connectome("varshney2011", synapses=("chemical",)).adjacency
    rewired = degree_preserving_rewire(adjacency, seed=0, n_swaps=2000)
    assert rewired.nnz == adjacency.nnz
    assert all(np.array_equal(a, b) for a, b in zip(_degrees(rewired), _degrees(adjacency)))
    assert (rewired != adjacency).nnz > 2000


def test_null_models_reject_self_loops():
    with pytest.raises(ValueError, match="self-loops"):
        erdos_renyi(np.eye(4) + np.diag(np.ones(3), 1))


# ---------------------------------------------------------------------------------------------
# enrichment and loop removal
# ---------------------------------------------------------------------------------------------

def test_enrichment_statistics_by_hand(graph):
    result = motif_enrichment(graph, null="er", n_samples=12, seed=3)
    assert result.samples.shape == (12, 14) and result.names == CENSUS_NAMES
    assert np.array_equal(result.observed, motif_census(graph))
    column = CENSUS_NAMES.index("collider.1")
    samples, observed = result.samples[:, column], result.observed[column]
    assert result.mean[column] == pytest.approx(samples.mean())
    assert result.z[column] == pytest.approx((observed - samples.mean()) / samples.std(ddof=1))
    assert result.p_greater[column] == pytest.approx((1 + np.sum(samples >= observed)) / 13)
    assert result.p_less[column] == pytest.approx((1 + np.sum(samples <= observed)) / 13)
    # sample i depends on (seed, i) only
    shorter = motif_enrichment(graph, null="er", n_samples=5, seed=3)
    assert np.array_equal(shorter.samples, result.samples[:5])
    # types whose null count never varies (a 4-node path has no loops in any ER sample) get z = NaN
    assert np.isnan(motif_enrichment(np.diag(np.ones(4), 1), null="er", n_samples=3, seed=0).z).any()


def test_remove_loops_leaves_none_of_the_kind():
    adjacency = load_connectome("cook2019", synapses=("chemical",)).adjacency
    coherent, incoherent = loop_counts(adjacency)
    assert coherent > 0 and incoherent > 0
    pruned, removed = remove_loops(adjacency, "coherent")
    assert loop_counts(pruned)[0] == 0 and 0 < removed == adjacency.nnz - pruned.nnz
    assert ((pruned != 0).astype(int) - (adjacency != 0).astype(int)).max() <= 0    # only deletions
    pruned, _ = remove_loops(adjacency, "incoherent")
    assert loop_counts(pruned)[1] == 0 and loop_counts(pruned)[0] > 0
    assert loop_counts(remove_loops(adjacency, "all")[0]) == (0, 0)
    control = remove_random_edges(adjacency, removed, seed=0)
    assert control.nnz == adjacency.nnz - removed


def test_enrichment_rows_collect_every_null(graph):
    from practice.enrichment import enrichment_rows

    rows = enrichment_rows(graph, nulls=("ws", "rewire"), n_samples=4, seed=1, options={"rewire": {"p": 0.5}})
    assert [row["null"] for row in rows] == ["ws"] * 14 + ["rewire"] * 14
    direct = motif_enrichment(graph, null="rewire", n_samples=4, seed=1, p=0.5)
    assert [row["mean"] for row in rows[14:]] == direct.mean.tolist()
