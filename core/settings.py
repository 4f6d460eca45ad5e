"""Deployment settings: config/civicgraph.toml, overridden by CIVICGRAPH_* environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    jwt_secret: str
    jwt_issuer: str
    token_ttl_minutes: int
    max_page_size: int
    default_page_size: int
    profile: str  # "development" or "production"
    config_dir: Path

    @property
    def is_production(self) -> bool:
        return self.profile == "production"


def _sqlite_url_absolute(url: str) -> str:
    # A relative SQLite path in the config means "relative to the project", not to
    # whatever directory the command happens to run from.
    prefix = "sqlite://"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        path = PROJECT_ROOT / url[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


@cache
def get_settings() -> Settings:
    config_dir = Path(os.environ.get("CIVICGRAPH_CONFIG_DIR", PROJECT_ROOT / "config"))
    with open(config_dir / "civicgraph.toml", "rb") as f:
        raw = tomllib.load(f)
    return Settings(
        database_url=_sqlite_url_absolute(
            os.environ.get("CIVICGRAPH_DATABASE_URL") or raw["database"]["url"]
        ),
        jwt_secret=os.environ.get("CIVICGRAPH_JWT_SECRET") or raw["auth"]["dev_secret"],
        jwt_issuer=raw["auth"]["issuer"],
        token_ttl_minutes=int(raw["auth"]["token_ttl_minutes"]),
        max_page_size=int(raw["api"]["max_page_size"]),
        default_page_size=int(raw["api"]["default_page_size"]),
        profile=os.environ.get("CIVICGRAPH_PROFILE", "development"),
        config_dir=config_dir,
    )
