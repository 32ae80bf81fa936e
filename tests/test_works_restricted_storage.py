"""Task-5 restricted fits stored as per-fit summaries plus per-chunk trace files (works/tasks/networks_traces.py).

The packers must give exactly the packs they give from the earlier layout (every trace concatenated into the
gathered file, built here with numpy as docs/raw-data.md describes it), and the gather must read no trace.
"""

import numpy as np
import pytest
from test_works_packs_3to5 import QS, _run, make_unrestricted

from works._io import save_npz, save_npz_streamed
from works.run_2_packs import pack_one
from works.tasks import networks_traces
from works.tasks.networks_traces import gather_summaries, load_traces, write_chunk, write_traces

PACKS = [f"supp{n}" for n in range(15, 24)]
METRICS = ("lipschitz", "sparsity", "spectral_norm", "gradient_variance", "hessian")


def test_streamed_npz_equals_the_concatenated_arrays(tmp_path):
    rng = np.random.default_rng(0)
    pieces = [rng.normal(size=(n, 3)) for n in (2, 0, 5)]
    save_npz_streamed(tmp_path / "a.npz", [("x/y", np.float64, (7, 3), iter(pieces)),
                                           ("n", np.int32, (3,), [np.array([1, 2]), np.array([3])]),
                                           ("s", np.array(["ab"]).dtype, (1,), [np.array(["ab"])]),
                                           ("z", np.int64, (), [np.int64(4)])])
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:
        np.testing.assert_array_equal(data["x/y"], np.concatenate(pieces))
        assert data["n"].tolist() == [1, 2, 3] and data["n"].dtype == np.int32
        assert data["s"].tolist() == ["ab"] and int(data["z"]) == 4
    with pytest.raises(ValueError, match="the pieces give 2 rows"):
        save_npz_streamed(tmp_path / "b.npz", [("x", np.float64, (3,), [np.ones(2)])])
    with pytest.raises(ValueError, match="does not fit shape"):
        save_npz_streamed(tmp_path / "b.npz", [("x", np.float64, (2, 3), [np.ones((2, 2))])])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz"]   # no partial file left


def _rows(rng, float32_loss, seeds=2, ks=range(11)):
    rows = []
    for k in ks:
        for seed in range(seeds):
            run = _run(rng, k)
            if seed == 0:
                run["loss"][-1] = 5e-4                                   # a success
            if float32_loss:
                run["loss"] = run["loss"].astype(np.float32).astype(np.float64)
            run["training_loss"] = run["loss"][run["step"] - 1]
            rows.append({"key": "0" * k + "1" * (10 - k) + f"-{seed}", "seed": seed, "k": k, "loss": run["loss"],
                         "steps": run["step"], "trace": {"training_loss": run["training_loss"],
                                                         **{name: run[name] for name in METRICS}}})
    return rows


def _legacy(raw, rows, name):
    """The earlier gathered file: every trace concatenated (float64), as the gather wrote it before."""
    out = {"landscape": np.array(name), "keys": np.array([r["key"] for r in rows]),
           "incoherent": np.array([r["k"] for r in rows]), "seed_index": np.array([r["seed"] for r in rows]),
           "maximum_iteration": np.int64(60), "metric_every": np.int64(4), "threshold": np.float64(1e-3),
           "initial_loss": np.array([r["loss"][0] for r in rows]),
           "final_loss": np.array([r["loss"][-1] for r in rows]),
           "iterations": np.array([len(r["loss"]) for r in rows]),
           "loss/values": np.concatenate([r["loss"] for r in rows]),
           "loss/offsets": np.r_[0, np.cumsum([len(r["loss"]) for r in rows])],
           "trace/offsets": np.r_[0, np.cumsum([len(r["steps"]) for r in rows])],
           "trace/step": np.concatenate([r["steps"] for r in rows])}
    out["success"] = out["final_loss"] <= 1e-3
    for key in ("training_loss",) + METRICS:
        out[f"trace/{key}"] = np.concatenate([r["trace"][key] for r in rows])
    save_npz(raw / f"network-scale/incoherent.vs.coherent.{name}.npz", out)


