"""The role table of docs/security.md, run through the API: one test per operation and role.

The table is parsed from the document, so a change to either the code or the document without
the other fails here. Each operation is probed on a "home" area, inside the scope of every
scoped role, and an "away" area, outside all of them (same city):

- `all`: allowed at home and away (reads: both targets seen);
- `scope`: allowed at home, refused away (reads: the home target seen, the away one not);
- `none` (reads): answered, but neither target seen;
- `no`: refused with a code (AUTH_REQUIRED, FORBIDDEN, ...).

A mutation counts as refused when it answers an authorisation code (below), at the top
level or among the payload's user errors; any other outcome, a domain error such as
VOTE_NOT_DUE included, means the caller got past the checks of who may do it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.infra.cities import ensure_cities
from core.infra.enums import (
    CaseKind,
    CaseStage,
    CompoundKind,
    EscalationLevel,
    OrganisationKind,
    ProcurementMethod,
    PurchaseStatus,
    Role,
)
from core.infra.settings import get_settings
from core.infra.tenancy import in_city
from core.models import (
    Building,
    BuildingHead,
    BuildingHeadCoverage,
    Case,
    CaseEscalation,
    Community,
    CommunityWorker,
    Compound,
    CouncilMeeting,
    ExecutorAssignment,
    Firm,
    ManagementContract,
    Mediator,
    Organisation,
    PartyMemberReport,
    Person,
    ServicePurchaseRecord,
    Street,
    Volunteer,
    VoteOption,
    WorkItem,
)
from core.security.auth import CITY_WIDE, Scope, ScopeKind, mint_token
from schema.api.build import core_schema
from schema.api.ids import to_global_id
from schema.compiler import run as compiled_run
from schema.http.app import create_app
from tests.conftest import ON_POSTGRES, truncate_all
from tests.core.votes.owners_fixtures import open_on, register_owners

DOC = Path(__file__).resolve().parents[3] / "docs" / "security.md"
CITY = "dongguan"
ROLES = [r for r in Role]
# Error codes that mean "not this caller" (scope reads as not found, never as forbidden).
REFUSALS = frozenset(
    {
        "AUTH_REQUIRED",
        "FORBIDDEN",
        "NOT_FOUND",
        "OUT_OF_SCOPE",
        "STAGE_FORBIDDEN",
        "NOT_AN_OWNER",
        "NOT_EXECUTOR",
    }
)


# --- the table ------------------------------------------------------------------------------


def parse_table(
    text: str, heading: str = "## Who may do what", skip: int = 2
) -> dict[str, dict[Role, str]]:
    """`| \\`operation\\` | kind | ANONYMOUS | ... |` rows -> {operation: {role: outcome}};
    `skip`: the columns before the roles'."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    roles = [Role(name) for name in header[skip:]]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        operation = cells[0].strip("`")
        outcomes = [re.match(r"[a-z]+", cell).group(0) for cell in cells[skip:]]  # type: ignore[union-attr]
        table[operation] = dict(zip(roles, outcomes, strict=True))
    return table


TABLE = parse_table(DOC.read_text(encoding="utf-8"))
# Who reads a case of each kind ("Cases by kind"): {kind: {role: all|scope|own|none}}.
KINDS_TABLE = parse_table(DOC.read_text(encoding="utf-8"), "## Cases by kind", skip=1)


# --- the data: a home area inside every scope, an away area outside them all ------------------


@dataclass
class Area:
    street: Street
    community: Community
    compound: Compound
    firm: Firm
    case: Case
    vote_id: int
    option_id: int
    owner_subject: str
    owner_id: int
    party_id: int
    ids: dict[str, str] = field(default_factory=dict)


async def new_case(compound_id: int, kind: CaseKind, stage: CaseStage, **fields: Any) -> Case:
    """A case straight in `stage`, its deadline long past (so it is overdue)."""
    with in_city(CITY):
        return await Case.create(
            **fields,
            kind=kind,
            title="楼道漏水",
            compound_id=compound_id,
            stage=stage,
            stage_entered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            stage_due_on=dt.date(2026, 1, 10),
        )


