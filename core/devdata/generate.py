"""Large synthetic cities for load and performance work: a million cases in minutes.

Rows are built as plain tuples and written in bulk (COPY on PostgreSQL when the role may
bypass row-level security, batched INSERTs otherwise), because the ORM's per-row cost would
turn minutes into hours. Ids are reserved before rows are built, so parents and children are
written without reading anything back. All of it happens in one transaction.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.cases.change import stage_due_on
from core.cases.rules import CaseRules, rules_for
from core.cases.workflow import stages_of
from core.infra import clock, db
from core.infra.cities import ensure_city, load_city_configs
from core.infra.enums import CaseKind, CaseStage, CommunityKind, CompoundKind, ManagementMode
from core.infra.enums import OrganisationKind as Org
from core.infra.errors import DomainError
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

Progress = Callable[[str, int, int], None]
Row = tuple[Any, ...]

BATCH = 20_000
YEARS_OF_CASES = 2

# --- names -------------------------------------------------------------------------------

_STREET_HEADS = "东南西北清凤石塘横常大黄长虎厚沙道洪麻中高茶企桥谢寮望樟"
_STREET_TAILS = "城岗龙厦沥平朗江安门田滘梅涌堂埗山头坑步墩溪湖"
_COMMUNITY_HEADS = "宏元新丽兴和富康安景瑞福华金玉翠鸿永德益泰民乐嘉祥盛裕顺明光"
_COMMUNITY_TAILS = "图美基城乐平湖源园华兴荣盛沙塘岭坑朗涌田洲湾埔岗星泰和丰桥"
_ESTATE_WORDS = (
    "锦绣 碧水 金域 翠湖 星河 阳光 御景 海逸 君悦 丽景 东方 银湖 云山 雅居 怡景 康城 龙湾 凤凰"
    " 万象 天骄 瑞府 盛世 名都 绿茵 水岸 枫林 桃源 春晓 紫荆 书香 江南 新城 景湖 岭南 锦华 嘉华"
    " 宏远 泰和 华景 富盈 骏景 汇景 尚城 蓝湾 观澜 清华 鸿福 逸翠 御庭 颐和 文华 松湖 榕树 青榕"
).split()
_ESTATE_TAILS: dict[CompoundKind, tuple[str, ...]] = {
    CompoundKind.COMMERCIAL_RESIDENTIAL: tuple(
        "花园 名苑 雅苑 豪庭 华府 家园 公馆 山庄 名居 嘉园 广场 新村 湾 城 府 苑 轩 郡".split()
    ),
    CompoundKind.PUBLIC_RENTAL: ("人才公寓", "安居苑", "公租房小区"),
    CompoundKind.PRICE_LIMITED: ("安居园", "三限房小区", "和居苑"),
    CompoundKind.INDUSTRIAL_DORMITORY: ("工业园宿舍", "产业园员工公寓", "科技园宿舍"),
    CompoundKind.OTHER: ("单位宿舍", "综合楼", "住宅楼"),
}
_FIRM_TAILS = ("物业服务有限公司", "物业管理有限公司", "物业发展有限公司", "物业服务集团有限公司")
_PHASES = ("", "二期", "三期", "四期", "五期")

# Administrative division codes, the middle of a firm's unified social credit code.
_DIVISIONS = {"dongguan": "441900", "zhuhai": "440400"}
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def social_credit_code(division: str, serial: int) -> str:
    """A well-formed 18-character unified social credit code (统一社会信用代码) of a company."""
    body = f"91{division}{serial % 10**9:09d}"
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def _names(
    heads: Iterable[str], tails: Sequence[str], taken: set[str], suffix: str = ""
) -> Iterator[str]:
    """Fresh names, never one in `taken` (which it extends), in an order fixed across seeds.

    The order ignores the seed so that a second run into the same city carries on where
    the first stopped instead of colliding with it.
    """
    # A doubled character (泰泰) reads as a typo, not a place.
    combos = [h + t + suffix for h, t in itertools.product(heads, tails) if h[-1] != t[0]]
    random.Random(0).shuffle(combos)
    for phase in itertools.count():
        extra = _PHASES[phase] if phase < len(_PHASES) else f"{phase + 1}期"
        for name in (combo + extra for combo in combos):
            if name not in taken:
                taken.add(name)
                yield name


# --- cases -------------------------------------------------------------------------------

CASE_TITLES: dict[CaseKind, tuple[str, ...]] = {
    CaseKind.PROPERTY_DISPUTE: tuple(
        "电梯频繁故障，要求物业限期维修 物业费调价争议 要求公开公共收益收支情况"
        " 地下车库停车位收费纠纷 小区绿地被改作停车场 申请使用专项维修资金更换水泵"
        " 外墙渗水长期未修复 门禁系统升级费用分摊 垃圾清运不及时 消防设施年久失修"
        " 物业合同续签意见征集 充电桩安装位置争议".split()
    ),
    CaseKind.SERVICE_REQUEST: tuple(
        "代办居住证 申请高龄津贴 办理残疾人证 预约社区托育服务 申请临时救助 开具居住证明"
        " 老年人助餐服务登记 咨询智能快递柜设置 申请心理咨询服务 灵活就业人员社保咨询"
        " 办理门牌号证明 申请家庭医生签约".split()
    ),
    CaseKind.MEDIATION: tuple(
        "楼上漏水引发邻里纠纷 装修噪音扰民 宠物扰民 占用消防通道堆放杂物 高空抛物"
        " 共用楼道空间使用纠纷 租客与业主押金纠纷 广场舞噪音投诉".split()
    ),
}
_CASE_KIND_WEIGHTS: tuple[tuple[CaseKind, int], ...] = (
    (CaseKind.SERVICE_REQUEST, 55),
    (CaseKind.PROPERTY_DISPUTE, 30),
    (CaseKind.MEDIATION, 15),
)

# Mean calendar days a case stays in a stage without a deadline (REPLIED, before closing).
_UNTIMED_DAYS = 3


Pace = tuple[tuple[CaseStage, float], ...]


def case_paces(rules: CaseRules) -> dict[CaseKind, Pace]:
    """Each kind's stages, each with the mean calendar days a case spends in it: 60 % of the
    city's deadline (working days, about 7/5 as many calendar days)."""
    return {
        kind: tuple((s, 0.6 * 1.4 * (rules.days_for(s) or _UNTIMED_DAYS)) for s in stages_of(kind))
        for kind in CaseKind
    }


