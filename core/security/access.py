"""What a principal may see and do, by role and scope in the place hierarchy.

Reads of the public directory (places, organisations, firms) are open to everyone in the
city. Cases hold residents' disputes: each role sees the cases of the compounds inside its
scope, anonymous callers none. The full role table lives in docs/security.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery

from core.infra.enums import Role
from core.infra.errors import AuthError, DomainError
from core.models import Compound, ManagementContract
from core.security.auth import Principal, ScopeKind

# Who may file a case, and for which compounds: inside their own scope.
FILERS = frozenset(
    {
        Role.RESIDENT,
        Role.BUILDING_HEAD,
        Role.COMMUNITY_WORKER,
        Role.MEDIATOR,
        Role.STREET_ADMIN,
        Role.CITY_ADMIN,
        Role.PLATFORM_ADMIN,
    }
)


@dataclass(frozen=True)
class Visibility:
    """Which compounds' cases a principal may read: all, none, or those matching `compounds`."""

    everything: bool = False
    compounds: Q | None = None  # a filter on Compound

    @property
    def nothing(self) -> bool:
        return not self.everything and self.compounds is None


def _managed_by(firm_id: int, today: dt.date) -> Q:
    current = ManagementContract.filter(firm_id=firm_id, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    return Q(id__in=Subquery(current.values("compound_id")))


def compound_scope(principal: Principal, today: dt.date | None = None) -> Q | None:
    """The compounds inside the principal's scope, as a filter on Compound; None: all."""
    scope = principal.scope
    match scope.kind:
        case ScopeKind.CITY:
            return None
        case ScopeKind.STREET:
            return Q(community__street_id=scope.id)
        case ScopeKind.COMMUNITY:
            return Q(community_id=scope.id)
        case ScopeKind.COMPOUND:
            return Q(id=scope.id)
        case ScopeKind.FIRM:
            return _managed_by(scope.id or 0, today or dt.date.today())
        case ScopeKind.ORGANISATION:
            return Q(id__in=[])


def case_visibility(principal: Principal) -> Visibility:
    if principal.role in (Role.ANONYMOUS, Role.SOCIAL_ORG_STAFF):
        return Visibility()
    q = compound_scope(principal)
    return Visibility(everything=True) if q is None else Visibility(compounds=q)


# The same rules as SQL, for the compiled read path (schema/compiler). Keep the two in step:
# tests/core/security/test_access_sql.py checks that both pick the same compounds for every
# scope kind.
Bind = Callable[[Any, str], str]  # (value, SQL type) -> a placeholder such as "$3::int"


def compound_scope_sql(
    principal: Principal, city: str, bind: Bind, today: dt.date | None = None
) -> str | None:
    """`compound_scope` as a subquery of compound ids (None: all of the city's compounds).

    `city` is the placeholder of the city slug; `bind` adds a parameter and returns its
    placeholder, so values never enter the SQL text.
    """
    scope = principal.scope
    base = f"SELECT sc.id FROM compounds sc WHERE sc.city_id = {city}"
    match scope.kind:
        case ScopeKind.CITY:
            return None
        case ScopeKind.STREET:
            return (
                f"{base} AND sc.community_id IN (SELECT sm.id FROM communities sm "
                f"WHERE sm.street_id = {bind(scope.id, 'int')})"
            )
        case ScopeKind.COMMUNITY:
            return f"{base} AND sc.community_id = {bind(scope.id, 'int')}"
        case ScopeKind.COMPOUND:
            return f"{base} AND sc.id = {bind(scope.id, 'int')}"
        case ScopeKind.FIRM:
            day = bind(today or dt.date.today(), "date")
            return (
                f"{base} AND sc.id IN (SELECT mc.compound_id FROM management_contracts mc "
                f"WHERE mc.city_id = {city} AND mc.firm_id = {bind(scope.id or 0, 'int')} "
                f"AND mc.starts_on <= {day} AND (mc.ends_on IS NULL OR mc.ends_on >= {day}))"
            )
        case ScopeKind.ORGANISATION:
            return f"{base} AND false"


def case_visibility_sql(principal: Principal, city: str, bind: Bind, compound_id: str) -> str:
    """`case_visibility` as an SQL predicate on the expression naming a case's compound."""
    if principal.role in (Role.ANONYMOUS, Role.SOCIAL_ORG_STAFF):
        return "false"
    subquery = compound_scope_sql(principal, city, bind)
    return "true" if subquery is None else f"{compound_id} IN ({subquery})"


async def require_compound_in_scope(principal: Principal, compound_id: int, field: str) -> None:
    """Refuse unless the compound lies inside the principal's scope (reads as not found)."""
    q = compound_scope(principal)
    query = Compound.filter(id=compound_id)
    if q is not None:
        query = query.filter(q)
    if not await query.exists():
        # Outside the scope reads the same as absent: scope must not leak what exists.
        raise DomainError("NOT_FOUND", field)


def require_role(principal: Principal, allowed: frozenset[Role]) -> None:
    if not principal.authenticated:
        raise AuthError("AUTH_REQUIRED")
    if principal.role not in allowed:
        raise AuthError("FORBIDDEN")
