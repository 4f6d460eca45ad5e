"""The case-visibility rules exist twice: as ORM filters (core/security/access.py) and as SQL
fragments
(the compiled path, and the resolver path's loaders through core/infra/reads.py, on both databases).
Both must pick the same compounds, and the same cases of each kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest

from core.cases import filing as cases
from core.infra import db, reads
from core.infra.enums import CaseKind, CaseStage, Role
from core.infra.pagination import Ordering, Page, PageRequest, decode_cursor, paginate
from core.infra.tenancy import in_city
from core.models import Case, Compound, ManagementContract, Person
from core.security.access import (
    case_visibility,
    case_visibility_sql,
    compound_scope,
    compound_scope_sql,
)
from core.security.auth import CITY_WIDE, Principal, Scope, ScopeKind
from tests.factories import Town, build_town


@pytest.fixture
async def town(empty_db: str) -> Town:
    town = await build_town("dongguan", compounds=8, cases_each=1)
    await build_town("zhuhai", compounds=3, cases_each=1)
    with in_city("dongguan"):
        # A contract that ended: the firm's scope must not include that compound any more.
        await ManagementContract.create(
            compound=town.compounds[1],
            firm=town.firms[0],
            starts_on=dt.date(2018, 1, 1),
            ends_on=dt.date(2019, 1, 1),
        )
        # Personal cases (docs/security.md, "Cases by kind"): each kind filed by a resident of
        # compound 3 and by someone else, one mediation mediated by a mediator with an account.
        mediator = await Person.create(name="调解员", subject="mediator-1")
        for compound in (town.compounds[3], town.compounds[4]):
            for kind in (CaseKind.SERVICE_REQUEST, CaseKind.MEDIATION):
                for filer in ("resident-3", "someone-else", None):
                    await Case.create(
                        kind=kind,
                        title="个人事务",
                        compound=compound,
                        filed_by_subject=filer,
                        stage=CaseStage.SUBMITTED
                        if kind is CaseKind.SERVICE_REQUEST
                        else CaseStage.MEDIATING,
                        stage_entered_at=dt.datetime.now(dt.UTC),
                        mediator=mediator if filer is None else None,
                    )
    return town


def _principals(town: Town) -> list[Principal]:
    def p(role: Role, kind: ScopeKind, ident: int | None) -> Principal:
        return Principal("dongguan", role, Scope(kind, ident))

    return [
        Principal("dongguan", Role.CITY_ADMIN, CITY_WIDE),
        Principal.anonymous("dongguan"),
        p(Role.STREET_ADMIN, ScopeKind.STREET, town.streets[1].id),
        p(Role.COMMUNITY_WORKER, ScopeKind.COMMUNITY, town.communities[2].id),
        p(Role.RESIDENT, ScopeKind.COMPOUND, town.compounds[3].id),
        p(Role.FIRM_STAFF, ScopeKind.FIRM, town.firms[0].id),
        p(Role.FIRM_STAFF, ScopeKind.FIRM, town.firms[1].id),
        p(Role.SOCIAL_ORG_STAFF, ScopeKind.ORGANISATION, 1),
        # With token subjects: their own cases, and the cases they mediate.
        Principal(
            "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[3].id), "resident-3"
        ),
        Principal("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[3].id), ""),
        Principal("dongguan", Role.MEDIATOR, Scope(ScopeKind.STREET, town.streets[1].id)),
        Principal(
            "dongguan",
            Role.BUILDING_HEAD,
            Scope(ScopeKind.COMPOUND, town.compounds[4].id),
            "mediator-1",
        ),
        Principal(
            "dongguan", Role.FIRM_STAFF, Scope(ScopeKind.FIRM, town.firms[0].id), "mediator-1"
        ),
    ]


async def _sql_ids(template: str, params: list[Any]) -> set[int]:
    rows = await db.fetch(template, params)
    return {r["id"] for r in rows}


async def test_compound_scope_sql_agrees_with_the_orm(town: Town):
    for principal in _principals(town):
        with in_city("dongguan"):
            q = compound_scope(principal)
            orm = set(
                await (Compound.filter(q) if q is not None else Compound.all()).values_list(
                    "id", flat=True
                )
            )
            b = reads.Binder()
            sub = compound_scope_sql(principal, "$1", b.bind)
            sql = sub if sub is not None else "SELECT id FROM compounds WHERE city_id = $1"
            assert await _sql_ids(sql, b.params) == orm, principal


async def test_case_visibility_sql_agrees_with_the_orm(town: Town):
    # core.infra.reads.Binder binds as each database needs ($n::type on PostgreSQL, dates as text
    # on SQLite), as the resolver path's loaders bind.
    sizes = set()
    for principal in _principals(town):
        with in_city("dongguan"):
            query = cases.visible_cases(principal)
            orm = set() if query is None else set(await query.values_list("id", flat=True))
            b = reads.Binder()
            pred = case_visibility_sql(principal, "$1", b.bind, "c")
            sql = f"SELECT c.id FROM cases c WHERE c.city_id = $1 AND {pred}"
            assert await _sql_ids(sql, b.params) == orm, principal
            sizes.add(len(orm))
            vis = case_visibility(principal)
            assert vis.nothing == (query is None), principal
    # The callers differ, so the check compared real selections, not empty sets only.
    assert len(sizes) >= 8, sizes


async def test_the_case_list_in_sql_agrees_with_the_orm(town: Town):
    """core.cases.filing.list_cases (SQL text) against the queryset it replaced (visible_cases and
    _filter_q through paginate): the same rows, order, cursors and counts, for every caller and
    filter, page by page."""
    t0 = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    filters = [
        cases.CaseFilter(),
        cases.CaseFilter(compound_id=town.compounds[2].id),
        cases.CaseFilter(community_id=town.communities[1].id),
        cases.CaseFilter(street_id=town.streets[0].id),
        cases.CaseFilter(kinds=(CaseKind.PROPERTY_DISPUTE,), stages=(CaseStage.TOPIC_COLLECTION,)),
        cases.CaseFilter(filed_after=t0, filed_before=dt.datetime.now(dt.UTC)),
        cases.CaseFilter(filed_after=dt.datetime.now(dt.UTC)),
    ]
    orders = [Ordering("created_at", True), Ordering("stage_entered_at", False)]
    compared = 0
    for principal in _principals(town):
        for f in filters:
            for order in orders:
                with in_city("dongguan"):
                    in_sql = await _all_pages(partial(cases.list_cases, principal, f, order))
                    by_orm = await _all_pages(partial(_orm_page, principal, f, order))
                assert in_sql == by_orm, (principal, f, order)
                compared += sum(len(rows) for rows, *_ in in_sql)
    assert compared > 100  # real rows were compared, not empty pages only


async def _orm_page(
    principal: Principal, f: cases.CaseFilter, order: Ordering, request: PageRequest
) -> Page:
    query = cases.visible_cases(principal)
    if query is None:
        return await cases.list_cases(principal, f, order, request)  # the empty page
    return await paginate(query.filter(cases.case_filter_q(f)), order, request, cases.CASE_FIELDS)


async def _all_pages(page_of: Callable[[PageRequest], Awaitable[Page]]) -> list[tuple[Any, ...]]:
    pages, request = [], PageRequest(3)
    while True:
        page = await page_of(request)
        pages.append((page.rows, page.cursors, page.has_next, await page.count()))
        if not page.has_next:
            return pages
        request = PageRequest(3, decode_cursor(page.cursors[-1]))
