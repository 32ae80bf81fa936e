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

Memory hints (:attr:`works.units.Unit.memory_gb`): the process pool starts a unit only while the hints of
the units in flight fit its ``memory_gb`` limit (:class:`MemoryGate`; a unit larger than the limit runs
alone); the Dask executor annotates a hinted unit with the resource ``{"memory_gb": hint}`` when the
cluster's workers declare that resource (the local cluster declares each worker's share of the memory;
start remote workers with ``--resources memory_gb=<GiB>``), capped at the largest worker's amount so that
no unit becomes unschedulable.

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

__all__ = ["DaskExecutor", "InProcessExecutor", "MemoryGate", "PoolExecutor", "dask_resources", "default_memory_gb",
           "default_workers", "make_executor", "run_isolated"]


def default_memory_gb() -> float:
    """80 % of the machine's physical memory (GiB); 8 GiB when it cannot be read."""
    try:
        return 0.8 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 8.0


class MemoryGate:
    """Admission by memory: units start while the hints in flight stay within ``limit_gb``.

    A unit without a hint counts as 0; one whose hint alone exceeds the limit is admitted when nothing
    else is in flight (it runs alone rather than never).

    Examples
    --------
    >>> gate = MemoryGate(10.0)
    >>> gate.admit(6.0), gate.admit(6.0), gate.admit(None)
    (True, False, True)
    >>> gate.release(6.0); gate.admit(6.0)
    True
    """

    def __init__(self, limit_gb: float):
        if not limit_gb > 0:
            raise ValueError(f"memory_gb must be positive, got {limit_gb!r}.")
        self.limit_gb = float(limit_gb)
        self.in_flight_gb = 0.0
        self.count = 0

    def admit(self, hint) -> bool:
        """Reserve ``hint`` GiB if it fits (then True)."""
        hint = float(hint or 0.0)
        if self.count and self.in_flight_gb + hint > self.limit_gb:
            return False
        self.in_flight_gb += hint
        self.count += 1
        return True

    def release(self, hint) -> None:
        """Return the reservation of a finished unit."""
        self.in_flight_gb = max(0.0, self.in_flight_gb - float(hint or 0.0))
        self.count = max(0, self.count - 1)


def dask_resources(unit, capacity_gb) -> dict | None:
    """The Dask resource annotation of ``unit``: ``{"memory_gb": hint}`` capped at ``capacity_gb``.

    ``None`` when the unit has no hint or the workers declare no ``memory_gb`` (``capacity_gb`` is None).

    Examples
    --------
    >>> from works.units import Unit
    >>> dask_resources(Unit("k", "m:f", memory_gb=12.0), 8.0), dask_resources(Unit("k", "m:f"), 8.0)
    ({'memory_gb': 8.0}, None)
    """
    if unit.memory_gb is None or capacity_gb is None:
        return None
    return {"memory_gb": float(min(unit.memory_gb, capacity_gb))}


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
    """A local process pool (``forkserver`` start method; at most ``workers`` units in flight, and only as many
    as the units' memory hints allow under ``memory_gb``, default :func:`default_memory_gb`)."""

    def __init__(self, workers: int, memory_gb: float | None = None):
        self.workers = int(workers)
        self.memory_gb = default_memory_gb() if memory_gb is None else float(memory_gb)
        MemoryGate(self.memory_gb)  # validates
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                         initializer=_initialise_worker, initargs=(os.getpid(),))

    def run(self, units, raw_dir):
        """Yield records as units complete (completion order); larger hints are started first."""
        raw_dir = str(raw_dir)
        waiting = sorted(units, key=lambda unit: -(unit.memory_gb or 0.0))
        gate = MemoryGate(self.memory_gb)
        pending = {}
        try:
            while waiting or pending:
                index = 0  # start every waiting unit that fits, largest hint first
                while index < len(waiting) and len(pending) < self.workers:
                    if gate.admit(waiting[index].memory_gb):
                        unit = waiting.pop(index)
                        pending[self._pool.submit(run_isolated, unit, raw_dir)] = unit
                    else:
                        index += 1
                done, _ = wait(set(pending), return_when=FIRST_COMPLETED)
                for future in done:
                    gate.release(pending.pop(future).memory_gb)
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
    """Dask distributed: ``address="local"`` starts a ``LocalCluster``, else connects to ``address``.

    The local cluster's workers declare the resource ``memory_gb`` (``memory_gb / workers`` each, default
    :func:`default_memory_gb`); hinted units are annotated with :func:`dask_resources`.
    """

    def __init__(self, address: str, workers: int, memory_gb: float | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as error:  # pragma: no cover - optional extra
            raise ImportError("--dask needs dask[distributed] (pip install 'motifeffect[cluster]').") from error
        self.workers = int(workers)
        self._cluster = None
        if address == "local":
            share = (default_memory_gb() if memory_gb is None else float(memory_gb)) / self.workers
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, resources={"memory_gb": share})
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)

    def capacity_gb(self) -> float | None:
        """The largest ``memory_gb`` resource a worker declares (None when none does)."""
        workers = self._client.scheduler_info().get("workers", {})
        amounts = [info.get("resources", {}).get("memory_gb") for info in workers.values()]
        amounts = [float(a) for a in amounts if a is not None]
        return max(amounts) if amounts else None

    def run(self, units, raw_dir):
        """Yield records as units complete."""
        from dask.distributed import as_completed

        capacity = self.capacity_gb()
        futures = [self._client.submit(run_isolated, unit, str(raw_dir), key=f"unit-{unit.key}-{id(unit)}",
                                       pure=False, resources=dask_resources(unit, capacity)) for unit in units]
        for future in as_completed(futures):
            yield future.result()

    def close(self):
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int | None = None, dask: str | None = None, memory_gb: float | None = None):
    """Build the executor for ``--workers`` / ``--dask``.

    Parameters
    ----------
    workers : int, optional
        Default: all cores. ``1`` runs in-process (unless ``dask`` is given).
    dask : str, optional
        ``"local"`` or a scheduler address ``"tcp://host:port"``.
    memory_gb : float, optional
        Memory the units' hints may use at once (pool) or in all (local Dask cluster); default
        :func:`default_memory_gb`.

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
        return DaskExecutor(dask, workers, memory_gb)
    if workers == 1:
        return InProcessExecutor()
    return PoolExecutor(workers, memory_gb)
