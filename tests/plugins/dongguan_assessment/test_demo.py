"""The Dongguan demo on top of the core demo: assessments run for ended quarters with every
input entered and published (the first one corrected and run again), a credit record that
lowers a score, a blacklisted firm, purchases accepted and refused; a second load adds
nothing."""

from __future__ import annotations

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import ServicePurchaseRecord
from plugins.dongguan_assessment.demo import load_dongguan_demo
from plugins.dongguan_assessment.models import (
    AssessmentRun,
    BlacklistEntry,
    CreditDeduction,
    FirmAssessment,
)
from tests.conftest import GraphQLClient, token

RUNS = """query($p: String!) { firmAssessmentRuns(period: $p) { version status
    assessments { grade creditDeduction } } }"""


async def test_the_demo_shows_assessments_credit_a_blacklisting_and_purchases(
    writable_demo_db: str, gql: GraphQLClient
):
    said: list[str] = []
    counts = await load_dongguan_demo(said.append)
    assert counts == {
        "assessment_runs": 3,
        "published_assessments": 2,
        "credit_records": 1,
        "service_purchases": 2,
    }
    assert any("refused" in line for line in said)
    with in_city("dongguan"):
        assert (
            await FirmAssessment.filter(passed=False, run__published_at__isnull=False).count() >= 2
        )
        [entry] = await BlacklistEntry.all().values("reason", "firm_id")
        assert "连续 2 次考核不合格" in entry["reason"]
        assert await CreditDeduction.filter(kind="DEDUCTION").count() == 1
        assert await ServicePurchaseRecord.all().count() == 2
        first, latest = (
            await AssessmentRun.filter(version=1)
            .order_by("period_start")
            .values_list("period", flat=True)
        )
    # The city admin sees the period's history; the public, the published run only.
    history = (await gql(RUNS, {"p": first}, auth=token("dongguan", Role.CITY_ADMIN)))["data"][
        "firmAssessmentRuns"
    ]
    assert [(r["version"], r["status"]) for r in history] == [(2, "PUBLISHED"), (1, "SUPERSEDED")]
    public = (await gql(RUNS, {"p": first}))["data"]["firmAssessmentRuns"]
    assert [(r["version"], r["status"]) for r in public] == [(2, "PUBLISHED")]
    [(_, status)] = [
        (r["version"], r["status"])
        for r in (await gql(RUNS, {"p": latest}))["data"]["firmAssessmentRuns"]
    ]
    assert status == "PUBLISHED"
    lowered = [
        a
        for a in (await gql(RUNS, {"p": latest}))["data"]["firmAssessmentRuns"][0]["assessments"]
        if a["creditDeduction"] != "0.00"
    ]
    assert [a["creditDeduction"] for a in lowered] == ["5.00"]
    assert await load_dongguan_demo() == {}
