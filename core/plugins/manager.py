"""The plugin manager: which plugins are installed, and what each one implements.

Plugins are found through the `civicgraph.plugins` entry-point group (the bundled ones in
plugins/ register the same way, from the root pyproject.toml). Nothing here knows about
cities; core/plugins/config.py decides which plugins a city runs, core/plugins/calls.py calls them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import cast

import pluggy
from pydantic import BaseModel

from core.plugins import hookspecs
from core.plugins.contributions import PluginModels

ENTRY_POINT_GROUP = "civicgraph.plugins"


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


def city_impls(hook_name: str, enabled: Iterable[str]) -> list[pluggy.HookImpl]:
    """The city's implementations of a hook, in pluggy's call order (last registered first)."""
    pm = manager()
    wanted = set(enabled)
    others = [p for name, p in pm.list_name_plugin() if name not in wanted]
    caller = pm.subset_hook_caller(hook_name, remove_plugins=others)
    return list(reversed(caller.get_hookimpls()))


def _impl_of(hook_name: str, plugin: str) -> pluggy.HookImpl | None:
    caller: pluggy.HookCaller = getattr(manager().hook, hook_name)
    return next((i for i in caller.get_hookimpls() if i.plugin_name == plugin), None)


def settings_model(plugin: str) -> type[BaseModel] | None:
    """The pydantic settings model a plugin registers, or None."""
    impl = _impl_of("register_settings", plugin)
    return cast("type[BaseModel] | None", impl.function()) if impl is not None else None


def plugin_models() -> list[tuple[str, PluginModels]]:
    """Every installed plugin's own tortoise app, whatever the cities enable."""
    found: list[tuple[str, PluginModels]] = []
    for impl in manager().hook.register_models.get_hookimpls():
        result = impl.function()
        if result is not None:
            found.append((impl.plugin_name, cast(PluginModels, result)))
    return found


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
