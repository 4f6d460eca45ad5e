"""Which plugins each city runs, their settings, and every change made to them.

One row per (city, plugin), like saleor's per-channel plugin configuration; a city with no
row for a plugin falls back to config/cities/<slug>.toml. The change log is append-only.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.models.base import CityModel


class PluginConfiguration(CityModel):
    plugin = fields.CharField(max_length=64)
    active = fields.BooleanField(default=False)
    # The full validated settings, secrets included: never rendered as stored (see masking).
    settings: Any = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "plugin_configurations"
        unique_together = (("city", "plugin"),)


class PluginConfigurationChange(CityModel):
    plugin = fields.CharField(max_length=64)
    actor = fields.CharField(max_length=128, null=True)  # the principal's subject
    active_before = fields.BooleanField()
    active_after = fields.BooleanField()
    # Settings with secrets masked: the log says a secret changed, never what it is.
    settings_before: Any = fields.JSONField(null=True)
    settings_after: Any = fields.JSONField(null=True)

    class Meta:
        table = "plugin_configuration_changes"
        indexes = (("city_id", "plugin", "created_at"),)

    async def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: history that can be rewritten is not history.
        if self._saved_in_db:
            raise RuntimeError("plugin configuration changes are append-only")
        await super().save(*args, **kwargs)