async def _area(tag: str, owner: str) -> Area:
    with in_city(CITY):
        street = await Street.create(name=f"{tag}街道")
        community = await Community.create(street=street, name=f"{tag}社区")
        compound = await Compound.create(
            community=community,
            name=f"{tag}小区",
            kind=CompoundKind.COMMERCIAL_RESIDENTIAL,
            homes=100,
            residents=300,
            mature=True,
        )
        building = await Building.create(compound=compound, name="1栋", floors=18, homes=72)
        firm = await Firm.create(
            name=f"{tag}物业", registration_number=f"91441900{tag.upper()}000001"[:18]
        )
        await ManagementContract.create(compound=compound, firm=firm, starts_on=dt.date(2020, 1, 1))
        case = await new_case(compound.id, CaseKind.PROPERTY_DISPUTE, CaseStage.TOPIC_COLLECTION)
        service = await new_case(compound.id, CaseKind.SERVICE_REQUEST, CaseStage.SUBMITTED)
        party = await Organisation.create(
            kind=OrganisationKind.PARTY_COMMUNITY, name=f"{tag}社区党委", community=community
        )
    people = await register_owners(compound, [("101", "100.00", [owner])])
    vote = await open_on(compound)
    grassroots = await _grassroots(community.id, building.id, people[owner].id)
    with in_city(CITY):
        option = await VoteOption.filter(vote_id=vote["id"]).order_by("id").first()
    assert option is not None
    area = Area(
        street, community, compound, firm, case, int(vote["id"]), option.id, owner,
        people[owner].id, party.id,
    )  # fmt: skip
    area.ids = {
        **grassroots,
        "building": to_global_id("Building", building.id),
        "community": to_global_id("Community", community.id),
        "service": to_global_id("Case", service.id),
        "party": to_global_id("Organisation", party.id),
        "compound": to_global_id("Compound", compound.id),
        "firm": to_global_id("Firm", firm.id),
        "case": to_global_id("Case", case.id),
        "vote": to_global_id("Vote", area.vote_id),
        "option": to_global_id("VoteOption", option.id),
        "owner": to_global_id("Person", area.owner_id),
    }
    return area


async def _grassroots(community_id: int, building_id: int, person_id: int) -> dict[str, str]:
    """The area's community worker, party member, volunteer, building head and mediator."""
    since = dt.date(2025, 1, 1)
    with in_city(CITY):
        worker = await CommunityWorker.create(
            person_id=person_id, community_id=community_id, admitted_on=since
        )
        member = await PartyMemberReport.create(
            person_id=person_id, community_id=community_id, reported_on=since
        )
        volunteer = await Volunteer.create(
            person_id=person_id, community_id=community_id, registered_on=since
        )
        head = await BuildingHead.create(person_id=person_id, appointed_on=since)
        await BuildingHeadCoverage.create(head_id=head.id, building_id=building_id)
        committee = await Organisation.create(
            kind=OrganisationKind.MEDIATION_COMMITTEE, name="调委会", community_id=community_id
        )
        mediator = await Mediator.create(
            person_id=person_id, committee_id=committee.id, appointed_on=since
        )
    return {
        "worker": to_global_id("CommunityWorker", worker.id),
        "member": to_global_id("PartyMember", member.id),
        "volunteer": to_global_id("Volunteer", volunteer.id),
        "head": to_global_id("BuildingHead", head.id),
        "mediator": to_global_id("Mediator", mediator.id),
    }


@dataclass
class World:
    home: Area
    away: Area
    organisation_id: int

    def scope(self, role: Role) -> Scope:
        home = self.home
        return {
            Role.RESIDENT: Scope(ScopeKind.COMPOUND, home.compound.id),
            Role.BUILDING_HEAD: Scope(ScopeKind.COMPOUND, home.compound.id),
            Role.COMMUNITY_WORKER: Scope(ScopeKind.COMMUNITY, home.community.id),
            Role.MEDIATOR: Scope(ScopeKind.COMMUNITY, home.community.id),
            Role.FIRM_STAFF: Scope(ScopeKind.FIRM, home.firm.id),
            Role.SOCIAL_ORG_STAFF: Scope(ScopeKind.ORGANISATION, self.organisation_id),
            Role.STREET_ADMIN: Scope(ScopeKind.STREET, home.street.id),
        }.get(role, CITY_WIDE)

    def token(self, role: Role) -> str | None:
        if role is Role.ANONYMOUS:
            return None
        # Residents and building heads sign in as an owner of the home compound.
        subject = self.home.owner_subject if role in (Role.RESIDENT, Role.BUILDING_HEAD) else None
        return mint_token(CITY, role, self.scope(role), subject=subject)


_world: dict[str, World] = {}


@pytest.fixture
async def world(database_url: str) -> World:
    """Built once for the module: the probes' writes never move a target in or out of scope."""
    if "world" in _world:
        with in_city(CITY):
            # Another module may have emptied the database since.
            street = _world["world"].home.street
            if await Street.filter(id=street.id, name=street.name).exists():
                return _world["world"]
    await truncate_all()
    await ensure_cities()
    home, away = await _area("home", "owner-home"), await _area("away", "owner-away")
    with in_city(CITY):
        organisation = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="社工站", community=home.community
        )
    _world["world"] = World(home, away, organisation.id)
    return _world["world"]


@pytest.fixture(scope="module")
async def api(database_url: str) -> Any:
    unlimited = dataclasses.replace(get_settings().limits, rate_per_second=0)
    transport = httpx.ASGITransport(app=create_app(manage_db=False, limits=unlimited))
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as c:
        yield c


