"""Government purchases of community services from social organisations (政府购买服务).

Generic: every city records its purchases here, whatever its rules. The category is a
string code because categories are the city's (a purchasing plugin names and validates
them); the core keeps the amount, provider, period and what was delivered, so governance
figures can sum spend by category in any city.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.infra.enums import ProcurementMethod, PurchaseStatus
from core.models.base import CityModel


class ServicePurchaseRecord(CityModel):
    title = fields.CharField(max_length=200)
    category = fields.CharField(max_length=40)
    # A SOCIAL_ORGANISATION (core/purchases/proposals.py checks the kind).
    provider: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.RESTRICT
    )
    # The community the service is bought for; none means the city or a street buys it.
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Community", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    period_start = fields.DateField()
    period_end = fields.DateField()
    procurement_method = fields.CharEnumField(ProcurementMethod, max_length=32)
    deliverables = fields.TextField(default="")
    # The buyer's evaluation of what was delivered (0..100 and a note), once evaluated.
    evaluation_score = fields.IntField(null=True)
    evaluation = fields.TextField(null=True)
    status = fields.CharEnumField(PurchaseStatus, max_length=16, default=PurchaseStatus.PROPOSED)
    proposed_by = fields.CharField(max_length=128, default="")

    class Meta:
        table = "service_purchases"
        indexes = (("city_id", "category", "period_start"), ("city_id", "provider_id"))
