"""A city's persisted documents: found by id, registered by clients (APQ, bounded) or pushed
from a build's manifest (trusted), and the city's policy over both.

Nothing here knows GraphQL: a document is a text and its id. The HTTP layer
(schema/http/persisted.py) speaks the protocols; the CLI (schema/cli/documents.py) pushes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.infra.cities import load_city_configs
from core.infra.errors import DomainError
from core.infra.settings import Documents, get_settings
from core.infra.tenancy import current_city
from core.models.documents import DocumentSource, PersistedDocument


def sha256(text: str) -> str:
    """The id APQ and graphql-codegen give a document: its UTF-8 text's sha256, in hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def policy(city: str, deployment: Documents | None = None) -> Documents:
    """The city's [documents] table over the deployment's [api] persisted_* settings."""
    base = deployment or get_settings().documents
    config = load_city_configs().get(city)
    return (
        base
        if config is None or not config.documents
        else Documents.from_table(config.documents, base=base)
    )


def check_policies() -> None:
    """At start: a city's [documents] table that does not read refuses the server's start."""
    for slug in load_city_configs():
        try:
            policy(slug)
        except ValueError as e:
            raise ValueError(f"config/cities/{slug}.toml [documents]: {e}") from None


@dataclass(frozen=True)
class Found:
    body: str
    source: DocumentSource


async def find(key: str) -> Found | None:
    """The document of the city in scope with this id, whichever its source."""
    rows = await PersistedDocument.filter(hash=key).limit(1).values("body", "source")
    return Found(rows[0]["body"], DocumentSource(rows[0]["source"])) if rows else None


async def register(key: str, body: str, rules: Documents) -> bool:
    """Store a client's document (APQ) unless it is too long; past the city's cap the oldest
    APQ documents go, so a flood of registrations costs the flooder's own, not the store's
    bound. False: not stored (too long, or APQ off). A document already there is kept."""
    if not rules.apq or rules.trusted_only or len(body.encode()) > rules.apq_max_bytes:
        return False
    try:
        async with in_transaction():
            await PersistedDocument.create(hash=key, body=body, source=DocumentSource.APQ)
            apq = PersistedDocument.filter(source=DocumentSource.APQ)
            excess = await apq.count() - rules.apq_max_documents
            if excess > 0:
                oldest = await apq.order_by("id").limit(excess).values_list("id", flat=True)
                await PersistedDocument.filter(id__in=list(oldest)).delete()
    except IntegrityError:  # another request registered the same document first
        return True
    return True


@dataclass(frozen=True)
class Pushed:
    added: int
    promoted: int  # registered by a client before (APQ), trusted now
    unchanged: int


async def push(documents: dict[str, str]) -> Pushed:
    """Register a manifest's documents as trusted, all or none, in one transaction.

    An id the city already holds with another text is refused (DOCUMENT_ID_TAKEN), naming it:
    ids must name one text for good, or a client would run what its build did not mean."""
    added: list[PersistedDocument] = []
    promoted: list[int] = []
    unchanged = 0
    city = current_city()
    async with in_transaction():
        held = {
            row["hash"]: row
            for row in await PersistedDocument.filter(hash__in=list(documents)).values(
                "id", "hash", "body", "source"
            )
        }
        for key, body in documents.items():
            row = held.get(key)
            if row is None:
                added.append(
                    PersistedDocument(
                        city_id=city, hash=key, body=body, source=DocumentSource.TRUSTED
                    )
                )
            elif row["body"] != body:
                raise DomainError("DOCUMENT_ID_TAKEN", key)
            elif row["source"] != DocumentSource.TRUSTED:
                promoted.append(row["id"])
            else:
                unchanged += 1
        if added:
            await PersistedDocument.bulk_create(added, batch_size=500)
        if promoted:
            await PersistedDocument.filter(id__in=promoted).update(source=DocumentSource.TRUSTED)
    return Pushed(len(added), len(promoted), unchanged)


@dataclass(frozen=True)
class Listed:
    key: str
    source: DocumentSource
    created_at: dt.datetime
    body: str


async def listing(source: DocumentSource | None = None) -> list[Listed]:
    """The city's documents, oldest first."""
    query = PersistedDocument.all() if source is None else PersistedDocument.filter(source=source)
    rows = await query.order_by("id").values("hash", "source", "created_at", "body")
    return [
        Listed(r["hash"], DocumentSource(r["source"]), r["created_at"], r["body"]) for r in rows
    ]