def case_progress(
    rng: random.Random, pace: Pace, created_at: datetime, now: datetime
) -> tuple[CaseStage, datetime, int]:
    """Where a case filed at `created_at` plausibly stands at `now`: stage, since, version."""
    # A few cases stall: the overdue reports need some to find.
    stall = 8 if rng.random() < 0.04 else 1
    entered = created_at
    for version, (stage, mean_days) in enumerate(pace[:-1], start=1):
        step = timedelta(seconds=int(rng.expovariate(1 / mean_days) * stall * 86400) + 60)
        if entered + step > now:
            return stage, entered, version
        entered += step
    return pace[-1][0], entered, len(pace)


def due_dates(city: str) -> Callable[[CaseStage, datetime], date | None]:
    """core.cases.change.stage_due_on for `city`, fast enough for a million cases.

    Memoised by (stage, local day), which is all the result depends on: the calendar walk
    costs about a millisecond, and a million cases share a few thousand such pairs.
    """
    rules = rules_for(city)
    timed = {stage for stage in CaseStage if rules.days_for(stage) is not None}
    memo: dict[tuple[CaseStage, date], date | None] = {}

    def due(stage: CaseStage, since: datetime) -> date | None:
        if stage not in timed:
            return None
        key = (stage, clock.local_date(since, city))
        if key not in memo:
            try:
                memo[key] = stage_due_on(stage, since)
            except DomainError as error:
                # A load must not fail where the installed holiday calendar ends: the case
                # shows no deadline instead.
                if error.code != "CALENDAR_OUT_OF_RANGE":
                    raise
                memo[key] = None
        return memo[key]

    return due


# --- writing -----------------------------------------------------------------------------


async def _reserve_ids(table: str, count: int) -> Sequence[int]:
    """`count` ids, in increasing order, that no other writer will take."""
    if count == 0:
        return range(0)
    if db.dialect() == "sqlite":
        # One writer at a time: inside this transaction nobody else inserts.
        rows = await db.fetch(f"SELECT COALESCE(MAX(id), 0) + 1 AS first FROM {table}")
        return range(int(rows[0]["first"]), int(rows[0]["first"]) + count)
    # Drawn from the table's own sequence: ORM inserts made meanwhile or later cannot clash,
    # no fix-up is needed afterwards, and the app role may do it (setval needs UPDATE on the
    # sequence, which it lacks). Sequences are not rolled back: a failed run leaves a gap.
    rows = await db.fetch(
        f"SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) AS ids "
        "FROM generate_series(1, $1)",
        [count],
    )
    return sorted(rows[0]["ids"])


async def _may_copy() -> bool:
    """Whether COPY may write: it refuses tables under row-level security, which binds every
    role but superusers and BYPASSRLS ones (owners too: core/security/rls.py forces policies)."""
    if db.dialect() != "postgres":
        return False
    rows = await db.fetch(
        "SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user"
    )
    return bool(rows and rows[0]["bypass"])


