"""Owners' votes: who sees them, reading them, opening one with a frozen electorate.

Ballots are core/votes/ballots.py; tallies, results and closing core/votes/results.py.

The arithmetic lives in core/votes/rules.py; this module decides who may do what and writes.
Who sees what: residents and building heads see their compound's votes, their own ballot,
and a vote's result once it is closed; admins over the compound (community worker, street,
city, platform admin) see the running tallies. Nobody sees another owner's ballot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.infra.cities import load_city_configs
from core.infra.enums import Role, VoteMatter
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import Ballot, Compound, Elector, ElectorMember, Firm, Vote, VoteOption
from core.security.access import compound_scope, require_compound_in_scope, require_role
from core.security.auth import Principal
from core.votes.owners import owners_of_compound, people_of

# Admins over a compound open and close votes, enter paper and proxy ballots, see tallies.
ADMINS = frozenset({Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
READERS = ADMINS | {Role.RESIDENT, Role.BUILDING_HEAD}
VOTE_FIELDS = (
    "id",
    "compound_id",
    "matter",
    "title",
    "description",
    "firm_id",
    "opens_at",
    "closes_at",
    "closed_at",
    "ballots_changeable",
    "electorate_heads",
    "electorate_area_cm",
    "verdict",
    "decided_by",
    "created_at",
)
OPTION_FIELDS = ("id", "vote_id", "position", "label", "approves")
BALLOT_FIELDS = (
    "id",
    "vote_id",
    "elector_id",
    "option_id",
    "channel",
    "proxy_name",
    "cast_at",
    "revision",
)
TITLE_MAX = 200
LABEL_MAX = 200
DEFAULT_OPTIONS = (("同意", True), ("反对", False), ("弃权", False))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ballots_changeable(city: str) -> bool:
    config = load_city_configs().get(city)
    return config.ballots_changeable if config else True


def is_closed(vote: dict[str, Any], at: dt.datetime | None = None) -> bool:
    """Closed once closed explicitly or once its closing time has passed."""
    return vote["closed_at"] is not None or (at or now()) >= vote["closes_at"]


def may_see_tally(principal: Principal, vote: dict[str, Any]) -> bool:
    return principal.role in ADMINS or is_closed(vote)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def visible_votes(principal: Principal) -> QuerySet[Vote] | None:
    """The votes of the compounds inside the caller's scope; None when it may read none."""
    if principal.role not in READERS:
        return None
    query = Vote.all()
    q = compound_scope(principal)
    if q is not None:
        query = query.filter(compound_id__in=Subquery(Compound.filter(q).values("id")))
    return query


@dataclass(frozen=True)
class VoteFilter:
    compound_id: int | None = None
    matters: tuple[VoteMatter, ...] = ()
    open_only: bool = False


async def list_votes(principal: Principal, f: VoteFilter, page: PageRequest) -> Page:
    query = visible_votes(principal)
    if query is None:
        query = Vote.filter(id__in=[])
    if f.compound_id is not None:
        query = query.filter(compound_id=f.compound_id)
    if f.matters:
        query = query.filter(matter__in=list(f.matters))
    if f.open_only:
        query = query.filter(closed_at__isnull=True, closes_at__gt=now())
    return await paginate(query, Ordering("created_at", descending=True), page, VOTE_FIELDS)


