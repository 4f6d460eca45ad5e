"""The database connection killed in the middle of mutations loses or half-writes nothing:
every case has its audit entry and every OK entry its case, and retries with the same
idempotency key file each case exactly once. PostgreSQL, as the application role."""

from __future__ import annotations

import asyncio

import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry, Case
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.app_role import app_serving_as_app_role, raw_connection
from tests.conftest import ON_POSTGRES, GraphQLClient, token
from tests.factories import Town, build_town

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend is PostgreSQL's"),
]

FILE = """mutation($input: FileCaseInput!, $key: String) {
  fileCase(input: $input, idempotencyKey: $key) { case { id } errors { code } } }"""
KILL = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND usename = 'civicgraph_app' "
    "AND pid <> pg_backend_pid()"
)


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=1, cases_each=0)


def variables(town: Town, key: str) -> dict[str, object]:
    compound = to_global_id("Compound", town.compounds[0].id)
    return {"input": {"kind": "PROPERTY_DISPUTE", "title": key, "compoundId": compound}, "key": key}


def resident(town: Town) -> str:
    return token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[0].id))


async def assert_nothing_half_written() -> dict[str, int]:
    """Cases and OK/REPLAYED-free audit entries match one to one; returns the outcomes."""
    with in_city("dongguan"):
        cases = {to_global_id("Case", pk) for pk in await Case.all().values_list("id", flat=True)}
        rows = await AuditEntry.filter(operation="fileCase").values("outcome", "target_ids")
    audited = [t for r in rows if r["outcome"] == "OK" for t in r["target_ids"]]
    assert sorted(audited) == sorted(cases)
    outcomes: dict[str, int] = {}
    for r in rows:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    return outcomes


async def post(gql: GraphQLClient, town: Town, key: str) -> dict:
    return await gql(FILE, variables(town, key), auth=resident(town), expect_errors=True)


async def test_a_mutation_killed_before_commit_leaves_nothing(town, gql, database_url) -> None:
    owner = await raw_connection(database_url, "postgres")
    # A second session to watch: the lock holder's transaction would see one frozen
    # snapshot of pg_stat_activity.
    watcher = await raw_connection(database_url, "postgres")
    async with app_serving_as_app_role(database_url):
        with in_city("dongguan"):  # open the pool first: connecting can be slow under load
            await Case.all().count()
        # Hold the audit table so the mutation stops after inserting its case, mid-transaction.
        lock = owner.transaction()
        await lock.start()
        await owner.execute("LOCK TABLE audit_entries IN EXCLUSIVE MODE")
        mutation = asyncio.ensure_future(post(gql, town, "k-mid"))
        for _ in range(3000):
            waiting = await watcher.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND usename = 'civicgraph_app' "
                "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"audit_entries\"%'"
            )
            if waiting:
                break
            await asyncio.sleep(0.01)
        assert waiting, "the mutation never reached its audit entry"
        with in_city("dongguan"):
            # The case row exists only inside the mutation's uncommitted transaction.
            assert await Case.all().count() == 0
        assert await owner.fetchval("SELECT pg_terminate_backend($1)", waiting)
        await lock.commit()
        body = await mutation
        assert body.get("errors") or body["data"]["fileCase"]["case"] is None
        # The retry with the same key files the case, once.
        retried = await post(gql, town, "k-mid")
        assert retried["data"]["fileCase"]["errors"] == []
    await owner.close()
    await watcher.close()
    outcomes = await assert_nothing_half_written()
    assert outcomes == {"FAILED": 1, "OK": 1}


async def test_bursts_of_mutations_under_connection_kills(town, gql, database_url) -> None:
    keys = [f"burst-{i}" for i in range(40)]
    killer = await raw_connection(database_url, "postgres")
    stop = asyncio.Event()
    kills = 0

    async def kill_in_a_loop() -> None:
        nonlocal kills
        while not stop.is_set():
            kills += await killer.fetchval(KILL)
            await asyncio.sleep(0.003)

    async with app_serving_as_app_role(database_url):
        killing = asyncio.ensure_future(kill_in_a_loop())
        try:
            first = await asyncio.gather(*(post(gql, town, k) for k in keys))
        finally:
            stop.set()
            await killing
        failed = [k for k, b in zip(keys, first, strict=True) if b.get("errors")]
        await assert_nothing_half_written()
        # Every client retries with its key: each case exists exactly once afterwards.
        for _ in range(3):  # a connection killed just before the burst ended may linger
            retried = [await post(gql, town, k) for k in keys]
            if all(not b.get("errors") for b in retried):
                break
        assert all(b["data"]["fileCase"]["errors"] == [] for b in retried)
    await killer.close()
    assert kills > 0 and failed, "the burst ran without a single killed connection"
    outcomes = await assert_nothing_half_written()
    assert outcomes["OK"] == len(keys)
    with in_city("dongguan"):
        titles = sorted(await Case.all().values_list("title", flat=True))
    assert titles == sorted(keys)
