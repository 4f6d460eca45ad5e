"""Errors as clients see them: coded, localised, and nothing internal leaked."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from core.infra import db
from core.infra.errors import AuthError, DomainError, ValidationErrors
from core.infra.i18n import message
from core.security import audit
from schema.api.context import Info

log = logging.getLogger("civicgraph.errors")
T = TypeVar("T")


@strawberry.type(description="A problem with the input: which field, what is wrong, a stable code.")
class UserError:
    field: str | None
    message: str
    code: str


def user_errors(error: DomainError, lang: str) -> list[UserError]:
    parts = error.errors if isinstance(error, ValidationErrors) else [error]
    return [UserError(field=e.field, message=e.render(lang), code=e.code) for e in parts]


def _target(result: object) -> str | None:
    # The payload's object: its global ID is what the audit entry and the key point at.
    ident = getattr(result, "id", None)
    return str(ident) if ident is not None else None


def _arguments(info: Info) -> dict[str, Any]:
    # The field's arguments as sent, variables substituted: summarised for the audit log
    # (no personal data) and fingerprinted for the idempotency key.
    fields = info.selected_fields
    return dict(fields[0].arguments) if fields else {}


async def attempt(
    info: Info,
    action: Callable[[], Awaitable[T]],
    *,
    idempotency_key: str | None = None,
    replay: Callable[[str], Awaitable[T]] | None = None,
    target: Callable[[T], audit.Targets] = _target,
    own_transactions: bool = False,
) -> tuple[T | None, list[UserError]]:
    """Run a mutation's action in one transaction with its audit entry (core/security/audit.py):
    its result, or the user errors it raised (nothing written).

    Create mutations pass the client's `idempotency_key` and a `replay` that rebuilds the
    answer from the global ID of the object the first request made (docs/security.md).
    `target` names what the result made or changed (default: the payload object's ID);
    `own_transactions` is for an action with network I/O between its writes
    (core/security/audit.py).
    """
    try:
        result = await audited(
            info,
            action,
            target=target,
            idempotency_key=idempotency_key,
            replay=replay,
            own_transactions=own_transactions,
        )
        return result, []
    except AuthError:
        raise  # not the caller's input: a top-level error with its code
    except DomainError as error:
        return None, user_errors(error, info.context.lang)


async def audited(
    info: Info,
    action: Callable[[], Awaitable[T]],
    *,
    target: Callable[[T], audit.Targets] = _target,
    idempotency_key: str | None = None,
    replay: Callable[[str], Awaitable[T]] | None = None,
    own_transactions: bool = False,
) -> T:
    """`attempt` for a mutation without an `errors` field: every refusal is a top-level
    error with its code (still audited)."""
    principal = info.context.principal

    async def signed_in_action() -> T:
        # No mutation is open to anonymous callers (docs/security.md): refuse them before the
        # action decodes its input, so that they hear AUTH_REQUIRED whatever they sent.
        if not principal.authenticated:
            raise AuthError("AUTH_REQUIRED")
        return await action()

    return await audit.perform(
        principal,
        info.field_name,
        _arguments(info),
        signed_in_action,
        target=target,
        idempotency_key=idempotency_key,
        replay=replay,
        own_transactions=own_transactions,
    )


def _domain_cause(error: GraphQLError) -> DomainError | None:
    """The DomainError under an input coercion error: graphql-core wraps a scalar's refusal
    (schema/api/checks.py) in one GraphQLError per level, variable or literal."""
    cause: BaseException | None = error.original_error
    for _ in range(8):
        if isinstance(cause, DomainError):
            return cause
        if not isinstance(cause, GraphQLError):
            return None
        cause = cause.original_error
    return None


class CodedErrors(MaskErrors):
    """Domain errors keep their code and localised message; anything unexpected is masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True, error_message="Internal error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        context = self.execution_context.context
        lang = getattr(context, "lang", "zh")
        out = []
        for error in errors:
            original = _domain_cause(error) or error.original_error
            # A domain error keeps its code even without a path (a subscription's refusal).
            domain = isinstance(original, DomainError)
            if not domain and (
                original is None or error.path is None or isinstance(original, GraphQLError)
            ):
                # Parse, validation and variable errors: about the client's query text.
                # A limit's refusal already names its code (schema/api/limits.py): keep it.
                error.extensions = {"code": "GRAPHQL_VALIDATION", **(error.extensions or {})}
                out.append(error)
            elif isinstance(original, DomainError):
                out.append(
                    GraphQLError(
                        original.render(lang),
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": original.code, "field": original.field},
                    )
                )
            elif db.is_unavailable(original):
                # Not a bug: the database is down or dropped the connection. Say so, briefly,
                # so that clients retry instead of reporting an internal error.
                log.warning("database unavailable at %s: %r", error.path, original)
                out.append(
                    GraphQLError(
                        message("DATABASE_UNAVAILABLE", lang),
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "DATABASE_UNAVAILABLE", "retryable": True},
                    )
                )
            else:
                log.error("internal error at %s", error.path, exc_info=original)
                masked = self.anonymise_error(error)
                masked.extensions = {"code": "INTERNAL"}
                out.append(masked)
        return out
