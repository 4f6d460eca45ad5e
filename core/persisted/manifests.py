"""The manifests frontend builds write, read into {id: document text}.

- graphql-codegen's client preset (`persisted-documents.json`) and relay-compiler
  (`persisted_queries.json`): one JSON object, id -> text. codegen's ids are the text's
  sha256 (or sha1 when configured so); relay's are its md5, sha1 or sha256, as its
  `persistConfig.algorithm` says.
- Apollo's `generate-persisted-query-manifest`: {"format": "apollo-persisted-query-manifest",
  "version": 1, "operations": [{"id", "body", "name", "type"}]}, ids the body's sha256.

An id that is a hex digest (32, 40 or 64 characters: md5, sha1, sha256) must be that digest
of its text: a mismatch means the manifest was edited or cut, and nothing is pushed. Other ids
(relay's server-assigned ones) are taken as they are.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from core.infra.errors import DomainError, ValidationErrors

APOLLO_FORMAT = "apollo-persisted-query-manifest"
MAX_ID_LENGTH = 128  # the column's width (core/models/documents.py)
_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGESTS = {32: "md5", 40: "sha1", 64: "sha256"}
_SHOWN = 20  # problems named at most; a manifest of 5,000 wrong ids need not print them all


def digest_of(key: str) -> str | None:
    """The algorithm whose hex digest `key` looks like, if any."""
    algorithm = _DIGESTS.get(len(key))
    return algorithm if algorithm and _HEX.fullmatch(key) else None


def read_manifest(raw: bytes) -> dict[str, str]:
    """The documents of a manifest, by id; DomainError (or ValidationErrors) naming what is
    wrong otherwise, each problem with the id (or position) it concerns."""
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise DomainError("MANIFEST_NOT_JSON", detail=str(e)) from None
    if isinstance(data, dict) and data.get("format") == APOLLO_FORMAT:
        pairs = _apollo_operations(data)
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise DomainError("MANIFEST_NOT_AN_OBJECT")
    if not pairs:
        raise DomainError("MANIFEST_EMPTY")
    documents: dict[str, str] = {}
    problems: list[DomainError] = []
    for key, body in pairs:
        problem = _problem(key, body)
        if problem is not None:
            problems.append(problem)
        elif documents.get(key, body) != body:
            problems.append(DomainError("MANIFEST_DUPLICATE_ID", key))
        else:
            documents[key] = body
    if problems:
        raise ValidationErrors(problems[:_SHOWN]) if len(problems) > 1 else problems[0]
    return documents


def _apollo_operations(data: dict[str, Any]) -> list[tuple[Any, Any]]:
    if data.get("version") != 1:
        raise DomainError("MANIFEST_VERSION", version=str(data.get("version")))
    operations = data.get("operations")
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise DomainError("MANIFEST_NOT_AN_OBJECT")
    return [(o.get("id"), o.get("body")) for o in operations]


def _problem(key: object, body: object) -> DomainError | None:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_ID_LENGTH:
        return DomainError("MANIFEST_BAD_ID", str(key)[:MAX_ID_LENGTH], max=MAX_ID_LENGTH)
    if not isinstance(body, str) or not body.strip():
        return DomainError("MANIFEST_NO_DOCUMENT", key)
    algorithm = digest_of(key)
    if algorithm and hashlib.new(algorithm, body.encode()).hexdigest() != key.lower():
        return DomainError("MANIFEST_HASH_MISMATCH", key, algorithm=algorithm)
    return None
