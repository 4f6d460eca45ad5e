"""Demo co-construction councils (共建议事会): each compound's meetings over two years.

The source: the community party organisation convenes each compound's council at least once
every half year, with the compound's party organisation, the residents' committee, the
owners' committee and the property firm at the table. In the demo every compound has met
every half year; the compounds too small for a party branch of their own (not mature) last
met seven to nine months ago, so the overdue report and the half-year compliance figure have
something to show, and each of them has its next meeting scheduled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.expressions import Q

from core.infra.enums import OrganisationKind
from core.models import (
    Compound,
    CouncilMeeting,
    CouncilParticipant,
    ManagementContract,
    Organisation,
)

# Held meetings per compound, half a year apart; the newest LAST_MEETING days ago.
MEETINGS = 4
HALF_YEAR = dt.timedelta(days=182)
TOPICS = (
    "小区公共收益公示与使用",
    "电动车集中充电点建设",
    "物业服务质量评价与整改",
    "楼道消防通道清理",
    "二次供水设施维护",
    "垃圾分类投放点调整",
)


def last_meeting(index: int, mature: bool) -> dt.timedelta:
    """How long ago a compound's newest held meeting was: within the half year for a mature
    compound, seven to nine months ago for the others."""
    return dt.timedelta(days=(20 + 7 * (index % 10)) if mature else (215 + 9 * (index % 5)))


async def _organisations(kind: OrganisationKind, place: str) -> dict[int, int]:
    rows = await Organisation.filter(kind=kind).order_by("id").values("id", place)
    found: dict[int, int] = {}
    for r in rows:
        found.setdefault(r[place], r["id"])
    return found


async def _firm_on(compound_id: int, day: dt.date) -> int | None:
    rows = (
        await ManagementContract.filter(compound_id=compound_id, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on", "-id")
        .values("firm_id")
    )
    return rows[0]["firm_id"] if rows else None


async def load_councils(today: dt.date) -> int:
    """The meetings of every compound of the city in scope; the number of meetings written."""
    conveners = await _organisations(OrganisationKind.PARTY_COMMUNITY, "community_id")
    residents = await _organisations(OrganisationKind.RESIDENTS_COMMITTEE, "community_id")
    branches = await _organisations(OrganisationKind.PARTY_COMPOUND_BRANCH, "compound_id")
    owners = await _organisations(OrganisationKind.OWNERS_COMMITTEE, "compound_id")
    written = 0
    compounds = await Compound.all().order_by("id").values("id", "community_id", "mature")
    for i, c in enumerate(compounds):
        newest = today - last_meeting(i, c["mature"])
        days = [newest - k * HALF_YEAR for k in range(MEETINGS)]
        if not c["mature"]:
            days.insert(0, today + dt.timedelta(days=10 + i % 7))  # scheduled, not yet held
        at_table = [
            org
            for org in (
                branches.get(c["id"]),
                residents.get(c["community_id"]),
                owners.get(c["id"]),
            )
            if org is not None
        ]
        for k, day in enumerate(days):
            held = day <= today
            fields: dict[str, Any] = {}
            if held:
                topic = TOPICS[(i + k) % len(TOPICS)]
                fields = {"attendance": 9 + (i + 3 * k) % 8, "minutes": f"议题：{topic}。"}
            meeting = await CouncilMeeting.create(
                compound_id=c["id"],
                held_on=day,
                convener_id=conveners.get(c["community_id"]),
                held=held,
                **fields,
            )
            attended = True if held else None
            for org in at_table:
                await CouncilParticipant.create(
                    meeting=meeting, organisation_id=org, attended=attended
                )
            firm = await _firm_on(c["id"], day)
            if firm is not None:
                await CouncilParticipant.create(meeting=meeting, firm_id=firm, attended=attended)
            written += 1
    return written
