"""Moving service purchases along their life in tests: through the API (what the tests of the
lifecycle check) or through core (where a test is about a city's rules, not the moves)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.purchases import lifecycle
from core.purchases.providers import ProviderRef
from core.security.auth import Principal
from tests.conftest import GraphQLClient

PURCHASE = "id status version contractAmount paidAmount evaluationScore evaluationPassed"
APPROVE = f"""mutation($input: ApproveServicePurchaseInput!) {{
    approveServicePurchase(input: $input) {{ purchase {{ {PURCHASE} }}
    errors {{ field code }} }} }}"""
CONTRACT = f"""mutation($input: ContractServicePurchaseInput!) {{
    contractServicePurchase(input: $input) {{ purchase {{ {PURCHASE} }}
    errors {{ field code message }} }} }}"""


async def approve_and_contract(
    principal: Principal, row: dict[str, Any], amount: Decimal | None = None
) -> dict[str, Any]:
    """Core: approve a proposed purchase and sign its contract as proposed (or for `amount`)."""
    approved = await lifecycle.approve_purchase(principal, row["id"], row["version"])
    data = lifecycle.ContractInput(
        purchase_id=row["id"],
        version=approved["version"],
        provider=ProviderRef(row["provider_id"], row["social_worker_id"]),
        amount=amount or row["amount"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        signed_on=row["period_start"] - dt.timedelta(days=1),
    )
    return await lifecycle.contract_purchase(principal, data)


async def api_contract(
    gql: GraphQLClient, auth: str, purchase: dict[str, Any], provider_id: str, **contract: Any
) -> dict[str, Any]:
    """API: approve the purchase (its id and version as read) and contract it; the payload."""
    approved = await gql(
        APPROVE,
        {"input": {"purchaseId": purchase["id"], "version": purchase["version"]}},
        auth=auth,
    )
    moved = approved["data"]["approveServicePurchase"]
    assert moved["errors"] == [], moved
    data = {
        "purchaseId": purchase["id"],
        "version": moved["purchase"]["version"],
        "providerId": provider_id,
        "amount": "80000.00",
        "periodStart": "2026-01-01",
        "periodEnd": "2026-12-31",
        **contract,
    }
    body = await gql(CONTRACT, {"input": data}, auth=auth)
    return dict(body["data"]["contractServicePurchase"])
