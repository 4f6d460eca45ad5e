"""The core Mutation. Each returns a payload with the object and its user errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core import cases
from core import enums as domain
from schema.context import Info
from schema.enums import CaseKind
from schema.errors import UserError, attempt
from schema.ids import pk_of
from schema.types.cases import Case


@strawberry.input
class FileCaseInput:
    kind: CaseKind
    title: str
    compound_id: strawberry.ID
    description: str = ""
    on_behalf_of: str | None = strawberry.field(
        default=None, description="Staff filing for a resident (代办): the resident's name."
    )


@strawberry.type
class FileCasePayload:
    case: Case | None
    errors: list[UserError]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="File a case in a compound inside the caller's scope.")
    async def file_case(
        self,
        info: Info,
        input: FileCaseInput,
        idempotency_key: Annotated[
            str | None,
            strawberry.argument(
                description="Send the same key again to retry safely: the case is filed once."
            ),
        ] = None,
    ) -> FileCasePayload:
        async def act() -> Case:
            data = cases.FileCaseInput(
                kind=domain.CaseKind(input.kind),
                title=input.title,
                compound_id=pk_of(input.compound_id, "Compound", "compoundId"),
                description=input.description,
                on_behalf_of=input.on_behalf_of,
            )
            return Case.from_row(await cases.file_case(info.context.principal, data))

        async def replay(case_id: str) -> Case:
            pk = pk_of(case_id, "Case", "idempotencyKey")
            rows = await cases.cases_by_id(info.context.principal, [pk])
            return Case.from_row(rows[pk])

        case, errors = await attempt(info, act, idempotency_key=idempotency_key, replay=replay)
        return FileCasePayload(case=case, errors=errors)
