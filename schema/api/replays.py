"""Keyed create mutations: the `idempotencyKey` argument and the replay of the first answer.

Every mutation that makes a new object takes an optional key (core/security/idempotency.py). A
repeat with the key and the same input gets the object the first request made, *read again
now* through the read that serves that object to this caller, not a stored copy of the
first answer: the client sees the object as it is (a case moved on, a contract ended) and
nothing it may no longer see. An object that is gone (a corrected assessment input
replaced it) or now outside the caller's scope is refused NOT_FOUND on `idempotencyKey`.
docs/security.md, "Idempotent create mutations".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.types.arguments import StrawberryArgumentAnnotation

from core.infra.errors import DomainError
from core.security.idempotency import FIELD
from schema.api.context import Info
from schema.api.errors import UserError, attempt
from schema.api.ids import pk_of

T = TypeVar("T")
K = TypeVar("K")
# Covariant (what `read` answers only goes out): a Reread[int, Case] serves where mypy asks
# for a Reread[Any, Case | None].
T_co = TypeVar("T_co", covariant=True)


def key_description(effect: str) -> StrawberryArgumentAnnotation:
    """The argument description of a create mutation's optional `idempotencyKey: String`, as
    `Annotated[str | None, key_description(...)]` (an alias mypy reads as `str | None`);
    `effect` says what happens once, e.g. "the case is filed"."""
    return strawberry.argument(
        description=f"Send the same key again to retry safely: {effect} once."
    )


def key_argument(effect: str) -> Any:
    """The optional `idempotencyKey: String` of a create mutation, for code mypy does not
    check; `key_description` says more."""
    return Annotated[str | None, key_description(effect)]


@dataclass(frozen=True)
class Reread(Generic[K, T_co]):
    """How a replay reads again the object a keyed create made: `key` turns the object's ID
    (as the payload gave it) into what `read` takes; `read` answers as the object's read does
    for this caller, None when the object is gone or out of sight."""

    key: Callable[[str], K]
    read: Callable[[Info, K], Awaitable[T_co | None]]


def by_pk(type_name: str, read: Callable[[Info, int], Awaitable[T | None]]) -> Reread[int, T]:
    """A reread by the primary key inside a global ID of `type_name` (most objects)."""
    return Reread(lambda made: pk_of(made, type_name, FIELD), read)


async def attempt_create(
    info: Info,
    act: Callable[[], Awaitable[T]],
    idempotency_key: str | None,
    reread: Reread[Any, T],
) -> tuple[T | None, list[UserError]]:
    """`attempt()` for a create mutation whose payload holds the object it made."""

    async def replay(made: str) -> T:
        found = await reread.read(info, reread.key(made))
        if found is None:
            raise DomainError("NOT_FOUND", FIELD)
        return found

    return await attempt(info, act, idempotency_key=idempotency_key, replay=replay)


async def attempt_record(
    info: Info, act: Callable[[], Awaitable[None]], idempotency_key: str | None
) -> list[UserError]:
    """`attempt()` for a create mutation that answers only its errors: a repeat writes
    nothing and answers none."""

    async def replay(_: str) -> None:
        return None

    _, errors = await attempt(info, act, idempotency_key=idempotency_key, replay=replay)
    return errors
