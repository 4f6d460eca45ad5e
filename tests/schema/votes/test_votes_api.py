"""Votes through the API: who sees what, ballots secret, coded errors, the contract rule."""

from __future__ import annotations

import datetime as dt

import pytest

from core.infra.db import StatementCounter
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry, Ballot, ManagementContract, Person, Vote
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.core.votes.owners_fixtures import end_voting, register_owners
from tests.factories import Town, build_town

OPEN = """mutation($input: OpenVoteInput!) { openVote(input: $input) {
    vote { id title matter electorate { heads area } options { id label approves } }
    errors { field code message } } }"""
CAST = """mutation($input: BallotInput!) { castBallot(input: $input) {
    ballot { id channel proxyName revision option { label } } errors { field code } } }"""
CHANGE = CAST.replace("castBallot", "changeBallot")
CLOSE = """mutation($id: ID!) { closeVote(voteId: $id) {
    vote { closedAt result { verdict rule failedMeasures } } errors { field code } } }"""
READ = """query($id: ID!) { vote(id: $id) { title matterLabel isOpen
    myBallot { option { label } revision }
    turnout { participating { heads area } byHead { numerator denominator percent }
              byArea { numerator denominator percent } }
    result { verdict rule verdictLabel approvalByArea { percent }
             options { option { label } owners { heads area } } } } }"""
