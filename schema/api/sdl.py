"""The committed SDL files and the breaking-change check (docs/api.md, "The SDL files").

One SDL per thing a client can be served: the core (`schema/schema.graphql`, what a city with
no plugins serves) and each configured city (`schema/sdl/<city>.graphql`: the core plus its
plugins' fields). `schema/sdl/released/` keeps the SDLs of the last release; a change that
graphql-core's `find_breaking_changes` reports between a released SDL and the current one
fails the check unless `schema/sdl/deliberate-breaks.toml` names it with a reason.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from graphql import build_schema, find_breaking_changes

from core.infra.cities import load_city_configs
from core.infra.settings import PROJECT_ROOT
from core.plugins.calls import configured_plugins
from schema.api.build import core_schema, schema_for_city

SDL_DIR = PROJECT_ROOT / "schema" / "sdl"
RELEASED_DIR = SDL_DIR / "released"
DELIBERATE = SDL_DIR / "deliberate-breaks.toml"
CORE = "core"  # the name of the core SDL among the cities'
REGENERATE = "make schema (or `civicgraph schema write`)"


@dataclass(frozen=True)
class Break:
    """A change that can break a client written against the released SDL."""

    sdl: str  # "core" or a city's slug
    change: str  # graphql-core's description, e.g. "Field Case.title was removed."
    kind: str  # e.g. FIELD_REMOVED

    def entry(self) -> str:
        """The deliberate-breaks.toml entry that would accept it, reason to be written."""
        change = json.dumps(self.change, ensure_ascii=False)  # a TOML basic string
        return f'[[breaks]]\nsdl = "{self.sdl}"\nchange = {change}\nwhy = "..."\n'


@dataclass(frozen=True)
class Deliberate:
    """A break accepted on purpose, with the reason clients are told."""

    sdl: str
    change: str
    why: str


def names() -> list[str]:
    """The SDLs kept: the core, then every configured city."""
    return [CORE, *sorted(load_city_configs())]


def committed_path(name: str) -> Path:
    # The core keeps its historical place: the docs and frontends call it the contract.
    return (
        PROJECT_ROOT / "schema" / "schema.graphql" if name == CORE else SDL_DIR / f"{name}.graphql"
    )


def released_path(name: str) -> Path:
    return RELEASED_DIR / f"{name}.graphql"


def current(name: str) -> str:
    """The SDL served now: the core's, or the city's with the plugins its TOML enables."""
    schema = core_schema() if name == CORE else schema_for_city(configured_plugins(name))
    return schema.as_str() + "\n"


def write() -> list[Path]:
    """Write every committed SDL from the code (what `make schema` runs)."""
    written = []
    for name in names():
        path = committed_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(current(name), encoding="utf-8")
        written.append(path)
    return written


def release() -> list[Path]:
    """Make the committed SDLs the released ones; the accepted breaks are then history."""
    RELEASED_DIR.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in names():
        shutil.copyfile(committed_path(name), released_path(name))
        copied.append(released_path(name))
    header = [
        line for line in DELIBERATE.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    DELIBERATE.write_text("\n".join(header) + "\n", encoding="utf-8")
    return copied


def breaks(name: str, released: str, now: str) -> list[Break]:
    """What `now` breaks for a client of `released` (removed fields, changed types, ...)."""
    found = find_breaking_changes(build_schema(released), build_schema(now))
    return [Break(name, change.description, change.type.name) for change in found]


def deliberate(path: Path = DELIBERATE) -> list[Deliberate]:
    """The breaks accepted on purpose; an entry without a reason is refused."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    accepted = []
    for entry in raw.get("breaks", []):
        why = str(entry.get("why", "")).strip()
        if not why or why == "...":
            raise ValueError(f"{path.name}: the break {entry.get('change')!r} needs a `why`")
        accepted.append(Deliberate(str(entry["sdl"]), str(entry["change"]), why))
    return accepted


def unexplained(found: list[Break], accepted: list[Deliberate]) -> list[Break]:
    """The breaks no deliberate entry names."""
    named = {(d.sdl, d.change) for d in accepted}
    return [b for b in found if (b.sdl, b.change) not in named]


def check() -> tuple[list[Break], list[Deliberate]]:
    """Every break since the release that nobody accepted, and accepted entries that match no
    break any more (stale: they would quietly excuse the same break made again later)."""
    accepted = deliberate()
    found: list[Break] = []
    for name in names():
        if released_path(name).exists():
            found += breaks(name, released_path(name).read_text(encoding="utf-8"), current(name))
    seen = {(b.sdl, b.change) for b in found}
    return unexplained(found, accepted), [d for d in accepted if (d.sdl, d.change) not in seen]
