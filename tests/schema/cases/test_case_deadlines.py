"""Working-day deadlines: one-window service across National Day, escalation, overdue
councils, time in stage, and mediation."""

from __future__ import annotations

import datetime as dt

import pytest

from core.infra.calendar import (
    add_working_days,
    is_provisional,
    published_years,
    working_days_between,
)
from core.infra.clock import frozen_at
from core.infra.enums import OrganisationKind, Role
from core.infra.errors import DomainError
from core.infra.tenancy import in_city
from core.models import AuditEntry, CouncilMeeting, Mediator, Organisation, Person
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id stage version stageDueOn onBehalfOf timeline { kind note } }
    errors { field code } } }"""
ADVANCE = """mutation($input: AdvanceCaseInput!) { advanceCase(input: $input) {
    case { id stage version reply mediationOutcome } errors { field code } } }"""
OVERDUE_SERVICE = """query($d: Date!) { overdueServiceRequests(asOf: $d) {
    nodes { title stage stageDueOn } } }"""


def at(day: str, hour_utc: int = 2) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour_utc, tzinfo=dt.UTC)


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=4, cases_each=0)


def worker(town: Town, i: int = 0) -> str:
    community = town.compounds[i].community_id
    return token(
        "dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, community), subject="window-1"
    )


def resident(town: Town) -> str:
    return token(
        "dongguan",
        Role.RESIDENT,
        Scope(ScopeKind.COMPOUND, town.compounds[0].id),
        subject="owner-1",
    )


def compound_id(town: Town, i: int = 0) -> str:
    return to_global_id("Compound", town.compounds[i].id)


def test_working_days_follow_the_statutory_calendar():
    # National Day 2026: 1-7 October off, Saturday 10 October worked.
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12)) == 4
    with pytest.raises(DomainError) as refused:
        add_working_days(dt.date(2028, 12, 20), 30)
    assert refused.value.code == "CALENDAR_OUT_OF_RANGE"


def test_the_year_after_the_published_calendar_is_provisional():
    # chinese-calendar 1.11.0 publishes up to 2026; 2027 comes from the lunar rules of the
    # `holidays` library: Spring Festival 2027 closes 5-10 February.
    assert published_years()[1] == 2026
    assert is_provisional(dt.date(2027, 2, 4))
    assert add_working_days(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 11)
    assert add_working_days(dt.date(2026, 12, 30), 2) == dt.date(2027, 1, 4)


async def test_service_requests_across_national_day(town, gql: GraphQLClient):
    with frozen_at(at("2026-09-30")):
        own = await gql(
            FILE,
            {
                "input": {
                    "kind": "SERVICE_REQUEST",
                    "title": "路灯不亮",
                    "compoundId": compound_id(town),
                }
            },
            auth=resident(town),
        )
        proxy = await gql(
            FILE,
            {
                "input": {
                    "kind": "SERVICE_REQUEST",
                    "title": "代办：老人补贴",
                    "compoundId": compound_id(town),
                    "onBehalfOf": "王阿姨",
                }
            },
            auth=worker(town),
        )
        refused = await gql(
            FILE,
            {
                "input": {
                    "kind": "SERVICE_REQUEST",
                    "title": "x",
                    "compoundId": compound_id(town),
                    "onBehalfOf": "邻居",
                }
            },
            auth=resident(town),
        )
    submitted = own["data"]["fileCase"]["case"]
    # A resident's own request waits for the window: accept within 1 working day.
    assert (submitted["stage"], submitted["stageDueOn"]) == ("SUBMITTED", "2026-10-08")
    accepted = proxy["data"]["fileCase"]["case"]
    # Filed at the window for a resident: accepted at once, complete within 5 working days.
    assert (accepted["stage"], accepted["stageDueOn"]) == ("ACCEPTED", "2026-10-13")
    assert accepted["onBehalfOf"] == "王阿姨"
    assert accepted["timeline"] == [{"kind": "FILED", "note": "proxy filing for 王阿姨"}]
    assert refused["data"]["fileCase"]["errors"] == [
        {"field": "onBehalfOf", "code": "PROXY_FORBIDDEN"}
    ]

    async def overdue(day: str) -> list[str]:
        body = await gql(OVERDUE_SERVICE, {"d": day}, auth=worker(town))
        return [n["title"] for n in body["data"]["overdueServiceRequests"]["nodes"]]

    assert await overdue("2026-10-08") == []
    assert await overdue("2026-10-09") == ["路灯不亮"]
    assert await overdue("2026-10-14") == ["路灯不亮", "代办：老人补贴"]
    narrowed = await gql(
        """query($d: Date!, $f: CaseFilter) { overdueServiceRequests(asOf: $d, filter: $f) {
            nodes { title } } }""",
        {"d": "2026-10-14", "f": {"stage": ["ACCEPTED"], "compoundId": compound_id(town)}},
        auth=worker(town),
    )
    assert narrowed["data"]["overdueServiceRequests"]["nodes"] == [{"title": "代办：老人补贴"}]
    elsewhere = await gql(
        """query($d: Date!, $f: CaseFilter) { overdueCases(asOf: $d, filter: $f) {
            totalCount } }""",
        {"d": "2026-10-14", "f": {"compoundId": compound_id(town, 1)}},
        auth=token("dongguan", Role.CITY_ADMIN),
    )
    assert elsewhere["data"]["overdueCases"]["totalCount"] == 0

    # Complete and reply; the reply is required to leave COMPLETED.
    with frozen_at(at("2026-10-09")):
        case = await gql(
            ADVANCE,
            {"input": {"caseId": accepted["id"], "version": 1, "toStage": "COMPLETED"}},
            auth=worker(town),
        )
        case = case["data"]["advanceCase"]["case"]
        missing = await gql(
            ADVANCE,
            {"input": {"caseId": case["id"], "version": case["version"], "toStage": "REPLIED"}},
            auth=worker(town),
        )
        assert missing["data"]["advanceCase"]["errors"] == [{"field": "reply", "code": "REQUIRED"}]
        replied = await gql(
            ADVANCE,
            {
                "input": {
                    "caseId": case["id"],
                    "version": case["version"],
                    "toStage": "REPLIED",
                    "reply": "补贴已发放",
                }
            },
            auth=worker(town),
        )
    assert replied["data"]["advanceCase"]["case"]["reply"] == "补贴已发放"
    assert await overdue("2026-10-14") == ["路灯不亮"]


ESCALATE = """mutation($d: Date!) { escalateOverdueCases(asOf: $d) { title escalationLevel
    stageDueOn timeline { kind escalationLevel note } } }"""


async def test_an_overdue_case_escalates_community_street_city(town, gql: GraphQLClient):
    with frozen_at(at("2026-06-01")):
        await gql(
            FILE,
            {
                "input": {
                    "kind": "PROPERTY_DISPUTE",
                    "title": "噪音",
                    "compoundId": compound_id(town),
                }
            },
            auth=resident(town),
        )
    street = token(
        "dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, town.communities[0].street_id)
    )
    forbidden = await gql(ESCALATE, {"d": "2026-06-09"}, auth=worker(town), expect_errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql(ESCALATE, {"d": "2026-06-08"}, auth=street))["data"] == {
        "escalateOverdueCases": []
    }  # due on the 8th: not yet overdue
    first = (await gql(ESCALATE, {"d": "2026-06-09"}, auth=street))["data"]["escalateOverdueCases"]
    assert [(c["escalationLevel"], c["stageDueOn"]) for c in first] == [("STREET", "2026-06-16")]
    assert first[0]["timeline"][-1] == {
        "kind": "ESCALATED",
        "escalationLevel": "STREET",
        "note": "在“议题收集”阶段自 2026-06-08 起超期",
    }
    assert (await gql(ESCALATE, {"d": "2026-06-09"}, auth=street))["data"][
        "escalateOverdueCases"
    ] == []
    city = token("dongguan", Role.CITY_ADMIN)
    second = (await gql(ESCALATE, {"d": "2026-06-17"}, auth=city))["data"]["escalateOverdueCases"]
    # Dragon Boat Festival (19 June) does not count.
    assert [(c["escalationLevel"], c["stageDueOn"]) for c in second] == [("CITY", "2026-06-25")]
    assert (await gql(ESCALATE, {"d": "2026-07-30"}, auth=city))["data"][
        "escalateOverdueCases"
    ] == []  # the city is the top


async def test_an_escalation_is_one_audit_entry_naming_every_escalated_case(town, gql):
    # Two overdue cases in the admin's street, one not yet overdue, one of another street.
    filed = []
    for i, title in ((0, "噪音"), (0, "漏水"), (2, "停车")):
        with frozen_at(at("2026-06-01")):
            body = await gql(
                FILE,
                {
                    "input": {
                        "kind": "PROPERTY_DISPUTE",
                        "title": title,
                        "compoundId": compound_id(town, i),
                    }
                },
                auth=token("dongguan", Role.CITY_ADMIN),
            )
        filed.append(body["data"]["fileCase"]["case"]["id"])
    with frozen_at(at("2026-06-05")):
        late = await gql(
            FILE,
            {
                "input": {
                    "kind": "PROPERTY_DISPUTE",
                    "title": "晚到",
                    "compoundId": compound_id(town),
                }
            },
            auth=token("dongguan", Role.CITY_ADMIN),
        )
    street = token(
        "dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, town.communities[0].street_id),
        subject="street-1",
    )  # fmt: skip
    escalated = await gql(
        """mutation($d: Date!) { escalateOverdueCases(asOf: $d) { id } }""",
        {"d": "2026-06-09"},
        auth=street,
    )
    ids = [c["id"] for c in escalated["data"]["escalateOverdueCases"]]
    assert sorted(ids) == sorted(filed[:2])  # compound 2 lies in the other street
    assert late["data"]["fileCase"]["case"]["id"] not in ids
    # A refusal is on the log too.
    await gql(ESCALATE, {"d": "2026-06-09"}, auth=worker(town), expect_errors=True)
    with in_city("dongguan"):
        entries = await AuditEntry.filter(operation="escalateOverdueCases").order_by("id").values()
    assert [(e["subject"], e["outcome"]) for e in entries] == [
        ("street-1", "OK"),
        ("window-1", "FORBIDDEN"),
    ]
    assert sorted(entries[0]["target_ids"]) == sorted(ids)
    assert entries[0]["summary"] == {"asOf": "<10 chars>"}
    assert entries[1]["target_ids"] == []


OVERDUE_COUNCILS = """query($d: Date!) { overdueCouncils(asOf: $d, first: 50) {
    totalCount nodes { name } } }"""


async def test_overdue_councils_as_of_a_date(town, gql: GraphQLClient):
    c = town.compounds
    with in_city("dongguan"):
        await CouncilMeeting.create(compound=c[0], held_on=dt.date(2026, 3, 1), held=True)
        await CouncilMeeting.create(compound=c[1], held_on=dt.date(2025, 11, 30), held=True)
        await CouncilMeeting.create(compound=c[2], held_on=dt.date(2026, 5, 1), held=False)
    admin = token("dongguan", Role.CITY_ADMIN)

    async def overdue(day: str, auth: str = admin) -> list[str]:
        body = await gql(OVERDUE_COUNCILS, {"d": day}, auth=auth)
        return [n["name"] for n in body["data"]["overdueCouncils"]["nodes"]]

    names = [x.name for x in c]
    # Six months before 31 May is 30 November, which is outside the window (exclusive).
    assert await overdue("2026-05-31") == [names[1], names[2], names[3]]
    assert await overdue("2026-05-29") == [names[2], names[3]]
    # A meeting after the as-of day does not count yet.
    assert await overdue("2026-02-28") == [names[0], names[2], names[3]]
    # A community worker sees her own community's compounds only (compound 0 of 4).
    assert await overdue("2026-02-28", worker(town)) == [names[0]]
    anonymous = await gql(OVERDUE_COUNCILS, {"d": "2026-05-31"}, expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"


FIGURES = """query($d: Date!, $l: PlaceLevel!) { caseStageFigures(asOf: $d, level: $l) {
    placeName openCases overdueCases meanWorkingDaysInStage maxWorkingDaysInStage } }"""


async def test_time_in_stage_and_overdue_per_place(town, gql: GraphQLClient):
    for day, i in (("2026-06-01", 0), ("2026-06-10", 0), ("2026-06-10", 1)):
        with frozen_at(at(day)):
            await gql(
                FILE,
                {
                    "input": {
                        "kind": "PROPERTY_DISPUTE",
                        "title": f"{day}-{i}",
                        "compoundId": compound_id(town, i),
                    }
                },
                auth=token("dongguan", Role.CITY_ADMIN),
            )
    admin = token("dongguan", Role.CITY_ADMIN)
    body = await gql(FIGURES, {"d": "2026-06-12", "l": "COMPOUND"}, auth=admin)
    assert body["data"]["caseStageFigures"] == [
        # 1 June -> 12 June: 9 working days; 10 -> 12 June: 2.
        {
            "placeName": town.compounds[0].name,
            "openCases": 2,
            "overdueCases": 1,
            "meanWorkingDaysInStage": 5.5,
            "maxWorkingDaysInStage": 9,
        },
        {
            "placeName": town.compounds[1].name,
            "openCases": 1,
            "overdueCases": 0,
            "meanWorkingDaysInStage": 2.0,
            "maxWorkingDaysInStage": 2,
        },
    ]
    streets = await gql(FIGURES, {"d": "2026-06-12", "l": "STREET"}, auth=admin)
    assert [(f["openCases"], f["overdueCases"]) for f in streets["data"]["caseStageFigures"]] == [
        (3, 1)
    ]


MEDIATOR = """mutation($input: AssignMediatorInput!) { assignMediator(input: $input) {
    case { id version } errors { field code } } }"""
SESSION = """mutation($input: RecordMediationSessionInput!) {
    recordMediationSession(input: $input) {
    case { id version mediationSessions { heldOn note } } errors { field code } } }"""


async def test_mediation_from_filing_to_outcome(town, gql: GraphQLClient):
    with in_city("dongguan"):
        committee = await Organisation.create(
            kind=OrganisationKind.MEDIATION_COMMITTEE,
            name="宏图社区人民调解委员会",
            community=town.communities[0],
        )
        mediator = await Person.create(name="李调解", organisation=committee)
        await Mediator.create(
            person=mediator, committee=committee, appointed_on=dt.date(2025, 1, 1)
        )
        bystander = await Person.create(name="张三")
    mediator_token = token(
        "dongguan", Role.MEDIATOR, Scope(ScopeKind.COMMUNITY, town.communities[0].id)
    )
    with frozen_at(at("2026-06-01")):
        filed = await gql(
            FILE,
            {"input": {"kind": "MEDIATION", "title": "楼上漏水", "compoundId": compound_id(town)}},
            auth=resident(town),
        )
        case = filed["data"]["fileCase"]["case"]
        assert (case["stage"], case["stageDueOn"]) == ("MEDIATING", "2026-06-15")
        wrong = await gql(
            MEDIATOR,
            {
                "input": {
                    "caseId": case["id"],
                    "version": 1,
                    "mediatorId": to_global_id("Person", bystander.id),
                }
            },
            auth=mediator_token,
        )
        assert wrong["data"]["assignMediator"]["errors"] == [
            {"field": "mediatorId", "code": "NOT_A_MEDIATOR"}
        ]
        no_session = await gql(
            ADVANCE,
            {"input": {"caseId": case["id"], "version": 1, "toStage": "CLOSED"}},
            auth=mediator_token,
        )
        assert no_session["data"]["advanceCase"]["errors"] == [
            {"field": "mediator", "code": "MEDIATOR_MISSING"},
            {"field": "sessions", "code": "SESSION_MISSING"},
            {"field": "mediationOutcome", "code": "REQUIRED"},
        ]
        assigned = await gql(
            MEDIATOR,
            {
                "input": {
                    "caseId": case["id"],
                    "version": 1,
                    "mediatorId": to_global_id("Person", mediator.id),
                }
            },
            auth=mediator_token,
        )
        case = assigned["data"]["assignMediator"]["case"]
        session = await gql(
            SESSION,
            {"input": {"caseId": case["id"], "heldOn": "2026-06-01", "note": "双方到场"}},
            auth=mediator_token,
        )
        case = session["data"]["recordMediationSession"]["case"]
        assert case["mediationSessions"] == [{"heldOn": "2026-06-01", "note": "双方到场"}]
        closed = await gql(
            ADVANCE,
            {
                "input": {
                    "caseId": case["id"],
                    "version": case["version"],
                    "toStage": "CLOSED",
                    "mediationOutcome": "SETTLED",
                }
            },
            auth=mediator_token,
        )
    assert closed["data"]["advanceCase"]["case"]["stage"] == "CLOSED"
    assert closed["data"]["advanceCase"]["case"]["mediationOutcome"] == "SETTLED"


async def test_the_escalate_command_runs_the_daily_escalation(town, database_url: str):
    import asyncio
    import os
    import sys
    from pathlib import Path

    from core.cases.filing import FileCaseInput, file_case
    from core.infra.enums import CaseKind, EscalationLevel
    from core.models import Case
    from core.security.auth import Principal

    admin = Principal("dongguan", Role.CITY_ADMIN, subject="admin")
    with in_city("dongguan"), frozen_at(at("2026-06-01")):
        case = await file_case(
            admin, FileCaseInput(CaseKind.PROPERTY_DISPUTE, "噪音", town.compounds[0].id)
        )
    cli = Path(sys.executable).parent / "civicgraph"
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        str(cli),
        "escalate",
        "--city",
        "dongguan",
        "--as-of",
        "2026-06-09",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "escalated 1 case(s) overdue on 2026-06-09"
    with in_city("dongguan"):
        row = await Case.get(id=case["id"])
        [entry] = await AuditEntry.filter(operation="escalateOverdueCases").values()
    assert row.escalation_level == EscalationLevel.STREET
    # Audited like the mutation, as the system's city admin.
    assert (entry["subject"], entry["role"], entry["outcome"]) == (
        "system:escalate",
        "CITY_ADMIN",
        "OK",
    )
    assert entry["target_ids"] == [to_global_id("Case", case["id"])]


async def test_overdue_cases_page_by_deadline(town, gql: GraphQLClient):
    for day in ("2026-06-01", "2026-06-02", "2026-06-03"):
        with frozen_at(at(day)):
            await gql(
                FILE,
                {
                    "input": {
                        "kind": "PROPERTY_DISPUTE",
                        "title": day,
                        "compoundId": compound_id(town),
                    }
                },
                auth=worker(town),
            )
    query = """query($after: String) { overdueCases(asOf: "2026-07-01", first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { title stageDueOn } } }"""
    first = (await gql(query, {}, auth=worker(town)))["data"]["overdueCases"]
    assert [n["title"] for n in first["nodes"]] == ["2026-06-01", "2026-06-02"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await gql(query, {"after": first["pageInfo"]["endCursor"]}, auth=worker(town))
    assert [n["title"] for n in rest["data"]["overdueCases"]["nodes"]] == ["2026-06-03"]
    early = await gql(
        FILE.replace("fileCase", "fileCase"),
        {"input": {"kind": "MEDIATION", "title": "x", "compoundId": compound_id(town)}},
        auth=resident(town),
    )
    assert early["data"]["fileCase"]["errors"] == []
    late = await gql(
        """mutation($m: ID!) { recordCouncilMeeting(input: {meetingId: $m,
        minutes: "m", attendance: 1}) { errors { field code } } }""",
        {"m": to_global_id("CouncilMeeting", 999)},
        auth=worker(town),
    )
    assert late["data"]["recordCouncilMeeting"]["errors"] == [
        {"field": "meetingId", "code": "NOT_FOUND"}
    ]
