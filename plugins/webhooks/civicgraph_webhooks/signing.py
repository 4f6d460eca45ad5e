"""The signature a receiver checks: HMAC-SHA256 over "<timestamp>.<body>" with the secret.

The timestamp is signed too, so a receiver can refuse replays of old deliveries.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Civicgraph-Signature"
TIMESTAMP_HEADER = "X-Civicgraph-Timestamp"
EVENT_HEADER = "X-Civicgraph-Event"
DELIVERY_HEADER = "X-Civicgraph-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver runs (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
