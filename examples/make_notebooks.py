"""Regenerate the example notebooks (``examples/*.ipynb``) from their jupytext percent-scripts.

Usage (from the repository root, with ``requirements-docs.txt`` installed)::

    python examples/make_notebooks.py             # convert and execute every example, keeping the outputs
    python examples/make_notebooks.py 01 --no-execute

The scripts (``examples/NN_*.py``) are the source to edit; the notebooks are generated and stored with their
outputs (less warnings printed to stderr) so that they can be read without running them. CI re-executes them with ``pytest --nbmake examples/``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def sources(prefixes=()):
    """Example scripts ``NN_*.py`` in name order, optionally only those whose name starts with a prefix."""
    scripts = sorted(path for path in HERE.glob("[0-9][0-9]_*.py"))
    return [path for path in scripts if not prefixes or path.name.startswith(tuple(prefixes))]


def make(script: Path, execute: bool = True, timeout: int = 600) -> Path:
    """Write ``script`` as a notebook next to it (executed in ``examples/`` when ``execute``)."""
    notebook = jupytext.read(script)
    notebook.metadata.pop("jupytext", None)  # the pairing lives in the script's header
    if execute:
        root = str(HERE.parent)  # import this checkout's packages even when they are not installed
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(HERE)}}).execute()
        for cell in notebook.cells:  # warnings (stderr) name the machine's paths; they are not kept
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.outputs if out.get("name") != "stderr"]
    target = script.with_suffix(".ipynb")
    nbformat.write(notebook, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="only the examples whose file name starts with these")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without outputs")
    args = parser.parse_args(argv)
    for script in sources(args.prefixes):
        print(f"{script.name} -> {make(script, execute=not args.no_execute).name}", file=sys.stderr)


if __name__ == "__main__":
    main()
