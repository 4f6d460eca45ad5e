"""The governance figures a city reports, for the city, a street or a community, as of a date.

Every figure is one aggregate SQL statement (docs/figures.md defines each): the database
counts, Python only shapes the few result rows. Places (compounds, buildings, grids) are
taken as they stand today, since their history is not kept; dated facts (organisations'
founding, contracts, appointments, meetings, case transitions, ratings) are read as of the
date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.cases.reports import ENTERS_STAGE, working_days_since
from core.infra import db
from core.infra.enums import INITIAL_STAGE, CaseStage, ManagementMode, OrganisationKind, Role
from core.infra.errors import DomainError
from core.infra.tenancy import current_city
from core.models import Community, Street
from core.purchases.spend import COMMITTED_SQL
from core.security.access import require_role
from core.security.auth import Principal


class AreaKind(StrEnum):
    CITY = "CITY"
    STREET = "STREET"
    COMMUNITY = "COMMUNITY"


@dataclass(frozen=True)
class Area:
    kind: AreaKind = AreaKind.CITY
    id: int | None = None

    def where(self, community_alias: str, param: int) -> tuple[str, list[Any]]:
        """A condition on a joined `communities` row, and its parameter."""
        if self.kind is AreaKind.STREET:
            return f" AND {community_alias}.street_id = ${param}", [self.id]
        if self.kind is AreaKind.COMMUNITY:
            return f" AND {community_alias}.id = ${param}", [self.id]
        return "", []


CITY = Area()


async def check_area(area: Area, field: str = "area") -> None:
    """Refuse an area that does not exist in the city in scope (reads as not found)."""
    model = {AreaKind.STREET: Street, AreaKind.COMMUNITY: Community}.get(area.kind)
    if model is not None and not await model.filter(id=area.id).exists():
        raise DomainError("NOT_FOUND", field)


@dataclass(frozen=True)
class Coverage:
    covered: int
    total: int

    @property
    def share(self) -> float | None:
        """covered / total, None when there is nothing to cover (not 0 %, not 100 %)."""
        return self.covered / self.total if self.total else None


@dataclass(frozen=True)
class StageFigure:
    stage: CaseStage
    cases: int
    overdue: int
    # Days (fractional) spent so far in the stage by the cases in it; None for CLOSED.
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class CaseFigures:
    total: int
    open: int
    overdue: int
    by_stage: list[StageFigure]
    mean_rating: float | None
    ratings: int


@dataclass(frozen=True)
class FirmRank:
    firm_id: int
    name: str
    compounds: int
    homes: int
    cases: int

    @property
    def cases_per_1000_homes(self) -> float | None:
        return 1000 * self.cases / self.homes if self.homes else None


@dataclass(frozen=True)
class Figures:
    area: Area
    as_of: dt.date
    party_coverage: Coverage
    property_management_coverage: Coverage
    building_head_coverage: Coverage
    grid_party_branch_coverage: Coverage
    council_compliance: Coverage
    cases: CaseFigures


def _date(day: dt.date) -> Any:
    # asyncpg binds dates as dates; SQLite keeps them as ISO text and compares text.
    return day if db.dialect() == "postgres" else day.isoformat()


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` (UTC): 'as of a date' includes the whole day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _instant(moment: dt.datetime) -> Any:
    return moment if db.dialect() == "postgres" else moment.isoformat()


def _before(column: str, param: str) -> str:
    """`column < param` for timestamps; SQLite compares them as Julian days, not as text."""
    if db.dialect() == "postgres":
        return f"{column} < {param}"
    return f"julianday({column}) < julianday({param})"


def six_months_before(day: dt.date) -> dt.date:
    month = day.month - 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


async def _coverage(sql: str, params: list[Any]) -> Coverage:
    row = (await db.fetch(sql, params))[0]
    return Coverage(covered=int(row["covered"] or 0), total=int(row["total"] or 0))


_COMPOUNDS = (
    "FROM compounds co JOIN communities cm ON cm.id = co.community_id WHERE co.city_id = $1"
)


async def party_coverage(area: Area, as_of: dt.date) -> Coverage:
    """Mature compounds with a compound party branch founded by `as_of`."""
    cond, extra = area.where("cm", 3)
    sql = (
        "SELECT COUNT(*) AS total, SUM(CASE WHEN EXISTS (SELECT 1 FROM organisations o "
        "WHERE o.city_id = $1 AND o.compound_id = co.id "
        f"AND o.kind = '{OrganisationKind.PARTY_COMPOUND_BRANCH.value}' "
        "AND (o.founded_on IS NULL OR o.founded_on <= $2)) THEN 1 ELSE 0 END) AS covered "
        f"{_COMPOUNDS} AND co.mature{cond}"
    )
    return await _coverage(sql, [current_city(), _date(as_of), *extra])


# Modes that manage a compound without a firm; PROPERTY_FIRM counts only with a contract.
_SELF_MANAGED = (ManagementMode.OWNER_SELF_MANAGED, ManagementMode.COMMUNITY_CARETAKER)


async def property_management_coverage(area: Area, as_of: dt.date) -> Coverage:
    """Compounds with a contract in force on `as_of`, or managed by owners or the community."""
    cond, extra = area.where("cm", 3)
    modes = ", ".join(f"'{m.value}'" for m in _SELF_MANAGED)
    sql = (
        "SELECT COUNT(*) AS total, SUM(CASE WHEN EXISTS (SELECT 1 FROM management_contracts mc "
        "WHERE mc.city_id = $1 AND mc.compound_id = co.id AND mc.starts_on <= $2 "
        f"AND (mc.ends_on IS NULL OR mc.ends_on >= $2)) OR co.management_mode IN ({modes}) "
        f"THEN 1 ELSE 0 END) AS covered {_COMPOUNDS}{cond}"
    )
    return await _coverage(sql, [current_city(), _date(as_of), *extra])


async def building_head_coverage(area: Area, as_of: dt.date) -> Coverage:
    """Buildings covered by a building head serving on `as_of`."""
    cond, extra = area.where("cm", 3)
    sql = (
        "SELECT COUNT(*) AS total, SUM(CASE WHEN EXISTS (SELECT 1 FROM building_head_buildings hb "
        "JOIN building_heads h ON h.id = hb.head_id WHERE hb.city_id = $1 "
        "AND hb.building_id = b.id AND h.appointed_on <= $2 "
        "AND (h.ended_on IS NULL OR h.ended_on >= $2)) THEN 1 ELSE 0 END) AS covered "
        "FROM buildings b JOIN compounds co ON co.id = b.compound_id "
        f"JOIN communities cm ON cm.id = co.community_id WHERE b.city_id = $1{cond}"
    )
    return await _coverage(sql, [current_city(), _date(as_of), *extra])


async def grid_party_branch_coverage(area: Area, as_of: dt.date) -> Coverage:
    """Grids with a grid party branch founded by `as_of`."""
    cond, extra = area.where("cm", 3)
    sql = (
        "SELECT COUNT(*) AS total, SUM(CASE WHEN EXISTS (SELECT 1 FROM organisations o "
        "WHERE o.city_id = $1 AND o.grid_id = g.id "
        f"AND o.kind = '{OrganisationKind.PARTY_GRID_BRANCH.value}' "
        "AND (o.founded_on IS NULL OR o.founded_on <= $2)) THEN 1 ELSE 0 END) AS covered "
        "FROM grids g JOIN communities cm ON cm.id = g.community_id "
        f"WHERE g.city_id = $1{cond}"
    )
    return await _coverage(sql, [current_city(), _date(as_of), *extra])


async def council_compliance(area: Area, as_of: dt.date) -> Coverage:
    """Compounds with a held council meeting in the six months up to `as_of`."""
    cond, extra = area.where("cm", 4)
    sql = (
        "SELECT COUNT(*) AS total, SUM(CASE WHEN EXISTS (SELECT 1 FROM council_meetings m "
        "WHERE m.city_id = $1 AND m.compound_id = co.id AND m.held "
        "AND m.held_on > $2 AND m.held_on <= $3) THEN 1 ELSE 0 END) AS covered "
        f"{_COMPOUNDS}{cond}"
    )
    params = [current_city(), _date(six_months_before(as_of)), _date(as_of), *extra]
    return await _coverage(sql, params)


def _stage_as_of_sql(cond: str) -> str:
    """Each case filed before $2: its stage and when it entered it, as of the instant $2.

    The stage is the target of the case's last stage-entering transition before $2 (filing,
    advance, reopening: core.cases.reports.ENTERS_STAGE; an escalation enters no stage); a
    case without one (loaded before timelines existed) is in its current stage if it entered
    it before $2, otherwise still in its kind's first stage since filing.
    """
    kinds = ", ".join(f"'{k.value}'" for k in ENTERS_STAGE)
    last = (
        "(SELECT t.{col} FROM case_transitions t WHERE t.city_id = $1 AND t.case_id = c.id "
        f"AND t.kind IN ({kinds}) AND {_before('t.occurred_at', '$2')} "
        "ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1)"
    )
    initial = " ".join(f"WHEN '{k.value}' THEN '{s.value}'" for k, s in INITIAL_STAGE.items())
    entered_before = _before("c.stage_entered_at", "$2")
    return (
        "SELECT c.id, c.stage AS current_stage, c.stage_due_on, "
        f"COALESCE({last.format(col='to_stage')}, CASE WHEN {entered_before} THEN c.stage "
        f"ELSE CASE c.kind {initial} END END) AS stage, "
        f"COALESCE({last.format(col='occurred_at')}, CASE WHEN {entered_before} "
        "THEN c.stage_entered_at ELSE c.created_at END) AS entered_at "
        "FROM cases c JOIN compounds co ON co.id = c.compound_id "
        "JOIN communities cm ON cm.id = co.community_id "
        f"WHERE c.city_id = $1 AND {_before('c.created_at', '$2')}{cond}"
    )


def percentile(ordered: list[int], q: float) -> float:
    """The continuous percentile of sorted values (linear interpolation between ranks, as
    PostgreSQL's percentile_cont)."""
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _moment(value: Any) -> dt.datetime:
    # SQLite hands raw timestamps over as text; both databases store them in UTC.
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


async def case_figures(area: Area, as_of: dt.date) -> CaseFigures:
    """Cases filed by `as_of`, by their stage then; overdue: still in that stage past its
    deadline; days in stage in working days, as Case.workingDaysInStage counts them.

    The database reads each case's stage and entry as of the date in one statement; the
    working days need the holiday calendar, so Python counts them (once per distinct day).
    """
    cond, extra = area.where("cm", 3)
    rows = await db.fetch(_stage_as_of_sql(cond), [current_city(), _instant(end_of(as_of)), *extra])
    counts: dict[str, int] = {}
    overdue: dict[str, int] = {}
    days: dict[str, list[int]] = {}
    for r in rows:
        stage = r["stage"]
        counts[stage] = counts.get(stage, 0) + 1
        if stage == CaseStage.CLOSED.value:
            continue
        days.setdefault(stage, []).append(working_days_since(_moment(r["entered_at"]), as_of))
        due = _day(r["stage_due_on"])
        if stage == r["current_stage"] and due is not None and due < as_of:
            overdue[stage] = overdue.get(stage, 0) + 1
    by_stage = []
    for stage in CaseStage:
        spent = sorted(days.get(stage.value, []))
        by_stage.append(
            StageFigure(
                stage=stage,
                cases=counts.get(stage.value, 0),
                overdue=overdue.get(stage.value, 0),
                median_days=_round(percentile(spent, 0.5)) if spent else None,
                p90_days=_round(percentile(spent, 0.9)) if spent else None,
            )
        )
    mean, count = await _ratings(area, as_of)
    total = sum(s.cases for s in by_stage)
    closed_count = next(s.cases for s in by_stage if s.stage is CaseStage.CLOSED)
    return CaseFigures(
        total=total,
        open=total - closed_count,
        overdue=sum(s.overdue for s in by_stage),
        by_stage=by_stage,
        mean_rating=mean,
        ratings=count,
    )


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


async def _ratings(area: Area, as_of: dt.date) -> tuple[float | None, int]:
    cond, extra = area.where("cm", 3)
    sql = (
        "SELECT AVG(r.score) AS mean, COUNT(*) AS n FROM case_resident_ratings r "
        "JOIN cases c ON c.id = r.case_id JOIN compounds co ON co.id = c.compound_id "
        "JOIN communities cm ON cm.id = co.community_id "
        f"WHERE r.city_id = $1 AND {_before('r.created_at', '$2')}{cond}"
    )
    row = (await db.fetch(sql, [current_city(), _instant(end_of(as_of)), *extra]))[0]
    count = int(row["n"] or 0)
    return (_round(row["mean"]) if count else None), count


async def firm_ranking(area: Area, as_of: dt.date, limit: int = 20) -> list[FirmRank]:
    """Firms by compounds under a contract in force on `as_of`, with homes and cases filed."""
    cond, extra = area.where("cm", 4)
    sql = (
        "SELECT f.id AS firm_id, f.name, COUNT(*) AS compounds, SUM(co.homes) AS homes, "
        "SUM((SELECT COUNT(*) FROM cases c WHERE c.city_id = $1 AND c.compound_id = co.id "
        f"AND {_before('c.created_at', '$3')})) AS cases "
        "FROM management_contracts mc JOIN firms f ON f.id = mc.firm_id "
        "JOIN compounds co ON co.id = mc.compound_id "
        "JOIN communities cm ON cm.id = co.community_id "
        "WHERE mc.city_id = $1 AND mc.starts_on <= $2 AND (mc.ends_on IS NULL OR mc.ends_on >= $2)"
        f"{cond} GROUP BY f.id, f.name ORDER BY compounds DESC, homes DESC, f.name, f.id "
        f"LIMIT {int(limit)}"
    )
    params = [current_city(), _date(as_of), _instant(end_of(as_of)), *extra]
    return [
        FirmRank(
            firm_id=r["firm_id"],
            name=r["name"],
            compounds=int(r["compounds"]),
            homes=int(r["homes"] or 0),
            cases=int(r["cases"] or 0),
        )
        for r in await db.fetch(sql, params)
    ]


async def figures(area: Area, as_of: dt.date) -> Figures:
    await check_area(area)
    return Figures(
        area=area,
        as_of=as_of,
        party_coverage=await party_coverage(area, as_of),
        property_management_coverage=await property_management_coverage(area, as_of),
        building_head_coverage=await building_head_coverage(area, as_of),
        grid_party_branch_coverage=await grid_party_branch_coverage(area, as_of),
        council_compliance=await council_compliance(area, as_of),
        cases=await case_figures(area, as_of),
    )


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` months up to `as_of`'s, `as_of` itself last."""
    out = [as_of]
    first = as_of.replace(day=1)
    for _ in range(months - 1):
        last = first - dt.timedelta(days=1)
        out.append(last)
        first = last.replace(day=1)
    return out[::-1]


async def cases_by_stage_over_time(
    area: Area, as_of: dt.date, months: int = 6
) -> list[tuple[dt.date, CaseFigures]]:
    return [(day, await case_figures(area, day)) for day in month_ends(as_of, months)]


ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN, Role.STREET_ADMIN})


async def area_for(
    principal: Principal, street_id: int | None = None, community_id: int | None = None
) -> Area:
    """The area a caller asks about, refused unless the caller administers it.

    City and platform admins see any area; a street admin sees their street (the default
    when no area is named) and its communities. Outside the scope reads as not found.
    """
    require_role(principal, ADMINS)
    if street_id is not None and community_id is not None:
        raise DomainError("ONE_AREA", "communityId")
    own_street = principal.scope.id if principal.role is Role.STREET_ADMIN else None
    if community_id is not None:
        query = Community.filter(id=community_id)
        if own_street is not None:
            query = query.filter(street_id=own_street)
        if not await query.exists():
            raise DomainError("NOT_FOUND", "communityId")
        return Area(AreaKind.COMMUNITY, community_id)
    if street_id is not None:
        if own_street is not None and street_id != own_street:
            raise DomainError("NOT_FOUND", "streetId")
        if not await Street.filter(id=street_id).exists():
            raise DomainError("NOT_FOUND", "streetId")
        return Area(AreaKind.STREET, street_id)
    return CITY if own_street is None else Area(AreaKind.STREET, own_street)


@dataclass(frozen=True)
class CategorySpend:
    category: str
    purchases: int
    amount: float  # committed: contracts running, what was paid under those ended
    paid: float


async def purchase_spend(area: Area, as_of: dt.date) -> list[CategorySpend]:
    """Government purchase of services committed this calendar year, by category.

    Purchases (core/models/purchases.py) whose contract starts from 1 January of `as_of`'s
    year up to `as_of`; each counts what it commits (core/purchases/spend.py): proposals
    nothing, running contracts their amount, ended ones what was paid. For a street or
    community only purchases made for one of its communities count; the city counts every
    purchase.
    """
    cond, extra = area.where("cm", 4)
    join = "JOIN" if area.kind is not AreaKind.CITY else "LEFT JOIN"
    sql = (
        f"SELECT sp.category, COUNT(*) AS n, SUM({COMMITTED_SQL}) AS amount, "
        "SUM(COALESCE(sp.paid_amount, 0)) AS paid FROM service_purchases sp "
        f"{join} communities cm ON cm.id = sp.community_id "
        "WHERE sp.city_id = $1 AND sp.contract_start >= $2 AND sp.contract_start <= $3"
        f"{cond} GROUP BY sp.category ORDER BY sp.category"
    )
    params = [current_city(), _date(as_of.replace(month=1, day=1)), _date(as_of)]
    rows = await db.fetch(sql, [*params, *extra])
    return [
        CategorySpend(
            r["category"],
            int(r["n"]),
            round(float(r["amount"] or 0), 2),
            round(float(r["paid"] or 0), 2),
        )
        for r in rows
    ]
