"""Guards of an output folder: one run at a time, one run configuration per folder, no stale temporaries.

* :class:`FolderLock` — an exclusive ``fcntl`` lock on ``OUT/.lock`` held for the whole run; a second run
  into the same folder is refused with the holder's process id and command (or waits, ``wait=True``). The
  lock dies with its process, so a killed run never leaves a folder locked.
* :func:`check_stamp` / :func:`write_stamp` — ``OUT/run.json`` records the run configuration (scale,
  semantics, base seed, package version). A run with another configuration is refused before anything is
  written, with the two ways forward (``--fresh`` wipes the folder's results, or use another ``--out``).
* :func:`clean_stale` — removes the temporary files an interrupted run left (``.<name>.*.tmp*``); only
  called while holding the lock, so no live writer loses its file.
* :func:`one_line_errors` — runs a command's body and turns its errors into one line and an exit status
  (``--debug`` keeps the traceback); :func:`locked_step` runs one per-step script (packs, figures, videos,
  report) on an existing output folder while holding its lock.
* :func:`watch_parent` — called in every pool worker: the worker exits within about a second after the
  main process dies (even by SIGKILL), so no worker outlives the pipeline.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp())
>>> stamp = {"scale": "smoke", "semantics": "reference", "seed": 1, "version": "0.1.0"}
>>> check_stamp(out, stamp) is None           # a new folder accepts any configuration
True
>>> _ = write_stamp(out, stamp)
>>> try:
...     check_stamp(out, {**stamp, "scale": "quick"})
... except FolderMismatch as error:
...     print(str(error).split(" holds ")[1].split(";")[0])
a run with scale='smoke', not 'quick'
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from works._io import atomic_write_bytes

__all__ = ["FolderBusy", "FolderLock", "FolderMismatch", "LOCK_NAME", "RESULTS", "STAMP_NAME", "UsageError",
           "args_stamp", "check_stamp", "clean_stale", "is_temporary", "locked_step", "one_line_errors", "prepare_out",
           "run_stamp", "step_arguments", "wipe", "watch_parent", "write_stamp"]

LOCK_NAME = ".lock"
STAMP_NAME = "run.json"
#: What a run writes into ``OUT`` (removed by :func:`wipe`; nothing else in the folder is touched).
RESULTS = ("raw", "data", "show", "videos", "REPORT.md", STAMP_NAME)
_STAMP_KEYS = ("scale", "semantics", "seed", "version")


class UsageError(ValueError):
    """A command-line argument that cannot work (the message names it)."""


class FolderBusy(RuntimeError):
    """Another run holds the output folder's lock."""


class FolderMismatch(RuntimeError):
    """The output folder belongs to another run configuration."""


def prepare_out(out_dir) -> Path:
    """``OUT`` as a folder (created if needed); :class:`UsageError` naming ``--out`` when it cannot be one."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {out} cannot be created: {error.strerror or error}.") from error
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out} is not writable.")
    return out


def run_stamp(scale) -> dict:
    """The configuration a folder belongs to: ``{"scale", "semantics", "seed", "version", "default_seed"}``.

    ``default_seed`` (the preset's seed) lets :func:`check_stamp` judge a run without ``--seed`` before the
    presets are even imported.
    """
    from works import __version__
    from works.scales import get_scale

    return {"scale": scale.name, "semantics": scale.semantics, "seed": int(scale.seed), "version": __version__,
            "default_seed": int(get_scale(scale.name).seed)}


def args_stamp(args) -> dict:
    """The part of the stamp known from parsed arguments alone (``seed`` None when ``--seed`` is not given)."""
    from works import __version__

    return {"scale": args.scale, "semantics": args.semantics, "seed": args.seed, "version": __version__}


def _recorded(out: Path) -> dict | None:
    path = out / STAMP_NAME
    if path.is_file():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            document = None
        if isinstance(document, dict) and all(key in document for key in _STAMP_KEYS):
            return document
    legacy = out / "raw" / "config.json"  # folders written before run.json existed
    if legacy.is_file():
        try:
            config = json.loads(legacy.read_text(encoding="utf-8"))
            return {"scale": config["name"], "semantics": config["semantics"], "seed": config["seed"]}
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return None


def check_stamp(out_dir, stamp: dict) -> None:
    """Refuse (:class:`FolderMismatch`) when ``OUT`` holds results of another run configuration.

    Reads only; a folder without a recorded configuration accepts any. ``stamp["seed"]`` None (no ``--seed``)
    stands for the preset's seed.
    """
    out = Path(out_dir)
    recorded = _recorded(out)
    if recorded is None:
        return None
    stamp = dict(stamp)
    if stamp.get("seed") is None:  # no --seed: the preset's, as recorded for this scale
        if "default_seed" not in recorded:
            stamp.pop("seed", None)
        else:
            stamp["seed"] = recorded["default_seed"]
    for key in _STAMP_KEYS:
        if key in recorded and key in stamp and recorded[key] != stamp[key]:
            raise FolderMismatch(
                f"output folder {out} holds a run with {key}={recorded[key]!r}, not {stamp[key]!r}; "
                f"rerun with --fresh to delete its results ({', '.join(RESULTS)}) and start again, "
                "or choose another --out.")
    return None


def write_stamp(out_dir, stamp: dict) -> Path:
    """Record ``stamp`` in ``OUT/run.json`` (atomically)."""
    text = json.dumps(stamp, indent=1, sort_keys=True)
    return atomic_write_bytes(Path(out_dir) / STAMP_NAME, text.encode("utf-8"))


def wipe(out_dir) -> list:
    """Delete the results of a run (:data:`RESULTS`) from ``OUT``; returns what was removed."""
    out, removed = Path(out_dir), []
    for name in RESULTS:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed


def is_temporary(name: str) -> bool:
    """Whether a file name is one of the pipeline's temporaries (``.<name>.<token>.tmp[.suffix]``)."""
    return name.startswith(".") and ".tmp" in name and name != LOCK_NAME


def clean_stale(out_dir) -> list:
    """Remove temporary files an interrupted run left under ``OUT``; returns their paths.

    Call only while holding the folder's :class:`FolderLock` (no other run is writing then).
    """
    out, removed = Path(out_dir), []
    for folder in (out, *(out / name for name in RESULTS if (out / name).is_dir())):
        walker = folder.rglob("*") if folder != out else folder.glob("*")
        for path in walker:
            if is_temporary(path.name) and path.is_file():
                try:
                    path.unlink()
                    removed.append(path)
                except FileNotFoundError:
                    pass
    return removed


class FolderLock:
    """Exclusive lock of an output folder (``OUT/.lock``, ``fcntl.flock``), a context manager.

    Parameters
    ----------
    out_dir : path-like
        The output folder (must exist).
    wait : bool
        Wait for the holder to finish instead of raising :class:`FolderBusy`.
    poll : float
        Seconds between attempts while waiting.
    """

    def __init__(self, out_dir, wait: bool = False, poll: float = 0.5):
        self.path = Path(out_dir) / LOCK_NAME
        self.wait = bool(wait)
        self.poll = float(poll)
        self._handle = None

    def holder(self) -> str:
        """Who holds the lock, as written by the holder (``"pid N: command"``), or ``"unknown"``."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        return text or "unknown"

    def acquire(self) -> FolderLock:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while locked
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    handle.close()
                    raise
                if not self.wait:
                    handle.close()
                    raise FolderBusy(f"output folder {self.path.parent} is in use by another run "
                                     f"({self.holder()}); wait for it with --wait or choose another --out.") from None
                if not told:
                    print(f"waiting for the run holding {self.path.parent} ({self.holder()}) ...", file=sys.stderr)
                    told = True
                time.sleep(self.poll)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}: {' '.join(sys.argv) or 'python'}\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            try:
                self._handle.seek(0)
                self._handle.truncate()
                self._handle.flush()
            except OSError:
                pass
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _parent_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a dead parent not yet reaped by its own parent is a zombie
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def watch_parent(pid: int, period: float = 0.5) -> threading.Thread:
    """Exit this process (``os._exit``) soon after process ``pid`` is gone; call in pool workers.

    Also asks Linux to kill this process when its direct parent dies (``PR_SET_PDEATHSIG``).
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass

    def loop():
        while _parent_alive(pid):
            time.sleep(period)
        os._exit(1)

    thread = threading.Thread(target=loop, name="watch-parent", daemon=True)
    thread.start()
    return thread


class _Stopped(BaseException):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum, frame):
    raise _Stopped(signum)


