"""A small Dongguan for the Donghong tests: Hongtu community with Yayuan New Village (public
rental, Donghong since 2017-05-01), Hongtu Garden (commercial, another firm) and Yunhe Court
(public rental, Donghong since 2019-03-01)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.infra.enums import CompoundKind, Role
from core.infra.tenancy import in_city
from core.models import Community, Compound, Firm, ManagementContract, Street
from core.plugins import settings as plugin_settings
from core.security.auth import Principal
from plugins.dongguan_donghong.plugin import NAME
from tests.plugins.dongguan_donghong.feed_server import TOKEN, FeedServer, feed_server

ADMIN = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="admin-dg")
DONGHONG_USCC = "914419009000000013"


@dataclass
class Place:
    donghong: Firm
    other: Firm
    hongtu: Community
    compounds: dict[str, Compound] = field(default_factory=dict)


@pytest.fixture
async def place(empty_db: str) -> Place:
    with in_city("dongguan"):
        street = await Street.create(name="南城街道")
        hongtu = await Community.create(street=street, name="宏图社区")
        donghong = await Firm.create(
            name="广东东鸿物业发展有限公司",
            registration_number=DONGHONG_USCC,
            is_state_owned=True,
            owning_group="东莞实业投资控股集团有限公司",
        )
        other = await Firm.create(
            name="东莞市宏景物业服务有限公司", registration_number="91441900MA0000001X"
        )
        p = Place(donghong, other, hongtu)
        for name, kind, homes, area, firm, since in (
            ("雅园新村", CompoundKind.PUBLIC_RENTAL, 4852, 400000.0, donghong, "2017-05-01"),
            ("宏图花园", CompoundKind.COMMERCIAL_RESIDENTIAL, 980, 98000.0, other, "2020-01-01"),
            ("运河苑", CompoundKind.PUBLIC_RENTAL, 900, 78000.0, donghong, "2019-03-01"),
        ):
            c = await Compound.create(
                community=hongtu, name=name, kind=kind, homes=homes, floor_area=area
            )
            await ManagementContract.create(
                compound=c, firm=firm, starts_on=dt.date.fromisoformat(since)
            )
            p.compounds[name] = c
    return p


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as s:
        yield s


async def configure(url: str, **extra: Any) -> None:
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN,
            NAME,
            {"feed_url": url, "token": TOKEN, "timeout_seconds": 2, **extra},
            active=True,
        )
