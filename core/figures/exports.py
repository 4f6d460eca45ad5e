"""Tables for export: the figures and the directory lists, as header + rows streamed in pages.

Directory lists are read in keyset pages of PAGE rows (by id), so a city of a million rows
streams at constant memory. Personal data (Person.PERSONAL_DATA: phone numbers) is never
exported: people appear by name only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from core.figures import report as figures
from core.figures.report import Area
from core.grassroots import workitems
from core.infra import db
from core.infra.enums import CaseStage
from core.infra.tenancy import current_city
from core.models import Building, Community, Compound, Firm, Grid, Organisation, Street
from core.models.base import CityModel
from core.models.shapes import foreign_keys, scalar_kind

PAGE = 1000
Row = list[Any]


@dataclass(frozen=True)
class Listing:
    """A directory list: columns, and a query over `city_id = $1 AND <alias>.id > $2`."""

    columns: tuple[str, ...]
    select: str  # SELECT <alias>.id AS id, ... FROM ... (joins reaching `communities cm`)
    alias: str
    area: bool = True  # whether the list narrows to a street or community
    booleans: frozenset[str] = frozenset()  # columns SQLite hands over as 0 or 1


_CM = "JOIN communities cm ON cm.id = {}.community_id"


def _table(model: type[CityModel], alias: str, joins: str = "", area: bool = True) -> Listing:
    """A table's listing: its id and exposed columns (core/models/shapes.py), in that order.

    A field's column is its name: no model renames one (`source_field`), and the export test
    reads every listing from the database.
    """
    names = ("id", *model.EXPOSED)
    picks = ", ".join(f"{alias}.{name}" for name in model.EXPOSED)
    select = f"SELECT {alias}.id AS id, {picks} FROM {model._meta.db_table} {alias}"
    values = set(model.EXPOSED) - foreign_keys(model)
    booleans = frozenset(n for n in values if scalar_kind(model, n) == "bool")
    return Listing(names, f"{select} {joins}".rstrip(), alias, area, booleans)


LISTINGS: dict[str, Listing] = {
    "streets": _table(Street, "s", area=False),
    "communities": _table(Community, "cm"),
    "compounds": _table(Compound, "co", _CM.format("co")),
    "buildings": _table(
        Building, "b", f"JOIN compounds co ON co.id = b.compound_id {_CM.format('co')}"
    ),
    "grids": _table(Grid, "g", _CM.format("g")),
    "organisations": _table(Organisation, "o", area=False),
    "firms": _table(Firm, "f", area=False),
    # Grassroots people by name only, with what is counted or joined for them.
    "building-heads": Listing(
        ("id", "person", "duties", "appointed_on", "ended_on", "buildings"),
        "SELECT h.id AS id, p.name AS person, h.duties, h.appointed_on, h.ended_on, "
        "(SELECT COUNT(*) FROM building_head_buildings hb WHERE hb.head_id = h.id) AS buildings "
        "FROM building_heads h JOIN persons p ON p.id = h.person_id",
        "h",
        area=False,
    ),
    "community-workers": Listing(
        ("id", "person", "community_id", "admitted_on", "pay_grade", "exited_on", "exit_reason"),
        "SELECT w.id AS id, p.name AS person, w.community_id, w.admitted_on, w.pay_grade, "
        "w.exited_on, w.exit_reason FROM community_workers w "
        f"JOIN persons p ON p.id = w.person_id {_CM.format('w')}",
        "w",
    ),
    "party-members": Listing(
        (
            "id",
            "person",
            "community_id",
            "employer_organisation_id",
            "reported_on",
            "ended_on",
            "service_hours",
        ),
        "SELECT m.id AS id, p.name AS person, m.community_id, m.employer_organisation_id, "
        "m.reported_on, m.ended_on, (SELECT COALESCE(SUM(r.hours), 0) FROM "
        "party_service_records r WHERE r.member_id = m.id) AS service_hours "
        f"FROM party_member_reports m JOIN persons p ON p.id = m.person_id {_CM.format('m')}",
        "m",
    ),
    "volunteers": Listing(
        ("id", "person", "community_id", "registered_on", "service_hours"),
        "SELECT v.id AS id, p.name AS person, v.community_id, v.registered_on, "
        "(SELECT COALESCE(SUM(s.hours), 0) FROM volunteer_services s "
        "WHERE s.volunteer_id = v.id) AS service_hours "
        f"FROM volunteers v JOIN persons p ON p.id = v.person_id {_CM.format('v')}",
        "v",
    ),
    "mediators": Listing(
        ("id", "person", "committee_id", "committee", "is_chair", "appointed_on", "ended_on"),
        "SELECT md.id AS id, p.name AS person, md.committee_id, o.name AS committee, "
        "md.is_chair, md.appointed_on, md.ended_on FROM mediators md "
        "JOIN persons p ON p.id = md.person_id JOIN organisations o ON o.id = md.committee_id",
        "md",
        area=False,
        booleans=frozenset({"is_chair"}),
    ),
    "venue-hours": Listing(
        ("id", "venue_id", "venue", "weekday", "opens", "closes", "staggered"),
        "SELECT vh.id AS id, vh.venue_id, o.name AS venue, vh.weekday, vh.opens_minute AS opens, "
        "vh.closes_minute AS closes, vh.staggered FROM venue_hours vh "
        "JOIN organisations o ON o.id = vh.venue_id",
        "vh",
        area=False,
        booleans=frozenset({"staggered"}),
    ),
    "work-item-requests": Listing(
        ("id", "department_id", "item_name", "requested_on", "outcome", "refusal_code"),
        "SELECT r.id AS id, r.department_id, r.item_name, r.requested_on, r.outcome, "
        "r.refusal_code FROM work_item_requests r",
        "r",
        area=False,
    ),
}


def _hhmm(minute: Any) -> str:
    return f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"


def _cell(column: str, value: Any, booleans: frozenset[str]) -> Any:
    if column in ("opens", "closes"):
        return _hhmm(value)
    if isinstance(value, bool) or column in booleans:
        return bool(value) if value is not None else None
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if column == "duties" and isinstance(value, str):
        return " ".join(orjson.loads(value))  # raw SQL hands JSON over as text
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


async def listing_rows(name: str, area: Area) -> AsyncIterator[Row]:
    spec = LISTINGS[name]
    cond, extra = area.where("cm", 3) if spec.area else ("", [])
    sql = (
        f"{spec.select} WHERE {spec.alias}.city_id = $1 AND {spec.alias}.id > $2{cond} "
        f"ORDER BY {spec.alias}.id LIMIT {PAGE}"
    )
    after = 0
    while True:
        rows = await db.fetch(sql, [current_city(), after, *extra])
        for r in rows:
            yield [_cell(c, r[c], spec.booleans) for c in spec.columns]
        if len(rows) < PAGE:
            return
        after = rows[-1]["id"]


FIGURE_COLUMNS = ("figure", "covered", "total", "share")
STAGE_COLUMNS = ("stage", "cases", "overdue", "median_days_in_stage", "p90_days_in_stage")
RANK_COLUMNS = ("firm_id", "firm", "compounds", "homes", "cases", "cases_per_1000_homes")


async def figure_rows(area: Area, as_of: dt.date) -> AsyncIterator[Row]:
    f = await figures.figures(area, as_of)
    for name, c in (
        ("party_coverage", f.party_coverage),
        ("property_management_coverage", f.property_management_coverage),
        ("building_head_coverage", f.building_head_coverage),
        ("grid_party_branch_coverage", f.grid_party_branch_coverage),
        ("council_compliance", f.council_compliance),
    ):
        yield [name, c.covered, c.total, c.share]
    cases = f.cases
    yield ["cases_total", cases.total, None, None]
    yield ["cases_open", cases.open, None, None]
    yield ["cases_overdue", cases.overdue, None, None]
    yield ["resident_ratings", cases.ratings, None, cases.mean_rating]


async def stage_rows(area: Area, as_of: dt.date) -> AsyncIterator[Row]:
    await figures.check_area(area)
    cases = await figures.case_figures(area, as_of)
    for s in cases.by_stage:
        yield [CaseStage(s.stage).value, s.cases, s.overdue, s.median_days, s.p90_days]


async def rank_rows(area: Area, as_of: dt.date) -> AsyncIterator[Row]:
    await figures.check_area(area)
    for r in await figures.firm_ranking(area, as_of, limit=1000):
        yield [r.firm_id, r.name, r.compounds, r.homes, r.cases, r.cases_per_1000_homes]


SPEND_COLUMNS = ("category", "purchases", "amount", "paid")


async def spend_rows(area: Area, as_of: dt.date) -> AsyncIterator[Row]:
    await figures.check_area(area)
    for c in await figures.purchase_spend(area, as_of):
        yield [c.category, c.purchases, c.amount, c.paid]


WORK_ITEM_COLUMNS = ("id", "name", "basis", "admitted_on", "withdrawn_on")


async def work_item_rows(_area: Area, as_of: dt.date) -> AsyncIterator[Row]:
    """The admitted list on `as_of`, by the same rule as `admittedWorkItems` and requests."""
    after = 0
    while True:
        rows = await workitems.admitted_after(as_of, after, PAGE)
        for r in rows:
            yield [_cell(c, r[c], frozenset()) for c in WORK_ITEM_COLUMNS]
        if len(rows) < PAGE:
            return
        after = rows[-1]["id"]


@dataclass(frozen=True)
class Export:
    columns: tuple[str, ...]
    rows: Callable[[Area, dt.date], AsyncIterator[Row]]


def _listing(name: str) -> Export:
    return Export(LISTINGS[name].columns, lambda area, _day: listing_rows(name, area))


EXPORTS: dict[str, Export] = {
    "figures": Export(FIGURE_COLUMNS, figure_rows),
    "cases-by-stage": Export(STAGE_COLUMNS, stage_rows),
    "firm-ranking": Export(RANK_COLUMNS, rank_rows),
    "purchase-spend": Export(SPEND_COLUMNS, spend_rows),
    "work-items": Export(WORK_ITEM_COLUMNS, work_item_rows),
    **{name: _listing(name) for name in LISTINGS},
}
