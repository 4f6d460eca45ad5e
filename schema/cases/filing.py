"""The core Mutation. Each returns a payload with the object and its user errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.cases import filing as cases
from core.infra import enums as domain
from schema.api.context import Info
from schema.api.enums import CaseKind
from schema.api.errors import UserError
from schema.api.ids import pk_of
from schema.api.replays import attempt_create, key_description
from schema.api.rereads import CASE
from schema.cases.types import Case

FileKey = Annotated[str | None, key_description("the case is filed")]


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
        idempotency_key: FileKey = None,
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

        case, errors = await attempt_create(info, act, idempotency_key, CASE)
        return FileCasePayload(case=case, errors=errors)
