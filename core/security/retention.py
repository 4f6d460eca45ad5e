"""Retention periods (docs/privacy.md) and the purge that enforces them.

PIPL art. 19: personal information is kept no longer than its purpose needs. What a purge
does, per city:
- idempotency keys: deleted 24 hours after use (a retry comes within minutes);
- people who left (`left_at` set) more than PERSON_RETENTION ago: name, phone, ID number
  and account subject erased; the row stays so cases and votes they took part in still add up;
- audit entries older than AUDIT_RETENTION: deleted (the PostgreSQL trigger allows no younger).
`civicgraph purge` runs it as the table owner (the application role may not delete audit
entries); `--dry-run` counts without changing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core.infra.tenancy import in_city
from core.models import AuditEntry, IdempotencyKey, Person
from core.security.idempotency import RETENTION as KEY_RETENTION
from core.security.rls import AUDIT_RETENTION_DAYS

AUDIT_RETENTION = dt.timedelta(days=AUDIT_RETENTION_DAYS)
PERSON_RETENTION = dt.timedelta(days=365)
ERASED_NAME = "（已删除）"


@dataclass(frozen=True)
class Purged:
    city: str
    idempotency_keys: int
    people_erased: int
    audit_entries: int


async def purge_city(city: str, now: dt.datetime, dry_run: bool = False) -> Purged:
    with in_city(city):
        keys = IdempotencyKey.filter(created_at__lt=now - KEY_RETENTION)
        people = Person.filter(left_at__lt=now - PERSON_RETENTION).exclude(name=ERASED_NAME)
        audit = AuditEntry.filter(created_at__lt=now - AUDIT_RETENTION)
        if dry_run:
            return Purged(city, await keys.count(), await people.count(), await audit.count())
        async with in_transaction():
            n_keys = await keys.delete()
            n_people = await people.update(
                name=ERASED_NAME,
                phone=None,
                id_number_cipher=None,
                id_number_hash=None,
                subject=None,
            )
            n_audit = await audit.delete()
        return Purged(city, n_keys, n_people, n_audit)


async def purge(
    cities: list[str],
    now: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[Purged], None] = lambda _: None,
) -> list[Purged]:
    moment = now or dt.datetime.now(dt.UTC)
    done = []
    for city in cities:
        done.append(await purge_city(city, moment, dry_run))
        progress(done[-1])
    return done
