"""Management contracts and management modes, authorised as Article 278 requires.

Hiring a firm or changing a compound's management mode needs the owners' passed vote on
matter (4) of that compound. Public rental housing has no owners: the housing authority
decides, and the contract records its decision instead of a vote. A city's plugins may
refuse the firm or add stricter rules (core/plugins/calls.py). Nothing is written on refusal.

A new contract ends the compound's contract in force on the new contract's first day
(`ends_on = starts_on`, the same day, as in the Donghong takeover): contract dates are
inclusive and the directory reads the later-starting contract as current on that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.infra.enums import CompoundKind, ManagementMode, Role, VoteMatter, VoteVerdict
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import Compound, Firm, ManagementContract, Vote
from core.places import directory
from core.plugins import calls as plugins
from core.plugins.contributions import FIRM_MANAGEMENT_CONTRACT
from core.security.access import compound_scope, require_compound_in_scope, require_role
from core.security.auth import Principal
from core.votes.results import compute_results
from core.votes.voting import ADMINS, VOTE_FIELDS

CONTRACT_MAKERS = frozenset({Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
CONTRACT_FIELDS = (
    "id",
    "compound_id",
    "firm_id",
    "starts_on",
    "ends_on",
    "mode",
    "vote_id",
    "authority_decision",
)
DECISION_MAX = 200
# Modes under which nobody is hired: the current contract ends when the compound moves to one.
UNMANAGED_MODES = frozenset({ManagementMode.OWNER_SELF_MANAGED, ManagementMode.NONE})


async def authorisation_errors(
    compound: dict[str, Any],
    vote_id: int | None,
    authority_decision: str | None,
    firm_id: int | None = None,
) -> list[DomainError]:
    """Why the owners' (or the authority's) say does not support this decision; [] if it does."""
    decision = (authority_decision or "").strip()
    if compound["kind"] == CompoundKind.PUBLIC_RENTAL:
        errors = []
        if vote_id is not None:
            errors.append(DomainError("VOTE_NOT_APPLICABLE", "voteId"))
        if not decision:
            errors.append(DomainError("AUTHORITY_DECISION_REQUIRED", "authorityDecision"))
        elif len(decision) > DECISION_MAX:
            errors.append(DomainError("TOO_LONG", "authorityDecision", max=DECISION_MAX))
        return errors
    if decision:
        return [DomainError("AUTHORITY_DECISION_NOT_APPLICABLE", "authorityDecision")]
    if vote_id is None:
        return [DomainError("VOTE_REQUIRED", "voteId")]
    rows = await Vote.filter(id=vote_id).values(*VOTE_FIELDS)
    if not rows:
        return [DomainError("NOT_FOUND", "voteId")]
    vote = rows[0]
    if vote["compound_id"] != compound["id"]:
        return [DomainError("VOTE_WRONG_COMPOUND", "voteId")]
    if vote["matter"] != VoteMatter.PROPERTY_MANAGER:
        return [DomainError("VOTE_WRONG_MATTER", "voteId")]
    if firm_id is not None and vote["firm_id"] is not None and vote["firm_id"] != firm_id:
        return [DomainError("VOTE_WRONG_FIRM", "voteId")]
    verdict = (await compute_results([vote]))[vote_id].outcome.verdict
    if verdict is not VoteVerdict.PASSED:
        return [DomainError("VOTE_NOT_PASSED", "voteId", verdict=verdict.value)]
    return []


async def _compound(principal: Principal, compound_id: int) -> dict[str, Any]:
    await require_compound_in_scope(principal, compound_id, "compoundId")
    return (await Compound.filter(id=compound_id).values("id", "kind", "management_mode"))[0]


async def _plugin_errors(compound_id: int, firm_id: int, mode: ManagementMode) -> list[DomainError]:
    errors = [
        DomainError(r.code, "firmId", reason=r.reason, plugin=r.plugin)
        for r in await plugins.firm_refusals(firm_id, purpose=FIRM_MANAGEMENT_CONTRACT)
    ]
    errors += [
        DomainError(v.code, v.field, reason=v.reason, plugin=v.plugin)
        for v in await plugins.contract_violations(compound_id, firm_id, mode.value)
    ]
    return errors


async def create_management_contract(
    principal: Principal,
    compound_id: int,
    firm_id: int,
    starts_on: dt.date,
    mode: ManagementMode = ManagementMode.PROPERTY_FIRM,
    *,
    vote_id: int | None = None,
    authority_decision: str | None = None,
) -> dict[str, Any]:
    """Record a compound's new management contract; ends the one it replaces."""
    require_role(principal, CONTRACT_MAKERS)
    compound = await _compound(principal, compound_id)
    errors = []
    if not await Firm.filter(id=firm_id).exists():
        errors.append(DomainError("NOT_FOUND", "firmId"))
    if mode in UNMANAGED_MODES:
        errors.append(DomainError("MODE_NEEDS_NO_CONTRACT", "mode"))
    errors += await authorisation_errors(compound, vote_id, authority_decision, firm_id)
    if vote_id is not None and await ManagementContract.filter(vote_id=vote_id).exists():
        # One decision, one contract: an old vote must not authorise every later hiring.
        errors.append(DomainError("VOTE_ALREADY_USED", "voteId"))
    later = ManagementContract.filter(compound_id=compound_id, starts_on__gte=starts_on)
    if await later.exists():
        errors.append(DomainError("CONTRACT_STARTS_TOO_EARLY", "startsOn"))
    if errors:
        raise ValidationErrors(errors)
    # Plugins last: the firm and rules are only worth asking about for a valid request.
    errors = await _plugin_errors(compound_id, firm_id, mode)
    if errors:
        raise ValidationErrors(errors)
    decision = (authority_decision or "").strip() or None
    async with in_transaction():
        await _end_current(compound_id, starts_on)
        contract = await ManagementContract.create(
            compound_id=compound_id,
            firm_id=firm_id,
            starts_on=starts_on,
            mode=mode,
            vote_id=vote_id,
            authority_decision=decision,
        )
        await Compound.filter(id=compound_id).update(management_mode=mode)
    return (await ManagementContract.filter(id=contract.id).values(*CONTRACT_FIELDS))[0]


