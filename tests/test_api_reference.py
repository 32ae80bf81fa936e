"""Every public name of ``effect``, ``practice`` and ``works`` is in the API reference (docs/api/*.md).

The cheap check reads the mkdocstrings ``::: identifier`` directives of the reference pages (no build): each name
in a package's ``__all__`` must be the object of one directive, imported the way mkdocstrings names it. With
``MOTIFEFFECT_DOCS_SITE=<site dir>`` set (CI does this after ``mkdocs build --strict``), the built pages are checked
too: every name (and every name in the ``__all__`` of each ``works`` module) must have an anchor there.
"""

import importlib
import os
import re
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"
PACKAGES = ("effect", "practice", "works")
DIRECTIVE = re.compile(r"^:::\s+([\w.]+)\s*$", re.MULTILINE)


def directives():
    """``{identifier: page name}`` of every ``::: identifier`` line of docs/api/*.md."""
    found = {}
    for page in sorted(API.glob("*.md")):
        for identifier in DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            found[identifier] = page.name
    return found


def resolve(identifier):
    """The object named by a dotted path: the longest importable module prefix, then attributes."""
    parts = identifier.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ModuleNotFoundError(identifier)


def public_names():
    for package in PACKAGES:
        for name in importlib.import_module(package).__all__:
            yield package, name


def exported(package, name):
    """``package.name``; ``works`` exports submodules, which are imported on demand."""
    module = importlib.import_module(package)
    try:
        return getattr(module, name)
    except AttributeError:
        return importlib.import_module(f"{package}.{name}")


def test_directive_parser_and_resolver():
    text = "# t\n\n::: effect.engine.motif_outputs\n    options:\n      x: 1\n\n:::  works.scales \n"
    assert DIRECTIVE.findall(text) == ["effect.engine.motif_outputs", "works.scales"]
    from effect.engine import motif_outputs

    assert resolve("effect.engine.motif_outputs") is motif_outputs
    assert resolve("works.scales") is importlib.import_module("works.scales")
    with pytest.raises(AttributeError):
        resolve("effect.engine.no_such_function")


def test_every_directive_resolves():
    broken = []
    for identifier, page in directives().items():
        try:
            resolve(identifier)
        except (AttributeError, ImportError) as error:
            broken.append(f"docs/api/{page}: ::: {identifier} ({error})")
    assert not broken, "reference directives naming no object:\n" + "\n".join(broken)


@pytest.mark.parametrize(("package", "name"), list(public_names()))
def test_public_name_is_in_the_reference(package, name):
    target = exported(package, name)
    documented = [identifier for identifier in directives() if identifier.rsplit(".", 1)[-1] == name]
    matches = []
    for identifier in documented:
        try:
            if resolve(identifier) is target:
                matches.append(identifier)
        except (AttributeError, ImportError):
            continue
    assert matches, (
        f"{package}.{name} is public ({package}.__all__) but no `::: <module>.{name}` directive in docs/api/*.md "
        f"renders it; add one to docs/api/{package}.md"
    )
    if isinstance(target, (type, types.FunctionType, types.ModuleType)):
        assert (target.__doc__ or "").strip(), f"{package}.{name} has no docstring to render"


@pytest.mark.skipif(not os.environ.get("MOTIFEFFECT_DOCS_SITE"), reason="set MOTIFEFFECT_DOCS_SITE=site after a build")
def test_built_reference_has_an_anchor_for_every_public_name():
    site = ROOT / os.environ["MOTIFEFFECT_DOCS_SITE"]
    html = "\n".join(page.read_text(encoding="utf-8") for page in sorted((site / "api").glob("*.html")))
    anchors = set(re.findall(r'id="([\w.]+)"', html))
    missing = [f"{package}.{name}" for package, name in public_names()
               if not any(anchor.rsplit(".", 1)[-1] == name and (anchor in directives()) for anchor in anchors)]
    for name in importlib.import_module("works").__all__:  # works exports modules: their own public names too
        module = importlib.import_module(f"works.{name}")
        missing += [f"works.{name}.{member}" for member in getattr(module, "__all__", [])
                    if f"works.{name}.{member}" not in anchors]
    assert not missing, f"public names without an anchor in {site}/api/*.html: {missing}"
