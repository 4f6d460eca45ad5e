"""Persisted GraphQL documents: a city's query texts by id, so a client may send the id alone.

Two sources (docs/api.md, "Persisted documents"): `apq`, registered by any client through
Automatic Persisted Queries (anonymous, so bounded per city and evicted oldest first), and
`trusted`, pushed by the city's operators from a frontend build's manifest
(`civicgraph documents push`). A city in trusted-only mode runs trusted documents only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from tortoise import fields

from core.models.base import CityModel


class DocumentSource(StrEnum):
    APQ = "apq"  # registered by a client (Automatic Persisted Queries)
    TRUSTED = "trusted"  # pushed from a build's manifest by the city's operators


class PersistedDocument(CityModel):
    EXPOSED: ClassVar[tuple[str, ...]] = ("hash", "body", "source")

    # The id a client sends: the sha256 of `body` in hex (APQ, graphql-codegen, Apollo's
    # manifest), or the id a relay-compiler manifest gave the document (its md5 or sha1).
    hash = fields.CharField(max_length=128)
    body = fields.TextField()
    source = fields.CharEnumField(DocumentSource, max_length=16)

    class Meta:
        table = "persisted_documents"
        unique_together = (("city", "hash"),)
        # Eviction takes a city's oldest APQ rows first.
        indexes = (("city_id", "source", "id"),)
