"""A purchase's life after it is proposed: the purchasing office approves or rejects it,
contracts it, the provider's deliveries are reported, the office evaluates it against the
city's criteria and closes it; until it is evaluated it may be cancelled.

    PROPOSED -> APPROVED -> CONTRACTED -> EVALUATED -> CLOSED
       |   \\-> REJECTED        |  (deliveries: core/purchases/deliveries.py)
       \\------------+----------+--> CANCELLED

The transitions are data (`TRANSITIONS`), like the case workflows (core/cases/workflow.py).
Every move checks, in the order of docs/security.md: the role, then the purchase in the
caller's sight (NOT_FOUND otherwise), then the status (WRONG_STATUS names the statuses it
may be done from), the version the caller read (VERSION_CONFLICT), and only then the input.
The write is one conditional UPDATE on the version: a repeat of a move that went through
conflicts and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.infra import clock
from core.infra.enums import PurchaseStatus, Role
from core.infra.errors import DomainError, ValidationErrors
from core.infra.i18n import Text
from core.infra.tenancy import current_city
from core.models import ServiceDelivery, ServicePurchaseRecord
from core.plugins import calls as plugins
from core.plugins.contributions import EvaluationRules, ServicePurchase
from core.purchases.proposals import PURCHASE_FIELDS
from core.purchases.providers import Provider, ProviderRef, provider_of, resolve_provider
from core.security.access import require_role
from core.security.auth import Principal

# The purchasing office: the city's civil affairs bureau (城市 and platform admins).
OFFICE = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
NOTE_MAX = 2000


class Move(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    CONTRACT = "CONTRACT"
    EVALUATE = "EVALUATE"
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Transition:
    sources: tuple[PurchaseStatus, ...]
    target: PurchaseStatus
    movers: frozenset[Role] = OFFICE


S = PurchaseStatus
TRANSITIONS: Mapping[Move, Transition] = {
    Move.APPROVE: Transition((S.PROPOSED,), S.APPROVED),
    Move.REJECT: Transition((S.PROPOSED,), S.REJECTED),
    Move.CONTRACT: Transition((S.APPROVED,), S.CONTRACTED),
    Move.EVALUATE: Transition((S.CONTRACTED,), S.EVALUATED),
    Move.CLOSE: Transition((S.EVALUATED,), S.CLOSED),
    # A contract cancelled part-way keeps what was paid under it (core/purchases/spend.py).
    Move.CANCEL: Transition((S.PROPOSED, S.APPROVED, S.CONTRACTED), S.CANCELLED),
}
# Statuses no move leaves.
FINAL = frozenset(S) - {s for t in TRANSITIONS.values() for s in t.sources}


def statuses_text(statuses: tuple[PurchaseStatus, ...] | frozenset[PurchaseStatus]) -> Text:
    ordered = [s for s in PurchaseStatus if s in statuses]
    return Text("、".join(s.label() for s in ordered), ", ".join(s.label("en") for s in ordered))


async def purchase_row(purchase_id: int, field: str = "purchaseId") -> dict[str, Any]:
    """The purchase's row (the office reads the whole city's); NOT_FOUND if there is none."""
    rows = await ServicePurchaseRecord.filter(id=purchase_id).values(*PURCHASE_FIELDS)
    if not rows:
        raise DomainError("NOT_FOUND", field)
    return rows[0]


def require_status(row: dict[str, Any], allowed: tuple[PurchaseStatus, ...]) -> None:
    if row["status"] not in allowed:
        raise DomainError(
            "WRONG_STATUS",
            "purchaseId",
            status=statuses_text((PurchaseStatus(row["status"]),)),
            expected=statuses_text(allowed),
        )


async def _move(principal: Principal, move: Move, purchase_id: int, version: int) -> dict[str, Any]:
    """The checks every move shares, in their order; the purchase's row."""
    transition = TRANSITIONS[move]
    require_role(principal, transition.movers)
    row = await purchase_row(purchase_id)
    require_status(row, transition.sources)
    if version != row["version"]:
        raise DomainError("VERSION_CONFLICT", "version", current=row["version"])
    return row


async def _write(row: dict[str, Any], move: Move, **changes: Any) -> dict[str, Any]:
    """Move the purchase only if it still has the version read; the loser writes nothing."""
    written = await ServicePurchaseRecord.filter(id=row["id"], version=row["version"]).update(
        version=row["version"] + 1, status=TRANSITIONS[move].target, **changes
    )
    if written != 1:
        raise DomainError("VERSION_CONFLICT", "version", current=row["version"] + 1)
    return await purchase_row(row["id"])


def _note(text: str | None, field: str, required: bool) -> str | None:
    note = (text or "").strip()
    if required and not note:
        raise DomainError("REQUIRED", field)
    if len(note) > NOTE_MAX:
        raise DomainError("TOO_LONG", field, max=NOTE_MAX)
    return note or None


async def approve_purchase(
    principal: Principal, purchase_id: int, version: int, note: str = ""
) -> dict[str, Any]:
    row = await _move(principal, Move.APPROVE, purchase_id, version)
    return await _write(row, Move.APPROVE, decision_note=_note(note, "note", False))


async def reject_purchase(
    principal: Principal, purchase_id: int, version: int, reason: str
) -> dict[str, Any]:
    row = await _move(principal, Move.REJECT, purchase_id, version)
    return await _write(row, Move.REJECT, decision_note=_note(reason, "reason", True))


@dataclass(frozen=True)
class ContractInput:
    purchase_id: int
    version: int
    provider: ProviderRef
    amount: Decimal
    period_start: dt.date
    period_end: dt.date
    signed_on: dt.date | None = None


