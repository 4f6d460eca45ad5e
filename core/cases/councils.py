"""Co-construction councils (共建议事会): scheduling, the record of a held meeting, and the
report of compounds overdue for one (at least one held meeting every six months)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from tortoise.expressions import Q, Subquery

from core.cases.change import announce_case
from core.cases.live import case_change
from core.cases.visibility import CASE_FIELDS, visible_cases
from core.cases.workflow import STAFF
from core.infra import clock
from core.infra.enums import CaseKind, CaseStage
from core.infra.errors import AuthError, DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import (
    Case,
    Compound,
    CouncilAgendaItem,
    CouncilMeeting,
    CouncilParticipant,
    Firm,
    ManagementContract,
    Organisation,
    Person,
)
from core.plugins import calls as plugins
from core.plugins.events import MeetingHeld
from core.security.access import compound_scope, require_compound_in_scope, require_role
from core.security.auth import Principal

MEETING_FIELDS = (
    "id",
    "compound_id",
    "held_on",
    "convener_id",
    "held",
    "attendance",
    "minutes",
    "created_at",
)
MINUTES_MAX = 20000
DECISION_MAX = 4000


@dataclass(frozen=True)
class ScheduleInput:
    compound_id: int
    held_on: dt.date
    convener_id: int
    agenda_case_ids: tuple[int, ...] = ()
    organisation_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()
    firm_ids: tuple[int, ...] = ()


async def _firm_errors(data: ScheduleInput) -> list[DomainError]:
    """Each invited firm exists and manages the compound on the meeting's day."""
    if await _missing_ids(Firm, data.firm_ids):
        return [DomainError("NOT_FOUND", "firmIds")]
    managing = ManagementContract.filter(
        compound_id=data.compound_id, starts_on__lte=data.held_on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=data.held_on))
    # Tortoise types every values_list() as rows of tuples; flat=True gives the values.
    firms = set(cast(list[int], await managing.values_list("firm_id", flat=True)))
    return [
        DomainError("NOT_COMPOUND_FIRM", f"firmIds[{i}]")
        for i, firm_id in enumerate(data.firm_ids)
        if firm_id not in firms
    ]


async def _missing_ids(model: Any, ids: Iterable[int]) -> set[int]:
    wanted = set(ids)
    found = set(await model.filter(id__in=list(wanted)).values_list("id", flat=True))
    return wanted - found


async def schedule_meeting(principal: Principal, data: ScheduleInput) -> dict[str, Any]:
    require_role(principal, STAFF)
    await require_compound_in_scope(principal, data.compound_id, "compoundId")
    errors: list[DomainError] = []
    convener = await Organisation.filter(id=data.convener_id).values("kind")
    if not convener:
        errors.append(DomainError("NOT_FOUND", "convenerId"))
    elif not str(convener[0]["kind"]).startswith("PARTY_"):
        errors.append(DomainError("CONVENER_NOT_PARTY", "convenerId"))
    if await _missing_ids(Organisation, data.organisation_ids):
        errors.append(DomainError("NOT_FOUND", "organisationIds"))
    if await _missing_ids(Person, data.person_ids):
        errors.append(DomainError("NOT_FOUND", "personIds"))
    errors += await _firm_errors(data)
    query = visible_cases(principal)
    cases = (
        []
        if query is None
        else await query.filter(id__in=list(data.agenda_case_ids)).values(
            "id", "compound_id", "kind", "stage"
        )
    )
    by_id = {c["id"]: c for c in cases}
    for i, case_id in enumerate(data.agenda_case_ids):
        case = by_id.get(case_id)
        where = f"agendaCaseIds[{i}]"
        if case is None:
            errors.append(DomainError("NOT_FOUND", where))
        elif case["compound_id"] != data.compound_id:
            errors.append(DomainError("OTHER_COMPOUND", where))
        elif case["kind"] != CaseKind.PROPERTY_DISPUTE or case["stage"] == CaseStage.CLOSED:
            errors.append(DomainError("NOT_ON_AGENDA", where))
    if errors:
        raise ValidationErrors(errors)
    async with case_change():
        meeting = await CouncilMeeting.create(
            compound_id=data.compound_id, held_on=data.held_on, convener_id=data.convener_id
        )
        for case_id in dict.fromkeys(data.agenda_case_ids):
            await CouncilAgendaItem.create(meeting_id=meeting.id, case_id=case_id)
        for org_id in dict.fromkeys(data.organisation_ids):
            await CouncilParticipant.create(meeting_id=meeting.id, organisation_id=org_id)
        for firm_id in dict.fromkeys(data.firm_ids):
            await CouncilParticipant.create(meeting_id=meeting.id, firm_id=firm_id)
        for person_id in dict.fromkeys(data.person_ids):
            await CouncilParticipant.create(meeting_id=meeting.id, person_id=person_id)
        for case in cases:
            announce_case(await _case_row(case["id"]), "MEETING_SCHEDULED")
    return (await CouncilMeeting.filter(id=meeting.id).values(*MEETING_FIELDS))[0]


