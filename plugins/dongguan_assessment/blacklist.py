"""Dongguan's blacklist of property firms and social organisations.

Failing `blacklist_after_failures` published assessments in a row, a serious violation, or
`blacklist_points_in_year` points deducted within twelve months put a firm on the
blacklist with the reason, for `blacklist_months`; an admin may list a firm or an
organisation by hand, and remove a listing earlier, with a reason. A listed firm is refused
new management contracts and service purchases (check_firm_eligibility); a listed social
organisation is refused as a purchase's provider.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.expressions import Q

from plugins.dongguan_assessment.models import BlacklistEntry
from plugins.dongguan_assessment.periods import Period
from plugins.dongguan_assessment.rules import ADMINS, kept, violation
from plugins.dongguan_assessment.settings import DongguanAssessmentSettings
from schema.plugin_api import (
    DomainError,
    Principal,
    Refusal,
    ServicePurchase,
    Text,
    ValidationErrors,
    Violation,
    localise,
    require_role,
    today,
)
from schema.plugin_api.models import Firm, Organisation


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def active(day: dt.date) -> Q:
    return Q(listed_on__lte=day, listed_until__gte=day) & (
        Q(removed_on__isnull=True) | Q(removed_on__gt=day)
    )


async def active_entries(day: dt.date, firm_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = (
        await BlacklistEntry.filter(active(day), firm_id__in=firm_ids)
        .order_by("listed_on", "id")
        .values("id", "firm_id", "reason", "listed_on", "listed_until")
    )
    return {r["firm_id"]: r for r in rows}


async def listed_in(period: Period, firm_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The firms put on the blacklist during the period (a listing lifted on its first day,
    a mistake undone, does not count), with their first such listing."""
    rows = (
        await BlacklistEntry.filter(
            firm_id__in=firm_ids, listed_on__gte=period.start, listed_on__lte=period.end
        )
        .order_by("listed_on", "id")
        .values("firm_id", "reason", "listed_on", "removed_on")
    )
    found: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["removed_on"] != r["listed_on"]:
            found.setdefault(r["firm_id"], r)
    return found


async def blacklist_firm(
    s: DongguanAssessmentSettings,
    firm_id: int,
    reason: str | Text,
    source: str,
    on: dt.date,
    actor: str,
) -> bool:
    """List the firm unless it is listed already on that day; True when listed now."""
    if await BlacklistEntry.filter(active(on), firm_id=firm_id).exists():
        return False
    await BlacklistEntry.create(
        firm_id=firm_id,
        reason=kept(reason),
        source=source[:40],
        listed_on=on,
        listed_until=_add_months(on, s.blacklist_months),
        listed_by=actor,
    )
    return True


async def lift(firm_id: int, reason: str | Text, on: dt.date, actor: str) -> int:
    return await BlacklistEntry.filter(active(on), firm_id=firm_id).update(
        removed_on=on, removal_reason=kept(reason), removed_by=actor
    )


async def firm_refusals(firm_id: int) -> list[Refusal]:
    entry = (await active_entries(today(), [firm_id])).get(firm_id)
    if entry is None:
        return []
    name = (await Firm.filter(id=firm_id).values_list("name", flat=True))[:1]
    who = name[0] if name else f"firm {firm_id}"
    since, until = entry["listed_on"], entry["listed_until"]
    return [
        Refusal(
            Text(
                f"{who} 已列入东莞市物业服务企业黑名单（{since} 至 {until}）："
                f"{localise(entry['reason'], 'zh')}",
                f"{who} is on Dongguan's blacklist of property firms ({since} to {until}): "
                f"{localise(entry['reason'], 'en')}",
            ),
            code="PLUGIN_REFUSED",
        )
    ]


async def provider_violations(purchase: ServicePurchase) -> list[Violation]:
    day = today()
    if purchase.provider_kind == "firm":
        entries = await BlacklistEntry.filter(active(day), firm_id=purchase.provider_id).values(
            "reason"
        )
    else:
        entries = await BlacklistEntry.filter(
            active(day), organisation_id=purchase.provider_id
        ).values("reason")
    return [
        Violation(
            "providerId",
            Text(
                f"承接主体已列入黑名单：{localise(e['reason'], 'zh')}",
                f"the provider is blacklisted: {localise(e['reason'], 'en')}",
            ),
        )
        for e in entries[:1]
    ]


BLACKLIST_FIELDS = (
    "id",
    "firm_id",
    "organisation_id",
    "reason",
    "source",
    "listed_on",
    "listed_until",
    "removed_on",
    "removal_reason",
)


# --- admins -------------------------------------------------------------------------------------


async def add_to_blacklist(
    principal: Principal,
    s: DongguanAssessmentSettings,
    reason: str,
    firm_id: int | None = None,
    organisation_id: int | None = None,
) -> dict[str, Any]:
    """An admin lists a firm or a social organisation by hand, with the reason."""
    require_role(principal, ADMINS)
    errors = []
    if not reason.strip():
        errors.append(DomainError("REQUIRED", "reason"))
    if (firm_id is None) == (organisation_id is None):
        errors.append(
            violation("firmId", Text("指定企业或社会组织之一", "name a firm or an organisation"))
        )
    elif firm_id is not None and not await Firm.filter(id=firm_id).exists():
        errors.append(DomainError("NOT_FOUND", "firmId"))
    elif organisation_id is not None and not await Organisation.filter(id=organisation_id).exists():
        errors.append(DomainError("NOT_FOUND", "organisationId"))
    day = today()
    subject = Q(firm_id=firm_id) if firm_id is not None else Q(organisation_id=organisation_id)
    if not errors and await BlacklistEntry.filter(active(day), subject).exists():
        errors.append(
            violation(
                "firmId" if firm_id else "organisationId", Text("已在黑名单", "already listed")
            )
        )
    if errors:
        raise ValidationErrors(errors)
    row = await BlacklistEntry.create(
        firm_id=firm_id,
        organisation_id=organisation_id,
        reason=reason.strip()[:500],
        source="ADMIN",
        listed_on=day,
        listed_until=_add_months(day, s.blacklist_months),
        listed_by=principal.subject or "",
    )
    return (await BlacklistEntry.filter(id=row.id).values(*BLACKLIST_FIELDS))[0]


async def entry_by_id(entry_id: int) -> dict[str, Any] | None:
    """One blacklist entry, lifted or not (the blacklist is public: dongguanBlacklist)."""
    rows = await BlacklistEntry.filter(id=entry_id).values(*BLACKLIST_FIELDS)
    return rows[0] if rows else None


async def remove_from_blacklist(principal: Principal, entry_id: int, reason: str) -> dict[str, Any]:
    """An admin lifts a listing before it lapses; the reason is kept with the entry."""
    require_role(principal, ADMINS)
    errors = []
    if not reason.strip():
        errors.append(DomainError("REQUIRED", "reason"))
    day = today()
    if not await BlacklistEntry.filter(active(day), id=entry_id).exists():
        errors.append(DomainError("NOT_FOUND", "entryId"))
    if errors:
        raise ValidationErrors(errors)
    await BlacklistEntry.filter(id=entry_id).update(
        removed_on=day, removal_reason=reason.strip()[:500], removed_by=principal.subject or ""
    )
    return (await BlacklistEntry.filter(id=entry_id).values(*BLACKLIST_FIELDS))[0]
