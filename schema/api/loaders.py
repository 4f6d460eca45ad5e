"""DataLoaders, created per request: every relation costs one statement per nesting level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from core.cases import filing as cases
from core.firms import credit
from core.infra.enums import CaseKind
from core.models import Building, Community, Compound, Firm, Grid, Organisation, Street
from core.models.base import CityModel
from core.places import directory
from core.purchases.providers import social_workers_by_id
from core.security.auth import Principal

Row = dict[str, Any]


MISSING: Any = object()


def loaded(loader: DataLoader[Any, Any], key: Any) -> Any:
    """The value `loader` already holds for `key`, or MISSING: a resolver that finds it answers
    without awaiting (schema/api/lookahead.py loads a page's relations ahead for this)."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return MISSING
    return future.result()


async def later(pending: Awaitable[Any], make: Callable[[Any], Any]) -> Any:
    """What a relation resolver returns when its value is not loaded yet."""
    return make(await pending)


def answer(loader: DataLoader[Any, Any], key: Any, make: Callable[[Any], Any]) -> Any:
    """A relation resolver's answer: `make(value)` at once when `loader` holds the value (a
    list resolver loaded it ahead), else an awaitable of it that graphql-core awaits."""
    value = loaded(loader, key)
    return later(loader.load(key), make) if value is MISSING else make(value)


def _by_key(fetch: Callable[[list[Any]], Awaitable[dict[Any, Any]]], default: Any = None) -> Any:
    async def load(keys: Sequence[Any]) -> list[Any]:
        found = await fetch(list(keys))
        return [found.get(k, default() if callable(default) else default) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One set per request, so nothing cached leaks between callers or cities."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.rows: dict[type[CityModel], DataLoader[int, Row | None]] = {
            model: _by_key(partial(directory.rows_by_id, model))
            for model in (Street, Community, Compound, Building, Grid, Organisation, Firm)
        }
        self.children: dict[tuple[type[CityModel], str], DataLoader[int, list[Row]]] = {}
        self.current_contract: DataLoader[int, Row | None] = _by_key(directory.current_contracts)
        self.current_firm: DataLoader[int, Row | None] = _by_key(directory.current_firms)
        self.place_chain: DataLoader[int, directory.PlaceChain | None] = _by_key(self._place_chains)
        self.contracts_of_compound = _by_key(
            lambda ids: directory.contracts_of("compound_id", ids), list
        )
        self.contracts_of_firm = _by_key(lambda ids: directory.contracts_of("firm_id", ids), list)
        self.social_workers: DataLoader[int, Row | None] = _by_key(social_workers_by_id)
        self.case: DataLoader[int, Row | None] = _by_key(
            lambda ids: cases.cases_by_id(principal, ids)
        )
        self._latest: dict[Hashable, DataLoader[int, list[Row]]] = {}
        self._counts: dict[Hashable, DataLoader[int, int]] = {}
        self._standings: dict[dt.date, DataLoader[int, Any]] = {}
        # schema/api/lookahead.py: what the client selected under a field of the document.
        self.selections: dict[tuple[int, str], bool] = {}

    async def _place_chains(self, ids: list[int]) -> dict[int, directory.PlaceChain]:
        chains = await directory.place_chains(ids)
        # What the chain read, the row loaders need not read again.
        self.rows[Compound].prime_many({k: chain[0] for k, chain in chains.items()})
        self.rows[Community].prime_many({chain[1]["id"]: chain[1] for chain in chains.values()})
        self.rows[Street].prime_many({chain[2]["id"]: chain[2] for chain in chains.values()})
        return chains

    def credit_standings(self, as_of: dt.date) -> DataLoader[int, Any]:
        """Firms' credit standings on a day: one regime hook call per day (core/firms/credit.py)."""
        if as_of not in self._standings:
            self._standings[as_of] = _by_key(lambda ids: credit.standings(ids, as_of))
        return self._standings[as_of]

    def children_of(self, model: type[CityModel], parent_field: str) -> DataLoader[int, list[Row]]:
        key = (model, parent_field)
        if key not in self.children:
            self.children[key] = _by_key(
                lambda ids: directory.rows_by_parent(model, parent_field, ids), list
            )
        return self.children[key]

    def latest_cases(self, first: int, kinds: tuple[CaseKind, ...]) -> DataLoader[int, list[Row]]:
        """One loader per (first, kinds): the same nested arguments batch into one statement."""
        key = (first, kinds)
        if key not in self._latest:
            self._latest[key] = _by_key(
                lambda ids: cases.latest_cases(self.principal, ids, first, kinds), list
            )
        return self._latest[key]

    def case_counts(self, kinds: tuple[CaseKind, ...]) -> DataLoader[int, int]:
        if kinds not in self._counts:
            self._counts[kinds] = _by_key(
                lambda ids: cases.case_counts(self.principal, ids, kinds), 0
            )
        return self._counts[kinds]
