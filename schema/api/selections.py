"""The selection counts bounded before validation: selections per set, fields with fragments
expanded, and the comparisons graphql-core's overlapping-fields check would make.

graphql-core's OverlappingFieldsCanBeMerged is quadratic in a selection set's width and cannot
be interrupted once it runs; counting what it would compare, and stopping just past the budget,
bounds the work of a refusal by the budget, not by the document (schema/api/limits.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


def aliases_and_selections(document: DocumentNode) -> tuple[int, int]:
    """Aliases in the document, and the most selections written in one selection set."""
    aliases = widest = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.alias is not None:
            aliases += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            widest = max(widest, len(selection_set.selections))
            stack.extend(selection_set.selections)
    return aliases, widest


@dataclass
class FieldCount:
    """Fields of every operation with each fragment expanded where it is spread, counted in
    time linear in the document (a fragment's count is kept) and capped past `limit`."""

    fragments: dict[str, FragmentDefinitionNode]
    limit: int
    memo: dict[str, int] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def document(self, document: DocumentNode) -> int:
        total = 0
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                total = min(total + self.selection_set(definition.selection_set), self.limit + 1)
        return total

    def selection_set(self, selection_set: SelectionSetNode | None) -> int:
        count = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                count += 1 + self.selection_set(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                count += self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                count += self.fragment(selection.name.value)
        return min(count, self.limit + 1)

    def fragment(self, name: str) -> int:
        if name not in self.memo:
            definition = self.fragments.get(name)
            if definition is None or name in self.visiting:
                return 0  # unknown or cyclic: validation refuses the document
            self.visiting.add(name)
            self.memo[name] = self.selection_set(definition.selection_set)
            self.visiting.discard(name)
        return self.memo[name]


class _Exhausted(Exception):
    pass


@dataclass
class MergeChecks:
    """How many field comparisons graphql-core's OverlappingFieldsCanBeMerged would make, at
    most, counted until past `budget`.

    The rule compares every two fields of one response name in a selection set, and for each
    such pair every two same-named fields of their sub-selections, recursively; it does so for
    every selection set of the document, with no bound: 490 copies of `city { name }` cost
    240,000 comparisons, seconds of CPU that no timeout interrupts. This counts the same
    pairs with fragments expanded (an upper bound: graphql-core remembers fragment pairs it
    has compared), spending one unit per field collected and per pair, and stops once
    past the budget, so counting costs at most the budget's worth of steps.
    """

    fragments: dict[str, FragmentDefinitionNode]
    budget: int
    spent: int = 0
    collected: dict[int, dict[str, list[FieldNode]]] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def document(self, document: DocumentNode) -> int:
        stack: list[Any] = list(document.definitions)
        try:
            while stack:
                node = stack.pop()
                selection_set = getattr(node, "selection_set", None)
                if selection_set is not None:
                    self.within(selection_set)
                    stack.extend(selection_set.selections)
        except _Exhausted:
            return self.budget + 1
        return self.spent

    def spend(self, units: int) -> None:
        self.spent += units
        if self.spent > self.budget:
            raise _Exhausted

    def fields(self, selection_set: SelectionSetNode) -> dict[str, list[FieldNode]]:
        """The fields under a selection set by response name, fragments expanded."""
        key = id(selection_set)
        if key not in self.collected:
            by_name: dict[str, list[FieldNode]] = {}
            self._collect(selection_set, by_name)
            self.collected[key] = by_name
        return self.collected[key]

    def _collect(self, selection_set: SelectionSetNode, into: dict[str, list[FieldNode]]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.spend(1)
                name = (selection.alias or selection.name).value
                into.setdefault(name, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, into)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = selection.name.value
                definition = self.fragments.get(fragment)
                if definition is None or fragment in self.visiting:
                    continue  # unknown or cyclic: validation refuses the document
                self.visiting.add(fragment)
                self._collect(definition.selection_set, into)
                self.visiting.discard(fragment)

    def within(self, selection_set: SelectionSetNode) -> None:
        for same_named in self.fields(selection_set).values():
            for i, first in enumerate(same_named):
                for second in same_named[i + 1 :]:
                    self.pair(first, second)

    def pair(self, first: FieldNode, second: FieldNode) -> None:
        self.spend(1)
        if first.selection_set is None or second.selection_set is None:
            return
        theirs = self.fields(second.selection_set)
        for name, mine in self.fields(first.selection_set).items():
            for one in mine:
                for other in theirs.get(name, ()):
                    self.pair(one, other)
