"""Donghong in GraphQL (contributed by register_schema): the sync runs and the projects the
feed reported, the party-mass service stations, the sync mutation, takeover and handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from plugins.dongguan_donghong import takeover
from plugins.dongguan_donghong.models import (
    DonghongProject,
    DonghongSyncRun,
    JointMeeting,
    ServiceStation,
)
from plugins.dongguan_donghong.settings import NAME, DonghongSettings
from plugins.dongguan_donghong.sync import PROJECT_FIELDS, STATUSES
from schema.plugin_api import (
    MANAGEMENT_CONTRACT_REREAD,
    ROW_FIELDS,
    Compound,
    Connection,
    FromRow,
    Info,
    ManagementContract,
    Ordering,
    Organisation,
    OrganisationKind,
    Role,
    SyncReport,
    Text,
    UserError,
    attempt,
    attempt_create,
    city_plugins,
    connection,
    key_argument,
    localise,
    optional_pk,
    page_request,
    paginate,
    pk_of,
    require_role,
    settings_of,
    sync_state_owned_projects,
    to_global_id,
)
from schema.plugin_api.models import Community, Person
from schema.plugin_api.models import Compound as CompoundModel
from schema.plugin_api.models import Organisation as OrganisationModel

SYNC_ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
READERS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN, Role.STREET_ADMIN})
RUN_FIELDS = (
    "id", "ran_at", "actor", "dry_run", "status", *(s.lower() for s in STATUSES), "errors", "rows"
)  # fmt: skip
STATION_FIELDS = (
    "id", "organisation_id", "project_id", "head_id", "head_title", "deputy_head_id",
    "deputy_community_id", "members", "party_members", "owners",
)  # fmt: skip


async def _compound(info: Info, compound_id: int | None) -> Compound | None:
    if compound_id is None:
        return None
    row = await info.context.loaders.rows[CompoundModel].load(compound_id)
    return Compound.from_row(row) if row else None  # type: ignore[arg-type]


@strawberry.type(description="One project's outcome in a sync with Donghong's feed.")
class DonghongSyncRow:
    status: str = strawberry.field(description="MATCHED, CREATED, CHANGED, ENDED or CONFLICTING.")
    project_code: str
    compound_id: strawberry.Private[int | None]
    text: strawberry.Private[str | Text]

    @strawberry.field(description="What happened and why, in the request's language.")
    def detail(self, info: Info) -> str:
        return localise(self.text, info.context.lang)

    @strawberry.field
    async def compound(self, info: Info) -> Compound | None:
        return await _compound(info, self.compound_id)


def _rows(rows: list[dict[str, Any]]) -> list[DonghongSyncRow]:
    return [
        DonghongSyncRow(
            status=r["status"],
            project_code=r["project_code"],
            compound_id=r["compound_id"],
            text=r["detail"],
        )
        for r in rows
    ]


@strawberry.type(
    name="DonghongSyncRun",
    description="A recorded sync run with Donghong's feed: who, when, what it found.",
)
class SyncRunNode:
    id: strawberry.ID
    ran_at: dt.datetime
    actor: str
    dry_run: bool
    status: str = strawberry.field(description="APPLIED, DRY_RUN or FAILED (nothing changed).")
    matched: int
    created: int
    changed: int
    ended: int
    conflicting: int
    problems: strawberry.Private[list[str | Text]]
    rows: list[DonghongSyncRow]

    @strawberry.field(description="Why the feed was refused, in the request's language.")
    def errors(self, info: Info) -> list[str]:
        return [localise(e, info.context.lang) for e in self.problems]

    from_row = FromRow(
        computed={"problems": lambda r: list(r["errors"]), "rows": lambda r: _rows(r["rows"])},
    )


@strawberry.type(
    name="DonghongProject", description="A project as Donghong's feed last reported it."
)
class ProjectNode:
    id: strawberry.ID
    project_code: str
    name: str
    compound_id: strawberry.Private[int | None]
    community: str
    kind: str
    floor_area: float | None
    homes: int | None
    managed_since: dt.date | None
    managed_until: dt.date | None

    from_row = FromRow()

    @strawberry.field
    async def compound(self, info: Info) -> Compound | None:
        return await _compound(info, self.compound_id)


@strawberry.type(description="A joint meeting (联席会议) of a service station and what it decided.")
class DonghongJointMeeting:
    held_on: dt.date
    topic: str
    attendees: int
    decision: str


@strawberry.type(description="Members of a service station by kind.")
class DonghongStationMembers:
    total: int
    party_members: int
    owners: int


@strawberry.type(description="A party-mass service station (党群服务站) of a Donghong project.")
class DonghongServiceStation:
    id: strawberry.ID
    organisation: Organisation
    head_name: str | None = strawberry.field(description="The project's property manager.")
    head_title: str
    deputy_head_name: str | None
    deputy_community: str | None = strawberry.field(description="The deputy's community.")
    members: DonghongStationMembers
    groups: list[Organisation]
    joint_meetings: list[DonghongJointMeeting]
    compound_id: strawberry.Private[int | None]

    @strawberry.field
    async def compound(self, info: Info) -> Compound | None:
        return await _compound(info, self.compound_id)


async def _stations(rows: list[dict[str, Any]]) -> list[DonghongServiceStation]:
    """The page's stations with their organisations, people, groups and meetings: five
    statements whatever the page size."""
    org_ids = [r["organisation_id"] for r in rows]
    orgs = {o["id"]: o for o in await _org_rows(id__in=org_ids)}
    groups: dict[int, list[dict[str, Any]]] = {}
    for g in await _org_rows(parent_id__in=org_ids, kind=OrganisationKind.SERVICE_GROUP):
        groups.setdefault(g["parent_id"], []).append(g)
    people_ids = [i for r in rows for i in (r["head_id"], r["deputy_head_id"]) if i]
    names = dict(await Person.filter(id__in=people_ids).values_list("id", "name"))
    place_ids = [r["deputy_community_id"] for r in rows if r["deputy_community_id"]]
    places = dict(await Community.filter(id__in=place_ids).values_list("id", "name"))
    meetings: dict[int, list[DonghongJointMeeting]] = {}
    for m in (
        await JointMeeting.filter(station_id__in=[r["id"] for r in rows])
        .order_by("held_on", "id")
        .values("station_id", "held_on", "topic", "attendees", "decision")
    ):
        meetings.setdefault(m.pop("station_id"), []).append(DonghongJointMeeting(**m))
    found = []
    for r in rows:
        org = orgs[r["organisation_id"]]
        found.append(
            DonghongServiceStation(
                id=strawberry.ID(to_global_id("DonghongServiceStation", r["id"])),
                organisation=Organisation.from_row(org),
                head_name=names.get(r["head_id"]),
                head_title=r["head_title"],
                deputy_head_name=names.get(r["deputy_head_id"]),
                deputy_community=places.get(r["deputy_community_id"]),
                members=DonghongStationMembers(
                    total=r["members"], party_members=r["party_members"], owners=r["owners"]
                ),
                groups=[Organisation.from_row(g) for g in groups.get(org["id"], [])],
                joint_meetings=meetings.get(r["id"], []),
                compound_id=org["compound_id"],
            )
        )
    return found


async def _org_rows(**filters: Any) -> list[dict[str, Any]]:
    return list(
        await OrganisationModel.filter(**filters)
        .order_by("id")
        .values(*ROW_FIELDS[OrganisationModel])
    )


@strawberry.type
class DonghongQuery:
    @strawberry.field(description="Sync runs with Donghong's feed, newest first (admins).")
    async def donghong_sync_runs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SyncRunNode]:
        require_role(info.context.principal, READERS)
        page = await paginate(
            DonghongSyncRun.all(), Ordering("ran_at", descending=True), page_request(first, after),
            RUN_FIELDS,
        )  # fmt: skip
        return connection(page, SyncRunNode.from_row)

    @strawberry.field(description="Donghong's projects as its feed last reported them.")
    async def donghong_projects(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ProjectNode]:
        require_role(info.context.principal, READERS)
        page = await paginate(
            DonghongProject.all(), Ordering("project_code"), page_request(first, after),
            PROJECT_FIELDS,
        )  # fmt: skip
        return connection(page, ProjectNode.from_row)

    @strawberry.field(description="Donghong's party-mass service stations.")
    async def donghong_service_stations(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[DonghongServiceStation]:
        page = await paginate(
            ServiceStation.all(), Ordering("id"), page_request(first, after), STATION_FIELDS
        )
        built = iter(await _stations(page.rows))
        return connection(page, lambda _: next(built))


@strawberry.type(description="A company's sync run as the mutation reports it.")
class StateOwnedSyncReport:
    plugin: str
    company: str
    dry_run: bool
    run_id: strawberry.ID | None
    matched: int
    created: int
    changed: int
    ended: int
    conflicting: int
    problems: strawberry.Private[list[str | Text]]
    rows: list[DonghongSyncRow]

    @strawberry.field(description="Why the feed was refused, in the request's language.")
    def errors(self, info: Info) -> list[str]:
        return [localise(e, info.context.lang) for e in self.problems]

    @classmethod
    def of(cls, r: SyncReport) -> StateOwnedSyncReport:
        return cls(
            plugin=r.plugin,
            company=r.company,
            dry_run=r.dry_run,
            run_id=strawberry.ID(to_global_id("DonghongSyncRun", r.run_id)) if r.run_id else None,
            problems=list(r.errors),
            rows=[
                DonghongSyncRow(
                    status=x.status,
                    project_code=x.external_id,
                    compound_id=x.compound_id,
                    text=x.detail,
                )
                for x in r.rows
            ],
            **{s.lower(): r.count(s) for s in STATUSES},
        )


@strawberry.type
class SyncStateOwnedProjectsPayload:
    reports: list[StateOwnedSyncReport]
    errors: list[UserError]


@strawberry.type
class DonghongContractPayload:
    contract: ManagementContract | None
    errors: list[UserError]


TakeOverKey = key_argument("the compound is taken over")
HandOverKey = key_argument("the compound is handed over")


def _run_ids(reports: list[SyncReport]) -> list[str]:
    return [to_global_id("DonghongSyncRun", r.run_id) for r in reports if r.run_id]


@strawberry.type
class DonghongMutation:
    @strawberry.mutation(
        description="Pull the state-owned companies' project feeds and reconcile them with "
        "the city's compounds and contracts (one transaction per company; a failing feed "
        "changes nothing and says why). dryRun reports without writing."
    )
    async def sync_state_owned_projects(
        self, info: Info, dry_run: bool = False, connector: str | None = None
    ) -> SyncStateOwnedProjectsPayload:
        principal = info.context.principal

        async def act() -> list[SyncReport]:
            require_role(principal, SYNC_ADMINS)
            return await sync_state_owned_projects(
                connector, dry_run=dry_run, actor=principal.subject or ""
            )

        # Audited, but not in one transaction: the feed is fetched over the network between
        # the connector's own transactions, so the entry follows the run (core/security/audit.py).
        reports, errors = await attempt(info, act, target=_run_ids, own_transactions=True)
        return SyncStateOwnedProjectsPayload(
            reports=[StateOwnedSyncReport.of(r) for r in reports or []], errors=errors
        )

    @strawberry.mutation(
        description="Donghong takes over a compound: needs the owners' passed vote on hiring "
        "it (public rental housing: the housing authority's decision); the previous "
        "contract ends that day."
    )
    async def donghong_take_over(
        self,
        info: Info,
        compound_id: strawberry.ID,
        starts_on: dt.date,
        vote_id: strawberry.ID | None = None,
        authority_decision: str | None = None,
        idempotency_key: TakeOverKey = None,
    ) -> DonghongContractPayload:
        async def act() -> ManagementContract:
            row = await takeover.take_over(
                info.context.principal,
                settings_of(await city_plugins(), NAME, DonghongSettings),
                pk_of(compound_id, "Compound", "compoundId"),
                starts_on,
                vote_id=optional_pk(vote_id, "Vote", "voteId"),
                authority_decision=authority_decision,
            )
            return ManagementContract.from_row(row)

        contract, errors = await attempt_create(
            info, act, idempotency_key, MANAGEMENT_CONTRACT_REREAD
        )
        return DonghongContractPayload(contract=contract, errors=errors)

    @strawberry.mutation(
        description="Donghong hands a compound over to the next firm, hired by the same kind "
        "of decision; Donghong's contract ends that day."
    )
    async def donghong_hand_over(
        self,
        info: Info,
        compound_id: strawberry.ID,
        to_firm_id: strawberry.ID,
        starts_on: dt.date,
        vote_id: strawberry.ID | None = None,
        authority_decision: str | None = None,
        idempotency_key: HandOverKey = None,
    ) -> DonghongContractPayload:
        async def act() -> ManagementContract:
            row = await takeover.hand_over(
                info.context.principal,
                settings_of(await city_plugins(), NAME, DonghongSettings),
                pk_of(compound_id, "Compound", "compoundId"),
                pk_of(to_firm_id, "Firm", "toFirmId"),
                starts_on,
                vote_id=optional_pk(vote_id, "Vote", "voteId"),
                authority_decision=authority_decision,
            )
            return ManagementContract.from_row(row)

        contract, errors = await attempt_create(
            info, act, idempotency_key, MANAGEMENT_CONTRACT_REREAD
        )
        return DonghongContractPayload(contract=contract, errors=errors)


__all__ = ["NAME", "DonghongMutation", "DonghongQuery"]
