"""docs/plugins.md keeps up with the hookspecs (datasette's test_docs), every hook has a test
(datasette's test_plugins), and the tutorial's plugin is the file that is tested here."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "docs" / "examples" / "civicgraph-greeter"


def hooks() -> dict[str, Callable[..., Any]]:
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if callable(fn) and hasattr(fn, f"{hookspecs.PROJECT}_spec")
    }


def signature(name: str, fn: Callable[..., Any]) -> str:
    """`name(arg: Type, ...) -> Return`, as written in the hookspec (annotations unquoted)."""
    sig = inspect.signature(fn)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def first_paragraph(fn: Callable[..., Any]) -> str:
    doc = inspect.getdoc(fn) or ""
    return " ".join(doc.split("\n\n")[0].split())


def reference() -> str:
    """The hook reference as docs/plugins.md has it (print it to update the doc)."""
    parts = []
    for name, fn in hooks().items():  # in the hookspec module's order, group by group
        firstresult = fn.civicgraph_spec["firstresult"]  # type: ignore[attr-defined]
        kind = "firstresult: stops at the first non-None result" if firstresult else "collected"
        parts.append(f"### `{signature(name, fn)}`\n\n*{kind}*\n\n{inspect.getdoc(fn)}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("name", sorted(hooks()))
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    fn = hooks()[name]
    assert f"### `{signature(name, fn)}`" in text, f"docs/plugins.md lacks hook {name}"
    assert first_paragraph(fn) in " ".join(text.split()), f"{name}: docstring and doc differ"


@pytest.mark.parametrize("name", sorted(hooks()))
def test_every_hook_has_a_test(name: str) -> None:
    tests = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")
    )
    assert re.search(rf"def test_hook_{name}[_(]", tests), f"no test_hook_{name} in tests/plugins"


@pytest.mark.parametrize("path", ["pyproject.toml", "civicgraph_greeter.py"])
def test_the_tutorial_shows_the_tested_example_files(path: str) -> None:
    assert (EXAMPLE / path).read_text(encoding="utf-8") in DOC.read_text(encoding="utf-8")


def test_the_reference_is_complete() -> None:
    assert reference() in DOC.read_text(encoding="utf-8")
