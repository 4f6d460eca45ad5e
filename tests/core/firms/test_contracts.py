"""The contract rule: a firm is hired only on the owners' passed matter (4) vote, except in
public rental housing, where the housing authority decides and the record says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from core.firms.contracts import (
    change_management_mode,
    compounds_without_supporting_vote,
    create_management_contract,
)
from core.infra.enums import CompoundKind, ManagementMode, VoteMatter
from core.infra.errors import DomainError
from core.infra.tenancy import in_city
from core.models import Compound, ManagementContract, PluginConfiguration
from core.plugins import calls as plugins
from core.plugins.contributions import Refusal
from core.plugins.hookspecs import hookimpl
from core.votes.ballots import BallotInput, cast_ballot
from core.votes.results import close_vote
from core.votes.voting import options_of
from tests.core.votes.owners_fixtures import ADMIN, end_voting, open_on, register_owners, resident
from tests.factories import Town, build_town

TODAY = dt.date.today()


@pytest.fixture
async def town(empty_db: str) -> Town:
    """Compound 0 is public rental (firm 0 since 2020), 1 has no contract, 2 has firm 0's
    contract since 2020 with no vote behind it; compound 2 has two owners."""
    town = await build_town("dongguan", compounds=3, cases_each=0)
    assert town.compounds[0].kind == CompoundKind.PUBLIC_RENTAL
    await register_owners(town.compounds[2], [("1", "90.00", ["A"]), ("2", "90.00", ["B"])])
    return town


async def decided_vote(town: Town, approve: bool, matter=VoteMatter.PROPERTY_MANAGER, **kw):
    compound = town.compounds[2]
    vote = await open_on(compound, matter, **kw)
    with in_city("dongguan"):
        opts = {o["label"]: o["id"] for o in (await options_of([vote["id"]]))[vote["id"]]}
        for name in ("A", "B"):
            choice = opts["同意" if approve else "反对"]
            await cast_ballot(resident(compound, name), BallotInput(vote["id"], choice))
    await end_voting(vote["id"])
    with in_city("dongguan"):
        return await close_vote(ADMIN, vote["id"])


async def hire(town: Town, compound: int = 2, **kw) -> dict:
    with in_city("dongguan"):
        return await create_management_contract(
            ADMIN, town.compounds[compound].id, town.firms[1].id, TODAY, **kw
        )


async def refusal(town: Town, compound: int = 2, **kw) -> list[tuple[str, str | None]]:
    with in_city("dongguan"):
        before = await ManagementContract.all().values("id", "ends_on")
    with pytest.raises(DomainError) as error:
        await hire(town, compound, **kw)
    with in_city("dongguan"):
        assert await ManagementContract.all().values("id", "ends_on") == before  # nothing written
    parts = getattr(error.value, "errors", [error.value])
    return [(e.code, e.field) for e in parts]


async def test_a_contract_without_a_vote_is_refused(town):
    assert await refusal(town) == [("VOTE_REQUIRED", "voteId")]


async def test_a_contract_on_a_rejected_or_unclosed_vote_is_refused(town):
    rejected = await decided_vote(town, approve=False)
    assert await refusal(town, vote_id=rejected["id"]) == [("VOTE_NOT_PASSED", "voteId")]
    pending = await open_on(town.compounds[2])
    assert await refusal(town, vote_id=pending["id"]) == [("VOTE_NOT_PASSED", "voteId")]


async def test_a_passed_vote_on_another_matter_or_firm_does_not_count(town):
    statute = await decided_vote(town, approve=True, matter=VoteMatter.MANAGEMENT_STATUTE)
    assert await refusal(town, vote_id=statute["id"]) == [("VOTE_WRONG_MATTER", "voteId")]
    other_firm = await decided_vote(town, approve=True, firm_id=town.firms[0].id)
    assert await refusal(town, vote_id=other_firm["id"]) == [("VOTE_WRONG_FIRM", "voteId")]


async def test_a_passed_vote_hires_the_firm_and_ends_the_previous_contract_that_day(town):
    with in_city("dongguan"):
        flagged = await compounds_without_supporting_vote().values_list("id", flat=True)
    assert flagged == [town.compounds[2].id]  # compound 0 has no vote either, but is exempt
    vote = await decided_vote(town, approve=True, firm_id=town.firms[1].id)
    contract = await hire(town, vote_id=vote["id"])
    assert (contract["vote_id"], contract["authority_decision"]) == (vote["id"], None)
    with in_city("dongguan"):
        old = await ManagementContract.get(
            compound_id=town.compounds[2].id, firm_id=town.firms[0].id
        )
        assert old.ends_on == TODAY
        assert await compounds_without_supporting_vote().count() == 0
    assert await refusal(town, vote_id=vote["id"]) == [
        ("VOTE_ALREADY_USED", "voteId"),
        ("CONTRACT_STARTS_TOO_EARLY", "startsOn"),
    ]


async def test_public_rental_housing_is_decided_by_the_housing_authority(town):
    assert await refusal(town, compound=0) == [("AUTHORITY_DECISION_REQUIRED", "authorityDecision")]
    vote = await decided_vote(town, approve=True)
    assert await refusal(town, compound=0, vote_id=vote["id"], authority_decision="x") == [
        ("VOTE_NOT_APPLICABLE", "voteId")
    ]
    decision = "东莞市住房和城乡建设局 2017 年接管决定"
    contract = await hire(town, compound=0, authority_decision=decision)
    assert (contract["vote_id"], contract["authority_decision"]) == (None, decision)
    with in_city("dongguan"):
        assert (
            await compounds_without_supporting_vote().filter(id=town.compounds[0].id).count() == 0
        )
    # And a compound with owners may not use an authority's decision instead of a vote.
    assert await refusal(town, authority_decision=decision) == [
        ("AUTHORITY_DECISION_NOT_APPLICABLE", "authorityDecision")
    ]


async def test_changing_the_management_mode_needs_the_vote_too(town):
    compound = town.compounds[2].id
    with in_city("dongguan"), pytest.raises(DomainError) as error:
        await change_management_mode(ADMIN, compound, ManagementMode.OWNER_SELF_MANAGED, TODAY)
    assert error.value.code == "VOTE_REQUIRED"
    vote = await decided_vote(town, approve=True)
    with in_city("dongguan"):
        row = await change_management_mode(
            ADMIN, compound, ManagementMode.OWNER_SELF_MANAGED, TODAY, vote_id=vote["id"]
        )
        assert row["management_mode"] == ManagementMode.OWNER_SELF_MANAGED
        contract = await ManagementContract.get(compound_id=compound)
        assert contract.ends_on == TODAY


class Blacklist:
    """A city's plugin that refuses one firm for management contracts."""

    def __init__(self, firm_id: int) -> None:
        self.firm_id = firm_id

    @hookimpl
    def check_firm_eligibility(self, city, firm_id, purpose):
        if firm_id == self.firm_id and purpose == "management_contract":
            return [Refusal("列入信用黑名单")]
        return None


@pytest.fixture
def blacklist(town) -> Iterator[None]:
    plugins.register(Blacklist(town.firms[1].id), "test_blacklist")
    try:
        yield
    finally:
        plugins.unregister("test_blacklist")


async def test_a_citys_plugin_may_refuse_the_firm(town, blacklist):
    vote = await decided_vote(town, approve=True)
    with in_city("dongguan"):
        await PluginConfiguration.create(plugin="test_blacklist", active=True)
    assert await refusal(town, vote_id=vote["id"]) == [("PLUGIN_REFUSED", "firmId")]
    with in_city("dongguan"):
        await PluginConfiguration.filter(plugin="test_blacklist").update(active=False)
        assert (await Compound.get(id=town.compounds[2].id)).management_mode == "PROPERTY_FIRM"
    assert (await hire(town, vote_id=vote["id"]))["vote_id"] == vote["id"]
