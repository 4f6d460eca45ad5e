"""People as staff read them: who may list whom, and which personal data each role sees.

Minimisation (PIPL art. 6): the phone number is shown whole only to community workers,
whose work is to reach residents; everyone else who may list people sees it masked. The ID
number (身份证号) is never shown whole through the API: it is kept encrypted, shown masked,
and found by exact match through its keyed hash. docs/privacy.md has the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery

from core.infra.enums import Role
from core.infra.errors import DomainError
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import Community, Compound, Organisation, Person, UnitOwnership
from core.security import personal
from core.security.access import compound_scope, require_role
from core.security.auth import Principal, ScopeKind

READERS = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN}
)
SEES_PHONE = frozenset({Role.COMMUNITY_WORKER})
SEES_ID_NUMBER: frozenset[Role] = frozenset()  # nobody, through the API
LOOKS_UP_ID_NUMBER = frozenset({Role.COMMUNITY_WORKER, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
PERSON_FIELDS = ("id", "name", "roles", "phone", "id_number_cipher", "organisation_id")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")  # 18 characters, the last a check digit or X


@dataclass(frozen=True)
class PeopleFilter:
    name: str | None = None
    id_number: str | None = None


def _in_scope(principal: Principal) -> Q | None:
    """People attached to the principal's places: by their organisation or a unit they own."""
    compounds = compound_scope(principal)
    if compounds is None:
        return None
    compound_ids = Subquery(Compound.filter(compounds).values("id"))
    places = Q(compound_id__in=compound_ids)
    if principal.scope.kind is ScopeKind.COMMUNITY:
        places |= Q(community_id=principal.scope.id)
    elif principal.scope.kind is ScopeKind.STREET:
        streets = Community.filter(street_id=principal.scope.id).values("id")
        places |= Q(street_id=principal.scope.id) | Q(community_id__in=Subquery(streets))
    organisations = Subquery(Organisation.filter(places).values("id"))
    owners = Subquery(UnitOwnership.filter(unit__compound_id__in=compound_ids).values("person_id"))
    return Q(organisation_id__in=organisations) | Q(id__in=owners)


def _id_number_hash(principal: Principal, value: str) -> str:
    if principal.role not in LOOKS_UP_ID_NUMBER:
        raise DomainError("FORBIDDEN", "idNumber")
    number = personal.normalise_id_number(value)
    if not ID_NUMBER.match(number):
        raise DomainError("INVALID_ID_NUMBER", "idNumber")
    return personal.lookup_hash(number)


async def list_people(principal: Principal, f: PeopleFilter, page: PageRequest) -> Page:
    require_role(principal, READERS)
    query = Person.all()
    scope = _in_scope(principal)
    if scope is not None:
        query = query.filter(scope)
    if f.name:
        query = query.filter(name__icontains=f.name)
    if f.id_number is not None:
        query = query.filter(id_number_hash=_id_number_hash(principal, f.id_number))
    return await paginate(query, Ordering("name"), page, PERSON_FIELDS)


async def person_by_id(principal: Principal, person_id: int) -> dict[str, Any] | None:
    """A person as `list_people` shows them to the caller (unmasked row), else None."""
    require_role(principal, READERS)
    query = Person.filter(id=person_id)
    scope = _in_scope(principal)
    if scope is not None:
        query = query.filter(scope)
    rows = await query.values(*PERSON_FIELDS)
    return dict(rows[0]) if rows else None


def shown(principal: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """The row as this principal may see it: personal fields masked unless the role needs them."""
    phone = row["phone"]
    cipher = row["id_number_cipher"]
    id_number = personal.decrypt(cipher) if cipher else None
    return {
        **row,
        "phone": phone if principal.role in SEES_PHONE else personal.mask(phone),
        "id_number": id_number if principal.role in SEES_ID_NUMBER else personal.mask(id_number),
    }


async def set_id_number(person_id: int, value: str | None) -> None:
    """Store (or clear) a person's ID number: ciphertext plus keyed hash, never the plain text."""
    if value is None:
        await Person.filter(id=person_id).update(id_number_cipher=None, id_number_hash=None)
        return
    number = personal.normalise_id_number(value)
    if not ID_NUMBER.match(number):
        raise DomainError("INVALID_ID_NUMBER", "idNumber")
    await Person.filter(id=person_id).update(
        id_number_cipher=personal.encrypt(number), id_number_hash=personal.lookup_hash(number)
    )
