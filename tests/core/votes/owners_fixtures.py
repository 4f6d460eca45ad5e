"""Owners, units and votes that tests can count by hand (area in m², two decimals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.infra.enums import Role, VoteMatter
from core.infra.tenancy import in_city
from core.models import Compound, Person, Unit, UnitOwnership, Vote
from core.security.auth import Principal, Scope, ScopeKind
from core.votes.voting import OpenVoteInput, open_vote

ADMIN = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="admin-1")


async def register_owners(
    compound: Compound, holdings: list[tuple[str, str, list[str]]]
) -> dict[str, Person]:
    """Units (number, area, owner names); each name is a person signing in as that subject."""
    people: dict[str, Person] = {}
    with in_city(compound.city_id):
        for number, area, names in holdings:
            unit = await Unit.create(compound=compound, number=number, area=Decimal(area))
            for name in names:
                if name not in people:
                    people[name] = await Person.create(name=name, subject=name)
                await UnitOwnership.create(unit=unit, person=people[name])
    return people


def resident(compound: Compound, subject: str) -> Principal:
    return Principal(
        city="dongguan",
        role=Role.RESIDENT,
        scope=Scope(ScopeKind.COMPOUND, compound.id),
        subject=subject,
    )


async def open_on(
    compound: Compound, matter: VoteMatter = VoteMatter.PROPERTY_MANAGER, **kw: object
) -> dict[str, object]:
    closes = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    with in_city("dongguan"):
        return await open_vote(
            ADMIN,
            OpenVoteInput(
                compound_id=compound.id, matter=matter, title="选聘物业", closes_at=closes, **kw
            ),  # type: ignore[arg-type]
        )


async def end_voting(vote_id: int) -> None:
    """Move the closing time into the past, as if the voting period had run out."""
    with in_city("dongguan"):
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await Vote.filter(id=vote_id).update(closes_at=past)