def _streamed(raw, rows, name, chunk=3):
    """Chunks of at most ``chunk`` fits of one k each, then the gather."""
    chunks = []
    for k in range(11):
        mine = [r for r in rows if r["k"] == k]
        for start in range(0, len(mine), chunk):
            summary = f"units/network-scale/{name}/restricted.k{k:02d}.{start:05d}.npz"
            write_chunk(raw, summary, summary.replace(".npz", ".traces.npz"), mine[start:start + chunk], 60)
            chunks.append(summary)
    save_npz(raw / f"network-scale/incoherent.vs.coherent.{name}.npz",
             gather_summaries(raw, chunks, name, 4, 1e-3))
    return chunks


def _assert_same(a, b, where=""):
    assert type(a) is type(b) or (np.ndim(a) == 0 and np.ndim(b) == 0), where
    if isinstance(a, dict):
        assert sorted(a) == sorted(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}/{key}")
    else:
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)


@pytest.mark.parametrize("float32_loss", [True, False])
def test_packs_from_chunk_files_equal_packs_from_the_earlier_gathered_file(tmp_path, float32_loss):
    rng = np.random.default_rng(5)
    rows = _rows(rng, float32_loss)
    legacy, streamed = tmp_path / "legacy", tmp_path / "streamed"
    for out in (legacy, streamed):
        make_unrestricted(out / "raw", np.random.default_rng(1))
    _legacy(legacy / "raw", rows, QS)
    chunks = _streamed(streamed / "raw", rows, QS)
    for name in PACKS:
        old, _ = pack_one(legacy, name, "smoke")
        new, read = pack_one(streamed, name, "smoke")
        _assert_same(old, new, name)
        if name in ("supp19", "supp20", "supp21", "supp22", "supp23"):   # these read the traces, chunk by chunk
            assert any(path.endswith(".traces.npz") for path in read), name
    # the traces are stored once, in the chunk files; the loss in float32 exactly when it is a float32 number
    traces = streamed / "raw" / chunks[0].replace(".npz", ".traces.npz")
    with np.load(traces) as data:
        assert data["loss/values"].dtype == (np.float32 if float32_loss else np.float64)
        assert data["trace/step"].dtype == np.int32 and data["trace/sparsity"].dtype == np.float64
    with np.load(streamed / "raw" / f"network-scale/incoherent.vs.coherent.{QS}.npz") as data:
        assert not any(name.startswith(("trace/", "loss/")) for name in data.files)
        assert data["trace_rows"].tolist()[-1] == len(rows) == data["keys"].size


def test_trace_file_round_trip_and_summaries_match_the_rows(tmp_path):
    rows = _rows(np.random.default_rng(2), True, seeds=1, ks=(0, 4))
    write_traces(tmp_path / "t.npz", rows)
    data = load_traces(tmp_path / "t.npz")
    for j, row in enumerate(rows):
        lo, hi = data["loss/offsets"][j:j + 2]
        np.testing.assert_array_equal(data["loss/values"][lo:hi], row["loss"])
        lo, hi = data["trace/offsets"][j:j + 2]
        np.testing.assert_array_equal(data["trace/step"][lo:hi], row["steps"])
        for name in ("training_loss",) + METRICS:
            np.testing.assert_array_equal(data[f"trace/{name}"][lo:hi], row["trace"][name])
    summary = networks_traces.chunk_summaries(rows, 60, "t.npz")
    for j, row in enumerate(rows):   # first iteration (1-based) at or below each milestone, by a literal loop
        for m, milestone in enumerate(summary["reach_milestones"]):
            hits = [t + 1 for t, value in enumerate(row["loss"]) if value <= milestone]
            assert summary["reach"][m, j] == (hits[0] if hits else 0)
        np.testing.assert_array_equal(summary["final_sparsity"][j], row["trace"]["sparsity"][-1])


def test_the_gather_reads_no_trace(tmp_path):
    raw = tmp_path / "raw"
    rows = _rows(np.random.default_rng(3), True, seeds=2, ks=(1, 2))
    chunks = _streamed(raw, rows, QS, chunk=1)
    for path in raw.rglob("*.traces.npz"):
        path.unlink()
    gathered = gather_summaries(raw, chunks, QS, 4, 1e-3)
    assert gathered["keys"].tolist() == [r["key"] for r in rows]
    assert gathered["trace_files"].tolist() == [c.replace(".npz", ".traces.npz") for c in chunks]
    assert gathered["trace_rows"].tolist() == list(range(len(rows) + 1))
