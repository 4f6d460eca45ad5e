"""Spend counts what the city is bound to (core/purchases/spend.py): a proposal alone spends
nothing, a contract its amount, a contract that ended what was paid under it. The figures
(`purchaseSpend`, SQL) and the caps' sum (`spent`, Python) agree at every step, and the
street's figures count only its communities' purchases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.infra.tenancy import in_city
from core.models import ServiceDelivery
from core.purchases.spend import spent
from schema.api.ids import from_global_id, to_global_id
from tests.conftest import GraphQLClient
from tests.factories import Town, build_town
from tests.purchase_steps import APPROVE, api_contract
from tests.schema.purchases.test_lifecycle import (
    ADMIN,
    CANCEL,
    CLOSE,
    EVALUATE,
    MARKS,
    PROPOSE,
    provider_in,
    send,
)

TODAY = dt.date.today()
YEAR = (TODAY.replace(month=1, day=1), TODAY.replace(month=12, day=31))
FIGURES = """query($street: ID) { figures(streetId: $street) {
    purchaseSpend { category purchases amount paid } } }"""


async def figures(gql: GraphQLClient, street: str | None = None) -> list[dict[str, Any]]:
    body = await gql(FIGURES, {"street": street}, auth=ADMIN)
    return list(body["data"]["figures"]["purchaseSpend"])


async def both(gql: GraphQLClient) -> tuple[list[dict[str, Any]], Decimal]:
    with in_city("dongguan"):
        summed = await spent("ELDERLY_CARE", *YEAR)
    return await figures(gql), summed


def spend(purchases: int, amount: float, paid: float) -> list[dict[str, Any]]:
    return [{"category": "ELDERLY_CARE", "purchases": purchases, "amount": amount, "paid": paid}]


async def propose(gql: GraphQLClient, town: Town, provider: str, amount: str) -> dict[str, Any]:
    data = {
        "title": "长者助餐",
        "category": "ELDERLY_CARE",
        "providerId": provider,
        "amount": amount,
        "periodStart": YEAR[0].isoformat(),
        "periodEnd": YEAR[1].isoformat(),
        "procurementMethod": "INQUIRY",
        "communityId": to_global_id("Community", town.communities[0].id),
    }
    payload = await send(gql, PROPOSE, data)
    assert payload["errors"] == []
    return dict(payload["purchase"])


async def test_a_proposal_spends_nothing_and_a_contract_does(
    empty_db: str, gql: GraphQLClient
) -> None:
    town = await build_town("dongguan", compounds=1, cases_each=0)
    provider = to_global_id("Organisation", (await provider_in(town)).id)
    period = {"periodStart": YEAR[0].isoformat(), "periodEnd": YEAR[1].isoformat()}

    a = await propose(gql, town, provider, "80000")
    assert await both(gql) == ([], Decimal(0))

    signed = await api_contract(gql, ADMIN, a, provider, amount="70000", **period)
    assert signed["errors"] == []
    assert await both(gql) == (spend(1, 70000.0, 0.0), Decimal(70000))

    # Approved, never contracted, then cancelled: nothing.
    c = await propose(gql, town, provider, "20000")
    approved = await send(gql, APPROVE, {"purchaseId": c["id"], "version": 1})
    dropped = await send(gql, CANCEL, {"purchaseId": c["id"], "version": 2, "reason": "需求取消"})
    assert approved["errors"] == dropped["errors"] == []
    assert await both(gql) == (spend(1, 70000.0, 0.0), Decimal(70000))

    # Contracted, then cancelled part-way: what was paid.
    b = await propose(gql, town, provider, "30000")
    b_signed = await api_contract(gql, ADMIN, b, provider, amount="30000", **period)
    version = b_signed["purchase"]["version"]
    cancelled = await send(
        gql,
        CANCEL,
        {"purchaseId": b["id"], "version": version, "reason": "机构退出", "paidAmount": "10000"},
    )
    assert cancelled["errors"] == []
    assert await both(gql) == (spend(2, 80000.0, 10000.0), Decimal(80000))

    # Evaluated and closed: what was paid in the end, not the contract.
    _, pk = from_global_id(a["id"])
    with in_city("dongguan"):
        await ServiceDelivery.create(
            purchase_id=pk, delivered_on=YEAR[0], activity="助餐", beneficiaries=40, hours=8
        )
    evaluated = await send(gql, EVALUATE, {"purchaseId": a["id"], "version": 3, "marks": MARKS})
    closed = await send(gql, CLOSE, {"purchaseId": a["id"], "version": 4, "paidAmount": "65000"})
    assert evaluated["errors"] == closed["errors"] == []
    assert await both(gql) == (spend(2, 75000.0, 75000.0), Decimal(75000))

    # A street counts its own communities' purchases only.
    home = to_global_id("Street", town.streets[0].id)
    other = to_global_id("Street", town.streets[1].id)
    assert await figures(gql, home) == spend(2, 75000.0, 75000.0)
    assert await figures(gql, other) == []
