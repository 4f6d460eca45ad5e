"""Which cases a caller may read, and the columns a case is read with: what filing, reading
and every change of a case share (core/cases/filing.py, core/cases/change.py)."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from core.models import Case
from core.models.shapes import fields_of
from core.security.access import case_visibility, case_visibility_q
from core.security.auth import Principal

CASE_FIELDS = fields_of(Case)


def visible_cases(principal: Principal) -> QuerySet[Case] | None:
    """Every case the principal may read, as a queryset; None when it may read none."""
    vis = case_visibility(principal)
    if vis.nothing:
        return None
    return Case.filter(case_visibility_q(vis))