# --- probes: how each operation is tried ------------------------------------------------------

Vars = Callable[[Area, Role], dict[str, Any]]


@dataclass(frozen=True)
class Probe:
    query: str
    variables: Vars = lambda area, role: {}
    # Reads (and mutations that report what they touched): whether the answer shows the
    # area's target; None: allowed is enough.
    sees: Callable[[dict[str, Any], Area], bool] | None = None
    # Fresh objects for one try (e.g. a case in the stage the mutation needs), by key.
    prepare: Callable[[Area], Awaitable[dict[str, str]]] | None = None


def _ids(nodes: list[dict[str, Any]]) -> set[str]:
    return {n["id"] for n in nodes}


def _listed(root: str, key: str) -> Callable[[dict[str, Any], Area], bool]:
    return lambda data, area: area.ids[key] in _ids(data[root]["nodes"])


def _present(root: str) -> Callable[[dict[str, Any], Area], bool]:
    return lambda data, area: data[root] is not None


def _target(key: str, name: str = "id") -> Vars:
    return lambda area, role: {name: area.ids[key]}


ADMIN_ROLES = {Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN}


def _ballot(area: Area, role: Role) -> dict[str, Any]:
    ballot: dict[str, Any] = {"voteId": area.ids["vote"], "optionId": area.ids["option"]}
    if role in ADMIN_ROLES:
        # Staff record paper ballots for an owner; owners vote online themselves.
        ballot |= {"channel": "IN_PERSON", "ownerId": area.ids["owner"]}
    return {"input": ballot}


def _directory(root: str) -> Probe:
    return Probe(f"{{ {root}(first: 100) {{ nodes {{ id }} }} }}")


PAYLOAD = "errors { code field }"
PROBES: dict[str, Probe] = {
    "city": Probe("{ city { slug viewerRole } }"),
    "node": Probe("query($id: ID!) { node(id: $id) { id } }", _target("case"), _present("node")),
    "streets": _directory("streets"),
    "communities": _directory("communities"),
    "compounds": _directory("compounds"),
    "buildings": _directory("buildings"),
    "grids": _directory("grids"),
    "organisations": _directory("organisations"),
    "firms": _directory("firms"),
    "cases": Probe("{ cases(first: 100) { nodes { id } } }", sees=_listed("cases", "case")),
    "citySettings": Probe("{ citySettings { plugin } }"),
    "votes": Probe("{ votes(first: 100) { nodes { id } } }", sees=_listed("votes", "vote")),
    "vote": Probe("query($id: ID!) { vote(id: $id) { id } }", _target("vote"), _present("vote")),
    "compoundsWithoutSupportingVote": Probe(
        "{ compoundsWithoutSupportingVote(first: 100) { nodes { id } } }",
        sees=_listed("compoundsWithoutSupportingVote", "compound"),
    ),
    "fileCase": Probe(
        'mutation($c: ID!) { fileCase(input: {kind: PROPERTY_DISPUTE, title: "漏水",'
        f" compoundId: $c}}) {{ {PAYLOAD} }} }}",
        _target("compound", "c"),
    ),
    "updatePluginSettings": Probe(
        f'mutation {{ updatePluginSettings(plugin: "none", settings: {{}}) {{ {PAYLOAD} }} }}'
    ),
    "enablePlugin": Probe(f'mutation {{ enablePlugin(plugin: "none") {{ {PAYLOAD} }} }}'),
    "disablePlugin": Probe(f'mutation {{ disablePlugin(plugin: "none") {{ {PAYLOAD} }} }}'),
    "openVote": Probe(
        "mutation($c: ID!, $t: DateTime!) { openVote(input: {compoundId: $c, matter:"
        f' PROPERTY_MANAGER, title: "选聘物业", closesAt: $t}}) {{ {PAYLOAD} }} }}',
        lambda area, role: {
            "c": area.ids["compound"],
            "t": (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat(),
        },
    ),
    "castBallot": Probe(
        f"mutation($input: BallotInput!) {{ castBallot(input: $input) {{ {PAYLOAD} }} }}", _ballot
    ),
    "changeBallot": Probe(
        f"mutation($input: BallotInput!) {{ changeBallot(input: $input) {{ {PAYLOAD} }} }}",
        _ballot,
    ),
    "closeVote": Probe(
        f"mutation($id: ID!) {{ closeVote(voteId: $id) {{ {PAYLOAD} }} }}", _target("vote")
    ),
    "createManagementContract": Probe(
        "mutation($c: ID!, $f: ID!) { createManagementContract(input: {compoundId: $c,"
        f' firmId: $f, startsOn: "2030-01-01"}}) {{ {PAYLOAD} }} }}',
        lambda area, role: {"c": area.ids["compound"], "f": area.ids["firm"]},
    ),
}


def _fresh(kind: CaseKind, stage: CaseStage, executor: bool = False):
    """A prepare hook: a new case of `kind` in `stage` in the area's compound. A mediation is
    filed by the area's owner: personal, it is read by its party (docs/security.md, "Cases by
    kind"), whom building heads sign in as."""

    async def prepare(area: Area) -> dict[str, str]:
        filer = area.owner_subject if kind is CaseKind.MEDIATION else None
        case = await new_case(area.compound.id, kind, stage, filed_by_subject=filer)
        if executor:
            with in_city(CITY):
                await ExecutorAssignment.create(
                    case_id=case.id, firm_id=area.firm.id, due_on=dt.date(2099, 1, 1)
                )
        return {"fresh": to_global_id("Case", case.id)}

    return prepare


async def _meeting(area: Area) -> dict[str, str]:
    with in_city(CITY):
        meeting = await CouncilMeeting.create(
            compound_id=area.compound.id, held_on=dt.date(2000, 1, 1), convener_id=area.party_id
        )
    return {"meeting": to_global_id("CouncilMeeting", meeting.id)}


def _case_input(**extra: Any) -> Vars:
    return lambda area, role: {"input": {"caseId": area.ids["fresh"], **extra}}


def _mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {PAYLOAD} }} }}"


