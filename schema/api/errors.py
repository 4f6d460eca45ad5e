"""Errors as clients see them: coded, localised, and nothing internal leaked."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.scalars import JSON
from strawberry.types import ExecutionContext
from strawberry.types.nodes import SelectedField

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
    extensions: JSON | None = strawberry.field(
        default=None,
        description="Structured detail beside the message, for the codes that have it "
        "(ASSESSMENT_INPUTS_MISSING: `missing`, each firm, compound and criterion); else null.",
    )


def user_errors(error: DomainError, lang: str) -> list[UserError]:
    parts = error.errors if isinstance(error, ValidationErrors) else [error]
    return [
        UserError(
            field=e.field,
            message=e.render(lang),
            code=e.code,
            extensions=cast("JSON | None", e.extensions),
        )
        for e in parts
    ]


def _target(result: object) -> str | None:
    # The payload's object: its global ID is what the audit entry and the key point at.
    ident = getattr(result, "id", None)
    return str(ident) if ident is not None else None


def _arguments(info: Info) -> dict[str, Any]:
    # The field's arguments as sent, variables substituted: summarised for the audit log
    # (no personal data) and fingerprinted for the idempotency key.
    fields = info.selected_fields
    # The first is the resolver's own field, never a fragment.
    return dict(fields[0].arguments) if fields and isinstance(fields[0], SelectedField) else {}


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
                        extensions={
                            **(original.extensions or {}),
                            "code": original.code,
                            "field": original.field,
                        },
                    )
                )
            elif original is not None and db.is_unavailable(original):
                # Not a bug: the database is down or dropped the connection. Say so, briefly,
                # so that clients retry instead of reporting an internal error.
                out.append(
                    GraphQLError(
                        message("DATABASE_UNAVAILABLE", lang),
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "DATABASE_UNAVAILABLE", "retryable": True},
                    )
                )
            else:
                masked = self.anonymise_error(error)
                masked.message = message("INTERNAL", lang)  # the reader's language too
                masked.extensions = {"code": "INTERNAL"}
                out.append(masked)
        return out


# -- what the server logs ----------------------------------------------------------------

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


def operation_name(name: object) -> str:
    """The operation's name, if it is a GraphQL name: a client's free text is not logged."""
    return name if isinstance(name, str) and _NAME.fullmatch(name) else "-"


def document_hash(query: str | None) -> str:
    """A hash of the query text: it tells requests apart without a literal of it in the log."""
    return hashlib.sha256(query.encode()).hexdigest()[:16] if query else "-"


def _operation(context: ExecutionContext | None) -> str:
    try:
        name = context.operation_name if context else None
    except Exception:  # a document that does not parse has no operation to name
        name = None
    return operation_name(name)


def _document(context: ExecutionContext | None) -> str:
    return document_hash(context.query if context else None)


def _code(error: GraphQLError) -> str:
    # The code the client is answered (CodedErrors above): a scalar's refusal under a
    # variable's coercion error is logged as OUT_OF_RANGE, not GRAPHQL_VALIDATION.
    original = _domain_cause(error) or error.original_error
    if isinstance(original, DomainError):
        return original.code
    if original is None or error.path is None or isinstance(original, GraphQLError):
        return str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION"))
    return "DATABASE_UNAVAILABLE" if db.is_unavailable(original) else "INTERNAL"


def log_errors(errors: list[GraphQLError], context: ExecutionContext | None) -> None:
    """One line per error: code, operation name, document hash and path, never the query text,
    its literals or variables (an error's message and printed location quote them).
    A client's error has no traceback; an unexpected one keeps its own."""
    for error in errors:
        code = _code(error)
        where = (code, _operation(context), _document(context), error.path or "-")
        line = "%s in operation %s (document %s) at %s"
        if code == "INTERNAL":
            log.error(line, *where, exc_info=error.original_error)
        elif code == "DATABASE_UNAVAILABLE":
            log.warning(line + ": %s", *where, type(error.original_error).__name__)
        else:
            log.info(line, *where)


class Schema(strawberry.Schema):
    """strawberry's Schema with errors logged by `log_errors`, not with their messages and the
    query lines around them (strawberry's `strawberry.execution` logger)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)
