"""Personal data (PIPL): ID numbers encrypted at rest, keyed look-up hashes, masking.

One secret, CIVICGRAPH_DATA_KEY, yields two keys: one encrypts ID numbers (AES-256-GCM, a
fresh nonce per value), one computes HMAC-SHA256 look-up hashes, so "who has this ID
number" is an index look-up that never decrypts anything, and the hash alone reveals
nothing without the key. The development default is refused in the production profile.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.infra.settings import get_settings

DEV_DATA_KEY = "civicgraph-development-data-key-change-me"
_VERSION = "v1"
_NONCE = 12


class DataKeyError(RuntimeError):
    """The data key is missing, the development default in production, or wrong."""


def data_key_text() -> str:
    key = os.environ.get("CIVICGRAPH_DATA_KEY") or DEV_DATA_KEY
    if key == DEV_DATA_KEY and get_settings().is_production:
        raise DataKeyError("set CIVICGRAPH_DATA_KEY: the development data key is refused")
    if len(key) < 32:
        raise DataKeyError("CIVICGRAPH_DATA_KEY must be at least 32 characters")
    return key


@cache
def _keys(master: str) -> tuple[bytes, bytes]:
    secret = master.encode()
    encryption = hmac.new(secret, b"civicgraph/id-number/encryption", hashlib.sha256).digest()
    lookup = hmac.new(secret, b"civicgraph/lookup-hash", hashlib.sha256).digest()
    return encryption, lookup


def check_data_key() -> None:
    """Fail at start-up, not at the first write, when the key is unusable."""
    _keys(data_key_text())


def normalise_id_number(value: str) -> str:
    # The check character X is written either case; spaces come from copy and paste.
    return re.sub(r"\s+", "", value).upper()


def encrypt(plain: str) -> str:
    key, _ = _keys(data_key_text())
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), _VERSION.encode())
    return f"{_VERSION}:" + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    key, _ = _keys(data_key_text())
    version, _, body = token.partition(":")
    raw = base64.b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], version.encode()).decode()
    except InvalidTag:
        raise DataKeyError("cannot decrypt: wrong CIVICGRAPH_DATA_KEY or damaged value") from None


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value, hex; equal values give equal hashes."""
    _, key = _keys(data_key_text())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask(value: str | None, keep_start: int = 3, keep_end: int = 4) -> str | None:
    """138****1234; an ID number keeps its first 3 and last 4 characters as well."""
    if value is None:
        return None
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


class SqlValuesRedacted(logging.Filter):
    """Tortoise logs each statement with its values at DEBUG; values can be personal data.

    The statement text stays (StatementCounter and slow-query work need it); the values
    are replaced by their count.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "%s: %s" and isinstance(record.args, tuple) and len(record.args) == 2:
            values = record.args[1]
            count = len(values) if isinstance(values, list | tuple) else 1
            record.args = (record.args[0], f"<{count} values>")
        return True


class DriverCallsRedacted(logging.Filter):
    """aiosqlite logs every call with its arguments (statement and values) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(f"<{type(a).__name__}>" for a in record.args)
        return True


_REDACTIONS = {"tortoise.db_client": SqlValuesRedacted(), "aiosqlite": DriverCallsRedacted()}


def keep_values_out_of_logs() -> None:
    """Install the redactions on the SQL loggers (idempotent; called by core.infra.db.init)."""
    for name, redaction in _REDACTIONS.items():
        logger = logging.getLogger(name)
        if redaction not in logger.filters:
            logger.addFilter(redaction)
