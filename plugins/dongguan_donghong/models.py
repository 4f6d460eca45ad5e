"""Donghong's tables (tortoise app `dongguan_donghong`): the projects its feed reports, a
report per synchronisation run, and its party-mass service stations with their joint
meetings."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from schema.plugin_api.models import CityModel

APP = "dongguan_donghong"


class DonghongProject(CityModel):
    """A project as the company last reported it, linked to the city's compound."""

    project_code = fields.CharField(max_length=40)
    name = fields.CharField(max_length=128)
    compound: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Compound", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    compound_name = fields.CharField(max_length=128, default="")
    street = fields.CharField(max_length=64, default="")
    community = fields.CharField(max_length=64, default="")
    kind = fields.CharField(max_length=32, default="")
    floor_area = fields.FloatField(null=True, description="m²")
    homes = fields.IntField(null=True)
    managed_since = fields.DateField(null=True)
    managed_until = fields.DateField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "dh_projects"
        unique_together = (("city", "project_code"),)


class DonghongSyncRun(CityModel):
    """One synchronisation with the feed: who ran it, what it found, or why it failed."""

    ran_at = fields.DatetimeField(auto_now_add=True)
    actor = fields.CharField(max_length=128, default="")
    dry_run = fields.BooleanField(default=False)
    status = fields.CharField(max_length=16)  # APPLIED, DRY_RUN or FAILED
    matched = fields.IntField(default=0)
    created = fields.IntField(default=0)
    changed = fields.IntField(default=0)
    ended = fields.IntField(default=0)
    conflicting = fields.IntField(default=0)
    errors: Any = fields.JSONField(default=list)
    # Every project's row: {"status", "project_code", "compound_id", "detail"}.
    rows: Any = fields.JSONField(default=list)

    class Meta:
        app = APP
        table = "dh_sync_runs"
        indexes = (("city_id", "ran_at"),)


class ServiceStation(CityModel):
    """A party-mass service station (党群服务站) of a Donghong project: the organisation the
    directory already has, with what the directory does not say — who heads it (the
    project's property manager), its deputy from the community, its members by kind."""

    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.RESTRICT
    )
    project: fields.ForeignKeyNullableRelation[DonghongProject] = fields.ForeignKeyField(
        f"{APP}.DonghongProject", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    head: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    head_title = fields.CharField(max_length=64, default="项目物业经理")
    deputy_head: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    deputy_community: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Community", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    members = fields.IntField(default=0)
    party_members = fields.IntField(default=0)
    owners = fields.IntField(default=0)

    class Meta:
        app = APP
        table = "dh_service_stations"
        unique_together = (("city", "organisation"),)


class JointMeeting(CityModel):
    """A joint meeting (联席会议) of the station deciding an important question of the compound."""

    station: fields.ForeignKeyRelation[ServiceStation] = fields.ForeignKeyField(
        f"{APP}.ServiceStation", related_name=False, on_delete=fields.CASCADE
    )
    held_on = fields.DateField()
    topic = fields.CharField(max_length=200)
    attendees = fields.IntField(default=0)
    decision = fields.CharField(max_length=500, default="")

    class Meta:
        app = APP
        table = "dh_joint_meetings"
        indexes = (("city_id", "station_id", "held_on"),)
