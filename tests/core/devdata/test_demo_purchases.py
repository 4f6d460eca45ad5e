"""The purchases demo: one purchase from each kind of provider, at the stages the module says,
what the closed one spends; a second load adds nothing."""

from __future__ import annotations

from core.devdata.demo import load_demo
from core.devdata.purchases import load_purchases_demo
from core.infra.tenancy import in_city
from core.models import ServiceDelivery, ServicePurchaseRecord


async def test_the_demo_purchases_live_their_lives_once(empty_db: str) -> None:
    await load_demo()
    said: list[str] = []
    assert await load_purchases_demo(said.append) == {
        "purchases": 5,
        "purchase_deliveries": 3,
        "social_workers": 1,
    }
    with in_city("dongguan"):
        rows = await ServicePurchaseRecord.all().values(
            "title", "status", "provider_kind", "evaluation_passed", "paid_amount"
        )
        assert await ServiceDelivery.all().count() == 3
    by_title = {r["title"]: r for r in rows}
    assert {t: (r["status"], r["provider_kind"]) for t, r in by_title.items()} == {
        "宏图社区独居长者精神慰藉服务": ("CLOSED", "ORGANISATION"),
        "宏图社区心理健康个案辅导": ("CONTRACTED", "SOCIAL_WORKER"),
        "雅园新村助残志愿服务": ("APPROVED", "VOLUNTEER_TEAM"),
        "宏图社区四点半托育服务": ("PROPOSED", "ORGANISATION"),
        "宏图社区长者健步走活动": ("REJECTED", "VOLUNTEER_TEAM"),
    }
    closed = by_title["宏图社区独居长者精神慰藉服务"]
    assert closed["evaluation_passed"] is True and closed["paid_amount"] == 114_000
    assert await load_purchases_demo(said.append) == {}
    assert said[-1] == "dongguan purchases: exist, skipped"
