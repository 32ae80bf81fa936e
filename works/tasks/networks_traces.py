"""Task 5 restricted fits on disk: per-fit summaries, and trace files written piece by piece.

A restricted-fit unit (:func:`works.tasks.networks.unit_fit_restricted`) writes two files for its chunk of
configurations:

* the *summary* (its ``output``, :func:`works.layout.restricted_chunk_file`): one row per fit — key, number
  ``k`` of incoherent loops, seed index, initial and final loss, iterations, number of trace samples — plus the
  per-fit quantities the packers need without the traces: ``reach`` (first iteration at which the full loss
  trace reaches each loss milestone of Fig. S16) and ``final_sparsity`` (the last traced utilisation, Fig. S18);
* the *traces* (:func:`works.layout.restricted_trace_file`): every fit's full loss trace and traced metrics,
  written field by field and fit by fit (:func:`works._io.save_npz_streamed`), never concatenated in memory.

The landscape's gather (:func:`works.tasks.networks.unit_restricted_gather`) concatenates only the summaries
and lists the trace files with the first row of each (:func:`gather_summaries`); no trace is copied. Packers
read a fit's trace from its chunk's file (:func:`load_traces`), one chunk at a time.

Stored precision (the file format is in ``docs/raw-data.md``): the loss values (``loss/values`` and
``trace/training_loss``) are float32 — the network and its mean squared error are computed in float32, so the
float64 copies the fit returns hold float32 numbers exactly and the cast loses nothing (checked when writing:
a trace that is not exactly representable is stored as float64); ``trace/step`` is int32 (iterations stay far
below 2³¹). The metrics stay float64: utilisation, spectral norm and gradient variance are group means and
variances computed in float64, the Lipschitz estimate is a float64 ratio and the Hessian summary float64
eigenvalues, so float32 would round them and change the packed figure data.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> rows = [{"key": "a", "seed": 0, "k": 1, "loss": np.array([0.5, 0.25]), "steps": np.array([1, 2]),
...          "trace": {"training_loss": np.array([0.5, 0.25]), "lipschitz": np.array([1.0, 0.9]),
...                    "sparsity": np.ones((2, 4)), "spectral_norm": np.ones((2, 4)),
...                    "gradient_variance": np.zeros((2, 4)), "hessian": np.zeros((2, 3))}}]
>>> raw = Path(tempfile.mkdtemp())
>>> write_chunk(raw, "s.npz", "t.npz", rows, 2)
>>> traces = load_traces(raw / "t.npz")
>>> traces["loss/values"].tolist(), traces["trace/step"].dtype.name
([0.5, 0.25], 'int64')
>>> with np.load(raw / "s.npz") as summary:
...     summary["reach"][:3, 0].tolist(), str(summary["traces"])
([1, 1, 0], 't.npz')
"""

from __future__ import annotations

import numpy as np

from works._io import save_npz, save_npz_streamed

__all__ = ["METRIC_COLUMNS", "STORAGES", "SUMMARY_FIELDS", "TRACE_FORMAT", "chunk_summaries", "gather_summaries",
           "load_traces", "write_chunk", "write_traces"]

#: Version of the restricted-fit storage (2: summaries plus per-chunk trace files; 1, the earlier one: every
#: trace inside the gathered file).
TRACE_FORMAT = 2
#: Traced metrics: stored name -> columns per sample (1 = a flat array).
METRIC_COLUMNS = {"lipschitz": 1, "sparsity": 4, "spectral_norm": 4, "gradient_variance": 4, "hessian": 3}
#: Storage of the restricted fits: every trace ("full") or what the packers need from them ("statistics").
STORAGES = ("full", "statistics")
#: Per-fit rows of a summary that the gather concatenates, in order.
SUMMARY_FIELDS = ("keys", "incoherent", "seed_index", "initial_loss", "final_loss", "iterations", "samples",
                  "reach", "final_sparsity")


def _float32_exact(arrays) -> bool:
    """Whether every array holds float32 numbers exactly (NaN allowed)."""
    for array in arrays:
        array = np.asarray(array, dtype=np.float64)
        if not np.array_equal(array.astype(np.float32).astype(np.float64), array, equal_nan=True):
            return False
    return True


def write_traces(path, rows) -> None:
    """Write the traces of ``rows`` (configuration-major, then seed) to the ``.npz`` ``path``, fit by fit.

    Arrays: ``loss/offsets`` and ``trace/offsets`` (S + 1,) int64; ``loss/values`` (Σ iterations,) float32;
    ``trace/step`` (Σ samples,) int32; ``trace/training_loss`` (Σ samples,) float32; ``trace/<metric>``
    (Σ samples[, columns]) float64 for each metric of :data:`METRIC_COLUMNS`. A loss array whose values are not
    all float32 numbers is stored as float64 instead (nothing is rounded).
    """
    lengths = np.array([len(row["loss"]) for row in rows], dtype=np.int64)
    samples = np.array([len(row["steps"]) for row in rows], dtype=np.int64)
    total, count = int(lengths.sum()), int(samples.sum())
    loss_type = np.float32 if _float32_exact(row["loss"] for row in rows) else np.float64
    train_type = np.float32 if _float32_exact(row["trace"]["training_loss"] for row in rows) else np.float64
    step_type = np.int32 if count == 0 or max(int(np.max(row["steps"], initial=0)) for row in rows) < 2**31 \
        else np.int64
    members = [("loss/offsets", np.int64, (len(rows) + 1,), [np.concatenate([[0], np.cumsum(lengths)])]),
               ("loss/values", loss_type, (total,), (row["loss"] for row in rows)),
               ("trace/offsets", np.int64, (len(rows) + 1,), [np.concatenate([[0], np.cumsum(samples)])]),
               ("trace/step", step_type, (count,), (row["steps"] for row in rows)),
               ("trace/training_loss", train_type, (count,), (row["trace"]["training_loss"] for row in rows))]
    for name, columns in METRIC_COLUMNS.items():
        shape = (count,) if columns == 1 else (count, columns)
        members.append((f"trace/{name}", np.float64, shape, _pieces(rows, name, shape[1:])))
    save_npz_streamed(path, members)


