"""Every mutation in one transaction with its audit entry.

`perform()` is the one way a write runs: it opens the transaction, runs the action, claims
and completes the idempotency key if there is one, and writes the audit entry (who, role,
scope, city, operation, target ids, an input summary without personal data, outcome) in
the same transaction, so a change without its entry, or an entry without its change,
cannot be committed. A refused or failed write is recorded too, in its own statement after
the rollback. Inside the action: no new tasks, no DataLoaders (their batches run in tasks
that would use the transaction's connection after it ended).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from core.infra import ids
from core.infra.errors import DomainError
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import AuditEntry
from core.security import idempotency
from core.security.auth import Principal

T = TypeVar("T")
# What an action made or changed: one global ID, several (a batch), or none.
Targets = str | Sequence[str] | None
log = logging.getLogger("civicgraph.audit")

OK = "OK"
REPLAYED = "REPLAYED"
FAILED = "FAILED"  # not the caller's fault: the database went away, a bug
ADMINS_ONLY = "audit log"
AUDIT_FIELDS = (
    "id",
    "created_at",
    "subject",
    "role",
    "scope",
    "operation",
    "target_ids",
    "summary",
    "outcome",
)
_ENUM = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
# Global IDs (`id`, `compoundId`, `personIds`): kept when canonical, else INVALID_ID_TEXT,
# since a client may send any text, personal data included, in an ID field.
_ID_KEYS = frozenset({"id", "ids"})
# Text kept as is (bounded): keys and cursors.
_KEPT_TEXT = frozenset({"idempotencyKey", "after", "before"})
INVALID_ID_TEXT = "<invalid>"
_MAX_ITEMS = 20


def summarise(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The input's shape: IDs, enums, numbers and flags kept; any other text by its length.

    Free text (titles, names, phones, ID numbers) can hold personal data, so it never
    reaches the audit log: `{"title": "<12 chars>"}` tells an auditor enough.
    """
    return {k: _summary(k, v) for k, v in arguments.items()}


def _summary(key: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return summarise(value)
    if isinstance(value, list | tuple):
        return [_summary(key, v) for v in value[:_MAX_ITEMS]]
    if isinstance(value, str):
        if key in _ID_KEYS or key.endswith(("Id", "Ids")):
            return value if ids.decode(value) is not None else INVALID_ID_TEXT
        if key in _KEPT_TEXT or _ENUM.match(value):
            return value[:128]
        return f"<{len(value)} chars>"
    if value is None or isinstance(value, bool | int | float):
        return value
    return f"<{type(value).__name__}>"


async def _record(
    principal: Principal,
    operation: str,
    summary: dict[str, Any],
    outcome: str,
    targets: list[str],
) -> None:
    await AuditEntry.create(
        subject=principal.subject,
        role=principal.role.value,
        scope=str(principal.scope),
        operation=operation,
        target_ids=targets,
        summary=summary,
        outcome=outcome,
    )


async def _record_failure(
    principal: Principal, operation: str, summary: dict[str, Any], outcome: str
) -> None:
    """The entry of a write that did not commit, after its rollback (docs/security.md, "What
    the audit log guarantees"): tried twice, the second time on another connection (the
    first may have been the one the backend kill took); if the database still cannot take
    it, the server log says what was lost. The caller sees the action's own error."""
    for attempt in (1, 2):
        try:
            await _record(principal, operation, summary, outcome, [])
            return
        except Exception as e:
            if attempt == 2:
                log.error(
                    "audit entry lost: %s by %s in %s, outcome %s (%s)",
                    operation,
                    principal.subject,
                    current_city(),
                    outcome,
                    type(e).__name__,
                )


def _ids(made: Targets) -> list[str]:
    if made is None or isinstance(made, str):
        return [made] if made else []
    return list(made)


async def perform(
    principal: Principal,
    operation: str,
    arguments: Mapping[str, Any],
    action: Callable[[], Awaitable[T]],
    *,
    target: Callable[[T], Targets],
    idempotency_key: str | None = None,
    replay: Callable[[str], Awaitable[T]] | None = None,
    own_transactions: bool = False,
) -> T:
    """Run `action` in one transaction with its audit entry; see the module docstring.

    With an idempotency key (create mutations): the first request with the key runs and
    stores the ID `target` returns; a repeat with the same input gets `replay(that ID)`
    without writing again; a repeat with different input is refused.

    `own_transactions`: for an action that may not run inside one transaction, because it
    does network I/O between its writes (a feed pulled from a company's server); it keeps
    its own transactions and the entry is written after it returns, in its own statement.
    """
    summary = summarise(arguments)
    if own_transactions:
        if idempotency_key is not None:
            raise TypeError("an idempotent operation runs in one transaction")
        return await _perform_in_steps(principal, operation, summary, action, target)
    claim = None
    if idempotency_key is not None:
        if replay is None:
            raise TypeError("an idempotent operation needs `replay`")
        claim = idempotency.Claim.of(principal, idempotency_key, operation, arguments)
    try:
        async with in_transaction():
            if claim is not None:
                await claim.take()
            result = await action()
            made = target(result)
            if claim is not None:
                if not (made is None or isinstance(made, str)):
                    raise TypeError("an idempotent operation makes one object")
                await claim.complete(made)
            await _record(principal, operation, summary, OK, _ids(made))
        return result
    except idempotency.KeyTaken:
        assert claim is not None and replay is not None
        try:
            made = await claim.earlier_result()
            # Read again now: an object gone or out of the caller's sight is refused, and
            # audited as that refusal rather than as a replay.
            answer = await replay(made or "")
        except DomainError as error:
            await _record_failure(principal, operation, summary, error.code)
            raise
        await _record(principal, operation, summary, REPLAYED, [made] if made else [])
        return answer
    except DomainError as error:  # AuthError included: refusals are audited too
        await _record_failure(principal, operation, summary, error.code)
        raise
    except (Exception, asyncio.CancelledError):
        # Cancelled too: the request's time limit or the client hanging up rolled it back.
        await _record_failure(principal, operation, summary, FAILED)
        raise


async def _perform_in_steps(
    principal: Principal,
    operation: str,
    summary: dict[str, Any],
    action: Callable[[], Awaitable[T]],
    target: Callable[[T], Targets],
) -> T:
    try:
        result = await action()
    except DomainError as error:
        await _record_failure(principal, operation, summary, error.code)
        raise
    except (Exception, asyncio.CancelledError):
        await _record_failure(principal, operation, summary, FAILED)
        raise
    # Not in the except clauses above: the action's writes are committed, so a failure to
    # write the entry must not be recorded as the action's failure.
    await _record(principal, operation, summary, OK, _ids(target(result)))
    return result


async def list_entries(
    operation: str | None,
    subject: str | None,
    outcome: str | None,
    after: Any,
    before: Any,
    page: PageRequest,
) -> Page:
    """The city's audit log, newest first; the caller checks the role (admins only)."""
    query = AuditEntry.all()
    if operation:
        query = query.filter(operation=operation)
    if subject:
        query = query.filter(subject=subject)
    if outcome:
        query = query.filter(outcome=outcome)
    if after is not None:
        query = query.filter(created_at__gte=after)
    if before is not None:
        query = query.filter(created_at__lt=before)
    return await paginate(query, Ordering("created_at", descending=True), page, AUDIT_FIELDS)


async def entry_by_id(entry_id: int) -> dict[str, Any] | None:
    """One entry of the city's audit log; the caller checks the role (admins only)."""
    rows = await AuditEntry.filter(id=entry_id).values(*AUDIT_FIELDS)
    return dict(rows[0]) if rows else None
