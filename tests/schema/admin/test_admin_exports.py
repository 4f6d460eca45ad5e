"""Exports: the CSV parses and matches the figures, the XLSX opens in openpyxl, admins only."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import token
from tests.figures_town import FiguresTown, build_figures_town

ADMIN = {"Authorization": f"Bearer {token('dongguan', Role.CITY_ADMIN)}"}


@pytest.fixture
async def town(empty_db: str) -> FiguresTown:
    return await build_figures_town()


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # spreadsheet programs need it to read UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


async def test_figures_csv_matches_the_figures(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    r = await client.get("/admin/dongguan/export/figures.csv?asOf=2026-06-30", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="dongguan-figures-2026-06-30.csv"' in r.headers["content-disposition"]
    rows = rows_of(r.text)
    assert rows[0] == ["figure", "covered", "total", "share"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table["party_coverage"][:2] == ["2", "3"]
    assert table["property_management_coverage"][:2] == ["3", "5"]
    assert table["building_head_coverage"][:2] == ["3", "7"]
    assert table["grid_party_branch_coverage"][:2] == ["1", "3"]
    assert table["council_compliance"] == ["2", "5", "0.4"]
    assert table["cases_total"][0] == "6" and table["cases_overdue"][0] == "2"
    assert table["resident_ratings"] == ["2", "", "4.5"]


async def test_purchase_spend_with_nothing_bought_is_a_header(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    r = await client.get("/admin/dongguan/export/purchase-spend.csv", headers=ADMIN)
    assert rows_of(r.text) == [["category", "purchases", "amount", "paid"]]


async def test_a_street_with_no_compounds_exports_zeros(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    street = to_global_id("Street", town.streets["乙"].id)
    r = await client.get(
        f"/admin/dongguan/export/figures.csv?asOf=2026-06-30&streetId={street}", headers=ADMIN
    )
    table = {row[0]: row[1:] for row in rows_of(r.text)[1:]}
    assert table["party_coverage"] == ["0", "0", ""]


async def test_stages_xlsx_opens_and_matches(town: FiguresTown, client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/admin/dongguan/export/cases-by-stage.xlsx?asOf=2026-06-30", headers=ADMIN
    )
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book["cases-by-stage"].iter_rows(values_only=True))
    book.close()
    assert rows[0] == ("stage", "cases", "overdue", "median_days_in_stage", "p90_days_in_stage")
    by_stage = {row[0]: row[1:] for row in rows[1:]}
    assert by_stage["TOPIC_COLLECTION"][:2] == (3, 0)
    assert by_stage["TOPIC_COLLECTION"][3] == pytest.approx(11)  # working days
    assert by_stage["CLOSED"][:2] == (1, 0)  # no days in stage: empty cells, trimmed on read


async def test_directory_lists_in_both_formats(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    r = await client.get("/admin/dongguan/export/compounds.csv", headers=ADMIN)
    rows = rows_of(r.text)
    assert rows[0][:2] == ["id", "name"]
    assert sorted(row[1] for row in rows[1:]) == ["小区A", "小区B", "小区D", "小区E", "小区X"]
    r = await client.get("/admin/dongguan/export/building-heads.xlsx", headers=ADMIN)
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    heads = list(book.active.iter_rows(values_only=True))
    book.close()
    assert heads[0] == ("id", "person", "duties", "appointed_on", "ended_on", "buildings")
    assert heads[1][1:3] == ("楼栋长1", "MEDIATOR PUBLICIST INFORMANT PATROLLER LIAISON")
    assert [h[5] for h in heads[1:]] == [2, 1, 1, 1]
    assert "phone" not in heads[0]


async def test_street_admin_exports_their_street_only(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    yi = town.streets["乙"].id
    street_admin = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, yi))
    auth = {"Authorization": f"Bearer {street_admin}"}
    r = await client.get("/admin/dongguan/export/compounds.csv", headers=auth)
    assert rows_of(r.text)[1:] == []  # 乙 has no compounds
    other = to_global_id("Street", town.streets["甲"].id)
    r = await client.get(f"/admin/dongguan/export/compounds.csv?streetId={other}", headers=auth)
    assert r.status_code == 400


async def test_exports_need_an_admin(town: FiguresTown, client: httpx.AsyncClient) -> None:
    assert (await client.get("/admin/dongguan/export/figures.csv")).status_code == 401
    worker = token("dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, 1))
    r = await client.get(
        "/admin/dongguan/export/figures.csv", headers={"Authorization": f"Bearer {worker}"}
    )
    assert r.status_code == 403
    r = await client.get("/admin/dongguan/export/nothing.csv", headers=ADMIN)
    assert r.status_code == 404
    zhuhai = {"Authorization": f"Bearer {token('zhuhai', Role.CITY_ADMIN)}"}
    assert (
        await client.get("/admin/dongguan/export/figures.csv", headers=zhuhai)
    ).status_code == 401
