"""The typed functions through which the core calls plugins, one city at a time.

Each call runs only the implementations of the plugins the city in scope enables
(core/plugins/config.py), one implementation at a time, so that a plugin that raises fails
the operation with PLUGIN_FAILED naming the plugin; other operations and other cities are
untouched. The manager (core/plugins/manager.py) and the city's configuration
(core/plugins/config.py) are re-exported here: callers import this module only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from decimal import Decimal
from typing import Any, cast

from core.infra.errors import DomainError
from core.infra.i18n import Text
from core.plugins.config import (
    InstalledPlugin,
    check_city_configs,
    city_plugins,
    configured_plugins,
    forget,
    installation,
    load_city_plugins,
    pinned,
    stored_configuration,
    validated_settings,
)
from core.plugins.contributions import (
    CityPlugins,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    Criterion,
    EvaluationCriterion,
    EvaluationRules,
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
from core.plugins.events import CaseFiled, CaseStageChanged, MeetingHeld
from core.plugins.manager import (
    ENTRY_POINT_GROUP,
    city_impls,
    generation,
    hooks_of,
    installed,
    manager,
    plugin_models,
    plugin_version,
    register,
    settings_model,
    unregister,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "InstalledPlugin",
    "PluginFailed",
    "assessment_criteria",
    "assessment_score",
    "check_city_configs",
    "city_plugins",
    "configured_plugins",
    "contract_violations",
    "credit_effects",
    "credit_record",
    "credit_standings",
    "emit_case_filed",
    "emit_case_stage_changed",
    "emit_meeting_held",
    "firm_refusals",
    "forget",
    "generation",
    "hooks_of",
    "installation",
    "installed",
    "load_city_plugins",
    "load_demo_data",
    "manager",
    "pinned",
    "plugin_models",
    "plugin_version",
    "purchase_evaluation_rules",
    "purchase_violations",
    "reconcile_state_owned_projects",
    "record_credit_event",
    "register",
    "running_workers",
    "schema_contributions",
    "settings_model",
    "state_owned_connectors",
    "stored_configuration",
    "sync_state_owned_projects",
    "unregister",
    "validated_settings",
]

log = logging.getLogger("civicgraph.plugins")


class PluginFailed(DomainError):
    """A plugin raised inside a hook: the operation fails and names the plugin."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        self.plugin, self.hook, self.error = plugin, hook, error
        super().__init__("PLUGIN_FAILED", None, plugin=plugin, hook=hook)


# -------------------------------------------------------------------------
# Calling hooks for one city
# -------------------------------------------------------------------------


async def _call(
    city: CityPlugins, hook_name: str, *, firstresult: bool = False, **kwargs: Any
) -> list[tuple[str, Any]]:
    """Call each of the city's implementations, awaiting awaitables; (plugin, result) pairs.

    Each implementation is called on its own so that a failure names its plugin.
    """
    results: list[tuple[str, Any]] = []
    kwargs["city"] = city
    for impl in city_impls(hook_name, city.enabled):
        args = [kwargs[name] for name in impl.argnames]
        try:
            result = impl.function(*args)
            if inspect.isawaitable(result):
                result = await result
        except DomainError:
            raise  # a plugin may refuse with a coded error of its own
        except Exception as e:
            # The caller sees the plugin's name; operators see what went wrong in it.
            log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
            raise PluginFailed(impl.plugin_name, hook_name, e) from e
        if result is not None:
            results.append((impl.plugin_name, result))
            if firstresult:
                break
    return results


async def _current() -> CityPlugins:
    """The city in scope's plugins: pinned for the request by the app, else read now."""
    return await city_plugins()


# -------------------------------------------------------------------------
# Case and meeting events (awaited inside the caller's transaction)
# -------------------------------------------------------------------------


async def emit_case_filed(event: CaseFiled) -> None:
    """Tell the city's plugins a case was filed; call inside the filing transaction."""
    await _call(await _current(), "case_filed", event=event)


async def emit_case_stage_changed(event: CaseStageChanged) -> None:
    """Tell the city's plugins a case changed stage; call inside the transition."""
    await _call(await _current(), "case_stage_changed", event=event)


async def emit_meeting_held(event: MeetingHeld) -> None:
    """Tell the city's plugins a meeting was held; call inside its transaction."""
    await _call(await _current(), "meeting_held", event=event)


# -------------------------------------------------------------------------
# Rules
# -------------------------------------------------------------------------


async def firm_refusals(firm_id: int, purpose: str) -> list[Refusal]:
    """Every plugin's reason not to engage the firm for `purpose` (empty: allowed)."""
    refusals: list[Refusal] = []
    for plugin, items in await _call(
        await _current(), "check_firm_eligibility", firm_id=firm_id, purpose=purpose
    ):
        refusals.extend(_named(r, plugin) for r in items)
    return refusals


