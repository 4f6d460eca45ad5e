"""`caseUpdated`: live updates of one case or of a compound's cases.

Subscribing needs the same visibility as reading the case; every update is re-read through
the caller's visibility before it is sent, so nothing reaches a caller who could not query it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from core.cases.change import AUTHENTICATED
from core.cases.filing import cases_by_id
from core.cases.live import hub
from core.infra.errors import DomainError
from core.security.access import require_compound_in_scope, require_role
from schema.api.context import Info
from schema.api.ids import optional_pk
from schema.cases.types import Case


@strawberry.type(description="A case changed: its state after the change, and what changed.")
class CaseUpdate:
    case: Case
    change: str = strawberry.field(description="FILED, ADVANCED, REOPENED, ESCALATED, RATED, ...")


@strawberry.type
class CaseSubscription:
    @strawberry.subscription(
        description="Updates of one case (starting with its current state) or of every case "
        "of a compound; with neither, every case the caller may see."
    )
    async def case_updated(
        self,
        info: Info,
        compound_id: strawberry.ID | None = None,
        case_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[CaseUpdate, None]:
        principal = info.context.principal
        require_role(principal, AUTHENTICATED)
        case_pk = optional_pk(case_id, "Case", "caseId")
        compound_pk = optional_pk(compound_id, "Compound", "compoundId")
        if compound_pk is not None:
            await require_compound_in_scope(principal, compound_pk, "compoundId")
        async with hub.subscribe() as updates:
            if case_pk is not None:
                rows = await cases_by_id(principal, [case_pk])
                if case_pk not in rows:
                    raise DomainError("NOT_FOUND", "caseId")
                # Sent once we are listening, so a client that waits for it misses nothing.
                yield CaseUpdate(case=Case.from_row(rows[case_pk]), change="CURRENT")
            while True:
                update = await updates.get()
                if update is None:  # this process stopped hearing updates: end, to resubscribe
                    return
                if update.city != principal.city:
                    continue
                if case_pk is not None and update.case_id != case_pk:
                    continue
                if compound_pk is not None and update.compound_id != compound_pk:
                    continue
                rows = await cases_by_id(principal, [update.case_id])
                if update.case_id in rows:
                    yield CaseUpdate(case=Case.from_row(rows[update.case_id]), change=update.change)
