"""A plugin's settings for a city, typed as the plugin's own model."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from core.plugins.contributions import CityPlugins

M = TypeVar("M", bound=BaseModel)


def settings_of(city: CityPlugins, plugin: str, model: type[M]) -> M:
    """The city's validated settings of `plugin` as `model`; the model's defaults when the
    city does not enable the plugin (a worker or a demo asking ahead)."""
    if plugin not in city.settings:
        return model()
    found = city.settings[plugin]
    if not isinstance(found, model):
        raise TypeError(f"settings of {plugin!r} are {type(found).__name__}, not {model.__name__}")
    return found
