"""Proposing government purchases of community services, any city; the rest of a purchase's
life is core/purchases/lifecycle.py.

The core checks what holds everywhere (the provider is a social organisation, volunteer team
or registered social worker of the city, core/purchases/providers.py; the amount is positive;
the period is in order) and asks the city's plugins for every violation of the city's own
rules (categories, caps, procurement method by amount, provider eligibility and blacklists:
core.plugins.calls.purchase_violations). All errors come back at once and nothing is written
unless there are none. A proposal commits no money (core/purchases/spend.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from core.infra.enums import ProcurementMethod
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import Community, ServicePurchaseRecord
from core.plugins import calls as plugins
from core.plugins.contributions import ServicePurchase
from core.purchases.providers import PROVIDER_READERS, Provider, ProviderRef, resolve_provider
from core.security.access import require_role
from core.security.auth import Principal, ScopeKind

PURCHASERS = PROVIDER_READERS
PURCHASE_FIELDS = (
    "id",
    "title",
    "category",
    "provider_kind",
    "provider_id",
    "social_worker_id",
    "community_id",
    "amount",
    "period_start",
    "period_end",
    "procurement_method",
    "deliverables",
    "status",
    "version",
    "decision_note",
    "contract_amount",
    "contract_start",
    "contract_end",
    "contracted_on",
    "evaluation_score",
    "evaluation_marks",
    "evaluation_passed",
    "evaluation",
    "paid_amount",
    "created_at",
)
TITLE_MAX = 200
CATEGORY_MAX = 40


@dataclass(frozen=True)
class ProposePurchaseInput:
    title: str
    category: str
    # The provider: an Organisation (social organisation or volunteer team) or a SocialWorker.
    provider_id: int | None
    amount: Decimal
    period_start: dt.date
    period_end: dt.date
    procurement_method: ProcurementMethod
    deliverables: str = ""
    community_id: int | None = None
    social_worker_id: int | None = None


async def _input_errors(
    data: ProposePurchaseInput, street: int | None
) -> tuple[list[DomainError], Provider | None]:
    errors = []
    if not data.title.strip():
        errors.append(DomainError("REQUIRED", "title"))
    elif len(data.title.strip()) > TITLE_MAX:
        errors.append(DomainError("TOO_LONG", "title", max=TITLE_MAX))
    if not data.category.strip():
        errors.append(DomainError("REQUIRED", "category"))
    elif len(data.category.strip()) > CATEGORY_MAX:
        errors.append(DomainError("TOO_LONG", "category", max=CATEGORY_MAX))
    provider = None
    try:
        provider = await resolve_provider(ProviderRef(data.provider_id, data.social_worker_id))
    except DomainError as e:
        errors.append(e)
    communities = Community.filter(id=data.community_id)
    if street is not None:
        # A street admin buys for a community of their own street; another street's
        # community reads as absent, like everything outside a scope.
        communities = communities.filter(street_id=street)
        if data.community_id is None:
            errors.append(DomainError("REQUIRED", "communityId"))
    if data.community_id is not None and not await communities.exists():
        errors.append(DomainError("NOT_FOUND", "communityId"))
    if data.amount <= 0:
        errors.append(DomainError("NOT_POSITIVE", "amount"))
    if data.period_end < data.period_start:
        errors.append(DomainError("DATE_ORDER", "periodEnd"))
    return errors, provider


async def propose_service_purchase(
    principal: Principal, data: ProposePurchaseInput
) -> dict[str, Any]:
    """Record a proposed purchase, or refuse with every error (core's and the city's)."""
    require_role(principal, PURCHASERS)
    street = principal.scope.id if principal.scope.kind is ScopeKind.STREET else None
    errors, provider = await _input_errors(data, street)
    if errors or provider is None:
        raise ValidationErrors(errors)
    # The city's rules only for a well-formed purchase: they may sum amounts, read dates.
    proposal = ServicePurchase(
        provider_id=provider.id,
        provider_kind=provider.plugin_kind,
        category=data.category.strip(),
        amount=data.amount,
        procurement_method=data.procurement_method.value,
        community_id=data.community_id,
        extra={"period_start": data.period_start, "period_end": data.period_end},
    )
    violations = await plugins.purchase_violations(proposal)
    if violations:
        raise ValidationErrors(
            [DomainError(v.code, v.field, reason=v.reason, plugin=v.plugin) for v in violations]
        )
    async with in_transaction():
        row = await ServicePurchaseRecord.create(
            title=data.title.strip(),
            category=data.category.strip(),
            **provider.columns(),
            community_id=data.community_id,
            amount=data.amount,
            period_start=data.period_start,
            period_end=data.period_end,
            procurement_method=data.procurement_method,
            deliverables=data.deliverables.strip(),
            proposed_by=principal.subject or "",
        )
    return (await ServicePurchaseRecord.filter(id=row.id).values(*PURCHASE_FIELDS))[0]


async def purchase_by_id(principal: Principal, purchase_id: int) -> dict[str, Any] | None:
    """One purchase for those who read `servicePurchases` (admins)."""
    require_role(principal, PURCHASERS)
    rows = await ServicePurchaseRecord.filter(id=purchase_id).values(*PURCHASE_FIELDS)
    return rows[0] if rows else None


async def list_purchases(
    principal: Principal, page: PageRequest, category: str | None = None
) -> Page:
    """The city's purchases, newest first; admins only (amounts and providers)."""
    require_role(principal, PURCHASERS)
    query = ServicePurchaseRecord.all()
    if category:
        query = query.filter(category=category)
    return await paginate(query, Ordering("created_at", descending=True), page, PURCHASE_FIELDS)
