"""Which plugins a city runs, with which settings.

config/cities/<slug>.toml gives the starting values; an admin's changes are rows of
plugin_configurations (core/plugins/settings.py), which win over the file. A request pins
its city's plugins once, at its start, so every hook call in it sees the same settings.

Where they come from: this process's cache while core/plugins/watch.py is sure to hear of
any change (a PostgreSQL LISTEN connection, fed by a trigger on the table), else one small
query. The process that makes a change forgets its cache at once; other processes when the
notification arrives, as the writing transaction commits (docs/plugins.md, "Live settings").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

import orjson
from pydantic import BaseModel, ValidationError

from core.infra.cities import CityConfig, load_city_configs
from core.infra.tenancy import current_city, in_city
from core.models import City, PluginConfiguration
from core.plugins.contributions import CityPlugins, NoSettings
from core.plugins.manager import hooks_of, installed, plugin_version, settings_model
from core.plugins.watch import watch

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
    """The city's enabled plugins and their settings: pinned for the request, else cached
    while the watch is live, else read."""
    slug = slug or current_city()
    pinned_plugins = _pinned.get()
    if pinned_plugins is not None and pinned_plugins.slug == slug:
        return pinned_plugins
    if not watch.live:
        return await load_city_plugins(slug)
    generation = watch.generation
    cached = _cache.get(slug)
    if cached is not None and cached[0] == generation:
        return cached[1]
    plugins = await load_city_plugins(slug)
    # Stored only if nothing was heard while reading: else the read may predate a change.
    if watch.live and watch.generation == generation:
        _cache[slug] = (generation, plugins)
    return plugins


# slug -> (the watch's generation when read, the city's plugins); see core/plugins/watch.py.
_cache: dict[str, tuple[int, CityPlugins]] = {}


def forget() -> None:
    """This process changed a configuration: stop using what it cached (others hear NOTIFY)."""
    watch.changed()
    _cache.clear()


async def stored_configuration(slug: str) -> dict[str, tuple[bool, dict[str, Any]]]:
    """plugin -> (active, raw settings): the city's TOML overlaid by its stored rows.

    One small query (`city_plugins` caches its outcome while changes are sure to be heard).
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


@dataclass(frozen=True)
class InstalledPlugin:
    name: str
    version: str | None
    hooks: tuple[str, ...]
    cities: tuple[str, ...]  # the cities that enable it now (TOML overlaid by admins' changes)


async def installation() -> list[InstalledPlugin]:
    """Every installed plugin with its version, hooks and enabling cities (needs the database)."""
    # Tortoise types every values_list() as rows of tuples; flat=True gives the values.
    stored = cast(list[str], await City.all().values_list("slug", flat=True))
    slugs = sorted(set(load_city_configs()) | set(stored))
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


def check_city_configs(configs: Mapping[str, CityConfig] | None = None) -> None:
    """At start: every plugin a city's TOML names is installed and its settings are valid."""
    available = set(installed())
    problems = []
    for slug, config in sorted((configs or load_city_configs()).items()):
        for name in config.plugins:
            if name not in available:
                problems.append(f"{slug}: plugin {name!r} is not installed")
        for name, raw in config.settings.items():
            if name not in available or not isinstance(raw, dict):
                continue
            model = settings_model(name)
            if model is not None:
                try:
                    model.model_validate(raw)
                except ValidationError as e:
                    problems.append(f"{slug}: [settings.{name}] {e.errors()[0]['msg']}")
    if problems:
        raise ValueError("city configuration: " + "; ".join(problems))
