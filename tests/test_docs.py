"""The quirks page is generated from its fragments, and CI runs the README's test command."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quirks_page_is_up_to_date():
    spec = importlib.util.spec_from_file_location("build_quirks", ROOT / "docs" / "build_quirks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "quirks.md").read_text(encoding="utf-8") == module.build(), (
        "docs/quirks.md is stale: run `python docs/build_quirks.py`"
    )


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    test_line = [line for line in block.strip().splitlines() if "pytest" in line]
    assert len(test_line) == 1
    assert test_line[0].strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
