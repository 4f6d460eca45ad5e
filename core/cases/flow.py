"""Moving a case through its workflow: advance, reopen after a poor evaluation, escalate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Count, Sum

from core.cases import escalations
from core.cases.change import (
    announce_case,
    case_for_change,
    check_version,
    fresh_row,
    record_transition,
    require_mover,
    require_open,
    require_stage,
    stage_due_on,
    visible_case,
    write_case,
)
from core.cases.live import case_change
from core.cases.rules import rules_for
from core.cases.visibility import visible_cases
from core.cases.workflow import (
    ANY_MOVER,
    REOPEN_FROM,
    REOPEN_TO,
    STAFF,
    Need,
    movers_of,
    stages_of,
    step_from,
)
from core.infra import calendar, clock
from core.infra.enums import (
    CaseKind,
    CaseStage,
    EscalationLevel,
    MediationOutcome,
    Role,
    TransitionKind,
)
from core.infra.errors import DomainError, ValidationErrors
from core.infra.tenancy import current_city
from core.models import (
    CouncilAgendaItem,
    ExecutorAssignment,
    MediationSession,
    ProgressReport,
    ResidentRating,
)
from core.plugins import calls as plugins
from core.plugins.events import CaseStageChanged
from core.security.access import require_role
from core.security.auth import Principal

NOTE_MAX = 2000
REOPENERS = STAFF


@dataclass(frozen=True)
class AdvanceInput:
    case_id: int
    version: int
    to_stage: str
    note: str = ""
    reply: str | None = None  # COMPLETED -> REPLIED
    mediation_outcome: MediationOutcome | None = None  # MEDIATING -> CLOSED


def _target(row: dict[str, Any], to_stage: str) -> CaseStage:
    try:
        target = CaseStage(to_stage)
    except ValueError:
        raise DomainError("UNKNOWN_STAGE", "toStage", stage=to_stage) from None
    kind = CaseKind(row["kind"])
    if target not in stages_of(kind):
        raise DomainError("STAGE_NOT_IN_WORKFLOW", "toStage", stage=target.value, kind=kind.value)
    return target


async def _missing(row: dict[str, Any], need: Need, data: AdvanceInput) -> DomainError | None:
    case_id = row["id"]
    match need:
        case Need.TOPIC:
            if not row["topic"] or not row["category"]:
                return DomainError("TOPIC_MISSING", "topic")
        case Need.DECISION:
            decided = CouncilAgendaItem.filter(
                case_id=case_id, meeting__held=True, decision__isnull=False
            ).exclude(decision="")
            if not await decided.exists():
                return DomainError("DECISION_MISSING", "decision")
        case Need.EXECUTOR:
            assigned = ExecutorAssignment.filter(case_id=case_id, round=row["round"])
            if not await assigned.exists():
                return DomainError("EXECUTOR_MISSING", "executor")
        case Need.PROGRESS:
            reports = ProgressReport.filter(case_id=case_id, round=row["round"])
            if not await reports.filter(supervisor_id__isnull=True).exists():
                return DomainError("PROGRESS_MISSING", "progress")
        case Need.SUPERVISION:
            reports = ProgressReport.filter(case_id=case_id, round=row["round"])
            if not await reports.filter(supervisor_id__isnull=False).exists():
                return DomainError("SUPERVISION_MISSING", "supervision")
        case Need.RATINGS:
            if not await ResidentRating.filter(case_id=case_id, round=row["round"]).exists():
                return DomainError("RATINGS_MISSING", "ratings")
        case Need.REPLY:
            if not (data.reply or "").strip():
                return DomainError("REQUIRED", "reply")
        case Need.MEDIATOR:
            if row["mediator_id"] is None:
                return DomainError("MEDIATOR_MISSING", "mediator")
        case Need.SESSION:
            if not await MediationSession.filter(case_id=case_id).exists():
                return DomainError("SESSION_MISSING", "sessions")
        case Need.OUTCOME:
            if data.mediation_outcome is None:
                return DomainError("REQUIRED", "mediationOutcome")
    return None


async def advance_case(principal: Principal, data: AdvanceInput) -> dict[str, Any]:
    """Move a case to the next stage of its workflow; returns the case's new row.

    The caller's authority is checked before anything about the case or the input (docs/
    security.md, "The order of checks"): a role that moves no step of any workflow, then
    the case's visibility, then the roles that may move this case from its current stage;
    only then the requested stage, the version and what the stage needs.
    """
    require_role(principal, ANY_MOVER)
    async with case_change():
        row = await visible_case(principal, data.case_id)
        kind = CaseKind(row["kind"])
        require_mover(principal, movers_of(kind), row["stage"])
        require_open(row)
        step = step_from(kind, CaseStage(row["stage"]))
        assert step is not None  # only CLOSED has no step, and closed cases were refused
        require_mover(principal, step.movers, row["stage"])
        check_version(row, data.version)
        if len(data.note) > NOTE_MAX:
            raise DomainError("TOO_LONG", "note", max=NOTE_MAX)
        target = _target(row, data.to_stage)
        if target is not step.next:
            raise DomainError(
                "OUT_OF_ORDER",
                "toStage",
                stage=row["stage"],
                expected=step.next.value,
                requested=target.value,
            )
        errors = [e for need in step.needs if (e := await _missing(row, need, data))]
        if errors:
            raise ValidationErrors(errors)
        now = clock.now()
        changes: dict[str, Any] = {
            "stage": target,
            "stage_entered_at": now,
            "stage_due_on": stage_due_on(target, now),
        }
        if data.reply is not None and Need.REPLY in step.needs:
            changes["reply"] = data.reply.strip()
        if data.mediation_outcome is not None and Need.OUTCOME in step.needs:
            changes["mediation_outcome"] = data.mediation_outcome
        new = await write_case(row, data.version, **changes)
        await _moved(principal, row, new, TransitionKind.ADVANCED, data.note.strip(), now)
    return await fresh_row(data.case_id)


async def _moved(
    principal: Principal,
    old: dict[str, Any],
    new: dict[str, Any],
    kind: TransitionKind,
    note: str,
    now: dt.datetime,
) -> None:
    await record_transition(principal, new, kind, old["stage"], note, at=now)
    await plugins.emit_case_stage_changed(
        CaseStageChanged(
            city=current_city(),
            occurred_at=now,
            actor=principal.subject,
            case_id=new["id"],
            compound_id=new["compound_id"],
            from_stage=str(old["stage"]),
            to_stage=str(new["stage"]),
            note=note,
            version=new["version"],
        )
    )
    announce_case(new, kind.value)


async def rating_summary(case_id: int, round: int) -> tuple[int, float | None]:
    rows = (
        await ResidentRating.filter(case_id=case_id, round=round)
        .annotate(n=Count("id"), total=Sum("score"))
        .values("n", "total")
    )
    if not rows or not rows[0]["n"]:
        return 0, None
    # Summed, not averaged in SQL: AVG over an integer column comes back truncated.
    return rows[0]["n"], rows[0]["total"] / rows[0]["n"]


async def reopen_case(
    principal: Principal, case_id: int, version: int, note: str = ""
) -> dict[str, Any]:
    """Send a case the residents rated under the city's threshold back to execution."""
    require_role(principal, REOPENERS)  # before the case is read: see advance_case
    async with case_change():
        row = await case_for_change(principal, case_id)
        check_version(row, version)
        require_stage(row, REOPEN_FROM)
        threshold = rules_for(current_city()).evaluation_threshold
        count, mean = await rating_summary(case_id, row["round"])
        if mean is None or mean >= threshold:
            raise DomainError("NOT_BELOW_THRESHOLD", "caseId", mean=mean, threshold=threshold)
        now = clock.now()
        new = await write_case(
            row,
            version,
            stage=REOPEN_TO,
            stage_entered_at=now,
            stage_due_on=stage_due_on(REOPEN_TO, now),
            round=row["round"] + 1,
        )
        text = note.strip() or f"mean rating {mean:.2f} of {count} below {threshold:g}"
        await _moved(principal, row, new, TransitionKind.REOPENED, text, now)
    return await fresh_row(case_id)


