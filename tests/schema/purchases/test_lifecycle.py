"""A service purchase through its whole life, through the API, with Dongguan's rules: proposed,
approved, contracted, its service reported by the provider's staff, evaluated on the city's
criteria, closed; every step audited. Then each step refused out of its order, by a stale
version, by the wrong role, from another city, with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from core.infra.enums import OrganisationKind, ProcurementMethod, PurchaseStatus, Role
from core.infra.tenancy import in_city
from core.models import (
    AuditEntry,
    Organisation,
    ServiceDelivery,
    ServicePurchaseRecord,
)
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town
from tests.purchase_steps import PURCHASE

TODAY = dt.date.today()
START, END = TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=200)
ADMIN = token("dongguan", Role.CITY_ADMIN, subject="office-1")
PROPOSE = f"""mutation($input: ProposeServicePurchaseInput!) {{
    proposeServicePurchase(input: $input) {{ purchase {{ {PURCHASE} }}
    errors {{ field code }} }} }}"""


def move(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{ {name}(input: $input) {{
        purchase {{ {PURCHASE} decisionNote }} errors {{ field code message }} }} }}"""


APPROVE = move("approveServicePurchase", "ApproveServicePurchaseInput")
REJECT = move("rejectServicePurchase", "RejectServicePurchaseInput")
CONTRACT = move("contractServicePurchase", "ContractServicePurchaseInput")
EVALUATE = move("evaluateServicePurchase", "EvaluateServicePurchaseInput")
CLOSE = move("closeServicePurchase", "CloseServicePurchaseInput")
CANCEL = move("cancelServicePurchase", "CancelServicePurchaseInput")
DELIVER = """mutation($input: RecordServiceDeliveryInput!, $key: String) {
    recordServiceDelivery(input: $input, idempotencyKey: $key) {
    delivery { id deliveredOn activity beneficiaries hours } errors { field code message } } }"""
READ = """query($id: ID!) { node(id: $id) { ... on ServicePurchase {
    status statusLabel version contractAmount contractStart paidAmount decisionNote
    evaluationScore evaluationPassed evaluationMarks { criterion points }
    evaluationCriteria { key label maxPoints }
    provider { __typename name }
    deliveries(first: 10) { totalCount nodes { activity beneficiaries hours } } } } }"""
MARKS = [
    {"criterion": "OUTCOMES", "points": 35},
    {"criterion": "SATISFACTION", "points": 26},
    {"criterion": "MANAGEMENT", "points": 15},
    {"criterion": "FINANCE", "points": 8},
]


def staff_of(organisation_id: int) -> str:
    scope = Scope(ScopeKind.ORGANISATION, organisation_id)
    return token("dongguan", Role.SOCIAL_ORG_STAFF, scope, subject="provider-staff")


async def provider_in(town: Town, name: str = "莞城心理服务中心") -> Organisation:
    with in_city("dongguan"):
        return await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION,
            name=name,
            community=town.communities[0],
            founded_on=dt.date(2018, 5, 1),
        )


def proposal(provider: str, town: Town) -> dict[str, Any]:
    return {
        "input": {
            "title": "独居长者精神慰藉",
            "category": "EMOTIONAL_COMFORT",
            "providerId": provider,
            "amount": "60000",
            "periodStart": START.isoformat(),
            "periodEnd": END.isoformat(),
            "procurementMethod": "INQUIRY",
            "communityId": to_global_id("Community", town.communities[0].id),
        }
    }


async def send(gql: GraphQLClient, doc: str, data: dict[str, Any], auth: str = ADMIN) -> Any:
    body = await gql(doc, {"input": data}, auth=auth)
    return next(iter(body["data"].values()))


async def operations() -> list[tuple[str, str]]:
    with in_city("dongguan"):
        rows = AuditEntry.filter(operation__contains="Service").order_by("id")
        return [(r["operation"], r["outcome"]) for r in await rows.values("operation", "outcome")]


