"""The example notebooks (examples/*.ipynb) are generated from their percent-scripts (examples/NN_*.py).

Executing them is CI's docs step (``pytest --nbmake examples/``); this only checks that every script has its
notebook and that the two have the same cells, so an edit to one side cannot go unnoticed.
"""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")  # requirements-docs.txt
nbformat = pytest.importorskip("nbformat")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))


def cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_examples_exist():
    assert len(SCRIPTS) >= 4
    assert sorted(path.stem for path in EXAMPLES.glob("*.ipynb")) == [path.stem for path in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_notebook_matches_its_script(script):
    notebook = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    assert cells(notebook) == cells(jupytext.read(script)), (
        f"{script.with_suffix('.ipynb').name} is stale: run `python examples/make_notebooks.py {script.stem[:2]}`"
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_notebook_outputs_have_no_errors_and_no_machine_paths(script):
    notebook = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{script.stem}: stored output holds an error"
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            for prefix in ("/tmp/", "/work/", "/root/", "/home/"):
                assert prefix not in text, f"{script.stem}: stored output shows a machine path ({prefix})"
