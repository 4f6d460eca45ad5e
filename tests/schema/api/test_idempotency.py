"""Every create mutation takes an idempotency key (docs/security.md, "Idempotent create
mutations"): the same key and input make the object once and answer it again; the same key
with another input is refused and writes nothing; keys are per caller; a refused first
attempt leaves the key free. A guard fails when a create-like mutation, core or plugin,
lacks the key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLSchema

from core.infra.enums import (
    CaseKind,
    CaseStage,
    OrganisationKind,
    ProcurementMethod,
    PurchaseStatus,
    Role,
    VoteMatter,
)
from core.infra.tenancy import in_city
from core.models import (
    AuditEntry,
    Ballot,
    Building,
    BuildingHead,
    Case,
    CommunityWorker,
    CommunityWorkerRecord,
    CouncilMeeting,
    Firm,
    ManagementContract,
    MediationSession,
    Organisation,
    PartyMemberReport,
    PartyServiceRecord,
    Person,
    ProgressReport,
    ServiceDelivery,
    ServicePurchaseRecord,
    Unit,
    Volunteer,
    VolunteerService,
    Vote,
    WorkItem,
    WorkItemRequest,
)
from core.plugins import calls as plugins
from core.plugins.contributions import CityPlugins
from core.security.auth import Scope, ScopeKind
from core.votes.voting import options_of
from plugins.dongguan_assessment.models import AssessmentInput, BlacklistEntry, CreditDeduction
from plugins.points_credit.models import PointsAppeal, PointsDeduction
from schema.api.build import MUTATION_PARTS, QUERY_PARTS, _build, core_schema
from schema.api.ids import to_global_id as gid
from tests.conftest import GraphQLClient, token
from tests.core.votes.owners_fixtures import open_on, register_owners
from tests.factories import Town, build_town

TODAY = dt.date.today()
SOON = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()


def admin(subject: str = "admin-a", city: str = "dongguan") -> str:
    return token(city, Role.CITY_ADMIN, subject=subject)


def resident(compound_id: int, subject: str) -> str:
    return token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound_id), subject=subject)


def document(field: str, params: str, args: str, selection: str) -> str:
    return (
        f"mutation({params}, $key: String) {{ {field}({args}, idempotencyKey: $key) {selection} }}"
    )


def with_input(field: str, input_type: str, made: str) -> str:
    """A mutation taking `input`, answering the made object's id and the errors."""
    selection = f"{{ {made} {{ id }} errors {{ field code }} }}"
    return document(field, f"$input: {input_type}!", "input: $input", selection)


@dataclass
class Scenario:
    """One create mutation on prepared data: a valid input, another valid one (for a second
    caller), one refused by validation, the callers, and the table its object goes to."""

    field: str
    document: str
    model: Any
    good: dict[str, Any]
    other: dict[str, Any]
    bad: dict[str, Any]
    caller: str
    second: str
    city: str = "dongguan"


@dataclass
class World:
    town: Town  # Dongguan: compounds 0 and 3 public rental, 0 (and 2) under firm 0
    zhuhai: Town


Build = Callable[[World], Awaitable[Scenario]]
SCENARIOS: dict[str, Build] = {}


def scenario(field: str) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        SCENARIOS[field] = build
        return build

    return register


async def person(name: str, subject: str | None = None) -> Person:
    with in_city("dongguan"):
        return await Person.create(name=name, subject=subject)


# --- cases and councils --------------------------------------------------------------------


@scenario("fileCase")
async def _file_case(w: World) -> Scenario:
    compound = w.town.compounds[1].id

    def case(title: str) -> dict[str, Any]:
        kind = "PROPERTY_DISPUTE"
        return {"input": {"kind": kind, "title": title, "compoundId": gid("Compound", compound)}}

    return Scenario(
        "fileCase", with_input("fileCase", "FileCaseInput", "case"), Case,
        case("电梯故障"), case("外墙渗水"), case("  "),
        resident(compound, "owner-1"), resident(compound, "owner-2"),
    )  # fmt: skip


