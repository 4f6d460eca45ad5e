"""Which plugins a city runs and with which settings.

Starting values come from config/cities/<slug>.toml.
"""

from __future__ import annotations

from core.cities import load_city_configs
from core.contributions import CityPlugins
from core.tenancy import current_city


async def city_plugins(slug: str | None = None) -> CityPlugins:
    slug = slug or current_city()
    config = load_city_configs().get(slug)
    enabled = frozenset(config.plugins) if config else frozenset()
    return CityPlugins(slug=slug, enabled=enabled, settings={})
