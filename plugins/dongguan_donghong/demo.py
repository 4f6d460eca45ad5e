"""Dongguan's demo of the Donghong integration, on top of the core demo data.

`load_donghong_demo()` runs after the core's `load_demo()` (it needs Donghong, Yayuan New
Village and its station): Donghong's 26 projects (the source's count and area) are there,
the 22 beyond the demo's compounds as the company reports them, and the company's feed as it
would answer (every compound Donghong manages here, plus a Shanwei project the city does not
know) is reconciled through the same code as a real sync and leaves a sync report; the
Yayuan station gets its head (the project's property manager), its deputy from Hongtu
community, its members by kind and three joint meetings. Idempotent: each part is skipped
when already there, and everything is skipped when Dongguan does not run the plugin.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from tortoise.transactions import in_transaction

from plugins.dongguan_donghong.feed import FeedProject, parse
from plugins.dongguan_donghong.models import (
    DonghongProject,
    DonghongSyncRun,
    JointMeeting,
    ServiceStation,
)
from plugins.dongguan_donghong.settings import NAME, DonghongSettings
from plugins.dongguan_donghong.sync import COMPANY, company_firm, reconcile, record_run
from schema.plugin_api import CompoundKind, OrganisationKind, city_plugins, in_city, settings_of
from schema.plugin_api.models import Community, Compound, ManagementContract, Organisation, Person

CITY = "dongguan"
YAYUAN = "雅园新村"
STATION = f"{YAYUAN}党群服务站"
HEAD, DEPUTY, DEPUTY_COMMUNITY = "陈志强", "李慧玲", "宏图社区"
# The station's joint meetings (联席会议) decide the compound's important questions.
MEETINGS = (
    (
        dt.date(2021, 7, 1),
        "党群服务站成立暨第一次联席会议",
        21,
        "成立 8 个服务小组，明确站长、副站长分工",
    ),
    (dt.date(2023, 4, 12), "楼道堆放杂物与消防通道整治", 18, "分楼栋排期清理，安全监督组每周巡查"),
    (dt.date(2025, 9, 18), "公共充电桩选址", 24, "在 3 号、7 号停车场增设充电桩，费用公示"),
)

# Donghong's portfolio beyond the compounds the demo's directory knows. The source: 26 projects
# managed, over 3,000,000 m² in all, in more than ten towns and streets of Dongguan and in
# Shanwei: public rental housing, car parks, residential, offices, industrial parks, schools.
# It names only Yayuan New Village: the names, places, areas and dates below are made up.
# With the four compounds the feed matches (DH-DG-001 to 004: 660,000 m²) they make 26
# projects and 3,060,000 m². The feed's schema knows compound kinds only, so car parks,
# offices, parks and schools are OTHER and say what they are in their names.
# (code, name, street, community, kind, floor area m², homes, managed since)
CR, RENTAL, LIMITED, DORM, OTHER = (
    CompoundKind.COMMERCIAL_RESIDENTIAL.value,
    CompoundKind.PUBLIC_RENTAL.value,
    CompoundKind.PRICE_LIMITED.value,
    CompoundKind.INDUSTRIAL_DORMITORY.value,
    CompoundKind.OTHER.value,
)
PORTFOLIO = (
    ("DH-DG-005", "东实大厦写字楼", "南城街道", "胜和社区", OTHER, 86000, None, "2015-01-01"),
    ("DH-DG-006", "市民服务中心停车场", "南城街道", "白马社区", OTHER, 64000, None, "2016-03-01"),
    ("DH-DG-007", "牛山安居苑", "东城街道", "牛山社区", RENTAL, 168000, 2260, "2018-07-01"),
    ("DH-DG-008", "东城中心停车场", "东城街道", "桑园社区", OTHER, 42000, None, "2019-04-01"),
    ("DH-DG-009", "松湖人才公寓", "松山湖园区", "松湖北社区", RENTAL, 132000, 1680, "2020-09-01"),
    ("DH-DG-010", "东实科技产业园", "松山湖园区", "松湖北社区", OTHER, 200000, None, "2019-11-01"),
    ("DH-DG-011", "寮步智能制造产业园", "寮步镇", "寮城社区", OTHER, 170000, None, "2020-03-01"),
    ("DH-DG-012", "大朗安居苑", "大朗镇", "长塘社区", RENTAL, 118000, 1520, "2019-08-01"),
    ("DH-DG-013", "长安产业园员工宿舍", "长安镇", "长安社区", DORM, 96000, 2400, "2021-01-01"),
    ("DH-DG-014", "虎门港湾公租房", "虎门镇", "威远社区", RENTAL, 134000, 1760, "2018-12-01"),
    ("DH-DG-015", "虎门高铁站停车场", "虎门镇", "虎门寨社区", OTHER, 38000, None, "2020-06-01"),
    ("DH-DG-016", "塘厦和居苑", "塘厦镇", "塘厦社区", LIMITED, 142000, 1380, "2022-08-01"),
    ("DH-DG-017", "常平安居园", "常平镇", "常平社区", LIMITED, 126000, 1240, "2022-11-01"),
    ("DH-DG-018", "常平科技园", "常平镇", "袁山贝社区", OTHER, 158000, None, "2021-05-01"),
    ("DH-DG-019", "石龙公租房小区", "石龙镇", "中山东社区", RENTAL, 84000, 1090, "2019-10-01"),
    ("DH-DG-020", "厚街会展产业园", "厚街镇", "厚街社区", OTHER, 156000, None, "2022-02-01"),
    ("DH-DG-021", "东实职业学校校区", "横沥镇", "横沥社区", OTHER, 98000, None, "2021-09-01"),
    ("DH-DG-022", "茶山东实商务大厦", "茶山镇", "茶山社区", OTHER, 52000, None, "2022-07-01"),
    ("DH-DG-023", "滨海湾人才公寓", "滨海湾新区", "交椅湾社区", RENTAL, 110000, 1320, "2023-03-01"),
    ("DH-DG-024", "万江新村产业园", "万江街道", "新村社区", OTHER, 102000, None, "2022-10-01"),
    ("DH-DG-025", "市民广场地下停车场", "莞城街道", "兴塘社区", OTHER, 29000, None, "2017-12-01"),
    ("DH-SW-001", "汕尾东鸿·海湾花园", "城区", "香洲街道", CR, 95000, 860, "2022-08-01"),
)  # fmt: skip


def _as_reported(entry: tuple[Any, ...]) -> dict[str, Any]:
    """A PORTFOLIO entry as the feed reports a project."""
    code, name, street, community, kind, area, homes, since = entry
    return {
        "project_code": code,
        "name": name,
        "street": street,
        "community": community,
        "kind": kind,
        "floor_area": area,
        "homes": homes,
        "managed_since": since,
    }


async def load_portfolio() -> None:
    """Donghong's projects outside the demo's directory, as the company reports them (held to
    the feed's rules): linked to no compound, since the reconciliation links a project only
    to a compound of the city."""
    for entry in PORTFOLIO:
        p = FeedProject.model_validate(_as_reported(entry))
        await DonghongProject.create(
            project_code=p.project_code,
            name=p.name,
            compound_name=p.compound,
            street=p.street,
            community=p.community,
            kind=p.kind.value,
            floor_area=p.floor_area,
            homes=p.homes,
            managed_since=p.managed_since,
        )


async def demo_feed(today: dt.date, registration_number: str) -> bytes:
    """The feed Donghong would answer with: its compounds here and a project elsewhere."""
    firm = await company_firm(settings_of(await city_plugins(CITY), NAME, DonghongSettings))
    projects = []
    if firm is not None:
        rows = (
            await ManagementContract.filter(firm_id=firm["id"], ends_on__isnull=True)
            .order_by("starts_on", "id")
            .values("compound_id", "starts_on")
        )
        compounds = {
            c["id"]: c
            for c in await Compound.filter(id__in=[r["compound_id"] for r in rows]).values(
                "id",
                "name",
                "kind",
                "homes",
                "floor_area",
                "community__name",
                "community__street__name",
            )
        }
        for i, r in enumerate(rows, start=1):
            c = compounds[r["compound_id"]]
            projects.append(
                {
                    "project_code": f"DH-DG-{i:03d}",
                    "name": c["name"],
                    "street": c["community__street__name"],
                    "community": c["community__name"],
                    "kind": c["kind"],
                    "floor_area": c["floor_area"],
                    "homes": c["homes"],
                    "managed_since": r["starts_on"].isoformat(),
                }
            )
    # The Shanwei project too: the city cannot place it, and says so.
    projects.append(_as_reported(PORTFOLIO[-1]))
    feed = {
        "company": {"name": COMPANY, "registration_number": registration_number},
        "generated_at": f"{today.isoformat()}T08:00:00+08:00",
        "projects": projects,
    }
    return json.dumps(feed, ensure_ascii=False).encode()


async def load_donghong_demo(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    say = progress or (lambda _: None)
    counts: dict[str, int] = {}
    with in_city(CITY):
        city = await city_plugins(CITY)
        if NAME not in city.enabled:
            say(f"{CITY}: {NAME} not enabled, Donghong demo skipped")
            return counts
        settings = settings_of(city, NAME, DonghongSettings)
        firm = await company_firm(settings)
        if firm is None or not await Compound.filter(name=YAYUAN).exists():
            say(f"{CITY}: no Donghong or Yayuan New Village yet, Donghong demo skipped")
            return counts
        if not await DonghongSyncRun.exists():
            today = dt.date.today()
            feed = parse(
                await demo_feed(today, settings.company_registration_number),
                settings.company_registration_number,
            )
            async with in_transaction():
                await load_portfolio()
                rows = await reconcile(feed, firm["id"], today)
                report = await record_run("demo", False, rows, [])
            say(
                f"{CITY}: Donghong sync: "
                + ", ".join(f"{s.lower()} {report.count(s)}" for s in ("MATCHED", "CONFLICTING"))
            )
            counts["sync_runs"] = 1
            counts["projects"] = await DonghongProject.all().count()
        station = await Organisation.filter(
            name=STATION, kind=OrganisationKind.SERVICE_VENUE
        ).first()
        if (
            station is not None
            and not await ServiceStation.filter(organisation_id=station.id).exists()
        ):
            yayuan = await Compound.get(name=YAYUAN)
            head = await Person.filter(name=HEAD).first()
            deputy = await Person.filter(name=DEPUTY).first()
            community = await Community.filter(name=DEPUTY_COMMUNITY).first()
            project = await DonghongProject.filter(compound_id=yayuan.id).first()
            async with in_transaction():
                modelled = await ServiceStation.create(
                    organisation_id=station.id,
                    project=project,
                    head=head,
                    head_title="项目物业经理",
                    deputy_head=deputy,
                    deputy_community=community,
                    members=43,
                    party_members=12,
                    owners=31,
                )
                for held_on, topic, attendees, decision in MEETINGS:
                    await JointMeeting.create(
                        station=modelled,
                        held_on=held_on,
                        topic=topic,
                        attendees=attendees,
                        decision=decision,
                    )
            say(f"{CITY}: {STATION}: head, deputy, members and {len(MEETINGS)} joint meetings")
            counts["service_stations"] = 1
            counts["joint_meetings"] = len(MEETINGS)
    return counts
