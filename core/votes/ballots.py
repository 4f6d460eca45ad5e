"""An owner's one ballot in a vote: cast online by the owner, or entered by an operator from
paper or a proxy; changed while the vote is open where the city allows it (core/votes/voting.py
opens and closes votes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.infra.enums import BallotChannel
from core.infra.errors import DomainError, ValidationErrors
from core.models import Ballot, ElectorMember, VoteOption
from core.security.access import require_role
from core.security.auth import Principal
from core.votes.owners import people_of
from core.votes.voting import ADMINS, BALLOT_FIELDS, READERS, is_closed, now, visible_vote


@dataclass(frozen=True)
class BallotInput:
    vote_id: int
    option_id: int
    channel: BallotChannel = BallotChannel.ONLINE
    # Operators entering a paper or proxy ballot name the owner (or the elector directly).
    owner_id: int | None = None
    elector_id: int | None = None
    proxy_name: str | None = None


def _check_channel(principal: Principal, data: BallotInput) -> list[DomainError]:
    if data.channel is BallotChannel.ONLINE:
        require_role(principal, READERS)
        if data.owner_id is not None:
            # Online, owners vote for themselves; operators enter ballots on paper channels.
            return [DomainError("OWNER_NOT_APPLICABLE", "ownerId")]
        return []
    require_role(principal, ADMINS)
    errors = []
    if data.owner_id is None and data.elector_id is None:
        errors.append(DomainError("REQUIRED", "ownerId"))
    if data.channel is BallotChannel.PROXY and not (data.proxy_name or "").strip():
        errors.append(DomainError("REQUIRED", "proxyName"))
    return errors


async def _elector_for(principal: Principal, vote_id: int, data: BallotInput) -> int:
    if data.channel is BallotChannel.ONLINE:
        people = await people_of(principal)
    else:
        people = [data.owner_id] if data.owner_id is not None else []
    members = ElectorMember.filter(vote_id=vote_id)
    if people:
        members = members.filter(person_id__in=people)
    elif data.channel is BallotChannel.ONLINE:
        raise DomainError("NOT_AN_OWNER", "voteId")
    if data.elector_id is not None:
        members = members.filter(elector_id=data.elector_id)
    electors = {int(r["elector_id"]) for r in await members.values("elector_id")}
    if not electors:
        raise DomainError("NOT_AN_OWNER", "ownerId" if data.owner_id else "voteId")
    if len(electors) > 1:
        # One person can be two owners (a unit alone, another co-owned): say which.
        raise DomainError("ELECTOR_AMBIGUOUS", "electorId")
    return electors.pop()


async def cast_ballot(
    principal: Principal, data: BallotInput, change: bool = False
) -> dict[str, Any]:
    """Cast (or, with change=True, change) an owner's one ballot while the vote is open."""
    errors = _check_channel(principal, data)
    vote = await visible_vote(principal, data.vote_id)
    if not await VoteOption.filter(id=data.option_id, vote_id=data.vote_id).exists():
        errors.append(DomainError("OPTION_NOT_FOUND", "optionId"))
    if errors:
        raise ValidationErrors(errors)
    at = now()
    if at < vote["opens_at"]:
        raise DomainError("VOTE_NOT_OPEN", "voteId")
    if is_closed(vote, at):
        raise DomainError("VOTE_CLOSED", "voteId")
    elector_id = await _elector_for(principal, data.vote_id, data)
    people = await people_of(principal) if data.channel is BallotChannel.ONLINE else []
    values = {
        "option_id": data.option_id,
        "channel": data.channel,
        "proxy_name": data.proxy_name.strip()
        if data.channel is BallotChannel.PROXY and data.proxy_name
        else None,
        "entered_by_subject": principal.subject,
        "cast_by_id": people[0] if people else data.owner_id,
        "cast_at": at,
    }
    existing = await Ballot.filter(vote_id=data.vote_id, elector_id=elector_id).values(
        "id", "revision"
    )
    if change:
        ballot_id = await _change(vote, existing, values)
    else:
        ballot_id = await _cast(vote, elector_id, existing, values)
    return (await Ballot.filter(id=ballot_id).values(*BALLOT_FIELDS))[0]


async def _cast(
    vote: dict[str, Any], elector_id: int, existing: list[dict[str, Any]], values: dict[str, Any]
) -> int:
    if existing:
        raise DomainError("BALLOT_ALREADY_CAST", "voteId")
    try:
        async with in_transaction():
            ballot = await Ballot.create(vote_id=vote["id"], elector_id=elector_id, **values)
    except IntegrityError:
        # A co-owner's ballot landed first: the elector's one vote is taken.
        raise DomainError("BALLOT_ALREADY_CAST", "voteId") from None
    return ballot.id


async def _change(
    vote: dict[str, Any], existing: list[dict[str, Any]], values: dict[str, Any]
) -> int:
    if not vote["ballots_changeable"]:
        raise DomainError("BALLOT_NOT_CHANGEABLE", "voteId")
    if not existing:
        raise DomainError("BALLOT_NOT_CAST", "voteId")
    ballot = existing[0]
    async with in_transaction():
        updated = await Ballot.filter(id=ballot["id"], revision=ballot["revision"]).update(
            revision=F("revision") + 1, **values
        )
    if not updated:
        raise DomainError("BALLOT_CHANGED_CONCURRENTLY", "voteId")
    return int(ballot["id"])
