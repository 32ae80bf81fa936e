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
# # From a finished pipeline run to one panel of a paper figure
#
# **Question:** I have the output folder of a `works` run; how do I load its packed data and redraw (or restyle)
# one panel of a paper figure?
#
# The pipeline writes everything under one output folder `OUT`: raw results in `OUT/raw/` (formats in
# `docs/raw-data.md`), one packed `.npz` per figure in `OUT/data/`, the figures in `OUT/show/` and `OUT/REPORT.md`.
# To keep this notebook self-contained it first makes such a folder itself, with the same steps as
# `python -m works --scale smoke --tasks 1 2 --out OUT`, but only packing the data of Fig. 2 (`main02`). The smoke
# scale is tiny (seconds); its numbers are not the paper's.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from works import run_2_packs, show_main
from works._io import load_pack
from works.executors import InProcessExecutor
from works.run_1_tasks import run_tasks
from works.scales import get_scale

workspace = tempfile.TemporaryDirectory(prefix="motifeffect-example-")
OUT = Path(workspace.name)
scale = get_scale("smoke")  # seeds derive from this preset's base seed and each work unit's key
with InProcessExecutor() as executor:
    summary = run_tasks(OUT, scale, tasks=(1, 2), executor=executor, progress=False, log=lambda *args: None)
print({task: counts["computed"] for task, counts in summary.items()}, "work units computed per task")
print(run_2_packs.pack_all(OUT, scale.name, names=["main02"]))
print("raw Lipschitz files:", sorted(path.name for path in (OUT / "raw" / "robustness").glob("*.npy")))

# %% [markdown]
# Importing the figure modules of `works` selects matplotlib's non-interactive Agg backend (the pipeline draws
# headless); in a notebook, switch inline display back on:

# %%
# %matplotlib inline

# %% [markdown]
# ## Load the pack
#
# A pack is a plain `.npz` (never pickled) whose keys hold nested names; `load_pack` unflattens them into a dict
# of dicts. Panel **b** of Fig. 2 is the kernel density estimate (KDE) of the Lipschitz constants of each loop
# type: `pack["b"][loop type]["x"]` (Lipschitz constant) and `["y"]` (density).

# %%
pack = load_pack(OUT / "data" / "main02.npz")


def keys(tree, prefix=""):
    for name, value in tree.items():
        if isinstance(value, dict):
            yield from keys(value, f"{prefix}{name}/")
        else:
            yield f"{prefix}{name} {getattr(value, 'shape', '')}"


print("\n".join(keys(pack)))

# %% [markdown]
# ## Redraw panel b, with the raw values behind it
#
# Left: panel b as the paper draws it: the KDE evaluated on the axis range 0.6–2.4 and divided by its sum, so
# each curve shows the proportion of loops per grid step (in %). Right: the same curves as densities, over the raw
# per-loop Lipschitz estimates (`OUT/raw/robustness/<structure>.npy`) that the packer smoothed.
# (`plt.style.context("default")` undoes the compact style that the pipeline's figure modules set.)

# %%
COLOURS = {"incoherent-loop": "tab:red", "coherent-loop": "tab:orange"}
with plt.style.context("default"):
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    for kind, colour in COLOURS.items():
        x, y = pack["b"][kind]["x"], pack["b"][kind]["y"]
        left.plot(x, 100 * y / y.sum(), color=colour, lw=2, label=kind)
        left.fill_between(x, 0, 100 * y / y.sum(), color=colour, alpha=0.25)
        right.plot(x, y, color=colour, lw=2, label=f"{kind}: KDE from the pack")
        files = sorted((OUT / "raw" / "robustness").glob(f"{kind}.*.npy"))
        raw = np.concatenate([np.load(path) for path in files])
        right.hist(raw, bins=15, density=True, color=colour, alpha=0.25, label=f"{kind}: raw estimates (n = {raw.size})")
    left.set(xlim=(0.6, 2.4), ylim=(0, None), xlabel="best Lipschitz constant (L-2)",
             ylabel="proportion of loops per grid step (%)",
             title=f"Fig. 2b redrawn from pack main02 (scale: {pack['meta']['scale']})")
    left.legend()
    right.set(xlabel="Lipschitz constant (L-2) of the normalised landscape",
              ylabel="probability density (per unit Lipschitz constant)", title="pack curves over the raw data")
    right.legend(fontsize=9, loc="upper right")
    fig.tight_layout()

# %% [markdown]
# ## Compare with the pipeline's own figure
#
# `works.show_main.draw_main02` draws the whole of Fig. 2 from the same pack into `OUT/show/main02.png` (and
# `.pdf`); panel b is the top middle one.

# %%
paths = show_main.draw_main02(OUT)
print([path.name for path in paths])
fig, ax = plt.subplots(figsize=(12, 7.5))
ax.imshow(plt.imread(OUT / "show" / "main02.png"))
ax.set_title("OUT/show/main02.png as drawn by the pipeline")
ax.axis("off")

# %%
workspace.cleanup()  # remove the temporary output folder
