"""Dongguan's credit record of property firms and its blacklist.

Deductions are recorded per firm with reason and source (an admin's record, a failed
assessment). The blacklist rule comes from settings: failing `blacklist_after_failures`
assessments in a row, a serious violation, or `blacklist_points_in_year` points deducted
within twelve months put the firm on the blacklist with the reason, for
`blacklist_months`; an admin may remove it earlier, with a reason. A blacklisted firm is
refused new management contracts and service purchases (check_firm_eligibility); a
blacklisted social organisation is refused as a purchase's provider.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q

from plugins.dongguan_assessment.models import BlacklistEntry, CreditDeduction, FirmAssessment
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from schema.plugin_api import (
    BLACKLIST,
    INCREASED_INSPECTION,
    NO_NEW_CONTRACTS,
    NO_SERVICE_PURCHASE,
    PENALTY_POINTS,
    PUBLIC_NOTICE,
    WRITTEN_WARNING,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    DomainError,
    Principal,
    Refusal,
    Role,
    Score,
    ServicePurchase,
    Text,
    ValidationErrors,
    Violation,
    current_city,
    local_date,
    localise,
    now,
    number,
    require_role,
)
from schema.plugin_api.models import Firm, Organisation

ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
LEVEL_LABELS = {
    "BLACKLISTED": ("黑名单", "Blacklisted"),
    "EXCELLENT": ("优秀", "Excellent"),
    "GOOD": ("良好", "Good"),
    "PASS": ("合格", "Pass"),
    "FAIL": ("不合格", "Fail"),
    "UNASSESSED": ("未考核", "Not assessed"),
}
YEAR = dt.timedelta(days=365)


def today() -> dt.date:
    return local_date(now(), current_city())


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _active(day: dt.date) -> Q:
    return Q(listed_on__lte=day, listed_until__gte=day) & (
        Q(removed_on__isnull=True) | Q(removed_on__gt=day)
    )


async def active_entries(day: dt.date, firm_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = (
        await BlacklistEntry.filter(_active(day), firm_id__in=firm_ids)
        .order_by("listed_on", "id")
        .values("id", "firm_id", "reason", "listed_on", "listed_until")
    )
    return {r["firm_id"]: r for r in rows}


# --- recording --------------------------------------------------------------------------------


async def deduct(
    s: DongguanAssessmentSettings,
    firm_id: int,
    kind: str,
    points: Decimal,
    reason: str | Text,
    source: str,
    on: dt.date,
    actor: str,
    severity: str | None = None,
) -> dict[str, Any]:
    row = await CreditDeduction.create(
        firm_id=firm_id,
        kind=kind,
        points=points,
        severity=severity,
        reason=_kept(reason),
        source=source[:40],
        occurred_on=on,
        recorded_by=actor,
    )
    await _points_rule(s, firm_id, on, actor)
    return (await CreditDeduction.filter(id=row.id).values(*DEDUCTION_FIELDS))[0]


async def _points_rule(
    s: DongguanAssessmentSettings, firm_id: int, on: dt.date, actor: str
) -> None:
    if s.blacklist_points_in_year is None:
        return
    points = await CreditDeduction.filter(
        firm_id=firm_id, occurred_on__gt=on - YEAR, occurred_on__lte=on
    ).values_list("points", flat=True)
    total = sum((Decimal(p) for p in points), Decimal(0))
    if total >= s.blacklist_points_in_year:
        total_, limit = number(total), number(s.blacklist_points_in_year)
        reason = Text(
            f"12个月内累计扣分 {total_} 分，达到 {limit} 分",
            f"{total_} points deducted within twelve months, reaching {limit}",
        )
        await blacklist_firm(s, firm_id, reason, "RULE:points", on, actor)


async def blacklist_firm(
    s: DongguanAssessmentSettings,
    firm_id: int,
    reason: str | Text,
    source: str,
    on: dt.date,
    actor: str,
) -> bool:
    """List the firm unless it is listed already on that day; True when listed now."""
    if await BlacklistEntry.filter(_active(on), firm_id=firm_id).exists():
        return False
    await BlacklistEntry.create(
        firm_id=firm_id,
        reason=_kept(reason),
        source=source[:40],
        listed_on=on,
        listed_until=_add_months(on, s.blacklist_months),
        listed_by=actor,
    )
    return True


async def lift(firm_id: int, reason: str | Text, on: dt.date, actor: str) -> int:
    return await BlacklistEntry.filter(_active(on), firm_id=firm_id).update(
        removed_on=on, removal_reason=_kept(reason), removed_by=actor
    )


# --- hooks --------------------------------------------------------------------------------------


async def consequences(
    s: DongguanAssessmentSettings, firm_id: int, score: Score
) -> list[CreditConsequence]:
    """A failed assessment costs points; `blacklist_after_failures` in a row blacklist."""
    if score.value >= s.pass_score:
        return []
    got, needed = number(score.value), number(s.pass_score)
    found = [
        CreditConsequence(
            PENALTY_POINTS,
            Text(f"考核得分 {got} 低于合格分 {needed}", f"assessment score {got} below {needed}"),
            points=int(s.failing_deduction_points),
        )
    ]
    # The assessment being recorded is the firm's latest row (written before this hook).
    latest = (
        await FirmAssessment.filter(firm_id=firm_id)
        .order_by("-period_start", "-id")
        .first()
        .values("period_kind")
    )
    if latest is None:
        return found
    recent = (
        await FirmAssessment.filter(firm_id=firm_id, period_kind=latest["period_kind"])
        .order_by("-period_start", "-id")
        .limit(s.blacklist_after_failures)
        .values("period", "passed")
    )
    if len(recent) == s.blacklist_after_failures and not any(r["passed"] for r in recent):
        periods = "、".join(r["period"] for r in reversed(recent))
        why = Text(
            f"连续 {len(recent)} 次考核不合格（{periods}）",
            f"failed {len(recent)} assessments in a row ({periods.replace('、', ', ')})",
        )
        found.append(CreditConsequence(BLACKLIST, why))
    return found


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
        entries = await BlacklistEntry.filter(_active(day), firm_id=purchase.provider_id).values(
            "reason"
        )
    else:
        entries = await BlacklistEntry.filter(
            _active(day), organisation_id=purchase.provider_id
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


async def standings(
    s: DongguanAssessmentSettings, firm_ids: list[int], as_of: dt.date
) -> dict[int, CreditStanding]:
    """Blacklisted, else the grade of the latest assessment ended by `as_of`; deductions of
    the last twelve months are reasons, and a written warning past half the blacklist points."""
    listed = await active_entries(as_of, firm_ids)
    assessed = (
        await FirmAssessment.filter(firm_id__in=firm_ids, run__period_end__lte=as_of)
        .order_by("firm_id", "-period_start", "-id")
        .values("firm_id", "period", "score", "grade", "rank")
    )
    latest: dict[int, dict[str, Any]] = {}
    for r in assessed:
        latest.setdefault(r["firm_id"], r)
    deducted = await CreditDeduction.filter(
        firm_id__in=firm_ids, occurred_on__gt=as_of - YEAR, occurred_on__lte=as_of
    ).values("firm_id", "points", "reason")
    points: dict[int, Decimal] = {}
    reasons: dict[int, list[Text]] = {}
    for d in deducted:
        points[d["firm_id"]] = points.get(d["firm_id"], Decimal(0)) + Decimal(d["points"])
        n = number(Decimal(d["points"]))
        reasons.setdefault(d["firm_id"], []).append(
            Text(
                f"扣 {n} 分：{localise(d['reason'], 'zh')}",
                f"{n} points deducted: {localise(d['reason'], 'en')}",
            )
        )

    found = {}
    for firm_id in firm_ids:
        assessment = latest.get(firm_id)
        score = Decimal(assessment["score"]) if assessment else None
        why = list(reasons.get(firm_id, []))
        if firm_id in listed:
            entry = listed[firm_id]
            found[firm_id] = _standing(
                "BLACKLISTED",
                score,
                (NO_NEW_CONTRACTS, NO_SERVICE_PURCHASE, PUBLIC_NOTICE),
                (
                    Text(
                        f"黑名单：{localise(entry['reason'], 'zh')}",
                        f"Blacklisted: {localise(entry['reason'], 'en')}",
                    ),
                    *why,
                ),
                entry["listed_until"],
                blacklisted=True,
            )
            continue
        if assessment is None and firm_id not in points:
            continue
        level = assessment["grade"] if assessment else "UNASSESSED"
        restrictions: list[str] = []
        if level == "FAIL":
            restrictions += [WRITTEN_WARNING, INCREASED_INSPECTION]
        limit = s.blacklist_points_in_year
        if (
            limit is not None
            and points.get(firm_id, Decimal(0)) * 2 >= limit
            and WRITTEN_WARNING not in restrictions
        ):
            restrictions.append(WRITTEN_WARNING)
        if assessment:
            period, got, rank = (
                assessment["period"],
                number(assessment["score"]),
                assessment["rank"],
            )
            why.insert(
                0,
                Text(
                    f"{period} 考核 {got} 分，第 {rank} 名",
                    f"{period} assessment {got}, rank {rank}",
                ),
            )
        found[firm_id] = _standing(level, score, tuple(restrictions), tuple(why), None)
    return found


def _standing(
    level: str,
    score: Decimal | None,
    restrictions: tuple[str, ...],
    reasons: tuple[Text, ...],
    until: dt.date | None,
    blacklisted: bool = False,
) -> CreditStanding:
    zh, en = LEVEL_LABELS[level]
    return CreditStanding(
        regime=NAME,
        level=level,
        label_zh=zh,
        label_en=en,
        score=score,
        restrictions=restrictions,
        reasons=reasons,
        valid_until=until,
        blacklisted=blacklisted,
    )


async def record_event(s: DongguanAssessmentSettings, event: CreditEvent) -> CreditRecord:
    """recordCreditEvent in Dongguan: a deduction (points > 0) of a kind the settings allow;
    a serious violation blacklists at once."""
    errors = []
    if event.kind not in s.deduction_kinds:
        allowed = ", ".join(s.deduction_kinds)
        errors.append(_violation("kind", Text(f"应为 {allowed} 之一", f"must be one of {allowed}")))
    serious = event.kind in s.serious_violation_kinds
    if event.points is None and not serious:
        errors.append(DomainError("REQUIRED", "points"))
    elif event.points is not None and not (0 < event.points <= 100):
        errors.append(DomainError("OUT_OF_RANGE", "points", min=0, max=100))
    if errors:
        raise ValidationErrors(errors)
    row = await deduct(
        s,
        event.firm_id,
        event.kind,
        event.points or Decimal(0),
        event.reason,
        event.source,
        event.occurred_on,
        event.actor,
        severity=event.severity or ("SERIOUS" if serious else None),
    )
    if serious:
        await blacklist_firm(
            s,
            event.firm_id,
            Text(f"严重违法违规：{event.reason}", f"serious violation: {event.reason}"),
            f"RULE:{event.kind}",
            event.occurred_on,
            event.actor,
        )
    return _record(row)


async def record_by_id(record_id: str) -> CreditRecord | None:
    """A deduction recordCreditEvent made, as it stands now (the credit_record hook)."""
    if not record_id.isdigit():
        return None
    rows = await CreditDeduction.filter(id=int(record_id)).values(*DEDUCTION_FIELDS)
    return _record(rows[0]) if rows else None


def _record(row: dict[str, Any]) -> CreditRecord:
    return CreditRecord(
        id=str(row["id"]),
        firm_id=row["firm_id"],
        kind=row["kind"],
        reason=row["reason"],
        source=row["source"],
        occurred_on=row["occurred_on"],
        points=Decimal(row["points"]),
        severity=row["severity"],
    )


def _kept(reason: str | Text) -> str:
    # Rule-made reasons are kept in both languages; an admin's typed reason as typed.
    if isinstance(reason, Text):
        both = reason.stored()
        return both if len(both) <= 500 else reason.zh[:500]
    return reason[:500]


def _violation(field: str, reason: str | Text) -> DomainError:
    return DomainError("PLUGIN_RULE_VIOLATED", field, reason=reason, plugin=NAME)


DEDUCTION_FIELDS = (
    "id",
    "firm_id",
    "kind",
    "points",
    "severity",
    "reason",
    "source",
    "occurred_on",
)
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
            _violation("firmId", Text("指定企业或社会组织之一", "name a firm or an organisation"))
        )
    elif firm_id is not None and not await Firm.filter(id=firm_id).exists():
        errors.append(DomainError("NOT_FOUND", "firmId"))
    elif organisation_id is not None and not await Organisation.filter(id=organisation_id).exists():
        errors.append(DomainError("NOT_FOUND", "organisationId"))
    day = today()
    subject = Q(firm_id=firm_id) if firm_id is not None else Q(organisation_id=organisation_id)
    if not errors and await BlacklistEntry.filter(_active(day), subject).exists():
        errors.append(
            _violation(
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
    if not await BlacklistEntry.filter(_active(day), id=entry_id).exists():
        errors.append(DomainError("NOT_FOUND", "entryId"))
    if errors:
        raise ValidationErrors(errors)
    await BlacklistEntry.filter(id=entry_id).update(
        removed_on=day, removal_reason=reason.strip()[:500], removed_by=principal.subject or ""
    )
    return (await BlacklistEntry.filter(id=entry_id).values(*BLACKLIST_FIELDS))[0]
