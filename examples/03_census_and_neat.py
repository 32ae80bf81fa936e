# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Motif census of a network, and motif-constrained NEAT on CartPole
#
# **Question:** which signed three-node motifs does a network contain, and what happens to NEAT on CartPole when
# its reproduction may not create one motif type?
#
# * The **census** counts, for each of the twelve signed templates (`incoherent-loop.1`–`.4`,
#   `coherent-loop.1`–`.4`, `collider.1`–`.4`), the node triples whose induced subgraph is that template.
#   `practice.count_motifs_from_adjacency_matrix` is the original's literal algorithm;
#   `practice.motif.motif_counts` is the fast matrix-product counter, equal to it on every signed digraph.
# * **Motif-constrained NEAT**: `practice.AdjustedReproduction` rejects every child genome that contains a
#   forbidden motif type (`remove_type = i` in the config forbids incoherent loops); the baseline uses plain
#   NEAT reproduction. Both evolve populations of 250 feed-forward networks on CartPole, where the fitness of a
#   genome is the mean number of steps (at most 200) it balances the pole over 100 seeded episodes.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import works
from practice import count_motifs_from_adjacency_matrix, create_agent_config, NEATCartPoleTask, train
from practice.motif import MOTIF_NAMES, motif_counts

CONFIGS = Path(works.__file__).resolve().parent / "confs" / "main"  # the NEAT configs of the study
print(sorted(path.name for path in CONFIGS.glob("*.config")))

# %% [markdown]
# ## A census by hand
#
# A random signed feed-forward network on 9 nodes (seeded): an edge `i → j` (for `i < j`) exists with probability
# 0.45 and has a random sign and magnitude.

# %%
rng = np.random.default_rng(7)
n = 9
weights = np.triu(rng.uniform(0.2, 1.0, (n, n)) * rng.choice([-1, 1], (n, n)) * (rng.random((n, n)) < 0.45), k=1)
reference = count_motifs_from_adjacency_matrix(weights, 3)
fast = motif_counts(weights)
print("reference == fast:", reference.tolist() == fast.tolist())

fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1, 1.6]})
graph = nx.DiGraph([(i, j, {"w": weights[i, j]}) for i, j in zip(*np.nonzero(weights))])
graph.add_nodes_from(range(n))
layout = nx.circular_layout(graph)
nx.draw_networkx(graph, layout, ax=left, node_color="white", edgecolors="black", arrows=True,
                 edge_color=["tab:blue" if data["w"] > 0 else "tab:red" for *_, data in graph.edges(data=True)])
left.legend(handles=[plt.Line2D([], [], color="tab:blue", label="w > 0"),
                     plt.Line2D([], [], color="tab:red", label="w < 0")], loc="lower left")
left.set_title(f"signed network, {n} nodes, {graph.number_of_edges()} edges")
left.axis("off")
colours = ["tab:red"] * 4 + ["tab:orange"] * 4 + ["tab:blue"] * 4
right.bar(MOTIF_NAMES, reference, color=colours)
right.set(ylabel="occurrences (node triples)", title="motif census (reference and fast counters agree)")
plt.setp(right.get_xticklabels(), rotation=60, ha="right", rotation_mode="anchor")
fig.tight_layout()

# %% [markdown]
# `collider.2` and `collider.3` are the two mixed-sign colliders, which are the same motif up to swapping `x` and
# `y`: the original's counter (default `semantics="reference"`) adds such a triple to both, so the two bars are
# always equal; `semantics="corrected"` counts it once, in `collider.2` (see the quirks page, `docs/quirks.md`).

# %%
corrected = count_motifs_from_adjacency_matrix(weights, 3, semantics="corrected")
print("reference:", reference.tolist(), "\ncorrected:", corrected.tolist())

# %% [markdown]
# ## Motif-constrained NEAT on CartPole
#
# One seeded run per strategy, at most 12 generations; a run stops as soon as a genome reaches the fitness
# threshold of 195 steps. `train` returns the winning agent and, per generation, the best agent and all fitnesses.

# %%
runs = {}
for strategy, label in [("baseline", "b"), ("adjusted[i]", "i")]:
    config = create_agent_config(CONFIGS / f"{strategy}.config")
    agent, experience = train(NEATCartPoleTask(12), label, config, None, seed=0)
    runs[strategy] = (agent, experience)
    print(f"{strategy:12s} generations: {len(experience):2d}, final best fitness: {agent.get_fitness():.1f}")

fig, ax = plt.subplots(figsize=(8, 4.5))
for (strategy, (agent, experience)), colour in zip(runs.items(), ["tab:gray", "tab:red"]):
    generations = np.arange(len(experience))
    ax.plot(generations, [max(fitness) for _, fitness in experience], marker="o", color=colour,
            label=f"{strategy}: best of generation")
    ax.plot(generations, [np.mean(fitness) for _, fitness in experience], ls="--", color=colour,
            label=f"{strategy}: population mean")
ax.axhline(195, color="black", lw=0.8, ls=":", label="fitness threshold (195 steps)")
ax.set(xlabel="generation", ylabel="fitness (mean steps balanced per episode)", title="NEAT on CartPole, seed 0")
ax.legend(fontsize=9)

# %% [markdown]
# ## The winners' motifs
#
# The census of each winning network (its enabled connections). CartPole is solved by very small networks, so the
# censuses are small; the constrained run's winner can never contain an incoherent loop, the baseline's may.

# %%
fig, ax = plt.subplots(figsize=(10, 4))
positions = np.arange(len(MOTIF_NAMES))
for offset, (strategy, (agent, _)), colour in zip([-0.2, 0.2], runs.items(), ["tab:gray", "tab:red"]):
    counts = agent.get_motif_counts()
    ax.bar(positions + offset, counts, width=0.4, color=colour, label=f"{strategy} winner")
    print(f"{strategy:12s} {np.count_nonzero(agent.get_adjacency_matrix()):2d} enabled connections; incoherent loops: "
          f"{counts[:4].sum()}, coherent loops: {counts[4:8].sum()}, colliders: {counts[8:].sum()}")
ax.set_xticks(positions, MOTIF_NAMES, rotation=60, ha="right", rotation_mode="anchor")
ax.yaxis.get_major_locator().set_params(integer=True)
ax.set(ylabel="occurrences (node triples)", title="Motif census of the winning networks")
ax.legend()
fig.tight_layout()