TODAY = dt.date.today().isoformat()
FAR = "2099-01-01"
DISPUTE, MEDIATION = CaseKind.PROPERTY_DISPUTE, CaseKind.MEDIATION

PROBES |= {
    "overdueCouncils": Probe(
        f'{{ overdueCouncils(asOf: "{TODAY}", first: 100) {{ nodes {{ id }} }} }}',
        sees=_listed("overdueCouncils", "compound"),
    ),
    "overdueCases": Probe(
        f'{{ overdueCases(asOf: "{FAR}", first: 100) {{ nodes {{ id }} }} }}',
        sees=_listed("overdueCases", "case"),
    ),
    "overdueServiceRequests": Probe(
        f'{{ overdueServiceRequests(asOf: "{FAR}", first: 100) {{ nodes {{ id }} }} }}',
        sees=_listed("overdueServiceRequests", "service"),
    ),
    "caseStageFigures": Probe(
        f'{{ caseStageFigures(asOf: "{TODAY}", level: COMPOUND) {{ placeId }} }}',
        sees=lambda data, area: (
            area.ids["compound"] in {f["placeId"] for f in data["caseStageFigures"]}
        ),
    ),
    "councilMeetings": Probe(
        "query($c: ID!) { councilMeetings(compoundId: $c) { id } }",
        _target("compound", "c"),
        sees=lambda data, area: data["councilMeetings"] is not None,
    ),
    "advanceCase": Probe(
        _mutation("advanceCase", "AdvanceCaseInput"),
        _case_input(version=1, toStage="TOPIC_DETERMINATION"),
        prepare=_fresh(DISPUTE, CaseStage.TOPIC_COLLECTION),
    ),
    "determineTopic": Probe(
        _mutation("determineTopic", "DetermineTopicInput"),
        _case_input(version=1, topic="楼道漏水", category="REPAIRS"),
        prepare=_fresh(DISPUTE, CaseStage.TOPIC_DETERMINATION),
    ),
    "assignExecutor": Probe(
        _mutation("assignExecutor", "AssignExecutorInput"),
        lambda area, role: {
            "input": {"caseId": area.ids["fresh"], "dueOn": FAR, "firmId": area.ids["firm"]}
        },
        prepare=_fresh(DISPUTE, CaseStage.DECISION_EXECUTION),
    ),
    "reportProgress": Probe(
        _mutation("reportProgress", "ReportProgressInput"),
        _case_input(text="已完成一半", percent=50),
        prepare=_fresh(DISPUTE, CaseStage.DECISION_EXECUTION, executor=True),
    ),
    "rateCase": Probe(
        _mutation("rateCase", "RateCaseInput"),
        _case_input(score=4),
        prepare=_fresh(DISPUTE, CaseStage.RESIDENT_EVALUATION),
    ),
    "reopenCase": Probe(
        _mutation("reopenCase", "ReopenCaseInput"),
        _case_input(version=1),
        prepare=_fresh(DISPUTE, CaseStage.RESIDENT_EVALUATION),
    ),
    "assignMediator": Probe(
        _mutation("assignMediator", "AssignMediatorInput"),
        lambda area, role: {
            "input": {"caseId": area.ids["fresh"], "version": 1, "mediatorId": area.ids["owner"]}
        },
        prepare=_fresh(MEDIATION, CaseStage.MEDIATING),
    ),
    "recordMediationSession": Probe(
        _mutation("recordMediationSession", "RecordMediationSessionInput"),
        _case_input(heldOn=TODAY),
        prepare=_fresh(MEDIATION, CaseStage.MEDIATING),
    ),
    "scheduleCouncilMeeting": Probe(
        _mutation("scheduleCouncilMeeting", "ScheduleCouncilMeetingInput"),
        lambda area, role: {
            "input": {
                "compoundId": area.ids["compound"],
                "heldOn": FAR,
                "convenerId": area.ids["party"],
            }
        },
    ),
    "recordCouncilMeeting": Probe(
        _mutation("recordCouncilMeeting", "RecordCouncilMeetingInput"),
        lambda area, role: {
            "input": {"meetingId": area.ids["meeting"], "minutes": "议定维修", "attendance": 7}
        },
        prepare=_meeting,
    ),
    "escalateOverdueCases": Probe(
        f'mutation {{ escalateOverdueCases(asOf: "{TODAY}") {{ id }} }}',
        sees=lambda data, area: (
            area.ids["fresh"] in {c["id"] for c in data["escalateOverdueCases"] or ()}
        ),
        prepare=_fresh(DISPUTE, CaseStage.TOPIC_COLLECTION),
    ),
}


