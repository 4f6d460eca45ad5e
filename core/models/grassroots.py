"""Grassroots people: building heads, community workers, dual-reporting party members,
volunteers, mediators, and the opening hours of service venues.

Each is a table of its own pointing at Person, rather than columns on Person: a person may
hold several of these roles at once, and Person's personal data stays in one place.
"""

from __future__ import annotations

from tortoise import fields

from core.infra.enums import WorkerRecordKind
from core.models.base import CityModel
from core.models.organisations import Organisation
from core.models.people import Person
from core.models.places import Building, Community


class BuildingHead(CityModel):
    # A building head (楼栋长): a person, the five duties, and the buildings covered.

    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )
    # Every head carries the five duties (五员); a city may narrow them per head.
    duties: fields.JSONField[list[str]] = fields.JSONField(default=list)
    appointed_on = fields.DateField()
    # The last day served, inclusive; null while serving.
    ended_on = fields.DateField(null=True)

    class Meta:
        table = "building_heads"
        indexes = (("city_id", "person_id"),)


class BuildingHeadCoverage(CityModel):
    head: fields.ForeignKeyRelation[BuildingHead] = fields.ForeignKeyField(
        "models.BuildingHead", related_name="coverage", on_delete=fields.CASCADE
    )
    building: fields.ForeignKeyRelation[Building] = fields.ForeignKeyField(
        "models.Building", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "building_head_buildings"
        unique_together = (("head", "building"),)
        indexes = (("city_id", "building_id"),)


class CommunityWorker(CityModel):
    # A community worker (社区工作者); the lifecycle is in CommunityWorkerRecord.

    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name=False, on_delete=fields.RESTRICT
    )
    admitted_on = fields.DateField()
    # The current pay grade, kept in step with the latest PAY_GRADE record.
    pay_grade = fields.CharField(max_length=16, null=True)
    exited_on = fields.DateField(null=True)
    exit_reason = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "community_workers"
        indexes = (("city_id", "community_id"),)


class CommunityWorkerRecord(CityModel):
    worker: fields.ForeignKeyRelation[CommunityWorker] = fields.ForeignKeyField(
        "models.CommunityWorker", related_name="records", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(WorkerRecordKind, max_length=16)
    occurred_on = fields.DateField()
    detail = fields.CharField(max_length=200, default="")
    pay_grade = fields.CharField(max_length=16, null=True)  # PAY_GRADE records
    score = fields.FloatField(null=True)  # ASSESSMENT records, 0-100
    amount = fields.FloatField(null=True)  # INCENTIVE records, yuan

    class Meta:
        table = "community_worker_records"
        indexes = (("city_id", "worker_id", "occurred_on"),)


class PartyMemberReport(CityModel):
    # An in-service party member reporting to the community where they live (双报到).

    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name=False, on_delete=fields.RESTRICT
    )
    # The employer's party organisation, which reports to the community as well.
    employer_organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reported_on = fields.DateField()
    ended_on = fields.DateField(null=True)

    class Meta:
        table = "party_member_reports"
        indexes = (("city_id", "community_id"),)


class PartyServiceRecord(CityModel):
    member: fields.ForeignKeyRelation[PartyMemberReport] = fields.ForeignKeyField(
        "models.PartyMemberReport", related_name="services", on_delete=fields.CASCADE
    )
    served_on = fields.DateField()
    hours = fields.FloatField()
    activity = fields.CharField(max_length=200)

    class Meta:
        table = "party_service_records"
        indexes = (("city_id", "member_id"),)


class Volunteer(CityModel):
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )
    community: fields.ForeignKeyNullableRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    registered_on = fields.DateField()

    class Meta:
        table = "volunteers"
        indexes = (("city_id", "community_id"),)


class VolunteerService(CityModel):
    volunteer: fields.ForeignKeyRelation[Volunteer] = fields.ForeignKeyField(
        "models.Volunteer", related_name="services", on_delete=fields.CASCADE
    )
    served_on = fields.DateField()
    hours = fields.FloatField()
    activity = fields.CharField(max_length=200)

    class Meta:
        table = "volunteer_services"
        indexes = (("city_id", "volunteer_id"),)


class Mediator(CityModel):
    # A mediator of a people's mediation committee (an Organisation of that kind).

    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )
    committee: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.RESTRICT
    )
    is_chair = fields.BooleanField(default=False)
    appointed_on = fields.DateField()
    ended_on = fields.DateField(null=True)

    class Meta:
        table = "mediators"
        indexes = (("city_id", "committee_id"),)


class VenueHours(CityModel):
    # One opening period of a service venue on one weekday (1 = Monday ... 7 = Sunday).
    #
    # Staggered hours (错时上下班) are periods outside office hours (evenings, weekends),
    # flagged so residents who work office hours can find them.
    #

    venue: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    weekday = fields.SmallIntField()
    # Minutes after midnight: the same integers on both databases, and easy to compare.
    opens_minute = fields.SmallIntField()
    closes_minute = fields.SmallIntField()
    staggered = fields.BooleanField(default=False)

    class Meta:
        table = "venue_hours"
        indexes = (("city_id", "venue_id"),)
