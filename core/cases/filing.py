"""Cases: filing and reading, always through the caller's visibility.

Moving a case on lives in core/cases/flow.py (the workflow itself in core/cases/workflow.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from core.cases.change import announce_case, record_transition, stage_due_on
from core.cases.live import case_change
from core.cases.visibility import CASE_FIELDS, visible_cases
from core.infra import clock, db, reads
from core.infra.enums import INITIAL_STAGE, CaseKind, CaseStage, TransitionKind
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, encode_cursor, paginate
from core.infra.tenancy import current_city
from core.models import Case
from core.plugins import calls as plugins
from core.plugins.events import CaseFiled
from core.security.access import (
    FILERS,
    WINDOW_STAFF,
    case_visibility,
    case_visibility_sql,
    require_compound_in_scope,
    require_role,
)
from core.security.auth import Principal

TITLE_MAX = 200


@dataclass(frozen=True)
class CaseFilter:
    compound_id: int | None = None
    community_id: int | None = None
    street_id: int | None = None
    kinds: tuple[CaseKind, ...] = ()
    stages: tuple[CaseStage, ...] = ()
    filed_after: dt.datetime | None = None
    filed_before: dt.datetime | None = None


def _filter_q(f: CaseFilter) -> Q:
    q = Q()
    if f.compound_id is not None:
        q &= Q(compound_id=f.compound_id)
    if f.community_id is not None:
        q &= Q(compound__community_id=f.community_id)
    if f.street_id is not None:
        q &= Q(compound__community__street_id=f.street_id)
    if f.kinds:
        q &= Q(kind__in=list(f.kinds))
    if f.stages:
        q &= Q(stage__in=list(f.stages))
    if f.filed_after is not None:
        q &= Q(created_at__gte=f.filed_after)
    if f.filed_before is not None:
        q &= Q(created_at__lt=f.filed_before)
    return q


def case_filter_q(f: CaseFilter) -> Q:
    """The filter as a Q on Case, for the other case lists (core/cases/reports.py)."""
    return _filter_q(f)


def _empty_page() -> Page:
    async def zero() -> int:
        return 0

    return Page(rows=[], has_next=False, has_previous=False, cursors=[], count=zero)


async def list_cases(
    principal: Principal, f: CaseFilter, order: Ordering, page: PageRequest
) -> Page:
    """A page of the cases the principal may read: `_filter_q` and `visible_cases` as SQL text
    (the desk's list is the busiest read; building its queryset cost ~1 ms a request). A cursor
    whose value is no timestamp goes the ORM way, so its error is the ORM path's own."""
    b = reads.Binder()
    visible = _visible_sql(principal, b)
    if visible is None:
        return _empty_page()
    after = page.after
    if after is not None and not isinstance(after[0], dt.datetime):
        query = visible_cases(principal)
        assert query is not None
        return await paginate(query.filter(_filter_q(f)), order, page, CASE_FIELDS)
    where = f"city_id = $1{visible}{_filter_sql(b, f)}"
    counted = list(b.params)

    async def count() -> int:
        rows = await db.fetch(f"SELECT count(*) AS n FROM cases WHERE {where}", counted)
        return int(rows[0]["n"])

    if not page.first:
        return Page(
            rows=[], has_next=False, has_previous=after is not None, cursors=[], count=count
        )
    direction, op = ("DESC", "<") if order.descending else ("ASC", ">")
    keyset = ""
    if after is not None:
        value, row_id = _timestamp(b, order.field, after[0]), b.bind(after[1], "int")
        keyset = (
            f" AND ({order.field} {op} {value} OR ({order.field} = {value} AND id {op} {row_id}))"
        )
    cols = _case_columns()
    rows = cols.convert(
        await db.fetch(
            f"SELECT {cols.select} FROM cases WHERE {where}{keyset} "
            f"ORDER BY {order.field} {direction}, id {direction} "
            f"LIMIT {b.bind(page.first + 1, 'int')}",
            b.params,
        )
    )
    has_next = len(rows) > page.first
    rows = rows[: page.first]
    return Page(
        rows=rows,
        has_next=has_next,
        has_previous=after is not None,
        cursors=[encode_cursor(r[order.field], r["id"]) for r in rows],
        count=count,
    )


def _timestamp(b: reads.Binder, field: str, value: dt.datetime) -> str:
    # As tortoise binds a filter value: through the field (SQLite's adapter writes the text).
    return b.bind(Case._meta.fields_map[field].to_db_value(value, Case), "timestamptz")


def _filter_sql(b: reads.Binder, f: CaseFilter) -> str:
    """`_filter_q` as SQL on `cases` (the two are checked against each other by the tests)."""
    sql = ""
    if f.compound_id is not None:
        sql += f" AND compound_id = {b.bind(f.compound_id, 'int')}"
    if f.community_id is not None:
        sql += (
            " AND compound_id IN (SELECT id FROM compounds WHERE city_id = $1 "
            f"AND community_id = {b.bind(f.community_id, 'int')})"
        )
    if f.street_id is not None:
        sql += (
            " AND compound_id IN (SELECT c.id FROM compounds c JOIN communities m "
            "ON m.city_id = c.city_id AND m.id = c.community_id WHERE c.city_id = $1 "
            f"AND m.street_id = {b.bind(f.street_id, 'int')})"
        )
    if f.kinds:
        sql += f" AND kind {b.any_of([k.value for k in f.kinds], 'text')}"
    if f.stages:
        sql += f" AND stage {b.any_of([s.value for s in f.stages], 'text')}"
    if f.filed_after is not None:
        sql += f" AND created_at >= {_timestamp(b, 'created_at', f.filed_after)}"
    if f.filed_before is not None:
        sql += f" AND created_at < {_timestamp(b, 'created_at', f.filed_before)}"
    return sql


def _visible_sql(principal: Principal, b: reads.Binder) -> str | None:
    """The caller's case visibility as a predicate on `cases` ("" for all, None for none):
    `core.security.access.case_visibility_sql`, the SQL twin of `visible_cases`."""
    vis = case_visibility(principal)
    if vis.nothing:
        return None
    if vis.everything:
        return ""
    return " AND " + case_visibility_sql(principal, "$1", b.bind, "cases")


async def cases_by_id(principal: Principal, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    keys = list(set(ids))
    b = reads.Binder()
    visible = _visible_sql(principal, b)
    if visible is None or not keys:
        return {}
    rows = await reads.select(_case_columns(), f"id {b.any_of(keys)}{visible}", b)
    return {r["id"]: r for r in rows}


def _case_columns() -> reads.Columns:
    return reads.columns(Case, CASE_FIELDS)


async def latest_cases(
    principal: Principal, compound_ids: Iterable[int], first: int, kinds: tuple[CaseKind, ...]
) -> dict[int, list[dict[str, Any]]]:
    """The `first` newest visible cases of each compound, in one statement for all compounds.

    Tortoise's prefetch cannot limit per parent (it loads every child), so this is SQL.
    Returns up to first + 1 rows per compound so the caller can tell if more follow.
    """
    keys = list(dict.fromkeys(compound_ids))
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    b = reads.Binder()
    visible = _visible_sql(principal, b)
    if visible is None or not keys or first <= 0:
        return grouped
    cols = _case_columns()
    if b.postgres:
        # A LATERAL top-N walks the (city, compound, created_at desc) index once per compound.
        parents = b.bind(keys, "int[]")
        where = f"city_id = $1 AND compound_id = k.cid{visible}{_kinds_sql(b, kinds)}"
        sql = (
            f"SELECT c.* FROM unnest({parents}) AS k(cid) CROSS JOIN LATERAL ("
            f"SELECT {cols.select} FROM cases WHERE {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT {b.bind(first + 1, 'int')}) c"
        )
    else:
        where = f"city_id = $1 AND compound_id {b.any_of(keys)}{visible}{_kinds_sql(b, kinds)}"
        sql = (
            f"SELECT * FROM (SELECT {cols.select}, ROW_NUMBER() OVER ("
            f"PARTITION BY compound_id ORDER BY created_at DESC, id DESC) AS rn FROM cases "
            f"WHERE {where}) t WHERE rn <= {b.bind(first + 1, 'int')} "
            "ORDER BY compound_id, created_at DESC, id DESC"
        )
    for row in cols.convert(await db.fetch(sql, b.params)):
        row.pop("rn", None)
        grouped[row["compound_id"]].append(row)
    return grouped


def _kinds_sql(b: reads.Binder, kinds: tuple[CaseKind, ...]) -> str:
    return f" AND kind {b.any_of([k.value for k in kinds], 'text')}" if kinds else ""


async def case_counts(
    principal: Principal, compound_ids: Iterable[int], kinds: tuple[CaseKind, ...]
) -> dict[int, int]:
    keys = list(set(compound_ids))
    counts = dict.fromkeys(keys, 0)
    b = reads.Binder()
    visible = _visible_sql(principal, b)
    if visible is None or not keys:
        return counts
    rows = await db.fetch(
        "SELECT compound_id, count(*) AS n FROM cases WHERE city_id = $1 "
        f"AND compound_id {b.any_of(keys)}{visible}{_kinds_sql(b, kinds)} GROUP BY compound_id",
        b.params,
    )
    counts.update({r["compound_id"]: r["n"] for r in rows})
    return counts


@dataclass(frozen=True)
class FileCaseInput:
    kind: CaseKind
    title: str
    compound_id: int
    description: str = ""
    # Proxy filing (代办): the resident staff file for, by name; staff only.
    on_behalf_of: str | None = None


# Staff at a one-window service point (WINDOW_STAFF) accept a request in the act of filing it.
NAME_MAX = 64


def _validate(principal: Principal, data: FileCaseInput) -> None:
    errors = []
    if data.on_behalf_of is not None:
        name = data.on_behalf_of.strip()
        if principal.role not in WINDOW_STAFF:
            errors.append(DomainError("PROXY_FORBIDDEN", "onBehalfOf"))
        elif not name:
            errors.append(DomainError("REQUIRED", "onBehalfOf"))
        elif len(name) > NAME_MAX:
            errors.append(DomainError("TOO_LONG", "onBehalfOf", max=NAME_MAX))
    title = data.title.strip()
    if not title:
        errors.append(DomainError("REQUIRED", "title"))
    elif len(title) > TITLE_MAX:
        errors.append(DomainError("TOO_LONG", "title", max=TITLE_MAX))
    if errors:
        raise ValidationErrors(errors)


def _initial_stage(principal: Principal, kind: CaseKind) -> CaseStage:
    if kind is CaseKind.SERVICE_REQUEST and principal.role in WINDOW_STAFF:
        return CaseStage.ACCEPTED
    return INITIAL_STAGE[kind]


async def file_case(principal: Principal, data: FileCaseInput) -> dict[str, Any]:
    """File a case in a compound inside the caller's scope; returns the new case's row.

    The filing, its first timeline entry, the plugins' case_filed hook and the live update
    are one transaction.
    """
    require_role(principal, FILERS)
    _validate(principal, data)
    await require_compound_in_scope(principal, data.compound_id, "compoundId")
    now = clock.now()
    stage = _initial_stage(principal, data.kind)
    async with case_change():
        case = await Case.create(
            kind=data.kind,
            title=data.title.strip(),
            description=data.description.strip(),
            compound_id=data.compound_id,
            filed_by_subject=principal.subject,
            on_behalf_of=data.on_behalf_of.strip() if data.on_behalf_of else None,
            stage=stage,
            stage_entered_at=now,
            stage_due_on=stage_due_on(stage, now),
            created_at=now,
        )
        row = (await Case.filter(id=case.id).values(*CASE_FIELDS))[0]
        note = f"proxy filing for {row['on_behalf_of']}" if row["on_behalf_of"] else ""
        await record_transition(principal, row, TransitionKind.FILED, None, note, at=now)
        await plugins.emit_case_filed(
            CaseFiled(
                city=current_city(),
                occurred_at=now,
                actor=principal.subject,
                case_id=case.id,
                compound_id=data.compound_id,
                kind=data.kind.value,
                stage=stage.value,
                title=row["title"],
            )
        )
        announce_case(row, TransitionKind.FILED.value)
    return row
