"""Yayuan New Village, Dongguan's first public-rental compound, needs no owners' vote."""

from __future__ import annotations

import datetime as dt

import pytest
from tortoise.transactions import in_transaction

from core.firms.contracts import compounds_without_supporting_vote, create_management_contract
from core.infra.enums import CompoundKind
from core.infra.errors import DomainError
from core.infra.tenancy import in_city
from core.models import Compound, Firm, ManagementContract
from tests.core.votes.owners_fixtures import ADMIN


async def test_yayuan_is_exempt_and_the_authority_decides(demo_db):
    with in_city("dongguan"):
        yayuan = await Compound.get(name="雅园新村")
        firm = await Firm.filter(is_state_owned=True).order_by("id").first()
        assert yayuan.kind == CompoundKind.PUBLIC_RENTAL
        assert firm is not None
        flagged = set(await compounds_without_supporting_vote().values_list("id", flat=True))
        assert yayuan.id not in flagged
        with pytest.raises(DomainError) as refused:
            await create_management_contract(ADMIN, yayuan.id, firm.id, dt.date.today())
        assert refused.value.code == "AUTHORITY_DECISION_REQUIRED"
        decision = "东莞市住房和城乡建设局：雅园新村由东鸿物业运营"
        # Rolled back at the end, so the shared demo data stays as loaded.
        with pytest.raises(RolledBack):
            async with in_transaction():
                row = await create_management_contract(
                    ADMIN, yayuan.id, firm.id, dt.date.today(), authority_decision=decision
                )
                assert (row["vote_id"], row["authority_decision"]) == (None, decision)
                current = ManagementContract.filter(compound_id=yayuan.id, ends_on__isnull=True)
                assert [c.id for c in await current] == [row["id"]]
                raise RolledBack
        assert not await ManagementContract.filter(authority_decision=decision).exists()


class RolledBack(Exception):
    """Raised to roll the test's writes back."""
