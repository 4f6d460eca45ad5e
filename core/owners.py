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

from core.auth import Principal
from core.errors import DomainError
from core.models import Building, Person, Unit, UnitOwnership


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
    names = dict(
        await Building.filter(id__in=list(building_ids)).values_list("id", "name")
        if building_ids
        else []
    )
    grouped: dict[tuple[int, ...], list[dict[str, object]]] = defaultdict(list)
    for unit in units:
        grouped[tuple(sorted(owners[unit["id"]]))].append(unit)
    drafts = []
    for people, held in sorted(grouped.items()):
        labels = sorted(_label(u, names) for u in held)
        total = sum(area_cm(u["area"]) for u in held)  # type: ignore[arg-type]
        drafts.append(OwnerDraft(people, total, ", ".join(labels)[:1000]))
    return drafts


def _label(unit: dict[str, object], buildings: dict[int, str]) -> str:
    building = buildings.get(unit["building_id"]) if unit["building_id"] else None  # type: ignore[arg-type]
    return f"{building}-{unit['number']}" if building else str(unit["number"])


async def people_of(principal: Principal) -> list[int]:
    """The Person rows a signed-in principal is (linked by Person.subject = the JWT sub)."""
    if not principal.subject:
        return []
    return list(await Person.filter(subject=principal.subject).values_list("id", flat=True))