COLUMNS: dict[str, tuple[str, ...]] = {
    "streets": ("name", "code"),
    "communities": ("street_id", "name", "kind"),
    "grids": ("community_id", "name", "code"),
    "compounds": (
        "community_id",
        "name",
        "kind",
        "homes",
        "residents",
        "land_area",
        "floor_area",
        "mature",
        "management_mode",
    ),
    "buildings": ("compound_id", "grid_id", "name", "floors", "homes"),
    "firms": ("name", "registration_number", "is_state_owned", "owning_group", "founded_on"),
    "management_contracts": ("compound_id", "firm_id", "starts_on", "ends_on", "mode"),
    "organisations": (
        "kind",
        "name",
        "parent_id",
        "street_id",
        "community_id",
        "compound_id",
        "members_count",
        "founded_on",
    ),
    "cases": (
        "kind",
        "title",
        "description",
        "compound_id",
        "stage",
        "stage_entered_at",
        "stage_due_on",
        "version",
    ),
}


MODELS: dict[str, type[Model]] = {
    model._meta.db_table: model
    for model in (
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
}


def _defaults(table: str, now: datetime) -> dict[str, Any]:
    """What the ORM would write into the columns the generator leaves out.

    Model defaults live in Python, not in the schema: without this, every field added to a
    model with a default would break the raw inserts with a NOT NULL violation.
    """
    model, given = MODELS[table], {"id", "city_id", "created_at", *COLUMNS[table]}
    values = {}
    for name, column in model._meta.fields_db_projection.items():
        field = model._meta.fields_map[name]
        if column in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[column] = now
        elif field.default is not None:
            default = field.default() if callable(field.default) else field.default
            values[column] = field.to_db_value(default, None)  # type: ignore[arg-type]  # no row yet
    return values


@dataclass
class _Writer:
    """Gives rows their ids, city and creation time, and writes them batch by batch."""

    city: str
    now: datetime
    progress: Progress
    copy: bool = False  # COPY on PostgreSQL where allowed; batched INSERTs otherwise
    counts: dict[str, int] = field(default_factory=dict)

    async def add(self, table: str, rows: Sequence[Row]) -> list[int]:
        """Write rows created now; their ids, in order."""
        ids = await _reserve_ids(table, len(rows))
        await self.stream(table, ids, ((self.now, row) for row in rows))
        return list(ids)

    async def stream(
        self, table: str, ids: Sequence[int], rows: Iterator[tuple[datetime, Row]]
    ) -> None:
        """Write (created_at, row) pairs under `ids`, a batch at a time."""
        defaults = _defaults(table, self.now)
        columns = ("id", "city_id", "created_at", *COLUMNS[table], *defaults)
        tail = tuple(defaults.values())
        written = 0
        while batch := list(itertools.islice(rows, BATCH)):
            keys = ids[written : written + len(batch)]
            records = [
                (i, self.city, t, *row, *tail) for i, (t, row) in zip(keys, batch, strict=True)
            ]
            await self._write(table, columns, records)
            written += len(batch)
            self.progress(table, written, len(ids))
        self.counts[table] = self.counts.get(table, 0) + written

    async def _write(self, table: str, columns: Sequence[str], records: list[Row]) -> None:
        conn = db.connection()
        if self.copy:
            async with conn.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=records, columns=list(columns))
            return
        sqlite = db.dialect() == "sqlite"
        marks = ", ".join("?" * len(columns)) if sqlite else db.placeholders(1, len(columns))
        await conn.execute_many(  # tortoise annotates lists; tuples serve as well
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            records,  # type: ignore[arg-type]
        )


