"""Zhuhai's purchasing rules, asked the way the core asks them: every violation at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import plugin_settings, plugins
from core.contributions import ServicePurchase
from core.errors import ValidationErrors
from core.tenancy import in_city
from tests.plugins.conftest import ZHUHAI_ADMIN


def purchase(**overrides: object) -> ServicePurchase:
    fields: dict[str, object] = {
        "provider_id": 1,
        "provider_kind": "organisation",
        "category": "YOUTH_SERVICES",
        "amount": Decimal(150_000),
        "procurement_method": "DIRECT",
        "community_id": 7,
    }
    fields.update(overrides)
    return ServicePurchase(**fields)  # type: ignore[arg-type]


async def violations(p: ServicePurchase, city: str = "zhuhai") -> list[tuple[str | None, str]]:
    with in_city(city):
        found = await plugins.purchase_violations(p)
    assert {v.plugin for v in found} <= {"zhuhai_purchasing"}
    return [(v.field, v.reason) for v in found]


async def test_a_purchase_within_the_rules_passes(empty_db: str):
    assert await violations(purchase()) == []
    station = purchase(
        category="SOCIAL_WORK_STATION",
        amount=Decimal(1_100_000),
        procurement_method="PUBLIC_TENDER",
        community_id=None,
    )
    assert await violations(station) == []
    # Dongguan does not run Zhuhai's rules.
    assert await violations(purchase(category="PARKING"), "dongguan") == []


async def test_every_violation_is_reported(empty_db: str):
    found = await violations(
        purchase(
            provider_kind="firm",
            amount=Decimal(350_000),
            procurement_method="DIRECT",
            community_id=None,
        )
    )
    assert found == [
        ("providerId", "youth services is bought from organisations only"),
        ("amount", "youth services is capped at 300000 yuan"),
        ("communityId", "youth services is bought per community"),
        (
            "procurementMethod",
            "350000 yuan needs COMPETITIVE_CONSULTATION or PUBLIC_TENDER, not DIRECT",
        ),
    ]
    unknown = await violations(purchase(category="PARKING", procurement_method="AUCTION"))
    assert [f for f, _ in unknown] == ["category", "procurementMethod"]


async def test_an_admin_changes_the_thresholds(empty_db: str):
    with in_city("zhuhai"):
        await plugin_settings.update_plugin(
            ZHUHAI_ADMIN, "zhuhai_purchasing", {"competitive_from": 100_000}
        )
    assert [f for f, _ in await violations(purchase())] == ["procurementMethod"]
    with in_city("zhuhai"), pytest.raises(ValidationErrors) as refused:
        await plugin_settings.update_plugin(
            ZHUHAI_ADMIN, "zhuhai_purchasing", {"tender_from": 50_000}
        )
    assert [e.field for e in refused.value.errors] == ["settings.tender_from"]