async def contract_violations(compound_id: int, firm_id: int, mode: str) -> list[Violation]:
    """Every violation of the city's rules for this management contract (empty: allowed)."""
    violations: list[Violation] = []
    for plugin, items in await _call(
        await _current(),
        "check_management_contract",
        compound_id=compound_id,
        firm_id=firm_id,
        mode=mode,
    ):
        violations.extend(_named(v, plugin) for v in items)
    return violations


async def purchase_violations(purchase: ServicePurchase) -> list[Violation]:
    """Every violation of the city's purchasing rules, flattened across plugins."""
    violations: list[Violation] = []
    for plugin, items in await _call(
        await _current(), "validate_service_purchase", purchase=purchase
    ):
        violations.extend(_named(v, plugin) for v in items)
    return violations


# With no plugin answering, a purchased service is evaluated as a whole.
DEFAULT_EVALUATION = EvaluationRules(
    (EvaluationCriterion("OVERALL", Text("总体评价", "overall"), 100),), pass_score=60
)


async def purchase_evaluation_rules(purchase: ServicePurchase) -> EvaluationRules:
    """The first enabled plugin's evaluation rules for `purchase`, else DEFAULT_EVALUATION.

    A plugin's criteria must have unique keys and points adding up to 100: anything else is
    the plugin's fault (PLUGIN_FAILED), not the evaluator's.
    """
    found = await _call(
        await _current(), "purchase_evaluation_rules", firstresult=True, purchase=purchase
    )
    if not found:
        return DEFAULT_EVALUATION
    plugin, rules = found[0]
    keys = [c.key for c in rules.criteria]
    points = sum(c.max_points for c in rules.criteria)
    if len(set(keys)) != len(keys) or points != 100 or not 0 <= rules.pass_score <= 100:
        error = ValueError(f"criteria keys {keys} with {points} points, pass {rules.pass_score}")
        raise PluginFailed(plugin, "purchase_evaluation_rules", error)
    named: EvaluationRules = _named(rules, plugin)
    return named


# -------------------------------------------------------------------------
# Assessment of property firms
# -------------------------------------------------------------------------


async def assessment_criteria() -> list[Criterion]:
    """The criteria the city scores firms by, from every enabled plugin; keys are unique."""
    criteria: list[Criterion] = []
    seen: dict[str, str] = {}
    for plugin, items in await _call(await _current(), "register_assessment_criteria"):
        for c in items:
            if c.key in seen:
                clash = ValueError(f"criterion {c.key!r} is also defined by {seen[c.key]}")
                raise PluginFailed(plugin, "register_assessment_criteria", clash)
            seen[c.key] = plugin
            criteria.append(_named(c, plugin))
    return criteria


async def assessment_score(firm_id: int, inputs: dict[str, Decimal]) -> Score | None:
    """The first enabled plugin's score for these inputs (None: no plugin scores)."""
    found = await _call(
        await _current(),
        "compute_assessment_score",
        firstresult=True,
        firm_id=firm_id,
        inputs=inputs,
    )
    return _named(found[0][1], found[0][0]) if found else None


async def credit_effects(firm_id: int, score: Score) -> list[CreditConsequence]:
    """Every consequence the city's plugins draw from a score (points, blacklist, removal)."""
    effects: list[CreditConsequence] = []
    for plugin, items in await _call(
        await _current(), "credit_consequences", firm_id=firm_id, score=score
    ):
        effects.extend(_named(e, plugin) for e in items)
    return effects


# -------------------------------------------------------------------------
# Credit standing of firms (the city's regime plugin answers)
# -------------------------------------------------------------------------


async def credit_standings(firm_ids: list[int], as_of: dt.date) -> dict[int, CreditStanding]:
    """Each firm's standing on `as_of` in the city's credit regime (absent: none).

    Every enabled plugin is asked. A firm's standing is the first answer for it, unless a
    plugin says it is blacklisted: a blacklisting plugin beside the regime (firm_blacklist
    beside points_credit, say) is never hidden by the regime's answer, and its standing
    carries the other answers' restrictions and reasons after its own.
    """
    if not firm_ids:
        return {}
    found = await _call(
        await _current(), "firm_credit_standings", firm_ids=list(firm_ids), as_of=as_of
    )
    merged: dict[int, CreditStanding] = {}
    for firm_id in firm_ids:
        answers = [_named(s[firm_id], plugin) for plugin, s in found if firm_id in s]
        if not answers:
            continue
        first = next((a for a in answers if a.blacklisted), answers[0])
        others = [a for a in answers if a is not first]
        merged[firm_id] = replace(
            first,
            restrictions=tuple(
                dict.fromkeys([*first.restrictions, *(r for a in others for r in a.restrictions)])
            ),
            reasons=(*first.reasons, *(r for a in others for r in a.reasons)),
        )
    return merged


async def record_credit_event(event: CreditEvent) -> CreditRecord | None:
    """The record the city's regime made of the event (None: the city has no regime)."""
    found = await _call(await _current(), "record_credit_event", firstresult=True, event=event)
    return _named(found[0][1], found[0][0]) if found else None


