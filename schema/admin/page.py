"""The city overview page for admins: figures, charts and export links, rendered here.

Plain HTML with inline SVG (schema/admin/charts.py): no script and no external file, so it
opens the same in any browser, offline, and prints.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from core.figures import report as figures
from core.figures.exports import EXPORTS
from core.figures.report import AreaKind
from core.infra.enums import CaseStage
from core.infra.tenancy import in_city
from core.models import City, Community, Street
from schema.admin.access import AdminRequest, Refused, admin_request
from schema.admin.charts import coverage_bars, percent, ranking_bars, stacked_columns
from schema.api.ids import to_global_id

TEXT = {
    # key: (zh, en)
    "title": ("城市治理概览", "City governance overview"),
    "coverage": ("覆盖率", "Coverage"),
    "party": ("成熟小区党组织覆盖", "Party organisation in mature compounds"),
    "property": ("小区物业管理覆盖", "Property management of compounds"),
    "heads": ("楼栋长覆盖楼栋", "Buildings with a building head"),
    "grids": ("网格党支部覆盖", "Grids with a party branch"),
    "council": ("半年内召开共建议事会", "Compounds with a council in 6 months"),
    "cases": ("案件", "Cases"),
    "total": ("总数", "total"),
    "open": ("办理中", "open"),
    "overdue": ("超期", "overdue"),
    "rating": ("居民评价均分", "mean resident rating"),
    "stage": ("阶段", "stage"),
    "median": ("在阶段天数中位数", "median days in stage"),
    "p90": ("在阶段天数 P90", "p90 days in stage"),
    "over_time": ("各阶段案件数（月末）", "Cases by stage at each month end"),
    "firms": ("物业企业排名（在管小区数）", "Property firms by compounds managed"),
    "per_1000": ("每千户案件", "cases per 1,000 homes"),
    "managed": ("在管小区", "compounds managed"),
    "homes": ("户数", "homes"),
    "exports": ("导出", "Exports"),
    "spend": ("本年度政府购买服务（按类别）", "Purchased services this year, by category"),
    "category": ("类别", "category"),
    "purchases": ("项目数", "purchases"),
    "amount": ("金额（元）", "amount (yuan)"),
    "streets": ("镇街", "Streets"),
    "as_of": ("截至", "as of"),
    "area_city": ("全市", "whole city"),
    "none": ("暂无数据", "no data"),
}


def t(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return en if lang == "en" else zh


def _query(req: AdminRequest, **extra: str) -> str:
    params: dict[str, str] = {"asOf": req.as_of.isoformat()}
    if req.area.kind is AreaKind.STREET:
        params["streetId"] = to_global_id("Street", req.area.id or 0)
    elif req.area.kind is AreaKind.COMMUNITY:
        params["communityId"] = to_global_id("Community", req.area.id or 0)
    params.update(extra)
    return urlencode(params)


async def _area_name(req: AdminRequest) -> str:
    if req.area.kind is AreaKind.STREET:
        row = await Street.filter(id=req.area.id).values("name")
        return str(row[0]["name"])
    if req.area.kind is AreaKind.COMMUNITY:
        row = await Community.filter(id=req.area.id).values("name")
        return str(row[0]["name"])
    return t("area_city", req.lang)


async def _render(req: AdminRequest) -> str:
    lang = req.lang
    f = await figures.figures(req.area, req.as_of)
    history = await figures.cases_by_stage_over_time(req.area, req.as_of, months=6)
    ranking = await figures.firm_ranking(req.area, req.as_of, limit=10)
    spend = await figures.purchase_spend(req.area, req.as_of)
    city = await City.get(slug=req.city).values("name", "name_en")
    area = await _area_name(req)
    streets = []
    if req.area.kind is AreaKind.CITY:
        streets = await Street.all().order_by("name").values("id", "name")

    cover = coverage_bars(
        [
            (t("party", lang), f.party_coverage.covered, f.party_coverage.total),
            (t("property", lang), f.property_management_coverage.covered,
             f.property_management_coverage.total),
            (t("heads", lang), f.building_head_coverage.covered, f.building_head_coverage.total),
            (t("grids", lang), f.grid_party_branch_coverage.covered,
             f.grid_party_branch_coverage.total),
            (t("council", lang), f.council_compliance.covered, f.council_compliance.total),
        ],
        t("coverage", lang),
    )  # fmt: skip
    stages = [s for s in CaseStage]
    over_time = stacked_columns(
        [
            (day.strftime("%Y-%m"), [next(x.cases for x in c.by_stage if x.stage is s)
                                     for s in stages])
            for day, c in history
        ],
        [s.label(lang) for s in stages],
        t("over_time", lang),
    )  # fmt: skip
    firms = ranking_bars(
        [
            (r.name, r.compounds, f"{r.compounds} · {r.homes} · "
             + ("–" if r.cases_per_1000_homes is None else f"{r.cases_per_1000_homes:.1f}"))
            for r in ranking
        ],
        t("firms", lang),
    )  # fmt: skip
    stage_rows = "".join(
        f"<tr><td>{escape(CaseStage(s.stage).label(lang))}</td><td>{s.cases}</td>"
        f"<td>{s.overdue}</td><td>{_num(s.median_days)}</td><td>{_num(s.p90_days)}</td></tr>"
        for s in f.cases.by_stage
        if s.cases
    )
    exports = "".join(
        f'<li>{escape(name)}: <a href="/admin/{req.city}/export/{name}.csv?{_query(req)}">CSV</a>'
        f' · <a href="/admin/{req.city}/export/{name}.xlsx?{_query(req)}">XLSX</a></li>'
        for name in EXPORTS
    )
    street_links = "".join(
        f'<li><a href="/admin/{req.city}?'
        f'{_query(req, streetId=to_global_id("Street", s["id"]))}">{escape(s["name"])}</a></li>'
        for s in streets
    )
    spend_rows = "".join(
        f"<tr><td>{escape(c.category)}</td><td>{c.purchases}</td><td>{c.amount:,.2f}</td></tr>"
        for c in spend
    )
    cases = f.cases
    city_name = city["name_en"] if lang == "en" else city["name"]
    return f"""<!doctype html>
