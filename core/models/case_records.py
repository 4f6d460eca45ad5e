"""What happens to a case along the way: timeline, executors, progress, ratings, mediation."""

from __future__ import annotations

from tortoise import fields

from core.infra.enums import CaseStage, EscalationLevel, TransitionKind
from core.models.base import CityModel
from core.models.cases import Case
from core.models.firms import Firm
from core.models.organisations import Organisation
from core.models.people import Person
from core.models.places import Street


class CaseTransition(CityModel):
    # One entry of a case's timeline: filing, a move, a reopening or an escalation.

    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="transitions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(TransitionKind, max_length=16)
    from_stage = fields.CharEnumField(CaseStage, max_length=32, null=True)
    to_stage = fields.CharEnumField(CaseStage, max_length=32)
    actor_subject = fields.CharField(max_length=128, null=True)
    actor_role = fields.CharField(max_length=32, null=True)
    note = fields.TextField(default="")
    escalation_level = fields.CharEnumField(EscalationLevel, max_length=16, null=True)
    occurred_at = fields.DatetimeField()

    class Meta:
        table = "case_transitions"
        indexes = (("city_id", "case_id", "occurred_at"),)


class ExecutorAssignment(CityModel):
    # Who carries out the council's decision: a firm, or a department or organisation.

    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="assignments", on_delete=fields.CASCADE
    )
    firm: fields.ForeignKeyNullableRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    due_on = fields.DateField()
    # The case's round when assigned: a reopened case needs an executor of its new round.
    round = fields.IntField(default=1)
    assigned_by_subject = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "case_executor_assignments"
        indexes = (("city_id", "case_id"),)


class ProgressReport(CityModel):
    # The executor's progress report, or, with a supervisor, the supervision feedback
    # (监督反馈) of a body other than the executor: owners' committee, community, party.

    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="progress", on_delete=fields.CASCADE
    )
    text = fields.TextField()
    percent = fields.IntField(null=True)
    round = fields.IntField(default=1)
    supervisor: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reported_by_subject = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "case_progress_reports"
        indexes = (("city_id", "case_id"),)


class ResidentRating(CityModel):
    # A resident's evaluation of a case: once per resident per round (a reopening is a round).

    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="ratings", on_delete=fields.CASCADE
    )
    round = fields.IntField(default=1)
    resident_subject = fields.CharField(max_length=128)
    score = fields.IntField()
    comment = fields.TextField(default="")

    class Meta:
        table = "case_resident_ratings"
        # The database enforces "once", so two concurrent ratings cannot both land.
        unique_together = (("case", "round", "resident_subject"),)


class MediationSession(CityModel):
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="mediation_sessions", on_delete=fields.CASCADE
    )
    held_on = fields.DateField()
    mediator: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    note = fields.TextField(default="")

    class Meta:
        table = "case_mediation_sessions"
        indexes = (("city_id", "case_id"),)


class CaseEscalation(CityModel):
    # One escalation of an overdue case, as the desk it went to reads it (issue 16): the
    # street's desk (level STREET, the case's street) or the city's (level CITY). The
    # timeline keeps the ESCALATED entry; this row is the desk's queue and its acknowledgement.

    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="escalations", on_delete=fields.CASCADE
    )
    level = fields.CharEnumField(EscalationLevel, max_length=16)
    # The case's street when it escalated: the receiving desk of a STREET escalation, and
    # what the city desk filters by.
    street: fields.ForeignKeyRelation[Street] = fields.ForeignKeyField(
        "models.Street", related_name=False, on_delete=fields.RESTRICT
    )
    stage = fields.CharEnumField(CaseStage, max_length=32)
    # The deadline that lapsed, and the day of the run that found it lapsed (its `asOf`).
    due_on = fields.DateField()
    escalated_on = fields.DateField()
    escalated_at = fields.DatetimeField()
    escalated_by_subject = fields.CharField(max_length=128, null=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by_subject = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "case_escalations"
        indexes = (("city_id", "level", "street_id", "escalated_at"), ("city_id", "case_id"))
