"""Who may do what in Dongguan's assessment, and how the plugin reports a broken rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from plugins.dongguan_assessment.settings import NAME
from schema.plugin_api import DomainError, Role, Text

ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
# Street admins record inputs for their streets' compounds; only the city runs and publishes.
RECORDERS = ADMINS | {Role.STREET_ADMIN}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def violation(field: str, reason: str | Text) -> DomainError:
    return DomainError("PLUGIN_RULE_VIOLATED", field, reason=reason, plugin=NAME)


def kept(reason: str | Text) -> str:
    """A reason as a column keeps it: a rule's in both languages, an admin's as typed."""
    if isinstance(reason, Text):
        both = reason.stored()
        return both if len(both) <= 500 else reason.zh[:500]
    return reason[:500]
