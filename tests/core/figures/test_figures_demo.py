"""The Dongguan demo's figures, counted by hand from core/devdata/demo_cities.py's compound
table and core/devdata/grassroots.py (DOMAIN.md: 1,112 of 1,112 mature compounds have a party
branch)."""

from __future__ import annotations

import datetime as dt

from core.devdata.grassroots import load_grassroots_demo
from core.figures import report as figures
from core.figures.report import Coverage
from core.infra.tenancy import in_city


async def test_dongguan_demo_figures(writable_demo_db: str) -> None:
    await load_grassroots_demo()
    with in_city("dongguan"):
        f = await figures.figures(figures.CITY, dt.date.today())
    # 25 compounds, 4 not mature (篁村旧楼片区, 主山新村, 石美工业区宿舍, 西隅老街住宅楼);
    # every mature compound has its branch.
    assert f.party_coverage == Coverage(21, 21)
    # Only 主山新村 (mode NONE, no contract) lacks property management; 篁村旧楼片区 is in
    # community care and 西隅老街住宅楼 self-managed.
    assert f.property_management_coverage == Coverage(24, 25)
    # 10 communities with 2 grids each; one grid party branch (宏图社区第一网格).
    assert f.grid_party_branch_coverage == Coverage(1, 20)
    # Every compound's council meets each half year; the four not mature have fallen behind.
    assert f.council_compliance == Coverage(21, 25)
    # The demo heads cover 雅园新村's 8 buildings and 景湖春晓's 2, less the one who left.
    assert f.building_head_coverage.covered == 9