async def test_a_purchase_lives_its_whole_life_through_the_api(
    empty_db: str, gql: GraphQLClient
) -> None:
    town = await build_town("dongguan", compounds=1, cases_each=0)
    provider = await provider_in(town)
    provider_id = to_global_id("Organisation", provider.id)
    proposed = await send(gql, PROPOSE, proposal(provider_id, town)["input"])
    assert proposed["errors"] == []
    purchase = proposed["purchase"]
    assert (purchase["status"], purchase["version"]) == ("PROPOSED", 1)

    approved = await send(
        gql, APPROVE, {"purchaseId": purchase["id"], "version": 1, "note": "同意"}
    )
    assert approved["errors"] == [] and approved["purchase"]["status"] == "APPROVED"
    contracted = await send(
        gql,
        CONTRACT,
        {
            "purchaseId": purchase["id"],
            "version": 2,
            "providerId": provider_id,
            "amount": "58000",
            "periodStart": START.isoformat(),
            "periodEnd": END.isoformat(),
        },
    )
    assert contracted["errors"] == []
    assert contracted["purchase"]["status"] == "CONTRACTED"
    assert contracted["purchase"]["contractAmount"] == "58000.00"

    # The provider's own staff report the service given; the office evaluates it.
    for days, activity, people in ((20, "上门探访", 12), (5, "节日慰问", 30)):
        report = {
            "purchaseId": purchase["id"],
            "deliveredOn": (TODAY - dt.timedelta(days=days)).isoformat(),
            "activity": activity,
            "beneficiaries": people,
            "hours": "6.5",
        }
        reported = (await gql(DELIVER, {"input": report}, auth=staff_of(provider.id)))["data"]
        assert reported["recordServiceDelivery"]["errors"] == []
    criteria = (await gql(READ, {"id": purchase["id"]}, auth=ADMIN))["data"]["node"]
    assert [(c["key"], c["maxPoints"]) for c in criteria["evaluationCriteria"]] == [
        ("OUTCOMES", 40),
        ("SATISFACTION", 30),
        ("MANAGEMENT", 20),
        ("FINANCE", 10),
    ]
    assert criteria["evaluationCriteria"][1]["label"] == "服务对象满意度"
    evaluated = await send(
        gql, EVALUATE, {"purchaseId": purchase["id"], "version": 3, "marks": MARKS, "note": "良好"}
    )
    assert evaluated["errors"] == []
    assert (
        evaluated["purchase"]["evaluationScore"],
        evaluated["purchase"]["evaluationPassed"],
    ) == (
        84,
        True,
    )
    closed = await send(
        gql, CLOSE, {"purchaseId": purchase["id"], "version": 4, "paidAmount": "58000"}
    )
    assert closed["errors"] == []

    node = (await gql(READ, {"id": purchase["id"]}, auth=ADMIN, lang="en"))["data"]["node"]
    assert node["status"] == "CLOSED" and node["statusLabel"] == "closed"
    assert node["paidAmount"] == "58000.00" and node["version"] == 5
    assert node["provider"] == {"__typename": "Organisation", "name": "莞城心理服务中心"}
    assert node["evaluationMarks"] == [
        {"criterion": m["criterion"], "points": m["points"]} for m in MARKS
    ]
    assert node["deliveries"]["totalCount"] == 2
    assert [d["activity"] for d in node["deliveries"]["nodes"]] == ["节日慰问", "上门探访"]
    # Every step is audited, with its outcome.
    assert await operations() == [
        ("proposeServicePurchase", "OK"),
        ("approveServicePurchase", "OK"),
        ("contractServicePurchase", "OK"),
        ("recordServiceDelivery", "OK"),
        ("recordServiceDelivery", "OK"),
        ("evaluateServicePurchase", "OK"),
        ("closeServicePurchase", "OK"),
    ]


# --- every move from every status it may not leave ---------------------------------------------

S = PurchaseStatus
MOVES: dict[str, tuple[str, tuple[PurchaseStatus, ...]]] = {
    # move: (document, the statuses it may be done from)
    "approve": (APPROVE, (S.PROPOSED,)),
    "reject": (REJECT, (S.PROPOSED,)),
    "contract": (CONTRACT, (S.APPROVED,)),
    "evaluate": (EVALUATE, (S.CONTRACTED,)),
    "close": (CLOSE, (S.EVALUATED,)),
    "cancel": (CANCEL, (S.PROPOSED, S.APPROVED, S.CONTRACTED)),
    "deliver": (DELIVER, (S.CONTRACTED,)),
}
ILLEGAL = [
    (name, status)
    for name, (_, allowed) in MOVES.items()
    for status in PurchaseStatus
    if status not in allowed
]


