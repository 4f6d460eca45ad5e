"""The case-visibility rules exist twice: as ORM filters (core/access.py) for the resolver path
and as SQL fragments for the compiled path. Both must pick the same compounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import db
from core.access import case_visibility, case_visibility_sql, compound_scope, compound_scope_sql
from core.auth import CITY_WIDE, Principal, Scope, ScopeKind
from core.enums import Role
from core.models import Compound, ManagementContract
from core.tenancy import in_city
from tests.conftest import ON_POSTGRES
from tests.factories import Town, build_town

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the SQL fragments serve the compiled path, which is PostgreSQL-only"
)


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
            params: list[Any] = ["dongguan"]

            def bind(value: Any, sql_type: str, params: list[Any] = params) -> str:
                params.append(value)
                return f"${len(params)}::{sql_type}"

            sub = compound_scope_sql(principal, "$1", bind)
            sql = sub if sub is not None else "SELECT id FROM compounds WHERE city_id = $1"
            assert await _sql_ids(sql, params) == orm, principal


async def test_case_visibility_sql_agrees_with_the_orm(town: Town):
    sizes = set()
    for principal in _principals(town):
        with in_city("dongguan"):
            vis = case_visibility(principal)
            if vis.nothing:
                orm: set[int] = set()
            elif vis.everything:
                orm = set(await Compound.all().values_list("id", flat=True))
            else:
                orm = set(await Compound.filter(vis.compounds).values_list("id", flat=True))
            params: list[Any] = ["dongguan"]

            def bind(value: Any, sql_type: str, params: list[Any] = params) -> str:
                params.append(value)
                return f"${len(params)}::{sql_type}"

            pred = case_visibility_sql(principal, "$1", bind, "c.id")
            sql = f"SELECT c.id FROM compounds c WHERE c.city_id = $1 AND {pred}"
            assert await _sql_ids(sql, params) == orm, principal
            sizes.add(len(orm))
    # The scopes differ, so the check compared real selections, not empty sets only.
    assert sizes == {0, 1, 2, 4, 8}
