"""What a purchase spends: its contract while the contract runs, what was paid once it ended.

A proposal, an approval or a rejection commits nothing (issue 16): a city's caps and the
spend figures count money the city is bound to, not money asked for. A contracted or
evaluated purchase counts its contract amount; a closed one, or one cancelled after it was
contracted, counts what was paid (`paid_amount`). A purchase counts in the year its contract
starts. The rule is written twice, for rows in Python (`committed`, the plugins' caps through
`spent`) and as SQL (`COMMITTED_SQL`, the figures); tests/schema/purchases/test_spend.py
checks both on the same purchases.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.infra.enums import PurchaseStatus
from core.models import ServicePurchaseRecord

# The contract binds the city while these last; after them, only what was paid counts.
UNDER_CONTRACT = (PurchaseStatus.CONTRACTED, PurchaseStatus.EVALUATED)
_UNDER = ", ".join(f"'{s.value}'" for s in UNDER_CONTRACT)  # enum constants, never input
# The committed amount of the purchase row aliased `sp`, for rows with a contract start.
COMMITTED_SQL = (
    f"CASE WHEN sp.status IN ({_UNDER}) THEN sp.contract_amount "
    "ELSE COALESCE(sp.paid_amount, 0) END"
)


def committed(row: dict[str, Any]) -> Decimal:
    """What the purchase row commits (its status, contract_amount, paid_amount)."""
    if row["contract_amount"] is None:
        return Decimal(0)
    if row["status"] in UNDER_CONTRACT:
        return Decimal(row["contract_amount"])
    return Decimal(row["paid_amount"] or 0)


async def spent(category: str, start: dt.date, end: dt.date) -> Decimal:
    """What the city has committed in a category for contracts starting in [start, end].

    For plugins' caps (through the plugin door) and for figures: one statement.
    """
    rows = await ServicePurchaseRecord.filter(
        category=category, contract_start__gte=start, contract_start__lte=end
    ).values("status", "contract_amount", "paid_amount")
    return sum((committed(r) for r in rows), Decimal(0))
