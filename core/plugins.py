"""The plugin manager, and the typed functions through which the core calls plugins.

Plugins are found through the `civicgraph.plugins` entry-point group (the bundled ones in
plugins/ register the same way, from the root pyproject.toml). Each city runs only the
plugins it enables: every call goes through a hook caller restricted to that city's set.
A plugin that raises fails the operation with PLUGIN_FAILED naming the plugin; other
operations and other cities are untouched because nothing here is shared state but the
manager itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from functools import cache
from typing import Any

import pluggy
from pydantic import BaseModel

from core import hookspecs
from core.contributions import CityPlugins, Refusal, ServicePurchase, Violation
from core.errors import DomainError
from core.events import CaseFiled, CaseStageChanged, MeetingHeld
from core.plugin_settings import city_plugins

ENTRY_POINT_GROUP = "civicgraph.plugins"


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


def register(plugin: object, name: str) -> None:
    """Add a plugin object by hand (tests, embedding); entry points are the normal way."""
    pm = manager()
    pm.register(plugin, name=name)
    pm.check_pending()


def unregister(name: str) -> None:
    manager().unregister(name=name)


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


def _named(item: Any, plugin: str) -> Any:
    from dataclasses import replace

    return replace(item, plugin=plugin)


def settings_model(plugin: str) -> type[BaseModel] | None:
    """The pydantic settings model a plugin registers, or None."""
    for impl in manager().hook.register_settings.get_hookimpls():
        if impl.plugin_name == plugin:
            return impl.function()
    return None
