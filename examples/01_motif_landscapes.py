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
# # The three motif types, their landscapes and how steep they are
#
# **Question:** what does each three-node motif compute, and how does the steepness of its output (its Lipschitz
# estimate) vary across a sweep of its parameters?
#
# A motif maps two inputs `x`, `y` to one output `z` through `tanh` neurons:
#
# * **collider**: `x → z ← y`, parameters `[w_xz, w_yz, b_z]`;
# * **coherent loop**: `x → y → z` plus the shortcut `x → z`, parameters `[w_xy, w_xz, w_yz, b_y, b_z]`, where the
#   two paths from `x` to `z` have the same sign;
# * **incoherent loop**: the same wiring, with paths of opposite signs.
#
# Each motif type comes in four sign patterns (`"incoherent-loop.1"` … `.4`). The **landscape** of a motif is its
# output on a 41 × 41 grid of inputs in `[-1, 1]²`, min–max normalised to `[-1, 1]`. The batched engine
# (`effect.engine.motif_outputs`) computes the landscapes of thousands of motifs in one tensor program, and
# `effect.robustness.lipschitz_batch` estimates their Lipschitz constants all at once.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from effect import calculate_landscape, estimate_lipschitz, NeuralMotif
from effect.engine import grid_inputs, motif_outputs
from effect.robustness import lipschitz_batch
from effect.structures import structure_parameters, weight_signs

POINTS = 41  # grid points per input axis
VALUE_RANGE = (-1.0, 1.0)
SPACING = (VALUE_RANGE[1] - VALUE_RANGE[0]) / (POINTS - 1)  # grid spacing h = 0.05
inputs = grid_inputs(VALUE_RANGE, POINTS)  # (1681, 2) float32, the flattened "ij" grid
TYPES = ["incoherent-loop", "coherent-loop", "collider"]
COLOURS = {"incoherent-loop": "tab:red", "coherent-loop": "tab:orange", "collider": "tab:blue"}
print(inputs.shape, {kind: weight_signs(kind, 1) for kind in TYPES})


# %% [markdown]
# ## Wiring and signs
#
# The first sign pattern of each type; red edges inhibit (negative weight), blue edges excite.

# %%
def draw_motif(ax, kind, signs):
    places = {"x": (0.0, 1.0), "y": (0.0, 0.0), "z": (1.0, 0.5)} if kind == "collider" else {
        "x": (0.0, 1.0), "y": (0.5, 0.0), "z": (1.0, 1.0)}
    edges = [("x", "z"), ("y", "z")] if kind == "collider" else [("x", "y"), ("x", "z"), ("y", "z")]
    for (tail, head), sign in zip(edges, signs):
        ax.annotate("", xy=places[head], xytext=places[tail],
                    arrowprops=dict(arrowstyle="-|>" if sign > 0 else "-[", lw=2, shrinkA=14, shrinkB=14,
                                    color="tab:blue" if sign > 0 else "tab:red"))
    for name, (px, py) in places.items():
        ax.scatter(px, py, s=600, color="white", edgecolor="black", zorder=3)
        ax.text(px, py, name, ha="center", va="center", fontsize=12, zorder=4)
    ax.set(xlim=(-0.3, 1.3), ylim=(-0.3, 1.3), title=f"{kind}.1  signs {signs}")
    ax.axis("off")


fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
for ax, kind in zip(axes, TYPES):
    draw_motif(ax, kind, weight_signs(kind, 1))
fig.legend(handles=[plt.Line2D([], [], color="tab:blue", lw=2, label="excitatory (w > 0)"),
                    plt.Line2D([], [], color="tab:red", lw=2, label="inhibitory (w < 0)")],
           loc="lower center", ncol=2, frameon=False)
fig.tight_layout(rect=(0, 0.1, 1, 1))

# %% [markdown]
# ## One landscape per type
#
# A parameter row is `weights + biases`. `motif_outputs` takes a `(B, n_params)` tensor and returns the
# normalised outputs `(B, 1681)`; we reshape them to `(B, 41, 41)` with rows indexing `x` and columns `y`.

