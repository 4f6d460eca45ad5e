"""The synthetic-city generator: exact counts, ids that leave room for the ORM, and adding."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from core.cases.workflow import stages_of
from core.devdata.demo import load_demo
from core.devdata.generate import Progress, generate, social_credit_code
from core.infra import db
from core.infra.enums import CaseKind, CaseStage, OrganisationKind
from core.infra.tenancy import in_city
from core.models import Case, City, Compound, Firm, ManagementContract, Organisation, Street
from tests.app_role import app_serving_as_app_role
from tests.conftest import ON_POSTGRES


async def _count(table: str, city: str) -> int:
    rows = await db.fetch(f"SELECT COUNT(*) AS n FROM {table} WHERE city_id = $1", [city])
    return int(rows[0]["n"])


async def test_counts_are_exactly_those_asked_for(empty_db: str) -> None:
    seen: list[tuple[str, int, int]] = []
    counts = await generate("gen", compounds=50, cases=2000, firms=20, progress=_record(seen))
    assert (counts["compounds"], counts["cases"], counts["firms"]) == (50, 2000, 20)
    for table, n in counts.items():
        assert await _count(table, "gen") == n, table
    assert ("cases", 2000, 2000) in seen
    assert (await City.get(slug="gen")).name == "gen"
    with in_city("gen"):
        assert await Compound.all().count() == 50
        assert await Case.all().count() == 2000
        # About nine compounds in ten have a firm; the rest are managed some other way.
        contracted = await ManagementContract.filter(ends_on=None).count()
        assert 35 <= contracted < 50


def _record(seen: list[tuple[str, int, int]]) -> Progress:
    return lambda table, done, total: seen.append((table, done, total))


async def test_orm_inserts_after_generating_get_fresh_ids(empty_db: str) -> None:
    await generate("gen", compounds=50, cases=2000, firms=10)
    rows = await db.fetch("SELECT MAX(id) AS top FROM cases")
    with in_city("gen"):
        compound = await Compound.first()
        assert compound is not None
        case = await Case.create(
            kind=CaseKind.MEDIATION,
            title="装修噪音扰民",
            compound=compound,
            stage=CaseStage.MEDIATING,
            stage_entered_at=dt.datetime.now(dt.UTC),
        )
        assert case.id > rows[0]["top"]
        street = await Street.create(name="新建街道")
        assert await Street.filter(id=street.id).count() == 1
        await Firm.create(name="新物业", registration_number=social_credit_code("441900", 7))


async def test_a_second_run_adds_exactly_the_new_numbers(empty_db: str) -> None:
    first = await generate("gen", compounds=50, cases=2000, firms=10)
    second = await generate("gen", compounds=30, cases=500, firms=5, seed=2)
    assert await _count("compounds", "gen") == 80
    assert await _count("cases", "gen") == 2500
    assert await _count("firms", "gen") == 15
    assert second["streets"] == 0  # the city already has as many streets as it needs
    for table in first:
        assert await _count(table, "gen") == first[table] + second[table], table
    with in_city("gen"):
        codes = await Firm.all().values_list("registration_number", flat=True)
        names = await Compound.all().values_list("name", flat=True)
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


async def test_generating_into_the_demo_city_keeps_the_demo(writable_demo_db: str) -> None:
    before = await _count("compounds", "dongguan")
    counts = await generate("dongguan", compounds=30, cases=300, firms=5)
    assert await _count("compounds", "dongguan") == before + 30
    assert await load_demo() == {}  # the demo stays loaded, not doubled
    with in_city("dongguan"):
        # New communities hang from the city's streets; the party tree grows from them.
        committees = await Organisation.filter(kind=OrganisationKind.PARTY_STREET_COMMITTEE).count()
        assert committees == await Street.all().count()
    assert counts["streets"] == 0


async def test_cases_are_plausible(empty_db: str) -> None:
    await generate("gen", compounds=50, cases=2000, firms=10)
    with in_city("gen"):
        cases = await Case.all().values(
            "kind",
            "stage",
            "created_at",
            "stage_entered_at",
            "stage_due_on",
            "compound_id",
            "version",
        )
    now = dt.datetime.now(dt.UTC)
    for case in cases:
        flow = stages_of(case["kind"])
        assert case["stage"] in flow
        assert case["version"] == flow.index(case["stage"]) + 1
        assert case["created_at"] <= case["stage_entered_at"] <= now
    ages = [now - c["created_at"] for c in cases]
    assert max(ages) > dt.timedelta(days=365) and min(ages) < dt.timedelta(days=30)
    # Busy compounds and quiet ones, not an even spread.
    per_compound = Counter(c["compound_id"] for c in cases).most_common()
    assert per_compound[0][1] > 4 * len(cases) / 50
    assert {c["stage"] for c in cases} > {CaseStage.CLOSED, CaseStage.REPLIED}
    # Open cases carry the deadline of their stage, and a few have missed it.
    timed = [c for c in cases if c["stage"] not in (CaseStage.CLOSED, CaseStage.REPLIED)]
    assert timed and all(c["stage_due_on"] is not None for c in timed)
    assert any(c["stage_due_on"] < now.date() for c in timed)
    assert all(c["stage_due_on"] is None for c in cases if c["stage"] is CaseStage.CLOSED)


async def test_a_failure_leaves_nothing_behind(empty_db: str) -> None:
    def fail_on_cases(table: str, done: int, total: int) -> None:
        if table == "cases":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        await generate("gen", compounds=20, cases=100, firms=5, progress=fail_on_cases)
    assert await City.get_or_none(slug="gen") is None
    for table in ("streets", "compounds", "organisations", "cases"):
        assert await _count(table, "gen") == 0, table


def test_credit_codes_carry_a_valid_check_character() -> None:
    # Huawei Technologies' published code: Shenzhen (440300), organisation code 192203821.
    assert social_credit_code("440300", 192203821) == "914403001922038216"


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="row-level security is PostgreSQL's")
async def test_the_app_role_generates_through_row_level_security(empty_db: str) -> None:
    # The app role may not COPY (row-level security) nor setval: the INSERT path runs.
    async with app_serving_as_app_role(empty_db):
        counts = await generate("dongguan", compounds=10, cases=300, firms=3)
    assert counts["cases"] == 300
    assert await _count("cases", "dongguan") == 300
    assert await _count("compounds", "dongguan") == 10