HIRE = """mutation($input: CreateManagementContractInput!) {
  createManagementContract(input: $input) {
    contract { id startsOn firm { name } } authorityDecision vote { title }
    errors { field code message } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    """Compound 2 (commercial, firm 0's contract without a vote) has owners A..D;
    compound 0 is public rental housing."""
    town = await build_town("dongguan", compounds=3, cases_each=0)
    await register_owners(
        town.compounds[2],
        [
            ("101", "100.00", ["A"]),
            ("102", "50.00", ["A"]),
            ("201", "150.00", ["B", "C"]),
            ("301", "150.00", ["D"]),
        ],
    )
    return town


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


def worker(town: Town) -> str:
    community = town.compounds[2].community_id
    return token(
        "dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, community), subject="worker-1"
    )


def owner(town: Town, name: str, compound: int = 2) -> str:
    return token(
        "dongguan",
        Role.RESIDENT,
        Scope(ScopeKind.COMPOUND, town.compounds[compound].id),
        subject=name,
    )


async def open_vote(gql: GraphQLClient, town: Town, **extra) -> dict:
    closes = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    body = await gql(
        OPEN,
        {
            "input": {
                "compoundId": gid("Compound", town.compounds[2].id),
                "matter": "PROPERTY_MANAGER",
                "title": "续聘物业",
                "closesAt": closes,
                **extra,
            }
        },
        auth=worker(town),
    )
    payload = body["data"]["openVote"]
    assert payload["errors"] == []
    return payload["vote"]


async def test_owners_vote_online_and_see_only_their_own_ballot(town, gql: GraphQLClient):
    vote = await open_vote(gql, town)
    assert vote["electorate"] == {"heads": 3, "area": "450.00"}
    yes, no = (o["id"] for o in vote["options"][:2])
    cast = await gql(CAST, {"input": {"voteId": vote["id"], "optionId": no}}, auth=owner(town, "A"))
    assert cast["data"]["castBallot"]["ballot"]["option"] == {"label": "反对"}
    changed = await gql(
        CHANGE, {"input": {"voteId": vote["id"], "optionId": yes}}, auth=owner(town, "A")
    )
    assert changed["data"]["changeBallot"]["ballot"]["revision"] == 2
    await gql(CAST, {"input": {"voteId": vote["id"], "optionId": no}}, auth=owner(town, "B"))

    mine = (await gql(READ, {"id": vote["id"]}, auth=owner(town, "A")))["data"]["vote"]
    assert mine["myBallot"] == {"option": {"label": "同意"}, "revision": 2}
    assert (mine["turnout"], mine["result"]) == (None, None)  # no tallies while voting
    d = (await gql(READ, {"id": vote["id"]}, auth=owner(town, "D")))["data"]["vote"]
    assert d["myBallot"] is None  # A's and B's ballots are not D's to see
    # The co-owner C shares B's one ballot, and sees it as her own.
    c = (await gql(READ, {"id": vote["id"]}, auth=owner(town, "C")))["data"]["vote"]
    assert c["myBallot"]["option"] == {"label": "反对"}

    admin = (await gql(READ, {"id": vote["id"]}, auth=worker(town)))["data"]["vote"]
    assert admin["turnout"]["byHead"] == {"numerator": "2", "denominator": "3", "percent": "66.66"}
    assert admin["turnout"]["participating"] == {"heads": 2, "area": "300.00"}
    assert admin["result"]["verdict"] == "PENDING"
    assert admin["myBallot"] is None
    elsewhere = await gql(READ, {"id": vote["id"]}, auth=owner(town, "A", compound=1))
    assert elsewhere["data"]["vote"] is None


async def test_a_proxy_ballot_then_closing_publishes_the_result(town, gql: GraphQLClient):
    vote = await open_vote(gql, town)
    yes = vote["options"][0]["id"]
    with in_city("dongguan"):
        d = await Person.get(subject="D")
    proxy = await gql(
        CAST,
        {
            "input": {
                "voteId": vote["id"],
                "optionId": yes,
                "channel": "PROXY",
                "ownerId": gid("Person", d.id),
                "proxyName": "李四",
            }
        },
        auth=worker(town),
    )
    assert proxy["data"]["castBallot"]["ballot"]["proxyName"] == "李四"
    await gql(CAST, {"input": {"voteId": vote["id"], "optionId": yes}}, auth=owner(town, "C"))
    await end_voting(await _pk(vote["id"]))
    closed = await gql(CLOSE, {"id": vote["id"]}, auth=worker(town))
    assert closed["data"]["closeVote"]["vote"]["result"] == {
        "verdict": "PASSED",
        "rule": "SIMPLE_MAJORITY_HALF",
        "failedMeasures": [],
    }
    public = (await gql(READ, {"id": vote["id"]}, auth=owner(town, "A"), lang="en"))["data"]["vote"]
    assert public["result"]["verdictLabel"] == "passed"
    assert public["turnout"]["byArea"]["percent"] == "66.66"
    assert {o["option"]["label"]: o["owners"] for o in public["result"]["options"]}["同意"] == {
        "heads": 2,
        "area": "300.00",
    }


async def _pk(global_id: str) -> int:
    from schema.api.ids import pk_of

    return pk_of(global_id, "Vote", "id")


async def test_bad_ballots_are_refused_with_codes_and_write_nothing(town, gql: GraphQLClient):
    vote = await open_vote(gql, town)
    other = await open_vote(gql, town)
    yes = vote["options"][0]["id"]

    async def code(query, option, who, field="castBallot") -> list[tuple[str, str]]:
        body = await gql(query, {"input": {"voteId": vote["id"], "optionId": option}}, auth=who)
        payload = body["data"][field]
        assert payload["ballot"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    await gql(CAST, {"input": {"voteId": vote["id"], "optionId": yes}}, auth=owner(town, "A"))
    assert await code(CAST, yes, owner(town, "A")) == [("BALLOT_ALREADY_CAST", "voteId")]
    assert await code(CAST, yes, owner(town, "Z")) == [("NOT_AN_OWNER", "voteId")]
    assert await code(CAST, other["options"][0]["id"], owner(town, "B")) == [
        ("OPTION_NOT_FOUND", "optionId")
    ]
    with in_city("dongguan"):
        await Vote.filter(id=await _pk(vote["id"])).update(ballots_changeable=False)
    assert await code(CHANGE, yes, owner(town, "A"), "changeBallot") == [
        ("BALLOT_NOT_CHANGEABLE", "voteId")
    ]
    await end_voting(await _pk(vote["id"]))
    assert await code(CAST, yes, owner(town, "B")) == [("VOTE_CLOSED", "voteId")]
    with in_city("dongguan"):
        assert await Ballot.filter(vote_id=await _pk(vote["id"])).count() == 1


async def test_opening_a_vote_on_a_compound_without_units_is_refused(town, gql: GraphQLClient):
    closes = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    body = await gql(
        OPEN,
        {
            "input": {
                "compoundId": gid("Compound", town.compounds[1].id),
                "matter": "REBUILDING",
                "title": "加装电梯",
                "closesAt": closes,
            }
        },
        auth=token("dongguan", Role.CITY_ADMIN),
        lang="en",
    )
    (error,) = body["data"]["openVote"]["errors"]
    assert (error["code"], error["field"]) == ("NO_UNITS", "compoundId")
    assert "no units" in error["message"]
    resident = await gql(
        OPEN,
        {
            "input": {
                "compoundId": gid("Compound", town.compounds[2].id),
                "matter": "REBUILDING",
                "title": "x",
                "closesAt": closes,
            }
        },
        auth=owner(town, "A"),
        expect_errors=True,
    )
    assert resident["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with in_city("dongguan"):
        assert await Vote.all().count() == 0


async def test_votes_by_compound_and_matter(town, gql: GraphQLClient):
    await open_vote(gql, town)
    await open_vote(gql, town, matter="MAINTENANCE_FUND_USE")
    query = """query($f: VoteFilter) { votes(first: 10, filter: $f) { totalCount
        nodes { matter compound { name } } } }"""
    body = await gql(
        query,
        {
            "f": {
                "compoundId": gid("Compound", town.compounds[2].id),
                "matter": ["MAINTENANCE_FUND_USE"],
            }
        },
        auth=owner(town, "D"),
    )
    assert body["data"]["votes"]["totalCount"] == 1
    assert body["data"]["votes"]["nodes"][0]["matter"] == "MAINTENANCE_FUND_USE"
    other = await gql("{ votes { totalCount } }", auth=owner(town, "A", compound=1))
    assert other["data"]["votes"]["totalCount"] == 0
    anonymous = await gql("{ votes { totalCount } }", expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"


async def test_the_contract_rule_and_the_public_rental_exemption(town, gql: GraphQLClient):
    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-1")
    flagged = "{ compoundsWithoutSupportingVote(first: 10) { nodes { name kind } } }"
    body = await gql(flagged, auth=admin)
    assert body["data"]["compoundsWithoutSupportingVote"]["nodes"] == [
        {"name": town.compounds[2].name, "kind": "COMMERCIAL_RESIDENTIAL"}
    ]
    today = dt.date.today().isoformat()
    base = {
        "compoundId": gid("Compound", town.compounds[2].id),
        "firmId": gid("Firm", town.firms[1].id),
        "startsOn": today,
    }
    refused = await gql(HIRE, {"input": base}, auth=admin)
    assert [
        (e["code"], e["field"]) for e in refused["data"]["createManagementContract"]["errors"]
    ] == [("VOTE_REQUIRED", "voteId")]
    vote = await open_vote(gql, town)
    yes = vote["options"][0]["id"]
    for name in ("A", "B", "D"):
        await gql(CAST, {"input": {"voteId": vote["id"], "optionId": yes}}, auth=owner(town, name))
    await end_voting(await _pk(vote["id"]))
    hired = await gql(HIRE, {"input": {**base, "voteId": vote["id"]}}, auth=admin)
    payload = hired["data"]["createManagementContract"]
    assert payload["errors"] == []
    assert payload["contract"]["firm"]["name"] == town.firms[1].name
    assert payload["vote"] == {"title": "续聘物业"}
    with in_city("dongguan"):
        audited = await AuditEntry.get(operation="createManagementContract", outcome="OK")
    assert audited.target_ids == [payload["contract"]["id"]]
    rental = {
        "compoundId": gid("Compound", town.compounds[0].id),
        "firmId": gid("Firm", town.firms[1].id),
        "startsOn": today,
        "authorityDecision": "市住建局决定由东鸿物业接管",
    }
    exempt = await gql(HIRE, {"input": rental}, auth=admin)
    assert (
        exempt["data"]["createManagementContract"]["authorityDecision"]
        == "市住建局决定由东鸿物业接管"
    )
    body = await gql(flagged, auth=admin)
    assert body["data"]["compoundsWithoutSupportingVote"]["nodes"] == []
    with in_city("dongguan"):
        assert await ManagementContract.filter(ends_on=dt.date.today()).count() == 2
    forbidden = await gql(flagged, auth=owner(town, "A"), expect_errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_nested_vote_fields_cost_the_same_statements_whatever_the_page_size(town, gql):
    for _ in range(6):
        await open_vote(gql, town)
    query = """query($n: Int) { votes(first: $n) { nodes { title compound { name }
        options { label } myBallot { revision option { label } }
        result { verdict options { owners { heads } } } turnout { byHead { percent } } } } }"""
    counts = {}
    for n in (2, 6):
        with StatementCounter() as counter:
            body = await gql(query, {"n": n}, auth=worker(town))
        assert len(body["data"]["votes"]["nodes"]) == n
        counts[n] = counter.count
    assert counts[2] == counts[6]
