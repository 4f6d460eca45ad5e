"""Votes in the database: the frozen electorate, ballots by every channel, refusals."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from core.infra.enums import BallotChannel, Role, VoteMatter, VoteMeasure, VoteRule, VoteVerdict
from core.infra.errors import AuthError, DomainError
from core.infra.tenancy import in_city
from core.models import Ballot, Elector, Unit, UnitOwnership, Vote, VoteOption
from core.security.auth import Principal, Scope, ScopeKind
from core.votes.ballots import BallotInput, cast_ballot
from core.votes.results import close_vote, compute_results
from core.votes.voting import OpenVoteInput, OptionInput, open_vote, options_of
from tests.core.votes.owners_fixtures import ADMIN, end_voting, open_on, register_owners, resident
from tests.factories import Town, build_town

# A owns two flats (one head, 150 m²); B and C co-own one (one vote); D owns one.
HOLDINGS = [
    ("101", "100.00", ["A"]),
    ("102", "50.00", ["A"]),
    ("201", "150.00", ["B", "C"]),
    ("301", "150.00", ["D"]),
]


@pytest.fixture
async def town(empty_db: str) -> Town:
    town = await build_town("dongguan", compounds=3, cases_each=0)
    await register_owners(town.compounds[1], HOLDINGS)
    return town


async def options(vote_id: int) -> dict[str, int]:
    with in_city("dongguan"):
        rows = (await options_of([vote_id]))[vote_id]
    return {r["label"]: r["id"] for r in rows}


async def cast(principal: Principal, vote_id: int, option: int, change: bool = False, **kw):
    with in_city("dongguan"):
        return await cast_ballot(principal, BallotInput(vote_id, option, **kw), change=change)


async def result(vote_id: int):
    with in_city("dongguan"):
        vote = await Vote.filter(id=vote_id).values(
            "id", "matter", "closed_at", "closes_at", "electorate_heads", "electorate_area_cm"
        )
        return (await compute_results(vote))[vote_id]


async def test_the_electorate_counts_co_owners_once_and_adds_a_multi_owners_areas(town):
    vote = await open_on(town.compounds[1])
    assert (vote["electorate_heads"], vote["electorate_area_cm"]) == (3, 45_000)
    with in_city("dongguan"):
        electors = (
            await Elector.filter(vote_id=vote["id"])
            .order_by("units")
            .values("units", "area_cm", "heads")
        )
    assert electors == [
        {"units": "101, 102", "area_cm": 15_000, "heads": 1},
        {"units": "201", "area_cm": 15_000, "heads": 1},
        {"units": "301", "area_cm": 15_000, "heads": 1},
    ]


async def test_the_electorate_stays_frozen_when_units_change_after_opening(town):
    vote = await open_on(town.compounds[1])
    await register_owners(town.compounds[1], [("401", "999.00", ["E"])])
    after = await result(vote["id"])
    assert (after.electorate.heads, after.electorate.area_cm) == (3, 45_000)
    with pytest.raises(DomainError) as refused:
        await cast(
            resident(town.compounds[1], "E"), vote["id"], (await options(vote["id"]))["同意"]
        )
    assert refused.value.code == "NOT_AN_OWNER"


async def test_exactly_two_thirds_by_area_and_head_makes_a_valid_passed_vote(town):
    vote = await open_on(town.compounds[1])
    yes = (await options(vote["id"]))["同意"]
    compound = town.compounds[1]
    await cast(resident(compound, "A"), vote["id"], yes)
    await cast(resident(compound, "C"), vote["id"], yes)  # for the co-owned flat
    await end_voting(vote["id"])
    with in_city("dongguan"):
        closed = await close_vote(ADMIN, vote["id"])
    assert (closed["verdict"], closed["decided_by"]) == (
        VoteVerdict.PASSED,
        VoteRule.SIMPLE_MAJORITY_HALF,
    )
    outcome = (await result(vote["id"])).outcome
    assert outcome.participation_area == outcome.participation_heads == Fraction(2, 3)


async def test_one_head_short_of_two_thirds_is_invalid(town):
    vote = await open_on(town.compounds[1])
    yes = (await options(vote["id"]))["同意"]
    await cast(resident(town.compounds[1], "A"), vote["id"], yes)
    await end_voting(vote["id"])
    with in_city("dongguan"):
        closed = await close_vote(ADMIN, vote["id"])
    assert closed["verdict"] == VoteVerdict.INVALID
    assert closed["decided_by"] == VoteRule.QUORUM_TWO_THIRDS
    assert (await result(vote["id"])).outcome.failed == (VoteMeasure.AREA, VoteMeasure.HEADS)


async def test_a_special_matter_passing_by_area_but_not_by_head_fails(empty_db):
    town = await build_town("dongguan", compounds=2, cases_each=0)
    compound = town.compounds[1]
    await register_owners(
        compound,
        [
            ("1", "700.00", ["P"]),
            ("2", "100.00", ["Q"]),
            ("3", "100.00", ["R"]),
            ("4", "100.00", ["S"]),
        ],
    )
    vote = await open_on(compound, VoteMatter.COMMON_PARTS_USE)
    opts = await options(vote["id"])
    for name, label in (("P", "同意"), ("Q", "同意"), ("R", "反对"), ("S", "弃权")):
        await cast(resident(compound, name), vote["id"], opts[label])
    await end_voting(vote["id"])
    with in_city("dongguan"):
        closed = await close_vote(ADMIN, vote["id"])
    assert closed["verdict"] == VoteVerdict.REJECTED
    assert closed["decided_by"] == VoteRule.SPECIAL_MAJORITY_THREE_QUARTERS
    outcome = (await result(vote["id"])).outcome
    assert (outcome.approval_area, outcome.approval_heads) == (Fraction(4, 5), Fraction(1, 2))
    assert outcome.failed == (VoteMeasure.HEADS,)


async def test_a_proxy_ballot_records_the_proxy_and_the_operator(town):
    vote = await open_on(town.compounds[1])
    opts = await options(vote["id"])
    with in_city("dongguan"):
        d = await UnitOwnership.filter(unit__number="301").values_list("person_id", flat=True)
    worker = Principal(
        city="dongguan",
        role=Role.COMMUNITY_WORKER,
        subject="worker-7",
        scope=Scope(ScopeKind.COMMUNITY, town.compounds[1].community_id),
    )
    ballot = await cast(
        worker,
        vote["id"],
        opts["反对"],
        channel=BallotChannel.PROXY,
        owner_id=d[0],
        proxy_name=" 李四 ",
    )
    assert (ballot["channel"], ballot["proxy_name"]) == (BallotChannel.PROXY, "李四")
    with in_city("dongguan"):
        stored = await Ballot.get(id=ballot["id"])
    assert (stored.entered_by_subject, stored.cast_by_id) == ("worker-7", d[0])
    missing = BallotInput(vote["id"], opts["反对"], channel=BallotChannel.PROXY, owner_id=d[0])
    with in_city("dongguan"), pytest.raises(DomainError) as refused:
        await cast_ballot(worker, missing)
    assert [e.field for e in refused.value.errors] == ["proxyName"]  # type: ignore[attr-defined]


async def test_an_owner_changes_a_ballot_until_closing(town):
    vote = await open_on(town.compounds[1])
    opts = await options(vote["id"])
    a = resident(town.compounds[1], "A")
    await cast(a, vote["id"], opts["反对"])
    changed = await cast(a, vote["id"], opts["同意"], change=True)
    assert (changed["option_id"], changed["revision"]) == (opts["同意"], 2)
    tally = await result(vote["id"])
    assert tally.by_option[opts["同意"]].heads == 1
    assert tally.by_option[opts["反对"]].heads == 0
    await end_voting(vote["id"])
    with pytest.raises(DomainError) as late:
        await cast(a, vote["id"], opts["反对"], change=True)
    assert late.value.code == "VOTE_CLOSED"


async def test_refusals_write_nothing(town):
    compound = town.compounds[1]
    vote = await open_on(compound)
    other = await open_on(compound)
    opts = await options(vote["id"])
    b, c = resident(compound, "B"), resident(compound, "C")
    await cast(b, vote["id"], opts["同意"])

    async def refused(principal, option, change=False, vote_id=vote["id"]) -> str:
        with pytest.raises(DomainError) as error:
            await cast(principal, vote_id, option, change=change)
        return error.value.code

    assert await refused(c, opts["反对"]) == "BALLOT_ALREADY_CAST"  # the co-owner: one vote
    assert await refused(b, opts["同意"]) == "BALLOT_ALREADY_CAST"
    assert await refused(resident(compound, "stranger"), opts["同意"]) == "NOT_AN_OWNER"
    other_option = (await options(other["id"]))["同意"]
    assert await refused(b, other_option) == "OPTION_NOT_FOUND"
    assert await refused(resident(compound, "D"), opts["同意"], change=True) == "BALLOT_NOT_CAST"
    with in_city("dongguan"):
        await Vote.filter(id=vote["id"]).update(ballots_changeable=False)
    assert await refused(b, opts["反对"], change=True) == "BALLOT_NOT_CHANGEABLE"
    await end_voting(vote["id"])
    assert await refused(resident(compound, "D"), opts["同意"]) == "VOTE_CLOSED"
    with in_city("dongguan"):
        ballots = await Ballot.filter(vote_id=vote["id"]).values("option_id", "revision")
    assert ballots == [{"option_id": opts["同意"], "revision": 1}]


async def test_a_resident_of_another_compound_cannot_see_the_vote(town):
    vote = await open_on(town.compounds[1])
    with pytest.raises(DomainError) as error:
        await cast(
            resident(town.compounds[2], "A"), vote["id"], (await options(vote["id"]))["同意"]
        )
    assert (error.value.code, error.value.field) == ("NOT_FOUND", "voteId")


async def test_a_compound_without_units_cannot_open_a_vote(town):
    with pytest.raises(DomainError) as error:
        await open_on(town.compounds[2])
    assert (error.value.code, error.value.field) == ("NO_UNITS", "compoundId")
    with in_city("dongguan"):
        assert await Vote.all().count() == 0
        assert await VoteOption.all().count() == 0


async def test_an_unowned_unit_blocks_opening(town):
    with in_city("dongguan"):
        await Unit.create(compound=town.compounds[1], number="999", area="80.00")
    with pytest.raises(DomainError) as error:
        await open_on(town.compounds[1])
    assert error.value.code == "UNITS_WITHOUT_OWNER"


async def test_closing_early_or_twice_or_by_a_resident_is_refused(town):
    vote = await open_on(town.compounds[1])
    with in_city("dongguan"), pytest.raises(DomainError) as early:
        await close_vote(ADMIN, vote["id"])
    assert early.value.code == "VOTE_NOT_DUE"
    await end_voting(vote["id"])
    with in_city("dongguan"), pytest.raises(AuthError):
        await close_vote(resident(town.compounds[1], "A"), vote["id"])
    with in_city("dongguan"):
        await close_vote(ADMIN, vote["id"])
    with in_city("dongguan"), pytest.raises(DomainError) as twice:
        await close_vote(ADMIN, vote["id"])
    assert twice.value.code == "VOTE_ALREADY_CLOSED"


async def test_a_co_owner_may_change_the_units_one_ballot(town):
    vote = await open_on(town.compounds[1])
    opts = await options(vote["id"])
    await cast(resident(town.compounds[1], "B"), vote["id"], opts["反对"])
    changed = await cast(resident(town.compounds[1], "C"), vote["id"], opts["同意"], change=True)
    assert (changed["option_id"], changed["revision"]) == (opts["同意"], 2)
    tally = await result(vote["id"])
    assert (tally.participating.heads, tally.approving.heads) == (1, 1)


async def test_a_person_who_is_two_owners_names_the_elector(empty_db):
    town = await build_town("dongguan", compounds=2, cases_each=0)
    compound = town.compounds[1]
    # E owns 1 alone and 2 with F: two owners, two heads, two ballots.
    await register_owners(compound, [("1", "80.00", ["E"]), ("2", "90.00", ["E", "F"])])
    vote = await open_on(compound)
    assert vote["electorate_heads"] == 2
    yes = (await options(vote["id"]))["同意"]
    e = resident(compound, "E")
    with pytest.raises(DomainError) as ambiguous:
        await cast(e, vote["id"], yes)
    assert (ambiguous.value.code, ambiguous.value.field) == ("ELECTOR_AMBIGUOUS", "electorId")
    with in_city("dongguan"):
        electors = dict(await Elector.filter(vote_id=vote["id"]).values_list("units", "id"))
    await cast(e, vote["id"], yes, elector_id=electors["1"])
    await cast(e, vote["id"], yes, elector_id=electors["2"])
    tally = await result(vote["id"])
    assert (tally.participating.heads, tally.participating.area_cm) == (2, 17_000)


async def test_bad_vote_openings_are_reported_together(town):
    now = dt.datetime.now(dt.UTC)
    data = OpenVoteInput(
        compound_id=town.compounds[1].id,
        matter=VoteMatter.REBUILDING,
        title=" ",
        closes_at=now + dt.timedelta(days=1),
        opens_at=now + dt.timedelta(days=2),
        options=(OptionInput("同意"), OptionInput("同意")),
        firm_id=town.firms[0].id,
    )
    with in_city("dongguan"), pytest.raises(DomainError) as error:
        await open_vote(ADMIN, data)
    assert {(e.code, e.field) for e in error.value.errors} == {  # type: ignore[attr-defined]
        ("REQUIRED", "title"),
        ("CLOSES_BEFORE_OPENS", "closesAt"),
        ("OPTIONS_INVALID", "options"),
        ("FIRM_NOT_APPLICABLE", "firmId"),
    }
    with in_city("dongguan"):
        assert await Vote.all().count() == 0


async def test_a_ballot_before_the_vote_opens_is_refused(town):
    vote = await open_on(town.compounds[1], opens_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    with pytest.raises(DomainError) as early:
        await cast(
            resident(town.compounds[1], "A"), vote["id"], (await options(vote["id"]))["同意"]
        )
    assert early.value.code == "VOTE_NOT_OPEN"
