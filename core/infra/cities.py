"""City definitions from config/cities/*.toml, and the City rows that mirror them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.infra.settings import get_settings
from core.models import City


@dataclass(frozen=True)
class CityConfig:
    slug: str
    name: str
    name_en: str
    timezone: str
    plugins: tuple[str, ...] = ()
    # Starting values of each plugin's settings, one table per plugin name.
    settings: dict[str, Any] = field(default_factory=dict, hash=False)
    # The [cases] table: deadlines and thresholds of the case workflow (core/cases/rules.py).
    cases: dict[str, Any] = field(default_factory=dict, hash=False)
    # [votes] ballots_changeable: may an owner change a cast ballot until closing (votes.md).
    ballots_changeable: bool = True
    # [cors]: origins, methods, headers, max_age overriding [api] cors_* (schema/http/cors.py).
    cors: dict[str, Any] = field(default_factory=dict, hash=False)
    # [documents]: trusted_only, apq, apq_max_* over [api] persisted_* (core/persisted/store.py).
    documents: dict[str, Any] = field(default_factory=dict, hash=False)


def _parse(path: Path) -> CityConfig:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    slug = raw["slug"]
    # The file name is how an admin finds a city's config; a mismatch is a copy-paste slip.
    if slug != path.stem:
        raise ValueError(f"{path}: slug {slug!r} does not match the file name")
    ZoneInfo(raw["timezone"])  # fail at load time, not at the first date a request formats
    return CityConfig(
        slug=slug,
        name=raw["name"],
        name_en=raw["name_en"],
        timezone=raw["timezone"],
        plugins=tuple(raw.get("plugins", ())),
        settings=dict(raw.get("settings", {})),
        cases=dict(raw.get("cases", {})),
        ballots_changeable=bool(raw.get("votes", {}).get("ballots_changeable", True)),
        cors=dict(raw.get("cors", {})),
        documents=dict(raw.get("documents", {})),
    )


@cache
def _load() -> tuple[CityConfig, ...]:
    directory = get_settings().config_dir / "cities"
    return tuple(_parse(path) for path in sorted(directory.glob("*.toml")))


def load_city_configs() -> dict[str, CityConfig]:
    """Every configured city by slug, read once per process (see reload_city_configs)."""
    return {config.slug: config for config in _load()}


def reload_city_configs() -> dict[str, CityConfig]:
    """Forget the cached configs and read the files again."""
    _load.cache_clear()
    return load_city_configs()


async def ensure_city(slug: str) -> City:
    """The City row for `slug`, created (from its config when there is one) if missing."""
    config = load_city_configs().get(slug)
    name, name_en = (config.name, config.name_en) if config else (slug, slug.title())
    city, _ = await City.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en})
    return city


async def ensure_cities() -> None:
    """Create or update a City row for every configured city (idempotent)."""
    for config in load_city_configs().values():
        city = await ensure_city(config.slug)
        if (city.name, city.name_en) != (config.name, config.name_en):
            city.name, city.name_en = config.name, config.name_en
            await city.save(update_fields=["name", "name_en"])
