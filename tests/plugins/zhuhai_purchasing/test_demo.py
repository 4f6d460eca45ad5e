"""Zhuhai's demo of its regimes loads on the core demo, once."""

from __future__ import annotations

from core.firms import credit
from core.infra.tenancy import in_city
from core.models import Firm, ServicePurchaseRecord
from core.plugins import calls as plugins
from plugins.points_credit.models import PointsAppeal
from plugins.zhuhai_purchasing.demo import load_zhuhai_demo


async def test_the_demo_puts_a_firm_at_each_level_and_loads_once(writable_demo_db: str):
    said: list[str] = []
    counts = await load_zhuhai_demo(said.append)
    assert counts == {
        "points_notices": 6,
        "points_appeals": 2,
        "purchases_accepted": 2,
        "purchases_refused": 1,
    }
    assert any("refused" in s and "procurementMethod" in s for s in said)
    with in_city("zhuhai"):
        firms = dict(await Firm.all().values_list("name", "id"))
        found = await credit.standings(list(firms.values()))
        appeals = sorted(await PointsAppeal.all().values_list("status", flat=True))
        bought = await ServicePurchaseRecord.all().count()
        refused = await plugins.firm_refusals(
            firms["珠海市莲洲物业服务有限公司"], "management_contract"
        )
    levels = {name: (found[i].level, found[i].score) for name, i in firms.items()}
    assert {name: (level, int(score)) for name, (level, score) in levels.items()} == {
        "珠海市海岸物业管理有限公司": ("WRITTEN_WARNING", 6),
        "珠海市港湾物业服务有限公司": ("SUMMONED", 9),
        "珠海市莲洲物业服务有限公司": ("QUALIFICATION_REVIEW", 12),
    }
    assert appeals == ["REJECTED", "UPHELD"] and bought == 2
    assert [r.plugin for r in refused] == ["points_credit"]
    assert await load_zhuhai_demo() == {}  # idempotent
