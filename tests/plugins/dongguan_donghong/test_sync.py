"""A sync against Donghong's feed served over real HTTP on 127.0.0.1: good, changed,
malformed and unreachable feeds, each with its exact report; a failing feed changes nothing;
every run is on record and queryable."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from core.infra.enums import Role
from core.infra.i18n import Text, localise
from core.infra.tenancy import in_city
from core.models import Compound, ManagementContract
from core.plugins import calls as plugins
from core.plugins.contributions import SyncReport
from core.security.auth import Scope, ScopeKind
from plugins.dongguan_donghong.models import DonghongProject, DonghongSyncRun
from tests.conftest import GraphQLClient, token
from tests.plugins.dongguan_donghong.conftest import DONGHONG_USCC, Place, configure
from tests.plugins.dongguan_donghong.feed_server import FeedServer, closed_port_url

COMPANY = {"name": "广东东鸿物业发展有限公司", "registration_number": DONGHONG_USCC}


def en(text: str | Text) -> str:
    return localise(text, "en")


def project(code: str, name: str, **kw: Any) -> dict[str, Any]:
    p = {
        "project_code": code,
        "name": name,
        "street": "南城街道",
        "community": "宏图社区",
        "kind": "PUBLIC_RENTAL",
        "managed_since": "2017-05-01",
    }
    p.update(kw)
    return p


GOOD = {
    "company": COMPANY,
    "projects": [
        project("DH-001", "雅园新村", homes=4852, floor_area=400000, managed_since="2017-05-01"),
        project("DH-002", "运河苑", homes=900, floor_area=78000, managed_since="2019-03-01"),
        project("DH-003", "宏图花园", kind="COMMERCIAL_RESIDENTIAL", managed_since="2025-01-01"),
        project("DH-004", "宏图新苑", kind="PRICE_LIMITED", homes=300, floor_area=27000.5,
                managed_since="2026-01-01"),
        project("DH-005", "东城某项目", community="不存在社区", managed_since="2024-01-01"),
    ],
}  # fmt: skip


async def sync(dry_run: bool = False) -> SyncReport:
    with in_city("dongguan"):
        [report] = await plugins.sync_state_owned_projects(
            "dongguan_donghong", dry_run=dry_run, actor="admin-dg"
        )
    return report


def table(report: SyncReport) -> list[tuple[str, str, str]]:
    return [(r.status, r.external_id, en(r.detail)) for r in report.rows]


async def state() -> tuple[list[dict], list[dict], list[dict]]:
    with in_city("dongguan"):
        return (
            await Compound.all().order_by("id").values("id", "name", "homes", "floor_area"),
            await ManagementContract.all().order_by("id").values(),
            await DonghongProject.all().order_by("id").values(),
        )


async def test_a_good_feed_then_a_changed_one(place: Place, server: FeedServer):
    await configure(server.url)
    server.serve(GOOD)
    first = await sync()
    assert first.errors == ()
    assert table(first) == [
        ("MATCHED", "DH-001", ""),
        ("MATCHED", "DH-002", ""),
        ("CONFLICTING", "DH-003",
         "managed here by 东莞市宏景物业服务有限公司: a takeover needs the decision"),
        ("CREATED", "DH-004",
         "宏图新苑 registered in 宏图社区; no contract until the decision is recorded"),
        ("CONFLICTING", "DH-005", "community 不存在社区 is unknown"),
    ]  # fmt: skip
    assert server.seen_auth == ["Bearer dh-test-token"]
    with in_city("dongguan"):
        created = await Compound.get(name="宏图新苑")
        assert (created.kind, created.homes, created.floor_area) == ("PRICE_LIMITED", 300, 27000.5)
        assert not await ManagementContract.filter(compound_id=created.id).exists()
        assert await DonghongProject.filter().count() == 3  # matched and created rows
        run = await DonghongSyncRun.get(id=first.run_id)
    assert (run.status, run.actor, run.matched, run.created, run.conflicting) == (
        "APPLIED", "admin-dg", 2, 1, 2,
    )  # fmt: skip

    # The same feed again: the created compound now waits for the decision.
    again = await sync()
    assert [r.status for r in again.rows] == [
        "MATCHED", "MATCHED", "CONFLICTING", "CONFLICTING", "CONFLICTING",
    ]  # fmt: skip
    assert en(again.rows[3].detail) == "no contract in force: a takeover needs the decision"

    changed = copy.deepcopy(GOOD)
    changed["projects"][0].update(homes=4860, name="雅园新村（公租房）", compound_name="雅园新村")
    changed["projects"][1]["managed_until"] = "2025-12-31"
    del changed["projects"][3:]
    server.serve(changed)
    report = await sync()
    yayuan, yunhe = place.compounds["雅园新村"].id, place.compounds["运河苑"].id
    assert table(report) == [
        ("CHANGED", "DH-001", "homes 4852 → 4860; name 雅园新村 → 雅园新村（公租房）"),
        ("ENDED", "DH-002", "contract ended on 2025-12-31"),
        ("CONFLICTING", "DH-003",
         "managed here by 东莞市宏景物业服务有限公司: a takeover needs the decision"),
    ]  # fmt: skip
    with in_city("dongguan"):
        assert (await Compound.get(id=yayuan)).homes == 4860
        ended = await ManagementContract.get(compound_id=yunhe)
        assert ended.ends_on == dt.date(2025, 12, 31)
        runs = await DonghongSyncRun.all().order_by("id").values_list("status", "changed", "ended")
    assert runs == [("APPLIED", 0, 0), ("APPLIED", 0, 0), ("APPLIED", 1, 1)]
    # Once more: both sides now agree.
    assert [(r.status, en(r.detail)) for r in (await sync()).rows[:2]] == [
        ("MATCHED", ""),
        ("MATCHED", "ended already"),
    ]


async def test_a_dry_run_reports_and_writes_nothing(place: Place, server: FeedServer):
    await configure(server.url)
    server.serve(GOOD)
    before = await state()
    report = await sync(dry_run=True)
    assert [r.status for r in report.rows] == [
        "MATCHED", "MATCHED", "CONFLICTING", "CREATED", "CONFLICTING",
    ]  # fmt: skip
    assert await state() == before
    with in_city("dongguan"):
        assert await DonghongSyncRun.all().values_list("status", "created") == [("DRY_RUN", 1)]


BAD_FIELDS = copy.deepcopy(GOOD)
BAD_FIELDS["projects"][0]["homes"] = -5
del BAD_FIELDS["projects"][2]["managed_since"]
BAD_FIELDS["projects"][3]["kind"] = "CASTLE"
BAD_FIELDS["projects"][4]["project_code"] = "DH-001"


@pytest.mark.parametrize(
    ("serve", "errors", "chinese"),
    [
        (
            {"feed": BAD_FIELDS},
            [
                "projects[0].homes: Input should be greater than or equal to 0",
                "projects[2].managed_since: Field required",
                "projects[3].kind: Input should be 'COMMERCIAL_RESIDENTIAL', 'PUBLIC_RENTAL', "
                "'PRICE_LIMITED', 'INDUSTRIAL_DORMITORY' or 'OTHER'",
            ],
            [
                "projects[0].homes：不能小于 0",
                "projects[2].managed_since：缺少此字段",
                "projects[3].kind：应为以下之一：'COMMERCIAL_RESIDENTIAL', 'PUBLIC_RENTAL', "
                "'PRICE_LIMITED', 'INDUSTRIAL_DORMITORY'、'OTHER'",
            ],
        ),
        (
            {"feed": {**GOOD, "projects": GOOD["projects"] + [GOOD["projects"][0]]}},
            ["projects[5].project_code: DH-001 is listed twice"],
            ["projects[5].project_code：DH-001 重复出现"],
        ),
        (
            {"feed": {**GOOD, "company": {**COMPANY, "registration_number": "9" * 18}}},
            ["company.registration_number: 999999999999999999 is not the configured company"],
            ["company.registration_number：999999999999999999 不是所配置的企业"],
        ),
        ({"feed": {"projects": []}}, ["company: Field required"], ["company：缺少此字段"]),
        (
            {"raw": b"[1, 2"},
            ["invalid JSON: Expecting ',' delimiter: line 1 column 6 (char 5)"],
            ["JSON 无效：第 1 行第 6 列有误"],
        ),
        (
            {"raw": b"\xff\xfe\x00"},
            ["invalid JSON: not UTF-8 text"],
            ["JSON 无效：不是 UTF-8 文本"],
        ),
        ({"feed": GOOD, "status": 503}, ["HTTP status 503"], ["HTTP 状态码 503"]),
        (
            {"feed": {**GOOD, "projects": [
                project("DH-009", "新苑", managed_since="2025-01-01", managed_until="2024-12-31",
                        homes=1.5, floor_area="大", street="南" * 65)]}},
            [
                "projects[0].street: String should have at most 64 characters",
                "projects[0].floor_area: Input should be a valid number, unable to parse string "
                "as a number",
                "projects[0].homes: Input should be a valid integer, got a number with a "
                "fractional part",
            ],
            [
                "projects[0].street：最多 64 个字符",
                "projects[0].floor_area：应为数字",
                "projects[0].homes：应为整数，不能有小数部分",
            ],
        ),
        (
            {"feed": {**GOOD, "projects": [project(
                "DH-009", "新苑", managed_since="2025-01-01", managed_until="2024-12-31")]}},
            ["projects[0]: managed_until is before managed_since"],
            ["projects[0]：managed_until 早于 managed_since"],
        ),
    ],
    ids=["fields", "duplicate", "company", "no-company", "json", "not-utf8", "status", "rules",
         "dates"],
)  # fmt: skip
async def test_a_malformed_or_failing_feed_changes_nothing_and_says_why(
    place: Place, server: FeedServer, serve: dict, errors: list[str], chinese: list[str]
):
    await configure(server.url)
    server.serve(serve.get("feed"), status=serve.get("status", 200), raw=serve.get("raw", b""))
    before = await state()
    report = await sync()
    assert [en(e) for e in report.errors] == errors
    # Chinese is the default language (issue 16): every problem has its own Chinese wording.
    assert [localise(e, "zh") for e in report.errors] == chinese
    assert report.rows == ()
    assert await state() == before
    with in_city("dongguan"):
        run = await DonghongSyncRun.get(id=report.run_id)
    assert (run.status, [en(e) for e in run.errors], run.rows) == ("FAILED", errors, [])


async def test_a_wrong_token_is_an_http_status(place: Place, server: FeedServer):
    await configure(server.url, token="wrong")
    server.serve(GOOD)
    assert [en(e) for e in (await sync()).errors] == ["HTTP status 401"]
    assert server.seen_auth == ["Bearer wrong"]


async def test_a_feed_slower_than_the_timeout_changes_nothing(place: Place, server: FeedServer):
    await configure(server.url, timeout_seconds=0.2)
    server.serve(GOOD)
    server.delay = 1.0
    before = await state()
    assert [en(e) for e in (await sync()).errors] == ["timed out after 0.2s"]
    assert await state() == before


async def test_an_unreachable_feed_changes_nothing(place: Place):
    await configure(closed_port_url())
    before = await state()
    report = await sync()
    assert [en(e) for e in report.errors] == ["unreachable: ConnectError"]
    assert await state() == before


async def test_the_mutation_syncs_and_the_runs_are_queryable(
    place: Place, server: FeedServer, gql: GraphQLClient
):
    await configure(server.url)
    server.serve(GOOD)
    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    done = await gql(
        """mutation { syncStateOwnedProjects(dryRun: false) { errors { code }
            reports { plugin company dryRun matched created changed ended conflicting errors
              rows { status projectCode compound { name } } } } }""",
        auth=admin,
    )
    [report] = done["data"]["syncStateOwnedProjects"]["reports"]
    assert {k: report[k] for k in ("plugin", "matched", "created", "conflicting", "errors")} == {
        "plugin": "dongguan_donghong", "matched": 2, "created": 1, "conflicting": 2, "errors": [],
    }  # fmt: skip
    assert report["rows"][0] == {
        "status": "MATCHED", "projectCode": "DH-001", "compound": {"name": "雅园新村"},
    }  # fmt: skip
    server.serve(raw=b"oops")
    await gql("mutation { syncStateOwnedProjects { errors { code } } }", auth=admin)
    runs = await gql(
        """{ donghongSyncRuns(first: 5) { totalCount nodes { status actor dryRun matched
            created errors ranAt } } }""",
        auth=admin,
    )
    nodes = runs["data"]["donghongSyncRuns"]["nodes"]
    assert runs["data"]["donghongSyncRuns"]["totalCount"] == 2
    assert [(n["status"], n["actor"], n["matched"], n["created"]) for n in nodes] == [
        ("FAILED", "admin-dg", 0, 0),
        ("APPLIED", "admin-dg", 2, 1),
    ]
    assert nodes[0]["errors"] == ["JSON 无效：第 1 行第 1 列有误"]  # the default language, zh
    english = await gql(
        "{ donghongSyncRuns(first: 1) { nodes { errors } } }", auth=admin, lang="en"
    )
    assert english["data"]["donghongSyncRuns"]["nodes"][0]["errors"] == [
        "invalid JSON: Expecting value: line 1 column 1 (char 0)"
    ]
    staff = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, place.hongtu.street_id))
    refused = await gql(
        "mutation { syncStateOwnedProjects { errors { code } } }", auth=staff, expect_errors=True
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_sync_report_line_is_in_the_requests_language(
    place: Place, server: FeedServer, gql: GraphQLClient
):
    # Issue 16.6: the report's lines came back in English under the Chinese default.
    await configure(server.url)
    server.serve(GOOD)
    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    sync_rows = """mutation { syncStateOwnedProjects(dryRun: false) {
        reports { rows { status detail } } } }"""
    rows = (await gql(sync_rows, auth=admin))["data"]["syncStateOwnedProjects"]["reports"][0]
    created = next(r["detail"] for r in rows["rows"] if r["status"] == "CREATED")
    assert created == "宏图新苑 已在 宏图社区 登记；决定记录前不建合同"
    runs = "{ donghongSyncRuns(first: 1) { nodes { rows { status detail } } } }"
    for lang, expected in (
        (None, "宏图新苑 已在 宏图社区 登记；决定记录前不建合同"),
        ("en", "宏图新苑 registered in 宏图社区; no contract until the decision is recorded"),
    ):
        body = await gql(runs, auth=admin, lang=lang)
        [run] = body["data"]["donghongSyncRuns"]["nodes"]
        assert next(r["detail"] for r in run["rows"] if r["status"] == "CREATED") == expected