async def purchase_in(
    status: PurchaseStatus, provider: Organisation, town: Town
) -> ServicePurchaseRecord:
    """A purchase straight in `status`, with what that status has on record."""
    contracted = status in (S.CONTRACTED, S.EVALUATED, S.CLOSED)
    with in_city("dongguan"):
        return await ServicePurchaseRecord.create(
            title="长者助餐",
            category="ELDERLY_CARE",
            provider=provider,
            community=town.communities[0],
            amount=Decimal(50_000),
            period_start=START,
            period_end=END,
            procurement_method=ProcurementMethod.INQUIRY,
            status=status,
            version=3,
            contract_amount=Decimal(50_000) if contracted else None,
            contract_start=START if contracted else None,
            contract_end=END if contracted else None,
            paid_amount=Decimal(50_000) if status is S.CLOSED else None,
        )


def input_for(name: str, purchase_id: str, provider_id: str) -> dict[str, Any]:
    """A valid input for the move, so that only the status can refuse it."""
    base = {"purchaseId": purchase_id, "version": 3}
    return {
        "approve": base,
        "reject": {**base, "reason": "预算不足"},
        "contract": {**base, "providerId": provider_id, "amount": "50000",
                     "periodStart": START.isoformat(), "periodEnd": END.isoformat()},
        "evaluate": {**base, "marks": MARKS},
        "close": {**base, "paidAmount": "0"},
        "cancel": {**base, "reason": "服务需求变化"},
        "deliver": {"purchaseId": purchase_id, "deliveredOn": TODAY.isoformat(),
                    "activity": "探访", "beneficiaries": 3, "hours": "2"},
    }[name]  # fmt: skip


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=1, cases_each=0)


@pytest.mark.parametrize(("name", "status"), ILLEGAL, ids=[f"{n}-{s.value}" for n, s in ILLEGAL])
async def test_a_move_from_a_status_it_may_not_leave_is_refused_and_writes_nothing(
    town: Town, gql: GraphQLClient, name: str, status: PurchaseStatus
) -> None:
    provider = await provider_in(town)
    row = await purchase_in(status, provider, town)
    with in_city("dongguan"):
        await ServiceDelivery.create(
            purchase=row, delivered_on=START, activity="探访", beneficiaries=1, hours=1
        )
        before = await ServicePurchaseRecord.filter(id=row.id).values()
    doc, allowed = MOVES[name]
    gid = to_global_id("ServicePurchase", row.id)
    data = input_for(name, gid, to_global_id("Organisation", provider.id))
    payload = await send(gql, doc, data)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("purchaseId", "WRONG_STATUS")]
    expected = "、".join(s.label() for s in allowed)
    assert expected in payload["errors"][0]["message"]
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.filter(id=row.id).values() == before
        assert await ServiceDelivery.filter(purchase_id=row.id).count() == 1
    refused = await operations()
    assert refused[-1][1] == "WRONG_STATUS"


async def test_a_stale_version_or_a_repeated_move_conflicts(town: Town, gql: GraphQLClient) -> None:
    row = await purchase_in(S.PROPOSED, await provider_in(town), town)
    gid = to_global_id("ServicePurchase", row.id)
    stale = await send(gql, APPROVE, {"purchaseId": gid, "version": 2})
    assert [(e["field"], e["code"]) for e in stale["errors"]] == [("version", "VERSION_CONFLICT")]
    first = await send(gql, APPROVE, {"purchaseId": gid, "version": 3})
    assert first["errors"] == [] and first["purchase"]["version"] == 4
    # A retry of the same request (the answer was lost) writes nothing: the move was done.
    again = await send(gql, APPROVE, {"purchaseId": gid, "version": 3})
    assert [e["code"] for e in again["errors"]] == ["WRONG_STATUS"]
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.filter(id=row.id).values_list("version", flat=True) == [
            4
        ]


