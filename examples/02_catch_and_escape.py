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
# # Catch and escape: how far is a loop from the colliders?
#
# **Question:** can a simple collider imitate the landscape of a loop, and if a loop is trained to get away from
# its imitators, what does that escape look like step by step?
#
# * **Catch** (`effect.similarity.catch`): every loop (the *reference*) is imitated by four *catchers*, colliders
#   that start at `(±0.5, ±0.5, 0)` and run Adam steps minimising the mean squared error (MSE) between the two
#   normalised landscapes. The best catcher's smallest MSE measures how far the loop is from the colliders.
# * **Escape** (`effect.similarity.escape`): the loop (the *escaper*) takes gradient steps that *increase* its MSE
#   to the best catcher, while the catchers keep re-fitting it: an adversarial game, recorded step by step.
#
# Both functions are batched over loops and catchers; seeds are not needed here because both are deterministic
# (fixed starting catchers, full-batch gradients).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.similarity import catch, escape
from effect.structures import catcher_parameters, structure_parameters

POINTS = 41
VALUE_RANGE = (-1.0, 1.0)
inputs = grid_inputs(VALUE_RANGE, POINTS)
print("starting catchers [w_xz, w_yz, b_z]:\n", catcher_parameters())


def landscape(row, kind):
    """Normalised landscape of one parameter row, shape (41, 41) (rows: x, columns: y)."""
    return motif_outputs(torch.tensor(np.asarray([row], dtype=np.float32)), kind, inputs).reshape(POINTS, POINTS).numpy()


def show(ax, values, title):
    image = ax.imshow(values.T, origin="lower", extent=(*VALUE_RANGE, *VALUE_RANGE), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set(xlabel="input x", ylabel="input y")
    ax.set_title(title, fontsize=10)
    return image


# %% [markdown]
# ## How far are loops from the colliders?
#
# A sample of 100 loops of each type, drawn (seeded) from the parameter grid of the first sign pattern; each is
# caught by the four catchers with 100 Adam steps (learning rate 0.001, as in the study).

# %%
rng = np.random.default_rng(2025)
magnitudes = np.linspace(0.1, 1.0, 10)
biases = np.linspace(-1.0, 1.0, 11)
caught = {}
for kind in ["incoherent-loop", "coherent-loop"]:
    grid = structure_parameters(f"{kind}.1", magnitudes=magnitudes, biases=biases)
    sample = grid[rng.choice(len(grid), size=100, replace=False)]
    caught[kind] = (sample, catch(sample, kind, points=POINTS, threshold=100))
    loss = caught[kind][1]["loss"]
    print(f"{kind:16s} catch MSE: median {np.median(loss):.4f}, 90th percentile {np.quantile(loss, 0.9):.4f}")

fig, ax = plt.subplots(figsize=(7, 4))
bins = np.logspace(-4, 0, 30)
for kind, colour in [("incoherent-loop", "tab:red"), ("coherent-loop", "tab:orange")]:
    ax.hist(caught[kind][1]["loss"], bins=bins, histtype="step", lw=2, color=colour, label=f"{kind}.1 (100 loops)")
ax.set(xscale="log", xlabel="MSE to the best collider imitation (normalised output²)", ylabel="number of loops",
       title="Distance of loops from the colliders (catch)")
ax.legend()

# %% [markdown]
# The loop that is hardest to imitate, next to its best imitation and the difference between the two:

# %%
samples, result = caught["incoherent-loop"]
hardest = int(np.argmax(result["loss"]))
loop_row, catcher_row = samples[hardest], result["params"][hardest]
fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
show(axes[0], landscape(loop_row, "incoherent-loop"), f"loop {np.round(loop_row, 2).tolist()}")
image = show(axes[1], landscape(catcher_row, "collider"),
             f"best collider {np.round(catcher_row, 3).tolist()}\n(catcher {result['index'][hardest]})")
difference = landscape(loop_row, "incoherent-loop") - landscape(catcher_row, "collider")
show(axes[2], difference, f"difference, MSE = {np.mean(difference ** 2):.4f}")
fig.colorbar(image, ax=axes, label="normalised output z (difference: z_loop - z_collider)")

# %% [markdown]
# ## An escape, step by step
#
# The README's incoherent loop escapes for 20 outer steps; after each step the four catchers run 100 Adam steps to
# re-fit it, and the best one is recorded. In the default `semantics="reference"` the catchers are warm-started
# from step to step, so they keep learning while the loop moves: the curve below shows who is faster, and the
# snapshots show when the best catcher changes. `escape` returns the escaper state after every step `(E, S, 5)`, the
# chosen catcher `(E, S, 3)` and the MSE between the two `(E, S)`.

# %%
start = [-1.0, 0.652, 1.0, 1.0, 0.337]
steps = 20
path = escape([start], "incoherent-loop", points=POINTS, thresholds=(steps, 100))
escaper, chosen, loss = path["escaper"][0], path["catcher"][0], path["loss"][0]
print("escaper shape", escaper.shape, " loss first/last:", loss[0].round(5), loss[-1].round(5))

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
left.plot(np.arange(1, steps + 1), loss, marker="o", color="tab:red", label="MSE, escaper vs best catcher")
left.set(xlabel="escape step", ylabel="MSE (normalised output²)", title="Escaper against catchers that keep learning")
left.legend()
names = ["w_xy", "w_xz", "w_yz", "b_y", "b_z"]
for column, name in enumerate(names):
    right.plot(np.arange(0, steps + 1), np.r_[0.0, escaper[:, column] - start[column]], marker=".", label=name)
right.set(xlabel="escape step", ylabel="change since the start (parameter units)",
          title="Escaper parameters (learning rate 0.001 per step)")
right.legend(ncol=3, fontsize=9)
fig.tight_layout()

# %% [markdown]
# Snapshots of the escaper (top) and the collider that imitates it best at that step (bottom):

# %%
shown = [0, 6, 13, 19]
fig, axes = plt.subplots(2, len(shown), figsize=(14, 7), constrained_layout=True)
for column, step in enumerate(shown):
    show(axes[0, column], landscape(escaper[step], "incoherent-loop"), f"escaper after step {step + 1}")
    image = show(axes[1, column], landscape(chosen[step], "collider"),
                 f"best catcher {path['choice'][0, step]}, MSE {loss[step]:.4f}")
fig.colorbar(image, ax=axes, label="normalised output z", shrink=0.8)