async def credit_record(plugin: str, record_id: str) -> CreditRecord | None:
    """The record `plugin` keeps under `record_id`, read now (None: no such record)."""
    found = await _call(await _current(), "credit_record", firstresult=True, record_id=record_id)
    # Only the regime that made the record speaks for it: another's id space is its own.
    if not found or found[0][0] != plugin:
        return None
    record: CreditRecord = _named(found[0][1], plugin)
    return record


# -------------------------------------------------------------------------
# State-owned property companies (network I/O: never inside a transaction)
# -------------------------------------------------------------------------


async def state_owned_connectors() -> list[tuple[str, StateOwnedCompanyConnector]]:
    """(plugin, connector) for each state-owned company the city's plugins connect to."""
    found = await _call(await _current(), "register_state_owned_connectors")
    return [(plugin, c) for plugin, items in found for c in items]


async def reconcile_state_owned_projects() -> list[tuple[str, str, Reconciliation]]:
    """Fetch every company's projects and reconcile them: (plugin, company, result)."""
    results = []
    for plugin, connector in await state_owned_connectors():
        try:
            projects = await connector.fetch_projects()
            results.append((plugin, connector.name, await connector.reconcile(projects)))
        except DomainError:
            raise
        except Exception as e:
            raise PluginFailed(plugin, "register_state_owned_connectors", e) from e
    return results


async def sync_state_owned_projects(
    connector: str | None = None, *, dry_run: bool = False, actor: str = ""
) -> list[SyncReport]:
    """Synchronise the city's state-owned companies' projects, or the plugin `connector`'s.

    A connector with `sync` (core.plugins.contributions.SyncingConnector) reconciles and records the
    run itself; any other is fetched and reconciled here, which writes nothing. A feed that
    fails is reported in the report's errors, not raised.
    """
    found = [
        (plugin, c)
        for plugin, c in await state_owned_connectors()
        if connector is None or plugin == connector
    ]
    if connector is not None and not found:
        raise DomainError("NOT_FOUND", "connector")
    reports = []
    for plugin, c in found:
        try:
            if isinstance(c, SyncingConnector):
                report = await c.sync(dry_run=dry_run, actor=actor)
            else:
                result = await c.reconcile(await c.fetch_projects())
                rows = [SyncRow("MATCHED", e, i) for e, i in sorted(result.matched.items())]
                rows += [
                    SyncRow("CONFLICTING", p.external_id, None, "unknown project")
                    for p in result.unknown_projects
                ]
                report = SyncReport(c.name, dry_run=True, rows=tuple(rows))
        except DomainError:
            raise
        except Exception as e:
            raise PluginFailed(plugin, "register_state_owned_connectors", e) from e
        reports.append(_named(report, plugin))
    return reports


async def load_demo_data(progress: Callable[[str], None]) -> dict[str, int]:
    """Load the demo data of the city in scope's plugins; counts added up across plugins."""
    counts: dict[str, int] = {}
    for _plugin, created in await _call(await _current(), "load_demo_data", progress=progress):
        for what, n in created.items():
            counts[what] = counts.get(what, 0) + n
    return counts


def _named(item: Any, plugin: str) -> Any:
    return replace(item, plugin=plugin)


# -------------------------------------------------------------------------
# Settings, tables, schema (asked of one plugin, not of a city)
# -------------------------------------------------------------------------


def schema_contributions(city: CityPlugins) -> list[tuple[str, SchemaContribution]]:
    """What the city's enabled plugins add to its GraphQL schema, by plugin name (sorted)."""
    found: list[tuple[str, SchemaContribution]] = []
    for impl in city_impls("register_schema", city.enabled):
        try:
            result = impl.function(*[{"city": city}[n] for n in impl.argnames])
        except Exception as e:
            raise PluginFailed(impl.plugin_name, "register_schema", e) from e
        if result is not None:
            # pluggy types every hook's result as object; the hookspec says what it is.
            found.append((impl.plugin_name, cast(SchemaContribution, result)))
    return sorted(found, key=lambda pair: pair[0])


# -------------------------------------------------------------------------
# Background workers
# -------------------------------------------------------------------------


@asynccontextmanager
async def running_workers() -> AsyncIterator[list[asyncio.Task[None]]]:
    """Run every installed plugin's workers for the duration of the block (the server's life)."""
    stop = asyncio.Event()
    tasks = []
    for impl in manager().hook.register_workers.get_hookimpls():
        for worker in cast(list[Worker], impl.function() or []):  # as for schema_contributions
            task = asyncio.create_task(_supervised(impl.plugin_name, worker, stop))
            tasks.append(task)
    try:
        yield tasks
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _supervised(plugin: str, worker: Worker, stop: asyncio.Event) -> None:
    # A crashing worker is restarted after a pause: one plugin's bug must not stop the others.
    while not stop.is_set():
        try:
            await worker(stop)
            return
        except Exception:
            log.exception("worker of plugin %s failed; restarting in 5 s", plugin)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5)


# -------------------------------------------------------------------------
# Describing the installation (the `civicgraph plugins` command)
# -------------------------------------------------------------------------
