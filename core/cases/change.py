"""The pieces every change of a case shares: find it for the caller, check it is open and
unchanged, write it under its version, keep the timeline, tell plugins and subscribers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.cases.live import CaseUpdate, announce
from core.cases.rules import rules_for
from core.cases.visibility import CASE_FIELDS, visible_cases
from core.infra import calendar, clock
from core.infra.enums import CaseStage, EscalationLevel, Role, TransitionKind
from core.infra.errors import AuthError, DomainError
from core.infra.tenancy import current_city
from core.models import Case, CaseTransition
from core.security.access import require_role
from core.security.auth import Principal

AUTHENTICATED = frozenset(Role) - {Role.ANONYMOUS}


async def visible_case(principal: Principal, case_id: int, field: str = "caseId") -> dict[str, Any]:
    """The case's row if the caller may see it, open or closed; NOT_FOUND otherwise.

    Outside the caller's scope reads the same as absent, so scope never tells what exists.
    """
    require_role(principal, AUTHENTICATED)
    query = visible_cases(principal)
    rows = [] if query is None else await query.filter(id=case_id).values(*CASE_FIELDS)
    if not rows:
        raise DomainError("NOT_FOUND", field)
    return rows[0]


def require_open(row: dict[str, Any], field: str = "caseId") -> None:
    if row["stage"] == CaseStage.CLOSED:
        raise DomainError("CASE_CLOSED", field)


async def case_for_change(
    principal: Principal, case_id: int, field: str = "caseId"
) -> dict[str, Any]:
    """The case's row if the caller may see it and it is still open.

    The caller's role is checked before this (`require_role` with the operation's roles):
    a caller who may never act learns nothing about the case, not even that it is closed.
    """
    row = await visible_case(principal, case_id, field)
    require_open(row, field)
    return row


def require_stage(row: dict[str, Any], *stages: CaseStage) -> None:
    if row["stage"] not in stages:
        expected = ", ".join(s.value for s in stages)
        raise DomainError("WRONG_STAGE", "caseId", stage=row["stage"], expected=expected)


def require_mover(principal: Principal, allowed: frozenset[Role], stage: str) -> None:
    if principal.role not in allowed:
        raise AuthError("STAGE_FORBIDDEN", "caseId", role=principal.role.value, stage=stage)


def check_version(row: dict[str, Any], version: int | None) -> None:
    if version is not None and version != row["version"]:
        raise DomainError("VERSION_CONFLICT", "version", current=row["version"])


def stage_due_on(stage: CaseStage, entered: dt.datetime) -> dt.date | None:
    """The working day by which a case entering `stage` at `entered` must leave it."""
    days = rules_for(current_city()).days_for(stage)
    if days is None:
        return None
    return calendar.add_working_days(clock.local_date(entered, current_city()), days)


async def write_case(row: dict[str, Any], version: int, **changes: Any) -> dict[str, Any]:
    """Update the case only if it still has `version`; the loser of a race changes nothing.

    A conditional UPDATE and its row count, inside the caller's transaction: on PostgreSQL
    the second writer waits for the first's row lock, then finds the version moved on.
    """
    written = await Case.filter(id=row["id"], version=version).update(
        version=version + 1, **changes
    )
    if written != 1:
        raise DomainError("VERSION_CONFLICT", "version", current=version + 1)
    return {**row, **changes, "version": version + 1}


async def record_transition(
    principal: Principal,
    row: dict[str, Any],
    kind: TransitionKind,
    from_stage: str | None,
    note: str = "",
    level: EscalationLevel | None = None,
    at: dt.datetime | None = None,
) -> None:
    await CaseTransition.create(
        case_id=row["id"],
        kind=kind,
        from_stage=from_stage,
        to_stage=row["stage"],
        actor_subject=principal.subject,
        actor_role=principal.role.value,
        note=note,
        escalation_level=level,
        occurred_at=at or clock.now(),
    )


def announce_case(row: dict[str, Any], change: str) -> None:
    announce(
        CaseUpdate(
            city=current_city(),
            case_id=row["id"],
            compound_id=row["compound_id"],
            version=row["version"],
            stage=str(row["stage"]),
            change=change,
        )
    )


async def fresh_row(case_id: int) -> dict[str, Any]:
    rows = await Case.filter(id=case_id).values(*CASE_FIELDS)
    return rows[0]
