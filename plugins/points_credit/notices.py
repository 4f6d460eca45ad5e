"""Notices of deduction and appeals: what the points regime writes and reads.

Called by the plugin's hooks (recording a deduction through the core's uniform
`recordCreditEvent`, standings) and by its own GraphQL fields (appeals, notices).
An upheld appeal removes the deduction's points on every day, past ones included: the
deduction should never have been made, so no consequence may follow from it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from plugins.points_credit import engine
from plugins.points_credit.models import PENDING, REJECTED, UPHELD, PointsAppeal, PointsDeduction
from plugins.points_credit.settings import NAME, PointsCreditSettings
from schema.plugin_api import (
    CityPlugins,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    DomainError,
    Ordering,
    Page,
    PageRequest,
    Principal,
    Role,
    Text,
    ValidationErrors,
    city_plugins,
    current_city,
    local_date,
    now,
    paginate,
    require_role,
    settings_of,
)

DEDUCTION = "DEDUCTION"
TEXT_MAX = 500
# Who files a firm's appeal (the firm hands it in at the street office) and who decides it.
APPEAL_FILERS = frozenset({Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
DECIDERS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})

NOTICE_FIELDS = (
    "id",
    "firm_id",
    "points",
    "reason",
    "source",
    "occurred_on",
    "notified_on",
    "rectify_by",
    "appeal_by",
    "removed_on",
    "removal_reason",
    "created_at",
)
APPEAL_FIELDS = (
    "id",
    "deduction_id",
    "grounds",
    "filed_on",
    "status",
    "decided_on",
    "decision_reason",
)


def _settings(city: CityPlugins) -> PointsCreditSettings:
    return settings_of(city, NAME, PointsCreditSettings)


def today() -> dt.date:
    return local_date(now(), current_city())


async def record_deduction(city: CityPlugins, event: CreditEvent) -> CreditRecord:
    """Write a notice of deduction; the caller's transaction commits it."""
    s = _settings(city)
    errors = []
    if event.kind != DEDUCTION:
        errors.append(DomainError("INVALID_ENUM", "kind"))
    points = event.points
    if points is None:
        errors.append(DomainError("REQUIRED", "points"))
    elif points != points.to_integral_value() or not 1 <= points <= s.max_points_per_deduction:
        errors.append(DomainError("OUT_OF_RANGE", "points", min=1, max=s.max_points_per_deduction))
    if event.severity is not None:
        errors.append(DomainError("INVALID_ENUM", "severity"))  # points say how much here
    if errors:
        raise ValidationErrors(errors)
    assert points is not None
    notified = today()
    row = await PointsDeduction.create(
        firm_id=event.firm_id,
        points=int(points),
        reason=event.reason,
        source=event.source,
        occurred_on=event.occurred_on,
        notified_on=notified,
        rectify_by=notified + dt.timedelta(days=s.rectification_days),
        appeal_by=notified + dt.timedelta(days=s.appeal_days),
        recorded_by=event.actor[:128],
    )
    return CreditRecord(
        id=str(row.id),
        firm_id=event.firm_id,
        kind=DEDUCTION,
        reason=row.reason,
        source=row.source,
        occurred_on=row.occurred_on,
        points=points,
    )


async def record_by_id(record_id: str) -> CreditRecord | None:
    """A notice recordCreditEvent made, as it stands now (the credit_record hook)."""
    if not record_id.isdigit():
        return None
    rows = await PointsDeduction.filter(id=int(record_id)).values(*NOTICE_FIELDS)
    if not rows:
        return None
    row = rows[0]
    return CreditRecord(
        id=str(row["id"]),
        firm_id=row["firm_id"],
        kind=DEDUCTION,
        reason=row["reason"],
        source=row["source"],
        occurred_on=row["occurred_on"],
        points=Decimal(row["points"]),
    )


async def standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> dict[int, CreditStanding]:
    """Every asked firm's standing: one statement for the whole batch."""
    rows = await PointsDeduction.filter(
        firm_id__in=firm_ids, occurred_on__lte=as_of, removed_on__isnull=True
    ).values("firm_id", "occurred_on", "points")
    by_firm: dict[int, list[engine.Deduction]] = {f: [] for f in firm_ids}
    for r in rows:
        by_firm[r["firm_id"]].append(engine.Deduction(r["occurred_on"], r["points"]))
    s = _settings(city)
    return {f: engine.standing(ds, as_of, s) for f, ds in by_firm.items()}


