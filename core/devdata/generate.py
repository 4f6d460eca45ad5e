"""Large synthetic cities for load and performance work: a million cases in minutes.

Rows are plain dicts of each model's exposed fields (core/models/shapes.py), written in bulk
(core/devdata/bulk.py: COPY on PostgreSQL when the role may bypass row-level security,
batched INSERTs otherwise), because the ORM's per-row cost would turn minutes into hours.
Ids are reserved before rows are built, so parents and children are written without reading
anything back. All of it happens in one transaction. Names are in core/devdata/names.py, the
pace of cases in core/devdata/case_pace.py.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core.cases.rules import rules_for
from core.devdata.bulk import Progress, Row, Writer, may_copy, reserve_ids
from core.devdata.case_pace import (
    CASE_KIND_WEIGHTS,
    CASE_TITLES,
    case_paces,
    case_progress,
    due_dates,
)
from core.devdata.names import (
    COMMUNITY_HEADS,
    COMMUNITY_TAILS,
    DIVISIONS,
    ESTATE_TAILS,
    ESTATE_WORDS,
    FIRM_TAILS,
    STREET_HEADS,
    STREET_TAILS,
    fresh_names,
    social_credit_code,
)
from core.infra import clock, db
from core.infra.cities import ensure_city, load_city_configs
from core.infra.enums import CommunityKind, CompoundKind, ManagementMode
from core.infra.enums import OrganisationKind as Org
from core.infra.tenancy import in_city
from core.models import (
    Building,
    Case,
    Community,
    Compound,
    Firm,
    Grid,
    ManagementContract,
    Organisation,
    Street,
)
from core.models.base import CityModel

# Kept importable from here: the demo loader and the tests use them.
__all__ = ["CASE_TITLES", "Progress", "due_dates", "generate", "social_credit_code"]

YEARS_OF_CASES = 2

# What the generator writes, in the order it writes it (parents first).
MODELS: tuple[type[CityModel], ...] = (
    Street,
    Community,
    Grid,
    Compound,
    Building,
    Firm,
    ManagementContract,
    Organisation,
    Case,
)


def _contract(compound: int, firm: int, starts: date, ends: date | None) -> Row:
    return {
        "compound_id": compound, "firm_id": firm, "starts_on": starts, "ends_on": ends,
        "mode": ManagementMode.PROPERTY_FIRM,
    }  # fmt: skip


_COMPOUND_KINDS = (
    (CompoundKind.COMMERCIAL_RESIDENTIAL, 72),
    (CompoundKind.INDUSTRIAL_DORMITORY, 12),
    (CompoundKind.PUBLIC_RENTAL, 6),
    (CompoundKind.PRICE_LIMITED, 5),
    (CompoundKind.OTHER, 5),
)
_WITHOUT_FIRM = (
    (ManagementMode.COMMUNITY_CARETAKER, 5),
    (ManagementMode.OWNER_SELF_MANAGED, 3),
    (ManagementMode.NONE, 2),
)


def _org(
    kind: Org,
    name: str,
    rng: random.Random,
    parent: int | None = None,
    *,
    street: int | None = None,
    community: int | None = None,
    compound: int | None = None,
) -> Row:
    members = rng.randint(3, 40) if compound else rng.randint(5, 15)
    return {
        "kind": kind, "name": name, "parent_id": parent, "street_id": street,
        "community_id": community, "compound_id": compound, "members_count": members,
    }  # fmt: skip


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


async def _taken(city: str, table: str) -> set[str]:
    rows = await db.fetch(f"SELECT name FROM {table} WHERE city_id = $1", [city])
    return {row["name"] for row in rows}


@dataclass
class _Community:
    id: int
    street: int
    name: str
    village: bool


@dataclass
class _Compound:
    id: int
    community: int
    name: str
    homes: int
    mature: bool
    has_firm: bool


class _Generator:
    def __init__(self, city: str, seed: int, progress: Progress) -> None:
        self.city = city
        self.rng = random.Random(seed)
        now = clock.now().replace(microsecond=0)
        self.out = Writer(city, now, progress)
        self.today = now.date()
        config = load_city_configs().get(city)
        self.prefix = config.name if config else ""

    async def streets(self, wanted: int) -> list[tuple[int, str]]:
        """(id, name) of the city's streets, adding fresh ones until there are `wanted`."""
        rows = await db.fetch("SELECT id, name FROM streets WHERE city_id = $1", [self.city])
        names = fresh_names(STREET_HEADS, STREET_TAILS, {r["name"] for r in rows}, "街道")
        fresh = [next(names) for _ in range(max(0, wanted - len(rows)))]
        division = DIVISIONS.get(self.city, "440000")
        codes = (f"{division}{i:03d}" for i in itertools.count(len(rows) + 101))
        made = [{"name": name, "code": next(codes)} for name in fresh]
        ids = await self.out.add(Street, made)
        return [(r["id"], r["name"]) for r in rows] + list(zip(ids, fresh, strict=True))

    async def communities(self, streets: list[int], count: int) -> list[_Community]:
        names = fresh_names(
            COMMUNITY_HEADS, COMMUNITY_TAILS, await _taken(self.city, "communities"), "社区"
        )
        made = []
        for _ in range(count):
            name = next(names)
            if self.rng.random() < 0.2:
                made.append(_Community(0, self.rng.choice(streets), name[:-2] + "村", True))
            else:
                made.append(_Community(0, self.rng.choice(streets), name, False))
        rows: list[Row] = [
            {
                "street_id": c.street,
                "name": c.name,
                "kind": CommunityKind.VILLAGE if c.village else CommunityKind.URBAN,
            }
            for c in made
        ]
        for community, id_ in zip(made, await self.out.add(Community, rows), strict=True):
            community.id = id_
        return made

    async def grids(self, communities: list[int]) -> dict[int, list[int]]:
        """Two to five grids per community, by community id."""
        rows: list[Row] = [
            {"community_id": c, "name": f"第{k}网格", "code": f"G{c}-{k:02d}"}
            for c in communities
            for k in range(1, self.rng.randint(2, 5) + 1)
        ]
        by_community: dict[int, list[int]] = {}
        for row, id_ in zip(rows, await self.out.add(Grid, rows), strict=True):
            by_community.setdefault(row["community_id"], []).append(id_)
        return by_community

    async def compounds(self, communities: list[int], count: int) -> list[_Compound]:
        rng, taken = self.rng, await _taken(self.city, "compounds")
        names = {k: fresh_names(ESTATE_WORDS, tails, taken) for k, tails in ESTATE_TAILS.items()}
        rows: list[Row] = []
        made = []
        for _ in range(count):
            kind = _pick(rng, _COMPOUND_KINDS)
            dorm = kind is CompoundKind.INDUSTRIAL_DORMITORY
            homes = min(8000, max(40, int(rng.lognormvariate(math.log(700), 0.7))))
            floor = round(homes * (rng.uniform(25, 40) if dorm else rng.uniform(70, 120)), -1)
            mature = rng.random() < (0.6 if dorm else 0.88)
            has_firm = rng.random() < 0.9
            mode = ManagementMode.PROPERTY_FIRM if has_firm else _pick(rng, _WITHOUT_FIRM)
            residents = int(homes * (rng.uniform(4, 8) if dorm else rng.uniform(2.4, 3.3)))
            land = round(floor / rng.uniform(1.8, 4.0), -1)
            community, name = rng.choice(communities), next(names[kind])
            rows.append(
                {
                    "community_id": community,
                    "name": name,
                    "kind": kind,
                    "homes": homes,
                    "residents": residents,
                    "land_area": land,
                    "floor_area": floor,
                    "mature": mature,
                    "management_mode": mode,
                }
            )
            made.append(_Compound(0, community, name, homes, mature, has_firm))
        for compound, id_ in zip(made, await self.out.add(Compound, rows), strict=True):
            compound.id = id_
        return made

    async def buildings(self, compounds: list[_Compound], grids: dict[int, list[int]]) -> None:
        rows: list[Row] = []
        for c in compounds:
            count = self.rng.randint(2, 6)
            for k in range(1, count + 1):
                homes = c.homes // count + (c.homes % count if k == 1 else 0)
                grid = self.rng.choice(grids[c.community])
                floors = self.rng.randint(6, 33)
                rows.append(
                    {"compound_id": c.id, "grid_id": grid, "name": f"{k}栋", "floors": floors,
                     "homes": homes}
                )  # fmt: skip
        await self.out.add(Building, rows)

    async def firms(self, count: int) -> list[int]:
        rng = self.rng
        heads = [*ESTATE_WORDS, *(a + b for a in COMMUNITY_HEADS for b in COMMUNITY_TAILS)]
        names = fresh_names(heads, FIRM_TAILS, await _taken(self.city, "firms"))
        division = DIVISIONS.get(self.city, "440000")
        ids = await reserve_ids("firms", count)
        rows: list[tuple[datetime, Row]] = []
        for id_ in ids:
            state = rng.random() < 0.03
            group = f"{self.prefix}{rng.choice(ESTATE_WORDS)}投资控股集团有限公司"
            founded = date(rng.randint(1995, 2021), rng.randint(1, 12), 1)
            code = social_credit_code(division, id_)
            row = {
                "name": self.prefix + next(names),
                "registration_number": code,
                "is_state_owned": state,
                "owning_group": group if state else None,
                "founded_on": founded,
            }
            rows.append((self.out.now, row))
        # Ids first: the credit code is derived from the id, which makes it unique in the city.
        await self.out.stream(Firm, ids, iter(rows))
        return list(ids)

    async def contracts(self, compounds: list[_Compound], firms: list[int]) -> None:
        if not firms:
            return
        rng = self.rng
        rows: list[Row] = []
        # Few firms manage many compounds, most manage a handful.
        weights = list(itertools.accumulate((k + 1) ** -0.9 for k in range(len(firms))))
        for c in (c for c in compounds if c.has_firm):
            firm, before = rng.choices(firms, cum_weights=weights, k=2)
            starts = self.today - timedelta(days=rng.randint(30, 3650))
            rows.append(_contract(c.id, firm, starts, None))
            if rng.random() < 0.3 and before != firm:
                earlier = starts - timedelta(days=rng.randint(730, 2190))
                ended = starts - timedelta(days=1)
                rows.append(_contract(c.id, before, earlier, ended))
        await self.out.add(ManagementContract, rows)

    async def party(
        self,
        streets: list[tuple[int, str]],
        communities: list[_Community],
        compounds: list[_Compound],
    ) -> None:
        """The party tree down to a branch in every mature compound, and the residents'
        committees."""
        rng, org = self.rng, Organisation
        existing = await db.fetch(
            "SELECT id, street_id FROM organisations WHERE city_id = $1 AND kind = $2",
            [self.city, Org.PARTY_STREET_COMMITTEE.value],
        )
        committee = {r["street_id"]: r["id"] for r in existing}
        lacking = [(s, name) for s, name in streets if s not in committee]
        rows = [
            _org(Org.PARTY_STREET_COMMITTEE, f"中共{name}工作委员会", rng, street=s)
            for s, name in lacking
        ]
        committee |= dict(zip((s for s, _ in lacking), await self.out.add(org, rows), strict=True))
        rows = [
            _org(
                Org.PARTY_COMMUNITY, f"中共{c.name}委员会", rng, committee[c.street], community=c.id
            )
            for c in communities
        ]
        party = dict(zip((c.id for c in communities), await self.out.add(org, rows), strict=True))
        rows = [
            _org(
                Org.RESIDENTS_COMMITTEE,
                f"{c.name}{'村' if c.village else '居'}民委员会",
                rng,
                community=c.id,
            )
            for c in communities
        ]
        rows += [
            _org(
                Org.PARTY_COMPOUND_BRANCH, f"{c.name}党支部", rng, party[c.community], compound=c.id
            )
            for c in compounds
            if c.mature
        ]
        await self.out.add(org, rows)

    async def cases(self, compounds: list[_Compound], count: int) -> None:
        rng, now = self.rng, self.out.now
        paces, due_on = case_paces(rules_for(self.city)), due_dates(self.city)
        # Zipf-like: a few compounds are busy, most are quiet; bigger ones file more.
        ranks = list(range(1, len(compounds) + 1))
        rng.shuffle(ranks)
        weights = list(
            itertools.accumulate(c.homes * r**-0.8 for c, r in zip(compounds, ranks, strict=True))
        )
        where = rng.choices(compounds, cum_weights=weights, k=count)
        kinds = [kind for kind, _ in CASE_KIND_WEIGHTS]
        shares = [share for _, share in CASE_KIND_WEIGHTS]
        what = rng.choices(kinds, shares, k=count)
        span = timedelta(days=365 * YEARS_OF_CASES).total_seconds()
        start = now - timedelta(seconds=span)

        def rows() -> Iterator[tuple[datetime, Row]]:
            for c, kind in zip(where, what, strict=True):
                # Filing grows over time: density rising linearly towards today.
                created = start + timedelta(seconds=int(span * math.sqrt(rng.random())))
                stage, since, version = case_progress(rng, paces[kind], created, now)
                due = due_on(stage, since)
                title = rng.choice(CASE_TITLES[kind])
                text = f"{c.name}{rng.randint(1, 6)}栋居民反映：{title}。"
                yield created, {
                    "kind": kind, "title": title, "description": text, "compound_id": c.id,
                    "stage": stage, "stage_entered_at": since, "stage_due_on": due,
                    "version": version,
                }  # fmt: skip

        await self.out.stream(Case, await reserve_ids("cases", count), rows())


def _quiet(table: str, done: int, total: int) -> None:
    pass


async def generate(
    city: str,
    compounds: int,
    cases: int,
    firms: int = 200,
    seed: int = 1,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Add a synthetic city's worth of rows to `city` in one transaction; counts by table."""
    if min(compounds, cases, firms) < 0 or (cases and not compounds):
        raise ValueError("counts must be non-negative, and cases need compounds")
    gen = _Generator(city, seed, progress or _quiet)
    n_communities = max(1, round(compounds / 15)) if compounds else 0
    # In the city's scope, so that row-level security lets the connection read and write it.
    with in_city(city):
        async with in_transaction():
            await ensure_city(city)
            gen.out.copy = await may_copy()
            streets = await gen.streets(min(30, n_communities))
            communities = await gen.communities([s for s, _ in streets], n_communities)
            community_ids = [c.id for c in communities]
            grids = await gen.grids(community_ids)
            made = await gen.compounds(community_ids, compounds)
            await gen.buildings(made, grids)
            await gen.contracts(made, await gen.firms(firms))
            await gen.party(streets, communities, made)
            await gen.cases(made, cases)
    return {m._meta.db_table: gen.out.counts.get(m._meta.db_table, 0) for m in MODELS}
