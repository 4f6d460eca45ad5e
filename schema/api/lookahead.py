"""Lookahead for list resolvers: load the relations a page's objects will be asked for, up front.

Batching alone keeps the statements at one per nesting level, but every object of a page still
awaits its own DataLoader future: graphql-core wraps each pending field in a task and gathers
them, which measured here cost more than the statements themselves (a 50-compound page with
its firms and cases: ~150 tasks a request). So a list resolver looks at what the client
selected on its nodes and loads those relations for the whole page (one statement each, the
same DataLoaders), and the child resolvers answer synchronously from the loaded values
(`schema.api.loaders.loaded`). What the lookahead does not foresee (a `@skip`, an argument it
does not read, a relation it does not know) is simply not loaded ahead, and the child
resolver awaits its loader as before: the answer is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from core.infra.errors import DomainError
from core.infra.pagination import page_request
from core.models import Community as CommunityModel
from core.models import Compound as CompoundModel
from schema.api.context import Info


def _fields(selections: list[Selection]) -> Iterator[SelectedField]:
    for s in selections:
        if isinstance(s, SelectedField):
            yield s
        elif isinstance(s, InlineFragment | FragmentSpread):
            yield from _fields(s.selections)


def node_selections(info: Info) -> dict[str, list[SelectedField]]:
    """The fields selected on the objects this resolver returns, by field name: through a
    connection's `nodes` and `edges { node }` or directly on a list, fragments included."""
    found: dict[str, list[SelectedField]] = {}
    for top in info.selected_fields:
        for f in _fields(top.selections):
            if f.name == "nodes":
                nodes = list(_fields(f.selections))
            elif f.name == "edges":
                edges = _fields(f.selections)
                nodes = [n for e in edges if e.name == "node" for n in _fields(e.selections)]
            else:
                nodes = [f]
            for n in nodes:
                found.setdefault(n.name, []).append(n)
    return found


def _selects(field: Selection, name: str) -> bool:
    return any(f.name == name for f in _fields(field.selections))


def selects(info: Info, name: str) -> bool:
    """Whether the client selected `name` on the object this resolver returns. Remembered per
    field of the document for the request: a field under a list is resolved once per item."""
    memo = info.context.loaders.selections
    key = (id(info._raw_info.field_nodes[0]), name)
    if key not in memo:
        memo[key] = any(_selects(top, name) for top in info.selected_fields)
    return memo[key]


async def compounds(info: Info, rows: list[dict[str, Any]]) -> None:
    """A page of compounds: their firm, contract, community and newest cases."""
    if not rows:
        return
    wanted = node_selections(info)
    loaders = info.context.loaders
    ids = [r["id"] for r in rows]
    if any(_selects(c, "street") for c in wanted.get("community", [])):
        await loaders.place_chain.load_many(ids)  # communities and streets in one statement
    elif "community" in wanted:
        await loaders.rows[CommunityModel].load_many({r["community_id"] for r in rows})
    if "firm" in wanted:
        await loaders.current_firm.load_many(ids)
    if "currentContract" in wanted:
        await loaders.current_contract.load_many(ids)
    for cases in wanted.get("cases", []):
        if cases.arguments.get("kind"):
            continue  # the resolver converts enum values itself; left to its loader
        try:
            # Literal arguments arrive as their source text ("10"), variables as values.
            size = page_request(int(cases.arguments.get("first", 10)), None).first
        except (DomainError, TypeError, ValueError):
            continue  # the resolver reports the error
        await loaders.latest_cases(size, ()).load_many(ids)
        if _selects(cases, "totalCount"):
            await loaders.case_counts(()).load_many(ids)


async def cases(info: Info, rows: list[dict[str, Any]]) -> None:
    """A page of cases: their compounds (with community and street, when asked, in one
    statement)."""
    wanted = node_selections(info).get("compound", [])
    if not rows or not wanted:
        return
    ids = {r["compound_id"] for r in rows}
    loaders = info.context.loaders
    if any(_selects(c, "community") for c in wanted):
        await loaders.place_chain.load_many(ids)
    else:
        await loaders.rows[CompoundModel].load_many(ids)
