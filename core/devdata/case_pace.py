"""Synthetic cases: their titles, and how far along a case filed at some time plausibly is."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from core.cases.change import stage_due_on
from core.cases.rules import CaseRules, rules_for
from core.cases.workflow import stages_of
from core.infra import clock
from core.infra.enums import CaseKind, CaseStage
from core.infra.errors import DomainError

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
CASE_KIND_WEIGHTS = (
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
