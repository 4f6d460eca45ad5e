"""Per-request DataLoaders of the grassroots area, hung off the Context like vote_loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from core.grassroots import listing, workitems
from core.models import PartyServiceRecord, VolunteerService


def _loader(fetch: Callable[[list[int]], Awaitable[dict[int, Any]]], default: Any) -> Any:
    async def load(keys: Sequence[int]) -> list[Any]:
        found = await fetch(list(keys))
        return [found.get(k, default() if callable(default) else default) for k in keys]

    return DataLoader(load_fn=load)


class GrassrootsLoaders:
    def __init__(self) -> None:
        self.head_buildings = _loader(listing.buildings_of_heads, list)
        self.worker_records = _loader(listing.worker_records, list)
        self.party_hours = _loader(lambda ids: listing.service_hours(PartyServiceRecord, ids), 0.0)
        self.volunteer_hours = _loader(
            lambda ids: listing.service_hours(VolunteerService, ids), 0.0
        )
        self.venue_hours = _loader(listing.venue_hours, list)
        self.request_communities = _loader(workitems.request_communities, list)
        self.work_item = _loader(workitems.items_by_id, None)


def grassroots_loaders(context: Any) -> GrassrootsLoaders:
    found: GrassrootsLoaders | None = getattr(context, "_grassroots_loaders", None)
    if found is None:
        found = context._grassroots_loaders = GrassrootsLoaders()
    return found
