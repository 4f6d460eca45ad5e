"""Every model of the core, in the tortoise app named "models"."""

from core.models.audit import AuditEntry, IdempotencyKey
from core.models.case_records import (
    CaseTransition,
    ExecutorAssignment,
    MediationSession,
    ProgressReport,
    ResidentRating,
)
from core.models.cases import Case
from core.models.councils import CouncilAgendaItem, CouncilMeeting, CouncilParticipant
from core.models.firms import Firm, ManagementContract
from core.models.organisations import Organisation
from core.models.owners import Unit, UnitOwnership
from core.models.people import Person
from core.models.places import Building, City, Community, Compound, Grid, Street
from core.models.plugins import PluginConfiguration, PluginConfigurationChange
from core.models.votes import Ballot, Elector, ElectorMember, Vote, VoteOption

__all__ = [
    "AuditEntry",
    "Ballot",
    "Building",
    "Case",
    "CaseTransition",
    "City",
    "Community",
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
    "Organisation",
    "Person",
    "PluginConfiguration",
    "PluginConfigurationChange",
    "ProgressReport",
    "ResidentRating",
    "Street",
    "Unit",
    "UnitOwnership",
    "Vote",
    "VoteOption",
]
