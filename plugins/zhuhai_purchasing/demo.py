"""Zhuhai's demo of its two regimes, on top of core/devdata/demo.py's Zhuhai (idempotent).

Points (points_credit): 珠海市海岸物业 at 6 points (written warning), 港湾 at 9 (legal
representative summoned), 莲洲 at 12 (qualification review, no new projects). 海岸 also
had 3 points removed on an upheld appeal; 港湾's appeal against 4 points was rejected.
Purchases (zhuhai_purchasing): two accepted, one refused with every violation; a refused
purchase is not written, so the refusal is reported in the progress messages.

Run by `civicgraph demo-data` after the core's demo: `load_zhuhai_demo(progress)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from tortoise.transactions import in_transaction

from plugins.points_credit import notices
from plugins.points_credit.models import PointsDeduction
from schema.plugin_api import (
    OrganisationKind,
    Principal,
    ProcurementMethod,
    ProposePurchaseInput,
    Role,
    ValidationErrors,
    in_city,
    propose_service_purchase,
    record_credit_event,
    today,
)
from schema.plugin_api.models import Community, Firm, Organisation, ServicePurchaseRecord

CITY = "zhuhai"
ADMIN = Principal(city=CITY, role=Role.CITY_ADMIN, subject="demo:zhuhai-admin")
PROVIDER = "珠海市香洲区乐龄社会工作服务中心"
# (firm, points, reason, appeal decision: None, True upheld, False rejected)
DEDUCTIONS = (
    ("珠海市海岸物业管理有限公司", 6, "消防通道长期堵塞，整改不到位", None),
    ("珠海市海岸物业管理有限公司", 3, "未按时公示物业费收支", True),
    ("珠海市港湾物业服务有限公司", 5, "电梯年检过期", None),
    ("珠海市港湾物业服务有限公司", 4, "业主投诉处理超时", False),
    ("珠海市莲洲物业服务有限公司", 6, "二次供水水箱未清洗", None),
    ("珠海市莲洲物业服务有限公司", 6, "擅自占用公共部位经营", None),
)


async def load_zhuhai_demo(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load Zhuhai's points and purchases demo; skips each part that exists already."""
    say = progress or (lambda _: None)
    counts: dict[str, int] = {}
    with in_city(CITY):
        firms = dict(await Firm.all().values_list("name", "id"))
        if not all(name in firms for name, *_ in DEDUCTIONS):
            say("zhuhai: the core demo's firms are missing, skipped (run it first)")
            return counts
        if await PointsDeduction.exists():
            say("zhuhai: points demo exists, skipped")
        else:
            async with in_transaction():  # all or nothing, so "exists" means "loaded"
                counts.update(await _points(firms))
        if await ServicePurchaseRecord.exists():
            say("zhuhai: purchases demo exists, skipped")
        else:
            async with in_transaction():
                counts.update(await _purchases(say))
    say("zhuhai regimes: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return counts


async def _points(firms: dict[str, int]) -> dict[str, int]:
    now_day = today()
    # Every deduction in the current cycle, on or before today, a few days apart.
    start = dt.date(now_day.year, 1, 1)
    appeals = 0
    for i, (name, points, reason, upheld) in enumerate(DEDUCTIONS):
        day = max(start, now_day - dt.timedelta(days=2 * (len(DEDUCTIONS) - i)))
        record = await record_credit_event(
            ADMIN,
            firms[name],
            "DEDUCTION",
            reason,
            "inspection",
            points=Decimal(points),
            occurred_on=day,
        )
        if upheld is not None:
            appeal = await notices.appeal(ADMIN, int(record.id), "企业提交整改前后照片及说明")
            why = "经复核，公示已按期张贴，扣分依据不足" if upheld else "现场照片证实投诉属实"
            await notices.decide(ADMIN, appeal["id"], upheld, why)
            appeals += 1
    return {"points_notices": len(DEDUCTIONS), "points_appeals": appeals}


async def _purchases(say: Callable[[str], None]) -> dict[str, int]:
    provider = await Organisation.filter(name=PROVIDER).first()
    if provider is None:
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name=PROVIDER
        )
    communities = dict(await Community.all().values_list("name", "id"))
    year = today().year
    base = {
        "provider_id": provider.id,
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
    }
    accepted = (
        ProposePurchaseInput(
            title="港昌社区居家养老服务",
            category="COMMUNITY_ELDERLY_CARE",
            amount=Decimal(600_000),
            procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION,
            community_id=communities.get("港昌社区"),
            **base,  # type: ignore[arg-type]
        ),
        ProposePurchaseInput(
            title="拱北街道社工站运营",
            category="SOCIAL_WORK_STATION",
            amount=Decimal(1_100_000),
            procurement_method=ProcurementMethod.PUBLIC_TENDER,
            **base,  # type: ignore[arg-type]
        ),
    )
    for purchase in accepted:
        await propose_service_purchase(ADMIN, purchase)
    refused = ProposePurchaseInput(
        title="景山社区青少年四点半课堂",
        category="YOUTH_SERVICES",
        amount=Decimal(350_000),
        procurement_method=ProcurementMethod.DIRECT_COMMISSION,
        **base,  # type: ignore[arg-type]
    )
    try:
        await propose_service_purchase(ADMIN, refused)
    except ValidationErrors as e:
        reasons = "; ".join(err.render("en") for err in e.errors)
        say(f"zhuhai: purchase {refused.title!r} refused ({reasons})")
    return {"purchases_accepted": len(accepted), "purchases_refused": 1}