async def _escalation(area: Area) -> dict[str, str]:
    """An escalation of the area's case to its street's desk, as a run would write it."""
    with in_city(CITY):
        entry = await CaseEscalation.create(
            case_id=area.case.id,
            level=EscalationLevel.STREET,
            street_id=area.street.id,
            stage=CaseStage.TOPIC_COLLECTION,
            due_on=dt.date(2026, 1, 10),
            escalated_on=dt.date(2026, 1, 12),
            escalated_at=dt.datetime(2026, 1, 12, tzinfo=dt.UTC),
        )
    return {"escalation": to_global_id("CaseEscalation", entry.id)}


PROBES |= {
    "escalatedCases": Probe(
        "{ escalatedCases(first: 100) { nodes { id } } }",
        sees=_listed("escalatedCases", "escalation"),
        prepare=_escalation,
    ),
    "acknowledgeEscalation": Probe(
        f"mutation($id: ID!) {{ acknowledgeEscalation(escalationId: $id) {{ {PAYLOAD} }} }}",
        _target("escalation"),
        prepare=_escalation,
    ),
}


_unit_numbers = iter(range(1, 1_000_000))

# The votes area (docs/votes.md): the owner register, the frozen owner list, the mode.
PROBES |= {
    "voteElectors": Probe(
        "query($id: ID!) { voteElectors(voteId: $id, first: 10) { totalCount } }",
        _target("vote"),
        sees=lambda data, area: data["voteElectors"] is not None,
    ),
    "recordUnit": Probe(
        _mutation("recordUnit", "RecordUnitInput"),
        lambda area, role: {
            "input": {
                "compoundId": area.ids["compound"],
                "number": f"probe-{next(_unit_numbers)}",
                "area": "80.00",
                "ownerIds": [area.ids["owner"]],
            }
        },
    ),
    # Without a vote the change is refused with VOTE_REQUIRED: past the access check, and
    # nothing written, so the world stays as built.
    "changeManagementMode": Probe(
        _mutation("changeManagementMode", "ChangeManagementModeInput"),
        lambda area, role: {
            "input": {
                "compoundId": area.ids["compound"],
                "mode": "OWNER_SELF_MANAGED",
                "effectiveOn": TODAY,
            }
        },
    ),
}


PROBES |= {
    "people": Probe("{ people(first: 100) { nodes { id } } }", sees=_listed("people", "owner")),
    "figures": Probe(
        "query($s: ID!) { figures(streetId: $s) { __typename } }",
        lambda area, role: {"s": to_global_id("Street", area.street.id)},
        sees=lambda data, area: data["figures"] is not None,
    ),
    "auditLog": Probe("{ auditLog(first: 5) { totalCount } }"),
}


async def _work_item(area: Area) -> dict[str, str]:
    with in_city(CITY):
        name = f"垃圾分类督导{await WorkItem.all().count()}"  # names are unique in a city
        item = await WorkItem.create(name=name, admitted_on=dt.date(2025, 1, 1))
    return {"item": to_global_id("WorkItem", item.id)}


def _people(root: str, key: str) -> Probe:
    return Probe(f"{{ {root}(first: 100) {{ nodes {{ id }} }} }}", sees=_listed(root, key))


def _hours(name: str, arg: str, key: str) -> Probe:
    return Probe(
        f'mutation($id: ID!) {{ {name}({arg}: $id, servedOn: "{TODAY}", hours: 2.5,'
        ' activity: "清洁楼道") { code } }',
        _target(key),
    )


