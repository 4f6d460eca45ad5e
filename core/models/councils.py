"""Co-construction councils (共建议事会): a compound's meetings, who came, what was decided."""

from __future__ import annotations

from tortoise import fields

from core.models.base import CityModel
from core.models.cases import Case
from core.models.firms import Firm
from core.models.organisations import Organisation
from core.models.people import Person
from core.models.places import Compound


class CouncilMeeting(CityModel):
    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="council_meetings", on_delete=fields.RESTRICT
    )
    held_on = fields.DateField()
    # The community party organisation convenes (DOMAIN.md, processes 1).
    convener: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    # Scheduled until its record is saved; only held meetings count for overdueCouncils.
    held = fields.BooleanField(default=False)
    attendance = fields.IntField(default=0)
    minutes = fields.TextField(default="")

    class Meta:
        table = "council_meetings"
        indexes = (("city_id", "compound_id", "held_on"),)


class CouncilParticipant(CityModel):
    # An organisation, a property firm or a person invited (one of the three); attended is
    # filled in when the record is saved. The compound's property firm sits beside the party
    # organisation and the two committees (DOMAIN.md, processes 1).

    meeting: fields.ForeignKeyRelation[CouncilMeeting] = fields.ForeignKeyField(
        "models.CouncilMeeting", related_name="participants", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    firm: fields.ForeignKeyNullableRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    attended = fields.BooleanField(null=True)

    class Meta:
        table = "council_participants"
        indexes = (("city_id", "meeting_id"),)


class CouncilAgendaItem(CityModel):
    meeting: fields.ForeignKeyRelation[CouncilMeeting] = fields.ForeignKeyField(
        "models.CouncilMeeting", related_name="agenda", on_delete=fields.CASCADE
    )
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="agenda_items", on_delete=fields.CASCADE
    )
    decision = fields.TextField(null=True)

    class Meta:
        table = "council_agenda_items"
        unique_together = (("meeting", "case"),)
        indexes = (("city_id", "case_id"),)