async def votes_by_id(principal: Principal, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    query = visible_votes(principal)
    if query is None:
        return {}
    rows = await query.filter(id__in=list(set(ids))).values(*VOTE_FIELDS)
    return {r["id"]: r for r in rows}


async def options_of(vote_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    keys = list(set(vote_ids))
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    rows = await VoteOption.filter(vote_id__in=keys).order_by("position").values(*OPTION_FIELDS)
    for r in rows:
        grouped[r["vote_id"]].append(r)
    return grouped


async def own_ballots(principal: Principal, vote_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The caller's own ballot in each vote (as any co-owner of the elector that cast it)."""
    people = await people_of(principal)
    keys = list(set(vote_ids))
    if not people or not keys:
        return {}
    electors = ElectorMember.filter(vote_id__in=keys, person_id__in=people).values("elector_id")
    rows = (
        await Ballot.filter(vote_id__in=keys, elector_id__in=Subquery(electors))
        .order_by("id")
        .values(*BALLOT_FIELDS)
    )
    return {r["vote_id"]: r for r in rows}


async def ballot_by_id(principal: Principal, ballot_id: int) -> dict[str, Any] | None:
    """A ballot in a vote the caller sees, if the caller entered it or owns it (myBallot)."""
    rows = await Ballot.filter(id=ballot_id).values(*BALLOT_FIELDS, "entered_by_subject")
    if not rows or not await votes_by_id(principal, [rows[0]["vote_id"]]):
        return None
    row = rows.pop()
    entered_by = row.pop("entered_by_subject")
    if principal.subject and entered_by == principal.subject:
        return row
    own = (await own_ballots(principal, [row["vote_id"]])).get(row["vote_id"])
    return own if own is not None and own["id"] == ballot_id else None


async def option_by_id(principal: Principal, option_id: int) -> dict[str, Any] | None:
    """An option of a vote the caller sees (as `Vote.options` shows it), else None."""
    rows = await VoteOption.filter(id=option_id).values(*OPTION_FIELDS)
    if not rows or not await votes_by_id(principal, [rows[0]["vote_id"]]):
        return None
    return dict(rows[0])


ELECTOR_FIELDS = ("id", "vote_id", "heads", "area_cm", "units")


async def list_electors(principal: Principal, vote_id: int, page: PageRequest) -> Page:
    """The frozen owner list of a vote, for admins and operators: units and areas, no names.

    Each row says whether the owner has voted (participation is published; the choice is
    not), so that an operator entering paper ballots can see who is missing.
    """
    require_role(principal, ADMINS)
    await visible_vote(principal, vote_id)
    result = await paginate(Elector.filter(vote_id=vote_id), Ordering("id"), page, ELECTOR_FIELDS)
    ids = [r["id"] for r in result.rows]
    voted = (
        set(
            await Ballot.filter(vote_id=vote_id, elector_id__in=ids).values_list(
                "elector_id", flat=True
            )
        )
        if ids
        else set()
    )
    for row in result.rows:
        row["voted"] = row["id"] in voted
    return result


async def elector_by_id(principal: Principal, elector_id: int) -> dict[str, Any] | None:
    """An elector as `voteElectors` shows it (admins, a vote they see), else None."""
    require_role(principal, ADMINS)
    rows = await Elector.filter(id=elector_id).values(*ELECTOR_FIELDS)
    if not rows or not await votes_by_id(principal, [rows[0]["vote_id"]]):
        return None
    row = dict(rows[0])
    row["voted"] = await Ballot.filter(vote_id=row["vote_id"], elector_id=elector_id).exists()
    return row


# ---------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionInput:
    label: str
    approves: bool = False


@dataclass(frozen=True)
class OpenVoteInput:
    compound_id: int
    matter: VoteMatter
    title: str
    closes_at: dt.datetime
    opens_at: dt.datetime | None = None
    description: str = ""
    options: tuple[OptionInput, ...] = ()
    firm_id: int | None = None


def _validate_open(data: OpenVoteInput, opens_at: dt.datetime) -> list[DomainError]:
    errors = []
    title = data.title.strip()
    if not title:
        errors.append(DomainError("REQUIRED", "title"))
    elif len(title) > TITLE_MAX:
        errors.append(DomainError("TOO_LONG", "title", max=TITLE_MAX))
    if data.closes_at <= opens_at:
        errors.append(DomainError("CLOSES_BEFORE_OPENS", "closesAt"))
    if data.opens_at is not None and data.opens_at < now() - dt.timedelta(minutes=5):
        errors.append(DomainError("OPENS_IN_PAST", "opensAt"))
    labels = [o.label.strip() for o in data.options]
    if data.options and (
        len(labels) < 2
        or any(not lb or len(lb) > LABEL_MAX for lb in labels)
        or len(set(labels)) != len(labels)
        or not any(o.approves for o in data.options)
    ):
        errors.append(DomainError("OPTIONS_INVALID", "options"))
    if data.firm_id is not None and data.matter is not VoteMatter.PROPERTY_MANAGER:
        errors.append(DomainError("FIRM_NOT_APPLICABLE", "firmId"))
    return errors


async def open_vote(principal: Principal, data: OpenVoteInput) -> dict[str, Any]:
    """Open a vote on a compound and freeze its electorate (owners, heads, areas) now."""
    require_role(principal, ADMINS)
    opens_at = data.opens_at or now()
    errors = _validate_open(data, opens_at)
    if data.firm_id is not None and not await Firm.filter(id=data.firm_id).exists():
        errors.append(DomainError("NOT_FOUND", "firmId"))
    if errors:
        raise ValidationErrors(errors)
    await require_compound_in_scope(principal, data.compound_id, "compoundId")
    owners = await owners_of_compound(data.compound_id)
    city = current_city()
    options = data.options or tuple(OptionInput(lb, ok) for lb, ok in DEFAULT_OPTIONS)
    async with in_transaction():
        vote = await Vote.create(
            compound_id=data.compound_id,
            matter=data.matter,
            title=data.title.strip(),
            description=data.description.strip(),
            firm_id=data.firm_id,
            opens_at=opens_at,
            closes_at=data.closes_at,
            opened_by_subject=principal.subject,
            ballots_changeable=ballots_changeable(city),
            electorate_heads=len(owners),
            electorate_area_cm=sum(o.area_cm for o in owners),
        )
        await VoteOption.bulk_create(
            [
                VoteOption(
                    city_id=city,
                    vote_id=vote.id,
                    position=i,
                    label=o.label.strip(),
                    approves=o.approves,
                )
                for i, o in enumerate(options, start=1)
            ]
        )
        await _freeze_electorate(city, vote.id, owners)
    return (await Vote.filter(id=vote.id).values(*VOTE_FIELDS))[0]


async def _freeze_electorate(city: str, vote_id: int, owners: list[Any]) -> None:
    # Bulk inserts: a compound like Yayuan has thousands of owners. The units label is
    # unique per owner (a unit has one set of owners), so it keys the rows read back.
    await Elector.bulk_create(
        [
            Elector(city_id=city, vote_id=vote_id, heads=1, area_cm=o.area_cm, units=o.units)
            for o in owners
        ],
        batch_size=1000,
    )
    ids = dict(await Elector.filter(vote_id=vote_id).values_list("units", "id"))
    await ElectorMember.bulk_create(
        [
            ElectorMember(city_id=city, vote_id=vote_id, elector_id=ids[o.units], person_id=p)
            for o in owners
            for p in o.person_ids
        ],
        batch_size=1000,
    )


async def visible_vote(principal: Principal, vote_id: int) -> dict[str, Any]:
    rows = await votes_by_id(principal, [vote_id])
    if vote_id not in rows:
        raise DomainError("NOT_FOUND", "voteId")
    return rows[vote_id]
