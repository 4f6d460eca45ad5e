"""What a principal may see and do, by role and scope in the place hierarchy.

Reads of the public directory (places, organisations, firms) are open to everyone in the
city. Cases are read inside the caller's scope, and a case's kind says by whom: property
disputes are a compound's common business, service requests and mediation are personal
(`CASE_READERS`). The full role table lives in docs/security.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery

from core.infra.enums import CaseKind, EscalationLevel, Role
from core.infra.errors import AuthError, DomainError
from core.models import Compound, ManagementContract, Person
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


# Staff of a one-window service point (they accept requests and file for residents, 代办);
# the street, city and platform admins among them are the "admins in scope".
WINDOW_STAFF = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN}
)
# Who reads the cases of a kind throughout their scope. Beyond these, a caller reads the
# cases it filed (a resident their own request, staff those they filed for someone) and
# those it is the assigned mediator of, inside its scope too; no party of a mediation other
# than its filer is recorded, so the filer is the party.
CASE_READERS: dict[CaseKind, frozenset[Role]] = {
    CaseKind.PROPERTY_DISPUTE: frozenset(Role) - {Role.ANONYMOUS, Role.SOCIAL_ORG_STAFF},
    CaseKind.SERVICE_REQUEST: WINDOW_STAFF,
    # The people's mediators in scope take cases up (assignMediator needs them to see one).
    CaseKind.MEDIATION: WINDOW_STAFF | {Role.MEDIATOR},
}
_NO_CASES = frozenset({Role.ANONYMOUS, Role.SOCIAL_ORG_STAFF})


@dataclass(frozen=True)
class Visibility:
    """Which cases a principal may read: in the compounds matching `compounds` (None: all),
    those of `kinds`, and those filed by `subject` or assigned to it as mediator."""

    compounds: Q | None = None  # a filter on Compound
    kinds: frozenset[CaseKind] = frozenset()
    subject: str | None = None  # None: no cases of its own (no token subject)

    @property
    def nothing(self) -> bool:
        return not self.kinds and self.subject is None

    @property
    def everything(self) -> bool:
        return self.compounds is None and self.kinds == frozenset(CaseKind)


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


# Who sits at a desk that receives escalated cases (core/cases/escalations.py): a street
# admin at its street's desk; city and platform admins at the city's, and their scope
# covers every street's desk too.
ESCALATION_DESKS = frozenset({Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})


def desk_scope(principal: Principal) -> Q | None:
    """The escalations at the desks the principal's scope covers, as a filter on
    CaseEscalation; None: every desk of the city. Its role is the caller's to check first."""
    match principal.scope.kind:
        case ScopeKind.CITY:
            return None
        case ScopeKind.STREET:
            return Q(level=EscalationLevel.STREET, street_id=principal.scope.id)
        case _:
            return Q(id__in=[])


def case_visibility(principal: Principal) -> Visibility:
    if principal.role in _NO_CASES:
        return Visibility()
    kinds = frozenset(k for k, roles in CASE_READERS.items() if principal.role in roles)
    # An empty subject names nobody: it must not match cases filed without one.
    return Visibility(compound_scope(principal), kinds, principal.subject or None)


def case_visibility_q(vis: Visibility) -> Q:
    """`vis` as a filter on Case (`vis.nothing` is the caller's to check first)."""
    q = Q()
    if vis.compounds is not None:
        q &= Q(compound_id__in=Subquery(Compound.filter(vis.compounds).values("id")))
    if vis.kinds == frozenset(CaseKind):
        return q
    who = Q(kind__in=sorted(vis.kinds)) if vis.kinds else Q(id__in=[])
    if vis.subject is not None:
        mediating = Person.filter(subject=vis.subject).values("id")
        who |= Q(filed_by_subject=vis.subject) | Q(mediator_id__in=Subquery(mediating))
    return q & who


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


def case_visibility_sql(principal: Principal, city: str, bind: Bind, case: str) -> str:
    """`case_visibility` as an SQL predicate on the case row aliased `case` (its columns are
    read as `<case>.kind`, ...)."""
    vis = case_visibility(principal)
    if vis.nothing:
        return "false"
    parts = []
    subquery = compound_scope_sql(principal, city, bind)
    if subquery is not None:
        parts.append(f"{case}.compound_id IN ({subquery})")
    if vis.kinds != frozenset(CaseKind):
        # Kinds are the enum's own constants, never input: written into the text.
        kinds = ", ".join(f"'{k.value}'" for k in sorted(vis.kinds))
        who = [f"{case}.kind IN ({kinds})"] if kinds else []
        if vis.subject is not None:
            subject = bind(vis.subject, "text")
            who.append(f"{case}.filed_by_subject = {subject}")
            who.append(
                f"{case}.mediator_id IN (SELECT vp.id FROM persons vp "
                f"WHERE vp.city_id = {city} AND vp.subject = {subject})"
            )
        parts.append(f"({' OR '.join(who)})")
    return " AND ".join(parts) or "true"


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
