"""The hooks of `zhuhai_purchasing`: every violation of Zhuhai's purchasing rules at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

from pydantic import BaseModel

from plugins.zhuhai_purchasing import demo
from plugins.zhuhai_purchasing.settings import Category, ZhuhaiPurchasingSettings
from schema.plugin_api import (
    CityPlugins,
    EvaluationCriterion,
    EvaluationRules,
    ServicePurchase,
    Text,
    Violation,
    hookimpl,
    number,
    settings_of,
    spent,
)

NAME = "zhuhai_purchasing"


@hookimpl
def register_settings() -> type[BaseModel]:
    return ZhuhaiPurchasingSettings


def yuan(amount: Decimal) -> str:
    """600000, not 600000.00 or 6E+5."""
    return number(amount)


PROVIDER_ZH = {
    "organisation": "社会组织",
    "firm": "企业",
    "social_worker": "社会工作者",
    "volunteer_team": "志愿服务队",
}
# Zhuhai evaluates a purchased service on what was delivered and how residents found it; a
# social work station (no single community) is judged on its caseload and records instead.
EVALUATION = (
    EvaluationCriterion("QUANTITY", Text("服务数量", "amount of service"), 30),
    EvaluationCriterion("QUALITY", Text("服务质量", "quality of service"), 30),
    EvaluationCriterion("RESIDENTS", Text("居民满意度", "residents' satisfaction"), 30),
    EvaluationCriterion("RECORDS", Text("档案规范", "records kept"), 10),
)
STATION_EVALUATION = (
    EvaluationCriterion("CASELOAD", Text("个案与小组工作量", "casework and group work"), 50),
    EvaluationCriterion("QUALITY", Text("服务质量", "quality of service"), 30),
    EvaluationCriterion("RECORDS", Text("档案规范", "records kept"), 20),
)


def allowed_methods(amount: Decimal, s: ZhuhaiPurchasingSettings) -> list[str] | None:
    """The procurement methods an amount allows (None: any)."""
    if amount >= s.tender_from:
        return s.tender_methods
    if amount >= s.competitive_from:
        return s.competitive_methods
    return None


def _rules(purchase: ServicePurchase, s: ZhuhaiPurchasingSettings) -> list[Violation]:
    found: list[Violation] = []
    category = s.categories.get(purchase.category)
    if category is None:
        known, asked = ", ".join(sorted(s.categories)), purchase.category
        found.append(
            Violation(
                "category",
                Text(
                    f"珠海市不购买 {asked} 类服务，可购买：{known}",
                    f"Zhuhai buys no {asked}; it buys {known}",
                ),
            )
        )
    else:
        zh, en = category.label_zh, category.label_en
        if purchase.provider_kind not in category.providers:
            kinds_zh = "或".join(PROVIDER_ZH.get(k, k) for k in category.providers)
            kinds = " or ".join(f"{k.replace('_', ' ')}s" for k in category.providers)
            found.append(
                Violation(
                    "providerId",
                    Text(f"{zh}只能向{kinds_zh}购买", f"{en} is bought from {kinds} only"),
                )
            )
        if purchase.amount > category.cap:
            cap = yuan(category.cap)
            found.append(
                Violation("amount", Text(f"{zh}每项上限 {cap} 元", f"{en} is capped at {cap} yuan"))
            )
        if category.needs_community and purchase.community_id is None:
            found.append(
                Violation("communityId", Text(f"{zh}须按社区购买", f"{en} is bought per community"))
            )
    allowed = allowed_methods(purchase.amount, s)
    if allowed is not None and purchase.procurement_method not in allowed:
        amount, asked = yuan(purchase.amount), purchase.procurement_method
        found.append(
            Violation(
                "procurementMethod",
                Text(
                    f"{amount} 元须采用 {'或'.join(allowed)}，不能采用 {asked}",
                    f"{amount} yuan needs {' or '.join(allowed)}, not {asked}",
                ),
            )
        )
    return found


async def _over_budget(purchase: ServicePurchase, category: Category) -> list[Violation]:
    start = purchase.extra.get("period_start")
    if category.yearly_budget is None or not isinstance(start, dt.date):
        return []
    year = (dt.date(start.year, 1, 1), dt.date(start.year, 12, 31))
    committed = await spent(purchase.category, *year)
    if committed + purchase.amount <= category.yearly_budget:
        return []
    left = max(category.yearly_budget - committed, Decimal(0))
    budget, rest = yuan(category.yearly_budget), yuan(left)
    reason = Text(
        f"{category.label_zh} {start.year} 年预算 {budget} 元，仅余 {rest} 元",
        f"{category.label_en} has {rest} yuan left of its {budget} yuan budget for {start.year}",
    )
    return [Violation("amount", reason)]


@hookimpl
def validate_service_purchase(
    city: CityPlugins, purchase: ServicePurchase
) -> Awaitable[list[Violation]]:
    s = settings_of(city, NAME, ZhuhaiPurchasingSettings)

    async def check() -> list[Violation]:
        found = _rules(purchase, s)
        category = s.categories.get(purchase.category)
        if category is not None:
            found += await _over_budget(purchase, category)
        return found

    return check()


@hookimpl
def purchase_evaluation_rules(city: CityPlugins, purchase: ServicePurchase) -> EvaluationRules:
    s = settings_of(city, NAME, ZhuhaiPurchasingSettings)
    station = purchase.category == "SOCIAL_WORK_STATION"
    return EvaluationRules(STATION_EVALUATION if station else EVALUATION, pass_score=s.pass_score)


@hookimpl
def load_demo_data(
    city: CityPlugins, progress: Callable[[str], None]
) -> Awaitable[dict[str, int]] | None:
    # The demo is Zhuhai's own (its firms, its appeals): other cities get none.
    if city.slug != "zhuhai":
        return None
    return demo.load_zhuhai_demo(progress)
