"""Owners' votes: opening with a frozen electorate, ballots, closing, results.

The arithmetic lives in core/votes/rules.py; this module decides who may do what and writes.
Who sees what: residents and building heads see their compound's votes, their own ballot,
and a vote's result once it is closed; admins over the compound (community worker, street,
city, platform admin) see the running tallies. Nobody sees another owner's ballot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.infra import db
from core.infra.cities import load_city_configs
from core.infra.enums import BallotChannel, Role, VoteMatter
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import Ballot, Compound, Elector, ElectorMember, Firm, Vote, VoteOption
from core.security.access import compound_scope, require_compound_in_scope, require_role
from core.security.auth import Principal
from core.votes.owners import owners_of_compound, people_of
from core.votes.rules import Count, Outcome, decide

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


ELECTOR_FIELDS = ("id", "vote_id", "heads", "area_cm", "units")


async def list_electors(principal: Principal, vote_id: int, page: PageRequest) -> Page:
    """The frozen owner list of a vote, for admins and operators: units and areas, no names.

    Each row says whether the owner has voted (participation is published; the choice is
    not), so that an operator entering paper ballots can see who is missing.
    """
    require_role(principal, ADMINS)
    await _visible_vote(principal, vote_id)
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
# Opening and closing
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


async def _visible_vote(principal: Principal, vote_id: int) -> dict[str, Any]:
    rows = await votes_by_id(principal, [vote_id])
    if vote_id not in rows:
        raise DomainError("NOT_FOUND", "voteId")
    return rows[vote_id]


async def close_vote(principal: Principal, vote_id: int) -> dict[str, Any]:
    """Close a vote whose closing time has come and record its verdict."""
    require_role(principal, ADMINS)
    vote = await _visible_vote(principal, vote_id)
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


# ---------------------------------------------------------------------------
# Ballots
# ---------------------------------------------------------------------------


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
    vote = await _visible_vote(principal, data.vote_id)
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
