"""A GraphQL type's `from_row`, built from the type's own fields: `from_row = FromRow()`.

Core hands rows over as dicts from `.values()` (docs/architecture.md, "Reads"), whose keys
are the model's row shape (core/models/shapes.py). Each field of the type takes the row's
value of the same name, so a column added to the shape and to the type needs nothing here.
`id` is the global id of `row["id"]` and `pk` is `row["id"]`; a field with a default takes
it when the row lacks the key. The exceptions are named where the type is declared: a
field read from another key (`renamed`), or made from the row (`computed`).

The function is written out once per class, on first use, as `dataclasses` writes
`__init__`: a mapping walked per object costs about twice the hand-written call, and the
list resolvers make thousands of objects a second (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from schema.api.ids import to_global_id

Row = dict[str, Any]
T = TypeVar("T")


class FromRow:
    """`Type.from_row(row)` for the strawberry type it is assigned in."""

    def __init__(
        self,
        *,
        renamed: Mapping[str, str] | None = None,
        computed: Mapping[str, Callable[[Row], Any]] | None = None,
    ) -> None:
        self.renamed = dict(renamed or {})
        self.computed = dict(computed or {})
        self.name = "from_row"

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type[T]) -> Callable[[Row], T]:
        make = build(owner, self.renamed, self.computed)
        # From now on the class answers with the built function itself, at no extra cost.
        setattr(owner, self.name, staticmethod(make))
        return make


def build(
    cls: type[T], renamed: Mapping[str, str], computed: Mapping[str, Callable[[Row], Any]]
) -> Callable[[Row], T]:
    """The function making a `cls` from a row, written out as source and compiled once."""
    scope: dict[str, Any] = {"cls": cls, "to_global_id": to_global_id}
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    if unknown := (renamed.keys() | computed.keys()) - fields.keys():
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)}")
    args = []
    for name, f in fields.items():
        key = renamed.get(name, name)
        if name in computed:
            scope[f"_{name}"] = computed[name]
            value = f"_{name}(r)"
        elif name == "id":
            type_name = cls.__strawberry_definition__.name  # type: ignore[attr-defined]
            value = f"to_global_id({type_name!r}, r['id'])"
        elif name == "pk":
            value = "r['id']"
        elif f.default is not dataclasses.MISSING:
            scope[f"_{name}"] = f.default
            value = f"r.get({key!r}, _{name})"
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_{name}"] = f.default_factory
            value = f"r[{key!r}] if {key!r} in r else _{name}()"
        else:
            value = f"r[{key!r}]"
        args.append(f"{name}={value}")
    source = f"def from_row(r):\n    return cls({', '.join(args)})\n"
    exec(compile(source, f"<{cls.__name__}.from_row>", "exec"), scope)
    return cast(Callable[[Row], T], scope["from_row"])