async def _case_row(case_id: int) -> dict[str, Any]:
    return (await Case.filter(id=case_id).values(*CASE_FIELDS))[0]


@dataclass(frozen=True)
class RecordInput:
    meeting_id: int
    minutes: str
    attendance: int
    decisions: dict[int, str] = field(default_factory=dict)  # case id -> decision
    attended_organisation_ids: tuple[int, ...] = ()
    attended_person_ids: tuple[int, ...] = ()
    attended_firm_ids: tuple[int, ...] = ()


async def _meeting_for(principal: Principal, meeting_id: int) -> dict[str, Any]:
    rows = await CouncilMeeting.filter(id=meeting_id).values(*MEETING_FIELDS)
    if not rows:
        raise DomainError("NOT_FOUND", "meetingId")
    await require_compound_in_scope(principal, rows[0]["compound_id"], "meetingId")
    return rows[0]


async def record_meeting(principal: Principal, data: RecordInput) -> dict[str, Any]:
    """Save what a meeting did; it then counts as held. Decisions go per agenda case."""
    require_role(principal, STAFF)
    meeting = await _meeting_for(principal, data.meeting_id)
    errors: list[DomainError] = []
    if meeting["held"]:
        errors.append(DomainError("MEETING_ALREADY_HELD", "meetingId"))
    if meeting["held_on"] > clock.local_date(clock.now(), current_city()):
        # Its scheduled day has not come: it cannot have been held yet.
        errors.append(DomainError("DATE_IN_FUTURE", "meetingId"))
    if not data.minutes.strip():
        errors.append(DomainError("REQUIRED", "minutes"))
    elif len(data.minutes) > MINUTES_MAX:
        errors.append(DomainError("TOO_LONG", "minutes", max=MINUTES_MAX))
    if data.attendance < 0:
        errors.append(DomainError("NEGATIVE", "attendance"))
    # Tortoise types every values_list() as rows of tuples; flat=True gives the values.
    agenda = set(
        cast(
            list[int],
            await CouncilAgendaItem.filter(meeting_id=data.meeting_id).values_list(
                "case_id", flat=True
            ),
        )
    )
    for case_id, decision in data.decisions.items():
        if case_id not in agenda:
            errors.append(DomainError("NOT_ON_AGENDA", "decisions"))
        elif not decision.strip():
            errors.append(DomainError("REQUIRED", "decisions"))
        elif len(decision) > DECISION_MAX:
            errors.append(DomainError("TOO_LONG", "decisions", max=DECISION_MAX))
    if errors:
        raise ValidationErrors(errors)
    async with case_change():
        written = await CouncilMeeting.filter(id=data.meeting_id, held=False).update(
            held=True, minutes=data.minutes.strip(), attendance=data.attendance
        )
        if written != 1:  # recorded concurrently by someone else
            raise DomainError("MEETING_ALREADY_HELD", "meetingId")
        for case_id, decision in data.decisions.items():
            await CouncilAgendaItem.filter(meeting_id=data.meeting_id, case_id=case_id).update(
                decision=decision.strip()
            )
        participants = CouncilParticipant.filter(meeting_id=data.meeting_id)
        await participants.update(attended=False)
        await participants.filter(
            Q(organisation_id__in=list(data.attended_organisation_ids))
            | Q(person_id__in=list(data.attended_person_ids))
            | Q(firm_id__in=list(data.attended_firm_ids))
        ).update(attended=True)
        await plugins.emit_meeting_held(
            MeetingHeld(
                city=current_city(),
                occurred_at=clock.now(),
                actor=principal.subject,
                meeting_id=data.meeting_id,
                compound_id=meeting["compound_id"],
                held_on=meeting["held_on"],
                case_ids=tuple(sorted(agenda)),
            )
        )
        for case_id in sorted(agenda):
            announce_case(await _case_row(case_id), "MEETING_HELD")
    return (await CouncilMeeting.filter(id=data.meeting_id).values(*MEETING_FIELDS))[0]


