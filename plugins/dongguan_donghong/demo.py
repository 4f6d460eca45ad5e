"""Dongguan's demo of the Donghong integration, on top of the core demo data.

`load_donghong_demo()` runs after the core's `load_demo()` (it needs Donghong, Yayuan New
Village and its station): the company's feed as it would answer (every compound Donghong
manages here, plus a Shanwei project the city does not know) is reconciled through the same
code as a real sync and leaves a sync report; the Yayuan station gets its head (the
project's property manager), its deputy from Hongtu community, its members by kind and
three joint meetings. Idempotent: each part is skipped when already there, and everything
is skipped when Dongguan does not run the plugin.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from tortoise.transactions import in_transaction

from plugins.dongguan_donghong.feed import parse
from plugins.dongguan_donghong.models import (
    DonghongProject,
    DonghongSyncRun,
    JointMeeting,
    ServiceStation,
)
from plugins.dongguan_donghong.settings import NAME, DonghongSettings
from plugins.dongguan_donghong.sync import COMPANY, company_firm, reconcile, record_run
from schema.plugin_api import OrganisationKind, city_plugins, in_city, settings_of
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
    projects.append(
        {
            "project_code": "DH-SW-001",
            "name": "汕尾东鸿·海湾花园",
            "street": "城区",
            "community": "香洲街道",
            "kind": "COMMERCIAL_RESIDENTIAL",
            "homes": 860,
            "managed_since": "2022-08-01",
        }
    )
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
                rows = await reconcile(feed, firm["id"], today)
                report = await record_run("demo", False, rows, [])
            say(
                f"{CITY}: Donghong sync: "
                + ", ".join(f"{s.lower()} {report.count(s)}" for s in ("MATCHED", "CONFLICTING"))
            )
            counts["sync_runs"] = 1
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
