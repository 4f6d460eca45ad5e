"""Owners' votes under Article 278 of the Civil Code: the vote, its frozen electorate, ballots."""

from __future__ import annotations

from tortoise import fields

from core.infra.enums import BallotChannel, VoteMatter, VoteRule, VoteVerdict
from core.models.base import CityModel
from core.models.firms import Firm
from core.models.people import Person
from core.models.places import Compound


class Vote(CityModel):
    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="votes", on_delete=fields.RESTRICT
    )
    matter = fields.CharEnumField(VoteMatter, max_length=32)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    # For a matter (4) vote: the firm proposed for hiring, when the vote names one.
    firm: fields.ForeignKeyNullableRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    opened_by_subject = fields.CharField(max_length=128, null=True)
    # The city's rule when the vote opened; a later change of the rule does not touch it.
    ballots_changeable = fields.BooleanField(default=True)
    # Denominators frozen at opening: every owner by head, all exclusive area. Area is kept
    # in whole hundredths of m² so that SUM stays exact on SQLite as well as PostgreSQL.
    electorate_heads = fields.IntField()
    electorate_area_cm = fields.BigIntField(description="hundredths of m²")
    # Recorded when the vote is closed; the verdict is recomputed the same way on read.
    verdict = fields.CharEnumField(VoteVerdict, max_length=16, default=VoteVerdict.PENDING)
    decided_by = fields.CharEnumField(VoteRule, max_length=32, null=True)

    class Meta:
        table = "votes"
        indexes = (("city_id", "compound_id", "matter"),)


class VoteOption(CityModel):
    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "models.Vote", related_name="options", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    label = fields.CharField(max_length=200)
    # Ballots for an approving option count towards passing; others are against or abstain.
    approves = fields.BooleanField(default=False)

    class Meta:
        table = "vote_options"
        unique_together = (("vote", "position"),)


class Elector(CityModel):
    """One owner as frozen at opening: the people owning the same units, one head."""

    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "models.Vote", related_name="electors", on_delete=fields.CASCADE
    )
    heads = fields.IntField(default=1)
    area_cm = fields.BigIntField(description="hundredths of m²")
    # The units this owner holds, e.g. "1栋-101, 1栋-102": shown instead of names.
    units = fields.CharField(max_length=1000)

    class Meta:
        table = "vote_electors"
        indexes = (("city_id", "vote_id"),)


class ElectorMember(CityModel):
    """A person who may cast the elector's one ballot (each co-owner of its units)."""

    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "models.Vote", related_name=False, on_delete=fields.CASCADE
    )
    elector: fields.ForeignKeyRelation[Elector] = fields.ForeignKeyField(
        "models.Elector", related_name="members", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "vote_elector_members"
        unique_together = (("elector", "person"),)
        indexes = (("city_id", "vote_id", "person_id"),)


class Ballot(CityModel):
    """An elector's one ballot: a change rewrites it and counts the revision."""

    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "models.Vote", related_name="ballots", on_delete=fields.CASCADE
    )
    elector: fields.ForeignKeyRelation[Elector] = fields.ForeignKeyField(
        "models.Elector", related_name=False, on_delete=fields.CASCADE
    )
    option: fields.ForeignKeyRelation[VoteOption] = fields.ForeignKeyField(
        "models.VoteOption", related_name=False, on_delete=fields.RESTRICT
    )
    channel = fields.CharEnumField(BallotChannel, max_length=16)
    # A proxy ballot names the proxy; every ballot names who entered it (the operator
    # for paper and proxy ballots, the owner's own subject online).
    proxy_name = fields.CharField(max_length=64, null=True)
    entered_by_subject = fields.CharField(max_length=128, null=True)
    cast_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    cast_at = fields.DatetimeField()
    revision = fields.IntField(default=1)

    class Meta:
        table = "ballots"
        unique_together = (("vote", "elector"),)
