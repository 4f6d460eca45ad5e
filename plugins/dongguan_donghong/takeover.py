"""Takeover and handover of a compound by Donghong, through the core's contract rules.

Taking over needs what hiring any firm needs (core/firms/contracts.py): the owners' passed vote on
matter (4) naming the firm, or for public rental housing the housing authority's recorded
decision; the contract it replaces ends on the new one's first day. Handing over is the
reverse: the next firm (hired by the same kind of decision) takes the compound, Donghong's
contract ends that day, and the project's record says until when Donghong managed it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugins.dongguan_donghong.models import DonghongProject
from plugins.dongguan_donghong.settings import DonghongSettings
from plugins.dongguan_donghong.sync import COMPANY, company_firm
from schema.plugin_api import (
    CONTRACT_MAKERS,
    DomainError,
    Principal,
    create_management_contract,
    require_compound_in_scope,
    require_role,
)
from schema.plugin_api.models import ManagementContract


async def _firm_id(settings: DonghongSettings) -> int:
    firm = await company_firm(settings)
    if firm is None:
        raise DomainError("NOT_FOUND", "companyRegistrationNumber")
    return int(firm["id"])


async def take_over(
    principal: Principal,
    settings: DonghongSettings,
    compound_id: int,
    starts_on: dt.date,
    *,
    vote_id: int | None = None,
    authority_decision: str | None = None,
) -> dict[str, Any]:
    """Donghong's new contract for the compound (refused without the decision)."""
    return await create_management_contract(
        principal,
        compound_id,
        await _firm_id(settings),
        starts_on,
        vote_id=vote_id,
        authority_decision=authority_decision,
    )


async def hand_over(
    principal: Principal,
    settings: DonghongSettings,
    compound_id: int,
    to_firm_id: int,
    starts_on: dt.date,
    *,
    vote_id: int | None = None,
    authority_decision: str | None = None,
) -> dict[str, Any]:
    """The next firm's contract; Donghong's ends the same day."""
    require_role(principal, CONTRACT_MAKERS)
    await require_compound_in_scope(principal, compound_id, "compoundId")
    firm_id = await _firm_id(settings)
    running = await ManagementContract.filter(
        compound_id=compound_id, firm_id=firm_id, ends_on__isnull=True
    ).exists()
    if not running:
        raise DomainError("NOT_MANAGED_BY_COMPANY", "compoundId", company=COMPANY)
    contract = await create_management_contract(
        principal,
        compound_id,
        to_firm_id,
        starts_on,
        vote_id=vote_id,
        authority_decision=authority_decision,
    )
    await DonghongProject.filter(compound_id=compound_id).update(managed_until=starts_on)
    return contract