PROBES |= {
    "buildingHeads": _people("buildingHeads", "head"),
    "communityWorkers": _people("communityWorkers", "worker"),
    "partyMembers": _people("partyMembers", "member"),
    "volunteers": _people("volunteers", "volunteer"),
    "mediators": _people("mediators", "mediator"),
    "serviceVenues": Probe("{ serviceVenues(first: 10) { totalCount } }"),
    "admittedWorkItems": Probe("{ admittedWorkItems(first: 10) { nodes { id } } }"),
    "workItemRequests": Probe("{ workItemRequests(first: 10) { nodes { id } } }"),
    "admitWorkItem": Probe(
        'mutation { admitWorkItem(name: "入户走访", description: "", basis: "文件")'
        f" {{ {PAYLOAD} }} }}"
    ),
    "withdrawWorkItem": Probe(
        f"mutation($id: ID!) {{ withdrawWorkItem(id: $id) {{ {PAYLOAD} }} }}",
        _target("item"),
        prepare=_work_item,
    ),
    "requestWorkItemAssignment": Probe(
        _mutation("requestWorkItemAssignment", "RequestWorkItemInput"),
        lambda area, role: {
            "input": {
                "departmentId": area.ids["party"],
                "itemName": "入户走访",
                "communityIds": [area.ids["community"]],
            }
        },
    ),
    "appointBuildingHead": Probe(
        _mutation("appointBuildingHead", "AppointBuildingHeadInput"),
        lambda area, role: {
            "input": {
                "personId": area.ids["owner"],
                "buildingIds": [area.ids["building"]],
                "appointedOn": TODAY,
            }
        },
    ),
    "admitCommunityWorker": Probe(
        "mutation($p: ID!, $c: ID!) { admitCommunityWorker(personId: $p, communityId: $c,"
        f' admittedOn: "{TODAY}") {{ {PAYLOAD} }} }}',
        lambda area, role: {"p": area.ids["owner"], "c": area.ids["community"]},
    ),
    "recordWorkerEvent": Probe(
        _mutation("recordWorkerEvent", "WorkerEventInput"),
        lambda area, role: {
            "input": {"workerId": area.ids["worker"], "kind": "TRAINING", "occurredOn": TODAY}
        },
    ),
    "recordPartyService": _hours("recordPartyService", "memberId", "member"),
    "recordVolunteerService": _hours("recordVolunteerService", "volunteerId", "volunteer"),
}


PROBES |= {
    "firmCreditRanking": Probe("{ firmCreditRanking(first: 10) { totalCount } }"),
    "servicePurchases": Probe("{ servicePurchases(first: 10) { totalCount } }"),
    "recordCreditEvent": Probe(
        _mutation("recordCreditEvent", "RecordCreditEventInput"),
        lambda area, role: {
            "input": {
                "firmId": area.ids["firm"],
                "kind": "DEDUCTION",
                "reason": "电梯年检逾期",
                "source": "inspection",
            }
        },
    ),
    "proposeServicePurchase": Probe(
        _mutation("proposeServicePurchase", "ProposeServicePurchaseInput"),
        lambda area, role: {
            "input": {
                "title": "长者助餐",
                "category": "ELDERLY",
                "providerId": area.ids["party"],
                "amount": "50000.00",
                "periodStart": "2027-01-01",
                "periodEnd": "2027-12-31",
                "procurementMethod": "INQUIRY",
                "communityId": area.ids["community"],
            }
        },
    ),
}


def _purchase_in(status: PurchaseStatus) -> Callable[[Area], Awaitable[dict[str, str]]]:
    """A fresh purchase for the area's community, provided by the area's social organisation
    (at home the one SOCIAL_ORG_STAFF signs in for), in `status`."""

    async def prepare(area: Area) -> dict[str, str]:
        contracted = status is PurchaseStatus.CONTRACTED
        with in_city(CITY):
            provider = await Organisation.filter(
                kind=OrganisationKind.SOCIAL_ORGANISATION, community_id=area.community.id
            ).first()
            if provider is None:
                provider = await Organisation.create(
                    kind=OrganisationKind.SOCIAL_ORGANISATION, name="外社工站",
                    community=area.community,
                )  # fmt: skip
            purchase = await ServicePurchaseRecord.create(
                title="长者助餐", category="ELDERLY_CARE", provider=provider,
                community=area.community, amount=Decimal(50_000), period_start=PERIOD[0],
                period_end=PERIOD[1], procurement_method=ProcurementMethod.INQUIRY,
                status=status, contract_amount=Decimal(50_000) if contracted else None,
                contract_start=PERIOD[0] if contracted else None,
                contract_end=PERIOD[1] if contracted else None,
            )  # fmt: skip
        return {
            "purchase": to_global_id("ServicePurchase", purchase.id),
            "provider": to_global_id("Organisation", provider.id),
        }

    return prepare


def _purchase_move(name: str, status: PurchaseStatus, **extra: Any) -> Probe:
    return Probe(
        _mutation(name, f"{name[0].upper()}{name[1:]}Input"),
        lambda area, role: {"input": {"purchaseId": area.ids["purchase"], "version": 1, **extra}},
        prepare=_purchase_in(status),
    )


