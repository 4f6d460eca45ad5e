"""The hooks of `zhuhai_purchasing`: every violation of Zhuhai's purchasing rules at once."""

from __future__ import annotations

from pydantic import BaseModel

from core.contributions import CityPlugins, ServicePurchase, Violation
from core.hookspecs import hookimpl
from plugins.zhuhai_purchasing.settings import (
    COMPETITIVE_CONSULTATION,
    METHODS,
    PUBLIC_TENDER,
    ZhuhaiPurchasingSettings,
)

NAME = "zhuhai_purchasing"


@hookimpl
def register_settings() -> type[BaseModel]:
    return ZhuhaiPurchasingSettings


def required_methods(amount: object, s: ZhuhaiPurchasingSettings) -> tuple[str, ...]:
    """The procurement methods allowed for an amount."""
    if amount >= s.tender_from:  # type: ignore[operator]
        return (PUBLIC_TENDER,)
    if amount >= s.competitive_from:  # type: ignore[operator]
        return (COMPETITIVE_CONSULTATION, PUBLIC_TENDER)
    return METHODS


@hookimpl
def validate_service_purchase(city: CityPlugins, purchase: ServicePurchase) -> list[Violation]:
    s = city.settings_for(NAME)
    assert isinstance(s, ZhuhaiPurchasingSettings)
    found: list[Violation] = []
    category = s.categories.get(purchase.category)
    if category is None:
        known = ", ".join(sorted(s.categories))
        found.append(Violation("category", f"Zhuhai buys no {purchase.category}; it buys {known}"))
    else:
        if purchase.provider_kind not in category.providers:
            found.append(
                Violation(
                    "providerId",
                    f"{category.label_en} is bought from {' or '.join(category.providers)}s only",
                )
            )
        if purchase.amount > category.cap:
            found.append(
                Violation("amount", f"{category.label_en} is capped at {category.cap} yuan")
            )
        if category.needs_community and purchase.community_id is None:
            found.append(Violation("communityId", f"{category.label_en} is bought per community"))
    if purchase.procurement_method not in METHODS:
        found.append(Violation("procurementMethod", f"methods are {', '.join(METHODS)}"))
    else:
        allowed = required_methods(purchase.amount, s)
        if purchase.procurement_method not in allowed:
            found.append(
                Violation(
                    "procurementMethod",
                    f"{purchase.amount} yuan needs {' or '.join(allowed)}, "
                    f"not {purchase.procurement_method}",
                )
            )
    return found