# %%
examples = {
    "incoherent-loop": [-1.0, 0.652, 1.0, 1.0, 0.337],
    "coherent-loop": [1.0, 0.652, 1.0, 1.0, 0.337],
    "collider": [0.5, -0.5, 0.0],
}
fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
for ax, (kind, row) in zip(axes, examples.items()):
    landscape = motif_outputs(torch.tensor([row]), kind, inputs).reshape(POINTS, POINTS).numpy()
    image = ax.imshow(landscape.T, origin="lower", extent=(*VALUE_RANGE, *VALUE_RANGE), cmap="RdBu_r",
                      vmin=-1, vmax=1)
    lipschitz = lipschitz_batch(landscape[None], SPACING, "L-2")[0]
    ax.set(xlabel="input x", ylabel="input y")
    ax.set_title(f"{kind}\nparameters {row}\nLipschitz (L-2) = {lipschitz:.3f}", fontsize=10)
fig.colorbar(image, ax=axes, label="normalised output z")

# %% [markdown]
# The batched path agrees with the original one-motif-at-a-time API (`NeuralMotif`, `calculate_landscape`,
# `estimate_lipschitz`): the incoherent loop above is the README's example, whose L-2 estimate is about 2.4525.

# %%
loop = NeuralMotif("incoherent-loop", 1, ["tanh", "tanh"], ["sum", "sum"],
                   weights=[-1.0, 0.652, 1.0], biases=[1.0, 0.337])
single = calculate_landscape(VALUE_RANGE, POINTS, loop)
batched = motif_outputs(torch.tensor([examples["incoherent-loop"]]), "incoherent-loop", inputs)
print("landscapes equal:", np.array_equal(single.reshape(-1), batched[0].numpy()))
print("per-item Lipschitz:", estimate_lipschitz(VALUE_RANGE, POINTS, single, "L-2"),
      " batched:", lipschitz_batch(single[None], SPACING, "L-2")[0])

# %% [markdown]
# ## A parameter sweep: 5,400 motifs per loop type
#
# `structure_parameters` enumerates a structure's parameter grid (weight magnitudes × biases, with the signs of the
# structure). We take 6 magnitudes in `[0.1, 1]` and 5 biases in `[-1, 1]`: 6³ · 5² = 5,400 loops per loop
# type and 6² · 5 = 180 colliders, all evaluated and estimated in one call each.

# %%
magnitudes = np.linspace(0.1, 1.0, 6)
biases = np.linspace(-1.0, 1.0, 5)
sweep = {}
for kind in TYPES:
    params = structure_parameters(f"{kind}.1", magnitudes=magnitudes, biases=biases)
    landscapes = motif_outputs(torch.tensor(params, dtype=torch.float32), kind, inputs)
    sweep[kind] = (params, lipschitz_batch(landscapes.reshape(-1, POINTS, POINTS), SPACING, "L-2"))
    print(f"{kind:16s} {params.shape[0]:5d} motifs, median Lipschitz {np.median(sweep[kind][1]):.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
bins = np.linspace(0, max(values.max() for _, values in sweep.values()), 40)
for kind, (_, values) in sweep.items():
    ax.hist(values, bins=bins, density=True, histtype="step", lw=2, color=COLOURS[kind], label=f"{kind}.1")
ax.set(xlabel="Lipschitz estimate (L-2) of the normalised landscape", ylabel="density (per unit Lipschitz)",
       title="Steepness across the parameter sweep")
ax.legend()

# %% [markdown]
# ## Where in parameter space are incoherent loops steep?
#
# The Lipschitz estimate of `incoherent-loop.1` over the shortcut weight `w_xz` and the output bias `b_z`, with
# the other parameters fixed (`|w_xy| = 1`, `w_yz = 1`, `b_y = 1`); a finer grid of 30 × 30 = 900 motifs.

# %%
w_xz = np.linspace(0.01, 1.0, 30)
b_z = np.linspace(-1.0, 1.0, 30)
grid_w, grid_b = np.meshgrid(w_xz, b_z, indexing="ij")
rows = np.stack([-np.ones(grid_w.size), grid_w.ravel(), np.ones(grid_w.size), np.ones(grid_w.size),
                 grid_b.ravel()], axis=1)
values = lipschitz_batch(motif_outputs(torch.tensor(rows, dtype=torch.float32), "incoherent-loop", inputs)
                         .reshape(-1, POINTS, POINTS), SPACING, "L-2").reshape(grid_w.shape)
fig, ax = plt.subplots(figsize=(6, 4.5))
image = ax.pcolormesh(w_xz, b_z, values.T, shading="nearest", cmap="viridis")
ax.set(xlabel="shortcut weight w_xz", ylabel="output bias b_z", title="incoherent-loop.1, w = (-1, w_xz, 1), b_y = 1")
fig.colorbar(image, label="Lipschitz estimate (L-2)")