def one_line_errors(body, debug: bool = False):
    """Run ``body()`` as a command: errors become one line on stderr and an exit status.

    Status 2 for a :class:`UsageError`, 3 for :class:`FolderBusy` / :class:`FolderMismatch`, 1 for an
    ``OSError`` or ``ValueError`` (the message names the path), 128 + signal number after Ctrl-C or SIGTERM
    (finished work is kept). With ``debug`` the exception propagates with its traceback. Returns what
    ``body`` returns.
    """

    def fail(status: int, message: str):
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(status)

    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        return body()
    except (KeyboardInterrupt, _Stopped) as stop:
        if debug:
            raise
        signum = getattr(stop, "signum", signal.SIGINT)
        print(f"\ninterrupted ({signal.Signals(signum).name}); finished work is kept: rerun the same command to "
              "resume.", file=sys.stderr)
        raise SystemExit(128 + int(signum)) from None
    except UsageError as error:
        if debug:
            raise
        fail(2, str(error))
    except (FolderBusy, FolderMismatch) as error:
        if debug:
            raise
        fail(3, str(error))
    except (OSError, ValueError) as error:
        if debug:
            raise
        path = getattr(error, "filename", None)
        text = str(error) if not path or str(path) in str(error) else f"{path}: {error.strerror or error}"
        fail(1, f"{text} (rerun with --debug for the traceback)")
    finally:
        signal.signal(signal.SIGTERM, previous)


def step_arguments(parser) -> None:
    """Add ``--wait`` and ``--debug`` (see :func:`locked_step`) to a per-step script's parser."""
    parser.add_argument("--wait", action="store_true", help="wait for another run using OUT to finish instead of "
                                                            "stopping")
    parser.add_argument("--debug", action="store_true", help="full tracebacks instead of one-line errors")


def locked_step(args, action, scale: str | None = None):
    """Run ``action(out)`` on the existing output folder ``args.out`` while holding its lock.

    The per-step scripts (packs, figures, videos, report) use it, so a step never reads or writes a folder
    another run is writing: a second run is refused (or waits with ``args.wait``), a folder of another
    ``scale`` is refused, temporaries of an interrupted run are removed first, and errors are one line
    (:func:`one_line_errors`, ``args.debug``).

    Examples
    --------
    >>> import argparse, tempfile
    >>> args = argparse.Namespace(out=tempfile.mkdtemp(), wait=False, debug=False)
    >>> locked_step(args, lambda out: sorted(p.name for p in out.iterdir()))
    ['.lock']
    """

    def body():
        out = Path(args.out)
        if not out.is_dir():
            raise UsageError(f"--out {out}: no such directory (run the earlier steps first).")
        if scale is not None:
            check_stamp(out, {"scale": scale})
        with FolderLock(out, wait=getattr(args, "wait", False)):
            clean_stale(out)
            return action(out)

    return one_line_errors(body, debug=getattr(args, "debug", False))
