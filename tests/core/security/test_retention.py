"""`civicgraph purge` enforces the retention periods of docs/privacy.md, city by city."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from core.infra.tenancy import in_city
from core.models import AuditEntry, IdempotencyKey, Person
from core.security.retention import ERASED_NAME, purge
from tests.factories import back_dated_audit_entry

NOW = dt.datetime.now(dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=1200)


async def audit_entry(city: str, at: dt.datetime) -> None:
    # No UPDATE on the audit log, and no back-dated INSERT either: lifted for the test.
    await back_dated_audit_entry(city, at)


async def seed(city: str) -> None:
    with in_city(city):
        for name, left in (
            ("留下", None),
            ("刚走", NOW - dt.timedelta(days=30)),
            ("早走", NOW - dt.timedelta(days=400)),
        ):
            await Person.create(name=name, phone="13800000000", subject=name, left_at=left)
        for key, at in (("fresh", NOW), ("stale", NOW - dt.timedelta(hours=25))):
            k = await IdempotencyKey.create(
                subject="s", key=key, operation="fileCase", fingerprint="f"
            )
            await IdempotencyKey.filter(id=k.id).update(created_at=at)
    await audit_entry(city, LONG_AGO)


async def state(city: str) -> tuple[list[str], list[str], int]:
    with in_city(city):
        people = await Person.all().order_by("id").values_list("name", flat=True)
        keys = await IdempotencyKey.all().order_by("id").values_list("key", flat=True)
        return list(people), list(keys), await AuditEntry.filter(operation="x").count()


async def test_purge_counts_first_then_erases_what_is_past_its_time(empty_db: str) -> None:
    for city in ("dongguan", "zhuhai"):
        await seed(city)
    before = await state("dongguan")
    reports = []
    dry = await purge(["dongguan"], NOW, dry_run=True, progress=reports.append)
    assert [(p.city, p.idempotency_keys, p.people_erased, p.audit_entries) for p in dry] == [
        ("dongguan", 1, 1, 1)
    ]
    assert reports == dry
    assert await state("dongguan") == before
    await purge(["dongguan"], NOW)
    assert await state("dongguan") == (["留下", "刚走", ERASED_NAME], ["fresh"], 0)
    with in_city("dongguan"):
        erased = await Person.get(name=ERASED_NAME).values("phone", "subject", "id_number_hash")
    assert erased == {"phone": None, "subject": None, "id_number_hash": None}
    assert (await state("zhuhai"))[0] == ["留下", "刚走", "早走"]  # only the city asked for
    again = await purge(["dongguan"], NOW)
    assert (again[0].people_erased, again[0].audit_entries) == (0, 0)


async def test_the_purge_command_dry_run_reports_per_city(empty_db: str) -> None:
    await seed("zhuhai")
    civicgraph = Path(sys.executable).with_name("civicgraph")
    process = await asyncio.create_subprocess_exec(
        civicgraph,
        "purge",
        "--dry-run",
        "--database-url",
        empty_db,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    stdout = out.decode()
    assert process.returncode == 0, err.decode()
    assert "zhuhai: would purge 1 idempotency key(s), 1 person(s) who left, 1 audit" in stdout
    assert "dongguan: would purge 0 idempotency key(s)" in stdout
    assert (await state("zhuhai"))[0] == ["留下", "刚走", "早走"]
