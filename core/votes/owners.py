"""The owners of a compound as an electorate: one head per owner, areas summed.

An "owner" is the set of people registered on a unit. Co-owners of a unit are one owner
and cast one vote; units held by exactly the same people are one owner whose areas add up
(Civil Code practice: one head, the sum of the areas). A person who owns one unit alone and
co-owns another is two owners, because the co-owned unit's vote is not hers alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from core.infra.enums import Role
from core.infra.errors import DomainError, ValidationErrors
from core.models import Building, Compound, Person, Unit, UnitOwnership
from core.security.access import compound_scope, require_compound_in_scope, require_role
from core.security.auth import Principal


@dataclass(frozen=True)
class OwnerDraft:
    """One owner as the electorate will freeze it."""

    person_ids: tuple[int, ...]
    area_cm: int
    units: str  # e.g. "1栋-101, 1栋-102", what results show instead of names


def area_cm(area: Decimal | str | float) -> int:
    """Square metres with two decimals as whole hundredths (exact for registered areas)."""
    return int((Decimal(str(area)) * 100).to_integral_value())


async def owners_of_compound(compound_id: int, field: str = "compoundId") -> list[OwnerDraft]:
    """The compound's owners now; refuses a compound with no units or an unowned unit."""
    units = await Unit.filter(compound_id=compound_id).values("id", "number", "area", "building_id")
    if not units:
        raise DomainError("NO_UNITS", field)
    owned = await UnitOwnership.filter(unit__compound_id=compound_id).values("unit_id", "person_id")
    owners: dict[int, set[int]] = defaultdict(set)
    for row in owned:
        owners[row["unit_id"]].add(row["person_id"])
    unowned = [u for u in units if u["id"] not in owners]
    if unowned:
        # Both denominators would be wrong: the developer holds unsold units and is an owner.
        raise DomainError("UNITS_WITHOUT_OWNER", field, count=len(unowned))
    building_ids = {u["building_id"] for u in units if u["building_id"] is not None}
    names: dict[int, str] = {}
    if building_ids:
        rows = await Building.filter(id__in=list(building_ids)).values("id", "name")
        names = {r["id"]: r["name"] for r in rows}
    grouped: dict[tuple[int, ...], list[dict[str, Any]]] = defaultdict(list)
    for unit in units:
        grouped[tuple(sorted(owners[unit["id"]]))].append(unit)
    drafts = []
    for people, held in sorted(grouped.items()):
        labels = sorted(_label(u, names) for u in held)
        total = sum(area_cm(u["area"]) for u in held)
        drafts.append(OwnerDraft(people, total, ", ".join(labels)[:1000]))
    return drafts


def _label(unit: dict[str, Any], buildings: dict[int, str]) -> str:
    building = buildings.get(unit["building_id"]) if unit["building_id"] else None
    return f"{building}-{unit['number']}" if building else str(unit["number"])


async def people_of(principal: Principal) -> list[int]:
    """The Person rows a signed-in principal is (linked by Person.subject = the JWT sub)."""
    if not principal.subject:
        return []
    rows = await Person.filter(subject=principal.subject).values("id")
    return [int(r["id"]) for r in rows]


# Who keeps the register of units and owners: the community and the admins above it.
REGISTRARS = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN}
)
UNIT_FIELDS = ("id", "compound_id", "building_id", "number", "area", "created_at")
NUMBER_MAX = 32
AREA_MAX = Decimal("9999999999.99")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class UnitInput:
    compound_id: int
    number: str
    area: Decimal
    owner_ids: tuple[int, ...]
    building_id: int | None = None


def _area_errors(area: Decimal) -> list[DomainError]:
    # Registered areas have two decimals; more would be lost when the electorate is frozen.
    if not area.is_finite() or area <= 0 or area > AREA_MAX or area != area.quantize(CENT):
        return [DomainError("INVALID_AREA", "area")]
    return []


async def record_unit(principal: Principal, data: UnitInput) -> dict[str, Any]:
    """Record a unit with its owner(s); co-owners are several owner ids."""
    require_role(principal, REGISTRARS)
    errors = []
    number = data.number.strip()
    if not number:
        errors.append(DomainError("REQUIRED", "number"))
    elif len(number) > NUMBER_MAX:
        errors.append(DomainError("TOO_LONG", "number", max=NUMBER_MAX))
    errors += _area_errors(data.area)
    owners = set(data.owner_ids)
    if not owners:
        errors.append(DomainError("REQUIRED", "ownerIds"))
    await require_compound_in_scope(principal, data.compound_id, "compoundId")
    if (
        data.building_id is not None
        and not await Building.filter(id=data.building_id, compound_id=data.compound_id).exists()
    ):
        errors.append(DomainError("NOT_FOUND", "buildingId"))
    if owners and await Person.filter(id__in=list(owners)).count() != len(owners):
        errors.append(DomainError("NOT_FOUND", "ownerIds"))
    if number and await Unit.filter(compound_id=data.compound_id, number=number).exists():
        errors.append(DomainError("UNIT_EXISTS", "number"))
    if errors:
        raise ValidationErrors(errors)
    async with in_transaction():
        unit = await Unit.create(
            compound_id=data.compound_id,
            building_id=data.building_id,
            number=number,
            area=data.area,
        )
        for person_id in sorted(owners):
            await UnitOwnership.create(unit_id=unit.id, person_id=person_id)
    return (await Unit.filter(id=unit.id).values(*UNIT_FIELDS))[0]


async def unit_by_id(principal: Principal, unit_id: int) -> dict[str, Any] | None:
    """A unit for those who keep the register of its compound; None if absent or out of scope."""
    require_role(principal, REGISTRARS)
    rows = await Unit.filter(id=unit_id).values(*UNIT_FIELDS)
    q = compound_scope(principal)
    if not rows or (
        q is not None and not await Compound.filter(q, id=rows[0]["compound_id"]).exists()
    ):
        return None
    return rows[0]


async def owner_counts(unit_ids: list[int]) -> dict[int, int]:
    """How many people own each unit (names are personal data and stay out of the API)."""
    counts = dict.fromkeys(unit_ids, 0)
    for row in await UnitOwnership.filter(unit_id__in=unit_ids).values("unit_id"):
        counts[row["unit_id"]] += 1
    return counts
