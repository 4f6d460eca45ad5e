"""Demo data for Dongguan and Zhuhai: small, hand-made, and idempotent to load.

Dongguan's Yayuan New Village, Donghong Property and the service station follow the source
document (see ../shared/DOMAIN.md); every other name, number and person is made up.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core.cases.workflow import stages_of
from core.devdata.generate import CASE_TITLES, due_dates, social_credit_code
from core.infra import clock
from core.infra.cities import ensure_cities, load_city_configs
from core.infra.enums import CaseKind, CommunityKind, CompoundKind, ManagementMode, Role
from core.infra.enums import OrganisationKind as Org
from core.infra.tenancy import in_city
from core.models import (
    Building,
    Case,
    Community,
    Compound,
    Firm,
    Grid,
    ManagementContract,
    Organisation,
    Person,
    Street,
)

CR, RENTAL, LIMITED, DORM, OTHER = (
    CompoundKind.COMMERCIAL_RESIDENTIAL,
    CompoundKind.PUBLIC_RENTAL,
    CompoundKind.PRICE_LIMITED,
    CompoundKind.INDUSTRIAL_DORMITORY,
    CompoundKind.OTHER,
)
DONGHONG = "广东东鸿物业发展有限公司"
YAYUAN = "雅园新村"
SERVICE_GROUPS = (
    "党员先锋组",
    "安全监督组",
    "法律服务组",
    "环境监督组",
    "矛盾调解组",
    "文体活动组",
    "物业管家组",
    "志愿服务组",
)


@dataclass(frozen=True)
class _Compound:
    name: str
    community: str
    kind: CompoundKind
    homes: int
    residents: int
    land_area: float
    floor_area: float
    mature: bool = True
    mode: ManagementMode = ManagementMode.PROPERTY_FIRM
    # (firm, starts, ends): the last one open-ended is the contract in force.
    contracts: tuple[tuple[str, date, date | None], ...] = ()


@dataclass(frozen=True)
class _Firm:
    name: str
    serial: int
    founded_on: date
    owning_group: str | None = None  # set for state-owned firms only


@dataclass(frozen=True)
class _Person:
    name: str
    roles: tuple[Role, ...]
    phone: str
    subject: str
    organisation: str | None = None


@dataclass(frozen=True)
class _DemoCity:
    slug: str
    division: str
    streets: tuple[tuple[str, str], ...]  # (name, code)
    communities: tuple[tuple[str, str, CommunityKind], ...]  # (name, street, kind)
    firms: tuple[_Firm, ...]
    compounds: tuple[_Compound, ...]
    people: tuple[_Person, ...]
    cases: int


def _d(text: str) -> date:
    return date.fromisoformat(text)


URBAN, VILLAGE = CommunityKind.URBAN, CommunityKind.VILLAGE

# fmt: off
DONGGUAN = _DemoCity(
    slug="dongguan",
    division="441900",
    streets=(
        ("南城街道", "441900004"),
        ("东城街道", "441900003"),
        ("万江街道", "441900005"),
        ("莞城街道", "441900006"),
        ("松山湖园区", "441900401"),
    ),
    communities=(
        ("宏图社区", "南城街道", URBAN),
        ("篁村社区", "南城街道", URBAN),
        ("元美社区", "南城街道", URBAN),
        ("石鼓社区", "南城街道", URBAN),
        ("东泰社区", "东城街道", URBAN),
        ("主山社区", "东城街道", URBAN),
        ("金泰社区", "万江街道", URBAN),
        ("石美村", "万江街道", VILLAGE),
        ("西隅社区", "莞城街道", URBAN),
        ("松湖社区", "松山湖园区", URBAN),
    ),
    firms=(
        _Firm(DONGHONG, 900000001, _d("2014-05-01"), "东莞实业投资控股集团有限公司"),
        _Firm("东莞市松湖园区物业服务有限公司", 900000002, _d("2012-09-01"),
              "东莞市松湖园区投资有限公司"),
        _Firm("东莞市宏景物业服务有限公司", 900000003, _d("2003-04-01")),
        _Firm("东莞市嘉华物业管理有限公司", 900000004, _d("1998-07-01")),
        _Firm("东莞市汇安物业服务有限公司", 900000005, _d("2008-10-01")),
        _Firm("东莞市锦城物业管理有限公司", 900000006, _d("2011-03-01")),
    ),
    compounds=(
        _Compound(YAYUAN, "宏图社区", RENTAL, 4852, 15000, 135000, 400000,
                  contracts=((DONGHONG, _d("2017-05-01"), None),)),
        _Compound("宏图花园", "宏图社区", CR, 980, 2900, 32000, 98000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2004-01-01"), _d("2019-12-31")),
                             ("东莞市宏景物业服务有限公司", _d("2020-01-01"), None))),
        _Compound("景湖春晓", "宏图社区", CR, 1620, 4700, 51000, 176000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2010-06-01"), None),)),
        _Compound("宏图大厦住宅楼", "宏图社区", OTHER, 180, 520, 4200, 16000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2012-03-01"), None),)),
        _Compound("篁村旧楼片区", "篁村社区", OTHER, 260, 700, 9000, 21000, mature=False,
                  mode=ManagementMode.COMMUNITY_CARETAKER),
        _Compound("丽湖名居", "篁村社区", CR, 760, 2200, 24000, 80000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2009-08-01"), None),)),
        _Compound("元美公寓", "元美社区", CR, 420, 1150, 8800, 36000,
                  contracts=(("东莞市锦城物业管理有限公司", _d("2015-01-01"), None),)),
        _Compound("金色华庭", "元美社区", CR, 1250, 3600, 38000, 132000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2013-05-01"), _d("2021-04-30")),
                             ("东莞市锦城物业管理有限公司", _d("2021-05-01"), None))),
        _Compound("元美豪庭", "元美社区", CR, 690, 2000, 21000, 71000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2016-09-01"), None),)),
        _Compound("石鼓怡景苑", "石鼓社区", LIMITED, 1100, 3300, 30000, 110000,
                  contracts=((DONGHONG, _d("2023-06-01"), None),)),
        _Compound("东泰花园", "东泰社区", CR, 1900, 5600, 62000, 205000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2001-10-01"), None),)),
        _Compound("东城明珠", "东泰社区", CR, 1400, 4100, 40000, 150000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2011-11-01"), None),)),
        _Compound("东泰雅苑", "东泰社区", CR, 560, 1600, 15000, 58000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2014-02-01"), None),)),
        _Compound("主山新村", "主山社区", OTHER, 380, 1050, 12000, 30000, mature=False,
                  mode=ManagementMode.NONE),
        _Compound("旗峰山庄", "主山社区", CR, 650, 1900, 46000, 70000,
                  contracts=(("东莞市锦城物业管理有限公司", _d("2012-07-01"), None),)),
        _Compound("金泰花园", "金泰社区", CR, 1300, 3800, 39000, 138000,
                  contracts=(("东莞市嘉华物业管理有限公司", _d("2006-03-01"), None),)),
        _Compound("滨江华府", "金泰社区", CR, 2100, 6000, 58000, 230000,
                  contracts=(("东莞市宏景物业服务有限公司", _d("2018-12-01"), None),)),
        _Compound("金泰名苑", "金泰社区", LIMITED, 720, 2100, 19000, 72000,
                  contracts=((DONGHONG, _d("2024-03-01"), None),)),
        _Compound("石美工业区宿舍", "石美村", DORM, 600, 3000, 18000, 21000, mature=False,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2019-05-01"), None),)),
        _Compound("西隅老街住宅楼", "西隅社区", OTHER, 150, 400, 3600, 9000, mature=False,
                  mode=ManagementMode.OWNER_SELF_MANAGED),
        _Compound("运河苑", "西隅社区", RENTAL, 900, 2600, 21000, 78000,
                  contracts=((DONGHONG, _d("2019-03-01"), None),)),
        _Compound("松湖人才公寓", "松湖社区", RENTAL, 1200, 2400, 26000, 96000,
                  contracts=(("东莞市松湖园区物业服务有限公司", _d("2016-08-01"), None),)),
        _Compound("松山湖科技园员工宿舍", "松湖社区", DORM, 800, 4200, 22000, 30000,
                  contracts=(("东莞市松湖园区物业服务有限公司", _d("2015-04-01"), None),)),
        _Compound("松湖花园", "松湖社区", CR, 1500, 4300, 60000, 165000,
                  contracts=(("东莞市锦城物业管理有限公司", _d("2017-10-01"), None),)),
        _Compound("湖畔雅居", "松湖社区", CR, 880, 2500, 34000, 92000,
                  contracts=(("东莞市汇安物业服务有限公司", _d("2020-06-01"), _d("2024-05-31")),
                             ("东莞市松湖园区物业服务有限公司", _d("2024-06-01"), None))),
    ),
    people=(
        _Person("陈志强", (Role.FIRM_STAFF,), "13800000101", "dongguan:chenzhiqiang",
                "雅园新村党群服务站"),
        _Person("李慧玲", (Role.COMMUNITY_WORKER,), "13800000102", "dongguan:lihuiling",
                "宏图社区居民委员会"),
        _Person("王建华", (Role.RESIDENT, Role.BUILDING_HEAD), "13800000103",
                "dongguan:wangjianhua", "雅园新村1栋党小组"),
        _Person("张丽娟", (Role.MEDIATOR,), "13800000104", "dongguan:zhanglijuan",
                "宏图社区人民调解委员会"),
        _Person("刘敏", (Role.SOCIAL_ORG_STAFF,), "13800000105", "dongguan:liumin",
                "东莞市南城阳光社会工作服务中心"),
        _Person("黄国栋", (Role.STREET_ADMIN,), "13800000106", "dongguan:huangguodong",
                "中共东莞市南城街道工作委员会"),
        _Person("赵文", (Role.CITY_ADMIN,), "13800000107", "dongguan:zhaowen", "东莞市民政局"),
        _Person("周晓燕", (Role.RESIDENT,), "13800000108", "dongguan:zhouxiaoyan"),
        _Person("吴海涛", (Role.RESIDENT,), "13800000109", "dongguan:wuhaitao"),
    ),
    cases=60,
)

ZHUHAI = _DemoCity(
    slug="zhuhai",
    division="440400",
    streets=(("香洲区拱北街道", "440402003"), ("香洲区吉大街道", "440402001")),
    communities=(
        ("港昌社区", "香洲区拱北街道", URBAN),
        ("昌盛社区", "香洲区拱北街道", URBAN),
        ("景山社区", "香洲区吉大街道", URBAN),
    ),
    firms=(
        _Firm("珠海市海岸物业管理有限公司", 900000101, _d("2002-05-01")),
        _Firm("珠海市港湾物业服务有限公司", 900000102, _d("2009-09-01")),
        _Firm("珠海市莲洲物业服务有限公司", 900000103, _d("2015-11-01")),
    ),
    compounds=(
        _Compound("港昌花园", "港昌社区", CR, 860, 2400, 23000, 86000,
                  contracts=(("珠海市海岸物业管理有限公司", _d("2008-01-01"), None),)),
        _Compound("拱北口岸人才公寓", "港昌社区", RENTAL, 640, 1300, 12000, 52000,
                  contracts=(("珠海市港湾物业服务有限公司", _d("2020-09-01"), None),)),
        _Compound("昌盛新村", "昌盛社区", OTHER, 300, 820, 9000, 24000, mature=False,
                  mode=ManagementMode.COMMUNITY_CARETAKER),
        _Compound("景山名苑", "景山社区", CR, 1100, 3100, 36000, 118000,
                  contracts=(("珠海市海岸物业管理有限公司", _d("2011-04-01"), _d("2022-03-31")),
                             ("珠海市莲洲物业服务有限公司", _d("2022-04-01"), None))),
        _Compound("海滨雅居", "景山社区", CR, 520, 1500, 17000, 56000,
                  contracts=(("珠海市莲洲物业服务有限公司", _d("2018-07-01"), None),)),
    ),
    people=(
        _Person("梁嘉欣", (Role.COMMUNITY_WORKER,), "13900000201", "zhuhai:liangjiaxin",
                "港昌社区居民委员会"),
        _Person("何振宇", (Role.RESIDENT,), "13900000202", "zhuhai:hezhenyu"),
    ),
    cases=10,
)
# fmt: on

CITIES = (DONGGUAN, ZHUHAI)


class _Loader:
    """Loads one demo city inside its scope; `orgs` finds organisations by name for people."""

    def __init__(self, spec: _DemoCity, city_name: str) -> None:
        self.spec = spec
        self.city_name = city_name
        self.counts: dict[str, int] = {}
        self.orgs: dict[str, Organisation] = {}
        self.streets: dict[str, Street] = {}
        self.communities: dict[str, Community] = {}
        self.compounds: dict[str, Compound] = {}
        self.grids: dict[str, list[Grid]] = {}
        self.buildings: dict[str, list[Building]] = {}
        # The party organisation of each place, by place name: parents for the tier below.
        self.party: dict[str, Organisation] = {}

    def _count(self, table: str, n: int = 1) -> None:
        self.counts[table] = self.counts.get(table, 0) + n

    async def org(self, kind: Org, name: str, **fields: Any) -> Organisation:
        self.orgs[name] = await Organisation.create(kind=kind, name=name, **fields)
        self._count("organisations")
        return self.orgs[name]

    async def places(self) -> None:
        streets, communities = self.streets, self.communities
        for name, code in self.spec.streets:
            streets[name] = await Street.create(name=name, code=code)
            self.party[name] = await self.org(
                Org.PARTY_STREET_COMMITTEE,
                f"中共{self.city_name}{name}工作委员会",
                street=streets[name],
                members_count=11,
            )
        for i, (name, street, kind) in enumerate(self.spec.communities, 1):
            communities[name] = community = await Community.create(
                street=streets[street], name=name, kind=kind
            )
            self.party[name] = await self.org(
                Org.PARTY_COMMUNITY,
                f"中共{name}委员会",
                parent=self.party[street],
                community=community,
                members_count=7,
            )
            committee = "村民委员会" if kind is VILLAGE else "居民委员会"
            await self.org(Org.RESIDENTS_COMMITTEE, name + committee, community=community)
            self.grids[name] = [
                await Grid.create(community=community, name=f"{name}第{n}网格", code=f"{i:02d}{k}")
                for k, n in enumerate("一二", 1)
            ]
        self._count("streets", len(streets))
        self._count("communities", len(communities))
        self._count("grids", 2 * len(communities))
        for spec in self.spec.compounds:
            await self.compound(spec, communities[spec.community])

    async def compound(self, spec: _Compound, community: Community) -> None:
        compound = await Compound.create(
            community=community,
            name=spec.name,
            kind=spec.kind,
            homes=spec.homes,
            residents=spec.residents,
            land_area=spec.land_area,
            floor_area=spec.floor_area,
            mature=spec.mature,
            management_mode=spec.mode,
        )
        self.compounds[spec.name] = compound
        self._count("compounds")
        count = max(2, min(8, spec.homes // 600))
        grids = self.grids[spec.community]
        self.buildings[spec.name] = [
            await Building.create(
                compound=compound,
                grid=grids[k % len(grids)],
                name=f"{k + 1}栋",
                floors=6 if spec.kind is OTHER else 18 + (7 * k) % 15,
                homes=spec.homes // count,
            )
            for k in range(count)
        ]
        self._count("buildings", count)
        if spec.mature:  # every mature compound has its party branch (1,112 of 1,112)
            self.party[spec.name] = await self.org(
                Org.PARTY_COMPOUND_BRANCH,
                f"{spec.name}党支部",
                parent=self.party[spec.community],
                compound=compound,
                members_count=12,
            )

    async def firms(self) -> None:
        firms = {}
        for spec in self.spec.firms:
            firms[spec.name] = await Firm.create(
                name=spec.name,
                registration_number=social_credit_code(self.spec.division, spec.serial),
                is_state_owned=spec.owning_group is not None,
                owning_group=spec.owning_group,
                founded_on=spec.founded_on,
            )
        self._count("firms", len(firms))
        for compound in self.spec.compounds:
            for firm, starts, ends in compound.contracts:
                await ManagementContract.create(
                    compound=self.compounds[compound.name],
                    firm=firms[firm],
                    starts_on=starts,
                    ends_on=ends,
                )
                self._count("management_contracts")

    async def people(self) -> list[Person]:
        people = [
            await Person.create(
                name=p.name,
                roles=[r.value for r in p.roles],
                phone=p.phone,
                subject=p.subject,
                organisation=self.orgs[p.organisation] if p.organisation else None,
            )
            for p in self.spec.people
        ]
        self._count("persons", len(people))
        return people

    async def cases(self, people: list[Person], now: datetime) -> None:
        rng = random.Random(self.spec.slug)
        compounds = list(self.compounds.values())
        # Yayuan is the compound everyone looks at first: give it the most cases.
        weights = [4 if c.name == YAYUAN else 1 for c in compounds]
        filers: list[Person | None] = [p for p in people if Role.RESIDENT in p.roles] or [None]
        kinds, due_on = list(CaseKind), due_dates(self.spec.slug)
        for i in range(self.spec.cases):
            kind = kinds[i % len(kinds)]
            flow = stages_of(kind)
            # Cycling through the stages guarantees every stage is on show.
            step = (i // len(kinds)) % len(flow)
            created = now - timedelta(days=rng.uniform(1, 540), seconds=rng.randrange(86400))
            since = created + (now - created) * (step / len(flow)) * rng.uniform(0.5, 1)
            filer = rng.choice(filers)
            await Case.create(
                kind=kind,
                title=rng.choice(CASE_TITLES[kind]),
                compound=rng.choices(compounds, weights)[0],
                filed_by=filer,
                filed_by_subject=filer.subject if filer else None,
                stage=flow[step],
                stage_entered_at=since,
                stage_due_on=due_on(flow[step], since),
                version=step + 1,
                created_at=created,
            )
        self._count("cases", self.spec.cases)


async def _dongguan_extras(load: _Loader) -> None:
    """What only the reference city has: the Yayuan station, the party tree's lower tiers, and
    the other kinds of organisation the source document names."""
    yayuan = load.compounds[YAYUAN]
    hongtu, nancheng = load.communities["宏图社区"], load.streets["南城街道"]
    grid_branch = await load.org(
        Org.PARTY_GRID_BRANCH,
        "宏图社区第一网格党支部",
        parent=load.party[YAYUAN],
        grid=load.grids["宏图社区"][0],
        members_count=9,
    )
    await load.org(
        Org.PARTY_BUILDING_GROUP,
        f"{YAYUAN}1栋党小组",
        parent=grid_branch,
        building=load.buildings[YAYUAN][0],
        members_count=4,
    )
    station = await load.org(
        Org.SERVICE_VENUE,
        f"{YAYUAN}党群服务站",
        compound=yayuan,
        founded_on=date(2021, 7, 1),
        members_count=43,
    )
    for group in SERVICE_GROUPS:
        await load.org(Org.SERVICE_GROUP, group, parent=station, compound=yayuan)
    await load.org(
        Org.OWNERS_COMMITTEE,
        "景湖春晓业主委员会",
        compound=load.compounds["景湖春晓"],
        members_count=7,
        founded_on=date(2019, 11, 1),
    )
    social = await load.org(
        Org.SOCIAL_ORGANISATION,
        "东莞市南城阳光社会工作服务中心",
        street=nancheng,
        members_count=26,
        founded_on=date(2012, 3, 1),
    )
    # `parent` here reads "run by": the social organisation operates the centre.
    await load.org(Org.SERVICE_VENUE, "宏图社区综合服务中心", parent=social, community=hongtu)
    await load.org(Org.SERVICE_VENUE, "宏图社区党群服务中心", community=hongtu)
    await load.org(
        Org.MEDIATION_COMMITTEE, "宏图社区人民调解委员会", community=hongtu, members_count=7
    )
    await load.org(Org.MASS_ORGANISATION, "南城街道总工会", street=nancheng)
    await load.org(Org.MASS_ORGANISATION, "南城街道妇女联合会", street=nancheng)
    await load.org(Org.MASS_ORGANISATION, "东莞市残疾人联合会")
    for department in (
        "东莞市民政局",
        "东莞市住房和城乡建设局",
        "东莞市人民政府国有资产监督管理委员会",
    ):
        await load.org(Org.GOVERNMENT_DEPARTMENT, department)


async def _zhuhai_extras(load: _Loader) -> None:
    jingshan = load.communities["景山社区"]
    await load.org(
        Org.OWNERS_COMMITTEE,
        "景山名苑业主委员会",
        compound=load.compounds["景山名苑"],
        members_count=5,
        founded_on=date(2021, 5, 1),
    )
    await load.org(Org.MEDIATION_COMMITTEE, "景山社区人民调解委员会", community=jingshan)
    await load.org(Org.GOVERNMENT_DEPARTMENT, "珠海市住房和城乡建设局")


EXTRAS: dict[str, Callable[[_Loader], Awaitable[None]]] = {
    "dongguan": _dongguan_extras,
    "zhuhai": _zhuhai_extras,
}


async def load_demo(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Load both demo cities, skipping a city that already has streets; counts of new rows."""
    say = progress or (lambda _: None)
    await ensure_cities()
    configs = load_city_configs()
    now = clock.now()
    totals: dict[str, int] = {}
    for spec in CITIES:
        if spec.slug not in configs:  # a deployment may run without one of the demo cities
            say(f"{spec.slug}: not configured, skipped")
            continue
        with in_city(spec.slug):
            if await Street.exists():
                say(f"{spec.slug}: has data already, skipped")
                continue
            load = _Loader(spec, configs[spec.slug].name)
            # One transaction per city, so "has streets" always means "fully loaded".
            async with in_transaction():
                await load.places()
                await load.firms()
                await EXTRAS[spec.slug](load)
                await load.cases(await load.people(), now)
        say(f"{spec.slug}: " + ", ".join(f"{n} {table}" for table, n in load.counts.items()))
        for table, n in load.counts.items():
            totals[table] = totals.get(table, 0) + n
    return totals


async def load_everything(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """What `civicgraph demo-data` loads: the core demo, the grassroots demo, and then, city
    by city, the demo data of each city's enabled plugins (the `load_demo_data` hook)."""
    from core.devdata.grassroots import load_grassroots_demo
    from core.plugins import calls as plugins

    say = progress or (lambda _: None)
    totals = await load_demo(say)
    for table, n in (await load_grassroots_demo()).items():
        totals[table] = totals.get(table, 0) + n
    for slug in sorted(load_city_configs()):
        with in_city(slug):
            for what, n in (await plugins.load_demo_data(say)).items():
                totals[what] = totals.get(what, 0) + n
    return totals