def _pieces(rows, name, columns):
    """The ``name`` trace of every row as ``(samples, *columns)`` arrays, lazily."""
    return (np.reshape(row["trace"][name], (-1, *columns)) for row in rows)


def chunk_summaries(rows, cap, traces: str, storage: str = "full") -> dict:
    """The summary arrays of one chunk (see the module docstring); ``traces`` is its trace file (relative), or
    with ``storage="statistics"`` its statistics file (:mod:`works.tasks.networks_statistics`)."""
    from works.tasks.networks_packs import MILESTONES, first_reach

    reach = np.zeros((len(MILESTONES), len(rows)), dtype=np.int64)
    for j, row in enumerate(rows):  # one fit at a time: no concatenated copy of the loss traces
        reach[:, j] = first_reach(row["loss"], [0, len(row["loss"])])[:, 0]
    return {"keys": np.array([row["key"] for row in rows], dtype=str),
            "incoherent": np.array([row["k"] for row in rows], dtype=np.int64),
            "seed_index": np.array([row["seed"] for row in rows], dtype=np.int64),
            "initial_loss": np.array([row["loss"][0] for row in rows], dtype=np.float64),
            "final_loss": np.array([row["loss"][-1] for row in rows], dtype=np.float64),
            "iterations": np.array([len(row["loss"]) for row in rows], dtype=np.int64),
            "samples": np.array([len(row["steps"]) for row in rows], dtype=np.int64),
            "reach": reach, "reach_milestones": np.asarray(MILESTONES, dtype=np.float64),
            "final_sparsity": np.array([np.reshape(row["trace"]["sparsity"], (-1, 4))[-1] for row in rows],
                                       dtype=np.float64).reshape(len(rows), 4),
            "maximum_iteration": np.int64(cap or 0),
            ("statistics" if storage == "statistics" else "traces"): np.array(traces),
            "trace_format": np.int64(TRACE_FORMAT)}


def write_chunk(raw_dir, summary: str, traces: str, rows, cap, storage: str = "full", curve_rows=()) -> None:
    """Write a restricted chunk: its traces (``raw_dir / traces``) first, then its summary (``raw_dir / summary``).

    ``storage="statistics"`` writes to ``raw_dir / traces`` the chunk's statistics instead of its traces
    (:func:`works.tasks.networks_statistics.write_statistics`; ``curve_rows``: the rows whose S20 curves are kept).
    """
    if storage not in STORAGES:
        raise ValueError(f"storage must be one of {STORAGES}, got {storage!r}.")
    if storage == "statistics":
        from works.tasks.networks_statistics import write_statistics

        write_statistics(raw_dir / traces, rows, curve_rows)
    else:
        write_traces(raw_dir / traces, rows)
    save_npz(raw_dir / summary, chunk_summaries(rows, cap, traces, storage))


def load_traces(path, prefix: str = "") -> dict:
    """A trace file's arrays (those whose name starts with ``prefix``) in the in-memory types of the fits:
    float64 values, int64 steps and offsets."""
    with np.load(path, allow_pickle=False) as archive:
        out = {}
        for name in (name for name in archive.files if name.startswith(prefix)):
            value = archive[name]
            if value.dtype.kind in "iuf":
                value = value.astype(np.int64 if value.dtype.kind in "iu" else np.float64, copy=False)
            out[name] = value
    return out


def gather_summaries(raw_dir, chunks, landscape: str, metric_every: int, threshold: float) -> dict:
    """A landscape's restricted-fit file from its chunk summaries (rows in chunk order; no trace is read).

    Adds ``success`` (final loss ≤ ``threshold``), ``trace_files`` (C,) and ``trace_rows`` (C + 1,) int64: the
    fits of chunk ``c`` are rows ``trace_rows[c]`` to ``trace_rows[c + 1] - 1`` and their traces are in
    ``trace_files[c]`` (``statistics_files`` and ``statistics_rows`` when the chunks store statistics).
    """
    parts = []
    for path in chunks:
        with np.load(raw_dir / path, allow_pickle=False) as data:
            parts.append({name: data[name] for name in data.files})
    out = {"landscape": np.array(landscape), "metric_every": np.int64(metric_every),
           "threshold": np.float64(threshold),
           "maximum_iteration": np.int64(max(int(p["maximum_iteration"]) for p in parts)),
           "trace_format": np.int64(TRACE_FORMAT), "reach_milestones": parts[0]["reach_milestones"]}
    for name in SUMMARY_FIELDS:
        out[name] = np.concatenate([p[name] for p in parts], axis=1 if name == "reach" else 0)
    out["success"] = out["final_loss"] <= threshold
    field, prefix = ("statistics", "statistics") if "statistics" in parts[0] else ("traces", "trace")
    out[f"{prefix}_files"] = np.array([str(p[field]) for p in parts], dtype=str)
    out[f"{prefix}_rows"] = np.concatenate([[0], np.cumsum([p["keys"].size for p in parts])]).astype(np.int64)
    return out
