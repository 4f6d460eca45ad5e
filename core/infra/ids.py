"""The text of a global ID: base64("Type:pk"), canonical only (docs/api.md, "IDs").

The GraphQL layer (schema/api/ids.py) turns a refusal into INVALID_ID; the audit log keeps
an ID-like input only when it is a canonical ID (core/security/audit.py).
"""

from __future__ import annotations

import base64
import binascii
import re

MAX_PK = 2**31 - 1  # the database's integer keys
MAX_LENGTH = 64
# The type name, a colon, the key in ASCII decimal without leading zeros: one object, one ID.
_CANONICAL = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,39}):([1-9][0-9]{0,9})", re.ASCII)


def encode(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode(global_id: object) -> tuple[str, int] | None:
    """The type name and key of a canonical global ID, or None."""
    if not isinstance(global_id, str) or len(global_id) > MAX_LENGTH:
        return None
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    found = _CANONICAL.fullmatch(text)
    if found is None or int(found[2]) > MAX_PK:
        return None
    return found[1], int(found[2])
