"""Timing helpers shared by the benchmark scripts."""

import time


def timed(function, repeat=1):
    """Best wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_benches(benches, names, speedup):
    """Run ``benches[name]()`` for each of ``names`` in order; each row gains ``"speedup"`` = ``speedup(row)``."""
    rows = []
    for name in names:
        row = benches[name]()
        row["speedup"] = speedup(row)
        rows.append(row)
        print(f"done: {name}", flush=True)
    return rows
