"""Every model of the core, in the tortoise app named "models"."""

from core.models.audit import AuditEntry, IdempotencyKey
from core.models.case_records import (
    CaseEscalation,
    CaseTransition,
    ExecutorAssignment,
    MediationSession,
    ProgressReport,
    ResidentRating,
)
from core.models.cases import Case
from core.models.councils import CouncilAgendaItem, CouncilMeeting, CouncilParticipant
from core.models.documents import PersistedDocument
from core.models.firms import Firm, ManagementContract
from core.models.grassroots import (
    BuildingHead,
    BuildingHeadCoverage,
    CommunityWorker,
    CommunityWorkerRecord,
    Mediator,
    PartyMemberReport,
    PartyServiceRecord,
    VenueHours,
    Volunteer,
    VolunteerService,
)
from core.models.organisations import Organisation
from core.models.owners import Unit, UnitOwnership
from core.models.people import Person
from core.models.places import Building, City, Community, Compound, Grid, Street
from core.models.plugins import PluginConfiguration, PluginConfigurationChange
from core.models.purchases import ServiceDelivery, ServicePurchaseRecord, SocialWorker
from core.models.votes import Ballot, Elector, ElectorMember, Vote, VoteOption
from core.models.workitems import WorkItem, WorkItemRequest, WorkItemRequestCommunity

__all__ = [
    "AuditEntry",
    "Ballot",
    "Building",
    "BuildingHead",
    "BuildingHeadCoverage",
    "Case",
    "CaseEscalation",
    "CaseTransition",
    "City",
    "Community",
    "CommunityWorker",
    "CommunityWorkerRecord",
    "Compound",
    "CouncilAgendaItem",
    "CouncilMeeting",
    "CouncilParticipant",
    "Elector",
    "ElectorMember",
    "ExecutorAssignment",
    "Firm",
    "Grid",
    "IdempotencyKey",
    "ManagementContract",
    "MediationSession",
    "Mediator",
    "Organisation",
    "PartyMemberReport",
    "PartyServiceRecord",
    "PersistedDocument",
    "Person",
    "PluginConfiguration",
    "PluginConfigurationChange",
    "ProgressReport",
    "ResidentRating",
    "ServiceDelivery",
    "ServicePurchaseRecord",
    "SocialWorker",
    "Street",
    "Unit",
    "UnitOwnership",
    "VenueHours",
    "Volunteer",
    "VolunteerService",
    "Vote",
    "VoteOption",
    "WorkItem",
    "WorkItemRequest",
    "WorkItemRequestCommunity",
]
