"""`civicgraph documents` as an operator meets it: a bad manifest is refused whole, naming
each problem, and nothing is written (the happy path: tests/schema/http/test_persisted.py)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.infra.tenancy import in_city
from core.models.documents import PersistedDocument

CLI = str(Path(sys.executable).parent / "civicgraph")
GOOD = "query City { city { slug } }"
GOOD_ID = hashlib.sha256(GOOD.encode()).hexdigest()


def civicgraph(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": database, "COLUMNS": "200"}
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return tmp_path / "persisted-documents.json"


def write(path: Path, documents: dict[str, str]) -> None:
    path.write_text(json.dumps(documents))


async def count() -> int:
    with in_city("dongguan"):
        return await PersistedDocument.all().count()


async def test_an_id_that_is_not_its_texts_digest_refuses_the_whole_manifest(
    empty_db: str, manifest: Path
) -> None:
    wrong = "cd" * 32
    write(manifest, {GOOD_ID: GOOD, wrong: "query Other { city { name } }"})
    result = civicgraph(empty_db, "documents", "push", "--city", "dongguan", str(manifest))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "refused, nothing written" in result.stderr
    assert f"id {wrong} is not the sha256 of its document" in result.stderr
    assert await count() == 0


async def test_a_document_the_city_cannot_run_refuses_the_whole_manifest(
    empty_db: str, manifest: Path
) -> None:
    bad = "query Bad { city { nope } }"
    relay_id = hashlib.md5(bad.encode()).hexdigest()
    write(manifest, {GOOD_ID: GOOD, relay_id: bad, "broken-1": "query {"})
    result = civicgraph(empty_db, "documents", "push", "--city", "dongguan", str(manifest))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"document {relay_id} is not valid: Cannot query field 'nope'" in result.stderr
    assert "document broken-1 is not valid: Syntax Error" in result.stderr
    assert await count() == 0
    # Fixed, it goes in; pushed again, nothing changes.
    write(manifest, {GOOD_ID: GOOD})
    for expected in ("dongguan: 1 added", "dongguan: 0 added, 0 trusted now (registered by "
                     "clients before), 1 already trusted"):  # fmt: skip
        pushed = civicgraph(empty_db, "documents", "push", "--city", "dongguan", str(manifest))
        assert pushed.returncode == 0, pushed.stderr
        assert expected in pushed.stdout
    assert await count() == 1


def test_help_and_an_unknown_city(tmp_path: Path) -> None:
    top = civicgraph("", "documents", "--help")
    assert top.returncode == 0 and "push" in top.stdout and "list" in top.stdout
    push = civicgraph("", "documents", "push", "--help")
    assert "persisted-documents.json" in push.stdout and "persisted_queries.json" in push.stdout
    path = tmp_path / "m.json"
    path.write_text(json.dumps({GOOD_ID: GOOD}))
    unknown = civicgraph("", "documents", "push", "--city", "nowhere", str(path))
    assert unknown.returncode == 2 and "unknown city 'nowhere'" in unknown.stderr
    not_json = tmp_path / "n.json"
    not_json.write_text("{")
    refused = civicgraph("", "documents", "push", "--city", "dongguan", str(not_json))
    assert refused.returncode == 1 and "the manifest is not JSON" in refused.stderr
