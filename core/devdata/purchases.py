"""Demo service purchases for Dongguan, through their life (core/purchases/): on top of
core/devdata/demo.py's data, run by `civicgraph demo-data` (core.devdata.demo.load_everything).

One purchase from each kind of provider the seed names (社会组织、社会工作者、志愿服务队): 精神慰藉
for elderly people living alone, closed after its evaluation on Dongguan's criteria; mental
health counselling from a registered social worker, under contract with its first report;
a volunteer team's disability assistance, approved; a childcare purchase still proposed; one
rejected. Idempotent: skipped when Dongguan has purchases already, or lacks the core demo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from core.infra import clock
from core.infra.cities import load_city_configs
from core.infra.enums import OrganisationKind, ProcurementMethod, Role
from core.infra.tenancy import in_city
from core.models import (
    Community,
    Organisation,
    Person,
    ServicePurchaseRecord,
    SocialWorker,
)
from core.purchases import deliveries, lifecycle
from core.purchases.proposals import ProposePurchaseInput, propose_service_purchase
from core.purchases.providers import ProviderRef
from core.security.auth import Principal

CITY = "dongguan"
OFFICE = Principal(city=CITY, role=Role.CITY_ADMIN, subject="demo:dongguan-office")
AGENCY = "东莞市南城阳光社会工作服务中心"  # core/devdata/demo.py's social organisation
TEAM = "宏图社区志愿服务队"  # core/devdata/demo.py's volunteer team


async def load_purchases_demo(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load Dongguan's demo purchases; counts of what was made."""
    say = progress or (lambda _: None)
    if CITY not in load_city_configs():
        return {}
    with in_city(CITY):
        agency = await Organisation.filter(name=AGENCY).first()
        hongtu = await Community.filter(name="宏图社区").first()
        if agency is None or hongtu is None:
            say("dongguan purchases: the core demo is missing, skipped")
            return {}
        if await ServicePurchaseRecord.exists():
            say("dongguan purchases: exist, skipped")
            return {}
        async with in_transaction():  # all or nothing, so "exists" means "loaded"
            counts = await _purchases(agency, hongtu.id)
    say("dongguan purchases: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return counts


async def _providers(agency: Organisation) -> tuple[SocialWorker, Organisation]:
    person = await Person.create(name="陈晓雯")
    worker = await SocialWorker.create(
        person=person,
        qualification="社会工作师",
        registered_on=date(2016, 9, 1),
        organisation=agency,
    )
    # The team is the core demo's (core/devdata/demo.py), as the agency is.
    team = await Organisation.get(kind=OrganisationKind.VOLUNTEER_TEAM, name=TEAM)
    return worker, team


async def _propose(provider: ProviderRef, hongtu: int, **fields: Any) -> dict[str, Any]:
    start = clock.local_date(clock.now(), CITY) - timedelta(days=90)
    data = ProposePurchaseInput(
        provider_id=provider.organisation_id,
        social_worker_id=provider.social_worker_id,
        period_start=start,
        period_end=start + timedelta(days=364),
        procurement_method=ProcurementMethod.INQUIRY,
        community_id=hongtu,
        **fields,
    )
    return await propose_service_purchase(OFFICE, data)


async def _contract(row: dict[str, Any], provider: ProviderRef) -> dict[str, Any]:
    row = await lifecycle.approve_purchase(OFFICE, row["id"], row["version"], "同意立项")
    data = lifecycle.ContractInput(
        purchase_id=row["id"],
        version=row["version"],
        provider=provider,
        amount=Decimal(row["amount"]) * Decimal("0.95"),  # the quotation came in under
        period_start=row["period_start"],
        period_end=row["period_end"],
        signed_on=row["period_start"] - timedelta(days=7),
    )
    return await lifecycle.contract_purchase(OFFICE, data)


async def _report(row: dict[str, Any], days_in: int, activity: str, people: int) -> None:
    await deliveries.record_delivery(
        OFFICE,
        deliveries.DeliveryInput(
            purchase_id=row["id"],
            delivered_on=row["contract_start"] + timedelta(days=days_in),
            activity=activity,
            beneficiaries=people,
            hours=Decimal(people) / 2,
        ),
    )


MARKS: Mapping[str, int] = {"OUTCOMES": 36, "SATISFACTION": 27, "MANAGEMENT": 17, "FINANCE": 9}


async def _purchases(agency: Organisation, hongtu: int) -> dict[str, int]:
    worker, team = await _providers(agency)
    by_agency, by_worker = ProviderRef(agency.id), ProviderRef(social_worker_id=worker.id)
    by_team = ProviderRef(team.id)

    comfort = await _propose(
        by_agency, hongtu, title="宏图社区独居长者精神慰藉服务", category="EMOTIONAL_COMFORT",
        amount=Decimal(120_000), deliverables="每月探访独居长者 60 人次，节日慰问",
    )  # fmt: skip
    comfort = await _contract(comfort, by_agency)
    await _report(comfort, 20, "上门探访独居长者", 24)
    await _report(comfort, 50, "中秋节日慰问", 60)
    comfort = await lifecycle.evaluate_purchase(
        OFFICE, comfort["id"], comfort["version"], MARKS, "服务对象反馈良好"
    )
    await lifecycle.close_purchase(
        OFFICE, comfort["id"], comfort["version"], comfort["contract_amount"]
    )

    counselling = await _propose(
        by_worker, hongtu, title="宏图社区心理健康个案辅导", category="MENTAL_HEALTH",
        amount=Decimal(80_000), deliverables="个案辅导 40 人次",
    )  # fmt: skip
    counselling = await _contract(counselling, by_worker)
    await _report(counselling, 30, "个案心理辅导", 8)

    assistance = await _propose(
        by_team, hongtu, title="雅园新村助残志愿服务", category="DISABILITY_ASSISTANCE",
        amount=Decimal(30_000), deliverables="残疾人出行陪伴与居家探访",
    )  # fmt: skip
    await lifecycle.approve_purchase(OFFICE, assistance["id"], assistance["version"])
    await _propose(
        by_agency, hongtu, title="宏图社区四点半托育服务", category="CHILDCARE",
        amount=Decimal(150_000),
    )  # fmt: skip
    sports = await _propose(
        by_team, hongtu, title="宏图社区长者健步走活动", category="HUMANISTIC_CARE",
        amount=Decimal(20_000),
    )  # fmt: skip
    await lifecycle.reject_purchase(
        OFFICE, sports["id"], sports["version"], "与街道已有文体项目重复"
    )
    return {"purchases": 5, "purchase_deliveries": 3, "social_workers": 1}