def plugin_view(row: dict[str, Any], stage: str, **override: Any) -> ServicePurchase:
    """The purchase as the city's rules see it."""
    provider: Provider = override.pop("provider", None) or provider_of(row)
    values = {
        "amount": row["contract_amount"] or row["amount"],
        "period_start": row["contract_start"] or row["period_start"],
        "period_end": row["contract_end"] or row["period_end"],
        **override,
    }
    return ServicePurchase(
        provider_id=provider.id,
        provider_kind=provider.plugin_kind,
        category=row["category"],
        amount=Decimal(values["amount"]),
        procurement_method=str(row["procurement_method"]),
        community_id=row["community_id"],
        extra={
            "stage": stage,
            "purchase_id": row["id"],
            "period_start": values["period_start"],
            "period_end": values["period_end"],
        },
    )


async def contract_purchase(principal: Principal, data: ContractInput) -> dict[str, Any]:
    """Sign the contract: the provider, amount and period agreed, checked by the city's rules
    again (its caps now count this money: core/purchases/spend.py)."""
    row = await _move(principal, Move.CONTRACT, data.purchase_id, data.version)
    errors: list[DomainError] = []
    provider = None
    try:
        provider = await resolve_provider(data.provider)
    except DomainError as e:
        errors.append(e)
    if data.amount <= 0:
        errors.append(DomainError("NOT_POSITIVE", "amount"))
    if data.period_end < data.period_start:
        errors.append(DomainError("DATE_ORDER", "periodEnd"))
    if errors or provider is None:
        raise ValidationErrors(errors)
    contract = plugin_view(
        row,
        "contract",
        provider=provider,
        amount=data.amount,
        period_start=data.period_start,
        period_end=data.period_end,
    )
    violations = await plugins.purchase_violations(contract)
    if violations:
        raise ValidationErrors(
            [DomainError(v.code, v.field, reason=v.reason, plugin=v.plugin) for v in violations]
        )
    return await _write(
        row,
        Move.CONTRACT,
        **provider.columns(),
        contract_amount=data.amount,
        contract_start=data.period_start,
        contract_end=data.period_end,
        contracted_on=data.signed_on or clock.local_date(clock.now(), current_city()),
    )


async def evaluation_rules(row: dict[str, Any]) -> EvaluationRules:
    """The city's criteria for the purchase (core.plugins.calls.purchase_evaluation_rules)."""
    return await plugins.purchase_evaluation_rules(plugin_view(row, "evaluation"))


def _marks_errors(rules: EvaluationRules, marks: Mapping[str, int]) -> list[DomainError]:
    errors = []
    known = {c.key: c for c in rules.criteria}
    for key in sorted(set(marks) - set(known)):
        errors.append(DomainError("UNKNOWN_CRITERION", "marks", criterion=key))
    for c in rules.criteria:
        if c.key not in marks:
            errors.append(DomainError("CRITERION_MISSING", "marks", criterion=c.label))
        elif not 0 <= marks[c.key] <= c.max_points:
            errors.append(
                DomainError("MARK_OUT_OF_RANGE", "marks", criterion=c.label, max=c.max_points)
            )
    return errors


async def evaluate_purchase(
    principal: Principal, purchase_id: int, version: int, marks: Mapping[str, int], note: str = ""
) -> dict[str, Any]:
    """Score the delivered service on the city's criteria: their marks added up, passed
    from the city's pass mark. Needs at least one delivery report."""
    row = await _move(principal, Move.EVALUATE, purchase_id, version)
    rules = await evaluation_rules(row)
    errors = _marks_errors(rules, marks)
    if not await ServiceDelivery.filter(purchase_id=purchase_id).exists():
        errors.append(DomainError("DELIVERIES_MISSING", "purchaseId"))
    if errors:
        raise ValidationErrors(errors)
    score = sum(marks.values())
    return await _write(
        row,
        Move.EVALUATE,
        evaluation_score=score,
        # A list in the criteria's order: a JSON object's keys come back reordered (jsonb).
        evaluation_marks=[{"criterion": c.key, "points": marks[c.key]} for c in rules.criteria],
        evaluation_passed=score >= rules.pass_score,
        evaluation=_note(note, "note", False),
    )


def _paid(row: dict[str, Any], paid: Decimal | None, required: bool) -> Decimal | None:
    if row["contract_amount"] is None:
        if paid is not None:
            raise DomainError("NOT_CONTRACTED", "paidAmount")
        return None
    if paid is None:
        if required:
            raise DomainError("REQUIRED", "paidAmount")
        return Decimal(0)
    if not 0 <= paid <= row["contract_amount"]:
        raise DomainError("PAID_OVER_CONTRACT", "paidAmount", amount=row["contract_amount"])
    return paid


async def close_purchase(
    principal: Principal, purchase_id: int, version: int, paid_amount: Decimal | None
) -> dict[str, Any]:
    """Close an evaluated purchase with what was paid in the end (at most the contract)."""
    row = await _move(principal, Move.CLOSE, purchase_id, version)
    return await _write(row, Move.CLOSE, paid_amount=_paid(row, paid_amount, True))


async def cancel_purchase(
    principal: Principal,
    purchase_id: int,
    version: int,
    reason: str,
    paid_amount: Decimal | None = None,
) -> dict[str, Any]:
    """Cancel a purchase before its evaluation; a contract cancelled part-way records what
    was paid under it (none when not given)."""
    row = await _move(principal, Move.CANCEL, purchase_id, version)
    errors, changes = [], {}
    for column, check in (
        ("decision_note", lambda: _note(reason, "reason", True)),
        ("paid_amount", lambda: _paid(row, paid_amount, False)),
    ):
        try:
            changes[column] = check()
        except DomainError as e:
            errors.append(e)
    if errors:
        raise ValidationErrors(errors)
    return await _write(row, Move.CANCEL, **changes)
