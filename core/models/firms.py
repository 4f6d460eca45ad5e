"""Property-service firms and their management contracts with compounds."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.infra.enums import ManagementMode
from core.models.base import CityModel
from core.models.places import Compound


class Firm(CityModel):
    name = fields.CharField(max_length=128)
    # The unified social credit code (统一社会信用代码), 18 characters.
    registration_number = fields.CharField(max_length=18)
    is_state_owned = fields.BooleanField(default=False)
    owning_group = fields.CharField(max_length=128, null=True)
    founded_on = fields.DateField(null=True)

    EXPOSED = ("name", "registration_number", "is_state_owned", "owning_group", "founded_on")

    class Meta:
        table = "firms"
        unique_together = (("city", "registration_number"),)


class ManagementContract(CityModel):
    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="contracts", on_delete=fields.RESTRICT
    )
    firm: fields.ForeignKeyRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name="contracts", on_delete=fields.RESTRICT
    )
    starts_on = fields.DateField()
    # Open-ended while null: the contract in force today is the compound's current one.
    ends_on = fields.DateField(null=True)
    mode = fields.CharEnumField(ManagementMode, max_length=32, default=ManagementMode.PROPERTY_FIRM)
    # What authorised the contract (core/firms/contracts.py): the owners' passed matter (4) vote,
    # or, for public rental housing that has no owners, the housing authority's decision.
    vote: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Vote", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    authority_decision = fields.CharField(max_length=200, null=True)

    EXPOSED = ("compound_id", "firm_id", "starts_on", "ends_on", "mode")

    class Meta:
        table = "management_contracts"
        indexes = (("city_id", "compound_id", "starts_on"), ("city_id", "firm_id"))
