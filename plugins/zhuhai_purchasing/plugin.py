"""The hooks of `zhuhai_purchasing`: every violation of Zhuhai's purchasing rules at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

from pydantic import BaseModel

from plugins.zhuhai_purchasing import demo
from plugins.zhuhai_purchasing.settings import Category, ZhuhaiPurchasingSettings
from schema.plugin_api import CityPlugins, ServicePurchase, Violation, hookimpl, settings_of, spent

NAME = "zhuhai_purchasing"


@hookimpl
def register_settings() -> type[BaseModel]:
    return ZhuhaiPurchasingSettings


def yuan(amount: Decimal) -> str:
    """600000, not 600000.00 or 6E+5."""
    return f"{amount.normalize():f}"


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
        known = ", ".join(sorted(s.categories))
        found.append(Violation("category", f"Zhuhai buys no {purchase.category}; it buys {known}"))
    else:
        name = category.label_en
        if purchase.provider_kind not in category.providers:
            kinds = " or ".join(category.providers)
            found.append(Violation("providerId", f"{name} is bought from {kinds}s only"))
        if purchase.amount > category.cap:
            found.append(Violation("amount", f"{name} is capped at {yuan(category.cap)} yuan"))
        if category.needs_community and purchase.community_id is None:
            found.append(Violation("communityId", f"{name} is bought per community"))
    allowed = allowed_methods(purchase.amount, s)
    if allowed is not None and purchase.procurement_method not in allowed:
        found.append(
            Violation(
                "procurementMethod",
                f"{yuan(purchase.amount)} yuan needs {' or '.join(allowed)}, "
                f"not {purchase.procurement_method}",
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
    budget = f"{yuan(category.yearly_budget)} yuan budget for {start.year}"
    reason = f"{category.label_en} has {yuan(left)} yuan left of its {budget}"
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
def load_demo_data(
    city: CityPlugins, progress: Callable[[str], None]
) -> Awaitable[dict[str, int]] | None:
    # The demo is Zhuhai's own (its firms, its appeals): other cities get none.
    if city.slug != "zhuhai":
        return None
    return demo.load_zhuhai_demo(progress)
