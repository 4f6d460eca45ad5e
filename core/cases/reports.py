"""Reading what happened to cases: timelines, records, ratings, and the overdue reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from tortoise.functions import Count, Sum

from core.cases.filing import CaseFilter, case_filter_q
from core.cases.visibility import CASE_FIELDS, visible_cases
from core.cases.workflow import STAFF
from core.infra import calendar, clock
from core.infra.enums import CaseKind, CaseStage, TransitionKind
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import (
    CaseTransition,
    ExecutorAssignment,
    MediationSession,
    ProgressReport,
    ResidentRating,
)
from core.security.access import require_role
from core.security.auth import Principal

Rows = dict[int, list[dict[str, Any]]]


async def _grouped(model: Any, case_ids: Iterable[int], order: str, *fields: str) -> Rows:
    keys = list(set(case_ids))
    grouped: Rows = {k: [] for k in keys}
    for r in await model.filter(case_id__in=keys).order_by(order, "id").values("case_id", *fields):
        grouped[r["case_id"]].append(r)
    return grouped


async def timelines(case_ids: Iterable[int]) -> Rows:
    return await _grouped(
        CaseTransition,
        case_ids,
        "occurred_at",
        "id",
        "kind",
        "from_stage",
        "to_stage",
        "actor_subject",
        "actor_role",
        "note",
        "escalation_level",
        "occurred_at",
    )


async def assignments(case_ids: Iterable[int]) -> Rows:
    return await _grouped(
        ExecutorAssignment,
        case_ids,
        "created_at",
        "id",
        "firm_id",
        "organisation_id",
        "due_on",
        "round",
        "created_at",
    )


async def progress_reports(case_ids: Iterable[int]) -> Rows:
    return await _grouped(
        ProgressReport,
        case_ids,
        "created_at",
        "id",
        "text",
        "percent",
        "round",
        "supervisor_id",
        "reported_by_subject",
        "created_at",
    )


async def mediation_sessions(case_ids: Iterable[int]) -> Rows:
    return await _grouped(
        MediationSession, case_ids, "held_on", "id", "held_on", "note", "mediator_id"
    )


async def rating_summaries(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """(case id, round) -> (count, mean) of that round's ratings."""
    wanted = list(set(keys))
    rows = (
        await ResidentRating.filter(case_id__in=[k[0] for k in wanted])
        .annotate(n=Count("id"), total=Sum("score"))
        .group_by("case_id", "round")
        .values("case_id", "round", "n", "total")
    )
    found = {(r["case_id"], r["round"]): (r["n"], r["total"] / r["n"]) for r in rows}
    return {k: found.get(k, (0, None)) for k in wanted}


# "Entered the current stage": the timeline's last entry of one of these kinds. Filing, an
# advance and a reopening put the case into a stage; an escalation moves it up a level and
# leaves its days in the stage alone. Case.stage_entered_at is that entry's time (written in
# the same transaction, never by an escalation); figures as of a past day read the timeline.
ENTERS_STAGE = (TransitionKind.FILED, TransitionKind.ADVANCED, TransitionKind.REOPENED)


@lru_cache(maxsize=4096)
def _working_days(start: dt.date, end: dt.date) -> int:
    return calendar.working_days_between(start, end, "asOf")


def working_days_since(entered: dt.datetime, as_of: dt.date) -> int:
    """Working days in the stage: from the city's day of entering it up to `as_of`."""
    return _working_days(clock.local_date(entered, current_city()), as_of)


def working_days_in_stage(row: dict[str, Any], as_of: dt.date) -> int:
    return working_days_since(row["stage_entered_at"], as_of)


def working_days_overdue(due: dt.date, as_of: dt.date) -> int:
    """Working days past a stage deadline on `as_of` (0 until the day after it)."""
    return _working_days(due, as_of)


OPEN = Ordering("stage_due_on")


async def overdue_cases(
    principal: Principal,
    as_of: dt.date,
    kinds: tuple[CaseKind, ...],
    page: PageRequest,
    where: CaseFilter | None = None,
) -> Page:
    """Open visible cases whose stage deadline passed before `as_of`, most overdue first;
    `where` narrows them (to a compound, community or street, say)."""
    require_role(principal, STAFF)
    query = visible_cases(principal)
    assert query is not None  # staff always see some compounds
    query = query.filter(stage_due_on__lt=as_of).exclude(stage=CaseStage.CLOSED)
    if where is not None:
        query = query.filter(case_filter_q(where))
    if kinds:
        query = query.filter(kind__in=list(kinds))
    return await paginate(query, OPEN, page, CASE_FIELDS)


class PlaceLevel(StrEnum):
    COMPOUND = "COMPOUND"
    COMMUNITY = "COMMUNITY"
    STREET = "STREET"


_GROUP_KEY = {
    PlaceLevel.COMPOUND: "compound_id",
    PlaceLevel.COMMUNITY: "compound__community_id",
    PlaceLevel.STREET: "compound__community__street_id",
}


@dataclass(frozen=True)
class StageFigures:
    place_id: int
    open_cases: int
    overdue_cases: int
    mean_working_days_in_stage: float | None
    max_working_days_in_stage: int | None


async def stage_figures(
    principal: Principal, as_of: dt.date, level: PlaceLevel
) -> list[StageFigures]:
    """Per place: open cases, overdue ones, and working days spent in the current stage."""
    require_role(principal, STAFF)
    query = visible_cases(principal)
    assert query is not None  # staff always see some compounds
    key = _GROUP_KEY[level]
    rows = (
        await query.exclude(stage=CaseStage.CLOSED)
        .filter(created_at__lte=_end_of(as_of))
        .values(key, "stage_entered_at", "stage_due_on")
    )
    days: dict[int, list[int]] = defaultdict(list)
    overdue: dict[int, int] = defaultdict(int)
    for r in rows:
        days[r[key]].append(working_days_in_stage(r, as_of))
        if r["stage_due_on"] is not None and r["stage_due_on"] < as_of:
            overdue[r[key]] += 1
    return [
        StageFigures(
            place_id=place,
            open_cases=len(spent),
            overdue_cases=overdue[place],
            mean_working_days_in_stage=sum(spent) / len(spent),
            max_working_days_in_stage=max(spent),
        )
        for place, spent in sorted(days.items())
    ]


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


async def ratings_of_firms(
    firm_ids: Iterable[int], since: dt.date | None = None
) -> dict[int, tuple[int, float | None]]:
    """Residents' ratings of the cases each firm was assigned to carry out: (count, mean).

    The owner-satisfaction input of the firm assessment (DOMAIN.md, processes 5): every
    rating of every round counts, from `since` on when given.
    """
    keys = list(set(firm_ids))
    assigned = await ExecutorAssignment.filter(firm_id__in=keys).values("firm_id", "case_id")
    firms_of: dict[int, set[int]] = defaultdict(set)
    for a in assigned:
        firms_of[a["case_id"]].add(a["firm_id"])
    ratings = ResidentRating.filter(case_id__in=list(firms_of))
    if since is not None:
        ratings = ratings.filter(created_at__gte=_end_of(since - dt.timedelta(days=1)))
    totals: dict[int, list[int]] = {k: [] for k in keys}
    for r in await ratings.values("case_id", "score"):
        for firm in firms_of[r["case_id"]]:
            totals[firm].append(r["score"])
    return {k: (len(v), sum(v) / len(v) if v else None) for k, v in totals.items()}