PERIOD = (dt.date.today() - dt.timedelta(days=30), dt.date.today() + dt.timedelta(days=300))
P = PurchaseStatus
PROBES |= {
    "socialWorkers": Probe("{ socialWorkers(first: 10) { totalCount } }"),
    "approveServicePurchase": _purchase_move("approveServicePurchase", P.PROPOSED),
    "rejectServicePurchase": _purchase_move("rejectServicePurchase", P.PROPOSED, reason="超预算"),
    "contractServicePurchase": Probe(
        _mutation("contractServicePurchase", "ContractServicePurchaseInput"),
        lambda area, role: {
            "input": {
                "purchaseId": area.ids["purchase"],
                "version": 1,
                "providerId": area.ids["provider"],
                "amount": "50000",
                "periodStart": PERIOD[0].isoformat(),
                "periodEnd": PERIOD[1].isoformat(),
            }
        },
        prepare=_purchase_in(P.APPROVED),
    ),
    "recordServiceDelivery": Probe(
        _mutation("recordServiceDelivery", "RecordServiceDeliveryInput"),
        lambda area, role: {
            "input": {
                "purchaseId": area.ids["purchase"],
                "deliveredOn": PERIOD[0].isoformat(),
                "activity": "上门探访",
                "beneficiaries": 5,
                "hours": "3",
            }
        },
        prepare=_purchase_in(P.CONTRACTED),
    ),
    "evaluateServicePurchase": _purchase_move(
        "evaluateServicePurchase", P.CONTRACTED, marks=[{"criterion": "OUTCOMES", "points": 30}]
    ),
    "closeServicePurchase": _purchase_move("closeServicePurchase", P.PROPOSED, paidAmount="0"),
    "cancelServicePurchase": _purchase_move("cancelServicePurchase", P.PROPOSED, reason="取消"),
}


# --- running a probe --------------------------------------------------------------------------


async def _run(api: httpx.AsyncClient, auth: str | None, probe: Probe, area: Area, role: Role):
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    if probe.prepare is not None:
        area = dataclasses.replace(area, ids={**area.ids, **await probe.prepare(area)})
    payload = {"query": probe.query, "variables": probe.variables(area, role)}
    response = await api.post(f"/graphql/{CITY}", json=payload, headers=headers)
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or ()}
    assert "INTERNAL" not in codes and "GRAPHQL_VALIDATION" not in codes, body
    data = body.get("data") or {}
    for value in data.values():  # mutation payloads: their user errors
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            codes |= {e["code"] for e in value["errors"]}
        elif isinstance(value, list):  # a mutation answering its user errors alone
            codes |= {e["code"] for e in value if isinstance(e, dict) and "code" in e}
    return bool(codes & REFUSALS), data, area


async def outcome(api: httpx.AsyncClient, world: World, operation: str, role: Role) -> str:
    probe = PROBES[operation]
    auth = world.token(role)
    refused, data, home_area = await _run(api, auth, probe, world.home, role)
    if refused:
        return "no"
    is_read = not probe.query.lstrip().startswith("mutation")
    if probe.sees is not None:
        home = probe.sees(data, home_area)
        away_refused, away_data, away_area = await _run(api, auth, probe, world.away, role)
        away = not away_refused and probe.sees(away_data, away_area)
        return {(True, True): "all", (True, False): "scope"}.get((home, away), "none")
    if is_read:
        return "all"
    away_refused, _, _ = await _run(api, auth, probe, world.away, role)
    return "scope" if away_refused else "all"


# --- the tests --------------------------------------------------------------------------------


def test_the_table_lists_every_root_field_and_mutation():
    # The core schema: a plugin's operations are documented with the plugin.
    schema = core_schema()._schema
    served = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert served - set(TABLE) == set(), "operations missing from docs/security.md"
    assert set(TABLE) - served == set(), "docs/security.md lists operations the API lacks"


def test_every_row_has_a_probe_and_names_every_role():
    assert set(TABLE) - set(PROBES) == set(), "add a probe for these rows"
    for operation, row in TABLE.items():
        assert set(row) == set(Role), operation
        assert set(row.values()) <= {"all", "scope", "none", "no"}, operation


@pytest.mark.parametrize("operation", list(TABLE))
async def test_each_role_may_do_what_the_table_says(world: World, api, operation: str):
    # One row at a time: a failure shows the whole row as the code has it.
    actual = {role.value: await outcome(api, world, operation, role) for role in ROLES}
    assert actual == {role.value: TABLE[operation][role] for role in ROLES}


# --- cases by kind ("Cases by kind" in docs/security.md) --------------------------------------

