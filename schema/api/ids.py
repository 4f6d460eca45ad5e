"""Relay global IDs: base64("Type:pk"), opaque to clients.

An ID is canonical (core/infra/ids.py): `Case:0001`, `Case:²`, `Case:٣` or a key past
2^31-1 is INVALID_ID, so one object has one ID and no ID reaches the database as a number
it cannot hold.
"""

from __future__ import annotations

from core.infra import ids
from core.infra.errors import DomainError


def to_global_id(type_name: str, pk: int) -> str:
    return ids.encode(type_name, pk)


def from_global_id(global_id: str, field: str = "id") -> tuple[str, int]:
    decoded = ids.decode(global_id)
    if decoded is None:
        raise DomainError("INVALID_ID", field)
    return decoded


def pk_of(global_id: str, expected: str, field: str) -> int:
    """The primary key inside a global ID that must name a `expected` object."""
    type_name, pk = from_global_id(global_id, field)
    if type_name != expected:
        raise DomainError("WRONG_TYPE", field, expected=expected)
    return pk


def optional_pk(global_id: str | None, expected: str, field: str) -> int | None:
    return None if global_id is None else pk_of(global_id, expected, field)
