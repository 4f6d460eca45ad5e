"""The plugin door: everything a civicgraph plugin imports from civicgraph, and nothing else.

A plugin imports from this package and its `models` module (the core's tables, the base of a
plugin's own) only; import-linter and tests/plugins/test_door.py refuse any other import of
`core` or `schema` from plugins/. Each name is documented in docs/plugins.md, "The plugin door".
"""

from __future__ import annotations

from core.firms.contracts import CONTRACT_MAKERS, create_management_contract
from core.firms.credit import record_credit_event, today
from core.infra.clock import local_date, now
from core.infra.enums import (
    CompoundKind,
    ManagementMode,
    OrganisationKind,
    ProcurementMethod,
    Role,
)
from core.infra.errors import DomainError, ValidationErrors
from core.infra.i18n import Text, localise, number
from core.infra.pagination import Ordering, Page, PageRequest, page_request, paginate
from core.infra.reasons import validation_reason
from core.infra.tenancy import current_city, in_city
from core.places.directory import FIELDS as ROW_FIELDS
from core.plugins.calls import (
    assessment_score,
    city_plugins,
    credit_effects,
    sync_state_owned_projects,
)
from core.plugins.contributions import (
    BLACKLIST,
    BLACKLIST_REMOVAL,
    FIRM_MANAGEMENT_CONTRACT,
    FIRM_SERVICE_PURCHASE,
    INCREASED_INSPECTION,
    NO_NEW_CONTRACTS,
    NO_SERVICE_PURCHASE,
    PENALTY_POINTS,
    PUBLIC_NOTICE,
    WRITTEN_WARNING,
    CityPlugins,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    Criterion,
    EvaluationCriterion,
    EvaluationRules,
    ManagedProject,
    PluginModels,
    Reconciliation,
    Refusal,
    SchemaContribution,
    Score,
    ServicePurchase,
    StateOwnedCompanyConnector,
    SyncingConnector,
    SyncReport,
    SyncRow,
    Violation,
    Worker,
)
from core.plugins.events import CaseFiled, CaseStageChanged, Event, MeetingHeld
from core.plugins.hookspecs import hookimpl
from core.purchases.proposals import ProposePurchaseInput, propose_service_purchase
from core.purchases.spend import spent
from core.security.access import require_compound_in_scope, require_role
from core.security.auth import Principal
from schema.api.context import Context, Info
from schema.api.errors import UserError, attempt, audited
from schema.api.ids import from_global_id, optional_pk, pk_of, to_global_id
from schema.api.relay import Connection, Node, connection
from schema.api.replays import Reread, attempt_create, attempt_record, by_pk, key_argument
from schema.api.rereads import MANAGEMENT_CONTRACT as MANAGEMENT_CONTRACT_REREAD
from schema.api.rows import FromRow
from schema.firms.types import Firm, ManagementContract
from schema.organisations.types import Organisation
from schema.places.types import Compound
from schema.plugin_api.settings import settings_of

__all__ = [
    "BLACKLIST",
    "BLACKLIST_REMOVAL",
    "CONTRACT_MAKERS",
    "FIRM_MANAGEMENT_CONTRACT",
    "FIRM_SERVICE_PURCHASE",
    "INCREASED_INSPECTION",
    "MANAGEMENT_CONTRACT_REREAD",
    "NO_NEW_CONTRACTS",
    "NO_SERVICE_PURCHASE",
    "PENALTY_POINTS",
    "PUBLIC_NOTICE",
    "ROW_FIELDS",
    "WRITTEN_WARNING",
    "CaseFiled",
    "CaseStageChanged",
    "CityPlugins",
    "Compound",
    "CompoundKind",
    "Connection",
    "Context",
    "CreditConsequence",
    "CreditEvent",
    "CreditRecord",
    "CreditStanding",
    "Criterion",
    "DomainError",
    "EvaluationCriterion",
    "EvaluationRules",
    "Event",
    "Firm",
    "FromRow",
    "Info",
    "ManagedProject",
    "ManagementContract",
    "ManagementMode",
    "MeetingHeld",
    "Node",
    "Ordering",
    "Organisation",
    "OrganisationKind",
    "Page",
    "PageRequest",
    "PluginModels",
    "Principal",
    "ProcurementMethod",
    "ProposePurchaseInput",
    "Reconciliation",
    "Refusal",
    "Reread",
    "Role",
    "SchemaContribution",
    "Score",
    "ServicePurchase",
    "StateOwnedCompanyConnector",
    "SyncReport",
    "SyncRow",
    "SyncingConnector",
    "Text",
    "UserError",
    "ValidationErrors",
    "Violation",
    "Worker",
    "assessment_score",
    "attempt",
    "attempt_create",
    "attempt_record",
    "audited",
    "by_pk",
    "city_plugins",
    "connection",
    "create_management_contract",
    "credit_effects",
    "current_city",
    "from_global_id",
    "hookimpl",
    "in_city",
    "key_argument",
    "local_date",
    "localise",
    "now",
    "number",
    "optional_pk",
    "page_request",
    "paginate",
    "pk_of",
    "propose_service_purchase",
    "record_credit_event",
    "require_compound_in_scope",
    "require_role",
    "settings_of",
    "spent",
    "sync_state_owned_projects",
    "to_global_id",
    "today",
    "validation_reason",
]
