"""A write that fails because the database failed under it keeps its FAILED audit entry, even
when the first attempt at that entry fails too (docs/security.md, "Every write with its audit
entry"): the entry is tried again on another connection. 14 of 71 mutations that failed
during backend kills had left no entry (issue 17, finding 9).

PostgreSQL: the mutation's backend is terminated while it waits to write its entry, then the
backend of the first attempt at the FAILED entry too. SQLite has one embedded connection and
no backend to kill: the analogous faults are a trigger that fails the mutation's insert (the
database refusing the write mid-transaction) and one that fails the first attempt at the
entry. Either way: exactly one new row in the whole database, the FAILED entry."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from core.infra import db
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.app_role import app_serving_as_app_role, raw_connection
from tests.conftest import ON_POSTGRES, GraphQLClient, _tables, token
from tests.factories import Town, build_town

FILE = """mutation($input: FileCaseInput!, $key: String) {
  fileCase(input: $input, idempotencyKey: $key) { case { id } errors { code } } }"""
WAITING_FOR_AUDIT = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND usename = 'civicgraph_app' AND wait_event_type = 'Lock' "
    "AND query LIKE 'INSERT INTO \"audit_entries\"%' AND NOT pid = ANY($1::int[])"
)


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=1, cases_each=0)


async def file_case(gql: GraphQLClient, town: Town, title: str) -> dict[str, Any]:
    compound = to_global_id("Compound", town.compounds[0].id)
    variables = {"input": {"kind": "PROPERTY_DISPUTE", "title": title, "compoundId": compound}}
    auth = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[0].id),
                 subject="resident-7")  # fmt: skip
    return await gql(FILE, {**variables, "key": "k-1"}, auth=auth, expect_errors=True)


async def row_counts(fetch: Any) -> dict[str, int]:
    """Rows of every table, read past row-level security (the owner, or SQLite)."""
    names = [t for t in await _tables() if t != "tortoise_migrations"]
    counts = {}
    for name in names:
        rows = await fetch(f'SELECT count(*) AS n FROM "{name}"')
        counts[name] = int(rows[0]["n"])
    return counts


def assert_only_the_failed_entry(before: dict[str, int], after: dict[str, int]) -> None:
    grown = {t: after[t] - before[t] for t in before if after[t] != before[t]}
    assert grown == {"audit_entries": 1}, grown


async def the_entries() -> list[dict[str, Any]]:
    with in_city("dongguan"):
        return await AuditEntry.filter(operation="fileCase").values("outcome", "subject")


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend is PostgreSQL's")
async def test_a_killed_mutation_keeps_its_entry_when_the_first_try_is_killed_too(
    town: Town, gql: GraphQLClient, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    owner = await raw_connection(database_url, "postgres")
    watcher = await raw_connection(database_url, "postgres")  # sees pg_stat_activity afresh
    before = await row_counts(owner.fetch)

    async def next_waiting(seen: list[int]) -> int:
        """The next backend (not one of `seen`) waiting to insert an audit entry."""
        for _ in range(3000):
            pid = await watcher.fetchval(WAITING_FOR_AUDIT, seen)
            if pid:
                return int(pid)
            await asyncio.sleep(0.01)
        raise AssertionError(f"no audit entry was tried after backends {seen} were killed")

    caplog.set_level(logging.ERROR, logger="civicgraph.audit")
    async with app_serving_as_app_role(database_url):
        with in_city("dongguan"):  # open the pool first: connecting can be slow under load
            await AuditEntry.all().count()
        # Held, the audit table stops each insert into it until the backend is killed.
        lock = owner.transaction()
        await lock.start()
        await owner.execute("LOCK TABLE audit_entries IN EXCLUSIVE MODE")
        mutation = asyncio.ensure_future(file_case(gql, town, "漏水"))
        killed: list[int] = []
        for _ in range(2):  # the mutation's own entry (with its case), then the first FAILED try
            killed.append(await next_waiting(killed))
            assert await owner.fetchval("SELECT pg_terminate_backend($1)", killed[-1])
        await next_waiting(killed)  # the second try, on a connection still alive
        await lock.commit()
        body = await asyncio.wait_for(mutation, timeout=60)
    assert body.get("errors") or body["data"]["fileCase"]["case"] is None, body
    assert await the_entries() == [{"outcome": "FAILED", "subject": "resident-7"}]
    assert_only_the_failed_entry(before, await row_counts(owner.fetch))
    assert "audit entry lost" not in caplog.text
    await owner.close()
    await watcher.close()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's analogue of the backend kill above")
async def test_a_failed_write_keeps_its_entry_when_the_first_try_fails_too(
    town: Town, gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    conn = db.connection()
    faults = [
        "CREATE TRIGGER fault_case BEFORE INSERT ON cases WHEN NEW.title = 'doomed' "
        "BEGIN SELECT RAISE(ABORT, 'injected fault: the write fails'); END",
        # RAISE(FAIL) keeps the trigger's own update: the budget is spent once.
        "CREATE TABLE fault_budget (n INTEGER)",
        "INSERT INTO fault_budget VALUES (1)",
        "CREATE TRIGGER fault_audit BEFORE INSERT ON audit_entries "
        "WHEN NEW.outcome = 'FAILED' AND (SELECT n FROM fault_budget) > 0 "
        "BEGIN UPDATE fault_budget SET n = n - 1; "
        "SELECT RAISE(FAIL, 'injected fault: the entry fails'); END",
    ]
    for sql in faults:
        await conn.execute_query(sql)
    caplog.set_level(logging.ERROR, logger="civicgraph.audit")
    try:
        before = await row_counts(db.fetch)
        body = await file_case(gql, town, "doomed")
        after = await row_counts(db.fetch)
        spent = await db.fetch("SELECT n FROM fault_budget")
    finally:
        for sql in (
            "DROP TRIGGER fault_case",
            "DROP TRIGGER fault_audit",
            "DROP TABLE fault_budget",
        ):
            await conn.execute_query(sql)
    assert spent[0]["n"] == 0, "the first attempt at the entry did not meet the fault"
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL", body
    assert await the_entries() == [{"outcome": "FAILED", "subject": "resident-7"}]
    assert_only_the_failed_entry(
        {k: v for k, v in before.items() if k != "fault_budget"},
        {k: v for k, v in after.items() if k != "fault_budget"},
    )
    assert "audit entry lost" not in caplog.text