# --- the city ----------------------------------------------------------------------------

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
    return (kind, name, parent, street, community, compound, members, None)


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
        self.out = _Writer(city, now, progress)
        self.today = now.date()
        config = load_city_configs().get(city)
        self.prefix = config.name if config else ""

    async def streets(self, wanted: int) -> list[tuple[int, str]]:
        """(id, name) of the city's streets, adding fresh ones until there are `wanted`."""
        rows = await db.fetch("SELECT id, name FROM streets WHERE city_id = $1", [self.city])
        names = _names(_STREET_HEADS, _STREET_TAILS, {r["name"] for r in rows}, "街道")
        fresh = [next(names) for _ in range(max(0, wanted - len(rows)))]
        division = _DIVISIONS.get(self.city, "440000")
        codes = (f"{division}{i:03d}" for i in itertools.count(len(rows) + 101))
        ids = await self.out.add("streets", [(name, next(codes)) for name in fresh])
        return [(r["id"], r["name"]) for r in rows] + list(zip(ids, fresh, strict=True))

    async def communities(self, streets: list[int], count: int) -> list[_Community]:
        names = _names(
            _COMMUNITY_HEADS, _COMMUNITY_TAILS, await _taken(self.city, "communities"), "社区"
        )
        made = []
        for _ in range(count):
            name = next(names)
            if self.rng.random() < 0.2:
                made.append(_Community(0, self.rng.choice(streets), name[:-2] + "村", True))
            else:
                made.append(_Community(0, self.rng.choice(streets), name, False))
        rows = [
            (c.street, c.name, CommunityKind.VILLAGE if c.village else CommunityKind.URBAN)
            for c in made
        ]
        for community, id_ in zip(made, await self.out.add("communities", rows), strict=True):
            community.id = id_
        return made

    async def grids(self, communities: list[int]) -> dict[int, list[int]]:
        """Two to five grids per community, by community id."""
        rows = [
            (c, f"第{k}网格", f"G{c}-{k:02d}")
            for c in communities
            for k in range(1, self.rng.randint(2, 5) + 1)
        ]
        by_community: dict[int, list[int]] = {}
        for row, id_ in zip(rows, await self.out.add("grids", rows), strict=True):
            by_community.setdefault(row[0], []).append(id_)
        return by_community

    async def compounds(self, communities: list[int], count: int) -> list[_Compound]:
        rng, taken = self.rng, await _taken(self.city, "compounds")
        names = {k: _names(_ESTATE_WORDS, tails, taken) for k, tails in _ESTATE_TAILS.items()}
        rows, made = [], []
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
            rows.append((community, name, kind, homes, residents, land, floor, mature, mode))
            made.append(_Compound(0, community, name, homes, mature, has_firm))
        for compound, id_ in zip(made, await self.out.add("compounds", rows), strict=True):
            compound.id = id_
        return made

    async def buildings(self, compounds: list[_Compound], grids: dict[int, list[int]]) -> None:
        rows = []
        for c in compounds:
            count = self.rng.randint(2, 6)
            for k in range(1, count + 1):
                homes = c.homes // count + (c.homes % count if k == 1 else 0)
                grid = self.rng.choice(grids[c.community])
                rows.append((c.id, grid, f"{k}栋", self.rng.randint(6, 33), homes))
        await self.out.add("buildings", rows)

    async def firms(self, count: int) -> list[int]:
        rng = self.rng
        heads = [*_ESTATE_WORDS, *(a + b for a in _COMMUNITY_HEADS for b in _COMMUNITY_TAILS)]
        names = _names(heads, _FIRM_TAILS, await _taken(self.city, "firms"))
        division = _DIVISIONS.get(self.city, "440000")
        ids = await _reserve_ids("firms", count)
        rows = []
        for id_ in ids:
            state = rng.random() < 0.03
            group = f"{self.prefix}{rng.choice(_ESTATE_WORDS)}投资控股集团有限公司"
            founded = date(rng.randint(1995, 2021), rng.randint(1, 12), 1)
            code = social_credit_code(division, id_)
            row = (self.prefix + next(names), code, state, group if state else None, founded)
            rows.append((self.out.now, row))
        # Ids first: the credit code is derived from the id, which makes it unique in the city.
        await self.out.stream("firms", ids, iter(rows))
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
            rows.append((c.id, firm, starts, None, ManagementMode.PROPERTY_FIRM))
            if rng.random() < 0.3 and before != firm:
                earlier = starts - timedelta(days=rng.randint(730, 2190))
                ended = starts - timedelta(days=1)
                rows.append((c.id, before, earlier, ended, ManagementMode.PROPERTY_FIRM))
        await self.out.add("management_contracts", rows)

    async def party(
        self,
        streets: list[tuple[int, str]],
        communities: list[_Community],
        compounds: list[_Compound],
    ) -> None:
        """The party tree down to a branch in every mature compound, and the residents'
        committees."""
        rng, org = self.rng, "organisations"
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
        kinds, shares = zip(*_CASE_KIND_WEIGHTS, strict=True)
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
                yield created, (kind, title, text, c.id, stage, since, due, version)

        await self.out.stream("cases", await _reserve_ids("cases", count), rows())


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
            gen.out.copy = await _may_copy()
            streets = await gen.streets(min(30, n_communities))
            communities = await gen.communities([s for s, _ in streets], n_communities)
            community_ids = [c.id for c in communities]
            grids = await gen.grids(community_ids)
            made = await gen.compounds(community_ids, compounds)
            await gen.buildings(made, grids)
            await gen.contracts(made, await gen.firms(firms))
            await gen.party(streets, communities, made)
            await gen.cases(made, cases)
    return {table: gen.out.counts.get(table, 0) for table in COLUMNS}
