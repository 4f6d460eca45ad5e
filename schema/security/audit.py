"""The audit log as admins read it: `auditLog`, newest first, with filters."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from core.infra.enums import Role
from core.infra.pagination import page_request
from core.security import audit
from core.security.access import require_role
from schema.api.context import Info
from schema.api.relay import Connection, Node, connection
from schema.api.rows import FromRow

AUDITORS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})


@strawberry.type(description="One write, or refused write, and who made it. Append-only.")
class AuditEntry(Node):
    at: dt.datetime
    subject: str | None = strawberry.field(description="The caller's token subject.")
    role: str
    scope: str
    operation: str = strawberry.field(description="The mutation, e.g. fileCase.")
    target_ids: list[str] = strawberry.field(description="Global IDs of the objects written.")
    summary: JSON = strawberry.field(description="The input's shape; free text by its length.")
    outcome: str = strawberry.field(description="OK, REPLAYED, FAILED or the refusal's code.")

    from_row = FromRow(
        renamed={"at": "created_at"},
        computed={
            "target_ids": lambda r: list(r["target_ids"] or []),
            "summary": lambda r: r["summary"] or {},
        },
    )


@strawberry.input
class AuditFilter:
    operation: str | None = None
    subject: str | None = None
    outcome: str | None = None
    after: dt.datetime | None = strawberry.field(default=None, description="At or after.")
    before: dt.datetime | None = strawberry.field(default=None, description="Strictly before.")


@strawberry.type
class AuditQuery:
    @strawberry.field(description="This city's audit log, newest first (city and platform admins).")
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditFilter | None = None,
    ) -> Connection[AuditEntry]:
        require_role(info.context.principal, AUDITORS)
        f = filter or AuditFilter()
        page = await audit.list_entries(
            f.operation, f.subject, f.outcome, f.after, f.before, page_request(first, after)
        )
        return connection(page, AuditEntry.from_row)