<html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">
<title>{escape(city_name)} · {t("title", lang)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }}
section {{ margin-bottom: 28px; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.kpi {{ display: inline-block; margin-right: 28px; font-size: 14px; }}
.kpi b {{ display: block; font-size: 26px; }}
</style></head><body>
<h1>{escape(city_name)} · {t("title", lang)}</h1>
<p id="area">{escape(area)} · {t("as_of", lang)} <time>{req.as_of.isoformat()}</time></p>
<section id="coverage"><h2>{t("coverage", lang)}</h2>{cover}</section>
<section id="cases"><h2>{t("cases", lang)}</h2>
<div class="kpi" id="cases-total"><b>{cases.total}</b>{t("total", lang)}</div>
<div class="kpi" id="cases-open"><b>{cases.open}</b>{t("open", lang)}</div>
<div class="kpi" id="cases-overdue"><b>{cases.overdue}</b>{t("overdue", lang)}</div>
<div class="kpi" id="cases-rating"><b>{_num(cases.mean_rating)}</b>{t("rating", lang)}
 ({cases.ratings})</div>
<table id="stages"><tr><th>{t("stage", lang)}</th><th>{t("cases", lang)}</th>
<th>{t("overdue", lang)}</th><th>{t("median", lang)}</th><th>{t("p90", lang)}</th></tr>
{stage_rows or f'<tr><td colspan="5">{t("none", lang)}</td></tr>'}</table>
</section>
<section id="over-time"><h2>{t("over_time", lang)}</h2>{over_time}</section>
<section id="firms"><h2>{t("firms", lang)}</h2>
<p>{t("managed", lang)} · {t("homes", lang)} · {t("per_1000", lang)}</p>{firms}</section>
<section id="spend"><h2>{t("spend", lang)}</h2><table><tr><th>{t("category", lang)}</th>
<th>{t("purchases", lang)}</th><th>{t("amount", lang)}</th></tr>
{spend_rows or f'<tr><td colspan="3">{t("none", lang)}</td></tr>'}</table></section>
{
        f'<section id="streets"><h2>{t("streets", lang)}</h2><ul>{street_links}</ul></section>'
        if street_links
        else ""
    }
<section id="exports"><h2>{t("exports", lang)}</h2><ul>{exports}</ul></section>
<p><small>{percent(f.party_coverage.share)} · civicgraph</small></p>
</body></html>"""


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


async def overview(request: Request) -> Response:
    try:
        req = await admin_request(request)
    except Refused as refused:
        return refused.response
    with in_city(req.city):
        html = await _render(req)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return HTMLResponse(html, headers=headers)
