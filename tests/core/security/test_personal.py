"""Personal data at rest: ID numbers encrypted with a keyed hash to find them; masking."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from core.grassroots.people import set_id_number
from core.infra.settings import get_settings
from core.infra.tenancy import in_city
from core.models import Person
from core.security import personal

ID_NUMBER = "44190019900101123X"


def test_masks_keep_only_the_ends() -> None:
    assert personal.mask("13812341234") == "138****1234"
    assert personal.mask(ID_NUMBER) == "441***********123X"
    assert personal.mask("1234") == "****"
    assert personal.mask(None) is None


def test_encryption_round_trips_with_a_fresh_nonce_each_time() -> None:
    sealed = personal.encrypt(ID_NUMBER)
    assert ID_NUMBER not in sealed
    assert personal.encrypt(ID_NUMBER) != sealed
    assert personal.decrypt(sealed) == ID_NUMBER


def test_the_lookup_hash_is_keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    first = personal.lookup_hash(ID_NUMBER)
    sealed = personal.encrypt(ID_NUMBER)
    assert first == personal.lookup_hash(ID_NUMBER)
    monkeypatch.setenv("CIVICGRAPH_DATA_KEY", "another-key-of-at-least-32-characters!!")
    assert personal.lookup_hash(ID_NUMBER) != first
    with pytest.raises(personal.DataKeyError):  # another key cannot read the old values
        personal.decrypt(sealed)


def test_production_refuses_the_development_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVICGRAPH_DATA_KEY", raising=False)
    monkeypatch.setenv("CIVICGRAPH_PROFILE", "production")
    get_settings.cache_clear()
    try:
        with pytest.raises(personal.DataKeyError, match="CIVICGRAPH_DATA_KEY"):
            personal.check_data_key()
        monkeypatch.setenv("CIVICGRAPH_DATA_KEY", "x" * 8)
        with pytest.raises(personal.DataKeyError, match="at least 32"):
            personal.check_data_key()
        monkeypatch.setenv("CIVICGRAPH_DATA_KEY", "a-production-key-from-the-secret-store")
        personal.check_data_key()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_an_id_number_is_stored_encrypted_and_found_by_its_hash(empty_db: str) -> None:
    with in_city("dongguan"):
        person = await Person.create(name="王芳", phone="13800000001")
        await set_id_number(person.id, " 44190019900101123x ")
        row = await Person.get(id=person.id).values("id_number_cipher", "id_number_hash")
        assert ID_NUMBER not in str(row)
        assert personal.decrypt(row["id_number_cipher"]) == ID_NUMBER
        found = await Person.filter(id_number_hash=personal.lookup_hash(ID_NUMBER)).count()
        assert found == 1


async def test_the_server_refuses_to_start_in_production_with_the_dev_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CIVICGRAPH_DATA_KEY"}
    env |= {"CIVICGRAPH_PROFILE": "production", "CIVICGRAPH_JWT_SECRET": "s" * 40}
    process = await asyncio.create_subprocess_exec(
        Path(sys.executable).with_name("civicgraph"),
        "serve",
        "--port",
        "1",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "CIVICGRAPH_DATA_KEY" in err.decode()
