"""The Dongguan demo on top of the core demo: assessments, a credit record, a blacklisted
firm, purchases accepted and refused; a second load adds nothing."""

from __future__ import annotations

from core.infra.tenancy import in_city
from core.models import ServicePurchaseRecord
from plugins.dongguan_assessment.demo import load_dongguan_demo
from plugins.dongguan_assessment.models import BlacklistEntry, CreditDeduction, FirmAssessment


async def test_the_demo_shows_assessments_credit_a_blacklisting_and_purchases(
    writable_demo_db: str,
):
    said: list[str] = []
    counts = await load_dongguan_demo(said.append)
    assert counts == {"assessment_runs": 2, "credit_records": 1, "service_purchases": 2}
    assert any("refused" in line for line in said)
    with in_city("dongguan"):
        assert await FirmAssessment.filter(passed=False).count() >= 2
        [entry] = await BlacklistEntry.all().values("reason", "firm_id")
        assert "连续 2 次考核不合格" in entry["reason"]
        assert await CreditDeduction.filter(kind="DEDUCTION").count() == 1
        assert await ServicePurchaseRecord.all().count() == 2
    assert await load_dongguan_demo() == {}
