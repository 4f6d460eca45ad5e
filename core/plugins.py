"""The plugin manager, and the typed functions through which the core calls plugins.

Plugins are found through the `civicgraph.plugins` entry-point group (the bundled ones in
plugins/ register the same way, from the root pyproject.toml). Each city runs only the
plugins it enables: every call goes through a hook caller restricted to that city's set.
A plugin that raises fails the operation with PLUGIN_FAILED naming the plugin; other
operations and other cities are untouched because nothing here is shared state but the
manager itself.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import Any

import orjson
import pluggy
from pydantic import BaseModel

from core import hookspecs
from core.cities import load_city_configs
from core.contributions import (
    CityPlugins,
    CreditConsequence,
    Criterion,
    NoSettings,
    PluginModels,
    Reconciliation,
    Refusal,
    SchemaContribution,
    Score,
    ServicePurchase,
    StateOwnedCompanyConnector,
    Violation,
    Worker,
)
from core.errors import DomainError
from core.events import CaseFiled, CaseStageChanged, MeetingHeld
from core.models import City, PluginConfiguration
from core.tenancy import current_city, in_city

ENTRY_POINT_GROUP = "civicgraph.plugins"
log = logging.getLogger("civicgraph.plugins")


class PluginFailed(DomainError):
    """A plugin raised inside a hook: the operation fails and names the plugin."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        self.plugin, self.hook, self.error = plugin, hook, error
        super().__init__("PLUGIN_FAILED", None, plugin=plugin, hook=hook)


@cache
def manager() -> pluggy.PluginManager:
    """The process's plugin manager: every installed plugin, whatever the cities enable."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()
    return pm


def installed() -> list[str]:
    """Names of every installed plugin (entry-point names), sorted."""
    pm = manager()
    return sorted(name for name, _ in pm.list_name_plugin() if name is not None)


_generation = [0]


def generation() -> int:
    """Bumped whenever plugins are registered by hand, so per-set caches are not stale."""
    return _generation[0]


def register(plugin: object, name: str) -> None:
    """Add a plugin object by hand (tests, embedding); entry points are the normal way."""
    pm = manager()
    pm.register(plugin, name=name)
    _generation[0] += 1
    pm.check_pending()


def unregister(name: str) -> None:
    manager().unregister(name=name)
    _generation[0] += 1


# -------------------------------------------------------------------------
# Calling hooks for one city
# -------------------------------------------------------------------------


def _impls(hook_name: str, enabled: Iterable[str]) -> list[pluggy.HookImpl]:
    """The city's implementations of a hook, in pluggy's call order (last registered first)."""
    pm = manager()
    wanted = set(enabled)
    others = [p for name, p in pm.list_name_plugin() if name not in wanted]
    caller = pm.subset_hook_caller(hook_name, remove_plugins=others)
    return list(reversed(caller.get_hookimpls()))


async def _call(
    city: CityPlugins, hook_name: str, *, firstresult: bool = False, **kwargs: Any
) -> list[tuple[str, Any]]:
    """Call each of the city's implementations, awaiting awaitables; (plugin, result) pairs.

    Each implementation is called on its own so that a failure names its plugin.
    """
    results: list[tuple[str, Any]] = []
    kwargs["city"] = city
    for impl in _impls(hook_name, city.enabled):
        args = [kwargs[name] for name in impl.argnames]
        try:
            result = impl.function(*args)
            if inspect.isawaitable(result):
                result = await result
        except DomainError:
            raise  # a plugin may refuse with a coded error of its own
        except Exception as e:
            raise PluginFailed(impl.plugin_name, hook_name, e) from e
        if result is not None:
            results.append((impl.plugin_name, result))
            if firstresult:
                break
    return results


# -------------------------------------------------------------------------
# Which plugins a city runs, with which settings
# -------------------------------------------------------------------------

# The city's plugins as read at the start of the request: one read serves every hook call.
_pinned: ContextVar[CityPlugins | None] = ContextVar("civicgraph_city_plugins", default=None)


@contextmanager
def pinned(plugins: CityPlugins) -> Iterator[CityPlugins]:
    """Use `plugins` for the city's hook calls within the block (one read per request)."""
    token = _pinned.set(plugins)
    try:
        yield plugins
    finally:
        _pinned.reset(token)


async def city_plugins(slug: str | None = None) -> CityPlugins:
    """The city's enabled plugins and their settings: pinned for the request, else read."""
    slug = slug or current_city()
    pinned_plugins = _pinned.get()
    if pinned_plugins is not None and pinned_plugins.slug == slug:
        return pinned_plugins
    return await load_city_plugins(slug)


