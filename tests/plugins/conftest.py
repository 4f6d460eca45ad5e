"""The sample plugin, registered for a test and enabled for Dongguan only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

import pytest

from core.infra.cities import load_city_configs
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import PluginConfiguration
from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from core.security.auth import Principal
from tests.plugins import sample_plugin

DONGGUAN_ADMIN = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="admin-dg")
ZHUHAI_ADMIN = Principal(city="zhuhai", role=Role.CITY_ADMIN, subject="admin-zh")


@pytest.fixture
async def sample(empty_db: str) -> AsyncIterator[ModuleType]:
    plugins.register(sample_plugin, sample_plugin.NAME)
    sample_plugin.calls.clear()
    await _only_the_sample()
    try:
        with in_city("dongguan"):
            await plugin_settings.update_plugin(DONGGUAN_ADMIN, sample_plugin.NAME, active=True)
        yield sample_plugin
    finally:
        plugins.unregister(sample_plugin.NAME)


async def _only_the_sample() -> None:
    # The cities' TOML may enable real plugins (a city's credit regime, its purchasing
    # rules): switched off here, with no change logged, so these tests see the sample alone.
    for slug, config in load_city_configs().items():
        with in_city(slug):
            for name in config.plugins:
                await PluginConfiguration.create(plugin=name, active=False, settings={})
