"""Zhuhai's purchasing rules, asked the way the core asks them: every violation at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.infra.enums import OrganisationKind, ProcurementMethod, Role
from core.infra.errors import ValidationErrors
from core.infra.i18n import localise
from core.infra.tenancy import in_city
from core.models import Community, Organisation, Street
from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from core.plugins.contributions import ServicePurchase
from core.purchases import proposals as purchases
from core.purchases.proposals import ProposePurchaseInput
from core.security.auth import Principal
from tests.plugins.conftest import ZHUHAI_ADMIN
from tests.purchase_steps import approve_and_contract


def purchase(**overrides: object) -> ServicePurchase:
    fields: dict[str, object] = {
        "provider_id": 1,
        "provider_kind": "organisation",
        "category": "YOUTH_SERVICES",
        "amount": Decimal(150_000),
        "procurement_method": "DIRECT_COMMISSION",
        "community_id": 7,
    }
    fields.update(overrides)
    return ServicePurchase(**fields)  # type: ignore[arg-type]


async def violations(p: ServicePurchase) -> list[tuple[str | None, str]]:
    with in_city("zhuhai"):
        found = await plugins.purchase_violations(p)
    assert {v.plugin for v in found} <= {"zhuhai_purchasing"}
    return [(v.field, localise(v.reason, "en")) for v in found]


async def test_a_purchase_within_the_rules_passes(empty_db: str):
    assert await violations(purchase()) == []
    station = purchase(
        category="SOCIAL_WORK_STATION",
        amount=Decimal(1_100_000),
        procurement_method="PUBLIC_TENDER",
        community_id=None,
    )
    assert await violations(station) == []
    # Dongguan does not run Zhuhai's rules (it may run rules of its own).
    with in_city("dongguan"):
        found = await plugins.purchase_violations(purchase(category="PARKING"))
    assert "zhuhai_purchasing" not in {v.plugin for v in found}


async def test_every_violation_is_reported(empty_db: str):
    found = await violations(
        purchase(
            provider_kind="firm",
            amount=Decimal(350_000),
            procurement_method="DIRECT_COMMISSION",
            community_id=None,
        )
    )
    assert found == [
        ("providerId", "youth services is bought from organisations or volunteer teams only"),
        ("amount", "youth services is capped at 300000 yuan"),
        ("communityId", "youth services is bought per community"),
        (
            "procurementMethod",
            "350000 yuan needs COMPETITIVE_CONSULTATION or COMPETITIVE_NEGOTIATION or "
            "INVITED_TENDER or PUBLIC_TENDER, not DIRECT_COMMISSION",
        ),
    ]
    unknown = await violations(purchase(category="PARKING", amount=Decimal(1_000_000)))
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


async def test_the_yearly_budget_counts_what_was_committed(empty_db: str):
    with in_city("zhuhai"):
        provider = await Organisation.create(kind=OrganisationKind.SOCIAL_ORGANISATION, name="乐龄")
    care = {
        "title": "长者饭堂",
        "category": "COMMUNITY_ELDERLY_CARE",
        "provider_id": provider.id,
        "period_start": dt.date(2026, 3, 1),
        "period_end": dt.date(2026, 12, 31),
        "procurement_method": ProcurementMethod.PUBLIC_TENDER,
        "community_id": None,
    }
    admin = Principal(city="zhuhai", role=Role.CITY_ADMIN, subject="admin-zh")
    with in_city("zhuhai"):
        community = await Community.create(street=await Street.create(name="拱北"), name="港昌")
        care["community_id"] = community.id
        proposals = [
            await purchases.propose_service_purchase(
                admin, ProposePurchaseInput(amount=Decimal(800_000), **care)
            )
            for _ in range(4)
        ]
        # Proposals commit nothing: the fourth was proposed while nothing was contracted.
        for row in proposals[:3]:  # 2.4 million of the 3 million budget for 2026
            await approve_and_contract(admin, row)
        with pytest.raises(ValidationErrors) as refused_contract:
            await approve_and_contract(admin, proposals[3])
        with pytest.raises(ValidationErrors) as refused:
            await purchases.propose_service_purchase(
                admin, ProposePurchaseInput(amount=Decimal(700_000), **care)
            )
        # The next year's budget is untouched.
        next_year = dict(care, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 6, 30))
        await purchases.propose_service_purchase(
            admin, ProposePurchaseInput(amount=Decimal(700_000), **next_year)
        )
    left = "community elderly care has 600000 yuan left of its 3000000 yuan budget for 2026"
    assert [(e.field, localise(e.params["reason"], "en")) for e in refused.value.errors] == [
        ("amount", left)
    ]
    assert [
        (e.field, localise(e.params["reason"], "en")) for e in refused_contract.value.errors
    ] == [("amount", left)]


async def test_a_station_is_evaluated_on_its_own_criteria_and_the_pass_mark_is_a_setting(
    empty_db: str,
):
    with in_city("zhuhai"):
        care = await plugins.purchase_evaluation_rules(purchase())
        station = await plugins.purchase_evaluation_rules(purchase(category="SOCIAL_WORK_STATION"))
        await plugin_settings.update_plugin(ZHUHAI_ADMIN, "zhuhai_purchasing", {"pass_score": 80})
        stricter = await plugins.purchase_evaluation_rules(purchase())
    assert [(c.key, c.max_points) for c in care.criteria] == [
        ("QUANTITY", 30), ("QUALITY", 30), ("RESIDENTS", 30), ("RECORDS", 10),
    ]  # fmt: skip
    assert [c.key for c in station.criteria] == ["CASELOAD", "QUALITY", "RECORDS"]
    assert (care.pass_score, stricter.pass_score, care.plugin) == (70, 80, "zhuhai_purchasing")
