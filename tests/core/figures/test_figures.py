"""Figures against the hand-counted town of tests/figures_town.py (see its docstring)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.figures import report as figures
from core.figures.report import Area, AreaKind, Coverage
from core.infra.enums import CaseStage, OrganisationKind, ProcurementMethod, PurchaseStatus
from core.infra.errors import DomainError
from core.infra.tenancy import in_city
from core.models import Organisation, ServicePurchaseRecord
from tests.figures_town import AS_OF, FiguresTown, build_figures_town


@pytest.fixture
async def town(empty_db: str) -> FiguresTown:
    return await build_figures_town()


def areas(town: FiguresTown) -> dict[str, Area]:
    return {
        "city": figures.CITY,
        "jia": Area(AreaKind.STREET, town.streets["甲"].id),
        "yi": Area(AreaKind.STREET, town.streets["乙"].id),
        "c1": Area(AreaKind.COMMUNITY, town.communities["C1"].id),
        "c2": Area(AreaKind.COMMUNITY, town.communities["C2"].id),
        "c3": Area(AreaKind.COMMUNITY, town.communities["C3"].id),
    }


EXPECTED = {
    # area: (party, property management, building heads, grid branches, councils)
    "city": ((2, 3), (3, 5), (3, 7), (1, 3), (2, 5)),
    "jia": ((2, 3), (3, 5), (3, 7), (1, 3), (2, 5)),
    "yi": ((0, 0), (0, 0), (0, 0), (0, 0), (0, 0)),
    "c1": ((1, 2), (2, 3), (2, 4), (1, 2), (1, 3)),
    "c2": ((1, 1), (1, 2), (1, 3), (0, 1), (1, 2)),
    "c3": ((0, 0), (0, 0), (0, 0), (0, 0), (0, 0)),
}


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_coverage_figures(town: FiguresTown, name: str) -> None:
    with in_city("dongguan"):
        f = await figures.figures(areas(town)[name], AS_OF)
    got = (
        f.party_coverage,
        f.property_management_coverage,
        f.building_head_coverage,
        f.grid_party_branch_coverage,
        f.council_compliance,
    )
    assert got == tuple(Coverage(*pair) for pair in EXPECTED[name])


async def test_share_is_none_when_nothing_to_cover(town: FiguresTown) -> None:
    with in_city("dongguan"):
        f = await figures.figures(areas(town)["yi"], AS_OF)
    assert f.party_coverage.share is None
    assert f.cases.total == 0 and f.cases.mean_rating is None


async def test_cases_by_stage_as_of_a_date(town: FiguresTown) -> None:
    with in_city("dongguan"):
        c = await figures.case_figures(figures.CITY, AS_OF)
    stages = {s.stage: s for s in c.by_stage if s.cases}
    assert {k: v.cases for k, v in stages.items()} == {
        CaseStage.TOPIC_COLLECTION: 3,  # cases 2, 3 and 5 (5 moved on after AS_OF)
        CaseStage.TOPIC_DETERMINATION: 1,
        CaseStage.CLOSED: 1,
        CaseStage.ACCEPTED: 1,
    }
    assert (c.total, c.open, c.overdue) == (6, 5, 2)  # case 6 was filed after AS_OF
    collecting = stages[CaseStage.TOPIC_COLLECTION]
    # Working days in stage up to AS_OF (19 June is the Dragon Boat Festival), entered on
    # 25, 20 and 11 June: 3, 7, 12 -> median 7, p90 7 + 0.8 * 5.
    assert collecting.median_days == pytest.approx(7)
    assert collecting.p90_days == pytest.approx(11)
    assert collecting.overdue == 0
    determination = stages[CaseStage.TOPIC_DETERMINATION]
    assert (determination.median_days, determination.p90_days, determination.overdue) == (
        pytest.approx(7),
        pytest.approx(7),
        1,
    )
    assert stages[CaseStage.ACCEPTED].median_days == pytest.approx(2)
    assert stages[CaseStage.CLOSED].median_days is None
    # The rating given after AS_OF does not count.
    assert (c.mean_rating, c.ratings) == (4.5, 2)


async def test_cases_of_a_community_and_an_empty_one(town: FiguresTown) -> None:
    with in_city("dongguan"):
        c1 = await figures.case_figures(areas(town)["c1"], AS_OF)
        c3 = await figures.case_figures(areas(town)["c3"], AS_OF)
    assert (c1.total, c1.open, c1.overdue, c1.ratings) == (5, 4, 1, 2)
    assert (c3.total, c3.open, c3.overdue, c3.ratings, c3.mean_rating) == (0, 0, 0, 0, None)
    assert all(s.cases == 0 and s.median_days is None for s in c3.by_stage)


async def test_an_earlier_date_sees_the_earlier_stage(town: FiguresTown) -> None:
    with in_city("dongguan"):
        c = await figures.case_figures(figures.CITY, dt.date(2026, 6, 15))
    stages = {s.stage: s.cases for s in c.by_stage if s.cases}
    # Case 1 collected topics until the 21st; case 4 closed on the 10th; case 2 filed 11th.
    assert stages == {CaseStage.TOPIC_COLLECTION: 2, CaseStage.CLOSED: 1}


async def test_firm_ranking(town: FiguresTown) -> None:
    with in_city("dongguan"):
        ranking = await figures.firm_ranking(figures.CITY, AS_OF)
    assert [(r.name, r.compounds, r.homes, r.cases) for r in ranking] == [
        ("乙物业", 1, 200, 0),
        ("甲物业", 1, 100, 5),
    ]
    assert ranking[1].cases_per_1000_homes == 50


async def test_unknown_area_is_not_found(town: FiguresTown) -> None:
    with in_city("dongguan"), pytest.raises(DomainError) as e:
        await figures.figures(Area(AreaKind.STREET, 999), AS_OF)
    assert e.value.code == "NOT_FOUND"


def test_six_months_before() -> None:
    assert figures.six_months_before(dt.date(2026, 6, 30)) == dt.date(2025, 12, 30)
    assert figures.six_months_before(dt.date(2026, 8, 31)) == dt.date(2026, 2, 28)
    assert figures.month_ends(dt.date(2026, 3, 15), 3) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 15),
    ]


async def test_purchase_spend_by_category(town: FiguresTown) -> None:
    with in_city("dongguan"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="阳光社工"
        )
        c1, c2 = town.communities["C1"], town.communities["C2"]
        for category, community, amount, start, status in (
            ("ELDERLY_CARE", c1, "120000.50", "2026-02-01", PurchaseStatus.CONTRACTED),
            ("ELDERLY_CARE", c2, "80000", "2026-05-01", PurchaseStatus.PROPOSED),
            ("ELDERLY_CARE", c1, "99999", "2026-03-01", PurchaseStatus.CANCELLED),
            ("CHILDCARE", None, "50000", "2026-01-15", PurchaseStatus.EVALUATED),
            ("CHILDCARE", c1, "10000", "2026-07-01", PurchaseStatus.CONTRACTED),  # after AS_OF
            ("CHILDCARE", c1, "7000", "2025-12-01", PurchaseStatus.CONTRACTED),  # last year
        ):
            # Only a contract commits money (core/purchases/spend.py): the proposed and the
            # cancelled-before-contract purchases have none and spend nothing.
            contracted = status in (PurchaseStatus.CONTRACTED, PurchaseStatus.EVALUATED)
            contract = {"contract_amount": Decimal(amount),
                        "contract_start": dt.date.fromisoformat(start),
                        "contract_end": dt.date(2026, 12, 31)} if contracted else {}  # fmt: skip
            await ServicePurchaseRecord.create(
                title=category, category=category, provider=provider, community=community,
                amount=Decimal(amount), period_start=dt.date.fromisoformat(start),
                period_end=dt.date(2026, 12, 31),
                procurement_method=ProcurementMethod.PUBLIC_TENDER, status=status, **contract,
            )  # fmt: skip
        city = await figures.purchase_spend(figures.CITY, AS_OF)
        c1_spend = await figures.purchase_spend(areas(town)["c1"], AS_OF)
        yi = await figures.purchase_spend(areas(town)["yi"], AS_OF)
    assert [(c.category, c.purchases, c.amount) for c in city] == [
        ("CHILDCARE", 1, 50000.0),  # the city-wide purchase counts for the city only
        ("ELDERLY_CARE", 1, 120000.5),  # the proposal and the uncontracted one spend nothing
    ]
    assert [(c.category, c.purchases, c.amount) for c in c1_spend] == [
        ("ELDERLY_CARE", 1, 120000.5)
    ]
    assert yi == []