# What each cell reads of the cases `_personal_cases` makes: someone else's case at home, the
# caller's own at home (filed by it, and mediated by it), and away (someone else's, its own).
KIND_SIGHT = {
    "all": {"other", "filed", "mediated", "away-other", "away-filed"},
    "scope": {"other", "filed", "mediated"},
    "own": {"filed", "mediated"},
    "none": set(),
}
CASES_OF = """query($c: ID!, $k: CaseKind!) {
  cases(first: 100, filter: {compoundId: $c, kind: [$k]}) { nodes { id } }
}"""
NESTED_OF = """query($c: ID!, $k: CaseKind!) {
  node(id: $c) { ... on Compound { cases(first: 100, kind: [$k]) { nodes { id } } } }
}"""


def test_the_kinds_table_names_every_kind_and_role():
    assert set(KINDS_TABLE) == {k.value for k in CaseKind}
    for kind, row in KINDS_TABLE.items():
        assert set(row) == set(Role), kind
        assert set(row.values()) <= set(KIND_SIGHT), kind


async def _personal_cases(world: World, kind: CaseKind, subject: str) -> dict[str, str]:
    """The cases one caller (signing in as `subject`) is tried on, by name. The rule for a
    caller's own cases does not look at the kind, so every kind gets a mediated one."""
    stage = {
        CaseKind.PROPERTY_DISPUTE: CaseStage.TOPIC_COLLECTION,
        CaseKind.SERVICE_REQUEST: CaseStage.SUBMITTED,
        CaseKind.MEDIATION: CaseStage.MEDIATING,
    }[kind]
    with in_city(CITY):
        mediator = await Person.create(name="调解员", subject=subject)
    home, away = world.home.compound.id, world.away.compound.id
    made = {
        "other": await new_case(home, kind, stage, filed_by_subject="someone-else"),
        "filed": await new_case(home, kind, stage, filed_by_subject=subject),
        "mediated": await new_case(home, kind, stage, mediator_id=mediator.id),
        "away-other": await new_case(away, kind, stage, filed_by_subject="someone-else"),
        "away-filed": await new_case(away, kind, stage, filed_by_subject=subject),
    }
    return {name: to_global_id("Case", case.id) for name, case in made.items()}


async def _sight(
    api: httpx.AsyncClient, token: str | None, ids: dict[str, str], world: World, kind: CaseKind
) -> dict[str, set[str]]:
    """What the caller reads of `ids` through `node`, `cases` and `Compound.cases`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    by_id = {v: k for k, v in ids.items()}
    seen: dict[str, set[str]] = {"node": set(), "cases": set(), "compound.cases": set()}
    for name, case_id in ids.items():
        body = (
            await api.post(
                f"/graphql/{CITY}",
                json={
                    "query": "query($id: ID!) { node(id: $id) { id } }",
                    "variables": {"id": case_id},
                },
                headers=headers,
            )
        ).json()
        assert "errors" not in body, body
        if body["data"]["node"] is not None:
            seen["node"].add(name)
    for area in (world.home, world.away):
        variables = {"c": area.ids["compound"], "k": kind.value}
        for path, query in (("cases", CASES_OF), ("compound.cases", NESTED_OF)):
            body = (
                await api.post(
                    f"/graphql/{CITY}",
                    json={"query": query, "variables": variables},
                    headers=headers,
                )
            ).json()
            data = body.get("data") or {}
            codes = {e["extensions"]["code"] for e in body.get("errors") or ()}
            assert codes <= {"AUTH_REQUIRED"}, body
            if path == "cases":
                # Anonymous callers are refused the list.
                nodes = (data.get("cases") or {"nodes": []})["nodes"]
            else:
                nodes = data["node"]["cases"]["nodes"]
            seen[path] |= {by_id[n["id"]] for n in nodes if n["id"] in by_id}
    return seen


@pytest.mark.parametrize(
    "compiled",
    [
        pytest.param(
            True, id="compiled", marks=pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only")
        ),
        pytest.param(False, id="resolvers"),
    ],
)
@pytest.mark.parametrize("kind", list(CaseKind))
async def test_each_role_reads_the_cases_of_a_kind_the_table_says(
    world: World, api, kind: CaseKind, compiled: bool, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CIVICGRAPH_COMPILED", "1" if compiled else "0")
    before = compiled_run.stats["compiled"]
    actual, expected = {}, {}
    for role in ROLES:
        subject = f"kinds-{kind.value}-{role.value}-{compiled}"
        ids = await _personal_cases(world, kind, subject)
        token = (
            None
            if role is Role.ANONYMOUS
            else mint_token(CITY, role, world.scope(role), subject=subject)
        )
        sight = await _sight(api, token, ids, world, kind)
        want = KIND_SIGHT[KINDS_TABLE[kind.value][role]]
        # The list refuses anonymous callers; node and the nested list answer with nothing.
        actual[role.value] = {path: sorted(names) for path, names in sight.items()}
        expected[role.value] = {
            path: sorted(want) if (path, role) != ("cases", Role.ANONYMOUS) else []
            for path in sight
        }
    assert actual == expected
    assert (compiled_run.stats["compiled"] > before) == compiled
