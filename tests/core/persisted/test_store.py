"""A city's persisted documents: APQ registrations bounded per city, trusted pushes all or
none, and each city's ids its own (core/persisted/store.py)."""

from __future__ import annotations

import pytest

from core.infra.errors import DomainError
from core.infra.settings import Documents
from core.infra.tenancy import in_city
from core.models.documents import DocumentSource, PersistedDocument
from core.persisted import store


def doc(n: int) -> tuple[str, str]:
    text = f"query Q{n} {{ city {{ slug }} }}"
    return store.sha256(text), text


async def held() -> dict[str, DocumentSource]:
    rows = await PersistedDocument.all().order_by("id").values("hash", "source")
    return {r["hash"]: DocumentSource(r["source"]) for r in rows}


async def test_registrations_past_the_cap_evict_the_oldest_apq_documents(empty_db: str) -> None:
    rules = Documents(apq_max_documents=3)
    with in_city("dongguan"):
        trusted = await store.push(dict([doc(0)]))
        assert trusted.added == 1
        for n in range(1, 6):
            assert await store.register(*doc(n), rules)
        kept = await held()
    # The trusted document is never evicted; of the five registered, the newest three stay.
    assert list(kept) == [doc(0)[0], doc(3)[0], doc(4)[0], doc(5)[0]]
    assert list(kept.values()).count(DocumentSource.APQ) == 3


async def test_a_document_past_the_size_limit_or_with_apq_off_is_not_stored(empty_db: str) -> None:
    with in_city("dongguan"):
        assert not await store.register(*doc(1), Documents(apq_max_bytes=10))
        assert not await store.register(*doc(2), Documents(apq=False))
        assert not await store.register(*doc(3), Documents(trusted_only=True))
        assert await held() == {}


async def test_registering_twice_keeps_one_row(empty_db: str) -> None:
    with in_city("dongguan"):
        assert await store.register(*doc(1), Documents())
        assert await store.register(*doc(1), Documents())
        assert len(await held()) == 1


async def test_a_push_is_all_or_nothing_and_promotes_apq_documents(empty_db: str) -> None:
    with in_city("dongguan"):
        await store.register(*doc(1), Documents())
        await store.push({"relay-1": "query A { city { slug } }"})
        with pytest.raises(DomainError) as taken:
            # A new document, an APQ one, and an id already naming another text.
            await store.push(dict([doc(2), doc(1), ("relay-1", "query B { city { name } }")]))
        assert (taken.value.code, taken.value.field) == ("DOCUMENT_ID_TAKEN", "relay-1")
        assert await held() == {doc(1)[0]: DocumentSource.APQ, "relay-1": DocumentSource.TRUSTED}
        pushed = await store.push(dict([doc(2), doc(1), ("relay-1", "query A { city { slug } }")]))
        assert (pushed.added, pushed.promoted, pushed.unchanged) == (1, 1, 1)
        assert set((await held()).values()) == {DocumentSource.TRUSTED}


async def test_each_city_finds_its_own_documents_only(empty_db: str) -> None:
    key, text = doc(1)
    with in_city("dongguan"):
        await store.push({key: text})
        assert (await store.find(key)) == store.Found(text, DocumentSource.TRUSTED)
    with in_city("zhuhai"):
        assert await store.find(key) is None
        assert await store.listing() == []
        # The same id may name the same text in another city, registered on its own.
        assert (await store.push({key: text})).added == 1


def test_a_city_table_overrides_the_deployment() -> None:
    base = Documents(apq_max_documents=50)
    merged = Documents.from_table({"trusted_only": True}, base=base)
    assert merged == Documents(trusted_only=True, apq_max_documents=50)
    for bad in ({"trusted_only": "yes"}, {"apq_max_documents": 0}, {"apq_max_bytes": True}):
        with pytest.raises(ValueError, match="must be"):
            Documents.from_table(bad)