async def test_evaluation_and_closing_errors_come_back_together(
    town: Town, gql: GraphQLClient
) -> None:
    provider = await provider_in(town)
    row = await purchase_in(S.CONTRACTED, provider, town)
    gid = to_global_id("ServicePurchase", row.id)
    marks = [
        {"criterion": "OUTCOMES", "points": 41},
        {"criterion": "SPEED", "points": 5},
        {"criterion": "FINANCE", "points": 10},
        {"criterion": "FINANCE", "points": 9},
    ]
    duplicate = await send(gql, EVALUATE, {"purchaseId": gid, "version": 3, "marks": marks})
    assert [(e["field"], e["code"]) for e in duplicate["errors"]] == [("marks", "DUPLICATE")]
    payload = await send(gql, EVALUATE, {"purchaseId": gid, "version": 3, "marks": marks[:3]})
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("marks", "CRITERION_MISSING"),
        ("marks", "CRITERION_MISSING"),
        ("marks", "MARK_OUT_OF_RANGE"),
        ("marks", "UNKNOWN_CRITERION"),
        ("purchaseId", "DELIVERIES_MISSING"),
    ]
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.filter(id=row.id).values_list("status", flat=True) == [
            S.CONTRACTED
        ]
    over = await send(
        gql, CANCEL, {"purchaseId": gid, "version": 3, "reason": " ", "paidAmount": "50000.01"}
    )
    assert sorted((e["field"], e["code"]) for e in over["errors"]) == [
        ("paidAmount", "PAID_OVER_CONTRACT"),
        ("reason", "REQUIRED"),
    ]


async def test_deliveries_fall_inside_the_contract_and_are_counts(
    town: Town, gql: GraphQLClient
) -> None:
    provider = await provider_in(town)
    row = await purchase_in(S.CONTRACTED, provider, town)
    gid = to_global_id("ServicePurchase", row.id)
    bad = {"purchaseId": gid, "deliveredOn": (START - dt.timedelta(days=1)).isoformat(),
           "activity": " ", "beneficiaries": -1, "hours": "0"}  # fmt: skip
    payload = (await gql(DELIVER, {"input": bad}, auth=ADMIN))["data"]["recordServiceDelivery"]
    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("activity", "REQUIRED"),
        ("beneficiaries", "NEGATIVE"),
        ("deliveredOn", "OUTSIDE_CONTRACT"),
        ("hours", "NOT_POSITIVE"),
    ]
    future = {**bad, "deliveredOn": (TODAY + dt.timedelta(days=3)).isoformat(), "activity": "x",
              "beneficiaries": 1, "hours": "1"}  # fmt: skip
    payload = (await gql(DELIVER, {"input": future}, auth=ADMIN))["data"]["recordServiceDelivery"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("deliveredOn", "DATE_IN_FUTURE")
    ]
    with in_city("dongguan"):
        assert await ServiceDelivery.all().count() == 0


async def test_who_may_move_a_purchase(town: Town, gql: GraphQLClient) -> None:
    provider = await provider_in(town)
    other = await provider_in(town, "另一家社工机构")
    proposed = await purchase_in(S.PROPOSED, provider, town)
    contracted = await purchase_in(S.CONTRACTED, provider, town)
    gid = to_global_id("ServicePurchase", proposed.id)
    street = token(
        "dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, town.streets[0].id), subject="s"
    )
    away = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, 999_999), subject="a")
    # The office approves; a street admin proposes but does not approve.
    refused = await gql(APPROVE, {"input": {"purchaseId": gid, "version": 3}}, auth=street,
                        expect_errors=True)  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff = await gql(APPROVE, {"input": {"purchaseId": gid, "version": 3}},
                      auth=staff_of(provider.id), expect_errors=True)  # fmt: skip
    assert staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Deliveries: the street of the community, the provider's staff; others read it as absent.
    report = input_for("deliver", to_global_id("ServicePurchase", contracted.id), "")
    for auth, code in ((street, None), (staff_of(provider.id), None), (away, "NOT_FOUND"),
                       (staff_of(other.id), "NOT_FOUND")):  # fmt: skip
        payload = (await gql(DELIVER, {"input": report}, auth=auth))["data"]
        codes = [e["code"] for e in payload["recordServiceDelivery"]["errors"]]
        assert codes == ([code] if code else []), auth
    with in_city("dongguan"):
        assert await ServiceDelivery.filter(purchase_id=contracted.id).count() == 2


async def test_a_purchase_of_another_city_reads_as_absent(town: Town, gql: GraphQLClient) -> None:
    row = await purchase_in(S.PROPOSED, await provider_in(town), town)
    gid = to_global_id("ServicePurchase", row.id)
    zhuhai = token("zhuhai", Role.CITY_ADMIN, subject="zh-office")
    body = await gql(
        APPROVE, {"input": {"purchaseId": gid, "version": 3}}, city="zhuhai", auth=zhuhai
    )
    payload = body["data"]["approveServicePurchase"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("purchaseId", "NOT_FOUND")]
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.filter(id=row.id).values_list("status", flat=True) == [
            S.PROPOSED
        ]