NEXT_LEVEL = {
    EscalationLevel.COMMUNITY: EscalationLevel.STREET,
    EscalationLevel.STREET: EscalationLevel.CITY,
}
ESCALATORS = frozenset({Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})


async def escalate_overdue(principal: Principal, as_of: dt.date) -> list[int]:
    """Escalate every visible open case overdue in its stage on `as_of` one level up.

    The case gets the stage's time limit again at the new level, so it escalates once per
    lapse, not once per call. Each case is its own transaction: one conflict (a worker
    moving the case at the same moment) skips that case, not the batch.
    """
    require_role(principal, ESCALATORS)
    query = visible_cases(principal)
    if query is None:
        return []
    candidates = (
        await query.filter(stage_due_on__lt=as_of, escalation_level__in=list(NEXT_LEVEL))
        .exclude(stage=CaseStage.CLOSED)
        .values("id", "version")
    )
    escalated = []
    for candidate in candidates:
        try:
            async with case_change():
                row = await case_for_change(principal, candidate["id"])
                check_version(row, candidate["version"])
                level = NEXT_LEVEL[EscalationLevel(row["escalation_level"])]
                due = row["stage_due_on"]
                now = clock.now()
                days = rules_for(current_city()).days_for(CaseStage(row["stage"])) or 0
                new = await write_case(
                    row,
                    candidate["version"],
                    escalation_level=level,
                    stage_due_on=calendar.add_working_days(as_of, days),
                )
                stage = CaseStage(row["stage"])
                note = escalations.reason(stage, due).stored()
                await record_transition(
                    principal, new, TransitionKind.ESCALATED, row["stage"], note, level, now
                )
                # The receiving desk's queue (core/cases/escalations.py).
                await escalations.record(principal, new, level, stage, due, as_of, now)
                announce_case(new, TransitionKind.ESCALATED.value)
        except DomainError as e:
            if e.code != "VERSION_CONFLICT":
                raise
            continue
        escalated.append(candidate["id"])
    return escalated
