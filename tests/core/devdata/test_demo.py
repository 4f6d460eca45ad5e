"""The demo data: both cities load, a second load adds nothing, and Dongguan's facts are exact."""

from __future__ import annotations

import datetime as dt

from core.devdata.demo import load_demo
from core.devdata.demo_cities import SERVICE_GROUPS
from core.infra import db
from core.infra.enums import CaseStage, CompoundKind, ManagementMode, OrganisationKind
from core.infra.tenancy import in_city
from core.models import (
    Case,
    City,
    Community,
    Compound,
    Firm,
    ManagementContract,
    Organisation,
    Street,
)

# The source's eight groups of the Yayuan station, in its order.
SEED_GROUPS = [
    "党员小组", "安全监督组", "法律服务组", "环境监督组", "矛盾调解组", "文化活动组", "物业管家组",
    "志愿服务组",
]  # fmt: skip
TABLES = (
    "streets communities grids compounds buildings firms management_contracts organisations"
    " persons cases council_meetings"
).split()


async def _row_counts() -> dict[tuple[str, str], int]:
    counts = {}
    for table in TABLES:
        rows = await db.fetch(f"SELECT city_id, COUNT(*) AS n FROM {table} GROUP BY city_id")
        counts |= {(table, r["city_id"]): r["n"] for r in rows}
    return counts


async def test_both_cities_load_with_the_sizes_asked_for(demo_db: str) -> None:
    assert {c.slug: c.name for c in await City.all()} == {"dongguan": "东莞市", "zhuhai": "珠海市"}
    counts = await _row_counts()
    assert counts[("compounds", "dongguan")] == 25
    assert counts[("cases", "dongguan")] == 60
    assert counts[("streets", "zhuhai")] == 2
    assert counts[("communities", "zhuhai")] == 3
    assert counts[("compounds", "zhuhai")] == 5
    assert counts[("firms", "zhuhai")] == 3
    assert counts[("cases", "zhuhai")] == 10


async def test_a_second_load_adds_nothing(writable_demo_db: str) -> None:
    before = await _row_counts()
    assert await load_demo() == {}
    assert await _row_counts() == before


async def test_a_fresh_load_reports_what_it_created(empty_db: str) -> None:
    created = await load_demo()
    assert created["compounds"] == 30 and created["cases"] == 70
    counts = await _row_counts()
    for table in TABLES:
        assert created[table] == counts[(table, "dongguan")] + counts[(table, "zhuhai")], table


async def test_yayuan_is_as_the_source_describes(demo_db: str) -> None:
    with in_city("dongguan"):
        yayuan = await Compound.get(name="雅园新村").prefetch_related("community__street")
        assert yayuan.kind is CompoundKind.PUBLIC_RENTAL
        assert (yayuan.homes, yayuan.residents) == (4852, 15000)
        assert (yayuan.land_area, yayuan.floor_area) == (135000, 400000)
        assert yayuan.mature and yayuan.management_mode is ManagementMode.PROPERTY_FIRM
        assert yayuan.community.name == "宏图社区"
        assert yayuan.community.street.name == "南城街道"

        contract = await ManagementContract.get(compound=yayuan).prefetch_related("firm")
        assert (contract.starts_on, contract.ends_on) == (dt.date(2017, 5, 1), None)
        firm = contract.firm
        assert firm.name == "广东东鸿物业发展有限公司"
        assert firm.is_state_owned and firm.owning_group == "东莞实业投资控股集团有限公司"
        assert firm.founded_on == dt.date(2014, 5, 1)
        assert len(firm.registration_number) == 18

        station = await Organisation.get(kind=OrganisationKind.SERVICE_VENUE, compound_id=yayuan.id)
        assert (station.founded_on, station.members_count) == (dt.date(2021, 7, 1), 43)
        groups = await Organisation.filter(parent_id=station.id).order_by("id")
        assert [g.name for g in groups] == [name for name, _ in SERVICE_GROUPS] == SEED_GROUPS
        assert {g.kind for g in groups} == {OrganisationKind.SERVICE_GROUP}
        assert sum(g.members_count for g in groups) == 43


async def _chain(kind: OrganisationKind) -> tuple[list[OrganisationKind], Organisation]:
    org = await Organisation.filter(kind=kind).order_by("id").first()
    assert org is not None
    chain = [org.kind]
    while org.parent_id is not None:
        org = await Organisation.get(id=org.parent_id)
        chain.append(org.kind)
    return chain, org


async def test_the_party_tree_has_the_source_s_two_chains(demo_db: str) -> None:
    # 镇街党委—村(社区)党组织—小区党支部, and 社区党组织—网格党支部—楼栋党小组.
    with in_city("dongguan"):
        chain, top = await _chain(OrganisationKind.PARTY_COMPOUND_BRANCH)
        assert chain == [
            OrganisationKind.PARTY_COMPOUND_BRANCH,
            OrganisationKind.PARTY_COMMUNITY,
            OrganisationKind.PARTY_STREET_COMMITTEE,
        ]
        chain, top = await _chain(OrganisationKind.PARTY_BUILDING_GROUP)
        assert chain == [
            OrganisationKind.PARTY_BUILDING_GROUP,
            OrganisationKind.PARTY_GRID_BRANCH,
            OrganisationKind.PARTY_COMMUNITY,
            OrganisationKind.PARTY_STREET_COMMITTEE,
        ]
        assert (await Street.get(id=top.street_id)).name == "南城街道"
        # The headline figure: every mature compound has a party organisation.
        mature = set(await Compound.filter(mature=True).values_list("id", flat=True))
        branches = await Organisation.filter(kind=OrganisationKind.PARTY_COMPOUND_BRANCH)
        assert {b.compound_id for b in branches} == mature
        kinds = set(await Organisation.all().values_list("kind", flat=True))
        assert kinds == set(OrganisationKind)


async def test_dongguan_has_compounds_without_a_firm_and_ended_contracts(demo_db: str) -> None:
    with in_city("dongguan"):
        contracted = set(await ManagementContract.all().values_list("compound_id", flat=True))
        uncontracted = await Compound.exclude(id__in=contracted)
        assert uncontracted
        assert all(c.management_mode is not ManagementMode.PROPERTY_FIRM for c in uncontracted)
        assert await ManagementContract.filter(ends_on__isnull=False).exists()
        assert await Firm.filter(is_state_owned=True).count() == 2


async def test_cases_cover_every_stage_over_many_months(demo_db: str) -> None:
    with in_city("dongguan"):
        cases = await Case.all()
    assert {c.stage for c in cases} == set(CaseStage)
    created = sorted(c.created_at for c in cases)
    assert created[-1] - created[0] > dt.timedelta(days=365)
    assert all(c.created_at <= c.stage_entered_at for c in cases)
    assert all(c.stage_due_on is None for c in cases if c.stage is CaseStage.CLOSED)
    assert any(c.stage_due_on is not None for c in cases)


async def test_zhuhai_is_invisible_from_dongguan(demo_db: str) -> None:
    with in_city("dongguan"):
        assert not await Compound.filter(name="港昌花园").exists()
        assert not await Community.filter(name="景山社区").exists()
        assert await Firm.all().count() == 6
    with in_city("zhuhai"):
        assert not await Compound.filter(name="雅园新村").exists()
        assert await Compound.all().count() == 5
        assert not await Firm.filter(is_state_owned=True).exists()
        compound_ids = set(await Compound.all().values_list("id", flat=True))
        case_compounds = set(await Case.all().values_list("compound_id", flat=True))
        assert case_compounds <= compound_ids
