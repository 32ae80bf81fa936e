"""Executors for work units: in-process, a local process pool, or Dask distributed.

All executors run :func:`works.units.run_unit` on each unit and yield the manifest records as units finish;
results do not depend on the executor (seeds come from unit keys, torch runs single-threaded per unit). A unit
that raises yields ``{"key", "error", "traceback"}`` instead of a record (:func:`run_isolated`), so the other
units in flight still finish and are recorded.

Pool workers ignore Ctrl-C (the main process stops them: leaving the ``with`` block on an exception terminates
the pool) and exit by themselves about a second after the main process dies, even by SIGKILL
(:func:`works.guard.watch_parent`).

* ``workers=1`` — in this process, in order (easy debugging).
* ``workers=N`` — a ``concurrent.futures.ProcessPoolExecutor`` with the ``forkserver`` start method.
* ``dask="local"`` — a ``dask.distributed.LocalCluster`` with ``workers`` single-threaded workers;
  ``dask="tcp://host:port"`` — an existing scheduler. Dask is imported lazily (optional extra ``cluster``).

Examples
--------
>>> import tempfile
>>> from works.units import Unit
>>> config = {"loop": [-1.0, 0.652, 1.0, 1.0, 0.337], "steps": 2, "learn_rate": 1e-3, "points": 5}
>>> unit = Unit("task1/imitation/example", "works.tasks.motifs:unit_imitation", config, ("imitation/example.npy",))
>>> with make_executor(workers=1) as executor:
...     records = list(executor.run([unit], tempfile.mkdtemp()))
>>> records[0]["key"], list(records[0]["files"])
('task1/imitation/example', ['imitation/example.npy'])
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from works.units import run_unit

__all__ = ["DaskExecutor", "InProcessExecutor", "PoolExecutor", "default_workers", "make_executor", "run_isolated"]


def run_isolated(unit, raw_dir) -> dict:
    """:func:`works.units.run_unit`, but an exception becomes ``{"key", "error", "traceback"}``.

    ``error`` is one line (``"Type: message"``); ``traceback`` the full text (shown with ``--debug``).
    """
    from works.packing import one_line

    try:
        return run_unit(unit, raw_dir)
    except Exception as error:
        return {"key": unit.key, "error": one_line(error), "traceback": traceback.format_exc()}


def default_workers() -> int:
    """All cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


class InProcessExecutor:
    """Run units one after the other in this process."""

    workers = 1

    def run(self, units, raw_dir):
        """Yield the record of every unit, in order."""
        for unit in units:
            yield run_isolated(unit, raw_dir)

    def close(self):
        pass

    def terminate(self):
        """Stop at once (units in flight are lost; their files are never half-written)."""
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, trace):
        if kind is None:
            self.close()
        else:
            self.terminate()


def _initialise_worker(parent: int):
    import torch

    from works.guard import watch_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    watch_parent(parent)
    torch.set_num_threads(1)


class PoolExecutor(InProcessExecutor):
    """A local process pool (``forkserver`` start method; at most ``workers`` units in flight)."""

    def __init__(self, workers: int):
        self.workers = int(workers)
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                         initializer=_initialise_worker, initargs=(os.getpid(),))

    def run(self, units, raw_dir):
        """Yield records as units complete (completion order)."""
        raw_dir = str(raw_dir)
        pending = {self._pool.submit(run_isolated, unit, raw_dir) for unit in units}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self):
        self._pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self):
        """Cancel queued units and kill the workers (Ctrl-C, SIGTERM, an error in the main process)."""
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=3)
            if process.is_alive():  # pragma: no cover - a worker ignoring SIGTERM
                process.kill()
                process.join(timeout=3)


class DaskExecutor(InProcessExecutor):
    """Dask distributed: ``address="local"`` starts a ``LocalCluster``, else connects to ``address``."""

    def __init__(self, address: str, workers: int):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as error:  # pragma: no cover - optional extra
            raise ImportError("--dask needs dask[distributed] (pip install 'motifeffect[cluster]').") from error
        self.workers = int(workers)
        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)

    def run(self, units, raw_dir):
        """Yield records as units complete."""
        from dask.distributed import as_completed

        futures = [self._client.submit(run_isolated, unit, str(raw_dir), key=f"unit-{unit.key}-{id(unit)}",
                                       pure=False) for unit in units]
        for future in as_completed(futures):
            yield future.result()

    def close(self):
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int | None = None, dask: str | None = None):
    """Build the executor for ``--workers`` / ``--dask``.

    Parameters
    ----------
    workers : int, optional
        Default: all cores. ``1`` runs in-process (unless ``dask`` is given).
    dask : str, optional
        ``"local"`` or a scheduler address ``"tcp://host:port"``.

    Raises
    ------
    ValueError
        For ``workers < 1`` or a malformed ``dask`` address.
    """
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}.")
    if dask is not None:
        if dask != "local" and "://" not in dask:
            raise ValueError(f"dask must be 'local' or a scheduler address like 'tcp://host:8786', got {dask!r}.")
        return DaskExecutor(dask, workers)
    if workers == 1:
        return InProcessExecutor()
    return PoolExecutor(workers)
