"""What a vote's ballots add up to: each option's heads and area (summed in SQL), participation,
approval and the verdict under core/votes/rules.py; closing a vote records its verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from core.infra import db
from core.infra.enums import VoteMatter
from core.infra.errors import DomainError
from core.infra.tenancy import current_city
from core.models import Vote
from core.security.access import require_role
from core.security.auth import Principal
from core.votes.rules import Count, Outcome, decide
from core.votes.voting import ADMINS, VOTE_FIELDS, is_closed, now, options_of, visible_vote


def _tally_sql(count: int) -> str:
    # Whole numbers summed in SQL (exact on both databases); compared as Fractions later.
    return (
        "SELECT b.vote_id AS vote_id, b.option_id AS option_id, "
        "SUM(e.heads) AS heads, SUM(e.area_cm) AS area_cm "
        "FROM ballots b JOIN vote_electors e ON e.id = b.elector_id "
        f"WHERE b.city_id = $1 AND b.vote_id IN ({db.placeholders(2, count)}) "
        "GROUP BY b.vote_id, b.option_id"
    )


async def tallies(vote_ids: Iterable[int]) -> dict[int, dict[int, Count]]:
    """Heads and area behind each option of each vote, in one statement for all votes."""
    keys = list(set(vote_ids))
    grouped: dict[int, dict[int, Count]] = {k: {} for k in keys}
    if not keys:
        return grouped
    rows = await db.fetch(_tally_sql(len(keys)), [current_city(), *keys])
    for r in rows:
        grouped[r["vote_id"]][r["option_id"]] = Count(int(r["heads"]), int(r["area_cm"]))
    return grouped


@dataclass(frozen=True)
class VoteResult:
    vote_id: int
    electorate: Count
    participating: Count
    approving: Count
    by_option: dict[int, Count] = field(hash=False)
    outcome: Outcome


def result_of(
    vote: dict[str, Any],
    options: list[dict[str, Any]],
    tally: dict[int, Count],
    at: dt.datetime | None = None,
) -> VoteResult:
    """Every option's tally, participation, approval and the verdict with its rule."""
    by_option = {o["id"]: tally.get(o["id"], Count(0, 0)) for o in options}
    approving_ids = {o["id"] for o in options if o["approves"]}
    participating = Count(
        sum(c.heads for c in by_option.values()), sum(c.area_cm for c in by_option.values())
    )
    approving = Count(
        sum(c.heads for i, c in by_option.items() if i in approving_ids),
        sum(c.area_cm for i, c in by_option.items() if i in approving_ids),
    )
    electorate = Count(vote["electorate_heads"], vote["electorate_area_cm"])
    outcome = decide(
        VoteMatter(vote["matter"]), electorate, participating, approving, is_closed(vote, at)
    )
    return VoteResult(vote["id"], electorate, participating, approving, by_option, outcome)


async def compute_results(votes: list[dict[str, Any]]) -> dict[int, VoteResult]:
    ids = [v["id"] for v in votes]
    options, counted = await options_of(ids), await tallies(ids)
    return {v["id"]: result_of(v, options[v["id"]], counted[v["id"]]) for v in votes}


# ---------------------------------------------------------------------------
# Closing
# ---------------------------------------------------------------------------


async def close_vote(principal: Principal, vote_id: int) -> dict[str, Any]:
    """Close a vote whose closing time has come and record its verdict."""
    require_role(principal, ADMINS)
    vote = await visible_vote(principal, vote_id)
    if vote["closed_at"] is not None:
        raise DomainError("VOTE_ALREADY_CLOSED", "voteId")
    at = now()
    if at < vote["closes_at"]:
        # Closing early would cut owners off from the period announced to them.
        raise DomainError("VOTE_NOT_DUE", "voteId")
    result = (await compute_results([vote]))[vote_id]
    async with in_transaction():
        updated = await Vote.filter(id=vote_id, closed_at__isnull=True).update(
            closed_at=at, verdict=result.outcome.verdict, decided_by=result.outcome.rule
        )
    if not updated:
        raise DomainError("VOTE_ALREADY_CLOSED", "voteId")
    return (await Vote.filter(id=vote_id).values(*VOTE_FIELDS))[0]
