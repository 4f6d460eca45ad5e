"""A small town whose governance figures are counted by hand in tests/core/figures/test_figures.py.

As of AS_OF (2026-06-30), in Dongguan:

street 甲 ── community C1: compounds A (mature, 100 homes), B (mature, 200), X (not mature,
         │                  50, mode NONE); grids g1, g2
         └─ community C2: compounds D (mature, 300, community caretaker), E (not mature, 80,
                            firm contract ended 2025-12-31); grid g3
street 乙 ── community C3: nothing at all
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.infra.enums import (
    CaseKind,
    CaseStage,
    CompoundKind,
    ManagementMode,
    OrganisationKind,
    TransitionKind,
)
from core.infra.tenancy import in_city
from core.models import (
    Building,
    BuildingHead,
    BuildingHeadCoverage,
    Case,
    CaseTransition,
    Community,
    Compound,
    CouncilMeeting,
    Firm,
    Grid,
    ManagementContract,
    Organisation,
    Person,
    ResidentRating,
    Street,
)

AS_OF = dt.date(2026, 6, 30)
FIVE_DUTIES = ["MEDIATOR", "PUBLICIST", "INFORMANT", "PATROLLER", "LIAISON"]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


@dataclass
class FiguresTown:
    streets: dict[str, Street] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    compounds: dict[str, Compound] = field(default_factory=dict)
    firms: dict[str, Firm] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)


async def _case(
    compound: Compound,
    kind: CaseKind,
    created: str,
    stage: CaseStage,
    entered: str,
    due: str | None,
    moves: tuple[tuple[str, CaseStage], ...] = (),
) -> Case:
    case = await Case.create(
        kind=kind,
        title=f"{compound.name} {created}",
        compound=compound,
        stage=stage,
        stage_entered_at=at(entered),
        stage_due_on=dt.date.fromisoformat(due) if due else None,
    )
    await Case.filter(id=case.id).update(created_at=at(created))
    previous = None
    for when, to_stage in moves:
        await CaseTransition.create(
            case=case,
            kind=TransitionKind.FILED if previous is None else TransitionKind.ADVANCED,
            from_stage=previous,
            to_stage=to_stage,
            occurred_at=at(when),
        )
        previous = to_stage
    return case


async def _org(kind: OrganisationKind, name: str, founded: str | None, **place: Any) -> None:
    founded_on = dt.date.fromisoformat(founded) if founded else None
    await Organisation.create(kind=kind, name=name, founded_on=founded_on, **place)


async def build_figures_town(city: str = "dongguan") -> FiguresTown:
    town = FiguresTown()
    d = dt.date.fromisoformat
    with in_city(city):
        jia = town.streets["甲"] = await Street.create(name="甲街道")
        yi = town.streets["乙"] = await Street.create(name="乙街道")
        c1 = town.communities["C1"] = await Community.create(street=jia, name="一社区")
        c2 = town.communities["C2"] = await Community.create(street=jia, name="二社区")
        town.communities["C3"] = await Community.create(street=yi, name="三社区")
        specs = (
            ("A", c1, True, 100, ManagementMode.PROPERTY_FIRM),
            ("B", c1, True, 200, ManagementMode.PROPERTY_FIRM),
            ("X", c1, False, 50, ManagementMode.NONE),
            ("D", c2, True, 300, ManagementMode.COMMUNITY_CARETAKER),
            ("E", c2, False, 80, ManagementMode.PROPERTY_FIRM),
        )
        for name, community, mature, homes, mode in specs:
            town.compounds[name] = await Compound.create(
                community=community,
                name=f"小区{name}",
                kind=CompoundKind.COMMERCIAL_RESIDENTIAL,
                homes=homes,
                mature=mature,
                management_mode=mode,
            )
        cp = town.compounds
        g1 = await Grid.create(community=c1, name="一网格")
        await Grid.create(community=c1, name="二网格")
        g3 = await Grid.create(community=c2, name="三网格")
        buildings: dict[str, Building] = {}
        for name, compound in (
            ("a1", "A"), ("a2", "A"), ("b1", "B"), ("x1", "X"),
            ("d1", "D"), ("d2", "D"), ("e1", "E"),
        ):  # fmt: skip
            buildings[name] = await Building.create(compound=cp[compound], name=name, homes=10)

        # Party organisations: B's branch is founded after AS_OF, g3's too.
        branch = OrganisationKind.PARTY_COMPOUND_BRANCH
        await _org(branch, "A党支部", "2020-01-01", compound=cp["A"])
        await _org(branch, "B党支部", "2026-07-15", compound=cp["B"])
        await _org(branch, "D党支部", None, compound=cp["D"])
        await _org(OrganisationKind.PARTY_GRID_BRANCH, "一网格党支部", "2025-05-01", grid=g1)
        await _org(OrganisationKind.PARTY_GRID_BRANCH, "三网格党支部", "2026-09-01", grid=g3)

        f1 = town.firms["F1"] = await Firm.create(name="甲物业", registration_number="F1")
        f2 = town.firms["F2"] = await Firm.create(name="乙物业", registration_number="F2")
        await ManagementContract.create(compound=cp["A"], firm=f1, starts_on=d("2020-01-01"))
        await ManagementContract.create(
            compound=cp["B"], firm=f2, starts_on=d("2021-01-01"), ends_on=d("2026-12-31")
        )
        await ManagementContract.create(
            compound=cp["E"], firm=f2, starts_on=d("2019-01-01"), ends_on=d("2025-12-31")
        )

        # Building heads: H2 left before AS_OF, H4 starts after it.
        for n, (appointed, ended, covers) in enumerate(
            (
                ("2025-01-01", None, ("a1", "a2")),
                ("2024-01-01", "2026-03-31", ("b1",)),
                ("2026-01-01", None, ("d1",)),
                ("2026-08-01", None, ("e1",)),
            ),
            start=1,
        ):
            person = await Person.create(name=f"楼栋长{n}", roles=["BUILDING_HEAD"])
            head = await BuildingHead.create(
                person=person,
                duties=FIVE_DUTIES,
                appointed_on=d(appointed),
                ended_on=d(ended) if ended else None,
            )
            for b in covers:
                await BuildingHeadCoverage.create(head=head, building=buildings[b])

        # Councils: A and E within six months (E on AS_OF itself), B too long ago, D only
        # scheduled.
        for compound, held_on, held in (
            ("A", "2026-03-01", True),
            ("B", "2025-11-01", True),
            ("D", "2026-05-01", False),
            ("E", "2026-06-30", True),
        ):
            await CouncilMeeting.create(compound=cp[compound], held_on=d(held_on), held=held)

        dispute, tc, td = (
            CaseKind.PROPERTY_DISPUTE,
            CaseStage.TOPIC_COLLECTION,
            (CaseStage.TOPIC_DETERMINATION),
        )
        cs = town.cases
        cs["1"] = await _case(
            cp["A"], dispute, "2026-06-01", td, "2026-06-21", "2026-06-26",
            (("2026-06-01", tc), ("2026-06-21", td)),
        )  # fmt: skip
        cs["2"] = await _case(
            cp["A"], dispute, "2026-06-11", tc, "2026-06-11", "2026-07-10",
            (("2026-06-11", tc),),
        )  # fmt: skip
        # No timeline (loaded before timelines existed): its current stage stands.
        cs["3"] = await _case(cp["A"], dispute, "2026-06-25", tc, "2026-06-25", None)
        cs["4"] = await _case(
            cp["A"], CaseKind.MEDIATION, "2026-05-01", CaseStage.CLOSED, "2026-06-10", None,
            (("2026-05-01", CaseStage.MEDIATING), ("2026-06-10", CaseStage.CLOSED)),
        )  # fmt: skip
        # Moved on after AS_OF: as of AS_OF it was still collecting topics.
        cs["5"] = await _case(
            cp["A"], dispute, "2026-06-20", td, "2026-07-05", "2026-07-01",
            (("2026-06-20", tc), ("2026-07-05", td)),
        )  # fmt: skip
        cs["6"] = await _case(cp["A"], dispute, "2026-07-02", tc, "2026-07-02", None)
        cs["7"] = await _case(
            cp["D"], CaseKind.SERVICE_REQUEST, "2026-06-26", CaseStage.ACCEPTED, "2026-06-28",
            "2026-06-29",
        )  # fmt: skip
        for resident, score, rated in (("r1", 4, "2026-06-12"), ("r2", 5, "2026-06-13"),
                                       ("r3", 1, "2026-07-03")):  # fmt: skip
            rating = await ResidentRating.create(
                case=cs["4"], resident_subject=resident, score=score
            )
            await ResidentRating.filter(id=rating.id).update(created_at=at(rated))
    return town
