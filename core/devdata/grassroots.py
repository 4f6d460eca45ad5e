"""Demo grassroots people, venue hours and work items, added on top of core/devdata/demo.py's data.

Idempotent: a city that already has work items is skipped. Places are looked up by the
names the source document gives (Hongtu community, Yayuan New Village); a city without them
uses its first community and compounds, so any loaded city gets a little of everything.
Names are made up; no phone numbers are written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from core.infra.cities import load_city_configs
from core.infra.enums import OrganisationKind, WorkerRecordKind, WorkItemOutcome
from core.infra.tenancy import in_city
from core.models import (
    Building,
    BuildingHead,
    BuildingHeadCoverage,
    Community,
    CommunityWorker,
    CommunityWorkerRecord,
    Compound,
    Mediator,
    Organisation,
    PartyMemberReport,
    PartyServiceRecord,
    Person,
    Street,
    VenueHours,
    Volunteer,
    VolunteerService,
    WorkItem,
    WorkItemRequest,
    WorkItemRequestCommunity,
)

FIVE_DUTIES = ["MEDIATOR", "PUBLICIST", "INFORMANT", "PATROLLER", "LIAISON"]
# (name, basis): the admitted list, after Dongguan's 2023 list in spirit; made-up numbers.
WORK_ITEMS = (
    ("社区环境卫生整治", "东民〔2023〕12号 第1项"),
    ("居民议事协商组织", "东民〔2023〕12号 第2项"),
    ("社区志愿服务组织", "东民〔2023〕12号 第3项"),
    ("特殊困难群体走访", "东民〔2023〕12号 第4项"),
    ("物业纠纷调解协助", "东民〔2023〕12号 第5项"),
    ("社区安全隐患排查", "东民〔2023〕12号 第6项"),
)
WITHDRAWN = "社区安全隐患排查"
SURNAMES = "陈李张王刘黄赵周吴徐孙马朱胡郭何高林罗郑"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % 20]


async def _person(i: int, role: str) -> Person:
    return await Person.create(name=_name(i), roles=[role])


async def _org(kind: OrganisationKind, community: Community | None) -> Organisation | None:
    query = Organisation.filter(kind=kind)
    if community is not None:
        query = query.filter(community_id=community.id)
    return await query.order_by("id").first()


async def _load_city() -> dict[str, int]:
    counts: dict[str, int] = {}

    def count(table: str, n: int = 1) -> None:
        counts[table] = counts.get(table, 0) + n

    community = (
        await Community.filter(name="宏图社区").first()
        or await Community.all().order_by("id").first()
    )
    if community is None:
        return counts
    compounds = await Compound.filter(community_id=community.id).order_by("-homes", "id").limit(2)
    serial = 0

    # Building heads: one per building of the two largest compounds of the community, five
    # duties each; the last one has left, so coverage is not quite full.
    for compound in compounds:
        for building in await Building.filter(compound_id=compound.id).order_by("id"):
            serial += 1
            head = await BuildingHead.create(
                person=await _person(serial, "BUILDING_HEAD"),
                duties=FIVE_DUTIES,
                appointed_on=date(2022, 3, 1),
            )
            await BuildingHeadCoverage.create(head=head, building=building)
            count("building_heads")
    if counts.get("building_heads"):
        await BuildingHead.filter(id=head.id).update(ended_on=date(2024, 12, 31))

    # Community workers with a lifecycle; the third has exited.
    for k in range(3):
        serial += 1
        worker = await CommunityWorker.create(
            person=await _person(serial, "COMMUNITY_WORKER"),
            community=community,
            admitted_on=date(2020 + k, 7, 1),
            pay_grade=f"S{k + 1}",
        )
        records: list[tuple[WorkerRecordKind, date, str, dict[str, Any]]] = [
            (WorkerRecordKind.ADMISSION, date(2020 + k, 7, 1), "公开招聘", {}),
            (WorkerRecordKind.TRAINING, date(2021 + k, 3, 15), "岗前培训", {}),
            (WorkerRecordKind.PAY_GRADE, date(2022 + k, 1, 1), "", {"pay_grade": f"S{k + 1}"}),
            (WorkerRecordKind.ASSESSMENT, date(2023, 12, 20), "年度考核", {"score": 85.0 + 4 * k}),
            (WorkerRecordKind.INCENTIVE, date(2024, 1, 10), "优秀社工", {"amount": 1000.0}),
        ]
        if k == 2:
            records.append((WorkerRecordKind.EXIT, date(2024, 6, 30), "合同期满", {}))
            await CommunityWorker.filter(id=worker.id).update(
                exited_on=date(2024, 6, 30), exit_reason="合同期满"
            )
        for kind, day, detail, extra in records:
            await CommunityWorkerRecord.create(
                worker=worker, kind=kind, occurred_on=day, detail=detail, **extra
            )
        count("community_workers")

    # Dual reporting: in-service party members report to where they live, and serve.
    employer = await Organisation.filter(kind=OrganisationKind.GOVERNMENT_DEPARTMENT).first()
    for k in range(4):
        serial += 1
        member = await PartyMemberReport.create(
            person=await _person(serial, "RESIDENT"),
            community=community,
            employer_organisation=employer,
            reported_on=date(2023, 3, 1 + k),
        )
        for m in range(k + 1):
            await PartyServiceRecord.create(
                member=member, served_on=date(2024, 3 + m, 5), hours=2.0, activity="社区志愿服务"
            )
        count("party_members")
    for k in range(5):
        serial += 1
        volunteer = await Volunteer.create(
            person=await _person(serial, "RESIDENT"),
            community=community,
            registered_on=date(2022, 5, 1 + k),
        )
        await VolunteerService.create(
            volunteer=volunteer, served_on=date(2024, 5, 4), hours=3.0 + k, activity="敬老探访"
        )
        count("volunteers")

    committee = await _org(OrganisationKind.MEDIATION_COMMITTEE, community)
    if committee is not None:
        for k in range(3):
            serial += 1
            await Mediator.create(
                person=await _person(serial, "MEDIATOR"),
                committee=committee,
                is_chair=k == 0,
                appointed_on=date(2021, 1, 1),
            )
            count("mediators")

    # Opening hours of every service venue: office hours on weekdays, and staggered hours
    # (错时) on weekday evenings and Saturday so working residents can come.
    for venue in await Organisation.filter(kind=OrganisationKind.SERVICE_VENUE).order_by("id"):
        for weekday in range(1, 6):
            await VenueHours.create(
                venue=venue, weekday=weekday, opens_minute=540, closes_minute=1080
            )
            await VenueHours.create(
                venue=venue, weekday=weekday, opens_minute=1110, closes_minute=1260, staggered=True
            )
        await VenueHours.create(
            venue=venue, weekday=6, opens_minute=540, closes_minute=1020, staggered=True
        )
        count("venue_hours", 11)

    items = {}
    for name, basis in WORK_ITEMS:
        items[name] = await WorkItem.create(
            name=name,
            basis=basis,
            admitted_on=date(2023, 5, 1),
            withdrawn_on=date(2024, 12, 31) if name == WITHDRAWN else None,
        )
        count("work_items")
    if employer is not None:
        for item_name, day in (
            ("社区环境卫生整治", date(2024, 4, 1)),
            ("特殊困难群体走访", date(2024, 9, 1)),
            ("人口普查入户调查", date(2024, 10, 8)),  # not on the list
            (WITHDRAWN, date(2025, 3, 1)),  # taken off the list
        ):
            item = items.get(item_name)
            refusal = None
            if item is None:
                refusal = "WORK_ITEM_NOT_ADMITTED"
            elif item.withdrawn_on is not None and item.withdrawn_on <= day:
                refusal = "WORK_ITEM_WITHDRAWN"
            request = await WorkItemRequest.create(
                department=employer,
                work_item=item,
                item_name=item_name,
                requested_on=day,
                outcome=WorkItemOutcome.REFUSED if refusal else WorkItemOutcome.ACCEPTED,
                refusal_code=refusal,
            )
            await WorkItemRequestCommunity.create(request=request, community=community)
            count("work_item_requests")
    return counts


async def load_grassroots_demo() -> dict[str, int]:
    """Add the grassroots demo to every configured city that has places but no work items."""
    totals: dict[str, int] = {}
    for slug in sorted(load_city_configs()):
        with in_city(slug):
            if not await Street.exists() or await WorkItem.exists():
                continue
            async with in_transaction():
                counts = await _load_city()
        for table, n in counts.items():
            totals[table] = totals.get(table, 0) + n
    return totals
