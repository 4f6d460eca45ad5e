"""The plugin contract: every hook a civicgraph plugin may implement.

Hooks are synchronous (pluggy is). A hook that needs I/O returns an awaitable or an object
with async methods, and the core awaits it. Every hook gets `city`, the city's slug and its
plugins' validated settings (`city.settings_for("my_plugin")`), so a plugin reads its own
settings for the city it runs in. Only the plugins a city enables run for that city.

The core calls these hooks only through the typed functions in `core/plugins/calls.py`.
docs/plugins.md documents each hook with the signature below (a test keeps them in step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pluggy
from pydantic import BaseModel

from core.plugins.contributions import (
    CityPlugins,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    Criterion,
    EvaluationRules,
    PluginModels,
    Refusal,
    SchemaContribution,
    Score,
    ServicePurchase,
    StateOwnedCompanyConnector,
    Violation,
    Worker,
)
from core.plugins.events import CaseFiled, CaseStageChanged, MeetingHeld

PROJECT = "civicgraph"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -------------------------------------------------------------------------
# Settings and tables
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def register_settings() -> type[BaseModel] | None:
    """Return the pydantic model of this plugin's per-city settings.

    Called once per plugin when the plugin manager starts, and again whenever a city's
    settings are read or changed. Field defaults are the defaults, `Field(title=...,
    description=...)` gives the label and help text admins see, and `SecretStr` fields are
    shown masked to their last four characters. Return None (or do not implement the hook)
    for a plugin without settings.

    Stops at first non-None result (each plugin is asked on its own).
    """


@hookspec
def register_models() -> PluginModels | None:
    """Return the tortoise app of a plugin that keeps tables of its own.

    Called when the database is initialised (`core.infra.db.init` and migrations), for every
    installed plugin whatever the cities enable, so the tables exist before a city enables
    the plugin. The app label must be unique; its migrations module is applied with the
    core's. Return None when the plugin has no tables.
    """


# -------------------------------------------------------------------------
# GraphQL schema
# -------------------------------------------------------------------------


@hookspec
def register_schema(city: CityPlugins) -> SchemaContribution | None:
    """Return what this plugin adds to the city's GraphQL schema.

    Called when the schema of a set of enabled plugins is first built (schemas are cached
    by that set). `city` is the city whose request triggered the build: do not bake its
    settings into the types, read settings in resolvers. `query` and `mutation` are
    strawberry classes merged into the root types; `types` are extra strawberry types the
    roots do not reach (implementations of an interface, say). A field or type name two
    plugins both contribute is refused at start.
    """


# -------------------------------------------------------------------------
# Assessment of property firms
# -------------------------------------------------------------------------


@hookspec
def register_assessment_criteria(city: CityPlugins) -> list[Criterion] | None:
    """Return the criteria the city scores property firms by.

    Called when an assessment form is built or inputs are validated. `key` must be unique
    across the city's plugins, `weight` is relative, `source` says where the input comes
    from (owners' survey, street office, party organisation, hotline, ...). Collected: the
    city's criteria are those of every enabled plugin.
    """


@hookspec(firstresult=True)
def compute_assessment_score(
    city: CityPlugins, firm_id: int, inputs: dict[str, Decimal]
) -> Score | None:
    """Compute a firm's score from the inputs of one assessment (criterion key -> value).

    Called when an assessment is finalised. Return None to leave it to another plugin.
    Stops at first non-None result.
    """


@hookspec
def credit_consequences(
    city: CityPlugins, firm_id: int, score: Score
) -> list[CreditConsequence] | None:
    """Return what a final score does to a firm's credit.

    Called after `compute_assessment_score`, inside the transaction that records the score.
    Penalty points, a blacklisting or a removal from the blacklist; collected from every
    plugin, and the core applies them all.
    """


# -------------------------------------------------------------------------
# Credit standing of firms: one firm-facing contract, each city its own regime
# -------------------------------------------------------------------------


@hookspec
def firm_credit_standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> dict[int, CreditStanding] | None:
    """Return the credit standing on `as_of` of each of these firms, by firm id.

    Called by `Firm.creditStanding(asOf:)` (batched per request, so a page of firms costs
    one call) and `firmCreditRanking`. Implemented by the city's credit regime plugin (an
    assessment, a points regime, ...) and by any blacklist beside it; a firm left out of
    an answer has no standing in that plugin. May return an awaitable of the mapping.
    Collected: a firm's standing is the first plugin's answer for it, unless another says
    it is blacklisted (`blacklisted=True`): that answer wins, with the others' restrictions
    and reasons after its own, so a blacklisting is never hidden by the regime.
    """


@hookspec(firstresult=True)
def record_credit_event(city: CityPlugins, event: CreditEvent) -> CreditRecord | None:
    """Record a credit event against a firm (`recordCreditEvent`) in the city's regime.

    Called inside the mutation's transaction, after the core checked the caller and the
    firm: validate `kind`, `points` and `severity` by the regime's rules (raise
    `ValidationErrors` naming the fields), write the record and apply what follows from it
    (a blacklisting, a lower grade). May return an awaitable. Return None to leave the
    event to another plugin; when none records it the core refuses with NO_CREDIT_REGIME.
    Stops at first non-None result.
    """


@hookspec(firstresult=True)
def credit_record(city: CityPlugins, record_id: str) -> CreditRecord | None:
    """Return the record this regime keeps under `record_id` (the id its `record_credit_event`
    gave), as it stands now.

    Called when a client repeats `recordCreditEvent` with the same idempotency key: the
    answer is the record read again, not a copy of the first one. May return an awaitable.
    Return None when the regime has no such record. Stops at first non-None result.
    """


# -------------------------------------------------------------------------
# Rules: firms, contracts, purchases
# -------------------------------------------------------------------------


@hookspec
def check_firm_eligibility(city: CityPlugins, firm_id: int, purpose: str) -> list[Refusal] | None:
    """Return the reasons why a firm may not be engaged for `purpose`.

    Called before a management contract is signed (`purpose == "management_contract"`) or a
    service purchase is made from the firm (`"service_purchase"`). A blacklisting plugin
    refuses a blacklisted firm here. May return an awaitable of the list when the answer
    needs the database. Collected: one refusal from any plugin refuses the action, with that
    plugin's reason.
    """


@hookspec
def check_management_contract(
    city: CityPlugins, compound_id: int, firm_id: int, mode: str
) -> list[Violation] | None:
    """Return the violations of the city's rules for hiring a firm to manage a compound.

    Called before a management contract is created; `mode` is the ManagementMode value.
    May return an awaitable of the list. Collected: every violation of every plugin is
    reported together.
    """


@hookspec
def validate_service_purchase(
    city: CityPlugins, purchase: ServicePurchase
) -> list[Violation] | None:
    """Return every violation of the city's purchasing rules by a proposed purchase.

    Called before a service purchase is recorded: provider eligibility, category, budget
    caps, procurement method by amount. Return all violations, not the first only; an
    empty list or None means valid. May return an awaitable of the list. Collected and
    flattened across plugins.

    Called again when the purchase is contracted, with the contract's provider, amount and
    period (`purchase.extra["stage"] == "contract"`; `"proposal"` before): caps are checked
    against contracts, since a proposal commits nothing (`spent`).
    """


@hookspec(firstresult=True)
def purchase_evaluation_rules(
    city: CityPlugins, purchase: ServicePurchase
) -> EvaluationRules | None:
    """Return the criteria a purchased service is evaluated by, and the pass mark.

    Called when a contracted purchase is evaluated (`evaluateServicePurchase`) and when a
    client reads a purchase's `evaluationCriteria`. The criteria's `max_points` must add up
    to 100 and their keys be unique; the evaluator gives each criterion 0..max_points and
    the score is their sum, passed from `pass_score` up. Return None to leave it to another
    plugin; with none, one criterion `OVERALL` of 100 points and a pass mark of 60.
    """


# -------------------------------------------------------------------------
# State-owned property companies
# -------------------------------------------------------------------------


@hookspec
def register_state_owned_connectors(city: CityPlugins) -> list[StateOwnedCompanyConnector] | None:
    """Return connectors to the city's state-owned property companies.

    Called when projects are synchronised or a compound is taken over or handed over.
    Each connector's `fetch_projects`, `reconcile`, `take_over` and `hand_over` are async
    and may do network I/O; the core never calls them inside a transaction. A connector
    that also has `sync(dry_run=, actor=)` (`SyncingConnector`) synchronises by itself:
    `core.plugins.calls.sync_state_owned_projects` (the `civicgraph sync-state-owned` command)
    calls it and returns its `SyncReport`; others are fetched and reconciled, read only.
    Collected.
    """


# -------------------------------------------------------------------------
# Background work
# -------------------------------------------------------------------------


@hookspec
def register_workers() -> list[Worker] | None:
    """Return coroutine functions the server runs in the background while it is up.

    Called once when the server starts (and by `core.plugins.calls.running_workers()`), for every
    installed plugin: a worker serves every city that enables its plugin, so it checks
    `core.plugins.calls.city_plugins(slug)` for each city it works for. Each worker is called
    with an `asyncio.Event` set at shutdown and must return soon after. This is where
    network I/O belongs (after commit), not in the event hooks. Collected.
    """


# -------------------------------------------------------------------------
# Case and meeting events
# -------------------------------------------------------------------------


@hookspec
def case_filed(city: CityPlugins, event: CaseFiled) -> Awaitable[None] | None:
    """A case was filed.

    Called inside the transaction that creates the case. Return None or an awaitable; the
    core awaits it in the same transaction, so rows it writes commit or roll back with the
    case. No network I/O here: record what to do (an outbox row) and do it after commit.
    """


@hookspec
def case_stage_changed(city: CityPlugins, event: CaseStageChanged) -> Awaitable[None] | None:
    """A case moved from one stage to another.

    Called inside the transaction of the transition. Return None or an awaitable, awaited
    in that transaction; no network I/O.
    """


@hookspec
def meeting_held(city: CityPlugins, event: MeetingHeld) -> Awaitable[None] | None:
    """A council or consultation meeting was held and its record saved.

    Called inside the transaction that records the meeting. Return None or an awaitable,
    awaited in that transaction; no network I/O.
    """


# -------------------------------------------------------------------------
# Demo data
# -------------------------------------------------------------------------


@hookspec
def load_demo_data(
    city: CityPlugins, progress: Callable[[str], None]
) -> Awaitable[dict[str, int]] | None:
    """Return an awaitable that loads the plugin's demo data into `city`, or None.

    Called by `civicgraph demo-data` after the core's demo data, once for each city that
    enables the plugin, with that city in scope. `progress` takes one line of text for the
    operator. Loading must be idempotent: run again, it adds nothing. The awaitable returns
    counts of what it created (name -> number). Collected.
    """
