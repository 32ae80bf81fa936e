"""Connectome census, null-model sampling and ElegansNet training throughput.

Prints a Markdown table and writes JSON (default ``benchmarks/results/bench_connectome.json``).
Rows:

1. **census** of each shipped connectome (both synapse types, signed): the fast
   :func:`practice.enrichment.motif_census` versus ``networkx.triadic_census`` (unsigned; its
   030T / 021U / 021D / 021C counts must equal ours).
2. **null samples**: seconds per sample of each null model on the Cook 2019 connectome
   (degree-preserving swaps with E swaps, partial rewiring p = 0.5, ER, WS, BA), census included.
3. **training**: ElegansNet on the Cook 2019 wiring (302 neurons, width 4, 4 steps) — samples per
   second of one Adam step (forward + backward) at batch sizes 64 and 256; and the batched
   forward against the per-neuron reference loop (:meth:`ElegansNet.forward_reference`) at batch 8.

Usage::

    python benchmarks/bench_connectome.py [--quick] [--json PATH] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import networkx as nx
import numpy as np
import torch

from _timing import timed  # benchmarks/ is on sys.path when run as a script

from practice.connectome import load_connectome
from practice.enrichment import motif_census, unsigned_triads
from practice.null_models import null_model
from practice.wiring import ElegansNet


def bench_census(name, repeat):
    adjacency = load_connectome(name).adjacency
    fast, _ = timed(lambda: motif_census(adjacency), repeat=repeat)
    graph = nx.from_scipy_sparse_array(adjacency, create_using=nx.DiGraph)
    slow, census = timed(lambda: nx.triadic_census(graph), repeat=1)
    agree = unsigned_triads(adjacency) == {key: census[key] for key in ("030T", "021U", "021D", "021C")}
    return {"work": f"census of {name} ({adjacency.shape[0]} nodes, {adjacency.nnz} edges)",
            "reference": slow, "fast": fast, "unit": "s per graph", "agree": agree}


def bench_null(kind, options, samples, seed):
    adjacency = load_connectome("cook2019").adjacency
    rngs = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(samples)]
    start = time.perf_counter()
    for rng in rngs:
        motif_census(null_model(adjacency, kind, seed=rng, **options))
    seconds = (time.perf_counter() - start) / samples
    label = ", ".join(f"{key}={value}" for key, value in options.items())
    return {"work": f"null sample + census: {kind}{' (' + label + ')' if label else ''}",
            "reference": float("nan"), "fast": seconds, "unit": "s per sample", "agree": True}


def bench_training(batch, steps_timed, seed):
    data = load_connectome("cook2019")
    model = ElegansNet(data.adjacency, data.roles, 64, 10, width=4, steps=4, seed=seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(batch, 64, generator=generator)
    targets = torch.randint(0, 10, (batch,), generator=generator)

    def step():
        for _ in range(steps_timed):
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(model(inputs), targets).backward()
            optimiser.step()

    step()  # warm-up
    seconds, _ = timed(step, repeat=2)
    return {"work": f"ElegansNet Adam step, Cook 2019, batch {batch}", "reference": float("nan"),
            "fast": seconds / (steps_timed * batch), "unit": "s per sample", "agree": True,
            "samples_per_second": steps_timed * batch / seconds}


def bench_forward(batch, seed):
    data = load_connectome("cook2019")
    model = ElegansNet(data.adjacency, data.roles, 64, 10, width=4, steps=4, seed=seed)
    inputs = torch.rand(batch, 64, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        reference, slow = timed(lambda: model.forward_reference(inputs), repeat=1)
        batched, fast = timed(lambda: model(inputs), repeat=3)
    return {"work": f"ElegansNet forward, Cook 2019, batch {batch}: per-neuron loop vs batched",
            "reference": reference / batch, "fast": batched / batch, "unit": "s per sample",
            "agree": bool(torch.allclose(slow, fast, rtol=1e-4, atol=1e-5))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples and steps")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_connectome.json")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = [bench_census(name, 3 if args.quick else 10) for name in ("cook2019", "varshney2011")]
    samples = 2 if args.quick else 10
    for kind, options in (("degree", {}), ("rewire", {"p": 0.5}), ("er", {}), ("ws", {}), ("ba", {})):
        rows.append(bench_null(kind, options, samples, args.seed))
        print(f"done: {rows[-1]['work']}", flush=True)
    rows.append(bench_forward(8, args.seed))
    for batch in (64, 256):
        rows.append(bench_training(batch, 3 if args.quick else 10, args.seed))
        print(f"done: {rows[-1]['work']}", flush=True)
    print()
    print("| work | reference | fast | unit | agree |")
    print("| --- | ---: | ---: | --- | --- |")
    for row in rows:
        print(f"| {row['work']} | {row['reference']:.4g} | {row['fast']:.4g} | {row['unit']} | {row['agree']} |")
    record = {"machine": platform.platform(), "cpus": os.cpu_count(), "quick": args.quick, "seed": args.seed,
              "torch": torch.__version__, "networkx": nx.__version__, "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1, default=str))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
