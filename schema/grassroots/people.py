"""People for staff: the `people` connection, personal data masked per role.

The masking rules are core/grassroots/people.py's.
"""

from __future__ import annotations

from typing import Any

import strawberry

from core.grassroots import people
from core.infra.pagination import page_request
from core.security.auth import Principal
from schema.api.context import Info
from schema.api.ids import to_global_id
from schema.api.relay import Connection, Node, connection


@strawberry.type(description="A person known to the city: staff, residents who own a unit.")
class Person(Node):
    name: str
    roles: list[str]
    phone: str | None = strawberry.field(
        description="Whole for community workers; masked (138****1234) for other readers."
    )
    id_number: str | None = strawberry.field(
        description="The resident ID number, always masked; look people up with the filter."
    )

    @classmethod
    def from_row(cls, principal: Principal, row: dict[str, Any]) -> Person:
        r = people.shown(principal, row)
        return cls(
            id=strawberry.ID(to_global_id("Person", r["id"])),
            name=r["name"],
            roles=[str(role) for role in r["roles"] or []],
            phone=r["phone"],
            id_number=r["id_number"],
        )


@strawberry.input
class PeopleFilter:
    name: str | None = strawberry.field(default=None, description="Part of the name.")
    id_number: str | None = strawberry.field(
        default=None, description="The whole ID number: an exact look-up by its keyed hash."
    )


@strawberry.type
class PeopleQuery:
    @strawberry.field(
        description="People in the caller's scope (community workers, street, city and "
        "platform admins), by name."
    )
    async def people(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: PeopleFilter | None = None,
    ) -> Connection[Person]:
        principal = info.context.principal
        f = filter or PeopleFilter()
        page = await people.list_people(
            principal, people.PeopleFilter(f.name, f.id_number), page_request(first, after)
        )
        return connection(page, lambda row: Person.from_row(principal, row))
