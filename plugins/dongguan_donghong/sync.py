"""Reconciling Donghong's feed with the city's compounds and contracts.

Each project of the feed becomes one row of the report:
- MATCHED: the compound is ours, Donghong's contract is in force, the facts agree;
- CREATED: the compound was unknown; registered from the feed in its community (no contract:
  that needs the owners' or the housing authority's decision, see takeover.py);
- CHANGED: homes, floor area or the project's name differ; ours are updated from the feed;
- ENDED: the feed says the management ended; Donghong's contract ends that day;
- CONFLICTING: the feed and the city disagree in a way only a person may settle (another firm's
  contract, no contract, an unknown or ambiguous place, another start date); nothing written.
Compounds Donghong manages here that the feed no longer lists are CONFLICTING too.

The whole reconciliation is one transaction, rolled back for a dry run; a feed that fails
changes nothing. Every run, failed or not, leaves a DonghongSyncRun row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from plugins.dongguan_donghong.feed import Feed, FeedError, FeedProject, fetch
from plugins.dongguan_donghong.models import DonghongProject, DonghongSyncRun
from plugins.dongguan_donghong.settings import DonghongSettings
from schema.plugin_api import (
    SyncReport,
    SyncRow,
    Text,
    current_city,
    local_date,
    now,
    number,
)
from schema.plugin_api.models import Community, Compound, Firm, ManagementContract

COMPANY = "广东东鸿物业发展有限公司"
STATUSES = ("MATCHED", "CREATED", "CHANGED", "ENDED", "CONFLICTING")
PROJECT_FIELDS = (
    "id",
    "project_code",
    "name",
    "compound_id",
    "compound_name",
    "street",
    "community",
    "kind",
    "floor_area",
    "homes",
    "managed_since",
    "managed_until",
)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


async def company_firm(settings: DonghongSettings) -> dict[str, Any] | None:
    rows = await Firm.filter(registration_number=settings.company_registration_number).values(
        "id", "name"
    )
    return rows[0] if rows else None


async def sync(settings: DonghongSettings, *, dry_run: bool, actor: str) -> SyncReport:
    """Fetch, validate and reconcile the feed; record the run."""
    try:
        feed = await fetch(settings)
        firm = await company_firm(settings)
        if firm is None:
            raise FeedError(
                [
                    Text(
                        "company.registration_number：该企业不在本市企业名录中",
                        "company.registration_number: the company is not in the city's directory",
                    )
                ]
            )
    except FeedError as e:
        return await record_run(actor, dry_run, [], e.problems)
    rows: list[SyncRow] = []
    try:
        async with in_transaction():
            rows = await reconcile(feed, firm["id"], local_date(now(), current_city()))
            if dry_run:
                raise _DryRun
            return await record_run(actor, dry_run, rows, [])
    except _DryRun:
        return await record_run(actor, dry_run, rows, [])
    except Exception as e:
        # Rolled back; the failure is on record before the core reports PLUGIN_FAILED.
        failed = type(e).__name__
        await record_run(
            actor, dry_run, [], [Text(f"对账失败：{failed}", f"reconciliation failed: {failed}")]
        )
        raise


async def record_run(
    actor: str, dry_run: bool, rows: list[SyncRow], errors: list[str | Text]
) -> SyncReport:
    status = "FAILED" if errors else ("DRY_RUN" if dry_run else "APPLIED")
    counts = {s.lower(): sum(1 for r in rows if r.status == s) for s in STATUSES}
    run = await DonghongSyncRun.create(
        actor=actor[:128],
        dry_run=dry_run,
        status=status,
        errors=[_kept(e) for e in errors],
        rows=[
            {
                "status": r.status,
                "project_code": r.external_id,
                "compound_id": r.compound_id,
                "detail": _kept(r.detail),
            }
            for r in rows
        ],
        **counts,
    )
    return SyncReport(COMPANY, dry_run, tuple(rows), tuple(errors), run.id)


def _kept(text: str | Text) -> str:
    # A run's lines are kept in both languages; the reader's request picks one.
    return text.stored() if isinstance(text, Text) else text


def _differs(ours: float | None, theirs: float | None) -> bool:
    if theirs is None:
        return False
    return ours is None or abs(float(ours) - theirs) > 0.005


async def reconcile(feed: Feed, firm_id: int, today: dt.date) -> list[SyncRow]:
    """Apply the feed to the city's data (the caller holds the transaction)."""
    compounds = await Compound.all().values(
        "id", "name", "kind", "homes", "floor_area", "community__name", "community__street__name"
    )
    communities = await Community.all().values("id", "name", "street__name")
    in_force = (
        await ManagementContract.filter(
            Q(starts_on__lte=today), Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
        .order_by("starts_on", "id")
        .values("id", "compound_id", "firm_id", "starts_on", "ends_on")
    )
    current = {c["compound_id"]: c for c in in_force}  # the later-starting one wins
    known = {p["project_code"]: p for p in await DonghongProject.all().values(*PROJECT_FIELDS)}
    firm_names = dict(await Firm.all().values_list("id", "name"))
    rows: list[SyncRow] = []
    claimed: set[int] = set()

    for p in sorted(feed.projects, key=lambda p: p.project_code):
        ours = known.get(p.project_code)
        if ours and ours["compound_id"]:
            found = [c for c in compounds if c["id"] == ours["compound_id"]]
        else:
            found = [
                c
                for c in compounds
                if c["name"] == p.compound
                and c["community__name"] == p.community
                and (not p.street or c["community__street__name"] == p.street)
            ]
        if len(found) > 1:
            n = len(found)
            rows.append(
                _conflict(
                    p,
                    None,
                    Text(f"有 {n} 个名为 {p.compound} 的小区", f"{n} compounds named {p.compound}"),
                )
            )
            continue
        if not found:
            rows.append(await _create(p, communities, today))
            continue
        compound = found[0]
        if compound["id"] in claimed:
            rows.append(
                _conflict(
                    p,
                    compound["id"],
                    Text(
                        "数据源中另一个项目已对应此小区",
                        "another project of the feed is this compound",
                    ),
                )
            )
            continue
        claimed.add(compound["id"])
        contract = current.get(compound["id"])
        if p.managed_until is not None and p.managed_until <= today:
            rows.append(await _end(p, compound, contract, firm_id))
            continue
        if contract is None:
            rows.append(
                _conflict(
                    p,
                    compound["id"],
                    Text(
                        "无有效的物业服务合同：接管须有决定",
                        "no contract in force: a takeover needs the decision",
                    ),
                )
            )
            continue
        if contract["firm_id"] != firm_id:
            name = firm_names.get(contract["firm_id"], contract["firm_id"])
            rows.append(
                _conflict(
                    p,
                    compound["id"],
                    Text(
                        f"本市由 {name} 管理：接管须有决定",
                        f"managed here by {name}: a takeover needs the decision",
                    ),
                )
            )
            continue
        if contract["starts_on"] != p.managed_since:
            rows.append(
                _conflict(
                    p,
                    compound["id"],
                    Text(
                        f"本市合同始于 {contract['starts_on']}，数据源为 {p.managed_since}",
                        f"contract starts on {contract['starts_on']} here, "
                        f"{p.managed_since} in the feed",
                    ),
                )
            )
            continue
        rows.append(await _apply(p, compound, ours))

    # Compounds Donghong manages here that the feed no longer lists.
    for compound_id, contract in sorted(current.items()):
        if contract["firm_id"] == firm_id and compound_id not in claimed:
            name = next((c["name"] for c in compounds if c["id"] == compound_id), "")
            code = next((k for k, v in known.items() if v["compound_id"] == compound_id), "")
            rows.append(
                SyncRow(
                    "CONFLICTING",
                    code,
                    compound_id,
                    Text(
                        f"{name}：本市在管，数据源未列出", f"{name}: managed here, not in the feed"
                    ),
                )
            )
    return rows


def _conflict(p: FeedProject, compound_id: int | None, why: Text) -> SyncRow:
    return SyncRow("CONFLICTING", p.project_code, compound_id, why)


def _project_values(p: FeedProject, compound_id: int) -> dict[str, Any]:
    return {
        "name": p.name,
        "compound_id": compound_id,
        "compound_name": p.compound,
        "street": p.street,
        "community": p.community,
        "kind": p.kind.value,
        "floor_area": p.floor_area,
        "homes": p.homes,
        "managed_since": p.managed_since,
        "managed_until": p.managed_until,
    }


async def _save(p: FeedProject, compound_id: int) -> None:
    await DonghongProject.update_or_create(
        defaults=_project_values(p, compound_id), project_code=p.project_code
    )


async def _create(p: FeedProject, communities: list[dict[str, Any]], today: dt.date) -> SyncRow:
    places = [
        c
        for c in communities
        if c["name"] == p.community and (not p.street or c["street__name"] == p.street)
    ]
    if len(places) != 1:
        zh, en = ("未知", "unknown") if not places else ("不唯一", "ambiguous")
        return _conflict(
            p, None, Text(f"社区 {p.community} {zh}", f"community {p.community} is {en}")
        )
    if p.managed_until is not None and p.managed_until <= today:
        return _conflict(
            p,
            None,
            Text(
                f"{p.compound} 在本市未登记，且管理已结束",
                f"{p.compound} is unknown here and its management has ended",
            ),
        )
    compound = await Compound.create(
        community_id=places[0]["id"],
        name=p.compound,
        kind=p.kind,
        homes=p.homes or 0,
        floor_area=p.floor_area,
    )
    await _save(p, compound.id)
    return SyncRow(
        "CREATED",
        p.project_code,
        compound.id,
        Text(
            f"{p.compound} 已在 {p.community} 登记；决定记录前不建合同",
            f"{p.compound} registered in {p.community}; no contract until the decision is recorded",
        ),
    )


async def _end(
    p: FeedProject,
    compound: dict[str, Any],
    contract: dict[str, Any] | None,
    firm_id: int,
) -> SyncRow:
    assert p.managed_until is not None
    await _save(p, compound["id"])
    if contract is not None and contract["firm_id"] == firm_id:
        await ManagementContract.filter(id=contract["id"]).update(ends_on=p.managed_until)
        return SyncRow(
            "ENDED",
            p.project_code,
            compound["id"],
            Text(f"合同于 {p.managed_until} 终止", f"contract ended on {p.managed_until}"),
        )
    # The company's contract is not in force here either: both sides agree it has ended.
    return SyncRow("MATCHED", p.project_code, compound["id"], Text("已终止", "ended already"))


async def _apply(p: FeedProject, compound: dict[str, Any], ours: dict[str, Any] | None) -> SyncRow:
    changes: list[Text] = []
    updates: dict[str, Any] = {}
    if p.homes is not None and p.homes != compound["homes"]:
        was, now_ = compound["homes"], p.homes
        changes.append(Text(f"户数 {was} → {now_}", f"homes {was} → {now_}"))
        updates["homes"] = p.homes
    if _differs(compound["floor_area"], p.floor_area):
        was_area = "—" if compound["floor_area"] is None else number(compound["floor_area"])
        area = number(p.floor_area) if p.floor_area is not None else "—"
        changes.append(Text(f"建筑面积 {was_area} → {area}", f"floor_area {was_area} → {area}"))
        updates["floor_area"] = p.floor_area
    if ours is not None and ours["name"] != p.name:
        changes.append(Text(f"名称 {ours['name']} → {p.name}", f"name {ours['name']} → {p.name}"))
    if updates:
        await Compound.filter(id=compound["id"]).update(**updates)
    await _save(p, compound["id"])
    if changes:
        both = Text("；".join(c.zh for c in changes), "; ".join(c.en for c in changes))
        return SyncRow("CHANGED", p.project_code, compound["id"], both)
    return SyncRow("MATCHED", p.project_code, compound["id"])
