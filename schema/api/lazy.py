"""The class behind a `strawberry.lazy` type reference, for a resolver that builds one.

The types of the domains refer to each other (a compound has cases, a case has its compound).
A module names the types of modules that import it through strawberry.lazy, in annotations
(`CaseRef = Annotated["Case", strawberry.lazy("schema.cases.types")]`), and builds them
through `resolved(CaseRef)`: the same reference, so the modules import each other one way only.
"""

from __future__ import annotations

from typing import Any, get_args

from strawberry.types.lazy_type import StrawberryLazyReference


def resolved(reference: Any) -> Any:
    """The class an `Annotated["Name", strawberry.lazy("module")]` names, importing its module."""
    forward, *extras = get_args(reference)
    lazy = next(e for e in extras if isinstance(e, StrawberryLazyReference))
    return lazy.resolve_forward_ref(forward).resolve_type()
