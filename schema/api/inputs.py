"""Filter inputs of the root connections, turned into core's filter values."""

from __future__ import annotations

import datetime as dt

import strawberry

from core.cases.filing import CaseFilter as CoreCaseFilter
from core.infra import enums as domain
from core.places.directory import CompoundFilter as CoreCompoundFilter
from core.places.directory import FirmFilter as CoreFirmFilter
from core.places.directory import OrganisationFilter as CoreOrganisationFilter
from core.places.directory import PlaceFilter as CorePlaceFilter
from schema.api.enums import CaseKind, CaseStage, CompoundKind, ManagementMode, OrganisationKind
from schema.api.ids import optional_pk


@strawberry.input
class PlaceFilter:
    name_contains: str | None = None
    street_id: strawberry.ID | None = None
    community_id: strawberry.ID | None = None
    compound_id: strawberry.ID | None = None

    def to_core(self) -> CorePlaceFilter:
        return CorePlaceFilter(
            name_contains=self.name_contains,
            street_id=optional_pk(self.street_id, "Street", "filter.streetId"),
            community_id=optional_pk(self.community_id, "Community", "filter.communityId"),
            compound_id=optional_pk(self.compound_id, "Compound", "filter.compoundId"),
        )


@strawberry.input
class CompoundFilter:
    name_contains: str | None = None
    street_id: strawberry.ID | None = None
    community_id: strawberry.ID | None = None
    kind: list[CompoundKind] | None = None
    mature: bool | None = None
    management_mode: ManagementMode | None = None
    firm_id: strawberry.ID | None = strawberry.field(
        default=None, description="Compounds the firm manages today."
    )

    def to_core(self) -> CoreCompoundFilter:
        return CoreCompoundFilter(
            name_contains=self.name_contains,
            street_id=optional_pk(self.street_id, "Street", "filter.streetId"),
            community_id=optional_pk(self.community_id, "Community", "filter.communityId"),
            kinds=tuple(domain.CompoundKind(k) for k in self.kind or ()),
            mature=self.mature,
            management_mode=(
                domain.ManagementMode(self.management_mode) if self.management_mode else None
            ),
            firm_id=optional_pk(self.firm_id, "Firm", "filter.firmId"),
        )


@strawberry.input
class OrganisationFilter:
    name_contains: str | None = None
    kind: list[OrganisationKind] | None = None
    parent_id: strawberry.ID | None = None
    root_only: bool = strawberry.field(default=False, description="Only tops of trees.")
    street_id: strawberry.ID | None = None
    community_id: strawberry.ID | None = None
    compound_id: strawberry.ID | None = None

    def to_core(self) -> CoreOrganisationFilter:
        return CoreOrganisationFilter(
            name_contains=self.name_contains,
            kinds=tuple(domain.OrganisationKind(k) for k in self.kind or ()),
            parent_id=optional_pk(self.parent_id, "Organisation", "filter.parentId"),
            root_only=self.root_only,
            street_id=optional_pk(self.street_id, "Street", "filter.streetId"),
            community_id=optional_pk(self.community_id, "Community", "filter.communityId"),
            compound_id=optional_pk(self.compound_id, "Compound", "filter.compoundId"),
        )


@strawberry.input
class FirmFilter:
    name_contains: str | None = None
    is_state_owned: bool | None = None

    def to_core(self) -> CoreFirmFilter:
        return CoreFirmFilter(name_contains=self.name_contains, is_state_owned=self.is_state_owned)


@strawberry.input
class CaseFilter:
    compound_id: strawberry.ID | None = None
    community_id: strawberry.ID | None = None
    street_id: strawberry.ID | None = None
    kind: list[CaseKind] | None = None
    stage: list[CaseStage] | None = None
    filed_after: dt.datetime | None = None
    filed_before: dt.datetime | None = None

    def to_core(self) -> CoreCaseFilter:
        return CoreCaseFilter(
            compound_id=optional_pk(self.compound_id, "Compound", "filter.compoundId"),
            community_id=optional_pk(self.community_id, "Community", "filter.communityId"),
            street_id=optional_pk(self.street_id, "Street", "filter.streetId"),
            kinds=tuple(domain.CaseKind(k) for k in self.kind or ()),
            stages=tuple(domain.CaseStage(s) for s in self.stage or ()),
            filed_after=self.filed_after,
            filed_before=self.filed_before,
        )
