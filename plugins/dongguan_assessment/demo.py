"""Dongguan's demo of assessment, credit and purchasing, on top of the core demo data.

`civicgraph demo-data` calls `load_dongguan_demo()` after the core's `load_demo()`. It uses
only the core's services and this city's plugins (nothing of it lives in core/): the last
two complete quarters are assessed from recorded inputs and the demo cases' ratings, one
firm fails both and is blacklisted by the rule, another gets a deduction, and purchases are
proposed, two accepted and one refused with its violations. Skipped when already loaded or
when Dongguan does not run the plugins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from plugins.dongguan_assessment import scoring
from plugins.dongguan_assessment.models import AssessmentRun
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from schema.plugin_api import (
    OrganisationKind,
    Principal,
    ProcurementMethod,
    ProposePurchaseInput,
    Role,
    ValidationErrors,
    city_plugins,
    in_city,
    local_date,
    now,
    propose_service_purchase,
    record_credit_event,
    settings_of,
)
from schema.plugin_api.models import Compound, Firm, ManagementContract, Organisation

CITY = "dongguan"
ADMIN = Principal(city=CITY, role=Role.CITY_ADMIN, subject="demo")


def _last_quarters(today: dt.date, n: int = 2) -> list[str]:
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(n):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        found.append(f"{year}Q{quarter}")
    return list(reversed(found))


async def load_dongguan_demo(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    say = progress or (lambda _: None)
    counts: dict[str, int] = {}
    with in_city(CITY):
        city = await city_plugins(CITY)
        if NAME not in city.enabled:
            say(f"{CITY}: {NAME} not enabled, assessment demo skipped")
            return counts
        if not await Firm.exists() or await AssessmentRun.exists():
            say(f"{CITY}: no firms yet or assessments loaded already, skipped")
            return counts
        s = settings_of(city, NAME, DongguanAssessmentSettings)
        today = local_date(now(), CITY)
        quarters = _last_quarters(today)
        managed = await ManagementContract.filter(ends_on__isnull=True).values(
            "compound_id", "firm_id"
        )
        firm_names = dict(await Firm.all().values_list("id", "name"))
        # The weakest: the first privately owned firm that manages a compound.
        private = [
            f
            for f in await Firm.filter(is_state_owned=False)
            .order_by("name")
            .values_list("id", flat=True)
            if any(m["firm_id"] == f for m in managed)
        ]
        weak = private[0] if private else None
        checklist = [i.code for i in s.checklist]
        for q, quarter in enumerate(quarters):
            for i, m in enumerate(sorted(managed, key=lambda m: m["compound_id"])):
                poor = m["firm_id"] == weak
                survey = Decimal(35 + q * 3) if poor else Decimal(72 + (i * 7) % 25)
                party = Decimal(45) if poor else Decimal(80 + (i * 3) % 15)
                failed = checklist[:4] if poor else checklist[i % 3 : i % 3 + 1]
                for criterion, value in (("owner_survey", survey), ("party_evaluation", party)):
                    await scoring.record_input(
                        ADMIN, s, m["compound_id"], quarter, criterion, value, [], "演示数据"
                    )
                await scoring.record_input(
                    ADMIN, s, m["compound_id"], quarter, "inspection", None, failed, "季度检查"
                )
            await scoring.run_assessment(ADMIN, s, quarter)
            counts["assessment_runs"] = counts.get("assessment_runs", 0) + 1
        say(f"{CITY}: assessed {', '.join(quarters)}; {firm_names.get(weak, '-')} failed both")

        others = [f for f in private[1:]] or [f for f in firm_names if f != weak]
        if others:
            await record_credit_event(
                ADMIN,
                others[0],
                "DEDUCTION",
                "未按规定公示物业服务收费标准",
                "street_office",
                points=Decimal(5),
                occurred_on=today - dt.timedelta(days=20),
            )
            counts["credit_records"] = 1

        counts.update(await _purchases(today, say))
    return counts


async def _purchases(today: dt.date, say: Callable[[str], None]) -> dict[str, int]:
    provider = (
        await Organisation.filter(kind=OrganisationKind.SOCIAL_ORGANISATION)
        .order_by("id")
        .first()
        .values("id", "community_id")
    )
    if provider is None:
        return {}
    start = dt.date(today.year, 1, 1)
    community = await Compound.all().order_by("id").first().values("community_id")
    proposals = [
        (
            "长者助餐与探访服务",
            "ELDERLY_CARE",
            Decimal(380_000),
            ProcurementMethod.COMPETITIVE_CONSULTATION,
        ),
        ("困境儿童托育支持", "CHILDCARE", Decimal(60_000), ProcurementMethod.DIRECT_COMMISSION),
        # Refused: 1.2 million needs a public tender, and the yearly cap is 800,000.
        (
            "残障人士康复援助",
            "DISABILITY_ASSISTANCE",
            Decimal(1_200_000),
            ProcurementMethod.INQUIRY,
        ),
    ]
    accepted = 0
    for title, category, amount, method in proposals:
        data = ProposePurchaseInput(
            title=title,
            category=category,
            provider_id=provider["id"],
            amount=amount,
            period_start=start,
            period_end=dt.date(today.year, 12, 31),
            procurement_method=method,
            deliverables="服务台账、满意度回访",
            community_id=community["community_id"] if community else None,
        )
        try:
            await propose_service_purchase(ADMIN, data)
            accepted += 1
        except ValidationErrors as refused:
            reasons = "; ".join(e.render("en") for e in refused.errors)
            say(f"{CITY}: purchase “{title}” refused: {reasons}")
    return {"service_purchases": accepted}
