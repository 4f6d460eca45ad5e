"""The values plugins hand to the core and the core hands to plugins.

Plain dataclasses and protocols, so `core/plugins/hookspecs.py` stays free of GraphQL, HTTP and ORM
types: a plugin returns these, the core interprets them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from core.infra.i18n import Text


class NoSettings(BaseModel):
    """The settings of a plugin that declares none."""


@dataclass(frozen=True)
class CityPlugins:
    """What every hook receives as `city`: the city's slug and its plugins' settings."""

    slug: str
    enabled: frozenset[str] = frozenset()
    settings: Mapping[str, BaseModel] = field(default_factory=dict)

    def settings_for(self, plugin: str) -> BaseModel:
        """The city's validated settings of `plugin` (its defaults when never set)."""
        return self.settings.get(plugin, NoSettings())


# ---------------------------------------------------------------------------
# Refusals and violations
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A plugin's reason to refuse an action; `plugin` is filled in by the core.

    Texts a person reads (here and below: `reason`, `reasons`, `detail`, `errors`) are a
    `Text(zh, en)`, so the core shows them in the request's language; a plain str is shown
    as it is, in every language.
    """

    reason: str | Text
    code: str = "PLUGIN_REFUSED"
    plugin: str = ""


@dataclass(frozen=True)
class Violation:
    """One broken rule: which input field it concerns and why."""

    field: str | None
    reason: str | Text
    code: str = "PLUGIN_RULE_VIOLATED"
    plugin: str = ""


# Purposes a firm may be checked for (check_firm_eligibility).
FIRM_MANAGEMENT_CONTRACT = "management_contract"
FIRM_SERVICE_PURCHASE = "service_purchase"


# ---------------------------------------------------------------------------
# Models and schema
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PluginModels:
    """A plugin's own tables: a tortoise app of its own, with its own migrations."""

    app_label: str
    models: ModuleType | str
    migrations: ModuleType | str | None = None


@dataclass(frozen=True)
class SchemaContribution:
    """What a plugin adds to a city's GraphQL schema (strawberry classes, typed loosely)."""

    query: type | None = None
    mutation: type | None = None
    types: tuple[type, ...] = ()


# ---------------------------------------------------------------------------
# Assessment of property firms
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One thing a city scores property firms by."""

    key: str
    label: str
    weight: Decimal
    # Where the input comes from: "owner_survey", "street_office", "party_organisation",
    # "hotline", "inspection", ... free text the assessment area maps to a form or a feed.
    source: str
    plugin: str = ""


@dataclass(frozen=True)
class Score:
    """A computed assessment score, with the grade it falls in when the city grades."""

    value: Decimal
    grade: str | None = None
    plugin: str = ""


# Kinds of credit consequence (collected from every plugin).
PENALTY_POINTS = "penalty_points"
BLACKLIST = "blacklist"
BLACKLIST_REMOVAL = "blacklist_removal"


@dataclass(frozen=True)
class CreditConsequence:
    """What a score does to a firm's credit: points, the blacklist, or removal from it."""

    kind: str
    reason: str | Text
    points: int = 0
    plugin: str = ""


# ---------------------------------------------------------------------------
# A firm's credit standing: one firm-facing answer whatever the city's regime
# ---------------------------------------------------------------------------

# Restriction codes a standing may carry. Free strings: a regime may add its own, but these
# are the ones the core and clients know (a firm's page shows them, eligibility checks them).
NO_NEW_CONTRACTS = "NO_NEW_CONTRACTS"
NO_SERVICE_PURCHASE = "NO_SERVICE_PURCHASE"
WRITTEN_WARNING = "WRITTEN_WARNING"
INCREASED_INSPECTION = "INCREASED_INSPECTION"
PUBLIC_NOTICE = "PUBLIC_NOTICE"


@dataclass(frozen=True)
class CreditStanding:
    """A firm's credit standing on a day, as the city's credit regime sees it.

    `regime` names the regime ("dongguan_blacklist", "zhuhai_points", ...), `level` is its
    grade or level code ("GOOD", "BLACKLISTED", "A", "D", ...) with zh/en labels. `score`
    is the regime's number (assessment score, points held or deducted); `higher_is_better`
    says which way a ranking sorts it. `restrictions` are codes such as NO_NEW_CONTRACTS,
    `reasons` say why in words, `valid_until` is when the standing lapses (None: open).
    `blacklisted` says the firm is on the city's credit blacklist that day: whatever its
    score, the core ranks it after every firm in good standing.
    """

    regime: str
    level: str
    label_zh: str
    label_en: str
    score: Decimal | None = None
    higher_is_better: bool = True
    restrictions: tuple[str, ...] = ()
    reasons: tuple[str | Text, ...] = ()
    valid_until: dt.date | None = None
    plugin: str = ""
    blacklisted: bool = False


