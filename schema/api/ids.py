"""Relay global IDs: base64("Type:pk"), opaque to clients."""

from __future__ import annotations

import base64
import binascii

from core.infra.errors import DomainError


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str, field: str = "id") -> tuple[str, int]:
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise DomainError("INVALID_ID", field) from None
    if not type_name or not pk.isdigit():
        raise DomainError("INVALID_ID", field)
    return type_name, int(pk)


def pk_of(global_id: str, expected: str, field: str) -> int:
    """The primary key inside a global ID that must name a `expected` object."""
    type_name, pk = from_global_id(global_id, field)
    if type_name != expected:
        raise DomainError("WRONG_TYPE", field, expected=expected)
    return pk


def optional_pk(global_id: str | None, expected: str, field: str) -> int | None:
    return None if global_id is None else pk_of(global_id, expected, field)
