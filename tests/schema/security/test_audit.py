"""Every mutation commits with its audit entry; admins read the log; create mutations are
idempotent; the log is append-only on PostgreSQL even for its owner."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry, Case, IdempotencyKey
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.app_role import raw_connection
from tests.conftest import ON_POSTGRES, GraphQLClient, token
from tests.factories import Town, back_dated_audit_entry, build_town

FILE = """mutation($input: FileCaseInput!, $key: String) {
  fileCase(input: $input, idempotencyKey: $key) {
    case { id title } errors { field code } } }"""
LOG = """query($filter: AuditFilter) { auditLog(first: 50, filter: $filter) {
  nodes { subject role scope operation targetIds summary outcome at } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    await build_town("zhuhai", 2, cases_each=0)
    return await build_town("dongguan", compounds=2, cases_each=0)


def resident(town: Town, subject: str = "owner-1") -> str:
    scope = Scope(ScopeKind.COMPOUND, town.compounds[0].id)
    return token("dongguan", Role.RESIDENT, scope, subject=subject)


def case_input(town: Town, title: str = "电梯故障 联系13812345678") -> dict[str, str]:
    compound = to_global_id("Compound", town.compounds[0].id)
    return {"kind": "PROPERTY_DISPUTE", "title": title, "compoundId": compound}


async def entries(city: str = "dongguan") -> list[dict]:
    with in_city(city):
        return await AuditEntry.all().order_by("id").values()


async def test_a_filed_case_commits_with_its_audit_entry(town, gql: GraphQLClient) -> None:
    body = await gql(FILE, {"input": case_input(town)}, auth=resident(town))
    case_id = body["data"]["fileCase"]["case"]["id"]
    [entry] = await entries()
    assert entry["operation"] == "fileCase"
    assert entry["subject"] == "owner-1"
    assert entry["role"] == "RESIDENT"
    assert entry["scope"] == f"compound:{town.compounds[0].id}"
    assert entry["outcome"] == "OK"
    assert entry["target_ids"] == [case_id]
    # The input's shape only: the title (which here holds a phone number) by its length.
    summary = entry["summary"]["input"]
    assert summary["title"] == f"<{len(case_input(town)['title'])} chars>"
    assert summary["kind"] == "PROPERTY_DISPUTE"
    assert summary["compoundId"] == case_input(town)["compoundId"]
    assert "13812345678" not in str(entry)


async def test_refused_writes_are_audited_and_write_nothing_else(town, gql) -> None:
    await gql(FILE, {"input": case_input(town, "  ")}, auth=resident(town))
    body = await gql(FILE, {"input": case_input(town)}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"
    with in_city("dongguan"):
        assert await Case.all().count() == 0
    assert [(e["outcome"], e["target_ids"]) for e in await entries()] == [
        ("REQUIRED", []),
        ("AUTH_REQUIRED", []),
    ]


async def test_admins_read_their_citys_log_and_nobody_else_does(town, gql) -> None:
    await gql(FILE, {"input": case_input(town)}, auth=resident(town))
    await gql(FILE, {"input": case_input(town, "")}, auth=resident(town, "owner-2"))
    admin = token("dongguan", Role.CITY_ADMIN)
    body = await gql(LOG, auth=admin)
    assert [n["outcome"] for n in body["data"]["auditLog"]["nodes"]] == ["REQUIRED", "OK"]
    body = await gql(LOG, {"filter": {"outcome": "OK"}}, auth=admin)
    assert [n["subject"] for n in body["data"]["auditLog"]["nodes"]] == ["owner-1"]
    body = await gql(LOG, {"filter": {"subject": "owner-2"}}, auth=admin)
    assert [n["outcome"] for n in body["data"]["auditLog"]["nodes"]] == ["REQUIRED"]
    body = await gql(LOG, auth=token("zhuhai", Role.PLATFORM_ADMIN), city="zhuhai")
    assert body["data"]["auditLog"]["nodes"] == []
    for caller in (resident(town), token("dongguan", Role.STREET_ADMIN, Scope.parse("street:1"))):
        body = await gql(LOG, auth=caller, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_same_key_and_input_file_one_case(town, gql: GraphQLClient) -> None:
    answers = [
        await gql(FILE, {"input": case_input(town), "key": "k-1"}, auth=resident(town))
        for _ in range(3)
    ]
    payloads = [a["data"]["fileCase"] for a in answers]
    assert payloads[0]["errors"] == []
    assert payloads[1] == payloads[0] == payloads[2]
    with in_city("dongguan"):
        assert await Case.all().count() == 1
    assert [e["outcome"] for e in await entries()] == ["OK", "REPLAYED", "REPLAYED"]
    # The key is the caller's: another resident's k-1 files another case.
    other = await gql(FILE, {"input": case_input(town), "key": "k-1"}, auth=resident(town, "o2"))
    assert other["data"]["fileCase"]["case"]["id"] != payloads[0]["case"]["id"]


async def test_the_same_key_with_another_input_is_refused(town, gql: GraphQLClient) -> None:
    await gql(FILE, {"input": case_input(town), "key": "k-2"}, auth=resident(town))
    body = await gql(FILE, {"input": case_input(town, "别的"), "key": "k-2"}, auth=resident(town))
    assert body["data"]["fileCase"] == {
        "case": None,
        "errors": [{"field": "idempotencyKey", "code": "IDEMPOTENCY_KEY_REUSED"}],
    }
    with in_city("dongguan"):
        assert await Case.all().count() == 1
    assert [e["outcome"] for e in await entries()] == ["OK", "IDEMPOTENCY_KEY_REUSED"]


async def test_the_same_key_sent_at_once_files_exactly_one_case(town, gql) -> None:
    auth = resident(town)
    answers = await asyncio.gather(
        *(gql(FILE, {"input": case_input(town), "key": "burst"}, auth=auth) for _ in range(8))
    )
    ids = {a["data"]["fileCase"]["case"]["id"] for a in answers}
    assert len(ids) == 1
    with in_city("dongguan"):
        assert await Case.all().count() == 1
        assert await IdempotencyKey.all().count() == 1
    outcomes = sorted(e["outcome"] for e in await entries())
    assert outcomes == ["OK"] + ["REPLAYED"] * 7


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's triggers; PostgreSQL's test is below")
async def test_the_audit_log_is_append_only_on_sqlite_too(town, gql) -> None:
    import datetime as dt

    from core.infra import db

    await gql(FILE, {"input": case_input(town)}, auth=resident(town))
    conn = db.connection()
    for sql in ("UPDATE audit_entries SET outcome = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_query(sql)
    # A back-dated entry is refused (it could be purged at once)...
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1100)
    insert = (
        "INSERT INTO audit_entries (city_id, created_at, role, scope, operation, target_ids, "
        "summary, outcome) VALUES ('dongguan', $1, 'CITY_ADMIN', 'city', 'old', '[]', '{}', 'OK')"
    )
    with pytest.raises(Exception, match="written when they happen"):
        await db.fetch(insert, [long_ago.isoformat(" ")])
    # ...and past the retention period an entry may go (civicgraph purge), and only then.
    await back_dated_audit_entry("dongguan", long_ago, "old")
    await conn.execute_query("DELETE FROM audit_entries WHERE operation = 'old'")
    assert [e["outcome"] for e in await entries()] == ["OK"]


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="roles and triggers are PostgreSQL's")
async def test_the_audit_log_is_append_only(town, gql, database_url: str) -> None:
    await gql(FILE, {"input": case_input(town)}, auth=resident(town))
    app = await raw_connection(database_url)
    owner = await raw_connection(database_url, "postgres")
    try:
        await app.execute("SELECT set_config('civicgraph.city', 'dongguan', false)")
        assert await app.fetchval("SELECT count(*) FROM audit_entries") == 1
        for sql in ("UPDATE audit_entries SET outcome = 'x'", "DELETE FROM audit_entries"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await app.execute(sql)
            # The owner (here even a superuser) is stopped by the trigger.
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await owner.execute(sql)
        # Nobody, the app role nor the owner, inserts an entry dated other than now: a
        # back-dated one could be purged at once, a future one never.
        for conn in (app, owner):
            for when in ("now() - interval '1100 days'", "now() + interval '1 day'"):
                with pytest.raises(asyncpg.CheckViolationError, match="when they happen"):
                    await conn.execute(
                        "INSERT INTO audit_entries (city_id, created_at, role, scope, "
                        f"operation, target_ids, summary, outcome) VALUES ('dongguan', {when}, "
                        "'CITY_ADMIN', 'city', 'old', '[]', '{}', 'OK')"
                    )
        # Past the retention period an entry may go (civicgraph purge), and only then.
        await back_dated_audit_entry(
            "dongguan", dt.datetime.now(dt.UTC) - dt.timedelta(days=1100), "old"
        )
        assert await owner.execute("DELETE FROM audit_entries WHERE operation = 'old'") == (
            "DELETE 1"
        )
    finally:
        await app.close()
        await owner.close()
    assert [e["outcome"] for e in await entries()] == ["OK"]


def test_the_summary_keeps_ids_and_enums_and_measures_text() -> None:
    from core.security.audit import summarise

    summary = summarise(
        {
            "input": {
                "caseId": "Q2FzZTox",
                "personIds": ["UGVyc29uOjE="],
                "kind": "MEDIATION",
                "note": "王芳 13912345678",
                "paid": "secret",
                "score": 4,
                "urgent": True,
            },
            "idempotencyKey": "k-7",
        }
    )
    assert summary == {
        "input": {
            "caseId": "Q2FzZTox",
            "personIds": ["UGVyc29uOjE="],
            "kind": "MEDIATION",
            "note": "<14 chars>",
            "paid": "<6 chars>",
            "score": 4,
            "urgent": True,
        },
        "idempotencyKey": "k-7",
    }
