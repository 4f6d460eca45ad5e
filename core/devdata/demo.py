"""Demo data for Dongguan and Zhuhai: small, hand-made, and idempotent to load.

The cities' tables are core/devdata/demo_cities.py; this module writes them, with each
city's extras (Dongguan's service station, ...) and, for `civicgraph demo-data`, the
grassroots demo and the demo data of each city's enabled plugins.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core.cases.workflow import stages_of
from core.devdata.councils import load_councils
from core.devdata.demo_cities import (
    CITIES,
    OTHER,
    SERVICE_GROUPS,
    SOCIAL_CENTRES,
    VILLAGE,
    YAYUAN,
    CompoundSpec,
    DemoCity,
)
from core.devdata.generate import CASE_TITLES, due_dates, social_credit_code
from core.devdata.grassroots import load_grassroots_demo
from core.devdata.purchases import load_purchases_demo
from core.infra import clock
from core.infra.cities import ensure_cities, load_city_configs
from core.infra.enums import CaseKind, Role
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
from core.plugins import calls as plugins


class _Loader:
    """Loads one demo city inside its scope; `orgs` finds organisations by name for people."""

    def __init__(self, spec: DemoCity, city_name: str) -> None:
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

    async def compound(self, spec: CompoundSpec, community: Community) -> None:
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
        # The first buildings take the remainder, so the buildings add up to the compound's
        # homes (Yayuan's eight: 4,852, as the source says, not 8 x 606 = 4,848).
        share, extra = divmod(spec.homes, count)
        self.buildings[spec.name] = [
            await Building.create(
                compound=compound,
                grid=grids[k % len(grids)],
                name=f"{k + 1}栋",
                floors=6 if spec.kind is OTHER else 18 + (7 * k) % 15,
                homes=share + (1 if k < extra else 0),
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

    async def councils(self, today: date) -> None:
        self._count("council_meetings", await load_councils(today))


async def _dongguan_extras(load: _Loader) -> None:
    """What only the reference city has: the Yayuan station, the party tree's lower tiers, and
    the other kinds of organisation the source document names."""
    yayuan = load.compounds[YAYUAN]
    hongtu, nancheng = load.communities["宏图社区"], load.streets["南城街道"]
    # The planned chain is community party organisation -> grid party branch -> building
    # party group (社区党组织—网格党支部—楼栋党小组), beside street -> community -> compound.
    grid_branch = await load.org(
        Org.PARTY_GRID_BRANCH,
        "宏图社区第一网格党支部",
        parent=load.party["宏图社区"],
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
        members_count=sum(members for _, members in SERVICE_GROUPS),
    )
    for group, members in SERVICE_GROUPS:
        await load.org(
            Org.SERVICE_GROUP,
            group,
            parent=station,
            compound=yayuan,
            members_count=members,
            founded_on=date(2021, 7, 1),
        )
    await load.org(
        Org.OWNERS_COMMITTEE,
        "景湖春晓业主委员会",
        compound=load.compounds["景湖春晓"],
        members_count=7,
        founded_on=date(2019, 11, 1),
    )
    await _service_centres(load)
    await load.org(Org.SERVICE_VENUE, "宏图社区党群服务中心", community=hongtu)
    await load.org(
        Org.MEDIATION_COMMITTEE, "宏图社区人民调解委员会", community=hongtu, members_count=7
    )
    # The seed's volunteer service teams (志愿服务队): one serves Hongtu, and is a provider in
    # the demo's purchases (core/devdata/purchases.py).
    await load.org(
        Org.VOLUNTEER_TEAM,
        "宏图社区志愿服务队",
        community=hongtu,
        members_count=35,
        founded_on=date(2019, 3, 5),
    )
    # The four mass organisations the source names (工会、共青团、妇联、残联).
    await load.org(Org.MASS_ORGANISATION, "南城街道总工会", street=nancheng)
    await load.org(Org.MASS_ORGANISATION, "共青团东莞市南城街道工作委员会", street=nancheng)
    await load.org(Org.MASS_ORGANISATION, "南城街道妇女联合会", street=nancheng)
    await load.org(Org.MASS_ORGANISATION, "东莞市残疾人联合会")
    for department in (
        "东莞市民政局",
        "东莞市住房和城乡建设局",
        "东莞市人民政府国有资产监督管理委员会",
    ):
        await load.org(Org.GOVERNMENT_DEPARTMENT, department)


async def _service_centres(load: _Loader) -> None:
    """The 19 social organisations and the community comprehensive service centre each runs."""
    for name, members, founded, community, street in SOCIAL_CENTRES:
        social = await load.org(
            Org.SOCIAL_ORGANISATION,
            name,
            street=load.streets[street],
            members_count=members,
            founded_on=date.fromisoformat(founded),
        )
        # `parent` here reads "run by": the social organisation operates the centre. A centre
        # of a community the demo does not list hangs from its street.
        place: dict[str, Any] = (
            {"community": load.communities[community]}
            if community in load.communities
            else {"street": load.streets[street]}
        )
        await load.org(Org.SERVICE_VENUE, f"{community}综合服务中心", parent=social, **place)


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
                await load.councils(clock.local_date(now, spec.slug))
        say(f"{spec.slug}: " + ", ".join(f"{n} {table}" for table, n in load.counts.items()))
        for table, n in load.counts.items():
            totals[table] = totals.get(table, 0) + n
    return totals


async def load_everything(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """What `civicgraph demo-data` loads: the core demo, the grassroots demo, and then, city
    by city, the demo data of each city's enabled plugins (the `load_demo_data` hook)."""
    say = progress or (lambda _: None)
    totals = await load_demo(say)
    for table, n in (await load_grassroots_demo()).items():
        totals[table] = totals.get(table, 0) + n
    for table, n in (await load_purchases_demo(say)).items():
        totals[table] = totals.get(table, 0) + n
    for slug in sorted(load_city_configs()):
        with in_city(slug):
            for what, n in (await plugins.load_demo_data(say)).items():
                totals[what] = totals.get(what, 0) + n
    return totals
