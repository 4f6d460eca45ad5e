"""Dongguan's purchasing rules, each broken rule one violation, all of them reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from plugins.dongguan_purchasing.settings import CATEGORIES, DongguanPurchasingSettings
from schema.plugin_api import (
    OrganisationKind,
    ServicePurchase,
    Text,
    Violation,
    number,
    spent,
)
from schema.plugin_api.models import Organisation


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def violations(s: DongguanPurchasingSettings, purchase: ServicePurchase) -> list[Violation]:
    found = []
    start = purchase.extra.get("period_start") or dt.date.today()
    if purchase.category not in s.categories:
        names = "、".join(CATEGORIES.get(c, (c, c))[0] for c in s.categories)
        names_en = ", ".join(CATEGORIES.get(c, (c, c))[1] for c in s.categories)
        found.append(
            Violation(
                "category",
                Text(
                    f"不在本市购买目录内（{names}）",
                    f"not a category the city buys ({names_en})",
                ),
            )
        )
    else:
        cap = s.yearly_caps.get(purchase.category)
        if cap is not None:
            year = dt.date(start.year, 1, 1), dt.date(start.year, 12, 31)
            committed = await spent(purchase.category, *year)
            if committed + purchase.amount > cap:
                found.append(
                    Violation(
                        "amount",
                        Text(
                            f"{start.year} 年该类别上限 {number(cap)} 元，"
                            f"已用 {number(committed)} 元",
                            f"over the {start.year} cap of {number(cap)} yuan "
                            f"(spent {number(committed)})",
                        ),
                    )
                )
    allowed = _methods_for(s, purchase.amount)
    if purchase.procurement_method not in allowed:
        found.append(
            Violation(
                "procurementMethod",
                Text(
                    f"金额 {number(purchase.amount)} 元应采用 {'、'.join(allowed)}",
                    f"{number(purchase.amount)} yuan needs one of {', '.join(allowed)}",
                ),
            )
        )
    if purchase.provider_kind == "organisation":
        rows = await Organisation.filter(id=purchase.provider_id).values("kind", "founded_on")
        if not rows or rows[0]["kind"] != OrganisationKind.SOCIAL_ORGANISATION:
            found.append(
                Violation(
                    "providerId",
                    Text("承接主体须为登记的社会组织", "the provider is not a social organisation"),
                )
            )
        elif rows[0]["founded_on"] is None:
            found.append(
                Violation(
                    "providerId",
                    Text("承接主体无登记日期", "the provider has no registration date on record"),
                )
            )
        elif rows[0]["founded_on"] > _years_before(start, s.min_years_registered):
            found.append(
                Violation(
                    "providerId",
                    Text(
                        f"承接主体登记未满 {s.min_years_registered} 年",
                        f"registered less than {s.min_years_registered} year(s) before the start",
                    ),
                )
            )
    return found


def _methods_for(s: DongguanPurchasingSettings, amount: Decimal) -> list[str]:
    reached = [t for t in s.method_thresholds if amount >= t.from_amount]
    if not reached:
        return []
    return max(reached, key=lambda t: t.from_amount).methods
