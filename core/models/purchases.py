"""Government purchases of community services (政府购买服务) and who provides them.

Generic: every city records its purchases here, whatever its rules. The category is a
string code because categories are the city's (a purchasing plugin names and validates
them); the core keeps the amount, provider, period, the contract, what was delivered and
the evaluation, so governance figures can sum spend by category in any city.

A provider is one of three kinds (ProviderKind): a social organisation or a volunteer team
(both Organisation rows, told apart by the organisation's kind) or a registered social
worker (SocialWorker). Two nullable foreign keys rather than one id with a kind: each
reference stays a real, same-city foreign key (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.infra.enums import ProcurementMethod, ProviderKind, PurchaseStatus
from core.models.base import CityModel


class SocialWorker(CityModel):
    # A registered social worker (社工): a person, their qualification and, when employed by
    # one, their social work organisation. May provide purchased services on their own.
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )
    # 助理社会工作师 / 社会工作师 / 高级社会工作师: the national qualification's level.
    qualification = fields.CharField(max_length=40, default="")
    registered_on = fields.DateField()
    organisation: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "social_workers"
        indexes = (("city_id", "person_id"),)


class ServicePurchaseRecord(CityModel):
    title = fields.CharField(max_length=200)
    category = fields.CharField(max_length=40)
    provider_kind = fields.CharEnumField(
        ProviderKind, max_length=16, default=ProviderKind.ORGANISATION
    )
    # ORGANISATION and VOLUNTEER_TEAM providers (core/purchases/providers.py checks the kind).
    provider: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    social_worker: fields.ForeignKeyNullableRelation[SocialWorker] = fields.ForeignKeyField(
        "models.SocialWorker", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    # The community the service is bought for; none means the city or a street buys it.
    community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Community", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    # As proposed: the proposal commits nothing (spend counts contracts and payments).
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    period_start = fields.DateField()
    period_end = fields.DateField()
    procurement_method = fields.CharEnumField(ProcurementMethod, max_length=32)
    deliverables = fields.TextField(default="")
    status = fields.CharEnumField(PurchaseStatus, max_length=16, default=PurchaseStatus.PROPOSED)
    # Every transition bumps it; a transition names the version it read (a stale one conflicts).
    version = fields.IntField(default=1)
    proposed_by = fields.CharField(max_length=128, default="")
    # Why it was rejected or cancelled, or the approval's note.
    decision_note = fields.TextField(null=True)
    # The contract: its amount and period may differ from the proposal's (negotiated).
    contract_amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    contract_start = fields.DateField(null=True)
    contract_end = fields.DateField(null=True)
    contracted_on = fields.DateField(null=True)
    # The buyer's evaluation against the city's criteria (0..100, the marks per criterion,
    # whether it reached the city's pass mark, and a note), once evaluated.
    evaluation_score = fields.IntField(null=True)
    # [{"criterion": key, "points": n}, ...] in the criteria's order.
    evaluation_marks: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(null=True)
    evaluation_passed = fields.BooleanField(null=True)
    evaluation = fields.TextField(null=True)
    # What was paid in the end: set when closed, or when a contract is cancelled part-way.
    paid_amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        table = "service_purchases"
        indexes = (("city_id", "category", "period_start"), ("city_id", "provider_id"))


class ServiceDelivery(CityModel):
    # One report of service given under a contracted purchase (服务台账).
    purchase: fields.ForeignKeyRelation[ServicePurchaseRecord] = fields.ForeignKeyField(
        "models.ServicePurchaseRecord", related_name=False, on_delete=fields.CASCADE
    )
    delivered_on = fields.DateField()
    activity = fields.CharField(max_length=200)
    # How many people were served (aggregate only: no names, DOMAIN.md "Who may know").
    beneficiaries = fields.IntField()
    hours = fields.DecimalField(max_digits=8, decimal_places=1)
    reported_by = fields.CharField(max_length=128, default="")

    class Meta:
        table = "service_deliveries"
        indexes = (("city_id", "purchase_id", "delivered_on"),)
