"""Bundled plugin `firm_blacklist`: the city's credit blacklist of property firms.

A blacklisted firm cannot be given a new management contract or a service purchase: the
core asks `check_firm_eligibility` and refuses with this plugin's reason. Its credit
standing is BLACKLISTED (`firm_credit_standings`), so `firmCreditRanking` puts it after
every firm in good standing whatever the city's regime says beside it. A final
assessment score below the city's threshold puts a firm on the blacklist
(`credit_consequences`); the assessment area applies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from schema.plugin_api import (
    BLACKLIST,
    FIRM_MANAGEMENT_CONTRACT,
    FIRM_SERVICE_PURCHASE,
    NO_NEW_CONTRACTS,
    NO_SERVICE_PURCHASE,
    CityPlugins,
    CreditConsequence,
    CreditStanding,
    Refusal,
    Score,
    Text,
    hookimpl,
    number,
    settings_of,
)
from schema.plugin_api.models import Firm

NAME = "firm_blacklist"


class FirmBlacklistSettings(BaseModel):
    registration_numbers: list[str] = Field(
        default_factory=list,
        title="Blacklisted firms",
        description="Unified social credit codes (18 characters) of blacklisted firms.",
    )
    refuse: list[str] = Field(
        default_factory=lambda: [FIRM_MANAGEMENT_CONTRACT, FIRM_SERVICE_PURCHASE],
        title="Refused engagements",
        description="management_contract and/or service_purchase.",
    )
    blacklist_below: Decimal | None = Field(
        Decimal(60),
        title="Blacklist below score",
        description="A final assessment score below this blacklists the firm; empty: never.",
        ge=0,
        le=100,
    )

    @field_validator("registration_numbers")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if len(c) != 18 or not c.isalnum()]
        if bad:
            listed = ", ".join(bad)
            raise ValueError(
                Text(
                    f"不是统一社会信用代码：{listed}", f"not unified social credit codes: {listed}"
                )
            )
        return [c.upper() for c in codes]

    @field_validator("refuse")
    @classmethod
    def _purposes(cls, purposes: list[str]) -> list[str]:
        unknown = set(purposes) - {FIRM_MANAGEMENT_CONTRACT, FIRM_SERVICE_PURCHASE}
        if unknown:
            listed = ", ".join(sorted(unknown))
            raise ValueError(Text(f"未知的委托类型：{listed}", f"unknown engagements: {listed}"))
        return purposes


def _settings(city: CityPlugins) -> FirmBlacklistSettings:
    return settings_of(city, NAME, FirmBlacklistSettings)


@hookimpl
def register_settings() -> type[BaseModel]:
    return FirmBlacklistSettings


@hookimpl
def check_firm_eligibility(
    city: CityPlugins, firm_id: int, purpose: str
) -> Awaitable[list[Refusal]] | None:
    settings = _settings(city)
    if purpose not in settings.refuse or not settings.registration_numbers:
        return None

    async def check() -> list[Refusal]:
        rows = await Firm.filter(id=firm_id).values("name", "registration_number")
        if rows and rows[0]["registration_number"].upper() in settings.registration_numbers:
            name = rows[0]["name"]
            return [
                Refusal(
                    Text(
                        f"{name} 已列入本市信用黑名单", f"{name} is on the city's credit blacklist"
                    )
                )
            ]
        return []

    return check()


@hookimpl
def firm_credit_standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> Awaitable[dict[int, CreditStanding]] | None:
    # The list has no dates: a firm on it is blacklisted on whatever day is asked.
    settings = _settings(city)
    if not settings.registration_numbers:
        return None
    refused = {
        FIRM_MANAGEMENT_CONTRACT: NO_NEW_CONTRACTS,
        FIRM_SERVICE_PURCHASE: NO_SERVICE_PURCHASE,
    }
    restrictions = tuple(refused[p] for p in settings.refuse)

    async def standings() -> dict[int, CreditStanding]:
        rows = await Firm.filter(id__in=firm_ids).values("id", "registration_number")
        return {
            r["id"]: CreditStanding(
                regime=NAME,
                level="BLACKLISTED",
                label_zh="黑名单",
                label_en="Blacklisted",
                restrictions=restrictions,
                reasons=(Text("已列入本市信用黑名单", "on the city's credit blacklist"),),
                blacklisted=True,
            )
            for r in rows
            if r["registration_number"].upper() in settings.registration_numbers
        }

    return standings()


@hookimpl
def credit_consequences(city: CityPlugins, firm_id: int, score: Score) -> list[CreditConsequence]:
    threshold = _settings(city).blacklist_below
    if threshold is not None and score.value < threshold:
        got, limit = number(score.value), number(threshold)
        why = Text(f"考核得分 {got} 低于 {limit}", f"assessment score {got} is below {limit}")
        return [CreditConsequence(BLACKLIST, why)]
    return []
