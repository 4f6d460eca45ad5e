"""The desks' escalation queue: each escalation of an overdue case goes to a desk, the case's
street desk (level STREET) or the city desk (level CITY), which reads it with the reason and
the working days overdue, and acknowledges it when it takes the case up (docs/cases.md).

The escalation run (core.cases.flow.escalate_overdue) writes one row per escalation beside
the ESCALATED timeline entry, in the same savepoint. A desk is covered by a caller's scope:
a street admin's covers their street's desk, a city or platform admin's every desk. The
case's own visibility applies on top (core/cases/visibility.py), so the queue never lists a
case the caller could not read through `cases`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core.cases.reports import working_days_overdue
from core.cases.visibility import visible_cases
from core.infra import clock
from core.infra.enums import CaseStage, EscalationLevel
from core.infra.errors import DomainError
from core.infra.i18n import Text, message
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import CaseEscalation, Compound
from core.security.access import ESCALATION_DESKS, desk_scope, require_role
from core.security.auth import Principal

DESKS = ESCALATION_DESKS

FIELDS = (
    "id",
    "case_id",
    "level",
    "street_id",
    "stage",
    "due_on",
    "escalated_on",
    "escalated_at",
    "escalated_by_subject",
    "acknowledged_at",
    "acknowledged_by_subject",
)
NEWEST = Ordering("escalated_at", descending=True)


def reason(stage: CaseStage, due: dt.date) -> Text:
    """Why a case escalated, in both languages: the timeline's note and the queue's reason."""
    zh, en = (
        message("ESCALATION_NOTE", lang, stage=stage.label(lang), due=due.isoformat())
        for lang in ("zh", "en")
    )
    return Text(zh, en)


async def record(
    principal: Principal,
    case: dict[str, Any],
    level: EscalationLevel,
    stage: CaseStage,
    due: dt.date,
    as_of: dt.date,
    at: dt.datetime,
) -> None:
    """Put one escalation in the receiving desk's queue (inside the run's savepoint)."""
    street = await Compound.filter(id=case["compound_id"]).values_list(
        "community__street_id", flat=True
    )
    await CaseEscalation.create(
        case_id=case["id"],
        level=level,
        street_id=street[0],
        stage=stage,
        due_on=due,
        escalated_on=as_of,
        escalated_at=at,
        escalated_by_subject=principal.subject or None,
    )


@dataclass(frozen=True)
class QueueFilter:
    level: EscalationLevel | None = None
    street_id: int | None = None
    since: dt.date | None = None  # escalated on or after
    acknowledged: bool | None = None


def _queue(principal: Principal) -> QuerySet[CaseEscalation]:
    """The escalations at the desks the caller's scope covers, of cases it may read."""
    require_role(principal, DESKS)
    cases = visible_cases(principal)
    if cases is None:
        return CaseEscalation.filter(id__in=[])
    query = CaseEscalation.filter(case_id__in=Subquery(cases.values("id")))
    desks = desk_scope(principal)
    return query if desks is None else query.filter(desks)


def _with_days(row: dict[str, Any]) -> dict[str, Any]:
    # Working days past the lapsed deadline on the run's day, on the calendar the figures
    # and `workingDaysInStage` count with (core.cases.reports).
    return {**row, "days_overdue": working_days_overdue(row["due_on"], row["escalated_on"])}


async def escalated_cases(
    principal: Principal, where: QueueFilter | None, page: PageRequest
) -> Page:
    """The caller's desks' queue, newest escalation first; `where` narrows it."""
    query = _queue(principal)
    if where is not None:
        q = Q()
        if where.level is not None:
            q &= Q(level=where.level)
        if where.street_id is not None:
            q &= Q(street_id=where.street_id)
        if where.since is not None:
            q &= Q(escalated_on__gte=where.since)
        if where.acknowledged is not None:
            q &= Q(acknowledged_at__isnull=not where.acknowledged)
        query = query.filter(q)
    found = await paginate(query, NEWEST, page, FIELDS)
    found.rows = [_with_days(r) for r in found.rows]
    return found


async def acknowledge(principal: Principal, escalation_id: int) -> dict[str, Any]:
    """The desk takes the escalated case up: the first acknowledgement stands, a repeat
    changes nothing and answers the entry as it is (so a retried request is harmless).

    An entry at a desk the caller's scope does not cover reads as absent (NOT_FOUND)."""
    query = _queue(principal).filter(id=escalation_id)
    if not await query.exists():
        raise DomainError("NOT_FOUND", "escalationId")
    # Conditional: of two desks acknowledging at once, the first keeps its name on it.
    await CaseEscalation.filter(id=escalation_id, acknowledged_at__isnull=True).update(
        acknowledged_at=clock.now(), acknowledged_by_subject=principal.subject or None
    )
    return _with_days((await CaseEscalation.filter(id=escalation_id).values(*FIELDS))[0])