async def notices(firm_id: int | None, page: PageRequest) -> Page:
    """Notices of deduction, newest first, of one firm or of the whole city."""
    query = PointsDeduction.all()
    if firm_id is not None:
        query = query.filter(firm_id=firm_id)
    return await paginate(query, Ordering("id", descending=True), page, NOTICE_FIELDS)


async def appeal_by_id(appeal_id: int) -> dict[str, Any] | None:
    """One appeal, as a notice's `appeal` shows it (notices are public: pointsNotices)."""
    rows = await PointsAppeal.filter(id=appeal_id).values(*APPEAL_FIELDS)
    return rows[0] if rows else None


async def appeals_of(deduction_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await PointsAppeal.filter(deduction_id__in=deduction_ids).values(*APPEAL_FIELDS)
    return {r["deduction_id"]: r for r in rows}


def _text(value: str, field: str, errors: list[DomainError]) -> str:
    value = value.strip()
    if not value:
        errors.append(DomainError("REQUIRED", field))
    elif len(value) > TEXT_MAX:
        errors.append(DomainError("TOO_LONG", field, max=TEXT_MAX))
    return value


async def appeal(principal: Principal, deduction_id: int, grounds: str) -> dict[str, Any]:
    """File the firm's appeal against a deduction, within the notice's appeal window."""
    require_role(principal, APPEAL_FILERS)
    errors: list[DomainError] = []
    grounds = _text(grounds, "grounds", errors)
    found = await PointsDeduction.filter(id=deduction_id).values("appeal_by")
    if not found:
        errors.append(DomainError("NOT_FOUND", "noticeId"))
    elif today() > found[0]["appeal_by"]:
        errors.append(DomainError("APPEAL_WINDOW_CLOSED", "noticeId", until=found[0]["appeal_by"]))
    elif await PointsAppeal.filter(deduction_id=deduction_id).exists():
        errors.append(DomainError("DUPLICATE", "noticeId"))
    if errors:
        raise ValidationErrors(errors)
    async with in_transaction():
        row = await PointsAppeal.create(
            deduction_id=deduction_id, grounds=grounds, filed_on=today()
        )
    return (await PointsAppeal.filter(id=row.id).values(*APPEAL_FIELDS))[0]


async def decide(principal: Principal, appeal_id: int, upheld: bool, reason: str) -> dict[str, Any]:
    """Uphold (the points are removed, the deduction says why) or reject a pending appeal."""
    require_role(principal, DECIDERS)
    errors: list[DomainError] = []
    reason = _text(reason, "reason", errors)
    found = await PointsAppeal.filter(id=appeal_id).values("status", "deduction_id")
    if not found:
        errors.append(DomainError("NOT_FOUND", "appealId"))
    elif found[0]["status"] != PENDING:
        errors.append(DomainError("APPEAL_DECIDED", "appealId"))
    if errors:
        raise ValidationErrors(errors)
    day = today()
    async with in_transaction():
        # The status guard makes two concurrent decisions decide once.
        changed = await PointsAppeal.filter(id=appeal_id, status=PENDING).update(
            status=UPHELD if upheld else REJECTED,
            decided_on=day,
            decision_reason=reason,
            decided_by=(principal.subject or "")[:128],
        )
        if not changed:
            raise DomainError("APPEAL_DECIDED", "appealId")
        if upheld:
            await PointsDeduction.filter(id=found[0]["deduction_id"]).update(
                removed_on=day, removal_reason=_upheld(reason)
            )
    return (await PointsAppeal.filter(id=appeal_id).values(*APPEAL_FIELDS))[0]


async def current_settings() -> PointsCreditSettings:
    return _settings(await city_plugins())


def _upheld(reason: str) -> str:
    """Why the points were removed, kept in both languages (the decider's words as typed)."""
    both = Text(f"申诉成立：{reason}", f"appeal upheld: {reason}")
    stored = both.stored()
    return stored if len(stored) <= TEXT_MAX else both.zh[:TEXT_MAX]