def six_months_before(day: dt.date) -> dt.date:
    """The same day six calendar months earlier, or the last day of a shorter month."""
    months = day.year * 12 + day.month - 1 - 6
    year, month = divmod(months, 12)
    month += 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


async def overdue_councils(
    principal: Principal,
    as_of: dt.date,
    order: Ordering,
    page: PageRequest,
    fields: tuple[str, ...],
) -> Page:
    """Compounds in the caller's scope without a held meeting in (as_of - 6 months, as_of]."""
    require_role(principal, STAFF)
    since = six_months_before(as_of)
    held = CouncilMeeting.filter(held=True, held_on__gt=since, held_on__lte=as_of)
    query = Compound.exclude(id__in=Subquery(held.values("compound_id")))
    scope = compound_scope(principal)
    if scope is not None:
        query = query.filter(scope)
    return await paginate(query, order, page, fields)


async def meetings_of_cases(case_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each case's meetings (newest first) with the decision taken on it."""
    keys = list(set(case_ids))
    rows = await CouncilAgendaItem.filter(case_id__in=keys).values(
        "case_id", "decision", *(f"meeting__{f}" for f in MEETING_FIELDS)
    )
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    for r in sorted(rows, key=lambda r: (r["meeting__held_on"], r["meeting__id"]), reverse=True):
        meeting = {f: r[f"meeting__{f}"] for f in MEETING_FIELDS}
        grouped[r["case_id"]].append({**meeting, "decision": r["decision"]})
    return grouped


async def meetings_of_compound(principal: Principal, compound_id: int) -> list[dict[str, Any]]:
    # Minutes and decisions about residents' disputes are not part of the public directory.
    if not principal.authenticated:
        raise AuthError("AUTH_REQUIRED")
    await require_compound_in_scope(principal, compound_id, "compoundId")
    return list(
        await CouncilMeeting.filter(compound_id=compound_id)
        .order_by("-held_on", "-id")
        .limit(100)
        .values(*MEETING_FIELDS)
    )


async def meeting_by_id(principal: Principal, meeting_id: int) -> dict[str, Any] | None:
    """One meeting as `councilMeetings` shows it to the caller; None if absent or out of scope."""
    if not principal.authenticated:
        raise AuthError("AUTH_REQUIRED")
    rows = await CouncilMeeting.filter(id=meeting_id).values(*MEETING_FIELDS)
    q = compound_scope(principal)
    if not rows or (
        q is not None and not await Compound.filter(q, id=rows[0]["compound_id"]).exists()
    ):
        return None
    return rows[0]


async def agenda_of(meeting_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    keys = list(set(meeting_ids))
    rows = (
        await CouncilAgendaItem.filter(meeting_id__in=keys)
        .order_by("id")
        .values("meeting_id", "case_id", "decision")
    )
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    for r in rows:
        grouped[r["meeting_id"]].append(r)
    return grouped


async def participants_of(meeting_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    keys = list(set(meeting_ids))
    rows = (
        await CouncilParticipant.filter(meeting_id__in=keys)
        .order_by("id")
        .values(
            "meeting_id",
            "organisation_id",
            "organisation__name",
            "firm_id",
            "firm__name",
            "person_id",
            "person__name",
            "attended",
        )
    )
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    for r in rows:
        grouped[r["meeting_id"]].append(r)
    return grouped
