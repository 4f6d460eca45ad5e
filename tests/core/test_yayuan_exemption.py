"""Yayuan New Village, Dongguan's first public-rental compound, needs no owners' vote."""

from __future__ import annotations

import datetime as dt

import pytest

from core.contracts import compounds_without_supporting_vote, create_management_contract
from core.enums import CompoundKind
from core.errors import DomainError
from core.models import Compound, Firm, ManagementContract
from core.tenancy import in_city
from tests.core.owners_fixtures import ADMIN


async def test_yayuan_is_exempt_and_the_authority_decides(writable_demo_db):
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
        row = await create_management_contract(
            ADMIN, yayuan.id, firm.id, dt.date.today(), authority_decision=decision
        )
        assert (row["vote_id"], row["authority_decision"]) == (None, decision)
        current = await ManagementContract.filter(compound_id=yayuan.id, ends_on__isnull=True)
        assert [c.id for c in current] == [row["id"]]
