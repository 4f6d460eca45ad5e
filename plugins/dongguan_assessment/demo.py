"""Dongguan's demo of assessment, credit and purchasing, on top of the core demo data.

`civicgraph demo-data` calls `load_dongguan_demo()` after the core's `load_demo()`. It uses
only the core's services and this city's plugins (nothing of it lives in core/): the last
two complete quarters are assessed from recorded inputs and the demo cases' ratings and
published (the first run twice, a survey corrected between: run 1 is kept, superseded), one
firm fails both and is blacklisted by the rule, another loses score to a deduction of the
latest quarter, and purchases are proposed, two accepted and one refused with its
violations. Skipped when already loaded or
when Dongguan does not run the plugins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from plugins.dongguan_assessment import inputs, runs
from plugins.dongguan_assessment.models import AssessmentRun
from plugins.dongguan_assessment.periods import Period, parse_period
from plugins.dongguan_assessment.settings import (
    INSPECTION,
    NAME,
    OWNER_SURVEY,
    PARTY_EVALUATION,
    DongguanAssessmentSettings,
)
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
        quarters = [parse_period(q) for q in _last_quarters(today)]
        firm_names = dict(await Firm.all().values_list("id", "name"))
        open_contracts = await ManagementContract.filter(ends_on__isnull=True).values("firm_id")
        # The weakest: the first privately owned firm that manages a compound.
        private = [
            f
            for f in await Firm.filter(is_state_owned=False)
            .order_by("name")
            .values_list("id", flat=True)
            if any(m["firm_id"] == f for m in open_contracts)
        ]
        weak = private[0] if private else None
        others = private[1:] or [f for f in firm_names if f != weak]
        if others:
            # In the latest quarter, before it is assessed: the deduction lowers that score.
            await record_credit_event(
                ADMIN,
                others[0],
                "DEDUCTION",
                "未按规定公示物业服务收费标准",
                "street_office",
                points=Decimal(5),
                occurred_on=quarters[-1].start + dt.timedelta(days=20),
            )
            counts["credit_records"] = 1
        for q, quarter in enumerate(quarters):
            first = await _record_inputs(s, quarter, weak, q)
            run_id = await runs.run_assessment(ADMIN, s, quarter.label)
            counts["assessment_runs"] = counts.get("assessment_runs", 0) + 1
            if q == 0 and first is not None:
                # A survey entered wrong and corrected: run 2 supersedes run 1, both kept.
                await inputs.record_input(
                    ADMIN, s, first, quarter.label, OWNER_SURVEY, Decimal(88), [], "复核更正"
                )
                run_id = await runs.run_assessment(ADMIN, s, quarter.label)
                counts["assessment_runs"] += 1
            await runs.publish_run(ADMIN, s, run_id)
            counts["published_assessments"] = counts.get("published_assessments", 0) + 1
        labels = ", ".join(p.label for p in quarters)
        say(f"{CITY}: assessed and published {labels}; {firm_names.get(weak, '-')} failed both")

        counts.update(await _purchases(today, say))
    return counts


async def _record_inputs(
    s: DongguanAssessmentSettings, quarter: Period, weak: int | None, q: int
) -> int | None:
    """Every input of every compound a firm managed in the quarter (the mandatory ones and
    the inspection); the weak firm's are poor. The first compound's id."""
    checklist = [i.code for i in s.checklist]
    managed = sorted(await inputs.managed(quarter), key=lambda m: (m.compound_id, m.firm_id))
    poor = {m.compound_id for m in managed if m.firm_id == weak}
    compounds = sorted({m.compound_id for m in managed})
    for i, compound_id in enumerate(compounds):
        bad = compound_id in poor
        survey = Decimal(35 + q * 3) if bad else Decimal(72 + (i * 7) % 25)
        party = Decimal(45) if bad else Decimal(80 + (i * 3) % 15)
        failed = checklist[:4] if bad else checklist[i % 3 : i % 3 + 1]
        for criterion, value in ((OWNER_SURVEY, survey), (PARTY_EVALUATION, party)):
            await inputs.record_input(
                ADMIN, s, compound_id, quarter.label, criterion, value, [], "演示数据"
            )
        await inputs.record_input(
            ADMIN, s, compound_id, quarter.label, INSPECTION, None, failed, "季度检查"
        )
    return compounds[0] if compounds else None


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