@scenario("scheduleCouncilMeeting")
async def _schedule(w: World) -> Scenario:
    with in_city("dongguan"):
        party = await Organisation.get(kind=OrganisationKind.PARTY_STREET_COMMITTEE)
        bureau = await Organisation.create(
            kind=OrganisationKind.GOVERNMENT_DEPARTMENT, name="住建局"
        )

    def meeting(day: str, convener: int = party.id) -> dict[str, Any]:
        return {"input": {"compoundId": gid("Compound", w.town.compounds[0].id), "heldOn": day,
                          "convenerId": gid("Organisation", convener)}}  # fmt: skip

    return Scenario(
        "scheduleCouncilMeeting",
        with_input("scheduleCouncilMeeting", "ScheduleCouncilMeetingInput", "meeting"),
        CouncilMeeting, meeting("2026-07-01"), meeting("2026-08-01"),
        meeting("2026-07-01", bureau.id), admin(), admin("admin-b"),
    )  # fmt: skip


async def _open_case(w: World, stage: CaseStage, kind: CaseKind, **extra: Any) -> Case:
    with in_city("dongguan"):
        return await Case.create(
            kind=kind, title="噪音纠纷", compound=w.town.compounds[1], stage=stage,
            stage_entered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), **extra,
        )  # fmt: skip