async def stored_configuration(slug: str) -> dict[str, tuple[bool, dict[str, Any]]]:
    """plugin -> (active, raw settings): the city's TOML overlaid by its stored rows.

    One small query, made on every request, so an admin's change is seen by the next
    request of every process without a cache to invalidate.
    """
    config = load_city_configs().get(slug)
    merged: dict[str, tuple[bool, dict[str, Any]]] = {}
    if config is not None:
        for name in config.plugins:
            merged[name] = (True, dict(config.settings.get(name, {})))
        for name, raw in config.settings.items():
            if name not in merged and isinstance(raw, dict):
                merged[name] = (False, dict(raw))
    with in_city(slug):
        rows = await PluginConfiguration.all().values("plugin", "active", "settings")
    for row in rows:
        merged[row["plugin"]] = (row["active"], dict(row["settings"] or {}))
    return merged


def configured_plugins(slug: str) -> CityPlugins:
    """The plugins and settings config/cities/<slug>.toml gives, without the database."""
    config = load_city_configs().get(slug)
    names = config.plugins if config is not None else ()
    enabled = frozenset(set(names) & set(installed()))
    raw = config.settings if config is not None else {}
    settings = {name: validated_settings(name, raw.get(name, {})) for name in enabled}
    return CityPlugins(slug=slug, enabled=enabled, settings=settings)


async def load_city_plugins(slug: str) -> CityPlugins:
    available = set(installed())
    stored = await stored_configuration(slug)
    enabled = frozenset(n for n, (active, _) in stored.items() if active and n in available)
    settings = {name: validated_settings(name, stored[name][1]) for name in enabled}
    return CityPlugins(slug=slug, enabled=enabled, settings=settings)


_validated: dict[tuple[str, bytes], BaseModel] = {}


def validated_settings(plugin: str, raw: Mapping[str, Any]) -> BaseModel:
    """The plugin's settings model built from stored values (memoised: rows rarely change)."""
    key = (plugin, orjson.dumps(raw, option=orjson.OPT_SORT_KEYS))
    found = _validated.get(key)
    if found is None:
        model = settings_model(plugin) or NoSettings
        found = model.model_validate(dict(raw)) if model is not NoSettings else NoSettings()
        if len(_validated) > 1024:
            _validated.clear()
        _validated[key] = found
    return found


async def _current() -> CityPlugins:
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


def _named(item: Any, plugin: str) -> Any:
    return replace(item, plugin=plugin)


# -------------------------------------------------------------------------
# Settings, tables, schema (asked of one plugin, not of a city)
# -------------------------------------------------------------------------


def _impl_of(hook_name: str, plugin: str) -> pluggy.HookImpl | None:
    for impl in getattr(manager().hook, hook_name).get_hookimpls():
        if impl.plugin_name == plugin:
            return impl
    return None


def settings_model(plugin: str) -> type[BaseModel] | None:
    """The pydantic settings model a plugin registers, or None."""
    impl = _impl_of("register_settings", plugin)
    return impl.function() if impl is not None else None


def plugin_models() -> list[tuple[str, PluginModels]]:
    """Every installed plugin's own tortoise app, whatever the cities enable."""
    found = []
    for impl in manager().hook.register_models.get_hookimpls():
        result = impl.function()
        if result is not None:
            found.append((impl.plugin_name, result))
    return found


def schema_contributions(city: CityPlugins) -> list[tuple[str, SchemaContribution]]:
    """What the city's enabled plugins add to its GraphQL schema, by plugin name (sorted)."""
    found = []
    for impl in _impls("register_schema", city.enabled):
        try:
            result = impl.function(*[{"city": city}[n] for n in impl.argnames])
        except Exception as e:
            raise PluginFailed(impl.plugin_name, "register_schema", e) from e
        if result is not None:
            found.append((impl.plugin_name, result))
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
        for worker in impl.function() or []:
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


def plugin_version(plugin: str) -> str | None:
    """The version of the distribution that installed the plugin (None if registered by hand)."""
    pm = manager()
    for obj, dist in pm.list_plugin_distinfo():
        if pm.get_name(obj) == plugin:
            return str(dist.version)
    return None


def hooks_of(plugin: str) -> list[str]:
    """The hooks a plugin implements, sorted."""
    pm = manager()
    obj = pm.get_plugin(plugin)
    return sorted(caller.name for caller in pm.get_hookcallers(obj) or []) if obj else []


@dataclass(frozen=True)
class InstalledPlugin:
    name: str
    version: str | None
    hooks: tuple[str, ...]
    cities: tuple[str, ...]  # the cities that enable it now (TOML overlaid by admins' changes)


async def installation() -> list[InstalledPlugin]:
    """Every installed plugin with its version, hooks and enabling cities (needs the database)."""
    slugs = sorted(set(load_city_configs()) | set(await City.all().values_list("slug", flat=True)))
    enabled = {slug: (await load_city_plugins(slug)).enabled for slug in slugs}
    return [
        InstalledPlugin(
            name,
            plugin_version(name),
            tuple(hooks_of(name)),
            tuple(slug for slug in slugs if name in enabled[slug]),
        )
        for name in installed()
    ]
