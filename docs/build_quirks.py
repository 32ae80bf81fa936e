"""Assemble ``docs/quirks.md`` from the per-area fragments in ``docs/quirks/``.

Run ``python docs/build_quirks.py`` after editing a fragment; a test checks that
``docs/quirks.md`` is up to date.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["effect-core", "effect-motifs", "effect-similarity", "effect-expression", "practice-motif", "practice-sim",
         "practice-neat", "works-pipeline", "works-figures"]

HEADER = """# Quirks of the original and what each `semantics` mode does

This is the one page that lists every behaviour of the original MotifEffect code that changes results (or that we
changed on purpose), area by area. `semantics="reference"` (the default everywhere) reproduces the original's numbers;
`semantics="corrected"` fixes the behaviour. NEAT-specific operator differences between neat-python 0.92 and 2.0 are
described in [`neat-semantics.md`](neat-semantics.md). This page is generated from `docs/quirks/*.md` by
`python docs/build_quirks.py`.

"""


def build() -> str:
    fragments = sorted(HERE.glob("quirks/*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    parts = [HEADER]
    for path in fragments:
        text = path.read_text(encoding="utf-8").strip()
        lines = text.splitlines()
        if lines and lines[0].startswith("# "):
            lines[0] = "#" + lines[0]  # demote each fragment's title to a section
        parts.append("\n".join(lines) + "\n\n")
    return "".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    (HERE / "quirks.md").write_text(build(), encoding="utf-8")
    print(f"wrote {HERE / 'quirks.md'}")