async def contract_by_id(contract_id: int) -> dict[str, Any] | None:
    """A contract with the vote or decision behind it (public, as in the directory)."""
    rows = await ManagementContract.filter(id=contract_id).values(*CONTRACT_FIELDS)
    return rows[0] if rows else None


async def _end_current(compound_id: int, on: dt.date) -> None:
    running = Q(ends_on__isnull=True) | Q(ends_on__gt=on)
    await ManagementContract.filter(running, compound_id=compound_id).update(ends_on=on)


async def change_management_mode(
    principal: Principal,
    compound_id: int,
    mode: ManagementMode,
    effective_on: dt.date,
    *,
    vote_id: int | None = None,
    authority_decision: str | None = None,
) -> dict[str, Any]:
    """Change how a compound is managed; a move to self-management ends the firm's contract."""
    require_role(principal, CONTRACT_MAKERS)
    compound = await _compound(principal, compound_id)
    errors = await authorisation_errors(compound, vote_id, authority_decision)
    if mode == compound["management_mode"]:
        errors.append(DomainError("MODE_UNCHANGED", "mode"))
    if errors:
        raise ValidationErrors(errors)
    async with in_transaction():
        if mode in UNMANAGED_MODES:
            await _end_current(compound_id, effective_on)
        await Compound.filter(id=compound_id).update(management_mode=mode)
    return (await Compound.filter(id=compound_id).values(*directory.FIELDS[Compound]))[0]


def compounds_without_supporting_vote(today: dt.date | None = None) -> QuerySet[Compound]:
    """Compounds whose contract in force has no supporting vote and is not exempt.

    On a handover day both contracts are in force; a supported new one clears the compound.
    """
    day = today or dt.date.today()
    current = ManagementContract.filter(
        Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    unsupported = current.filter(vote_id__isnull=True).values("compound_id")
    supported = current.filter(vote_id__isnull=False).values("compound_id")
    return (
        Compound.filter(id__in=Subquery(unsupported))
        .exclude(id__in=Subquery(supported))
        .exclude(kind=CompoundKind.PUBLIC_RENTAL)
    )


async def list_compounds_without_supporting_vote(principal: Principal, page: PageRequest) -> Page:
    """The oversight list for admins, inside their scope, by compound name."""
    require_role(principal, ADMINS)
    query = compounds_without_supporting_vote()
    q = compound_scope(principal)
    if q is not None:
        query = query.filter(q)
    return await paginate(query, Ordering("name"), page, directory.FIELDS[Compound])
