"""The takeover rule: Donghong takes a compound over only on the owners' passed vote on hiring
it (public rental housing: the housing authority's recorded decision); the previous contract
ends the same day. Handover is the reverse."""

from __future__ import annotations

import datetime as dt

import pytest

from core.infra.enums import Role, VoteMatter
from core.infra.errors import DomainError
from core.infra.tenancy import in_city
from core.models import ManagementContract, Unit
from core.plugins import calls as plugins
from core.votes.ballots import BallotInput, cast_ballot
from core.votes.results import close_vote
from core.votes.voting import options_of
from plugins.dongguan_donghong import takeover
from plugins.dongguan_donghong.models import DonghongProject
from plugins.dongguan_donghong.settings import NAME, DonghongSettings
from schema.api.ids import to_global_id
from schema.plugin_api import settings_of
from tests.conftest import GraphQLClient, token
from tests.core.votes.owners_fixtures import end_voting, open_on, register_owners, resident
from tests.plugins.dongguan_donghong.conftest import ADMIN, Place

TODAY = dt.date.today()


async def passed_vote(place: Place, compound_name: str, firm_id: int) -> int:
    """The owners of the compound (registered once) pass a vote on hiring the firm."""
    compound = place.compounds[compound_name]
    with in_city("dongguan"):
        known = await Unit.filter(compound_id=compound.id).exists()
    if not known:
        await register_owners(compound, [("1", "90.00", ["A"]), ("2", "90.00", ["B"])])
    vote = await open_on(compound, VoteMatter.PROPERTY_MANAGER, firm_id=firm_id)
    with in_city("dongguan"):
        opts = {o["label"]: o["id"] for o in (await options_of([vote["id"]]))[vote["id"]]}
        for name in ("A", "B"):
            await cast_ballot(resident(compound, name), BallotInput(vote["id"], opts["同意"]))
    await end_voting(vote["id"])
    with in_city("dongguan"):
        await close_vote(ADMIN, vote["id"])
    return int(vote["id"])  # type: ignore[call-overload]


async def contracts(compound_id: int) -> list[tuple[int, dt.date, dt.date | None]]:
    with in_city("dongguan"):
        return list(
            await ManagementContract.filter(compound_id=compound_id)
            .order_by("starts_on")
            .values_list("firm_id", "starts_on", "ends_on")
        )


async def take_over(compound_id: int, **kw: object) -> dict:
    with in_city("dongguan"):
        settings = settings_of(await plugins.city_plugins(), NAME, DonghongSettings)
        return await takeover.take_over(ADMIN, settings, compound_id, TODAY, **kw)  # type: ignore[arg-type]


async def refused(compound_id: int, **kw: object) -> list[tuple[str, str | None]]:
    before = await contracts(compound_id)
    with pytest.raises(DomainError) as error:
        await take_over(compound_id, **kw)
    assert await contracts(compound_id) == before  # nothing written
    return [(e.code, e.field) for e in getattr(error.value, "errors", [error.value])]


async def test_a_takeover_needs_the_owners_passed_vote_and_ends_the_previous_contract(
    place: Place,
):
    garden = place.compounds["宏图花园"].id
    assert await refused(garden) == [("VOTE_REQUIRED", "voteId")]
    # A vote to hire another firm does not let Donghong in.
    other_vote = await passed_vote(place, "宏图花园", place.other.id)
    assert await refused(garden, vote_id=other_vote) == [("VOTE_WRONG_FIRM", "voteId")]

    vote_id = await passed_vote(place, "宏图花园", place.donghong.id)
    made = await take_over(garden, vote_id=vote_id)
    assert (made["firm_id"], made["starts_on"], made["vote_id"]) == (
        place.donghong.id, TODAY, vote_id,
    )  # fmt: skip
    assert await contracts(garden) == [
        (place.other.id, dt.date(2020, 1, 1), TODAY),  # ended the same day
        (place.donghong.id, TODAY, None),
    ]


async def test_public_rental_housing_is_taken_over_on_the_housing_authoritys_decision(
    place: Place,
):
    with in_city("dongguan"):
        rental = place.compounds["运河苑"]
        await ManagementContract.filter(compound_id=rental.id).update(firm_id=place.other.id)
    assert await refused(rental.id) == [("AUTHORITY_DECISION_REQUIRED", "authorityDecision")]
    decision = "东莞市住房和城乡建设局 东建〔2026〕12号"
    made = await take_over(rental.id, authority_decision=decision)
    assert made["authority_decision"] == decision
    assert await contracts(rental.id) == [
        (place.other.id, dt.date(2019, 3, 1), TODAY),
        (place.donghong.id, TODAY, None),
    ]


async def test_a_handover_is_the_reverse(place: Place):
    yayuan = place.compounds["雅园新村"].id
    with in_city("dongguan"):
        await DonghongProject.create(project_code="DH-001", name="雅园新村", compound_id=yayuan)
        settings = settings_of(await plugins.city_plugins(), NAME, DonghongSettings)
        with pytest.raises(DomainError) as error:
            await takeover.hand_over(ADMIN, settings, yayuan, place.other.id, TODAY)
        assert [(e.code, e.field) for e in error.value.errors] == [  # type: ignore[attr-defined]
            ("AUTHORITY_DECISION_REQUIRED", "authorityDecision")
        ]
        await takeover.hand_over(
            ADMIN, settings, yayuan, place.other.id, TODAY, authority_decision="住建局决定"
        )
        assert (
            await DonghongProject.get(project_code="DH-001").values_list("managed_until", flat=True)
            == TODAY
        )
        # Not Donghong's any more: a second handover is refused.
        with pytest.raises(DomainError) as again:
            await takeover.hand_over(
                ADMIN, settings, yayuan, place.other.id, TODAY, authority_decision="再次"
            )
        assert again.value.code == "NOT_MANAGED_BY_COMPANY"
    assert await contracts(yayuan) == [
        (place.donghong.id, dt.date(2017, 5, 1), TODAY),
        (place.other.id, TODAY, None),
    ]


TAKE_OVER = """mutation($c: ID!, $on: Date!, $d: String) {
    donghongTakeOver(compoundId: $c, startsOn: $on, authorityDecision: $d) {
        contract { startsOn endsOn firm { name } } errors { field code } } }"""


async def test_the_takeover_mutation_applies_the_same_rule(place: Place, gql: GraphQLClient):
    with in_city("dongguan"):
        rental = place.compounds["运河苑"]
        await ManagementContract.filter(compound_id=rental.id).update(firm_id=place.other.id)
    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    args = {"c": to_global_id("Compound", rental.id), "on": TODAY.isoformat()}
    refused = (await gql(TAKE_OVER, args, auth=admin))["data"]["donghongTakeOver"]
    assert refused == {
        "contract": None,
        "errors": [{"field": "authorityDecision", "code": "AUTHORITY_DECISION_REQUIRED"}],
    }
    done = await gql(TAKE_OVER, {**args, "d": "住建局决定"}, auth=admin)
    assert done["data"]["donghongTakeOver"] == {
        "contract": {
            "startsOn": TODAY.isoformat(), "endsOn": None,
            "firm": {"name": "广东东鸿物业发展有限公司"},
        },
        "errors": [],
    }  # fmt: skip
    assert await contracts(rental.id) == [
        (place.other.id, dt.date(2019, 3, 1), TODAY),
        (place.donghong.id, TODAY, None),
    ]
