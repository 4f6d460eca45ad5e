"""No import loops in core/ and schema/ (grimp reads every import statement, including
those inside functions and excluding `if TYPE_CHECKING:` blocks).

GraphQL types of different domains refer to each other through strawberry.lazy, a module
name in a string (schema/api/lazy.py), which grimp does not see: so no cycle is allowed."""

from __future__ import annotations

import grimp

PACKAGES = ("core", "schema")


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan)."""
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in edges.get(module, set()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = [stack.pop()]
            while component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    inside = set(component)
    lines = []
    for importer in component:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & inside):
            details = graph.get_import_details(importer=importer, imported=imported)
            where = ", ".join(str(d["line_number"]) for d in details)
            lines.append(f"  {importer} -> {imported} (line {where})")
    return "\n".join(lines)


def test_core_and_schema_have_no_import_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n\n".join(describe(graph, c) for c in found)


def test_the_check_sees_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("core", "core.a", "core.b", "core.c"):
        graph.add_module(module)
    graph.add_import(importer="core.a", imported="core.b")
    graph.add_import(importer="core.b", imported="core.c")
    graph.add_import(importer="core.c", imported="core.a")
    graph.add_import(importer="core", imported="core.c")
    assert cycles(graph) == [["core.a", "core.b", "core.c"]]
