"""Idempotency keys of create mutations: same key and input, the same answer, once.

A client that did not hear the answer (timeout, dropped connection) sends the request again
with the same key. The key row is inserted first in the mutation's transaction; a second
request with the key waits on the unique index until the first commits, then finds the key
taken and gets the first answer. A key used again with a different input is refused
(IDEMPOTENCY_KEY_REUSED). Keys are per caller and city and kept 24 hours (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError

from core.infra.errors import DomainError
from core.models import IdempotencyKey
from core.security import personal
from core.security.auth import Principal

FIELD = "idempotencyKey"
KEY_MAX = 128
RETENTION = dt.timedelta(hours=24)


class KeyTaken(Exception):
    """Another request with this key committed first."""


def fingerprint(operation: str, arguments: Mapping[str, Any]) -> str:
    # Keyed, because the input may hold personal data and the fingerprint is stored.
    args = {k: v for k, v in arguments.items() if k != FIELD}
    body = orjson.dumps(
        {"operation": operation, "arguments": args}, option=orjson.OPT_SORT_KEYS, default=_plain
    )
    return personal.lookup_hash(body.decode())


def _plain(value: Any) -> str:
    # Parsed scalars orjson does not know: amounts, areas and points arrive as Decimal.
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


@dataclass(frozen=True)
class Claim:
    subject: str
    key: str
    operation: str
    fingerprint: str

    @classmethod
    def of(
        cls, principal: Principal, key: str, operation: str, arguments: Mapping[str, Any]
    ) -> Claim:
        key = key.strip()
        if not key:
            raise DomainError("REQUIRED", FIELD)
        if len(key) > KEY_MAX:
            raise DomainError("TOO_LONG", FIELD, max=KEY_MAX)
        subject = principal.subject or principal.role.value
        return cls(subject, key, operation, fingerprint(operation, arguments))

    async def take(self) -> None:
        """Insert the key row, first thing in the transaction; KeyTaken if it exists."""
        try:
            await IdempotencyKey.create(
                subject=self.subject,
                key=self.key,
                operation=self.operation,
                fingerprint=self.fingerprint,
            )
        except IntegrityError:
            raise KeyTaken from None

    async def complete(self, result_id: str | None) -> None:
        await IdempotencyKey.filter(subject=self.subject, key=self.key).update(result_id=result_id)

    async def earlier_result(self) -> str | None:
        """The ID the first request made; refused if that request's input differed."""
        row = await IdempotencyKey.get(subject=self.subject, key=self.key)
        if row.fingerprint != self.fingerprint or row.operation != self.operation:
            raise DomainError("IDEMPOTENCY_KEY_REUSED", FIELD)
        return row.result_id