@dataclass(frozen=True)
class CreditEvent:
    """A credit record an admin asks to enter against a firm (`recordCreditEvent`).

    `kind` is the regime's code ("DEDUCTION", "SERIOUS_VIOLATION", "COMMENDATION", ...),
    `points` and/or `severity` say how much; `source` says who found it (inspection,
    hotline, street office, ...). The regime validates and records it.
    """

    firm_id: int
    kind: str
    reason: str
    source: str
    occurred_on: dt.date
    points: Decimal | None = None
    severity: str | None = None
    actor: str = ""


@dataclass(frozen=True)
class CreditRecord:
    """A credit record as the regime stored it; `id` is the regime's own key for it."""

    id: str
    firm_id: int
    kind: str
    reason: str
    source: str
    occurred_on: dt.date
    points: Decimal | None = None
    severity: str | None = None
    plugin: str = ""


# ---------------------------------------------------------------------------
# Service purchasing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePurchase:
    """A government purchase of services, as the purchasing rules see it: proposed, or the
    contract about to be signed (`extra["stage"]` is "proposal" or "contract")."""

    provider_id: int
    # "organisation", "social_worker" or "volunteer_team" (a city's own may add "firm").
    provider_kind: str
    category: str
    amount: Decimal
    procurement_method: str
    compound_id: int | None = None
    community_id: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationCriterion:
    """One thing a city evaluates a purchased service by, and the most points it gives."""

    key: str
    label: Text
    max_points: int


@dataclass(frozen=True)
class EvaluationRules:
    """How a city evaluates a purchased service: criteria whose points add up to 100 and
    the score from which the service passes."""

    criteria: tuple[EvaluationCriterion, ...]
    pass_score: int = 60
    plugin: str = ""


# ---------------------------------------------------------------------------
# State-owned property companies
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagedProject:
    """A project a state-owned company reports it manages."""

    external_id: str
    name: str
    address: str = ""
    floor_area_m2: Decimal | None = None
    compound_id: int | None = None  # when the company already knows our id
    # Where and what the project is, and since when the company manages it (feeds that
    # report them; see docs/donghong.md for one company's format).
    compound_name: str = ""
    street: str = ""
    community: str = ""
    kind: str = ""
    homes: int | None = None
    managed_since: dt.date | None = None
    managed_until: dt.date | None = None


@dataclass(frozen=True)
class Reconciliation:
    """How a company's projects line up with the city's compounds and contracts."""

    matched: Mapping[str, int] = field(default_factory=dict)  # external id -> compound id
    unknown_projects: tuple[ManagedProject, ...] = ()
    contracts_missing: tuple[int, ...] = ()  # compound ids without a contract with the company


@runtime_checkable
class StateOwnedCompanyConnector(Protocol):
    """One state-owned property company's feed; every method may do network I/O."""

    name: str
    firm_registration_number: str

    def fetch_projects(self) -> Awaitable[list[ManagedProject]]: ...

    def reconcile(self, projects: list[ManagedProject]) -> Awaitable[Reconciliation]: ...

    def take_over(self, compound_id: int) -> Awaitable[None]: ...

    def hand_over(self, compound_id: int) -> Awaitable[None]: ...


@dataclass(frozen=True)
class SyncRow:
    """One project's outcome in a synchronisation: what happened and why."""

    status: str  # MATCHED, CREATED, CHANGED, ENDED or CONFLICTING
    external_id: str
    compound_id: int | None = None
    detail: str | Text = ""


@dataclass(frozen=True)
class SyncReport:
    """A synchronisation run with a company's feed: its rows, or why the feed was refused.

    A report with `errors` changed nothing. `run_id` is the connector's record of the run
    (None when it keeps none); `plugin` is filled in by the core.
    """

    company: str
    dry_run: bool
    rows: tuple[SyncRow, ...] = ()
    errors: tuple[str | Text, ...] = ()
    run_id: int | None = None
    plugin: str = ""

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


@runtime_checkable
class SyncingConnector(StateOwnedCompanyConnector, Protocol):
    """A connector that synchronises by itself: fetches, validates and reconciles in one go.

    `sync` writes its changes in one transaction (none when `dry_run`, none when the feed
    fails) and returns the report; connectors without it are synchronised by the core with
    `fetch_projects` and `reconcile`, reporting matched and unknown projects only.
    """

    def sync(self, *, dry_run: bool, actor: str) -> Awaitable[SyncReport]: ...


# A plugin's background worker: runs until the event is set (server shutdown).
Worker = Callable[[asyncio.Event], Awaitable[None]]
