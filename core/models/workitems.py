"""Community work-item admission (社区工作事项准入): the admitted list and departments' requests."""

from __future__ import annotations

from tortoise import fields

from core.infra.enums import WorkItemOutcome
from core.models.base import CityModel
from core.models.organisations import Organisation
from core.models.places import Community


class WorkItem(CityModel):
    # A work item admitted for communities; taken off the list by setting `withdrawn_on`.

    name = fields.CharField(max_length=128)
    description = fields.TextField(default="")
    # The policy document that admits it, e.g. a municipal notice number.
    basis = fields.CharField(max_length=200, default="")
    admitted_on = fields.DateField()
    withdrawn_on = fields.DateField(null=True)

    class Meta:
        table = "work_items"
        unique_together = (("city", "name"),)


class WorkItemRequest(CityModel):
    # A department's request to hand a work item to communities, accepted or refused.
    #
    # Refusals are kept, not raised away: the list of refusals is itself a report.
    #

    department: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.RESTRICT
    )
    # The admitted item matched by name, when there is one.
    work_item: fields.ForeignKeyNullableRelation[WorkItem] = fields.ForeignKeyField(
        "models.WorkItem", related_name="requests", null=True, on_delete=fields.RESTRICT
    )
    item_name = fields.CharField(max_length=128)
    requested_on = fields.DateField()
    outcome = fields.CharEnumField(WorkItemOutcome, max_length=16)
    # An i18n message code (WORK_ITEM_NOT_ADMITTED, WORK_ITEM_WITHDRAWN) when refused.
    refusal_code = fields.CharField(max_length=32, null=True)
    requested_by_subject = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "work_item_requests"
        indexes = (("city_id", "outcome", "requested_on"),)


class WorkItemRequestCommunity(CityModel):
    # The communities a request names; for an accepted request, the assignments.
    request: fields.ForeignKeyRelation[WorkItemRequest] = fields.ForeignKeyField(
        "models.WorkItemRequest", related_name="communities", on_delete=fields.CASCADE
    )
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "work_item_request_communities"
        unique_together = (("request", "community"),)
        indexes = (("city_id", "community_id"),)
