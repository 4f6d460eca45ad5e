"""Per-request DataLoaders of the votes area: options, tallies and the caller's own ballots.

They hang off the request's Context under a private attribute rather than in
schema/api/loaders.py, so the votes area stays in its own modules; one set per request all
the same, created on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from core.security.auth import Principal
from core.votes import results
from core.votes import voting as votes
from core.votes.rules import Count

Row = dict[str, Any]


class VoteLoaders:
    def __init__(self, principal: Principal) -> None:
        async def options(ids: Sequence[int]) -> list[list[Row]]:
            found = await votes.options_of(ids)
            return [found.get(i, []) for i in ids]

        async def tallies(ids: Sequence[int]) -> list[dict[int, Count]]:
            found = await results.tallies(ids)
            return [found.get(i, {}) for i in ids]

        async def own(ids: Sequence[int]) -> list[Row | None]:
            found = await votes.own_ballots(principal, ids)
            return [found.get(i) for i in ids]

        async def by_id(ids: Sequence[int]) -> list[Row | None]:
            found = await votes.votes_by_id(principal, ids)
            return [found.get(i) for i in ids]

        self.options: DataLoader[int, list[Row]] = DataLoader(load_fn=options)
        self.tallies: DataLoader[int, dict[int, Count]] = DataLoader(load_fn=tallies)
        self.own_ballot: DataLoader[int, Row | None] = DataLoader(load_fn=own)
        self.vote: DataLoader[int, Row | None] = DataLoader(load_fn=by_id)


def vote_loaders(context: Any) -> VoteLoaders:
    found: VoteLoaders | None = getattr(context, "_vote_loaders", None)
    if found is None:
        found = VoteLoaders(context.principal)
        context._vote_loaders = found
    return found
