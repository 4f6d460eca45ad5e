"""The public directory: places, organisations and firms, read as plain rows.

Rows are dicts from `.values()`, not model objects: model construction costs 7-10 µs a row
and the API only needs the columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery

from core.infra import db, reads
from core.infra.enums import CompoundKind, ManagementMode, OrganisationKind
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import (
    Building,
    Community,
    Compound,
    Firm,
    Grid,
    ManagementContract,
    Organisation,
    Street,
)
from core.models.base import CityModel
from core.models.shapes import fields_of

# Each model's row shape (core/models/shapes.py): what the directory reads of it.
FIELDS: dict[type[CityModel], tuple[str, ...]] = {
    model: fields_of(model)
    for model in (Street, Community, Compound, Building, Grid, Organisation, Firm)
}

CONTRACT_FIELDS = fields_of(ManagementContract)


@dataclass(frozen=True)
class PlaceFilter:
    name_contains: str | None = None
    street_id: int | None = None
    community_id: int | None = None
    compound_id: int | None = None


@dataclass(frozen=True)
class CompoundFilter(PlaceFilter):
    kinds: tuple[CompoundKind, ...] = ()
    mature: bool | None = None
    management_mode: ManagementMode | None = None
    firm_id: int | None = None


@dataclass(frozen=True)
class OrganisationFilter:
    name_contains: str | None = None
    kinds: tuple[OrganisationKind, ...] = ()
    parent_id: int | None = None
    root_only: bool = False
    street_id: int | None = None
    community_id: int | None = None
    compound_id: int | None = None


@dataclass(frozen=True)
class FirmFilter:
    name_contains: str | None = None
    is_state_owned: bool | None = None


def _current_contracts(today: dt.date) -> Q:
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def _place_q(model: type[CityModel], f: PlaceFilter) -> Q:
    q = Q()
    if f.name_contains:
        q &= Q(name__icontains=f.name_contains)
    # Each filter reaches up the hierarchy from wherever the model hangs.
    paths = {
        Community: {"street_id": "street_id"},
        Compound: {"street_id": "community__street_id", "community_id": "community_id"},
        Grid: {"street_id": "community__street_id", "community_id": "community_id"},
        Building: {
            "street_id": "compound__community__street_id",
            "community_id": "compound__community_id",
            "compound_id": "compound_id",
        },
    }.get(model, {})
    for attr, path in paths.items():
        value = getattr(f, attr)
        if value is not None:
            q &= Q(**{path: value})
    # A street or community is filtered by itself or by what lies in it: the street of a
    # community or compound, the community of a compound (these were silently ignored).
    if model is Street:
        if f.street_id is not None:
            q &= Q(id=f.street_id)
        if f.community_id is not None:
            q &= Q(id__in=Subquery(Community.filter(id=f.community_id).values("street_id")))
        if f.compound_id is not None:
            of_compound = Compound.filter(id=f.compound_id).values("community__street_id")
            q &= Q(id__in=Subquery(of_compound))
    if model is Community:
        if f.community_id is not None:
            q &= Q(id=f.community_id)
        if f.compound_id is not None:
            q &= Q(id__in=Subquery(Compound.filter(id=f.compound_id).values("community_id")))
    if model is Grid and f.compound_id is not None:
        # A grid is drawn over buildings, not compounds: a compound's grids are those
        # holding one of its buildings (several, when the grid line crosses the compound).
        q &= Q(id__in=Subquery(Building.filter(compound_id=f.compound_id).values("grid_id")))
    return q


async def list_places(
    model: type[CityModel], f: PlaceFilter, order: Ordering, page: PageRequest
) -> Page:
    query = model.filter(_place_q(model, f))
    if isinstance(f, CompoundFilter):
        if f.kinds:
            query = query.filter(kind__in=list(f.kinds))
        if f.mature is not None:
            query = query.filter(mature=f.mature)
        if f.management_mode is not None:
            query = query.filter(management_mode=f.management_mode)
        if f.firm_id is not None:
            today = dt.date.today()
            managed = ManagementContract.filter(_current_contracts(today), firm_id=f.firm_id)
            query = query.filter(id__in=Subquery(managed.values("compound_id")))
    return await paginate(query, order, page, FIELDS[model])


async def list_organisations(f: OrganisationFilter, order: Ordering, page: PageRequest) -> Page:
    q = Q()
    if f.name_contains:
        q &= Q(name__icontains=f.name_contains)
    if f.kinds:
        q &= Q(kind__in=list(f.kinds))
    if f.parent_id is not None:
        q &= Q(parent_id=f.parent_id)
    if f.root_only:
        q &= Q(parent_id__isnull=True)
    for attr in ("street_id", "community_id", "compound_id"):
        if getattr(f, attr) is not None:
            q &= Q(**{attr: getattr(f, attr)})
    return await paginate(Organisation.filter(q), order, page, FIELDS[Organisation])


async def list_firms(f: FirmFilter, order: Ordering, page: PageRequest) -> Page:
    q = Q()
    if f.name_contains:
        q &= Q(name__icontains=f.name_contains)
    if f.is_state_owned is not None:
        q &= Q(is_state_owned=f.is_state_owned)
    return await paginate(Firm.filter(q), order, page, FIELDS[Firm])


async def rows_by_id(model: type[CityModel], ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """One statement for any number of ids; missing or other-city ids are simply absent."""
    return {r["id"]: r for r in await reads.by_key(model, FIELDS[model], "id", ids)}


async def rows_by_parent(
    model: type[CityModel], parent_field: str, parent_ids: Iterable[int]
) -> dict[int, list[dict[str, Any]]]:
    """Children of many parents in one statement, ordered by name (small, bounded lists)."""
    keys = list(set(parent_ids))
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    column = model._meta.fields_db_projection[parent_field]
    for r in await reads.by_key(model, FIELDS[model], column, keys, "name, id"):
        grouped[r[parent_field]].append(r)
    return grouped


def _in_force_sql(b: reads.Binder, prefix: str, today: dt.date | None) -> str:
    """`_current_contracts` as SQL on a management_contracts row (columns after `prefix`)."""
    day = b.bind(today or dt.date.today(), "date")
    return f"{prefix}starts_on <= {day} AND ({prefix}ends_on IS NULL OR {prefix}ends_on >= {day})"


async def current_contracts(
    compound_ids: Iterable[int], today: dt.date | None = None
) -> dict[int, dict[str, Any]]:
    """The contract in force today for each compound (the latest-starting if several)."""
    keys = list(set(compound_ids))
    if not keys:
        return {}
    b = reads.Binder()
    found = await reads.select(
        reads.columns(ManagementContract),
        f"compound_id {b.any_of(keys)} AND {_in_force_sql(b, '', today)}",
        b,
        "starts_on, id",
    )
    return {r["compound_id"]: r for r in found}


async def current_firms(
    compound_ids: Iterable[int], today: dt.date | None = None
) -> dict[int, dict[str, Any]]:
    """The firm under each compound's contract in force today (as `current_contracts` picks
    it), in one statement: a compound's firm is asked for on most pages, and reading the
    contract first and the firm after cost a second statement and a second round trip."""
    keys = list(set(compound_ids))
    if not keys:
        return {}
    b = reads.Binder()
    firm = reads.columns(Firm)
    columns = ", ".join(f"f.{c.column} AS {c.name}" for c in firm.each)
    found = await db.fetch(
        f"SELECT mc.compound_id AS _compound, {columns} FROM management_contracts mc "
        "JOIN firms f ON f.city_id = mc.city_id AND f.id = mc.firm_id "
        f"WHERE mc.city_id = $1 AND mc.compound_id {b.any_of(keys)} "
        f"AND {_in_force_sql(b, 'mc.', today)} ORDER BY mc.starts_on, mc.id",
        b.params,
    )
    # Ordered by start: the latest-starting contract of a compound is the last one written.
    return {r.pop("_compound"): r for r in firm.convert(found)}


PlaceChain = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


async def place_chains(compound_ids: Iterable[int]) -> dict[int, PlaceChain]:
    """Each compound with its community and street, in one statement: a case page and a list
    of cases show the three together, and three statements cost three round trips."""
    keys = list(set(compound_ids))
    if not keys:
        return {}
    b = reads.Binder()
    parts = [
        (reads.columns(Compound), "c", ""),
        (reads.columns(Community), "m", "m__"),
        (reads.columns(Street), "s", "s__"),
    ]
    select = ", ".join(
        f"{alias}.{c.column} AS {prefix}{c.name}"
        for cols, alias, prefix in parts
        for c in cols.each
    )
    found = await db.fetch(
        f"SELECT {select} FROM compounds c "
        "JOIN communities m ON m.city_id = c.city_id AND m.id = c.community_id "
        "JOIN streets s ON s.city_id = m.city_id AND s.id = m.street_id "
        f"WHERE c.city_id = $1 AND c.id {b.any_of(keys)}",
        b.params,
    )
    chains = {}
    for row in found:
        compound, community, street = (
            cols.convert([{c.name: row[prefix + c.name] for c in cols.each}])[0]
            for cols, _, prefix in parts
        )
        chains[compound["id"]] = (compound, community, street)
    return chains


async def contracts_of(field: str, ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every contract (past and present) of many compounds or firms, newest first."""
    keys = list(set(ids))
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    found = await reads.by_key(
        ManagementContract, CONTRACT_FIELDS, field, keys, "starts_on DESC, id DESC"
    )
    for r in found:
        grouped[r[field]].append(r)
    return grouped