@scenario("recordMediationSession")
async def _mediation_session(w: World) -> Scenario:
    mediator = await person("调解员")
    case = await _open_case(w, CaseStage.MEDIATING, CaseKind.MEDIATION, mediator=mediator)

    def session(day: str, note: str) -> dict[str, Any]:
        return {"input": {"caseId": gid("Case", case.id), "heldOn": day, "note": note}}

    doc = with_input("recordMediationSession", "RecordMediationSessionInput", "case")
    return Scenario(
        "recordMediationSession", doc, MediationSession, session("2026-01-05", "第一次"),
        session("2026-01-06", "第二次"), session("2099-01-01", "未来"), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("reportProgress")
async def _report_progress(w: World) -> Scenario:
    case = await _open_case(w, CaseStage.DECISION_EXECUTION, CaseKind.PROPERTY_DISPUTE)

    def report(text: str, percent: int) -> dict[str, Any]:
        return {"input": {"caseId": gid("Case", case.id), "text": text, "percent": percent}}

    return Scenario(
        "reportProgress", with_input("reportProgress", "ReportProgressInput", "case"),
        ProgressReport, report("已完成一半", 50), report("已完成", 100), report(" ", 10),
        admin(), admin("admin-b"),
    )  # fmt: skip


# --- grassroots -----------------------------------------------------------------------------


@scenario("admitWorkItem")
async def _admit_work_item(w: World) -> Scenario:
    doc = document(
        "admitWorkItem",
        "$name: String!",
        "name: $name",
        "{ workItem { id } errors { field code } }",
    )
    return Scenario(
        "admitWorkItem", doc, WorkItem, {"name": "环境卫生整治"}, {"name": "消防巡查"},
        {"name": "  "}, admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("requestWorkItemAssignment")
async def _request_work_item(w: World) -> Scenario:
    with in_city("dongguan"):
        department = await Organisation.create(
            kind=OrganisationKind.GOVERNMENT_DEPARTMENT, name="民政局"
        )

    def ask(item: str, communities: list[int]) -> dict[str, Any]:
        return {"input": {"departmentId": gid("Organisation", department.id), "itemName": item,
                          "communityIds": [gid("Community", c) for c in communities]}}  # fmt: skip

    c0 = w.town.communities[0].id
    doc = with_input("requestWorkItemAssignment", "RequestWorkItemInput", "request")
    return Scenario(
        "requestWorkItemAssignment", doc, WorkItemRequest, ask("环境卫生整治", [c0]),
        ask("人口普查", [c0]), ask("环境卫生整治", []), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("appointBuildingHead")
async def _appoint(w: World) -> Scenario:
    head = await person("楼长")
    with in_city("dongguan"):
        buildings = list(await Building.all().order_by("id").values_list("id", flat=True))

    def appoint(building_ids: list[int]) -> dict[str, Any]:
        return {"input": {"personId": gid("Person", head.id), "appointedOn": "2026-01-01",
                          "buildingIds": [gid("Building", b) for b in building_ids]}}  # fmt: skip

    doc = with_input("appointBuildingHead", "AppointBuildingHeadInput", "buildingHead")
    return Scenario(
        "appointBuildingHead", doc, BuildingHead, appoint(buildings[:1]), appoint(buildings[1:2]),
        appoint([]), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("admitCommunityWorker")
async def _admit_worker(w: World) -> Scenario:
    worker = await person("社工")

    def admit(person_id: int, community: int) -> dict[str, Any]:
        return {"person": gid("Person", person_id), "admittedOn": "2026-01-01",
                "community": gid("Community", w.town.communities[community].id)}  # fmt: skip

    doc = document(
        "admitCommunityWorker", "$person: ID!, $community: ID!, $admittedOn: Date!",
        "personId: $person, communityId: $community, admittedOn: $admittedOn",
        "{ communityWorker { id } errors { field code } }",
    )  # fmt: skip
    return Scenario(
        "admitCommunityWorker", doc, CommunityWorker, admit(worker.id, 0), admit(worker.id, 1),
        admit(99999, 0), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("recordWorkerEvent")
async def _worker_event(w: World) -> Scenario:
    someone = await person("社工")
    with in_city("dongguan"):
        worker = await CommunityWorker.create(
            person=someone, community=w.town.communities[0], admitted_on=dt.date(2025, 1, 1)
        )

    def event(kind: str, detail: str) -> dict[str, Any]:
        return {"input": {"workerId": gid("CommunityWorker", worker.id), "kind": kind,
                          "occurredOn": "2026-01-10", "detail": detail}}  # fmt: skip

    doc = with_input("recordWorkerEvent", "WorkerEventInput", "communityWorker")
    return Scenario(
        "recordWorkerEvent", doc, CommunityWorkerRecord, event("TRAINING", "消防培训"),
        event("TRAINING", "急救培训"), event("ADMISSION", ""), admin(), admin("admin-b"),
    )  # fmt: skip


def _service_document(field: str, owner: str) -> str:
    return document(
        field, "$owner: ID!, $hours: Float!",
        f'{owner}: $owner, servedOn: "2026-01-10", hours: $hours, activity: "清扫楼道"',
        "{ field code }",
    )  # fmt: skip


@scenario("recordPartyService")
async def _party_service(w: World) -> Scenario:
    member = await person("党员")
    with in_city("dongguan"):
        report = await PartyMemberReport.create(
            person=member, community=w.town.communities[0], reported_on=dt.date(2025, 1, 1)
        )
    owner = gid("PartyMember", report.id)
    return Scenario(
        "recordPartyService", _service_document("recordPartyService", "memberId"),
        PartyServiceRecord, {"owner": owner, "hours": 2}, {"owner": owner, "hours": 3},
        {"owner": owner, "hours": 0}, admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("recordVolunteerService")
async def _volunteer_service(w: World) -> Scenario:
    someone = await person("志愿者")
    with in_city("dongguan"):
        volunteer = await Volunteer.create(
            person=someone, community=w.town.communities[0], registered_on=dt.date(2025, 1, 1)
        )
    owner = gid("Volunteer", volunteer.id)
    return Scenario(
        "recordVolunteerService", _service_document("recordVolunteerService", "volunteerId"),
        VolunteerService, {"owner": owner, "hours": 2}, {"owner": owner, "hours": 3},
        {"owner": owner, "hours": 25}, admin(), admin("admin-b"),
    )  # fmt: skip


# --- votes, contracts, the register -----------------------------------------------------------


@scenario("openVote")
async def _open_vote(w: World) -> Scenario:
    compound = w.town.compounds[1]
    await register_owners(compound, [("101", "90.00", ["A"]), ("102", "90.00", ["B"])])

    def vote(title: str) -> dict[str, Any]:
        return {"input": {"compoundId": gid("Compound", compound.id), "title": title,
                          "matter": "PROPERTY_MANAGER", "closesAt": SOON}}  # fmt: skip

    return Scenario(
        "openVote", with_input("openVote", "OpenVoteInput", "vote"), Vote, vote("续聘物业"),
        vote("维修资金"), vote(""), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("castBallot")
async def _cast_ballot(w: World) -> Scenario:
    compound = w.town.compounds[1]
    await register_owners(compound, [("101", "90.00", ["A"]), ("102", "90.00", ["B"])])
    vote = await open_on(compound, VoteMatter.PROPERTY_MANAGER)
    with in_city("dongguan"):
        options = [o["id"] for o in (await options_of([vote["id"]]))[vote["id"]]]

    def ballot(option: int) -> dict[str, Any]:
        return {"input": {"voteId": gid("Vote", vote["id"]), "optionId": gid("VoteOption", option)}}

    return Scenario(
        "castBallot", with_input("castBallot", "BallotInput", "ballot"), Ballot,
        ballot(options[0]), ballot(options[1]), ballot(99999),
        resident(compound.id, "A"), resident(compound.id, "B"),
    )  # fmt: skip


def _hire_selection() -> str:
    return "{ contract { id } authorityDecision vote { id } errors { field code } }"


@scenario("createManagementContract")
async def _hire(w: World) -> Scenario:
    # Public rental housing: the housing authority's decision instead of the owners' vote.
    def hire(compound: int, starts: str) -> dict[str, Any]:
        return {"input": {"compoundId": gid("Compound", w.town.compounds[compound].id),
                          "firmId": gid("Firm", w.town.firms[1].id), "startsOn": starts,
                          "authorityDecision": "住建局批复"}}  # fmt: skip

    doc = document(
        "createManagementContract", "$input: CreateManagementContractInput!", "input: $input",
        _hire_selection(),
    )  # fmt: skip
    return Scenario(
        "createManagementContract", doc, ManagementContract, hire(0, "2026-02-01"),
        hire(3, "2026-03-01"), hire(0, "2019-01-01"), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("recordUnit")
async def _record_unit(w: World) -> Scenario:
    owner = await person("业主")

    def unit(number: str, area: str) -> dict[str, Any]:
        return {"input": {"compoundId": gid("Compound", w.town.compounds[1].id), "number": number,
                          "area": area, "ownerIds": [gid("Person", owner.id)]}}  # fmt: skip

    return Scenario(
        "recordUnit", with_input("recordUnit", "RecordUnitInput", "unit"), Unit,
        unit("101", "88.50"), unit("102", "66.00"), unit("103", "0"), admin(), admin("admin-b"),
    )  # fmt: skip


# --- credit and purchases -------------------------------------------------------------------


@scenario("recordCreditEvent")
async def _credit_event(w: World) -> Scenario:
    def event(reason: str) -> dict[str, Any]:
        return {"input": {"firmId": gid("Firm", w.town.firms[1].id), "kind": "DEDUCTION",
                          "points": "5", "reason": reason, "source": "inspection",
                          "occurredOn": "2026-01-10"}}  # fmt: skip

    doc = with_input("recordCreditEvent", "RecordCreditEventInput", "record")
    return Scenario(
        "recordCreditEvent", doc, CreditDeduction, event("消防通道堵塞"), event("垃圾未清运"),
        event(" "), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("proposeServicePurchase")
async def _propose(w: World) -> Scenario:
    with in_city("dongguan"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="社工服务中心",
            community=w.town.communities[0], founded_on=dt.date(2015, 1, 1),
        )  # fmt: skip

    def purchase(title: str, amount: str) -> dict[str, Any]:
        return {"input": {"title": title, "category": "ELDERLY_CARE", "amount": amount,
                          "providerId": gid("Organisation", provider.id),
                          "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
                          "procurementMethod": "INQUIRY"}}  # fmt: skip

    doc = with_input("proposeServicePurchase", "ProposeServicePurchaseInput", "purchase")
    return Scenario(
        "proposeServicePurchase", doc, ServicePurchaseRecord, purchase("长者助餐", "20000.00"),
        purchase("长者探访", "30000.00"), purchase("长者助餐", "-1"), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("recordServiceDelivery")
async def _delivery(w: World) -> Scenario:
    start = TODAY - dt.timedelta(days=30)
    with in_city("dongguan"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="社工服务中心"
        )
        purchase = await ServicePurchaseRecord.create(
            title="长者探访", category="ELDERLY_CARE", provider=provider, amount=Decimal(20_000),
            period_start=start, period_end=TODAY, procurement_method=ProcurementMethod.INQUIRY,
            status=PurchaseStatus.CONTRACTED, contract_amount=Decimal(20_000),
            contract_start=start, contract_end=TODAY,
        )  # fmt: skip

    def report(activity: str, people: int) -> dict[str, Any]:
        return {"input": {"purchaseId": gid("ServicePurchase", purchase.id),
                          "deliveredOn": start.isoformat(), "activity": activity,
                          "beneficiaries": people, "hours": "2.5"}}  # fmt: skip

    doc = with_input("recordServiceDelivery", "RecordServiceDeliveryInput", "delivery")
    return Scenario(
        "recordServiceDelivery", doc, ServiceDelivery, report("上门探访", 6),
        report("电话慰问", 9), report("探访", -1), admin(), admin("admin-b"),
    )  # fmt: skip


# --- plugins: Dongguan's assessment and Donghong, Zhuhai's points -------------------------------


@scenario("recordAssessmentInput")
async def _assessment_input(w: World) -> Scenario:
    def value(compound: int, v: str) -> dict[str, Any]:
        return {"compound": gid("Compound", w.town.compounds[compound].id), "value": v}

    doc = document(
        "recordAssessmentInput", "$compound: ID!, $value: Decimal",
        'compoundId: $compound, period: "2026Q1", criterion: "owner_survey", value: $value',
        "{ input { id } errors { field code } }",
    )  # fmt: skip
    # Another compound for the second caller: an input for the same one replaces the first.
    return Scenario(
        "recordAssessmentInput", doc, AssessmentInput, value(0, "80"), value(1, "70"),
        value(0, "150"), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("addToBlacklist")
async def _blacklist(w: World) -> Scenario:
    def listing(firm: int, reason: str) -> dict[str, Any]:
        return {"firm": gid("Firm", w.town.firms[firm].id), "reason": reason}

    doc = document(
        "addToBlacklist", "$firm: ID!, $reason: String!", "firmId: $firm, reason: $reason",
        "{ entry { id } errors { field code } }",
    )  # fmt: skip
    return Scenario(
        "addToBlacklist", doc, BlacklistEntry, listing(1, "严重违法"), listing(0, "拒不整改"),
        listing(1, " "), admin(), admin("admin-b"),
    )  # fmt: skip


DONGHONG_USCC = "914419009000000013"  # config/cities/dongguan.toml


def _donghong_document(field: str, params: str, args: str) -> str:
    selection = "{ contract { id } errors { field code } }"
    return document(field, f"$compound: ID!, $starts: Date!{params}",
                    f'compoundId: $compound, startsOn: $starts, authorityDecision: "批复"{args}',
                    selection)  # fmt: skip


@scenario("donghongTakeOver")
async def _take_over(w: World) -> Scenario:
    with in_city("dongguan"):
        await Firm.create(name="东鸿物业", registration_number=DONGHONG_USCC, is_state_owned=True)

    def take(compound: int, starts: str) -> dict[str, Any]:
        return {"compound": gid("Compound", w.town.compounds[compound].id), "starts": starts}

    return Scenario(
        "donghongTakeOver", _donghong_document("donghongTakeOver", "", ""), ManagementContract,
        take(0, "2026-02-01"), take(3, "2026-03-01"), take(0, "2019-01-01"), admin(),
        admin("admin-b"),
    )  # fmt: skip


@scenario("donghongHandOver")
async def _hand_over(w: World) -> Scenario:
    compounds = [w.town.compounds[0], w.town.compounds[3]]
    with in_city("dongguan"):
        donghong = await Firm.create(
            name="东鸿物业", registration_number=DONGHONG_USCC, is_state_owned=True
        )
        await ManagementContract.filter(compound_id=compounds[0].id).update(
            ends_on=dt.date(2020, 12, 31)
        )
        for c in compounds:
            await ManagementContract.create(
                compound=c, firm=donghong, starts_on=dt.date(2021, 1, 1)
            )

    def hand(compound: int, starts: str) -> dict[str, Any]:
        return {"compound": gid("Compound", compounds[compound].id), "starts": starts,
                "to": gid("Firm", w.town.firms[1].id)}  # fmt: skip

    doc = _donghong_document("donghongHandOver", ", $to: ID!", ", toFirmId: $to")
    return Scenario(
        "donghongHandOver", doc, ManagementContract, hand(0, "2026-02-01"),
        hand(1, "2026-03-01"), hand(0, "2019-01-01"), admin(), admin("admin-b"),
    )  # fmt: skip


@scenario("appealDeduction")
async def _appeal(w: World) -> Scenario:
    firm = w.zhuhai.firms[0]
    with in_city("zhuhai"):
        notices = [
            await PointsDeduction.create(
                firm=firm,
                points=3,
                reason="消防通道堵塞",
                source="inspection",
                occurred_on=TODAY,
                notified_on=TODAY,
                rectify_by=TODAY + dt.timedelta(days=15),
                appeal_by=TODAY + dt.timedelta(days=15),
            )
            for _ in range(2)
        ]

    def appeal(notice: int, grounds: str) -> dict[str, Any]:
        return {"notice": gid("PointsNotice", notices[notice].id), "grounds": grounds}

    doc = document(
        "appealDeduction", "$notice: ID!, $grounds: String!",
        "noticeId: $notice, grounds: $grounds", "{ appeal { id } errors { field code } }",
    )  # fmt: skip
    return Scenario(
        "appealDeduction", doc, PointsAppeal, appeal(0, "已按期整改"), appeal(1, "检查有误"),
        appeal(0, " "), admin("admin-a", "zhuhai"), admin("admin-b", "zhuhai"), city="zhuhai",
    )  # fmt: skip


# --- the tests ------------------------------------------------------------------------------


@pytest.fixture
async def world(empty_db: str) -> World:
    return World(
        town=await build_town("dongguan", compounds=4, cases_each=1),
        zhuhai=await build_town("zhuhai", compounds=1, cases_each=0),
    )


class Run:
    """Sends a scenario's mutation and reads what it wrote."""

    def __init__(self, s: Scenario, gql: GraphQLClient) -> None:
        self.s, self.gql = s, gql

    async def __call__(
        self, variables: dict[str, Any], key: str | None, auth: str | None = None
    ) -> Any:
        body = await self.gql(
            self.s.document, {**variables, "key": key}, city=self.s.city, auth=auth or self.s.caller
        )
        return body["data"][self.s.field]

    async def rows(self) -> int:
        with in_city(self.s.city):
            return int(await self.s.model.all().count())

    async def outcomes(self) -> list[str]:
        with in_city(self.s.city):
            found = AuditEntry.filter(operation=self.s.field).order_by("id")
            return list(await found.values_list("outcome", flat=True))


def errors_of(payload: Any) -> list[dict[str, Any]]:
    return payload if isinstance(payload, list) else payload["errors"]


def made_id(payload: Any) -> str | None:
    """The global ID of the payload's object: its first field, by the selections above
    (None for payloads of errors only)."""
    if isinstance(payload, list):
        return None
    made = next(iter(payload.values()))
    return made["id"] if made else None


@pytest.fixture(params=sorted(SCENARIOS))
async def run(request: pytest.FixtureRequest, world: World, gql: GraphQLClient) -> Run:
    return Run(await SCENARIOS[request.param](world), gql)


async def test_the_same_key_and_input_make_one_object_and_answer_it_again(run: Run) -> None:
    before = await run.rows()
    first = await run(run.s.good, "k-1")
    assert errors_of(first) == []
    again = await run(run.s.good, "k-1")
    assert again == first  # the same object (the same id), read again
    assert isinstance(first, list) or made_id(first) is not None
    assert await run.rows() == before + 1
    assert await run.outcomes() == ["OK", "REPLAYED"]


async def test_the_same_key_with_another_input_is_refused_and_writes_nothing(run: Run) -> None:
    before = await run.rows()
    assert errors_of(await run(run.s.good, "k-2")) == []
    refused = await run(run.s.other, "k-2")
    assert [(e["field"], e["code"]) for e in errors_of(refused)] == [
        ("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")
    ]
    assert made_id(refused) is None
    assert await run.rows() == before + 1
    assert await run.outcomes() == ["OK", "IDEMPOTENCY_KEY_REUSED"]


async def test_another_caller_with_the_same_key_makes_its_own_object(run: Run) -> None:
    before = await run.rows()
    mine = await run(run.s.good, "k-3")
    theirs = await run(run.s.other, "k-3", auth=run.s.second)
    assert errors_of(mine) == errors_of(theirs) == []  # not IDEMPOTENCY_KEY_REUSED
    assert await run.rows() == before + 2
    assert await run.outcomes() == ["OK", "OK"]


async def test_a_refused_first_attempt_does_not_take_the_key(run: Run) -> None:
    before = await run.rows()
    refused = await run(run.s.bad, "k-4")
    assert errors_of(refused) != [] and made_id(refused) is None
    assert await run.rows() == before
    made = await run(run.s.good, "k-4")
    assert errors_of(made) == []
    assert await run.rows() == before + 1
    [refusal, ok] = await run.outcomes()
    assert refusal not in ("OK", "REPLAYED", "IDEMPOTENCY_KEY_REUSED") and ok == "OK"


# --- what a replay answers: the object as it is now, as the caller may see it -----------------

ADMIT = """mutation($key: String) { admitWorkItem(name: "环境卫生整治", idempotencyKey: $key) {
    workItem { id withdrawnOn } errors { field code } } }"""
WITHDRAW = """mutation($id: ID!) { withdrawWorkItem(id: $id, on: "2099-01-01") {
    errors { code } } }"""


async def test_a_replay_reads_the_object_as_it_is_now(world: World, gql: GraphQLClient) -> None:
    first = (await gql(ADMIT, {"key": "k-5"}, auth=admin()))["data"]["admitWorkItem"]
    assert first["workItem"]["withdrawnOn"] is None
    await gql(WITHDRAW, {"id": first["workItem"]["id"]}, auth=admin())
    again = (await gql(ADMIT, {"key": "k-5"}, auth=admin()))["data"]["admitWorkItem"]
    # Not a copy of the first answer: the item as a read finds it, withdrawn since.
    assert again == {
        "workItem": {"id": first["workItem"]["id"], "withdrawnOn": "2099-01-01"},
        "errors": [],
    }


async def test_a_replay_of_an_object_since_replaced_is_not_found(
    world: World, gql: GraphQLClient
) -> None:
    build = await SCENARIOS["recordAssessmentInput"](world)
    run = Run(build, gql)
    first = await run(build.good, "k-6")
    assert errors_of(first) == []
    corrected = await run(build.good, None)  # recorded again: replaces the first input
    assert made_id(corrected) != made_id(first)
    again = await run(build.good, "k-6")
    assert again == {"input": None, "errors": [{"field": "idempotencyKey", "code": "NOT_FOUND"}]}
    assert await run.rows() == 1
    assert await run.outcomes() == ["OK", "OK", "NOT_FOUND"]


async def test_a_replay_applies_the_callers_scope_now(world: World, gql: GraphQLClient) -> None:
    build = await SCENARIOS["requestWorkItemAssignment"](world)
    run = Run(build, gql)

    def street_admin(street: int) -> str:
        scope = Scope(ScopeKind.STREET, world.town.streets[street].id)
        return token("dongguan", Role.STREET_ADMIN, scope, subject="street-admin-1")

    first = await run(build.good, "k-7", auth=street_admin(0))
    assert errors_of(first) == []
    assert await run(build.good, "k-7", auth=street_admin(0)) == first
    # The same person, now admin of the other street: the request is not theirs to see.
    moved = await run(build.good, "k-7", auth=street_admin(1))
    assert moved == {"request": None, "errors": [{"field": "idempotencyKey", "code": "NOT_FOUND"}]}
    assert await run.rows() == 1
    assert await run.outcomes() == ["OK", "REPLAYED", "NOT_FOUND"]


# --- the guard: no create-like mutation without a key -------------------------------------------

CREATE_VERBS = (
    "file", "create", "open", "cast", "record", "admit", "appoint", "schedule", "propose",
    "request", "add", "appeal",
)  # fmt: skip
# Mutations named like a create that make nothing new, and why they need no key.
NOT_CREATES = {
    # Saves minutes and decisions on the meeting scheduleCouncilMeeting made; a repeat is
    # refused MEETING_ALREADY_HELD, so it cannot write twice.
    "recordCouncilMeeting",
}


def every_plugin_schema() -> GraphQLSchema:
    """The schema with every installed plugin's contribution: all mutations there are."""
    everyone = CityPlugins(slug="", enabled=frozenset(plugins.installed()))
    parts = [c for _, c in plugins.schema_contributions(everyone)]
    mutations = MUTATION_PARTS + tuple(c.mutation for c in parts if c.mutation)
    types = tuple(t for c in parts for t in c.types)
    return _build(QUERY_PARTS, mutations, types)._schema


def mutations() -> dict[str, set[str]]:
    """Every mutation, core and plugins', with its argument names."""
    found: dict[str, set[str]] = {}
    for schema in (core_schema()._schema, every_plugin_schema()):
        assert schema.mutation_type is not None
        for name, field in schema.mutation_type.fields.items():
            found[name] = set(field.args)
    return found


def test_every_create_mutation_takes_an_idempotency_key() -> None:
    found = mutations()
    # The plugins' mutations are there, so the guard sees them too.
    assert {"appealDeduction", "addToBlacklist", "donghongTakeOver"} <= set(found)
    create_like = {n for n in found if n.startswith(CREATE_VERBS)}
    missing = sorted(n for n in create_like - NOT_CREATES if "idempotencyKey" not in found[n])
    assert missing == [], f"create mutations without idempotencyKey: {missing}"
    assert NOT_CREATES <= set(found), "NOT_CREATES names a mutation that no longer exists"
    assert not any("idempotencyKey" in found[n] for n in NOT_CREATES)


def test_every_mutation_with_a_key_is_exercised_here() -> None:
    keyed = {n for n, args in mutations().items() if "idempotencyKey" in args}
    assert keyed == set(SCENARIOS)


def test_the_key_is_described_alike_everywhere() -> None:
    schema = every_plugin_schema()
    assert schema.mutation_type is not None
    for name, field in schema.mutation_type.fields.items():
        arg = field.args.get("idempotencyKey")
        if arg is not None:
            assert str(arg.type) == "String", name
            assert arg.description.startswith("Send the same key again to retry safely: "), name
            assert arg.description.endswith(" once."), name


def test_amounts_and_areas_fingerprint_by_their_text() -> None:
    from core.security.idempotency import fingerprint

    same = fingerprint("recordUnit", {"input": {"area": Decimal("88.50")}})
    assert same == fingerprint("recordUnit", {"input": {"area": Decimal("88.50")}})
    assert same != fingerprint("recordUnit", {"input": {"area": Decimal("88.51")}})
