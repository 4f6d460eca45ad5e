"""Firms' credit, the same firm-facing questions whatever the city's regime.

A city keeps its credit rules in one regime plugin (Dongguan: assessment-driven blacklist;
Zhuhai: points). The core asks the regime through two hooks (core/plugins/calls.py): each firm's
standing on a day, and recording a credit event. The core owns only what every city shares:
who may record, the firm exists, the reason is given, and how a ranking is paged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from core.infra.clock import local_date, now
from core.infra.enums import Role
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Page, PageRequest, encode_cursor
from core.infra.tenancy import current_city
from core.models import Firm
from core.plugins import calls as plugins
from core.plugins.contributions import CreditEvent, CreditRecord, CreditStanding
from core.security.access import require_role
from core.security.auth import Principal

CREDIT_RECORDERS = frozenset({Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
REASON_MAX = 500
CODE_MAX = 40


def today() -> dt.date:
    """The city's calendar day (credit records and standings are dated locally)."""
    return local_date(now(), current_city())


async def standings(firm_ids: list[int], as_of: dt.date | None = None) -> dict[int, CreditStanding]:
    """Each firm's standing in the city's regime on `as_of` (today by default)."""
    return await plugins.credit_standings(firm_ids, as_of or today())


async def record_credit_event(
    principal: Principal,
    firm_id: int,
    kind: str,
    reason: str,
    source: str,
    *,
    points: Decimal | None = None,
    severity: str | None = None,
    occurred_on: dt.date | None = None,
) -> CreditRecord:
    """Record a credit event against a firm in the city's regime; all input errors at once."""
    require_role(principal, CREDIT_RECORDERS)
    kind, reason, source = kind.strip(), reason.strip(), source.strip()
    errors = []
    if not await Firm.filter(id=firm_id).exists():
        errors.append(DomainError("NOT_FOUND", "firmId"))
    for name, value, most in (("kind", kind, CODE_MAX), ("source", source, CODE_MAX)):
        if not value:
            errors.append(DomainError("REQUIRED", name))
        elif len(value) > most:
            errors.append(DomainError("TOO_LONG", name, max=most))
    if not reason:
        errors.append(DomainError("REQUIRED", "reason"))
    elif len(reason) > REASON_MAX:
        errors.append(DomainError("TOO_LONG", "reason", max=REASON_MAX))
    day = occurred_on or today()
    if day > today():
        errors.append(DomainError("DATE_IN_FUTURE", "occurredOn"))
    if errors:
        raise ValidationErrors(errors)
    event = CreditEvent(
        firm_id=firm_id,
        kind=kind,
        reason=reason,
        source=source,
        occurred_on=day,
        points=points,
        severity=severity,
        actor=principal.subject or "",
    )
    async with in_transaction():
        record = await plugins.record_credit_event(event)
    if record is None:
        raise DomainError("NO_CREDIT_REGIME", None)
    return record


async def record_by_id(plugin: str, record_id: str) -> CreditRecord | None:
    """A record the city's regime `plugin` made, as it stands now (None: no such record)."""
    return await plugins.credit_record(plugin, record_id)


async def credit_ranking(as_of: dt.date | None, page: PageRequest) -> Page:
    """The city's firms ranked: firms in good standing first, blacklisted ones after them,
    each group by its regime score (best first), unscored firms at the end of their group.

    Rows are {"rank", "firm", "standing"}. The whole city's standings are asked for in one
    hook call (a city has hundreds of firms, not millions), then a page is cut from the
    ranked list; the cursor carries the rank.
    """
    firms = await Firm.all().order_by("name", "id").values("id", "name")
    found = await standings([f["id"] for f in firms], as_of)
    ranked = sorted(firms, key=lambda f: rank_key(found.get(f["id"]), f["name"], f["id"]))
    start = page.after[0] if page.after else 0
    if not isinstance(start, int) or start < 0:
        raise DomainError("INVALID_CURSOR", "after")
    chunk = ranked[start : start + page.first]
    ids = [f["id"] for f in chunk]
    rows_by_id = {r["id"]: r for r in await Firm.filter(id__in=ids).values(*_FIRM_FIELDS)}
    rows: list[dict[str, Any]] = [
        {"rank": start + i + 1, "firm": rows_by_id[f["id"]], "standing": found.get(f["id"])}
        for i, f in enumerate(chunk)
    ]

    async def count() -> int:
        return len(ranked)

    return Page(
        rows=rows,
        has_next=start + page.first < len(ranked),
        has_previous=start > 0,
        cursors=[encode_cursor(r["rank"], r["firm"]["id"]) for r in rows],
        count=count,
    )


def rank_key(
    standing: CreditStanding | None, name: str, firm_id: int
) -> tuple[bool, bool, Decimal, str, int]:
    """Where a firm goes in the ranking, whatever the city's regime: a blacklisted firm never
    ranks above a firm in good standing, however the regime scores it."""
    blacklisted = standing is not None and standing.blacklisted
    if standing is None or standing.score is None:
        return (blacklisted, True, Decimal(0), name, firm_id)
    score = -standing.score if standing.higher_is_better else standing.score
    return (blacklisted, False, score, name, firm_id)


_FIRM_FIELDS = (
    "id",
    "name",
    "registration_number",
    "is_state_owned",
    "owning_group",
    "founded_on",
    "created_at",
)
