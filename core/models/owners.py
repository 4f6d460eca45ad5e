"""Units of a compound and who owns them: the register an owners' vote is counted from."""

from __future__ import annotations

from tortoise import fields

from core.models.base import CityModel
from core.models.people import Person
from core.models.places import Building, Compound


class Unit(CityModel):
    """A unit under exclusive ownership (专有部分): a flat, a shop, a parking space."""

    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="units", on_delete=fields.RESTRICT
    )
    building: fields.ForeignKeyNullableRelation[Building] = fields.ForeignKeyField(
        "models.Building", related_name="units", null=True, on_delete=fields.RESTRICT
    )
    number = fields.CharField(max_length=32)
    # Exclusive floor area in m², as registered; two decimals, as on a property certificate.
    area = fields.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        table = "units"
        unique_together = (("city", "compound", "number"),)


class UnitOwnership(CityModel):
    """One owner of a unit: a unit with several rows is co-owned and casts one vote."""

    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "models.Unit", related_name="ownerships", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="ownerships", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "unit_ownerships"
        unique_together = (("unit", "person"),)
        indexes = (("city_id", "person_id"),)
